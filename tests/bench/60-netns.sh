#!/bin/sh
# timeout: 3000
# Benchmark 6, namespace churn (issue 10, defect 9): the latency of
# creating and destroying a network namespace while N others each hold a
# subscriber to the stats and events groups (tw-sub, one process per
# namespace), N in BENCH_NETNS_N (default 1,100,1000), with the module
# loaded and not loaded, side by side in this boot.
#
# One cycle is `unshare -n true`; the kernel's own functions are timed
# with kprobe events (tracefs, guest clock), so fork, exec and the shell
# are not in the figures:
#   create   copy_net_ns entry to its return (every pernet init)
#   destroy  __put_net (the last reference went) to the return of the
#            cleanup_net work that freed it (every pernet exit)
# Cycles run one at a time: the next starts after the last one's
# cleanup_net returned, so each cleanup frees exactly one namespace.
#
# Per N: N namespaces with tw-sub are made with the module loaded and
# measured ("loaded"); then rmmod, and the same namespaces and processes
# (their sockets now idle) are measured again ("bare"). Figures: medians
# of BENCH_NETNS_CYCLES (default 15) cycles, per N and variant.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
NS_LIST=$(echo "${BENCH_NETNS_N:-1,100,1000}" | tr , ' ')
CYCLES=${BENCH_NETNS_CYCLES:-15}

T=/sys/kernel/tracing
[ -e $T/kprobe_events ] || mount -t tracefs nodev $T 2>/dev/null
[ -e $T/kprobe_events ] || skip "no tracefs with kprobe events"
echo 0 >$T/tracing_on
echo >$T/trace
for ev in 'p:twb/new copy_net_ns' 'r:twb/newret copy_net_ns' \
	'p:twb/put __put_net' 'p:twb/clean cleanup_net' 'r:twb/gone cleanup_net'; do
	echo "$ev" >>$T/kprobe_events || skip "kprobe event '$ev' refused"
done
echo 1 >$T/events/twb/enable
cleanup_trace() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/twb/enable 2>/dev/null
	echo >$T/kprobe_events 2>/dev/null
}

# cycles_done: cycles in the trace whose namespace is gone (its
# __put_net, then a cleanup_net that started after it and returned)
cycles_done() {
	awk '/ put: / { p = 1; a = 0 } / clean: / && p { a = 1 } / gone: / && a { n++; p = 0; a = 0 }
	END { print n + 0 }' $T/trace
}
_cycles_ge() {
	[ "$(cycles_done)" -ge "$1" ]
}

# measure (N, VARIANT): CYCLES cycles, then the medians (guest ns). The
# cleanup runs while this shell sleeps (wait_for), so polling the trace
# does not delay it; the figures are the kernel's timestamps anyway.
measure() {
	echo >$T/trace
	echo 1 >$T/tracing_on
	i=0
	while [ $i -lt "$CYCLES" ]; do
		unshare -n true || fail "unshare -n true"
		i=$((i + 1))
		wait_for 60 _cycles_ge $i ||
			fail "cycle $i: namespace not gone after 60 s: $(tail -n 6 $T/trace)"
	done
	echo 0 >$T/tracing_on
	cat $T/trace >/tmp/ns.trace
	# "<task>-<pid> [cpu] flags TS: EVENT: ..."; a cycle is new, newret,
	# put, clean, gone; copy_net_ns calls that made no namespace (unshare
	# of other kinds) do not happen here
	awk -v cyc="$CYCLES" '
	/^#/ { next }
	{
		for (f = 1; f < NF; f++)
			if ($f ~ /^[0-9]+\.[0-9]+:$/) break
		ts = substr($f, 1, length($f) - 1) * 1e9
		ev = $(f + 1)
	}
	ev == "new:" { t_new = ts }
	ev == "newret:" && t_new { c[++nc] = ts - t_new; t_new = 0 }
	ev == "put:" { t_put = ts; armed = 0 }
	ev == "clean:" && t_put { armed = 1 }
	ev == "gone:" && armed { d[++nd] = ts - t_put; t_put = 0; armed = 0 }
	function med(a, n,   i, j, x) {
		for (i = 2; i <= n; i++) {
			x = a[i]
			for (j = i - 1; j > 0 && a[j] > x; j--) a[j + 1] = a[j]
			a[j + 1] = x
		}
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	END {
		if (nc != cyc || nd != cyc) { print "bad", nc, nd; exit }
		printf "%.0f %.0f\n", med(c, nc), med(d, nd)
	}' /tmp/ns.trace >/tmp/ns.res
	set -- $(cat /tmp/ns.res)
	[ "$1" != bad ] || fail "$CYCLES cycles, $2 creations and $3 destructions traced: $(tail -n 5 /tmp/ns.trace)"
	emit sample netns-create $N "$VARIANT" "$1"
	emit sample netns-destroy $N "$VARIANT" "$2"
}

# The holders: N namespaces, each with one tw-sub in it
HOLDERS=
start_holders() {
	rm -rf /tmp/h
	mkdir -p /tmp/h
	j=1
	while [ $j -le "$1" ]; do
		unshare -n tw-sub >/tmp/h/$j.out 2>/tmp/h/$j.err &
		HOLDERS="$HOLDERS $!"
		j=$((j + 1))
	done
	wait_for 600 _holders_ready "$1" ||
		fail "$(grep -l ready /tmp/h/*.out | wc -l) of $1 tw-sub ready: $(cat /tmp/h/*.err | head -n 3)"
}
_holders_ready() {
	[ "$(grep -l ready /tmp/h/*.out 2>/dev/null | wc -l)" -ge "$1" ]
}
stop_holders() {
	# shellcheck disable=SC2086
	[ -z "$HOLDERS" ] || kill $HOLDERS 2>/dev/null
	for p in $HOLDERS; do
		wait "$p" 2>/dev/null
	done
	HOLDERS=
}

# namespaces alive (the guest boots with slab_nomerge: the cache is
# struct net's own; objects in use, an upper bound)
netns_objs() {
	awk '$1 == "net_namespace" { n = $2 } END { print n + 0 }' /proc/slabinfo
}
# all_gone N: the trace (on since the holders were killed) has N
# __put_net and a cleanup_net that started after the last one returned
all_gone() {
	awk -v n="$1" '/ put: / { p++; a = 0; g = 0 } / clean: / { a = 1 } / gone: / && a { g = 1 }
	END { exit !(p >= n && g) }' $T/trace
}
for N in $NS_LIST; do
	twmon_loaded || load_twmon
	start_holders "$N"
	emit sample netns-holders $N loaded "$(grep -l ready /tmp/h/*.out | wc -l)"
	emit sample netns-alive $N loaded "$(netns_objs)"
	VARIANT=loaded
	measure
	unload_twmon
	VARIANT=bare
	measure
	# their namespaces go now: wait for the cleanup before the next N
	echo >$T/trace
	echo 1 >$T/tracing_on
	stop_holders
	# subscribers that lost messages (ENOBUFS) or saw a gap
	emit sample netns-sub-errors $N loaded "$(cat /tmp/h/*.err | wc -l)"
	wait_for 900 all_gone "$N" ||
		fail "$N namespaces not freed in 900 s: $(grep -c ' put: ' $T/trace) __put_net"
	echo 0 >$T/tracing_on
done
cleanup_trace

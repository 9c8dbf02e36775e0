#!/bin/sh
# Overflow per cgroup (cgroups=1). A service fills tcp_max_tw_buckets past
# 3/4, which places the overflow probe; a container's closes then overflow:
# its row counts every one (nstat TcpExtTCPTimeWaitOverflow), the
# service's none. Overflows while the probe is not placed (a module loaded
# into a full namespace, nobody listening) are cgroup 0's, so the rows
# add up to nstat at every read; a tw-stat cgroups that finds the
# namespace near full places the probe. A cgroup whose closes all
# overflowed keeps its row, with no socket live, past the table's reap.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

need_cgroup2
SVC=of-api.service
BOX=of-box
for c in $SVC $BOX; do
	rmdir $CG/$c 2>/dev/null
	mkdir -p $CG/$c
done
cg_id() { stat -c %i "$CG/$1"; }
cgf() { jq -r --argjson id "$1" "[.[] | select(.cgroup_id == \$id and (.other | not))][0].$2 // 0" /tmp/cg.json; }
cgroups_json() { still_read /tmp/cg.json tw-stat -j cgroups; }
overflow() { echo $(( $(nstat_abs TcpExtTCPTimeWaitOverflow) - o0 )); }
# serve CGROUP PORT COUNT: a server in CGROUP closes COUNT connections first
serve() {
	start_server_in "$CG/$1" --port "$2" --close server
	client --connect 127.0.0.1:"$2" --count "$3" --concurrency 4 --close server >/dev/null
	stop_server
	settle
}
# placed: wait for the module's line saying the overflow probe is placed
placed() {
	_i=0
	until dmesg | tail -n +$((_klog_mark + 1)) | grep -q 'overflows are now attributed'; do
		_i=$((_i + 1))
		[ $_i -lt 50 ] || fail "$1: the overflow probe was not placed"
		sleep 0.1
	done
}

LIMIT=300
sysctl -qw net.ipv4.tcp_max_tw_buckets=$LIMIT
kernel_log_mark
load_twmon cgroups=1
svc=$(cg_id $SVC)
box=$(cg_id $BOX)
o0=$(nstat_abs TcpExtTCPTimeWaitOverflow)

# The service: 250 TIME_WAIT sockets, past 3/4 of 300, none overflows
serve $SVC 8090 250
assert_eq "the service's closes did not overflow" 0 "$(overflow)"
placed "past 3/4 of tcp_max_tw_buckets"
# The container: 50 fit, the rest overflow. The events name the cgroup
# behind them: overflow-begin the container, buckets-high (at 80%) the
# service, which holds the most
tw-stat -j events >/tmp/ev.json 2>/tmp/ev.err &
EV=$!
sleep 1.5
serve $BOX 8091 200
sleep 2.5	# an interval past the flood
kill $EV
wait $EV 2>/dev/null
of=$(overflow)
ev() { jq -s "[.[] | select(.type == \"$1\")][0].cgroup_id" /tmp/ev.json; }
assert_eq "overflow-begin names the container" "$box" "$(ev overflow-begin)"
assert_eq "buckets-high names the service" "$svc" "$(ev buckets-high)"
assert_eq "overflow-begin's cgroup path" "/$BOX" \
	"$(jq -rs '[.[] | select(.type == "overflow-begin")][0].cgroup' /tmp/ev.json)"
[ "$of" -gt 0 ] || fail "the container's closes did not overflow"
cgroups_json
tw-stat cgroups
assert_eq "container overflow vs nstat TcpExtTCPTimeWaitOverflow" "$of" "$(cgf "$box" overflow)"
assert_eq "container entered + overflow vs its connections" 200 $(( $(cgf "$box" entered) + of ))
assert_eq "service overflow" 0 "$(cgf "$svc" overflow)"
assert_eq "unknown overflow" 0 "$(cgf 0 overflow)"
assert_eq "namespace overflow" "$of" "$(tws .overflow)"
assert_eq "cgroups add up to sockstat" "$STILL_TW" "$(jq '[.[].live] | add' /tmp/cg.json)"
check_invariant
# a slow kernel's first sockets may have expired by now: fill up again
free=$((LIMIT - $(sockstat_tw_now)))
[ "$free" -le 0 ] || serve $SVC 8094 "$free"
unload_twmon

# Loaded into the full namespace, nobody listening, no birth: the
# probe is not placed, the container's overflows are cgroup 0's. (A
# close finds room only if an older socket expired meanwhile, on a slow
# kernel: then it enters TIME_WAIT, in the container's row.)
kernel_log_mark
load_twmon cgroups=1
o0=$(nstat_abs TcpExtTCPTimeWaitOverflow)
serve $BOX 8092 40
of=$(overflow)
cgroups_json
assert_eq "container closes overflowed or entered (namespace full)" 40 $((of + $(cgf "$box" entered)))
# (a slow kernel's older sockets may all expire during the closes)
[ "$of" -gt 0 ] || [ "${TWMON_SLOW:-1}" -gt 1 ] ||
	fail "the container's closes did not overflow in a full namespace"
# A close that found room is a birth in a near-full namespace, which
# places the probe itself: the overflows after it are the container's.
if [ "$(cgf "$box" entered)" -eq 0 ]; then
	assert_eq "before the probe: cgroup 0's overflow" "$of" "$(cgf 0 overflow)"
else
	assert_eq "before and after a birth placed the probe: cgroup 0's and the container's overflow" \
		"$of" $(( $(cgf 0 overflow) + $(cgf "$box" overflow) ))
fi
assert_eq "before the probe: rows add up to nstat" "$of" "$(jq '[.[].overflow] | add' /tmp/cg.json)"
# that tw-stat cgroups found the namespace near full: the probe follows
placed "tw-stat cgroups in a full namespace"
of_before=$of
entered_before=$(cgf "$box" entered)
box_of_before=$(cgf "$box" overflow)
serve $BOX 8093 30
of=$(overflow)
cgroups_json
tw-stat cgroups
box_of_total=$(cgf "$box" overflow)
box_of=$((box_of_total - box_of_before))
assert_eq "container closes overflowed or entered" 30 $((of - of_before + $(cgf "$box" entered) - entered_before))
assert_eq "after the probe: the container's overflow vs nstat" $((of - of_before)) "$box_of"
[ "$box_of" -gt 0 ] || [ "${TWMON_SLOW:-1}" -gt 1 ] ||
	fail "the container's closes did not overflow after the probe"
assert_eq "rows add up to nstat" "$of" "$(jq '[.[].overflow] | add' /tmp/cg.json)"
[ "$(cgf "$box" live)" -le "$(cgf "$box" entered)" ] ||
	fail "the container has $(cgf "$box" live) live sockets, more than the $(cgf "$box" entered) that entered"
# the table's reap (16 s) keeps a row with recent events
sleep 20
cgroups_json
assert_eq "the container's row is kept past the reap" "$box_of_total" "$(cgf "$box" overflow)"
check_invariant
unload_twmon
rmdir $CG/$SVC $CG/$BOX
kernel_log_clean

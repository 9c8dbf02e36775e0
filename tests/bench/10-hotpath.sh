#!/bin/sh
# timeout: 3000
# Benchmark 1, hot-path overhead: the rate of short loopback connections
# (connect, 8-byte request, 8-byte reply, close) with the module not
# loaded ("bare"), loaded ("loaded"), and loaded with a subscriber to the
# stats and events groups ("subscribed": twmond, or tw-sub without it),
# and loaded with per-cgroup attribution ("cgroups": cgroups=1), for
# client-side and server-side closes. Variants alternate within each
# round (order reversed every other round); the host takes per-round
# ratios to bare.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
# the first measurement after boot runs ~40% slow (a fresh guest): not a sample
set_variant bare
rate client >/dev/null
drain_tw

r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	drain_tw
	for close in client server; do
		order="bare loaded subscribed cgroups"
		[ $((r % 2)) = 0 ] && order="cgroups subscribed loaded bare"
		for v in $order; do
			set_variant_warm "$v" "$close"
			[ "$v" = subscribed ] && t0=$(sub_ticks)
			x=$(rate "$close")
			emit sample hot-$close $r $v "$x"
			if [ "$v" = subscribed ]; then
				# its share of the one CPU, in percent of the window
				emit sample hot-subcpu $r $close $((($(sub_ticks) - t0) * 1000 / BENCH_MS))
				emit meta subscriber $SUB_KIND
			fi
		done
	done
	r=$((r + 1))
done
set_variant bare

#!/bin/sh
# timeout: 3000
# Benchmark 1b, the cost at death: bench 1's windows end long before the
# sockets born in them expire (60 s later, after the module has gone), so
# what each socket costs when its timer fires is measured here. Per
# variant (bare, loaded, cgroups=1), BENCH_EXPIRY_N client-closed
# connections, then, from just before their timers fire until after the
# last has (the timer wheel fires a 60 s timer up to about 2 s late), a
# user-space spinner notes every gap in its own clock: the time the CPU
# spent elsewhere, the expiry batch first of all (tw-time --stolen). The
# host takes per round (stolen - bare's stolen) / N: instructions per
# expiring socket under -icount.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
N=${BENCH_EXPIRY_N:-5000}

# uptime in ms (10 ms resolution)
up_ms() { awk '{ printf "%.0f\n", $1 * 1000 }' /proc/uptime; }

r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	order="bare loaded cgroups"
	[ $((r % 2)) = 0 ] && order="cgroups loaded bare"
	for v in $order; do
		drain_tw
		set_variant "$v"
		t0=$(up_ms)
		flood client "$N"
		t1=$(up_ms)
		tw=$(sockstat_tw_now)
		[ "$tw" -ge "$N" ] || fail "$v: only $tw of $N in TIME_WAIT after the flood"
		# from 0.5 s before the first timer to 3 s after the last
		wait_ms=$((t0 + 59500 - $(up_ms)))
		[ $wait_ms -gt 0 ] || fail "$v: the flood took $((t1 - t0)) ms, too long to time its expiry"
		sleep "$(awk -v ms=$wait_ms 'BEGIN { printf "%.3f", ms / 1000 }')"
		out=$(tw-time --stolen $((t1 - t0 + 3500))) || fail "tw-time --stolen: $out"
		left=$(sockstat_tw_now)
		[ "$left" = 0 ] || fail "$v: $left of $tw still in TIME_WAIT after the window"
		emit sample expiry-stolen $r $v "$(echo "$out" | cut -d' ' -f2)"
		emit sample expiry-count $r $v "$tw"
	done
	r=$((r + 1))
done
set_variant bare

#!/bin/sh
# timeout: 3000
# Benchmark 2, scaling of the hot path: bench 1's loaded/bare ratio again,
# with 10,000 outgoing pools and 10,000 services in the tables of this
# namespace (refilled before they expire). The host compares the ratio
# with bench 1's (1 destination).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
load_twmon
prefill_10k

r=1
while [ $r -le "$BENCH_ROUNDS" ]; do
	# each round from no TIME_WAIT but a fresh prefill (see drain_tw)
	if [ $r -gt 1 ]; then
		drain_tw
		prefill_10k
	fi
	for close in client server; do
		order="bare loaded"
		[ $((r % 2)) = 0 ] && order="loaded bare"
		for v in $order; do
			set_variant_warm "$v" "$close"
			if [ "$v" = loaded ]; then
				d=$(twj .dests) s=$(twj .services)
				[ "$d" -ge 10000 ] && [ "$s" -ge 10000 ] ||
					fail "only $d dests and $s services in the tables"
				emit sample scale-entries $r $close-$v $((d + s))
			fi
			x=$(rate "$close")
			emit sample scale-$close $r $v "$x"
		done
	done
	r=$((r + 1))
done

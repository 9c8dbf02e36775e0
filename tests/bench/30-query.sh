#!/bin/sh
# timeout: 3000
# Benchmark 3, query cost: tw-stat (summary), tw-stat dests and tw-stat
# services against ss -tanH state time-wait with the aggregation an
# operator would write (count; by local address and peer; by local
# address:port outside the port range), at 5k, 10k, 20k and 40k live
# TIME_WAIT sockets spread over 50 pools and 50 services. Each is the
# median of a few runs (fork and exec included, as an operator runs them);
# tw-stat and ss alternate within each round. "ss-raw" is ss alone, with
# no aggregation: the floor of the ss approach. Also benchmark 5's first
# half: the module's memory at 40k sockets is in 50-memory.sh.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
load_twmon
# ss is slow under TCG and the sockets live 60 s: at most 3 rounds here
QR=$BENCH_ROUNDS
[ "$QR" -gt 3 ] && QR=3
K_TW=${BENCH_K_TW:-3}
K_SS=${BENCH_K_SS:-1}
SS='ss -tanH state time-wait'
LO=1024 HI=65535
AGG_SUM="$SS | wc -l"
AGG_DESTS="$SS | awk -v lo=$LO -v hi=$HI '{ a = \$3; p = a; sub(/.*:/, \"\", p); sub(/:[^:]*\$/, \"\", a);
	if (p + 0 >= lo && p + 0 <= hi) c[a \" \" \$4]++ } END { for (k in c) print c[k], k }' | sort -rn | head -n 20"
AGG_SERVICES="$SS | awk -v lo=$LO -v hi=$HI '{ p = \$3; sub(/.*:/, \"\", p);
	if (p + 0 < lo || p + 0 > hi) c[\$3]++ } END { for (k in c) print c[k], k }' | sort -rn | head -n 20"

# The two ways agree: as many sockets in pools and in services (checked
# once per level, before the timing)
check_same() {
	a=$(tw-stat -j dests | jq '[.. | objects | select(has("count")) | .count] | add // 0')
	b=$(sh -c "${AGG_DESTS%% | sort*}" | awk '{ s += $1 } END { print s + 0 }')
	assert_eq "sockets in pools at $L: ss+awk vs tw-stat dests" "$b" "$a"
	a=$(tw-stat -j services | jq '[.. | objects | select(has("count")) | .count] | add // 0')
	b=$(sh -c "${AGG_SERVICES%% | sort*}" | awk '{ s += $1 } END { print s + 0 }')
	assert_eq "sockets in services at $L: ss+awk vs tw-stat services" "$b" "$a"
	[ "$a" -gt 0 ] || fail "no services at $L"
}

median() {
	_m=$(tw-time "$@") || return 1
	echo "$_m" | cut -d' ' -f2
}

live=0
for L in 5000 10000 20000 40000; do
	add=$(((L - $(sockstat_tw_now)) / 2))
	if [ "$add" -gt 0 ]; then
		flood client "$add" --src-range 127.20.0.1-127.20.0.50 --bind-no-port
		flood server "$add" --dst-range 127.21.0.1-127.21.0.50
	fi
	settle
	emit sample query-live $L start "$(sockstat_tw_now)"
	emit sample query-entries $L start "$(twj '.dests + .services')"
	check_same
	r=1
	while [ $r -le "$QR" ]; do
		for q in sum dests services; do
			case $q in
			sum) tw=tw-stat agg=$AGG_SUM ;;
			dests) tw="tw-stat dests" agg=$AGG_DESTS ;;
			services) tw="tw-stat services" agg=$AGG_SERVICES ;;
			esac
			if [ $((r % 2)) = 1 ]; then
				a=$(median "$K_TW" sh -c "$tw") || fail "$tw failed"
				b=$(median "$K_SS" sh -c "$agg") || fail "$agg failed"
			else
				b=$(median "$K_SS" sh -c "$agg") || fail "$agg failed"
				a=$(median "$K_TW" sh -c "$tw") || fail "$tw failed"
			fi
			emit sample query-$L-$q $r twstat "$a"
			emit sample query-$L-$q $r ss "$b"
		done
		c=$(median "$K_SS" sh -c "$SS") || fail "ss failed"
		emit sample query-$L-ssraw $r ss "$c"
		r=$((r + 1))
	done
	emit sample query-live $L end "$(sockstat_tw_now)"
done

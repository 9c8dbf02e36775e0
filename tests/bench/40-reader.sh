#!/bin/sh
# timeout: 3000
# Benchmark 4, the cost of a busy reader: the short-connection rate while
# a polling loop (a stand-in for an exporter: one query, then a pause of
# BENCH_POLL_MS) runs `tw-stat dests`, or the ss aggregation by
# destination, or while nothing runs. The module is loaded throughout and
# 10,000 TIME_WAIT sockets on 100 pools are there to read, plus what the
# load leaves behind (reported as reader-live).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
load_twmon
POLL=${BENCH_POLL_MS:-250}
P=$(awk -v ms="$POLL" 'BEGIN { printf "%.3f", ms / 1000 }')
AGG="ss -tanH state time-wait | awk '{ a = \$3; sub(/:[^:]*\$/, \"\", a); c[a \" \" \$4]++ }
	END { for (k in c) print c[k], k }' | sort -rn | head -n 20"

READER=
start_reader() {
	case $1 in
	none) return 0 ;;
	twstat) q="tw-stat dests" ;;
	ss) q=$AGG ;;
	esac
	: >/tmp/reads
	# a process group of its own: stopping it stops the query in flight
	setsid sh -c "while :; do $q >/dev/null 2>&1 || exit 1; echo >>/tmp/reads; sleep $P; done" &
	READER=$!
}
stop_reader() {
	[ -n "$READER" ] || return 0
	kill -TERM -- -"$READER" 2>/dev/null
	wait "$READER" 2>/dev/null
	wait_for 30 _reader_gone || fail "the reader's processes do not go away"
	READER=
}
_reader_gone() {
	! kill -0 -- -"$READER" 2>/dev/null
}

flood client 10000 --dst-range 127.40.0.1-127.40.0.100
emit sample reader-poll-ms 1 all "$POLL"
n=$BENCH_ROUNDS
[ "$n" -gt 3 ] && n=3
r=1
while [ $r -le "$n" ]; do
	for close in client server; do
		order="none twstat ss"
		[ $((r % 2)) = 0 ] && order="ss twstat none"
		for v in $order; do
			emit sample reader-live $r $close-$v "$(sockstat_tw_now)"
			start_reader "$v"
			x=$(rate "$close")
			stop_reader
			emit sample reader-$close $r $v "$x"
			[ "$v" = none ] || emit sample reader-queries $r $close-$v "$(wc -l </tmp/reads)"
		done
	done
	r=$((r + 1))
done

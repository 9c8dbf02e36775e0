#!/bin/sh
# timeout: 300
# live never wraps (issue 10, defect 5). A nearly empty namespace with
# churn: SYN reuse, a TIME_WAIT socket born and killed every few ms, both
# ends pinned to one CPU while GET_STATS is sampled from the other
# (tw-fuzz stats), then the other way round, twice each. The per-CPU sum is read
# without a lock: births and deaths that land between its reads of one
# CPU's "entered" and "ended" counters make live -1, i.e. 2^64-1. Then
# FIN_WAIT2 mini sockets (tcp_fin_timeout 1) whose peer's FIN arrives
# around their timer's expiry (tw-fuzz hold --close-after-ms), the race
# that can leave live_finwait2 at -1. Every sample of live, live_timewait
# and live_finwait2 must stay within tcp_max_tw_buckets, no buckets-high
# event may fire (sockstat never came near the mark) and, once quiet,
# live_finwait2 equals sockstat's tw minus ss's time-wait and live equals
# sockstat. STRESS_SAMPLES (default 5000) GET_STATS per phase. On the
# module of issue 10, with 2 phases of 3000 - 6000 samples, live wrapped
# in the sampling in 6 of 8 runs (it takes a vCPU switch inside the
# sampler's read of one CPU's counters), live_finwait2 ended negative in
# 2 of the 3 runs that got that far, and the test failed in 7 of 8: it
# can miss these races, it cannot report them falsely.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

S=$(stress_n SAMPLES 5000)
MAXTW=4096
sysctl -qw net.ipv4.tcp_max_tw_buckets=$MAXTW
sysctl -qw net.ipv4.tcp_fin_timeout=1
kernel_log_mark
load_twmon
tw-stat events -j >/tmp/ev.jsonl 2>/tmp/ev.err &
SUB=$!
# check_samples FILE: "samples N max_live M max_tw M max_fw2 M ..."
# (awk: the shell's arithmetic cannot hold 2^64 - 1)
check_samples() {
	awk -v m=$MAXTW '$1 == "samples" && ($4 > m || $6 > m || $8 > m) { bad = 1 } END { exit bad }' "$1" ||
		fail "a GET_STATS figure above tcp_max_tw_buckets ($MAXTW): $(cat "$1")"
}
# phase CHURN_CPU_MASK SAMPLER_CPU_MASK PORT
phase() {
	taskset "$1" tw-load server --port "$3" --close server --duration-ms 600000 >/dev/null 2>&1 &
	_srv=$!
	sleep 0.5
	taskset "$1" sh -c "while :; do tw-load syn-reuse --connect 127.0.0.1:$3 \
		--bind 127.0.0.2:$(($3 + 30000)) --count 500 --gap-ms 0 >>/tmp/syn.json 2>/dev/null; done" &
	_churn=$!
	sleep 0.5
	_t0=$(ms_now)
	taskset "$2" tw-fuzz stats --loop "$S" >/tmp/phase$1.out || fail "tw-fuzz stats: $(cat /tmp/phase$1.out)"
	echo "churn on CPU mask $1, sampler on $2: $(cat /tmp/phase$1.out) ($(($(ms_now) - _t0)) ms)"
	i=0
	while [ $i -lt 10 ]; do
		tw-stat -j | jq -r '"\(.live) \(.live_timewait) \(.live_finwait2)"' >>/tmp/tws.out
		i=$((i + 1))
	done
	kill $_churn
	wait $_churn 2>/dev/null
	kill $(pidof tw-load) 2>/dev/null
	wait $_srv 2>/dev/null
	check_samples /tmp/phase$1.out
}
phase 2 1 9700
phase 1 2 9701
phase 2 1 9702
phase 1 2 9703
syn=$(tw-stat -j | jq '.ended.syn')
echo "TIME_WAIT sockets ended by a SYN: $syn"
[ "$syn" -gt 100 ] || fail "the SYN-reuse churn did not run: ended.syn $syn"

# FIN_WAIT2 mini sockets (1 s) racing their peer's FIN (0.9 - 1.1 s)
tw-fuzz hold --port 9710 --count 600 --idle-ms 3000 --close-after-ms 900 --spread-ms 200 \
	>/tmp/hold.out 2>/tmp/hold.err &
HOLD=$!
wait_for 10 grep -q ready /tmp/hold.err || fail "tw-fuzz hold did not start"
taskset 2 tw-load client --connect 127.0.0.1:9710 --count 600 --concurrency 4 --close client \
	>/dev/null 2>&1 &
CL=$!
taskset 1 tw-fuzz stats --loop "$S" >/tmp/phase-fw2.out || fail "tw-fuzz stats: $(cat /tmp/phase-fw2.out)"
echo "FIN_WAIT2 race, sampler on CPU 0: $(cat /tmp/phase-fw2.out)"
check_samples /tmp/phase-fw2.out
wait $HOLD $CL
awk -v m=$MAXTW '$1 > m || $2 > m || $3 > m { print; bad = 1 } END { exit bad }' /tmp/tws.out ||
	fail "tw-stat -j figures above $MAXTW: $(awk -v m=$MAXTW '$1 > m || $2 > m || $3 > m' /tmp/tws.out | head -n 3)"
sleep 2
kill $SUB
wait $SUB 2>/dev/null
n=$(grep -c '"type":"buckets-high"' /tmp/ev.jsonl)
assert_eq "buckets-high events (sockstat never reached 80% of $MAXTW)" 0 "$n"
settle
tw-stat -j >/tmp/end.json
echo "end: live $(jq .live /tmp/end.json) tw $(jq .live_timewait /tmp/end.json) fw2 $(jq .live_finwait2 /tmp/end.json); sockstat $(sockstat_tw_now), ss time-wait $(ss_tw_count)"
assert_missed "live_finwait2 vs sockstat - ss" "$(($(sockstat_tw_now) - $(ss_tw_count)))" "$(jq .live_finwait2 /tmp/end.json)"
check_invariant
unload_twmon
kernel_log_clean

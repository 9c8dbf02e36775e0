#!/bin/sh
# timeout: 150
# live never wraps (issue 10, defect 5). A nearly empty namespace with
# churn on both CPUs: SYN reuse (a TIME_WAIT socket born and killed every
# few ms, pinned to CPU 0) and client-side closes whose FIN_WAIT2 mini
# sockets turn into TIME_WAIT (pinned to CPU 1). Meanwhile GET_STATS is
# sampled thousands of times (tw-fuzz stats, one process, both CPUs in
# turn) and by tw-stat -j: live, live_timewait and live_finwait2 must
# never exceed what can exist (tcp_max_tw_buckets; 2^64-1 is -1 wrapped),
# no buckets-high event may fire (sockstat never came near the mark), and
# once quiet live_finwait2 equals sockstat's tw minus ss's time-wait.
# STRESS_SAMPLES (default 4000) GET_STATS per sampler.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

S=$(stress_n SAMPLES 4000)
MAXTW=4096
sysctl -qw net.ipv4.tcp_max_tw_buckets=$MAXTW
sysctl -qw net.ipv4.tcp_fin_timeout=1
kernel_log_mark
load_twmon
tw-stat events -j >/tmp/ev.jsonl 2>/tmp/ev.err &
SUB=$!
tw-load server --port 9700 --close server --duration-ms 600000 >/dev/null 2>&1 &
tw-load server --port 9701 --close client --duration-ms 600000 >/dev/null 2>&1 &
sleep 1
taskset 1 sh -c 'while :; do tw-load syn-reuse --connect 127.0.0.1:9700 --bind 127.0.0.2:41000 \
	--count 300 --gap-ms 0 >/dev/null 2>&1; done' &
CH1=$!
taskset 2 sh -c 'while :; do tw-load client --connect 127.0.0.1:9701 --close client \
	--count 100 --concurrency 2 >/dev/null 2>&1; sleep 1; done' &
CH2=$!
sleep 1
bad=0
for cpu in 1 2 3; do
	taskset $cpu tw-fuzz stats --loop "$S" >/tmp/s$cpu.out || fail "tw-fuzz stats: $(cat /tmp/s$cpu.out)"
	echo "sampler on CPU mask $cpu: $(cat /tmp/s$cpu.out)"
done
i=0
while [ $i -lt 100 ]; do
	tw-stat -j | jq -r '"\(.live) \(.live_timewait) \(.live_finwait2)"' >>/tmp/tws.out
	i=$((i + 1))
done
kill $CH1 $CH2
kill $(pidof tw-load) 2>/dev/null
wait $CH1 $CH2 2>/dev/null
sleep 2
kill $SUB
wait $SUB 2>/dev/null
for f in /tmp/s1.out /tmp/s2.out /tmp/s3.out; do
	set -- $(cat $f)
	# samples N max_live M max_tw M max_fw2 M ...
	[ "$4" -le $MAXTW ] && [ "$6" -le $MAXTW ] && [ "$8" -le $MAXTW ] ||
		fail "GET_STATS figure above tcp_max_tw_buckets ($MAXTW): $(cat $f)"
done
awk -v m=$MAXTW '$1 > m || $2 > m || $3 > m { print; bad = 1 } END { exit bad }' /tmp/tws.out ||
	fail "tw-stat -j figures above $MAXTW: $(awk -v m=$MAXTW '$1 > m || $2 > m || $3 > m' /tmp/tws.out | head -n 3)"
n=$(grep -c '"type":"buckets-high"' /tmp/ev.jsonl)
assert_eq "buckets-high events (sockstat never reached 80% of $MAXTW)" 0 "$n"
# quiet: FIN_WAIT2 mini sockets have expired (1 s); none may be left
sleep 2
settle
fw2_oracle=$(($(sockstat_tw_now) - $(ss_tw_count)))
tw-stat -j >/tmp/end.json
echo "end: live $(jq .live /tmp/end.json) tw $(jq .live_timewait /tmp/end.json) fw2 $(jq .live_finwait2 /tmp/end.json); sockstat $(sockstat_tw_now), ss time-wait $(ss_tw_count)"
assert_eq "live_finwait2 vs sockstat - ss" "$fw2_oracle" "$(jq .live_finwait2 /tmp/end.json)"
check_invariant
unload_twmon
kernel_log_clean

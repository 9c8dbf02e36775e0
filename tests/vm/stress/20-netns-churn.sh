#!/bin/sh
# timeout: 240
# Network namespace create/destroy cycles while a flood runs (issue 10:
# 500 cycles; STRESS_NETNS, default 100 under TCG, where one cycle takes
# 200-600 ms): most are bare (unshare -n true), every 5th holds TIME_WAIT
# sockets when it dies (the purge path) and a subscriber of both groups
# (tw-stat events --stats), every 10th is a named one (ip netns add/del).
# No warning; the namespaces twmon lists (--all-netns) fall back to those
# alive; the flood's namespace still balances against sockstat (read
# before and after tw-stat: its sockets expire meanwhile).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

N=$(stress_n NETNS 100)
kernel_log_mark
load_twmon
base=$(tw-stat -j --all-netns | jq length)
start_server --port 9200 --close server --duration-ms 600000
sh -c 'while :; do tw-load client --connect 127.0.0.1:9200 --close server \
	--count 500 --concurrency 2 --rate 200 >/dev/null 2>&1; done' &
FLOOD=$!
tw-stat events -j --stats >/tmp/ev.jsonl 2>/tmp/ev.err &
SUB=$!

t0=$(ms_now)
i=0
while [ $i -lt "$N" ]; do
	case $((i % 10)) in
	0 | 5)
		unshare -n sh -c 'ip() { /usr/sbin/ip "$@"; }; ip link set lo up
			tw-stat events -j --stats >/dev/null 2>&1 &
			tw-load server --port 7000 --close server --count 20 >/dev/null 2>&1 &
			sleep 0.2
			tw-load client --connect 127.0.0.1:7000 --close server --count 20 \
				--concurrency 2 >/dev/null 2>&1
			kill $! 2>/dev/null; kill %1 2>/dev/null; wait' ;;
	3)
		ip netns add churn$i && ip netns exec churn$i true && ip netns del churn$i ||
			fail "ip netns add/del churn$i" ;;
	*)
		unshare -n true || fail "unshare -n" ;;
	esac
	i=$((i + 1))
done
t1=$(ms_now)
echo "$N namespaces created and destroyed in $((t1 - t0)) ms ($(((t1 - t0) / N)) ms each)"
kill $FLOOD
kill $(pidof tw-load) 2>/dev/null
wait $FLOOD 2>/dev/null
stop_server
# Namespace teardown is asynchronous (cleanup_net): wait for it
gone() { [ "$(tw-stat -j --all-netns | jq length)" -le "$base" ]; }
wait_for 60 gone || fail "twmon still lists $(tw-stat -j --all-netns | jq length) namespaces, $base before the churn"
kill $SUB
wait $SUB
assert_eq "subscriber exit status" 0 $?
kernel_log_clean
settle
# the flood ran for over a minute: its sockets expire while we read
live_bracketed
tw-stat -j >/tmp/stats.json
assert_missed "seeded+entered vs live+ended" "$(jq '.seeded + .entered' /tmp/stats.json)" \
	"$(jq '.live + ([.ended[] | numbers] | add)' /tmp/stats.json)"
unload_twmon
kernel_log_clean

#!/bin/sh
# timeout: 120
# A subscriber not written in C (pyroute2) decodes the stats and events
# groups: snapshots whose live equals sockstat, sequence numbers without
# gaps, and an overflow that begins and ends with the flood.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
command -v python3 >/dev/null || skip "no python3 in this image"

sysctl -qw net.ipv4.tcp_max_tw_buckets=200
load_twmon
python3 /twmon/tests/vm/mcast/subscribe.py 12 >/tmp/sub.jsonl 2>/tmp/sub.err &
SUB=$!
i=0
until grep -q ready /tmp/sub.jsonl 2>/dev/null; do
	i=$((i + 1)); [ $i -gt 100 ] && fail "subscriber did not start: $(cat /tmp/sub.err)"
	sleep 0.2
done
sleep 1.5
start_server --port 8100 --close server
client --connect 127.0.0.1:8100 --count 600 --concurrency 4 --close server >/dev/null
stop_server
settle
wait $SUB || fail "subscriber failed: $(cat /tmp/sub.err)"
o=$(nstat_abs TcpExtTCPTimeWaitOverflow)
[ "$o" -gt 0 ] || fail "the flood did not overflow"

ino=$(stat -L -c %i /proc/self/ns/net)
jq -c "select(.netns_inum == $ino)" /tmp/sub.jsonl >/tmp/mine.jsonl
n=$(jq -s '[.[] | select(.kind == "stats")] | length' /tmp/mine.jsonl)
[ "$n" -ge 5 ] || fail "only $n stats snapshots in 12 s at 1 per second"
# sequence numbers per group: 1, 2, 3, ... with no gap
for k in stats events; do
	gaps=$(jq -s "[.[] | select(.kind == \"$k\") | .seq] | . as \$s | [range(1; length) | select(\$s[.] != \$s[. - 1] + 1)] | length" /tmp/mine.jsonl)
	assert_eq "$k sequence gaps" 0 "$gaps"
done
last=$(jq -s '[.[] | select(.kind == "stats")] | last' /tmp/mine.jsonl)
assert_eq "last snapshot live vs sockstat" "$(sockstat_tw_now)" "$(echo "$last" | jq .live)"
assert_eq "last snapshot overflow vs nstat" "$o" "$(echo "$last" | jq .overflow)"
assert_eq "last snapshot: ages sum to live" "$(echo "$last" | jq .live)" "$(echo "$last" | jq '.ages | add')"
types=$(jq -r 'select(.kind == "events") | .events[].type' /tmp/mine.jsonl | tr '\n' ' ')
case "$types" in
*overflow_begin*overflow_end*) ;;
*) fail "events were: $types (want overflow_begin then overflow_end)" ;;
esac
case "$types" in
*buckets_high*) ;;
*) fail "no buckets_high event at live == tcp_max_tw_buckets: $types" ;;
esac
unload_twmon

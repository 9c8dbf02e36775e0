#!/bin/sh
# A dump that spans several messages while the table changes (issue 10,
# defect 12): a reader stops after its first 4 KiB of a GET_DESTS dump of
# 400 pools; meanwhile 900 new pools make the table grow (rhashtable
# resize). The rest of the dump must carry NLM_F_DUMP_INTR (the walk
# started over: entries may repeat), and tw-stat, which retries such a
# dump, lists every pool once, as many as ss sees.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

sysctl -qw net.ipv4.tcp_max_tw_buckets=10000
load_twmon
start_server --addr 0.0.0.0 --port 9700 --close client
client --connect 127.2.0.1:9700 --dst-range 127.2.0.1-127.2.1.144 --count 400 \
	--concurrency 8 --close client >/dev/null
settle
pools() { ss -tanH state time-wait | awk '{ print $3, $4 }' | sed 's/:[0-9]* / /' | sort -u | wc -l; }
assert_missed "pools before (tw-stat vs ss)" "$(pools)" "$(tws length dests --top all)"

rm -f /tmp/ready /tmp/go
/twmon/tests/tw-nlcheck paused-dump /tmp/ready /tmp/go >/tmp/pd.out &
PD=$!
wait_for 10 test -e /tmp/ready || fail "paused dump did not start"
client --connect 127.3.0.1:9700 --dst-range 127.3.0.1-127.3.3.132 --count 900 \
	--concurrency 8 --close client >/dev/null
settle
touch /tmp/go
wait $PD || fail "paused dump failed: $(cat /tmp/pd.out)"
echo "paused dump: $(cat /tmp/pd.out)"
intr=$(awk '{ print $6 }' /tmp/pd.out)
[ "${intr:-0}" -gt 0 ] || fail "the table resized during the dump and no message had NLM_F_DUMP_INTR"

# ss and tw-stat read while sockstat stands still (on a slow kernel the
# first flood's sockets are expiring by now)
ss_and_dests() { pools >/tmp/ss_pools && tw-stat -j dests --top all; }
still_read /tmp/dests.json ss_and_dests
assert_missed "pools after (tw-stat vs ss)" "$(cat /tmp/ss_pools)" "$(jq length /tmp/dests.json)"
assert_eq "pools listed twice" 0 \
	"$(jq '[group_by(.local, .remote, .rport)[] | select(length > 1)] | length' /tmp/dests.json)"
stop_server
check_invariant
unload_twmon

#!/bin/sh
# timeout: 180
# twmond killed with SIGKILL mid-flood and started again: every total lives
# in the kernel, so the new twmond's totals equal GET_STATS (tw-stat -j) and
# the load generator's counts; nothing was lost with the old process.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

sysctl -qw net.ipv4.tcp_max_tw_buckets=1000
load_twmon
start_twmond
NS=$(netns_inum)
start_server --port 8093 --close server
tw-load client --connect 127.0.0.1:8093 --count 2500 --concurrency 4 --close server \
	>/tmp/client.json 2>/tmp/client.err &
CLIENT=$!
sleep 1
kill -KILL "$TWMOND_PID"
wait "$TWMOND_PID" 2>/dev/null
kill -0 "$CLIENT" 2>/dev/null || echo "note: the flood ended before the kill"
start_twmond
wait "$CLIENT"
stop_server
settle
sleep 1.5
tw-stat -j >/tmp/stats.json || fail "tw-stat -j failed"
n_scrapes=$(scrapes)
metrics >/tmp/m.txt || fail "no /metrics"
m() {
	awk -v n="$1{netns=\"$NS\"}" '$1 == n { print $2 }' /tmp/m.txt
}
assert_eq "entered: twmond vs GET_STATS" "$(jq .entered /tmp/stats.json)" "$(m twmon_tw_entered_total)"
assert_eq "overflow: twmond vs GET_STATS" "$(jq .overflow /tmp/stats.json)" "$(m twmon_tw_overflow_total)"
assert_eq "live: twmond vs GET_STATS" "$(jq .live /tmp/stats.json)" "$(m twmon_tw_live)"
# every connection closed first by a server: the flood's and twmond's scrapes
assert_eq "entered + overflow vs the load generator's completed + scrapes" \
	$(($(cj .completed) + n_scrapes)) \
	$(($(m twmon_tw_entered_total) + $(m twmon_tw_overflow_total)))
# the overflow alert fired again in the new process: its state is the kernel's too
wait_alert fire tw_overflow 5 || fail "the restarted twmond did not see the overflow"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

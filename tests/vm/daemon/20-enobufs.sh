#!/bin/sh
# timeout: 180
# ENOBUFS on purpose: a 1 KiB receive buffer, stats every 100 ms and twmond
# stopped (SIGSTOP) for 2 s while a flood runs. The kernel drops what does
# not fit; twmond must say so, resync from GET_STATS, and its totals must
# still equal the kernel's (tw-stat -j over another socket) and the load
# generator's own counts.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

sysctl -qw net.ipv4.tcp_max_tw_buckets=1500
load_twmon
start_twmond -o rcvbuf=1024 --stats-interval-ms 100
NS=$(netns_inum)
# SET_CONFIG took: GET_CONFIG (read back at start) says 100 ms
grep -q 'stats every 100 ms, receive buffer [0-9]* bytes' /tmp/twmond.log ||
	fail "the stats interval was not set: $(grep watching /tmp/twmond.log)"
start_server --port 8092 --close server
tw-load client --connect 127.0.0.1:8092 --count 2000 --concurrency 4 --close server \
	>/tmp/client.json 2>/tmp/client.err &
CLIENT=$!
sleep 0.5
kill -STOP "$TWMOND_PID"
sleep 2
kill -CONT "$TWMOND_PID"
wait "$CLIENT"
stop_server
settle
wait_for 10 sh -c "grep -q 'notifications lost (ENOBUFS' /tmp/twmond.log" ||
	fail "twmond did not log the loss: $(tail -n 5 /tmp/twmond.log)"
grep -F 'notifications lost (ENOBUFS' /tmp/twmond.log | head -n 1
[ "$(metric twmond_resyncs_total)" -gt 0 ] || fail "twmond_resyncs_total is 0"
[ "$(metric twmond_enobufs_total)" -gt 0 ] || fail "twmond_enobufs_total is 0"
kill -0 "$TWMOND_PID" || fail "twmond died"

# totals: twmond's /metrics == GET_STATS (tw-stat) == the load generator
sleep 1
tw-stat -j >/tmp/stats.json || fail "tw-stat -j failed"
n_scrapes=$(scrapes)
metrics >/tmp/m.txt || fail "no /metrics"
m() {
	awk -v n="$1{netns=\"$NS\"}" '$1 == n { print $2 }' /tmp/m.txt
}
assert_eq "entered: twmond vs GET_STATS" "$(jq .entered /tmp/stats.json)" "$(m twmon_tw_entered_total)"
assert_eq "overflow: twmond vs GET_STATS" "$(jq .overflow /tmp/stats.json)" "$(m twmon_tw_overflow_total)"
assert_eq "live: twmond vs GET_STATS" "$(jq .live /tmp/stats.json)" "$(m twmon_tw_live)"
assert_eq "eaddrnotavail: twmond vs GET_STATS" "$(jq .connect_eaddrnotavail /tmp/stats.json)" \
	"$(m twmon_connect_eaddrnotavail_total)"
[ "$(m twmon_tw_overflow_total)" -gt 0 ] || fail "the flood did not overflow"
# every connection closed first by a server: the flood's and twmond's scrapes
assert_eq "entered + overflow vs the load generator's completed + scrapes" \
	$(($(cj .completed) + n_scrapes)) \
	$(($(m twmon_tw_entered_total) + $(m twmon_tw_overflow_total)))
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

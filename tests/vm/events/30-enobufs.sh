#!/bin/sh
# timeout: 120
# A subscriber that does not read (SIGSTOP) with a tiny receive buffer
# loses messages: tw-stat events says so ("lost"), resyncs from GET_STATS
# (live equal to sockstat) and goes on.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

# count_ge FILE PATTERN N: at least N lines of FILE match PATTERN (fixed string)
count_ge() {
	[ "$(grep -cF -- "$2" "$1")" -ge "$3" ]
}

load_twmon
start_server --port 8301 --close server
client --connect 127.0.0.1:8301 --count 30 --close server >/dev/null
stop_server
settle
tw-stat events -j --stats --rcvbuf 1024 >/tmp/nb.jsonl 2>/tmp/nb.err &
P=$!
wait_for 20 grep -q '"type":"stats"' /tmp/nb.jsonl || fail "no snapshot: $(cat /tmp/nb.err)"
kill -STOP $P
sleep 4
kill -CONT $P
wait_for 10 grep -q '"type":"resync"' /tmp/nb.jsonl ||
	fail "no resync after 4 s unread: $(cat /tmp/nb.jsonl /tmp/nb.err | tail -n 5)"
n=$(grep -cF '"type":"stats"' /tmp/nb.jsonl)
wait_for 10 count_ge /tmp/nb.jsonl '"type":"stats"' $((n + 1)) || fail "no snapshot after the resync"
kill -TERM $P
wait $P
assert_eq "exit status" 0 $?
lost=$(jq -s -c '[.[] | select(.type == "lost")][0] | [.group, .reason]' /tmp/nb.jsonl)
case "$lost" in
'[null,"receive buffer overflow, ENOBUFS"]' | '["stats","sequence gap"]') ;;
*) fail "lost record: $lost" ;;
esac
assert_eq "resync live vs sockstat" "$(sockstat_tw_now)" "$(jq -s '[.[] | select(.type == "resync")][0].live' /tmp/nb.jsonl)"
assert_eq "resync live vs the 30 connections" 30 "$(jq -s '[.[] | select(.type == "resync")][0].live' /tmp/nb.jsonl)"
unload_twmon

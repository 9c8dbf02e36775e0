#!/bin/sh
# timeout: 300
# rmmod and insmod while a flood runs: no warning, and once quiet the books
# balance against sockstat again.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

start_server --port 8091 --close server
tw-load client --connect 127.0.0.1:8091 --count 3000 --concurrency 8 --close server >/dev/null 2>&1 &
CLIENT=$!
for i in 1 2 3 4 5 6; do
	load_twmon
	sleep 0.5
	tw-stat >/dev/null || fail "tw-stat failed under load"
	unload_twmon
done
load_twmon
wait $CLIENT
stop_server
settle
check_invariant
unload_twmon
dmesg | grep -E 'WARNING|BUG|Call Trace' && fail "kernel log has warnings"
exit 0

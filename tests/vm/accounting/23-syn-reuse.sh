#!/bin/sh
# A SYN on the same 4-tuple opens a new incarnation and ends the server's
# TIME_WAIT: no kernel counter shows it; the load generator's count does.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=50

load_twmon
start_server --port 8085 --close server
tw-load syn-reuse --connect 127.0.0.1:8085 --bind 127.0.0.2:45000 --count $N >/tmp/client.json 2>/tmp/client.err ||
	fail "syn-reuse: $(cat /tmp/client.err)"
stop_server
settle
done_n=$(cj .completed)
[ "$done_n" -ge 2 ] || fail "syn-reuse completed only $done_n connections"
assert_eq "ended.syn vs reconnections" $((done_n - 1)) "$(tws .ended.syn)"
assert_eq "live: the last incarnation" 1 "$(tws .live)"
check_invariant
unload_twmon

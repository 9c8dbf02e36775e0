#!/bin/sh
# ss -K destroys TIME_WAIT sockets through sock_diag: ended.abort counts
# exactly what disappeared.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=200

load_twmon
start_server --port 8087 --close server
client --connect 127.0.0.1:8087 --count $N --concurrency 4 --close server >/dev/null
stop_server
settle
before=$(sockstat_tw_now)
ss -K -tanH state time-wait >/dev/null 2>&1
after=$(sockstat_tw_now)
[ $((before - after)) -gt 0 ] || skip "ss -K destroyed nothing (no sock_diag destroy here)"
assert_eq "ended.abort vs sockets destroyed" $((before - after)) "$(tws .ended.abort)"
check_invariant
unload_twmon

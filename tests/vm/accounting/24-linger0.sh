#!/bin/sh
# SO_LINGER with a zero timeout: RST instead of FIN, no TIME_WAIT.
# linger_abort equals nstat TcpExtTCPAbortOnData.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=300

load_twmon
a0=$(nstat_abs TcpExtTCPAbortOnData)
start_server --port 8086 --close client
client --connect 127.0.0.1:8086 --count $N --concurrency 4 --close client --linger0 >/dev/null
stop_server
settle
a1=$(nstat_abs TcpExtTCPAbortOnData)
assert_eq "aborts seen by nstat" $N $((a1 - a0))
assert_eq "linger_abort vs nstat TcpExtTCPAbortOnData" $((a1 - a0)) "$(tws .linger_abort)"
assert_eq "no TIME_WAIT" 0 "$(tws .live)"
check_invariant
# ordinary closes are not aborts
start_server --port 8086 --close client
client --connect 127.0.0.1:8086 --count 100 --concurrency 4 --close client >/dev/null
stop_server
settle
assert_eq "ordinary closes are not linger aborts" $N "$(tws .linger_abort)"
unload_twmon

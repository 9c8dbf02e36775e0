#!/bin/sh
# tcp_max_tw_buckets full: closes get no TIME_WAIT. twmon's overflow count
# equals nstat TcpExtTCPTimeWaitOverflow; live sits at the limit.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
LIMIT=300 N=700

sysctl -qw net.ipv4.tcp_max_tw_buckets=$LIMIT
load_twmon
o0=$(nstat_abs TcpExtTCPTimeWaitOverflow)
start_server --port 8082 --close server
client --connect 127.0.0.1:8082 --count $N --concurrency 4 --close server >/dev/null
stop_server
settle
o1=$(nstat_abs TcpExtTCPTimeWaitOverflow)
[ $((o1 - o0)) -gt 0 ] || fail "the flood did not overflow (nstat moved by $((o1 - o0)))"
assert_eq "overflow vs nstat TcpExtTCPTimeWaitOverflow" $((o1 - o0)) "$(tws .overflow)"
assert_eq "max_tw_buckets" $LIMIT "$(tws .max_tw_buckets)"
assert_eq "live at the limit" $LIMIT "$(tws .live)"
check_invariant
unload_twmon

#!/bin/sh
# tcp_tw_reuse: connect() takes ports still in TIME_WAIT. ended.reuse
# equals nstat TcpExtTWRecycled.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

sysctl -qw net.ipv4.ip_local_port_range="40000 40099"
sysctl -qw net.ipv4.tcp_tw_reuse=1
load_twmon
r0=$(nstat_abs TcpExtTWRecycled)
start_server --port 8084 --close client
# tcp_tw_reuse needs the TIME_WAIT to be older than 1 s: two waves
client --connect 127.0.0.1:8084 --count 100 --concurrency 1 --close client >/dev/null
sleep 2
client --connect 127.0.0.1:8084 --count 150 --concurrency 1 --close client >/dev/null
stop_server
settle
r1=$(nstat_abs TcpExtTWRecycled)
[ $((r1 - r0)) -gt 0 ] || fail "no TIME_WAIT was reused (TcpExtTWRecycled did not move)"
assert_eq "ended.reuse vs nstat TcpExtTWRecycled" $((r1 - r0)) "$(tws .ended.reuse)"
check_invariant
unload_twmon

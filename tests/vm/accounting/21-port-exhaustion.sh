#!/bin/sh
# A client runs out of local ports toward one destination: connect() fails
# with EADDRNOTAVAIL as often as the load generator saw it, and the pool's
# count equals the ports in the range.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

sysctl -qw net.ipv4.ip_local_port_range="40000 40199"
sysctl -qw net.ipv4.tcp_tw_reuse=0
load_twmon
start_server --port 8083 --close client
client --connect 127.0.0.1:8083 --count 300 --concurrency 1 --close client >/dev/null
stop_server
settle
fails=$(cj .eaddrnotavail)
[ "$fails" -gt 0 ] || fail "no EADDRNOTAVAIL seen by the load generator"
assert_eq "connect_eaddrnotavail vs the load generator" "$fails" "$(tws .connect_eaddrnotavail)"
assert_eq "port_range" "40000 40199" "$(tws '.port_range | "\(.[0]) \(.[1])"')"
pool=$(tws '[.[] | select(.rport == 8083)][0].count' dests)
assert_eq "pool count vs completed connections" "$(cj .completed)" "$pool"
assert_eq "pool count vs ss" "$(ss_tw_count)" "$pool"
check_invariant
unload_twmon

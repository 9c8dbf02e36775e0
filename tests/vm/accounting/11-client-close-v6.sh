#!/bin/sh
# Client-side closes over IPv6: the outgoing pool toward [::1]:8081 holds
# every socket, and ss agrees on each 4-tuple.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
# (a debug kernel, TWMON_SLOW=4: a smaller flood, over before any expires)
N=$((800 / ${TWMON_SLOW:-1}))

load_twmon
start_server --port 8081 --addr ::1 --family inet6 --close client
client --connect '[::1]:8081' --count $N --concurrency 8 --close client >/dev/null
stop_server
settle
assert_eq "connections completed" $N "$(cj .completed)"

check_invariant
# A client socket whose last ACK met a busy socket lock stays a full
# FIN_WAIT2 socket until the peer's FIN: give the stragglers a moment.
tw_is() { [ "$(sockstat_tw_now)" = "$1" ]; }
wait_for 10 tw_is $N || echo "sockstat tw is $(sockstat_tw_now), not $N"
assert_eq "sockstat tw vs twmon live" "$(sockstat_tw_now)" "$(tws .live)"
# Every connection left a TIME_WAIT socket, alive, killed by an RST (7.3
# sometimes answers one late segment so: sockstat agrees) or taken over by
# a later connect() (tcp_tw_reuse=2 on loopback, once a second has passed:
# a slow kernel's flood lasts that long), or expired (a debug kernel
# beside another debug VM once took 80 s over the flood)
assert_eq "live + ended by rst, reuse or expiry vs connections (ended: $(tws '.ended | tostring'))" $N \
	"$(tws '.live + .ended.rst + .ended.reuse + .ended.expired')"
assert_eq "pool ::1 -> ::1:8081 vs sockstat" "$(sockstat_tw_now)" \
	"$(tws '[.[] | select(.family == "inet6" and .remote == "::1" and .rport == 8081)][0].count' dests)"
assert_eq "no service" 0 "$(tws 'length' services)"
ss -tanH state time-wait | awk '{ print $3, $4 }' | sed 's/\[//g; s/\]//g' | sort >/tmp/ss.txt
tws '.[] | "\(.local):\(.lport) \(.remote):\(.rport)"' socks | sort >/tmp/tw.txt
cmp -s /tmp/ss.txt /tmp/tw.txt || fail "tw-stat socks differs from ss: $(diff /tmp/ss.txt /tmp/tw.txt | head -5)"
# The kernel filters: only the dport asked for
assert_eq "socks --dport 8081" "$(ss_tw_count)" "$(tws length socks --dport 8081)"
assert_eq "socks --dport 9" 0 "$(tws length socks --dport 9)"
unload_twmon

#!/bin/sh
# Server-side closes over IPv4: the service table, births and the kernel's
# own counts (sockstat, nstat TcpExtTW, ss) agree.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
# a debug kernel (TWMON_SLOW=4) is slow enough for the first sockets to
# expire, or their ports to be reused, before a flood of 1000 ends
N=$((1000 / ${TWMON_SLOW:-1}))

load_twmon
tw0=$(nstat_abs TcpExtTW)
start_server --port 8080 --close server
client --connect 127.0.0.1:8080 --count $N --concurrency 8 --close server >/dev/null
t_end=$(ms_now)	# the last socket was born before
stop_server
settle
assert_eq "connections completed" $N "$(cj .completed)"

check_invariant
# Every connection left a TIME_WAIT socket: alive, killed by an RST (the
# kernel's answer, now and then, to a segment meeting the FIN_WAIT2
# substate) or by a new SYN from a client port come round again (once 44
# of 1000 were gone, in a 6.12 guest sharing the host with another VM),
# or expired already (a debug kernel on a slow host: 245 of 250)
echo "live $(tws .live), ended $(tws '.ended | tostring')"
assert_eq "live + ended by rst, syn or expiry vs connections (ended: $(tws '.ended | tostring'))" $N \
	"$(tws '.live + .ended.rst + .ended.syn + .ended.expired')"
# (live is the kernel's count, the FIN_WAIT2 substate's is counted by
# socket: a birth hit the kernel missed books its socket as TIME_WAIT)
assert_missed "live_timewait vs ss state time-wait" "$(ss_tw_count)" "$(tws .live_timewait)"
# TcpExtTW counts births from 5.15 on; before (5.10) it counts expiries,
# none of which has happened yet: then the load generator is the oracle
tw=$(( $(nstat_abs TcpExtTW) - tw0 ))
if [ "$tw" = 0 ]; then
	echo "TcpExtTW did not move: this kernel counts expiries (5.10)"
	tw=$(cj .completed)
fi
assert_eq "entered vs nstat TcpExtTW" "$tw" "$(tws .entered)"
# The service, the sockets and ss, read while sockstat stands still: on a
# slow kernel the flood's first sockets expire while these checks run
read_tables() {
	tw-stat -j services >/tmp/svc.json && tw-stat -j socks >/tmp/socks.json &&
		ss -tanoH state time-wait
}
still_read /tmp/ss.raw read_tables
assert_eq "service 127.0.0.1:8080 vs sockstat" "$STILL_TW" \
	"$(jq '[.[] | select(.local == "127.0.0.1" and .lport == 8080)][0].count // 0' /tmp/svc.json)"
assert_eq "no outgoing pool" 0 "$(tws 'length' dests)"

# Every socket ss lists, with the same 4-tuple (ss: local peer)
awk '{ print $3, $4 }' /tmp/ss.raw | sort >/tmp/ss.txt
jq -r '.[] | select(.substate == "time-wait") | "\(.local):\(.lport) \(.remote):\(.rport)"' /tmp/socks.json |
	sort >/tmp/tw.txt
cmp -s /tmp/ss.txt /tmp/tw.txt || fail "tw-stat socks differs from ss: $(diff /tmp/ss.txt /tmp/tw.txt | head -5)"
# The newest socket's remaining time, in the same read: at most 60 s,
# less the time since the flood ended (a slow kernel's checks above take
# a while)
max=$(jq '[.[].remaining_ms] | max' /tmp/socks.json)
since=$(($(ms_now) - t_end))
if [ "$STILL_TW" = 0 ]; then
	echo "every socket expired before this check ($since ms after the flood): a slow kernel"
else
	grep -q 'timer:(timewait,' /tmp/ss.raw || fail "ss printed no timer"
	[ "$max" -le 60000 ] && [ "$max" -ge $((60000 - since - 1000)) ] ||
		fail "remaining_ms max $max not in $((60000 - since - 1000))..60000 ($since ms after the flood)"
fi
unload_twmon

#!/bin/sh
# connect() EADDRNOTAVAIL counted exactly however it happens (issue 10,
# defect 10: counted where connect() cleans up, not across the port
# search's sleep; issue 11: on 6.1+ with no return probe at all): the port
# search finds nothing (IPv4 and IPv6, and with IP_BIND_ADDRESS_NO_PORT),
# a bound socket's 4-tuple is in TIME_WAIT (IPv4 and IPv6), a socket
# reconnected after connect(AF_UNSPEC) keeps a stale source port, a bound
# socket reconnects to the very 4-tuple of its last connection, now held.
# Oracle: what the load generator and connect_failures.py saw. A
# disconnect and a refused connection are not counted.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

HERE=$(dirname "$0")
sysctl -qw net.ipv4.ip_local_port_range="40000 40009"
sysctl -qw net.ipv4.tcp_tw_reuse=0
# without timestamps: a bound socket may not take over a TIME_WAIT 4-tuple
# (with them, tcp_twsk_unique() lets it, whatever tcp_tw_reuse says)
sysctl -qw net.ipv4.tcp_timestamps=0
dmesg -c >/dev/null
load_twmon
# 6.1+ counts at connect()'s clean-up and places no return probe on the
# port search (which every connect() would pay for); 5.10 has no clean-up
# function to probe and keeps them. The load's line and the kernel's own
# list of kprobes say which.
if grep -q ' inet_bhash2_reset_saddr$' /proc/kallsyms; then
	told_by=inet_bhash2_reset_saddr
else
	told_by=inet_hash_connect
fi
assert_match "the load's line" "EADDRNOTAVAIL told by $told_by" "$(dmesg | grep 'hooks active')"
if [ -r /sys/kernel/debug/kprobes/list ]; then
	if [ $told_by = inet_bhash2_reset_saddr ]; then
		assert_eq "6.1+: return probes on the port search" 0 \
			"$(grep -c 'inet6\?_hash_connect+' /sys/kernel/debug/kprobes/list)"
	else
		assert_eq "5.10: return probes on the port search" 2 \
			"$(grep -c '[[:space:]]r[[:space:]].*inet6\?_hash_connect+' /sys/kernel/debug/kprobes/list)"
	fi
fi
tw-load server --port 8084 --close client >/dev/null 2>&1 &
S1=$!
tw-load server --port 8084 --addr ::1 --family inet6 --close client >/dev/null 2>&1 &
S2=$!
tw-load server --port 8086 --close client >/dev/null 2>&1 &
S3=$!
sleep 0.5
want=0
for dst in 127.0.0.1:8084 '[::1]:8084'; do
	client --connect "$dst" --count 20 --concurrency 1 --close client >/dev/null
	n=$(cj .eaddrnotavail)
	[ "$n" -gt 0 ] || fail "$dst: no EADDRNOTAVAIL seen by the load generator"
	want=$((want + n))
done
client --connect 127.0.0.1:8084 --bind 127.0.0.1 --bind-no-port --count 5 --close client >/dev/null
assert_eq "IP_BIND_ADDRESS_NO_PORT: every connect failed" 5 "$(cj .eaddrnotavail)"
want=$((want + 5))
# refused: nothing listens on 8085 (an asynchronous failure, not counted)
client --connect 127.0.0.1:8085 --count 3 --close client >/dev/null
assert_eq "connect_eaddrnotavail after the searches" "$want" "$(tws .connect_eaddrnotavail)"

# connect_failures.py CASE ARGS: its EADDRNOTAVAIL, and nothing else
py_case() {
	python3 "$HERE/connect_failures.py" "$@" >/tmp/$1.json || fail "connect_failures.py $1"
	echo "$1: $(cat /tmp/$1.json)"
	assert_eq "$1: other failures" 0 "$(jq '.other | length' /tmp/$1.json)"
	jq .eaddrnotavail /tmp/$1.json
}
n=$(py_case bound 8086 5) || fail "$n"
echo "$n"
assert_eq "bound: EADDRNOTAVAIL" 5 "$(echo "$n" | tail -n1)"
want=$((want + 5))
assert_eq "connect_eaddrnotavail after the bound sockets" "$want" "$(tws .connect_eaddrnotavail)"
n=$(py_case bound 8084 5 inet6) || fail "$n"
echo "$n"
assert_eq "bound IPv6: EADDRNOTAVAIL" 5 "$(echo "$n" | tail -n1)"
want=$((want + 5))
assert_eq "connect_eaddrnotavail after the bound IPv6 sockets" "$want" "$(tws .connect_eaddrnotavail)"
n=$(py_case held 8086) || fail "$n"
echo "$n"
assert_eq "held: EADDRNOTAVAIL" 1 "$(echo "$n" | tail -n1)"
want=$((want + 1))
assert_eq "connect_eaddrnotavail after the held 4-tuple" "$want" "$(tws .connect_eaddrnotavail)"
n=$(py_case stale 8086 8084) || fail "$n"
echo "$n"
assert_eq "stale: EADDRNOTAVAIL" 1 "$(echo "$n" | tail -n1)"
want=$((want + 1))
assert_eq "connect_eaddrnotavail after the stale socket" "$want" "$(tws .connect_eaddrnotavail)"
kill $S1 $S2 $S3 2>/dev/null
wait
settle
check_invariant
unload_twmon

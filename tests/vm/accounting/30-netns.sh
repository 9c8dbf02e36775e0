#!/bin/sh
# Two network namespaces: each sees its own figures, equal to its own
# sockstat; --all-netns (root) lists both.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

ip netns add twa && ip netns add twb || fail "ip netns add"
trap 'ip netns del twa; ip netns del twb' EXIT
for ns in twa twb; do ip -n $ns link set lo up; done
load_twmon
ip netns exec twa sh -c '. /twmon/tests/vm/lib.sh; . /twmon/tests/vm/tw.sh
	start_server --port 9000 --close server
	client --connect 127.0.0.1:9000 --count 300 --concurrency 4 --close server >/dev/null
	stop_server'
ip netns exec twb sh -c '. /twmon/tests/vm/lib.sh; . /twmon/tests/vm/tw.sh
	start_server --port 9001 --close client
	client --connect 127.0.0.1:9001 --count 120 --concurrency 4 --close client >/dev/null
	stop_server'
sleep 1
# Client sockets whose last ACK met a busy socket lock stay full FIN_WAIT2
# sockets until the peer's FIN: give the stragglers a moment
twb_is() { [ "$(ip netns exec twb cat /proc/net/sockstat | awk '/^TCP:/ { print $7 }')" = "$1" ]; }
wait_for 10 twb_is 120 || true
a=$(ip netns exec twa cat /proc/net/sockstat | awk '/^TCP:/ { print $7 }')
b=$(ip netns exec twb cat /proc/net/sockstat | awk '/^TCP:/ { print $7 }')
assert_eq "twa sockstat" 300 "$a"
assert_eq "twb sockstat" 120 "$b"
assert_eq "tw-stat -n twa" "$a" "$(tws .live -n twa)"
assert_eq "tw-stat -n twb" "$b" "$(tws .live -n twb)"
assert_eq "inside twa (its own socket namespace)" "$a" "$(ip netns exec twa tw-stat -j | jq .live)"
assert_eq "init namespace untouched" 0 "$(tws .live)"
assert_eq "twa service" 300 "$(tws '.[0].count' services -n twa)"
assert_eq "twb pool" 120 "$(tws '.[0].count' dests -n twb)"
ino=$(stat -L -c %i /run/netns/twa)
assert_eq "--all-netns: twa by inode" "$a" \
	"$(tw-stat -j --all-netns | jq --argjson i "$ino" '.[] | select(.netns_inum == $i) | .live')"
[ "$(tw-stat -j --all-netns | jq length)" -ge 3 ] || fail "--all-netns lists fewer than 3 namespaces"
unload_twmon

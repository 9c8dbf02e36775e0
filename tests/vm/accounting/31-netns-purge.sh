#!/bin/sh
# A namespace destroyed while it holds TIME_WAIT sockets (issue 10, defect
# 7): TCP purges them after twmon's state for that namespace is gone, so
# they are counted host-wide, in GET_CONFIG's purged_dead_netns ("purged
# with their namespace" in tw-stat -V): it grows by exactly the sockets
# the namespace held (its sockstat just before), and the figures of the
# namespace that stays do not move.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

load_twmon
purged() { tw_stat_v "purged with their namespace"; }
# the namespaces of earlier tests may still be being torn down
steady() { _a=$(purged); sleep 1; [ "$_a" = "$(purged)" ]; }
wait_for 60 steady || fail "purged_dead_netns never steady"
p0=$(purged)
start_server --port 9320 --close server
client --connect 127.0.0.1:9320 --count 40 --close server >/dev/null
stop_server
settle
tw-stat -j >/tmp/own0.json

ip netns add pg || fail "ip netns add"
ip -n pg link set lo up
ip netns exec pg sh -c '. /twmon/tests/vm/lib.sh; . /twmon/tests/vm/tw.sh
	start_server --port 9310 --close server
	client --connect 127.0.0.1:9310 --count 100 --concurrency 4 --close server >/dev/null
	stop_server
	start_server --port 9311 --addr ::1 --family inet6 --close client
	client --connect "[::1]:9311" --count 50 --concurrency 4 --close client >/dev/null
	stop_server
	settle'
n=$(netns_tw pg)
[ "$n" -ge 140 ] || fail "pg holds $n TIME_WAIT sockets, want about 150"
ip netns del pg
want=$((p0 + n))
reached() { [ "$(purged)" -ge "$want" ]; }
wait_for 60 reached || fail "purged with their namespace: $(purged), want $want ($p0 + $n)"
wait_for 30 steady
assert_eq "purged with their namespace ($p0 before, pg held $n)" "$want" "$(purged)"
tw-stat -j >/tmp/own1.json
for f in seeded entered live; do
	assert_eq "own namespace: $f" "$(jq .$f /tmp/own0.json)" "$(jq .$f /tmp/own1.json)"
done
assert_eq "own namespace: ended" "$(jq -c .ended /tmp/own0.json)" "$(jq -c .ended /tmp/own1.json)"
assert_eq "own namespace: ended purge" 0 "$(jq '.ended.purge // 0' /tmp/own1.json)"
check_invariant
unload_twmon

#!/bin/sh
# Sockets alive before insmod are found at load time (seeded), so figures
# are right from the first second; their deaths balance the books.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
# a debug kernel (TWMON_SLOW=4) is slow enough for a client port to come
# round again during a long flood: its SYN then ends the server's TIME_WAIT
SERVED=$((400 / ${TWMON_SLOW:-1}))
POOL=$((150 / ${TWMON_SLOW:-1}))

start_server --port 8088 --close server
client --connect 127.0.0.1:8088 --count $SERVED --concurrency 4 --close server >/dev/null
assert_eq "server-closed connections completed" $SERVED "$(cj .completed)"
stop_server
start_server --port 8089 --close client
client --connect 127.0.0.1:8089 --count $POOL --concurrency 4 --close client >/dev/null
assert_eq "client-closed connections completed" $POOL "$(cj .completed)"
# no socket of ours left in another state (the server's FINs may still be
# on their way to the pool's FIN_WAIT2 sockets on a slow guest)
none_closing() {
	[ -z "$(ss -tanH state connected exclude time-wait '( sport = :8088 or dport = :8089 )')" ]
}
wait_for 20 none_closing || fail "still closing: $(ss -tanH exclude time-wait)"
stop_server
settle
# the oracles, read before any twmon code runs
tw=$(sockstat_tw_now)
ss_service=$(ss -tanH state time-wait sport = :8088 | wc -l)
ss_pool=$(ss -tanH state time-wait dport = :8089 | wc -l)
echo "sockstat tw $tw; ss: service $ss_service, pool $ss_pool"
assert_eq "every socket in TIME_WAIT (ss)" "$tw" $((ss_service + ss_pool))
load_twmon
assert_eq "seeded vs sockstat before any birth" "$tw" "$(tws .seeded)"
assert_eq "seeded into the service table vs ss" "$ss_service" \
	"$(tws '[.[] | select(.lport == 8088)][0].count' services)"
assert_eq "seeded into the pool vs ss" "$ss_pool" \
	"$(tws '[.[] | select(.rport == 8089)][0].count' dests)"
# on a stock kernel nothing is lost on the way: every connection seeded
if [ "${TWMON_SLOW:-1}" = 1 ]; then
	assert_eq "seeded vs connections" $((SERVED + POOL)) "$(tws .seeded)"
fi
# Kill the seeded ones through sock_diag: deaths of sockets born before us
ss -K -tanH state time-wait dport = :8089 >/dev/null 2>&1
check_invariant
unload_twmon

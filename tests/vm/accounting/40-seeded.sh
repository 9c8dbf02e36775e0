#!/bin/sh
# Sockets alive before insmod are found at load time (seeded), so figures
# are right from the first second; their deaths balance the books.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

start_server --port 8088 --close server
client --connect 127.0.0.1:8088 --count 400 --concurrency 4 --close server >/dev/null
start_server --port 8089 --close client
client --connect 127.0.0.1:8089 --count 150 --concurrency 4 --close client >/dev/null
settle
load_twmon
assert_eq "seeded vs sockstat before any birth" "$(sockstat_tw_now)" "$(tws .seeded)"
assert_eq "seeded" 550 "$(tws .seeded)"
assert_eq "seeded into the service table" 400 "$(tws '[.[] | select(.lport == 8088)][0].count' services)"
assert_eq "seeded into the pool" 150 "$(tws '[.[] | select(.rport == 8089)][0].count' dests)"
# Kill the seeded ones through sock_diag: deaths of sockets born before us
ss -K -tanH state time-wait dport = :8089 >/dev/null 2>&1
check_invariant
stop_server
unload_twmon

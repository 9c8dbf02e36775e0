#!/bin/sh
# timeout: 240
# A flood to exhaustion. One destination's pool runs dry: twmond's
# connect_eaddrnotavail and pool_exhaustion alerts appear within 2 s of the
# load generator's first EADDRNOTAVAIL. Then tcp_max_tw_buckets fills:
# tw_overflow and tw_buckets_high appear within 2 s of the close that first
# found it full (both clocks CLOCK_MONOTONIC: the load generator's
# *_monotonic_ns, twmond's mono_ns). Each fires once, and all clear after
# the flood (the rates fall to 0; the remedies, a wider port range and a
# higher tcp_max_tw_buckets, clear the levels).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

sysctl -qw net.ipv4.ip_local_port_range="40000 40499"
sysctl -qw net.ipv4.tcp_tw_reuse=0
load_twmon
start_twmond
NS=$(netns_inum)

# 1. one destination's pool: 500 ports, the client closes first
start_server --port 8090 --close client
client --connect 127.0.0.1:8090 --count 1000 --concurrency 4 --close client \
	--stop-on-eaddrnotavail >/dev/null
stop_server
t_fail=$(cj .first_eaddrnotavail_monotonic_ns)
[ "$t_fail" != null ] || fail "the load generator saw no EADDRNOTAVAIL: $(cat /tmp/client.json)"
wait_alert fire connect_eaddrnotavail 5 || fail "no connect_eaddrnotavail alert: $(tail -n 5 /tmp/twmond.log)"
wait_alert fire pool_exhaustion 5 || fail "no pool_exhaustion alert: $(tail -n 5 /tmp/twmond.log)"
# connect() failing: after the first failure, within 2 s
lat=$((($(alert_field fire connect_eaddrnotavail .mono_ns) - t_fail) / 1000000))
echo "connect_eaddrnotavail: ${lat} ms after the first EADDRNOTAVAIL"
[ $lat -ge 0 ] || fail "connect_eaddrnotavail fired ${lat} ms BEFORE the first EADDRNOTAVAIL"
[ $lat -le 2000 ] || fail "connect_eaddrnotavail fired ${lat} ms after the first EADDRNOTAVAIL (limit 2000)"
assert_eq "connect_eaddrnotavail severity" critical "$(alert_field fire connect_eaddrnotavail .severity)"
assert_eq "connect_eaddrnotavail netns" "$NS" "$(alert_field fire connect_eaddrnotavail .netns)"
assert_match "connect_eaddrnotavail remedy" "keep-alive" "$(alert_field fire connect_eaddrnotavail .remedy)"
# the pool: a level, so it may warn before the first failure (that is its
# point), but not before the flood, and critical within 2 s of the failure
t_start=$(cj .start_monotonic_ns)
wait_for 3 has_severity pool_exhaustion critical || fail "pool_exhaustion never critical"
t_pool=$(alert_field fire pool_exhaustion .mono_ns)
t_crit=$(jq -r 'select(.event == "fire" and .alert == "pool_exhaustion" and .severity == "critical") | .mono_ns' \
	/tmp/twmond.json | head -n 1)
echo "pool_exhaustion: first $(((t_pool - t_fail) / 1000000)) ms, critical $(((t_crit - t_fail) / 1000000)) ms after the first EADDRNOTAVAIL"
[ "$t_pool" -ge "$t_start" ] || fail "pool_exhaustion fired before the flood began"
[ $(((t_crit - t_fail) / 1000000)) -le 2000 ] ||
	fail "pool_exhaustion critical $(((t_crit - t_fail) / 1000000)) ms after the first EADDRNOTAVAIL (limit 2000)"
assert_eq "pool_exhaustion netns" "$NS" "$(alert_field fire pool_exhaustion .netns)"
assert_eq "pool_exhaustion dest" "127.0.0.1->127.0.0.1:8090" "$(alert_field fire pool_exhaustion .dest)"
assert_eq "pool_exhaustion rport" 8090 "$(alert_field fire pool_exhaustion .rport)"
assert_match "pool_exhaustion message" "^occupancy [0-9]+% \\([0-9]+/500 ports\\)" \
	"$(alert_field fire pool_exhaustion .message)"
assert_match "pool_exhaustion remedy" "IP_BIND_ADDRESS_NO_PORT" "$(alert_field fire pool_exhaustion .remedy)"
grep -Eq "ALERT (warn|crit) pool_exhaustion netns=$NS dest=127.0.0.1->127.0.0.1:8090 occupancy" \
	/tmp/twmond.log || fail "no ALERT line in the log: $(grep ALERT /tmp/twmond.log)"

# 2. the bucket table: 100 more TIME_WAIT sockets fit, the 101st close overflows
live=$(tws .live)
sysctl -qw net.ipv4.tcp_max_tw_buckets=$((live + 100))
start_server --port 8091 --close server
client --connect 127.0.0.1:8091 --count 300 --concurrency 1 --close server \
	--mark-completed 101 >/dev/null
stop_server
[ "$(tws .overflow)" -gt 0 ] || fail "no overflow: $(tw-stat -j)"
t_full=$(cj .mark_completed_monotonic_ns)
wait_alert fire tw_overflow 5 || fail "no tw_overflow alert: $(tail -n 5 /tmp/twmond.log)"
lat=$((($(alert_field fire tw_overflow .mono_ns) - t_full) / 1000000))
echo "tw_overflow: ${lat} ms after the close that found the table full"
[ $lat -ge 0 ] || fail "tw_overflow fired ${lat} ms BEFORE the first overflow"
[ $lat -le 2000 ] || fail "tw_overflow fired ${lat} ms after the first overflow (limit 2000)"
wait_for 3 has_severity tw_buckets_high critical ||
	fail "no critical tw_buckets_high: $(grep tw_buckets_high /tmp/twmond.json)"
# the source to fix: the pool of part 1 (~500) holds more than the service (~100)
assert_match "tw_buckets_high names the largest source" \
	"; most from dest=127.0.0.1->127.0.0.1:8090: [0-9]+ \([0-9]+%\)$" \
	"$(alert_field fire tw_buckets_high .message)"

# 3. the rates fall to 0 within the 10 s window; the remedies clear the levels
wait_alert clear connect_eaddrnotavail 20 || fail "connect_eaddrnotavail did not clear"
wait_alert clear tw_overflow 20 || fail "tw_overflow did not clear"
has_alert clear pool_exhaustion && fail "pool_exhaustion cleared while the pool is still full"
sysctl -qw net.ipv4.ip_local_port_range="20000 60999"
sysctl -qw net.ipv4.tcp_max_tw_buckets=65536
wait_alert clear pool_exhaustion 5 || fail "pool_exhaustion did not clear after widening the range"
wait_alert clear tw_buckets_high 5 || fail "tw_buckets_high did not clear after raising the limit"

# de-duplicated: one fire per alert and severity, one clear
for a in connect_eaddrnotavail tw_overflow; do
	assert_eq "fires of $a" 1 "$(alerts fire $a | wc -l)"
done
for a in pool_exhaustion tw_buckets_high; do
	n=$(alerts fire $a | wc -l)
	[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "$a fired $n times: $(alerts fire $a)"
done
for a in connect_eaddrnotavail tw_overflow pool_exhaustion tw_buckets_high; do
	assert_eq "clears of $a" 1 "$(alerts clear $a | wc -l)"
done
assert_eq "metrics: no alert active" "" "$(metrics | grep '^twmond_alert_active')"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

#!/bin/sh
# timeout: 180
# twmond in the host namespace watches a container's: a flood inside netns
# twc runs its one destination's pool dry. twmond (CAP_NET_ADMIN, reading
# twc's table with TWMON_A_NETNS_INUM) fires pool_exhaustion for twc's
# namespace and destination within 2 s of the load generator's first
# EADDRNOTAVAIL; /metrics shows the pool with the count ss sees inside twc;
# the alert clears when twc's port range is widened. An idle namespace
# (twd, a few TIME_WAIT sockets) gets no table read: no pool series.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc

ip netns add twc && ip netns add twd || fail "ip netns add"
trap 'ip netns del twc; ip netns del twd' EXIT
for ns in twc twd; do
	ip -n $ns link set lo up
	ip netns exec $ns sysctl -qw net.ipv4.ip_local_port_range="40000 40499"
	ip netns exec $ns sysctl -qw net.ipv4.tcp_tw_reuse=0
done
load_twmon
start_twmond
NSC=$(stat -L -c %i /run/netns/twc)
NSD=$(stat -L -c %i /run/netns/twd)
ip netns exec twd sh -c '. /twmon/tests/vm/lib.sh; . /twmon/tests/vm/tw.sh
	start_server --port 8093 --close client
	client --connect 127.0.0.1:8093 --count 20 --close client >/dev/null
	stop_server'
ip netns exec twc sh -c '. /twmon/tests/vm/lib.sh; . /twmon/tests/vm/tw.sh
	start_server --port 8092 --close client
	client --connect 127.0.0.1:8092 --count 1000 --concurrency 4 --close client \
		--stop-on-eaddrnotavail >/dev/null
	stop_server'
t_fail=$(cj .first_eaddrnotavail_monotonic_ns)
[ "$t_fail" != null ] || fail "the load generator saw no EADDRNOTAVAIL in twc: $(cat /tmp/client.json)"
wait_for 5 has_severity pool_exhaustion critical ||
	fail "no critical pool_exhaustion for twc: $(tail -n 5 /tmp/twmond.log)"
crit() {
	jq -c 'select(.event == "fire" and .alert == "pool_exhaustion" and .severity == "critical")' \
		/tmp/twmond.json | head -n 1 | jq -r "$1"
}
lat=$((($(crit .mono_ns) - t_fail) / 1000000))
echo "pool_exhaustion in twc: critical ${lat} ms after the first EADDRNOTAVAIL"
[ $lat -le 2000 ] || fail "pool_exhaustion (twc) critical ${lat} ms after the first EADDRNOTAVAIL (limit 2000)"
assert_eq "pool_exhaustion netns" "$NSC" "$(crit .netns)"
assert_eq "pool_exhaustion dest" "127.0.0.1->127.0.0.1:8092" "$(crit .dest)"
assert_match "pool_exhaustion message" "\\([0-9]+/500 ports\\)" "$(crit .message)"
has_alert fire connect_eaddrnotavail || wait_alert fire connect_eaddrnotavail 3 ||
	fail "no connect_eaddrnotavail for twc"
assert_eq "connect_eaddrnotavail netns" "$NSC" "$(alert_field fire connect_eaddrnotavail .netns)"

# /metrics: twc's pool as ss counts it inside twc (nothing expires for 60 s)
series="twmon_pool_live{netns=\"$NSC\",family=\"inet\",local=\"127.0.0.1\",remote=\"127.0.0.1\",rport=\"8092\"}"
ss_count() { ip netns exec twc ss -tanH state time-wait dst 127.0.0.1:8092 | wc -l; }
same() { [ "$(metric "$series")" = "$(ss_count)" ]; }
wait_for 5 same || fail "twmond's $series = $(metric "$series"), ss in twc: $(ss_count)"
echo "twc pool: $(metric "$series") in /metrics, $(ss_count) by ss"
[ "$(ss_count)" -ge 400 ] || fail "ss sees only $(ss_count) TIME_WAIT sockets in twc's pool"
metrics | grep -q "^twmon_pool_live{netns=\"$NSD\"" &&
	fail "a pool series for idle twd: its table was read: $(metrics | grep "netns=\"$NSD\"")"
twd_live() { [ "$(metric "twmon_tw_live{netns=\"$NSD\"}")" = 20 ]; }
wait_for 10 twd_live || fail "twd live (totals still read): $(metric "twmon_tw_live{netns=\"$NSD\"}"), want 20"

# the remedy inside twc clears it
ip netns exec twc sysctl -qw net.ipv4.ip_local_port_range="20000 60999"
wait_alert clear pool_exhaustion 5 || fail "pool_exhaustion (twc) did not clear after widening its range"
assert_eq "clear netns" "$NSC" "$(alert_field clear pool_exhaustion .netns)"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

#!/bin/sh
# timeout: 180
# With the module's cgroups=1, twmond names the cgroup behind the TIME_WAIT:
# a service's client runs a pool dry, and pool_exhaustion says "most from
# cgroup /api.service: N of M" (connect_eaddrnotavail likewise); its
# server's flood fills tcp_max_tw_buckets, and the tw_buckets_high alert
# says "most TIME_WAIT from cgroup /api.service: N of M", tw_overflow "most
# overflow from cgroup /api.service: N of N" (every overflow the service's);
# /metrics has the cgroup's live sockets and totals under its path, the
# same as tw-stat cgroups.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

need_cgroup2
SVC=api.service
rmdir $CG/$SVC 2>/dev/null
mkdir $CG/$SVC

load_twmon cgroups=1
start_twmond
grep -q 'per cgroup' /tmp/twmond.log || fail "twmond did not see cgroups=1: $(cat /tmp/twmond.log)"
NS=$(netns_inum)

# 1. The service's client runs one destination's pool dry (200 ports):
# pool_exhaustion and connect_eaddrnotavail name its cgroup
sysctl -qw net.ipv4.ip_local_port_range="40000 40199"
sysctl -qw net.ipv4.tcp_tw_reuse=0
start_server --port 8096 --close client
sh -c "$IN_CG" $CG/$SVC tw-load client --connect 127.0.0.1:8096 --count 300 --close client \
	--stop-on-eaddrnotavail >/tmp/pool.json 2>/dev/null
stop_server
wait_alert fire pool_exhaustion 5 || fail "no pool_exhaustion alert: $(tail -n 5 /tmp/twmond.log)"
wait_alert fire connect_eaddrnotavail 5 || fail "no connect_eaddrnotavail alert"
for a in pool_exhaustion connect_eaddrnotavail; do
	echo "$a: $(alert_field fire $a .message)"
done
assert_match "pool_exhaustion names the cgroup" "; most from cgroup /api.service: [0-9]+ of [0-9]+$" \
	"$(alert_field fire pool_exhaustion .message)"
assert_match "connect_eaddrnotavail names the cgroup" \
	"; most EADDRNOTAVAIL from cgroup /api.service: [0-9]+ of [0-9]+" \
	"$(alert_field fire connect_eaddrnotavail .message)"

# 2. The service closes first; its clients (root cgroup) leave nothing
# behind. 100 more fit in the bucket table, the rest overflow.
sysctl -qw net.ipv4.ip_local_port_range="20000 60999"
settle
sysctl -qw net.ipv4.tcp_max_tw_buckets=$(($(tws .live) + 100))
rm -f /tmp/ready
sh -c "$IN_CG" $CG/$SVC tw-load server --port 8095 --close server --ready-file /tmp/ready \
	>/tmp/svc.json 2>/dev/null &
SVC_PID=$!
wait_for 5 test -e /tmp/ready || fail "the service did not start"
client --connect 127.0.0.1:8095 --count 400 --concurrency 1 --close server >/dev/null
kill $SVC_PID
wait $SVC_PID
settle
[ "$(tws .overflow)" -gt 0 ] || fail "no overflow: $(tw-stat -j)"
tw-stat cgroups
live=$(tws '[.[] | select(.path == "/api.service")][0].live' cgroups)
# the rest are the scrapes' (wget, in the root cgroup, closes first)
assert_eq "the service's and the scrapes' sockets" "$(tws .live)" \
	"$((live + $(tws '[.[] | select(.path == "/")][0].live // 0' cgroups)))"

wait_alert fire tw_buckets_high 5 || fail "no tw_buckets_high alert: $(tail -n 5 /tmp/twmond.log)"
wait_alert fire tw_overflow 5 || fail "no tw_overflow alert: $(tail -n 5 /tmp/twmond.log)"
# when it fired: N of the M live then, all but the scrapes' the service's
for a in tw_buckets_high tw_overflow; do
	msg=$(alert_field fire $a .message)
	echo "$a: $msg"
	what="TIME_WAIT"
	[ $a = tw_overflow ] && what=overflow
	assert_match "$a names the cgroup" "; most $what from cgroup /api.service: [0-9]+ of [0-9]+" "$msg"
	n=$(printf '%s\n' "$msg" | sed -n 's/.*from cgroup \/api.service: \([0-9]*\) of \([0-9]*\).*/\1 \2/p')
	set -- $n
	[ "$1" -le "$2" ] && [ "$1" -ge $(($2 - $(scrapes))) ] ||
		fail "$a: $1 of $2 from the service, with $(scrapes) scrapes: $msg"
done
grep -q "ALERT .* tw_buckets_high netns=$NS .*most TIME_WAIT from cgroup /api.service" /tmp/twmond.log ||
	fail "no ALERT line naming the cgroup: $(grep ALERT /tmp/twmond.log)"

# /metrics: the same figures under the cgroup's path (twmond reads them
# every second)
svc_metric_is_live() {
	[ "$(metric "twmon_cgroup_tw_live{netns=\"$NS\",cgroup=\"/api.service\"}")" = "$live" ]
}
wait_for 5 svc_metric_is_live ||
	fail "twmon_cgroup_tw_live of /api.service is not $live: $(metrics | grep twmon_cgroup)"
assert_eq "twmon_cgroup_tw_entered_total" \
	"$(tws '[.[] | select(.path == "/api.service")][0].entered' cgroups)" \
	"$(metric "twmon_cgroup_tw_entered_total{netns=\"$NS\",cgroup=\"/api.service\"}")"
assert_eq "twmon_cgroup_tw_live of unknown" 0 \
	"$(metric "twmon_cgroup_tw_live{netns=\"$NS\",cgroup=\"unknown\"}")"

stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon
rmdir $CG/$SVC

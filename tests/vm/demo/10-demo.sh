#!/bin/sh
# timeout: 280
# The demo (`make demo`): twmond watching while two floods of short
# connections, from two services (cgroups), run one destination's port
# pool dry and fill the TIME_WAIT bucket table; the alerts fire and name
# the service, the remedy is applied, they clear; then what tw-stat shows
# beside what the kernel itself shows.
. /twmon/tests/vm/lib.sh

say() {
	echo
	echo "### $*"
}
run() {
	echo "\$ $*"
	"$@"
}
# twmond's log lines since the last call
new_alerts() {
	n=$(wc -l </tmp/twmond.log)
	sed -n "$((${SEEN:-0} + 1)),${n}p" /tmp/twmond.log | grep -E '^twmond: (ALERT|CLEAR)'
	SEEN=$n
}

# A small port range and bucket table, so that one destination's pool runs
# dry and the table overflows within seconds here
sysctl -qw net.ipv4.ip_local_port_range="40000 41999"
sysctl -qw net.ipv4.tcp_max_tw_buckets=2500
sysctl -qw net.ipv4.tcp_tw_reuse=0
say "twmon $(cat /twmon/VERSION) on Linux $(uname -r); tcp_max_tw_buckets=$(sysctl -n net.ipv4.tcp_max_tw_buckets), ip_local_port_range=$(sysctl -n net.ipv4.ip_local_port_range | tr '\t' '-')"
# Two services, as systemd would make them (cgroup v2)
CG=/sys/fs/cgroup
[ -e $CG/cgroup.procs ] || mount -t cgroup2 none $CG
mkdir -p $CG/system.slice/api.service $CG/system.slice/billing.service
IN_CG='echo $$ >"$0/cgroup.procs" && exec "$@"'
api() { sh -c "$IN_CG" $CG/system.slice/api.service "$@"; }
billing() { sh -c "$IN_CG" $CG/system.slice/billing.service "$@"; }
echo "\$ modprobe twmon cgroups=1"
load_twmon cgroups=1
run tw-stat --version
echo "\$ twmond -l 127.0.0.1:9477 2>/tmp/twmond.log &"
twmond -l 127.0.0.1:9477 2>/tmp/twmond.log &
TWMOND=$!
wait_for 20 grep -q . /tmp/twmond.log || true
sleep 1

say "Flood 1: 2500 connections to [::1]:8081 from two services, the CLIENTS close first (one pool of 2000 ports)"
rm -f /tmp/ready
tw-load server --port 8081 --family inet6 --close client --ready-file /tmp/ready >/tmp/server2.json 2>/dev/null &
S2=$!
wait_for 10 test -e /tmp/ready || fail "tw-load server on 8081 did not start"
echo "\$ billing.service: tw-load client --connect '[::1]:8081' --count 1500 --concurrency 4 --close client"
billing tw-load client --connect '[::1]:8081' --count 1500 --concurrency 4 --close client |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'
echo "\$ api.service: tw-load client --connect '[::1]:8081' --count 1000 --concurrency 4 --close client"
api tw-load client --connect '[::1]:8081' --count 1000 --concurrency 4 --close client |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'

say "Flood 2: 1500 connections to api.service's 127.0.0.1:8080, the SERVER closes first (the table holds 2500)"
rm -f /tmp/ready
api tw-load server --port 8080 --close server --ready-file /tmp/ready >/tmp/server1.json 2>/dev/null &
S1=$!
wait_for 10 test -e /tmp/ready || fail "tw-load server on 8080 did not start"
echo "\$ tw-load client --connect 127.0.0.1:8080 --count 1500 --concurrency 8 --close server"
tw-load client --connect 127.0.0.1:8080 --count 1500 --concurrency 8 --close server |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'
kill $S1 $S2 2>/dev/null
sleep 2

say "twmond's alerts during the floods"
new_alerts

say "What twmon sees"
run tw-stat
say "Outgoing port pools (client side)"
run tw-stat dests
say "Services (server side)"
run tw-stat services
say "Which service made them (cgroups)"
run tw-stat cgroups
say "Who shares the pool"
run tw-stat dests --by-cgroup
say "Which cgroup serves each service"
run tw-stat services --by-cgroup
say "Ages of the live TIME_WAIT sockets"
run tw-stat ages

say "What the kernel itself shows"
run cat /proc/net/sockstat
run nstat -az TcpExtTW TcpExtTCPTimeWaitOverflow
echo
echo "sockstat 'tw' is one total for the namespace, and nstat one counter:"
echo "neither says which destination ran out of ports, nor which service"
echo "fills the table (a TIME_WAIT socket has no owner: ss -p shows none). The closes beyond tcp_max_tw_buckets got no"
echo "TIME_WAIT at all, silently; twmond said so within a second or two."

say "The remedy: a wider port range and a higher tcp_max_tw_buckets"
run sysctl -w net.ipv4.ip_local_port_range="32768 60999"
run sysctl -w net.ipv4.tcp_max_tw_buckets=262144
echo "(waiting for twmond's 10 s rate windows to empty)"
i=0
while [ $i -lt 40 ]; do
	wget -q -O /tmp/metrics http://127.0.0.1:9477/metrics &&
		! grep -q '^twmond_alert_active{.*} 1$' /tmp/metrics && break
	sleep 1
	i=$((i + 1))
done
new_alerts
echo "\$ wget -qO /tmp/metrics http://127.0.0.1:9477/metrics; grep -E '^twmon_(tw_live|tw_overflow_total|pool_live|cgroup_tw_live)' /tmp/metrics"
wget -q -O /tmp/metrics http://127.0.0.1:9477/metrics && grep -E '^twmon_(tw_live|tw_overflow_total|pool_live|cgroup_tw_live)' /tmp/metrics

kill $TWMOND 2>/dev/null
wait 2>/dev/null
unload_twmon
exit 0

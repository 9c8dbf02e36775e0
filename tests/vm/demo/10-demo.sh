#!/bin/sh
# timeout: 280
# The demo (`make demo`): twmond watching while two floods of short
# connections run one destination's port pool dry and fill the TIME_WAIT
# bucket table; the alerts fire, the remedy is applied, they clear; then
# what tw-stat shows beside what the kernel itself shows.
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
load_twmon
run tw-stat --version
echo "\$ twmond -l 127.0.0.1:9477 2>/tmp/twmond.log &"
twmond -l 127.0.0.1:9477 2>/tmp/twmond.log &
TWMOND=$!
wait_for 20 grep -q . /tmp/twmond.log || true
sleep 1

say "Flood 1: 2500 connections to [::1]:8081, the CLIENT closes first (one pool of 2000 ports)"
rm -f /tmp/ready
tw-load server --port 8081 --family inet6 --close client --ready-file /tmp/ready >/tmp/server2.json 2>/dev/null &
S2=$!
wait_for 10 test -e /tmp/ready || fail "tw-load server on 8081 did not start"
echo "\$ tw-load client --connect '[::1]:8081' --count 2500 --concurrency 4 --close client"
tw-load client --connect '[::1]:8081' --count 2500 --concurrency 4 --close client |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'

say "Flood 2: 1500 connections to 127.0.0.1:8080, the SERVER closes first (the table holds 2500)"
rm -f /tmp/ready
tw-load server --port 8080 --close server --ready-file /tmp/ready >/tmp/server1.json 2>/dev/null &
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
say "Ages of the live TIME_WAIT sockets"
run tw-stat ages

say "What the kernel itself shows"
run cat /proc/net/sockstat
run nstat -az TcpExtTW TcpExtTCPTimeWaitOverflow
echo
echo "sockstat 'tw' is one total for the namespace, and nstat one counter:"
echo "neither says which destination ran out of ports, nor which service"
echo "fills the table. The closes beyond tcp_max_tw_buckets got no"
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
echo "\$ wget -qO /tmp/metrics http://127.0.0.1:9477/metrics; grep -E '^twmon_(tw_live|tw_overflow_total|pool_live)' /tmp/metrics"
wget -q -O /tmp/metrics http://127.0.0.1:9477/metrics && grep -E '^twmon_(tw_live|tw_overflow_total|pool_live)' /tmp/metrics

kill $TWMOND 2>/dev/null
wait 2>/dev/null
unload_twmon
exit 0

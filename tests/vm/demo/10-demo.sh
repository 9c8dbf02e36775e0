#!/bin/sh
# The demo (`make demo`): two floods of short connections, then what twmon
# sees beside what the kernel itself shows.
. /twmon/tests/vm/lib.sh

say() {
	echo
	echo "### $*"
}
run() {
	echo "\$ $*"
	"$@"
}

say "twmon $(cat /twmon/VERSION) on Linux $(uname -r); net.ipv4.tcp_max_tw_buckets=$(sysctl -n net.ipv4.tcp_max_tw_buckets)"
load_twmon
run tw-stat --version

say "Flood 1: 3000 connections to 127.0.0.1:8080, the SERVER closes first"
rm -f /tmp/ready
tw-load server --port 8080 --close server --ready-file /tmp/ready >/tmp/server1.json 2>/dev/null &
S1=$!
wait_for 10 test -e /tmp/ready || fail "tw-load server on 8080 did not start"
echo "\$ tw-load client --connect 127.0.0.1:8080 --count 3000 --concurrency 8 --close server"
tw-load client --connect 127.0.0.1:8080 --count 3000 --concurrency 8 --close server |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'

say "Flood 2: 2000 connections to [::1]:8081, the CLIENT closes first"
rm -f /tmp/ready
tw-load server --port 8081 --family inet6 --close client --ready-file /tmp/ready >/tmp/server2.json 2>/dev/null &
S2=$!
wait_for 10 test -e /tmp/ready || fail "tw-load server on 8081 did not start"
echo "\$ tw-load client --connect '[::1]:8081' --count 2000 --concurrency 8 --close client"
tw-load client --connect '[::1]:8081' --count 2000 --concurrency 8 --close client |
	jq -Mc '{completed, eaddrnotavail, elapsed_ms}'
kill $S1 $S2 2>/dev/null
wait 2>/dev/null
sleep 1

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
echo "sockstat 'tw' is one total for the namespace. 5000 closes wanted a"
echo "TIME_WAIT but tcp_max_tw_buckets is $(sysctl -n net.ipv4.tcp_max_tw_buckets) here: the rest were closed"
echo "without one, silently; only TcpExtTCPTimeWaitOverflow moved. twmon shows"
echo "the same overflow, and which pool and which service hold the sockets."
unload_twmon
exit 0

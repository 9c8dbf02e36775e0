#!/bin/sh
# timeout: 180
# /metrics scraped during a flood: promtool check metrics accepts it, and its
# figures equal the kernel's (tw-stat over GET_STATS and GET_DESTS) and the
# load generator's. The textfile for node_exporter holds the same families.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

command -v promtool >/dev/null || fail "promtool is not in the guest (scripts/vm-run adds it for suites that mention it)"
sysctl -qw net.ipv4.ip_local_port_range="40000 40999"
load_twmon
mkdir -p /tmp/textfile
start_twmond --textfile /tmp/textfile/twmon.prom
NS=$(netns_inum)
for p in 8094 8095 8096; do
	start_server --port $p --close client
	client --connect 127.0.0.1:$p --count $((p - 8000)) --concurrency 2 --close client >/dev/null
	stop_server
done
settle
sleep 2.5
tw_now=$(sockstat_tw_now)
metrics >/tmp/m.txt || fail "no /metrics"
promtool check metrics </tmp/m.txt || fail "promtool check metrics failed"
grep -q '^# TYPE twmon_tw_entered_total counter' /tmp/m.txt || fail "no TYPE line"
pool() {
	awk -v n="twmon_pool_live{netns=\"$NS\",family=\"inet\",local=\"127.0.0.1\",remote=\"127.0.0.1\",rport=\"$1\"}" \
		'$1 == n { print $2 }' /tmp/m.txt
}
for p in 8094 8095 8096; do
	assert_eq "pool $p: twmond vs GET_DESTS" \
		"$(tws "[.[] | select(.rport == $p)][0].count" dests)" "$(pool $p)"
done
assert_eq "pool 8096 vs the load generator" 96 "$(pool 8096)"
assert_eq "port range size" 1000 \
	"$(awk -v n="twmon_port_range_size{netns=\"$NS\"}" '$1 == n { print $2 }' /tmp/m.txt)"
assert_eq "live vs sockstat" "$tw_now" \
	"$(awk -v n="twmon_tw_live{netns=\"$NS\"}" '$1 == n { print $2 }' /tmp/m.txt)"
# the node_exporter textfile: complete (written, then renamed) and valid
[ -s /tmp/textfile/twmon.prom ] || fail "no textfile"
promtool check metrics </tmp/textfile/twmon.prom || fail "promtool rejects the textfile"
grep -q "^twmon_pool_live{netns=\"$NS\".*rport=\"8096\"} 96" /tmp/textfile/twmon.prom ||
	fail "the textfile lacks the pool"
stop_twmond || fail "twmond exited with $? on SIGTERM"
# once it has stopped: while it runs, a listing may meet the next write
# between its create and its rename
assert_eq "no temporary file left" "twmon.prom" "$(ls /tmp/textfile)"
unload_twmon

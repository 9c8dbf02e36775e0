#!/bin/sh
# timeout: 280
# A third-party client: the kernel's own YNL client (tools/net/ynl/cli.py)
# driven by kmod/uapi/twmon.yaml alone does get-stats (do, and dump with
# all-netns), get-dests, get-services, get-socks, get-config, set-config,
# and subscribes to both multicast groups (stats, events) during a flood;
# every figure must equal tw-stat -j's (compare.py; tw-stat decodes with
# the C header), the configuration the module's /sys.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
command -v python3 >/dev/null || skip "no python3 in this image"
[ -e /twmon/ynl/cli.py ] || fail "no /twmon/ynl/cli.py in the image (scripts/vm-run)"
# --no-schema: the host validated the spec (tests/host/10-ynl-header)
ynl() {
	python3 /twmon/ynl/cli.py --spec /twmon/ynl/twmon.yaml --no-schema --output-json "$@"
}
D=/tmp/ynl
mkdir -p $D
# Generic netlink sockets of processes in this namespace (the kernel's
# own has pid 0): cli.py opens its one socket, resolves the family and
# joins the group at once
genl_socks() {
	awk 'NR > 1 && $2 == 16 && $3 != 0' /proc/net/netlink | wc -l
}

sysctl -qw net.ipv4.tcp_max_tw_buckets=200
load_twmon
INUM=$(stat -L -c %i /proc/self/ns/net)
# A setting through cli.py (get-config must show it); more snapshots too
ynl --do set-config --json '{"stats-interval-ms": 500}' >$D/set.out 2>&1 ||
	fail "cli.py set-config: $(cat $D/set.out)"

# Both groups, by cli.py and by tw-stat, during a flood
tw-stat -j events --stats >$D/t-events.json 2>$D/te.err &
TE=$!
sleep 1
n0=$(genl_socks)
ynl --subscribe stats --sleep 15 >$D/y-ntf-stats.json 2>$D/ys.err &
YS=$!
ynl --subscribe events --sleep 15 >$D/y-ntf-events.json 2>$D/ye.err &
YE=$!
i=0
until [ "$(genl_socks)" -ge $((n0 + 2)) ]; do
	i=$((i + 1)); [ $i -gt 300 ] && fail "cli.py did not subscribe: $(cat $D/ys.err $D/ye.err)"
	sleep 0.1
done
sleep 1
tf=$(date +%s)
# Outgoing pools first (client-side TIME_WAIT), then a server-side flood
# past tcp_max_tw_buckets
start_server --port 8101 --close client
client --connect 127.0.0.1:8101 --count 60 --concurrency 2 --close client >/dev/null
stop_server
start_server --port 8100 --close server
client --connect 127.0.0.1:8100 --count 400 --concurrency 4 --close server >/dev/null
stop_server
settle
o=$(nstat_abs TcpExtTCPTimeWaitOverflow)
[ "$o" -gt 0 ] || fail "the flood did not overflow"

# Nothing is born or dies from here until 60 s after the flood began:
# tw-stat before and after, cli.py's calls in between, all at once (the
# subscribers are still listening)
t0=$(date +%s)
for v in show dests services socks; do
	tw-stat -j $v >$D/t-$v-a.json || fail "tw-stat -j $v"
done
ynl --do get-stats >$D/y-stats-do.json 2>$D/e1 &
P1=$!
ynl --dump get-stats --json '{"all-netns": true}' >$D/y-stats-dump.json 2>$D/e2 &
P2=$!
ynl --dump get-dests >$D/y-dests.json 2>$D/e3 &
P3=$!
ynl --dump get-services >$D/y-services.json 2>$D/e4 &
P4=$!
ynl --dump get-socks >$D/y-socks.json 2>$D/e5 &
P5=$!
ynl --do get-config >$D/y-config.json 2>$D/e6 &
P6=$!
for p in $P1 $P2 $P3 $P4 $P5 $P6; do
	wait $p || fail "cli.py failed: $(cat $D/e1 $D/e2 $D/e3 $D/e4 $D/e5 $D/e6)"
done
for v in show dests services socks; do
	tw-stat -j $v >$D/t-$v-b.json || fail "tw-stat -j $v"
done
t1=$(date +%s)
echo "flood at ${tf}, snapshots at $t0, cli.py calls and tw-stat around them: $((t1 - t0))s"
[ $((t1 - tf)) -lt 55 ] || fail "$((t1 - tf))s from the flood to the end of the snapshots: sockets may have expired in it"
assert_eq "live after the window vs sockstat" "$(sockstat_tw_now)" "$(jq .live $D/t-show-b.json)"
wait $YS || fail "cli.py --subscribe stats: $(cat $D/ys.err)"
wait $YE || fail "cli.py --subscribe events: $(cat $D/ye.err)"
sleep 1
kill $TE
wait $TE 2>/dev/null

P=/sys/module/twmon/parameters
printf '{"version": "%s", "max_dests": %s, "max_services": %s, "max_entries": %s, "interval": 500}\n' \
	"$(cat /sys/module/twmon/version)" "$(cat $P/max_dests)" "$(cat $P/max_services)" \
	"$(cat $P/max_entries)" >$D/t-sys.json
python3 /twmon/tests/vm/ynl/compare.py $D "$INUM" || {
	for f in $D/*.json; do echo "--- $f"; head -c 1500 "$f"; echo; done
	fail "cli.py and tw-stat disagree"
}

# The README's examples
out=$(python3 /twmon/tests/vm/ynl/example-ynl.py /twmon/ynl /twmon/ynl/twmon.yaml 2>&1) ||
	fail "example-ynl.py: $out"
echo "$out" | head -n 3
live=$(tws .live)
echo "$out" | grep -q "^live $live overflow $o " || fail "example-ynl.py: live $live overflow $o not in: $out"
echo "$out" | grep -q "^pool " || fail "example-ynl.py printed no pool: $out"
out=$(python3 /twmon/tests/vm/ynl/example-pyroute2.py 2>&1) || fail "example-pyroute2.py: $out"
echo "$out"
assert_eq "example-pyroute2.py" "netns $INUM live $live overflow $o" "$out"
unload_twmon

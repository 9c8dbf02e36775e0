#!/bin/sh
# Per-cgroup attribution (cgroups=1): two cgroups, one like a systemd
# service and one nested like a container, each make their own TIME_WAIT;
# each cgroup's figures equal its own load generator's, the cgroups add up
# to sockstat, a process moved mid-flood is counted where each socket was
# made, a removed cgroup keeps its counts while its sockets live, and a
# caller in a cgroup namespace sees its own subtree and one "other" row.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

need_cgroup2
ID=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
SVC=api.service
BOX=box/docker-$ID.scope
for c in $SVC $BOX box moved-from moved-to; do
	rmdir $CG/$c 2>/dev/null
done
mkdir -p $CG/$SVC $CG/$BOX $CG/moved-from $CG/moved-to

cg_id() { stat -c %i "$CG/$1"; }
# cgf ID FIELD: a figure of one cgroup from tw-stat cgroups -j
# (0 for a row that is not there); cgpath ID: its path, null if none
cgf() { jq -r --argjson id "$1" "[.[] | select(.cgroup_id == \$id)][0].$2 // 0" /tmp/cg.json; }
cgpath() { jq -r --argjson id "$1" '[.[] | select(.cgroup_id == $id)][0].path' /tmp/cg.json; }
cgroups_json() { still_read /tmp/cg.json tw-stat -j cgroups; }

N=$((400 / ${TWMON_SLOW:-1}))
sysctl -qw net.ipv4.ip_local_port_range="40000 40199"
sysctl -qw net.ipv4.tcp_tw_reuse=0
kernel_log_mark
load_twmon cgroups=1
dmesg | grep -q 'cgroups at inet_twsk_hashdance' || fail "load line names no cgroup probe: $(dmesg | grep twmon | tail -n 2)"
svc=$(cg_id $SVC)
box=$(cg_id $BOX)
tw0=$(nstat_abs TcpExtTW)

# The service: a server that closes first (its sockets, cloned from its
# listener, are in its cgroup); its clients run in the root cgroup
rm -f /tmp/ready
sh -c "$IN_CG" $CG/$SVC tw-load server --port 8080 --close server --ready-file /tmp/ready >/tmp/svc.json 2>/dev/null &
SVC_PID=$!
i=0
while [ ! -e /tmp/ready ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
client --connect 127.0.0.1:8080 --count $N --concurrency 8 --close server >/dev/null
kill $SVC_PID
wait $SVC_PID
served=$(jq .served /tmp/svc.json)
assert_eq "service connections" $N "$served"
settle
tw_svc=$(( $(nstat_abs TcpExtTW) - tw0 ))
[ "$tw_svc" = 0 ] && tw_svc=$served	# 5.10 counts expiries (see 10-server-close-v4)

# The container: SO_LINGER 0 aborts, then client closes until the ports
# toward one destination run out (200 in the range); the events name it
tw-stat -j events >/tmp/ev.json 2>/tmp/ev.err &
EV=$!
sleep 1.5
start_server --port 8083 --close client
sh -c "$IN_CG" $CG/$BOX tw-load client --connect 127.0.0.1:8083 --count 50 --close client --linger0 >/tmp/linger.json 2>/dev/null
sh -c "$IN_CG" $CG/$BOX tw-load client --connect 127.0.0.1:8083 --count 300 --close client >/tmp/box.json 2>/dev/null
stop_server
settle
sleep 1.5	# an interval past the flood
kill $EV
wait $EV 2>/dev/null
ev() { jq -s "[.[] | select(.type == \"$1\")][0].cgroup_id" /tmp/ev.json; }
assert_eq "pool-high names the container" "$box" "$(ev pool-high)"
assert_eq "eaddrnotavail-begin names the container" "$box" "$(ev eaddrnotavail-begin)"
assert_eq "linger-abort names the container" "$box" "$(ev linger-abort)"
aborts=$(jq .completed /tmp/linger.json)
box_done=$(jq .completed /tmp/box.json)
box_fail=$(jq .eaddrnotavail /tmp/box.json)
[ "$box_fail" -gt 0 ] || fail "the container's client saw no EADDRNOTAVAIL"

cgroups_json
jq -c -M ".[]" /tmp/cg.json
tw-stat cgroups
assert_eq "service entered vs nstat TcpExtTW" "$tw_svc" "$(cgf "$svc" entered)"
assert_eq "service live vs entered - ended" "$(( $(cgf "$svc" entered) - $(cgf "$svc" ended) ))" \
	"$(cgf "$svc" live)"
assert_eq "service path" "/$SVC" "$(cgpath "$svc")"
assert_eq "container entered vs its completed connections" "$box_done" "$(cgf "$box" entered)"
assert_eq "container live vs entered - ended" "$(( $(cgf "$box" entered) - $(cgf "$box" ended) ))" \
	"$(cgf "$box" live)"
assert_eq "container EADDRNOTAVAIL vs its load generator" "$box_fail" \
	"$(cgf "$box" connect_eaddrnotavail)"
assert_eq "container SO_LINGER 0 aborts vs its load generator" "$aborts" "$(cgf "$box" linger_abort)"
assert_eq "service made no aborts" 0 "$(cgf "$svc" linger_abort)"
assert_eq "container path" "/$BOX" "$(cgpath "$box")"
tw-stat cgroups | grep -q "/box/docker-0123456789ab.scope " ||
	fail "container id not shortened: $(tw-stat cgroups)"
assert_eq "no socket of unknown cgroup" 0 "$(cgf 0 live)"
assert_eq "cgroups add up to sockstat" "$STILL_TW" "$(jq '[.[].live] | add' /tmp/cg.json)"
assert_eq "namespace EADDRNOTAVAIL" "$box_fail" "$(tws .connect_eaddrnotavail)"
# tw-stat watch has a cgroup panel, the same rows
tw-stat watch --iterations 1 | grep -q '^TOP CGROUPS' || fail "no cgroup panel in tw-stat watch"
# (both read while sockstat stands still: the flood may be expiring)
cgroups_and_watch() { tw-stat -j cgroups >/tmp/cg.json && tw-stat -j watch --iterations 1; }
still_read /tmp/watch.json cgroups_and_watch
assert_eq "tw-stat watch: the container's live" "$(cgf "$box" live)" \
	"$(jq --argjson id "$box" '[.cgroups[] | select(.cgroup_id == $id)][0].live' /tmp/watch.json)"

# One pool shared by both: tw-stat dests --by-cgroup splits it
start_server --port 8085 --close client
sh -c "$IN_CG" $CG/$SVC tw-load client --connect 127.0.0.1:8085 --count 60 --close client \
	>/tmp/p-svc.json 2>/dev/null
sh -c "$IN_CG" $CG/$BOX tw-load client --connect 127.0.0.1:8085 --count 40 --close client \
	>/tmp/p-box.json 2>/dev/null
stop_server
settle
tw-stat dests --by-cgroup --dport 8085
tw-stat -j dests --by-cgroup --dport 8085 >/tmp/pools.json || fail "tw-stat dests --by-cgroup failed"
pc() { jq -r --argjson id "$1" "[.[] | select(.rport == 8085 and .cgroup_id == \$id)][0].count // 0" /tmp/pools.json; }
p_svc=$(pc "$svc")
p_box=$(pc "$box")
pool=$(tws '[.[] | select(.rport == 8085)][0].count' dests)
alive=$(ss_tw_count dport = :8085)
assert_eq "pool by cgroup adds up to the pool" "$pool" $((p_svc + p_box))
assert_eq "pool vs ss" "$alive" "$pool"
done_svc=$(jq .completed /tmp/p-svc.json)
done_box=$(jq .completed /tmp/p-box.json)
if [ "$alive" = $((done_svc + done_box)) ]; then
	assert_eq "the service's share of the pool vs its load generator" "$done_svc" "$p_svc"
	assert_eq "the container's share of the pool vs its load generator" "$done_box" "$p_box"
else	# a socket ended early (an RST, see 10-server-close-v4): bounds only
	[ "$p_svc" -le "$done_svc" ] && [ "$p_box" -le "$done_box" ] ||
		fail "pool shares $p_svc / $p_box above the connections $done_svc / $done_box"
fi
assert_eq "pool path of the container" "/$BOX" \
	"$(jq -r --argjson id "$box" '[.[] | select(.cgroup_id == $id)][0].path' /tmp/pools.json)"
# --cgroup: one cgroup's shares, filtered in the kernel (by path or by id)
tw-stat -j dests --by-cgroup --dport 8085 --cgroup "/$BOX" >/tmp/pools1.json ||
	fail "tw-stat dests --by-cgroup --cgroup failed"
assert_eq "--cgroup PATH: the container's share only" "$p_box" "$(jq '[.[].count] | add' /tmp/pools1.json)"
assert_eq "--cgroup PATH: one row" 1 "$(jq length /tmp/pools1.json)"
assert_eq "--cgroup ID: the service's share only" "$p_svc" \
	"$(tw-stat -j dests --by-cgroup --dport 8085 --cgroup "$svc" | jq '[.[].count] | add')"
out=$(tw-stat dests --cgroup "$svc" 2>&1) && fail "dests --cgroup without --by-cgroup succeeded: $out"
assert_match "dests --cgroup needs --by-cgroup" "with --by-cgroup" "$out"
out=$(tw-stat cgroups --cgroup /no/such.service 2>&1) && fail "cgroups --cgroup of no cgroup succeeded: $out"
assert_match "cgroups --cgroup of no cgroup" "no such cgroup" "$out"
tw-stat -j cgroups --cgroup "$BOX" >/tmp/cg1.json || fail "tw-stat cgroups --cgroup failed"
assert_eq "cgroups --cgroup: one row" "$box" "$(jq '.[].cgroup_id' /tmp/cg1.json)"
assert_eq "cgroups --cgroup: its share is of the namespace" true "$(jq '.[0].share_pct < 100' /tmp/cg1.json)"
cgroups_json

# both_still CMD...: CMD's output into /tmp/cgns.json and root's view into
# /tmp/cg.json, with no socket dead between them (the service's first
# sockets may be expiring meanwhile on a slow guest)
both_still() {
	_try=0
	while :; do
		still_read /tmp/cgns.json "$@"
		_t=$STILL_TW
		cgroups_json
		[ "$STILL_TW" = "$_t" ] && return 0
		_try=$((_try + 1))
		[ $_try -lt 10 ] || fail "sockstat never steady across two reads of $*"
	done
}

# Inside a cgroup namespace rooted at box/, without CAP_SYS_ADMIN in the
# initial user namespace (a user namespace's root): paths relative to its
# root, every cgroup outside it summed in one "other" row
# (the namespace's root is the cgroup of the process that makes it: box/,
# which may hold a process beside its child, no controller being enabled)
both_still sh -c "$IN_CG" $CG/box /usr/bin/unshare -U -r -C -m sh -c \
	'mount -t tmpfs none /sys/fs && mkdir /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && tw-stat -j cgroups && tw-stat cgroups >&2' \
	2>/tmp/cgns.err
cat /tmp/cgns.err
ns() { jq -r "$1" /tmp/cgns.json; }
assert_eq "cgroup namespace: container's path relative to its root" "/docker-$ID.scope" \
	"$(ns "[.[] | select(.cgroup_id == $box)][0].path")"
assert_eq "cgroup namespace: the service is not listed" 0 "$(ns "[.[] | select(.cgroup_id == $svc)] | length")"
assert_eq "cgroup namespace: other row holds the service's live" "$(cgf "$svc" live)" \
	"$(ns '[.[] | select(.other)][0].live')"
sh -c "$IN_CG" $CG/box /usr/bin/unshare -U -r -C tw-stat -j dests --by-cgroup --dport 8085 \
	>/tmp/cgns-pools.json || fail "tw-stat dests --by-cgroup in a cgroup namespace failed"
assert_eq "cgroup namespace: the pool's service share is other" "$p_svc" \
	"$(jq '[.[] | select(.other)][0].count' /tmp/cgns-pools.json)"
assert_eq "cgroup namespace: the pool's container share" "$p_box" \
	"$(jq --argjson id "$box" '[.[] | select(.cgroup_id == $id)][0].count' /tmp/cgns-pools.json)"
assert_eq "cgroup namespace: rows add up to sockstat" "$STILL_TW" "$(ns '[.[].live] | add')"
grep -q '(other: outside this cgroup namespace)' /tmp/cgns.err || fail "no other row in text"
# with CAP_SYS_ADMIN (root of the initial user namespace) in the same cgroup namespace: every row
both_still sh -c "$IN_CG" $CG/box /usr/bin/unshare -C tw-stat -j cgroups
assert_eq "cgroup namespace, CAP_SYS_ADMIN: no other row" 0 "$(ns '[.[] | select(.other)] | length')"
assert_eq "cgroup namespace, CAP_SYS_ADMIN: service listed" "$(cgf "$svc" live)" \
	"$(ns "[.[] | select(.cgroup_id == $svc)][0].live")"

# One service port served in turn from both (a restart into another
# cgroup): tw-stat services --by-cgroup splits it
for c in $SVC $BOX; do
	start_server_in $CG/$c --port 8086 --close server
	client --connect 127.0.0.1:8086 --count $([ $c = $SVC ] && echo 30 || echo 20) \
		--concurrency 4 --close server >/dev/null
	stop_server
done
settle
tw-stat services --by-cgroup --sport 8086
tw-stat -j services --by-cgroup --sport 8086 >/tmp/svcs.json || fail "tw-stat services --by-cgroup failed"
sc() { jq -r --argjson id "$1" "[.[] | select(.lport == 8086 and .cgroup_id == \$id)][0].count // 0" /tmp/svcs.json; }
s86=$(tws '[.[] | select(.lport == 8086)][0].count' services)
assert_eq "service by cgroup adds up to the service" "$s86" $(($(sc "$svc") + $(sc "$box")))
assert_eq "service on 8086 vs ss" "$(ss_tw_count sport = :8086)" "$s86"
# (the container's clients come back from ports of the service's TIME_WAIT
# sockets and their SYNs take some over: bounds only)
[ "$(sc "$svc")" -gt 0 ] && [ "$(sc "$svc")" -le 30 ] && [ "$(sc "$box")" -gt 0 ] &&
	[ "$(sc "$box")" -le 20 ] || fail "service 8086 shares $(sc "$svc") / $(sc "$box") of 30 / 20"
assert_eq "services --cgroup: the container's share only" "$(sc "$box")" \
	"$(tw-stat -j services --by-cgroup --sport 8086 --cgroup "/$BOX" | jq '[.[].count] | add')"
cgroups_json

# A process moved mid-flood: each socket counts where it was made
start_server --port 8084 --close client
sh -c "$IN_CG" $CG/moved-from tw-load client --connect 127.0.0.1:8084 --count 150 --rate 100 --close client \
	>/tmp/moved.json 2>/dev/null &
MOVED=$!
sleep 0.7
echo $MOVED >$CG/moved-to/cgroup.procs
wait $MOVED
stop_server
settle
moved_done=$(jq .completed /tmp/moved.json)
from=$(cg_id moved-from)
to=$(cg_id moved-to)
cgroups_json
f=$(cgf "$from" entered)
t=$(cgf "$to" entered)
echo "moved: $f before, $t after, of $moved_done"
assert_eq "moved process: before + after vs completed" "$moved_done" $((f + t))
[ "$f" -gt 0 ] && [ "$t" -gt 0 ] || fail "moved process: $f before the move, $t after (both > 0 expected)"

# A removed cgroup keeps its sockets' counts until they die
rmdir $CG/moved-from
cgroups_json
assert_eq "removed cgroup still counted" "$f" "$(cgf "$from" live)"
assert_eq "removed cgroup has no path" null "$(cgpath "$from")"
tw-stat cgroups | grep -q "(id $from: removed" || fail "removed cgroup not shown as such: $(tw-stat cgroups)"
ss -K -tanH state time-wait dport = :8084 >/dev/null 2>&1
settle
cgroups_json
if [ "$(ss_tw_count dport = :8084)" = 0 ]; then
	assert_eq "removed cgroup: none live once killed" 0 "$(cgf "$from" live)"
	assert_eq "moved-to: ended vs entered once killed" "$t" "$(cgf "$to" ended)"
else
	echo "ss -K destroyed nothing (no sock_diag destroy here): removal not checked further"
fi
assert_eq "no socket of unknown cgroup" 0 "$(cgf 0 live)"
assert_eq "cgroups add up to sockstat" "$STILL_TW" "$(jq '[.[].live] | add' /tmp/cg.json)"
check_invariant
unload_twmon

# Without cgroups=1: one clear error, exit 1
load_twmon
out=$(tw-stat cgroups 2>&1) && fail "tw-stat cgroups succeeded without cgroups=1: $out"
assert_match "error names the parameter" "cgroups=1" "$out"
out=$(tw-stat dests --by-cgroup 2>&1) && fail "tw-stat dests --by-cgroup succeeded without cgroups=1: $out"
assert_match "dests --by-cgroup: error names the parameter" "cgroups=1" "$out"
tw-stat watch --iterations 1 >/tmp/watch.txt || fail "tw-stat watch failed without cgroups=1"
grep -q 'TOP CGROUPS' /tmp/watch.txt && fail "a cgroup panel without cgroups=1"
unload_twmon

# A service's and a pool's sockets of no known cgroup (alive at load),
# then a cgroup's (the service's clients from another address, ports
# picked at connect(): no SYN takes one over): --by-cgroup gives the first
# as cgroup 0, "(unknown)", and the split adds up
start_server --port 8087 --close server
client --connect 127.0.0.1:8087 --count 20 --concurrency 4 --close server >/dev/null
stop_server
start_server --port 8088 --close client
pool_before=$(client --connect 127.0.0.1:8088 --count 20 --close client | jq .completed)
load_twmon cgroups=1
pool_after=$(sh -c "$IN_CG" $CG/$SVC tw-load client --connect 127.0.0.1:8088 --count 30 --close client |
	jq .completed)
stop_server
start_server_in $CG/$SVC --port 8087 --close server
done87=$(client --connect 127.0.0.1:8087 --bind 127.0.0.2 --bind-no-port --count 30 --concurrency 4 --close server |
	jq .completed)
stop_server
settle
tw-stat services --by-cgroup --sport 8087 | tee /tmp/svcs87.txt
grep -q '(unknown)' /tmp/svcs87.txt || fail "no (unknown) row for the sockets alive at load"
still_read /tmp/svcs87.json tw-stat -j services --by-cgroup --sport 8087
sc() { jq -r --argjson id "$1" "[.[] | select(.lport == 8087 and .cgroup_id == \$id)][0].count // 0" /tmp/svcs87.json; }
# ss tells them apart by client address (a socket may end early, see
# 10-server-close-v4)
ss_svc=$(ss_tw_count sport = :8087 dst 127.0.0.2)
ss_unknown=$(ss_tw_count sport = :8087 dst 127.0.0.1)
echo "service 8087: unknown $(sc 0), service $(sc "$svc") of $done87; ss $ss_unknown, $ss_svc"
assert_eq "service 8087: its cgroup's share (after the unknown first) vs ss" "$ss_svc" "$(sc "$svc")"
assert_eq "service 8087: the unknown share (alive at load) vs ss" "$ss_unknown" "$(sc 0)"
[ "$(sc 0)" -gt 0 ] && [ "$(sc "$svc")" -gt 0 ] || fail "service 8087: an empty share"
tw-stat dests --by-cgroup --dport 8088 | tee /tmp/pools88.txt
grep -q '(unknown)' /tmp/pools88.txt || fail "no (unknown) pool row for the sockets alive at load"
still_read /tmp/pools88.json tw-stat -j dests --by-cgroup --dport 8088
pc() { jq -r --argjson id "$1" "[.[] | select(.rport == 8088 and .cgroup_id == \$id)][0].count // 0" /tmp/pools88.json; }
echo "pool 8088: unknown $(pc 0) of $pool_before, service $(pc "$svc") of $pool_after"
assert_eq "pool 8088: the unknown share (alive at load) vs its load generator" "$pool_before" "$(pc 0)"
assert_eq "pool 8088: the cgroup's share vs its load generator" "$pool_after" "$(pc "$svc")"
assert_eq "pool 8088: the split vs ss" "$(ss_tw_count dport = :8088)" "$(jq '[.[].count] | add' /tmp/pools88.json)"
unload_twmon
rmdir $CG/moved-to $CG/$SVC $CG/$BOX $CG/box
kernel_log_clean

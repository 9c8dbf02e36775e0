#!/bin/sh
# timeout: 120
# Privilege (issue 10): an unprivileged user (nobody) and root in a user
# namespace (unshare -Urn) read their own namespace's stats; they cannot
# read another namespace (TWMON_A_NETNS_INUM, --all-netns: EPERM), cannot
# SET_CONFIG (EPERM), and receive multicast only for their own namespace
# while another one (pa, flooding, with its own subscriber) is busy.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh

ip netns add pa || fail "ip netns add"
ip -n pa link set lo up
# pa overflows: events as well as snapshots there
ip netns exec pa sysctl -qw net.ipv4.tcp_max_tw_buckets=50
load_twmon
HOST=$(stat -L -c %i /proc/self/ns/net)
PA=$(stat -L -c %i /run/netns/pa)
ip netns exec pa tw-load server --port 9500 --close server --duration-ms 600000 >/dev/null 2>&1 &
sleep 0.5
ip netns exec pa sh -c 'while :; do tw-load client --connect 127.0.0.1:9500 --close server \
	--count 200 --concurrency 2 --rate 100 >/dev/null 2>&1; done' &
ip netns exec pa tw-stat events -j --stats >/tmp/pa.jsonl 2>&1 &
NOBODY="tw-fuzz as 65534"

# denied: the message must say so (EPERM)
denied() {
	_what=$1
	shift
	_out=$("$@" 2>&1) && fail "$_what: allowed: $_out"
	printf '%s\n' "$_out" | grep -qi 'not permitted\|EPERM\|CAP_NET_ADMIN' ||
		fail "$_what: refused, but not with EPERM: $_out"
	echo "ok $_what: refused"
}

# --- nobody in the host namespace
out=$($NOBODY tw-stat -j) || fail "nobody: tw-stat: $out"
assert_eq "nobody: its own namespace" "$HOST" "$(echo "$out" | jq .netns_inum)"
$NOBODY tw-fuzz stats >/dev/null || fail "nobody: GET_STATS"
$NOBODY tw-fuzz stats --netns-inum "$HOST" >/dev/null || fail "nobody: GET_STATS naming its own namespace"
denied "nobody: GET_STATS of pa" $NOBODY tw-fuzz stats --netns-inum "$PA"
denied "nobody: --all-netns" $NOBODY tw-stat -j --all-netns
denied "nobody: SET_CONFIG" $NOBODY tw-fuzz set --interval 500

# --- root in a user namespace with its own network namespace
out=$(unshare -Urn sh -c 'ip() { /usr/sbin/ip "$@"; }; ip link set lo up
	echo "$(stat -L -c %i /proc/self/ns/net) $(tw-stat -j | jq .netns_inum)"') ||
	fail "userns root: tw-stat: $out"
set -- $out
assert_eq "userns root: its own namespace" "$1" "$2"
denied "userns root: GET_STATS of the host namespace" unshare -Urn tw-fuzz stats --netns-inum "$HOST"
denied "userns root: GET_STATS of pa" unshare -Urn tw-fuzz stats --netns-inum "$PA"
denied "userns root: --all-netns" unshare -Urn tw-stat -j --all-netns
denied "userns root: SET_CONFIG" unshare -Urn tw-fuzz set --interval 500
# root in a user namespace, in the host network namespace
denied "userns root (host netns): --all-netns" unshare -Ur tw-stat -j --all-netns
denied "userns root (host netns): SET_CONFIG" unshare -Ur tw-fuzz set --interval 500

# --- multicast: only their own namespace, while pa is busy
wait_for 20 grep -q '"type":"stats"' /tmp/pa.jsonl || fail "pa's subscriber got nothing"
# (busybox timeout sends SIGTERM: tw-stat events exits 0)
$NOBODY timeout 5 tw-stat events -j --stats >/tmp/nobody.jsonl 2>&1 ||
	fail "nobody: tw-stat events: $(cat /tmp/nobody.jsonl)"
assert_eq "nobody: records of other namespaces" 0 \
	"$(jq -s "[.[] | select(.netns_inum != $HOST)] | length" /tmp/nobody.jsonl)"
[ "$(grep -c '"type":"stats"' /tmp/nobody.jsonl)" -ge 3 ] ||
	fail "nobody: fewer than 3 snapshots in 5 s: $(head -c 300 /tmp/nobody.jsonl)"
unshare -Urn sh -c 'ip() { /usr/sbin/ip "$@"; }; ip link set lo up
	stat -L -c %i /proc/self/ns/net >/tmp/uns.inum
	timeout 5 tw-stat events -j --stats >/tmp/uns.jsonl 2>&1' ||
	fail "userns root: tw-stat events: $(cat /tmp/uns.jsonl)"
[ "$(grep -c '"type":"stats"' /tmp/uns.jsonl)" -ge 3 ] ||
	fail "userns root: fewer than 3 snapshots in 5 s: $(head -c 300 /tmp/uns.jsonl)"
assert_eq "userns root: records of other namespaces" 0 \
	"$(jq -s "[.[] | select(.netns_inum != $(cat /tmp/uns.inum))] | length" /tmp/uns.jsonl)"
grep -q '"type":"overflow-begin"' /tmp/pa.jsonl || fail "pa's subscriber saw no overflow-begin: pa was not busy"
assert_eq "pa's subscriber: records of other namespaces" 0 \
	"$(jq -s "[.[] | select(.netns_inum != $PA)] | length" /tmp/pa.jsonl)"
unload_twmon

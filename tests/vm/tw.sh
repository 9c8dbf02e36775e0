# TIME_WAIT helpers for the accounting suites (busybox sh).
# Sourced after lib.sh. Every figure twmon reports is checked against one it
# did not compute: /proc/net/sockstat, nstat, ss, or the load generator.

# Run the rest of the test in a network namespace of its own: TIME_WAIT
# sockets of earlier tests live on for 60 s, and sysctls set here die
# with it. Call right after sourcing this file.
own_netns() {
	if [ -z "$TW_OWN_NETNS" ]; then
		TW_OWN_NETNS=1 exec unshare -n sh "$0" "$@"
	fi
	ip link set lo up
}

# tw-stat -j [args] | jq FILTER
tws() {
	_f=$1; shift
	tw-stat -j "$@" | jq -r "$_f"
}

# The kernel's own count of TIME_WAIT mini sockets in this namespace
sockstat_tw_now() {
	awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat
}

# ss's count of sockets in state time-wait (FIN_WAIT2 substate excluded)
ss_tw_count() {
	ss -tanH state time-wait "$@" | wc -l
}

# Absolute value of an nstat counter (no history file involved)
nstat_abs() {
	nstat -az --noupdate 2>/dev/null | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# Start a tw-load server in the background; sets SERVER_PID
start_server() {
	start_server_in "" "$@"
}

# start_server_in DIR ARGS...: the same, as a process of cgroup DIR
start_server_in() {
	_cg=$1
	shift
	rm -f /tmp/ready
	if [ -n "$_cg" ]; then
		sh -c "$IN_CG" "$_cg" tw-load server --ready-file /tmp/ready "$@" \
			>/tmp/server.json 2>/tmp/server.err &
	else
		tw-load server --ready-file /tmp/ready "$@" >/tmp/server.json 2>/tmp/server.err &
	fi
	SERVER_PID=$!
	i=0
	while [ ! -e /tmp/ready ]; do
		i=$((i + 1))
		[ $i -gt 100 ] && fail "tw-load server did not start: $(cat /tmp/server.err)"
		sleep 0.1
	done
}

stop_server() {
	kill "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	return 0
}

# Run a client; its JSON summary goes to /tmp/client.json
client() {
	tw-load client "$@" >/tmp/client.json 2>/tmp/client.err ||
		[ $? -eq 0 ] || true
	cat /tmp/client.json
}

cj() {
	jq -r "$1" /tmp/client.json
}

# Wait until live TIME_WAIT stops changing (closes in flight have landed)
settle() {
	prev=-1
	for _i in 1 2 3 4 5 6 7 8 9 10; do
		cur=$(sockstat_tw_now)
		[ "$cur" = "$prev" ] && return 0
		prev=$cur
		sleep 0.5
	done
}

# tw_stat_v LABEL: the figure on tw-stat -V's line "LABEL N"
tw_stat_v() {
	tw-stat -V | awk -v l="$1" 'index($0, l " ") == 1 { print $NF }'
}

# assert_missed LABEL EXPECTED GOT: a figure counted by socket equals
# EXPECTED exactly when no probe hit was missed, else within the hits
# missed (each costs one socket's place: a debug kernel's slow handlers
# are interrupted by the next hit more often than a stock kernel's)
assert_missed() {
	_missed=$(tw_stat_v "probe hits missed")
	if [ "${_missed:-0}" = 0 ]; then
		assert_eq "$1" "$2" "$3"
		return
	fi
	echo "$1: probe hits missed: $_missed (figures by socket may be off by as many)"
	_d=$(($2 - $3)); [ $_d -lt 0 ] && _d=$((-_d))
	[ $_d -le "$_missed" ] || fail "$1: expected $2, got $3: off by more than the $_missed hits missed"
}

# seeded + entered == live + sum(ended) and sum(ages) == live (see
# assert_missed); live == sockstat always (it is the kernel's own count).
# Read while nothing moves: sockstat the same before and after tw-stat
# (a slow or starved guest may still be closing the last connections
# when settle gave up waiting: read again, up to 20 s).
check_invariant() {
	_try=0
	while :; do
		_s1=$(sockstat_tw_now)
		tw-stat -j >/tmp/stats.json || fail "tw-stat -j failed"
		_s2=$(sockstat_tw_now)
		[ "$_s1" = "$_s2" ] && break
		_try=$((_try + 1))
		[ $_try -lt 20 ] || fail "sockstat never steady: $_s1 before tw-stat, $_s2 after"
		sleep 1
	done
	live=$(jq .live /tmp/stats.json)
	assert_eq "live vs /proc/net/sockstat tw" "$_s1" "$live"
	assert_missed "seeded+entered vs live+ended" "$(jq '.seeded + .entered' /tmp/stats.json)" \
		"$(jq '.live + ([.ended[] | numbers] | add)' /tmp/stats.json)"
	assert_missed "sum(ages) vs live" "$live" "$(jq '[.ages[].count] | add' /tmp/stats.json)"
}

# still_read FILE CMD...: CMD's output into FILE, read while sockstat
# stands still (no socket born or dead meanwhile), so that its figures can
# be held against sockstat's: sets STILL_TW to that figure (sockets of an
# earlier flood may be expiring, all the more on a slow guest)
still_read() {
	_f=$1
	shift
	_try=0
	while :; do
		STILL_TW=$(sockstat_tw_now)
		"$@" >"$_f" || fail "$*: $(cat "$_f")"
		[ "$(sockstat_tw_now)" = "$STILL_TW" ] && return 0
		_try=$((_try + 1))
		[ $_try -lt 20 ] || fail "sockstat never steady around $*"
		sleep 0.5
	done
}

# The cgroup2 file system, mounted at $CG if it is not yet, or skip
CG=/sys/fs/cgroup
need_cgroup2() {
	[ -e $CG/cgroup.procs ] || mount -t cgroup2 none $CG || skip "no cgroup2 file system"
	[ -e $CG/cgroup.procs ] || skip "$CG is not cgroup2"
}
# sh -c "$IN_CG" DIR CMD...: run CMD as a process of cgroup DIR (its own
# pid, so that a background one can be killed and moved)
IN_CG='echo $$ >"$0/cgroup.procs" && exec "$@"'

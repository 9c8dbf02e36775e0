#!/bin/sh
# timeout: 280
# tw-fuzz: STRESS_FUZZ (default 200000) random netlink messages to family
# twmon, valid and invalid (commands, attribute types, lengths, nesting,
# flags, truncation), as root, as an unprivileged user (nobody) and as
# root in a user namespace (unshare -Urn). Seeds are printed (set
# STRESS_SEED to replay one). No kernel report, and a plain GET_STATS
# still answers with live equal to sockstat. The module counts cgroups
# (cgroups=1), so that their dumps are fuzzed too, with a service served
# from two cgroups (its split rows).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

N=$(stress_n FUZZ 200000)
SEED=$(stress_n SEED 0)
need_cgroup2
mkdir -p $CG/fuzz.service
load_twmon cgroups=1
# something to dump: TIME_WAIT sockets on both sides, IPv4 and IPv6
start_server --port 9400 --close server
client --connect 127.0.0.1:9400 --count 30 --close server >/dev/null
stop_server
start_server_in $CG/fuzz.service --port 9400 --close server
client --connect 127.0.0.1:9400 --bind 127.0.0.2 --bind-no-port --count 20 --close server >/dev/null
stop_server
start_server --port 9401 --family inet6 --close client
client --connect "[::1]:9401" --count 30 --close client >/dev/null
stop_server
settle
kernel_log_mark
run() {
	_t0=$(ms_now)
	"$@" >/tmp/fuzz.out 2>&1
	_rc=$?
	cat /tmp/fuzz.out
	echo "($* : $(($(ms_now) - _t0)) ms)"
	[ $_rc = 0 ] || fail "$*: exit $_rc"
	grep -q '^sent [1-9]' /tmp/fuzz.out || fail "$*: sent nothing"
}
run tw-fuzz fuzz --count "$N" --seed "$SEED"
kernel_log_clean
run tw-fuzz fuzz --count "$N" --seed "$SEED" --user 65534
kernel_log_clean
run unshare -Urn tw-fuzz fuzz --count "$N" --seed "$SEED"
kernel_log_clean
# root's fuzzing may have set anything: back to the defaults
tw-fuzz set --interval 1000 --buckets-wm 80 --pool-wm 80 || fail "SET_CONFIG after fuzzing"
tw-fuzz config | grep -q '^stats_interval_ms 1000$' || fail "config after fuzzing: $(tw-fuzz config)"
check_invariant
# (on a slow debug kernel the fuzzing outlasts their 60 s: then none is left)
# (a server's socket may end early, see accounting/10-server-close-v4)
tw=$(sockstat_tw_now)
[ "$tw" -le 80 ] && { [ "$tw" -ge 70 ] || [ "${TWMON_SLOW:-1}" -gt 1 ]; } ||
	fail "sockstat says $tw TIME_WAIT sockets, the floods made 80"
unload_twmon
rmdir $CG/fuzz.service
kernel_log_clean

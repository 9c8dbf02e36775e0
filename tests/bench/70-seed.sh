#!/bin/sh
# timeout: 3000
# Benchmark 7, the pause at load and unload (issue 10, defect 11): many
# live TIME_WAIT sockets (BENCH_SEED_TW, default 100,000: half closed by
# the client to 10,000 destinations, half by the server from 10,000
# clients), then insmod and rmmod, each run under a stall probe
# (tw-time --latency: a SCHED_FIFO process waking every 1 ms notes how
# late it wakes; a late wake-up is time the CPU could not be taken, as a
# stop_machine or a long walk under a lock would show). Figures per round:
# insmod and rmmod time, the longest stall during each, the same probe
# around a user-space CPU burner of the same length (the baseline), and
# the module's own report ("N TIME_WAIT sockets alive at load (K hash
# tables, T us)") with sockstat's count beside it. Level 0 first: the
# same with no TIME_WAIT socket, and tcp_diag's rmmod and insmod as a
# reference for what any module's unload and load costs.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
sysctl -qw net.ipv4.tcp_max_tw_buckets=1048576
start_servers
set_variant bare
TARGET=${BENCH_SEED_TW:-100000}
n=$BENCH_ROUNDS
[ "$n" -gt 3 ] && n=3
emit meta seed_tw_target "$TARGET"

# probe LEVEL ROUND WHAT CMD...: run CMD under the stall probe, then a
# user-space burner as long as CMD took under the same probe
probe() {
	_lv=$1 _r=$2 _w=$3
	shift 3
	_o=$(tw-time --latency 1000 "$@") || fail "$_w: $_o"
	set -- $_o
	emit sample seed-$_lv-$_w-ns $_r time "$1"
	emit sample seed-$_lv-$_w-stall $_r cmd "$2"
	emit sample seed-$_lv-$_w-wakeups $_r cmd "$3"
	_ms=$(($1 / 1000000 + 1))
	_o=$(tw-time --latency 1000 tw-time --spin $_ms) || fail "baseline probe: $_o"
	set -- $_o
	emit sample seed-$_lv-$_w-stall $_r spin "$2"
}

# one_level LEVEL: rounds of insmod + rmmod with the sockets as they are
one_level() {
	r=1
	while [ $r -le "$n" ]; do
		tw0=$(sockstat_tw)
		probe "$1" $r insmod insmod "$TWMON_KO"
		line=$(dmesg | grep 'alive at load' | tail -n 1)
		[ -n "$line" ] || fail "no 'alive at load' line: $(dmesg | tail -n 3)"
		seeded=$(echo "$line" | sed -n 's/.*twmon: \([0-9]*\) TIME_WAIT.*/\1/p')
		tables=$(echo "$line" | sed -n 's/.*(\([0-9]*\) hash tables.*/\1/p')
		us=$(echo "$line" | sed -n 's/.* \([0-9]*\) us).*/\1/p')
		emit sample seed-$1-sockstat $r before "$tw0"
		emit sample seed-$1-seeded $r module "$seeded"
		emit sample seed-$1-tables $r module "$tables"
		emit sample seed-$1-walk-us $r module "$us"
		live=$(twj .live)
		emit sample seed-$1-live $r module "$live"
		emit sample seed-$1-sockstat $r loaded "$(sockstat_tw)"
		probe "$1" $r rmmod rmmod twmon
		r=$((r + 1))
	done
}

# Level 0: nothing alive in this namespace (other namespaces' sockets of
# earlier benchmarks are gone: they ran in their own, 60 s ago or more)
wait_tw_zero 75 || fail "TIME_WAIT sockets still alive"
one_level 0

# A reference: another module's unload and load under the same probe
# (tcp_diag, which the guest loaded at boot): what loading a module
# costs the machine without twmon's own work
if [ -e /twmon/kernel/tcp_diag.ko ] && grep -q '^tcp_diag ' /proc/modules; then
	r=1
	while [ $r -le "$n" ]; do
		probe ref $r rmmod rmmod tcp_diag
		probe ref $r insmod insmod /twmon/kernel/tcp_diag.ko
		r=$((r + 1))
	done
fi

# The flood, without the module; connect() slows down when most ports
# of one source are held, hence two kinds over many addresses
half=$((TARGET / 2))
t0=$(uptime_s)
flood client $half --dst-range 127.60.0.1-127.60.39.16
flood server $((TARGET - half)) --dst-range 127.61.0.1-127.61.39.16
settle
have=$(sockstat_tw)
emit sample seed-flood-s 1 guest $(($(uptime_s) - t0))
emit sample seed-flood-alive 1 sockstat "$have"
# 60 s lives: the rounds must start well within them
[ $(($(uptime_s) - t0)) -lt 45 ] || fail "the flood took $(($(uptime_s) - t0)) s: sockets expire"
[ "$have" -ge $((TARGET * 95 / 100)) ] || fail "only $have of $TARGET TIME_WAIT sockets alive"
one_level "$TARGET"
emit sample seed-end-alive 1 sockstat "$(sockstat_tw)"
emit sample seed-end-s 1 guest $(($(uptime_s) - t0))

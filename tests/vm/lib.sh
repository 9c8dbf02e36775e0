# SPDX-License-Identifier: GPL-2.0
# Helpers for the VM tests (busybox sh). Source it first:
#   . /twmon/tests/vm/lib.sh
# A test exits 0 to pass, 77 to skip, anything else to fail.

TWMON_KO=/twmon/kmod/twmon.ko

# busybox sh runs its own applets before anything on PATH, and busybox has
# an `ip` without netns: always the real iproute2 one
ip() {
	/usr/sbin/ip "$@"
}
TWMON_VERSION=$(cat /twmon/VERSION 2>/dev/null)

# Print "FAIL: msg" and fail the test
fail() {
	echo "FAIL: $*"
	exit 1
}

# Skip the test (exit 77)
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_kprobe_events: T=tracefs with kprobe_events (mounted if need be),
# or skip the test
need_kprobe_events() {
	T=/sys/kernel/tracing
	[ -e $T/kprobe_events ] || mount -t tracefs nodev $T 2>/dev/null
	[ -e $T/kprobe_events ] || skip "no tracefs kprobe_events"
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"
}

# assert_ne WHAT UNEXPECTED ACTUAL
assert_ne() {
	[ "$2" != "$3" ] || fail "$1: got '$3', which it must not be"
}

# assert_match WHAT EXTENDED-REGEX TEXT
assert_match() {
	printf '%s\n' "$3" | grep -Eq -- "$2" || fail "$1: '$3' does not match /$2/"
}

# load_twmon [param=value ...]: insmod the module, fail on error
load_twmon() {
	_out=$(insmod "$TWMON_KO" "$@" 2>&1) ||
		fail "insmod twmon.ko $*: $_out; dmesg: $(dmesg | grep twmon | tail -n 3)"
}

# unload_twmon: rmmod the module, fail on error
unload_twmon() {
	_out=$(rmmod twmon 2>&1) || fail "rmmod twmon: $_out"
}

# twmon_loaded: true while the module is loaded
twmon_loaded() {
	[ -d /sys/module/twmon ]
}

# The kernel's count of TIME_WAIT sockets in this namespace (sockstat "tw")
sockstat_tw() {
	awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat
}

# nstat_get NAME: absolute value of an nstat counter (0 if absent);
# -a ignores and -s leaves alone nstat's history file
nstat_get() {
	nstat -az --noupdate 2>/dev/null | awk -v n="$1" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }'
}

# dmesg_clean: fail if the kernel log has a warning, a BUG or a trace
dmesg_clean() {
	_k=$(dmesg | grep -E 'WARNING:|BUG:|Call Trace')
	[ -z "$_k" ] || fail "kernel log: $(printf '%s\n' "$_k" | head -n 5)"
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until COMMAND succeeds
wait_for() {
	_n=$(($1 * 10))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1))
		[ $_n -gt 0 ] || return 1
		sleep 0.1
	done
}

# wait_tw_zero SECONDS: wait until sockstat counts no TIME_WAIT socket in
# this namespace (they live 60 s); false if some are still there
wait_tw_zero() {
	wait_for "$1" _tw_is_zero
}
_tw_is_zero() {
	[ "$(sockstat_tw)" = 0 ]
}

# --- stress helpers (tests/vm/stress) ---------------------------------------

# stress_n NAME DEFAULT: the count a stress test uses, STRESS_NAME from the
# environment (VM_APPEND="STRESS_CYCLES=200" reaches the guest) or DEFAULT
stress_n() {
	eval "_v=\${STRESS_$1:-}"
	echo "${_v:-$2}"
}

# kernel_log_mark, then kernel_log_clean: fail if the kernel logged a
# warning, BUG, oops, trace or corruption report since the mark
kernel_log_mark() {
	_klog_mark=$(dmesg | wc -l)
}
kernel_log_clean() {
	_k=$(dmesg | tail -n +$((${_klog_mark:-0} + 1)) |
		grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|kernel BUG|corruption|refcount_t:|stack-protector|INFO: task .* blocked')
	[ -z "$_k" ] || fail "kernel log: $(printf '%s\n' "$_k" | head -n 8)"
}

# netns_tw NS: sockstat "tw" of network namespace NS (ip netns name)
netns_tw() {
	ip netns exec "$1" awk '/^TCP:/ { for (i = 1; i < NF; i++) if ($i == "tw") print $(i + 1) }' /proc/net/sockstat
}

# rmmod_retry: rmmod twmon, retrying while a dump or a reader holds it
# (EBUSY/EAGAIN) for up to 10 s; fail otherwise
rmmod_retry() {
	_n=0
	until _out=$(rmmod twmon 2>&1); do
		_n=$((_n + 1))
		[ $_n -lt 200 ] || fail "rmmod twmon: $_out (for 10 s)"
		sleep 0.05
	done
}

# ms_now: CLOCK_MONOTONIC-ish milliseconds (uptime)
ms_now() {
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# live_bracketed [NS]: once no new TIME_WAIT socket can be born, sockets
# only expire: sockstat read before tw-stat and after it must bracket
# tw-stat's live (s_after <= live <= s_before); fail otherwise. For
# namespaces where sockets born over a minute ago keep expiring.
live_bracketed() {
	if [ -n "$1" ]; then
		_s1=$(netns_tw "$1")
		_l=$(ip netns exec "$1" tw-stat -j | jq .live)
		_s2=$(netns_tw "$1")
	else
		_s1=$(sockstat_tw)
		_l=$(tw-stat -j | jq .live)
		_s2=$(sockstat_tw)
	fi
	[ "$_s2" -le "$_l" ] && [ "$_l" -le "$_s1" ] ||
		fail "live ${1:+in $1 }is $_l, sockstat $_s1 before and $_s2 after"
	echo "live ${1:+in $1 }$_l, sockstat $_s1 before and $_s2 after"
}

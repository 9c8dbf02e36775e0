#!/bin/sh
# timeout: 200
# Unprivileged users must not stall namespace creation host-wide (issue
# 10, defect 9). Root in a user namespace (unshare -Ur) makes
# STRESS_SUBNS (default 1000; the issue: 200 - 1000) network namespaces, each with a netlink
# socket in both multicast groups (tw-fuzz subscribers), so every
# interval the module has a snapshot and two messages to build for each
# (with max_dests=65536, a table sized for a big server). `unshare -n
# true` back to back for 8 s: with the module loaded, in one of two such
# windows, the 95th percentile must stay within 2x + 300 ms, the median
# within 3x + 100 ms (under TCG the module's work slows the other vCPU
# too) of the same measurement before insmod: creating a namespace must
# not wait for that work. Defect 9 stalled it every interval (1 s), by
# 1-3.5 s: most calls of a window, not one; the worst call alone is TCG's
# noise on a slow host (760-940 ms once, with a 700 ms bound). (With 1,000 namespaces and the default table the walk took
# a few hundred ms under TCG, too close to TCG's own noise.)
. /twmon/tests/vm/lib.sh
# a latency comparison: meaningless on a debug kernel's slow, noisy clock
[ "${TWMON_SLOW:-1}" -gt 1 ] && skip "latency test: stock kernels only (TWMON_SLOW=$TWMON_SLOW)"
. /twmon/tests/vm/tw.sh

N=$(stress_n SUBNS 1000)
# latency: "median p95 max count" of unshare -n true back to back for 8 s, in ms
latency() {
	: >/tmp/lat
	_end=$(($(ms_now) + 8000))
	while :; do
		_a=$(ms_now)
		[ "$_a" -lt "$_end" ] || break
		unshare -n true || fail "unshare -n"
		echo $(($(ms_now) - _a)) >>/tmp/lat
	done
	sort -n /tmp/lat |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[int((NR * 95 + 99) / 100)], v[NR], NR }'
}
kernel_log_mark
t0=$(ms_now)
unshare -Ur tw-fuzz subscribers "$N" >/tmp/subs.out 2>&1 &
SUBS=$!
has() { grep -q "^$1 " /tmp/subs.out; }
wait_for 120 has namespaces || fail "tw-fuzz subscribers: $(cat /tmp/subs.out)"
echo "$N namespaces with a socket each in $(($(ms_now) - t0)) ms"
sleep 2
set -- $(latency)
b_med=$1 b_p95=$2
echo "unshare -n before insmod: median $b_med ms, p95 $b_p95 ms, max $3 ms ($4 of them)"
load_twmon max_dests=65536
wait_for 30 has subscribed || fail "tw-fuzz subscribers did not subscribe: $(cat /tmp/subs.out)"
sleep 2
# within the bounds in one of two windows: the stall of defect 9 came back
# every interval (1-3.5 s), a TCG hiccup does not (once here: one call of
# 47 took 590 ms, in a guest sharing a slow host with another VM)
within() {
	[ "$l_med" -le $((3 * b_med + 100)) ] && [ "$l_p95" -le $((2 * b_p95 + 300)) ]
}
for try in 1 2; do
	set -- $(latency)
	l_med=$1 l_p95=$2
	echo "unshare -n with $N subscribed namespaces: median $l_med ms, p95 $l_p95 ms, max $3 ms ($4 of them)"
	within && break
done
kill $SUBS
wait $SUBS 2>/dev/null
[ "$l_med" -le $((3 * b_med + 100)) ] ||
	fail "namespace creation stalls: median $l_med ms, $b_med ms before insmod (twice)"
[ "$l_p95" -le $((2 * b_p95 + 300)) ] ||
	fail "namespace creation stalls: 95th percentile $l_p95 ms, $b_p95 ms before insmod (twice)"
unload_twmon
kernel_log_clean

#!/bin/sh
# timeout: 150
# Missed probe hits (issue 10, defect 3) cost at most those sockets'
# attribution: never a warning, never a permanent drift. Provoked with a
# second kprobe user: a tracefs kprobe event with many fetch arguments on
# getppid(), which two busy tasks call in a loop (one per CPU). Its
# handler runs with preemption off and interrupts on; a timer softirq
# run at the end of an interrupt inside it finds a kprobe running on
# this CPU, and twmon's probes there count as missed (GET_CONFIG missed).
# The sockets the timer kills: FIN_WAIT2 mini sockets (tcp_fin_timeout 1,
# the server, tw-fuzz hold, never closes). Once everything has expired,
# live must equal sockstat again (0 here) and the books balance. Skipped
# when tracefs or kprobe events are missing, or when no miss happened.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

need_kprobe_events
args=
i=0
while [ $i -lt 64 ]; do
	args="$args s$i=\$stack$i"
	i=$((i + 1))
done
echo "p:stress/busy __x64_sys_getppid comm=\$comm$args" >>$T/kprobe_events ||
	skip "cannot add a kprobe event on __x64_sys_getppid"
trap 'echo 0 >$T/events/stress/busy/enable; echo "-:stress/busy" >>$T/kprobe_events' EXIT
echo 1 >$T/events/stress/busy/enable || skip "cannot enable the kprobe event"

N=$(stress_n MISSED_CONNS 600)
sysctl -qw net.ipv4.tcp_fin_timeout=1
kernel_log_mark
load_twmon
m0=$(tw-fuzz config | awk '$1 == "missed" { print $2 }')
tw-fuzz hold --port 9900 --count "$N" --idle-ms 3000 >/tmp/hold.out 2>/tmp/hold.err &
HOLD=$!
wait_for 10 grep -q ready /tmp/hold.err || fail "tw-fuzz hold did not start"
taskset 1 tw-fuzz spin 30 >/dev/null &
taskset 2 tw-fuzz spin 30 >/dev/null &
# N client closes in rounds: each FIN_WAIT2 mini socket dies by its timer
# about a second later, while the spinners run
r=0
while [ $r -lt 6 ]; do
	tw-load client --connect 127.0.0.1:9900 --count $((N / 6)) --concurrency 4 \
		--close client >/tmp/client.json 2>/dev/null
	r=$((r + 1))
	sleep 1
done
wait $HOLD
kill $(pidof tw-fuzz) 2>/dev/null
wait
sleep 3
settle
m1=$(tw-fuzz config | awk '$1 == "missed" { print $2 }')
echo "twmon probe hits missed: $((m1 - m0)); tw-fuzz hold: $(cat /tmp/hold.out); kprobe event on getppid: $(awk '$1 == "busy" { print $2 " hits" }' $T/kprobe_profile)"
tw-stat -j >/tmp/end.json
echo "end: live $(jq .live /tmp/end.json) fw2 $(jq .live_finwait2 /tmp/end.json) untracked $(jq .untracked /tmp/end.json) sockstat $(sockstat_tw_now)"
kernel_log_clean
assert_eq "live vs sockstat after every socket expired" "$(sockstat_tw_now)" "$(jq .live /tmp/end.json)"
assert_eq "live_finwait2 vs sockstat - ss" "$(($(sockstat_tw_now) - $(ss_tw_count)))" "$(jq .live_finwait2 /tmp/end.json)"
check_invariant
[ $((m1 - m0)) -gt 0 ] || skip "no probe hit was missed: nothing proven (checks passed)"
unload_twmon
kernel_log_clean

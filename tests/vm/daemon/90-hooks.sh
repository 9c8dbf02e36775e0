#!/bin/sh
# timeout: 150
# The exec hook under real alerts (issue 12): six pools run dry at once, so
# twmond fires six pool_exhaustion alerts with a hook that would sleep 30 s.
# exec_max=2: two hooks run at once, never more (counted with ps, not with
# twmond's figures), the others wait in the queue; exec_timeout_ms=4000:
# each is killed with what it started, and the queue moves; twmond_hooks_*
# count them. When twmond exits with hooks running, none is left.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

cat >/tmp/hook <<'HOOK'
#!/bin/sh
echo $$ >>/tmp/hook.pids
sleep 30 &
echo $! >>/tmp/hook.pids
echo "$TWMON_ALERT_EVENT $TWMON_ALERT_NAME $TWMON_ALERT_DEST" >>/tmp/hook.out
wait
HOOK
chmod +x /tmp/hook
rm -f /tmp/hook.pids /tmp/hook.out

# hooks running now, from the process table
running() {
	ps -o pid,args 2>/dev/null | grep -c '[/]tmp/hook$'
}
alive() {
	n=0
	for p in $(cat /tmp/hook.pids 2>/dev/null); do
		st=$(awk '{ print $3 }' /proc/$p/stat 2>/dev/null)
		[ -n "$st" ] && [ "$st" != Z ] && n=$((n + 1))
	done
	echo $n
}

fires() {
	jq -c 'select(.event == "fire")' /tmp/twmond.json | wc -l
}
six_fired() {
	[ "$(fires)" -ge 6 ]
}
queue_moved() {
	[ "$(metric twmond_hooks_started_total)" -ge 3 ] &&
		[ "$(metric twmond_hooks_killed_total)" -ge 1 ]
}

sysctl -qw net.ipv4.ip_local_port_range="40000 40099"
sysctl -qw net.ipv4.tcp_tw_reuse=0
load_twmon
start_twmond --exec /tmp/hook -o exec_max=2 -o exec_timeout_ms=4000
# six pools fill at the same time: six alerts at once
spids=
for p in 8101 8102 8103 8104 8105 8106; do
	tw-load server --port $p --close client --ready-file /tmp/ready.$p >/dev/null 2>&1 &
	spids="$spids $!"
done
for p in 8101 8102 8103 8104 8105 8106; do
	wait_for 10 test -e /tmp/ready.$p || fail "server $p did not start"
done
cpids=
for p in 8101 8102 8103 8104 8105 8106; do
	tw-load client --connect 127.0.0.1:$p --count 100 --close client >/dev/null 2>&1 &
	cpids="$cpids $!"
done
wait $cpids
kill $spids 2>/dev/null
wait_for 10 six_fired || fail "fewer than 6 alerts: $(cat /tmp/twmond.json)"
echo "alerts fired: $(fires)"
worst=0
queued=0
i=0
while [ $i -lt 10 ]; do
	r=$(running)
	[ "$r" -gt $worst ] && worst=$r
	q=$(metric twmond_hooks_queued)
	[ "$q" -gt $queued ] && queued=$q
	sleep 0.1
	i=$((i + 1))
done
echo "hooks running at once, at most: $worst (ps); queued, at most: $queued"
assert_eq "hooks running at once (exec_max 2)" 2 $worst
[ $queued -ge 1 ] || fail "no hook waited in the queue"
# a hook killed at its timeout makes room for the next one
wait_for 10 queue_moved || fail "the queue did not move: $(metrics | grep twmond_hooks)"
metrics | grep '^twmond_hooks'
[ "$(running)" -ge 1 ] || fail "no hook runs any more: nothing to end at exit"
echo "hooks running when twmond is stopped: $(running)"
stop_twmond || fail "twmond exited with $? on SIGTERM"
sleep 0.5
left=$(alive)
echo "hook processes alive after twmond exited: $left of $(wc -l </tmp/hook.pids)"
assert_eq "hooks (and what they started) left after twmond exited" 0 "$left"
unload_twmon
sysctl -qw net.ipv4.ip_local_port_range="20000 60999"

#!/bin/sh
# timeout: 240
# After 60 s the timers fire: every socket ends as expired, with a lifetime
# near 60 s, and the ages seen on the way match the timers ss shows.
# Where inet_twsk_deschedule_put() shuts the timer down (6.11+) the timer
# itself tells an expiry and tw_timer_handler is not probed: the kernel's
# own list of kprobes says which, and the count is exact either way.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=300

dmesg -c >/dev/null
load_twmon
line=$(dmesg | grep "expiries told by")
echo "dmesg: $line"
if [ -r /sys/kernel/debug/kprobes/list ]; then
	if grep -q ' tw_timer_handler' /sys/kernel/debug/kprobes/list; then
		probed=tw_timer_handler
	else
		probed="the timer"
	fi
	assert_match "the load's line names what tells an expiry" "expiries told by $probed" "$line"
	# 6.11+ (hashdance) shuts the timer down on every early kill; before,
	# inet_twsk_deschedule_put() only deletes it
	if grep -q ' inet_twsk_hashdance_schedule$' /proc/kallsyms; then
		assert_eq "6.11+: expiries told by" "the timer" "$probed"
	else
		assert_eq "before 6.11: expiries told by" "tw_timer_handler" "$probed"
	fi
fi
start_server --port 8090 --close server
client --connect 127.0.0.1:8090 --count $N --concurrency 4 --close server >/dev/null
stop_server
settle
# the oracle: what the kernel holds now is what will expire (a SYN from a
# client port come round again may have ended one early, as syn)
alive=$(sockstat_tw_now)
echo "alive after the flood: $alive of $N"
sleep 20
# ss: remaining time of the oldest; twmon: its age histogram
tw-stat -j >/tmp/s.json
young=$(jq '[.ages[] | select(.le_s != null and .le_s <= 15) | .count] | add' /tmp/s.json)
assert_eq "no socket younger than 15 s after 20 s" 0 "$young"
check_invariant
i=0
while [ "$(sockstat_tw_now)" -gt 0 ]; do
	i=$((i + 1))
	[ $i -gt 90 ] && fail "TIME_WAIT still alive after 110 s"
	sleep 1
done
echo "ended: $(tws '.ended | tostring')"
# a kill whose probe hit the kernel missed is no socket's end (exact
# when no hit was missed)
assert_missed "ended.expired vs alive after the flood" "$alive" "$(tws .ended.expired)"
assert_eq "ended early + alive after the flood" $N \
	"$(( alive + $(tws '.ended.syn + .ended.rst + .ended.reuse + .ended.abort + .ended.other') ))"
assert_eq "live" 0 "$(tws .live)"
assert_eq "tables empty" 0 "$(tws 'length' services)"
old=$(tws '[.lifetime.expired[] | select(.le_s == null or .le_s >= 59) | .count] | add')
assert_missed "expired at 59-61 s of age" "$alive" "$old"
check_invariant
unload_twmon

#!/bin/sh
# Births are counted by one probe: birth_probe=auto picks the one the
# kernel allows (schedule where inet_twsk_hashdance_schedule calls
# __inet_twsk_schedule whole, or where there is no hashdance, before
# 6.11), and reads back which. Each probe the load accepts counts every
# birth (the kernel's TcpExtTW, 5.15+); one it cannot count births with
# is refused with a line naming it.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=$((300 / ${TWMON_SLOW:-1}))
P=/sys/module/twmon/parameters/birth_probe

# The oracle, from kallsyms: 6.11+ has hashdance; a split or renamed
# __inet_twsk_schedule shows as __inet_twsk_schedule.<suffix>
if ! grep -q ' inet_twsk_hashdance_schedule$' /proc/kallsyms; then
	want=schedule
elif grep -q ' __inet_twsk_schedule\.' /proc/kallsyms; then
	want=hashdance
else
	want=schedule
fi

dmesg -c >/dev/null
load_twmon
assert_eq "birth_probe=auto reads back" "$want" "$(cat $P)"
line=$(dmesg | grep "births at")
echo "dmesg: $line"
assert_match "the load's line names the birth probe" "births at (__inet_twsk_schedule|inet_twsk_hashdance_schedule)" "$line"
unload_twmon
# cgroups=1 keeps the hashdance probe: auto counts births there (6.11+)
if grep -q ' inet_twsk_hashdance_schedule$' /proc/kallsyms && [ -d /sys/fs/cgroup ]; then
	load_twmon cgroups=1
	assert_eq "birth_probe=auto with cgroups=1 reads back" hashdance "$(cat $P)"
	unload_twmon
fi

insmod "$TWMON_KO" birth_probe=nowhere 2>/dev/null && fail "insmod birth_probe=nowhere succeeded"
dmesg | grep -q "birth_probe=nowhere is invalid" || fail "no dmesg line for birth_probe=nowhere: $(dmesg | tail -n 3)"

port=8100
for probe in hashdance schedule; do
	port=$((port + 1))
	dmesg -c >/dev/null
	if ! insmod "$TWMON_KO" birth_probe=$probe 2>/dev/null; then
		line=$(dmesg | grep "birth_probe=$probe")
		echo "birth_probe=$probe refused: $line"
		[ "$probe" != "$want" ] || fail "birth_probe=$probe refused, but auto picks it"
		[ -n "$line" ] || fail "birth_probe=$probe refused with no line naming it"
		continue
	fi
	assert_eq "birth_probe=$probe reads back" $probe "$(cat $P)"
	tw0=$(nstat_abs TcpExtTW)
	start_server --port $port --close server
	client --connect 127.0.0.1:$port --count $N --concurrency 4 --close server >/dev/null
	stop_server
	settle
	check_invariant
	tw=$(( $(nstat_abs TcpExtTW) - tw0 ))
	# 5.10's TcpExtTW counts expiries (none yet): the load generator then
	[ "$tw" = 0 ] && tw=$(cj .completed)
	assert_eq "birth_probe=$probe: entered vs nstat TcpExtTW" "$tw" "$(tws .entered)"
	echo "birth_probe=$probe: entered $(tws .entered), live $(tws .live)"
	unload_twmon
done
dmesg_clean
exit 0

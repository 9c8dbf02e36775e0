#!/bin/sh
# insmod and rmmod twmon 20 times in a row: each succeeds, the module is
# really gone after each rmmod, and the kernel logs no warning.
. /twmon/tests/vm/lib.sh

i=0
while [ $i -lt 20 ]; do
	i=$((i + 1))
	load_twmon
	twmon_loaded || fail "round $i: /sys/module/twmon missing after insmod"
	unload_twmon
	twmon_loaded && fail "round $i: /sys/module/twmon still there after rmmod"
done
dmesg_clean
exit 0

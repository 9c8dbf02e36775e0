#!/bin/sh
# An invalid parameter is refused at insmod, with a line in the kernel log
# naming it; a valid one loads.
. /twmon/tests/vm/lib.sh

dmesg -c >/dev/null
insmod "$TWMON_KO" max_dests=0 2>/tmp/insmod.err && fail "insmod max_dests=0 succeeded"
twmon_loaded && fail "module loaded with max_dests=0"
line=$(dmesg | grep -E '^(\[[^]]*\] *)?twmon:' | grep max_dests)
[ -n "$line" ] || fail "no 'twmon: ... max_dests' line in dmesg: $(dmesg | tail -n 5)"
echo "dmesg: $line"
dmesg_clean

load_twmon max_dests=16
unload_twmon
exit 0

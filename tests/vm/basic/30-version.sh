#!/bin/sh
# tw-stat --version prints its own version and the module's (read over
# netlink), both the release's; without the module it says so and fails.
. /twmon/tests/vm/lib.sh

V=$TWMON_VERSION
[ -n "$V" ] || fail "/twmon/VERSION is empty"

load_twmon
out=$(tw-stat --version 2>&1) || fail "tw-stat --version failed with the module loaded: $out"
echo "$out"
assert_eq "userspace version (first line)" "tw-stat $V" "$(echo "$out" | head -n1)"
modline=$(echo "$out" | grep -i module)
[ -n "$modline" ] || fail "no module version in: $out"
assert_eq "module version (last word of '$modline')" "$V" "${modline##* }"
# How far per-socket figures may be off: nothing was missed on an idle VM
assert_eq "probe hits missed" "probe hits missed 0" "$(echo "$out" | grep '^probe hits missed')"
echo "$out" | grep -q '^purged with their namespace [0-9][0-9]*$' || fail "no purged line: $out"
# The module's own idea of its version, not through netlink
if [ -e /sys/module/twmon/version ]; then
	assert_eq "/sys/module/twmon/version" "$V" "$(cat /sys/module/twmon/version)"
fi
unload_twmon

out=$(tw-stat --version 2>&1) && fail "tw-stat --version succeeded without the module: $out"
echo "$out"
echo "$out" | grep -q "tw-stat $V" || fail "no userspace version without the module: $out"
echo "$out" | grep -qi "not loaded" || fail "no 'not loaded' message: $out"
# Any other command fails the same way
out=$(tw-stat 2>&1) && fail "tw-stat succeeded without the module: $out"
echo "$out" | grep -qi "not loaded" || fail "tw-stat without the module: no 'not loaded' message: $out"
exit 0

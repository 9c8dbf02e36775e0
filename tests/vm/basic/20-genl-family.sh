#!/bin/sh
# The generic netlink family "twmon" exists while the module is loaded and
# only then (iproute2's genl is the oracle).
. /twmon/tests/vm/lib.sh

family_listed() {
	genl ctrl list | grep -Eq '^Name: twmon$|Name: twmon[[:space:]]*$'
}

family_listed && fail "family twmon listed before insmod"
load_twmon
family_listed || fail "family twmon not listed by genl ctrl list: $(genl ctrl list | grep Name:)"
genl ctrl get name twmon >/tmp/genl.txt 2>&1 || fail "genl ctrl get name twmon: $(cat /tmp/genl.txt)"
unload_twmon
family_listed && fail "family twmon still listed after rmmod"
genl ctrl get name twmon >/dev/null 2>&1 && fail "genl ctrl get name twmon succeeds after rmmod"
exit 0

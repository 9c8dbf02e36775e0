#!/bin/sh
# Malformed, unknown and unprivileged requests, sent with raw netlink: each
# gets the right errno and an extack message; the module stays healthy.
# TWMON_A_NETNS_INUM: another namespace (twnl) needs CAP_NET_ADMIN, an
# unknown one is ENOENT.
. /twmon/tests/vm/lib.sh

ip netns add twnl || fail "ip netns add"
trap 'ip netns del twnl' EXIT
load_twmon
TW_OTHER_NETNS=/run/netns/twnl /twmon/tests/tw-nlcheck || fail "tw-nlcheck reported failures"
tw-stat >/dev/null || fail "tw-stat failed after the malformed requests"
unload_twmon

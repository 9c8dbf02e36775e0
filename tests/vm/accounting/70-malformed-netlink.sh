#!/bin/sh
# Malformed, unknown and unprivileged requests, sent with raw netlink: each
# gets the right errno and an extack message; the module stays healthy.
. /twmon/tests/vm/lib.sh

load_twmon
/twmon/tests/tw-nlcheck || fail "tw-nlcheck reported failures"
tw-stat >/dev/null || fail "tw-stat failed after the malformed requests"
unload_twmon

#!/bin/sh
# timeout: 120
# rmmod under a running tw-stat events: a clear message and exit 1; with
# --follow it says so, waits, and subscribes again after insmod.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

# count_ge FILE PATTERN N: at least N lines of FILE match PATTERN (fixed string)
count_ge() {
	[ "$(grep -cF -- "$2" "$1")" -ge "$3" ]
}

load_twmon
tw-stat events --stats >/tmp/un.txt 2>/tmp/un.err &
A=$!
tw-stat events -j --stats --follow >/tmp/fo.jsonl 2>/tmp/fo.err &
B=$!
wait_for 20 grep -q ' stats ' /tmp/un.txt || fail "no snapshot: $(cat /tmp/un.err)"
wait_for 20 grep -q '"type":"stats"' /tmp/fo.jsonl || fail "no snapshot: $(cat /tmp/fo.err)"
unload_twmon
wait $A
assert_eq "tw-stat events exit status after rmmod" 1 $?
assert_match "message after rmmod" "twmon module was unloaded" "$(cat /tmp/un.err)"
wait_for 10 grep -q '"type":"module-unloaded"' /tmp/fo.jsonl ||
	fail "--follow: no module-unloaded record: $(cat /tmp/fo.jsonl /tmp/fo.err | tail -n 3)"
kill -0 $B 2>/dev/null || fail "--follow exited after rmmod: $(cat /tmp/fo.err)"
load_twmon
wait_for 10 grep -q '"type":"module-loaded"' /tmp/fo.jsonl ||
	fail "--follow: no module-loaded record: $(tail -n 3 /tmp/fo.jsonl; cat /tmp/fo.err)"
n=$(grep -cF '"type":"stats"' /tmp/fo.jsonl)
wait_for 10 count_ge /tmp/fo.jsonl '"type":"stats"' $((n + 1)) ||
	fail "--follow: no snapshot after insmod: $(cat /tmp/fo.err)"
# the new module counts from 1 again: a restart, not a loss
assert_eq "lost records" 0 "$(grep -c '"type":"lost"' /tmp/fo.jsonl)"
kill -TERM $B
wait $B
assert_eq "tw-stat events --follow exit status after SIGTERM" 0 $?
unload_twmon

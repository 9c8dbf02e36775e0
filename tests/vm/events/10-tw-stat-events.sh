#!/bin/sh
# timeout: 240
# tw-stat events during an overflow flood: overflow-begin and -end arrive as
# the kernel's edges say. With --stats, each interval's snapshot precedes
# its events, so every event is checked against the snapshots around it:
# overflow-begin carries the overflow of its interval (the delta between
# two snapshots), overflow-end comes with the first interval without one,
# and the deltas add up to nstat's TcpExtTCPTimeWaitOverflow, which twmon
# did not compute. Also: --count exits by itself, SIGTERM exits 0, no
# message is lost, the text form says the same.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

# count_ge FILE PATTERN N: at least N lines of FILE match PATTERN (fixed string)
count_ge() {
	[ "$(grep -cF -- "$2" "$1")" -ge "$3" ]
}

sysctl -qw net.ipv4.tcp_max_tw_buckets=200
load_twmon
tw-stat events -j --stats >/tmp/ev.jsonl 2>/tmp/ev.err &
EV=$!
tw-stat events --count 1 >/tmp/ev1.txt 2>/tmp/ev1.err &
EV1=$!
# subscribed: two snapshots seen (the first interval primes the edges)
wait_for 20 count_ge /tmp/ev.jsonl '"type":"stats"' 2 ||
	fail "no stats snapshots from tw-stat events --stats: $(cat /tmp/ev.err)"
o0=$(nstat_abs TcpExtTCPTimeWaitOverflow)

start_server --port 8300 --close server
client --connect 127.0.0.1:8300 --count 600 --concurrency 4 --close server >/dev/null
stop_server
settle
o1=$(nstat_abs TcpExtTCPTimeWaitOverflow)
[ $((o1 - o0)) -gt 0 ] || fail "the flood did not overflow (nstat moved by $((o1 - o0)))"

# the flood is over: an overflow-end, then one more snapshot after it
wait_for 20 grep -q '"type":"overflow-end"' /tmp/ev.jsonl ||
	fail "no overflow-end: $(grep -v '"stats"' /tmp/ev.jsonl | head -n 5)"
n=$(grep -cF '"type":"stats"' /tmp/ev.jsonl)
wait_for 10 count_ge /tmp/ev.jsonl '"type":"stats"' $((n + 1)) || fail "no snapshot after overflow-end"
kill -TERM $EV
wait $EV
assert_eq "tw-stat events exit status after SIGTERM" 0 $?
wait $EV1
assert_eq "tw-stat events --count 1 exit status" 0 $?

# every line is JSON with the documented keys; nothing lost
jq -e -s 'length > 0' /tmp/ev.jsonl >/dev/null || fail "not JSON lines: $(head -c 300 /tmp/ev.jsonl)"
assert_eq "lost records" 0 "$(jq -s '[.[] | select(.type == "lost" or .type == "resync")] | length' /tmp/ev.jsonl)"
ino=$(stat -L -c %i /proc/self/ns/net)
assert_eq "records of another namespace" 0 "$(jq -s "[.[] | select(.netns_inum != $ino)] | length" /tmp/ev.jsonl)"
keys=$(jq -s -c '[.[] | select(.type == "overflow-begin")][0] | keys' /tmp/ev.jsonl)
assert_eq "event keys" '["cgroup","cgroup_id","family","local","netns","netns_inum","remote","rport","seq","threshold","ts","type","value"]' "$keys"
assert_eq "no cgroup named without cgroups=1" null \
	"$(jq -s -c '[.[] | select(.type == "overflow-begin")][0].cgroup_id' /tmp/ev.jsonl)"
for k in stats; do
	gaps=$(jq -s "[.[] | select(.type == \"$k\") | .seq] | . as \$s | [range(1; length) | select(\$s[.] != \$s[. - 1] + 1)] | length" /tmp/ev.jsonl)
	assert_eq "$k sequence gaps" 0 "$gaps"
done

# The model: replay the snapshots and check each overflow event against them
errors=$(jq -s -r '
  reduce (.[] | select(.type == "stats" or .type == "overflow-begin" or .type == "overflow-end")) as $r
    ({prev: null, on: false, expect: null, err: [], sum: 0};
     if $r.type == "stats" then
       (if .expect != null then .err += ["missing \(.expect.type) value \(.expect.value) before seq \($r.seq)"] else . end)
       | if .prev == null then .prev = $r.overflow | .expect = null
         else ($r.overflow - .prev) as $d
           | .sum += $d
           | .expect = (if $d > 0 and (.on | not) then {type: "overflow-begin", value: $d}
                        elif $d == 0 and .on then {type: "overflow-end", value: 0}
                        else null end)
           | .on = ($d > 0) | .prev = $r.overflow
         end
     elif .expect == null then .err += ["unexpected \($r.type) value \($r.value) (seq \($r.seq))"]
     elif .expect.type != $r.type or .expect.value != $r.value then
       .err += ["\($r.type) value \($r.value), expected \(.expect.type) value \(.expect.value)"]
     else .expect = null end)
  | (if .expect != null then .err += ["missing \(.expect.type) at the end"] else . end)
  | "\(.sum) \(.err | join("; "))"' /tmp/ev.jsonl)
sum=${errors%% *}
errs=${errors#* }
[ -z "$errs" ] || fail "events vs snapshots: $errs"
assert_eq "overflow over the snapshots vs nstat TcpExtTCPTimeWaitOverflow" $((o1 - o0)) "$sum"
# the overflow events themselves: their values add up to the overflow of
# the intervals that began one; all of it when the flood fit one interval
begins=$(jq -s '[.[] | select(.type == "overflow-begin")] | length' /tmp/ev.jsonl)
[ "$begins" -ge 1 ] || fail "no overflow-begin"
if [ "$begins" = 1 ] && [ "$(jq -s '[.[] | select(.type == "stats")] | [range(1; length) as $i | .[$i].overflow - .[$i - 1].overflow | select(. > 0)] | length' /tmp/ev.jsonl)" = 1 ]; then
	assert_eq "overflow-begin value vs nstat (one interval)" $((o1 - o0)) \
		"$(jq -s '[.[] | select(.type == "overflow-begin")][0].value' /tmp/ev.jsonl)"
fi
# buckets-high at live >= 80% of 200, threshold 160
assert_eq "buckets-high threshold" 160 "$(jq -s '[.[] | select(.type == "buckets-high")][0].threshold' /tmp/ev.jsonl)"

# the text subscriber saw the same first event
first=$(jq -s -r '[.[] | select(.type != "stats")][0] | "\(.type) value \(.value)"' /tmp/ev.jsonl)
v=$(sed -n 's/.*  \([a-z][a-z-]*\)  *value \([0-9,]*\)  threshold.*/\1 value \2/p' /tmp/ev1.txt | tr -d ,)
assert_eq "tw-stat events --count 1 (text)" "$first" "$v"
assert_eq "lines of tw-stat events --count 1" 1 "$(wc -l </tmp/ev1.txt)"
unload_twmon

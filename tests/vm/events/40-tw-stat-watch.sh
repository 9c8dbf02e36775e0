#!/bin/sh
# timeout: 120
# tw-stat watch without a terminal: frames separated by "---", no escape
# codes; the live figure equals sockstat's tw count (a quiet namespace), the
# top pool equals what ss counts for that destination, and the second
# frame's close rate is 0 (nothing closed in between); -j gives one JSON
# object per frame, rates null on the first.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

load_twmon
start_server --port 8302 --close client
client --connect 127.0.0.1:8302 --count 40 --close client >/dev/null
stop_server
settle
tw=$(sockstat_tw_now)
[ "$tw" -ge 40 ] || fail "only $tw TIME_WAIT sockets after 40 connections"

tw-stat watch --iterations 2 -i 0.5 >/tmp/w.txt 2>/tmp/w.err
assert_eq "tw-stat watch exit status" 0 $?
assert_eq "frame separators" 1 "$(grep -c '^---$' /tmp/w.txt)"
grep -q "$(printf '\033')" /tmp/w.txt && fail "escape codes without a terminal"
lives=$(sed -n 's/^TIME_WAIT *\([0-9,]*\) of .*/\1/p' /tmp/w.txt | tr -d , | tr '\n' ' ')
assert_eq "live in both frames vs sockstat" "$tw $tw " "$lives"
assert_eq "sockstat after the frames (quiet)" "$tw" "$(sockstat_tw_now)"
assert_match "second frame close rate" "closes into TIME_WAIT 0\.0 " "$(sed -n '/^---$/,$p' /tmp/w.txt)"
assert_match "first frame close rate" "closes into TIME_WAIT - " "$(sed -n '1,/^---$/p' /tmp/w.txt)"
ssn=$(ss -tanH state time-wait dst 127.0.0.1 dport = :8302 | wc -l)
assert_match "top pool vs ss" "127\.0\.0\.1:8302 +$ssn " "$(grep '127.0.0.1:8302' /tmp/w.txt | head -n 1)"

tw-stat watch -j --iterations 2 -i 0.5 >/tmp/w.jsonl 2>/tmp/w.err
assert_eq "tw-stat watch -j exit status" 0 $?
assert_eq "JSON frames" 2 "$(jq -s length /tmp/w.jsonl)"
assert_eq "JSON live vs sockstat" "$tw $tw" "$(jq -s -r '[.[].live] | join(" ")' /tmp/w.jsonl)"
assert_eq "JSON rates" "null 0" "$(jq -s -r '[.[].rates.entered] | map(tostring) | join(" ")' /tmp/w.jsonl)"
assert_eq "JSON top pool vs ss" "$ssn" "$(jq -s '.[1].dests[0].count' /tmp/w.jsonl)"
assert_eq "JSON ages sum to live" "$tw" "$(jq -s '[.[1].ages[].count] | add' /tmp/w.jsonl)"
unload_twmon

#!/bin/sh
# Configuration errors: a line-numbered message and a non-zero exit, from
# --check-config and from a daemon start; a bad file on SIGHUP is logged
# and the running configuration kept; a good one is applied.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

printf '# twmond\nlisten = 127.0.0.1:9477\n\ntop_n = ten\n' >/tmp/bad1.conf
printf 'rcvbuf = 65536\nfoo = 1\n' >/tmp/bad2.conf
printf 'pool_exhaustion.warn = 0.9\npool_exhaustion.crit = 0.5\n' >/tmp/bad3.conf
printf 'listen = 127.0.0.1:9477\ntop_n = 2\n' >/tmp/good.conf

out=$(twmond --check-config -c /tmp/bad1.conf 2>&1)
rc=$?
[ $rc -ne 0 ] || fail "--check-config of a bad file exited 0"
assert_eq "message" "twmond: /tmp/bad1.conf:4: top_n: expected an integer in 0..1000, got 'ten'" "$out"
out=$(twmond --check-config -c /tmp/bad2.conf 2>&1) && fail "bad2 accepted"
assert_eq "message" "twmond: /tmp/bad2.conf:2: unknown key 'foo'" "$out"
out=$(twmond --check-config -c /tmp/bad3.conf 2>&1) && fail "bad3 accepted"
assert_eq "message" "twmond: /tmp/bad3.conf: pool_exhaustion: crit (0.5) is below warn (0.9)" "$out"
out=$(twmond --check-config -c /tmp/nonexistent.conf 2>&1) && fail "a missing file accepted"
assert_eq "message" "twmond: /tmp/nonexistent.conf: No such file or directory" "$out"
out=$(twmond --check-config --rcvbuf many 2>&1) && fail "a bad flag value accepted"
assert_match "flag message" "rcvbuf: expected an integer" "$out"
out=$(twmond --check-config -c /tmp/good.conf 2>&1) || fail "good file refused: $out"

# the daemon itself refuses to start, at once, with the same message
load_twmon
timeout 10 twmond -c /tmp/bad2.conf >/dev/null 2>/tmp/start.err
rc=$?
assert_eq "exit status of a start with a bad file" 2 $rc
assert_eq "start message" "twmond: /tmp/bad2.conf:2: unknown key 'foo'" "$(cat /tmp/start.err)"

# SIGHUP: a bad file is logged, the running configuration kept
# (not start_twmond: its -l flag would override the file's listen)
cp /tmp/good.conf /tmp/run.conf
twmond --json -c /tmp/run.conf >>/tmp/twmond.json 2>>/tmp/twmond.log &
TWMOND_PID=$!
wait_for 20 twmond_up || fail "twmond did not come up: $(tail -n 5 /tmp/twmond.log)"
cp /tmp/bad2.conf /tmp/run.conf
kill -HUP "$TWMOND_PID"
wait_for 5 sh -c "grep -q 'reload: /tmp/run.conf:2: unknown key' /tmp/twmond.log" ||
	fail "no reload error logged: $(tail -n 3 /tmp/twmond.log)"
kill -0 "$TWMOND_PID" || fail "twmond died on a bad reload"
twmond_up || fail "twmond stopped serving after a bad reload"
# a good file with another port: applied
printf 'listen = 127.0.0.1:9478\n' >/tmp/run.conf
kill -HUP "$TWMOND_PID"
wait_for 5 sh -c "grep -q 'configuration reloaded' /tmp/twmond.log" || fail "no reload logged"
TWMOND_PORT=9478
wait_for 5 twmond_up || fail "not serving on the reloaded port 9478"
TWMOND_PORT=9477
twmond_up && fail "still serving on the old port 9477"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

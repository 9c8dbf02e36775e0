#!/bin/sh
# timeout: 120
# SO_LINGER=0 closes: the linger_abort alert (warning above 10/s over 60 s)
# fires with the count nstat saw, says why it is not a fix, and SIGUSR1
# logs the same total as GET_STATS.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns
N=600

load_twmon
start_twmond
NS=$(netns_inum)
a0=$(nstat_abs TcpExtTCPAbortOnData)
start_server --port 8098 --close client
client --connect 127.0.0.1:8098 --count $N --concurrency 4 --close client --linger0 >/dev/null
stop_server
a1=$(nstat_abs TcpExtTCPAbortOnData)
assert_eq "aborts seen by nstat" $N $((a1 - a0))
wait_alert fire linger_abort 5 || fail "no linger_abort alert: $(tail -n 3 /tmp/twmond.log)"
assert_eq "severity" warning "$(alert_field fire linger_abort .severity)"
assert_eq "threshold" 10 "$(alert_field fire linger_abort .threshold)"
assert_match "message" "RST by SO_LINGER=0 over 60 s, [0-9]+ in total" "$(alert_field fire linger_abort .message)"
assert_match "remedy" "not a fix for TIME_WAIT" "$(alert_field fire linger_abort .remedy)"
no_tw_in_metrics=$(metrics | awk -v n="twmon_linger_abort_total{netns=\"$NS\"}" '$1 == n { print $2 }')
assert_eq "twmon_linger_abort_total vs nstat" $N "$no_tw_in_metrics"
kill -USR1 "$TWMOND_PID"
wait_for 3 grep -q "netns $NS: live" /tmp/twmond.log || fail "SIGUSR1 logged nothing"
assert_match "SIGUSR1 totals" "linger_abort $(tws .linger_abort) " "$(grep "netns $NS: live" /tmp/twmond.log)"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

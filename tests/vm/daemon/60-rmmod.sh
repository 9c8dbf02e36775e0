#!/bin/sh
# timeout: 120
# rmmod under twmond: twmon_up goes to 0 and it says so once; after insmod
# it re-resolves the family and the groups, twmon_up is 1 again and the
# subscription works (an overflow fires the alert, and the exec hook gets
# it in its environment).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/vm/daemon/twmond.inc
own_netns

twmond_down() {
	[ "$(metric twmon_up)" = 0 ]
}

cat >/tmp/hook <<'HOOK'
#!/bin/sh
env | grep '^TWMON_ALERT_' | sort >>/tmp/hook.out
echo >>/tmp/hook.out
HOOK
chmod +x /tmp/hook
rm -f /tmp/hook.out

load_twmon
start_twmond --exec /tmp/hook
unload_twmon
wait_for 5 twmond_down ||
	fail "twmon_up is not 0 after rmmod: $(metric twmon_up)"
sleep 3
assert_eq "logged once" 1 "$(grep -c 'lost the twmon module\|not loaded' /tmp/twmond.log)"
load_twmon
wait_for 5 twmond_up || fail "twmon_up is not 1 after insmod: $(tail -n 3 /tmp/twmond.log)"
sysctl -qw net.ipv4.tcp_max_tw_buckets=50
start_server --port 8097 --close server
client --connect 127.0.0.1:8097 --count 100 --close server >/dev/null
stop_server
wait_alert fire tw_overflow 5 || fail "no tw_overflow after the module came back"
wait_for 3 grep -q TWMON_ALERT_NAME=tw_overflow /tmp/hook.out || fail "the exec hook did not run: $(cat /tmp/hook.out)"
grep -q "^TWMON_ALERT_NETNS=$(netns_inum)\$" /tmp/hook.out || fail "hook: no TWMON_ALERT_NETNS: $(cat /tmp/hook.out)"
grep -q '^TWMON_ALERT_EVENT=fire$' /tmp/hook.out || fail "hook: no TWMON_ALERT_EVENT"
grep -q '^TWMON_ALERT_SEVERITY=critical$' /tmp/hook.out || fail "hook: no TWMON_ALERT_SEVERITY"
grep -q '^TWMON_ALERT_REMEDY=.*keep-alive' /tmp/hook.out || fail "hook: no TWMON_ALERT_REMEDY"
grep -q '^TWMON_ALERT_MESSAGE=.*closes/s got no TIME_WAIT' /tmp/hook.out || fail "hook: no TWMON_ALERT_MESSAGE"
stop_twmond || fail "twmond exited with $? on SIGTERM"
unload_twmon

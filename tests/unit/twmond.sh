#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# twmond and tw-stat on the host, without the module (issue 12): real
# clients (curl, a Prometheus server, a Prometheus-like keep-alive scraper,
# node_exporter) against the daemon while 100 hostile connections are open;
# who keeps TIME_WAIT, from the kernel's table (ss); the deadline of a
# part-way request; --check-config against the daemon; reload of the listen
# address; the textfile as the unit's DynamicUser would write it; tw-stat's
# option errors and events --follow. Loopback only; each test under 20 s.
# TAP on stdout. TWMOND= and TWSTAT= test other binaries (an older build).
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/unit
TWMOND=${TWMOND:-$top/userspace/twmond/twmond}
TWSTAT=${TWSTAT:-$top/userspace/tw-stat/tw-stat}
clients="python3 $here/twmond-clients.py"

echo "1..11"
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); echo "not ok $n - $*"; fail=1; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
check() { # check DESCRIPTION COMMAND...
	local d=$1
	shift
	if "$@"; then ok "$d"; else notok "$d"; fi
}

for t in "$TWMOND" "$TWSTAT"; do
	[ -x "$t" ] || { echo "Bail out! $t is not built (make userspace)"; exit 1; }
done
if ! command -v curl >/dev/null || ! command -v python3 >/dev/null; then
	echo "Bail out! curl and python3 are needed (scripts/deps)"
	exit 1
fi

tmp=$(mktemp -d /tmp/twmond-host.XXXXXX)
chmod 0755 "$tmp"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# start_twmond LOG ARGS...: in the background, $dpid; waits for the listener
start_twmond() {
	local log=$1 i
	shift
	"$TWMOND" "$@" 2>"$log" &
	dpid=$!
	pids+=("$dpid")
	for i in $(seq 50); do
		grep -q "starting" "$log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
stop_twmond() {
	kill "$dpid" 2>/dev/null
	wait "$dpid" 2>/dev/null
}
tw_on() { ss -Htan state time-wait "( sport = :$1 )" | wc -l; }
tw_to() { ss -Htan state time-wait "( dport = :$1 )" | wc -l; }
scrape() { # scrape URL: prints the HTTP code, 1 s at most (curl, a new connection each)
	curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1"
}

# --- 1, 2: scrapes while 100 hostile connections are open -----------------
port=$(free_port)
start_twmond "$tmp/d1.log" -l "127.0.0.1:$port"
prom=
if command -v prometheus >/dev/null; then
	pport=$(free_port)
	cat >"$tmp/prom.yml" <<EOT
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: twmond
    static_configs:
      - targets: ['127.0.0.1:$port']
EOT
	prometheus --config.file="$tmp/prom.yml" --storage.tsdb.path="$tmp/tsdb" \
		--web.listen-address="127.0.0.1:$pport" >"$tmp/prom.log" 2>&1 &
	prom=$!
	pids+=("$prom")
	# its first scrape comes after target discovery (about 5 s)
	for i in $(seq 80); do
		curl -s "http://127.0.0.1:$pport/api/v1/targets" | grep -q '"health":"up"' && break
		sleep 0.1
	done
fi
$clients hostile "$port" 100 6 >"$tmp/hostile.out" &
hostile=$!
pids+=("$hostile")
sleep 0.5
t0=$(date +%s)
$clients keepalive "$port" 20 1 >"$tmp/keepalive.out" &
ka=$!
pids+=("$ka")
good=0
codes=
for i in $(seq 20); do
	c=$(scrape "http://127.0.0.1:$port/metrics")
	codes="$codes $c"
	[ "$c" = 200 ] && good=$((good + 1))
	sleep 0.2
done
wait "$ka"
prom_ok=
if [ -n "$prom" ]; then
	left=$((t0 + 5 - $(date +%s)))
	[ $left -gt 0 ] && sleep $left
	q=$(curl -sg "http://127.0.0.1:$pport/api/v1/query?query=count_over_time(up[4s])*min_over_time(up[4s])")
	prom_conns=$(ss -Htnp state established "( dport = :$port )" | grep -c prometheus)
	prom_ok=$(echo "$q" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')
fi
wait "$hostile"
echo "# curl, a new connection each, 1 s timeout:$codes"
echo "# keep-alive scraper (Prometheus's request, 1 s timeout): $(cat "$tmp/keepalive.out")"
echo "# hostile: $(cat "$tmp/hostile.out"); twmond: $(curl -s --max-time 1 "http://127.0.0.1:$port/metrics" |
	grep '^twmond_http_' | tr '\n' ' ')"
check "curl: 20 of 20 scrapes within 1 s while 100 hostile connections are open ($good)" \
	[ "$good" = 20 ]
if [ -n "$prom" ]; then
	echo "# prometheus: successful scrapes in the last 4 s: $prom_ok; its connections: $prom_conns"
fi
if grep -q '^ok 20/20 conns 1 ' "$tmp/keepalive.out" &&
	{ [ -z "$prom" ] || { [ "${prom_ok%.*}" -ge 3 ] && [ "$prom_conns" = 1 ]; }; }; then
	ok "keep-alive scrapers (Prometheus 2.42, and its request replayed): every scrape, one connection"
else
	notok "keep-alive scrapers (Prometheus 2.42, and its request replayed): every scrape, one connection"
fi
[ -n "$prom" ] && kill "$prom" 2>/dev/null
stop_twmond

# --- 3: a part-way request lives TWD_HTTP_TIMEOUT_MS, not poll_ms ------------
port=$(free_port)
start_twmond "$tmp/d3.log" -l "127.0.0.1:$port" -o poll_ms=20000
s=$($clients halfreq "$port")
echo "# a silent half request with poll_ms=20000 was ended after $s s"
check "a part-way request is ended at its 5 s deadline, not at the next poll_ms tick" \
	python3 -c "import sys; sys.exit(not 4.5 <= $s <= 6.5)"
stop_twmond

# --- 4: no TIME_WAIT on twmond's port after a flood ----------------------------
port=$(free_port)
start_twmond "$tmp/d4.log" -l "127.0.0.1:$port"
$clients hostile "$port" 100 2 >"$tmp/hostile4.out"
$clients flood "$port" 300 >"$tmp/flood.out"
sleep 0.3
on=$(tw_on "$port")
to=$(tw_to "$port")
echo "# flood: $(cat "$tmp/hostile4.out"), 300 connections held, then $(cat "$tmp/flood.out") Connection: close requests"
echo "# TIME_WAIT left: $on on twmond's port $port, $to on the clients' side"
check "no TIME_WAIT on twmond's port after the flood ($on)" [ "$on" = 0 ]

# --- 5: a body is not a request; pipelining is capped ------------------------
post=$(printf 'POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 23\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n' |
	$clients raw "$port" | grep -a -c '^HTTP/1.1 ')
pipe=$(for i in $(seq 81); do printf 'GET /metrics HTTP/1.1\r\n\r\n'; done |
	$clients raw "$port" | grep -a -c '^HTTP/1.1 200')
echo "# responses: $post to a POST whose body is a GET; $pipe to 81 pipelined GETs in one write"
check "a request body is never parsed as a request; at most 4 pipelined answers a read" \
	[ "$post" = 1 ] && [ "$pipe" -ge 1 ] && [ "$pipe" -le 4 ]
stop_twmond

# --- 6: --check-config refuses what the daemon refuses, with exit 2 -----------
bad=0
for line in "listen = nothost:19477" "listen = 999.1.1.1:80" "exec = relative/hook" \
	"exec = /nonexistent/hook" "textfile = /nonexistent/dir/t.prom"; do
	printf '%s\n' "$line" >"$tmp/bad.conf"
	"$TWMOND" --check-config -c "$tmp/bad.conf" >/dev/null 2>"$tmp/check.err"
	rc1=$?
	timeout 3 "$TWMOND" -c "$tmp/bad.conf" >/dev/null 2>&1
	rc2=$?
	echo "# '$line': --check-config $rc1, daemon $rc2: $(head -n1 "$tmp/check.err")"
	[ $rc1 = 2 ] && [ $rc2 = 2 ] || bad=1
done
check "--check-config and the daemon refuse the same values with exit 2" [ $bad = 0 ]

# --- 7: reload moves the listener, and applies the rest when it cannot ---------
port=$(free_port)
printf 'listen = 127.0.0.1:%s\npoll_ms = 200\n' "$port" >"$tmp/run.conf"
start_twmond "$tmp/d7.log" -c "$tmp/run.conf"
printf 'listen = 0.0.0.0:%s\npoll_ms = 200\n' "$port" >"$tmp/run.conf"
kill -HUP "$dpid"
sleep 0.5
c1=$(scrape "http://127.0.0.2:$port/metrics")
# another program holds a port: the new listen address cannot be bound
python3 -c "import socket,sys,time; s=socket.socket(); s.bind(('127.0.0.1',0)); s.listen()
open(sys.argv[1],'w').write(str(s.getsockname()[1])); time.sleep(4)" "$tmp/taken" &
pids+=("$!")
for i in $(seq 30); do [ -s "$tmp/taken" ] && break; sleep 0.1; done
taken=$(cat "$tmp/taken")
printf 'listen = 127.0.0.1:%s\npoll_ms = 200\ntextfile = %s/reload.prom\n' "$taken" "$tmp" >"$tmp/run.conf"
kill -HUP "$dpid"
sleep 0.8
c2=$(scrape "http://127.0.0.2:$port/metrics")
sed 's/^/# /' "$tmp/d7.log" | grep -v starting
if [ "$c1" = 200 ] && [ "$c2" = 200 ] && [ -s "$tmp/reload.prom" ] &&
	grep -q "keeping listen = 0.0.0.0:$port" "$tmp/d7.log" &&
	grep -q "configuration reloaded, except: listen" "$tmp/d7.log"; then
	ok "reload: 127.0.0.1:P -> 0.0.0.0:P moves the listener; a taken port keeps it, names listen, applies textfile"
else
	notok "reload: listen moves ($c1), or is kept ($c2) and the rest applied (textfile: $(ls "$tmp"/reload.prom 2>&1))"
fi
stop_twmond

# --- 8, 9: the textfile as the unit writes it, read by node_exporter -------------
if [ "$(id -u)" != 0 ]; then
	skip "textfile as another user: needs root (setpriv)"
	skip "node_exporter as user prometheus: needs root (setpriv)"
else
# The unit: DynamicUser (a uid of 61184-65519 in no group), UMask=0077, the
# file in its RuntimeDirectory /run/twmond (0755); Debian's textfile
# directory /var/lib/prometheus/node-exporter is root's: a symlink there.
deb=/var/lib/prometheus/node-exporter
if [ -d $deb ]; then
	w=no
	setpriv --reuid=61234 --regid=61234 --clear-groups -- test -w $deb && w=yes
	echo "# $deb: $(stat -c '%U:%G %a' $deb), writable by a DynamicUser: $w (hence the symlink)"
fi
mkdir -p "$tmp/run" "$tmp/textfile"
chown 61234:61234 "$tmp/run"
chmod 0755 "$tmp/run" "$tmp/textfile"
ln -s "$tmp/run/twmon.prom" "$tmp/textfile/twmon.prom"
echo "secret" >"$tmp/run/victim"
chown 61234:61234 "$tmp/run/victim"
port=$(free_port)
# the old temporary name was predictable (twmon.prom.tmp.PID): a symlink
# planted there must not be followed
setpriv --reuid=61234 --regid=61234 --clear-groups -- sh -c \
	'umask 0077; ln -s victim "$1/run/twmon.prom.tmp.$$"; exec "$2" -l "127.0.0.1:$3" -o poll_ms=200 --textfile "$1/run/twmon.prom"' \
	sh "$tmp" "$TWMOND" "$port" 2>"$tmp/d8.log" &
dpid=$!
pids+=("$dpid")
sleep 1
mode=$(stat -c '%a %u' "$tmp/run/twmon.prom" 2>&1)
victim=$(head -n1 "$tmp/run/victim" | cut -c1-40)
echo "# textfile: mode and owner '$mode'; the planted symlink's target holds '$victim'"
check "textfile: 0644 under UMask=0077, never written through a symlink" \
	[ "$mode" = "644 61234" ] && [ "$victim" = secret ]
if command -v prometheus-node-exporter >/dev/null && id prometheus >/dev/null 2>&1; then
	nport=$(free_port)
	setpriv --reuid=prometheus --regid=prometheus --clear-groups -- prometheus-node-exporter \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$tmp/textfile" \
		--web.listen-address="127.0.0.1:$nport" >"$tmp/ne.log" 2>&1 &
	pids+=("$!")
	for i in $(seq 30); do
		curl -s "http://127.0.0.1:$nport/metrics" >"$tmp/ne.out" && break
		sleep 0.1
	done
	grep -E '^(node_textfile_scrape_error|twmon_up) ' "$tmp/ne.out" | sed 's/^/# node_exporter: /'
	check "node_exporter (as user prometheus) reads twmond's textfile" \
		grep -q '^node_textfile_scrape_error 0' "$tmp/ne.out" && grep -q '^twmon_up 0' "$tmp/ne.out"
else
	skip "prometheus-node-exporter not installed (scripts/deps)"
fi
stop_twmond
fi

# --- 9, 10: tw-stat ----------------------------------------------------------------
bad=0
for o in all-netns stats json follow; do
	"$TWSTAT" events "--$o=1" >/dev/null 2>"$tmp/ts.err"
	rc=$?
	first=$(head -n1 "$tmp/ts.err" | tr '\0' '@')
	echo "# tw-stat events --$o=1: exit $rc: $first"
	[ $rc = 2 ] && [ "$first" = "tw-stat: option '--$o' takes no argument" ] || bad=1
done
check "tw-stat: an argument to a flag is named, exit 2" [ $bad = 0 ]
if [ -e /sys/module/twmon ]; then
	skip "the twmon module is loaded here"
else
	timeout 2 "$TWSTAT" events --follow >"$tmp/follow.out" 2>&1
	rc=$?
	echo "# tw-stat events --follow without the module: exit $rc (124: still waiting after 2 s): $(head -n1 "$tmp/follow.out")"
	check "tw-stat events --follow waits for a module not loaded at the start" [ $rc = 124 ]
fi
exit $fail

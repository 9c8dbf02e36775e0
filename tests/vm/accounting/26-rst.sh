#!/bin/sh
# An incoming RST whose seq is the TIME_WAIT socket's rcv_nxt kills it (the
# RFC 1337 "assassination", net.ipv4.tcp_rfc1337 = 0): ended.rst counts
# exactly the sockets /proc/net/sockstat and ss lose, and no other reason
# moves. tw-rst makes client-side TIME_WAIT sockets, learns each one's
# rcv_nxt from the server's FIN on the wire, and sends bare RSTs (no
# options: no timestamp for PAWS to reject). Controls, same sockets: with
# tcp_rfc1337 = 1, or one off the right seq, the RSTs kill nothing and
# ended.rst stays. IPv4 and IPv6.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns
N=30
RFC1337=/proc/sys/net/ipv4/tcp_rfc1337

[ -w $RFC1337 ] || fail "no writable $RFC1337 in this namespace"

# "local peer" as ss prints them, for each line of a tw-rst state file
tuples() {
	awk '$1 == "inet" { print $2 ":" $3, $4 ":" $5 }
	     $1 == "inet6" { print "[" $2 "]:" $3, "[" $4 "]:" $5 }' "$1" | sort
}

# How many 4-tuples of a state file ss lists in state time-wait
listed() {
	tuples "$1" >/tmp/want.txt
	ss -tanH state time-wait | awk '{ print $3, $4 }' | sort >/tmp/ss.txt
	grep -cFx -f /tmp/want.txt /tmp/ss.txt || true
}

uptime_s() {
	cut -d. -f1 /proc/uptime
}

# rst_round WHAT STATE KILLS SEND...: run each SEND ("RFC1337 SEQ_OFFSET":
# one RST per socket of STATE with that sysctl and seq rcv_nxt + offset),
# then expect KILLS sockets to have died, of reason rst and nothing else
rst_round() {
	_what=$1 _st=$2 _kills=$3
	shift 3
	# The sockets live 60 s: a machine this slow cannot tell an RST kill
	# from an expiry
	_age=$(($(uptime_s) - born))
	[ $_age -lt 40 ] || skip "$_what: the sockets are $_age s old, too close to their expiry"
	tw-stat -j >/tmp/before.json || fail "tw-stat -j failed"
	tw0=$(sockstat_tw_now)
	ss0=$(listed "$_st")
	for _s in "$@"; do
		echo "${_s% *}" >$RFC1337
		tw-rst send --state "$_st" --seq-offset "${_s#* }" >/tmp/send.json 2>/tmp/send.err ||
			fail "$_what: tw-rst send: $(cat /tmp/send.err)"
		assert_eq "$_what: RSTs sent (rfc1337, offset: $_s)" $N "$(jq .rsts_sent /tmp/send.json)"
	done
	echo 0 >$RFC1337
	settle
	tw-stat -j >/tmp/after.json || fail "tw-stat -j failed"
	assert_eq "$_what: sockets gone from sockstat tw" "$_kills" $((tw0 - $(sockstat_tw_now)))
	assert_eq "$_what: 4-tuples gone from ss" "$_kills" $((ss0 - $(listed "$_st")))
	# one jq for all deltas (each process start is slow under TCG)
	jq -rn --slurpfile b /tmp/before.json --slurpfile a /tmp/after.json '
		def ended: [.ended[] | numbers] | add;
		$a[0] as $a | $b[0] as $b |
		"\($a.ended.rst - $b.ended.rst) \(($a | ended) - ($b | ended)) \($b.live - $a.live)"' \
		>/tmp/deltas.txt || fail "$_what: jq on tw-stat -j failed"
	read -r d_rst d_ended d_live </tmp/deltas.txt
	assert_eq "$_what: ended.rst" "$_kills" "$d_rst"
	assert_eq "$_what: sum(ended)" "$_kills" "$d_ended"
	assert_eq "$_what: live dropped by" "$_kills" "$d_live"
}

# rst_family FAMILY ADDR PORT
rst_family() {
	st=/tmp/$1.state
	born=$(uptime_s)
	tw-rst make --server "$2" --port "$3" --count $N --state "$st" >/tmp/make.json 2>/tmp/make.err ||
		fail "tw-rst make $1: $(cat /tmp/make.err)"
	assert_eq "$1: connections" $N "$(jq .connections /tmp/make.json)"
	assert_eq "$1: server FINs captured" $N "$(jq .fins_captured /tmp/make.json)"
	assert_eq "$1: state file lines" $N "$(grep -c "^$1 " "$st")"
	settle
	assert_eq "$1: 4-tuples in time-wait per ss" $N "$(listed "$st")"
	pool="[.[] | select(.family == \"$1\" and .remote == \"$2\" and .rport == $3) | .count] | add // 0"
	assert_eq "$1: pool -> $2 port $3" $N "$(tws "$pool" dests)"

	# Controls: tcp_rfc1337 = 1 with the right seq; the sysctl at 0 with
	# the seq one after and one before rcv_nxt (out of window)
	rst_round "$1 controls" "$st" 0 "1 0" "0 1" "0 -1"
	rst_round "$1 RST at rcv_nxt" "$st" $N "0 0"
	assert_eq "$1: pool -> $2 port $3 after the RSTs" 0 "$(tws "$pool" dests)"
	check_invariant
}

load_twmon
assert_match "ended.rst is available" '^[0-9]+$' "$(tws .ended.rst)"
rst_family inet 127.0.0.1 8086
rst_family inet6 ::1 8086
unload_twmon

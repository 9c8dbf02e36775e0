#!/bin/sh
# timeout: 240
# cgroups=1: a cgroup removed while its TIME_WAIT sockets live keeps its
# row (and the module's reference keeps it a dying cgroup: cgroup.stat
# nr_dying_descendants) until they expire; then the row goes, and with it
# the reference, so the dying cgroup is released. Nothing leaks.
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
own_netns

need_cgroup2
rmdir $CG/gone.service 2>/dev/null
mkdir $CG/gone.service
dying() { awk '$1 == "nr_dying_descendants" { print $2 }' $CG/cgroup.stat; }
wait_for 10 sh -c "[ \$(awk '\$1 == \"nr_dying_descendants\" { print \$2 }' $CG/cgroup.stat) = 0 ]" ||
	skip "dying cgroups from before: $(dying)"
kernel_log_mark
load_twmon cgroups=1
id=$(stat -c %i $CG/gone.service)
# row FIELD: of the cgroup's row, "none" if there is no row
row() {
	tw-stat -j cgroups | jq -r --argjson id "$id" \
		"([.[] | select(.cgroup_id == \$id)][0]) as \$r | if \$r == null then \"none\" else \$r.$1 end"
}

start_server --port 8097 --close client
sh -c "$IN_CG" $CG/gone.service \
	tw-load client --connect 127.0.0.1:8097 --count 50 --close client >/tmp/gone.json 2>/dev/null
stop_server
settle
n=$(jq .completed /tmp/gone.json)
rmdir $CG/gone.service || fail "rmdir of the emptied cgroup failed"
assert_eq "removed cgroup still counted" "$n" "$(row live)"
assert_eq "removed cgroup has no path" null "$(row path)"
[ "$(dying)" -ge 1 ] || fail "the removed cgroup is not dying while its sockets live: $(cat $CG/cgroup.stat)"

# they expire (60 s); the row goes within two reaps (16 s each) after
# that, and may go right after: its last state is read in one call as
# they expire (two calls, one for live, one for ended, once straddled the
# reap on a slow debug kernel)
last=
gone_tw=
t=0
while [ $t -lt 400 ]; do	# 0.2 s steps: 80 s
	r=$(tw-stat -j cgroups | jq -c --argjson id "$id" '[.[] | select(.cgroup_id == $id)][0]')
	if [ "$r" = null ]; then
		gone_tw=$(sockstat_tw_now)	# TIME_WAIT left once it was gone
		break
	fi
	last=$r
	[ "$(echo "$r" | jq .live)" = 0 ] && break
	sleep 0.2
	t=$((t + 1))
done
wait_tw_zero 20 || fail "TIME_WAIT sockets still alive after 80 s"
assert_eq "removed cgroup: live + ended on its last read ($last)" "$n" \
	"$(echo "$last" | jq '.live + .ended')"
if [ "$(echo "$last" | jq .live)" != 0 ]; then
	# a slow kernel's read can miss the moment between the last expiry
	# and the reap that drops the row: it went, but only once every
	# socket of this namespace had expired
	echo "the row went between two reads (last read: $last; TIME_WAIT then: $gone_tw)"
	assert_eq "TIME_WAIT left when the removed cgroup's row went" 0 "$gone_tw"
else
	assert_eq "removed cgroup: ended" "$n" "$(echo "$last" | jq .ended)"
fi
row_gone() { [ "$(row live)" = none ]; }
wait_for 60 row_gone || fail "the removed cgroup's row is still there: $(tw-stat -j cgroups)"
wait_for 10 sh -c "[ \$(awk '\$1 == \"nr_dying_descendants\" { print \$2 }' $CG/cgroup.stat) = 0 ]" ||
	fail "the removed cgroup is still dying after its row went: $(cat $CG/cgroup.stat)"
unload_twmon
kernel_log_clean

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb end to end, on this host (it changes the host, and undoes it):
#  - the packages build and lintian finds nothing (scripts/deb/build);
#  - apt installs them; DKMS builds twmon.ko for every kernel of
#    scripts/kernels installed here (dkms status) into
#    /lib/modules/KVER/updates/dkms (5.10 too, with the machine's gcc);
#    twmond.service is installed but not enabled;
#  - each kernel boots in the VM with DKMS's module and passes the basic
#    suite;
#  - apt purges them and nothing is left: no dkms entry, no
#    /usr/src/twmon-*, no module under /lib/modules, no /etc file.
# Idempotent: packages left by an earlier run are purged first; a trap
# purges them again on any exit. Needs root (skips otherwise).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (installs packages)"
for t in dpkg-buildpackage dkms lintian apt-get; do
	command -v $t >/dev/null || fail "$t is missing (scripts/deps)"
done
VERSION=$(sed -n 's/^VERSION[[:space:]]*:*=[[:space:]]*//p' Makefile)
# The kernels of make check that are installed on this host with headers
# (7.x lives in a chroot: DKMS on this host cannot see it)
KERNELS=$(for k in ${KERNELS:-$(scripts/kernels)}; do
	[ -d "/lib/modules/$k/build" ] && echo "$k"
done)
[ -n "$KERNELS" ] || fail "no kernel with headers (scripts/deps)"
export DEBIAN_FRONTEND=noninteractive
OUT=$(mktemp -d /tmp/twmon-debtest.XXXXXX)
LOGDIR=${VM_LOGDIR:-$OUT}

purge() {
	if dpkg-query -W -f='${Status}\n' twmon twmon-dkms 2>/dev/null | grep -qv 'not-installed'; then
		apt-get purge -y -qq twmon twmon-dkms >"$OUT/purge.log" 2>&1 ||
			{ cat "$OUT/purge.log"; return 1; }
	fi
	return 0
}
cleanup() {
	purge >/dev/null 2>&1
	rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

purge || fail "could not purge the packages of an earlier run"

t0=$(date +%s)
scripts/deb/build "$OUT" || fail "make deb failed"
t1=$(date +%s)
echo "packages built and lintian clean in $((t1 - t0))s"

apt-get install -y -qq --no-install-recommends \
	"$OUT/twmon-dkms_${VERSION}_all.deb" "$OUT/twmon_${VERSION}_$(dpkg --print-architecture).deb" \
	>"$OUT/install.log" 2>&1 || { tail -n 40 "$OUT/install.log"; fail "apt install failed"; }
t2=$(date +%s)
echo "installed, DKMS built for every kernel, in $((t2 - t1))s"
grep -E '^Building (initial module|for)|^Error|Skipped' "$OUT/install.log" | sed 's/^/  dkms: /'

# (dkms status prints readelf's warnings on stderr: not status lines)
status=$(dkms status twmon 2>/dev/null)
echo "$status" | sed 's/^/  dkms status: /'
rc=0
for k in $KERNELS; do
	echo "$status" | grep -F "twmon/$VERSION, $k, " | grep -q ': installed' ||
		{ echo "FAIL: dkms status: twmon not installed for $k"; rc=1; continue; }
	ko=$(ls /lib/modules/"$k"/updates/dkms/twmon.ko* 2>/dev/null | head -n1)
	[ -n "$ko" ] || { echo "FAIL: no twmon.ko in /lib/modules/$k/updates/dkms"; rc=1; continue; }
	vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	v=$(modinfo -F version "$ko")
	[ "$vm" = "$k" ] && [ "$v" = "$VERSION" ] ||
		{ echo "FAIL: $ko: vermagic $vm, version $v"; rc=1; continue; }
	# modprobe finds it by name (depmod ran)
	grep -q "^updates/dkms/twmon.ko" "/lib/modules/$k/modules.dep" ||
		{ echo "FAIL: twmon not in /lib/modules/$k/modules.dep"; rc=1; }
done
[ $rc = 0 ] || fail "DKMS did not build twmon for every kernel"
en=$(systemctl is-enabled twmond.service 2>&1)
[ "$en" = disabled ] || fail "twmond.service is '$en' after install, not disabled"
[ -e /etc/twmond.conf ] || fail "no /etc/twmond.conf"
grep -qx '/etc/twmond.conf' /var/lib/dpkg/info/twmon.conffiles || fail "/etc/twmond.conf is not a conffile"
grep -q '^#options twmon ' /etc/modprobe.d/twmon.conf || fail "/etc/modprobe.d/twmon.conf has no commented options line"
[ -x /usr/sbin/tw-stat ] && [ -x /usr/sbin/twmond ] || fail "programs missing"
# (no module on this host: it fails after printing its own version)
out=$(/usr/sbin/tw-stat --version 2>&1)
echo "$out" | grep -q "^tw-stat $VERSION" || fail "/usr/sbin/tw-stat --version: $out"

# Each kernel boots with DKMS's module (the tree's own is not built)
for k in $KERNELS; do
	ko=$(ls /lib/modules/"$k"/updates/dkms/twmon.ko* | head -n1)
	echo "== $k basic with $ko"
	VM_KO=$ko VM_LOGDIR=$LOGDIR scripts/vm-run "$k" basic | sed 's/^/  /'
	[ "${PIPESTATUS[0]}" = 0 ] || { echo "FAIL: basic suite on $k with DKMS's module"; rc=1; }
done
t3=$(date +%s)
[ $rc = 0 ] || fail "the basic suite failed with DKMS's module"

purge || fail "apt purge failed"
left=$(dkms status twmon 2>/dev/null)
[ -z "$left" ] || fail "dkms status after purge: $left"
for p in /usr/src/twmon-* /var/lib/dkms/twmon /lib/modules/*/updates/dkms/twmon.ko* \
	/etc/modprobe.d/twmon.conf /etc/twmond.conf /usr/sbin/tw-stat /usr/sbin/twmond \
	/lib/systemd/system/twmond.service /usr/share/twmon; do
	[ -e "$p" ] && fail "left after purge: $p"
done
for k in $KERNELS; do
	grep -q twmon "/lib/modules/$k/modules.dep" && fail "twmon still in /lib/modules/$k/modules.dep"
done
echo "purged in $(($(date +%s) - t3))s: nothing left"
echo "times: build+lintian $((t1 - t0))s, install+DKMS $((t2 - t1))s, VM $((t3 - t2))s"
exit 0

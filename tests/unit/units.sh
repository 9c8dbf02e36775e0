#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# userspace/twmond/twmond.service: systemd-analyze verify finds no error and no
# warning (an unknown or misspelt directive is only a warning there, and
# would silently drop a protection), and the privileges are the intended
# ones. TAP on stdout; skipped only without systemd-analyze (package systemd).
top=$(cd "$(dirname "$0")/../.." && pwd)
unit=$top/userspace/twmond/twmond.service
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 # SKIP systemd-analyze not installed (Debian package systemd)"
	exit 0
fi
echo "1..2"
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# verify checks that ExecStart exists: point it at the built daemon, or at
# a stand-in when it is not built
bin=$top/userspace/twmond/twmond
[ -x "$bin" ] || bin=/bin/true
sed "s|^ExecStart=[^ ]*|ExecStart=$bin|" "$unit" >"$tmp/twmond.service"
out=$(cd "$tmp" && systemd-analyze verify --man=no ./twmond.service 2>&1)
if [ $? -eq 0 ] && [ -z "$out" ]; then
	echo "ok 1 - systemd-analyze verify twmond.service"
else
	echo "not ok 1 - systemd-analyze verify twmond.service"
	printf '%s\n' "$out" | sed 's/^/# /'
	fail=1
fi
# the privileges: one capability, kept by a dedicated user, nothing more
want="DynamicUser=yes
AmbientCapabilities=CAP_NET_ADMIN
CapabilityBoundingSet=CAP_NET_ADMIN
NoNewPrivileges=yes
ProtectSystem=strict
ProtectHome=yes
PrivateTmp=yes
RestrictAddressFamilies=AF_NETLINK AF_UNIX AF_INET AF_INET6
ExecReload=/bin/kill -HUP \$MAINPID"
missing=$(printf '%s\n' "$want" | while read -r l; do grep -qxF "$l" "$unit" || echo "$l"; done)
if [ -z "$missing" ] && ! grep -q '^User=root' "$unit"; then
	echo "ok 2 - twmond.service: dedicated user, CAP_NET_ADMIN only, sandboxed"
else
	echo "not ok 2 - twmond.service lacks: $missing"
	fail=1
fi
exit $fail

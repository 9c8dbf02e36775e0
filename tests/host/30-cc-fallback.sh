#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 5.10's headers name gcc-10, which a bookworm machine may lack: the
# Makefile then builds with the machine's gcc (CC=gcc). Force that path
# (KCC names a compiler that does not exist) in a copy of the tree, check
# the module was built by another gcc than gcc-10, and boot it: the basic
# suite on 5.10 with that module.
set -euo pipefail
cd "$(dirname "$0")/../.."
K=$(echo "${KERNELS:-$(scripts/kernels)}" | tr ' ' '\n' | grep '^5\.10\.' | head -n1 || true)
[ -n "$K" ] || { echo "SKIP: no 5.10 kernel installed (scripts/kernels)"; exit 77; }
W=$(mktemp -d /tmp/twmon-cc.XXXXXX)
trap 'rm -rf "$W"' EXIT
git ls-files -z -- Kbuild Makefile kmod scripts | cpio -0 -pdm --quiet "$W"
make -s -C "$W" module KVER="$K" KCC=gcc-no-such-compiler >"$W/build.log" 2>&1 ||
	{ cat "$W/build.log"; echo "FAIL: build with the CC=gcc fallback"; exit 1; }
comment=$(readelf -p .comment "$W/kmod/twmon.ko" | grep -o 'GCC: .*' | sort -u)
echo "twmon.ko for $K built by: $comment"
if echo "$comment" | grep -q ' 10\.'; then
	echo "FAIL: KCC=gcc-no-such-compiler still built with gcc 10"
	exit 1
fi
VM_KO="$W/kmod/twmon.ko" scripts/vm-run "$K" basic

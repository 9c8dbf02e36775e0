#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The Prometheus alert rules: promtool check rules, then its unit tests
# (userspace/twmond/prometheus/twmon.rules.test.yml). TAP on stdout; skipped
# (one "ok # SKIP" line) only when promtool, from the Debian package
# prometheus, is not installed.
dir=$(cd "$(dirname "$0")/../../userspace/twmond/prometheus" && pwd)
if ! command -v promtool >/dev/null 2>&1; then
	echo "1..1"
	echo "ok 1 # SKIP promtool not installed (Debian package prometheus)"
	exit 0
fi
echo "1..2"
fail=0
n=0
for what in "check rules twmon.rules.yml" "test rules twmon.rules.test.yml"; do
	n=$((n + 1))
	# shellcheck disable=SC2086 # the words are the arguments
	if out=$(cd "$dir" && promtool $what 2>&1); then
		echo "ok $n - promtool $what"
	else
		echo "not ok $n - promtool $what"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
done
exit $fail

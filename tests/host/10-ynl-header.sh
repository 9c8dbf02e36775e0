#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The YNL spec is the single source of the uapi header: the kernel's schema
# (genetlink-legacy.yaml) validates kmod/uapi/twmon.yaml, and the kernel's
# ynl-gen-c.py generates exactly the committed kmod/uapi/linux/twmon.h.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/ynl check
echo "kmod/uapi/linux/twmon.h is what kmod/uapi/twmon.yaml generates"

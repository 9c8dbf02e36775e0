#!/bin/sh
# The guest's side of the machine section: kernel, CPUs, memory, clock
. /twmon/tests/vm/lib.sh
. /twmon/tests/bench/bench-lib
emit meta guest_kernel "$(uname -r)"
emit meta vcpus "$(nproc)"
emit meta guest_mem_mb "$(awk '$1 == "MemTotal:" { print int($2 / 1024) }' /proc/meminfo)"
emit meta accel "$(sed -n 's/.*twmon\.accel=\([^ ]*\).*/\1/p' /proc/cmdline)"
emit meta guest_cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
emit meta rounds "$BENCH_ROUNDS"
emit meta rate_ms "$BENCH_MS"
emit meta concurrency "$BENCH_CONC"
emit meta module_version "$TWMON_VERSION"

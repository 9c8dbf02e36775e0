#!/bin/sh
# timeout: 3000
# Benchmark 5, memory: 40,000 live TIME_WAIT sockets on 10,000 table
# entries (5,000 pools and 5,000 services, 4 sockets each), then the
# module loaded (it counts them all at load) and unloaded. Measured:
# objects of the module's own slab cache twmon_row (one per table row;
# the guest boots with slab_nomerge, tests/bench/run, so the cache is
# not merged into another of its size and /proc/slabinfo shows it) and
# Slab + Percpu + VmallocUsed from /proc/meminfo, loaded minus not loaded;
# the module's code and data from /sys/module/twmon/coresize; the
# namespaces alive (net_namespace objects: each has its per-CPU counters
# and its rhashtable). The host computes the bound from the module
# parameters and the struct sizes (tests/bench/report).
. /twmon/tests/vm/lib.sh
. /twmon/tests/vm/tw.sh
. /twmon/tests/bench/bench-lib
own_netns
bench_sysctls
start_servers
flood client 20000 --dst-range 127.50.0.1-127.50.19.136
flood server 20000 --dst-range 127.51.0.1-127.51.19.136
settle

# active objects of a slab cache, 0 when it does not exist (twmon_row
# goes with the module)
slab_objs() {
	awk -v c="$1" '$1 == c { n = $2 } END { print n + 0 }' /proc/slabinfo
}
mem_kb() {
	awk '$1 == "Slab:" || $1 == "Percpu:" || $1 == "VmallocUsed:" { s += $2 } END { print s }' /proc/meminfo
}

n=$BENCH_ROUNDS
[ "$n" -gt 3 ] && n=3
r=1
while [ $r -le "$n" ]; do
	sync
	o0=$(slab_objs twmon_row) m0=$(mem_kb)
	load_twmon
	sleep 1
	o1=$(slab_objs twmon_row) m1=$(mem_kb)
	emit sample mem-live $r loaded "$(twj .live)"
	emit sample mem-entries $r loaded "$(twj '.dests + .services')"
	emit sample mem-untracked $r loaded "$(twj .untracked)"
	emit sample mem-coresize $r loaded "$(cat /sys/module/twmon/coresize)"
	emit sample mem-row-objs $r delta $((o1 - o0))
	emit sample mem-kb $r delta $((m1 - m0))
	emit sample mem-max-dests $r param "$(cat /sys/module/twmon/parameters/max_dests)"
	emit sample mem-max-services $r param "$(cat /sys/module/twmon/parameters/max_services)"
	emit sample mem-max-entries $r param "$(cat /sys/module/twmon/parameters/max_entries)"
	emit sample mem-netns $r loaded "$(slab_objs net_namespace)"
	unload_twmon
	sleep 3
	o2=$(slab_objs twmon_row) m2=$(mem_kb)
	emit sample mem-row-objs $r freed $((o1 - o2))
	emit sample mem-kb $r freed $((m1 - m2))
	r=$((r + 1))
done
emit sample mem-ncpu 1 guest "$(nproc)"

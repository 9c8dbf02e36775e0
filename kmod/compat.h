/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmon: what differs between the kernels twmon builds for, in one place.
 * Features are told by Kbuild tests on the headers (kmod/Kbuild), not by
 * version numbers, the way WireGuard's out-of-tree compat layer did it.
 */
#ifndef _TWMON_COMPAT_H
#define _TWMON_COMPAT_H

/* 5.10: net/netns/generic.h needs struct net complete before it */
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/ip.h>
#include <net/genetlink.h>
#include <net/tcp.h>
#include <net/inet6_hashtables.h>

/*
 * The kernel's own count of a namespace's TCP timewait sockets, what
 * /proc/net/sockstat prints as tw: 5.15+ a refcount that starts at 1
 * (TWMON_HAVE_TW_REFCOUNT), 5.10 an atomic_t tw_count that starts at 0.
 */
static inline int twmon_kernel_tw_count(const struct net *net)
{
#ifdef TWMON_HAVE_TW_REFCOUNT
	return refcount_read(&net->ipv4.tcp_death_row.tw_refcount) - 1;
#else
	return atomic_read(&net->ipv4.tcp_death_row.tw_count);
#endif
}

/*
 * A namespace's LINUX_MIB_* counter (what nstat shows), summed over the
 * CPUs as snmp_fold_field() does; 7.x no longer exports that function.
 */
static inline unsigned long twmon_net_mib(const struct net *net, int field)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *((unsigned long *)per_cpu_ptr(net->mib.net_statistics, cpu) +
			 field);
	return sum;
}

/*
 * genl_family.resv_start_op (6.1+, TWMON_HAVE_GENL_RESV_START_OP) makes
 * genetlink refuse a request whose reserved header field is not zero.
 * Before it nothing checks that field: the family's pre_doit does, for
 * the doit ops (dumps have no family-wide hook there).
 */
#ifdef TWMON_HAVE_GENL_RESV_START_OP
#define twmon_compat_pre_doit NULL
#else
static inline int twmon_compat_pre_doit(const struct genl_ops *ops,
					struct sk_buff *skb,
					struct genl_info *info)
{
	return info->genlhdr->reserved ? -EINVAL : 0;
}
#endif

/*
 * Where a timewait socket meets the full socket it replaces (hooks.c):
 * 6.11+ inet_twsk_hashdance_schedule(tw, sk, hashinfo, timeo) hashes it
 * and then arms its timer to expire at jiffies + timeo; before,
 * inet_twsk_hashdance(tw, sk, hashinfo) hashes it after
 * __inet_twsk_schedule() armed the timer.
 */
#ifdef TWMON_HAVE_TW_HASHDANCE_SCHEDULE
#define TWMON_HASHDANCE "inet_twsk_hashdance_schedule"
#define twmon_hashdance_expires(regs, tw) \
	(jiffies + (int)regs_get_kernel_argument(regs, 3))
#else
#define TWMON_HASHDANCE "inet_twsk_hashdance"
#define twmon_hashdance_expires(regs, tw) READ_ONCE((tw)->tw_timer.expires)
#endif

/*
 * timer_shutdown_sync() (6.2+, TWMON_HAVE_TIMER_SHUTDOWN), or 0: where
 * inet_twsk_deschedule_put() calls it (6.11+), a kill tells an expiry by
 * the timer's function (hooks.c: timer_tells_expiry).
 */
#ifdef TWMON_HAVE_TIMER_SHUTDOWN
#define TWMON_TIMER_SHUTDOWN ((unsigned long)timer_shutdown_sync)
#else
#define TWMON_TIMER_SHUTDOWN 0UL
#endif

/*
 * The established table's lookup (a reference on what it finds): before
 * 7.x the caller passes the table (TWMON_HAVE_LOOKUP_HASHINFO), 7.x
 * finds it from the namespace.
 */
#ifdef TWMON_HAVE_LOOKUP_HASHINFO
#define twmon_lookup_established(net, ...) \
	__inet_lookup_established(net, (net)->ipv4.tcp_death_row.hashinfo, \
				  __VA_ARGS__)
#define twmon_lookup6_established(net, ...) \
	__inet6_lookup_established(net, (net)->ipv4.tcp_death_row.hashinfo, \
				   __VA_ARGS__)
#else
#define twmon_lookup_established __inet_lookup_established
#define twmon_lookup6_established __inet6_lookup_established
#endif

#endif /* _TWMON_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmon: what differs between the kernels twmon builds for, in one place.
 * Features are told by Kbuild tests on the headers (kmod/Kbuild), not by
 * version numbers, the way WireGuard's out-of-tree compat layer did it.
 */
#ifndef _TWMON_COMPAT_H
#define _TWMON_COMPAT_H

#include <net/net_namespace.h>
#include <net/tcp.h>

/* The kernel's own count of a namespace's TCP timewait sockets (sockstat tw) */
static inline int twmon_kernel_tw_count(const struct net *net)
{
	return refcount_read(&net->ipv4.tcp_death_row.tw_refcount) - 1;
}

#endif /* _TWMON_COMPAT_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* tw-stat cgroups: live TIME_WAIT sockets by the cgroup that made them */
#ifndef TW_CGROUPS_H
#define TW_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "opts.h"
#include "stats.h"

int tw_cmd_cgroups(struct tw_nl *nl, const struct tw_opts *o);

/*
 * tw-stat dests|services --by-cgroup: rows of (pool or service, cgroup),
 * pool by pool, largest first (a pool's with its occupancy of the port range)
 */
int tw_show_by_cgroup(struct tw_entry *e, size_t n, unsigned int top, bool services,
		      uint32_t port_low, uint32_t port_high);

/* GET_CGROUPS rows: the most live first */
void tw_sort_cgroups(struct tw_entry *e, size_t n);
/* Paths of the rows' cgroups, in their order (NULL: none found); exits on ENOMEM */
char **tw_cgroups_paths(const struct tw_entry *e, size_t n);
void tw_cgroups_paths_free(char **paths, size_t n);
/*
 * The rows with their paths, as tw-stat cgroups shows them (JSON: an array,
 * under key); shares of ns_live, or of the rows' sum if ns_live < 0
 */
void tw_show_cgroups_key(const char *key, const struct tw_entry *e, char *const *paths, size_t n,
			 unsigned int top, int64_t ns_live);

/* After a failed request r: why, where the kernel said nothing (EOPNOTSUPP) */
void tw_cgroups_hint(int r, const char *err);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Requests whose replies are collected into arrays: GET_STATS, the dumps */
#ifndef TW_FETCH_H
#define TW_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "opts.h"
#include "stats.h"

struct stats_vec {
	struct tw_stats *v;
	size_t n, cap;
};

struct entry_vec {
	struct tw_entry *v;
	size_t n, cap;
	int (*parse)(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen);
};

/*
 * GET_STATS of the caller's namespace (exactly one reply) or of every one
 * (all). Replaces what sv held. 0, or -errno with a message in err.
 */
int tw_fetch_stats(struct tw_nl *nl, bool all, struct stats_vec *sv, char *err, size_t errlen);

/*
 * A dump (GET_DESTS, GET_SERVICES, GET_SOCKS) with the filters of o that
 * filters (OPT_*) allows; o may be NULL. Appends to ev.
 */
int tw_fetch_entries(struct tw_nl *nl, const struct tw_opts *o, uint8_t cmd, const char *name,
		     unsigned int filters, struct entry_vec *ev, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tw-stat watch: one frame of the refreshing view, from two GET_STATS a
 * known time apart and the top pools and services. Pure: it prints through
 * the print layer (text, or one JSON object per frame); the terminal
 * handling lives in live.c.
 */
#ifndef TW_WATCH_H
#define TW_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats.h"

struct tw_watch_frame {
	double ts;				 /* wall clock of cur, seconds since the epoch */
	double interval;			 /* the refresh interval asked for, seconds */
	const char *netns_name;			 /* or NULL */
	const struct tw_stats *cur;		 /* this GET_STATS */
	const struct tw_stats *prev;		 /* the one before, or NULL on the first frame */
	double dt;				 /* seconds between prev and cur */
	const struct tw_entry *dests, *services; /* sorted, largest first */
	size_t ndests, nservices;
	const struct tw_entry *cgroups; /* module cgroups=1: sorted, or NULL */
	char *const *cgroup_paths;	/* theirs (NULL: not found) */
	size_t ncgroups;
	unsigned int top;   /* rows of each table */
	unsigned int width; /* terminal columns, 0: 80 */
};

/*
 * Per second between two readings of a counter: false when there is no
 * earlier reading, no time passed, or the counter went back (the module
 * was reloaded).
 */
bool tw_rate(uint64_t cur, uint64_t prev, bool have_prev, double dt, double *rate);

void tw_watch_render(const struct tw_watch_frame *f);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* What tw-stat shows, through the print layer: text or JSON from one code path */
#ifndef TW_SHOW_H
#define TW_SHOW_H

#include <stddef.h>
#include <stdint.h>

#include "stats.h"

/*
 * An age histogram as JSON (only): key: [{"le_s": 1, "count": n}, ...],
 * TWMON_AGE_BUCKETS entries; bucket i < 60 has le_s i + 1, the last
 * (>= 60 s) le_s null. The counts are the kernel's, so they sum to live.
 */
void tw_print_ages_json(const char *key, const uint64_t *buckets);

/* Ten-second groups of an age histogram: 0-10 s ... 50-60 s, then >= 60 s */
#define TW_AGE_GROUPS 7
void tw_age_groups(const uint64_t *buckets, uint64_t *groups);

/* One namespace: a JSON object, or a block of text. name may be NULL */
void tw_show_summary(const struct tw_stats *s, const char *netns_name);
/* The age histogram of one namespace (text: bars) */
void tw_show_ages(const struct tw_stats *s, const char *netns_name);

/* Largest count first; ties by family, address, port (stable output) */
void tw_sort_entries(struct tw_entry *e, size_t n);
/*
 * Tables, at most top rows (0 = all). Occupancy of the local port range
 * needs low/high from GET_STATS; have_range false shows it as unknown.
 */
void tw_show_dests(const struct tw_entry *e, size_t n, unsigned int top, uint32_t port_low,
		   uint32_t port_high, int have_range);
void tw_show_services(const struct tw_entry *e, size_t n, unsigned int top);
/* The same, as a JSON array under key inside an object (key NULL: as above) */
void tw_show_dests_key(const char *key, const struct tw_entry *e, size_t n, unsigned int top,
		       uint32_t port_low, uint32_t port_high, int have_range);
void tw_show_services_key(const char *key, const struct tw_entry *e, size_t n, unsigned int top);
void tw_show_socks(const struct tw_entry *e, size_t n);

#endif

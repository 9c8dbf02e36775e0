/* SPDX-License-Identifier: GPL-2.0 */
/* tw-stat's command line: global options, the subcommand, its filters */
#ifndef TW_OPTS_H
#define TW_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Subcommand options, as bits: which were given, which a command allows */
enum {
	OPT_TOP = 1u << 0,
	OPT_FAMILY = 1u << 1,
	OPT_SRC = 1u << 2,
	OPT_SPORT = 1u << 3,
	OPT_DST = 1u << 4,
	OPT_DPORT = 1u << 5,
	OPT_STATE = 1u << 6,
	OPT_COUNT = 1u << 7,	   /* events */
	OPT_STATS = 1u << 8,	   /* events */
	OPT_FOLLOW = 1u << 9,	   /* events */
	OPT_RCVBUF = 1u << 10,	   /* events */
	OPT_INTERVAL = 1u << 11,   /* watch */
	OPT_ITERATIONS = 1u << 12, /* watch */
	OPT_BY_CGROUP = 1u << 13,  /* dests, services */
	OPT_CGROUP = 1u << 14,	   /* cgroups, dests --by-cgroup */
};

/* Filters sent to the kernel as request attributes */
struct tw_filter {
	uint8_t family;		  /* AF_INET / AF_INET6, 0 = any */
	uint8_t src[16], dst[16]; /* local / remote address */
	uint16_t sport, dport;	  /* local / remote port */
	uint8_t substate;	  /* TCP_TIME_WAIT / TCP_FIN_WAIT2 */
	uint64_t cgroup_id;	  /* --cgroup: an id, or a path's */
};

struct tw_opts {
	bool json, pretty, all_netns, help, version;
	const char *netns;  /* -n NAME */
	const char *cmd;    /* subcommand, "show" when none */
	unsigned int top;   /* rows to show, 0 = all */
	unsigned int given; /* OPT_* seen */
	struct tw_filter f;
	unsigned long count;	  /* events: stop after N, 0 = never */
	bool stats, follow;	  /* events: --stats, --follow */
	bool by_cgroup;		  /* dests: --by-cgroup */
	unsigned long rcvbuf;	  /* events: receive buffer bytes, 0 = default */
	unsigned int interval_ms; /* watch: refresh every (default 1000) */
	unsigned long iterations; /* watch: frames, 0 = until q */
};

#define TW_OPT_ERR_LEN 160
#define TW_TOP_DEFAULT 20
#define TW_INTERVAL_DEFAULT_MS 1000

/*
 * Parses argv (options may come before or after the subcommand, as with
 * getopt_long's permutation). Returns 0, or 2 (a usage error) with a
 * message in err. The top default (20 in text, all in JSON) is applied.
 */
int tw_opts_parse(int argc, char **argv, struct tw_opts *o, char *err, size_t errlen);

/* Usage error (2) when an option was given that the command does not take */
int tw_opts_check(const struct tw_opts *o, unsigned int allowed, char *err, size_t errlen);

/* Strict decimal in [min, max]: no sign, no spaces, no trailing text */
int tw_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* Seconds with an optional fraction ("0.5") to milliseconds in [min_ms, max_ms] */
int tw_parse_seconds(const char *s, unsigned int min_ms, unsigned int max_ms, unsigned int *ms);

#endif

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
};

/* Filters sent to the kernel as request attributes */
struct tw_filter {
	uint8_t family;		  /* AF_INET / AF_INET6, 0 = any */
	uint8_t src[16], dst[16]; /* local / remote address */
	uint16_t sport, dport;	  /* local / remote port */
	uint8_t substate;	  /* TCP_TIME_WAIT / TCP_FIN_WAIT2 */
};

struct tw_opts {
	bool json, pretty, all_netns, help, version;
	const char *netns;  /* -n NAME */
	const char *cmd;    /* subcommand, "show" when none */
	unsigned int top;   /* rows to show, 0 = all */
	unsigned int given; /* OPT_* seen */
	struct tw_filter f;
};

#define TW_OPT_ERR_LEN 160
#define TW_TOP_DEFAULT 20

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

#endif

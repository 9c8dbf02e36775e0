/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tw-stat events: what arrives on the "events" (and "stats") multicast
 * groups, one record per event, snapshot or loss, as a text line or a JSON
 * line. No socket here: tw_events_handle() takes one netlink message.
 */
#ifndef TW_EVENTS_H
#define TW_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

#include "stats.h"

/* "overflow-begin", ... "linger-abort"; NULL for an unknown type */
const char *tw_event_name(uint32_t type);

enum tw_group { TW_GRP_STATS, TW_GRP_EVENTS, __TW_GRP_LAST };
/* "stats" / "events" */
const char *tw_group_name(enum tw_group g);

/* Sequence numbers seen, per namespace and group */
#define TW_SEQ_NETNS 64
struct tw_seq_track {
	struct {
		uint32_t inum;
		bool seen[__TW_GRP_LAST];
		uint64_t last[__TW_GRP_LAST];
	} ns[TW_SEQ_NETNS];
	size_t n;
};

/*
 * Records seq; returns how many messages were lost before it (0: none, the
 * first one seen, or a restart: seq went back, the module was reloaded).
 */
uint64_t tw_seq_check(struct tw_seq_track *t, uint32_t inum, enum tw_group g, uint64_t seq);
/* After ENOBUFS: the next message of each group starts afresh */
void tw_seq_forget(struct tw_seq_track *t);

/*
 * Records, through the print layer (one JSON object each; the caller
 * flushes). ts: seconds since the epoch. name: the namespace's name or NULL.
 */
void tw_show_event(double ts, const struct tw_event_msg *m, const struct tw_event *e,
		   const char *name);
/*
 * Messages lost: of one group of one namespace (a sequence gap), or of the
 * socket (ENOBUFS: group NULL, inum 0, lost 0 = unknown)
 */
void tw_show_lost(double ts, uint32_t inum, const char *group, uint64_t lost, const char *why);
/* A "stats" group snapshot (type "stats") or a GET_STATS after a loss ("resync") */
void tw_show_snapshot(double ts, const char *type, const struct tw_stats *s, uint64_t seq,
		      const char *name);
/* Anything else worth a line: "module-unloaded", ... */
void tw_show_notice(double ts, const char *type, const char *text);

/* What the subscriber asked for, and what it has seen */
struct tw_events_ctx {
	int family;	       /* twmon's generic netlink id */
	bool stats;	       /* print "stats" snapshots too */
	unsigned long count;   /* stop after this many events; 0 = never */
	const char *netns;     /* -n NAME, else looked up in netns_dir */
	const char *netns_dir; /* NULL: no lookup */
	unsigned long events;  /* events printed */
	bool resync;	       /* a gap was seen: the caller resyncs */
	bool unloaded, loaded; /* nlctrl: the twmon family went away / came */
	struct tw_seq_track seq;
	char err[TW_ERR_LEN + 64];
};

enum { TW_EV_MORE, TW_EV_DONE, TW_EV_ERROR };

/*
 * One message of the subscription socket: twmon's stats or events, or an
 * nlctrl notification about the twmon family. Prints what it shows and
 * flushes. TW_EV_DONE once count events were printed; TW_EV_ERROR with a
 * message in ctx->err for a malformed message.
 */
int tw_events_handle(struct tw_events_ctx *c, const struct nlmsghdr *nlh, double ts);

#endif

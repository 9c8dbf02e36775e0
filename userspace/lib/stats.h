/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Replies of the twmon family, parsed into plain structs. Parsing is strict:
 * every attribute the ABI promises must be there with its exact length, or
 * the reply is refused with a message naming the attribute. Attributes newer
 * than this header are ignored (the ABI only ever appends).
 */
#ifndef TW_STATS_H
#define TW_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/twmon.h>

#define TW_ERR_LEN 160

struct tw_stats {
	uint32_t netns_inum;
	uint32_t hooks; /* BIT(enum twmon_hook) */
	uint64_t live, live_timewait, live_finwait2;
	uint64_t seeded, entered, entered_timewait, entered_finwait2;
	uint64_t ended[__TWMON_END_LAST]; /* by enum twmon_end; [0] unused */
	uint64_t overflow, connect_eaddrnotavail, linger_abort, untracked;
	uint32_t max_tw_buckets, port_low, port_high, dests, services;
	uint64_t ages[TWMON_AGE_BUCKETS];
	bool has_lifetime; /* only in the single-namespace (doit) reply */
	uint64_t lifetime[__TWMON_END_LAST][TWMON_AGE_BUCKETS];
};

/* One row of GET_DESTS, GET_SERVICES, GET_SOCKS or GET_CGROUPS; unused fields are 0 */
struct tw_entry {
	uint8_t family;
	uint8_t substate; /* TCP_TIME_WAIT (6) or TCP_FIN_WAIT2 (5) */
	uint16_t lport, rport;
	uint8_t laddr[16], raddr[16];
	uint32_t count;
	uint32_t remaining_ms, age_ms;
	/*
	 * GET_CGROUPS: totals since the row was made; untracked in the 0 row
	 * only, overflow in every row (the 0 row: overflows no cgroup counts)
	 */
	uint64_t cgroup_id, entered, ended, eaddrnotavail, linger_abort, untracked, overflow;
	bool other; /* GET_CGROUPS: the cgroups outside the caller's cgroup namespace */
};

struct tw_config {
	char version[64];
	uint32_t hooks, hooks_wanted;
	uint32_t stats_interval_ms, max_dests, max_services;
	uint64_t purged_dead_netns, missed;
	uint8_t cgroups; /* module parameter: counted per cgroup */
	uint32_t max_cgroups;
};

/*
 * Each returns 0, or -EBADMSG with a message in err ("GET_STATS reply:
 * TWMON_S_LIVE missing"). nlh is one complete netlink message.
 */
int tw_parse_stats(const struct nlmsghdr *nlh, struct tw_stats *s, char *err, size_t errlen);
int tw_parse_dest(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen);
int tw_parse_service(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen);
/* Order of rows by their key: family, local address, remote address, ports */
int tw_entry_key_cmp(const struct tw_entry *a, const struct tw_entry *b);
int tw_parse_cgroup(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen);
int tw_parse_sock(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen);
int tw_parse_config(const struct nlmsghdr *nlh, struct tw_config *c, char *err, size_t errlen);
/* A "stats" group message (TWMON_CMD_STATS_NOTIFY): as GET_STATS plus TWMON_A_SEQ */
int tw_parse_stats_notify(const struct nlmsghdr *nlh, struct tw_stats *s, uint64_t *seq, char *err,
			  size_t errlen);

/* One event of an "events" group message; pool fields only for pool events */
struct tw_event {
	uint32_t type; /* enum twmon_event; unknown (newer) types are kept */
	uint64_t value, threshold;
	bool has_pool;
	uint8_t family;
	uint8_t laddr[16], raddr[16];
	uint16_t rport;
	uint64_t cgroup_id; /* the cgroup behind it (module cgroups=1), 0: none */
};

/* A TWMON_CMD_EVENT message: its namespace, sequence number and batch */
struct tw_event_msg {
	uint32_t netns_inum;
	uint64_t seq;
	size_t n;
	struct tw_event *ev; /* n of them, allocated: tw_event_msg_free() */
};

/*
 * 0, or -EBADMSG with a message in err (nothing to free then). Every
 * event needs TYPE, VALUE, THRESHOLD; pool events also the pool.
 */
int tw_parse_event_msg(const struct nlmsghdr *nlh, struct tw_event_msg *m, char *err,
		       size_t errlen);
void tw_event_msg_free(struct tw_event_msg *m);

/*
 * Figures that only a kernel hook can count. One whose hook is not active
 * is unknown, not zero: it must be shown as "unavailable" (JSON null).
 */
enum tw_figure {
	TW_FIG_ENTERED,
	TW_FIG_ENDED_EXPIRED,
	TW_FIG_ENDED_RST,
	TW_FIG_ENDED_SYN,
	TW_FIG_ENDED_REUSE,
	TW_FIG_ENDED_ABORT,
	TW_FIG_ENDED_PURGE,
	TW_FIG_ENDED_OTHER,
	TW_FIG_OVERFLOW,
	TW_FIG_CONNECT_EADDRNOTAVAIL,
	TW_FIG_LINGER_ABORT,
	TW_FIG_AGES, /* still shown without it, with a note */
	__TW_FIG_LAST
};

/* Hook bits a figure needs, all of them */
uint32_t tw_figure_hooks(enum tw_figure f);
bool tw_figure_available(uint32_t hooks, enum tw_figure f);
/* The figure of an end reason (TWMON_END_EXPIRED ..), __TW_FIG_LAST if none */
enum tw_figure tw_reason_figure(int reason);

/* "expired", "rst", ...; NULL for TWMON_END_UNSPEC or out of range */
const char *tw_reason_name(int reason);
/* "birth", "kill", ...; NULL if unknown */
const char *tw_hook_name(int hook);
/* "time-wait" (TCP_TIME_WAIT), "fin-wait-2" (TCP_FIN_WAIT2), else NULL */
const char *tw_substate_name(uint8_t substate);
/* The reverse; 0 if neither */
uint8_t tw_substate_parse(const char *s);

#define TW_TCP_FIN_WAIT2 5
#define TW_TCP_TIME_WAIT 6

#endif

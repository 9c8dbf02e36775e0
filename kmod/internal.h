/* SPDX-License-Identifier: GPL-2.0 */
/* twmon: internal declarations shared by the module's files */
#ifndef _TWMON_INTERNAL_H
#define _TWMON_INTERNAL_H

#include "compat.h"
#include <linux/percpu.h>
#include <linux/in6.h>
#include <linux/rhashtable.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/inet_timewait_sock.h>
#include <linux/twmon.h>

#ifndef TWMON_VERSION
#define TWMON_VERSION "unknown"
#endif

#define TWMON_SUBSTATE_TW	0
#define TWMON_SUBSTATE_FW2	1

/*
 * Sockets alive now are counted by the second their timer expires, in a
 * ring of per-CPU slots: a birth adds to the slot of its expiry second, a
 * death subtracts from the slot of the same second. Each CPU's part of a
 * slot carries the second it counts (its tag); a part whose tag is not the
 * second the reader expects is stale and read as 0, and the next writer of
 * that slot on that CPU starts it afresh. So a missed probe hit, or a race
 * between two CPUs, is wrong for at most that socket's remaining life and
 * never accumulates. No socket's timer runs longer than TCP_TIMEWAIT_LEN,
 * so 128 slots of one second cover every live socket with room to spare.
 */
#define TWMON_RING		128
#define TWMON_SLACK_S		8	/* a timer fires late by up to this */

struct twmon_ring_part {
	u32 tag;			/* expiry second (jiffies / HZ) */
	s32 live, fw2, untracked;
};

/* Per-CPU counters of one namespace, summed at read time */
struct twmon_pcpu {
	u64 seeded[2];			/* by substate */
	u64 entered[2];			/* by substate at birth */
	u64 fw2_to_tw;			/* FIN arrived in FIN_WAIT2 substate */
	u64 ended[__TWMON_END_LAST];
	u64 ended_fw2;			/* deaths while in FIN_WAIT2 substate */
	u64 eaddrnotavail;
	u64 linger_abort;
	u64 cgroup_untracked;		/* births no cgroup row could take */
	struct twmon_ring_part ring[TWMON_RING];
	u64 lifetime[__TWMON_END_LAST][TWMON_AGE_BUCKETS];
};


/* Edge state of the events group in one namespace (its notify work only) */
struct twmon_notify_state {
	u64 seq[2];			/* per group, for gap detection */
	u32 epoch;			/* pool marks of older epochs are void */
	bool primed;			/* last_* hold a previous interval */
	u64 last_overflow, last_eaddrnotavail, last_linger_abort;
	bool overflow_on, eaddrnotavail_on, buckets_high;
};

/* State of one network namespace (net_generic, freed by the core) */
#define TWMON_KINDS	5		/* enum twmon_kind: 1 .. TWMON_KINDS */

struct twmon_net {
	struct net *net;
	struct twmon_pcpu __percpu *pcpu;
	struct rhashtable table;	/* table.c: pools and services */
	atomic_t entries[TWMON_KINDS];	/* table rows by kind (table.c) */
	atomic_long_t gen;		/* rows unlinked: dumps and memos check it */
	struct delayed_work reap_work;	/* table.c: drops empty rows */
	unsigned long reap_now;		/* bit 0: a full table asked for it */
	unsigned long reap_full_at;	/* jiffies: no full-table reap before */
	struct work_struct notify_work;	/* notify.c: this namespace's turn */
	bool events_gap;		/* an interval nobody listened to events */
	struct twmon_notify_state notify;
	unsigned long overflow_base;	/* TCPTimeWaitOverflow when first seen */
	bool ready;			/* init finished: probes may count */
	bool dead;			/* pre_exit ran: counters are going */
};

/* A sum of all CPUs' counters */
struct twmon_snapshot {
	u64 seeded, seeded_fw2, entered[2], fw2_to_tw, ended_fw2;
	u64 ended[__TWMON_END_LAST];
	u64 overflow, eaddrnotavail, linger_abort;
	u64 untracked;
	u64 live, live_tw, live_fw2;
	u64 ages[TWMON_AGE_BUCKETS];
	u64 lifetime[__TWMON_END_LAST][TWMON_AGE_BUCKETS];
};

/* Which table a socket is counted in */
enum twmon_kind {
	TWMON_KIND_DEST = 1,
	TWMON_KIND_SERVICE = 2,
	TWMON_KIND_CGROUP = 3,		/* cgroup.c: a cgroup (cgid) */
	TWMON_KIND_POOL_CGROUP = 4,	/* cgroup.c: a pool's sockets of one cgroup */
	TWMON_KIND_SERVICE_CGROUP = 5,	/* cgroup.c: a service's, where shared */
};

/* A service's row of kind SERVICE_CGROUP summing its other ones (cgroup.c) */
#define TWMON_CGID_SPLIT_SUM	U64_MAX

/* What a cgroup row counts besides its live sockets (since it was made) */
enum twmon_cgroup_total {
	TWMON_CG_ENTERED,
	TWMON_CG_ENDED,
	TWMON_CG_EADDRNOTAVAIL,
	TWMON_CG_LINGER_ABORT,
	TWMON_CG_OVERFLOW,
	TWMON_CG_TOTALS
};

/* A row's key; the table is the namespace's own, so no net in it */
struct twmon_key {
	u8 family;
	u8 kind;
	__be16 port;			/* remote port (dest), local (service) */
	struct in6_addr laddr;
	struct in6_addr raddr;		/* zero for services */
	u64 cgid;			/* kinds CGROUP, *_CGROUP; else zero */
};

/*
 * A row counts its sockets by expiry in TWMON_ROW_SLOTS coarse slots of
 * TWMON_ROW_SLOT_S seconds, each an atomic (tag << 32 | count + bias), with
 * the same rule as the namespace's ring: a stale slot reads as 0.
 */
#define TWMON_ROW_SLOTS		8
#define TWMON_ROW_SLOT_S	16

struct twmon_row {
	struct rhash_head node;
	struct rcu_head rcu;
	struct twmon_key key;
	u32 high_epoch;			/* pool mark sent in this events epoch */
	atomic64_t slot[TWMON_ROW_SLOTS];
	u64 first_cg;			/* services: 1 + first socket's cgroup id */
};

/*
 * A row of kind TWMON_KIND_CGROUP (its own cache): a reference to its
 * cgroup, so that a cgroup removed while its sockets live keeps its place
 * in the hierarchy (dumps filter by cgroup namespace), and its totals.
 */
struct twmon_cgroup_row {
	struct twmon_row row;
	struct cgroup *cgrp;		/* set once by cgroup.c, put by table.c */
	u32 event_s;			/* second of its last event (not births) */
	atomic64_t totals[TWMON_CG_TOTALS];
	u64 notified[TWMON_CG_TOTALS];	/* totals at the last events interval */
};

/* main.c */
extern unsigned int twmon_max_dests, twmon_max_services, twmon_max_entries;
extern unsigned int twmon_max_cgroups;
extern atomic_t twmon_stats_interval_ms, twmon_buckets_wm_pct, twmon_pool_wm_pct;

/* netns.c */
extern u64 __percpu *twmon_purged_dead;
int twmon_netns_init(void);
void twmon_netns_exit(void);
struct twmon_net *twmon_net(const struct net *net);
struct twmon_net *twmon_net_of(const struct net *net);
struct net *twmon_get_net_by_inum(u32 inum);
void twmon_snapshot(struct twmon_net *tn, struct twmon_snapshot *s);
unsigned int twmon_age_bucket(long remaining_jiffies);
u32 twmon_expiry_second(unsigned long expires);
void twmon_ring_add(struct twmon_net *tn, u32 second, int live, int fw2,
		    int untracked);

/* table.c */
int twmon_table_init(void);
void twmon_table_exit(void);
void twmon_key_from_tw(const struct inet_timewait_sock *tw, u8 kind,
		       struct twmon_key *k);
int twmon_table_net_init(struct twmon_net *tn);
void twmon_table_net_exit(struct twmon_net *tn);
struct twmon_row *twmon_table_add(struct twmon_net *tn,
				  const struct twmon_key *k, u32 second,
				  int delta, bool probe);
struct twmon_row *twmon_table_row(struct twmon_net *tn,
				  const struct twmon_key *k, bool make);
struct twmon_row *twmon_table_row_probe(struct twmon_net *tn,
					const struct twmon_key *k, bool make);
void twmon_row_add(struct twmon_row *e, u32 second, int delta);
u32 twmon_row_count(const struct twmon_row *e, u32 now_s);
void twmon_table_move(struct twmon_net *tn, const struct twmon_key *k,
		      u32 from, u32 to);
/* Visit the live rows of one kind; fn returns < 0 to stop (see table.c) */
struct twmon_walk {
	struct rhashtable_iter iter;
	struct twmon_net *tn;
	u8 kind;
	bool with_empty;		/* visit rows that hold nobody too */
	bool done;
	bool retry;			/* start with the row fn did not take */
	u32 resizes;			/* table resized while stopped */
};
void twmon_walk_begin(struct twmon_walk *w, struct twmon_net *tn, u8 kind);
int twmon_walk(struct twmon_walk *w,
	       int (*fn)(struct twmon_row *e, u32 count, void *arg), void *arg);
void twmon_walk_end(struct twmon_walk *w);

/* hooks.c */
struct twmon_row *twmon_account_birth(struct twmon_net *tn,
				      struct inet_timewait_sock *tw, u8 kind,
				      unsigned long expires, bool seeded);
u8 twmon_tw_kind(const struct inet_timewait_sock *tw);
int twmon_hooks_register(void);
void twmon_hooks_unregister(void);
u32 twmon_hooks_active(void);
u32 twmon_hooks_wanted(void);
u64 twmon_hooks_missed(void);
extern bool twmon_counting;
struct twmon_net *twmon_counted_sk_net(const struct sock *sk);

/* cgroup.c */
extern bool twmon_cgroups;
int twmon_cgroup_init(void);
void twmon_cgroup_exit(void);
struct cgroup *twmon_cgroup_ns_root(bool privileged);
bool twmon_cgroup_visible(const struct twmon_row *e, struct cgroup *ns_root);
bool twmon_cgroup_id_visible(struct twmon_net *tn, u64 cgid,
			     struct cgroup *ns_root);
u64 twmon_cgroup_total(const struct twmon_row *e, enum twmon_cgroup_total t);
void twmon_cgroup_birth(struct twmon_net *tn, struct inet_timewait_sock *tw,
			struct sock *sk, unsigned long expires,
			struct twmon_row *row, u8 kind);
void twmon_cgroup_seeded(struct twmon_net *tn, struct inet_timewait_sock *tw,
			 struct twmon_row *row, u32 second);
void twmon_cgroup_death(struct twmon_net *tn, struct inet_timewait_sock *tw,
			struct twmon_row *row, u32 second);
void twmon_cgroup_move(struct twmon_net *tn, struct inet_timewait_sock *tw,
		       u32 from, u32 to);
u64 twmon_service_first_cgroup(const struct twmon_row *e);
u32 twmon_service_split_sum(struct twmon_net *tn, const struct twmon_row *e,
			    u32 now_s);
void twmon_cgroup_event(struct twmon_net *tn, struct sock *sk,
			enum twmon_cgroup_total t);
u64 twmon_cgroup_untracked(struct twmon_net *tn);
bool twmon_cgroup_row_held(const struct twmon_row *e, u32 now_s);
bool twmon_tw_near_full(const struct net *net);
void twmon_cgroup_overflow_near(void);
/* The cgroups behind an events interval (twmon_cgroup_interval()) */
struct twmon_cgroup_top {
	u64 cgid[TWMON_CG_TOTALS];	/* the total that grew most */
	u64 grew[TWMON_CG_TOTALS];
	u64 live_cgid;			/* the most live sockets */
	u32 live;
	u32 run;			/* rows since the walk last yielded */
};
void twmon_cgroup_interval(struct twmon_net *tn, struct twmon_cgroup_top *top);
/* A pool that went high this interval, and the cgroup with most of it */
struct twmon_pool_high {
	struct twmon_key key;		/* kind TWMON_KIND_DEST */
	u32 count, best;		/* the pool's; the best cgroup's */
	u64 cgid;			/* 0: none known */
};
void twmon_cgroup_pool_tops(struct twmon_net *tn, struct twmon_pool_high *h,
			    unsigned int n);

/* seed.c */
int twmon_seed(void);
bool twmon_seed_skip(const struct inet_timewait_sock *tw);
extern bool twmon_seeding;

/* msg.c: message building shared by replies and notifications */
size_t twmon_stats_size(bool with_lifetime);
int twmon_fill_stats_nest(struct sk_buff *skb, struct twmon_net *tn,
			  const struct twmon_snapshot *s, bool with_lifetime);
int twmon_put_addr(struct sk_buff *skb, int type, u8 family,
		   const struct in6_addr *a);
int twmon_put_event(struct sk_buff *skb, u32 type, u64 value, u64 threshold,
		    const struct twmon_key *pool, u64 cgid);

/* netlink.c */
extern struct genl_family twmon_family;
int twmon_genl_init(void);
void twmon_genl_exit(void);

/* notify.c */
enum twmon_mcgrp { TWMON_GRP_STATS, TWMON_GRP_EVENTS };
int twmon_notify_init(void);
void twmon_notify_start(void);
void twmon_notify_stop(void);
void twmon_notify_exit(void);
void twmon_notify_reschedule(void);
void twmon_notify_net_init(struct twmon_net *tn);
void twmon_notify_net_exit(struct twmon_net *tn);
bool twmon_events_listened(struct twmon_net *tn);

#endif /* _TWMON_INTERNAL_H */

/* SPDX-License-Identifier: GPL-2.0 */
/* twmon: internal declarations shared by the module's files */
#ifndef _TWMON_INTERNAL_H
#define _TWMON_INTERNAL_H

#include <linux/percpu.h>
#include <linux/list.h>
#include <linux/in6.h>
#include <net/net_namespace.h>
#include <net/ipv6.h>
#include <net/inet_timewait_sock.h>
#include <linux/twmon.h>

#ifndef TWMON_VERSION
#define TWMON_VERSION "unknown"
#endif

/*
 * Live sockets are counted by the second their timer expires, in a ring of
 * per-CPU counters: a birth adds to its slot, a death subtracts from the
 * slot of the same expiry, so the sum per slot is what is alive now.
 */
#define TWMON_RING		256
#define TWMON_SUBSTATE_TW	0
#define TWMON_SUBSTATE_FW2	1

/* Per-CPU counters of one namespace, summed at read time */
struct twmon_pcpu {
	u64 seeded[2];			/* by substate */
	u64 entered[2];			/* by substate at birth */
	u64 fw2_to_tw;			/* FIN arrived in FIN_WAIT2 substate */
	u64 ended[__TWMON_END_LAST];
	u64 ended_fw2;			/* deaths while in FIN_WAIT2 substate */
	u64 eaddrnotavail;
	u64 linger_abort;
	s64 untracked;			/* live sockets in no table */
	s32 expiry[TWMON_RING];
	u64 lifetime[__TWMON_END_LAST][TWMON_AGE_BUCKETS];
};

/* State of one network namespace (net_generic, freed by the core) */
struct twmon_net {
	struct net *net;
	struct twmon_pcpu __percpu *pcpu;
	struct list_head node;		/* twmon_nets, under twmon_nets_lock */
	atomic_t entries[2];		/* table entries: dests, services */
	unsigned long overflow_base;	/* TCPTimeWaitOverflow when first seen */
	bool dead;			/* pre_exit ran: counters are going */
	struct twmon_notify_state *notify; /* notify.c, under twmon_nets_lock */
};

/* A sum of all CPUs' counters */
struct twmon_snapshot {
	u64 seeded, seeded_fw2, entered[2], fw2_to_tw, ended_fw2;
	u64 ended[__TWMON_END_LAST];
	u64 overflow, eaddrnotavail, linger_abort;
	s64 untracked;
	u64 live, live_tw, live_fw2;
	u64 ages[TWMON_AGE_BUCKETS];
	u64 lifetime[__TWMON_END_LAST][TWMON_AGE_BUCKETS];
	s64 expiry[TWMON_RING];		/* live by expiry second */
};

/* Which table a socket was counted in; kept in the socket's tw_pad bits */
enum twmon_kind {
	TWMON_KIND_DEST = 1,
	TWMON_KIND_SERVICE = 2,
	TWMON_KIND_NONE = 3,		/* table full: counted as untracked */
};

struct twmon_key {
	const struct net *net;
	u8 family;
	u8 kind;
	__be16 port;			/* remote port (dest), local (service) */
	struct in6_addr laddr;
	struct in6_addr raddr;		/* zero for services */
};

struct twmon_row {
	struct hlist_node node;
	struct rcu_head rcu;
	struct twmon_key key;
	atomic_t count;
};

/* main.c */
extern unsigned int twmon_max_dests, twmon_max_services;
extern atomic_t twmon_stats_interval_ms, twmon_buckets_wm_pct, twmon_pool_wm_pct;

/* netns.c */
extern struct list_head twmon_nets;
extern struct mutex twmon_nets_lock;
extern u64 __percpu *twmon_purged_dead;
int twmon_netns_init(void);
void twmon_netns_exit(void);
struct twmon_net *twmon_net(const struct net *net);
void twmon_snapshot(struct twmon_net *tn, struct twmon_snapshot *s);
unsigned int twmon_expiry_slot(unsigned long expires);
unsigned int twmon_age_bucket(long remaining_jiffies);

/* table.c */
int twmon_table_init(void);
void twmon_table_exit(void);
enum twmon_kind twmon_table_get(struct twmon_net *tn, const struct twmon_key *k);
void twmon_table_put(struct twmon_net *tn, const struct twmon_key *k);
void twmon_table_flush_net(struct twmon_net *tn);
u32 twmon_table_count(const struct twmon_key *k);
/* Walk entries of one net and kind from position *pos; fn returns <0 to stop */
int twmon_table_walk(const struct net *net, u8 kind, unsigned long *pos,
		     int (*fn)(const struct twmon_row *e, u32 count, void *arg),
		     void *arg);

/* hooks.c */
void twmon_key_from_tw(const struct inet_timewait_sock *tw, u8 kind,
		       struct twmon_key *k);
void twmon_account_birth(struct twmon_net *tn, struct inet_timewait_sock *tw,
			 bool seeded);
int twmon_hooks_register(void);
void twmon_hooks_unregister(void);
u32 twmon_hooks_active(void);
u32 twmon_hooks_wanted(void);
u64 twmon_hooks_missed(void);
extern bool twmon_counting;

/* seed.c */
int twmon_seed(void);

/* netlink.c */
extern struct genl_family twmon_family;
int twmon_genl_init(void);
void twmon_genl_exit(void);
size_t twmon_stats_size(bool with_lifetime);
int twmon_fill_stats_nest(struct sk_buff *skb, struct twmon_net *tn,
			  const struct twmon_snapshot *s, bool with_lifetime);
int twmon_put_addr(struct sk_buff *skb, int type, u8 family,
		   const struct in6_addr *a);

/* notify.c */
enum twmon_mcgrp { TWMON_GRP_STATS, TWMON_GRP_EVENTS };
void twmon_notify_start(void);
void twmon_notify_stop(void);
void twmon_notify_reschedule(void);
void twmon_notify_net_exit(struct twmon_net *tn);

#endif /* _TWMON_INTERNAL_H */

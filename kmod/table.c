// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the live tables (outgoing pools, services and, with cgroups=1,
 * cgroups), one rhashtable per network namespace for every kind. Lookups
 * are lockless under RCU; a row counts its sockets by expiry in tagged slots (internal.h), so a probe hit
 * the kernel missed is wrong for at most that socket's life. Rows are
 * never freed by the probes: a per-namespace work drops the empty ones.
 *
 * Capacity: each namespace has its own limits (max_dests, max_services,
 * max_cgroups; pools and services split by cgroup count against max_dests
 * and max_services on their own).
 * Rows of namespaces other than the initial one also draw on one host-wide
 * bound (max_entries) past a small reserve each, so no namespace can take
 * the initial one's room and memory stays bounded.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/slab.h>
#include "internal.h"

#define TWMON_NETNS_RESERVE	64	/* rows per kind outside max_entries */
#define TWMON_REAP_DELAY	(16 * HZ)

static struct kmem_cache *twmon_row_cache;
static struct kmem_cache *twmon_cgroup_row_cache;	/* twmon_cgroup_row */
static struct workqueue_struct *twmon_table_wq;
static atomic_t twmon_entries_shared;	/* rows charged to max_entries */

static const struct rhashtable_params twmon_row_params = {
	.key_len = sizeof(struct twmon_key),
	.key_offset = offsetof(struct twmon_row, key),
	.head_offset = offsetof(struct twmon_row, node),
	.automatic_shrinking = true,
};

static struct kmem_cache *row_cache(u8 kind)
{
	return kind == TWMON_KIND_CGROUP ? twmon_cgroup_row_cache : twmon_row_cache;
}

static inline int kind_index(u8 kind)
{
	return kind - TWMON_KIND_DEST;	/* entries[]: in the order of the kinds */
}

static unsigned int kind_limit(u8 kind)
{
	switch (kind) {
	case TWMON_KIND_DEST:
	case TWMON_KIND_POOL_CGROUP:
		return twmon_max_dests;
	case TWMON_KIND_SERVICE:
	case TWMON_KIND_SERVICE_CGROUP:
		return twmon_max_services;
	default:
		return twmon_max_cgroups;
	}
}

/* The row slots that can hold live sockets at second now_s: their tags */
static u32 tag_lo(u32 now_s)
{
	return (now_s - TWMON_SLACK_S) / TWMON_ROW_SLOT_S;
}

static u32 tag_hi(u32 now_s)
{
	return (now_s + TCP_TIMEWAIT_LEN / HZ + 1) / TWMON_ROW_SLOT_S;
}

static_assert(TWMON_ROW_SLOTS * TWMON_ROW_SLOT_S >
	      TCP_TIMEWAIT_LEN / HZ + TWMON_SLACK_S + 2 * TWMON_ROW_SLOT_S);

/* Sockets under row e now (a sum that races with probes is at least 0) */
u32 twmon_row_count(const struct twmon_row *e, u32 now_s)
{
	u32 lo = tag_lo(now_s), hi = tag_hi(now_s);
	s64 sum = 0;
	int i;

	for (i = 0; i < TWMON_ROW_SLOTS; i++) {
		u64 v = atomic64_read(&e->slot[i]);
		u32 tag = v >> 32;

		if (tag - lo <= hi - lo)
			sum += (s32)(u32)v;
	}
	return clamp_t(s64, sum, 0, U32_MAX);
}

/* Add delta sockets expiring in second `second` to row e */
void twmon_row_add(struct twmon_row *e, u32 second, int delta)
{
	u32 tag = second / TWMON_ROW_SLOT_S;
	atomic64_t *slot = &e->slot[tag % TWMON_ROW_SLOTS];
	s64 old = atomic64_read(slot), new;

	do {
		s32 count = (u32)(old >> 32) == tag ? (s32)(u32)old : 0;

		new = (s64)((u64)tag << 32 | (u32)(count + delta));
	} while (!atomic64_try_cmpxchg(slot, &old, new));
}

static bool charge_row(struct twmon_net *tn, u8 kind)
{
	int ki = kind_index(kind);
	int n = atomic_inc_return(&tn->entries[ki]);

	if (n > kind_limit(kind))
		goto undo;
	if (net_eq(tn->net, &init_net) || n <= TWMON_NETNS_RESERVE)
		return true;
	if (atomic_inc_return(&twmon_entries_shared) <= twmon_max_entries)
		return true;
	atomic_dec(&twmon_entries_shared);
undo:
	atomic_dec(&tn->entries[ki]);
	return false;
}

static void uncharge_row(struct twmon_net *tn, u8 kind)
{
	int n = atomic_dec_return(&tn->entries[kind_index(kind)]) + 1;

	if (!net_eq(tn->net, &init_net) && n > TWMON_NETNS_RESERVE)
		atomic_dec(&twmon_entries_shared);
}

/* The key of tw's row of kind DEST or SERVICE (its addresses and ports) */
void twmon_key_from_tw(const struct inet_timewait_sock *tw, u8 kind,
		       struct twmon_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = tw->tw_family;
	k->kind = kind;
	if (tw->tw_family == AF_INET) {
		k->laddr.s6_addr32[0] = tw->tw_rcv_saddr;
		if (kind == TWMON_KIND_DEST)
			k->raddr.s6_addr32[0] = tw->tw_daddr;
	}
#if IS_ENABLED(CONFIG_IPV6)
	else {
		k->laddr = tw->tw_v6_rcv_saddr;
		if (kind == TWMON_KIND_DEST)
			k->raddr = tw->tw_v6_daddr;
	}
#endif
	k->port = kind == TWMON_KIND_DEST ? tw->tw_dport : htons(tw->tw_num);
}

static struct twmon_row *lookup(struct twmon_net *tn, const struct twmon_key *k)
{
	return rhashtable_lookup(&tn->table, k, twmon_row_params);
}

/*
 * The last row of each kind a probe found on this CPU: in a flood one
 * service, pool or cgroup takes socket after socket, and comparing the key
 * costs less than hashing it. A memo is good while no row of its
 * namespace has been dropped since it was made (tn->gen, read before the
 * lookup, moves after a drop and before the row's grace period begins),
 * so its row is still in the table, or at worst unlinked but not freed
 * within this RCU read section. Only kprobe pre-handlers use it: they
 * never nest on a CPU (a hit inside one is missed); return handlers (which
 * may run inside one), process context and the load-time walk do not.
 */
struct twmon_memo {
	struct twmon_net *tn;
	struct twmon_row *row;
	long gen;
};

static DEFINE_PER_CPU(struct twmon_memo[TWMON_KINDS], twmon_memo);

static struct twmon_row *lookup_probe(struct twmon_net *tn,
				      const struct twmon_key *k)
{
	struct twmon_memo *m = this_cpu_ptr(&twmon_memo[kind_index(k->kind)]);
	long gen = atomic_long_read_acquire(&tn->gen);	/* before the lookup */
	struct twmon_row *e;

	if (m->tn == tn && m->gen == gen &&
	    !memcmp(&m->row->key, k, sizeof(*k)))
		return m->row;
	e = lookup(tn, k);
	if (e) {
		m->tn = tn;
		m->row = e;
		m->gen = gen;
	}
	return e;
}

/* A new row for k (or the one another CPU made first); see below */
static struct twmon_row *make_row(struct twmon_net *tn,
				  const struct twmon_key *k)
{
	struct twmon_row *e, *old;

	if (!charge_row(tn, k->kind)) {
		/* full: drop the empty rows now (once a second at most) */
		if (time_after_eq(jiffies, READ_ONCE(tn->reap_full_at)) &&
		    !test_and_set_bit(0, &tn->reap_now))
			mod_delayed_work(twmon_table_wq, &tn->reap_work, 0);
		return NULL;
	}
	e = kmem_cache_zalloc(row_cache(k->kind), GFP_ATOMIC | __GFP_NOWARN);
	if (!e) {
		uncharge_row(tn, k->kind);
		return NULL;
	}
	e->key = *k;
	old = rhashtable_lookup_get_insert_fast(&tn->table, &e->node,
						twmon_row_params);
	if (old) {
		/* another CPU made it first, or the table said no */
		kmem_cache_free(row_cache(k->kind), e);
		uncharge_row(tn, k->kind);
		return IS_ERR(old) ? NULL : old;
	}
	queue_delayed_work(twmon_table_wq, &tn->reap_work, TWMON_REAP_DELAY);
	return e;
}

/*
 * The row of key k, made if `make` and there is none. NULL: no row, or
 * for a new one a full table or no memory. The caller holds
 * rcu_read_lock(), under which the row stays; any context, no lock of ours.
 */
struct twmon_row *twmon_table_row(struct twmon_net *tn,
				  const struct twmon_key *k, bool make)
{
	struct twmon_row *e = lookup(tn, k);

	return e || !make ? e : make_row(tn, k);
}

/* The same from a kprobe pre-handler: remembered per CPU (see above) */
struct twmon_row *twmon_table_row_probe(struct twmon_net *tn,
					const struct twmon_key *k, bool make)
{
	struct twmon_row *e = lookup_probe(tn, k);

	return e || !make ? e : make_row(tn, k);
}

/*
 * Count delta sockets expiring in second `second` under key k (delta < 0:
 * they ended). A birth (delta > 0) makes the row if there is none. The
 * row (for a caller in its own RCU read section), or NULL if the socket
 * could not be counted: no row for a death, or for a birth a full table
 * or no memory (the caller counts it as untracked).
 */
struct twmon_row *twmon_table_add(struct twmon_net *tn,
				  const struct twmon_key *k, u32 second,
				  int delta, bool probe)
{
	struct twmon_row *e;

	rcu_read_lock();
	e = probe ? twmon_table_row_probe(tn, k, delta > 0) :
		    twmon_table_row(tn, k, delta > 0);
	if (e)
		twmon_row_add(e, second, delta);
	rcu_read_unlock();
	return e;
}

/*
 * A re-armed socket's count moves to its new expiry (if it has a row);
 * from a kprobe pre-handler
 */
void twmon_table_move(struct twmon_net *tn, const struct twmon_key *k,
		      u32 from, u32 to)
{
	struct twmon_row *e;

	rcu_read_lock();
	e = lookup_probe(tn, k);
	if (e) {
		twmon_row_add(e, from, -1);
		twmon_row_add(e, to, 1);
	}
	rcu_read_unlock();
}

static void row_free(struct twmon_row *e)
{
	if (e->key.kind == TWMON_KIND_CGROUP) {
		struct twmon_cgroup_row *c = container_of(e, struct twmon_cgroup_row, row);

		if (c->cgrp)
			cgroup_put(c->cgrp);
	}
	kmem_cache_free(row_cache(e->key.kind), e);
}

static void free_row_rcu(struct rcu_head *head)
{
	row_free(container_of(head, struct twmon_row, rcu));
}

/*
 * Drop the rows that hold nobody: those idle for a whole TIME_WAIT (no
 * birth since; a cgroup's row a while longer, for its totals), or when
 * the table is full, every empty one. A birth racing
 * with the drop may be lost with the row: one socket's attribution.
 */
static void twmon_reap_fn(struct work_struct *work)
{
	struct twmon_net *tn = container_of(to_delayed_work(work),
					    struct twmon_net, reap_work);
	u32 now_s = twmon_expiry_second(jiffies);
	bool full = test_bit(0, &tn->reap_now);
	bool events = twmon_events_listened(tn);
	struct rhashtable_iter iter;
	struct twmon_row *e;
	unsigned int seen = 0;
	int kind;

	rhashtable_walk_enter(&tn->table, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		bool idle = true;
		int i;

		if (IS_ERR(e))
			continue;	/* -EAGAIN: resized, go on */
		if (++seen % 256 == 0) {
			rhashtable_walk_stop(&iter);
			cond_resched();
			rhashtable_walk_start(&iter);
		}
		if (twmon_row_count(e, now_s))
			continue;
		for (i = 0; i < TWMON_ROW_SLOTS; i++)
			if ((s32)((u32)(atomic64_read(&e->slot[i]) >> 32) -
				  now_s / TWMON_ROW_SLOT_S) >= 0)
				idle = false;
		/* a pool marked high waits for its pool-ok event first */
		if ((!idle && !full) ||
		    (!full && e->key.kind == TWMON_KIND_CGROUP &&
		     twmon_cgroup_row_held(e, now_s)) ||
		    (events && READ_ONCE(e->high_epoch) == READ_ONCE(tn->notify.epoch)))
			continue;
		if (rhashtable_remove_fast(&tn->table, &e->node, twmon_row_params))
			continue;
		smp_mb__before_atomic();	/* unlinked, then gen (memos) */
		atomic_long_inc(&tn->gen);
		uncharge_row(tn, e->key.kind);
		call_rcu(&e->rcu, free_row_rcu);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	if (full) {
		WRITE_ONCE(tn->reap_full_at, jiffies + HZ);
		clear_bit(0, &tn->reap_now);
	}
	for (kind = 0; kind < TWMON_KINDS; kind++)
		if (atomic_read(&tn->entries[kind]))
			break;
	if (kind < TWMON_KINDS)	/* rows left: look again later */
		queue_delayed_work(twmon_table_wq, &tn->reap_work,
				   TWMON_REAP_DELAY);
}

int twmon_table_net_init(struct twmon_net *tn)
{
	INIT_DELAYED_WORK(&tn->reap_work, twmon_reap_fn);
	return rhashtable_init(&tn->table, &twmon_row_params);
}

static void free_row(void *ptr, void *arg)
{
	struct twmon_net *tn = arg;
	struct twmon_row *e = ptr;

	uncharge_row(tn, e->key.kind);
	row_free(e);
}

/* From the namespace's exit: no probe, walk or work can see it any more */
void twmon_table_net_exit(struct twmon_net *tn)
{
	int cpu, i;

	/* its rows go without a grace period, and tn's memory may come back */
	for_each_possible_cpu(cpu)
		for (i = 0; i < TWMON_KINDS; i++)
			if (per_cpu_ptr(&twmon_memo, cpu)[0][i].tn == tn)
				per_cpu_ptr(&twmon_memo, cpu)[0][i].tn = NULL;
	cancel_delayed_work_sync(&tn->reap_work);
	rhashtable_free_and_destroy(&tn->table, free_row, tn);
}

/*
 * A walk over the rows of one kind that may stop and resume (dumps span
 * several calls): fn returning < 0 stops it, and the next call starts
 * with the row fn did not take. gen moves when a row is dropped or the
 * table is resized while the walk is stopped: a dump then sets
 * NLM_F_DUMP_INTR.
 */
void twmon_walk_begin(struct twmon_walk *w, struct twmon_net *tn, u8 kind)
{
	memset(w, 0, sizeof(*w));
	w->tn = tn;
	w->kind = kind;
	rhashtable_walk_enter(&tn->table, &w->iter);
}

int twmon_walk(struct twmon_walk *w,
	       int (*fn)(struct twmon_row *e, u32 count, void *arg), void *arg)
{
	u32 now_s = twmon_expiry_second(jiffies);
	struct twmon_row *e;
	int err = 0;

	if (w->done)
		return 0;
	/* resized while stopped: the walk starts over from the first bucket */
	if (rhashtable_walk_start_check(&w->iter) == -EAGAIN)
		w->resizes++;
	e = w->retry ? rhashtable_walk_peek(&w->iter) :
		       rhashtable_walk_next(&w->iter);
	w->retry = false;
	for (; e; e = rhashtable_walk_next(&w->iter)) {
		u32 count;

		if (IS_ERR(e)) {
			w->resizes++;	/* the dump may skip or repeat */
			continue;
		}
		if (e->key.kind != w->kind)
			continue;
		count = twmon_row_count(e, now_s);
		if (!count && !w->with_empty)
			continue;
		err = fn(e, count, arg);
		if (err < 0) {
			w->retry = true;
			break;
		}
	}
	if (!e)
		w->done = true;
	rhashtable_walk_stop(&w->iter);
	return err;
}

void twmon_walk_end(struct twmon_walk *w)
{
	rhashtable_walk_exit(&w->iter);
}

int twmon_table_init(void)
{
	twmon_row_cache = KMEM_CACHE(twmon_row, 0);
	twmon_cgroup_row_cache = kmem_cache_create("twmon_cgroup_row",
		sizeof(struct twmon_cgroup_row),
		__alignof__(struct twmon_cgroup_row), 0, NULL);
	twmon_table_wq = alloc_workqueue("twmon_reap", WQ_UNBOUND, 0);
	if (!twmon_row_cache || !twmon_cgroup_row_cache || !twmon_table_wq) {
		if (twmon_table_wq)
			destroy_workqueue(twmon_table_wq);
		kmem_cache_destroy(twmon_cgroup_row_cache);
		kmem_cache_destroy(twmon_row_cache);
		return -ENOMEM;
	}
	return 0;
}

/* After every namespace's table was destroyed */
void twmon_table_exit(void)
{
	destroy_workqueue(twmon_table_wq);
	rcu_barrier();		/* call_rcu() frees */
	kmem_cache_destroy(twmon_cgroup_row_cache);
	kmem_cache_destroy(twmon_row_cache);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: which cgroup (v2) made each TIME_WAIT socket (module parameter
 * cgroups=1).
 *
 * A timewait socket has no owner: its cgroup is read from the full socket
 * at the moment it enters TIME_WAIT (the hashdance probe, which has both)
 * and counted in a cgroup row of the namespace's table (table.c, kind
 * TWMON_KIND_CGROUP), by expiry second like every row. Its death must find
 * the same row without anything written into the socket, so the pair
 * (socket, cgroup) is kept in a side table of its own: open addressing in
 * buckets of TWMON_OWNER_WAYS slots (two cache lines), claimed with
 * cmpxchg, no lock, nothing allocated after load. A socket that finds no
 * free slot, or no row, is not attributed: the namespace's live count
 * less every cgroup's live is reported as cgroup 0, "unknown", so the
 * cgroups always add up to sockstat's figure. A slot whose socket's death
 * was missed (a kprobe hit the kernel dropped) is taken back once its
 * expiry is long past.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>
#include <net/sock.h>
#include "internal.h"

#define TWMON_OWNER_WAYS	4	/* 32-byte slots: two cache lines */
#define TWMON_OWNER_STALE_S	(TCP_TIMEWAIT_LEN / HZ + TWMON_SLACK_S + 2 * TWMON_ROW_SLOT_S)
#define TWMON_CGROUP_HOLD_S	300	/* an empty row's totals are kept */

struct twmon_owner {
	unsigned long tw;		/* the socket (compared only), 0: free */
	u64 cgid;
	u32 second;			/* expiry second its rows count it in */
	u32 split;			/* kind of its split row (or rows), 0: none */
} __aligned(32);

bool twmon_cgroups;
module_param_named(cgroups, twmon_cgroups, bool, 0444);
MODULE_PARM_DESC(cgroups, "count TIME_WAIT sockets per cgroup v2 (0 or 1, default 0): one more probe hit per socket");

static unsigned int twmon_cgroup_sockets = 131072;

static struct twmon_owner *owners;
static unsigned long owners_mask;	/* buckets - 1 */

static int cgroup_sockets_set(const char *val, const struct kernel_param *kp)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < 1024 || v > (1U << 24)) {
		pr_err("cgroup_sockets=%s is invalid: must be 1024 .. %u\n",
		       val, 1U << 24);
		return -EINVAL;
	}
	twmon_cgroup_sockets = roundup_pow_of_two(v);
	return 0;
}

static const struct kernel_param_ops cgroup_sockets_ops = {
	.set = cgroup_sockets_set,
	.get = param_get_uint,
};

module_param_cb(cgroup_sockets, &cgroup_sockets_ops, &twmon_cgroup_sockets, 0444);
MODULE_PARM_DESC(cgroup_sockets, "TIME_WAIT sockets whose cgroup is kept at once, host-wide, 32 bytes each (1024..16777216, rounded up to a power of 2, default 131072)");

/* The cgroup v2 of a full socket (it holds a reference), NULL if unknown */
static struct cgroup *sk_cgroup(struct sock *sk)
{
#ifdef CONFIG_SOCK_CGROUP_DATA
	return sock_cgroup_ptr(&sk->sk_cgrp_data);
#else
	return NULL;
#endif
}

static void key_cgroup(struct twmon_key *k, u64 cgid)
{
	memset(k, 0, sizeof(*k));
	k->kind = TWMON_KIND_CGROUP;
	k->cgid = cgid;
}

/* The row of key k (made if `make`); probe: from a kprobe pre-handler */
static struct twmon_row *row_of(struct twmon_net *tn, const struct twmon_key *k,
				bool make, bool probe)
{
	return probe ? twmon_table_row_probe(tn, k, make) :
		       twmon_table_row(tn, k, make);
}

/*
 * The row of cgrp, made if there is none; it takes its own reference to
 * cgrp the first time. Under rcu_read_lock(): a reaped row is freed (and
 * its reference put) only after a grace period. probe: from a kprobe
 * pre-handler (twmon_table_row_probe()).
 */
static struct twmon_cgroup_row *cgroup_row(struct twmon_net *tn,
					   struct cgroup *cgrp, bool probe)
{
	struct twmon_cgroup_row *c;
	struct twmon_row *e;
	struct twmon_key k;

	key_cgroup(&k, cgroup_id(cgrp));
	e = row_of(tn, &k, true, probe);
	if (!e)
		return NULL;
	c = container_of(e, struct twmon_cgroup_row, row);
	if (!READ_ONCE(c->cgrp)) {
		cgroup_get(cgrp);
		if (cmpxchg(&c->cgrp, NULL, cgrp))
			cgroup_put(cgrp);
	}
	return c;
}

/* The key of tw's outgoing pool, split by cgroup cgid */
static void key_pool_cgroup(struct twmon_key *k,
			    const struct inet_timewait_sock *tw, u64 cgid)
{
	twmon_key_from_tw(tw, TWMON_KIND_DEST, k);
	k->kind = TWMON_KIND_POOL_CGROUP;
	k->cgid = cgid;
}

/*
 * A pool's sockets of no known cgroup are counted in its row of cgroup 0,
 * so that its split adds up to it: at birth (or load), and at a death or
 * re-arm that finds no owner slot (a miss costs that socket's place).
 */
static void pool_unknown_add(struct twmon_net *tn,
			     const struct inet_timewait_sock *tw, u32 second,
			     int delta, bool probe)
{
	struct twmon_key k;

	key_pool_cgroup(&k, tw, 0);
	twmon_table_add(tn, &k, second, delta, probe);
}

static struct twmon_owner *bucket_of(const struct inet_timewait_sock *tw)
{
	return owners + (hash_ptr(tw, 32) & owners_mask) * TWMON_OWNER_WAYS;
}

static struct twmon_owner *owner_find(const struct inet_timewait_sock *tw)
{
	struct twmon_owner *o = bucket_of(tw);
	int i;

	for (i = 0; i < TWMON_OWNER_WAYS; i++, o++)
		if (READ_ONCE(o->tw) == (unsigned long)tw)
			return o;
	return NULL;
}

/* A slot for tw: its own stale one, a free one or one long past expiry */
static struct twmon_owner *owner_claim(const struct inet_timewait_sock *tw,
				       u32 now_s)
{
	struct twmon_owner *b = bucket_of(tw), *o;
	int i;

	o = owner_find(tw);	/* same address, earlier socket: death missed */
	if (o)
		return o;
	for (i = 0, o = b; i < TWMON_OWNER_WAYS; i++, o++) {
		unsigned long old = READ_ONCE(o->tw);

		if (old && (s32)(now_s - READ_ONCE(o->second)) <
			   TWMON_OWNER_STALE_S)
			continue;
		if (cmpxchg(&o->tw, old, (unsigned long)tw) == old) {
			/* not stale to another CPU before its own second */
			WRITE_ONCE(o->second, now_s);
			return o;
		}
	}
	return NULL;
}

static void count_total(struct twmon_row *e, enum twmon_cgroup_total t)
{
	atomic64_inc(&container_of(e, struct twmon_cgroup_row, row)->totals[t]);
}

u64 twmon_cgroup_total(const struct twmon_row *e, enum twmon_cgroup_total t)
{
	return atomic64_read(&container_of(e, struct twmon_cgroup_row, row)->totals[t]);
}

/*
 * The root of the caller's cgroup namespace, with a reference, if the
 * caller may see only the cgroups under it; NULL if it may see all: the
 * initial cgroup namespace, or CAP_SYS_ADMIN in the initial user
 * namespace (privileged). Process context (a dump's .start).
 */
struct cgroup *twmon_cgroup_ns_root(bool privileged)
{
	struct cgroup *root;

	if (privileged)
		return NULL;
	root = current->nsproxy->cgroup_ns->root_cset->dfl_cgrp;
	if (!cgroup_parent(root))
		return NULL;
	cgroup_get(root);
	return root;
}

/* May a caller whose namespace root is ns_root (see above) see row e? */
bool twmon_cgroup_visible(const struct twmon_row *e, struct cgroup *ns_root)
{
	struct cgroup *cgrp;

	if (!ns_root)
		return true;
	cgrp = READ_ONCE(container_of(e, struct twmon_cgroup_row, row)->cgrp);
	return cgrp && cgroup_is_descendant(cgrp, ns_root);
}

/* The same for a cgroup id, by its cgroup row (none: not visible) */
bool twmon_cgroup_id_visible(struct twmon_net *tn, u64 cgid,
			     struct cgroup *ns_root)
{
	struct twmon_row *e;
	struct twmon_key k;
	bool visible;

	if (!ns_root)
		return true;
	key_cgroup(&k, cgid);
	rcu_read_lock();
	e = twmon_table_row(tn, &k, false);
	visible = e && twmon_cgroup_visible(e, ns_root);
	rcu_read_unlock();
	return visible;
}

/*
 * Services are split by cgroup only where shared: a service's sockets are
 * almost always one cgroup's (its listener's), and one more row at every
 * birth and death would cost as much as the rest of a socket's cgroup
 * work. The service's row keeps the cgroup of its first socket
 * (first_cg, set once); a socket of any other cgroup (0: unknown) is
 * counted again, in the row of its (service, cgroup) and in the service's
 * sum row (cgid TWMON_CGID_SPLIT_SUM). Dumps give the first cgroup the
 * service's count less the sum (netlink.c).
 */

/* Is a socket of cgroup cgid split off service row svc? set: the first */
static bool service_split(struct twmon_row *svc, u64 cgid, bool set)
{
	u64 first = READ_ONCE(svc->first_cg);

	if (!first && set) {
		first = cmpxchg(&svc->first_cg, 0, cgid + 1);
		if (!first)
			return false;
	}
	return first && first != cgid + 1;
}

/*
 * Count delta sockets of cgroup cgid expiring in `second` in the split
 * rows of the service with key svc; false if a birth found no room.
 * probe: from a kprobe pre-handler.
 */
static bool split_add(struct twmon_net *tn, const struct twmon_key *svc,
		      u64 cgid, u32 second, int delta, bool probe)
{
	struct twmon_row *e, *sum = NULL;
	struct twmon_key k = *svc;

	k.kind = TWMON_KIND_SERVICE_CGROUP;
	k.cgid = cgid;
	e = row_of(tn, &k, delta > 0, probe);
	k.cgid = TWMON_CGID_SPLIT_SUM;
	if (e)
		sum = row_of(tn, &k, delta > 0, probe);
	if (!sum)
		return false;
	twmon_row_add(e, second, delta);
	twmon_row_add(sum, second, delta);
	return true;
}

static void split_move(struct twmon_net *tn, const struct twmon_key *svc,
		       u64 cgid, u32 from, u32 to)
{
	struct twmon_key k = *svc;

	k.kind = TWMON_KIND_SERVICE_CGROUP;
	k.cgid = cgid;
	twmon_table_move(tn, &k, from, to);
	k.cgid = TWMON_CGID_SPLIT_SUM;
	twmon_table_move(tn, &k, from, to);
}

/* The cgroup id of service row e's first socket (0: unknown, or none) */
u64 twmon_service_first_cgroup(const struct twmon_row *e)
{
	u64 first = READ_ONCE(e->first_cg);

	return first ? first - 1 : 0;
}

/* The sockets of service row e counted in its split rows (under RCU) */
u32 twmon_service_split_sum(struct twmon_net *tn, const struct twmon_row *e,
			    u32 now_s)
{
	struct twmon_key k = e->key;
	struct twmon_row *sum;

	k.kind = TWMON_KIND_SERVICE_CGROUP;
	k.cgid = TWMON_CGID_SPLIT_SUM;
	sum = twmon_table_row(tn, &k, false);
	return sum ? twmon_row_count(sum, now_s) : 0;
}

/*
 * Birth: tw enters TIME_WAIT from sk, its timer set to expire at
 * `expires`, in its row of kind `kind` (row: that row if the caller has
 * it, under rcu_read_lock()). It is counted in its cgroup's row, and in
 * its pool's row of that cgroup, or its service's split rows if another
 * cgroup came first. From the hashdance probe, before the socket is
 * hashed: its death cannot race with this.
 */
void twmon_cgroup_birth(struct twmon_net *tn, struct inet_timewait_sock *tw,
			struct sock *sk, unsigned long expires,
			struct twmon_row *row, u8 kind)
{
	u32 second = twmon_expiry_second(expires);
	struct cgroup *cgrp = sk_cgroup(sk);
	struct twmon_cgroup_row *c = NULL;
	struct twmon_owner *o = NULL;
	struct twmon_key k;
	u64 cgid = 0;		/* unknown */
	u8 split = 0;

	if (unlikely(twmon_tw_near_full(twsk_net(tw))))
		twmon_cgroup_overflow_near();
	rcu_read_lock();
	if (cgrp) {
		o = owner_claim(tw, twmon_expiry_second(jiffies));
		if (o)
			c = cgroup_row(tn, cgrp, true);
		if (!c) {
			if (o)	/* its second is now: not stale */
				WRITE_ONCE(o->tw, 0);
			this_cpu_inc(tn->pcpu->cgroup_untracked);
		}
	}
	if (c) {
		cgid = cgroup_id(cgrp);
		WRITE_ONCE(o->cgid, cgid);
		WRITE_ONCE(o->second, second);
		twmon_row_add(&c->row, second, 1);
		count_total(&c->row, TWMON_CG_ENTERED);
	}
	if (kind == TWMON_KIND_DEST) {
		struct twmon_row *e;

		if (!c) {
			pool_unknown_add(tn, tw, second, 1, true);
			goto out;
		}
		key_pool_cgroup(&k, tw, cgid);
		e = twmon_table_row_probe(tn, &k, true);
		if (e) {
			twmon_row_add(e, second, 1);
			split = TWMON_KIND_POOL_CGROUP;
		}
	} else {
		twmon_key_from_tw(tw, TWMON_KIND_SERVICE, &k);
		if (!row)	/* births counted in another probe */
			row = twmon_table_row_probe(tn, &k, true);
		if (row && service_split(row, cgid, true) &&
		    split_add(tn, &k, cgid, second, 1, true))
			split = TWMON_KIND_SERVICE_CGROUP;
	}
	if (c)
		WRITE_ONCE(o->split, split);	/* unknown: see the death */
out:
	rcu_read_unlock();
}

/*
 * A socket alive at load time (the seed walk, under rcu_read_lock()), in
 * row `row` (NULL: untracked): its cgroup is unknown
 */
void twmon_cgroup_seeded(struct twmon_net *tn, struct inet_timewait_sock *tw,
			 struct twmon_row *row, u32 second)
{
	if (!row)
		return;
	if (row->key.kind == TWMON_KIND_DEST)
		pool_unknown_add(tn, tw, second, 1, false);
	else if (service_split(row, 0, true))
		split_add(tn, &row->key, 0, second, 1, false);
}

/*
 * Death (inet_twsk_kill()): the rows that counted tw let it go. row: the
 * pool's or service's row it was counted in (NULL: none), second: its
 * expiry; under rcu_read_lock().
 */
void twmon_cgroup_death(struct twmon_net *tn, struct inet_timewait_sock *tw,
			struct twmon_row *row, u32 second)
{
	struct twmon_owner *o = owner_find(tw);
	struct twmon_row *e;
	struct twmon_key k;
	u64 cgid;
	u8 split;

	if (!o) {
		/* unknown cgroup: its pool's row of cgroup 0, or its service's */
		if (row ? row->key.kind == TWMON_KIND_DEST :
			  twmon_tw_kind(tw) == TWMON_KIND_DEST)
			pool_unknown_add(tn, tw, second, -1, true);
		else if (row && service_split(row, 0, false))
			split_add(tn, &row->key, 0, second, -1, true);
		return;
	}
	second = READ_ONCE(o->second);
	cgid = READ_ONCE(o->cgid);
	split = READ_ONCE(o->split);
	key_cgroup(&k, cgid);
	e = twmon_table_row_probe(tn, &k, false);
	if (e) {
		twmon_row_add(e, second, -1);
		count_total(e, TWMON_CG_ENDED);
	}
	if (split == TWMON_KIND_POOL_CGROUP) {
		key_pool_cgroup(&k, tw, cgid);
		e = twmon_table_row_probe(tn, &k, false);
		if (e)
			twmon_row_add(e, second, -1);
	} else if (split == TWMON_KIND_SERVICE_CGROUP) {
		twmon_key_from_tw(tw, TWMON_KIND_SERVICE, &k);
		split_add(tn, &k, cgid, second, -1, true);
	}
	/* free, with a second no other CPU takes for stale (owner_claim()) */
	WRITE_ONCE(o->second, twmon_expiry_second(jiffies));
	WRITE_ONCE(o->tw, 0);
}

/*
 * Re-armed from expiry second `from` into another row slot: its counts
 * follow (see sched_pre())
 */
void twmon_cgroup_move(struct twmon_net *tn, struct inet_timewait_sock *tw,
		       u32 from, u32 to)
{
	struct twmon_owner *o = owner_find(tw);
	struct twmon_row *svc;
	struct twmon_key k;
	u8 split;

	if (!o) {
		/* unknown cgroup: see twmon_cgroup_death() */
		if (twmon_tw_kind(tw) == TWMON_KIND_DEST) {
			key_pool_cgroup(&k, tw, 0);
			twmon_table_move(tn, &k, from, to);
			return;
		}
		twmon_key_from_tw(tw, TWMON_KIND_SERVICE, &k);
		rcu_read_lock();
		svc = twmon_table_row_probe(tn, &k, false);
		if (svc && service_split(svc, 0, false))
			split_move(tn, &k, 0, from, to);
		rcu_read_unlock();
		return;
	}
	from = READ_ONCE(o->second);
	if (from / TWMON_ROW_SLOT_S == to / TWMON_ROW_SLOT_S)
		return;
	key_cgroup(&k, READ_ONCE(o->cgid));
	twmon_table_move(tn, &k, from, to);
	split = READ_ONCE(o->split);
	if (split == TWMON_KIND_POOL_CGROUP) {
		key_pool_cgroup(&k, tw, READ_ONCE(o->cgid));
		twmon_table_move(tn, &k, from, to);
	} else if (split == TWMON_KIND_SERVICE_CGROUP) {
		twmon_key_from_tw(tw, TWMON_KIND_SERVICE, &k);
		split_move(tn, &k, READ_ONCE(o->cgid), from, to);
	}
	WRITE_ONCE(o->second, to);
}

/*
 * An event of a full socket's cgroup: EADDRNOTAVAIL, an SO_LINGER abort,
 * an overflow. The row stays a while after it (twmon_cgroup_row_held()),
 * so that a cgroup whose every close overflows is seen.
 */
void twmon_cgroup_event(struct twmon_net *tn, struct sock *sk,
			enum twmon_cgroup_total t)
{
	struct cgroup *cgrp = sk_cgroup(sk);
	struct twmon_cgroup_row *c;

	if (!cgrp)
		return;
	rcu_read_lock();
	c = cgroup_row(tn, cgrp, false);	/* also from return handlers */
	if (c) {
		count_total(&c->row, t);
		if (READ_ONCE(c->event_s) != twmon_expiry_second(jiffies))
			WRITE_ONCE(c->event_s, twmon_expiry_second(jiffies));
	}
	rcu_read_unlock();
}

/*
 * Is an empty cgroup row kept (its totals with it)? For TWMON_CGROUP_HOLD_S
 * after its last socket or event, so that an agent polling every minute
 * sees a cgroup whose sockets all overflowed or whose connect()s all
 * failed; a removed cgroup's row goes (and its reference) with its last
 * socket.
 */
bool twmon_cgroup_row_held(const struct twmon_row *e, u32 now_s)
{
	const struct twmon_cgroup_row *c =
		container_of(e, struct twmon_cgroup_row, row);
	struct cgroup *cgrp = READ_ONCE(c->cgrp);
	int i;

	if (!cgrp || !(READ_ONCE(cgrp->self.flags) & CSS_ONLINE))
		return false;
	if ((s32)(now_s - READ_ONCE(c->event_s)) < TWMON_CGROUP_HOLD_S)
		return true;
	for (i = 0; i < TWMON_ROW_SLOTS; i++)	/* tags: expiry / slot */
		if ((s32)((u32)(atomic64_read(&e->slot[i]) >> 32) -
			  (now_s - TWMON_CGROUP_HOLD_S) / TWMON_ROW_SLOT_S) >= 0)
			return true;
	return false;
}

/*
 * Overflow: tcp_time_wait() found no room (inet_twsk_alloc() returned
 * NULL) and the closing socket, whose cgroup is known there, ends with no
 * TIME_WAIT. No function runs only then, and a return probe on every
 * allocation would cost as much as all of a socket's other probes, so it
 * is placed only while some namespace holds 3/4 of its tcp_max_tw_buckets
 * (a birth, the events work or a GET_CGROUPS dump asks for it) and taken
 * away once no allocation has met one so full for TWMON_OVERFLOW_IDLE.
 * Overflows while it is not in place are the namespace's count less the
 * rows' (GET_CGROUPS), reported under cgroup 0.
 */
#define TWMON_OVERFLOW_IDLE	(2 * TCP_TIMEWAIT_LEN)

static struct kretprobe overflow_probe;
static struct delayed_work overflow_work;
static unsigned long overflow_asked;	/* bit 0: the work will place it */
static bool overflow_placed;		/* the work's (read by births) */
static unsigned long overflow_near_at;	/* jiffies: an allocation met one */

bool twmon_tw_near_full(const struct net *net)
{
	int max = READ_ONCE(net->ipv4.tcp_death_row.sysctl_max_tw_buckets);

	return twmon_kernel_tw_count(net) >= max - max / 4;
}

/* Place the overflow probe soon (any context) */
void twmon_cgroup_overflow_near(void)
{
	if (twmon_cgroups && !READ_ONCE(overflow_placed) &&
	    !test_and_set_bit(0, &overflow_asked))
		mod_delayed_work(system_unbound_wq, &overflow_work, 0);
}

/* inet_twsk_alloc(sk, dr, state) */
static int alloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (void *)regs_get_kernel_argument(regs, 0);
	void *dr = (void *)regs_get_kernel_argument(regs, 1);

	if (dr != &sock_net(sk)->ipv4.tcp_death_row)
		return 1;	/* DCCP */
	if (twmon_tw_near_full(sock_net(sk)))
		WRITE_ONCE(overflow_near_at, jiffies);
	*(struct sock **)ri->data = sk;
	return 0;
}

static int alloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = *(struct sock **)ri->data;
	struct twmon_net *tn;

	if (regs_return_value(regs))
		return 0;
	tn = twmon_counted_sk_net(sk);
	if (tn)
		twmon_cgroup_event(tn, sk, TWMON_CG_OVERFLOW);
	return 0;
}

static void overflow_work_fn(struct work_struct *work)
{
	int err;

	if (!overflow_placed) {
		/* a probe once taken away is registered afresh */
		memset(&overflow_probe, 0, sizeof(overflow_probe));
		overflow_probe.kp.symbol_name = "inet_twsk_alloc";
		overflow_probe.entry_handler = alloc_entry;
		overflow_probe.handler = alloc_ret;
		overflow_probe.data_size = sizeof(struct sock *);
		overflow_probe.maxactive = 4 * num_possible_cpus() + 16;
		WRITE_ONCE(overflow_near_at, jiffies);
		err = register_kretprobe(&overflow_probe);
		if (err) {
			/* bit 0 stays set: not asked again */
			pr_warn("cannot hook inet_twsk_alloc (%d): overflows are counted under cgroup 0\n",
				err);
			return;
		}
		WRITE_ONCE(overflow_placed, true);
		pr_info("a namespace holds 3/4 of tcp_max_tw_buckets: overflows are now attributed to cgroups\n");
	} else if (time_after(jiffies, READ_ONCE(overflow_near_at) +
			      TWMON_OVERFLOW_IDLE)) {
		unregister_kretprobe(&overflow_probe);
		WRITE_ONCE(overflow_placed, false);
		clear_bit(0, &overflow_asked);
		pr_info("no namespace near tcp_max_tw_buckets: overflow probe removed\n");
		return;
	}
	queue_delayed_work(system_unbound_wq, &overflow_work, 10 * HZ);
}

static int interval_row(struct twmon_row *e, u32 count, void *arg)
{
	struct twmon_cgroup_row *c = container_of(e, struct twmon_cgroup_row, row);
	struct twmon_cgroup_top *top = arg;
	int t;

	if (++top->run > 256) {
		top->run = 0;
		return -EAGAIN;	/* yield; this row comes first next time */
	}
	for (t = 0; t < TWMON_CG_TOTALS; t++) {
		u64 v = twmon_cgroup_total(e, t);

		if (v - c->notified[t] > top->grew[t]) {
			top->grew[t] = v - c->notified[t];
			top->cgid[t] = e->key.cgid;
		}
		c->notified[t] = v;
	}
	if (count > top->live) {
		top->live = count;
		top->live_cgid = e->key.cgid;
	}
	return 0;
}

struct pool_tops {
	struct twmon_pool_high *h;
	unsigned int n, run;
};

static bool same_pool(const struct twmon_key *a, const struct twmon_key *b)
{
	return a->family == b->family && a->port == b->port &&
	       ipv6_addr_equal(&a->laddr, &b->laddr) &&
	       ipv6_addr_equal(&a->raddr, &b->raddr);
}

static int pool_top_row(struct twmon_row *e, u32 count, void *arg)
{
	struct pool_tops *t = arg;
	unsigned int i;

	if (++t->run > 256) {
		t->run = 0;
		return -EAGAIN;	/* yield; this row comes first next time */
	}
	if (!e->key.cgid)
		return 0;	/* unknown: an event names a cgroup or none */
	for (i = 0; i < t->n; i++)
		if (same_pool(&e->key, &t->h[i].key) && count > t->h[i].best) {
			t->h[i].best = count;
			t->h[i].cgid = e->key.cgid;
		}
	return 0;
}

/*
 * For the pools that went high this interval (a few: notify.c holds at
 * most TWMON_POOL_HIGH_NAMED), the cgroup with the most of each one's
 * sockets: one walk of the namespace's rows of pools by cgroup.
 */
void twmon_cgroup_pool_tops(struct twmon_net *tn, struct twmon_pool_high *h,
			    unsigned int n)
{
	struct pool_tops t = { h, n };
	struct twmon_walk walk;

	twmon_walk_begin(&walk, tn, TWMON_KIND_POOL_CGROUP);
	while (!walk.done) {
		twmon_walk(&walk, pool_top_row, &t);
		cond_resched();
	}
	twmon_walk_end(&walk);
}

/*
 * Once per events interval (the namespace's notify work, the only writer
 * of notified[]): which cgroup's totals grew most since the last one, and
 * which holds the most live sockets, for the events to name. One walk of
 * the namespace's table (its cgroup rows), yielding every 256 of them.
 */
void twmon_cgroup_interval(struct twmon_net *tn, struct twmon_cgroup_top *top)
{
	struct twmon_walk walk;

	memset(top, 0, sizeof(*top));
	twmon_walk_begin(&walk, tn, TWMON_KIND_CGROUP);
	walk.with_empty = true;
	while (!walk.done) {
		twmon_walk(&walk, interval_row, top);
		cond_resched();
	}
	twmon_walk_end(&walk);
}


int twmon_cgroup_init(void)
{
	unsigned long n = twmon_cgroup_sockets;

	if (!twmon_cgroups)
		return 0;
	INIT_DELAYED_WORK(&overflow_work, overflow_work_fn);
	owners = vzalloc(array_size(n, sizeof(*owners)));
	if (!owners) {
		pr_err("cgroups=1: cannot allocate %lu bytes for cgroup_sockets=%lu\n",
		       n * sizeof(*owners), n);
		return -ENOMEM;
	}
	owners_mask = n / TWMON_OWNER_WAYS - 1;
	return 0;
}

/* After the probes are gone, and every caller of twmon_cgroup_overflow_near() */
void twmon_cgroup_exit(void)
{
	if (!twmon_cgroups)
		return;
	cancel_delayed_work_sync(&overflow_work);
	if (overflow_placed)
		unregister_kretprobe(&overflow_probe);
	overflow_placed = false;
	vfree(owners);
	owners = NULL;
}

/* Births of a known cgroup that found no room (counted under cgroup 0) */
u64 twmon_cgroup_untracked(struct twmon_net *tn)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(tn->pcpu, cpu)->cgroup_untracked);
	return n;
}

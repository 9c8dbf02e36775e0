// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the live tables (outgoing pools and services), one hash table for
 * both kinds and every namespace. Lookups are lockless under RCU and take a
 * reference with atomic_inc_not_zero(); a bucket's lock is taken only to
 * insert a new key or to unlink one whose count reached zero.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/jhash.h>
#include <linux/log2.h>
#include <linux/vmalloc.h>
#include "internal.h"

struct twmon_bucket {
	struct hlist_head head;
	spinlock_t lock;		/* insert and unlink */
};

static struct twmon_bucket *twmon_buckets;
static unsigned int twmon_bucket_mask;
static atomic_t twmon_entries_total[2];	/* dests, services, all netns */
static u32 twmon_hash_seed __read_mostly;

static inline int kind_index(u8 kind)
{
	return kind == TWMON_KIND_DEST ? 0 : 1;
}

static unsigned int kind_limit(u8 kind)
{
	return kind == TWMON_KIND_DEST ? twmon_max_dests : twmon_max_services;
}

static struct twmon_bucket *bucket_of(const struct twmon_key *k)
{
	u32 h = jhash2((const u32 *)&k->laddr, 8,
		       jhash_3words((u32)(unsigned long)k->net,
				    k->family | k->kind << 8 | (u32)k->port << 16,
				    0, twmon_hash_seed));

	return &twmon_buckets[h & twmon_bucket_mask];
}

static bool key_eq(const struct twmon_key *a, const struct twmon_key *b)
{
	return a->net == b->net && a->family == b->family &&
	       a->kind == b->kind && a->port == b->port &&
	       ipv6_addr_equal(&a->laddr, &b->laddr) &&
	       ipv6_addr_equal(&a->raddr, &b->raddr);
}

static struct twmon_row *lookup(struct twmon_bucket *b,
				  const struct twmon_key *k)
{
	struct twmon_row *e;

	hlist_for_each_entry_rcu(e, &b->head, node)
		if (key_eq(&e->key, k))
			return e;
	return NULL;
}

/*
 * Count one more socket under key k. Returns the kind it was counted as,
 * or TWMON_KIND_NONE when the table is full or memory is short.
 */
enum twmon_kind twmon_table_get(struct twmon_net *tn, const struct twmon_key *k)
{
	struct twmon_bucket *b = bucket_of(k);
	struct twmon_row *e;
	int ki = kind_index(k->kind);
	unsigned long flags;

	rcu_read_lock();
	e = lookup(b, k);
	if (e && atomic_inc_not_zero(&e->count)) {
		rcu_read_unlock();
		return k->kind;
	}
	rcu_read_unlock();

	/* irqsave: probes run in task, softirq and stop_machine context */
	spin_lock_irqsave(&b->lock, flags);
	e = lookup(b, k);	/* a count-0 entry is unlinked under this lock */
	if (e) {
		atomic_inc(&e->count);
		goto out;
	}
	if (atomic_inc_return(&twmon_entries_total[ki]) > kind_limit(k->kind))
		goto full;
	e = kmalloc(sizeof(*e), GFP_ATOMIC);
	if (!e)
		goto full;
	e->key = *k;
	atomic_set(&e->count, 1);
	hlist_add_head_rcu(&e->node, &b->head);
	atomic_inc(&tn->entries[ki]);
out:
	spin_unlock_irqrestore(&b->lock, flags);
	return k->kind;
full:
	atomic_dec(&twmon_entries_total[ki]);
	spin_unlock_irqrestore(&b->lock, flags);
	return TWMON_KIND_NONE;
}

static void unlink_entry(struct twmon_net *tn, struct twmon_row *e)
{
	int ki = kind_index(e->key.kind);

	hlist_del_rcu(&e->node);
	atomic_dec(&twmon_entries_total[ki]);
	atomic_dec(&tn->entries[ki]);
	kfree_rcu(e, rcu);
}

/* Live sockets under key k now (0 if none) */
u32 twmon_table_count(const struct twmon_key *k)
{
	struct twmon_row *e;
	u32 count = 0;

	rcu_read_lock();
	e = lookup(bucket_of(k), k);
	if (e)
		count = atomic_read(&e->count);
	rcu_read_unlock();
	return count;
}

/* One socket counted under key k ended */
void twmon_table_put(struct twmon_net *tn, const struct twmon_key *k)
{
	struct twmon_bucket *b = bucket_of(k);
	struct twmon_row *e;
	unsigned long flags;

	rcu_read_lock();
	e = lookup(b, k);
	if (WARN_ON_ONCE(!e)) {
		rcu_read_unlock();
		return;
	}
	if (atomic_dec_and_lock_irqsave(&e->count, &b->lock, flags)) {
		unlink_entry(tn, e);
		spin_unlock_irqrestore(&b->lock, flags);
	}
	rcu_read_unlock();
}

/* Drop every entry of a namespace whose probes can no longer run */
void twmon_table_flush_net(struct twmon_net *tn)
{
	struct twmon_row *e;
	struct hlist_node *tmp;
	unsigned long flags;
	unsigned int i;

	for (i = 0; i <= twmon_bucket_mask; i++) {
		struct twmon_bucket *b = &twmon_buckets[i];

		spin_lock_irqsave(&b->lock, flags);
		hlist_for_each_entry_safe(e, tmp, &b->head, node)
			if (e->key.net == tn->net)
				unlink_entry(tn, e);
		spin_unlock_irqrestore(&b->lock, flags);
		cond_resched();
	}
}

/*
 * Walk the entries of one net and kind, resuming at *pos (bucket << 32 |
 * index in bucket). fn returning < 0 stops the walk; *pos then points at
 * the entry that did not fit, for the next dump call.
 */
int twmon_table_walk(const struct net *net, u8 kind, unsigned long *pos,
		     int (*fn)(const struct twmon_row *e, u32 count, void *arg),
		     void *arg)
{
	unsigned long bkt = *pos >> 32, skip = *pos & 0xffffffff, idx;
	struct twmon_row *e;
	int err = 0;

	rcu_read_lock();
	for (; bkt <= twmon_bucket_mask; bkt++, skip = 0) {
		idx = 0;
		hlist_for_each_entry_rcu(e, &twmon_buckets[bkt].head, node) {
			u32 count;

			if (e->key.net != net || e->key.kind != kind)
				continue;
			if (idx++ < skip)
				continue;
			count = atomic_read(&e->count);
			if (!count)
				continue;
			err = fn(e, count, arg);
			if (err < 0) {
				*pos = bkt << 32 | (idx - 1);
				goto out;
			}
		}
	}
	*pos = bkt << 32;
out:
	rcu_read_unlock();
	return err;
}

int twmon_table_init(void)
{
	unsigned int n = roundup_pow_of_two(max(twmon_max_dests +
						twmon_max_services, 2u) / 2);
	unsigned int i;

	twmon_buckets = kvmalloc_array(n, sizeof(*twmon_buckets),
				       GFP_KERNEL);
	if (!twmon_buckets)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		INIT_HLIST_HEAD(&twmon_buckets[i].head);
		spin_lock_init(&twmon_buckets[i].lock);
	}
	twmon_bucket_mask = n - 1;
	twmon_hash_seed = get_random_u32();
	return 0;
}

/* After every namespace was flushed and probes are gone */
void twmon_table_exit(void)
{
	rcu_barrier();		/* kfree_rcu() callbacks */
	kvfree(twmon_buckets);
}

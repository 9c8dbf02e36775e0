// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: count the TIME_WAIT sockets already alive at load time.
 *
 * The probes start counting first; then each established hash table is
 * walked one bucket at a time under that bucket's lock, the lock every
 * death takes. Until the walk has passed a bucket, the probes leave its
 * sockets to the walk (twmon_seed_skip), so no socket is counted twice.
 * On 6.11+ a birth counted in __inet_twsk_schedule() is seen under that
 * lock, once the socket is hashed. Before 6.11, or counted at hashdance
 * entry, it is seen just before: one born while the walk passes its
 * bucket is left to a walk that does not find it yet (a short window, at
 * load time only; it costs that socket's attribution, as a missed probe
 * hit does). Nothing stops the machine: the longest
 * stretch with bottom halves off is one bucket.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include "internal.h"

bool twmon_seeding;

/* The tables being walked and how far; read by the probes while seeding */
static struct {
	struct inet_hashinfo **tables;
	unsigned long *pos;		/* buckets below it are walked */
	unsigned int n;
} twmon_seed_state;

bool twmon_seed_skip(const struct inet_timewait_sock *tw)
{
	const struct inet_hashinfo *h = tw->tw_dr->hashinfo;
	unsigned int i;

	for (i = 0; i < READ_ONCE(twmon_seed_state.n); i++)
		if (twmon_seed_state.tables[i] == h)
			return (tw->tw_hash & h->ehash_mask) >=
			       READ_ONCE(twmon_seed_state.pos[i]);
	return false;	/* a table made after the walk began: all new */
}

static u64 seed_table(unsigned int t)
{
	struct inet_hashinfo *h = twmon_seed_state.tables[t];
	struct hlist_nulls_node *node;
	unsigned long i;
	struct sock *sk;
	u64 seeded = 0;

	for (i = 0; i <= h->ehash_mask; i++) {
		spinlock_t *lock = inet_ehash_lockp(h, i);

		if (hlist_nulls_empty(&h->ehash[i].chain)) {
			WRITE_ONCE(twmon_seed_state.pos[t], i + 1);
			continue;
		}
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &h->ehash[i].chain) {
			struct inet_timewait_sock *tw;
			struct twmon_net *tn;

			if (sk->sk_state != TCP_TIME_WAIT)
				continue;
			tw = inet_twsk(sk);
			tn = twmon_net_of(sock_net(sk));
			if (!tn || READ_ONCE(tn->dead) ||
			    tw->tw_dr != &sock_net(sk)->ipv4.tcp_death_row)
				continue;
			twmon_account_birth(tn, tw, twmon_tw_kind(tw),
					    READ_ONCE(tw->tw_timer.expires), true);
			seeded++;
		}
		/* under the lock: a birth or death here sees the walk done */
		WRITE_ONCE(twmon_seed_state.pos[t], i + 1);
		spin_unlock_bh(lock);
		if (i % 256 == 0)
			cond_resched();
	}
	return seeded;
}

int twmon_seed(void)
{
	unsigned int max = 16, n = 0, i;
	struct net **nets;
	u64 seeded = 0;
	ktime_t t0;
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net)
		max++;
	rcu_read_unlock();
	nets = kcalloc(max, sizeof(*nets), GFP_KERNEL);
	twmon_seed_state.tables = kcalloc(max, sizeof(void *), GFP_KERNEL);
	twmon_seed_state.pos = kcalloc(max, sizeof(unsigned long), GFP_KERNEL);
	if (!nets || !twmon_seed_state.tables || !twmon_seed_state.pos) {
		kfree(nets);
		kfree(twmon_seed_state.tables);
		kfree(twmon_seed_state.pos);
		return -ENOMEM;
	}
	/* Namespaces share one table unless tcp_child_ehash_entries was set */
	rcu_read_lock();
	for_each_net_rcu(net) {
		struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;

		for (i = 0; i < n && twmon_seed_state.tables[i] != h; i++)
			;
		if (i < n || !h || n == max || !maybe_get_net(net))
			continue;
		nets[n] = net;
		twmon_seed_state.tables[n++] = h;
	}
	rcu_read_unlock();

	t0 = ktime_get();
	WRITE_ONCE(twmon_seed_state.n, n);
	WRITE_ONCE(twmon_seeding, true);
	/* the probes see the tables and positions before they count */
	smp_store_release(&twmon_counting, true);
	for (i = 0; i < n; i++)
		seeded += seed_table(i);
	WRITE_ONCE(twmon_seeding, false);
	synchronize_rcu();	/* no probe reads the tables any more */
	for (i = 0; i < n; i++)
		put_net(nets[i]);
	WRITE_ONCE(twmon_seed_state.n, 0);
	kfree(nets);
	kfree(twmon_seed_state.tables);
	kfree(twmon_seed_state.pos);
	pr_info("%llu TIME_WAIT sockets alive at load (%u hash tables, %lld us)\n",
		seeded, n, ktime_us_delta(ktime_get(), t0));
	return 0;
}

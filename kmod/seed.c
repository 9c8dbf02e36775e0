// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: count the TIME_WAIT sockets already alive at load time.
 *
 * The walk and the switch that starts counting births and deaths run in
 * one stop_machine() call: no socket can be born or die half inside it,
 * so none is counted twice or missed, even on a busy server.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include "internal.h"

struct twmon_seed {
	struct inet_hashinfo **tables;	/* distinct established hash tables */
	unsigned int n;
	u64 seeded;
};

static void seed_table(struct twmon_seed *s, struct inet_hashinfo *h)
{
	struct hlist_nulls_node *node;
	unsigned int i;
	struct sock *sk;

	for (i = 0; i <= h->ehash_mask; i++) {
		sk_nulls_for_each_rcu(sk, node, &h->ehash[i].chain) {
			struct twmon_net *tn;

			if (sk->sk_state != TCP_TIME_WAIT)
				continue;
			tn = twmon_net(sock_net(sk));
			if (READ_ONCE(tn->dead))
				continue;
			twmon_account_birth(tn, inet_twsk(sk), true);
			s->seeded++;
		}
	}
}

static int seed_fn(void *arg)
{
	struct twmon_seed *s = arg;
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < s->n; i++)
		seed_table(s, s->tables[i]);
	rcu_read_unlock();
	WRITE_ONCE(twmon_counting, true);
	return 0;
}

int twmon_seed(void)
{
	struct twmon_seed s = {};
	struct twmon_net *tn;
	unsigned int n = 0, i;
	int err;

	mutex_lock(&twmon_nets_lock);
	list_for_each_entry(tn, &twmon_nets, node)
		n++;
	s.tables = kcalloc(max(n, 1u), sizeof(*s.tables), GFP_KERNEL);
	if (!s.tables) {
		mutex_unlock(&twmon_nets_lock);
		return -ENOMEM;
	}
	/* Namespaces share tcp_hashinfo unless tcp_child_ehash_entries set */
	list_for_each_entry(tn, &twmon_nets, node) {
		struct inet_hashinfo *h = tn->net->ipv4.tcp_death_row.hashinfo;

		for (i = 0; i < s.n && s.tables[i] != h; i++)
			;
		if (i == s.n && h)
			s.tables[s.n++] = h;
	}
	err = stop_machine(seed_fn, &s, NULL);
	mutex_unlock(&twmon_nets_lock);
	kfree(s.tables);
	if (!err)
		pr_info("%llu TIME_WAIT sockets alive at load (in %u hash tables)\n",
			s.seeded, s.n);
	return err;
}

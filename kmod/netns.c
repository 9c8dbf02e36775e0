// SPDX-License-Identifier: GPL-2.0
/* twmon: per network namespace state and counters */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>
#include "internal.h"
#include "compat.h"

static unsigned int twmon_net_id __read_mostly;
LIST_HEAD(twmon_nets);
DEFINE_MUTEX(twmon_nets_lock);
/* Sockets ended after their namespace's counters were torn down */
u64 __percpu *twmon_purged_dead;

struct twmon_net *twmon_net(const struct net *net)
{
	return net_generic(net, twmon_net_id);
}

unsigned int twmon_expiry_slot(unsigned long expires)
{
	return (expires / HZ) & (TWMON_RING - 1);
}

/* Age from the timer: a TIME_WAIT timer starts at 60 s and counts down */
unsigned int twmon_age_bucket(long remaining_jiffies)
{
	long age = (long)TCP_TIMEWAIT_LEN - max(remaining_jiffies, 0L);

	if (age < 0)
		return 0;
	return min_t(long, age / HZ, TWMON_AGE_BUCKETS - 1);
}

/* nstat TcpExtTCPTimeWaitOverflow of a namespace */
static unsigned long twmon_overflow_total(struct net *net)
{
	return twmon_net_mib(net, LINUX_MIB_TCPTIMEWAITOVERFLOW);
}

static int __net_init twmon_net_init(struct net *net)
{
	struct twmon_net *tn = twmon_net(net);

	tn->net = net;
	tn->overflow_base = twmon_overflow_total(net);
	tn->pcpu = alloc_percpu(struct twmon_pcpu);
	if (!tn->pcpu)
		return -ENOMEM;
	mutex_lock(&twmon_nets_lock);
	list_add_tail(&tn->node, &twmon_nets);
	mutex_unlock(&twmon_nets_lock);
	return 0;
}

/*
 * The core runs every pre_exit, then synchronize_rcu(), then every exit.
 * Probes run with preemption off (an RCU reader): once dead is seen by
 * all of them, exit may free what they touch.
 */
static void __net_exit twmon_net_pre_exit(struct net *net)
{
	WRITE_ONCE(twmon_net(net)->dead, true);
}

static void __net_exit twmon_net_exit(struct net *net)
{
	struct twmon_net *tn = twmon_net(net);

	mutex_lock(&twmon_nets_lock);
	list_del(&tn->node);
	twmon_notify_net_exit(tn);
	mutex_unlock(&twmon_nets_lock);
	twmon_table_flush_net(tn);
	free_percpu(tn->pcpu);
	tn->pcpu = NULL;
}

static struct pernet_operations twmon_net_ops = {
	.init = twmon_net_init,
	.pre_exit = twmon_net_pre_exit,
	.exit = twmon_net_exit,
	.id = &twmon_net_id,
	.size = sizeof(struct twmon_net),
};

int twmon_netns_init(void)
{
	int err;

	twmon_purged_dead = alloc_percpu(u64);
	if (!twmon_purged_dead)
		return -ENOMEM;
	err = register_pernet_subsys(&twmon_net_ops);
	if (err)
		free_percpu(twmon_purged_dead);
	return err;
}

void twmon_netns_exit(void)
{
	unregister_pernet_subsys(&twmon_net_ops);
	free_percpu(twmon_purged_dead);
}

/* Sum every CPU; exact when the namespace is quiet */
void twmon_snapshot(struct twmon_net *tn, struct twmon_snapshot *s)
{
	unsigned long now = jiffies;
	u64 ended = 0;
	int cpu, i, r;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		const struct twmon_pcpu *p = per_cpu_ptr(tn->pcpu, cpu);

		s->seeded += READ_ONCE(p->seeded[0]) + READ_ONCE(p->seeded[1]);
		s->seeded_fw2 += READ_ONCE(p->seeded[1]);
		for (i = 0; i < 2; i++)
			s->entered[i] += READ_ONCE(p->entered[i]);
		s->fw2_to_tw += READ_ONCE(p->fw2_to_tw);
		s->ended_fw2 += READ_ONCE(p->ended_fw2);
		for (r = 0; r < __TWMON_END_LAST; r++) {
			s->ended[r] += READ_ONCE(p->ended[r]);
			for (i = 0; i < TWMON_AGE_BUCKETS; i++)
				s->lifetime[r][i] += READ_ONCE(p->lifetime[r][i]);
		}
		s->eaddrnotavail += READ_ONCE(p->eaddrnotavail);
		s->linger_abort += READ_ONCE(p->linger_abort);
		s->untracked += READ_ONCE(p->untracked);
		for (i = 0; i < TWMON_RING; i++)
			s->expiry[i] += READ_ONCE(p->expiry[i]);
	}
	/*
	 * Overflow is the kernel's own counter (tcp_time_wait() counts every
	 * close that found no room), since the module first saw the namespace:
	 * exact, and no probe on inet_twsk_alloc(), which every birth calls.
	 */
	s->overflow = twmon_overflow_total(tn->net) - tn->overflow_base;
	for (r = 0; r < __TWMON_END_LAST; r++)
		ended += s->ended[r];
	s->live = s->seeded + s->entered[0] + s->entered[1] - ended;
	s->live_fw2 = s->seeded_fw2 + s->entered[1] - s->fw2_to_tw - s->ended_fw2;
	s->live_tw = s->live - s->live_fw2;

	/*
	 * Slot i holds the sockets expiring in the second e with
	 * e % TWMON_RING == i; take the e nearest to now (overdue timers,
	 * late by the timer wheel's slack, are in the past).
	 */
	for (i = 0; i < TWMON_RING; i++) {
		long now_s = now / HZ, d;

		if (s->expiry[i] <= 0)
			continue;
		d = (long)((unsigned long)(i - now_s) & (TWMON_RING - 1));
		if (d >= TWMON_RING / 2)
			d -= TWMON_RING;
		/* remaining: to the middle of the expiry second */
		s->ages[twmon_age_bucket(d * HZ + HZ / 2)] += s->expiry[i];
	}
}

// SPDX-License-Identifier: GPL-2.0
/* twmon: per network namespace state and counters */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/jiffies.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/tcp.h>
#include "internal.h"
#include "compat.h"

static unsigned int twmon_net_id __read_mostly;
/* Sockets ended while their namespace's counters were being torn down */
u64 __percpu *twmon_purged_dead;

struct twmon_net *twmon_net(const struct net *net)
{
	return net_generic(net, twmon_net_id);
}

/*
 * The state of any namespace a socket can be in, or NULL where there is
 * none: a namespace already being torn down when the module loaded was
 * never given any (its generic array may not even have our slot), yet TCP
 * purges its sockets through our probes. Also NULL until init finished.
 */
struct twmon_net *twmon_net_of(const struct net *net)
{
	struct twmon_net *tn = NULL;
	struct net_generic *ng;

	rcu_read_lock();
	ng = rcu_dereference(net->gen);
	if (twmon_net_id < ng->s.len)
		tn = ng->ptr[twmon_net_id];
	rcu_read_unlock();
	/* acquire: pairs with init's release, the state is all there */
	return tn && smp_load_acquire(&tn->ready) ? tn : NULL;
}

/*
 * The namespace with this inode number, with a reference (put_net() it),
 * or NULL. Namespaces are found on the kernel's own RCU list: no lock of
 * ours, so a caller can never hold up namespace creation or teardown.
 */
struct net *twmon_get_net_by_inum(u32 inum)
{
	struct net *net, *found = NULL;

	rcu_read_lock();
	for_each_net_rcu(net) {
		if (net->ns.inum != inum)
			continue;
		if (twmon_net_of(net))
			found = maybe_get_net(net);
		break;
	}
	rcu_read_unlock();
	return found;
}

u32 twmon_expiry_second(unsigned long expires)
{
	return (u32)(expires / HZ);
}

/* Age from the timer: a TIME_WAIT timer starts at 60 s and counts down */
unsigned int twmon_age_bucket(long remaining_jiffies)
{
	long age = (long)TCP_TIMEWAIT_LEN - max(remaining_jiffies, 0L);

	if (age < 0)
		return 0;
	return min_t(long, age / HZ, TWMON_AGE_BUCKETS - 1);
}

/*
 * Count sockets expiring in second `second` on this CPU. Called from the
 * probes (preemption off, and kprobes never nest on one CPU) and from the
 * load-time walk (bottom halves off): nothing else writes these parts.
 */
void twmon_ring_add(struct twmon_net *tn, u32 second, int live, int fw2,
		    int untracked)
{
	struct twmon_ring_part *p =
		this_cpu_ptr(&tn->pcpu->ring[second % TWMON_RING]);

	if (p->tag != second) {
		/* what it held was for a second long gone: start afresh */
		p->tag = second;
		p->live = 0;
		p->fw2 = 0;
		p->untracked = 0;
	}
	p->live += live;
	p->fw2 += fw2;
	p->untracked += untracked;
}

/* nstat TcpExtTCPTimeWaitOverflow of a namespace */
static unsigned long twmon_overflow_total(struct net *net)
{
	return twmon_net_mib(net, LINUX_MIB_TCPTIMEWAITOVERFLOW);
}

static int __net_init twmon_net_init(struct net *net)
{
	struct twmon_net *tn = twmon_net(net);
	int err;

	tn->net = net;
	tn->overflow_base = twmon_overflow_total(net);
	tn->pcpu = alloc_percpu(struct twmon_pcpu);
	if (!tn->pcpu)
		return -ENOMEM;
	err = twmon_table_net_init(tn);
	if (err) {
		free_percpu(tn->pcpu);
		return err;
	}
	twmon_notify_net_init(tn);
	/* everything above is visible before a probe or a reader sees ready */
	smp_store_release(&tn->ready, true);
	return 0;
}

/*
 * The core unlists the namespace, runs every pre_exit, then
 * synchronize_rcu(), then every exit. Probes and the notify scan run as
 * RCU readers: once dead is seen by all of them, exit may free what they
 * touch.
 */
static void __net_exit twmon_net_pre_exit(struct net *net)
{
	WRITE_ONCE(twmon_net(net)->dead, true);
}

static void __net_exit twmon_net_exit(struct net *net)
{
	struct twmon_net *tn = twmon_net(net);

	twmon_notify_net_exit(tn);
	twmon_table_net_exit(tn);
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

/* The second slot i stands for now: the one nearest to now_s */
static u32 ring_second(unsigned int i, u32 now_s)
{
	s32 d = (s32)((i - now_s) & (TWMON_RING - 1));

	if (d >= TWMON_RING / 2)
		d -= TWMON_RING;
	return now_s + d;
}

/*
 * Sum every CPU. live is the kernel's own count (what sockstat shows), so
 * it is exact whatever the probes missed; the split by substate, the ages
 * and untracked come from the ring, each clamped to what live allows.
 */
void twmon_snapshot(struct twmon_net *tn, struct twmon_snapshot *s)
{
	u32 now_s = twmon_expiry_second(jiffies);
	s64 live[TWMON_RING] = {}, fw2 = 0, untracked = 0;
	int cpu, i, r;
	u64 ended = 0, in_ring = 0;

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
		for (i = 0; i < TWMON_RING; i++) {
			const struct twmon_ring_part *rp = &p->ring[i];
			u32 sec = ring_second(i, now_s);

			/* seconds long past hold nobody, only late timers */
			if (READ_ONCE(rp->tag) != sec ||
			    (s32)(sec - now_s) < -TWMON_SLACK_S)
				continue;
			live[i] += READ_ONCE(rp->live);
			fw2 += READ_ONCE(rp->fw2);
			untracked += READ_ONCE(rp->untracked);
		}
	}
	/*
	 * Overflow is the kernel's own counter (tcp_time_wait() counts every
	 * close that found no room), since the module first saw the namespace:
	 * exact, and no probe on inet_twsk_alloc(), which every birth calls.
	 */
	s->overflow = twmon_overflow_total(tn->net) - tn->overflow_base;
	for (r = 0; r < __TWMON_END_LAST; r++)
		ended += s->ended[r];
	s->live = max(twmon_kernel_tw_count(tn->net), 0);
	s->live_fw2 = clamp_t(s64, fw2, 0, s->live);
	s->live_tw = s->live - s->live_fw2;
	s->untracked = clamp_t(s64, untracked, 0, s->live);

	for (i = 0; i < TWMON_RING; i++) {
		s32 d = (s32)(ring_second(i, now_s) - now_s);
		u64 n;

		if (live[i] <= 0 || in_ring >= s->live)
			continue;
		n = min_t(u64, live[i], s->live - in_ring);
		in_ring += n;
		/* remaining: to the middle of the expiry second */
		s->ages[twmon_age_bucket((long)d * HZ + HZ / 2)] += n;
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the multicast groups. Once per interval a scan looks at every
 * namespace on the kernel's RCU list and queues that namespace's own work
 * where someone listens; the work multicasts a stats snapshot to the
 * "stats" group and edge-triggered events to the "events" group. A
 * namespace's work touches only its own counters and rows, holds no lock
 * of ours and may sleep: nothing here runs on the probes' path, and no
 * namespace (or unprivileged listener) can block another; they take
 * turns, one work at a time, so the interval's work never takes more than
 * one CPU however many namespaces listen (1000 subscribed ones, a worker
 * each, held both CPUs of a test guest and delayed unshare -n by 400 ms).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include "internal.h"

#define TWMON_HYSTERESIS_PCT	10	/* clear 10 points below the mark */

static struct workqueue_struct *twmon_notify_wq;
static struct delayed_work twmon_scan_work;
/* running and the scan's requeue under one lock: rmmod vs SET_CONFIG */
static DEFINE_SPINLOCK(twmon_notify_lock);
static bool twmon_notify_running;

static bool has_listeners(struct twmon_net *tn, enum twmon_mcgrp grp)
{
	return genl_has_listeners(&twmon_family, tn->net, grp);
}

bool twmon_events_listened(struct twmon_net *tn)
{
	return has_listeners(tn, TWMON_GRP_EVENTS);
}

/* Events of one namespace and interval, as many messages as they need */
struct event_msg {
	struct twmon_net *tn;
	struct sk_buff *skb;
	void *hdr;
	struct nlattr *seq;		/* numbered when sent */
	unsigned int events;		/* in this message */
};

static int event_msg_begin(struct event_msg *m)
{
	m->events = 0;
	m->skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!m->skb)
		goto lost;
	m->hdr = genlmsg_put(m->skb, 0, 0, &twmon_family, 0, TWMON_CMD_EVENT);
	if (!m->hdr ||
	    nla_put_u32(m->skb, TWMON_A_NETNS_INUM, m->tn->net->ns.inum))
		goto free;
	m->seq = nla_reserve_64bit(m->skb, TWMON_A_SEQ, sizeof(u64), TWMON_A_PAD);
	if (!m->seq)
		goto free;
	return 0;
free:
	nlmsg_free(m->skb);
	m->skb = NULL;
lost:
	/* a number spent with nothing sent: the listener sees a gap */
	m->tn->notify.seq[TWMON_GRP_EVENTS]++;
	return -ENOMEM;
}

/* Number and send the message, if it holds any event */
static void event_msg_send(struct event_msg *m)
{
	u64 seq;

	if (!m->skb)
		return;
	if (!m->events) {
		nlmsg_free(m->skb);
		m->skb = NULL;
		return;
	}
	seq = ++m->tn->notify.seq[TWMON_GRP_EVENTS];
	memcpy(nla_data(m->seq), &seq, sizeof(seq));
	genlmsg_end(m->skb, m->hdr);
	/* ENOBUFS at a slow listener is its to see, as a socket error */
	genlmsg_multicast_netns(&twmon_family, m->tn->net, m->skb, 0,
				TWMON_GRP_EVENTS, GFP_KERNEL);
	m->skb = NULL;
}

/* Add one event, sending the message first when it is full */
static int add_event(struct event_msg *m, u32 type, u64 value, u64 threshold,
		     const struct twmon_key *pool, u64 cgid)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!m->skb && event_msg_begin(m))
			return -ENOMEM;
		if (!twmon_put_event(m->skb, type, value, threshold, pool, cgid)) {
			m->events++;
			return 0;
		}
		event_msg_send(m);
	}
	return -EMSGSIZE;
}

/* Pool-high events of an interval that name their cgroup (cgroups=1) */
#define TWMON_POOL_HIGH_NAMED	16

struct pool_walk {
	struct event_msg *m;
	u64 range, mark, clear;
	u32 epoch;
	struct twmon_pool_high *held;	/* sent after the walk, named */
	unsigned int nheld;
};

/*
 * Under RCU (the row walk): no allocation, no sending. A full message
 * stops the walk; the caller sends it and resumes at this row.
 */
static int pool_check(struct twmon_row *e, u32 count, void *arg)
{
	struct pool_walk *w = arg;
	bool high = READ_ONCE(e->high_epoch) == w->epoch;
	struct sk_buff *skb = w->m->skb;

	if (!high && (u64)count * 100 >= w->mark * w->range) {
		if (w->held && w->nheld < TWMON_POOL_HIGH_NAMED) {
			/* sent after the walk, naming its cgroup */
			w->held[w->nheld].key = e->key;
			w->held[w->nheld++].count = count;
		} else {
			if (twmon_put_event(skb, TWMON_EV_POOL_HIGH, count,
					    w->mark * w->range / 100, &e->key, 0))
				return -EMSGSIZE;
			w->m->events++;
		}
		WRITE_ONCE(e->high_epoch, w->epoch);
	} else if (high && (u64)count * 100 < w->clear * w->range) {
		if (twmon_put_event(skb, TWMON_EV_POOL_OK, count,
				    w->clear * w->range / 100, &e->key, 0))
			return -EMSGSIZE;
		w->m->events++;
		WRITE_ONCE(e->high_epoch, 0);
	}
	return 0;
}

/* Pools: up past the mark, and back below mark - hysteresis (or empty) */
static void pool_events(struct event_msg *m)
{
	struct pool_walk w = { .m = m, .epoch = m->tn->notify.epoch };
	struct twmon_walk walk;
	unsigned int i;
	int low, high;

	/* no memory: the pool-high events go without their cgroup */
	if (twmon_cgroups)
		w.held = kcalloc(TWMON_POOL_HIGH_NAMED, sizeof(*w.held), GFP_KERNEL);
	inet_get_local_port_range(m->tn->net, &low, &high);
	w.range = high - low + 1;
	w.mark = atomic_read(&twmon_pool_wm_pct);
	w.clear = w.mark > TWMON_HYSTERESIS_PCT ? w.mark - TWMON_HYSTERESIS_PCT : 0;
	twmon_walk_begin(&walk, m->tn, TWMON_KIND_DEST);
	walk.with_empty = true;
	while (!walk.done) {
		/* a fresh message for each stretch of the walk */
		if (!m->skb && event_msg_begin(m))
			break;
		if (twmon_walk(&walk, pool_check, &w) < 0) {
			if (!m->events)
				break;	/* one event larger than a message */
			event_msg_send(m);
			cond_resched();
		}
	}
	twmon_walk_end(&walk);
	if (w.nheld)
		twmon_cgroup_pool_tops(m->tn, w.held, w.nheld);
	for (i = 0; i < w.nheld; i++)
		add_event(m, TWMON_EV_POOL_HIGH, w.held[i].count,
			  w.mark * w.range / 100, &w.held[i].key, w.held[i].cgid);
	kfree(w.held);
}

/*
 * A counter that moved this interval: begin (naming cgroup cgid, if any);
 * one that stood still: end
 */
static void edge(struct event_msg *m, bool *on, u64 *last, u64 now,
		 u32 begin, u32 end, u64 cgid)
{
	u64 delta = now - *last;

	*last = now;
	if (delta && !*on) {
		*on = true;
		add_event(m, begin, delta, 0, NULL, cgid);
	} else if (!delta && *on) {
		*on = false;
		add_event(m, end, 0, 0, NULL, 0);
	}
}

static void notify_events(struct twmon_net *tn, const struct twmon_snapshot *s)
{
	struct twmon_notify_state *st = &tn->notify;
	struct event_msg m = { .tn = tn };
	u64 max_tw = READ_ONCE(tn->net->ipv4.tcp_death_row.sysctl_max_tw_buckets);
	u64 mark = atomic_read(&twmon_buckets_wm_pct);
	u64 clear = mark > TWMON_HYSTERESIS_PCT ? mark - TWMON_HYSTERESIS_PCT : 0;
	struct twmon_cgroup_top top = {};

	if (twmon_cgroups)
		twmon_cgroup_interval(tn, &top);
	if (!st->primed) {
		st->last_overflow = s->overflow;
		st->last_eaddrnotavail = s->eaddrnotavail;
		st->last_linger_abort = s->linger_abort;
		st->overflow_on = false;
		st->eaddrnotavail_on = false;
		st->buckets_high = false;
		st->primed = true;
	}
	if (s->overflow != st->last_overflow)	/* attribute the next ones */
		twmon_cgroup_overflow_near();
	edge(&m, &st->overflow_on, &st->last_overflow, s->overflow,
	     TWMON_EV_OVERFLOW_BEGIN, TWMON_EV_OVERFLOW_END,
	     top.cgid[TWMON_CG_OVERFLOW]);
	edge(&m, &st->eaddrnotavail_on, &st->last_eaddrnotavail,
	     s->eaddrnotavail, TWMON_EV_EADDRNOTAVAIL_BEGIN,
	     TWMON_EV_EADDRNOTAVAIL_END, top.cgid[TWMON_CG_EADDRNOTAVAIL]);
	if (s->linger_abort != st->last_linger_abort)
		add_event(&m, TWMON_EV_LINGER_ABORT,
			  s->linger_abort - st->last_linger_abort, 0, NULL,
			  top.cgid[TWMON_CG_LINGER_ABORT]);
	st->last_linger_abort = s->linger_abort;
	if (!st->buckets_high && s->live * 100 >= mark * max_tw) {
		st->buckets_high = true;
		add_event(&m, TWMON_EV_BUCKETS_HIGH, s->live, mark * max_tw / 100,
			  NULL, top.live_cgid);
	} else if (st->buckets_high && s->live * 100 < clear * max_tw) {
		st->buckets_high = false;
		add_event(&m, TWMON_EV_BUCKETS_OK, s->live, clear * max_tw / 100,
			  NULL, 0);
	}
	pool_events(&m);
	event_msg_send(&m);
}

static void notify_stats(struct twmon_net *tn, const struct twmon_snapshot *s)
{
	u64 seq = ++tn->notify.seq[TWMON_GRP_STATS];
	struct sk_buff *skb = genlmsg_new(twmon_stats_size(false), GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;		/* the number is spent: a gap, then resync */
	hdr = genlmsg_put(skb, 0, 0, &twmon_family, 0, TWMON_CMD_STATS_NOTIFY);
	if (!hdr ||
	    nla_put_u32(skb, TWMON_A_NETNS_INUM, tn->net->ns.inum) ||
	    nla_put_u64_64bit(skb, TWMON_A_SEQ, seq, TWMON_A_PAD) ||
	    nla_put_u32(skb, TWMON_A_HOOKS, twmon_hooks_active()) ||
	    twmon_fill_stats_nest(skb, tn, s, false)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&twmon_family, tn->net, skb, 0,
				TWMON_GRP_STATS, GFP_KERNEL);
}

/* One namespace's turn: queued by the scan only while someone listens */
static void twmon_net_notify_fn(struct work_struct *work)
{
	struct twmon_net *tn = container_of(work, struct twmon_net, notify_work);
	bool stats = has_listeners(tn, TWMON_GRP_STATS);
	bool events = has_listeners(tn, TWMON_GRP_EVENTS);
	struct twmon_snapshot *s;

	/* events heard again after a pause: edges and pool marks restart */
	if (xchg(&tn->events_gap, false) || !events) {
		tn->notify.primed = false;
		tn->notify.epoch++;
		if (!tn->notify.epoch)
			tn->notify.epoch++;	/* 0 means "no mark" */
	}
	if (!stats && !events)
		return;
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return;
	twmon_snapshot(tn, s);
	if (stats)
		notify_stats(tn, s);
	if (events)
		notify_events(tn, s);
	kfree(s);
}

/* Every interval: queue the turn of each namespace someone listens to */
static void twmon_scan_fn(struct work_struct *work)
{
	struct net *net;

	rcu_read_lock();
	for_each_net_rcu(net) {
		struct twmon_net *tn = twmon_net_of(net);
		bool events;

		if (!tn || READ_ONCE(tn->dead))
			continue;
		events = has_listeners(tn, TWMON_GRP_EVENTS);
		if (!events)
			WRITE_ONCE(tn->events_gap, true);
		if (events || has_listeners(tn, TWMON_GRP_STATS))
			queue_work(twmon_notify_wq, &tn->notify_work);
	}
	rcu_read_unlock();
	spin_lock_bh(&twmon_notify_lock);
	if (twmon_notify_running)
		queue_delayed_work(twmon_notify_wq, &twmon_scan_work,
				   msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
	spin_unlock_bh(&twmon_notify_lock);
}

void twmon_notify_net_init(struct twmon_net *tn)
{
	INIT_WORK(&tn->notify_work, twmon_net_notify_fn);
	tn->notify.epoch = 1;
}

/* From the namespace's exit: the scan can no longer queue it */
void twmon_notify_net_exit(struct twmon_net *tn)
{
	cancel_work_sync(&tn->notify_work);
}

int twmon_notify_init(void)
{
	INIT_DELAYED_WORK(&twmon_scan_work, twmon_scan_fn);
	/* max_active 1: one CPU at most, see the top of this file */
	twmon_notify_wq = alloc_workqueue("twmon_notify", WQ_UNBOUND, 1);
	return twmon_notify_wq ? 0 : -ENOMEM;
}

void twmon_notify_exit(void)
{
	destroy_workqueue(twmon_notify_wq);
}

void twmon_notify_start(void)
{
	spin_lock_bh(&twmon_notify_lock);
	twmon_notify_running = true;
	queue_delayed_work(twmon_notify_wq, &twmon_scan_work,
			   msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
	spin_unlock_bh(&twmon_notify_lock);
}

/* A new interval applies at once, not after the old one ran out */
void twmon_notify_reschedule(void)
{
	spin_lock_bh(&twmon_notify_lock);
	if (twmon_notify_running)
		mod_delayed_work(twmon_notify_wq, &twmon_scan_work,
				 msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
	spin_unlock_bh(&twmon_notify_lock);
}

/* Before the family goes: nothing multicasts once this returns */
void twmon_notify_stop(void)
{
	spin_lock_bh(&twmon_notify_lock);
	twmon_notify_running = false;
	spin_unlock_bh(&twmon_notify_lock);
	cancel_delayed_work_sync(&twmon_scan_work);
	flush_workqueue(twmon_notify_wq);	/* namespaces' turns */
}

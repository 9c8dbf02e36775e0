// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the multicast groups. A delayed work looks at every namespace
 * once per interval: it multicasts a stats snapshot to the "stats" group
 * and edge-triggered events to the "events" group, only where someone
 * listens. Nothing here runs on the probes' path: a flood can raise at
 * most one message per namespace, group and interval.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/ip.h>
#include "internal.h"

#define TWMON_HIGH_POOLS	64	/* pools remembered above watermark */
#define TWMON_HYSTERESIS_PCT	10	/* clear 10 points below the mark */

/* Edge state of one namespace, built when an events listener appears */
struct twmon_notify_state {
	u64 seq[2];			/* per group, for gap detection */
	bool primed;			/* last_* hold a previous interval */
	u64 last_overflow, last_eaddrnotavail, last_linger_abort;
	bool overflow_on, eaddrnotavail_on, buckets_high;
	unsigned int n_high;
	struct twmon_key high[TWMON_HIGH_POOLS];
};

static struct delayed_work twmon_notify_work;
static bool twmon_notify_running;

struct event_msg {
	struct twmon_net *tn;
	struct twmon_notify_state *st;
	struct sk_buff *skb;
	void *hdr;
	int err;
};

static int event_msg_begin(struct event_msg *m)
{
	m->skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!m->skb)
		return -ENOMEM;
	m->hdr = genlmsg_put(m->skb, 0, 0, &twmon_family, 0, TWMON_CMD_EVENT);
	if (!m->hdr ||
	    nla_put_u32(m->skb, TWMON_A_NETNS_INUM, m->tn->net->ns.inum) ||
	    nla_put_u64_64bit(m->skb, TWMON_A_SEQ, ++m->st->seq[TWMON_GRP_EVENTS],
			      TWMON_A_PAD)) {
		nlmsg_free(m->skb);
		m->skb = NULL;
		return -EMSGSIZE;
	}
	return 0;
}

static void event_msg_send(struct event_msg *m)
{
	if (!m->skb)
		return;
	genlmsg_end(m->skb, m->hdr);
	/* ENOBUFS at a slow listener is its to see, as a socket error */
	genlmsg_multicast_netns(&twmon_family, m->tn->net, m->skb, 0,
				TWMON_GRP_EVENTS, GFP_KERNEL);
	m->skb = NULL;
}

static int put_event(struct sk_buff *skb, u32 type, u64 value, u64 threshold,
		     const struct twmon_key *pool)
{
	struct nlattr *ev = nla_nest_start(skb, TWMON_A_EVENT);

	if (!ev || nla_put_u32(skb, TWMON_V_TYPE, type) ||
	    nla_put_u64_64bit(skb, TWMON_V_VALUE, value, TWMON_V_PAD) ||
	    nla_put_u64_64bit(skb, TWMON_V_THRESHOLD, threshold, TWMON_V_PAD))
		return -EMSGSIZE;
	if (pool &&
	    (nla_put_u8(skb, TWMON_V_FAMILY, pool->family) ||
	     twmon_put_addr(skb, TWMON_V_LOCAL_ADDR, pool->family, &pool->laddr) ||
	     twmon_put_addr(skb, TWMON_V_REMOTE_ADDR, pool->family, &pool->raddr) ||
	     nla_put_u16(skb, TWMON_V_REMOTE_PORT, ntohs(pool->port))))
		return -EMSGSIZE;
	nla_nest_end(skb, ev);
	return 0;
}

/* Add one event, starting a new message when the current one is full */
static void add_event(struct event_msg *m, u32 type, u64 value, u64 threshold,
		      const struct twmon_key *pool)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (!m->skb && event_msg_begin(m))
			return;
		if (!put_event(m->skb, type, value, threshold, pool))
			return;
		event_msg_send(m);	/* full: send what fits, go on */
	}
}

struct pool_walk {
	struct event_msg *m;
	u64 range, mark;
};

static bool pool_is_high(const struct twmon_notify_state *st,
			 const struct twmon_key *k)
{
	unsigned int i;

	for (i = 0; i < st->n_high; i++)
		if (!memcmp(&st->high[i], k, sizeof(*k)))
			return true;
	return false;
}

static int pool_check(const struct twmon_row *e, u32 count, void *arg)
{
	struct pool_walk *w = arg;
	struct twmon_notify_state *st = w->m->st;

	if ((u64)count * 100 < w->mark * w->range || pool_is_high(st, &e->key) ||
	    st->n_high == TWMON_HIGH_POOLS)
		return 0;
	st->high[st->n_high++] = e->key;
	add_event(w->m, TWMON_EV_POOL_HIGH, count, w->mark * w->range / 100,
		  &e->key);
	return 0;
}

/* Pools: up past the mark, and back below mark - hysteresis (or gone) */
static void pool_events(struct event_msg *m)
{
	struct twmon_notify_state *st = m->st;
	struct pool_walk w = { .m = m };
	unsigned long pos = 0;
	unsigned int i = 0;
	int low, high;
	u64 clear;

	inet_get_local_port_range(m->tn->net, &low, &high);
	w.range = high - low + 1;
	w.mark = atomic_read(&twmon_pool_wm_pct);
	clear = w.mark > TWMON_HYSTERESIS_PCT ? w.mark - TWMON_HYSTERESIS_PCT : 0;
	while (i < st->n_high) {
		u32 count = twmon_table_count(&st->high[i]);

		if ((u64)count * 100 >= clear * w.range) {
			i++;
			continue;
		}
		add_event(m, TWMON_EV_POOL_OK, count, clear * w.range / 100,
			  &st->high[i]);
		st->high[i] = st->high[--st->n_high];
	}
	twmon_table_walk(m->tn->net, TWMON_KIND_DEST, &pos, pool_check, &w);
}

/* A counter that moved this interval: begin; one that stood still: end */
static void edge(struct event_msg *m, bool *on, u64 *last, u64 now,
		 u32 begin, u32 end)
{
	u64 delta = now - *last;

	*last = now;
	if (delta && !*on) {
		*on = true;
		add_event(m, begin, delta, 0, NULL);
	} else if (!delta && *on) {
		*on = false;
		add_event(m, end, 0, 0, NULL);
	}
}

static void notify_events(struct twmon_net *tn, const struct twmon_snapshot *s)
{
	struct twmon_notify_state *st = tn->notify;
	struct event_msg m = { .tn = tn, .st = st };
	u64 max_tw = READ_ONCE(tn->net->ipv4.tcp_death_row.sysctl_max_tw_buckets);
	u64 mark = atomic_read(&twmon_buckets_wm_pct);
	u64 clear = mark > TWMON_HYSTERESIS_PCT ? mark - TWMON_HYSTERESIS_PCT : 0;

	if (!st->primed) {
		st->last_overflow = s->overflow;
		st->last_eaddrnotavail = s->eaddrnotavail;
		st->last_linger_abort = s->linger_abort;
		st->primed = true;
	}
	edge(&m, &st->overflow_on, &st->last_overflow, s->overflow,
	     TWMON_EV_OVERFLOW_BEGIN, TWMON_EV_OVERFLOW_END);
	edge(&m, &st->eaddrnotavail_on, &st->last_eaddrnotavail,
	     s->eaddrnotavail, TWMON_EV_EADDRNOTAVAIL_BEGIN,
	     TWMON_EV_EADDRNOTAVAIL_END);
	if (s->linger_abort != st->last_linger_abort)
		add_event(&m, TWMON_EV_LINGER_ABORT,
			  s->linger_abort - st->last_linger_abort, 0, NULL);
	st->last_linger_abort = s->linger_abort;
	if (!st->buckets_high && s->live * 100 >= mark * max_tw) {
		st->buckets_high = true;
		add_event(&m, TWMON_EV_BUCKETS_HIGH, s->live, mark * max_tw / 100,
			  NULL);
	} else if (st->buckets_high && s->live * 100 < clear * max_tw) {
		st->buckets_high = false;
		add_event(&m, TWMON_EV_BUCKETS_OK, s->live, clear * max_tw / 100,
			  NULL);
	}
	pool_events(&m);
	event_msg_send(&m);
}

static void notify_stats(struct twmon_net *tn, const struct twmon_snapshot *s)
{
	struct sk_buff *skb = genlmsg_new(twmon_stats_size(false), GFP_KERNEL);
	void *hdr;

	if (!skb)
		return;
	hdr = genlmsg_put(skb, 0, 0, &twmon_family, 0, TWMON_CMD_STATS_NOTIFY);
	if (!hdr ||
	    nla_put_u32(skb, TWMON_A_NETNS_INUM, tn->net->ns.inum) ||
	    nla_put_u64_64bit(skb, TWMON_A_SEQ,
			      ++tn->notify->seq[TWMON_GRP_STATS], TWMON_A_PAD) ||
	    nla_put_u32(skb, TWMON_A_HOOKS, twmon_hooks_active()) ||
	    twmon_fill_stats_nest(skb, tn, s, false)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast_netns(&twmon_family, tn->net, skb, 0,
				TWMON_GRP_STATS, GFP_KERNEL);
}

static void twmon_notify_fn(struct work_struct *work)
{
	struct twmon_snapshot *s = kmalloc(sizeof(*s), GFP_KERNEL);
	struct twmon_net *tn;

	mutex_lock(&twmon_nets_lock);
	list_for_each_entry(tn, &twmon_nets, node) {
		bool stats, events;

		if (!s || READ_ONCE(tn->dead))
			continue;
		stats = genl_has_listeners(&twmon_family, tn->net, TWMON_GRP_STATS);
		events = genl_has_listeners(&twmon_family, tn->net, TWMON_GRP_EVENTS);
		if (!events && tn->notify)
			tn->notify->primed = false;	/* edges restart */
		if (!stats && !events)
			continue;
		if (!tn->notify) {
			tn->notify = kzalloc(sizeof(*tn->notify), GFP_KERNEL);
			if (!tn->notify)
				continue;
		}
		twmon_snapshot(tn, s);
		if (stats)
			notify_stats(tn, s);
		if (events)
			notify_events(tn, s);
	}
	mutex_unlock(&twmon_nets_lock);
	kfree(s);
	if (READ_ONCE(twmon_notify_running))
		schedule_delayed_work(&twmon_notify_work,
				      msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
}

/* Under twmon_nets_lock, from the namespace's exit */
void twmon_notify_net_exit(struct twmon_net *tn)
{
	kfree(tn->notify);
	tn->notify = NULL;
}

void twmon_notify_start(void)
{
	INIT_DELAYED_WORK(&twmon_notify_work, twmon_notify_fn);
	WRITE_ONCE(twmon_notify_running, true);
	schedule_delayed_work(&twmon_notify_work,
			      msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
}

/* A new interval applies at once, not after the old one ran out */
void twmon_notify_reschedule(void)
{
	if (READ_ONCE(twmon_notify_running))
		mod_delayed_work(system_wq, &twmon_notify_work,
				 msecs_to_jiffies(atomic_read(&twmon_stats_interval_ms)));
}

void twmon_notify_stop(void)
{
	WRITE_ONCE(twmon_notify_running, false);
	cancel_delayed_work_sync(&twmon_notify_work);
}

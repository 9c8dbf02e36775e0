// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: building the family's messages, for the replies (netlink.c) and
 * the multicast notifications (notify.c) alike.
 */
#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include "internal.h"

int twmon_put_addr(struct sk_buff *skb, int type, u8 family,
		    const struct in6_addr *a)
{
	return nla_put(skb, type, family == AF_INET ? 4 : 16, a);
}

/* Sizes summed as the fill functions put them, never guessed */
size_t twmon_stats_size(bool with_lifetime)
{
	size_t u64a = nla_total_size_64bit(sizeof(u64));
	size_t ages = nla_total_size(0) + TWMON_AGE_BUCKETS * u64a;
	size_t size = nla_total_size(sizeof(u32)) * 2 +	/* inum, hooks */
		      nla_total_size(0) +			/* stats nest */
		      14 * u64a + 5 * nla_total_size(sizeof(u32)) +
		      nla_total_size(0) + __TWMON_END_LAST * u64a + ages;

	if (with_lifetime)
		size += nla_total_size(0) + __TWMON_END_LAST * ages;
	return size;
}

static int put_ages(struct sk_buff *skb, int type, const u64 *buckets)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < TWMON_AGE_BUCKETS; i++)
		if (nla_put_u64_64bit(skb, TWMON_S_AGE_BUCKET, buckets[i],
				      TWMON_S_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

#define PUT_U64(type, v) nla_put_u64_64bit(skb, type, v, TWMON_S_PAD)

int twmon_fill_stats_nest(struct sk_buff *skb, struct twmon_net *tn,
			  const struct twmon_snapshot *s, bool with_lifetime)
{
	struct net *net = tn->net;
	struct nlattr *nest, *ended, *life;
	int low, high, r;

	inet_get_local_port_range(net, &low, &high);
	nest = nla_nest_start(skb, TWMON_A_STATS);
	if (!nest ||
	    PUT_U64(TWMON_S_LIVE, s->live) ||
	    PUT_U64(TWMON_S_LIVE_TIMEWAIT, s->live_tw) ||
	    PUT_U64(TWMON_S_LIVE_FINWAIT2, s->live_fw2) ||
	    PUT_U64(TWMON_S_SEEDED, s->seeded) ||
	    PUT_U64(TWMON_S_ENTERED, s->entered[0] + s->entered[1]) ||
	    PUT_U64(TWMON_S_ENTERED_TIMEWAIT, s->entered[TWMON_SUBSTATE_TW]) ||
	    PUT_U64(TWMON_S_ENTERED_FINWAIT2, s->entered[TWMON_SUBSTATE_FW2]) ||
	    PUT_U64(TWMON_S_OVERFLOW, s->overflow) ||
	    PUT_U64(TWMON_S_CONNECT_EADDRNOTAVAIL, s->eaddrnotavail) ||
	    PUT_U64(TWMON_S_LINGER_ABORT, s->linger_abort) ||
	    PUT_U64(TWMON_S_UNTRACKED, s->untracked) ||
	    nla_put_u32(skb, TWMON_S_MAX_TW_BUCKETS,
			READ_ONCE(net->ipv4.tcp_death_row.sysctl_max_tw_buckets)) ||
	    nla_put_u32(skb, TWMON_S_PORT_LOW, low) ||
	    nla_put_u32(skb, TWMON_S_PORT_HIGH, high) ||
	    nla_put_u32(skb, TWMON_S_DESTS, atomic_read(&tn->entries[0])) ||
	    nla_put_u32(skb, TWMON_S_SERVICES, atomic_read(&tn->entries[1])))
		return -EMSGSIZE;
	ended = nla_nest_start(skb, TWMON_S_ENDED);
	if (!ended)
		return -EMSGSIZE;
	for (r = TWMON_END_EXPIRED; r < __TWMON_END_LAST; r++)
		if (nla_put_u64_64bit(skb, r, s->ended[r], TWMON_END_PAD))
			return -EMSGSIZE;
	nla_nest_end(skb, ended);
	if (put_ages(skb, TWMON_S_AGES, s->ages))
		return -EMSGSIZE;
	if (with_lifetime) {
		life = nla_nest_start(skb, TWMON_S_LIFETIME);
		if (!life)
			return -EMSGSIZE;
		for (r = TWMON_END_EXPIRED; r < __TWMON_END_LAST; r++)
			if (put_ages(skb, r, s->lifetime[r]))
				return -EMSGSIZE;
		nla_nest_end(skb, life);
	}
	nla_nest_end(skb, nest);
	return 0;
}

int twmon_put_event(struct sk_buff *skb, u32 type, u64 value, u64 threshold,
		    const struct twmon_key *pool, u64 cgid)
{
	struct nlattr *ev = nla_nest_start(skb, TWMON_A_EVENT);

	if (!ev)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TWMON_V_TYPE, type) ||
	    nla_put_u64_64bit(skb, TWMON_V_VALUE, value, TWMON_V_PAD) ||
	    nla_put_u64_64bit(skb, TWMON_V_THRESHOLD, threshold, TWMON_V_PAD))
		goto cancel;
	if (pool &&
	    (nla_put_u8(skb, TWMON_V_FAMILY, pool->family) ||
	     twmon_put_addr(skb, TWMON_V_LOCAL_ADDR, pool->family, &pool->laddr) ||
	     twmon_put_addr(skb, TWMON_V_REMOTE_ADDR, pool->family, &pool->raddr) ||
	     nla_put_u16(skb, TWMON_V_REMOTE_PORT, ntohs(pool->port))))
		goto cancel;
	if (cgid && nla_put_u64_64bit(skb, TWMON_V_CGROUP_ID, cgid, TWMON_V_PAD))
		goto cancel;
	nla_nest_end(skb, ev);
	return 0;
cancel:
	/* a half-written event would make the whole message unreadable */
	nla_nest_cancel(skb, ev);
	return -EMSGSIZE;
}

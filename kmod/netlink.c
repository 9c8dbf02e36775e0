// SPDX-License-Identifier: GPL-2.0
/* twmon: the generic netlink family "twmon" (ABI in uapi/linux/twmon.h) */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <net/genetlink.h>
#include <net/inet_hashtables.h>
#include <net/tcp.h>
#include "internal.h"
#include "compat.h"

#ifdef TWMON_HAVE_GENL_INFO_DUMP
#define dump_attrs(cb) (genl_info_dump(cb)->attrs)
#else
#define dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

/* NLA_POLICY_RANGE holds s16 bounds: 60000 needs the full form (not const: 6.1) */
static struct netlink_range_validation interval_range = {
	.min = 100, .max = 60000,
};

static const struct nla_policy twmon_policy[TWMON_A_MAX + 1] = {
	[TWMON_A_ALL_NETNS]		= { .type = NLA_FLAG },
	[TWMON_A_NETNS_INUM]		= { .type = NLA_U32 },
	[TWMON_A_FAMILY]		= { .type = NLA_U8 },
	[TWMON_A_MIN_COUNT]		= { .type = NLA_U32 },
	[TWMON_A_LOCAL_ADDR]		= { .type = NLA_BINARY, .len = 16 },
	[TWMON_A_LOCAL_PORT]		= { .type = NLA_U16 },
	[TWMON_A_REMOTE_ADDR]		= { .type = NLA_BINARY, .len = 16 },
	[TWMON_A_REMOTE_PORT]		= { .type = NLA_U16 },
	[TWMON_A_SUBSTATE]		= { .type = NLA_U8 },
	[TWMON_A_STATS_INTERVAL_MS]	= NLA_POLICY_FULL_RANGE(NLA_U32, &interval_range),
	[TWMON_A_BUCKETS_WATERMARK_PCT]	= NLA_POLICY_RANGE(NLA_U32, 1, 100),
	[TWMON_A_POOL_WATERMARK_PCT]	= NLA_POLICY_RANGE(NLA_U32, 1, 100),
};

/* Dump filter and position, kept in cb->ctx between dump calls */
#define F_FAMILY	BIT(0)
#define F_LADDR		BIT(1)
#define F_LPORT		BIT(2)
#define F_RADDR		BIT(3)
#define F_RPORT		BIT(4)
#define F_SUBSTATE	BIT(5)

struct twmon_dump {
	u32 bucket, index;		/* GET_SOCKS position */
	struct in6_addr laddr, raddr;
	u16 lport, rport;
	u8 flags, family, substate, done;
};

struct twmon_table_dump {
	unsigned long pos;		/* twmon_table_walk() position */
	struct in6_addr addr;		/* remote (dests) or local (services) */
	u32 min_count;
	u32 netns_inum;			/* TWMON_A_NETNS_INUM, 0: the caller's */
	u16 port;
	u8 flags, family, done;
};

static_assert(sizeof(struct twmon_dump) <= sizeof_field(struct netlink_callback, ctx));
static_assert(sizeof(struct twmon_table_dump) <= sizeof_field(struct netlink_callback, ctx));

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
	    PUT_U64(TWMON_S_UNTRACKED, max_t(s64, s->untracked, 0)) ||
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
		if (nla_put_u64_64bit(skb, r, s->ended[r], TWMON_END_UNSPEC))
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

static int fill_stats(struct sk_buff *skb, struct twmon_net *tn, u32 portid,
		      u32 seq, int flags, bool with_lifetime)
{
	struct twmon_snapshot *s;
	void *hdr;
	int err = -ENOMEM;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return err;
	twmon_snapshot(tn, s);
	err = -EMSGSIZE;
	hdr = genlmsg_put(skb, portid, seq, &twmon_family, flags,
			  TWMON_CMD_GET_STATS);
	if (!hdr)
		goto out;
	if (nla_put_u32(skb, TWMON_A_NETNS_INUM, tn->net->ns.inum) ||
	    nla_put_u32(skb, TWMON_A_HOOKS, twmon_hooks_active()) ||
	    twmon_fill_stats_nest(skb, tn, s, with_lifetime)) {
		genlmsg_cancel(skb, hdr);
		goto out;
	}
	genlmsg_end(skb, hdr);
	err = 0;
out:
	kfree(s);
	return err;
}

/*
 * The namespace a request names with TWMON_A_NETNS_INUM: NULL if twmon
 * has none with that inode number (or it is being torn down). Call with
 * twmon_nets_lock held: the twmon_net stays until the lock is dropped.
 */
static struct twmon_net *twmon_net_by_inum(u32 inum)
{
	struct twmon_net *tn;

	lockdep_assert_held(&twmon_nets_lock);
	list_for_each_entry(tn, &twmon_nets, node)
		if (tn->net->ns.inum == inum && !READ_ONCE(tn->dead))
			return tn;
	return NULL;
}

/*
 * Check TWMON_A_NETNS_INUM: another namespace than the caller's needs
 * CAP_NET_ADMIN in the initial user namespace, like TWMON_A_ALL_NETNS.
 * 0 and *inum (0 for the caller's own), or -errno with an extack message.
 */
static int check_netns(const struct sk_buff *skb, struct nlattr **attrs,
		       u32 *inum, struct netlink_ext_ack *extack)
{
	struct nlattr *a = attrs[TWMON_A_NETNS_INUM];
	int err = 0;

	*inum = 0;
	if (!a || nla_get_u32(a) == sock_net(skb->sk)->ns.inum)
		return 0;
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "another namespace needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	mutex_lock(&twmon_nets_lock);
	if (!twmon_net_by_inum(nla_get_u32(a))) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no network namespace with this inode number");
		err = -ENOENT;
	}
	mutex_unlock(&twmon_nets_lock);
	*inum = nla_get_u32(a);
	return err;
}

static int twmon_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct twmon_net *tn;
	struct sk_buff *msg;
	u32 inum;
	int err;

	if (info->attrs[TWMON_A_ALL_NETNS]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "all namespaces: send GET_STATS as a dump");
		return -EINVAL;
	}
	err = check_netns(skb, info->attrs, &inum, info->extack);
	if (err)
		return err;
	msg = genlmsg_new(twmon_stats_size(true), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	mutex_lock(&twmon_nets_lock);
	tn = inum ? twmon_net_by_inum(inum) : twmon_net(genl_info_net(info));
	err = tn ? fill_stats(msg, tn, info->snd_portid, info->snd_seq, 0, true)
		 : -ENOENT;
	mutex_unlock(&twmon_nets_lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	return genlmsg_reply(msg, info);
}

static int twmon_stats_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = dump_attrs(cb);

	if (attrs[TWMON_A_NETNS_INUM]) {
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "one namespace: send GET_STATS as a request, not a dump");
		return -EINVAL;
	}
	if (attrs[TWMON_A_ALL_NETNS] &&
	    !netlink_capable(cb->skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_MOD(cb->extack,
				   "all namespaces needs CAP_NET_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

/* One message per namespace: every one with ALL_NETNS, else the caller's */
static int twmon_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	bool all = dump_attrs(cb)[TWMON_A_ALL_NETNS];
	struct net *own = sock_net(cb->skb->sk);
	struct twmon_net *tn;
	long i = 0;

	mutex_lock(&twmon_nets_lock);
	list_for_each_entry(tn, &twmon_nets, node) {
		if (!all && tn->net != own)
			continue;
		if (i++ < cb->args[0] || READ_ONCE(tn->dead))
			continue;
		if (fill_stats(skb, tn, NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI, false)) {
			i--;
			break;
		}
	}
	mutex_unlock(&twmon_nets_lock);
	cb->args[0] = i;
	return skb->len;
}

/* Filters shared by the dumps: validated once, in .start */
static int parse_addr(struct nlattr *a, struct in6_addr *out, u8 *family,
		      struct netlink_ext_ack *extack)
{
	u8 fam = nla_len(a) == 4 ? AF_INET : AF_INET6;

	if (nla_len(a) != 4 && nla_len(a) != 16) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address must be 4 or 16 bytes");
		return -EINVAL;
	}
	if (*family && *family != fam) {
		NL_SET_ERR_MSG_ATTR(extack, a, "address does not match TWMON_A_FAMILY");
		return -EINVAL;
	}
	*family = fam;
	memset(out, 0, sizeof(*out));
	nla_memcpy(out, a, nla_len(a));
	return 0;
}

static int parse_family(struct nlattr **attrs, u8 *family,
			struct netlink_ext_ack *extack)
{
	struct nlattr *a = attrs[TWMON_A_FAMILY];

	*family = 0;
	if (attrs[TWMON_A_ALL_NETNS]) {
		NL_SET_ERR_MSG_MOD(extack, "all namespaces: only GET_STATS");
		return -EOPNOTSUPP;
	}
	if (!a)
		return 0;
	*family = nla_get_u8(a);
	if (*family != AF_INET && *family != AF_INET6) {
		NL_SET_ERR_MSG_ATTR(extack, a, "family must be AF_INET or AF_INET6");
		return -EINVAL;
	}
	return 0;
}

static int twmon_table_start(struct netlink_callback *cb, int addr_attr,
			     int port_attr)
{
	struct twmon_table_dump *d = (void *)cb->ctx;
	struct nlattr **attrs = dump_attrs(cb);
	int err;

	memset(d, 0, sizeof(*d));
	err = parse_family(attrs, &d->family, cb->extack);
	if (!err)
		err = check_netns(cb->skb, attrs, &d->netns_inum, cb->extack);
	if (err)
		return err;
	if (d->family)
		d->flags |= F_FAMILY;
	if (attrs[addr_attr]) {
		err = parse_addr(attrs[addr_attr], &d->addr, &d->family,
				 cb->extack);
		if (err)
			return err;
		d->flags |= F_LADDR | F_FAMILY;
	}
	if (attrs[port_attr]) {
		d->port = nla_get_u16(attrs[port_attr]);
		d->flags |= F_LPORT;
	}
	if (attrs[TWMON_A_MIN_COUNT])
		d->min_count = nla_get_u32(attrs[TWMON_A_MIN_COUNT]);
	return 0;
}

static int twmon_dests_start(struct netlink_callback *cb)
{
	return twmon_table_start(cb, TWMON_A_REMOTE_ADDR, TWMON_A_REMOTE_PORT);
}

static int twmon_services_start(struct netlink_callback *cb)
{
	return twmon_table_start(cb, TWMON_A_LOCAL_ADDR, TWMON_A_LOCAL_PORT);
}

struct table_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct twmon_table_dump *d;
	int cmd;
};

static int fill_entry(const struct twmon_row *e, u32 count, void *arg)
{
	const struct table_fill *f = arg;
	const struct twmon_table_dump *d = f->d;
	const struct twmon_key *k = &e->key;
	bool dest = k->kind == TWMON_KIND_DEST;
	struct sk_buff *skb = f->skb;
	struct nlattr *nest;
	void *hdr;

	if (count < d->min_count ||
	    ((d->flags & F_FAMILY) && k->family != d->family) ||
	    ((d->flags & F_LADDR) &&
	     !ipv6_addr_equal(dest ? &k->raddr : &k->laddr, &d->addr)) ||
	    ((d->flags & F_LPORT) && ntohs(k->port) != d->port))
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(f->cb->skb).portid,
			  f->cb->nlh->nlmsg_seq, &twmon_family, NLM_F_MULTI,
			  f->cmd);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TWMON_A_ENTRY);
	if (!nest || nla_put_u8(skb, TWMON_E_FAMILY, k->family) ||
	    twmon_put_addr(skb, TWMON_E_LOCAL_ADDR, k->family, &k->laddr) ||
	    (dest && twmon_put_addr(skb, TWMON_E_REMOTE_ADDR, k->family, &k->raddr)) ||
	    nla_put_u16(skb, dest ? TWMON_E_REMOTE_PORT : TWMON_E_LOCAL_PORT,
			ntohs(k->port)) ||
	    nla_put_u32(skb, TWMON_E_COUNT, count)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

static int twmon_table_dump(struct sk_buff *skb, struct netlink_callback *cb,
			    u8 kind, int cmd)
{
	struct twmon_table_dump *d = (void *)cb->ctx;
	struct table_fill f = { skb, cb, d, cmd };
	struct net *net = sock_net(cb->skb->sk);
	struct twmon_net *tn;

	if (d->done)
		return 0;
	if (!d->netns_inum) {
		if (!twmon_table_walk(net, kind, &d->pos, fill_entry, &f))
			d->done = 1;
		return skb->len;
	}
	/* another namespace: the lock keeps it listed while its rows are read */
	mutex_lock(&twmon_nets_lock);
	tn = twmon_net_by_inum(d->netns_inum);
	if (!tn || !twmon_table_walk(tn->net, kind, &d->pos, fill_entry, &f))
		d->done = 1; /* done, or the namespace went away since .start */
	mutex_unlock(&twmon_nets_lock);
	return skb->len;
}

static int twmon_dests_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return twmon_table_dump(skb, cb, TWMON_KIND_DEST, TWMON_CMD_GET_DESTS);
}

static int twmon_services_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return twmon_table_dump(skb, cb, TWMON_KIND_SERVICE,
				TWMON_CMD_GET_SERVICES);
}

static int twmon_socks_start(struct netlink_callback *cb)
{
	struct twmon_dump *d = (void *)cb->ctx;
	struct nlattr **attrs = dump_attrs(cb);
	int err;

	memset(d, 0, sizeof(*d));
	err = parse_family(attrs, &d->family, cb->extack);
	if (err)
		return err;
	if (attrs[TWMON_A_NETNS_INUM] &&
	    nla_get_u32(attrs[TWMON_A_NETNS_INUM]) != sock_net(cb->skb->sk)->ns.inum) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[TWMON_A_NETNS_INUM],
				    "GET_SOCKS: only the caller's namespace");
		return -EOPNOTSUPP;
	}
	if (attrs[TWMON_A_LOCAL_ADDR]) {
		err = parse_addr(attrs[TWMON_A_LOCAL_ADDR], &d->laddr,
				 &d->family, cb->extack);
		if (err)
			return err;
		d->flags |= F_LADDR;
	}
	if (attrs[TWMON_A_REMOTE_ADDR]) {
		err = parse_addr(attrs[TWMON_A_REMOTE_ADDR], &d->raddr,
				 &d->family, cb->extack);
		if (err)
			return err;
		d->flags |= F_RADDR;
	}
	if (d->family)
		d->flags |= F_FAMILY;
	if (attrs[TWMON_A_LOCAL_PORT]) {
		d->lport = nla_get_u16(attrs[TWMON_A_LOCAL_PORT]);
		d->flags |= F_LPORT;
	}
	if (attrs[TWMON_A_REMOTE_PORT]) {
		d->rport = nla_get_u16(attrs[TWMON_A_REMOTE_PORT]);
		d->flags |= F_RPORT;
	}
	if (attrs[TWMON_A_SUBSTATE]) {
		d->substate = nla_get_u8(attrs[TWMON_A_SUBSTATE]);
		if (d->substate != TCP_TIME_WAIT &&
		    d->substate != TCP_FIN_WAIT2) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[TWMON_A_SUBSTATE],
					    "substate must be TCP_TIME_WAIT (6) or TCP_FIN_WAIT2 (5)");
			return -EINVAL;
		}
		d->flags |= F_SUBSTATE;
	}
	return 0;
}

static bool sock_matches(const struct twmon_dump *d,
			 const struct inet_timewait_sock *tw,
			 const struct twmon_key *k)
{
	return (!(d->flags & F_FAMILY) || k->family == d->family) &&
	       (!(d->flags & F_LADDR) || ipv6_addr_equal(&k->laddr, &d->laddr)) &&
	       (!(d->flags & F_RADDR) || ipv6_addr_equal(&k->raddr, &d->raddr)) &&
	       (!(d->flags & F_LPORT) || tw->tw_num == d->lport) &&
	       (!(d->flags & F_RPORT) || ntohs(tw->tw_dport) == d->rport) &&
	       (!(d->flags & F_SUBSTATE) || tw->tw_substate == d->substate);
}

static int fill_sock(struct sk_buff *skb, struct netlink_callback *cb,
		     const struct inet_timewait_sock *tw,
		     const struct twmon_key *k)
{
	long remaining = (long)(READ_ONCE(tw->tw_timer.expires) - jiffies);
	struct nlattr *nest;
	void *hdr;

	remaining = max(remaining, 0L);
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &twmon_family, NLM_F_MULTI, TWMON_CMD_GET_SOCKS);
	if (!hdr)
		return -EMSGSIZE;
	nest = nla_nest_start(skb, TWMON_A_SOCK);
	if (!nest || nla_put_u8(skb, TWMON_E_FAMILY, k->family) ||
	    twmon_put_addr(skb, TWMON_E_LOCAL_ADDR, k->family, &k->laddr) ||
	    nla_put_u16(skb, TWMON_E_LOCAL_PORT, tw->tw_num) ||
	    twmon_put_addr(skb, TWMON_E_REMOTE_ADDR, k->family, &k->raddr) ||
	    nla_put_u16(skb, TWMON_E_REMOTE_PORT, ntohs(tw->tw_dport)) ||
	    nla_put_u8(skb, TWMON_E_SUBSTATE, tw->tw_substate) ||
	    nla_put_u32(skb, TWMON_E_REMAINING_MS, jiffies_to_msecs(remaining)) ||
	    nla_put_u32(skb, TWMON_E_AGE_MS,
			jiffies_to_msecs(max((long)TCP_TIMEWAIT_LEN - remaining,
					     0L)))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/* Walk the established hash like inet_diag, one bucket lock at a time */
static int twmon_socks_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twmon_dump *d = (void *)cb->ctx;
	struct net *net = sock_net(cb->skb->sk);
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	struct twmon_key k;
	struct sock *sk;

	for (; d->bucket <= h->ehash_mask; d->bucket++, d->index = 0) {
		struct inet_ehash_bucket *head = &h->ehash[d->bucket];
		spinlock_t *lock = inet_ehash_lockp(h, d->bucket);
		u32 idx = 0;

		if (hlist_nulls_empty(&head->chain))
			continue;
		spin_lock_bh(lock);
		sk_nulls_for_each(sk, node, &head->chain) {
			struct inet_timewait_sock *tw;

			if (sk->sk_state != TCP_TIME_WAIT ||
			    !net_eq(sock_net(sk), net))
				continue;
			if (idx++ < d->index)
				continue;
			tw = inet_twsk(sk);
			twmon_key_from_tw(tw, TWMON_KIND_DEST, &k);
			if (!sock_matches(d, tw, &k))
				continue;
			if (fill_sock(skb, cb, tw, &k)) {
				spin_unlock_bh(lock);
				d->index = idx - 1;
				return skb->len;
			}
		}
		spin_unlock_bh(lock);
		cond_resched();
	}
	return skb->len;
}

static int twmon_get_config(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	u64 purged = 0;
	void *hdr;
	int cpu;

	for_each_possible_cpu(cpu)
		purged += *per_cpu_ptr(twmon_purged_dead, cpu);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &twmon_family, 0,
				TWMON_CMD_GET_CONFIG);
	if (!hdr ||
	    nla_put_string(msg, TWMON_A_VERSION, TWMON_VERSION) ||
	    nla_put_u32(msg, TWMON_A_HOOKS, twmon_hooks_active()) ||
	    nla_put_u32(msg, TWMON_A_HOOKS_WANTED, twmon_hooks_wanted()) ||
	    nla_put_u32(msg, TWMON_A_STATS_INTERVAL_MS,
			atomic_read(&twmon_stats_interval_ms)) ||
	    nla_put_u32(msg, TWMON_A_MAX_DESTS, twmon_max_dests) ||
	    nla_put_u32(msg, TWMON_A_MAX_SERVICES, twmon_max_services) ||
	    nla_put_u64_64bit(msg, TWMON_A_PURGED_DEAD_NETNS, purged,
			      TWMON_A_PAD) ||
	    nla_put_u64_64bit(msg, TWMON_A_MISSED, twmon_hooks_missed(),
			      TWMON_A_PAD) ||
	    nla_put_u32(msg, TWMON_A_BUCKETS_WATERMARK_PCT,
			atomic_read(&twmon_buckets_wm_pct)) ||
	    nla_put_u32(msg, TWMON_A_POOL_WATERMARK_PCT,
			atomic_read(&twmon_pool_wm_pct))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int twmon_set_config(struct sk_buff *skb, struct genl_info *info)
{
	static const struct {
		int attr;
		atomic_t *value;
	} settable[] = {
		{ TWMON_A_STATS_INTERVAL_MS, &twmon_stats_interval_ms },
		{ TWMON_A_BUCKETS_WATERMARK_PCT, &twmon_buckets_wm_pct },
		{ TWMON_A_POOL_WATERMARK_PCT, &twmon_pool_wm_pct },
	};
	bool any = false;
	int i;

	for (i = 0; i < ARRAY_SIZE(settable); i++) {
		struct nlattr *a = info->attrs[settable[i].attr];

		if (a) {
			atomic_set(settable[i].value, nla_get_u32(a));
			any = true;
		}
	}
	if (!any) {
		NL_SET_ERR_MSG_MOD(info->extack, "Missing attribute: nothing to set");
		return -EINVAL;
	}
	twmon_notify_reschedule();
	return 0;
}

static const struct genl_ops twmon_ops[] = {
	{
		.cmd = TWMON_CMD_GET_STATS,
		.doit = twmon_get_stats,
		.start = twmon_stats_start,
		.dumpit = twmon_stats_dump,
	},
	{
		.cmd = TWMON_CMD_GET_DESTS,
		.start = twmon_dests_start,
		.dumpit = twmon_dests_dump,
	},
	{
		.cmd = TWMON_CMD_GET_SERVICES,
		.start = twmon_services_start,
		.dumpit = twmon_services_dump,
	},
	{
		.cmd = TWMON_CMD_GET_SOCKS,
		.start = twmon_socks_start,
		.dumpit = twmon_socks_dump,
	},
	{
		.cmd = TWMON_CMD_GET_CONFIG,
		.doit = twmon_get_config,
	},
	{
		.cmd = TWMON_CMD_SET_CONFIG,
		.doit = twmon_set_config,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group twmon_mcgrps[] = {
	{ .name = TWMON_MCGRP_STATS },
	{ .name = TWMON_MCGRP_EVENTS },
};

struct genl_family twmon_family __ro_after_init = {
	.name = TWMON_GENL_NAME,
	.version = TWMON_GENL_VERSION,
	.maxattr = TWMON_A_MAX,
	.policy = twmon_policy,
	.netnsok = true,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = twmon_ops,
	.n_ops = ARRAY_SIZE(twmon_ops),
	/*
	 * .resv_start_op (6.1+) left at zero: every op checks the reserved
	 * header field and its policy (before 6.1: pre_doit checks the
	 * field, doit ops only)
	 */
	.pre_doit = twmon_compat_pre_doit,
	.mcgrps = twmon_mcgrps,
	.n_mcgrps = ARRAY_SIZE(twmon_mcgrps),
};

int twmon_genl_init(void)
{
	int err = genl_register_family(&twmon_family);

	if (!err)
		twmon_notify_start();
	return err;
}

void twmon_genl_exit(void)
{
	twmon_notify_stop();
	genl_unregister_family(&twmon_family);
}

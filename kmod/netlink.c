// SPDX-License-Identifier: GPL-2.0
/* twmon: the generic netlink family "twmon" (ABI in uapi/linux/twmon.h) */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
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
	[TWMON_A_CGROUP_ID]		= { .type = NLA_U64 },
	[TWMON_A_BY_CGROUP]		= { .type = NLA_FLAG },
};

/* Dump filter and position, kept in cb->ctx between dump calls */
#define F_FAMILY	BIT(0)
#define F_LADDR		BIT(1)
#define F_LPORT		BIT(2)
#define F_RADDR		BIT(3)
#define F_RPORT		BIT(4)
#define F_SUBSTATE	BIT(5)
#define F_CGROUP	BIT(6)

struct twmon_dump {
	const void *last;		/* GET_SOCKS: last socket sent (compared only) */
	u32 bucket, index;		/* GET_SOCKS position */
	struct in6_addr laddr, raddr;
	u16 lport, rport;
	u8 flags, family, substate, done;
};

/* What a table dump allocates in .start (cb->ctx has no room for it) */
struct twmon_table_walk {
	struct twmon_walk walk;
	u64 cgid;			/* F_CGROUP (by cgroup) */
	bool services_by_cgroup;	/* services, then their split rows */
};

struct twmon_table_dump {
	struct twmon_table_walk *tw;	/* allocated in .start, freed in .done */
	struct net *net;		/* held for the dump's lifetime */
	struct cgroup *ns_root;		/* by cgroup: see twmon_cgroup_ns_root() */
	struct in6_addr addr;		/* remote (dests) or local (services) */
	u32 min_count;
	u16 port;
	u8 flags, family;
};

/* GET_SOCKS, GET_CGROUPS keep a pointer to their state in cb->ctx (.start to .done) */
static_assert(sizeof(struct twmon_dump *) <= sizeof_field(struct netlink_callback, ctx));
static_assert(sizeof(struct twmon_table_dump) <= sizeof_field(struct netlink_callback, ctx));

static int fill_stats(struct sk_buff *skb, struct twmon_net *tn,
		      struct twmon_snapshot *s, u32 portid, u32 seq, int flags,
		      bool with_lifetime)
{
	void *hdr;

	twmon_snapshot(tn, s);
	hdr = genlmsg_put(skb, portid, seq, &twmon_family, flags,
			  TWMON_CMD_GET_STATS);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(skb, TWMON_A_NETNS_INUM, tn->net->ns.inum) ||
	    nla_put_u32(skb, TWMON_A_HOOKS, twmon_hooks_active()) ||
	    twmon_fill_stats_nest(skb, tn, s, with_lifetime)) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * The namespace a request names with TWMON_A_NETNS_INUM, or the caller's
 * own, with a reference (put_net() it). Another namespace than the
 * caller's needs CAP_NET_ADMIN in the initial user namespace, like
 * TWMON_A_ALL_NETNS. -errno with an extack message on failure.
 */
static struct net *request_net(const struct sk_buff *skb, struct nlattr **attrs,
			       struct netlink_ext_ack *extack)
{
	struct nlattr *a = attrs[TWMON_A_NETNS_INUM];
	struct net *own = sock_net(skb->sk), *net;

	if (!a || nla_get_u32(a) == own->ns.inum)
		return get_net(own);
	if (!netlink_capable(skb, CAP_NET_ADMIN)) {
		NL_SET_ERR_MSG_ATTR(extack, a,
				    "another namespace needs CAP_NET_ADMIN in the initial user namespace");
		return ERR_PTR(-EPERM);
	}
	net = twmon_get_net_by_inum(nla_get_u32(a));
	if (!net) {
		NL_SET_ERR_MSG_ATTR(extack, a, "no network namespace with this inode number");
		return ERR_PTR(-ENOENT);
	}
	return net;
}

static int twmon_get_stats(struct sk_buff *skb, struct genl_info *info)
{
	struct twmon_snapshot *s;
	struct sk_buff *msg;
	struct net *net;
	int err = -ENOMEM;

	if (info->attrs[TWMON_A_ALL_NETNS]) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "all namespaces: send GET_STATS as a dump");
		return -EINVAL;
	}
	net = request_net(skb, info->attrs, info->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	msg = genlmsg_new(twmon_stats_size(true), GFP_KERNEL);
	if (s && msg)
		err = fill_stats(msg, twmon_net(net), s, info->snd_portid,
				 info->snd_seq, 0, true);
	put_net(net);
	kfree(s);
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

/*
 * One message per namespace: every one with ALL_NETNS, else the caller's.
 * The kernel's RCU list of namespaces: nothing of ours is locked.
 */
static int twmon_stats_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	bool all = dump_attrs(cb)[TWMON_A_ALL_NETNS];
	struct net *own = sock_net(cb->skb->sk), *net;
	struct twmon_snapshot *s;
	long i = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	rcu_read_lock();
	for_each_net_rcu(net) {
		struct twmon_net *tn = twmon_net(net);

		if (!all && net != own)
			continue;
		if (i++ < cb->args[0] || !READ_ONCE(tn->ready) ||
		    READ_ONCE(tn->dead))
			continue;
		if (fill_stats(skb, tn, s, NETLINK_CB(cb->skb).portid,
			       cb->nlh->nlmsg_seq, NLM_F_MULTI, false)) {
			i--;
			break;
		}
	}
	rcu_read_unlock();
	kfree(s);
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

static int twmon_table_done(struct netlink_callback *cb)
{
	struct twmon_table_dump *d = (void *)cb->ctx;

	if (d->tw) {
		twmon_walk_end(&d->tw->walk);
		kfree(d->tw);
	}
	if (d->ns_root)
		cgroup_put(d->ns_root);
	if (d->net)
		put_net(d->net);
	return 0;
}

static int twmon_table_start(struct netlink_callback *cb, u8 kind,
			     int addr_attr, int port_attr)
{
	struct twmon_table_dump *d = (void *)cb->ctx;
	struct nlattr **attrs = dump_attrs(cb);
	struct net *net;
	u64 cgid = 0;
	int err;

	memset(d, 0, sizeof(*d));
	err = parse_family(attrs, &d->family, cb->extack);
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
	if (attrs[TWMON_A_BY_CGROUP]) {
		if (!twmon_cgroups) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[TWMON_A_BY_CGROUP],
					    "sockets are not counted per cgroup: load twmon with cgroups=1");
			return -EOPNOTSUPP;
		}
		/* services: their rows, then the split rows (fill_entry()) */
		if (kind == TWMON_KIND_DEST)
			kind = TWMON_KIND_POOL_CGROUP;
	}
	if (attrs[TWMON_A_CGROUP_ID]) {
		if (!attrs[TWMON_A_BY_CGROUP]) {
			NL_SET_ERR_MSG_ATTR(cb->extack, attrs[TWMON_A_CGROUP_ID],
					    "cgroup-id filters rows split by cgroup: with by-cgroup");
			return -EINVAL;
		}
		cgid = nla_get_u64(attrs[TWMON_A_CGROUP_ID]);
		d->flags |= F_CGROUP;
	}
	net = request_net(cb->skb, attrs, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	d->tw = kmalloc(sizeof(*d->tw), GFP_KERNEL);
	if (!d->tw) {
		put_net(net);
		return -ENOMEM;
	}
	/* .done runs once .start succeeded: it ends the walk, puts the net */
	d->net = net;
	if (attrs[TWMON_A_BY_CGROUP])
		d->ns_root = twmon_cgroup_ns_root(netlink_capable(cb->skb, CAP_SYS_ADMIN));
	d->tw->cgid = cgid;
	d->tw->services_by_cgroup = kind == TWMON_KIND_SERVICE &&
				    attrs[TWMON_A_BY_CGROUP];
	twmon_walk_begin(&d->tw->walk, twmon_net(net), kind);
	return 0;
}

static int twmon_dests_start(struct netlink_callback *cb)
{
	return twmon_table_start(cb, TWMON_KIND_DEST, TWMON_A_REMOTE_ADDR,
				 TWMON_A_REMOTE_PORT);
}

static int twmon_services_start(struct netlink_callback *cb)
{
	return twmon_table_start(cb, TWMON_KIND_SERVICE, TWMON_A_LOCAL_ADDR,
				 TWMON_A_LOCAL_PORT);
}

struct table_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct twmon_table_dump *d;
	int cmd;
};

/* One entry: row e's key, with cgid if by cgroup */
static int fill_entry_of(const struct table_fill *f, const struct twmon_key *k,
			 u32 count, bool by_cgroup, u64 cgid)
{
	const struct twmon_table_dump *d = f->d;
	bool dest = k->kind == TWMON_KIND_DEST ||
		    k->kind == TWMON_KIND_POOL_CGROUP;
	bool other = by_cgroup && cgid &&	/* 0, unknown, is no secret */
		     !twmon_cgroup_id_visible(d->tw->walk.tn, cgid, d->ns_root);
	struct sk_buff *skb = f->skb;
	struct nlattr *nest;
	void *hdr;

	if (!count || count < d->min_count ||
	    ((d->flags & F_FAMILY) && k->family != d->family) ||
	    ((d->flags & F_LADDR) &&
	     !ipv6_addr_equal(dest ? &k->raddr : &k->laddr, &d->addr)) ||
	    ((d->flags & F_LPORT) && ntohs(k->port) != d->port) ||
	    ((d->flags & F_CGROUP) && (other || cgid != d->tw->cgid)))
		return 0;
	hdr = genlmsg_put(skb, NETLINK_CB(f->cb->skb).portid,
			  f->cb->nlh->nlmsg_seq, &twmon_family, NLM_F_MULTI,
			  f->cmd);
	if (!hdr)
		return -EMSGSIZE;
	nl_dump_check_consistent(f->cb, genlmsg_nlhdr(hdr));
	nest = nla_nest_start(skb, TWMON_A_ENTRY);
	if (!nest || nla_put_u8(skb, TWMON_E_FAMILY, k->family) ||
	    twmon_put_addr(skb, TWMON_E_LOCAL_ADDR, k->family, &k->laddr) ||
	    (dest && twmon_put_addr(skb, TWMON_E_REMOTE_ADDR, k->family, &k->raddr)) ||
	    nla_put_u16(skb, dest ? TWMON_E_REMOTE_PORT : TWMON_E_LOCAL_PORT,
			ntohs(k->port)) ||
	    nla_put_u32(skb, TWMON_E_COUNT, count) ||
	    (by_cgroup && nla_put_u64_64bit(skb, TWMON_E_CGROUP_ID,
					    other ? 0 : cgid, TWMON_E_PAD)) ||
	    (other && nla_put_flag(skb, TWMON_E_OTHER))) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
}

/*
 * A row of the walk. Services by cgroup (cgroup.c: split only where
 * shared): a service row gives its first cgroup the sockets its split
 * rows do not count, then each split row but the sum its own.
 */
static int fill_entry(struct twmon_row *e, u32 count, void *arg)
{
	const struct table_fill *f = arg;
	struct twmon_net *tn = f->d->tw->walk.tn;

	switch (e->key.kind) {
	case TWMON_KIND_SERVICE:
		if (!f->d->tw->services_by_cgroup)
			break;
		count -= min(count, twmon_service_split_sum(tn, e,
				twmon_expiry_second(jiffies)));
		return fill_entry_of(f, &e->key, count, true,
				     twmon_service_first_cgroup(e));
	case TWMON_KIND_SERVICE_CGROUP:
		if (e->key.cgid == TWMON_CGID_SPLIT_SUM)
			return 0;
		fallthrough;
	case TWMON_KIND_POOL_CGROUP:
		return fill_entry_of(f, &e->key, count, true, e->key.cgid);
	}
	return fill_entry_of(f, &e->key, count, false, 0);
}

static int twmon_table_dump(struct sk_buff *skb, struct netlink_callback *cb,
			    int cmd)
{
	struct twmon_table_dump *d = (void *)cb->ctx;
	struct twmon_walk *w = &d->tw->walk;
	struct table_fill f = { skb, cb, d, cmd };

	/* rows dropped or the table resized between calls: NLM_F_DUMP_INTR */
	cb->seq = (unsigned int)atomic_long_read(&w->tn->gen) + w->resizes + 1;
	twmon_walk(w, fill_entry, &f);
	if (w->done && d->tw->services_by_cgroup &&
	    w->kind == TWMON_KIND_SERVICE) {
		u32 resizes = w->resizes;

		/* then the split rows, in a walk of their own */
		twmon_walk_end(w);
		twmon_walk_begin(w, w->tn, TWMON_KIND_SERVICE_CGROUP);
		w->resizes = resizes;
		twmon_walk(w, fill_entry, &f);
	}
	return skb->len;
}

static int twmon_dests_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return twmon_table_dump(skb, cb, TWMON_CMD_GET_DESTS);
}

static int twmon_services_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	return twmon_table_dump(skb, cb, TWMON_CMD_GET_SERVICES);
}

/*
 * GET_CGROUPS: the row of cgroup 0 (the live sockets no row counts), then
 * for a caller in a cgroup namespace without CAP_SYS_ADMIN one "other"
 * row summing the cgroups outside it, then the cgroup rows it may see;
 * 0 and other are worked out at .start, so that all add up to the
 * namespace's live count. The state is allocated: cb->ctx holds a pointer.
 */
struct twmon_cgroup_dump {
	struct twmon_walk walk;
	struct net *net;		/* held for the dump's lifetime */
	struct cgroup *ns_root;		/* held; NULL: the caller sees all */
	u64 cgid;			/* the filter, if filtered */
	u64 untracked, unknown_overflow, rows_overflow;
	u64 other_totals[TWMON_CG_TOTALS];
	u32 unknown_live, other_live;
	bool filtered, walking, head_sent, other;
};

static int sum_row(struct twmon_row *e, u32 count, void *arg)
{
	struct twmon_cgroup_dump *d = arg;
	int t;

	d->unknown_live -= min(count, d->unknown_live);
	d->rows_overflow += twmon_cgroup_total(e, TWMON_CG_OVERFLOW);
	if (twmon_cgroup_visible(e, d->ns_root))
		return 0;
	d->other = true;
	d->other_live += count;
	for (t = 0; t < TWMON_CG_TOTALS; t++)
		d->other_totals[t] += twmon_cgroup_total(e, t);
	return 0;
}

static int twmon_cgroups_done(struct netlink_callback *cb)
{
	struct twmon_cgroup_dump *d = *(struct twmon_cgroup_dump **)cb->ctx;

	if (!d)
		return 0;
	if (d->walking)
		twmon_walk_end(&d->walk);
	if (d->ns_root)
		cgroup_put(d->ns_root);
	if (d->net)
		put_net(d->net);
	kfree(d);
	return 0;
}

static int twmon_cgroups_start(struct netlink_callback *cb)
{
	struct twmon_cgroup_dump *d;
	struct nlattr **attrs = dump_attrs(cb);
	struct twmon_snapshot *s;
	struct twmon_net *tn;
	struct net *net;

	*(struct twmon_cgroup_dump **)cb->ctx = NULL;
	if (!twmon_cgroups) {
		NL_SET_ERR_MSG(cb->extack,
			       "sockets are not counted per cgroup: load twmon with cgroups=1");
		return -EOPNOTSUPP;
	}
	net = request_net(cb->skb, attrs, cb->extack);
	if (IS_ERR(net))
		return PTR_ERR(net);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!d || !s) {
		kfree(d);
		kfree(s);
		put_net(net);
		return -ENOMEM;
	}
	/* .done runs once .start succeeded: it frees what d holds */
	*(struct twmon_cgroup_dump **)cb->ctx = d;
	d->net = net;
	if (attrs[TWMON_A_CGROUP_ID]) {
		d->cgid = nla_get_u64(attrs[TWMON_A_CGROUP_ID]);
		d->filtered = true;
	}
	d->ns_root = twmon_cgroup_ns_root(netlink_capable(cb->skb, CAP_SYS_ADMIN));
	tn = twmon_net(net);
	twmon_snapshot(tn, s);
	d->unknown_live = min_t(u64, s->live, U32_MAX);
	d->unknown_overflow = s->overflow;
	d->untracked = twmon_cgroup_untracked(tn);
	/* asked during an incident: attribute the next overflows */
	if (twmon_tw_near_full(net))
		twmon_cgroup_overflow_near();
	/* every row: those with totals but none live count in other too */
	twmon_walk_begin(&d->walk, tn, TWMON_KIND_CGROUP);
	d->walk.with_empty = true;
	twmon_walk(&d->walk, sum_row, d);
	twmon_walk_end(&d->walk);
	/* the namespace's overflows no row counts (now): cgroup 0's */
	d->unknown_overflow -= min(d->unknown_overflow, d->rows_overflow);
	kfree(s);
	twmon_walk_begin(&d->walk, tn, TWMON_KIND_CGROUP);
	d->walking = true;
	d->walk.with_empty = true;	/* rows with totals but none live now */
	return 0;
}

static const int total_attr[TWMON_CG_TOTALS] = {
	[TWMON_CG_ENTERED] = TWMON_E_ENTERED,
	[TWMON_CG_ENDED] = TWMON_E_ENDED,
	[TWMON_CG_EADDRNOTAVAIL] = TWMON_E_CONNECT_EADDRNOTAVAIL,
	[TWMON_CG_LINGER_ABORT] = TWMON_E_LINGER_ABORT,
	[TWMON_CG_OVERFLOW] = TWMON_E_OVERFLOW,
};

/* One row: totals NULL for cgroup 0 (untracked and overflow instead) */
static int put_cgroup(struct sk_buff *skb, struct netlink_callback *cb,
		      u64 cgid, bool other, u32 count, const u64 *totals,
		      u64 untracked, u64 overflow)
{
	struct nlattr *nest;
	void *hdr;
	int t;

	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &twmon_family, NLM_F_MULTI, TWMON_CMD_GET_CGROUPS);
	if (!hdr)
		return -EMSGSIZE;
	nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
	nest = nla_nest_start(skb, TWMON_A_ENTRY);
	if (!nest ||
	    nla_put_u64_64bit(skb, TWMON_E_CGROUP_ID, cgid, TWMON_E_PAD) ||
	    (other && nla_put_flag(skb, TWMON_E_OTHER)) ||
	    nla_put_u32(skb, TWMON_E_COUNT, count) ||
	    (!totals && nla_put_u64_64bit(skb, TWMON_E_UNTRACKED, untracked,
					  TWMON_E_PAD)) ||
	    (!totals && nla_put_u64_64bit(skb, TWMON_E_OVERFLOW, overflow,
					  TWMON_E_PAD)))
		goto cancel;
	for (t = 0; totals && t < TWMON_CG_TOTALS; t++)
		if (nla_put_u64_64bit(skb, total_attr[t], totals[t], TWMON_E_PAD))
			goto cancel;
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	return 0;
cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

struct cgroup_fill {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	const struct twmon_cgroup_dump *d;
};

static int fill_cgroup(struct twmon_row *e, u32 count, void *arg)
{
	const struct cgroup_fill *f = arg;
	u64 cgid = e->key.cgid, totals[TWMON_CG_TOTALS];
	int t;

	if ((f->d->filtered && f->d->cgid != cgid) ||
	    !twmon_cgroup_visible(e, f->d->ns_root))
		return 0;
	for (t = 0; t < TWMON_CG_TOTALS; t++)
		totals[t] = twmon_cgroup_total(e, t);
	return put_cgroup(f->skb, f->cb, cgid, false, count, totals, 0, 0);
}

static int twmon_cgroups_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twmon_cgroup_dump *d = *(struct twmon_cgroup_dump **)cb->ctx;
	struct cgroup_fill f = { skb, cb, d };

	cb->seq = (unsigned int)atomic_long_read(&d->walk.tn->gen) + d->walk.resizes + 1;
	if (!d->head_sent && !(d->filtered && d->cgid)) {
		if (put_cgroup(skb, cb, 0, false, d->unknown_live, NULL,
			       d->untracked, d->unknown_overflow) ||
		    (d->other && !d->filtered &&
		     put_cgroup(skb, cb, 0, true, d->other_live,
				d->other_totals, 0, 0)))
			return skb->len;	/* both fit in any message */
	}
	d->head_sent = true;
	if (!d->filtered || d->cgid)
		twmon_walk(&d->walk, fill_cgroup, &f);
	return skb->len;
}

static int twmon_socks_done(struct netlink_callback *cb)
{
	kfree(*(struct twmon_dump **)cb->ctx);
	return 0;
}

/* GET_SOCKS filters, validated once */
static int socks_filter(struct netlink_callback *cb, struct nlattr **attrs,
			struct twmon_dump *d)
{
	int err;

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

static int twmon_socks_start(struct netlink_callback *cb)
{
	struct nlattr **attrs = dump_attrs(cb);
	struct twmon_dump *d;
	int err;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	err = socks_filter(cb, attrs, d);
	if (err) {
		kfree(d);
		return err;
	}
	*(struct twmon_dump **)cb->ctx = d;
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
	nl_dump_check_consistent(cb, genlmsg_nlhdr(hdr));
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

/*
 * Walk the established hash like inet_diag, one bucket lock at a time. A
 * dump that stops inside a bucket resumes after the socket it sent last;
 * if that one is gone, at the same index, and the dump is marked
 * NLM_F_DUMP_INTR (a socket may be skipped or sent twice).
 */
static int twmon_socks_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct twmon_dump *d = *(struct twmon_dump **)cb->ctx;
	struct net *net = sock_net(cb->skb->sk);
	struct inet_hashinfo *h = net->ipv4.tcp_death_row.hashinfo;
	struct hlist_nulls_node *node;
	struct twmon_key k;
	struct sock *sk;

	for (; d->bucket <= h->ehash_mask; d->bucket++, d->index = 0, d->last = NULL) {
		struct inet_ehash_bucket *head = &h->ehash[d->bucket];
		spinlock_t *lock = inet_ehash_lockp(h, d->bucket);
		u32 idx = 0, resume = d->index;

		if (hlist_nulls_empty(&head->chain))
			continue;
		spin_lock_bh(lock);
		if (d->last) {
			/* where is the last one sent now? */
			resume = 0;
			sk_nulls_for_each(sk, node, &head->chain) {
				if (sk->sk_state != TCP_TIME_WAIT ||
				    !net_eq(sock_net(sk), net))
					continue;
				resume++;
				if (sk == d->last)
					break;
			}
			if (sk != d->last) {
				resume = d->index;
				cb->seq++;	/* gone: flag the dump */
			}
			d->last = NULL;
		}
		sk_nulls_for_each(sk, node, &head->chain) {
			struct inet_timewait_sock *tw;

			if (sk->sk_state != TCP_TIME_WAIT ||
			    !net_eq(sock_net(sk), net))
				continue;
			if (idx++ < resume)
				continue;
			tw = inet_twsk(sk);
			twmon_key_from_tw(tw, TWMON_KIND_DEST, &k);
			if (!sock_matches(d, tw, &k)) {
				d->last = sk;
				continue;
			}
			if (fill_sock(skb, cb, tw, &k)) {
				spin_unlock_bh(lock);
				d->index = idx - 1;
				return skb->len;
			}
			d->last = sk;
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
	    nla_put_u8(msg, TWMON_A_CGROUPS, twmon_cgroups) ||
	    nla_put_u32(msg, TWMON_A_MAX_CGROUPS, twmon_max_cgroups) ||
	    nla_put_u32(msg, TWMON_A_MAX_ENTRIES, twmon_max_entries) ||
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
		.done = twmon_table_done,
	},
	{
		.cmd = TWMON_CMD_GET_SERVICES,
		.start = twmon_services_start,
		.dumpit = twmon_services_dump,
		.done = twmon_table_done,
	},
	{
		.cmd = TWMON_CMD_GET_SOCKS,
		.start = twmon_socks_start,
		.done = twmon_socks_done,
		.dumpit = twmon_socks_dump,
	},
	{
		.cmd = TWMON_CMD_GET_CONFIG,
		.doit = twmon_get_config,
	},
	{
		.cmd = TWMON_CMD_GET_CGROUPS,
		.start = twmon_cgroups_start,
		.dumpit = twmon_cgroups_dump,
		.done = twmon_cgroups_done,
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
	return genl_register_family(&twmon_family);
}

/* After twmon_notify_stop(): nothing multicasts to the family any more */
void twmon_genl_exit(void)
{
	genl_unregister_family(&twmon_family);
}

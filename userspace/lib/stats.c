// SPDX-License-Identifier: GPL-2.0
/* Strict parsing of twmon replies; the hook -> figure map */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "addr.h"
#include "stats.h"

/* Exact lengths: libnl checks minlen and maxlen */
// clang-format off
#define U8	{ .type = NLA_U8, .minlen = 1, .maxlen = 1 }
#define U16	{ .type = NLA_U16, .minlen = 2, .maxlen = 2 }
#define U32	{ .type = NLA_U32, .minlen = 4, .maxlen = 4 }
#define U64	{ .type = NLA_U64, .minlen = 8, .maxlen = 8 }
#define ADDR	{ .type = NLA_UNSPEC, .minlen = 4, .maxlen = 16 }
#define NEST	{ .type = NLA_NESTED }
// clang-format on

static struct nla_policy attr_policy[TWMON_A_MAX + 1] = {
	[TWMON_A_VERSION] = { .type = NLA_STRING, .maxlen = 64 },
	[TWMON_A_NETNS_INUM] = U32,
	[TWMON_A_STATS] = NEST,
	[TWMON_A_HOOKS] = U32,
	[TWMON_A_HOOKS_WANTED] = U32,
	[TWMON_A_ENTRY] = NEST,
	[TWMON_A_SOCK] = NEST,
	[TWMON_A_STATS_INTERVAL_MS] = U32,
	[TWMON_A_MAX_DESTS] = U32,
	[TWMON_A_MAX_SERVICES] = U32,
	[TWMON_A_PURGED_DEAD_NETNS] = U64,
	[TWMON_A_MISSED] = U64,
	[TWMON_A_SEQ] = U64,
	[TWMON_A_EVENT] = NEST,
	[TWMON_A_CGROUPS] = U8,
	[TWMON_A_MAX_CGROUPS] = U32,
};

static const char *const attr_names[TWMON_A_MAX + 1] = {
	[TWMON_A_VERSION] = "TWMON_A_VERSION",
	[TWMON_A_NETNS_INUM] = "TWMON_A_NETNS_INUM",
	[TWMON_A_STATS] = "TWMON_A_STATS",
	[TWMON_A_HOOKS] = "TWMON_A_HOOKS",
	[TWMON_A_HOOKS_WANTED] = "TWMON_A_HOOKS_WANTED",
	[TWMON_A_ENTRY] = "TWMON_A_ENTRY",
	[TWMON_A_SOCK] = "TWMON_A_SOCK",
	[TWMON_A_STATS_INTERVAL_MS] = "TWMON_A_STATS_INTERVAL_MS",
	[TWMON_A_MAX_DESTS] = "TWMON_A_MAX_DESTS",
	[TWMON_A_MAX_SERVICES] = "TWMON_A_MAX_SERVICES",
	[TWMON_A_PURGED_DEAD_NETNS] = "TWMON_A_PURGED_DEAD_NETNS",
	[TWMON_A_MISSED] = "TWMON_A_MISSED",
	[TWMON_A_SEQ] = "TWMON_A_SEQ",
	[TWMON_A_EVENT] = "TWMON_A_EVENT",
	[TWMON_A_CGROUPS] = "TWMON_A_CGROUPS",
	[TWMON_A_MAX_CGROUPS] = "TWMON_A_MAX_CGROUPS",
};

static struct nla_policy stat_policy[TWMON_S_MAX + 1] = {
	[TWMON_S_LIVE] = U64,
	[TWMON_S_LIVE_TIMEWAIT] = U64,
	[TWMON_S_LIVE_FINWAIT2] = U64,
	[TWMON_S_SEEDED] = U64,
	[TWMON_S_ENTERED] = U64,
	[TWMON_S_ENTERED_TIMEWAIT] = U64,
	[TWMON_S_ENTERED_FINWAIT2] = U64,
	[TWMON_S_ENDED] = NEST,
	[TWMON_S_OVERFLOW] = U64,
	[TWMON_S_CONNECT_EADDRNOTAVAIL] = U64,
	[TWMON_S_LINGER_ABORT] = U64,
	[TWMON_S_MAX_TW_BUCKETS] = U32,
	[TWMON_S_PORT_LOW] = U32,
	[TWMON_S_PORT_HIGH] = U32,
	[TWMON_S_DESTS] = U32,
	[TWMON_S_SERVICES] = U32,
	[TWMON_S_UNTRACKED] = U64,
	[TWMON_S_AGES] = NEST,
	[TWMON_S_LIFETIME] = NEST,
};

static const char *const stat_names[TWMON_S_MAX + 1] = {
	[TWMON_S_LIVE] = "TWMON_S_LIVE",
	[TWMON_S_LIVE_TIMEWAIT] = "TWMON_S_LIVE_TIMEWAIT",
	[TWMON_S_LIVE_FINWAIT2] = "TWMON_S_LIVE_FINWAIT2",
	[TWMON_S_SEEDED] = "TWMON_S_SEEDED",
	[TWMON_S_ENTERED] = "TWMON_S_ENTERED",
	[TWMON_S_ENTERED_TIMEWAIT] = "TWMON_S_ENTERED_TIMEWAIT",
	[TWMON_S_ENTERED_FINWAIT2] = "TWMON_S_ENTERED_FINWAIT2",
	[TWMON_S_ENDED] = "TWMON_S_ENDED",
	[TWMON_S_OVERFLOW] = "TWMON_S_OVERFLOW",
	[TWMON_S_CONNECT_EADDRNOTAVAIL] = "TWMON_S_CONNECT_EADDRNOTAVAIL",
	[TWMON_S_LINGER_ABORT] = "TWMON_S_LINGER_ABORT",
	[TWMON_S_MAX_TW_BUCKETS] = "TWMON_S_MAX_TW_BUCKETS",
	[TWMON_S_PORT_LOW] = "TWMON_S_PORT_LOW",
	[TWMON_S_PORT_HIGH] = "TWMON_S_PORT_HIGH",
	[TWMON_S_DESTS] = "TWMON_S_DESTS",
	[TWMON_S_SERVICES] = "TWMON_S_SERVICES",
	[TWMON_S_UNTRACKED] = "TWMON_S_UNTRACKED",
	[TWMON_S_AGES] = "TWMON_S_AGES",
	[TWMON_S_AGE_BUCKET] = "TWMON_S_AGE_BUCKET",
	[TWMON_S_LIFETIME] = "TWMON_S_LIFETIME",
};

static struct nla_policy end_policy[TWMON_END_MAX + 1] = {
	[TWMON_END_EXPIRED] = U64, [TWMON_END_RST] = U64,   [TWMON_END_SYN] = U64,
	[TWMON_END_REUSE] = U64,   [TWMON_END_ABORT] = U64, [TWMON_END_PURGE] = U64,
	[TWMON_END_OTHER] = U64,
};

static struct nla_policy lifetime_policy[TWMON_END_MAX + 1] = {
	[TWMON_END_EXPIRED] = NEST, [TWMON_END_RST] = NEST,   [TWMON_END_SYN] = NEST,
	[TWMON_END_REUSE] = NEST,   [TWMON_END_ABORT] = NEST, [TWMON_END_PURGE] = NEST,
	[TWMON_END_OTHER] = NEST,
};

static const char *const end_names[TWMON_END_MAX + 1] = {
	[TWMON_END_EXPIRED] = "expired", [TWMON_END_RST] = "rst",     [TWMON_END_SYN] = "syn",
	[TWMON_END_REUSE] = "reuse",	 [TWMON_END_ABORT] = "abort", [TWMON_END_PURGE] = "purge",
	[TWMON_END_OTHER] = "other",
};

static struct nla_policy entry_policy[TWMON_E_MAX + 1] = {
	[TWMON_E_FAMILY] = U8,
	[TWMON_E_LOCAL_ADDR] = ADDR,
	[TWMON_E_LOCAL_PORT] = U16,
	[TWMON_E_REMOTE_ADDR] = ADDR,
	[TWMON_E_REMOTE_PORT] = U16,
	[TWMON_E_COUNT] = U32,
	[TWMON_E_SUBSTATE] = U8,
	[TWMON_E_REMAINING_MS] = U32,
	[TWMON_E_AGE_MS] = U32,
	[TWMON_E_CGROUP_ID] = U64,
	[TWMON_E_ENTERED] = U64,
	[TWMON_E_ENDED] = U64,
	[TWMON_E_CONNECT_EADDRNOTAVAIL] = U64,
	[TWMON_E_LINGER_ABORT] = U64,
	[TWMON_E_UNTRACKED] = U64,
	[TWMON_E_OTHER] = { .type = NLA_FLAG },
	[TWMON_E_OVERFLOW] = U64,
};

static const char *const entry_names[TWMON_E_MAX + 1] = {
	[TWMON_E_FAMILY] = "TWMON_E_FAMILY",
	[TWMON_E_LOCAL_ADDR] = "TWMON_E_LOCAL_ADDR",
	[TWMON_E_LOCAL_PORT] = "TWMON_E_LOCAL_PORT",
	[TWMON_E_REMOTE_ADDR] = "TWMON_E_REMOTE_ADDR",
	[TWMON_E_REMOTE_PORT] = "TWMON_E_REMOTE_PORT",
	[TWMON_E_COUNT] = "TWMON_E_COUNT",
	[TWMON_E_SUBSTATE] = "TWMON_E_SUBSTATE",
	[TWMON_E_REMAINING_MS] = "TWMON_E_REMAINING_MS",
	[TWMON_E_AGE_MS] = "TWMON_E_AGE_MS",
	[TWMON_E_CGROUP_ID] = "TWMON_E_CGROUP_ID",
	[TWMON_E_ENTERED] = "TWMON_E_ENTERED",
	[TWMON_E_ENDED] = "TWMON_E_ENDED",
	[TWMON_E_CONNECT_EADDRNOTAVAIL] = "TWMON_E_CONNECT_EADDRNOTAVAIL",
	[TWMON_E_LINGER_ABORT] = "TWMON_E_LINGER_ABORT",
	[TWMON_E_UNTRACKED] = "TWMON_E_UNTRACKED",
	[TWMON_E_OTHER] = "TWMON_E_OTHER",
	[TWMON_E_OVERFLOW] = "TWMON_E_OVERFLOW",
};

static struct nla_policy event_policy[TWMON_V_MAX + 1] = {
	[TWMON_V_TYPE] = U32,	     [TWMON_V_VALUE] = U64,	  [TWMON_V_THRESHOLD] = U64,
	[TWMON_V_FAMILY] = U8,	     [TWMON_V_LOCAL_ADDR] = ADDR, [TWMON_V_REMOTE_ADDR] = ADDR,
	[TWMON_V_REMOTE_PORT] = U16, [TWMON_V_CGROUP_ID] = U64,
};

static const char *const event_names[TWMON_V_MAX + 1] = {
	[TWMON_V_TYPE] = "TWMON_V_TYPE",
	[TWMON_V_VALUE] = "TWMON_V_VALUE",
	[TWMON_V_THRESHOLD] = "TWMON_V_THRESHOLD",
	[TWMON_V_FAMILY] = "TWMON_V_FAMILY",
	[TWMON_V_LOCAL_ADDR] = "TWMON_V_LOCAL_ADDR",
	[TWMON_V_REMOTE_ADDR] = "TWMON_V_REMOTE_ADDR",
	[TWMON_V_REMOTE_PORT] = "TWMON_V_REMOTE_PORT",
	[TWMON_V_CGROUP_ID] = "TWMON_V_CGROUP_ID",
};

/* A set of attributes: its policy and names, for parsing and messages */
struct attr_set {
	const char *what; /* "GET_STATS reply", ... */
	int maxtype;
	struct nla_policy *policy;
	const char *const *names;
};

static int bad(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int bad(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

static const char *set_name(const struct attr_set *set, int type, char *buf, size_t len)
{
	if (set->names && type <= set->maxtype && set->names[type])
		return set->names[type];
	snprintf(buf, len, "attribute %d", type);
	return buf;
}

/* After a policy failure: name the attribute that broke it */
static int explain(const struct attr_set *set, const struct nlattr *head, int len, char *err,
		   size_t errlen)
{
	const struct nlattr *a;
	char nb[32];
	int rem;

	nla_for_each_attr (a, head, len, rem) {
		const struct nla_policy *p;
		int type = nla_type(a);

		if (type <= 0 || type > set->maxtype)
			continue;
		p = &set->policy[type];
		if (p->minlen && nla_len(a) < p->minlen)
			return bad(err, errlen, "%s: %s has %d bytes, expected %s%u", set->what,
				   set_name(set, type, nb, sizeof(nb)), nla_len(a),
				   p->minlen == p->maxlen ? "" : "at least ", p->minlen);
		if (p->maxlen && nla_len(a) > p->maxlen)
			return bad(err, errlen, "%s: %s has %d bytes, expected %s%u", set->what,
				   set_name(set, type, nb, sizeof(nb)), nla_len(a),
				   p->minlen == p->maxlen ? "" : "at most ", p->maxlen);
		if (p->type == NLA_STRING &&
		    (nla_len(a) < 1 || ((const char *)nla_data(a))[nla_len(a) - 1]))
			return bad(err, errlen, "%s: %s is not a terminated string", set->what,
				   set_name(set, type, nb, sizeof(nb)));
	}
	return bad(err, errlen, "%s: malformed attributes", set->what);
}

static int parse_attrs(const struct attr_set *set, struct nlattr **tb, struct nlattr *head, int len,
		       char *err, size_t errlen)
{
	if (nla_parse(tb, set->maxtype, head, len, set->policy) < 0)
		return explain(set, head, len, err, errlen);
	return 0;
}

static int parse_nest(const struct attr_set *set, struct nlattr **tb, struct nlattr *nest,
		      char *err, size_t errlen)
{
	return parse_attrs(set, tb, nla_data(nest), nla_len(nest), err, errlen);
}

/* Every listed type (0-terminated) must be present */
static int require(const struct attr_set *set, struct nlattr **tb, const int *types, char *err,
		   size_t errlen)
{
	char nb[32];

	for (; *types; types++)
		if (!tb[*types])
			return bad(err, errlen, "%s: %s missing", set->what,
				   set_name(set, *types, nb, sizeof(nb)));
	return 0;
}

/* The generic netlink header, the command, the top-level attributes */
static int parse_top(const struct nlmsghdr *nlh, uint8_t cmd, const char *what, struct nlattr **tb,
		     char *err, size_t errlen)
{
	struct attr_set set = { what, TWMON_A_MAX, attr_policy, attr_names };
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;
	struct genlmsghdr *g;

	if (nlh->nlmsg_len < NLMSG_HDRLEN || !genlmsg_valid_hdr(h, 0))
		return bad(err, errlen, "%s: truncated message (%u bytes)", what, nlh->nlmsg_len);
	g = genlmsg_hdr(h);
	if (g->cmd != cmd)
		return bad(err, errlen, "%s: unexpected command %u", what, g->cmd);
	return parse_attrs(&set, tb, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), err, errlen);
}

/* TWMON_AGE_BUCKETS u64 TWMON_S_AGE_BUCKET attributes, in order; pads skipped */
static int parse_ages(struct nlattr *nest, uint64_t *out, const char *what, const char *name,
		      char *err, size_t errlen)
{
	struct nlattr *a;
	int rem, n = 0;

	nla_for_each_nested (a, nest, rem) {
		if (nla_type(a) != TWMON_S_AGE_BUCKET)
			continue;
		if (nla_len(a) != 8)
			return bad(err, errlen, "%s: %s bucket %d has %d bytes, expected 8", what,
				   name, n, nla_len(a));
		if (n == TWMON_AGE_BUCKETS)
			return bad(err, errlen, "%s: %s has more than %d buckets", what, name,
				   TWMON_AGE_BUCKETS);
		out[n++] = nla_get_u64(a);
	}
	if (n != TWMON_AGE_BUCKETS)
		return bad(err, errlen, "%s: %s has %d buckets, expected %d", what, name, n,
			   TWMON_AGE_BUCKETS);
	return 0;
}

/* GET_STATS reply or STATS_NOTIFY: what names the message in errors */
static int parse_stats_msg(const struct nlmsghdr *nlh, uint8_t cmd, const char *what,
			   struct tw_stats *s, uint64_t *seq, char *err, size_t errlen)
{
	static const int top_req[] = { TWMON_A_NETNS_INUM, TWMON_A_HOOKS, TWMON_A_STATS, 0 };
	static const int seq_req[] = { TWMON_A_SEQ, 0 };
	static const int stat_req[] = {
		TWMON_S_LIVE,
		TWMON_S_LIVE_TIMEWAIT,
		TWMON_S_LIVE_FINWAIT2,
		TWMON_S_SEEDED,
		TWMON_S_ENTERED,
		TWMON_S_ENTERED_TIMEWAIT,
		TWMON_S_ENTERED_FINWAIT2,
		TWMON_S_ENDED,
		TWMON_S_OVERFLOW,
		TWMON_S_CONNECT_EADDRNOTAVAIL,
		TWMON_S_LINGER_ABORT,
		TWMON_S_MAX_TW_BUCKETS,
		TWMON_S_PORT_LOW,
		TWMON_S_PORT_HIGH,
		TWMON_S_DESTS,
		TWMON_S_SERVICES,
		TWMON_S_UNTRACKED,
		TWMON_S_AGES,
		0,
	};
	static const int end_req[] = { TWMON_END_EXPIRED, TWMON_END_RST,
				       TWMON_END_SYN,	  TWMON_END_REUSE,
				       TWMON_END_ABORT,	  TWMON_END_PURGE,
				       TWMON_END_OTHER,	  0 };
	char stat_what[64], ended_what[64], life_what[64];
	struct attr_set top = { what, TWMON_A_MAX, attr_policy, attr_names };
	struct attr_set stat = { stat_what, TWMON_S_MAX, stat_policy, stat_names };
	struct attr_set ended = { ended_what, TWMON_END_MAX, end_policy, end_names };
	struct attr_set life = { life_what, TWMON_END_MAX, lifetime_policy, end_names };
	struct nlattr *tb[TWMON_A_MAX + 1], *st[TWMON_S_MAX + 1], *en[TWMON_END_MAX + 1];
	int err_, r;

	snprintf(stat_what, sizeof(stat_what), "%s: TWMON_A_STATS", what);
	snprintf(ended_what, sizeof(ended_what), "%s: TWMON_S_ENDED", what);
	snprintf(life_what, sizeof(life_what), "%s: TWMON_S_LIFETIME", what);
	memset(s, 0, sizeof(*s));
	if ((err_ = parse_top(nlh, cmd, what, tb, err, errlen)) ||
	    (err_ = require(&top, tb, top_req, err, errlen)) ||
	    (seq && (err_ = require(&top, tb, seq_req, err, errlen))) ||
	    (err_ = parse_nest(&stat, st, tb[TWMON_A_STATS], err, errlen)) ||
	    (err_ = require(&stat, st, stat_req, err, errlen)) ||
	    (err_ = parse_nest(&ended, en, st[TWMON_S_ENDED], err, errlen)) ||
	    (err_ = require(&ended, en, end_req, err, errlen)))
		return err_;

	s->netns_inum = nla_get_u32(tb[TWMON_A_NETNS_INUM]);
	s->hooks = nla_get_u32(tb[TWMON_A_HOOKS]);
	s->live = nla_get_u64(st[TWMON_S_LIVE]);
	s->live_timewait = nla_get_u64(st[TWMON_S_LIVE_TIMEWAIT]);
	s->live_finwait2 = nla_get_u64(st[TWMON_S_LIVE_FINWAIT2]);
	s->seeded = nla_get_u64(st[TWMON_S_SEEDED]);
	s->entered = nla_get_u64(st[TWMON_S_ENTERED]);
	s->entered_timewait = nla_get_u64(st[TWMON_S_ENTERED_TIMEWAIT]);
	s->entered_finwait2 = nla_get_u64(st[TWMON_S_ENTERED_FINWAIT2]);
	s->overflow = nla_get_u64(st[TWMON_S_OVERFLOW]);
	s->connect_eaddrnotavail = nla_get_u64(st[TWMON_S_CONNECT_EADDRNOTAVAIL]);
	s->linger_abort = nla_get_u64(st[TWMON_S_LINGER_ABORT]);
	s->max_tw_buckets = nla_get_u32(st[TWMON_S_MAX_TW_BUCKETS]);
	s->port_low = nla_get_u32(st[TWMON_S_PORT_LOW]);
	s->port_high = nla_get_u32(st[TWMON_S_PORT_HIGH]);
	s->dests = nla_get_u32(st[TWMON_S_DESTS]);
	s->services = nla_get_u32(st[TWMON_S_SERVICES]);
	s->untracked = nla_get_u64(st[TWMON_S_UNTRACKED]);
	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
		s->ended[r] = nla_get_u64(en[r]);

	err_ = parse_ages(st[TWMON_S_AGES], s->ages, stat.what, "TWMON_S_AGES", err, errlen);
	if (err_)
		return err_;

	if (st[TWMON_S_LIFETIME]) {
		struct nlattr *lt[TWMON_END_MAX + 1];

		err_ = parse_nest(&life, lt, st[TWMON_S_LIFETIME], err, errlen);
		if (!err_)
			err_ = require(&life, lt, end_req, err, errlen);
		for (r = TWMON_END_EXPIRED; !err_ && r <= TWMON_END_MAX; r++)
			err_ = parse_ages(lt[r], s->lifetime[r], life.what, end_names[r], err,
					  errlen);
		if (err_)
			return err_;
		s->has_lifetime = true;
	}
	if (seq)
		*seq = nla_get_u64(tb[TWMON_A_SEQ]);
	return 0;
}

int tw_parse_stats(const struct nlmsghdr *nlh, struct tw_stats *s, char *err, size_t errlen)
{
	return parse_stats_msg(nlh, TWMON_CMD_GET_STATS, "GET_STATS reply", s, NULL, err, errlen);
}

int tw_parse_stats_notify(const struct nlmsghdr *nlh, struct tw_stats *s, uint64_t *seq, char *err,
			  size_t errlen)
{
	return parse_stats_msg(nlh, TWMON_CMD_STATS_NOTIFY, "STATS_NOTIFY", s, seq, err, errlen);
}

/* family, then each address present with the family's length */
static int get_addr(const struct attr_set *set, struct nlattr **tb, int type, uint8_t family,
		    uint8_t *out, char *err, size_t errlen)
{
	size_t want = tw_family_addr_len(family);

	if ((size_t)nla_len(tb[type]) != want)
		return bad(err, errlen, "%s: %s has %d bytes, expected %zu for %s", set->what,
			   set->names[type], nla_len(tb[type]), want, tw_family_name(family));
	memcpy(out, nla_data(tb[type]), want);
	return 0;
}

static int parse_entry(const struct nlmsghdr *nlh, uint8_t cmd, int nest_type, const char *what,
		       const int *req, struct tw_entry *e, char *err, size_t errlen)
{
	struct attr_set top = { what, TWMON_A_MAX, attr_policy, attr_names };
	struct attr_set ent = { what, TWMON_E_MAX, entry_policy, entry_names };
	const int nest_req[] = { nest_type, 0 };
	struct nlattr *tb[TWMON_A_MAX + 1], *et[TWMON_E_MAX + 1];
	int err_;

	memset(e, 0, sizeof(*e));
	if ((err_ = parse_top(nlh, cmd, what, tb, err, errlen)) ||
	    (err_ = require(&top, tb, nest_req, err, errlen)) ||
	    (err_ = parse_nest(&ent, et, tb[nest_type], err, errlen)) ||
	    (err_ = require(&ent, et, req, err, errlen)))
		return err_;

	if (et[TWMON_E_FAMILY]) {
		e->family = nla_get_u8(et[TWMON_E_FAMILY]);
		if (!tw_family_name(e->family))
			return bad(err, errlen, "%s: unknown address family %u", what, e->family);
	}
	if (et[TWMON_E_LOCAL_ADDR] &&
	    (err_ = get_addr(&ent, et, TWMON_E_LOCAL_ADDR, e->family, e->laddr, err, errlen)))
		return err_;
	if (et[TWMON_E_REMOTE_ADDR] &&
	    (err_ = get_addr(&ent, et, TWMON_E_REMOTE_ADDR, e->family, e->raddr, err, errlen)))
		return err_;
	if (et[TWMON_E_LOCAL_PORT])
		e->lport = nla_get_u16(et[TWMON_E_LOCAL_PORT]);
	if (et[TWMON_E_REMOTE_PORT])
		e->rport = nla_get_u16(et[TWMON_E_REMOTE_PORT]);
	if (et[TWMON_E_COUNT])
		e->count = nla_get_u32(et[TWMON_E_COUNT]);
	if (et[TWMON_E_SUBSTATE]) {
		e->substate = nla_get_u8(et[TWMON_E_SUBSTATE]);
		if (!tw_substate_name(e->substate))
			return bad(err, errlen, "%s: unknown substate %u", what, e->substate);
	}
	if (et[TWMON_E_REMAINING_MS])
		e->remaining_ms = nla_get_u32(et[TWMON_E_REMAINING_MS]);
	if (et[TWMON_E_AGE_MS])
		e->age_ms = nla_get_u32(et[TWMON_E_AGE_MS]);
	if (et[TWMON_E_CGROUP_ID])
		e->cgroup_id = nla_get_u64(et[TWMON_E_CGROUP_ID]);
	if (et[TWMON_E_ENTERED])
		e->entered = nla_get_u64(et[TWMON_E_ENTERED]);
	if (et[TWMON_E_ENDED])
		e->ended = nla_get_u64(et[TWMON_E_ENDED]);
	if (et[TWMON_E_CONNECT_EADDRNOTAVAIL])
		e->eaddrnotavail = nla_get_u64(et[TWMON_E_CONNECT_EADDRNOTAVAIL]);
	if (et[TWMON_E_LINGER_ABORT])
		e->linger_abort = nla_get_u64(et[TWMON_E_LINGER_ABORT]);
	if (et[TWMON_E_UNTRACKED])
		e->untracked = nla_get_u64(et[TWMON_E_UNTRACKED]);
	if (et[TWMON_E_OVERFLOW])
		e->overflow = nla_get_u64(et[TWMON_E_OVERFLOW]);
	e->other = et[TWMON_E_OTHER] != NULL;
	return 0;
}

int tw_entry_key_cmp(const struct tw_entry *a, const struct tw_entry *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->laddr, b->laddr, sizeof(a->laddr));
	if (!c)
		c = memcmp(a->raddr, b->raddr, sizeof(a->raddr));
	if (!c)
		c = (int)a->lport - (int)b->lport;
	if (!c)
		c = (int)a->rport - (int)b->rport;
	return c;
}

int tw_parse_dest(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen)
{
	static const int req[] = { TWMON_E_FAMILY,	TWMON_E_LOCAL_ADDR, TWMON_E_REMOTE_ADDR,
				   TWMON_E_REMOTE_PORT, TWMON_E_COUNT,	    0 };

	return parse_entry(nlh, TWMON_CMD_GET_DESTS, TWMON_A_ENTRY, "GET_DESTS reply", req, e, err,
			   errlen);
}

int tw_parse_service(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen)
{
	static const int req[] = { TWMON_E_FAMILY, TWMON_E_LOCAL_ADDR, TWMON_E_LOCAL_PORT,
				   TWMON_E_COUNT, 0 };

	return parse_entry(nlh, TWMON_CMD_GET_SERVICES, TWMON_A_ENTRY, "GET_SERVICES reply", req, e,
			   err, errlen);
}

int tw_parse_cgroup(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen)
{
	static const int req[] = { TWMON_E_CGROUP_ID, TWMON_E_COUNT, 0 };

	return parse_entry(nlh, TWMON_CMD_GET_CGROUPS, TWMON_A_ENTRY, "GET_CGROUPS reply", req, e,
			   err, errlen);
}

int tw_parse_sock(const struct nlmsghdr *nlh, struct tw_entry *e, char *err, size_t errlen)
{
	static const int req[] = { TWMON_E_FAMILY,	 TWMON_E_LOCAL_ADDR,  TWMON_E_LOCAL_PORT,
				   TWMON_E_REMOTE_ADDR,	 TWMON_E_REMOTE_PORT, TWMON_E_SUBSTATE,
				   TWMON_E_REMAINING_MS, TWMON_E_AGE_MS,      0 };

	return parse_entry(nlh, TWMON_CMD_GET_SOCKS, TWMON_A_SOCK, "GET_SOCKS reply", req, e, err,
			   errlen);
}

static bool pool_event(uint32_t type)
{
	return type == TWMON_EV_POOL_HIGH || type == TWMON_EV_POOL_OK;
}

static int parse_event(struct nlattr *nest, struct tw_event *e, size_t i, char *err, size_t errlen)
{
	static const int req[] = { TWMON_V_TYPE, TWMON_V_VALUE, TWMON_V_THRESHOLD, 0 };
	static const int pool_req[] = { TWMON_V_FAMILY, TWMON_V_LOCAL_ADDR, TWMON_V_REMOTE_ADDR,
					TWMON_V_REMOTE_PORT, 0 };
	char what[48];
	struct attr_set set = { what, TWMON_V_MAX, event_policy, event_names };
	struct nlattr *tb[TWMON_V_MAX + 1];
	int err_;

	snprintf(what, sizeof(what), "EVENT: TWMON_A_EVENT %zu", i + 1);
	memset(e, 0, sizeof(*e));
	if ((err_ = parse_nest(&set, tb, nest, err, errlen)) ||
	    (err_ = require(&set, tb, req, err, errlen)))
		return err_;
	e->type = nla_get_u32(tb[TWMON_V_TYPE]);
	e->value = nla_get_u64(tb[TWMON_V_VALUE]);
	e->threshold = nla_get_u64(tb[TWMON_V_THRESHOLD]);
	if (tb[TWMON_V_CGROUP_ID])
		e->cgroup_id = nla_get_u64(tb[TWMON_V_CGROUP_ID]);
	if (pool_event(e->type) && (err_ = require(&set, tb, pool_req, err, errlen)))
		return err_;
	if (!tb[TWMON_V_FAMILY])
		return 0;
	e->family = nla_get_u8(tb[TWMON_V_FAMILY]);
	if (!tw_family_name(e->family))
		return bad(err, errlen, "%s: unknown address family %u", what, e->family);
	if ((tb[TWMON_V_LOCAL_ADDR] &&
	     (err_ = get_addr(&set, tb, TWMON_V_LOCAL_ADDR, e->family, e->laddr, err, errlen))) ||
	    (tb[TWMON_V_REMOTE_ADDR] &&
	     (err_ = get_addr(&set, tb, TWMON_V_REMOTE_ADDR, e->family, e->raddr, err, errlen))))
		return err_;
	if (tb[TWMON_V_REMOTE_PORT])
		e->rport = nla_get_u16(tb[TWMON_V_REMOTE_PORT]);
	e->has_pool = tb[TWMON_V_LOCAL_ADDR] && tb[TWMON_V_REMOTE_ADDR] && tb[TWMON_V_REMOTE_PORT];
	return 0;
}

int tw_parse_event_msg(const struct nlmsghdr *nlh, struct tw_event_msg *m, char *err, size_t errlen)
{
	static const int req[] = { TWMON_A_NETNS_INUM, TWMON_A_SEQ, 0 };
	const char *what = "EVENT";
	struct attr_set top = { what, TWMON_A_MAX, attr_policy, attr_names };
	struct nlattr *tb[TWMON_A_MAX + 1], *a;
	struct genlmsghdr *g;
	size_t n = 0;
	int err_, rem;

	memset(m, 0, sizeof(*m));
	if ((err_ = parse_top(nlh, TWMON_CMD_EVENT, what, tb, err, errlen)) ||
	    (err_ = require(&top, tb, req, err, errlen)))
		return err_;
	m->netns_inum = nla_get_u32(tb[TWMON_A_NETNS_INUM]);
	m->seq = nla_get_u64(tb[TWMON_A_SEQ]);
	g = genlmsg_hdr((struct nlmsghdr *)nlh);
	nla_for_each_attr (a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem)
		if (nla_type(a) == TWMON_A_EVENT)
			n++;
	if (!n)
		return bad(err, errlen, "%s: no TWMON_A_EVENT", what);
	m->ev = calloc(n, sizeof(*m->ev));
	if (!m->ev)
		return bad(err, errlen, "%s: out of memory", what);
	nla_for_each_attr (a, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), rem) {
		if (nla_type(a) != TWMON_A_EVENT)
			continue;
		err_ = parse_event(a, &m->ev[m->n], m->n, err, errlen);
		if (err_) {
			tw_event_msg_free(m);
			return err_;
		}
		m->n++;
	}
	return 0;
}

void tw_event_msg_free(struct tw_event_msg *m)
{
	free(m->ev);
	m->ev = NULL;
	m->n = 0;
}

int tw_parse_config(const struct nlmsghdr *nlh, struct tw_config *c, char *err, size_t errlen)
{
	static const int req[] = { TWMON_A_VERSION, TWMON_A_HOOKS, 0 };
	const char *what = "GET_CONFIG reply";
	struct attr_set top = { what, TWMON_A_MAX, attr_policy, attr_names };
	struct nlattr *tb[TWMON_A_MAX + 1];
	int err_;

	memset(c, 0, sizeof(*c));
	if ((err_ = parse_top(nlh, TWMON_CMD_GET_CONFIG, what, tb, err, errlen)) ||
	    (err_ = require(&top, tb, req, err, errlen)))
		return err_;
	snprintf(c->version, sizeof(c->version), "%s", nla_get_string(tb[TWMON_A_VERSION]));
	c->hooks = nla_get_u32(tb[TWMON_A_HOOKS]);
	if (tb[TWMON_A_HOOKS_WANTED])
		c->hooks_wanted = nla_get_u32(tb[TWMON_A_HOOKS_WANTED]);
	if (tb[TWMON_A_STATS_INTERVAL_MS])
		c->stats_interval_ms = nla_get_u32(tb[TWMON_A_STATS_INTERVAL_MS]);
	if (tb[TWMON_A_MAX_DESTS])
		c->max_dests = nla_get_u32(tb[TWMON_A_MAX_DESTS]);
	if (tb[TWMON_A_MAX_SERVICES])
		c->max_services = nla_get_u32(tb[TWMON_A_MAX_SERVICES]);
	if (tb[TWMON_A_PURGED_DEAD_NETNS])
		c->purged_dead_netns = nla_get_u64(tb[TWMON_A_PURGED_DEAD_NETNS]);
	if (tb[TWMON_A_MISSED])
		c->missed = nla_get_u64(tb[TWMON_A_MISSED]);
	if (tb[TWMON_A_CGROUPS])
		c->cgroups = nla_get_u8(tb[TWMON_A_CGROUPS]);
	if (tb[TWMON_A_MAX_CGROUPS])
		c->max_cgroups = nla_get_u32(tb[TWMON_A_MAX_CGROUPS]);
	return 0;
}

#define BIT(h) (1u << (h))

static const uint32_t figure_hooks[__TW_FIG_LAST] = {
	[TW_FIG_ENTERED] = BIT(TWMON_HOOK_BIRTH),
	[TW_FIG_ENDED_EXPIRED] = BIT(TWMON_HOOK_KILL) | BIT(TWMON_HOOK_TIMER),
	[TW_FIG_ENDED_RST] = BIT(TWMON_HOOK_KILL) | BIT(TWMON_HOOK_RX),
	[TW_FIG_ENDED_SYN] = BIT(TWMON_HOOK_KILL) | BIT(TWMON_HOOK_RX),
	[TW_FIG_ENDED_REUSE] = BIT(TWMON_HOOK_KILL),
	[TW_FIG_ENDED_ABORT] = BIT(TWMON_HOOK_KILL),
	[TW_FIG_ENDED_PURGE] = BIT(TWMON_HOOK_KILL),
	[TW_FIG_ENDED_OTHER] = BIT(TWMON_HOOK_KILL),
	[TW_FIG_OVERFLOW] = BIT(TWMON_HOOK_ALLOC),
	[TW_FIG_CONNECT_EADDRNOTAVAIL] = BIT(TWMON_HOOK_CONNECT),
	[TW_FIG_LINGER_ABORT] = BIT(TWMON_HOOK_CLOSE),
	[TW_FIG_AGES] = BIT(TWMON_HOOK_REARM),
};

uint32_t tw_figure_hooks(enum tw_figure f)
{
	return (unsigned int)f < __TW_FIG_LAST ? figure_hooks[f] : 0;
}

bool tw_figure_available(uint32_t hooks, enum tw_figure f)
{
	uint32_t need = tw_figure_hooks(f);

	return (unsigned int)f < __TW_FIG_LAST && (hooks & need) == need;
}

enum tw_figure tw_reason_figure(int reason)
{
	if (reason < TWMON_END_EXPIRED || reason > TWMON_END_MAX)
		return __TW_FIG_LAST;
	return TW_FIG_ENDED_EXPIRED + (reason - TWMON_END_EXPIRED);
}

const char *tw_reason_name(int reason)
{
	if (reason < TWMON_END_EXPIRED || reason > TWMON_END_MAX)
		return NULL;
	return end_names[reason];
}

const char *tw_hook_name(int hook)
{
	static const char *const names[__TWMON_HOOK_LAST] = {
		[TWMON_HOOK_BIRTH] = "birth",	  [TWMON_HOOK_KILL] = "kill",
		[TWMON_HOOK_TIMER] = "timer",	  [TWMON_HOOK_RX] = "rx",
		[TWMON_HOOK_REARM] = "rearm",	  [TWMON_HOOK_ALLOC] = "alloc",
		[TWMON_HOOK_CONNECT] = "connect", [TWMON_HOOK_CLOSE] = "close",
	};

	if (hook < 0 || hook >= __TWMON_HOOK_LAST)
		return NULL;
	return names[hook];
}

const char *tw_substate_name(uint8_t substate)
{
	switch (substate) {
	case TW_TCP_TIME_WAIT:
		return "time-wait";
	case TW_TCP_FIN_WAIT2:
		return "fin-wait-2";
	}
	return NULL;
}

uint8_t tw_substate_parse(const char *s)
{
	if (!strcmp(s, "time-wait"))
		return TW_TCP_TIME_WAIT;
	if (!strcmp(s, "fin-wait-2"))
		return TW_TCP_FIN_WAIT2;
	return 0;
}

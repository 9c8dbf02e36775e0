// SPDX-License-Identifier: GPL-2.0
/* tw-stat events: decoding and printing of the multicast groups */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>

#include "addr.h"
#include "cgroup.h"
#include "events.h"
#include "netns.h"
#include "print.h"

static const char *const event_names[__TWMON_EV_LAST] = {
	[TWMON_EV_OVERFLOW_BEGIN] = "overflow-begin",
	[TWMON_EV_OVERFLOW_END] = "overflow-end",
	[TWMON_EV_EADDRNOTAVAIL_BEGIN] = "eaddrnotavail-begin",
	[TWMON_EV_EADDRNOTAVAIL_END] = "eaddrnotavail-end",
	[TWMON_EV_BUCKETS_HIGH] = "buckets-high",
	[TWMON_EV_BUCKETS_OK] = "buckets-ok",
	[TWMON_EV_POOL_HIGH] = "pool-high",
	[TWMON_EV_POOL_OK] = "pool-ok",
	[TWMON_EV_LINGER_ABORT] = "linger-abort",
};

const char *tw_event_name(uint32_t type)
{
	return type < __TWMON_EV_LAST ? event_names[type] : NULL;
}

const char *tw_group_name(enum tw_group g)
{
	return g == TW_GRP_STATS ? "stats" : "events";
}

uint64_t tw_seq_check(struct tw_seq_track *t, uint32_t inum, enum tw_group g, uint64_t seq)
{
	uint64_t lost = 0;
	size_t i;

	for (i = 0; i < t->n && t->ns[i].inum != inum; i++)
		;
	if (i == t->n) {
		if (t->n == TW_SEQ_NETNS) /* forget the oldest */
			memmove(&t->ns[0], &t->ns[1], --t->n * sizeof(t->ns[0]));
		i = t->n++;
		memset(&t->ns[i], 0, sizeof(t->ns[i]));
		t->ns[i].inum = inum;
	}
	if (t->ns[i].seen[g] && seq > t->ns[i].last[g] + 1)
		lost = seq - t->ns[i].last[g] - 1;
	t->ns[i].seen[g] = true;
	t->ns[i].last[g] = seq;
	return lost;
}

void tw_seq_forget(struct tw_seq_track *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		memset(t->ns[i].seen, 0, sizeof(t->ns[i].seen));
}

/* Text: local time with milliseconds; JSON: seconds since the epoch */
static void print_ts(double ts)
{
	long long ms = llround(ts * 1000.0);
	time_t sec = (time_t)(ms / 1000);
	struct tm tm;
	char buf[32];

	print_decimal(PRINT_JSON, "ts", NULL, ts, 3, true);
	if (print_is_json())
		return;
	localtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	print_text("%s.%03lld", buf, ms % 1000);
}

static void print_netns(uint32_t inum, const char *name)
{
	if (inum)
		print_uint(PRINT_ANY, "netns_inum", "  netns %s", inum);
	else
		print_null(PRINT_JSON, "netns_inum", NULL, NULL); /* the socket, not one */
	print_string(PRINT_JSON, "netns", NULL, name);
	if (name)
		print_text(" (%s)", name);
}

static void print_addr(const char *key, uint8_t family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (tw_addr_str(family, addr, tw_family_addr_len(family), buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	print_string(PRINT_JSON, key, NULL, buf);
}

/* The cgroup behind an event: its id and path (null: none, or not found) */
static void print_cgroup(uint64_t id)
{
	char *path = NULL, shown[512];

	if (!id) {
		print_null(PRINT_JSON, "cgroup_id", NULL, NULL);
		print_null(PRINT_JSON, "cgroup", NULL, NULL);
		return;
	}
	print_uint(PRINT_JSON, "cgroup_id", NULL, id);
	if (tw_cgroup_paths(TW_CGROUP_ROOT, &id, 1, &path) || !path) {
		print_null(PRINT_JSON, "cgroup", NULL, NULL);
		print_text("  cgroup id %llu", (unsigned long long)id);
		return;
	}
	print_string(PRINT_JSON, "cgroup", NULL, path);
	tw_cgroup_display(path, shown, sizeof(shown));
	print_text("  cgroup %s", shown);
	free(path);
}

void tw_show_event(double ts, const struct tw_event_msg *m, const struct tw_event *e,
		   const char *name)
{
	const char *type = tw_event_name(e->type);
	char tbuf[32], local[INET6_ADDRSTRLEN], remote[TW_ENDPOINT_LEN];
	size_t alen = tw_family_addr_len(e->family);

	if (!type) {
		snprintf(tbuf, sizeof(tbuf), "unknown-%u", e->type);
		type = tbuf;
	}
	open_json_object(NULL);
	print_ts(ts);
	print_netns(m->netns_inum, name);
	print_uint(PRINT_JSON, "seq", NULL, m->seq);
	print_string(PRINT_ANY, "type", "  %-20s", type);
	print_count(PRINT_ANY, "value", "  value %s", e->value);
	print_count(PRINT_ANY, "threshold", "  threshold %s", e->threshold);
	if (e->has_pool) {
		print_string(PRINT_JSON, "family", NULL, tw_family_name(e->family));
		print_addr("local", e->family, e->laddr);
		print_addr("remote", e->family, e->raddr);
		print_uint(PRINT_JSON, "rport", NULL, e->rport);
		if (tw_addr_str(e->family, e->laddr, alen, local, sizeof(local)))
			snprintf(local, sizeof(local), "?");
		if (tw_endpoint_str(e->family, e->raddr, alen, e->rport, remote, sizeof(remote)))
			snprintf(remote, sizeof(remote), "?");
		print_text("  pool %s -> %s", local, remote);
	} else {
		print_null(PRINT_JSON, "family", NULL, NULL);
		print_null(PRINT_JSON, "local", NULL, NULL);
		print_null(PRINT_JSON, "remote", NULL, NULL);
		print_null(PRINT_JSON, "rport", NULL, NULL);
	}
	print_cgroup(e->cgroup_id);
	print_text("\n");
	close_json_object();
}

void tw_show_lost(double ts, uint32_t inum, const char *group, uint64_t lost, const char *why)
{
	char n[32];

	open_json_object(NULL);
	print_ts(ts);
	print_netns(inum, NULL);
	print_string(PRINT_JSON, "type", NULL, "lost");
	print_string(PRINT_JSON, "group", NULL, group);
	if (lost) {
		print_uint(PRINT_JSON, "lost", NULL, lost);
		snprintf(n, sizeof(n), "%llu", (unsigned long long)lost);
	} else {
		print_null(PRINT_JSON, "lost", NULL, NULL);
		snprintf(n, sizeof(n), "some");
	}
	print_string(PRINT_JSON, "reason", NULL, why);
	print_text("  lost %s message%s", n, lost == 1 ? "" : "s");
	if (group)
		print_text(" of the %s group", group);
	print_text(" (%s), resyncing\n", why);
	close_json_object();
}

void tw_show_snapshot(double ts, const char *type, const struct tw_stats *s, uint64_t seq,
		      const char *name)
{
	bool avail;

	open_json_object(NULL);
	print_ts(ts);
	print_netns(s->netns_inum, name);
	if (seq)
		print_uint(PRINT_JSON, "seq", NULL, seq);
	else
		print_null(PRINT_JSON, "seq", NULL, NULL);
	print_string(PRINT_ANY, "type", "  %-20s", type);
	print_count(PRINT_ANY, "live", "  live %s", s->live);
	print_count(PRINT_ANY, "max_tw_buckets", " of %s", s->max_tw_buckets);
	avail = tw_figure_available(s->hooks, TW_FIG_ENTERED);
	print_count_opt(PRINT_ANY, "entered", "  entered %s", s->entered, avail);
	avail = tw_figure_available(s->hooks, TW_FIG_OVERFLOW);
	print_count_opt(PRINT_ANY, "overflow", "  overflow %s", s->overflow, avail);
	avail = tw_figure_available(s->hooks, TW_FIG_CONNECT_EADDRNOTAVAIL);
	print_count_opt(PRINT_ANY, "connect_eaddrnotavail", "  eaddrnotavail %s",
			s->connect_eaddrnotavail, avail);
	avail = tw_figure_available(s->hooks, TW_FIG_LINGER_ABORT);
	print_count_opt(PRINT_ANY, "linger_abort", "  linger-abort %s", s->linger_abort, avail);
	print_count(PRINT_JSON, "untracked", NULL, s->untracked);
	print_text("\n");
	close_json_object();
}

void tw_show_notice(double ts, const char *type, const char *text)
{
	open_json_object(NULL);
	print_ts(ts);
	print_string(PRINT_ANY, "type", "  %s", type);
	print_string(PRINT_ANY, "message", ": %s\n", text);
	close_json_object();
}

static const char *ns_name(struct tw_events_ctx *c, uint32_t inum, char *buf, size_t len)
{
	if (c->netns)
		return c->netns;
	if (!c->netns_dir || tw_netns_name(c->netns_dir, inum, buf, len))
		return NULL;
	return buf;
}

static int flush(struct tw_events_ctx *c)
{
	if (print_flush()) {
		snprintf(c->err, sizeof(c->err), "writing the output: %s", strerror(errno));
		return TW_EV_ERROR;
	}
	return TW_EV_MORE;
}

static int lost_check(struct tw_events_ctx *c, double ts, uint32_t inum, enum tw_group g,
		      uint64_t seq)
{
	uint64_t lost = tw_seq_check(&c->seq, inum, g, seq);

	if (!lost)
		return TW_EV_MORE;
	c->resync = true;
	tw_show_lost(ts, inum, tw_group_name(g), lost, "sequence gap");
	return flush(c);
}

static int on_events(struct tw_events_ctx *c, const struct nlmsghdr *nlh, double ts)
{
	struct tw_event_msg m;
	char name[256];
	const char *nm;
	int r = TW_EV_MORE;
	size_t i;

	if (tw_parse_event_msg(nlh, &m, c->err, sizeof(c->err)))
		return TW_EV_ERROR;
	r = lost_check(c, ts, m.netns_inum, TW_GRP_EVENTS, m.seq);
	nm = ns_name(c, m.netns_inum, name, sizeof(name));
	for (i = 0; r == TW_EV_MORE && i < m.n; i++) {
		tw_show_event(ts, &m, &m.ev[i], nm);
		r = flush(c);
		if (r == TW_EV_MORE && c->count && ++c->events >= c->count)
			r = TW_EV_DONE;
	}
	tw_event_msg_free(&m);
	return r;
}

static int on_stats(struct tw_events_ctx *c, const struct nlmsghdr *nlh, double ts)
{
	struct tw_stats s;
	uint64_t seq;
	char name[256];
	int r;

	if (tw_parse_stats_notify(nlh, &s, &seq, c->err, sizeof(c->err)))
		return TW_EV_ERROR;
	r = lost_check(c, ts, s.netns_inum, TW_GRP_STATS, seq);
	if (r != TW_EV_MORE || !c->stats)
		return r;
	tw_show_snapshot(ts, "stats", &s, seq, ns_name(c, s.netns_inum, name, sizeof(name)));
	return flush(c);
}

/* nlctrl's NEWFAMILY / DELFAMILY for "twmon" */
static int on_ctrl(struct tw_events_ctx *c, const struct nlmsghdr *nlh)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct genlmsghdr *g;

	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0))
		return TW_EV_MORE;
	g = genlmsg_hdr((struct nlmsghdr *)nlh);
	if (g->cmd != CTRL_CMD_NEWFAMILY && g->cmd != CTRL_CMD_DELFAMILY)
		return TW_EV_MORE;
	if (nla_parse(tb, CTRL_ATTR_MAX, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), NULL) < 0 ||
	    !tb[CTRL_ATTR_FAMILY_NAME] ||
	    strncmp(nla_data(tb[CTRL_ATTR_FAMILY_NAME]), TWMON_GENL_NAME,
		    nla_len(tb[CTRL_ATTR_FAMILY_NAME])))
		return TW_EV_MORE;
	if (g->cmd == CTRL_CMD_DELFAMILY)
		c->unloaded = true;
	else
		c->loaded = true;
	return TW_EV_MORE;
}

int tw_events_handle(struct tw_events_ctx *c, const struct nlmsghdr *nlh, double ts)
{
	struct genlmsghdr *g;

	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return on_ctrl(c, nlh);
	if (nlh->nlmsg_type != c->family || c->family <= 0)
		return TW_EV_MORE; /* NLMSG_NOOP, another family: not ours */
	if (!genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0)) {
		snprintf(c->err, sizeof(c->err), "truncated twmon message (%u bytes)",
			 nlh->nlmsg_len);
		return TW_EV_ERROR;
	}
	g = genlmsg_hdr((struct nlmsghdr *)nlh);
	if (g->cmd == TWMON_CMD_EVENT)
		return on_events(c, nlh, ts);
	if (g->cmd == TWMON_CMD_STATS_NOTIFY)
		return on_stats(c, nlh, ts);
	return TW_EV_MORE; /* a newer command: ignore */
}

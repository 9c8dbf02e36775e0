// SPDX-License-Identifier: GPL-2.0
/* Requests whose replies are collected into growable arrays */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/twmon.h>

#include "addr.h"
#include "fetch.h"

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * size);
	if (!p) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	return p;
}

static int stats_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	struct stats_vec *sv = arg;

	sv->v = grow(sv->v, &sv->cap, sv->n, sizeof(*sv->v));
	if (tw_parse_stats(nlh, &sv->v[sv->n], err, errlen))
		return -EBADMSG;
	sv->n++;
	return 0;
}

static void stats_reset(void *arg)
{
	((struct stats_vec *)arg)->n = 0;
}

static int entry_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	struct entry_vec *ev = arg;

	ev->v = grow(ev->v, &ev->cap, ev->n, sizeof(*ev->v));
	if (ev->parse(nlh, &ev->v[ev->n], err, errlen))
		return -EBADMSG;
	ev->n++;
	return 0;
}

static void entry_reset(void *arg)
{
	((struct entry_vec *)arg)->n = 0;
}

static int fill_all_netns(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_flag(msg, TWMON_A_ALL_NETNS);
}

int tw_fetch_stats(struct tw_nl *nl, bool all, struct stats_vec *sv, char *err, size_t errlen)
{
	struct tw_nl_req req = {
		.cmd = TWMON_CMD_GET_STATS,
		.dump = all,
		.name = all ? "GET_STATS for all namespaces" : "GET_STATS",
		.fill = all ? fill_all_netns : NULL,
		.reply = stats_reply,
		.reset = stats_reset,
		.arg = sv,
	};
	int r;

	sv->n = 0;
	r = tw_nl_request(nl, &req, err, errlen);
	if (r)
		return r;
	if (!all && sv->n != 1) {
		snprintf(err, errlen, "GET_STATS: %zu replies, expected one", sv->n);
		return -EBADMSG;
	}
	return 0;
}

/* Request filters: only those given, with the address length of the family */
struct filter_arg {
	const struct tw_opts *o;
	unsigned int use; /* OPT_* to send */
};

static int fill_filter(struct nl_msg *msg, void *arg)
{
	const struct filter_arg *fa = arg;
	const struct tw_filter *f;
	unsigned int g;
	int len;

	if (!fa->o)
		return 0;
	f = &fa->o->f;
	g = fa->o->given & fa->use;
	len = tw_family_addr_len(f->family);
	if (f->family && nla_put_u8(msg, TWMON_A_FAMILY, f->family))
		return -1;
	if ((g & OPT_SRC) && nla_put(msg, TWMON_A_LOCAL_ADDR, len, f->src))
		return -1;
	if ((g & OPT_SPORT) && nla_put_u16(msg, TWMON_A_LOCAL_PORT, f->sport))
		return -1;
	if ((g & OPT_DST) && nla_put(msg, TWMON_A_REMOTE_ADDR, len, f->dst))
		return -1;
	if ((g & OPT_DPORT) && nla_put_u16(msg, TWMON_A_REMOTE_PORT, f->dport))
		return -1;
	if ((g & OPT_STATE) && nla_put_u8(msg, TWMON_A_SUBSTATE, f->substate))
		return -1;
	if ((g & OPT_BY_CGROUP) && nla_put_flag(msg, TWMON_A_BY_CGROUP))
		return -1;
	if ((g & OPT_CGROUP) && nla_put_u64(msg, TWMON_A_CGROUP_ID, f->cgroup_id))
		return -1;
	return 0;
}

int tw_fetch_entries(struct tw_nl *nl, const struct tw_opts *o, uint8_t cmd, const char *name,
		     unsigned int filters, struct entry_vec *ev, char *err, size_t errlen)
{
	struct filter_arg fa = { o, filters };
	struct tw_nl_req req = {
		.cmd = cmd,
		.dump = true,
		.name = name,
		.fill = fill_filter,
		.fill_arg = &fa,
		.reply = entry_reply,
		.reset = entry_reset,
		.arg = ev,
	};

	return tw_nl_request(nl, &req, err, errlen);
}

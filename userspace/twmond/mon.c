// SPDX-License-Identifier: GPL-2.0
/* twmond's control and event sockets; resync signals */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/twmon.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "addr.h"
#include "mon.h"

#define MON_BUF (64 * 1024)

enum { GRP_STATS, GRP_EVENTS };

bool twd_mon_is_open(const struct twd_mon *m)
{
	return m->ctl.sk && m->ev.sk;
}

int twd_mon_fd(const struct twd_mon *m)
{
	return m->ev.sk ? nl_socket_get_fd(m->ev.sk) : -1;
}

void twd_mon_reset_seq(struct twd_mon *m)
{
	m->seq[0] = m->seq[1] = 0;
}

int twd_mon_set_rcvbuf(struct twd_mon *m, unsigned int bytes)
{
	socklen_t l = sizeof(int);
	int got = 0, r;

	r = nl_socket_set_buffer_size(m->ev.sk, bytes, 0);
	if (r < 0)
		return -EINVAL;
	if (!getsockopt(nl_socket_get_fd(m->ev.sk), SOL_SOCKET, SO_RCVBUF, &got, &l))
		m->rcvbuf = got;
	return 0;
}

void twd_mon_close(struct twd_mon *m)
{
	tw_nl_close(&m->ctl);
	tw_nl_close(&m->ev);
	free(m->buf);
	m->buf = NULL;
	twd_mon_reset_seq(m);
}

int twd_mon_open(struct twd_mon *m, unsigned int rcvbuf, char *err, size_t errlen)
{
	int r;

	memset(m, 0, sizeof(*m));
	r = tw_nl_open(&m->ctl, err, errlen);
	if (r)
		return r;
	r = tw_nl_open(&m->ev, err, errlen);
	if (r)
		goto fail;
	m->grp_stats = genl_ctrl_resolve_grp(m->ev.sk, TWMON_GENL_NAME, TWMON_MCGRP_STATS);
	m->grp_events = genl_ctrl_resolve_grp(m->ev.sk, TWMON_GENL_NAME, TWMON_MCGRP_EVENTS);
	if (m->grp_stats < 0 || m->grp_events < 0) {
		snprintf(err, errlen, "cannot resolve the twmon multicast groups: %s",
			 nl_geterror(m->grp_stats < 0 ? m->grp_stats : m->grp_events));
		r = -ENOENT;
		goto fail;
	}
	nl_socket_disable_seq_check(m->ev.sk);
	r = nl_socket_add_memberships(m->ev.sk, m->grp_stats, m->grp_events, 0);
	if (r < 0) {
		snprintf(err, errlen, "cannot join the twmon multicast groups: %s", nl_geterror(r));
		r = -EIO;
		goto fail;
	}
	if (rcvbuf && twd_mon_set_rcvbuf(m, rcvbuf)) {
		snprintf(err, errlen, "cannot set the receive buffer to %u bytes", rcvbuf);
		r = -EINVAL;
		goto fail;
	}
	nl_socket_set_nonblocking(m->ev.sk);
	m->buflen = MON_BUF;
	m->buf = malloc(m->buflen);
	if (!m->buf) {
		snprintf(err, errlen, "out of memory");
		r = -ENOMEM;
		goto fail;
	}
	return 0;
fail:
	twd_mon_close(m);
	return r;
}

/* Returns true if the sequence number continues the last one */
static bool seq_ok(struct twd_mon *m, int grp, uint32_t netns, uint64_t seq)
{
	bool ok = !m->seq[grp] || m->seq_netns[grp] != netns || seq == m->seq[grp] + 1;

	m->seq[grp] = seq;
	m->seq_netns[grp] = netns;
	return ok;
}

/* Tell the callback when a message of group grp follows a gap */
static void check_seq(struct twd_mon *m, int grp, uint32_t netns, uint64_t seq,
		      const struct twd_mon_cb *cb)
{
	uint64_t prev = m->seq[grp];
	char why[96];

	if (!seq_ok(m, grp, netns, seq) && cb->lost) {
		snprintf(why, sizeof(why), "sequence gap in the %s group (%llu after %llu)",
			 grp == GRP_STATS ? "stats" : "events", (unsigned long long)seq,
			 (unsigned long long)prev);
		cb->lost(why, cb->arg);
	}
}

static int decode_events(struct twd_mon *m, const struct nlmsghdr *nlh, const struct twd_mon_cb *cb,
			 char *err, size_t errlen)
{
	struct tw_event_msg em;
	size_t i;
	int r;

	r = tw_parse_event_msg(nlh, &em, err, errlen);
	if (r)
		return r;
	check_seq(m, GRP_EVENTS, em.netns_inum, em.seq, cb);
	for (i = 0; i < em.n && cb->event; i++) {
		const struct tw_event *e = &em.ev[i];
		struct twd_kevent ev = {
			.type = e->type,
			.value = e->value,
			.threshold = e->threshold,
			.has_pool = e->has_pool,
		};

		if (e->has_pool) {
			ev.pool.family = e->family;
			memcpy(ev.pool.laddr, e->laddr, sizeof(ev.pool.laddr));
			memcpy(ev.pool.raddr, e->raddr, sizeof(ev.pool.raddr));
			ev.pool.rport = e->rport;
		}
		cb->event(em.netns_inum, &ev, cb->arg);
	}
	tw_event_msg_free(&em);
	return 0;
}

static int decode_stats(struct twd_mon *m, const struct nlmsghdr *nlh, const struct twd_mon_cb *cb,
			char *err, size_t errlen)
{
	struct tw_stats st;
	uint64_t seq;
	int r;

	r = tw_parse_stats_notify(nlh, &st, &seq, err, errlen);
	if (r)
		return r;
	check_seq(m, GRP_STATS, st.netns_inum, seq, cb);
	if (cb->stats)
		cb->stats(&st, cb->arg);
	return 0;
}

int twd_mon_decode(struct twd_mon *m, const struct nlmsghdr *nlh, const struct twd_mon_cb *cb,
		   char *err, size_t errlen)
{
	struct genlmsghdr *g;

	if (nlh->nlmsg_len < NLMSG_HDRLEN || !genlmsg_valid_hdr((struct nlmsghdr *)nlh, 0)) {
		snprintf(err, errlen, "truncated multicast message");
		return -EBADMSG;
	}
	if (m->ev.sk && nlh->nlmsg_type != m->ev.family)
		return 0; /* nlctrl or others: not ours */
	g = genlmsg_hdr((struct nlmsghdr *)nlh);
	if (g->cmd == TWMON_CMD_STATS_NOTIFY)
		return decode_stats(m, nlh, cb, err, errlen);
	if (g->cmd == TWMON_CMD_EVENT)
		return decode_events(m, nlh, cb, err, errlen);
	return 0;
}

int twd_mon_read(struct twd_mon *m, const struct twd_mon_cb *cb, char *err, size_t errlen)
{
	int fd = twd_mon_fd(m);

	for (;;) {
		struct sockaddr_nl from = { 0 };
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, m->buf, m->buflen, MSG_DONTWAIT, (struct sockaddr *)&from,
				     &fl);
		struct nlmsghdr *nlh;
		int len;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return 0;
			if (errno == ENOBUFS) {
				if (cb->lost)
					cb->lost("ENOBUFS on the event socket", cb->arg);
				continue;
			}
			snprintf(err, errlen, "event socket: %s", strerror(errno));
			return -errno;
		}
		if (n == 0)
			return 0;
		if (fl < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid) {
			m->foreign++; /* any process may send to our port id: only the kernel counts
				       */
			continue;
		}
		len = n;
		for (nlh = (struct nlmsghdr *)m->buf; NLMSG_OK(nlh, len);
		     nlh = NLMSG_NEXT(nlh, len)) {
			char e[TW_NL_ERR_LEN];

			if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			if (twd_mon_decode(m, nlh, cb, e, sizeof(e)) && cb->lost) {
				/* a message we cannot read is a message lost */
				char why[TW_NL_ERR_LEN + 32];

				snprintf(why, sizeof(why), "undecodable message: %s", e);
				cb->lost(why, cb->arg);
			}
		}
	}
}

struct stats_arg {
	void (*fn)(const struct tw_stats *, void *);
	void *arg;
};

static int stats_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	struct stats_arg *sa = arg;
	struct tw_stats st;
	int r = tw_parse_stats(nlh, &st, err, errlen);

	if (!r)
		sa->fn(&st, sa->arg);
	return r;
}

static int put_all(struct nl_msg *msg, void *arg)
{
	(void)arg;
	return nla_put_flag(msg, TWMON_A_ALL_NETNS);
}

int twd_mon_get_stats(struct twd_mon *m, bool all, void (*fn)(const struct tw_stats *, void *),
		      void *arg, char *err, size_t errlen)
{
	struct stats_arg sa = { fn, arg };
	struct tw_nl_req req = {
		.cmd = TWMON_CMD_GET_STATS,
		.dump = all,
		.name = "GET_STATS",
		.fill = all ? put_all : NULL,
		.reply = stats_reply,
		.arg = &sa,
	};

	return tw_nl_request(&m->ctl, &req, err, errlen);
}

struct entries {
	struct tw_entry *e;
	unsigned int n, cap;
	int (*parse)(const struct nlmsghdr *, struct tw_entry *, char *, size_t);
};

static int entry_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	struct entries *es = arg;
	int r;

	if (es->n == es->cap) {
		unsigned int cap = es->cap ? es->cap * 2 : 64;
		struct tw_entry *e = realloc(es->e, cap * sizeof(*e));

		if (!e) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		es->e = e;
		es->cap = cap;
	}
	r = es->parse(nlh, &es->e[es->n], err, errlen);
	if (!r)
		es->n++;
	return r;
}

static void entry_reset(void *arg)
{
	((struct entries *)arg)->n = 0;
}

static int put_netns(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, TWMON_A_NETNS_INUM, *(uint32_t *)arg);
}

/* GET_DESTS split by cgroup: the flag, and the namespace unless ours (0) */
static int put_by_cgroup(struct nl_msg *msg, void *arg)
{
	uint32_t inum = *(uint32_t *)arg;

	if (inum && put_netns(msg, arg))
		return -1;
	return nla_put_flag(msg, TWMON_A_BY_CGROUP);
}

/* A dump into an array; inum 0: ours; by_cgroup: GET_DESTS split by cgroup */
static int get_entries(struct twd_mon *m, uint8_t cmd, const char *name, uint32_t inum,
		       bool by_cgroup,
		       int (*parse)(const struct nlmsghdr *, struct tw_entry *, char *, size_t),
		       struct tw_entry **e, unsigned int *n, char *err, size_t errlen)
{
	struct entries es = { .parse = parse };
	struct tw_nl_req req = {
		.cmd = cmd,
		.dump = true,
		.name = name,
		.fill = by_cgroup ? put_by_cgroup
			: inum	  ? put_netns
				  : NULL,
		.fill_arg = &inum,
		.reply = entry_reply,
		.reset = entry_reset,
		.arg = &es,
	};
	int r = tw_nl_request(&m->ctl, &req, err, errlen);

	if (r) {
		free(es.e);
		return r;
	}
	*e = es.e;
	*n = es.n;
	return 0;
}

int twd_mon_get_dests(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
		      char *err, size_t errlen)
{
	return get_entries(m, TWMON_CMD_GET_DESTS, "GET_DESTS", inum, false, tw_parse_dest, e, n,
			   err, errlen);
}

int twd_mon_get_services(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			 char *err, size_t errlen)
{
	return get_entries(m, TWMON_CMD_GET_SERVICES, "GET_SERVICES", inum, false, tw_parse_service,
			   e, n, err, errlen);
}

int twd_mon_get_pool_cgroups(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			     char *err, size_t errlen)
{
	return get_entries(m, TWMON_CMD_GET_DESTS, "GET_DESTS by cgroup", inum, true, tw_parse_dest,
			   e, n, err, errlen);
}

int twd_mon_get_cgroups(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			char *err, size_t errlen)
{
	return get_entries(m, TWMON_CMD_GET_CGROUPS, "GET_CGROUPS", inum, false, tw_parse_cgroup, e,
			   n, err, errlen);
}

static int config_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	return tw_parse_config(nlh, arg, err, errlen);
}

int twd_mon_get_config(struct twd_mon *m, struct tw_config *c, char *err, size_t errlen)
{
	struct tw_nl_req req = {
		.cmd = TWMON_CMD_GET_CONFIG,
		.name = "GET_CONFIG",
		.reply = config_reply,
		.arg = c,
	};

	return tw_nl_request(&m->ctl, &req, err, errlen);
}

static int put_interval(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, TWMON_A_STATS_INTERVAL_MS, *(unsigned int *)arg);
}

static int no_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	(void)nlh;
	(void)arg;
	(void)err;
	(void)errlen;
	return 0;
}

int twd_mon_set_interval(struct twd_mon *m, unsigned int ms, char *err, size_t errlen)
{
	struct tw_nl_req req = {
		.cmd = TWMON_CMD_SET_CONFIG,
		.name = "SET_CONFIG",
		.fill = put_interval,
		.fill_arg = &ms,
		.reply = no_reply,
	};

	return tw_nl_request(&m->ctl, &req, err, errlen);
}

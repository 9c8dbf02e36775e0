// SPDX-License-Identifier: GPL-2.0
/* The twmon generic netlink socket */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/twmon.h>
#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int tw_nl_connect(struct tw_nl *nl, char *err, size_t errlen)
{
	int one = 1, r;

	nl->family = -1;
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		snprintf(err, errlen, "cannot allocate a netlink socket");
		return -ENOMEM;
	}
	r = genl_connect(nl->sk);
	if (r < 0) {
		snprintf(err, errlen, "cannot open a generic netlink socket: %s", nl_geterror(r));
		tw_nl_close(nl);
		return -EIO;
	}
	/* libnl leaves these off: the kernel's error text, without the echo */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_enable_msg_peek(nl->sk);
	return 0;
}

int tw_nl_open(struct tw_nl *nl, char *err, size_t errlen)
{
	int r;

	r = tw_nl_connect(nl, err, errlen);
	if (r)
		return r;
	r = genl_ctrl_resolve(nl->sk, TWMON_GENL_NAME);
	if (r == -NLE_OBJ_NOTFOUND) {
		snprintf(err, errlen, "twmon kernel module is not loaded (modprobe twmon)");
		tw_nl_close(nl);
		return -ENOENT;
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot resolve the generic netlink family \"%s\": %s",
			 TWMON_GENL_NAME, nl_geterror(r));
		tw_nl_close(nl);
		return -EIO;
	}
	nl->family = r;
	return 0;
}

void tw_nl_close(struct tw_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

int tw_nl_extack(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	size_t off, alen;

	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EBADMSG;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return -ENOENT;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);
		size_t payload = sizeof(*e);

		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
			return -EBADMSG;
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
			if (e->msg.nlmsg_len < NLMSG_HDRLEN)
				return -EBADMSG;
			payload += e->msg.nlmsg_len - NLMSG_HDRLEN;
		}
		off = NLMSG_HDRLEN + NLMSG_ALIGN(payload);
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
	} else {
		return -ENOENT;
	}
	if (off > nlh->nlmsg_len)
		return -EBADMSG;
	alen = nlh->nlmsg_len - off;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off), alen, NULL) < 0)
		return -EBADMSG;
	if (!tb[NLMSGERR_ATTR_MSG] || nla_len(tb[NLMSGERR_ATTR_MSG]) < 1)
		return -ENOENT;
	/* the attribute need not be terminated: copy at most its length */
	snprintf(buf, len, "%.*s",
		 (int)strnlen(nla_data(tb[NLMSGERR_ATTR_MSG]), nla_len(tb[NLMSGERR_ATTR_MSG])),
		 (const char *)nla_data(tb[NLMSGERR_ATTR_MSG]));
	return buf[0] ? 0 : -ENOENT;
}

struct req_state {
	const struct tw_nl_req *req;
	bool done, intr;
	int error; /* negative errno */
	char *err;
	size_t errlen;
};

static void kernel_error(struct req_state *st, const struct nlmsghdr *nlh, int error)
{
	char ext[256];

	st->error = error;
	st->done = true;
	if (!tw_nl_extack(nlh, ext, sizeof(ext)))
		snprintf(st->err, st->errlen, "%s: %s", ext, strerror(-error));
	else
		snprintf(st->err, st->errlen, "%s: %s", st->req->name, strerror(-error));
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;
	int r;

	r = st->req->reply(nlmsg_hdr(msg), st->req->arg, st->err, st->errlen);
	if (r < 0) {
		st->error = r;
		return NL_STOP;
	}
	return NL_OK;
}

static int on_finish(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct req_state *st = arg;
	int error;

	st->done = true;
	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&error, NLMSG_DATA(nlh), sizeof(error));
		if (error < 0)
			kernel_error(st, nlh, error);
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	(void)msg;
	st->done = true;
	return NL_STOP;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);

	(void)nla;
	kernel_error(arg, nlh, e->error < 0 ? e->error : -EPROTO);
	return NL_STOP;
}

/* Only the kernel (port id 0) answers: another process may send to our port id */
static int on_msg_in(struct nl_msg *msg, void *arg)
{
	struct sockaddr_nl *from = nlmsg_get_src(msg);

	(void)arg;
	return from && from->nl_pid == 0 ? NL_OK : NL_SKIP;
}

static int on_dump_intr(struct nl_msg *msg, void *arg)
{
	struct req_state *st = arg;

	(void)msg;
	st->intr = true;
	return NL_OK;
}

static int request_once(struct tw_nl *nl, const struct tw_nl_req *req, struct req_state *st)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int r;

	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		snprintf(st->err, st->errlen, "out of memory");
		r = -ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, req->dump ? NLM_F_DUMP : 0,
			 req->cmd, TWMON_GENL_VERSION) ||
	    (req->fill && req->fill(msg, req->fill_arg) < 0)) {
		snprintf(st->err, st->errlen, "%s: cannot build the request", req->name);
		r = -ENOMEM;
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, st);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, st);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, st);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_dump_intr, st);
	nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, on_msg_in, st);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, st);

	r = nl_send_auto(nl->sk, msg);
	if (r < 0) {
		snprintf(st->err, st->errlen, "%s: send: %s", req->name, nl_geterror(r));
		r = -EIO;
		goto out;
	}
	r = 0;
	while (!st->done && !st->error) {
		int n = nl_recvmsgs(nl->sk, cb);

		if (st->error || st->done)
			break;
		if (n < 0) {
			snprintf(st->err, st->errlen, "%s: receive: %s", req->name, nl_geterror(n));
			st->error = -EIO;
		}
	}
	r = st->error;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return r;
}

int tw_nl_request(struct tw_nl *nl, const struct tw_nl_req *req, char *err, size_t errlen)
{
	int attempt, r;

	for (attempt = 0; attempt <= TW_NL_DUMP_RETRIES; attempt++) {
		struct req_state st = { .req = req, .err = err, .errlen = errlen };

		if (attempt && req->reset)
			req->reset(req->arg);
		r = request_once(nl, req, &st);
		if (r || !st.intr)
			return r;
	}
	snprintf(err, errlen, "%s: the dump was interrupted %d times (NLM_F_DUMP_INTR)", req->name,
		 TW_NL_DUMP_RETRIES + 1);
	return -EAGAIN;
}

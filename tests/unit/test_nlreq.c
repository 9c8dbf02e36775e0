// SPDX-License-Identifier: GPL-2.0
/*
 * tw_nl_request() against a real kernel family: the generic netlink
 * controller ("nlctrl") is always there, twmon is not on a build machine.
 * It checks the receive loop: doit reply + ACK, dump to NLMSG_DONE, a kernel
 * error with its extack text, a reply the parser refuses. Skipped when the
 * sandbox has no generic netlink.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/socket.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <linux/genetlink.h>

#include "nl.h"

static struct tw_nl nl;
static char err[TW_NL_ERR_LEN];

struct seen {
	int msgs, families, resets;
	int fail_at;  /* refuse the nth reply (1-based), 0 = never */
	int nlctrl;   /* saw the family named nlctrl */
	int forged;   /* saw the family named forged */
	uint32_t seq; /* of the last reply */
};

static int reply(const struct nlmsghdr *nlh, void *arg, char *e, size_t elen)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct seen *s = arg;

	s->msgs++;
	s->seq = nlh->nlmsg_seq;
	if (s->fail_at && s->msgs == s->fail_at) {
		snprintf(e, elen, "refused reply %d", s->msgs);
		return -EBADMSG;
	}
	if (genlmsg_parse((struct nlmsghdr *)nlh, 0, tb, CTRL_ATTR_MAX, NULL) < 0)
		return -EBADMSG;
	if (tb[CTRL_ATTR_FAMILY_NAME]) {
		s->families++;
		if (!strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "nlctrl"))
			s->nlctrl = 1;
		if (!strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "forged"))
			s->forged++;
	}
	return 0;
}

static void reset(void *arg)
{
	((struct seen *)arg)->resets++;
}

static int fill_name(struct nl_msg *msg, void *arg)
{
	return nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, arg);
}

static int fill_bad_name(struct nl_msg *msg, void *arg)
{
	(void)arg;
	/* a name attribute without a NUL: the controller's policy refuses it */
	return nla_put(msg, CTRL_ATTR_FAMILY_NAME, 3, "abc");
}

static int setup(void **state)
{
	(void)state;
	if (tw_nl_connect(&nl, err, sizeof(err)))
		nl.sk = NULL;
	nl.family = GENL_ID_CTRL;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	tw_nl_close(&nl);
	return 0;
}

#define NEED_NETLINK()                                                                             \
	do {                                                                                       \
		if (!nl.sk)                                                                        \
			skip();                                                                    \
	} while (0)

static void doit_reply_and_ack(void **state)
{
	struct seen s = { 0 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .name = "GETFAMILY",
				 .fill = fill_name,
				 .fill_arg = "nlctrl",
				 .reply = reply,
				 .arg = &s };

	(void)state;
	NEED_NETLINK();
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), 0);
	assert_int_equal(s.msgs, 1);
	assert_true(s.nlctrl);
	/* the ACK was consumed: the next request starts clean */
	memset(&s, 0, sizeof(s));
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), 0);
	assert_int_equal(s.msgs, 1);
}

static void dump_to_done(void **state)
{
	struct seen s = { 0 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .dump = true,
				 .name = "GETFAMILY",
				 .reply = reply,
				 .reset = reset,
				 .arg = &s };

	(void)state;
	NEED_NETLINK();
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), 0);
	assert_true(s.families >= 1);
	assert_true(s.nlctrl);
	assert_int_equal(s.resets, 0);
}

static void kernel_error(void **state)
{
	struct seen s = { 0 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .name = "GETFAMILY",
				 .fill = fill_name,
				 .fill_arg = "tw-nofamily",
				 .reply = reply,
				 .arg = &s };

	(void)state;
	NEED_NETLINK();
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(s.msgs, 0);
	/* the socket is still usable */
	req.fill_arg = "nlctrl";
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), 0);
}

static void kernel_error_extack(void **state)
{
	struct seen s = { 0 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .name = "GETFAMILY",
				 .fill = fill_bad_name,
				 .reply = reply,
				 .arg = &s };

	(void)state;
	NEED_NETLINK();
	assert_int_not_equal(tw_nl_request(&nl, &req, err, sizeof(err)), 0);
	/* the policy's text, not just the request name and errno */
	print_message("# kernel said: %s\n", err);
	assert_null(strstr(err, "GETFAMILY:"));
}

static void reply_refused(void **state)
{
	struct seen s = { .fail_at = 1 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .dump = true,
				 .name = "GETFAMILY",
				 .reply = reply,
				 .arg = &s };

	(void)state;
	NEED_NETLINK();
	assert_int_equal(tw_nl_request(&nl, &req, err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "refused reply 1");
}

/*
 * Another process sends a reply to our port id with the sequence number our
 * request will carry, ahead of the kernel's: only the kernel's (nl_pid 0)
 * is taken (issue 12).
 */
static void forged_reply(void **state)
{
	struct seen s = { 0 };
	struct tw_nl_req req = { .cmd = CTRL_CMD_GETFAMILY,
				 .name = "GETFAMILY",
				 .fill = fill_name,
				 .fill_arg = "nlctrl",
				 .reply = reply,
				 .arg = &s };
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nl_msg *m = nlmsg_alloc();
	struct nlmsghdr *nlh;
	struct tw_nl own;
	uint32_t seq;
	int fd;

	(void)state;
	NEED_NETLINK();
	/* a socket of its own: the others' leftovers aside */
	assert_int_equal(tw_nl_connect(&own, err, sizeof(err)), 0);
	own.family = GENL_ID_CTRL;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	assert_true(fd >= 0);
	/* the sequence number is easy to guess: the last reply's plus one */
	assert_int_equal(tw_nl_request(&own, &req, err, sizeof(err)), 0);
	seq = s.seq + 1;
	memset(&s, 0, sizeof(s));
	assert_non_null(genlmsg_put(m, 0, seq, GENL_ID_CTRL, 0, 0, CTRL_CMD_NEWFAMILY, 1));
	assert_int_equal(nla_put_string(m, CTRL_ATTR_FAMILY_NAME, "forged"), 0);
	nlh = nlmsg_hdr(m);
	to.nl_pid = nl_socket_get_local_port(own.sk);
	assert_int_equal(sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)nlh->nlmsg_len);
	if (tw_nl_request(&own, &req, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(s.forged, 0);
	assert_int_equal(s.msgs, 1);
	assert_true(s.nlctrl);
	nlmsg_free(m);
	close(fd);
	tw_nl_close(&own);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(doit_reply_and_ack), cmocka_unit_test(dump_to_done),
		cmocka_unit_test(kernel_error),	      cmocka_unit_test(kernel_error_extack),
		cmocka_unit_test(reply_refused),      cmocka_unit_test(forged_reply),
	};

	return cmocka_run_group_tests_name("nlreq", tests, setup, teardown);
}

// SPDX-License-Identifier: GPL-2.0
/* The kernel's extack text, out of hand-built NLMSG_ERROR / NLMSG_DONE */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <linux/netlink.h>

#include "nl.h"

static union {
	struct nlmsghdr nlh;
	uint8_t raw[512];
} m;

static size_t put_attr(size_t off, uint16_t type, const void *data, uint16_t len)
{
	struct nlattr *a = (struct nlattr *)(m.raw + off);

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy(m.raw + off + NLA_HDRLEN, data, len);
	return off + NLA_ALIGN(a->nla_len);
}

/* An error for a request of req_payload bytes; capped: no echo */
static void build_error(int error, int capped, size_t req_payload, const char *text)
{
	struct nlmsgerr *e = NLMSG_DATA(&m.nlh);
	size_t off;

	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = NLMSG_ERROR;
	m.nlh.nlmsg_flags = (capped ? NLM_F_CAPPED : 0) | (text ? NLM_F_ACK_TLVS : 0);
	e->error = error;
	e->msg.nlmsg_len = NLMSG_HDRLEN + req_payload;
	e->msg.nlmsg_type = 0x20;
	off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*e) + (capped ? 0 : req_payload));
	memset(m.raw + NLMSG_HDRLEN + sizeof(*e), 0xaa, capped ? 0 : req_payload);
	if (text) {
		uint32_t offs = 20;

		off = put_attr(off, NLMSGERR_ATTR_OFFS, &offs, sizeof(offs));
		off = put_attr(off, NLMSGERR_ATTR_MSG, text, strlen(text) + 1);
	}
	m.nlh.nlmsg_len = off;
}

static void extack_capped(void **state)
{
	char buf[128];

	(void)state;
	build_error(-EPERM, 1, 8, "twmon: all namespaces needs CAP_NET_ADMIN");
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "twmon: all namespaces needs CAP_NET_ADMIN");
}

static void extack_uncapped(void **state)
{
	char buf[128];

	(void)state;
	/* the request is echoed first: 4 (genl header) + 8 (a u32) + 2 odd */
	build_error(-EINVAL, 0, 14, "family must be AF_INET or AF_INET6");
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "family must be AF_INET or AF_INET6");
}

static void extack_none(void **state)
{
	char buf[128];

	(void)state;
	build_error(-EPERM, 1, 8, NULL);
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), -ENOENT);
	/* the flag says TLVs, but there is no message among them */
	build_error(-EPERM, 1, 8, NULL);
	m.nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), -ENOENT);
}

static void extack_done(void **state)
{
	const char *text = "all namespaces: only GET_STATS";
	int error = -EOPNOTSUPP;
	char buf[128];
	size_t off;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.nlh.nlmsg_type = NLMSG_DONE;
	m.nlh.nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	memcpy(NLMSG_DATA(&m.nlh), &error, sizeof(error));
	off = put_attr(NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int)), NLMSGERR_ATTR_MSG, text,
		       strlen(text) + 1);
	m.nlh.nlmsg_len = off;
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), 0);
	assert_string_equal(buf, text);
}

static void extack_malformed(void **state)
{
	char buf[128];

	(void)state;
	/* too short for the nlmsgerr */
	build_error(-EPERM, 1, 8, "x");
	m.nlh.nlmsg_len = NLMSG_HDRLEN + 4;
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), -EBADMSG);
	/* an echo longer than the message */
	build_error(-EPERM, 0, 8, "x");
	((struct nlmsgerr *)NLMSG_DATA(&m.nlh))->msg.nlmsg_len = 400;
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), -EBADMSG);
	/* a message without its NUL stops at the attribute's end */
	build_error(-EPERM, 1, 8, NULL);
	{
		size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nlmsgerr));

		m.nlh.nlmsg_flags |= NLM_F_ACK_TLVS;
		off = put_attr(off, NLMSGERR_ATTR_MSG, "abcdefgh", 5);
		m.raw[off - 3] = 'Z'; /* padding, outside the attribute */
		m.nlh.nlmsg_len = off;
	}
	assert_int_equal(tw_nl_extack(&m.nlh, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "abcde");
	/* small output buffers are not overrun */
	build_error(-EPERM, 1, 8, "a long message");
	assert_int_equal(tw_nl_extack(&m.nlh, buf, 5), 0);
	assert_string_equal(buf, "a lo");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(extack_capped),    cmocka_unit_test(extack_uncapped),
		cmocka_unit_test(extack_none),	    cmocka_unit_test(extack_done),
		cmocka_unit_test(extack_malformed),
	};

	return cmocka_run_group_tests_name("nl", tests, NULL, NULL);
}

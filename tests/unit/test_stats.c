// SPDX-License-Identifier: GPL-2.0
/* Strict parsing of hand-built twmon replies */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nlbuild.h"
#include "stats.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)

static char err[TW_ERR_LEN];

/* Parses m (and frees it); returns the parser's result */
static int parse_stats_msg(struct nl_msg *m, struct tw_stats *s)
{
	int r;

	assert_non_null(m);
	err[0] = '\0';
	r = tw_parse_stats(nlmsg_hdr(m), s, err, sizeof(err));
	nlmsg_free(m);
	return r;
}

static int parse_broken_stats(enum brk_kind kind, int level, int type)
{
	struct brk b = { kind, level, type };
	struct tw_stats s;

	return parse_stats_msg(build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 1, &b), &s);
}

static void stats_values(void **state)
{
	struct tw_stats s;
	uint64_t sum = 0;
	int i, r;

	(void)state;
	assert_int_equal(parse_stats_msg(build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 1, NULL), &s),
			 0);
	assert_int_equal(s.netns_inum, REF_INUM);
	assert_int_equal(s.hooks, ALL_HOOKS);
	assert_int_equal(s.live, REF_LIVE);
	assert_int_equal(s.live_timewait, 1200);
	assert_int_equal(s.live_finwait2, 34);
	assert_int_equal(s.seeded, 100);
	assert_int_equal(s.entered, 12345);
	assert_int_equal(s.entered_timewait, 12000);
	assert_int_equal(s.entered_finwait2, 345);
	assert_int_equal(s.overflow, 7);
	assert_int_equal(s.connect_eaddrnotavail, 8);
	assert_int_equal(s.linger_abort, 9);
	assert_int_equal(s.untracked, 3);
	assert_int_equal(s.max_tw_buckets, REF_MAX_TW);
	assert_int_equal(s.port_low, REF_PORT_LOW);
	assert_int_equal(s.port_high, REF_PORT_HIGH);
	assert_int_equal(s.dests, 11);
	assert_int_equal(s.services, 5);
	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
		assert_int_equal(s.ended[r], 1000 * r);
	for (i = 0; i < TWMON_AGE_BUCKETS; i++) {
		assert_int_equal(s.ages[i], ref_age(i));
		sum += s.ages[i];
	}
	assert_int_equal(sum, s.live);
	assert_true(s.has_lifetime);
	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
		for (i = 0; i < TWMON_AGE_BUCKETS; i++)
			assert_int_equal(s.lifetime[r][i], ref_age(i) * r);
}

static void stats_without_lifetime(void **state)
{
	struct tw_stats s;

	(void)state;
	assert_int_equal(parse_stats_msg(build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL), &s),
			 0);
	assert_false(s.has_lifetime);
}

static void stats_missing_live(void **state)
{
	(void)state;
	assert_int_equal(parse_broken_stats(BRK_OMIT, 1, TWMON_S_LIVE), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_S_LIVE missing"));
}

static void stats_missing_each(void **state)
{
	static const int top[] = { TWMON_A_NETNS_INUM, TWMON_A_HOOKS, TWMON_A_STATS };
	size_t i;
	int t;

	(void)state;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		assert_int_equal(parse_broken_stats(BRK_OMIT, 0, top[i]), -EBADMSG);
	for (t = TWMON_S_LIVE; t <= TWMON_S_AGES; t++) {
		assert_int_equal(parse_broken_stats(BRK_OMIT, 1, t), -EBADMSG);
		assert_non_null(strstr(err, "missing"));
	}
	for (t = TWMON_END_EXPIRED; t <= TWMON_END_MAX; t++)
		assert_int_equal(parse_broken_stats(BRK_OMIT, 2, t), -EBADMSG);
}

static void stats_truncated_attr(void **state)
{
	(void)state;
	assert_int_equal(parse_broken_stats(BRK_SHORT, 1, TWMON_S_LIVE), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_S_LIVE has 4 bytes, expected 8"));
	assert_int_equal(parse_broken_stats(BRK_LONG, 1, TWMON_S_OVERFLOW), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_S_OVERFLOW has 12 bytes"));
	assert_int_equal(parse_broken_stats(BRK_SHORT, 1, TWMON_S_PORT_LOW), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_S_PORT_LOW has 2 bytes, expected 4"));
	assert_int_equal(parse_broken_stats(BRK_SHORT, 0, TWMON_A_HOOKS), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_A_HOOKS"));
	assert_int_equal(parse_broken_stats(BRK_SHORT, 2, TWMON_END_SYN), -EBADMSG);
	assert_non_null(strstr(err, "syn has 4 bytes"));
}

static void stats_age_buckets(void **state)
{
	struct tw_stats s;

	(void)state;
	assert_int_equal(parse_stats_msg(build_stats(ALL_HOOKS, 60, 0, NULL), &s), -EBADMSG);
	assert_non_null(strstr(err, "60 buckets, expected 61"));
	assert_int_equal(parse_stats_msg(build_stats(ALL_HOOKS, 62, 0, NULL), &s), -EBADMSG);
	assert_non_null(strstr(err, "more than 61"));
}

static void stats_age_bucket_short(void **state)
{
	struct nl_msg *m = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct nlattr *tb[TWMON_A_MAX + 1], *st[TWMON_S_MAX + 1];
	struct tw_stats s;

	(void)state;
	assert_non_null(m);
	/* turn the first bucket into a u32 in place: type kept, length cut */
	assert_int_equal(genlmsg_parse(nlmsg_hdr(m), 0, tb, TWMON_A_MAX, NULL), 0);
	assert_int_equal(nla_parse_nested(st, TWMON_S_MAX, tb[TWMON_A_STATS], NULL), 0);
	((struct nlattr *)nla_data(st[TWMON_S_AGES]))->nla_len = NLA_HDRLEN + 4;
	/* the next attribute now starts inside the old one: either error is fine */
	assert_int_equal(parse_stats_msg(m, &s), -EBADMSG);
}

static void stats_pads_and_new_attrs(void **state)
{
	struct nl_msg *m = new_reply(TWMON_CMD_GET_STATS);
	struct nl_msg *ref = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct genlmsghdr *g;
	struct tw_stats s;

	(void)state;
	assert_non_null(m);
	assert_non_null(ref);
	/* copy the reference attributes, then append ones from the future */
	g = genlmsg_hdr(nlmsg_hdr(ref));
	assert_int_equal(nlmsg_append(m, genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), 4), 0);
	assert_int_equal(nla_put_u32(m, TWMON_A_MAX + 1, 42), 0);
	assert_int_equal(nla_put(m, TWMON_A_PAD, 0, NULL), 0);
	nlmsg_free(ref);
	assert_int_equal(parse_stats_msg(m, &s), 0);
	assert_int_equal(s.live, REF_LIVE);
}

static void stats_truncated_message(void **state)
{
	struct nl_msg *m = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 1, NULL);
	struct tw_stats s;
	uint32_t full;

	(void)state;
	assert_non_null(m);
	full = nlmsg_hdr(m)->nlmsg_len;
	/* cut in the middle of the attributes: the stats nest no longer fits */
	nlmsg_hdr(m)->nlmsg_len = full / 2;
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), -EBADMSG);
	/* no room for the generic netlink header */
	nlmsg_hdr(m)->nlmsg_len = NLMSG_HDRLEN + 2;
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "truncated"));
	nlmsg_hdr(m)->nlmsg_len = 3;
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), -EBADMSG);
	nlmsg_free(m);
}

static void stats_wrong_command(void **state)
{
	struct ref_entry e = { .cmd = TWMON_CMD_GET_DESTS, .family = AF_INET };
	struct tw_stats s;

	(void)state;
	e.laddr = "10.0.0.1";
	e.raddr = "10.0.0.2";
	assert_int_equal(parse_stats_msg(build_entry(&e, NULL), &s), -EBADMSG);
	assert_non_null(strstr(err, "unexpected command"));
}

static int parse_entry_msg(struct nl_msg *m, struct tw_entry *e)
{
	int cmd, r;

	assert_non_null(m);
	cmd = genlmsg_hdr(nlmsg_hdr(m))->cmd;
	err[0] = '\0';
	if (cmd == TWMON_CMD_GET_DESTS)
		r = tw_parse_dest(nlmsg_hdr(m), e, err, sizeof(err));
	else if (cmd == TWMON_CMD_GET_SERVICES)
		r = tw_parse_service(nlmsg_hdr(m), e, err, sizeof(err));
	else
		r = tw_parse_sock(nlmsg_hdr(m), e, err, sizeof(err));
	nlmsg_free(m);
	return r;
}

static const struct ref_entry dest4 = {
	.cmd = TWMON_CMD_GET_DESTS,
	.family = AF_INET,
	.laddr = "10.1.2.3",
	.raddr = "192.0.2.80",
	.rport = 443,
	.count = 28000,
};

static const struct ref_entry dest6 = {
	.cmd = TWMON_CMD_GET_DESTS,
	.family = AF_INET6,
	.laddr = "2001:db8::1",
	.raddr = "::1",
	.rport = 8081,
	.count = 800,
};

static const struct ref_entry service4 = {
	.cmd = TWMON_CMD_GET_SERVICES,
	.family = AF_INET,
	.laddr = "127.0.0.1",
	.lport = 8080,
	.count = 1000,
};

static const struct ref_entry sock6 = {
	.cmd = TWMON_CMD_GET_SOCKS,
	.family = AF_INET6,
	.substate = 6,
	.laddr = "::ffff:192.0.2.1",
	.raddr = "2001:db8::2",
	.lport = 40000,
	.rport = 80,
	.remaining_ms = 41234,
	.age_ms = 18766,
};

static void entry_dests(void **state)
{
	uint8_t a[16];
	struct tw_entry e;

	(void)state;
	assert_int_equal(parse_entry_msg(build_entry(&dest4, NULL), &e), 0);
	assert_int_equal(e.family, AF_INET);
	inet_pton(AF_INET, "10.1.2.3", a);
	assert_memory_equal(e.laddr, a, 4);
	inet_pton(AF_INET, "192.0.2.80", a);
	assert_memory_equal(e.raddr, a, 4);
	assert_int_equal(e.rport, 443);
	assert_int_equal(e.count, 28000);

	assert_int_equal(parse_entry_msg(build_entry(&dest6, NULL), &e), 0);
	assert_int_equal(e.family, AF_INET6);
	inet_pton(AF_INET6, "::1", a);
	assert_memory_equal(e.raddr, a, 16);
	assert_int_equal(e.rport, 8081);
}

static void entry_services(void **state)
{
	struct tw_entry e;

	(void)state;
	assert_int_equal(parse_entry_msg(build_entry(&service4, NULL), &e), 0);
	assert_int_equal(e.lport, 8080);
	assert_int_equal(e.count, 1000);
}

static void entry_socks(void **state)
{
	struct tw_entry e;

	(void)state;
	assert_int_equal(parse_entry_msg(build_entry(&sock6, NULL), &e), 0);
	assert_int_equal(e.substate, 6);
	assert_int_equal(e.lport, 40000);
	assert_int_equal(e.rport, 80);
	assert_int_equal(e.remaining_ms, 41234);
	assert_int_equal(e.age_ms, 18766);
}

static void entry_missing(void **state)
{
	struct brk b = { BRK_OMIT, 3, TWMON_E_COUNT };
	struct tw_entry e;

	(void)state;
	assert_int_equal(parse_entry_msg(build_entry(&dest4, &b), &e), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_E_COUNT missing"));
	b.type = TWMON_E_REMOTE_ADDR;
	assert_int_equal(parse_entry_msg(build_entry(&dest4, &b), &e), -EBADMSG);
	b.type = TWMON_E_LOCAL_PORT;
	assert_int_equal(parse_entry_msg(build_entry(&service4, &b), &e), -EBADMSG);
	b.type = TWMON_E_AGE_MS;
	assert_int_equal(parse_entry_msg(build_entry(&sock6, &b), &e), -EBADMSG);
	b.type = TWMON_E_SUBSTATE;
	assert_int_equal(parse_entry_msg(build_entry(&sock6, &b), &e), -EBADMSG);
	b.type = TWMON_E_FAMILY;
	assert_int_equal(parse_entry_msg(build_entry(&sock6, &b), &e), -EBADMSG);
}

static void entry_truncated(void **state)
{
	struct brk b = { BRK_SHORT, 3, TWMON_E_REMOTE_PORT };
	struct tw_entry e;

	(void)state;
	assert_int_equal(parse_entry_msg(build_entry(&dest4, &b), &e), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_E_REMOTE_PORT has 1 bytes, expected 2"));
	b.type = TWMON_E_REMAINING_MS;
	assert_int_equal(parse_entry_msg(build_entry(&sock6, &b), &e), -EBADMSG);
	/* a 3-byte IPv4 address, a 15-byte and a 17-byte IPv6 one */
	b.type = TWMON_E_LOCAL_ADDR;
	assert_int_equal(parse_entry_msg(build_entry(&dest4, &b), &e), -EBADMSG);
	assert_int_equal(parse_entry_msg(build_entry(&dest6, &b), &e), -EBADMSG);
	assert_non_null(strstr(err, "15 bytes, expected 16"));
	b.kind = BRK_LONG;
	assert_int_equal(parse_entry_msg(build_entry(&dest6, &b), &e), -EBADMSG);
}

static void entry_family_mismatch(void **state)
{
	struct ref_entry r = dest6;
	struct tw_entry e;

	(void)state;
	/* 16-byte addresses labelled AF_INET */
	r.family = AF_INET;
	assert_int_equal(parse_entry_msg(build_entry(&r, NULL), &e), 0); /* built as v4 */
	{
		struct nl_msg *m = new_reply(TWMON_CMD_GET_DESTS);
		uint8_t a[16] = { 0 };
		struct nlattr *n;

		assert_non_null(m);
		n = nla_nest_start(m, TWMON_A_ENTRY);
		assert_int_equal(nla_put_u8(m, TWMON_E_FAMILY, AF_INET), 0);
		assert_int_equal(nla_put(m, TWMON_E_LOCAL_ADDR, 16, a), 0);
		assert_int_equal(nla_put(m, TWMON_E_REMOTE_ADDR, 16, a), 0);
		assert_int_equal(nla_put_u16(m, TWMON_E_REMOTE_PORT, 80), 0);
		assert_int_equal(nla_put_u32(m, TWMON_E_COUNT, 1), 0);
		nla_nest_end(m, n);
		assert_int_equal(parse_entry_msg(m, &e), -EBADMSG);
		assert_non_null(strstr(err, "expected 4 for inet"));
	}
	/* an unknown family */
	r = dest4;
	r.family = 99;
	assert_int_equal(parse_entry_msg(build_entry(&r, NULL), &e), -EBADMSG);
	assert_non_null(strstr(err, "unknown address family 99"));
}

static void entry_bad_substate(void **state)
{
	struct ref_entry r = sock6;
	struct tw_entry e;

	(void)state;
	r.substate = 1; /* TCP_ESTABLISHED */
	assert_int_equal(parse_entry_msg(build_entry(&r, NULL), &e), -EBADMSG);
	assert_non_null(strstr(err, "unknown substate 1"));
	r.substate = 5;
	assert_int_equal(parse_entry_msg(build_entry(&r, NULL), &e), 0);
	assert_string_equal(tw_substate_name(e.substate), "fin-wait-2");
}

static void config_parse(void **state)
{
	struct nl_msg *m = new_reply(TWMON_CMD_GET_CONFIG);
	struct tw_config c;

	(void)state;
	assert_non_null(m);
	assert_int_equal(nla_put_string(m, TWMON_A_VERSION, "0.1.0"), 0);
	assert_int_equal(nla_put_u32(m, TWMON_A_HOOKS, 0xff), 0);
	assert_int_equal(nla_put_u32(m, TWMON_A_HOOKS_WANTED, 0xff), 0);
	assert_int_equal(nla_put_u64(m, TWMON_A_MISSED, 5), 0);
	assert_int_equal(tw_parse_config(nlmsg_hdr(m), &c, err, sizeof(err)), 0);
	assert_string_equal(c.version, "0.1.0");
	assert_int_equal(c.hooks, 0xff);
	assert_int_equal(c.missed, 5);
	nlmsg_free(m);

	/* a version without its terminating NUL */
	m = new_reply(TWMON_CMD_GET_CONFIG);
	assert_non_null(m);
	assert_int_equal(nla_put(m, TWMON_A_VERSION, 5, "0.1.0"), 0);
	assert_int_equal(nla_put_u32(m, TWMON_A_HOOKS, 0xff), 0);
	assert_int_equal(tw_parse_config(nlmsg_hdr(m), &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_A_VERSION"));
	nlmsg_free(m);

	/* no version at all */
	m = new_reply(TWMON_CMD_GET_CONFIG);
	assert_non_null(m);
	assert_int_equal(nla_put_u32(m, TWMON_A_HOOKS, 0xff), 0);
	assert_int_equal(tw_parse_config(nlmsg_hdr(m), &c, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "TWMON_A_VERSION missing"));
	nlmsg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(stats_values),
		cmocka_unit_test(stats_without_lifetime),
		cmocka_unit_test(stats_missing_live),
		cmocka_unit_test(stats_missing_each),
		cmocka_unit_test(stats_truncated_attr),
		cmocka_unit_test(stats_age_buckets),
		cmocka_unit_test(stats_age_bucket_short),
		cmocka_unit_test(stats_pads_and_new_attrs),
		cmocka_unit_test(stats_truncated_message),
		cmocka_unit_test(stats_wrong_command),
		cmocka_unit_test(entry_dests),
		cmocka_unit_test(entry_services),
		cmocka_unit_test(entry_socks),
		cmocka_unit_test(entry_missing),
		cmocka_unit_test(entry_truncated),
		cmocka_unit_test(entry_family_mismatch),
		cmocka_unit_test(entry_bad_substate),
		cmocka_unit_test(config_parse),
	};

	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}

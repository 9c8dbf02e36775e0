// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat events: the "events" and "stats" group messages decoded strictly,
 * sequence gaps counted, and each record printed as the man page says
 * (a text line, or a JSON line with the documented keys).
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/genetlink.h>
#include <json.h>

#include "nlbuild.h"
#include "events.h"
#include "print.h"
#include "stats.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)
/* 2026-11-25 09:02:00.123 UTC */
#define TS 1795597320.123

static const struct ref_event ref_ev[] = {
	{ TWMON_EV_OVERFLOW_BEGIN, 417, 0, 0, NULL, NULL, 0, 0 },
	{ TWMON_EV_POOL_HIGH, 23000, 22585, AF_INET, "10.0.0.1", "192.0.2.7", 443, 0 },
	{ TWMON_EV_POOL_OK, 100, 19762, AF_INET6, "2001:db8::2", "2001:db8::1", 8080, 0 },
	/* a cgroup id no directory of the host's cgroup2 has */
	{ TWMON_EV_LINGER_ABORT, 12, 0, 0, NULL, NULL, 0, 999999999999ULL },
};
#define NREF ((int)(sizeof(ref_ev) / sizeof(ref_ev[0])))

static char *buf;
static size_t buflen;
static FILE *mem;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void begin(bool json)
{
	mem = open_memstream(&buf, &buflen);
	assert_non_null(mem);
	print_init(mem, json, false);
}

/* Everything printed (flushed by the code under test); caller frees */
static char *end(void)
{
	print_flush();
	fclose(mem);
	print_init(stdout, false, false);
	return buf;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing in %s", key, json_object_to_json_string(o));
	return v;
}

/* Each line of s parsed as JSON; returns how many, fills out */
static int json_lines(char *s, json_object **out, int max)
{
	char *save = NULL, *line;
	int n = 0;

	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		assert_true(n < max);
		out[n] = json_tokener_parse(line);
		if (!out[n])
			fail_msg("not JSON: %s", line);
		n++;
	}
	return n;
}

static void parse_batch(void **state)
{
	struct nl_msg *m = build_events(REF_INUM, 7, ref_ev, NREF, NULL);
	char err[TW_ERR_LEN] = "";
	struct tw_event_msg em;

	(void)state;
	assert_non_null(m);
	assert_int_equal(tw_parse_event_msg(nlmsg_hdr(m), &em, err, sizeof(err)), 0);
	assert_int_equal(em.netns_inum, REF_INUM);
	assert_int_equal(em.seq, 7);
	assert_int_equal(em.n, NREF);
	assert_int_equal(em.ev[0].type, TWMON_EV_OVERFLOW_BEGIN);
	assert_int_equal(em.ev[0].value, 417);
	assert_false(em.ev[0].has_pool);
	assert_int_equal(em.ev[1].type, TWMON_EV_POOL_HIGH);
	assert_int_equal(em.ev[1].value, 23000);
	assert_int_equal(em.ev[1].threshold, 22585);
	assert_true(em.ev[1].has_pool);
	assert_int_equal(em.ev[1].family, AF_INET);
	assert_memory_equal(em.ev[1].raddr, "\xc0\x00\x02\x07", 4);
	assert_int_equal(em.ev[1].rport, 443);
	assert_int_equal(em.ev[2].family, AF_INET6);
	assert_int_equal(em.ev[2].raddr[15], 1);
	assert_int_equal(em.ev[2].laddr[15], 2);
	tw_event_msg_free(&em);
	nlmsg_free(m);
}

static void expect_bad(const struct ref_event *ev, int n, const struct brk *b, const char *want)
{
	struct nl_msg *m = build_events(REF_INUM, 1, ev, n, b);
	char err[TW_ERR_LEN] = "";
	struct tw_event_msg em;

	assert_non_null(m);
	assert_int_equal(tw_parse_event_msg(nlmsg_hdr(m), &em, err, sizeof(err)), -EBADMSG);
	if (!strstr(err, want))
		fail_msg("error \"%s\" does not say \"%s\"", err, want);
	assert_null(em.ev);
	nlmsg_free(m);
}

static void parse_refuses(void **state)
{
	struct brk seq = { BRK_OMIT, 0, TWMON_A_SEQ };
	struct brk inum = { BRK_SHORT, 0, TWMON_A_NETNS_INUM };
	struct brk thr = { BRK_OMIT, 4, TWMON_V_THRESHOLD };
	struct brk val = { BRK_SHORT, 4, TWMON_V_VALUE };
	struct brk port = { BRK_OMIT, 4, TWMON_V_REMOTE_PORT };
	struct brk addr = { BRK_SHORT, 4, TWMON_V_REMOTE_ADDR };

	(void)state;
	expect_bad(ref_ev, NREF, &seq, "TWMON_A_SEQ missing");
	expect_bad(ref_ev, NREF, &inum, "TWMON_A_NETNS_INUM has 2 bytes");
	expect_bad(ref_ev, NREF, &thr, "TWMON_V_THRESHOLD missing");
	expect_bad(ref_ev, NREF, &val, "TWMON_V_VALUE has 4 bytes");
	/* a pool event without its pool is refused, not printed half */
	expect_bad(&ref_ev[1], 1, &port, "TWMON_V_REMOTE_PORT missing");
	expect_bad(&ref_ev[1], 1, &addr, "TWMON_V_REMOTE_ADDR has 3 bytes, expected at least 4");
	expect_bad(&ref_ev[2], 1, &addr, "TWMON_V_REMOTE_ADDR has 15 bytes, expected 16 for inet6");
	expect_bad(ref_ev, 0, NULL, "no TWMON_A_EVENT");
}

static void parse_stats_notify(void **state)
{
	struct nl_msg *m =
		build_stats_cmd(TWMON_CMD_STATS_NOTIFY, 42, ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct nl_msg *g = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct nl_msg *noseq =
		build_stats_cmd(TWMON_CMD_STATS_NOTIFY, 0, ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	char err[TW_ERR_LEN] = "";
	struct tw_stats s;
	uint64_t seq = 0;

	(void)state;
	assert_non_null(m);
	assert_non_null(g);
	assert_non_null(noseq);
	assert_int_equal(tw_parse_stats_notify(nlmsg_hdr(m), &s, &seq, err, sizeof(err)), 0);
	assert_int_equal(seq, 42);
	assert_int_equal(s.live, REF_LIVE);
	assert_int_equal(s.overflow, 7);
	/* a GET_STATS reply is not a notification, and the reverse */
	assert_int_equal(tw_parse_stats_notify(nlmsg_hdr(g), &s, &seq, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "unexpected command"));
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), -EBADMSG);
	assert_int_equal(tw_parse_stats_notify(nlmsg_hdr(noseq), &s, &seq, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "STATS_NOTIFY: TWMON_A_SEQ missing"));
	nlmsg_free(m);
	nlmsg_free(g);
	nlmsg_free(noseq);
}

static void seq_gaps(void **state)
{
	struct tw_seq_track t = { 0 };

	(void)state;
	/* the first message seen: joined late, nothing lost */
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 5), 0);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 6), 0);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 9), 2);
	/* groups and namespaces count apart */
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_STATS, 100), 0);
	assert_int_equal(tw_seq_check(&t, 2, TW_GRP_EVENTS, 50), 0);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 10), 0);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_STATS, 102), 1);
	/* back to 1: the module was reloaded, a new count */
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 1), 0);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 2), 0);
	/* after ENOBUFS the next one is a new start */
	tw_seq_forget(&t);
	assert_int_equal(tw_seq_check(&t, 1, TW_GRP_EVENTS, 20), 0);
	assert_int_equal(tw_seq_check(&t, 2, TW_GRP_EVENTS, 70), 0);
	assert_int_equal(tw_seq_check(&t, 2, TW_GRP_EVENTS, 72), 1);
}

static void names(void **state)
{
	static const char *const want[] = { NULL,
					    "overflow-begin",
					    "overflow-end",
					    "eaddrnotavail-begin",
					    "eaddrnotavail-end",
					    "buckets-high",
					    "buckets-ok",
					    "pool-high",
					    "pool-ok",
					    "linger-abort" };
	uint32_t i;

	(void)state;
	assert_int_equal(sizeof(want) / sizeof(want[0]), __TWMON_EV_LAST);
	assert_null(tw_event_name(0));
	for (i = 1; i < __TWMON_EV_LAST; i++)
		assert_string_equal(tw_event_name(i), want[i]);
	assert_null(tw_event_name(__TWMON_EV_LAST));
}

static struct tw_events_ctx ctx(bool stats, unsigned long count)
{
	struct tw_events_ctx c = { 0 };

	c.family = TEST_FAMILY_ID;
	c.stats = stats;
	c.count = count;
	return c;
}

static void json_records(void **state)
{
	struct nl_msg *m = build_events(REF_INUM, 3, ref_ev, NREF, NULL);
	struct tw_events_ctx c = ctx(false, 0);
	json_object *j[8];
	char *out;
	int n;

	(void)state;
	begin(true);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(m), TS), TW_EV_MORE);
	out = end();
	n = json_lines(out, j, 8);
	free(out);
	assert_int_equal(n, NREF);
	assert_int_equal(c.events, 0); /* no --count: not counted */
	assert_string_equal(json_object_get_string(get(j[0], "type")), "overflow-begin");
	assert_int_equal(json_object_get_int64(get(j[0], "value")), 417);
	assert_int_equal(json_object_get_int64(get(j[0], "threshold")), 0);
	assert_int_equal(json_object_get_int64(get(j[0], "seq")), 3);
	assert_int_equal(json_object_get_int64(get(j[0], "netns_inum")), REF_INUM);
	assert_null(get(j[0], "netns"));
	assert_null(get(j[0], "remote"));
	assert_null(get(j[0], "rport"));
	assert_string_equal(json_object_to_json_string(get(j[0], "ts")), "1795597320.123");
	assert_string_equal(json_object_get_string(get(j[1], "type")), "pool-high");
	assert_string_equal(json_object_get_string(get(j[1], "family")), "inet");
	assert_string_equal(json_object_get_string(get(j[1], "local")), "10.0.0.1");
	assert_string_equal(json_object_get_string(get(j[1], "remote")), "192.0.2.7");
	assert_int_equal(json_object_get_int(get(j[1], "rport")), 443);
	assert_int_equal(json_object_get_int64(get(j[1], "threshold")), 22585);
	assert_string_equal(json_object_get_string(get(j[2], "family")), "inet6");
	assert_string_equal(json_object_get_string(get(j[2], "remote")), "2001:db8::1");
	assert_string_equal(json_object_get_string(get(j[3], "type")), "linger-abort");
	assert_null(get(j[0], "cgroup_id"));
	assert_int_equal(json_object_get_int64(get(j[3], "cgroup_id")), 999999999999LL);
	assert_null(get(j[3], "cgroup"));
	while (n--)
		json_object_put(j[n]);
	nlmsg_free(m);
}

static void text_records(void **state)
{
	struct nl_msg *m = build_events(REF_INUM, 3, ref_ev, NREF, NULL);
	struct tw_events_ctx c = ctx(false, 0);
	char *out;

	(void)state;
	c.netns = "web";
	begin(false);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(m), TS), TW_EV_MORE);
	out = end();
	assert_string_equal(
		out, "2026-11-25 09:02:00.123  netns 4026531840 (web)  overflow-begin      "
		     "  value 417  threshold 0\n"
		     "2026-11-25 09:02:00.123  netns 4026531840 (web)  pool-high           "
		     "  value 23,000  threshold 22,585  pool 10.0.0.1 -> 192.0.2.7:443\n"
		     "2026-11-25 09:02:00.123  netns 4026531840 (web)  pool-ok             "
		     "  value 100  threshold 19,762  pool 2001:db8::2 -> [2001:db8::1]:8080\n"
		     "2026-11-25 09:02:00.123  netns 4026531840 (web)  linger-abort        "
		     "  value 12  threshold 0  cgroup id 999999999999\n");
	free(out);
	nlmsg_free(m);
}

/* --count N: done after the Nth event, even inside a batch */
static void count_stops(void **state)
{
	struct nl_msg *m = build_events(REF_INUM, 1, ref_ev, NREF, NULL);
	struct tw_events_ctx c = ctx(false, 2);
	char *out, *nl;

	(void)state;
	begin(false);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(m), TS), TW_EV_DONE);
	out = end();
	assert_int_equal(c.events, 2);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_non_null(strchr(nl + 1, '\n'));
	assert_null(strchr(strchr(nl + 1, '\n') + 1, '\n'));
	assert_null(strstr(out, "pool-ok"));
	free(out);
	nlmsg_free(m);
}

static void gap_reported(void **state)
{
	struct nl_msg *a = build_events(REF_INUM, 4, ref_ev, 1, NULL);
	struct nl_msg *b = build_events(REF_INUM, 8, ref_ev, 1, NULL);
	struct tw_events_ctx c = ctx(false, 0);
	json_object *j[4];
	char *out;
	int n;

	(void)state;
	begin(true);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(a), TS), TW_EV_MORE);
	assert_false(c.resync);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(b), TS), TW_EV_MORE);
	assert_true(c.resync);
	out = end();
	n = json_lines(out, j, 4);
	free(out);
	assert_int_equal(n, 3);
	assert_string_equal(json_object_get_string(get(j[1], "type")), "lost");
	assert_int_equal(json_object_get_int64(get(j[1], "lost")), 3);
	assert_string_equal(json_object_get_string(get(j[1], "group")), "events");
	assert_int_equal(json_object_get_int64(get(j[2], "seq")), 8);
	while (n--)
		json_object_put(j[n]);

	/* text */
	begin(false);
	tw_show_lost(TS, REF_INUM, "events", 3, "sequence gap");
	tw_show_lost(TS, 0, NULL, 0, "receive buffer overflow, ENOBUFS");
	out = end();
	assert_string_equal(out, "2026-11-25 09:02:00.123  netns 4026531840  lost 3 messages of "
				 "the events group (sequence gap), resyncing\n"
				 "2026-11-25 09:02:00.123  lost some messages "
				 "(receive buffer overflow, ENOBUFS), resyncing\n");
	free(out);
	/* JSON: an unknown number is null, not 0 */
	begin(true);
	tw_show_lost(TS, 0, NULL, 0, "receive buffer overflow, ENOBUFS");
	out = end();
	assert_int_equal(json_lines(out, j, 4), 1);
	free(out);
	assert_null(get(j[0], "lost"));
	assert_null(get(j[0], "group"));
	assert_null(get(j[0], "netns_inum"));
	json_object_put(j[0]);
	nlmsg_free(a);
	nlmsg_free(b);
}

static void stats_snapshots(void **state)
{
	struct nl_msg *m =
		build_stats_cmd(TWMON_CMD_STATS_NOTIFY, 9, ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct nl_msg *gap =
		build_stats_cmd(TWMON_CMD_STATS_NOTIFY, 11, ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct tw_events_ctx quiet = ctx(false, 0), loud = ctx(true, 0);
	json_object *j[4];
	char *out;

	(void)state;
	/* without --stats: nothing printed, but the sequence is still checked */
	begin(false);
	assert_int_equal(tw_events_handle(&quiet, nlmsg_hdr(m), TS), TW_EV_MORE);
	out = end();
	assert_string_equal(out, "");
	free(out);
	begin(false);
	assert_int_equal(tw_events_handle(&quiet, nlmsg_hdr(gap), TS), TW_EV_MORE);
	out = end();
	assert_non_null(strstr(out, "lost 1 message of the stats group"));
	assert_true(quiet.resync);
	free(out);

	begin(false);
	assert_int_equal(tw_events_handle(&loud, nlmsg_hdr(m), TS), TW_EV_MORE);
	out = end();
	assert_string_equal(out, "2026-11-25 09:02:00.123  netns 4026531840  stats               "
				 "  live 1,234 of 4,096  entered 12,345  overflow 7  "
				 "eaddrnotavail 8  linger-abort 9\n");
	free(out);
	begin(true);
	assert_int_equal(tw_events_handle(&loud, nlmsg_hdr(m), TS), TW_EV_MORE);
	out = end();
	assert_int_equal(json_lines(out, j, 4), 1);
	free(out);
	assert_string_equal(json_object_get_string(get(j[0], "type")), "stats");
	assert_int_equal(json_object_get_int64(get(j[0], "live")), REF_LIVE);
	assert_int_equal(json_object_get_int64(get(j[0], "max_tw_buckets")), REF_MAX_TW);
	assert_int_equal(json_object_get_int64(get(j[0], "overflow")), 7);
	assert_int_equal(json_object_get_int64(get(j[0], "seq")), 9);
	json_object_put(j[0]);
	/* a snapshot does not count as an event */
	assert_int_equal(loud.events, 0);
	nlmsg_free(m);
	nlmsg_free(gap);
}

static struct nl_msg *ctrl_msg(uint8_t cmd, const char *family)
{
	struct nl_msg *m = nlmsg_alloc();

	assert_non_null(m);
	assert_non_null(genlmsg_put(m, 0, 0, GENL_ID_CTRL, 0, 0, cmd, 2));
	assert_int_equal(nla_put_string(m, CTRL_ATTR_FAMILY_NAME, family), 0);
	assert_int_equal(nla_put_u16(m, CTRL_ATTR_FAMILY_ID, TEST_FAMILY_ID), 0);
	return m;
}

static void family_notices(void **state)
{
	struct nl_msg *del = ctrl_msg(CTRL_CMD_DELFAMILY, "twmon");
	struct nl_msg *other = ctrl_msg(CTRL_CMD_DELFAMILY, "twmonx");
	struct nl_msg *add = ctrl_msg(CTRL_CMD_NEWFAMILY, "twmon");
	struct nl_msg *foreign = build_events(REF_INUM, 1, ref_ev, 1, NULL);
	struct tw_events_ctx c = ctx(false, 0);
	char *out;

	(void)state;
	begin(false);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(other), TS), TW_EV_MORE);
	assert_false(c.unloaded);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(del), TS), TW_EV_MORE);
	assert_true(c.unloaded);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(add), TS), TW_EV_MORE);
	assert_true(c.loaded);
	/* a message of another family id (the old twmon id after a reload) */
	c.family = TEST_FAMILY_ID + 1;
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(foreign), TS), TW_EV_MORE);
	out = end();
	assert_string_equal(out, "");
	free(out);
	nlmsg_free(del);
	nlmsg_free(other);
	nlmsg_free(add);
	nlmsg_free(foreign);
}

/* A malformed message stops with an error naming the attribute */
static void malformed_is_error(void **state)
{
	struct brk thr = { BRK_OMIT, 4, TWMON_V_THRESHOLD };
	struct nl_msg *m = build_events(REF_INUM, 1, ref_ev, 1, &thr);
	struct tw_events_ctx c = ctx(false, 0);
	char *out;

	(void)state;
	begin(false);
	assert_int_equal(tw_events_handle(&c, nlmsg_hdr(m), TS), TW_EV_ERROR);
	out = end();
	assert_string_equal(out, "");
	free(out);
	assert_non_null(strstr(c.err, "TWMON_V_THRESHOLD missing"));
	nlmsg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_batch),
		cmocka_unit_test(parse_refuses),
		cmocka_unit_test(parse_stats_notify),
		cmocka_unit_test(seq_gaps),
		cmocka_unit_test(names),
		cmocka_unit_test(json_records),
		cmocka_unit_test(text_records),
		cmocka_unit_test(count_stops),
		cmocka_unit_test(gap_reported),
		cmocka_unit_test(stats_snapshots),
		cmocka_unit_test(family_notices),
		cmocka_unit_test(malformed_is_error),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

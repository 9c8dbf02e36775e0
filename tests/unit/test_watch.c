// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat watch: rates from two GET_STATS, the usage bar, tables cut to
 * --top, the age groups, and the same frame as JSON.
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
#include <sys/socket.h>
#include <json.h>

#include "nlbuild.h"
#include "fmt.h"
#include "print.h"
#include "show.h"
#include "stats.h"
#include "watch.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)
#define TS 1795597320.0

static char *buf;
static size_t buflen;
static FILE *mem;

static int setup(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	return 0;
}

static void begin(bool json)
{
	mem = open_memstream(&buf, &buflen);
	assert_non_null(mem);
	print_init(mem, json, false);
}

static char *end(void)
{
	assert_int_equal(print_flush(), 0);
	fclose(mem);
	print_init(stdout, false, false);
	return buf;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing", key);
	return v;
}

static struct tw_stats ref_stats(uint32_t hooks)
{
	struct nl_msg *m = build_stats(hooks, TWMON_AGE_BUCKETS, 0, NULL);
	char err[TW_ERR_LEN];
	struct tw_stats s;

	assert_non_null(m);
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), 0);
	nlmsg_free(m);
	return s;
}

/* Two pools to one destination and one to another; two services */
static void ref_entries(struct tw_entry *d, struct tw_entry *sv)
{
	memset(d, 0, 3 * sizeof(*d));
	memset(sv, 0, 2 * sizeof(*sv));
	d[0] = (struct tw_entry){ .family = AF_INET, .rport = 443, .count = 22585 };
	inet_pton(AF_INET, "10.0.0.1", d[0].laddr);
	inet_pton(AF_INET, "192.0.2.7", d[0].raddr);
	d[1] = d[0];
	d[1].count = 100;
	inet_pton(AF_INET, "10.0.0.2", d[1].laddr);
	d[2] = d[0];
	d[2].count = 7;
	d[2].rport = 80;
	sv[0] = (struct tw_entry){ .family = AF_INET6, .lport = 8080, .count = 900 };
	inet_pton(AF_INET6, "2001:db8::1", sv[0].laddr);
	sv[1] = (struct tw_entry){ .family = AF_INET, .lport = 80, .count = 3 };
}

/* cur is prev plus: 250 entered, 40 overflow, 0 eaddrnotavail, 10 aborts in 2 s */
static struct tw_watch_frame frame(struct tw_stats *cur, struct tw_stats *prev, bool first,
				   struct tw_entry *d, struct tw_entry *sv)
{
	struct tw_watch_frame f = { 0 };

	*cur = *prev;
	cur->entered += 250;
	cur->overflow += 40;
	cur->linger_abort += 10;
	cur->ended[TWMON_END_EXPIRED] += 100;
	ref_entries(d, sv);
	f.ts = TS;
	f.interval = 2;
	f.netns_name = "web";
	f.cur = cur;
	f.prev = first ? NULL : prev;
	f.dt = first ? 0 : 2.0;
	f.dests = d;
	f.ndests = 3;
	f.services = sv;
	f.nservices = 2;
	f.top = 2;
	f.width = 80;
	return f;
}

static void rates(void **state)
{
	double r = -1;

	(void)state;
	assert_false(tw_rate(10, 5, false, 1, &r));
	assert_false(tw_rate(10, 5, true, 0, &r));
	assert_false(tw_rate(4, 5, true, 1, &r)); /* went back: reloaded */
	assert_true(tw_rate(105, 5, true, 2, &r));
	assert_true(r > 49.999 && r < 50.001);
	assert_true(tw_rate(5, 5, true, 0.5, &r));
	assert_true(r == 0);
}

static void bars(void **state)
{
	char b[64];

	(void)state;
	assert_string_equal(tw_fmt_bar(0, 0, 10, b, sizeof(b)), "[----------]");
	assert_string_equal(tw_fmt_bar(5, 10, 10, b, sizeof(b)), "[#####-----]");
	assert_string_equal(tw_fmt_bar(1234, 4096, 20, b, sizeof(b)), "[######--------------]");
	assert_string_equal(tw_fmt_bar(9, 4, 4, b, sizeof(b)), "[####]");
	assert_string_equal(tw_fmt_bar(1, 4096, 4, b, sizeof(b)), "[#---]");
	/* too small a buffer: empty, never overrun */
	assert_string_equal(tw_fmt_bar(1, 2, 10, b, 12), "");
	assert_string_equal(tw_fmt_rate(1234.56, b, sizeof(b)), "1,234.6");
	assert_string_equal(tw_fmt_rate(0.04, b, sizeof(b)), "0.0");
	assert_string_equal(tw_fmt_rate(-3, b, sizeof(b)), "0.0");
}

static void text_frame(void **state)
{
	struct tw_stats prev = ref_stats(ALL_HOOKS), cur;
	struct tw_entry d[3], sv[2];
	struct tw_watch_frame f = frame(&cur, &prev, false, d, sv);
	char *out;

	(void)state;
	begin(false);
	tw_watch_render(&f);
	out = end();
	assert_non_null(strstr(out, "tw-stat watch  netns 4026531840 (web)  2026-11-25 09:02:00  "
				    "every 2.0s  (q quits)\n"));
	/* 1,234 of 4,096 = 30.1%: 54 columns used, a 23-cell bar (80 - 54 - 3), 7 filled */
	assert_non_null(strstr(out, "TIME_WAIT   1,234 of 4,096 tcp_max_tw_buckets  30.1%  "
				    "[#######----------------]\n"));
	assert_non_null(strstr(out, "time-wait 1,200  fin-wait-2 34  untracked 3\n"));
	assert_non_null(strstr(out, "closes into TIME_WAIT 125.0  ended 50.0\n"));
	assert_non_null(strstr(out, "overflow 20.0  connect EADDRNOTAVAIL 0.0  SO_LINGER=0 "
				    "aborts 5.0\n"));
	assert_non_null(strstr(out, "totals      overflow 47  connect EADDRNOTAVAIL 8  "
				    "SO_LINGER=0 aborts 19\n"));
	assert_non_null(strstr(out, "port range  32768-60999 (28,232 ports)\n"));
	/* top 2 of 3 pools, with the share of the port range */
	assert_non_null(strstr(out, "192.0.2.7:443  22,585     80.0%\n"));
	assert_non_null(strstr(out, "(1 more; --top all shows every one)\n"));
	assert_non_null(strstr(out, "[2001:db8::1]:8080    900\n"));
	/* the age groups: 0-10 s holds 9 sockets (0+1+2+0+1+2+0+1+2+0) */
	assert_non_null(strstr(out, "   0-10s            9  [#-------"));
	assert_non_null(strstr(
		out,
		"   >=60s        1,174  [##################################################]\n"));
	assert_null(strchr(out, '\033')); /* escape codes are the terminal's business */
	free(out);
}

static void first_frame_and_unavailable(void **state)
{
	uint32_t hooks = ALL_HOOKS & ~(1u << TWMON_HOOK_ALLOC);
	struct tw_stats prev = ref_stats(hooks), cur;
	struct tw_entry d[3], sv[2];
	struct tw_watch_frame f = frame(&cur, &prev, true, d, sv);
	char *out;

	(void)state;
	begin(false);
	tw_watch_render(&f);
	out = end();
	/* no earlier reading: no rate yet, and an inactive hook is not 0 */
	assert_non_null(strstr(out, "closes into TIME_WAIT -  ended -\n"));
	assert_non_null(strstr(out, "overflow unavailable  connect EADDRNOTAVAIL -"));
	assert_non_null(strstr(out, "totals      overflow unavailable  "));
	free(out);
}

static void json_frame(void **state)
{
	struct tw_stats prev = ref_stats(ALL_HOOKS), cur;
	struct tw_entry d[3], sv[2];
	struct tw_watch_frame f = frame(&cur, &prev, false, d, sv);
	json_object *j, *r, *ages;
	uint64_t sum = 0;
	size_t i;
	char *out;

	(void)state;
	begin(true);
	tw_watch_render(&f);
	out = end();
	j = json_tokener_parse(out);
	if (!j)
		fail_msg("not JSON: %s", out);
	free(out);
	assert_int_equal(json_object_get_int64(get(j, "live")), REF_LIVE);
	assert_int_equal(json_object_get_int64(get(j, "max_tw_buckets")), REF_MAX_TW);
	assert_int_equal(json_object_get_int64(get(j, "netns_inum")), REF_INUM);
	assert_string_equal(json_object_get_string(get(j, "netns")), "web");
	r = get(j, "rates");
	assert_true(json_object_get_double(get(r, "entered")) == 125.0);
	assert_true(json_object_get_double(get(r, "overflow")) == 20.0);
	assert_true(json_object_get_double(get(r, "linger_abort")) == 5.0);
	assert_true(json_object_get_double(get(r, "connect_eaddrnotavail")) == 0.0);
	assert_int_equal(json_object_get_int64(get(j, "overflow")), 47);
	assert_int_equal(json_object_array_length(get(j, "dests")), 2);
	assert_int_equal(json_object_array_length(get(j, "services")), 2);
	assert_int_equal(
		json_object_get_int64(get(json_object_array_get_idx(get(j, "dests"), 0), "count")),
		22585);
	ages = get(j, "ages");
	assert_int_equal(json_object_array_length(ages), TWMON_AGE_BUCKETS);
	for (i = 0; i < TWMON_AGE_BUCKETS; i++)
		sum += json_object_get_uint64(get(json_object_array_get_idx(ages, i), "count"));
	assert_int_equal(sum, REF_LIVE);
	json_object_put(j);

	/* the first frame: rates are null, not 0 */
	f.prev = NULL;
	begin(true);
	tw_watch_render(&f);
	out = end();
	j = json_tokener_parse(out);
	free(out);
	assert_non_null(j);
	assert_null(get(get(j, "rates"), "entered"));
	json_object_put(j);
}

static void age_groups(void **state)
{
	uint64_t b[TWMON_AGE_BUCKETS], g[TW_AGE_GROUPS], sum = 0;
	int i;

	(void)state;
	for (i = 0; i < TWMON_AGE_BUCKETS; i++)
		b[i] = ref_age(i);
	tw_age_groups(b, g);
	for (i = 0; i < TW_AGE_GROUPS; i++)
		sum += g[i];
	assert_int_equal(sum, REF_LIVE);
	assert_int_equal(g[0], 9);
	assert_int_equal(g[1], 10); /* 1+2+0+1+2+0+1+2+0+1 */
	assert_int_equal(g[TW_AGE_GROUPS - 1], b[TWMON_AGE_BUCKETS - 1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rates),      cmocka_unit_test(bars),
		cmocka_unit_test(text_frame), cmocka_unit_test(first_frame_and_unavailable),
		cmocka_unit_test(json_frame), cmocka_unit_test(age_groups),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}

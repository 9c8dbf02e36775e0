// SPDX-License-Identifier: GPL-2.0
/*
 * What tw-stat prints: the JSON keys promised in tw-stat(8), ages that sum
 * to live, figures of inactive hooks as null / "unavailable", tables.
 */
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
#include "print.h"
#include "show.h"
#include "stats.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)
#define HOOK(h) (1u << (h))

static char *buf;
static size_t buflen;
static FILE *mem;

static void begin(bool json)
{
	mem = open_memstream(&buf, &buflen);
	assert_non_null(mem);
	print_init(mem, json, false);
}

/* The output so far; caller frees */
static char *end(void)
{
	assert_int_equal(print_flush(), 0);
	fclose(mem);
	print_init(stdout, false, false);
	return buf;
}

static json_object *end_json(void)
{
	char *s = end();
	json_object *j = json_tokener_parse(s);

	if (!j)
		fail_msg("not JSON: %s", s);
	free(s);
	return j;
}

static struct tw_stats ref_stats(uint32_t hooks, int lifetime)
{
	struct nl_msg *m = build_stats(hooks, TWMON_AGE_BUCKETS, lifetime, NULL);
	char err[TW_ERR_LEN];
	struct tw_stats s;

	assert_non_null(m);
	assert_int_equal(tw_parse_stats(nlmsg_hdr(m), &s, err, sizeof(err)), 0);
	nlmsg_free(m);
	return s;
}

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("key \"%s\" missing", key);
	return v;
}

static void assert_int_key(json_object *o, const char *key, int64_t want)
{
	json_object *v = get(o, key);

	if (!json_object_is_type(v, json_type_int))
		fail_msg("\"%s\" is not an integer", key);
	assert_int_equal(json_object_get_int64(v), want);
}

static void assert_null_key(json_object *o, const char *key)
{
	if (get(o, key) != NULL)
		fail_msg("\"%s\" is not null", key);
}

/* le_s 1..60 then null; returns the sum of the counts */
static uint64_t check_ages(json_object *ages)
{
	uint64_t sum = 0;
	size_t i;

	assert_true(json_object_is_type(ages, json_type_array));
	assert_int_equal(json_object_array_length(ages), TWMON_AGE_BUCKETS);
	for (i = 0; i < TWMON_AGE_BUCKETS; i++) {
		json_object *b = json_object_array_get_idx(ages, i);

		if (i < TWMON_AGE_BUCKETS - 1)
			assert_int_key(b, "le_s", i + 1);
		else
			assert_null_key(b, "le_s");
		sum += json_object_get_uint64(get(b, "count"));
	}
	return sum;
}

static void ages_json(void **state)
{
	uint64_t b[TWMON_AGE_BUCKETS];
	json_object *j;
	int i;

	(void)state;
	for (i = 0; i < TWMON_AGE_BUCKETS; i++)
		b[i] = ref_age(i);
	begin(true);
	open_json_object(NULL);
	tw_print_ages_json("ages", b);
	close_json_object();
	j = end_json();
	assert_int_equal(check_ages(get(j, "ages")), REF_LIVE);
	json_object_put(j);
}

static void summary_keys(void **state)
{
	static const char *const ints[] = {
		"live",		"live_timewait", "live_finwait2", "max_tw_buckets",
		"seeded",	"entered",	 "overflow",	  "connect_eaddrnotavail",
		"linger_abort", "netns_inum",	 "dests",	  "services",
		"untracked"
	};
	static const char *const reasons[] = { "expired", "rst",   "syn",  "reuse",
					       "abort",	  "purge", "other" };
	struct tw_stats s = ref_stats(ALL_HOOKS, 1);
	json_object *j, *pr, *ended;
	size_t i;

	(void)state;
	begin(true);
	tw_show_summary(&s, "twa");
	j = end_json();
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!json_object_is_type(get(j, ints[i]), json_type_int))
			fail_msg("\"%s\" is not an integer", ints[i]);
	assert_int_key(j, "live", REF_LIVE);
	assert_int_key(j, "max_tw_buckets", REF_MAX_TW);
	assert_int_key(j, "netns_inum", REF_INUM);
	assert_string_equal(json_object_get_string(get(j, "netns")), "twa");
	ended = get(j, "ended");
	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		assert_int_key(ended, reasons[i], 1000 * (i + 1));
	pr = get(j, "port_range");
	assert_int_equal(json_object_array_length(pr), 2);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(pr, 0)), REF_PORT_LOW);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(pr, 1)), REF_PORT_HIGH);
	assert_int_equal(check_ages(get(j, "ages")), REF_LIVE);
	assert_true(json_object_get_boolean(get(j, "ages_exact")));
	assert_int_equal(json_object_array_length(get(j, "hooks")), __TWMON_HOOK_LAST);
	assert_int_equal(check_ages(get(get(j, "lifetime"), "rst")), 2 * REF_LIVE);
	assert_true(json_object_get_double(get(j, "live_pct")) > 30.1 - 0.01);
	json_object_put(j);
}

static void all_netns_array(void **state)
{
	struct tw_stats s = ref_stats(ALL_HOOKS, 0);
	json_object *j;

	(void)state;
	begin(true);
	open_json_array(NULL);
	tw_show_summary(&s, NULL);
	s.netns_inum = 1;
	tw_show_summary(&s, "twb");
	close_json_array();
	j = end_json();
	assert_int_equal(json_object_array_length(j), 2);
	assert_null_key(json_object_array_get_idx(j, 0), "netns");
	assert_int_key(json_object_array_get_idx(j, 1), "netns_inum", 1);
	/* the dump has no lifetime histograms: no key rather than a wrong one */
	assert_false(json_object_object_get_ex(json_object_array_get_idx(j, 0), "lifetime", NULL));
	json_object_put(j);
}

/* The hook -> figure map of the brief, one hook at a time */
static void hook_map(void **state)
{
	static const struct {
		int hook;
		enum tw_figure figs[8];
	} map[] = {
		{ TWMON_HOOK_BIRTH, { TW_FIG_ENTERED } },
		{ TWMON_HOOK_KILL,
		  { TW_FIG_ENDED_EXPIRED, TW_FIG_ENDED_RST, TW_FIG_ENDED_SYN, TW_FIG_ENDED_REUSE,
		    TW_FIG_ENDED_ABORT, TW_FIG_ENDED_PURGE, TW_FIG_ENDED_OTHER } },
		{ TWMON_HOOK_TIMER, { TW_FIG_ENDED_EXPIRED } },
		{ TWMON_HOOK_RX, { TW_FIG_ENDED_RST, TW_FIG_ENDED_SYN } },
		{ TWMON_HOOK_REARM, { TW_FIG_AGES } },
		{ TWMON_HOOK_ALLOC, { TW_FIG_OVERFLOW } },
		{ TWMON_HOOK_CONNECT, { TW_FIG_CONNECT_EADDRNOTAVAIL } },
		{ TWMON_HOOK_CLOSE, { TW_FIG_LINGER_ABORT } },
	};
	size_t i, k;
	int f;

	(void)state;
	for (f = 0; f < __TW_FIG_LAST; f++)
		assert_true(tw_figure_available(ALL_HOOKS, f));
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		uint32_t hooks = ALL_HOOKS & ~HOOK(map[i].hook);

		for (f = 0; f < __TW_FIG_LAST; f++) {
			bool lost = false;

			for (k = 0; k < 8 && map[i].figs[k]; k++)
				lost |= map[i].figs[k] == (enum tw_figure)f;
			/* TW_FIG_ENTERED is 0: the birth row lists it first */
			if (map[i].hook == TWMON_HOOK_BIRTH)
				lost = f == TW_FIG_ENTERED;
			if (tw_figure_available(hooks, f) == lost)
				fail_msg("hook %s, figure %d: available %d",
					 tw_hook_name(map[i].hook), f, !lost);
		}
	}
	assert_false(tw_figure_available(ALL_HOOKS, __TW_FIG_LAST));
	assert_int_equal(tw_reason_figure(TWMON_END_EXPIRED), TW_FIG_ENDED_EXPIRED);
	assert_int_equal(tw_reason_figure(TWMON_END_OTHER), TW_FIG_ENDED_OTHER);
	assert_int_equal(tw_reason_figure(0), __TW_FIG_LAST);
	assert_string_equal(tw_reason_name(TWMON_END_REUSE), "reuse");
	assert_null(tw_reason_name(0));
}

static json_object *summary_without(uint32_t missing, int lifetime)
{
	struct tw_stats s = ref_stats(ALL_HOOKS & ~missing, lifetime);

	begin(true);
	tw_show_summary(&s, NULL);
	return end_json();
}

static void unavailable_json(void **state)
{
	json_object *j;

	(void)state;
	j = summary_without(HOOK(TWMON_HOOK_BIRTH), 0);
	assert_null_key(j, "entered");
	assert_int_key(j, "seeded", 100);
	json_object_put(j);

	j = summary_without(HOOK(TWMON_HOOK_KILL), 1);
	assert_null_key(get(j, "ended"), "expired");
	assert_null_key(get(j, "ended"), "reuse");
	assert_null_key(get(j, "ended"), "other");
	assert_null_key(get(j, "lifetime"), "purge");
	assert_int_key(j, "live", REF_LIVE);
	json_object_put(j);

	j = summary_without(HOOK(TWMON_HOOK_TIMER), 0);
	assert_null_key(get(j, "ended"), "expired");
	assert_int_key(get(j, "ended"), "rst", 2000);
	json_object_put(j);

	j = summary_without(HOOK(TWMON_HOOK_RX), 0);
	assert_null_key(get(j, "ended"), "rst");
	assert_null_key(get(j, "ended"), "syn");
	assert_int_key(get(j, "ended"), "reuse", 4000);
	json_object_put(j);

	j = summary_without(
		HOOK(TWMON_HOOK_ALLOC) | HOOK(TWMON_HOOK_CONNECT) | HOOK(TWMON_HOOK_CLOSE), 0);
	assert_null_key(j, "overflow");
	assert_null_key(j, "connect_eaddrnotavail");
	assert_null_key(j, "linger_abort");
	assert_int_equal(json_object_array_length(get(j, "hooks_inactive")), 3);
	json_object_put(j);

	/* ages stay, with a flag */
	j = summary_without(HOOK(TWMON_HOOK_REARM), 0);
	assert_int_equal(check_ages(get(j, "ages")), REF_LIVE);
	assert_false(json_object_get_boolean(get(j, "ages_exact")));
	json_object_put(j);
}

static void unavailable_text(void **state)
{
	struct tw_stats s = ref_stats(ALL_HOOKS & ~HOOK(TWMON_HOOK_CONNECT), 0);
	char *out;

	(void)state;
	begin(false);
	tw_show_summary(&s, NULL);
	out = end();
	if (!strstr(out, "connect EADDRNOTAVAIL      unavailable\n") ||
	    !strstr(out, "overflow                             7\n") ||
	    !strstr(out, "local port range        32768-60999 (28,232 ports)\n") ||
	    !strstr(out, "hooks                   birth kill timer rx rearm alloc close") ||
	    !strstr(out, "1,234 of 4,096 tcp_max_tw_buckets (30.1%)") ||
	    !strstr(out, "(inactive: connect)"))
		fail_msg("unexpected text:\n%s", out);
	free(out);
}

static struct tw_entry entry(uint8_t family, const char *l, uint16_t lport, const char *r,
			     uint16_t rport, uint32_t count)
{
	struct tw_entry e = { .family = family, .lport = lport, .rport = rport, .count = count };

	inet_pton(family, l, e.laddr);
	if (r)
		inet_pton(family, r, e.raddr);
	return e;
}

static void dests_json(void **state)
{
	struct tw_entry e[3] = {
		entry(AF_INET, "10.0.0.1", 0, "192.0.2.1", 80, 5),
		entry(AF_INET6, "::1", 0, "::1", 8081, 14116),
		entry(AF_INET, "10.0.0.1", 0, "192.0.2.2", 443, 7),
	};
	json_object *j, *r;

	(void)state;
	tw_sort_entries(e, 3);
	assert_int_equal(e[0].count, 14116);
	assert_int_equal(e[2].count, 5);
	begin(true);
	tw_show_dests(e, 3, 0, 32768, 60999, 1);
	j = end_json();
	assert_int_equal(json_object_array_length(j), 3);
	r = json_object_array_get_idx(j, 0);
	assert_string_equal(json_object_get_string(get(r, "family")), "inet6");
	assert_string_equal(json_object_get_string(get(r, "local")), "::1");
	assert_string_equal(json_object_get_string(get(r, "remote")), "::1");
	assert_int_key(r, "rport", 8081);
	assert_int_key(r, "count", 14116);
	assert_true(json_object_get_double(get(r, "occupancy_pct")) == 50.0);
	r = json_object_array_get_idx(j, 2);
	assert_string_equal(json_object_get_string(get(r, "remote")), "192.0.2.1");
	json_object_put(j);

	/* --top 2; an unknown range gives a null occupancy */
	begin(true);
	tw_show_dests(e, 3, 2, 0, 0, 0);
	j = end_json();
	assert_int_equal(json_object_array_length(j), 2);
	assert_null_key(json_object_array_get_idx(j, 0), "occupancy_pct");
	json_object_put(j);

	/* nothing at all is an empty array, not nothing */
	begin(true);
	tw_show_dests(e, 0, 0, 1, 2, 1);
	j = end_json();
	assert_int_equal(json_object_array_length(j), 0);
	json_object_put(j);
}

static void dests_text(void **state)
{
	struct tw_entry e[2] = {
		entry(AF_INET6, "::1", 0, "::1", 8081, 14116),
		entry(AF_INET, "10.0.0.1", 0, "192.0.2.2", 443, 7),
	};
	char *out;

	(void)state;
	begin(false);
	tw_show_dests(e, 2, 1, 32768, 60999, 1);
	out = end();
	assert_string_equal(out, "FAMILY  LOCAL  REMOTE       COUNT  OF PORTS\n"
				 "inet6   ::1    [::1]:8081  14,116     50.0%\n"
				 "(1 more; --top all shows every one)\n");
	free(out);
}

static void services_json(void **state)
{
	struct tw_entry e = entry(AF_INET, "127.0.0.1", 8080, NULL, 0, 1000);
	json_object *j, *r;

	(void)state;
	begin(true);
	tw_show_services(&e, 1, 0);
	j = end_json();
	r = json_object_array_get_idx(j, 0);
	assert_string_equal(json_object_get_string(get(r, "family")), "inet");
	assert_string_equal(json_object_get_string(get(r, "local")), "127.0.0.1");
	assert_int_key(r, "lport", 8080);
	assert_int_key(r, "count", 1000);
	json_object_put(j);
}

static void socks_json_and_text(void **state)
{
	struct tw_entry e = entry(AF_INET6, "::ffff:192.0.2.1", 40000, "2001:db8::2", 80, 0);
	json_object *j, *r;
	char *out;

	(void)state;
	e.substate = 6;
	e.remaining_ms = 41234;
	e.age_ms = 18766;
	begin(true);
	tw_show_socks(&e, 1);
	j = end_json();
	r = json_object_array_get_idx(j, 0);
	assert_string_equal(json_object_get_string(get(r, "family")), "inet6");
	assert_string_equal(json_object_get_string(get(r, "local")), "::ffff:192.0.2.1");
	assert_int_key(r, "lport", 40000);
	assert_string_equal(json_object_get_string(get(r, "remote")), "2001:db8::2");
	assert_int_key(r, "rport", 80);
	assert_string_equal(json_object_get_string(get(r, "substate")), "time-wait");
	assert_int_key(r, "remaining_ms", 41234);
	assert_int_key(r, "age_ms", 18766);
	json_object_put(j);

	begin(false);
	tw_show_socks(&e, 1);
	out = end();
	assert_string_equal(out,
			    "FAMILY  STATE      LOCAL                     PEER              "
			    "REMAINING    AGE\n"
			    "inet6   time-wait  [::ffff:192.0.2.1]:40000  [2001:db8::2]:80      "
			    "41.2s  18.7s\n");
	free(out);
}

static void ages_text(void **state)
{
	struct tw_stats s = ref_stats(ALL_HOOKS, 0);
	char *out;

	(void)state;
	memset(s.ages, 0, sizeof(s.ages));
	s.ages[0] = 10;
	s.ages[59] = 5;
	s.ages[60] = 1;
	s.live = 16;
	begin(false);
	tw_show_ages(&s, NULL);
	out = end();
	if (!strstr(out, "  0-1s     10  ########################################\n") ||
	    !strstr(out, "59-60s      5  ####################\n") ||
	    !strstr(out, " >=60s      1  ####\n") || strstr(out, "1-2s") ||
	    !strstr(out, "   AGE  COUNT\n"))
		fail_msg("unexpected text:\n%s", out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ages_json),	    cmocka_unit_test(summary_keys),
		cmocka_unit_test(all_netns_array),  cmocka_unit_test(hook_map),
		cmocka_unit_test(unavailable_json), cmocka_unit_test(unavailable_text),
		cmocka_unit_test(dests_json),	    cmocka_unit_test(dests_text),
		cmocka_unit_test(services_json),    cmocka_unit_test(socks_json_and_text),
		cmocka_unit_test(ages_text),
	};

	return cmocka_run_group_tests_name("show", tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/* tw-stat's command line: good and bad options */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "opts.h"

static char err[TW_OPT_ERR_LEN];

/* argv from a NULL-terminated list; "tw-stat" is argv[0] */
static int parse(struct tw_opts *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "tw-stat";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)))
		argc++;
	va_end(ap);
	return tw_opts_parse(argc, argv, o, err, sizeof(err));
}

static void defaults(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, NULL), 0);
	assert_string_equal(o.cmd, "show");
	assert_false(o.json);
	assert_int_equal(o.top, TW_TOP_DEFAULT);
	assert_int_equal(parse(&o, "-j", NULL), 0);
	assert_true(o.json);
	assert_int_equal(o.top, 0); /* JSON: all rows */
	assert_int_equal(parse(&o, "--json", "--pretty", "ages", NULL), 0);
	assert_true(o.pretty);
	assert_string_equal(o.cmd, "ages");
}

static void top_values(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "dests", "--top", "5", NULL), 0);
	assert_int_equal(o.top, 5);
	assert_true(o.given & OPT_TOP);
	assert_int_equal(parse(&o, "-j", "dests", "--top", "3", NULL), 0);
	assert_int_equal(o.top, 3);
	assert_int_equal(parse(&o, "dests", "--top", "all", NULL), 0);
	assert_int_equal(o.top, 0);
	assert_int_equal(parse(&o, "dests", "--top=7", NULL), 0);
	assert_int_equal(o.top, 7);
}

static void top_bad(void **state)
{
	static const char *const bad[] = { "0", "-1", "abc", "5x", "", " 5", "+5", "99999999999" };
	struct tw_opts o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, "dests", "--top", bad[i], NULL), 2);
		assert_non_null(strstr(err, "--top"));
	}
	assert_int_equal(parse(&o, "dests", "--top", NULL), 2);
	assert_non_null(strstr(err, "needs an argument"));
}

/* issue 12: an argument given to an option that takes none (it printed
 * "unknown option -" and a NUL byte, or "needs an argument") */
static void flag_with_argument(void **state)
{
	static const char *const flags[] = { "all-netns", "stats", "json", "follow", "pretty" };
	char arg[32], want[64];
	struct tw_opts o;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		snprintf(arg, sizeof(arg), "--%s=1", flags[i]);
		snprintf(want, sizeof(want), "option '--%s' takes no argument", flags[i]);
		assert_int_equal(parse(&o, "events", arg, NULL), 2);
		assert_string_equal(err, want);
	}
	assert_int_equal(parse(&o, "dests", "--top", NULL), 2);
	assert_string_equal(err, "option '--top' needs an argument");
	assert_int_equal(parse(&o, "--bogus=1", NULL), 2);
	assert_string_equal(err, "unknown option --bogus");
	assert_int_equal(parse(&o, "-x", NULL), 2);
	assert_string_equal(err, "unknown option -x");
}

static void options_after_command(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "services", "-n", "twa", NULL), 0);
	assert_string_equal(o.cmd, "services");
	assert_string_equal(o.netns, "twa");
	assert_int_equal(parse(&o, "-j", "socks", "--dport", "8081", NULL), 0);
	assert_string_equal(o.cmd, "socks");
	assert_true(o.given & OPT_DPORT);
	assert_int_equal(o.f.dport, 8081);
	assert_int_equal(parse(&o, "--all-netns", "-j", NULL), 0);
	assert_true(o.all_netns);
}

static void filters(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "socks", "--src", "::1", "--sport", "80", "--dst", "[::2]",
			       "--state", "fin-wait-2", NULL),
			 0);
	assert_int_equal(o.f.family, AF_INET6);
	assert_int_equal(o.f.src[15], 1);
	assert_int_equal(o.f.dst[15], 2);
	assert_int_equal(o.f.sport, 80);
	assert_int_equal(o.f.substate, 5);
	assert_int_equal(parse(&o, "socks", "--family", "inet", "--dst", "10.0.0.1", NULL), 0);
	assert_int_equal(o.f.family, AF_INET);
	assert_int_equal(parse(&o, "socks", "--state", "time-wait", "--sport", "0", NULL), 0);
	assert_int_equal(o.f.substate, 6);
	assert_int_equal(parse(&o, "socks", "--dport", "65535", NULL), 0);
	assert_int_equal(o.f.dport, 65535);
}

static void filters_bad(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "socks", "--family", "inet", "--src", "::1", NULL), 2);
	assert_non_null(strstr(err, "not an inet address"));
	assert_int_equal(parse(&o, "socks", "--src", "10.0.0.1", "--dst", "::1", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--src", "::1", "--family", "inet", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--family", "ipx", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--src", "host.example", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--sport", "65536", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--dport", "http", NULL), 2);
	assert_int_equal(parse(&o, "socks", "--state", "established", NULL), 2);
}

static void usage_errors(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "show", "extra", NULL), 2);
	assert_non_null(strstr(err, "unexpected argument"));
	assert_int_equal(parse(&o, "--bogus", NULL), 2);
	assert_non_null(strstr(err, "--bogus"));
	assert_int_equal(parse(&o, "-x", NULL), 2);
	assert_int_equal(parse(&o, "-n", NULL), 2);
	assert_int_equal(parse(&o, "-n", "a/b", NULL), 2);
	assert_int_equal(parse(&o, "-n", "..", NULL), 2);
	assert_int_equal(parse(&o, "-n", "twa", "--all-netns", NULL), 2);
	assert_non_null(strstr(err, "exclude"));
	assert_int_equal(parse(&o, "cgroups", "--cgroup", "/no/such.service", NULL), 2);
	assert_non_null(strstr(err, "--cgroup /no/such.service: no such cgroup"));
	assert_int_equal(parse(&o, "cgroups", "--cgroup", "12345", NULL), 0);
	assert_int_equal(o.f.cgroup_id, 12345);
	assert_true(o.given & OPT_CGROUP);
}

static void per_command(void **state)
{
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "socks", "--top", "3", NULL), 0);
	assert_int_equal(tw_opts_check(&o, OPT_FAMILY | OPT_SRC, err, sizeof(err)), 2);
	assert_non_null(strstr(err, "--top: not an option of \"socks\""));
	assert_int_equal(parse(&o, "dests", "--top", "3", "--dport", "80", NULL), 0);
	assert_int_equal(tw_opts_check(&o, OPT_TOP | OPT_DPORT, err, sizeof(err)), 0);
	assert_int_equal(tw_opts_check(&o, OPT_TOP, err, sizeof(err)), 2);
	assert_int_equal(parse(&o, "-j", "-p", NULL), 0);
	assert_int_equal(tw_opts_check(&o, 0, err, sizeof(err)), 0);
}

static void ulong_parse(void **state)
{
	unsigned long v;

	(void)state;
	assert_int_equal(tw_parse_ulong("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_not_equal(tw_parse_ulong("101", 0, 100, &v), 0);
	assert_int_not_equal(tw_parse_ulong("-1", 0, 100, &v), 0);
	assert_int_not_equal(tw_parse_ulong("1e3", 0, 10000, &v), 0);
	assert_int_not_equal(tw_parse_ulong(NULL, 0, 1, &v), 0);
}

/* events and watch */
static void live_options(void **state)
{
	unsigned int ms = 0;
	struct tw_opts o;

	(void)state;
	assert_int_equal(parse(&o, "events", NULL), 0);
	assert_int_equal(o.count, 0);
	assert_false(o.stats);
	assert_int_equal(o.interval_ms, TW_INTERVAL_DEFAULT_MS);
	assert_int_equal(parse(&o, "events", "--count", "3", "--stats", "--follow", "--rcvbuf",
			       "4096", NULL),
			 0);
	assert_int_equal(o.count, 3);
	assert_true(o.stats && o.follow);
	assert_int_equal(o.rcvbuf, 4096);
	assert_int_equal(o.given, OPT_COUNT | OPT_STATS | OPT_FOLLOW | OPT_RCVBUF);
	assert_int_equal(parse(&o, "watch", "-i", "0.5", "--iterations", "2", NULL), 0);
	assert_int_equal(o.interval_ms, 500);
	assert_int_equal(o.iterations, 2);
	assert_int_equal(parse(&o, "watch", "--interval=3", NULL), 0);
	assert_int_equal(o.interval_ms, 3000);

	assert_int_equal(parse(&o, "events", "--count", "0", NULL), 2);
	assert_non_null(strstr(err, "--count 0: expected a positive number"));
	assert_int_equal(parse(&o, "watch", "-i", "0.05", NULL), 2);
	assert_non_null(strstr(err, "--interval 0.05: expected seconds from 0.1 to 3600"));
	assert_int_equal(parse(&o, "watch", "-i", "1s", NULL), 2);
	assert_int_equal(parse(&o, "watch", "-i", "-1", NULL), 2);
	assert_int_equal(parse(&o, "watch", "-i", NULL), 2);
	assert_string_equal(err, "option -i needs an argument");
	assert_int_equal(parse(&o, "events", "--rcvbuf", "10", NULL), 2);
	/* each command takes its own */
	assert_int_equal(parse(&o, "watch", "--count", "1", NULL), 0);
	assert_int_equal(
		tw_opts_check(&o, OPT_TOP | OPT_INTERVAL | OPT_ITERATIONS, err, sizeof(err)), 2);
	assert_string_equal(err, "--count: not an option of \"watch\"");

	assert_int_equal(tw_parse_seconds("0.1", 100, 3600000, &ms), 0);
	assert_int_equal(ms, 100);
	assert_int_equal(tw_parse_seconds("3600", 100, 3600000, &ms), 0);
	assert_int_equal(ms, 3600000);
	assert_int_equal(tw_parse_seconds(".25", 100, 3600000, &ms), 0);
	assert_int_equal(ms, 250);
	assert_int_not_equal(tw_parse_seconds("3600.1", 100, 3600000, &ms), 0);
	assert_int_not_equal(tw_parse_seconds("nan", 100, 3600000, &ms), 0);
	assert_int_not_equal(tw_parse_seconds("", 100, 3600000, &ms), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),
		cmocka_unit_test(top_values),
		cmocka_unit_test(top_bad),
		cmocka_unit_test(options_after_command),
		cmocka_unit_test(filters),
		cmocka_unit_test(filters_bad),
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(per_command),
		cmocka_unit_test(ulong_parse),
		cmocka_unit_test(live_options),
		cmocka_unit_test(flag_with_argument),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}

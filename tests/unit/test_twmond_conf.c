// SPDX-License-Identifier: GPL-2.0
/* twmond's configuration file: a good file, and each error with its line */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

static char err[TWD_ERR_LEN];

static int parse_text(struct twd_conf *c, const char *text)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	twd_conf_defaults(c);
	err[0] = 0;
	r = twd_conf_parse(c, f, "twmond.conf", err, sizeof(err));
	fclose(f);
	return r;
}

static void defaults(void **state)
{
	struct twd_conf c;

	(void)state;
	twd_conf_defaults(&c);
	assert_string_equal(c.listen, "127.0.0.1:9477");
	assert_int_equal(c.top_n, 10);
	assert_int_equal(c.rcvbuf, 1 << 20);
	assert_int_equal(c.stats_interval_ms, 0);
	assert_true(fabs(c.rule[TWD_R_BUCKETS_HIGH].warn - 0.80) < 1e-9);
	assert_true(fabs(c.rule[TWD_R_BUCKETS_HIGH].crit - 0.95) < 1e-9);
	assert_true(fabs(c.rule[TWD_R_BUCKETS_HIGH].clear - 0.70) < 1e-9);
	assert_true(isnan(c.rule[TWD_R_OVERFLOW].warn));
	assert_true(c.rule[TWD_R_OVERFLOW].crit == 0);
	assert_true(c.rule[TWD_R_LINGER_ABORT].warn == 10);
	assert_int_equal(twd_conf_check(&c, err, sizeof(err)), 0);
	assert_string_equal(twd_rule_name(TWD_R_EADDRNOTAVAIL), "connect_eaddrnotavail");
	assert_null(twd_rule_name(__TWD_R_LAST));
}

static void good_file(void **state)
{
	struct twd_conf c;

	(void)state;
	assert_int_equal(parse_text(&c, "# twmond.conf\n"
					"\n"
					"listen = [::1]:9100   # IPv6 loopback\n"
					"  textfile=/var/lib/node/twmon.prom\n"
					"json = -\n"
					"exec = /usr/local/bin/page-me\n"
					"syslog = yes\n"
					"rcvbuf = 1024\n"
					"top_n = 3\n"
					"all_netns = no\n"
					"stats_interval_ms = 100\n"
					"poll_ms = 500\n"
					"pool_exhaustion.warn = 50%\n"
					"pool_exhaustion.crit = 0.9\n"
					"pool_exhaustion.clear = 40%\n"
					"pool_exhaustion.for_ms = 3000\n"
					"linger_abort.enabled = no\n"
					"tw_buckets_high.crit = off\n"),
			 0);
	assert_string_equal(err, "");
	assert_string_equal(c.listen, "[::1]:9100");
	assert_string_equal(c.textfile, "/var/lib/node/twmon.prom");
	assert_string_equal(c.json, "-");
	assert_string_equal(c.exec, "/usr/local/bin/page-me");
	assert_true(c.syslog);
	assert_int_equal(c.rcvbuf, 1024);
	assert_int_equal(c.top_n, 3);
	assert_int_equal(c.all_netns, TWD_NETNS_OWN);
	assert_int_equal(c.stats_interval_ms, 100);
	assert_int_equal(c.poll_ms, 500);
	assert_true(fabs(c.rule[TWD_R_POOL_EXHAUSTION].warn - 0.5) < 1e-9);
	assert_true(fabs(c.rule[TWD_R_POOL_EXHAUSTION].crit - 0.9) < 1e-9);
	assert_true(fabs(c.rule[TWD_R_POOL_EXHAUSTION].clear - 0.4) < 1e-9);
	assert_int_equal(c.rule[TWD_R_POOL_EXHAUSTION].for_ms, 3000);
	assert_false(c.rule[TWD_R_LINGER_ABORT].enabled);
	assert_true(isnan(c.rule[TWD_R_BUCKETS_HIGH].crit));
}

static void off_values(void **state)
{
	struct twd_conf c;

	(void)state;
	assert_int_equal(parse_text(&c, "listen = off\njson = off\ntextfile = off\n"), 0);
	assert_string_equal(c.listen, "");
	assert_string_equal(c.json, "");
	assert_string_equal(c.textfile, "");
}

/* Each bad line, alone on line 3 after two good ones: the message names line 3 */
static void each_error_has_its_line(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "foo = 1", "twmond.conf:3: unknown key 'foo'" },
		{ "listen 127.0.0.1:9477",
		  "twmond.conf:3: expected 'key = value', got 'listen 127.0.0.1:9477'" },
		{ "= 3", "twmond.conf:3: missing key before '='" },
		{ "rcvbuf = lots",
		  "twmond.conf:3: rcvbuf: expected an integer in 1..1073741824, got 'lots'" },
		{ "rcvbuf = 0",
		  "twmond.conf:3: rcvbuf: expected an integer in 1..1073741824, got '0'" },
		{ "top_n = -1", "twmond.conf:3: top_n: expected an integer in 0..1000, got '-1'" },
		{ "syslog = maybe", "twmond.conf:3: syslog: expected yes or no, got 'maybe'" },
		{ "listen = localhost",
		  "twmond.conf:3: listen: expected ADDRESS:PORT or off, got 'localhost'" },
		{ "listen = 127.0.0.1:99999",
		  "twmond.conf:3: listen: expected ADDRESS:PORT or off, got '127.0.0.1:99999'" },
		{ "all_netns = some",
		  "twmond.conf:3: all_netns: expected auto, yes or no, got 'some'" },
		{ "stats_interval_ms = 50",
		  "twmond.conf:3: stats_interval_ms: 0 (leave the kernel's) or 100..60000, got '50'" },
		{ "pool_exhaustion.warn = 120%",
		  "twmond.conf:3: pool_exhaustion.warn: expected a ratio 0..1 or a percentage like 80% or off, got '120%'" },
		{ "tw_overflow.crit = soon",
		  "twmond.conf:3: tw_overflow.crit: expected a number >= 0 or off, got 'soon'" },
		{ "tw_overflow.clear = off",
		  "twmond.conf:3: tw_overflow.clear: expected a number >= 0, got 'off'" },
		{ "tw_overflow.colour = red", "twmond.conf:3: unknown key 'tw_overflow.colour'" },
		{ "nosuchrule.warn = 1", "twmond.conf:3: unknown key 'nosuchrule.warn'" },
		/* issue 12: what the daemon cannot bind or run is refused here too */
		{ "listen = nothost:19477",
		  "twmond.conf:3: listen: 'nothost' is not a numeric IPv4 or IPv6 address (ADDRESS:PORT), in 'nothost:19477'" },
		{ "listen = 999.1.1.1:80",
		  "twmond.conf:3: listen: '999.1.1.1' is not a numeric IPv4 or IPv6 address (ADDRESS:PORT), in '999.1.1.1:80'" },
		{ "exec = relative/hook",
		  "twmond.conf:3: exec: expected an absolute path or off, got 'relative/hook'" },
		{ "exec_max = 0",
		  "twmond.conf:3: exec_max: expected an integer in 1..64, got '0'" },
		{ "exec_timeout_ms = 5",
		  "twmond.conf:3: exec_timeout_ms: expected an integer in 100..3600000, got '5'" },
	};
	char text[512];
	struct twd_conf c;
	unsigned int i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), "# comment\ntop_n = 5\n%s\nrcvbuf = 4096\n",
			 cases[i].line);
		assert_int_not_equal(parse_text(&c, text), 0);
		assert_string_equal(err, cases[i].msg);
	}
}

/* A NUL byte is an error of its own line; the lines after it keep their numbers */
static void nul_byte(void **state)
{
	static char text[2048];
	struct twd_conf c;
	size_t len;
	FILE *f;
	int r;

	(void)state;
	/* line 2 is a comment of 1500 characters with a NUL early in it */
	len = snprintf(text, sizeof(text), "top_n = 5\n# x");
	text[len++] = 0;
	memset(text + len, 'y', 1500);
	len += 1500;
	len += snprintf(text + len, sizeof(text) - len, "\nbogus = 1\n");
	f = fmemopen(text, len, "r");
	assert_non_null(f);
	r = twd_conf_parse(&c, f, "twmond.conf", err, sizeof(err));
	fclose(f);
	assert_int_not_equal(r, 0);
	assert_string_equal(err, "twmond.conf:2: a NUL byte");
}

/* What must exist for the daemon: checked by --check-config and the daemon alike */
static void files(void **state)
{
	struct twd_conf c;

	(void)state;
	twd_conf_defaults(&c);
	assert_int_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	snprintf(c.exec, sizeof(c.exec), "/nonexistent/hook");
	assert_int_not_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "exec: /nonexistent/hook: No such file or directory");
	snprintf(c.exec, sizeof(c.exec), "/etc");
	assert_int_not_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "exec: /etc: not a regular file");
	snprintf(c.exec, sizeof(c.exec), "/bin/true");
	assert_int_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	snprintf(c.textfile, sizeof(c.textfile), "/nonexistent/dir/twmon.prom");
	assert_int_not_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "textfile: /nonexistent/dir: No such file or directory");
	c.textfile[0] = 0;
	snprintf(c.json, sizeof(c.json), "/etc/passwd/x.json");
	assert_int_not_equal(twd_conf_check_files(&c, err, sizeof(err)), 0);
	assert_string_equal(err, "json: /etc/passwd: not a directory");
}

/* Settings that contradict each other: named after the whole file */
static void cross_checks(void **state)
{
	struct twd_conf c;

	(void)state;
	assert_int_not_equal(parse_text(&c, "tw_buckets_high.crit = 0.5\n"), 0);
	assert_string_equal(err, "twmond.conf: tw_buckets_high: crit (0.5) is below warn (0.8)");
	assert_int_not_equal(parse_text(&c, "pool_exhaustion.clear = 0.9\n"), 0);
	assert_string_equal(
		err,
		"twmond.conf: pool_exhaustion: clear (0.9) is above the lowest threshold (0.8)");
	assert_int_not_equal(parse_text(&c, "tw_overflow.crit = off\n"), 0);
	assert_string_equal(err, "twmond.conf: tw_overflow: warn and crit are both off (set "
				 "tw_overflow.enabled = no)");
	assert_int_equal(parse_text(&c, "tw_overflow.crit = off\ntw_overflow.enabled = no\n"), 0);
}

/* Flags use the same setter: the last word wins */
static void set_overrides(void **state)
{
	struct twd_conf c;

	(void)state;
	assert_int_equal(parse_text(&c, "listen = 127.0.0.1:9000\n"), 0);
	assert_int_equal(twd_conf_set(&c, "listen", "0.0.0.0:9477", err, sizeof(err)), 0);
	assert_string_equal(c.listen, "0.0.0.0:9477");
	assert_int_not_equal(twd_conf_set(&c, "bogus", "1", err, sizeof(err)), 0);
	assert_string_equal(err, "unknown key 'bogus'");
}

static void missing_file(void **state)
{
	struct twd_conf c;

	(void)state;
	twd_conf_defaults(&c);
	assert_int_not_equal(twd_conf_load(&c, "/nonexistent/twmond.conf", err, sizeof(err)), 0);
	assert_string_equal(err, "/nonexistent/twmond.conf: No such file or directory");
}

/* The example shipped in userspace/twmond/ must be valid */
static void shipped_example(void **state)
{
	struct twd_conf c;

	(void)state;
	twd_conf_defaults(&c);
	assert_int_equal(twd_conf_load(&c, "../../userspace/twmond/twmond.conf", err, sizeof(err)),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),	cmocka_unit_test(good_file),
		cmocka_unit_test(off_values),	cmocka_unit_test(each_error_has_its_line),
		cmocka_unit_test(cross_checks), cmocka_unit_test(nul_byte),
		cmocka_unit_test(files),	cmocka_unit_test(set_overrides),
		cmocka_unit_test(missing_file), cmocka_unit_test(shipped_example),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

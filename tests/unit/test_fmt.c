// SPDX-License-Identifier: GPL-2.0
/* Address text, number text, percentages and port-range occupancy */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "fmt.h"

static const char *addr_text(int family, const char *in)
{
	static char out[INET6_ADDRSTRLEN];
	uint8_t a[16];

	assert_int_equal(inet_pton(family, in, a), 1);
	assert_int_equal(tw_addr_str(family, a, tw_family_addr_len(family), out, sizeof(out)), 0);
	return out;
}

static void addr_v4(void **state)
{
	(void)state;
	assert_string_equal(addr_text(AF_INET, "192.0.2.1"), "192.0.2.1");
	assert_string_equal(addr_text(AF_INET, "0.0.0.0"), "0.0.0.0");
	assert_string_equal(addr_text(AF_INET, "255.255.255.255"), "255.255.255.255");
}

static void addr_v6(void **state)
{
	(void)state;
	assert_string_equal(addr_text(AF_INET6, "::1"), "::1");
	assert_string_equal(addr_text(AF_INET6, "2001:0db8:0000:0000:0000:0000:0000:0001"),
			    "2001:db8::1");
	assert_string_equal(addr_text(AF_INET6, "fe80::1:2:3:4"), "fe80::1:2:3:4");
}

static void addr_v4_mapped(void **state)
{
	(void)state;
	assert_string_equal(addr_text(AF_INET6, "::ffff:192.0.2.1"), "::ffff:192.0.2.1");
}

static void addr_bad_length(void **state)
{
	uint8_t a[16] = { 0 };
	char out[INET6_ADDRSTRLEN];

	(void)state;
	assert_int_equal(tw_addr_str(AF_INET, a, 16, out, sizeof(out)), -EINVAL);
	assert_int_equal(tw_addr_str(AF_INET6, a, 4, out, sizeof(out)), -EINVAL);
	assert_int_equal(tw_addr_str(99, a, 4, out, sizeof(out)), -EINVAL);
	assert_int_equal(tw_addr_str(AF_INET, NULL, 4, out, sizeof(out)), -EINVAL);
}

static void endpoint(void **state)
{
	uint8_t a[16];
	char out[TW_ENDPOINT_LEN];

	(void)state;
	inet_pton(AF_INET, "127.0.0.1", a);
	assert_int_equal(tw_endpoint_str(AF_INET, a, 4, 8080, out, sizeof(out)), 0);
	assert_string_equal(out, "127.0.0.1:8080");
	inet_pton(AF_INET6, "::1", a);
	assert_int_equal(tw_endpoint_str(AF_INET6, a, 16, 8081, out, sizeof(out)), 0);
	assert_string_equal(out, "[::1]:8081");
	assert_int_equal(tw_endpoint_str(AF_INET6, a, 16, 8081, out, 6), -ENOSPC);
}

static void addr_parse(void **state)
{
	uint8_t a[16], want[16];
	uint8_t fam;

	(void)state;
	assert_int_equal(tw_addr_parse("10.0.0.1", &fam, a), 0);
	assert_int_equal(fam, AF_INET);
	inet_pton(AF_INET, "10.0.0.1", want);
	assert_memory_equal(a, want, 4);
	assert_int_equal(tw_addr_parse("::1", &fam, a), 0);
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(tw_addr_parse("[2001:db8::1]", &fam, a), 0);
	inet_pton(AF_INET6, "2001:db8::1", want);
	assert_memory_equal(a, want, 16);
	assert_int_equal(tw_addr_parse("10.0.0", &fam, a), -EINVAL);
	assert_int_equal(tw_addr_parse("[10.0.0.1]", &fam, a), -EINVAL);
	assert_int_equal(tw_addr_parse("example.com", &fam, a), -EINVAL);
	assert_int_equal(tw_addr_parse("", &fam, a), -EINVAL);
	assert_int_equal(tw_addr_parse("[]", &fam, a), -EINVAL);
}

static void families(void **state)
{
	(void)state;
	assert_string_equal(tw_family_name(AF_INET), "inet");
	assert_string_equal(tw_family_name(AF_INET6), "inet6");
	assert_null(tw_family_name(AF_UNIX));
	assert_int_equal(tw_family_parse("inet"), AF_INET);
	assert_int_equal(tw_family_parse("inet6"), AF_INET6);
	assert_int_equal(tw_family_parse("ipv4"), 0);
}

static const char *count(uint64_t v)
{
	static char buf[TW_NUM_LEN];

	return tw_fmt_count(v, buf, sizeof(buf));
}

static void number_text(void **state)
{
	(void)state;
	assert_string_equal(count(0), "0");
	assert_string_equal(count(7), "7");
	assert_string_equal(count(999), "999");
	assert_string_equal(count(1000), "1,000");
	assert_string_equal(count(12345), "12,345");
	assert_string_equal(count(123456), "123,456");
	assert_string_equal(count(1234567), "1,234,567");
	assert_string_equal(count(UINT64_MAX), "18,446,744,073,709,551,615");
}

static void percent(void **state)
{
	char buf[TW_NUM_LEN];
	double p;

	(void)state;
	assert_true(tw_pct(1, 3, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "33.3%");
	assert_true(tw_pct(2, 3, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "66.7%");
	assert_true(tw_pct(1234, 4096, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "30.1%");
	assert_true(tw_pct(0, 4096, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "0.0%");
	assert_false(tw_pct(5, 0, &p));
}

static void occupancy(void **state)
{
	char buf[TW_NUM_LEN];
	double p;

	(void)state;
	/* the default range holds 28,232 ports: half of it */
	assert_true(tw_occupancy(14116, 32768, 60999, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "50.0%");
	assert_true(tw_occupancy(200, 40000, 40199, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "100.0%");
	assert_true(tw_occupancy(1, 40000, 40000, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "100.0%");
	assert_true(tw_occupancy(0, 1, 65535, &p));
	assert_string_equal(tw_fmt_pct(p, buf, sizeof(buf)), "0.0%");
	/* not a port range */
	assert_false(tw_occupancy(1, 40000, 39999, &p));
	assert_false(tw_occupancy(1, 0, 100, &p));
	assert_false(tw_occupancy(1, 1, 65536, &p));
}

static void milliseconds(void **state)
{
	char buf[TW_NUM_LEN];

	(void)state;
	assert_string_equal(tw_fmt_ms(41234, buf, sizeof(buf)), "41.2s");
	assert_string_equal(tw_fmt_ms(0, buf, sizeof(buf)), "0.0s");
	assert_string_equal(tw_fmt_ms(60000, buf, sizeof(buf)), "60.0s");
	assert_string_equal(tw_fmt_ms(999, buf, sizeof(buf)), "0.9s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(addr_v4),	  cmocka_unit_test(addr_v6),
		cmocka_unit_test(addr_v4_mapped), cmocka_unit_test(addr_bad_length),
		cmocka_unit_test(endpoint),	  cmocka_unit_test(addr_parse),
		cmocka_unit_test(families),	  cmocka_unit_test(number_text),
		cmocka_unit_test(percent),	  cmocka_unit_test(occupancy),
		cmocka_unit_test(milliseconds),
	};

	return cmocka_run_group_tests_name("fmt", tests, NULL, NULL);
}

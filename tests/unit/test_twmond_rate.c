// SPDX-License-Identifier: GPL-2.0
/* twmond's rate windows and forecasts, against values worked out by hand */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>

#include "rate.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-6)

static struct twd_sample ring[64];

/* A counter at 100/s for 30 s, then 1000/s for 5 s, sampled every second */
static void windows(void **state)
{
	struct twd_series s;
	uint64_t v = 0;
	int t;

	(void)state;
	twd_series_init(&s, ring, 64);
	NEAR(twd_series_rate(&s, 1000), 0); /* nothing yet */
	for (t = 0; t <= 30; t++) {
		twd_series_add(&s, t * 1000, v);
		v += 100;
	}
	/* v at t=30 s is 3000 */
	NEAR(twd_series_rate(&s, 1000), 100);
	NEAR(twd_series_rate(&s, 10000), 100);
	/* only 30 s of history: the 60 s window uses what there is */
	NEAR(twd_series_rate(&s, 60000), 100);
	v = 3000;
	for (t = 31; t <= 35; t++) {
		v += 1000;
		twd_series_add(&s, t * 1000, v);
	}
	/* t=35: v = 8000. 1 s: 1000/s. 10 s: from t=25 (2500): 5500/10 = 550/s */
	NEAR(twd_series_rate(&s, 1000), 1000);
	NEAR(twd_series_rate(&s, 10000), 550);
	/* 60 s: from t=0 (0): 8000/35 */
	NEAR(twd_series_rate(&s, 60000), 8000.0 / 35);
	assert_int_equal(twd_series_last(&s), 8000);
}

/* Notifications every 100 ms: samples kept a second apart, the newest always used */
static void sub_second_samples(void **state)
{
	struct twd_series s;
	int i;

	(void)state;
	twd_series_init(&s, ring, 64);
	for (i = 0; i <= 25; i++)
		twd_series_add(&s, i * 100, (uint64_t)i * 10); /* 100/s */
	/* kept: t=0, 1000, 2000; newest t=2500 (250) */
	assert_int_equal(s.n, 3);
	assert_int_equal(twd_series_last(&s), 250);
	/* 1 s: from t=1000 (100) to t=2500 (250): 150 / 1.5 s = 100/s */
	NEAR(twd_series_rate(&s, 1000), 100);
	NEAR(twd_series_rate(&s, 10000), 100);
}

/* The ring forgets the oldest; a counter going backwards starts afresh */
static void ring_and_reset(void **state)
{
	struct twd_sample small[4];
	struct twd_series s;
	int t;

	(void)state;
	twd_series_init(&s, small, 4);
	for (t = 0; t < 10; t++)
		twd_series_add(&s, t * 1000, (uint64_t)t * t); /* accelerating */
	/* kept t=6..9: 60 s window falls back to the oldest kept, t=6 (36) -> t=9 (81) */
	assert_int_equal(s.n, 4);
	NEAR(twd_series_rate(&s, 60000), (81.0 - 36) / 3);
	/* the module was reloaded: counters restart from 0 */
	twd_series_add(&s, 10000, 5);
	assert_int_equal(s.n, 1);
	NEAR(twd_series_rate(&s, 1000), 0);
	twd_series_add(&s, 11000, 15);
	NEAR(twd_series_rate(&s, 1000), 10);
}

/* Bucket table forecasts, worked by hand */
static void buckets(void **state)
{
	struct twd_bucket_forecast f;

	(void)state;
	/* 1000 live of 4096, closing 100/s: steady 6000 > 4096: (4096-1000)/100 = 30.96 s */
	twd_forecast_buckets(1000, 4096, 100, &f);
	NEAR(f.usage, 1000.0 / 4096);
	NEAR(f.steady, 6000);
	NEAR(f.to_overflow, 30.96);
	/* closing 50/s: steady 3000 fits: never */
	twd_forecast_buckets(1000, 4096, 50, &f);
	NEAR(f.steady, 3000);
	assert_true(f.to_overflow < 0);
	/* full: now */
	twd_forecast_buckets(4096, 4096, 10, &f);
	NEAR(f.usage, 1);
	NEAR(f.to_overflow, 0);
	/* no limit known: no usage, never */
	twd_forecast_buckets(10, 0, 100, &f);
	NEAR(f.usage, 0);
	assert_true(f.to_overflow < 0);
}

/* The example: 28,232 ports / 60 s = about 470 connections/s */
static void pools(void **state)
{
	struct twd_pool_forecast f;
	uint32_t range = twd_range_size(32768, 60999);

	(void)state;
	assert_int_equal(range, 28232);
	/* 470/s: steady 28200 fits (barely): never */
	twd_forecast_pool(20000, range, 470, &f);
	assert_true(f.to_exhaustion < 0);
	/* 471/s: steady 28260 > 28232: (28232 - 27400) / 471 = 1.7665 s */
	twd_forecast_pool(27400, range, 471, &f);
	NEAR(f.occupancy, 27400.0 / 28232);
	NEAR(f.to_exhaustion, 832.0 / 471);
	/* a 500-port range at 100/s from 0: 5 s */
	twd_forecast_pool(0, 500, 100, &f);
	NEAR(f.to_exhaustion, 5);
	NEAR(f.steady, 6000);
	twd_forecast_pool(500, 500, 0, &f);
	NEAR(f.to_exhaustion, 0);
	NEAR(f.occupancy, 1);
	assert_int_equal(twd_range_size(40000, 40499), 500);
	assert_int_equal(twd_range_size(5, 4), 0);
	assert_int_equal(twd_range_size(0, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(windows), cmocka_unit_test(sub_second_samples),
		cmocka_unit_test(ring_and_reset), cmocka_unit_test(buckets),
		cmocka_unit_test(pools),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

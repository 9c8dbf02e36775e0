/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond: rates of the kernel's counters over sliding windows (1 s, 10 s,
 * 60 s) and the forecasts built on them. Pure arithmetic on (time, value)
 * samples, so the unit tests can check it by hand.
 */
#ifndef TWD_RATE_H
#define TWD_RATE_H

#include <stdbool.h>
#include <stdint.h>

/* TIME_WAIT lasts 60 s (TCP_TIMEWAIT_LEN): steady state = rate x 60 s */
#define TWD_TW_SECONDS 60.0
/* Samples kept are at least this far apart; the newest is always kept */
#define TWD_SAMPLE_STEP_MS 1000

struct twd_sample {
	int64_t t_ms;
	uint64_t v;
};

/*
 * A monotonic counter (or a level) over time: a ring of samples at least
 * TWD_SAMPLE_STEP_MS apart, in storage the owner provides (cap samples
 * cover about cap seconds), plus the newest sample.
 */
struct twd_series {
	struct twd_sample *ring;
	unsigned int cap, n, head; /* head: index of the oldest */
	struct twd_sample cur;
	bool have_cur;
};

void twd_series_init(struct twd_series *s, struct twd_sample *ring, unsigned int cap);
void twd_series_reset(struct twd_series *s);
/*
 * Add the value at t_ms. A counter that went backwards (the module was
 * reloaded) starts the series afresh; so does time going backwards.
 */
void twd_series_add(struct twd_series *s, int64_t t_ms, uint64_t v);
/*
 * Change per second over the last window_ms: from the newest sample at
 * least window_ms older than the newest (or the oldest there is, while the
 * series is younger than the window) to the newest. 0 with fewer than two
 * samples. For a level it can be negative.
 */
double twd_series_rate(const struct twd_series *s, int64_t window_ms);
/* The newest value, 0 if none */
uint64_t twd_series_last(const struct twd_series *s);

/* The bucket table: live TIME_WAIT sockets against tcp_max_tw_buckets */
struct twd_bucket_forecast {
	double usage;	    /* live / max, 0 if max is 0 */
	double steady;	    /* close rate x 60 s: where live is heading */
	double to_overflow; /* seconds until live reaches max; < 0: never */
};

/*
 * close_rate: closes per second that want a TIME_WAIT socket (entered +
 * overflow). If the steady state stays below max, never; if live is at max,
 * 0; else (max - live) / close_rate: the sockets alive now expire within
 * 60 s, so this is exact while the flood is younger than 60 s and a bound
 * otherwise.
 */
void twd_forecast_buckets(uint64_t live, uint32_t max, double close_rate,
			  struct twd_bucket_forecast *f);

/* An outgoing pool: one destination's share of the local port range */
struct twd_pool_forecast {
	double occupancy;     /* count / range size */
	double steady;	      /* rate x 60 s ports in use */
	double to_exhaustion; /* seconds until count reaches the range; < 0: never */
};

/*
 * rate: new connections per second to the destination (the growth of its
 * pool). Exhausted (count >= range): 0; rate <= 0 or a steady state inside
 * the range: never; else (range - count) / rate.
 */
void twd_forecast_pool(uint64_t count, uint32_t range, double rate, struct twd_pool_forecast *f);

/* Port range size high - low + 1, 0 if it is not a range */
uint32_t twd_range_size(uint32_t low, uint32_t high);

#endif

// SPDX-License-Identifier: GPL-2.0
/* twmond: counter rates over sliding windows, bucket and pool forecasts */
#include <string.h>

#include "rate.h"

void twd_series_init(struct twd_series *s, struct twd_sample *ring, unsigned int cap)
{
	memset(s, 0, sizeof(*s));
	s->ring = ring;
	s->cap = cap;
}

void twd_series_reset(struct twd_series *s)
{
	s->n = 0;
	s->head = 0;
	s->have_cur = false;
}

static struct twd_sample *nth(const struct twd_series *s, unsigned int i)
{
	return &s->ring[(s->head + i) % s->cap];
}

static void commit(struct twd_series *s, struct twd_sample smp)
{
	if (s->n == s->cap) {
		s->head = (s->head + 1) % s->cap;
		s->n--;
	}
	*nth(s, s->n) = smp;
	s->n++;
}

void twd_series_add(struct twd_series *s, int64_t t_ms, uint64_t v)
{
	struct twd_sample smp = { t_ms, v };

	if (s->have_cur && (t_ms < s->cur.t_ms || v < s->cur.v))
		twd_series_reset(s);
	s->cur = smp;
	s->have_cur = true;
	if (!s->cap)
		return;
	if (!s->n || t_ms - nth(s, s->n - 1)->t_ms >= TWD_SAMPLE_STEP_MS)
		commit(s, smp);
}

double twd_series_rate(const struct twd_series *s, int64_t window_ms)
{
	const struct twd_sample *old = NULL;
	unsigned int i;

	if (!s->have_cur || !s->n)
		return 0;
	/* the newest committed sample at least window_ms old, else the oldest */
	for (i = s->n; i-- > 0;) {
		const struct twd_sample *c = nth(s, i);

		if (s->cur.t_ms - c->t_ms >= window_ms) {
			old = c;
			break;
		}
	}
	if (!old)
		old = nth(s, 0);
	if (s->cur.t_ms <= old->t_ms)
		return 0;
	return ((double)s->cur.v - (double)old->v) * 1000.0 / (double)(s->cur.t_ms - old->t_ms);
}

uint64_t twd_series_last(const struct twd_series *s)
{
	return s->have_cur ? s->cur.v : 0;
}

void twd_forecast_buckets(uint64_t live, uint32_t max, double close_rate,
			  struct twd_bucket_forecast *f)
{
	if (close_rate < 0)
		close_rate = 0;
	f->usage = max ? (double)live / max : 0;
	f->steady = close_rate * TWD_TW_SECONDS;
	if (max && live >= max)
		f->to_overflow = 0;
	else if (!max || close_rate <= 0 || f->steady <= max)
		f->to_overflow = -1;
	else
		f->to_overflow = ((double)max - (double)live) / close_rate;
}

void twd_forecast_pool(uint64_t count, uint32_t range, double rate, struct twd_pool_forecast *f)
{
	if (rate < 0)
		rate = 0;
	f->occupancy = range ? (double)count / range : 0;
	f->steady = rate * TWD_TW_SECONDS;
	if (range && count >= range)
		f->to_exhaustion = 0;
	else if (!range || rate <= 0 || f->steady <= range)
		f->to_exhaustion = -1;
	else
		f->to_exhaustion = ((double)range - (double)count) / rate;
}

uint32_t twd_range_size(uint32_t low, uint32_t high)
{
	if (!low || high < low || high > 65535)
		return 0;
	return high - low + 1;
}

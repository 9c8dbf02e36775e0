// SPDX-License-Identifier: GPL-2.0
/* Numbers for people */
#include <math.h>
#include <stdio.h>

#include "fmt.h"

char *tw_fmt_count(uint64_t v, char *buf, size_t len)
{
	char digits[TW_NUM_LEN], out[TW_NUM_LEN];
	int n = snprintf(digits, sizeof(digits), "%llu", (unsigned long long)v);
	int i, o = 0;

	for (i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, len, "%s", out);
	return buf;
}

char *tw_fmt_pct(double pct, char *buf, size_t len)
{
	snprintf(buf, len, "%.1f%%", pct);
	return buf;
}

char *tw_fmt_ms(uint32_t ms, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%us", ms / 1000, (ms % 1000) / 100);
	return buf;
}

bool tw_pct(uint64_t num, uint64_t den, double *pct)
{
	if (!den)
		return false;
	*pct = round((double)num * 1000.0 / (double)den) / 10.0;
	return true;
}

bool tw_occupancy(uint64_t count, uint32_t low, uint32_t high, double *pct)
{
	if (low < 1 || high > 65535 || high < low)
		return false;
	return tw_pct(count, (uint64_t)high - low + 1, pct);
}

char *tw_fmt_bar(uint64_t num, uint64_t den, unsigned int width, char *buf, size_t len)
{
	unsigned int fill = 0, i;

	if (len < (size_t)width + 3) {
		if (len)
			buf[0] = '\0';
		return buf;
	}
	if (den)
		fill = num >= den ? width : (unsigned int)((double)num * width / (double)den + 0.5);
	if (fill > width)
		fill = width;
	if (!fill && num && den && width)
		fill = 1; /* something is not nothing */
	buf[0] = '[';
	for (i = 0; i < width; i++)
		buf[1 + i] = i < fill ? '#' : '-';
	buf[1 + width] = ']';
	buf[2 + width] = '\0';
	return buf;
}

char *tw_fmt_rate(double v, char *buf, size_t len)
{
	char whole[TW_NUM_LEN];
	uint64_t tenths;

	if (v < 0 || v != v)
		v = 0;
	tenths = (uint64_t)llround(v * 10.0);
	snprintf(buf, len, "%s.%u", tw_fmt_count(tenths / 10, whole, sizeof(whole)),
		 (unsigned int)(tenths % 10));
	return buf;
}

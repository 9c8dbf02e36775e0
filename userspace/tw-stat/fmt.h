/* SPDX-License-Identifier: GPL-2.0 */
/* Numbers for people: 12,345 counts, 30.1% shares, 41.2s timers */
#ifndef TW_FMT_H
#define TW_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Enough for 18,446,744,073,709,551,615 and a NUL */
#define TW_NUM_LEN 32

/* Decimal with a comma every three digits: 12345 -> "12,345" */
char *tw_fmt_count(uint64_t v, char *buf, size_t len);
/* Percent with one decimal and the sign: 30.1 -> "30.1%" */
char *tw_fmt_pct(double pct, char *buf, size_t len);
/* Milliseconds as seconds with one decimal: 41234 -> "41.2s" */
char *tw_fmt_ms(uint32_t ms, char *buf, size_t len);

/* num / den * 100, rounded to 0.1; false when den is 0 */
bool tw_pct(uint64_t num, uint64_t den, double *pct);
/*
 * Share of the local port range [low, high] used by count sockets, as
 * tw_pct(); false when the range is empty or not a port range.
 */
bool tw_occupancy(uint64_t count, uint32_t low, uint32_t high, double *pct);

/*
 * A bar of width cells: [####------], filled in proportion to num / den
 * (capped at full, at least one cell for any num > 0; empty when den is 0).
 * buf holds width + 3; too small a buf gets "".
 */
char *tw_fmt_bar(uint64_t num, uint64_t den, unsigned int width, char *buf, size_t len);
/* A rate with one decimal: 1234.56 -> "1,234.6" */
char *tw_fmt_rate(double v, char *buf, size_t len);

#endif

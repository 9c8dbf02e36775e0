// SPDX-License-Identifier: GPL-2.0
/* tw-stat watch: one frame, through the print layer */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cgroups.h"
#include "fmt.h"
#include "print.h"
#include "show.h"
#include "watch.h"

#define LABEL "%-12s"
#define BAR_MIN 10
#define BAR_MAX 50

bool tw_rate(uint64_t cur, uint64_t prev, bool have_prev, double dt, double *rate)
{
	if (!have_prev || dt <= 0 || cur < prev)
		return false;
	*rate = (double)(cur - prev) / dt;
	return true;
}

static unsigned int bar_width(const struct tw_watch_frame *f, unsigned int used)
{
	unsigned int w = f->width ? f->width : 80;

	/* two brackets, and the last column left free (no wrap) */
	w = w > used + 3 + BAR_MIN ? w - used - 3 : BAR_MIN;
	return w > BAR_MAX ? BAR_MAX : w;
}

static void print_header(const struct tw_watch_frame *f)
{
	time_t sec = (time_t)f->ts;
	char when[32];
	struct tm tm;

	print_decimal(PRINT_JSON, "ts", NULL, f->ts, 3, true);
	print_uint(PRINT_ANY, "netns_inum", "tw-stat watch  netns %s", f->cur->netns_inum);
	print_string(PRINT_JSON, "netns", NULL, f->netns_name);
	if (f->netns_name)
		print_text(" (%s)", f->netns_name);
	localtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	print_text("  %s", when);
	print_decimal(PRINT_ANY, "interval_s", "  every %ss  (q quits)\n\n", f->interval, 1, true);
}

static void print_live(const struct tw_watch_frame *f)
{
	const struct tw_stats *s = f->cur;
	char num[TW_NUM_LEN], max[TW_NUM_LEN], pcts[TW_NUM_LEN], bar[BAR_MAX + 3];
	unsigned int used;
	double pct = 0;
	bool ok = tw_pct(s->live, s->max_tw_buckets, &pct);

	tw_fmt_count(s->live, num, sizeof(num));
	tw_fmt_count(s->max_tw_buckets, max, sizeof(max));
	snprintf(pcts, sizeof(pcts), ok ? "%.1f%%" : "-%%", pct);
	print_text(LABEL, "TIME_WAIT");
	print_count(PRINT_ANY, "live", "%s", s->live);
	print_count(PRINT_ANY, "max_tw_buckets", " of %s tcp_max_tw_buckets", s->max_tw_buckets);
	print_decimal(PRINT_ANY, "live_pct", "  %s%%", pct, 1, ok);
	/* "TIME_WAIT   " live " of " max " tcp_max_tw_buckets  " pct "  " */
	used = 12 + strlen(num) + 4 + strlen(max) + 19 + 2 + strlen(pcts) + 2;
	print_text("  %s\n",
		   tw_fmt_bar(s->live, s->max_tw_buckets, bar_width(f, used), bar, sizeof(bar)));
	print_text(LABEL, "");
	print_count(PRINT_ANY, "live_timewait", "time-wait %s", s->live_timewait);
	print_count(PRINT_ANY, "live_finwait2", "  fin-wait-2 %s", s->live_finwait2);
	print_count(PRINT_ANY, "untracked", "  untracked %s\n", s->untracked);
}

/* A rate of one counter: JSON a number or null, text "12.5/s" or "-" */
static void print_rate(const struct tw_watch_frame *f, const char *key, const char *fmt,
		       uint64_t cur, uint64_t prev, enum tw_figure fig)
{
	char buf[TW_NUM_LEN];
	double r = 0;
	bool ok = tw_rate(cur, prev, f->prev != NULL, f->dt, &r) &&
		  tw_figure_available(f->cur->hooks, fig);

	if (print_is_json()) {
		print_decimal(PRINT_JSON, key, NULL, r, 1, ok);
		return;
	}
	if (!tw_figure_available(f->cur->hooks, fig))
		snprintf(buf, sizeof(buf), "unavailable");
	else if (!ok)
		snprintf(buf, sizeof(buf), "-");
	else
		tw_fmt_rate(r, buf, sizeof(buf));
	print_text(fmt, buf);
}

static uint64_t ended_sum(const struct tw_stats *s)
{
	uint64_t sum = 0;
	int r;

	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
		sum += s->ended[r];
	return sum;
}

static void print_rates(const struct tw_watch_frame *f)
{
	const struct tw_stats *c = f->cur, *p = f->prev ? f->prev : f->cur;

	open_json_object("rates");
	print_text(LABEL, "per second");
	print_rate(f, "entered", "closes into TIME_WAIT %s", c->entered, p->entered,
		   TW_FIG_ENTERED);
	/* every end reason needs its hook: the sum needs the kill hook */
	print_rate(f, "ended", "  ended %s\n", ended_sum(c), ended_sum(p), TW_FIG_ENDED_OTHER);
	print_text(LABEL, "");
	print_rate(f, "overflow", "overflow %s", c->overflow, p->overflow, TW_FIG_OVERFLOW);
	print_rate(f, "connect_eaddrnotavail", "  connect EADDRNOTAVAIL %s",
		   c->connect_eaddrnotavail, p->connect_eaddrnotavail,
		   TW_FIG_CONNECT_EADDRNOTAVAIL);
	print_rate(f, "linger_abort", "  SO_LINGER=0 aborts %s\n", c->linger_abort, p->linger_abort,
		   TW_FIG_LINGER_ABORT);
	close_json_object();

	print_text(LABEL, "totals");
	print_count_opt(PRINT_ANY, "overflow", "overflow %s", c->overflow,
			tw_figure_available(c->hooks, TW_FIG_OVERFLOW));
	print_count_opt(PRINT_ANY, "connect_eaddrnotavail", "  connect EADDRNOTAVAIL %s",
			c->connect_eaddrnotavail,
			tw_figure_available(c->hooks, TW_FIG_CONNECT_EADDRNOTAVAIL));
	print_count_opt(PRINT_ANY, "linger_abort", "  SO_LINGER=0 aborts %s\n", c->linger_abort,
			tw_figure_available(c->hooks, TW_FIG_LINGER_ABORT));
}

static void print_range(const struct tw_stats *s)
{
	char n[TW_NUM_LEN];

	print_text(LABEL "%u-%u", "port range", s->port_low, s->port_high);
	if (s->port_high >= s->port_low)
		print_text(" (%s ports)",
			   tw_fmt_count((uint64_t)s->port_high - s->port_low + 1, n, sizeof(n)));
	print_text("\n");
	open_json_array("port_range");
	print_uint(PRINT_JSON, NULL, NULL, s->port_low);
	print_uint(PRINT_JSON, NULL, NULL, s->port_high);
	close_json_array();
}

static void print_ages(const struct tw_watch_frame *f)
{
	uint64_t g[TW_AGE_GROUPS], max = 0;
	char label[16], bar[BAR_MAX + 3];
	int i;

	print_text("\nAGES (live TIME_WAIT sockets by age)\n");
	tw_print_ages_json("ages", f->cur->ages);
	if (print_is_json())
		return;
	tw_age_groups(f->cur->ages, g);
	for (i = 0; i < TW_AGE_GROUPS; i++)
		if (g[i] > max)
			max = g[i];
	for (i = 0; i < TW_AGE_GROUPS; i++) {
		if (i < TW_AGE_GROUPS - 1)
			snprintf(label, sizeof(label), "%d-%ds", i * 10, i * 10 + 10);
		else
			snprintf(label, sizeof(label), ">=60s");
		print_text("%8s ", label);
		print_count(PRINT_FP, NULL, "%12s  ", g[i]);
		print_text("%s\n", tw_fmt_bar(g[i], max, bar_width(f, 23), bar, sizeof(bar)));
	}
	if (!tw_figure_available(f->cur->hooks, TW_FIG_AGES))
		print_text("note: rearm hook inactive: ages assume no re-armed timer\n");
}

void tw_watch_render(const struct tw_watch_frame *f)
{
	const struct tw_stats *s = f->cur;

	open_json_object(NULL);
	print_header(f);
	print_live(f);
	print_rates(f);
	print_range(s);

	print_text("\nTOP POOLS (outgoing: local -> remote, share of the port range)\n");
	tw_show_dests_key("dests", f->dests, f->ndests, f->top, s->port_low, s->port_high, 1);
	print_text("\nTOP SERVICES (local address and port)\n");
	tw_show_services_key("services", f->services, f->nservices, f->top);
	if (f->cgroups) {
		print_text("\nTOP CGROUPS (who made them)\n");
		tw_show_cgroups_key("cgroups", f->cgroups, f->cgroup_paths, f->ncgroups, f->top,
				    -1);
	}
	print_ages(f);
	close_json_object();
}

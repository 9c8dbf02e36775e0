// SPDX-License-Identifier: GPL-2.0
/* What tw-stat shows: summary, histograms, tables */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "fmt.h"
#include "print.h"
#include "show.h"

#define LABEL "%-24s"
#define VALUE "%14s"
#define BAR_WIDTH 40

void tw_print_ages_json(const char *key, const uint64_t *buckets)
{
	int i;

	open_json_array(key);
	for (i = 0; i < TWMON_AGE_BUCKETS; i++) {
		open_json_object(NULL);
		if (i < TWMON_AGE_BUCKETS - 1)
			print_uint(PRINT_JSON, "le_s", NULL, i + 1);
		else
			print_null(PRINT_JSON, "le_s", NULL, NULL);
		print_uint(PRINT_JSON, "count", NULL, buckets[i]);
		close_json_object();
	}
	close_json_array();
}

static void print_netns(const struct tw_stats *s, const char *name)
{
	print_uint(PRINT_JSON, "netns_inum", NULL, s->netns_inum);
	print_string(PRINT_JSON, "netns", NULL, name);
	if (name)
		print_text("netns %s (inode %u)\n", name, s->netns_inum);
	else
		print_text("netns inode %u\n", s->netns_inum);
}

static void print_line_count(const char *label, const char *key, uint64_t v, bool avail)
{
	print_text(LABEL, label);
	print_count_opt(PRINT_ANY, key, VALUE "\n", v, avail);
}

static void print_hooks(uint32_t hooks)
{
	bool missing = false;
	int h;

	print_text("%-23s", "hooks");
	open_json_array("hooks");
	for (h = 0; h < __TWMON_HOOK_LAST; h++) {
		if (!(hooks & (1u << h)))
			continue;
		print_string(PRINT_ANY, NULL, " %s", tw_hook_name(h));
	}
	close_json_array();
	open_json_array("hooks_inactive");
	for (h = 0; h < __TWMON_HOOK_LAST; h++) {
		if (hooks & (1u << h))
			continue;
		print_text(missing ? "" : "  (inactive:");
		print_string(PRINT_ANY, NULL, " %s", tw_hook_name(h));
		missing = true;
	}
	close_json_array();
	print_text(missing ? ")\n" : "\n");
}

void tw_age_groups(const uint64_t *b, uint64_t *groups)
{
	int g, i;

	for (g = 0; g < TW_AGE_GROUPS - 1; g++)
		for (groups[g] = 0, i = g * 10; i < g * 10 + 10; i++)
			groups[g] += b[i];
	groups[TW_AGE_GROUPS - 1] = b[TWMON_AGE_BUCKETS - 1];
}

/* Text: ten-second groups on one line; JSON: every bucket */
static void print_ages_compact(const uint64_t *b, bool exact)
{
	uint64_t groups[TW_AGE_GROUPS];
	int g;

	tw_age_groups(b, groups);
	print_text(LABEL, "ages");
	for (g = 0; g < TW_AGE_GROUPS - 1; g++) {
		print_text(g ? "  %d-%ds " : "%d-%ds ", g * 10, g * 10 + 10);
		print_count(PRINT_FP, NULL, "%s", groups[g]);
	}
	print_text("  >=60s ");
	print_count(PRINT_FP, NULL, "%s", groups[TW_AGE_GROUPS - 1]);
	print_text("\n");
	if (!exact)
		print_text("  note: rearm hook inactive: ages assume no re-armed timer\n");
	print_bool(PRINT_JSON, "ages_exact", NULL, exact);
	tw_print_ages_json("ages", b);
}

static void print_lifetime_json(const struct tw_stats *s)
{
	int r;

	if (!s->has_lifetime)
		return;
	open_json_object("lifetime");
	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++) {
		if (tw_figure_available(s->hooks, tw_reason_figure(r)))
			tw_print_ages_json(tw_reason_name(r), s->lifetime[r]);
		else
			print_null(PRINT_JSON, tw_reason_name(r), NULL, NULL);
	}
	close_json_object();
}

void tw_show_summary(const struct tw_stats *s, const char *netns_name)
{
	char a[TW_NUM_LEN];
	bool all_ended = true;
	uint64_t ended = 0;
	double pct;
	int r;

	open_json_object(NULL);
	print_netns(s, netns_name);

	print_text(LABEL, "TIME_WAIT sockets");
	print_count(PRINT_ANY, "live", VALUE, s->live);
	print_count(PRINT_ANY, "max_tw_buckets", " of %s tcp_max_tw_buckets", s->max_tw_buckets);
	if (tw_pct(s->live, s->max_tw_buckets, &pct))
		print_pct(PRINT_ANY, "live_pct", " (%s)", pct);
	else
		print_null(PRINT_JSON, "live_pct", NULL, NULL);
	print_text("\n");
	print_line_count("  in time-wait", "live_timewait", s->live_timewait, true);
	print_line_count("  in fin-wait-2", "live_finwait2", s->live_finwait2, true);
	print_line_count("seeded at load", "seeded", s->seeded, true);
	print_line_count("entered", "entered", s->entered,
			 tw_figure_available(s->hooks, TW_FIG_ENTERED));
	print_count_opt(PRINT_JSON, "entered_timewait", NULL, s->entered_timewait,
			tw_figure_available(s->hooks, TW_FIG_ENTERED));
	print_count_opt(PRINT_JSON, "entered_finwait2", NULL, s->entered_finwait2,
			tw_figure_available(s->hooks, TW_FIG_ENTERED));

	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++) {
		if (tw_figure_available(s->hooks, tw_reason_figure(r)))
			ended += s->ended[r];
		else
			all_ended = false;
	}
	print_text(LABEL, "ended");
	if (all_ended)
		print_count(PRINT_FP, NULL, VALUE, ended);
	print_text("\n");
	open_json_object("ended");
	for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++) {
		print_text("  " LABEL, tw_reason_name(r));
		print_count_opt(PRINT_ANY, tw_reason_name(r), "%12s\n", s->ended[r],
				tw_figure_available(s->hooks, tw_reason_figure(r)));
	}
	close_json_object();

	print_line_count("overflow", "overflow", s->overflow,
			 tw_figure_available(s->hooks, TW_FIG_OVERFLOW));
	print_line_count("connect EADDRNOTAVAIL", "connect_eaddrnotavail", s->connect_eaddrnotavail,
			 tw_figure_available(s->hooks, TW_FIG_CONNECT_EADDRNOTAVAIL));
	print_line_count("SO_LINGER=0 aborts", "linger_abort", s->linger_abort,
			 tw_figure_available(s->hooks, TW_FIG_LINGER_ABORT));

	print_text(LABEL "%u-%u", "local port range", s->port_low, s->port_high);
	if (s->port_high >= s->port_low)
		print_text(" (%s ports)",
			   tw_fmt_count((uint64_t)s->port_high - s->port_low + 1, a, sizeof(a)));
	print_text("\n");
	open_json_array("port_range");
	print_uint(PRINT_JSON, NULL, NULL, s->port_low);
	print_uint(PRINT_JSON, NULL, NULL, s->port_high);
	close_json_array();

	print_text(LABEL, "tracked");
	print_count(PRINT_ANY, "dests", "%s dests, ", s->dests);
	print_count(PRINT_ANY, "services", "%s services, ", s->services);
	print_count(PRINT_ANY, "untracked", "%s untracked\n", s->untracked);

	print_ages_compact(s->ages, tw_figure_available(s->hooks, TW_FIG_AGES));
	print_lifetime_json(s);
	print_hooks(s->hooks);
	close_json_object();
}

static void age_label(int i, char *buf, size_t len)
{
	if (i < TWMON_AGE_BUCKETS - 1)
		snprintf(buf, len, "%d-%ds", i, i + 1);
	else
		snprintf(buf, len, ">=%ds", i);
}

void tw_show_ages(const struct tw_stats *s, const char *netns_name)
{
	static const struct print_col cols[] = { { "AGE", true },
						 { "COUNT", true },
						 { "", false } };
	bool exact = tw_figure_available(s->hooks, TW_FIG_AGES);
	uint64_t max = 0;
	char label[16], bar[BAR_WIDTH + 1];
	int i;

	open_json_object(NULL);
	print_netns(s, netns_name);
	print_count(PRINT_ANY, "live", "%s TIME_WAIT sockets by age\n", s->live);
	print_bool(PRINT_JSON, "ages_exact", NULL, exact);
	if (!exact)
		print_text("note: rearm hook inactive: ages assume no re-armed timer\n");
	if (print_is_json()) {
		tw_print_ages_json("ages", s->ages);
		print_lifetime_json(s);
		close_json_object();
		return;
	}
	for (i = 0; i < TWMON_AGE_BUCKETS; i++)
		if (s->ages[i] > max)
			max = s->ages[i];
	if (!max) {
		close_json_object();
		return;
	}
	table_open(NULL, cols, 3);
	for (i = 0; i < TWMON_AGE_BUCKETS; i++) {
		size_t w;

		if (!s->ages[i])
			continue;
		w = (s->ages[i] * BAR_WIDTH + max - 1) / max;
		memset(bar, '#', w);
		bar[w] = '\0';
		age_label(i, label, sizeof(label));
		table_row_open();
		cell_string(PRINT_FP, NULL, label);
		cell_count(PRINT_FP, NULL, s->ages[i]);
		cell_string(PRINT_FP, NULL, bar);
		table_row_close();
	}
	table_close();
	close_json_object();
}

static int cmp_entries(const void *pa, const void *pb)
{
	const struct tw_entry *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return tw_entry_key_cmp(a, b);
}

void tw_sort_entries(struct tw_entry *e, size_t n)
{
	if (n)
		qsort(e, n, sizeof(*e), cmp_entries);
}

static size_t shown(size_t n, unsigned int top)
{
	return top && top < n ? top : n;
}

static void print_more(size_t n, unsigned int top)
{
	char buf[TW_NUM_LEN];

	if (shown(n, top) < n)
		print_text("(%s more; --top all shows every one)\n",
			   tw_fmt_count(n - shown(n, top), buf, sizeof(buf)));
}

static void cell_addr(enum output_type t, const char *key, uint8_t family, const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (tw_addr_str(family, addr, tw_family_addr_len(family), buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	cell_string(t, key, buf);
}

static void cell_endpoint(uint8_t family, const uint8_t *addr, uint16_t port)
{
	char buf[TW_ENDPOINT_LEN];

	if (tw_endpoint_str(family, addr, tw_family_addr_len(family), port, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "?");
	cell_string(PRINT_FP, NULL, buf);
}

void tw_show_dests(const struct tw_entry *e, size_t n, unsigned int top, uint32_t port_low,
		   uint32_t port_high, int have_range)
{
	tw_show_dests_key(NULL, e, n, top, port_low, port_high, have_range);
}

void tw_show_dests_key(const char *key, const struct tw_entry *e, size_t n, unsigned int top,
		       uint32_t port_low, uint32_t port_high, int have_range)
{
	static const struct print_col cols[] = {
		{ "FAMILY", false }, { "LOCAL", false },   { "REMOTE", false },
		{ "COUNT", true },   { "OF PORTS", true },
	};
	size_t i;

	table_open(key, cols, 5);
	for (i = 0; i < shown(n, top); i++) {
		double pct = 0;
		bool ok = have_range && tw_occupancy(e[i].count, port_low, port_high, &pct);

		table_row_open();
		cell_string(PRINT_ANY, "family", tw_family_name(e[i].family));
		cell_addr(PRINT_ANY, "local", e[i].family, e[i].laddr);
		cell_addr(PRINT_JSON, "remote", e[i].family, e[i].raddr);
		cell_uint(PRINT_JSON, "rport", e[i].rport);
		cell_endpoint(e[i].family, e[i].raddr, e[i].rport);
		cell_count(PRINT_ANY, "count", e[i].count);
		cell_pct(PRINT_ANY, "occupancy_pct", pct, ok);
		table_row_close();
	}
	table_close();
	print_more(n, top);
}

void tw_show_services(const struct tw_entry *e, size_t n, unsigned int top)
{
	tw_show_services_key(NULL, e, n, top);
}

void tw_show_services_key(const char *key, const struct tw_entry *e, size_t n, unsigned int top)
{
	static const struct print_col cols[] = {
		{ "FAMILY", false },
		{ "LOCAL", false },
		{ "COUNT", true },
	};
	size_t i;

	table_open(key, cols, 3);
	for (i = 0; i < shown(n, top); i++) {
		table_row_open();
		cell_string(PRINT_ANY, "family", tw_family_name(e[i].family));
		cell_addr(PRINT_JSON, "local", e[i].family, e[i].laddr);
		cell_uint(PRINT_JSON, "lport", e[i].lport);
		cell_endpoint(e[i].family, e[i].laddr, e[i].lport);
		cell_count(PRINT_ANY, "count", e[i].count);
		table_row_close();
	}
	table_close();
	print_more(n, top);
}

void tw_show_socks(const struct tw_entry *e, size_t n)
{
	static const struct print_col cols[] = {
		{ "FAMILY", false }, { "STATE", false },    { "LOCAL", false },
		{ "PEER", false },   { "REMAINING", true }, { "AGE", true },
	};
	char buf[TW_NUM_LEN];
	size_t i;

	table_open(NULL, cols, 6);
	for (i = 0; i < n; i++) {
		table_row_open();
		cell_string(PRINT_ANY, "family", tw_family_name(e[i].family));
		cell_string(PRINT_ANY, "substate", tw_substate_name(e[i].substate));
		cell_addr(PRINT_JSON, "local", e[i].family, e[i].laddr);
		cell_uint(PRINT_JSON, "lport", e[i].lport);
		cell_endpoint(e[i].family, e[i].laddr, e[i].lport);
		cell_addr(PRINT_JSON, "remote", e[i].family, e[i].raddr);
		cell_uint(PRINT_JSON, "rport", e[i].rport);
		cell_endpoint(e[i].family, e[i].raddr, e[i].rport);
		cell_uint(PRINT_JSON, "remaining_ms", e[i].remaining_ms);
		cell_string(PRINT_FP, NULL, tw_fmt_ms(e[i].remaining_ms, buf, sizeof(buf)));
		cell_uint(PRINT_JSON, "age_ms", e[i].age_ms);
		cell_string(PRINT_FP, NULL, tw_fmt_ms(e[i].age_ms, buf, sizeof(buf)));
		table_row_close();
	}
	table_close();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat cgroups: GET_CGROUPS, each cgroup id resolved to its path by one
 * walk of the cgroup2 file system (lib/cgroup.c). Inside a cgroup
 * namespace the mount shows the namespace's own subtree, so paths come out
 * relative to its root.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/twmon.h>

#include "addr.h"
#include "cgroup.h"
#include "cgroups.h"
#include "fetch.h"
#include "fmt.h"
#include "print.h"
#include "show.h"

static int cmp_live(const void *pa, const void *pb)
{
	const struct tw_entry *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->cgroup_id < b->cgroup_id ? -1 : a->cgroup_id > b->cgroup_id;
}

void tw_sort_cgroups(struct tw_entry *e, size_t n)
{
	if (n)
		qsort(e, n, sizeof(*e), cmp_live);
}

void tw_show_cgroups_key(const char *key, const struct tw_entry *e, char *const *paths, size_t n,
			 unsigned int top, int64_t ns_live)
{
	static const struct print_col cols[] = {
		{ "CGROUP", false }, { "LIVE", true },	   { "SHARE", true },
		{ "ENTERED", true }, { "ENDED", true },	   { "EADDRNOTAVAIL", true },
		{ "LINGER0", true }, { "OVERFLOW", true },
	};
	char label[512];
	uint64_t live = 0;
	size_t i, shown = top && top < n ? top : n;

	for (i = 0; i < n; i++)
		live += e[i].count;
	if (ns_live >= 0)
		live = ns_live;
	table_open(key, cols, 8);
	for (i = 0; i < shown; i++) {
		const char *path = paths[i];
		bool known = e[i].cgroup_id != 0 || e[i].other;

		if (e[i].other)
			snprintf(label, sizeof(label), "(other: outside this cgroup namespace)");
		else if (!known)
			snprintf(label, sizeof(label), "(unknown)");
		else if (path)
			tw_cgroup_display(path, label, sizeof(label));
		else
			snprintf(label, sizeof(label),
				 "(id %llu: removed or outside this cgroup namespace)",
				 (unsigned long long)e[i].cgroup_id);
		table_row_open();
		cell_string(PRINT_FP, NULL, label);
		if (e[i].other)
			cell_string(PRINT_JSON, "cgroup_id", NULL);
		else
			cell_uint(PRINT_JSON, "cgroup_id", e[i].cgroup_id);
		print_bool(PRINT_JSON, "other", NULL, e[i].other);
		if (path)
			cell_string(PRINT_JSON, "path", path);
		else
			cell_string(PRINT_JSON, "path", NULL);
		cell_count(PRINT_ANY, "live", e[i].count);
		cell_pct(PRINT_ANY, "share_pct", live ? 100.0 * e[i].count / live : 0, live != 0);
		if (known) {
			cell_count(PRINT_ANY, "entered", e[i].entered);
			cell_count(PRINT_ANY, "ended", e[i].ended);
			cell_count(PRINT_ANY, "connect_eaddrnotavail", e[i].eaddrnotavail);
			cell_count(PRINT_ANY, "linger_abort", e[i].linger_abort);
		} else {
			cell_string(PRINT_FP, NULL, "-");
			cell_string(PRINT_FP, NULL, "-");
			cell_string(PRINT_FP, NULL, "-");
			cell_string(PRINT_FP, NULL, "-");
			cell_count(PRINT_JSON, "untracked", e[i].untracked);
		}
		/* the unknown row's: the namespace's that no cgroup counts */
		cell_count(PRINT_ANY, "overflow", e[i].overflow);
		table_row_close();
	}
	table_close();
	if (shown < n)
		print_text("(%zu more; --top all shows every one)\n", n - shown);
}

char **tw_cgroups_paths(const struct tw_entry *e, size_t n)
{
	uint64_t *ids = calloc(n + 1, sizeof(*ids));
	char **paths = calloc(n + 1, sizeof(*paths));
	size_t i;

	if (!ids || !paths) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		ids[i] = e[i].other ? 0 : e[i].cgroup_id;
	if (tw_cgroup_paths(TW_CGROUP_ROOT, ids, n, paths)) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	free(ids);
	return paths;
}

void tw_cgroups_paths_free(char **paths, size_t n)
{
	size_t i;

	if (!paths)
		return;
	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

void tw_cgroups_hint(int r, const char *err)
{
	/* 6.1 sends no extack when a dump's start fails: say why here */
	if (r == -EOPNOTSUPP && !strstr(err, "cgroups=1"))
		fprintf(stderr, "tw-stat: the module counts no cgroups: load it with cgroups=1 "
				"(rmmod twmon; modprobe twmon cgroups=1)\n");
}

/* Each pool's total, for sorting the rows pool by pool */
static const struct tw_entry *sort_rows;
static uint64_t *sort_totals;

static int cmp_pool_only(const void *pa, const void *pb)
{
	return tw_entry_key_cmp(&sort_rows[*(const size_t *)pa], &sort_rows[*(const size_t *)pb]);
}

static int cmp_by_pool(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c;

	if (sort_totals[a] != sort_totals[b])
		return sort_totals[a] > sort_totals[b] ? -1 : 1;
	c = tw_entry_key_cmp(&sort_rows[a], &sort_rows[b]);
	if (c)
		return c;
	if (sort_rows[a].count != sort_rows[b].count)
		return sort_rows[a].count > sort_rows[b].count ? -1 : 1;
	return sort_rows[a].cgroup_id < sort_rows[b].cgroup_id
		       ? -1
		       : sort_rows[a].cgroup_id > sort_rows[b].cgroup_id;
}

/* The cgroup of a row split by cgroup: its label, and in JSON id, other, path */
static void by_cgroup_cells(const struct tw_entry *r, const char *label, const char *path)
{
	cell_string(PRINT_FP, NULL, label);
	if (r->other)
		cell_string(PRINT_JSON, "cgroup_id", NULL);
	else
		cell_uint(PRINT_JSON, "cgroup_id", r->cgroup_id);
	print_bool(PRINT_JSON, "other", NULL, r->other);
	cell_string(PRINT_JSON, "path", path);
}

int tw_show_by_cgroup(struct tw_entry *e, size_t n, unsigned int top, bool services,
		      uint32_t port_low, uint32_t port_high)
{
	static const struct print_col pool_cols[] = {
		{ "FAMILY", false }, { "LOCAL", false }, { "REMOTE", false },
		{ "CGROUP", false }, { "COUNT", true },	 { "OF PORTS", true },
	};
	static const struct print_col service_cols[] = {
		{ "FAMILY", false },
		{ "LOCAL", false },
		{ "CGROUP", false },
		{ "COUNT", true },
	};
	size_t *order = calloc(n + 1, sizeof(*order)), i, pools = 0;
	uint64_t *totals = calloc(n + 1, sizeof(*totals));
	bool *merged = calloc(n + 1, sizeof(*merged));
	char **paths = tw_cgroups_paths(e, n), label[512], ep[80], addr[64];

	if (!order || !totals || !merged) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_rows = e;
	sort_totals = totals;
	/* pool by pool: each row gets its pool's total, then the largest first */
	if (n)
		qsort(order, n, sizeof(*order), cmp_pool_only);
	for (i = 0; i < n;) {
		size_t j = i, other = n;
		uint64_t t = 0;

		for (; j < n && !tw_entry_key_cmp(&e[order[j]], &e[order[i]]); j++) {
			struct tw_entry *r = &e[order[j]];

			t += r->count;
			/* the cgroups outside the caller's namespace: one row a pool */
			if (r->other && other == n) {
				other = order[j];
			} else if (r->other) {
				e[other].count += r->count;
				r->count = 0;
				merged[order[j]] = true;
			}
		}
		while (i < j)
			totals[order[i++]] = t;
	}
	if (n)
		qsort(order, n, sizeof(*order), cmp_by_pool);
	if (services)
		table_open(NULL, service_cols, 4);
	else
		table_open(NULL, pool_cols, 6);
	for (i = 0; i < n; i++) {
		const struct tw_entry *r = &e[order[i]];
		bool first = !i || tw_entry_key_cmp(r, &e[order[i - 1]]);
		double pct = 0;
		bool ok = tw_occupancy(r->count, port_low, port_high, &pct);

		pools += first;
		if (top && pools > top)
			break;
		if (merged[order[i]])
			continue;
		if (r->other)
			snprintf(label, sizeof(label), "(other: outside this cgroup namespace)");
		else if (!r->cgroup_id) /* a service's sockets of no known cgroup */
			snprintf(label, sizeof(label), "(unknown)");
		else if (paths[order[i]])
			tw_cgroup_display(paths[order[i]], label, sizeof(label));
		else
			snprintf(label, sizeof(label), "(id %llu: removed)",
				 (unsigned long long)r->cgroup_id);
		table_row_open();
		cell_string(PRINT_ANY, "family", tw_family_name(r->family));
		if (tw_addr_str(r->family, r->laddr, tw_family_addr_len(r->family), addr,
				sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		if (services) {
			cell_string(PRINT_JSON, "local", addr);
			cell_uint(PRINT_JSON, "lport", r->lport);
			if (tw_endpoint_str(r->family, r->laddr, tw_family_addr_len(r->family),
					    r->lport, ep, sizeof(ep)))
				snprintf(ep, sizeof(ep), "?");
			cell_string(PRINT_FP, NULL, ep);
			by_cgroup_cells(r, label, paths[order[i]]);
			cell_count(PRINT_ANY, "count", r->count);
			table_row_close();
			continue;
		}
		cell_string(PRINT_ANY, "local", addr);
		if (tw_addr_str(r->family, r->raddr, tw_family_addr_len(r->family), addr,
				sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		cell_string(PRINT_JSON, "remote", addr);
		cell_uint(PRINT_JSON, "rport", r->rport);
		if (tw_endpoint_str(r->family, r->raddr, tw_family_addr_len(r->family), r->rport,
				    ep, sizeof(ep)))
			snprintf(ep, sizeof(ep), "?");
		cell_string(PRINT_FP, NULL, ep);
		by_cgroup_cells(r, label, paths[order[i]]);
		cell_count(PRINT_ANY, "count", r->count);
		cell_pct(PRINT_ANY, "occupancy_pct", pct, ok);
		table_row_close();
	}
	table_close();
	tw_cgroups_paths_free(paths, n);
	free(order);
	free(totals);
	free(merged);
	return 0;
}

int tw_cmd_cgroups(struct tw_nl *nl, const struct tw_opts *o)
{
	struct entry_vec ev = { .parse = tw_parse_cgroup };
	char err[TW_NL_ERR_LEN];
	char **paths;
	int r;

	struct stats_vec sv = { 0 };
	int64_t ns_live = -1;

	/* one cgroup's row: its share is of the namespace's live count */
	if ((o->given & OPT_CGROUP) && !tw_fetch_stats(nl, false, &sv, err, sizeof(err)) && sv.n)
		ns_live = sv.v[0].live;
	free(sv.v);
	r = tw_fetch_entries(nl, o, TWMON_CMD_GET_CGROUPS, "GET_CGROUPS", OPT_CGROUP, &ev, err,
			     sizeof(err));
	if (r) {
		fprintf(stderr, "tw-stat: %s\n", err);
		tw_cgroups_hint(r, err);
		free(ev.v);
		return 1;
	}
	tw_sort_cgroups(ev.v, ev.n);
	paths = tw_cgroups_paths(ev.v, ev.n);
	tw_show_cgroups_key(NULL, ev.v, paths, ev.n, o->top, ns_live);
	tw_cgroups_paths_free(paths, ev.n);
	free(ev.v);
	return 0;
}

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

/* The rows, largest first, with their paths (NULL: not found) */
static void show(const struct tw_entry *e, char *const *paths, size_t n, unsigned int top)
{
	static const struct print_col cols[] = {
		{ "CGROUP", false }, { "LIVE", true },	{ "SHARE", true },
		{ "ENTERED", true }, { "ENDED", true }, { "EADDRNOTAVAIL", true },
		{ "LINGER0", true },
	};
	char label[512];
	uint64_t live = 0;
	size_t i, shown = top && top < n ? top : n;

	for (i = 0; i < n; i++)
		live += e[i].count;
	table_open(NULL, cols, 7);
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
		table_row_close();
	}
	table_close();
	if (shown < n)
		print_text("(%zu more; --top all shows every one)\n", n - shown);
}

int tw_cmd_cgroups(struct tw_nl *nl, const struct tw_opts *o)
{
	struct entry_vec ev = { .parse = tw_parse_cgroup };
	char err[TW_NL_ERR_LEN];
	uint64_t *ids;
	char **paths;
	size_t i;
	int r;

	r = tw_fetch_entries(nl, NULL, TWMON_CMD_GET_CGROUPS, "GET_CGROUPS", 0, &ev, err,
			     sizeof(err));
	if (r) {
		fprintf(stderr, "tw-stat: %s\n", err);
		/* 6.1 sends no extack when a dump's start fails: say why here */
		if (r == -EOPNOTSUPP && !strstr(err, "cgroups=1"))
			fprintf(stderr, "tw-stat: the module counts no cgroups: load it with "
					"cgroups=1 (rmmod twmon; modprobe twmon cgroups=1)\n");
		free(ev.v);
		return 1;
	}
	if (ev.n)
		qsort(ev.v, ev.n, sizeof(*ev.v), cmp_live);
	ids = calloc(ev.n + 1, sizeof(*ids));
	paths = calloc(ev.n + 1, sizeof(*paths));
	if (!ids || !paths) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	for (i = 0; i < ev.n; i++)
		ids[i] = ev.v[i].other ? 0 : ev.v[i].cgroup_id;
	if (tw_cgroup_paths(TW_CGROUP_ROOT, ids, ev.n, paths)) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	show(ev.v, paths, ev.n, o->top);
	for (i = 0; i < ev.n; i++)
		free(paths[i]);
	free(paths);
	free(ids);
	free(ev.v);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat cgroups: GET_CGROUPS, each cgroup id resolved to its path by one
 * walk of the cgroup2 file system, where a cgroup's id is the inode number
 * of its directory. The walk needs no privilege; inside a cgroup
 * namespace the mount shows the namespace's own subtree, so paths come
 * out relative to its root and cgroups outside it are not found.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <linux/twmon.h>

#include "cgroups.h"
#include "fetch.h"
#include "fmt.h"
#include "print.h"
#include "show.h"

struct cgroup_name {
	uint64_t id;
	char *path;
};

/* nftw() has no argument for its callback: the ids asked for, found paths */
static struct cgroup_name *names;
static size_t n_names;

static int visit(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	size_t i, root = strlen(TW_CGROUP_ROOT);

	(void)ftw;
	if (type != FTW_D)
		return FTW_CONTINUE;
	for (i = 0; i < n_names; i++) {
		if (names[i].id != (uint64_t)st->st_ino || names[i].path)
			continue;
		names[i].path = strdup(fpath[root] ? fpath + root : "/");
		if (!names[i].path) {
			fprintf(stderr, "tw-stat: out of memory\n");
			exit(1);
		}
	}
	return FTW_CONTINUE;
}

static void resolve(const struct tw_entry *e, size_t n)
{
	size_t i;

	names = calloc(n ? n : 1, sizeof(*names));
	if (!names) {
		fprintf(stderr, "tw-stat: out of memory\n");
		exit(1);
	}
	for (i = 0; i < n; i++)
		names[i].id = e[i].cgroup_id;
	n_names = n;
	/* one file system, no symlinks; an unreadable directory is skipped */
	nftw(TW_CGROUP_ROOT, visit, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
}

static int is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

void tw_cgroup_display(const char *path, char *out, size_t len)
{
	size_t o = 0;
	const char *p = path;

	if (!len)
		return;
	while (*p && o + 1 < len) {
		size_t run = strspn(p, "0123456789abcdef");

		if (is_hex_id(p, run)) {
			size_t keep = 12 < len - 1 - o ? 12 : len - 1 - o;

			memcpy(out + o, p, keep);
			o += keep;
			p += run;
			continue;
		}
		if (!run)
			run = 1;
		if (run > len - 1 - o)
			run = len - 1 - o;
		memcpy(out + o, p, run);
		o += run;
		p += run;
	}
	out[o] = '\0';
}

static int cmp_live(const void *pa, const void *pb)
{
	const struct tw_entry *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return a->cgroup_id < b->cgroup_id ? -1 : a->cgroup_id > b->cgroup_id;
}

static void show(const struct tw_entry *e, size_t n, unsigned int top)
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
		const char *path = names[i].path;
		bool known = e[i].cgroup_id != 0;

		if (!known)
			snprintf(label, sizeof(label), "(unknown)");
		else if (path)
			tw_cgroup_display(path, label, sizeof(label));
		else
			snprintf(label, sizeof(label),
				 "(id %llu: removed or outside this cgroup namespace)",
				 (unsigned long long)e[i].cgroup_id);
		table_row_open();
		cell_string(PRINT_FP, NULL, label);
		cell_uint(PRINT_JSON, "cgroup_id", e[i].cgroup_id);
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
	resolve(ev.v, ev.n);
	show(ev.v, ev.n, o->top);
	for (i = 0; i < n_names; i++)
		free(names[i].path);
	free(names);
	free(ev.v);
	return 0;
}

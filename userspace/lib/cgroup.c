// SPDX-License-Identifier: GPL-2.0
/* Cgroup v2 ids to paths: one walk of the cgroup2 mount (lib/cgroup.h) */
#define _GNU_SOURCE
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"

/* nftw() has no argument for its callback: the walk's state */
static struct {
	const uint64_t *ids;
	char **paths;
	size_t n, root_len;
	int err;
} walk;

static int visit(const char *fpath, const struct stat *st, int type, struct FTW *ftw)
{
	size_t i;

	(void)ftw;
	if (type != FTW_D)
		return FTW_CONTINUE;
	for (i = 0; i < walk.n; i++) {
		if (walk.ids[i] != (uint64_t)st->st_ino || walk.paths[i])
			continue;
		walk.paths[i] = strdup(fpath[walk.root_len] ? fpath + walk.root_len : "/");
		if (!walk.paths[i]) {
			walk.err = -ENOMEM;
			return FTW_STOP;
		}
	}
	return FTW_CONTINUE;
}

int tw_cgroup_paths(const char *root, const uint64_t *ids, size_t n, char **paths)
{
	size_t i;

	memset(paths, 0, n * sizeof(*paths));
	walk.ids = ids;
	walk.paths = paths;
	walk.n = n;
	walk.root_len = strlen(root);
	walk.err = 0;
	/* one file system, no symlinks */
	nftw(root, visit, 32, FTW_PHYS | FTW_MOUNT | FTW_ACTIONRETVAL);
	if (walk.err) {
		for (i = 0; i < n; i++) {
			free(paths[i]);
			paths[i] = NULL;
		}
	}
	return walk.err;
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
	const char *p = path;
	size_t o = 0;

	if (!len)
		return;
	while (*p && o + 1 < len) {
		size_t run = strspn(p, "0123456789abcdef"), room = len - 1 - o;

		if (is_hex_id(p, run)) {
			size_t keep = 12 < room ? 12 : room;

			memcpy(out + o, p, keep);
			o += keep;
			p += run;
			continue;
		}
		if (!run)
			run = 1;
		if (run > room)
			run = room;
		memcpy(out + o, p, run);
		o += run;
		p += run;
	}
	out[o] = '\0';
}

int tw_cgroup_id_parse(const char *root, const char *arg, uint64_t *id)
{
	char path[PATH_MAX], *end;
	unsigned long long v;
	struct stat st;

	if (*arg &&
	    snprintf(path, sizeof(path), "%s/%s", root, arg + (*arg == '/')) < (int)sizeof(path) &&
	    !stat(path, &st) && S_ISDIR(st.st_mode)) {
		*id = st.st_ino;
		return 0;
	}
	if (*arg < '0' || *arg > '9')
		return -1;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || *end || !v)
		return -1;
	*id = v;
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/* Cgroup v2 ids (what twmon counts by) to paths, for tw-stat and twmond */
#ifndef TW_CGROUP_H
#define TW_CGROUP_H

#include <stddef.h>
#include <stdint.h>

/* Where the cgroup2 file system is: an id is the inode of its directory */
#define TW_CGROUP_ROOT "/sys/fs/cgroup"

/*
 * paths[i]: the path of ids[i] under root ("/" for root itself), malloc'd,
 * or NULL if no directory has that id (removed, or outside the cgroup
 * namespace whose mount root is). One walk of root; needs no privilege
 * (an unreadable directory is skipped). Not thread-safe. 0, or -ENOMEM
 * (then every path is freed and NULL).
 */
int tw_cgroup_paths(const char *root, const uint64_t *ids, size_t n, char **paths);

/*
 * The name shown for a cgroup path: container ids (64 hex digits, alone
 * or in docker-ID.scope and the like) cut to 12, the way systemd-cgls and
 * docker do.
 */
void tw_cgroup_display(const char *path, char *out, size_t len);

/*
 * A cgroup named on the command line: a path under root (with or without
 * its leading /) whose directory exists, else an id in decimal (a removed
 * cgroup's too). 0, or -1 if it is neither.
 */
int tw_cgroup_id_parse(const char *root, const char *arg, uint64_t *id);

#endif

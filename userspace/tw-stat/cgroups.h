/* SPDX-License-Identifier: GPL-2.0 */
/* tw-stat cgroups: live TIME_WAIT sockets by the cgroup that made them */
#ifndef TW_CGROUPS_H
#define TW_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "opts.h"

/* Where the cgroup2 file system is (the ids are its directories' inodes) */
#define TW_CGROUP_ROOT "/sys/fs/cgroup"

int tw_cmd_cgroups(struct tw_nl *nl, const struct tw_opts *o);

/*
 * The name tw-stat shows for a cgroup path relative to the cgroup2 root:
 * container ids (64 hex digits, alone or in docker-ID.scope and the like)
 * cut to 12 the way systemd-cgls and docker do. "/" for the root.
 */
void tw_cgroup_display(const char *path, char *out, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* tw-stat cgroups: live TIME_WAIT sockets by the cgroup that made them */
#ifndef TW_CGROUPS_H
#define TW_CGROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "opts.h"

int tw_cmd_cgroups(struct tw_nl *nl, const struct tw_opts *o);

#endif

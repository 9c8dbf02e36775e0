/* SPDX-License-Identifier: GPL-2.0 */
/* tw-stat's long-running commands: events (a subscriber) and watch (a view) */
#ifndef TW_LIVE_H
#define TW_LIVE_H

#include "nl.h"
#include "opts.h"

/* Rows of each table in watch unless --top says */
#define TW_WATCH_TOP_DEFAULT 5

/* Exit status: 0 (count reached, SIGINT/SIGTERM, q), 1 runtime error */
int tw_cmd_events(struct tw_nl *nl, const struct tw_opts *o);
int tw_cmd_watch(struct tw_nl *nl, const struct tw_opts *o);

#endif

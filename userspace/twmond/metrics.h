/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond's Prometheus metrics: the text exposition format 0.0.4, every
 * family with # HELP and # TYPE. Names and labels are a contract with the
 * shipped alert rules (README, twmond(8)): never rename one.
 */
#ifndef TWD_METRICS_H
#define TWD_METRICS_H

#include <stdio.h>

#include "conf.h"
#include "model.h"

/* Write every metric to f; 0, or -EIO */
int twd_metrics_render(FILE *f, const struct twd_model *m, const struct twd_conf *c,
		       int64_t now_ms);
/* Render into a malloc'ed buffer: 0 and *buf, *len, or -ENOMEM */
int twd_metrics_text(const struct twd_model *m, const struct twd_conf *c, int64_t now_ms,
		     char **buf, size_t *len);
/*
 * node_exporter's textfile collector: write path.tmp.RANDOM (O_EXCL, O_NOFOLLOW,
 * mode 0644 whatever the umask), then rename it
 * over path, so the collector never reads half a file. 0 or -errno.
 */
int twd_metrics_textfile(const char *path, const struct twd_model *m, const struct twd_conf *c,
			 int64_t now_ms);

#endif

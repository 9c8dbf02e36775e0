/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where twmond's messages and alerts go: stderr always (one line each),
 * syslog if asked, JSON lines to a file or stdout, and an exec hook that
 * gets the alert's fields in its environment (TWMON_ALERT_NAME, ...).
 */
#ifndef TWD_SINK_H
#define TWD_SINK_H

#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "alert.h"
#include "conf.h"

struct twd_sink {
	bool syslog;
	FILE *json; /* NULL: off */
	bool json_owned;
	char exec[TWD_PATH_LEN];
	int lasterr; /* errno of the last failed exec or write, to log once */
};

/* 0, or -errno with a message in err (the JSON file cannot be opened) */
int twd_sink_open(struct twd_sink *s, const struct twd_conf *c, char *err, size_t errlen);
void twd_sink_close(struct twd_sink *s);

/* A log line: "twmond: <text>" on stderr, and syslog at prio */
void twd_log(struct twd_sink *s, int prio, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * One alert transition to every sink. The log line:
 * "ALERT critical pool_exhaustion netns=N dest=A->B:P <message>: <remedy>"
 * "CLEAR warning pool_exhaustion netns=N dest=A->B:P <message>"
 */
void twd_sink_alert(struct twd_sink *s, enum twd_alert_event ev, const struct twd_alert *a);

/* The JSON line of an alert transition (no newline); caller frees. NULL on OOM */
char *twd_alert_json(enum twd_alert_event ev, const struct twd_alert *a, double wall_s,
		     int64_t mono_ns);
/* The log line (no newline) */
void twd_alert_line(enum twd_alert_event ev, const struct twd_alert *a, char *buf, size_t len);

#endif

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

/*
 * The exec hooks: at most exec_max at once, the others queued (up to
 * TWD_HOOK_QUEUE, then dropped with a log line); each runs in its own
 * process group, without capabilities, and is killed (SIGKILL to the group)
 * after exec_timeout_ms; twd_hooks_end() kills what still runs.
 */
#define TWD_HOOK_QUEUE 32

struct twd_hook_stats {
	uint64_t started, dropped, killed, failed; /* failed: exit status not 0 */
	unsigned int running, queued;
};

struct twd_hook_job {
	enum twd_alert_event ev;
	struct twd_alert a;
};

struct twd_hooks {
	unsigned int max, timeout_ms;
	pid_t pid[TWD_EXEC_MAX_MAX];
	int64_t deadline[TWD_EXEC_MAX_MAX];
	struct twd_hook_job q[TWD_HOOK_QUEUE];
	unsigned int qhead;
	struct twd_hook_stats st;
};

struct twd_sink {
	bool syslog;
	FILE *json; /* NULL: off */
	bool json_owned;
	char exec[TWD_PATH_LEN];
	int lasterr;		 /* errno of the last failed exec or write, to log once */
	struct twd_hooks *hooks; /* NULL: run nothing */
};

/* 0, or -errno with a message in err (the JSON file cannot be opened); hooks NULL */
int twd_sink_open(struct twd_sink *s, const struct twd_conf *c, char *err, size_t errlen);
void twd_sink_close(struct twd_sink *s);
/* Take over the opened sink src (after a reload), keeping dst's hooks */
void twd_sink_move(struct twd_sink *dst, struct twd_sink *src);
/* exec and syslog of c, the JSON file unchanged */
void twd_sink_update(struct twd_sink *s, const struct twd_conf *c);

void twd_hooks_init(struct twd_hooks *hk, const struct twd_conf *c);
/* New limits (a reload): running hooks keep their deadline */
void twd_hooks_set(struct twd_hooks *hk, const struct twd_conf *c);
/* Reap finished hooks, kill those past their time, start queued ones */
void twd_hooks_tick(struct twd_sink *s, int64_t now_ms);
/* The nearest hook deadline (CLOCK_MONOTONIC ms), INT64_MAX if none runs */
int64_t twd_hooks_next_deadline(const struct twd_hooks *hk);
/* Kill every running hook (SIGKILL to its group), reap it, forget the queue */
void twd_hooks_end(struct twd_sink *s);

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

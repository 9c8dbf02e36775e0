// SPDX-License-Identifier: GPL-2.0
/* twmond's sinks: stderr, syslog, JSON lines, an exec hook */
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "addr.h"
#include "sink.h"

int twd_sink_open(struct twd_sink *s, const struct twd_conf *c, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->syslog = c->syslog;
	snprintf(s->exec, sizeof(s->exec), "%s", c->exec);
	if (!strcmp(c->json, "-")) {
		s->json = stdout;
	} else if (c->json[0]) {
		s->json = fopen(c->json, "ae");
		if (!s->json) {
			int e = errno;

			snprintf(err, errlen, "json: %s: %s", c->json, strerror(e));
			return -e;
		}
		s->json_owned = true;
	}
	if (s->syslog)
		openlog("twmond", LOG_PID, LOG_DAEMON);
	return 0;
}

void twd_sink_close(struct twd_sink *s)
{
	if (s->json_owned && s->json)
		fclose(s->json);
	else if (s->json)
		fflush(s->json);
	if (s->syslog)
		closelog();
	s->json = NULL;
	s->json_owned = false;
}

void twd_sink_move(struct twd_sink *dst, struct twd_sink *src)
{
	struct twd_hooks *hk = dst->hooks;

	*dst = *src;
	dst->hooks = hk;
	memset(src, 0, sizeof(*src));
}

void twd_sink_update(struct twd_sink *s, const struct twd_conf *c)
{
	snprintf(s->exec, sizeof(s->exec), "%s", c->exec);
	if (c->syslog && !s->syslog)
		openlog("twmond", LOG_PID, LOG_DAEMON);
	else if (!c->syslog && s->syslog)
		closelog();
	s->syslog = c->syslog;
}

void twd_log(struct twd_sink *s, int prio, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "twmond: %s\n", buf);
	if (s && s->syslog)
		syslog(prio, "%s", buf);
}

static const char *short_sev(enum twd_sev s)
{
	return s == TWD_SEV_CRITICAL ? "crit" : s == TWD_SEV_WARNING ? "warn" : "none";
}

void twd_alert_line(enum twd_alert_event ev, const struct twd_alert *a, char *buf, size_t len)
{
	char tgt[128];

	twd_target_str(&a->target, tgt, sizeof(tgt));
	if (ev == TWD_EV_FIRE)
		snprintf(buf, len, "ALERT %s %s netns=%u%s%s %s: %s", short_sev(a->sev),
			 twd_rule_name(a->rule), a->netns, tgt[0] ? " " : "", tgt, a->message,
			 twd_rule_remedy(a->rule));
	else
		snprintf(buf, len, "CLEAR %s netns=%u%s%s %s", twd_rule_name(a->rule), a->netns,
			 tgt[0] ? " " : "", tgt, a->message);
}

static void add_num(struct json_object *o, const char *k, double v)
{
	char buf[32];

	/* short and exact enough: 0.97, not 0.96999999999999997 */
	snprintf(buf, sizeof(buf), "%.6g", v);
	if (isfinite(v))
		json_object_object_add(o, k, json_object_new_double_s(v, buf));
	else
		json_object_object_add(o, k, NULL);
}

/* The target's fields, as the metrics' labels name them */
static void target_json(struct json_object *o, const struct twd_target *t)
{
	char l[TW_ENDPOINT_LEN], r[TW_ENDPOINT_LEN], s[128];
	size_t alen = tw_family_addr_len(t->family);

	if (t->kind == TWD_T_NETNS)
		return;
	json_object_object_add(o, "family", json_object_new_string(tw_family_name(t->family)));
	if (!tw_addr_str(t->family, t->laddr, alen, l, sizeof(l)))
		json_object_object_add(o, "local", json_object_new_string(l));
	twd_target_str(t, s, sizeof(s));
	if (t->kind == TWD_T_DEST) {
		if (!tw_addr_str(t->family, t->raddr, alen, r, sizeof(r)))
			json_object_object_add(o, "remote", json_object_new_string(r));
		json_object_object_add(o, "rport", json_object_new_int(t->rport));
		json_object_object_add(o, "dest", json_object_new_string(s + strlen("dest=")));
	} else {
		json_object_object_add(o, "lport", json_object_new_int(t->lport));
		json_object_object_add(o, "service",
				       json_object_new_string(s + strlen("service=")));
	}
}

char *twd_alert_json(enum twd_alert_event ev, const struct twd_alert *a, double wall_s,
		     int64_t mono_ns)
{
	struct json_object *o = json_object_new_object();
	char ts[64], *out;
	time_t sec = (time_t)wall_s;
	struct tm tm;

	if (!o)
		return NULL;
	gmtime_r(&sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)((wall_s - (double)sec) * 1000));
	json_object_object_add(o, "ts", json_object_new_string(ts));
	json_object_object_add(o, "mono_ns", json_object_new_int64(mono_ns));
	json_object_object_add(o, "event",
			       json_object_new_string(ev == TWD_EV_FIRE ? "fire" : "clear"));
	json_object_object_add(o, "alert", json_object_new_string(twd_rule_name(a->rule)));
	/* a clear keeps the severity it had */
	json_object_object_add(o, "severity", json_object_new_string(twd_sev_name(a->sev)));
	json_object_object_add(o, "netns", json_object_new_int64(a->netns));
	target_json(o, &a->target);
	add_num(o, "value", a->value);
	add_num(o, "threshold", a->threshold);
	json_object_object_add(o, "message", json_object_new_string(a->message));
	json_object_object_add(o, "remedy", json_object_new_string(twd_rule_remedy(a->rule)));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/*
 * In the hook's child, before execve: no capability at all. twmond keeps
 * CAP_NET_ADMIN as an ambient capability (the unit), which execve would
 * pass on; the ambient set is cleared, then the permitted, effective and
 * inheritable sets. As root, SECBIT_NOROOT stops execve from granting them
 * again (needs CAP_SETPCAP; best effort). false if a capability remains.
 */
static bool drop_caps(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (!getuid() || !geteuid())
		prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED, 0, 0, 0);
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data))
		return false;
	if (syscall(SYS_capget, &hdr, data))
		return false;
	return !(data[0].permitted | data[1].permitted | data[0].effective | data[1].effective |
		 data[0].inheritable | data[1].inheritable) &&
	       prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_ADMIN, 0, 0) != 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void start_hook(struct twd_sink *s, int slot, enum twd_alert_event ev,
		       const struct twd_alert *a, int64_t now_ms)
{
	struct twd_hooks *hk = s->hooks;
	char v[64], th[64], ns[16], tgt[128];
	sigset_t none;
	pid_t pid;

	twd_target_str(&a->target, tgt, sizeof(tgt));
	snprintf(v, sizeof(v), "%g", a->value);
	snprintf(th, sizeof(th), "%g", a->threshold);
	snprintf(ns, sizeof(ns), "%u", a->netns);
	pid = fork();
	if (pid < 0) {
		if (s->lasterr != errno)
			twd_log(s, LOG_ERR, "exec %s: fork: %s", s->exec, strerror(errno));
		s->lasterr = errno;
		hk->st.dropped++;
		return;
	}
	if (pid > 0) {
		setpgid(pid, pid); /* also in the child: whichever runs first */
		hk->pid[slot] = pid;
		hk->deadline[slot] = now_ms + hk->timeout_ms;
		hk->st.started++;
		hk->st.running++;
		return;
	}
	/* its own group (killed as one), no capability, default signals */
	setpgid(0, 0);
	if (!drop_caps()) {
		fprintf(stderr, "twmond: exec %s: cannot drop capabilities: %s\n", s->exec,
			strerror(errno));
		_exit(126);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	setenv("TWMON_ALERT_EVENT", ev == TWD_EV_FIRE ? "fire" : "clear", 1);
	setenv("TWMON_ALERT_NAME", twd_rule_name(a->rule), 1);
	setenv("TWMON_ALERT_SEVERITY", twd_sev_name(a->sev), 1);
	setenv("TWMON_ALERT_NETNS", ns, 1);
	setenv("TWMON_ALERT_DEST", a->target.kind == TWD_T_DEST ? tgt + strlen("dest=") : "", 1);
	setenv("TWMON_ALERT_SERVICE",
	       a->target.kind == TWD_T_SERVICE ? tgt + strlen("service=") : "", 1);
	setenv("TWMON_ALERT_VALUE", v, 1);
	setenv("TWMON_ALERT_THRESHOLD", th, 1);
	setenv("TWMON_ALERT_MESSAGE", a->message, 1);
	setenv("TWMON_ALERT_REMEDY", twd_rule_remedy(a->rule), 1);
	execl(s->exec, s->exec, (char *)NULL);
	fprintf(stderr, "twmond: exec %s: %s\n", s->exec, strerror(errno));
	_exit(127);
}

static int free_slot(const struct twd_hooks *hk)
{
	unsigned int i;

	for (i = 0; i < hk->max && i < TWD_EXEC_MAX_MAX; i++)
		if (!hk->pid[i])
			return i;
	return -1;
}

static void run_hook(struct twd_sink *s, enum twd_alert_event ev, const struct twd_alert *a)
{
	struct twd_hooks *hk = s->hooks;
	int slot;

	if (!hk)
		return;
	twd_hooks_tick(s, mono_ms()); /* a slot may have come free */
	slot = free_slot(hk);
	if (slot >= 0 && !hk->st.queued) {
		start_hook(s, slot, ev, a, mono_ms());
		return;
	}
	if (hk->st.queued == TWD_HOOK_QUEUE) {
		hk->st.dropped++;
		twd_log(s, LOG_ERR,
			"exec %s: %u hooks running and %u waiting; %s %s not run (%" PRIu64
			" dropped)",
			s->exec, hk->st.running, hk->st.queued,
			ev == TWD_EV_FIRE ? "fire" : "clear", twd_rule_name(a->rule),
			hk->st.dropped);
		return;
	}
	hk->q[(hk->qhead + hk->st.queued) % TWD_HOOK_QUEUE] = (struct twd_hook_job){ ev, *a };
	hk->st.queued++;
}

void twd_hooks_init(struct twd_hooks *hk, const struct twd_conf *c)
{
	memset(hk, 0, sizeof(*hk));
	twd_hooks_set(hk, c);
}

void twd_hooks_set(struct twd_hooks *hk, const struct twd_conf *c)
{
	hk->max = c->exec_max < TWD_EXEC_MAX_MAX ? c->exec_max : TWD_EXEC_MAX_MAX;
	hk->timeout_ms = c->exec_timeout_ms;
}

void twd_hooks_tick(struct twd_sink *s, int64_t now_ms)
{
	struct twd_hooks *hk = s->hooks;
	unsigned int i;
	int status, slot;

	if (!hk)
		return;
	for (i = 0; i < TWD_EXEC_MAX_MAX; i++) {
		pid_t pid = hk->pid[i], w;

		if (!pid)
			continue;
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid || (w < 0 && errno == ECHILD)) {
			if (w == pid && (!WIFEXITED(status) || WEXITSTATUS(status)))
				hk->st.failed++;
			hk->pid[i] = 0;
			hk->st.running--;
			continue;
		}
		if (now_ms >= hk->deadline[i]) {
			twd_log(s, LOG_ERR, "exec %s: pid %d still running after %u ms: killed",
				s->exec, (int)pid, hk->timeout_ms);
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			hk->pid[i] = 0;
			hk->st.running--;
			hk->st.killed++;
		}
	}
	while (hk->st.queued && (slot = free_slot(hk)) >= 0) {
		struct twd_hook_job *j = &hk->q[hk->qhead];

		hk->qhead = (hk->qhead + 1) % TWD_HOOK_QUEUE;
		hk->st.queued--;
		start_hook(s, slot, j->ev, &j->a, now_ms);
	}
}

int64_t twd_hooks_next_deadline(const struct twd_hooks *hk)
{
	int64_t d = INT64_MAX;
	unsigned int i;

	for (i = 0; hk && i < TWD_EXEC_MAX_MAX; i++)
		if (hk->pid[i] && hk->deadline[i] < d)
			d = hk->deadline[i];
	return d;
}

void twd_hooks_end(struct twd_sink *s)
{
	struct twd_hooks *hk = s->hooks;
	unsigned int i;
	int status;

	if (!hk)
		return;
	for (i = 0; i < TWD_EXEC_MAX_MAX; i++) {
		if (!hk->pid[i])
			continue;
		kill(-hk->pid[i], SIGKILL);
		kill(hk->pid[i], SIGKILL);
		waitpid(hk->pid[i], &status, 0);
		hk->pid[i] = 0;
		hk->st.killed++;
	}
	if (hk->st.queued)
		twd_log(s, LOG_INFO, "exec %s: %u queued hooks not run", s->exec, hk->st.queued);
	hk->st.dropped += hk->st.queued;
	hk->st.queued = 0;
	hk->st.running = 0;
}

void twd_sink_alert(struct twd_sink *s, enum twd_alert_event ev, const struct twd_alert *a)
{
	struct timespec wall, mono;
	char line[1024];

	twd_alert_line(ev, a, line, sizeof(line));
	twd_log(s,
		ev == TWD_EV_FIRE && a->sev == TWD_SEV_CRITICAL ? LOG_CRIT
		: ev == TWD_EV_FIRE				? LOG_WARNING
								: LOG_NOTICE,
		"%s", line);
	if (s->json) {
		char *j;

		clock_gettime(CLOCK_REALTIME, &wall);
		clock_gettime(CLOCK_MONOTONIC, &mono);
		j = twd_alert_json(ev, a, wall.tv_sec + wall.tv_nsec / 1e9,
				   (int64_t)mono.tv_sec * 1000000000 + mono.tv_nsec);
		if (j) {
			fprintf(s->json, "%s\n", j);
			fflush(s->json);
			free(j);
		}
	}
	if (s->exec[0])
		run_hook(s, ev, a);
}

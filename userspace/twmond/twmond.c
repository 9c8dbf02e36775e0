// SPDX-License-Identifier: GPL-2.0
/*
 * twmond: the TIME_WAIT monitor daemon. Subscribes to the twmon module's
 * "stats" and "events" groups, keeps rates and forecasts, fires and clears
 * alerts (log, syslog, JSON lines, exec hook) and serves Prometheus metrics.
 * One thread, one poll() loop: the event socket, a timer, signals and the
 * HTTP listener. Every total comes from the kernel, so a restart loses
 * nothing. See twmond(8).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "conf.h"
#include "http.h"
#include "metrics.h"
#include "model.h"
#include "mon.h"
#include "sink.h"

#ifndef TWMON_VERSION
#define TWMON_VERSION "unknown"
#endif

/* Log lost notifications at most this often; the count is in the metrics */
#define LOST_LOG_MS 5000

struct twmond {
	struct twd_conf conf;
	const char *conf_path;
	bool conf_explicit;
	char **ovr; /* "key=value" from the command line, applied after the file */
	int novr;

	struct twd_sink sink;
	struct twd_hooks hooks;
	struct twd_http http;
	struct twd_mon mon;
	struct twd_model model;

	int sfd, tfd;
	bool down_logged, all_denied_logged, all_denied, other_tables_logged;
	bool need_resync, need_tables, dirty;
	bool cgroups; /* the module counts per cgroup (cgroups=1) */
	char lost_why[256];
	uint64_t lost_unlogged;
	int64_t lost_logged_ms;
	uint64_t gen;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: twmond [OPTIONS]\n"
		"The TIME_WAIT monitor daemon: alerts on port pool exhaustion and TIME_WAIT\n"
		"bucket overflow, with forecasts, and Prometheus metrics. See twmond(8).\n"
		"\n"
		"  -c, --config FILE         configuration file (default " TWD_CONF_DEFAULT ";\n"
		"                            if that is missing, the built-in defaults)\n"
		"      --check-config        validate the configuration and exit (0: valid)\n"
		"  -j, --json                alerts as JSON lines on stdout (json = -)\n"
		"  -l, --listen ADDR:PORT    /metrics endpoint (default 127.0.0.1:9477; off)\n"
		"      --textfile PATH       also write the metrics for node_exporter's\n"
		"                            textfile collector\n"
		"      --exec PATH           run PATH on every alert fire and clear\n"
		"      --syslog              also log to syslog (daemon facility)\n"
		"      --rcvbuf BYTES        event socket receive buffer (default 1048576)\n"
		"      --stats-interval-ms MS\n"
		"                            set the module's stats interval (CAP_NET_ADMIN)\n"
		"  -o, --set KEY=VALUE       any configuration key (repeatable)\n"
		"  -V, --version             print the version\n"
		"  -h, --help                this help\n"
		"\n"
		"Flags override the file. Alerts: tw_buckets_high, tw_overflow, pool_exhaustion,\n"
		"connect_eaddrnotavail, linger_abort. SIGHUP reloads the configuration (a bad\n"
		"file is logged and the old one kept); SIGTERM and SIGINT exit cleanly;\n"
		"SIGUSR1 logs the totals. Exit status: 0 ok, 1 runtime error, 2 usage or\n"
		"configuration error.\n");
}

/* Build a configuration: defaults, the file, then the flags */
static int load_conf(struct twmond *d, struct twd_conf *c, char *err, size_t errlen)
{
	char msg[TWD_ERR_LEN];
	struct stat sb;
	int i, r;

	twd_conf_defaults(c);
	if (d->conf_explicit || stat(d->conf_path, &sb) == 0) {
		r = twd_conf_load(c, d->conf_path, err, errlen);
		if (r)
			return r;
	}
	for (i = 0; i < d->novr; i++) {
		char *kv = strdup(d->ovr[i]), *eq;

		if (!kv)
			return -ENOMEM;
		eq = strchr(kv, '=');
		if (!eq) {
			snprintf(err, errlen, "--set: expected KEY=VALUE, got '%s'", kv);
			free(kv);
			return -EINVAL;
		}
		*eq = 0;
		r = twd_conf_set(c, kv, eq + 1, msg, sizeof(msg));
		free(kv);
		if (r) {
			snprintf(err, errlen, "command line: %.400s", msg);
			return r;
		}
	}
	if (twd_conf_check(c, msg, sizeof(msg))) {
		snprintf(err, errlen, "command line: %.400s", msg);
		return -EINVAL;
	}
	if (twd_conf_check_files(c, msg, sizeof(msg))) {
		snprintf(err, errlen, "%.400s", msg);
		return -EINVAL;
	}
	return 0;
}

static void add_ovr(struct twmond *d, const char *key, const char *val)
{
	char **o = realloc(d->ovr, (d->novr + 1) * sizeof(*o));
	size_t len = strlen(key) + strlen(val) + 2;

	if (!o || !(o[d->novr] = malloc(len))) {
		fprintf(stderr, "twmond: out of memory\n");
		exit(1);
	}
	snprintf(o[d->novr], len, "%s=%s", key, val);
	d->ovr = o;
	d->novr++;
}

/* --- alerts ---------------------------------------------------------------- */

static void on_alert(enum twd_alert_event ev, const struct twd_alert *a, void *arg)
{
	struct twmond *d = arg;

	twd_sink_alert(&d->sink, ev, a);
}

/* --- the kernel ------------------------------------------------------------ */

static void on_stats(const struct tw_stats *st, void *arg)
{
	struct twmond *d = arg;

	const struct twd_ns *ns;

	d->model.notifications++;
	if (st->netns_inum != d->model.own_inum)
		return; /* the groups are per namespace: only ours is expected */
	/*
	 * connect() failed or a close overflowed since the last snapshot: read
	 * the tables before the rules run on it (this loop turn), so that an
	 * alert that fires now names the pool and the cgroup behind it
	 */
	ns = twd_model_ns(&d->model, st->netns_inum, false);
	if (ns && (st->connect_eaddrnotavail > ns->st.connect_eaddrnotavail ||
		   st->overflow > ns->st.overflow))
		d->need_tables = true;
	twd_model_stats(&d->model, st, now_ms());
	d->dirty = true;
}

static void on_event(uint32_t netns, const struct twd_kevent *ev, void *arg)
{
	struct twmond *d = arg;

	(void)netns;
	d->model.events++;
	if (ev->type < sizeof(d->model.events_by_type) / sizeof(d->model.events_by_type[0]))
		d->model.events_by_type[ev->type]++;
	/*
	 * pools changed, connect() failed, the bucket table fills or
	 * overflows: look at the tables now, not at the tick, so that the
	 * alerts name what holds the sockets now
	 */
	if (ev->type == TWMON_EV_POOL_HIGH || ev->type == TWMON_EV_POOL_OK ||
	    ev->type == TWMON_EV_EADDRNOTAVAIL_BEGIN || ev->type == TWMON_EV_BUCKETS_HIGH ||
	    ev->type == TWMON_EV_OVERFLOW_BEGIN)
		d->need_tables = true;
	d->dirty = true;
}

static void on_lost(const char *why, void *arg)
{
	struct twmond *d = arg;

	if (!strncmp(why, "ENOBUFS", 7))
		d->model.enobufs++;
	else if (!strncmp(why, "sequence gap", 12))
		d->model.seq_gaps++;
	snprintf(d->lost_why, sizeof(d->lost_why), "%s", why);
	d->need_resync = true;
}

static const struct twd_mon_cb *mon_cb(struct twmond *d)
{
	static struct twd_mon_cb cb = { on_stats, on_event, on_lost, NULL };

	cb.arg = d;
	return &cb;
}

static void go_down(struct twmond *d, const char *why)
{
	twd_log(&d->sink, LOG_ERR, "lost the twmon module (%s); retrying every second", why);
	twd_mon_close(&d->mon);
	twd_model_down(&d->model);
	d->down_logged = true;
}

static void own_stats(const struct tw_stats *st, void *arg)
{
	struct twmond *d = arg;

	d->model.own_inum = st->netns_inum;
	twd_model_stats(&d->model, st, now_ms());
}

/* Other namespaces come from a dump (the groups only carry our own) */
static void other_stats(const struct tw_stats *st, void *arg)
{
	struct twmond *d = arg;
	struct twd_ns *ns;

	if (st->netns_inum == d->model.own_inum)
		return; /* ours comes from the subscription */
	twd_model_stats(&d->model, st, now_ms());
	ns = twd_model_ns(&d->model, st->netns_inum, false);
	if (ns)
		ns->seen = d->gen;
}

static int refresh_own(struct twmond *d)
{
	char err[TW_NL_ERR_LEN];
	int r = twd_mon_get_stats(&d->mon, false, own_stats, d, err, sizeof(err));

	if (r)
		go_down(d, err);
	return r;
}

static int refresh_others(struct twmond *d)
{
	char err[TW_NL_ERR_LEN];
	int r;

	if (d->conf.all_netns == TWD_NETNS_OWN || d->all_denied)
		return 0;
	d->gen++;
	r = twd_mon_get_stats(&d->mon, true, other_stats, d, err, sizeof(err));
	if (r == -EPERM) {
		d->all_denied = true;
		if (!d->all_denied_logged)
			twd_log(&d->sink, d->conf.all_netns == TWD_NETNS_ALL ? LOG_ERR : LOG_INFO,
				"all namespaces: %s; watching this namespace only", err);
		d->all_denied_logged = true;
		return 0;
	}
	if (r) {
		go_down(d, err);
		return r;
	}
	twd_model_forget_old(&d->model, d->gen);
	return 0;
}

/* Pools and services of one namespace (0: ours) into the model */
static int read_tables(struct twmond *d, uint32_t inum, char *err, size_t errlen)
{
	uint32_t key = inum ? inum : d->model.own_inum;
	struct tw_entry *e;
	unsigned int n;
	int r;

	r = twd_mon_get_dests(&d->mon, inum, &e, &n, err, errlen);
	if (r)
		return r;
	twd_model_pools(&d->model, key, e, n, now_ms());
	r = twd_mon_get_services(&d->mon, inum, &e, &n, err, errlen);
	if (r)
		return r;
	twd_model_services(&d->model, key, e, n);
	if (!d->cgroups)
		return 0;
	r = twd_mon_get_cgroups(&d->mon, inum, &e, &n, err, errlen);
	if (r == -EOPNOTSUPP) {
		d->cgroups = false; /* reloaded without cgroups=1 meanwhile */
		return 0;
	}
	if (r)
		return r;
	twd_model_cgroups(&d->model, key, e, n, TW_CGROUP_ROOT);
	r = twd_mon_get_pool_cgroups(&d->mon, inum, &e, &n, err, errlen);
	if (!r)
		twd_model_pool_cgroups(&d->model, key, e, n);
	return r == -EOPNOTSUPP ? 0 : r;
}

/*
 * Other namespaces' tables, read only where a pool or the bucket table may
 * be near an alert (twd_ns_wants_tables); the others' are dropped, so their
 * pool alerts clear as they would in ours.
 */
static void refresh_other_tables(struct twmond *d)
{
	char err[TW_NL_ERR_LEN];
	unsigned int i;
	int r;

	for (i = 0; i < d->model.nns; i++) {
		struct twd_ns *ns = d->model.ns[i];

		if (ns->inum == d->model.own_inum)
			continue;
		if (!twd_ns_wants_tables(ns, &d->conf)) {
			if (ns->has_tables) {
				twd_model_pools(&d->model, ns->inum, NULL, 0, now_ms());
				twd_model_services(&d->model, ns->inum, NULL, 0);
				twd_model_cgroups(&d->model, ns->inum, NULL, 0, TW_CGROUP_ROOT);
				twd_model_pool_cgroups(&d->model, ns->inum, NULL, 0);
				ns->has_tables = false;
			}
			continue;
		}
		r = read_tables(d, ns->inum, err, sizeof(err));
		if (r && r != -ENOENT && !d->other_tables_logged) {
			/* totals still come; say once why the tables do not */
			twd_log(&d->sink, LOG_ERR, "tables of netns %u: %s", ns->inum, err);
			d->other_tables_logged = true;
		}
	}
}

static int refresh_tables(struct twmond *d)
{
	char err[TW_NL_ERR_LEN];
	int r;

	d->need_tables = false;
	r = read_tables(d, 0, err, sizeof(err));
	if (r)
		go_down(d, err);
	d->dirty = true;
	return r;
}

/* Everything from the control socket: after a loss, or on (re)connecting */
static int sync_all(struct twmond *d)
{
	d->need_resync = false;
	twd_mon_reset_seq(&d->mon);
	if (refresh_own(d) || refresh_others(d) || refresh_tables(d))
		return -1;
	refresh_other_tables(d);
	return 0;
}

static void resync(struct twmond *d)
{
	int64_t now = now_ms();

	d->model.resyncs++;
	if (now - d->lost_logged_ms >= LOST_LOG_MS || !d->lost_logged_ms) {
		twd_log(&d->sink, LOG_WARNING,
			"notifications lost (%s): resync from GET_STATS/GET_DESTS "
			"(%" PRIu64 " resyncs, %" PRIu64 " not logged since the last message)",
			d->lost_why, d->model.resyncs, d->lost_unlogged);
		d->lost_logged_ms = now;
		d->lost_unlogged = 0;
	} else {
		d->lost_unlogged++;
	}
	sync_all(d);
}

static void try_up(struct twmond *d)
{
	char err[TW_NL_ERR_LEN];
	struct tw_config kc;
	int r;

	r = twd_mon_open(&d->mon, d->conf.rcvbuf, err, sizeof(err));
	if (r) {
		if (!d->down_logged)
			twd_log(&d->sink, LOG_ERR, "%s; retrying every second", err);
		d->down_logged = true;
		return;
	}
	if (d->conf.stats_interval_ms &&
	    twd_mon_set_interval(&d->mon, d->conf.stats_interval_ms, err, sizeof(err)))
		twd_log(&d->sink, LOG_ERR, "cannot set the stats interval to %u ms: %s",
			d->conf.stats_interval_ms, err);
	memset(&kc, 0, sizeof(kc));
	if (twd_mon_get_config(&d->mon, &kc, err, sizeof(err))) {
		go_down(d, err);
		return;
	}
	d->all_denied = false;
	d->cgroups = kc.cgroups;
	if (sync_all(d))
		return;
	d->model.up = true;
	d->down_logged = false;
	twd_log(&d->sink, LOG_INFO,
		"watching twmon %s: netns %u, stats every %u ms, receive buffer %u bytes%s",
		kc.version, d->model.own_inum, kc.stats_interval_ms, d->mon.rcvbuf,
		kc.cgroups ? ", per cgroup" : "");
}

static void tick(struct twmond *d)
{
	char err[TWD_ERR_LEN];
	int r;

	if (!twd_mon_is_open(&d->mon)) {
		try_up(d);
	} else if (!refresh_others(d) && !refresh_tables(d)) {
		refresh_other_tables(d);
	}
	d->dirty = true;
	if (d->conf.textfile[0]) {
		d->model.hooks = d->hooks.st;
		r = twd_metrics_textfile(d->conf.textfile, &d->model, &d->conf, now_ms());
		if (r) {
			snprintf(err, sizeof(err), "%s", strerror(-r));
			if (d->sink.lasterr != r)
				twd_log(&d->sink, LOG_ERR, "textfile %s: %s", d->conf.textfile,
					err);
			d->sink.lasterr = r;
		}
	}
}

/* --- signals --------------------------------------------------------------- */

static void dump_totals(struct twmond *d)
{
	unsigned int i;

	twd_log(&d->sink, LOG_INFO,
		"up %d, resyncs %" PRIu64 ", enobufs %" PRIu64 ", seq gaps %" PRIu64
		", notifications %" PRIu64 ", events %" PRIu64 ", alerts %u",
		d->model.up, d->model.resyncs, d->model.enobufs, d->model.seq_gaps,
		d->model.notifications, d->model.events, d->model.alerts.n);
	for (i = 0; i < d->model.nns; i++) {
		const struct tw_stats *st = &d->model.ns[i]->st;

		twd_log(&d->sink, LOG_INFO,
			"netns %u: live %" PRIu64 "/%u entered %" PRIu64 " overflow %" PRIu64
			" connect_eaddrnotavail %" PRIu64 " linger_abort %" PRIu64 " pools %u",
			st->netns_inum, st->live, st->max_tw_buckets, st->entered, st->overflow,
			st->connect_eaddrnotavail, st->linger_abort, d->model.ns[i]->npools);
	}
}

/*
 * SIGHUP: a file that does not parse or validate changes nothing; a key that
 * cannot be applied (the new listen address is taken, the JSON file cannot
 * be opened) keeps its running value, is named in the log, and the rest of
 * the new configuration is applied.
 */
static void reload(struct twmond *d)
{
	struct twd_conf nc;
	struct twd_sink ns;
	char err[TWD_ERR_LEN], kept[64] = "";
	bool new_sink = true;

	if (load_conf(d, &nc, err, sizeof(err))) {
		twd_log(&d->sink, LOG_ERR, "reload: %s; keeping the running configuration", err);
		return;
	}
	if (twd_sink_open(&ns, &nc, err, sizeof(err))) {
		twd_log(&d->sink, LOG_ERR, "reload: %s; keeping json = %s", err,
			d->conf.json[0] ? d->conf.json : "off");
		memcpy(nc.json, d->conf.json, sizeof(nc.json));
		strcat(kept, " json");
		new_sink = false;
	}
	if (strcmp(nc.listen, d->conf.listen)) {
		if (twd_http_relisten(&d->http, d->conf.listen, nc.listen, err, sizeof(err))) {
			twd_log(&d->sink, LOG_ERR, "reload: %s; keeping listen = %s", err,
				d->conf.listen[0] ? d->conf.listen : "off");
			memcpy(nc.listen, d->conf.listen, sizeof(nc.listen));
			strcat(kept, " listen");
		}
	}
	if (new_sink) {
		twd_sink_close(&d->sink);
		twd_sink_move(&d->sink, &ns);
	} else {
		twd_sink_update(&d->sink, &nc);
	}
	if (twd_mon_is_open(&d->mon)) {
		if (nc.rcvbuf != d->conf.rcvbuf && twd_mon_set_rcvbuf(&d->mon, nc.rcvbuf))
			twd_log(&d->sink, LOG_ERR, "reload: cannot set rcvbuf %u", nc.rcvbuf);
		if (nc.stats_interval_ms && nc.stats_interval_ms != d->conf.stats_interval_ms &&
		    twd_mon_set_interval(&d->mon, nc.stats_interval_ms, err, sizeof(err)))
			twd_log(&d->sink, LOG_ERR, "reload: stats interval: %s", err);
	}
	if (nc.poll_ms != d->conf.poll_ms) {
		struct itimerspec it = { { nc.poll_ms / 1000, (nc.poll_ms % 1000) * 1000000L },
					 { nc.poll_ms / 1000, (nc.poll_ms % 1000) * 1000000L } };

		timerfd_settime(d->tfd, 0, &it, NULL);
	}
	twd_hooks_set(&d->hooks, &nc);
	d->all_denied = false;
	d->conf = nc;
	d->dirty = true;
	if (kept[0])
		twd_log(&d->sink, LOG_INFO, "configuration reloaded, except:%s", kept);
	else
		twd_log(&d->sink, LOG_INFO, "configuration reloaded");
}

/* 1: exit */
static int on_signal(struct twmond *d)
{
	struct signalfd_siginfo si;

	while (read(d->sfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
		case SIGINT:
			twd_log(&d->sink, LOG_INFO, "signal %d: exiting", (int)si.ssi_signo);
			return 1;
		case SIGHUP:
			reload(d);
			break;
		case SIGUSR1:
			dump_totals(d);
			break;
		case SIGCHLD:
			twd_hooks_tick(&d->sink, now_ms());
			break;
		}
	}
	return 0;
}

/* --- main loop ------------------------------------------------------------- */

static char *metrics_body(void *arg, size_t *len)
{
	struct twmond *d = arg;
	char *buf = NULL;

	if (twd_metrics_text(&d->model, &d->conf, now_ms(), &buf, len))
		return NULL;
	return buf;
}

/* Until the nearest HTTP deadline (or hook deadline): never sleep past one */
static int poll_timeout(struct twmond *d)
{
	int64_t next = twd_http_next_deadline(&d->http), left;
	int64_t hook = twd_hooks_next_deadline(&d->hooks);

	if (hook < next)
		next = hook;

	if (next == INT64_MAX)
		return -1;
	left = next - now_ms();
	return left <= 0 ? 0 : left > 60000 ? 60000 : (int)left;
}

static int run(struct twmond *d)
{
	struct pollfd p[3 + 1 + TWD_HTTP_CLIENTS];
	char err[TW_NL_ERR_LEN];

	for (;;) {
		int nh, r;

		p[0] = (struct pollfd){ .fd = d->sfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = d->tfd, .events = POLLIN };
		p[2] = (struct pollfd){ .fd = twd_mon_fd(&d->mon), .events = POLLIN };
		nh = twd_http_pollfds(&d->http, &p[3]);
		r = poll(p, 3 + nh, poll_timeout(d));
		if (r < 0) {
			if (errno == EINTR)
				continue;
			twd_log(&d->sink, LOG_ERR, "poll: %s", strerror(errno));
			return 1;
		}
		if ((p[0].revents & POLLIN) && on_signal(d))
			return 0;
		if (p[2].fd >= 0 && (p[2].revents & (POLLIN | POLLERR)) &&
		    twd_mon_read(&d->mon, mon_cb(d), err, sizeof(err)))
			go_down(d, err);
		if (d->need_resync && twd_mon_is_open(&d->mon))
			resync(d);
		if (d->need_tables && twd_mon_is_open(&d->mon))
			refresh_tables(d);
		if (p[1].revents & POLLIN) {
			uint64_t n;

			if (read(d->tfd, &n, sizeof(n)) == sizeof(n))
				tick(d);
		}
		if (d->dirty) {
			d->dirty = false;
			twd_model_evaluate(&d->model, &d->conf, now_ms());
		}
		twd_hooks_tick(&d->sink, now_ms());
		d->model.hooks = d->hooks.st;
		d->model.http_requests = d->http.requests;
		d->model.http_evicted = d->http.evicted;
		d->model.http_timeouts = d->http.timeouts;
		twd_http_handle(&d->http, &p[3], nh, now_ms(), metrics_body, d);
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "listen", required_argument, NULL, 'l' },
		{ "textfile", required_argument, NULL, 'T' },
		{ "exec", required_argument, NULL, 'E' },
		{ "syslog", no_argument, NULL, 'S' },
		{ "rcvbuf", required_argument, NULL, 'R' },
		{ "stats-interval-ms", required_argument, NULL, 'I' },
		{ "set", required_argument, NULL, 'o' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct twmond d = { .conf_path = TWD_CONF_DEFAULT, .sfd = -1, .tfd = -1 };
	bool check = false;
	char err[TWD_ERR_LEN];
	struct itimerspec it;
	sigset_t mask;
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:jl:o:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			d.conf_path = optarg;
			d.conf_explicit = true;
			break;
		case 'C':
			check = true;
			break;
		case 'j':
			add_ovr(&d, "json", "-");
			break;
		case 'l':
			add_ovr(&d, "listen", optarg);
			break;
		case 'T':
			add_ovr(&d, "textfile", optarg);
			break;
		case 'E':
			add_ovr(&d, "exec", optarg);
			break;
		case 'S':
			add_ovr(&d, "syslog", "yes");
			break;
		case 'R':
			add_ovr(&d, "rcvbuf", optarg);
			break;
		case 'I':
			add_ovr(&d, "stats_interval_ms", optarg);
			break;
		case 'o':
			d.ovr = realloc(d.ovr, (d.novr + 1) * sizeof(*d.ovr));
			if (!d.ovr)
				return 1;
			d.ovr[d.novr++] = optarg;
			break;
		case 'V':
			printf("twmond %s\n", TWMON_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "Try 'twmond --help'.\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "twmond: unexpected argument '%s'\nTry 'twmond --help'.\n",
			argv[optind]);
		return 2;
	}
	if (load_conf(&d, &d.conf, err, sizeof(err))) {
		fprintf(stderr, "twmond: %s\n", err);
		return 2;
	}
	if (check) {
		printf("%s: configuration OK\n", d.conf_explicit || access(d.conf_path, F_OK) == 0
							 ? d.conf_path
							 : "built-in defaults");
		return 0;
	}

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD); /* a hook ended: reap it (twd_hooks_tick) */
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	d.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	d.tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d.sfd < 0 || d.tfd < 0) {
		fprintf(stderr, "twmond: signalfd/timerfd: %s\n", strerror(errno));
		return 1;
	}
	it.it_interval.tv_sec = d.conf.poll_ms / 1000;
	it.it_interval.tv_nsec = (d.conf.poll_ms % 1000) * 1000000L;
	it.it_value = it.it_interval;
	timerfd_settime(d.tfd, 0, &it, NULL);

	if (twd_sink_open(&d.sink, &d.conf, err, sizeof(err))) {
		fprintf(stderr, "twmond: %s\n", err);
		return 2; /* the json key: a configuration error */
	}
	twd_hooks_init(&d.hooks, &d.conf);
	d.sink.hooks = &d.hooks;
	twd_http_init(&d.http);
	if (d.conf.listen[0] && twd_http_open(&d.http, d.conf.listen, err, sizeof(err))) {
		twd_log(&d.sink, LOG_ERR, "%s", err);
		return 1;
	}
	twd_model_init(&d.model, on_alert, &d);
	twd_log(&d.sink, LOG_INFO, "twmond %s starting; metrics on %s", TWMON_VERSION,
		d.conf.listen[0] ? d.conf.listen : "(off)");
	try_up(&d);
	if (d.dirty || d.model.up)
		twd_model_evaluate(&d.model, &d.conf, now_ms());

	rc = run(&d);

	twd_hooks_end(&d.sink); /* no hook outlives twmond */
	twd_http_close(&d.http);
	twd_mon_close(&d.mon);
	twd_model_free(&d.model);
	twd_sink_close(&d.sink);
	close(d.sfd);
	close(d.tfd);
	return rc;
}

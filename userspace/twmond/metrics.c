// SPDX-License-Identifier: GPL-2.0
/* twmond's metrics in the Prometheus text format */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "addr.h"
#include "metrics.h"

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One family over every namespace: a u64 picked by off, if its hook is active */
typedef uint64_t (*pick_fn)(const struct tw_stats *st);

static void per_ns(FILE *f, const struct twd_model *m, const char *name, const char *type,
		   const char *help, pick_fn pick, int figure)
{
	unsigned int i;

	head(f, name, type, help);
	for (i = 0; i < m->nns; i++) {
		const struct tw_stats *st = &m->ns[i]->st;

		if (figure >= 0 && !tw_figure_available(st->hooks, figure))
			continue; /* unknown is not zero: no sample */
		fprintf(f, "%s{netns=\"%u\"} %" PRIu64 "\n", name, m->ns[i]->inum, pick(st));
	}
}

#define PICK(fn, expr)                                                                             \
	static uint64_t fn(const struct tw_stats *st)                                              \
	{                                                                                          \
		return expr;                                                                       \
	}
PICK(p_live, st->live)
PICK(p_max, st->max_tw_buckets)
PICK(p_seeded, st->seeded)
PICK(p_entered, st->entered)
PICK(p_overflow, st->overflow)
PICK(p_eaddr, st->connect_eaddrnotavail)
PICK(p_linger, st->linger_abort)
PICK(p_range, twd_range_size(st->port_low, st->port_high))
PICK(p_untracked, st->untracked)

static void entry_labels(FILE *f, const struct tw_entry *e, bool dest)
{
	char l[INET6_ADDRSTRLEN] = "?", r[INET6_ADDRSTRLEN] = "?";
	size_t alen = tw_family_addr_len(e->family);

	tw_addr_str(e->family, e->laddr, alen, l, sizeof(l));
	fprintf(f, "family=\"%s\",local=\"%s\"", tw_family_name(e->family) ?: "?", l);
	if (dest) {
		tw_addr_str(e->family, e->raddr, alen, r, sizeof(r));
		fprintf(f, ",remote=\"%s\",rport=\"%u\"", r, e->rport);
	} else {
		fprintf(f, ",lport=\"%u\"", e->lport);
	}
}

static void tables(FILE *f, const struct twd_model *m, const struct twd_conf *c)
{
	unsigned int *idx = malloc((c->top_n ? c->top_n : 1) * sizeof(*idx));
	unsigned int i, k, n;

	if (!idx)
		return;
	head(f, "twmon_pool_live", "gauge",
	     "Live TIME_WAIT sockets of an outgoing pool (top N pools per netns)");
	for (i = 0; i < m->nns; i++) {
		const struct twd_ns *ns = m->ns[i];

		n = twd_top_pools(ns, c->top_n, idx);
		for (k = 0; k < n; k++) {
			fprintf(f, "twmon_pool_live{netns=\"%u\",", ns->inum);
			entry_labels(f, &ns->pools[idx[k]].e, true);
			fprintf(f, "} %u\n", ns->pools[idx[k]].e.count);
		}
	}
	head(f, "twmon_service_live", "gauge",
	     "Live TIME_WAIT sockets of a local service (top N services per netns)");
	for (i = 0; i < m->nns; i++) {
		const struct twd_ns *ns = m->ns[i];

		n = twd_top_services(ns, c->top_n, idx);
		for (k = 0; k < n; k++) {
			fprintf(f, "twmon_service_live{netns=\"%u\",", ns->inum);
			entry_labels(f, &ns->services[idx[k]], false);
			fprintf(f, "} %u\n", ns->services[idx[k]].count);
		}
	}
	free(idx);
}

/* A label value as the text format wants it: \\, \" and \n escaped */
static void label_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

/* With the module's cgroups=1: the top N cgroups by live sockets per netns */
static void cgroups(FILE *f, const struct twd_model *m, const struct twd_conf *c)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "twmon_cgroup_tw_live", "gauge",
		  "Live TIME_WAIT sockets made by a cgroup (top N cgroups per netns; "
		  "cgroup \"unknown\": no known cgroup, \"other\": outside twmond's cgroup "
		  "namespace)" },
		{ "twmon_cgroup_tw_entered_total", "counter",
		  "Sockets of a cgroup that entered TIME_WAIT since its row was made" },
		{ "twmon_cgroup_connect_eaddrnotavail_total", "counter",
		  "connect() calls of a cgroup's sockets that found no free local port" },
		{ "twmon_cgroup_linger_abort_total", "counter",
		  "Closes of a cgroup's sockets turned into RST by SO_LINGER=0" },
		{ "twmon_cgroup_tw_overflow_total", "counter",
		  "Closes of a cgroup's sockets that got no TIME_WAIT (tcp_max_tw_buckets full; "
		  "cgroup \"unknown\": those no cgroup row counts)" },
	};
	unsigned int *idx = malloc((c->top_n ? c->top_n : 1) * sizeof(*idx));
	unsigned int i, k, n, fi;
	char buf[32];

	if (!idx)
		return;
	for (fi = 0; fi < sizeof(fam) / sizeof(fam[0]); fi++) {
		head(f, fam[fi].name, fam[fi].type, fam[fi].help);
		for (i = 0; i < m->nns; i++) {
			const struct twd_ns *ns = m->ns[i];

			n = twd_top_cgroups(ns, c->top_n, idx);
			for (k = 0; k < n; k++) {
				const struct tw_entry *e = &ns->cgroups[idx[k]];
				uint64_t v[] = { e->count, e->entered, e->eaddrnotavail,
						 e->linger_abort, e->overflow };

				/* the unknown row has no totals but its overflow */
				if (fi && fi != 4 && !e->cgroup_id && !e->other)
					continue;
				fprintf(f, "%s{netns=\"%u\",cgroup=\"", fam[fi].name, ns->inum);
				label_value(f, twd_cgroup_label(ns, idx[k], buf, sizeof(buf)));
				fprintf(f, "\"} %" PRIu64 "\n", v[fi]);
			}
		}
	}
	free(idx);
}

static void alerts(FILE *f, const struct twd_model *m)
{
	const struct twd_alerts *as = &m->alerts;
	unsigned int i, j;

	head(f, "twmond_alert_active", "gauge", "1 while a twmond alert is firing");
	for (i = 0; i < as->n; i++) {
		const struct twd_alert *a = &as->a[i];
		bool dup = false;

		if (a->sev == TWD_SEV_NONE)
			continue;
		/* one series per (alert, severity, netns), however many pools */
		for (j = 0; j < i && !dup; j++)
			dup = as->a[j].sev == a->sev && as->a[j].rule == a->rule &&
			      as->a[j].netns == a->netns;
		if (!dup)
			fprintf(f,
				"twmond_alert_active{alert=\"%s\",severity=\"%s\",netns=\"%u\"} 1\n",
				twd_rule_name(a->rule), twd_sev_name(a->sev), a->netns);
	}
}

int twd_metrics_render(FILE *f, const struct twd_model *m, const struct twd_conf *c, int64_t now_ms)
{
	static const struct {
		const char *label;
		int64_t ms;
	} win[] = { { "1s", TWD_WIN_1S }, { "10s", TWD_WIN_10S }, { "60s", TWD_WIN_60S } };
	unsigned int i, r, w;

	(void)now_ms;
	head(f, "twmon_up", "gauge", "1 if the twmon kernel module answers, else 0");
	fprintf(f, "twmon_up %d\n", m->up ? 1 : 0);
	per_ns(f, m, "twmon_tw_live", "gauge", "Live TIME_WAIT sockets", p_live, -1);
	head(f, "twmon_tw_live_substate", "gauge", "Live TIME_WAIT sockets by substate");
	for (i = 0; i < m->nns; i++) {
		fprintf(f,
			"twmon_tw_live_substate{netns=\"%u\",substate=\"time_wait\"} %" PRIu64 "\n",
			m->ns[i]->inum, m->ns[i]->st.live_timewait);
		fprintf(f,
			"twmon_tw_live_substate{netns=\"%u\",substate=\"fin_wait2\"} %" PRIu64 "\n",
			m->ns[i]->inum, m->ns[i]->st.live_finwait2);
	}
	per_ns(f, m, "twmon_tw_max_buckets", "gauge", "net.ipv4.tcp_max_tw_buckets", p_max, -1);
	per_ns(f, m, "twmon_tw_seeded", "gauge",
	       "TIME_WAIT sockets found alive when the module loaded", p_seeded, -1);
	per_ns(f, m, "twmon_tw_entered_total", "counter",
	       "TIME_WAIT sockets born since the module loaded", p_entered, TW_FIG_ENTERED);
	head(f, "twmon_tw_ended_total", "counter", "TIME_WAIT sockets ended, by reason");
	for (i = 0; i < m->nns; i++)
		for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++) {
			if (!tw_figure_available(m->ns[i]->st.hooks, tw_reason_figure(r)))
				continue;
			fprintf(f, "twmon_tw_ended_total{netns=\"%u\",reason=\"%s\"} %" PRIu64 "\n",
				m->ns[i]->inum, tw_reason_name(r), m->ns[i]->st.ended[r]);
		}
	per_ns(f, m, "twmon_tw_overflow_total", "counter",
	       "Closes that got no TIME_WAIT because tcp_max_tw_buckets was full", p_overflow,
	       TW_FIG_OVERFLOW);
	per_ns(f, m, "twmon_connect_eaddrnotavail_total", "counter",
	       "connect() calls that found no free local port", p_eaddr,
	       TW_FIG_CONNECT_EADDRNOTAVAIL);
	per_ns(f, m, "twmon_linger_abort_total", "counter",
	       "close() turned into RST by SO_LINGER with a zero timeout", p_linger,
	       TW_FIG_LINGER_ABORT);
	per_ns(f, m, "twmon_port_range_size", "gauge",
	       "Size of net.ipv4.ip_local_port_range (high - low + 1)", p_range, -1);
	tables(f, m, c);
	cgroups(f, m, c);
	per_ns(f, m, "twmon_untracked", "gauge", "Live TIME_WAIT sockets in no table (tables full)",
	       p_untracked, -1);
	alerts(f, m);
	head(f, "twmond_resyncs_total", "counter",
	     "Times twmond resynced from GET_STATS after ENOBUFS or a sequence gap");
	fprintf(f, "twmond_resyncs_total %" PRIu64 "\n", m->resyncs);
	head(f, "twmond_enobufs_total", "counter",
	     "ENOBUFS on twmond's event socket (notifications lost)");
	fprintf(f, "twmond_enobufs_total %" PRIu64 "\n", m->enobufs);
	head(f, "twmond_seq_gaps_total", "counter", "Sequence gaps seen in the multicast groups");
	fprintf(f, "twmond_seq_gaps_total %" PRIu64 "\n", m->seq_gaps);
	head(f, "twmond_hooks_started_total", "counter", "Exec hooks started");
	fprintf(f, "twmond_hooks_started_total %" PRIu64 "\n", m->hooks.started);
	head(f, "twmond_hooks_dropped_total", "counter",
	     "Exec hooks not run: the queue was full (exec_max running), or twmond exited");
	fprintf(f, "twmond_hooks_dropped_total %" PRIu64 "\n", m->hooks.dropped);
	head(f, "twmond_hooks_killed_total", "counter",
	     "Exec hooks killed after exec_timeout_ms, or when twmond exited");
	fprintf(f, "twmond_hooks_killed_total %" PRIu64 "\n", m->hooks.killed);
	head(f, "twmond_hooks_failed_total", "counter",
	     "Exec hooks that exited with a status other than 0");
	fprintf(f, "twmond_hooks_failed_total %" PRIu64 "\n", m->hooks.failed);
	head(f, "twmond_hooks_running", "gauge", "Exec hooks running now");
	fprintf(f, "twmond_hooks_running %u\n", m->hooks.running);
	head(f, "twmond_hooks_queued", "gauge", "Exec hooks waiting for one of exec_max slots");
	fprintf(f, "twmond_hooks_queued %u\n", m->hooks.queued);
	head(f, "twmond_http_requests_total", "counter", "Requests answered on /metrics");
	fprintf(f, "twmond_http_requests_total %" PRIu64 "\n", m->http_requests);
	head(f, "twmond_http_evicted_total", "counter",
	     "/metrics connections reset to make room for a new one (hostile or stalled clients)");
	fprintf(f, "twmond_http_evicted_total %" PRIu64 "\n", m->http_evicted);
	head(f, "twmond_http_timeouts_total", "counter",
	     "/metrics connections reset past a deadline (5 s request, 5 min idle)");
	fprintf(f, "twmond_http_timeouts_total %" PRIu64 "\n", m->http_timeouts);
	head(f, "twmond_close_rate", "gauge",
	     "Closes per second that want a TIME_WAIT socket (entered + overflow), by window");
	for (i = 0; i < m->nns; i++)
		for (w = 0; w < sizeof(win) / sizeof(win[0]); w++)
			fprintf(f, "twmond_close_rate{netns=\"%u\",window=\"%s\"} %.3f\n",
				m->ns[i]->inum, win[w].label,
				twd_ns_rate(m->ns[i], TWD_C_CLOSES, win[w].ms));
	head(f, "twmond_tw_steady_state", "gauge",
	     "Live TIME_WAIT sockets the 10 s close rate leads to (rate x 60 s)");
	for (i = 0; i < m->nns; i++)
		fprintf(f, "twmond_tw_steady_state{netns=\"%u\"} %.0f\n", m->ns[i]->inum,
			twd_ns_rate(m->ns[i], TWD_C_CLOSES, TWD_WIN_10S) * TWD_TW_SECONDS);
	return ferror(f) ? -EIO : 0;
}

int twd_metrics_text(const struct twd_model *m, const struct twd_conf *c, int64_t now_ms,
		     char **buf, size_t *len)
{
	FILE *f = open_memstream(buf, len);
	int r;

	if (!f)
		return -ENOMEM;
	r = twd_metrics_render(f, m, c, now_ms);
	if (fclose(f) || r) {
		free(*buf);
		*buf = NULL;
		return -ENOMEM;
	}
	return 0;
}

int twd_metrics_textfile(const char *path, const struct twd_model *m, const struct twd_conf *c,
			 int64_t now_ms)
{
	char tmp[TWD_PATH_LEN + 32];
	uint64_t rnd = 0;
	FILE *f;
	int fd, r, tries;

	/*
	 * A name nobody can guess, created (O_EXCL) as a file, never through a
	 * symlink (O_NOFOLLOW); 0644 whatever the umask (the unit's is 0077):
	 * node_exporter runs as another user and must read it.
	 */
	for (tries = 0;; tries++) {
		if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
			rnd ^= (uint64_t)now_ms * 6364136223846793005ULL + tries;
		snprintf(tmp, sizeof(tmp), "%s.tmp.%016" PRIx64, path, rnd);
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST || tries == 10)
			break;
	}
	if (fd < 0)
		return -errno;
	if (fchmod(fd, 0644) || !(f = fdopen(fd, "w"))) {
		r = -errno;
		close(fd);
		unlink(tmp);
		return r;
	}
	r = twd_metrics_render(f, m, c, now_ms);
	if (fclose(f) && !r)
		r = -errno;
	if (!r && rename(tmp, path))
		r = -errno;
	if (r)
		unlink(tmp);
	return r;
}

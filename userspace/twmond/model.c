// SPDX-License-Identifier: GPL-2.0
/* twmond's per-namespace state and the evaluation of the alert rules */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cgroup.h"
#include "model.h"

void twd_model_init(struct twd_model *m, twd_alert_fn emit, void *arg)
{
	memset(m, 0, sizeof(*m));
	twd_alerts_init(&m->alerts, emit, arg);
}

static void cgroups_free(char **paths, unsigned int n)
{
	unsigned int i;

	for (i = 0; paths && i < n; i++)
		free(paths[i]);
	free(paths);
}

static void ns_free(struct twd_ns *ns)
{
	free(ns->pools);
	free(ns->services);
	free(ns->cgroups);
	cgroups_free(ns->cgroup_paths, ns->ncgroups);
	free(ns->pool_cgroups);
	free(ns);
}

void twd_model_free(struct twd_model *m)
{
	unsigned int i;

	for (i = 0; i < m->nns; i++)
		ns_free(m->ns[i]);
	free(m->ns);
	m->ns = NULL;
	m->nns = 0;
	twd_alerts_free(&m->alerts);
}

struct twd_ns *twd_model_ns(struct twd_model *m, uint32_t inum, bool create)
{
	struct twd_ns *ns, **grown;
	unsigned int i;

	for (i = 0; i < m->nns; i++)
		if (m->ns[i]->inum == inum)
			return m->ns[i];
	if (!create)
		return NULL;
	ns = calloc(1, sizeof(*ns));
	grown = realloc(m->ns, (m->nns + 1) * sizeof(*grown));
	if (!ns || !grown) {
		free(ns);
		if (grown)
			m->ns = grown;
		return NULL;
	}
	m->ns = grown;
	ns->inum = inum;
	for (i = 0; i < __TWD_C_LAST; i++)
		twd_series_init(&ns->ctr[i], ns->ring[i], TWD_NS_SAMPLES);
	m->ns[m->nns++] = ns;
	return ns;
}

void twd_model_stats(struct twd_model *m, const struct tw_stats *st, int64_t now_ms)
{
	struct twd_ns *ns = twd_model_ns(m, st->netns_inum, true);

	if (!ns)
		return;
	ns->st = *st;
	ns->updated_ms = now_ms;
	twd_series_add(&ns->ctr[TWD_C_CLOSES], now_ms, st->entered + st->overflow);
	twd_series_add(&ns->ctr[TWD_C_OVERFLOW], now_ms, st->overflow);
	twd_series_add(&ns->ctr[TWD_C_EADDRNOTAVAIL], now_ms, st->connect_eaddrnotavail);
	twd_series_add(&ns->ctr[TWD_C_LINGER], now_ms, st->linger_abort);
}

void twd_model_forget_old(struct twd_model *m, uint64_t gen)
{
	unsigned int i = 0;

	while (i < m->nns) {
		if (m->ns[i]->seen == gen || m->ns[i]->inum == m->own_inum) {
			i++;
			continue;
		}
		ns_free(m->ns[i]);
		m->ns[i] = m->ns[--m->nns];
	}
}

static int entry_qcmp(const void *a, const void *b)
{
	return tw_entry_key_cmp(a, b);
}

void twd_model_pools(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n,
		     int64_t now_ms)
{
	struct twd_ns *ns = twd_model_ns(m, inum, true);
	struct twd_pool *np;
	unsigned int i, j = 0;

	if (!ns) {
		free(e);
		return;
	}
	if (n)
		qsort(e, n, sizeof(*e), entry_qcmp);
	np = calloc(n ? n : 1, sizeof(*np));
	if (!np) {
		free(e);
		return;
	}
	/* both sorted: carry each surviving pool's series over */
	for (i = 0; i < n; i++) {
		struct twd_pool *p = &np[i];

		while (j < ns->npools && tw_entry_key_cmp(&ns->pools[j].e, &e[i]) < 0)
			j++;
		if (j < ns->npools && !tw_entry_key_cmp(&ns->pools[j].e, &e[i])) {
			*p = ns->pools[j];
			p->count.ring = p->ring;
		} else {
			twd_series_init(&p->count, p->ring, TWD_POOL_SAMPLES);
		}
		p->e = e[i];
		twd_series_add(&p->count, now_ms, e[i].count);
	}
	free(ns->pools);
	free(e);
	ns->pools = np;
	ns->npools = n;
	ns->has_tables = true;
}

void twd_model_services(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n)
{
	struct twd_ns *ns = twd_model_ns(m, inum, true);

	if (!ns) {
		free(e);
		return;
	}
	free(ns->services);
	ns->services = e;
	ns->nservices = n;
	ns->has_tables = true;
}

/* The unknown and other rows (id 0) first, then by cgroup id */
static int cgroup_cmp(const void *pa, const void *pb)
{
	const struct tw_entry *a = pa, *b = pb;

	if (a->cgroup_id != b->cgroup_id)
		return a->cgroup_id < b->cgroup_id ? -1 : 1;
	return (int)a->other - (int)b->other;
}

void twd_model_cgroups(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n,
		       const char *root)
{
	struct twd_ns *ns = twd_model_ns(m, inum, true);
	char **paths = calloc(n ? n : 1, sizeof(*paths)), **found;
	uint64_t *ids = calloc(n ? n : 1, sizeof(*ids));
	unsigned int *at = calloc(n ? n : 1, sizeof(*at));
	unsigned int i, j = 0, k = 0;

	if (!ns || !paths || !ids || !at)
		goto fail;
	if (n)
		qsort(e, n, sizeof(*e), cgroup_cmp);
	/* both sorted: a cgroup seen before keeps its path, new ids are looked up */
	for (i = 0; i < n; i++) {
		if (!e[i].cgroup_id)
			continue;
		while (j < ns->ncgroups && ns->cgroups[j].cgroup_id < e[i].cgroup_id)
			j++;
		if (j < ns->ncgroups && ns->cgroups[j].cgroup_id == e[i].cgroup_id &&
		    ns->cgroup_paths[j]) {
			paths[i] = ns->cgroup_paths[j];
			ns->cgroup_paths[j] = NULL;
			continue;
		}
		ids[k] = e[i].cgroup_id;
		at[k++] = i;
	}
	if (k) {
		found = calloc(k, sizeof(*found));
		if (!found || tw_cgroup_paths(root, ids, k, found)) {
			free(found);
			cgroups_free(paths, n);
			paths = NULL;
			goto fail;
		}
		for (i = 0; i < k; i++)
			paths[at[i]] = found[i] ? found[i] : strdup("");
		free(found);
	}
	free(ns->cgroups);
	cgroups_free(ns->cgroup_paths, ns->ncgroups);
	ns->cgroups = e;
	ns->cgroup_paths = paths;
	ns->ncgroups = n;
	free(ids);
	free(at);
	return;
fail:
	free(e);
	free(paths);
	free(ids);
	free(at);
}

void twd_model_pool_cgroups(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n)
{
	struct twd_ns *ns = twd_model_ns(m, inum, true);

	if (!ns) {
		free(e);
		return;
	}
	if (n)
		qsort(e, n, sizeof(*e), entry_qcmp);
	free(ns->pool_cgroups);
	ns->pool_cgroups = e;
	ns->npool_cgroups = n;
}

const char *twd_cgroup_label(const struct twd_ns *ns, unsigned int i, char *buf, size_t len)
{
	const struct tw_entry *e = &ns->cgroups[i];
	const char *p = ns->cgroup_paths[i];

	if (e->other)
		return "other";
	if (!e->cgroup_id)
		return "unknown";
	if (p && *p)
		return p;
	snprintf(buf, len, "id:%" PRIu64, e->cgroup_id);
	return buf;
}

/* The lowest level at which a ratio rule can be firing (clear below warn/crit) */
static double lowest_ratio(const struct twd_rule_conf *rc)
{
	double t = rc->clear;

	if (!isnan(rc->warn) && rc->warn < t)
		t = rc->warn;
	if (!isnan(rc->crit) && rc->crit < t)
		t = rc->crit;
	return t;
}

bool twd_ns_wants_tables(const struct twd_ns *ns, const struct twd_conf *c)
{
	const struct tw_stats *st = &ns->st;
	const struct twd_rule_conf *pool = &c->rule[TWD_R_POOL_EXHAUSTION];
	const struct twd_rule_conf *buckets = &c->rule[TWD_R_BUCKETS_HIGH];
	uint32_t range = twd_range_size(st->port_low, st->port_high);

	/* no pool can hold more than the namespace's live sockets */
	if (pool->enabled && range && st->live >= lowest_ratio(pool) * range)
		return true;
	if (buckets->enabled && st->max_tw_buckets &&
	    st->live >= lowest_ratio(buckets) * st->max_tw_buckets)
		return true;
	return twd_ns_rate(ns, TWD_C_OVERFLOW, TWD_WIN_10S) > 0 ||
	       twd_ns_rate(ns, TWD_C_EADDRNOTAVAIL, TWD_WIN_10S) > 0;
}

void twd_model_down(struct twd_model *m)
{
	unsigned int i;

	twd_alerts_clear_all(&m->alerts, "the twmon module went away; nothing is known");
	for (i = 0; i < m->nns; i++)
		ns_free(m->ns[i]);
	m->nns = 0;
	m->up = false;
}

double twd_ns_rate(const struct twd_ns *ns, enum twd_ctr c, int64_t window_ms)
{
	return twd_series_rate(&ns->ctr[c], window_ms);
}

double twd_pool_rate(const struct twd_pool *p)
{
	double r = twd_series_rate(&p->count, TWD_WIN_10S);

	return r > 0 ? r : 0;
}

static unsigned int top(const uint32_t *counts, unsigned int total, unsigned int n,
			unsigned int *idx)
{
	unsigned int i, k = 0;

	for (i = 0; i < total; i++) {
		unsigned int pos = k;

		if (k == n && (!n || counts[i] <= counts[idx[n - 1]]))
			continue;
		while (pos > 0 && counts[idx[pos - 1]] < counts[i])
			pos--;
		if (k < n)
			k++;
		memmove(&idx[pos + 1], &idx[pos], (k - 1 - pos) * sizeof(*idx));
		idx[pos] = i;
	}
	return k;
}

unsigned int twd_top_pools(const struct twd_ns *ns, unsigned int n, unsigned int *idx)
{
	uint32_t *c = malloc((ns->npools ? ns->npools : 1) * sizeof(*c));
	unsigned int i, k;

	if (!c)
		return 0;
	for (i = 0; i < ns->npools; i++)
		c[i] = ns->pools[i].e.count;
	k = top(c, ns->npools, n, idx);
	free(c);
	return k;
}

unsigned int twd_top_services(const struct twd_ns *ns, unsigned int n, unsigned int *idx)
{
	uint32_t *c = malloc((ns->nservices ? ns->nservices : 1) * sizeof(*c));
	unsigned int i, k;

	if (!c)
		return 0;
	for (i = 0; i < ns->nservices; i++)
		c[i] = ns->services[i].count;
	k = top(c, ns->nservices, n, idx);
	free(c);
	return k;
}

unsigned int twd_top_cgroups(const struct twd_ns *ns, unsigned int n, unsigned int *idx)
{
	uint32_t *c = malloc((ns->ncgroups ? ns->ncgroups : 1) * sizeof(*c));
	unsigned int i, k;

	if (!c)
		return 0;
	for (i = 0; i < ns->ncgroups; i++)
		c[i] = ns->cgroups[i].count;
	k = top(c, ns->ncgroups, n, idx);
	free(c);
	return k;
}

static void fmt_eta(double secs, char *buf, size_t len)
{
	if (secs < 0)
		snprintf(buf, len, "never at this rate");
	else if (secs == 0)
		snprintf(buf, len, "now");
	else
		snprintf(buf, len, "in %.0f s", ceil(secs));
}

/*
 * "; most from service=... 2400 (96%)": the pool or service holding the most
 * TIME_WAIT sockets, the one to fix when the bucket table fills. Known for
 * twmond's own namespace only (the kernel serves tables to their netns).
 */
static void largest_source(const struct twd_ns *ns, char *buf, size_t len)
{
	struct twd_target t = { 0 };
	const struct tw_entry *e = NULL;
	unsigned int i;
	char ts[80];

	buf[0] = 0;
	for (i = 0; i < ns->npools; i++)
		if (!e || ns->pools[i].e.count > e->count) {
			e = &ns->pools[i].e;
			t.kind = TWD_T_DEST;
		}
	for (i = 0; i < ns->nservices; i++)
		if (!e || ns->services[i].count > e->count) {
			e = &ns->services[i];
			t.kind = TWD_T_SERVICE;
		}
	if (!e || !e->count || !ns->st.live)
		return;
	t.family = e->family;
	memcpy(t.laddr, e->laddr, 16);
	memcpy(t.raddr, e->raddr, 16);
	t.lport = e->lport;
	t.rport = e->rport;
	twd_target_str(&t, ts, sizeof(ts));
	snprintf(buf, len, "; most from %s: %u (%.0f%%)", ts, e->count,
		 e->count * 100.0 / ns->st.live);
}

/*
 * "; most TIME_WAIT from cgroup /system.slice/api.service: 1840 of 2000":
 * with the module's cgroups=1, the cgroup with the most live sockets (by =
 * NULL) or the largest total by, of the sum over the cgroups as read
 * together (the last GET_CGROUPS); nothing if that is the unknown row or
 * if it holds none
 */
static void largest_cgroup(const struct twd_ns *ns, uint64_t (*by)(const struct tw_entry *e),
			   const char *what, char *buf, size_t len)
{
	unsigned int i, best = 0;
	uint64_t v, bv = 0, total = 0;
	char id[32];

	buf[0] = 0;
	for (i = 0; i < ns->ncgroups; i++) {
		v = by ? by(&ns->cgroups[i]) : ns->cgroups[i].count;
		total += v;
		if (v > bv && (ns->cgroups[i].cgroup_id || ns->cgroups[i].other)) {
			bv = v;
			best = i;
		}
	}
	if (!bv)
		return;
	snprintf(buf, len, "; most %sfrom cgroup %s: %" PRIu64 " of %" PRIu64, what,
		 twd_cgroup_label(ns, best, id, sizeof(id)), bv, total);
}

/*
 * "; most from cgroup /api.service: 1840 of 2000": the cgroup with the
 * most of pool p's sockets, of the sum over its cgroups read together
 * (GET_DESTS by cgroup, with the module's cgroups=1)
 */
static void pool_cgroup(const struct twd_ns *ns, const struct tw_entry *p, char *buf, size_t len)
{
	const struct tw_entry *best = NULL;
	unsigned int lo = 0, hi = ns->npool_cgroups, i, k;
	uint64_t total = 0;
	char id[32];
	const char *label = NULL;

	buf[0] = 0;
	while (lo < hi) { /* the first row of p */
		unsigned int mid = lo + (hi - lo) / 2;

		if (tw_entry_key_cmp(&ns->pool_cgroups[mid], p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < ns->npool_cgroups && !tw_entry_key_cmp(&ns->pool_cgroups[i], p); i++) {
		total += ns->pool_cgroups[i].count;
		if (!best || ns->pool_cgroups[i].count > best->count)
			best = &ns->pool_cgroups[i];
	}
	if (!best || !best->count)
		return;
	if (best->other)
		label = "other";
	for (k = 0; !label && k < ns->ncgroups; k++)
		if (!ns->cgroups[k].other && ns->cgroups[k].cgroup_id == best->cgroup_id)
			label = twd_cgroup_label(ns, k, id, sizeof(id));
	if (!label) {
		snprintf(id, sizeof(id), "id:%" PRIu64, best->cgroup_id);
		label = id;
	}
	snprintf(buf, len, "; most from cgroup %s: %u of %" PRIu64, label, best->count, total);
}

static uint64_t cg_eaddrnotavail(const struct tw_entry *e)
{
	return e->eaddrnotavail;
}

static uint64_t cg_overflow(const struct tw_entry *e)
{
	return e->overflow;
}

static void eval_ns(struct twd_model *m, const struct twd_conf *c, struct twd_ns *ns,
		    int64_t now_ms)
{
	const struct tw_stats *st = &ns->st;
	struct twd_target t = { .kind = TWD_T_NETNS };
	uint32_t range = twd_range_size(st->port_low, st->port_high);
	struct twd_bucket_forecast bf;
	char msg[TWD_MSG_LEN], eta[48], fullest[160] = "", largest[160], cg[160], cgo[160];
	double close10 = twd_ns_rate(ns, TWD_C_CLOSES, TWD_WIN_10S), r;
	unsigned int i, best = 0;

	largest_source(ns, largest, sizeof(largest));
	largest_cgroup(ns, NULL, "TIME_WAIT ", cg, sizeof(cg));
	twd_forecast_buckets(st->live, st->max_tw_buckets, close10, &bf);
	fmt_eta(bf.to_overflow, eta, sizeof(eta));
	snprintf(msg, sizeof(msg),
		 "TIME_WAIT buckets %.0f%% full (%" PRIu64 "/%u), closing %.0f/s, steady state "
		 "%.0f, overflow %s%s%s",
		 bf.usage * 100, st->live, st->max_tw_buckets, close10, bf.steady,
		 bf.to_overflow == 0 ? "now" : eta, largest, cg);
	if (st->max_tw_buckets)
		twd_alerts_observe(&m->alerts, &c->rule[TWD_R_BUCKETS_HIGH], TWD_R_BUCKETS_HIGH,
				   ns->inum, &t, bf.usage, msg, now_ms);

	r = twd_ns_rate(ns, TWD_C_OVERFLOW, TWD_WIN_10S);
	/* the cgroup whose closes overflowed, else the one holding the buckets */
	largest_cgroup(ns, cg_overflow, "overflow ", cgo, sizeof(cgo));
	snprintf(msg, sizeof(msg),
		 "%.1f closes/s got no TIME_WAIT (tcp_max_tw_buckets %u, %" PRIu64
		 " TIME_WAIT now), %" PRIu64 " overflows in total%s%s",
		 r, st->max_tw_buckets, st->live, st->overflow, largest, cgo[0] ? cgo : cg);
	twd_alerts_observe(&m->alerts, &c->rule[TWD_R_OVERFLOW], TWD_R_OVERFLOW, ns->inum, &t, r,
			   msg, now_ms);

	for (i = 1; i < ns->npools; i++)
		if (ns->pools[i].e.count > ns->pools[best].e.count)
			best = i;
	if (ns->npools) {
		struct twd_target bt = { .kind = TWD_T_DEST };
		char ts[80];

		bt.family = ns->pools[best].e.family;
		memcpy(bt.laddr, ns->pools[best].e.laddr, 16);
		memcpy(bt.raddr, ns->pools[best].e.raddr, 16);
		bt.rport = ns->pools[best].e.rport;
		twd_target_str(&bt, ts, sizeof(ts));
		snprintf(fullest, sizeof(fullest), "; fullest pool %s %u/%u ports", ts,
			 ns->pools[best].e.count, range);
	}
	r = twd_ns_rate(ns, TWD_C_EADDRNOTAVAIL, TWD_WIN_10S);
	largest_cgroup(ns, cg_eaddrnotavail, "EADDRNOTAVAIL ", cg, sizeof(cg));
	snprintf(msg, sizeof(msg),
		 "connect() found no free local port %.1f times/s, %" PRIu64
		 " in total (port range %u-%u)%s%s",
		 r, st->connect_eaddrnotavail, st->port_low, st->port_high, fullest, cg);
	twd_alerts_observe(&m->alerts, &c->rule[TWD_R_EADDRNOTAVAIL], TWD_R_EADDRNOTAVAIL, ns->inum,
			   &t, r, msg, now_ms);

	r = twd_ns_rate(ns, TWD_C_LINGER, TWD_WIN_60S);
	snprintf(msg, sizeof(msg),
		 "%.1f closes/s turned into RST by SO_LINGER=0 over 60 s, %" PRIu64 " in total", r,
		 st->linger_abort);
	twd_alerts_observe(&m->alerts, &c->rule[TWD_R_LINGER_ABORT], TWD_R_LINGER_ABORT, ns->inum,
			   &t, r, msg, now_ms);

	if (!range)
		return;
	for (i = 0; i < ns->npools; i++) {
		const struct twd_pool *p = &ns->pools[i];
		struct twd_pool_forecast pf;
		struct twd_target pt = { .kind = TWD_T_DEST };
		double rate = twd_pool_rate(p);

		twd_forecast_pool(p->e.count, range, rate, &pf);
		pt.family = p->e.family;
		memcpy(pt.laddr, p->e.laddr, 16);
		memcpy(pt.raddr, p->e.raddr, 16);
		pt.rport = p->e.rport;
		if (pf.to_exhaustion == 0)
			snprintf(eta, sizeof(eta), "exhausted");
		else if (pf.to_exhaustion < 0)
			snprintf(eta, sizeof(eta), "no exhaustion at %.0f/s", rate);
		else
			snprintf(eta, sizeof(eta), "exhaustion in %.0f s at %.0f/s",
				 ceil(pf.to_exhaustion), rate);
		pool_cgroup(ns, &p->e, cg, sizeof(cg));
		snprintf(msg, sizeof(msg), "occupancy %.0f%% (%u/%u ports), %s%s",
			 pf.occupancy * 100, p->e.count, range, eta, cg);
		twd_alerts_observe(&m->alerts, &c->rule[TWD_R_POOL_EXHAUSTION],
				   TWD_R_POOL_EXHAUSTION, ns->inum, &pt, pf.occupancy, msg, now_ms);
	}
}

void twd_model_evaluate(struct twd_model *m, const struct twd_conf *c, int64_t now_ms)
{
	unsigned int i;

	twd_alerts_begin(&m->alerts);
	for (i = 0; i < m->nns; i++)
		eval_ns(m, c, m->ns[i], now_ms);
	twd_alerts_sweep(&m->alerts, -1, 0, "no longer there (gone, or the rule was disabled)");
}

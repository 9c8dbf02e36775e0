/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond's picture of the kernel: per namespace the last GET_STATS figures
 * (all totals are the kernel's, never counted here), rate series, the
 * outgoing pools and the services; and the evaluation of the alert rules
 * on it.
 */
#ifndef TWD_MODEL_H
#define TWD_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "alert.h"
#include "conf.h"
#include "rate.h"
#include "sink.h"
#include "stats.h"

#define TWD_NS_SAMPLES 64   /* > 60 s at one sample a second */
#define TWD_POOL_SAMPLES 12 /* > 10 s */

/* Rate windows, in ms */
#define TWD_WIN_1S 1000
#define TWD_WIN_10S 10000
#define TWD_WIN_60S 60000

struct twd_pool {
	struct tw_entry e;
	struct twd_series count;
	struct twd_sample ring[TWD_POOL_SAMPLES];
};

enum twd_ctr { TWD_C_CLOSES, TWD_C_OVERFLOW, TWD_C_EADDRNOTAVAIL, TWD_C_LINGER, __TWD_C_LAST };

struct twd_ns {
	uint32_t inum;
	struct tw_stats st;
	int64_t updated_ms;
	uint64_t seen; /* refresh generation that last saw it */
	struct twd_series ctr[__TWD_C_LAST];
	struct twd_sample ring[__TWD_C_LAST][TWD_NS_SAMPLES];
	/* own namespace only: the kernel answers GET_DESTS for the caller's */
	bool has_tables;
	struct twd_pool *pools; /* sorted by key */
	unsigned int npools;
	struct tw_entry *services;
	unsigned int nservices;
	/*
	 * With the module's cgroups=1: GET_CGROUPS rows sorted by cgroup id,
	 * each with its path ("" if no directory has its id; NULL for the
	 * unknown and other rows)
	 */
	struct tw_entry *cgroups;
	char **cgroup_paths;
	unsigned int ncgroups;
	struct tw_entry *pool_cgroups; /* GET_DESTS by cgroup, sorted by pool */
	unsigned int npool_cgroups;
};

struct twd_model {
	struct twd_ns **ns;
	unsigned int nns;
	uint32_t own_inum;
	bool up;
	uint64_t resyncs, enobufs, seq_gaps, notifications, events;
	uint64_t events_by_type[16];
	struct twd_alerts alerts;
	struct twd_hook_stats hooks; /* a copy of twmond's, for the metrics */
	uint64_t http_requests, http_evicted, http_timeouts; /* likewise, of /metrics */
};

void twd_model_init(struct twd_model *m, twd_alert_fn emit, void *arg);
void twd_model_free(struct twd_model *m);

struct twd_ns *twd_model_ns(struct twd_model *m, uint32_t inum, bool create);
/* A GET_STATS reply or a stats notification */
void twd_model_stats(struct twd_model *m, const struct tw_stats *st, int64_t now_ms);
/* After a full GET_STATS dump: namespaces not in it (gen) are gone */
void twd_model_forget_old(struct twd_model *m, uint64_t gen);
/* GET_DESTS / GET_SERVICES of a namespace, n entries (taken over) */
void twd_model_pools(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n,
		     int64_t now_ms);
void twd_model_services(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n);
/*
 * GET_CGROUPS of a namespace, n rows (taken over); paths carried over from
 * the last call, new ids looked up under root in one walk (lib/cgroup.h)
 */
void twd_model_cgroups(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n,
		       const char *root);
/* GET_DESTS split by cgroup of a namespace, n rows (taken over) */
void twd_model_pool_cgroups(struct twd_model *m, uint32_t inum, struct tw_entry *e, unsigned int n);
/* A cgroup row's label: its path, "unknown", "other" or "id:N" (not found) */
const char *twd_cgroup_label(const struct twd_ns *ns, unsigned int i, char *buf, size_t len);
/* The module went away: forget everything, clear the alerts */
void twd_model_down(struct twd_model *m);

/* Rate per second of a counter over window_ms */
double twd_ns_rate(const struct twd_ns *ns, enum twd_ctr c, int64_t window_ms);
/* The n cgroup rows with the most live sockets, into idx; returns how many */
unsigned int twd_top_cgroups(const struct twd_ns *ns, unsigned int n, unsigned int *idx);
/* Pool growth per second over 10 s */
double twd_pool_rate(const struct twd_pool *p);

/*
 * Is another namespace's table worth a dump? Only when a pool in it could be
 * near an alert (its live count reaches the pool rule's lowest level times
 * the port range), the bucket table is filling, or it overflows or fails
 * connect()s: an idle container costs twmond no table read.
 */
bool twd_ns_wants_tables(const struct twd_ns *ns, const struct twd_conf *c);

/* Evaluate every rule on every namespace and pool (one alert round) */
void twd_model_evaluate(struct twd_model *m, const struct twd_conf *c, int64_t now_ms);

/* Indices of the top n entries by count (descending): writes at most n, returns how many */
unsigned int twd_top_pools(const struct twd_ns *ns, unsigned int n, unsigned int *idx);
unsigned int twd_top_services(const struct twd_ns *ns, unsigned int n, unsigned int *idx);

#endif

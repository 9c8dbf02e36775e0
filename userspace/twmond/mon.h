/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond's two netlink sockets: a control socket for requests (GET_STATS,
 * GET_DESTS, GET_SERVICES, GET_CONFIG, SET_CONFIG) and an event socket
 * joined to the "stats" and "events" multicast groups, with a sized receive
 * buffer. Lost notifications (ENOBUFS, a TWMON_A_SEQ gap) are reported so
 * the caller resyncs from GET_STATS; they are never ignored.
 */
#ifndef TWD_MON_H
#define TWD_MON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"
#include "stats.h"

struct twd_kevent {
	uint32_t type; /* enum twmon_event */
	uint64_t value, threshold;
	bool has_pool;
	struct tw_entry pool; /* family, laddr, raddr, rport */
};

struct twd_mon_cb {
	void (*stats)(const struct tw_stats *st, void *arg);
	void (*event)(uint32_t netns, const struct twd_kevent *ev, void *arg);
	/* "ENOBUFS" or "sequence gap in ...": messages were lost */
	void (*lost)(const char *why, void *arg);
	void *arg;
};

struct twd_mon {
	struct tw_nl ctl, ev;
	int grp_stats, grp_events;
	unsigned int rcvbuf; /* what the socket got (getsockopt) */
	uint32_t seq_netns[2];
	uint64_t seq[2]; /* last TWMON_A_SEQ per group (stats, events); 0: none yet */
	unsigned char *buf;
	size_t buflen;
	uint64_t foreign; /* datagrams not from the kernel (nl_pid != 0), ignored */
};

/* Open both sockets and join the groups: 0, or -errno (-ENOENT: no module) */
int twd_mon_open(struct twd_mon *m, unsigned int rcvbuf, char *err, size_t errlen);
void twd_mon_close(struct twd_mon *m);
bool twd_mon_is_open(const struct twd_mon *m);
int twd_mon_fd(const struct twd_mon *m);
/* SO_RCVBUF of the event socket: 0 or -errno */
int twd_mon_set_rcvbuf(struct twd_mon *m, unsigned int bytes);
/* Forget the sequence numbers (after a resync) */
void twd_mon_reset_seq(struct twd_mon *m);

/*
 * Read everything queued on the event socket. 0, or -errno for a socket
 * error other than ENOBUFS (which goes to cb->lost and reading goes on).
 */
int twd_mon_read(struct twd_mon *m, const struct twd_mon_cb *cb, char *err, size_t errlen);

/* Decode one multicast message (exposed for the unit tests) */
int twd_mon_decode(struct twd_mon *m, const struct nlmsghdr *nlh, const struct twd_mon_cb *cb,
		   char *err, size_t errlen);

/*
 * GET_STATS: every namespace (a dump with TWMON_A_ALL_NETNS) or the own one
 * (doit). -EPERM when all namespaces are not permitted.
 */
int twd_mon_get_stats(struct twd_mon *m, bool all, void (*fn)(const struct tw_stats *, void *),
		      void *arg, char *err, size_t errlen);
/*
 * GET_DESTS / GET_SERVICES of the own namespace (inum 0) or another one
 * (needs CAP_NET_ADMIN; -ENOENT if it is gone): malloc'ed array in *e
 */
int twd_mon_get_dests(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
		      char *err, size_t errlen);
int twd_mon_get_services(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			 char *err, size_t errlen);
/* GET_DESTS with by-cgroup: each pool split by cgroup (cgroups=1) */
int twd_mon_get_pool_cgroups(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			     char *err, size_t errlen);
/* GET_CGROUPS (-EOPNOTSUPP: the module was loaded without cgroups=1) */
int twd_mon_get_cgroups(struct twd_mon *m, uint32_t inum, struct tw_entry **e, unsigned int *n,
			char *err, size_t errlen);
int twd_mon_get_config(struct twd_mon *m, struct tw_config *c, char *err, size_t errlen);
/* SET_CONFIG TWMON_A_STATS_INTERVAL_MS (needs CAP_NET_ADMIN) */
int twd_mon_set_interval(struct twd_mon *m, unsigned int ms, char *err, size_t errlen);

#endif

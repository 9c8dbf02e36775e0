/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-built twmon replies for the parser tests: libnl's nlmsg_alloc,
 * genlmsg_put and nla_put into nests, as the kernel lays them out. A
 * "break" names one attribute to leave out or to give a wrong length.
 */
#ifndef TW_TEST_NLBUILD_H
#define TW_TEST_NLBUILD_H

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/genl/genl.h>
#include <linux/twmon.h>

#define TEST_FAMILY_ID 0x20

enum brk_kind { BRK_NONE, BRK_OMIT, BRK_SHORT, BRK_LONG };

/* Which attribute to break: level 0 top, 1 stats nest, 2 ended, 3 entry, 4 event */
struct brk {
	enum brk_kind kind;
	int level, type;
};

static inline int put_u64(struct nl_msg *m, const struct brk *b, int level, int type, uint64_t v)
{
	if (b && b->level == level && b->type == type) {
		if (b->kind == BRK_OMIT)
			return 0;
		if (b->kind == BRK_SHORT)
			return nla_put_u32(m, type, (uint32_t)v);
		if (b->kind == BRK_LONG) {
			uint8_t big[12] = { 0 };

			return nla_put(m, type, sizeof(big), big);
		}
	}
	return nla_put_u64(m, type, v);
}

static inline int put_u32(struct nl_msg *m, const struct brk *b, int level, int type, uint32_t v)
{
	if (b && b->level == level && b->type == type) {
		if (b->kind == BRK_OMIT)
			return 0;
		if (b->kind == BRK_SHORT)
			return nla_put_u16(m, type, (uint16_t)v);
		if (b->kind == BRK_LONG)
			return nla_put_u64(m, type, v);
	}
	return nla_put_u32(m, type, v);
}

static inline int put_u16(struct nl_msg *m, const struct brk *b, int level, int type, uint16_t v)
{
	if (b && b->level == level && b->type == type) {
		if (b->kind == BRK_OMIT)
			return 0;
		if (b->kind == BRK_SHORT)
			return nla_put_u8(m, type, (uint8_t)v);
		if (b->kind == BRK_LONG)
			return nla_put_u32(m, type, v);
	}
	return nla_put_u16(m, type, v);
}

static inline int put_u8(struct nl_msg *m, const struct brk *b, int level, int type, uint8_t v)
{
	if (b && b->level == level && b->type == type) {
		if (b->kind == BRK_OMIT)
			return 0;
		if (b->kind == BRK_SHORT)
			return nla_put(m, type, 0, NULL);
		if (b->kind == BRK_LONG)
			return nla_put_u16(m, type, v);
	}
	return nla_put_u8(m, type, v);
}

static inline int put_addr(struct nl_msg *m, const struct brk *b, int level, int type, int len,
			   const void *a)
{
	if (b && b->level == level && b->type == type) {
		if (b->kind == BRK_OMIT)
			return 0;
		if (b->kind == BRK_SHORT)
			return nla_put(m, type, len - 1, a);
		if (b->kind == BRK_LONG) {
			uint8_t big[17] = { 0 };

			return nla_put(m, type, sizeof(big), big);
		}
	}
	return nla_put(m, type, len, a);
}

static inline struct nl_msg *new_reply(uint8_t cmd)
{
	struct nl_msg *m = nlmsg_alloc_size(65536);

	if (m && !genlmsg_put(m, 1, 1, TEST_FAMILY_ID, 0, 0, cmd, TWMON_GENL_VERSION)) {
		nlmsg_free(m);
		return NULL;
	}
	return m;
}

/* Figures of the reference GET_STATS reply */
#define REF_INUM 4026531840u
#define REF_LIVE 1234
#define REF_MAX_TW 4096
#define REF_PORT_LOW 32768
#define REF_PORT_HIGH 60999

/* Ages: bucket i holds i + 1 sockets, the last holds the rest of live */
static inline uint64_t ref_age(int i)
{
	uint64_t first = 0;
	int j;

	for (j = 0; j < TWMON_AGE_BUCKETS - 1; j++)
		first += (uint64_t)j % 3;
	return i < TWMON_AGE_BUCKETS - 1 ? (uint64_t)i % 3 : REF_LIVE - first;
}

static inline int put_ages(struct nl_msg *m, int type, int n, uint64_t mult)
{
	struct nlattr *nest = nla_nest_start(m, type);
	int i;

	if (!nest)
		return -1;
	for (i = 0; i < n; i++)
		if (nla_put_u64(m, TWMON_S_AGE_BUCKET, ref_age(i % TWMON_AGE_BUCKETS) * mult))
			return -1;
	nla_nest_end(m, nest);
	return 0;
}

/*
 * The reference GET_STATS reply: hooks as given; nages buckets (61 is
 * right); with lifetime if asked; one attribute broken as b says.
 */
static inline struct nl_msg *build_stats_cmd(uint8_t cmd, uint64_t seq, uint32_t hooks, int nages,
					     int lifetime, const struct brk *b)
{
	struct nl_msg *m = new_reply(cmd);
	struct nlattr *st, *en, *lt;
	int r;

	if (!m)
		return NULL;
	if (put_u32(m, b, 0, TWMON_A_NETNS_INUM, REF_INUM) ||
	    (seq && put_u64(m, b, 0, TWMON_A_SEQ, seq)) || put_u32(m, b, 0, TWMON_A_HOOKS, hooks))
		goto fail;
	if (b && b->level == 0 && b->type == TWMON_A_STATS && b->kind == BRK_OMIT)
		return m;
	st = nla_nest_start(m, TWMON_A_STATS);
	if (!st || put_u64(m, b, 1, TWMON_S_LIVE, REF_LIVE) ||
	    put_u64(m, b, 1, TWMON_S_LIVE_TIMEWAIT, 1200) ||
	    put_u64(m, b, 1, TWMON_S_LIVE_FINWAIT2, 34) || put_u64(m, b, 1, TWMON_S_SEEDED, 100) ||
	    put_u64(m, b, 1, TWMON_S_ENTERED, 12345) ||
	    put_u64(m, b, 1, TWMON_S_ENTERED_TIMEWAIT, 12000) ||
	    put_u64(m, b, 1, TWMON_S_ENTERED_FINWAIT2, 345) ||
	    put_u64(m, b, 1, TWMON_S_OVERFLOW, 7) ||
	    put_u64(m, b, 1, TWMON_S_CONNECT_EADDRNOTAVAIL, 8) ||
	    put_u64(m, b, 1, TWMON_S_LINGER_ABORT, 9) || put_u64(m, b, 1, TWMON_S_UNTRACKED, 3) ||
	    put_u32(m, b, 1, TWMON_S_MAX_TW_BUCKETS, REF_MAX_TW) ||
	    put_u32(m, b, 1, TWMON_S_PORT_LOW, REF_PORT_LOW) ||
	    put_u32(m, b, 1, TWMON_S_PORT_HIGH, REF_PORT_HIGH) ||
	    put_u32(m, b, 1, TWMON_S_DESTS, 11) || put_u32(m, b, 1, TWMON_S_SERVICES, 5))
		goto fail;
	if (!(b && b->level == 1 && b->type == TWMON_S_ENDED && b->kind == BRK_OMIT)) {
		en = nla_nest_start(m, TWMON_S_ENDED);
		if (!en)
			goto fail;
		for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
			if (put_u64(m, b, 2, r, 1000 * r))
				goto fail;
		nla_nest_end(m, en);
	}
	if (!(b && b->level == 1 && b->type == TWMON_S_AGES && b->kind == BRK_OMIT) &&
	    put_ages(m, TWMON_S_AGES, nages, 1))
		goto fail;
	if (lifetime) {
		lt = nla_nest_start(m, TWMON_S_LIFETIME);
		if (!lt)
			goto fail;
		for (r = TWMON_END_EXPIRED; r <= TWMON_END_MAX; r++)
			if (put_ages(m, r, TWMON_AGE_BUCKETS, r))
				goto fail;
		nla_nest_end(m, lt);
	}
	nla_nest_end(m, st);
	return m;
fail:
	nlmsg_free(m);
	return NULL;
}

static inline struct nl_msg *build_stats(uint32_t hooks, int nages, int lifetime,
					 const struct brk *b)
{
	return build_stats_cmd(TWMON_CMD_GET_STATS, 0, hooks, nages, lifetime, b);
}

/* One event of a TWMON_CMD_EVENT message; raddr NULL: not a pool event */
struct ref_event {
	uint32_t type;
	uint64_t value, threshold;
	uint8_t family;
	const char *laddr, *raddr;
	uint16_t rport;
	uint64_t cgroup_id; /* 0: none */
};

/* An "events" group message; level 4 breaks attributes inside each event */
static inline struct nl_msg *build_events(uint32_t inum, uint64_t seq, const struct ref_event *ev,
					  int n, const struct brk *b)
{
	struct nl_msg *m = new_reply(TWMON_CMD_EVENT);
	int i;

	if (!m)
		return NULL;
	if (put_u32(m, b, 0, TWMON_A_NETNS_INUM, inum) || put_u64(m, b, 0, TWMON_A_SEQ, seq))
		goto fail;
	for (i = 0; i < n; i++) {
		int af = ev[i].family == AF_INET6 ? AF_INET6 : AF_INET;
		int len = af == AF_INET6 ? 16 : 4;
		uint8_t la[16] = { 0 }, ra[16] = { 0 };
		struct nlattr *nest = nla_nest_start(m, TWMON_A_EVENT);

		if (!nest || put_u32(m, b, 4, TWMON_V_TYPE, ev[i].type) ||
		    put_u64(m, b, 4, TWMON_V_VALUE, ev[i].value) ||
		    put_u64(m, b, 4, TWMON_V_THRESHOLD, ev[i].threshold))
			goto fail;
		if (ev[i].raddr) {
			inet_pton(af, ev[i].laddr, la);
			inet_pton(af, ev[i].raddr, ra);
			if (put_u8(m, b, 4, TWMON_V_FAMILY, ev[i].family) ||
			    put_addr(m, b, 4, TWMON_V_LOCAL_ADDR, len, la) ||
			    put_addr(m, b, 4, TWMON_V_REMOTE_ADDR, len, ra) ||
			    put_u16(m, b, 4, TWMON_V_REMOTE_PORT, ev[i].rport))
				goto fail;
		}
		if (ev[i].cgroup_id && put_u64(m, b, 4, TWMON_V_CGROUP_ID, ev[i].cgroup_id))
			goto fail;
		nla_nest_end(m, nest);
	}
	return m;
fail:
	nlmsg_free(m);
	return NULL;
}

/* A GET_DESTS / GET_SERVICES / GET_SOCKS reply message */
struct ref_entry {
	uint8_t cmd, family, substate;
	const char *laddr, *raddr;
	uint16_t lport, rport;
	uint32_t count, remaining_ms, age_ms;
};

static inline struct nl_msg *build_entry(const struct ref_entry *e, const struct brk *b)
{
	int nest_type = e->cmd == TWMON_CMD_GET_SOCKS ? TWMON_A_SOCK : TWMON_A_ENTRY;
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET, len = af == AF_INET6 ? 16 : 4;
	struct nl_msg *m = new_reply(e->cmd);
	uint8_t la[16] = { 0 }, ra[16] = { 0 };
	struct nlattr *n;

	if (!m)
		return NULL;
	if (e->laddr)
		inet_pton(af, e->laddr, la);
	if (e->raddr)
		inet_pton(af, e->raddr, ra);
	n = nla_nest_start(m, nest_type);
	if (!n || put_u8(m, b, 3, TWMON_E_FAMILY, e->family) ||
	    (e->laddr && put_addr(m, b, 3, TWMON_E_LOCAL_ADDR, len, la)) ||
	    (e->raddr && put_addr(m, b, 3, TWMON_E_REMOTE_ADDR, len, ra)) ||
	    (e->cmd != TWMON_CMD_GET_DESTS && put_u16(m, b, 3, TWMON_E_LOCAL_PORT, e->lport)) ||
	    (e->cmd != TWMON_CMD_GET_SERVICES && put_u16(m, b, 3, TWMON_E_REMOTE_PORT, e->rport)) ||
	    (e->cmd != TWMON_CMD_GET_SOCKS && put_u32(m, b, 3, TWMON_E_COUNT, e->count)) ||
	    (e->cmd == TWMON_CMD_GET_SOCKS &&
	     (put_u8(m, b, 3, TWMON_E_SUBSTATE, e->substate) ||
	      put_u32(m, b, 3, TWMON_E_REMAINING_MS, e->remaining_ms) ||
	      put_u32(m, b, 3, TWMON_E_AGE_MS, e->age_ms)))) {
		nlmsg_free(m);
		return NULL;
	}
	nla_nest_end(m, n);
	return m;
}

#endif

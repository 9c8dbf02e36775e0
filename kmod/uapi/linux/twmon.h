/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * twmon: TIME_WAIT monitor, generic netlink ABI (family "twmon", version 1).
 * This one header is included by the module and by userspace; never copy it.
 *
 * Every request is a generic netlink message on family TWMON_GENL_NAME.
 * A caller sees its own network namespace (the one its netlink socket was
 * created in). TWMON_A_ALL_NETNS asks for every namespace (GET_STATS dump),
 * TWMON_A_NETNS_INUM (u32) in a GET_STATS request or a GET_DESTS /
 * GET_SERVICES dump names another one (-ENOENT if there is none); both
 * need CAP_NET_ADMIN in the initial user namespace. Errors come back as -errno
 * with an extack message (set NETLINK_EXT_ACK on the socket to read it).
 * 64-bit values are padded with TWMON_A_PAD.
 *
 * TWMON_CMD_GET_STATS (doit: the caller's namespace, or TWMON_A_NETNS_INUM's;
 *                      dump with TWMON_A_ALL_NETNS: one message per namespace)
 *   reply:
 *     TWMON_A_NETNS_INUM: u32, inode number of the namespace (as in
 *                         /proc/<pid>/ns/net and stat(/run/netns/NAME))
 *     TWMON_A_STATS: nest
 *       TWMON_S_LIVE, TWMON_S_LIVE_TIMEWAIT, TWMON_S_LIVE_FINWAIT2: u64,
 *           TIME_WAIT mini sockets alive now, all / in substate TIME_WAIT /
 *           in substate FIN_WAIT2 (live = seeded + entered - sum(ended))
 *       TWMON_S_SEEDED: u64, found alive when the module loaded
 *       TWMON_S_ENTERED, TWMON_S_ENTERED_TIMEWAIT, TWMON_S_ENTERED_FINWAIT2:
 *           u64, born since the module loaded (all / per substate at birth)
 *       TWMON_S_ENDED: nest, u64 per end reason, attribute type = reason:
 *           TWMON_END_EXPIRED .. TWMON_END_OTHER (see enum twmon_end)
 *       TWMON_S_OVERFLOW: u64, closes that got no TIME_WAIT because
 *           tcp_max_tw_buckets was full (nstat TcpExtTCPTimeWaitOverflow)
 *       TWMON_S_CONNECT_EADDRNOTAVAIL: u64, connect() that found no free
 *           local port
 *       TWMON_S_LINGER_ABORT: u64, close() turned into RST by SO_LINGER
 *           with a zero timeout
 *       TWMON_S_MAX_TW_BUCKETS: u32, the namespace's tcp_max_tw_buckets
 *       TWMON_S_PORT_LOW, TWMON_S_PORT_HIGH: u32, ip_local_port_range
 *       TWMON_S_DESTS, TWMON_S_SERVICES: u32, entries in the two tables
 *       TWMON_S_UNTRACKED: u64, live sockets in no table (tables full)
 *       TWMON_S_AGES: nest of TWMON_S_AGE_BUCKET (u64), TWMON_AGE_BUCKETS
 *           of them: bucket i (0-based, i < 60) counts live sockets whose
 *           age is in [i, i+1) seconds; the last counts ages >= 60 s.
 *           Age is derived from the timer: 60 s - time remaining.
 *       TWMON_S_LIFETIME: nest, per end reason (attribute type = reason)
 *           a nest of TWMON_AGE_BUCKETS u64 counts of the age at death,
 *           same buckets as TWMON_S_AGES
 *     TWMON_A_HOOKS: u32, bit mask of active hooks (enum twmon_hook)
 *
 * TWMON_CMD_GET_DESTS (dump) - outgoing pools: live TIME_WAIT sockets whose
 *   local port was inside ip_local_port_range at birth
 *   request filters (all optional): TWMON_A_FAMILY (u8, AF_INET/AF_INET6),
 *     TWMON_A_MIN_COUNT (u32), TWMON_A_REMOTE_ADDR (4 or 16 bytes),
 *     TWMON_A_REMOTE_PORT (u16, host order); TWMON_A_NETNS_INUM (u32): the
 *     table of that namespace instead of the caller's
 *   one message per entry:
 *     TWMON_A_ENTRY: nest
 *       TWMON_E_FAMILY: u8; TWMON_E_LOCAL_ADDR, TWMON_E_REMOTE_ADDR:
 *       binary, 4 or 16 bytes, network order; TWMON_E_REMOTE_PORT: u16
 *       host order; TWMON_E_COUNT: u32
 *
 * TWMON_CMD_GET_SERVICES (dump) - the other live TIME_WAIT sockets, keyed
 *   by (family, local address, local port)
 *   request filters: TWMON_A_FAMILY, TWMON_A_MIN_COUNT, TWMON_A_LOCAL_ADDR,
 *     TWMON_A_LOCAL_PORT (u16), TWMON_A_NETNS_INUM
 *   one message per entry: TWMON_A_ENTRY with TWMON_E_FAMILY,
 *     TWMON_E_LOCAL_ADDR, TWMON_E_LOCAL_PORT, TWMON_E_COUNT
 *
 * TWMON_CMD_GET_SOCKS (dump) - every live TIME_WAIT mini socket of the
 *   caller's namespace (like ss: run it in the namespace)
 *   request filters: TWMON_A_FAMILY, TWMON_A_LOCAL_ADDR, TWMON_A_LOCAL_PORT,
 *     TWMON_A_REMOTE_ADDR, TWMON_A_REMOTE_PORT, TWMON_A_SUBSTATE (u8:
 *     TCP_TIME_WAIT 6 or TCP_FIN_WAIT2 5)
 *   one message per socket: TWMON_A_SOCK: nest
 *     TWMON_E_FAMILY, TWMON_E_LOCAL_ADDR, TWMON_E_LOCAL_PORT,
 *     TWMON_E_REMOTE_ADDR, TWMON_E_REMOTE_PORT, TWMON_E_SUBSTATE (u8),
 *     TWMON_E_REMAINING_MS (u32), TWMON_E_AGE_MS (u32)
 *
 * TWMON_CMD_GET_CONFIG (doit)
 *   reply: TWMON_A_VERSION (string, module version), TWMON_A_HOOKS,
 *     TWMON_A_HOOKS_WANTED (u32, hooks this kernel should have),
 *     TWMON_A_STATS_INTERVAL_MS (u32), TWMON_A_MAX_DESTS,
 *     TWMON_A_MAX_SERVICES (u32, module parameters: rows per namespace),
 *     TWMON_A_MAX_ENTRIES (u32, module parameter: rows of all namespaces
 *     but the initial one, past a reserve of 64 per namespace and kind),
 *     TWMON_A_PURGED_DEAD_NETNS (u64, sockets purged with a namespace
 *     whose counters were already gone), TWMON_A_MISSED (u64, probe hits
 *     the kernel could not deliver)
 *
 * TWMON_CMD_SET_CONFIG (doit, needs CAP_NET_ADMIN); any of:
 *   TWMON_A_STATS_INTERVAL_MS (u32, 100 .. 60000)
 *   TWMON_A_BUCKETS_WATERMARK_PCT (u32, 1 .. 100): live / tcp_max_tw_buckets
 *   TWMON_A_POOL_WATERMARK_PCT (u32, 1 .. 100): pool count / port range
 *   (GET_CONFIG returns them too; events fire when a watermark is crossed
 *   upwards and when the value falls back below watermark - 10 points)
 *
 * Multicast groups, resolve them by name. Every interval (STATS_INTERVAL_MS)
 * the module looks at each namespace once; it builds nothing for a group
 * nobody in that namespace listens to.
 *   TWMON_MCGRP_STATS ("stats"): TWMON_CMD_STATS_NOTIFY, one per namespace
 *     and interval: TWMON_A_NETNS_INUM, TWMON_A_SEQ, TWMON_A_HOOKS,
 *     TWMON_A_STATS (as in GET_STATS, without TWMON_S_LIFETIME)
 *   TWMON_MCGRP_EVENTS ("events"): TWMON_CMD_EVENT, one message per
 *     namespace and interval that had any, batching them:
 *     TWMON_A_NETNS_INUM, TWMON_A_SEQ, then one TWMON_A_EVENT nest each:
 *       TWMON_V_TYPE (u32, enum twmon_event), TWMON_V_VALUE (u64: the
 *       count in this interval, or the level now), TWMON_V_THRESHOLD (u64),
 *       for pool events also TWMON_V_FAMILY, TWMON_V_LOCAL_ADDR,
 *       TWMON_V_REMOTE_ADDR, TWMON_V_REMOTE_PORT (as in TWMON_A_ENTRY)
 *   TWMON_A_SEQ (u64) counts messages per namespace and group from 1: a
 *   gap, or ENOBUFS on the socket, means messages were lost: resync with
 *   GET_STATS / GET_DESTS.
 *
 * New attributes are only ever appended; the family version stays 1.
 */
#ifndef _UAPI_LINUX_TWMON_H
#define _UAPI_LINUX_TWMON_H

#define TWMON_GENL_NAME		"twmon"
#define TWMON_GENL_VERSION	1
#define TWMON_MCGRP_STATS	"stats"
#define TWMON_MCGRP_EVENTS	"events"

/* Age histogram: 60 one-second buckets, then one for >= 60 s */
#define TWMON_AGE_BUCKETS	61

enum twmon_cmd {
	TWMON_CMD_UNSPEC,
	TWMON_CMD_GET_STATS,
	TWMON_CMD_GET_DESTS,
	TWMON_CMD_GET_SERVICES,
	TWMON_CMD_GET_SOCKS,
	TWMON_CMD_GET_CONFIG,
	TWMON_CMD_SET_CONFIG,
	TWMON_CMD_STATS_NOTIFY,
	TWMON_CMD_EVENT,
	__TWMON_CMD_MAX
};
#define TWMON_CMD_MAX (__TWMON_CMD_MAX - 1)

enum twmon_attr {
	TWMON_A_UNSPEC,
	TWMON_A_PAD,
	TWMON_A_VERSION,		/* string */
	TWMON_A_NETNS_INUM,		/* u32 */
	TWMON_A_ALL_NETNS,		/* flag */
	TWMON_A_STATS,			/* nest: enum twmon_stat */
	TWMON_A_HOOKS,			/* u32: BIT(enum twmon_hook) */
	TWMON_A_HOOKS_WANTED,		/* u32 */
	TWMON_A_FAMILY,			/* u8 */
	TWMON_A_MIN_COUNT,		/* u32 */
	TWMON_A_LOCAL_ADDR,		/* binary, 4 or 16 bytes */
	TWMON_A_LOCAL_PORT,		/* u16 */
	TWMON_A_REMOTE_ADDR,		/* binary, 4 or 16 bytes */
	TWMON_A_REMOTE_PORT,		/* u16 */
	TWMON_A_SUBSTATE,		/* u8 */
	TWMON_A_ENTRY,			/* nest: enum twmon_entry */
	TWMON_A_SOCK,			/* nest: enum twmon_entry */
	TWMON_A_STATS_INTERVAL_MS,	/* u32 */
	TWMON_A_MAX_DESTS,		/* u32 */
	TWMON_A_MAX_SERVICES,		/* u32 */
	TWMON_A_PURGED_DEAD_NETNS,	/* u64 */
	TWMON_A_MISSED,			/* u64 */
	TWMON_A_SEQ,			/* u64 */
	TWMON_A_EVENT,			/* nest: enum twmon_event_attr */
	TWMON_A_BUCKETS_WATERMARK_PCT,	/* u32 */
	TWMON_A_POOL_WATERMARK_PCT,	/* u32 */
	TWMON_A_MAX_ENTRIES,		/* u32 */
	__TWMON_A_LAST
};
#define TWMON_A_MAX (__TWMON_A_LAST - 1)

enum twmon_stat {
	TWMON_S_UNSPEC,
	TWMON_S_PAD,
	TWMON_S_LIVE,			/* u64 */
	TWMON_S_LIVE_TIMEWAIT,		/* u64 */
	TWMON_S_LIVE_FINWAIT2,		/* u64 */
	TWMON_S_SEEDED,			/* u64 */
	TWMON_S_ENTERED,		/* u64 */
	TWMON_S_ENTERED_TIMEWAIT,	/* u64 */
	TWMON_S_ENTERED_FINWAIT2,	/* u64 */
	TWMON_S_ENDED,			/* nest: u64 per enum twmon_end */
	TWMON_S_OVERFLOW,		/* u64 */
	TWMON_S_CONNECT_EADDRNOTAVAIL,	/* u64 */
	TWMON_S_LINGER_ABORT,		/* u64 */
	TWMON_S_MAX_TW_BUCKETS,		/* u32 */
	TWMON_S_PORT_LOW,		/* u32 */
	TWMON_S_PORT_HIGH,		/* u32 */
	TWMON_S_DESTS,			/* u32 */
	TWMON_S_SERVICES,		/* u32 */
	TWMON_S_UNTRACKED,		/* u64 */
	TWMON_S_AGES,			/* nest of TWMON_S_AGE_BUCKET */
	TWMON_S_AGE_BUCKET,		/* u64 */
	TWMON_S_LIFETIME,		/* nest: per reason, nest of AGE_BUCKET */
	__TWMON_S_LAST
};
#define TWMON_S_MAX (__TWMON_S_LAST - 1)

/* Why a TIME_WAIT socket ended; also the attribute types in TWMON_S_ENDED */
enum twmon_end {
	TWMON_END_UNSPEC,
	TWMON_END_EXPIRED,	/* its timer fired (60 s) */
	TWMON_END_RST,		/* killed by an incoming RST (RFC 1337) */
	TWMON_END_SYN,		/* a SYN opened a new incarnation */
	TWMON_END_REUSE,	/* connect() took the port (tcp_tw_reuse) */
	TWMON_END_ABORT,	/* destroyed through sock_diag (ss -K) */
	/*
	 * Never produced: TCP purges a namespace's sockets after its
	 * counters are gone; such sockets are TWMON_A_PURGED_DEAD_NETNS.
	 * Kept so that the numbers after it stay.
	 */
	TWMON_END_PURGE,
	TWMON_END_OTHER,	/* a path twmon does not know */
	__TWMON_END_LAST
};
#define TWMON_END_MAX (__TWMON_END_LAST - 1)
/* The pad attribute inside TWMON_S_ENDED: not a reason, skip it */
#define TWMON_END_PAD		255

enum twmon_entry {
	TWMON_E_UNSPEC,
	TWMON_E_FAMILY,		/* u8 */
	TWMON_E_LOCAL_ADDR,	/* binary, 4 or 16 bytes */
	TWMON_E_LOCAL_PORT,	/* u16 */
	TWMON_E_REMOTE_ADDR,	/* binary, 4 or 16 bytes */
	TWMON_E_REMOTE_PORT,	/* u16 */
	TWMON_E_COUNT,		/* u32 */
	TWMON_E_SUBSTATE,	/* u8 */
	TWMON_E_REMAINING_MS,	/* u32 */
	TWMON_E_AGE_MS,		/* u32 */
	__TWMON_E_LAST
};
#define TWMON_E_MAX (__TWMON_E_LAST - 1)

/* Edge-triggered events (TWMON_V_TYPE) */
enum twmon_event {
	TWMON_EV_UNSPEC,
	TWMON_EV_OVERFLOW_BEGIN,	/* closes got no TIME_WAIT this interval */
	TWMON_EV_OVERFLOW_END,		/* an interval without overflow */
	TWMON_EV_EADDRNOTAVAIL_BEGIN,	/* connect() found no free port */
	TWMON_EV_EADDRNOTAVAIL_END,
	TWMON_EV_BUCKETS_HIGH,		/* live crossed the buckets watermark */
	TWMON_EV_BUCKETS_OK,
	TWMON_EV_POOL_HIGH,		/* a pool crossed the pool watermark */
	TWMON_EV_POOL_OK,
	TWMON_EV_LINGER_ABORT,		/* SO_LINGER=0 aborts this interval */
	__TWMON_EV_LAST
};

enum twmon_event_attr {
	TWMON_V_UNSPEC,
	TWMON_V_PAD,
	TWMON_V_TYPE,		/* u32 */
	TWMON_V_VALUE,		/* u64 */
	TWMON_V_THRESHOLD,	/* u64 */
	TWMON_V_FAMILY,		/* u8 */
	TWMON_V_LOCAL_ADDR,	/* binary */
	TWMON_V_REMOTE_ADDR,	/* binary */
	TWMON_V_REMOTE_PORT,	/* u16 */
	__TWMON_V_LAST
};
#define TWMON_V_MAX (__TWMON_V_LAST - 1)

/* Kernel hooks; TWMON_A_HOOKS says which are active */
enum twmon_hook {
	TWMON_HOOK_BIRTH,	/* __inet_twsk_schedule, first arming: births */
	TWMON_HOOK_KILL,	/* inet_twsk_kill: every death */
	TWMON_HOOK_TIMER,	/* tw_timer_handler: reason expired */
	TWMON_HOOK_RX,		/* tcp_timewait_state_process: rst, syn */
	TWMON_HOOK_REARM,	/* the same probe, re-arming: age histogram */
	TWMON_HOOK_ALLOC,	/* overflow: the kernel's TCPTimeWaitOverflow, always on */
	TWMON_HOOK_CONNECT,	/* inet(6)_hash_connect: EADDRNOTAVAIL */
	TWMON_HOOK_CLOSE,	/* tcp_disconnect from tcp_close: SO_LINGER=0 */
	__TWMON_HOOK_LAST
};

#endif /* _UAPI_LINUX_TWMON_H */

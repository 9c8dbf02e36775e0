/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/* Do not edit directly, auto-generated from: */
/*	kmod/uapi/twmon.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_TWMON_H
#define _UAPI_LINUX_TWMON_H

#define TWMON_GENL_NAME		"twmon"
#define TWMON_GENL_VERSION	1

#define TWMON_AGE_BUCKETS	61
#define TWMON_END_PAD		255

/**
 * enum twmon_event - Edge-triggered events (the type attribute of an event
 *   nest)
 * @TWMON_EV_OVERFLOW_BEGIN: closes got no TIME_WAIT this interval
 * @TWMON_EV_OVERFLOW_END: an interval without overflow
 * @TWMON_EV_EADDRNOTAVAIL_BEGIN: connect() found no free port
 * @TWMON_EV_EADDRNOTAVAIL_END: an interval where connect() found a port
 * @TWMON_EV_BUCKETS_HIGH: live crossed the buckets watermark
 * @TWMON_EV_BUCKETS_OK: live fell back below the buckets watermark - 10 points
 * @TWMON_EV_POOL_HIGH: a pool crossed the pool watermark
 * @TWMON_EV_POOL_OK: the pool fell back below the pool watermark - 10 points
 * @TWMON_EV_LINGER_ABORT: SO_LINGER=0 aborts this interval
 */
enum twmon_event {
	TWMON_EV_UNSPEC,
	TWMON_EV_OVERFLOW_BEGIN,
	TWMON_EV_OVERFLOW_END,
	TWMON_EV_EADDRNOTAVAIL_BEGIN,
	TWMON_EV_EADDRNOTAVAIL_END,
	TWMON_EV_BUCKETS_HIGH,
	TWMON_EV_BUCKETS_OK,
	TWMON_EV_POOL_HIGH,
	TWMON_EV_POOL_OK,
	TWMON_EV_LINGER_ABORT,
	__TWMON_EV_LAST,
};

/**
 * enum twmon_hook - Kernel hooks; the hooks attribute is a bit mask of them
 * @TWMON_HOOK_BIRTH: __inet_twsk_schedule, first arming, or
 *   inet_twsk_hashdance_schedule on a 6.11+ kernel that splits the former
 *   (module parameter birth_probe) - births
 * @TWMON_HOOK_KILL: inet_twsk_kill - every death
 * @TWMON_HOOK_TIMER: tw_timer_handler, or the timer itself where the kernel
 *   shuts it down before an early kill (6.11+) - reason expired
 * @TWMON_HOOK_RX: tcp_timewait_state_process - rst, syn
 * @TWMON_HOOK_REARM: the same probe, re-arming - age histogram
 * @TWMON_HOOK_ALLOC: overflow - the kernel's TCPTimeWaitOverflow, always on
 * @TWMON_HOOK_CONNECT: inet_bhash2_reset_saddr (6.1+), inet(6)_hash_connect
 *   (5.10) - EADDRNOTAVAIL
 * @TWMON_HOOK_CLOSE: tcp_disconnect from tcp_close - SO_LINGER=0
 */
enum twmon_hook {
	TWMON_HOOK_BIRTH,
	TWMON_HOOK_KILL,
	TWMON_HOOK_TIMER,
	TWMON_HOOK_RX,
	TWMON_HOOK_REARM,
	TWMON_HOOK_ALLOC,
	TWMON_HOOK_CONNECT,
	TWMON_HOOK_CLOSE,
	__TWMON_HOOK_LAST,
};

enum twmon_attr {
	TWMON_A_UNSPEC,
	TWMON_A_PAD,
	TWMON_A_VERSION,
	TWMON_A_NETNS_INUM,
	TWMON_A_ALL_NETNS,
	TWMON_A_STATS,
	TWMON_A_HOOKS,
	TWMON_A_HOOKS_WANTED,
	TWMON_A_FAMILY,
	TWMON_A_MIN_COUNT,
	TWMON_A_LOCAL_ADDR,
	TWMON_A_LOCAL_PORT,
	TWMON_A_REMOTE_ADDR,
	TWMON_A_REMOTE_PORT,
	TWMON_A_SUBSTATE,
	TWMON_A_ENTRY,
	TWMON_A_SOCK,
	TWMON_A_STATS_INTERVAL_MS,
	TWMON_A_MAX_DESTS,
	TWMON_A_MAX_SERVICES,
	TWMON_A_PURGED_DEAD_NETNS,
	TWMON_A_MISSED,
	TWMON_A_SEQ,
	TWMON_A_EVENT,
	TWMON_A_BUCKETS_WATERMARK_PCT,
	TWMON_A_POOL_WATERMARK_PCT,
	TWMON_A_MAX_ENTRIES,
	TWMON_A_CGROUP_ID,
	TWMON_A_CGROUPS,
	TWMON_A_MAX_CGROUPS,
	TWMON_A_BY_CGROUP,

	__TWMON_A_LAST
};
#define TWMON_A_MAX (__TWMON_A_LAST - 1)

enum twmon_stat {
	TWMON_S_UNSPEC,
	TWMON_S_PAD,
	TWMON_S_LIVE,
	TWMON_S_LIVE_TIMEWAIT,
	TWMON_S_LIVE_FINWAIT2,
	TWMON_S_SEEDED,
	TWMON_S_ENTERED,
	TWMON_S_ENTERED_TIMEWAIT,
	TWMON_S_ENTERED_FINWAIT2,
	TWMON_S_ENDED,
	TWMON_S_OVERFLOW,
	TWMON_S_CONNECT_EADDRNOTAVAIL,
	TWMON_S_LINGER_ABORT,
	TWMON_S_MAX_TW_BUCKETS,
	TWMON_S_PORT_LOW,
	TWMON_S_PORT_HIGH,
	TWMON_S_DESTS,
	TWMON_S_SERVICES,
	TWMON_S_UNTRACKED,
	TWMON_S_AGES,
	TWMON_S_AGE_BUCKET,
	TWMON_S_LIFETIME,

	__TWMON_S_LAST
};
#define TWMON_S_MAX (__TWMON_S_LAST - 1)

enum twmon_end {
	TWMON_END_UNSPEC,
	TWMON_END_EXPIRED,
	TWMON_END_RST,
	TWMON_END_SYN,
	TWMON_END_REUSE,
	TWMON_END_ABORT,
	TWMON_END_PURGE,
	TWMON_END_OTHER,

	__TWMON_END_LAST
};
#define TWMON_END_MAX (__TWMON_END_LAST - 1)

enum twmon_entry {
	TWMON_E_UNSPEC,
	TWMON_E_FAMILY,
	TWMON_E_LOCAL_ADDR,
	TWMON_E_LOCAL_PORT,
	TWMON_E_REMOTE_ADDR,
	TWMON_E_REMOTE_PORT,
	TWMON_E_COUNT,
	TWMON_E_SUBSTATE,
	TWMON_E_REMAINING_MS,
	TWMON_E_AGE_MS,
	TWMON_E_PAD,
	TWMON_E_CGROUP_ID,
	TWMON_E_ENTERED,
	TWMON_E_ENDED,
	TWMON_E_CONNECT_EADDRNOTAVAIL,
	TWMON_E_LINGER_ABORT,
	TWMON_E_UNTRACKED,
	TWMON_E_OTHER,
	TWMON_E_OVERFLOW,

	__TWMON_E_LAST
};
#define TWMON_E_MAX (__TWMON_E_LAST - 1)

enum twmon_event_attr {
	TWMON_V_UNSPEC,
	TWMON_V_PAD,
	TWMON_V_TYPE,
	TWMON_V_VALUE,
	TWMON_V_THRESHOLD,
	TWMON_V_FAMILY,
	TWMON_V_LOCAL_ADDR,
	TWMON_V_REMOTE_ADDR,
	TWMON_V_REMOTE_PORT,
	TWMON_V_CGROUP_ID,

	__TWMON_V_LAST
};
#define TWMON_V_MAX (__TWMON_V_LAST - 1)

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
	TWMON_CMD_GET_CGROUPS,

	__TWMON_CMD_MAX
};
#define TWMON_CMD_MAX (__TWMON_CMD_MAX - 1)

#define TWMON_MCGRP_STATS	"stats"
#define TWMON_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_TWMON_H */

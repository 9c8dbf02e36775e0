// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the probes on the kernel's timewait code.
 *
 * Births are counted when a TIME_WAIT socket's timer is first armed,
 * deaths in inet_twsk_kill(), the one choke point every end goes through;
 * live and overflow are the kernel's own counters (netns.c). Why a
 * socket ended is told by where the kill comes from: a note left per CPU
 * by the timer handler or the segment handler, the socket already being
 * unhashed (connect() reuse), or task context (sock_diag abort). Where the
 * kernel shuts a socket's timer down before any other kill (6.11+), the
 * timer itself tells an expiry and the timer probe goes (timer_tells_expiry).
 * Every handler is O(1), takes no lock on the common path and counts into
 * per-CPU counters. A hit the kernel misses (kprobes do not nest on a CPU)
 * costs that one socket's place in the tables and ages for its lifetime:
 * every count by socket is kept by expiry second and forgets stale seconds.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/kallsyms.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/fault-inject.h>
#include <linux/debugfs.h>
#include <linux/utsname.h>
#include <net/tcp.h>
#include <net/inet_timewait_sock.h>
#include <net/l3mdev.h>
#include "internal.h"

/* Set once the load-time walk has counted the sockets already alive */
bool twmon_counting;

/*
 * The segment handler's note: which socket it works on, its substate then
 * and the segment's flags. An entry probe only (a return probe costs as
 * much as the rest of a socket's probes): what the handler decided is
 * told by the segment, see kill_reason(). A kill on that segment comes
 * in the same context (task and softirq or not) as the note; a later
 * kill of the same socket (an abort) does not match a note left behind.
 */
struct twmon_rx_note {
	struct inet_timewait_sock *tw;
	struct task_struct *task;
	bool in_softirq;
	u8 substate;
	bool rst, syn;
};

static DEFINE_PER_CPU(struct twmon_rx_note, twmon_rx);
static DEFINE_PER_CPU(struct inet_timewait_sock *, twmon_timer_tw);

/*
 * Kernels built with fault injection (the debug kernel of make check) get
 * /sys/kernel/debug/fail_twmon_hit: a birth, re-arm or death hit dropped
 * as if kprobes had missed it, to prove that a miss heals. Counted in
 * TWMON_A_MISSED like the kernel's own misses.
 */
#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
static DECLARE_FAULT_ATTR(twmon_fail_hit);
static struct dentry *twmon_fail_dir;
static u64 __percpu *twmon_hits_dropped;

static bool hit_dropped(void)
{
	if (!should_fail(&twmon_fail_hit, 1))
		return false;
	this_cpu_inc(*twmon_hits_dropped);
	return true;
}

static int fail_hit_init(void)
{
	twmon_hits_dropped = alloc_percpu(u64);
	if (!twmon_hits_dropped)
		return -ENOMEM;
	twmon_fail_dir = fault_create_debugfs_attr("fail_twmon_hit", NULL,
						   &twmon_fail_hit);
	if (IS_ERR(twmon_fail_dir))
		twmon_fail_dir = NULL;	/* no debugfs: nothing to drop */
	return 0;
}

static void fail_hit_exit(void)
{
	debugfs_remove_recursive(twmon_fail_dir);
	twmon_fail_dir = NULL;
	free_percpu(twmon_hits_dropped);
	twmon_hits_dropped = NULL;
}

static u64 hits_dropped(void)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += *per_cpu_ptr(twmon_hits_dropped, cpu);
	return n;
}
#else
static bool hit_dropped(void) { return false; }
static int fail_hit_init(void) { return 0; }
static void fail_hit_exit(void) { }
static u64 hits_dropped(void) { return 0; }
#endif

#define ARG(regs, n) regs_get_kernel_argument(regs, n)
#define PCPU_INC(tn, field) this_cpu_inc((tn)->pcpu->field)

/* Namespace state for a TCP timewait socket, or NULL if not counted */
static struct twmon_net *counted_tw_net(const struct inet_timewait_sock *tw)
{
	struct net *net = twsk_net(tw);
	struct twmon_net *tn;

	/* acquire: with counting on, the seed walk's state is visible */
	if (!smp_load_acquire(&twmon_counting) ||
	    tw->tw_dr != &net->ipv4.tcp_death_row)	/* not TCP (DCCP) */
		return NULL;
	tn = twmon_net_of(net);
	if (!tn || READ_ONCE(tn->dead))
		return NULL;
	/* load time: the walk counts the buckets it has not reached yet */
	if (unlikely(READ_ONCE(twmon_seeding)) && twmon_seed_skip(tw))
		return NULL;
	return tn;
}

/* Namespace state for a full socket, or NULL if not counted */
struct twmon_net *twmon_counted_sk_net(const struct sock *sk)
{
	struct twmon_net *tn;

	if (!READ_ONCE(twmon_counting))
		return NULL;
	tn = twmon_net_of(sock_net(sk));
	return tn && !READ_ONCE(tn->dead) ? tn : NULL;
}

static int tw_substate_idx(const struct inet_timewait_sock *tw)
{
	return tw->tw_substate == TCP_FIN_WAIT2 ? TWMON_SUBSTATE_FW2 :
						  TWMON_SUBSTATE_TW;
}

/* An outgoing pool if the local port is ephemeral, else a service */
u8 twmon_tw_kind(const struct inet_timewait_sock *tw)
{
	int low, high;

	inet_get_local_port_range(twsk_net(tw), &low, &high);
	return tw->tw_num >= low && tw->tw_num <= high ? TWMON_KIND_DEST :
							 TWMON_KIND_SERVICE;
}

/*
 * Count a socket alive now whose timer expires at `expires` in its row of
 * kind `kind` (twmon_tw_kind()): at birth, before it is hashed, so before
 * anyone can kill it, or at load time (under its ehash lock). Nothing is
 * written into the socket: its death finds the same row from its
 * addresses and ports. The row, for a caller under rcu_read_lock(), or
 * NULL: untracked.
 */
struct twmon_row *twmon_account_birth(struct twmon_net *tn,
				      struct inet_timewait_sock *tw, u8 kind,
				      unsigned long expires, bool seeded)
{
	u32 second = twmon_expiry_second(expires);
	int sub = tw_substate_idx(tw);
	struct twmon_row *row;
	struct twmon_key k;

	twmon_key_from_tw(tw, kind, &k);
	rcu_read_lock();	/* nested in the probes': for the seed walk */
	row = twmon_table_add(tn, &k, second, 1, !seeded);
	twmon_ring_add(tn, second, 1, sub == TWMON_SUBSTATE_FW2, !row);
	if (seeded) {
		PCPU_INC(tn, seeded[sub]);
		if (twmon_cgroups)	/* its cgroup is not known */
			twmon_cgroup_seeded(tn, tw, row, second);
	} else {
		PCPU_INC(tn, entered[sub]);
	}
	rcu_read_unlock();
	return row;
}

/*
 * Uncount a socket from the row it was counted in: the kind its port has
 * now, else the other one (ip_local_port_range changed meanwhile). No row
 * at all: it was untracked (or its birth was missed). The row, for a
 * caller under rcu_read_lock().
 */
static struct twmon_row *table_remove(struct twmon_net *tn,
				      struct inet_timewait_sock *tw, u32 second)
{
	u8 kind = twmon_tw_kind(tw);
	struct twmon_row *row;
	struct twmon_key k;

	twmon_key_from_tw(tw, kind, &k);
	row = twmon_table_add(tn, &k, second, -1, true);
	if (row)
		return row;
	twmon_key_from_tw(tw, kind == TWMON_KIND_DEST ? TWMON_KIND_SERVICE :
							TWMON_KIND_DEST, &k);
	row = twmon_table_add(tn, &k, second, -1, true);
	if (!row)
		twmon_ring_add(tn, second, 0, 0, -1);
	return row;
}

/*
 * Set at load where inet_twsk_deschedule_put(), the one way to
 * inet_twsk_kill() but the timer, shuts the timer down first (6.11+):
 * timer_shutdown_sync() clears the timer's function, and never while the
 * handler runs, so a socket killed with its timer's function still set is
 * killed by the timer. There the timer probe, a hit per socket, goes.
 */
static bool timer_tells_expiry;

static enum twmon_end kill_reason(struct inet_timewait_sock *tw)
{
	struct twmon_rx_note *rx = this_cpu_ptr(&twmon_rx);

	/* connect() reuse unhashes the socket before killing it */
	if (hlist_nulls_unhashed(&tw->tw_node))
		return TWMON_END_REUSE;
	if (READ_ONCE(timer_tells_expiry)) {
		if (READ_ONCE(tw->tw_timer.function))
			return TWMON_END_EXPIRED;
	} else if (__this_cpu_read(twmon_timer_tw) == tw) {
		__this_cpu_write(twmon_timer_tw, NULL);
		return TWMON_END_EXPIRED;
	}
	/*
	 * Killed on a segment (tcp_timewait_state_process(), or its caller on
	 * its verdict): an incoming RST kills it; a SYN kills a TIME_WAIT
	 * socket when a listener takes the new connection (TCP_TW_SYN);
	 * anything else that kills, a SYN or new data in the FIN_WAIT2
	 * substate, is answered with our RST (TCP_TW_RST).
	 */
	if (rx->tw == tw && rx->task == current &&
	    rx->in_softirq == !!in_serving_softirq()) {
		rx->tw = NULL;
		if (!rx->rst && rx->syn && rx->substate == TCP_TIME_WAIT)
			return TWMON_END_SYN;
		return TWMON_END_RST;
	}
	if (in_task())
		return TWMON_END_ABORT;
	return TWMON_END_OTHER;
}

/* Death: inet_twsk_kill() */
static int kill_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	struct twmon_net *tn = counted_tw_net(tw);
	bool fw2 = tw_substate_idx(tw) == TWMON_SUBSTATE_FW2;
	struct twmon_row *row;
	enum twmon_end reason;
	unsigned long expires;
	u32 second;

	if (tn && hit_dropped())
		return 0;
	if (!tn) {
		struct twmon_net *own = twmon_net_of(twsk_net(tw));

		/* namespace teardown: TCP purges after our counters are gone */
		if (READ_ONCE(twmon_counting) &&
		    tw->tw_dr == &twsk_net(tw)->ipv4.tcp_death_row &&
		    (!own || READ_ONCE(own->dead)))
			this_cpu_inc(*twmon_purged_dead);
		return 0;
	}
	reason = kill_reason(tw);
	expires = READ_ONCE(tw->tw_timer.expires);
	second = twmon_expiry_second(expires);
	PCPU_INC(tn, ended[reason]);
	if (fw2)
		PCPU_INC(tn, ended_fw2);
	PCPU_INC(tn, lifetime[reason][twmon_age_bucket((long)(expires - jiffies))]);
	twmon_ring_add(tn, second, -1, -(int)fw2, 0);
	rcu_read_lock();	/* the row, for the cgroup split */
	row = table_remove(tn, tw, second);
	if (twmon_cgroups)
		twmon_cgroup_death(tn, tw, row, second);
	rcu_read_unlock();
	return 0;
}

/* Timer: tw_timer_handler(timer) kills the socket it belongs to */
static int timer_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct timer_list *t = (void *)ARG(regs, 0);

	__this_cpu_write(twmon_timer_tw,
			 container_of(t, struct inet_timewait_sock, tw_timer));
	return 0;
}

/* Segments to a timewait socket: tcp_timewait_state_process(tw, skb, th, ...) */
static int rx_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	const struct tcphdr *th = (void *)ARG(regs, 2);
	struct twmon_rx_note *rx = this_cpu_ptr(&twmon_rx);

	if (!READ_ONCE(twmon_counting))
		return 0;
	rx->tw = tw;
	rx->task = current;
	rx->in_softirq = in_serving_softirq();
	rx->substate = tw->tw_substate;
	rx->rst = th->rst;
	rx->syn = th->syn;
	return 0;
}

/*
 * Which probe counts births: module parameter birth_probe. "auto" keeps
 * one probe hit per birth where the kernel allows it; "hashdance" and
 * "schedule" insist (to compare them, and to test the one auto would not
 * pick), and the load fails if this kernel cannot count births there.
 * Read back, it names the probe in use.
 */
enum { BIRTH_AUTO, BIRTH_HASHDANCE, BIRTH_SCHEDULE };
static const char * const birth_probe_names[] = { "auto", "hashdance", "schedule" };
static int birth_probe = BIRTH_AUTO;

static int birth_probe_set(const char *val, const struct kernel_param *kp)
{
	int i = sysfs_match_string(birth_probe_names, val);

	if (i < 0) {
		pr_err("birth_probe=%s is invalid: must be auto, hashdance or schedule\n",
		       val);
		return -EINVAL;
	}
	birth_probe = i;
	return 0;
}

static int birth_probe_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", birth_probe_names[birth_probe]);
}

static const struct kernel_param_ops birth_probe_ops = {
	.set = birth_probe_set,
	.get = birth_probe_get,
};

module_param_cb(birth_probe, &birth_probe_ops, NULL, 0444);
MODULE_PARM_DESC(birth_probe, "where births are counted: auto (default), hashdance (6.11+) or schedule; reads back the one in use");

/*
 * The hashdance (compat.h: TWMON_HASHDANCE), where the timewait socket
 * meets the full socket it replaces, before anyone can find it to kill
 * it. It is called from tcp_time_wait() in another file, so the compiler
 * cannot inline it or split it. Two uses:
 * - births, on 6.11+ where the kernel needs it: inet_twsk_hashdance_schedule
 *   calls __inet_twsk_schedule() within its own file, and a compiler may
 *   inline that call or route it to a split part (Debian's 7.2.13+deb14
 *   calls __inet_twsk_schedule.part.0), where a probe on
 *   __inet_twsk_schedule would see no birth at all. Where the call is
 *   whole (Debian's 6.12 and 7.3), sched_pre() sees every birth: see
 *   births_choose_probe();
 * - with cgroups=1, the cgroup of the full socket (cgroup.c), on every
 *   kernel. Without either, this probe, a second hit per birth, goes.
 */
static int hashdance_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	struct twmon_net *tn = counted_tw_net(tw);
	struct twmon_row *row = NULL;
	unsigned long expires;
	u8 kind;

	if (!tn)
		return 0;
	expires = twmon_hashdance_expires(regs, tw);
	kind = twmon_tw_kind(tw);
	rcu_read_lock();	/* the row, for the cgroup split */
	if (READ_ONCE(birth_probe) == BIRTH_HASHDANCE && !hit_dropped())
		row = twmon_account_birth(tn, tw, kind, expires, false);
	if (twmon_cgroups)
		twmon_cgroup_birth(tn, tw, (void *)ARG(regs, 1), expires, row,
				   kind);
	rcu_read_unlock();
	return 0;
}

/*
 * Re-arm, and birth before 6.11: __inet_twsk_schedule(tw, timeo, rearm)
 * arms the timer of every TIME_WAIT socket once at birth (before 6.11:
 * from tcp_time_wait() just before the socket is hashed) and again when a
 * segment restarts it (inet_twsk_reschedule(), from tcp_minisocks.c: the
 * exported function, whole). The timer will expire at jiffies + timeo
 * (mod_timer keeps the value asked for), so one entry probe tells both
 * the birth and its expiry second.
 */
static int sched_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	unsigned long expires = jiffies + (int)ARG(regs, 1);
	struct twmon_net *tn;
	struct twmon_rx_note *rx;
	u32 old, new;
	int fw2_gone = 0;

	if (!(u8)ARG(regs, 2)) {	/* rearm is a bool: its low byte only */
		if (READ_ONCE(birth_probe) == BIRTH_HASHDANCE)
			return 0;
		tn = counted_tw_net(tw);
		if (tn && !hit_dropped())
			twmon_account_birth(tn, tw, twmon_tw_kind(tw), expires,
					    false);
		return 0;
	}
	tn = counted_tw_net(tw);
	if (!tn || hit_dropped())
		return 0;
	/* mod_timer_pending(): a timer that already fired is left alone */
	if (!timer_pending(&tw->tw_timer))
		return 0;
	/* A FIN in FIN_WAIT2 substate moved the socket to TIME_WAIT */
	rx = this_cpu_ptr(&twmon_rx);
	if (rx->tw == tw && rx->substate == TCP_FIN_WAIT2 &&
	    tw->tw_substate == TCP_TIME_WAIT) {
		rx->substate = TCP_TIME_WAIT;
		PCPU_INC(tn, fw2_to_tw);
		fw2_gone = 1;
	}
	old = twmon_expiry_second(READ_ONCE(tw->tw_timer.expires));
	new = twmon_expiry_second(expires);
	if (old == new && !fw2_gone)
		return 0;
	twmon_ring_add(tn, old, -1, -fw2_gone - (tw->tw_substate == TCP_FIN_WAIT2), 0);
	twmon_ring_add(tn, new, 1, tw->tw_substate == TCP_FIN_WAIT2, 0);
	/* the row's slot moves with it (if it has a row) */
	if (old / TWMON_ROW_SLOT_S != new / TWMON_ROW_SLOT_S) {
		struct twmon_key k;

		twmon_key_from_tw(tw, twmon_tw_kind(tw), &k);
		twmon_table_move(tn, &k, old, new);
		if (twmon_cgroups)
			twmon_cgroup_move(tn, tw, old, new);
	}
	return 0;
}

/*
 * Port exhaustion: connect() failed with EADDRNOTAVAIL, which no kernel
 * counter records. The port search (inet_hash_connect() or
 * inet6_hash_connect()) may sleep, and a return probe on it would cost
 * every connect(), so on kernels with bhash2 (6.1+) a failure is counted
 * where a failed connect() cleans up, inet_bhash2_reset_saddr(sk), from
 * what the search left in the socket (tcp_disconnect(), which calls it
 * too, clears the destination port first):
 * - no source port: a fresh socket's search found none, or could not
 *   allocate a bind bucket (ENOMEM, counted too);
 * - a source port (bound, or stale after connect(AF_UNSPEC)): a search
 *   that succeeds hashes the socket, setting sk_hash to its 4-tuple's
 *   hash, and a later step's failure unhashes it again. An sk_hash that
 *   is not this 4-tuple's is a failed search. One that is (the socket's
 *   last connection had the same 4-tuple) is a failed search if another
 *   socket holds the 4-tuple now: the one the search met, unless it died
 *   in the instant between (that failure goes uncounted).
 * 5.10 has no such clean-up function: there return probes on the search
 * check every socket.
 */
static void count_eaddrnotavail(struct twmon_net *tn, struct sock *sk)
{
	PCPU_INC(tn, eaddrnotavail);
	if (twmon_cgroups)
		twmon_cgroup_event(tn, sk, TWMON_CG_EADDRNOTAVAIL);
}

/* A socket with a source port, at a failed connect()'s clean-up */
static bool ported_search_failed(struct sock *sk)
{
	const struct inet_sock *inet = inet_sk(sk);
	u16 lport = ntohs(READ_ONCE(inet->inet_sport));
	__be16 dport = READ_ONCE(inet->inet_dport);
	int dif = READ_ONCE(sk->sk_bound_dev_if);
	struct net *net = sock_net(sk);
	struct sock *holder;
	int sdif;
	bool v6 = false;

#if IS_ENABLED(CONFIG_IPV6)
	v6 = sk->sk_family == AF_INET6 && !ipv6_addr_v4mapped(&sk->sk_v6_daddr);
	if (v6 && inet6_ehashfn(net, &sk->sk_v6_rcv_saddr, lport,
				&sk->sk_v6_daddr, dport) != sk->sk_hash)
		return true;
#endif
	if (!v6 && inet_ehashfn(net, inet->inet_rcv_saddr, lport,
				inet->inet_daddr, dport) != sk->sk_hash)
		return true;
	sdif = l3mdev_master_ifindex_by_index(net, dif);
	rcu_read_lock();
#if IS_ENABLED(CONFIG_IPV6)
	if (v6)
		holder = twmon_lookup6_established(net, &sk->sk_v6_daddr, dport,
						   &sk->sk_v6_rcv_saddr, lport,
						   dif, sdif);
	else
#endif
		holder = twmon_lookup_established(net, inet->inet_daddr, dport,
						  inet->inet_rcv_saddr, lport,
						  dif, sdif);
	rcu_read_unlock();
	if (holder)
		sock_gen_put(holder);
	return holder;
}

static int connect_fail_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (void *)ARG(regs, 0);
	const struct inet_sock *inet = inet_sk(sk);
	struct twmon_net *tn;

	if (!READ_ONCE(inet->inet_dport) ||
	    sk->sk_protocol != IPPROTO_TCP)	/* DCCP cleans up here too */
		return 0;
	tn = twmon_counted_sk_net(sk);
	if (!tn)
		return 0;
	if (!READ_ONCE(inet->inet_sport) || ported_search_failed(sk))
		count_eaddrnotavail(tn, sk);
	return 0;
}

/* inet_hash_connect(dr, sk) / inet6_hash_connect(dr, sk), on 5.10 */
static int connect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	void *dr = (void *)ARG(regs, 0);
	struct sock *sk = (void *)ARG(regs, 1);

	if (!twmon_counted_sk_net(sk) || dr != &sock_net(sk)->ipv4.tcp_death_row)
		return 1;
	*(struct sock **)ri->data = sk;
	return 0;
}

/*
 * Only the socket is kept across the search, pinned by the connecting
 * task, and its namespace is looked up again on return.
 */
static int connect_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct twmon_net *tn;
	struct sock *sk;

	/* an int: the upper half of the register is not sign-extended */
	if ((int)regs_return_value(regs) != -EADDRNOTAVAIL)
		return 0;
	sk = *(struct sock **)ri->data;
	tn = twmon_counted_sk_net(sk);
	if (tn)
		count_eaddrnotavail(tn, sk);
	return 0;
}

/*
 * SO_LINGER with a zero timeout: tcp_close() aborts the connection with
 * tcp_disconnect(), which sends RST. Probed there rather than in
 * tcp_close(), so that ordinary closes pay nothing: tcp_close() has set
 * sk_shutdown to SHUTDOWN_MASK and left LISTEN, CLOSE, unread data
 * (RST for another reason) and TCP_REPAIR to other paths; a
 * connect(AF_UNSPEC) disconnect has not shut the socket down.
 */
static int disconnect_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (void *)ARG(regs, 0);
	int state = READ_ONCE(sk->sk_state);
	struct twmon_net *tn;

	if (READ_ONCE(sk->sk_shutdown) != SHUTDOWN_MASK ||
	    !sock_flag(sk, SOCK_LINGER) || READ_ONCE(sk->sk_lingertime) ||
	    tcp_sk(sk)->repair || state == TCP_LISTEN || state == TCP_CLOSE)
		return 0;
	tn = twmon_counted_sk_net(sk);
	if (!tn)
		return 0;
	PCPU_INC(tn, linger_abort);
	if (twmon_cgroups)
		twmon_cgroup_event(tn, sk, TWMON_CG_LINGER_ABORT);
	return 0;
}

struct twmon_hook_def {
	enum twmon_hook id;
	bool required;		/* without it the figures would be wrong */
	bool optional_part;	/* its hook works without it (less well) */
	struct kprobe kp;
	struct kretprobe rp;	/* used when rp.handler is set */
	bool active;
	bool unneeded;		/* this kernel tells its figures without it */
};

#define KRETPROBE(sym, entry, ret, size) .rp = { .kp.symbol_name = sym, \
	.entry_handler = entry, .handler = ret, .data_size = size }
#define KPROBE(sym, pre) .kp = { .symbol_name = sym, .pre_handler = pre }

static struct twmon_hook_def twmon_hooks[] = {
	/* births (6.11+) and cgroups, before the probe that asks for it */
	{ TWMON_HOOK_BIRTH, false, KPROBE(TWMON_HASHDANCE, hashdance_pre),
		.optional_part = true },
	/* re-arms, and births before 6.11 (TWMON_HOOK_REARM comes with it) */
	{ TWMON_HOOK_BIRTH, true, KPROBE("__inet_twsk_schedule", sched_pre) },
	{ TWMON_HOOK_KILL, true, KPROBE("inet_twsk_kill", kill_pre) },
	{ TWMON_HOOK_TIMER, false, KPROBE("tw_timer_handler", timer_pre) },
	{ TWMON_HOOK_RX, false, KPROBE("tcp_timewait_state_process", rx_pre) },
	/* before the return probes, which it makes unneeded (6.1+) */
	{ TWMON_HOOK_CONNECT, false, KPROBE("inet_bhash2_reset_saddr",
		connect_fail_pre), .optional_part = true },
	{ TWMON_HOOK_CONNECT, false, KRETPROBE("inet_hash_connect",
		connect_entry, connect_ret, sizeof(void *)) },
	{ TWMON_HOOK_CONNECT, false, KRETPROBE("inet6_hash_connect",
		connect_entry, connect_ret, sizeof(void *)) },
	{ TWMON_HOOK_CLOSE, false, KPROBE("tcp_disconnect", disconnect_pre) },
};

static const char *hook_symbol(const struct twmon_hook_def *h)
{
	return h->rp.handler ? h->rp.kp.symbol_name : h->kp.symbol_name;
}

static void hook_unregister(struct twmon_hook_def *h)
{
	if (!h->active)
		return;
	if (h->rp.handler)
		unregister_kretprobe(&h->rp);
	else
		unregister_kprobe(&h->kp);
	h->active = false;
}

#ifdef CONFIG_X86_64
/* The start and size of the function holding addr, from kallsyms */
static bool symbol_extent(unsigned long addr, unsigned long *start,
			  unsigned long *size)
{
	char name[KSYM_SYMBOL_LEN];
	unsigned long off;
	char *plus;

	sprint_symbol(name, addr);	/* "name+0x4/0x250" */
	plus = strrchr(name, '+');
	if (!plus || sscanf(plus, "+%lx/%lx", &off, size) != 2)
		return false;
	*start = addr - off;
	return true;
}

/*
 * Is `target` the call-depth tracking thunk of the function at `entry`:
 * the 16 bytes of padding before it, which kallsyms names __pfx_<name>
 * (6.2+)? Where there is no padding (6.1) another function may start
 * there: that is not a call of this one.
 */
static bool is_entry_thunk(unsigned long target, unsigned long entry)
{
	char name[KSYM_SYMBOL_LEN];

	if (entry - target != 16)
		return false;
	sprint_symbol(name, target);
	return !strncmp(name, "__pfx_", 6);
}

/*
 * Does the code of the function around address `caller` call the
 * function around `callee` whole? A direct call or jump (e8/e9 rel32) to
 * its entry, or to the thunk call-depth tracking puts in the padding
 * before it. A split part, an inlined body or anything unreadable
 * answers no: the caller then keeps the probes that do not rely on it.
 */
static bool code_calls(unsigned long caller, unsigned long callee)
{
	unsigned long c_start, c_size, callee_start, callee_size, i, target;
	bool found = false;
	u8 *code;
	s32 rel;

	if (!symbol_extent(caller, &c_start, &c_size) ||
	    !symbol_extent(callee, &callee_start, &callee_size) ||
	    c_size < 5 || c_size > SZ_4K)
		return false;
	code = kmalloc(c_size, GFP_KERNEL);
	if (!code)
		return false;
	if (copy_from_kernel_nofault(code, (void *)c_start, c_size))
		goto out;
	for (i = 0; i + 5 <= c_size && !found; i++) {
		if (code[i] != 0xe8 && code[i] != 0xe9)
			continue;
		memcpy(&rel, code + i + 1, sizeof(rel));	/* little-endian */
		target = c_start + i + 5 + (long)rel;
		found = target == callee_start ||
			is_entry_thunk(target, callee_start);
	}
out:
	kfree(code);
	return found;
}
#else
static bool code_calls(unsigned long caller, unsigned long callee)
{
	return false;	/* not read on this architecture: the probes stay */
}
#endif

static struct twmon_hook_def *hook_by_pre(kprobe_pre_handler_t pre)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(twmon_hooks); i++)
		if (twmon_hooks[i].kp.pre_handler == pre)
			return &twmon_hooks[i];
	return NULL;
}

/*
 * A probe this kernel tells its figures without: the timer's, where the
 * timer tells an expiry; the search's return probes, where connect()'s
 * clean-up is probed (registered before them).
 */
static bool hook_unneeded(const struct twmon_hook_def *h)
{
	if (h->kp.pre_handler == timer_pre)
		return timer_tells_expiry;
	if (h->rp.handler == connect_ret)
		return hook_by_pre(connect_fail_pre)->active;
	return false;
}

/*
 * Before counting starts, with both birth probes in place: before 6.11
 * sched_pre() counts births; on 6.11+ it does too if hashdance calls
 * __inet_twsk_schedule() whole, unless cgroups=1. The hashdance probe, a
 * second hit per birth, stays only where it counts births or cgroups.
 */
static int births_choose_probe(void)
{
	struct twmon_hook_def *hd = hook_by_pre(hashdance_pre);
	bool can_hashdance = false, whole = true;

	if (twmon_cgroups && !hd->active) {
		pr_err("cgroups=1: cannot hook %s on kernel %s\n",
		       TWMON_HASHDANCE, init_utsname()->release);
		return -EINVAL;
	}
#ifdef TWMON_HAVE_TW_HASHDANCE_SCHEDULE
	/* before 6.11, tcp_time_wait() calls __inet_twsk_schedule() itself */
	can_hashdance = hd->active;
	if (hd->active)
		whole = code_calls((unsigned long)hd->kp.addr,
				(unsigned long)hook_by_pre(sched_pre)->kp.addr);
#endif
	if (birth_probe == BIRTH_HASHDANCE && !can_hashdance) {
		pr_err("birth_probe=hashdance: kernel %s has no inet_twsk_hashdance_schedule to probe\n",
		       init_utsname()->release);
		return -EINVAL;
	}
	if (birth_probe == BIRTH_SCHEDULE && !whole) {
		pr_err("birth_probe=schedule: on kernel %s, inet_twsk_hashdance_schedule does not call __inet_twsk_schedule whole, which would miss births\n",
		       init_utsname()->release);
		return -EINVAL;
	}
	/* cgroups=1 keeps it anyway: there births hand the cgroup work the row */
	if (birth_probe == BIRTH_AUTO && twmon_cgroups && can_hashdance)
		birth_probe = BIRTH_HASHDANCE;
	birth_probe = birth_probe == BIRTH_HASHDANCE || !whole ?
		      BIRTH_HASHDANCE : BIRTH_SCHEDULE;
	if (birth_probe == BIRTH_SCHEDULE && !twmon_cgroups)
		hook_unregister(hd);
	return 0;
}

/*
 * Register every probe. A missing optional one is reported and its
 * figures show as unavailable; a missing required one fails the load.
 */
int twmon_hooks_register(void)
{
	struct twmon_hook_def *h, *fail_at;
	int err;

	err = fail_hit_init();
	if (err)
		return err;
	WRITE_ONCE(timer_tells_expiry, TWMON_TIMER_SHUTDOWN &&
		   code_calls((unsigned long)inet_twsk_deschedule_put,
			      TWMON_TIMER_SHUTDOWN));
	for (h = twmon_hooks; h < twmon_hooks + ARRAY_SIZE(twmon_hooks); h++) {
		h->unneeded = hook_unneeded(h);
		if (h->unneeded)
			continue;
		if (h->rp.handler) {
			/*
			 * connect's port search may sleep (a task per
			 * instance, and only bound sockets keep one on 6.1+);
			 * misses are counted
			 */
			h->rp.maxactive = 16 * num_possible_cpus() + 256;
			err = register_kretprobe(&h->rp);
		} else {
			err = register_kprobe(&h->kp);
		}
		h->active = !err;
		if (err && h->optional_part)
			continue;
		if (err && h->required) {
			pr_err("cannot hook %s (%d): kernel %s is not supported\n",
			       hook_symbol(h), err, init_utsname()->release);
			twmon_hooks_unregister();
			return err;
		}
		if (err)
			pr_warn("hook %s unavailable (%d): its figures will show as unavailable\n",
				hook_symbol(h), err);
	}
	err = births_choose_probe();
	if (err) {
		twmon_hooks_unregister();
		return err;
	}
	fail_at = hook_by_pre(connect_fail_pre);
	pr_info("hooks active: %#x of %#x, births at %s, expiries told by %s, EADDRNOTAVAIL told by %s%s\n",
		twmon_hooks_active(), twmon_hooks_wanted(),
		hook_symbol(hook_by_pre(birth_probe == BIRTH_HASHDANCE ?
					hashdance_pre : sched_pre)),
		timer_tells_expiry ? "the timer" : "tw_timer_handler",
		fail_at->active ? hook_symbol(fail_at) :
		twmon_hooks_active() & BIT(TWMON_HOOK_CONNECT) ?
		"inet_hash_connect" : "nothing",
		twmon_cgroups ? ", cgroups at " TWMON_HASHDANCE : "");
	return 0;
}

void twmon_hooks_unregister(void)
{
	int i;

	WRITE_ONCE(twmon_counting, false);
	for (i = ARRAY_SIZE(twmon_hooks) - 1; i >= 0; i--)
		hook_unregister(&twmon_hooks[i]);
	fail_hit_exit();
}

/* A hook made of several probes is active only if all of them are */
u32 twmon_hooks_active(void)
{
	u32 mask = twmon_hooks_wanted();
	int i;

	for (i = 0; i < ARRAY_SIZE(twmon_hooks); i++)
		if (!twmon_hooks[i].active && !twmon_hooks[i].optional_part &&
		    !twmon_hooks[i].unneeded)
			mask &= ~BIT(twmon_hooks[i].id);
	return mask;
}

u32 twmon_hooks_wanted(void)
{
	return BIT(__TWMON_HOOK_LAST) - 1;
}

u64 twmon_hooks_missed(void)
{
	u64 missed = hits_dropped();
	int i;

	for (i = 0; i < ARRAY_SIZE(twmon_hooks); i++) {
		struct twmon_hook_def *h = &twmon_hooks[i];

		if (!h->active)
			continue;
		missed += h->rp.handler ? h->rp.nmissed + h->rp.kp.nmissed :
					  h->kp.nmissed;
	}
	return missed;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * twmon: the probes on the kernel's timewait code.
 *
 * Births are counted when a TIME_WAIT socket's timer is first armed,
 * deaths in inet_twsk_kill(), the one choke point every end goes through;
 * overflow is the kernel's own counter (netns.c). Why a
 * socket ended is told by where the kill comes from: a note left per CPU
 * by the timer handler or the segment handler, the socket already being
 * unhashed (connect() reuse), or task context (sock_diag abort).
 * Every handler is O(1), takes no lock on the common path and counts into
 * per-CPU counters.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/utsname.h>
#include <net/tcp.h>
#include <net/inet_timewait_sock.h>
#include "internal.h"

/* Set once the load-time walk has counted the sockets already alive */
bool twmon_counting;

/* The segment handler's note: which socket it works on and what it said */
struct twmon_rx_note {
	struct inet_timewait_sock *tw;
	int ret;
	u8 substate;
	bool returned;
};

static DEFINE_PER_CPU(struct twmon_rx_note, twmon_rx);
static DEFINE_PER_CPU(struct inet_timewait_sock *, twmon_timer_tw);

#define ARG(regs, n) regs_get_kernel_argument(regs, n)
#define PCPU_INC(tn, field) this_cpu_inc((tn)->pcpu->field)
#define PCPU_DEC(tn, field) this_cpu_dec((tn)->pcpu->field)

/* Namespace state for a TCP timewait socket, or NULL if not counted */
static struct twmon_net *counted_tw_net(const struct inet_timewait_sock *tw)
{
	struct net *net = twsk_net(tw);
	struct twmon_net *tn;

	if (!READ_ONCE(twmon_counting) ||
	    tw->tw_dr != &net->ipv4.tcp_death_row)	/* not TCP (DCCP) */
		return NULL;
	tn = twmon_net(net);
	if (READ_ONCE(tn->dead)) {
		/* namespace teardown: its counters are going away */
		this_cpu_inc(*twmon_purged_dead);
		return NULL;
	}
	return tn;
}

static struct twmon_net *sk_tn(const struct sock *sk)
{
	struct twmon_net *tn;

	if (!READ_ONCE(twmon_counting))
		return NULL;
	tn = twmon_net(sock_net(sk));
	return READ_ONCE(tn->dead) ? NULL : tn;
}

void twmon_key_from_tw(const struct inet_timewait_sock *tw, u8 kind,
		       struct twmon_key *k)
{
	memset(k, 0, sizeof(*k));
	k->net = twsk_net(tw);
	k->family = tw->tw_family;
	k->kind = kind;
	if (tw->tw_family == AF_INET) {
		k->laddr.s6_addr32[0] = tw->tw_rcv_saddr;
		if (kind == TWMON_KIND_DEST)
			k->raddr.s6_addr32[0] = tw->tw_daddr;
	}
#if IS_ENABLED(CONFIG_IPV6)
	else {
		k->laddr = tw->tw_v6_rcv_saddr;
		if (kind == TWMON_KIND_DEST)
			k->raddr = tw->tw_v6_daddr;
	}
#endif
	k->port = kind == TWMON_KIND_DEST ? tw->tw_dport : htons(tw->tw_num);
}

static int tw_substate_idx(const struct inet_timewait_sock *tw)
{
	return tw->tw_substate == TCP_FIN_WAIT2 ? TWMON_SUBSTATE_FW2 :
						  TWMON_SUBSTATE_TW;
}

/*
 * Count a socket alive now: at birth (before anyone can kill it: 6.1 has
 * not hashed it yet, 6.11+ holds its ehash lock, which every kill takes)
 * or at load time (under stop_machine). The table it went to is remembered
 * in the socket's spare tw_pad bits, so its death finds the same entry
 * even if ip_local_port_range changed meanwhile.
 */
void twmon_account_birth(struct twmon_net *tn, struct inet_timewait_sock *tw,
			 bool seeded)
{
	int sub = tw_substate_idx(tw), low, high;
	struct twmon_key k;
	u8 kind;

	inet_get_local_port_range(twsk_net(tw), &low, &high);
	kind = tw->tw_num >= low && tw->tw_num <= high ? TWMON_KIND_DEST :
							 TWMON_KIND_SERVICE;
	twmon_key_from_tw(tw, kind, &k);
	kind = twmon_table_get(tn, &k);
	tw->tw_pad = kind;
	if (kind == TWMON_KIND_NONE)
		PCPU_INC(tn, untracked);
	if (seeded) {
		PCPU_INC(tn, seeded[sub]);
		PCPU_INC(tn, expiry[twmon_expiry_slot(tw->tw_timer.expires)]);
	} else {
		PCPU_INC(tn, entered[sub]);
	}
}

static enum twmon_end kill_reason(struct inet_timewait_sock *tw)
{
	struct twmon_rx_note *rx = this_cpu_ptr(&twmon_rx);

	/* connect() reuse unhashes the socket before killing it */
	if (hlist_nulls_unhashed(&tw->tw_node))
		return TWMON_END_REUSE;
	if (__this_cpu_read(twmon_timer_tw) == tw) {
		__this_cpu_write(twmon_timer_tw, NULL);
		return TWMON_END_EXPIRED;
	}
	if (rx->tw == tw) {
		rx->tw = NULL;
		if (!rx->returned)	/* killed inside: an incoming RST */
			return TWMON_END_RST;
		if (rx->ret == TCP_TW_SYN)
			return TWMON_END_SYN;
		if (rx->ret == TCP_TW_RST)	/* we answer with a RST */
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
	enum twmon_end reason;
	unsigned long expires;
	struct twmon_key k;
	u8 kind;

	if (!tn)
		return 0;
	reason = kill_reason(tw);
	expires = READ_ONCE(tw->tw_timer.expires);
	PCPU_INC(tn, ended[reason]);
	if (tw_substate_idx(tw) == TWMON_SUBSTATE_FW2)
		PCPU_INC(tn, ended_fw2);
	PCPU_INC(tn, lifetime[reason][twmon_age_bucket((long)(expires - jiffies))]);
	PCPU_DEC(tn, expiry[twmon_expiry_slot(expires)]);

	kind = tw->tw_pad;
	if (kind == TWMON_KIND_NONE) {
		PCPU_DEC(tn, untracked);
	} else if (kind == TWMON_KIND_DEST || kind == TWMON_KIND_SERVICE) {
		twmon_key_from_tw(tw, kind, &k);
		twmon_table_put(tn, &k);
	}
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

/* Segments to a timewait socket: tcp_timewait_state_process(tw, ...) */
static int rx_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	struct twmon_rx_note *rx = this_cpu_ptr(&twmon_rx);

	if (!READ_ONCE(twmon_counting))
		return 1;
	rx->tw = tw;
	rx->returned = false;
	rx->substate = tw->tw_substate;
	*(struct inet_timewait_sock **)ri->data = tw;
	return 0;
}

static int rx_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct twmon_rx_note *rx = this_cpu_ptr(&twmon_rx);

	/* the socket may be gone: compare the pointer, never dereference */
	if (rx->tw == *(struct inet_timewait_sock **)ri->data) {
		rx->returned = true;
		rx->ret = (int)regs_return_value(regs);
	}
	return 0;
}

/*
 * Birth and re-arm: __inet_twsk_schedule(tw, timeo, rearm) arms the timer
 * of every TIME_WAIT socket once at birth (6.1: in tcp_time_wait() just
 * before the socket is hashed; 6.11+: in inet_twsk_hashdance_schedule(),
 * under the ehash lock, before anyone can kill it), and again when a
 * segment restarts it. One probe for both, a return probe fewer per birth
 * than hooking the hashdance as well: the birth is counted on entry, the
 * second it expires in on return, once the timer is armed.
 */
struct sched_data {
	struct inet_timewait_sock *tw;
	struct twmon_net *tn;
	unsigned long old_expires;
	bool birth;
};

static int sched_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct inet_timewait_sock *tw = (void *)ARG(regs, 0);
	struct sched_data *d = (void *)ri->data;
	struct twmon_net *tn = counted_tw_net(tw);
	struct twmon_rx_note *rx;

	if (!tn)
		return 1;
	d->tw = tw;
	d->tn = tn;
	d->birth = !ARG(regs, 2);
	if (d->birth) {
		twmon_account_birth(tn, tw, false);
		return 0;
	}
	/* A FIN in FIN_WAIT2 substate moved the socket to TIME_WAIT */
	rx = this_cpu_ptr(&twmon_rx);
	if (rx->tw == tw && rx->substate == TCP_FIN_WAIT2 &&
	    tw->tw_substate == TCP_TIME_WAIT) {
		rx->substate = TCP_TIME_WAIT;
		PCPU_INC(tn, fw2_to_tw);
	}
	d->old_expires = READ_ONCE(tw->tw_timer.expires);
	return 0;
}

static int sched_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sched_data *d = (void *)ri->data;
	unsigned int new = twmon_expiry_slot(READ_ONCE(d->tw->tw_timer.expires));
	unsigned int old;

	if (d->birth) {
		PCPU_INC(d->tn, expiry[new]);
		return 0;
	}
	old = twmon_expiry_slot(d->old_expires);
	if (old != new) {
		PCPU_DEC(d->tn, expiry[old]);
		PCPU_INC(d->tn, expiry[new]);
	}
	return 0;
}

/*
 * Port exhaustion: inet_hash_connect(dr, sk) or inet6_hash_connect(dr, sk)
 * returned -EADDRNOTAVAIL. (Their common __inet_hash_connect() is inlined
 * into the IPv4 caller, so probing it alone misses IPv4.)
 */
static int connect_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	void *dr = (void *)ARG(regs, 0);
	struct sock *sk = (void *)ARG(regs, 1);
	struct twmon_net *tn = sk_tn(sk);

	if (!tn || dr != &sock_net(sk)->ipv4.tcp_death_row)
		return 1;
	*(struct twmon_net **)ri->data = tn;
	return 0;
}

static int connect_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* an int: the upper half of the register is not sign-extended */
	if ((int)regs_return_value(regs) == -EADDRNOTAVAIL)
		PCPU_INC(*(struct twmon_net **)ri->data, eaddrnotavail);
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
	tn = sk_tn(sk);
	if (tn)
		PCPU_INC(tn, linger_abort);
	return 0;
}

struct twmon_hook_def {
	enum twmon_hook id;
	bool required;		/* without it the figures would be wrong */
	struct kprobe kp;
	struct kretprobe rp;	/* used when rp.handler is set */
	bool active;
};

#define KRETPROBE(sym, entry, ret, size) .rp = { .kp.symbol_name = sym, \
	.entry_handler = entry, .handler = ret, .data_size = size }
#define KPROBE(sym, pre) .kp = { .symbol_name = sym, .pre_handler = pre }

static struct twmon_hook_def twmon_hooks[] = {
	/* births and re-arms (TWMON_HOOK_REARM comes with it) */
	{ TWMON_HOOK_BIRTH, true, KRETPROBE("__inet_twsk_schedule", sched_entry,
		sched_ret, sizeof(struct sched_data)) },
	{ TWMON_HOOK_KILL, true, KPROBE("inet_twsk_kill", kill_pre) },
	{ TWMON_HOOK_TIMER, false, KPROBE("tw_timer_handler", timer_pre) },
	{ TWMON_HOOK_RX, false, KRETPROBE("tcp_timewait_state_process",
		rx_entry, rx_ret, sizeof(void *)) },
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

/*
 * Register every probe. A missing optional one is reported and its
 * figures show as unavailable; a missing required one fails the load.
 */
int twmon_hooks_register(void)
{
	struct twmon_hook_def *h;
	int err;

	for (h = twmon_hooks; h < twmon_hooks + ARRAY_SIZE(twmon_hooks); h++) {
		if (h->rp.handler) {
			/* handlers never sleep: a few per CPU suffice */
			h->rp.maxactive = 4 * num_possible_cpus() + 16;
			err = register_kretprobe(&h->rp);
		} else {
			err = register_kprobe(&h->kp);
		}
		h->active = !err;
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
	pr_info("hooks active: %#x of %#x\n", twmon_hooks_active(),
		twmon_hooks_wanted());
	return 0;
}

void twmon_hooks_unregister(void)
{
	int i;

	WRITE_ONCE(twmon_counting, false);
	for (i = ARRAY_SIZE(twmon_hooks) - 1; i >= 0; i--)
		hook_unregister(&twmon_hooks[i]);
}

/* A hook made of several probes is active only if all of them are */
u32 twmon_hooks_active(void)
{
	u32 mask = twmon_hooks_wanted();
	int i;

	for (i = 0; i < ARRAY_SIZE(twmon_hooks); i++)
		if (!twmon_hooks[i].active)
			mask &= ~BIT(twmon_hooks[i].id);
	return mask;
}

u32 twmon_hooks_wanted(void)
{
	return BIT(__TWMON_HOOK_LAST) - 1;
}

u64 twmon_hooks_missed(void)
{
	u64 missed = 0;
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

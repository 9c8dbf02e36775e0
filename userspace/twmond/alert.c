// SPDX-License-Identifier: GPL-2.0
/* twmond's alert engine: thresholds, hysteresis, minimum duration, de-duplication */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "alert.h"

static const char *const remedies[__TWD_R_LAST] = {
	[TWD_R_BUCKETS_HIGH] =
		"reduce short connections (keep-alive, connection pooling); raise "
		"net.ipv4.tcp_max_tw_buckets if memory allows (each TIME_WAIT socket is a small "
		"mini socket); past the limit connections close WITHOUT TIME_WAIT protection",
	[TWD_R_OVERFLOW] =
		"connections are closing WITHOUT TIME_WAIT protection: reduce short connections "
		"(keep-alive, connection pooling) or raise net.ipv4.tcp_max_tw_buckets if memory "
		"allows",
	[TWD_R_POOL_EXHAUSTION] =
		"use keep-alive or connection pooling; add source addresses; "
		"IP_BIND_ADDRESS_NO_PORT before bind(); net.ipv4.tcp_tw_reuse=1 for outgoing "
		"connections; widen net.ipv4.ip_local_port_range",
	[TWD_R_EADDRNOTAVAIL] =
		"connect() is failing: use keep-alive or connection pooling; add source addresses; "
		"IP_BIND_ADDRESS_NO_PORT before bind(); net.ipv4.tcp_tw_reuse=1 for outgoing "
		"connections; widen net.ipv4.ip_local_port_range",
	[TWD_R_LINGER_ABORT] =
		"SO_LINGER with a zero timeout sends RST and loses unsent data; it is not a fix "
		"for TIME_WAIT: use keep-alive or pooling, or tcp_tw_reuse for outgoing connections",
};

const char *twd_sev_name(enum twd_sev s)
{
	switch (s) {
	case TWD_SEV_WARNING:
		return "warning";
	case TWD_SEV_CRITICAL:
		return "critical";
	default:
		return "none";
	}
}

const char *twd_rule_remedy(int rule)
{
	return rule >= 0 && rule < __TWD_R_LAST ? remedies[rule] : "";
}

void twd_target_str(const struct twd_target *t, char *buf, size_t len)
{
	char l[TW_ENDPOINT_LEN], r[TW_ENDPOINT_LEN];
	size_t alen = tw_family_addr_len(t->family);

	switch (t->kind) {
	case TWD_T_DEST:
		if (tw_addr_str(t->family, t->laddr, alen, l, sizeof(l)) ||
		    tw_endpoint_str(t->family, t->raddr, alen, t->rport, r, sizeof(r)))
			snprintf(buf, len, "dest=?");
		else
			snprintf(buf, len, "dest=%s->%s", l, r);
		break;
	case TWD_T_SERVICE:
		if (tw_endpoint_str(t->family, t->laddr, alen, t->lport, l, sizeof(l)))
			snprintf(buf, len, "service=?");
		else
			snprintf(buf, len, "service=%s", l);
		break;
	default:
		if (len)
			buf[0] = 0;
	}
}

void twd_alerts_init(struct twd_alerts *as, twd_alert_fn emit, void *arg)
{
	memset(as, 0, sizeof(*as));
	as->emit = emit;
	as->arg = arg;
}

void twd_alerts_free(struct twd_alerts *as)
{
	free(as->a);
	as->a = NULL;
	as->n = as->cap = 0;
}

void twd_alerts_begin(struct twd_alerts *as)
{
	as->round++;
}

static bool same_target(const struct twd_target *a, const struct twd_target *b)
{
	return a->kind == b->kind && a->family == b->family && a->lport == b->lport &&
	       a->rport == b->rport && !memcmp(a->laddr, b->laddr, 16) &&
	       !memcmp(a->raddr, b->raddr, 16);
}

static struct twd_alert *find(struct twd_alerts *as, int rule, uint32_t netns,
			      const struct twd_target *t)
{
	unsigned int i;

	for (i = 0; i < as->n; i++)
		if (as->a[i].rule == rule && as->a[i].netns == netns &&
		    same_target(&as->a[i].target, t))
			return &as->a[i];
	return NULL;
}

static struct twd_alert *add(struct twd_alerts *as)
{
	if (as->n == as->cap) {
		unsigned int cap = as->cap ? as->cap * 2 : 16;
		struct twd_alert *a = realloc(as->a, cap * sizeof(*a));

		if (!a)
			return NULL;
		as->a = a;
		as->cap = cap;
	}
	memset(&as->a[as->n], 0, sizeof(as->a[0]));
	return &as->a[as->n++];
}

static void drop(struct twd_alerts *as, struct twd_alert *a)
{
	*a = as->a[--as->n];
}

void twd_alerts_observe(struct twd_alerts *as, const struct twd_rule_conf *rc, int rule,
			uint32_t netns, const struct twd_target *t, double value,
			const char *message, int64_t now_ms)
{
	enum twd_sev want = TWD_SEV_NONE, next;
	struct twd_alert *a;

	if (!rc->enabled)
		return; /* the sweep clears what it had */
	if (!isnan(rc->crit) && value > rc->crit)
		want = TWD_SEV_CRITICAL;
	else if (!isnan(rc->warn) && value > rc->warn)
		want = TWD_SEV_WARNING;

	a = find(as, rule, netns, t);
	if (!a) {
		if (want == TWD_SEV_NONE)
			return; /* nothing to remember: no state per quiet target */
		a = add(as);
		if (!a)
			return;
		a->rule = rule;
		a->netns = netns;
		a->target = *t;
	}
	a->round = as->round;
	a->value = value;
	snprintf(a->message, sizeof(a->message), "%s", message);

	if (a->sev != TWD_SEV_NONE) {
		/* hysteresis: a firing alert holds until value <= clear */
		bool has_warn = !isnan(rc->warn);

		if (value <= rc->clear)
			next = TWD_SEV_NONE;
		else if (a->sev == TWD_SEV_CRITICAL &&
			 (!has_warn || value > rc->crit - (rc->warn - rc->clear)))
			next = TWD_SEV_CRITICAL;
		else if (want != TWD_SEV_NONE)
			next = want;
		else
			next = has_warn ? TWD_SEV_WARNING : TWD_SEV_CRITICAL;
	} else {
		next = TWD_SEV_NONE;
		if (want != TWD_SEV_NONE) {
			if (!a->pending) {
				a->pending = true;
				a->pending_since_ms = now_ms;
			}
			if (now_ms - a->pending_since_ms >= (int64_t)rc->for_ms)
				next = want;
		} else {
			a->pending = false;
		}
	}

	if (next == a->sev) {
		if (a->sev == TWD_SEV_NONE && !a->pending)
			drop(as, a);
		return;
	}
	if (next == TWD_SEV_NONE) {
		/* the clear keeps the severity it had */
		a->threshold = rc->clear;
		as->emit(TWD_EV_CLEAR, a, as->arg);
		drop(as, a);
		return;
	}
	if (a->sev == TWD_SEV_NONE)
		a->since_ms = now_ms;
	a->pending = false;
	a->sev = next;
	a->threshold = next == TWD_SEV_CRITICAL ? rc->crit : rc->warn;
	as->emit(TWD_EV_FIRE, a, as->arg);
}

void twd_alerts_sweep(struct twd_alerts *as, int rule, uint32_t netns, const char *message)
{
	unsigned int i = 0;

	while (i < as->n) {
		struct twd_alert *a = &as->a[i];

		if (a->round == as->round || (rule >= 0 && a->rule != rule) ||
		    (netns && a->netns != netns)) {
			i++;
			continue;
		}
		if (a->sev != TWD_SEV_NONE) {
			snprintf(a->message, sizeof(a->message), "%s", message);
			as->emit(TWD_EV_CLEAR, a, as->arg);
		}
		drop(as, a);
	}
}

void twd_alerts_clear_all(struct twd_alerts *as, const char *message)
{
	as->round++;
	twd_alerts_sweep(as, -1, 0, message);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond's alert engine: one state per (rule, netns, target). A rule fires
 * when its value stays above warn or crit for the rule's minimum duration,
 * changes severity at once, and clears when the value falls to the clear
 * threshold or below (hysteresis). Each transition is reported once: a fire,
 * a severity change (a fire with the new severity) or a clear.
 */
#ifndef TWD_ALERT_H
#define TWD_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"

enum twd_sev { TWD_SEV_NONE, TWD_SEV_WARNING, TWD_SEV_CRITICAL };

/* "warning", "critical"; "none" */
const char *twd_sev_name(enum twd_sev s);
/* The remedy hint of a rule */
const char *twd_rule_remedy(int rule);

enum twd_target_kind { TWD_T_NETNS, TWD_T_DEST, TWD_T_SERVICE };

/* What an alert is about, beyond the namespace */
struct twd_target {
	enum twd_target_kind kind;
	uint8_t family;
	uint8_t laddr[16], raddr[16];
	uint16_t lport, rport;
};

#define TWD_MSG_LEN 320

struct twd_alert {
	int rule;
	uint32_t netns;
	struct twd_target target;
	enum twd_sev sev; /* firing severity; NONE: not firing */
	bool pending;
	int64_t pending_since_ms, since_ms;
	double value, threshold;
	char message[TWD_MSG_LEN];
	uint64_t round; /* the last evaluation round that saw it */
};

enum twd_alert_event { TWD_EV_FIRE, TWD_EV_CLEAR };

typedef void (*twd_alert_fn)(enum twd_alert_event ev, const struct twd_alert *a, void *arg);

struct twd_alerts {
	struct twd_alert *a;
	unsigned int n, cap;
	uint64_t round;
	twd_alert_fn emit;
	void *arg;
};

void twd_alerts_init(struct twd_alerts *as, twd_alert_fn emit, void *arg);
void twd_alerts_free(struct twd_alerts *as);

/* Start an evaluation round: observations follow, then twd_alerts_sweep() */
void twd_alerts_begin(struct twd_alerts *as);

/*
 * One observation of a rule's value for (netns, target) at now_ms; message
 * says what the value means now ("occupancy 97% (27400/28232 ports) ...").
 */
void twd_alerts_observe(struct twd_alerts *as, const struct twd_rule_conf *rc, int rule,
			uint32_t netns, const struct twd_target *t, double value,
			const char *message, int64_t now_ms);

/*
 * States of (rule, netns) that were not observed this round (the pool is
 * gone, the namespace is gone, the rule was disabled) clear with message.
 * rule < 0: any rule; netns 0: any namespace.
 */
void twd_alerts_sweep(struct twd_alerts *as, int rule, uint32_t netns, const char *message);
/* Clear every firing alert (the module went away) */
void twd_alerts_clear_all(struct twd_alerts *as, const char *message);

/* "dest=127.0.0.1->127.0.0.2:8080", "service=127.0.0.1:8080", "" */
void twd_target_str(const struct twd_target *t, char *buf, size_t len);

#endif

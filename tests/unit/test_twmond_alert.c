// SPDX-License-Identifier: GPL-2.0
/* twmond's alert engine on synthetic values: hysteresis, minimum duration, de-dup, clear */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "alert.h"
#include "sink.h"

struct rec {
	enum twd_alert_event ev;
	enum twd_sev sev;
	int rule;
	double value, threshold;
	char msg[TWD_MSG_LEN];
	char line[1024];
};

static struct rec log_[64];
static unsigned int nlog;

static void emit(enum twd_alert_event ev, const struct twd_alert *a, void *arg)
{
	(void)arg;
	assert_true(nlog < 64);
	log_[nlog] = (struct rec){ ev, a->sev, a->rule, a->value, a->threshold, "", "" };
	snprintf(log_[nlog].msg, sizeof(log_[nlog].msg), "%s", a->message);
	twd_alert_line(ev, a, log_[nlog].line, sizeof(log_[nlog].line));
	nlog++;
}

static const struct twd_target NS_T = { .kind = TWD_T_NETNS };
#define NS 4026531840u

/* One round with one observation */
static void obs(struct twd_alerts *as, const struct twd_rule_conf *rc, int rule, double v,
		int64_t t)
{
	twd_alerts_begin(as);
	twd_alerts_observe(as, rc, rule, NS, &NS_T, v, "msg", t);
	twd_alerts_sweep(as, -1, 0, "gone");
}

static const struct twd_rule_conf RATIO = { true, 0.80, 0.95, 0.70, 0 };

static void hysteresis(void **state)
{
	struct twd_alerts as;

	(void)state;
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.50, 0);
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.80, 1000); /* not above 0.80 */
	assert_int_equal(nlog, 0);
	assert_int_equal(as.n, 0); /* no state kept for a quiet target */
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.81, 2000);
	assert_int_equal(nlog, 1);
	assert_int_equal(log_[0].ev, TWD_EV_FIRE);
	assert_int_equal(log_[0].sev, TWD_SEV_WARNING);
	assert_true(log_[0].threshold == 0.80);
	/* between clear (0.70) and warn: still firing, nothing new */
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.75, 3000);
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.71, 4000);
	assert_int_equal(nlog, 1);
	/* at the clear threshold: clears, with the severity it had */
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.70, 5000);
	assert_int_equal(nlog, 2);
	assert_int_equal(log_[1].ev, TWD_EV_CLEAR);
	assert_int_equal(log_[1].sev, TWD_SEV_WARNING);
	assert_true(log_[1].threshold == 0.70);
	assert_int_equal(as.n, 0);
	/* and it can fire again */
	obs(&as, &RATIO, TWD_R_BUCKETS_HIGH, 0.85, 6000);
	assert_int_equal(nlog, 3);
	twd_alerts_free(&as);
}

static void severity_changes(void **state)
{
	struct twd_alerts as;

	(void)state;
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.97, 0); /* straight to critical */
	assert_int_equal(nlog, 1);
	assert_int_equal(log_[0].sev, TWD_SEV_CRITICAL);
	assert_true(log_[0].threshold == 0.95);
	/* just below crit: within crit's hysteresis (0.95 - 0.10), stays critical */
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.90, 1000);
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.86, 2000);
	assert_int_equal(nlog, 1);
	/* at 0.85 and below: back to warning, one transition */
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.85, 3000);
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.82, 4000);
	assert_int_equal(nlog, 2);
	assert_int_equal(log_[1].ev, TWD_EV_FIRE);
	assert_int_equal(log_[1].sev, TWD_SEV_WARNING);
	/* up again: critical */
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.99, 5000);
	assert_int_equal(nlog, 3);
	assert_int_equal(log_[2].sev, TWD_SEV_CRITICAL);
	obs(&as, &RATIO, TWD_R_POOL_EXHAUSTION, 0.10, 6000);
	assert_int_equal(nlog, 4);
	assert_int_equal(log_[3].ev, TWD_EV_CLEAR);
	twd_alerts_free(&as);
}

static void min_duration(void **state)
{
	const struct twd_rule_conf rc = { true, 0.80, 0.95, 0.70, 3000 };
	struct twd_alerts as;

	(void)state;
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.90, 10000);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.90, 12000);
	assert_int_equal(nlog, 0); /* pending 2 s */
	/* a dip below warn resets the clock */
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.50, 12500);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.90, 13000);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.97, 15999);
	assert_int_equal(nlog, 0);
	/* 3 s above since 13000: fires with the severity of now */
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.97, 16000);
	assert_int_equal(nlog, 1);
	assert_int_equal(log_[0].sev, TWD_SEV_CRITICAL);
	twd_alerts_free(&as);
}

/* "crit on any": threshold 0, clear 0 */
static void rate_rule(void **state)
{
	const struct twd_rule_conf rc = { true, NAN, 0, 0, 0 };
	struct twd_alerts as;
	int i;

	(void)state;
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	obs(&as, &rc, TWD_R_OVERFLOW, 0, 0);
	assert_int_equal(nlog, 0);
	for (i = 1; i <= 10; i++) /* de-duplicated: one fire however long it lasts */
		obs(&as, &rc, TWD_R_OVERFLOW, 0.1 * i, i * 1000);
	assert_int_equal(nlog, 1);
	assert_int_equal(log_[0].sev, TWD_SEV_CRITICAL);
	assert_string_equal(log_[0].line,
			    "ALERT crit tw_overflow netns=4026531840 msg: connections are closing "
			    "WITHOUT TIME_WAIT protection: reduce short connections (keep-alive, "
			    "connection pooling) or raise net.ipv4.tcp_max_tw_buckets if memory "
			    "allows");
	obs(&as, &rc, TWD_R_OVERFLOW, 0, 11000);
	assert_int_equal(nlog, 2);
	assert_string_equal(log_[1].line, "CLEAR tw_overflow netns=4026531840 msg");
	twd_alerts_free(&as);
}

/* Per target: two pools alert apart; a pool that disappears clears */
static void targets_and_sweep(void **state)
{
	struct twd_target a = { .kind = TWD_T_DEST, .family = AF_INET, .rport = 8080 };
	struct twd_target b = a;
	struct twd_alerts as;
	char *j;

	(void)state;
	inet_pton(AF_INET, "10.0.0.1", a.laddr);
	inet_pton(AF_INET, "10.0.0.2", a.raddr);
	b.rport = 8081;
	memcpy(b.laddr, a.laddr, 16);
	memcpy(b.raddr, a.raddr, 16);
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	twd_alerts_begin(&as);
	twd_alerts_observe(&as, &RATIO, TWD_R_POOL_EXHAUSTION, NS, &a, 0.97,
			   "occupancy 97% (27400/28232 ports), exhaustion in 3 s at 470/s", 0);
	twd_alerts_observe(&as, &RATIO, TWD_R_POOL_EXHAUSTION, NS, &b, 0.85, "b", 0);
	twd_alerts_sweep(&as, -1, 0, "gone");
	assert_int_equal(nlog, 2);
	assert_string_equal(log_[0].line,
			    "ALERT crit pool_exhaustion netns=4026531840 "
			    "dest=10.0.0.1->10.0.0.2:8080 occupancy 97% (27400/28232 ports), "
			    "exhaustion in 3 s at 470/s: use keep-alive or connection pooling; add "
			    "source addresses; IP_BIND_ADDRESS_NO_PORT before bind(); "
			    "net.ipv4.tcp_tw_reuse=1 for outgoing connections; widen "
			    "net.ipv4.ip_local_port_range");
	/* the JSON line of it */
	j = twd_alert_json(TWD_EV_FIRE, &as.a[0], 1764000000.25, 42);
	assert_non_null(j);
	assert_non_null(strstr(j, "\"ts\":\"2025-11-24T16:00:00.250Z\""));
	assert_non_null(strstr(j, "\"mono_ns\":42,\"event\":\"fire\",\"alert\":\"pool_exhaustion\","
				  "\"severity\":\"critical\",\"netns\":4026531840,\"family\":\"inet\","
				  "\"local\":\"10.0.0.1\",\"remote\":\"10.0.0.2\",\"rport\":8080,"
				  "\"dest\":\"10.0.0.1->10.0.0.2:8080\",\"value\":0.97,"
				  "\"threshold\":0.95,\"message\":\"occupancy 97%"));
	assert_non_null(strstr(j, "\"remedy\":\"use keep-alive"));
	free(j);
	/* next round: only b is still there */
	twd_alerts_begin(&as);
	twd_alerts_observe(&as, &RATIO, TWD_R_POOL_EXHAUSTION, NS, &b, 0.85, "b", 1000);
	twd_alerts_sweep(&as, -1, 0, "gone");
	assert_int_equal(nlog, 3);
	assert_int_equal(log_[2].ev, TWD_EV_CLEAR);
	assert_string_equal(log_[2].msg, "gone");
	assert_int_equal(as.n, 1);
	/* everything clears when the module goes away */
	twd_alerts_clear_all(&as, "module gone");
	assert_int_equal(nlog, 4);
	assert_int_equal(as.n, 0);
	twd_alerts_free(&as);
}

static void disabled_rule(void **state)
{
	struct twd_rule_conf rc = RATIO;
	struct twd_alerts as;

	(void)state;
	nlog = 0;
	twd_alerts_init(&as, emit, NULL);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.9, 0);
	assert_int_equal(nlog, 1);
	rc.enabled = false; /* a reload disabled it: the sweep clears it */
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.9, 1000);
	assert_int_equal(nlog, 2);
	assert_int_equal(log_[1].ev, TWD_EV_CLEAR);
	obs(&as, &rc, TWD_R_BUCKETS_HIGH, 0.99, 2000);
	assert_int_equal(nlog, 2);
	twd_alerts_free(&as);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hysteresis),	 cmocka_unit_test(severity_changes),
		cmocka_unit_test(min_duration),	 cmocka_unit_test(rate_rule),
		cmocka_unit_test(targets_and_sweep), cmocka_unit_test(disabled_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * twmond's /metrics text from a synthetic model: names, labels, top N,
 * unavailable figures left out, and `promtool check metrics` when the
 * prometheus package is installed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "metrics.h"
#include "model.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)

static void no_emit(enum twd_alert_event ev, const struct twd_alert *a, void *arg)
{
	(void)ev;
	(void)a;
	(void)arg;
}

static struct tw_stats stats(uint32_t inum, uint64_t live, uint32_t hooks)
{
	struct tw_stats st = { 0 };

	st.netns_inum = inum;
	st.hooks = hooks;
	st.live = live;
	st.live_timewait = live - 1;
	st.live_finwait2 = 1;
	st.entered = 5000;
	st.ended[TWMON_END_EXPIRED] = 4000;
	st.ended[TWMON_END_REUSE] = 2;
	st.overflow = 7;
	st.connect_eaddrnotavail = 3;
	st.linger_abort = 1;
	st.max_tw_buckets = 4096;
	st.port_low = 40000;
	st.port_high = 40499;
	return st;
}

/* n pools to 10.0.0.2 ports 8000.., pool i has (i + 1) * 10 sockets */
static struct tw_entry *pools(unsigned int n)
{
	struct tw_entry *e = calloc(n, sizeof(*e));
	unsigned int i;

	for (i = 0; i < n; i++) {
		e[i].family = AF_INET;
		inet_pton(AF_INET, "10.0.0.1", e[i].laddr);
		inet_pton(AF_INET, "10.0.0.2", e[i].raddr);
		e[i].rport = 8000 + i;
		e[i].count = (i + 1) * 10;
	}
	return e;
}

static char *render(struct twd_model *m, const struct twd_conf *c)
{
	char *buf = NULL;
	size_t len = 0;

	assert_int_equal(twd_metrics_text(m, c, 0, &buf, &len), 0);
	assert_int_equal(strlen(buf), len);
	return buf;
}

static void build(struct twd_model *m, struct twd_conf *c)
{
	struct tw_stats st;
	struct tw_entry *svc = calloc(1, sizeof(*svc)), *cg;

	twd_conf_defaults(c);
	c->top_n = 3;
	twd_model_init(m, no_emit, NULL);
	m->up = true;
	m->own_inum = 4026531840u;
	m->resyncs = 2;
	st = stats(4026531840u, 1234, ALL_HOOKS);
	twd_model_stats(m, &st, 0);
	/* another namespace where the connect and close hooks are missing */
	st = stats(4026532000u, 10,
		   ALL_HOOKS & ~((1u << TWMON_HOOK_CONNECT) | (1u << TWMON_HOOK_CLOSE)));
	twd_model_stats(m, &st, 0);
	twd_model_pools(m, 4026531840u, pools(5), 5, 0);
	svc->family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", svc->laddr);
	svc->lport = 443;
	svc->count = 77;
	twd_model_services(m, 4026531840u, svc, 1);
	/* cgroups=1: rows whose ids no directory of a missing root has */
	cg = calloc(3, sizeof(*cg));
	cg[0].cgroup_id = 0;
	cg[0].count = 4;
	cg[1].cgroup_id = 4242;
	cg[1].count = 1200;
	cg[1].entered = 5000;
	cg[1].eaddrnotavail = 3;
	cg[1].overflow = 9;
	cg[0].overflow = 2; /* the namespace's that no cgroup row counts */
	cg[2].other = true;
	cg[2].count = 30;
	twd_model_cgroups(m, 4026531840u, cg, 3, "/nonexistent");
}

static void content(void **state)
{
	struct twd_model m;
	struct twd_conf c;
	char *t;

	(void)state;
	build(&m, &c);
	t = render(&m, &c);
	assert_non_null(strstr(t, "# HELP twmon_up "));
	assert_non_null(strstr(t, "# TYPE twmon_up gauge\ntwmon_up 1\n"));
	assert_non_null(strstr(t, "\ntwmon_tw_live{netns=\"4026531840\"} 1234\n"));
	assert_non_null(strstr(
		t, "\ntwmon_tw_live_substate{netns=\"4026531840\",substate=\"fin_wait2\"} 1\n"));
	assert_non_null(strstr(t, "# TYPE twmon_tw_entered_total counter\n"));
	assert_non_null(
		strstr(t, "\ntwmon_tw_ended_total{netns=\"4026531840\",reason=\"reuse\"} 2\n"));
	assert_non_null(strstr(t, "\ntwmon_port_range_size{netns=\"4026531840\"} 500\n"));
	assert_non_null(strstr(t, "\ntwmon_connect_eaddrnotavail_total{netns=\"4026531840\"} 3\n"));
	/* unknown is not zero: no sample where the hook is missing */
	assert_null(strstr(t, "twmon_connect_eaddrnotavail_total{netns=\"4026532000\"}"));
	assert_null(strstr(t, "twmon_linger_abort_total{netns=\"4026532000\"}"));
	assert_non_null(strstr(t, "\ntwmon_tw_overflow_total{netns=\"4026532000\"} 7\n"));
	/* top 3 of 5 pools, largest first */
	assert_non_null(strstr(t, "\ntwmon_pool_live{netns=\"4026531840\",family=\"inet\","
				  "local=\"10.0.0.1\",remote=\"10.0.0.2\",rport=\"8004\"} 50\n"
				  "twmon_pool_live{netns=\"4026531840\",family=\"inet\","
				  "local=\"10.0.0.1\",remote=\"10.0.0.2\",rport=\"8003\"} 40\n"
				  "twmon_pool_live{netns=\"4026531840\",family=\"inet\","
				  "local=\"10.0.0.1\",remote=\"10.0.0.2\",rport=\"8002\"} 30\n#"));
	assert_null(strstr(t, "rport=\"8001\""));
	assert_non_null(strstr(t, "\ntwmon_service_live{netns=\"4026531840\",family=\"inet6\","
				  "local=\"2001:db8::1\",lport=\"443\"} 77\n"));
	assert_non_null(strstr(t, "\ntwmond_resyncs_total 2\n"));
	assert_non_null(strstr(t, "# TYPE twmon_cgroup_tw_live gauge\n"));
	assert_non_null(strstr(
		t, "\ntwmon_cgroup_tw_live{netns=\"4026531840\",cgroup=\"id:4242\"} 1200\n"));
	assert_non_null(
		strstr(t, "\ntwmon_cgroup_tw_live{netns=\"4026531840\",cgroup=\"other\"} 30\n"));
	assert_non_null(
		strstr(t, "\ntwmon_cgroup_tw_live{netns=\"4026531840\",cgroup=\"unknown\"} 4\n"));
	assert_non_null(strstr(
		t,
		"\ntwmon_cgroup_tw_entered_total{netns=\"4026531840\",cgroup=\"id:4242\"} 5000\n"));
	assert_non_null(strstr(t, "\ntwmon_cgroup_connect_eaddrnotavail_total{netns=\"4026531840\","
				  "cgroup=\"id:4242\"} 3\n"));
	assert_non_null(strstr(t, "\ntwmon_cgroup_tw_overflow_total{netns=\"4026531840\","
				  "cgroup=\"id:4242\"} 9\n"));
	/* the unknown row has no totals but its overflow */
	assert_non_null(strstr(t, "\ntwmon_cgroup_tw_overflow_total{netns=\"4026531840\","
				  "cgroup=\"unknown\"} 2\n"));
	assert_null(strstr(
		t, "twmon_cgroup_tw_entered_total{netns=\"4026531840\",cgroup=\"unknown\"}"));
	free(t);
	twd_model_free(&m);
}

static void alerts_metric(void **state)
{
	struct twd_model m;
	struct twd_conf c;
	char *t, *p;

	(void)state;
	build(&m, &c);
	/* pools 8003 (40/500) and 8004 (50/500) are small: make them full */
	m.ns[0]->pools[3].e.count = 480;
	m.ns[0]->pools[4].e.count = 500;
	twd_model_evaluate(&m, &c, 0);
	t = render(&m, &c);
	/* two pools alerting: one series */
	p = strstr(t, "twmond_alert_active{alert=\"pool_exhaustion\",severity=\"critical\","
		      "netns=\"4026531840\"} 1\n");
	assert_non_null(p);
	assert_null(strstr(p + 1, "twmond_alert_active{alert=\"pool_exhaustion\""));
	free(t);
	twd_model_free(&m);
}

static void down(void **state)
{
	struct twd_model m;
	struct twd_conf c;
	char *t;

	(void)state;
	build(&m, &c);
	twd_model_down(&m);
	t = render(&m, &c);
	assert_non_null(strstr(t, "\ntwmon_up 0\n"));
	assert_null(strstr(t, "twmon_tw_live{"));
	free(t);
	twd_model_free(&m);
}

/* promtool check metrics (Debian package prometheus), if installed */
static void promtool(void **state)
{
	struct twd_model m;
	struct twd_conf c;
	char *t, out[4096] = "";
	FILE *p;
	size_t n;
	int rc;

	(void)state;
	if (system("command -v promtool >/dev/null 2>&1")) {
		skip();
		return;
	}
	build(&m, &c);
	twd_model_evaluate(&m, &c, 0);
	t = render(&m, &c);
	p = fopen("build/twmond-metrics.prom", "w");
	assert_non_null(p);
	fputs(t, p);
	fclose(p);
	p = popen("promtool check metrics <build/twmond-metrics.prom 2>&1", "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	rc = pclose(p);
	if (rc)
		print_error("promtool: %s\n", out);
	assert_int_equal(rc, 0);
	free(t);
	twd_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(content),
		cmocka_unit_test(alerts_metric),
		cmocka_unit_test(down),
		cmocka_unit_test(promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

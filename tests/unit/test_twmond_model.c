// SPDX-License-Identifier: GPL-2.0
/*
 * twmond's rules evaluated on a model of the kernel's figures: the bucket
 * and overflow alerts name the pool or service that holds the most
 * TIME_WAIT sockets (what the operator has to fix), and say nothing of it
 * where the tables are not known; another namespace's tables are read
 * only when an alert could need them.
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
#include <sys/stat.h>

#include "model.h"

#define OWN 4026531840u
#define OTHER 4026532000u

static char msgs[__TWD_R_LAST][2][TWD_MSG_LEN]; /* [rule][own, other] */

static void emit(enum twd_alert_event ev, const struct twd_alert *a, void *arg)
{
	(void)arg;
	if (ev == TWD_EV_FIRE)
		snprintf(msgs[a->rule][a->netns != OWN], TWD_MSG_LEN, "%s", a->message);
}

static struct tw_entry entry(int family, const char *l, uint16_t lport, const char *r,
			     uint16_t rport, uint32_t count)
{
	struct tw_entry e = { .family = family, .lport = lport, .rport = rport, .count = count };

	inet_pton(family, l, e.laddr);
	if (r)
		inet_pton(family, r, e.raddr);
	return e;
}

/* Cgroup rows (GET_CGROUPS) given to the next run(), resolved under root */
static struct tw_entry *run_cg, *run_pcg;
static unsigned int run_ncg, run_npcg;
static const char *run_root;

/* live 3900/4096 and overflowing, in both namespaces; tables in ours only */
static void run(struct twd_model *m, struct tw_entry *pools, unsigned int np, struct tw_entry *svcs,
		unsigned int ns)
{
	struct twd_conf c;
	struct tw_stats st = { 0 };
	int64_t t;

	memset(msgs, 0, sizeof(msgs));
	twd_conf_defaults(&c);
	twd_model_init(m, emit, NULL);
	m->up = true;
	m->own_inum = OWN;
	st.hooks = (1u << __TWMON_HOOK_LAST) - 1;
	st.max_tw_buckets = 4096;
	st.port_low = 32768;
	st.port_high = 60999;
	for (t = 0; t <= 2000; t += 1000) {
		st.live = 3900;
		st.overflow = t / 10;
		st.entered = 20 * t;
		st.netns_inum = OWN;
		twd_model_stats(m, &st, t);
		st.netns_inum = OTHER;
		twd_model_stats(m, &st, t);
	}
	twd_model_pools(m, OWN, pools, np, t);
	twd_model_services(m, OWN, svcs, ns);
	if (run_cg)
		twd_model_cgroups(m, OWN, run_cg, run_ncg, run_root);
	if (run_pcg)
		twd_model_pool_cgroups(m, OWN, run_pcg, run_npcg);
	run_cg = run_pcg = NULL;
	twd_model_evaluate(m, &c, t);
}

static void service_named(void **state)
{
	struct tw_entry *p = calloc(1, sizeof(*p)), *s = calloc(2, sizeof(*s));
	struct twd_model m;

	(void)state;
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 300);
	s[0] = entry(AF_INET6, "2001:db8::1", 443, NULL, 0, 3500);
	s[1] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 100);
	run(&m, p, 1, s, 2);
	assert_non_null(
		strstr(msgs[TWD_R_BUCKETS_HIGH][0], "TIME_WAIT buckets 95% full (3900/4096)"));
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][0],
			       "; most from service=[2001:db8::1]:443: 3500 (90%)"));
	assert_non_null(strstr(msgs[TWD_R_OVERFLOW][0],
			       "; most from service=[2001:db8::1]:443: 3500 (90%)"));
	/* the other namespace: no tables, no guess */
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][1], "TIME_WAIT buckets 95% full"));
	assert_null(strstr(msgs[TWD_R_BUCKETS_HIGH][1], "most from"));
	assert_null(strstr(msgs[TWD_R_OVERFLOW][1], "most from"));
	twd_model_free(&m);
}

static void pool_named(void **state)
{
	struct tw_entry *p = calloc(2, sizeof(*p)), *s = calloc(1, sizeof(*s));
	struct twd_model m;

	(void)state;
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 100);
	p[1] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.8", 6379, 2800);
	s[0] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 1000);
	run(&m, p, 2, s, 1);
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][0],
			       "; most from dest=10.0.0.1->10.0.0.8:6379: 2800 (72%)"));
	twd_model_free(&m);
}

static struct tw_entry cgroup_row(uint64_t id, bool other, uint32_t live, uint64_t eaddrnotavail)
{
	struct tw_entry e = { .cgroup_id = id, .other = other, .count = live };

	e.eaddrnotavail = eaddrnotavail;
	return e;
}

/*
 * With the module's cgroups=1: the alerts name the cgroup behind the most
 * TIME_WAIT (its path under the cgroup2 root: ids are inode numbers) and
 * behind the most EADDRNOTAVAIL; a cgroup seen before keeps its path
 */
static void cgroup_named(void **state)
{
	char root[] = "/tmp/tw-cgroups-XXXXXX", dir[64];
	struct tw_entry *p = calloc(1, sizeof(*p)), *s = calloc(1, sizeof(*s));
	struct twd_model m;
	struct stat st;
	char buf[32];

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/api.service", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(stat(dir, &st), 0);
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 300);
	s[0] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 3500);
	run_cg = calloc(4, sizeof(*run_cg));
	run_cg[0] = cgroup_row(st.st_ino, false, 1840, 2);
	run_cg[1] = cgroup_row(0, false, 2000, 0);	  /* unknown: never named */
	run_cg[2] = cgroup_row(999999999, false, 60, 40); /* no such directory */
	run_cg[3] = cgroup_row(0, true, 0, 0);		  /* other */
	run_ncg = 4;
	run_root = root;
	run(&m, p, 1, s, 1);
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][0],
			       "; most TIME_WAIT from cgroup /api.service: 1840 of 3900"));
	assert_non_null(strstr(msgs[TWD_R_OVERFLOW][0],
			       "; most TIME_WAIT from cgroup /api.service: 1840 of 3900"));
	assert_null(strstr(msgs[TWD_R_BUCKETS_HIGH][1], "cgroup"));
	/* sorted by id: other and unknown first, the missing one labelled by id */
	assert_int_equal(m.ns[0]->ncgroups + m.ns[1]->ncgroups, 4);
	{
		const struct twd_ns *ns = twd_model_ns(&m, OWN, false);
		unsigned int i, seen = 0;

		for (i = 0; i < ns->ncgroups; i++) {
			const char *l = twd_cgroup_label(ns, i, buf, sizeof(buf));

			if (ns->cgroups[i].other)
				assert_string_equal(l, "other"), seen |= 1;
			else if (!ns->cgroups[i].cgroup_id)
				assert_string_equal(l, "unknown"), seen |= 2;
			else if (ns->cgroups[i].cgroup_id == 999999999)
				assert_string_equal(l, "id:999999999"), seen |= 4;
			else
				assert_string_equal(l, "/api.service"), seen |= 8;
		}
		assert_int_equal(seen, 15);
	}
	/* the directory goes: a cgroup seen before keeps its path */
	rmdir(dir);
	rmdir(root);
	run_cg = calloc(1, sizeof(*run_cg));
	run_cg[0] = cgroup_row(st.st_ino, false, 1840, 2);
	run_ncg = 1;
	twd_model_cgroups(&m, OWN, run_cg, run_ncg, run_root);
	run_cg = NULL;
	assert_string_equal(twd_cgroup_label(twd_model_ns(&m, OWN, false), 0, buf, sizeof(buf)),
			    "/api.service");
	twd_model_free(&m);
}

/*
 * The overflow alert names the cgroup whose closes overflowed (of all
 * overflows, the unknown row's too), not the one holding the buckets
 */
static void cgroup_overflow_named(void **state)
{
	struct tw_entry *p = calloc(1, sizeof(*p)), *s = calloc(1, sizeof(*s));
	struct twd_model m;

	(void)state;
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 300);
	s[0] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 3500);
	run_cg = calloc(3, sizeof(*run_cg));
	run_cg[0] = cgroup_row(0, false, 2000, 0);
	run_cg[0].overflow = 5;
	run_cg[1] = cgroup_row(4242, false, 1800, 0);
	run_cg[2] = cgroup_row(4343, false, 0, 0);
	run_cg[2].overflow = 35;
	run_ncg = 3;
	run_root = "/nonexistent";
	run(&m, p, 1, s, 1);
	assert_non_null(
		strstr(msgs[TWD_R_OVERFLOW][0], "; most overflow from cgroup id:4343: 35 of 40"));
	assert_null(strstr(msgs[TWD_R_OVERFLOW][0], "most TIME_WAIT from cgroup"));
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][0],
			       "; most TIME_WAIT from cgroup id:4242: 1800 of 3800"));
	twd_model_free(&m);
}

/* The unknown row is never named, however large; other is, as such */
static void cgroup_other_named(void **state)
{
	struct tw_entry *p = calloc(1, sizeof(*p)), *s = calloc(1, sizeof(*s));
	struct twd_model m;

	(void)state;
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 300);
	s[0] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 3500);
	run_cg = calloc(2, sizeof(*run_cg));
	run_cg[0] = cgroup_row(0, true, 100, 7);
	run_cg[1] = cgroup_row(0, false, 3800, 0);
	run_ncg = 2;
	run_root = "/nonexistent";
	run(&m, p, 1, s, 1);
	assert_non_null(strstr(msgs[TWD_R_BUCKETS_HIGH][0],
			       "; most TIME_WAIT from cgroup other: 100 of 3900"));
	twd_model_free(&m);
}

/* pool_exhaustion names the cgroup with the most of the pool's sockets */
static void pool_cgroup_named(void **state)
{
	struct tw_entry *p = calloc(2, sizeof(*p)), *s = calloc(1, sizeof(*s));
	struct twd_model m;

	(void)state;
	p[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 27000);
	p[1] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.8", 6379, 10);
	s[0] = entry(AF_INET, "10.0.0.1", 80, NULL, 0, 10);
	run_pcg = calloc(3, sizeof(*run_pcg));
	run_pcg[0] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 7000);
	run_pcg[0].cgroup_id = 77;
	run_pcg[1] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.9", 5432, 20000);
	run_pcg[1].cgroup_id = 4242;
	run_pcg[2] = entry(AF_INET, "10.0.0.1", 0, "10.0.0.8", 6379, 10);
	run_pcg[2].cgroup_id = 77;
	run_npcg = 3;
	run(&m, p, 2, s, 1);
	assert_non_null(strstr(msgs[TWD_R_POOL_EXHAUSTION][0],
			       "; most from cgroup id:4242: 20000 of 27000"));
	twd_model_free(&m);
}

/* Another namespace's table is read only when an alert could need it */
static void wants_tables(void **state)
{
	struct twd_model m;
	struct twd_conf c;
	struct tw_stats st = { 0 };
	struct twd_ns *ns;

	(void)state;
	twd_conf_defaults(&c);
	twd_model_init(&m, emit, NULL);
	st.netns_inum = OTHER;
	st.max_tw_buckets = 4096;
	st.port_low = 40000;
	st.port_high = 40499; /* 500 ports: pools may alert from 350 live (clear 0.70) */
	st.live = 349;
	twd_model_stats(&m, &st, 0);
	ns = twd_model_ns(&m, OTHER, false);
	assert_non_null(ns);
	assert_false(twd_ns_wants_tables(ns, &c));
	ns->st.live = 350;
	assert_true(twd_ns_wants_tables(ns, &c));
	c.rule[TWD_R_POOL_EXHAUSTION].enabled = false;
	assert_false(twd_ns_wants_tables(ns, &c));
	/* the bucket table filling: 0.70 x 4096 */
	ns->st.live = 2868;
	assert_true(twd_ns_wants_tables(ns, &c));
	/* few sockets, but connect() failing */
	ns->st.live = 10;
	assert_false(twd_ns_wants_tables(ns, &c));
	st.live = 10;
	st.connect_eaddrnotavail = 5;
	twd_model_stats(&m, &st, 1000);
	assert_true(twd_ns_wants_tables(ns, &c));
	twd_model_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(service_named),	 cmocka_unit_test(pool_named),
		cmocka_unit_test(cgroup_named),		 cmocka_unit_test(cgroup_other_named),
		cmocka_unit_test(cgroup_overflow_named), cmocka_unit_test(pool_cgroup_named),
		cmocka_unit_test(wants_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

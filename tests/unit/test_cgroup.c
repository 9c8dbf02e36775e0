// SPDX-License-Identifier: GPL-2.0
/* Cgroup ids to paths (a walk of a directory tree), and their display */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <json.h>

#include "cgroup.h"
#include "cgroups.h"
#include "print.h"
#include "stats.h"

static const char *shown(const char *path)
{
	static char out[128];

	tw_cgroup_display(path, out, sizeof(out));
	return out;
}

static void display(void **state)
{
	(void)state;
	assert_string_equal(shown("/system.slice/nginx.service"), "/system.slice/nginx.service");
	assert_string_equal(
		shown("/system.slice/docker-"
		      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope"),
		"/system.slice/docker-0123456789ab.scope");
	assert_string_equal(
		shown("/kubepods/pod1/"
		      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"),
		"/kubepods/pod1/fedcba987654");
	/* 63 or 65 hex digits are not a container id */
	assert_string_equal(
		shown("/x-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"),
		"/x-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
	assert_string_equal(shown("/"), "/");
}

static void display_truncates(void **state)
{
	char out[8];

	(void)state;
	tw_cgroup_display("/system.slice/a.service", out, sizeof(out));
	assert_string_equal(out, "/system");
}

static uint64_t ino(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

/* --cgroup: a path under the root (leading / or not), else a decimal id */
static void id_parse(void **state)
{
	char root[] = "/tmp/tw-cgid-XXXXXX", dir[64];
	uint64_t id = 0;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(dir, sizeof(dir), "%s/api.service", root);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(tw_cgroup_id_parse(root, "/api.service", &id), 0);
	assert_int_equal(id, ino(dir));
	id = 0;
	assert_int_equal(tw_cgroup_id_parse(root, "api.service", &id), 0);
	assert_int_equal(id, ino(dir));
	assert_int_equal(tw_cgroup_id_parse(root, "4242", &id), 0);
	assert_int_equal(id, 4242);
	assert_int_equal(tw_cgroup_id_parse(root, "/nope.service", &id), -1);
	assert_int_equal(tw_cgroup_id_parse(root, "42x", &id), -1);
	assert_int_equal(tw_cgroup_id_parse(root, "0", &id), -1);
	assert_int_equal(tw_cgroup_id_parse(root, "", &id), -1);
	assert_int_equal(tw_cgroup_id_parse(root, "99999999999999999999999", &id), -1);
	rmdir(dir);
	rmdir(root);
}

/*
 * dests --by-cgroup for a caller in a cgroup namespace: the kernel sends a
 * pool's share of each cgroup outside it as its own "other" row; tw-stat
 * shows them as one row a pool
 */
static void pool_other_merged(void **state)
{
	struct tw_entry e[4] = { 0 };
	json_object *j;
	char *buf = NULL;
	size_t len = 0, i;
	FILE *mem = open_memstream(&buf, &len);

	(void)state;
	for (i = 0; i < 4; i++) {
		e[i].family = AF_INET;
		inet_pton(AF_INET, "10.0.0.1", e[i].laddr);
		inet_pton(AF_INET, "10.0.0.9", e[i].raddr);
		e[i].rport = 5432;
	}
	e[0].cgroup_id = 999999999998ULL;
	e[0].count = 50;
	e[1].other = e[2].other = true;
	e[1].count = 30;
	e[2].count = 25;
	e[3].rport = 6379; /* another pool, one other row of its own */
	e[3].other = true;
	e[3].count = 5;
	assert_non_null(mem);
	print_init(mem, true, false);
	assert_int_equal(tw_show_by_cgroup(e, 4, 0, false, 32768, 60999), 0);
	print_flush();
	fclose(mem);
	print_init(stdout, false, false);
	j = json_tokener_parse(buf);
	assert_non_null(j);
	assert_int_equal(json_object_array_length(j), 3);
	/* the largest pool first, its merged other row (55) before the cgroup's 50 */
	assert_true(json_object_get_boolean(
		json_object_object_get(json_object_array_get_idx(j, 0), "other")));
	assert_int_equal(json_object_get_int(
				 json_object_object_get(json_object_array_get_idx(j, 0), "count")),
			 55);
	assert_int_equal(json_object_get_int(
				 json_object_object_get(json_object_array_get_idx(j, 1), "count")),
			 50);
	assert_int_equal(json_object_get_int(
				 json_object_object_get(json_object_array_get_idx(j, 2), "rport")),
			 6379);
	json_object_put(j);
	free(buf);
}

/* A tree like a cgroup2 mount: ids are the directories' inode numbers */
static void paths(void **state)
{
	char root[] = "/tmp/tw-cgroup-XXXXXX", a[64], b[64], f[64];
	uint64_t ids[4];
	char *p[4];
	FILE *fp;

	(void)state;
	assert_non_null(mkdtemp(root));
	snprintf(a, sizeof(a), "%s/api.service", root);
	snprintf(b, sizeof(b), "%s/box/c.scope", root);
	snprintf(f, sizeof(f), "%s/box/cgroup.procs", root);
	assert_int_equal(mkdir(a, 0755), 0);
	*strrchr(b, '/') = '\0';
	assert_int_equal(mkdir(b, 0755), 0);
	*strchr(b + strlen(root) + 1, '\0') = '/';
	assert_int_equal(mkdir(b, 0755), 0);
	fp = fopen(f, "w");
	assert_non_null(fp);
	fclose(fp);
	ids[0] = ino(b);
	ids[1] = 0; /* no such directory */
	ids[2] = ino(a);
	ids[3] = ino(root); /* the root itself */
	assert_int_equal(tw_cgroup_paths(root, ids, 4, p), 0);
	assert_string_equal(p[0], "/box/c.scope");
	assert_null(p[1]);
	assert_string_equal(p[2], "/api.service");
	assert_string_equal(p[3], "/");
	/* a file with a directory's inode cannot exist: files are not matched */
	ids[0] = ino(f);
	free(p[0]);
	assert_int_equal(tw_cgroup_paths(root, ids, 1, p), 0);
	assert_null(p[0]);
	free(p[2]);
	free(p[3]);
	remove(f);
	rmdir(b);
	*strrchr(b, '/') = '\0';
	rmdir(b);
	rmdir(a);
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(display),
		cmocka_unit_test(display_truncates),
		cmocka_unit_test(paths),
		cmocka_unit_test(id_parse),
		cmocka_unit_test(pool_other_merged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/* Namespace names by inode (as --all-netns labels them) and -n errors */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"

static char dir[64];

static int make_dir(void **state)
{
	static const char *const names[] = { "twa", "twb", "zzz" };
	char path[128];
	size_t i;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/tw-netns-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	for (i = 0; i < 3; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	/* a second name for twb's inode: the first in name order wins */
	snprintf(path, sizeof(path), "%s/twb", dir);
	{
		char other[128];

		snprintf(other, sizeof(other), "%s/zz-twb", dir);
		if (link(path, other))
			return -1;
	}
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) ? -1 : 0;
}

static uint32_t inode_of(const char *name)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(stat(path, &st), 0);
	return st.st_ino;
}

static void name_by_inode(void **state)
{
	char name[64];

	(void)state;
	assert_int_equal(tw_netns_name(dir, inode_of("twa"), name, sizeof(name)), 0);
	assert_string_equal(name, "twa");
	assert_int_equal(tw_netns_name(dir, inode_of("twb"), name, sizeof(name)), 0);
	assert_string_equal(name, "twb");
	assert_int_equal(tw_netns_name(dir, inode_of("zzz"), name, sizeof(name)), 0);
	assert_string_equal(name, "zzz");
}

static void name_unknown(void **state)
{
	char name[64];

	(void)state;
	assert_int_equal(tw_netns_name(dir, 1, name, sizeof(name)), -ENOENT);
	assert_int_equal(tw_netns_name("/nonexistent/netns", inode_of("twa"), name, sizeof(name)),
			 -ENOENT);
}

static void enter_missing(void **state)
{
	char err[256];

	(void)state;
	assert_int_equal(tw_netns_enter("tw-unit-test-no-such-ns", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "network namespace \"tw-unit-test-no-such-ns\" not found"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(name_by_inode),
		cmocka_unit_test(name_unknown),
		cmocka_unit_test(enter_missing),
	};

	return cmocka_run_group_tests_name("netns", tests, make_dir, remove_dir);
}

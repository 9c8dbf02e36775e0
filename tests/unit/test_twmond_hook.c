// SPDX-License-Identifier: GPL-2.0
/*
 * twmond's exec hooks (issue 12): a hook runs without any capability even
 * when twmond holds CAP_NET_ADMIN as an ambient capability (the shipped
 * unit: DynamicUser, AmbientCapabilities=CAP_NET_ADMIN); it is killed, with
 * what it started, after exec_timeout_ms; at most exec_max run at once, the
 * others wait in a queue, and past the queue they are dropped and counted;
 * twd_hooks_end() (twmond's exit) leaves none running. The capabilities and
 * the processes are read from /proc, not from twmond's own counters.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "sink.h"

static char dir[64], hook[128];

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void write_hook(const char *body)
{
	FILE *f = fopen(hook, "w");

	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	assert_int_equal(chmod(hook, 0755), 0);
}

static void open_sink(struct twd_sink *s, struct twd_hooks *hk, unsigned int max,
		      unsigned int timeout_ms)
{
	struct twd_conf c;
	char err[256];

	twd_conf_defaults(&c);
	snprintf(c.exec, sizeof(c.exec), "%s", hook);
	c.exec_max = max;
	c.exec_timeout_ms = timeout_ms;
	assert_int_equal(twd_sink_open(s, &c, err, sizeof(err)), 0);
	twd_hooks_init(hk, &c);
	s->hooks = hk;
}

static void fire(struct twd_sink *s, int n)
{
	struct twd_alert a;

	memset(&a, 0, sizeof(a));
	a.rule = TWD_R_OVERFLOW;
	a.sev = TWD_SEV_CRITICAL;
	a.netns = 4026531840u;
	a.value = n;
	snprintf(a.message, sizeof(a.message), "test alert %d", n);
	twd_sink_alert(s, TWD_EV_FIRE, &a);
}

/* Run the hooks' clock until none runs or ms pass */
static void tick_until_idle(struct twd_sink *s, int ms)
{
	int64_t until = now_ms() + ms;

	while (now_ms() < until && (s->hooks->st.running || s->hooks->st.queued)) {
		twd_hooks_tick(s, now_ms());
		usleep(10000);
	}
}

/* A process that is gone, or a zombie nobody reaped yet */
static bool dead(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	p = p ? strrchr(buf, ')') : NULL;
	return p && (p[2] == 'Z' || p[2] == 'X');
}

/* Every pid listed in the files dir/NAME.* (one per file) */
static int pids(const char *name, pid_t *out, int max)
{
	char cmd[256];
	FILE *f;
	int n = 0, v;

	snprintf(cmd, sizeof(cmd), "cat %s/%s.* 2>/dev/null", dir, name);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (n < max && fscanf(f, "%d", &v) == 1)
		out[n++] = v;
	pclose(f);
	return n;
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/twmond-hook.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	chmod(dir, 0777); /* the hook may run as nobody */
	snprintf(hook, sizeof(hook), "%s/hook", dir);
	setenv("HOOK_DIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static unsigned long long cap_line(const char *text, const char *name)
{
	const char *p = strstr(text, name);

	assert_non_null(p);
	return strtoull(p + strlen(name), NULL, 16);
}

/*
 * As the unit runs twmond: an unprivileged user with CAP_NET_ADMIN ambient
 * (and so permitted, effective, inheritable). The hook must have none.
 */
static void no_capabilities(void **state)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	char path[128], text[1024];
	int status;
	size_t n;
	pid_t pid;
	FILE *f;

	(void)state;
	if (geteuid())
		skip(); /* to give a user CAP_NET_ADMIN takes root */
	write_hook("grep ^Cap /proc/self/status >\"$HOOK_DIR/caps.tmp\"\n"
		   "mv \"$HOOK_DIR/caps.tmp\" \"$HOOK_DIR/caps\"");
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct twd_sink s;
		struct twd_hooks hk;

		memset(data, 0, sizeof(data));
		data[0].permitted = data[0].effective = data[0].inheritable = 1u << CAP_NET_ADMIN;
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) || setgroups(0, NULL) ||
		    setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534) ||
		    syscall(SYS_capset, &hdr, data) ||
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_NET_ADMIN, 0, 0))
			_exit(3);
		open_sink(&s, &hk, 1, 5000);
		fire(&s, 1);
		tick_until_idle(&s, 3000);
		_exit(hk.st.started == 1 && !hk.st.running ? 0 : 4);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	snprintf(path, sizeof(path), "%s/caps", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = 0;
	fclose(f);
	print_message("# the hook's %s", text);
	assert_int_equal(cap_line(text, "CapInh:"), 0);
	assert_int_equal(cap_line(text, "CapPrm:"), 0);
	assert_int_equal(cap_line(text, "CapEff:"), 0);
	assert_int_equal(cap_line(text, "CapAmb:"), 0);
}

/* exec_max = 2, exec_timeout_ms = 300: five hooks that would sleep 30 s */
static void timeout_and_limit(void **state)
{
	struct twd_sink s;
	struct twd_hooks hk;
	pid_t p[16];
	int64_t t0;
	int i, n;

	(void)state;
	/* the shell and the sleep it starts: both must go */
	write_hook(
		"echo $$ >\"$HOOK_DIR/sh.$$\"\nsleep 30 &\necho $! >\"$HOOK_DIR/sleep.$$\"\nwait");
	open_sink(&s, &hk, 2, 300);
	t0 = now_ms();
	for (i = 0; i < 5; i++)
		fire(&s, i);
	assert_int_equal(hk.st.running, 2);
	assert_int_equal(hk.st.queued, 3);
	tick_until_idle(&s, 3000);
	print_message("# 5 hooks of 30 s, 2 at a time, 300 ms each: done in %lld ms\n",
		      (long long)(now_ms() - t0));
	assert_true(now_ms() - t0 < 2500);
	assert_int_equal(hk.st.started, 5);
	assert_int_equal(hk.st.killed, 5);
	assert_int_equal(hk.st.running, 0);
	usleep(100000);
	n = pids("sh", p, 16);
	assert_int_equal(n, 5);
	n += pids("sleep", p + n, 16 - n);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		if (!dead(p[i]))
			fail_msg("pid %d still runs", (int)p[i]);
	twd_sink_close(&s);
}

/* Past the queue, alerts are dropped and counted; at exit none survives */
static void queue_full_and_exit(void **state)
{
	struct twd_sink s;
	struct twd_hooks hk;
	pid_t p[4];
	int i, n, err;

	(void)state;
	system("rm -f \"$HOOK_DIR\"/sh.* \"$HOOK_DIR\"/sleep.*");
	write_hook(
		"echo $$ >\"$HOOK_DIR/sh.$$\"\nsleep 30 &\necho $! >\"$HOOK_DIR/sleep.$$\"\nwait");
	open_sink(&s, &hk, 2, 10000);
	fflush(stderr);
	err = dup(2);
	freopen("/dev/null", "w", stderr); /* 37 alert lines */
	for (i = 0; i < 2 + TWD_HOOK_QUEUE + 3; i++)
		fire(&s, i);
	fflush(stderr);
	dup2(err, 2);
	close(err);
	assert_int_equal(hk.st.running, 2);
	assert_int_equal(hk.st.queued, TWD_HOOK_QUEUE);
	assert_int_equal(hk.st.dropped, 3);
	usleep(300000); /* the two write their pids */
	twd_hooks_end(&s);
	assert_int_equal(hk.st.running, 0);
	assert_int_equal(hk.st.killed, 2);
	assert_int_equal(hk.st.dropped, 3 + TWD_HOOK_QUEUE);
	usleep(100000);
	n = pids("sh", p, 4);
	assert_int_equal(n, 2);
	n += pids("sleep", p + n, 4 - n);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		if (!dead(p[i]))
			fail_msg("pid %d still runs after twd_hooks_end", (int)p[i]);
	twd_sink_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_capabilities),
		cmocka_unit_test(timeout_and_limit),
		cmocka_unit_test(queue_full_and_exit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

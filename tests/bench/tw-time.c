// SPDX-License-Identifier: GPL-2.0
/*
 * tw-time: time a command with CLOCK_MONOTONIC, for the benchmarks.
 *
 *   tw-time N CMD [ARG...]   run CMD N times one after the other (stdout
 *                            and stderr to /dev/null), print one line
 *                            "min median max mean" in ns per run
 *   tw-time --now            print CLOCK_MONOTONIC in ns
 *   tw-time --latency US CMD [ARG...]
 *                            run CMD once while this process, at
 *                            SCHED_FIFO priority 90, wakes up every US
 *                            microseconds (clock_nanosleep to an absolute
 *                            time) and notes how late each wake-up is: a
 *                            stall probe (the way cyclictest measures).
 *                            It preempts CMD whenever the kernel lets it,
 *                            so a late wake-up is time the CPU could not
 *                            be taken: interrupts off, preemption off, a
 *                            stop_machine, a long loop without a
 *                            rescheduling point. Prints one line
 *                            "elapsed_ns max_late_ns wakeups mean_late_ns"
 *   tw-time --spin MS        burn MS ms of CPU in user space (always
 *                            preemptible: the --latency baseline)
 *   tw-time --stolen MS      spin for MS ms reading CLOCK_MONOTONIC and
 *                            sum every gap of more than 2 us between two
 *                            reads: time the CPU spent elsewhere
 *                            (interrupts, softirqs such as a batch of
 *                            expiring timers, other tasks). Prints one
 *                            line "elapsed_ns stolen_ns gaps"
 *
 * Exits 1 (with the reason on stderr) if CMD cannot run or one run exits
 * non-zero or dies: a failed query must not be timed as a fast one.
 * Build: gcc -O2 -Wall -Wextra -Werror -static -o tw-time tw-time.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int64_t run_once(char **argv)
{
	int64_t t0 = mono_ns();
	int st, fd;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "tw-time: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		fd = open("/dev/null", O_WRONLY);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid) {
		fprintf(stderr, "tw-time: waitpid: %s\n", strerror(errno));
		exit(1);
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "tw-time: %s failed (status 0x%x)\n", argv[0], st);
		exit(1);
	}
	return mono_ns() - t0;
}

static pid_t spawn(char **argv, int quiet)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0) {
		fprintf(stderr, "tw-time: fork: %s\n", strerror(errno));
		exit(1);
	}
	if (pid == 0) {
		fd = quiet ? open("/dev/null", O_WRONLY) : -1;
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* --latency US CMD...: the stall probe */
static int latency(long us, char **argv)
{
	struct sched_param sp = { .sched_priority = 90 };
	int64_t t0 = mono_ns(), next, late, max = 0, sum = 0, n = 0;
	struct timespec ts;
	pid_t pid = spawn(argv, 0);
	int st;

	/* only this process: CMD runs with the normal policy */
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		fprintf(stderr, "tw-time: SCHED_FIFO: %s\n", strerror(errno));
		exit(1);
	}
	next = mono_ns();
	for (;;) {
		next += us * 1000;
		ts.tv_sec = next / 1000000000;
		ts.tv_nsec = next % 1000000000;
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		late = mono_ns() - next;
		if (late > max)
			max = late;
		sum += late;
		n++;
		/* a wake-up missed entirely is counted once, from the last */
		if (late > us * 1000)
			next += late / (us * 1000) * us * 1000;
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "tw-time: %s failed (status 0x%x)\n", argv[0], st);
		return 1;
	}
	printf("%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", mono_ns() - t0, max, n,
	       n ? sum / n : 0);
	return 0;
}

/* --spin MS: user-space CPU for MS ms of CLOCK_MONOTONIC */
static int spin(long ms)
{
	int64_t end = mono_ns() + (int64_t)ms * 1000000;
	volatile uint64_t x = 0;

	while (mono_ns() < end)
		for (int i = 0; i < 1000; i++)
			x++;
	return 0;
}

/* --stolen MS: what the CPU did elsewhere while this process spun */
static int stolen(long ms)
{
	int64_t t0 = mono_ns(), end = t0 + (int64_t)ms * 1000000, prev = t0, now,
		sum = 0, gaps = 0;

	while ((now = mono_ns()) < end) {
		if (now - prev > 2000) {
			sum += now - prev;
			gaps++;
		}
		prev = now;
	}
	printf("%" PRId64 " %" PRId64 " %" PRId64 "\n", now - t0, sum, gaps);
	return 0;
}

int main(int argc, char **argv)
{
	int64_t *t, sum = 0;
	long n, i;
	char *end;

	if (argc == 2 && strcmp(argv[1], "--now") == 0) {
		printf("%" PRId64 "\n", mono_ns());
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--spin") == 0)
		return spin(strtol(argv[2], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "--stolen") == 0)
		return stolen(strtol(argv[2], NULL, 10));
	if (argc >= 4 && strcmp(argv[1], "--latency") == 0) {
		n = strtol(argv[2], &end, 10);
		if (*end || n < 10 || n > 1000000) {
			fprintf(stderr, "tw-time: bad interval '%s'\n", argv[2]);
			return 2;
		}
		return latency(n, argv + 3);
	}
	if (argc < 3) {
		fputs("usage: tw-time N CMD [ARG...] | tw-time --now | tw-time --latency US CMD [ARG...]"
		      " | tw-time --spin MS | tw-time --stolen MS\n", stderr);
		return 2;
	}
	n = strtol(argv[1], &end, 10);
	if (*end || n < 1 || n > 1000000) {
		fprintf(stderr, "tw-time: bad count '%s'\n", argv[1]);
		return 2;
	}
	t = calloc((size_t)n, sizeof(*t));
	if (!t)
		return 1;
	for (i = 0; i < n; i++) {
		t[i] = run_once(argv + 2);
		sum += t[i];
	}
	qsort(t, (size_t)n, sizeof(*t), cmp64);
	printf("%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 "\n", t[0],
	       n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2, t[n - 1], sum / n);
	return 0;
}

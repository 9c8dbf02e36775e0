// SPDX-License-Identifier: GPL-2.0
/*
 * tw-time: time a command with CLOCK_MONOTONIC, for the benchmarks.
 *
 *   tw-time N CMD [ARG...]   run CMD N times one after the other (stdout
 *                            and stderr to /dev/null), print one line
 *                            "min median max mean" in ns per run
 *   tw-time --now            print CLOCK_MONOTONIC in ns
 *
 * Exits 1 (with the reason on stderr) if CMD cannot run or one run exits
 * non-zero or dies: a failed query must not be timed as a fast one.
 * Build: gcc -O2 -Wall -Wextra -Werror -static -o tw-time tw-time.c
 */
#define _GNU_SOURCE
#include <errno.h>
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

int main(int argc, char **argv)
{
	int64_t *t, sum = 0;
	long n, i;
	char *end;

	if (argc == 2 && strcmp(argv[1], "--now") == 0) {
		printf("%" PRId64 "\n", mono_ns());
		return 0;
	}
	if (argc < 3) {
		fputs("usage: tw-time N CMD [ARG...] | tw-time --now\n", stderr);
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

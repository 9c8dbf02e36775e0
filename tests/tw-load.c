/*
 * tw-load: TCP load generator for twmon's VM tests.
 *
 * The tests compare twmon's TIME_WAIT counters with oracles, so this tool
 * must create exactly the TIME_WAIT pattern asked for and say exactly what
 * it did. Every connection runs one fixed exchange:
 *
 *     client: connect, send REQUEST (8 bytes)
 *     server: read REQUEST, send REPLY (8 bytes)
 *     then the side named by --close closes first and ends in TIME_WAIT;
 *     the other side waits for its FIN (read returns 0), closes second and
 *     goes LAST_ACK -> CLOSED with no TIME_WAIT.
 *
 * Both ends read everything the peer sent before closing: close() with
 * unread data sends an RST (TcpExtTCPAbortOnClose) instead of a FIN, which
 * would silently remove a TIME_WAIT the test expects. --linger0 sets
 * SO_LINGER {1, 0}: close() then sends an RST on purpose (TcpExtTCPAbortOnData)
 * and nobody enters TIME_WAIT.
 *
 * stdout carries exactly one JSON object, printed at the end; everything
 * else goes to stderr. Exit codes: 0 done, 1 fatal setup error, 2 bad
 * arguments, 3 timed out or interrupted (the JSON is still printed).
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -static -o tests/tw-load tests/tw-load.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

enum { EXIT_OK = 0, EXIT_FATAL = 1, EXIT_USAGE = 2, EXIT_TIMEOUT = 3 };

/* The exchange. Fixed sizes let each side know when it has read it all. */
#define REQ_LEN 8
#define REPLY_LEN 8
static const char REQUEST[] = "twload?\n";
static const char REPLY[] = "twload!\n";

#define NS_PER_MS INT64_C(1000000)
#define NEVER INT64_MAX

/* ------------------------------------------------------------------ */
/* Diagnostics                                                         */

static void vmsg(const char *fmt, va_list ap)
{
	fputs("tw-load: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) warnmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(EXIT_FATAL);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputs("Try 'tw-load --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* ------------------------------------------------------------------ */
/* Time: everything is CLOCK_MONOTONIC, in nanoseconds                 */

static int64_t mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		die("clock_gettime(CLOCK_MONOTONIC): %s", strerror(errno));
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A poll/epoll timeout in ms that does not wake up before deadline. */
static int timeout_ms_until(int64_t deadline, int64_t now)
{
	int64_t ms;

	if (deadline == NEVER)
		return -1;
	if (deadline <= now)
		return 0;
	ms = (deadline - now + NS_PER_MS - 1) / NS_PER_MS;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* deadline = now + ms, saturating at NEVER */
static int64_t after_ms(int64_t now, int64_t ms)
{
	if (ms < 0 || ms > (NEVER - now) / NS_PER_MS)
		return NEVER;
	return now + ms * NS_PER_MS;
}

/* ------------------------------------------------------------------ */
/* Argument parsing helpers                                            */

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min, uint64_t max)
{
	unsigned long long v;
	char *end;

	/* strtoull accepts "-1" and leading blanks: refuse both */
	if (*s < '0' || *s > '9')
		die_usage("%s: '%s' is not a number", opt, s);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		die_usage("%s: '%s' is not an integer in %" PRIu64 "..%" PRIu64, opt, s, min, max);
	return v;
}

/* "R" or "R/s", R > 0, decimals allowed */
static double parse_rate(const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && strcmp(end, "/s") == 0)
		end += 2;
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 1e9)
		die_usage("--rate: '%s' is not a rate like 500 or 500/s", s);
	return v;
}

/* --close client|server: true when the client closes first */
static bool parse_close(const char *s)
{
	if (strcmp(s, "client") == 0)
		return true;
	if (strcmp(s, "server") == 0)
		return false;
	die_usage("--close: expected client or server, got '%s'", s);
}

/* ------------------------------------------------------------------ */
/* Addresses: numeric only (no resolver: the binary is static)         */

struct addr {
	socklen_t len;
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_storage ss;
	} u;
};

static int addr_family(const struct addr *a)
{
	return a->u.sa.sa_family;
}

static bool parse_ip(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->u.in.sin_addr) == 1) {
		a->u.in.sin_family = AF_INET;
		a->len = sizeof(a->u.in);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a->u.in6.sin6_addr) == 1) {
		a->u.in6.sin6_family = AF_INET6;
		a->len = sizeof(a->u.in6);
		return true;
	}
	return false;
}

static void set_port(struct addr *a, uint16_t port)
{
	if (addr_family(a) == AF_INET)
		a->u.in.sin_port = htons(port);
	else
		a->u.in6.sin6_port = htons(port);
}

static uint16_t get_port(const struct addr *a)
{
	return ntohs(addr_family(a) == AF_INET ? a->u.in.sin_port : a->u.in6.sin6_port);
}

/* "A.B.C.D:P" or "[V6]:P"; a bare IPv6 address needs the brackets */
static bool parse_ip_port(const char *opt, const char *s, struct addr *a)
{
	char host[INET6_ADDRSTRLEN + 1];
	bool bracketed = s[0] == '[';
	const char *end, *port;
	size_t n;

	if (bracketed) {
		end = strchr(s, ']');
		if (end == NULL || end[1] != ':')
			return false;
		s++;
		port = end + 2;
	} else {
		end = strrchr(s, ':');
		if (end == NULL || memchr(s, ':', (size_t)(end - s)) != NULL)
			return false;
		port = end + 1;
	}
	n = (size_t)(end - s);
	if (n == 0 || n >= sizeof(host))
		return false;
	memcpy(host, s, n);
	host[n] = '\0';
	if (!parse_ip(host, a))
		return false;
	/* brackets are for IPv6 only */
	if (bracketed != (addr_family(a) == AF_INET6))
		return false;
	set_port(a, (uint16_t)parse_u64(opt, port, 1, 65535));
	return true;
}

static const char *addr_str(const struct addr *a, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];
	const void *raw = addr_family(a) == AF_INET ? (const void *)&a->u.in.sin_addr
						    : (const void *)&a->u.in6.sin6_addr;

	if (inet_ntop(addr_family(a), raw, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, len, addr_family(a) == AF_INET ? "%s:%u" : "[%s]:%u", ip, get_port(a));
	return buf;
}

/* The raw address bytes, network order, and their number */
static unsigned char *addr_bytes(struct addr *a, size_t *n)
{
	if (addr_family(a) == AF_INET) {
		*n = 4;
		return (unsigned char *)&a->u.in.sin_addr;
	}
	*n = 16;
	return (unsigned char *)&a->u.in6.sin6_addr;
}

/* Big-endian compare of two addresses of the same family */
static int addr_cmp(const struct addr *a, const struct addr *b)
{
	struct addr x = *a, y = *b;
	size_t n;
	const unsigned char *bx = addr_bytes(&x, &n), *by = addr_bytes(&y, &n);

	return memcmp(bx, by, n);
}

/* Next address of a range lo-hi, wrapping back to lo after hi */
static void addr_next_in_range(struct addr *cur, const struct addr *lo, const struct addr *hi)
{
	size_t n;
	unsigned char *b;

	if (addr_cmp(cur, hi) >= 0) {
		*cur = *lo;
		return;
	}
	b = addr_bytes(cur, &n);
	while (n-- > 0)
		if (++b[n] != 0)
			break;
}

/* ------------------------------------------------------------------ */
/* Error accounting: totals by (stage, errno), printed as error_detail */

enum stage {
	ST_SOCKET, ST_SETSOCKOPT, ST_BIND, ST_CONNECT, ST_EPOLL, ST_SEND, ST_RECV,
	ST_PROTOCOL, ST_TIMEOUT, ST_ACCEPT, ST_SHUTDOWN, ST_WAIT_FIN, ST_LAST_ACK,
};

static const char *const stage_names[] = {
	[ST_SOCKET] = "socket", [ST_SETSOCKOPT] = "setsockopt", [ST_BIND] = "bind",
	[ST_CONNECT] = "connect", [ST_EPOLL] = "epoll", [ST_SEND] = "send",
	[ST_RECV] = "recv", [ST_PROTOCOL] = "protocol", [ST_TIMEOUT] = "timeout",
	[ST_ACCEPT] = "accept", [ST_SHUTDOWN] = "shutdown", [ST_WAIT_FIN] = "wait_fin",
	[ST_LAST_ACK] = "last_ack",
};

/* pseudo errno values for failures that are not syscall errors */
#define ERR_EOF (-1)	  /* the peer closed before the exchange was done */
#define ERR_BADDATA (-2)  /* the peer sent something other than the exchange */

struct err_count {
	enum stage stage;
	int err;
	uint64_t n;
};

struct err_table {
	struct err_count e[64];
	size_t n;
	uint64_t unlisted;
};

static void err_table_add(struct err_table *t, enum stage stage, int err)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].stage == stage && t->e[i].err == err) {
			t->e[i].n++;
			return;
		}
	if (t->n == sizeof(t->e) / sizeof(t->e[0])) {
		t->unlisted++;
		return;
	}
	t->e[t->n++] = (struct err_count){ stage, err, 1 };
}

static const char *err_name(int err, char *buf, size_t len)
{
	const char *name;

	if (err == ERR_EOF)
		return "EOF";
	if (err == ERR_BADDATA)
		return "BADDATA";
	name = strerrorname_np(err);
	if (name != NULL)
		return name;
	snprintf(buf, len, "E%d", err);
	return buf;
}

/* Lines logged per run: the first few tell the story, the JSON has the totals */
#define LOG_LIMIT 8

static void log_error(const char *what, enum stage stage, int err, unsigned *logged)
{
	char buf[16];

	if (*logged >= LOG_LIMIT)
		return;
	if (++*logged == LOG_LIMIT)
		warnmsg("%s: %s: %s (further errors only in the JSON summary)", what,
			stage_names[stage], err_name(err, buf, sizeof(buf)));
	else
		warnmsg("%s: %s: %s", what, stage_names[stage], err_name(err, buf, sizeof(buf)));
}

/* ------------------------------------------------------------------ */
/* JSON output (keys and string values here never need escaping)       */

struct json {
	bool first;
};

static void json_key(struct json *j, const char *key)
{
	printf("%s\"%s\":", j->first ? "" : ",", key);
	j->first = false;
}

static void json_u64(struct json *j, const char *key, uint64_t v)
{
	json_key(j, key);
	printf("%" PRIu64, v);
}

static void json_i64_or_null(struct json *j, const char *key, bool set, int64_t v)
{
	json_key(j, key);
	if (set)
		printf("%" PRId64, v);
	else
		fputs("null", stdout);
}

static void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", stdout);
}

static void json_str(struct json *j, const char *key, const char *v)
{
	json_key(j, key);
	printf("\"%s\"", v);
}

static void json_errors(struct json *j, const char *key, const struct err_table *t)
{
	char buf[16];
	size_t i;

	json_key(j, key);
	putchar('{');
	for (i = 0; i < t->n; i++)
		printf("%s\"%s:%s\":%" PRIu64, i ? "," : "", stage_names[t->e[i].stage],
		       err_name(t->e[i].err, buf, sizeof(buf)), t->e[i].n);
	if (t->unlisted)
		printf("%s\"unlisted\":%" PRIu64, t->n ? "," : "", t->unlisted);
	putchar('}');
}

static void json_begin(struct json *j)
{
	j->first = true;
	putchar('{');
}

static void json_end(void)
{
	puts("}");
	if (fflush(stdout) != 0 || ferror(stdout))
		die("writing the JSON summary to stdout failed");
}

/* ------------------------------------------------------------------ */
/* Process setup                                                       */

/*
 * SIGTERM/SIGINT/SIGHUP are blocked and read from a signalfd inside the
 * event loop, so no syscall is ever interrupted half-way and the summary
 * is always printed. SIGPIPE is ignored; sends use MSG_NOSIGNAL anyway.
 */
static int setup_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	sigset_t set;
	int fd;

	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		die("sigaction(SIGPIPE): %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		die("sigprocmask: %s", strerror(errno));
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		die("signalfd: %s", strerror(errno));
	return fd;
}

/* Returns the last signal number read, 0 if none was pending */
static int read_signals(int sigfd)
{
	struct signalfd_siginfo si;
	int signo = 0;
	ssize_t n;

	for (;;) {
		n = read(sigfd, &si, sizeof(si));
		if (n == (ssize_t)sizeof(si)) {
			signo = (int)si.ssi_signo;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN)
			die("read(signalfd): %s", strerror(errno));
		return signo;
	}
}

/* Many sockets at once: take the whole hard limit of descriptors */
static uint64_t raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		die("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			warnmsg("setrlimit(RLIMIT_NOFILE, %llu): %s", (unsigned long long)rl.rlim_max,
				strerror(errno));
		if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
			die("getrlimit(RLIMIT_NOFILE): %s", strerror(errno));
	}
	return rl.rlim_cur;
}

static int make_epoll(int sigfd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = UINT64_MAX };
	int ep = epoll_create1(EPOLL_CLOEXEC);

	if (ep < 0)
		die("epoll_create1: %s", strerror(errno));
	if (epoll_ctl(ep, EPOLL_CTL_ADD, sigfd, &ev) != 0)
		die("epoll_ctl(signalfd): %s", strerror(errno));
	return ep;
}

static int set_int_opt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value));
}

/* close() then sends an RST and the socket skips TIME_WAIT */
static int set_linger0(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

/*
 * Linux releases the descriptor even when close() fails (EINTR included),
 * so a failed close is reported, never retried.
 */
static void close_fd(int fd)
{
	if (close(fd) != 0)
		warnmsg("close(%d): %s", fd, strerror(errno));
}

/* ------------------------------------------------------------------ */
/* server                                                              */

struct server_opts {
	struct addr addr;
	bool client_closes;	/* --close client: wait for the peer's FIN first */
	bool linger0;
	int backlog;
	uint64_t count;		/* 0: no limit */
	int64_t duration_ms;	/* -1: no limit */
	const char *ready_file;
};

enum sstate { S_FREE, S_READ_REQ, S_WRITE_REPLY, S_WAIT_EOF };

struct sconn {
	enum sstate st;
	uint32_t events;
	size_t done;
	char buf[REQ_LEN];
};

struct server {
	const struct server_opts *o;
	int ep, sigfd, lfd;
	struct sconn *conns;	/* indexed by descriptor */
	size_t cap;
	uint64_t open;
	int64_t t0, listen_resume;	/* listen_resume: NEVER unless paused */
	bool stopping;
	int64_t grace_end;
	/* what the summary reports */
	uint64_t accepted, served, conn_errors, accept_errors, peer_resets, unfinished;
	struct err_table errs;
	unsigned logged;
	int signo;
};

/* How long in-flight connections may still finish after a stop */
#define SERVER_GRACE_MS 1000
/* Back-off when accept() runs out of descriptors or memory */
#define ACCEPT_PAUSE_MS 100
/* Connections accepted per wake-up, so established ones get their turn */
#define ACCEPT_BATCH 64

static void server_count_error(struct server *s, enum stage stage, int err)
{
	log_error("server", stage, err, &s->logged);
	err_table_add(&s->errs, stage, err);
}

static void server_set_events(struct server *s, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)fd };

	if (s->conns[fd].events == events)
		return;
	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, fd, &ev) != 0)
		die("epoll_ctl(MOD %d): %s", fd, strerror(errno));
	s->conns[fd].events = events;
}

static void server_release(struct server *s, int fd)
{
	close_fd(fd);
	s->conns[fd].st = S_FREE;
	s->open--;
}

static void server_fail(struct server *s, int fd, enum stage stage, int err)
{
	server_count_error(s, stage, err);
	s->conn_errors++;
	server_release(s, fd);
}

/* The exchange is done: close, abortively with --linger0 */
static void server_finish(struct server *s, int fd)
{
	if (s->o->linger0 && set_linger0(fd) != 0) {
		server_fail(s, fd, ST_SETSOCKOPT, errno);
		return;
	}
	s->served++;
	server_release(s, fd);
}

/* Move one connection as far as it can go without blocking */
static void server_progress(struct server *s, int fd)
{
	struct sconn *c = &s->conns[fd];
	char scratch[512];
	ssize_t n;

	for (;;) {
		switch (c->st) {
		case S_READ_REQ:
			/* never read past the request: the client sends nothing more */
			n = recv(fd, c->buf + c->done, REQ_LEN - c->done, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					server_fail(s, fd, ST_RECV, errno);
				return;
			}
			if (n == 0) {
				server_fail(s, fd, ST_RECV, ERR_EOF);
				return;
			}
			c->done += (size_t)n;
			if (c->done < REQ_LEN)
				continue;
			if (memcmp(c->buf, REQUEST, REQ_LEN) != 0) {
				server_fail(s, fd, ST_PROTOCOL, ERR_BADDATA);
				return;
			}
			c->st = S_WRITE_REPLY;
			c->done = 0;
			continue;
		case S_WRITE_REPLY:
			n = send(fd, REPLY + c->done, REPLY_LEN - c->done, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					server_set_events(s, fd, EPOLLOUT);
				else
					server_fail(s, fd, ST_SEND, errno);
				return;
			}
			c->done += (size_t)n;
			if (c->done < REPLY_LEN)
				continue;
			if (!s->o->client_closes) {
				server_finish(s, fd);	/* we close first: TIME_WAIT here */
				return;
			}
			c->st = S_WAIT_EOF;
			server_set_events(s, fd, EPOLLIN);
			continue;
		case S_WAIT_EOF:
			n = recv(fd, scratch, sizeof(scratch), 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				if (errno == ECONNRESET) {
					/* a --linger0 client: aborted, but the exchange was done */
					s->peer_resets++;
					server_finish(s, fd);
				} else {
					server_fail(s, fd, ST_RECV, errno);
				}
				return;
			}
			if (n == 0) {
				server_finish(s, fd);	/* the client closed first */
				return;
			}
			continue;	/* stray bytes: drained, so close() still sends a FIN */
		case S_FREE:
			return;
		}
	}
}

static void server_track(struct server *s, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)fd };

	if ((size_t)fd >= s->cap) {
		size_t cap = s->cap ? s->cap : 256;
		struct sconn *p;

		while (cap <= (size_t)fd)
			cap *= 2;
		p = realloc(s->conns, cap * sizeof(*p));
		if (p == NULL)
			die("out of memory for %zu connections", cap);
		memset(p + s->cap, 0, (cap - s->cap) * sizeof(*p));
		s->conns = p;
		s->cap = cap;
	}
	s->conns[fd] = (struct sconn){ .st = S_READ_REQ, .events = EPOLLIN };
	s->open++;
	if (epoll_ctl(s->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		server_fail(s, fd, ST_EPOLL, errno);
		return;
	}
	server_progress(s, fd);	/* the request is often there already */
}

static void server_listen_events(struct server *s, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = (uint64_t)s->lfd };

	if (epoll_ctl(s->ep, EPOLL_CTL_MOD, s->lfd, &ev) != 0)
		die("epoll_ctl(listener): %s", strerror(errno));
}

static bool server_count_reached(const struct server *s)
{
	return s->o->count != 0 && s->accepted >= s->o->count;
}

static void server_accept(struct server *s, int64_t now)
{
	int i, fd;

	for (i = 0; i < ACCEPT_BATCH && !server_count_reached(s); i++) {
		fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			s->accepted++;
			server_track(s, fd);
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		s->accept_errors++;
		server_count_error(s, ST_ACCEPT, errno);
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			/* level-triggered: without a pause this would spin */
			server_listen_events(s, 0);
			s->listen_resume = after_ms(now, ACCEPT_PAUSE_MS);
		}
		return;
	}
	if (server_count_reached(s))
		server_listen_events(s, 0);	/* --count: accept no more */
}

/* Stop accepting; open connections get SERVER_GRACE_MS to finish */
static void server_stop(struct server *s, int64_t now)
{
	if (s->stopping)
		return;
	s->stopping = true;
	s->grace_end = after_ms(now, SERVER_GRACE_MS);
	close_fd(s->lfd);	/* also leaves the epoll set */
	s->lfd = -1;
	s->listen_resume = NEVER;
}

static int server_open_listener(const struct server_opts *o, struct addr *bound)
{
	int fd = socket(addr_family(&o->addr), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	char buf[64];

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0)
		die("setsockopt(SO_REUSEADDR): %s", strerror(errno));
	/* [::] must not also take IPv4: each family is tested on its own */
	if (addr_family(&o->addr) == AF_INET6 && set_int_opt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1) != 0)
		die("setsockopt(IPV6_V6ONLY): %s", strerror(errno));
	if (bind(fd, &o->addr.u.sa, o->addr.len) != 0)
		die("bind %s: %s", addr_str(&o->addr, buf, sizeof(buf)), strerror(errno));
	if (listen(fd, o->backlog) != 0)
		die("listen: %s", strerror(errno));
	*bound = o->addr;
	bound->len = sizeof(bound->u.ss);
	if (getsockname(fd, &bound->u.sa, &bound->len) != 0)
		die("getsockname: %s", strerror(errno));
	return fd;
}

/* Written to a temporary name and renamed: readers never see it half-done */
static void write_ready_file(const char *path, const struct addr *bound)
{
	char tmp[PATH_MAX], line[16];
	int fd, len;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		die("--ready-file: path too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		die("open %s: %s", tmp, strerror(errno));
	len = snprintf(line, sizeof(line), "%u\n", get_port(bound));
	if (write(fd, line, (size_t)len) != len)
		die("write %s: %s", tmp, strerror(errno));
	if (close(fd) != 0)
		die("close %s: %s", tmp, strerror(errno));
	if (rename(tmp, path) != 0)
		die("rename %s -> %s: %s", tmp, path, strerror(errno));
}

static void server_report(const struct server *s, int64_t now)
{
	struct json j;

	json_begin(&j);
	json_u64(&j, "accepted", s->accepted);
	json_u64(&j, "served", s->served);
	json_u64(&j, "errors", s->conn_errors + s->accept_errors);
	json_u64(&j, "accept_errors", s->accept_errors);
	json_u64(&j, "peer_resets", s->peer_resets);
	json_u64(&j, "unfinished", s->unfinished);
	json_str(&j, "closed_first_by", s->o->client_closes ? "client" : "server");
	json_bool(&j, "linger0", s->o->linger0);
	json_u64(&j, "elapsed_ms", (uint64_t)((now - s->t0) / NS_PER_MS));
	json_errors(&j, "error_detail", &s->errs);
	json_end();
}

static int run_server(const struct server_opts *o)
{
	struct server s = { .o = o, .listen_resume = NEVER, .grace_end = NEVER };
	struct epoll_event evs[64];
	int64_t now, stop_at, wake;
	struct addr bound;
	int i, n, fd;

	raise_nofile();
	s.sigfd = setup_signals();
	s.ep = make_epoll(s.sigfd);
	s.lfd = server_open_listener(o, &bound);
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = (uint64_t)s.lfd };

		if (epoll_ctl(s.ep, EPOLL_CTL_ADD, s.lfd, &ev) != 0)
			die("epoll_ctl(listener): %s", strerror(errno));
	}
	s.t0 = mono_ns();
	stop_at = o->duration_ms >= 0 ? after_ms(s.t0, o->duration_ms) : NEVER;
	if (o->ready_file)
		write_ready_file(o->ready_file, &bound);
	{
		char buf[64];

		fprintf(stderr, "ready\n");
		warnmsg("listening on %s", addr_str(&bound, buf, sizeof(buf)));
	}

	for (;;) {
		now = mono_ns();
		if (!s.stopping && (now >= stop_at ||
				    (o->count && s.served + s.conn_errors >= o->count)))
			server_stop(&s, now);
		if (s.stopping && (s.open == 0 || now >= s.grace_end))
			break;
		if (s.listen_resume != NEVER && now >= s.listen_resume) {
			s.listen_resume = NEVER;
			server_listen_events(&s, EPOLLIN);
		}
		wake = min64(s.stopping ? s.grace_end : stop_at, s.listen_resume);
		n = epoll_wait(s.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout_ms_until(wake, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.u64 == UINT64_MAX) {
				s.signo = read_signals(s.sigfd);
				if (s.signo)
					server_stop(&s, mono_ns());
				continue;
			}
			fd = (int)evs[i].data.u64;
			if (fd == s.lfd)
				server_accept(&s, now);
			else if ((size_t)fd < s.cap && s.conns[fd].st != S_FREE)
				server_progress(&s, fd);
		}
	}
	/* Whatever is still open did not finish in time: close it as it is */
	for (fd = 0; (size_t)fd < s.cap; fd++)
		if (s.conns[fd].st != S_FREE) {
			s.unfinished++;
			server_release(&s, fd);
		}
	if (s.signo)
		warnmsg("stopped by signal %d", s.signo);
	server_report(&s, mono_ns());
	free(s.conns);
	close_fd(s.ep);
	close_fd(s.sigfd);
	return EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* client                                                              */

struct client_opts {
	struct addr dst;
	uint64_t count;			/* UINT64_MAX: bounded by --duration-ms only */
	unsigned concurrency;
	bool client_closes;
	bool linger0;
	bool have_bind;			/* --bind ADDR */
	struct addr bind;
	bool bind_port_zero, bind_no_port;
	bool have_range;		/* --src-range LO-HI */
	struct addr range_lo, range_hi;
	bool have_dst_range;		/* --dst-range LO-HI */
	struct addr dst_lo, dst_hi;
	double rate;			/* connections started per second; 0: no limit */
	int64_t duration_ms;		/* -1: none */
	bool stop_on_eaddrnotavail;
	uint64_t mark_completed;	/* --mark-completed N: 0 = none */
	int64_t timeout_ms;		/* the whole run */
	int64_t conn_timeout_ms;	/* one connection */
};

enum cstate { C_FREE, C_CONNECTING, C_SENDING, C_READING, C_WAIT_EOF };

struct cslot {
	int fd;
	enum cstate st;
	uint32_t events;
	size_t done;
	int64_t deadline;
	char buf[REPLY_LEN];
};

struct client {
	const struct client_opts *o;
	int ep, sigfd;
	struct cslot *slots;
	unsigned *free_slots, nfree;
	struct addr next_src;
	struct addr next_dst;		/* --dst-range: the next destination */
	int64_t t0;
	bool launching;
	/* what the summary reports */
	uint64_t attempted, connected, completed, peer_resets, unfinished;
	uint64_t eaddrnotavail, connect_eaddrnotavail, bind_eaddrnotavail;
	uint64_t econnrefused, other_errors, bind_eaddrinuse;
	int64_t first_eaddrnotavail_ns, first_error_ns;	/* -1: none yet */
	int64_t mark_completed_ns;	/* when completed reached --mark-completed; -1 */
	bool timed_out;
	int signo;
	struct err_table errs;
	unsigned logged;
};

static bool client_needs_bind(const struct client_opts *o)
{
	return o->have_bind || o->have_range || o->bind_port_zero || o->bind_no_port;
}

/*
 * Every attempt ends in exactly one of: completed, eaddrnotavail,
 * econnrefused, other_errors, unfinished. EADDRNOTAVAIL is the port
 * exhaustion symptom (connect() finds no free 4-tuple), so it has a count
 * of its own and can stop the run.
 */
static void client_count_error(struct client *c, enum stage stage, int err)
{
	int64_t now = mono_ns();

	if (c->first_error_ns < 0)
		c->first_error_ns = now;
	if (err == EADDRNOTAVAIL && (stage == ST_CONNECT || stage == ST_BIND)) {
		c->eaddrnotavail++;
		if (stage == ST_CONNECT)
			c->connect_eaddrnotavail++;
		else
			c->bind_eaddrnotavail++;
		if (c->first_eaddrnotavail_ns < 0) {
			c->first_eaddrnotavail_ns = now;
			warnmsg("first EADDRNOTAVAIL after %" PRId64 " ms, attempt %" PRIu64,
				(now - c->t0) / NS_PER_MS, c->attempted);
		}
		if (c->o->stop_on_eaddrnotavail)
			c->launching = false;
	} else if (err == ECONNREFUSED) {
		c->econnrefused++;
	} else {
		c->other_errors++;
		/* bind(port 0) runs out of ports with EADDRINUSE, not EADDRNOTAVAIL */
		if (stage == ST_BIND && err == EADDRINUSE)
			c->bind_eaddrinuse++;
	}
	/* EADDRNOTAVAIL is expected in floods: its first time is logged above */
	if (err != EADDRNOTAVAIL)
		log_error("client", stage, err, &c->logged);
	err_table_add(&c->errs, stage, err);
}

static void client_release(struct client *c, unsigned i)
{
	close_fd(c->slots[i].fd);
	c->slots[i].fd = -1;
	c->slots[i].st = C_FREE;
	c->free_slots[c->nfree++] = i;
}

static void client_fail(struct client *c, unsigned i, enum stage stage, int err)
{
	client_count_error(c, stage, err);
	client_release(c, i);
}

static void client_finish(struct client *c, unsigned i)
{
	if (c->o->linger0 && set_linger0(c->slots[i].fd) != 0) {
		client_fail(c, i, ST_SETSOCKOPT, errno);
		return;
	}
	c->completed++;
	if (c->completed == c->o->mark_completed && c->mark_completed_ns < 0)
		c->mark_completed_ns = mono_ns();
	client_release(c, i);
}

static bool client_set_events(struct client *c, unsigned i, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u64 = i };
	struct cslot *s = &c->slots[i];

	if (s->events == events)
		return true;
	if (epoll_ctl(c->ep, EPOLL_CTL_MOD, s->fd, &ev) != 0) {
		client_fail(c, i, ST_EPOLL, errno);
		return false;
	}
	s->events = events;
	return true;
}

/* Move one connected socket as far as it can go without blocking */
static void client_progress(struct client *c, unsigned i)
{
	struct cslot *s = &c->slots[i];
	char scratch[512];
	ssize_t n;

	for (;;) {
		switch (s->st) {
		case C_SENDING:
			n = send(s->fd, REQUEST + s->done, REQ_LEN - s->done, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					client_set_events(c, i, EPOLLOUT);
				else
					client_fail(c, i, ST_SEND, errno);
				return;
			}
			s->done += (size_t)n;
			if (s->done < REQ_LEN)
				continue;
			s->st = C_READING;
			s->done = 0;
			if (!client_set_events(c, i, EPOLLIN))
				return;
			continue;
		case C_READING:
			/* never read past the reply: it is all the server sends */
			n = recv(s->fd, s->buf + s->done, REPLY_LEN - s->done, 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK)
					client_fail(c, i, ST_RECV, errno);
				return;
			}
			if (n == 0) {
				client_fail(c, i, ST_RECV, ERR_EOF);
				return;
			}
			s->done += (size_t)n;
			if (s->done < REPLY_LEN)
				continue;
			if (memcmp(s->buf, REPLY, REPLY_LEN) != 0) {
				client_fail(c, i, ST_PROTOCOL, ERR_BADDATA);
				return;
			}
			if (c->o->client_closes) {
				client_finish(c, i);	/* we close first: TIME_WAIT here */
				return;
			}
			s->st = C_WAIT_EOF;
			continue;
		case C_WAIT_EOF:
			n = recv(s->fd, scratch, sizeof(scratch), 0);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno == EAGAIN || errno == EWOULDBLOCK)
					return;
				if (errno == ECONNRESET) {
					/* a --linger0 server: aborted after a full exchange */
					c->peer_resets++;
					client_finish(c, i);
				} else {
					client_fail(c, i, ST_RECV, errno);
				}
				return;
			}
			if (n == 0) {
				client_finish(c, i);	/* the server closed first */
				return;
			}
			continue;	/* stray bytes: drained so close() sends a FIN */
		case C_CONNECTING:
		case C_FREE:
			return;
		}
	}
}

static void client_connected(struct client *c, unsigned i)
{
	c->connected++;
	c->slots[i].st = C_SENDING;
	c->slots[i].done = 0;
	client_progress(c, i);
}

/* The source address for the next bind(); port 0, the kernel picks it */
static struct addr client_source(struct client *c)
{
	const struct client_opts *o = c->o;
	struct addr src;

	if (o->have_range) {
		src = c->next_src;
		addr_next_in_range(&c->next_src, &o->range_lo, &o->range_hi);
	} else if (o->have_bind) {
		src = o->bind;
	} else {
		/* wildcard address: the bind-then-connect pattern */
		memset(&src, 0, sizeof(src));
		src.u.sa.sa_family = (sa_family_t)addr_family(&o->dst);
		src.len = addr_family(&o->dst) == AF_INET ? sizeof(src.u.in) : sizeof(src.u.in6);
	}
	set_port(&src, 0);
	return src;
}

/* Opens a socket; returns it, or -1 after counting the failure */
static int client_open_socket(struct client *c)
{
	const struct client_opts *o = c->o;
	struct addr src;
	int fd = socket(addr_family(&o->dst), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		client_count_error(c, ST_SOCKET, errno);
		return -1;
	}
	if (!client_needs_bind(o))
		return fd;
	/* IP_BIND_ADDRESS_NO_PORT: bind() leaves the port to connect(), which
	 * can then share ports between destinations */
	if (o->bind_no_port && set_int_opt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1) != 0) {
		client_count_error(c, ST_SETSOCKOPT, errno);
		close_fd(fd);
		return -1;
	}
	src = client_source(c);
	if (bind(fd, &src.u.sa, src.len) != 0) {
		client_count_error(c, ST_BIND, errno);
		close_fd(fd);
		return -1;
	}
	return fd;
}

/* Starts one attempt; immediate failures are counted and leave no slot used */
static void client_launch(struct client *c, int64_t now)
{
	struct epoll_event ev = { .events = EPOLLOUT };
	struct cslot *s;
	unsigned i;
	struct addr dst = c->o->dst;
	int fd, rc;

	c->attempted++;
	fd = client_open_socket(c);
	if (fd < 0)
		return;
	if (c->o->have_dst_range) {
		dst = c->next_dst;
		set_port(&dst, get_port(&c->o->dst));
		addr_next_in_range(&c->next_dst, &c->o->dst_lo, &c->o->dst_hi);
	}
	rc = connect(fd, &dst.u.sa, dst.len);
	/* a non-blocking connect() interrupted by a signal goes on in the background */
	if (rc != 0 && errno != EINPROGRESS && errno != EINTR) {
		client_count_error(c, ST_CONNECT, errno);
		close_fd(fd);
		return;
	}
	i = c->free_slots[--c->nfree];
	s = &c->slots[i];
	*s = (struct cslot){ .fd = fd, .st = C_CONNECTING, .events = EPOLLOUT,
			     .deadline = after_ms(now, c->o->conn_timeout_ms) };
	ev.data.u64 = i;
	if (epoll_ctl(c->ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
		client_fail(c, i, ST_EPOLL, errno);
		return;
	}
	if (rc == 0)
		client_connected(c, i);
}

static void client_on_event(struct client *c, unsigned i, uint32_t events)
{
	struct cslot *s = &c->slots[i];
	socklen_t len = sizeof(int);
	int err = 0;

	if (s->st == C_FREE)
		return;
	if (s->st != C_CONNECTING) {
		client_progress(c, i);
		return;
	}
	if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return;
	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err != 0)
		client_fail(c, i, ST_CONNECT, err);
	else
		client_connected(c, i);
}

static unsigned client_active(const struct client *c)
{
	return c->o->concurrency - c->nfree;
}

/* Earliest time the next attempt may start under --rate */
static int64_t client_next_start(const struct client *c)
{
	if (c->o->rate <= 0)
		return 0;
	return c->t0 + (int64_t)((double)c->attempted * 1e9 / c->o->rate);
}

/* Fails connections past their own deadline; returns the next deadline */
static int64_t client_expire(struct client *c, int64_t now)
{
	int64_t next = NEVER;
	unsigned i;

	for (i = 0; i < c->o->concurrency; i++) {
		if (c->slots[i].st == C_FREE)
			continue;
		if (now >= c->slots[i].deadline)
			client_fail(c, i, ST_TIMEOUT, ETIMEDOUT);
		else
			next = min64(next, c->slots[i].deadline);
	}
	return next;
}

static void client_report(const struct client *c, int64_t now)
{
	const struct client_opts *o = c->o;
	struct json j;

	json_begin(&j);
	json_u64(&j, "attempted", c->attempted);
	json_u64(&j, "connected", c->connected);
	json_u64(&j, "completed", c->completed);
	json_u64(&j, "eaddrnotavail", c->eaddrnotavail);
	json_u64(&j, "econnrefused", c->econnrefused);
	json_u64(&j, "other_errors", c->other_errors);
	json_u64(&j, "unfinished", c->unfinished);
	json_u64(&j, "connect_eaddrnotavail", c->connect_eaddrnotavail);
	json_u64(&j, "bind_eaddrnotavail", c->bind_eaddrnotavail);
	json_u64(&j, "bind_eaddrinuse", c->bind_eaddrinuse);
	json_u64(&j, "peer_resets", c->peer_resets);
	json_str(&j, "closed_first_by", o->client_closes ? "client" : "server");
	json_bool(&j, "linger0", o->linger0);
	json_i64_or_null(&j, "first_eaddrnotavail_ms", c->first_eaddrnotavail_ns >= 0,
			 (c->first_eaddrnotavail_ns - c->t0) / NS_PER_MS);
	json_i64_or_null(&j, "first_eaddrnotavail_monotonic_ns", c->first_eaddrnotavail_ns >= 0,
			 c->first_eaddrnotavail_ns);
	json_i64_or_null(&j, "first_error_ms", c->first_error_ns >= 0,
			 (c->first_error_ns - c->t0) / NS_PER_MS);
	json_i64_or_null(&j, "first_error_monotonic_ns", c->first_error_ns >= 0, c->first_error_ns);
	json_i64_or_null(&j, "mark_completed_monotonic_ns", c->mark_completed_ns >= 0,
			 c->mark_completed_ns);
	json_u64(&j, "start_monotonic_ns", (uint64_t)c->t0);
	json_u64(&j, "elapsed_ms", (uint64_t)((now - c->t0) / NS_PER_MS));
	json_bool(&j, "timed_out", c->timed_out);
	json_bool(&j, "interrupted", c->signo != 0);
	json_errors(&j, "error_detail", &c->errs);
	json_end();
}

static void client_init(struct client *c, const struct client_opts *o)
{
	unsigned i;

	*c = (struct client){ .o = o, .first_eaddrnotavail_ns = -1, .first_error_ns = -1,
			      .mark_completed_ns = -1,
			      .launching = true };
	c->slots = calloc(o->concurrency, sizeof(*c->slots));
	c->free_slots = calloc(o->concurrency, sizeof(*c->free_slots));
	if (c->slots == NULL || c->free_slots == NULL)
		die("out of memory for %u connection slots", o->concurrency);
	/* the stack pops slot 0 first */
	for (i = 0; i < o->concurrency; i++) {
		c->slots[i].fd = -1;
		c->free_slots[o->concurrency - 1 - i] = i;
	}
	c->nfree = o->concurrency;
	c->next_src = o->range_lo;
	c->next_dst = o->dst_lo;
}

static int run_client(const struct client_opts *o)
{
	struct epoll_event evs[64];
	int64_t now, deadline, stop_at, wake, next_conn_deadline;
	struct client c;
	uint64_t nofile;
	unsigned i;
	int n, k;

	nofile = raise_nofile();
	if ((uint64_t)o->concurrency + 16 > nofile)
		die_usage("--concurrency %u needs more descriptors than RLIMIT_NOFILE allows (%" PRIu64 ")",
			  o->concurrency, nofile);
	client_init(&c, o);
	c.sigfd = setup_signals();
	c.ep = make_epoll(c.sigfd);
	c.t0 = mono_ns();
	deadline = after_ms(c.t0, o->timeout_ms);
	stop_at = o->duration_ms >= 0 ? after_ms(c.t0, o->duration_ms) : NEVER;

	for (;;) {
		now = mono_ns();
		if (now >= deadline) {
			c.timed_out = true;
			break;
		}
		next_conn_deadline = client_expire(&c, now);
		if (c.attempted >= o->count || now >= stop_at)
			c.launching = false;
		/* start what concurrency and --rate allow; failures here are instant */
		while (c.launching && c.nfree > 0 && c.attempted < o->count && now < deadline &&
		       now >= client_next_start(&c)) {
			client_launch(&c, now);
			now = mono_ns();
			if (now >= stop_at)
				c.launching = false;
		}
		if (c.attempted >= o->count)
			c.launching = false;
		if (!c.launching && client_active(&c) == 0)
			break;
		wake = min64(deadline, next_conn_deadline);
		if (c.launching) {
			wake = min64(wake, stop_at);
			if (c.nfree > 0)
				wake = min64(wake, client_next_start(&c));
		}
		n = epoll_wait(c.ep, evs, (int)(sizeof(evs) / sizeof(evs[0])), timeout_ms_until(wake, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait: %s", strerror(errno));
		}
		for (k = 0; k < n; k++) {
			if (evs[k].data.u64 == UINT64_MAX)
				c.signo = read_signals(c.sigfd);
			else
				client_on_event(&c, (unsigned)evs[k].data.u64, evs[k].events);
		}
		if (c.signo)
			break;
	}
	/* Timed out or interrupted: what is still in flight is abandoned */
	for (i = 0; i < o->concurrency; i++)
		if (c.slots[i].st != C_FREE) {
			c.unfinished++;
			client_release(&c, i);
		}
	if (c.timed_out)
		warnmsg("--timeout-ms %" PRId64 " reached", o->timeout_ms);
	if (c.signo)
		warnmsg("stopped by signal %d", c.signo);
	client_report(&c, mono_ns());
	free(c.slots);
	free(c.free_slots);
	close_fd(c.ep);
	close_fd(c.sigfd);
	return (c.timed_out || c.signo) ? EXIT_TIMEOUT : EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* syn-reuse: one 4-tuple, many incarnations                           */

/*
 * The server closes first and holds the TIME_WAIT. The client closes
 * second (CLOSE_WAIT -> LAST_ACK -> CLOSED, no TIME_WAIT on its side),
 * waits until its socket is really CLOSED, then binds the same local port
 * again and connects: the SYN reaches the server's TIME_WAIT socket, which
 * accepts it as a new incarnation (tcp_timewait_state_process returns
 * TCP_TW_SYN) and dies. So after N connections the server holds one
 * TIME_WAIT, and N - 1 were ended by a SYN.
 */
struct syn_opts {
	struct addr dst, src;
	uint64_t count;
	int64_t timeout_ms, conn_timeout_ms, gap_ms;
};

struct syn_run {
	const struct syn_opts *o;
	int sigfd;
	int64_t t0, deadline;
	int signo;
	bool timed_out;
	uint64_t attempted, connected, completed, errors;
	struct err_table errs;
	unsigned logged;
};

/*
 * Waits for events on fd (or, with fd < 0, only for the deadline).
 * Returns 0 when fd is ready, ETIMEDOUT at the deadline, EINTR when a
 * signal arrived (r->signo says which).
 */
static int syn_wait(struct syn_run *r, int fd, short events, int64_t deadline)
{
	struct pollfd p[2];
	int64_t now;
	int n;

	for (;;) {
		now = mono_ns();
		if (now >= deadline)
			return ETIMEDOUT;
		p[0] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = fd, .events = events };
		n = poll(p, fd >= 0 ? 2 : 1, timeout_ms_until(deadline, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[0].revents) {
			r->signo = read_signals(r->sigfd);
			if (r->signo)
				return EINTR;
		}
		if (fd >= 0 && p[1].revents)
			return 0;
	}
}

/* Sleep until deadline, waking early only for a signal (then EINTR) */
static int syn_sleep_until(struct syn_run *r, int64_t until)
{
	int rc = syn_wait(r, -1, 0, until);

	return rc == ETIMEDOUT ? 0 : rc;
}

static int syn_send_all(struct syn_run *r, int fd, int64_t dl, enum stage *stage)
{
	size_t done = 0;
	ssize_t n;
	int rc;

	*stage = ST_SEND;
	while (done < REQ_LEN) {
		n = send(fd, REQUEST + done, REQ_LEN - done, MSG_NOSIGNAL);
		if (n >= 0) {
			done += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		if ((rc = syn_wait(r, fd, POLLOUT, dl)) != 0)
			return rc;
	}
	return 0;
}

/* Reads the reply, then waits for the server's FIN: it must close first */
static int syn_read_until_eof(struct syn_run *r, int fd, int64_t dl, enum stage *stage)
{
	char buf[512];
	size_t got = 0;
	ssize_t n;
	int rc;

	*stage = ST_RECV;
	for (;;) {
		/* reply bytes into buf[0..REPLY_LEN), then anything else is stray */
		n = recv(fd, buf + (got < REPLY_LEN ? got : 0),
			 got < REPLY_LEN ? REPLY_LEN - got : sizeof(buf), 0);
		if (n > 0) {
			if (got < REPLY_LEN && got + (size_t)n == REPLY_LEN &&
			    memcmp(buf, REPLY, REPLY_LEN) != 0) {
				*stage = ST_PROTOCOL;
				return ERR_BADDATA;
			}
			got += (size_t)n;
			continue;
		}
		if (n == 0)
			return got >= REPLY_LEN ? 0 : ERR_EOF;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errno;
		rc = syn_wait(r, fd, POLLIN, dl);
		if (rc == ETIMEDOUT && got >= REPLY_LEN) {
			*stage = ST_WAIT_FIN;
			warnmsg("syn-reuse: the server did not close first (is it running with --close server?)");
		}
		if (rc != 0)
			return rc;
	}
}

/* After our FIN (LAST_ACK), wait for the final ACK: the 4-tuple is free
 * only once the socket is CLOSED, else the next connect() would collide */
static int syn_wait_closed(struct syn_run *r, int fd, int64_t dl, enum stage *stage)
{
	struct tcp_info ti;
	socklen_t len;
	int rc;

	*stage = ST_SHUTDOWN;
	if (shutdown(fd, SHUT_WR) != 0)
		return errno;
	*stage = ST_LAST_ACK;
	for (;;) {
		len = sizeof(ti);
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0)
			return errno;
		if (ti.tcpi_state == TCP_CLOSE)
			return 0;
		rc = syn_sleep_until(r, min64(mono_ns() + NS_PER_MS, dl));
		if (rc != 0)
			return rc;
		if (mono_ns() >= dl)
			return ETIMEDOUT;
	}
}

/* One incarnation; returns 0 or an errno with *stage saying where */
static int syn_one(struct syn_run *r, int fd, enum stage *stage)
{
	const struct syn_opts *o = r->o;
	int64_t dl = min64(after_ms(mono_ns(), o->conn_timeout_ms), r->deadline);
	socklen_t len = sizeof(int);
	int rc, err = 0;

	*stage = ST_SETSOCKOPT;
	if (set_int_opt(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0)
		return errno;
	*stage = ST_BIND;
	if (bind(fd, &o->src.u.sa, o->src.len) != 0)
		return errno;
	*stage = ST_CONNECT;
	if (connect(fd, &o->dst.u.sa, o->dst.len) != 0) {
		if (errno != EINPROGRESS && errno != EINTR)
			return errno;
		if ((rc = syn_wait(r, fd, POLLOUT, dl)) != 0)
			return rc;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
			return errno;
		if (err != 0)
			return err;
	}
	r->connected++;
	if ((rc = syn_send_all(r, fd, dl, stage)) != 0)
		return rc;
	if ((rc = syn_read_until_eof(r, fd, dl, stage)) != 0)
		return rc;
	return syn_wait_closed(r, fd, dl, stage);
}

static void syn_report(const struct syn_run *r, int64_t now)
{
	char buf[64];
	struct json j;

	json_begin(&j);
	json_u64(&j, "attempted", r->attempted);
	json_u64(&j, "connected", r->connected);
	json_u64(&j, "completed", r->completed);
	json_u64(&j, "errors", r->errors);
	json_str(&j, "local", addr_str(&r->o->src, buf, sizeof(buf)));
	json_u64(&j, "elapsed_ms", (uint64_t)((now - r->t0) / NS_PER_MS));
	json_bool(&j, "timed_out", r->timed_out);
	json_bool(&j, "interrupted", r->signo != 0);
	json_errors(&j, "error_detail", &r->errs);
	json_end();
}

static int run_syn_reuse(const struct syn_opts *o)
{
	struct syn_run r = { .o = o };
	enum stage stage;
	int fd, rc;

	r.sigfd = setup_signals();
	r.t0 = mono_ns();
	r.deadline = after_ms(r.t0, o->timeout_ms);
	while (r.attempted < o->count) {
		/* a gap so the new SYN's TCP timestamp is strictly newer than the
		 * TIME_WAIT's ts_recent (PAWS): the kernel then always takes it */
		if (r.attempted > 0 && syn_sleep_until(&r, min64(after_ms(mono_ns(), o->gap_ms),
								  r.deadline)) != 0)
			break;
		if (mono_ns() >= r.deadline) {
			r.timed_out = true;
			break;
		}
		r.attempted++;
		fd = socket(addr_family(&o->dst), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			stage = ST_SOCKET;
			rc = errno;
		} else {
			rc = syn_one(&r, fd, &stage);
			close_fd(fd);
		}
		if (rc == EINTR && r.signo)
			break;
		if (rc == ETIMEDOUT && mono_ns() >= r.deadline)
			r.timed_out = true;
		if (rc == 0) {
			r.completed++;
			continue;
		}
		r.errors++;
		log_error("syn-reuse", stage, rc, &r.logged);
		err_table_add(&r.errs, stage, rc);
		if (r.timed_out)
			break;
	}
	if (r.signo)
		warnmsg("stopped by signal %d", r.signo);
	if (r.timed_out)
		warnmsg("--timeout-ms %" PRId64 " reached", o->timeout_ms);
	syn_report(&r, mono_ns());
	close_fd(r.sigfd);
	return (r.timed_out || r.signo) ? EXIT_TIMEOUT : EXIT_OK;
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */

static const char usage_text[] =
"Usage:\n"
"  tw-load server --port P [--addr A] [--family inet|inet6] [--close server|client]\n"
"                 [--linger0] [--backlog N] [--count N] [--duration-ms MS]\n"
"                 [--ready-file PATH]\n"
"  tw-load client --connect ADDR:PORT [--count N] [--concurrency C]\n"
"                 [--close client|server] [--linger0] [--bind ADDR]\n"
"                 [--bind-port-zero] [--bind-no-port] [--src-range LO-HI]\n"
"                 [--dst-range LO-HI]\n"
"                 [--rate R[/s]] [--duration-ms MS] [--stop-on-eaddrnotavail]\n"
"                 [--mark-completed N]\n"
"                 [--timeout-ms MS] [--conn-timeout-ms MS]\n"
"  tw-load syn-reuse --connect ADDR:PORT --bind ADDR:PORT --count N\n"
"                 [--timeout-ms MS] [--conn-timeout-ms MS] [--gap-ms MS]\n"
"  tw-load --help\n"
"\n"
"Each connection: the client sends 8 bytes, the server answers 8 bytes, then\n"
"the side named by --close closes first and gets the TIME_WAIT; the other side\n"
"waits for its FIN and closes second (no TIME_WAIT). Both ends must be given\n"
"the same --close (default: client). --linger0 makes that side close with an\n"
"RST (SO_LINGER {1,0}): no TIME_WAIT anywhere. Addresses are numeric; IPv6 is\n"
"written [::1]:PORT.\n"
"\n"
"server: listens (SO_REUSEADDR) on --addr (default 127.0.0.1, or ::1 with\n"
"  --family inet6) port --port (0: any; the ready file holds the port).\n"
"  Prints 'ready' on stderr once listening and creates --ready-file.\n"
"  Stops after --count connections have finished (served or failed), after\n"
"  --duration-ms, or on SIGTERM/SIGINT; open connections then get 1 s to\n"
"  finish. --backlog defaults to 4096.\n"
"  JSON: accepted, served, errors (accept_errors included), accept_errors,\n"
"  peer_resets (client RST after a full exchange: counted as served),\n"
"  unfinished, closed_first_by, linger0, elapsed_ms, error_detail.\n"
"\n"
"client: --count attempts, --concurrency (default 1) at a time, non-blocking.\n"
"  --bind ADDR        bind() the source address (port 0) before connect()\n"
"  --bind-port-zero   bind() to port 0 before connect() even without --bind\n"
"                     (wildcard address): the bind-then-connect pattern\n"
"  --bind-no-port     set IP_BIND_ADDRESS_NO_PORT before that bind()\n"
"  --src-range LO-HI  bind() source addresses LO, LO+1, ... HI, LO, ...\n"
"  --dst-range LO-HI  connect() to LO, LO+1, ... HI, LO, ... (the port of\n"
"                     --connect): many destinations from one process\n"
"  --rate R           start at most R connections per second\n"
"  --duration-ms MS   start no new connection after MS (--count optional then)\n"
"  --stop-on-eaddrnotavail  start no new connection after the first\n"
"                     EADDRNOTAVAIL; those in flight finish\n"
"  --mark-completed N note when the Nth connection completes\n"
"                     (mark_completed_monotonic_ns): e.g. the close that\n"
"                     first finds tcp_max_tw_buckets full\n"
"  --timeout-ms MS    whole run (default 60000): then report and exit 3\n"
"  --conn-timeout-ms MS  one connection (default 15000): counted in other_errors\n"
"  JSON: attempted = completed + eaddrnotavail + econnrefused + other_errors\n"
"  + unfinished; connected; connect_eaddrnotavail and bind_eaddrnotavail (the\n"
"  two parts of eaddrnotavail); bind_eaddrinuse (bind(port 0) out of ports,\n"
"  part of other_errors); peer_resets; closed_first_by; linger0;\n"
"  first_eaddrnotavail_ms, first_error_ms (CLOCK_MONOTONIC ms since the start,\n"
"  or null) and their absolute *_monotonic_ns; mark_completed_monotonic_ns\n"
"  (or null); start_monotonic_ns; elapsed_ms;\n"
"  timed_out; interrupted; error_detail ({\"stage:ERRNO\": n}).\n"
"  Server-side TIME_WAIT counts stay exact only while the client never reuses\n"
"  a 4-tuple the server still holds in TIME_WAIT (its SYN would end it): with\n"
"  the default port range connect() walks the ports of one source/destination\n"
"  pair and wraps after about 3,000 connections; bind(port 0) (--bind,\n"
"  --src-range, --bind-port-zero without --bind-no-port) picks them at random\n"
"  and collides within hundreds. For more, spread with --src-range and\n"
"  --bind-no-port, about 3,000 per source address.\n"
"\n"
"syn-reuse: N connections one after another from the same local ADDR:PORT to\n"
"  a 'tw-load server --close server'. The server closes first and keeps the\n"
"  TIME_WAIT; the client closes second, waits until its socket is CLOSED, then\n"
"  binds the same port (SO_REUSEADDR) and connects: each new SYN ends the\n"
"  server's TIME_WAIT. --gap-ms (default 2) between connections keeps TCP\n"
"  timestamps strictly increasing. JSON: attempted, connected, completed,\n"
"  errors, local, elapsed_ms, timed_out, interrupted, error_detail.\n"
"\n"
"Exit status: 0 done (failures are counted, not fatal), 1 setup failed,\n"
"2 bad arguments, 3 --timeout-ms reached or interrupted (JSON still printed).\n";

static void __attribute__((noreturn)) usage_exit(void)
{
	fputs(usage_text, stdout);
	exit(fflush(stdout) == 0 ? EXIT_OK : EXIT_FATAL);
}

/* getopt_long over argv[1..]: long options only, plus -h */
static int next_opt(int argc, char **argv, const struct option *opts)
{
	int ch = getopt_long(argc, argv, ":h", opts, NULL);

	if (ch == 'h')
		usage_exit();
	if (ch == '?')
		die_usage("%s: unknown option '%s'", argv[0], argv[optind - 1]);
	if (ch == ':')
		die_usage("%s: option '%s' needs a value", argv[0], argv[optind - 1]);
	return ch;
}

static void no_operands(int argc, char **argv)
{
	if (optind < argc)
		die_usage("%s: unexpected argument '%s'", argv[0], argv[optind]);
}

enum {
	O_PORT = 256, O_ADDR, O_FAMILY, O_CLOSE, O_LINGER0, O_BACKLOG, O_COUNT, O_DURATION,
	O_READY, O_CONNECT, O_CONCURRENCY, O_BIND, O_BIND_PORT_ZERO, O_BIND_NO_PORT,
	O_SRC_RANGE, O_DST_RANGE, O_RATE, O_STOP_EADDR, O_TIMEOUT, O_CONN_TIMEOUT, O_GAP, O_HELP,
	O_MARK_COMPLETED,
};

#define MAX_MS (INT64_C(1000) * 86400 * 365)

static int main_server(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, O_PORT },
		{ "addr", required_argument, NULL, O_ADDR },
		{ "family", required_argument, NULL, O_FAMILY },
		{ "close", required_argument, NULL, O_CLOSE },
		{ "linger0", no_argument, NULL, O_LINGER0 },
		{ "backlog", required_argument, NULL, O_BACKLOG },
		{ "count", required_argument, NULL, O_COUNT },
		{ "duration-ms", required_argument, NULL, O_DURATION },
		{ "ready-file", required_argument, NULL, O_READY },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	struct server_opts o = { .client_closes = true, .backlog = 4096, .duration_ms = -1 };
	const char *addr = NULL;
	int family = 0, port = -1, ch;

	while ((ch = next_opt(argc, argv, opts)) != -1) {
		switch (ch) {
		case O_PORT: port = (int)parse_u64("--port", optarg, 0, 65535); break;
		case O_ADDR: addr = optarg; break;
		case O_FAMILY:
			if (strcmp(optarg, "inet") == 0)
				family = AF_INET;
			else if (strcmp(optarg, "inet6") == 0)
				family = AF_INET6;
			else
				die_usage("--family: expected inet or inet6, got '%s'", optarg);
			break;
		case O_CLOSE: o.client_closes = parse_close(optarg); break;
		case O_LINGER0: o.linger0 = true; break;
		case O_BACKLOG: o.backlog = (int)parse_u64("--backlog", optarg, 1, INT_MAX); break;
		case O_COUNT: o.count = parse_u64("--count", optarg, 1, UINT64_MAX - 1); break;
		case O_DURATION: o.duration_ms = (int64_t)parse_u64("--duration-ms", optarg, 0, MAX_MS); break;
		case O_READY: o.ready_file = optarg; break;
		case O_HELP: usage_exit();
		default: die_usage("server: unexpected option");
		}
	}
	no_operands(argc, argv);
	if (port < 0)
		die_usage("server: --port is required");
	if (addr == NULL)
		addr = family == AF_INET6 ? "::1" : "127.0.0.1";
	if (!parse_ip(addr, &o.addr))
		die_usage("--addr: '%s' is not a numeric IPv4 or IPv6 address", addr);
	if (family != 0 && family != addr_family(&o.addr))
		die_usage("--addr %s does not belong to --family %s", addr,
			  family == AF_INET ? "inet" : "inet6");
	set_port(&o.addr, (uint16_t)port);
	return run_server(&o);
}

/* --src-range or --dst-range LO-HI */
static void parse_range(const char *opt, const char *s, struct addr *rlo, struct addr *rhi)
{
	char lo[INET6_ADDRSTRLEN + 1];
	const char *dash = strchr(s, '-');

	if (dash == NULL || (size_t)(dash - s) >= sizeof(lo))
		die_usage("%s: expected LO-HI, got '%s'", opt, s);
	memcpy(lo, s, (size_t)(dash - s));
	lo[dash - s] = '\0';
	if (!parse_ip(lo, rlo) || !parse_ip(dash + 1, rhi))
		die_usage("%s: '%s' is not two numeric addresses LO-HI", opt, s);
	if (addr_family(rlo) != addr_family(rhi) || addr_cmp(rlo, rhi) > 0)
		die_usage("%s: '%s' is not a range of one family with LO <= HI", opt, s);
}

static int main_client(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, O_CONNECT },
		{ "count", required_argument, NULL, O_COUNT },
		{ "concurrency", required_argument, NULL, O_CONCURRENCY },
		{ "close", required_argument, NULL, O_CLOSE },
		{ "linger0", no_argument, NULL, O_LINGER0 },
		{ "bind", required_argument, NULL, O_BIND },
		{ "bind-port-zero", no_argument, NULL, O_BIND_PORT_ZERO },
		{ "bind-no-port", no_argument, NULL, O_BIND_NO_PORT },
		{ "src-range", required_argument, NULL, O_SRC_RANGE },
		{ "dst-range", required_argument, NULL, O_DST_RANGE },
		{ "rate", required_argument, NULL, O_RATE },
		{ "duration-ms", required_argument, NULL, O_DURATION },
		{ "stop-on-eaddrnotavail", no_argument, NULL, O_STOP_EADDR },
		{ "mark-completed", required_argument, NULL, O_MARK_COMPLETED },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "conn-timeout-ms", required_argument, NULL, O_CONN_TIMEOUT },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	struct client_opts o = { .count = UINT64_MAX, .concurrency = 1, .client_closes = true,
				 .duration_ms = -1, .timeout_ms = 60000, .conn_timeout_ms = 15000 };
	bool have_dst = false, have_count = false;
	int ch;

	while ((ch = next_opt(argc, argv, opts)) != -1) {
		switch (ch) {
		case O_CONNECT:
			if (!parse_ip_port("--connect", optarg, &o.dst))
				die_usage("--connect: expected A.B.C.D:PORT or [V6]:PORT, got '%s'", optarg);
			have_dst = true;
			break;
		case O_COUNT:
			o.count = parse_u64("--count", optarg, 1, UINT64_MAX - 1);
			have_count = true;
			break;
		case O_CONCURRENCY:
			o.concurrency = (unsigned)parse_u64("--concurrency", optarg, 1, 1000000);
			break;
		case O_CLOSE: o.client_closes = parse_close(optarg); break;
		case O_LINGER0: o.linger0 = true; break;
		case O_BIND:
			if (!parse_ip(optarg, &o.bind))
				die_usage("--bind: '%s' is not a numeric address (the port is always 0)", optarg);
			o.have_bind = true;
			break;
		case O_BIND_PORT_ZERO: o.bind_port_zero = true; break;
		case O_BIND_NO_PORT: o.bind_no_port = true; break;
		case O_SRC_RANGE:
			parse_range("--src-range", optarg, &o.range_lo, &o.range_hi);
			o.have_range = true;
			break;
		case O_DST_RANGE:
			parse_range("--dst-range", optarg, &o.dst_lo, &o.dst_hi);
			o.have_dst_range = true;
			break;
		case O_RATE: o.rate = parse_rate(optarg); break;
		case O_DURATION: o.duration_ms = (int64_t)parse_u64("--duration-ms", optarg, 0, MAX_MS); break;
		case O_STOP_EADDR: o.stop_on_eaddrnotavail = true; break;
		case O_MARK_COMPLETED:
			o.mark_completed = parse_u64("--mark-completed", optarg, 1, UINT64_MAX - 1);
			break;
		case O_TIMEOUT: o.timeout_ms = (int64_t)parse_u64("--timeout-ms", optarg, 1, MAX_MS); break;
		case O_CONN_TIMEOUT:
			o.conn_timeout_ms = (int64_t)parse_u64("--conn-timeout-ms", optarg, 1, MAX_MS);
			break;
		case O_HELP: usage_exit();
		default: die_usage("client: unexpected option");
		}
	}
	no_operands(argc, argv);
	if (!have_dst)
		die_usage("client: --connect is required");
	if (!have_count && o.duration_ms < 0)
		die_usage("client: --count is required (or --duration-ms to run for a time)");
	if (o.have_bind && o.have_range)
		die_usage("client: --bind and --src-range exclude each other");
	if ((o.have_bind && addr_family(&o.bind) != addr_family(&o.dst)) ||
	    (o.have_range && addr_family(&o.range_lo) != addr_family(&o.dst)))
		die_usage("client: the source and --connect addresses are of different families");
	if (o.have_dst_range && addr_family(&o.dst_lo) != addr_family(&o.dst))
		die_usage("client: --dst-range and --connect addresses are of different families");
	return run_client(&o);
}

static int main_syn_reuse(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, O_CONNECT },
		{ "bind", required_argument, NULL, O_BIND },
		{ "count", required_argument, NULL, O_COUNT },
		{ "timeout-ms", required_argument, NULL, O_TIMEOUT },
		{ "conn-timeout-ms", required_argument, NULL, O_CONN_TIMEOUT },
		{ "gap-ms", required_argument, NULL, O_GAP },
		{ "help", no_argument, NULL, O_HELP },
		{ 0 },
	};
	struct syn_opts o = { .timeout_ms = 60000, .conn_timeout_ms = 5000, .gap_ms = 2 };
	bool have_dst = false, have_src = false;
	int ch;

	while ((ch = next_opt(argc, argv, opts)) != -1) {
		switch (ch) {
		case O_CONNECT:
			if (!parse_ip_port("--connect", optarg, &o.dst))
				die_usage("--connect: expected A.B.C.D:PORT or [V6]:PORT, got '%s'", optarg);
			have_dst = true;
			break;
		case O_BIND:
			if (!parse_ip_port("--bind", optarg, &o.src))
				die_usage("--bind: expected A.B.C.D:PORT or [V6]:PORT with PORT > 0, got '%s'",
					  optarg);
			have_src = true;
			break;
		case O_COUNT: o.count = parse_u64("--count", optarg, 1, UINT64_MAX - 1); break;
		case O_TIMEOUT: o.timeout_ms = (int64_t)parse_u64("--timeout-ms", optarg, 1, MAX_MS); break;
		case O_CONN_TIMEOUT:
			o.conn_timeout_ms = (int64_t)parse_u64("--conn-timeout-ms", optarg, 1, MAX_MS);
			break;
		case O_GAP: o.gap_ms = (int64_t)parse_u64("--gap-ms", optarg, 0, 60000); break;
		case O_HELP: usage_exit();
		default: die_usage("syn-reuse: unexpected option");
		}
	}
	no_operands(argc, argv);
	if (!have_dst || !have_src || o.count == 0)
		die_usage("syn-reuse: --connect, --bind ADDR:PORT and --count are required");
	if (addr_family(&o.dst) != addr_family(&o.src))
		die_usage("syn-reuse: --bind and --connect are of different families");
	return run_syn_reuse(&o);
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc < 2)
		die_usage("a subcommand is required: server, client or syn-reuse");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0)
		usage_exit();
	/* subcommand options: parse argv[1..] with argv[1] as the "program" name */
	argc--;
	argv++;
	if (strcmp(cmd, "server") == 0)
		return main_server(argc, argv);
	if (strcmp(cmd, "client") == 0)
		return main_client(argc, argv);
	if (strcmp(cmd, "syn-reuse") == 0)
		return main_syn_reuse(argc, argv);
	die_usage("unknown subcommand '%s'", cmd);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * twmond's /metrics server on a real loopback socket: keep-alive, pipelined
 * requests, a stalled scraper that must not block the loop, eviction of idle
 * connections, and who keeps the TIME_WAIT socket, read from the kernel's own
 * table (/proc/net/tcp, /proc/net/tcp6), not from the server.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http.h"

static size_t body_size = 100;

static char *body(void *arg, size_t *len)
{
	char *b = malloc(body_size);

	(void)arg;
	if (b)
		memset(b, 'x', body_size);
	*len = body_size;
	return b;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* TIME_WAIT sockets (state 06) whose local port is @port, in the kernel's table */
static int tw_count(int port)
{
	static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
	char line[512], local[128], st[8];
	unsigned int i, lport;
	int n = 0;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i], "r");

		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			char *colon;

			if (sscanf(line, "%*s %127s %*s %7s", local, st) != 2)
				continue;
			colon = strrchr(local, ':');
			if (colon && sscanf(colon + 1, "%x", &lport) == 1 && (int)lport == port &&
			    !strcmp(st, "06"))
				n++;
		}
		fclose(f);
	}
	return n;
}

/* A port no socket holds, TIME_WAIT included (they keep their bind bucket) */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	close(fd);
	return ntohs(a.sin_port);
}

static int start(struct twd_http *h)
{
	char addr[32], err[128];
	int port = free_port(), tries = 0;

	/* a client port of an earlier test may still be in TIME_WAIT */
	while (tw_count(port) && tries++ < 100)
		port = free_port();

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	assert_int_equal(twd_http_open(h, addr, err, sizeof(err)), 0);
	assert_int_equal(tw_count(port), 0);
	return port;
}

/* One turn of twmond's loop for the server; returns how long handle() took */
static int64_t pump(struct twd_http *h, int wait_ms, int64_t now)
{
	struct pollfd p[1 + TWD_HTTP_CLIENTS];
	int n = twd_http_pollfds(h, p);
	int64_t t0;

	poll(p, n, wait_ms);
	t0 = now_ms();
	twd_http_handle(h, p, n, now ? now : t0, body, NULL);
	return now_ms() - t0;
}

static int connect_to(int port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

struct reply {
	int code;
	size_t body_len;
	char conn[32]; /* the Connection header's value */
};

/*
 * Send @req (may be "") and read one response while the server runs.
 * Returns 0, or -1 if the server closed or nothing came in 2 s.
 */
static int exchange(struct twd_http *h, int fd, const char *req, struct reply *r)
{
	static char buf[1 << 16];
	static size_t have; /* bytes of a next pipelined response already read */
	int64_t until = now_ms() + 2000;
	char *end, *cl, *cn;

	if (*req)
		assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	memset(r, 0, sizeof(*r));
	while (now_ms() < until) {
		ssize_t n;

		pump(h, 5, 0);
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n == 0)
			return -1;
		if (n > 0)
			have += n;
		buf[have] = 0;
		end = strstr(buf, "\r\n\r\n");
		if (!end)
			continue;
		cl = strstr(buf, "Content-Length: ");
		cn = strstr(buf, "Connection: ");
		assert_non_null(cl);
		assert_non_null(cn);
		r->body_len = strtoul(cl + 16, NULL, 10);
		if ((size_t)(end + 4 - buf) + r->body_len > have)
			continue;
		sscanf(buf, "HTTP/1.1 %d", &r->code);
		sscanf(cn + 12, "%31[a-z-]", r->conn);
		have -= end + 4 - buf + r->body_len;
		memmove(buf, end + 4 + r->body_len, have);
		return 0;
	}
	return -1;
}

/* Run the server for @ms */
static void settle(struct twd_http *h, int ms)
{
	int64_t until = now_ms() + ms;

	while (now_ms() < until)
		pump(h, 5, 0);
}

static int local_port(int fd)
{
	struct sockaddr_in a;
	socklen_t sl = sizeof(a);

	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &sl), 0);
	return ntohs(a.sin_port);
}

static const char *const get11 = "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n";

static void parse(void **state)
{
	size_t hl = 0;
	bool ka = true;

	(void)state;
	assert_int_equal(twd_http_parse("GET /metrics HTTP/1.1\r\nHost: x\r\n", 32, &hl, &ka), 0);
	assert_int_equal(twd_http_parse(get11, strlen(get11), &hl, &ka), 200);
	assert_int_equal(hl, strlen(get11));
	assert_true(ka);
	assert_int_equal(twd_http_parse("GET /metrics?x=1 HTTP/1.0\r\n\r\n", 29, &hl, &ka), 200);
	assert_false(ka);
	assert_int_equal(twd_http_parse("GET /metrics HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n",
					49, &hl, &ka),
			 200);
	assert_true(ka);
	assert_int_equal(
		twd_http_parse("GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n", 44, &hl, &ka),
		200);
	assert_false(ka);
	assert_int_equal(twd_http_parse("GET /metrics\n\n", 14, &hl, &ka), 200);
	assert_false(ka);
	assert_int_equal(hl, 14);
	assert_int_equal(twd_http_parse("GET / HTTP/1.0\r\n\r\n", 18, &hl, &ka), 404);
	assert_int_equal(twd_http_parse("GET /metricsfoo HTTP/1.0\r\n\r\n", 28, &hl, &ka), 404);
	assert_int_equal(twd_http_parse("POST /metrics HTTP/1.0\r\n\r\n", 26, &hl, &ka), 405);
	assert_int_equal(twd_http_parse("garbage\n\n", 9, &hl, &ka), 400);
	/* a pipelined second request is not part of the first's head */
	assert_int_equal(
		twd_http_parse("GET /metrics HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\n\r\n", 43, &hl, &ka),
		200);
	assert_int_equal(hl, 25);
}

/* Keep-alive: two scrapes on one connection; the client closes, so the
 * TIME_WAIT socket is the client's, none on the server's port. */
static void keep_alive_no_timewait(void **state)
{
	struct twd_http h;
	struct reply r;
	int port, fd, cport;

	(void)state;
	body_size = 5000;
	port = start(&h);
	fd = connect_to(port, 0);
	cport = local_port(fd);
	assert_int_equal(exchange(&h, fd, get11, &r), 0);
	assert_int_equal(r.code, 200);
	assert_int_equal(r.body_len, 5000);
	assert_string_equal(r.conn, "keep-alive");
	assert_int_equal(exchange(&h, fd, get11, &r), 0);
	assert_int_equal(r.code, 200);
	assert_int_equal(h.requests, 2);
	close(fd);
	settle(&h, 200); /* the server reads the FIN and closes its side */
	assert_int_equal(h.cl[0].fd, -1);
	assert_int_equal(tw_count(port), 0);
	assert_int_equal(tw_count(cport), 1);
	twd_http_close(&h);
}

/* "Connection: close" (curl -H, HTTP/1.0): the client knows the end from
 * Content-Length and closes first, so the TIME_WAIT socket is the client's;
 * the kernel's table shows none on the server's port. */
static void close_requested(void **state)
{
	struct twd_http h;
	struct reply r;
	int port, fd, cport[2];

	(void)state;
	body_size = 100;
	port = start(&h);
	fd = connect_to(port, 0);
	cport[0] = local_port(fd);
	assert_int_equal(exchange(&h, fd, "GET /metrics HTTP/1.1\r\nConnection: close\r\n\r\n", &r),
			 0);
	assert_int_equal(r.code, 200);
	assert_string_equal(r.conn, "close");
	close(fd);
	fd = connect_to(port, 0);
	cport[1] = local_port(fd);
	assert_int_equal(exchange(&h, fd, "GET /nothing HTTP/1.0\r\n\r\n", &r), 0);
	assert_int_equal(r.code, 404);
	close(fd);
	/* up to 3 s: a loaded host may take a while to finish the closes */
	for (int i = 0; i < 30; i++) {
		settle(&h, 100);
		if (h.cl[0].fd == -1 && h.cl[1].fd == -1 && tw_count(cport[0]) &&
		    tw_count(cport[1]))
			break;
	}
	assert_int_equal(h.cl[0].fd, -1);
	assert_int_equal(h.cl[1].fd, -1);
	assert_int_equal(tw_count(port), 0);
	/* (at least: another socket of the host may hold the same port) */
	assert_true(tw_count(cport[0]) >= 1);
	assert_true(tw_count(cport[1]) >= 1);
	twd_http_close(&h);
}

/* A client that waits for the server's FIN (reads to EOF) gets it after
 * TWD_HTTP_LINGER_MS, and a client that never closes is reset after twice
 * that: no TIME_WAIT on the server's port either way. */
static void close_waits_for_client(void **state)
{
	struct twd_http h;
	struct reply r;
	int64_t t0, until;
	int port, fd;
	char c;

	(void)state;
	body_size = 10;
	port = start(&h);
	fd = connect_to(port, 0);
	t0 = now_ms();
	assert_int_equal(exchange(&h, fd, "GET /metrics HTTP/1.0\r\n\r\n", &r), 0);
	assert_int_equal(r.code, 200);
	until = now_ms() + 3 * TWD_HTTP_LINGER_MS;
	while (now_ms() < until && read(fd, &c, 1) != 0)
		pump(&h, 5, 0);
	assert_true(now_ms() - t0 >= TWD_HTTP_LINGER_MS - 50);
	assert_true(now_ms() - t0 < 2 * TWD_HTTP_LINGER_MS + 500);
	settle(&h, TWD_HTTP_LINGER_MS + 100); /* the client keeps its end open: reset */
	assert_int_equal(h.cl[0].fd, -1);
	close(fd);
	assert_int_equal(tw_count(port), 0);
	twd_http_close(&h);
}

static void pipelined(void **state)
{
	struct twd_http h;
	struct reply r;
	int port, fd;

	(void)state;
	body_size = 10;
	port = start(&h);
	fd = connect_to(port, 0);
	assert_int_equal(
		exchange(&h, fd, "GET /metrics HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\n\r\n", &r), 0);
	assert_int_equal(r.code, 200);
	assert_int_equal(exchange(&h, fd, "", &r), 0);
	assert_int_equal(r.code, 404);
	assert_int_equal(h.requests, 2);
	close(fd);
	twd_http_close(&h);
}

/* A scraper that sends a request and never reads: no call into the server
 * may block (it used to wait up to 2 s), others are served meanwhile, and the
 * stalled one is dropped at its deadline. */
static void stalled_scraper(void **state)
{
	struct twd_http h;
	struct reply r;
	int64_t worst = 0, t;
	int port, stalled, fd, i;

	(void)state;
	body_size = 16 << 20;
	port = start(&h);
	stalled = connect_to(port, 4096);
	assert_int_equal(send(stalled, get11, strlen(get11), 0), (ssize_t)strlen(get11));
	for (i = 0; i < 20; i++) {
		t = pump(&h, 10, 0);
		worst = t > worst ? t : worst;
	}
	assert_true(worst < 500);
	assert_non_null(h.cl[0].out); /* still owes most of 16 MiB */
	assert_true(h.cl[0].out_off < h.cl[0].out_len);
	body_size = 100;
	fd = connect_to(port, 0);
	assert_int_equal(exchange(&h, fd, get11, &r), 0);
	assert_int_equal(r.code, 200);
	close(fd);
	pump(&h, 0, now_ms() + TWD_HTTP_TIMEOUT_MS + 1);
	assert_int_equal(h.cl[0].fd, -1);
	close(stalled);
	twd_http_close(&h);
}

static int connect_from(const char *src, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct sockaddr_in b = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	inet_pton(AF_INET, src, &b.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&b, sizeof(b)), 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static int slots_of(const struct twd_http *h, const char *peer)
{
	uint8_t a[4];
	int i, n = 0;

	inet_pton(AF_INET, peer, a);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		n += h->cl[i].fd >= 0 && !memcmp(h->cl[i].peer, a, 4);
	return n;
}

/* Did the server reset or close @fd (within 1 s)? */
static bool gone(struct twd_http *h, int fd)
{
	int64_t until = now_ms() + 1000;
	char c;

	while (now_ms() < until) {
		ssize_t n;

		pump(h, 5, 0);
		n = read(fd, &c, 1);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			return true;
	}
	return false;
}

/* Kept-alive idle connections: a new scraper gets in in place of the
 * longest idle once every slot is taken; past the idle limit all are
 * dropped, by a reset (no TIME_WAIT on the server's port). */
static void idle_evicted(void **state)
{
	struct twd_http h;
	struct reply r;
	char src[32];
	int port, fd[TWD_HTTP_CLIENTS + 1], i, left = 0;

	(void)state;
	body_size = 10;
	port = start(&h);
	for (i = 0; i <= TWD_HTTP_CLIENTS; i++) {
		/* peers of their own: the per-peer cap is not what is tested */
		snprintf(src, sizeof(src), "127.0.1.%d", i + 1);
		fd[i] = connect_from(src, port);
		assert_int_equal(exchange(&h, fd[i], get11, &r), 0);
		assert_int_equal(r.code, 200);
	}
	assert_true(gone(&h, fd[0]));
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		left += h.cl[i].fd >= 0;
	assert_int_equal(left, TWD_HTTP_CLIENTS); /* the others are all there */
	left = 0;
	pump(&h, 0, now_ms() + TWD_HTTP_IDLE_MS + 1);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		left += h.cl[i].fd >= 0;
	assert_int_equal(left, 0);
	for (i = 0; i <= TWD_HTTP_CLIENTS; i++)
		close(fd[i]);
	assert_int_equal(tw_count(port), 0);
	twd_http_close(&h);
}

static const char *const partial = "GET /metrics HTTP/1.1\r\nHost: t\r\n";

/* Every slot held by a part-way request (the attack of issue 12): a new
 * connection takes over the oldest, and a scraper is answered at once. */
static void busy_evicted(void **state)
{
	struct twd_http h;
	struct reply r;
	char src[32];
	int port, fd[TWD_HTTP_CLIENTS], i, s;

	(void)state;
	body_size = 10;
	port = start(&h);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		snprintf(src, sizeof(src), "127.0.2.%d", i + 1);
		fd[i] = connect_from(src, port);
		assert_int_equal(send(fd[i], partial, strlen(partial), 0),
				 (ssize_t)strlen(partial));
		settle(&h, 1);
	}
	settle(&h, TWD_HTTP_GRACE_MS + 20); /* past their grace */
	for (i = 0, s = 0; i < TWD_HTTP_CLIENTS; i++)
		s += h.cl[i].fd >= 0 && h.cl[i].state == TWD_HS_READ;
	assert_int_equal(s, TWD_HTTP_CLIENTS);
	s = connect_from("127.0.3.1", port);
	assert_int_equal(exchange(&h, s, get11, &r), 0);
	assert_int_equal(r.code, 200);
	assert_true(gone(&h, fd[0])); /* the oldest went */
	assert_int_equal(h.evicted, 1);
	close(s);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		close(fd[i]);
	settle(&h, 50);
	assert_int_equal(tw_count(port), 0);
	twd_http_close(&h);
}

/* Every slot young: a new connection waits in the backlog (the listener is
 * not polled) until the oldest's grace is over, then takes its slot; the
 * churn of hostile reconnects is bounded by it. */
static void young_slots_wait(void **state)
{
	struct twd_http h;
	struct reply r;
	char src[32];
	int port, fd[TWD_HTTP_CLIENTS], i, s;
	int64_t t0;

	(void)state;
	body_size = 10;
	port = start(&h);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		snprintf(src, sizeof(src), "127.0.5.%d", i + 1);
		fd[i] = connect_from(src, port);
		assert_int_equal(send(fd[i], partial, strlen(partial), 0),
				 (ssize_t)strlen(partial));
	}
	settle(&h, 10);
	t0 = now_ms();
	s = connect_from("127.0.6.1", port);
	assert_int_equal(send(s, get11, strlen(get11), 0), (ssize_t)strlen(get11));
	pump(&h, 5, 0);
	assert_true(h.pending >= 0);
	assert_int_equal(h.evicted, 0);
	assert_true(twd_http_next_deadline(&h) <= t0 + TWD_HTTP_GRACE_MS);
	assert_int_equal(exchange(&h, s, "", &r), 0);
	assert_int_equal(r.code, 200);
	print_message("# a scraper behind %d young connections: answered after %lld ms\n",
		      TWD_HTTP_CLIENTS, (long long)(now_ms() - t0));
	assert_true(now_ms() - t0 >= TWD_HTTP_GRACE_MS - 20);
	assert_true(now_ms() - t0 < TWD_HTTP_GRACE_MS + 200);
	assert_int_equal(h.evicted, 1);
	close(s);
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		close(fd[i]);
	twd_http_close(&h);
}

/* One peer holds at most TWD_HTTP_PER_PEER slots: past it, its own oldest goes */
static void per_peer_cap(void **state)
{
	struct twd_http h;
	int port, fd[TWD_HTTP_PER_PEER + 8], other, i;

	(void)state;
	port = start(&h);
	other = connect_from("127.0.4.2", port);
	assert_int_equal(send(other, partial, strlen(partial), 0), (ssize_t)strlen(partial));
	settle(&h, 5);
	for (i = 0; i < TWD_HTTP_PER_PEER + 8; i++) {
		fd[i] = connect_from("127.0.4.1", port);
		settle(&h, 1);
	}
	settle(&h, 20);
	assert_int_equal(slots_of(&h, "127.0.4.1"), TWD_HTTP_PER_PEER);
	assert_int_equal(slots_of(&h, "127.0.4.2"), 1);
	assert_true(gone(&h, fd[0]));
	for (i = 0; i < TWD_HTTP_PER_PEER + 8; i++)
		close(fd[i]);
	close(other);
	twd_http_close(&h);
}

/* The nearest deadline is what twmond's poll() waits for (not poll_ms) */
static void next_deadline(void **state)
{
	struct twd_http h;
	int64_t t0;
	int port, fd;

	(void)state;
	port = start(&h);
	assert_true(twd_http_next_deadline(&h) == INT64_MAX);
	t0 = now_ms();
	fd = connect_to(port, 0);
	assert_int_equal(send(fd, partial, strlen(partial), 0), (ssize_t)strlen(partial));
	settle(&h, 20);
	assert_true(twd_http_next_deadline(&h) >= t0 + TWD_HTTP_TIMEOUT_MS);
	assert_true(twd_http_next_deadline(&h) <= now_ms() + TWD_HTTP_TIMEOUT_MS);
	close(fd);
	twd_http_close(&h);
}

/* Read everything the server sends on @fd until it closes or 1.5 s pass */
static size_t slurp(struct twd_http *h, int fd, char *buf, size_t len)
{
	int64_t until = now_ms() + 1500;
	size_t have = 0;

	while (now_ms() < until && have < len - 1) {
		ssize_t n;

		pump(h, 5, 0);
		n = read(fd, buf + have, len - 1 - have);
		if (n == 0 || (n < 0 && errno != EAGAIN))
			break;
		if (n > 0)
			have += n;
	}
	buf[have] = 0;
	return have;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* A request body is never parsed as a request: one 405, then the close */
static void body_not_a_request(void **state)
{
	static const char post[] = "POST /metrics HTTP/1.1\r\nHost: t\r\nContent-Length: 25\r\n\r\n"
				   "GET /metrics HTTP/1.1\r\n\r\n";
	static char buf[1 << 16];
	struct twd_http h;
	int port, fd;

	(void)state;
	body_size = 10;
	port = start(&h);
	fd = connect_to(port, 0);
	assert_int_equal(send(fd, post, strlen(post), 0), (ssize_t)strlen(post));
	slurp(&h, fd, buf, sizeof(buf));
	assert_int_equal(count(buf, "HTTP/1.1 405"), 1);
	assert_int_equal(count(buf, "HTTP/1.1 200"), 0);
	assert_non_null(strstr(buf, "Connection: close"));
	close(fd);
	twd_http_close(&h);
}

/* 81 pipelined requests in one write: TWD_HTTP_PIPELINE answers, then the close */
static void pipeline_capped(void **state)
{
	static char buf[1 << 16], req[TWD_HTTP_REQ_MAX];
	struct twd_http h;
	int port, fd, i;

	(void)state;
	body_size = 10;
	port = start(&h);
	req[0] = 0;
	for (i = 0; i < 81; i++)
		strcat(req, "GET /metrics HTTP/1.1\r\n\r\n");
	assert_true(strlen(req) < sizeof(req));
	fd = connect_to(port, 0);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	slurp(&h, fd, buf, sizeof(buf));
	assert_int_equal(count(buf, "HTTP/1.1 200"), TWD_HTTP_PIPELINE);
	assert_int_equal(h.requests, TWD_HTTP_PIPELINE);
	close(fd);
	twd_http_close(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse),
		cmocka_unit_test(keep_alive_no_timewait),
		cmocka_unit_test(close_requested),
		cmocka_unit_test(close_waits_for_client),
		cmocka_unit_test(pipelined),
		cmocka_unit_test(stalled_scraper),
		cmocka_unit_test(idle_evicted),
		cmocka_unit_test(busy_evicted),
		cmocka_unit_test(young_slots_wait),
		cmocka_unit_test(per_peer_cap),
		cmocka_unit_test(next_deadline),
		cmocka_unit_test(body_not_a_request),
		cmocka_unit_test(pipeline_capped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

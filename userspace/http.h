/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny HTTP server for GET /metrics, driven by twmond's poll() loop: a
 * non-blocking listener and a few client slots, no threads, no blocking
 * write. HTTP/1.1 keep-alive is honoured so that a scraper (Prometheus
 * keeps its connection) reuses one connection and, when someone closes it,
 * the scraper closes first: a monitor of TIME_WAIT should not leave one
 * TIME_WAIT socket per scrape.
 */
#ifndef TWD_HTTP_H
#define TWD_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWD_HTTP_CLIENTS 8
#define TWD_HTTP_REQ_MAX 2048
/* to read a request and write its response: a stalled scraper is dropped */
#define TWD_HTTP_TIMEOUT_MS 5000
/* a kept-alive connection with no request (longer than scrape intervals) */
#define TWD_HTTP_IDLE_MS 300000

struct twd_http_client {
	int fd;
	bool idle;	 /* between requests of a kept-alive connection */
	bool keep_alive; /* keep the connection after the response being sent */
	int64_t deadline_ms;
	size_t len; /* request bytes in req (may hold a pipelined next one) */
	char req[TWD_HTTP_REQ_MAX];
	char *out; /* response not yet written, malloc'ed */
	size_t out_len, out_off;
};

/* The body for GET /metrics: malloc'ed text, or NULL */
typedef char *(*twd_http_body_fn)(void *arg, size_t *len);

struct twd_http {
	int lfd;
	struct twd_http_client cl[TWD_HTTP_CLIENTS];
	uint64_t requests;
};

/* No listener, no clients */
void twd_http_init(struct twd_http *h);
/* listen "ADDR:PORT" ("[::1]:9477" for IPv6); 0 or -errno with a message */
int twd_http_open(struct twd_http *h, const char *addr, char *err, size_t errlen);
void twd_http_close(struct twd_http *h);
/* Fill pollfds for the listener and the clients: returns how many (<= 1 + CLIENTS) */
int twd_http_pollfds(const struct twd_http *h, struct pollfd *p);
/*
 * Handle what poll() reported in p[0..n) (as twd_http_pollfds filled them)
 * and drop clients past their deadline. Never blocks.
 */
void twd_http_handle(struct twd_http *h, const struct pollfd *p, int n, int64_t now_ms,
		     twd_http_body_fn body, void *arg);

/*
 * Parse one request head: 200 for "GET /metrics", 404 for another path,
 * 405 for another method, 400 if malformed, 0 if incomplete. When complete,
 * *head_len is its length with the blank line, and *keep_alive says whether
 * the client wants the connection kept (HTTP/1.1 without "Connection:
 * close", or HTTP/1.0 with "Connection: keep-alive").
 */
int twd_http_parse(const char *req, size_t len, size_t *head_len, bool *keep_alive);

#endif

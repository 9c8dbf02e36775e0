/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny HTTP/1.0 server for GET /metrics, driven by twmond's poll() loop:
 * a non-blocking listener and a few client slots, no threads.
 */
#ifndef TWD_HTTP_H
#define TWD_HTTP_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#define TWD_HTTP_CLIENTS 8
#define TWD_HTTP_REQ_MAX 2048
#define TWD_HTTP_TIMEOUT_MS 5000

struct twd_http_client {
	int fd;
	size_t len;
	int64_t start_ms;
	char req[TWD_HTTP_REQ_MAX];
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
/* Handle what poll() reported in p[0..n) (as twd_http_pollfds filled them) */
void twd_http_handle(struct twd_http *h, const struct pollfd *p, int n, int64_t now_ms,
		     twd_http_body_fn body, void *arg);

/*
 * Parse one request head: 200 for "GET /metrics", 404 for another path,
 * 405 for another method, 400 if malformed, 0 if incomplete.
 */
int twd_http_parse(const char *req, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny HTTP server for GET /metrics, driven by twmond's poll() loop: a
 * non-blocking listener and a fixed set of client slots, no threads, no
 * blocking write. It must keep answering a scraper while hostile local
 * users hold connections open, and it must not be a source of TIME_WAIT:
 * - HTTP/1.1 keep-alive is honoured, so a scraper reuses one connection;
 * - when a client asked for "Connection: close", twmond waits for the
 *   client to close first (it knows the end from Content-Length), and only
 *   then closes: the TIME_WAIT socket is the client's;
 * - connections it refuses, evicts or times out are reset (RST), which
 *   leaves no TIME_WAIT on either side;
 * - a new connection gets a slot: its peer's oldest once the peer holds
 *   TWD_HTTP_PER_PEER, else a free one, else the oldest busy connection (a
 *   part-way request) past TWD_HTTP_GRACE_MS, else the longest idle; if
 *   every candidate is in its grace, it waits (see TWD_HTTP_GRACE_MS);
 * - every deadline is in twd_http_next_deadline() for poll()'s timeout.
 */
#ifndef TWD_HTTP_H
#define TWD_HTTP_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TWD_HTTP_CLIENTS 64
/* connections one peer address may hold: one peer cannot take every slot */
#define TWD_HTTP_PER_PEER 32
/*
 * A busy connection is not evicted before this age: a scraper has that long
 * to send its request, and hostile clients that reconnect at once churn at
 * most TWD_HTTP_CLIENTS per grace; a new connection that finds every slot
 * in its grace waits (the listener is not polled) until one comes free.
 */
#define TWD_HTTP_GRACE_MS 100
#define TWD_HTTP_REQ_MAX 2048
/* to read a request and write its response: a stalled scraper is reset */
#define TWD_HTTP_TIMEOUT_MS 5000
/* a kept-alive connection with no request (longer than scrape intervals) */
#define TWD_HTTP_IDLE_MS 300000
/* after a "Connection: close" response: wait this long for the client to
 * close, then half-close, then as long again, then reset */
#define TWD_HTTP_LINGER_MS 1000
/* requests answered from the bytes of one read (pipelining); more: close */
#define TWD_HTTP_PIPELINE 4
/* connections accepted per call of twd_http_handle() */
#define TWD_HTTP_ACCEPT_BURST 32
#define TWD_HTTP_BACKLOG 128

enum twd_http_state {
	TWD_HS_READ,	/* reading a request (busy) */
	TWD_HS_WRITE,	/* writing a response */
	TWD_HS_IDLE,	/* between requests of a kept-alive connection */
	TWD_HS_CLOSING, /* response sent, waiting for the client to close */
};

struct twd_http_client {
	int fd;
	enum twd_http_state state;
	bool idle;	 /* state == TWD_HS_IDLE */
	bool keep_alive; /* keep the connection after the response being sent */
	bool shut;	 /* CLOSING: our FIN is sent */
	int64_t deadline_ms;
	uint64_t serial;  /* accept order: the oldest is evicted first */
	int64_t since_ms; /* accepted at */
	uint8_t peer[16]; /* peer address (IPv4 in the first 4 bytes) */
	uint8_t family;
	unsigned int served; /* requests answered from the bytes of the last read */
	size_t len;	     /* request bytes in req (may hold a pipelined next one) */
	char req[TWD_HTTP_REQ_MAX];
	char *out; /* response not yet written, malloc'ed */
	size_t out_len, out_off;
};

/* The body for GET /metrics: malloc'ed text, or NULL */
typedef char *(*twd_http_body_fn)(void *arg, size_t *len);

struct twd_http {
	int lfd;
	struct twd_http_client cl[TWD_HTTP_CLIENTS];
	uint64_t serial;
	int pending; /* accepted, waiting for a slot; -1: none */
	uint8_t pending_peer[16], pending_family;
	uint64_t requests;
	uint64_t evicted, timeouts; /* connections reset to make room, or past a deadline */
};

/* No listener, no clients */
void twd_http_init(struct twd_http *h);
/* listen "ADDR:PORT" ("[::1]:9477" for IPv6); 0 or -errno with a message */
int twd_http_open(struct twd_http *h, const char *addr, char *err, size_t errlen);
/*
 * Move the listener to addr ("" or "off": none), keeping the clients. If
 * binding fails because the old listener holds the port (127.0.0.1:P to
 * 0.0.0.0:P), the old one is closed first and bound again if the new one
 * still fails. 0, or -errno with a message (the old listener is kept).
 */
int twd_http_relisten(struct twd_http *h, const char *old, const char *addr, char *err,
		      size_t errlen);
void twd_http_close(struct twd_http *h);
/* Fill pollfds for the listener and the clients: returns how many (<= 1 + CLIENTS) */
int twd_http_pollfds(const struct twd_http *h, struct pollfd *p);
/* The nearest client deadline (CLOCK_MONOTONIC ms), INT64_MAX if none */
int64_t twd_http_next_deadline(const struct twd_http *h);
/*
 * Handle what poll() reported in p[0..n) (as twd_http_pollfds filled them)
 * and reset clients past their deadline. Never blocks.
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
/* Does a complete head announce a body (Content-Length > 0, Transfer-Encoding)? */
bool twd_http_has_body(const char *req, size_t head_len);

#endif

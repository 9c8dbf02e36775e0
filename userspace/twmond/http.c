// SPDX-License-Identifier: GPL-2.0
/* twmond's /metrics endpoint: poll-driven HTTP/1.1, keep-alive, no blocking write, no TIME_WAIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include "addr.h"
#include "http.h"

void twd_http_init(struct twd_http *h)
{
	int i;

	memset(h, 0, sizeof(*h));
	h->lfd = -1;
	h->pending = -1;
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		h->cl[i].fd = -1;
}

/* A listening socket on addr, or -errno with a message */
static int bind_listen(const char *addr, char *err, size_t errlen)
{
	char host[80];
	const char *colon = strrchr(addr, ':');
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	uint8_t fam, a[16];
	int one = 1, e, fd;
	long port;

	if (!colon || (size_t)(colon - addr) >= sizeof(host)) {
		snprintf(err, errlen, "listen: '%s' is not ADDRESS:PORT", addr);
		return -EINVAL;
	}
	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	port = strtol(colon + 1, NULL, 10);
	if (tw_addr_parse(host, &fam, a) || port < 1 || port > 65535) {
		snprintf(err, errlen, "listen: '%s' is not ADDRESS:PORT", addr);
		return -EINVAL;
	}
	if (fam == AF_INET) {
		struct sockaddr_in *s4 = (void *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		memcpy(&s4->sin_addr, a, 4);
		sl = sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (void *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a, 16);
		sl = sizeof(*s6);
	}
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) || listen(fd, TWD_HTTP_BACKLOG))
		goto fail;
	return fd;
fail:
	e = errno;
	snprintf(err, errlen, "listen on %s: %s", addr, strerror(e));
	if (fd >= 0)
		close(fd);
	return -e;
}

int twd_http_open(struct twd_http *h, const char *addr, char *err, size_t errlen)
{
	int fd;

	twd_http_init(h);
	fd = bind_listen(addr, err, errlen);
	if (fd < 0)
		return fd;
	h->lfd = fd;
	return 0;
}

int twd_http_relisten(struct twd_http *h, const char *old, const char *addr, char *err,
		      size_t errlen)
{
	char e2[256];
	int fd;

	if (!*addr || !strcmp(addr, "off")) {
		if (h->lfd >= 0)
			close(h->lfd);
		h->lfd = -1;
		return 0;
	}
	fd = bind_listen(addr, err, errlen);
	if (fd == -EADDRINUSE && h->lfd >= 0) {
		/* the old listener may be what holds the port: let it go first */
		close(h->lfd);
		h->lfd = -1;
		fd = bind_listen(addr, err, errlen);
		if (fd < 0 && old && *old) {
			h->lfd = bind_listen(old, e2, sizeof(e2));
			if (h->lfd < 0) {
				snprintf(err + strlen(err), errlen - strlen(err),
					 "; and the old listener is lost: %s", e2);
				h->lfd = -1;
			}
		}
	}
	if (fd < 0)
		return fd;
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = fd;
	return 0;
}

/* Close: the client closed first (or nothing is owed), no TIME_WAIT here */
static void drop(struct twd_http_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Reset: evicted or timed out; no TIME_WAIT on either side */
static void reset_fd(int fd)
{
	struct linger lg = { 1, 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void reset(struct twd_http_client *c)
{
	if (c->fd >= 0)
		reset_fd(c->fd);
	c->fd = -1;
	drop(c);
}

void twd_http_close(struct twd_http *h)
{
	int i;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		if (h->cl[i].state == TWD_HS_IDLE || h->cl[i].state == TWD_HS_CLOSING)
			drop(&h->cl[i]); /* nothing owed: an orderly close */
		else
			reset(&h->cl[i]);
	if (h->pending >= 0)
		reset_fd(h->pending);
	h->pending = -1;
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
}

int twd_http_pollfds(const struct twd_http *h, struct pollfd *p)
{
	int i;

	/* a connection waiting for a slot: the others wait in the backlog */
	p[0] = (struct pollfd){ .fd = h->pending >= 0 ? -1 : h->lfd, .events = POLLIN };
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		p[1 + i] = (struct pollfd){ .fd = h->cl[i].fd,
					    .events = h->cl[i].out ? POLLOUT : POLLIN };
	return 1 + TWD_HTTP_CLIENTS;
}

int64_t twd_http_next_deadline(const struct twd_http *h)
{
	int64_t d = INT64_MAX;
	int i;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		const struct twd_http_client *c = &h->cl[i];

		if (c->fd < 0)
			continue;
		if (c->deadline_ms < d)
			d = c->deadline_ms;
		/* a waiting connection may take this slot when its grace ends */
		if (h->pending >= 0 && (c->state == TWD_HS_READ || c->state == TWD_HS_WRITE) &&
		    c->since_ms + TWD_HTTP_GRACE_MS < d)
			d = c->since_ms + TWD_HTTP_GRACE_MS;
	}
	return d;
}

/* Does the header field @name (with its colon) list @token, case aside? */
static bool header_has(const char *head, const char *end, const char *name, const char *token)
{
	size_t nl = strlen(name), tl = strlen(token);
	const char *line = memchr(head, '\n', end - head);

	while (line && ++line < end) {
		const char *eol = memchr(line, '\n', end - line), *v;

		if (!eol)
			eol = end;
		if ((size_t)(eol - line) > nl && !strncasecmp(line, name, nl)) {
			for (v = line + nl; v + tl <= eol; v++)
				if (!strncasecmp(v, token, tl))
					return true;
		}
		line = eol < end ? eol : NULL;
	}
	return false;
}

bool twd_http_has_body(const char *req, size_t head_len)
{
	const char *end = req + head_len, *line = memchr(req, '\n', head_len);

	while (line && ++line < end) {
		const char *eol = memchr(line, '\n', end - line), *v;

		if (!eol)
			eol = end;
		if (eol - line > 18 && !strncasecmp(line, "Transfer-Encoding:", 18))
			return true;
		if (eol - line > 15 && !strncasecmp(line, "Content-Length:", 15)) {
			for (v = line + 15; v < eol; v++)
				if (*v >= '1' && *v <= '9')
					return true; /* not 0 (or garbage: also a body) */
				else if (*v != ' ' && *v != '\t' && *v != '0' && *v != '\r')
					return true;
		}
		line = eol < end ? eol : NULL;
	}
	return false;
}

int twd_http_parse(const char *req, size_t len, size_t *head_len, bool *keep_alive)
{
	const char *end = memmem(req, len, "\r\n\r\n", 4);
	const char *sp1, *sp2, *line_end;

	if (end) {
		*head_len = end + 4 - req;
	} else {
		end = memmem(req, len, "\n\n", 2);
		if (!end)
			return 0;
		*head_len = end + 2 - req;
	}
	*keep_alive = false;
	line_end = memchr(req, '\n', len);
	if (line_end > req && line_end[-1] == '\r')
		line_end--;
	sp1 = memchr(req, ' ', line_end - req);
	if (!sp1)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', line_end - sp1 - 1);
	if (!sp2) {
		sp2 = line_end; /* HTTP/0.9 style: no version, no keep-alive */
	} else if (line_end - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.1", 8)) {
		*keep_alive = !header_has(req, end, "Connection:", "close");
	} else if (line_end - sp2 - 1 == 8 && !memcmp(sp2 + 1, "HTTP/1.0", 8)) {
		*keep_alive = header_has(req, end, "Connection:", "keep-alive");
	}
	if (sp1 - req != 3 || memcmp(req, "GET", 3))
		return 405;
	if ((sp2 - sp1 - 1 == 8 && !memcmp(sp1 + 1, "/metrics", 8)) ||
	    (sp2 - sp1 - 1 > 8 && !memcmp(sp1 + 1, "/metrics?", 9)))
		return 200;
	return 404;
}

/* Build the response in c->out; false if out of memory (the client is dropped) */
static bool respond(struct twd_http_client *c, int code, twd_http_body_fn body, void *arg)
{
	static const char *const ctype = "text/plain; version=0.0.4; charset=utf-8";
	char hdr[256], *b = NULL;
	const char *reason, *text = NULL;
	size_t blen = 0;
	int hl;

	switch (code) {
	case 200:
		reason = "OK";
		b = body(arg, &blen);
		if (!b) {
			code = 500;
			reason = "Internal Server Error";
			text = "twmond: out of memory\n";
		}
		break;
	case 404:
		reason = "Not Found";
		text = "twmond: only /metrics is here\n";
		break;
	case 405:
		reason = "Method Not Allowed";
		text = "twmond: only GET\n";
		break;
	default:
		reason = "Bad Request";
		text = "twmond: bad request\n";
	}
	if (text)
		blen = strlen(text);
	hl = snprintf(hdr, sizeof(hdr),
		      "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: %s\r\n\r\n",
		      code, reason, code == 200 ? ctype : "text/plain; charset=utf-8", blen,
		      c->keep_alive ? "keep-alive" : "close");
	c->out = malloc(hl + blen);
	if (!c->out) {
		free(b);
		return false;
	}
	memcpy(c->out, hdr, hl);
	memcpy(c->out + hl, b ? b : text, blen);
	free(b);
	c->out_len = hl + blen;
	c->out_off = 0;
	return true;
}

static void set_state(struct twd_http_client *c, enum twd_http_state s, int64_t deadline)
{
	c->state = s;
	c->idle = s == TWD_HS_IDLE;
	c->deadline_ms = deadline;
}

/* Answer every complete request buffered (at most TWD_HTTP_PIPELINE a read), as far as the socket
 * takes it */
static void serve(struct twd_http *h, struct twd_http_client *c, int64_t now_ms,
		  twd_http_body_fn body, void *arg)
{
	while (c->fd >= 0) {
		if (c->out) {
			ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
					 MSG_NOSIGNAL);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN)
				return; /* POLLOUT brings us back */
			if (n <= 0) {
				drop(c); /* the peer is gone */
				return;
			}
			c->out_off += n;
			if (c->out_off < c->out_len)
				continue;
			free(c->out);
			c->out = NULL;
			if (!c->keep_alive) {
				/* the client knows the end (Content-Length) and closes first */
				c->len = 0;
				set_state(c, TWD_HS_CLOSING, now_ms + TWD_HTTP_LINGER_MS);
				return;
			}
			set_state(c, TWD_HS_IDLE, now_ms + TWD_HTTP_IDLE_MS);
		}
		if (c->len && c->state != TWD_HS_CLOSING) {
			size_t head_len = 0;
			int code = twd_http_parse(c->req, c->len, &head_len, &c->keep_alive);

			if (c->idle)
				set_state(c, TWD_HS_READ, now_ms + TWD_HTTP_TIMEOUT_MS);
			if (!code && c->len == sizeof(c->req)) {
				code = 400;
				head_len = c->len;
			}
			if (!code)
				return;
			h->requests++;
			c->served++;
			/*
			 * A body is never read as a request (smuggling): answer, then close,
			 * dropping whatever follows; so too past the pipelining limit.
			 */
			if (code == 400 || twd_http_has_body(c->req, head_len) ||
			    (c->served >= TWD_HTTP_PIPELINE && c->len > head_len)) {
				c->keep_alive = false;
				head_len = c->len;
			}
			c->len -= head_len;
			memmove(c->req, c->req + head_len, c->len);
			c->state = TWD_HS_WRITE;
			if (!respond(c, code, body, arg)) {
				reset(c);
				return;
			}
			continue;
		}
		return;
	}
}

/* Read what a client sent and answer it */
static void on_readable(struct twd_http *h, struct twd_http_client *c, int64_t now_ms,
			twd_http_body_fn body, void *arg)
{
	char sink[512];
	ssize_t r;

	if (c->state == TWD_HS_CLOSING) {
		r = read(c->fd, sink, sizeof(sink)); /* anything but the FIN is thrown away */
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0)
			drop(c); /* the client closed first: TIME_WAIT stays on its side */
		return;
	}
	r = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		drop(c); /* the client closed first: TIME_WAIT stays on its side */
		return;
	}
	c->len += r;
	c->served = 0;
	serve(h, c, now_ms, body, arg);
}

static bool same_peer(const struct twd_http_client *c, uint8_t family, const uint8_t *a)
{
	return c->fd >= 0 && c->family == family && !memcmp(c->peer, a, tw_family_addr_len(family));
}

/* Busy (reading or writing) and younger than the grace: not to be evicted yet */
static bool in_grace(const struct twd_http_client *c, int64_t now_ms)
{
	return (c->state == TWD_HS_READ || c->state == TWD_HS_WRITE) &&
	       now_ms - c->since_ms < TWD_HTTP_GRACE_MS;
}

/*
 * The slot to evict among those of one peer (a != NULL) or all: a closing
 * connection first, then the oldest busy one past its grace, then the
 * longest idle, but an idle one only when no busy one will soon be
 * evictable. -1: none now (wait for the grace to pass).
 */
static int victim(const struct twd_http *h, uint8_t family, const uint8_t *a, int64_t now_ms)
{
	int i, best = -1, rank = 3, r;
	bool young = false;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		const struct twd_http_client *c = &h->cl[i];

		if (c->fd < 0 || (a && !same_peer(c, family, a)))
			continue;
		if (in_grace(c, now_ms)) {
			young = true;
			continue;
		}
		r = c->state == TWD_HS_CLOSING ? 0 : c->state == TWD_HS_IDLE ? 2 : 1;
		if (r < rank || (r == rank && (r == 2 ? c->deadline_ms < h->cl[best].deadline_ms
						      : c->serial < h->cl[best].serial))) {
			best = i;
			rank = r;
		}
	}
	return rank == 2 && young ? -1 : best;
}

/*
 * A slot for a new connection from (family, a), or -1 if it must wait: a
 * peer at its cap gives up its own oldest; anyone takes a free slot, else
 * the oldest busy connection past its grace.
 */
static int slot_for_new(struct twd_http *h, uint8_t family, const uint8_t *a, int64_t now_ms)
{
	int i, n = 0, v;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		n += same_peer(&h->cl[i], family, a);
	if (n >= TWD_HTTP_PER_PEER) {
		v = victim(h, family, a, now_ms);
	} else {
		for (i = 0; i < TWD_HTTP_CLIENTS; i++)
			if (h->cl[i].fd < 0)
				return i;
		v = victim(h, 0, NULL, now_ms);
	}
	if (v < 0)
		return -1;
	h->evicted++;
	reset(&h->cl[v]);
	return v;
}

static void peer_of(const struct sockaddr_storage *ss, uint8_t *family, uint8_t a[16])
{
	memset(a, 0, 16);
	*family = ss->ss_family;
	if (ss->ss_family == AF_INET)
		memcpy(a, &((const struct sockaddr_in *)ss)->sin_addr, 4);
	else if (ss->ss_family == AF_INET6)
		memcpy(a, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
}

/* Place the connection fd in a slot and answer what it sent: false if it must wait */
static bool place(struct twd_http *h, int fd, uint8_t fam, const uint8_t *a, int64_t now_ms,
		  twd_http_body_fn body, void *arg)
{
	struct twd_http_client *c;
	int i = slot_for_new(h, fam, a, now_ms);

	if (i < 0)
		return false;
	c = &h->cl[i];
	c->fd = fd;
	c->family = fam;
	memcpy(c->peer, a, sizeof(c->peer));
	c->serial = ++h->serial;
	c->since_ms = now_ms;
	set_state(c, TWD_HS_READ, now_ms + TWD_HTTP_TIMEOUT_MS);
	/* a scraper's request is usually there already: answer it at once */
	on_readable(h, c, now_ms, body, arg);
	return true;
}

/*
 * Accept while connections can be placed. One that cannot (every slot it
 * could take is in its grace) waits as h->pending, and the listener is not
 * polled until then: the others wait in the kernel's backlog, in order.
 */
static void accept_new(struct twd_http *h, int64_t now_ms, twd_http_body_fn body, void *arg)
{
	int k;

	if (h->pending >= 0) {
		if (!place(h, h->pending, h->pending_family, h->pending_peer, now_ms, body, arg))
			return;
		h->pending = -1;
	}
	for (k = 0; k < TWD_HTTP_ACCEPT_BURST; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd = accept4(h->lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
		uint8_t a[16], fam;

		if (fd < 0)
			return;
		peer_of(&ss, &fam, a);
		if (!place(h, fd, fam, a, now_ms, body, arg)) {
			h->pending = fd;
			h->pending_family = fam;
			memcpy(h->pending_peer, a, sizeof(h->pending_peer));
			return;
		}
	}
}

/* Past its deadline: a closing connection is half-closed once, anything else reset */
static void expire(struct twd_http *h, struct twd_http_client *c, int64_t now_ms)
{
	if (c->state == TWD_HS_CLOSING && !c->shut) {
		shutdown(c->fd, SHUT_WR);
		c->shut = true;
		c->deadline_ms = now_ms + TWD_HTTP_LINGER_MS;
		return;
	}
	h->timeouts++;
	reset(c); /* stalled, idle too long, or never closed */
}

void twd_http_handle(struct twd_http *h, const struct pollfd *p, int n, int64_t now_ms,
		     twd_http_body_fn body, void *arg)
{
	int i;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		struct twd_http_client *c = &h->cl[i];
		short rev = i + 1 < n && p[1 + i].fd == c->fd ? p[1 + i].revents : 0;

		if (c->fd < 0)
			continue;
		if (c->out) {
			if (rev & (POLLOUT | POLLHUP | POLLERR))
				serve(h, c, now_ms, body, arg);
		} else if (rev & (POLLIN | POLLHUP | POLLERR)) {
			on_readable(h, c, now_ms, body, arg);
		}
		if (c->fd >= 0 && now_ms >= c->deadline_ms)
			expire(h, c, now_ms);
	}
	if (h->pending >= 0 ||
	    (n > 0 && p[0].fd >= 0 && p[0].fd == h->lfd && (p[0].revents & POLLIN)))
		accept_new(h, now_ms, body, arg);
}

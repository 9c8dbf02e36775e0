// SPDX-License-Identifier: GPL-2.0
/* twmond's /metrics endpoint: poll-driven HTTP/1.1 with keep-alive, no blocking write */
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
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		h->cl[i].fd = -1;
}

int twd_http_open(struct twd_http *h, const char *addr, char *err, size_t errlen)
{
	char host[80];
	const char *colon = strrchr(addr, ':');
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	uint8_t fam, a[16];
	int one = 1, e;
	long port;

	twd_http_init(h);
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
	h->lfd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		goto fail;
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&ss, sl) || listen(h->lfd, 16))
		goto fail;
	return 0;
fail:
	e = errno;
	snprintf(err, errlen, "listen on %s: %s", addr, strerror(e));
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
	return -e;
}

static void drop(struct twd_http_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void twd_http_close(struct twd_http *h)
{
	int i;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		drop(&h->cl[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
}

int twd_http_pollfds(const struct twd_http *h, struct pollfd *p)
{
	int i;

	p[0] = (struct pollfd){ .fd = h->lfd, .events = POLLIN };
	for (i = 0; i < TWD_HTTP_CLIENTS; i++)
		p[1 + i] = (struct pollfd){ .fd = h->cl[i].fd,
					    .events = h->cl[i].out ? POLLOUT : POLLIN };
	return 1 + TWD_HTTP_CLIENTS;
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

/* Answer every complete request buffered, as far as the socket takes it */
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
				drop(c);
				return;
			}
			c->out_off += n;
			if (c->out_off < c->out_len)
				continue;
			free(c->out);
			c->out = NULL;
			if (!c->keep_alive) {
				drop(c); /* the client asked for it: our side keeps TIME_WAIT */
				return;
			}
			c->idle = true;
			c->deadline_ms = now_ms + TWD_HTTP_IDLE_MS;
		}
		if (c->len) {
			size_t head_len = 0;
			int code = twd_http_parse(c->req, c->len, &head_len, &c->keep_alive);

			if (c->idle) {
				c->idle = false;
				c->deadline_ms = now_ms + TWD_HTTP_TIMEOUT_MS;
			}
			if (!code && c->len == sizeof(c->req)) {
				code = 400;
				head_len = c->len;
			}
			if (!code)
				return;
			if (code == 400)
				c->keep_alive = false;
			h->requests++;
			c->len -= head_len;
			memmove(c->req, c->req + head_len, c->len);
			if (!respond(c, code, body, arg)) {
				drop(c);
				return;
			}
			continue;
		}
		return;
	}
}

/* A free slot, or the longest-idle kept-alive connection's, or -1 */
static int slot_for_new(struct twd_http *h)
{
	int i, victim = -1;

	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		if (h->cl[i].fd < 0)
			return i;
		if (h->cl[i].idle &&
		    (victim < 0 || h->cl[i].deadline_ms < h->cl[victim].deadline_ms))
			victim = i;
	}
	if (victim >= 0)
		drop(&h->cl[victim]);
	return victim;
}

void twd_http_handle(struct twd_http *h, const struct pollfd *p, int n, int64_t now_ms,
		     twd_http_body_fn body, void *arg)
{
	int i;

	if (n > 0 && p[0].fd >= 0 && (p[0].revents & POLLIN)) {
		for (;;) {
			int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

			if (fd < 0)
				break;
			i = slot_for_new(h);
			if (i < 0) {
				close(fd); /* every slot busy with a request: the scraper retries */
				continue;
			}
			h->cl[i].fd = fd;
			h->cl[i].deadline_ms = now_ms + TWD_HTTP_TIMEOUT_MS;
		}
	}
	for (i = 0; i < TWD_HTTP_CLIENTS; i++) {
		struct twd_http_client *c = &h->cl[i];
		short rev = i + 1 < n && p[1 + i].fd == c->fd ? p[1 + i].revents : 0;
		ssize_t r;

		if (c->fd < 0)
			continue;
		if (now_ms > c->deadline_ms) {
			drop(c); /* stalled, or idle too long */
			continue;
		}
		if (c->out) {
			if (rev & (POLLOUT | POLLHUP | POLLERR))
				serve(h, c, now_ms, body, arg);
			continue;
		}
		if (!(rev & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r <= 0) {
			drop(c); /* the client closed first: TIME_WAIT stays on its side */
			continue;
		}
		c->len += r;
		serve(h, c, now_ms, body, arg);
	}
}

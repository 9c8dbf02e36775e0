// SPDX-License-Identifier: GPL-2.0
/* twmond's /metrics endpoint: poll-driven HTTP/1.0, one response per connection */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
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
	c->fd = -1;
	c->len = 0;
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
		p[1 + i] = (struct pollfd){ .fd = h->cl[i].fd, .events = POLLIN };
	return 1 + TWD_HTTP_CLIENTS;
}

int twd_http_parse(const char *req, size_t len)
{
	const char *end = memmem(req, len, "\r\n\r\n", 4);
	const char *sp1, *sp2, *line_end;

	if (!end)
		end = memmem(req, len, "\n\n", 2);
	if (!end)
		return 0;
	line_end = memchr(req, '\n', len);
	sp1 = memchr(req, ' ', line_end - req);
	if (!sp1)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', line_end - sp1 - 1);
	if (!sp2)
		sp2 = line_end; /* HTTP/0.9 style */
	if (sp1 - req != 3 || memcmp(req, "GET", 3))
		return 405;
	if ((sp2 - sp1 - 1 == 8 && !memcmp(sp1 + 1, "/metrics", 8)) ||
	    (sp2 - sp1 - 1 > 8 && !memcmp(sp1 + 1, "/metrics?", 9)))
		return 200;
	return 404;
}

static void write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= n;
	}
}

static void respond(struct twd_http_client *c, int code, twd_http_body_fn body, void *arg)
{
	static const char *const ctype = "text/plain; version=0.0.4; charset=utf-8";
	struct timeval tv = { 2, 0 };
	char hdr[256], *b = NULL;
	const char *reason, *text = NULL;
	size_t blen = 0;
	int fl;

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
	snprintf(hdr, sizeof(hdr),
		 "HTTP/1.0 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		 "Connection: close\r\n\r\n",
		 code, reason, code == 200 ? ctype : "text/plain; charset=utf-8", blen);
	/* blocking with a timeout: a response is small and the client is local */
	fl = fcntl(c->fd, F_GETFL);
	fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	write_all(c->fd, hdr, strlen(hdr));
	write_all(c->fd, b ? b : text, blen);
	free(b);
	drop(c);
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
			for (i = 0; i < TWD_HTTP_CLIENTS && h->cl[i].fd >= 0; i++)
				;
			if (i == TWD_HTTP_CLIENTS) {
				close(fd); /* busy: the scraper retries */
				continue;
			}
			h->cl[i].fd = fd;
			h->cl[i].len = 0;
			h->cl[i].start_ms = now_ms;
		}
	}
	for (i = 0; i < TWD_HTTP_CLIENTS && i + 1 < n; i++) {
		struct twd_http_client *c = &h->cl[i];
		ssize_t r;
		int code;

		if (c->fd < 0)
			continue;
		if (now_ms - c->start_ms > TWD_HTTP_TIMEOUT_MS) {
			drop(c);
			continue;
		}
		if (p[1 + i].fd != c->fd || !(p[1 + i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		r = read(c->fd, c->req + c->len, sizeof(c->req) - c->len);
		if (r <= 0) {
			if (r < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			drop(c);
			continue;
		}
		c->len += r;
		code = twd_http_parse(c->req, c->len);
		if (!code && c->len == sizeof(c->req))
			code = 400;
		if (code) {
			h->requests++;
			respond(c, code, body, arg);
		}
	}
}

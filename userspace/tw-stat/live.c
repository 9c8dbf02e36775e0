// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat events and watch: the sockets, signals and terminal around the
 * pure parts in events.c and watch.c.
 *
 * events: a second socket joins the twmon "events" group (and "stats" with
 * --stats) and nlctrl's "notify" group, which says when the twmon family
 * goes away (rmmod) or comes back. Group ids are resolved by name on the
 * request socket, never on the subscription socket (a notification there
 * would break libnl's sequence check). Datagrams are read with recvmsg()
 * so that ENOBUFS is seen as such.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <netlink/genl/ctrl.h>
#include <linux/twmon.h>

#include "cgroups.h"
#include "events.h"
#include "fetch.h"
#include "live.h"
#include "netns.h"
#include "print.h"
#include "show.h"
#include "watch.h"

#define RECV_BUF (64 * 1024)
#define RCVBUF_DEFAULT (1024 * 1024)

static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errorf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "tw-stat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_real(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* SIGINT, SIGTERM (and SIGWINCH for watch) arrive on a descriptor */
static int signal_fd(bool winch)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (winch)
		sigaddset(&set, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

/* The signal read from fd: 0 if none */
static int signal_read(int fd)
{
	struct signalfd_siginfo si;

	if (read(fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	return (int)si.ssi_signo;
}

/* --- events ------------------------------------------------------------ */

struct sub {
	struct tw_nl *nl; /* requests: resolve, GET_STATS */
	struct tw_nl sk;  /* the subscription */
	const struct tw_opts *o;
	struct tw_events_ctx ctx;
};

static int join(struct sub *s, const char *family, const char *group, bool quiet)
{
	int grp = genl_ctrl_resolve_grp(s->nl->sk, family, group);

	if (grp < 0) {
		if (!quiet)
			errorf("cannot resolve the multicast group %s/%s: %s", family, group,
			       nl_geterror(grp));
		return -1;
	}
	if (nl_socket_add_membership(s->sk.sk, grp) < 0) {
		errorf("cannot join the multicast group %s/%s: %s", family, group, strerror(errno));
		return -1;
	}
	return 0;
}

/* The twmon groups (again, after a reload): the request socket is renewed */
static int join_twmon(struct sub *s, bool reopen)
{
	char err[TW_NL_ERR_LEN];

	if (reopen) {
		tw_nl_close(s->nl);
		if (tw_nl_open(s->nl, err, sizeof(err))) {
			errorf("%s", err);
			return -1;
		}
	}
	if (join(s, TWMON_GENL_NAME, TWMON_MCGRP_EVENTS, false) ||
	    (s->o->stats && join(s, TWMON_GENL_NAME, TWMON_MCGRP_STATS, false)))
		return -1;
	s->ctx.family = s->nl->family;
	tw_seq_forget(&s->ctx.seq);
	return 0;
}

static int flush_out(void)
{
	if (print_flush()) {
		errorf("writing the output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* After a loss: where the namespace stands now, from GET_STATS */
static int resync(struct sub *s)
{
	struct stats_vec sv = { 0 };
	char err[TW_NL_ERR_LEN], name[256];
	const char *nm = s->o->netns;
	int r;

	r = tw_fetch_stats(s->nl, false, &sv, err, sizeof(err));
	if (r) {
		free(sv.v);
		if (s->ctx.unloaded)
			return 0; /* said below */
		errorf("resync: %s", err);
		return -1;
	}
	if (!nm && !tw_netns_name(TW_NETNS_RUN_DIR, sv.v[0].netns_inum, name, sizeof(name)))
		nm = name;
	tw_show_snapshot(now_real(), "resync", &sv.v[0], 0, nm);
	free(sv.v);
	return flush_out();
}

/* 0 go on, 1 done (exit 0), -1 error (exit 1) */
static int on_datagram(struct sub *s, const char *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	double ts = now_real();
	int rem = (int)len;

	for (nlh = (const void *)buf; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
		int r;

		if (nlh->nlmsg_type < NLMSG_MIN_TYPE)
			continue; /* NOOP, ERROR, DONE: nothing was asked here */
		r = tw_events_handle(&s->ctx, nlh, ts);
		if (r == TW_EV_ERROR) {
			errorf("%s", s->ctx.err);
			return -1;
		}
		if (r == TW_EV_DONE)
			return 1;
	}
	if (rem > 0) {
		errorf("a truncated netlink message (%d bytes left over)", rem);
		return -1;
	}
	return 0;
}

/* The family came or went: 0 go on, -1 exit 1 */
static int on_family(struct sub *s)
{
	if (s->ctx.unloaded && s->ctx.family > 0) {
		s->ctx.family = -1;
		if (!s->o->follow) {
			errorf("the twmon module was unloaded; no more events (--follow waits for "
			       "it to come back)");
			return -1;
		}
		tw_show_notice(now_real(), "module-unloaded", "waiting for twmon to come back");
		if (flush_out())
			return -1;
	}
	if (s->ctx.loaded && s->ctx.family < 0 && s->o->follow) {
		if (join_twmon(s, true))
			return -1;
		tw_show_notice(now_real(), "module-loaded", "subscribed again");
		if (flush_out())
			return -1;
	}
	s->ctx.unloaded = s->ctx.loaded = false;
	return 0;
}

static int events_loop(struct sub *s, int sfd)
{
	int fd = nl_socket_get_fd(s->sk.sk);
	char *buf = malloc(RECV_BUF);
	int ret = -1;

	if (!buf) {
		errorf("out of memory");
		return -1;
	}
	for (;;) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		struct iovec iov = { buf, RECV_BUF };
		struct sockaddr_nl from;
		struct msghdr mh = { .msg_name = &from,
				     .msg_namelen = sizeof(from),
				     .msg_iov = &iov,
				     .msg_iovlen = 1 };
		ssize_t n;
		int r;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			errorf("poll: %s", strerror(errno));
			break;
		}
		if (p[1].revents && signal_read(sfd)) {
			ret = 0;
			break;
		}
		if (!p[0].revents)
			continue;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0 && errno == ENOBUFS) {
			tw_show_lost(now_real(), 0, NULL, 0, "receive buffer overflow, ENOBUFS");
			tw_seq_forget(&s->ctx.seq);
			if (flush_out() || resync(s))
				break;
			continue;
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			errorf("receive: %s", strerror(errno));
			break;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			errorf("a message longer than %d bytes: cut off", RECV_BUF);
			break;
		}
		if (mh.msg_namelen < sizeof(from) || from.nl_family != AF_NETLINK || from.nl_pid)
			continue; /* not from the kernel: another process may send to our port */
		r = on_datagram(s, buf, (size_t)n);
		if (r) {
			ret = r > 0 ? 0 : -1;
			break;
		}
		if (s->ctx.resync) {
			s->ctx.resync = false;
			if (resync(s))
				break;
		}
		if ((s->ctx.unloaded || s->ctx.loaded) && on_family(s))
			break;
	}
	free(buf);
	return ret;
}

int tw_cmd_events(struct tw_nl *nl, const struct tw_opts *o)
{
	struct sub s = { .nl = nl, .o = o };
	char err[TW_NL_ERR_LEN];
	int sfd, ret = 1;

	s.ctx.stats = o->stats;
	s.ctx.count = o->count;
	s.ctx.netns = o->netns;
	s.ctx.netns_dir = TW_NETNS_RUN_DIR;
	sfd = signal_fd(false);
	if (sfd < 0) {
		errorf("signalfd: %s", strerror(errno));
		return 1;
	}
	if (tw_nl_connect(&s.sk, err, sizeof(err))) {
		errorf("%s", err);
		close(sfd);
		return 1;
	}
	/* a sized buffer: a burst must not cost messages (ENOBUFS) */
	if (nl_socket_set_buffer_size(s.sk.sk, o->rcvbuf ? (int)o->rcvbuf : RCVBUF_DEFAULT, 0) < 0)
		errorf("cannot set the receive buffer size, the default is used");
	/* first nlctrl, so that an rmmod (or a modprobe) from now on is seen */
	if (join(&s, "nlctrl", "notify", false))
		goto out;
	print_init(stdout, o->json, false); /* one line per record */
	if (nl->family < 0 && o->follow) {
		/* not loaded at the start: --follow waits (it may have come meanwhile) */
		if (genl_ctrl_resolve(nl->sk, TWMON_GENL_NAME) >= 0) {
			if (join_twmon(&s, true))
				goto out;
		} else {
			s.ctx.family = -1;
			tw_show_notice(now_real(), "module-unloaded",
				       "waiting for twmon to be loaded");
			if (flush_out())
				goto out;
		}
	} else if (join_twmon(&s, false)) {
		goto out;
	}
	ret = events_loop(&s, sfd) ? 1 : 0;
out:
	tw_nl_close(&s.sk);
	close(sfd);
	return ret;
}

/* --- watch ------------------------------------------------------------- */

static struct termios saved_tio;
static bool tio_saved, screen_on;

static void term_restore(void)
{
	if (screen_on) {
		fputs("\033[?25h\033[?1049l", stdout);
		fflush(stdout);
		screen_on = false;
	}
	if (tio_saved) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		tio_saved = false;
	}
}

static void term_setup(bool keys)
{
	struct termios t;

	if (keys && !tcgetattr(STDIN_FILENO, &saved_tio)) {
		t = saved_tio;
		t.c_lflag &= ~(ICANON | ECHO);
		t.c_cc[VMIN] = 0;
		t.c_cc[VTIME] = 0;
		if (!tcsetattr(STDIN_FILENO, TCSANOW, &t))
			tio_saved = true;
	}
	/* alternate screen, cursor hidden */
	fputs("\033[?1049h\033[?25l", stdout);
	screen_on = true;
	atexit(term_restore);
}

static void term_size(unsigned int *rows, unsigned int *cols)
{
	struct winsize ws;

	*rows = 24;
	*cols = 80;
	if (!ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) && ws.ws_row && ws.ws_col) {
		*rows = ws.ws_row;
		*cols = ws.ws_col;
	}
}

/* A text frame on the screen: from the top, lines cut to the width */
static void paint(const char *text, unsigned int rows, unsigned int cols)
{
	const char *p = text;
	unsigned int row = 0;

	fputs("\033[H", stdout);
	while (*p && row < rows) {
		size_t len = strcspn(p, "\n");

		fwrite(p, 1, len < cols ? len : cols, stdout);
		p += len;
		if (*p == '\n')
			p++;
		fputs("\033[K", stdout);
		if (++row < rows)
			fputs("\r\n", stdout);
	}
	fputs("\033[J", stdout);
	fflush(stdout);
}

struct watch_data {
	struct stats_vec sv[2]; /* cur, prev alternate */
	struct entry_vec dests, services;
	struct entry_vec cgroups; /* while the module answers GET_CGROUPS */
	bool no_cgroups;	  /* it did not (cgroups=0) */
	char **cgroup_paths;
};

static int fetch_frame(struct tw_nl *nl, struct watch_data *d, int cur)
{
	char err[TW_NL_ERR_LEN];
	int r;

	d->dests.n = d->services.n = 0;
	if (tw_fetch_stats(nl, false, &d->sv[cur], err, sizeof(err)) ||
	    tw_fetch_entries(nl, NULL, TWMON_CMD_GET_DESTS, "GET_DESTS", 0, &d->dests, err,
			     sizeof(err)) ||
	    tw_fetch_entries(nl, NULL, TWMON_CMD_GET_SERVICES, "GET_SERVICES", 0, &d->services, err,
			     sizeof(err))) {
		term_restore();
		errorf("%s", err);
		return -1;
	}
	tw_sort_entries(d->dests.v, d->dests.n);
	tw_sort_entries(d->services.v, d->services.n);
	tw_cgroups_paths_free(d->cgroup_paths, d->cgroups.n);
	d->cgroup_paths = NULL;
	d->cgroups.n = 0;
	if (d->no_cgroups)
		return 0;
	r = tw_fetch_entries(nl, NULL, TWMON_CMD_GET_CGROUPS, "GET_CGROUPS", 0, &d->cgroups, err,
			     sizeof(err));
	if (r == -EOPNOTSUPP) {
		d->no_cgroups = true; /* loaded without cgroups=1: no panel */
		return 0;
	}
	if (r) {
		term_restore();
		errorf("%s", err);
		return -1;
	}
	tw_sort_cgroups(d->cgroups.v, d->cgroups.n);
	d->cgroup_paths = tw_cgroups_paths(d->cgroups.v, d->cgroups.n);
	return 0;
}

/* Waits for the next frame: 1 quit, 0 next frame */
static int watch_wait(int sfd, bool keys, double until)
{
	for (;;) {
		struct pollfd p[2] = { { sfd, POLLIN, 0 },
				       { keys ? STDIN_FILENO : -1, POLLIN, 0 } };
		double left = until - now_mono();
		int sig;

		if (left <= 0)
			return 0;
		if (poll(p, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			return 1;
		if (p[0].revents) {
			sig = signal_read(sfd);
			if (sig == SIGINT || sig == SIGTERM)
				return 1;
			if (sig == SIGWINCH)
				return 0; /* redraw at the new size now */
		}
		if (p[1].revents) {
			char c = 0;

			if (read(STDIN_FILENO, &c, 1) <= 0 && !(p[1].revents & POLLIN))
				keys = false; /* stdin closed */
			if (c == 'q' || c == 'Q' || c == 3 /* ^C without ISIG */)
				return 1;
		}
	}
}

int tw_cmd_watch(struct tw_nl *nl, const struct tw_opts *o)
{
	bool tty = !o->json && isatty(STDOUT_FILENO);
	bool keys = tty && isatty(STDIN_FILENO);
	struct watch_data d = { .dests = { .parse = tw_parse_dest },
				.services = { .parse = tw_parse_service },
				.cgroups = { .parse = tw_parse_cgroup } };
	double t[2] = { 0, 0 }, next = now_mono();
	unsigned long frame;
	char name_buf[256];
	const char *name = o->netns;
	int sfd, ret = 1, cur = 0;

	sfd = signal_fd(tty);
	if (sfd < 0) {
		errorf("signalfd: %s", strerror(errno));
		return 1;
	}
	if (tty)
		term_setup(keys);
	for (frame = 0;; frame++) {
		struct tw_watch_frame f = { 0 };
		unsigned int rows = 0, cols = 0;
		char *text = NULL;
		size_t textlen = 0;
		FILE *mem = NULL;

		if (fetch_frame(nl, &d, cur))
			goto out;
		t[cur] = now_mono();
		if (!name && !tw_netns_name(TW_NETNS_RUN_DIR, d.sv[cur].v[0].netns_inum, name_buf,
					    sizeof(name_buf)))
			name = name_buf;
		f.ts = now_real();
		f.interval = o->interval_ms / 1000.0;
		f.netns_name = name;
		f.cur = &d.sv[cur].v[0];
		f.prev = frame ? &d.sv[!cur].v[0] : NULL;
		f.dt = frame ? t[cur] - t[!cur] : 0;
		f.dests = d.dests.v;
		f.ndests = d.dests.n;
		f.services = d.services.v;
		f.nservices = d.services.n;
		if (!d.no_cgroups) {
			f.cgroups = d.cgroups.v;
			f.cgroup_paths = d.cgroup_paths;
			f.ncgroups = d.cgroups.n;
		}
		f.top = (o->given & OPT_TOP) ? o->top : TW_WATCH_TOP_DEFAULT;
		if (tty) {
			term_size(&rows, &cols);
			f.width = cols;
			mem = open_memstream(&text, &textlen);
			if (!mem) {
				term_restore();
				errorf("out of memory");
				goto out;
			}
			print_init(mem, false, false);
		} else {
			if (frame && !o->json)
				fputs("---\n", stdout);
			print_init(stdout, o->json, o->pretty);
		}
		tw_watch_render(&f);
		if (print_flush()) {
			term_restore();
			errorf("writing the output: %s", strerror(errno));
			goto out;
		}
		if (mem) {
			fclose(mem);
			print_init(stdout, false, false);
			paint(text, rows, cols);
			free(text);
		}
		cur = !cur;
		if (o->iterations && frame + 1 >= o->iterations)
			break;
		next += o->interval_ms / 1000.0;
		if (next < now_mono())
			next = now_mono(); /* slow dumps: no catching up */
		if (watch_wait(sfd, keys, next))
			break;
	}
	ret = 0;
out:
	term_restore();
	free(d.sv[0].v);
	free(d.sv[1].v);
	free(d.dests.v);
	free(d.services.v);
	tw_cgroups_paths_free(d.cgroup_paths, d.cgroups.n);
	free(d.cgroups.v);
	close(sfd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tw-rst: TIME_WAIT sockets killed by an incoming RST (the RFC 1337
 * "TIME_WAIT assassination"), for twmon's VM tests.
 *
 *   tw-rst make --server ADDR --port PORT [--count N] --state FILE
 *               [--ifname IF] [--timeout-ms MS]
 *   tw-rst send --state FILE [--seq-offset K]
 *
 * make: listens on ADDR:PORT and makes N connections to it from ADDR
 * (ephemeral ports), one after the other. Per connection the server sends
 * 8 bytes, the client reads them and closes first, the server reads the
 * end of file and closes second: the CLIENT's end goes to TIME_WAIT. The
 * kernel keeps the TIME_WAIT socket's rcv_nxt to itself, so an AF_PACKET
 * socket on IF (default lo) watches the wire: the server's FIN, seq +
 * payload + 1, is that rcv_nxt. One line per connection goes to FILE:
 *
 *     inet|inet6 LOCAL LPORT REMOTE RPORT RCV_NXT
 *
 * LOCAL:LPORT is the TIME_WAIT socket's end (the client), REMOTE:RPORT the
 * server's (ADDR:PORT). Nothing else has to run: the helper is both ends.
 *
 * send: for each line of FILE a raw IPPROTO_TCP socket bound to REMOTE
 * sends a bare RST (no ACK, no options, correct checksum) from REMOTE:RPORT
 * to LOCAL:LPORT with seq RCV_NXT + K. Without options there is no
 * timestamp, so PAWS cannot reject it: tcp_timewait_state_process() (6.1
 * and 6.12) parses options only when doff > 5. A real TIME_WAIT socket
 * dies of such an RST iff its seq == tw_rcv_nxt and net.ipv4.tcp_rfc1337 is
 * 0 (the default); with K != 0 (out of window), or with tcp_rfc1337 = 1,
 * the RST is dropped and the socket lives on. "make" twice on one FILE and
 * "send" any number of times: the lines stay valid as long as the sockets
 * live (60 s).
 *
 * stdout carries exactly one JSON object, printed at the end:
 *   make: {"family", "connections", "fins_captured"}
 *   send: {"rsts_sent", "seq_offset", "errors"}
 * Everything else goes to stderr. Exit codes: 0 done, 1 error (the JSON is
 * still printed when there is something to count), 2 bad arguments.
 * Needs CAP_NET_RAW.
 *
 * Build: gcc -O2 -Wall -Wextra -Werror -static -o tests/tw-rst tests/tw-rst.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_FATAL = 1, EXIT_USAGE = 2 };

#define MAX_COUNT 10000
#define GREETING "tw-rst!\n"
#define GREETING_LEN 8

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("tw-rst: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FATAL);
}

static void usage(FILE *f)
{
	fputs("usage: tw-rst make --server ADDR --port PORT [--count N] --state FILE\n"
	      "                   [--ifname IF] [--timeout-ms MS]\n"
	      "       tw-rst send --state FILE [--seq-offset K]\n"
	      "make: N connections to ADDR:PORT (served by tw-rst itself) where the\n"
	      "      client closes first; the client ends go to TIME_WAIT and their\n"
	      "      4-tuples and rcv_nxt (the server's FIN seen on IF, default lo)\n"
	      "      go to FILE\n"
	      "send: one bare RST per line of FILE, from the server's end to the\n"
	      "      TIME_WAIT socket's, with seq rcv_nxt + K (default 0)\n",
	      f);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("tw-rst: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

static long parse_long(const char *what, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		die_usage("%s: '%s' is not an integer in [%ld, %ld]", what, s, min, max);
	return v;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Addresses                                                           */

struct endpoint {
	int family;
	uint8_t addr[16]; /* 4 bytes for AF_INET */
	uint16_t port;	  /* host order */
};

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

static const char *family_name(int family)
{
	return family == AF_INET ? "inet" : "inet6";
}

static bool parse_addr(const char *s, struct endpoint *e)
{
	memset(e->addr, 0, sizeof(e->addr));
	if (inet_pton(AF_INET, s, e->addr) == 1) {
		e->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, e->addr) == 1) {
		e->family = AF_INET6;
		return true;
	}
	return false;
}

static socklen_t to_sockaddr(const struct endpoint *e, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (e->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(e->port);
		memcpy(&sin->sin_addr, e->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(e->port);
	memcpy(&sin6->sin6_addr, e->addr, 16);
	return sizeof(*sin6);
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->family = ss->ss_family;
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;

		memcpy(e->addr, &sin->sin_addr, 4);
		e->port = ntohs(sin->sin_port);
	} else {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

		memcpy(e->addr, &sin6->sin6_addr, 16);
		e->port = ntohs(sin6->sin6_port);
	}
}

static const char *addr_str(const struct endpoint *e, char *buf, size_t len)
{
	if (!inet_ntop(e->family, e->addr, buf, len))
		die("inet_ntop: %s", strerror(errno));
	return buf;
}

static bool same_endpoint(const struct endpoint *a, const struct endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->addr, b->addr, addr_len(a->family)) == 0;
}

/* ------------------------------------------------------------------ */
/* make: connections whose client end goes to TIME_WAIT                */

/* A TCP segment as seen on the wire */
struct segment {
	struct endpoint src, dst;
	uint32_t seq;
	uint32_t len; /* payload bytes */
	bool fin, syn;
};

/* Parse an IPv4 or IPv6 packet (SOCK_DGRAM: no link header) */
static bool parse_segment(const uint8_t *p, size_t n, uint16_t proto, struct segment *s)
{
	const struct tcphdr *th;
	size_t l3, tot, doff;

	memset(s, 0, sizeof(*s));
	if (proto == ETH_P_IP) {
		const struct iphdr *ip = (const struct iphdr *)p;

		if (n < sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_TCP)
			return false;
		l3 = ip->ihl * 4u;
		tot = ntohs(ip->tot_len);
		if (l3 < sizeof(*ip))
			return false;
		s->src.family = s->dst.family = AF_INET;
		memcpy(s->src.addr, &ip->saddr, 4);
		memcpy(s->dst.addr, &ip->daddr, 4);
	} else if (proto == ETH_P_IPV6) {
		const struct ip6_hdr *ip6 = (const struct ip6_hdr *)p;

		/* loopback TCP carries no extension headers */
		if (n < sizeof(*ip6) || (ip6->ip6_vfc >> 4) != 6 || ip6->ip6_nxt != IPPROTO_TCP)
			return false;
		l3 = sizeof(*ip6);
		tot = l3 + ntohs(ip6->ip6_plen);
		s->src.family = s->dst.family = AF_INET6;
		memcpy(s->src.addr, &ip6->ip6_src, 16);
		memcpy(s->dst.addr, &ip6->ip6_dst, 16);
	} else {
		return false;
	}
	/* the headers must be there; the payload may be cut (MSG_TRUNC) */
	if (n < l3 + sizeof(*th) || tot < l3 + sizeof(*th))
		return false;
	th = (const struct tcphdr *)(p + l3);
	doff = th->doff * 4u;
	if (doff < sizeof(*th) || tot < l3 + doff)
		return false;
	s->src.port = ntohs(th->source);
	s->dst.port = ntohs(th->dest);
	s->seq = ntohl(th->seq);
	s->len = (uint32_t)(tot - l3 - doff);
	s->fin = th->fin;
	s->syn = th->syn;
	return true;
}

/*
 * Wait for the FIN from `from` to `to` on the packet socket and return the
 * sequence number after it: the receiver's rcv_nxt once it has it.
 */
static bool wait_fin(int pfd, const struct endpoint *from, const struct endpoint *to,
		     int timeout_ms, uint32_t *rcv_nxt)
{
	static uint8_t buf[65536 + 256] __attribute__((aligned(8)));
	int64_t deadline = mono_ms() + timeout_ms;

	for (;;) {
		struct pollfd pfdv = { .fd = pfd, .events = POLLIN };
		int64_t left = deadline - mono_ms();
		struct sockaddr_ll sll;
		socklen_t sl = sizeof(sll);
		struct segment s;
		ssize_t n;

		if (left <= 0)
			return false;
		n = poll(&pfdv, 1, (int)left);
		if (n < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (n <= 0)
			continue;
		n = recvfrom(pfd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&sll, &sl);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			die("recvfrom(AF_PACKET): %s", strerror(errno));
		}
		/* lo shows each packet twice: sent, then received */
		if (sll.sll_pkttype == PACKET_OUTGOING)
			continue;
		if (!parse_segment(buf, (size_t)n, ntohs(sll.sll_protocol), &s))
			continue;
		if (!s.fin || !same_endpoint(&s.src, from) || !same_endpoint(&s.dst, to))
			continue;
		*rcv_nxt = s.seq + s.syn + s.len + 1;
		return true;
	}
}

static int packet_socket(const char *ifname)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int fd, rcvbuf = 4 << 20;

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		die("interface %s: %s", ifname, strerror(errno));
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (fd < 0)
		die("socket(AF_PACKET): %s (needs CAP_NET_RAW)", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) != 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0)
		die("bind(AF_PACKET, %s): %s", ifname, strerror(errno));
	return fd;
}

static void read_exactly(int fd, char *buf, size_t len, int timeout_ms, const char *who)
{
	size_t got = 0;

	while (got < len) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) == 0)
			die("%s: no data within %d ms", who, timeout_ms);
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("%s: read: %s", who, strerror(errno));
		if (n == 0)
			die("%s: end of file after %zu of %zu bytes", who, got, len);
		got += (size_t)n;
	}
}

static void wait_eof(int fd, int timeout_ms)
{
	char c;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, timeout_ms) == 0)
			die("server: no FIN from the client within %d ms", timeout_ms);
		n = read(fd, &c, 1);
		if (n == 0)
			return;
		if (n < 0 && errno != EINTR)
			die("server: read: %s", strerror(errno));
		if (n > 0)
			die("server: unexpected data from the client");
	}
}

static int cmd_make(const struct endpoint *server, long count, const char *state,
		    const char *ifname, int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(server, &ss);
	char a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];
	long made = 0, captured = 0;
	int lfd, pfd, one = 1;
	FILE *f;

	f = fopen(state, "w");
	if (!f)
		die("%s: %s", state, strerror(errno));
	fprintf(f, "# family local lport remote rport rcv_nxt (TIME_WAIT end first)\n");

	/* capture first: every FIN after this is seen */
	pfd = packet_socket(ifname);

	lfd = socket(server->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, sl) != 0)
		die("bind %s port %u: %s", addr_str(server, a1, sizeof(a1)), server->port,
		    strerror(errno));
	if (listen(lfd, 16) != 0)
		die("listen: %s", strerror(errno));

	for (long i = 0; i < count; i++) {
		struct sockaddr_storage cs;
		socklen_t csl = sizeof(cs);
		struct endpoint client;
		char buf[GREETING_LEN];
		uint32_t rcv_nxt;
		int cfd, sfd;

		cfd = socket(server->family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (cfd < 0)
			die("socket: %s", strerror(errno));
		if (connect(cfd, (struct sockaddr *)&ss, sl) != 0)
			die("connect %s port %u (connection %ld): %s",
			    addr_str(server, a1, sizeof(a1)), server->port, i + 1, strerror(errno));
		if (getsockname(cfd, (struct sockaddr *)&cs, &csl) != 0)
			die("getsockname: %s", strerror(errno));
		from_sockaddr(&cs, &client);
		sfd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (sfd < 0)
			die("accept: %s", strerror(errno));
		made++;

		/* server data first, so that rcv_nxt is not just ISN + 2 */
		if (write(sfd, GREETING, GREETING_LEN) != GREETING_LEN)
			die("server: write: %s", strerror(errno));
		read_exactly(cfd, buf, sizeof(buf), timeout_ms, "client");
		/* all read: close() sends a FIN, not an RST */
		close(cfd);
		wait_eof(sfd, timeout_ms);
		close(sfd);

		if (!wait_fin(pfd, server, &client, timeout_ms, &rcv_nxt)) {
			fprintf(stderr,
				"tw-rst: the server's FIN to %s port %u not seen on %s within %d ms\n",
				addr_str(&client, a1, sizeof(a1)), client.port, ifname, timeout_ms);
			break;
		}
		captured++;
		fprintf(f, "%s %s %u %s %u %" PRIu32 "\n", family_name(client.family),
			addr_str(&client, a1, sizeof(a1)), client.port,
			addr_str(server, a2, sizeof(a2)), server->port, rcv_nxt);
	}
	close(lfd);
	close(pfd);
	if (fclose(f) != 0)
		die("%s: %s", state, strerror(errno));
	printf("{\"family\": \"%s\", \"connections\": %ld, \"fins_captured\": %ld}\n",
	       family_name(server->family), made, captured);
	return captured == count ? EXIT_OK : EXIT_FATAL;
}

/* ------------------------------------------------------------------ */
/* send: bare RSTs                                                     */

/* Internet checksum: sum of 16-bit big-endian words */
static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The TCP checksum of th (no payload) from src to dst, pseudo-header included */
static uint16_t tcp_csum(const struct endpoint *src, const struct endpoint *dst,
			 const struct tcphdr *th)
{
	uint8_t tail[4] = { 0, 0, 0, IPPROTO_TCP };
	uint32_t sum = 0, len = htonl(sizeof(*th));

	sum = csum_add(sum, src->addr, addr_len(src->family));
	sum = csum_add(sum, dst->addr, addr_len(dst->family));
	if (src->family == AF_INET) {
		uint8_t v4[4] = { 0, IPPROTO_TCP, 0, sizeof(*th) };

		sum = csum_add(sum, v4, sizeof(v4));
	} else {
		sum = csum_add(sum, &len, sizeof(len));
		sum = csum_add(sum, tail, sizeof(tail));
	}
	sum = csum_add(sum, th, sizeof(*th));
	return csum_fold(sum);
}

/* One RST from `from` to `to` with the given seq; false on error */
static bool send_rst(const struct endpoint *from, const struct endpoint *to, uint32_t seq)
{
	struct sockaddr_storage ss;
	struct endpoint a = *from, b = *to;
	struct tcphdr th;
	socklen_t sl;
	ssize_t n;
	int fd;

	memset(&th, 0, sizeof(th));
	th.source = htons(from->port);
	th.dest = htons(to->port);
	th.seq = htonl(seq);
	th.doff = sizeof(th) / 4; /* no options: no timestamp for PAWS */
	th.rst = 1;
	th.check = htons(tcp_csum(from, to, &th));

	fd = socket(from->family, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		die("socket(SOCK_RAW, IPPROTO_TCP): %s (needs CAP_NET_RAW)", strerror(errno));
	/* raw sockets: the port fields must be 0 (IPv6 takes it as protocol) */
	a.port = 0;
	b.port = 0;
	sl = to_sockaddr(&a, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0) {
		fprintf(stderr, "tw-rst: bind(SOCK_RAW): %s\n", strerror(errno));
		close(fd);
		return false;
	}
	sl = to_sockaddr(&b, &ss);
	n = sendto(fd, &th, sizeof(th), 0, (struct sockaddr *)&ss, sl);
	if (n != (ssize_t)sizeof(th)) {
		fprintf(stderr, "tw-rst: sendto: %s\n", n < 0 ? strerror(errno) : "short write");
		close(fd);
		return false;
	}
	close(fd);
	return true;
}

static int cmd_send(const char *state, long offset)
{
	long sent = 0, errors = 0, lineno = 0;
	char line[512];
	FILE *f;

	f = fopen(state, "r");
	if (!f)
		die("%s: %s", state, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char fam[16], local[INET6_ADDRSTRLEN + 1], remote[INET6_ADDRSTRLEN + 1];
		unsigned int lport, rport;
		struct endpoint tw, peer;
		unsigned long rcv_nxt;
		int want;

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "%15s %46s %u %46s %u %lu", fam, local, &lport, remote, &rport,
			   &rcv_nxt) != 6 ||
		    !parse_addr(local, &tw) || !parse_addr(remote, &peer) || lport > 65535 ||
		    rport > 65535 || rcv_nxt > UINT32_MAX)
			die("%s:%ld: not 'family local lport remote rport rcv_nxt'", state, lineno);
		want = strcmp(fam, "inet") == 0	   ? AF_INET
		       : strcmp(fam, "inet6") == 0 ? AF_INET6
						   : -1;
		if (tw.family != want || peer.family != want)
			die("%s:%ld: family '%s' does not match the addresses", state, lineno, fam);
		tw.port = (uint16_t)lport;
		peer.port = (uint16_t)rport;
		/* from the server's end to the TIME_WAIT socket */
		if (send_rst(&peer, &tw, (uint32_t)(rcv_nxt + (unsigned long)offset)))
			sent++;
		else
			errors++;
	}
	if (ferror(f))
		die("%s: read error", state);
	fclose(f);
	printf("{\"rsts_sent\": %ld, \"seq_offset\": %ld, \"errors\": %ld}\n", sent, offset,
	       errors);
	return errors ? EXIT_FATAL : EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "server", required_argument, NULL, 's' },
		{ "port", required_argument, NULL, 'p' },
		{ "count", required_argument, NULL, 'n' },
		{ "state", required_argument, NULL, 'f' },
		{ "ifname", required_argument, NULL, 'i' },
		{ "timeout-ms", required_argument, NULL, 't' },
		{ "seq-offset", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *state = NULL, *ifname = "lo";
	struct endpoint server = { 0 };
	bool have_server = false, have_port = false, have_offset = false;
	long count = 1, offset = 0;
	int timeout_ms = 5000, c;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc < 2 || argv[1][0] == '-')
		die_usage("a command is needed: make or send");
	cmd = argv[1];
	if (strcmp(cmd, "make") && strcmp(cmd, "send"))
		die_usage("unknown command '%s'", cmd);
	optind = 2;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (!parse_addr(optarg, &server))
				die_usage("--server: '%s' is not an IPv4 or IPv6 address", optarg);
			have_server = true;
			break;
		case 'p':
			server.port = (uint16_t)parse_long("--port", optarg, 1, 65535);
			have_port = true;
			break;
		case 'n':
			count = parse_long("--count", optarg, 1, MAX_COUNT);
			break;
		case 'f':
			state = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 't':
			timeout_ms = (int)parse_long("--timeout-ms", optarg, 1, 600000);
			break;
		case 'o':
			offset = parse_long("--seq-offset", optarg, INT32_MIN, INT32_MAX);
			have_offset = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			die_usage("bad option");
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!state)
		die_usage("--state FILE is needed");
	if (!strcmp(cmd, "make")) {
		if (!have_server || !have_port)
			die_usage("make needs --server ADDR and --port PORT");
		if (have_offset)
			die_usage("--seq-offset is for send");
		return cmd_make(&server, count, state, ifname, timeout_ms);
	}
	if (have_server || have_port)
		die_usage("send takes the addresses from --state");
	return cmd_send(state, offset);
}

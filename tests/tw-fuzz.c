// SPDX-License-Identifier: GPL-2.0
/*
 * tw-fuzz: netlink fuzzer and raw requests for twmon's stress tests
 * (static, raw netlink: nothing smooths a request over).
 *
 *   tw-fuzz fuzz [--seed S] [--count N] [--batch B] [--user UID]
 *       N (default 200000) random messages to family twmon, B (default 16)
 *       per send(): 40% well-formed requests (a real command with its
 *       flags, up to three policy attributes, values in and out of range),
 *       the rest random commands, versions, attribute types, lengths,
 *       nesting and flags (NLM_F_DUMP, ACK, ECHO, ...), lying or truncated
 *       headers and attributes, and a few netlink control types (never
 *       another family). The seed is printed first. Afterwards a
 *       plain GET_STATS on a new socket must succeed (exit 1 if not).
 *       --user UID: setuid(UID) (and its gid) before the first message.
 *   tw-fuzz set [--interval MS] [--buckets-wm PCT] [--pool-wm PCT]
 *               [--loop] [--duration-ms MS]
 *       SET_CONFIG once (exit status: 0, or 1 with the error), or with
 *       --loop over and over until --duration-ms (default forever),
 *       random intervals when --interval is not given, resolving the family
 *       again whenever it went away (rmmod): prints "sent N ok N err N"
 *       at the end (also on SIGTERM).
 *   tw-fuzz config
 *       GET_CONFIG as "key value" lines (version, missed, intervals, ...).
 *   tw-fuzz stats [--loop N] [--netns-inum I]
 *       N (default 1) GET_STATS; prints "samples N max_live M max_tw M
 *       max_fw2 M last_live L last_tw L last_fw2 L untracked U"
 *       (max: the largest value seen in any sample, as unsigned).
 *   tw-fuzz subscribers N
 *       N new network namespaces (unshare(CLONE_NEWNET); run it under
 *       unshare -Ur to be unprivileged), one netlink socket in each; once
 *       family twmon is there (polled), each socket joins both multicast
 *       groups and reads nothing. Prints "namespaces N", then "subscribed
 *       N", and stays until killed.
 *   tw-fuzz spin SECONDS
 *       getppid() in a loop (a busy task for a kprobe event to slow down);
 *       prints "spins N max_gap_ms G": G is the longest time between two
 *       rounds of 256 calls (how long the task was kept off its CPU).
 *   tw-fuzz hold --port P [--addr A] [--count N] [--idle-ms MS]
 *                [--close-after-ms D [--spread-ms J]]
 *       A server that never closes first: accepts on A (default 127.0.0.1)
 *       port P, reads tw-load's 8-byte request, answers its 8-byte reply
 *       and keeps the connection open, so a client that closes ends in a
 *       FIN_WAIT2 mini socket that only its timer (tcp_fin_timeout) kills.
 *       Stops MS (default 5000) after the last connection, or after
 *       N (default 1000) and MS more; then resets every connection
 *       (SO_LINGER 0).
 *       Prints "ready" on stderr once listening, "held N" at the end.
 *       --close-after-ms D: close each connection normally (FIN) D + i % J
 *       ms after it was accepted (i: its number), to race the FIN with
 *       the client's FIN_WAIT2 timer.
 *   tw-fuzz as UID[:GID] PROGRAM [ARGS...]
 *       exec PROGRAM with that uid and gid (no supplementary groups).
 *
 * Exit: 0 ok, 1 check failed, 2 usage or setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/stat.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twmon.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>

#define BUFSZ 65536

static int nl_open(void)
{
	int one = 1, rcv = 1 << 20, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("tw-fuzz: socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	/* as root past rmem_max; others get what rmem_max allows */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	return fd;
}

struct msg {
	union {
		struct nlmsghdr n;
		char buf[4096];
	};
};

static void msg_init(struct msg *m, int type, int cmd, int flags,
		     unsigned int seq)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_LENGTH(GENL_HDRLEN));
	m->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	m->n.nlmsg_type = type;
	m->n.nlmsg_flags = flags;
	m->n.nlmsg_seq = seq;
	g = NLMSG_DATA(&m->n);
	g->cmd = cmd;
	g->version = TWMON_GENL_VERSION;
}

static void put_attr(struct msg *m, int type, const void *data, int len)
{
	struct nlattr *a = (void *)(m->buf + NLMSG_ALIGN(m->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (len)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	m->n.nlmsg_len = NLMSG_ALIGN(m->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/* The family's id, or -1 if it is not registered (module not loaded) */
static int resolve(int fd)
{
	static char buf[16384];
	struct nlmsghdr *h;
	struct msg m;
	ssize_t len;

	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST, 1);
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, TWMON_GENL_NAME,
		 sizeof(TWMON_GENL_NAME));
	if (send(fd, m.buf, m.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(fd, buf, sizeof(buf), 0);
	h = (void *)buf;
	if (len > 0 && NLMSG_OK(h, len) && h->nlmsg_type == GENL_ID_CTRL) {
		struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		int rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
		     rem -= NLA_ALIGN(a->nla_len),
		     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(unsigned short *)((char *)a + NLA_HDRLEN);
	}
	return -1;
}

static int resolve_or_die(int fd)
{
	int fam = resolve(fd);

	if (fam < 0) {
		fprintf(stderr, "tw-fuzz: family twmon not found (module loaded?)\n");
		exit(2);
	}
	return fam;
}

/*
 * One request, replies handed to fn (may be NULL). Returns the error of
 * the final NLMSG_ERROR (0: ack or end of a dump), or -errno of the socket.
 */
static int transact(int fd, struct msg *m,
		    void (*fn)(const struct nlmsghdr *h, void *arg), void *arg)
{
	static char buf[BUFSZ];
	struct nlmsghdr *h;
	ssize_t len;

	if (send(fd, m->buf, m->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != m->n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (fn)
				fn(h, arg);
		}
	}
}

/* Attributes of a genl message or of a nest: tb[type] (0 if absent) */
static void parse(const void *data, int len, const struct nlattr **tb, int max)
{
	const struct nlattr *a = data;

	memset(tb, 0, sizeof(*tb) * (max + 1));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int t = a->nla_type & NLA_TYPE_MASK;

		if (t <= max)
			tb[t] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static void parse_msg(const struct nlmsghdr *h, const struct nlattr **tb, int max)
{
	parse((const char *)NLMSG_DATA(h) + GENL_HDRLEN,
	      h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), tb, max);
}

static uint64_t get_u(const struct nlattr *a)
{
	const void *p = (const char *)a + NLA_HDRLEN;
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (a->nla_len - NLA_HDRLEN) {
	case 8: memcpy(&v64, p, 8); return v64;
	case 4: memcpy(&v32, p, 4); return v32;
	case 2: memcpy(&v16, p, 2); return v16;
	case 1: return *(const uint8_t *)p;
	}
	return 0;
}

/* --- random numbers: xorshift64*, seeded, so a run can be repeated ----- */
static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545F4914F6CDD1DULL;
}

static int below(unsigned int n)
{
	return n ? (int)(rnd() % n) : 0;
}

static int chance(unsigned int pct)
{
	return below(100) < (int)pct;
}

/* --- fuzz ---------------------------------------------------------------- */
static unsigned int own_inum;

/* A value a parser might care about */
static void fill_value(unsigned char *p, int len)
{
	static const uint32_t interesting[] = {
		0, 1, 2, 4, 5, 6, 10, 99, 100, 101, 255, 256, 1000, 59999,
		60000, 60001, 65535, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
	};
	uint32_t v;
	int i;

	if (chance(50)) {
		for (i = 0; i < len; i++)
			p[i] = rnd();
		return;
	}
	v = chance(15) ? own_inum : interesting[below(sizeof(interesting) / 4)];
	memset(p, chance(20) ? 0xff : 0, len);
	memcpy(p, &v, len < 4 ? len : 4);
}

/* The length a well-formed attribute of this type would have */
static int natural_len(int type)
{
	switch (type) {
	case TWMON_A_ALL_NETNS: return 0;
	case TWMON_A_FAMILY: case TWMON_A_SUBSTATE: return 1;
	case TWMON_A_LOCAL_PORT: case TWMON_A_REMOTE_PORT: return 2;
	case TWMON_A_LOCAL_ADDR: case TWMON_A_REMOTE_ADDR: return chance(50) ? 4 : 16;
	case TWMON_A_PAD: case TWMON_A_SEQ: case TWMON_A_MISSED:
	case TWMON_A_PURGED_DEAD_NETNS: return 8;
	case TWMON_A_VERSION: return 1 + below(12);
	default: return 4;
	}
}

/* Attributes the policy accepts, so that requests get past validation */
static const int policy_attrs[] = {
	TWMON_A_NETNS_INUM, TWMON_A_ALL_NETNS, TWMON_A_FAMILY, TWMON_A_MIN_COUNT,
	TWMON_A_LOCAL_ADDR, TWMON_A_LOCAL_PORT, TWMON_A_REMOTE_ADDR,
	TWMON_A_REMOTE_PORT, TWMON_A_SUBSTATE, TWMON_A_STATS_INTERVAL_MS,
	TWMON_A_BUCKETS_WATERMARK_PCT, TWMON_A_POOL_WATERMARK_PCT,
};

/* Random attributes into [p, end); returns the bytes used */
static int fuzz_attrs(unsigned char *p, unsigned char *end, int depth)
{
	unsigned char *start = p;
	int n = below(7), i;

	for (i = 0; i < n; i++) {
		struct nlattr *a = (void *)p;
		int type, len, room = end - p - NLA_HDRLEN;

		if (room < 0)
			break;
		type = chance(40) ? policy_attrs[below(sizeof(policy_attrs) / sizeof(policy_attrs[0]))] :
		       chance(85) ? below(TWMON_A_MAX + 3) : (int)(rnd() & 0xffff);
		if (chance(10))
			type |= NLA_F_NESTED;
		if (chance(3))
			type |= NLA_F_NET_BYTEORDER;
		if (depth < 3 && chance(12)) {
			/* a nest, of twmon attributes or of random ones */
			a->nla_type = (chance(70) ? type : below(TWMON_A_MAX + 1)) |
				      (chance(70) ? NLA_F_NESTED : 0);
			len = fuzz_attrs(p + NLA_HDRLEN, end, depth + 1);
		} else {
			len = chance(70) ? natural_len(type & NLA_TYPE_MASK) : below(40);
			if (len > room)
				len = room;
			a->nla_type = type;
			fill_value(p + NLA_HDRLEN, len);
		}
		a->nla_len = NLA_HDRLEN + len;
		if (chance(3))		/* a length that lies */
			a->nla_len = chance(50) ? below(NLA_HDRLEN) : a->nla_len + 1 + below(64);
		p += NLA_ALIGN(NLA_HDRLEN + len);
		if (p > end)
			p = end;
	}
	return p - start;
}

/*
 * A well-formed request: a real command with the flags its op wants and
 * up to three policy attributes of their natural length, values from
 * fill_value() (so some are in range, some not)
 */
static int plausible_msg(unsigned char *p, int fam, unsigned int seq)
{
	static const int cmds[] = {
		TWMON_CMD_GET_STATS, TWMON_CMD_GET_STATS, TWMON_CMD_GET_DESTS,
		TWMON_CMD_GET_SERVICES, TWMON_CMD_GET_SOCKS, TWMON_CMD_GET_CONFIG,
		TWMON_CMD_SET_CONFIG,
	};
	struct nlmsghdr *n = (void *)p;
	struct genlmsghdr *g = NLMSG_DATA(n);
	int cmd = cmds[below(sizeof(cmds) / sizeof(cmds[0]))], k, i;
	unsigned char *a = p + NLMSG_LENGTH(GENL_HDRLEN);
	int dump = cmd == TWMON_CMD_GET_DESTS || cmd == TWMON_CMD_GET_SERVICES ||
		   cmd == TWMON_CMD_GET_SOCKS || (cmd == TWMON_CMD_GET_STATS && chance(30));

	memset(p, 0, NLMSG_LENGTH(GENL_HDRLEN));
	n->nlmsg_type = fam;
	n->nlmsg_flags = NLM_F_REQUEST | (chance(50) ? NLM_F_ACK : 0) |
			 (dump ? NLM_F_DUMP : 0);
	n->nlmsg_seq = seq;
	g->cmd = cmd;
	g->version = TWMON_GENL_VERSION;
	k = below(4);
	for (i = 0; i < k; i++) {
		struct nlattr *at = (void *)a;
		int type = policy_attrs[below(sizeof(policy_attrs) / sizeof(policy_attrs[0]))];
		int len = natural_len(type);

		at->nla_type = type;
		at->nla_len = NLA_HDRLEN + len;
		fill_value(a + NLA_HDRLEN, len);
		if (type == TWMON_A_FAMILY && chance(70))
			a[NLA_HDRLEN] = chance(50) ? AF_INET : AF_INET6;
		if (type == TWMON_A_SUBSTATE && chance(70))
			a[NLA_HDRLEN] = chance(50) ? 5 : 6;
		if (type == TWMON_A_STATS_INTERVAL_MS && chance(70)) {
			uint32_t v = 100 + below(3000);	/* stay usable */

			memcpy(a + NLA_HDRLEN, &v, 4);
		}
		a += NLA_ALIGN(at->nla_len);
	}
	n->nlmsg_len = a - p;
	return NLMSG_ALIGN(n->nlmsg_len);
}

/* One random message at p (room bytes free); returns its aligned length */
static int fuzz_msg(unsigned char *p, int room, int fam, unsigned int seq)
{
	static const int flag_bits[] = {
		NLM_F_ACK, NLM_F_ECHO, NLM_F_DUMP, NLM_F_ROOT, NLM_F_MATCH,
		NLM_F_MULTI, NLM_F_EXCL, NLM_F_CREATE, NLM_F_APPEND,
		NLM_F_DUMP_INTR, NLM_F_DUMP_FILTERED, 0x1000, 0x8000,
	};
	struct nlmsghdr *n = (void *)p;
	struct genlmsghdr *g = NLMSG_DATA(n);
	int len, i, flags = chance(97) ? NLM_F_REQUEST : 0;

	if (chance(40))
		return plausible_msg(p, fam, seq);
	for (i = 0; i < (int)(sizeof(flag_bits) / sizeof(flag_bits[0])); i++)
		if (chance(i < 3 ? 35 : 5))
			flags |= flag_bits[i];
	memset(p, 0, NLMSG_LENGTH(GENL_HDRLEN));
	n->nlmsg_type = chance(96) ? fam : below(NLMSG_MIN_TYPE);	/* or a control type */
	n->nlmsg_flags = flags;
	n->nlmsg_seq = seq;
	n->nlmsg_pid = chance(2) ? rnd() : 0;
	g->cmd = chance(90) ? below(TWMON_CMD_MAX + 1) : (int)(rnd() & 0xff);
	g->version = chance(90) ? TWMON_GENL_VERSION : rnd();
	g->reserved = chance(95) ? 0 : rnd();
	len = NLMSG_LENGTH(GENL_HDRLEN) +
	      fuzz_attrs(p + NLMSG_LENGTH(GENL_HDRLEN), p + room, 0);
	n->nlmsg_len = len;
	if (chance(4)) {		/* truncated or lying header */
		switch (below(4)) {
		case 0: n->nlmsg_len = below(NLMSG_HDRLEN + 1); break;
		case 1: n->nlmsg_len = NLMSG_HDRLEN + below(GENL_HDRLEN); break;
		case 2: n->nlmsg_len = len - below(len - NLMSG_HDRLEN + 1); break;
		default: n->nlmsg_len = len + 1 + below(256); break;
		}
		if ((int)n->nlmsg_len > len)
			len = n->nlmsg_len;
		len = NLMSG_ALIGN(len);
		if (len > room)
			len = room;
	}
	return NLMSG_ALIGN(len);
}

struct tally {
	uint64_t sent, sends, send_err, replies, acks, errors, enobufs, bytes;
	uint64_t err_by[140];
};

/* Read whatever is there; keeps dumps moving */
static void drain(int fd, struct tally *t, int wait_ms)
{
	static char buf[BUFSZ];
	struct timespec ts = { 0, wait_ms * 1000000L };
	int idle = 0;

	for (;;) {
		ssize_t len = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		struct nlmsghdr *h;

		if (len < 0) {
			if (errno == ENOBUFS) {
				t->enobufs++;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (!wait_ms || idle++)
				return;
			nanosleep(&ts, NULL);
			continue;
		}
		idle = 0;
		t->bytes += len;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_ERROR) {
				int e = -((struct nlmsgerr *)NLMSG_DATA(h))->error;

				if (e) {
					t->errors++;
					t->err_by[e > 0 && e < 140 ? e : 0]++;
				} else {
					t->acks++;
				}
			} else {
				t->replies++;
			}
		}
	}
}

static void drop_to(const char *spec)
{
	unsigned int uid, gid;

	if (sscanf(spec, "%u:%u", &uid, &gid) != 2) {
		if (sscanf(spec, "%u", &uid) != 1) {
			fprintf(stderr, "tw-fuzz: bad uid '%s'\n", spec);
			exit(2);
		}
		gid = uid;
	}
	if (setgroups(0, NULL) && errno != EPERM) {
		perror("tw-fuzz: setgroups");
		exit(2);
	}
	if (setgid(gid) || setuid(uid)) {
		perror("tw-fuzz: setgid/setuid");
		exit(2);
	}
}

/* A plain GET_STATS still answers with a stats nest */
static int got_stats;

static void saw_stats(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[TWMON_A_MAX + 1];

	(void)arg;
	parse_msg(h, tb, TWMON_A_MAX);
	if (tb[TWMON_A_STATS] && tb[TWMON_A_NETNS_INUM])
		got_stats = 1;
}

static int sanity(void)
{
	int fd = nl_open(), fam = resolve_or_die(fd), err;
	struct msg m;

	msg_init(&m, fam, TWMON_CMD_GET_STATS, NLM_F_REQUEST | NLM_F_ACK, 77);
	err = transact(fd, &m, saw_stats, NULL);
	close(fd);
	if (err || !got_stats) {
		printf("not ok GET_STATS after fuzzing: %d (%s), stats %s\n", err,
		       strerror(-err), got_stats ? "present" : "missing");
		return 1;
	}
	printf("ok GET_STATS after fuzzing\n");
	return 0;
}

static int cmd_fuzz(int argc, char **argv)
{
	static unsigned char batch[64 * 2048];
	uint64_t seed = 0, count = 200000;
	unsigned int nbatch = 16, seq = 1000;
	const char *user = NULL;
	struct tally t = { 0 };
	struct stat st;
	int fd, fam, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--batch") && i + 1 < argc)
			nbatch = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--user") && i + 1 < argc)
			user = argv[++i];
		else {
			fprintf(stderr, "tw-fuzz fuzz: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^ getpid();
	}
	if (!nbatch || nbatch > 64)
		nbatch = 16;
	rng = seed;
	printf("seed %" PRIu64 "\n", seed);
	fflush(stdout);
	if (!stat("/proc/self/ns/net", &st))
		own_inum = st.st_ino;
	if (user)
		drop_to(user);
	fd = nl_open();
	fam = resolve_or_die(fd);
	while (t.sent < count) {
		int len = 0;
		unsigned int k;

		for (k = 0; k < nbatch && t.sent < count; k++, t.sent++)
			len += fuzz_msg(batch + len, 2048, fam, ++seq);
		t.sends++;
		if (send(fd, batch, len, 0) < 0)
			t.send_err++;
		drain(fd, &t, 0);
		if (t.sends % 64 == 0)
			drain(fd, &t, 1);
	}
	drain(fd, &t, 20);
	close(fd);
	printf("sent %" PRIu64 " messages in %" PRIu64 " sends (%" PRIu64
	       " send errors), replies %" PRIu64 ", acks %" PRIu64 ", errors %" PRIu64
	       ", enobufs %" PRIu64 ", bytes %" PRIu64 "\n",
	       t.sent, t.sends, t.send_err, t.replies, t.acks, t.errors, t.enobufs,
	       t.bytes);
	printf("errors by errno:");
	for (i = 0; i < 140; i++)
		if (t.err_by[i])
			printf(" %s=%" PRIu64, i ? strerrorname_np(i) : "?", t.err_by[i]);
	printf("\n");
	return sanity();
}

/* --- set ---------------------------------------------------------------- */
static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int cmd_set(int argc, char **argv)
{
	long interval = -1, bwm = -1, pwm = -1, duration = -1;
	uint64_t sent = 0, ok = 0, errs = 0;
	struct timespec t0, now;
	int loop = 0, fd, fam = -1, err = 0, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--interval") && i + 1 < argc)
			interval = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--buckets-wm") && i + 1 < argc)
			bwm = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--pool-wm") && i + 1 < argc)
			pwm = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--duration-ms") && i + 1 < argc)
			duration = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--loop"))
			loop = 1;
		else {
			fprintf(stderr, "tw-fuzz set: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	rng = getpid() | 1;
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	fd = nl_open();
	do {
		struct msg m;
		uint32_t v;

		if (fam < 0) {
			fam = resolve(fd);
			if (fam < 0) {
				if (!loop) {
					fprintf(stderr, "tw-fuzz: family twmon not found\n");
					return 2;
				}
				usleep(2000);
				goto next;
			}
		}
		msg_init(&m, fam, TWMON_CMD_SET_CONFIG, NLM_F_REQUEST | NLM_F_ACK, ++sent);
		v = interval >= 0 ? interval : 100 + below(1900);
		if (interval >= 0 || (bwm < 0 && pwm < 0))
			put_attr(&m, TWMON_A_STATS_INTERVAL_MS, &v, 4);
		if (bwm >= 0) {
			v = bwm;
			put_attr(&m, TWMON_A_BUCKETS_WATERMARK_PCT, &v, 4);
		}
		if (pwm >= 0) {
			v = pwm;
			put_attr(&m, TWMON_A_POOL_WATERMARK_PCT, &v, 4);
		}
		err = transact(fd, &m, NULL, NULL);
		if (!err) {
			ok++;
		} else {
			errs++;
			fam = -1;	/* unloaded, or loaded again with a new id */
		}
next:
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (loop && !stop && (duration < 0 ||
			  (now.tv_sec - t0.tv_sec) * 1000 +
			  (now.tv_nsec - t0.tv_nsec) / 1000000 < duration));
	close(fd);
	if (loop) {
		printf("sent %" PRIu64 " ok %" PRIu64 " err %" PRIu64 "\n", sent, ok, errs);
		return 0;
	}
	if (err)
		fprintf(stderr, "tw-fuzz: SET_CONFIG: %s\n", strerror(-err));
	return err ? 1 : 0;
}

/* --- config ------------------------------------------------------------- */
static void print_config(const struct nlmsghdr *h, void *arg)
{
	static const struct { int type; const char *name; } keys[] = {
		{ TWMON_A_HOOKS, "hooks" },
		{ TWMON_A_HOOKS_WANTED, "hooks_wanted" },
		{ TWMON_A_STATS_INTERVAL_MS, "stats_interval_ms" },
		{ TWMON_A_MAX_DESTS, "max_dests" },
		{ TWMON_A_MAX_SERVICES, "max_services" },
		{ TWMON_A_PURGED_DEAD_NETNS, "purged_dead_netns" },
		{ TWMON_A_MISSED, "missed" },
		{ TWMON_A_BUCKETS_WATERMARK_PCT, "buckets_watermark_pct" },
		{ TWMON_A_POOL_WATERMARK_PCT, "pool_watermark_pct" },
	};
	const struct nlattr *tb[TWMON_A_MAX + 1];
	unsigned int i;

	(void)arg;
	parse_msg(h, tb, TWMON_A_MAX);
	if (tb[TWMON_A_VERSION])
		printf("version %.*s\n", tb[TWMON_A_VERSION]->nla_len - NLA_HDRLEN,
		       (const char *)tb[TWMON_A_VERSION] + NLA_HDRLEN);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (tb[keys[i].type])
			printf("%s %" PRIu64 "\n", keys[i].name, get_u(tb[keys[i].type]));
}

static int cmd_config(void)
{
	int fd = nl_open(), fam = resolve_or_die(fd), err;
	struct msg m;

	msg_init(&m, fam, TWMON_CMD_GET_CONFIG, NLM_F_REQUEST | NLM_F_ACK, 1);
	err = transact(fd, &m, print_config, NULL);
	if (err)
		fprintf(stderr, "tw-fuzz: GET_CONFIG: %s\n", strerror(-err));
	return err ? 1 : 0;
}

/* --- stats -------------------------------------------------------------- */
struct stats_sample {
	uint64_t live, tw, fw2, untracked;
	int seen;
};

static void take_stats(const struct nlmsghdr *h, void *arg)
{
	const struct nlattr *tb[TWMON_A_MAX + 1], *st[TWMON_S_MAX + 1];
	struct stats_sample *s = arg;

	parse_msg(h, tb, TWMON_A_MAX);
	if (!tb[TWMON_A_STATS])
		return;
	parse((const char *)tb[TWMON_A_STATS] + NLA_HDRLEN,
	      tb[TWMON_A_STATS]->nla_len - NLA_HDRLEN, st, TWMON_S_MAX);
	if (!st[TWMON_S_LIVE] || !st[TWMON_S_LIVE_TIMEWAIT] || !st[TWMON_S_LIVE_FINWAIT2])
		return;
	s->live = get_u(st[TWMON_S_LIVE]);
	s->tw = get_u(st[TWMON_S_LIVE_TIMEWAIT]);
	s->fw2 = get_u(st[TWMON_S_LIVE_FINWAIT2]);
	s->untracked = st[TWMON_S_UNTRACKED] ? get_u(st[TWMON_S_UNTRACKED]) : 0;
	s->seen = 1;
}

static int cmd_stats(int argc, char **argv)
{
	uint64_t loops = 1, n, max_live = 0, max_tw = 0, max_fw2 = 0;
	struct stats_sample s = { 0 };
	long inum = -1;
	int fd, fam, i, err;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--loop") && i + 1 < argc)
			loops = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--netns-inum") && i + 1 < argc)
			inum = strtol(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "tw-fuzz stats: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	fd = nl_open();
	fam = resolve_or_die(fd);
	for (n = 0; n < loops; n++) {
		struct msg m;

		msg_init(&m, fam, TWMON_CMD_GET_STATS, NLM_F_REQUEST | NLM_F_ACK, n + 1);
		if (inum >= 0) {
			uint32_t v = inum;

			put_attr(&m, TWMON_A_NETNS_INUM, &v, 4);
		}
		s.seen = 0;
		err = transact(fd, &m, take_stats, &s);
		if (err || !s.seen) {
			fprintf(stderr, "tw-fuzz: GET_STATS: %s\n", err ? strerror(-err) : "no stats");
			return 1;
		}
		if (s.live > max_live)
			max_live = s.live;
		if (s.tw > max_tw)
			max_tw = s.tw;
		if (s.fw2 > max_fw2)
			max_fw2 = s.fw2;
	}
	printf("samples %" PRIu64 " max_live %" PRIu64 " max_tw %" PRIu64 " max_fw2 %" PRIu64
	       " last_live %" PRIu64 " last_tw %" PRIu64 " last_fw2 %" PRIu64
	       " untracked %" PRIu64 "\n", loops, max_live, max_tw, max_fw2, s.live, s.tw,
	       s.fw2, s.untracked);
	return 0;
}

/* --- subscribers ------------------------------------------------------ */
/* The ids of the family's multicast groups "stats" and "events" */
static int mcast_ids(int fd, int ids[2])
{
	static char buf[16384];
	const struct nlattr *tb[CTRL_ATTR_MAX + 1], *g;
	struct nlmsghdr *h;
	struct msg m;
	ssize_t len;
	int rem;

	ids[0] = ids[1] = -1;
	msg_init(&m, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST, 2);
	put_attr(&m, CTRL_ATTR_FAMILY_NAME, TWMON_GENL_NAME, sizeof(TWMON_GENL_NAME));
	if (send(fd, m.buf, m.n.nlmsg_len, 0) < 0)
		return -1;
	len = recv(fd, buf, sizeof(buf), 0);
	h = (void *)buf;
	if (len <= 0 || !NLMSG_OK(h, len) || h->nlmsg_type != GENL_ID_CTRL)
		return -1;
	parse_msg(h, tb, CTRL_ATTR_MAX);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return -1;
	g = (const void *)((const char *)tb[CTRL_ATTR_MCAST_GROUPS] + NLA_HDRLEN);
	rem = tb[CTRL_ATTR_MCAST_GROUPS]->nla_len - NLA_HDRLEN;
	for (; rem >= NLA_HDRLEN && g->nla_len >= NLA_HDRLEN && g->nla_len <= rem;
	     rem -= NLA_ALIGN(g->nla_len), g = (const void *)((const char *)g + NLA_ALIGN(g->nla_len))) {
		const struct nlattr *ga[CTRL_ATTR_MCAST_GRP_MAX + 1];

		parse((const char *)g + NLA_HDRLEN, g->nla_len - NLA_HDRLEN, ga,
		      CTRL_ATTR_MCAST_GRP_MAX);
		if (!ga[CTRL_ATTR_MCAST_GRP_NAME] || !ga[CTRL_ATTR_MCAST_GRP_ID])
			continue;
		if (!strcmp((const char *)ga[CTRL_ATTR_MCAST_GRP_NAME] + NLA_HDRLEN, TWMON_MCGRP_STATS))
			ids[0] = get_u(ga[CTRL_ATTR_MCAST_GRP_ID]);
		if (!strcmp((const char *)ga[CTRL_ATTR_MCAST_GRP_NAME] + NLA_HDRLEN, TWMON_MCGRP_EVENTS))
			ids[1] = get_u(ga[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return ids[0] >= 0 && ids[1] >= 0 ? 0 : -1;
}

static int cmd_subscribers(int argc, char **argv)
{
	long n = argc > 0 ? strtol(argv[0], NULL, 0) : 0, i;
	int *fds, ids[2];

	if (n < 1) {
		fprintf(stderr, "usage: tw-fuzz subscribers N\n");
		return 2;
	}
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return 2;
	for (i = 0; i < n; i++) {
		if (unshare(CLONE_NEWNET)) {
			perror("tw-fuzz: unshare(CLONE_NEWNET)");
			return 2;
		}
		fds[i] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
		if (fds[i] < 0) {
			perror("tw-fuzz: socket");
			return 2;
		}
	}
	printf("namespaces %ld\n", n);
	fflush(stdout);
	for (;;) {
		if (mcast_ids(fds[0], ids)) {
			usleep(100000);
			continue;
		}
		for (i = 0; i < n; i++)
			if (setsockopt(fds[i], SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ids[0], sizeof(int)) ||
			    setsockopt(fds[i], SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &ids[1], sizeof(int)))
				break;
		if (i < n) {		/* unloaded meanwhile: try again */
			usleep(100000);
			continue;
		}
		printf("subscribed %ld\n", n);
		fflush(stdout);
		for (;;)
			pause();
	}
}

/* --- hold ------------------------------------------------------------- */
static int cmd_hold(int argc, char **argv)
{
	static const char reply[] = "twload!\n";
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct linger lg = { 1, 0 };
	long count = 1000, idle = 5000, port = -1, after = -1, spread = 1;
	struct timespec *at;
	const char *addr = "127.0.0.1";
	int one = 1, lfd, *fds, n = 0, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc)
			port = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--addr") && i + 1 < argc)
			addr = argv[++i];
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--idle-ms") && i + 1 < argc)
			idle = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--close-after-ms") && i + 1 < argc)
			after = strtol(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--spread-ms") && i + 1 < argc)
			spread = strtol(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "tw-fuzz hold: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (port < 0 || port > 65535 || count < 1 || inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "tw-fuzz hold: need --port and a valid --addr/--count\n");
		return 2;
	}
	if (spread < 1)
		spread = 1;
	fds = calloc(count, sizeof(*fds));
	at = calloc(count, sizeof(*at));
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sin.sin_port = htons(port);
	if (!fds || !at || lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (void *)&sin, sizeof(sin)) || listen(lfd, 4096)) {
		perror("tw-fuzz hold: listen");
		return 2;
	}
	fprintf(stderr, "ready\n");
	while (n < count) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		char req[8];
		int fd, wait = idle;

		if (after >= 0) {	/* close what is due, wake for the next */
			struct timespec now;
			long long ms;

			clock_gettime(CLOCK_MONOTONIC, &now);
			for (i = 0; i < n; i++) {
				if (fds[i] < 0)
					continue;
				ms = (long long)(at[i].tv_sec - now.tv_sec) * 1000 +
				     (at[i].tv_nsec - now.tv_nsec) / 1000000;
				if (ms <= 0) {
					close(fds[i]);
					fds[i] = -1;
				} else if (ms < wait) {
					wait = ms;
				}
			}
		}
		i = poll(&p, 1, wait);
		if (i < 0)
			break;
		if (i == 0) {
			if (wait == idle)
				break;
			continue;
		}
		fd = accept(lfd, NULL, NULL);
		if (fd < 0)
			continue;
		if (recv(fd, req, sizeof(req), MSG_WAITALL) != sizeof(req) ||
		    send(fd, reply, 8, MSG_NOSIGNAL) != 8) {
			close(fd);
			continue;
		}
		if (after >= 0) {
			long long ns;

			clock_gettime(CLOCK_MONOTONIC, &at[n]);
			ns = at[n].tv_nsec + (after + n % spread) * 1000000LL;
			at[n].tv_sec += ns / 1000000000LL;
			at[n].tv_nsec = ns % 1000000000LL;
		}
		fds[n++] = fd;
	}
	while (after >= 0) {	/* the rest when they are due */
		struct timespec now;
		int left = 0;

		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < n; i++) {
			if (fds[i] < 0)
				continue;
			if (at[i].tv_sec < now.tv_sec ||
			    (at[i].tv_sec == now.tv_sec && at[i].tv_nsec <= now.tv_nsec)) {
				close(fds[i]);
				fds[i] = -1;
			} else {
				left++;
			}
		}
		if (!left)
			break;
		poll(NULL, 0, 1);
	}
	if (n == count && after < 0)	/* hold them MS after the last one too */
		poll(NULL, 0, idle);
	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(fds[i]);
	}
	printf("held %d\n", n);
	return 0;
}

/* --- spin, as ----------------------------------------------------------- */
static int cmd_spin(int argc, char **argv)
{
	struct timespec t0, now;
	double secs = argc > 0 ? atof(argv[0]) : 1, gap, max_gap = 0, prev = 0, t;
	unsigned long n = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		int k;

		for (k = 0; k < 256; k++)
			getppid();
		n += 256;
		clock_gettime(CLOCK_MONOTONIC, &now);
		t = (now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9;
		gap = t - prev;
		if (gap > max_gap)
			max_gap = gap;
		prev = t;
	} while (t < secs);
	printf("spins %lu max_gap_ms %.1f\n", n, max_gap * 1000);
	return 0;
}

static int cmd_as(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tw-fuzz as UID[:GID] PROGRAM [ARGS...]\n");
		return 2;
	}
	drop_to(argv[0]);
	execvp(argv[1], argv + 1);
	fprintf(stderr, "tw-fuzz: exec %s: %s\n", argv[1], strerror(errno));
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: tw-fuzz fuzz|set|config|stats|subscribers|hold|spin|as ... (see the source)\n");
		return 2;
	}
	if (!strcmp(argv[1], "fuzz"))
		return cmd_fuzz(argc - 2, argv + 2);
	if (!strcmp(argv[1], "set"))
		return cmd_set(argc - 2, argv + 2);
	if (!strcmp(argv[1], "config"))
		return cmd_config();
	if (!strcmp(argv[1], "stats"))
		return cmd_stats(argc - 2, argv + 2);
	if (!strcmp(argv[1], "spin"))
		return cmd_spin(argc - 2, argv + 2);
	if (!strcmp(argv[1], "subscribers"))
		return cmd_subscribers(argc - 2, argv + 2);
	if (!strcmp(argv[1], "hold"))
		return cmd_hold(argc - 2, argv + 2);
	if (!strcmp(argv[1], "as"))
		return cmd_as(argc - 2, argv + 2);
	fprintf(stderr, "tw-fuzz: unknown command '%s'\n", argv[1]);
	return 2;
}

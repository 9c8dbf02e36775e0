// SPDX-License-Identifier: GPL-2.0
/*
 * tw-nlcheck: send malformed and unprivileged requests to the twmon family
 * with raw netlink (no libnl, so nothing smooths them over) and check each
 * gets the right errno and an extack message, never a crash or a reply.
 * Prints "ok NAME" / "not ok NAME: ..." per check; exit 1 if any failed.
 * TW_OTHER_NETNS=/run/netns/NAME: another namespace, for TWMON_A_NETNS_INUM.
 *
 * tw-nlcheck paused-dump READY GO: a GET_DESTS dump read 4 KiB at a time
 * (one message per kernel call) that stops after the first read, creates
 * the file READY and waits for the file GO before reading on. Prints
 * "messages N entries N intr N" (intr: messages with NLM_F_DUMP_INTR).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/twmon.h>

struct req {
	struct nlmsghdr n;
	struct genlmsghdr g;
	char buf[256];
};

static int failures;
static unsigned int seq;

static int nl_open(void)
{
	int one = 1, fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_GENERIC);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

static void add_attr(struct req *r, int type, const void *data, int len)
{
	struct nlattr *a = (void *)((char *)r + NLMSG_ALIGN(r->n.nlmsg_len));

	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	memcpy((char *)a + NLA_HDRLEN, data, len);
	r->n.nlmsg_len = NLMSG_ALIGN(r->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void init_req(struct req *r, int family, int cmd, int flags)
{
	memset(r, 0, sizeof(*r));
	r->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	r->n.nlmsg_type = family;
	r->n.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->n.nlmsg_seq = ++seq;
	r->g.cmd = cmd;
	r->g.version = 1;
}

/* Send; return the error of the first NLMSG_ERROR (0 = ack), message in msg */
static int transact(int fd, struct req *r, char *msg, size_t msglen,
		    int *replies)
{
	static char buf[65536];
	struct nlmsghdr *h;
	ssize_t len;

	*msg = 0;
	*replies = 0;
	if (send(fd, r, r->n.nlmsg_len, 0) < 0)
		return -errno;
	for (;;) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			struct nlmsgerr *e = NLMSG_DATA(h);

			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type != NLMSG_ERROR) {
				(*replies)++;
				continue;
			}
			if (h->nlmsg_flags & NLM_F_ACK_TLVS) {
				size_t off = NLMSG_HDRLEN + sizeof(*e);
				struct nlattr *a;

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += NLMSG_ALIGN(e->msg.nlmsg_len) -
					       NLMSG_HDRLEN;
				for (a = (void *)((char *)h + off);
				     (char *)a + NLA_HDRLEN <= (char *)h + h->nlmsg_len &&
				     a->nla_len >= NLA_HDRLEN;
				     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
					if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
						snprintf(msg, msglen, "%s",
							 (char *)a + NLA_HDRLEN);
			}
			return e->error;
		}
	}
}

static int resolve(int fd)
{
	static char buf[8192];
	struct req r;
	struct nlmsghdr *h;
	ssize_t len;

	init_req(&r, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	r.n.nlmsg_flags = NLM_F_REQUEST;
	add_attr(&r, CTRL_ATTR_FAMILY_NAME, TWMON_GENL_NAME,
		 sizeof(TWMON_GENL_NAME));
	send(fd, &r, r.n.nlmsg_len, 0);
	len = recv(fd, buf, sizeof(buf), 0);
	h = (void *)buf;
	if (len > 0 && NLMSG_OK(h, len) && h->nlmsg_type == GENL_ID_CTRL) {
		struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
		int rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);

		for (; rem >= NLA_HDRLEN; rem -= NLA_ALIGN(a->nla_len),
		     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
			if (a->nla_type == CTRL_ATTR_FAMILY_ID)
				return *(unsigned short *)((char *)a + NLA_HDRLEN);
	}
	fprintf(stderr, "tw-nlcheck: family twmon not found (module loaded?)\n");
	exit(2);
}

/*
 * The request must fail with want_err and say something containing want_msg.
 * Dump filters are checked in the dump's start callback, which 6.1 calls
 * without an extack: there those checks require the errno only.
 */
static const char *dump_msg(const char *msg)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return NULL;
	return major > 6 || (major == 6 && minor >= 12) ? msg : NULL;
}

static void expect(const char *name, int fd, struct req *r, int want_err,
		   const char *want_msg)
{
	char msg[256];
	int replies, err = transact(fd, r, msg, sizeof(msg), &replies);

	if (err == want_err && (!want_msg || strstr(msg, want_msg)) &&
	    (want_err == 0 || replies == 0)) {
		printf("ok %s (%s%s%s)\n", name, strerror(-err), *msg ? ": " : "",
		       msg);
		return;
	}
	printf("not ok %s: got %d (%s) \"%s\" with %d replies, want %d \"%s\"\n",
	       name, err, strerror(-err), msg, replies, want_err,
	       want_msg ? want_msg : "");
	failures++;
}

/* The inode number of a namespace file, 0 if there is none */
static unsigned int inum_of(const char *path)
{
	struct stat st;

	return path && !stat(path, &st) ? st.st_ino : 0;
}

/* TWMON_A_NETNS_INUM: another namespace needs CAP_NET_ADMIN and must exist */
static void netns_checks(int fd, int fam, unsigned int own, unsigned int other)
{
	unsigned int none = 1; /* no namespace has inode number 1 */
	struct req r;

	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	add_attr(&r, TWMON_A_NETNS_INUM, &own, 4);
	expect("netns-own-stats", fd, &r, 0, NULL);
	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	add_attr(&r, TWMON_A_NETNS_INUM, &none, 4);
	expect("netns-unknown-stats", fd, &r, -ENOENT, "no network namespace");
	init_req(&r, fam, TWMON_CMD_GET_DESTS, NLM_F_DUMP);
	add_attr(&r, TWMON_A_NETNS_INUM, &none, 4);
	expect("netns-unknown-dests", fd, &r, -ENOENT, dump_msg("no network namespace"));
	init_req(&r, fam, TWMON_CMD_GET_STATS, NLM_F_DUMP);
	add_attr(&r, TWMON_A_NETNS_INUM, &own, 4);
	expect("netns-in-stats-dump", fd, &r, -EINVAL, dump_msg("as a request"));
	if (!other) {
		printf("ok netns-other # SKIP no TW_OTHER_NETNS\n");
		return;
	}
	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	add_attr(&r, TWMON_A_NETNS_INUM, &other, 4);
	expect("netns-other-stats", fd, &r, 0, NULL);
	init_req(&r, fam, TWMON_CMD_GET_SERVICES, NLM_F_DUMP);
	add_attr(&r, TWMON_A_NETNS_INUM, &other, 4);
	expect("netns-other-services", fd, &r, 0, NULL);
	init_req(&r, fam, TWMON_CMD_GET_SOCKS, NLM_F_DUMP);
	add_attr(&r, TWMON_A_NETNS_INUM, &other, 4);
	expect("netns-other-socks", fd, &r, -EOPNOTSUPP, dump_msg("only the caller's"));
}

/* Entries (TWMON_A_ENTRY) in one GET_DESTS reply */
static int count_entries(struct nlmsghdr *h)
{
	struct nlattr *a = (void *)((char *)NLMSG_DATA(h) + GENL_HDRLEN);
	int rem = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN), n = 0;

	for (; rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (void *)((char *)a + NLA_ALIGN(a->nla_len)))
		n += (a->nla_type & NLA_TYPE_MASK) == TWMON_A_ENTRY;
	return n;
}

static int paused_dump(const char *ready, const char *go)
{
	static char buf[4096];
	int fd = nl_open(), fam = resolve(fd), msgs = 0, entries = 0, intr = 0;
	struct timeval tv = { .tv_sec = 30 };
	struct req r;
	ssize_t len;
	FILE *f;
	int i;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	init_req(&r, fam, TWMON_CMD_GET_DESTS, NLM_F_DUMP);
	r.n.nlmsg_flags &= ~NLM_F_ACK;
	if (send(fd, &r, r.n.nlmsg_len, 0) < 0) {
		perror("send");
		return 2;
	}
	for (i = 0;; i++) {
		struct nlmsghdr *h;

		if (i == 1) {
			f = fopen(ready, "w");
			if (f)
				fclose(f);
			while (access(go, F_OK))
				usleep(100000);
		}
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			perror("recv");
			return 2;
		}
		for (h = (void *)buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr++;
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "tw-nlcheck: dump error %d\n",
					((struct nlmsgerr *)NLMSG_DATA(h))->error);
				return 2;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				printf("messages %d entries %d intr %d\n", msgs,
				       entries, intr);
				return 0;
			}
			msgs++;
			entries += count_entries(h);
		}
	}
}

int main(int argc, char **argv)
{
	unsigned int own = inum_of("/proc/self/ns/net");
	unsigned int other = inum_of(getenv("TW_OTHER_NETNS"));
	unsigned char addr5[5] = { 127, 0, 0, 1, 9 };
	unsigned int u32v;
	unsigned char u8v;
	int fd, fam;
	struct req r;

	if (argc == 4 && !strcmp(argv[1], "paused-dump"))
		return paused_dump(argv[2], argv[3]);
	fd = nl_open();
	fam = resolve(fd);
	netns_checks(fd, fam, own, other);

	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	expect("get-stats-plain", fd, &r, 0, NULL);

	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	add_attr(&r, 200, &u32v, 4);
	expect("unknown-attribute-rejected", fd, &r, -EINVAL, NULL);

	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	add_attr(&r, TWMON_A_VERSION, "x", 2);
	expect("reply-only-attribute-rejected", fd, &r, -EINVAL, NULL);

	init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
	r.g.reserved = 1;
	expect("reserved-header-field-rejected", fd, &r, -EINVAL, NULL);

	init_req(&r, fam, 99, 0);
	expect("unknown-command", fd, &r, -EOPNOTSUPP, NULL);

	init_req(&r, fam, TWMON_CMD_GET_DESTS, NLM_F_DUMP);
	u8v = 99;
	add_attr(&r, TWMON_A_FAMILY, &u8v, 1);
	expect("bad-family", fd, &r, -EINVAL, dump_msg("family must be"));

	init_req(&r, fam, TWMON_CMD_GET_DESTS, NLM_F_DUMP);
	add_attr(&r, TWMON_A_REMOTE_ADDR, addr5, 5);
	expect("address-of-5-bytes", fd, &r, -EINVAL, dump_msg("4 or 16 bytes"));

	init_req(&r, fam, TWMON_CMD_GET_SERVICES, NLM_F_DUMP);
	u8v = 10;	/* AF_INET6 with a 4-byte address */
	add_attr(&r, TWMON_A_FAMILY, &u8v, 1);
	add_attr(&r, TWMON_A_LOCAL_ADDR, addr5, 4);
	expect("address-family-mismatch", fd, &r, -EINVAL, dump_msg("does not match"));

	init_req(&r, fam, TWMON_CMD_GET_SOCKS, NLM_F_DUMP);
	u8v = 3;
	add_attr(&r, TWMON_A_SUBSTATE, &u8v, 1);
	expect("bad-substate", fd, &r, -EINVAL, dump_msg("substate must be"));

	init_req(&r, fam, TWMON_CMD_GET_SOCKS, NLM_F_DUMP);
	add_attr(&r, TWMON_A_LOCAL_PORT, &u8v, 1);
	expect("port-of-1-byte", fd, &r, -EINVAL, NULL);

	init_req(&r, fam, TWMON_CMD_SET_CONFIG, 0);
	u32v = 5;
	add_attr(&r, TWMON_A_STATS_INTERVAL_MS, &u32v, 4);
	expect("interval-out-of-range", fd, &r, -ERANGE, NULL);

	init_req(&r, fam, TWMON_CMD_SET_CONFIG, 0);
	expect("set-config-without-attribute", fd, &r, -EINVAL, "Missing");

	init_req(&r, fam, TWMON_CMD_SET_CONFIG, 0);
	u32v = 2000;
	add_attr(&r, TWMON_A_STATS_INTERVAL_MS, &u32v, 4);
	expect("set-config-as-root", fd, &r, 0, NULL);

	/* Unprivileged: drop root, then open a new socket */
	if (argc > 1 || getuid() == 0) {
		close(fd);
		if (setgid(65534) || setuid(65534)) {
			perror("setuid");
			return 2;
		}
		fd = nl_open();
		init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
		expect("unprivileged-get-stats", fd, &r, 0, NULL);
		init_req(&r, fam, TWMON_CMD_SET_CONFIG, 0);
		add_attr(&r, TWMON_A_STATS_INTERVAL_MS, &u32v, 4);
		expect("unprivileged-set-config", fd, &r, -EPERM, NULL);
		init_req(&r, fam, TWMON_CMD_GET_STATS, NLM_F_DUMP);
		add_attr(&r, TWMON_A_ALL_NETNS, NULL, 0);
		expect("unprivileged-all-netns", fd, &r, -EPERM, dump_msg("CAP_NET_ADMIN"));
		init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
		add_attr(&r, TWMON_A_NETNS_INUM, &own, 4);
		expect("unprivileged-own-netns", fd, &r, 0, NULL);
		if (other) {
			init_req(&r, fam, TWMON_CMD_GET_STATS, 0);
			add_attr(&r, TWMON_A_NETNS_INUM, &other, 4);
			expect("unprivileged-other-netns", fd, &r, -EPERM, "CAP_NET_ADMIN");
			init_req(&r, fam, TWMON_CMD_GET_DESTS, NLM_F_DUMP);
			add_attr(&r, TWMON_A_NETNS_INUM, &other, 4);
			expect("unprivileged-other-netns-dests", fd, &r, -EPERM,
			       dump_msg("CAP_NET_ADMIN"));
		}
	}
	printf("%d failed\n", failures);
	return failures ? 1 : 0;
}

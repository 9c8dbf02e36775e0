/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The twmon generic netlink socket: connect, resolve the family, send one
 * request (doit or dump) and hand every reply message to a callback. Kernel
 * errors come back as -errno with the kernel's extack text.
 */
#ifndef TW_NL_H
#define TW_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>

struct nl_sock;
struct nl_msg;

#define TW_NL_ERR_LEN 320
/* Restarts of a dump the kernel marked NLM_F_DUMP_INTR */
#define TW_NL_DUMP_RETRIES 5

struct tw_nl {
	struct nl_sock *sk;
	int family;
};

/*
 * 0, or -errno with a message in err. A missing family is -ENOENT with
 * "twmon kernel module is not loaded (modprobe twmon)".
 */
int tw_nl_open(struct tw_nl *nl, char *err, size_t errlen);
/* The socket alone (extack on), no family resolved: 0 or -errno */
int tw_nl_connect(struct tw_nl *nl, char *err, size_t errlen);
void tw_nl_close(struct tw_nl *nl);

struct tw_nl_req {
	uint8_t cmd;
	bool dump;
	const char *name; /* for messages: "GET_STATS" */
	/* adds request attributes; returns a libnl error (< 0) on failure */
	int (*fill)(struct nl_msg *msg, void *fill_arg);
	void *fill_arg;
	/* one reply message; 0, or < 0 with a message in err */
	int (*reply)(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen);
	/* a dump restarts (NLM_F_DUMP_INTR): forget what reply() collected */
	void (*reset)(void *arg);
	void *arg;
};

/* 0, or -errno with a message in err ("<extack>: <strerror>") */
int tw_nl_request(struct tw_nl *nl, const struct tw_nl_req *req, char *err, size_t errlen);

/*
 * The extack message (NLMSGERR_ATTR_MSG) of an NLMSG_ERROR or NLMSG_DONE
 * message, capped or not: 0 and the text in buf, or -ENOENT / -EBADMSG.
 */
int tw_nl_extack(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif

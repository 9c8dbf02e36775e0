// SPDX-License-Identifier: GPL-2.0
/*
 * tw-sub: a minimal subscriber to twmon's "stats" and "events" multicast
 * groups, for the benchmarks' "subscribed" variant when no twmond is
 * there: it joins both groups, reads every message and checks TWMON_A_SEQ
 * for gaps, until killed. Prints "ready" once subscribed; a gap or a lost
 * message (ENOBUFS) is reported on stderr.
 *
 * Build (make helpers): static, with libnl-genl-3.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include <linux/twmon.h>

static uint64_t last_seq[2];

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *a;
	int grp;
	uint64_t seq;

	(void)arg;
	if (g->cmd != TWMON_CMD_STATS_NOTIFY && g->cmd != TWMON_CMD_EVENT)
		return NL_OK;
	grp = g->cmd == TWMON_CMD_EVENT;
	a = nla_find(genlmsg_attrdata(g, 0), genlmsg_attrlen(g, 0), TWMON_A_SEQ);
	if (!a || nla_len(a) != sizeof(uint64_t)) {
		fprintf(stderr, "tw-sub: message without TWMON_A_SEQ\n");
		return NL_OK;
	}
	seq = nla_get_u64(a);
	if (last_seq[grp] && seq != last_seq[grp] + 1)
		fprintf(stderr, "tw-sub: %s: seq %llu after %llu\n", grp ? "events" : "stats",
			(unsigned long long)seq, (unsigned long long)last_seq[grp]);
	last_seq[grp] = seq;
	return NL_OK;
}

int main(void)
{
	static const char *const groups[] = { TWMON_MCGRP_STATS, TWMON_MCGRP_EVENTS };
	struct nl_sock *sk = nl_socket_alloc();
	int i, id, err;

	if (!sk || genl_connect(sk) < 0) {
		fprintf(stderr, "tw-sub: no generic netlink socket\n");
		return 1;
	}
	nl_socket_disable_seq_check(sk);
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, NULL);
	for (i = 0; i < 2; i++) {
		id = genl_ctrl_resolve_grp(sk, TWMON_GENL_NAME, groups[i]);
		if (id < 0 || nl_socket_add_membership(sk, id) < 0) {
			fprintf(stderr, "tw-sub: cannot join twmon group %s: %s\n", groups[i],
				nl_geterror(id < 0 ? id : -NLE_FAILURE));
			return 1;
		}
	}
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		err = nl_recvmsgs_default(sk);
		if (err == -NLE_NOMEM)	/* ENOBUFS: messages were lost */
			fprintf(stderr, "tw-sub: ENOBUFS, messages lost\n");
		else if (err < 0) {
			fprintf(stderr, "tw-sub: %s\n", nl_geterror(err));
			return 1;
		}
	}
}

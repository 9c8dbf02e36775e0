// SPDX-License-Identifier: GPL-2.0
/*
 * twmond's decoding of the multicast groups: a stats notification (a
 * GET_STATS reply plus TWMON_A_SEQ) and an event batch, and the sequence
 * gaps that must lead to a resync.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/socket.h>

#include "mon.h"
#include "nlbuild.h"

#define ALL_HOOKS ((1u << __TWMON_HOOK_LAST) - 1)

static struct tw_stats got;
static unsigned int nstats, nevents, nlost;
static struct twd_kevent ev[8];
static char why[256];

static void on_stats(const struct tw_stats *st, void *arg)
{
	(void)arg;
	got = *st;
	nstats++;
}

static void on_event(uint32_t netns, const struct twd_kevent *e, void *arg)
{
	(void)arg;
	assert_int_equal(netns, REF_INUM);
	assert_true(nevents < 8);
	ev[nevents++] = *e;
}

static void on_lost(const char *w, void *arg)
{
	(void)arg;
	snprintf(why, sizeof(why), "%s", w);
	nlost++;
}

static const struct twd_mon_cb cb = { on_stats, on_event, on_lost, NULL };

static struct nl_msg *notify(uint64_t seq)
{
	struct nl_msg *m = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);

	assert_non_null(m);
	genlmsg_hdr(nlmsg_hdr(m))->cmd = TWMON_CMD_STATS_NOTIFY;
	assert_int_equal(nla_put_u64(m, TWMON_A_SEQ, seq), 0);
	return m;
}

static int decode(struct twd_mon *mon, struct nl_msg *m)
{
	char err[TW_NL_ERR_LEN] = "";
	int r = twd_mon_decode(mon, nlmsg_hdr(m), &cb, err, sizeof(err));

	nlmsg_free(m);
	return r;
}

static void stats_and_gaps(void **state)
{
	struct twd_mon mon;

	(void)state;
	memset(&mon, 0, sizeof(mon));
	nstats = nlost = 0;
	assert_int_equal(decode(&mon, notify(7)), 0); /* the first: no gap to see */
	assert_int_equal(nstats, 1);
	assert_int_equal(nlost, 0);
	assert_int_equal(got.netns_inum, REF_INUM);
	assert_int_equal(got.live, REF_LIVE);
	assert_int_equal(got.overflow, 7);
	assert_int_equal(got.connect_eaddrnotavail, 8);
	assert_false(got.has_lifetime);
	assert_int_equal(decode(&mon, notify(8)), 0);
	assert_int_equal(nlost, 0);
	assert_int_equal(decode(&mon, notify(11)), 0); /* 9 and 10 were lost */
	assert_int_equal(nlost, 1);
	assert_string_equal(why, "sequence gap in the stats group (11 after 8)");
	assert_int_equal(nstats, 3); /* still used: it is a full snapshot */
	/* after a resync the numbering is taken as it comes */
	twd_mon_reset_seq(&mon);
	assert_int_equal(decode(&mon, notify(20)), 0);
	assert_int_equal(nlost, 1);
}

static void stats_without_seq(void **state)
{
	struct nl_msg *m = build_stats(ALL_HOOKS, TWMON_AGE_BUCKETS, 0, NULL);
	struct twd_mon mon;

	(void)state;
	memset(&mon, 0, sizeof(mon));
	genlmsg_hdr(nlmsg_hdr(m))->cmd = TWMON_CMD_STATS_NOTIFY;
	assert_int_equal(decode(&mon, m), -EBADMSG);
}

static struct nl_msg *events(uint64_t seq)
{
	struct nl_msg *m = new_reply(TWMON_CMD_EVENT);
	struct nlattr *e;
	uint8_t l[4] = { 10, 0, 0, 1 }, r[4] = { 10, 0, 0, 2 };

	assert_non_null(m);
	assert_int_equal(nla_put_u32(m, TWMON_A_NETNS_INUM, REF_INUM), 0);
	assert_int_equal(nla_put_u64(m, TWMON_A_SEQ, seq), 0);
	e = nla_nest_start(m, TWMON_A_EVENT);
	nla_put_u32(m, TWMON_V_TYPE, TWMON_EV_OVERFLOW_BEGIN);
	nla_put_u64(m, TWMON_V_VALUE, 12);
	nla_put_u64(m, TWMON_V_THRESHOLD, 0);
	nla_nest_end(m, e);
	e = nla_nest_start(m, TWMON_A_EVENT);
	nla_put_u32(m, TWMON_V_TYPE, TWMON_EV_POOL_HIGH);
	nla_put_u64(m, TWMON_V_VALUE, 90);
	nla_put_u64(m, TWMON_V_THRESHOLD, 80);
	nla_put_u8(m, TWMON_V_FAMILY, AF_INET);
	nla_put(m, TWMON_V_LOCAL_ADDR, 4, l);
	nla_put(m, TWMON_V_REMOTE_ADDR, 4, r);
	nla_put_u16(m, TWMON_V_REMOTE_PORT, 8080);
	nla_nest_end(m, e);
	return m;
}

static void event_batch(void **state)
{
	struct twd_mon mon;

	(void)state;
	memset(&mon, 0, sizeof(mon));
	nevents = nlost = 0;
	assert_int_equal(decode(&mon, events(1)), 0);
	assert_int_equal(nevents, 2);
	assert_int_equal(ev[0].type, TWMON_EV_OVERFLOW_BEGIN);
	assert_int_equal(ev[0].value, 12);
	assert_false(ev[0].has_pool);
	assert_int_equal(ev[1].type, TWMON_EV_POOL_HIGH);
	assert_true(ev[1].has_pool);
	assert_int_equal(ev[1].pool.rport, 8080);
	assert_int_equal(ev[1].pool.raddr[3], 2);
	/* the groups number apart: a stats message does not break the events' order */
	assert_int_equal(decode(&mon, notify(100)), 0);
	assert_int_equal(decode(&mon, events(2)), 0);
	assert_int_equal(nlost, 0);
	assert_int_equal(decode(&mon, events(4)), 0);
	assert_int_equal(nlost, 1);
	assert_string_equal(why, "sequence gap in the events group (4 after 2)");
}

/*
 * Any process may send to the event socket's port id: a forged
 * notification (nl_pid != 0) is not a notification (issue 12).
 */
static void only_from_kernel(void **state)
{
	struct nl_msg *m = notify(1);
	struct nlmsghdr *nlh = nlmsg_hdr(m);
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	char err[TW_NL_ERR_LEN] = "";
	struct twd_mon mon;
	int fd;

	(void)state;
	memset(&mon, 0, sizeof(mon));
	mon.ev.sk = nl_socket_alloc();
	assert_non_null(mon.ev.sk);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || nl_connect(mon.ev.sk, NETLINK_GENERIC)) {
		nlmsg_free(m);
		skip(); /* no generic netlink in this sandbox */
	}
	nl_socket_set_nonblocking(mon.ev.sk);
	mon.ev.family = nlh->nlmsg_type;
	mon.buflen = 65536;
	mon.buf = malloc(mon.buflen);
	assert_non_null(mon.buf);
	to.nl_pid = nl_socket_get_local_port(mon.ev.sk);
	assert_int_equal(sendto(fd, nlh, nlh->nlmsg_len, 0, (struct sockaddr *)&to, sizeof(to)),
			 (ssize_t)nlh->nlmsg_len);
	nstats = nlost = 0;
	assert_int_equal(twd_mon_read(&mon, &cb, err, sizeof(err)), 0);
	assert_int_equal(nstats, 0);
	assert_int_equal(nlost, 0);
	assert_int_equal(mon.foreign, 1);
	close(fd);
	nlmsg_free(m);
	twd_mon_close(&mon);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_from_kernel),
		cmocka_unit_test(stats_and_gaps),
		cmocka_unit_test(stats_without_seq),
		cmocka_unit_test(event_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tw-stat: TIME_WAIT statistics from the twmon kernel module.
 * Subcommands dispatch from one table (like wg); a bare tw-stat is "show".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <linux/twmon.h>

#include "addr.h"
#include "cgroups.h"
#include "fetch.h"
#include "live.h"
#include "netns.h"
#include "nl.h"
#include "opts.h"
#include "print.h"
#include "show.h"
#include "stats.h"

#ifndef TWMON_VERSION
#define TWMON_VERSION "unknown"
#endif

static const char *prog = "tw-stat";

struct command {
	const char *name;
	int (*fn)(struct tw_nl *nl, const struct tw_opts *o);
	unsigned int opts; /* OPT_* it takes */
	bool all_netns;	   /* supports --all-netns */
	const char *help;
};

static void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void errorf(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int run(struct tw_nl *nl, const struct tw_nl_req *req)
{
	char err[TW_NL_ERR_LEN];

	if (tw_nl_request(nl, req, err, sizeof(err))) {
		errorf("%s", err);
		return 1;
	}
	return 0;
}

/* GET_STATS: the caller's namespace (doit) or every one (dump) */
static int get_stats(struct tw_nl *nl, bool all, struct stats_vec *sv)
{
	char err[TW_NL_ERR_LEN];
	int r;

	r = tw_fetch_stats(nl, all, sv, err, sizeof(err));
	if (r) {
		errorf("%s", err);
		/* 6.1 sends no extack when a dump's start fails: say why here */
		if (r == -EPERM && all && !strstr(err, "CAP_NET_ADMIN"))
			errorf("--all-netns needs CAP_NET_ADMIN in the initial user namespace");
		return 1;
	}
	return 0;
}

static const char *netns_label(const struct tw_opts *o, uint32_t inum, char *buf, size_t len)
{
	if (o->netns)
		return o->netns;
	return tw_netns_name(TW_NETNS_RUN_DIR, inum, buf, len) ? NULL : buf;
}

static int show_stats(struct tw_nl *nl, const struct tw_opts *o,
		      void (*show)(const struct tw_stats *s, const char *name))
{
	struct stats_vec sv = { 0 };
	char name[256];
	size_t i;
	int ret;

	ret = get_stats(nl, o->all_netns, &sv);
	if (!ret) {
		if (o->all_netns)
			open_json_array(NULL);
		for (i = 0; i < sv.n; i++) {
			if (i)
				print_text("\n");
			show(&sv.v[i], netns_label(o, sv.v[i].netns_inum, name, sizeof(name)));
		}
		if (o->all_netns)
			close_json_array();
	}
	free(sv.v);
	return ret;
}

static int cmd_show(struct tw_nl *nl, const struct tw_opts *o)
{
	return show_stats(nl, o, tw_show_summary);
}

static int cmd_ages(struct tw_nl *nl, const struct tw_opts *o)
{
	return show_stats(nl, o, tw_show_ages);
}

static int dump_entries(struct tw_nl *nl, const struct tw_opts *o, uint8_t cmd, const char *name,
			unsigned int filters, struct entry_vec *ev)
{
	char err[TW_NL_ERR_LEN];

	int r = tw_fetch_entries(nl, o, cmd, name, filters, ev, err, sizeof(err));

	if (r) {
		errorf("%s", err);
		tw_cgroups_hint(r, err);
		return 1;
	}
	return 0;
}

static int cmd_dests(struct tw_nl *nl, const struct tw_opts *o)
{
	struct entry_vec ev = { .parse = tw_parse_dest };
	struct stats_vec sv = { 0 };
	int ret;

	if ((o->given & OPT_CGROUP) && !o->by_cgroup) {
		errorf("--cgroup splits pools by cgroup: with --by-cgroup");
		return 2;
	}
	/* the port range, for occupancy */
	ret = get_stats(nl, false, &sv);
	if (!ret)
		ret = dump_entries(nl, o, TWMON_CMD_GET_DESTS, "GET_DESTS",
				   OPT_DST | OPT_DPORT | OPT_BY_CGROUP | OPT_CGROUP, &ev);
	if (!ret && o->by_cgroup) {
		ret = tw_show_by_cgroup(ev.v, ev.n, o->top, false, sv.v[0].port_low,
					sv.v[0].port_high);
	} else if (!ret) {
		tw_sort_entries(ev.v, ev.n);
		tw_show_dests(ev.v, ev.n, o->top, sv.v[0].port_low, sv.v[0].port_high, 1);
	}
	free(sv.v);
	free(ev.v);
	return ret;
}

static int cmd_services(struct tw_nl *nl, const struct tw_opts *o)
{
	struct entry_vec ev = { .parse = tw_parse_service };
	int ret;

	if ((o->given & OPT_CGROUP) && !o->by_cgroup) {
		errorf("--cgroup splits services by cgroup: with --by-cgroup");
		return 2;
	}
	ret = dump_entries(nl, o, TWMON_CMD_GET_SERVICES, "GET_SERVICES",
			   OPT_SRC | OPT_SPORT | OPT_BY_CGROUP | OPT_CGROUP, &ev);
	if (!ret && o->by_cgroup) {
		ret = tw_show_by_cgroup(ev.v, ev.n, o->top, true, 0, 0);
	} else if (!ret) {
		tw_sort_entries(ev.v, ev.n);
		tw_show_services(ev.v, ev.n, o->top);
	}
	free(ev.v);
	return ret;
}

static int cmd_socks(struct tw_nl *nl, const struct tw_opts *o)
{
	struct entry_vec ev = { .parse = tw_parse_sock };
	int ret;

	ret = dump_entries(nl, o, TWMON_CMD_GET_SOCKS, "GET_SOCKS",
			   OPT_SRC | OPT_SPORT | OPT_DST | OPT_DPORT | OPT_STATE, &ev);
	if (!ret)
		tw_show_socks(ev.v, ev.n);
	free(ev.v);
	return ret;
}

static int cmd_help(struct tw_nl *nl, const struct tw_opts *o);

static const struct command commands[] = {
	{ "show", cmd_show, 0, true, "summary of the namespace (the default)" },
	{ "dests", cmd_dests,
	  OPT_TOP | OPT_FAMILY | OPT_DST | OPT_DPORT | OPT_BY_CGROUP | OPT_CGROUP, false,
	  "outgoing port pools by remote address and port, largest first" },
	{ "services", cmd_services,
	  OPT_TOP | OPT_FAMILY | OPT_SRC | OPT_SPORT | OPT_BY_CGROUP | OPT_CGROUP, false,
	  "local services (address and port), largest first" },
	{ "cgroups", tw_cmd_cgroups, OPT_TOP | OPT_CGROUP, false,
	  "which cgroup (service, container) made the live sockets (module cgroups=1)" },
	{ "ages", cmd_ages, 0, true, "age histogram of the live TIME_WAIT sockets" },
	{ "socks", cmd_socks, OPT_FAMILY | OPT_SRC | OPT_SPORT | OPT_DST | OPT_DPORT | OPT_STATE,
	  false, "every live TIME_WAIT socket, filtered in the kernel" },
	{ "events", tw_cmd_events, OPT_COUNT | OPT_STATS | OPT_FOLLOW | OPT_RCVBUF, false,
	  "print events (and --stats snapshots) as the module sends them" },
	{ "watch", tw_cmd_watch, OPT_TOP | OPT_INTERVAL | OPT_ITERATIONS, false,
	  "a refreshing full-screen view, like top" },
	{ "help", cmd_help, 0, true, "this text" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: %s [OPTIONS] [COMMAND] [COMMAND OPTIONS]\n"
		"TIME_WAIT statistics from the twmon kernel module.\n\n"
		"Commands:\n",
		prog);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\nOptions:\n"
		   "  -j, --json         JSON output\n"
		   "  -p, --pretty       indented JSON\n"
		   "  -n, --netns NAME   look into network namespace NAME (/run/netns/NAME)\n"
		   "      --all-netns    every namespace (show, ages; needs CAP_NET_ADMIN)\n"
		   "  -V, --version      versions of tw-stat and of the loaded module\n"
		   "  -h, --help         this text\n"
		   "\nCommand options:\n"
		   "  --top N|all        rows of dests, services, cgroups (text: 20, JSON: all),\n"
		   "                     watch (5)\n"
		   "  --family inet|inet6           dests, services, socks\n"
		   "  --src ADDR, --sport PORT      services, socks: local end\n"
		   "  --dst ADDR, --dport PORT      dests, socks: remote end\n"
		   "  --by-cgroup        dests, services: each split by cgroup (module cgroups=1)\n"
		   "  --cgroup PATH|ID   cgroups, --by-cgroup: that cgroup's rows only\n"
		   "  --state time-wait|fin-wait-2  socks\n"
		   "  --count N          events: exit after N events\n"
		   "  --stats            events: also the stats group's snapshots\n"
		   "  --follow           events: wait for the module after an rmmod\n"
		   "  --rcvbuf BYTES     events: receive buffer (default 1 MiB)\n"
		   "  -i, --interval SEC watch: refresh every SEC seconds (default 1)\n"
		   "  --iterations N     watch: exit after N frames\n"

		   "\nExit status: 0 ok, 1 runtime error, 2 usage error. See tw-stat(8).\n");
}

static int cmd_help(struct tw_nl *nl, const struct tw_opts *o)
{
	(void)nl;
	(void)o;
	usage(stdout);
	return 0;
}

static int config_reply(const struct nlmsghdr *nlh, void *arg, char *err, size_t errlen)
{
	return tw_parse_config(nlh, arg, err, errlen);
}

static int version(const struct tw_opts *o)
{
	struct tw_config cfg;
	char err[TW_NL_ERR_LEN];
	struct tw_nl nl;
	struct tw_nl_req req = {
		.cmd = TWMON_CMD_GET_CONFIG,
		.name = "GET_CONFIG",
		.reply = config_reply,
		.arg = &cfg,
	};

	printf("%s %s\n", prog, TWMON_VERSION);
	fflush(stdout);
	if (o->netns && tw_netns_enter(o->netns, err, sizeof(err))) {
		errorf("%s", err);
		return 1;
	}
	if (tw_nl_open(&nl, err, sizeof(err))) {
		errorf("%s", err);
		return 1;
	}
	if (run(&nl, &req)) {
		tw_nl_close(&nl);
		return 1;
	}
	tw_nl_close(&nl);
	printf("twmon module %s\n", cfg.version);
	/* how far the per-socket figures may be off, and why (tw-stat(8)) */
	printf("probe hits missed %llu\n", (unsigned long long)cfg.missed);
	printf("purged with their namespace %llu\n", (unsigned long long)cfg.purged_dead_netns);
	return 0;
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int usage_error(const char *msg)
{
	errorf("%s", msg);
	fprintf(stderr, "Try '%s --help'.\n", prog);
	return 2;
}

int main(int argc, char **argv)
{
	char err[TW_NL_ERR_LEN];
	const struct command *c;
	struct tw_opts o;
	struct tw_nl nl;
	int ret;

	if (tw_opts_parse(argc, argv, &o, err, sizeof(err)))
		return usage_error(err);
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.version)
		return version(&o);
	c = find_command(o.cmd);
	if (!c) {
		snprintf(err, sizeof(err), "unknown command \"%s\"", o.cmd);
		return usage_error(err);
	}
	if (tw_opts_check(&o, c->opts, err, sizeof(err)))
		return usage_error(err);
	if (o.all_netns && !c->all_netns) {
		snprintf(err, sizeof(err), "--all-netns is not supported yet for \"%s\"", c->name);
		return usage_error(err);
	}
	if (c->fn == cmd_help)
		return cmd_help(NULL, &o);

	if (o.netns && tw_netns_enter(o.netns, err, sizeof(err))) {
		errorf("%s", err);
		return 1;
	}
	ret = tw_nl_open(&nl, err, sizeof(err));
	/* events --follow waits for a module that is not loaded yet */
	if (ret == -ENOENT && c->fn == tw_cmd_events && o.follow)
		ret = tw_nl_connect(&nl, err, sizeof(err));
	if (ret) {
		errorf("%s", err);
		return 1;
	}
	print_init(stdout, o.json, o.pretty);
	ret = c->fn(&nl, &o);
	tw_nl_close(&nl);
	if (ret) {
		print_discard();
		return ret;
	}
	if (print_flush()) {
		errorf("writing the output: %s", strerror(errno));
		return 1;
	}
	return 0;
}

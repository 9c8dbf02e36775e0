// SPDX-License-Identifier: GPL-2.0
/* tw-stat's command line */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"
#include "cgroup.h"
#include "opts.h"
#include "stats.h"

enum {
	LO_ALL_NETNS = 0x100,
	LO_TOP,
	LO_FAMILY,
	LO_SRC,
	LO_SPORT,
	LO_DST,
	LO_DPORT,
	LO_STATE,
	LO_COUNT,
	LO_STATS,
	LO_FOLLOW,
	LO_RCVBUF,
	LO_ITERATIONS,
	LO_BY_CGROUP,
	LO_CGROUP,
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "netns", required_argument, NULL, 'n' },
	{ "all-netns", no_argument, NULL, LO_ALL_NETNS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "top", required_argument, NULL, LO_TOP },
	{ "family", required_argument, NULL, LO_FAMILY },
	{ "src", required_argument, NULL, LO_SRC },
	{ "sport", required_argument, NULL, LO_SPORT },
	{ "dst", required_argument, NULL, LO_DST },
	{ "dport", required_argument, NULL, LO_DPORT },
	{ "state", required_argument, NULL, LO_STATE },
	{ "count", required_argument, NULL, LO_COUNT },
	{ "stats", no_argument, NULL, LO_STATS },
	{ "follow", no_argument, NULL, LO_FOLLOW },
	{ "rcvbuf", required_argument, NULL, LO_RCVBUF },
	{ "interval", required_argument, NULL, 'i' },
	{ "iterations", required_argument, NULL, LO_ITERATIONS },
	{ "by-cgroup", no_argument, NULL, LO_BY_CGROUP },
	{ "cgroup", required_argument, NULL, LO_CGROUP },
	{ NULL, 0, NULL, 0 },
};

static const struct {
	unsigned int bit;
	const char *name;
} opt_names[] = {
	{ OPT_TOP, "--top" },
	{ OPT_FAMILY, "--family" },
	{ OPT_SRC, "--src" },
	{ OPT_SPORT, "--sport" },
	{ OPT_DST, "--dst" },
	{ OPT_DPORT, "--dport" },
	{ OPT_STATE, "--state" },
	{ OPT_COUNT, "--count" },
	{ OPT_STATS, "--stats" },
	{ OPT_FOLLOW, "--follow" },
	{ OPT_RCVBUF, "--rcvbuf" },
	{ OPT_INTERVAL, "--interval" },
	{ OPT_ITERATIONS, "--iterations" },
	{ OPT_BY_CGROUP, "--by-cgroup" },
	{ OPT_CGROUP, "--cgroup" },
};

static int usage_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int usage_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return 2;
}

int tw_parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	unsigned long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int tw_parse_seconds(const char *s, unsigned int min_ms, unsigned int max_ms, unsigned int *ms)
{
	double v;
	char *end;

	if (!s || ((*s < '0' || *s > '9') && *s != '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || end == s || v != v)
		return -ERANGE;
	if (v < 0 || v > 4e6)
		return -ERANGE;
	v = floor(v * 1000.0 + 0.5);
	if (v < min_ms || v > max_ms)
		return -ERANGE;
	*ms = (unsigned int)v;
	return 0;
}

/* An address filter must agree with --family and with the other address */
static int set_family(struct tw_opts *o, uint8_t family, const char *opt, const char *arg,
		      char *err, size_t errlen)
{
	if (o->f.family && o->f.family != family)
		return usage_err(err, errlen, "%s %s: not an %s address", opt, arg,
				 tw_family_name(o->f.family));
	o->f.family = family;
	return 0;
}

static int parse_one(struct tw_opts *o, int c, const char *arg, char *err, size_t errlen)
{
	unsigned long v;
	uint8_t fam;

	switch (c) {
	case 'j':
		o->json = true;
		break;
	case 'p':
		o->pretty = true;
		break;
	case 'n':
		if (!*arg || strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, ".."))
			return usage_err(err, errlen, "invalid network namespace name \"%s\"", arg);
		o->netns = arg;
		break;
	case LO_ALL_NETNS:
		o->all_netns = true;
		break;
	case 'h':
		o->help = true;
		break;
	case 'V':
		o->version = true;
		break;
	case LO_TOP:
		o->given |= OPT_TOP;
		if (!strcmp(arg, "all"))
			o->top = 0;
		else if (tw_parse_ulong(arg, 1, 1000000000, &v))
			return usage_err(err, errlen,
					 "--top %s: expected a positive number or \"all\"", arg);
		else
			o->top = v;
		break;
	case LO_FAMILY:
		o->given |= OPT_FAMILY;
		fam = tw_family_parse(arg);
		if (!fam)
			return usage_err(err, errlen, "--family %s: expected inet or inet6", arg);
		if (o->f.family && o->f.family != fam)
			return usage_err(err, errlen, "--family %s: the addresses given are %s",
					 arg, tw_family_name(o->f.family));
		o->f.family = fam;
		break;
	case LO_SRC:
	case LO_DST:
		o->given |= c == LO_SRC ? OPT_SRC : OPT_DST;
		if (tw_addr_parse(arg, &fam, c == LO_SRC ? o->f.src : o->f.dst))
			return usage_err(err, errlen, "%s %s: not an IPv4 or IPv6 address",
					 c == LO_SRC ? "--src" : "--dst", arg);
		return set_family(o, fam, c == LO_SRC ? "--src" : "--dst", arg, err, errlen);
	case LO_SPORT:
	case LO_DPORT:
		o->given |= c == LO_SPORT ? OPT_SPORT : OPT_DPORT;
		if (tw_parse_ulong(arg, 0, 65535, &v))
			return usage_err(err, errlen, "%s %s: expected a port number (0-65535)",
					 c == LO_SPORT ? "--sport" : "--dport", arg);
		if (c == LO_SPORT)
			o->f.sport = v;
		else
			o->f.dport = v;
		break;
	case LO_STATE:
		o->given |= OPT_STATE;
		o->f.substate = tw_substate_parse(arg);
		if (!o->f.substate)
			return usage_err(err, errlen,
					 "--state %s: expected time-wait or fin-wait-2", arg);
		break;
	case LO_COUNT:
	case LO_ITERATIONS:
		o->given |= c == LO_COUNT ? OPT_COUNT : OPT_ITERATIONS;
		if (tw_parse_ulong(arg, 1, 1000000000, &v))
			return usage_err(err, errlen, "%s %s: expected a positive number",
					 c == LO_COUNT ? "--count" : "--iterations", arg);
		if (c == LO_COUNT)
			o->count = v;
		else
			o->iterations = v;
		break;
	case LO_STATS:
		o->given |= OPT_STATS;
		o->stats = true;
		break;
	case LO_FOLLOW:
		o->given |= OPT_FOLLOW;
		o->follow = true;
		break;
	case LO_BY_CGROUP:
		o->given |= OPT_BY_CGROUP;
		o->by_cgroup = true;
		break;
	case LO_CGROUP:
		o->given |= OPT_CGROUP;
		if (tw_cgroup_id_parse(TW_CGROUP_ROOT, arg, &o->f.cgroup_id))
			return usage_err(err, errlen,
					 "--cgroup %s: no such cgroup under " TW_CGROUP_ROOT
					 " (a path, or an id as tw-stat -j cgroups gives)",
					 arg);
		break;
	case LO_RCVBUF:
		o->given |= OPT_RCVBUF;
		if (tw_parse_ulong(arg, 1024, 1u << 30, &v))
			return usage_err(err, errlen,
					 "--rcvbuf %s: expected bytes (1024-1073741824)", arg);
		o->rcvbuf = v;
		break;
	case 'i':
		o->given |= OPT_INTERVAL;
		if (tw_parse_seconds(arg, 100, 3600000, &o->interval_ms))
			return usage_err(err, errlen,
					 "--interval %s: expected seconds from 0.1 to 3600", arg);
		break;
	default:
		return 2;
	}
	return 0;
}

static const struct option *long_by_val(int val)
{
	const struct option *lo;

	for (lo = long_opts; lo->name; lo++)
		if (lo->val == val)
			return lo;
	return NULL;
}

/*
 * What getopt_long refused (optopt: the option's value, 0 if unknown),
 * said in words; the option as given is arg. Never prints optopt as a
 * character: long-only options have values above 0xff.
 */
static int bad_option(const char *arg, char *err, size_t errlen)
{
	const struct option *lo = optopt ? long_by_val(optopt) : NULL;

	if (lo && !strncmp(arg, "--", 2)) {
		if (lo->has_arg == no_argument)
			return usage_err(err, errlen, "option '--%s' takes no argument", lo->name);
		return usage_err(err, errlen, "option '--%s' needs an argument", lo->name);
	}
	if (optopt > 0 && optopt < 0x100 && strchr("ni", optopt))
		return usage_err(err, errlen, "option -%c needs an argument", optopt);
	if (optopt > ' ' && optopt < 0x7f)
		return usage_err(err, errlen, "unknown option -%c", optopt);
	return usage_err(err, errlen, "unknown option %.*s", (int)strcspn(arg, "="), arg);
}

int tw_opts_parse(int argc, char **argv, struct tw_opts *o, char *err, size_t errlen)
{
	int c, ret;

	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	opterr = 0;
	optind = 0; /* full re-initialisation: the tests parse many times */
	while ((c = getopt_long(argc, argv, "jpn:hVi:", long_opts, NULL)) != -1) {
		if (c == '?')
			return bad_option(argv[optind - 1], err, errlen);
		if (c == ':')
			return usage_err(err, errlen, "option needs an argument");
		ret = parse_one(o, c, optarg, err, errlen);
		if (ret)
			return ret;
	}
	if (optind < argc)
		o->cmd = argv[optind++];
	if (optind < argc)
		return usage_err(err, errlen, "unexpected argument \"%s\"", argv[optind]);
	if (!o->cmd)
		o->cmd = "show";
	if (o->netns && o->all_netns)
		return usage_err(err, errlen, "--netns and --all-netns exclude each other");
	if (!(o->given & OPT_TOP))
		o->top = o->json ? 0 : TW_TOP_DEFAULT;
	if (!(o->given & OPT_INTERVAL))
		o->interval_ms = TW_INTERVAL_DEFAULT_MS;
	return 0;
}

int tw_opts_check(const struct tw_opts *o, unsigned int allowed, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < sizeof(opt_names) / sizeof(opt_names[0]); i++)
		if ((o->given & opt_names[i].bit) && !(allowed & opt_names[i].bit))
			return usage_err(err, errlen, "%s: not an option of \"%s\"",
					 opt_names[i].name, o->cmd);
	return 0;
}

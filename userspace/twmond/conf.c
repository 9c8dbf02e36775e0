// SPDX-License-Identifier: GPL-2.0
/* twmond's configuration file and the flags that override it */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"

static const char *const rule_names[__TWD_R_LAST] = {
	[TWD_R_BUCKETS_HIGH] = "tw_buckets_high",
	[TWD_R_OVERFLOW] = "tw_overflow",
	[TWD_R_POOL_EXHAUSTION] = "pool_exhaustion",
	[TWD_R_EADDRNOTAVAIL] = "connect_eaddrnotavail",
	[TWD_R_LINGER_ABORT] = "linger_abort",
};

const char *twd_rule_name(int rule)
{
	return rule >= 0 && rule < __TWD_R_LAST ? rule_names[rule] : NULL;
}

void twd_conf_defaults(struct twd_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen, sizeof(c->listen), "127.0.0.1:9477");
	c->rcvbuf = 1 << 20;
	c->top_n = 10;
	c->all_netns = TWD_NETNS_AUTO;
	c->poll_ms = 1000;
	c->exec_timeout_ms = 10000;
	c->exec_max = 4;
	c->rule[TWD_R_BUCKETS_HIGH] = (struct twd_rule_conf){ true, 0.80, 0.95, 0.70, 0 };
	c->rule[TWD_R_OVERFLOW] = (struct twd_rule_conf){ true, NAN, 0, 0, 0 };
	c->rule[TWD_R_POOL_EXHAUSTION] = (struct twd_rule_conf){ true, 0.80, 0.95, 0.70, 0 };
	c->rule[TWD_R_EADDRNOTAVAIL] = (struct twd_rule_conf){ true, NAN, 0, 0, 0 };
	c->rule[TWD_R_LINGER_ABORT] = (struct twd_rule_conf){ true, 10, NAN, 5, 0 };
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static int get_bool(const char *key, const char *v, bool *out, char *err, size_t errlen)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
		*out = false;
	else
		return fail(err, errlen, "%s: expected yes or no, got '%s'", key, v);
	return 0;
}

static int get_uint(const char *key, const char *v, unsigned long min, unsigned long max,
		    unsigned int *out, char *err, size_t errlen)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || n < min || n > max)
		return fail(err, errlen, "%s: expected an integer in %lu..%lu, got '%s'", key, min,
			    max, v);
	*out = n;
	return 0;
}

/* A number, "off" (NAN) if allow_off; percentages "80%" are ratios for ratio rules */
static int get_num(const char *key, const char *v, bool allow_off, bool ratio, double *out,
		   char *err, size_t errlen)
{
	double d;
	char *end;

	if (allow_off && !strcmp(v, "off")) {
		*out = NAN;
		return 0;
	}
	errno = 0;
	d = strtod(v, &end);
	if (end == v || errno || !isfinite(d) || d < 0)
		goto bad;
	if (ratio && *end == '%') {
		d /= 100;
		end++;
	}
	if (*end || (ratio && d > 1))
		goto bad;
	*out = d;
	return 0;
bad:
	return fail(err, errlen, "%s: expected %s%s, got '%s'", key,
		    ratio ? "a ratio 0..1 or a percentage like 80%" : "a number >= 0",
		    allow_off ? " or off" : "", v);
}

static int set_path(const char *key, const char *v, char *out, size_t outlen, char *err,
		    size_t errlen)
{
	if (strlen(v) >= outlen)
		return fail(err, errlen, "%s: longer than %zu characters", key, outlen - 1);
	snprintf(out, outlen, "%s", v);
	return 0;
}

static int set_listen(struct twd_conf *c, const char *key, const char *v, char *err, size_t errlen)
{
	const char *colon = strrchr(v, ':');
	unsigned int port;
	char host[80];
	uint8_t fam, a[16];

	if (!strcmp(v, "off") || !*v) {
		c->listen[0] = 0;
		return 0;
	}
	if (!colon || colon == v || get_uint(key, colon + 1, 1, 65535, &port, err, errlen) < 0)
		return fail(err, errlen, "%s: expected ADDRESS:PORT or off, got '%s'", key, v);
	/* the address as twmond binds it: a numeric IPv4 or IPv6 address, no name */
	snprintf(host, sizeof(host), "%.*s", (int)(colon - v), v);
	if ((size_t)(colon - v) >= sizeof(host) || tw_addr_parse(host, &fam, a))
		return fail(
			err, errlen,
			"%s: '%s' is not a numeric IPv4 or IPv6 address (ADDRESS:PORT), in '%s'",
			key, host, v);
	return set_path(key, v, c->listen, sizeof(c->listen), err, errlen);
}

static bool is_ratio_rule(int r)
{
	return r == TWD_R_BUCKETS_HIGH || r == TWD_R_POOL_EXHAUSTION;
}

/* "<rule>.<field>" */
static int set_rule(struct twd_conf *c, const char *key, const char *v, char *err, size_t errlen)
{
	const char *dot = strchr(key, '.');
	struct twd_rule_conf *rc = NULL;
	const char *field;
	unsigned int ms;
	int r;

	if (!dot)
		return 1;
	for (r = 0; r < __TWD_R_LAST; r++)
		if (strlen(rule_names[r]) == (size_t)(dot - key) &&
		    !strncmp(key, rule_names[r], dot - key))
			rc = &c->rule[r];
	if (!rc)
		return 1;
	r = rc - c->rule;
	field = dot + 1;
	if (!strcmp(field, "enabled"))
		return get_bool(key, v, &rc->enabled, err, errlen);
	if (!strcmp(field, "warn"))
		return get_num(key, v, true, is_ratio_rule(r), &rc->warn, err, errlen);
	if (!strcmp(field, "crit"))
		return get_num(key, v, true, is_ratio_rule(r), &rc->crit, err, errlen);
	if (!strcmp(field, "clear"))
		return get_num(key, v, false, is_ratio_rule(r), &rc->clear, err, errlen);
	if (!strcmp(field, "for_ms")) {
		if (get_uint(key, v, 0, 3600000, &ms, err, errlen))
			return -EINVAL;
		rc->for_ms = ms;
		return 0;
	}
	return 1;
}

int twd_conf_set(struct twd_conf *c, const char *key, const char *v, char *err, size_t errlen)
{
	int r;

	if (!strcmp(key, "listen"))
		return set_listen(c, key, v, err, errlen);
	if (!strcmp(key, "textfile"))
		return set_path(key, strcmp(v, "off") ? v : "", c->textfile, sizeof(c->textfile),
				err, errlen);
	if (!strcmp(key, "json"))
		return set_path(key, strcmp(v, "off") ? v : "", c->json, sizeof(c->json), err,
				errlen);
	if (!strcmp(key, "exec")) {
		if (strcmp(v, "off") && *v && *v != '/')
			return fail(err, errlen, "%s: expected an absolute path or off, got '%s'",
				    key, v);
		return set_path(key, strcmp(v, "off") ? v : "", c->exec, sizeof(c->exec), err,
				errlen);
	}
	if (!strcmp(key, "exec_timeout_ms"))
		return get_uint(key, v, 100, 3600000, &c->exec_timeout_ms, err, errlen);
	if (!strcmp(key, "exec_max"))
		return get_uint(key, v, 1, TWD_EXEC_MAX_MAX, &c->exec_max, err, errlen);
	if (!strcmp(key, "syslog"))
		return get_bool(key, v, &c->syslog, err, errlen);
	if (!strcmp(key, "rcvbuf"))
		return get_uint(key, v, 1, 1U << 30, &c->rcvbuf, err, errlen);
	if (!strcmp(key, "top_n"))
		return get_uint(key, v, 0, 1000, &c->top_n, err, errlen);
	if (!strcmp(key, "stats_interval_ms")) {
		if (get_uint(key, v, 0, 60000, &c->stats_interval_ms, err, errlen))
			return -EINVAL;
		if (c->stats_interval_ms && c->stats_interval_ms < 100)
			return fail(err, errlen,
				    "%s: 0 (leave the kernel's) or 100..60000, got '%s'", key, v);
		return 0;
	}
	if (!strcmp(key, "poll_ms"))
		return get_uint(key, v, 100, 60000, &c->poll_ms, err, errlen);
	if (!strcmp(key, "all_netns")) {
		if (!strcmp(v, "auto"))
			c->all_netns = TWD_NETNS_AUTO;
		else if (!strcmp(v, "yes"))
			c->all_netns = TWD_NETNS_ALL;
		else if (!strcmp(v, "no"))
			c->all_netns = TWD_NETNS_OWN;
		else
			return fail(err, errlen, "%s: expected auto, yes or no, got '%s'", key, v);
		return 0;
	}
	r = set_rule(c, key, v, err, errlen);
	if (r <= 0)
		return r;
	return fail(err, errlen, "unknown key '%s'", key);
}

int twd_conf_check(const struct twd_conf *c, char *err, size_t errlen)
{
	int r;

	for (r = 0; r < __TWD_R_LAST; r++) {
		const struct twd_rule_conf *rc = &c->rule[r];
		double lowest = isnan(rc->warn) ? rc->crit : rc->warn;

		if (!rc->enabled)
			continue;
		if (isnan(rc->warn) && isnan(rc->crit))
			return fail(err, errlen,
				    "%s: warn and crit are both off (set %s.enabled = no)",
				    rule_names[r], rule_names[r]);
		if (!isnan(rc->warn) && !isnan(rc->crit) && rc->crit < rc->warn)
			return fail(err, errlen, "%s: crit (%g) is below warn (%g)", rule_names[r],
				    rc->crit, rc->warn);
		if (rc->clear > lowest)
			return fail(err, errlen,
				    "%s: clear (%g) is above the lowest threshold (%g)",
				    rule_names[r], rc->clear, lowest);
	}
	return 0;
}

/* The directory part of path must be a directory */
static int check_dir(const char *key, const char *path, char *err, size_t errlen)
{
	char dir[TWD_PATH_LEN];
	const char *slash = strrchr(path, '/');
	struct stat sb;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &sb))
		return fail(err, errlen, "%s: %s: %s", key, dir, strerror(errno));
	if (!S_ISDIR(sb.st_mode))
		return fail(err, errlen, "%s: %s: not a directory", key, dir);
	return 0;
}

int twd_conf_check_files(const struct twd_conf *c, char *err, size_t errlen)
{
	struct stat sb;

	if (c->exec[0]) {
		if (stat(c->exec, &sb))
			return fail(err, errlen, "exec: %s: %s", c->exec, strerror(errno));
		if (!S_ISREG(sb.st_mode))
			return fail(err, errlen, "exec: %s: not a regular file", c->exec);
		if (access(c->exec, X_OK))
			return fail(err, errlen, "exec: %s: not executable: %s", c->exec,
				    strerror(errno));
	}
	if (c->textfile[0] && check_dir("textfile", c->textfile, err, errlen))
		return -EINVAL;
	if (c->json[0] && strcmp(c->json, "-") && check_dir("json", c->json, err, errlen))
		return -EINVAL;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

int twd_conf_parse(struct twd_conf *c, FILE *f, const char *name, char *err, size_t errlen)
{
	char *line = NULL, msg[TWD_ERR_LEN];
	unsigned int no = 0;
	size_t cap = 0;
	ssize_t len;
	int r = 0;

	/* getline: every byte counts, a NUL too, so line numbers stay right */
	while ((len = getline(&line, &cap, f)) >= 0) {
		char *s, *eq, *key, *val, *hash;

		no++;
		if (memchr(line, 0, len)) {
			r = fail(err, errlen, "%s:%u: a NUL byte", name, no);
			goto out;
		}
		if (len - (line[len - 1] == '\n') > TWD_LINE_MAX) {
			r = fail(err, errlen, "%s:%u: line longer than %d characters", name, no,
				 TWD_LINE_MAX);
			goto out;
		}
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			r = fail(err, errlen, "%s:%u: expected 'key = value', got '%s'", name, no,
				 s);
			goto out;
		}
		*eq = 0;
		key = trim(s);
		val = trim(eq + 1);
		if (!*key) {
			r = fail(err, errlen, "%s:%u: missing key before '='", name, no);
			goto out;
		}
		if (twd_conf_set(c, key, val, msg, sizeof(msg))) {
			r = fail(err, errlen, "%s:%u: %s", name, no, msg);
			goto out;
		}
	}
	if (ferror(f))
		r = fail(err, errlen, "%s: read error", name);
	else if (twd_conf_check(c, msg, sizeof(msg)))
		r = fail(err, errlen, "%s: %s", name, msg);
out:
	free(line);
	return r;
}

int twd_conf_load(struct twd_conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	int r;

	if (!f) {
		r = errno;
		snprintf(err, errlen, "%s: %s", path, strerror(r));
		return -r;
	}
	r = twd_conf_parse(c, f, path, err, errlen);
	fclose(f);
	return r;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * twmond's configuration: "key = value" lines, '#' comments, blank lines.
 * The format and every key are documented in twmond(8) and twmond.conf.
 * Errors name the file and line: "twmond.conf:12: unknown key 'foo'".
 */
#ifndef TWD_CONF_H
#define TWD_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define TWD_CONF_DEFAULT "/etc/twmond.conf"
#define TWD_ERR_LEN 512
#define TWD_PATH_LEN 256
#define TWD_EXEC_MAX_MAX 64
#define TWD_LINE_MAX 1022 /* characters of a line, its newline aside */

/* Alert rules: stable names (see twd_rule_name) */
enum twd_rule {
	TWD_R_BUCKETS_HIGH,
	TWD_R_OVERFLOW,
	TWD_R_POOL_EXHAUSTION,
	TWD_R_EADDRNOTAVAIL,
	TWD_R_LINGER_ABORT,
	__TWD_R_LAST
};

/*
 * A rule fires when its value exceeds warn or crit (NAN: that severity is
 * off) for at least for_ms, and clears when the value is at or below clear.
 */
struct twd_rule_conf {
	bool enabled;
	double warn, crit, clear;
	unsigned int for_ms;
};

enum twd_all_netns { TWD_NETNS_AUTO, TWD_NETNS_ALL, TWD_NETNS_OWN };

struct twd_conf {
	char listen[64];	      /* "127.0.0.1:9477", "" = off */
	char textfile[TWD_PATH_LEN];  /* node_exporter textfile, "" = off */
	char json[TWD_PATH_LEN];      /* JSON lines: path, "-" = stdout, "" = off */
	char exec[TWD_PATH_LEN];      /* hook run on every fire and clear, "" = off */
	unsigned int exec_timeout_ms; /* a hook is killed after this long */
	unsigned int exec_max;	      /* hooks running at once (more wait in a queue) */
	bool syslog;
	unsigned int rcvbuf; /* event socket receive buffer, bytes */
	unsigned int top_n;  /* pools and services exported per netns */
	enum twd_all_netns all_netns;
	unsigned int stats_interval_ms; /* SET_CONFIG if not 0 */
	unsigned int poll_ms;		/* GET_DESTS/GET_SERVICES refresh */
	struct twd_rule_conf rule[__TWD_R_LAST];
};

/* "tw_buckets_high", ...; NULL if out of range */
const char *twd_rule_name(int rule);

void twd_conf_defaults(struct twd_conf *c);
/* One setting: 0, or -EINVAL with "unknown key 'foo'" / "rcvbuf: ..." in err */
int twd_conf_set(struct twd_conf *c, const char *key, const char *val, char *err, size_t errlen);
/* Settings that only make sense together (clear below warn ...) */
int twd_conf_check(const struct twd_conf *c, char *err, size_t errlen);
/*
 * What the file system must hold for c to work: exec an executable regular
 * file, the directories of textfile and json. Both --check-config and the
 * daemon (start and reload) call it.
 */
int twd_conf_check_files(const struct twd_conf *c, char *err, size_t errlen);
/* Parse lines from f; errors prefixed "name:LINE: " */
int twd_conf_parse(struct twd_conf *c, FILE *f, const char *name, char *err, size_t errlen);
/* Open and parse path; a missing file is an error ("path: No such file ...") */
int twd_conf_load(struct twd_conf *c, const char *path, char *err, size_t errlen);

#endif

// SPDX-License-Identifier: GPL-2.0
/* Network namespaces by name */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "netns.h"

int tw_netns_enter(const char *name, char *err, size_t errlen)
{
	char path[256];
	int fd, e;

	if (snprintf(path, sizeof(path), "%s/%s", TW_NETNS_RUN_DIR, name) >= (int)sizeof(path)) {
		snprintf(err, errlen, "network namespace name too long");
		return -ENAMETOOLONG;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		if (e == ENOENT)
			snprintf(err, errlen, "network namespace \"%s\" not found (no %s)", name,
				 path);
		else
			snprintf(err, errlen, "cannot open network namespace \"%s\": %s", name,
				 strerror(e));
		return -e;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		e = errno;
		snprintf(err, errlen, "cannot enter network namespace \"%s\": %s", name,
			 strerror(e));
		close(fd);
		return -e;
	}
	close(fd);
	return 0;
}

int tw_netns_name(const char *dir, uint32_t inum, char *buf, size_t len)
{
	struct dirent **names;
	char path[512];
	struct stat st;
	int i, n, ret = -ENOENT;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -ENOENT;
	for (i = 0; i < n; i++) {
		const char *d = names[i]->d_name;

		if (ret && strcmp(d, ".") && strcmp(d, "..") &&
		    snprintf(path, sizeof(path), "%s/%s", dir, d) < (int)sizeof(path) &&
		    !stat(path, &st) && st.st_ino == inum) {
			snprintf(buf, len, "%s", d);
			ret = 0;
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

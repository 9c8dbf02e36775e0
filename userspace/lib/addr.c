// SPDX-License-Identifier: GPL-2.0
/* Address and port text for tw-stat */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "addr.h"

const char *tw_family_name(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	}
	return NULL;
}

uint8_t tw_family_parse(const char *s)
{
	if (!strcmp(s, "inet") || !strcmp(s, "4"))
		return AF_INET;
	if (!strcmp(s, "inet6") || !strcmp(s, "6"))
		return AF_INET6;
	return 0;
}

size_t tw_family_addr_len(uint8_t family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	}
	return 0;
}

int tw_addr_str(uint8_t family, const void *addr, size_t len, char *buf, size_t buflen)
{
	size_t want = tw_family_addr_len(family);

	if (!want || len != want || !addr)
		return -EINVAL;
	if (!inet_ntop(family, addr, buf, buflen))
		return -errno;
	return 0;
}

int tw_endpoint_str(uint8_t family, const void *addr, size_t len, uint16_t port, char *buf,
		    size_t buflen)
{
	char a[INET6_ADDRSTRLEN];
	int err, n;

	err = tw_addr_str(family, addr, len, a, sizeof(a));
	if (err)
		return err;
	if (family == AF_INET6)
		n = snprintf(buf, buflen, "[%s]:%u", a, port);
	else
		n = snprintf(buf, buflen, "%s:%u", a, port);
	return n < 0 || (size_t)n >= buflen ? -ENOSPC : 0;
}

int tw_addr_parse(const char *s, uint8_t *family, uint8_t out[16])
{
	char tmp[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(s);

	if (inet_pton(AF_INET, s, out) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
		if (len - 2 >= sizeof(tmp))
			return -EINVAL;
		memcpy(tmp, s + 1, len - 2);
		tmp[len - 2] = '\0';
		s = tmp;
	}
	if (inet_pton(AF_INET6, s, out) == 1) {
		*family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

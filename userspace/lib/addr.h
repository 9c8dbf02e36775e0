/* SPDX-License-Identifier: GPL-2.0 */
/* Address and port text (tw-stat and twmond): inet_ntop form, nothing else */
#ifndef TW_ADDR_H
#define TW_ADDR_H

#include <stddef.h>
#include <stdint.h>
#include <arpa/inet.h>

/* Enough for "[ffff:...:255.255.255.255]:65535" and a NUL */
#define TW_ENDPOINT_LEN (INET6_ADDRSTRLEN + 8)

/* "inet" / "inet6", NULL for any other family */
const char *tw_family_name(uint8_t family);
/* AF_INET / AF_INET6 from "inet" / "inet6" (also "4" / "6"), 0 if neither */
uint8_t tw_family_parse(const char *s);
/* Address length of a family: 4, 16, 0 if unknown */
size_t tw_family_addr_len(uint8_t family);

/*
 * Binary address (network order, len bytes) to text, no brackets, no port.
 * Fails with -EINVAL when len does not fit the family.
 */
int tw_addr_str(uint8_t family, const void *addr, size_t len, char *buf, size_t buflen);
/* "192.0.2.1:80" or "[2001:db8::1]:80", for text columns only */
int tw_endpoint_str(uint8_t family, const void *addr, size_t len, uint16_t port, char *buf,
		    size_t buflen);
/*
 * Text to binary: IPv4 or IPv6, the latter optionally in brackets.
 * Sets *family and writes 4 or 16 bytes to out; -EINVAL if not an address.
 */
int tw_addr_parse(const char *s, uint8_t *family, uint8_t out[16]);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* Network namespaces by name, as ip-netns(8) keeps them in /run/netns */
#ifndef TW_NETNS_H
#define TW_NETNS_H

#include <stddef.h>
#include <stdint.h>

#define TW_NETNS_RUN_DIR "/run/netns"

/*
 * setns() into /run/netns/NAME, like ip -n: do it before any netlink socket
 * is opened. 0, or -errno with a message in err.
 */
int tw_netns_enter(const char *name, char *err, size_t errlen);

/*
 * The name under dir (TW_NETNS_RUN_DIR) whose inode is inum: 0 and the
 * name in buf, or -ENOENT. The first match in name order wins.
 */
int tw_netns_name(const char *dir, uint32_t inum, char *buf, size_t len);

#endif

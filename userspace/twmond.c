// SPDX-License-Identifier: GPL-2.0
/*
 * twmond: placeholder. The daemon (stats and events over the multicast
 * groups) is a later issue; this program only says so, clearly.
 */
#include <stdio.h>
#include <string.h>

#ifndef TWMON_VERSION
#define TWMON_VERSION "unknown"
#endif

int main(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V"))) {
		printf("twmond %s\n", TWMON_VERSION);
		return 0;
	}
	fprintf(stderr,
		"twmond %s\n"
		"Usage: twmond [--version]\n"
		"twmond: the daemon is not implemented in this version\n",
		TWMON_VERSION);
	return 2;
}

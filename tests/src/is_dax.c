// SPDX-License-Identifier: GPL-2.0
/* is_dax FILE: exit 0 if statx() reports STATX_ATTR_DAX for FILE, 1 if not. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv)
{
	struct statx stx;

	if (argc != 2 || statx(AT_FDCWD, argv[1], 0, STATX_BASIC_STATS, &stx)) {
		perror("statx");
		return 2;
	}
	if (!(stx.stx_attributes_mask & STATX_ATTR_DAX)) {
		fprintf(stderr, "%s: STATX_ATTR_DAX not supported\n", argv[1]);
		return 1;
	}
	printf("%s: DAX %s\n", argv[1], stx.stx_attributes & STATX_ATTR_DAX ? "on" : "off");
	return stx.stx_attributes & STATX_ATTR_DAX ? 0 : 1;
}

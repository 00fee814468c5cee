// SPDX-License-Identifier: GPL-2.0
/*
 * zoned_gc_race FILE [MIB [USEC]]
 *
 * Zoned xfs garbage collection racing a file leaving the zoned device:
 * creates FILE (in a realtime-inherit directory of a zoned xfs: a zoned
 * file), writes MIB MiB (default 96) and punches every other MiB, so that
 * GC (zonegc_low_space set to 100 by the caller) starts moving the other
 * half; then, after USEC microseconds, while GC's chunks of the file are
 * in flight, truncates it to zero, clears FS_XFLAG_REALTIME and takes an
 * unbreakable layout lease, which it holds for 3 s while GC finishes.
 * GC must not try to break that lease (it would fail and shut the file
 * system down): the file's chunks are stale. Prints each step's result;
 * exits 0 if all three succeeded, 1 if one failed, 2 if the set-up did.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include "filetest.h"

#ifndef F_LAYOUT
#define F_LAYOUT	0x100
#define F_EXCLUSIVE	0x200
#endif
#define MIB (1 << 20)

int main(int argc, char **argv)
{
	static char buf[MIB];
	struct fsxattr fa;
	int fd, i, mib, rc = 0;

	if (argc < 2)
		return fprintf(stderr, "usage: zoned_gc_race FILE [MIB [USEC]]\n"), 2;
	mib = argc > 2 ? atoi(argv[2]) : 96;
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ioctl(fd, FS_IOC_FSGETXATTR, &fa))
		return perror(argv[1]), 2;
	if (!(fa.fsx_xflags & FS_XFLAG_REALTIME))
		return fprintf(stderr, "%s: not on the realtime device\n", argv[1]), 2;
	memset(buf, 0x5a, sizeof(buf));
	for (i = 0; i < mib; i++)
		if (write(fd, buf, MIB) != MIB)
			return perror("write"), 2;
	if (fsync(fd))
		return perror("fsync"), 2;
	for (i = 0; i < mib; i += 2)
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)i * MIB, MIB))
			return perror("punch"), 2;
	if (argc > 3)
		usleep(atoi(argv[3]));

	if (ftruncate(fd, 0)) {
		perror("ftruncate");
		rc = 1;
	}
	if (ioctl(fd, FS_IOC_FSGETXATTR, &fa))
		return perror("FS_IOC_FSGETXATTR"), 2;
	fa.fsx_xflags &= ~FS_XFLAG_REALTIME;
	if (ioctl(fd, FS_IOC_FSSETXATTR, &fa)) {
		perror("clear FS_XFLAG_REALTIME");
		rc = 1;
	}
	if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE)) {
		perror("F_SETLEASE F_LAYOUT | F_EXCLUSIVE");
		rc = 1;
	} else {
		printf("# truncated, left the realtime device, leased\n");
	}
	sleep(3);
	return rc;
}

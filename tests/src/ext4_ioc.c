// SPDX-License-Identifier: GPL-2.0
/*
 * ext4_ioc swap-boot FILE          EXT4_IOC_SWAP_BOOT: FILE's blocks go to
 *                                  the boot loader inode (and back)
 * ext4_ioc move-ext FILE DONOR     EXT4_IOC_MOVE_EXT of all of FILE's
 *                                  blocks with DONOR's (e4defrag's ioctl)
 *
 * The two ext4 ioctls that move blocks between files. Prints
 * "OP: done" or "OP: <strerror>"; exit 0 on success, 1 on failure, 2 on
 * setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

struct move_extent {
	uint32_t reserved;
	uint32_t donor_fd;
	uint64_t orig_start;
	uint64_t donor_start;
	uint64_t len;
	uint64_t moved_len;
};

#define EXT4_IOC_MOVE_EXT	_IOWR('f', 15, struct move_extent)
#define EXT4_IOC_SWAP_BOOT	_IO('f', 17)

int main(int argc, char **argv)
{
	struct move_extent me = { 0 };
	struct stat st;
	int fd, r;

	if (argc < 3 || (strcmp(argv[1], "swap-boot") && argc < 4)) {
		fprintf(stderr, "usage: ext4_ioc swap-boot FILE | move-ext FILE DONOR\n");
		return 2;
	}
	fd = open(argv[2], O_RDWR);
	if (fd < 0 || fstat(fd, &st)) {
		perror(argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "swap-boot")) {
		r = ioctl(fd, EXT4_IOC_SWAP_BOOT);
	} else if (!strcmp(argv[1], "move-ext")) {
		int donor = open(argv[3], O_RDWR);

		if (donor < 0) {
			perror(argv[3]);
			return 2;
		}
		me.donor_fd = donor;
		me.len = (st.st_size + st.st_blksize - 1) / st.st_blksize;
		r = ioctl(fd, EXT4_IOC_MOVE_EXT, &me);
	} else {
		fprintf(stderr, "unknown operation %s\n", argv[1]);
		return 2;
	}
	printf("%s: %s\n", argv[1], r ? strerror(errno) : "done");
	return r ? 1 : 0;
}

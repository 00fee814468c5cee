/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the test programs that check a leased, pinned file: TAP
 * checks, a truncate or hole punch by another process, the file's listing
 * in /proc/self/file_pins, the physical address of a block (FIEMAP).
 */
#ifndef FILETEST_H
#define FILETEST_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int n, fails;

/* One TAP line: "ok N WHAT" if @cond holds, else "not ok N WHAT". */
static inline void check(int cond, const char *what)
{
	n++;
	if (!cond)
		fails++;
	printf("%sok %d %s\n", cond ? "" : "not ", n, what);
	fflush(stdout);
}

/* 0 or the errno of a call that returned -1. */
static inline int err_of(int ret)
{
	return ret == -1 ? errno : ret;
}

/*
 * Truncate @path to 0 (@punch 0) or punch its first 4 KiB, in a child
 * process: 0 or its errno, -1 if the child did not exit.
 */
static inline int in_child(const char *path, int punch)
{
	int status, fd;
	pid_t pid = fork();

	if (!pid) {
		if (!punch)
			_exit(err_of(truncate(path, 0)));
		fd = open(path, O_RDWR);
		_exit(fd < 0 ? errno : err_of(fallocate(fd,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096)));
	}
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* /proc/self/file_pins lists @path under a uverbs descriptor. */
static inline int file_pins_show(const char *path)
{
	char buf[8192], want[PATH_MAX + 2];
	ssize_t len;
	int fd = open("/proc/self/file_pins", O_RDONLY);

	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return 0;
	buf[len] = '\0';
	snprintf(want, sizeof(want), "\t%s\n", path);
	return strstr(buf, "/dev/infiniband/uverbs") && strstr(buf, want);
}

/* The physical byte address of @fd's block at @off, or 0 (FIEMAP). */
static inline unsigned long long phys_of(int fd, off_t off)
{
	struct {
		struct fiemap fm;
		struct fiemap_extent fe;
	} f;

	memset(&f, 0, sizeof(f));
	f.fm.fm_start = off;
	f.fm.fm_length = 4096;
	f.fm.fm_flags = FIEMAP_FLAG_SYNC;
	f.fm.fm_extent_count = 1;
	if (ioctl(fd, FS_IOC_FIEMAP, &f.fm) || f.fm.fm_mapped_extents != 1)
		return 0;
	return f.fe.fe_physical + (off - f.fe.fe_logical);
}

#endif

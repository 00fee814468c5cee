/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the race tests (layout_race.c, reflink_race.c): a process that
 * sleeps at the kernel's layout_change_delay() fault-injection point, and
 * what they read back.
 */
#ifndef FSDAX_TESTS_RACE_H
#define FSDAX_TESTS_RACE_H
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static inline void die_setup(const char *what)
{
	fprintf(stderr, "setup: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The whole of FILE, NUL-terminated, its size in *n; NULL on error. */
static inline char *slurp(const char *file, size_t *n)
{
	struct stat st;
	char *buf;
	int fd = open(file, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st)) {
		close(fd);
		return NULL;
	}
	buf = malloc(st.st_size + 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		close(fd);
		free(buf);
		return NULL;
	}
	close(fd);
	buf[st.st_size] = 0;
	*n = st.st_size;
	return buf;
}

/*
 * /proc/PID/stack into BUF (NUL-terminated): 0, or -1 once PID is gone.
 * layout_change_delay() tail-calls msleep(): a task sleeping there shows
 * "msleep+" above the caller of layout_change_delay().
 */
static inline int read_stack(pid_t pid, char *buf, size_t size)
{
	char p[64];
	ssize_t n;
	int fd;

	snprintf(p, sizeof(p), "/proc/%d/stack", pid);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return 0;
}

/*
 * In a child that runs a layout change: its output to OUT, and it sleeps
 * at layout_change_delay() (task-filter: /proc/self/make-it-fail).
 */
static inline void delayed_child_setup(int out)
{
	int fd;

	dup2(out, 1);
	dup2(out, 2);
	fd = open("/proc/self/make-it-fail", O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		_exit(3);
	close(fd);
}

#endif

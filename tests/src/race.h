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
#include <sys/wait.h>
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

/*
 * Fork a round's holder, which talks over two pipes: the parent keeps GO[1]
 * and DONE[0], the child GO[0] and DONE[1]. Returns fork()'s value.
 */
static inline pid_t fork_holder(int go[2], int done[2])
{
	pid_t pid;

	if (pipe(go) || pipe(done))
		die_setup("pipe");
	fflush(stdout);	/* or the child prints the parent's buffer again */
	pid = fork();
	if (pid < 0)
		die_setup("fork");
	close(pid ? go[0] : go[1]);
	close(pid ? done[1] : done[0]);
	return pid;
}

/* 1 when FILE holds exactly LEN bytes, the same as BEFORE. */
static inline int same_contents(const char *file, const char *before, size_t len)
{
	size_t n;
	char *after = slurp(file, &n);
	int same = after && n == len && !memcmp(before, after, len);

	free(after);
	return same;
}

/*
 * End a round's holder: closing GO makes it unpin and release its lease;
 * it must exit 0. Returns RC, or 1 if RC was 0 and the holder failed.
 */
static inline int end_holder(pid_t holder, int go, int done, int round, int rc)
{
	int status;

	close(go);
	if (waitpid(holder, &status, 0) != holder || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("round %d: FAIL: holder: unpin or F_UNLCK failed\n", round);
		rc = rc ?: 1;
	}
	close(done);
	return rc;
}

#endif

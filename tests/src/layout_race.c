// SPDX-License-Identifier: GPL-2.0
/*
 * layout_race [-u] [-n ROUNDS] FILE COMMAND [ARG]...
 * layout_race -x FILE COMMAND [ARG]...    run COMMAND once, nothing else
 *
 * A layout change (COMMAND: truncate, hole punch, reflink, extent swap, ...)
 * that checked the layout leases of FILE and found none must not free or
 * move FILE's blocks if, before it unmaps the file, another process takes
 * an unbreakable layout lease and pins the pages long term.
 *
 * The window is made wide on purpose with the kernel's layout_change_delay
 * fault-injection point (debugfs layout_change_delay/, configured by the
 * caller with task-filter set): COMMAND runs in a child with make-it-fail
 * set, so it sleeps at the point right after its first lease check. Once
 * /proc/<child>/stack shows it there, the holder process, which has FILE
 * mapped MAP_SHARED with present, writable page table entries, takes
 * F_LAYOUT | F_EXCLUSIVE and pins the whole mapping through gup_test's
 * owned long-term pin mode; neither needs a lock the layout change holds.
 * With -u the holder then unmaps the file, so that the layout change finds
 * nothing mapped and no busy page.
 *
 * The layout change must then fail with ETXTBSY ("Text file busy" in its
 * output, whatever its exit status: xfs_io exits 0 after a failed command) and FILE's size and data must be unchanged. COMMAND may be the
 * built-in "exchange-range OTHER" (XFS_IOC_EXCHANGE_RANGE of the whole of
 * FILE with OTHER), for which no tool exists in Debian's xfsprogs 6.1.
 *
 * Exit 0 if every round passed, 1 if one failed, 2 on setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "gup_test.h"
#include "memspec.h"
#include "race.h"

#define XFS_IOC_EXCHANGE_RANGE	_IOW('X', 129, struct xfs_exchange_range)
struct xfs_exchange_range {
	int32_t file1_fd;
	uint32_t pad;
	uint64_t file1_offset;
	uint64_t file2_offset;
	uint64_t length;
	uint64_t flags;
};

static const char *path;
static size_t len;

/* The holder: map and touch FILE, then lease, pin (and unmap) on request. */
static pid_t start_holder(int munmap_after, int *go_w, int *done_r)
{
	int go[2], done[2];
	pid_t pid;

	pid = fork_holder(go, done);
	if (!pid) {
		struct pin_longterm_test a = { 0, len, FLAG_WRITE | FLAG_OWNER };
		volatile char *p;
		int fd, gup, err = 0;
		char c;
		size_t i;

		fd = open(path, O_RDWR);
		gup = open(GUP_TEST, O_RDWR);
		if (fd < 0 || gup < 0)
			_exit(2);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		/* Present, writable, dirty entries: no fault needed to pin. */
		for (i = 0; i < len; i += 4096)
			p[i] = p[i];
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		a.addr = (uintptr_t)p;
		if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
			err = errno;
		else if (ioctl(gup, PIN_LONGTERM_TEST_START, &a))
			err = errno;
		else if (munmap_after && munmap((void *)p, len))
			err = errno;
		c = err;
		if (write(done[1], &c, 1) != 1)
			_exit(2);
		/* Hold the lease and the pin until the parent closes go. */
		while (read(go[0], &c, 1) > 0)
			;
		if (!err && (ioctl(gup, PIN_LONGTERM_TEST_STOP) ||
			     fcntl(fd, F_SETLEASE, F_UNLCK)))
			_exit(1);
		_exit(err ? 2 : 0);
	}
	*go_w = go[1];
	*done_r = done[0];
	return pid;
}

static int exchange_range(const char *file, const char *other)
{
	struct xfs_exchange_range x = { 0 };
	int fd1 = open(file, O_RDWR), fd2 = open(other, O_RDWR);

	if (fd1 < 0 || fd2 < 0) {
		perror("exchange-range: open");
		return 2;
	}
	x.file1_fd = fd1;
	x.length = len;
	/* Flushed: the delayed child ends with _exit(). */
	if (ioctl(fd2, XFS_IOC_EXCHANGE_RANGE, &x)) {
		printf("exchange-range: %s\n", strerror(errno));
		fflush(stdout);
		return 1;
	}
	printf("exchange-range: done\n");
	fflush(stdout);
	return 0;
}

/* The layout change, in a child that sleeps at layout_change_delay(). */
static pid_t start_change(char **cmd, int out)
{
	pid_t pid;

	fflush(stdout);	/* or the child prints the parent's buffer again */
	pid = fork();
	if (pid < 0)
		die_setup("fork");
	if (pid)
		return pid;
	delayed_child_setup(out);
	if (!strcmp(cmd[0], "exchange-range") && cmd[1])
		_exit(exchange_range(path, cmd[1]));
	execvp(cmd[0], cmd);
	_exit(127);
}

/* Is @pid sleeping in layout_change_delay()? -1 once it is gone. */
static int in_delay(pid_t pid)
{
	char buf[4096];

	if (read_stack(pid, buf, sizeof(buf)))
		return -1;
	return strstr(buf, "msleep+") != NULL;
}

static int round_once(int round, int munmap_after, char **cmd,
		      const char *before)
{
	char outname[] = "/tmp/layout_race.XXXXXX", c, *out;
	int go, done, status, out_fd, i, rc = 0;
	pid_t holder, change;
	size_t n;

	holder = start_holder(munmap_after, &go, &done);
	out_fd = mkstemp(outname);
	if (out_fd < 0)
		die_setup("mkstemp");
	/* The holder has mapped and touched FILE. */
	if (read(done, &c, 1) != 1) {
		fprintf(stderr, "setup: the holder could not map %s\n", path);
		return 2;
	}
	change = start_change(cmd, out_fd);
	for (i = 0; i < 20000; i++) {
		int r = in_delay(change);

		if (r)
			break;
		usleep(1000);
	}
	if (in_delay(change) != 1) {
		out = slurp(outname, &n);
		fprintf(stderr, "setup: the command never reached layout_change_delay (is the delay configured?): %s",
			out ? out : "\n");
		free(out);
		kill(change, SIGKILL);
		kill(holder, SIGKILL);
		return 2;
	}
	if (write(go, "g", 1) != 1 || read(done, &c, 1) != 1 || c) {
		fprintf(stderr, "setup: holder: lease, pin or munmap: %s\n",
			strerror(c));
		kill(change, SIGKILL);
		kill(holder, SIGKILL);
		return 2;
	}
	/* A layout change that waits for the pinned pages hangs: 30 s. */
	for (i = 0; i < 3000 && waitpid(change, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		printf("round %d: FAIL: %s still runs 30 s after the pin\n",
		       round, cmd[0]);
		kill(change, SIGKILL);
		waitpid(change, &status, 0);
		rc = 1;
	}
	out = slurp(outname, &n);
	unlink(outname);
	close(out_fd);
	/* xfs_io reports a failed command but exits 0: read what it says. */
	if (!rc && (!WIFEXITED(status) || !out ||
		    !strstr(out, "Text file busy"))) {
		printf("round %d: FAIL: %s did not fail with ETXTBSY (exit %d): %s",
		       round, cmd[0], WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		       out ? out : "\n");
		rc = 1;
	}
	if (!same_contents(path, before, len)) {
		printf("round %d: FAIL: the size or data of %s changed under the pin\n",
		       round, path);
		rc = 1;
	}
	if (!rc)
		printf("round %d: %s", round, out);
	free(out);
	return end_holder(holder, go, done, round, rc);
}

int main(int argc, char **argv)
{
	int munmap_after = 0, direct = 0, rounds = 3, opt, i, rc = 0;
	struct stat st;
	char *before;
	size_t n;

	while ((opt = getopt(argc, argv, "+uxn:")) != -1) {
		if (opt == 'u')
			munmap_after = 1;
		else if (opt == 'x')
			direct = 1;
		else if (opt == 'n')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind < 2) {
		fprintf(stderr, "usage: layout_race [-u] [-n ROUNDS] [-x] FILE COMMAND [ARG]...\n");
		return 2;
	}
	path = argv[optind];
	if (stat(path, &st) || !st.st_size)
		die_setup(path);
	len = st.st_size;
	if (direct) {
		/* -x: COMMAND once, no holder, no delay: is it supported? */
		if (!strcmp(argv[optind + 1], "exchange-range") && argv[optind + 2])
			return exchange_range(path, argv[optind + 2]);
		execvp(argv[optind + 1], argv + optind + 1);
		return 127;
	}
	before = slurp(path, &n);
	if (!before || n != len)
		die_setup("read FILE");
	for (i = 1; i <= rounds && !rc; i++)
		rc = round_once(i, munmap_after, argv + optind + 1, before);
	free(before);
	printf("%s: %d rounds, %s\n", path, i - 1, rc ? "FAILED" : "passed");
	return rc;
}

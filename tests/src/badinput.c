// SPDX-License-Identifier: GPL-2.0
/*
 * badinput sweep KIND:PATH...
 *	Every F_SETLEASE argument from 0 to 65535 and 4096 random 32-bit ones
 *	on each PATH, opened read-only and (where it can be) read-write. KIND
 *	says what the contract promises there: "layout" (a regular file of a
 *	file system that enforces layout leases: ext4, xfs), "plain" (a
 *	regular file of one that does not: tmpfs) or "other" (not a regular
 *	file: directory, fifo, device; PATH "socket" is a unix socket). Only
 *	these results are allowed: F_RDLCK and F_WRLCK as any lease today (0
 *	or EAGAIN on regular files); F_LAYOUT and F_LAYOUT|F_EXCLUSIVE granted
 *	on "layout" files; F_UNLCK without a lease EAGAIN; EINVAL for
 *	everything else. A granted
 *	lease must read back with F_GETLEASE and go with F_UNLCK; a refused
 *	call must leave no lease behind.
 * badinput dying DIR
 *	/proc/<pid>/file_pins of a process that pins, opened before it dies
 *	and read while and after it exits: no error but ESRCH and no splat.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "memspec.h"
#include "gup_test.h"

static unsigned long calls, granted, bad;

static void fail(const char *path, int mode, int arg, const char *what, int err)
{
	if (bad++ < 20)
		printf("# %s (%s) arg %#x: %s%s%s\n", path,
		       mode == O_RDONLY ? "O_RDONLY" : "O_RDWR", arg, what,
		       err ? ": " : "", err ? strerror(err) : "");
}

/* The errno F_SETLEASE @arg may give (0: granted; -1: 0 or EAGAIN). */
static int expected(const char *kind, int arg)
{
	int layout = !strcmp(kind, "layout"), reg = strcmp(kind, "other");

	if (arg == F_UNLCK)
		return reg ? EAGAIN : EINVAL;
	if (arg == F_RDLCK || arg == F_WRLCK)
		return reg ? -1 : EINVAL;
	if (arg == F_LAYOUT || arg == (F_LAYOUT | F_EXCLUSIVE))
		return layout ? 0 : EINVAL;
	return EINVAL;
}

static void one(const char *kind, const char *path, int fd, int mode, int arg)
{
	int want = expected(kind, arg), ret, err, got;

	calls++;
	ret = fcntl(fd, F_SETLEASE, arg);
	err = ret ? errno : 0;
	if (want == -1 ? (ret && err != EAGAIN) : err != want) {
		fail(path, mode, arg, "unexpected result", err);
		if (!ret)
			fcntl(fd, F_SETLEASE, F_UNLCK);
		return;
	}
	got = fcntl(fd, F_GETLEASE);
	if (ret) {
		/* Refused: nothing changed. */
		if (strcmp(kind, "other") && got != F_UNLCK)
			fail(path, mode, arg, "a refused call left a lease", 0);
		return;
	}
	granted++;
	if (got != arg)
		fail(path, mode, arg, "F_GETLEASE does not give it back", 0);
	if (fcntl(fd, F_SETLEASE, F_UNLCK))
		fail(path, mode, arg, "F_UNLCK", errno);
}

/* PATH "socket" is a fresh unix socket. */
static int open_target(const char *path, int mode)
{
	struct stat st;

	if (!strcmp(path, "socket"))
		return mode == O_RDONLY ? socket(AF_UNIX, SOCK_STREAM, 0) : -1;
	if (stat(path, &st))
		return -1;
	if (S_ISDIR(st.st_mode))
		return mode == O_RDONLY ? open(path, O_RDONLY | O_DIRECTORY) : -1;
	return open(path, mode | O_NONBLOCK);
}

static int sweep(int argc, char **argv)
{
	static const int modes[] = { O_RDONLY, O_RDWR };
	int i, m, fd;
	unsigned int a;

	srandom(8);
	for (i = 0; i < argc; i++) {
		char *path = strchr(argv[i], ':');
		char kind[16];
		unsigned long before = bad;

		if (!path || path - argv[i] >= (long)sizeof(kind))
			return 2;
		snprintf(kind, sizeof(kind), "%.*s", (int)(path - argv[i]), argv[i]);
		path++;
		for (m = 0; m < 2; m++) {
			fd = open_target(path, modes[m]);
			if (fd < 0) {
				if (m == 0) {
					printf("# %s: cannot open: %s\n", path, strerror(errno));
					bad++;
				}
				continue;
			}
			for (a = 0; a <= 65535; a++)
				one(kind, path, fd, modes[m], (int)a);
			for (a = 0; a < 4096; a++)
				one(kind, path, fd, modes[m],
				    (int)((unsigned int)random() << 1 ^ (unsigned int)random()));
			close(fd);
		}
		printf("# %s %s: %s\n", kind, path, bad == before ? "only documented results" : "FAILED");
	}
	printf("# %lu F_SETLEASE calls, %lu granted, %lu unexpected\n", calls,
	       granted, bad);
	return bad ? 1 : 0;
}

/* A child pins through a lease and waits to be killed. */
static int dying(const char *dir)
{
	struct pin_longterm_test a;
	char path[256], buf[4096];
	int pfd, st, round, errors = 0;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "leased:%s/dying", dir);
	for (round = 0; round < 20; round++) {
		int sync[2];

		if (pipe(sync))
			return 2;
		pid = fork();
		if (!pid) {
			struct memspec m;
			int gup = open(GUP_TEST, O_RDWR);

			if (gup < 0 || memspec_map(path, 1 << 20, 1, &m))
				_exit(2);
			a.addr = (uintptr_t)m.addr;
			a.size = 1 << 20;
			a.flags = FLAG_WRITE | FLAG_OWNER;
			if (ioctl(gup, PIN_LONGTERM_TEST_START, &a))
				_exit(3);
			if (write(sync[1], "x", 1) != 1)
				_exit(4);
			pause();
			_exit(0);
		}
		close(sync[1]);
		if (read(sync[0], buf, 1) != 1) {
			printf("# round %d: the child did not pin\n", round);
			return 1;
		}
		close(sync[0]);
		snprintf(buf, sizeof(buf), "/proc/%d/file_pins", pid);
		pfd = open(buf, O_RDONLY);
		n = pfd < 0 ? -1 : read(pfd, buf, sizeof(buf) - 1);
		if (n <= 0 || !memmem(buf, n, "/dying", 6)) {
			printf("# round %d: the live child's file_pins: %zd\n", round, n);
			errors++;
		}
		kill(pid, SIGKILL);
		/* Read while it exits (even rounds) or after (odd). */
		if (round & 1)
			waitpid(pid, &st, 0);
		do {
			lseek(pfd, 0, SEEK_SET);
			n = read(pfd, buf, sizeof(buf) - 1);
			if (n < 0 && errno != ESRCH) {
				printf("# round %d: read while dying: %s\n", round, strerror(errno));
				errors++;
				break;
			}
		} while (n > 0 && waitpid(pid, &st, WNOHANG) == 0);
		if (!(round & 1))
			waitpid(pid, &st, 0);
		lseek(pfd, 0, SEEK_SET);
		n = read(pfd, buf, sizeof(buf) - 1);
		if (n > 0 || (n < 0 && errno != ESRCH)) {
			printf("# round %d: dead process's file_pins: %zd %s\n", round, n,
			       n < 0 ? strerror(errno) : "bytes");
			errors++;
		}
		close(pfd);
	}
	snprintf(path, sizeof(path), "%s/dying", dir);
	unlink(path);
	printf("# 20 pinning processes killed, file_pins read while and after: %d errors\n",
	       errors);
	return errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "sweep"))
		return sweep(argc - 2, argv + 2);
	if (argc == 3 && !strcmp(argv[1], "dying"))
		return dying(argv[2]);
	fprintf(stderr, "usage: badinput sweep KIND:PATH... | badinput dying DIR\n");
	return 2;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * odirect_truncate FILE SLOWDEV [pin]
 *
 * The transient-pin path that must keep working: an O_DIRECT read from the
 * slow block device SLOWDEV (null_blk completing each I/O after 2 s) into a
 * MAP_SHARED mapping of the DAX file FILE pins the file's page while the
 * read is in flight. A truncate of FILE meanwhile must wait for the read to
 * finish, then succeed.
 *
 * The kernel drops the pin (and wakes the truncate) when the I/O completes,
 * a little before pread() returns, so the two return at nearly the same
 * moment when the truncate waited, and about 2 s apart when it did not.
 * The check is that the truncate returned no more than 1 s (half the
 * injected delay) before the read. Exit 0 when it did and both succeeded,
 * 1 otherwise, 2 on setup errors.
 *
 * With "pin", the truncate (by another process) is left waiting, then this
 * process takes an unbreakable layout lease and pins the mapping long term
 * (gup_test's owned mode): the waiting truncate must then fail with
 * ETXTBSY at once, more than 1 s before the read completes, not wait for
 * the read (xfs and ext4 "stop waiting for DAX pages pinned under a layout
 * lease"). After the unpin and F_UNLCK, a truncate succeeds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
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

#define LEN 65536

static atomic_int read_done;
static struct timespec read_end;
static ssize_t read_ret;
static int dev_fd;
static void *map;
static pthread_t t_reader;

static void *reader(void *arg)
{
	(void)arg;
	read_ret = pread(dev_fd, map, 4096, 0);
	clock_gettime(CLOCK_MONOTONIC, &read_end);
	atomic_store(&read_done, 1);
	return NULL;
}

static int inflight(const char *dev)
{
	char path[256], buf[64];
	int r = 0, w = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/block/%s/inflight", dev);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f) || sscanf(buf, "%d %d", &r, &w) != 2)
		r = -1;
	fclose(f);
	return r;
}

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts read() */
}

static long ms_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000 +
	       (b->tv_nsec - a->tv_nsec) / 1000000;
}

/*
 * The truncate by another process is waiting for the page of the in-flight
 * read: pin the mapping under a lease, the truncate must fail at once.
 */
static int pin_while_waiting(const char *path, int fd)
{
	struct pin_longterm_test a = { (uintptr_t)map, LEN, FLAG_WRITE | FLAG_OWNER };
	struct timespec pinned, trunc_end;
	int p[2], gup, status, err;
	pid_t pid;

	if (pipe(p))
		return 2;
	pid = fork();
	if (!pid) {
		err = truncate(path, 0) ? errno : 0;
		clock_gettime(CLOCK_MONOTONIC, &trunc_end);
		if (write(p[1], &trunc_end, sizeof(trunc_end)) != sizeof(trunc_end))
			_exit(255);
		_exit(err);
	}
	usleep(300000);	/* the truncate is waiting for the page by now */
	gup = open(GUP_TEST, O_RDWR);
	if (gup < 0 || fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE) ||
	    ioctl(gup, PIN_LONGTERM_TEST_START, &a)) {
		perror("lease and pin");
		kill(pid, SIGKILL);
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &pinned);
	printf("lease taken and mapping pinned while the truncate waits\n");
	/* Without the wake-up the truncate waits until the unpin: for ever. */
	sigaction(SIGALRM, &(struct sigaction){ .sa_handler = on_alarm }, NULL);
	alarm(8);
	if (read(p[0], &trunc_end, sizeof(trunc_end)) != sizeof(trunc_end)) {
		fprintf(stderr, "FAIL: the truncate still waits 8 s after the pin\n");
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		return 1;
	}
	alarm(0);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 2;
	err = WEXITSTATUS(status);
	pthread_join(t_reader, NULL);
	printf("truncate: %s, %ld ms after the pin, %ld ms before the read\n",
	       err ? strerror(err) : "done", ms_between(&pinned, &trunc_end),
	       ms_between(&trunc_end, &read_end));
	if (err != ETXTBSY || ms_between(&trunc_end, &read_end) < 1000) {
		fprintf(stderr, "FAIL: the waiting truncate did not fail with ETXTBSY at the pin\n");
		return 1;
	}
	if (ioctl(gup, PIN_LONGTERM_TEST_STOP) || fcntl(fd, F_SETLEASE, F_UNLCK) ||
	    truncate(path, 0)) {
		fprintf(stderr, "FAIL: unpin, F_UNLCK or truncate after: %s\n",
			strerror(errno));
		return 1;
	}
	close(gup);
	printf("after the unpin and F_UNLCK, truncate succeeded\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct timespec trunc_end;
	struct statx stx;
	long early;
	int fd, i, n = -1;
	char *dev;

	if (argc < 3 || argc > 4 || (argc == 4 && strcmp(argv[3], "pin"))) {
		fprintf(stderr, "usage: odirect_truncate FILE SLOWDEV [pin]\n");
		return 2;
	}
	dev = basename(strdup(argv[2]));
	fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0644);
	dev_fd = open(argv[2], O_RDONLY | O_DIRECT);
	if (fd < 0 || dev_fd < 0 || ftruncate(fd, LEN)) {
		perror("open");
		return 2;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) ||
	    !(stx.stx_attributes & STATX_ATTR_DAX)) {
		fprintf(stderr, "%s is not a DAX file\n", argv[1]);
		return 2;
	}
	map = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return 2;
	memset(map, 0xab, LEN);	/* allocate the blocks */
	if (pthread_create(&t_reader, NULL, reader, NULL))
		return 2;
	for (i = 0; i < 1000 && (n = inflight(dev)) == 0; i++)
		usleep(10000);
	if (n <= 0 || atomic_load(&read_done)) {
		fprintf(stderr, "the O_DIRECT read was never seen in flight (%d)\n", n);
		return 2;
	}
	printf("O_DIRECT read into the DAX mapping is in flight on %s\n", dev);
	if (argc == 4)
		return pin_while_waiting(argv[1], fd);
	if (truncate(argv[1], 0)) {
		perror("truncate");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &trunc_end);
	pthread_join(t_reader, NULL);
	early = (read_end.tv_sec - trunc_end.tv_sec) * 1000 +
		(read_end.tv_nsec - trunc_end.tv_nsec) / 1000000;
	printf("truncate returned %ld ms before the read\n", early);
	if (early > 1000) {
		fprintf(stderr, "FAIL: truncate returned while the read still pinned the page\n");
		return 1;
	}
	if (read_ret != 4096) {
		fprintf(stderr, "FAIL: O_DIRECT read returned %zd\n", read_ret);
		return 1;
	}
	if (statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &stx) || stx.stx_size) {
		fprintf(stderr, "FAIL: size after truncate is %llu\n",
			(unsigned long long)stx.stx_size);
		return 1;
	}
	printf("truncate waited for the in-flight read, then succeeded\n");
	return 0;
}

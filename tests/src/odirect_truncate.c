// SPDX-License-Identifier: GPL-2.0
/*
 * odirect_truncate FILE SLOWDEV
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
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEN 65536

static atomic_int read_done;
static struct timespec read_end;
static ssize_t read_ret;
static int dev_fd;
static void *map;

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

int main(int argc, char **argv)
{
	struct timespec trunc_end;
	struct statx stx;
	pthread_t t;
	long early;
	int fd, i, n = -1;
	char *dev;

	if (argc != 3) {
		fprintf(stderr, "usage: odirect_truncate FILE SLOWDEV\n");
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
	if (pthread_create(&t, NULL, reader, NULL))
		return 2;
	for (i = 0; i < 1000 && (n = inflight(dev)) == 0; i++)
		usleep(10000);
	if (n <= 0 || atomic_load(&read_done)) {
		fprintf(stderr, "the O_DIRECT read was never seen in flight (%d)\n", n);
		return 2;
	}
	printf("O_DIRECT read into the DAX mapping is in flight on %s\n", dev);
	if (truncate(argv[1], 0)) {
		perror("truncate");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &trunc_end);
	pthread_join(t, NULL);
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

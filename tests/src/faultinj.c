// SPDX-License-Identifier: GPL-2.0
/*
 * faultinj FILE RDMA_DEVICE ITERATIONS
 *
 * Fault injection on the lease, pin and registration paths (issue 8). The
 * caller arms failslab or fail_page_alloc with task filtering; this process
 * turns /proc/self/make-it-fail on around each round of: open FILE, take an
 * unbreakable layout lease, pin 2 MiB of it through gup_test's owned mode,
 * register the same 2 MiB as an MR on RDMA_DEVICE, read
 * /proc/self/file_pins. Each step must succeed or fail with ENOMEM (or, after
 * an earlier step failed, with that step's documented consequence). With
 * injection off again, everything is undone and must leave nothing: F_UNLCK
 * succeeds, no file_pins line, no lease of ours in /proc/locks, and the file
 * can be truncated. The mapping is made and faulted in before injection
 * starts, so that pins take no page faults. Prints counts; exits 0 only if every result was
 * an allowed one and nothing was left behind.
 */
#define _GNU_SOURCE
#include <infiniband/verbs.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include "memspec.h"
#include "gup_test.h"

#define LEN		(2UL << 20)

enum { S_OPEN, S_LEASE, S_GUPOPEN, S_PIN, S_REG, S_SHOW, NSTEPS };
static const char *const step_name[NSTEPS] = {
	"open", "lease", "gup-open", "pin", "reg_mr", "file_pins",
};
static unsigned long ok_count[NSTEPS], enomem[NSTEPS], bad;
static int fail_fd;

static void inject(int on)
{
	if (pwrite(fail_fd, on ? "1" : "0", 1, 0) != 1) {
		perror("make-it-fail");
		exit(2);
	}
}

/* A step's result: 0, ENOMEM, or (@alt) its documented consequence. */
static int result(int step, int ret, int err, int alt)
{
	if (!ret) {
		ok_count[step]++;
		return 0;
	}
	if (err == ENOMEM || (alt && err == alt)) {
		enomem[step]++;
		return -1;
	}
	inject(0);
	printf("# %s: unexpected %s\n", step_name[step], strerror(err));
	bad++;
	return -1;
}

/* Nothing of a round may remain: no file_pins line, no lease of ours. */
static int left_behind(const char *path, size_t size)
{
	char line[512], me[32];
	int fd, n = 0;
	FILE *f;

	f = fopen("/proc/self/file_pins", "r");
	while (f && fgets(line, sizeof(line), f))
		if (line[0] == '\t') {
			printf("# left in file_pins: %s", line);
			n++;
		}
	if (f)
		fclose(f);
	snprintf(me, sizeof(me), " %d ", getpid());
	f = fopen("/proc/locks", "r");
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "LAYOUT") && strstr(line, me)) {
			printf("# left in /proc/locks: %s", line);
			n++;
		}
	if (f)
		fclose(f);
	fd = open(path, O_RDWR);
	if (fd < 0 || ftruncate(fd, size + 4096) || ftruncate(fd, size)) {
		printf("# truncate after the round: %s\n", strerror(errno));
		n++;
	}
	if (fd >= 0)
		close(fd);
	return n;
}

int main(int argc, char **argv)
{
	struct ibv_context *ctx = NULL;
	struct pin_longterm_test a;
	struct ibv_device **list;
	int n, leftovers = 0;
	struct ibv_pd *pd;
	struct memspec m;
	long iters, i;
	char spec[512];

	if (argc != 4) {
		fprintf(stderr, "usage: faultinj FILE RDMA_DEVICE ITERATIONS\n");
		return 2;
	}
	iters = atol(argv[3]);
	list = ibv_get_device_list(&n);
	for (i = 0; list && i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), argv[2]))
			ctx = ibv_open_device(list[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	fail_fd = open("/proc/self/make-it-fail", O_WRONLY);
	/* The mapping, from a descriptor of its own, written (faulted in) now. */
	snprintf(spec, sizeof(spec), "file:%s", argv[1]);
	if (!pd || fail_fd < 0 || memspec_map(spec, LEN, 0x5a, &m)) {
		fprintf(stderr, "faultinj: setup failed\n");
		return 2;
	}
	a.addr = (uintptr_t)m.addr;
	a.size = LEN;
	a.flags = FLAG_WRITE | FLAG_OWNER;
	for (i = 0; i < iters; i++) {
		int fd, gup = -1, leased = 0, pinned = 0, ret, err;
		struct ibv_mr *mr = NULL;
		char buf[4096];

		inject(1);
		fd = open(argv[1], O_RDWR);
		if (result(S_OPEN, fd < 0 ? -1 : 0, errno, 0))
			goto undo;
		ret = fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE);
		leased = !result(S_LEASE, ret, errno, 0);
		gup = open(GUP_TEST, O_RDWR);
		if (!result(S_GUPOPEN, gup < 0 ? -1 : 0, errno, 0)) {
			/* Without the lease: EOPNOTSUPP, as ever. */
			ret = ioctl(gup, PIN_LONGTERM_TEST_START, &a);
			pinned = !result(S_PIN, ret, errno, leased ? 0 : EOPNOTSUPP);
		}
		mr = ibv_reg_mr(pd, m.addr, LEN, IBV_ACCESS_LOCAL_WRITE |
				IBV_ACCESS_REMOTE_WRITE);
		err = errno;
		result(S_REG, mr ? 0 : -1, err, leased ? 0 : EOPNOTSUPP);
		/*
		 * procfs answers ENOENT when it cannot allocate the inode of
		 * a /proc/<pid> entry (proc_pid_make_inode()), for every entry.
		 */
		n = open("/proc/self/file_pins", O_RDONLY);
		ret = n < 0 ? -1 : read(n, buf, sizeof(buf)) < 0 ? -1 : 0;
		result(S_SHOW, ret, errno, n < 0 ? ENOENT : 0);
		if (n >= 0)
			close(n);
undo:
		inject(0);
		if (mr && ibv_dereg_mr(mr))
			printf("# round %ld: dereg: %s\n", i, strerror(errno)), bad++;
		if (pinned && ioctl(gup, PIN_LONGTERM_TEST_STOP))
			printf("# round %ld: unpin: %s\n", i, strerror(errno)), bad++;
		if (gup >= 0)
			close(gup);
		if (leased && fcntl(fd, F_SETLEASE, F_UNLCK))
			printf("# round %ld: F_UNLCK: %s\n", i, strerror(errno)), bad++;
		if (fd >= 0)
			close(fd);
		leftovers += left_behind(argv[1], LEN);
		/*
		 * ext4's truncate unmapped the whole file (DAX layout break):
		 * fault it in again now, as an ext4 DAX write fault whose
		 * journal start fails ends in SIGBUS, EFAULT for GUP.
		 */
		for (n = 0; n < (int)LEN; n += 4096)
			((volatile char *)m.addr)[n] = 0x5a;
	}
	for (i = 0; i < NSTEPS; i++)
		printf("# %-9s ok %lu failed cleanly %lu\n", step_name[i],
		       ok_count[i], enomem[i]);
	printf("# %ld rounds, %lu unexpected results, %d things left behind\n",
	       iters, bad, leftovers);
	return bad || leftovers ? 1 : 0;
}

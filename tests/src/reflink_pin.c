// SPDX-License-Identifier: GPL-2.0
/*
 * reflink_pin DIR read|write|odirect [DEV]|cow-neighbour
 *
 * Pins of a PTE-mapped (16 KiB) file on xfs -o dax whose blocks are shared
 * with a clone (FICLONE). The file is mapped MAP_SHARED and its pages are
 * read-faulted first, so they are mapped read-only and GUP-fast gives up.
 * A DAX page of a shared block carries PAGE_MAPPING_DAX_SHARED in ->mapping
 * (6.12), which has the anon bit: GUP's checks for shared anonymous pages
 * must not see it.
 *
 *   read   the owned long-term read pin of gup_test under the file's
 *          F_LAYOUT | F_EXCLUSIVE lease: must fail with EOPNOTSUPP (a
 *          shared block), within 10 s (GUP used to retry an unshare fault
 *          that a shared mapping ignores, for ever)
 *   write  the same, pinned for writing: EOPNOTSUPP (the copy-on-write
 *          fault gives the file a block of its own, still marked shared)
 *   odirect  an O_DIRECT read from DEV into the mapping, no lease (what any
 *          program may do, on any kernel): must succeed, and the file then
 *          holds DEV's data while the clone keeps the old data
 *   cow-neighbour  a 128 KiB file whose first block only is cloned; page 5,
 *          not shared, is pinned for writing under the lease; a write of
 *          block 0 copies it on write, and xfs preallocates copy-on-write
 *          blocks around it (cowextsize, 32 blocks); a write of page 5 must
 *          then go in place: page 5's block may not change (FIEMAP), since
 *          the pinned block would be freed
 *
 * Exit 0 if the check passed, 1 if not, 2 on setup errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include "filetest.h"
#include "gup_test.h"
#include "memspec.h"
#include "race.h"

#define LEN	(16 << 10)

static int is_pattern_n(const char *buf, int c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (buf[i] != (char)c)
			return 0;
	return 1;
}

static int is_pattern(const char *buf, int c)
{
	return is_pattern_n(buf, c, LEN);
}

/* cow-neighbour: see the top of this file. */
static int cow_neighbour(const char *dir)
{
	struct pin_longterm_test pin = { 0, 4096, FLAG_OWNER | FLAG_WRITE };
	struct file_clone_range r = { 0 };
	char a[4096], b[4096], buf[128 << 10];
	unsigned long long before, after;
	int f, g, gup;
	char *p;

	snprintf(a, sizeof(a), "%s/cow_neighbour", dir);
	snprintf(b, sizeof(b), "%s/cow_neighbour.clone", dir);
	unlink(a);
	unlink(b);
	f = open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
	g = open(b, O_RDWR | O_CREAT | O_EXCL, 0644);
	memset(buf, 0x5a, sizeof(buf));
	if (f < 0 || g < 0 || write(f, buf, sizeof(buf)) != sizeof(buf) ||
	    fsync(f))
		die_setup(a);
	r.src_fd = f;
	r.src_length = 4096;
	if (ioctl(g, FICLONERANGE, &r))
		die_setup("FICLONERANGE");
	gup = open(GUP_TEST, O_RDWR);
	if (gup < 0)
		die_setup(GUP_TEST);
	if (fcntl(f, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
		die_setup("F_SETLEASE");
	p = mmap(NULL, sizeof(buf), PROT_READ | PROT_WRITE, MAP_SHARED, f, 0);
	if (p == MAP_FAILED)
		die_setup("mmap");
	pin.addr = (uintptr_t)(p + 5 * 4096);
	if (ioctl(gup, PIN_LONGTERM_TEST_START, &pin))
		die_setup("pin of the unshared page 5");
	before = phys_of(f, 5 * 4096);
	memset(buf, 0xa5, 4096);
	if (pwrite(f, buf, 4096, 0) != 4096)
		die_setup("write of the shared block 0");
	if (pwrite(f, buf, 4096, 5 * 4096) != 4096)
		die_setup("write of the pinned block 5");
	after = phys_of(f, 5 * 4096);
	if (ioctl(gup, PIN_LONGTERM_TEST_STOP) || fcntl(f, F_SETLEASE, F_UNLCK))
		die_setup("unpin");
	if (!before || before != after) {
		printf("FAIL: a write moved the pinned block 5 (%#llx, now %#llx)\n",
		       before, after);
		return 1;
	}
	if (pread(g, buf, 4096, 0) != 4096 || !is_pattern_n(buf, 0x5a, 4096)) {
		printf("FAIL: the clone changed\n");
		return 1;
	}
	printf("the pinned block 5 stayed in place (%#llx) through copy-on-write around it\n",
	       before);
	munmap(p, sizeof(buf));
	close(gup);
	close(f);
	close(g);
	unlink(a);
	unlink(b);
	return 0;
}

int main(int argc, char **argv)
{
	char a[4096], b[4096], buf[LEN];
	struct pin_longterm_test pin = { 0, LEN, FLAG_OWNER };
	const char *mode;
	int src, dst, gup, dev;
	volatile char *p;
	size_t i;

	if (argc < 3 || (!strcmp(argv[2], "odirect") && argc != 4)) {
		fprintf(stderr, "usage: reflink_pin DIR read|write|odirect DEV|cow-neighbour\n");
		return 2;
	}
	mode = argv[2];
	if (!strcmp(mode, "cow-neighbour"))
		return cow_neighbour(argv[1]);
	snprintf(a, sizeof(a), "%s/reflink_pin.src", argv[1]);
	snprintf(b, sizeof(b), "%s/reflink_pin.clone", argv[1]);
	unlink(a);
	unlink(b);
	src = open(a, O_RDWR | O_CREAT | O_EXCL, 0644);
	memset(buf, 0x5a, LEN);
	if (src < 0 || write(src, buf, LEN) != LEN || fsync(src))
		die_setup(a);
	dst = open(b, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (dst < 0 || ioctl(dst, FICLONE, src))
		die_setup("FICLONE");
	p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, src, 0);
	if (p == MAP_FAILED)
		die_setup("mmap");
	for (i = 0; i < LEN; i += 4096)
		(void)p[i];
	alarm(10);	/* a GUP that loops: SIGALRM ends it, and the test */

	if (!strcmp(mode, "odirect")) {
		ssize_t n;

		dev = open(argv[3], O_RDONLY | O_DIRECT);
		if (dev < 0)
			die_setup(argv[3]);
		n = read(dev, (void *)p, LEN);
		if (n != LEN) {
			printf("FAIL: O_DIRECT read into the mapping: %s\n",
			       n < 0 ? strerror(errno) : "short");
			return 1;
		}
		if (pread(dev, buf, LEN, 0) != LEN)
			die_setup("pread DEV");
		if (memcmp((void *)p, buf, LEN)) {
			printf("FAIL: the mapping does not hold what was read\n");
			return 1;
		}
		if (pread(dst, buf, LEN, 0) != LEN || !is_pattern(buf, 0x5a)) {
			printf("FAIL: the clone changed\n");
			return 1;
		}
		printf("O_DIRECT into the reflinked mapping: done, the clone kept its data\n");
		return 0;
	}

	gup = open(GUP_TEST, O_RDWR);
	if (gup < 0)
		die_setup(GUP_TEST);
	if (fcntl(src, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
		die_setup("F_SETLEASE");
	if (!strcmp(mode, "write"))
		pin.flags |= FLAG_WRITE;
	else if (strcmp(mode, "read"))
		die_setup("mode");
	pin.addr = (uintptr_t)p;
	if (!ioctl(gup, PIN_LONGTERM_TEST_START, &pin)) {
		printf("FAIL: a %s pin of blocks shared with a clone succeeded\n",
		       mode);
		return 1;
	}
	if (errno != EOPNOTSUPP) {
		printf("FAIL: the %s pin failed with %s, not EOPNOTSUPP\n", mode,
		       strerror(errno));
		return 1;
	}
	alarm(0);
	if (fcntl(src, F_SETLEASE, F_UNLCK))
		die_setup("F_UNLCK");
	if (pread(dst, buf, LEN, 0) != LEN || !is_pattern(buf, 0x5a)) {
		printf("FAIL: the clone changed\n");
		return 1;
	}
	printf("%s pin of a reflinked file: EOPNOTSUPP\n", mode);
	close(gup);
	munmap((void *)p, LEN);
	close(src);
	close(dst);
	unlink(a);
	unlink(b);
	return 0;
}

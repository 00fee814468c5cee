// SPDX-License-Identifier: GPL-2.0
/*
 * pin_fsync FILE [pte]
 *
 * Durability of writes through a long-term pin of a DAX file: does an
 * fsync() after an fsync() still flush the CPU cache for the pinned pages?
 * fs/dax.c flushes an entry in dax_writeback_one() only while it is tagged
 * dirty; once flushed it is cleaned and its PTEs write-protected, so that a
 * CPU store faults and dirties it again. A write through a pin (rxe's and
 * siw's memcpy into the kernel mapping of the page, a NIC's DMA) takes no
 * fault, so unless the kernel keeps pinned entries dirty, the next fsync
 * flushes nothing of what the device wrote.
 *
 * What the program sees: the fs_dax/dax_writeback_one trace event (one per
 * entry flushed: dev, ino, pgoff, pglen) in a tracefs instance of its own,
 * filtered to FILE's inode and device, and the page faults of CPU stores
 * (getrusage ru_minflt + ru_majflt).
 *
 * FILE (on a DAX mount) is created anew, 2 MiB, written; the process takes
 * F_SETLEASE F_LAYOUT|F_EXCLUSIVE on it, maps it MAP_SHARED, writes every
 * page through the mapping and pins the mapping long term for write
 * (gup_test PIN_LONGTERM_TEST_START, FLAG_WRITE|FLAG_OWNER). Then:
 *
 *   1. fsync #1 writes back every page;
 *   2. fsync #2, with no CPU write since #1, still writes back every pinned
 *      page (a device may have written them);        <- fails without the fix
 *   3. a CPU store into each pinned page takes no page fault (the PTEs were
 *      not write-protected: a pinned entry is never cleaned);  <- likewise
 *   4. fsync #3 writes back every page;
 *   5. unpin, F_UNLCK; CPU stores, fsync #4 writes back every page;
 *   6. fsync #5, nothing written, writes back nothing: unpinned entries are
 *      cleaned (the fix must not keep them dirty for ever);
 *   7. a CPU store now faults again (fsync #4 write-protected the PTEs),
 *      and fsync #6 writes back every page.
 *
 * "pte" maps FILE at an address one page off a 2 MiB boundary, so that
 * every fault is a PTE fault and every entry 4 KiB (the default mapping
 * is 2 MiB aligned and gets PMD entries when the blocks are).
 *
 * The pin stands for an RDMA memory region: rxe and siw write received data
 * with memcpy into the kernel mapping of the pages, a NIC by DMA; neither
 * faults, which is what a pin without CPU stores after fsync #1 models.
 *
 * Prints TAP ("ok N ..." / "not ok N ..." and "# " notes, then "1..N").
 * Exit 0 if every check passed, 1 if one failed, 2 on a setup error
 * (not DAX, no tracefs or gup_test, lease or pin refused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gup_test.h"
#include "memspec.h"

#define LEN	(2UL << 20)
#define PMD	(2UL << 20)
#define EVENT	"events/fs_dax/dax_writeback_one"

static int n, fails;
static long pgsz;
static size_t npages;
static char tdir[352];		/* our tracefs instance */
static unsigned long f_ino;
static unsigned int f_major, f_minor;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	n++;
	if (!cond)
		fails++;
	printf("%sok %d ", cond ? "" : "not ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int setup_error(const char *what)
{
	fprintf(stderr, "pin_fsync: setup: %s: %s\n", what, strerror(errno));
	printf("1..%d\n", n);
	return 2;
}

/* Write @val to the file @name of our tracefs instance. */
static int tset(const char *name, const char *val)
{
	char path[512];
	ssize_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	if (len && write(fd, val, len) != len)
		ret = -1;
	close(fd);
	return ret;
}

static void trace_cleanup(void)
{
	if (!tdir[0])
		return;
	tset(EVENT "/enable", "0");
	tset(EVENT "/filter", "0");
	rmdir(tdir);
	tdir[0] = '\0';
}

/*
 * A tracefs instance of our own (its own buffer, events and filters, so
 * nothing else is disturbed) with dax_writeback_one enabled for FILE only.
 */
static int trace_setup(void)
{
	const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char filter[128], path[300];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (!access(path, F_OK))
			break;
		if (i == 0 && !mount("nodev", roots[0], "tracefs", 0, NULL) &&
		    !access(path, F_OK))
			break;
	}
	if (i == 2) {
		errno = ENOENT;
		return -1;
	}
	snprintf(tdir, sizeof(tdir), "%s/pin_fsync.%d", path, (int)getpid());
	if (mkdir(tdir, 0755) && errno != EEXIST) {
		tdir[0] = '\0';
		return -1;
	}
	atexit(trace_cleanup);
	/* The kernel's dev_t is MKDEV(): major << 20 | minor. */
	snprintf(filter, sizeof(filter), "ino == %lu && dev == %u", f_ino,
		 (f_major << 20) | f_minor);
	if (tset(EVENT "/filter", filter))
		note("could not set the event filter (%s): matching in user space",
		     strerror(errno));
	if (tset(EVENT "/enable", "1") || tset("tracing_on", "1"))
		return -1;
	return 0;
}

struct wb {
	unsigned long events;	/* dax_writeback_one events for FILE */
	unsigned long pages;	/* sum of their pglen */
	unsigned long pmd;	/* events with pglen > 1 */
	size_t covered;		/* pages of [0, npages) written back */
};

/* fsync(@fd) and collect the writeback events it produced for FILE. */
static int fsync_traced(int fd, struct wb *wb)
{
	unsigned char *cover = calloc(npages, 1);
	unsigned long pgoff, pglen, ino, i;
	unsigned int ma, mi;
	char path[512], line[512];
	const char *ev;
	FILE *f;

	memset(wb, 0, sizeof(*wb));
	if (!cover || tset("trace", ""))	/* O_TRUNC empties the buffer */
		return -1;
	if (fsync(fd)) {
		perror("fsync");
		free(cover);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace", tdir);
	f = fopen(path, "r");
	if (!f) {
		free(cover);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		ev = strstr(line, "dax_writeback_one: ");
		if (!ev || sscanf(ev, "dax_writeback_one: dev %u:%u ino %lx pgoff %lx pglen %lx",
				  &ma, &mi, &ino, &pgoff, &pglen) != 5)
			continue;
		if (ino != f_ino || ma != f_major || mi != f_minor)
			continue;
		wb->events++;
		wb->pages += pglen;
		if (pglen > 1)
			wb->pmd++;
		for (i = pgoff; i < pgoff + pglen && i < npages; i++)
			cover[i] = 1;
	}
	fclose(f);
	for (i = 0; i < npages; i++)
		wb->covered += cover[i];
	free(cover);
	return 0;
}

static void describe(const char *what, const struct wb *wb)
{
	note("%s: %lu dax_writeback_one events, %lu pages (%lu PMD entries), %zu of the %zu pages covered",
	     what, wb->events, wb->pages, wb->pmd, wb->covered, npages);
}

/* Store into every page of @p; the page faults it took. */
static long store_faults(volatile unsigned char *p, unsigned char v)
{
	struct rusage a, b;
	size_t i;

	getrusage(RUSAGE_THREAD, &a);
	for (i = 0; i < npages; i++)
		p[i * pgsz + 8] = v;
	getrusage(RUSAGE_THREAD, &b);
	return (b.ru_minflt - a.ru_minflt) + (b.ru_majflt - a.ru_majflt);
}

/*
 * Map @fd MAP_SHARED; with @pte, one page off a 2 MiB boundary, where the
 * virtual and file offsets disagree modulo 2 MiB and no PMD fault is tried.
 */
static void *map_file(int fd, int pte)
{
	unsigned char *r, *at;

	if (!pte)
		return mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	r = mmap(NULL, LEN + 2 * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED)
		return r;
	at = (unsigned char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1)) + pgsz;
	return mmap(at, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    fd, 0);
}


int main(int argc, char **argv)
{
	struct pin_longterm_test pin = { 0 };
	const char *path;
	unsigned char *map, *buf;
	int fd, gup = -1, pte = 0, i;
	struct statx stx;
	struct stat st;
	struct wb wb;
	long faults;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "pte"))
			pte = 1;
		else
			break;
	}
	if (argc < 2 || i < argc) {
		fprintf(stderr, "usage: pin_fsync FILE [pte]\n");
		return 2;
	}
	path = argv[1];
	pgsz = sysconf(_SC_PAGESIZE);
	npages = LEN / pgsz;
	alarm(120);

	/* A new file: no DAX entries left from an earlier run. */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return setup_error(path);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) ||
	    !(stx.stx_attributes & STATX_ATTR_DAX)) {
		fprintf(stderr, "pin_fsync: %s is not a DAX file\n", path);
		return 2;
	}
	buf = malloc(LEN);
	if (!buf)
		return setup_error("malloc");
	memset(buf, 0x5a, LEN);
	/* Contiguous blocks first: a 2 MiB aligned extent can be PMD mapped. */
	if (fallocate(fd, 0, 0, LEN) && errno != EOPNOTSUPP)
		return setup_error("fallocate");
	if (pwrite(fd, buf, LEN, 0) != (ssize_t)LEN || fsync(fd) || fstat(fd, &st))
		return setup_error("pwrite");
	f_ino = st.st_ino;
	f_major = major(st.st_dev);
	f_minor = minor(st.st_dev);
	note("%s: dev %u:%u ino %#lx, %zu pages of %ld bytes", path, f_major,
	     f_minor, f_ino, npages, pgsz);
	if (trace_setup())
		return setup_error("tracefs instance with fs_dax/dax_writeback_one");

	if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
		return setup_error("F_SETLEASE F_LAYOUT|F_EXCLUSIVE");
	map = map_file(fd, pte);
	if (map == MAP_FAILED)
		return setup_error("mmap");
	note("mapped at %p: %s", (void *)map,
	     pte ? "one page off 2 MiB, PTE faults only" :
	     (uintptr_t)map & (PMD - 1) ? "not 2 MiB aligned, PTE faults only" :
	     "2 MiB aligned, PMD faults where the blocks are aligned");
	faults = store_faults(map, 1);
	note("wrote every page through the mapping: %ld page faults", faults);

	pin.addr = (uintptr_t)map;
	pin.size = LEN;
	pin.flags = FLAG_WRITE | FLAG_OWNER;
	gup = open(GUP_TEST, O_RDWR);
	if (gup < 0 || ioctl(gup, PIN_LONGTERM_TEST_START, &pin))
		return setup_error("gup_test PIN_LONGTERM_TEST_START (write, owned)");
	note("pinned the %zu pages long term for write (gup_test, owned)", npages);

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #1");
	describe("fsync #1", &wb);
	check(wb.covered == npages,
	      "fsync #1 after CPU writes writes back all %zu pages", npages);

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #2");
	describe("fsync #2", &wb);
	check(wb.covered == npages,
	      "fsync #2, with no CPU write since #1, still writes back all %zu pinned pages",
	      npages);
	if (wb.covered != npages)
		note("the entries were cleaned by fsync #1: what a device writes through the pin is never flushed");

	faults = store_faults(map, 2);
	check(faults == 0,
	      "a CPU store into each pinned page after fsync takes no page fault (%ld)",
	      faults);
	if (faults)
		note("fsync write-protected the pinned mapping: its entries were cleaned");

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #3");
	describe("fsync #3", &wb);
	check(wb.covered == npages, "fsync #3, pinned, writes back all %zu pages",
	      npages);

		check(!ioctl(gup, PIN_LONGTERM_TEST_STOP), "PIN_LONGTERM_TEST_STOP: unpinned");
	check(!fcntl(fd, F_SETLEASE, F_UNLCK), "F_SETLEASE F_UNLCK");

	faults = store_faults(map, 3);
	note("CPU stores after the unpin: %ld page faults", faults);
	if (fsync_traced(fd, &wb))
		return setup_error("fsync #4");
	describe("fsync #4", &wb);
	check(wb.covered == npages,
	      "fsync #4 after the unpin and CPU writes writes back all %zu pages",
	      npages);

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #5");
	describe("fsync #5", &wb);
	check(wb.events == 0,
	      "fsync #5, nothing written and nothing pinned, writes back nothing (%lu events)",
	      wb.events);

	faults = store_faults(map, 4);
	check(faults > 0,
	      "unpinned, fsync write-protects the mapping again: a CPU store faults (%ld)",
	      faults);
	if (fsync_traced(fd, &wb))
		return setup_error("fsync #6");
	describe("fsync #6", &wb);
	check(wb.covered == npages, "fsync #6 writes back all %zu pages", npages);

	printf("1..%d\n", n);
	if (gup >= 0)
		close(gup);
	munmap(map, LEN);
	close(fd);
	free(buf);
	return fails ? 1 : 0;
}

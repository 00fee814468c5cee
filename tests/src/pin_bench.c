// SPDX-License-Identifier: GPL-2.0
/*
 * pin_bench: guest-side measurements for make bench (issue 7). Times are
 * CLOCK_MONOTONIC nanoseconds; run under QEMU -icount they count guest
 * instructions, so they repeat from run to run. Each line printed:
 *
 *   <workload> <case> <size-or-count> min=<ns> median=<ns> [extra]
 *
 * pin_bench pin MEMSPEC SIZE_MB ALIGN_KB REPS MODE
 *	long-term write pin + unpin through gup_test (PIN_LONGTERM_TEST_START /
 *	STOP) of SIZE_MB of MEMSPEC (anon, file:PATH, leased:PATH, devdax:PATH),
 *	mapped at an ALIGN_KB-aligned address (2048: PMD-aligned; 4: for
 *	files and device-dax, 4 KiB past a PMD boundary, so that only PTEs can
 *	map it; for anonymous memory, wherever mmap() puts it). MODE 0:
 *	pin_user_pages(FOLL_LONGTERM), 2: pin_user_pages_fast(), 4:
 *	vaddr_pin_user_pages() (gup_test's owned mode). Reports the pin and
 *	unpin times, the unreclaimable slab freed by the unpin and the page
 *	faults taken to map the memory in (SIZE_MB/2 if all PMD-mapped).
 * pin_bench truncate PATH SIZE_MB REPS
 *	with SIZE_MB of the leased PATH pinned, the cost of a truncate that
 *	fails with ETXTBSY (another process's).
 * pin_bench reg DEVICE MEMSPEC SIZE_MB REPS
 *	ibv_reg_mr + ibv_dereg_mr of SIZE_MB of MEMSPEC on DEVICE.
 * pin_bench file_pins DIR NFILES NOWNERS PAGES REPS
 *	NOWNERS gup_test owners each pinning PAGES pages of one of NFILES
 *	leased files in DIR; the cost of reading /proc/self/file_pins.
 */
#define _GNU_SOURCE
#include <infiniband/verbs.h>
#include <limits.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include "memspec.h"
#include "gup_test.h"

#define MAX_REPS	64

/*
 * With PIN_BENCH_MARK=1 in the environment, each timed operation (the code
 * between two now_ns() calls) runs inside a window marked by "xchg %bx,%bx",
 * which the insnprof QEMU plugin counts instructions in (insn-profile).
 */
static int mark_windows = -1, in_window;

static void mark(void)
{
	asm volatile("xchg %%bx, %%bx" ::: "memory");
}

static long long now_ns(void)
{
	struct timespec ts;

	if (mark_windows < 0)
		mark_windows = getenv("PIN_BENCH_MARK") &&
			       !strcmp(getenv("PIN_BENCH_MARK"), "1");
	if (mark_windows && in_window)
		mark();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (mark_windows && !in_window)
		mark();
	in_window ^= mark_windows;
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *what, const char *c, long n, long long *t,
		   int reps, const char *extra)
{
	qsort(t, reps, sizeof(*t), cmp_ll);
	printf("%s %s %ld min=%lld median=%lld%s%s\n", what, c, n, t[0],
	       t[reps / 2], extra ? " " : "", extra ? extra : "");
	fflush(stdout);
}

/* An operation and its undoing (pin/unpin, reg/dereg), measured together. */
static void report_pair(const char *what, const char *undo, const char *c,
			long n, long long *t, long long *tundo, int reps,
			const char *extra)
{
	report(what, c, n, t, reps, extra);
	report(undo, c, n, tundo, reps, NULL);
}

static long meminfo_kb(const char *key)
{
	char line[128];
	long v = -1;
	size_t n = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = atol(line + n + 1);
	if (f)
		fclose(f);
	return v;
}

static int pin(int gup, void *addr, size_t len, unsigned int flags)
{
	struct pin_longterm_test a = { (uintptr_t)addr, len, flags };

	return ioctl(gup, PIN_LONGTERM_TEST_START, &a);
}

/*
 * Map @len of @spec at an @align-aligned address. A PMD-aligned mapping of a
 * file covers whole PMDs, as device-dax does: a 1 MiB file cannot be mapped
 * by a PMD, the first 1 MiB of a 2 MiB one can.
 */
static void *map_spec(const char *spec, size_t len, size_t align,
		      struct memspec *m)
{
	size_t pmd = 2048 << 10;
	char *area, *p;

	if (align >= pmd && strncmp(spec, "anon", 4))
		len = (len + pmd - 1) & ~(pmd - 1);
	if (memspec_map(spec, len, -1, m))
		return NULL;
	if (!align || (align <= 4096 && m->fd < 0))
		return m->addr;	/* where mmap() put it */
	/*
	 * Move the mapping: map again, MAP_FIXED, at a PMD-aligned address or
	 * (fsdax files are PMD-aligned by mmap() itself) 4 KiB past one.
	 */
	area = mmap(NULL, m->len + 2 * pmd, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)area + pmd - 1) & ~(uintptr_t)(pmd - 1));
	if (align < pmd)
		p += align;
	p = m->fd >= 0 ? mmap(p, m->len, PROT_READ | PROT_WRITE,
			      MAP_SHARED | MAP_FIXED, m->fd, 0) :
			 mmap(p, m->len, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	munmap(m->addr, m->len);
	if (p == MAP_FAILED)
		perror("mmap");
	return p == MAP_FAILED ? NULL : p;
}

/* map_spec(), then fault every page in, so that pins time no faults. */
static char *map_touched(const char *spec, size_t len, size_t align, int reps,
			 struct memspec *m)
{
	char *p = reps <= MAX_REPS ? map_spec(spec, len, align, m) : NULL;
	size_t i;

	if (!p) {
		fprintf(stderr, "pin_bench: %s: setup failed\n", spec);
		return NULL;
	}
	for (i = 0; i < len; i += 4096)
		p[i] = 1;
	return p;
}

static int bench_pin(char **argv)
{
	size_t len = strtoul(argv[3], NULL, 0) << 20;
	size_t align = strtoul(argv[4], NULL, 0) << 10;
	int reps = atoi(argv[5]), mode = atoi(argv[6]), i;
	unsigned int flags = FLAG_WRITE | mode;
	long long tpin[MAX_REPS], tunpin[MAX_REPS];
	long slab0, slab1 = 0;
	struct memspec m;
	char extra[64], c[256];
	int gup = open(GUP_TEST, O_RDWR);
	struct rusage ru0, ru1;
	char *p;

	getrusage(RUSAGE_SELF, &ru0);
	if (gup < 0 || !(p = map_touched(argv[2], len, align, reps, &m)))
		return 2;
	getrusage(RUSAGE_SELF, &ru1);
	for (i = 0; i < reps; i++) {
		long long t0 = now_ns();

		if (pin(gup, p, len, flags)) {
			fprintf(stderr, "pin %s: %s\n", argv[2], strerror(errno));
			return 1;
		}
		tpin[i] = now_ns() - t0;
		if (!i) {
			slab0 = meminfo_kb("SUnreclaim");
			ioctl(gup, PIN_LONGTERM_TEST_STOP);
			slab1 = meminfo_kb("SUnreclaim") - slab0;
			pin(gup, p, len, flags);
		}
		t0 = now_ns();
		ioctl(gup, PIN_LONGTERM_TEST_STOP);
		tunpin[i] = now_ns() - t0;
	}
	snprintf(c, sizeof(c), "%.*s%s/%zuk", (int)strcspn(argv[2], ":"),
		 argv[2], mode == 4 ? "+owned" : mode == 2 ? "+fast" : "",
		 align >> 10);
	snprintf(extra, sizeof(extra), "slab_freed_kb=%ld faults=%ld", -slab1,
		 ru1.ru_minflt + ru1.ru_majflt - ru0.ru_minflt - ru0.ru_majflt);
	report_pair("pin", "unpin", c, len >> 20, tpin, tunpin, reps, extra);
	return 0;
}

static int bench_reg(char **argv)
{
	size_t len = strtoul(argv[4], NULL, 0) << 20;
	int reps = atoi(argv[5]), i, n;
	long long treg[MAX_REPS], tdereg[MAX_REPS];
	struct ibv_device **list = ibv_get_device_list(&n);
	struct ibv_context *ctx = NULL;
	struct memspec m;
	struct ibv_pd *pd;
	char c[64];
	char *p;

	for (i = 0; list && i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), argv[2]))
			ctx = ibv_open_device(list[i]);
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	if (!pd || !(p = map_touched(argv[3], len, 0, reps, &m)))
		return 2;
	for (i = 0; i < reps; i++) {
		long long t0 = now_ns();
		struct ibv_mr *mr = ibv_reg_mr(pd, p, len, IBV_ACCESS_LOCAL_WRITE |
					       IBV_ACCESS_REMOTE_WRITE |
					       IBV_ACCESS_REMOTE_READ);

		treg[i] = now_ns() - t0;
		if (!mr) {
			fprintf(stderr, "ibv_reg_mr %s: %s\n", argv[3], strerror(errno));
			return 1;
		}
		t0 = now_ns();
		ibv_dereg_mr(mr);
		tdereg[i] = now_ns() - t0;
	}
	snprintf(c, sizeof(c), "%s/%.*s", argv[2],
		 (int)strcspn(argv[3], ":"), argv[3]);
	report_pair("reg_mr", "dereg_mr", c, len >> 20, treg, tdereg, reps, NULL);
	return 0;
}

static int bench_truncate(char **argv)
{
	size_t len = strtoul(argv[3], NULL, 0) << 20;
	int reps = atoi(argv[4]), i, status;
	long long t[MAX_REPS];
	int gup = open(GUP_TEST, O_RDWR);
	char spec[PATH_MAX + 8];
	struct memspec m;
	char *p;

	snprintf(spec, sizeof(spec), "leased:%s", argv[2]);
	if (gup < 0 || !(p = map_touched(spec, len, 0, reps, &m)))
		return 2;
	if (pin(gup, p, len, FLAG_WRITE | FLAG_OWNER))
		return 1;
	/* Another process truncates: the holder would get EDEADLK. */
	pid_t pid = fork();

	if (!pid) {
		int fd = open(argv[2], O_RDWR);

		for (i = 0; i < reps; i++) {
			long long t0 = now_ns();

			if (ftruncate(fd, 0) != -1 || errno != ETXTBSY)
				_exit(1);
			t[i] = now_ns() - t0;
		}
		report("truncate_etxtbsy", "pinned", len >> 20, t, reps, NULL);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return 1;
	return 0;
}

static int bench_file_pins(char **argv)
{
	int nfiles = atoi(argv[3]), nowners = atoi(argv[4]);
	size_t pages = strtoul(argv[5], NULL, 0);
	int reps = atoi(argv[6]), i;
	long long t[MAX_REPS];
	static char buf[1 << 20];
	char **maps = calloc(nfiles, sizeof(*maps));
	char c[64];
	struct rlimit rl = { 4096, 4096 };

	setrlimit(RLIMIT_NOFILE, &rl);
	if (reps > MAX_REPS || !maps)
		return 2;
	for (i = 0; i < nfiles; i++) {
		char spec[PATH_MAX + 16];
		struct memspec m;

		snprintf(spec, sizeof(spec), "leased:%s/fp%d", argv[2], i);
		if (memspec_map(spec, pages << 12, 1, &m))
			return 2;
		maps[i] = m.addr;
	}
	for (i = 0; i < nowners; i++) {
		int gup = open(GUP_TEST, O_RDWR);

		if (gup < 0 || pin(gup, maps[i % nfiles], pages << 12,
				   FLAG_WRITE | FLAG_OWNER)) {
			fprintf(stderr, "owner %d: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < reps; i++) {
		int fd = open("/proc/self/file_pins", O_RDONLY);
		long long t0 = now_ns();
		ssize_t n, total = 0;

		while ((n = read(fd, buf, sizeof(buf))) > 0)
			total += n;
		t[i] = now_ns() - t0;
		close(fd);
		if (total <= 0)
			return 1;
	}
	snprintf(c, sizeof(c), "files=%d/pages=%zu", nfiles, pages);
	report("file_pins", c, nowners, t, reps, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(600);
	if (argc == 7 && !strcmp(argv[1], "pin"))
		return bench_pin(argv);
	if (argc == 6 && !strcmp(argv[1], "reg"))
		return bench_reg(argv);
	if (argc == 5 && !strcmp(argv[1], "truncate"))
		return bench_truncate(argv);
	if (argc == 7 && !strcmp(argv[1], "file_pins"))
		return bench_file_pins(argv);
	fprintf(stderr, "usage: see the top of pin_bench.c\n");
	return 2;
}

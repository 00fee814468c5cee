// SPDX-License-Identifier: GPL-2.0
/*
 * poison_pin DEVICE FILE madvise|inject
 *
 * A media error on a page that an RDMA memory region pins (contract D under
 * memory failure). FILE (2 MiB or more, on a DAX filesystem, written with a
 * known pattern and synced) is leased with F_LAYOUT | F_EXCLUSIVE, mapped
 * and registered on DEVICE. Then its fourth page is poisoned:
 *
 *   madvise  MADV_HWPOISON on the mapping, by the holder itself: the kernel
 *            handles it as a consumed error (MF_ACTION_REQUIRED) and must
 *            send the holder SIGBUS with BUS_MCEERR_AR at that address;
 *   inject   the pfn (from /proc/self/pagemap) written to the hwpoison
 *            injector by another process, as a scrubber or another CPU
 *            would find it: the holder asked for early kill
 *            (PR_MCE_KILL_EARLY) and must get SIGBUS with BUS_MCEERR_AO.
 *
 * Either way the pin must survive untouched: the block stays where it was
 * (FIEMAP), the other pages keep their data, file_pins still lists the
 * file, truncate and hole punch by another process fail with ETXTBSY and
 * F_UNLCK with EBUSY. After ibv_dereg_mr() the lease can be released and
 * the file truncated. Prints TAP, exits 0 if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <linux/falloc.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include "filetest.h"
#include "ibdev.h"
#include "memspec.h"		/* F_LAYOUT, F_EXCLUSIVE */

#define LEN	(2UL << 20)
#define PG	4096UL
#define VICTIM	3		/* the page poisoned */

#ifndef MADV_HWPOISON
#define MADV_HWPOISON 100
#endif
#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#define BUS_MCEERR_AO 5
#endif

static volatile sig_atomic_t bus_count, bus_code;
static void *volatile bus_addr;
static sigjmp_buf probe_env;
static volatile sig_atomic_t probing;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	bus_count++;
	bus_code = si->si_code;
	bus_addr = si->si_addr;
	if (probing)
		siglongjmp(probe_env, 1);
}

/* The pfn mapped at @addr, from /proc/self/pagemap (0 if not present). */
static uint64_t pfn_of(void *addr)
{
	uint64_t e;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	ssize_t r;

	if (fd < 0)
		return 0;
	r = pread(fd, &e, sizeof(e), (uintptr_t)addr / PG * sizeof(e));
	close(fd);
	if (r != sizeof(e) || !(e & (1ULL << 63)))
		return 0;
	return e & ((1ULL << 55) - 1);
}

/* Every page of the file but the poisoned one reads back its pattern. */
static int data_intact(int fd)
{
	static char buf[PG];
	unsigned long i, j;

	for (i = 0; i < LEN / PG; i++) {
		if (i == VICTIM)
			continue;
		if (pread(fd, buf, PG, i * PG) != PG)
			return 0;
		for (j = 0; j < PG; j++)
			if (buf[j] != (char)(i == 1 ? 0xa5 : 0x5a))
				return 0;
	}
	return 1;
}

/* What a CPU load of the page does now (reported, not asserted). */
static void probe(char *victim)
{
	bus_count = 0;
	probing = 1;
	if (!sigsetjmp(probe_env, 1))
		printf("# a load of the poisoned page read %#x\n",
		       (unsigned char)*(volatile char *)victim);
	else
		printf("# a load of the poisoned page: SIGBUS, si_code %d\n",
		       (int)bus_code);
	probing = 0;
}

/* Another process (that does not map the file) poisons @pfn. */
static int inject(uint64_t pfn, void *addr)
{
	int status, fd;
	pid_t pid = fork();
	char s[32];

	if (!pid) {
		munmap(addr, LEN);
		fd = open("/sys/kernel/debug/hwpoison/corrupt-pfn", O_WRONLY);
		if (fd < 0)
			_exit(errno);
		snprintf(s, sizeof(s), "%#llx", (unsigned long long)pfn);
		_exit(write(fd, s, strlen(s)) < 0 ? errno : 0);
	}
	/* The SIGBUS comes meanwhile: SA_RESTART, and EINTR to be sure. */
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_RESTART };
	char path[PATH_MAX], *victim;
	struct ibv_context *ctx;
	uint64_t phys, pfn;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	int fd, madv, i, want;
	void *addr;

	if (argc != 4 || !realpath(argv[2], path) ||
	    (strcmp(argv[3], "madvise") && strcmp(argv[3], "inject"))) {
		fprintf(stderr, "usage: poison_pin DEVICE FILE madvise|inject\n");
		return 2;
	}
	madv = !strcmp(argv[3], "madvise");
	alarm(60);
	sigaction(SIGBUS, &sa, NULL);
	addr = open_pd_map("poison_pin", argv[1], path, LEN, &ctx, &pd, &fd);
	victim = (char *)addr + VICTIM * PG;

	check(!fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE),
	      "F_LAYOUT|F_EXCLUSIVE lease taken");
	mr = ibv_reg_mr(pd, addr, LEN, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	check(mr != NULL, "ibv_reg_mr of the whole file under the lease");
	if (!mr) {
		printf("# ibv_reg_mr: %s\n1..%d\n", strerror(errno), n);
		return 1;
	}
	phys = phys_of(fd, VICTIM * PG);
	pfn = pfn_of(victim);
	printf("# page %d: block at byte %#llx, pfn %#llx\n", VICTIM,
	       (unsigned long long)phys, (unsigned long long)pfn);
	check(phys && pfn, "the page's block (FIEMAP) and pfn (pagemap) are known");

	if (madv) {
		i = err_of(madvise(victim, PG, MADV_HWPOISON));
		check(!i, "madvise(MADV_HWPOISON) of a pinned page returns 0");
		want = BUS_MCEERR_AR;
	} else {
		check(!prctl(PR_MCE_KILL, PR_MCE_KILL_SET, PR_MCE_KILL_EARLY, 0, 0),
		      "early kill asked for (PR_MCE_KILL_EARLY)");
		i = inject(pfn, addr);
		if (i)
			printf("# corrupt-pfn: %s\n", i < 0 ? "no exit status" : strerror(i));
		check(!i, "the pfn written to hwpoison/corrupt-pfn by another process");
		for (i = 0; i < 100 && !bus_count; i++)
			usleep(10000);
		want = BUS_MCEERR_AO;
	}
	printf("# SIGBUS %d times, last si_code %d at %p (victim %p)\n",
	       (int)bus_count, (int)bus_code, bus_addr, victim);
	check(bus_count == 1 && bus_code == want && bus_addr == victim,
	      madv ? "the holder got SIGBUS, BUS_MCEERR_AR, at the page" :
		     "the holder got SIGBUS, BUS_MCEERR_AO, at the page");

	/* The memory failure must have changed nothing of the pin. */
	check(file_pins_show(path), "file_pins still lists the file");
	check(in_child(path, 0) == ETXTBSY, "truncate by another process: ETXTBSY");
	check(in_child(path, 1) == ETXTBSY, "hole punch by another process: ETXTBSY");
	check(err_of(fcntl(fd, F_SETLEASE, F_UNLCK)) == EBUSY,
	      "F_UNLCK while registered: EBUSY");
	check(phys_of(fd, VICTIM * PG) == phys, "the poisoned block did not move");
	check(data_intact(fd), "the other pages kept their data");

	probe(victim);

	check(!ibv_dereg_mr(mr), "ibv_dereg_mr");
	check(!file_pins_show(path), "file_pins no longer lists the file");
	check(!fcntl(fd, F_SETLEASE, F_UNLCK), "then the lease is released");
	check(!munmap(addr, LEN) && !close(fd), "munmap and close");
	check(in_child(path, 0) == 0, "and the file can be truncated");
	printf("1..%d\n", n);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return fails ? 1 : 0;
}

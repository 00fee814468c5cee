// SPDX-License-Identifier: GPL-2.0
/*
 * pin_hold [-k] [-r] FILE
 *
 * Holds a long-term pin of the whole of FILE (a file on a DAX filesystem)
 * under the process's unbreakable layout lease, through gup_test's owned
 * long-term pin mode: opens FILE, takes F_LAYOUT | F_EXCLUSIVE, maps it
 * MAP_SHARED, faults every page in by reading it and pins the mapping,
 * for writing or, with -r, for reading only (a read-only mapping of a file
 * opened O_RDONLY: the DAX entries stay clean). Prints "pinned", then reads
 * commands from standard input:
 *   orphan   close FILE and unmap it: only the pin keeps the lease
 *            ("orphaned")
 *   unpin    release the pin and the lease ("unpinned")
 * and exits at the end of its input (the pin goes with the gup_test file).
 * Exits 2 if the lease, the mapping or the pin fails; with -k, a failed pin
 * is reported ("pin failed: ERROR"), the lease released, and the process
 * then sleeps for ever with FILE still mapped, so that the mapping is never
 * torn down (after a raw removal of the device, the test kernel's last
 * step is a reboot, which tears down no process).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gup_test.h"
#include "memspec.h"

int main(int argc, char **argv)
{
	struct pin_longterm_test a = { 0, 0, FLAG_OWNER };
	int ro = 0, keep = 0, fd, gup;
	volatile char *p;
	char line[64];
	struct stat st;
	size_t i;
	int prot = PROT_READ | PROT_WRITE;

	while (argc > 2 && argv[1][0] == '-') {
		if (!strcmp(argv[1], "-r"))
			ro = 1;
		else if (!strcmp(argv[1], "-k"))
			keep = 1;
		else
			break;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: pin_hold [-k] [-r] FILE\n");
		return 2;
	}
	if (ro)
		prot = PROT_READ;
	if (!ro)
		a.flags |= FLAG_WRITE;
	fd = open(argv[argc - 1], ro ? O_RDONLY : O_RDWR);
	gup = open(GUP_TEST, O_RDWR);
	if (fd < 0 || gup < 0 || fstat(fd, &st) || !st.st_size) {
		perror("pin_hold: open");
		return 2;
	}
	if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE)) {
		perror("pin_hold: F_SETLEASE");
		return 2;
	}
	a.size = st.st_size;
	p = mmap(NULL, a.size, prot, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("pin_hold: mmap");
		return 2;
	}
	for (i = 0; i < a.size; i += 4096)
		(void)p[i];
	a.addr = (uintptr_t)p;
	if (ioctl(gup, PIN_LONGTERM_TEST_START, &a)) {
		if (!keep) {
			perror("pin_hold: PIN_LONGTERM_TEST_START");
			return 2;
		}
		printf("pin failed: %s\n", strerror(errno));
		fflush(stdout);
		if (fcntl(fd, F_SETLEASE, F_UNLCK))
			perror("pin_hold: F_UNLCK");
		for (;;)
			pause();
	}
	printf("pinned\n");
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strcmp(line, "orphan\n")) {
			if (close(fd) || munmap((void *)p, a.size)) {
				perror("pin_hold: orphan");
				return 1;
			}
			fd = -1;
			printf("orphaned\n");
		} else if (!strcmp(line, "unpin\n")) {
			if (ioctl(gup, PIN_LONGTERM_TEST_STOP) ||
			    (fd >= 0 && fcntl(fd, F_SETLEASE, F_UNLCK))) {
				perror("pin_hold: unpin");
				return 1;
			}
			printf("unpinned\n");
		} else {
			fprintf(stderr, "pin_hold: unknown command %s", line);
			return 2;
		}
		fflush(stdout);
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * reflink_race [-n ROUNDS] SRC DEST
 *
 * A page of an xfs DAX file whose block is shared with another file
 * (reflink) must never be pinned long term under a layout lease of just one
 * of the two files: a later copy-on-write of that file would leave the pin
 * on the other file's block, which the filesystem may then free.
 *
 * The race: xfs lets reads of the source of a reflink go on while its
 * extents are being shared (the source's locks are demoted). A read fault
 * on an extent not shared yet associates the page with the source alone,
 * and the page stays so once the extent is shared. Here the reflink of the
 * whole of SRC into DEST is held at the kernel's layout_change_delay()
 * point that comes after the source was unmapped and before its extents are
 * shared (CONFIG_LAYOUT_CHANGE_DELAY, configured by the caller with
 * task-filter set; the reflink sleeps first at the point after its lease
 * check, then at this one). Meanwhile a process that has SRC mapped
 * read-only, with no page table entry present, takes F_LAYOUT | F_EXCLUSIVE
 * on SRC and pins the mapping for reading through gup_test's owned
 * long-term pin mode, which faults the pages in.
 *
 * Either the pin must fail with EOPNOTSUPP (the pages are shared by the
 * time it can fault them in) or the reflink with ETXTBSY (it saw the lease
 * before sharing anything); both succeeding is the bug. In every case SRC
 * keeps its data, and DEST holds SRC's data if the reflink succeeded.
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
#include <unistd.h>
#include "gup_test.h"
#include "memspec.h"
#include "race.h"

static const char *src, *dest;
static size_t len;

/*
 * The holder: SRC mapped read-only, nothing faulted in. On "g": lease, read
 * pin; it reports the pin's errno (0: pinned), then holds until go closes.
 */
static pid_t start_holder(int *go_w, int *done_r)
{
	int go[2], done[2];
	pid_t pid;

	pid = fork_holder(go, done);
	if (!pid) {
		struct pin_longterm_test a = { 0, len, FLAG_OWNER };
		int fd, gup, leased = 0, pinned = 0;
		char c;
		void *p;

		fd = open(src, O_RDONLY);
		gup = open(GUP_TEST, O_RDWR);
		if (fd < 0 || gup < 0)
			_exit(2);
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
		if (p == MAP_FAILED)
			_exit(2);
		a.addr = (uintptr_t)p;
		if (write(done[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE)) {
			c = (char)-1;	/* the lease itself failed: setup */
		} else {
			leased = 1;
			pinned = !ioctl(gup, PIN_LONGTERM_TEST_START, &a);
			c = pinned ? 0 : errno;
		}
		if (write(done[1], &c, 1) != 1)
			_exit(2);
		while (read(go[0], &c, 1) > 0)
			;
		if (pinned && ioctl(gup, PIN_LONGTERM_TEST_STOP))
			_exit(1);
		if (leased && fcntl(fd, F_SETLEASE, F_UNLCK))
			_exit(1);
		_exit(0);
	}
	*go_w = go[1];
	*done_r = done[0];
	return pid;
}

/* The reflink, in a child that sleeps at layout_change_delay(). */
static pid_t start_reflink(int out)
{
	char cmd[4096];
	pid_t pid = fork();

	if (pid < 0)
		die_setup("fork");
	if (pid)
		return pid;
	delayed_child_setup(out);
	snprintf(cmd, sizeof(cmd), "reflink %s", src);
	execlp("xfs_io", "xfs_io", "-c", cmd, dest, (char *)NULL);
	_exit(127);
}

/*
 * 1 if @pid sleeps at the delay point after the source was unmapped (in
 * xfs_file_remap_range() itself, not under xfs_reflink_remap_prep()), 0 if
 * not, -1 once it is gone. layout_change_delay() tail-calls msleep().
 */
static int in_remap_delay(pid_t pid)
{
	char buf[4096];

	if (read_stack(pid, buf, sizeof(buf)))
		return -1;
	return strstr(buf, "msleep+") && strstr(buf, "xfs_file_remap_range+") &&
	       !strstr(buf, "xfs_reflink_remap_prep+") &&
	       !strstr(buf, "xfs_ilock2_io_mmap+");
}

static int round_once(int round, const char *before)
{
	char outname[] = "/tmp/reflink_race.XXXXXX", c, *out;
	int go, done, status, out_fd, i, fd, rc = 0, reflinked;
	pid_t holder, change;
	size_t n;

	unlink(dest);
	fd = open(dest, O_CREAT | O_RDWR, 0644);
	if (fd < 0)
		die_setup(dest);
	close(fd);
	holder = start_holder(&go, &done);
	if (read(done, &c, 1) != 1) {
		fprintf(stderr, "setup: the holder could not map %s\n", src);
		return 2;
	}
	out_fd = mkstemp(outname);
	if (out_fd < 0)
		die_setup("mkstemp");
	change = start_reflink(out_fd);
	for (i = 0; i < 20000 && in_remap_delay(change) == 0; i++)
		usleep(1000);
	if (in_remap_delay(change) != 1) {
		out = slurp(outname, &n);
		fprintf(stderr, "setup: the reflink never reached the delay point after the unmap (is the delay configured?): %s",
			out ? out : "\n");
		free(out);
		kill(change, SIGKILL);
		kill(holder, SIGKILL);
		return 2;
	}
	if (write(go, "g", 1) != 1 || read(done, &c, 1) != 1 || c == (char)-1) {
		fprintf(stderr, "setup: holder: lease: failed\n");
		kill(change, SIGKILL);
		kill(holder, SIGKILL);
		return 2;
	}
	for (i = 0; i < 3000 && waitpid(change, &status, WNOHANG) == 0; i++)
		usleep(10000);
	if (i == 3000) {
		printf("round %d: FAIL: the reflink still runs 30 s after the pin\n",
		       round);
		kill(change, SIGKILL);
		waitpid(change, &status, 0);
		rc = 1;
	}
	out = slurp(outname, &n);
	unlink(outname);
	close(out_fd);
	/* xfs_io reports a failed command but exits 0: read what it says. */
	reflinked = !rc && WIFEXITED(status) && !WEXITSTATUS(status) && out &&
		    strstr(out, "linked ");
	if (!rc && !reflinked && !(out && strstr(out, "Text file busy"))) {
		printf("round %d: FAIL: the reflink neither succeeded nor failed with ETXTBSY: %s",
		       round, out ? out : "\n");
		rc = 1;
	} else if (!rc && reflinked && !c) {
		printf("round %d: FAIL: the read pin under %s's lease succeeded on blocks the reflink shared with %s\n",
		       round, src, dest);
		rc = 1;
	} else if (!rc && reflinked && c != EOPNOTSUPP) {
		printf("round %d: FAIL: the pin failed with %s, not EOPNOTSUPP\n",
		       round, strerror(c));
		rc = 1;
	} else if (!rc && !reflinked && c) {
		printf("round %d: FAIL: the reflink failed with ETXTBSY, yet the pin failed too (%s)\n",
		       round, strerror(c));
		rc = 1;
	}
	if (!same_contents(src, before, len)) {
		printf("round %d: FAIL: the size or data of %s changed\n", round, src);
		rc = 1;
	}
	if (reflinked && !same_contents(dest, before, len)) {
		printf("round %d: FAIL: %s does not hold %s's data after the reflink\n",
		       round, dest, src);
		rc = 1;
	}
	if (!rc)
		printf("round %d: %s, %s\n", round,
		       reflinked ? "reflinked" : "reflink: ETXTBSY",
		       c ? "pin refused (EOPNOTSUPP)" : "pinned");
	free(out);
	return end_holder(holder, go, done, round, rc);
}

int main(int argc, char **argv)
{
	int rounds = 2, opt, i, rc = 0;
	struct stat st;
	char *before;
	size_t n;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n')
			rounds = atoi(optarg);
		else
			return 2;
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: reflink_race [-n ROUNDS] SRC DEST\n");
		return 2;
	}
	src = argv[optind];
	dest = argv[optind + 1];
	if (stat(src, &st) || !st.st_size)
		die_setup(src);
	len = st.st_size;
	before = slurp(src, &n);
	if (!before || n != len)
		die_setup("read SRC");
	for (i = 1; i <= rounds && !rc; i++)
		rc = round_once(i, before);
	free(before);
	unlink(dest);
	printf("%s: %d rounds, %s\n", src, i - 1, rc ? "FAILED" : "passed");
	return rc;
}

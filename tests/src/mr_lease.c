// SPDX-License-Identifier: GPL-2.0
/*
 * mr_lease DEVICE FILE [kill-low|kill-high|orphan|inflight]
 *
 * Contract D and E for one RDMA device and one file on a DAX filesystem
 * (FILE must exist, 1 MiB or more, and nothing may hold a lease on it):
 * ibv_reg_mr over a MAP_SHARED mapping of FILE fails with EOPNOTSUPP
 * without a layout lease and with a breakable one, succeeds under
 * F_LAYOUT | F_EXCLUSIVE; while registered, truncate and hole punch by
 * another process fail with ETXTBSY, by the holder with EDEADLK, F_UNLCK
 * with EBUSY, and /proc/self/file_pins lists FILE under the uverbs
 * descriptor; close() of the leased fd and munmap() succeed and change none
 * of that; ibv_dereg_mr() releases it all. Prints TAP, exits 0 if every
 * check passed.
 *
 * With kill-low or kill-high, registers (the leased fd numbered below or
 * above the uverbs fd), prints "pinned" and waits to be killed.
 *
 * With orphan, registers, unmaps and closes FILE (only the pins keep its
 * lease), prints "pinned" and waits to be killed (at most 240 s).
 *
 * With inflight, registers, forks a child that keeps only the receiving end
 * of a unix socket pair, sends the uverbs fd to it with SCM_RIGHTS (never
 * received), prints "inflight CHILD-PID" and exits: the pins are then held
 * through a uverbs file that no process has open, until the child is
 * killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <infiniband/verbs.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include "filetest.h"
#include "ibdev.h"
#include "memspec.h"		/* F_LAYOUT, F_EXCLUSIVE */

#define LEN	(1UL << 20)

/*
 * Send @fd over the unix socket @sock with SCM_RIGHTS (@fd >= 0), or
 * receive one there (@fd < 0, the descriptor is left open): 0, or -1.
 */
static int pass_fd(int sock, int fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr msg = { 0 };
	struct iovec iov;
	char c = 'x';

	iov.iov_base = &c;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	if (fd < 0)
		return recvmsg(sock, &msg, 0) == 1 ? 0 : -1;
	u.hdr.cmsg_len = CMSG_LEN(sizeof(int));
	u.hdr.cmsg_level = SOL_SOCKET;
	u.hdr.cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(&u.hdr), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == 1 ? 0 : -1;
}

/*
 * A child that inherited the uverbs fd, and a process that received it by
 * SCM_RIGHTS (and holds no other descriptor): does file_pins show the pins
 * in each? 1 if both do.
 */
static int pins_follow_the_fd(int uverbs_fd, const char *path)
{
	int sv[2], status, fd, ok;
	pid_t pid;

	pid = fork();
	if (!pid)
		_exit(!file_pins_show(path));
	ok = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	     !WEXITSTATUS(status);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	pid = fork();
	if (!pid) {
		for (fd = 3; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		/* Nothing pinned through this process's descriptors yet. */
		if (file_pins_show(path) || pass_fd(sv[1], -1))
			_exit(1);
		_exit(!file_pins_show(path));
	}
	close(sv[1]);
	if (pid < 0 || pass_fd(sv[0], uverbs_fd))
		ok = 0;
	close(sv[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		ok = 0;
	return ok;
}

/*
 * Leave the uverbs fd in flight in a socket whose receiving end only a
 * child holds; return the child's pid, or -1.
 */
static pid_t leave_in_flight(int uverbs_fd)
{
	int sv[2], fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return -1;
	pid = fork();
	if (!pid) {
		for (fd = 0; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		for (;;)
			pause();
	}
	close(sv[1]);
	if (pid > 0 && pass_fd(sv[0], uverbs_fd)) {
		kill(pid, SIGKILL);
		pid = -1;
	}
	return pid;
}

static struct ibv_mr *reg(struct ibv_pd *pd, void *addr)
{
	return ibv_reg_mr(pd, addr, LEN, IBV_ACCESS_LOCAL_WRITE |
			  IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
}

int main(int argc, char **argv)
{
	struct ibv_context *ctx;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	char path[PATH_MAX];
	void *addr;
	int fd;

	if (argc < 3 || !realpath(argv[2], path)) {
		fprintf(stderr, "usage: mr_lease DEVICE FILE [kill-low|kill-high|orphan|inflight]\n");
		return 2;
	}
	alarm(60);
	if (argc == 4) {
		/* fd numbering: the lease fd below or above the uverbs fd. */
		fd = argv[3][5] == 'l' ? open(path, O_RDWR) : -1;
		ctx = open_dev(argv[1]);
		if (fd < 0)
			fd = open(path, O_RDWR);
		pd = ctx ? ibv_alloc_pd(ctx) : NULL;
		addr = fd < 0 ? MAP_FAILED : mmap(NULL, LEN, PROT_READ | PROT_WRITE,
						  MAP_SHARED, fd, 0);
		if (!pd || addr == MAP_FAILED ||
		    fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE) || !reg(pd, addr)) {
			perror("mr_lease");
			return 2;
		}
		if (argv[3][0] == 'i') {
			pid_t child;

			/*
			 * Unmapped and closed first: the child inherits neither,
			 * and only the pins keep the lease (orphaned).
			 */
			if (munmap(addr, LEN) || close(fd)) {
				perror("mr_lease: munmap, close");
				return 2;
			}
			child = leave_in_flight(ctx->cmd_fd);

			if (child < 0) {
				perror("mr_lease: in flight");
				return 2;
			}
			printf("inflight %d\n", (int)child);
			fflush(stdout);
			/* Exit without closing: the child keeps the pins. */
			_exit(0);
		}
		if (argv[3][0] == 'o') {
			if (munmap(addr, LEN) || close(fd)) {
				perror("mr_lease: munmap, close");
				return 2;
			}
			alarm(240);
		}
		printf("pinned\n");
		fflush(stdout);
		pause();
		return 2;
	}

	addr = open_pd_map("mr_lease", argv[1], path, LEN, &ctx, &pd, &fd);

	mr = reg(pd, addr);
	check(!mr && errno == EOPNOTSUPP, "ibv_reg_mr without a lease: EOPNOTSUPP");
	check(!fcntl(fd, F_SETLEASE, F_LAYOUT), "breakable layout lease taken");
	mr = reg(pd, addr);
	check(!mr && errno == EOPNOTSUPP,
	      "ibv_reg_mr under a breakable lease: EOPNOTSUPP");
	check(!fcntl(fd, F_SETLEASE, F_UNLCK), "breakable lease released");
	check(!fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE),
	      "F_LAYOUT|F_EXCLUSIVE lease taken");
	mr = reg(pd, addr);
	check(mr != NULL, "ibv_reg_mr under the lease succeeds");
	if (!mr) {
		fprintf(stderr, "# ibv_reg_mr: %s\n", strerror(errno));
		printf("1..%d\n", n);
		return 1;
	}
	check(file_pins_show(path), "/proc/self/file_pins: uverbs fd, then the file");
	check(pins_follow_the_fd(ctx->cmd_fd, path),
	      "file_pins of a forked child and of an SCM_RIGHTS receiver show them too");
	check(in_child(path, 0) == ETXTBSY, "truncate by another process: ETXTBSY");
	check(in_child(path, 1) == ETXTBSY, "hole punch by another process: ETXTBSY");
	check(err_of(ftruncate(fd, 0)) == EDEADLK, "truncate by the holder: EDEADLK");
	check(err_of(fcntl(fd, F_SETLEASE, F_UNLCK)) == EBUSY,
	      "F_UNLCK while registered: EBUSY");
	check(!close(fd) && !munmap(addr, LEN), "close() and munmap() succeed");
	check(in_child(path, 0) == ETXTBSY,
	      "orphaned lease: truncate by another process still ETXTBSY");
	check(file_pins_show(path), "orphaned lease: file_pins still lists the file");
	check(!ibv_dereg_mr(mr), "ibv_dereg_mr");
	check(!file_pins_show(path), "file_pins no longer lists the file");
	check(in_child(path, 1) == 0, "hole punch succeeds");
	check(in_child(path, 0) == 0, "truncate succeeds");
	printf("1..%d\n", n);
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	return fails ? 1 : 0;
}

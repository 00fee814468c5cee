// SPDX-License-Identifier: GPL-2.0
/*
 * layout-lease - run a command while holding a layout lease on a file
 *
 * In the spirit of flock(1): takes fcntl(F_SETLEASE, F_LAYOUT) (or, with
 * --exclusive, the unbreakable F_LAYOUT | F_EXCLUSIVE) on FILE and runs
 * COMMAND while holding it, so that an unmodified program (a verbs
 * application that mmaps FILE and registers it as an RDMA memory region)
 * runs under the lease.
 *
 * --exclusive: the lease is taken on a descriptor that stays open across
 * exec(2), and COMMAND replaces this process: it then holds the lease
 * itself (long-term pins of fsdax pages need the lease in the pinning
 * process), and the lease ends when COMMAND exits.
 * Breakable: this process keeps the lease and waits for COMMAND; when
 * another process is about to change the file's layout it gets SIGIO,
 * says so and releases the lease.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef F_LAYOUT
#define F_LAYOUT	0x100
#define F_EXCLUSIVE	0x200
#endif

static volatile sig_atomic_t broken;

static void usage(FILE *out, int status)
{
	fputs("Usage:\n"
	      " layout-lease [options] <file> <command> [<argument>...]\n\n"
	      "Run a command while holding a layout lease on a file.\n\n"
	      "Options:\n"
	      " -x, --exclusive   take an unbreakable lease (F_LAYOUT|F_EXCLUSIVE);\n"
	      "                   the command runs in this process and holds it\n"
	      " -w, --write       open the file read-write (default: read-only)\n"
	      " -q, --quiet       no message when a breakable lease is broken\n"
	      " -h, --help        display this help\n\n"
	      "While an unbreakable lease is held, truncate, hole punch and other\n"
	      "operations that free or move the file's blocks fail with ETXTBSY.\n"
	      "A breakable lease is released when another process is about to\n"
	      "change the file's layout.\n\n"
	      "Exit status: the command's, or 64 for usage errors, 65 when the\n"
	      "lease cannot be taken, 66 when the command cannot be run.\n", out);
	exit(status);
}

static const char *lease_error(int err)
{
	switch (err) {
	case EINVAL:
		return "layout leases are not supported for this file (filesystem without layout lease support, or not a regular file)";
	case EACCES:
		return "permission denied: only the file's owner or a process with CAP_LEASE may take a lease";
	case EAGAIN:
		return "a conflicting lease exists on the file, or one of its leases is being broken";
	case ENOLCK:
		return "no lease could be allocated";
	case ENOMEM:
		return "out of memory";
	default:
		return strerror(err);
	}
}

static void on_sigio(int sig)
{
	(void)sig;
	broken = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "exclusive", no_argument, NULL, 'x' },
		{ "write", no_argument, NULL, 'w' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int exclusive = 0, mode = O_RDONLY, quiet = 0, fd, c, status;
	struct sigaction sa = { .sa_handler = on_sigio };
	pid_t pid;

	while ((c = getopt_long(argc, argv, "+xwqh", opts, NULL)) != -1) {
		switch (c) {
		case 'x': exclusive = 1; break;
		case 'w': mode = O_RDWR; break;
		case 'q': quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		default: usage(stderr, 64);
		}
	}
	if (argc - optind < 2)
		usage(stderr, 64);

	fd = open(argv[optind], mode | (exclusive ? 0 : O_CLOEXEC));
	if (fd < 0) {
		fprintf(stderr, "layout-lease: cannot open %s: %s\n", argv[optind],
			strerror(errno));
		return 65;
	}
	if (!exclusive) {
		sigemptyset(&sa.sa_mask);
		sigaction(SIGIO, &sa, NULL);
	}
	if (fcntl(fd, F_SETLEASE, F_LAYOUT | (exclusive ? F_EXCLUSIVE : 0))) {
		fprintf(stderr, "layout-lease: %s: %s\n", argv[optind],
			lease_error(errno));
		return 65;
	}
	if (exclusive) {
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "layout-lease: cannot run %s: %s\n",
			argv[optind + 1], strerror(errno));
		return 66;
	}

	pid = fork();
	if (pid < 0) {
		perror("layout-lease: fork");
		return 66;
	}
	if (pid == 0) {
		signal(SIGIO, SIG_DFL);
		execvp(argv[optind + 1], argv + optind + 1);
		fprintf(stderr, "layout-lease: cannot run %s: %s\n",
			argv[optind + 1], strerror(errno));
		_exit(66);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("layout-lease: waitpid");
			return 66;
		}
		if (broken == 1) {
			broken = 2;
			if (!quiet)
				fprintf(stderr, "layout-lease: %s: the layout is about to change, releasing the lease\n",
					argv[optind]);
			fcntl(fd, F_SETLEASE, F_UNLCK);
		}
	}
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * file-pins - show which processes pin files long term
 *
 * For an administrator whose truncate failed with ETXTBSY: reads every
 * /proc/<pid>/file_pins and lists the pinned files (or only FILE) with the
 * process, its command name and the descriptor through which they are
 * pinned (an RDMA context, say). Killing that process, or closing the
 * descriptor (ibv_dereg_mr), releases the pins and, with them, the layout
 * lease that refuses the truncate.
 *
 * A file pinned through an owner that no process has open (its uverbs file
 * in flight in a unix socket, or an io_uring fixed file) is in no
 * file_pins: with root's access to /proc/fs/file_pins, it is listed with
 * FD "-" and the process that pinned it ("-" if it has exited), and a note
 * on standard error says where to look. Files are matched by path: a file
 * that a process's file_pins lists is not looked up there, so pins of it
 * held through no open file show once those processes have let it go.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void usage(FILE *out, int status)
{
	fputs("Usage:\n"
	      " file-pins [options] [<file>]\n\n"
	      "Show the processes that pin files long term (RDMA memory regions\n"
	      "over files on a DAX filesystem), and through which descriptor.\n"
	      "With <file>, only the pins of that file.\n\n"
	      "Options:\n"
	      " -n, --noheadings  don't print a header line\n"
	      " -h, --help        display this help\n\n"
	      "Columns: PID, COMMAND, FD (the pinning descriptor), OWNER (its\n"
	      "file), FILE (the pinned file). FD \"-\": pinned through an owner\n"
	      "that no process has open (PID: the process that pinned it).\n\n"
	      "Exit status: 0 if something is pinned (<file>, or any file), 1 if\n"
	      "nothing is, 2 on errors. Processes whose file_pins cannot be read\n"
	      "(another user's, without root) are reported on standard error.\n",
	      out);
	exit(status);
}

static void comm_of(const char *pid, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f = NULL;

	if (snprintf(path, sizeof(path), "/proc/%s/comm", pid) < (int)sizeof(path))
		f = fopen(path, "r");
	if (!f || !fgets(buf, size, f))
		snprintf(buf, size, "?");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

/* Is @path (a line of file_pins) the file @want identifies? */
static int same_file(const char *path, const struct stat *want)
{
	struct stat st;

	return !stat(path, &st) && st.st_dev == want->st_dev &&
	       st.st_ino == want->st_ino;
}

/* Undo the octal escapes of /proc/fs/file_pins (\ooo), in place. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* Pinned files that some process's file_pins listed */
static char **seen;
static size_t nr_seen;

static void see(const char *path)
{
	char **n = realloc(seen, (nr_seen + 1) * sizeof(*seen));

	if (!n || !(n[nr_seen] = strdup(path))) {
		perror("file-pins");
		exit(2);
	}
	unescape(n[nr_seen]);
	seen = n;
	nr_seen++;
}

static int was_seen(const char *path)
{
	size_t i;

	for (i = 0; i < nr_seen; i++)
		if (!strcmp(seen[i], path))
			return 1;
	return 0;
}

/*
 * The pins of /proc/fs/file_pins held through an owner that no process
 * listed: "<file>\t<pid>\t<comm>\t<owner>". Returns how many it printed.
 */
static int unlisted(const struct stat *want, int *found, int headings)
{
	char line[3 * PATH_MAX + 128];
	int n = 0;
	FILE *f = fopen("/proc/fs/file_pins", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *field[4], *p = line;
		char *file, *pid, *comm, *owner;
		int i;

		/* Four fields, tab separated; a command name may be empty. */
		line[strcspn(line, "\n")] = '\0';
		for (i = 0; i < 4 && p; i++)
			field[i] = strsep(&p, "\t");
		if (i < 4 || !field[3])
			continue;
		file = field[0];
		pid = field[1];
		comm = field[2];
		owner = field[3];
		unescape(file);
		unescape(comm);
		unescape(owner);
		if ((want && !same_file(file, want)) || was_seen(file))
			continue;
		if (!(*found)++ && headings)
			printf("%-7s %-16s %4s %-28s %s\n", "PID",
			       "COMMAND", "FD", "OWNER", "FILE");
		printf("%-7s %-16s %4s %-28s %s\n", pid, comm, "-", owner,
		       file);
		n++;
	}
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "noheadings", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, headings = 1, found = 0, denied = 0;
	struct stat want;
	struct dirent *d;
	DIR *proc;

	while ((c = getopt_long(argc, argv, "nh", opts, NULL)) != -1) {
		if (c == 'n')
			headings = 0;
		else
			usage(c == 'h' ? stdout : stderr, c == 'h' ? 0 : 2);
	}
	if (argc - optind > 1)
		usage(stderr, 2);
	if (optind < argc && stat(argv[optind], &want)) {
		fprintf(stderr, "file-pins: %s: %s\n", argv[optind],
			strerror(errno));
		return 2;
	}
	proc = opendir("/proc");
	if (!proc) {
		perror("file-pins: /proc");
		return 2;
	}
	while ((d = readdir(proc))) {
		char path[PATH_MAX + 32], line[PATH_MAX + 32], owner[PATH_MAX + 32];
		char comm[64];
		long fd = -1;
		FILE *f;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		if (snprintf(path, sizeof(path), "/proc/%s/file_pins",
			     d->d_name) >= (int)sizeof(path))
			continue;
		f = fopen(path, "r");
		if (!f) {
			if (errno == EACCES || errno == EPERM)
				denied++;
			continue;
		}
		comm[0] = '\0';
		while (fgets(line, sizeof(line), f)) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] != '\t') {
				char *colon = strchr(line, ':');

				fd = colon ? strtol(line, NULL, 10) : -1;
				snprintf(owner, sizeof(owner), "%s",
					 colon ? colon + 2 : "?");
				continue;
			}
			if (optind < argc && !same_file(line + 1, &want))
				continue;
			if (!comm[0])
				comm_of(d->d_name, comm, sizeof(comm));
			if (!found++ && headings)
				printf("%-7s %-16s %4s %-28s %s\n", "PID",
				       "COMMAND", "FD", "OWNER", "FILE");
			printf("%-7s %-16s %4ld %-28s %s\n", d->d_name, comm,
			       fd, owner, line + 1);
			see(line + 1);
		}
		fclose(f);
	}
	closedir(proc);
	if (unlisted(optind < argc ? &want : NULL, &found, headings))
		fputs("file-pins: FD \"-\": no process has the owner open. It may be in\n"
		      "  flight in a unix socket (sent with SCM_RIGHTS, not received yet:\n"
		      "  \"ss -xp\" shows the sockets with data queued), an io_uring fixed\n"
		      "  file (/proc/<pid>/fdinfo/<io_uring fd> lists them), or being\n"
		      "  released. Closing that socket or io_uring instance, or ending its\n"
		      "  process, releases the pins.\n", stderr);
	if (denied)
		fprintf(stderr, "file-pins: %d processes not inspected (no access to their file_pins)\n",
			denied);
	return found ? 0 : 1;
}

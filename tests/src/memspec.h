/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Map the memory a test registers or pins, from a spec string:
 *   anon             private anonymous memory
 *   file:PATH        MAP_SHARED mapping of PATH (created or extended to SIZE)
 *   leased:PATH      the same, under an unbreakable layout lease
 *                    (F_LAYOUT | F_EXCLUSIVE) that the mapping process takes
 *   devdax:PATH      MAP_SHARED mapping of a device-dax character device
 */
#ifndef MEMSPEC_H
#define MEMSPEC_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

struct memspec {
	void *addr;
	size_t len;
	int fd;			/* file or device, -1 for anon */
	const char *path;
};

#define DEVDAX_ALIGN (2UL << 20)
#ifndef F_SETLEASE
#define F_SETLEASE	1024
#endif
#ifndef F_LAYOUT
#define F_LAYOUT	0x100
#endif
#ifndef F_EXCLUSIVE
#define F_EXCLUSIVE	0x200
#endif

/*
 * Returns 0, or -1 with a message on stderr. Fills the mapping with @fill,
 * unless @fill is negative (the contents are kept).
 */
static inline int memspec_map(const char *spec, size_t len, int fill,
			      struct memspec *m)
{
	struct stat st;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	m->len = len;
	if (!strcmp(spec, "anon")) {
		m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (!strncmp(spec, "file:", 5) || !strncmp(spec, "leased:", 7)) {
		int leased = spec[0] == 'l';

		m->path = strchr(spec, ':') + 1;
		m->fd = open(m->path, O_RDWR | O_CREAT, 0644);
		/* Only extend: a size change of a leased file is refused. */
		if (m->fd < 0 || fstat(m->fd, &st) ||
		    ((size_t)st.st_size < len && ftruncate(m->fd, len))) {
			fprintf(stderr, "%s: %s\n", m->path, strerror(errno));
			return -1;
		}
		if (leased && fcntl(m->fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE)) {
			fprintf(stderr, "%s: F_SETLEASE F_LAYOUT|F_EXCLUSIVE: %s\n",
				m->path, strerror(errno));
			return -1;
		}
		m->addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       m->fd, 0);
	} else if (!strncmp(spec, "devdax:", 7)) {
		m->path = spec + 7;
		m->len = (len + DEVDAX_ALIGN - 1) & ~(DEVDAX_ALIGN - 1);
		m->fd = open(m->path, O_RDWR);
		if (m->fd < 0) {
			fprintf(stderr, "%s: %s\n", m->path, strerror(errno));
			return -1;
		}
		m->addr = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_SHARED,
			       m->fd, 0);
	} else {
		fprintf(stderr, "bad memory spec '%s'\n", spec);
		return -1;
	}
	if (m->addr == MAP_FAILED) {
		fprintf(stderr, "mmap %s: %s\n", spec, strerror(errno));
		return -1;
	}
	if (fill >= 0)
		memset(m->addr, fill, m->len);
	return 0;
}

/* errno value from a name such as "EOPNOTSUPP", or "ok" for 0; -1 if unknown. */
static inline int errno_from_name(const char *s)
{
	static const struct { const char *n; int e; } t[] = {
		{ "ok", 0 }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EFAULT", EFAULT },
		{ "EINVAL", EINVAL }, { "EPERM", EPERM }, { "ENOMEM", ENOMEM },
		{ "EBUSY", EBUSY }, { "ETXTBSY", ETXTBSY }, { "EDEADLK", EDEADLK },
		{ "EACCES", EACCES }, { "EAGAIN", EAGAIN },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].n))
			return t[i].e;
	return -1;
}

#endif

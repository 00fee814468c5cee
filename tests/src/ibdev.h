/* SPDX-License-Identifier: GPL-2.0 */
/* Open an RDMA device by name (rxe0, siw0). */
#ifndef IBDEV_H
#define IBDEV_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <infiniband/verbs.h>

/* The opened device called @name, or NULL. */
static inline struct ibv_context *open_dev(const char *name)
{
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	int i, nd;

	list = ibv_get_device_list(&nd);
	for (i = 0; list && i < nd; i++)
		if (!strcmp(ibv_get_device_name(list[i]), name))
			ctx = ibv_open_device(list[i]);
	if (list)
		ibv_free_device_list(list);
	return ctx;
}

/*
 * Open device @name and a PD on it, open @path read-write and map its first
 * @len bytes shared: the mapping; on failure, a message and exit(2).
 */
static inline void *open_pd_map(const char *prog, const char *name,
				const char *path, size_t len,
				struct ibv_context **ctx, struct ibv_pd **pd,
				int *fd)
{
	void *addr;

	*ctx = open_dev(name);
	*pd = *ctx ? ibv_alloc_pd(*ctx) : NULL;
	*fd = open(path, O_RDWR);
	if (!*pd || *fd < 0) {
		fprintf(stderr, "%s: no device %s or %s: %s\n", prog, name,
			path, strerror(errno));
		exit(2);
	}
	addr = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, *fd, 0);
	if (addr == MAP_FAILED) {
		perror(prog);
		exit(2);
	}
	return addr;
}

#endif

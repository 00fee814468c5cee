// SPDX-License-Identifier: GPL-2.0
/*
 * reg_mr DEVICE MEMSPEC SIZE EXPECT
 *
 * Register MEMSPEC (see memspec.h) as a memory region on the RDMA device
 * DEVICE with local and remote read/write access (the contents are left
 * as they are), and check the result
 * against EXPECT ("ok" or an errno name such as EOPNOTSUPP). Exit 0 when the
 * result is the expected one, 1 otherwise, 2 on a setup error.
 */
#include <infiniband/verbs.h>
#include "memspec.h"

int main(int argc, char **argv)
{
	struct ibv_device **list;
	struct ibv_context *ctx = NULL;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	struct memspec m;
	int want, got, n, i;

	if (argc != 5 || (want = errno_from_name(argv[4])) < 0) {
		fprintf(stderr, "usage: reg_mr DEVICE MEMSPEC SIZE ok|ERRNO\n");
		return 2;
	}
	list = ibv_get_device_list(&n);
	for (i = 0; list && i < n; i++)
		if (!strcmp(ibv_get_device_name(list[i]), argv[1]))
			ctx = ibv_open_device(list[i]);
	if (!ctx) {
		fprintf(stderr, "no RDMA device %s\n", argv[1]);
		return 2;
	}
	pd = ibv_alloc_pd(ctx);
	if (!pd || memspec_map(argv[2], strtoul(argv[3], NULL, 0), -1, &m))
		return 2;

	mr = ibv_reg_mr(pd, m.addr, m.len, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	got = mr ? 0 : errno;
	printf("ibv_reg_mr(%s, %s, %zu): %s (expected %s)\n", argv[1], argv[2],
	       m.len, got ? strerror(got) : "ok", argv[4]);
	if (mr && ibv_dereg_mr(mr)) {
		perror("ibv_dereg_mr");
		return 1;
	}
	ibv_dealloc_pd(pd);
	ibv_close_device(ctx);
	ibv_free_device_list(list);
	return got == want ? 0 : 1;
}

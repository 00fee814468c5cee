// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_flush IP FILE SIZE [nolease|legacy]
 *
 * RDMA FLUSH (IBTA 1.5, rxe) into a file on a DAX filesystem. The server
 * (this process) binds to IP over RDMA CM, shows whether the device offers
 * FLUSH to persistence (ibv_query_device_ex), maps the first SIZE bytes of
 * FILE shared, takes the unbreakable layout lease F_LAYOUT | F_EXCLUSIVE,
 * writes a first pattern with write(2) and registers the mapping with
 * IBV_ACCESS_FLUSH_PERSISTENT; once connected it lets its queue pair take
 * FLUSH to persistence. A child process connects with a queue pair made by
 * rdma_create_qp_ex() for RDMA WRITE and FLUSH, RDMA-WRITEs a second
 * pattern over the region and FLUSHes the written range to persistence
 * (IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE) in the same batch of work
 * requests; both complete successfully, in order. The server then checks
 * the pattern in its mapping and through pread(2) of the file.
 *
 * nolease: FILE mapped without the lease; the registration must fail with
 * EOPNOTSUPP (a long-term pin of fsdax pages needs the lease).
 * legacy: FILE on legacy pmem (memmap=, "Persistent Memory (legacy)" in
 * /proc/iomem); under the lease the registration with FLUSH_PERSISTENT
 * must fail with EINVAL (rxe takes only pages of an
 * IORES_DESC_PERSISTENT_MEMORY resource, ACPI NFIT pmem), while the same
 * registration without it succeeds.
 *
 * Exit 0 when every check passed, 1 on a failed check, 2 on setup errors.
 */
#include <arpa/inet.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>
#include <signal.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>
#include "cm.h"
#include "memspec.h"

#define PORT 7475

/*
 * The kernel's IB_UVERBS_DEVICE_FLUSH_GLOBAL and _PERSISTENT bits of
 * device_cap_flags_ex (include/uapi/rdma/ib_user_verbs.h): rdma-core's
 * public headers give them no name.
 */
#define DEVICE_FLUSH_GLOBAL		(1ULL << 38)
#define DEVICE_FLUSH_PERSISTENT		(1ULL << 39)

#define MR_ACCESS	(IBV_ACCESS_LOCAL_WRITE | IBV_ACCESS_REMOTE_WRITE | \
			 IBV_ACCESS_REMOTE_READ)

enum mode { MODE_FLUSH, MODE_NOLEASE, MODE_LEGACY };

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 13 + (i >> 12) * 7 + 0xa5);
}

/* What the server writes first, with write(2). */
static unsigned char first_pattern(size_t i)
{
	return (unsigned char)~pattern(i * 5);
}

/*
 * The next completion on @cq within 20 s: 0 if it is successful, of
 * @opcode and work request @wr_id; else -1 with a message.
 */
static int poll_wc(struct ibv_cq *cq, uint64_t wr_id, enum ibv_wc_opcode opcode,
		   const char *what)
{
	struct ibv_wc wc;
	time_t end = time(NULL) + 20;
	int n;

	while ((n = ibv_poll_cq(cq, 1, &wc)) == 0 && time(NULL) < end)
		usleep(100);
	if (n != 1) {
		fprintf(stderr, "client: %s: no completion\n", what);
		return -1;
	}
	if (wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "client: %s: %s (vendor error 0x%x)\n", what,
			ibv_wc_status_str(wc.status), wc.vendor_err);
		return -1;
	}
	if (wc.wr_id != wr_id || wc.opcode != opcode) {
		fprintf(stderr, "client: %s: completion of work request %llu, opcode %d; ",
			what, (unsigned long long)wc.wr_id, wc.opcode);
		fprintf(stderr, "expected %llu, opcode %d\n",
			(unsigned long long)wr_id, opcode);
		return -1;
	}
	return 0;
}

/*
 * The client: connect, wait for the server's word on @go that its queue
 * pair takes FLUSH, post an RDMA WRITE of the pattern over the whole region
 * and a FLUSH to persistence of that range, and check both completions.
 * Reports on @done when that is over.
 */
static int client(struct sockaddr_in *sin, size_t len, int go, int done)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct ibv_qp_init_attr_ex attr = { 0 };
	struct rdma_cm_id *id;
	struct region_info ri;
	struct ibv_qp_ex *qpx;
	struct ibv_mr *src;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	unsigned char *a;
	size_t i;
	char c;
	int err;

	id = cm_resolve(ch, sin);
	if (!id)
		return 2;
	a = malloc(len);
	if (!a)
		return 2;
	for (i = 0; i < len; i++)
		a[i] = pattern(i);
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	src = pd ? ibv_reg_mr(pd, a, len, IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!cq || !src) {
		perror("client verbs setup");
		return 2;
	}
	attr.qp_type = IBV_QPT_RC;
	attr.send_cq = cq;
	attr.recv_cq = cq;
	attr.cap.max_send_wr = 4;
	attr.cap.max_recv_wr = 4;
	attr.cap.max_send_sge = 1;
	attr.cap.max_recv_sge = 1;
	attr.comp_mask = IBV_QP_INIT_ATTR_PD | IBV_QP_INIT_ATTR_SEND_OPS_FLAGS;
	attr.pd = pd;
	attr.send_ops_flags = IBV_QP_EX_WITH_RDMA_WRITE | IBV_QP_EX_WITH_FLUSH;
	if (rdma_create_qp_ex(id, &attr)) {
		perror("client: rdma_create_qp_ex with RDMA WRITE and FLUSH");
		return 2;
	}
	qpx = ibv_qp_to_qp_ex(id->qp);
	if (!qpx) {
		fprintf(stderr, "client: no extended queue pair\n");
		return 2;
	}
	if (cm_connect(ch, id, &ri, len))
		return 2;
	if (read(go, &c, 1) != 1)	/* EOF: the server failed */
		return 2;

	ibv_wr_start(qpx);
	qpx->wr_id = 1;
	qpx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_rdma_write(qpx, ri.rkey, ri.addr);
	ibv_wr_set_sge(qpx, src->lkey, (uintptr_t)a, len);
	qpx->wr_id = 2;
	qpx->wr_flags = IBV_SEND_SIGNALED;
	ibv_wr_flush(qpx, ri.rkey, ri.addr, len, IBV_FLUSH_PERSISTENT,
		     IBV_FLUSH_RANGE);
	err = ibv_wr_complete(qpx);
	if (err) {
		fprintf(stderr, "client: ibv_wr_complete: %s\n", strerror(err));
		return 1;
	}
	if (poll_wc(cq, 1, IBV_WC_RDMA_WRITE, "RDMA WRITE"))
		return 1;
	printf("client: RDMA WRITE of %zu bytes completed\n", len);
	if (poll_wc(cq, 2, IBV_WC_FLUSH, "FLUSH"))
		return 1;
	printf("client: flush completed (IBV_FLUSH_PERSISTENT, IBV_FLUSH_RANGE, %zu bytes)\n",
	       len);
	fflush(stdout);
	if (write(done, "d", 1) != 1)
		return 2;
	rdma_disconnect(id);
	return 0;
}

/* Show the device's FLUSH capabilities: 1 if it offers FLUSH_PERSISTENT. */
static int flush_caps(struct ibv_context *ctx)
{
	struct ibv_device_attr_ex attr;
	int err = ibv_query_device_ex(ctx, NULL, &attr);
	uint64_t f;

	if (err) {
		fprintf(stderr, "server: ibv_query_device_ex: %s\n", strerror(err));
		return 0;
	}
	f = attr.device_cap_flags_ex;
	printf("server: %s device_cap_flags_ex 0x%llx: FLUSH_GLOBAL %s, FLUSH_PERSISTENT %s\n",
	       ibv_get_device_name(ctx->device), (unsigned long long)f,
	       f & DEVICE_FLUSH_GLOBAL ? "yes" : "no",
	       f & DEVICE_FLUSH_PERSISTENT ? "yes" : "no");
	return !!(f & DEVICE_FLUSH_PERSISTENT);
}

/* The first pattern into the file with write(2): 0, or -1. */
static int fill_first(struct memspec *m, size_t len)
{
	unsigned char *buf = malloc(len);
	size_t i;

	if (!buf)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = first_pattern(i);
	if (pwrite(m->fd, buf, len, 0) != (ssize_t)len) {
		perror("pwrite");
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
}

/*
 * The modes in which the registration must fail: @m mapped without the
 * lease (nolease, EOPNOTSUPP) or on legacy pmem under it (legacy, EINVAL,
 * and the registration without FLUSH_PERSISTENT must succeed). 0 if so,
 * else 1.
 */
static int refused(struct ibv_pd *pd, struct memspec *m, enum mode mode)
{
	int want = mode == MODE_NOLEASE ? EOPNOTSUPP : EINVAL;
	const char *how = mode == MODE_NOLEASE ? "without a layout lease" :
			  "under the lease on legacy pmem";
	struct ibv_mr *mr;

	mr = ibv_reg_mr(pd, m->addr, m->len, MR_ACCESS | IBV_ACCESS_FLUSH_PERSISTENT);
	if (mr) {
		printf("server: registered with FLUSH_PERSISTENT %s: expected %s\n",
		       how, strerror(want));
		ibv_dereg_mr(mr);
		return 1;
	}
	printf("server: registration with FLUSH_PERSISTENT %s failed: %s (errno %d)\n",
	       how, strerror(errno), errno);
	if (errno != want) {
		printf("server: expected %s (errno %d)\n", strerror(want), want);
		return 1;
	}
	if (mode == MODE_NOLEASE)
		return 0;
	mr = ibv_reg_mr(pd, m->addr, m->len, MR_ACCESS);
	if (!mr) {
		printf("server: registration without FLUSH_PERSISTENT under the lease failed: %s\n",
		       strerror(errno));
		return 1;
	}
	printf("server: registered without FLUSH_PERSISTENT under the lease\n");
	ibv_dereg_mr(mr);
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct ibv_qp_attr qa = {
		.qp_access_flags = IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ |
				   IBV_ACCESS_FLUSH_PERSISTENT };
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen_id, *id;
	struct rdma_cm_event *ev;
	struct ibv_context *ctx;
	char spec[4096], c;
	enum mode mode = MODE_FLUSH;
	struct memspec m;
	unsigned char *buf;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	int go[2], done[2], status = 0, rc = 0, cap;
	pid_t pid = -1;
	size_t len;

	if (argc == 5 && !strcmp(argv[4], "nolease"))
		mode = MODE_NOLEASE;
	else if (argc == 5 && !strcmp(argv[4], "legacy"))
		mode = MODE_LEGACY;
	if (argc < 4 || (argc == 5 && mode == MODE_FLUSH) || argc > 5 ||
	    inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: rdma_flush IP FILE SIZE [nolease|legacy]\n");
		return 2;
	}
	len = strtoul(argv[3], NULL, 0);
	if (!len || len > (1UL << 30)) {
		fprintf(stderr, "rdma_flush: bad size %s\n", argv[3]);
		return 2;
	}
	snprintf(spec, sizeof(spec), "%s:%s", mode == MODE_NOLEASE ? "file" : "leased",
		 argv[2]);
	alarm(60);
	if (pipe(go) || pipe(done))
		return 2;
	if (mode == MODE_FLUSH) {
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid == 0) {
			alarm(60);
			close(go[1]);
			close(done[0]);
			if (read(go[0], &c, 1) != 1)	/* EOF: the server failed */
				_exit(2);
			_exit(client(&sin, len, go[0], done[1]));
		}
	}
	close(go[0]);
	close(done[1]);

	/* Bound to IP, the id has the device: the server's region is on it. */
	ch = rdma_create_event_channel();
	listen_id = cm_listen(ch, &sin);
	ctx = listen_id ? listen_id->verbs : NULL;
	pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	cq = pd ? ibv_create_cq(ctx, 8, NULL, NULL, 0) : NULL;
	if (!cq) {
		fprintf(stderr, "server: no RDMA device on %s\n", argv[1]);
		return 2;
	}
	cap = flush_caps(ctx);
	if (memspec_map(spec, len, -1, &m) || fill_first(&m, len))
		return 2;
	printf("server: wrote %zu bytes into %s with write(2)%s\n", len, m.path,
	       mode == MODE_NOLEASE ? "" : ", under F_LAYOUT|F_EXCLUSIVE");
	if (mode != MODE_FLUSH)
		return refused(pd, &m, mode);
	if (!cap) {
		fprintf(stderr, "server: %s does not offer FLUSH to persistence\n",
			ibv_get_device_name(ctx->device));
		return 1;
	}

	mr = ibv_reg_mr(pd, m.addr, len, MR_ACCESS | IBV_ACCESS_FLUSH_PERSISTENT);
	if (!mr) {
		fprintf(stderr, "server: ibv_reg_mr(%s) with FLUSH_PERSISTENT: %s (errno %d)\n",
			m.path, strerror(errno), errno);
		return 1;
	}
	printf("server: registered %s (%zu bytes) with FLUSH_PERSISTENT on %s\n",
	       m.path, len, ibv_get_device_name(ctx->device));
	fflush(stdout);
	if (write(go[1], "g", 1) != 1)
		return 2;
	ev = wait_event(ch, RDMA_CM_EVENT_CONNECT_REQUEST);
	if (!ev)
		return 2;
	id = ev->id;
	rdma_ack_cm_event(ev);
	if (id->verbs != ctx) {
		fprintf(stderr, "server: the connection is on another device\n");
		return 2;
	}
	if (cm_accept_region(ch, id, pd, cq, mr, m.addr, len))
		return 2;
	/*
	 * RDMA CM gives the queue pair remote write, read and atomics (and
	 * sets that again on accept, in rdma_accept()'s INIT to INIT): the
	 * responder takes FLUSH to persistence only with the queue pair's
	 * IBV_ACCESS_FLUSH_PERSISTENT too (rxe's check_qp_attr_access()).
	 */
	if (ibv_modify_qp(id->qp, &qa, IBV_QP_ACCESS_FLAGS)) {
		perror("server: ibv_modify_qp IBV_ACCESS_FLUSH_PERSISTENT");
		return 2;
	}
	printf("server: queue pair takes FLUSH to persistence\n");
	fflush(stdout);
	if (write(go[1], "f", 1) != 1)
		return 2;
	if (read(done[0], &c, 1) != 1)	/* EOF: the client failed */
		rc = 1;
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "client failed (status 0x%x)\n", status);
		return 1;
	}
	rc |= server_check(m.addr, len, pattern, "mapping");
	buf = malloc(len);
	if (!buf || pread(m.fd, buf, len, 0) != (ssize_t)len) {
		perror("pread");
		return 1;
	}
	rc |= server_check(buf, len, pattern, "read(2) of the file");
	rdma_destroy_qp(id);
	if (ibv_dereg_mr(mr))
		rc = 1;
	return rc;
}

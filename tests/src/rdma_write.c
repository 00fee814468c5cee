// SPDX-License-Identifier: GPL-2.0
/*
 * rdma_write IP MEMSPEC SIZE
 *
 * End-to-end RDMA data path check between two processes over RDMA CM (so
 * it runs on RoCE/rxe and on iWARP/siw alike). The server (this process)
 * maps MEMSPEC (see memspec.h), registers it and listens on IP; a child
 * process connects, RDMA-WRITEs a known pattern into the server's region,
 * RDMA-READs it back and compares. The server then checks the pattern in
 * its mapping and, for a file, through read(2) of the file.
 * Exit 0 when every byte checks, 1 on a data or transfer error, 2 on setup.
 * "hold" keeps the server's region registered afterwards (see hold()).
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

#define PORT 7471

static unsigned char pattern(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 12) * 31 + 0x5a);
}

/* What the server puts in its region first: with write(2) for files. */
static unsigned char first_pattern(size_t i)
{
	return (unsigned char)~pattern(i * 3);
}

static int rdma_op(struct ibv_qp *qp, struct ibv_cq *cq, enum ibv_wr_opcode op,
		   struct ibv_mr *mr, const struct region_info *ri)
{
	struct ibv_sge sge = { (uintptr_t)mr->addr, ri->len, mr->lkey };
	struct ibv_send_wr wr = { 0 }, *bad;

	wr.opcode = op;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = ri->addr;
	wr.wr.rdma.rkey = ri->rkey;
	if (ibv_post_send(qp, &wr, &bad)) {
		perror("ibv_post_send");
		return -1;
	}
	return poll_one(cq, op == IBV_WR_RDMA_WRITE ? "RDMA WRITE" : "RDMA READ");
}

/*
 * The client reports on @done when its transfers are over, so that neither
 * side waits on RDMA CM teardown events (which rxe's loopback delivers late).
 */
static int client(struct sockaddr_in *sin, size_t len, int done, int reads)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct ibv_qp_init_attr attr;
	struct rdma_cm_id *id;
	struct region_info ri;
	struct ibv_mr *src, *back;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	unsigned char *a, *b;
	size_t i;
	char c;

	id = cm_resolve(ch, sin);
	if (!id)
		return 2;
	a = malloc(len);
	b = calloc(1, len);
	for (i = 0; i < len; i++)
		a[i] = pattern(i);
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	src = pd ? ibv_reg_mr(pd, a, len, IBV_ACCESS_LOCAL_WRITE) : NULL;
	back = pd ? ibv_reg_mr(pd, b, len, IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!cq || !src || !back) {
		perror("client verbs setup");
		return 2;
	}
	qp_attr(&attr, cq);
	if (rdma_create_qp(id, pd, &attr)) {
		perror("client: rdma_create_qp");
		return 2;
	}
	if (cm_connect(ch, id, &ri, len))
		return 2;
	/* What the server wrote first, then our pattern, written and read. */
	if (rdma_op(id->qp, cq, IBV_WR_RDMA_READ, back, &ri) ||
	    expect(b, len, first_pattern, "RDMA READ of the server's data"))
		return 1;
	printf("client: RDMA READ of the server's %zu bytes ok\n", len);
	if (rdma_op(id->qp, cq, IBV_WR_RDMA_WRITE, src, &ri) ||
	    rdma_op(id->qp, cq, IBV_WR_RDMA_READ, back, &ri) ||
	    expect(b, len, pattern, "RDMA READ back"))
		return 1;
	printf("client: RDMA WRITE + READ of %zu bytes ok\n", len);
	fflush(stdout);
	if (write(done, "d", 1) != 1)
		return 2;
	/*
	 * For the holder's "read": one more RDMA READ of the whole region
	 * per byte on @reads, not waited for (siw sends the response from
	 * the server's pages by reference, to TCP, which keeps them until
	 * the data is delivered), and the connection kept until EOF.
	 */
	while (read(reads, &c, 1) == 1) {
		struct ibv_sge sge = { (uintptr_t)b, len, back->lkey };
		struct ibv_send_wr wr = { 0 }, *bad;

		wr.opcode = IBV_WR_RDMA_READ;
		wr.sg_list = &sge;
		wr.num_sge = 1;
		wr.wr.rdma.remote_addr = ri.addr;
		wr.wr.rdma.rkey = ri.rkey;
		if (ibv_post_send(id->qp, &wr, &bad))
			return 1;
	}
	rdma_disconnect(id);
	return 0;
}

/* The server's data, for the client to read: write(2) into files. */
static int fill_first(struct memspec *m, const char *spec, size_t len)
{
	unsigned char *buf = malloc(len);
	size_t i;
	int file = m->path && strncmp(spec, "devdax:", 7);

	if (!buf)
		return -1;
	for (i = 0; i < len; i++)
		buf[i] = first_pattern(i);
	if (file) {
		if (pwrite(m->fd, buf, len, 0) != (ssize_t)len) {
			perror("pwrite");
			return -1;
		}
		printf("server: wrote %zu bytes into %s with write(2)\n", len,
		       m->path);
	} else {
		memcpy(m->addr, buf, len);
	}
	free(buf);
	return 0;
}

/*
 * "hold": keep the region registered and obey commands on standard input,
 * one per line: "truncate" (ftruncate(2) of the file by this process, the
 * lease holder), "unlck" (F_SETLEASE F_UNLCK), "dereg" (ibv_dereg_mr),
 * "orphan" (munmap and close the leased file: the MR keeps the lease),
 * "read" (the client, still connected, RDMA-READs the whole region once
 * more), each answered by one line; EOF ends. For the demo, 80-bad-input.t
 * and the pmem unbind tests.
 */
static struct ibv_mr *hold(struct ibv_mr *mr, struct memspec *m, int reads)
{
	int fd = m->fd;

	char line[64];

	printf("server: holding the region, pid %d\n", (int)getpid());
	fflush(stdout);
	alarm(0);
	while (fgets(line, sizeof(line), stdin)) {
		if (!strncmp(line, "truncate", 8))
			printf("holder: ftruncate: %s\n",
			       ftruncate(fd, 0) ? strerror(errno) : "done");
		else if (!strncmp(line, "unlck", 5))
			printf("holder: F_SETLEASE F_UNLCK: %s\n",
			       fcntl(fd, F_SETLEASE, F_UNLCK) ? strerror(errno) :
			       "released");
		else if (!strncmp(line, "dereg", 5) && mr) {
			printf("holder: ibv_dereg_mr: %s\n",
			       ibv_dereg_mr(mr) ? strerror(errno) : "done");
			mr = NULL;
		} else if (!strncmp(line, "read", 4)) {
			printf("holder: read: %s\n", write(reads, "r", 1) == 1 ?
			       "posted by the client" : strerror(errno));
		} else if (!strncmp(line, "orphan", 6) && fd >= 0) {
			munmap(m->addr, m->len);
			printf("holder: close: %s\n", close(fd) ? strerror(errno) : "done");
			fd = -1;
		}
		fflush(stdout);
	}
	return mr;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen_id, *id;
	struct rdma_cm_event *ev;
	struct memspec m;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	struct ibv_mr *mr;
	int go[2], done[2], reads[2], status, rc = 0;
	size_t len;
	pid_t pid;

	if (argc < 4 || argc > 5 || (argc == 5 && strcmp(argv[4], "hold")) ||
	    inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: rdma_write IP MEMSPEC SIZE [hold]\n");
		return 2;
	}
	len = strtoul(argv[3], NULL, 0);
	alarm(60);
	if (pipe(go) || pipe(done) || pipe(reads))
		return 2;
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		close(done[0]);
		close(reads[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(client(&sin, len, done[1], reads[0]));
	}
	close(go[0]);
	close(done[1]);
	close(reads[0]);

	ch = rdma_create_event_channel();
	listen_id = cm_listen(ch, &sin);
	if (!listen_id) {
		kill(pid, SIGKILL);
		return 2;
	}
	if (write(go[1], "g", 1) != 1)
		return 2;
	ev = wait_event(ch, RDMA_CM_EVENT_CONNECT_REQUEST);
	if (!ev)
		return 2;
	id = ev->id;
	rdma_ack_cm_event(ev);

	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	if (!cq || memspec_map(argv[2], len, -1, &m) || fill_first(&m, argv[2], len))
		return 2;
	mr = ibv_reg_mr(pd, m.addr, len, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (!mr) {
		fprintf(stderr, "server: ibv_reg_mr(%s): %s\n", argv[2], strerror(errno));
		rdma_reject(id, NULL, 0);
		waitpid(pid, &status, 0);
		return 1;
	}
	printf("server: registered %s (%zu bytes) on %s\n", argv[2], len,
	       ibv_get_device_name(id->verbs->device));
	if (cm_accept_region(ch, id, pd, cq, mr, m.addr, len))
		rc = 2;
	{
		char c;

		if (read(done[0], &c, 1) != 1)	/* EOF: the client failed */
			rc = 1;
	}
	if (argc != 5) {
		close(reads[1]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "client failed (status 0x%x)\n", status);
			return 1;
		}
	}
	rc |= server_check(m.addr, len, pattern, "mapping");
	if (m.path && m.fd >= 0 && strncmp(argv[2], "devdax:", 7)) {
		unsigned char *buf = malloc(len);

		if (pread(m.fd, buf, len, 0) != (ssize_t)len) {
			perror("pread");
			return 1;
		}
		rc |= server_check(buf, len, pattern, "read(2) of the file");
	}
	if (argc == 5) {
		mr = hold(mr, &m, reads[1]);
		close(reads[1]);
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status)) {
			fprintf(stderr, "client failed (status 0x%x)\n", status);
			return 1;
		}
	}
	rdma_destroy_qp(id);
	if (mr)
		ibv_dereg_mr(mr);
	return rc;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * siw_mr_race IP PATH dereg|close
 *
 * A memory region is released while a work request of another uverbs
 * context holds it. The server (this process) takes the unbreakable layout
 * lease on PATH, maps 1 MiB of it and registers it on a uverbs context of
 * its own (not the one of its RDMA CM connection). A child connects over
 * RDMA CM and posts an RDMA WRITE whose local SGE names the server's MR:
 * siw takes a reference to the MR before it finds the protection domain
 * wrong, and the child sleeps right there, at the kernel's
 * layout_change_delay() point (the test sets it up, for tasks that wrote 1
 * to /proc/self/make-it-fail). Once the child sleeps there, the server
 *
 *   dereg: deregisters the MR, and then releases its lease (F_UNLCK): the
 *          pages must be unpinned when ibv_dereg_mr() returns, so F_UNLCK
 *          must succeed at once (delay shorter than siw's 2 s wait);
 *   close: deregisters the MR and closes the context while the child still
 *          sleeps (delay longer than siw's wait): the child's reference is
 *          the last, and releases the pins after the owner's context is
 *          gone; F_UNLCK must succeed once the child is done.
 *
 * The child's work request must fail (the MR is not in its PD). Exit 0 when
 * all of it holds, 1 when not, 2 on setup errors.
 */
#include <arpa/inet.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include "cm.h"
#include "memspec.h"
#include "race.h"

#define PORT 7473
#define LEN (1 << 20)

static double now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return tv.tv_sec + tv.tv_usec / 1e6;
}

/* The child: connect, then post an RDMA WRITE from the server's MR. */
static int client(struct sockaddr_in *sin, int out)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct ibv_send_wr wr = { 0 }, *bad;
	struct ibv_qp_init_attr attr;
	struct rdma_cm_id *id;
	struct region_info ri;
	struct ibv_sge sge;
	struct ibv_wc wc;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	time_t end;
	int n;

	id = cm_resolve(ch, sin);
	if (!id)
		return 2;
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	if (!cq)
		return 2;
	qp_attr(&attr, cq);
	if (rdma_create_qp(id, pd, &attr) || cm_connect(ch, id, &ri, 0))
		return 2;

	/* The server's MR as the local source: another context's, another PD. */
	sge.addr = ri.addr;
	sge.length = 4096;
	sge.lkey = ri.rkey;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = ri.addr;
	wr.wr.rdma.rkey = ri.rkey;
	delayed_child_setup(out);
	if (ibv_post_send(id->qp, &wr, &bad)) {
		/* siw may fail the post itself once the WR failed. */
		printf("client: ibv_post_send: %s\n", strerror(errno));
		return 0;
	}
	end = time(NULL) + 20;
	while ((n = ibv_poll_cq(cq, 1, &wc)) == 0 && time(NULL) < end)
		usleep(1000);
	if (n != 1) {
		printf("client: no completion\n");
		return 1;
	}
	printf("client: the RDMA WRITE from the server's MR completed: %s\n",
	       ibv_wc_status_str(wc.status));
	return wc.status == IBV_WC_SUCCESS;
}

/* Wait until the child sleeps at layout_change_delay() in siw_check_sge(). */
static int wait_child_in_siw(pid_t pid)
{
	char stack[4096];
	int i;

	for (i = 0; i < 2000; i++) {
		if (read_stack(pid, stack, sizeof(stack)))
			return -1;
		if (strstr(stack, "siw_check_sge") && strstr(stack, "msleep"))
			return 0;
		usleep(5000);
	}
	fprintf(stderr, "the client never slept in siw_check_sge():\n%s", stack);
	return -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct rdma_event_channel *ch;
	struct rdma_cm_id *listen_id, *id;
	struct ibv_context *ctx;
	struct rdma_cm_event *ev;
	struct ibv_pd *pd, *mr_pd;
	struct ibv_mr *mr;
	struct ibv_cq *cq;
	struct memspec m;
	int go[2], out[2], status, closing, rc = 0, i;
	char spec[4096], log[4096];
	double t0, t1;
	ssize_t n;
	pid_t pid;

	if (argc != 4 || (strcmp(argv[3], "dereg") && strcmp(argv[3], "close")) ||
	    inet_pton(AF_INET, argv[1], &sin.sin_addr) != 1) {
		fprintf(stderr, "usage: siw_mr_race IP PATH dereg|close\n");
		return 2;
	}
	closing = !strcmp(argv[3], "close");
	snprintf(spec, sizeof(spec), "leased:%s", argv[2]);
	alarm(90);
	if (pipe(go) || pipe(out))
		die_setup("pipe");
	pid = fork();
	if (pid == 0) {
		char c;

		close(go[1]);
		close(out[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		rc = client(&sin, out[1]);
		fflush(stdout);
		_exit(rc);
	}
	close(go[0]);
	close(out[1]);

	ch = rdma_create_event_channel();
	listen_id = cm_listen(ch, &sin);
	if (!listen_id)
		return 2;
	if (write(go[1], "g", 1) != 1)
		die_setup("write");
	ev = wait_event(ch, RDMA_CM_EVENT_CONNECT_REQUEST);
	if (!ev)
		return 2;
	id = ev->id;
	rdma_ack_cm_event(ev);

	/* The MR on a context of its own, which the server can close. */
	ctx = ibv_open_device(id->verbs->device);
	mr_pd = ctx ? ibv_alloc_pd(ctx) : NULL;
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	if (!mr_pd || !cq || memspec_map(spec, LEN, -1, &m))
		die_setup("server verbs setup");
	mr = ibv_reg_mr(mr_pd, m.addr, LEN, IBV_ACCESS_LOCAL_WRITE |
			IBV_ACCESS_REMOTE_WRITE | IBV_ACCESS_REMOTE_READ);
	if (!mr)
		die_setup("ibv_reg_mr of the leased file");
	if (cm_accept_region(ch, id, pd, cq, mr, m.addr, LEN))
		die_setup("server accept");

	if (wait_child_in_siw(pid)) {
		kill(pid, SIGKILL);
		return 1;
	}
	printf("server: the client holds the MR in siw_check_sge()\n");
	t0 = now();
	if (ibv_dereg_mr(mr)) {
		printf("server: ibv_dereg_mr: %s\n", strerror(errno));
		rc = 1;
	}
	t1 = now();
	printf("server: ibv_dereg_mr returned after %.0f ms\n", (t1 - t0) * 1000);
	if (!closing) {
		if (fcntl(m.fd, F_SETLEASE, F_UNLCK)) {
			printf("server: F_UNLCK after ibv_dereg_mr: %s: the pins outlived the deregistration\n",
			       strerror(errno));
			rc = 1;
		} else {
			printf("server: F_UNLCK after ibv_dereg_mr: released\n");
		}
	} else {
		ibv_dealloc_pd(mr_pd);
		if (ibv_close_device(ctx)) {
			printf("server: ibv_close_device: %s\n", strerror(errno));
			rc = 1;
		}
		printf("server: closed the MR's context, the client still sleeps: %s\n",
		       read_stack(pid, log, sizeof(log)) == 0 &&
		       strstr(log, "siw_check_sge") ? "yes" : "no");
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "client failed (status 0x%x)\n", status);
		rc = 1;
	}
	n = read(out[0], log, sizeof(log) - 1);
	if (n > 0) {
		log[n] = 0;
		fputs(log, stdout);
	}
	if (closing) {
		/* The child's last reference releases the pins from a work item. */
		for (i = 0; i < 100 && fcntl(m.fd, F_SETLEASE, F_UNLCK); i++)
			usleep(50000);
		if (i == 100) {
			printf("server: F_UNLCK 5 s after the last reference: %s\n",
			       strerror(errno));
			rc = 1;
		} else {
			printf("server: F_UNLCK after the last reference: released\n");
		}
	}
	return rc;
}

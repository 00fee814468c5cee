/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RDMA CM helpers of the RDMA tests (rdma_write.c, rdma_flush.c,
 * siw_mr_race.c): one reliable connection between two processes over RDMA
 * CM, which runs on RoCE/rxe and iWARP/siw alike, and the check of the
 * pattern a peer wrote.
 */
#ifndef FSDAX_TESTS_CM_H
#define FSDAX_TESTS_CM_H
#include <infiniband/verbs.h>
#include <netinet/in.h>
#include <rdma/rdma_cma.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the server tells the client in the private data of its accept. */
struct region_info {
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
};

static inline struct rdma_cm_event *wait_event(struct rdma_event_channel *ch,
					enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev;

	if (rdma_get_cm_event(ch, &ev)) {
		perror("rdma_get_cm_event");
		return NULL;
	}
	if (ev->event != type) {
		fprintf(stderr, "rdma cm: got %s (status %d), wanted %s\n",
			rdma_event_str(ev->event), ev->status,
			rdma_event_str(type));
		rdma_ack_cm_event(ev);
		return NULL;
	}
	return ev;
}

static inline int wait_ack(struct rdma_event_channel *ch, enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev = wait_event(ch, type);

	return ev ? rdma_ack_cm_event(ev) : -1;
}

/* One completion within 20 s, successful: 0, else -1 with a message. */
static inline int poll_one(struct ibv_cq *cq, const char *what)
{
	struct ibv_wc wc;
	time_t end = time(NULL) + 20;
	int n;

	while ((n = ibv_poll_cq(cq, 1, &wc)) == 0 && time(NULL) < end)
		usleep(100);
	if (n != 1 || wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "%s: %s\n", what,
			n == 1 ? ibv_wc_status_str(wc.status) : "no completion");
		return -1;
	}
	return 0;
}

static inline void qp_attr(struct ibv_qp_init_attr *a, struct ibv_cq *cq)
{
	memset(a, 0, sizeof(*a));
	a->send_cq = cq;
	a->recv_cq = cq;
	a->qp_type = IBV_QPT_RC;
	a->sq_sig_all = 1;
	a->cap.max_send_wr = 4;
	a->cap.max_recv_wr = 4;
	a->cap.max_send_sge = 1;
	a->cap.max_recv_sge = 1;
}

/* A client's id on CH, its address and route to SIN resolved; NULL on error. */
static inline struct rdma_cm_id *cm_resolve(struct rdma_event_channel *ch,
					    struct sockaddr_in *sin)
{
	struct rdma_cm_id *id;

	if (!ch || rdma_create_id(ch, &id, NULL, RDMA_PS_TCP))
		return NULL;
	if (rdma_resolve_addr(id, NULL, (struct sockaddr *)sin, 5000) ||
	    wait_ack(ch, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(id, 5000) ||
	    wait_ack(ch, RDMA_CM_EVENT_ROUTE_RESOLVED))
		return NULL;
	return id;
}

/* A server's id on CH, listening on SIN; NULL on error, with a message. */
static inline struct rdma_cm_id *cm_listen(struct rdma_event_channel *ch,
					   struct sockaddr_in *sin)
{
	struct rdma_cm_id *id;

	if (!ch || rdma_create_id(ch, &id, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(id, (struct sockaddr *)sin) || rdma_listen(id, 1)) {
		perror("server listen");
		return NULL;
	}
	return id;
}

/*
 * The client's connection on @id (its queue pair made): connected, with
 * the server's region in *@ri, @len bytes unless @len is 0; 0, or -1
 * with a message.
 */
static inline int cm_connect(struct rdma_event_channel *ch, struct rdma_cm_id *id,
			     struct region_info *ri, size_t len)
{
	struct rdma_conn_param cp = { .initiator_depth = 1,
				      .responder_resources = 1,
				      .retry_count = 7 };
	struct rdma_cm_event *ev;

	if (rdma_connect(id, &cp)) {
		perror("client connect");
		return -1;
	}
	ev = wait_event(ch, RDMA_CM_EVENT_ESTABLISHED);
	if (!ev)
		return -1;
	if (ev->param.conn.private_data_len < sizeof(*ri)) {
		rdma_ack_cm_event(ev);
		return -1;
	}
	memcpy(ri, ev->param.conn.private_data, sizeof(*ri));
	rdma_ack_cm_event(ev);
	if (len && ri->len != len) {
		fprintf(stderr, "server region is %u bytes, expected %zu\n", ri->len, len);
		return -1;
	}
	return 0;
}

/*
 * The server's side of the connection @id asked for: a queue pair on @pd
 * and @cq, accepted with @mr's region (@addr, @len) in the private data,
 * established. 0, or -1.
 */
static inline int cm_accept_region(struct rdma_event_channel *ch,
				   struct rdma_cm_id *id, struct ibv_pd *pd,
				   struct ibv_cq *cq, struct ibv_mr *mr,
				   void *addr, size_t len)
{
	struct rdma_conn_param cp = { .initiator_depth = 1, .responder_resources = 1 };
	struct region_info ri = { (uintptr_t)addr, mr->rkey, (uint32_t)len };
	struct ibv_qp_init_attr attr;

	cp.private_data = &ri;
	cp.private_data_len = sizeof(ri);
	qp_attr(&attr, cq);
	if (rdma_create_qp(id, pd, &attr) || rdma_accept(id, &cp) ||
	    wait_ack(ch, RDMA_CM_EVENT_ESTABLISHED))
		return -1;
	return 0;
}

/* 0 if @b holds @fn(i) at every i, else 1 with a message. */
static inline int expect(const unsigned char *b, size_t len,
			 unsigned char (*fn)(size_t), const char *what)
{
	size_t i;

	for (i = 0; i < len && b[i] == fn(i); i++)
		;
	if (i == len)
		return 0;
	fprintf(stderr, "%s: byte %zu is 0x%02x, expected 0x%02x\n", what, i,
		b[i], fn(i));
	return 1;
}

/* The server's check that @what holds @fn's pattern: 0, or 1. */
static inline int server_check(const unsigned char *p, size_t len,
			       unsigned char (*fn)(size_t), const char *what)
{
	if (expect(p, len, fn, what))
		return 1;
	printf("server: %s holds the pattern (%zu bytes)\n", what, len);
	return 0;
}

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * RDMA CM helpers of the RDMA tests (rdma_write.c, siw_mr_race.c): one
 * reliable connection between two processes over RDMA CM, which runs on
 * RoCE/rxe and iWARP/siw alike.
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

/* The client's connection is up: the server's region in *RI; 0, or -1. */
static inline int cm_established(struct rdma_event_channel *ch,
				 struct region_info *ri)
{
	struct rdma_cm_event *ev = wait_event(ch, RDMA_CM_EVENT_ESTABLISHED);

	if (!ev)
		return -1;
	if (ev->param.conn.private_data_len < sizeof(*ri)) {
		rdma_ack_cm_event(ev);
		return -1;
	}
	memcpy(ri, ev->param.conn.private_data, sizeof(*ri));
	return rdma_ack_cm_event(ev);
}

#endif

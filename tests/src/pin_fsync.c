// SPDX-License-Identifier: GPL-2.0
/*
 * pin_fsync FILE [pte] [rdma IP]
 *
 * Durability of writes through a long-term pin of a DAX file: does an
 * fsync() after an fsync() still flush the CPU cache for the pinned pages?
 * fs/dax.c flushes an entry in dax_writeback_one() only while it is tagged
 * dirty; once flushed it is cleaned and its PTEs write-protected, so that a
 * CPU store faults and dirties it again. A write through a pin (rxe's and
 * siw's memcpy into the kernel mapping of the page, a NIC's DMA) takes no
 * fault, so unless the kernel keeps pinned entries dirty, the next fsync
 * flushes nothing of what the device wrote.
 *
 * What the program sees: the fs_dax/dax_writeback_one trace event (one per
 * entry flushed: dev, ino, pgoff, pglen) in a tracefs instance of its own,
 * filtered to FILE's inode and device, and the page faults of CPU stores
 * (getrusage ru_minflt + ru_majflt).
 *
 * FILE (on a DAX mount) is created anew, 2 MiB, written; the process takes
 * F_SETLEASE F_LAYOUT|F_EXCLUSIVE on it, maps it MAP_SHARED, writes every
 * page through the mapping and pins the mapping long term for write
 * (gup_test PIN_LONGTERM_TEST_START, FLAG_WRITE|FLAG_OWNER). Then:
 *
 *   1. fsync #1 writes back every page;
 *   2. fsync #2, with no CPU write since #1, still writes back every pinned
 *      page (a device may have written them);        <- fails without the fix
 *   3. a CPU store into each pinned page takes no page fault (the PTEs were
 *      not write-protected: a pinned entry is never cleaned);  <- likewise
 *   4. fsync #3 writes back every page;
 *   5. unpin, F_UNLCK; CPU stores, fsync #4 writes back every page;
 *   6. fsync #5, nothing written, writes back nothing: unpinned entries are
 *      cleaned (the fix must not keep them dirty for ever);
 *   7. a CPU store now faults again (fsync #4 write-protected the PTEs),
 *      and fsync #6 writes back every page.
 *
 * "pte" maps FILE at an address one page off a 2 MiB boundary, so that
 * every fault is a PTE fault and every entry 4 KiB (the default mapping
 * is 2 MiB aligned and gets PMD entries when the blocks are).
 *
 * "rdma IP" (only when built with -DPIN_FSYNC_RDMA, linked with -libverbs
 * -lrdmacm): instead of gup_test, the pin is an RDMA memory region over the
 * mapping, registered on the RDMA device of IP through RDMA CM, and between
 * fsync #1 and fsync #2 a child process RDMA-WRITEs a new pattern over the
 * whole region (rxe and siw write it with memcpy into the kernel mapping of
 * the pages). The mapping must show the pattern, and fsync #2 must write it
 * back: the case the fix is for. The unpin is ibv_dereg_mr().
 *
 * Prints TAP ("ok N ..." / "not ok N ..." and "# " notes, then "1..N").
 * Exit 0 if every check passed, 1 if one failed, 2 on a setup error
 * (not DAX, no tracefs or gup_test, lease or pin refused).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "gup_test.h"
#include "memspec.h"

#define LEN	(2UL << 20)
#define PMD	(2UL << 20)
#define EVENT	"events/fs_dax/dax_writeback_one"

static int n, fails;
static long pgsz;
static size_t npages;
static char tdir[352];		/* our tracefs instance */
static unsigned long f_ino;
static unsigned int f_major, f_minor;

static void check(int cond, const char *fmt, ...)
{
	va_list ap;

	n++;
	if (!cond)
		fails++;
	printf("%sok %d ", cond ? "" : "not ", n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int setup_error(const char *what)
{
	fprintf(stderr, "pin_fsync: setup: %s: %s\n", what, strerror(errno));
	printf("1..%d\n", n);
	return 2;
}

/* Write @val to the file @name of our tracefs instance. */
static int tset(const char *name, const char *val)
{
	char path[512];
	ssize_t len = strlen(val);
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -1;
	if (len && write(fd, val, len) != len)
		ret = -1;
	close(fd);
	return ret;
}

static void trace_cleanup(void)
{
	if (!tdir[0])
		return;
	tset(EVENT "/enable", "0");
	tset(EVENT "/filter", "0");
	rmdir(tdir);
	tdir[0] = '\0';
}

/*
 * A tracefs instance of our own (its own buffer, events and filters, so
 * nothing else is disturbed) with dax_writeback_one enabled for FILE only.
 */
static int trace_setup(void)
{
	const char *roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char filter[128], path[300];
	unsigned int i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/instances", roots[i]);
		if (!access(path, F_OK))
			break;
		if (i == 0 && !mount("nodev", roots[0], "tracefs", 0, NULL) &&
		    !access(path, F_OK))
			break;
	}
	if (i == 2) {
		errno = ENOENT;
		return -1;
	}
	snprintf(tdir, sizeof(tdir), "%s/pin_fsync.%d", path, (int)getpid());
	if (mkdir(tdir, 0755) && errno != EEXIST) {
		tdir[0] = '\0';
		return -1;
	}
	atexit(trace_cleanup);
	/* The kernel's dev_t is MKDEV(): major << 20 | minor. */
	snprintf(filter, sizeof(filter), "ino == %lu && dev == %u", f_ino,
		 (f_major << 20) | f_minor);
	if (tset(EVENT "/filter", filter))
		note("could not set the event filter (%s): matching in user space",
		     strerror(errno));
	if (tset(EVENT "/enable", "1") || tset("tracing_on", "1"))
		return -1;
	return 0;
}

struct wb {
	unsigned long events;	/* dax_writeback_one events for FILE */
	unsigned long pages;	/* sum of their pglen */
	unsigned long pmd;	/* events with pglen > 1 */
	size_t covered;		/* pages of [0, npages) written back */
};

/* fsync(@fd) and collect the writeback events it produced for FILE. */
static int fsync_traced(int fd, struct wb *wb)
{
	unsigned char *cover = calloc(npages, 1);
	unsigned long pgoff, pglen, ino, i;
	unsigned int ma, mi;
	char path[512], line[512];
	const char *ev;
	FILE *f;

	memset(wb, 0, sizeof(*wb));
	if (!cover || tset("trace", ""))	/* O_TRUNC empties the buffer */
		return -1;
	if (fsync(fd)) {
		perror("fsync");
		free(cover);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/trace", tdir);
	f = fopen(path, "r");
	if (!f) {
		free(cover);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		ev = strstr(line, "dax_writeback_one: ");
		if (!ev || sscanf(ev, "dax_writeback_one: dev %u:%u ino %lx pgoff %lx pglen %lx",
				  &ma, &mi, &ino, &pgoff, &pglen) != 5)
			continue;
		if (ino != f_ino || ma != f_major || mi != f_minor)
			continue;
		wb->events++;
		wb->pages += pglen;
		if (pglen > 1)
			wb->pmd++;
		for (i = pgoff; i < pgoff + pglen && i < npages; i++)
			cover[i] = 1;
	}
	fclose(f);
	for (i = 0; i < npages; i++)
		wb->covered += cover[i];
	free(cover);
	return 0;
}

static void describe(const char *what, const struct wb *wb)
{
	note("%s: %lu dax_writeback_one events, %lu pages (%lu PMD entries), %zu of the %zu pages covered",
	     what, wb->events, wb->pages, wb->pmd, wb->covered, npages);
}

/* Store into every page of @p; the page faults it took. */
static long store_faults(volatile unsigned char *p, unsigned char v)
{
	struct rusage a, b;
	size_t i;

	getrusage(RUSAGE_THREAD, &a);
	for (i = 0; i < npages; i++)
		p[i * pgsz + 8] = v;
	getrusage(RUSAGE_THREAD, &b);
	return (b.ru_minflt - a.ru_minflt) + (b.ru_majflt - a.ru_majflt);
}

/*
 * Map @fd MAP_SHARED; with @pte, one page off a 2 MiB boundary, where the
 * virtual and file offsets disagree modulo 2 MiB and no PMD fault is tried.
 */
static void *map_file(int fd, int pte)
{
	unsigned char *r, *at;

	if (!pte)
		return mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	r = mmap(NULL, LEN + 2 * PMD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (r == MAP_FAILED)
		return r;
	at = (unsigned char *)(((uintptr_t)r + PMD - 1) & ~(PMD - 1)) + pgsz;
	return mmap(at, LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		    fd, 0);
}

#ifdef PIN_FSYNC_RDMA
#include <arpa/inet.h>
#include <infiniband/verbs.h>
#include <rdma/rdma_cma.h>
#include <signal.h>
#include <time.h>

#define PORT 7473

struct region_info {
	uint64_t addr;
	uint32_t rkey;
	uint32_t len;
};

static unsigned char rdma_pattern(size_t i)
{
	return (unsigned char)(i * 13 + (i >> 12) * 7 + 0xc3);
}

static struct rdma_cm_event *cm_wait(struct rdma_event_channel *ch,
				     enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev;

	if (rdma_get_cm_event(ch, &ev))
		return NULL;
	if (ev->event != type) {
		fprintf(stderr, "rdma cm: got %s (status %d), wanted %s\n",
			rdma_event_str(ev->event), ev->status,
			rdma_event_str(type));
		rdma_ack_cm_event(ev);
		return NULL;
	}
	return ev;
}

static int cm_ack(struct rdma_event_channel *ch, enum rdma_cm_event_type type)
{
	struct rdma_cm_event *ev = cm_wait(ch, type);

	return ev ? rdma_ack_cm_event(ev) : -1;
}

static void qp_attr(struct ibv_qp_init_attr *a, struct ibv_cq *cq)
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

/*
 * The peer: connects, waits for 'w' on @go, RDMA-WRITEs rdma_pattern()
 * over the whole region, answers 'd' on @done, waits for EOF on @go.
 */
static int peer(struct sockaddr_in *sin, int go, int done)
{
	struct rdma_event_channel *ch = rdma_create_event_channel();
	struct rdma_conn_param cp = { .initiator_depth = 1,
				      .responder_resources = 1,
				      .retry_count = 7 };
	struct ibv_send_wr wr = { 0 }, *bad;
	struct ibv_qp_init_attr attr;
	struct rdma_cm_event *ev;
	struct rdma_cm_id *id;
	struct region_info ri;
	struct ibv_sge sge;
	struct ibv_wc wc;
	struct ibv_mr *src;
	struct ibv_cq *cq;
	struct ibv_pd *pd;
	unsigned char *a;
	time_t end;
	size_t i;
	char c;
	int got;

	if (!ch || rdma_create_id(ch, &id, NULL, RDMA_PS_TCP) ||
	    rdma_resolve_addr(id, NULL, (struct sockaddr *)sin, 5000) ||
	    cm_ack(ch, RDMA_CM_EVENT_ADDR_RESOLVED) ||
	    rdma_resolve_route(id, 5000) ||
	    cm_ack(ch, RDMA_CM_EVENT_ROUTE_RESOLVED))
		return 2;
	a = malloc(LEN);
	if (!a)
		return 2;
	for (i = 0; i < LEN; i++)
		a[i] = rdma_pattern(i);
	pd = ibv_alloc_pd(id->verbs);
	cq = pd ? ibv_create_cq(id->verbs, 8, NULL, NULL, 0) : NULL;
	src = cq ? ibv_reg_mr(pd, a, LEN, IBV_ACCESS_LOCAL_WRITE) : NULL;
	if (!src)
		return 2;
	qp_attr(&attr, cq);
	if (rdma_create_qp(id, pd, &attr) || rdma_connect(id, &cp))
		return 2;
	ev = cm_wait(ch, RDMA_CM_EVENT_ESTABLISHED);
	if (!ev || ev->param.conn.private_data_len < sizeof(ri))
		return 2;
	memcpy(&ri, ev->param.conn.private_data, sizeof(ri));
	rdma_ack_cm_event(ev);
	if (read(go, &c, 1) != 1 || c != 'w')
		return 2;
	sge.addr = (uintptr_t)a;
	sge.length = LEN;
	sge.lkey = src->lkey;
	wr.opcode = IBV_WR_RDMA_WRITE;
	wr.sg_list = &sge;
	wr.num_sge = 1;
	wr.send_flags = IBV_SEND_SIGNALED;
	wr.wr.rdma.remote_addr = ri.addr;
	wr.wr.rdma.rkey = ri.rkey;
	if (ibv_post_send(id->qp, &wr, &bad))
		return 1;
	end = time(NULL) + 20;
	while ((got = ibv_poll_cq(cq, 1, &wc)) == 0 && time(NULL) < end)
		usleep(100);
	if (got != 1 || wc.status != IBV_WC_SUCCESS) {
		fprintf(stderr, "peer: RDMA WRITE: %s\n",
			got == 1 ? ibv_wc_status_str(wc.status) : "no completion");
		return 1;
	}
	if (write(done, "d", 1) != 1)
		return 2;
	while (read(go, &c, 1) > 0)
		;
	return 0;
}

struct rdma_pin {
	pid_t pid;
	int go, done;
	struct rdma_cm_id *id;
	struct ibv_mr *mr;
};

/* Register @map as an MR on the device of @ip for a peer process. */
static int rdma_pin(const char *ip, void *map, struct rdma_pin *rp)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct rdma_conn_param cp = { .initiator_depth = 1, .responder_resources = 1 };
	struct rdma_event_channel *ch;
	struct ibv_qp_init_attr attr;
	struct rdma_cm_id *listen_id;
	struct rdma_cm_event *ev;
	struct region_info ri;
	int go[2], done[2];
	struct ibv_cq *cq;
	struct ibv_pd *pd;

	if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	ch = rdma_create_event_channel();
	if (!ch || rdma_create_id(ch, &listen_id, NULL, RDMA_PS_TCP) ||
	    rdma_bind_addr(listen_id, (struct sockaddr *)&sin) ||
	    rdma_listen(listen_id, 1) || pipe(go) || pipe(done))
		return -1;
	rp->pid = fork();
	if (rp->pid < 0)
		return -1;
	if (!rp->pid) {
		close(go[1]);
		close(done[0]);
		_exit(peer(&sin, go[0], done[1]));
	}
	close(go[0]);
	close(done[1]);
	rp->go = go[1];
	rp->done = done[0];
	ev = cm_wait(ch, RDMA_CM_EVENT_CONNECT_REQUEST);
	if (!ev)
		return -1;
	rp->id = ev->id;
	rdma_ack_cm_event(ev);
	pd = ibv_alloc_pd(rp->id->verbs);
	cq = pd ? ibv_create_cq(rp->id->verbs, 8, NULL, NULL, 0) : NULL;
	rp->mr = cq ? ibv_reg_mr(pd, map, LEN, IBV_ACCESS_LOCAL_WRITE |
				 IBV_ACCESS_REMOTE_WRITE) : NULL;
	if (!rp->mr) {
		rdma_reject(rp->id, NULL, 0);
		return -1;
	}
	note("registered the mapping as an MR on %s: the pin",
	     ibv_get_device_name(rp->id->verbs->device));
	ri.addr = (uintptr_t)map;
	ri.rkey = rp->mr->rkey;
	ri.len = LEN;
	cp.private_data = &ri;
	cp.private_data_len = sizeof(ri);
	qp_attr(&attr, cq);
	if (rdma_create_qp(rp->id, pd, &attr) || rdma_accept(rp->id, &cp) ||
	    cm_ack(ch, RDMA_CM_EVENT_ESTABLISHED))
		return -1;
	return 0;
}

/* The peer's RDMA WRITE over the whole region; 0 once it completed. */
static int rdma_peer_write(struct rdma_pin *rp)
{
	char c;

	if (write(rp->go, "w", 1) != 1 || read(rp->done, &c, 1) != 1)
		return -1;
	return 0;
}

static int rdma_unpin(struct rdma_pin *rp)
{
	int status, ret = ibv_dereg_mr(rp->mr);

	close(rp->go);
	if (waitpid(rp->pid, &status, 0) != rp->pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		note("the peer exited with status 0x%x", status);
	rdma_destroy_qp(rp->id);
	return ret;
}
#endif /* PIN_FSYNC_RDMA */

int main(int argc, char **argv)
{
	struct pin_longterm_test pin = { 0 };
	const char *path, *rdma_ip = NULL;
	unsigned char *map, *buf;
	int fd, gup = -1, pte = 0, i;
	struct statx stx;
	struct stat st;
	struct wb wb;
	long faults;
#ifdef PIN_FSYNC_RDMA
	struct rdma_pin rp = { 0 };
	size_t j;
#endif

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "pte"))
			pte = 1;
		else if (!strcmp(argv[i], "rdma") && i + 1 < argc)
			rdma_ip = argv[++i];
		else
			break;
	}
	if (argc < 2 || i < argc) {
		fprintf(stderr, "usage: pin_fsync FILE [pte] [rdma IP]\n");
		return 2;
	}
#ifndef PIN_FSYNC_RDMA
	if (rdma_ip) {
		fprintf(stderr, "pin_fsync: built without RDMA (-DPIN_FSYNC_RDMA -libverbs -lrdmacm)\n");
		return 2;
	}
#endif
	path = argv[1];
	pgsz = sysconf(_SC_PAGESIZE);
	npages = LEN / pgsz;
	alarm(120);

	/* A new file: no DAX entries left from an earlier run. */
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return setup_error(path);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &stx) ||
	    !(stx.stx_attributes & STATX_ATTR_DAX)) {
		fprintf(stderr, "pin_fsync: %s is not a DAX file\n", path);
		return 2;
	}
	buf = malloc(LEN);
	if (!buf)
		return setup_error("malloc");
	memset(buf, 0x5a, LEN);
	/* Contiguous blocks first: a 2 MiB aligned extent can be PMD mapped. */
	if (fallocate(fd, 0, 0, LEN) && errno != EOPNOTSUPP)
		return setup_error("fallocate");
	if (pwrite(fd, buf, LEN, 0) != (ssize_t)LEN || fsync(fd) || fstat(fd, &st))
		return setup_error("pwrite");
	f_ino = st.st_ino;
	f_major = major(st.st_dev);
	f_minor = minor(st.st_dev);
	note("%s: dev %u:%u ino %#lx, %zu pages of %ld bytes", path, f_major,
	     f_minor, f_ino, npages, pgsz);
	if (trace_setup())
		return setup_error("tracefs instance with fs_dax/dax_writeback_one");

	if (fcntl(fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE))
		return setup_error("F_SETLEASE F_LAYOUT|F_EXCLUSIVE");
	map = map_file(fd, pte);
	if (map == MAP_FAILED)
		return setup_error("mmap");
	note("mapped at %p: %s", (void *)map,
	     pte ? "one page off 2 MiB, PTE faults only" :
	     (uintptr_t)map & (PMD - 1) ? "not 2 MiB aligned, PTE faults only" :
	     "2 MiB aligned, PMD faults where the blocks are aligned");
	faults = store_faults(map, 1);
	note("wrote every page through the mapping: %ld page faults", faults);

	if (!rdma_ip) {
		pin.addr = (uintptr_t)map;
		pin.size = LEN;
		pin.flags = FLAG_WRITE | FLAG_OWNER;
		gup = open(GUP_TEST, O_RDWR);
		if (gup < 0 || ioctl(gup, PIN_LONGTERM_TEST_START, &pin))
			return setup_error("gup_test PIN_LONGTERM_TEST_START (write, owned)");
		note("pinned the %zu pages long term for write (gup_test, owned)", npages);
	}
#ifdef PIN_FSYNC_RDMA
	else if (rdma_pin(rdma_ip, map, &rp))
		return setup_error("RDMA registration of the mapping");
#endif

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #1");
	describe("fsync #1", &wb);
	check(wb.covered == npages,
	      "fsync #1 after CPU writes writes back all %zu pages", npages);

#ifdef PIN_FSYNC_RDMA
	if (rdma_ip) {
		if (rdma_peer_write(&rp))
			return setup_error("the peer's RDMA WRITE");
		for (j = 0; j < LEN && map[j] == rdma_pattern(j); j++)
			;
		check(j == LEN, "the peer's RDMA WRITE of %lu bytes is in the mapping%s",
		      LEN, j == LEN ? "" : " (a byte differs)");
	}
#endif
	if (fsync_traced(fd, &wb))
		return setup_error("fsync #2");
	describe("fsync #2", &wb);
	check(wb.covered == npages,
	      "fsync #2, %s, still writes back all %zu pinned pages",
	      rdma_ip ? "after the peer's RDMA WRITE and no CPU write" :
	      "with no CPU write since #1", npages);
	if (wb.covered != npages)
		note("the entries were cleaned by fsync #1: what a device writes through the pin is never flushed");

	faults = store_faults(map, 2);
	check(faults == 0,
	      "a CPU store into each pinned page after fsync takes no page fault (%ld)",
	      faults);
	if (faults)
		note("fsync write-protected the pinned mapping: its entries were cleaned");

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #3");
	describe("fsync #3", &wb);
	check(wb.covered == npages, "fsync #3, pinned, writes back all %zu pages",
	      npages);

#ifdef PIN_FSYNC_RDMA
	if (rdma_ip)
		check(!rdma_unpin(&rp), "ibv_dereg_mr: unpinned");
	else
#endif
		check(!ioctl(gup, PIN_LONGTERM_TEST_STOP), "PIN_LONGTERM_TEST_STOP: unpinned");
	check(!fcntl(fd, F_SETLEASE, F_UNLCK), "F_SETLEASE F_UNLCK");

	faults = store_faults(map, 3);
	note("CPU stores after the unpin: %ld page faults", faults);
	if (fsync_traced(fd, &wb))
		return setup_error("fsync #4");
	describe("fsync #4", &wb);
	check(wb.covered == npages,
	      "fsync #4 after the unpin and CPU writes writes back all %zu pages",
	      npages);

	if (fsync_traced(fd, &wb))
		return setup_error("fsync #5");
	describe("fsync #5", &wb);
	check(wb.events == 0,
	      "fsync #5, nothing written and nothing pinned, writes back nothing (%lu events)",
	      wb.events);

	faults = store_faults(map, 4);
	check(faults > 0,
	      "unpinned, fsync write-protects the mapping again: a CPU store faults (%ld)",
	      faults);
	if (fsync_traced(fd, &wb))
		return setup_error("fsync #6");
	describe("fsync #6", &wb);
	check(wb.covered == npages, "fsync #6 writes back all %zu pages", npages);

	printf("1..%d\n", n);
	if (gup >= 0)
		close(gup);
	munmap(map, LEN);
	close(fd);
	free(buf);
	return fails ? 1 : 0;
}

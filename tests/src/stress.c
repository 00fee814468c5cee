// SPDX-License-Identifier: GPL-2.0
/*
 * stress DIR SECONDS NPROC [RDMA_DEVICE]
 *
 * Concurrency stress of layout leases and long-term pins (issue 8). NPROC
 * worker processes share NFILES files in DIR (a DAX mount) for SECONDS and
 * each does, in random order: take and release unbreakable layout leases,
 * map the files, pin ranges through gup_test's owned mode and (with
 * RDMA_DEVICE) register them as MRs, unpin by ioctl or by close, truncate,
 * grow and punch holes, fork children that try the same with inherited
 * descriptors, and close descriptors in random order. The parent SIGKILLs a
 * random worker now and then and starts a new one.
 *
 * Every call's result must be one its contract allows (see allowed()); and
 * a truncate or hole punch must never succeed on a file that a live worker
 * has pinned (the pin counts are kept in shared memory). Prints the counts
 * of each operation and result; exits 0 only if nothing unexpected
 * happened. The caller checks what outlives the processes: pin counters,
 * /proc/locks, fsck.
 */
#define _GNU_SOURCE
#include <infiniband/verbs.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include "memspec.h"
#include "gup_test.h"

#define NFILES		4
#define FILE_SIZE	(8UL << 20)
#define NSLOTS		6
#define MAXPROC		16

enum op { OP_LEASE, OP_UNLCK, OP_PIN, OP_REG, OP_RELEASE, OP_TRUNC,
	  OP_PUNCH, OP_FORK, OP_CHILD, NOPS };
static const char *const op_name[NOPS] = {
	"lease", "unlck", "pin", "reg_mr", "release", "truncate", "punch",
	"fork", "child-pin",
};

/* Shared between all processes. */
/*
 * Worker w's pins of file f: @live counts them once pinned, @gen changes
 * before one is unpinned. A truncate that saw live > 0 and the same gen and
 * epoch afterwards overlapped a pin the whole time.
 */
struct pinrec {
	int live;
	unsigned int gen;
};

struct shared {
	struct pinrec pins[MAXPROC][NFILES];
	unsigned int epoch[MAXPROC];	/* bumped when worker w died */
	int dying[MAXPROC];		/* worker w may be exiting */
	unsigned long count[NOPS][4];	/* ok, refused, other errno, bug */
	unsigned long bad;
	char last_bad[256];
};

static struct shared *sh;
static const char *dir;
static const char *rdma_dev;
static int me;	/* worker index */

/* A slot: an open file, maybe leased, mapped, pinned or registered. */
struct slot {
	int fd, gup, f;
	char *map;
	size_t len;
	struct ibv_mr *mr;
	int leased;	/* this open file holds a lease */
	int own;	/* the pin is counted against that lease */
	int nofd;	/* the file was closed, the pin kept */
};

static struct slot slots[NSLOTS];
static struct ibv_context *ctx;
static struct ibv_pd *pd;

static unsigned int rnd(unsigned int n)
{
	return (unsigned int)random() % n;
}

static void path_of(int f, char *buf, size_t len)
{
	snprintf(buf, len, "%s/stress%d", dir, f);
}

/* Which errnos each operation may end with. */
static int allowed(enum op op, int err)
{
	switch (op) {
	case OP_LEASE:	/* layout leases never conflict */
		return 0;
	case OP_UNLCK:	/* pinned; no lease on this open file */
		return err == EBUSY || err == EAGAIN;
	case OP_PIN:
	case OP_REG:
	case OP_CHILD:
		/* no lease, orphaned, another process's, beyond EOF */
		return err == EOPNOTSUPP || err == EFAULT;
	case OP_TRUNC:
	case OP_PUNCH:
		return err == ETXTBSY || err == EDEADLK;
	default:
		return 0;
	}
}

static void note(enum op op, int ret, int err)
{
	int k = ret >= 0 ? 0 : allowed(op, err) ? 1 : 2;

	__atomic_add_fetch(&sh->count[op][k], 1, __ATOMIC_RELAXED);
	if (k == 2) {
		__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
		snprintf(sh->last_bad, sizeof(sh->last_bad),
			 "%s: unexpected %s", op_name[op], strerror(err));
	}
}

static void bug(enum op op, const char *what, int f)
{
	__atomic_add_fetch(&sh->count[op][3], 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&sh->bad, 1, __ATOMIC_RELAXED);
	snprintf(sh->last_bad, sizeof(sh->last_bad), "%s: %s (file %d)",
		 op_name[op], what, f);
}

static void pin_gone(int f)
{
	__atomic_add_fetch(&sh->pins[me][f].gen, 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&sh->pins[me][f].live, 1, __ATOMIC_SEQ_CST);
}

static void slot_close(struct slot *s)
{
	if (s->mr || s->gup >= 0)
		pin_gone(s->f);
	if (s->mr)
		ibv_dereg_mr(s->mr);
	if (s->gup >= 0)
		close(s->gup);
	if (s->map)
		munmap(s->map, s->len);
	if (s->fd >= 0)
		close(s->fd);
	s->fd = s->gup = -1;
	s->map = NULL;
	s->mr = NULL;
	s->leased = s->own = s->nofd = 0;
}

static struct slot *free_slot(void)
{
	struct slot *s = &slots[rnd(NSLOTS)];

	if (s->fd >= 0)
		slot_close(s);
	return s;
}

static struct slot *used_slot(void)
{
	struct slot *s = &slots[rnd(NSLOTS)];

	return s->fd >= 0 ? s : NULL;
}

/* Open a file, take the lease (mostly), map part of it. */
static void op_lease(void)
{
	struct slot *s = free_slot();
	char p[256];
	int ret;

	s->f = rnd(NFILES);
	path_of(s->f, p, sizeof(p));
	s->fd = open(p, O_RDWR);
	if (s->fd < 0)
		return;
	if (rnd(8)) {
		ret = fcntl(s->fd, F_SETLEASE, F_LAYOUT | F_EXCLUSIVE);
		s->leased = !ret;
		note(OP_LEASE, ret, errno);
	}
	s->len = (1 + rnd(4)) << 20;
	s->map = mmap(NULL, s->len, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd,
		      (off_t)rnd(FILE_SIZE / s->len) * s->len);
	if (s->map == MAP_FAILED)
		s->map = NULL;
}

static void op_unlck(void)
{
	struct slot *s = used_slot();
	int ret;

	if (!s || s->nofd)
		return;
	ret = fcntl(s->fd, F_SETLEASE, F_UNLCK);
	if (!ret && s->own && (s->gup >= 0 || s->mr))
		bug(OP_UNLCK, "F_UNLCK succeeded with pins under the lease", s->f);
	if (!ret)
		s->leased = 0;
	note(OP_UNLCK, ret, errno);
}

/* A pin through a mapping of a leased file is counted against that lease. */
static void op_pin(int reg)
{
	struct slot *s = used_slot();
	struct pin_longterm_test a;
	int ret, err;

	if (!s || !s->map || s->gup >= 0 || s->mr || (reg && !pd))
		return;
	if (reg) {
		s->mr = ibv_reg_mr(pd, s->map, s->len, IBV_ACCESS_LOCAL_WRITE |
				   IBV_ACCESS_REMOTE_WRITE);
		ret = s->mr ? 0 : -1;
		err = errno;
	} else {
		s->gup = open(GUP_TEST, O_RDWR);
		a.addr = (uintptr_t)s->map;
		a.size = s->len;
		a.flags = FLAG_WRITE | FLAG_OWNER;
		ret = s->gup < 0 ? -1 : ioctl(s->gup, PIN_LONGTERM_TEST_START, &a);
		err = errno;
		if (ret && s->gup >= 0) {
			close(s->gup);
			s->gup = -1;
		}
	}
	if (!ret) {
		__atomic_add_fetch(&sh->pins[me][s->f].live, 1, __ATOMIC_SEQ_CST);
		s->own = s->leased;
	}
	note(reg ? OP_REG : OP_PIN, ret, err);
}

/* Undo something of a slot, in a random order. */
static void op_release(void)
{
	struct slot *s = used_slot();
	int ret = 0;

	if (!s)
		return;
	switch (rnd(5)) {
	case 0:
		if (s->gup >= 0) {
			pin_gone(s->f);
			ret = ioctl(s->gup, PIN_LONGTERM_TEST_STOP);
			close(s->gup);
			s->gup = -1;
		}
		break;
	case 1:
		if (s->mr) {
			pin_gone(s->f);
			ret = ibv_dereg_mr(s->mr);
			s->mr = NULL;
		}
		break;
	case 2:	/* close the leased file, keep the pins: orphans the lease */
		if (s->map && !s->mr && s->gup < 0) {
			munmap(s->map, s->len);
			s->map = NULL;
		}
		break;
	case 3:
		if (!s->nofd && (s->mr || s->gup >= 0)) {
			ret = close(s->fd);
			s->fd = open("/dev/null", O_RDONLY);
			s->nofd = 1;
		}
		break;
	default:
		slot_close(s);
		break;
	}
	note(OP_RELEASE, ret ? -1 : 0, errno);
}

/* Did a pin of @f by a live worker overlap the whole call? */
static int pinned_throughout(int f, const struct pinrec *before,
			     const unsigned int *epoch)
{
	int w;

	for (w = 0; w < MAXPROC; w++)
		if (before[w].live > 0 && epoch[w] != ~0U &&
		    __atomic_load_n(&sh->pins[w][f].gen, __ATOMIC_SEQ_CST) == before[w].gen &&
		    __atomic_load_n(&sh->epoch[w], __ATOMIC_SEQ_CST) == epoch[w] &&
		    !__atomic_load_n(&sh->dying[w], __ATOMIC_SEQ_CST))
			return 1;
	return 0;
}

static void op_layout_change(int punch)
{
	int f = rnd(NFILES), w, fd, ret, err;
	struct pinrec before[MAXPROC];
	unsigned int epoch[MAXPROC];
	char p[256];
	off_t off;

	path_of(f, p, sizeof(p));
	fd = open(p, O_RDWR);
	if (fd < 0)
		return;
	for (w = 0; w < MAXPROC; w++) {
		epoch[w] = __atomic_load_n(&sh->epoch[w], __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&sh->dying[w], __ATOMIC_SEQ_CST))
			epoch[w] = ~0U;	/* its pins may go any time */
		before[w].gen = __atomic_load_n(&sh->pins[w][f].gen, __ATOMIC_SEQ_CST);
		before[w].live = __atomic_load_n(&sh->pins[w][f].live, __ATOMIC_SEQ_CST);
	}
	off = (off_t)rnd(FILE_SIZE >> 12) << 12;
	if (punch) {
		ret = fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				off, 1 + rnd(1 << 20));
	} else {
		/* Shrink, then grow back: the workers' mappings stay valid. */
		ret = ftruncate(fd, off);
		if (!ret)
			ret = ftruncate(fd, FILE_SIZE);
	}
	err = errno;
	if (!ret && pinned_throughout(f, before, epoch))
		bug(punch ? OP_PUNCH : OP_TRUNC, "succeeded on a pinned file", f);
	note(punch ? OP_PUNCH : OP_TRUNC, ret, err);
	close(fd);
}

/* A child with the inherited descriptors: its pins must be refused. */
static void op_fork(void)
{
	struct slot *s = used_slot();
	pid_t pid;
	int st;

	pid = fork();
	if (pid < 0) {
		note(OP_FORK, -1, errno);
		return;
	}
	if (!pid) {
		struct pin_longterm_test a;
		int gup, ret;

		if (s && s->map) {
			gup = open(GUP_TEST, O_RDWR);
			a.addr = (uintptr_t)s->map;
			a.size = s->len;
			a.flags = FLAG_WRITE | FLAG_OWNER;
			ret = ioctl(gup, PIN_LONGTERM_TEST_START, &a);
			if (!ret)	/* never another process's lease */
				bug(OP_CHILD, "a child pinned under its parent's lease",
				    s->f);
			note(OP_CHILD, ret, errno);
		}
		_exit(0);
	}
	waitpid(pid, &st, 0);
	note(OP_FORK, 0, 0);
}

static int worker(int w, unsigned int seed, time_t deadline)
{
	struct ibv_device **list;
	int i, n;

	me = w;
	srandom(seed);
	for (i = 0; i < NSLOTS; i++)
		slots[i].fd = slots[i].gup = -1;
	if (rdma_dev) {
		list = ibv_get_device_list(&n);
		for (i = 0; list && i < n; i++)
			if (!strcmp(ibv_get_device_name(list[i]), rdma_dev))
				ctx = ibv_open_device(list[i]);
		pd = ctx ? ibv_alloc_pd(ctx) : NULL;
		if (!pd)
			fprintf(stderr, "stress: no PD on %s\n", rdma_dev);
	}
	while (time(NULL) < deadline) {
		switch (rnd(20)) {
		case 0: case 1: case 2: case 3:
			op_lease();
			break;
		case 4:
			op_unlck();
			break;
		case 5: case 6: case 7:
			op_pin(0);
			break;
		case 8: case 9:
			op_pin(1);
			break;
		case 10: case 11: case 12: case 13:
			op_release();
			break;
		case 14: case 15:
			op_layout_change(0);
			break;
		case 16: case 17:
			op_layout_change(1);
			break;
		case 18:
			op_fork();
			break;
		default:	/* close everything in a random order */
			for (i = 0; i < NSLOTS; i++)
				if (rnd(2) && slots[i].fd >= 0)
					slot_close(&slots[i]);
		}
	}
	/* Leave the rest to exit: files, pins and MRs go in exit's order. */
	__atomic_store_n(&sh->dying[w], 1, __ATOMIC_SEQ_CST);
	return 0;
}

int main(int argc, char **argv)
{
	int nproc, secs, i, w, st, kills = 0, spawned = 0;
	pid_t pids[MAXPROC];
	char p[256], *buf;
	time_t deadline;

	if (argc < 4) {
		fprintf(stderr, "usage: stress DIR SECONDS NPROC [RDMA_DEVICE]\n");
		return 2;
	}
	dir = argv[1];
	secs = atoi(argv[2]);
	nproc = atoi(argv[3]);
	rdma_dev = argc > 4 ? argv[4] : NULL;
	if (nproc < 1 || nproc > MAXPROC)
		return 2;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	buf = malloc(FILE_SIZE);
	if (sh == MAP_FAILED || !buf)
		return 2;
	memset(buf, 0x5a, FILE_SIZE);
	for (i = 0; i < NFILES; i++) {
		int fd;

		path_of(i, p, sizeof(p));
		fd = open(p, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || pwrite(fd, buf, FILE_SIZE, 0) != (ssize_t)FILE_SIZE) {
			perror(p);
			return 2;
		}
		close(fd);
	}
	deadline = time(NULL) + secs;
	for (w = 0; w < nproc; w++) {
		pids[w] = fork();
		if (!pids[w])
			_exit(worker(w, 1000 + w, deadline));
		spawned++;
	}
	srandom(getpid());
	while (time(NULL) < deadline) {
		struct timespec ts = { 0, 50000000 + rnd(200) * 1000000L };

		nanosleep(&ts, NULL);
		if (rnd(3))
			continue;
		w = rnd(nproc);
		__atomic_store_n(&sh->dying[w], 1, __ATOMIC_SEQ_CST);
		kill(pids[w], SIGKILL);
		waitpid(pids[w], &st, 0);
		__atomic_add_fetch(&sh->epoch[w], 1, __ATOMIC_SEQ_CST);
		memset(sh->pins[w], 0, sizeof(sh->pins[w]));
		__atomic_store_n(&sh->dying[w], 0, __ATOMIC_SEQ_CST);
		kills++;
		pids[w] = fork();
		if (!pids[w])
			_exit(worker(w, 2000 + spawned, deadline));
		spawned++;
	}
	for (w = 0; w < nproc; w++) {
		waitpid(pids[w], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			fprintf(stderr, "stress: worker %d: status %#x\n", w, st);
	}
	printf("# stress %s: %d s, %d workers, %d started, %d SIGKILLed\n",
	       dir, secs, nproc, spawned, kills);
	for (i = 0; i < NOPS; i++)
		printf("# %-9s ok %lu refused %lu unexpected %lu violations %lu\n",
		       op_name[i], sh->count[i][0], sh->count[i][1],
		       sh->count[i][2], sh->count[i][3]);
	if (sh->bad)
		printf("# %lu unexpected results, last: %s\n", sh->bad,
		       sh->last_bad);
	return sh->bad ? 1 : 0;
}

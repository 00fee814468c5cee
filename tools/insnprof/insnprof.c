// SPDX-License-Identifier: GPL-2.0
/*
 * insnprof: a QEMU TCG plugin that counts the guest instructions executed
 * inside windows the guest marks itself, per translation block, so that a
 * difference in guest time under -icount (1 ns = 1 instruction, make bench)
 * can be split between kernel functions exactly, not sampled.
 *
 * The guest opens and closes a window by executing "xchg %bx,%bx" (66 87 db)
 * in user mode (pin_bench with PIN_BENCH_MARK=1 does it around each timed
 * operation). While a window is open, every executed block adds its number of
 * instructions to a counter for its start address and vCPU. Closing a window
 * appends "window N" and one "vcpu address count" line per block to the file
 * named by the plugin argument out=FILE (scripts/insn-profile symbolizes it).
 *
 * Written against the plugin API of Debian bookworm's QEMU 7.2 (API version
 * 1), declared here for the few entry points used, so that no QEMU headers
 * are needed to build it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
typedef struct qemu_info_t qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *udata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *udata);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn,
					    qemu_plugin_vcpu_udata_cb_t cb,
					    enum qemu_plugin_cb_flags flags,
					    void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id,
				    qemu_plugin_udata_cb_t cb, void *udata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define MAX_VCPUS	8
#define USER_TOP	0x0000800000000000ULL

/* One translated block: what it adds while a window is open. */
struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t count[MAX_VCPUS];	/* instructions, this window */
	struct block *next_used;	/* blocks counted this window */
	int used;
};

/* Blocks by start address (a block may be translated again: same record). */
#define NBUCKETS	(1 << 16)
struct entry {
	struct block b;
	struct entry *next;
};
static struct entry *buckets[NBUCKETS];
static struct block *used;
static int open_window, windows;
static FILE *out;

static struct block *block_for(uint64_t vaddr, uint64_t insns)
{
	unsigned int h = (unsigned int)((vaddr ^ (vaddr >> 17) ^ insns) *
					2654435761u) & (NBUCKETS - 1);
	struct entry *e;

	for (e = buckets[h]; e; e = e->next)
		if (e->b.vaddr == vaddr && e->b.insns == insns)
			return &e->b;
	e = calloc(1, sizeof(*e));
	if (!e)
		abort();
	e->b.vaddr = vaddr;
	e->b.insns = insns;
	e->next = buckets[h];
	buckets[h] = e;
	return &e->b;
}

/* Executed once per block execution: TCG runs one vCPU at a time here. */
static void block_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (!open_window)
		return;
	if (!b->used) {
		b->used = 1;
		b->next_used = used;
		used = b;
	}
	b->count[vcpu < MAX_VCPUS ? vcpu : MAX_VCPUS - 1] += b->insns;
}

static void close_window(void)
{
	struct block *b;
	unsigned int v;

	fprintf(out, "window %d\n", windows++);
	for (b = used; b; b = b->next_used) {
		for (v = 0; v < MAX_VCPUS; v++) {
			if (b->count[v])
				fprintf(out, "%u %llx %llu\n", v,
					(unsigned long long)b->vaddr,
					(unsigned long long)b->count[v]);
			b->count[v] = 0;
		}
		b->used = 0;
	}
	used = NULL;
	fflush(out);
}

/* The mark: opens a window, or closes the open one. */
static void mark_exec(unsigned int vcpu, void *udata)
{
	if (open_window)
		close_window();
	open_window = !open_window;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);

	qemu_plugin_register_vcpu_tb_exec_cb(tb, block_exec,
					     QEMU_PLUGIN_CB_NO_REGS,
					     block_for(vaddr, n));
	if (vaddr >= USER_TOP)
		return;
	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		const unsigned char *d = qemu_plugin_insn_data(insn);

		if (qemu_plugin_insn_size(insn) == 3 &&
		    d[0] == 0x66 && d[1] == 0x87 && d[2] == 0xdb)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, mark_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       NULL);
	}
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	if (open_window)
		close_window();
	fclose(out);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	const char *path = NULL;
	int i;

	for (i = 0; i < argc; i++)
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
	if (!path) {
		fprintf(stderr, "insnprof: out=FILE is required\n");
		return -1;
	}
	out = fopen(path, "w");
	if (!out) {
		perror(path);
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}

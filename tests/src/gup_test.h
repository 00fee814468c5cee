/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The PIN_LONGTERM_TEST ioctls of /sys/kernel/debug/gup_test (mm/gup_test.h;
 * the owned mode, FLAG_OWNER, is the series' patch 11), for the test
 * programs that pin without RDMA hardware.
 */
#ifndef FSDAX_TESTS_GUP_TEST_H
#define FSDAX_TESTS_GUP_TEST_H
#include <stdint.h>
#include <sys/ioctl.h>

#define GUP_TEST	"/sys/kernel/debug/gup_test"
#define PIN_LONGTERM_TEST_START	_IOW('g', 7, struct pin_longterm_test)
#define PIN_LONGTERM_TEST_STOP	_IO('g', 8)
#define FLAG_WRITE	1	/* PIN_LONGTERM_TEST_FLAG_USE_WRITE */
#define FLAG_OWNER	4	/* PIN_LONGTERM_TEST_FLAG_USE_OWNER */

struct pin_longterm_test {
	uint64_t addr;
	uint64_t size;
	uint32_t flags;
};

#endif

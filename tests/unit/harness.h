/* SPDX-License-Identifier: MIT */
/*
 * Shared helpers for gensim's unit tests: a small device with the first
 * HARNESS_MAPPED bytes of graphics memory identity-mapped onto machine
 * memory, register pokes by offset, and ring submission.
 */
#ifndef VGT_TEST_HARNESS_H
#define VGT_TEST_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "gensim.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"

#define HARNESS_MEMORY  (64ull << 20)
#define HARNESS_MAPPED  (32u << 20)

struct harness_irq {
	uint64_t count;
	bool msi;
	uint64_t addr;
	uint32_t data;
};

static inline void harness_irq_fn(void *opaque, bool msi, uint64_t addr, uint32_t data)
{
	struct harness_irq *h = opaque;

	h->count++;
	h->msi = msi;
	h->addr = addr;
	h->data = data;
}

static inline struct gensim *harness_create(struct harness_irq *irq)
{
	struct gensim_config cfg;
	struct gensim *gs = NULL;

	gensim_config_init(&cfg);
	cfg.memory_size = HARNESS_MEMORY;
	cfg.aperture_size = 64ull << 20;
	if (irq) {
		memset(irq, 0, sizeof(*irq));
		cfg.irq = harness_irq_fn;
		cfg.irq_opaque = irq;
	}
	assert_int_equal(gensim_create(&cfg, &gs), 0);
	for (uint32_t i = 0; i < HARNESS_MAPPED / 4096u; i++)
		assert_int_equal(gensim_gtt_write(gs, i, HSW_PTE_ENCODE((uint64_t)i * 4096u) |
						  HSW_PTE_VALID), 0);
	return gs;
}

static inline uint32_t rd(struct gensim *gs, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(gensim_mmio_read(gs, off, 4, &v), 0);
	return (uint32_t)v;
}

static inline void wr(struct gensim *gs, uint32_t off, uint32_t val)
{
	assert_int_equal(gensim_mmio_write(gs, off, 4, val), 0);
}

static inline uint32_t mem32(struct gensim *gs, uint64_t pa)
{
	uint32_t v = 0;

	assert_int_equal(gensim_mem_read(gs, pa, &v, 4), 0);
	return v;
}

static inline void put32(struct gensim *gs, uint64_t pa, uint32_t v)
{
	assert_int_equal(gensim_mem_write(gs, pa, &v, 4), 0);
}

static inline void put_dwords(struct gensim *gs, uint64_t pa, const uint32_t *dw, size_t n)
{
	assert_int_equal(gensim_mem_write(gs, pa, dw, n * 4), 0);
}

/* A ring in identity-mapped graphics memory. */
struct harness_ring {
	uint32_t base, hws_pga;
	uint32_t gm, size, tail, hwsp;
};

static inline void ring_init(struct gensim *gs, struct harness_ring *r, enum gensim_engine_id e,
			     uint32_t gm, uint32_t size, uint32_t hwsp)
{
	static const uint32_t bases[] = { HSW_RCS_BASE, HSW_VCS_BASE, HSW_BCS_BASE, HSW_VECS_BASE };
	static const uint32_t pgas[] = { HSW_RCS_HWS_PGA, HSW_VCS_HWS_PGA, HSW_BCS_HWS_PGA,
					 HSW_VECS_HWS_PGA };

	r->base = bases[e];
	r->hws_pga = pgas[e];
	r->gm = gm;
	r->size = size;
	r->tail = 0;
	r->hwsp = hwsp;
	wr(gs, r->hws_pga, hwsp);
	wr(gs, HSW_RING_START(r->base), gm);
	wr(gs, HSW_RING_HEAD(r->base), 0);
	wr(gs, HSW_RING_TAIL(r->base), 0);
	wr(gs, HSW_RING_CTL(r->base), (size - 4096u) | HSW_RING_VALID);
}

/* Copies commands to the ring (wrapping) without moving TAIL. */
static inline void ring_put(struct gensim *gs, struct harness_ring *r, const uint32_t *dw, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		put32(gs, r->gm + r->tail, dw[i]);
		r->tail = (r->tail + 4u) % r->size;
	}
}

static inline void ring_kick(struct gensim *gs, struct harness_ring *r)
{
	wr(gs, HSW_RING_TAIL(r->base), r->tail);
}

/* Emits, pads to a qword, kicks and runs until idle. */
static inline void ring_submit(struct gensim *gs, struct harness_ring *r, const uint32_t *dw, size_t n)
{
	static const uint32_t noop = HSW_MI_NOOP;

	ring_put(gs, r, dw, n);
	if (n & 1u)
		ring_put(gs, r, &noop, 1);
	ring_kick(gs, r);
	assert_true(gensim_run_until_idle(gs, 1u << 24) >= 0);
}

static inline struct gensim_engine_state engine_state(struct gensim *gs, enum gensim_engine_id e)
{
	struct gensim_engine_state st;

	assert_int_equal(gensim_engine_state(gs, e, &st), 0);
	return st;
}

static inline struct gensim_stats stats(struct gensim *gs)
{
	struct gensim_stats st;

	gensim_get_stats(gs, &st);
	return st;
}

#endif /* VGT_TEST_HARNESS_H */

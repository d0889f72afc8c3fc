/* SPDX-License-Identifier: MIT */
/*
 * Helpers for the mediator-core tests: gensim as the host GPU, a libvgt
 * host on it, and in-process guests whose RAM lies in gensim's machine
 * memory.  Checksums cover what a hostile guest must not be able to touch.
 */
#ifndef VGT_TEST_CORE_HARNESS_H
#define VGT_TEST_CORE_HARNESS_H

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"
#include "gensim_hw.h"
#include "inproc.h"
#include "vgt/vgt.h"

#define CH_MEMORY      (512ull << 20)
#define CH_GUEST_RAM   (16ull << 20)
#define CH_GUEST_BASE  (128ull << 20)     /* guest i's RAM: CH_GUEST_BASE + i * CH_GUEST_RAM */
#define CH_MAX_GUESTS  4

struct core_harness {
	struct gensim *gs;
	struct vgt_host *host;
	struct vgt_inproc_guest guest[CH_MAX_GUESTS];
	unsigned nguests;
	unsigned log_lines;
};

static inline void ch_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	struct core_harness *h = opaque;

	(void)level;
	(void)msg;
	h->log_lines++;
}

static inline void ch_create(struct core_harness *h)
{
	struct gensim_config cfg;
	struct vgt_host_params p = { 0 };
	struct vgt_error err = { { 0 } };

	memset(h, 0, sizeof(*h));
	gensim_config_init(&cfg);
	cfg.memory_size = CH_MEMORY;
	assert_int_equal(gensim_create(&cfg, &h->gs), 0);
	p.hw = &gensim_hw_ops;
	p.hw_handle = h->gs;
	p.log = ch_log;
	p.log_opaque = h;
	if (vgt_host_create(&p, &h->host, &err))
		fail_msg("vgt_host_create: %s", err.msg);
}

/* Adds guest i (domid i) of @type; RAM at CH_GUEST_BASE + i * CH_GUEST_RAM. */
static inline struct vgt_inproc_guest *ch_add_guest(struct core_harness *h, const char *type)
{
	struct vgt_vgpu_params p = { 0 };
	struct vgt_error err = { { 0 } };
	unsigned i = h->nguests;

	assert_true(i < CH_MAX_GUESTS);
	p.domid = i;
	p.type = type;
	if (vgt_inproc_guest_init(&h->guest[i], h->host, h->gs, CH_GUEST_BASE + i * CH_GUEST_RAM,
				  CH_GUEST_RAM, &p, &err))
		fail_msg("guest %u: %s", i, err.msg);
	h->nguests++;
	return &h->guest[i];
}

/* dom0-sized guest 0 and three domU-sized guests. */
static inline void ch_four_guests(struct core_harness *h)
{
	ch_add_guest(h, "vgt-128");
	ch_add_guest(h, "vgt-64");
	ch_add_guest(h, "vgt-64");
	ch_add_guest(h, "vgt-64");
}

static inline void ch_destroy(struct core_harness *h)
{
	for (unsigned i = 0; i < h->nguests; i++)
		vgt_inproc_guest_fini(&h->guest[i]);
	vgt_host_destroy(h->host);
	gensim_destroy(h->gs);
}

/* FNV-1a over 64-bit words (lengths here are multiples of 4; a tail is padded). */
static inline uint64_t fnv1a(uint64_t hash, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i += 8) {
		uint64_t w = 0;

		memcpy(&w, p + i, len - i < 8 ? len - i : 8);
		hash = (hash ^ w) * 0x100000001B3ull;
	}
	return hash;
}

/* Checksum of machine memory [pa, pa + len). */
static inline uint64_t ch_mem_sum(struct core_harness *h, uint64_t pa, uint64_t len)
{
	const void *p = gensim_mem_ptr(h->gs, pa, len);

	assert_non_null(p);
	return fnv1a(0xCBF29CE484222325ull, p, len);
}

static inline uint64_t ch_guest_ram_sum(struct core_harness *h, unsigned i)
{
	return ch_mem_sum(h, h->guest[i].ram_maddr, h->guest[i].ram_size);
}

/* Checksum of every host GTT entry. */
static inline uint64_t ch_gtt_sum(struct core_harness *h)
{
	uint64_t hash = 0xCBF29CE484222325ull;

	for (uint32_t i = 0; i < gensim_gtt_entries(h->gs); i++) {
		uint32_t pte = 0;

		assert_int_equal(gensim_gtt_read(h->gs, i, &pte), 0);
		hash = fnv1a(hash, &pte, sizeof(pte));
	}
	return hash;
}

/* Checksum of the host GTT entries of one graphics-memory range. */
static inline uint64_t ch_gtt_range_sum(struct core_harness *h, struct vgt_range r)
{
	uint64_t hash = 0xCBF29CE484222325ull;

	for (uint64_t gm = r.base; gm < r.base + r.size; gm += 4096) {
		uint32_t pte = 0;

		assert_int_equal(gensim_gtt_read(h->gs, (uint32_t)(gm >> 12), &pte), 0);
		hash = fnv1a(hash, &pte, sizeof(pte));
	}
	return hash;
}

/* Host fence registers, all 32 of them. */
static inline uint64_t ch_fence_sum(struct core_harness *h)
{
	uint64_t hash = 0xCBF29CE484222325ull;

	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++) {
		uint64_t v = 0;

		assert_int_equal(gensim_mmio_read(h->gs, HSW_FENCE_LO(i), 8, &v), 0);
		hash = fnv1a(hash, &v, sizeof(v));
	}
	return hash;
}

static inline struct vgt_vgpu_info ch_info(struct vgt_inproc_guest *g)
{
	struct vgt_vgpu_info info;

	vgt_vgpu_get_info(g->vgpu, &info);
	return info;
}

/* The host's scratch PTE: what the mediator's own aperture slice, which it never maps, holds. */
static inline uint32_t ch_host_scratch_pte(struct core_harness *h)
{
	struct vgt_host_info hi;
	uint32_t pte = 0;

	vgt_host_get_info(h->host, &hi);
	assert_int_equal(gensim_gtt_read(h->gs, (uint32_t)(hi.host_low.base >> 12), &pte), 0);
	return pte;
}

/* One dword of a reference-driver buffer, through the driver. */
static inline uint32_t bo_rd32(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off)
{
	uint32_t v = 0;

	assert_int_equal(refdrv_bo_read(d, bo, off, &v, 4), 0);
	return v;
}

static inline void bo_wr32(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off, uint32_t v)
{
	assert_int_equal(refdrv_bo_write(d, bo, off, &v, 4), 0);
}

/* A vGPU's own scratch PTE: what its cleared entries and untouched slices map. */
static inline uint32_t ch_vgpu_scratch_pte(struct vgt_inproc_guest *g)
{
	return HSW_PTE_ENCODE(ch_info(g).scratch_maddr) | HSW_PTE_VALID;
}

/* Guest-side access helpers through the vGPU entry points. */
static inline uint32_t vrd(struct vgt_inproc_guest *g, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 0, off, 4, &v), 0);
	return (uint32_t)v;
}

static inline void vwr(struct vgt_inproc_guest *g, uint32_t off, uint32_t val)
{
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 0, off, 4, val), 0);
}

static inline uint32_t vcfg(struct vgt_inproc_guest *g, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	assert_int_equal(vgt_vgpu_cfg_read(g->vgpu, off, size, &v), 0);
	return v;
}

static inline void vcfg_wr(struct vgt_inproc_guest *g, uint32_t off, unsigned size, uint32_t val)
{
	assert_int_equal(vgt_vgpu_cfg_write(g->vgpu, off, size, val), 0);
}

/* Writes guest GTT entry @idx mapping guest-physical @gpa. */
static inline void vgtt_wr(struct vgt_inproc_guest *g, uint32_t idx, uint64_t gpa)
{
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 0, HSW_GTT_OFFSET + 4ull * idx, 4,
					     HSW_PTE_ENCODE(gpa) | HSW_PTE_VALID), 0);
}

#endif /* VGT_TEST_CORE_HARNESS_H */

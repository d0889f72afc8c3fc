/* SPDX-License-Identifier: MIT */
/*
 * The world every guest-facing fuzz target attacks: gensim and a libvgt
 * host with a victim domain, all long-lived, and for each input a fresh
 * attacker domain whose accesses the input describes.  After the input,
 * the invariants that must hold whatever the attacker did are checked; a
 * violation aborts, so libFuzzer (or the regression replay) reports it.
 *
 * The attacker's vGPU is created anew for every input (it lands on the
 * same slices each time) and its RAM is cleared, so an input's effect does
 * not depend on the inputs before it, short of the shared GPU's own state.
 */
#ifndef VGT_FUZZ_ENV_H
#define VGT_FUZZ_ENV_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim.h"
#include "gensim_hw.h"
#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "vgt/vgt.h"

#define FZ_MEMORY      (40ull << 20)
#define FZ_VICTIM_RAM  (32ull << 20)
#define FZ_VICTIM_SIZE (1ull << 20)
#define FZ_ATTACK_RAM  (34ull << 20)
#define FZ_ATTACK_SIZE (2ull << 20)

struct fz_env {
	struct gensim *gs;
	struct vgt_host *host;
	struct vgt_inproc_guest victim, attacker;
	struct vgt_vgpu_info vi, ai;
	struct vgt_host_info hi;
	uint32_t *gtt, *gtt_before;     /* host GTT snapshots */
	uint8_t *victim_before;         /* the victim's RAM as it was */
	uint64_t fences_other, cmd_errors;
};

#define FZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

static inline void fz_quiet(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque; (void)level; (void)msg;
}

static inline uint64_t fz_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;

		memcpy(&w, b + i, n - i < 8 ? n - i : 8);
		h = (h ^ w) * 0x100000001B3ull;
	}
	return h;
}

static inline bool fz_owned(const struct vgt_vgpu_info *g, uint64_t gm)
{
	return (gm >= g->low.base && gm < g->low.base + g->low.size) ||
	       (gm >= g->high.base && gm < g->high.base + g->high.size);
}

/* Fences that are not the attacker's. */
static inline uint64_t fz_fence_sum(struct fz_env *e)
{
	uint64_t f = 0xCBF29CE484222325ull;
	bool mine[32] = { false };

	for (uint32_t i = 0; i < e->ai.fences; i++)
		mine[e->ai.host_fence[i]] = true;
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++) {
		uint64_t v = 0;

		if (mine[i])
			continue;
		gensim_mmio_read(e->gs, HSW_FENCE_LO(i), 8, &v);
		f = fz_hash(f, &v, 8);
	}
	return f;
}

/* The host GTT outside the attacker's slices is what it was (memcmp: fast). */
static inline bool fz_gtt_outside_same(struct fz_env *e)
{
	uint32_t n = gensim_gtt_entries(e->gs);
	uint32_t lo0 = (uint32_t)(e->ai.low.base >> 12), lo1 = lo0 + (uint32_t)(e->ai.low.size >> 12);
	uint32_t hi0 = (uint32_t)(e->ai.high.base >> 12), hi1 = hi0 + (uint32_t)(e->ai.high.size >> 12);

	return !memcmp(e->gtt, e->gtt_before, (size_t)lo0 * 4) &&
	       !memcmp(e->gtt + lo1, e->gtt_before + lo1, (size_t)(hi0 - lo1) * 4) &&
	       !memcmp(e->gtt + hi1, e->gtt_before + hi1, (size_t)(n - hi1) * 4);
}

static struct fz_env fz_world;

/* The long-lived part: created on the first input, kept for the process. */
static inline void fz_world_up(struct fz_env *e)
{
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = fz_quiet, .hang_ns = 20000000,
				      .host_low_mb = 16 };
	struct vgt_vgpu_params vp = { .domid = 1, .low_mb = 16, .high_mb = 32, .fences = 2, .weight = 1 };
	struct gensim_config cfg;
	struct vgt_error err;
	uint32_t pattern = 0x5AFE5AFE;

	gensim_config_init(&cfg);
	cfg.memory_size = FZ_MEMORY;
	cfg.aperture_size = 128ull << 20;
	FZ_CHECK(!gensim_create(&cfg, &e->gs), "gensim");
	hp.hw_handle = e->gs;
	FZ_CHECK(!vgt_host_create(&hp, &e->host, &err), "host: %s", err.msg);
	FZ_CHECK(!vgt_inproc_guest_init(&e->victim, e->host, e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE, &vp,
					&err), "victim: %s", err.msg);
	vgt_vgpu_get_info(e->victim.vgpu, &e->vi);
	/* The victim maps a page with something in it. */
	vgt_vgpu_mmio_write(e->victim.vgpu, 0, HSW_GTT_OFFSET + 4 * (e->vi.low.base >> 12), 4,
			    HSW_PTE_ENCODE(0x1000ull) | HSW_PTE_VALID);
	gensim_mem_write(e->gs, FZ_VICTIM_RAM + 0x1000, &pattern, 4);
	e->gtt = malloc((size_t)gensim_gtt_entries(e->gs) * sizeof(*e->gtt));
	e->gtt_before = malloc((size_t)gensim_gtt_entries(e->gs) * sizeof(*e->gtt));
	e->victim_before = malloc(FZ_VICTIM_SIZE);
	FZ_CHECK(e->gtt && e->gtt_before && e->victim_before, "out of memory");
}

static inline struct fz_env *fz_setup(void)
{
	struct vgt_vgpu_params ap = { .domid = 2, .low_mb = 16, .high_mb = 32, .fences = 2, .weight = 1 };
	struct fz_env *e = &fz_world;
	struct gensim_stats st;
	struct vgt_error err;

	if (!e->gs)
		fz_world_up(e);
	memset(gensim_mem_ptr(e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE), 0, FZ_ATTACK_SIZE);
	FZ_CHECK(!vgt_inproc_guest_init(&e->attacker, e->host, e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE, &ap,
					&err), "attacker: %s", err.msg);
	vgt_vgpu_get_info(e->attacker.vgpu, &e->ai);
	vgt_host_get_info(e->host, &e->hi);
	memcpy(e->victim_before, gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE), FZ_VICTIM_SIZE);
	gensim_gtt_snapshot(e->gs, e->gtt_before);
	e->fences_other = fz_fence_sum(e);
	gensim_get_stats(e->gs, &st);
	e->cmd_errors = st.cmd_errors;
	return e;
}

/* What no input may change, and what the attacker's own GTT may point at. */
static inline void fz_check(struct fz_env *e)
{
	struct vgt_vgpu_info vi;
	struct gensim_stats st;

	gensim_gtt_snapshot(e->gs, e->gtt);
	FZ_CHECK(fz_gtt_outside_same(e), "a host GTT entry outside the attacker's slices changed");
	FZ_CHECK(fz_fence_sum(e) == e->fences_other, "a fence that is not the attacker's changed");
	FZ_CHECK(!memcmp(gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE), e->victim_before,
			 FZ_VICTIM_SIZE), "the victim's memory changed");
	for (uint64_t gm = e->ai.low.base; gm < e->ai.high.base + e->ai.high.size; gm += 4096) {
		uint32_t pte = e->gtt[gm >> 12];
		uint64_t pa;

		if (!fz_owned(&e->ai, gm) || !(pte & HSW_PTE_VALID))
			continue;
		pa = HSW_PTE_DECODE(pte);
		FZ_CHECK(pa >= FZ_ATTACK_RAM && pa < FZ_ATTACK_RAM + FZ_ATTACK_SIZE,
			 "the attacker's GTT maps machine page 0x%llx, not its own", (unsigned long long)pa);
	}
	vgt_vgpu_get_info(e->victim.vgpu, &vi);
	FZ_CHECK(!vi.guest_errors && !vi.failsafe, "the victim was blamed: %s", vi.first_error);
	gensim_get_stats(e->gs, &st);
	/* The audit must refuse whatever the GPU would choke on. */
	FZ_CHECK(st.cmd_errors == e->cmd_errors, "a command the audit passed halted the GPU");
}

/* The attacker goes; its slices and fences return to the host. */
static inline void fz_teardown(struct fz_env *e)
{
	vgt_inproc_guest_fini(&e->attacker);
}

/* A little-endian reader over the fuzz input. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fz_take(struct fz_in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

#endif /* VGT_FUZZ_ENV_H */

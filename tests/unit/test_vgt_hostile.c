/* SPDX-License-Identifier: MIT */
/*
 * Adversarial tests of libvgt: one hostile guest among four attacks the
 * mediator through the trapped-access entry points (BAR0 registers and
 * GTT, BAR2 aperture, BAR4 ports, PCI config) and the admission path.
 *
 * Every test takes checksums of what the attacker must not be able to
 * touch (the other guests' RAM, the mediator's own GTT slices, the whole
 * host GTT, the host fences), runs the attack and then checks that the
 * damage was contained: the checksums are unchanged, the attacker's bad
 * accesses were counted under the right kind and latched failsafe, the
 * other vGPUs saw no error, and they still work.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"

#define MIB            (1ull << 20)
#define PAGE           4096u
#define ALL_ONES       (~0ull)
#define SCRATCH_MADDR  (64ull << 20)   /* machine memory below the guests' RAM */

/* ---- Fixture ---------------------------------------------------------------- */

struct fx {
	struct core_harness h;
	struct vgt_host_info hi;
	struct vgt_vgpu_info gi[CH_MAX_GUESTS];   /* as created */
	unsigned attacker;
	uint64_t ram_sum[CH_MAX_GUESTS];
	uint64_t host_low_sum, host_high_sum, gtt_sum, fence_sum;
	unsigned log_lines;
};

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	ch_create(&f->h);
	ch_four_guests(&f->h);
	vgt_host_get_info(f->h.host, &f->hi);
	for (unsigned i = 0; i < f->h.nguests; i++)
		f->gi[i] = ch_info(&f->h.guest[i]);
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		ch_destroy(&f->h);
		free(f);
	}
	return 0;
}

static struct vgt_inproc_guest *guest(struct fx *f, unsigned i)
{
	return &f->h.guest[i];
}

/* Checksums of everything guest @attacker must not change. */
static void fx_snap(struct fx *f, unsigned attacker)
{
	f->attacker = attacker;
	for (unsigned i = 0; i < f->h.nguests; i++)
		f->ram_sum[i] = i == attacker ? 0 : ch_guest_ram_sum(&f->h, i);
	f->host_low_sum = ch_gtt_range_sum(&f->h, f->hi.host_low);
	f->host_high_sum = ch_gtt_range_sum(&f->h, f->hi.host_high);
	f->gtt_sum = ch_gtt_sum(&f->h);
	f->fence_sum = ch_fence_sum(&f->h);
	f->log_lines = f->h.log_lines;
}

static void fx_check_unchanged(struct fx *f, bool whole_gtt)
{
	for (unsigned i = 0; i < f->h.nguests; i++)
		if (i != f->attacker && ch_guest_ram_sum(&f->h, i) != f->ram_sum[i])
			fail_msg("guest %u's RAM changed", i);
	if (ch_gtt_range_sum(&f->h, f->hi.host_low) != f->host_low_sum)
		fail_msg("the host's low GTT slice changed");
	if (ch_gtt_range_sum(&f->h, f->hi.host_high) != f->host_high_sum)
		fail_msg("the host's high GTT slice changed");
	if (whole_gtt && ch_gtt_sum(&f->h) != f->gtt_sum)
		fail_msg("the host GTT changed");
	if (ch_fence_sum(&f->h) != f->fence_sum)
		fail_msg("the host fences changed");
}

/*
 * The attacker: errors counted under @kind, failsafe latched, a first
 * error recorded and (with @check_log) each kind logged exactly once
 * since the snapshot.
 */
static void fx_check_attacker(struct fx *f, enum vgt_guest_error_kind kind, bool check_log)
{
	struct vgt_vgpu_info in = ch_info(guest(f, f->attacker));
	uint64_t sum = 0;
	unsigned kinds = 0;

	assert_true(in.guest_errors > 0);
	assert_true(in.errors_by_kind[kind] > 0);
	assert_true(in.failsafe);
	assert_true(in.first_error[0] != '\0');
	for (unsigned k = 0; k < VGT_GERR_KINDS; k++) {
		sum += in.errors_by_kind[k];
		kinds += in.errors_by_kind[k] != 0;
	}
	assert_int_equal(sum, in.guest_errors);
	if (check_log)
		assert_int_equal(f->h.log_lines - f->log_lines, kinds);
}

static uint32_t host_pte(struct fx *f, uint32_t idx)
{
	uint32_t pte = 0;

	assert_int_equal(gensim_gtt_read(f->h.gs, idx, &pte), 0);
	return pte;
}

/*
 * What a host entry of @g's slices that maps none of its pages holds: its
 * own scratch page, never the host's (the mediator's unused slice has that)
 * nor another vGPU's.
 */
static uint32_t unmapped_pte(struct fx *f, struct vgt_inproc_guest *g)
{
	uint32_t pte = ch_vgpu_scratch_pte(g);

	assert_int_not_equal(pte, host_pte(f, (uint32_t)(f->hi.host_low.base >> 12)));
	return pte;
}

static void host_pte_set(struct fx *f, uint32_t idx, uint32_t pte)
{
	assert_int_equal(gensim_gtt_write(f->h.gs, idx, pte), 0);
}

/* The host PTE a correct mediator writes for guest @g's frame at @gpa. */
static uint32_t pte_for(const struct vgt_inproc_guest *g, uint64_t gpa)
{
	return HSW_PTE_ENCODE(g->ram_maddr + gpa) | HSW_PTE_VALID;
}

static uint32_t gpte(uint64_t gpa)
{
	return HSW_PTE_ENCODE(gpa) | HSW_PTE_VALID;
}

/* The other guests saw no error, and can still map their own memory. */
static void fx_check_bystanders(struct fx *f)
{
	for (unsigned i = 0; i < f->h.nguests; i++) {
		struct vgt_inproc_guest *g = guest(f, i);
		struct vgt_vgpu_info in;
		uint32_t lidx, hidx;
		uint64_t gpa = 0x30000u + 0x2000u * i;

		if (i == f->attacker)
			continue;
		in = ch_info(g);
		assert_int_equal(in.guest_errors, 0);
		assert_false(in.failsafe);
		lidx = (uint32_t)(in.low.base >> 12) + 11;
		hidx = (uint32_t)(in.high.base >> 12) + 13;
		assert_int_not_equal(host_pte(f, lidx), pte_for(g, gpa));
		assert_int_not_equal(host_pte(f, hidx), pte_for(g, gpa + PAGE));
		vgtt_wr(g, lidx, gpa);
		vgtt_wr(g, hidx, gpa + PAGE);
		assert_int_equal(host_pte(f, lidx), pte_for(g, gpa));
		assert_int_equal(host_pte(f, hidx), pte_for(g, gpa + PAGE));
		assert_int_equal(vrd(g, HSW_GTT_OFFSET + 4 * lidx), gpte(gpa));
		in = ch_info(g);
		assert_int_equal(in.guest_errors, 0);
		assert_false(in.failsafe);
	}
}

static uint64_t kind_count(struct vgt_inproc_guest *g, enum vgt_guest_error_kind kind)
{
	return ch_info(g).errors_by_kind[kind];
}

static uint64_t error_count(struct vgt_inproc_guest *g)
{
	return ch_info(g).guest_errors;
}

/* Raw BAR accesses that must succeed as calls (return 0). */
static uint64_t mrd(struct vgt_inproc_guest *g, unsigned bar, uint64_t off, unsigned size)
{
	uint64_t v = 0x5A5A5A5A5A5A5A5Aull;

	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, bar, off, size, &v), 0);
	return v;
}

static void mwr(struct vgt_inproc_guest *g, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, bar, off, size, val), 0);
}

static void gtt_raw(struct vgt_inproc_guest *g, uint64_t idx, unsigned size, uint64_t val)
{
	mwr(g, 0, HSW_GTT_OFFSET + 4 * idx, size, val);
}

static uint32_t pio_rd(struct vgt_inproc_guest *g, uint32_t off, unsigned size)
{
	uint32_t v = 0x5A5A5A5Au;

	assert_int_equal(vgt_vgpu_pio_read(g->vgpu, off, size, &v), 0);
	return v;
}

static void pio_wr(struct vgt_inproc_guest *g, uint32_t off, unsigned size, uint32_t val)
{
	assert_int_equal(vgt_vgpu_pio_write(g->vgpu, off, size, val), 0);
}

static uint32_t size_mask(unsigned size)
{
	return size >= 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1;
}

/* All ones in the low @size bytes. */
static uint64_t ones(unsigned size)
{
	return size >= 8 ? ALL_ONES : (1ull << (8 * size)) - 1;
}

/* The first graphics address after every slice of low (or high) memory. */
static uint64_t gap_base(struct fx *f, bool high)
{
	const struct vgt_range *space = high ? &f->hi.high : &f->hi.low;
	const struct vgt_range *hr = high ? &f->hi.host_high : &f->hi.host_low;
	uint64_t end = hr->base + hr->size;

	for (unsigned i = 0; i < f->h.nguests; i++) {
		const struct vgt_range *r = high ? &f->gi[i].high : &f->gi[i].low;

		if (r->base + r->size > end)
			end = r->base + r->size;
	}
	assert_true(end + MIB <= space->base + space->size);
	return end;
}

static uint32_t idx_of(uint64_t gm)
{
	return (uint32_t)(gm >> 12);
}

/* Host fence @i as LO | HI << 32. */
static uint64_t host_fence(struct fx *f, uint32_t i)
{
	uint64_t v = 0;

	assert_int_equal(gensim_mmio_read(f->h.gs, HSW_FENCE_LO(i), 8, &v), 0);
	return v;
}

/* i915's order: LO off, HI, LO. */
static void fence_prog(struct vgt_inproc_guest *g, unsigned i, uint32_t lo, uint32_t hi)
{
	vwr(g, HSW_FENCE_LO(i), 0);
	vwr(g, HSW_FENCE_HI(i), hi);
	vwr(g, HSW_FENCE_LO(i), lo);
}

/* A fence over [start, end): pitch 1 KiB, X tiled. */
static uint32_t fence_lo(uint64_t start)
{
	return (uint32_t)(start & HSW_PTE_ADDR_MASK) | HSW_FENCE_VALID;
}

static uint32_t fence_hi(uint64_t end)
{
	return (uint32_t)((end - PAGE) & HSW_PTE_ADDR_MASK) | 7u;
}

/*
 * Guest @gi programs its fence @fi inside its own low slice; exactly one
 * host fence, the one in info.host_fence[fi], takes the same LO/HI.
 */
static void check_fence_benign(struct fx *f, unsigned gi, unsigned fi, uint64_t rel)
{
	struct vgt_inproc_guest *g = guest(f, gi);
	struct vgt_vgpu_info in = ch_info(g);
	uint64_t *before = calloc(HSW_NUM_FENCES, sizeof(*before));
	uint32_t lo = fence_lo(in.low.base + rel) | HSW_FENCE_TILING_Y;
	uint32_t hi = fence_hi(in.low.base + rel + 256 * 1024);
	uint32_t h = in.host_fence[fi];

	assert_non_null(before);
	assert_true(fi < in.fences);
	assert_true(h < HSW_NUM_FENCES);
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++)
		before[i] = host_fence(f, i);
	assert_int_not_equal(before[h], lo | (uint64_t)hi << 32);
	fence_prog(g, fi, lo, hi);
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++) {
		if (i == h)
			assert_int_equal(host_fence(f, i), lo | (uint64_t)hi << 32);
		else if (host_fence(f, i) != before[i])
			fail_msg("guest %u's fence %u changed host fence %u, not %u", gi, fi, i, h);
	}
	assert_int_equal(vrd(g, HSW_FENCE_LO(fi)), lo);
	assert_int_equal(vrd(g, HSW_FENCE_HI(fi)), hi);
	in = ch_info(g);
	assert_int_equal(in.guest_errors, 0);
	assert_false(in.failsafe);
	free(before);
}

/* ---- 1. GTT entries outside the vGPU's slices ------------------------------- */

static void test_gtt_outside_slices(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1), *v2 = guest(f, 2);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint32_t last = f->hi.hw.gtt_entries - 1;
	uint32_t host_idx = idx_of(f->hi.host_low.base) + 5;
	uint32_t v2_idx = idx_of(f->gi[2].low.base);
	uint64_t targets[] = {
		f->gi[2].low.base,                                   /* another guest's low slice */
		f->gi[2].low.base + f->gi[2].low.size - PAGE,
		f->gi[3].low.base + 17 * PAGE,
		f->gi[0].high.base,                                  /* another guest's high slice */
		f->hi.host_low.base,                                 /* the host's slices */
		f->hi.host_low.base + 5 * PAGE,
		f->hi.host_low.base + f->hi.host_low.size - PAGE,
		f->hi.host_high.base,
		f->hi.host_high.base + f->hi.host_high.size - PAGE,
		ai->low.base - PAGE,                                 /* just outside its own */
		ai->low.base + ai->low.size,
		ai->high.base - PAGE,
		ai->high.base + ai->high.size,
		gap_base(f, false),                                  /* the gaps */
		f->hi.low.base + f->hi.low.size - PAGE,
		gap_base(f, true),
		(uint64_t)last << 12,                                /* the very last entry */
	};
	const size_t ntargets = sizeof(targets) / sizeof(targets[0]);
	uint64_t range0, access0;

	/* Entries the host and a victim hold, which the attacker must neither change nor read. */
	host_pte_set(f, host_idx, HSW_PTE_ENCODE(SCRATCH_MADDR) | HSW_PTE_VALID);
	vgtt_wr(v2, v2_idx, 0x4000);
	assert_int_equal(host_pte(f, v2_idx), pte_for(v2, 0x4000));
	fx_snap(f, 1);

	range0 = kind_count(a, VGT_GERR_GTT_RANGE);
	for (size_t i = 0; i < ntargets; i++) {
		uint32_t idx = idx_of(targets[i]);
		uint32_t before = host_pte(f, idx);

		gtt_raw(a, idx, 4, gpte(0x1000));
		assert_int_equal(host_pte(f, idx), before);
		assert_int_equal(kind_count(a, VGT_GERR_GTT_RANGE), range0 + i + 1);
	}
	/* Two entries at once: both outside. */
	gtt_raw(a, v2_idx, 8, gpte(0x1000) | (uint64_t)gpte(0x2000) << 32);
	gtt_raw(a, last - 1, 8, gpte(0x1000) | (uint64_t)gpte(0x2000) << 32);
	assert_int_equal(kind_count(a, VGT_GERR_GTT_RANGE), range0 + ntargets + 4);
	assert_int_equal(host_pte(f, v2_idx), pte_for(v2, 0x4000));

	/* Reads of foreign entries do not reveal the host's machine addresses. */
	assert_int_not_equal(mrd(a, 0, HSW_GTT_OFFSET + 4ull * host_idx, 4),
			     HSW_PTE_ENCODE(SCRATCH_MADDR) | HSW_PTE_VALID);
	assert_int_not_equal(mrd(a, 0, HSW_GTT_OFFSET + 4ull * v2_idx, 4), pte_for(v2, 0x4000));

	/* Entry 512K and beyond: BAR0 offsets at and past 4 MiB, including ones that alias when truncated. */
	access0 = kind_count(a, VGT_GERR_ACCESS);
	mwr(a, 0, HSW_BAR0_SIZE, 4, gpte(0x1000));
	mwr(a, 0, HSW_BAR0_SIZE + 4 * 5, 4, gpte(0x1000));
	mwr(a, 0, HSW_BAR0_SIZE, 8, ALL_ONES);
	mwr(a, 0, (1ull << 32) + HSW_GTT_OFFSET + 4ull * host_idx, 4, gpte(0x1000));
	mwr(a, 0, (1ull << 32) + HSW_GTT_OFFSET + 4ull * v2_idx, 4, gpte(0x1000));
	mwr(a, 0, UINT64_MAX - 3, 4, gpte(0x1000));
	assert_int_equal(mrd(a, 0, HSW_BAR0_SIZE, 4), ALL_ONES);
	assert_int_equal(kind_count(a, VGT_GERR_ACCESS), access0 + 7);

	fx_check_unchanged(f, true);
	assert_int_equal(host_pte(f, host_idx), HSW_PTE_ENCODE(SCRATCH_MADDR) | HSW_PTE_VALID);
	fx_check_attacker(f, VGT_GERR_GTT_RANGE, true);
	fx_check_attacker(f, VGT_GERR_ACCESS, true);
	fx_check_bystanders(f);
}

/* ---- 2. In-slice GTT entries for frames the guest does not own -------------- */

static void test_gtt_foreign_frame(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint32_t lidx = idx_of(ai->low.base) + 4, hidx = idx_of(ai->high.base) + 9;
	const uint64_t bad_gpa[] = {
		CH_GUEST_RAM,                   /* the first frame past its RAM */
		CH_GUEST_RAM + 0x5000,
		2 * CH_GUEST_RAM,               /* where guest 3's RAM would be, machine-relative */
		0xFFFFF000ull,
		1ull << 32,                     /* HSW high address bits */
		(1ull << 39) - PAGE,
	};
	const uint32_t idxs[2] = { lidx, hidx };

	vgtt_wr(a, lidx, 0x2000);
	vgtt_wr(a, hidx, 0x3000);
	assert_int_equal(host_pte(f, lidx), pte_for(a, 0x2000));
	assert_int_equal(host_pte(f, hidx), pte_for(a, 0x3000));
	fx_snap(f, 1);

	for (size_t i = 0; i < sizeof(bad_gpa) / sizeof(bad_gpa[0]); i++) {
		for (unsigned j = 0; j < 2; j++) {
			uint64_t n0;

			/* Each attempt judged on its own, not masked by an earlier failsafe. */
			assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
			assert_false(ch_info(a).failsafe);
			n0 = kind_count(a, VGT_GERR_GTT_FRAME);
			gtt_raw(a, idxs[j], 4, HSW_PTE_ENCODE(bad_gpa[i]) | HSW_PTE_VALID | HSW_WB_LLC_AGE3);
			assert_int_equal(kind_count(a, VGT_GERR_GTT_FRAME), n0 + 1);
			assert_true(ch_info(a).failsafe);
		}
		assert_int_equal(host_pte(f, lidx), pte_for(a, 0x2000));
		assert_int_equal(host_pte(f, hidx), pte_for(a, 0x3000));
		/* The write was dropped: the guest's view is what it was. */
		assert_int_equal(vrd(a, HSW_GTT_OFFSET + 4 * lidx), gpte(0x2000));
	}
	/* Both halves of a qword write foreign. */
	assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
	gtt_raw(a, lidx, 8, gpte(CH_GUEST_RAM) | (uint64_t)gpte(CH_GUEST_RAM + PAGE) << 32);
	assert_int_equal(host_pte(f, lidx), pte_for(a, 0x2000));
	assert_int_equal(host_pte(f, lidx + 1), unmapped_pte(f, a));

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_GTT_FRAME, false);
	fx_check_bystanders(f);
}

/* ---- 3. Narrow GTT writes --------------------------------------------------- */

static void test_gtt_narrow_writes(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	uint32_t idx = idx_of(f->gi[1].low.base) + 1;
	uint32_t foreign[2] = { idx_of(f->gi[2].low.base), idx_of(f->hi.host_low.base) };
	uint64_t off = HSW_GTT_OFFSET + 4ull * idx;
	struct { unsigned delta, size; uint64_t val; } narrow[] = {
		{ 0, 1, 0xFF }, { 1, 1, 0x00 }, { 2, 1, 0x5A }, { 3, 1, 0xFF },
		{ 0, 2, 0xFFFF }, { 2, 2, 0x1234 },
	};

	vgtt_wr(a, idx, 0x7000);
	assert_int_equal(host_pte(f, idx), pte_for(a, 0x7000));
	fx_snap(f, 1);

	for (size_t i = 0; i < sizeof(narrow) / sizeof(narrow[0]); i++) {
		uint64_t n0;

		assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
		n0 = kind_count(a, VGT_GERR_ACCESS);
		mwr(a, 0, off + narrow[i].delta, narrow[i].size, narrow[i].val);
		assert_int_equal(kind_count(a, VGT_GERR_ACCESS), n0 + 1);
		assert_true(ch_info(a).failsafe);
		assert_int_equal(host_pte(f, idx), pte_for(a, 0x7000));
		assert_int_equal(vrd(a, off), gpte(0x7000));
	}
	/* Narrow writes into foreign entries are refused as well. */
	for (unsigned i = 0; i < 2; i++) {
		uint64_t e0 = error_count(a);
		uint32_t before = host_pte(f, foreign[i]);

		mwr(a, 0, HSW_GTT_OFFSET + 4ull * foreign[i], 2, 0xFFFF);
		mwr(a, 0, HSW_GTT_OFFSET + 4ull * foreign[i] + 1, 1, 0xFF);
		assert_int_equal(error_count(a), e0 + 2);
		assert_int_equal(host_pte(f, foreign[i]), before);
	}

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_ACCESS, false);
	fx_check_bystanders(f);
}

/* ---- 4. Fences over foreign memory, fences it does not have ----------------- */

static void test_fence_foreign_and_out_of_range(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint64_t a_end = ai->low.base + ai->low.size;
	struct { unsigned fence; uint64_t start, end; } bad[] = {
		{ 0, f->gi[2].low.base, f->gi[2].low.base + MIB },         /* another guest's slice */
		{ 1, a_end - 64 * 1024, a_end + 64 * 1024 },               /* straddles its end */
		{ 2, f->hi.host_low.base, f->hi.host_low.base + MIB },     /* the host's slice */
		{ 3, ai->low.base + MIB, ai->low.base + PAGE },            /* end before start */
		{ 0, f->gi[0].high.base, f->gi[0].high.base + MIB },       /* another's high slice */
		{ 1, 0, 0x100000000ull },                                  /* all of graphics memory */
		{ 2, ai->low.base - PAGE, ai->low.base + MIB },            /* starts just before */
		{ 3, ai->low.base, f->gi[2].high.base + PAGE },            /* low into someone's high */
	};
	uint64_t n = 0;

	assert_int_equal(ai->fences, 4);
	fx_snap(f, 1);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fence_prog(a, bad[i].fence, fence_lo(bad[i].start), fence_hi(bad[i].end));
		n++;
		assert_int_equal(kind_count(a, VGT_GERR_FENCE), n);
		if (ch_fence_sum(&f->h) != f->fence_sum)
			fail_msg("bad fence %zu reached the host fences", i);
	}
	/*
	 * One qword write over guest 3's slice: the LO half is refused and
	 * dropped, so the HI half then lands on a disabled fence.
	 */
	mwr(a, 0, HSW_FENCE_LO(3), 8,
	    fence_lo(f->gi[3].low.base) | (uint64_t)fence_hi(f->gi[3].low.base + MIB) << 32);
	n += 1;
	assert_int_equal(vrd(a, HSW_FENCE_LO(3)) & HSW_FENCE_VALID, 0);
	assert_int_equal(kind_count(a, VGT_GERR_FENCE), n);

	/* Fences beyond its count: 4 (the first it lacks) and 31 (the last of the GPU). */
	vwr(a, HSW_FENCE_HI(4), fence_hi(ai->low.base + MIB));
	vwr(a, HSW_FENCE_LO(4), fence_lo(ai->low.base));
	mwr(a, 0, HSW_FENCE_LO(4), 8, fence_lo(ai->low.base) | (uint64_t)fence_hi(ai->low.base + MIB) << 32);
	vwr(a, HSW_FENCE_HI(31), fence_hi(ai->low.base + MIB));
	vwr(a, HSW_FENCE_LO(31), fence_lo(ai->low.base));
	vwr(a, HSW_FENCE_LO(31), 0);
	mwr(a, 0, HSW_FENCE_LO(5), 1, HSW_FENCE_VALID);
	n += 2 + 2 + 3 + 1;
	assert_int_equal(kind_count(a, VGT_GERR_FENCE), n);

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_FENCE, true);
	fx_check_bystanders(f);
	/* Another guest can still program its own fences. */
	check_fence_benign(f, 2, 0, 0);
	check_fence_benign(f, 3, 3, 2 * MIB);
}

/* A bad fence write is dropped: the fence it had programmed stays as it was. */
static void test_fence_bad_write_keeps_host_fence(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint32_t lo = fence_lo(ai->low.base), hi = fence_hi(ai->low.base + MIB);
	uint32_t h = ai->host_fence[2];

	fence_prog(a, 2, lo, hi);
	assert_int_equal(host_fence(f, h), lo | (uint64_t)hi << 32);
	fx_snap(f, 1);

	/* One LO write moving the fence onto guest 2's memory. */
	vwr(a, HSW_FENCE_LO(2), fence_lo(f->gi[2].low.base));
	assert_int_equal(kind_count(a, VGT_GERR_FENCE), 1);
	if (host_fence(f, h) != (lo | (uint64_t)hi << 32))
		fail_msg("a refused fence write changed host fence %u from 0x%016llx to 0x%016llx",
			 h, (unsigned long long)(lo | (uint64_t)hi << 32),
			 (unsigned long long)host_fence(f, h));

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_FENCE, true);
	fx_check_bystanders(f);
}

/* The benign case: each of a guest's fences is one host fence of its own. */
static void test_fence_inside_slice_programs_own_host_fence(void **state)
{
	struct fx *f = *state;
	bool used[HSW_NUM_FENCES] = { false };
	uint64_t gtt;

	for (unsigned g = 0; g < f->h.nguests; g++)
		for (unsigned i = 0; i < f->gi[g].fences; i++) {
			uint32_t h = f->gi[g].host_fence[i];

			assert_true(h < HSW_NUM_FENCES);
			assert_false(used[h]);
			used[h] = true;
		}
	gtt = ch_gtt_sum(&f->h);
	for (unsigned i = 0; i < 4; i++)
		check_fence_benign(f, 1, i, i * MIB);
	check_fence_benign(f, 0, 3, f->gi[0].low.size - MIB);

	/* Disabling it turns the host fence off. */
	vwr(guest(f, 1), HSW_FENCE_LO(2), 0);
	assert_int_equal(host_fence(f, f->gi[1].host_fence[2]) & HSW_FENCE_VALID, 0);
	assert_int_equal(ch_gtt_sum(&f->h), gtt);
	assert_int_equal(ch_info(guest(f, 1)).guest_errors, 0);
}

/* ---- 5. Aperture outside the window ----------------------------------------- */

static void fill(struct fx *f, uint64_t maddr, uint8_t byte)
{
	uint8_t *p = gensim_mem_ptr(f->h.gs, maddr, PAGE);

	assert_non_null(p);
	memset(p, byte, PAGE);
}

static void test_aperture_outside_window(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1), *v = guest(f, 2);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint64_t ap = f->hi.hw.aperture_size;
	uint32_t host_idx = idx_of(f->hi.host_low.base) + 5, last_idx = idx_of(ap) - 1;
	const uint64_t a_gpa = 0x20000;
	uint64_t win = ai->low.base;
	const uint8_t *aram;
	const uint64_t outside[] = {
		f->gi[2].low.base, f->gi[2].low.base + 0x100,               /* another guest's window */
		f->hi.host_low.base + 5 * PAGE, f->hi.host_low.base + 5 * PAGE + 0x80,   /* the host's */
		ai->low.base - 8, ai->low.base + ai->low.size,              /* just outside its own */
		ap - 8,                                                     /* the end of the aperture */
	};
	const uint64_t beyond[] = { ap, ap + PAGE, 1ull << 40, UINT64_MAX - 7 };
	uint64_t scratch_sum, n = 0, val;
	uint8_t buf[16];

	/* Targets with something behind them: a victim's page, a host page, the last page. */
	vgtt_wr(v, idx_of(f->gi[2].low.base), 0x10000);
	fill(f, v->ram_maddr + 0x10000, 0xA5);
	host_pte_set(f, host_idx, HSW_PTE_ENCODE(SCRATCH_MADDR) | HSW_PTE_VALID);
	fill(f, SCRATCH_MADDR, 0x5A);
	host_pte_set(f, last_idx, HSW_PTE_ENCODE(SCRATCH_MADDR + PAGE) | HSW_PTE_VALID);
	fill(f, SCRATCH_MADDR + PAGE, 0x3C);
	assert_int_equal(gensim_aperture_read(f->h.gs, f->gi[2].low.base, buf, 8), 0);
	assert_int_equal(buf[0], 0xA5);
	assert_int_equal(gensim_aperture_read(f->h.gs, ap - 1, buf, 1), 0);
	assert_int_equal(buf[0], 0x3C);

	/* Inside its window, bar 2 works, at every size. */
	vgtt_wr(a, idx_of(win), a_gpa);
	aram = gensim_mem_ptr(f->h.gs, a->ram_maddr + a_gpa, PAGE);
	assert_non_null(aram);
	mwr(a, 2, win + 0x40, 4, 0x11223344);
	mwr(a, 2, win + 0x48, 8, 0x8877665544332211ull);
	mwr(a, 2, win + 0x50, 1, 0xAB);
	mwr(a, 2, win + 0x52, 2, 0xCDEF);
	assert_int_equal(mrd(a, 2, win + 0x40, 4), 0x11223344);
	assert_int_equal(mrd(a, 2, win + 0x48, 8), 0x8877665544332211ull);
	assert_int_equal(mrd(a, 2, win + 0x50, 1), 0xAB);
	assert_int_equal(mrd(a, 2, win + 0x52, 2), 0xCDEF);
	assert_int_equal(aram[0x40], 0x44);
	assert_int_equal(aram[0x4F], 0x88);
	assert_int_equal(aram[0x50], 0xAB);
	assert_int_equal(aram[0x53], 0xCD);
	assert_int_equal(ch_info(a).guest_errors, 0);

	fx_snap(f, 1);
	scratch_sum = ch_mem_sum(&f->h, SCRATCH_MADDR, 2 * PAGE);

	for (size_t i = 0; i < sizeof(outside) / sizeof(outside[0]); i++)
		for (unsigned size = 1; size <= 8; size *= 2) {
			uint64_t off = outside[i];

			val = mrd(a, 2, off, size);
			assert_int_equal(val & ones(size), ones(size));
			mwr(a, 2, off, size, 0);
			mwr(a, 2, off, size, ALL_ONES);
			n += 3;
			assert_int_equal(kind_count(a, VGT_GERR_APERTURE), n);
		}
	/* The last byte of the aperture. */
	assert_int_equal(mrd(a, 2, ap - 1, 1) & 0xFF, 0xFF);
	mwr(a, 2, ap - 1, 1, 0);
	n += 2;
	/* Past the aperture. */
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		assert_int_equal(mrd(a, 2, beyond[i], 8), ALL_ONES);
		mwr(a, 2, beyond[i], 8, 0);
		n += 2;
	}
	assert_int_equal(kind_count(a, VGT_GERR_APERTURE), n);

	fx_check_unchanged(f, true);
	assert_int_equal(ch_mem_sum(&f->h, SCRATCH_MADDR, 2 * PAGE), scratch_sum);
	assert_int_equal(gensim_aperture_read(f->h.gs, f->gi[2].low.base, buf, 16), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0xA5);
	fx_check_attacker(f, VGT_GERR_APERTURE, true);

	/* In failsafe its own window still reads, but writes no longer land. */
	assert_int_equal(mrd(a, 2, win + 0x40, 4), 0x11223344);
	mwr(a, 2, win + 0x40, 4, 0xDEADBEEF);
	assert_int_equal(aram[0x40], 0x44);
	assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
	mwr(a, 2, win + 0x40, 4, 0xDEADBEEF);
	assert_int_equal(mrd(a, 2, win + 0x40, 4), 0xDEADBEEF);
	assert_int_equal(aram[0x40], 0xEF);

	fx_check_bystanders(f);
}

/* ---- 6. BAR sizing and config-space abuse ----------------------------------- */

/* What a BAR dword reads after @val was written to it (PCI sizing rules). */
static uint32_t bar_expect(struct fx *f, unsigned bar, uint32_t val)
{
	switch (bar) {
	case 0: return (val & ~(HSW_BAR0_SIZE - 1)) | 0x4u;
	case 2: return (val & ~(uint32_t)(f->hi.hw.aperture_size - 1)) | 0xCu;
	case 4: return (val & ~(HSW_BAR4_SIZE - 1)) | 0x1u;
	case 5: return 0;
	default: return val;            /* upper halves: all address */
	}
}

static void test_cfg_bar_sizing_abuse(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const uint32_t odd[] = { 0xFFFFFFFFu, 0x12345678u, 0x0000000Fu, 0u, 0xFFFFFFF0u, 0x80000001u,
				 0xFFFFFFFEu, 0x00000006u };
	uint32_t *phys = calloc(64, sizeof(*phys)), *vcf = calloc(64, sizeof(*vcf));
	uint32_t id, cls, ggc;
	uint64_t n;
	struct { uint32_t off; unsigned size; } badacc[] = {
		{ 0x10, 3 }, { 0x10, 0 }, { 0x10, 8 }, { 0x11, 2 }, { 0x12, 4 }, { 0x13, 4 },
		{ 0x21, 4 }, { 0x8010, 4 }, { 4096, 4 }, { 4096, 1 }, { 4096 + 0x10, 4 },
		{ 0xFFFFFFFCu, 4 }, { 0xFFFFFFFFu, 1 }, { 0x50, 16 },
	};

	assert_non_null(phys);
	assert_non_null(vcf);
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(gensim_cfg_read(f->h.gs, 4 * i, 4, &phys[i]), 0);
	fx_snap(f, 1);
	id = vcfg(a, 0x00, 4);
	cls = vcfg(a, 0x08, 4);
	ggc = vcfg(a, HSW_PCI_GGC, 2);
	assert_int_equal(id, HSW_PCI_VENDOR_INTEL | HSW_PCI_DEVICE_GT2 << 16);
	assert_int_equal(cls >> 8, HSW_PCI_CLASS_VGA);

	/* Sizing: all ones to every BAR dword. */
	for (unsigned bar = 0; bar < 6; bar++)
		vcfg_wr(a, 0x10 + 4 * bar, 4, 0xFFFFFFFFu);
	assert_int_equal(vcfg(a, 0x10, 4), 0xFFC00004u);
	assert_int_equal(vcfg(a, 0x14, 4), 0xFFFFFFFFu);
	assert_int_equal(vcfg(a, 0x18, 4), ~(uint32_t)(f->hi.hw.aperture_size - 1) | 0xCu);
	assert_int_equal(vcfg(a, 0x1C, 4), 0xFFFFFFFFu);
	assert_int_equal(vcfg(a, 0x20, 4), 0xFFFFFFC1u);
	assert_int_equal(vcfg(a, 0x24, 4), 0);

	/* Odd values and flag bits, whole dwords. */
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		for (unsigned bar = 0; bar < 6; bar++) {
			vcfg_wr(a, 0x10 + 4 * bar, 4, odd[i]);
			assert_int_equal(vcfg(a, 0x10 + 4 * bar, 4), bar_expect(f, bar, odd[i]));
		}
	/* Bytes and words of every BAR dword. */
	for (unsigned bar = 0; bar < 6; bar++)
		for (unsigned size = 1; size <= 2; size++)
			for (unsigned b = 0; b < 4; b += size) {
				uint32_t off = 0x10 + 4 * bar, cur = vcfg(a, off, 4);
				uint32_t mask = size_mask(size) << (8 * b), val = 0xA5F3C7E9u & size_mask(size);
				uint32_t want = bar_expect(f, bar, (cur & ~mask) | ((val << (8 * b)) & mask));

				vcfg_wr(a, off + b, size, val);
				assert_int_equal(vcfg(a, off, 4), want);
				assert_int_equal(vcfg(a, off + b, size), (want >> (8 * b)) & size_mask(size));
			}
	/* Read-only identity and GGC. */
	vcfg_wr(a, 0x00, 4, 0xFFFFFFFFu);
	vcfg_wr(a, 0x02, 2, 0x1234);
	vcfg_wr(a, 0x08, 4, 0);
	vcfg_wr(a, 0x0B, 1, 0xFF);
	vcfg_wr(a, HSW_PCI_GGC, 2, 0xFFFF);
	vcfg_wr(a, HSW_PCI_GGC, 4, 0);
	vcfg_wr(a, HSW_PCI_GGC + 1, 1, 0);
	assert_int_equal(vcfg(a, 0x00, 4), id);
	assert_int_equal(vcfg(a, 0x08, 4), cls);
	assert_int_equal(vcfg(a, HSW_PCI_GGC, 2), ggc);
	/* None of that is a guest error: it is what firmware and drivers do. */
	assert_int_equal(ch_info(a).guest_errors, 0);
	assert_false(ch_info(a).failsafe);

	/* Extended space below 4 KiB: ignored, reads zero, does not alias. */
	for (uint32_t i = 0; i < 64; i++)
		vcf[i] = vcfg(a, 4 * i, 4);
	vcfg_wr(a, 0x110, 4, 0xFFFFFFFFu);
	vcfg_wr(a, 0x150, 2, 0xFFFF);
	assert_int_equal(vcfg(a, 0x110, 4), 0);
	assert_int_equal(ch_info(a).guest_errors, 0);

	/* Bad sizes, alignments and offsets: refused, reads all ones. */
	n = 0;
	for (size_t i = 0; i < sizeof(badacc) / sizeof(badacc[0]); i++) {
		uint32_t val = 0x12345678u;

		assert_int_equal(vgt_vgpu_cfg_read(a->vgpu, badacc[i].off, badacc[i].size, &val), 0);
		assert_int_equal(val, 0xFFFFFFFFu);
		assert_int_equal(vgt_vgpu_cfg_write(a->vgpu, badacc[i].off, badacc[i].size, 0xFFFFFFFFu), 0);
		assert_int_equal(vgt_vgpu_cfg_write(a->vgpu, badacc[i].off, badacc[i].size, 0), 0);
		n += 3;
		assert_int_equal(kind_count(a, VGT_GERR_ACCESS), n);
	}
	for (uint32_t i = 0; i < 64; i++)
		if (vcfg(a, 4 * i, 4) != vcf[i])
			fail_msg("config dword 0x%02x changed by a refused access", 4 * i);

	/* Nothing reached the physical function. */
	for (uint32_t i = 0; i < 64; i++) {
		uint32_t v = 0;

		assert_int_equal(gensim_cfg_read(f->h.gs, 4 * i, 4, &v), 0);
		if (v != phys[i])
			fail_msg("physical config dword 0x%02x changed", 4 * i);
	}
	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_ACCESS, true);
	fx_check_bystanders(f);
	free(phys);
	free(vcf);
}

/* ---- 7. Odd MMIO sizes, alignments, offsets and bars ------------------------ */

static void test_mmio_odd_accesses(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const uint32_t reg = HSW_DSPSTRIDE(0);
	uint32_t own = idx_of(f->gi[1].low.base) + 6;
	uint64_t gtt_off = HSW_GTT_OFFSET + 4ull * own;
	const unsigned bad_sizes[] = { 0, 3, 5, 6, 7, 16, 32, 0xFFFFFFFFu };
	const unsigned bad_bars[] = { 1, 3, 4, 5, 6, 255, 0xFFFFFFFFu };
	struct { uint64_t off; unsigned size; } misaligned[] = {
		{ reg + 1, 2 }, { reg + 2, 4 }, { reg + 1, 4 }, { reg + 4, 8 }, { reg + 1, 8 },
		{ gtt_off + 2, 4 }, { gtt_off + 4, 8 }, { gtt_off + 1, 2 },
		{ HSW_GTT_OFFSET - 4, 8 },
	};
	struct { uint64_t off; unsigned size; } beyond[] = {
		{ HSW_BAR0_SIZE, 4 }, { HSW_BAR0_SIZE, 1 }, { HSW_BAR0_SIZE + reg, 4 },
		{ (1ull << 32) + reg, 4 }, { (1ull << 32) + gtt_off, 4 }, { (1ull << 22) + gtt_off, 8 },
		{ UINT64_MAX, 1 }, { UINT64_MAX - 7, 8 }, { 0xFFFFFFFCull, 4 },
	};
	struct vgt_vgpu_info i0, i1;
	uint64_t n = 0, val;

	vwr(a, reg, 0x11223344);
	vgtt_wr(a, own, 0x8000);
	fx_snap(f, 1);

	/* Bars other than 0 and 2: -EINVAL, and nothing else happens. */
	i0 = ch_info(a);
	for (size_t i = 0; i < sizeof(bad_bars) / sizeof(bad_bars[0]); i++) {
		val = 0;
		assert_int_equal(vgt_vgpu_mmio_read(a->vgpu, bad_bars[i], reg, 4, &val), -EINVAL);
		assert_int_equal(val, ALL_ONES);
		assert_int_equal(vgt_vgpu_mmio_write(a->vgpu, bad_bars[i], reg, 4, 0), -EINVAL);
		assert_int_equal(vgt_vgpu_mmio_write(a->vgpu, bad_bars[i], gtt_off, 4, gpte(0x9000)), -EINVAL);
	}
	i1 = ch_info(a);
	assert_int_equal(i1.mmio_reads, i0.mmio_reads);
	assert_int_equal(i1.mmio_writes, i0.mmio_writes);
	assert_int_equal(i1.gtt_writes, i0.gtt_writes);
	assert_int_equal(i1.guest_errors, 0);
	assert_false(i1.failsafe);
	assert_int_equal(vrd(a, reg), 0x11223344);
	assert_int_equal(host_pte(f, own), pte_for(a, 0x8000));
	fx_check_unchanged(f, true);

	/* Sizes that do not exist, at a register, a GTT entry and the aperture. */
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		assert_int_equal(mrd(a, 0, reg, bad_sizes[i]), ALL_ONES);
		mwr(a, 0, reg, bad_sizes[i], 0);
		mwr(a, 0, gtt_off, bad_sizes[i], gpte(0x9000));
		assert_int_equal(mrd(a, 2, f->gi[1].low.base, bad_sizes[i]), ALL_ONES);
		mwr(a, 2, f->gi[1].low.base, bad_sizes[i], 0);
		n += 5;
		assert_int_equal(kind_count(a, VGT_GERR_ACCESS), n);
	}
	/* Misaligned. */
	for (size_t i = 0; i < sizeof(misaligned) / sizeof(misaligned[0]); i++) {
		assert_int_equal(mrd(a, 0, misaligned[i].off, misaligned[i].size), ALL_ONES);
		mwr(a, 0, misaligned[i].off, misaligned[i].size, 0);
		n += 2;
	}
	assert_int_equal(mrd(a, 2, f->gi[1].low.base + 1, 2), ALL_ONES);
	mwr(a, 2, f->gi[1].low.base + 4, 8, 0);
	n += 2;
	/* At and beyond 4 MiB, including offsets that alias a register or a GTT entry when truncated. */
	for (size_t i = 0; i < sizeof(beyond) / sizeof(beyond[0]); i++) {
		assert_int_equal(mrd(a, 0, beyond[i].off, beyond[i].size), ALL_ONES);
		mwr(a, 0, beyond[i].off, beyond[i].size, gpte(0x9000));
		n += 2;
	}
	assert_int_equal(kind_count(a, VGT_GERR_ACCESS), n);
	assert_int_equal(ch_info(a).guest_errors, n);

	assert_int_equal(vrd(a, reg), 0x11223344);
	assert_int_equal(vrd(a, HSW_GTT_OFFSET + 4 * own), gpte(0x8000));
	assert_int_equal(host_pte(f, own), pte_for(a, 0x8000));
	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_ACCESS, true);
	fx_check_bystanders(f);
}

/* ---- 8. PVINFO's read-only fields ------------------------------------------- */

#define PV(off) (HSW_PVINFO_PAGE + (off))

static void test_pvinfo_readonly(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	const uint32_t ro_dwords = 0x800 / 4;
	uint32_t *pv = calloc(ro_dwords, sizeof(*pv));
	uint64_t n = 0;

	assert_non_null(pv);
	/* The writable display_ready accepts 1, without an error. */
	assert_int_equal(vrd(a, PV(0x804)), 0);
	vwr(a, PV(0x804), 1);
	assert_int_equal(vrd(a, PV(0x804)), 1);
	assert_int_equal(ch_info(a).guest_errors, 0);
	assert_false(ch_info(a).failsafe);

	/* What the read-only half says. */
	assert_int_equal(mrd(a, 0, PV(0x000), 8), 0x4776544776544776ull);
	assert_int_equal(vrd(a, PV(0x008)) & 0xFFFF, 1);
	assert_int_equal(vrd(a, PV(0x008)) >> 16, 0);
	assert_int_equal(vrd(a, PV(0x00C)), ai->id);
	assert_int_equal(vrd(a, PV(0x040)), ai->low.base);
	assert_int_equal(vrd(a, PV(0x044)), ai->low.size);
	assert_int_equal(vrd(a, PV(0x048)), ai->high.base);
	assert_int_equal(vrd(a, PV(0x04C)), ai->high.size);
	assert_int_equal(vrd(a, PV(0x050)), ai->fences);
	for (uint32_t i = 0; i < ro_dwords; i++)
		pv[i] = vrd(a, PV(4 * i));
	fx_snap(f, 1);

	/* Every dword of the read-only half: inverted, and all ones. */
	for (uint32_t i = 0; i < ro_dwords; i++) {
		vwr(a, PV(4 * i), ~pv[i]);
		vwr(a, PV(4 * i), 0xFFFFFFFFu);
		n += 2;
		assert_int_equal(kind_count(a, VGT_GERR_PVINFO), n);
	}
	/* Bytes, words and qwords of the magic, version and slice fields. */
	for (uint32_t b = 0; b < 8; b++)
		mwr(a, 0, PV(b), 1, 0);
	mwr(a, 0, PV(0x008), 2, 2);
	mwr(a, 0, PV(0x00A), 2, 7);
	mwr(a, 0, PV(0x000), 8, 0);
	mwr(a, 0, PV(0x040), 8, 0);
	mwr(a, 0, PV(0x048), 8, ALL_ONES);
	mwr(a, 0, PV(0x050), 2, 32);
	n += 8 + 2 + 6 + 1;
	assert_int_equal(kind_count(a, VGT_GERR_PVINFO), n);
	/* rsv4 and rsv5. */
	vwr(a, PV(0x800), 0xFFFFFFFFu);
	for (uint32_t off = 0x808; off < 0x818; off += 4)
		vwr(a, PV(off), 0xFFFFFFFFu);
	mwr(a, 0, PV(0x808), 8, ALL_ONES);
	n += 1 + 4 + 2;
	assert_int_equal(kind_count(a, VGT_GERR_PVINFO), n);
	/* display_ready takes only 0 and 1. */
	vwr(a, PV(0x804), 2);
	vwr(a, PV(0x804), 0xFFFFFFFFu);
	n += 2;
	assert_int_equal(kind_count(a, VGT_GERR_PVINFO), n);
	assert_int_equal(ch_info(a).guest_errors, n);

	for (uint32_t i = 0; i < ro_dwords; i++)
		if (vrd(a, PV(4 * i)) != pv[i])
			fail_msg("PVINFO offset 0x%03x changed from 0x%08x to 0x%08x", 4 * i, pv[i],
				 vrd(a, PV(4 * i)));
	assert_int_equal(vrd(a, PV(0x800)), 0);
	for (uint32_t off = 0x808; off < 0x818; off += 4)
		assert_int_equal(vrd(a, PV(off)), 0);
	assert_int_equal(vrd(a, PV(0x804)), 1);
	assert_int_equal(vrd(a, PV(0x050)), 4);

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_PVINFO, true);
	fx_check_bystanders(f);
	free(pv);
}

/* ---- 9. Asking for more than is left ---------------------------------------- */

static int dummy_gfn_to_mfn(void *opaque, uint64_t gfn, uint64_t *mfn)
{
	(void)opaque; (void)gfn; (void)mfn;
	return -EFAULT;
}

static int dummy_read_gpa(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	(void)opaque; (void)gpa; (void)buf; (void)len;
	return -EFAULT;
}

static int dummy_write_gpa(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	(void)opaque; (void)gpa; (void)buf; (void)len;
	return -EFAULT;
}

static int dummy_inject_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque; (void)addr; (void)data;
	return 0;
}

static const struct vgt_transport_ops dummy_ops = {
	.gfn_to_mfn = dummy_gfn_to_mfn,
	.read_gpa = dummy_read_gpa,
	.write_gpa = dummy_write_gpa,
	.inject_msi = dummy_inject_msi,
};

static int try_create(struct fx *f, uint32_t domid, const char *type, uint32_t low_mb,
		      uint32_t high_mb, uint32_t fences, struct vgt_error *err)
{
	struct vgt_vgpu_params p = { 0 };
	struct vgt_vgpu *v = (struct vgt_vgpu *)(uintptr_t)1;
	int ret;

	p.domid = domid;
	p.type = type;
	p.low_mb = low_mb;
	p.high_mb = high_mb;
	p.fences = fences;
	p.ops = &dummy_ops;
	memset(err, 0, sizeof(*err));
	ret = vgt_vgpu_create(f->h.host, &p, &v, err);
	if (ret) {
		assert_null(v);
		assert_true(err->msg[0] != '\0');
	} else {
		vgt_vgpu_destroy(v);
		fail_msg("vGPU for domain %u (%s, %u/%u MiB, %u fences) was admitted", domid,
			 type ? type : "custom", low_mb, high_mb, fences);
	}
	return ret;
}

static void same_host_info(const struct vgt_host_info *a, const struct vgt_host_info *b)
{
	assert_int_equal(a->free_low, b->free_low);
	assert_int_equal(a->free_high, b->free_high);
	assert_int_equal(a->free_fences, b->free_fences);
	assert_int_equal(a->largest_low, b->largest_low);
	assert_int_equal(a->largest_high, b->largest_high);
	assert_int_equal(a->vgpus, b->vgpus);
}

static void test_admission_over_capacity(void **state)
{
	struct fx *f = *state;
	struct vgt_host_info before, now;
	struct vgt_error err;
	struct vgt_vgpu_params p = { 0 };
	struct vgt_vgpu *v = NULL;
	char want[64];
	int cap64, cap256;

	vgt_host_get_info(f->h.host, &before);
	cap64 = vgt_host_type_capacity(f->h.host, "vgt-64");
	cap256 = vgt_host_type_capacity(f->h.host, "vgt-256");
	assert_true(cap64 >= 1);
	assert_int_equal(cap256, 0);
	assert_true(before.free_low < (256ull << 20));
	fx_snap(f, CH_MAX_GUESTS);

	/* A type that does not fit: -ENOSPC, saying what is left. */
	assert_int_equal(try_create(f, 10, "vgt-256", 0, 0, 0, &err), -ENOSPC);
	assert_non_null(strstr(err.msg, "left:"));
	assert_non_null(strstr(err.msg, "MiB aperture"));
	snprintf(want, sizeof(want), "left: %llu MiB aperture",
		 (unsigned long long)(before.free_low >> 20));
	if (!strstr(err.msg, want))
		fail_msg("'%s' does not say '%s'", err.msg, want);
	vgt_host_get_info(f->h.host, &now);
	same_host_info(&before, &now);
	assert_int_equal(vgt_host_type_capacity(f->h.host, "vgt-64"), cap64);

	/* Explicit sizes larger than the GPU, or than what is left. */
	struct { uint32_t low, high, fences; int ret; } big[] = {
		{ 1024, 64, 1, -ENOSPC },       /* more aperture than the GPU has */
		{ 32, 2048, 1, -ENOSPC },       /* more hidden memory than the GPU has */
		{ 32, 64, 32, -ENOSPC },        /* every fence of the GPU */
		{ (uint32_t)(before.free_low >> 20) + 1, 64, 1, -ENOSPC },
		{ 8192, 64, 1, -EINVAL },
		{ 32, 64, 33, -EINVAL },
		{ 0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu, -EINVAL },
	};
	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		int ret = try_create(f, 11 + (uint32_t)i, NULL, big[i].low, big[i].high, big[i].fences, &err);

		if (ret != big[i].ret)
			fail_msg("%u/%u MiB, %u fences: %d (%s), expected %d", big[i].low, big[i].high,
				 big[i].fences, ret, err.msg, big[i].ret);
		if (ret == -ENOSPC)
			assert_non_null(strstr(err.msg, "left:"));
		vgt_host_get_info(f->h.host, &now);
		same_host_info(&before, &now);
		assert_int_equal(vgt_host_type_capacity(f->h.host, "vgt-64"), cap64);
	}
	/* An unknown type. */
	assert_int_equal(try_create(f, 20, "vgt-9999", 0, 0, 0, &err), -ENOENT);
	assert_int_equal(try_create(f, 20, "VGT-64", 0, 0, 0, &err), -ENOENT);
	assert_int_equal(vgt_host_type_capacity(f->h.host, "vgt-9999"), -ENOENT);
	vgt_host_get_info(f->h.host, &now);
	same_host_info(&before, &now);
	/* A second vGPU for a domain that has one, of a type that would fit. */
	for (uint32_t d = 0; d < CH_MAX_GUESTS; d++) {
		assert_int_equal(try_create(f, d, "vgt-32", 0, 0, 0, &err), -EEXIST);
		assert_int_equal(try_create(f, d, NULL, 1, 1, 0, &err), -EEXIST);
	}
	vgt_host_get_info(f->h.host, &now);
	same_host_info(&before, &now);
	assert_int_equal(vgt_host_type_capacity(f->h.host, "vgt-64"), cap64);

	/* Control: what does fit is admitted, and accounted. */
	p.domid = 30;
	p.type = "vgt-32";
	p.ops = &dummy_ops;
	assert_int_equal(vgt_vgpu_create(f->h.host, &p, &v, &err), 0);
	assert_non_null(v);
	vgt_host_get_info(f->h.host, &now);
	assert_int_equal(now.free_low, before.free_low - (32ull << 20));
	assert_int_equal(now.free_fences, before.free_fences - 2);
	vgt_vgpu_destroy(v);
	vgt_host_get_info(f->h.host, &now);
	same_host_info(&before, &now);

	fx_check_unchanged(f, true);
	for (unsigned i = 0; i < f->h.nguests; i++) {
		struct vgt_vgpu_info in = ch_info(guest(f, i));

		assert_int_equal(in.low.base, f->gi[i].low.base);
		assert_int_equal(in.high.base, f->gi[i].high.base);
		assert_memory_equal(in.host_fence, f->gi[i].host_fence, sizeof(in.host_fence));
	}
	fx_check_bystanders(f);
}

/* ---- 10. BAR4 port abuse ---------------------------------------------------- */

static void test_pio_abuse(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	uint32_t own = idx_of(f->gi[1].low.base) + 2;
	const uint32_t reg = HSW_DSPSTRIDE(0);
	const uint32_t range_targets[] = {
		idx_of(f->gi[2].low.base), idx_of(f->gi[0].high.base) + 3,
		idx_of(f->hi.host_low.base), idx_of(f->hi.host_high.base) + 1,
		idx_of(gap_base(f, false)), f->hi.hw.gtt_entries - 1,
	};
	const uint32_t bad_ports[] = { 1, 2, 3, 5, 6, 7, 8, 12, 60, 63, 64, 0x100, 0xFFFFFFFFu };
	const unsigned bad_sizes[] = { 0, 1, 2, 3, 8, 16 };
	uint64_t range = 0, access = 0;

	/* Benign first: target 1 maps its own entry, target 0 reaches its registers. */
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * own | 1);
	assert_int_equal(pio_rd(a, HSW_IO_MMIO_INDEX, 4), 4 * own | 1);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(0x6000));
	assert_int_equal(host_pte(f, own), pte_for(a, 0x6000));
	assert_int_equal(pio_rd(a, HSW_IO_MMIO_DATA, 4), gpte(0x6000));
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, reg);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, 0xCAFE0000u);
	assert_int_equal(vrd(a, reg), 0xCAFE0000u);
	assert_int_equal(ch_info(a).guest_errors, 0);
	fx_snap(f, 1);

	/* Target 1 follows the GTT rules: a frame it does not own... */
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * (own + 1) | 1);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(CH_GUEST_RAM));
	assert_int_equal(kind_count(a, VGT_GERR_GTT_FRAME), 1);
	assert_int_equal(host_pte(f, own + 1), unmapped_pte(f, a));
	/* ...and entries outside its slices. */
	for (size_t i = 0; i < sizeof(range_targets) / sizeof(range_targets[0]); i++) {
		uint32_t before = host_pte(f, range_targets[i]);

		pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * range_targets[i] | 1);
		pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(0x1000));
		assert_int_equal(kind_count(a, VGT_GERR_GTT_RANGE), ++range);
		assert_int_equal(host_pte(f, range_targets[i]), before);
	}
	/* Index bits above 20 are not an offset: 0xFFFFFFFD is the last entry. */
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 0xFFFFFFFDu);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(0x1000));
	assert_int_equal(kind_count(a, VGT_GERR_GTT_RANGE), ++range);

	/* Targets 2 and 3 do not exist. */
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, reg | 2);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, 0);
	assert_int_equal(pio_rd(a, HSW_IO_MMIO_DATA, 4), 0xFFFFFFFFu);
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * own | 3);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(0x9000));
	assert_int_equal(pio_rd(a, HSW_IO_MMIO_DATA, 4), 0xFFFFFFFFu);
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * idx_of(f->hi.host_low.base) | 3);
	pio_wr(a, HSW_IO_MMIO_DATA, 4, gpte(0x9000));
	access += 5;
	assert_int_equal(kind_count(a, VGT_GERR_ACCESS), access);
	assert_int_equal(vrd(a, reg), 0xCAFE0000u);
	assert_int_equal(host_pte(f, own), pte_for(a, 0x6000));

	/* Ports that are not INDEX or DATA. */
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		assert_int_equal(pio_rd(a, bad_ports[i], 4), 0xFFFFFFFFu);
		pio_wr(a, bad_ports[i], 4, 4 * idx_of(f->hi.host_low.base) | 1);
		access += 2;
	}
	/* Wrong sizes at INDEX and DATA: the index does not move. */
	pio_wr(a, HSW_IO_MMIO_INDEX, 4, 4 * own | 1);
	for (size_t i = 0; i < sizeof(bad_sizes) / sizeof(bad_sizes[0]); i++) {
		assert_int_equal(pio_rd(a, HSW_IO_MMIO_INDEX, bad_sizes[i]), 0xFFFFFFFFu);
		assert_int_equal(pio_rd(a, HSW_IO_MMIO_DATA, bad_sizes[i]), 0xFFFFFFFFu);
		pio_wr(a, HSW_IO_MMIO_INDEX, bad_sizes[i], 4 * idx_of(f->hi.host_low.base) | 1);
		pio_wr(a, HSW_IO_MMIO_DATA, bad_sizes[i], gpte(0x1000));
		access += 4;
	}
	assert_int_equal(pio_rd(a, HSW_IO_MMIO_INDEX, 4), 4 * own | 1);
	assert_int_equal(kind_count(a, VGT_GERR_ACCESS), access);
	assert_int_equal(kind_count(a, VGT_GERR_GTT_RANGE), range);
	assert_int_equal(kind_count(a, VGT_GERR_GTT_FRAME), 1);

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_ACCESS, true);
	fx_check_attacker(f, VGT_GERR_GTT_RANGE, true);
	fx_check_bystanders(f);
}

/* ---- 11. Failsafe containment ----------------------------------------------- */

static void test_failsafe_blocks_gtt_and_aperture(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint32_t idx = idx_of(ai->low.base) + 4, hidx = idx_of(ai->high.base) + 6;
	uint64_t win = ai->low.base, aram_sum, e;

	vgtt_wr(a, idx, 0x1000);
	assert_int_equal(host_pte(f, idx), pte_for(a, 0x1000));
	vgtt_wr(a, idx_of(win), 0x20000);
	mwr(a, 2, win + 0x10, 4, 0x0BADF00Du);
	assert_int_equal(mrd(a, 2, win + 0x10, 4), 0x0BADF00Du);
	assert_int_equal(ch_info(a).guest_errors, 0);
	fx_snap(f, 1);
	aram_sum = ch_guest_ram_sum(&f->h, 1);

	/* Into failsafe. */
	gtt_raw(a, idx_of(f->hi.host_low.base), 4, gpte(0x1000));
	assert_true(ch_info(a).failsafe);
	e = error_count(a);

	/* In-slice writes no longer reach the host GTT or the aperture. */
	vgtt_wr(a, idx, 0x2000);
	vgtt_wr(a, idx + 1, 0x3000);
	gtt_raw(a, idx + 2, 8, gpte(0x4000) | (uint64_t)gpte(0x5000) << 32);
	vgtt_wr(a, hidx, 0x6000);
	gtt_raw(a, idx, 4, 0);
	mwr(a, 2, win + 0x10, 4, 0xDEADBEEFu);
	mwr(a, 2, win + 0x18, 8, ALL_ONES);
	assert_int_equal(host_pte(f, idx), pte_for(a, 0x1000));
	assert_int_equal(host_pte(f, idx + 1), unmapped_pte(f, a));
	assert_int_equal(host_pte(f, hidx), unmapped_pte(f, a));
	assert_int_equal(ch_guest_ram_sum(&f->h, 1), aram_sum);
	assert_int_equal(mrd(a, 2, win + 0x10, 4), 0x0BADF00Du);
	/* They are not errors, just dropped. */
	assert_int_equal(error_count(a), e);

	fx_check_unchanged(f, true);
	fx_check_attacker(f, VGT_GERR_GTT_RANGE, true);
	fx_check_bystanders(f);

	/* A reset leaves failsafe; in-slice writes work again. */
	assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
	assert_false(ch_info(a).failsafe);
	vgtt_wr(a, idx, 0x2000);
	assert_int_equal(host_pte(f, idx), pte_for(a, 0x2000));
	vgtt_wr(a, hidx, 0x6000);
	assert_int_equal(host_pte(f, hidx), pte_for(a, 0x6000));
	mwr(a, 2, win + 0x10, 4, 0xDEADBEEFu);
	assert_int_equal(mrd(a, 2, win + 0x10, 4), 0xDEADBEEFu);
	assert_int_equal(error_count(a), e);
	/* And a fresh bad access is caught again. */
	gtt_raw(a, idx_of(f->gi[2].low.base), 4, gpte(0x1000));
	assert_true(ch_info(a).failsafe);
	assert_int_equal(error_count(a), e + 1);
}

static void test_failsafe_blocks_fence_writes(void **state)
{
	struct fx *f = *state;
	struct vgt_inproc_guest *a = guest(f, 1);
	const struct vgt_vgpu_info *ai = &f->gi[1];
	uint64_t *snap = calloc(HSW_NUM_FENCES, sizeof(*snap));
	uint32_t lo0 = fence_lo(ai->low.base), hi0 = fence_hi(ai->low.base + MIB);
	uint32_t lo1 = fence_lo(ai->low.base + 2 * MIB), hi1 = fence_hi(ai->low.base + 3 * MIB);
	uint32_t lo2 = fence_lo(ai->low.base + 4 * MIB), hi2 = fence_hi(ai->low.base + 5 * MIB);
	char leaks[1024] = "";
	size_t used = 0;
	const char *step;

	assert_non_null(snap);
	fence_prog(a, 0, lo0, hi0);
	fence_prog(a, 1, lo1, hi1);
	assert_int_equal(host_fence(f, ai->host_fence[0]), lo0 | (uint64_t)hi0 << 32);
	assert_int_equal(host_fence(f, ai->host_fence[1]), lo1 | (uint64_t)hi1 << 32);
	fx_snap(f, 1);
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++)
		snap[i] = host_fence(f, i);

	gtt_raw(a, idx_of(f->hi.host_low.base), 4, gpte(0x1000));
	assert_true(ch_info(a).failsafe);

	/* Record every host fence a failsafe vGPU still manages to change. */
#define FENCE_STEP(name, stmt) do { \
		step = (name); \
		stmt; \
		for (uint32_t h_ = 0; h_ < HSW_NUM_FENCES; h_++) { \
			uint64_t now_ = host_fence(f, h_); \
			if (now_ != snap[h_] && used < sizeof(leaks) - 1) \
				used += (size_t)snprintf(leaks + used, sizeof(leaks) - used, \
					"[%s: host fence %u 0x%016llx -> 0x%016llx] ", step, h_, \
					(unsigned long long)snap[h_], (unsigned long long)now_); \
			snap[h_] = now_; \
		} \
	} while (0)

	FENCE_STEP("i915-order reprogram of fence 0 in its slice",
		   fence_prog(a, 0, lo2, hi2));
	FENCE_STEP("disable fence 1 (LO = 0)", vwr(a, HSW_FENCE_LO(1), 0));
	FENCE_STEP("HI of disabled fence 2", vwr(a, HSW_FENCE_HI(2), hi2));
	FENCE_STEP("qword write of fence 3 in its slice",
		   mwr(a, 0, HSW_FENCE_LO(3), 8, lo1 | (uint64_t)hi1 << 32));
	FENCE_STEP("fence 1 onto guest 2's memory",
		   fence_prog(a, 1, fence_lo(f->gi[2].low.base), fence_hi(f->gi[2].low.base + MIB)));
	if (used > sizeof(leaks) - 1)
		used = sizeof(leaks) - 1;
#undef FENCE_STEP

	fx_check_attacker(f, VGT_GERR_GTT_RANGE, false);
	fx_check_attacker(f, VGT_GERR_FENCE, false);
	fx_check_bystanders(f);

	/* A reset leaves failsafe; fence writes reach its host fence again. */
	assert_int_equal(vgt_vgpu_reset(a->vgpu), 0);
	assert_false(ch_info(a).failsafe);
	fence_prog(a, 0, lo2, hi2);
	assert_int_equal(host_fence(f, ai->host_fence[0]), lo2 | (uint64_t)hi2 << 32);
	free(snap);

	if (used)
		fail_msg("failsafe vGPU still programs host fences: %s", leaks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gtt_outside_slices, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_gtt_foreign_frame, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_gtt_narrow_writes, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fence_foreign_and_out_of_range, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fence_bad_write_keeps_host_fence, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_fence_inside_slice_programs_own_host_fence, fx_setup,
						fx_teardown),
		cmocka_unit_test_setup_teardown(test_aperture_outside_window, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_cfg_bar_sizing_abuse, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_mmio_odd_accesses, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pvinfo_readonly, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_admission_over_capacity, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_pio_abuse, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failsafe_blocks_gtt_and_aperture, fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_failsafe_blocks_fence_writes, fx_setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

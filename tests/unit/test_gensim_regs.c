/* SPDX-License-Identifier: MIT */
/*
 * gensim's register file, by offset: reset values, write masks, masked and
 * write-1-to-clear registers, read-only registers, unclaimed offsets, access
 * sizes, the GTT half of BAR0, engine reset through GEN6_GDRST, the
 * command-streamer timestamp and the register names.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"

static const uint32_t engine_bases[GENSIM_NUM_ENGINES] = {
	[GENSIM_RCS] = HSW_RCS_BASE,
	[GENSIM_VCS] = HSW_VCS_BASE,
	[GENSIM_BCS] = HSW_BCS_BASE,
	[GENSIM_VECS] = HSW_VECS_BASE,
};

static const uint32_t engine_pgas[GENSIM_NUM_ENGINES] = {
	[GENSIM_RCS] = HSW_RCS_HWS_PGA,
	[GENSIM_VCS] = HSW_VCS_HWS_PGA,
	[GENSIM_BCS] = HSW_BCS_HWS_PGA,
	[GENSIM_VECS] = HSW_VECS_HWS_PGA,
};

static const uint32_t engine_gdrst[GENSIM_NUM_ENGINES] = {
	[GENSIM_RCS] = HSW_GDRST_RENDER,
	[GENSIM_VCS] = HSW_GDRST_MEDIA,
	[GENSIM_BCS] = HSW_GDRST_BLT,
	[GENSIM_VECS] = HSW_GDRST_VECS,
};

/* Offsets gensim's HSW table does not list. */
static const uint32_t unclaimed_offsets[] = {
	0x0u,                           /* first dword of BAR0 */
	HSW_RING_NOPID(HSW_RCS_BASE),   /* in an engine page, but not modelled */
	0x8000u,
	HSW_PVINFO_PAGE,                /* vgt's, not the hardware's */
	HSW_MMIO_SIZE - 4u,             /* last dword of the register half */
};

#define GTT_PTE_OFF(i)  (HSW_GTT_OFFSET + 4u * (uint32_t)(i))
#define LAST_PTE        (HSW_GTT_ENTRIES - 1u)

static uint32_t rd8(struct gensim *gs, uint32_t off)
{
	uint64_t v = ~0ull;

	assert_int_equal(gensim_mmio_read(gs, off, 1, &v), 0);
	assert_true(v <= 0xFFu);
	return (uint32_t)v;
}

static uint32_t rd16(struct gensim *gs, uint32_t off)
{
	uint64_t v = ~0ull;

	assert_int_equal(gensim_mmio_read(gs, off, 2, &v), 0);
	assert_true(v <= 0xFFFFu);
	return (uint32_t)v;
}

static uint64_t rd64(struct gensim *gs, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(gensim_mmio_read(gs, off, 8, &v), 0);
	return v;
}

static void wrn(struct gensim *gs, uint32_t off, unsigned size, uint64_t val)
{
	assert_int_equal(gensim_mmio_write(gs, off, size, val), 0);
}

/* Makes @e raise its user interrupt through its ring (IMRs must be open). */
static void user_interrupt(struct gensim *gs, enum gensim_engine_id e, uint32_t gm)
{
	static const uint32_t cmds[] = { HSW_MI_USER_INTERRUPT };
	struct harness_ring r;

	ring_init(gs, &r, e, gm, 4096, gm + 0x10000u);
	ring_submit(gs, &r, cmds, 1);
	assert_true(engine_state(gs, e).idle);
	assert_false(engine_state(gs, e).halted);
}

/* ---- Reset values ----------------------------------------------------------- */

static void test_reset_values(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	/* Every interrupt mask starts all ones, every enable and identity 0. */
	assert_int_equal(rd(gs, HSW_DEIMR), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_GTIMR), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_PMIMR), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_SDEIMR), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_DERRMR), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_DEIER), 0);
	assert_int_equal(rd(gs, HSW_GTIER), 0);
	assert_int_equal(rd(gs, HSW_PMIER), 0);
	assert_int_equal(rd(gs, HSW_SDEIER), 0);
	assert_int_equal(rd(gs, HSW_DEIIR), 0);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);
	assert_int_equal(rd(gs, HSW_PMIIR), 0);
	assert_int_equal(rd(gs, HSW_SDEIIR), 0);
	assert_int_equal(rd(gs, HSW_DEISR), 0);
	assert_int_equal(rd(gs, HSW_GTISR), 0);
	assert_int_equal(rd(gs, HSW_ERR_INT), 0);

	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++) {
		uint32_t b = engine_bases[e];

		assert_int_equal(rd(gs, HSW_RING_IMR(b)), 0xFFFFFFFFu);
		assert_int_equal(rd(gs, HSW_RING_HWSTAM(b)), 0xFFFFFFFFu);
		assert_int_equal(rd(gs, HSW_RING_EMR(b)), 0xFFFFFFFFu);
		assert_int_equal(rd(gs, HSW_RING_EIR(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_ESR(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_TAIL(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_HEAD(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_START(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_CTL(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_INSTPM(b)), 0);
		assert_int_equal(rd(gs, HSW_RING_MODE(b)), 0);
		assert_int_equal(rd(gs, engine_pgas[e]), 0);
	}

	/* ECOBUS advertises multi-threaded forcewake (bit 5). */
	assert_true(rd(gs, HSW_ECOBUS) & HSW_ECOBUS_FORCEWAKE_MT_ENABLE);
	assert_int_equal(rd(gs, HSW_ECOBUS) & HSW_ECOBUS_FORCEWAKE_MT_ENABLE, 1u << 5);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0);
	assert_int_equal(rd(gs, HSW_GDRST), 0);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++) {
		assert_int_equal(rd(gs, HSW_PIPECONF(p)), 0);
		assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), 0);
	}
	for (unsigned i = 0; i < HSW_NUM_FENCES; i++) {
		assert_int_equal(rd(gs, HSW_FENCE_LO(i)), 0);
		assert_int_equal(rd(gs, HSW_FENCE_HI(i)), 0);
	}
	/* Reading registers is not an unclaimed access. */
	assert_int_equal(stats(gs).unclaimed_mmio, 0);
	gensim_destroy(gs);
}

/* ---- Masked registers ------------------------------------------------------- */

static void check_masked(struct gensim *gs, uint32_t off, uint32_t ignore)
{
	uint32_t lowmask = 0xFFFFu & ~ignore;

	assert_int_equal(rd(gs, off) & ~ignore, 0);
	/* Enable bit 12 and bit 0, set both. */
	wr(gs, off, (0x1001u << 16) | 0x1001u);
	assert_int_equal(rd(gs, off) & ~ignore, 0x1001u);
	/* Value bits without their enables change nothing... */
	wr(gs, off, 0x0000FFFFu & lowmask);
	assert_int_equal(rd(gs, off) & ~ignore, 0x1001u);
	/* ...and enables select exactly which bits move. */
	wr(gs, off, (0x0003u << 16) | 0x0002u);
	assert_int_equal(rd(gs, off) & ~ignore, 0x1002u);
	wr(gs, off, 0x10000000u);
	assert_int_equal(rd(gs, off) & ~ignore, 0x0002u);
	/* Bits 31:16 are write enables, never stored. */
	wr(gs, off, 0xFFFF0000u | lowmask);
	assert_int_equal(rd(gs, off) & ~ignore, lowmask);
	assert_int_equal(rd(gs, off) >> 16, 0);
	wr(gs, off, 0xFFFF0000u);
	assert_int_equal(rd(gs, off) & ~ignore, 0);
}

static void test_masked_mi_mode(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++) {
		uint32_t off = HSW_RING_MI_MODE(engine_bases[e]);

		/* An idle engine reports MODE_IDLE (bit 9, read-only). */
		assert_true(rd(gs, off) & HSW_MI_MODE_IDLE);
		check_masked(gs, off, HSW_MI_MODE_IDLE);
	}
	gensim_destroy(gs);
}

static void test_masked_stop_ring(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t off = HSW_RING_MI_MODE(HSW_RCS_BASE);

	(void)state;
	wr(gs, off, HSW_MI_MODE_STOP_RING);     /* no enable bit: ignored */
	assert_int_equal(rd(gs, off) & HSW_MI_MODE_STOP_RING, 0);
	wr(gs, off, (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	assert_int_equal(rd(gs, off) & HSW_MI_MODE_STOP_RING, HSW_MI_MODE_STOP_RING);
	assert_true(rd(gs, off) & HSW_MI_MODE_IDLE);
	wr(gs, off, HSW_MI_MODE_STOP_RING << 16);
	assert_int_equal(rd(gs, off) & HSW_MI_MODE_STOP_RING, 0);
	gensim_destroy(gs);
}

static void test_masked_instpm(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++) {
		check_masked(gs, HSW_RING_INSTPM(engine_bases[e]), 0);
		check_masked(gs, HSW_RING_MODE(engine_bases[e]), 0);
	}
	gensim_destroy(gs);
}

static void test_forcewake_mt_and_ack(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	check_masked(gs, HSW_FORCEWAKE_MT, 0);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0);

	/* Kernel forcewake: the ack mirrors the request's low 16 bits. */
	wr(gs, HSW_FORCEWAKE_MT, 0x00010001u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0x0001u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0x0001u);
	/* No enable bits: neither the request nor the ack moves. */
	wr(gs, HSW_FORCEWAKE_MT, 0x0000FFFFu);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0x0001u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0x0001u);
	/* User and fallback bits on top. */
	wr(gs, HSW_FORCEWAKE_MT, 0x80028002u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0x8003u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0x8003u);
	/* Release the kernel bit only. */
	wr(gs, HSW_FORCEWAKE_MT, 0x00010000u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0x8002u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0x8002u);
	wr(gs, HSW_FORCEWAKE_MT, 0xFFFF0000u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0);
	gensim_destroy(gs);
}

/* ---- Write-1-to-clear ------------------------------------------------------- */

#define GT_USER_BITS (HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_BSD_USER_INTERRUPT | \
		      HSW_GT_BLT_USER_INTERRUPT)

/* GTIIR bits 0 (byte 0), 12 (byte 1) and 22 (byte 2) set by real events. */
static void raise_gt_user_bits(struct gensim *gs)
{
	wr(gs, HSW_RING_IMR(HSW_RCS_BASE), ~HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_RING_IMR(HSW_VCS_BASE), ~HSW_GT_BSD_USER_INTERRUPT);
	wr(gs, HSW_RING_IMR(HSW_BCS_BASE), ~HSW_GT_BLT_USER_INTERRUPT);
	wr(gs, HSW_GTIMR, ~GT_USER_BITS);
	user_interrupt(gs, GENSIM_RCS, 0x100000u);
	user_interrupt(gs, GENSIM_VCS, 0x200000u);
	user_interrupt(gs, GENSIM_BCS, 0x300000u);
	assert_int_equal(rd(gs, HSW_GTIIR), GT_USER_BITS);
}

static void test_w1c_gtiir(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	raise_gt_user_bits(gs);
	wr(gs, HSW_GTIIR, 0);
	assert_int_equal(rd(gs, HSW_GTIIR), GT_USER_BITS);
	/* Writing 1 to a clear bit does not set it. */
	wr(gs, HSW_GTIIR, 1u << 5);
	assert_int_equal(rd(gs, HSW_GTIIR), GT_USER_BITS);
	wr(gs, HSW_GTIIR, HSW_GT_BSD_USER_INTERRUPT);
	assert_int_equal(rd(gs, HSW_GTIIR),
			 HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_BLT_USER_INTERRUPT);
	wr(gs, HSW_GTIIR, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);

	/* A masked event does not latch in IIR. */
	wr(gs, HSW_GTIMR, ~HSW_GT_BLT_USER_INTERRUPT);
	user_interrupt(gs, GENSIM_RCS, 0x400000u);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);
	gensim_destroy(gs);
}

static void test_w1c_deiir(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	wr(gs, HSW_DEIMR, ~(HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2)));
	wr(gs, HSW_PIPECONF(0), HSW_PIPECONF_ENABLE);
	wr(gs, HSW_PIPECONF(2), HSW_PIPECONF_ENABLE);
	assert_int_equal(gensim_advance_time(gs, 17000000ull), 0);
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2));

	wr(gs, HSW_DEIIR, 0);
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2));
	wr(gs, HSW_DEIIR, HSW_DE_PIPE_VBLANK(1));
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2));
	wr(gs, HSW_DEIIR, HSW_DE_PIPE_VBLANK(2));
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(0));
	wr(gs, HSW_DEIIR, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_DEIIR), 0);
	gensim_destroy(gs);
}

static void test_w1c_ring_eir(void **state)
{
	static const uint32_t bad[] = { 0xE0000000u };  /* client 7: no such command */
	struct gensim *gs = harness_create(NULL);
	struct harness_ring r;
	uint32_t eir = HSW_RING_EIR(HSW_RCS_BASE);

	(void)state;
	ring_init(gs, &r, GENSIM_RCS, 0x100000u, 4096, 0x110000u);
	ring_submit(gs, &r, bad, 1);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(rd(gs, eir), HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_ESR(HSW_RCS_BASE)), HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), 0xE0000000u);

	/* IPEHR is read-only, also when it holds a value. */
	wr(gs, HSW_RING_IPEHR(HSW_RCS_BASE), 0);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), 0xE0000000u);

	wr(gs, eir, 0);
	assert_int_equal(rd(gs, eir), HSW_ERR_INSTRUCTION);
	wr(gs, eir, HSW_ERR_PAGE_TABLE);
	assert_int_equal(rd(gs, eir), HSW_ERR_INSTRUCTION);
	wr(gs, eir, HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, eir), 0);
	/* The other engines' EIRs were never involved. */
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_BCS_BASE)), 0);
	gensim_destroy(gs);
}

static void test_w1c_fpga_dbg(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	(void)rd(gs, 0x8000u);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);
	/* Writing 0 or the other bits leaves RM_NOCLAIM set. */
	wr(gs, HSW_FPGA_DBG, 0);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);
	wr(gs, HSW_FPGA_DBG, 0x7FFFFFFFu);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);
	wr(gs, HSW_FPGA_DBG, HSW_FPGA_DBG_RM_NOCLAIM);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);
	/* A claimed access does not set it again. */
	(void)rd(gs, HSW_GTIMR);
	wr(gs, HSW_RING_HWSTAM(HSW_RCS_BASE), 0);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);
	gensim_destroy(gs);
}

/* ---- Read-only registers ---------------------------------------------------- */

static void test_read_only_registers(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++) {
		uint32_t b = engine_bases[e];

		wr(gs, HSW_RING_IPEHR(b), 0xFFFFFFFFu);
		assert_int_equal(rd(gs, HSW_RING_IPEHR(b)), 0);
		wr(gs, HSW_RING_ESR(b), 0xFFFFFFFFu);
		assert_int_equal(rd(gs, HSW_RING_ESR(b)), 0);
	}
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++) {
		wr(gs, HSW_DSPSURFLIVE(p), 0x12345000u);
		assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), 0);
	}
	wr(gs, HSW_FORCEWAKE_ACK, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0);
	wr(gs, HSW_GTISR, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_GTISR), 0);
	wr(gs, HSW_DEISR, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_DEISR), 0);
	gensim_destroy(gs);
}

static void test_pipeconf_state_follows_enable(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++) {
		uint32_t off = HSW_PIPECONF(p);

		/* The state bit cannot be written on its own. */
		wr(gs, off, HSW_PIPECONF_STATE | 0x10u);
		assert_int_equal(rd(gs, off), 0x10u);
		wr(gs, off, HSW_PIPECONF_ENABLE | 0x10u);
		assert_int_equal(rd(gs, off),
				 HSW_PIPECONF_ENABLE | HSW_PIPECONF_STATE | 0x10u);
		/* ...nor cleared while the pipe stays enabled. */
		wr(gs, off, HSW_PIPECONF_ENABLE);
		assert_int_equal(rd(gs, off), HSW_PIPECONF_ENABLE | HSW_PIPECONF_STATE);
		wr(gs, off, HSW_PIPECONF_STATE);
		assert_int_equal(rd(gs, off), 0);
	}
	gensim_destroy(gs);
}

static void test_dspsurflive_follows_flip(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	/* With the pipe off the flip completes at once. */
	wr(gs, HSW_DSPSURF(1), 0x00400000u);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(1)), 0x00400000u);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), 0);
	/* With the pipe on it waits for the vblank. */
	wr(gs, HSW_PIPECONF(1), HSW_PIPECONF_ENABLE);
	wr(gs, HSW_DSPSURF(1), 0x00800000u);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(1)), 0x00400000u);
	assert_int_equal(gensim_advance_time(gs, 17000000ull), 0);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(1)), 0x00800000u);
	gensim_destroy(gs);
}

/* ---- Unclaimed offsets ------------------------------------------------------ */

static void test_unclaimed_offsets(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint64_t n = 0;

	(void)state;
	assert_int_equal(stats(gs).unclaimed_mmio, 0);
	for (size_t i = 0; i < sizeof(unclaimed_offsets) / sizeof(unclaimed_offsets[0]); i++) {
		uint32_t off = unclaimed_offsets[i];

		assert_null(gensim_reg_name(off));
		wr(gs, HSW_FPGA_DBG, HSW_FPGA_DBG_RM_NOCLAIM);
		assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);

		assert_int_equal(rd(gs, off), 0);
		n++;
		assert_int_equal(stats(gs).unclaimed_mmio, n);
		assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);

		wr(gs, HSW_FPGA_DBG, HSW_FPGA_DBG_RM_NOCLAIM);
		wr(gs, off, 0xFFFFFFFFu);
		n++;
		assert_int_equal(stats(gs).unclaimed_mmio, n);
		assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);
		assert_int_equal(rd(gs, off), 0);
		n++;
		assert_int_equal(rd8(gs, off + 3u), 0);
		n++;
		assert_int_equal(stats(gs).unclaimed_mmio, n);
	}
	/* Claimed accesses are not counted. */
	wr(gs, HSW_FPGA_DBG, HSW_FPGA_DBG_RM_NOCLAIM);
	(void)rd(gs, HSW_RING_HWSTAM(HSW_RCS_BASE));
	wr(gs, HSW_GTIER, 0);
	(void)rd(gs, GTT_PTE_OFF(3));
	assert_int_equal(stats(gs).unclaimed_mmio, n);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);
	gensim_destroy(gs);
}

/* ---- Access sizes ----------------------------------------------------------- */

static void test_narrow_reads_and_writes(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t off = HSW_RING_HWSTAM(HSW_RCS_BASE);

	(void)state;
	wr(gs, off, 0x11223344u);
	assert_int_equal(rd8(gs, off), 0x44u);
	assert_int_equal(rd8(gs, off + 1u), 0x33u);
	assert_int_equal(rd8(gs, off + 2u), 0x22u);
	assert_int_equal(rd8(gs, off + 3u), 0x11u);
	assert_int_equal(rd16(gs, off), 0x3344u);
	assert_int_equal(rd16(gs, off + 2u), 0x1122u);

	wrn(gs, off + 1u, 1, 0xAAu);
	assert_int_equal(rd(gs, off), 0x1122AA44u);
	wrn(gs, off + 2u, 2, 0xBEEFu);
	assert_int_equal(rd(gs, off), 0xBEEFAA44u);
	wrn(gs, off + 3u, 1, 0x00u);
	assert_int_equal(rd(gs, off), 0x00EFAA44u);
	wrn(gs, off, 2, 0x0102u);
	assert_int_equal(rd(gs, off), 0x00EF0102u);
	/* Bits above the access width are dropped, not shifted in. */
	wrn(gs, off, 1, 0xFFFFFF55u);
	assert_int_equal(rd(gs, off), 0x00EF0155u);

	/* The register's write mask applies to narrow writes too. */
	wrn(gs, HSW_RING_TAIL(HSW_VCS_BASE), 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_RING_TAIL(HSW_VCS_BASE)), 0xF8u);
	wrn(gs, HSW_RING_TAIL(HSW_VCS_BASE) + 3u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_RING_TAIL(HSW_VCS_BASE)), 0xF8u);
	wrn(gs, HSW_RING_TAIL(HSW_VCS_BASE) + 2u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_RING_TAIL(HSW_VCS_BASE)), 0x1F00F8u);
	gensim_destroy(gs);
}

static void test_narrow_w1c(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	raise_gt_user_bits(gs);
	/* Value bits beyond the bytes written clear nothing. */
	wrn(gs, HSW_GTIIR, 1, 0xFFFFFF00u);
	wrn(gs, HSW_GTIIR, 2, 0xFFFF0000u);
	wrn(gs, HSW_GTIIR + 2u, 1, 0xFFFFFF00u);
	assert_int_equal(rd(gs, HSW_GTIIR), GT_USER_BITS);
	/* Only bit 22 lives in byte 2. */
	wrn(gs, HSW_GTIIR + 2u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_GTIIR),
			 HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_BSD_USER_INTERRUPT);
	/* Bytes 3 and 2 hold nothing now. */
	wrn(gs, HSW_GTIIR + 2u, 2, 0xFFFFu);
	assert_int_equal(rd(gs, HSW_GTIIR),
			 HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_BSD_USER_INTERRUPT);
	/* Byte 1 carries bit 12. */
	wrn(gs, HSW_GTIIR + 1u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	wrn(gs, HSW_GTIIR, 2, 0xFFFFu);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);

	/* DEIIR: pipe A vblank in byte 0, pipe C vblank (bit 10) in byte 1. */
	wr(gs, HSW_DEIMR, ~(HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2)));
	wr(gs, HSW_PIPECONF(0), HSW_PIPECONF_ENABLE);
	wr(gs, HSW_PIPECONF(2), HSW_PIPECONF_ENABLE);
	assert_int_equal(gensim_advance_time(gs, 17000000ull), 0);
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(0) | HSW_DE_PIPE_VBLANK(2));
	wrn(gs, HSW_DEIIR, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_DEIIR), HSW_DE_PIPE_VBLANK(2));
	wrn(gs, HSW_DEIIR + 1u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_DEIIR), 0);

	/* FPGA_DBG.RM_NOCLAIM is bit 31: only a write to byte 3 clears it. */
	(void)rd(gs, 0x8000u);
	wrn(gs, HSW_FPGA_DBG, 1, 0xFFu);
	wrn(gs, HSW_FPGA_DBG, 2, 0xFFFFu);
	wrn(gs, HSW_FPGA_DBG + 2u, 1, 0xFFu);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), HSW_FPGA_DBG_RM_NOCLAIM);
	wrn(gs, HSW_FPGA_DBG + 3u, 1, 0x80u);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);
	gensim_destroy(gs);
}

static void test_qword_fence_access(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t lo = 0x00200000u | HSW_FENCE_TILING_Y | HSW_FENCE_VALID;
	uint32_t hi = 0x002FF000u | 0x7u;

	(void)state;
	/* One qword store programs LO and HI; LO's bits 11:2 are not writable. */
	wrn(gs, HSW_FENCE_LO(3), 8, ((uint64_t)hi << 32) | lo | 0xFFCu);
	assert_int_equal(rd(gs, HSW_FENCE_LO(3)), lo);
	assert_int_equal(rd(gs, HSW_FENCE_HI(3)), hi);
	assert_int_equal(rd64(gs, HSW_FENCE_LO(3)), ((uint64_t)hi << 32) | lo);
	/* The neighbours are untouched. */
	assert_int_equal(rd64(gs, HSW_FENCE_LO(2)), 0);
	assert_int_equal(rd64(gs, HSW_FENCE_LO(4)), 0);

	/* Dword writes are seen by a qword read, on the last fence too. */
	wr(gs, HSW_FENCE_HI(31), 0x01FFF00Fu);
	wr(gs, HSW_FENCE_LO(31), 0x01000001u);
	assert_int_equal(rd64(gs, HSW_FENCE_LO(31)), 0x01FFF00F01000001ull);
	wrn(gs, HSW_FENCE_LO(31), 8, 0);
	assert_int_equal(rd(gs, HSW_FENCE_LO(31)), 0);
	assert_int_equal(rd(gs, HSW_FENCE_HI(31)), 0);

	/* A qword in the GTT half is two PTEs. */
	wrn(gs, GTT_PTE_OFF(100), 8, 0x0000B0010000A001ull);
	{
		uint32_t pte = 0;

		assert_int_equal(gensim_gtt_read(gs, 100, &pte), 0);
		assert_int_equal(pte, 0x0000A001u);
		assert_int_equal(gensim_gtt_read(gs, 101, &pte), 0);
		assert_int_equal(pte, 0x0000B001u);
	}
	assert_int_equal(rd64(gs, GTT_PTE_OFF(100)), 0x0000B0010000A001ull);
	gensim_destroy(gs);
}

struct bad_access {
	uint32_t off;
	unsigned size;
};

static void test_refused_accesses(void **state)
{
	static const struct bad_access bad[] = {
		{ HSW_RING_HWSTAM(HSW_RCS_BASE), 3 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE), 0 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE), 5 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE), 16 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE) + 1u, 2 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE) + 3u, 2 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE) + 2u, 4 },
		{ HSW_RING_HWSTAM(HSW_RCS_BASE) + 1u, 4 },
		{ HSW_FENCE_HI(0), 8 },         /* 4-aligned, not 8-aligned */
		{ HSW_BAR0_SIZE, 1 },           /* first offset past BAR0 */
		{ HSW_BAR0_SIZE, 2 },
		{ HSW_BAR0_SIZE, 4 },
		{ HSW_BAR0_SIZE, 8 },
		{ HSW_BAR0_SIZE + 0x2098u, 4 },
		{ 0xFFFFFFF8u, 8 },
		{ 0xFFFFFFFFu, 1 },
	};
	struct gensim *gs = harness_create(NULL);
	uint32_t hwstam = HSW_RING_HWSTAM(HSW_RCS_BASE);
	struct gensim_stats before, after;
	uint64_t refused = 0;

	(void)state;
	wr(gs, hwstam, 0x5A5A5A5Au);
	before = stats(gs);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 0x0123456789ABCDEFull;

		assert_int_equal(gensim_mmio_read(gs, bad[i].off, bad[i].size, &v), -EINVAL);
		assert_int_equal(gensim_mmio_write(gs, bad[i].off, bad[i].size, 0), -EINVAL);
		refused += 2;
		assert_int_equal(stats(gs).bad_access, before.bad_access + refused);
	}
	after = stats(gs);
	/* Refused accesses are not register accesses and change nothing. */
	assert_int_equal(after.mmio_reads, before.mmio_reads);
	assert_int_equal(after.mmio_writes, before.mmio_writes);
	assert_int_equal(after.unclaimed_mmio, before.unclaimed_mmio);
	assert_int_equal(rd(gs, hwstam), 0x5A5A5A5Au);
	gensim_destroy(gs);
}

static void test_bar0_boundaries(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint64_t v;
	uint32_t pte = 0;

	(void)state;
	/* The last offset of BAR0 is accepted at every size... */
	assert_int_equal(gensim_mmio_write(gs, HSW_BAR0_SIZE - 8u, 8, 0x1111222233334444ull), 0);
	assert_int_equal(gensim_mmio_read(gs, HSW_BAR0_SIZE - 8u, 8, &v), 0);
	assert_int_equal(v, 0x1111222233334444ull);
	assert_int_equal(gensim_mmio_write(gs, HSW_BAR0_SIZE - 4u, 4, 0xCAFE0001u), 0);
	assert_int_equal(gensim_mmio_write(gs, HSW_BAR0_SIZE - 2u, 2, 0xD00Du), 0);
	assert_int_equal(gensim_mmio_write(gs, HSW_BAR0_SIZE - 1u, 1, 0xBEu), 0);
	assert_int_equal(gensim_mmio_read(gs, HSW_BAR0_SIZE - 1u, 1, &v), 0);
	assert_int_equal(v, 0xBEu);
	assert_int_equal(gensim_mmio_read(gs, HSW_BAR0_SIZE - 2u, 2, &v), 0);
	assert_int_equal(v, 0xBE0Du);
	assert_int_equal(gensim_mmio_read(gs, HSW_BAR0_SIZE - 4u, 4, &v), 0);
	assert_int_equal(v, 0xBE0D0001u);
	/* ...and it is the last GTT entry. */
	assert_int_equal(gensim_gtt_read(gs, LAST_PTE, &pte), 0);
	assert_int_equal(pte, 0xBE0D0001u);
	/* ...while the first offset past it is refused (see test_refused_accesses). */
	assert_int_equal(gensim_mmio_read(gs, HSW_BAR0_SIZE, 4, &v), -EINVAL);

	/* The last register dword and the first GTT dword. */
	assert_int_equal(gensim_mmio_read(gs, HSW_MMIO_SIZE - 4u, 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(gensim_mmio_read(gs, HSW_GTT_OFFSET, 4, &v), 0);
	assert_int_equal(gensim_gtt_read(gs, 0, &pte), 0);
	assert_int_equal(v, pte);
	assert_true(pte & HSW_PTE_VALID);
	gensim_destroy(gs);
}

/* ---- GTT half of BAR0 ------------------------------------------------------- */

static void test_gtt_half(void **state)
{
	static const uint32_t idx[] = { 0, 1, 8191, 8192, 300000, LAST_PTE };
	struct gensim *gs = harness_create(NULL);
	struct gensim_stats before;
	uint32_t pte = 0;

	(void)state;
	assert_int_equal(gensim_gtt_entries(gs), 524288u);
	/* The harness's identity map is visible through BAR0. */
	assert_int_equal(rd(gs, GTT_PTE_OFF(5)), HSW_PTE_ENCODE(5ull * 4096u) | HSW_PTE_VALID);

	before = stats(gs);
	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		uint32_t val = 0x00ABC000u + (uint32_t)i * 0x1000u + HSW_WB_LLC_AGE3 + HSW_PTE_VALID;

		wr(gs, GTT_PTE_OFF(idx[i]), val);
		assert_int_equal(rd(gs, GTT_PTE_OFF(idx[i])), val);
		assert_int_equal(gensim_gtt_read(gs, idx[i], &pte), 0);
		assert_int_equal(pte, val);

		assert_int_equal(gensim_gtt_write(gs, idx[i], ~val), 0);
		assert_int_equal(rd(gs, GTT_PTE_OFF(idx[i])), ~val);
	}
	/* PTE bytes merge like register bytes. */
	wr(gs, GTT_PTE_OFF(7), 0x12345678u);
	wrn(gs, GTT_PTE_OFF(7) + 1u, 1, 0xAAu);
	wrn(gs, GTT_PTE_OFF(7) + 2u, 2, 0xBBCCu);
	assert_int_equal(gensim_gtt_read(gs, 7, &pte), 0);
	assert_int_equal(pte, 0xBBCCAA78u);
	assert_int_equal(rd16(gs, GTT_PTE_OFF(7) + 2u), 0xBBCCu);
	assert_int_equal(rd8(gs, GTT_PTE_OFF(7)), 0x78u);

	/* The GTT half is not the register file. */
	wr(gs, HSW_GTT_OFFSET + HSW_RING_HWSTAM(HSW_RCS_BASE), 0);
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(HSW_RCS_BASE)), 0xFFFFFFFFu);
	assert_int_equal(stats(gs).unclaimed_mmio, before.unclaimed_mmio);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);

	/* Host-side access is bounded by the GTT size. */
	assert_int_equal(gensim_gtt_read(gs, HSW_GTT_ENTRIES, &pte), -ERANGE);
	assert_int_equal(gensim_gtt_write(gs, HSW_GTT_ENTRIES, 0), -ERANGE);
	gensim_destroy(gs);
}

/* ---- GEN6_GDRST ------------------------------------------------------------- */

static void program_engine(struct gensim *gs, unsigned e)
{
	uint32_t b = engine_bases[e];

	wr(gs, engine_pgas[e], 0x00800000u + (uint32_t)e * 0x1000u);
	wr(gs, HSW_RING_START(b), 0x00100000u + (uint32_t)e * 0x10000u);
	wr(gs, HSW_RING_CTL(b), HSW_RING_VALID);
	wr(gs, HSW_RING_HWSTAM(b), 0x1234u);
	wr(gs, HSW_RING_IMR(b), 0xFFFF0000u);
	wr(gs, HSW_RING_INSTPM(b), 0x00200020u);
}

static void check_engine_programmed(struct gensim *gs, unsigned e)
{
	uint32_t b = engine_bases[e];

	assert_int_equal(rd(gs, engine_pgas[e]), 0x00800000u + (uint32_t)e * 0x1000u);
	assert_int_equal(rd(gs, HSW_RING_START(b)), 0x00100000u + (uint32_t)e * 0x10000u);
	assert_int_equal(rd(gs, HSW_RING_CTL(b)), HSW_RING_VALID);
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(b)), 0x1234u);
	assert_int_equal(rd(gs, HSW_RING_IMR(b)), 0xFFFF0000u);
	assert_int_equal(rd(gs, HSW_RING_INSTPM(b)), 0x20u);
	assert_true(engine_state(gs, (enum gensim_engine_id)e).enabled);
}

static void check_engine_reset(struct gensim *gs, unsigned e)
{
	uint32_t b = engine_bases[e];

	assert_int_equal(rd(gs, engine_pgas[e]), 0);
	assert_int_equal(rd(gs, HSW_RING_START(b)), 0);
	assert_int_equal(rd(gs, HSW_RING_CTL(b)), 0);
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(b)), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_RING_IMR(b)), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_RING_INSTPM(b)), 0);
	assert_false(engine_state(gs, (enum gensim_engine_id)e).enabled);
}

static void test_gdrst_engine_reset(void **state)
{
	(void)state;
	for (unsigned target = 0; target < GENSIM_NUM_ENGINES; target++) {
		struct gensim *gs = harness_create(NULL);
		uint64_t resets;

		for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++)
			program_engine(gs, e);
		wr(gs, HSW_GTIER, 0x5u);        /* outside every engine */
		resets = stats(gs).engine_resets;

		wr(gs, HSW_GDRST, engine_gdrst[target]);
		/* The reset completes at once: the bits read back clear. */
		assert_int_equal(rd(gs, HSW_GDRST), 0);
		assert_int_equal(stats(gs).engine_resets, resets + 1);
		for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++) {
			if (e == target)
				check_engine_reset(gs, e);
			else
				check_engine_programmed(gs, e);
		}
		assert_int_equal(rd(gs, HSW_GTIER), 0x5u);
		gensim_destroy(gs);
	}
}

static void test_gdrst_full_and_halted(void **state)
{
	static const uint32_t bad[] = { 0xE0000000u };
	struct gensim *gs = harness_create(NULL);
	struct harness_ring r;
	uint64_t resets;

	(void)state;
	ring_init(gs, &r, GENSIM_BCS, 0x100000u, 4096, 0x110000u);
	ring_submit(gs, &r, bad, 1);
	assert_true(engine_state(gs, GENSIM_BCS).halted);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_BCS_BASE)), HSW_ERR_INSTRUCTION);

	/* Resetting another engine leaves the halted one halted. */
	wr(gs, HSW_GDRST, HSW_GDRST_RENDER);
	assert_true(engine_state(gs, GENSIM_BCS).halted);

	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++)
		if (e != GENSIM_BCS)
			program_engine(gs, e);
	resets = stats(gs).engine_resets;
	wr(gs, HSW_GDRST, HSW_GDRST_FULL);
	assert_int_equal(rd(gs, HSW_GDRST), 0);
	assert_int_equal(stats(gs).engine_resets, resets + GENSIM_NUM_ENGINES);
	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++)
		check_engine_reset(gs, e);
	assert_false(engine_state(gs, GENSIM_BCS).halted);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_BCS_BASE)), 0);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_BCS_BASE)), 0);

	/* Bits GDRST does not define are not stored either. */
	wr(gs, HSW_GDRST, 0xFFFFFFE0u);
	assert_int_equal(rd(gs, HSW_GDRST), 0);
	gensim_destroy(gs);
}

/* ---- Timestamp -------------------------------------------------------------- */

static void test_ring_timestamp(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t ts = HSW_RING_TIMESTAMP(HSW_RCS_BASE);
	uint32_t udw = HSW_RING_TIMESTAMP_UDW(HSW_RCS_BASE);
	uint64_t far;

	(void)state;
	assert_int_equal(gensim_now_ns(gs), 0);
	assert_int_equal(rd(gs, ts), 0);
	assert_int_equal(rd(gs, udw), 0);
	assert_int_equal(gensim_advance_time(gs, 79), 0);
	assert_int_equal(rd(gs, ts), 0);
	assert_int_equal(gensim_advance_time(gs, 1), 0);
	assert_int_equal(rd(gs, ts), 1);
	assert_int_equal(gensim_advance_time(gs, 800), 0);
	assert_int_equal(rd(gs, ts), 11);
	assert_int_equal(gensim_advance_time(gs, 8000000), 0);      /* 8 ms */
	assert_int_equal(rd(gs, ts), 100011u);
	/* Every engine's timestamp runs on the same clock. */
	for (unsigned e = 0; e < GENSIM_NUM_ENGINES; e++)
		assert_int_equal(rd(gs, HSW_RING_TIMESTAMP(engine_bases[e])), 100011u);
	/* Read-only. */
	wr(gs, ts, 0);
	assert_int_equal(rd(gs, ts), 100011u);

	/* The upper dword counts 2^32 ticks; a qword read sees both halves. */
	far = ((1ull << 32) + 5u) * 80u;
	assert_int_equal(gensim_advance_time(gs, far - gensim_now_ns(gs)), 0);
	assert_int_equal(rd(gs, ts), 5u);
	assert_int_equal(rd(gs, udw), 1u);
	assert_int_equal(rd64(gs, ts), (1ull << 32) + 5u);
	assert_int_equal(rd(gs, HSW_RING_TIMESTAMP_UDW(HSW_VECS_BASE)), 1u);
	gensim_destroy(gs);
}

/* ---- Names ------------------------------------------------------------------ */

static void test_reg_names(void **state)
{
	static const struct {
		uint32_t off;
		const char *name;
	} known[] = {
		{ HSW_RING_TAIL(HSW_RCS_BASE), "RCS_TAIL" },
		{ HSW_RING_CTL(HSW_VCS_BASE), "VCS_CTL" },
		{ HSW_RING_HWSTAM(HSW_BCS_BASE), "BCS_HWSTAM" },
		{ HSW_RING_MI_MODE(HSW_VECS_BASE), "VECS_MI_MODE" },
		{ HSW_RING_TIMESTAMP_UDW(HSW_RCS_BASE), "RCS_TIMESTAMP_UDW" },
		{ HSW_RCS_HWS_PGA, "RCS_HWS_PGA" },
		{ HSW_GDRST, "GEN6_GDRST" },
		{ HSW_ECOBUS, "ECOBUS" },
		{ HSW_FORCEWAKE_MT, "FORCEWAKE_MT" },
		{ HSW_FORCEWAKE_ACK, "FORCEWAKE_ACK_HSW" },
		{ HSW_FPGA_DBG, "FPGA_DBG" },
		{ HSW_DEIER, "DEIER" },
		{ HSW_GTIIR, "GTIIR" },
		{ HSW_PMIMR, "PMIMR" },
		{ HSW_SDEISR, "SDEISR" },
		{ HSW_FENCE_LO(0), "FENCE_LO" },
		{ HSW_FENCE_HI(31), "FENCE_HI" },
		{ HSW_PIPECONF(0), "PIPECONF_A" },
		{ HSW_DSPSURF(2), "DSPSURF_C" },
		{ HSW_DSPSURFLIVE(1), "DSPSURFLIVE_B" },
	};
	static const uint32_t unknown[] = {
		0x0u, 0x8000u, HSW_RING_NOPID(HSW_RCS_BASE), HSW_PVINFO_PAGE,
		HSW_MMIO_SIZE - 4u, HSW_GTT_OFFSET, HSW_BAR0_SIZE - 4u,
		HSW_FENCE_HI(31) + 4u, 0xFFFFFFFCu,
	};

	struct gensim *gs = harness_create(NULL);
	uint64_t unclaimed;

	(void)state;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		const char *n = gensim_reg_name(known[i].off);

		assert_non_null(n);
		assert_string_equal(n, known[i].name);
		/* A named register is one the device claims. */
		unclaimed = stats(gs).unclaimed_mmio;
		(void)rd(gs, known[i].off);
		assert_int_equal(stats(gs).unclaimed_mmio, unclaimed);
	}
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		assert_null(gensim_reg_name(unknown[i]));
		/* ...and an unnamed one in the register half is unclaimed. */
		if (unknown[i] < HSW_MMIO_SIZE) {
			unclaimed = stats(gs).unclaimed_mmio;
			(void)rd(gs, unknown[i]);
			assert_int_equal(stats(gs).unclaimed_mmio, unclaimed + 1);
		}
	}
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_values),
		cmocka_unit_test(test_masked_mi_mode),
		cmocka_unit_test(test_masked_stop_ring),
		cmocka_unit_test(test_masked_instpm),
		cmocka_unit_test(test_forcewake_mt_and_ack),
		cmocka_unit_test(test_w1c_gtiir),
		cmocka_unit_test(test_w1c_deiir),
		cmocka_unit_test(test_w1c_ring_eir),
		cmocka_unit_test(test_w1c_fpga_dbg),
		cmocka_unit_test(test_read_only_registers),
		cmocka_unit_test(test_pipeconf_state_follows_enable),
		cmocka_unit_test(test_dspsurflive_follows_flip),
		cmocka_unit_test(test_unclaimed_offsets),
		cmocka_unit_test(test_narrow_reads_and_writes),
		cmocka_unit_test(test_narrow_w1c),
		cmocka_unit_test(test_qword_fence_access),
		cmocka_unit_test(test_refused_accesses),
		cmocka_unit_test(test_bar0_boundaries),
		cmocka_unit_test(test_gtt_half),
		cmocka_unit_test(test_gdrst_engine_reset),
		cmocka_unit_test(test_gdrst_full_and_halted),
		cmocka_unit_test(test_ring_timestamp),
		cmocka_unit_test(test_reg_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

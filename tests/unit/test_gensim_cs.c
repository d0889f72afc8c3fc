/* SPDX-License-Identifier: MIT */
/*
 * gensim command streamer: every supported command, rings, batches and
 * the error behaviour (halt, error registers, interrupt, reset).
 */
#include "harness.h"

#define RING_GM   0x10000u
#define HWSP_GM   0x20000u
#define BATCH_GM  0x40000u
#define BATCH2_GM 0x50000u
#define DATA_GM   0x80000u

static struct gensim *setup_rcs(struct harness_ring *r, struct harness_irq *irq)
{
	struct gensim *gs = harness_create(irq);

	ring_init(gs, r, GENSIM_RCS, RING_GM, 4096, HWSP_GM);
	return gs;
}

static void test_noop_and_arb_check(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = { HSW_MI_NOOP, HSW_MI_ARB_CHECK, HSW_MI_NOOP, HSW_MI_NOOP };

	(void)state;
	ring_submit(gs, &r, cmds, 4);
	assert_int_equal(engine_state(gs, GENSIM_RCS).commands, 4);
	assert_int_equal(rd(gs, HSW_RING_HEAD(r.base)) & HSW_HEAD_ADDR, 16);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_store_data_imm(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 4, 0xCAFEF00Du,
		/* qword form: length 3, 8-byte aligned address */
		HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 3) | HSW_MI_USE_GGTT, 0, DATA_GM + 16,
		0x11111111u, 0x22222222u,
	};

	(void)state;
	ring_submit(gs, &r, cmds, sizeof(cmds) / 4);
	assert_int_equal(mem32(gs, DATA_GM + 4), 0xCAFEF00Du);
	assert_int_equal(mem32(gs, DATA_GM + 16), 0x11111111u);
	assert_int_equal(mem32(gs, DATA_GM + 20), 0x22222222u);
	assert_int_equal(mem32(gs, DATA_GM + 8), 0);
	gensim_destroy(gs);
}

static void test_store_data_imm_qword_misaligned_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = {
		HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 3) | HSW_MI_USE_GGTT, 0, DATA_GM + 4, 1, 2,
	};

	(void)state;
	ring_submit(gs, &r, cmds, 5);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(mem32(gs, DATA_GM + 4), 0);
	gensim_destroy(gs);
}

static void test_store_data_index(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = { HSW_MI_STORE_DATA_INDEX, 0x100, 0x1234u, HSW_MI_NOOP };

	(void)state;
	ring_submit(gs, &r, cmds, 4);
	assert_int_equal(mem32(gs, HWSP_GM + 0x100), 0x1234u);
	gensim_destroy(gs);
}

static void test_load_register_imm(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = {
		HSW_MI_LOAD_REGISTER_IMM(3),
		HSW_FENCE_LO(3), 0x00400001u,
		HSW_FENCE_HI(3), 0x0040F003u,
		HSW_RING_INSTPM(HSW_RCS_BASE), (1u << 21) | (1u << 5),  /* masked */
	};

	(void)state;
	ring_submit(gs, &r, cmds, 7);
	assert_int_equal(rd(gs, HSW_FENCE_LO(3)), 0x00400001u);
	assert_int_equal(rd(gs, HSW_FENCE_HI(3)), 0x0040F003u);
	assert_int_equal(rd(gs, HSW_RING_INSTPM(HSW_RCS_BASE)), 1u << 5);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_load_register_imm_even_length_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	/* Length field 2 = 4 dwords: not whole (register, value) pairs. */
	const uint32_t cmds[] = { HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_IMM_OP, 2), HSW_FENCE_LO(0), 5, 0 };

	(void)state;
	ring_submit(gs, &r, cmds, 4);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(rd(gs, HSW_FENCE_LO(0)), 0);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), cmds[0]);
	gensim_destroy(gs);
}

static void test_store_and_load_register_mem(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = {
		HSW_MI_STORE_REGISTER_MEM | HSW_MI_USE_GGTT, HSW_RING_START(HSW_RCS_BASE), DATA_GM,
		HSW_MI_LOAD_REGISTER_MEM | HSW_MI_USE_GGTT, HSW_FENCE_HI(7), DATA_GM + 8,
	};

	(void)state;
	put32(gs, DATA_GM + 8, 0x7700F001u);
	ring_submit(gs, &r, cmds, 6);
	assert_int_equal(mem32(gs, DATA_GM), RING_GM);
	assert_int_equal(rd(gs, HSW_FENCE_HI(7)), 0x7700F001u);
	gensim_destroy(gs);
}

static void test_pipe_control_post_sync(void **state)
{
	struct harness_ring r;
	struct harness_irq irq;
	struct gensim *gs = setup_rcs(&r, &irq);
	const uint32_t cmds[] = {
		HSW_GFX_OP_PIPE_CONTROL(4),
		HSW_PIPE_CONTROL_CS_STALL | HSW_PIPE_CONTROL_GLOBAL_GTT | HSW_PIPE_CONTROL_WRITE_IMM,
		DATA_GM + 0x40, 0xABCD0001u,
		HSW_GFX_OP_PIPE_CONTROL(4),
		HSW_PIPE_CONTROL_STORE_INDEX | HSW_PIPE_CONTROL_GLOBAL_GTT | HSW_PIPE_CONTROL_WRITE_IMM |
		HSW_PIPE_CONTROL_NOTIFY,
		0x100, 42,
		HSW_GFX_OP_PIPE_CONTROL(5),
		HSW_PIPE_CONTROL_GLOBAL_GTT | HSW_PIPE_CONTROL_WRITE_TIMESTAMP,
		DATA_GM + 0x80, 0, 0,
		HSW_MI_NOOP,
	};

	(void)state;
	wr(gs, HSW_GTIMR, ~HSW_GT_RENDER_PIPECTL_NOTIFY);
	wr(gs, HSW_RING_IMR(HSW_RCS_BASE), ~HSW_GT_RENDER_PIPECTL_NOTIFY);
	gensim_advance_time(gs, 800000);        /* 10000 timestamp ticks */
	ring_submit(gs, &r, cmds, sizeof(cmds) / 4);
	assert_int_equal(mem32(gs, DATA_GM + 0x40), 0xABCD0001u);
	assert_int_equal(mem32(gs, HWSP_GM + 0x100), 42);
	assert_true(mem32(gs, DATA_GM + 0x80) >= 10000);
	assert_true(rd(gs, HSW_GTIIR) & HSW_GT_RENDER_PIPECTL_NOTIFY);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_pipe_control_mmio_write_unsupported_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = {
		HSW_GFX_OP_PIPE_CONTROL(4), HSW_PIPE_CONTROL_MMIO_WRITE, HSW_FENCE_LO(0), 1,
	};

	(void)state;
	ring_submit(gs, &r, cmds, 4);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(rd(gs, HSW_FENCE_LO(0)), 0);
	gensim_destroy(gs);
}

static void test_flush_dw_on_blitter(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	const uint32_t cmds[] = {
		HSW_MI_FLUSH_DW | HSW_MI_FLUSH_DW_OP_STOREDW | HSW_MI_FLUSH_DW_STORE_INDEX,
		0x100 | HSW_MI_FLUSH_DW_USE_GTT, 7,
		HSW_MI_FLUSH_DW | HSW_MI_FLUSH_DW_OP_STOREDW | HSW_MI_FLUSH_DW_NOTIFY,
		(DATA_GM + 8) | HSW_MI_FLUSH_DW_USE_GTT, 9,
		HSW_MI_USER_INTERRUPT, HSW_MI_NOOP,
	};

	(void)state;
	ring_init(gs, &r, GENSIM_BCS, RING_GM, 4096, HWSP_GM);
	wr(gs, HSW_GTIMR, 0);
	wr(gs, HSW_RING_IMR(HSW_BCS_BASE), 0);
	ring_submit(gs, &r, cmds, sizeof(cmds) / 4);
	assert_int_equal(mem32(gs, HWSP_GM + 0x100), 7);
	assert_int_equal(mem32(gs, DATA_GM + 8), 9);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_BLT_FLUSHDW_NOTIFY | HSW_GT_BLT_USER_INTERRUPT);
	gensim_destroy(gs);
}

static void test_flush_dw_not_on_render(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t cmds[] = { HSW_MI_FLUSH_DW, 0, 0, HSW_MI_NOOP };

	(void)state;
	ring_submit(gs, &r, cmds, 4);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)) & HSW_ERR_INSTRUCTION);
	gensim_destroy(gs);
}

static void test_user_interrupt_masks(void **state)
{
	struct harness_ring r;
	struct harness_irq irq;
	struct gensim *gs = setup_rcs(&r, &irq);
	const uint32_t cmds[] = { HSW_MI_USER_INTERRUPT, HSW_MI_NOOP };

	(void)state;
	/* Masked in the ring's IMR (reset value): nothing reaches GTIIR. */
	wr(gs, HSW_GTIMR, 0);
	ring_submit(gs, &r, cmds, 2);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);
	/* Unmasked at the ring but masked in GTIMR: still nothing. */
	wr(gs, HSW_RING_IMR(HSW_RCS_BASE), ~HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_GTIMR, ~0u);
	ring_submit(gs, &r, cmds, 2);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);
	/* Both unmasked: IIR latches; no interrupt until IER and master allow. */
	wr(gs, HSW_GTIMR, ~HSW_GT_RENDER_USER_INTERRUPT);
	ring_submit(gs, &r, cmds, 2);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 0);
	wr(gs, HSW_GTIER, HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 0);
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	assert_int_equal(irq.count, 1);
	assert_false(irq.msi);          /* MSI not enabled: legacy INTx */
	/* Edge-triggered: nothing new until the condition drops and rises. */
	ring_submit(gs, &r, cmds, 2);
	assert_int_equal(irq.count, 1);
	wr(gs, HSW_GTIIR, HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(rd(gs, HSW_GTIIR), 0);
	ring_submit(gs, &r, cmds, 2);
	assert_int_equal(irq.count, 2);
	gensim_destroy(gs);
}

static void test_vcs_and_vecs_interrupts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	const uint32_t cmds[] = { HSW_MI_STORE_DATA_INDEX, 0x40, 5, HSW_MI_USER_INTERRUPT };

	(void)state;
	wr(gs, HSW_GTIMR, 0);
	wr(gs, HSW_PMIMR, 0);
	ring_init(gs, &r, GENSIM_VCS, RING_GM, 4096, HWSP_GM);
	wr(gs, HSW_RING_IMR(HSW_VCS_BASE), 0);
	ring_submit(gs, &r, cmds, 4);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_BSD_USER_INTERRUPT);
	ring_init(gs, &r, GENSIM_VECS, RING_GM + 0x1000, 4096, HWSP_GM + 0x1000);
	wr(gs, HSW_RING_IMR(HSW_VECS_BASE), 0);
	ring_submit(gs, &r, cmds, 4);
	/* VECS reports in the PM block. */
	assert_int_equal(rd(gs, HSW_PMIIR), 1u << 10);
	assert_int_equal(mem32(gs, HWSP_GM + 0x1040), 5);
	gensim_destroy(gs);
}

static void test_batch_first_and_second_level(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t first[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 1,
		HSW_MI_BATCH_BUFFER_START | HSW_MI_BB_SECOND_LEVEL, BATCH2_GM,
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 8, 3,   /* after return */
		HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t second[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 4, 2,
		HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t ring[] = {
		HSW_MI_BATCH_BUFFER_START, BATCH_GM,
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 12, 4,   /* after the batch */
	};
	struct gensim_stats st;

	(void)state;
	put_dwords(gs, BATCH_GM, first, sizeof(first) / 4);
	put_dwords(gs, BATCH2_GM, second, sizeof(second) / 4);
	ring_submit(gs, &r, ring, 6);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(mem32(gs, DATA_GM + 4 * i), i + 1);
	assert_int_equal(engine_state(gs, GENSIM_RCS).batch_level, 0);
	assert_int_equal(rd(gs, HSW_RING_BBADDR(HSW_RCS_BASE)), BATCH_GM);
	assert_int_equal(rd(gs, HSW_RING_SBBADDR(HSW_RCS_BASE)), BATCH2_GM);
	st = stats(gs);
	assert_int_equal(st.batches, 2);
	gensim_destroy(gs);
}

static void test_batch_chaining(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	/* A first-level batch that chains (no bit 22) never returns to itself. */
	const uint32_t first[] = {
		HSW_MI_BATCH_BUFFER_START, BATCH2_GM,
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 0xBAD,
		HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t second[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 4, 0x600D,
		HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, BATCH_GM };

	(void)state;
	put_dwords(gs, BATCH_GM, first, sizeof(first) / 4);
	put_dwords(gs, BATCH2_GM, second, sizeof(second) / 4);
	ring_submit(gs, &r, ring, 2);
	assert_int_equal(mem32(gs, DATA_GM), 0);
	assert_int_equal(mem32(gs, DATA_GM + 4), 0x600D);
	assert_int_equal(engine_state(gs, GENSIM_RCS).batch_level, 0);
	gensim_destroy(gs);
}

static void test_third_level_batch_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t first[] = { HSW_MI_BATCH_BUFFER_START | HSW_MI_BB_SECOND_LEVEL, BATCH2_GM };
	const uint32_t second[] = { HSW_MI_BATCH_BUFFER_START | HSW_MI_BB_SECOND_LEVEL, BATCH_GM };
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, BATCH_GM };

	(void)state;
	put_dwords(gs, BATCH_GM, first, 2);
	put_dwords(gs, BATCH2_GM, second, 2);
	ring_submit(gs, &r, ring, 2);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), second[0]);
	gensim_destroy(gs);
}

static void test_batch_end_in_ring_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_END, HSW_MI_NOOP };

	(void)state;
	ring_submit(gs, &r, ring, 2);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_batch_beyond_gtt_faults(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	/* 0x80000000 is the first address past the 2 GiB GGTT. */
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, 0x80000000u };
	struct gensim_engine_state st;

	(void)state;
	ring_submit(gs, &r, ring, 2);
	st = engine_state(gs, GENSIM_RCS);
	assert_true(st.halted);
	assert_true(st.eir & HSW_ERR_PAGE_TABLE);
	/* Out of range: the page of the address fetched, in the GGTT. */
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0x80000000u | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID);
	assert_int_equal(stats(gs).gtt_faults, 1);
	gensim_destroy(gs);
}

static void test_batch_last_valid_page_runs(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t last = 0x80000000u - 4096u;     /* last GGTT page */
	const uint32_t batch[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 77, HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, last };

	(void)state;
	assert_int_equal(gensim_gtt_write(gs, last >> 12, HSW_PTE_ENCODE(0x300000ull) | HSW_PTE_VALID), 0);
	put_dwords(gs, 0x300000, batch, 5);
	ring_submit(gs, &r, ring, 2);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(mem32(gs, DATA_GM), 77);
	gensim_destroy(gs);
}

static void test_nonpresent_pte_data_write(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t ring[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, 0x4000000u, 5,   /* 64 MiB: unmapped */
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 6,
	};
	struct gensim_stats st;

	(void)state;
	ring_submit(gs, &r, ring, 8);
	/* The write is dropped and latched as a fault; execution goes on. */
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(mem32(gs, DATA_GM), 6);
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0x4000000u | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID);
	st = stats(gs);
	assert_int_equal(st.gtt_faults, 1);
	/* Software clears the valid bit. */
	wr(gs, HSW_RCS_FAULT_REG, 0);
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG) & HSW_FAULT_VALID, 0);
	gensim_destroy(gs);
}

/* i915's RING_FAULT_* decode (gt/intel_gt_regs.h, gen6_check_faults). */
#define FAULT_PAGE(x)   ((x) & 0xFFFFF000u)
#define FAULT_GTTSEL(x) ((x) & (1u << 11))
#define FAULT_SRCID(x)  (((x) >> 3) & 0xFFu)
#define FAULT_TYPE(x)   (((x) >> 1) & 0x3u)
#define FAULT_VALID(x)  ((x) & 1u)

/* The fault register of @e holds exactly a GGTT fault at @page. */
static void expect_fault(struct gensim *gs, uint32_t reg, uint32_t page)
{
	uint32_t f = rd(gs, reg);

	assert_int_equal(f, page | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID);
	assert_int_equal(FAULT_PAGE(f), page);
	assert_true(FAULT_GTTSEL(f));
	assert_int_equal(FAULT_SRCID(f), 0);
	assert_int_equal(FAULT_TYPE(f), 0);
	assert_true(FAULT_VALID(f));
}

/* i915's clear: read, clear VALID, write back (GEN6_RING_FAULT_REG_RMW). */
static void fault_rmw_clear(struct gensim *gs, uint32_t reg)
{
	wr(gs, reg, rd(gs, reg) & ~HSW_FAULT_VALID);
}

/*
 * A store through a PTE that is not valid, on RCS and on BCS: the page in
 * bits 31:12 (bit 17 is address, not an access type, on Gen7), GTT select,
 * VALID.  The first fault stays until software clears VALID.
 */
static void test_fault_reg_layout_store(void **state)
{
	static const struct { enum gensim_engine_id e; uint32_t reg, gm, gm2; } c[] = {
		{ GENSIM_RCS, HSW_RCS_FAULT_REG, 0x04321000u + 0x7Cu, 0x04060000u },
		{ GENSIM_BCS, HSW_BCS_FAULT_REG, 0x05FFF000u + 0xFFCu, 0x07020000u + 8u },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct harness_ring r;
		struct gensim *gs = harness_create(NULL);
		const uint32_t first[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, c[i].gm, 5 };
		const uint32_t second[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, c[i].gm2, 6 };

		ring_init(gs, &r, c[i].e, RING_GM, 4096, HWSP_GM);
		ring_submit(gs, &r, first, 4);
		assert_false(engine_state(gs, c[i].e).halted);
		expect_fault(gs, c[i].reg, c[i].gm & ~0xFFFu);
		/* The other engines saw nothing. */
		assert_int_equal(rd(gs, c[i].e == GENSIM_RCS ? HSW_BCS_FAULT_REG : HSW_RCS_FAULT_REG), 0);
		/* A second fault does not overwrite one software has not read. */
		ring_submit(gs, &r, second, 4);
		expect_fault(gs, c[i].reg, c[i].gm & ~0xFFFu);
		assert_int_equal(stats(gs).gtt_faults, 2);
		/* Cleared as i915 clears it, the next fault latches its own page. */
		fault_rmw_clear(gs, c[i].reg);
		assert_int_equal(rd(gs, c[i].reg) & HSW_FAULT_VALID, 0);
		ring_submit(gs, &r, second, 4);
		expect_fault(gs, c[i].reg, c[i].gm2 & ~0xFFFu);
		gensim_destroy(gs);
	}
}

/* A blit whose second row lies on a page without a valid PTE: that page is latched. */
static void test_fault_reg_layout_blit(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	const uint32_t dst = HARNESS_MAPPED - 4096u;   /* the last mapped page; row 1 is past it */
	const uint32_t blt[] = {
		HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA,
		HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | 4096u,
		0, (2u << 16) | 16u, dst, 0x00C0FFEEu,
	};

	(void)state;
	ring_init(gs, &r, GENSIM_BCS, RING_GM, 4096, HWSP_GM);
	ring_submit(gs, &r, blt, 6);
	assert_false(engine_state(gs, GENSIM_BCS).halted);
	assert_int_equal(mem32(gs, dst), 0x00C0FFEEu);
	expect_fault(gs, HSW_BCS_FAULT_REG, HARNESS_MAPPED);
	gensim_destroy(gs);
}

/* Software clears VALID by writing it back clear; it can never set it. */
static void test_fault_reg_write_clears_valid(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, 0x04444000u, 1 };

	(void)state;
	/* Writing VALID on a clear register makes no fault. */
	wr(gs, HSW_RCS_FAULT_REG, 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0);
	ring_submit(gs, &r, sdi, 4);
	expect_fault(gs, HSW_RCS_FAULT_REG, 0x04444000u);
	/* Writing the value back with VALID set leaves it as it is. */
	wr(gs, HSW_RCS_FAULT_REG, rd(gs, HSW_RCS_FAULT_REG));
	expect_fault(gs, HSW_RCS_FAULT_REG, 0x04444000u);
	/* A write of another page does not change the hardware's fields. */
	wr(gs, HSW_RCS_FAULT_REG, 0x01000000u | HSW_FAULT_VALID);
	expect_fault(gs, HSW_RCS_FAULT_REG, 0x04444000u);
	/* i915's read-modify-write clears VALID and only VALID. */
	fault_rmw_clear(gs, HSW_RCS_FAULT_REG);
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0x04444000u | HSW_FAULT_GTT_SEL);
	/* An engine reset clears it all. */
	ring_submit(gs, &r, sdi, 4);
	wr(gs, HSW_GDRST, HSW_GDRST_RENDER);
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0);
	gensim_destroy(gs);
}

static void test_pte_outside_machine_memory(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t ring[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, 0x4000000u, 5 };

	(void)state;
	/* A valid PTE pointing past the end of memory, with high address bits. */
	assert_int_equal(gensim_gtt_write(gs, 0x4000, HSW_PTE_ENCODE(0x7F00000000ull) | HSW_PTE_VALID), 0);
	ring_submit(gs, &r, ring, 4);
	assert_int_equal(stats(gs).gtt_bad_address, 1);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_ring_wrap(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	uint32_t noops[1020];
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 0x5EED };

	(void)state;
	for (size_t i = 0; i < 1020; i++)
		noops[i] = HSW_MI_NOOP;
	ring_submit(gs, &r, noops, 1020);      /* head at 4080 of 4096 */
	ring_put(gs, &r, noops, 2);            /* head 4088: SDI straddles the end */
	ring_put(gs, &r, sdi, 4);
	ring_kick(gs, &r);
	gensim_run_until_idle(gs, 1u << 20);
	assert_int_equal(mem32(gs, DATA_GM), 0x5EED);
	assert_int_equal(rd(gs, HSW_RING_HEAD(r.base)) & HSW_HEAD_ADDR, 8);
	/* One wrap counted in HEAD bits 31:21. */
	assert_int_equal(rd(gs, HSW_RING_HEAD(r.base)) >> HSW_HEAD_WRAP_SHIFT, 1);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_partial_command_waits_for_tail(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 31 };

	(void)state;
	ring_put(gs, &r, sdi, 4);
	wr(gs, HSW_RING_TAIL(r.base), 8);      /* only half of the command */
	assert_int_equal(gensim_run(gs, 100), 0);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	assert_false(gensim_busy(gs));
	assert_int_equal(mem32(gs, DATA_GM), 0);
	wr(gs, HSW_RING_TAIL(r.base), 16);
	assert_int_equal(gensim_run(gs, 100), 1);
	assert_int_equal(mem32(gs, DATA_GM), 31);
	gensim_destroy(gs);
}

static void test_unknown_opcode_halts_and_reset_recovers(void **state)
{
	struct harness_ring r;
	struct harness_irq irq;
	struct gensim *gs = setup_rcs(&r, &irq);
	const uint32_t bad[] = { 0x1F800000u, HSW_MI_NOOP };   /* MI opcode 0x3F */
	const uint32_t good[] = { HSW_MI_STORE_DATA_INDEX, 0x80, 99, HSW_MI_NOOP };
	struct gensim_engine_state st;

	(void)state;
	wr(gs, HSW_GTIMR, 0);
	wr(gs, HSW_GTIER, HSW_GT_RENDER_CS_MASTER_ERROR);
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	ring_submit(gs, &r, bad, 2);
	st = engine_state(gs, GENSIM_RCS);
	assert_true(st.halted);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), 0x1F800000u);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)), HSW_ERR_INSTRUCTION);
	/* EMR resets to all-masked: the error is latched but not signalled. */
	assert_int_equal(rd(gs, HSW_GTIIR) & HSW_GT_RENDER_CS_MASTER_ERROR, 0);
	assert_int_equal(stats(gs).cmd_errors, 1);
	/* ACTHD still points at the offending command. */
	assert_int_equal(rd(gs, HSW_RING_ACTHD(HSW_RCS_BASE)), RING_GM);
	/* Software reads and clears the error (W1C); the engine stays halted. */
	wr(gs, HSW_RING_EIR(HSW_RCS_BASE), HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)), 0);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	/* Engine reset through GDRST, then the ring is restarted. */
	wr(gs, HSW_GDRST, HSW_GDRST_RENDER);
	assert_int_equal(rd(gs, HSW_GDRST), 0);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(rd(gs, HSW_RING_CTL(HSW_RCS_BASE)), 0);
	ring_init(gs, &r, GENSIM_RCS, RING_GM, 4096, HWSP_GM);
	ring_submit(gs, &r, good, 4);
	assert_int_equal(mem32(gs, HWSP_GM + 0x80), 99);
	gensim_destroy(gs);
}

static void test_error_interrupt_when_unmasked(void **state)
{
	struct harness_ring r;
	struct harness_irq irq;
	struct gensim *gs = setup_rcs(&r, &irq);
	const uint32_t bad[] = { 0x7B000000u, 0 };     /* an unsupported 3D command */

	(void)state;
	wr(gs, HSW_RING_EMR(HSW_RCS_BASE), ~HSW_ERR_INSTRUCTION);
	wr(gs, HSW_GTIMR, 0);
	wr(gs, HSW_GTIER, HSW_GT_RENDER_CS_MASTER_ERROR);
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	ring_submit(gs, &r, bad, 2);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(rd(gs, HSW_GTIIR) & HSW_GT_RENDER_CS_MASTER_ERROR);
	assert_int_equal(irq.count, 1);
	gensim_destroy(gs);
}

static void test_bad_length_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	/* MI_STORE_DATA_IMM with length 7 (9 dwords) is not a valid form. */
	const uint32_t cmds[] = { HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 7), 0, DATA_GM, 1, 0, 0, 0, 0, 0, 0 };

	(void)state;
	ring_submit(gs, &r, cmds, 10);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_int_equal(mem32(gs, DATA_GM), 0);
	gensim_destroy(gs);
}

/*
 * gensim reads the whole DWord Length field of hsw_cmd_table.h, as the
 * hardware does: a header whose low bits alone would give a valid length
 * but whose upper field bits make it another length halts the engine at
 * that header, on every engine, and nothing of it runs.
 */
static void test_length_upper_field_bits_halt(void **state)
{
	static const uint32_t bases[] = { HSW_RCS_BASE, HSW_VCS_BASE, HSW_BCS_BASE, HSW_VECS_BASE };
	static const struct {
		enum gensim_engine_id e;
		uint32_t dw0;
	} c[] = {
		/* MI_STORE_DATA_IMM: 6 bits on RCS, 8 on VCS/VECS, 10 on BCS. */
		{ GENSIM_RCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0x22) | HSW_MI_USE_GGTT },
		{ GENSIM_VCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0x42) | HSW_MI_USE_GGTT },
		{ GENSIM_VECS, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0x82) | HSW_MI_USE_GGTT },
		{ GENSIM_BCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0x42) | HSW_MI_USE_GGTT },
		{ GENSIM_BCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0x202) | HSW_MI_USE_GGTT },
		/* MI_STORE_DATA_INDEX and MI_BATCH_BUFFER_START: 8 bits everywhere. */
		{ GENSIM_RCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 0x41) },
		{ GENSIM_VCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 0x81) },
		{ GENSIM_BCS, HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 0x41) },
		{ GENSIM_VECS, HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 0xC1) },
		{ GENSIM_RCS, HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0x40) },
		{ GENSIM_VCS, HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0x80) },
		{ GENSIM_BCS, HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0xC0) },
		{ GENSIM_VECS, HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0x40) },
	};
	const uint32_t batch[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM + 4, 0xBAD, HSW_MI_BATCH_BUFFER_END,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct harness_ring r;
		struct gensim *gs = harness_create(NULL);
		uint32_t op = HSW_MI_OPCODE(c[i].dw0), cmd[8];
		struct gensim_engine_state st;

		/* Operands that would store 0xBAD somewhere, read with a short length. */
		if (op == HSW_MI_STORE_DATA_IMM_OP) {
			const uint32_t sdi[] = { c[i].dw0, 0, DATA_GM, 0xBAD, 0, 0, 0, 0 };

			memcpy(cmd, sdi, sizeof(cmd));
		} else if (op == HSW_MI_STORE_DATA_INDEX_OP) {
			const uint32_t sdx[] = { c[i].dw0, 0x100, 0xBAD, 0, 0, 0, 0, 0 };

			memcpy(cmd, sdx, sizeof(cmd));
		} else {
			const uint32_t bbs[] = { c[i].dw0, BATCH_GM, 0, 0, 0, 0, 0, 0 };

			memcpy(cmd, bbs, sizeof(cmd));
		}
		put_dwords(gs, BATCH_GM, batch, sizeof(batch) / 4);
		ring_init(gs, &r, c[i].e, RING_GM, 4096, HWSP_GM);
		ring_submit(gs, &r, cmd, 8);
		st = engine_state(gs, c[i].e);
		if (!st.halted)
			fail_msg("case %zu: DW0 0x%08x on %s was run with a short length", i, c[i].dw0,
				 gensim_engine_name(c[i].e));
		assert_true(st.eir & HSW_ERR_INSTRUCTION);
		assert_int_equal(rd(gs, HSW_RING_IPEHR(bases[c[i].e])), c[i].dw0);
		assert_int_equal(rd(gs, HSW_RING_HEAD(bases[c[i].e])) & HSW_HEAD_ADDR, 0);
		assert_int_equal(mem32(gs, DATA_GM), 0);
		assert_int_equal(mem32(gs, DATA_GM + 4), 0);
		assert_int_equal(mem32(gs, HWSP_GM + 0x100), 0);
		gensim_destroy(gs);
	}
}

static void test_tail_beyond_ring_size_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);

	(void)state;
	/* A 4 KiB ring with TAIL at 8 KiB. */
	wr(gs, HSW_RING_TAIL(r.base), 8192);
	gensim_run_until_idle(gs, 1000);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)) & HSW_ERR_INSTRUCTION);
	gensim_destroy(gs);
}

static void test_ring_size_field(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 0x4242 };

	(void)state;
	/* The largest ring, 2 MiB (512 pages), mapped in the harness range. */
	ring_init(gs, &r, GENSIM_RCS, 0x400000u, 2u << 20, HWSP_GM);
	assert_int_equal(rd(gs, HSW_RING_CTL(r.base)), ((2u << 20) - 4096u) | HSW_RING_VALID);
	r.tail = (2u << 20) - 16u;
	wr(gs, HSW_RING_HEAD(r.base), r.tail);
	ring_submit(gs, &r, sdi, 4);
	assert_int_equal(mem32(gs, DATA_GM), 0x4242);
	assert_int_equal(rd(gs, HSW_RING_HEAD(r.base)) & HSW_HEAD_ADDR, 0);
	gensim_destroy(gs);
}

static void test_ring_fetch_fault_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);

	(void)state;
	/* The ring lives in graphics memory with no valid PTEs. */
	ring_init(gs, &r, GENSIM_RCS, 0x10000000u, 4096, HWSP_GM);
	wr(gs, HSW_RING_TAIL(r.base), 8);
	gensim_run_until_idle(gs, 1000);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)) & HSW_ERR_PAGE_TABLE);
	gensim_destroy(gs);
}

static void test_stop_ring(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 3 };

	(void)state;
	wr(gs, HSW_RING_MI_MODE(r.base), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	assert_true(rd(gs, HSW_RING_MI_MODE(r.base)) & HSW_MI_MODE_IDLE);
	ring_submit(gs, &r, sdi, 4);
	assert_int_equal(mem32(gs, DATA_GM), 0);
	wr(gs, HSW_RING_MI_MODE(r.base), HSW_MI_MODE_STOP_RING << 16);
	assert_true(gensim_busy(gs));
	assert_false(rd(gs, HSW_RING_MI_MODE(r.base)) & HSW_MI_MODE_IDLE);
	gensim_run_until_idle(gs, 100);
	assert_int_equal(mem32(gs, DATA_GM), 3);
	gensim_destroy(gs);
}

static void test_lri_engine_reset_stops_execution(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	/* A command stream that resets its own engine stops right there. */
	const uint32_t cmds[] = {
		HSW_MI_LOAD_REGISTER_IMM(1), HSW_GDRST, HSW_GDRST_RENDER,
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 1, HSW_MI_NOOP,
	};

	(void)state;
	ring_submit(gs, &r, cmds, 8);
	assert_int_equal(mem32(gs, DATA_GM), 0);
	assert_int_equal(rd(gs, HSW_RING_CTL(HSW_RCS_BASE)), 0);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_ppgtt_batch_refused_when_ppgtt_enabled(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t batch[] = { HSW_MI_BATCH_BUFFER_END };
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START | HSW_MI_BB_PPGTT, BATCH_GM };

	(void)state;
	put_dwords(gs, BATCH_GM, batch, 1);
	/* Without PPGTT enabled the address space is the GGTT (aliasing). */
	ring_submit(gs, &r, ring, 2);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	wr(gs, HSW_RING_MODE(HSW_RCS_BASE),
	   (HSW_GFX_MODE_PPGTT_ENABLE << 16) | HSW_GFX_MODE_PPGTT_ENABLE);
	ring_submit(gs, &r, ring, 2);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	gensim_destroy(gs);
}

static void test_acthd_tracks_batch(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t batch[] = { HSW_MI_NOOP, HSW_MI_NOOP, HSW_MI_BATCH_BUFFER_END };
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, BATCH_GM };

	(void)state;
	put_dwords(gs, BATCH_GM, batch, 3);
	ring_put(gs, &r, ring, 2);
	ring_kick(gs, &r);
	assert_int_equal(gensim_run(gs, 2), 2);        /* BB_START + one NOOP */
	assert_int_equal(engine_state(gs, GENSIM_RCS).batch_level, 1);
	assert_int_equal(rd(gs, HSW_RING_ACTHD(HSW_RCS_BASE)), BATCH_GM + 4);
	gensim_run_until_idle(gs, 100);
	assert_int_equal(rd(gs, HSW_RING_ACTHD(HSW_RCS_BASE)), RING_GM + 8);
	gensim_destroy(gs);
}

static void test_round_robin_between_engines(void **state)
{
	struct harness_ring rcs, bcs;
	struct gensim *gs = harness_create(NULL);
	uint32_t loop[2] = { HSW_MI_BATCH_BUFFER_START, BATCH_GM };
	const uint32_t one[] = { HSW_MI_STORE_DATA_INDEX, 0x100, 1, HSW_MI_NOOP };

	(void)state;
	/* RCS spins in a batch that jumps to itself; BCS must still run. */
	put_dwords(gs, BATCH_GM, loop, 2);
	ring_init(gs, &rcs, GENSIM_RCS, RING_GM, 4096, HWSP_GM);
	ring_init(gs, &bcs, GENSIM_BCS, RING_GM + 0x1000, 4096, HWSP_GM + 0x1000);
	ring_put(gs, &rcs, loop, 2);
	ring_kick(gs, &rcs);
	ring_put(gs, &bcs, one, 4);
	ring_kick(gs, &bcs);
	assert_int_equal(gensim_run(gs, 10000), 10000);
	assert_int_equal(mem32(gs, HWSP_GM + 0x1100), 1);
	assert_true(gensim_busy(gs));
	gensim_destroy(gs);
}

static void test_worker_thread_runs_by_itself(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_rcs(&r, NULL);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, DATA_GM, 0x77 };

	(void)state;
	assert_int_equal(gensim_start_worker(gs), 0);
	assert_int_equal(gensim_start_worker(gs), -EBUSY);
	assert_int_equal(gensim_run(gs, 1), -EBUSY);
	ring_put(gs, &r, sdi, 4);
	ring_kick(gs, &r);
	for (int i = 0; i < 2000 && mem32(gs, DATA_GM) != 0x77; i++) {
		struct timespec ts = { 0, 1000000 };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(mem32(gs, DATA_GM), 0x77);
	gensim_stop_worker(gs);
	assert_true(gensim_run(gs, 1) >= 0);
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_noop_and_arb_check),
		cmocka_unit_test(test_store_data_imm),
		cmocka_unit_test(test_store_data_imm_qword_misaligned_halts),
		cmocka_unit_test(test_store_data_index),
		cmocka_unit_test(test_load_register_imm),
		cmocka_unit_test(test_load_register_imm_even_length_halts),
		cmocka_unit_test(test_store_and_load_register_mem),
		cmocka_unit_test(test_pipe_control_post_sync),
		cmocka_unit_test(test_pipe_control_mmio_write_unsupported_halts),
		cmocka_unit_test(test_flush_dw_on_blitter),
		cmocka_unit_test(test_flush_dw_not_on_render),
		cmocka_unit_test(test_user_interrupt_masks),
		cmocka_unit_test(test_vcs_and_vecs_interrupts),
		cmocka_unit_test(test_batch_first_and_second_level),
		cmocka_unit_test(test_batch_chaining),
		cmocka_unit_test(test_third_level_batch_halts),
		cmocka_unit_test(test_batch_end_in_ring_halts),
		cmocka_unit_test(test_batch_beyond_gtt_faults),
		cmocka_unit_test(test_batch_last_valid_page_runs),
		cmocka_unit_test(test_nonpresent_pte_data_write),
		cmocka_unit_test(test_fault_reg_layout_store),
		cmocka_unit_test(test_fault_reg_layout_blit),
		cmocka_unit_test(test_fault_reg_write_clears_valid),
		cmocka_unit_test(test_pte_outside_machine_memory),
		cmocka_unit_test(test_ring_wrap),
		cmocka_unit_test(test_partial_command_waits_for_tail),
		cmocka_unit_test(test_unknown_opcode_halts_and_reset_recovers),
		cmocka_unit_test(test_error_interrupt_when_unmasked),
		cmocka_unit_test(test_bad_length_halts),
		cmocka_unit_test(test_length_upper_field_bits_halt),
		cmocka_unit_test(test_tail_beyond_ring_size_halts),
		cmocka_unit_test(test_ring_size_field),
		cmocka_unit_test(test_ring_fetch_fault_halts),
		cmocka_unit_test(test_stop_ring),
		cmocka_unit_test(test_lri_engine_reset_stops_execution),
		cmocka_unit_test(test_ppgtt_batch_refused_when_ppgtt_enabled),
		cmocka_unit_test(test_acthd_tracks_batch),
		cmocka_unit_test(test_round_robin_between_engines),
		cmocka_unit_test(test_worker_thread_runs_by_itself),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * gensim's Haswell register file: the register table (data) and the one
 * dispatch path every MMIO access and every register-touching command
 * goes through.
 *
 * An offset that the table does not list is unclaimed, as on hardware: it
 * reads as zero, ignores writes and sets FPGA_DBG.RM_NOCLAIM, which i915
 * checks on Haswell.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gensim_private.h"

/* ---- Hooks ---------------------------------------------------------------- */

static struct gensim_engine *engine_of(struct gensim *gs, uint32_t off)
{
	uint32_t page = off & ~0xFFFu;

	for (unsigned i = 0; i < GENSIM_NUM_ENGINES; i++)
		if (gensim_engines[i].base == page)
			return &gs->engine[i];
	gensim_bug(__FILE__, __LINE__, "ring register outside every engine page");
}

static void ring_kick_write(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	(void)off; (void)old; (void)val;
	gensim_engine_kick(gs);
}

static uint32_t acthd_read(struct gensim *gs, uint32_t off, uint32_t cur)
{
	(void)cur;
	return gensim_engine_acthd(gs, engine_of(gs, off));
}

static uint32_t mi_mode_read(struct gensim *gs, uint32_t off, uint32_t cur)
{
	struct gensim_engine *eng = engine_of(gs, off);

	/* MODE_IDLE reports that a stop request has taken effect. */
	cur &= ~HSW_MI_MODE_IDLE;
	if ((cur & HSW_MI_MODE_STOP_RING) || !gensim_engine_runnable(gs, eng))
		cur |= HSW_MI_MODE_IDLE;
	return cur;
}

static uint32_t timestamp_read(struct gensim *gs, uint32_t off, uint32_t cur)
{
	uint64_t ticks = gensim_clock(gs) / GENSIM_TIMESTAMP_NS;

	(void)cur;
	return (off & 0xFFFu) == 0x35Cu ? (uint32_t)(ticks >> 32) : (uint32_t)ticks;
}

static void gdrst_write(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	for (unsigned i = 0; i < GENSIM_NUM_ENGINES; i++)
		if (val & (HSW_GDRST_FULL | gensim_engines[i].gdrst_bit))
			gensim_engine_reset(gs, &gs->engine[i]);
	/* The reset completes at once; the driver polls for the bits to clear. */
	gensim_reg_set(gs, off, 0);
}

/*
 * RING_FAULT_REG: software clears VALID by writing it back clear (i915's
 * read-modify-write); writing it set does not make a fault.  The other
 * fields are the hardware's and stay.
 */
static void fault_write(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	gensim_reg_set(gs, off, old & val);
}

static void forcewake_write(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	(void)off; (void)old;
	gensim_reg_set(gs, HSW_FORCEWAKE_ACK, val & 0xFFFFu);
}

/* ---- The table ------------------------------------------------------------ */

#define ALL     0xFFFFFFFFu
#define MASKED  GENSIM_REG_MASKED

/* One engine's ring registers.  Pure data: no control flow hides here. */
#define RING_REGS(b, n) \
	{ HSW_RING_TAIL(b), n "_TAIL", 0, HSW_TAIL_ADDR, 0, 0, NULL, ring_kick_write }, \
	{ HSW_RING_HEAD(b), n "_HEAD", 0, HSW_HEAD_ADDR | 0xFFE00000u, 0, 0, NULL, NULL }, \
	{ HSW_RING_START(b), n "_START", 0, HSW_START_ADDR, 0, 0, NULL, NULL }, \
	{ HSW_RING_CTL(b), n "_CTL", 0, HSW_RING_CTL_SIZE_MASK | 0x7u, 0, 0, NULL, ring_kick_write }, \
	{ HSW_RING_IPEIR(b), n "_IPEIR", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_IPEHR(b), n "_IPEHR", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_ACTHD(b), n "_ACTHD", 0, 0, 0, 0, acthd_read, NULL }, \
	{ HSW_RING_HWSTAM(b), n "_HWSTAM", ALL, ALL, 0, 0, NULL, NULL }, \
	{ HSW_RING_MI_MODE(b), n "_MI_MODE", 0, 0xFFFFu & ~HSW_MI_MODE_IDLE, 0, MASKED, mi_mode_read, ring_kick_write }, \
	{ HSW_RING_IMR(b), n "_IMR", ALL, ALL, 0, 0, NULL, NULL }, \
	{ HSW_RING_EIR(b), n "_EIR", 0, 0, ALL, 0, NULL, NULL }, \
	{ HSW_RING_EMR(b), n "_EMR", ALL, ALL, 0, 0, NULL, NULL }, \
	{ HSW_RING_ESR(b), n "_ESR", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_INSTPM(b), n "_INSTPM", 0, 0xFFFFu, 0, MASKED, NULL, NULL }, \
	{ HSW_RING_BBSTATE(b), n "_BBSTATE", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_SBBADDR(b), n "_SBBADDR", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_BBADDR(b), n "_BBADDR", 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_RING_MODE(b), n "_GFX_MODE", 0, 0xFFFFu, 0, MASKED, NULL, NULL }, \
	{ HSW_RING_TIMESTAMP(b), n "_TIMESTAMP", 0, 0, 0, 0, timestamp_read, NULL }, \
	{ HSW_RING_TIMESTAMP_UDW(b), n "_TIMESTAMP_UDW", 0, 0, 0, 0, timestamp_read, NULL }

#define FENCE(i) \
	{ HSW_FENCE_LO(i), "FENCE_LO", 0, HSW_PTE_ADDR_MASK | HSW_FENCE_TILING_Y | HSW_FENCE_VALID, 0, 0, NULL, NULL }, \
	{ HSW_FENCE_HI(i), "FENCE_HI", 0, ALL, 0, 0, NULL, NULL }

#define PIPE_REGS(p, n) \
	{ HSW_HTOTAL(p), "HTOTAL_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_HTOTAL(p) + 4u, "HBLANK_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_HTOTAL(p) + 8u, "HSYNC_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_VTOTAL(p), "VTOTAL_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_VTOTAL(p) + 4u, "VBLANK_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_VTOTAL(p) + 8u, "VSYNC_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_PIPESRC(p), "PIPESRC_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_PIPEDSL(p), "PIPEDSL_" n, 0, 0, 0, 0, gensim_display_read_dsl, NULL }, \
	{ HSW_PIPECONF(p), "PIPECONF_" n, 0, ALL & ~HSW_PIPECONF_STATE, 0, 0, NULL, gensim_display_write_pipeconf }, \
	{ HSW_PIPE_FRMCOUNT(p), "PIPE_FRMCOUNT_" n, 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_PIPE_FLIPCOUNT(p), "PIPE_FLIPCOUNT_" n, 0, 0, 0, 0, NULL, NULL }, \
	{ HSW_CURCNTR(p), "CURCNTR_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_CURBASE(p), "CURBASE_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_CURPOS(p), "CURPOS_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_DSPCNTR(p), "DSPCNTR_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_DSPSTRIDE(p), "DSPSTRIDE_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_DSPSURF(p), "DSPSURF_" n, 0, HSW_DSPSURF_MASK, 0, 0, NULL, gensim_display_write_dspsurf }, \
	{ HSW_DSPOFFSET(p), "DSPOFFSET_" n, 0, ALL, 0, 0, NULL, NULL }, \
	{ HSW_DSPSURFLIVE(p), "DSPSURFLIVE_" n, 0, 0, 0, 0, NULL, NULL }

#define IRQ_BLOCK(isr, n) \
	{ (isr), n "ISR", 0, 0, 0, 0, NULL, NULL }, \
	{ (isr) + 4u, n "IMR", ALL, ALL, 0, 0, NULL, NULL }, \
	{ (isr) + 8u, n "IIR", 0, 0, ALL, 0, NULL, NULL }, \
	{ (isr) + 12u, n "IER", 0, ALL, 0, 0, NULL, NULL }

const struct gensim_reg gensim_hsw_regs[] = {
	RING_REGS(HSW_RCS_BASE, "RCS"),
	RING_REGS(HSW_VCS_BASE, "VCS"),
	RING_REGS(HSW_BCS_BASE, "BCS"),
	RING_REGS(HSW_VECS_BASE, "VECS"),

	{ HSW_RCS_HWS_PGA, "RCS_HWS_PGA", 0, HSW_HWS_ADDRESS_MASK, 0, 0, NULL, NULL },
	{ HSW_VCS_HWS_PGA, "VCS_HWS_PGA", 0, HSW_HWS_ADDRESS_MASK, 0, 0, NULL, NULL },
	{ HSW_BCS_HWS_PGA, "BCS_HWS_PGA", 0, HSW_HWS_ADDRESS_MASK, 0, 0, NULL, NULL },
	{ HSW_VECS_HWS_PGA, "VECS_HWS_PGA", 0, HSW_HWS_ADDRESS_MASK, 0, 0, NULL, NULL },
	{ HSW_RCS_FAULT_REG, "RCS_FAULT_REG", 0, HSW_FAULT_VALID, 0, 0, NULL, fault_write },
	{ HSW_VCS_FAULT_REG, "VCS_FAULT_REG", 0, HSW_FAULT_VALID, 0, 0, NULL, fault_write },
	{ HSW_BCS_FAULT_REG, "BCS_FAULT_REG", 0, HSW_FAULT_VALID, 0, 0, NULL, fault_write },
	{ HSW_VECS_FAULT_REG, "VECS_FAULT_REG", 0, HSW_FAULT_VALID, 0, 0, NULL, fault_write },

	{ HSW_GDRST, "GEN6_GDRST", 0, 0x1Fu, 0, 0, NULL, gdrst_write },
	{ HSW_ECOBUS, "ECOBUS", HSW_ECOBUS_FORCEWAKE_MT_ENABLE, 0, 0, 0, NULL, NULL },
	{ HSW_FORCEWAKE_MT, "FORCEWAKE_MT", 0, 0xFFFFu, 0, MASKED, NULL, forcewake_write },
	{ HSW_FORCEWAKE_ACK, "FORCEWAKE_ACK_HSW", 0, 0, 0, 0, NULL, NULL },
	{ HSW_FPGA_DBG, "FPGA_DBG", 0, 0, HSW_FPGA_DBG_RM_NOCLAIM, 0, NULL, NULL },
	{ HSW_GFX_FLSH_CNTL, "GFX_FLSH_CNTL_GEN6", 0, 1u, 0, 0, NULL, NULL },

	IRQ_BLOCK(HSW_DEISR, "DE"),
	IRQ_BLOCK(HSW_GTISR, "GT"),
	IRQ_BLOCK(HSW_PMISR, "PM"),
	IRQ_BLOCK(HSW_SDEISR, "SDE"),
	{ HSW_ERR_INT, "GEN7_ERR_INT", 0, 0, ALL, 0, NULL, NULL },
	{ HSW_DERRMR, "DERRMR", ALL, ALL, 0, 0, NULL, NULL },

	FENCE(0), FENCE(1), FENCE(2), FENCE(3), FENCE(4), FENCE(5), FENCE(6), FENCE(7),
	FENCE(8), FENCE(9), FENCE(10), FENCE(11), FENCE(12), FENCE(13), FENCE(14), FENCE(15),
	FENCE(16), FENCE(17), FENCE(18), FENCE(19), FENCE(20), FENCE(21), FENCE(22), FENCE(23),
	FENCE(24), FENCE(25), FENCE(26), FENCE(27), FENCE(28), FENCE(29), FENCE(30), FENCE(31),

	PIPE_REGS(0, "A"),
	PIPE_REGS(1, "B"),
	PIPE_REGS(2, "C"),
};
const size_t gensim_hsw_nregs = sizeof(gensim_hsw_regs) / sizeof(gensim_hsw_regs[0]);

/* ---- Dispatch ------------------------------------------------------------- */

int gensim_regs_init(struct gensim *gs)
{
	gs->reg_table = gensim_hsw_regs;
	gs->nregs = gensim_hsw_nregs;
	GENSIM_BUG_ON(gs->nregs >= UINT16_MAX);

	gs->regs = calloc(GENSIM_NUM_REG_DWORDS, sizeof(*gs->regs));
	gs->reg_index = calloc(GENSIM_NUM_REG_DWORDS, sizeof(*gs->reg_index));
	if (!gs->regs || !gs->reg_index) {
		gensim_regs_fini(gs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < gs->nregs; i++) {
		uint32_t off = gs->reg_table[i].offset;

		/* The table is the documentation: it must be self-consistent. */
		GENSIM_BUG_ON((off & 3u) || off >= HSW_MMIO_SIZE);
		GENSIM_BUG_ON(gs->reg_index[off >> 2] != 0);
		GENSIM_BUG_ON(gs->reg_table[i].rw_mask & gs->reg_table[i].w1c_mask);
		gs->reg_index[off >> 2] = (uint16_t)(i + 1);
	}
	return 0;
}

void gensim_regs_fini(struct gensim *gs)
{
	free(gs->reg_index);
	free(gs->regs);
	gs->reg_index = NULL;
	gs->regs = NULL;
}

void gensim_regs_reset(struct gensim *gs)
{
	memset(gs->regs, 0, GENSIM_NUM_REG_DWORDS * sizeof(*gs->regs));
	for (size_t i = 0; i < gs->nregs; i++)
		gs->regs[gs->reg_table[i].offset >> 2] = gs->reg_table[i].reset;
}

static const struct gensim_reg *reg_lookup(const struct gensim *gs, uint32_t off)
{
	uint16_t i;

	if (off >= HSW_MMIO_SIZE)
		return NULL;
	i = gs->reg_index[off >> 2];
	return i ? &gs->reg_table[i - 1] : NULL;
}

const char *gensim_reg_name(uint32_t off)
{
	for (size_t i = 0; i < gensim_hsw_nregs; i++)
		if (gensim_hsw_regs[i].offset == (off & ~3u))
			return gensim_hsw_regs[i].name;
	return NULL;
}

static void unclaimed(struct gensim *gs)
{
	gs->stats.unclaimed_mmio++;
	gs->regs[HSW_FPGA_DBG >> 2] |= HSW_FPGA_DBG_RM_NOCLAIM;
}

int gensim_reg_read(struct gensim *gs, uint32_t off, uint32_t *val)
{
	const struct gensim_reg *r = reg_lookup(gs, off);
	uint32_t cur;

	if (!r) {
		unclaimed(gs);
		*val = 0;
		return 0;
	}
	cur = gs->regs[off >> 2];
	*val = r->read ? r->read(gs, off, cur) : cur;
	return 0;
}

/*
 * @byte_mask marks which bytes the access carried (narrow accesses merge
 * into the dword); only those bytes can set or clear anything.
 */
int gensim_reg_write(struct gensim *gs, uint32_t off, uint32_t val, uint32_t byte_mask)
{
	const struct gensim_reg *r = reg_lookup(gs, off);
	uint32_t old, new;

	if (!r) {
		unclaimed(gs);
		return 0;
	}
	old = gs->regs[off >> 2];
	val &= byte_mask;
	if (r->flags & GENSIM_REG_MASKED) {
		uint32_t en = (val >> 16) & r->rw_mask;

		new = (old & ~en) | (val & en);
	} else {
		uint32_t wm = r->rw_mask & byte_mask;

		new = (old & ~wm) | (val & wm);
		new &= ~(val & r->w1c_mask);
	}
	gs->regs[off >> 2] = new;
	if (r->write)
		r->write(gs, off, old, new);
	return 0;
}

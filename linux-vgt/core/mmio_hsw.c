/* SPDX-License-Identifier: MIT */
/*
 * The Haswell register table of the mediator: what each register means to
 * a vGPU.  This table is the documentation of the virtual device; see
 * hsw-facts.md for the sources of offsets and bits.
 *
 * Flags: MASKED (bits 31:16 enable 15:0), GM (holds a graphics address
 * that is audited before use), CMD (commands may write it), CTX (saved
 * and restored per vGPU on a context switch), HW (reads the physical
 * register).  Everything else is virtual per vGPU.
 *
 * A command may write only registers that the context switch carries (so
 * the next vGPU does not inherit them) and only on its own engine.
 * MI_MODE is not among them: stopping the physical ring from a batch would
 * stall every vGPU behind it.  Nor is GFX_MODE, and its PPGTT enable is
 * read-only: per-process GTTs are not offered (PVINFO says so), so every
 * address a command uses is a global one and is audited as such.
 */
#include "private.h"

#define ALL      0xFFFFFFFFu
#define HSW      VGT_GEN_HSW
#define MASKED   VGT_REG_MASKED
#define GM       VGT_REG_GM_ADDR
#define CMD      VGT_REG_CMD_ACCESS
#define CTX      VGT_REG_CTX
#define HWR      VGT_REG_HW_READ

/* ---- Hooks ---------------------------------------------------------------- */

static uint32_t mi_mode_read(struct vgt_vgpu *v, uint32_t off)
{
	uint32_t base = off & ~0xFFFu, mode = vgt_vreg(v, off) & ~HSW_MI_MODE_IDLE;
	uint32_t head = vgt_vreg(v, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR;
	uint32_t tail = vgt_vreg(v, HSW_RING_TAIL(base)) & HSW_TAIL_ADDR;

	/* Idle once stopped, or when the virtual ring holds nothing. */
	if ((mode & HSW_MI_MODE_STOP_RING) || head == tail)
		mode |= HSW_MI_MODE_IDLE;
	return mode;
}

static void gdrst_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		if (val & (HSW_GDRST_FULL | vgt_hsw_engines[e].gdrst_bit))
			vgt_sched_engine_reset(v, e);
	/* Done at once: the guest polls for its bits to clear. */
	vgt_vreg_set(v, off, 0);
}

/*
 * RING_FAULT_REG: the vGPU's own faults (scheduler.c puts them there).
 * Writing VALID back clear clears it, as i915's read-modify-write does on
 * hardware; writing it set does not make a fault.
 */
static void fault_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	vgt_vreg_set(v, off, old & val);
}

static void forcewake_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	vgt_vreg_set(v, off, val);
	vgt_vreg_set(v, HSW_FORCEWAKE_ACK, val & 0xFFFFu);
}

static void pipeconf_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	val &= ~HSW_PIPECONF_STATE;
	if (val & HSW_PIPECONF_ENABLE)
		val |= HSW_PIPECONF_STATE;
	vgt_vreg_set(v, off, val);
	if (v->host->foreground == v)
		vgt_foreground_sync(v->host);
}

static void dspsurf_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t pipe_off = off - HSW_DSPSURF(0);

	(void)old;
	vgt_vreg_set(v, off, val);
	/* The virtual plane flips at once; the display model latches it. */
	vgt_vreg_set(v, HSW_DSPSURFLIVE(0) + pipe_off, val);
	vgt_vreg_set(v, HSW_PIPE_FLIPCOUNT(0) + pipe_off,
		     vgt_vreg(v, HSW_PIPE_FLIPCOUNT(0) + pipe_off) + 1);
	/* The foreground owner's flip is the screen's flip (at the next vblank). */
	if (v->host->foreground == v)
		vgt_foreground_sync(v->host);
}

/* ---- The table ------------------------------------------------------------ */

/* One engine's ring registers.  Pure data: no control flow hides here. */
#define RING(b, n) \
	{ HSW_RING_TAIL(b), 4, HSW, 0, 0, ~HSW_TAIL_ADDR, 0, n "_TAIL", NULL, vgt_ring_tail_write }, \
	{ HSW_RING_HEAD(b), 4, HSW, 0, 0, 0x3u, 0, n "_HEAD", NULL, vgt_ring_reset_write }, \
	{ HSW_RING_START(b), 4, HSW, GM, 0, ~HSW_START_ADDR, 0, n "_START", NULL, vgt_ring_reset_write }, \
	{ HSW_RING_CTL(b), 4, HSW, 0, 0, ~(HSW_RING_CTL_SIZE_MASK | 0x7u), 0, n "_CTL", NULL, vgt_ring_reset_write }, \
	{ HSW_RING_IPEIR(b), 4, HSW, 0, 0, ALL, 0, n "_IPEIR", NULL, NULL }, \
	{ HSW_RING_IPEHR(b), 4, HSW, 0, 0, ALL, 0, n "_IPEHR", NULL, NULL }, \
	{ HSW_RING_ACTHD(b), 4, HSW, 0, 0, ALL, 0, n "_ACTHD", NULL, NULL }, \
	{ HSW_RING_HWSTAM(b), 4, HSW, CTX, ALL, 0, 0, n "_HWSTAM", NULL, NULL }, \
	{ HSW_RING_MI_MODE(b), 4, HSW, MASKED, 0, HSW_MI_MODE_IDLE, 0, n "_MI_MODE", mi_mode_read, vgt_ring_mode_write }, \
	{ HSW_RING_IMR(b), 4, HSW, 0, ALL, 0, 0, n "_IMR", NULL, NULL }, \
	{ HSW_RING_EIR(b), 4, HSW, 0, 0, 0, ALL, n "_EIR", NULL, NULL }, \
	{ HSW_RING_EMR(b), 4, HSW, 0, ALL, 0, 0, n "_EMR", NULL, NULL }, \
	{ HSW_RING_ESR(b), 4, HSW, 0, 0, ALL, 0, n "_ESR", NULL, NULL }, \
	{ HSW_RING_INSTPM(b), 4, HSW, MASKED | CMD | CTX, 0, 0, 0, n "_INSTPM", NULL, NULL }, \
	{ HSW_RING_BBSTATE(b), 4, HSW, 0, 0, ALL, 0, n "_BBSTATE", NULL, NULL }, \
	{ HSW_RING_SBBADDR(b), 4, HSW, 0, 0, ALL, 0, n "_SBBADDR", NULL, NULL }, \
	{ HSW_RING_BBADDR(b), 4, HSW, 0, 0, ALL, 0, n "_BBADDR", NULL, NULL }, \
	{ HSW_RING_MODE(b), 4, HSW, MASKED | CTX, 0, HSW_GFX_MODE_PPGTT_ENABLE, 0, n "_GFX_MODE", NULL, NULL }, \
	{ HSW_RING_TIMESTAMP(b), 4, HSW, CMD | HWR, 0, ALL, 0, n "_TIMESTAMP", NULL, NULL }, \
	{ HSW_RING_TIMESTAMP_UDW(b), 4, HSW, CMD | HWR, 0, ALL, 0, n "_TIMESTAMP_UDW", NULL, NULL }

/* Virtual interrupt registers: a change may raise or drop the vGPU's MSI. */
#define IRQ_BLOCK(isr, n) \
	{ (isr), 4, HSW, 0, 0, ALL, 0, n "ISR", NULL, NULL }, \
	{ (isr) + 4u, 4, HSW, 0, ALL, 0, 0, n "IMR", NULL, vgt_virq_reg_write }, \
	{ (isr) + 8u, 4, HSW, 0, 0, 0, ALL, n "IIR", NULL, vgt_virq_reg_write }, \
	{ (isr) + 12u, 4, HSW, 0, 0, 0, 0, n "IER", NULL, vgt_virq_reg_write }

#define PIPE(p, n) \
	{ HSW_HTOTAL(p), 12, HSW, 0, 0, 0, 0, "HTOTAL/HBLANK/HSYNC_" n, NULL, NULL }, \
	{ HSW_VTOTAL(p), 12, HSW, 0, 0, 0, 0, "VTOTAL/VBLANK/VSYNC_" n, NULL, NULL }, \
	{ HSW_PIPESRC(p), 4, HSW, 0, 0, 0, 0, "PIPESRC_" n, NULL, NULL }, \
	{ HSW_PIPEDSL(p), 4, HSW, 0, 0, ALL, 0, "PIPEDSL_" n, NULL, NULL }, \
	{ HSW_PIPECONF(p), 4, HSW, 0, 0, HSW_PIPECONF_STATE, 0, "PIPECONF_" n, NULL, pipeconf_write }, \
	{ HSW_PIPE_FRMCOUNT(p), 4, HSW, 0, 0, ALL, 0, "PIPE_FRMCOUNT_" n, NULL, NULL }, \
	{ HSW_PIPE_FLIPCOUNT(p), 4, HSW, 0, 0, ALL, 0, "PIPE_FLIPCOUNT_" n, NULL, NULL }, \
	{ HSW_CURCNTR(p), 12, HSW, 0, 0, 0, 0, "CURCNTR/CURBASE/CURPOS_" n, NULL, NULL }, \
	{ HSW_DSPCNTR(p), 4, HSW, 0, 0, 0, 0, "DSPCNTR_" n, NULL, NULL }, \
	{ HSW_DSPSTRIDE(p), 4, HSW, 0, 0, 0, 0, "DSPSTRIDE_" n, NULL, NULL }, \
	{ HSW_DSPSURF(p), 4, HSW, GM, 0, ~HSW_DSPSURF_MASK, 0, "DSPSURF_" n, NULL, dspsurf_write }, \
	{ HSW_DSPOFFSET(p), 4, HSW, 0, 0, 0, 0, "DSPOFFSET_" n, NULL, NULL }, \
	{ HSW_DSPSURFLIVE(p), 4, HSW, 0, 0, ALL, 0, "DSPSURFLIVE_" n, NULL, NULL }

const struct vgt_mmio_desc vgt_mmio_hsw[] = {
	RING(HSW_RCS_BASE, "RCS"),
	RING(HSW_VCS_BASE, "VCS"),
	RING(HSW_BCS_BASE, "BCS"),
	RING(HSW_VECS_BASE, "VECS"),
	{ HSW_RCS_HWS_PGA, 4, HSW, GM | CTX, 0, ~HSW_HWS_ADDRESS_MASK, 0, "RCS_HWS_PGA", NULL, NULL },
	{ HSW_VCS_HWS_PGA, 4, HSW, GM | CTX, 0, ~HSW_HWS_ADDRESS_MASK, 0, "VCS_HWS_PGA", NULL, NULL },
	{ HSW_BCS_HWS_PGA, 4, HSW, GM | CTX, 0, ~HSW_HWS_ADDRESS_MASK, 0, "BCS_HWS_PGA", NULL, NULL },
	{ HSW_VECS_HWS_PGA, 4, HSW, GM | CTX, 0, ~HSW_HWS_ADDRESS_MASK, 0, "VECS_HWS_PGA", NULL, NULL },
	{ HSW_RCS_FAULT_REG, 4, HSW, 0, 0, ~HSW_FAULT_VALID, 0, "RCS_FAULT_REG", NULL, fault_write },
	{ HSW_VCS_FAULT_REG, 4, HSW, 0, 0, ~HSW_FAULT_VALID, 0, "VCS_FAULT_REG", NULL, fault_write },
	{ HSW_BCS_FAULT_REG, 4, HSW, 0, 0, ~HSW_FAULT_VALID, 0, "BCS_FAULT_REG", NULL, fault_write },
	{ HSW_VECS_FAULT_REG, 4, HSW, 0, 0, ~HSW_FAULT_VALID, 0, "VECS_FAULT_REG", NULL, fault_write },

	{ HSW_GDRST, 4, HSW, 0, 0, ~0x1Fu, 0, "GEN6_GDRST", NULL, gdrst_write },
	{ HSW_ECOBUS, 4, HSW, 0, HSW_ECOBUS_FORCEWAKE_MT_ENABLE, ALL, 0, "ECOBUS", NULL, NULL },
	{ HSW_FORCEWAKE_MT, 4, HSW, MASKED, 0, 0, 0, "FORCEWAKE_MT", NULL, forcewake_write },
	{ HSW_FORCEWAKE_ACK, 4, HSW, 0, 0, ALL, 0, "FORCEWAKE_ACK_HSW", NULL, NULL },
	{ HSW_FPGA_DBG, 4, HSW, 0, 0, ~HSW_FPGA_DBG_RM_NOCLAIM, HSW_FPGA_DBG_RM_NOCLAIM, "FPGA_DBG", NULL, NULL },
	{ HSW_GFX_FLSH_CNTL, 4, HSW, 0, 0, ~1u, 0, "GFX_FLSH_CNTL_GEN6", NULL, NULL },

	IRQ_BLOCK(HSW_DEISR, "DE"),
	IRQ_BLOCK(HSW_GTISR, "GT"),
	IRQ_BLOCK(HSW_PMISR, "PM"),
	IRQ_BLOCK(HSW_SDEISR, "SDE"),
	{ HSW_ERR_INT, 4, HSW, 0, 0, 0, ALL, "GEN7_ERR_INT", NULL, NULL },
	{ HSW_DERRMR, 4, HSW, 0, ALL, 0, 0, "DERRMR", NULL, NULL },

	/* 32 fences of 8 bytes: a guest's fence i is its own host fence. */
	{ HSW_FENCE_LO(0), 8 * HSW_NUM_FENCES, HSW, 0, 0, 0, 0, "FENCE_REG", NULL, vgt_fence_write },

	PIPE(0, "A"),
	PIPE(1, "B"),
	PIPE(2, "C"),

	/* The paravirtual info page (i915_pvinfo.h layout); see pvinfo.c. */
	{ HSW_PVINFO_PAGE, HSW_PVINFO_SIZE, HSW, 0, 0, 0, 0, "PVINFO", NULL, vgt_pvinfo_write },
};
const size_t vgt_mmio_hsw_count = sizeof(vgt_mmio_hsw) / sizeof(vgt_mmio_hsw[0]);

/* SPDX-License-Identifier: MIT */
/*
 * gensim's interrupts, Ivybridge/Haswell style: GT, PM, DE and SDE blocks
 * of ISR/IMR/IIR/IER, DEIER bit 31 as the master enable, and per-ring IMRs
 * in front of the GT block.
 *
 * An event sets its IIR bit unless IMR masks it; the device interrupts when
 * the master enable is on and some IIR bit is also set in its IER.  The
 * message is edge-triggered (MSI): a driver that leaves IIR bits pending
 * gets no new message until it toggles the master enable or clears them,
 * which is why i915's handler drops DEIER.31 while it works.
 */
#include "gensim_private.h"

static void latch(struct gensim *gs, uint32_t imr, uint32_t iir, uint32_t bits)
{
	bits &= ~gensim_reg_get(gs, imr);
	gensim_reg_set(gs, iir, gensim_reg_get(gs, iir) | bits);
}

void gensim_irq_raise_gt(struct gensim *gs, uint32_t bits)
{
	latch(gs, HSW_GTIMR, HSW_GTIIR, bits);
}

void gensim_irq_raise_pm(struct gensim *gs, uint32_t bits)
{
	latch(gs, HSW_PMIMR, HSW_PMIIR, bits);
}

void gensim_irq_raise_de(struct gensim *gs, uint32_t bits)
{
	latch(gs, HSW_DEIMR, HSW_DEIIR, bits);
}

/*
 * Engine events pass the ring's own IMR first (i915 unmasks them there with
 * the same bit as in GTIMR).  Command errors bypass it: they are reported
 * through GTIMR/GTIER alone.
 */
void gensim_irq_engine(struct gensim *gs, const struct gensim_engine *eng, uint32_t bit)
{
	if (bit != eng->desc->error_irq &&
	    (gensim_reg_get(gs, HSW_RING_IMR(eng->desc->base)) & bit))
		return;
	if (eng->desc->pm_block)
		gensim_irq_raise_pm(gs, bit);
	else
		gensim_irq_raise_gt(gs, bit);
}

void gensim_irq_update(struct gensim *gs)
{
	uint32_t deier = gensim_reg_get(gs, HSW_DEIER);
	bool pending = false;
	uint64_t addr;
	uint32_t data;

	if (deier & HSW_DE_MASTER_IRQ_CONTROL)
		pending = (gensim_reg_get(gs, HSW_DEIIR) & deier & ~HSW_DE_MASTER_IRQ_CONTROL) ||
			  (gensim_reg_get(gs, HSW_GTIIR) & gensim_reg_get(gs, HSW_GTIER)) ||
			  (gensim_reg_get(gs, HSW_PMIIR) & gensim_reg_get(gs, HSW_PMIER)) ||
			  (gensim_reg_get(gs, HSW_SDEIIR) & gensim_reg_get(gs, HSW_SDEIER));
	if (pending && !gs->irq_line) {
		if (gensim_msi_target(gs, &addr, &data)) {
			gs->stats.interrupts++;
			if (gs->cfg.irq)
				gs->cfg.irq(gs->cfg.irq_opaque, true, addr, data);
		} else if (gensim_intx_enabled(gs)) {
			gs->stats.interrupts++;
			if (gs->cfg.irq)
				gs->cfg.irq(gs->cfg.irq_opaque, false, 0, 0);
		}
	}
	gs->irq_line = pending;
}

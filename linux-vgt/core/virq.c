/* SPDX-License-Identifier: MIT */
/*
 * Virtual interrupts.  Each vGPU has its own GT, PM, DE and SDE blocks of
 * ISR/IMR/IIR/IER (as virtual registers) and per-ring IMRs.  An event
 * latches its IIR bit unless masked; when DEIER's master bit is on and an
 * IIR bit is also enabled in its IER, the vGPU's MSI is injected through
 * the transport, once per rising edge, as the hardware does.  Each vGPU's
 * enabled pipes get a 60 Hz vblank of their own.
 */
#include "private.h"

#define VBLANK_NS 16666667ull

static void latch(struct vgt_vgpu *v, uint32_t imr, uint32_t iir, uint32_t bits)
{
	bits &= ~vgt_vreg(v, imr);
	vgt_vreg_set(v, iir, vgt_vreg(v, iir) | bits);
}

void vgt_virq_engine(struct vgt_vgpu *v, unsigned e, uint32_t bit)
{
	const struct vgt_engine_desc *d = &vgt_hsw_engines[e];

	if (vgt_vreg(v, HSW_RING_IMR(d->base)) & bit)
		return;
	if (d->pm_block)
		latch(v, HSW_PMIMR, HSW_PMIIR, bit);
	else
		latch(v, HSW_GTIMR, HSW_GTIIR, bit);
	vgt_virq_update(v);
}

/*
 * A refused submission looks to the guest like a command error on real
 * hardware: RING_EIR/ESR latch an instruction error, IPEHR the header, and
 * the engine's command-error interrupt is raised if its EMR lets it.
 */
void vgt_virq_cmd_error(struct vgt_vgpu *v, unsigned e, uint32_t header)
{
	const struct vgt_engine_desc *d = &vgt_hsw_engines[e];

	vgt_vreg_set(v, HSW_RING_EIR(d->base), vgt_vreg(v, HSW_RING_EIR(d->base)) | HSW_ERR_INSTRUCTION);
	vgt_vreg_set(v, HSW_RING_ESR(d->base), vgt_vreg(v, HSW_RING_ESR(d->base)) | HSW_ERR_INSTRUCTION);
	vgt_vreg_set(v, HSW_RING_IPEHR(d->base), header);
	if (vgt_vreg(v, HSW_RING_EMR(d->base)) & HSW_ERR_INSTRUCTION)
		return;
	if (d->pm_block)
		latch(v, HSW_PMIMR, HSW_PMIIR, d->error_irq);
	else
		latch(v, HSW_GTIMR, HSW_GTIIR, d->error_irq);
	vgt_virq_update(v);
}

void vgt_virq_update(struct vgt_vgpu *v)
{
	uint32_t deier = vgt_vreg(v, HSW_DEIER);
	bool pending = false;
	uint64_t addr;
	uint32_t data;

	if (deier & HSW_DE_MASTER_IRQ_CONTROL)
		pending = (vgt_vreg(v, HSW_DEIIR) & deier & ~HSW_DE_MASTER_IRQ_CONTROL) ||
			  (vgt_vreg(v, HSW_GTIIR) & vgt_vreg(v, HSW_GTIER)) ||
			  (vgt_vreg(v, HSW_PMIIR) & vgt_vreg(v, HSW_PMIER)) ||
			  (vgt_vreg(v, HSW_SDEIIR) & vgt_vreg(v, HSW_SDEIER));
	if (pending && !v->irq_line && vgt_cfg_msi(v, &addr, &data)) {
		vgt_trace_vgpu(v, VGT_TRC_IRQ, 2, (uint32_t)addr, data, 0, 0);
		v->ops->inject_msi(v->opaque, addr, data);
		v->stats.irqs_injected++;
	}
	v->irq_line = pending;
}

void vgt_virq_reg_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	vgt_vreg_set(v, off, val);
	vgt_virq_update(v);
}

void vgt_virq_vblank(struct vgt_vgpu *v, uint64_t now)
{
	uint64_t frames;
	uint32_t bits = 0;

	if (!v->next_vblank_ns)
		v->next_vblank_ns = now + VBLANK_NS;
	if (now < v->next_vblank_ns)
		return;
	frames = (now - v->next_vblank_ns) / VBLANK_NS + 1;
	v->next_vblank_ns += frames * VBLANK_NS;
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++) {
		if (!(vgt_vreg(v, HSW_PIPECONF(p)) & HSW_PIPECONF_ENABLE))
			continue;
		vgt_vreg_set(v, HSW_PIPE_FRMCOUNT(p), vgt_vreg(v, HSW_PIPE_FRMCOUNT(p)) + (uint32_t)frames);
		bits |= HSW_DE_PIPE_VBLANK(p);
		v->stats.vblanks += frames;
	}
	if (bits) {
		latch(v, HSW_DEIMR, HSW_DEIIR, bits);
		vgt_virq_update(v);
	}
}

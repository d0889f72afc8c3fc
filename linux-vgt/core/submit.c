/* SPDX-License-Identifier: MIT */
/*
 * Ring virtualization.  Each vGPU has virtual ring registers per engine;
 * a TAIL write hands [scan head, TAIL) to the command auditor, whose copy
 * becomes a queued workload.  HEAD moves as workloads complete.  The ring
 * and the status page must lie in the vGPU's own graphics memory.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

static bool gm_read(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool trace);

bool vgt_gm_read(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len)
{
	return gm_read(v, gm, buf, len, false);
}

/* The auditor's reads: their contents go into the trace, so that it replays on its own. */
bool vgt_gm_read_traced(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len)
{
	return gm_read(v, gm, buf, len, vgt_tracing(v->host));
}

static bool gm_read(struct vgt_vgpu *v, uint64_t gm, void *buf, size_t len, bool trace)
{
	uint8_t *p = buf;

	while (len) {
		uint32_t off = (uint32_t)(gm & (VGT_PAGE_SIZE - 1));
		size_t chunk = VGT_PAGE_SIZE - off < len ? VGT_PAGE_SIZE - off : len;
		uint32_t pte;

		if (!vgt_gm_owned(v, gm, chunk))
			return false;
		pte = v->vgtt[gm >> 12];
		if (!(pte & HSW_PTE_VALID) ||
		    v->ops->read_gpa(v->opaque, HSW_PTE_DECODE(pte) + off, p, chunk))
			return false;
		if (trace)
			vgt_trace_data(v, VGT_TRC_GMEM_READ, HSW_PTE_DECODE(pte) + off, p, chunk);
		p += chunk;
		gm += chunk;
		len -= chunk;
	}
	return true;
}

/* What the auditor copied is part of the vGPU's digest, and of the trace. */
static void shadow_account(struct vgt_vgpu *v, unsigned e, const struct vgt_workload *w)
{
	uint64_t h = v->shadow_hash ? v->shadow_hash : 0xCBF29CE484222325ull;
	const uint32_t *parts[2] = { w->ring, w->batch };
	const uint32_t lens[2] = { w->ring_dw, w->batch_dw };

	for (unsigned k = 0; k < 2; k++)
		for (uint32_t i = 0; i < lens[k]; i++)
			h = (h ^ parts[k][i]) * 0x100000001B3ull;
	v->shadow_hash = h;
	vgt_trace_vgpu(v, VGT_TRC_SHADOW, 3, e, w->ring_dw, w->batch_dw, 0);
}

static unsigned engine_of(uint32_t off)
{
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		if ((off & ~0xFFFu) == vgt_hsw_engines[e].base)
			return e;
	vgt_bug(__FILE__, __LINE__, "ring register outside every engine page");
}

static void submit(struct vgt_vgpu *v, unsigned e)
{
	uint32_t base = vgt_hsw_engines[e].base;
	uint32_t ctl = vgt_vreg(v, HSW_RING_CTL(base));
	uint32_t size = (ctl & HSW_RING_CTL_SIZE_MASK) + VGT_PAGE_SIZE;
	uint32_t start = vgt_vreg(v, HSW_RING_START(base)) & HSW_START_ADDR;
	uint32_t hws = vgt_vreg(v, vgt_hsw_engines[e].hws_pga) & HSW_HWS_ADDRESS_MASK;
	uint32_t tail = vgt_vreg(v, HSW_RING_TAIL(base)) & HSW_TAIL_ADDR;
	uint32_t head = v->scan_head[e];
	struct vgt_workload *w;
	char why[200];
	int ret;

	uint32_t vhead = vgt_vreg(v, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR;

	if (!(ctl & HSW_RING_VALID) || (vgt_vreg(v, HSW_RING_MI_MODE(base)) & HSW_MI_MODE_STOP_RING) ||
	    tail == head || v->failsafe)
		return;
	if (tail >= size || head >= size || vhead >= size) {
		vgt_guest_error(v, VGT_GERR_RING, "%s TAIL 0x%x beyond its %u KiB ring",
				vgt_hsw_engines[e].name, tail, size >> 10);
		return;
	}
	/* TAIL may not run past HEAD: that would overwrite what is not done. */
	if ((tail + size - vhead) % size < (head + size - vhead) % size) {
		vgt_guest_error(v, VGT_GERR_RING, "%s TAIL 0x%x passed HEAD 0x%x", vgt_hsw_engines[e].name,
				tail, vhead);
		return;
	}
	/* Too much taken and not done: the rest waits in the guest's ring. */
	if (v->outstanding[e] >= VGT_MAX_OUTSTANDING || v->outstanding_dw[e] >= VGT_MAX_OUTSTANDING_DW)
		return;
	if (!vgt_gm_owned(v, start, size) || !vgt_gm_owned(v, hws, VGT_PAGE_SIZE)) {
		vgt_guest_error(v, VGT_GERR_RING, "%s ring [0x%x, +%u KiB) or status page 0x%x outside its memory",
				vgt_hsw_engines[e].name, start, size >> 10, hws);
		return;
	}
	vgt_trace_vgpu(v, VGT_TRC_SUBMIT, 3, e, head, tail, 0);
	ret = vgt_scan_submission(v, e, head, tail, &w, why, sizeof(why));
	if (vgt_tracing(v->host)) {
		uint32_t dw = 0;

		for (struct vgt_workload *p = ret ? NULL : w; p; p = p->next)
			dw += p->ring_dw + p->batch_dw;
		vgt_trace_vgpu(v, VGT_TRC_AUDIT, 3, e, (uint32_t)ret, dw, 0);
	}
	if (ret == -EPERM) {
		uint32_t header = 0;

		vgt_guest_error(v, VGT_GERR_CMD, "%s: %s", vgt_hsw_engines[e].name, why);
		vgt_gm_read(v, (uint64_t)start + head, &header, 4);
		vgt_virq_cmd_error(v, e, header);
		return;
	}
	if (ret) {
		vgt_guest_log(v, VGT_LOG_ERROR, "vgpu%u: cannot take a submission: %s", v->id, why);
		return;
	}
	/* The scan may have stopped short of TAIL: it goes on after a completion. */
	for (struct vgt_workload *p = w; p; p = p->next)
		v->scan_head[e] = p->guest_tail;
	/* A workload, in the counters, is what one scan took (pieces and all). */
	v->stats.workloads_submitted++;
	/* One workload, or the pieces of a long submission, in order. */
	while (w) {
		struct vgt_workload *next = w->next;

		w->next = NULL;
		w->hwsp = hws;
		w->last = !next;
		shadow_account(v, e, w);
		vgt_sched_queue(v, w);
		w = next;
	}
}

void vgt_ring_tail_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	vgt_vreg_set(v, off, val);
	submit(v, engine_of(off));
}

void vgt_ring_resubmit(struct vgt_vgpu *v, unsigned e)
{
	submit(v, e);
}

/* HEAD, START and CTL: a (re)started ring is scanned from its HEAD. */
void vgt_ring_reset_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	unsigned e = engine_of(off);

	(void)old;
	vgt_vreg_set(v, off, val);
	v->scan_head[e] = vgt_vreg(v, HSW_RING_HEAD(vgt_hsw_engines[e].base)) & HSW_HEAD_ADDR;
	submit(v, e);
}

/* MI_MODE: clearing STOP_RING lets what is pending run. */
void vgt_ring_mode_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	vgt_vreg_set(v, off, val);
	submit(v, engine_of(off));
}

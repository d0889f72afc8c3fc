/* SPDX-License-Identifier: MIT */
/*
 * The scheduler's mechanism: the mediator's own physical rings, dispatch
 * of audited workloads, context switches, completion, hangs and resets.
 * Which vGPU runs next is sched_policy.c's business.
 *
 * Each engine runs one workload at a time.  Dispatch loads the vGPU's
 * context registers if another vGPU had the engine, copies the shadow
 * batches into the mediator's batch pool, relocates them, and writes the
 * ring commands to the physical ring followed by a breadcrumb (the
 * workload's sequence number, stored into the mediator's own page).
 *
 * The mediator's slice of hidden memory holds, per engine: a status page
 * for breadcrumbs, a 2 MiB physical ring and a 4 MiB shadow-batch pool.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "private.h"
#include "hsw/hsw_cmds.h"

#define SEQNO_OFF        0x00000u       /* one page per engine */
#define RING_OFF         0x100000u      /* 2 MiB per engine */
#define POOL_OFF         0x1000000u     /* 4 MiB per engine */
#define PHYS_RING_SIZE   (2u << 20)
#define POOL_SIZE        (4u << 20)
#define HOST_LAYOUT      (32u << 20)
#define BREADCRUMB_DW    12u
#define MAX_INFLIGHT     8u             /* workloads of one owner back to back */
#define SLOT_SIZE        (POOL_SIZE / MAX_INFLIGHT)
#define TS_SLOT(seq)     (64u + 16u * (uint32_t)((seq) % MAX_INFLIGHT))
#define TS_OFF(seq)      TS_SLOT(seq)            /* completion timestamp */
#define TS_START_OFF(seq) (TS_SLOT(seq) + 8u)    /* start timestamp */
#define TS_NS            80ull          /* command-streamer timestamp tick */

static uint64_t maddr_of(const struct vgt_host *host, uint32_t gm)
{
	return host->mem_base + (gm - host->host_high.base);
}

static int mmio_write(struct vgt_host *host, uint32_t off, uint32_t val)
{
	return host->hw->mmio_write(host->hw_handle, off, 4, val);
}

static uint32_t mmio_read(struct vgt_host *host, uint32_t off)
{
	uint64_t v = 0;

	host->hw->mmio_read(host->hw_handle, off, 4, &v);
	return (uint32_t)v;
}

/* Clears VALID as i915 does (a read-modify-write), so that the next fault latches. */
static void fault_clear(struct vgt_host *host, unsigned e, uint32_t fault)
{
	mmio_write(host, vgt_hsw_engines[e].fault_reg, fault & ~HSW_FAULT_VALID);
}

static void ring_start(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	uint32_t base = vgt_hsw_engines[e].base;
	uint32_t fault = mmio_read(host, vgt_hsw_engines[e].fault_reg);

	/* A fault of what ran before is nobody's now. */
	if (fault & HSW_FAULT_VALID)
		fault_clear(host, e, fault);

	mmio_write(host, HSW_RING_CTL(base), 0);
	mmio_write(host, HSW_RING_HEAD(base), 0);
	mmio_write(host, HSW_RING_TAIL(base), 0);
	mmio_write(host, HSW_RING_START(base), pe->ring_gm);
	mmio_write(host, HSW_RING_CTL(base), (PHYS_RING_SIZE - VGT_PAGE_SIZE) | HSW_RING_VALID);
	mmio_write(host, HSW_RING_MI_MODE(base), HSW_MI_MODE_STOP_RING << 16);
	/* A reset masks the ring's interrupt again; the mediator wants it. */
	mmio_write(host, HSW_RING_IMR(base), ~vgt_hsw_engines[e].user_irq);
	pe->tail = 0;
}

/* The device interrupts on every breadcrumb; the service thread wakes. */
static void host_irq(void *opaque)
{
	struct vgt_host *host = opaque;

	pthread_mutex_lock(&host->service_lock);
	host->irq_pending = true;
	pthread_cond_signal(&host->service_cond);
	pthread_mutex_unlock(&host->service_lock);
}

static void irq_enable(struct vgt_host *host)
{
	uint32_t gt = 0, pm = 0;

	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		const struct vgt_engine_desc *d = &vgt_hsw_engines[e];

		mmio_write(host, HSW_RING_IMR(d->base), ~d->user_irq);
		if (d->pm_block)
			pm |= d->user_irq;
		else
			gt |= d->user_irq;
	}
	mmio_write(host, HSW_GTIMR, ~gt);
	mmio_write(host, HSW_GTIER, gt);
	mmio_write(host, HSW_PMIMR, ~pm);
	mmio_write(host, HSW_PMIER, pm);
	mmio_write(host, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
}

/* Acknowledges the device's interrupts, so that the next one is signalled. */
static void irq_ack(struct vgt_host *host)
{
	uint32_t gt = mmio_read(host, HSW_GTIIR), pm = mmio_read(host, HSW_PMIIR);

	if (gt)
		mmio_write(host, HSW_GTIIR, gt);
	if (pm)
		mmio_write(host, HSW_PMIIR, pm);
}

int vgt_sched_init(struct vgt_host *host, struct vgt_error *err)
{
	static const uint8_t zeros[VGT_PAGE_SIZE];

	if (host->mem_size < HOST_LAYOUT || host->host_high.size < HOST_LAYOUT ||
	    host->mem_base + host->mem_size > host->hwinfo.memory_size) {
		vgt_seterr(err, "the mediator needs %u MiB of its own machine memory and hidden memory",
			   HOST_LAYOUT >> 20);
		return -EINVAL;
	}
	/* The host slice maps the mediator's memory one to one. */
	for (uint32_t off = 0; off < HOST_LAYOUT; off += VGT_PAGE_SIZE) {
		uint64_t ma = host->mem_base + off;

		host->hw->gtt_write(host->hw_handle, (uint32_t)((host->host_high.base + off) >> 12),
				    HSW_PTE_ENCODE(ma) | HSW_PTE_VALID);
	}
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		struct vgt_phys_engine *pe = &host->eng[e];

		pe->seqno_gm = (uint32_t)host->host_high.base + SEQNO_OFF + e * VGT_PAGE_SIZE;
		pe->ring_gm = (uint32_t)host->host_high.base + RING_OFF + e * PHYS_RING_SIZE;
		pe->batch_gm = (uint32_t)host->host_high.base + POOL_OFF + e * POOL_SIZE;
		pe->seqno_maddr = maddr_of(host, pe->seqno_gm);
		pe->ring_maddr = maddr_of(host, pe->ring_gm);
		pe->batch_maddr = maddr_of(host, pe->batch_gm);
		host->hw->dma_write(host->hw_handle, pe->seqno_maddr, zeros, sizeof(zeros));
		ring_start(host, e);
	}
	if (pthread_mutex_init(&host->service_lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&host->service_cond, NULL)) {
		pthread_mutex_destroy(&host->service_lock);
		return -ENOMEM;
	}
	/* Decode and bus mastering on, as a driver of the physical function does. */
	if (host->hw->cfg_write)
		host->hw->cfg_write(host->hw_handle, 0x04, 2, 0x6);
	irq_enable(host);
	if (host->hw->set_irq_handler)
		host->hw->set_irq_handler(host->hw_handle, host_irq, host);
	return 0;
}

void vgt_sched_fini(struct vgt_host *host)
{
	vgt_host_stop_service(host);
	if (host->hw->set_irq_handler)
		host->hw->set_irq_handler(host->hw_handle, NULL, NULL);
	pthread_cond_destroy(&host->service_cond);
	pthread_mutex_destroy(&host->service_lock);
}

/* ---- Context switch -------------------------------------------------------- */

static void ctx_save(struct vgt_vgpu *v, unsigned e)
{
	const struct vgt_ctx_list *l = &vgt_hsw_ctx[e];

	/* What the guest wrote since is newer than what the engine holds. */
	if (v->ctx_dirty[e])
		return;
	vgt_trace_vgpu(v, VGT_TRC_CTX_SAVE, 1, e, 0, 0, 0);

	for (unsigned i = 0; i < l->count; i++) {
		uint32_t val = mmio_read(v->host, l->regs[i].offset);

		if (l->regs[i].offset == vgt_hsw_engines[e].hws_pga)
			continue;       /* the guest's own value stays authoritative */
		vgt_vreg_set(v, l->regs[i].offset, l->regs[i].masked ? val & 0xFFFFu : val);
	}
}

static void ctx_restore(struct vgt_vgpu *v, unsigned e, uint32_t hwsp)
{
	const struct vgt_ctx_list *l = &vgt_hsw_ctx[e];

	v->ctx_dirty[e] = false;
	vgt_trace_vgpu(v, VGT_TRC_CTX_RESTORE, 1, e, 0, 0, 0);

	for (unsigned i = 0; i < l->count; i++) {
		uint32_t off = l->regs[i].offset, val = vgt_vreg(v, off);

		if (off == vgt_hsw_engines[e].hws_pga)
			val = hwsp;     /* as checked when the workload was taken */
		else if (l->regs[i].masked)
			val = 0xFFFF0000u | (val & 0xFFFFu);
		mmio_write(v->host, off, val);
	}
}

/* ---- Dispatch ----------------------------------------------------------------- */

static void ring_put(struct vgt_host *host, unsigned e, const uint32_t *dw, uint32_t n)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	uint32_t bytes = n * 4u, first = PHYS_RING_SIZE - pe->tail;

	if (first > bytes)
		first = bytes;
	host->hw->dma_write(host->hw_handle, pe->ring_maddr + pe->tail, dw, first);
	if (bytes > first)
		host->hw->dma_write(host->hw_handle, pe->ring_maddr, (const uint8_t *)dw + first,
				    bytes - first);
	pe->tail = (pe->tail + bytes) % PHYS_RING_SIZE;
}

/*
 * Puts one workload on the physical ring.  Returns false when it cannot go
 * now (the engine must drain first: a context switch, a status-page move,
 * or a workload that needs the whole batch pool or much of the ring).
 */
static bool dispatch_one(struct vgt_host *host, unsigned e, struct vgt_vgpu *v)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	struct vgt_workload *w = v->queue[e];
	uint32_t crumb[BREADCRUMB_DW], start[5], n = 0, ns = 0, pool_off = 0;
	uint64_t now;
	bool big = w->batch_dw * 4u > SLOT_SIZE || w->ring_dw * 4u > PHYS_RING_SIZE / 4u;

	if (pe->inflight && (pe->owner != v || pe->hwsp != w->hwsp || big || v->ctx_dirty[e] ||
			     pe->inflight_bytes + w->ring_dw * 4u + 256u > PHYS_RING_SIZE / 2u))
		return false;
	v->queue[e] = w->next;
	w->next = NULL;
	pe->queued--;
	now = host->hw->now_ns(host->hw_handle);
	if (now > w->queued_ns && now - w->queued_ns > host->max_sched_delay_ns)
		host->max_sched_delay_ns = now - w->queued_ns;

	if (pe->owner != v) {
		vgt_trace_vgpu(v, VGT_TRC_SCHED_IN, 1, e, 0, 0, 0);
		if (pe->owner)
			ctx_save(pe->owner, e);
		ctx_restore(v, e, w->hwsp);
		pe->switches++;
		pe->owner = v;
		pe->hwsp = w->hwsp;
		pe->slice_start_ns = host->now_ns;
	} else {
		if (v->ctx_dirty[e])
			ctx_restore(v, e, w->hwsp);     /* its own new values, engine drained */
		if (host->now_ns - pe->slice_start_ns >= host->slice_ns)
			pe->slice_start_ns = host->now_ns;  /* won again after its slice */
	}
	if (pe->hwsp != w->hwsp) {
		/* Same context; the guest moved its status page since. */
		mmio_write(host, vgt_hsw_engines[e].hws_pga, w->hwsp);
		pe->hwsp = w->hwsp;
	}

	/* Shadow batches go to the pool, a slot per workload in flight. */
	w->seqno = ++pe->next_seqno;
	if (!big)
		pool_off = (uint32_t)(w->seqno % MAX_INFLIGHT) * SLOT_SIZE;
	for (unsigned i = 0; i < w->nrelocs; i++) {
		uint32_t *dst = w->relocs[i].in_ring ? w->ring : w->batch;

		dst[w->relocs[i].pos] = pe->batch_gm + pool_off + w->relocs[i].target;
	}
	if (w->batch_dw)
		host->hw->dma_write(host->hw_handle, pe->batch_maddr + pool_off, w->batch,
				    w->batch_dw * 4u);

	/* Timestamps around the guest's commands measure its engine time. */
	if (e == VGT_RCS) {
		start[ns++] = HSW_GFX_OP_PIPE_CONTROL(5);
		start[ns++] = HSW_PIPE_CONTROL_GLOBAL_GTT | HSW_PIPE_CONTROL_WRITE_TIMESTAMP;
		start[ns++] = pe->seqno_gm + TS_START_OFF(w->seqno);
		start[ns++] = 0;
		start[ns++] = 0;
	} else {
		start[ns++] = HSW_MI_INSTR(HSW_MI_FLUSH_DW_OP, 2) | (3u << HSW_MI_FLUSH_DW_OP_SHIFT);
		start[ns++] = (pe->seqno_gm + TS_START_OFF(w->seqno)) | HSW_MI_FLUSH_DW_USE_GTT;
		start[ns++] = 0;
		start[ns++] = 0;
	}
	/* Breadcrumb: the completion time, the sequence number, an interrupt. */
	if (e == VGT_RCS) {
		crumb[n++] = HSW_GFX_OP_PIPE_CONTROL(5);
		crumb[n++] = HSW_PIPE_CONTROL_CS_STALL | HSW_PIPE_CONTROL_GLOBAL_GTT |
			     HSW_PIPE_CONTROL_WRITE_TIMESTAMP;
		crumb[n++] = pe->seqno_gm + TS_OFF(w->seqno);
		crumb[n++] = 0;
		crumb[n++] = 0;
		crumb[n++] = HSW_GFX_OP_PIPE_CONTROL(4);
		crumb[n++] = HSW_PIPE_CONTROL_CS_STALL | HSW_PIPE_CONTROL_GLOBAL_GTT |
			     HSW_PIPE_CONTROL_WRITE_IMM;
		crumb[n++] = pe->seqno_gm;
		crumb[n++] = (uint32_t)w->seqno;
	} else {
		crumb[n++] = HSW_MI_INSTR(HSW_MI_FLUSH_DW_OP, 2) | (3u << HSW_MI_FLUSH_DW_OP_SHIFT);
		crumb[n++] = (pe->seqno_gm + TS_OFF(w->seqno)) | HSW_MI_FLUSH_DW_USE_GTT;
		crumb[n++] = 0;
		crumb[n++] = 0;
		crumb[n++] = HSW_MI_FLUSH_DW | HSW_MI_FLUSH_DW_OP_STOREDW;
		crumb[n++] = pe->seqno_gm | HSW_MI_FLUSH_DW_USE_GTT;
		crumb[n++] = (uint32_t)w->seqno;
	}
	crumb[n++] = HSW_MI_USER_INTERRUPT;
	if ((ns + w->ring_dw + n) & 1u)
		crumb[n++] = HSW_MI_NOOP;       /* TAIL moves in qwords */
	ring_put(host, e, start, ns);
	ring_put(host, e, w->ring, w->ring_dw);
	ring_put(host, e, crumb, n);
	w->phys_bytes = (ns + w->ring_dw + n) * 4u;
	w->start_ns = host->hw->now_ns(host->hw_handle);
	if (pe->running_tail)
		pe->running_tail->next = w;
	else
		pe->running = w;
	pe->running_tail = w;
	pe->inflight++;
	pe->inflight_bytes += w->phys_bytes;
	pe->exclusive = big;
	return true;
}

static void dispatch(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	bool sent = false;

	while (pe->queued && pe->inflight < MAX_INFLIGHT && !pe->exclusive) {
		struct vgt_vgpu *v = vgt_policy_pick(host, e);

		if (!v || !dispatch_one(host, e, v))
			break;
		sent = true;
	}
	if (sent)
		mmio_write(host, HSW_RING_TAIL(vgt_hsw_engines[e].base), pe->tail);
}

void vgt_sched_queue(struct vgt_vgpu *v, struct vgt_workload *w)
{
	struct vgt_workload **p = &v->queue[w->engine];
	struct vgt_phys_engine *pe = &v->host->eng[w->engine];

	w->queued_ns = v->host->hw->now_ns(v->host->hw_handle);

	/* Back from idle (nothing queued, nothing running): no banked credit. */
	if (!*p && !(pe->inflight && pe->owner == v))
		vgt_policy_wake(v->host, v, w->engine);
	while (*p)
		p = &(*p)->next;
	*p = w;
	v->outstanding_dw[w->engine] += (uint64_t)w->ring_dw + w->batch_dw;
	v->outstanding[w->engine]++;
	v->host->eng[w->engine].queued++;
	dispatch(v->host, w->engine);
}

/* ---- Completion, hangs, resets -------------------------------------------------- */

/* Engine time belongs to the vGPU whose workload held the engine. */
static void charge(struct vgt_phys_engine *pe, struct vgt_vgpu *v, unsigned e, uint64_t ns)
{
	pe->busy_ns += ns;
	vgt_policy_charge(v, e, ns);
	v->stats.engine_ns[e] += ns;
	vgt_trace_vgpu(v, VGT_TRC_SCHED_OUT, 3, e, (uint32_t)ns, (uint32_t)(ns >> 32), 0);
}

/* Returns a finished or dropped workload's share of its vGPU's caps. */
static void retire(struct vgt_vgpu *v, unsigned e, struct vgt_workload *w)
{
	v->outstanding_dw[e] -= (uint64_t)w->ring_dw + w->batch_dw;
	v->outstanding[e]--;
	vgt_workload_free(w);
}

/*
 * A fault the engine latched while a vGPU's work ran is that vGPU's: its
 * own RING_FAULT_REG shows it, when the page lies in its own graphics
 * memory (its addresses are the host's: the GGTT is partitioned).  A fault
 * anywhere else (the mediator's ring, shadow batches, status pages) is the
 * host's: logged, never shown to a guest.  Only the owner's work runs
 * between two polls that see work in flight, so the owner is the culprit.
 */
static void collect_fault(struct vgt_host *host, unsigned e)
{
	const struct vgt_engine_desc *d = &vgt_hsw_engines[e];
	struct vgt_vgpu *v = host->eng[e].owner;
	uint32_t fault = mmio_read(host, d->fault_reg);

	if (!(fault & HSW_FAULT_VALID))
		return;
	fault_clear(host, e, fault);
	if (v && vgt_gm_owned(v, fault & HSW_FAULT_PAGE_MASK, VGT_PAGE_SIZE)) {
		/* Its first fault stays until it clears VALID, as the engine's does. */
		if (!(vgt_vreg(v, d->fault_reg) & HSW_FAULT_VALID))
			vgt_vreg_set(v, d->fault_reg, fault);
		return;
	}
	vgt_log(host, VGT_LOG_WARN, "%s: GPU fault at 0x%08x outside %s memory", d->name,
		fault & HSW_FAULT_PAGE_MASK, v ? "the running vGPU's" : "any vGPU's");
}

/* Retires the oldest workload in flight. */
static void complete(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	struct vgt_workload *w = pe->running;
	struct vgt_vgpu *v = w->vgpu;
	uint32_t base = vgt_hsw_engines[e].base;
	uint64_t ts[2] = { 0, 0 }, ns;

	pe->running = w->next;
	if (pe->running)
		pe->running->start_ns = host->now_ns;  /* its hang clock starts now */
	else
		pe->running_tail = NULL;
	pe->inflight--;
	pe->inflight_bytes -= w->phys_bytes;
	pe->exclusive = false;
	/* Engine time from the device's own timestamps around the workload. */
	host->hw->dma_read(host->hw_handle, pe->seqno_maddr + TS_OFF(w->seqno), ts, sizeof(ts));
	ns = ts[0] > ts[1] ? (ts[0] - ts[1]) * TS_NS : 0;
	charge(pe, v, e, ns);
	if (w->last)
		v->stats.workloads_completed++;
	/* The guest's ring has advanced past this submission (or piece). */
	vgt_vreg_set(v, HSW_RING_HEAD(base), (vgt_vreg(v, HSW_RING_HEAD(base)) & ~HSW_HEAD_ADDR) |
		     w->guest_tail);
	vgt_vreg_set(v, HSW_RING_ACTHD(base), (vgt_vreg(v, HSW_RING_START(base)) & HSW_START_ADDR) +
		     w->guest_tail);
	vgt_trace_vgpu(v, VGT_TRC_COMPLETE, 2, e, w->guest_tail, 0, 0);
	if (w->user_irqs)
		vgt_virq_engine(v, e, vgt_hsw_engines[e].user_irq);
	if (w->notify_irqs)
		vgt_virq_engine(v, e, w->notify_irqs);
	retire(v, e, w);
	/* Room again: what the queue cap held back is taken now. */
	vgt_ring_resubmit(v, e);
}

static void drop_queue(struct vgt_vgpu *v, unsigned e)
{
	while (v->queue[e]) {
		struct vgt_workload *w = v->queue[e];

		v->queue[e] = w->next;
		v->host->eng[e].queued--;
		retire(v, e, w);
	}
}

void vgt_sched_drop_queued(struct vgt_vgpu *v)
{
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		drop_queue(v, e);
}

/* Resets the physical engine and drops what ran on it. */
static void phys_reset(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	const uint32_t w[2] = { pe->running ? pe->running->vgpu->domid : 0xFFFFFFFFu, e };

	vgt_trace_emit(host, VGT_TRC_ENGINE_RESET, w, 2);
	mmio_write(host, HSW_GDRST, vgt_hsw_engines[e].gdrst_bit);
	ring_start(host, e);
	while (pe->running) {
		struct vgt_workload *w = pe->running;

		pe->running = w->next;
		retire(w->vgpu, e, w);
	}
	pe->running_tail = NULL;
	pe->inflight = 0;
	pe->inflight_bytes = 0;
	pe->exclusive = false;
	pe->owner = NULL;               /* the context is gone with the reset */
	pe->hwsp = 0;
	pe->resets++;
}

static void hang(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	struct vgt_vgpu *v = pe->running->vgpu;
	uint64_t ns = host->now_ns - pe->running->start_ns;

	/* The time it held the engine is its own, like any workload's. */
	charge(pe, v, e, ns);

	vgt_guest_error(v, VGT_GERR_HANG, "%s workload did not finish in %llu ms; engine reset",
			vgt_hsw_engines[e].name, (unsigned long long)(host->hang_ns / 1000000));
	phys_reset(host, e);
	drop_queue(v, e);
}

void vgt_sched_engine_reset(struct vgt_vgpu *v, unsigned e)
{
	struct vgt_host *host = v->host;
	const struct vgt_engine_desc *d = &vgt_hsw_engines[e];

	drop_queue(v, e);
	if (host->eng[e].inflight && host->eng[e].owner == v)
		phys_reset(host, e);
	/* Its reset context is loaded afresh next time, not saved over. */
	if (host->eng[e].owner == v)
		host->eng[e].owner = NULL;
	for (size_t i = 0; i < host->nmmio; i++) {
		const struct vgt_mmio_desc *r = &host->mmio[i];

		if ((r->offset & ~0xFFFu) == d->base || r->offset == d->hws_pga || r->offset == d->fault_reg)
			vgt_vreg_set(v, r->offset, r->reset);
	}
	v->scan_head[e] = 0;
}

void vgt_sched_vgpu_gone(struct vgt_vgpu *v)
{
	struct vgt_host *host = v->host;

	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		drop_queue(v, e);
		if (host->eng[e].inflight && host->eng[e].owner == v)
			phys_reset(host, e);
		if (host->eng[e].owner == v)
			host->eng[e].owner = NULL;
	}
}

void vgt_sched_poll(struct vgt_host *host)
{
	host->now_ns = host->hw->now_ns(host->hw_handle);
	irq_ack(host);
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		struct vgt_phys_engine *pe = &host->eng[e];
		uint32_t seqno = 0;

		if (!pe->running)
			continue;
		host->hw->dma_read(host->hw_handle, pe->seqno_maddr, &seqno, sizeof(seqno));
		/* After the sequence number: a fault of work it says is done is visible by now. */
		collect_fault(host, e);
		while (pe->running && (int32_t)(seqno - (uint32_t)pe->running->seqno) >= 0)
			complete(host, e);
		if (pe->running && host->now_ns - pe->running->start_ns > host->hang_ns)
			hang(host, e);
	}
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		dispatch(host, e);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (host->vgpu[i])
			vgt_virq_vblank(host->vgpu[i], host->now_ns);
}

int vgt_host_poll(struct vgt_host *host)
{
	pthread_mutex_lock(&host->lock);
	vgt_sched_poll(host);
	pthread_mutex_unlock(&host->lock);
	return 0;
}

static void *service_main(void *arg)
{
	struct vgt_host *host = arg;

	pthread_mutex_lock(&host->service_lock);
	while (!host->service_stop) {
		struct timespec ts;

		if (!host->irq_pending) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&host->service_cond, &host->service_lock, &ts);
		}
		host->irq_pending = false;
		pthread_mutex_unlock(&host->service_lock);
		vgt_host_poll(host);
		pthread_mutex_lock(&host->service_lock);
	}
	pthread_mutex_unlock(&host->service_lock);
	return NULL;
}

int vgt_host_start_service(struct vgt_host *host)
{
	int ret = 0;

	pthread_mutex_lock(&host->service_lock);
	if (host->service_running) {
		ret = -EBUSY;
	} else {
		host->service_stop = false;
		ret = -pthread_create(&host->service, NULL, service_main, host);
		host->service_running = !ret;
	}
	pthread_mutex_unlock(&host->service_lock);
	return ret;
}

void vgt_host_stop_service(struct vgt_host *host)
{
	pthread_mutex_lock(&host->service_lock);
	if (!host->service_running) {
		pthread_mutex_unlock(&host->service_lock);
		return;
	}
	host->service_stop = true;
	pthread_cond_signal(&host->service_cond);
	pthread_mutex_unlock(&host->service_lock);
	pthread_join(host->service, NULL);
	pthread_mutex_lock(&host->service_lock);
	host->service_running = false;
	pthread_mutex_unlock(&host->service_lock);
}

int64_t vgt_host_run(struct vgt_host *host, uint64_t budget)
{
	int64_t n = 0;

	/* Work is dispatched as it is submitted; the device runs without the
	 * host lock, so traps of other domains go on meanwhile. */
	if (host->hw->run)
		n = host->hw->run(host->hw_handle, budget);
	vgt_host_poll(host);
	return n;
}

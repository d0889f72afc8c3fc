/* SPDX-License-Identifier: MIT */
/*
 * Scheduling policy: weighted fair share of each engine.
 *
 * Every vGPU has, per engine, a virtual time that grows by the engine time
 * its workloads used divided by its weight.  The engine goes to the vGPU
 * with work and the smallest virtual time; the current holder keeps it for
 * the rest of its time slice (1 ms by default) while it has work, which
 * keeps context switches rare.  Picking has no side effects: the mechanism
 * starts a slice when it actually hands the engine over.  A vGPU that becomes busy (new, or back
 * from idle) starts at the smallest virtual time of the others, so it can
 * neither starve them nor bank credit while idle.
 */
#include "private.h"

#define WEIGHT_SCALE 64u

static bool min_vtime(struct vgt_host *host, unsigned e, const struct vgt_vgpu *skip,
		      bool busy_only, uint64_t *out)
{
	bool found = false;

	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++) {
		const struct vgt_vgpu *v = host->vgpu[i];

		if (!v || v == skip || (busy_only && !v->queue[e] &&
					!(host->eng[e].inflight && host->eng[e].owner == v)))
			continue;
		if (!found || v->vtime[e] < *out)
			*out = v->vtime[e];
		found = true;
	}
	return found;
}

struct vgt_vgpu *vgt_policy_pick(struct vgt_host *host, unsigned e)
{
	struct vgt_phys_engine *pe = &host->eng[e];
	struct vgt_vgpu *cur = pe->owner, *best = NULL;

	if (cur && cur->queue[e] && !cur->failsafe &&
	    host->now_ns - pe->slice_start_ns < host->slice_ns)
		return cur;
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++) {
		struct vgt_vgpu *v = host->vgpu[i];

		if (v && v->queue[e] && !v->failsafe && (!best || v->vtime[e] < best->vtime[e]))
			best = v;
	}
	return best;
}

void vgt_policy_charge(struct vgt_vgpu *v, unsigned e, uint64_t ns)
{
	v->vtime[e] += ns * WEIGHT_SCALE / v->weight;
}

void vgt_policy_wake(struct vgt_host *host, struct vgt_vgpu *v, unsigned e)
{
	uint64_t floor;

	if (min_vtime(host, e, v, true, &floor) && v->vtime[e] < floor)
		v->vtime[e] = floor;
}

void vgt_policy_admit(struct vgt_host *host, struct vgt_vgpu *v)
{
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		uint64_t floor;

		v->vtime[e] = min_vtime(host, e, v, false, &floor) ? floor : 0;
	}
}

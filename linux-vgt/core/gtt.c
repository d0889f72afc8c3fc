/* SPDX-License-Identifier: MIT */
/*
 * GGTT shadowing.  The guest writes PTEs into the GTT half of BAR0; each
 * write is trapped.  An entry is accepted only inside the vGPU's own
 * graphics-memory slices; its guest frame is translated to a machine frame
 * through the transport and the host entry written.  Reads return the
 * guest's own view.  Anything else is a guest error and the host GTT stays
 * as it was.  A host entry nobody maps points at a scratch page, as i915
 * does, never at machine page 0: a vGPU's own (its invalid entries and its
 * fresh slices), or the host's (freed slices, the mediator's unused
 * memory), which no guest can reach.
 */
#include "private.h"

bool vgt_gm_owned(const struct vgt_vgpu *v, uint64_t gm, uint64_t len)
{
	const struct vgt_range *r[2] = { &v->low, &v->high };

	for (unsigned i = 0; i < 2; i++)
		if (len <= r[i]->size && gm >= r[i]->base && gm - r[i]->base <= r[i]->size - len)
			return true;
	return false;
}

/*
 * Checks one guest entry and computes its host entry; a refusal is a guest
 * error and writes nothing.
 */
static bool check_entry(struct vgt_vgpu *v, uint32_t idx, uint32_t pte, uint32_t *host_pte)
{
	uint64_t gm = (uint64_t)idx << 12, mfn;

	*host_pte = v->scratch_pte;
	if (!vgt_gm_owned(v, gm, VGT_PAGE_SIZE)) {
		vgt_guest_error(v, VGT_GERR_GTT_RANGE,
				"GTT entry %u (graphics address 0x%llx) is outside its slices", idx,
				(unsigned long long)gm);
		return false;
	}
	if (pte & HSW_PTE_VALID) {
		uint64_t gfn = HSW_PTE_DECODE(pte) >> 12;

		/* HSW PTEs hold physical bits 38:12; a higher frame would alias. */
		if (v->ops->gfn_to_mfn(v->opaque, gfn, &mfn) || mfn >= (1ull << 27)) {
			vgt_guest_error(v, VGT_GERR_GTT_FRAME,
					"GTT entry %u points at guest frame 0x%llx, not its own", idx,
					(unsigned long long)gfn);
			return false;
		}
		*host_pte = HSW_PTE_ENCODE(mfn << 12) | (pte & HSW_PTE_CACHE_MASK) | HSW_PTE_VALID;
	}
	return true;
}

static void write_entry(struct vgt_vgpu *v, uint32_t idx, uint32_t pte, uint32_t host_pte)
{
	struct vgt_host *host = v->host;

	host->hw->gtt_write(host->hw_handle, idx, host_pte);
	v->vgtt[idx] = pte;
	v->stats.gtt_writes++;
	vgt_guest_dbg(v, VGT_DBG_GTT, "vgpu%u: GTT[%u] = 0x%08x -> host 0x%08x", v->id, idx, pte,
		      host_pte);
}

void vgt_gtt_read(struct vgt_vgpu *v, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t idx = off >> 2;

	if (size == 8)
		*val = v->vgtt[idx] | ((uint64_t)v->vgtt[idx + 1] << 32);
	else if (size == 4)
		*val = v->vgtt[idx];
	else
		*val = (v->vgtt[idx] >> (8 * (off & 3u))) & ((1u << (8 * size)) - 1);
}

void vgt_gtt_write(struct vgt_vgpu *v, uint32_t off, unsigned size, uint64_t val)
{
	/* A PTE is written whole: narrower writes would expose a torn entry. */
	if (size != 4 && size != 8) {
		vgt_guest_error(v, VGT_GERR_ACCESS, "%u-byte write into the GTT at 0x%x", size, off);
		return;
	}
	{
		uint32_t idx = off >> 2, host[2];
		unsigned n = size / 4u;
		bool ok = true;

		/* Both entries of an 8-byte write are checked before either is written. */
		for (unsigned i = 0; i < n; i++)
			ok &= check_entry(v, idx + i, (uint32_t)(val >> (32 * i)), &host[i]);
		if (!ok || v->failsafe)
			return;
		for (unsigned i = 0; i < n; i++)
			write_entry(v, idx + i, (uint32_t)(val >> (32 * i)), host[i]);
	}
}

void vgt_gtt_fill(struct vgt_host *host, const struct vgt_range *r, uint32_t pte)
{
	for (uint64_t gm = r->base; gm < r->base + r->size; gm += VGT_PAGE_SIZE)
		host->hw->gtt_write(host->hw_handle, (uint32_t)(gm >> 12), pte);
}

/*
 * On destroy: every host entry of the vGPU's slices goes back to the
 * scratch page, whatever the guest wrote, so nothing of its memory stays
 * reachable by the next owner of the slices.
 */
void vgt_gtt_release(struct vgt_vgpu *v)
{
	vgt_gtt_fill(v->host, &v->low, v->host->scratch_pte);
	vgt_gtt_fill(v->host, &v->high, v->host->scratch_pte);
}

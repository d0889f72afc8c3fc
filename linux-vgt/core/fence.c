/* SPDX-License-Identifier: MIT */
/*
 * Fence partitioning: a guest's fence i is host fence host_fence[i], and
 * the range it fences must lie inside the vGPU's own graphics memory.  The
 * host fence is programmed in i915's order (LO off, HI, LO) so that a half
 * written fence never takes effect.
 */
#include "private.h"

static void program_host(struct vgt_vgpu *v, uint32_t h, uint32_t lo, uint32_t hi)
{
	const struct vgt_hw_ops *hw = v->host->hw;
	void *hh = v->host->hw_handle;

	hw->mmio_write(hh, HSW_FENCE_LO(h), 4, 0);
	hw->mmio_write(hh, HSW_FENCE_HI(h), 4, hi);
	hw->mmio_write(hh, HSW_FENCE_LO(h), 4, lo);
}

void vgt_fence_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	uint32_t i = (off - HSW_FENCE_LO(0)) / 8u, lo, hi;
	uint64_t start, end;

	(void)old;
	if (i >= v->nfences) {
		vgt_guest_error(v, VGT_GERR_FENCE, "fence %u written; it has %u", i, v->nfences);
		return;
	}
	lo = (off & 4u) ? vgt_vreg(v, HSW_FENCE_LO(i)) : val;
	hi = (off & 4u) ? val : vgt_vreg(v, HSW_FENCE_HI(i));
	if (lo & HSW_FENCE_VALID) {
		uint64_t pitch = ((uint64_t)(hi & HSW_FENCE_PITCH_MASK) + 1u) * 128u;
		uint64_t tile_w = (lo & HSW_FENCE_TILING_Y) ? HSW_YTILE_WIDTH : HSW_XTILE_WIDTH;
		uint64_t tile_h = (lo & HSW_FENCE_TILING_Y) ? HSW_YTILE_HEIGHT : HSW_XTILE_HEIGHT;

		start = lo & HSW_PTE_ADDR_MASK;
		end = (uint64_t)(hi & HSW_PTE_ADDR_MASK) + VGT_PAGE_SIZE;
		/*
		 * Detiling maps an aperture offset anywhere in its tile row: the
		 * range must be whole tile rows of a pitch the hardware takes,
		 * or accesses near its end would land past it.
		 */
		if (pitch % tile_w || pitch > HSW_FENCE_MAX_PITCH || end <= start ||
		    (end - start) % (pitch * tile_h)) {
			vgt_guest_error(v, VGT_GERR_FENCE, "fence %u: [0x%llx, 0x%llx) is not whole tile rows "
					"of a %llu-byte pitch", i, (unsigned long long)start,
					(unsigned long long)end, (unsigned long long)pitch);
			return;
		}
		if (!vgt_gm_owned(v, start, end - start)) {
			/* Refused: neither the virtual nor the host fence changes. */
			vgt_guest_error(v, VGT_GERR_FENCE, "fence %u over [0x%llx, 0x%llx) outside its memory",
					i, (unsigned long long)start, (unsigned long long)end);
			return;
		}
	}
	vgt_vreg_set(v, off, val);
	if (v->failsafe)
		return;
	/* Only a checked range reaches the host; a disabled fence is all zero there. */
	if (lo & HSW_FENCE_VALID)
		program_host(v, v->host_fence[i], lo, hi);
	else
		program_host(v, v->host_fence[i], 0, 0);
	vgt_guest_dbg(v, VGT_DBG_FENCE, "vgpu%u: fence %u -> host %u lo 0x%08x hi 0x%08x", v->id, i,
		      v->host_fence[i], lo, hi);
}

void vgt_fence_release(struct vgt_vgpu *v)
{
	for (uint32_t i = 0; i < v->nfences; i++)
		program_host(v, v->host_fence[i], 0, 0);
}

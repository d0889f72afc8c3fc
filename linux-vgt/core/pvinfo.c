/* SPDX-License-Identifier: MIT */
/*
 * PVINFO: the page at MMIO 0x78000 through which an unmodified upstream
 * i915 guest detects a vGPU and learns which graphics memory and fences are
 * its own (layout of Linux's i915_pvinfo.h).  The first half describes the
 * vGPU and is read-only; the guest may write only the display-ready flag,
 * g2v notifications, the cursor hot spot, the PPGTT roots and the execlist
 * descriptor.
 */
#include "private.h"

#define PV(off)              (HSW_PVINFO_PAGE + (off))
#define PV_MAGIC_LO          0x76544776u   /* "vGTvGTvG" as a little-endian u64 */
#define PV_MAGIC_HI          0x47765447u
#define PV_VERSION           PV(0x008)
#define PV_VGT_ID            PV(0x00C)
#define PV_CAPS              PV(0x010)
#define PV_MAPPABLE_BASE     PV(0x040)
#define PV_MAPPABLE_SIZE     PV(0x044)
#define PV_NONMAPPABLE_BASE  PV(0x048)
#define PV_NONMAPPABLE_SIZE  PV(0x04C)
#define PV_FENCE_NUM         PV(0x050)
#define PV_DISPLAY_READY     PV(0x804)
#define PV_G2V_NOTIFY        PV(0x818)
#define PV_CURSOR_X_HOT      PV(0x830)
#define PV_CURSOR_Y_HOT      PV(0x834)
#define PV_PDP_FIRST         PV(0x838)
#define PV_EXECLIST_DESC_HI  PV(0x85C)

void vgt_pvinfo_init(struct vgt_vgpu *v)
{
	for (uint32_t off = 0; off < HSW_PVINFO_SIZE; off += 4)
		vgt_vreg_set(v, PV(off), 0);
	vgt_vreg_set(v, PV(0x000), PV_MAGIC_LO);
	vgt_vreg_set(v, PV(0x004), PV_MAGIC_HI);
	vgt_vreg_set(v, PV_VERSION, 1);         /* major 1, minor 0 */
	vgt_vreg_set(v, PV_VGT_ID, v->id);
	/* No full PPGTT, HWSP emulation or huge GTT yet. */
	vgt_vreg_set(v, PV_CAPS, 0);
	vgt_vreg_set(v, PV_MAPPABLE_BASE, (uint32_t)v->low.base);
	vgt_vreg_set(v, PV_MAPPABLE_SIZE, (uint32_t)v->low.size);
	vgt_vreg_set(v, PV_NONMAPPABLE_BASE, (uint32_t)v->high.base);
	vgt_vreg_set(v, PV_NONMAPPABLE_SIZE, (uint32_t)v->high.size);
	vgt_vreg_set(v, PV_FENCE_NUM, v->nfences);
}

static bool guest_writable(uint32_t off)
{
	return off == PV_DISPLAY_READY || off == PV_G2V_NOTIFY || off == PV_CURSOR_X_HOT ||
	       off == PV_CURSOR_Y_HOT || (off >= PV_PDP_FIRST && off <= PV_EXECLIST_DESC_HI);
}

void vgt_pvinfo_write(struct vgt_vgpu *v, uint32_t off, uint32_t old, uint32_t val)
{
	if (!guest_writable(off)) {
		vgt_guest_error(v, VGT_GERR_PVINFO, "write 0x%08x to read-only PVINFO offset 0x%03x",
				val, off - HSW_PVINFO_PAGE);
		vgt_vreg_set(v, off, old);
		return;
	}
	if (off == PV_DISPLAY_READY && val > 1) {
		vgt_guest_error(v, VGT_GERR_PVINFO, "display_ready set to %u", val);
		return;
	}
	vgt_vreg_set(v, off, val);
}

/* SPDX-License-Identifier: MIT */
/*
 * The aperture (BAR2).  A vGPU's own slice of low graphics memory is its
 * direct window: the transport maps it straight onto the host aperture, so
 * those accesses normally never trap.  A trapped access inside the window
 * (a transport that does not map it) is carried out on the host aperture;
 * one outside it is a guest error.
 */
#include "private.h"

void vgt_aperture_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val,
			 bool write)
{
	struct vgt_host *host = v->host;

	if (off < v->low.base || off - v->low.base >= v->low.size || size > v->low.base + v->low.size - off) {
		vgt_guest_error(v, VGT_GERR_APERTURE, "aperture %s of %u bytes at 0x%llx, outside its window",
				write ? "write" : "read", size, (unsigned long long)off);
		if (!write)
			*val = ~0ull;
		return;
	}
	if (write) {
		if (!v->failsafe)
			host->hw->aperture_write(host->hw_handle, off, val, size);
	} else {
		*val = 0;
		host->hw->aperture_read(host->hw_handle, off, val, size);
	}
}

void vgt_vgpu_aperture_window(struct vgt_vgpu *v, struct vgt_aperture_window *w)
{
	/* Ballooning: guest graphics addresses are host graphics addresses. */
	w->guest_off = v->low.base;
	w->host_off = v->low.base;
	w->size = v->low.size;
}

/* SPDX-License-Identifier: MIT */
/*
 * Display ownership.  One vGPU at a time may be the foreground owner: its
 * virtual pipes and primary planes are programmed into the physical ones
 * (ballooning makes its graphics addresses host addresses), so the screen
 * shows that domain.  A plane is carried over only when the plane decoder
 * would show it, that is, when its whole surface is the owner's own
 * memory; otherwise the physical plane is turned off.  A physical DSPSURF
 * write arms the update, so a switch takes effect at the next vblank.
 */
#include <errno.h>

#include "private.h"

static void program_pipe(struct vgt_host *host, struct vgt_vgpu *v, unsigned p)
{
	const struct vgt_hw_ops *hw = host->hw;
	void *hh = host->hw_handle;
	struct vgt_error err;
	/* The plane decoder's checks are the rule for what may be shown. */
	bool show = v && !vgt_display_check(v, p, &err);

	if (!show) {
		hw->mmio_write(hh, HSW_DSPCNTR(p), 4, 0);
		hw->mmio_write(hh, HSW_DSPSURF(p), 4, 0);
		hw->mmio_write(hh, HSW_PIPECONF(p), 4, 0);
		return;
	}
	hw->mmio_write(hh, HSW_HTOTAL(p), 4, vgt_vreg(v, HSW_HTOTAL(p)));
	hw->mmio_write(hh, HSW_VTOTAL(p), 4, vgt_vreg(v, HSW_VTOTAL(p)));
	hw->mmio_write(hh, HSW_PIPESRC(p), 4, vgt_vreg(v, HSW_PIPESRC(p)));
	hw->mmio_write(hh, HSW_PIPECONF(p), 4, HSW_PIPECONF_ENABLE);
	hw->mmio_write(hh, HSW_DSPSTRIDE(p), 4, vgt_vreg(v, HSW_DSPSTRIDE(p)));
	hw->mmio_write(hh, HSW_DSPOFFSET(p), 4, vgt_vreg(v, HSW_DSPOFFSET(p)));
	hw->mmio_write(hh, HSW_DSPCNTR(p), 4, vgt_vreg(v, HSW_DSPCNTR(p)));
	hw->mmio_write(hh, HSW_DSPSURF(p), 4, vgt_vreg(v, HSW_DSPSURFLIVE(p)) & HSW_DSPSURF_MASK);
}

/* Brings the physical pipes up to date with the owner's; host lock held. */
void vgt_foreground_sync(struct vgt_host *host)
{
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++)
		program_pipe(host, host->foreground, p);
}

int vgt_host_set_foreground(struct vgt_host *host, struct vgt_vgpu *vgpu)
{
	pthread_mutex_lock(&host->lock);
	host->foreground = vgpu;
	vgt_foreground_sync(host);
	pthread_mutex_unlock(&host->lock);
	return 0;
}

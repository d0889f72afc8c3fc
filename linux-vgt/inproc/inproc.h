/* SPDX-License-Identifier: MIT */
/*
 * The in-process transport: a guest domain that lives inside the calling
 * process, for tests, the demo and the benchmarks.  Its RAM is a range of
 * gensim's machine memory; its vGPU is served by libvgt exactly as a Xen
 * domain's is, and the reference driver runs on it through a
 * refdrv_platform that turns the driver's accesses into the transport
 * calls a trapped access would become (the aperture window goes straight
 * to the host aperture, as the direct mapping does on Xen).
 */
#ifndef VGT_INPROC_H
#define VGT_INPROC_H

#include <pthread.h>

#include "gensim.h"
#include "refdrv.h"
#include "vgt/vgt.h"

struct vgt_inproc_guest {
	struct vgt_vgpu *vgpu;
	struct vgt_host *host;
	struct gensim *gs;
	uint32_t domid;
	uint64_t ram_maddr;          /* machine address of guest-physical 0 */
	uint64_t ram_size;
	struct refdrv_platform plat;

	/*
	 * false: the guest's waits step the mediator and gensim themselves;
	 * true: gensim runs on its worker and the host's service thread polls,
	 * so a waiting guest sleeps until its next interrupt (or briefly).
	 */
	bool async;

	pthread_mutex_t lock;        /* guards what the transport callbacks change */
	pthread_cond_t irq;
	uint64_t msis;
	uint64_t bar_addr[6];
	bool bar_enabled[6];
	struct vgt_aperture_window window;
};

/*
 * Creates domain @domid's vGPU (@params: type or sizes; ops/opaque are
 * filled in here) with @ram_size bytes of RAM at machine address
 * @ram_maddr.  @err says why on failure.
 */
int vgt_inproc_guest_init(struct vgt_inproc_guest *g, struct vgt_host *host, struct gensim *gs,
			  uint64_t ram_maddr, uint64_t ram_size,
			  const struct vgt_vgpu_params *params, struct vgt_error *err);
void vgt_inproc_guest_fini(struct vgt_inproc_guest *g);

/*
 * What the guest's CPU does without trapping (writes to its own RAM, and
 * to the aperture through its direct window) and what moves the device
 * (commands run, the clock advanced).  Each is recorded when the host
 * traces, so that a trace replays on its own; a replay does them again.
 */
int vgt_inproc_ram_write(struct vgt_inproc_guest *g, uint64_t gpa, const void *buf, size_t len);
int vgt_inproc_aperture_write(struct vgt_inproc_guest *g, uint64_t off, const void *buf,
			      size_t len);
int64_t vgt_inproc_step(struct vgt_host *host, struct gensim *gs, uint64_t budget);
void vgt_inproc_advance(struct vgt_host *host, struct gensim *gs, uint64_t ns);

#endif /* VGT_INPROC_H */

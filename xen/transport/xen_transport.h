/* SPDX-License-Identifier: MIT */
/*
 * The Xen transport: serves an HVM or PVH domain's vGPU through an ioreq
 * server, with Xen's own device-model libraries (libxendevicemodel,
 * libxenforeignmemory, libxenevtchn, libxenctrl, libxenstore).
 *
 * Per attached domain: an ioreq server claims the vGPU's PCI function and,
 * as the guest places and enables them, its BARs; one thread answers the
 * domain's synchronous and buffered requests; guest memory is reached
 * through a mapping cache; MSIs are injected with a DMOP; the vGPU's
 * aperture slice is mapped straight into the guest when the backend has a
 * real aperture.  The process-wide handle watches @releaseDomain so that
 * a dying domain's vGPU is released.
 */
#ifndef VGT_XEN_TRANSPORT_H
#define VGT_XEN_TRANSPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "vgt/vgt.h"
#include "ioreq.h"

struct vgt_xen;
struct vgt_xen_domain;

/*
 * Machine addresses the transport hands a software backend for guest
 * frames: domain slot s's frame f is VGT_XEN_DMA_BASE + s * VGT_XEN_DMA_SLOT
 * + f * 4096 (see vgt_xen_dma_access).  Within a Haswell PTE's 39 bits.
 */
#define VGT_XEN_DMA_BASE   (1ull << 38)
#define VGT_XEN_DMA_SLOT   (1ull << 33)      /* 8 GiB of guest RAM per domain */
#define VGT_XEN_DMA_SLOTS  32u

struct vgt_xen_attach {
	uint32_t domid;
	uint32_t sbdf;                /* where the guest sees the vGPU (default 00:02.0) */
	/*
	 * Host-physical address of the backend's aperture (BAR2), or 0 when it
	 * has none (gensim): then every aperture access is trapped instead.
	 */
	uint64_t aperture_maddr;
	/* Guest frames as machine addresses: true for a software backend (see above). */
	bool dma_slots;
};

struct vgt_xen_domain_stats {
	struct vgt_ioreq_stats ioreq;
	uint64_t notifications, msis, msi_errors;
	uint64_t gmem_maps, gmem_hits, gmem_faults, gmem_invalidations;
	unsigned vcpus;
	uint32_t ioservid;
	bool resource_mapped;         /* pages by map_resource (false: legacy gfns) */
	unsigned orphans_reclaimed;   /* servers of a dead device model destroyed at attach */
	uint64_t claims_refused;      /* BAR placements Xen refused to route (logged 8 times) */
};

/* Opens the process-wide handles; -errno with @err saying what is missing. */
int vgt_xen_open(struct vgt_xen **out, struct vgt_error *err);
void vgt_xen_close(struct vgt_xen *x);

/*
 * Creates the domain's vGPU on @host (@vp: type or sizes; ops are the
 * transport's) and starts serving it.  The domain should be paused.
 */
int vgt_xen_attach(struct vgt_xen *x, struct vgt_host *host, const struct vgt_xen_attach *a,
		   const struct vgt_vgpu_params *vp, struct vgt_xen_domain **out,
		   struct vgt_error *err);
/* Stops serving, destroys the ioreq server and the vGPU, unmaps everything. */
void vgt_xen_detach(struct vgt_xen_domain *d);
struct vgt_vgpu *vgt_xen_domain_vgpu(struct vgt_xen_domain *d);
void vgt_xen_domain_stats(struct vgt_xen_domain *d, struct vgt_xen_domain_stats *s);

/* The xenstore watch descriptor: readable when a domain may have died. */
int vgt_xen_watch_fd(struct vgt_xen *x);
/*
 * Consumes pending watch events; fills @domids with attached domains that
 * no longer run (dying or gone).  Returns how many, or -EPIPE when the
 * connection to xenstored is lost (the descriptor stays readable).
 */
int vgt_xen_dead_domains(struct vgt_xen *x, uint32_t *domids, unsigned max);
/* Whether Xen no longer lists @domid as a live domain (a failed query: false). */
bool vgt_xen_domain_gone(struct vgt_xen *x, uint32_t domid);

/*
 * DMA for a software backend into a guest frame given by a slot address
 * (see VGT_XEN_DMA_BASE), at most one page.  Matches gensim_ext_mem_fn.
 */
int vgt_xen_dma_access(void *xen, uint64_t maddr, void *buf, size_t len, bool write);

#endif /* VGT_XEN_TRANSPORT_H */

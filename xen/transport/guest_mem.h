/* SPDX-License-Identifier: MIT */
/*
 * A domain's RAM as the mediator sees it: guest frames mapped on demand
 * into a small direct-mapped cache.  The mapping itself comes from a
 * backend (xenforeignmemory on Xen, plain memory in tests), so the cache
 * is tested without a hypervisor.
 *
 * Correctness when the guest's memory changes: Xen tells device models to
 * drop their mappings (IOREQ_TYPE_INVALIDATE) whenever the guest gives
 * memory back, and vgt_gmem_invalidate() does so; a frame that can no
 * longer be mapped (ballooned out, domain dying) is a -EFAULT for the one
 * access, never a stale page.
 */
#ifndef VGT_XEN_GUEST_MEM_H
#define VGT_XEN_GUEST_MEM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define VGT_GMEM_PAGE     4096u
#define VGT_GMEM_SLOTS    256u

struct vgt_gmem_backend {
	/* Maps guest frame @gfn read-write; NULL (errno set) if it cannot. */
	void *(*map)(void *opaque, uint64_t gfn);
	void (*unmap)(void *opaque, void *va);
};

struct vgt_gmem_slot {
	uint64_t gfn;
	void *va;                  /* NULL: empty */
};

struct vgt_gmem {
	const struct vgt_gmem_backend *be;
	void *opaque;
	uint64_t max_gfn;          /* frames at or above are refused outright */
	pthread_mutex_t lock;
	struct vgt_gmem_slot slot[VGT_GMEM_SLOTS];
	uint64_t maps, hits, faults, invalidations;
};

int vgt_gmem_init(struct vgt_gmem *m, const struct vgt_gmem_backend *be, void *opaque,
		  uint64_t max_gfn);
void vgt_gmem_fini(struct vgt_gmem *m);
/* Drops every cached mapping. */
void vgt_gmem_invalidate(struct vgt_gmem *m);
int vgt_gmem_read(struct vgt_gmem *m, uint64_t gpa, void *buf, size_t len);
int vgt_gmem_write(struct vgt_gmem *m, uint64_t gpa, const void *buf, size_t len);
/* Copies at most @len bytes of frame @gfn at @off into / from @buf under the cache lock. */
int vgt_gmem_access(struct vgt_gmem *m, uint64_t gpa, void *buf, size_t len, int write);

#endif /* VGT_XEN_GUEST_MEM_H */

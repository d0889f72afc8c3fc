/* SPDX-License-Identifier: MIT */
/* The guest-memory mapping cache (see guest_mem.h). */
#include <errno.h>
#include <string.h>

#include "guest_mem.h"

int vgt_gmem_init(struct vgt_gmem *m, const struct vgt_gmem_backend *be, void *opaque,
		  uint64_t max_gfn)
{
	memset(m, 0, sizeof(*m));
	m->be = be;
	m->opaque = opaque;
	m->max_gfn = max_gfn;
	return -pthread_mutex_init(&m->lock, NULL);
}

static void drop_all(struct vgt_gmem *m)
{
	for (unsigned i = 0; i < VGT_GMEM_SLOTS; i++) {
		if (m->slot[i].va)
			m->be->unmap(m->opaque, m->slot[i].va);
		m->slot[i].va = NULL;
	}
}

void vgt_gmem_fini(struct vgt_gmem *m)
{
	drop_all(m);
	pthread_mutex_destroy(&m->lock);
}

void vgt_gmem_invalidate(struct vgt_gmem *m)
{
	pthread_mutex_lock(&m->lock);
	drop_all(m);
	m->invalidations++;
	pthread_mutex_unlock(&m->lock);
}

/* The frame's mapping, from the cache or fresh; called with the lock held. */
static void *frame(struct vgt_gmem *m, uint64_t gfn)
{
	struct vgt_gmem_slot *s = &m->slot[gfn % VGT_GMEM_SLOTS];
	void *va;

	if (s->va && s->gfn == gfn) {
		m->hits++;
		return s->va;
	}
	if (gfn >= m->max_gfn)
		return NULL;
	va = m->be->map(m->opaque, gfn);
	if (!va)
		return NULL;
	if (s->va)
		m->be->unmap(m->opaque, s->va);
	s->gfn = gfn;
	s->va = va;
	m->maps++;
	return va;
}

static int copy(struct vgt_gmem *m, uint64_t gpa, void *buf, size_t len, int write)
{
	uint8_t *p = buf;
	int ret = 0;

	if (gpa + len < gpa)
		return -EFAULT;
	pthread_mutex_lock(&m->lock);
	while (len) {
		size_t off = gpa & (VGT_GMEM_PAGE - 1);
		size_t chunk = VGT_GMEM_PAGE - off < len ? VGT_GMEM_PAGE - off : len;
		uint8_t *va = frame(m, gpa / VGT_GMEM_PAGE);

		if (!va) {
			m->faults++;
			ret = -EFAULT;
			break;
		}
		if (write)
			memcpy(va + off, p, chunk);
		else
			memcpy(p, va + off, chunk);
		p += chunk;
		gpa += chunk;
		len -= chunk;
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

int vgt_gmem_read(struct vgt_gmem *m, uint64_t gpa, void *buf, size_t len)
{
	return copy(m, gpa, buf, len, 0);
}

int vgt_gmem_write(struct vgt_gmem *m, uint64_t gpa, const void *buf, size_t len)
{
	return copy(m, gpa, (void *)buf, len, 1);
}

int vgt_gmem_access(struct vgt_gmem *m, uint64_t gpa, void *buf, size_t len, int write)
{
	return copy(m, gpa, buf, len, write);
}

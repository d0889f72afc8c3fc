/* SPDX-License-Identifier: MIT */
/*
 * Partitioning of graphics memory and fences.  Each vGPU owns one
 * contiguous slice of low (aperture) and one of high (hidden) graphics
 * memory; the mediator's own slice sits at the bottom of each.  Slices are
 * placed first-fit, in 1 MiB units.  The caller holds the host lock.
 */
#include <errno.h>
#include <string.h>

#include "private.h"

#define MAX_TAKEN (VGT_MAX_VGPUS + 1)

static bool inside(const struct vgt_range *space, const struct vgt_range *r)
{
	return r->size && r->base >= space->base && r->base + r->size <= space->base + space->size;
}

/* The occupied parts of @space, sorted by base. */
static unsigned taken_in(const struct vgt_host *host, const struct vgt_range *space,
			 struct vgt_range *out)
{
	unsigned n = 0;

	if (inside(space, &host->host_low))
		out[n++] = host->host_low;
	if (inside(space, &host->host_high))
		out[n++] = host->host_high;
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++) {
		const struct vgt_vgpu *v = host->vgpu[i];

		if (!v)
			continue;
		if (inside(space, &v->low))
			out[n++] = v->low;
		if (inside(space, &v->high))
			out[n++] = v->high;
	}
	VGT_BUG_ON(n > MAX_TAKEN);
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && out[j - 1].base > out[j].base; j--) {
			struct vgt_range t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/*
 * Walks the free gaps of @space in address order, calling @fn for each;
 * stops when @fn returns true.
 */
typedef bool gap_fn(void *ctx, uint64_t base, uint64_t size);

static void for_each_gap(const struct vgt_host *host, const struct vgt_range *space,
			 gap_fn *fn, void *ctx)
{
	struct vgt_range taken[MAX_TAKEN];
	unsigned n = taken_in(host, space, taken);
	uint64_t cur = space->base, end = space->base + space->size;

	for (unsigned i = 0; i <= n; i++) {
		uint64_t next = i < n ? taken[i].base : end;

		VGT_BUG_ON(next < cur);         /* slices never overlap */
		if (next > cur && fn(ctx, cur, next - cur))
			return;
		if (i < n)
			cur = taken[i].base + taken[i].size;
	}
}

struct fit_ctx {
	uint64_t size;
	uint64_t count;
	struct vgt_range found;
	bool ok;
	uint64_t free, largest;
};

static bool first_fit(void *ctx, uint64_t base, uint64_t size)
{
	struct fit_ctx *c = ctx;

	if (size < c->size)
		return false;
	c->found = (struct vgt_range){ base, c->size };
	c->ok = true;
	return true;
}

int vgt_part_alloc(struct vgt_host *host, const struct vgt_range *space, uint64_t size,
		   struct vgt_range *out)
{
	struct fit_ctx c = { .size = size };

	if (!size || size % (1u << 20))
		return -EINVAL;
	for_each_gap(host, space, first_fit, &c);
	if (!c.ok)
		return -ENOSPC;
	*out = c.found;
	return 0;
}

static bool count_fit(void *ctx, uint64_t base, uint64_t size)
{
	struct fit_ctx *c = ctx;

	(void)base;
	c->count += size / c->size;
	return false;
}

uint64_t vgt_part_count_fit(struct vgt_host *host, const struct vgt_range *space, uint64_t size)
{
	struct fit_ctx c = { .size = size };

	if (!size)
		return 0;
	for_each_gap(host, space, count_fit, &c);
	return c.count;
}

static bool sum_free(void *ctx, uint64_t base, uint64_t size)
{
	struct fit_ctx *c = ctx;

	(void)base;
	c->free += size;
	if (size > c->largest)
		c->largest = size;
	return false;
}

uint64_t vgt_part_free_bytes(struct vgt_host *host, const struct vgt_range *space,
			     uint64_t *largest)
{
	struct fit_ctx c = { 0 };

	for_each_gap(host, space, sum_free, &c);
	if (largest)
		*largest = c.largest;
	return c.free;
}

uint32_t vgt_fences_free(const struct vgt_host *host)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < host->hwinfo.fences; i++)
		n += host->fence_owner[i] == VGT_FENCE_FREE;
	return n;
}

int vgt_fences_alloc(struct vgt_host *host, uint32_t owner, uint32_t n, uint32_t *idx)
{
	uint32_t got = 0;

	if (vgt_fences_free(host) < n)
		return -ENOSPC;
	for (uint32_t i = 0; i < host->hwinfo.fences && got < n; i++) {
		if (host->fence_owner[i] != VGT_FENCE_FREE)
			continue;
		host->fence_owner[i] = owner;
		idx[got++] = i;
	}
	return 0;
}

void vgt_fences_release(struct vgt_host *host, uint32_t owner)
{
	for (uint32_t i = 0; i < VGT_MAX_FENCES; i++)
		if (host->fence_owner[i] == owner)
			host->fence_owner[i] = VGT_FENCE_FREE;
}

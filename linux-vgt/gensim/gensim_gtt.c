/* SPDX-License-Identifier: MIT */
/*
 * gensim's GGTT: PTE access through BAR0, translation of every GPU memory
 * access, and CPU access through the aperture with fence detiling.
 *
 * A GPU access through a PTE without the valid bit, beyond the 2 GiB GGTT,
 * or to an address outside machine memory faults: the engine's
 * RING_FAULT_REG latches the faulting page (see gensim_gm_fault), a read
 * returns zeros, a write is dropped, and the fault is counted.  A command
 * fetch that faults halts the engine (see gensim_cs.c).
 */
#include <errno.h>
#include <string.h>

#include "gensim_private.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "gensim stores little-endian device memory in host order");

/*
 * The Gen7 layout (hsw_regs.h): the page of the 32-bit graphics address
 * that faulted, GTT select set (every access gensim models goes through
 * the GGTT), source ID and fault type 0 (Linux names no Gen7 values for
 * either) and VALID.  Gen7 has no read/write bit here: bit 17 is address.
 * The first fault stays until software clears VALID, so a later one does
 * not overwrite what the driver has not read yet; later ones are counted.
 */
void gensim_gm_fault(struct gensim *gs, struct gensim_engine *eng, uint64_t gm)
{
	gs->stats.gtt_faults++;
	if (eng && !(gensim_reg_get(gs, eng->desc->fault_reg) & HSW_FAULT_VALID))
		gensim_reg_set(gs, eng->desc->fault_reg,
			       ((uint32_t)gm & HSW_FAULT_PAGE_MASK) | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID);
}

int gensim_gm_access(struct gensim *gs, struct gensim_engine *eng, uint64_t gm,
		     void *buf, size_t len, enum gensim_access dir)
{
	uint8_t *p = buf;
	int ret = 0;

	while (len) {
		uint32_t off = (uint32_t)(gm & (GENSIM_PAGE_SIZE - 1));
		size_t chunk = GENSIM_PAGE_SIZE - off;
		uint64_t pa;
		uint32_t pte;

		if (chunk > len)
			chunk = len;
		if (gm >= HSW_GM_SIZE) {
			gensim_gm_fault(gs, eng, gm);
			goto fault;
		}
		pte = gs->gtt[gm >> 12];
		if (!(pte & HSW_PTE_VALID)) {
			gensim_gm_fault(gs, eng, gm);
			goto fault;
		}
		pa = HSW_PTE_DECODE(pte) + off;
		if (pa >= gs->mem_size && gs->ext_mem) {
			if (gs->ext_mem(gs->ext_mem_opaque, pa, p, chunk, dir != GENSIM_READ)) {
				gs->stats.gtt_bad_address++;
				gensim_gm_fault(gs, eng, gm);
				goto fault;
			}
			goto next;
		}
		if (pa >= gs->mem_size || chunk > gs->mem_size - pa) {
			gs->stats.gtt_bad_address++;
			gensim_gm_fault(gs, eng, gm);
			goto fault;
		}
		if (dir == GENSIM_READ)
			memcpy(p, gs->mem + pa, chunk);
		else
			memcpy(gs->mem + pa, p, chunk);
		goto next;
fault:
		ret = -EFAULT;
		if (dir == GENSIM_READ)
			memset(p, 0, chunk);
next:
		p += chunk;
		gm += chunk;
		len -= chunk;
	}
	return ret;
}

int gensim_gtt_mmio_read(struct gensim *gs, uint32_t off, unsigned size, uint64_t *val)
{
	uint64_t v = 0;

	memcpy(&v, (const uint8_t *)gs->gtt + off, size);
	*val = v;
	return 0;
}

int gensim_gtt_mmio_write(struct gensim *gs, uint32_t off, unsigned size, uint64_t val)
{
	memcpy((uint8_t *)gs->gtt + off, &val, size);
	return 0;
}

/* ---- Aperture -------------------------------------------------------------- */

struct fence_view {
	uint64_t start, end;    /* [start, end) in graphics memory */
	uint32_t pitch;         /* bytes */
	bool ytiled;
};

static bool fence_for(const struct gensim *gs, uint64_t gm, struct fence_view *f)
{
	for (unsigned i = 0; i < HSW_NUM_FENCES; i++) {
		uint32_t lo = gensim_reg_get(gs, HSW_FENCE_LO(i));
		uint32_t hi = gensim_reg_get(gs, HSW_FENCE_HI(i));

		if (!(lo & HSW_FENCE_VALID))
			continue;
		f->start = lo & HSW_PTE_ADDR_MASK;
		f->end = (uint64_t)(hi & HSW_PTE_ADDR_MASK) + GENSIM_PAGE_SIZE;
		if (gm < f->start || gm >= f->end)
			continue;
		f->pitch = ((hi & HSW_FENCE_PITCH_MASK) + 1u) * 128u;
		f->ytiled = lo & HSW_FENCE_TILING_Y;
		return true;
	}
	return false;
}

/*
 * Maps a linear offset inside a fenced surface to its tiled location and
 * says how many bytes stay contiguous from there.  No bit-6 swizzling: the
 * modelled memory configuration does not use it.
 */
static uint64_t detile(const struct fence_view *f, uint64_t gm, size_t *contig)
{
	uint64_t rel = gm - f->start;
	uint32_t tile_w = f->ytiled ? HSW_YTILE_WIDTH : HSW_XTILE_WIDTH;
	uint32_t tile_h = f->ytiled ? HSW_YTILE_HEIGHT : HSW_XTILE_HEIGHT;
	uint64_t y = rel / f->pitch, x = rel % f->pitch;
	uint64_t tiles_per_row = f->pitch / tile_w;
	uint64_t tile = (y / tile_h) * tiles_per_row + x / tile_w;
	uint64_t tx = x % tile_w, ty = y % tile_h, in_tile;

	if (f->ytiled) {
		/* Y tiles are columns of 16-byte OWords, 32 rows tall. */
		in_tile = (tx / 16u) * (16u * HSW_YTILE_HEIGHT) + ty * 16u + tx % 16u;
		*contig = 16u - tx % 16u;
	} else {
		in_tile = ty * HSW_XTILE_WIDTH + tx;
		*contig = tile_w - tx;
	}
	return f->start + tile * HSW_TILE_SIZE + in_tile;
}

int gensim_aperture_access(struct gensim *gs, uint64_t off, void *buf, size_t len,
			   enum gensim_access dir)
{
	uint8_t *p = buf;
	int ret = 0;

	if (off > gs->cfg.aperture_size || len > gs->cfg.aperture_size - off)
		return -EFAULT;
	while (len) {
		struct fence_view f;
		uint64_t gm = off;
		size_t chunk = len;

		/* Fences whose pitch does not hold whole tiles do not detile. */
		if (fence_for(gs, off, &f) && f.pitch % (f.ytiled ? HSW_YTILE_WIDTH : HSW_XTILE_WIDTH) == 0) {
			size_t contig;

			gm = detile(&f, off, &contig);
			if (chunk > contig)
				chunk = contig;
			if (chunk > f.end - off)
				chunk = f.end - off;
			/* A fence that is not whole tile rows must not reach past its end. */
			if (gm + chunk > f.end) {
				gs->stats.gtt_faults++;
				if (dir == GENSIM_READ)
					memset(p, 0, chunk);
				ret = -EFAULT;
				goto next;
			}
		} else if (chunk > GENSIM_PAGE_SIZE - (off & (GENSIM_PAGE_SIZE - 1))) {
			chunk = GENSIM_PAGE_SIZE - (off & (GENSIM_PAGE_SIZE - 1));
		}
		if (gensim_gm_access(gs, NULL, gm, p, chunk, dir))
			ret = -EFAULT;
next:
		p += chunk;
		off += chunk;
		len -= chunk;
	}
	return ret;
}

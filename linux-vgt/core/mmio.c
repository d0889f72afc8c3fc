/* SPDX-License-Identifier: MIT */
/*
 * MMIO virtualization: every trapped register access of a vGPU goes
 * through the generation's register table.  A listed register follows its
 * entry (reset value, read-only and write-1-to-clear masks, masked-write
 * semantics, hooks); an unlisted one is a plain virtual register that
 * reads back what was written, noted on the debug channel.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define UNLISTED_NOTES 8u      /* per vGPU, so a chatty driver does not flood the log */

int vgt_mmio_index_build(struct vgt_host *host)
{
	host->mmio = vgt_mmio_hsw;
	host->nmmio = vgt_mmio_hsw_count;
	host->mmio_index = calloc(VGT_MMIO_DWORDS, sizeof(*host->mmio_index));
	if (!host->mmio_index)
		return -ENOMEM;
	VGT_BUG_ON(host->nmmio >= UINT16_MAX);
	for (size_t i = 0; i < host->nmmio; i++) {
		const struct vgt_mmio_desc *d = &host->mmio[i];

		if (!(d->gens & VGT_GEN_HSW))
			continue;
		/* The table is the documentation: it must be self-consistent. */
		VGT_BUG_ON((d->offset & 3u) || (d->size & 3u) || !d->size);
		VGT_BUG_ON(d->offset + d->size > HSW_MMIO_SIZE);
		VGT_BUG_ON(d->ro_mask & d->w1c_mask);
		for (uint32_t off = d->offset; off < d->offset + d->size; off += 4) {
			VGT_BUG_ON(host->mmio_index[off >> 2]);
			host->mmio_index[off >> 2] = (uint16_t)(i + 1);
		}
	}
	return 0;
}

const struct vgt_mmio_desc *vgt_mmio_lookup(const struct vgt_host *host, uint32_t off)
{
	uint16_t i;

	if (off >= HSW_MMIO_SIZE)
		return NULL;
	i = host->mmio_index[off >> 2];
	return i ? &host->mmio[i - 1] : NULL;
}

const char *vgt_reg_name(uint32_t off)
{
	/* A linear search: for listings, not for the trap path. */
	for (size_t i = 0; i < vgt_mmio_hsw_count; i++) {
		const struct vgt_mmio_desc *d = &vgt_mmio_hsw[i];

		if (off >= d->offset && off - d->offset < d->size)
			return d->name;
	}
	return NULL;
}

void vgt_mmio_reset(struct vgt_vgpu *v)
{
	const struct vgt_host *host = v->host;

	memset(v->vreg, 0, VGT_MMIO_DWORDS * sizeof(*v->vreg));
	for (size_t i = 0; i < host->nmmio; i++) {
		const struct vgt_mmio_desc *d = &host->mmio[i];

		if (!(d->gens & VGT_GEN_HSW))
			continue;
		for (uint32_t off = d->offset; off < d->offset + d->size; off += 4)
			vgt_vreg_set(v, off, d->reset);
	}
}

/* A context register changed: load it before the vGPU's next workload. */
void vgt_ctx_mark_dirty(struct vgt_vgpu *v, uint32_t off)
{
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		if ((off & ~0xFFFu) == vgt_hsw_engines[e].base || off == vgt_hsw_engines[e].hws_pga)
			v->ctx_dirty[e] = true;
}

uint32_t vgt_mmio_masked_merge(uint32_t old, uint32_t val, uint32_t ro_mask)
{
	uint32_t en = (val >> 16) & ~ro_mask & 0xFFFFu;

	return (old & ~en) | (val & en);
}

static void note_unlisted(struct vgt_vgpu *v, uint32_t off, bool write)
{
	v->stats.unlisted_regs++;
	if (v->logged_unlisted < UNLISTED_NOTES) {
		v->logged_unlisted++;
		vgt_guest_dbg(v, VGT_DBG_MMIO, "vgpu%u: %s of unlisted register 0x%05x (virtual)",
			      v->id, write ? "write" : "read", off);
	}
}

static uint32_t read_dword(struct vgt_vgpu *v, uint32_t off)
{
	const struct vgt_mmio_desc *d = vgt_mmio_lookup(v->host, off);
	uint64_t hw = 0;

	if (!d) {
		note_unlisted(v, off, false);
		return vgt_vreg(v, off);
	}
	if (d->flags & VGT_REG_HW_READ) {
		v->host->hw->mmio_read(v->host->hw_handle, off, 4, &hw);
		return (uint32_t)hw;
	}
	return d->read ? d->read(v, off) : vgt_vreg(v, off);
}

/* @bytes marks which bytes the access carried. */
static void write_dword(struct vgt_vgpu *v, uint32_t off, uint32_t val, uint32_t bytes)
{
	const struct vgt_mmio_desc *d = vgt_mmio_lookup(v->host, off);
	uint32_t old = vgt_vreg(v, off), new;

	if (!d) {
		note_unlisted(v, off, true);
		vgt_vreg_set(v, off, (old & ~bytes) | (val & bytes));
		return;
	}
	val &= bytes;
	if (d->flags & VGT_REG_MASKED) {
		new = vgt_mmio_masked_merge(old, val, d->ro_mask);
	} else {
		uint32_t wm = ~d->ro_mask & ~d->w1c_mask & bytes;

		new = ((old & ~wm) | (val & wm)) & ~(val & d->w1c_mask);
	}
	if (d->write)
		d->write(v, off, old, new);
	else
		vgt_vreg_set(v, off, new);
	if (d->flags & VGT_REG_CTX)
		vgt_ctx_mark_dirty(v, off);
}

void vgt_mmio_read(struct vgt_vgpu *v, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t lo = read_dword(v, off & ~3u), hi = 0;

	if (size == 8)
		hi = read_dword(v, off + 4);
	else if (size < 4)
		lo = (lo >> (8 * (off & 3u))) & ((1u << (8 * size)) - 1);
	*val = lo | ((uint64_t)hi << 32);
}

void vgt_mmio_write(struct vgt_vgpu *v, uint32_t off, unsigned size, uint64_t val)
{
	uint32_t shift = 8 * (off & 3u);

	if (size == 8) {
		write_dword(v, off, (uint32_t)val, ~0u);
		write_dword(v, off + 4, (uint32_t)(val >> 32), ~0u);
		return;
	}
	write_dword(v, off & ~3u, (uint32_t)val << shift,
		    size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift);
}

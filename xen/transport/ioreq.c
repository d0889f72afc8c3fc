/* SPDX-License-Identifier: MIT */
/* The ioreq protocol (see ioreq.h): dispatch, the synchronous slot and the buffered ring. */
#include <string.h>

#include "ioreq.h"

#define PCI_CFG_SPACE 4096u

static void count(uint64_t *ctr, uint64_t n)
{
	__atomic_fetch_add(ctr, n, __ATOMIC_RELAXED);
}

static uint64_t ones(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

void vgt_ioreq_dev_init(struct vgt_ioreq_dev *d, struct vgt_vgpu *vgpu, uint32_t sbdf,
			const struct vgt_transport_ops *mem, void *mem_opaque)
{
	memset(d, 0, sizeof(*d));
	d->vgpu = vgpu;
	d->sbdf = sbdf;
	d->mem = mem;
	d->mem_opaque = mem_opaque;
}

void vgt_ioreq_set_bar(struct vgt_ioreq_dev *d, unsigned bar, uint64_t base, uint64_t size,
		       bool enabled)
{
	if (bar >= 6)
		return;
	d->bar[bar].base = base;
	d->bar[bar].size = size;
	d->bar[bar].enabled = enabled && size;
}

void vgt_ioreq_get_stats(const struct vgt_ioreq_dev *d, struct vgt_ioreq_stats *s)
{
	const uint64_t *src = (const uint64_t *)&d->stats;
	uint64_t *dst = (uint64_t *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* Is [addr, addr + size) inside an enabled BAR?  Sets its offset. */
static bool in_bar(const struct vgt_ioreq_bar *b, uint64_t addr, unsigned size, uint64_t *off)
{
	if (!b->enabled || addr < b->base || addr - b->base >= b->size ||
	    size > b->size - (addr - b->base))
		return false;
	*off = addr - b->base;
	return true;
}

/*
 * One access of @size bytes at device address @addr.  Returns false when
 * nothing claimed it (the caller counts and answers with all ones).
 */
static bool access_one(struct vgt_ioreq_dev *d, uint8_t type, uint64_t addr, unsigned size,
		       bool read, uint64_t *val)
{
	uint64_t off;
	uint32_t v32;

	switch (type) {
	case IOREQ_TYPE_PIO:
		if (size > 4 || !in_bar(&d->bar[4], addr, size, &off))
			return false;
		count(&d->stats.pio, 1);
		if (read) {
			v32 = (uint32_t)ones(size);
			vgt_vgpu_pio_read(d->vgpu, (uint32_t)off, size, &v32);
			*val = v32;
		} else {
			vgt_vgpu_pio_write(d->vgpu, (uint32_t)off, size, (uint32_t)*val);
		}
		return true;
	case IOREQ_TYPE_COPY:
		for (unsigned bar = 0; bar <= 2; bar += 2) {
			if (!in_bar(&d->bar[bar], addr, size, &off))
				continue;
			count(&d->stats.mmio, 1);
			if (read) {
				*val = ones(size);
				vgt_vgpu_mmio_read(d->vgpu, bar, off, size, val);
			} else {
				vgt_vgpu_mmio_write(d->vgpu, bar, off, size, *val);
			}
			return true;
		}
		return false;
	case IOREQ_TYPE_PCI_CONFIG:
		/* Xen puts the SBDF in the upper half and the register in the lower. */
		if ((uint32_t)(addr >> 32) != d->sbdf || size > 4 ||
		    (addr & 0xFFFFFFFFu) + size > PCI_CFG_SPACE)
			return false;
		count(&d->stats.cfg, 1);
		if (read) {
			v32 = (uint32_t)ones(size);
			vgt_vgpu_cfg_read(d->vgpu, (uint32_t)addr, size, &v32);
			*val = v32;
		} else {
			vgt_vgpu_cfg_write(d->vgpu, (uint32_t)addr, size, (uint32_t)*val);
		}
		return true;
	default:
		return false;
	}
}

static bool valid_size(uint32_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

void vgt_ioreq_dispatch(struct vgt_ioreq_dev *d, ioreq_t *req)
{
	unsigned size = req->size;
	bool read = req->dir == IOREQ_READ;
	uint64_t step, val;

	switch (req->type) {
	case IOREQ_TYPE_INVALIDATE:
		count(&d->stats.invalidate, 1);
		if (d->invalidate)
			d->invalidate(d->mem_opaque);
		return;
	case IOREQ_TYPE_TIMEOFFSET:
		count(&d->stats.timeoffset, 1);
		return;
	case IOREQ_TYPE_PIO:
	case IOREQ_TYPE_COPY:
	case IOREQ_TYPE_PCI_CONFIG:
		break;
	default:
		count(&d->stats.malformed, 1);
		if (read && !req->data_is_ptr)
			req->data = ~0ull;
		return;
	}
	if (!valid_size(size) || !req->count ||
	    (uint64_t)req->count * size > VGT_IOREQ_MAX_REP_BYTES) {
		count(&d->stats.malformed, 1);
		if (read && !req->data_is_ptr)
			req->data = valid_size(size) ? ones(size) : ~0ull;
		return;
	}

	if (!req->data_is_ptr) {
		/* A repeat without a buffer is the same access again (as a string op to one register). */
		for (uint32_t i = 0; i < req->count; i++) {
			uint64_t addr = req->type == IOREQ_TYPE_COPY ?
				req->addr + (req->df ? -(uint64_t)i * size : (uint64_t)i * size) : req->addr;

			val = read ? 0 : req->data & ones(size);
			if (!access_one(d, req->type, addr, size, read, &val)) {
				count(&d->stats.unclaimed, 1);
				val = ones(size);
			}
			if (read)
				req->data = val;
		}
		return;
	}

	/* data_is_ptr: req->data is the guest-physical buffer, walked down when df is set. */
	for (uint32_t i = 0; i < req->count; i++) {
		uint64_t gpa, addr = req->addr;

		step = (uint64_t)i * size;
		gpa = req->df ? req->data - step : req->data + step;
		if (req->type == IOREQ_TYPE_COPY)
			addr = req->df ? req->addr - step : req->addr + step;
		val = 0;
		if (!read) {
			if (!d->mem || d->mem->read_gpa(d->mem_opaque, gpa, &val, size)) {
				count(&d->stats.mem_faults, 1);
				return;
			}
		}
		if (!access_one(d, req->type, addr, size, read, &val)) {
			count(&d->stats.unclaimed, 1);
			val = ones(size);
		}
		if (read && (!d->mem || d->mem->write_gpa(d->mem_opaque, gpa, &val, size))) {
			count(&d->stats.mem_faults, 1);
			return;
		}
	}
}

bool vgt_ioreq_service_slot(struct vgt_ioreq_dev *d, ioreq_t *slot)
{
	volatile ioreq_t *vs = slot;
	ioreq_t req;

	if (vs->state != STATE_IOREQ_READY)
		return false;           /* spurious notification, or not ours yet */
	/* See READY before the request's contents. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	req = *slot;
	vs->state = STATE_IOREQ_INPROCESS;
	vgt_ioreq_dispatch(d, &req);
	if (req.dir == IOREQ_READ && !req.data_is_ptr)
		vs->data = req.data;
	/* The result before the state that publishes it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vs->state = STATE_IORESP_READY;
	return true;
}

unsigned vgt_ioreq_drain_buffered(struct vgt_ioreq_dev *d, buffered_iopage_t *pg)
{
	unsigned n = 0;

	for (;;) {
		uint32_t rp = __atomic_load_n(&pg->read_pointer, __ATOMIC_ACQUIRE);
		uint32_t wp = __atomic_load_n(&pg->write_pointer, __ATOMIC_ACQUIRE);
		buf_ioreq_t b;
		ioreq_t req;
		uint32_t used;

		if (rp == wp)
			break;
		if (wp - rp > IOREQ_BUFFER_SLOT_NUM) {
			/* Pointers no producer could have written: drop what is there. */
			count(&d->stats.malformed, 1);
			__atomic_store_n(&pg->read_pointer, wp, __ATOMIC_RELEASE);
			break;
		}
		b = pg->buf_ioreq[rp % IOREQ_BUFFER_SLOT_NUM];
		memset(&req, 0, sizeof(req));
		req.addr = b.addr;
		req.data = b.data;
		req.count = 1;
		req.size = 1u << b.size;
		req.dir = b.dir;
		req.type = b.type;
		used = 1;
		if (req.size == 8) {
			/* The upper half is in the next slot; Xen publishes both at once. */
			if (wp - rp < 2) {
				count(&d->stats.malformed, 1);
				__atomic_store_n(&pg->read_pointer, wp, __ATOMIC_RELEASE);
				break;
			}
			req.data |= (uint64_t)pg->buf_ioreq[(rp + 1) % IOREQ_BUFFER_SLOT_NUM].data << 32;
			used = 2;
		}
		if (req.dir != IOREQ_WRITE) {
			count(&d->stats.malformed, 1);   /* nobody waits for a buffered read */
		} else {
			count(&d->stats.buffered, 1);
			vgt_ioreq_dispatch(d, &req);
		}
		/* Xen may renormalise both pointers under us: add, do not store. */
		__atomic_fetch_add(&pg->read_pointer, used, __ATOMIC_RELEASE);
		n++;
	}
	return n;
}

/* SPDX-License-Identifier: MIT */
/*
 * The ioreq protocol: what a device model does with the requests Xen puts
 * in an ioreq server's shared pages.  Pure code over the layout of Xen's
 * public header (xen/hvm/ioreq.h), so that it is tested without a
 * hypervisor; xen_dm.c binds it to a real domain.
 *
 * A request is dispatched to the vGPU by what it addresses: port I/O in
 * BAR4, MMIO in BAR0 or BAR2, PCI config of the claimed function.
 * Requests that address nothing claimed, or are malformed (bad size, type,
 * direction or repeat count), get a defined answer (reads all ones, writes
 * dropped) and are counted; they never stop the server.
 */
#ifndef VGT_XEN_IOREQ_H
#define VGT_XEN_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#include "vgt/vgt.h"

/* A repeated request moves at most this many bytes (Xen stays within a page). */
#define VGT_IOREQ_MAX_REP_BYTES (64u * 1024u)

/* The PCI address Xen puts in a config request: segment, bus, device, function. */
static inline uint32_t vgt_ioreq_sbdf(unsigned seg, unsigned bus, unsigned dev, unsigned fn)
{
	return (uint32_t)(seg & 0xFFFF) << 16 | (bus & 0xFF) << 8 | (dev & 0x1F) << 3 | (fn & 7);
}

struct vgt_ioreq_stats {
	uint64_t mmio, pio, cfg;     /* dispatched accesses (each repeat counts) */
	uint64_t buffered;           /* of which came through the buffered ring */
	uint64_t invalidate, timeoffset;
	uint64_t malformed;          /* bad size, type, direction or count */
	uint64_t unclaimed;          /* address outside every claimed range */
	uint64_t mem_faults;         /* data_is_ptr buffer outside guest memory */
};

struct vgt_ioreq_bar {
	uint64_t base, size;
	bool enabled;
};

struct vgt_ioreq_dev {
	struct vgt_vgpu *vgpu;
	uint32_t sbdf;                    /* the claimed PCI function */
	struct vgt_ioreq_bar bar[6];      /* guest view: 0 and 2 MMIO, 4 I/O */
	/* Guest memory for data_is_ptr requests (read_gpa/write_gpa). */
	const struct vgt_transport_ops *mem;
	void *mem_opaque;
	/* IOREQ_TYPE_INVALIDATE: drop cached guest mappings.  May be NULL. */
	void (*invalidate)(void *opaque);
	struct vgt_ioreq_stats stats;     /* updated atomically; read with _get_stats */
};

void vgt_ioreq_dev_init(struct vgt_ioreq_dev *d, struct vgt_vgpu *vgpu, uint32_t sbdf,
			const struct vgt_transport_ops *mem, void *mem_opaque);
void vgt_ioreq_set_bar(struct vgt_ioreq_dev *d, unsigned bar, uint64_t base, uint64_t size,
		       bool enabled);
void vgt_ioreq_get_stats(const struct vgt_ioreq_dev *d, struct vgt_ioreq_stats *s);

/* Carries out one request; a read's result is left in req->data (or guest memory). */
void vgt_ioreq_dispatch(struct vgt_ioreq_dev *d, ioreq_t *req);

/*
 * Serves a vCPU's slot of the shared page if it holds a READY request:
 * READY -> INPROCESS, dispatch, result, IORESP_READY.  Returns true when a
 * response was posted and the vCPU's event channel must be notified.
 */
bool vgt_ioreq_service_slot(struct vgt_ioreq_dev *d, ioreq_t *slot);

/*
 * Consumes every request in the buffered ring (writes only; an 8-byte
 * write takes two slots).  Returns the number of requests consumed.
 */
unsigned vgt_ioreq_drain_buffered(struct vgt_ioreq_dev *d, buffered_iopage_t *pg);

#endif /* VGT_XEN_IOREQ_H */

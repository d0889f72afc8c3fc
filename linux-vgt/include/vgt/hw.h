/* SPDX-License-Identifier: MIT */
/*
 * The hardware-backend interface: what the mediator core needs from a
 * physical GPU.  gensim implements it in software (gensim_hw_ops); an
 * i915-backed implementation drives a real device.
 *
 * Every call returns 0 or a negative errno.  @hw is the backend's own
 * handle.  Offsets are BAR-relative; machine addresses are what host GTT
 * entries point at.
 */
#ifndef VGT_HW_H
#define VGT_HW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vgt_hw_info {
	uint16_t vendor, device;
	uint64_t memory_size;     /* machine memory reachable by DMA */
	uint64_t aperture_size;   /* BAR2 */
	uint32_t gtt_entries;     /* GGTT PTEs */
	uint32_t fences;
};

/* Called on a rising device interrupt; must not call back into the backend. */
typedef void vgt_hw_irq_fn(void *opaque);

struct vgt_hw_ops {
	const char *name;
	void (*info)(void *hw, struct vgt_hw_info *info);
	/* Physical registers in BAR0 (registers and GTT halves). */
	int (*mmio_read)(void *hw, uint32_t off, unsigned size, uint64_t *val);
	int (*mmio_write)(void *hw, uint32_t off, unsigned size, uint64_t val);
	/* Host GTT entries. */
	int (*gtt_read)(void *hw, uint32_t index, uint32_t *pte);
	int (*gtt_write)(void *hw, uint32_t index, uint32_t pte);
	/* PCI config space of the physical function. */
	int (*cfg_read)(void *hw, uint32_t off, unsigned size, uint32_t *val);
	int (*cfg_write)(void *hw, uint32_t off, unsigned size, uint32_t val);
	/* DMA into machine memory (shadow rings and batches, status pages). */
	int (*dma_read)(void *hw, uint64_t maddr, void *buf, size_t len);
	int (*dma_write)(void *hw, uint64_t maddr, const void *buf, size_t len);
	/* CPU access through the aperture (BAR2), fences applied. */
	int (*aperture_read)(void *hw, uint64_t off, void *buf, size_t len);
	int (*aperture_write)(void *hw, uint64_t off, const void *buf, size_t len);
	/* Completion and interrupt events. */
	void (*set_irq_handler)(void *hw, vgt_hw_irq_fn *fn, void *opaque);
	/* The device clock (ns): what scheduling and vblanks are timed by. */
	uint64_t (*now_ns)(void *hw);
	/*
	 * Lets the device make progress: a software device executes up to
	 * @budget commands; real hardware runs by itself and returns 0.
	 */
	int64_t (*run)(void *hw, uint64_t budget);
};

#endif /* VGT_HW_H */

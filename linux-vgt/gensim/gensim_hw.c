/* SPDX-License-Identifier: MIT */
/* gensim as a vgt hardware backend. */
#include "gensim_private.h"
#include "gensim_hw.h"

static void hw_info(void *hw, struct vgt_hw_info *info)
{
	struct gensim *gs = hw;

	info->vendor = HSW_PCI_VENDOR_INTEL;
	info->device = HSW_PCI_DEVICE_GT2;
	info->memory_size = gs->mem_size;
	info->aperture_size = gs->cfg.aperture_size;
	info->gtt_entries = HSW_GTT_ENTRIES;
	info->fences = HSW_NUM_FENCES;
}

static int hw_mmio_read(void *hw, uint32_t off, unsigned size, uint64_t *val)
{
	return gensim_mmio_read(hw, off, size, val);
}

static int hw_mmio_write(void *hw, uint32_t off, unsigned size, uint64_t val)
{
	return gensim_mmio_write(hw, off, size, val);
}

static int hw_gtt_read(void *hw, uint32_t index, uint32_t *pte)
{
	return gensim_gtt_read(hw, index, pte);
}

static int hw_gtt_write(void *hw, uint32_t index, uint32_t pte)
{
	return gensim_gtt_write(hw, index, pte);
}

static int hw_cfg_read(void *hw, uint32_t off, unsigned size, uint32_t *val)
{
	return gensim_cfg_read(hw, off, size, val);
}

static int hw_cfg_write(void *hw, uint32_t off, unsigned size, uint32_t val)
{
	return gensim_cfg_write(hw, off, size, val);
}

static int hw_dma_read(void *hw, uint64_t maddr, void *buf, size_t len)
{
	return gensim_mem_read(hw, maddr, buf, len);
}

static int hw_dma_write(void *hw, uint64_t maddr, const void *buf, size_t len)
{
	return gensim_mem_write(hw, maddr, buf, len);
}

static int hw_aperture_read(void *hw, uint64_t off, void *buf, size_t len)
{
	return gensim_aperture_read(hw, off, buf, len);
}

static int hw_aperture_write(void *hw, uint64_t off, const void *buf, size_t len)
{
	return gensim_aperture_write(hw, off, buf, len);
}

static void forward_irq(void *opaque, bool msi, uint64_t addr, uint32_t data)
{
	struct gensim *gs = opaque;

	(void)msi; (void)addr; (void)data;
	if (gs->hw_irq)
		gs->hw_irq(gs->hw_irq_opaque);
}

static void hw_set_irq_handler(void *hw, vgt_hw_irq_fn *fn, void *opaque)
{
	struct gensim *gs = hw;

	pthread_mutex_lock(&gs->lock);
	gs->hw_irq = fn;
	gs->hw_irq_opaque = opaque;
	gs->cfg.irq = fn ? forward_irq : NULL;
	gs->cfg.irq_opaque = gs;
	pthread_mutex_unlock(&gs->lock);
}

static uint64_t hw_now_ns(void *hw)
{
	return gensim_now_ns(hw);
}

static int64_t hw_run(void *hw, uint64_t budget)
{
	return gensim_run(hw, budget);
}

const struct vgt_hw_ops gensim_hw_ops = {
	.name = "gensim",
	.info = hw_info,
	.mmio_read = hw_mmio_read,
	.mmio_write = hw_mmio_write,
	.gtt_read = hw_gtt_read,
	.gtt_write = hw_gtt_write,
	.cfg_read = hw_cfg_read,
	.cfg_write = hw_cfg_write,
	.dma_read = hw_dma_read,
	.dma_write = hw_dma_write,
	.aperture_read = hw_aperture_read,
	.aperture_write = hw_aperture_write,
	.set_irq_handler = hw_set_irq_handler,
	.now_ns = hw_now_ns,
	.run = hw_run,
};

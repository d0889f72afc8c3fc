/* SPDX-License-Identifier: MIT */
/*
 * A vGPU's PCI config space: the physical function's identity, the BAR
 * sizing protocol over virtual BARs (BAR0 4 MiB, BAR2 the whole aperture,
 * BAR4 64 bytes of I/O), the command register, MSI, PM and FLR.  Writes
 * to read-only fields are ignored, as on hardware.  When the guest moves a
 * BAR or toggles decoding the transport is told, so that it can re-claim
 * its trapped ranges and re-map the aperture window.
 */
#include <errno.h>
#include <string.h>

#include "private.h"
#include "hsw/pci_regs.h"

static void put(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		v->cfg[off + i] = (uint8_t)(val >> (8 * i));
}

uint32_t vgt_cfg_get(const struct vgt_vgpu *v, uint32_t off, unsigned size)
{
	uint32_t val = 0;

	for (unsigned i = 0; i < size; i++)
		val |= (uint32_t)v->cfg[off + i] << (8 * i);
	return val;
}

static uint32_t phys_cfg(struct vgt_host *host, uint32_t off, unsigned size)
{
	uint32_t val = 0;

	if (host->hw->cfg_read(host->hw_handle, off, size, &val))
		return 0;
	return val;
}

void vgt_cfg_init(struct vgt_vgpu *v)
{
	struct vgt_host *host = v->host;

	memset(v->cfg, 0, sizeof(v->cfg));
	/* The identity of the physical function. */
	put(v, PCI_VENDOR_ID, 4, phys_cfg(host, PCI_VENDOR_ID, 4));
	put(v, PCI_REVISION, 4, phys_cfg(host, PCI_REVISION, 4));
	put(v, PCI_SUBSYS_VENDOR, 4, phys_cfg(host, PCI_SUBSYS_VENDOR, 4));
	put(v, PCI_STATUS, 2, 1u << 4);                 /* capability list */
	put(v, PCI_BAR(0), 4, 0x4);                     /* 64-bit memory */
	put(v, PCI_BAR(2), 4, 0xC);                     /* 64-bit prefetchable */
	put(v, PCI_BAR(4), 4, 0x1);                     /* I/O */
	put(v, PCI_CAP_PTR, 1, HSW_PCI_MSI_CAP);
	put(v, PCI_INT_PIN, 1, 1);
	/* 2 MiB of GTT, no stolen memory, VGA decode off. */
	put(v, HSW_PCI_GGC, 2, (2u << HSW_GGC_GGMS_SHIFT) | HSW_GGC_VGA_DISABLE);
	put(v, HSW_PCI_MSI_CAP, 2, 0x05u | (HSW_PCI_PM_CAP << 8));
	put(v, HSW_PCI_PM_CAP, 4, 0x01u | (HSW_PCI_AF_CAP << 8) | (0x0022u << 16));
	put(v, HSW_PCI_AF_CAP, 4, 0x13u | (0x06u << 16) | (0x03u << 24));
	v->bar_size[0] = HSW_BAR0_SIZE;
	v->bar_size[2] = host->hwinfo.aperture_size;
	v->bar_size[4] = HSW_BAR4_SIZE;
}

static uint64_t bar_addr(const struct vgt_vgpu *v, unsigned bar)
{
	uint64_t lo = vgt_cfg_get(v, PCI_BAR(bar), 4);

	if (bar == 4)
		return lo & ~0x3u;
	return (lo & ~0xFu) | ((uint64_t)vgt_cfg_get(v, PCI_BAR(bar + 1), 4) << 32);
}

static void notify_bars(struct vgt_vgpu *v)
{
	uint32_t cmd = vgt_cfg_get(v, PCI_COMMAND, 2);

	if (!v->ops->bar_update)
		return;
	for (unsigned bar = 0; bar <= 4; bar += 2)
		v->ops->bar_update(v->opaque, bar, bar_addr(v, bar), v->bar_size[bar],
				   (cmd & (bar == 4 ? PCI_CMD_IO : PCI_CMD_MEM)) != 0);
}

static void bar_write(struct vgt_vgpu *v, unsigned bar, uint32_t val)
{
	uint32_t flags;

	if (bar == 1 || bar == 3) {
		/* The upper half of a 64-bit BAR smaller than 4 GiB: all address. */
		put(v, PCI_BAR(bar), 4, val);
		return;
	}
	if (!v->bar_size[bar])
		return;                 /* BAR5 does not exist */
	flags = vgt_cfg_get(v, PCI_BAR(bar), 4) & (bar == 4 ? 0x3u : 0xFu);
	put(v, PCI_BAR(bar), 4, (val & ~(uint32_t)(v->bar_size[bar] - 1)) | flags);
}

static bool access_ok(uint32_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && !(off & (size - 1)) && off < PCI_EXT_CFG_SIZE;
}

int vgt_cfg_read(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t *val)
{
	if (!access_ok(off, size)) {
		vgt_guest_error(v, VGT_GERR_ACCESS, "config read of %u bytes at 0x%x", size, off);
		*val = 0xFFFFFFFFu;
		return 0;
	}
	/* No extended capabilities: the PCIe extended space reads as zero. */
	*val = off < VGT_CFG_SIZE ? vgt_cfg_get(v, off, size) : 0;
	return 0;
}

int vgt_cfg_write(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t val)
{
	uint32_t cmd_before = vgt_cfg_get(v, PCI_COMMAND, 2);
	bool bars_changed = false;

	if (!access_ok(off, size)) {
		vgt_guest_error(v, VGT_GERR_ACCESS, "config write of %u bytes at 0x%x", size, off);
		return 0;
	}
	if (off >= VGT_CFG_SIZE)
		return 0;
	if (off >= PCI_BAR(0) && off < PCI_BAR(6)) {
		uint32_t doff = off & ~3u, shift = 8 * (off & 3u);
		uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
		uint32_t cur = vgt_cfg_get(v, doff, 4);

		bar_write(v, (doff - PCI_BAR(0)) / 4, (cur & ~mask) | ((val << shift) & mask));
		bars_changed = vgt_cfg_get(v, doff, 4) != cur;
	} else {
		for (unsigned i = 0; i < size; i++) {
			uint8_t wm = hsw_pci_cfg_wmask(off + i), b = (uint8_t)(val >> (8 * i));

			v->cfg[off + i] = (uint8_t)((v->cfg[off + i] & ~wm) | (b & wm));
		}
	}
	if (v->cfg[AF_CTRL] & AF_CTRL_FLR) {
		v->cfg[AF_CTRL] &= (uint8_t)~AF_CTRL_FLR;
		vgt_guest_dbg(v, VGT_DBG_CFG, "vgpu%u: function-level reset", v->id);
		vgt_vgpu_reset_locked(v);
		/* FLR turns decoding and MSI off; the BAR addresses are kept. */
		put(v, PCI_COMMAND, 2, 0);
		v->cfg[MSI_CTRL] &= (uint8_t)~1u;
	}
	if (bars_changed || vgt_cfg_get(v, PCI_COMMAND, 2) != cmd_before)
		notify_bars(v);
	return 0;
}

bool vgt_cfg_msi(const struct vgt_vgpu *v, uint64_t *addr, uint32_t *data)
{
	if (!(vgt_cfg_get(v, MSI_CTRL, 2) & 1u) || !(vgt_cfg_get(v, PCI_COMMAND, 2) & PCI_CMD_MASTER))
		return false;
	*addr = vgt_cfg_get(v, MSI_ADDR, 4);
	*data = vgt_cfg_get(v, MSI_DATA, 2);
	return true;
}

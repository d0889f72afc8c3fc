/* SPDX-License-Identifier: MIT */
/*
 * gensim device: lifecycle, PCI config space, machine memory, the bus
 * view, the execution loop, the device clock and the worker thread.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "gensim_private.h"
#include "hsw/pci_regs.h"

#define GENSIM_DEFAULT_MEMORY   (256ull << 20)
#define GENSIM_DEFAULT_APERTURE (512ull << 20)
#define GENSIM_WORKER_CHUNK     4096u

_Noreturn void gensim_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "gensim: host invariant broken at %s:%d: %s\n", file, line, what);
	abort();
}

void gensim_config_init(struct gensim_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->memory_size = GENSIM_DEFAULT_MEMORY;
	cfg->aperture_size = GENSIM_DEFAULT_APERTURE;
}

static bool is_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

/* ---- PCI config space -------------------------------------------------- */

static void cfg_put(struct gensim *gs, uint32_t off, unsigned size, uint32_t val)
{
	for (unsigned i = 0; i < size; i++)
		gs->cfg_space[off + i] = (uint8_t)(val >> (8 * i));
}

static uint32_t cfg_get(const struct gensim *gs, uint32_t off, unsigned size)
{
	uint32_t v = 0;

	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)gs->cfg_space[off + i] << (8 * i);
	return v;
}

static void cfg_reset(struct gensim *gs)
{
	memset(gs->cfg_space, 0, sizeof(gs->cfg_space));
	cfg_put(gs, PCI_VENDOR_ID, 2, HSW_PCI_VENDOR_INTEL);
	cfg_put(gs, PCI_VENDOR_ID + 2, 2, HSW_PCI_DEVICE_GT2);
	cfg_put(gs, PCI_STATUS, 2, PCI_STATUS_CAP_LIST);
	cfg_put(gs, PCI_REVISION, 4, (HSW_PCI_CLASS_VGA << 8) | HSW_PCI_REVISION);
	cfg_put(gs, PCI_HEADER_TYPE, 1, 0);
	cfg_put(gs, PCI_BAR(0), 4, PCI_BAR_MEM64);
	cfg_put(gs, PCI_BAR(2), 4, PCI_BAR_MEM64 | PCI_BAR_PREFETCH);
	cfg_put(gs, PCI_BAR(4), 4, PCI_BAR_IO);
	cfg_put(gs, PCI_SUBSYS_VENDOR, 2, HSW_PCI_VENDOR_INTEL);
	cfg_put(gs, PCI_SUBSYS_VENDOR + 2, 2, 0x2010);
	cfg_put(gs, PCI_CAP_PTR, 1, HSW_PCI_MSI_CAP);
	cfg_put(gs, PCI_INT_PIN, 1, 1);
	/* 2 MiB of GTT, no stolen memory modelled, VGA decode off. */
	cfg_put(gs, HSW_PCI_GGC, 2, (2u << HSW_GGC_GGMS_SHIFT) | HSW_GGC_VGA_DISABLE);
	cfg_put(gs, HSW_PCI_BDSM, 4, 0);
	/* MSI: single message, 32-bit address. */
	cfg_put(gs, HSW_PCI_MSI_CAP, 1, 0x05);
	cfg_put(gs, HSW_PCI_MSI_CAP + 1, 1, HSW_PCI_PM_CAP);
	cfg_put(gs, MSI_CTRL, 2, 0);
	/* Power management, version 2. */
	cfg_put(gs, HSW_PCI_PM_CAP, 1, 0x01);
	cfg_put(gs, HSW_PCI_PM_CAP + 1, 1, HSW_PCI_AF_CAP);
	cfg_put(gs, HSW_PCI_PM_CAP + 2, 2, 0x0022);
	/* Advanced features: transactions pending and FLR. */
	cfg_put(gs, HSW_PCI_AF_CAP, 1, 0x13);
	cfg_put(gs, HSW_PCI_AF_CAP + 1, 1, 0x00);
	cfg_put(gs, HSW_PCI_AF_CAP + 2, 1, 0x06);
	cfg_put(gs, HSW_PCI_AF_CAP + 3, 1, 0x03);
}

static void bar_write(struct gensim *gs, unsigned bar, uint32_t val)
{
	uint32_t size, flags;

	if (bar == 1 || bar == 3) {
		/* Upper halves of the 64-bit BARs: all bits are address bits. */
		cfg_put(gs, PCI_BAR(bar), 4, val);
		return;
	}
	size = gs->bar_size[bar];
	if (!size)
		return;
	flags = cfg_get(gs, PCI_BAR(bar), 4) & (bar == 4 ? 0x3u : 0xFu);
	cfg_put(gs, PCI_BAR(bar), 4, (val & ~(size - 1)) | flags);
}

static void device_reset_locked(struct gensim *gs);

int gensim_cfg_read(struct gensim *gs, uint32_t off, unsigned size, uint32_t *val)
{
	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) ||
	    off >= GENSIM_CFG_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	*val = cfg_get(gs, off, size);
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

int gensim_cfg_write(struct gensim *gs, uint32_t off, unsigned size, uint32_t val)
{
	if ((size != 1 && size != 2 && size != 4) || (off & (size - 1)) ||
	    off >= GENSIM_CFG_SIZE)
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	if (off >= PCI_BAR(0) && off < PCI_BAR(6)) {
		/* BARs are sized and placed with dword writes; merge narrower ones. */
		uint32_t doff = off & ~3u, shift = 8 * (off & 3u);
		uint32_t mask = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
		uint32_t cur = cfg_get(gs, doff, 4);

		bar_write(gs, (doff - PCI_BAR(0)) / 4, (cur & ~mask) | ((val << shift) & mask));
	} else {
		for (unsigned i = 0; i < size; i++) {
			uint8_t wm = hsw_pci_cfg_wmask(off + i), b = (uint8_t)(val >> (8 * i));

			gs->cfg_space[off + i] = (uint8_t)((gs->cfg_space[off + i] & ~wm) | (b & wm));
		}
		if (gs->cfg_space[AF_CTRL] & AF_CTRL_FLR) {
			/*
			 * Function-level reset: the device and its config space
			 * (BARs, command, MSI) return to reset; the bit reads as 0.
			 */
			cfg_reset(gs);
			device_reset_locked(gs);
		}
	}
	gensim_irq_update(gs);
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

/* MSI state, read by the interrupt code. */
bool gensim_msi_enabled(const struct gensim *gs)
{
	return cfg_get(gs, MSI_CTRL, 2) & 1u;
}

/* The message, if the device may send it (MSI on and bus mastering on). */
bool gensim_msi_target(const struct gensim *gs, uint64_t *addr, uint32_t *data)
{
	if (!gensim_msi_enabled(gs) || !(cfg_get(gs, PCI_COMMAND, 2) & PCI_CMD_MASTER))
		return false;
	*addr = cfg_get(gs, MSI_ADDR, 4);
	*data = cfg_get(gs, MSI_DATA, 2);
	return true;
}

/* With MSI enabled a function never signals INTx (PCI local bus spec). */
bool gensim_intx_enabled(const struct gensim *gs)
{
	return !gensim_msi_enabled(gs) && !(cfg_get(gs, PCI_COMMAND, 2) & PCI_CMD_INTX_DISABLE);
}

static uint64_t bar_base(const struct gensim *gs, unsigned bar)
{
	uint64_t lo = cfg_get(gs, PCI_BAR(bar), 4) & ~0xFu;
	uint64_t hi = cfg_get(gs, PCI_BAR(bar + 1), 4);

	return lo | (hi << 32);
}

/* ---- Lifecycle ----------------------------------------------------------- */

/* The worker's timed waits use CLOCK_MONOTONIC deadlines. */
static int init_kick(pthread_cond_t *cond)
{
	pthread_condattr_t attr;
	int ret;

	if (pthread_condattr_init(&attr))
		return -ENOMEM;
	ret = -pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (!ret)
		ret = -pthread_cond_init(cond, &attr);
	pthread_condattr_destroy(&attr);
	return ret;
}

static void device_reset_locked(struct gensim *gs)
{
	gensim_regs_reset(gs);
	for (unsigned i = 0; i < GENSIM_NUM_ENGINES; i++)
		gensim_engine_reset(gs, &gs->engine[i]);
	gensim_display_reset(gs);
	gs->io_index = 0;
	gs->irq_line = false;
}

int gensim_create(const struct gensim_config *cfg, struct gensim **out)
{
	struct gensim *gs;
	int ret;

	*out = NULL;
	if (!cfg->memory_size || (cfg->memory_size & (GENSIM_PAGE_SIZE - 1)) ||
	    cfg->memory_size > (1ull << 39))
		return -EINVAL;
	if (!is_pow2(cfg->aperture_size) || cfg->aperture_size < (64ull << 20) ||
	    cfg->aperture_size > (512ull << 20))
		return -EINVAL;

	gs = calloc(1, sizeof(*gs));
	if (!gs)
		return -ENOMEM;
	gs->cfg = *cfg;
	gs->mem_size = cfg->memory_size;

	/* Lazily backed: untouched machine memory costs nothing. */
	gs->mem = mmap(NULL, gs->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (gs->mem == MAP_FAILED) {
		ret = -ENOMEM;
		goto err_free;
	}
	gs->gtt = calloc(HSW_GTT_ENTRIES, sizeof(*gs->gtt));
	if (!gs->gtt) {
		ret = -ENOMEM;
		goto err_mem;
	}
	/* Widest row a blit can touch: 65535 pixels of 4 bytes. */
	gs->row_buf_size = 65536u * 4u;
	gs->row_buf[0] = malloc(gs->row_buf_size);
	gs->row_buf[1] = malloc(gs->row_buf_size);
	if (!gs->row_buf[0] || !gs->row_buf[1]) {
		ret = -ENOMEM;
		goto err_rows;
	}
	ret = gensim_regs_init(gs);
	if (ret)
		goto err_rows;
	if (pthread_mutex_init(&gs->lock, NULL)) {
		ret = -ENOMEM;
		goto err_regs;
	}
	ret = init_kick(&gs->kick);
	if (ret)
		goto err_lock;

	gs->bar_size[0] = HSW_BAR0_SIZE;
	gs->bar_size[2] = (uint32_t)cfg->aperture_size;
	gs->bar_size[4] = HSW_BAR4_SIZE;
	for (unsigned i = 0; i < GENSIM_NUM_ENGINES; i++) {
		gs->engine[i].id = (enum gensim_engine_id)i;
		gs->engine[i].desc = &gensim_engines[i];
	}
	cfg_reset(gs);
	device_reset_locked(gs);
	*out = gs;
	return 0;

err_lock:
	pthread_mutex_destroy(&gs->lock);
err_regs:
	gensim_regs_fini(gs);
err_rows:
	free(gs->row_buf[1]);
	free(gs->row_buf[0]);
	free(gs->gtt);
err_mem:
	munmap(gs->mem, gs->mem_size);
err_free:
	free(gs);
	return ret;
}

void gensim_destroy(struct gensim *gs)
{
	if (!gs)
		return;
	gensim_stop_worker(gs);
	pthread_cond_destroy(&gs->kick);
	pthread_mutex_destroy(&gs->lock);
	gensim_regs_fini(gs);
	free(gs->row_buf[1]);
	free(gs->row_buf[0]);
	free(gs->gtt);
	munmap(gs->mem, gs->mem_size);
	free(gs);
}

void gensim_set_irq_handler(struct gensim *gs, gensim_irq_fn *fn, void *opaque)
{
	pthread_mutex_lock(&gs->lock);
	gs->cfg.irq = fn;
	gs->cfg.irq_opaque = opaque;
	pthread_mutex_unlock(&gs->lock);
}

/* ---- BAR accesses -------------------------------------------------------- */

static bool access_ok(uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && !(off & (size - 1));
}

static int mmio_read_locked(struct gensim *gs, uint32_t off, unsigned size, uint64_t *val)
{
	uint32_t lo, hi = 0;
	int ret;

	if (!access_ok(off, size) || off >= HSW_BAR0_SIZE) {
		gs->stats.bad_access++;
		return -EINVAL;
	}
	gs->stats.mmio_reads++;
	if (off >= HSW_GTT_OFFSET)
		return gensim_gtt_mmio_read(gs, off - HSW_GTT_OFFSET, size, val);

	ret = gensim_reg_read(gs, off & ~3u, &lo);
	if (!ret && size == 8)
		ret = gensim_reg_read(gs, off + 4, &hi);
	if (ret)
		return ret;
	if (size < 4)
		lo = (lo >> (8 * (off & 3u))) & ((1u << (8 * size)) - 1);
	*val = lo | ((uint64_t)hi << 32);
	return 0;
}

static int mmio_write_locked(struct gensim *gs, uint32_t off, unsigned size, uint64_t val)
{
	uint32_t shift, bytes;
	int ret;

	if (!access_ok(off, size) || off >= HSW_BAR0_SIZE) {
		gs->stats.bad_access++;
		return -EINVAL;
	}
	gs->stats.mmio_writes++;
	if (off >= HSW_GTT_OFFSET)
		return gensim_gtt_mmio_write(gs, off - HSW_GTT_OFFSET, size, val);

	if (size == 8) {
		ret = gensim_reg_write(gs, off, (uint32_t)val, ~0u);
		if (!ret)
			ret = gensim_reg_write(gs, off + 4, (uint32_t)(val >> 32), ~0u);
		return ret;
	}
	shift = 8 * (off & 3u);
	bytes = size == 4 ? ~0u : ((1u << (8 * size)) - 1) << shift;
	return gensim_reg_write(gs, off & ~3u, (uint32_t)val << shift, bytes);
}

int gensim_mmio_read(struct gensim *gs, uint32_t off, unsigned size, uint64_t *val)
{
	int ret;

	pthread_mutex_lock(&gs->lock);
	ret = mmio_read_locked(gs, off, size, val);
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

int gensim_mmio_write(struct gensim *gs, uint32_t off, unsigned size, uint64_t val)
{
	int ret;

	pthread_mutex_lock(&gs->lock);
	ret = mmio_write_locked(gs, off, size, val);
	gensim_irq_update(gs);
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

int gensim_aperture_read(struct gensim *gs, uint64_t off, void *buf, size_t len)
{
	int ret;

	pthread_mutex_lock(&gs->lock);
	ret = gensim_aperture_access(gs, off, buf, len, GENSIM_READ);
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

int gensim_aperture_write(struct gensim *gs, uint64_t off, const void *buf, size_t len)
{
	int ret;

	pthread_mutex_lock(&gs->lock);
	/* The access helper only reads from @buf for writes. */
	ret = gensim_aperture_access(gs, off, (void *)(uintptr_t)buf, len, GENSIM_WRITE);
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

/*
 * BAR4: MMIO_INDEX selects a dword (bits 20:2) and a target (bits 1:0:
 * 0 = registers, 1 = GTT); MMIO_DATA accesses it.
 */
int gensim_pio_read(struct gensim *gs, uint32_t off, unsigned size, uint32_t *val)
{
	uint64_t v = 0;
	int ret = 0;

	if (size != 4 || (off != HSW_IO_MMIO_INDEX && off != HSW_IO_MMIO_DATA))
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	if (off == HSW_IO_MMIO_INDEX) {
		v = gs->io_index;
	} else {
		uint32_t dw = gs->io_index & 0x1FFFFCu;

		switch (gs->io_index & 3u) {
		case 0: ret = mmio_read_locked(gs, dw, 4, &v); break;
		case 1: ret = mmio_read_locked(gs, HSW_GTT_OFFSET + dw, 4, &v); break;
		default: v = ~0u; gs->stats.bad_access++; break;
		}
	}
	pthread_mutex_unlock(&gs->lock);
	*val = (uint32_t)v;
	return ret;
}

int gensim_pio_write(struct gensim *gs, uint32_t off, unsigned size, uint32_t val)
{
	int ret = 0;

	if (size != 4 || (off != HSW_IO_MMIO_INDEX && off != HSW_IO_MMIO_DATA))
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	if (off == HSW_IO_MMIO_INDEX) {
		gs->io_index = val;
	} else {
		uint32_t dw = gs->io_index & 0x1FFFFCu;

		switch (gs->io_index & 3u) {
		case 0: ret = mmio_write_locked(gs, dw, 4, val); break;
		case 1: ret = mmio_write_locked(gs, HSW_GTT_OFFSET + dw, 4, val); break;
		default: gs->stats.bad_access++; break;
		}
		gensim_irq_update(gs);
	}
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

/* ---- Bus view ------------------------------------------------------------ */

enum bus_target { BUS_NONE, BUS_RAM, BUS_BAR0, BUS_BAR2 };

static enum bus_target bus_decode(const struct gensim *gs, uint64_t addr, unsigned size,
				  uint64_t *off)
{
	if (addr < gs->mem_size && size <= gs->mem_size - addr) {
		*off = addr;
		return BUS_RAM;
	}
	if (!(cfg_get(gs, PCI_COMMAND, 2) & PCI_CMD_MEM))
		return BUS_NONE;
	for (unsigned bar = 0; bar <= 2; bar += 2) {
		uint64_t base = bar_base(gs, bar);

		if (base && addr >= base && addr - base < gs->bar_size[bar] &&
		    size <= gs->bar_size[bar] - (addr - base)) {
			*off = addr - base;
			return bar ? BUS_BAR2 : BUS_BAR0;
		}
	}
	return BUS_NONE;
}

int gensim_bus_read(struct gensim *gs, uint64_t addr, unsigned size, uint64_t *val)
{
	uint64_t off = 0, v = 0;
	int ret = 0;

	if (!access_ok(addr, size))
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	switch (bus_decode(gs, addr, size, &off)) {
	case BUS_RAM:
		memcpy(&v, gs->mem + off, size);
		break;
	case BUS_BAR0:
		ret = mmio_read_locked(gs, (uint32_t)off, size, &v);
		break;
	case BUS_BAR2:
		ret = gensim_aperture_access(gs, off, &v, size, GENSIM_READ);
		break;
	case BUS_NONE:
		v = ~0ull;  /* master abort */
		break;
	}
	pthread_mutex_unlock(&gs->lock);
	if (size < 8)
		v &= (1ull << (8 * size)) - 1;
	*val = v;
	return ret;
}

int gensim_bus_write(struct gensim *gs, uint64_t addr, unsigned size, uint64_t val)
{
	uint64_t off = 0;
	int ret = 0;

	if (!access_ok(addr, size))
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	switch (bus_decode(gs, addr, size, &off)) {
	case BUS_RAM:
		memcpy(gs->mem + off, &val, size);
		break;
	case BUS_BAR0:
		ret = mmio_write_locked(gs, (uint32_t)off, size, val);
		gensim_irq_update(gs);
		break;
	case BUS_BAR2:
		ret = gensim_aperture_access(gs, off, &val, size, GENSIM_WRITE);
		break;
	case BUS_NONE:
		break;
	}
	pthread_mutex_unlock(&gs->lock);
	return ret;
}

/* ---- Machine memory ------------------------------------------------------ */

uint64_t gensim_memory_size(const struct gensim *gs)
{
	return gs->mem_size;
}

uint64_t gensim_aperture_size(const struct gensim *gs)
{
	return gs->cfg.aperture_size;
}

void *gensim_mem_ptr(struct gensim *gs, uint64_t pa, size_t len)
{
	if (pa > gs->mem_size || len > gs->mem_size - pa)
		return NULL;
	return gs->mem + pa;
}

int gensim_mem_read(struct gensim *gs, uint64_t pa, void *buf, size_t len)
{
	if (pa > gs->mem_size || len > gs->mem_size - pa)
		return -EFAULT;
	pthread_mutex_lock(&gs->lock);
	memcpy(buf, gs->mem + pa, len);
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

int gensim_mem_write(struct gensim *gs, uint64_t pa, const void *buf, size_t len)
{
	if (pa > gs->mem_size || len > gs->mem_size - pa)
		return -EFAULT;
	pthread_mutex_lock(&gs->lock);
	memcpy(gs->mem + pa, buf, len);
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

void gensim_set_external_memory(struct gensim *gs, gensim_ext_mem_fn *fn, void *opaque)
{
	pthread_mutex_lock(&gs->lock);
	gs->ext_mem = fn;
	gs->ext_mem_opaque = opaque;
	pthread_mutex_unlock(&gs->lock);
}

uint32_t gensim_gtt_entries(const struct gensim *gs)
{
	(void)gs;
	return HSW_GTT_ENTRIES;
}

int gensim_gtt_read(struct gensim *gs, uint32_t index, uint32_t *pte)
{
	if (index >= HSW_GTT_ENTRIES)
		return -ERANGE;
	pthread_mutex_lock(&gs->lock);
	*pte = gs->gtt[index];
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

int gensim_gtt_write(struct gensim *gs, uint32_t index, uint32_t pte)
{
	if (index >= HSW_GTT_ENTRIES)
		return -ERANGE;
	pthread_mutex_lock(&gs->lock);
	gs->gtt[index] = pte;
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

void gensim_gtt_snapshot(struct gensim *gs, uint32_t *out)
{
	pthread_mutex_lock(&gs->lock);
	memcpy(out, gs->gtt, HSW_GTT_ENTRIES * sizeof(*out));
	pthread_mutex_unlock(&gs->lock);
}

/* ---- Execution and time -------------------------------------------------- */

void gensim_advance_locked(struct gensim *gs, uint64_t ns)
{
	gensim_display_advance(gs, gs->now_ns + ns);
	gs->now_ns += ns;
}

static uint64_t run_locked(struct gensim *gs, uint64_t max)
{
	uint64_t total = 0;

	while (total < max) {
		bool any = false;

		for (unsigned i = 0; i < GENSIM_NUM_ENGINES && total < max; i++) {
			struct gensim_engine *eng = &gs->engine[(gs->rr_next + i) % GENSIM_NUM_ENGINES];
			uint64_t quantum = max - total < 64 ? max - total : 64;

			if (!gensim_engine_runnable(gs, eng))
				continue;
			any = true;
			total += gensim_engine_exec(gs, eng, quantum);
		}
		gs->rr_next = (gs->rr_next + 1) % GENSIM_NUM_ENGINES;
		if (!any)
			break;
	}
	gensim_irq_update(gs);
	return total;
}

int64_t gensim_run(struct gensim *gs, uint64_t max_cmds)
{
	int64_t n;

	pthread_mutex_lock(&gs->lock);
	if (gs->worker_running) {
		pthread_mutex_unlock(&gs->lock);
		return -EBUSY;
	}
	n = (int64_t)run_locked(gs, max_cmds);
	pthread_mutex_unlock(&gs->lock);
	return n;
}

int64_t gensim_run_until_idle(struct gensim *gs, uint64_t max_cmds)
{
	uint64_t total = 0;

	while (total < max_cmds) {
		int64_t n = gensim_run(gs, max_cmds - total);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		total += (uint64_t)n;
	}
	return (int64_t)total;
}

bool gensim_busy(struct gensim *gs)
{
	bool busy = false;

	pthread_mutex_lock(&gs->lock);
	for (unsigned i = 0; i < GENSIM_NUM_ENGINES; i++)
		busy |= gensim_engine_runnable(gs, &gs->engine[i]);
	pthread_mutex_unlock(&gs->lock);
	return busy;
}

int gensim_advance_time(struct gensim *gs, uint64_t ns)
{
	pthread_mutex_lock(&gs->lock);
	if (gs->worker_running) {
		pthread_mutex_unlock(&gs->lock);
		return -EBUSY;
	}
	gensim_advance_locked(gs, ns);
	gensim_irq_update(gs);
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

static uint64_t mono_ns(void);

/* With the worker, the device clock runs with the wall clock even while idle. */
static void sync_worker_clock(struct gensim *gs)
{
	uint64_t wall;

	if (!gs->worker_running)
		return;
	wall = mono_ns() - gs->worker_epoch_ns;
	if (wall > gs->now_ns) {
		gensim_advance_locked(gs, wall - gs->now_ns);
		gensim_irq_update(gs);
	}
}

uint64_t gensim_now_ns(struct gensim *gs)
{
	uint64_t now;

	pthread_mutex_lock(&gs->lock);
	sync_worker_clock(gs);
	now = gs->now_ns;
	pthread_mutex_unlock(&gs->lock);
	return now;
}

static uint64_t next_event_locked(const struct gensim *gs)
{
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++)
		if (gensim_reg_get(gs, HSW_PIPECONF(p)) & HSW_PIPECONF_ENABLE)
			return gs->next_vblank_ns - gs->now_ns;
	return UINT64_MAX;
}

uint64_t gensim_next_event_ns(struct gensim *gs)
{
	uint64_t t;

	pthread_mutex_lock(&gs->lock);
	t = next_event_locked(gs);
	pthread_mutex_unlock(&gs->lock);
	return t;
}

/* ---- Worker thread ------------------------------------------------------- */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void gensim_engine_kick(struct gensim *gs)
{
	if (gs->worker_running)
		pthread_cond_signal(&gs->kick);
}

static void *worker_main(void *arg)
{
	struct gensim *gs = arg;

	pthread_mutex_lock(&gs->lock);
	while (!gs->worker_stop) {
		uint64_t until;
		struct timespec ts;

		/* The device clock never runs behind the wall clock. */
		sync_worker_clock(gs);
		if (run_locked(gs, GENSIM_WORKER_CHUNK)) {
			/* Let MMIO from other threads in between chunks. */
			pthread_mutex_unlock(&gs->lock);
			sched_yield();
			pthread_mutex_lock(&gs->lock);
			continue;
		}
		until = next_event_locked(gs);
		if (until > 100000000ull)
			until = 100000000ull;
		until += gs->worker_epoch_ns + gs->now_ns;
		ts.tv_sec = (time_t)(until / 1000000000ull);
		ts.tv_nsec = (long)(until % 1000000000ull);
		pthread_cond_timedwait(&gs->kick, &gs->lock, &ts);
	}
	pthread_mutex_unlock(&gs->lock);
	return NULL;
}

int gensim_start_worker(struct gensim *gs)
{
	int ret;

	pthread_mutex_lock(&gs->lock);
	if (gs->worker_running) {
		pthread_mutex_unlock(&gs->lock);
		return -EBUSY;
	}
	gs->worker_stop = false;
	gs->worker_epoch_ns = mono_ns() - gs->now_ns;
	ret = pthread_create(&gs->worker, NULL, worker_main, gs);
	if (!ret)
		gs->worker_running = true;
	pthread_mutex_unlock(&gs->lock);
	return -ret;
}

void gensim_stop_worker(struct gensim *gs)
{
	pthread_mutex_lock(&gs->lock);
	if (!gs->worker_running) {
		pthread_mutex_unlock(&gs->lock);
		return;
	}
	gs->worker_stop = true;
	pthread_cond_signal(&gs->kick);
	pthread_mutex_unlock(&gs->lock);
	pthread_join(gs->worker, NULL);
	pthread_mutex_lock(&gs->lock);
	gs->worker_running = false;
	pthread_mutex_unlock(&gs->lock);
}

/* ---- Diagnostics ---------------------------------------------------------- */

void gensim_get_stats(struct gensim *gs, struct gensim_stats *st)
{
	pthread_mutex_lock(&gs->lock);
	*st = gs->stats;
	pthread_mutex_unlock(&gs->lock);
}

const char *gensim_engine_name(enum gensim_engine_id id)
{
	return (unsigned)id < GENSIM_NUM_ENGINES ? gensim_engines[id].name : NULL;
}

int gensim_engine_state(struct gensim *gs, enum gensim_engine_id id,
			struct gensim_engine_state *st)
{
	struct gensim_engine *eng;

	if ((unsigned)id >= GENSIM_NUM_ENGINES)
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	eng = &gs->engine[id];
	st->enabled = gensim_reg_get(gs, HSW_RING_CTL(eng->desc->base)) & HSW_RING_VALID;
	st->halted = eng->halted;
	st->idle = !gensim_engine_runnable(gs, eng);
	st->batch_level = eng->level;
	st->acthd = gensim_engine_acthd(gs, eng);
	st->eir = gensim_reg_get(gs, HSW_RING_EIR(eng->desc->base));
	st->ipehr = gensim_reg_get(gs, HSW_RING_IPEHR(eng->desc->base));
	st->commands = eng->commands;
	pthread_mutex_unlock(&gs->lock);
	return 0;
}

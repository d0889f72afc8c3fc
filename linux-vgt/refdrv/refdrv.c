/* SPDX-License-Identifier: MIT */
/*
 * refdrv core: probe, memory, rings, interrupts, display.  Freestanding:
 * only <stdint.h>-level headers, no libc calls.
 */
#include "refdrv.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"

#define PAGE                    4096u
#define RING_SIZE               (16u * 1024u)
#define HWS_SEQNO               0x100u          /* byte offset in the status page */
#define PVINFO_MAGIC            0x4776544776544776ull
#define IO_BAR_ADDR             0xC000u
#define DEFAULT_WAIT_LIMIT      200000u

#define PCI_COMMAND             0x04u
#define PCI_BAR(i)              (0x10u + 4u * (i))
#define PCI_CAP_PTR             0x34u

static const uint16_t hsw_ids[] = {
	0x0402, 0x0406, 0x040A, 0x040B, 0x040E,
	0x0412, 0x0416, 0x041A, 0x041B, 0x041E,
	0x0422, 0x0426, 0x042A, 0x042B, 0x042E,
	0x0A02, 0x0A06, 0x0A0A, 0x0A0B, 0x0A0E, 0x0A12, 0x0A16, 0x0A1A, 0x0A1B, 0x0A1E,
	0x0A22, 0x0A26, 0x0A2A, 0x0A2B, 0x0A2E,
};

static const struct {
	uint32_t base, hws_pga, user_irq, error_irq;
} engine_info[REFDRV_NUM_ENGINES] = {
	[REFDRV_RCS] = { HSW_RCS_BASE, HSW_RCS_HWS_PGA, HSW_GT_RENDER_USER_INTERRUPT,
			 HSW_GT_RENDER_CS_MASTER_ERROR },
	[REFDRV_BCS] = { HSW_BCS_BASE, HSW_BCS_HWS_PGA, HSW_GT_BLT_USER_INTERRUPT,
			 HSW_GT_BLT_CS_ERROR },
};

static void zero(void *p, size_t n)
{
	uint8_t *b = p;

	while (n--)
		*b++ = 0;
}

static int fail(struct refdrv *d, int err, const char *what)
{
	d->err = what;
	return -err;
}

const char *refdrv_strerror(const struct refdrv *d)
{
	return d->err ? d->err : "no error";
}

uint32_t refdrv_read(struct refdrv *d, uint32_t reg)
{
	return d->plat->mmio_read32(d->plat->ctx, d->bar0 + reg);
}

void refdrv_write(struct refdrv *d, uint32_t reg, uint32_t val)
{
	d->plat->mmio_write32(d->plat->ctx, d->bar0 + reg, val);
}

static uint32_t masked_enable(uint32_t bit)
{
	return (bit << 16) | bit;
}

static uint32_t masked_disable(uint32_t bit)
{
	return bit << 16;
}

static uint32_t wait_limit(const struct refdrv *d)
{
	return d->plat->wait_limit ? d->plat->wait_limit : DEFAULT_WAIT_LIMIT;
}

/* Polls @reg until (value & mask) == want. */
static int poll_reg(struct refdrv *d, uint32_t reg, uint32_t mask, uint32_t want)
{
	for (uint32_t i = 0; i < wait_limit(d); i++) {
		if ((refdrv_read(d, reg) & mask) == want)
			return 0;
		d->plat->wait(d->plat->ctx);
	}
	return -REFDRV_ETIMEDOUT;
}

/* ---- Probe ----------------------------------------------------------------- */

static int cfg32(struct refdrv *d, uint32_t off, uint32_t *v)
{
	return d->plat->cfg_read(d->plat->ctx, off, 4, v);
}

static int size_bar(struct refdrv *d, unsigned bar, bool is64, uint64_t *size)
{
	const struct refdrv_platform *p = d->plat;
	uint32_t lo, hi = 0, mlo, mhi = 0xFFFFFFFFu;
	uint64_t mask;

	if (cfg32(d, PCI_BAR(bar), &lo) || (is64 && cfg32(d, PCI_BAR(bar + 1), &hi)))
		return -REFDRV_EIO;
	p->cfg_write(p->ctx, PCI_BAR(bar), 4, 0xFFFFFFFFu);
	cfg32(d, PCI_BAR(bar), &mlo);
	p->cfg_write(p->ctx, PCI_BAR(bar), 4, lo);
	if (is64) {
		p->cfg_write(p->ctx, PCI_BAR(bar + 1), 4, 0xFFFFFFFFu);
		cfg32(d, PCI_BAR(bar + 1), &mhi);
		p->cfg_write(p->ctx, PCI_BAR(bar + 1), 4, hi);
	}
	mask = ((uint64_t)mhi << 32) | (mlo & ((lo & 1u) ? ~0x3u : ~0xFu));
	if (!is64 && !(lo & 1u))
		mask |= 0xFFFFFFFF00000000ull;
	if ((lo & 1u))
		mask |= 0xFFFFFFFFFFFF0000ull;  /* I/O BARs decode 16 bits */
	*size = ~mask + 1;
	if (!*size || (*size & (*size - 1)))
		return -REFDRV_EIO;
	return 0;
}

static void place_bar(struct refdrv *d, unsigned bar, uint64_t addr, bool is64)
{
	const struct refdrv_platform *p = d->plat;

	p->cfg_write(p->ctx, PCI_BAR(bar), 4, (uint32_t)addr);
	if (is64)
		p->cfg_write(p->ctx, PCI_BAR(bar + 1), 4, (uint32_t)(addr >> 32));
}

/* A BAR the operating system placed: its address, naturally aligned. */
static int placed_bar(struct refdrv *d, unsigned bar, bool is64, uint64_t size, uint64_t *addr)
{
	uint32_t lo, hi = 0;

	if (cfg32(d, PCI_BAR(bar), &lo) || (is64 && cfg32(d, PCI_BAR(bar + 1), &hi)))
		return -REFDRV_EIO;
	*addr = ((uint64_t)hi << 32) | (lo & ((lo & 1u) ? ~0x3u : ~0xFu));
	if (!*addr || (*addr & (size - 1)))
		return -REFDRV_ENODEV;
	return 0;
}

static int enable_msi(struct refdrv *d)
{
	const struct refdrv_platform *p = d->plat;
	uint32_t ptr, hdr;

	if (cfg32(d, PCI_CAP_PTR, &ptr))
		return -REFDRV_EIO;
	ptr &= 0xFCu;
	/* Walk the capability list; it is short, but bound it anyway. */
	for (unsigned hops = 0; ptr && hops < 48; hops++) {
		if (cfg32(d, ptr, &hdr))
			return -REFDRV_EIO;
		if ((hdr & 0xFFu) == 0x05u) {
			p->cfg_write(p->ctx, ptr + 4, 4, (uint32_t)p->msi_addr);
			p->cfg_write(p->ctx, ptr + 8, 2, p->msi_data);
			p->cfg_write(p->ctx, ptr + 2, 2, 1u);
			return 0;
		}
		ptr = (hdr >> 8) & 0xFCu;
	}
	return -REFDRV_ENODEV;
}

static void read_pvinfo(struct refdrv *d)
{
	uint64_t magic = refdrv_read(d, HSW_PVINFO_PAGE) |
			 ((uint64_t)refdrv_read(d, HSW_PVINFO_PAGE + 4) << 32);
	uint32_t version = refdrv_read(d, HSW_PVINFO_PAGE + 8);

	if (magic != PVINFO_MAGIC || (version & 0xFFFFu) != 1) {
		/* Bare hardware: probing PVINFO was an unclaimed access; clear it. */
		refdrv_write(d, HSW_FPGA_DBG, HSW_FPGA_DBG_RM_NOCLAIM);
		d->vgpu = false;
		d->low.base = 0;
		d->low.size = (uint32_t)d->bar2_size;
		d->high.base = (uint32_t)d->bar2_size;
		/* The last page stays unused, as a prefetch guard. */
		d->high.size = (uint32_t)(HSW_GM_SIZE - d->bar2_size - PAGE);
		d->fences = HSW_NUM_FENCES;
		return;
	}
	d->vgpu = true;
	d->vgpu_id = refdrv_read(d, HSW_PVINFO_PAGE + 0x0C);
	d->low.base = refdrv_read(d, HSW_PVINFO_PAGE + 0x40);
	d->low.size = refdrv_read(d, HSW_PVINFO_PAGE + 0x44);
	d->high.base = refdrv_read(d, HSW_PVINFO_PAGE + 0x48);
	d->high.size = refdrv_read(d, HSW_PVINFO_PAGE + 0x4C);
	d->fences = refdrv_read(d, HSW_PVINFO_PAGE + 0x50);
}

int refdrv_probe(struct refdrv *d, const struct refdrv_platform *plat)
{
	uint32_t id;
	bool known = false;
	uint64_t io_size;
	int ret;

	zero(d, sizeof(*d));
	d->plat = plat;
	if (cfg32(d, 0, &id))
		return fail(d, REFDRV_EIO, "config space read failed");
	if ((id & 0xFFFFu) != HSW_PCI_VENDOR_INTEL)
		return fail(d, REFDRV_ENODEV, "no Intel device at the slot");
	d->device_id = (uint16_t)(id >> 16);
	for (size_t i = 0; i < sizeof(hsw_ids) / sizeof(hsw_ids[0]); i++)
		known |= hsw_ids[i] == d->device_id;
	if (!known)
		return fail(d, REFDRV_ENODEV, "not a Haswell GPU");

	if (size_bar(d, 0, true, &d->bar0_size) || size_bar(d, 2, true, &d->bar2_size) ||
	    size_bar(d, 4, false, &io_size))
		return fail(d, REFDRV_EIO, "BAR sizing failed");
	if (d->bar0_size != HSW_BAR0_SIZE)
		return fail(d, REFDRV_ENODEV, "BAR0 is not 4 MiB");
	if (d->bar2_size < (64u << 20) || d->bar2_size > (512u << 20))
		return fail(d, REFDRV_ENODEV, "aperture size outside 64..512 MiB");
	d->bar4_size = (uint32_t)io_size;

	if (plat->bars_placed) {
		uint64_t bar4;

		if (placed_bar(d, 2, true, d->bar2_size, &d->bar2) ||
		    placed_bar(d, 0, true, d->bar0_size, &d->bar0) ||
		    placed_bar(d, 4, false, d->bar4_size, &bar4) || bar4 > 0xFFFFu)
			return fail(d, REFDRV_ENODEV, "BARs not placed by the operating system");
		d->bar4 = (uint32_t)bar4;
	} else {
		/* The aperture is naturally aligned; registers go right above it. */
		d->bar2 = (plat->bar_window + d->bar2_size - 1) & ~(d->bar2_size - 1);
		d->bar0 = d->bar2 + d->bar2_size;
		d->bar4 = IO_BAR_ADDR;
		place_bar(d, 2, d->bar2, true);
		place_bar(d, 0, d->bar0, true);
		place_bar(d, 4, d->bar4, false);
	}
	plat->cfg_write(plat->ctx, PCI_COMMAND, 2, 0x7u);  /* I/O, memory, bus master */

	if (plat->msi_addr) {
		ret = enable_msi(d);
		if (ret)
			return fail(d, -ret, "no MSI capability");
	}
	read_pvinfo(d);
	if (!d->low.size || !d->high.size)
		return fail(d, REFDRV_ENODEV, "no graphics memory assigned");
	d->low.next = d->low.base;
	d->high.next = d->high.base;
	d->ram_next = plat->ram_base;
	return 0;
}

/* ---- Memory ---------------------------------------------------------------- */

static void write_ptes(struct refdrv *d, uint32_t gm, uint64_t ram, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++) {
		uint64_t pa = ram + (uint64_t)i * PAGE;
		uint32_t pte = HSW_PTE_ENCODE(pa) | HSW_WB_LLC_AGE3 | HSW_PTE_VALID;

		d->plat->mmio_write32(d->plat->ctx,
				      d->bar0 + HSW_GTT_OFFSET + 4ull * ((gm >> 12) + i), pte);
	}
	/* Flush the GTT write-combining buffer and TLB. */
	refdrv_write(d, HSW_GFX_FLSH_CNTL, 1);
	(void)refdrv_read(d, HSW_GFX_FLSH_CNTL);
}

int refdrv_bo_alloc(struct refdrv *d, uint32_t size, bool mappable, struct refdrv_bo *bo)
{
	struct refdrv_range *r = mappable ? &d->low : &d->high;
	const struct refdrv_platform *p = d->plat;

	size = (size + PAGE - 1) & ~(PAGE - 1);
	if (!size || size > r->base + r->size - r->next)
		return fail(d, REFDRV_ENOSPC, "graphics memory exhausted");
	if (size > p->ram_base + p->ram_size - d->ram_next)
		return fail(d, REFDRV_ENOMEM, "RAM for GPU buffers exhausted");
	bo->gm = r->next;
	bo->ram = d->ram_next;
	bo->size = size;
	bo->mappable = mappable;
	r->next += size;
	d->ram_next += size;
	write_ptes(d, bo->gm, bo->ram, size / PAGE);
	return 0;
}

static bool bo_range_ok(const struct refdrv_bo *bo, uint32_t off, uint32_t len)
{
	return off <= bo->size && len <= bo->size - off;
}

int refdrv_bo_write(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
		    const void *buf, uint32_t len)
{
	if (!bo_range_ok(bo, off, len))
		return fail(d, REFDRV_EINVAL, "write beyond a buffer");
	return d->plat->mem_write(d->plat->ctx, bo->ram + off, buf, len);
}

int refdrv_bo_read(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
		   void *buf, uint32_t len)
{
	if (!bo_range_ok(bo, off, len))
		return fail(d, REFDRV_EINVAL, "read beyond a buffer");
	return d->plat->mem_read(d->plat->ctx, bo->ram + off, buf, len);
}

int refdrv_aperture_write(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
			  const void *buf, uint32_t len)
{
	if (!bo->mappable || !bo_range_ok(bo, off, len))
		return fail(d, REFDRV_EINVAL, "aperture write outside a mappable buffer");
	return d->plat->mem_write(d->plat->ctx, d->bar2 + bo->gm + off, buf, len);
}

int refdrv_aperture_read(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
			 void *buf, uint32_t len)
{
	if (!bo->mappable || !bo_range_ok(bo, off, len))
		return fail(d, REFDRV_EINVAL, "aperture read outside a mappable buffer");
	return d->plat->mem_read(d->plat->ctx, d->bar2 + bo->gm + off, buf, len);
}

/* ---- Batches ---------------------------------------------------------------- */

void refdrv_batch_init(struct refdrv_batch *b)
{
	b->len = 0;
	b->overflow = false;
}

void refdrv_emit(struct refdrv_batch *b, uint32_t dw)
{
	/* Keep room for the closing MI_BATCH_BUFFER_END. */
	if (b->len + 1 >= REFDRV_BATCH_MAX_DWORDS) {
		b->overflow = true;
		return;
	}
	b->dw[b->len++] = dw;
}

int refdrv_batch_finish(struct refdrv *d, struct refdrv_batch *b, const struct refdrv_bo *bo)
{
	if (b->overflow)
		return fail(d, REFDRV_ENOSPC, "batch overflow");
	b->dw[b->len++] = HSW_MI_BATCH_BUFFER_END;
	return refdrv_bo_write(d, bo, 0, b->dw, b->len * 4u);
}

/* ---- Rings ---------------------------------------------------------------- */

static int ring_start(struct refdrv *d, struct refdrv_ring *r, unsigned e)
{
	static const uint8_t zeros[256];
	uint32_t b = engine_info[e].base;
	int ret;

	r->base = b;
	ret = refdrv_bo_alloc(d, RING_SIZE, false, &r->ring);
	if (!ret)
		ret = refdrv_bo_alloc(d, PAGE, false, &r->hwsp);
	if (ret)
		return ret;
	for (uint32_t off = 0; off < PAGE; off += sizeof(zeros))
		refdrv_bo_write(d, &r->hwsp, off, zeros, sizeof(zeros));

	/* The i915 sequence: stop, clear, point at status page and ring, go. */
	refdrv_write(d, HSW_RING_MI_MODE(b), masked_enable(HSW_MI_MODE_STOP_RING));
	if (poll_reg(d, HSW_RING_MI_MODE(b), HSW_MI_MODE_IDLE, HSW_MI_MODE_IDLE))
		return fail(d, REFDRV_ETIMEDOUT, "ring did not stop");
	refdrv_write(d, HSW_RING_CTL(b), 0);
	refdrv_write(d, HSW_RING_HEAD(b), 0);
	refdrv_write(d, HSW_RING_TAIL(b), 0);
	refdrv_write(d, engine_info[e].hws_pga, r->hwsp.gm);
	(void)refdrv_read(d, engine_info[e].hws_pga);
	refdrv_write(d, HSW_RING_START(b), r->ring.gm);
	refdrv_write(d, HSW_RING_HEAD(b), 0);
	refdrv_write(d, HSW_RING_TAIL(b), 0);
	refdrv_write(d, HSW_RING_CTL(b), (RING_SIZE - PAGE) | HSW_RING_VALID);
	if (poll_reg(d, HSW_RING_CTL(b), HSW_RING_VALID, HSW_RING_VALID))
		return fail(d, REFDRV_EIO, "ring did not start");
	refdrv_write(d, HSW_RING_MI_MODE(b), masked_disable(HSW_MI_MODE_STOP_RING));
	refdrv_write(d, HSW_RING_IMR(b), ~engine_info[e].user_irq);
	(void)refdrv_read(d, HSW_RING_IMR(b));
	r->tail = 0;
	r->next_seqno = 1;
	return 0;
}

int refdrv_init(struct refdrv *d)
{
	uint32_t gt = 0, de = 0;
	int ret;

	refdrv_write(d, HSW_FORCEWAKE_MT, masked_enable(1));
	if (poll_reg(d, HSW_FORCEWAKE_ACK, 1, 1))
		return fail(d, REFDRV_ETIMEDOUT, "forcewake not acknowledged");
	for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++) {
		ret = ring_start(d, &d->ring[e], e);
		if (ret)
			return ret;
		gt |= engine_info[e].user_irq | engine_info[e].error_irq;
	}
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++)
		de |= HSW_DE_PIPE_VBLANK(p) | HSW_DE_PLANE_FLIP_DONE(p);
	refdrv_write(d, HSW_GTIIR, 0xFFFFFFFFu);
	refdrv_write(d, HSW_GTIER, gt);
	refdrv_write(d, HSW_GTIMR, ~gt);
	refdrv_write(d, HSW_DEIIR, 0xFFFFFFFFu);
	refdrv_write(d, HSW_DEIMR, ~de);
	refdrv_write(d, HSW_DEIER, de | HSW_DE_MASTER_IRQ_CONTROL);
	(void)refdrv_read(d, HSW_DEIER);
	d->irqs_seen = d->plat->irq_count(d->plat->ctx);
	return 0;
}

/* The interrupt handler, i915 style: master off, ack each block, master on. */
static void service_irqs(struct refdrv *d)
{
	uint32_t gt, de;

	d->irqs_seen = d->plat->irq_count(d->plat->ctx);
	refdrv_write(d, HSW_DEIER, refdrv_read(d, HSW_DEIER) & ~HSW_DE_MASTER_IRQ_CONTROL);
	gt = refdrv_read(d, HSW_GTIIR);
	if (gt)
		refdrv_write(d, HSW_GTIIR, gt);
	de = refdrv_read(d, HSW_DEIIR);
	if (de)
		refdrv_write(d, HSW_DEIIR, de);
	for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++)
		if (gt & engine_info[e].user_irq)
			d->user_irqs[e]++;
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++)
		if (de & HSW_DE_PIPE_VBLANK(p))
			d->vblank_irqs++;
	refdrv_write(d, HSW_DEIER, refdrv_read(d, HSW_DEIER) | HSW_DE_MASTER_IRQ_CONTROL);
}

static void poll_irqs(struct refdrv *d)
{
	if (d->plat->irq_count(d->plat->ctx) != d->irqs_seen)
		service_irqs(d);
}

static void wait_once(struct refdrv *d)
{
	d->waits++;
	d->plat->wait(d->plat->ctx);
}

static int ring_emit(struct refdrv *d, struct refdrv_ring *r, const uint32_t *dw, uint32_t n)
{
	uint32_t bytes = n * 4u, first;
	uint32_t i;

	for (i = 0;; i++) {
		uint32_t head = refdrv_read(d, HSW_RING_HEAD(r->base)) & HSW_HEAD_ADDR;
		/* Keep a qword free so a full ring never looks empty. */
		uint32_t space = (head + RING_SIZE - r->tail - 8u) % RING_SIZE;

		if (space >= bytes)
			break;
		if (i >= wait_limit(d))
			return fail(d, REFDRV_ETIMEDOUT, "ring full");
		poll_irqs(d);
		wait_once(d);
	}
	first = RING_SIZE - r->tail;
	if (first > bytes)
		first = bytes;
	refdrv_bo_write(d, &r->ring, r->tail, dw, first);
	if (bytes > first)
		refdrv_bo_write(d, &r->ring, 0, (const uint8_t *)dw + first, bytes - first);
	r->tail = (r->tail + bytes) % RING_SIZE;
	refdrv_write(d, HSW_RING_TAIL(r->base), r->tail);
	return 0;
}

int refdrv_submit(struct refdrv *d, enum refdrv_engine e, const struct refdrv_bo *batch,
		  uint32_t *seqno)
{
	struct refdrv_ring *r = &d->ring[e];
	uint32_t dw[8], n = 0;

	if ((unsigned)e >= REFDRV_NUM_ENGINES)
		return fail(d, REFDRV_EINVAL, "no such engine");
	*seqno = r->next_seqno++;
	dw[n++] = HSW_MI_BATCH_BUFFER_START;
	dw[n++] = batch->gm;
	if (e == REFDRV_RCS) {
		dw[n++] = HSW_GFX_OP_PIPE_CONTROL(4);
		dw[n++] = HSW_PIPE_CONTROL_CS_STALL | HSW_PIPE_CONTROL_STORE_INDEX |
			  HSW_PIPE_CONTROL_GLOBAL_GTT | HSW_PIPE_CONTROL_WRITE_IMM;
		dw[n++] = HWS_SEQNO;
		dw[n++] = *seqno;
	} else {
		dw[n++] = HSW_MI_FLUSH_DW | HSW_MI_FLUSH_DW_OP_STOREDW | HSW_MI_FLUSH_DW_STORE_INDEX;
		dw[n++] = HWS_SEQNO | HSW_MI_FLUSH_DW_USE_GTT;
		dw[n++] = *seqno;
	}
	dw[n++] = HSW_MI_USER_INTERRUPT;
	if (n & 1u)
		dw[n++] = HSW_MI_NOOP;          /* TAIL moves in qwords */
	return ring_emit(d, r, dw, n);
}

uint32_t refdrv_completed_seqno(struct refdrv *d, enum refdrv_engine e)
{
	uint32_t v = 0;

	refdrv_bo_read(d, &d->ring[e].hwsp, HWS_SEQNO, &v, 4);
	return v;
}

int refdrv_wait_seqno(struct refdrv *d, enum refdrv_engine e, uint32_t seqno)
{
	for (uint32_t i = 0;; i++) {
		/* Interrupts that came with the completion are handled first. */
		poll_irqs(d);
		if ((int32_t)(refdrv_completed_seqno(d, e) - seqno) >= 0)
			return 0;
		if (refdrv_read(d, HSW_RING_EIR(d->ring[e].base)))
			return fail(d, REFDRV_EIO, "engine reported a command error");
		if (i >= wait_limit(d))
			return fail(d, REFDRV_ETIMEDOUT, "request did not complete");
		wait_once(d);
	}
}

/* ---- Display ----------------------------------------------------------------- */

int refdrv_display_set(struct refdrv *d, unsigned pipe, const struct refdrv_bo *fb,
		       uint32_t width, uint32_t height, uint32_t stride, unsigned hsw_format)
{
	if (pipe >= HSW_NUM_PIPES || !width || !height || width > 4096 || height > 4096)
		return fail(d, REFDRV_EINVAL, "bad display mode");
	if ((uint64_t)stride * height > fb->size)
		return fail(d, REFDRV_EINVAL, "framebuffer too small for the mode");
	refdrv_write(d, HSW_HTOTAL(pipe), ((width + 159u) << 16) | (width - 1u));
	refdrv_write(d, HSW_VTOTAL(pipe), ((height + 44u) << 16) | (height - 1u));
	refdrv_write(d, HSW_PIPESRC(pipe), ((width - 1u) << 16) | (height - 1u));
	refdrv_write(d, HSW_PIPECONF(pipe), HSW_PIPECONF_ENABLE);
	refdrv_write(d, HSW_DSPSTRIDE(pipe), stride);
	refdrv_write(d, HSW_DSPOFFSET(pipe), 0);
	refdrv_write(d, HSW_DSPCNTR(pipe), HSW_DSPCNTR_ENABLE |
		     ((uint32_t)hsw_format << HSW_DSPCNTR_FORMAT_SHIFT));
	refdrv_write(d, HSW_DSPSURF(pipe), fb->gm);
	return 0;
}

int refdrv_wait_vblank(struct refdrv *d, unsigned pipe)
{
	uint32_t start;

	if (pipe >= HSW_NUM_PIPES)
		return fail(d, REFDRV_EINVAL, "no such pipe");
	start = refdrv_read(d, HSW_PIPE_FRMCOUNT(pipe));
	for (uint32_t i = 0; i < wait_limit(d); i++) {
		poll_irqs(d);
		if (refdrv_read(d, HSW_PIPE_FRMCOUNT(pipe)) != start)
			return 0;
		wait_once(d);
	}
	return fail(d, REFDRV_ETIMEDOUT, "no vblank");
}

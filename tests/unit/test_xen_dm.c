/* SPDX-License-Identifier: MIT */
/*
 * The Xen transport (xen/transport/xen_dm.c, the real code) against an
 * in-memory Xen (fake_xenlibs.c) that stands in for the libraries it
 * links against: a vGPU on gensim is attached to a fake HVM domain, and
 * the test plays the hypervisor: it routes the guest's config, MMIO and
 * port accesses to the ioreq server that claims them, changes the guest's
 * p2m, leaves other device models' servers in the domain and makes any
 * library call fail.  What is checked is the transport's boundary with
 * Xen: guest frames to DMA addresses, the DMA slots, BAR claims and the
 * aperture mapping, the reclaim of orphan servers, and that every failed
 * attach (and every detach) gives back all it took.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_xenlibs.h"
#include "gensim.h"
#include "gensim_hw.h"
#include "hsw/hsw_regs.h"
#include "hsw/pci_regs.h"
#include "vgt/vgt.h"
#include "xen_transport.h"

#define SELF        0u              /* the domain vgtd runs in */
#define GUEST       5u
#define RAM_FRAMES  256u
#define SBDF        vgt_ioreq_sbdf(0, 0, 2, 0)
#define BAR0        0xF0000000ull
#define BAR2        0xC0000000ull
#define BAR4        0xC000u
#define APERTURE_MB 128u
#define AP_MADDR    0x2000000000ull  /* a real GPU's BAR2 in host-physical space */
#define PVINFO      0x78000u
#define GPADDR_BITS 39u

struct fx {
	struct gensim *gs[2];
	struct vgt_host *host[2];
	struct vgt_xen *x;
	struct vgt_xen_domain *d;
	struct vgt_error err;
};

/* ---- The world: a gensim host, the fake Xen, a guest -------------------------------- */

static void quiet(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	(void)level;
	(void)msg;
}

static void make_host(struct fx *f, unsigned i)
{
	struct gensim_config cfg;
	struct vgt_host_params p = { 0 };
	struct vgt_error err = { { 0 } };

	gensim_config_init(&cfg);
	cfg.memory_size = 64ull << 20;
	cfg.aperture_size = (uint64_t)APERTURE_MB << 20;
	assert_int_equal(gensim_create(&cfg, &f->gs[i]), 0);
	p.hw = &gensim_hw_ops;
	p.hw_handle = f->gs[i];
	p.log = quiet;
	if (vgt_host_create(&p, &f->host[i], &err))
		fail_msg("vgt_host_create: %s", err.msg);
}

static void add_guest(uint32_t domid, unsigned vcpus, uint8_t gpaddr_bits, unsigned frames)
{
	struct fake_domain d = { .domid = domid, .hvm = true, .vcpus = vcpus,
				 .gpaddr_bits = gpaddr_bits, .ram_frames = frames };

	assert_int_equal(fake_xen_add_domain(&d), 0);
}

/* The fake Xen and the transport's process-wide handles, no host yet. */
static void open_xen(struct fx *f)
{
	fake_xen_reset(SELF);
	add_guest(GUEST, 2, GPADDR_BITS, RAM_FRAMES);
	if (vgt_xen_open(&f->x, &f->err))
		fail_msg("vgt_xen_open: %s", f->err.msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	open_xen(f);
	make_host(f, 0);
	/* Guest frames reach the device through the DMA slots, as in vgtd. */
	gensim_set_external_memory(f->gs[0], vgt_xen_dma_access, f->x);
	*state = f;
	return 0;
}

/* What the transport holds once it is closed: nothing. */
static void assert_nothing_held(void)
{
	struct fake_xen_counts c;

	fake_xen_counts(&c);
	assert_int_equal(c.xc_handles + c.xs_handles + c.dm_handles + c.fm_handles +
			 c.evt_handles, 0);
	assert_int_equal(c.watches, 0);
	assert_int_equal(c.foreign_maps, 0);
	assert_int_equal(c.resources, 0);
	assert_int_equal(c.zombie_frames, 0);
	assert_int_equal(c.ports, 0);
	assert_int_equal(c.iomem_grants, 0);
	assert_int_equal(c.direct_maps, 0);
	assert_int_equal(c.bad_calls, 0);
}

static void close_all(struct fx *f)
{
	vgt_xen_detach(f->d);
	f->d = NULL;
	vgt_xen_close(f->x);
	f->x = NULL;
	for (unsigned i = 0; i < 2; i++) {
		if (f->host[i])
			vgt_host_destroy(f->host[i]);
		if (f->gs[i])
			gensim_destroy(f->gs[i]);
		f->host[i] = NULL;
		f->gs[i] = NULL;
	}
	assert_nothing_held();
}

static int teardown(void **state)
{
	struct fx *f = *state;

	close_all(f);
	free(f);
	return 0;
}

static void expect_nothing_left(struct fx *f, unsigned others);

static const struct vgt_vgpu_params small_vgpu = { .low_mb = 8, .high_mb = 8, .fences = 2 };

static int attach_to(struct fx *f, unsigned host, uint32_t domid, uint64_t ap_maddr,
		     const struct vgt_vgpu_params *vp, struct vgt_xen_domain **out)
{
	struct vgt_xen_attach a = { .domid = domid, .sbdf = SBDF, .aperture_maddr = ap_maddr,
				    .dma_slots = ap_maddr == 0 };

	memset(&f->err, 0, sizeof(f->err));
	return vgt_xen_attach(f->x, f->host[host], &a, vp, out, &f->err);
}

static void attach(struct fx *f, uint64_t ap_maddr)
{
	if (attach_to(f, 0, GUEST, ap_maddr, &small_vgpu, &f->d))
		fail_msg("attach: %s", f->err.msg);
}

static struct vgt_xen_domain_stats dstats(struct fx *f)
{
	struct vgt_xen_domain_stats s;

	vgt_xen_domain_stats(f->d, &s);
	return s;
}

/* ---- The guest, through Xen ----------------------------------------------------------- */

static int guest_io(uint32_t domid, uint8_t type, uint8_t dir, uint64_t addr, unsigned size,
		    uint64_t *data)
{
	ioreq_t req = { .addr = addr, .data = *data, .count = 1, .size = size, .dir = dir,
			.type = type };
	int ret = fake_xen_guest_io(domid, 0, &req);

	*data = req.data;
	return ret;
}

static void cfg_wr(uint32_t domid, uint32_t reg, unsigned size, uint32_t val)
{
	uint64_t v = val;

	assert_true(guest_io(domid, IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE,
			     (uint64_t)SBDF << 32 | reg, size, &v) >= 0);
}

static uint32_t cfg_rd(uint32_t domid, uint32_t reg, unsigned size)
{
	uint64_t v = 0;

	assert_true(guest_io(domid, IOREQ_TYPE_PCI_CONFIG, IOREQ_READ,
			     (uint64_t)SBDF << 32 | reg, size, &v) >= 0);
	return (uint32_t)v;
}

/* A 4-byte MMIO write; returns who answered, as fake_xen_guest_io. */
static int mmio_wr_to(uint32_t domid, uint64_t addr, uint32_t val)
{
	uint64_t v = val;

	return guest_io(domid, IOREQ_TYPE_COPY, IOREQ_WRITE, addr, 4, &v);
}

static int mmio_rd(uint64_t addr, uint32_t *val)
{
	uint64_t v = 0;
	int ret = guest_io(GUEST, IOREQ_TYPE_COPY, IOREQ_READ, addr, 4, &v);

	*val = (uint32_t)v;
	return ret;
}

static void set_bar64(uint32_t domid, unsigned bar, uint64_t addr)
{
	cfg_wr(domid, PCI_BAR(bar), 4, (uint32_t)addr);
	cfg_wr(domid, PCI_BAR(bar + 1), 4, (uint32_t)(addr >> 32));
}

/* What the guest's firmware does: place the BARs, then turn decoding on. */
static void place_bars(uint32_t domid)
{
	set_bar64(domid, 0, BAR0);
	set_bar64(domid, 2, BAR2);
	cfg_wr(domid, PCI_BAR(4), 4, BAR4);
	cfg_wr(domid, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
}

/* ---- Guest frames and the GTT ----------------------------------------------------------- */

static uint64_t slot_addr(unsigned slot, uint64_t gfn)
{
	return VGT_XEN_DMA_BASE + (uint64_t)slot * VGT_XEN_DMA_SLOT + gfn * 4096u;
}

/* The @n-th GTT entry of the vGPU's aperture slice. */
static uint32_t gtt_index(struct fx *f, unsigned n)
{
	struct vgt_vgpu_info info;

	vgt_vgpu_get_info(vgt_xen_domain_vgpu(f->d), &info);
	return (uint32_t)(info.low.base >> 12) + n;
}

static void gtt_write_to(uint32_t domid, uint32_t idx, uint64_t gfn)
{
	uint32_t pte = HSW_PTE_ENCODE(gfn << 12) | HSW_PTE_VALID;

	assert_true(mmio_wr_to(domid, BAR0 + HSW_GTT_OFFSET + 4ull * idx, pte) >= 0);
}

static void gtt_write(uint32_t idx, uint64_t gfn)
{
	gtt_write_to(GUEST, idx, gfn);
}

static uint32_t host_pte(struct fx *f, uint32_t idx)
{
	uint32_t pte = 0;

	assert_int_equal(gensim_gtt_read(f->gs[0], idx, &pte), 0);
	return pte;
}

static uint64_t frame_errors(struct fx *f)
{
	struct vgt_vgpu_info info;

	vgt_vgpu_get_info(vgt_xen_domain_vgpu(f->d), &info);
	return info.errors_by_kind[VGT_GERR_GTT_FRAME];
}

/* The entry is accepted and points the device at the frame's DMA address. */
static void expect_translated(struct fx *f, uint32_t idx, uint64_t gfn)
{
	gtt_write(idx, gfn);
	assert_int_equal(host_pte(f, idx), HSW_PTE_ENCODE(slot_addr(0, gfn)) | HSW_PTE_VALID);
}

/*
 * The entry is refused as a frame the guest does not own: the host entry
 * stays what it was (never a zero or stale frame).  The vGPU is reset
 * after, so that the next write is not dropped by failsafe.
 */
static void expect_refused(struct fx *f, uint32_t idx, uint64_t gfn)
{
	uint32_t before = host_pte(f, idx);
	uint64_t errors = frame_errors(f);

	gtt_write(idx, gfn);
	assert_int_equal(host_pte(f, idx), before);
	assert_int_equal(frame_errors(f), errors + 1);
	vgt_vgpu_reset(vgt_xen_domain_vgpu(f->d));
}

static void fill(uint32_t domid, uint64_t gfn, const char *text)
{
	uint8_t *page = fake_xen_frame(domid, gfn);

	assert_non_null(page);
	memset(page, 0, 4096);
	strcpy((char *)page, text);
}

/* ---- Guest frames to DMA addresses ---------------------------------------------------------- */

static void test_gfn_in_range(void **state)
{
	struct fx *f = *state;
	uint32_t idx;
	char buf[32] = { 0 };

	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	fill(GUEST, 7, "guest frame 7");
	expect_translated(f, idx, 7);
	/* The DMA address reaches that very frame, through the slot and the host GTT. */
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 7), buf, 14, false), 0);
	assert_string_equal(buf, "guest frame 7");
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gensim_aperture_read(f->gs[0], (uint64_t)idx << 12, buf, 14), 0);
	assert_string_equal(buf, "guest frame 7");
	assert_int_equal(gensim_aperture_write(f->gs[0], ((uint64_t)idx << 12) + 100, "dma", 4), 0);
	assert_string_equal((char *)fake_xen_frame(GUEST, 7) + 100, "dma");
	/* The first and last frame of the guest's RAM. */
	expect_translated(f, idx + 1, 0);
	expect_translated(f, idx + 2, RAM_FRAMES - 1);
}

static void test_gfn_beyond_ram(void **state)
{
	struct fx *f = *state;
	uint32_t idx;
	unsigned long maps;

	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	expect_translated(f, idx, 3);
	maps = fake_xen_calls(FX_FM_MAP);
	expect_refused(f, idx, RAM_FRAMES);
	expect_refused(f, idx, 0x100000);
	/* Xen was asked and said no; nothing stays mapped for the attempts. */
	assert_true(fake_xen_calls(FX_FM_MAP) > maps);
	assert_int_equal(fake_xen_domain_maps(GUEST), 1);
	assert_int_equal(host_pte(f, idx), HSW_PTE_ENCODE(slot_addr(0, 3)) | HSW_PTE_VALID);
}

/* Frames the guest's address width, or a DMA slot, cannot hold are refused unasked. */
static void test_gfn_beyond_address_width(void **state)
{
	struct fx *f = *state;
	uint64_t top = 1ull << (32 - 12), slot_frames = VGT_XEN_DMA_SLOT >> 12;
	uint32_t idx;
	unsigned long maps;

	vgt_xen_close(f->x);
	fake_xen_reset(SELF);
	add_guest(GUEST, 1, 32, 16);
	add_guest(GUEST + 1, 1, 40, 16);
	assert_int_equal(vgt_xen_open(&f->x, &f->err), 0);
	gensim_set_external_memory(f->gs[0], vgt_xen_dma_access, f->x);
	/* RAM where the p2m could have it, so that only the limits refuse. */
	fake_xen_populate(GUEST, top - 1);
	fake_xen_populate(GUEST, top);
	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	expect_translated(f, idx, top - 1);
	maps = fake_xen_calls(FX_FM_MAP);
	expect_refused(f, idx, top);
	assert_int_equal(fake_xen_calls(FX_FM_MAP), maps);
	vgt_xen_detach(f->d);
	f->d = NULL;

	/* 40 address bits: the guest has more than the 8 GiB a slot holds. */
	fake_xen_populate(GUEST + 1, slot_frames - 1);
	fake_xen_populate(GUEST + 1, slot_frames);
	if (attach_to(f, 0, GUEST + 1, 0, &small_vgpu, &f->d))
		fail_msg("attach: %s", f->err.msg);
	place_bars(GUEST + 1);
	idx = gtt_index(f, 0);
	gtt_write_to(GUEST + 1, idx, slot_frames - 1);
	assert_int_equal(host_pte(f, idx),
			 HSW_PTE_ENCODE(slot_addr(0, slot_frames - 1)) | HSW_PTE_VALID);
	maps = fake_xen_calls(FX_FM_MAP);
	gtt_write_to(GUEST + 1, idx, slot_frames);
	assert_int_equal(host_pte(f, idx),
			 HSW_PTE_ENCODE(slot_addr(0, slot_frames - 1)) | HSW_PTE_VALID);
	assert_int_equal(fake_xen_calls(FX_FM_MAP), maps);
}

static void test_gfn_hole(void **state)
{
	struct fx *f = *state;
	uint32_t idx;
	char buf[8];

	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	expect_translated(f, idx, 8);
	fake_xen_hole(GUEST, 9);
	expect_refused(f, idx, 9);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 9), buf, sizeof(buf), false),
			 -EFAULT);
	/* The neighbours are still RAM. */
	expect_translated(f, idx + 1, 10);
}

/*
 * A frame the guest gave back: Xen asks device models to drop their
 * mappings, and from then on the frame is refused, the DMA address that
 * pointed at it faults, and the transport holds no reference to it.
 */
static void test_gfn_ballooned(void **state)
{
	struct fx *f = *state;
	struct fake_xen_counts c;
	uint32_t idx;
	char buf[16];

	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	fill(GUEST, 11, "before balloon");
	expect_translated(f, idx, 11);
	fake_xen_balloon_out(GUEST, 11);
	fake_xen_counts(&c);
	assert_int_equal(c.zombie_frames, 1);       /* the mapping cache still holds it */
	assert_int_equal(fake_xen_invalidate(GUEST), 1);
	assert_int_equal(dstats(f).gmem_invalidations, 1);
	fake_xen_counts(&c);
	assert_int_equal(c.zombie_frames, 0);
	assert_int_equal(fake_xen_domain_maps(GUEST), 0);
	expect_refused(f, idx + 1, 11);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 11), buf, sizeof(buf), false),
			 -EFAULT);
	/* Given back to the guest, it is its RAM again (a fresh frame). */
	fake_xen_populate(GUEST, 11);
	fill(GUEST, 11, "after balloon");
	expect_translated(f, idx + 1, 11);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 11), buf, 14, false), 0);
	assert_string_equal(buf, "after balloon");
}

/* Xen refuses to map a frame (paged out, shared): refused, nothing stays mapped. */
static void test_gfn_map_refused(void **state)
{
	struct fx *f = *state;
	uint32_t idx;
	unsigned long maps;
	char buf[8];

	attach(f, 0);
	place_bars(GUEST);
	idx = gtt_index(f, 0);
	expect_translated(f, idx, 12);
	/* A mapping that comes back with the page's error set. */
	fake_xen_refuse_map(GUEST, 13, ENOENT);
	maps = fake_xen_calls(FX_FM_MAP);
	expect_refused(f, idx, 13);
	assert_true(fake_xen_calls(FX_FM_MAP) > maps);
	assert_int_equal(fake_xen_domain_maps(GUEST), 1);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 13), buf, sizeof(buf), false),
			 -EFAULT);
	assert_int_equal(fake_xen_domain_maps(GUEST), 1);
	/* A mapping call that fails as a whole, once: refused then, accepted after. */
	fake_xen_fail(FX_FM_MAP, 1, ENOMEM);
	expect_refused(f, idx, 14);
	expect_translated(f, idx, 14);
}

/* Xen's invalidate request empties the mapping cache; frames are mapped afresh after. */
static void test_invalidate_drops_mappings(void **state)
{
	struct fx *f = *state;
	uint8_t b;

	attach(f, 0);
	place_bars(GUEST);
	for (uint64_t gfn = 1; gfn <= 5; gfn++)
		assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, gfn), &b, 1, false), 0);
	assert_int_equal(fake_xen_domain_maps(GUEST), 5);
	assert_int_equal(dstats(f).gmem_maps, 5);
	assert_int_equal(fake_xen_invalidate(GUEST), 1);
	assert_int_equal(fake_xen_domain_maps(GUEST), 0);
	assert_int_equal(dstats(f).ioreq.invalidate, 1);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 1), &b, 1, false), 0);
	assert_int_equal(dstats(f).gmem_maps, 6);
	assert_int_equal(fake_xen_domain_maps(GUEST), 1);
}

/* ---- DMA slots ------------------------------------------------------------------------------ */

static void test_dma_limits(void **state)
{
	struct fx *f = *state;
	const uint64_t slot_frames = VGT_XEN_DMA_SLOT >> 12;
	uint8_t buf[16] = { 0 };
	uint8_t *p0, *p1;

	/* RAM on both sides of the slot's end, so that only the slot's limit refuses. */
	fake_xen_populate(GUEST, slot_frames - 1);
	fake_xen_populate(GUEST, slot_frames);
	attach(f, 0);
	assert_int_equal(vgt_xen_dma_access(f->x, 0, buf, 4, false), -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, VGT_XEN_DMA_BASE - 4096, buf, 4, false),
			 -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(VGT_XEN_DMA_SLOTS, 0), buf, 4, false),
			 -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, UINT64_MAX - 3, buf, 4, false), -EFAULT);
	/* Nobody in slot 1; slot 0's RAM ends where the guest's does. */
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(1, 0), buf, 4, false), -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, RAM_FRAMES), buf, 4, false),
			 -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, RAM_FRAMES) - 4, buf, 8, false),
			 -EFAULT);
	/* An access may not run from one slot into the next. */
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(1, 0) - 8, buf, 8, false), 0);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(1, 0) - 8, buf, 16, false), -EFAULT);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(1, 0) - 8, buf, 16, true), -EFAULT);
	assert_int_equal(*(uint32_t *)fake_xen_frame(GUEST, slot_frames), 0);
	/* Within the RAM, across a page boundary. */
	p0 = fake_xen_frame(GUEST, 0);
	p1 = fake_xen_frame(GUEST, 1);
	memcpy(p0 + 4092, "abcd", 4);
	memcpy(p1, "efgh", 4);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 1) - 4, buf, 8, false), 0);
	assert_memory_equal(buf, "abcdefgh", 8);
	memcpy(buf, "XYZW", 4);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 1) - 2, buf, 4, true), 0);
	assert_memory_equal(p0 + 4094, "XY", 2);
	assert_memory_equal(p1, "ZW", 2);
}

/* Domain @domid's marker in its first frame, to tell the slots apart. */
static void mark(uint32_t domid)
{
	uint32_t *p = fake_xen_frame(domid, 0);

	assert_non_null(p);
	*p = 0xD0D00000u | domid;
}

/* Which domain's RAM slot @slot shows, or 0. */
static uint32_t slot_owner(struct fx *f, unsigned slot)
{
	uint32_t v = 0;

	if (vgt_xen_dma_access(f->x, slot_addr(slot, 0), &v, 4, false))
		return 0;
	return (v & 0xFFFF0000u) == 0xD0D00000u ? v & 0xFFFFu : 0;
}

static void test_dma_slots_exhausted(void **state)
{
	struct fx *f = *state;
	const struct vgt_vgpu_params tiny = { .low_mb = 4, .high_mb = 4 };
	struct vgt_xen_domain *d[VGT_XEN_DMA_SLOTS + 1] = { NULL };
	struct fake_xen_counts before, after;
	bool seen[VGT_XEN_DMA_SLOTS] = { false };
	const uint32_t first = 10;

	/* 32 domains need two hosts: one holds at most 16 vGPUs. */
	make_host(f, 1);
	for (uint32_t i = 0; i <= VGT_XEN_DMA_SLOTS; i++) {
		add_guest(first + i, 1, GPADDR_BITS, 4);
		mark(first + i);
	}
	for (uint32_t i = 0; i < VGT_XEN_DMA_SLOTS; i++)
		if (attach_to(f, i % 2, first + i, 0, &tiny, &d[i]))
			fail_msg("attach %u: %s", i, f->err.msg);
	for (unsigned s = 0; s < VGT_XEN_DMA_SLOTS; s++) {
		uint32_t owner = slot_owner(f, s);

		assert_true(owner >= first && owner < first + VGT_XEN_DMA_SLOTS);
		assert_false(seen[owner - first]);
		seen[owner - first] = true;
	}
	fake_xen_counts(&before);
	assert_int_equal(attach_to(f, 0, first + VGT_XEN_DMA_SLOTS, 0, &tiny,
				   &d[VGT_XEN_DMA_SLOTS]), -ENOSPC);
	assert_non_null(strstr(f->err.msg, "32"));
	fake_xen_counts(&after);
	assert_memory_equal(&before, &after, sizeof(before));
	/* One leaves: the newcomer gets its slot. */
	assert_int_equal(slot_owner(f, 7), first + 7);
	vgt_xen_detach(d[7]);
	assert_int_equal(slot_owner(f, 7), 0);
	assert_int_equal(attach_to(f, 1, first + VGT_XEN_DMA_SLOTS, 0, &tiny, &d[7]), 0);
	assert_int_equal(slot_owner(f, 7), first + VGT_XEN_DMA_SLOTS);
	for (uint32_t i = 0; i < VGT_XEN_DMA_SLOTS; i++)
		vgt_xen_detach(d[i]);
	for (unsigned s = 0; s < VGT_XEN_DMA_SLOTS; s++)
		assert_int_equal(slot_owner(f, s), 0);
}

static void test_dma_slot_reuse(void **state)
{
	struct fx *f = *state;
	struct vgt_xen_domain *b = NULL, *c = NULL;
	struct vgt_vgpu_info info;

	add_guest(6, 1, GPADDR_BITS, 8);
	add_guest(7, 1, GPADDR_BITS, 8);
	mark(GUEST);
	mark(6);
	mark(7);
	attach(f, 0);
	assert_int_equal(attach_to(f, 0, 6, 0, &small_vgpu, &b), 0);
	assert_int_equal(slot_owner(f, 0), GUEST);
	assert_int_equal(slot_owner(f, 1), 6);
	/* The second domain's frames translate into its own slot. */
	place_bars(6);
	vgt_vgpu_get_info(vgt_xen_domain_vgpu(b), &info);
	gtt_write_to(6, (uint32_t)(info.low.base >> 12), 3);
	assert_int_equal(host_pte(f, (uint32_t)(info.low.base >> 12)),
			 HSW_PTE_ENCODE(slot_addr(1, 3)) | HSW_PTE_VALID);
	vgt_xen_detach(f->d);
	f->d = NULL;
	/* The released slot shows nothing, not the departed domain's memory. */
	assert_int_equal(slot_owner(f, 0), 0);
	assert_int_equal(fake_xen_domain_maps(GUEST), 0);
	assert_int_equal(attach_to(f, 0, 7, 0, &small_vgpu, &c), 0);
	assert_int_equal(slot_owner(f, 0), 7);
	assert_int_equal(slot_owner(f, 1), 6);
	vgt_xen_detach(c);
	vgt_xen_detach(b);
}

static void test_dma_same_domain_twice(void **state)
{
	struct fx *f = *state;
	struct vgt_xen_domain *again = NULL;
	struct fake_xen_counts before, after;

	/* On another host, so that only the transport can know. */
	make_host(f, 1);
	attach(f, 0);
	fake_xen_counts(&before);
	assert_int_equal(attach_to(f, 1, GUEST, 0, &small_vgpu, &again), -EEXIST);
	assert_null(again);
	assert_non_null(strstr(f->err.msg, "already"));
	fake_xen_counts(&after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(cfg_rd(GUEST, PCI_VENDOR_ID, 2), 0x8086);
}

/* ---- BAR claims ------------------------------------------------------------------------------- */

static unsigned our_id(struct fx *f)
{
	return dstats(f).ioservid;
}

static bool claim_is(struct fx *f, bool mmio, uint64_t base, uint64_t size)
{
	return !base || fake_xen_claimed(GUEST, our_id(f), mmio, base, base + size - 1);
}

/* Exactly these ranges (0: none), and no other, are claimed by our server. */
#define expect_claims(f, bar0, bar2, bar4) expect_claims_at(f, bar0, bar2, bar4, __LINE__)
static void expect_claims_at(struct fx *f, uint64_t bar0, uint64_t bar2, uint64_t bar4, int line)
{
	uint64_t r[4][2];
	unsigned mmio = fake_xen_ranges(GUEST, our_id(f), true, r, 4);
	unsigned pio = fake_xen_ranges(GUEST, our_id(f), false, r, 4);

	if (mmio != (unsigned)(bar0 != 0) + (bar2 != 0) || pio != (bar4 != 0) ||
	    !claim_is(f, true, bar0, HSW_BAR0_SIZE) ||
	    !claim_is(f, true, bar2, (uint64_t)APERTURE_MB << 20) ||
	    !claim_is(f, false, bar4, HSW_BAR4_SIZE))
		fail_msg("line %d: claims are not BAR0 0x%llx, BAR2 0x%llx, BAR4 0x%llx "
			 "(%u MMIO, %u port ranges)", line, (unsigned long long)bar0,
			 (unsigned long long)bar2, (unsigned long long)bar4, mmio, pio);
}

static void test_claims_pci_function(void **state)
{
	struct fx *f = *state;
	struct fake_server_view v;
	uint64_t data = 0;

	attach(f, 0);
	assert_true(fake_xen_server(GUEST, our_id(f), &v));
	assert_true(v.enabled);
	assert_int_equal(v.emulator, SELF);
	assert_int_equal(v.npcidev, 1);
	assert_int_equal(v.pcidev[0], SBDF);          /* 0000:00:02.0 */
	assert_int_equal(cfg_rd(GUEST, PCI_VENDOR_ID, 2), 0x8086);
	/* Each vCPU has its own slot and event channel. */
	for (unsigned vcpu = 0; vcpu < 2; vcpu++) {
		ioreq_t req = { .addr = (uint64_t)SBDF << 32 | PCI_VENDOR_ID, .count = 1, .size = 2,
				.dir = IOREQ_READ, .type = IOREQ_TYPE_PCI_CONFIG };

		assert_int_equal(fake_xen_guest_io(GUEST, vcpu, &req), (int)our_id(f));
		assert_int_equal(req.data, 0x8086);
	}
	/* Another function is not ours. */
	assert_int_equal(guest_io(GUEST, IOREQ_TYPE_PCI_CONFIG, IOREQ_READ,
				  (uint64_t)vgt_ioreq_sbdf(0, 0, 3, 0) << 32, 2, &data), -ENOENT);
	/* Nothing of the BARs before the guest turns decoding on. */
	set_bar64(GUEST, 0, BAR0);
	expect_claims(f, 0, 0, 0);
}

static void test_bars_claimed_where_placed(void **state)
{
	struct fx *f = *state;
	uint32_t v = 0;
	uint64_t data = 0;

	attach(f, 0);
	set_bar64(GUEST, 0, BAR0);
	set_bar64(GUEST, 2, BAR2);
	cfg_wr(GUEST, PCI_BAR(4), 4, BAR4);
	expect_claims(f, 0, 0, 0);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM);
	expect_claims(f, BAR0, BAR2, BAR4);
	/* Xen now routes the guest's accesses to us. */
	assert_int_equal(mmio_rd(BAR0 + PVINFO, &v), (int)our_id(f));
	assert_int_equal(v, 0x76544776);       /* "vGTv": the start of i915's VGT_MAGIC */
	assert_int_equal(guest_io(GUEST, IOREQ_TYPE_PIO, IOREQ_READ, BAR4, 4, &data),
			 (int)our_id(f));
	assert_int_equal(mmio_rd(BAR0 - 4, &v), -ENOENT);
	assert_int_equal(mmio_rd(BAR0 + HSW_BAR0_SIZE, &v), -ENOENT);
}

static void test_bar_move(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	attach(f, 0);
	place_bars(GUEST);
	expect_claims(f, BAR0, BAR2, BAR4);
	set_bar64(GUEST, 0, 0xE0000000ull);
	expect_claims(f, 0xE0000000ull, BAR2, BAR4);
	assert_int_equal(mmio_rd(BAR0 + PVINFO, &v), -ENOENT);
	assert_int_equal(mmio_rd(0xE0000000ull + PVINFO, &v), (int)our_id(f));
	/* Above 4 GiB (the upper half written last). */
	set_bar64(GUEST, 2, 0x800000000ull);
	expect_claims(f, 0xE0000000ull, 0x800000000ull, BAR4);
	cfg_wr(GUEST, PCI_BAR(4), 4, 0xD000);
	expect_claims(f, 0xE0000000ull, 0x800000000ull, 0xD000);
}

static void test_bar_decode_toggle(void **state)
{
	struct fx *f = *state;

	attach(f, 0);
	place_bars(GUEST);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO);
	expect_claims(f, 0, 0, BAR4);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_MEM);
	expect_claims(f, BAR0, BAR2, 0);
	cfg_wr(GUEST, PCI_COMMAND, 2, 0);
	expect_claims(f, 0, 0, 0);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM);
	expect_claims(f, BAR0, BAR2, BAR4);
	/* An FLR turns decoding off. */
	cfg_wr(GUEST, HSW_PCI_AF_CAP + 4, 1, 1);
	expect_claims(f, 0, 0, 0);
}

/* Xen refuses a range overlapping one the server claims: no crash, and the claim follows later. */
static void test_bar_overlap(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	attach(f, 0);
	place_bars(GUEST);
	set_bar64(GUEST, 0, BAR2 + 0x400000);
	expect_claims(f, 0, BAR2, BAR4);
	/* The access goes to BAR2's claim; the core answers it as BAR0 or BAR2, never twice. */
	assert_int_equal(mmio_rd(BAR2 + 0x400000 + PVINFO, &v), (int)our_id(f));
	set_bar64(GUEST, 2, 0xA0000000ull);
	expect_claims(f, BAR2 + 0x400000, 0xA0000000ull, BAR4);
	/* Two BARs on one address cannot both be claimed; moving one apart claims both. */
	set_bar64(GUEST, 0, 0xA0000000ull);
	expect_claims(f, 0, 0xA0000000ull, BAR4);
	set_bar64(GUEST, 0, BAR0);
	expect_claims(f, BAR0, 0xA0000000ull, BAR4);
}

static void test_bar_absurd_placements(void **state)
{
	struct fx *f = *state;
	uint32_t v;

	attach(f, 0);
	place_bars(GUEST);
	/* A BAR at 0 is not placed: nothing claimed for it. */
	set_bar64(GUEST, 0, 0);
	expect_claims(f, 0, BAR2, BAR4);
	assert_int_equal(mmio_rd(PVINFO, &v), -ENOENT);
	/* Ending exactly at 4 GiB. */
	set_bar64(GUEST, 0, 0xFFC00000ull);
	expect_claims(f, 0xFFC00000ull, BAR2, BAR4);
	/* At the very top of the 64-bit space: ends at 2^64 - 1, no wrap. */
	set_bar64(GUEST, 0, 0xFFFFFFFFFFC00000ull);
	expect_claims(f, 0xFFFFFFFFFFC00000ull, BAR2, BAR4);
	assert_int_equal(mmio_rd(0xFFFFFFFFFFC00000ull + PVINFO, &v), (int)our_id(f));
	/* Sizing while decoding: all ones, as firmware writes it. */
	cfg_wr(GUEST, PCI_BAR(2), 4, 0xFFFFFFFFu);
	cfg_wr(GUEST, PCI_BAR(3), 4, 0xFFFFFFFFu);
	expect_claims(f, 0xFFFFFFFFFFC00000ull, 0, BAR4);
	cfg_wr(GUEST, PCI_BAR(4), 4, 0xFFFFFFFFu);
	cfg_wr(GUEST, PCI_BAR(0), 4, 0);
	cfg_wr(GUEST, PCI_BAR(1), 4, 0);
	assert_int_equal(cfg_rd(GUEST, PCI_BAR(0), 4) & ~0xFu, 0);
	/* Back to sane places: everything claimed where it is. */
	place_bars(GUEST);
	expect_claims(f, BAR0, BAR2, BAR4);
	assert_int_equal(mmio_rd(BAR0 + PVINFO, &v), (int)our_id(f));
}

/* A claim Xen refuses (out of ranges) is retried when the guest touches the BARs again. */
static void test_bar_claim_refused(void **state)
{
	struct fx *f = *state;

	attach(f, 0);
	fake_xen_fail(FX_DM_MAP_IO_RANGE, 1, ENOSPC);
	place_bars(GUEST);
	expect_claims(f, 0, BAR2, BAR4);
	cfg_wr(GUEST, PCI_COMMAND, 2, 0);
	expect_claims(f, 0, 0, 0);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM);
	expect_claims(f, BAR0, BAR2, BAR4);
}

/*
 * A guest that makes Xen refuse its BAR placements in a loop: every refusal
 * is counted, a handful logged.
 */
static void test_bar_claim_refusals_bounded(void **state)
{
	struct fx *f = *state;
	FILE *tmp = tmpfile();
	char log[4096];
	unsigned lines = 0;
	int saved;
	size_t n;

	attach(f, 0);
	place_bars(GUEST);
	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	for (unsigned i = 0; i < 200; i++) {
		cfg_wr(GUEST, PCI_COMMAND, 2, 0);
		fake_xen_fail(FX_DM_MAP_IO_RANGE, 1, ENOSPC);
		cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM);
	}
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(log, 1, sizeof(log) - 1, tmp);
	log[n] = 0;
	fclose(tmp);
	for (char *p = log; (p = strchr(p, '\n')); p++)
		lines++;
	assert_int_equal(dstats(f).claims_refused, 200);
	assert_int_equal(lines, 8);
	assert_non_null(strstr(log, "further refusals are only counted"));
}

/* The aperture slice mapped where the guest's BAR2 puts it. */
static void expect_aperture(struct fx *f, uint64_t bar2)
{
	struct vgt_aperture_window w;
	struct fake_xen_counts c;
	uint64_t mfn, nr;

	vgt_vgpu_aperture_window(vgt_xen_domain_vgpu(f->d), &w);
	mfn = (AP_MADDR + w.host_off) >> 12;
	nr = w.size >> 12;
	assert_true(nr > 0);
	fake_xen_counts(&c);
	assert_int_equal(c.iomem_grants, bar2 != 0);
	assert_int_equal(c.direct_maps, bar2 != 0);
	if (!bar2)
		return;
	assert_true(fake_xen_iomem_allowed(GUEST, mfn, nr));
	assert_true(fake_xen_direct_mapped(GUEST, (bar2 + w.guest_off) >> 12, mfn, nr));
}

static void test_aperture_mapping_follows_bar2(void **state)
{
	struct fx *f = *state;

	attach(f, AP_MADDR);
	place_bars(GUEST);
	expect_aperture(f, BAR2);
	set_bar64(GUEST, 2, 0x800000000ull);
	expect_aperture(f, 0x800000000ull);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO);
	expect_aperture(f, 0);
	cfg_wr(GUEST, PCI_COMMAND, 2, PCI_CMD_IO | PCI_CMD_MEM);
	expect_aperture(f, 0x800000000ull);
	/* Moving BAR0 leaves the aperture alone. */
	set_bar64(GUEST, 0, 0xE0000000ull);
	expect_aperture(f, 0x800000000ull);
	vgt_xen_detach(f->d);
	f->d = NULL;
	expect_nothing_left(f, 0);
}

static void test_aperture_mapping_refused(void **state)
{
	struct fx *f = *state;

	attach(f, AP_MADDR);
	fake_xen_fail(FX_XC_MEMORY_MAPPING, 1, EPERM);
	place_bars(GUEST);
	/* No mapping and no permission left; BAR2 is trapped instead. */
	expect_aperture(f, 0);
	expect_claims(f, BAR0, BAR2, BAR4);
	fake_xen_fail(FX_XC_IOMEM_PERMISSION, 1, EPERM);
	set_bar64(GUEST, 2, 0xA0000000ull);
	expect_aperture(f, 0);
	expect_claims(f, BAR0, 0xA0000000ull, BAR4);
	set_bar64(GUEST, 2, BAR2);
	expect_aperture(f, BAR2);
}

/* ---- Orphan ioreq servers ------------------------------------------------------------------------ */

/* Runs attach with stderr going to @out. */
static int attach_capturing(struct fx *f, char *out, size_t len)
{
	FILE *tmp = tmpfile();
	int saved, ret;
	size_t n;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	ret = attach_to(f, 0, GUEST, 0, &small_vgpu, &f->d);
	fflush(stderr);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, len - 1, tmp);
	out[n] = 0;
	fclose(tmp);
	return ret;
}

static void test_reclaim_orphans_only(void **state)
{
	struct fx *f = *state;
	struct fake_server_view v;
	int orphan = fake_xen_add_server(GUEST, 7, true);
	int qemu = fake_xen_add_server(GUEST, SELF, false);
	unsigned long destroys = fake_xen_calls(FX_DM_DESTROY_SERVER);
	char log[1024];

	assert_int_equal(orphan, 0);
	assert_int_equal(qemu, 1);
	assert_int_equal(attach_capturing(f, log, sizeof(log)), 0);
	assert_int_equal(dstats(f).orphans_reclaimed, 1);
	assert_int_equal(fake_xen_calls(FX_DM_DESTROY_SERVER) - destroys, 1);
	assert_non_null(strstr(log, "destroyed ioreq server 0"));
	/* qemu-xen's server stays, untouched: its gfns were not even asked for. */
	assert_true(fake_xen_server(GUEST, 1, &v));
	assert_int_equal(v.emulator, SELF);
	assert_int_equal(v.gfn_requests, 0);
	/* Ours took the free id. */
	assert_int_equal(our_id(f), 0);
	assert_true(fake_xen_server(GUEST, 0, &v));
	assert_int_equal(v.emulator, SELF);
	assert_int_equal(v.gfn_requests, 0);
	vgt_xen_detach(f->d);
	f->d = NULL;
	assert_true(fake_xen_server(GUEST, 1, NULL));
	assert_false(fake_xen_server(GUEST, 0, NULL));
}

/* Stock Xen refuses to destroy another emulator's server: said so, attach goes on. */
static void test_reclaim_refused_reported(void **state)
{
	struct fx *f = *state;
	char log[1024];

	assert_int_equal(fake_xen_add_server(GUEST, 7, false), 0);
	assert_int_equal(fake_xen_add_server(GUEST, 8, true), 1);
	fake_xen_fail(FX_DM_DESTROY_SERVER, 2, EIO);
	assert_int_equal(attach_capturing(f, log, sizeof(log)), 0);
	assert_int_equal(dstats(f).orphans_reclaimed, 0);
	assert_true(fake_xen_server(GUEST, 0, NULL));
	assert_true(fake_xen_server(GUEST, 1, NULL));
	assert_int_equal(our_id(f), 2);
	assert_non_null(strstr(log, "ioreq server 0"));
	assert_non_null(strstr(log, strerror(EPERM)));
	assert_non_null(strstr(log, "ioreq server 1"));
	assert_non_null(strstr(log, strerror(EIO)));
	assert_int_equal(cfg_rd(GUEST, PCI_VENDOR_ID, 2), 0x8086);
}

/* Only EPERM marks an orphan: a probe failing otherwise destroys nothing. */
static void test_reclaim_needs_eperm(void **state)
{
	struct fx *f = *state;
	unsigned long destroys;

	assert_int_equal(fake_xen_add_server(GUEST, 7, true), 0);
	destroys = fake_xen_calls(FX_DM_DESTROY_SERVER);
	fake_xen_fail(FX_DM_GET_INFO, 1, EIO);
	attach(f, 0);
	assert_int_equal(fake_xen_calls(FX_DM_DESTROY_SERVER), destroys);
	assert_true(fake_xen_server(GUEST, 0, NULL));
	assert_int_equal(dstats(f).orphans_reclaimed, 0);
	assert_int_equal(our_id(f), 1);
}

/* ---- Attach's failure paths ----------------------------------------------------------------------- */

static void test_attach_refused_domains(void **state)
{
	struct fx *f = *state;
	struct fake_domain pv = { .domid = 20, .vcpus = 1, .ram_frames = 4 };
	struct fake_xen_counts before, after;

	assert_int_equal(fake_xen_add_domain(&pv), 0);
	add_guest(22, 1, GPADDR_BITS, 4);
	fake_xen_set_dying(22, true);
	add_guest(24, 1, GPADDR_BITS, 4);
	fake_xen_counts(&before);
	assert_int_equal(attach_to(f, 0, 20, 0, &small_vgpu, &f->d), -EINVAL);
	assert_non_null(strstr(f->err.msg, "PV"));
	assert_int_equal(attach_to(f, 0, 22, 0, &small_vgpu, &f->d), -ESRCH);
	assert_non_null(strstr(f->err.msg, "dying"));
	/* Xen answers with the next domain, 24: 23 does not exist. */
	assert_int_equal(attach_to(f, 0, 23, 0, &small_vgpu, &f->d), -ESRCH);
	assert_non_null(strstr(f->err.msg, "does not exist"));
	assert_int_equal(attach_to(f, 0, 99, 0, &small_vgpu, &f->d), -ESRCH);
	fake_xen_fail(FX_XC_GETINFO, 1, EACCES);
	assert_int_equal(attach_to(f, 0, GUEST, 0, &small_vgpu, &f->d), -EACCES);
	assert_non_null(strstr(f->err.msg, "not allowed"));
	assert_null(f->d);
	fake_xen_counts(&after);
	assert_memory_equal(&before, &after, sizeof(before));
}

/* After a failed attach: no server of ours, nothing mapped or bound, no vGPU, the slot free. */
static void expect_nothing_left(struct fx *f, unsigned others)
{
	struct fake_xen_counts c;
	struct vgt_host_info hi;
	uint8_t b;

	fake_xen_counts(&c);
	assert_int_equal(c.xc_handles, 1);
	assert_int_equal(c.xs_handles, 1);
	assert_int_equal(c.dm_handles + c.fm_handles + c.evt_handles, 0);
	assert_int_equal(c.foreign_maps + c.resources + c.zombie_frames + c.ports, 0);
	assert_true(c.servers <= others);
	assert_int_equal(c.enabled_servers + c.ranges + c.pcidevs, 0);
	assert_int_equal(c.iomem_grants + c.direct_maps, 0);
	assert_int_equal(c.bad_calls, 0);
	for (unsigned id = 0; id < 8; id++) {
		struct fake_server_view v;

		if (fake_xen_server(GUEST, id, &v) && v.emulator == SELF)
			assert_int_equal(id, 1);            /* qemu-xen's only */
	}
	vgt_host_get_info(f->host[0], &hi);
	assert_int_equal(hi.vgpus, 0);
	assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, 0), &b, 1, false), -EFAULT);
}

/* A fresh world with another emulator's orphan (id 0) and qemu-xen's server (id 1). */
static void fresh_world(struct fx *f, bool resources)
{
	close_all(f);
	open_xen(f);
	make_host(f, 0);
	fake_xen_no_resources(!resources);
	assert_int_equal(fake_xen_add_server(GUEST, 7, true), 0);
	assert_int_equal(fake_xen_add_server(GUEST, SELF, false), 1);
}

/* How often attach calls each library function when nothing fails. */
static void count_calls(struct fx *f, bool resources, unsigned long *n)
{
	unsigned long before[FX_CALLS];

	fresh_world(f, resources);
	for (unsigned c = 0; c < FX_CALLS; c++)
		before[c] = fake_xen_calls(c);
	attach(f, 0);
	for (unsigned c = 0; c < FX_CALLS; c++)
		n[c] = fake_xen_calls(c) - before[c];
	vgt_xen_detach(f->d);
	f->d = NULL;
}

/*
 * Every library call attach makes, failed in turn (each time it is made):
 * attach either fails, with a reason, and leaves nothing behind, or
 * tolerates it and serves the guest, and then detach leaves nothing.
 */
static void sweep(struct fx *f, bool resources)
{
	unsigned long n[FX_CALLS];
	unsigned failures = 0, tolerated = 0;

	count_calls(f, resources, n);
	for (unsigned c = 0; c < FX_CALLS; c++) {
		for (unsigned nth = 1; nth <= n[c]; nth++) {
			int ret;

			fresh_world(f, resources);
			fake_xen_fail(c, nth, EIO);
			ret = attach_to(f, 0, GUEST, 0, &small_vgpu, &f->d);
			if (ret) {
				assert_null(f->d);
				assert_true(f->err.msg[0] != 0);
				expect_nothing_left(f, 2);
				failures++;
				continue;
			}
			tolerated++;
			assert_int_equal(cfg_rd(GUEST, PCI_VENDOR_ID, 2), 0x8086);
			vgt_xen_detach(f->d);
			f->d = NULL;
			expect_nothing_left(f, 2);
		}
	}
	/* Both kinds happened: the sweep did reach the failure paths. */
	assert_true(failures >= 8);
	assert_true(tolerated >= 8);
}

static void test_attach_failures_resource_pages(void **state)
{
	sweep(*state, true);
}

static void test_attach_failures_legacy_pages(void **state)
{
	struct fx *f = *state;
	struct fake_server_view v;

	sweep(f, false);
	/* And the legacy way works: the pages by their gfns, given back at detach. */
	fresh_world(f, false);
	attach(f, 0);
	assert_false(dstats(f).resource_mapped);
	assert_true(fake_xen_server(GUEST, our_id(f), &v));
	assert_int_equal(v.gfn_requests, 1);
	assert_int_equal(fake_xen_domain_maps(GUEST), 2);
	place_bars(GUEST);
	expect_claims(f, BAR0, BAR2, BAR4);
}

static void test_attach_vgpu_refused(void **state)
{
	struct fx *f = *state;
	const struct vgt_vgpu_params huge = { .low_mb = 4096, .high_mb = 8 };
	const struct vgt_vgpu_params bad = { .low_mb = 0, .high_mb = 8 };

	assert_int_equal(attach_to(f, 0, GUEST, 0, &huge, &f->d), -ENOSPC);
	assert_non_null(strstr(f->err.msg, "does not fit"));
	expect_nothing_left(f, 0);
	assert_int_equal(attach_to(f, 0, GUEST, 0, &bad, &f->d), -EINVAL);
	expect_nothing_left(f, 0);
	attach(f, 0);
	assert_int_equal(cfg_rd(GUEST, PCI_VENDOR_ID, 2), 0x8086);
}

/* Detach after a full life gives everything back. */
static void test_detach_gives_back_everything(void **state)
{
	struct fx *f = *state;
	uint8_t b;

	attach(f, AP_MADDR);
	place_bars(GUEST);
	for (uint64_t gfn = 0; gfn < 20; gfn++)
		assert_int_equal(vgt_xen_dma_access(f->x, slot_addr(0, gfn), &b, 1, false), 0);
	expect_translated(f, gtt_index(f, 0), 3);
	vgt_xen_detach(f->d);
	f->d = NULL;
	expect_nothing_left(f, 0);
}

/* ---- The process-wide handles and dead domains ------------------------------------------------------ */

static void test_open_failures(void **state)
{
	struct fx *f = *state;
	struct vgt_xen *x = NULL;
	struct vgt_error err = { { 0 } };
	const enum fx_call calls[] = { FX_XC_OPEN, FX_XS_OPEN, FX_XS_WATCH };

	vgt_xen_close(f->x);
	f->x = NULL;
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		fake_xen_fail(calls[i], 1, EACCES);
		assert_int_equal(vgt_xen_open(&x, &err), -EACCES);
		assert_true(err.msg[0] != 0);
		assert_nothing_held();
	}
	assert_int_equal(vgt_xen_open(&f->x, &err), 0);
	gensim_set_external_memory(f->gs[0], vgt_xen_dma_access, f->x);
}

static void test_dead_domains(void **state)
{
	struct fx *f = *state;
	uint32_t dead[4];

	attach(f, 0);
	place_bars(GUEST);
	/* The watch fires once when set, with nobody dead. */
	assert_int_equal(vgt_xen_dead_domains(f->x, dead, 4), 0);
	assert_false(vgt_xen_domain_gone(f->x, GUEST));
	fake_xen_set_dying(GUEST, true);
	assert_int_equal(vgt_xen_dead_domains(f->x, dead, 4), 1);
	assert_int_equal(dead[0], GUEST);
	/* Gone altogether: Xen lists the next domain, or none. */
	fake_xen_destroy_domain(GUEST);
	assert_true(vgt_xen_domain_gone(f->x, GUEST));
	assert_int_equal(vgt_xen_dead_domains(f->x, dead, 4), 1);
	/* Detaching from a domain Xen no longer has still releases all. */
	vgt_xen_detach(f->d);
	f->d = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gfn_in_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfn_beyond_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfn_beyond_address_width, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfn_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfn_ballooned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gfn_map_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_drops_mappings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_slots_exhausted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_slot_reuse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dma_same_domain_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_claims_pci_function, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_claimed_where_placed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_move, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_decode_toggle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_absurd_placements, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_claim_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_claim_refusals_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aperture_mapping_follows_bar2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aperture_mapping_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_orphans_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_refused_reported, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reclaim_needs_eperm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_refused_domains, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_failures_resource_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_failures_legacy_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_attach_vgpu_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_gives_back_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dead_domains, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The Xen transport's protocol code against the real layout of Xen's
 * public ioreq header: shared and buffered pages laid out as Xen lays them
 * out, served by the real dispatcher into a real vGPU on gensim.  Also the
 * guest-memory mapping cache, with a backend that can balloon pages out.
 */
#include "core_harness.h"
#include "hsw/pci_regs.h"
#include "ioreq.h"
#include "guest_mem.h"

#define SBDF        vgt_ioreq_sbdf(0, 0, 2, 0)
#define BAR0_BASE   0xF0000000ull
#define BAR2_BASE   0xC0000000ull
#define BAR4_BASE   0xC000u
#define RAM_BASE    CH_GUEST_BASE       /* machine address of guest-physical 0 */
#define RAM_SIZE    CH_GUEST_RAM

struct fixture {
	struct core_harness h;
	struct vgt_vgpu *vgpu;
	struct vgt_ioreq_dev dev;
	shared_iopage_t *shared;
	buffered_iopage_t *buf;
	unsigned invalidations;
};

/* ---- The transport a Xen domain would have, over gensim memory ------------------ */

static int f_gfn_to_mfn(void *opaque, uint64_t gfn, uint64_t *mfn)
{
	(void)opaque;
	if (gfn >= RAM_SIZE >> 12)
		return -EFAULT;
	*mfn = (RAM_BASE >> 12) + gfn;
	return 0;
}

static int f_read_gpa(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct fixture *f = opaque;

	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	return gensim_mem_read(f->h.gs, RAM_BASE + gpa, buf, len);
}

static int f_write_gpa(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct fixture *f = opaque;

	if (gpa > RAM_SIZE || len > RAM_SIZE - gpa)
		return -EFAULT;
	return gensim_mem_write(f->h.gs, RAM_BASE + gpa, buf, len);
}

static int f_inject_msi(void *opaque, uint64_t addr, uint32_t data)
{
	(void)opaque; (void)addr; (void)data;
	return 0;
}

static void f_bar_update(void *opaque, unsigned bar, uint64_t addr, uint64_t size, bool enabled)
{
	struct fixture *f = opaque;

	vgt_ioreq_set_bar(&f->dev, bar, addr, size, enabled);
}

static const struct vgt_transport_ops f_ops = {
	.gfn_to_mfn = f_gfn_to_mfn,
	.read_gpa = f_read_gpa,
	.write_gpa = f_write_gpa,
	.inject_msi = f_inject_msi,
	.bar_update = f_bar_update,
};

static void f_invalidate(void *opaque)
{
	struct fixture *f = opaque;

	f->invalidations++;
}

/* ---- Requests as Xen writes them ---------------------------------------------- */

static uint64_t req(struct fixture *f, uint8_t type, uint8_t dir, uint64_t addr, uint32_t size,
		    uint64_t data)
{
	ioreq_t *s = &f->shared->vcpu_ioreq[1];

	memset(s, 0, sizeof(*s));
	s->addr = addr;
	s->data = data;
	s->count = 1;
	s->size = size;
	s->vp_eport = 7;
	s->dir = dir;
	s->type = type;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(s->state, STATE_IORESP_READY);
	assert_int_equal(s->vp_eport, 7);
	return s->data;
}

static uint64_t cfg_rd(struct fixture *f, uint32_t reg, unsigned size)
{
	return req(f, IOREQ_TYPE_PCI_CONFIG, IOREQ_READ, (uint64_t)SBDF << 32 | reg, size, 0);
}

static void cfg_wr(struct fixture *f, uint32_t reg, unsigned size, uint32_t val)
{
	req(f, IOREQ_TYPE_PCI_CONFIG, IOREQ_WRITE, (uint64_t)SBDF << 32 | reg, size, val);
}

static uint64_t mmio_rd(struct fixture *f, uint64_t addr, unsigned size)
{
	return req(f, IOREQ_TYPE_COPY, IOREQ_READ, addr, size, 0);
}

static void mmio_wr(struct fixture *f, uint64_t addr, unsigned size, uint64_t val)
{
	req(f, IOREQ_TYPE_COPY, IOREQ_WRITE, addr, size, val);
}

static struct vgt_ioreq_stats st(struct fixture *f)
{
	struct vgt_ioreq_stats s;

	vgt_ioreq_get_stats(&f->dev, &s);
	return s;
}

/* The guest's firmware (or the PVH test kernel) places and enables the BARs. */
static void place_bars(struct fixture *f)
{
	cfg_wr(f, PCI_BAR(0), 4, (uint32_t)BAR0_BASE);
	cfg_wr(f, PCI_BAR(1), 4, 0);
	cfg_wr(f, PCI_BAR(2), 4, (uint32_t)BAR2_BASE);
	cfg_wr(f, PCI_BAR(3), 4, 0);
	cfg_wr(f, PCI_BAR(4), 4, BAR4_BASE);
	cfg_wr(f, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_IO | PCI_CMD_MASTER);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct vgt_vgpu_params p = { 0 };
	struct vgt_error err = { { 0 } };

	assert_non_null(f);
	ch_create(&f->h);
	p.domid = 5;
	p.type = "vgt-64";
	p.ops = &f_ops;
	p.opaque = f;
	if (vgt_vgpu_create(f->h.host, &p, &f->vgpu, &err))
		fail_msg("vgt_vgpu_create: %s", err.msg);
	vgt_ioreq_dev_init(&f->dev, f->vgpu, SBDF, &f_ops, f);
	f->dev.invalidate = f_invalidate;
	/* Page-aligned like the frames Xen shares. */
	assert_int_equal(posix_memalign((void **)&f->shared, 4096, 4096), 0);
	assert_int_equal(posix_memalign((void **)&f->buf, 4096, 4096), 0);
	memset(f->shared, 0, 4096);
	memset(f->buf, 0, 4096);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	vgt_vgpu_destroy(f->vgpu);
	ch_destroy(&f->h);
	free(f->shared);
	free(f->buf);
	free(f);
	return 0;
}

/* ---- The layout is Xen's ------------------------------------------------------------ */

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(sizeof(ioreq_t), 32);
	assert_int_equal(sizeof(buf_ioreq_t), 8);
	assert_true(sizeof(buffered_iopage_t) <= 4096);
	assert_int_equal(offsetof(buffered_iopage_t, buf_ioreq), 8);
	assert_int_equal(vgt_ioreq_sbdf(0, 0, 2, 0), 0x10);
	assert_int_equal(vgt_ioreq_sbdf(1, 3, 31, 7), 0x103FF);
}

/* ---- PCI config ------------------------------------------------------------------------ */

static void test_pci_config(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(cfg_rd(f, 0, 2), 0x8086);
	assert_int_equal(cfg_rd(f, 0, 4) & 0xFFFF, 0x8086);
	assert_int_equal(cfg_rd(f, 1, 1), 0x80);
	/* Another function: Xen only forwards ours, but a stray one gets all ones. */
	assert_int_equal(req(f, IOREQ_TYPE_PCI_CONFIG, IOREQ_READ,
			     (uint64_t)vgt_ioreq_sbdf(0, 0, 3, 0) << 32, 4, 0), 0xFFFFFFFFu);
	assert_int_equal(st(f).unclaimed, 1);
	/* The last register of extended space is claimed; one past it is not. */
	cfg_rd(f, 4092, 4);
	assert_int_equal(st(f).unclaimed, 1);
	assert_int_equal(cfg_rd(f, 4094, 4), 0xFFFFFFFFu);
	assert_int_equal(st(f).unclaimed, 2);
	/* 8-byte config accesses do not exist. */
	assert_int_equal(cfg_rd(f, 0, 8), ~0ull);
	assert_int_equal(st(f).unclaimed, 3);
}

static void test_bars_follow_config(void **state)
{
	struct fixture *f = *state;

	/* Before the BARs are enabled nothing but config space is claimed. */
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_PVINFO_PAGE, 4), 0xFFFFFFFFu);
	assert_int_equal(st(f).unclaimed, 1);
	place_bars(f);
	assert_true(f->dev.bar[0].enabled && f->dev.bar[2].enabled && f->dev.bar[4].enabled);
	assert_int_equal(f->dev.bar[0].base, BAR0_BASE);
	assert_int_equal(f->dev.bar[2].base, BAR2_BASE);
	assert_int_equal(f->dev.bar[4].base, BAR4_BASE);
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_PVINFO_PAGE, 8), 0x4776544776544776ull);
	/* The guest moves BAR0: the old address is no longer claimed. */
	cfg_wr(f, PCI_BAR(0), 4, 0xE0000000u);
	assert_int_equal(f->dev.bar[0].base, 0xE0000000ull);
	assert_int_equal(mmio_rd(f, 0xE0000000ull + HSW_PVINFO_PAGE, 4), 0x76544776u);
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_PVINFO_PAGE, 4), 0xFFFFFFFFu);
	/* Memory decoding off: nothing in BAR0 or BAR2. */
	cfg_wr(f, PCI_COMMAND, 2, PCI_CMD_IO);
	assert_false(f->dev.bar[0].enabled);
	assert_false(f->dev.bar[2].enabled);
	assert_true(f->dev.bar[4].enabled);
}

/* ---- MMIO and port I/O ---------------------------------------------------------------- */

static void test_mmio_sizes(void **state)
{
	struct fixture *f = *state;
	uint64_t stride = BAR0_BASE + HSW_DSPSTRIDE(0);

	place_bars(f);
	mmio_wr(f, stride, 4, 0x1400);
	assert_int_equal(mmio_rd(f, stride, 4), 0x1400);
	assert_int_equal(mmio_rd(f, stride, 2), 0x1400);
	assert_int_equal(mmio_rd(f, stride + 1, 1), 0x14);
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_PVINFO_PAGE + 4, 4), 0x47765447u);
	/* An access that runs off the end of BAR0 is not claimed. */
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_BAR0_SIZE - 4, 8), ~0ull);
	assert_int_equal(st(f).unclaimed, 1);
	mmio_rd(f, BAR0_BASE + HSW_BAR0_SIZE - 8, 8);
	assert_int_equal(st(f).unclaimed, 1);
	assert_true(st(f).mmio >= 6);
}

static void test_pio_index_data(void **state)
{
	struct fixture *f = *state;

	place_bars(f);
	req(f, IOREQ_TYPE_PIO, IOREQ_WRITE, BAR4_BASE, 4, HSW_PVINFO_PAGE);
	assert_int_equal(req(f, IOREQ_TYPE_PIO, IOREQ_READ, BAR4_BASE + 4, 4, 0), 0x76544776u);
	assert_int_equal(st(f).pio, 2);
	/* A port outside BAR4, and an 8-byte port access, are answered with ones. */
	assert_int_equal(req(f, IOREQ_TYPE_PIO, IOREQ_READ, 0x80, 1, 0), 0xFF);
	assert_int_equal(req(f, IOREQ_TYPE_PIO, IOREQ_READ, BAR4_BASE, 8, 0), ~0ull);
	assert_int_equal(st(f).unclaimed, 2);
}

/* GTT entries for four of the guest's own frames, for the rep tests. */
static uint64_t gtt_addr(struct fixture *f, unsigned i)
{
	struct vgt_vgpu_info vi;

	vgt_vgpu_get_info(f->vgpu, &vi);
	return BAR0_BASE + HSW_GTT_OFFSET + ((vi.low.base >> 12) + i) * 4;
}

static void test_rep_data_is_ptr(void **state)
{
	struct fixture *f = *state;
	ioreq_t *s = &f->shared->vcpu_ioreq[0];
	uint32_t ptes[4], back[4] = { 0 };

	place_bars(f);
	for (unsigned i = 0; i < 4; i++)
		ptes[i] = ((0x100u + i) << 12) | HSW_PTE_VALID;
	assert_int_equal(f_write_gpa(f, 0x8000, ptes, sizeof(ptes)), 0);

	/* rep movsd from guest RAM into four GTT entries, upwards. */
	memset(s, 0, sizeof(*s));
	s->addr = gtt_addr(f, 0);
	s->data = 0x8000;
	s->count = 4;
	s->size = 4;
	s->data_is_ptr = 1;
	s->dir = IOREQ_WRITE;
	s->type = IOREQ_TYPE_COPY;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(mmio_rd(f, gtt_addr(f, i), 4), ptes[i]);

	/* And back with the direction flag set: both sides walk down. */
	memset(s, 0, sizeof(*s));
	s->addr = gtt_addr(f, 3);
	s->data = 0x9000 + 12;
	s->count = 4;
	s->size = 4;
	s->data_is_ptr = 1;
	s->df = 1;
	s->dir = IOREQ_READ;
	s->type = IOREQ_TYPE_COPY;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(s->data, 0x9000 + 12);        /* the pointer is not overwritten */
	assert_int_equal(f_read_gpa(f, 0x9000, back, sizeof(back)), 0);
	assert_memory_equal(back, ptes, sizeof(ptes));

	/* A buffer outside guest RAM: counted, nothing written. */
	memset(s, 0, sizeof(*s));
	s->addr = gtt_addr(f, 0);
	s->data = RAM_SIZE - 4;
	s->count = 2;
	s->size = 4;
	s->data_is_ptr = 1;
	s->dir = IOREQ_WRITE;
	s->type = IOREQ_TYPE_COPY;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).mem_faults, 1);
}

static void test_rep_port_string(void **state)
{
	struct fixture *f = *state;
	ioreq_t *s = &f->shared->vcpu_ioreq[0];
	uint32_t out[2] = { HSW_PVINFO_PAGE, HSW_PVINFO_PAGE + 4 }, in = 0;

	place_bars(f);
	assert_int_equal(f_write_gpa(f, 0x4000, out, sizeof(out)), 0);
	/* rep outsd to one port: the port does not advance, the buffer does. */
	memset(s, 0, sizeof(*s));
	s->addr = BAR4_BASE;
	s->data = 0x4000;
	s->count = 2;
	s->size = 4;
	s->data_is_ptr = 1;
	s->dir = IOREQ_WRITE;
	s->type = IOREQ_TYPE_PIO;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).pio, 2);
	/* The index holds the last value written: PVINFO + 4. */
	assert_int_equal(req(f, IOREQ_TYPE_PIO, IOREQ_READ, BAR4_BASE + 4, 4, 0), 0x47765447u);
	memset(s, 0, sizeof(*s));
	s->addr = BAR4_BASE + 4;
	s->data = 0x5000;
	s->count = 1;
	s->size = 4;
	s->data_is_ptr = 1;
	s->dir = IOREQ_READ;
	s->type = IOREQ_TYPE_PIO;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(f_read_gpa(f, 0x5000, &in, 4), 0);
	assert_int_equal(in, 0x47765447u);
}

/* ---- The synchronous slot --------------------------------------------------------------- */

static void test_slot_states(void **state)
{
	struct fixture *f = *state;
	ioreq_t *s = &f->shared->vcpu_ioreq[2];

	/* Spurious notifications (state NONE, INPROCESS, IORESP_READY) are left alone. */
	for (uint8_t st = STATE_IOREQ_NONE; st <= STATE_IORESP_READY; st++) {
		if (st == STATE_IOREQ_READY)
			continue;
		memset(s, 0, sizeof(*s));
		s->state = st;
		s->type = IOREQ_TYPE_COPY;
		assert_false(vgt_ioreq_service_slot(&f->dev, s));
		assert_int_equal(s->state, st);
	}
	/* The first request an ioreq server sees: invalidate its map cache. */
	memset(s, 0, sizeof(*s));
	s->type = IOREQ_TYPE_INVALIDATE;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(s->state, STATE_IORESP_READY);
	assert_int_equal(f->invalidations, 1);
	assert_int_equal(st(f).invalidate, 1);
	memset(s, 0, sizeof(*s));
	s->type = IOREQ_TYPE_TIMEOFFSET;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).timeoffset, 1);
}

static void test_malformed(void **state)
{
	struct fixture *f = *state;
	ioreq_t *s = &f->shared->vcpu_ioreq[0];
	uint64_t m;

	place_bars(f);
	/* Bad sizes. */
	assert_int_equal(mmio_rd(f, BAR0_BASE, 3), ~0ull);
	assert_int_equal(mmio_rd(f, BAR0_BASE, 0), ~0ull);
	assert_int_equal(mmio_rd(f, BAR0_BASE, 16), ~0ull);
	assert_int_equal(st(f).malformed, 3);
	/* Unknown type. */
	assert_int_equal(req(f, 5, IOREQ_READ, BAR0_BASE, 4, 0), ~0ull);
	assert_int_equal(st(f).malformed, 4);
	/* Zero count. */
	memset(s, 0, sizeof(*s));
	s->addr = BAR0_BASE + HSW_DSPSTRIDE(0);
	s->size = 4;
	s->count = 0;
	s->type = IOREQ_TYPE_COPY;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).malformed, 5);
	/* The repeat bound, both ways: exactly the bound is served, one more is not. */
	m = st(f).mmio;
	memset(s, 0, sizeof(*s));
	s->addr = BAR0_BASE + HSW_GTT_OFFSET;
	s->data = 0;
	s->size = 4;
	s->count = VGT_IOREQ_MAX_REP_BYTES / 4;
	s->data_is_ptr = 1;
	s->dir = IOREQ_READ;
	s->type = IOREQ_TYPE_COPY;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).mmio, m + VGT_IOREQ_MAX_REP_BYTES / 4);
	assert_int_equal(st(f).malformed, 5);
	s->count = VGT_IOREQ_MAX_REP_BYTES / 4 + 1;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).malformed, 6);
	assert_int_equal(st(f).mmio, m + VGT_IOREQ_MAX_REP_BYTES / 4);
	/* A count that overflows 32 bits times the size is refused, not wrapped. */
	s->count = 0xFFFFFFFFu;
	s->size = 8;
	s->state = STATE_IOREQ_READY;
	assert_true(vgt_ioreq_service_slot(&f->dev, s));
	assert_int_equal(st(f).malformed, 7);
	/* Addresses nobody claimed, at the edges of BAR2. */
	assert_int_equal(mmio_rd(f, BAR2_BASE - 4, 4), 0xFFFFFFFFu);
	assert_int_equal(st(f).unclaimed, 1);
	/* The vGPU is not hurt: its registers still answer. */
	assert_int_equal(mmio_rd(f, BAR0_BASE + HSW_PVINFO_PAGE, 4), 0x76544776u);
}

/* ---- The buffered ring ------------------------------------------------------------------ */

/* Appends a write as Xen's ioreq_send_buffered does (8 bytes take two slots). */
static void buf_push(buffered_iopage_t *pg, uint8_t type, uint32_t addr, unsigned size,
		     uint64_t data)
{
	buf_ioreq_t b = { 0 };
	uint32_t wp = pg->write_pointer;

	b.type = type;
	b.dir = IOREQ_WRITE;
	b.size = size == 1 ? 0 : size == 2 ? 1 : size == 4 ? 2 : 3;
	b.addr = addr & 0xFFFFF;
	b.data = (uint32_t)data;
	pg->buf_ioreq[wp % IOREQ_BUFFER_SLOT_NUM] = b;
	if (size == 8) {
		b.data = (uint32_t)(data >> 32);
		pg->buf_ioreq[(wp + 1) % IOREQ_BUFFER_SLOT_NUM] = b;
	}
	pg->write_pointer = wp + (size == 8 ? 2 : 1);
}

static void test_buffered_wrap_and_split(void **state)
{
	struct fixture *f = *state;
	const uint32_t reg = HSW_DSPSTRIDE(0);

	/* Buffered requests carry 20 address bits: put BAR0 low for this test. */
	vgt_ioreq_set_bar(&f->dev, 0, 0, HSW_BAR0_SIZE, true);
	/* Just before the ring wraps: the 8-byte write takes slots 510 and 0. */
	f->buf->read_pointer = f->buf->write_pointer = IOREQ_BUFFER_SLOT_NUM - 2;
	buf_push(f->buf, IOREQ_TYPE_COPY, reg, 4, 0x2000);
	buf_push(f->buf, IOREQ_TYPE_COPY, reg, 8, 0x1234567800003000ull);
	buf_push(f->buf, IOREQ_TYPE_COPY, reg + 8, 2, 0xBEEF);
	assert_int_equal(f->buf->buf_ioreq[0].data, 0x12345678u);
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 3);
	assert_int_equal(f->buf->read_pointer, f->buf->write_pointer);
	assert_int_equal(f->buf->read_pointer, IOREQ_BUFFER_SLOT_NUM + 2);
	assert_int_equal(mmio_rd(f, reg, 4), 0x3000);
	assert_int_equal(mmio_rd(f, reg + 4, 4), 0x12345678u);
	assert_int_equal(mmio_rd(f, reg + 8, 2), 0xBEEF);
	assert_int_equal(st(f).buffered, 3);
	/* An empty ring drains nothing. */
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 0);

	/* Pointers near 2^32 keep working across the 32-bit wrap. */
	f->buf->read_pointer = f->buf->write_pointer = 0xFFFFFFFFu;
	buf_push(f->buf, IOREQ_TYPE_COPY, reg, 4, 0x4000);
	buf_push(f->buf, IOREQ_TYPE_COPY, reg, 4, 0x5000);
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 2);
	assert_int_equal(f->buf->read_pointer, 1);
	assert_int_equal(mmio_rd(f, reg, 4), 0x5000);
}

static void test_buffered_malformed(void **state)
{
	struct fixture *f = *state;
	const uint32_t reg = HSW_DSPSTRIDE(0);
	buf_ioreq_t b = { 0 };

	vgt_ioreq_set_bar(&f->dev, 0, 0, HSW_BAR0_SIZE, true);
	mmio_wr(f, reg, 4, 0x100);
	/* A buffered read: nobody waits for it; skipped and counted. */
	b.type = IOREQ_TYPE_COPY;
	b.dir = IOREQ_READ;
	b.size = 2;
	b.addr = reg;
	f->buf->buf_ioreq[0] = b;
	f->buf->read_pointer = 0;
	f->buf->write_pointer = 1;
	buf_push(f->buf, IOREQ_TYPE_COPY, reg, 4, 0x200);
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 2);
	assert_int_equal(st(f).malformed, 1);
	assert_int_equal(mmio_rd(f, reg, 4), 0x200);
	/* Half an 8-byte write at the producer's edge: dropped, the ring resynced. */
	b.dir = IOREQ_WRITE;
	b.size = 3;
	f->buf->buf_ioreq[2] = b;
	f->buf->write_pointer = 3;
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 0);
	assert_int_equal(st(f).malformed, 2);
	assert_int_equal(f->buf->read_pointer, 3);
	/* Pointers further apart than the ring is long: dropped, resynced. */
	f->buf->read_pointer = 10;
	f->buf->write_pointer = 10 + IOREQ_BUFFER_SLOT_NUM + 1;
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), 0);
	assert_int_equal(st(f).malformed, 3);
	assert_int_equal(f->buf->read_pointer, f->buf->write_pointer);
	/* Exactly a full ring is fine. */
	f->buf->read_pointer = 0;
	f->buf->write_pointer = 0;
	for (unsigned i = 0; i < IOREQ_BUFFER_SLOT_NUM; i++)
		buf_push(f->buf, IOREQ_TYPE_COPY, reg, 4, i);
	assert_int_equal(vgt_ioreq_drain_buffered(&f->dev, f->buf), IOREQ_BUFFER_SLOT_NUM);
	assert_int_equal(st(f).malformed, 3);
	assert_int_equal(mmio_rd(f, reg, 4), IOREQ_BUFFER_SLOT_NUM - 1);
}

/* ---- The guest-memory cache ------------------------------------------------------------- */

#define FAKE_FRAMES 600u

struct fake_ram {
	uint8_t *page[FAKE_FRAMES];
	bool ballooned[FAKE_FRAMES];
	unsigned mapped;                 /* live mappings */
};

static void *fake_map(void *opaque, uint64_t gfn)
{
	struct fake_ram *r = opaque;

	if (gfn >= FAKE_FRAMES || r->ballooned[gfn]) {
		errno = EFAULT;
		return NULL;
	}
	r->mapped++;
	return r->page[gfn];
}

static void fake_unmap(void *opaque, void *va)
{
	struct fake_ram *r = opaque;

	(void)va;
	assert_true(r->mapped > 0);
	r->mapped--;
}

static const struct vgt_gmem_backend fake_backend = { .map = fake_map, .unmap = fake_unmap };

static void test_gmem_cache(void **state)
{
	struct fake_ram *r = calloc(1, sizeof(*r));
	struct vgt_gmem m;
	uint8_t buf[8192], want[8192];

	(void)state;
	assert_non_null(r);
	for (unsigned i = 0; i < FAKE_FRAMES; i++) {
		r->page[i] = malloc(4096);
		assert_non_null(r->page[i]);
		memset(r->page[i], (int)(i & 0xFF), 4096);
	}
	assert_int_equal(vgt_gmem_init(&m, &fake_backend, r, FAKE_FRAMES), 0);

	/* A read across three frames. */
	assert_int_equal(vgt_gmem_read(&m, 4096 * 3 + 4000, buf, 4096 + 200), 0);
	assert_int_equal(buf[0], 3);
	assert_int_equal(buf[96], 4);
	assert_int_equal(buf[4096 + 199], 5);
	assert_int_equal(m.maps, 3);
	/* Again: all hits. */
	assert_int_equal(vgt_gmem_read(&m, 4096 * 3 + 4000, buf, 4096 + 200), 0);
	assert_int_equal(m.maps, 3);
	assert_int_equal(m.hits, 3);

	/* Two frames on one cache line: the later evicts, both stay correct. */
	memset(want, 0xAB, sizeof(want));
	assert_int_equal(vgt_gmem_write(&m, 7 * 4096, want, 16), 0);
	assert_int_equal(vgt_gmem_read(&m, (7 + VGT_GMEM_SLOTS) * 4096, buf, 16), 0);
	assert_int_equal(buf[0], (7 + VGT_GMEM_SLOTS) & 0xFF);
	assert_int_equal(vgt_gmem_read(&m, 7 * 4096, buf, 16), 0);
	assert_memory_equal(buf, want, 16);
	assert_int_equal(r->page[7][15], 0xAB);

	/* The guest balloons frame 9 out; Xen says invalidate; the old page is never used. */
	assert_int_equal(vgt_gmem_read(&m, 9 * 4096, buf, 4), 0);
	r->ballooned[9] = true;
	vgt_gmem_invalidate(&m);
	assert_int_equal(r->mapped, 0);
	assert_int_equal(vgt_gmem_read(&m, 9 * 4096, buf, 4), -EFAULT);
	assert_int_equal(vgt_gmem_write(&m, 9 * 4096, buf, 4), -EFAULT);
	assert_int_equal(m.faults, 2);
	/* A copy that reaches a missing frame fails; frames before it were copied. */
	assert_int_equal(vgt_gmem_read(&m, 8 * 4096, buf, 8192), -EFAULT);
	/* Beyond the domain's address space, and wrapping around: refused. */
	assert_int_equal(vgt_gmem_read(&m, (uint64_t)FAKE_FRAMES * 4096 - 4, buf, 4), 0);
	assert_int_equal(vgt_gmem_read(&m, (uint64_t)FAKE_FRAMES * 4096 - 4, buf, 8), -EFAULT);
	assert_int_equal(vgt_gmem_read(&m, ~0ull - 2, buf, 8), -EFAULT);

	vgt_gmem_fini(&m);
	assert_int_equal(r->mapped, 0);
	for (unsigned i = 0; i < FAKE_FRAMES; i++)
		free(r->page[i]);
	free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test_setup_teardown(test_pci_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bars_follow_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mmio_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pio_index_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_data_is_ptr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rep_port_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffered_wrap_and_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffered_malformed, setup, teardown),
		cmocka_unit_test(test_gmem_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

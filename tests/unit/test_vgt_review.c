/* SPDX-License-Identifier: MIT */
/*
 * Regressions for holes found in review: each was a way for a guest to
 * reach beyond its own memory, exhaust the host or outlive a reset.
 */
#include "core_harness.h"
#include "hsw/hsw_cmds.h"


/* A fence must be whole tile rows of a pitch the hardware takes. */
static void test_fence_whole_tile_rows(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info gi;
	uint64_t host_before = 0, host_after = 0;
	uint32_t lo, hi;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	gi = ch_info(g);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(gi.host_fence[0]), 8, &host_before), 0);
	/* One page fenced with a 1 KiB pitch: half an X tile row (8 x 1 KiB). */
	lo = (uint32_t)(gi.low.base + gi.low.size - 4096) | HSW_FENCE_VALID;
	hi = (uint32_t)(gi.low.base + gi.low.size - 4096) | (1024u / 128u - 1u);
	vwr(g, HSW_FENCE_LO(0), 0);
	vwr(g, HSW_FENCE_HI(0), hi);
	vwr(g, HSW_FENCE_LO(0), lo);
	assert_true(ch_info(g).errors_by_kind[VGT_GERR_FENCE] >= 1);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(gi.host_fence[0]), 8, &host_after), 0);
	assert_int_equal(host_after, host_before);
	/* A pitch over the hardware's 256 KiB is refused too. */
	assert_int_equal(vgt_vgpu_reset(g->vgpu), 0);
	vwr(g, HSW_FENCE_HI(1), (uint32_t)(gi.low.base + (8u << 20) - 4096) | 0xFFFu);
	vwr(g, HSW_FENCE_LO(1), (uint32_t)gi.low.base | HSW_FENCE_VALID);
	assert_true(ch_info(g).errors_by_kind[VGT_GERR_FENCE] >= 1);
	/* Whole tile rows inside its memory are fine: 16 KiB = 2 rows of 8 x 1 KiB. */
	assert_int_equal(vgt_vgpu_reset(g->vgpu), 0);
	gi = ch_info(g);
	vwr(g, HSW_FENCE_HI(0), (uint32_t)(gi.low.base + 16384 - 4096) | (1024u / 128u - 1u));
	vwr(g, HSW_FENCE_LO(0), (uint32_t)gi.low.base | HSW_FENCE_VALID);
	assert_int_equal(ch_info(g).guest_errors, gi.guest_errors);
	assert_false(ch_info(g).failsafe);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(gi.host_fence[0]), 8, &host_after), 0);
	assert_int_equal(host_after, ((uint64_t)((uint32_t)(gi.low.base + 16384 - 4096) | 7u) << 32) |
			 ((uint32_t)gi.low.base | HSW_FENCE_VALID));
	ch_destroy(&h);
}

/* Many TAIL writes with nothing running: the host takes a bounded amount. */
static void test_queue_is_bounded(void **state)
{
	struct core_harness h;
	struct refdrv *d = calloc(1, sizeof(*d));
	struct refdrv_bo batch, buf;
	struct refdrv_batch *b = malloc(sizeof(*b));
	struct vgt_vgpu_info vi;
	uint32_t seq = 0;

	(void)state;
	assert_non_null(d);
	assert_non_null(b);
	ch_create(&h);
	ch_add_guest(&h, "vgt-64");
	assert_int_equal(refdrv_probe(d, &h.guest[0].plat), 0);
	assert_int_equal(refdrv_init(d), 0);
	assert_int_equal(refdrv_bo_alloc(d, 8192, false, &batch), 0);
	assert_int_equal(refdrv_bo_alloc(d, 4096, false, &buf), 0);
	refdrv_batch_init(b);
	refdrv_emit(b, HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT);
	refdrv_emit(b, 0);
	refdrv_emit(b, buf.gm);
	refdrv_emit(b, 1);
	assert_int_equal(refdrv_batch_finish(d, b, &batch), 0);
	/* 1500 submissions with the GPU never run: more than the per-engine cap. */
	for (unsigned i = 0; i < 1500; i++) {
		struct refdrv_ring *r = &d->ring[REFDRV_RCS];
		uint32_t dw[2] = { HSW_MI_BATCH_BUFFER_START, batch.gm };

		refdrv_bo_write(d, &r->ring, r->tail, dw, 8);
		r->tail = (r->tail + 8) % r->ring.size;
		refdrv_write(d, HSW_RING_TAIL(r->base), r->tail);
		if (r->tail == 0)
			break;          /* a full ring: the guest would wait here */
	}
	vgt_vgpu_get_info(h.guest[0].vgpu, &vi);
	assert_true(vi.workloads_submitted <= 256u);
	assert_int_equal(vi.guest_errors, 0);
	/* Running the GPU takes the rest in turn, and everything completes. */
	for (int i = 0; i < 20000 && (vi.workloads_completed < vi.workloads_submitted ||
				       d->ring[REFDRV_RCS].tail !=
				       (vrd(&h.guest[0], HSW_RING_HEAD(HSW_RCS_BASE)) & HSW_HEAD_ADDR)); i++) {
		vgt_host_run(h.host, 4096);
		vgt_vgpu_get_info(h.guest[0].vgpu, &vi);
	}
	assert_int_equal(vi.workloads_completed, vi.workloads_submitted);
	assert_int_equal(vrd(&h.guest[0], HSW_RING_HEAD(HSW_RCS_BASE)) & HSW_HEAD_ADDR,
			 d->ring[REFDRV_RCS].tail);
	(void)seq;
	free(b);
	free(d);
	ch_destroy(&h);
}

/* No per-process GTT: the enable bit is read-only and LRI to GFX_MODE refused. */
static void test_no_ppgtt(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	vwr(g, HSW_RING_MODE(HSW_RCS_BASE), (HSW_GFX_MODE_PPGTT_ENABLE << 16) | HSW_GFX_MODE_PPGTT_ENABLE);
	assert_int_equal(vrd(g, HSW_RING_MODE(HSW_RCS_BASE)) & HSW_GFX_MODE_PPGTT_ENABLE, 0);
	ch_destroy(&h);
}

/* Resets drop host fences; a mediator engine reset leaves its interrupt enabled. */
static void test_resets(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info gi;
	struct refdrv *d = calloc(1, sizeof(*d));
	struct refdrv_bo tgt, batch;
	struct refdrv_batch *b = malloc(sizeof(*b));
	uint64_t imr = 0, fence = 0;
	uint32_t seq;

	(void)state;
	assert_non_null(d);
	assert_non_null(b);
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	gi = ch_info(g);
	vwr(g, HSW_FENCE_HI(0), (uint32_t)(gi.low.base + 16384 - 4096) | (1024u / 128u - 1u));
	vwr(g, HSW_FENCE_LO(0), (uint32_t)gi.low.base | HSW_FENCE_VALID);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(gi.host_fence[0]), 4, &fence), 0);
	assert_true(fence & HSW_FENCE_VALID);
	vcfg_wr(g, HSW_PCI_AF_CAP + 4, 1, 1);           /* FLR */
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(gi.host_fence[0]), 4, &fence), 0);
	assert_int_equal(fence, 0);
	/* The guest resets the blitter while its own work is on it. */
	vcfg_wr(g, 0x04, 2, 0x7);
	assert_int_equal(refdrv_probe(d, &g->plat), 0);
	assert_int_equal(refdrv_init(d), 0);
	assert_int_equal(refdrv_bo_alloc(d, 1024 * 256, false, &tgt), 0);
	assert_int_equal(refdrv_bo_alloc(d, 8192, false, &batch), 0);
	refdrv_batch_init(b);
	refdrv_emit(b, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(b, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | 1024u);
	refdrv_emit(b, 0);
	refdrv_emit(b, (256u << 16) | 256u);
	refdrv_emit(b, tgt.gm);
	refdrv_emit(b, 5);
	assert_int_equal(refdrv_batch_finish(d, b, &batch), 0);
	assert_int_equal(refdrv_submit(d, REFDRV_BCS, &batch, &seq), 0);
	vwr(g, HSW_GDRST, HSW_GDRST_BLT);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_RING_IMR(HSW_BCS_BASE), 4, &imr), 0);
	assert_int_equal((uint32_t)imr, ~HSW_GT_BLT_USER_INTERRUPT);
	free(b);
	free(d);
	ch_destroy(&h);
}

/* A new vGPU's slices start empty in the host GTT. */
static void test_new_slice_is_clean(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info gi;
	uint32_t pte = 0;

	(void)state;
	ch_create(&h);
	/* Something left mappings where the next slice will be. */
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(gensim_gtt_write(h.gs, (64u << 20 >> 12) + i, 0x1001), 0);
	g = ch_add_guest(&h, "vgt-64");
	gi = ch_info(g);
	assert_int_equal(gi.low.base, 64u << 20);
	for (uint32_t i = 0; i < 64; i++) {
		assert_int_equal(gensim_gtt_read(h.gs, (uint32_t)(gi.low.base >> 12) + i, &pte), 0);
		/* Its own scratch page: not the host's, which other slices map. */
		assert_int_equal(pte, ch_vgpu_scratch_pte(g));
		assert_int_not_equal(pte, ch_host_scratch_pte(&h));
	}
	ch_destroy(&h);
}

/* Notify post-syncs reach the guest as the interrupts they raise on hardware. */
static void test_notify_interrupts(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct refdrv *d = calloc(1, sizeof(*d));
	struct refdrv_bo batch;
	struct refdrv_batch *b = malloc(sizeof(*b));
	uint32_t seq;

	(void)state;
	assert_non_null(d);
	assert_non_null(b);
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	assert_int_equal(refdrv_probe(d, &g->plat), 0);
	assert_int_equal(refdrv_init(d), 0);
	assert_int_equal(refdrv_bo_alloc(d, 8192, false, &batch), 0);
	vwr(g, HSW_RING_IMR(HSW_RCS_BASE), ~(HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_RENDER_PIPECTL_NOTIFY));
	vwr(g, HSW_GTIMR, ~(HSW_GT_RENDER_USER_INTERRUPT | HSW_GT_RENDER_PIPECTL_NOTIFY));
	refdrv_batch_init(b);
	refdrv_emit(b, HSW_GFX_OP_PIPE_CONTROL(4));
	refdrv_emit(b, HSW_PIPE_CONTROL_NOTIFY | HSW_PIPE_CONTROL_CS_STALL);
	refdrv_emit(b, 0);
	refdrv_emit(b, 0);
	assert_int_equal(refdrv_batch_finish(d, b, &batch), 0);
	assert_int_equal(refdrv_submit(d, REFDRV_RCS, &batch, &seq), 0);
	for (int i = 0; i < 1000 && refdrv_completed_seqno(d, REFDRV_RCS) != seq; i++)
		vgt_host_run(h.host, 4096);
	assert_int_equal(refdrv_completed_seqno(d, REFDRV_RCS), seq);
	assert_true(vrd(g, HSW_GTIIR) & HSW_GT_RENDER_PIPECTL_NOTIFY);
	free(b);
	free(d);
	ch_destroy(&h);
}

/* An 8-byte GTT write with one half refused writes neither half. */
static void test_gtt_pair_all_or_nothing(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info gi;
	uint32_t first, pte = 0;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	gi = ch_info(g);
	first = (uint32_t)(gi.low.base >> 12);
	/* Slices start at even entries, so a pair is never split by a slice edge;
	 * a frame the domain does not own in one half is what can refuse it. */
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 0, HSW_GTT_OFFSET + 4ull * first, 8,
					     (HSW_PTE_ENCODE(0x1000ull) | 1) |
					     ((uint64_t)(HSW_PTE_ENCODE(CH_GUEST_RAM + 0x1000ull) | 1) << 32)), 0);
	assert_int_equal(gensim_gtt_read(h.gs, first, &pte), 0);
	assert_int_equal(pte, ch_vgpu_scratch_pte(g));
	assert_int_equal(gensim_gtt_read(h.gs, first + 1, &pte), 0);
	assert_int_equal(pte, ch_vgpu_scratch_pte(g));
	assert_int_equal(ch_info(g).errors_by_kind[VGT_GERR_GTT_FRAME], 1);
	assert_int_equal(vrd(g, HSW_GTT_OFFSET + 4 * first), 0);
	ch_destroy(&h);
}

/* A context register the guest writes while it owns the engine reaches it. */
static void test_context_write_reaches_engine(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct refdrv *d = calloc(1, sizeof(*d));
	struct refdrv_bo batch;
	struct refdrv_batch *b = malloc(sizeof(*b));
	uint64_t phys = 0;
	uint32_t seq;

	(void)state;
	assert_non_null(d);
	assert_non_null(b);
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	assert_int_equal(refdrv_probe(d, &g->plat), 0);
	assert_int_equal(refdrv_init(d), 0);
	assert_int_equal(refdrv_bo_alloc(d, 8192, false, &batch), 0);
	refdrv_batch_init(b);
	refdrv_emit(b, HSW_MI_NOOP);
	assert_int_equal(refdrv_batch_finish(d, b, &batch), 0);
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(refdrv_submit(d, REFDRV_BCS, &batch, &seq), 0);
		for (int i = 0; i < 1000 && refdrv_completed_seqno(d, REFDRV_BCS) != seq; i++)
			vgt_host_run(h.host, 4096);
		if (k == 0)
			vwr(g, HSW_RING_HWSTAM(HSW_BCS_BASE), 0x12345678u);   /* it owns the blitter now */
	}
	assert_int_equal(gensim_mmio_read(h.gs, HSW_RING_HWSTAM(HSW_BCS_BASE), 4, &phys), 0);
	assert_int_equal(phys, 0x12345678u);
	assert_int_equal(vrd(g, HSW_RING_HWSTAM(HSW_BCS_BASE)), 0x12345678u);
	free(b);
	free(d);
	ch_destroy(&h);
}

/* A guest's RAM may not be the mediator's own memory, by a page either way. */
static void test_guest_ram_not_host_memory(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest g;
	struct vgt_vgpu_params p = { .domid = 9, .type = "vgt-32" };
	struct vgt_error err = { { 0 } };
	struct vgt_host_info hi;
	uint64_t end;

	(void)state;
	ch_create(&h);
	vgt_host_get_info(h.host, &hi);
	assert_true(hi.host_mem.size >= (32u << 20));
	end = hi.host_mem.base + hi.host_mem.size;
	/* Ending one page into it, and starting on its last page: refused. */
	assert_int_equal(vgt_inproc_guest_init(&g, h.host, h.gs, hi.host_mem.base, 1u << 20, &p,
					       &err), -EINVAL);
	assert_non_null(strstr(err.msg, "overlaps the mediator's own memory"));
	assert_int_equal(vgt_inproc_guest_init(&g, h.host, h.gs, end - 4096, 1u << 20, &p, &err),
			 -EINVAL);
	/* Right after it: accepted. */
	assert_int_equal(vgt_inproc_guest_init(&g, h.host, h.gs, end, 1u << 20, &p, &err), 0);
	vgt_inproc_guest_fini(&g);
	ch_destroy(&h);
}

/* ---- Guest-caused log lines stay bounded across resets ------------------------- */

struct log_tally {
	unsigned lines, warn, debug, suppressed;
	char suppressed_msg[256];
};

static void tally_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	struct log_tally *t = opaque;

	t->lines++;
	t->warn += level <= VGT_LOG_WARN;
	t->debug += level == VGT_LOG_DEBUG;
	if (strstr(msg, "suppressed")) {
		t->suppressed++;
		snprintf(t->suppressed_msg, sizeof(t->suppressed_msg), "%s", msg);
	}
}

/* ch_create with the log counted here and the debug channels a guest reaches on. */
static void tally_create(struct core_harness *h, struct log_tally *t)
{
	struct gensim_config cfg;
	struct vgt_host_params p = { 0 };
	struct vgt_error err = { { 0 } };

	memset(h, 0, sizeof(*h));
	memset(t, 0, sizeof(*t));
	gensim_config_init(&cfg);
	cfg.memory_size = CH_MEMORY;
	assert_int_equal(gensim_create(&cfg, &h->gs), 0);
	p.hw = &gensim_hw_ops;
	p.hw_handle = h->gs;
	p.log = tally_log;
	p.log_opaque = t;
	p.debug_mask = VGT_DBG_CFG | VGT_DBG_MMIO | VGT_DBG_GTT | VGT_DBG_FENCE;
	if (vgt_host_create(&p, &h->host, &err))
		fail_msg("vgt_host_create: %s", err.msg);
}

/*
 * A guest that loops a bad access and a reset (FLR, or the toolstack's
 * vGPU reset) makes a bounded number of log lines, however long it goes
 * on: the "logged once" latch is cleared by the reset, the log budget is
 * not.  The counters still count every event, and once the interval has
 * passed the host says how many lines it dropped.
 */
static void test_guest_log_bounded_across_resets(void **state)
{
	enum { LOOPS = 10000 };
	struct core_harness h;
	struct log_tally t;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info vi;
	unsigned base;
	char want[64];

	(void)state;
	tally_create(&h, &t);
	g = ch_add_guest(&h, "vgt-64");
	base = t.lines;
	for (unsigned i = 0; i < LOOPS; i++) {
		vwr(g, 0x78040, 0);                     /* read-only PVINFO: a guest error */
		vrd(g, 0x7300);                         /* a register the table does not list */
		vwr(g, HSW_GTT_OFFSET, 0);              /* GTT entry 0 is the mediator's */
		if (i & 1)
			vcfg_wr(g, HSW_PCI_AF_CAP + 4, 1, 1);   /* FLR */
		else
			assert_int_equal(vgt_vgpu_reset(g->vgpu), 0);
	}
	vi = ch_info(g);
	assert_int_equal(vi.guest_errors, 2 * LOOPS);
	assert_int_equal(vi.errors_by_kind[VGT_GERR_PVINFO], LOOPS);
	assert_int_equal(vi.errors_by_kind[VGT_GERR_GTT_RANGE], LOOPS);
	assert_int_equal(vi.unlisted_regs, LOOPS);
	/* Some of it was said, a bounded amount: the warnings and the debug lines each. */
	assert_true(t.warn >= 1 && t.warn <= 12);
	assert_true(t.debug >= 1 && t.debug <= 12);
	assert_true(t.lines - base <= 24);
	assert_int_equal(t.suppressed, 0);

	/* The interval passes: the next line first reports what was dropped. */
	assert_int_equal(gensim_advance_time(h.gs, 60ull * 1000000000ull), 0);
	assert_int_equal(vgt_vgpu_reset(g->vgpu), 0);
	base = t.warn;
	vwr(g, 0x78040, 0);
	assert_int_equal(t.warn, base + 2);
	assert_int_equal(t.suppressed, 1);
	snprintf(want, sizeof(want), " %u guest-caused messages suppressed", 2 * LOOPS - base);
	assert_non_null(strstr(t.suppressed_msg, want));
	assert_int_equal(ch_info(g).guest_errors, 2 * LOOPS + 1);
	/* Going away, it says what debug lines it dropped since. */
	vgt_inproc_guest_fini(g);
	h.nguests = 0;
	assert_int_equal(t.suppressed, 2);
	ch_destroy(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fence_whole_tile_rows),
		cmocka_unit_test(test_queue_is_bounded),
		cmocka_unit_test(test_no_ppgtt),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_new_slice_is_clean),
		cmocka_unit_test(test_notify_interrupts),
		cmocka_unit_test(test_gtt_pair_all_or_nothing),
		cmocka_unit_test(test_context_write_reaches_engine),
		cmocka_unit_test(test_guest_ram_not_host_memory),
		cmocka_unit_test(test_guest_log_bounded_across_resets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

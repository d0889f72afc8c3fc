/* SPDX-License-Identifier: MIT */
/*
 * Tests of libvgt's command-submission half: ring virtualization (submit.c),
 * the command audit (cmd_parser.c), the scheduler and its policy
 * (scheduler.c, sched_policy.c) and virtual interrupts (virq.c).
 *
 * The guests are in-process domains on gensim.  They run the reference
 * driver, or write their rings and batch buffers by hand where a test needs
 * commands the driver would never send.  Where a test waits it drives the
 * host itself (vgt_host_run, with device time passing when nothing runs),
 * so that every step is deterministic.
 *
 * The adversarial tests share one shape: three victims and one attacker on
 * a host with a short hang bound.  The attack first runs alone, with the
 * victims idle, and their RAM, the mediator's memory and GTT slices and the
 * host fences must be unchanged; then the attacker is reset and attacks
 * again while the victims work, and the victims must complete as much in
 * the same number of host-run steps (and per device time) as in a baseline
 * run without the attacker, with exactly the memory the baseline produced.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"

#define PAGE            4096u
#define RUN_CMDS        4096u           /* commands per host-run step when only waiting */
#define IDLE_NS         1000000ull      /* device time passing in a step where nothing ran */
#define E_RCS           0u              /* vgt engine indexes (engine_ns, engine_resets) */
#define E_VCS           1u
#define E_BCS           2u
#define E_VECS          3u
#define PROG_MAX        8192u
#define PCI_COMMAND     0x04u
#define MSI_CTRL        (HSW_PCI_MSI_CAP + 2u)
#define AF_CTRL         (HSW_PCI_AF_CAP + 4u)   /* 0xA8: writing 1 starts a function-level reset */

/*
 * The mediator's own memory (scheduler.c): machine memory [0, 32 MiB) by
 * default, mapped one to one at the start of its hidden slice.  Per engine
 * e: a status page at 4 KiB * e, a 2 MiB physical ring at 1 MiB + 2 MiB * e
 * and a 4 MiB shadow-batch pool at 16 MiB + 4 MiB * e.
 */
#define HOST_MEM        (32u << 20)
#define HOST_SEQNO(e)   (PAGE * (e))
#define HOST_RING(e)    (0x100000u + 0x200000u * (e))
#define HOST_POOL(e)    (0x1000000u + 0x400000u * (e))

/* ---- Resources ---------------------------------------------------------------- */

/*
 * What a test holds is tracked, so that the teardown releases it when an
 * assertion ends the test early.
 */
#define TRACK_MAX       16

static struct core_harness *live_h[TRACK_MAX];
static void *live_mem[TRACK_MAX];

static void *zalloc(size_t size)
{
	void *p = calloc(1, size);

	assert_non_null(p);
	for (unsigned i = 0; i < TRACK_MAX; i++)
		if (!live_mem[i]) {
			live_mem[i] = p;
			return p;
		}
	free(p);
	fail_msg("more than %u tracked allocations", TRACK_MAX);
	return NULL;
}

static void zfree(void *p)
{
	for (unsigned i = 0; i < TRACK_MAX; i++)
		if (live_mem[i] == p)
			live_mem[i] = NULL;
	free(p);
}

static void h_track(struct core_harness *h)
{
	for (unsigned i = 0; i < TRACK_MAX; i++)
		if (!live_h[i]) {
			live_h[i] = h;
			return;
		}
	fail_msg("more than %u live harnesses", TRACK_MAX);
}

static void h_release(struct core_harness *h)
{
	for (unsigned i = 0; i < TRACK_MAX; i++)
		if (live_h[i] == h)
			live_h[i] = NULL;
	ch_destroy(h);
}

static int cleanup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < TRACK_MAX; i++)
		if (live_h[i]) {
			ch_destroy(live_h[i]);
			live_h[i] = NULL;
		}
	for (unsigned i = 0; i < TRACK_MAX; i++) {
		free(live_mem[i]);
		live_mem[i] = NULL;
	}
	return 0;
}

/* ch_create, tracked. */
static void h_default(struct core_harness *h)
{
	ch_create(h);
	h_track(h);
}

/* ---- Small helpers ------------------------------------------------------------ */

struct prog {
	unsigned n;
	uint32_t dw[PROG_MAX];
};

static struct prog *prog_new(void)
{
	return zalloc(sizeof(struct prog));
}

static void prog_reset(struct prog *p)
{
	p->n = 0;
}

static void emit(struct prog *p, uint32_t v)
{
	if (p->n >= PROG_MAX)
		fail_msg("test program longer than %u dwords", PROG_MAX);
	p->dw[p->n++] = v;
}

static void p_sdi(struct prog *p, uint32_t gm, uint32_t v)
{
	emit(p, HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT);
	emit(p, 0);
	emit(p, gm);
	emit(p, v);
}

static void p_sdi_qw(struct prog *p, uint32_t gm, uint32_t lo, uint32_t hi)
{
	emit(p, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 3) | HSW_MI_USE_GGTT);
	emit(p, 0);
	emit(p, gm);
	emit(p, lo);
	emit(p, hi);
}

static void p_lri(struct prog *p, uint32_t reg, uint32_t v)
{
	emit(p, HSW_MI_LOAD_REGISTER_IMM(1));
	emit(p, reg);
	emit(p, v);
}

static void p_srm(struct prog *p, uint32_t reg, uint32_t gm)
{
	emit(p, HSW_MI_STORE_REGISTER_MEM | HSW_MI_USE_GGTT);
	emit(p, reg);
	emit(p, gm);
}

static void p_lrm(struct prog *p, uint32_t reg, uint32_t gm)
{
	emit(p, HSW_MI_LOAD_REGISTER_MEM | HSW_MI_USE_GGTT);
	emit(p, reg);
	emit(p, gm);
}

static void p_bbs(struct prog *p, uint32_t gm, uint32_t flags)
{
	emit(p, HSW_MI_BATCH_BUFFER_START | flags);
	emit(p, gm);
}

static void p_end(struct prog *p)
{
	emit(p, HSW_MI_BATCH_BUFFER_END);
}

/* 32 bpp XY_COLOR_BLT; @pitch is the BR13 pitch field (bytes, or dwords when tiled). */
static void p_fill(struct prog *p, uint32_t flags, uint32_t pitch, uint32_t x1, uint32_t y1,
		   uint32_t x2, uint32_t y2, uint32_t gm, uint32_t color)
{
	emit(p, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA | flags);
	emit(p, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | (pitch & 0xFFFFu));
	emit(p, (y1 << 16) | x1);
	emit(p, (y2 << 16) | x2);
	emit(p, gm);
	emit(p, color);
}

static void p_copy(struct prog *p, uint32_t dpitch, uint32_t x1, uint32_t y1, uint32_t x2,
		   uint32_t y2, uint32_t dst, uint32_t sx, uint32_t sy, uint32_t spitch, uint32_t src)
{
	emit(p, HSW_XY_SRC_COPY_BLT | HSW_BLT_WRITE_RGBA);
	emit(p, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_SRCCOPY << HSW_BR13_ROP_SHIFT) | (dpitch & 0xFFFFu));
	emit(p, (y1 << 16) | x1);
	emit(p, (y2 << 16) | x2);
	emit(p, dst);
	emit(p, (sy << 16) | sx);
	emit(p, spitch & 0xFFFFu);
	emit(p, src);
}

/* PIPE_CONTROL with an immediate post-sync write: 4 dwords (dword) or 5 (qword). */
static void p_pc(struct prog *p, uint32_t flags, uint32_t addr, uint32_t v, bool qword)
{
	emit(p, HSW_GFX_OP_PIPE_CONTROL(qword ? 5u : 4u));
	emit(p, HSW_PIPE_CONTROL_CS_STALL | HSW_PIPE_CONTROL_GLOBAL_GTT | flags);
	emit(p, addr);
	emit(p, v);
	if (qword)
		emit(p, 0);
}

/* MI_FLUSH_DW with post-sync operation @op (3 dwords). */
static void p_flush(struct prog *p, uint32_t op, uint32_t flags, uint32_t addr, uint32_t v)
{
	emit(p, HSW_MI_FLUSH_DW | (op << HSW_MI_FLUSH_DW_OP_SHIFT) | flags);
	emit(p, addr | HSW_MI_FLUSH_DW_USE_GTT);
	emit(p, v);
}

static struct refdrv_bo bo_new(struct refdrv *d, uint32_t size, bool mappable)
{
	struct refdrv_bo bo;

	if (refdrv_bo_alloc(d, size, mappable, &bo))
		fail_msg("refdrv_bo_alloc(%u): %s", size, refdrv_strerror(d));
	return bo;
}

static void bo_prog(struct refdrv *d, const struct refdrv_bo *bo, const struct prog *p)
{
	assert_true(p->n * 4u <= bo->size);
	assert_int_equal(refdrv_bo_write(d, bo, 0, p->dw, p->n * 4u), 0);
}

static void bo_zero(struct refdrv *d, const struct refdrv_bo *bo)
{
	static const uint8_t zeros[PAGE];

	for (uint32_t off = 0; off < bo->size; off += PAGE)
		assert_int_equal(refdrv_bo_write(d, bo, off, zeros, PAGE), 0);
}

/* Number of dwords of @bo[off, off + len) that differ from @v. */
static uint32_t bo_count_not(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off, uint32_t len,
			     uint32_t v)
{
	uint32_t *buf = zalloc(len), bad = 0;

	assert_int_equal(refdrv_bo_read(d, bo, off, buf, len), 0);
	for (uint32_t i = 0; i < len / 4u; i++)
		bad += buf[i] != v;
	zfree(buf);
	return bad;
}

/* Guest rings written by hand: commands go at the driver's TAIL, padded to a qword. */
static void gring_put(struct refdrv *d, enum refdrv_engine e, const uint32_t *dw, unsigned n)
{
	struct refdrv_ring *r = &d->ring[e];

	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(refdrv_bo_write(d, &r->ring, r->tail, &dw[i], 4), 0);
		r->tail = (r->tail + 4u) % r->ring.size;
	}
}

static void gring_kick(struct refdrv *d, enum refdrv_engine e)
{
	refdrv_write(d, HSW_RING_TAIL(d->ring[e].base), d->ring[e].tail);
}

static void gring_submit(struct refdrv *d, enum refdrv_engine e, const struct prog *p)
{
	static const uint32_t noop = HSW_MI_NOOP;

	gring_put(d, e, p->dw, p->n);
	if (p->n & 1u)
		gring_put(d, e, &noop, 1);
	gring_kick(d, e);
}

static void guest_up(struct refdrv *d, struct vgt_inproc_guest *g)
{
	if (refdrv_probe(d, &g->plat))
		fail_msg("refdrv_probe (domain %u): %s", g->domid, refdrv_strerror(d));
	if (refdrv_init(d))
		fail_msg("refdrv_init (domain %u): %s", g->domid, refdrv_strerror(d));
}

/* The mediator's last log line: the reason of the latest refusal. */
static char last_log[512];

static void t_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	struct core_harness *h = opaque;

	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	h->log_lines++;
}

/* A host with explicit scheduling parameters (0: the default). */
static void h_create(struct core_harness *h, uint64_t slice_ns, uint64_t hang_ns)
{
	struct gensim_config cfg;
	struct vgt_host_params p = { 0 };
	struct vgt_error err = { { 0 } };

	memset(h, 0, sizeof(*h));
	gensim_config_init(&cfg);
	cfg.memory_size = CH_MEMORY;
	assert_int_equal(gensim_create(&cfg, &h->gs), 0);
	p.hw = &gensim_hw_ops;
	p.hw_handle = h->gs;
	p.log = t_log;
	p.log_opaque = h;
	p.slice_ns = slice_ns;
	p.hang_ns = hang_ns;
	if (vgt_host_create(&p, &h->host, &err)) {
		gensim_destroy(h->gs);
		fail_msg("vgt_host_create: %s", err.msg);
	}
	h_track(h);
}

/* One host-run step; when nothing ran, device time passes (up to the next vblank). */
static int64_t step(struct core_harness *h, uint64_t budget)
{
	int64_t n = vgt_host_run(h->host, budget);

	assert_true(n >= 0);
	if (n == 0) {
		uint64_t t = gensim_next_event_ns(h->gs);

		assert_int_equal(gensim_advance_time(h->gs, t && t < IDLE_NS ? t : IDLE_NS), 0);
		assert_int_equal(vgt_host_poll(h->host), 0);
	}
	return n;
}

static bool seqno_done(struct refdrv *d, enum refdrv_engine e, uint32_t s)
{
	return (int32_t)(refdrv_completed_seqno(d, e) - s) >= 0;
}

static void wait_seqno(struct core_harness *h, struct refdrv *d, enum refdrv_engine e, uint32_t s,
		       const char *what)
{
	for (unsigned i = 0; i < 20000 && !seqno_done(d, e, s); i++)
		step(h, RUN_CMDS);
	if (!seqno_done(d, e, s))
		fail_msg("%s: seqno %u on %s never completed (status page has %u)", what, s,
			 e == REFDRV_RCS ? "rcs" : "bcs", refdrv_completed_seqno(d, e));
}

static void assert_clean(struct core_harness *h, unsigned i, const char *when)
{
	struct vgt_vgpu_info in = ch_info(&h->guest[i]);

	if (in.guest_errors || in.failsafe)
		fail_msg("%s: guest %u has %llu guest errors (failsafe %d): %s", when, i,
			 (unsigned long long)in.guest_errors, in.failsafe, in.first_error);
}

/* The guest's virtual HEAD caught up with the driver's TAIL. */
static void assert_ring_idle(struct core_harness *h, unsigned i, struct refdrv *d, enum refdrv_engine e)
{
	uint64_t head = 0;

	assert_int_equal(vgt_vgpu_mmio_read(h->guest[i].vgpu, 0, HSW_RING_HEAD(d->ring[e].base), 4, &head), 0);
	if (((uint32_t)head & HSW_HEAD_ADDR) != d->ring[e].tail)
		fail_msg("guest %u %s: virtual HEAD 0x%x, TAIL 0x%x", i, e == REFDRV_RCS ? "rcs" : "bcs",
			 (uint32_t)head & HSW_HEAD_ADDR, d->ring[e].tail);
}

static uint64_t gs_stat_cmd_errors(struct core_harness *h)
{
	struct gensim_stats st;

	gensim_get_stats(h->gs, &st);
	return st.cmd_errors;
}

static double absd(double x)
{
	return x < 0 ? -x : x;
}

/* ---- 1. Fairness and completion ----------------------------------------------- */

#define T1_ROUNDS       8u
#define T1_FRAMES       3u
#define T1_W            320u
#define T1_H            200u
#define T1_PROG         0u              /* dword indexes in the log buffer */
#define T1_HIST         16u
#define T1_VAL          64u
#define T1_BMARK        128u
#define CANVAS_STRIDE   512u            /* 128 x 64 pixels, 32 KiB */
#define CANVAS_ROWS     64u

struct t1g {
	struct refdrv d;
	struct refdrv_scene sc;
	struct refdrv_bo log, canvas, rb[T1_ROUNDS], bb[T1_ROUNDS], sbatch, sbuf;
	uint32_t seen[REFDRV_NUM_ENGINES];
	uint64_t submitted;
	uint32_t last_frame;
};

static uint32_t t1_val(unsigned i, unsigned r)
{
	return 0x5A000000u | (i << 16) | (r * 7u + 1u);
}

static uint32_t t1_color(unsigned i, unsigned r)
{
	return 0x00102030u + (i << 20) + r * 0x00010101u;
}

/* Every guest's completed seqnos only move forward and never pass what it submitted. */
static void t1_progress(struct core_harness *h, struct t1g *g)
{
	for (unsigned i = 0; i < h->nguests; i++) {
		struct vgt_vgpu_info in = ch_info(&h->guest[i]);

		for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++) {
			uint32_t s = refdrv_completed_seqno(&g[i].d, e);
			uint32_t last = g[i].d.ring[e].next_seqno - 1;

			if ((int32_t)(s - g[i].seen[e]) < 0)
				fail_msg("guest %u %s: completed seqno went back from %u to %u", i,
					 e ? "bcs" : "rcs", g[i].seen[e], s);
			if ((int32_t)(last - s) < 0)
				fail_msg("guest %u %s: completed seqno %u beyond the last submitted %u", i,
					 e ? "bcs" : "rcs", s, last);
			g[i].seen[e] = s;
		}
		if (in.workloads_completed > in.workloads_submitted)
			fail_msg("guest %u: %llu workloads completed of %llu submitted", i,
				 (unsigned long long)in.workloads_completed,
				 (unsigned long long)in.workloads_submitted);
	}
}

static bool t1_all_done(struct core_harness *h, struct t1g *g)
{
	for (unsigned i = 0; i < h->nguests; i++)
		for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++)
			if (!seqno_done(&g[i].d, e, g[i].d.ring[e].next_seqno - 1))
				return false;
	return true;
}

static void test_fair_completion_four_guests(void **state)
{
	struct core_harness *h = zalloc(sizeof(*h));
	struct t1g *g = zalloc(CH_MAX_GUESTS * sizeof(*g));
	struct prog *p = prog_new();
	uint32_t *exp = zalloc(T1_W * T1_H * 4u), *got = zalloc(T1_W * T1_H * 4u);
	struct gensim_stats st0, st1;
	uint64_t total = 0;
	unsigned steps;

	(void)state;
	h_default(h);
	ch_four_guests(h);
	for (unsigned i = 0; i < h->nguests; i++) {
		struct t1g *x = &g[i];

		guest_up(&x->d, &h->guest[i]);
		assert_int_equal(refdrv_scene_init(&x->d, &x->sc, T1_W, T1_H), 0);
		x->log = bo_new(&x->d, PAGE, false);
		x->canvas = bo_new(&x->d, CANVAS_STRIDE * CANVAS_ROWS, false);
		x->sbatch = bo_new(&x->d, REFDRV_BATCH_MAX_DWORDS * 4u, false);
		x->sbuf = bo_new(&x->d, PAGE, false);
		bo_zero(&x->d, &x->log);
		/* Loading it makes INSTPM 0: the first batch finds 0. */
		bo_wr32(&x->d, &x->log, 4u * T1_PROG, 0xFFFF0000u);
		for (unsigned r = 0; r < T1_ROUNDS; r++) {
			/*
			 * Render batch r copies the progress word (through INSTPM, a
			 * register commands may use) into its history slot before
			 * advancing it: history[r] == r only if batch r ran after
			 * batch r - 1 and before batch r + 1, and only once.
			 */
			x->rb[r] = bo_new(&x->d, PAGE, false);
			prog_reset(p);
			p_lrm(p, HSW_RING_INSTPM(HSW_RCS_BASE), x->log.gm + 4u * T1_PROG);
			p_srm(p, HSW_RING_INSTPM(HSW_RCS_BASE), x->log.gm + 4u * (T1_HIST + r));
			p_sdi(p, x->log.gm + 4u * (T1_VAL + r), t1_val(i, r));
			p_sdi(p, x->log.gm + 4u * T1_PROG, 0xFFFF0000u | (r + 1u));
			p_end(p);
			bo_prog(&x->d, &x->rb[r], p);
			/* Blitter batch r paints the canvas in its own colour. */
			x->bb[r] = bo_new(&x->d, PAGE, false);
			prog_reset(p);
			p_fill(p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, x->canvas.gm,
			       t1_color(i, r));
			p_sdi(p, x->log.gm + 4u * (T1_BMARK + r), t1_color(i, r));
			p_end(p);
			bo_prog(&x->d, &x->bb[r], p);
		}
	}
	gensim_get_stats(h->gs, &st0);

	/* Phase 1: everybody queues all its work at once, round-robin, without waiting. */
	for (unsigned r = 0; r < T1_ROUNDS; r++) {
		for (unsigned i = 0; i < h->nguests; i++) {
			uint32_t s;

			assert_int_equal(refdrv_submit(&g[i].d, REFDRV_RCS, &g[i].rb[r], &s), 0);
			assert_int_equal(refdrv_submit(&g[i].d, REFDRV_BCS, &g[i].bb[r], &s), 0);
			g[i].submitted += 2;
		}
	}
	for (steps = 0; steps < 20000 && !t1_all_done(h, g); steps++) {
		step(h, 256);
		t1_progress(h, g);
	}
	if (!t1_all_done(h, g))
		fail_msg("queued work did not complete in %u steps", steps);

	/* Phase 2: the driver's own workloads, interleaved round-robin. */
	for (unsigned f = 0; f < T1_FRAMES; f++) {
		for (unsigned i = 0; i < h->nguests; i++) {
			long wrong = refdrv_store_stream(&g[i].d, &g[i].sbatch, &g[i].sbuf, 2, 48);

			if (wrong)
				fail_msg("guest %u store stream: %ld (%s)", i, wrong, refdrv_strerror(&g[i].d));
			g[i].submitted += 2;
			t1_progress(h, g);
			g[i].last_frame = f * 5u + i;
			if (refdrv_scene_draw(&g[i].d, &g[i].sc, g[i].last_frame))
				fail_msg("guest %u frame %u: %s", i, f, refdrv_strerror(&g[i].d));
			g[i].submitted += 1;
			t1_progress(h, g);
		}
	}
	for (unsigned s = 0; s < 20; s++)
		step(h, RUN_CMDS);
	t1_progress(h, g);

	for (unsigned i = 0; i < h->nguests; i++) {
		struct t1g *x = &g[i];
		struct vgt_vgpu_info in = ch_info(&h->guest[i]);
		uint64_t differ = 0;

		assert_clean(h, i, "after the mixed workloads");
		/* Exactly once: as many completions as submissions, per guest. */
		assert_int_equal(in.workloads_submitted, x->submitted);
		assert_int_equal(in.workloads_completed, x->submitted);
		total += x->submitted;
		for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++) {
			assert_int_equal(refdrv_completed_seqno(&x->d, e), x->d.ring[e].next_seqno - 1);
			assert_ring_idle(h, i, &x->d, e);
		}
		assert_true(in.irqs_injected > 0);
		assert_true(in.engine_ns[E_RCS] > 0 && in.engine_ns[E_BCS] > 0);
		/* In order, each once. */
		for (unsigned r = 0; r < T1_ROUNDS; r++) {
			uint32_t hist = bo_rd32(&x->d, &x->log, 4u * (T1_HIST + r));

			if (hist != r)
				fail_msg("guest %u: render batch %u saw progress %u (out of order or repeated)",
					 i, r, hist);
			assert_int_equal(bo_rd32(&x->d, &x->log, 4u * (T1_VAL + r)), t1_val(i, r));
			assert_int_equal(bo_rd32(&x->d, &x->log, 4u * (T1_BMARK + r)), t1_color(i, r));
		}
		assert_int_equal(bo_rd32(&x->d, &x->log, 4u * T1_PROG), 0xFFFF0000u | T1_ROUNDS);
		assert_int_equal(bo_count_not(&x->d, &x->canvas, 0, x->canvas.size,
					      t1_color(i, T1_ROUNDS - 1)), 0);
		/* The last frame each guest drew. */
		refdrv_scene_expected(x->last_frame, x->sc.identity, T1_W, T1_H, exp);
		assert_int_equal(gensim_aperture_read(h->gs, x->sc.fb.gm, got, T1_W * T1_H * 4u), 0);
		for (unsigned k = 0; k < T1_W * T1_H; k++)
			differ += (got[k] & 0x00FFFFFFu) != exp[k];
		if (differ)
			fail_msg("guest %u: %llu pixels of frame %u differ", i, (unsigned long long)differ,
				 x->last_frame);
	}
	/* The GPU started every submitted batch exactly once. */
	gensim_get_stats(h->gs, &st1);
	assert_int_equal(st1.batches - st0.batches, total);
	assert_int_equal(st1.cmd_errors, st0.cmd_errors);

	h_release(h);
	zfree(got);
	zfree(exp);
	zfree(p);
	zfree(g);
	zfree(h);
}

/*
 * Workloads queued back to back are timed each from its own start: eight
 * blits of 0.6 ms, submitted at once to a host whose hang bound is 2 ms,
 * all complete, in order, without a guest error.
 */
#define B2B_N           8u
#define B2B_FILLS       150u            /* 32 KiB fills, 4 us each */

static void test_back_to_back_within_hang_bound(void **state)
{
	struct core_harness *h = zalloc(sizeof(*h));
	struct prog *p = prog_new();
	struct refdrv *d = zalloc(sizeof(*d));
	struct refdrv_bo canvas, log, batch[B2B_N];
	struct vgt_vgpu_info in;
	uint32_t seq = 0;

	(void)state;
	h_create(h, 0, 2000000);
	ch_add_guest(h, "vgt-64");
	guest_up(d, &h->guest[0]);
	canvas = bo_new(d, CANVAS_STRIDE * CANVAS_ROWS, false);
	log = bo_new(d, PAGE, false);
	bo_zero(d, &log);
	bo_wr32(d, &log, 0, 0xFFFF0000u);
	for (unsigned k = 0; k < B2B_N; k++) {
		batch[k] = bo_new(d, 2u * PAGE, false);
		prog_reset(p);
		for (unsigned f = 0; f < B2B_FILLS; f++)
			p_fill(p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, canvas.gm,
			       (k << 16) | f);
		/* The previous batch's progress, through a register commands may use, then its own. */
		p_lrm(p, HSW_RING_INSTPM(HSW_BCS_BASE), log.gm);
		p_srm(p, HSW_RING_INSTPM(HSW_BCS_BASE), log.gm + 4u * (16u + k));
		p_sdi(p, log.gm, 0xFFFF0000u | (k + 1u));
		p_end(p);
		bo_prog(d, &batch[k], p);
	}
	for (unsigned k = 0; k < B2B_N; k++)
		assert_int_equal(refdrv_submit(d, REFDRV_BCS, &batch[k], &seq), 0);
	for (unsigned n = 0; n < 2000 && !seqno_done(d, REFDRV_BCS, seq); n++) {
		step(h, 256);
		in = ch_info(&h->guest[0]);
		if (in.guest_errors)
			fail_msg("%llu of %u back-to-back 0.6 ms workloads done when the guest was flagged: %s",
				 (unsigned long long)in.workloads_completed, B2B_N, in.first_error);
	}
	in = ch_info(&h->guest[0]);
	assert_clean(h, 0, "back-to-back workloads");
	assert_int_equal(in.workloads_submitted, B2B_N);
	assert_int_equal(in.workloads_completed, B2B_N);
	for (unsigned k = 0; k < B2B_N; k++)
		assert_int_equal(bo_rd32(d, &log, 4u * (16u + k)), k);
	assert_int_equal(bo_count_not(d, &canvas, 0, canvas.size, ((B2B_N - 1u) << 16) | (B2B_FILLS - 1u)), 0);
	/* Each held the blitter about 0.6 ms. */
	if (in.engine_ns[E_BCS] < B2B_N * 500000ull || in.engine_ns[E_BCS] > B2B_N * 800000ull)
		fail_msg("engine_ns[bcs] %llu for %u workloads of 0.6 ms",
			 (unsigned long long)in.engine_ns[E_BCS], B2B_N);
	h_release(h);
	zfree(d);
	zfree(p);
	zfree(h);
}

/* ---- 2. Weighted share -------------------------------------------------------- */

#define T2_QUEUE        12u
#define T2_STRIDE       1024u
#define T2_ROWS         128u            /* 128 KiB: 16 us of blitter per fill */
#define T2_FILLS        4u
#define T2_TOL          0.05

struct t2g {
	struct refdrv d;
	struct refdrv_bo target, batch;
	bool busy;
};

struct t2 {
	struct core_harness h;
	struct t2g g[CH_MAX_GUESTS];
	struct prog *p;
	uint64_t ns[CH_MAX_GUESTS], t0, busy0;
};

static void t2_guest(struct t2 *t, unsigned i)
{
	struct t2g *g = &t->g[i];

	guest_up(&g->d, &t->h.guest[i]);
	g->target = bo_new(&g->d, T2_STRIDE * T2_ROWS, false);
	g->batch = bo_new(&g->d, PAGE, false);
	prog_reset(t->p);
	for (unsigned k = 0; k < T2_FILLS; k++)
		p_fill(t->p, 0, T2_STRIDE, 0, 0, T2_STRIDE / 4u, T2_ROWS, g->target.gm,
		       0x00010101u * (i + 1u) + k);
	p_end(t->p);
	bo_prog(&g->d, &g->batch, t->p);
}

static uint64_t t2_outstanding(struct t2 *t, unsigned i)
{
	struct vgt_vgpu_info in = ch_info(&t->h.guest[i]);

	return in.workloads_submitted - in.workloads_completed;
}

/* Busy guests keep T2_QUEUE blits queued while device time @ns passes. */
static void t2_run(struct t2 *t, uint64_t ns)
{
	uint64_t t0 = gensim_now_ns(t->h.gs);

	while (gensim_now_ns(t->h.gs) - t0 < ns) {
		for (unsigned i = 0; i < t->h.nguests; i++) {
			if (!t->g[i].busy)
				continue;
			for (uint64_t q = t2_outstanding(t, i); q < T2_QUEUE; q++) {
				uint32_t s;

				assert_int_equal(refdrv_submit(&t->g[i].d, REFDRV_BCS, &t->g[i].batch, &s), 0);
			}
		}
		step(&t->h, 256);
	}
}

static void t2_mark(struct t2 *t)
{
	struct vgt_host_info hi;

	for (unsigned i = 0; i < t->h.nguests; i++)
		t->ns[i] = ch_info(&t->h.guest[i]).engine_ns[E_BCS];
	vgt_host_get_info(t->h.host, &hi);
	t->busy0 = hi.engine_busy_ns[E_BCS];
	t->t0 = gensim_now_ns(t->h.gs);
}

/*
 * Since the mark, each busy guest had weight / (sum of the busy guests'
 * weights) of the blitter, within @tol, and idle ones nothing.  With
 * @upper_only, only too large a share fails (the first moments of a guest
 * that joins or returns).
 */
static void t2_check(struct t2 *t, const char *phase, double tol, bool newcomer_upper_only, unsigned newcomer)
{
	uint64_t delta[CH_MAX_GUESTS], total = 0, wsum = 0, elapsed = gensim_now_ns(t->h.gs) - t->t0;
	struct vgt_host_info hi;

	for (unsigned i = 0; i < t->h.nguests; i++) {
		struct vgt_vgpu_info in = ch_info(&t->h.guest[i]);

		delta[i] = in.engine_ns[E_BCS] - t->ns[i];
		total += delta[i];
		if (t->g[i].busy)
			wsum += in.weight;
		assert_clean(&t->h, i, phase);
	}
	assert_true(total > 0 && wsum > 0);
	for (unsigned i = 0; i < t->h.nguests; i++) {
		double share = (double)delta[i] / (double)total;
		double want = t->g[i].busy ? (double)ch_info(&t->h.guest[i]).weight / (double)wsum : 0.0;
		bool bad = absd(share - want) > tol;

		if (newcomer_upper_only && i == newcomer)
			bad = share > want + tol;
		if (!t->g[i].busy && delta[i])
			bad = true;
		if (bad)
			fail_msg("%s: guest %u (weight %u) had %.3f of the blitter, expected %.3f +- %.2f",
				 phase, i, ch_info(&t->h.guest[i]).weight, share, want, tol);
	}
	/* Work-conserving: the blitter was busy all along, idle guests hold nothing back. */
	vgt_host_get_info(t->h.host, &hi);
	if ((double)(hi.engine_busy_ns[E_BCS] - t->busy0) < 0.9 * (double)elapsed)
		fail_msg("%s: blitter busy %llu ns of %llu", phase,
			 (unsigned long long)(hi.engine_busy_ns[E_BCS] - t->busy0),
			 (unsigned long long)elapsed);
}

static void test_weighted_share_by_type(void **state)
{
	struct t2 *t = zalloc(sizeof(*t));

	(void)state;
	t->p = prog_new();
	h_default(&t->h);
	ch_add_guest(&t->h, "vgt-64");
	ch_add_guest(&t->h, "vgt-64");
	ch_add_guest(&t->h, "vgt-128");
	assert_int_equal(ch_info(&t->h.guest[0]).weight, 2);
	assert_int_equal(ch_info(&t->h.guest[2]).weight, 4);
	for (unsigned i = 0; i < 3; i++) {
		t2_guest(t, i);
		t->g[i].busy = true;
	}

	/* Three busy guests: 2 : 2 : 4. */
	t2_run(t, 3000000);
	t2_mark(t);
	t2_run(t, 60000000);
	t2_check(t, "three busy guests", T2_TOL, false, 0);

	/* A new guest gets its share at once, but does not starve the others. */
	ch_add_guest(&t->h, "vgt-64");
	t2_guest(t, 3);
	t->g[3].busy = true;
	t2_mark(t);
	t2_run(t, 10000000);
	t2_check(t, "first 10 ms after a guest joined", 0.10, true, 3);
	t2_mark(t);
	t2_run(t, 60000000);
	t2_check(t, "four busy guests", T2_TOL, false, 0);

	/* The big guest goes idle: its share goes to the others, not to waste. */
	t->g[2].busy = false;
	for (unsigned n = 0; n < 10000 && t2_outstanding(t, 2); n++)
		t2_run(t, 1);
	assert_int_equal(t2_outstanding(t, 2), 0);
	t2_mark(t);
	t2_run(t, 60000000);
	t2_check(t, "one guest idle", T2_TOL, false, 0);

	/* Back from idle it banked no credit: no burst, its share again. */
	t->g[2].busy = true;
	t2_mark(t);
	t2_run(t, 10000000);
	t2_check(t, "first 10 ms after a guest came back", 0.10, true, 2);
	t2_mark(t);
	t2_run(t, 60000000);
	t2_check(t, "four busy guests again", T2_TOL, false, 0);

	h_release(&t->h);
	zfree(t->p);
	zfree(t);
}

static void test_weighted_share_explicit_weights(void **state)
{
	static const uint32_t weights[3] = { 1, 2, 5 };
	struct t2 *t = zalloc(sizeof(*t));

	(void)state;
	t->p = prog_new();
	h_default(&t->h);
	for (unsigned i = 0; i < 3; i++) {
		struct vgt_vgpu_params vp = { 0 };
		struct vgt_error err = { { 0 } };

		vp.domid = i;
		vp.low_mb = 32;
		vp.high_mb = 64;
		vp.weight = weights[i];
		if (vgt_inproc_guest_init(&t->h.guest[i], t->h.host, t->h.gs, CH_GUEST_BASE + i * CH_GUEST_RAM,
					  CH_GUEST_RAM, &vp, &err))
			fail_msg("guest %u: %s", i, err.msg);
		t->h.nguests++;
		assert_int_equal(ch_info(&t->h.guest[i]).weight, weights[i]);
		t2_guest(t, i);
		t->g[i].busy = true;
	}
	t2_run(t, 3000000);
	t2_mark(t);
	t2_run(t, 60000000);
	t2_check(t, "weights 1 : 2 : 5", T2_TOL, false, 0);

	h_release(&t->h);
	zfree(t->p);
	zfree(t);
}

/* ---- 3. Adversarial guests ---------------------------------------------------- */

#define ADV_ATK         3u              /* guest 3 attacks guests 0..2 */
#define ADV_NV          3u
#define ADV_BUDGET      64u             /* commands per host-run step */
#define ADV_STEPS       500u            /* the measured window */
#define ADV_SETTLE      64u
#define ADV_NW          (ADV_STEPS / ADV_NV + 40u)  /* per victim and engine: more than the window takes */
#define ADV_HANG_NS     2000000ull
#define VT_STRIDE       1024u           /* victim blit target: 256 KiB, 32 us per fill */
#define VT_ROWS         256u
#define AB_SIZE         (32u * 1024u)

struct victim {
	struct refdrv_bo rbatch, bbatch, rbuf, target;
};

struct adv {
	struct core_harness h;
	struct refdrv d[CH_MAX_GUESTS];
	struct victim v[ADV_NV];
	struct vgt_host_info hi;
	struct refdrv_bo ab[4], abuf, canvas;   /* the attacker's */
	struct prog *p;
	int phase;                              /* 0: alone, 1: during the victims' window */
};

struct adv_window {
	uint64_t done, ns;
	uint64_t ram[ADV_NV];
};

struct attack {
	const char *name;
	void (*launch)(struct adv *a);
	void (*verify)(struct adv *a);          /* after each phase; may be NULL */
	int kind;                               /* the guest-error kind expected; -1: none */
	bool dispatches;                        /* the attacker's work reaches the GPU */
};

static uint32_t victim_val(unsigned k, unsigned j)
{
	return 0x7E000000u | (k << 16) | (j * 3u + 1u);
}

static void adv_setup(struct adv *a)
{
	h_create(&a->h, 0, ADV_HANG_NS);
	ch_four_guests(&a->h);
	for (unsigned i = 0; i < a->h.nguests; i++)
		guest_up(&a->d[i], &a->h.guest[i]);
	a->p = prog_new();
	for (unsigned k = 0; k < ADV_NV; k++) {
		struct refdrv *d = &a->d[k];
		struct victim *v = &a->v[k];

		v->rbuf = bo_new(d, PAGE, false);
		v->target = bo_new(d, VT_STRIDE * VT_ROWS, false);
		v->rbatch = bo_new(d, PAGE, false);
		v->bbatch = bo_new(d, PAGE, false);
		prog_reset(a->p);
		for (unsigned j = 0; j < 8; j++)
			p_sdi(a->p, v->rbuf.gm + 4u * j, victim_val(k, j));
		p_end(a->p);
		bo_prog(d, &v->rbatch, a->p);
		prog_reset(a->p);
		p_fill(a->p, 0, VT_STRIDE, 0, 0, VT_STRIDE / 4u, VT_ROWS, v->target.gm, 0x00200000u * (k + 1u));
		p_fill(a->p, 0, VT_STRIDE, 0, 0, VT_STRIDE / 4u, VT_ROWS, v->target.gm, 0x00004077u * (k + 1u));
		p_sdi(a->p, v->rbuf.gm + 64u, 0xB00u + k);
		p_end(a->p);
		bo_prog(d, &v->bbatch, a->p);
	}
	for (unsigned j = 0; j < 4; j++)
		a->ab[j] = bo_new(&a->d[ADV_ATK], AB_SIZE, false);
	a->abuf = bo_new(&a->d[ADV_ATK], PAGE, false);
	a->canvas = bo_new(&a->d[ADV_ATK], CANVAS_STRIDE * CANVAS_ROWS, false);
	bo_zero(&a->d[ADV_ATK], &a->abuf);
	vgt_host_get_info(a->h.host, &a->hi);
}

static void adv_teardown(struct adv *a)
{
	h_release(&a->h);
	zfree(a->p);
	zfree(a);
}

static uint64_t victims_done(struct adv *a)
{
	uint64_t n = 0;

	for (unsigned k = 0; k < ADV_NV; k++)
		n += ch_info(&a->h.guest[k]).workloads_completed;
	return n;
}

static bool victims_finished(struct adv *a)
{
	for (unsigned k = 0; k < ADV_NV; k++)
		for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++)
			if (!seqno_done(&a->d[k], e, a->d[k].ring[e].next_seqno - 1))
				return false;
	return true;
}

/* The victims queue their work, the attacker strikes, ADV_STEPS host-run steps are counted. */
static void adv_window(struct adv *a, const struct attack *atk, struct adv_window *w)
{
	uint64_t done0, t0;
	unsigned s;

	for (unsigned n = 0; n < ADV_NW; n++)
		for (unsigned k = 0; k < ADV_NV; k++) {
			uint32_t seq;

			assert_int_equal(refdrv_submit(&a->d[k], REFDRV_RCS, &a->v[k].rbatch, &seq), 0);
			assert_int_equal(refdrv_submit(&a->d[k], REFDRV_BCS, &a->v[k].bbatch, &seq), 0);
		}
	if (atk)
		atk->launch(a);
	done0 = victims_done(a);
	t0 = gensim_now_ns(a->h.gs);
	for (s = 0; s < ADV_STEPS; s++)
		step(&a->h, ADV_BUDGET);
	w->done = victims_done(a) - done0;
	w->ns = gensim_now_ns(a->h.gs) - t0;
	for (s = 0; s < 50000 && !victims_finished(a); s++)
		step(&a->h, RUN_CMDS);
	for (unsigned k = 0; k < ADV_NV; k++) {
		struct vgt_vgpu_info in = ch_info(&a->h.guest[k]);

		assert_clean(&a->h, k, atk ? atk->name : "baseline");
		if (!victims_finished(a) || in.workloads_completed != in.workloads_submitted)
			fail_msg("%s: victim %u completed %llu of %llu workloads",
				 atk ? atk->name : "baseline", k, (unsigned long long)in.workloads_completed,
				 (unsigned long long)in.workloads_submitted);
		for (unsigned e = 0; e < REFDRV_NUM_ENGINES; e++)
			assert_ring_idle(&a->h, k, &a->d[k], e);
		w->ram[k] = ch_guest_ram_sum(&a->h, k);
	}
}

static struct adv_window adv_base;
static bool adv_base_ok;

/* The same window with the attacker idle; deterministic, so measured once. */
static const struct adv_window *adv_baseline(void)
{
	if (!adv_base_ok) {
		struct adv *a = zalloc(sizeof(*a));

		adv_setup(a);
		adv_window(a, NULL, &adv_base);
		assert_true(adv_base.done > ADV_STEPS);
		adv_teardown(a);
		adv_base_ok = true;
	}
	return &adv_base;
}

static struct refdrv *atk_drv(struct adv *a)
{
	return &a->d[ADV_ATK];
}

static struct vgt_inproc_guest *atk_guest(struct adv *a)
{
	return &a->h.guest[ADV_ATK];
}

static uint64_t atk_errors(struct adv *a, int kind)
{
	return ch_info(atk_guest(a)).errors_by_kind[kind];
}

/* Runs a->p (which must end its batch) from the attacker's batch buffer @bo on @e. */
static void atk_batch(struct adv *a, enum refdrv_engine e, unsigned bo)
{
	uint32_t seq;

	bo_prog(atk_drv(a), &a->ab[bo], a->p);
	assert_int_equal(refdrv_submit(atk_drv(a), e, &a->ab[bo], &seq), 0);
}

/* Puts a->p straight into the attacker's ring on @e. */
static void atk_ring(struct adv *a, enum refdrv_engine e)
{
	gring_submit(atk_drv(a), e, a->p);
}

/* The attacker resets its vGPU and restarts its driver. */
static void atk_reset(struct adv *a)
{
	assert_int_equal(vgt_vgpu_reset(atk_guest(a)->vgpu), 0);
	if (refdrv_init(atk_drv(a)))
		fail_msg("attacker's refdrv_init after reset: %s", refdrv_strerror(atk_drv(a)));
	assert_false(ch_info(atk_guest(a)).failsafe);
}

typedef const char *variant_fn(struct adv *a);

/*
 * Each variant must be refused as @kind the moment it is submitted.  Alone,
 * all of them run (the attacker resets in between); during the victims'
 * window, the first.
 */
static void run_variants(struct adv *a, variant_fn *const *v, unsigned n, int kind)
{
	unsigned count = a->phase ? 1 : n;

	for (unsigned i = 0; i < count; i++) {
		uint64_t before = atk_errors(a, kind);
		struct vgt_vgpu_info in;
		const char *what;

		if (i)
			atk_reset(a);
		prog_reset(a->p);
		what = v[i](a);
		in = ch_info(atk_guest(a));
		if (in.errors_by_kind[kind] <= before || !in.failsafe)
			fail_msg("attack '%s' was %s, not refused as '%s' (the mediator's last word: '%s')",
				 what, in.failsafe ? "refused otherwise" : "accepted",
				 vgt_guest_error_name((enum vgt_guest_error_kind)kind), last_log);
	}
}

static void attacker_state(struct adv *a, const struct attack *atk, uint64_t min_count)
{
	struct vgt_vgpu_info in = ch_info(atk_guest(a));

	if (atk->kind < 0) {
		if (in.guest_errors || in.failsafe)
			fail_msg("%s: the guest was flagged (failsafe %d): %s", atk->name, in.failsafe,
				 in.first_error);
		return;
	}
	if (!in.failsafe || in.errors_by_kind[atk->kind] < min_count)
		fail_msg("%s: attacker not caught as '%s' (failsafe %d, %llu errors of that kind, first '%s')",
			 atk->name, vgt_guest_error_name((enum vgt_guest_error_kind)atk->kind), in.failsafe,
			 (unsigned long long)in.errors_by_kind[atk->kind], in.first_error);
	if (in.guest_errors != in.errors_by_kind[atk->kind])
		fail_msg("%s: attacker has errors of other kinds; first: '%s'", atk->name, in.first_error);
}

/* Parts of the mediator's memory no workload here ever touches: VCS/VECS pages, rings, pools, gaps. */
static uint64_t host_quiet_sum(struct core_harness *h)
{
	return ch_mem_sum(h, HOST_SEQNO(E_VCS), PAGE) ^ (3 * ch_mem_sum(h, HOST_SEQNO(E_VECS), PAGE)) ^
	       (5 * ch_mem_sum(h, 4u * PAGE, HOST_RING(0) - 4u * PAGE)) ^
	       (7 * ch_mem_sum(h, HOST_RING(E_VCS), 0x200000u)) ^
	       (11 * ch_mem_sum(h, HOST_RING(E_VECS), HOST_POOL(0) - HOST_RING(E_VECS))) ^
	       (13 * ch_mem_sum(h, HOST_POOL(E_VCS), 0x400000u)) ^
	       (17 * ch_mem_sum(h, HOST_POOL(E_VECS), 0x400000u));
}

/* GTT entries of everything but the attacker's own slices. */
static uint64_t others_gtt_sum(struct adv *a)
{
	uint64_t s = ch_gtt_range_sum(&a->h, a->hi.host_low) ^ (3 * ch_gtt_range_sum(&a->h, a->hi.host_high));

	for (unsigned k = 0; k < ADV_NV; k++) {
		struct vgt_vgpu_info in = ch_info(&a->h.guest[k]);

		s ^= (5 + 2 * k) * ch_gtt_range_sum(&a->h, in.low);
		s ^= (11 + 2 * k) * ch_gtt_range_sum(&a->h, in.high);
	}
	return s;
}

static void adv_run(const struct attack *atk)
{
	const struct adv_window *base = adv_baseline();
	struct adv *a;
	uint64_t ram[ADV_NV], host_all, host_quiet, gtt, fences, caught = 0;
	struct gensim_stats st0, st;
	struct vgt_host_info hi;
	struct adv_window w;

	a = zalloc(sizeof(*a));
	adv_setup(a);
	for (unsigned k = 0; k < ADV_NV; k++)
		ram[k] = ch_guest_ram_sum(&a->h, k);
	host_all = ch_mem_sum(&a->h, 0, HOST_MEM);
	host_quiet = host_quiet_sum(&a->h);
	gtt = others_gtt_sum(a);
	fences = ch_fence_sum(&a->h);
	gensim_get_stats(a->h.gs, &st0);

	/* Phase 0: the attack alone; the victims are idle. */
	a->phase = 0;
	atk->launch(a);
	for (unsigned s = 0; s < ADV_SETTLE; s++)
		step(&a->h, ADV_BUDGET);
	for (unsigned k = 0; k < ADV_NV; k++) {
		assert_clean(&a->h, k, atk->name);
		if (ch_guest_ram_sum(&a->h, k) != ram[k])
			fail_msg("%s: victim %u's RAM changed", atk->name, k);
	}
	gensim_get_stats(a->h.gs, &st);
	if (st.cmd_errors != st0.cmd_errors || st.gtt_faults != st0.gtt_faults)
		fail_msg("%s: the GPU met %llu bad commands and %llu GTT faults", atk->name,
			 (unsigned long long)(st.cmd_errors - st0.cmd_errors),
			 (unsigned long long)(st.gtt_faults - st0.gtt_faults));
	if (atk->verify)
		atk->verify(a);
	attacker_state(a, atk, 1);
	if (!atk->dispatches && ch_mem_sum(&a->h, 0, HOST_MEM) != host_all)
		fail_msg("%s: the mediator's memory changed though nothing was dispatched", atk->name);
	if (host_quiet_sum(&a->h) != host_quiet)
		fail_msg("%s: unused parts of the mediator's memory changed", atk->name);
	assert_true(others_gtt_sum(a) == gtt);
	assert_true(ch_fence_sum(&a->h) == fences);
	if (atk->kind != VGT_GERR_HANG) {
		vgt_host_get_info(a->h.host, &hi);
		for (unsigned e = 0; e < 4; e++)
			assert_int_equal(hi.engine_resets[e], 0);
		assert_int_equal(st.engine_resets, st0.engine_resets);
	}
	if (atk->kind >= 0)
		caught = atk_errors(a, atk->kind);
	if (ch_info(atk_guest(a)).failsafe)
		atk_reset(a);

	/* Phase 1: again, while the victims work. */
	a->phase = 1;
	adv_window(a, atk, &w);
	gensim_get_stats(a->h.gs, &st);
	if (st.cmd_errors != st0.cmd_errors || st.gtt_faults != st0.gtt_faults)
		fail_msg("%s: the GPU met %llu bad commands and %llu GTT faults", atk->name,
			 (unsigned long long)(st.cmd_errors - st0.cmd_errors),
			 (unsigned long long)(st.gtt_faults - st0.gtt_faults));
	for (unsigned k = 0; k < ADV_NV; k++)
		if (w.ram[k] != base->ram[k])
			fail_msg("%s: victim %u's memory differs from what the same work gave "
				 "without the attacker", atk->name, k);
	if (w.done * 10 < base->done * 9)
		fail_msg("%s: victims completed %llu workloads in %u steps, %llu without the attacker",
			 atk->name, (unsigned long long)w.done, ADV_STEPS, (unsigned long long)base->done);
	if ((double)w.done / (double)w.ns < 0.9 * (double)base->done / (double)base->ns)
		fail_msg("%s: victims completed %llu workloads in %llu ns of device time, %llu in %llu ns "
			 "without the attacker", atk->name, (unsigned long long)w.done,
			 (unsigned long long)w.ns, (unsigned long long)base->done,
			 (unsigned long long)base->ns);
	if (atk->verify)
		atk->verify(a);
	attacker_state(a, atk, caught + 1);
	if (host_quiet_sum(&a->h) != host_quiet)
		fail_msg("%s: unused parts of the mediator's memory changed", atk->name);
	assert_true(others_gtt_sum(a) == gtt);
	assert_true(ch_fence_sum(&a->h) == fences);
	if (atk->kind != VGT_GERR_HANG)
		assert_int_equal(st.engine_resets, st0.engine_resets);
	adv_teardown(a);
}

/* ---- (a) batch buffers in another vGPU's memory ---- */

static const char *va_ring_into_victim(struct adv *a)
{
	p_bbs(a->p, a->v[0].bbatch.gm, 0);
	atk_ring(a, REFDRV_BCS);
	return "ring MI_BATCH_BUFFER_START into a victim's batch";
}

static const char *va_chain_into_victim(struct adv *a)
{
	p_sdi(a->p, a->abuf.gm, 1);
	p_bbs(a->p, a->v[1].bbatch.gm, 0);
	atk_batch(a, REFDRV_BCS, 0);
	return "own batch chaining into a victim's batch";
}

static const char *va_second_level_into_victim(struct adv *a)
{
	p_bbs(a->p, a->v[2].rbatch.gm, HSW_MI_BB_SECOND_LEVEL);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "second-level batch in a victim's memory";
}

static const char *va_host_pool(struct adv *a)
{
	p_bbs(a->p, (uint32_t)a->hi.host_high.base + HOST_POOL(E_RCS), 0);
	atk_ring(a, REFDRV_RCS);
	return "batch in the mediator's shadow-batch pool";
}

static const char *va_off_the_end(struct adv *a)
{
	struct vgt_vgpu_info in = ch_info(atk_guest(a));
	uint32_t last = (uint32_t)(in.high.base + in.high.size - PAGE);

	/* Its slice's last page holds MI_NOOPs and no MI_BATCH_BUFFER_END. */
	bo_zero(atk_drv(a), &a->ab[3]);
	vgtt_wr(atk_guest(a), last >> 12, a->ab[3].ram);
	p_bbs(a->p, last, 0);
	atk_ring(a, REFDRV_RCS);
	return "batch running off the end of its own memory";
}

static void launch_foreign_batch(struct adv *a)
{
	static variant_fn *const v[] = { va_ring_into_victim, va_chain_into_victim,
					 va_second_level_into_victim, va_host_pool, va_off_the_end };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void test_adv_batch_in_foreign_memory(void **state)
{
	static const struct attack atk = { "batch in another vGPU's memory", launch_foreign_batch, NULL,
					   VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (b) stores into the mediator's slice ---- */

static uint32_t host_hi(struct adv *a, uint32_t off)
{
	return (uint32_t)a->hi.host_high.base + off;
}

static const char *vb_seqno_qword(struct adv *a)
{
	/* A completion faked for whatever runs on the blitter. */
	p_sdi_qw(a->p, host_hi(a, HOST_SEQNO(E_BCS)), 0x7FFFFFFFu, 0);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "MI_STORE_DATA_IMM (qword) onto the blitter's breadcrumb";
}

static const char *vb_ring_dword(struct adv *a)
{
	p_sdi(a->p, host_hi(a, HOST_SEQNO(E_VECS)), 0xDEAD0001u);
	atk_ring(a, REFDRV_RCS);
	return "MI_STORE_DATA_IMM in the ring into the mediator's status pages";
}

static const char *vb_low(struct adv *a)
{
	p_sdi(a->p, (uint32_t)a->hi.host_low.base + 0x100u, 0xDEAD0002u);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_STORE_DATA_IMM into the mediator's aperture slice";
}

static const char *vb_pipe_control(struct adv *a)
{
	p_pc(a->p, HSW_PIPE_CONTROL_WRITE_IMM, host_hi(a, HOST_SEQNO(E_RCS)), 0x7FFFFFFFu, true);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "PIPE_CONTROL post-sync write onto the render breadcrumb";
}

static const char *vb_flush_into_ring(struct adv *a)
{
	p_flush(a->p, 1, 0, host_hi(a, HOST_RING(E_BCS)), HSW_MI_BATCH_BUFFER_END);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "MI_FLUSH_DW post-sync write into the physical blitter ring";
}

static const char *vb_srm(struct adv *a)
{
	p_srm(a->p, HSW_RING_TIMESTAMP(HSW_RCS_BASE), host_hi(a, HOST_POOL(E_RCS)));
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_STORE_REGISTER_MEM into the render batch pool";
}

static const char *vb_blit(struct adv *a)
{
	p_fill(a->p, 0, 1024, 0, 0, 256, 16, host_hi(a, HOST_POOL(E_BCS)), 0xDEADDEADu);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "XY_COLOR_BLT onto the blitter batch pool";
}

static void launch_host_slice(struct adv *a)
{
	static variant_fn *const v[] = { vb_seqno_qword, vb_ring_dword, vb_low, vb_pipe_control,
					 vb_flush_into_ring, vb_srm, vb_blit };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void verify_host_slice(struct adv *a)
{
	uint32_t v = 0;

	/* The targets: the unused status page stays clear, the breadcrumbs stay the mediator's. */
	assert_int_equal(gensim_mem_read(a->h.gs, HOST_SEQNO(E_VECS), &v, 4), 0);
	assert_int_equal(v, 0);
	assert_int_equal(gensim_mem_read(a->h.gs, HOST_SEQNO(E_BCS), &v, 4), 0);
	assert_true(v != 0x7FFFFFFFu);
	assert_int_equal(gensim_mem_read(a->h.gs, HOST_SEQNO(E_RCS), &v, 4), 0);
	assert_true(v != 0x7FFFFFFFu);
}

static void test_adv_store_into_host_slice(void **state)
{
	static const struct attack atk = { "stores into the mediator's slice", launch_host_slice,
					   verify_host_slice, VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (c) registers commands may not write ---- */

static const char *vc_gdrst(struct adv *a)
{
	p_lri(a->p, HSW_GDRST, HSW_GDRST_FULL);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "MI_LOAD_REGISTER_IMM to GDRST";
}

static const char *vc_fence(struct adv *a)
{
	p_lri(a->p, HSW_FENCE_LO(0), 0x00001001u);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_LOAD_REGISTER_IMM to a host fence";
}

static const char *vc_tail(struct adv *a)
{
	p_lri(a->p, HSW_RING_TAIL(HSW_RCS_BASE), 0x100u);
	atk_ring(a, REFDRV_RCS);
	return "MI_LOAD_REGISTER_IMM to RCS RING_TAIL";
}

static const char *vc_pair(struct adv *a)
{
	/* The first register is fine, the second is not: the whole command goes. */
	emit(a->p, HSW_MI_LOAD_REGISTER_IMM(2));
	emit(a->p, HSW_RING_INSTPM(HSW_RCS_BASE));
	emit(a->p, 0x00010001u);
	emit(a->p, HSW_FENCE_HI(1));
	emit(a->p, 0xFFFFFFFFu);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_LOAD_REGISTER_IMM of INSTPM and a fence";
}

static const char *vc_lrm(struct adv *a)
{
	bo_wr32(atk_drv(a), &a->abuf, 0, 0x12345001u);
	p_lrm(a->p, HSW_FENCE_LO(2), a->abuf.gm);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_LOAD_REGISTER_MEM to a fence";
}

static const char *vc_hws(struct adv *a)
{
	p_lri(a->p, HSW_RCS_HWS_PGA, host_hi(a, 0));
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_LOAD_REGISTER_IMM to the status page address";
}

static const char *vc_start(struct adv *a)
{
	p_lri(a->p, HSW_RING_START(HSW_BCS_BASE), a->v[0].bbatch.gm);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_LOAD_REGISTER_IMM to BCS RING_START";
}

static void launch_forbidden_register(struct adv *a)
{
	static variant_fn *const v[] = { vc_gdrst, vc_fence, vc_tail, vc_pair, vc_lrm, vc_hws, vc_start };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void test_adv_lri_forbidden_register(void **state)
{
	static const struct attack atk = { "LRI to registers commands may not write",
					   launch_forbidden_register, NULL, VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (c') the engine's own context registers only, and never MI_MODE ---- */

static const char *vj_stop_blitter(struct adv *a)
{
	p_lri(a->p, HSW_RING_MI_MODE(HSW_BCS_BASE), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "render batch writing STOP_RING into the blitter's MI_MODE";
}

static const char *vj_stop_own(struct adv *a)
{
	p_lri(a->p, HSW_RING_MI_MODE(HSW_RCS_BASE), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "render batch writing STOP_RING into its own MI_MODE";
}

static const char *vj_blitter_mode(struct adv *a)
{
	p_lri(a->p, HSW_RING_MODE(HSW_BCS_BASE), (HSW_GFX_MODE_PPGTT_ENABLE << 16) | HSW_GFX_MODE_PPGTT_ENABLE);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "render batch enabling PPGTT in the blitter's GFX_MODE";
}

static const char *vj_render_instpm(struct adv *a)
{
	bo_wr32(atk_drv(a), &a->abuf, 0, 0xFFFF0001u);
	p_lrm(a->p, HSW_RING_INSTPM(HSW_RCS_BASE), a->abuf.gm);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "blitter batch loading the render ring's INSTPM";
}

static void launch_other_engine(struct adv *a)
{
	static variant_fn *const v[] = { vj_stop_blitter, vj_stop_own, vj_blitter_mode, vj_render_instpm };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void verify_other_engine(struct adv *a)
{
	for (unsigned k = 0; k < 2; k++) {
		uint32_t base = k ? HSW_BCS_BASE : HSW_RCS_BASE;
		uint64_t mode = 0;

		assert_int_equal(gensim_mmio_read(a->h.gs, HSW_RING_MI_MODE(base), 4, &mode), 0);
		if (mode & HSW_MI_MODE_STOP_RING)
			fail_msg("a guest's batch stopped a physical ring (MI_MODE 0x%08x)", (uint32_t)mode);
	}
	/* The victims' blitter context is theirs. */
	for (unsigned k = 0; k < ADV_NV; k++) {
		assert_int_equal(vrd(&a->h.guest[k], HSW_RING_MODE(HSW_BCS_BASE)) &
				 HSW_GFX_MODE_PPGTT_ENABLE, 0);
		assert_int_equal(vrd(&a->h.guest[k], HSW_RING_INSTPM(HSW_RCS_BASE)), 0);
	}
}

static void test_adv_lri_other_engine_registers(void **state)
{
	static const struct attack atk = { "registers of another engine, and MI_MODE", launch_other_engine,
					   verify_other_engine, VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (d) endless batch chains ---- */

static const char *vd_self(struct adv *a)
{
	p_bbs(a->p, a->ab[0].gm, 0);
	atk_batch(a, REFDRV_RCS, 0);
	return "batch chaining to itself";
}

static const char *vd_ping_pong(struct adv *a)
{
	p_sdi(a->p, a->abuf.gm + 4u, 2);
	p_bbs(a->p, a->ab[0].gm, 0);
	bo_prog(atk_drv(a), &a->ab[1], a->p);
	prog_reset(a->p);
	p_sdi(a->p, a->abuf.gm, 1);
	p_bbs(a->p, a->ab[1].gm, 0);
	atk_batch(a, REFDRV_BCS, 0);
	return "two batches chaining to each other";
}

static const char *vd_second_level_loop(struct adv *a)
{
	p_bbs(a->p, a->ab[1].gm, 0);
	bo_prog(atk_drv(a), &a->ab[1], a->p);
	prog_reset(a->p);
	p_bbs(a->p, a->ab[1].gm, HSW_MI_BB_SECOND_LEVEL);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "second-level batch chaining to itself";
}

static const char *vd_mid(struct adv *a)
{
	p_sdi(a->p, a->abuf.gm, 1);
	p_bbs(a->p, a->ab[0].gm + 16u, 0);
	atk_batch(a, REFDRV_RCS, 0);
	return "batch jumping into itself after its first command";
}

static void launch_endless_chain(struct adv *a)
{
	static variant_fn *const v[] = { vd_self, vd_ping_pong, vd_second_level_loop, vd_mid };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void test_adv_endless_batch_chain(void **state)
{
	static const struct attack atk = { "endless batch chaining", launch_endless_chain, NULL,
					   VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (e) TAIL and HEAD beyond the ring ---- */

static const char *ve_tail_size(struct adv *a)
{
	refdrv_write(atk_drv(a), HSW_RING_TAIL(HSW_RCS_BASE), atk_drv(a)->ring[REFDRV_RCS].ring.size);
	return "TAIL at the ring size";
}

static const char *ve_tail_max(struct adv *a)
{
	refdrv_write(atk_drv(a), HSW_RING_TAIL(HSW_BCS_BASE), HSW_TAIL_ADDR);
	return "TAIL at 2 MiB - 8 in a 16 KiB ring";
}

static const char *ve_head(struct adv *a)
{
	refdrv_write(atk_drv(a), HSW_RING_HEAD(HSW_RCS_BASE), 0x8000u);
	return "HEAD beyond the ring";
}

static void launch_tail_beyond(struct adv *a)
{
	static variant_fn *const v[] = { ve_tail_size, ve_tail_max, ve_head };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_RING);
}

static void test_adv_tail_beyond_ring(void **state)
{
	static const struct attack atk = { "TAIL beyond the ring", launch_tail_beyond, NULL,
					   VGT_GERR_RING, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (f) ring or status page outside its slices ---- */

static const char *vf_start_victim(struct adv *a)
{
	/* The "ring" is a victim's blit batch: run as a ring it would paint the victim. */
	refdrv_write(atk_drv(a), HSW_RING_START(HSW_BCS_BASE), a->v[0].bbatch.gm);
	refdrv_write(atk_drv(a), HSW_RING_TAIL(HSW_BCS_BASE), 0x40u);
	return "RING_START on a victim's batch";
}

static const char *vf_start_host(struct adv *a)
{
	refdrv_write(atk_drv(a), HSW_RING_START(HSW_RCS_BASE), host_hi(a, HOST_RING(E_RCS)));
	refdrv_write(atk_drv(a), HSW_RING_TAIL(HSW_RCS_BASE), 8u);
	return "RING_START on the physical render ring";
}

static const char *vf_straddle(struct adv *a)
{
	struct vgt_vgpu_info in = ch_info(atk_guest(a));

	refdrv_write(atk_drv(a), HSW_RING_START(HSW_RCS_BASE), (uint32_t)(in.high.base + in.high.size - PAGE));
	refdrv_write(atk_drv(a), HSW_RING_TAIL(HSW_RCS_BASE), 8u);
	return "16 KiB ring starting in the last page of its slice";
}

static const char *vf_hws_victim(struct adv *a)
{
	refdrv_write(atk_drv(a), HSW_RCS_HWS_PGA, a->d[1].ring[REFDRV_RCS].hwsp.gm);
	p_sdi(a->p, a->abuf.gm, 3);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "status page in a victim's memory";
}

static void launch_ring_start(struct adv *a)
{
	static variant_fn *const v[] = { vf_start_victim, vf_start_host, vf_straddle, vf_hws_victim };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_RING);
}

static void test_adv_ring_start_outside_slice(void **state)
{
	static const struct attack atk = { "ring START outside its slices", launch_ring_start, NULL,
					   VGT_GERR_RING, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (g) rewriting a batch after submitting it ---- */

static uint32_t good(struct adv *a, unsigned k)
{
	return 0x600D0000u | ((uint32_t)a->phase << 8) | k;
}

static void launch_rewrite(struct adv *a)
{
	struct refdrv *d = atk_drv(a);
	uint32_t seq, ring_pos;

	bo_zero(d, &a->abuf);
	/* Blitter: paint the canvas, mark 0 and 1. */
	prog_reset(a->p);
	p_sdi(a->p, a->abuf.gm, good(a, 0));
	p_fill(a->p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, a->canvas.gm, good(a, 9));
	p_sdi(a->p, a->abuf.gm + 4u, good(a, 1));
	p_end(a->p);
	bo_prog(d, &a->ab[0], a->p);
	ring_pos = d->ring[REFDRV_BCS].tail;
	assert_int_equal(refdrv_submit(d, REFDRV_BCS, &a->ab[0], &seq), 0);
	/* Render: two batches, the second queued behind the first. */
	prog_reset(a->p);
	p_sdi(a->p, a->abuf.gm + 8u, good(a, 2));
	p_end(a->p);
	bo_prog(d, &a->ab[1], a->p);
	assert_int_equal(refdrv_submit(d, REFDRV_RCS, &a->ab[1], &seq), 0);
	prog_reset(a->p);
	p_sdi(a->p, a->abuf.gm + 12u, good(a, 3));
	p_end(a->p);
	bo_prog(d, &a->ab[2], a->p);
	assert_int_equal(refdrv_submit(d, REFDRV_RCS, &a->ab[2], &seq), 0);

	/* Now every batch turns hostile, and the ring points at a fourth. */
	prog_reset(a->p);
	p_sdi(a->p, a->v[0].target.gm, 0xBAD00000u);
	p_fill(a->p, 0, VT_STRIDE, 0, 0, VT_STRIDE / 4u, 4, a->v[1].target.gm, 0xBAD00001u);
	p_sdi(a->p, a->abuf.gm, 0xBAD00002u);
	p_end(a->p);
	bo_prog(d, &a->ab[0], a->p);
	prog_reset(a->p);
	p_sdi(a->p, a->v[2].rbuf.gm, 0xBAD00003u);
	p_sdi(a->p, a->abuf.gm + 8u, 0xBAD00004u);
	p_end(a->p);
	bo_prog(d, &a->ab[1], a->p);
	prog_reset(a->p);
	p_sdi(a->p, a->v[2].rbuf.gm + 4u, 0xBAD00005u);
	p_sdi(a->p, a->abuf.gm + 12u, 0xBAD00006u);
	p_end(a->p);
	bo_prog(d, &a->ab[2], a->p);
	prog_reset(a->p);
	p_sdi(a->p, a->v[0].rbuf.gm, 0xBAD00007u);
	p_sdi(a->p, a->abuf.gm + 20u, 0xBAD00008u);
	p_end(a->p);
	bo_prog(d, &a->ab[3], a->p);
	bo_wr32(d, &d->ring[REFDRV_BCS].ring, ring_pos + 4u, a->ab[3].gm);
}

static void verify_rewrite(struct adv *a)
{
	struct refdrv *d = atk_drv(a);
	struct vgt_vgpu_info in = ch_info(atk_guest(a));

	/* What ran is what was submitted. */
	assert_int_equal(in.workloads_completed, in.workloads_submitted);
	for (unsigned k = 0; k < 4; k++)
		if (bo_rd32(d, &a->abuf, 4u * k) != good(a, k))
			fail_msg("mark %u is 0x%08x, not 0x%08x: the rewritten batch ran", k,
				 bo_rd32(d, &a->abuf, 4u * k), good(a, k));
	assert_int_equal(bo_rd32(d, &a->abuf, 20u), 0);
	assert_int_equal(bo_count_not(d, &a->canvas, 0, a->canvas.size, good(a, 9)), 0);
}

static void test_adv_rewrite_batch_after_submit(void **state)
{
	static const struct attack atk = { "rewriting batches after submitting them", launch_rewrite,
					   verify_rewrite, -1, true };

	(void)state;
	adv_run(&atk);
}

/* ---- (h) unknown opcodes ---- */

static const char *vh_batch_3d(struct adv *a)
{
	p_sdi(a->p, a->abuf.gm, 1);
	emit(a->p, 0x7B000005u);        /* 3DPRIMITIVE: not in the table */
	for (unsigned i = 0; i < 6; i++)
		emit(a->p, 0);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "3D command in a batch";
}

static const char *vh_ring_mi(struct adv *a)
{
	emit(a->p, HSW_MI_INSTR(0x3Fu, 0));
	atk_ring(a, REFDRV_RCS);
	return "MI opcode 0x3f in the ring";
}

static const char *vh_ring_client1(struct adv *a)
{
	emit(a->p, 0x20000042u);
	atk_ring(a, REFDRV_BCS);
	return "client 1 command in the ring";
}

static const char *vh_ring_3d(struct adv *a)
{
	emit(a->p, 0x78000000u);
	emit(a->p, 0);
	atk_ring(a, REFDRV_RCS);
	return "3D state command in the ring";
}

static const char *vh_batch_2d(struct adv *a)
{
	emit(a->p, 0x40400004u);        /* 2D opcode 0x01 */
	for (unsigned i = 0; i < 5; i++)
		emit(a->p, 0);
	p_end(a->p);
	atk_batch(a, REFDRV_BCS, 0);
	return "unknown 2D command in a batch";
}

static const char *vh_wait_for_event(struct adv *a)
{
	emit(a->p, HSW_MI_INSTR(HSW_MI_WAIT_FOR_EVENT_OP, 0));
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "MI_WAIT_FOR_EVENT in a batch";
}

static const char *vh_second_level(struct adv *a)
{
	emit(a->p, HSW_MI_INSTR(0x3Fu, 0));
	p_end(a->p);
	bo_prog(atk_drv(a), &a->ab[1], a->p);
	prog_reset(a->p);
	p_bbs(a->p, a->ab[1].gm, HSW_MI_BB_SECOND_LEVEL);
	p_end(a->p);
	atk_batch(a, REFDRV_RCS, 0);
	return "unknown command in a second-level batch";
}

static void launch_unknown(struct adv *a)
{
	static variant_fn *const v[] = { vh_batch_3d, vh_ring_mi, vh_ring_client1, vh_ring_3d,
					 vh_batch_2d, vh_wait_for_event, vh_second_level };

	run_variants(a, v, sizeof(v) / sizeof(v[0]), VGT_GERR_CMD);
}

static void test_adv_unknown_opcodes(void **state)
{
	static const struct attack atk = { "unknown opcodes", launch_unknown, NULL, VGT_GERR_CMD, false };

	(void)state;
	adv_run(&atk);
}

/* ---- (i) a workload that does not finish in time ---- */

#define HANG_FILLS      1000u           /* 4 us each: twice the hang bound */

static void launch_hang(struct adv *a)
{
	struct refdrv *d = atk_drv(a);
	uint32_t seq;

	bo_zero(d, &a->abuf);
	prog_reset(a->p);
	for (unsigned k = 0; k < HANG_FILLS; k++)
		p_fill(a->p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, a->canvas.gm, k);
	p_sdi(a->p, a->abuf.gm, 0xF1u);
	p_end(a->p);
	bo_prog(d, &a->ab[0], a->p);
	assert_int_equal(refdrv_submit(d, REFDRV_BCS, &a->ab[0], &seq), 0);
	/* Queued behind it: dropped with it. */
	prog_reset(a->p);
	p_sdi(a->p, a->abuf.gm + 4u, 0xF2u);
	p_end(a->p);
	bo_prog(d, &a->ab[1], a->p);
	assert_int_equal(refdrv_submit(d, REFDRV_BCS, &a->ab[1], &seq), 0);
}

static void verify_hang(struct adv *a)
{
	struct vgt_vgpu_info in = ch_info(atk_guest(a));
	uint64_t hangs = (uint64_t)a->phase + 1;
	struct vgt_host_info hi;

	assert_int_equal(in.errors_by_kind[VGT_GERR_HANG], hangs);
	assert_true(in.failsafe);
	vgt_host_get_info(a->h.host, &hi);
	assert_int_equal(hi.engine_resets[E_BCS], hangs);
	assert_int_equal(hi.engine_resets[E_RCS], 0);
	assert_int_equal(bo_rd32(atk_drv(a), &a->abuf, 0), 0);
	assert_int_equal(bo_rd32(atk_drv(a), &a->abuf, 4), 0);
	assert_int_equal(in.workloads_completed + 2 * hangs, in.workloads_submitted);
}

static void test_adv_hang(void **state)
{
	static const struct attack atk = { "a workload that never finishes in time", launch_hang,
					   verify_hang, VGT_GERR_HANG, true };

	(void)state;
	adv_run(&atk);
}

/*
 * A workload that hangs held its engine until the reset: that time is the
 * vGPU's (engine_ns: "time its workloads held each engine") and the
 * engine's, and counts against its fair share.
 */
static void test_hang_time_is_charged(void **state)
{
	struct core_harness *h = zalloc(sizeof(*h));
	struct refdrv *d = zalloc(2 * sizeof(*d));
	struct prog *p = prog_new();
	struct refdrv_bo canvas, batch, buf;
	struct vgt_vgpu_info in;
	struct vgt_host_info hi;
	uint32_t seq;

	(void)state;
	h_create(h, 0, ADV_HANG_NS);
	ch_add_guest(h, "vgt-64");
	ch_add_guest(h, "vgt-64");
	guest_up(&d[0], &h->guest[0]);
	guest_up(&d[1], &h->guest[1]);
	canvas = bo_new(&d[0], CANVAS_STRIDE * CANVAS_ROWS, false);
	batch = bo_new(&d[0], AB_SIZE, false);
	for (unsigned k = 0; k < HANG_FILLS; k++)
		p_fill(p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, canvas.gm, k);
	p_end(p);
	bo_prog(&d[0], &batch, p);
	assert_int_equal(refdrv_submit(&d[0], REFDRV_BCS, &batch, &seq), 0);
	for (unsigned n = 0; n < 200 && !ch_info(&h->guest[0]).failsafe; n++)
		step(h, ADV_BUDGET);
	in = ch_info(&h->guest[0]);
	assert_int_equal(in.errors_by_kind[VGT_GERR_HANG], 1);
	vgt_host_get_info(h->host, &hi);
	assert_int_equal(hi.engine_resets[E_BCS], 1);
	/* The blitter works on for the other guest. */
	buf = bo_new(&d[1], PAGE, false);
	{
		struct refdrv_bo b1 = bo_new(&d[1], PAGE, false);

		prog_reset(p);
		p_sdi(p, buf.gm, 0x77);
		p_end(p);
		bo_prog(&d[1], &b1, p);
		assert_int_equal(refdrv_submit(&d[1], REFDRV_BCS, &b1, &seq), 0);
		wait_seqno(h, &d[1], REFDRV_BCS, seq, "the other guest's blit after the reset");
		assert_int_equal(bo_rd32(&d[1], &buf, 0), 0x77);
	}
	assert_clean(h, 1, "after the other guest's hang");
	if (in.engine_ns[E_BCS] < ADV_HANG_NS)
		fail_msg("a workload held the blitter %llu ns until it was reset as hung, but its vGPU's "
			 "engine_ns[bcs] is %llu", ADV_HANG_NS, (unsigned long long)in.engine_ns[E_BCS]);
	if (hi.engine_busy_ns[E_BCS] < ADV_HANG_NS)
		fail_msg("the blitter was held %llu ns by a hung workload, but engine_busy_ns is %llu",
			 ADV_HANG_NS, (unsigned long long)hi.engine_busy_ns[E_BCS]);
	h_release(h);
	zfree(p);
	zfree(d);
	zfree(h);
}

/* ---- (j) a full-size ring submission ---- */

/*
 * A 2 MiB ring holds 2 MiB - 8 of commands.  The attacker's are all
 * legitimate: MI_NOOPs and, last, a store into its own memory whose unused
 * second dword reads as an MI_LOAD_REGISTER_IMM header and whose address,
 * its own, reads as a host fence register (the register field keeps the
 * low 23 bits).  Whatever the mediator makes of it, it may refuse it or run
 * it as written; the host fences and the other guests stay as they were.
 */
static void test_adv_full_ring_submission(void **state)
{
	struct core_harness *h = zalloc(sizeof(*h));
	struct refdrv *d = zalloc(CH_MAX_GUESTS * sizeof(*d));
	struct refdrv *ad = &d[ADV_ATK];
	struct vgt_inproc_guest *ag;
	struct refdrv_bo low, ring;
	uint32_t b = HSW_RCS_BASE, tail = (2u << 20) - 8u, cmd[4], target;
	uint64_t ram[ADV_NV], fences, gtt;
	struct vgt_vgpu_info in;
	struct gensim_stats st0, st;
	struct vgt_host_info hi;

	(void)state;
	h_default(h);
	ch_four_guests(h);
	for (unsigned i = 0; i < h->nguests; i++)
		guest_up(&d[i], &h->guest[i]);
	ag = &h->guest[ADV_ATK];
	in = ch_info(ag);
	low = bo_new(ad, 2u << 20, true);       /* the start of its aperture slice */
	assert_int_equal(low.gm, in.low.base);
	ring = bo_new(ad, 2u << 20, false);
	bo_zero(ad, &ring);
	target = (uint32_t)in.low.base + HSW_FENCE_LO(0);
	cmd[0] = HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT;
	cmd[1] = HSW_MI_LOAD_REGISTER_IMM(1);
	cmd[2] = target;
	cmd[3] = 0xDEAD0001u;
	assert_int_equal(refdrv_bo_write(ad, &ring, tail - 16u, cmd, sizeof(cmd)), 0);
	vgt_host_get_info(h->host, &hi);
	for (unsigned k = 0; k < ADV_NV; k++)
		ram[k] = ch_guest_ram_sum(h, k);
	fences = ch_fence_sum(h);
	gtt = ch_gtt_range_sum(h, hi.host_low) ^ (3 * ch_gtt_range_sum(h, hi.host_high));
	gensim_get_stats(h->gs, &st0);

	refdrv_write(ad, HSW_RING_MI_MODE(b), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	refdrv_write(ad, HSW_RING_CTL(b), 0);
	refdrv_write(ad, HSW_RING_HEAD(b), 0);
	refdrv_write(ad, HSW_RING_TAIL(b), 0);
	refdrv_write(ad, HSW_RING_START(b), ring.gm);
	refdrv_write(ad, HSW_RING_CTL(b), ((2u << 20) - PAGE) | HSW_RING_VALID);
	refdrv_write(ad, HSW_RING_MI_MODE(b), HSW_MI_MODE_STOP_RING << 16);
	refdrv_write(ad, HSW_RING_TAIL(b), tail);
	for (unsigned n = 0; n < 3000; n++) {
		in = ch_info(ag);
		if (in.workloads_completed == in.workloads_submitted || in.guest_errors)
			break;
		step(h, RUN_CMDS);
	}

	if (ch_fence_sum(h) != fences) {
		uint64_t f = 0;

		assert_int_equal(gensim_mmio_read(h->gs, HSW_FENCE_LO(0), 8, &f), 0);
		fail_msg("a guest's ring submission changed the host fences (fence 0 is now 0x%016llx)",
			 (unsigned long long)f);
	}
	assert_true((ch_gtt_range_sum(h, hi.host_low) ^ (3 * ch_gtt_range_sum(h, hi.host_high))) == gtt);
	for (unsigned k = 0; k < ADV_NV; k++) {
		assert_clean(h, k, "the other guests");
		assert_true(ch_guest_ram_sum(h, k) == ram[k]);
	}
	gensim_get_stats(h->gs, &st);
	assert_int_equal(st.cmd_errors, st0.cmd_errors);
	assert_int_equal(st.engine_resets, st0.engine_resets);
	in = ch_info(ag);
	if (in.guest_errors) {
		/* Refused at once, and nothing of it ran. */
		if (in.guest_errors != in.errors_by_kind[VGT_GERR_CMD] + in.errors_by_kind[VGT_GERR_RING] ||
		    in.workloads_submitted)
			fail_msg("the full-ring submission ended in '%s'", in.first_error);
	} else {
		/* Run as written (in one workload or in pieces). */
		assert_true(in.workloads_submitted >= 1);
		assert_int_equal(in.workloads_completed, in.workloads_submitted);
		assert_int_equal(bo_rd32(ad, &low, HSW_FENCE_LO(0)), 0xDEAD0001u);
		assert_int_equal(refdrv_read(ad, HSW_RING_HEAD(b)) & HSW_HEAD_ADDR, tail);
	}
	h_release(h);
	zfree(d);
	zfree(h);
}

/* ---- 4. The audit, both ways -------------------------------------------------- */

#define EDGE_SIZE       (16u * 1024u)

enum verdict { ACCEPTED, REFUSED };

struct au {
	struct core_harness h;
	struct refdrv d, nd;                    /* the tester's driver and its neighbour's */
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info me, nb;
	struct refdrv_bo first;                 /* the first aperture buffer: starts its slice */
	struct refdrv_bo edge;                  /* RAM also mapped at the end of its aperture slice */
	struct refdrv_bo buf, batch[3], links;
	struct prog *p;
	uint32_t lo_end;
	unsigned cases;
};

static void au_reset(struct au *c)
{
	assert_int_equal(vgt_vgpu_reset(c->g->vgpu), 0);
	if (refdrv_init(&c->d))
		fail_msg("refdrv_init after reset: %s", refdrv_strerror(&c->d));
}

/* After a submission: refused on the spot, or run to completion without any error. */
static enum verdict au_outcome(struct au *c, const struct vgt_vgpu_info *before, const char *what)
{
	struct vgt_vgpu_info in = ch_info(c->g);
	unsigned n;

	if (in.guest_errors != before->guest_errors) {
		if (in.errors_by_kind[VGT_GERR_CMD] == before->errors_by_kind[VGT_GERR_CMD] + 1 &&
		    in.guest_errors == before->guest_errors + 1 && in.failsafe) {
			au_reset(c);
			return REFUSED;
		}
		fail_msg("%s: refused, but not (only) by the command audit: %s", what, in.first_error);
	}
	for (n = 0; n < 5000; n++) {
		in = ch_info(c->g);
		if (in.workloads_completed == in.workloads_submitted || in.guest_errors != before->guest_errors)
			break;
		step(&c->h, RUN_CMDS);
	}
	in = ch_info(c->g);
	if (in.guest_errors != before->guest_errors)
		fail_msg("%s: accepted, then failed: %s", what, in.first_error);
	if (in.workloads_completed != in.workloads_submitted)
		fail_msg("%s: accepted but never completed", what);
	return ACCEPTED;
}

/* Runs a->p (ended by the caller) as a batch on @e. */
static enum verdict au_batch(struct au *c, enum refdrv_engine e, const char *what)
{
	struct vgt_vgpu_info before = ch_info(c->g);
	uint32_t seq;

	bo_prog(&c->d, &c->batch[0], c->p);
	assert_int_equal(refdrv_submit(&c->d, e, &c->batch[0], &seq), 0);
	return au_outcome(c, &before, what);
}

static enum verdict au_ring(struct au *c, enum refdrv_engine e, const char *what)
{
	struct vgt_vgpu_info before = ch_info(c->g);

	gring_submit(&c->d, e, c->p);
	return au_outcome(c, &before, what);
}

static void au_expect(struct au *c, enum verdict want, enum verdict got, const char *what)
{
	if (want != got)
		fail_msg("%s: %s, expected %s (the mediator's last word: '%s')", what,
			 got == ACCEPTED ? "accepted" : "refused", want == ACCEPTED ? "accepted" : "refused",
			 last_log);
	c->cases++;
}

#define AU_BATCH(c, want, e, what) au_expect((c), (want), au_batch((c), (e), (what)), (what))
#define AU_RING(c, want, e, what) au_expect((c), (want), au_ring((c), (e), (what)), (what))

static struct au *au_setup(void)
{
	struct au *c = zalloc(sizeof(*c));

	c->p = prog_new();
	h_create(&c->h, 0, 0);
	c->g = ch_add_guest(&c->h, "vgt-64");
	ch_add_guest(&c->h, "vgt-64");
	guest_up(&c->d, c->g);
	guest_up(&c->nd, &c->h.guest[1]);
	c->me = ch_info(c->g);
	c->nb = ch_info(&c->h.guest[1]);
	c->first = bo_new(&c->d, EDGE_SIZE, true);
	assert_int_equal(c->first.gm, c->me.low.base);
	c->edge = bo_new(&c->d, EDGE_SIZE, false);
	c->lo_end = (uint32_t)(c->me.low.base + c->me.low.size);
	for (uint32_t k = 0; k < EDGE_SIZE / PAGE; k++)
		vgtt_wr(c->g, (c->lo_end - EDGE_SIZE) / PAGE + k, c->edge.ram + (uint64_t)k * PAGE);
	c->buf = bo_new(&c->d, PAGE, false);
	for (unsigned i = 0; i < 3; i++)
		c->batch[i] = bo_new(&c->d, PAGE, false);
	c->links = bo_new(&c->d, 8u * PAGE, false);
	assert_clean(&c->h, 0, "setup");
	return c;
}

static void au_teardown(struct au *c)
{
	h_release(&c->h);
	zfree(c->p);
	zfree(c);
}

static void test_audit_stores(void **state)
{
	struct au *c = au_setup();
	struct prog *p = c->p;
	uint64_t nram = ch_guest_ram_sum(&c->h, 1);
	uint32_t nlow = (uint32_t)c->nb.low.base;

	(void)state;
	/* MI_STORE_DATA_IMM, dword. */
	prog_reset(p); p_sdi(p, c->buf.gm, 0x11u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "SDI dword into its own memory");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 0), 0x11u);
	prog_reset(p); p_sdi(p, c->lo_end - 4u, 0x12u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "SDI dword into the last dword of its slice");
	assert_int_equal(bo_rd32(&c->d, &c->edge, EDGE_SIZE - 4u), 0x12u);
	prog_reset(p); p_sdi(p, c->lo_end, 0x13u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI dword just past its slice");
	prog_reset(p); p_sdi(p, (uint32_t)c->me.low.base - 4u, 0x13u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI dword just before its slice");
	prog_reset(p); p_sdi(p, nlow, 0x14u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI dword into the neighbour's memory");
	prog_reset(p); p_sdi(p, c->buf.gm + 16u, 0x15u);
	AU_RING(c, ACCEPTED, REFDRV_RCS, "SDI dword in the ring");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 16), 0x15u);
	prog_reset(p); p_sdi(p, nlow, 0x16u);
	AU_RING(c, REFUSED, REFDRV_BCS, "SDI dword in the ring into the neighbour's memory");
	/* Qword. */
	prog_reset(p); p_sdi_qw(p, c->buf.gm + 8u, 0x21u, 0x22u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "SDI qword into its own memory");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 8), 0x21u);
	assert_int_equal(bo_rd32(&c->d, &c->buf, 12), 0x22u);
	prog_reset(p); p_sdi_qw(p, c->lo_end - 8u, 0x23u, 0x24u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "SDI qword into the last qword of its slice");
	assert_int_equal(bo_rd32(&c->d, &c->edge, EDGE_SIZE - 8u), 0x23u);
	assert_int_equal(bo_rd32(&c->d, &c->edge, EDGE_SIZE - 4u), 0x24u);
	prog_reset(p); p_sdi_qw(p, c->lo_end - 4u, 0x25u, 0x26u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI qword straddling the end of its slice");
	prog_reset(p); p_sdi_qw(p, c->buf.gm + 4u, 0x27u, 0x28u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI qword at a misaligned address in its own memory");
	prog_reset(p); p_sdi_qw(p, nlow, 0x29u, 0x2Au); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SDI qword into the neighbour's memory");
	/* MI_STORE_DATA_INDEX goes to its own status page. */
	prog_reset(p); emit(p, HSW_MI_STORE_DATA_INDEX); emit(p, 0x300u); emit(p, 0x31u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "MI_STORE_DATA_INDEX");
	assert_int_equal(bo_rd32(&c->d, &c->d.ring[REFDRV_RCS].hwsp, 0x300u), 0x31u);

	/* Registers: command-accessible ones both ways, others neither. */
	bo_wr32(&c->d, &c->buf, 64, 0xFFFF0005u);
	prog_reset(p);
	p_lrm(p, HSW_RING_INSTPM(HSW_RCS_BASE), c->buf.gm + 64u);
	p_srm(p, HSW_RING_INSTPM(HSW_RCS_BASE), c->buf.gm + 68u);
	p_srm(p, HSW_RING_TIMESTAMP(HSW_RCS_BASE), c->buf.gm + 72u);
	p_lri(p, HSW_RING_INSTPM(HSW_RCS_BASE), 0xFFFF0007u);
	p_srm(p, HSW_RING_INSTPM(HSW_RCS_BASE), c->buf.gm + 76u);
	p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "LRM/SRM/LRI of INSTPM and SRM of TIMESTAMP");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 68), 5);
	assert_true(bo_rd32(&c->d, &c->buf, 72) != 0);
	assert_int_equal(bo_rd32(&c->d, &c->buf, 76), 7);
	prog_reset(p); p_srm(p, HSW_FENCE_LO(0), c->buf.gm); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SRM of a fence register");
	prog_reset(p); p_lrm(p, HSW_FENCE_LO(0), c->buf.gm); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "LRM of a fence register");
	prog_reset(p); p_srm(p, HSW_RING_TIMESTAMP(HSW_RCS_BASE), nlow); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "SRM of TIMESTAMP into the neighbour's memory");
	prog_reset(p); p_lrm(p, HSW_RING_INSTPM(HSW_RCS_BASE), nlow); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "LRM of INSTPM from the neighbour's memory");
	prog_reset(p); p_lri(p, HSW_FENCE_LO(0), 0); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "LRI of a fence register");
	prog_reset(p); p_lri(p, 0x200000u, 0); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "LRI of an offset past the register file");

	/* PIPE_CONTROL. */
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_IMM, c->buf.gm + 128u, 0x41u, false); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "PIPE_CONTROL dword write into its own memory");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 128), 0x41u);
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_IMM, c->lo_end - 8u, 0x42u, true); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "PIPE_CONTROL qword write at the end of its slice");
	assert_int_equal(bo_rd32(&c->d, &c->edge, EDGE_SIZE - 8u), 0x42u);
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_TIMESTAMP, c->lo_end - 8u, 0, false); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "PIPE_CONTROL timestamp write into the last qword of its slice");
	assert_true(bo_rd32(&c->d, &c->edge, EDGE_SIZE - 8u) != 0x42u);
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_TIMESTAMP, c->lo_end, 0, false); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "PIPE_CONTROL timestamp write just past its slice");
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_IMM | HSW_PIPE_CONTROL_STORE_INDEX, 0x308u, 0x43u, false);
	p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "PIPE_CONTROL store-index write");
	assert_int_equal(bo_rd32(&c->d, &c->d.ring[REFDRV_RCS].hwsp, 0x308u), 0x43u);
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_MMIO_WRITE, HSW_RING_TAIL(HSW_RCS_BASE), 0, false); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "PIPE_CONTROL with an MMIO write");
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_IMM, nlow, 0x44u, false); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "PIPE_CONTROL write into the neighbour's memory");
	prog_reset(p); p_pc(p, 0, nlow, 0x45u, false); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "PIPE_CONTROL without post-sync operation");
	prog_reset(p); p_pc(p, HSW_PIPE_CONTROL_WRITE_IMM, c->buf.gm, 0, false); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "PIPE_CONTROL on the blitter");

	/* MI_FLUSH_DW. */
	prog_reset(p); p_flush(p, 1, 0, c->buf.gm + 192u, 0x51u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "MI_FLUSH_DW dword write into its own memory");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 192), 0x51u);
	prog_reset(p); p_flush(p, 0, 0, 0, 0); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "MI_FLUSH_DW without post-sync operation");
	prog_reset(p); p_flush(p, 2, 0, c->buf.gm + 192u, 0); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "MI_FLUSH_DW with the reserved post-sync operation");
	prog_reset(p); p_flush(p, 3, 0, c->lo_end - 8u, 0); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "MI_FLUSH_DW timestamp into the last qword of its slice");
	prog_reset(p); p_flush(p, 3, 0, c->lo_end, 0); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "MI_FLUSH_DW timestamp just past its slice");
	prog_reset(p); p_flush(p, 1, 0, nlow, 0x52u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "MI_FLUSH_DW write into the neighbour's memory");
	prog_reset(p); p_flush(p, 1, 0, c->buf.gm, 0x53u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "MI_FLUSH_DW on the render ring");

	assert_clean(&c->h, 1, "the neighbour");
	assert_true(ch_guest_ram_sum(&c->h, 1) == nram);
	assert_int_equal(gs_stat_cmd_errors(&c->h), 0);
	au_teardown(c);
}

static void test_audit_blits(void **state)
{
	struct au *c = au_setup();
	struct prog *p = c->p;
	uint64_t nram = ch_guest_ram_sum(&c->h, 1);
	uint32_t base = c->lo_end - EDGE_SIZE, neg = 0x10000u - 1024u;

	(void)state;
	/* Linear: 16 rows of 1 KiB end exactly at its slice's end. */
	prog_reset(p); p_fill(p, 0, 1024, 0, 0, 256, 16, base, 0x00AA0001u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "fill ending at its slice's end");
	assert_int_equal(bo_count_not(&c->d, &c->edge, 0, EDGE_SIZE, 0x00AA0001u), 0);
	prog_reset(p); p_fill(p, 0, 1024, 0, 0, 256, 17, base, 0x00AA0002u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "fill one row past its slice's end");
	prog_reset(p); p_fill(p, 0, 1024, 1, 0, 257, 16, base, 0x00AA0003u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "fill one pixel past its slice's end");
	prog_reset(p); p_fill(p, 0, 1024, 0, 0, 256, 16, c->lo_end, 0x00AA0003u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "fill in the neighbour's memory");
	/* Negative pitch: from the last row up to its slice's first byte. */
	prog_reset(p); p_fill(p, 0, neg, 0, 0, 256, 16, c->first.gm + 15u * 1024u, 0x00BB0001u); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "negative-pitch fill up to its slice's start");
	assert_int_equal(bo_count_not(&c->d, &c->first, 0, EDGE_SIZE, 0x00BB0001u), 0);
	prog_reset(p); p_fill(p, 0, neg, 0, 0, 256, 17, c->first.gm + 15u * 1024u, 0x00BB0002u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "negative-pitch fill one row before its slice");
	prog_reset(p); p_fill(p, 0, neg, 0, 1, 256, 2, c->first.gm, 0x00BB0003u); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "negative-pitch fill starting at row 1 of its first row");
	/* X-tiled: whole tile rows count. */
	prog_reset(p);
	p_fill(p, HSW_BLT_DST_TILED, 512u / 4u, 0, 0, 128, 16, c->lo_end - 2u * PAGE, 0x00CC0001u);
	p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "tiled fill of the last two tiles of its slice");
	assert_int_equal(bo_count_not(&c->d, &c->edge, EDGE_SIZE - 2u * PAGE, 2u * PAGE, 0x00CC0001u), 0);
	prog_reset(p);
	p_fill(p, HSW_BLT_DST_TILED, 512u / 4u, 0, 0, 128, 17, c->lo_end - 2u * PAGE, 0x00CC0002u);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "tiled fill reaching a third tile row past its slice");
	prog_reset(p);
	p_fill(p, HSW_BLT_DST_TILED, 512u / 4u, 0, 0, 129, 8, c->lo_end - 4u * PAGE, 0x00CC0003u);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "tiled fill wider than its pitch");
	prog_reset(p);
	p_fill(p, HSW_BLT_DST_TILED, 1024u / 4u, 0, 0, 8, 8, c->lo_end - PAGE, 0x00CC0004u);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "narrow tiled fill whose tile row leaves its slice");
	/* Copies: the source is audited too. */
	prog_reset(p); p_copy(p, 1024, 0, 0, 256, 16, c->first.gm, 0, 0, 1024, base); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "copy from the end of its slice");
	{
		uint32_t *a = zalloc(EDGE_SIZE), *b = zalloc(EDGE_SIZE);

		assert_int_equal(refdrv_bo_read(&c->d, &c->first, 0, a, EDGE_SIZE), 0);
		assert_int_equal(refdrv_bo_read(&c->d, &c->edge, 0, b, EDGE_SIZE), 0);
		assert_memory_equal(a, b, EDGE_SIZE);
		zfree(b);
		zfree(a);
	}
	prog_reset(p); p_copy(p, 1024, 0, 0, 256, 16, c->first.gm, 0, 1, 1024, base); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "copy whose source runs a row past its slice");
	prog_reset(p);
	p_copy(p, 1024, 0, 0, 16, 16, c->first.gm, 0, 0, 1024, (uint32_t)c->nb.low.base);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "copy from the neighbour's memory");
	prog_reset(p);
	p_copy(p, 1024, 0, 0, 16, 16, (uint32_t)c->nb.low.base, 0, 0, 1024, c->first.gm);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "copy into the neighbour's memory");
	prog_reset(p); p_fill(p, 0, 1024, 0, 0, 16, 16, c->first.gm, 1); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "blit on the render ring");
	prog_reset(p); p_fill(p, 0, 1024, 5, 5, 5, 9, (uint32_t)c->nb.low.base, 1); p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_BCS, "empty fill (draws nothing)");

	assert_clean(&c->h, 1, "the neighbour");
	assert_true(ch_guest_ram_sum(&c->h, 1) == nram);
	assert_int_equal(gs_stat_cmd_errors(&c->h), 0);
	au_teardown(c);
}

/* Writes @n chain links in c->links: link i stores i and jumps to link i + 1; the last ends. */
static void au_chain(struct au *c, unsigned n)
{
	struct prog *p = c->p;

	prog_reset(p);
	for (unsigned i = 0; i < n; i++) {
		p_sdi(p, c->buf.gm + 4u * i, 0xC0000000u | i);
		if (i + 1 < n)
			p_bbs(p, c->links.gm + 32u * (i + 1), 0);
		else
			p_end(p);
		while (p->n % 8u)
			emit(p, HSW_MI_NOOP);
	}
	bo_prog(&c->d, &c->links, p);
	prog_reset(p);
	p_bbs(p, c->links.gm, 0);
}

static void test_audit_batches_and_lengths(void **state)
{
	struct au *c = au_setup();
	struct prog *p = c->p;

	(void)state;
	/* A second-level batch returns into the first. */
	prog_reset(p); p_sdi(p, c->buf.gm + 8u, 2); p_sdi(p, c->buf.gm + 4u, 0xB); p_end(p);
	bo_prog(&c->d, &c->batch[1], p);
	prog_reset(p);
	p_sdi(p, c->buf.gm + 8u, 1);
	p_bbs(p, c->batch[1].gm, HSW_MI_BB_SECOND_LEVEL);
	p_sdi(p, c->buf.gm, 0xA);
	p_sdi(p, c->buf.gm + 12u, 3);
	p_end(p);
	AU_BATCH(c, ACCEPTED, REFDRV_RCS, "second-level batch");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 0), 0xA);
	assert_int_equal(bo_rd32(&c->d, &c->buf, 4), 0xB);
	assert_int_equal(bo_rd32(&c->d, &c->buf, 8), 2);
	assert_int_equal(bo_rd32(&c->d, &c->buf, 12), 3);
	/* A third level does not exist. */
	prog_reset(p); p_sdi(p, c->buf.gm, 0xC); p_end(p);
	bo_prog(&c->d, &c->batch[2], p);
	prog_reset(p); p_bbs(p, c->batch[2].gm, HSW_MI_BB_SECOND_LEVEL); p_end(p);
	bo_prog(&c->d, &c->batch[1], p);
	prog_reset(p); p_bbs(p, c->batch[1].gm, HSW_MI_BB_SECOND_LEVEL); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "third-level batch");
	/*
	 * A batch with the PPGTT bit runs in the global GTT: PPGTT is not
	 * offered, so the guest cannot turn it on, and the audit's view of its
	 * addresses stays the one that runs.
	 */
	prog_reset(p); p_sdi(p, c->buf.gm + 16u, 0xD); p_end(p);
	bo_prog(&c->d, &c->batch[1], p);
	prog_reset(p); p_bbs(p, c->batch[1].gm, HSW_MI_BB_PPGTT);
	AU_RING(c, ACCEPTED, REFDRV_RCS, "PPGTT batch bit with PPGTT off");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 16), 0xD);
	refdrv_write(&c->d, HSW_RING_MODE(HSW_RCS_BASE),
		     (HSW_GFX_MODE_PPGTT_ENABLE << 16) | HSW_GFX_MODE_PPGTT_ENABLE);
	assert_int_equal(refdrv_read(&c->d, HSW_RING_MODE(HSW_RCS_BASE)) & HSW_GFX_MODE_PPGTT_ENABLE, 0);
	prog_reset(p); p_sdi(p, c->buf.gm + 20u, 0xE); p_end(p);
	bo_prog(&c->d, &c->batch[1], p);
	prog_reset(p); p_bbs(p, c->batch[1].gm, HSW_MI_BB_PPGTT);
	AU_RING(c, ACCEPTED, REFDRV_RCS, "PPGTT batch after a refused PPGTT enable");
	assert_int_equal(bo_rd32(&c->d, &c->buf, 20), 0xE);
	/* The ring itself. */
	prog_reset(p); p_end(p); emit(p, HSW_MI_NOOP);
	AU_RING(c, REFUSED, REFDRV_RCS, "MI_BATCH_BUFFER_END in the ring");
	prog_reset(p);
	emit(p, HSW_MI_NOOP);
	emit(p, HSW_MI_ARB_CHECK);
	emit(p, HSW_MI_USER_INTERRUPT);
	emit(p, HSW_MI_NOOP);
	AU_RING(c, ACCEPTED, REFDRV_BCS, "MI_NOOP, MI_ARB_CHECK and MI_USER_INTERRUPT in the ring");
	{
		/* A store whose last two dwords lie past TAIL. */
		struct vgt_vgpu_info before = ch_info(c->g);
		uint32_t dw[4] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, c->buf.gm, 0x99 };

		gring_put(&c->d, REFDRV_RCS, dw, 2);
		gring_kick(&c->d, REFDRV_RCS);
		au_expect(c, REFUSED, au_outcome(c, &before, "command running past TAIL"),
			  "command running past TAIL");
	}
	/* Bad lengths, in batches and in the ring. */
	prog_reset(p);
	emit(p, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0) | HSW_MI_USE_GGTT);
	emit(p, c->buf.gm);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "MI_STORE_DATA_IMM of 2 dwords");
	prog_reset(p); emit(p, HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 4) | HSW_MI_USE_GGTT);
	emit(p, 0); emit(p, c->buf.gm); emit(p, 1); emit(p, 2); emit(p, 3); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "MI_STORE_DATA_IMM of 6 dwords");
	prog_reset(p); emit(p, HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_IMM_OP, 2));
	emit(p, HSW_RING_INSTPM(HSW_RCS_BASE)); emit(p, 0x00010001u); emit(p, 0); p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "MI_LOAD_REGISTER_IMM with half a pair");
	prog_reset(p); emit(p, (HSW_XY_COLOR_BLT + 1u) | HSW_BLT_WRITE_RGBA);
	for (unsigned i = 0; i < 6; i++)
		emit(p, 0);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_BCS, "XY_COLOR_BLT of 7 dwords");
	prog_reset(p); emit(p, HSW_GFX_OP_PIPE_CONTROL(6));
	for (unsigned i = 0; i < 5; i++)
		emit(p, 0);
	p_end(p);
	AU_BATCH(c, REFUSED, REFDRV_RCS, "PIPE_CONTROL of 6 dwords");
	prog_reset(p);
	emit(p, HSW_MI_BATCH_BUFFER_START + 1u);
	emit(p, c->batch[1].gm);
	emit(p, 0);
	emit(p, HSW_MI_NOOP);
	AU_RING(c, REFUSED, REFDRV_RCS, "MI_BATCH_BUFFER_START of 3 dwords");
	prog_reset(p);
	emit(p, HSW_MI_FLUSH_DW + 2u);
	for (unsigned i = 0; i < 5; i++)
		emit(p, 0);
	AU_RING(c, REFUSED, REFDRV_BCS, "MI_FLUSH_DW of 5 dwords");

	/* Chains: up to the documented 64 batch buffers per submission. */
	au_chain(c, 100);
	AU_RING(c, REFUSED, REFDRV_RCS, "a chain of 100 batch buffers");
	bo_zero(&c->d, &c->buf);
	au_chain(c, 40);
	AU_RING(c, ACCEPTED, REFDRV_RCS, "a chain of 40 batch buffers");
	for (unsigned i = 0; i < 40; i++)
		assert_int_equal(bo_rd32(&c->d, &c->buf, 4u * i), 0xC0000000u | i);

	assert_int_equal(gs_stat_cmd_errors(&c->h), 0);
	au_teardown(c);
}

/* A submission as long as a ring can hold: a 2 MiB ring from HEAD 0 to TAIL 2 MiB - 8. */
static void test_max_ring_submission(void **state)
{
	struct au *c = au_setup();
	struct refdrv *d = &c->d;
	struct refdrv_bo ring = bo_new(d, 2u << 20, false);
	uint32_t b = HSW_RCS_BASE, tail = (2u << 20) - 8u, cmd[4];
	struct vgt_vgpu_info in;
	unsigned n;

	(void)state;
	bo_zero(d, &ring);              /* MI_NOOPs */
	cmd[0] = HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT;
	cmd[1] = 0;
	cmd[2] = c->buf.gm;
	cmd[3] = 0x5EED;
	assert_int_equal(refdrv_bo_write(d, &ring, tail - 16u, cmd, sizeof(cmd)), 0);
	refdrv_write(d, HSW_RING_MI_MODE(b), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	refdrv_write(d, HSW_RING_CTL(b), 0);
	refdrv_write(d, HSW_RING_HEAD(b), 0);
	refdrv_write(d, HSW_RING_TAIL(b), 0);
	refdrv_write(d, HSW_RING_START(b), ring.gm);
	refdrv_write(d, HSW_RING_CTL(b), ((2u << 20) - PAGE) | HSW_RING_VALID);
	refdrv_write(d, HSW_RING_MI_MODE(b), HSW_MI_MODE_STOP_RING << 16);
	refdrv_write(d, HSW_RING_TAIL(b), tail);
	for (n = 0; n < 3000; n++) {
		in = ch_info(c->g);
		if (in.workloads_completed == in.workloads_submitted || in.guest_errors)
			break;
		step(&c->h, RUN_CMDS);
	}
	in = ch_info(c->g);
	if (in.guest_errors)
		fail_msg("a full-ring submission of MI_NOOPs failed: %s", in.first_error);
	assert_true(in.workloads_submitted >= 1);      /* one workload, or its pieces */
	assert_int_equal(in.workloads_completed, in.workloads_submitted);
	assert_int_equal(bo_rd32(d, &c->buf, 0), 0x5EED);
	assert_int_equal(refdrv_read(d, HSW_RING_HEAD(b)) & HSW_HEAD_ADDR, tail);
	assert_int_equal(gs_stat_cmd_errors(&c->h), 0);
	au_teardown(c);
}

/* ---- 5. Guest resets ---------------------------------------------------------- */

#define T5_N            8u

struct t5g {
	struct refdrv d;
	struct refdrv_bo marks, canvas, bb[T5_N], rb[T5_N];
	uint32_t last[REFDRV_NUM_ENGINES];
};

static uint32_t t5_mark(unsigned id, unsigned k)
{
	return 0x3A000000u | (id << 8) | k;
}

static void t5_prep(struct t5g *g, struct prog *p, unsigned id)
{
	g->marks = bo_new(&g->d, PAGE, false);
	g->canvas = bo_new(&g->d, CANVAS_STRIDE * CANVAS_ROWS, false);
	bo_zero(&g->d, &g->marks);
	for (unsigned k = 0; k < T5_N; k++) {
		g->bb[k] = bo_new(&g->d, PAGE, false);
		prog_reset(p);
		p_fill(p, 0, CANVAS_STRIDE, 0, 0, CANVAS_STRIDE / 4u, CANVAS_ROWS, g->canvas.gm,
		       t5_mark(id, k));
		p_sdi(p, g->marks.gm + 4u * k, t5_mark(id, k));
		p_end(p);
		bo_prog(&g->d, &g->bb[k], p);
		g->rb[k] = bo_new(&g->d, PAGE, false);
		prog_reset(p);
		p_sdi(p, g->marks.gm + 4u * (64u + k), t5_mark(id, 64u + k));
		p_end(p);
		bo_prog(&g->d, &g->rb[k], p);
	}
}

static void t5_submit(struct t5g *g, enum refdrv_engine e, unsigned from, unsigned n)
{
	for (unsigned k = from; k < from + n; k++)
		assert_int_equal(refdrv_submit(&g->d, e, e == REFDRV_BCS ? &g->bb[k] : &g->rb[k],
					       &g->last[e]), 0);
}

/* How many of marks [base + from, base + from + n) hold their value. */
static unsigned t5_count(struct t5g *g, unsigned id, unsigned base, unsigned from, unsigned n)
{
	unsigned c = 0;

	for (unsigned k = from; k < from + n; k++)
		c += bo_rd32(&g->d, &g->marks, 4u * (base + k)) == t5_mark(id, base + k);
	return c;
}

static void t5_ring_reset_state(struct vgt_inproc_guest *g, uint32_t base, uint32_t hws)
{
	assert_int_equal(vrd(g, HSW_RING_CTL(base)), 0);
	assert_int_equal(vrd(g, HSW_RING_HEAD(base)), 0);
	assert_int_equal(vrd(g, HSW_RING_TAIL(base)), 0);
	assert_int_equal(vrd(g, HSW_RING_START(base)), 0);
	assert_int_equal(vrd(g, hws), 0);
}

static void test_guest_resets(void **state)
{
	struct core_harness *h = zalloc(sizeof(*h));
	struct t5g *g = zalloc(CH_MAX_GUESTS * sizeof(*g));
	struct prog *p = prog_new();
	struct t5g *A = &g[1], *B = &g[2];
	struct vgt_inproc_guest *gA;
	struct vgt_host_info hi;
	struct gensim_stats st0, st;
	struct vgt_vgpu_info in;
	struct refdrv_bo sb, sbuf;
	uint64_t sub, comp;

	(void)state;
	h_default(h);
	ch_four_guests(h);
	gA = &h->guest[1];
	for (unsigned i = 0; i < h->nguests; i++) {
		guest_up(&g[i].d, &h->guest[i]);
		t5_prep(&g[i], p, i);
	}
	gensim_get_stats(h->gs, &st0);

	/* 1: GDRST of the blitter while B's work runs on it and A's waits. */
	t5_submit(B, REFDRV_BCS, 0, 4);
	t5_submit(A, REFDRV_BCS, 0, T5_N);
	t5_submit(A, REFDRV_RCS, 0, 4);
	in = ch_info(gA);
	sub = in.workloads_submitted;
	comp = in.workloads_completed;
	refdrv_write(&A->d, HSW_GDRST, HSW_GDRST_BLT);
	assert_int_equal(refdrv_read(&A->d, HSW_GDRST), 0);
	t5_ring_reset_state(gA, HSW_BCS_BASE, HSW_BCS_HWS_PGA);
	assert_int_equal(vrd(gA, HSW_RING_CTL(HSW_RCS_BASE)) & HSW_RING_VALID, HSW_RING_VALID);
	vgt_host_get_info(h->host, &hi);
	assert_int_equal(hi.engine_resets[E_BCS], 0);      /* B's workload held the engine */
	wait_seqno(h, &B->d, REFDRV_BCS, B->last[REFDRV_BCS], "B's blits after A's GDRST");
	wait_seqno(h, &A->d, REFDRV_RCS, A->last[REFDRV_RCS], "A's render work after its blitter GDRST");
	for (unsigned s = 0; s < 50; s++)
		step(h, RUN_CMDS);
	assert_int_equal(t5_count(A, 1, 0, 0, T5_N), 0);
	assert_int_equal(t5_count(A, 1, 64, 0, 4), 4);
	assert_int_equal(t5_count(B, 2, 0, 0, 4), 4);
	in = ch_info(gA);
	assert_int_equal(in.workloads_completed - comp, 4);  /* only its render work */
	assert_int_equal(in.workloads_submitted, sub);
	assert_clean(h, 1, "A after GDRST");
	assert_clean(h, 2, "B after A's GDRST");
	assert_ring_idle(h, 2, &B->d, REFDRV_BCS);
	/* Restarted, A's blitter works again. */
	if (refdrv_init(&A->d))
		fail_msg("A's refdrv_init after GDRST: %s", refdrv_strerror(&A->d));
	t5_submit(A, REFDRV_BCS, 0, T5_N);
	wait_seqno(h, &A->d, REFDRV_BCS, A->last[REFDRV_BCS], "A's blits after restarting");
	assert_int_equal(t5_count(A, 1, 0, 0, T5_N), T5_N);
	assert_int_equal(bo_count_not(&A->d, &A->canvas, 0, A->canvas.size, t5_mark(1, T5_N - 1)), 0);
	assert_ring_idle(h, 1, &A->d, REFDRV_BCS);

	/* 2: GDRST of the blitter while A's own workload holds it. */
	bo_zero(&A->d, &A->marks);
	bo_zero(&B->d, &B->marks);
	t5_submit(A, REFDRV_BCS, 0, 4);
	t5_submit(B, REFDRV_BCS, 4, 4);
	refdrv_write(&A->d, HSW_GDRST, HSW_GDRST_BLT);
	t5_ring_reset_state(gA, HSW_BCS_BASE, HSW_BCS_HWS_PGA);
	vgt_host_get_info(h->host, &hi);
	assert_int_equal(hi.engine_resets[E_BCS], 1);
	gensim_get_stats(h->gs, &st);
	assert_int_equal(st.engine_resets - st0.engine_resets, 1);
	wait_seqno(h, &B->d, REFDRV_BCS, B->last[REFDRV_BCS], "B's blits after the engine reset");
	for (unsigned s = 0; s < 50; s++)
		step(h, RUN_CMDS);
	assert_int_equal(t5_count(A, 1, 0, 0, T5_N), 0);
	assert_int_equal(t5_count(B, 2, 0, 4, 4), 4);
	assert_clean(h, 1, "A after its second GDRST");
	assert_clean(h, 2, "B after A's second GDRST");
	if (refdrv_init(&A->d))
		fail_msg("A's refdrv_init after the second GDRST: %s", refdrv_strerror(&A->d));
	t5_submit(A, REFDRV_BCS, 4, 4);
	wait_seqno(h, &A->d, REFDRV_BCS, A->last[REFDRV_BCS], "A's blits after the second restart");
	assert_int_equal(t5_count(A, 1, 0, 4, 4), 4);

	/* 3: a function-level reset with work queued on both engines. */
	bo_zero(&A->d, &A->marks);
	bo_zero(&B->d, &B->marks);
	t5_submit(B, REFDRV_BCS, 0, 4);
	t5_submit(A, REFDRV_BCS, 0, T5_N);
	t5_submit(A, REFDRV_RCS, 0, 4);
	vcfg_wr(gA, AF_CTRL, 1, 1);
	assert_int_equal(vcfg(gA, PCI_COMMAND, 2), 0);
	assert_int_equal(vcfg(gA, MSI_CTRL, 2) & 1u, 0);
	assert_int_equal(vcfg(gA, AF_CTRL, 1) & 1u, 0);
	t5_ring_reset_state(gA, HSW_RCS_BASE, HSW_RCS_HWS_PGA);
	t5_ring_reset_state(gA, HSW_BCS_BASE, HSW_BCS_HWS_PGA);
	wait_seqno(h, &B->d, REFDRV_BCS, B->last[REFDRV_BCS], "B's blits after A's FLR");
	for (unsigned s = 0; s < 50; s++)
		step(h, RUN_CMDS);
	assert_int_equal(t5_count(A, 1, 0, 0, T5_N), 0);
	assert_int_equal(t5_count(A, 1, 64, 0, 4), 0);
	assert_int_equal(t5_count(B, 2, 0, 0, 4), 4);
	assert_clean(h, 1, "A after FLR");
	assert_clean(h, 2, "B after A's FLR");
	/* The driver starts over from probing. */
	guest_up(&A->d, gA);
	t5_prep(A, p, 1);
	t5_submit(A, REFDRV_BCS, 0, T5_N);
	t5_submit(A, REFDRV_RCS, 0, T5_N);
	wait_seqno(h, &A->d, REFDRV_BCS, A->last[REFDRV_BCS], "A's blits after FLR");
	wait_seqno(h, &A->d, REFDRV_RCS, A->last[REFDRV_RCS], "A's render work after FLR");
	assert_int_equal(t5_count(A, 1, 0, 0, T5_N), T5_N);
	assert_int_equal(t5_count(A, 1, 64, 0, T5_N), T5_N);
	sb = bo_new(&A->d, REFDRV_BATCH_MAX_DWORDS * 4u, false);
	sbuf = bo_new(&A->d, PAGE, false);
	assert_int_equal(refdrv_store_stream(&A->d, &sb, &sbuf, 3, 32), 0);

	/* The others were never disturbed. */
	for (unsigned i = 0; i < h->nguests; i++) {
		if (i != 1) {
			struct refdrv_bo b2 = bo_new(&g[i].d, REFDRV_BATCH_MAX_DWORDS * 4u, false);
			struct refdrv_bo buf2 = bo_new(&g[i].d, PAGE, false);

			assert_int_equal(refdrv_store_stream(&g[i].d, &b2, &buf2, 2, 32), 0);
		}
		assert_clean(h, i, "at the end");
	}
	gensim_get_stats(h->gs, &st);
	assert_int_equal(st.cmd_errors, st0.cmd_errors);
	h_release(h);
	zfree(p);
	zfree(g);
	zfree(h);
}

/* ---- 6. Virtual interrupts ---------------------------------------------------- */

struct t6 {
	struct core_harness h;
	struct refdrv d[2];
	struct refdrv_bo rb, bb, buf, fb;
};

static uint64_t t6_irqs(struct t6 *t, unsigned i)
{
	return ch_info(&t->h.guest[i]).irqs_injected;
}

/* Submits @n render batches without the driver's interrupt handling, waits for them. */
static void t6_quiet_submit(struct t6 *t, unsigned n)
{
	uint32_t s = 0;

	for (unsigned k = 0; k < n; k++)
		assert_int_equal(refdrv_submit(&t->d[0], REFDRV_RCS, &t->rb, &s), 0);
	wait_seqno(&t->h, &t->d[0], REFDRV_RCS, s, "render batches");
}

static void test_virtual_interrupts(void **state)
{
	struct t6 *t = zalloc(sizeof(*t));
	struct refdrv *d;
	struct vgt_inproc_guest *g0;
	uint64_t irq0, msi0, user0, user1, v0, v1, f0;
	uint32_t gtimr, deier;
	struct prog *p = prog_new();

	(void)state;
	h_default(&t->h);
	g0 = ch_add_guest(&t->h, "vgt-64");
	ch_add_guest(&t->h, "vgt-64");
	guest_up(&t->d[0], g0);
	guest_up(&t->d[1], &t->h.guest[1]);
	d = &t->d[0];
	assert_int_equal(vcfg(g0, MSI_CTRL, 2) & 1u, 1);
	t->buf = bo_new(d, PAGE, false);
	t->rb = bo_new(d, PAGE, false);
	t->bb = bo_new(d, PAGE, false);
	prog_reset(p); p_sdi(p, t->buf.gm, 1); p_end(p);
	bo_prog(d, &t->rb, p);
	prog_reset(p); p_sdi(p, t->buf.gm + 4u, 2); p_end(p);
	bo_prog(d, &t->bb, p);

	/* Each user interrupt the driver handles is one MSI. */
	irq0 = t6_irqs(t, 0);
	msi0 = g0->msis;
	user0 = d->user_irqs[REFDRV_RCS];
	user1 = d->user_irqs[REFDRV_BCS];
	for (unsigned k = 0; k < 4; k++) {
		uint32_t s;

		assert_int_equal(refdrv_submit(d, REFDRV_RCS, &t->rb, &s), 0);
		assert_int_equal(refdrv_wait_seqno(d, REFDRV_RCS, s), 0);
	}
	for (unsigned k = 0; k < 3; k++) {
		uint32_t s;

		assert_int_equal(refdrv_submit(d, REFDRV_BCS, &t->bb, &s), 0);
		assert_int_equal(refdrv_wait_seqno(d, REFDRV_BCS, s), 0);
	}
	assert_int_equal(t6_irqs(t, 0) - irq0, 7);
	assert_int_equal(g0->msis - msi0, 7);
	assert_int_equal(d->user_irqs[REFDRV_RCS] - user0, 4);
	assert_int_equal(d->user_irqs[REFDRV_BCS] - user1, 3);
	assert_int_equal(t6_irqs(t, 1), 0);

	/* The ring's IMR masks its user interrupt: nothing latched, nothing sent. */
	refdrv_write(d, HSW_RING_IMR(HSW_RCS_BASE), 0xFFFFFFFFu);
	irq0 = t6_irqs(t, 0);
	t6_quiet_submit(t, 3);
	for (unsigned s = 0; s < 5; s++)
		step(&t->h, RUN_CMDS);
	assert_int_equal(t6_irqs(t, 0), irq0);
	assert_int_equal(refdrv_read(d, HSW_GTIIR) & HSW_GT_RENDER_USER_INTERRUPT, 0);
	refdrv_write(d, HSW_RING_IMR(HSW_RCS_BASE), ~HSW_GT_RENDER_USER_INTERRUPT);

	/* GTIMR masks it: nothing latched, nothing sent. */
	gtimr = refdrv_read(d, HSW_GTIMR);
	refdrv_write(d, HSW_GTIMR, 0xFFFFFFFFu);
	t6_quiet_submit(t, 2);
	assert_int_equal(t6_irqs(t, 0), irq0);
	assert_int_equal(refdrv_read(d, HSW_GTIIR) & HSW_GT_RENDER_USER_INTERRUPT, 0);
	refdrv_write(d, HSW_GTIMR, gtimr);

	/* DEIER's master bit off: latched, but not sent until the master comes back. */
	deier = refdrv_read(d, HSW_DEIER);
	refdrv_write(d, HSW_DEIER, deier & ~HSW_DE_MASTER_IRQ_CONTROL);
	t6_quiet_submit(t, 3);
	for (unsigned s = 0; s < 5; s++)
		step(&t->h, RUN_CMDS);
	assert_int_equal(t6_irqs(t, 0), irq0);
	assert_int_equal(refdrv_read(d, HSW_GTIIR) & HSW_GT_RENDER_USER_INTERRUPT,
			 HSW_GT_RENDER_USER_INTERRUPT);
	refdrv_write(d, HSW_DEIER, deier);
	assert_int_equal(t6_irqs(t, 0), irq0 + 1);
	refdrv_write(d, HSW_GTIIR, 0xFFFFFFFFu);
	assert_int_equal(refdrv_read(d, HSW_GTIIR), 0);

	/* MSI disabled in config space: nothing sent. */
	irq0 = t6_irqs(t, 0);
	vcfg_wr(g0, MSI_CTRL, 2, 0);
	t6_quiet_submit(t, 2);
	assert_int_equal(t6_irqs(t, 0), irq0);
	refdrv_write(d, HSW_GTIIR, 0xFFFFFFFFu);
	vcfg_wr(g0, MSI_CTRL, 2, 1);
	t6_quiet_submit(t, 1);
	assert_int_equal(t6_irqs(t, 0), irq0 + 1);
	refdrv_write(d, HSW_GTIIR, 0xFFFFFFFFu);
	assert_clean(&t->h, 0, "after the interrupt tests");

	/* Vblanks: only a guest with an enabled pipe counts them, as device time passes. */
	t->fb = bo_new(d, 64u * 64u * 4u, true);
	assert_int_equal(refdrv_display_set(d, 0, &t->fb, 64, 64, 256, HSW_DSPFMT_BGRX888), 0);
	assert_int_equal(vgt_host_poll(t->h.host), 0);
	v0 = ch_info(g0).vblanks;
	v1 = ch_info(&t->h.guest[1]).vblanks;
	f0 = vrd(g0, HSW_PIPE_FRMCOUNT(0));
	irq0 = t6_irqs(t, 0);
	for (unsigned k = 0; k < 5; k++)
		assert_int_equal(vgt_host_poll(t->h.host), 0);
	assert_int_equal(ch_info(g0).vblanks, v0);
	for (unsigned k = 0; k < 20; k++) {
		assert_int_equal(gensim_advance_time(t->h.gs, 5000000), 0);
		assert_int_equal(vgt_host_poll(t->h.host), 0);
	}
	{
		uint64_t n = ch_info(g0).vblanks - v0;

		if (n < 5 || n > 7)
			fail_msg("%llu vblanks in 100 ms at 60 Hz", (unsigned long long)n);
		assert_int_equal(vrd(g0, HSW_PIPE_FRMCOUNT(0)) - f0, n);
	}
	assert_int_equal(ch_info(&t->h.guest[1]).vblanks, v1);
	assert_int_equal(vrd(&t->h.guest[1], HSW_PIPE_FRMCOUNT(0)), 0);
	assert_true(t6_irqs(t, 0) > irq0);
	assert_int_equal(t6_irqs(t, 1), 0);
	assert_int_equal(refdrv_wait_vblank(d, 0), 0);
	assert_clean(&t->h, 0, "at the end");
	assert_clean(&t->h, 1, "at the end");

	h_release(&t->h);
	zfree(p);
	zfree(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_fair_completion_four_guests, cleanup),
		cmocka_unit_test_teardown(test_back_to_back_within_hang_bound, cleanup),
		cmocka_unit_test_teardown(test_weighted_share_by_type, cleanup),
		cmocka_unit_test_teardown(test_weighted_share_explicit_weights, cleanup),
		cmocka_unit_test_teardown(test_adv_batch_in_foreign_memory, cleanup),
		cmocka_unit_test_teardown(test_adv_store_into_host_slice, cleanup),
		cmocka_unit_test_teardown(test_adv_lri_forbidden_register, cleanup),
		cmocka_unit_test_teardown(test_adv_lri_other_engine_registers, cleanup),
		cmocka_unit_test_teardown(test_adv_endless_batch_chain, cleanup),
		cmocka_unit_test_teardown(test_adv_tail_beyond_ring, cleanup),
		cmocka_unit_test_teardown(test_adv_ring_start_outside_slice, cleanup),
		cmocka_unit_test_teardown(test_adv_rewrite_batch_after_submit, cleanup),
		cmocka_unit_test_teardown(test_adv_unknown_opcodes, cleanup),
		cmocka_unit_test_teardown(test_adv_hang, cleanup),
		cmocka_unit_test_teardown(test_hang_time_is_charged, cleanup),
		cmocka_unit_test_teardown(test_adv_full_ring_submission, cleanup),
		cmocka_unit_test_teardown(test_audit_stores, cleanup),
		cmocka_unit_test_teardown(test_audit_blits, cleanup),
		cmocka_unit_test_teardown(test_audit_batches_and_lengths, cleanup),
		cmocka_unit_test_teardown(test_max_ring_submission, cleanup),
		cmocka_unit_test_teardown(test_guest_resets, cleanup),
		cmocka_unit_test_teardown(test_virtual_interrupts, cleanup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

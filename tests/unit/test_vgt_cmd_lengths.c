/* SPDX-License-Identifier: MIT */
/*
 * Command lengths as the mediator's auditor and gensim read them, both
 * from hsw_cmd_table.h, and what a vGPU sees of the GPU faults its own
 * work raises.
 *
 * The rule under test: a command is as long as the whole DWord Length
 * field says (Linux 6.1's Gen7 widths).  Length bits beyond what vgt
 * decodes are refused as a guest error, never ignored, so the auditor
 * never approves a ring that the GPU would walk differently.
 *
 * The walk test submits, on every engine, each command of the table at
 * every length it has, its operand dwords poison (no command, read as a
 * header) wherever the command does not read them, followed by a marker
 * store: the submission is accepted and the marker lands only if the
 * auditor and then gensim, running the audited copy, both stepped over
 * exactly the stated length.  gensim alone is measured too: one command
 * run moves HEAD by its length.
 *
 * The fault tests make the physical GPU fault under a vGPU's work and
 * check that the vGPU's own RING_FAULT_REG shows the Gen7 layout with its
 * own page, that a fault outside its memory never reaches it, and that
 * writing VALID back clear clears it as on hardware.
 *
 * The guests are in-process domains on gensim; each test drives the host
 * itself (vgt_host_run, with device time passing when nothing runs).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_harness.h"
#include "hsw/hsw_cmd_table.h"

#define PAGE            4096u
#define RUN_CMDS        4096u
#define IDLE_NS         1000000ull
#define HANG_NS         20000000ull     /* a short hang bound: a broken walk fails fast */
#define TRING_SIZE      (128u * 1024u)  /* room for every LRI length in one submission */
#define MAX_SUBMIT      (TRING_SIZE / 4u - 64u)
#define POISON          0xE0000000u     /* client 7: no command for the auditor or gensim */
#define MARK_OFF        0x100u          /* marker slot in each status page */
#define SDX_OFF         0x180u          /* where the MI_STORE_DATA_INDEX under test stores */

static const uint32_t eng_base[HSW_NUM_ENGINES] = { HSW_RCS_BASE, HSW_VCS_BASE, HSW_BCS_BASE,
						    HSW_VECS_BASE };
static const uint32_t eng_pga[HSW_NUM_ENGINES] = { HSW_RCS_HWS_PGA, HSW_VCS_HWS_PGA, HSW_BCS_HWS_PGA,
						   HSW_VECS_HWS_PGA };
static const uint32_t eng_fault[HSW_NUM_ENGINES] = { HSW_RCS_FAULT_REG, HSW_VCS_FAULT_REG,
						     HSW_BCS_FAULT_REG, HSW_VECS_FAULT_REG };
static const uint32_t eng_gdrst[HSW_NUM_ENGINES] = { HSW_GDRST_RENDER, HSW_GDRST_MEDIA, HSW_GDRST_BLT,
						     HSW_GDRST_VECS };
static const char *const eng_name[HSW_NUM_ENGINES] = { "rcs", "vcs", "bcs", "vecs" };

/* Engine indexes, the same for vgt, gensim and hsw_cmd_table.h. */
enum { E_RCS, E_VCS, E_BCS, E_VECS };

/* ---- Commands ------------------------------------------------------------------ */

/* Where a command's operands point. */
struct where {
	uint32_t buf;           /* a scratch page of its own */
	uint32_t batch;         /* a batch holding MI_BATCH_BUFFER_END */
};

/*
 * @c on engine @e with header @dw0, @len dwords long: operands that do no
 * harm, poison in every dword the command does not read, so that a
 * decoder taking another length stumbles on it.
 */
static void make_cmd(const struct hsw_cmd_enc *c, unsigned e, uint32_t dw0, uint32_t len,
		     const struct where *w, uint32_t *out)
{
	out[0] = dw0;
	for (uint32_t i = 1; i < len; i++)
		out[i] = POISON;
	switch (c->id) {
	case HSW_CMD_MI_STORE_DATA_IMM:
		out[2] = w->buf + (len == 5 ? 8u : 4u);        /* stores poison there */
		break;
	case HSW_CMD_MI_STORE_DATA_INDEX:
		out[1] = SDX_OFF;
		break;
	case HSW_CMD_MI_LOAD_REGISTER_IMM:
		/* Masked INSTPM writes that clear unused bits 15:13. */
		for (uint32_t i = 1; i + 1 < len; i += 2)
			out[i] = HSW_RING_INSTPM(eng_base[e]);
		break;
	case HSW_CMD_MI_STORE_REGISTER_MEM:
		out[1] = HSW_RING_TIMESTAMP(eng_base[e]);
		out[2] = w->buf + 16u;
		break;
	case HSW_CMD_MI_LOAD_REGISTER_MEM:
		out[1] = HSW_RING_INSTPM(eng_base[e]);
		out[2] = w->buf + 32u;                  /* zero: a masked write of nothing */
		break;
	case HSW_CMD_MI_BATCH_BUFFER_START:
		out[1] = w->batch;
		break;
	case HSW_CMD_PIPE_CONTROL:
		out[1] = 0;                             /* no post-sync operation: nothing read */
		break;
	case HSW_CMD_XY_COLOR_BLT:
	case HSW_CMD_XY_SRC_COPY_BLT:
		out[3] = 0;                             /* x2 = y2 = 0: an empty rectangle */
		break;
	default:
		/* MI_FLUSH_DW without post-sync reads no operand; one-dword commands have none. */
		break;
	}
	/* Store-type bits the commands need. */
	if (c->id == HSW_CMD_MI_STORE_DATA_IMM || c->id == HSW_CMD_MI_STORE_REGISTER_MEM ||
	    c->id == HSW_CMD_MI_LOAD_REGISTER_MEM)
		out[0] |= HSW_MI_USE_GGTT;
	if (c->id == HSW_CMD_XY_COLOR_BLT || c->id == HSW_CMD_XY_SRC_COPY_BLT)
		out[0] |= HSW_BLT_WRITE_RGBA;
}

static bool len_legal(const struct hsw_cmd_enc *c, uint32_t len)
{
	return hsw_cmd_len_ok(c, len);
}

static uint32_t dw0_for(const struct hsw_cmd_enc *c, uint32_t field)
{
	return c->header | field;
}

/*
 * Field values the auditor must refuse: every single field bit on top of
 * the shortest legal length, the all-ones field, and for pairs an even
 * length, wherever that is not a length the command has.
 */
static unsigned bad_fields(const struct hsw_cmd_enc *c, uint32_t *out)
{
	uint32_t base = c->min_len - c->bias, cand[40];
	unsigned n = 0, k = 0;

	if (!c->len_mask)
		return 0;               /* no field: nothing to state wrongly */
	for (unsigned b = 0; b < 32; b++)
		if (c->len_mask & (1u << b))
			cand[n++] = base | (1u << b);
	cand[n++] = c->len_mask;
	if (c->len_step == 2)
		cand[n++] = base + 1u;
	for (unsigned i = 0; i < n; i++) {
		bool dup = false;

		if (len_legal(c, cand[i] + c->bias))
			continue;
		for (unsigned j = 0; j < k; j++)
			dup |= out[j] == cand[i];
		if (!dup)
			out[k++] = cand[i];
	}
	return k;
}

/* ---- The mediated guest -------------------------------------------------------- */

struct tring {
	struct refdrv_bo ring, hwsp;
	uint32_t tail;
};

struct lt {
	struct core_harness h;
	struct refdrv d;
	struct vgt_inproc_guest *g, *nb;
	struct tring r[HSW_NUM_ENGINES];
	struct refdrv_bo buf, batch;
	struct where w;
	uint32_t mark;
	uint32_t *dw;                           /* MAX_SUBMIT dwords */
	unsigned accepted, refused;
};

static struct lt *cur;                          /* released by the teardown on a failure */

static char last_log[512];
static unsigned host_fault_lines;       /* "GPU fault at ... outside" lines logged */

static void t_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	struct core_harness *h = opaque;

	(void)level;
	snprintf(last_log, sizeof(last_log), "%s", msg);
	if (strstr(msg, "GPU fault at") && strstr(msg, "outside"))
		host_fault_lines++;
	h->log_lines++;
}

static int teardown(void **state)
{
	(void)state;
	if (cur) {
		ch_destroy(&cur->h);
		free(cur->dw);
		free(cur);
		cur = NULL;
	}
	return 0;
}

static void guest_up(struct refdrv *d, struct vgt_inproc_guest *g)
{
	if (refdrv_probe(d, &g->plat))
		fail_msg("refdrv_probe (domain %u): %s", g->domid, refdrv_strerror(d));
	if (refdrv_init(d))
		fail_msg("refdrv_init (domain %u): %s", g->domid, refdrv_strerror(d));
}

static struct refdrv_bo bo_new(struct refdrv *d, uint32_t size)
{
	struct refdrv_bo bo;

	if (refdrv_bo_alloc(d, size, false, &bo))
		fail_msg("refdrv_bo_alloc(%u): %s", size, refdrv_strerror(d));
	return bo;
}

/* The i915 ring start sequence, on the guest's virtual engine @e. */
static void tring_start(struct lt *t, unsigned e)
{
	struct tring *r = &t->r[e];
	uint32_t b = eng_base[e];

	vwr(t->g, HSW_RING_MI_MODE(b), (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	vwr(t->g, HSW_RING_CTL(b), 0);
	vwr(t->g, HSW_RING_HEAD(b), 0);
	vwr(t->g, HSW_RING_TAIL(b), 0);
	vwr(t->g, eng_pga[e], r->hwsp.gm);
	vwr(t->g, HSW_RING_START(b), r->ring.gm);
	vwr(t->g, HSW_RING_CTL(b), (TRING_SIZE - PAGE) | HSW_RING_VALID);
	vwr(t->g, HSW_RING_MI_MODE(b), HSW_MI_MODE_STOP_RING << 16);
	r->tail = 0;
}

static void lt_reset(struct lt *t)
{
	assert_int_equal(vgt_vgpu_reset(t->g->vgpu), 0);
	for (unsigned e = 0; e < HSW_NUM_ENGINES; e++)
		tring_start(t, e);
}

static struct lt *lt_setup(void)
{
	struct gensim_config cfg;
	struct vgt_host_params p = { 0 };
	struct vgt_error err = { { 0 } };
	static const uint32_t end = HSW_MI_BATCH_BUFFER_END;
	struct lt *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->dw = calloc(MAX_SUBMIT, sizeof(*t->dw));
	assert_non_null(t->dw);
	gensim_config_init(&cfg);
	cfg.memory_size = CH_MEMORY;
	assert_int_equal(gensim_create(&cfg, &t->h.gs), 0);
	p.hw = &gensim_hw_ops;
	p.hw_handle = t->h.gs;
	p.log = t_log;
	p.log_opaque = &t->h;
	p.hang_ns = HANG_NS;
	if (vgt_host_create(&p, &t->h.host, &err)) {
		gensim_destroy(t->h.gs);
		free(t->dw);
		free(t);
		fail_msg("vgt_host_create: %s", err.msg);
	}
	cur = t;
	t->g = ch_add_guest(&t->h, "vgt-64");
	t->nb = ch_add_guest(&t->h, "vgt-64");
	guest_up(&t->d, t->g);
	for (unsigned e = 0; e < HSW_NUM_ENGINES; e++) {
		t->r[e].ring = bo_new(&t->d, TRING_SIZE);
		t->r[e].hwsp = bo_new(&t->d, PAGE);
	}
	t->buf = bo_new(&t->d, PAGE);
	t->batch = bo_new(&t->d, PAGE);
	assert_int_equal(refdrv_bo_write(&t->d, &t->batch, 0, &end, 4), 0);
	t->w = (struct where){ .buf = t->buf.gm, .batch = t->batch.gm };
	for (unsigned e = 0; e < HSW_NUM_ENGINES; e++)
		tring_start(t, e);
	return t;
}

/* One host-run step; when nothing ran, device time passes. */
static void step(struct core_harness *h)
{
	int64_t n = vgt_host_run(h->host, RUN_CMDS);

	assert_true(n >= 0);
	if (n == 0) {
		uint64_t ns = gensim_next_event_ns(h->gs);

		assert_int_equal(gensim_advance_time(h->gs, ns && ns < IDLE_NS ? ns : IDLE_NS), 0);
		assert_int_equal(vgt_host_poll(h->host), 0);
	}
}

/* Writes @n dwords at the guest's TAIL of @e (qword-padded) and moves TAIL. */
static void tring_submit(struct lt *t, unsigned e, const uint32_t *dw, uint32_t n)
{
	static const uint32_t noop = HSW_MI_NOOP;
	struct tring *r = &t->r[e];

	assert_true(n <= MAX_SUBMIT);
	for (uint32_t i = 0; i < n;) {
		uint32_t k = (TRING_SIZE - r->tail) / 4u < n - i ? (TRING_SIZE - r->tail) / 4u : n - i;

		assert_int_equal(refdrv_bo_write(&t->d, &r->ring, r->tail, dw + i, k * 4u), 0);
		r->tail = (r->tail + k * 4u) % TRING_SIZE;
		i += k;
	}
	if (n & 1u) {
		assert_int_equal(refdrv_bo_write(&t->d, &r->ring, r->tail, &noop, 4), 0);
		r->tail = (r->tail + 4u) % TRING_SIZE;
	}
	vwr(t->g, HSW_RING_TAIL(eng_base[e]), r->tail);
}

enum verdict { ACCEPTED, REFUSED };

/* Everything submitted since @before completed (work dropped by an earlier reset stays uncounted). */
static bool all_done(const struct vgt_vgpu_info *in, const struct vgt_vgpu_info *before)
{
	return in->workloads_completed - before->workloads_completed ==
	       in->workloads_submitted - before->workloads_submitted;
}

/*
 * Refused on the spot by the command audit alone (one guest error of that
 * kind, failsafe latched, nothing queued), or run to completion without
 * any error.  A refused guest is reset for the next case.
 */
static enum verdict outcome(struct lt *t, const struct vgt_vgpu_info *before, const char *what)
{
	struct vgt_vgpu_info in = ch_info(t->g);

	if (in.guest_errors != before->guest_errors) {
		if (in.errors_by_kind[VGT_GERR_CMD] != before->errors_by_kind[VGT_GERR_CMD] + 1 ||
		    in.guest_errors != before->guest_errors + 1 || !in.failsafe)
			fail_msg("%s: refused, but not (only) by the command audit (last word: '%s')",
				 what, last_log);
		if (in.workloads_submitted != before->workloads_submitted)
			fail_msg("%s: refused after part of it was queued", what);
		t->refused++;
		return REFUSED;
	}
	for (unsigned n = 0; n < 20000; n++) {
		in = ch_info(t->g);
		if (all_done(&in, before) || in.guest_errors != before->guest_errors)
			break;
		step(&t->h);
	}
	in = ch_info(t->g);
	if (in.guest_errors != before->guest_errors)
		fail_msg("%s: accepted, then failed (last word: '%s')", what, last_log);
	if (!all_done(&in, before))
		fail_msg("%s: accepted but never completed", what);
	t->accepted++;
	return ACCEPTED;
}

static uint64_t gs_cmd_errors(struct lt *t)
{
	struct gensim_stats st;

	gensim_get_stats(t->h.gs, &st);
	return st.cmd_errors;
}

/* ---- 1. The three commands whose fields were read too narrowly ----------------- */

struct narrow {
	unsigned e;
	enum hsw_cmd_id id;
	uint32_t field;         /* a length using the upper bits of the field */
	uint32_t good;          /* the command's own length field */
};

/*
 * Except on RCS, where the MI_STORE_DATA_IMM field is 6 bits and bit 5 is
 * its top, the low 6 bits of each field are the command's own length:
 * what the auditor and gensim read with the old 0x3F mask.
 */
static const struct narrow narrow_cases[] = {
	/* MI_STORE_DATA_IMM: 6 bits on RCS, 8 on VCS/VECS, 10 on BCS. */
	{ E_RCS, HSW_CMD_MI_STORE_DATA_IMM, 0x22u, 2 },
	{ E_VCS, HSW_CMD_MI_STORE_DATA_IMM, 0x42u, 2 },
	{ E_VCS, HSW_CMD_MI_STORE_DATA_IMM, 0x82u, 2 },
	{ E_BCS, HSW_CMD_MI_STORE_DATA_IMM, 0x42u, 2 },
	{ E_BCS, HSW_CMD_MI_STORE_DATA_IMM, 0x202u, 2 },
	{ E_VECS, HSW_CMD_MI_STORE_DATA_IMM, 0x42u, 2 },
	{ E_VECS, HSW_CMD_MI_STORE_DATA_IMM, 0x82u, 2 },
	/* MI_STORE_DATA_INDEX and MI_BATCH_BUFFER_START: 8 bits on every engine. */
	{ E_RCS, HSW_CMD_MI_STORE_DATA_INDEX, 0x41u, 1 },
	{ E_VCS, HSW_CMD_MI_STORE_DATA_INDEX, 0x81u, 1 },
	{ E_BCS, HSW_CMD_MI_STORE_DATA_INDEX, 0x41u, 1 },
	{ E_VECS, HSW_CMD_MI_STORE_DATA_INDEX, 0xC1u, 1 },
	{ E_RCS, HSW_CMD_MI_BATCH_BUFFER_START, 0x40u, 0 },
	{ E_VCS, HSW_CMD_MI_BATCH_BUFFER_START, 0x80u, 0 },
	{ E_BCS, HSW_CMD_MI_BATCH_BUFFER_START, 0xC0u, 0 },
	{ E_VECS, HSW_CMD_MI_BATCH_BUFFER_START, 0x40u, 0 },
};

/* The commands of narrow_cases with real effects: a store, an index store, a batch that stores. */
static uint32_t narrow_cmd(struct lt *t, const struct narrow *n, uint32_t field, uint32_t *out)
{
	switch (n->id) {
	case HSW_CMD_MI_STORE_DATA_IMM:
		out[0] = HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, field) | HSW_MI_USE_GGTT;
		out[1] = 0;
		out[2] = t->buf.gm + 0x200u;
		out[3] = 0x5D1u;
		return 4;
	case HSW_CMD_MI_STORE_DATA_INDEX:
		out[0] = HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, field);
		out[1] = SDX_OFF;
		out[2] = 0x5D2u;
		return 3;
	default:
		out[0] = HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, field);
		out[1] = t->batch.gm + 0x800u;
		return 2;
	}
}

/* Did the command of @n run?  Clears what it leaves behind. */
static bool narrow_ran(struct lt *t, const struct narrow *n)
{
	bool ran;

	switch (n->id) {
	case HSW_CMD_MI_STORE_DATA_IMM:
		ran = bo_rd32(&t->d, &t->buf, 0x200u) == 0x5D1u;
		bo_wr32(&t->d, &t->buf, 0x200u, 0);
		break;
	case HSW_CMD_MI_STORE_DATA_INDEX:
		ran = bo_rd32(&t->d, &t->r[n->e].hwsp, SDX_OFF) == 0x5D2u;
		bo_wr32(&t->d, &t->r[n->e].hwsp, SDX_OFF, 0);
		break;
	default:
		ran = bo_rd32(&t->d, &t->buf, 0x204u) == 0x5D3u;
		bo_wr32(&t->d, &t->buf, 0x204u, 0);
		break;
	}
	return ran;
}

/*
 * MI_STORE_DATA_IMM, MI_STORE_DATA_INDEX and MI_BATCH_BUFFER_START with a
 * length whose upper field bits are set, on each engine, in the ring and
 * in a batch: refused as a command error with failsafe latched, nothing of
 * it run and gensim never sees it.  The same command with only the low
 * bits of that length (what a too-narrow mask read) does run.
 */
static void test_upper_length_bits_refused(void **state)
{
	struct lt *t = lt_setup();
	/* The batch a MI_BATCH_BUFFER_START under test starts: one store, then the end. */
	const uint32_t stores[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, t->buf.gm + 0x204u, 0x5D3u,
		HSW_MI_BATCH_BUFFER_END,
	};
	uint64_t gs_errors = gs_cmd_errors(t);

	(void)state;
	assert_int_equal(refdrv_bo_write(&t->d, &t->batch, 0x800u, stores, sizeof(stores)), 0);
	for (size_t i = 0; i < sizeof(narrow_cases) / sizeof(narrow_cases[0]); i++) {
		const struct narrow *n = &narrow_cases[i];
		uint32_t cmd[8], len;
		char what[160];

		if (n->e != E_RCS || n->id != HSW_CMD_MI_STORE_DATA_IMM)
			assert_int_equal(n->field & 0x3Fu, n->good);
		for (int in_batch = 0; in_batch < 2; in_batch++) {
			uint32_t wrap[4], nw = 0, base = eng_base[n->e];
			struct vgt_vgpu_info before = ch_info(t->g);
			enum verdict v;

			len = narrow_cmd(t, n, n->field, cmd);
			snprintf(what, sizeof(what), "%s DW0 0x%08x in the %s of %s",
				 n->id == HSW_CMD_MI_STORE_DATA_IMM ? "MI_STORE_DATA_IMM" :
				 n->id == HSW_CMD_MI_STORE_DATA_INDEX ? "MI_STORE_DATA_INDEX" :
				 "MI_BATCH_BUFFER_START", cmd[0], in_batch ? "batch" : "ring", eng_name[n->e]);
			if (in_batch) {
				/* The command, padded with what a short read would take as more commands. */
				cmd[len] = HSW_MI_BATCH_BUFFER_END;
				assert_int_equal(refdrv_bo_write(&t->d, &t->batch, 0x400u, cmd, (len + 1) * 4u), 0);
				wrap[nw++] = HSW_MI_BATCH_BUFFER_START;
				wrap[nw++] = t->batch.gm + 0x400u;
				tring_submit(t, n->e, wrap, nw);
			} else {
				tring_submit(t, n->e, cmd, len);
			}
			v = outcome(t, &before, what);
			if (v != REFUSED)
				fail_msg("%s: accepted: its upper length bits were ignored", what);
			if (narrow_ran(t, n))
				fail_msg("%s: refused, but it ran", what);
			/* A command error on the engine, as the hardware reports one. */
			assert_true(vrd(t->g, HSW_RING_EIR(base)) & HSW_ERR_INSTRUCTION);
			if (!in_batch)
				assert_int_equal(vrd(t->g, HSW_RING_IPEHR(base)), cmd[0]);
			lt_reset(t);

			/* Control: the same command with its own length runs. */
			before = ch_info(t->g);
			len = narrow_cmd(t, n, n->good, cmd);
			tring_submit(t, n->e, cmd, len);
			if (outcome(t, &before, what) != ACCEPTED || !narrow_ran(t, n))
				fail_msg("%s: the same command with length field 0x%x did not run", what,
					 n->good);
		}
	}
	assert_int_equal(gs_cmd_errors(t), gs_errors);
	teardown(NULL);
}

/* ---- 2. Every entry of the table, auditor and gensim alike ---------------------- */

/* Every legal length of @c on @e, then a marker: accepted, and the marker lands. */
static void walk_legal(struct lt *t, const struct hsw_cmd_enc *c, unsigned e)
{
	struct vgt_vgpu_info before = ch_info(t->g);
	uint32_t n = 0, lengths = 0;
	char what[160];

	if (c->id == HSW_CMD_MI_BATCH_BUFFER_END)
		return;                 /* not in a ring: the batch of MI_BATCH_BUFFER_START ends with it */
	for (uint32_t len = c->min_len; len <= c->max_len; len++) {
		if (!len_legal(c, len))
			continue;
		assert_true(n + len + 3 <= MAX_SUBMIT);
		make_cmd(c, e, c->len_mask ? dw0_for(c, len - c->bias) : c->header, len, &t->w, t->dw + n);
		n += len;
		lengths++;
	}
	t->mark++;
	t->dw[n++] = HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 1);
	t->dw[n++] = MARK_OFF;
	t->dw[n++] = t->mark;
	snprintf(what, sizeof(what), "%s at each of its %u lengths on %s", c->name, lengths, eng_name[e]);
	tring_submit(t, e, t->dw, n);
	if (outcome(t, &before, what) != ACCEPTED)
		fail_msg("%s: refused (last word: '%s')", what, last_log);
	if (bo_rd32(&t->d, &t->r[e].hwsp, MARK_OFF) != t->mark)
		fail_msg("%s: the marker after it never ran", what);
}

/* Every length field the auditor must refuse, one submission each. */
static void walk_bad(struct lt *t, const struct hsw_cmd_enc *c, unsigned e)
{
	uint32_t fields[40];
	unsigned nf = bad_fields(c, fields);

	for (unsigned i = 0; i < nf; i++) {
		struct vgt_vgpu_info before = ch_info(t->g);
		uint32_t dw0 = dw0_for(c, fields[i]), cmd[4];
		char what[160];

		/* Only the header matters: the length is judged before anything it covers. */
		make_cmd(c, e, dw0, 4, &t->w, cmd);
		snprintf(what, sizeof(what), "%s with length field 0x%x (%u dwords) on %s", c->name,
			 fields[i], fields[i] + c->bias, eng_name[e]);
		tring_submit(t, e, cmd, 4);
		if (outcome(t, &before, what) != REFUSED)
			fail_msg("%s: accepted", what);
		lt_reset(t);
	}
}

/* gensim alone: one command moves HEAD by its length; a bad field halts at the header. */
#define N_RING_GM       0x10000u
#define N_HWSP_GM       0x20000u
#define N_BATCH_GM      0x40000u
#define N_BUF_GM        0x80000u

static void native_walk(struct gensim *gs, const struct hsw_cmd_enc *c, unsigned e, uint32_t *cmd)
{
	static const uint32_t end = HSW_MI_BATCH_BUFFER_END;
	const struct where w = { .buf = N_BUF_GM, .batch = N_BATCH_GM };
	uint32_t fields[40], base = eng_base[e];
	unsigned nf = bad_fields(c, fields);
	struct harness_ring r;

	put_dwords(gs, N_BATCH_GM, &end, 1);
	if (c->id != HSW_CMD_MI_BATCH_BUFFER_END) {
		for (uint32_t len = c->min_len; len <= c->max_len; len++) {
			if (!len_legal(c, len))
				continue;
			make_cmd(c, e, c->len_mask ? dw0_for(c, len - c->bias) : c->header, len, &w, cmd);
			ring_init(gs, &r, (enum gensim_engine_id)e, N_RING_GM, 4096, N_HWSP_GM);
			ring_put(gs, &r, cmd, len);
			if (len & 1u)
				ring_put(gs, &r, &(const uint32_t){ HSW_MI_NOOP }, 1);
			ring_kick(gs, &r);
			assert_int_equal(gensim_run(gs, 1), 1);
			if ((rd(gs, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR) != len * 4u)
				fail_msg("gensim: %s of %u dwords on %s moved HEAD by %u bytes", c->name, len,
					 eng_name[e], rd(gs, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR);
			assert_true(gensim_run_until_idle(gs, 1000) >= 0);
			assert_false(engine_state(gs, (enum gensim_engine_id)e).halted);
		}
	}
	for (unsigned i = 0; i < nf; i++) {
		uint32_t dw0 = dw0_for(c, fields[i]);

		make_cmd(c, e, dw0, 4, &w, cmd);
		ring_init(gs, &r, (enum gensim_engine_id)e, N_RING_GM, 4096, N_HWSP_GM);
		ring_submit(gs, &r, cmd, 4);
		if (!engine_state(gs, (enum gensim_engine_id)e).halted)
			fail_msg("gensim: %s with length field 0x%x on %s did not halt", c->name, fields[i],
				 eng_name[e]);
		assert_int_equal(rd(gs, HSW_RING_IPEHR(base)), cmd[0]);
		assert_int_equal(rd(gs, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR, 0);
		wr(gs, HSW_GDRST, eng_gdrst[e]);
	}
}

static void test_table_walk(void **state)
{
	struct lt *t = lt_setup();
	struct gensim *native = harness_create(NULL);
	unsigned entries = 0, pairs = 0;
	uint32_t cmd[MAX_SUBMIT > 512 ? 512 : MAX_SUBMIT];
	uint64_t gs_errors = gs_cmd_errors(t);

	(void)state;
	_Static_assert(HSW_CMD_MAX_DW <= sizeof(cmd) / sizeof(cmd[0]), "room for the longest command");
	for (size_t i = 0; i < HSW_CMD_TABLE_SIZE; i++) {
		const struct hsw_cmd_enc *c = &hsw_cmd_table[i];

		entries++;
		/* A table entry is sound: a length field below the header bits, a bias when there is one. */
		assert_int_equal(c->len_mask & c->header_mask, 0);
		assert_int_equal(c->header & ~c->header_mask, 0);
		assert_true(c->min_len >= 1 && c->min_len <= c->max_len && c->max_len <= HSW_CMD_MAX_DW);
		if (c->len_mask) {
			assert_int_equal(c->bias, HSW_LENGTH_BIAS);
			assert_true(c->max_len <= c->len_mask + c->bias);
		}
		for (unsigned e = 0; e < HSW_NUM_ENGINES; e++) {
			if (!(c->engines & (1u << e)))
				continue;
			/* The encoding found for this engine is this one. */
			assert_ptr_equal(hsw_cmd_find(c->header, 1u << e), c);
			walk_legal(t, c, e);
			walk_bad(t, c, e);
			native_walk(native, c, e, cmd);
			pairs++;
		}
	}
	/* Every command of the table on some engine; none on an engine twice. */
	for (unsigned id = 0; id < HSW_NUM_CMDS; id++)
		for (unsigned e = 0; e < HSW_NUM_ENGINES; e++) {
			unsigned n = 0;

			for (size_t i = 0; i < HSW_CMD_TABLE_SIZE; i++)
				n += hsw_cmd_table[i].id == id && (hsw_cmd_table[i].engines & (1u << e));
			assert_true(n <= 1);
		}
	assert_int_equal(gs_cmd_errors(t), gs_errors);
	print_message("# %u entries, %u (entry, engine) pairs, %u submissions accepted, %u refused\n",
		      entries, pairs, t->accepted, t->refused);
	gensim_destroy(native);
	teardown(NULL);
}

/* ---- 3. RING_FAULT_REG of a vGPU ----------------------------------------------- */

/* i915's RING_FAULT_* decode (gt/intel_gt_regs.h, gen6_check_faults). */
#define FAULT_PAGE(x)   ((x) & 0xFFFFF000u)
#define FAULT_GTTSEL(x) ((x) & (1u << 11))
#define FAULT_SRCID(x)  (((x) >> 3) & 0xFFu)
#define FAULT_TYPE(x)   (((x) >> 1) & 0x3u)
#define FAULT_VALID(x)  ((x) & 1u)

static uint32_t phys_rd(struct lt *t, uint32_t off)
{
	uint64_t v = 0;

	assert_int_equal(gensim_mmio_read(t->h.gs, off, 4, &v), 0);
	return (uint32_t)v;
}

/* The host entry of @gm made not valid: the GPU faults there whatever the guest mapped. */
static void host_pte_invalid(struct lt *t, uint32_t gm)
{
	assert_int_equal(gensim_gtt_write(t->h.gs, gm >> 12, 0), 0);
}

/* Runs @dw on @e, then a marker: accepted, completed, the marker landed. */
static void run_ok(struct lt *t, unsigned e, const uint32_t *dw, uint32_t n, const char *what)
{
	struct vgt_vgpu_info before = ch_info(t->g);

	assert_true(n + 3 <= MAX_SUBMIT);
	memcpy(t->dw, dw, n * 4u);
	t->mark++;
	t->dw[n++] = HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 1);
	t->dw[n++] = MARK_OFF;
	t->dw[n++] = t->mark;
	tring_submit(t, e, t->dw, n);
	if (outcome(t, &before, what) != ACCEPTED)
		fail_msg("%s: refused", what);
	assert_int_equal(bo_rd32(&t->d, &t->r[e].hwsp, MARK_OFF), t->mark);
}

/* The vGPU's fault register of @e holds exactly a GGTT fault at @page. */
static void expect_vfault(struct lt *t, unsigned e, uint32_t page, const char *what)
{
	uint32_t f = vrd(t->g, eng_fault[e]);

	if (f != (page | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID))
		fail_msg("%s: %s fault register 0x%08x, expected page 0x%08x, GGTT, valid", what,
			 eng_name[e], f, page);
	assert_int_equal(FAULT_PAGE(f), page);
	assert_true(FAULT_GTTSEL(f));
	assert_int_equal(FAULT_SRCID(f), 0);
	assert_int_equal(FAULT_TYPE(f), 0);
	assert_true(FAULT_VALID(f));
	/* The mediator took it off the engine, so that the next fault latches. */
	assert_int_equal(phys_rd(t, eng_fault[e]) & HSW_FAULT_VALID, 0);
}

static void expect_no_vfault(struct vgt_inproc_guest *g, const char *what)
{
	for (unsigned e = 0; e < HSW_NUM_ENGINES; e++)
		if (vrd(g, eng_fault[e]) & HSW_FAULT_VALID)
			fail_msg("%s: domain %u shows a fault on %s: 0x%08x", what, g->domid, eng_name[e],
				 vrd(g, eng_fault[e]));
}

/*
 * A store on RCS and a blit on BCS that fault on the GPU at the guest's own
 * page: its RING_FAULT_REG of that engine shows that page in bits 31:12,
 * GGTT, VALID; nobody else's does.  The first fault stays until the guest
 * clears VALID the way i915 does; writing VALID set makes no fault; a
 * guest engine reset clears it.
 */
static void test_fault_reg_shows_own_page(void **state)
{
	struct lt *t = lt_setup();
	struct refdrv_bo fb = bo_new(&t->d, 2u * PAGE), surf = bo_new(&t->d, 2u * PAGE);
	const uint32_t page0 = fb.gm, page1 = fb.gm + PAGE;
	const uint32_t store0[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, page0 + 0x40u, 1 };
	const uint32_t store1[] = { HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, page1 + 0x7Cu, 2 };
	const uint32_t fill[] = {
		HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA,
		HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | PAGE,
		0, (2u << 16) | 16u, surf.gm, 0x00ABCDEFu,
	};
	uint32_t f;

	(void)state;
	expect_no_vfault(t->g, "before");
	host_pte_invalid(t, page0);
	host_pte_invalid(t, page1);
	host_pte_invalid(t, surf.gm + PAGE);

	run_ok(t, E_RCS, store0, 4, "a store on rcs into a page the GPU cannot reach");
	expect_vfault(t, E_RCS, page0, "store on rcs");
	assert_int_equal(vrd(t->g, HSW_BCS_FAULT_REG), 0);
	expect_no_vfault(t->nb, "the neighbour");

	/* A second fault does not overwrite the one the guest has not read. */
	run_ok(t, E_RCS, store1, 4, "a second faulting store on rcs");
	assert_int_equal(vrd(t->g, HSW_RCS_FAULT_REG), page0 | HSW_FAULT_GTT_SEL | HSW_FAULT_VALID);
	/* i915's clear: read, VALID off, write back.  Only VALID goes. */
	f = vrd(t->g, HSW_RCS_FAULT_REG);
	vwr(t->g, HSW_RCS_FAULT_REG, f & ~HSW_FAULT_VALID);
	assert_int_equal(vrd(t->g, HSW_RCS_FAULT_REG), page0 | HSW_FAULT_GTT_SEL);
	/* Writing VALID (or an address) does not make a fault. */
	vwr(t->g, HSW_RCS_FAULT_REG, 0xFFFFFFFFu);
	assert_int_equal(vrd(t->g, HSW_RCS_FAULT_REG), page0 | HSW_FAULT_GTT_SEL);
	/* The next fault latches its own page. */
	run_ok(t, E_RCS, store1, 4, "a store on rcs after the guest cleared VALID");
	expect_vfault(t, E_RCS, page1, "store on rcs after the clear");

	/* A blit on BCS whose second row is on the page the GPU cannot reach. */
	run_ok(t, E_BCS, fill, 6, "a fill on bcs over a page the GPU cannot reach");
	expect_vfault(t, E_BCS, surf.gm + PAGE, "fill on bcs");
	assert_int_equal(bo_rd32(&t->d, &surf, 0), 0x00ABCDEFu);
	/* A store on BCS too. */
	vwr(t->g, HSW_BCS_FAULT_REG, vrd(t->g, HSW_BCS_FAULT_REG) & ~HSW_FAULT_VALID);
	run_ok(t, E_BCS, store0, 4, "a store on bcs into a page the GPU cannot reach");
	expect_vfault(t, E_BCS, page0, "store on bcs");
	expect_no_vfault(t->nb, "the neighbour");

	/* A guest engine reset clears its register, as GDRST does on hardware. */
	vwr(t->g, HSW_GDRST, HSW_GDRST_RENDER);
	assert_int_equal(vrd(t->g, HSW_RCS_FAULT_REG), 0);
	assert_true(vrd(t->g, HSW_BCS_FAULT_REG) & HSW_FAULT_VALID);
	teardown(NULL);
}

/*
 * A fault at a host address, outside the vGPU's memory (its shadowed batch
 * in the mediator's pool, whose host entries are made not valid): the
 * vGPU's work hangs and is reset, but no vGPU's fault register ever shows
 * that address; the mediator logs it.
 */
#define POOL_OFF        0x1000000u      /* scheduler.c: RCS shadow-batch pool in the host slice */
#define POOL_SIZE       0x400000u

static void test_fault_outside_view_hidden(void **state)
{
	struct lt *t = lt_setup();
	struct vgt_host_info hi;
	uint32_t *saved = calloc(POOL_SIZE / PAGE, sizeof(*saved)), pool;
	const uint32_t store[] = {
		HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT, 0, t->buf.gm + 0x300u, 0x77u, HSW_MI_BATCH_BUFFER_END,
	};
	const uint32_t ring[] = { HSW_MI_BATCH_BUFFER_START, t->batch.gm + 0x800u };
	struct vgt_vgpu_info in, before;
	unsigned lines = host_fault_lines;

	(void)state;
	assert_non_null(saved);
	vgt_host_get_info(t->h.host, &hi);
	pool = (uint32_t)hi.host_high.base + POOL_OFF;
	for (uint32_t i = 0; i < POOL_SIZE / PAGE; i++) {
		assert_int_equal(gensim_gtt_read(t->h.gs, pool / PAGE + i, &saved[i]), 0);
		host_pte_invalid(t, pool + i * PAGE);
	}
	assert_int_equal(refdrv_bo_write(&t->d, &t->batch, 0x800u, store, sizeof(store)), 0);
	before = ch_info(t->g);
	tring_submit(t, E_RCS, ring, 2);
	for (unsigned n = 0; n < 2000 && ch_info(t->g).guest_errors == before.guest_errors; n++) {
		step(&t->h);
		/* Never, at any step, a host address in a vGPU's register. */
		expect_no_vfault(t->g, "the vGPU whose batch faulted in the host's pool");
		expect_no_vfault(t->nb, "the neighbour");
	}
	in = ch_info(t->g);
	assert_int_equal(in.errors_by_kind[VGT_GERR_HANG], before.errors_by_kind[VGT_GERR_HANG] + 1);
	assert_true(host_fault_lines > lines);
	assert_int_equal(bo_rd32(&t->d, &t->buf, 0x300u), 0);
	for (uint32_t i = 0; i < POOL_SIZE / PAGE; i++)
		assert_int_equal(gensim_gtt_write(t->h.gs, pool / PAGE + i, saved[i]), 0);
	free(saved);
	/* The engine was reset: the fault went with it, and the next vGPU work runs clean. */
	assert_int_equal(phys_rd(t, HSW_RCS_FAULT_REG) & HSW_FAULT_VALID, 0);
	lt_reset(t);
	run_ok(t, E_RCS, ring, 2, "the same batch with the pool mapped again");
	assert_int_equal(bo_rd32(&t->d, &t->buf, 0x300u), 0x77u);
	expect_no_vfault(t->g, "after");
	teardown(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_upper_length_bits_refused, teardown),
		cmocka_unit_test_teardown(test_table_walk, teardown),
		cmocka_unit_test_teardown(test_fault_reg_shows_own_page, teardown),
		cmocka_unit_test_teardown(test_fault_outside_view_hidden, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

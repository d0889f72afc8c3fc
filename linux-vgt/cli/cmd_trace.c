/* SPDX-License-Identifier: MIT */
/*
 * vgt trace: recording, replaying, dumping and importing xentrace-format
 * traces.
 *
 *   vgt trace record SCENARIO FILE [--domains N] [--frames F]
 *   vgt trace replay FILE [--verbose]
 *   vgt trace dump FILE [filters]
 *   vgt trace import CAPTURE OUT --bar0 ADDR ...
 *
 * Recording runs every domain's driver on one thread with the device
 * stepped, so the trace is deterministic: its replay on a fresh mediator
 * must produce every mediator event (submissions, audit verdicts, shadow
 * copies, schedules, context switches, interrupts, failsafe, resets, and
 * the value of every trapped read) exactly as recorded, and the same
 * digests of each vGPU's state.  Traces recorded from a free-running host
 * (vgtd) or imported from Xen are replayed input by input without that
 * comparison.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gensim_hw.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "refdrv.h"
#include "trace_file.h"
#include "trace_tools.h"

#define TR_MEMORY      (512ull << 20)
#define TR_RAM_BASE    (64ull << 20)
#define TR_RAM_SIZE    (32ull << 20)
#define TR_WIDTH       192u
#define TR_HEIGHT      128u
#define TR_MAX_DOMAINS 4u
#define TR_STORES      16u

static void quiet_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	if (level == VGT_LOG_ERROR)
		fprintf(stderr, "vgt: %s\n", msg);
}

/* The same device for recording and replay: gensim stepped, mediator defaults. */
static int make_host(struct gensim **gs, struct vgt_host **host)
{
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = quiet_log };
	struct gensim_config cfg;
	struct vgt_error err = { { 0 } };
	int ret;

	gensim_config_init(&cfg);
	cfg.memory_size = TR_MEMORY;
	ret = gensim_create(&cfg, gs);
	if (ret) {
		fprintf(stderr, "vgt trace: cannot create gensim: %s\n", strerror(-ret));
		return ret;
	}
	hp.hw_handle = *gs;
	ret = vgt_host_create(&hp, host, &err);
	if (ret) {
		fprintf(stderr, "vgt trace: %s\n", err.msg);
		gensim_destroy(*gs);
	}
	return ret;
}

/* ---- Recording ------------------------------------------------------------------- */

struct rec_dom {
	struct vgt_inproc_guest g;
	struct refdrv drv;
	struct refdrv_scene scene;
	struct refdrv_bo batch, buf;
	bool up;
};

static const char *const scenarios[] = {
	"demo", "reset", "hostile-gtt", "hostile-batch", "hostile-lri", "hostile-tail",
};

static int dom_start(struct vgt_host *host, struct gensim *gs, struct rec_dom *d, unsigned i)
{
	struct vgt_vgpu_params p = { .domid = i, .type = i ? "vgt-64" : "vgt-128" };
	struct vgt_error err = { { 0 } };
	int ret;

	ret = vgt_inproc_guest_init(&d->g, host, gs, TR_RAM_BASE + i * TR_RAM_SIZE, TR_RAM_SIZE, &p,
				    &err);
	if (ret) {
		fprintf(stderr, "vgt trace: domain %u: %s\n", i, err.msg);
		return ret;
	}
	d->up = true;
	ret = refdrv_scene_start(&d->drv, &d->g.plat, &d->scene, TR_WIDTH, TR_HEIGHT);
	if (!ret)
		ret = refdrv_bo_alloc(&d->drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &d->batch);
	if (!ret)
		ret = refdrv_bo_alloc(&d->drv, TR_STORES * 4u, false, &d->buf);
	if (ret)
		fprintf(stderr, "vgt trace: domain %u: %s\n", i, refdrv_strerror(&d->drv));
	return ret;
}

static int dom_frame(struct rec_dom *d, uint32_t f)
{
	long wrong;
	int ret = refdrv_scene_draw(&d->drv, &d->scene, f);

	if (ret)
		return ret;
	wrong = refdrv_store_stream(&d->drv, &d->batch, &d->buf, 1, TR_STORES);
	return wrong < 0 ? (int)wrong : wrong ? -EIO : 0;
}

/* The attacker (domain 1) tries one escape; the mediator must contain it. */
static void hostile(struct rec_dom *att, struct rec_dom *victim, const char *what)
{
	struct refdrv *d = &att->drv;
	struct refdrv_batch *b = malloc(sizeof(*b));
	uint32_t seqno;

	if (!strcmp(what, "hostile-gtt")) {
		/* A GTT entry in the victim's slice, pointing at the attacker's own RAM. */
		d->plat->mmio_write32(d->plat->ctx, d->bar0 + HSW_GTT_OFFSET +
				      (victim->scene.fb.gm >> 12) * 4u, 0x1000u | HSW_PTE_VALID);
	} else if (!strcmp(what, "hostile-tail")) {
		refdrv_write(d, HSW_RING_TAIL(HSW_BCS_BASE), 0x00FFFFF0u);
	} else if (b) {
		refdrv_batch_init(b);
		if (!strcmp(what, "hostile-batch")) {
			/* A second-level batch in the victim's memory. */
			refdrv_emit(b, HSW_MI_BATCH_BUFFER_START);
			refdrv_emit(b, victim->scene.fb.gm);
		} else {
			refdrv_emit(b, HSW_MI_LOAD_REGISTER_IMM(1));
			refdrv_emit(b, HSW_GDRST);
			refdrv_emit(b, 1);
		}
		if (!refdrv_batch_finish(d, b, &att->batch))
			refdrv_submit(d, REFDRV_RCS, &att->batch, &seqno);
	}
	free(b);
}

static bool screen_ok(struct rec_dom *d, uint32_t frame)
{
	uint32_t *exp = malloc((size_t)TR_WIDTH * TR_HEIGHT * 4);
	struct vgt_error err = { { 0 } };
	struct vgt_image img;
	bool ok = false;

	if (exp && !vgt_vgpu_scanout(d->g.vgpu, 0, true, &img, &err)) {
		refdrv_scene_expected(frame, d->scene.identity, TR_WIDTH, TR_HEIGHT, exp);
		ok = img.width == TR_WIDTH && img.height == TR_HEIGHT &&
		     !memcmp(exp, img.pixels, (size_t)TR_WIDTH * TR_HEIGHT * 4);
		vgt_image_release(&img);
	}
	free(exp);
	return ok;
}

int vgt_trace_record(const char *scenario, const char *path, unsigned ndom, unsigned frames)
{
	struct rec_dom *dom = calloc(TR_MAX_DOMAINS, sizeof(*dom));
	struct vgt_error err = { { 0 } };
	struct vgt_vgpu_info vi;
	struct vgt_host *host;
	struct gensim *gs;
	bool is_hostile = !strncmp(scenario, "hostile", 7);
	int ret, status = 1;

	if (!dom)
		return 1;
	if (make_host(&gs, &host)) {
		free(dom);
		return 1;
	}
	ret = vgt_host_trace_start(host, path, VGT_TRC_F_DETERMINISTIC, &err);
	if (ret) {
		fprintf(stderr, "vgt trace: %s\n", err.msg);
		goto out;
	}
	for (unsigned i = 0; !ret && i < ndom; i++)
		ret = dom_start(host, gs, &dom[i], i);
	for (uint32_t f = 0; !ret && f < frames; f++)
		for (unsigned i = 0; !ret && i < ndom; i++)
			ret = dom_frame(&dom[i], f);
	if (ret)
		goto out_trace;
	if (!strcmp(scenario, "reset")) {
		struct refdrv_batch *b = malloc(sizeof(*b));
		uint32_t seqno, v = 0;

		/* Domain 0 reads PVINFO through the BAR4 index/data ports. */
		vgt_vgpu_pio_write(dom[0].g.vgpu, HSW_IO_MMIO_INDEX, 4, HSW_PVINFO_PAGE);
		vgt_vgpu_pio_read(dom[0].g.vgpu, HSW_IO_MMIO_DATA, 4, &v);
		/* Domain 1 resets its render engine with work in flight ... */
		if (b) {
			refdrv_batch_init(b);
			refdrv_emit(b, HSW_MI_NOOP);
			if (!refdrv_batch_finish(&dom[1].drv, b, &dom[1].batch))
				refdrv_submit(&dom[1].drv, REFDRV_RCS, &dom[1].batch, &seqno);
			free(b);
		}
		refdrv_write(&dom[1].drv, HSW_GDRST, HSW_GDRST_RENDER);
		/* ... then its whole vGPU is reset; its driver starts over and draws again. */
		ret = vgt_vgpu_reset(dom[1].g.vgpu);
		if (!ret)
			ret = refdrv_init(&dom[1].drv);
		if (!ret)
			ret = refdrv_display_set(&dom[1].drv, 0, &dom[1].scene.fb, TR_WIDTH, TR_HEIGHT,
						 dom[1].scene.stride, HSW_DSPFMT_BGRX888);
		for (unsigned i = 0; !ret && i < ndom; i++)
			ret = dom_frame(&dom[i], frames);
	} else if (is_hostile) {
		hostile(&dom[1], &dom[0], scenario);
		for (unsigned k = 0; k < 8; k++)
			dom[1].g.plat.wait(&dom[1].g);
		/* The victim goes on drawing, unharmed. */
		ret = dom_frame(&dom[0], frames);
	}
	if (ret) {
		fprintf(stderr, "vgt trace: %s: a domain failed: %s\n", scenario,
			refdrv_strerror(&dom[0].drv));
		goto out_trace;
	}
	vgt_host_trace_digests(host);
	vgt_vgpu_get_info(dom[1].g.vgpu, &vi);
	if (is_hostile && !vi.failsafe) {
		fprintf(stderr, "vgt trace: %s: the attacker was not caught\n", scenario);
		goto out_trace;
	}
	if (!screen_ok(&dom[0], is_hostile || !strcmp(scenario, "reset") ? frames : frames - 1)) {
		fprintf(stderr, "vgt trace: %s: domain 0's screen is wrong\n", scenario);
		goto out_trace;
	}
	/* The last domain goes while recording: its release is in the trace too. */
	vgt_inproc_guest_fini(&dom[ndom - 1].g);
	dom[ndom - 1].up = false;
	status = 0;
out_trace:
	ret = vgt_host_trace_stop(host);
	if (ret) {
		fprintf(stderr, "vgt trace: writing %s failed: %s\n", path, strerror(-ret));
		status = 1;
	}
out:
	for (unsigned i = 0; i < TR_MAX_DOMAINS; i++)
		if (dom[i].up)
			vgt_inproc_guest_fini(&dom[i].g);
	vgt_host_destroy(host);
	gensim_destroy(gs);
	free(dom);
	if (!status)
		printf("recorded %s: %u domains, %u frames -> %s\n", scenario, ndom, frames, path);
	return status;
}

/* ---- Replay ------------------------------------------------------------------------ */

struct replay {
	struct vgt_trace_rec *rec;        /* the trace, vgt records only */
	size_t n;
	bool *done;                       /* inputs already performed (by lookahead) */
	struct vgt_trace_rec *q;          /* what the replayed mediator recorded */
	size_t qhead, qlen, qcap;
	bool qoom;
	struct gensim *gs;
	struct vgt_host *host;
	struct vgt_inproc_guest *dom[TR_MAX_DOMAINS * 4];
	bool deterministic;
	const char *path;
	uint64_t inputs, compared, digests, read_mismatch;
};

static void sink(void *opaque, uint32_t event, uint64_t tsc, const uint32_t *extra, unsigned n)
{
	struct replay *r = opaque;
	struct vgt_trace_rec *rec;

	if (!r->deterministic)
		return;                 /* nothing is compared: keep nothing */
	if (r->qlen == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 256;
		struct vgt_trace_rec *q;

		/* Compact what was consumed before growing. */
		if (r->qhead) {
			memmove(r->q, r->q + r->qhead, (r->qlen - r->qhead) * sizeof(*r->q));
			r->qlen -= r->qhead;
			r->qhead = 0;
		}
		if (r->qlen == r->qcap) {
			q = realloc(r->q, cap * sizeof(*q));
			if (!q) {
				r->qoom = true;
				return;
			}
			r->q = q;
			r->qcap = cap;
		}
	}
	rec = &r->q[r->qlen++];
	memset(rec, 0, sizeof(*rec));
	rec->event = event;
	rec->n = n > VGT_TRC_EXTRA_MAX ? VGT_TRC_EXTRA_MAX : n;
	memcpy(rec->extra, extra, rec->n * 4u);
	rec->has_tsc = true;
	rec->tsc = tsc;
}

static bool is_input(const struct vgt_trace_rec *rec)
{
	switch (rec->event) {
	case VGT_TRC_MMIO_READ: case VGT_TRC_MMIO_WRITE: case VGT_TRC_GTT_WRITE:
	case VGT_TRC_CFG_READ: case VGT_TRC_CFG_WRITE: case VGT_TRC_PIO_READ: case VGT_TRC_PIO_WRITE:
	case VGT_TRC_RAM_WRITE: case VGT_TRC_APERTURE_WRITE:
	case VGT_TRC_VGPU_CREATE: case VGT_TRC_VGPU_DESTROY: case VGT_TRC_VGPU_RESET:
	case VGT_TRC_STEP: case VGT_TRC_TIME:
		return true;
	case VGT_TRC_DIGEST:
		return rec->n >= 1 && rec->extra[0] == 0xFFFFFFFFu;
	default:
		return false;
	}
}

static struct vgt_inproc_guest **dom_slot(struct replay *r, uint32_t domid)
{
	for (unsigned i = 0; i < TR_MAX_DOMAINS * 4; i++)
		if (r->dom[i] && r->dom[i]->domid == domid)
			return &r->dom[i];
	return NULL;
}

static void describe(const struct vgt_trace_rec *rec, char *buf, size_t len)
{
	vgt_trace_format(rec, buf, len);
}

static int corrupt(struct replay *r, size_t i, const char *what)
{
	char line[512];

	describe(&r->rec[i], line, sizeof(line));
	fprintf(stderr, "vgt trace: %s: record %zu (offset %" PRIu64 "): %s\n    %s\n", r->path, i,
		r->rec[i].offset, what, line);
	return -EINVAL;
}

/* Does what input record @i says; the mediator's own records land in the queue. */
static int perform(struct replay *r, size_t i)
{
	const struct vgt_trace_rec *rec = &r->rec[i];
	const uint32_t *w = rec->extra;
	struct vgt_inproc_guest **slot = NULL, *g = NULL;
	uint64_t v64;
	uint32_t v32;
	int ret = 0;

	r->inputs++;
	r->done[i] = true;
	/* Device steps and the digest request concern no one domain. */
	if (rec->event != VGT_TRC_STEP && rec->event != VGT_TRC_TIME &&
	    rec->event != VGT_TRC_DIGEST) {
		if (rec->n < 1)
			return corrupt(r, i, "too few words");
		/* Memory records carry the byte count above the domain id. */
		slot = dom_slot(r, rec->event == VGT_TRC_RAM_WRITE ||
				   rec->event == VGT_TRC_APERTURE_WRITE ? w[0] & 0xFFFFu : w[0]);
		g = slot ? *slot : NULL;
		if (!g && rec->event != VGT_TRC_VGPU_CREATE)
			return corrupt(r, i, "a domain with no vGPU in the trace");
	}
	switch (rec->event) {
	case VGT_TRC_MMIO_READ:
	case VGT_TRC_MMIO_WRITE:
	case VGT_TRC_GTT_WRITE:
		if (rec->n < 5 || ((w[1] >> 8) != 0 && (w[1] >> 8) != 2))
			return corrupt(r, i, "malformed access");
		if (rec->event == VGT_TRC_MMIO_READ) {
			ret = vgt_vgpu_mmio_read(g->vgpu, w[1] >> 8, w[2], w[1] & 0xFF, &v64);
			if (!ret && !r->deterministic && v64 != (w[3] | (uint64_t)w[4] << 32))
				r->read_mismatch++;
		} else {
			ret = vgt_vgpu_mmio_write(g->vgpu, w[1] >> 8, w[2], w[1] & 0xFF,
						  w[3] | (uint64_t)w[4] << 32);
		}
		break;
	case VGT_TRC_CFG_READ:
	case VGT_TRC_PIO_READ:
		if (rec->n < 4)
			return corrupt(r, i, "malformed access");
		ret = rec->event == VGT_TRC_CFG_READ ? vgt_vgpu_cfg_read(g->vgpu, w[2], w[1], &v32)
						     : vgt_vgpu_pio_read(g->vgpu, w[2], w[1], &v32);
		if (!ret && !r->deterministic && v32 != w[3])
			r->read_mismatch++;
		break;
	case VGT_TRC_CFG_WRITE:
		if (rec->n < 4)
			return corrupt(r, i, "malformed access");
		ret = vgt_vgpu_cfg_write(g->vgpu, w[2], w[1], w[3]);
		break;
	case VGT_TRC_PIO_WRITE:
		if (rec->n < 4)
			return corrupt(r, i, "malformed access");
		ret = vgt_vgpu_pio_write(g->vgpu, w[2], w[1], w[3]);
		break;
	case VGT_TRC_RAM_WRITE:
	case VGT_TRC_APERTURE_WRITE:
		if (rec->n < 7 || (w[0] >> 16) > VGT_TRC_DATA_BYTES)
			return corrupt(r, i, "malformed memory record");
		v64 = w[1] | (uint64_t)w[2] << 32;
		if (rec->event == VGT_TRC_RAM_WRITE)
			ret = vgt_inproc_ram_write(g, v64, &w[3], w[0] >> 16);
		else
			ret = vgt_inproc_aperture_write(g, v64, &w[3], w[0] >> 16);
		/* A write the recording did is one the replay must be able to do. */
		if (ret)
			return corrupt(r, i, "memory outside the domain");
		break;
	case VGT_TRC_VGPU_CREATE: {
		struct vgt_vgpu_params p = { .domid = w[0] };
		struct vgt_error err = { { 0 } };
		unsigned k;

		if (rec->n < 7)
			return corrupt(r, i, "malformed vGPU creation");
		if (g)
			return corrupt(r, i, "the domain already has a vGPU");
		for (k = 0; k < TR_MAX_DOMAINS * 4 && r->dom[k]; k++)
			;
		if (k == TR_MAX_DOMAINS * 4)
			return corrupt(r, i, "too many domains");
		p.low_mb = w[1];
		p.high_mb = w[2];
		p.fences = w[3];
		p.weight = w[4];
		g = calloc(1, sizeof(*g));
		if (!g)
			return -ENOMEM;
		ret = vgt_inproc_guest_init(g, r->host, r->gs, (uint64_t)w[5] << 20,
					    (uint64_t)w[6] << 20, &p, &err);
		if (ret) {
			free(g);
			return corrupt(r, i, err.msg);
		}
		r->dom[k] = g;
		break;
	}
	case VGT_TRC_VGPU_DESTROY:
		vgt_inproc_guest_fini(g);
		free(g);
		*slot = NULL;
		break;
	case VGT_TRC_VGPU_RESET:
		ret = vgt_vgpu_reset(g->vgpu);
		break;
	case VGT_TRC_STEP:
		if (rec->n < 2)
			return corrupt(r, i, "malformed step");
		/* A step never runs more than a recording would ask. */
		v64 = w[0] | (uint64_t)w[1] << 32;
		if (v64 > (1u << 20))
			return corrupt(r, i, "step budget out of range");
		vgt_inproc_step(r->host, r->gs, v64);
		break;
	case VGT_TRC_TIME:
		if (rec->n < 2)
			return corrupt(r, i, "malformed time step");
		v64 = w[0] | (uint64_t)w[1] << 32;
		if (v64 > 10000000000ull)
			return corrupt(r, i, "time step out of range");
		vgt_inproc_advance(r->host, r->gs, v64);
		break;
	case VGT_TRC_DIGEST:
		vgt_host_trace_digests(r->host);
		break;
	default:
		break;
	}
	if (ret)
		return corrupt(r, i, strerror(-ret));
	if (!r->deterministic)
		vgt_host_run(r->host, 1u << 16);
	return r->qoom ? -ENOMEM : 0;
}

static bool same(const struct vgt_trace_rec *a, const struct vgt_trace_rec *b)
{
	return a->event == b->event && a->n == b->n && !memcmp(a->extra, b->extra, a->n * 4u);
}

static int diverged(struct replay *r, size_t i, const struct vgt_trace_rec *got)
{
	char want[512], have[512];

	describe(&r->rec[i], want, sizeof(want));
	if (got)
		describe(got, have, sizeof(have));
	else
		snprintf(have, sizeof(have), "(nothing: the mediator did no more)");
	fprintf(stderr, "vgt trace: %s: replay diverges at record %zu (offset %" PRIu64 ")\n"
		"  recorded: %s\n  replayed: %s\n", r->path, i, r->rec[i].offset, want, have);
	for (size_t k = i > 3 ? i - 3 : 0; k < i; k++) {
		describe(&r->rec[k], want, sizeof(want));
		fprintf(stderr, "  before:   %s\n", want);
	}
	return 1;
}

static int replay_run(struct replay *r)
{
	size_t nx = 0;                    /* the first input not yet performed */

	for (size_t i = 0; i < r->n; i++) {
		const struct vgt_trace_rec *got;

		if (!r->deterministic) {
			if (is_input(&r->rec[i]) && perform(r, i))
				return 1;
			continue;
		}
		/*
		 * The mediator records an access when it is done, after what it
		 * caused: an output may come before its input.  Inputs are done
		 * in order, as far ahead as the comparison needs.
		 */
		while (r->qhead == r->qlen) {
			while (nx < r->n && (!is_input(&r->rec[nx]) || r->done[nx]))
				nx++;
			if (nx == r->n)
				return diverged(r, i, NULL);
			if (perform(r, nx))
				return 1;
		}
		got = &r->q[r->qhead++];
		if (!same(&r->rec[i], got))
			return diverged(r, i, got);
		r->compared++;
		if (r->rec[i].event == VGT_TRC_DIGEST && r->rec[i].extra[0] != 0xFFFFFFFFu)
			r->digests++;
	}
	if (!r->deterministic)
		return 0;
	if (r->qhead != r->qlen) {
		char have[512];

		describe(&r->q[r->qhead], have, sizeof(have));
		fprintf(stderr, "vgt trace: %s: the replay did more than the trace records:\n  %s\n",
			r->path, have);
		return 1;
	}
	return 0;
}

static int replay(const char *path)
{
	struct vgt_trace_reader *rd;
	struct replay r = { .path = path };
	struct vgt_trace_rec rec;
	size_t cap = 0;
	char why[512];
	bool meta = false;
	int ret, status = 1;

	ret = vgt_trace_reader_open(path, &rd, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "vgt trace: %s\n", why);
		return 1;
	}
	while ((ret = vgt_trace_next(rd, &rec, why, sizeof(why))) == 1) {
		if (!vgt_trc_is_vgt(rec.event))
			continue;
		if (!meta) {
			if (rec.event != VGT_TRC_META || rec.n < 3 || rec.extra[0] != VGT_TRC_MAGIC) {
				fprintf(stderr, "vgt trace: %s: not a vgt trace (it does not start with "
					"vgt's header record)\n", path);
				goto out;
			}
			if (rec.extra[1] != VGT_TRC_VERSION) {
				fprintf(stderr, "vgt trace: %s: trace version %u, this vgt reads %u\n",
					path, rec.extra[1], VGT_TRC_VERSION);
				goto out;
			}
			r.deterministic = rec.extra[2] & VGT_TRC_F_DETERMINISTIC;
			meta = true;
			continue;
		}
		if (r.n == cap) {
			struct vgt_trace_rec *p;

			cap = cap ? cap * 2 : 4096;
			p = realloc(r.rec, cap * sizeof(*p));
			if (!p)
				goto out;
			r.rec = p;
		}
		r.rec[r.n++] = rec;
	}
	if (ret < 0) {
		fprintf(stderr, "vgt trace: %s: %s\n", path, why);
		goto out;
	}
	if (!meta) {
		fprintf(stderr, "vgt trace: %s: not a vgt trace (no vgt records); a capture from "
			"Xen is read with `vgt trace import`\n", path);
		goto out;
	}
	r.done = calloc(r.n + 1, sizeof(*r.done));
	if (!r.done || make_host(&r.gs, &r.host))
		goto out;
	vgt_host_trace_sink(r.host, sink, &r);
	status = replay_run(&r);
	vgt_host_trace_stop(r.host);
	for (unsigned i = 0; i < TR_MAX_DOMAINS * 4; i++) {
		if (r.dom[i]) {
			vgt_inproc_guest_fini(r.dom[i]);
			free(r.dom[i]);
		}
	}
	vgt_host_destroy(r.host);
	gensim_destroy(r.gs);
	if (!status && r.deterministic)
		printf("%s: replayed: %zu records, %" PRIu64 " inputs, %" PRIu64 " events and %" PRIu64
		       " digests identical\n", path, r.n, r.inputs, r.compared, r.digests);
	else if (!status)
		printf("%s: replayed %" PRIu64 " inputs of a free-running or imported trace "
		       "(events not compared; %" PRIu64 " reads returned other values)\n", path,
		       r.inputs, r.read_mismatch);
out:
	vgt_trace_reader_close(rd);
	free(r.rec);
	free(r.done);
	free(r.q);
	return status;
}

/* ---- Dispatch ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f, "usage: vgt trace record SCENARIO FILE [--domains N] [--frames F]\n"
		"       vgt trace replay FILE\n"
		"       vgt trace dump FILE [--domain N] [--event NAME] [--reg NAME|0xOFF]\n"
		"       vgt trace import CAPTURE OUT --bar0 ADDR [--bar2 ADDR] [--bar4 PORT]\n"
		"                        [--size N] [--domid N] [--type NAME]\n"
		"scenarios: demo, reset, hostile-gtt, hostile-batch, hostile-lri, hostile-tail\n");
}

int vgt_cmd_trace(int argc, char **argv)
{
	uint64_t ndom = 2, frames = 3;
	unsigned i;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "dump"))
		return vgt_trace_dump_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "import"))
		return vgt_trace_import_main(argc - 1, argv + 1);
	if (!strcmp(argv[1], "replay")) {
		if (argc != 3) {
			usage(stderr);
			return 2;
		}
		return replay(argv[2]);
	}
	if (strcmp(argv[1], "record") || argc < 4) {
		usage(stderr);
		return 2;
	}
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (!strcmp(argv[2], scenarios[i]))
			break;
	if (i == sizeof(scenarios) / sizeof(scenarios[0])) {
		fprintf(stderr, "vgt trace: unknown scenario '%s'\n", argv[2]);
		usage(stderr);
		return 2;
	}
	for (int k = 4; k < argc; k++) {
		if (!strcmp(argv[k], "--domains") && k + 1 < argc) {
			if (!vgt_cli_number("--domains", argv[++k], 2, TR_MAX_DOMAINS, &ndom))
				return 2;
		} else if (!strcmp(argv[k], "--frames") && k + 1 < argc) {
			if (!vgt_cli_number("--frames", argv[++k], 1, 100, &frames))
				return 2;
		} else {
			fprintf(stderr, "vgt trace: unknown argument '%s'\n", argv[k]);
			return 2;
		}
	}
	return vgt_trace_record(argv[2], argv[3], (unsigned)ndom, (unsigned)frames);
}

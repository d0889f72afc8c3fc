/* SPDX-License-Identifier: MIT */
/*
 * `vgt bench`: what mediation costs, as ratios measured side by side in
 * one run on the same gensim build.
 *
 * - mediated vs native: the same reference-driver workload (fills, copies,
 *   a stream of small store batches), one domain, native runs and
 *   mediated runs alternated; the worst workload is the headline;
 * - aggregate throughput of 1, 2, 4 and 8 domains vs one native driver;
 * - fairness: four domains with weights 1..4 keep the blitter busy; each
 *   one's share of engine time against its weight;
 * - the mediator's unit costs: command audit rate, a trapped register
 *   access, a GTT entry update, a context switch.
 *
 * Throughput is wall-clock work per second on this machine, which is what
 * the mediator's CPU cost shows in; gensim's device clock only orders and
 * accounts the work.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gensim_hw.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "refdrv.h"
#include "refdrv_native.h"

#define B_WIDTH      512u
#define B_HEIGHT     256u
#define B_RAM        (32ull << 20)
#define B_RAM_BASE   (64ull << 20)
#define B_MAX_DOMS   8u
#define B_INFLIGHT   16u

enum workload { WL_FILL, WL_COPY, WL_STORES, WL_COUNT };
static const char *const wl_names[WL_COUNT] = { "fill", "copy", "stores" };

/* One driver instance with its buffers, native or mediated. */
struct bdom {
	struct refdrv drv;
	struct refdrv_bo fb, src, buf, batch[WL_COUNT];
	uint32_t batch_dw[WL_COUNT];
	uint32_t seq[B_INFLIGHT + 1];
};

struct bench_env {
	struct gensim *gs;
	struct vgt_host *host;
	struct refdrv_native native;
	struct vgt_inproc_guest guest[B_MAX_DOMS];
	unsigned nguests;
	bool native_up;
};

static void silent_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	if (level == VGT_LOG_ERROR)
		fprintf(stderr, "vgt: %s\n", msg);
}

static void blit_fill(struct refdrv_batch *b, const struct bdom *d, uint32_t color)
{
	refdrv_emit(b, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(b, HSW_BR13_32BPP | (HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | (B_WIDTH * 4u));
	refdrv_emit(b, 0);
	refdrv_emit(b, (B_HEIGHT << 16) | B_WIDTH);
	refdrv_emit(b, d->fb.gm);
	refdrv_emit(b, color);
}

static void blit_copy(struct refdrv_batch *b, const struct bdom *d)
{
	refdrv_emit(b, HSW_XY_SRC_COPY_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(b, HSW_BR13_32BPP | (HSW_ROP_SRCCOPY << HSW_BR13_ROP_SHIFT) | (B_WIDTH * 4u));
	refdrv_emit(b, 0);
	refdrv_emit(b, (B_HEIGHT << 16) | B_WIDTH);
	refdrv_emit(b, d->fb.gm);
	refdrv_emit(b, 0);
	refdrv_emit(b, B_WIDTH * 4u);
	refdrv_emit(b, d->src.gm);
}

/* Brings the driver up and builds the three workloads' batches. */
static int bdom_init(struct bdom *d, const struct refdrv_platform *plat)
{
	struct refdrv_batch *b = malloc(sizeof(*b));
	int ret;

	if (!b)
		return -ENOMEM;
	memset(d, 0, sizeof(*d));
	ret = refdrv_probe(&d->drv, plat);
	ret = ret ? ret : refdrv_init(&d->drv);
	ret = ret ? ret : refdrv_bo_alloc(&d->drv, B_WIDTH * B_HEIGHT * 4u, true, &d->fb);
	ret = ret ? ret : refdrv_bo_alloc(&d->drv, B_WIDTH * B_HEIGHT * 4u, false, &d->src);
	ret = ret ? ret : refdrv_bo_alloc(&d->drv, 4096, false, &d->buf);
	for (unsigned w = 0; !ret && w < WL_COUNT; w++)
		ret = refdrv_bo_alloc(&d->drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &d->batch[w]);
	if (ret)
		goto out;
	refdrv_batch_init(b);
	for (unsigned i = 0; i < 4; i++)
		blit_fill(b, d, 0x00101010u * (i + 1));
	d->batch_dw[WL_FILL] = b->len;
	ret = refdrv_batch_finish(&d->drv, b, &d->batch[WL_FILL]);
	refdrv_batch_init(b);
	for (unsigned i = 0; !ret && i < 4; i++)
		blit_copy(b, d);
	d->batch_dw[WL_COPY] = b->len;
	ret = ret ? ret : refdrv_batch_finish(&d->drv, b, &d->batch[WL_COPY]);
	refdrv_batch_init(b);
	for (uint32_t i = 0; !ret && i < 16; i++) {
		refdrv_emit(b, HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT);
		refdrv_emit(b, 0);
		refdrv_emit(b, d->buf.gm + 4u * i);
		refdrv_emit(b, i);
	}
	d->batch_dw[WL_STORES] = b->len;
	ret = ret ? ret : refdrv_batch_finish(&d->drv, b, &d->batch[WL_STORES]);
out:
	free(b);
	return ret;
}

static unsigned engine_of(enum workload w)
{
	return w == WL_STORES ? REFDRV_RCS : REFDRV_BCS;
}

/* Submits one workload and waits for the one B_INFLIGHT earlier. */
static int bdom_step(struct bdom *d, enum workload w, uint64_t i)
{
	uint32_t seq;
	int ret = refdrv_submit(&d->drv, (enum refdrv_engine)engine_of(w), &d->batch[w], &seq);

	if (ret)
		return ret;
	d->seq[i % (B_INFLIGHT + 1)] = seq;
	if (i >= B_INFLIGHT)
		return refdrv_wait_seqno(&d->drv, (enum refdrv_engine)engine_of(w),
					 d->seq[(i - B_INFLIGHT) % (B_INFLIGHT + 1)]);
	return 0;
}

static int bdom_drain(struct bdom *d, enum workload w)
{
	uint32_t last = d->drv.ring[engine_of(w)].next_seqno - 1;

	return refdrv_wait_seqno(&d->drv, (enum refdrv_engine)engine_of(w), last);
}

/* Workloads per second of @d running @w for at least @secs. */
static double rate(struct bdom *d, enum workload w, double secs)
{
	double t0 = vgt_cli_seconds(), t;
	uint64_t i = 0;

	do {
		for (unsigned k = 0; k < 16; k++, i++)
			if (bdom_step(d, w, i))
				return -1;
		t = vgt_cli_seconds() - t0;
	} while (t < secs);
	if (bdom_drain(d, w))
		return -1;
	return (double)i / (vgt_cli_seconds() - t0);
}

/* ---- Environments -------------------------------------------------------------- */

static int env_create(struct bench_env *env, unsigned guests, const uint32_t *weights)
{
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = silent_log };
	struct vgt_error err = { { 0 } };
	struct gensim_config cfg;
	int ret;

	memset(env, 0, sizeof(*env));
	gensim_config_init(&cfg);
	cfg.memory_size = B_RAM_BASE + (uint64_t)B_MAX_DOMS * B_RAM;
	ret = gensim_create(&cfg, &env->gs);
	if (ret)
		return ret;
	if (!guests)
		return 0;
	hp.hw_handle = env->gs;
	ret = vgt_host_create(&hp, &env->host, &err);
	for (; !ret && env->nguests < guests; env->nguests++) {
		struct vgt_vgpu_params p = { .domid = env->nguests, .low_mb = 32, .high_mb = 128,
					     .fences = 2, .weight = weights ? weights[env->nguests] : 1 };

		ret = vgt_inproc_guest_init(&env->guest[env->nguests], env->host, env->gs,
					    B_RAM_BASE + env->nguests * B_RAM, B_RAM, &p, &err);
	}
	if (ret)
		fprintf(stderr, "vgt bench: %s\n", err.msg);
	return ret;
}

static void env_destroy(struct bench_env *env)
{
	while (env->nguests)
		vgt_inproc_guest_fini(&env->guest[--env->nguests]);
	vgt_host_destroy(env->host);
	if (env->native_up)
		refdrv_native_fini(&env->native);
	gensim_destroy(env->gs);
}

/* ---- Threads of domains ------------------------------------------------------------ */

struct worker {
	struct bdom *d;
	enum workload w;
	double secs;
	uint64_t done;
	int ret;
	pthread_t thread;
};

static void *worker_main(void *arg)
{
	struct worker *k = arg;
	double t0 = vgt_cli_seconds();
	uint64_t i = 0;

	do {
		for (unsigned n = 0; n < 16 && !k->ret; n++, i++)
			k->ret = bdom_step(k->d, k->w, i);
	} while (!k->ret && vgt_cli_seconds() - t0 < k->secs);
	if (!k->ret)
		k->ret = bdom_drain(k->d, k->w);
	k->done = i;
	return NULL;
}

/* Total workloads per second of @n mediated domains running @w at once. */
static double aggregate(unsigned n, enum workload w, double secs)
{
	struct bench_env env;
	struct bdom *d = calloc(n, sizeof(*d));
	struct worker *k = calloc(n, sizeof(*k));
	double t0, r = -1;
	uint64_t total = 0;
	bool ok;

	if (!d || !k || env_create(&env, n, NULL))
		goto out_free;
	ok = true;
	for (unsigned i = 0; i < n && ok; i++)
		ok = !bdom_init(&d[i], &env.guest[i].plat);
	/* The domains share the GPU as on hardware: it runs by itself. */
	for (unsigned i = 0; i < n; i++)
		env.guest[i].async = true;
	ok = ok && !gensim_start_worker(env.gs) && !vgt_host_start_service(env.host);
	t0 = vgt_cli_seconds();
	for (unsigned i = 0; i < n && ok; i++) {
		k[i] = (struct worker){ .d = &d[i], .w = w, .secs = secs };
		ok = !pthread_create(&k[i].thread, NULL, worker_main, &k[i]);
		if (!ok)
			n = i;
	}
	for (unsigned i = 0; i < n; i++) {
		pthread_join(k[i].thread, NULL);
		ok &= !k[i].ret;
		total += k[i].done;
	}
	if (ok)
		r = (double)total / (vgt_cli_seconds() - t0);
	vgt_host_stop_service(env.host);
	gensim_stop_worker(env.gs);
	env_destroy(&env);
out_free:
	free(k);
	free(d);
	return r;
}

/* ---- Unit costs ---------------------------------------------------------------------- */

static double mmio_trap_ns(struct vgt_inproc_guest *g)
{
	const unsigned n = 200000;
	double t0 = vgt_cli_seconds();
	uint64_t v;

	for (unsigned i = 0; i < n; i++) {
		vgt_vgpu_mmio_write(g->vgpu, 0, HSW_RING_HWSTAM(HSW_RCS_BASE), 4, i);
		vgt_vgpu_mmio_read(g->vgpu, 0, HSW_RING_HWSTAM(HSW_RCS_BASE), 4, &v);
	}
	return (vgt_cli_seconds() - t0) * 1e9 / (2.0 * n);
}

static double gtt_update_ns(struct vgt_inproc_guest *g, const struct bdom *d)
{
	const unsigned n = 200000;
	uint32_t first = d->fb.gm >> 12, pages = d->fb.size >> 12;
	double t0 = vgt_cli_seconds();

	for (unsigned i = 0; i < n; i++) {
		uint32_t idx = first + i % pages;

		vgt_vgpu_mmio_write(g->vgpu, 0, HSW_GTT_OFFSET + 4ull * idx, 4,
				    HSW_PTE_ENCODE(d->fb.ram + (uint64_t)(i % pages) * 4096u) |
				    HSW_WB_LLC_AGE3 | HSW_PTE_VALID);
	}
	return (vgt_cli_seconds() - t0) * 1e9 / n;
}

/* Audit rate: a batch of store commands, scanned on each TAIL write. */
static double scan_mb_per_s(struct bdom *d, double secs)
{
	struct refdrv_batch *b = malloc(sizeof(*b));
	struct refdrv_bo big;
	double t0, t, bytes = 0;
	uint64_t i = 0;

	if (!b || refdrv_bo_alloc(&d->drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &big)) {
		free(b);
		return -1;
	}
	refdrv_batch_init(b);
	while (b->len + 4 < REFDRV_BATCH_MAX_DWORDS - 1) {
		refdrv_emit(b, HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT);
		refdrv_emit(b, 0);
		refdrv_emit(b, d->buf.gm + 4u * (b->len / 4u % 1024u));
		refdrv_emit(b, b->len);
	}
	if (refdrv_batch_finish(&d->drv, b, &big)) {
		free(b);
		return -1;
	}
	d->batch[WL_STORES] = big;
	t0 = vgt_cli_seconds();
	do {
		for (unsigned k = 0; k < 8; k++, i++) {
			if (bdom_step(d, WL_STORES, i)) {
				free(b);
				return -1;
			}
			bytes += b->len * 4.0;
		}
		t = vgt_cli_seconds() - t0;
	} while (t < secs);
	bdom_drain(d, WL_STORES);
	free(b);
	return bytes / (vgt_cli_seconds() - t0) / (1 << 20);
}

/*
 * Time per workload, each waited for before the next, with @doms domains
 * taking turns on the render ring: with two, every workload finds the other
 * domain's context loaded, so the difference to one domain is the cost of a
 * context switch.
 */
static double turn_us(unsigned doms, double secs)
{
	struct bench_env env;
	struct bdom *d = calloc(doms, sizeof(*d));
	struct vgt_host_info hi;
	double t0;
	uint64_t n = 0;
	bool ok;

	if (!d || env_create(&env, doms, NULL)) {
		free(d);
		return -1;
	}
	ok = true;
	for (unsigned i = 0; i < doms && ok; i++)
		ok = !bdom_init(&d[i], &env.guest[i].plat);
	t0 = vgt_cli_seconds();
	while (ok && vgt_cli_seconds() - t0 < secs) {
		for (unsigned k = 0; k < 16 && ok; k++, n++) {
			struct bdom *x = &d[n % doms];
			uint32_t seq;

			ok = !refdrv_submit(&x->drv, REFDRV_RCS, &x->batch[WL_STORES], &seq) &&
			     !refdrv_wait_seqno(&x->drv, REFDRV_RCS, seq);
		}
	}
	t0 = vgt_cli_seconds() - t0;
	vgt_host_get_info(env.host, &hi);
	env_destroy(&env);
	free(d);
	if (!ok || !n || (doms > 1 && hi.context_switches[0] < n / 2))
		return -1;
	return t0 * 1e6 / (double)n;
}

/*
 * Four domains with weights @weights keep the blitter backlogged (each
 * tops up to eight queued fills before every step) for @secs of device
 * time, stepped from one thread, so that the shares measure the GPU
 * scheduler and not how the host schedules the domains' threads.
 */
static int fairness_run(struct bench_env *env, const uint32_t *weights, double secs)
{
	struct bdom *d = calloc(4, sizeof(*d));
	uint32_t sent[4] = { 0 };
	int ret = env_create(env, 4, weights);

	if (!d) {
		if (!ret)
			env_destroy(env);
		return -ENOMEM;
	}
	for (unsigned i = 0; !ret && i < 4; i++)
		ret = bdom_init(&d[i], &env->guest[i].plat);
	while (!ret && gensim_now_ns(env->gs) < (uint64_t)(secs * 1e9)) {
		for (unsigned i = 0; !ret && i < 4; i++) {
			while (!ret && sent[i] - refdrv_completed_seqno(&d[i].drv, REFDRV_BCS) < 8) {
				uint32_t seq;

				ret = refdrv_submit(&d[i].drv, REFDRV_BCS, &d[i].batch[WL_FILL], &seq);
				sent[i] = seq;
			}
		}
		if (!ret && vgt_host_run(env->host, 4096) < 0)
			ret = -EIO;
	}
	free(d);
	if (ret)
		env_destroy(env);
	return ret;
}

/* ---- The run ------------------------------------------------------------------------- */

struct results {
	double native[WL_COUNT], mediated[WL_COUNT], ratio[WL_COUNT], worst;
	double agg_rate[4], agg_ratio[4];
	double share[4], fairness;
	double scan, mmio_ns, gtt_ns, ctx_us;
};

static const unsigned agg_domains[4] = { 1, 2, 4, 8 };

static int measure_all(struct results *r, double secs)
{
	static const uint32_t weights[4] = { 1, 2, 3, 4 };
	struct bench_env nat, med, fair;
	struct bdom *dn = calloc(1, sizeof(*dn)), *dm = calloc(1, sizeof(*dm));
	struct vgt_vgpu_info vi[4];
	uint64_t busy = 0;
	int ret = -1;

	if (!dn || !dm || env_create(&nat, 0, NULL))
		goto out;
	if (refdrv_native_init(&nat.native, nat.gs, false)) {
		env_destroy(&nat);
		goto out;
	}
	nat.native_up = true;
	if (env_create(&med, 1, NULL)) {
		env_destroy(&nat);
		goto out;
	}
	if (bdom_init(dn, &nat.native.plat) || bdom_init(dm, &med.guest[0].plat))
		goto out_envs;
	/* Alternate native and mediated runs so drift hits both alike. */
	for (unsigned w = 0; w < WL_COUNT; w++) {
		for (int round = 0; round < 2; round++) {
			double a = rate(dn, (enum workload)w, secs / 2), b = rate(dm, (enum workload)w, secs / 2);

			if (a < 0 || b < 0)
				goto out_envs;
			r->native[w] += a / 2;
			r->mediated[w] += b / 2;
		}
		r->ratio[w] = r->mediated[w] / r->native[w];
		if (!w || r->ratio[w] < r->worst)
			r->worst = r->ratio[w];
	}
	r->mmio_ns = mmio_trap_ns(&med.guest[0]);
	r->gtt_ns = gtt_update_ns(&med.guest[0], dm);
	r->scan = scan_mb_per_s(dm, secs);
	for (unsigned i = 0; i < 4; i++) {
		r->agg_rate[i] = aggregate(agg_domains[i], WL_FILL, secs);
		if (r->agg_rate[i] < 0)
			goto out_envs;
		r->agg_ratio[i] = r->agg_rate[i] / r->native[WL_FILL];
	}
	/* Shares need a few hundred slices to settle, whatever --seconds says. */
	if (fairness_run(&fair, weights, secs > 0.25 ? secs : 0.25))
		goto out_envs;
	for (unsigned i = 0; i < 4; i++) {
		vgt_vgpu_get_info(fair.guest[i].vgpu, &vi[i]);
		busy += vi[i].engine_ns[2];
	}
	r->fairness = 0;
	for (unsigned i = 0; i < 4; i++) {
		double want = weights[i] / 10.0;

		r->share[i] = busy ? (double)vi[i].engine_ns[2] / (double)busy : 0;
		if ((r->share[i] - want) / want > r->fairness || (want - r->share[i]) / want > r->fairness)
			r->fairness = r->share[i] > want ? (r->share[i] - want) / want : (want - r->share[i]) / want;
	}
	env_destroy(&fair);
	{
		double alt = turn_us(2, secs), ser = turn_us(1, secs);

		r->ctx_us = alt > 0 && ser > 0 ? alt - ser : -1;
	}
	ret = 0;
out_envs:
	env_destroy(&med);
	env_destroy(&nat);
out:
	free(dm);
	free(dn);
	return ret;
}

int vgt_bench_mediated(double secs, bool json)
{
	struct results r;

	memset(&r, 0, sizeof(r));
	if (measure_all(&r, secs)) {
		fprintf(stderr, "vgt bench: a measurement failed to run\n");
		return 1;
	}
	if (json) {
		printf("{\"mediated_native_ratio\": %.4f, \"mediated_native_by_workload\": {", r.worst);
		for (unsigned w = 0; w < WL_COUNT; w++)
			printf("%s\"%s\": %.4f", w ? ", " : "", wl_names[w], r.ratio[w]);
		printf("}, \"aggregate_ratio\": {");
		for (unsigned i = 0; i < 4; i++)
			printf("%s\"%u\": %.4f", i ? ", " : "", agg_domains[i], r.agg_ratio[i]);
		printf("}, \"fairness_max_deviation\": %.4f, \"engine_share_by_weight\": {", r.fairness);
		for (unsigned i = 0; i < 4; i++)
			printf("%s\"%u\": %.4f", i ? ", " : "", i + 1, r.share[i]);
		printf("}, \"scan_mb_per_s\": %.1f, \"mmio_trap_ns\": %.1f, \"gtt_update_ns\": %.1f, "
		       "\"context_switch_us\": %.2f}\n", r.scan, r.mmio_ns, r.gtt_ns, r.ctx_us);
		return 0;
	}
	printf("vgt bench: mediated vs native on gensim, %.2f s per figure, wall clock\n", secs);
	printf("  %-8s %12s %12s %8s\n", "workload", "native/s", "mediated/s", "ratio");
	for (unsigned w = 0; w < WL_COUNT; w++)
		printf("  %-8s %12.0f %12.0f %7.1f%%\n", wl_names[w], r.native[w], r.mediated[w],
		       100 * r.ratio[w]);
	printf("  worst workload: %.1f%% of native\n", 100 * r.worst);
	printf("  aggregate fill throughput vs one native driver:");
	for (unsigned i = 0; i < 4; i++)
		printf("  %u dom %.1f%%", agg_domains[i], 100 * r.agg_ratio[i]);
	printf("\n  fairness (weights 1:2:3:4, blitter, device time):");
	for (unsigned i = 0; i < 4; i++)
		printf(" %.1f%%", 100 * r.share[i]);
	printf("  max deviation %.1f%%\n", 100 * r.fairness);
	printf("  command audit %.0f MiB/s, trapped register access %.0f ns, GTT update %.0f ns, "
	       "context switch %.1f us\n", r.scan, r.mmio_ns, r.gtt_ns, r.ctx_us);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The multi-domain demo: dom0 plus N-1 domUs, each a thread running the
 * reference guest driver against its own vGPU, all mediated by libvgt on
 * one gensim.  Each domain draws animation frames on the blitter (waiting
 * for its own virtual vblank) and runs store batches on the render ring;
 * the mediator audits, shadows, schedules and context-switches all of it.
 * A live table shows each domain; at the end every domain's last frame is
 * checked against the frame computed on the CPU.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "gensim_hw.h"
#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "refdrv.h"
#include "vgt_png.h"
#include "vgt_vnc.h"

#define DOM_RAM        (32ull << 20)
#define DOM_RAM_BASE   (64ull << 20)     /* the mediator's own memory lies below */
#define DOM_WIDTH      320u
#define DOM_HEIGHT     240u
#define STORES         128u

struct demo;

struct domain {
	struct demo *demo;
	struct vgt_inproc_guest guest;
	struct refdrv drv;
	struct refdrv_scene scene;
	struct refdrv_bo store_batch, store_buf;
	pthread_t thread;
	atomic_uint_fast64_t frames;
	atomic_uint_fast64_t store_batches;
	atomic_bool done;
	long wrong;
	int ret;
	const char *why;
	bool matches;
};

struct demo {
	struct gensim *gs;
	struct vgt_host *host;
	struct domain *dom;
	unsigned n;
	bool soak;                      /* full load: no waiting for vblank */
	uint64_t frames;                /* per domain; 0: until stopped */
	struct vgt_vnc *vnc[8];
	atomic_bool stop;
};

static void warn_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	if (level <= VGT_LOG_WARN)
		fprintf(stderr, "vgt: %s\n", msg);
}

static void *domain_main(void *arg)
{
	struct domain *d = arg;
	struct demo *demo = d->demo;
	int ret;

	ret = refdrv_scene_start(&d->drv, &d->guest.plat, &d->scene, DOM_WIDTH, DOM_HEIGHT);
	if (!ret)
		ret = refdrv_bo_alloc(&d->drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &d->store_batch);
	if (!ret)
		ret = refdrv_bo_alloc(&d->drv, STORES * 4u, false, &d->store_buf);
	while (!ret && !atomic_load(&demo->stop)) {
		uint64_t f = atomic_load(&d->frames);
		long wrong;

		if (demo->frames && f >= demo->frames) {
			/* Done drawing: the screen stays as it is, vblanks go on. */
			ret = refdrv_wait_vblank(&d->drv, 0);
			continue;
		}
		ret = refdrv_scene_draw(&d->drv, &d->scene, (uint32_t)f);
		if (!ret && !demo->soak)
			ret = refdrv_wait_vblank(&d->drv, 0);
		if (ret)
			break;
		atomic_store(&d->frames, f + 1);
		wrong = refdrv_store_stream(&d->drv, &d->store_batch, &d->store_buf, 1, STORES);
		if (wrong < 0) {
			ret = (int)wrong;
			break;
		}
		d->wrong += wrong;
		atomic_fetch_add(&d->store_batches, 1);
	}
	d->ret = ret;
	if (ret)
		d->why = refdrv_strerror(&d->drv);
	atomic_store(&d->done, true);
	return NULL;
}

static double share(const struct vgt_vgpu_info *vi, uint64_t total)
{
	uint64_t mine = 0;

	for (unsigned e = 0; e < 4; e++)
		mine += vi->engine_ns[e];
	return total ? (double)mine / (double)total : 0.0;
}

static uint64_t total_ns(struct demo *demo)
{
	struct vgt_host_info hi;
	uint64_t t = 0;

	vgt_host_get_info(demo->host, &hi);
	for (unsigned e = 0; e < 4; e++)
		t += hi.engine_busy_ns[e];
	return t;
}

static const char *state_of(const struct domain *d, const struct vgt_vgpu_info *vi)
{
	if (vi->failsafe)
		return "failsafe";
	if (atomic_load(&d->done))
		return d->ret ? "stopped" : "done";
	return atomic_load(&d->frames) ? "running" : "starting";
}

static void print_table(struct demo *demo, double elapsed, bool live)
{
	uint64_t total = total_ns(demo);

	printf("%s  t=%5.1fs  %-4s %-8s %7s %9s %8s %7s %6s  %s\n", live ? "" : "\n", elapsed,
	       "dom", "type", "frames", "workloads", "traps", "GTT", "share", "state");
	for (unsigned i = 0; i < demo->n; i++) {
		struct domain *d = &demo->dom[i];
		struct vgt_vgpu_info vi;

		vgt_vgpu_get_info(d->guest.vgpu, &vi);
		printf("              %-4u %-8s %7" PRIu64 " %9" PRIu64 " %8" PRIu64 " %7" PRIu64 " %5.1f%%  %s\n",
		       vi.domid, vi.type, (uint64_t)atomic_load(&d->frames), vi.workloads_completed,
		       vi.mmio_reads + vi.mmio_writes + vi.cfg_accesses, vi.gtt_writes,
		       100.0 * share(&vi, total), state_of(d, &vi));
	}
	fflush(stdout);
}

/*
 * The domain's screen, as the mediator's plane decoder sees it, against the
 * frame computed on the CPU; written as PNG into @shots if given.
 */
static bool frame_matches(struct demo *demo, struct domain *d, unsigned i, const char *shots)
{
	uint32_t *exp = malloc((size_t)DOM_WIDTH * DOM_HEIGHT * 4);
	uint64_t frames = atomic_load(&d->frames);
	struct vgt_error err = { { 0 } };
	struct vgt_image img;
	struct vgt_vgpu_info vi;
	bool ok = false;

	(void)demo;
	/* The frame of the vGPU the mediator gave this domain, not of whatever was drawn. */
	vgt_vgpu_get_info(d->guest.vgpu, &vi);
	if (exp && frames && !vgt_vgpu_scanout(d->guest.vgpu, 0, true, &img, &err)) {
		refdrv_scene_expected((uint32_t)frames - 1, vi.id, DOM_WIDTH, DOM_HEIGHT, exp);
		ok = img.width == DOM_WIDTH && img.height == DOM_HEIGHT;
		for (size_t k = 0; ok && k < (size_t)DOM_WIDTH * DOM_HEIGHT; k++)
			ok = img.pixels[k] == exp[k];
		if (shots) {
			char path[4096];
			int ret;

			snprintf(path, sizeof(path), "%s/dom%u.png", shots, i);
			ret = vgt_png_write_xrgb(path, img.width, img.height, img.pixels);
			if (ret)
				fprintf(stderr, "vgt demo: cannot write %s: %s\n", path, strerror(-ret));
		}
		vgt_image_release(&img);
	} else if (err.msg[0]) {
		fprintf(stderr, "vgt demo: domain %u's screen: %s\n", i, err.msg);
	}
	free(exp);
	return ok;
}

static void print_json(struct demo *demo, double elapsed)
{
	uint64_t total = total_ns(demo);
	struct vgt_host_info hi;

	vgt_host_get_info(demo->host, &hi);
	printf("{\"seconds\": %.3f, \"context_switches\": %" PRIu64 ", \"domains\": [", elapsed,
	       hi.context_switches[0] + hi.context_switches[1] + hi.context_switches[2] +
	       hi.context_switches[3]);
	for (unsigned i = 0; i < demo->n; i++) {
		struct domain *d = &demo->dom[i];
		struct vgt_vgpu_info vi;

		vgt_vgpu_get_info(d->guest.vgpu, &vi);
		printf("%s\n  {\"domid\": %u, \"type\": \"%s\", \"low_gm\": {\"base\": %" PRIu64
		       ", \"size\": %" PRIu64 "}, \"high_gm\": {\"base\": %" PRIu64 ", \"size\": %" PRIu64
		       "}, \"fences\": %u, \"weight\": %u, \"frames\": %" PRIu64
		       ", \"workloads_submitted\": %" PRIu64 ", \"workloads_completed\": %" PRIu64
		       ", \"traps\": %" PRIu64 ", \"gtt_writes\": %" PRIu64 ", \"interrupts\": %" PRIu64
		       ", \"engine_share\": %.4f, \"guest_errors\": %" PRIu64
		       ", \"failsafe\": %s, \"frame_matches\": %s, \"stores_wrong\": %ld}",
		       i ? "," : "", vi.domid, vi.type, vi.low.base, vi.low.size, vi.high.base,
		       vi.high.size, vi.fences, vi.weight, (uint64_t)atomic_load(&d->frames),
		       vi.workloads_submitted, vi.workloads_completed,
		       vi.mmio_reads + vi.mmio_writes + vi.cfg_accesses, vi.gtt_writes, vi.irqs_injected,
		       share(&vi, total), vi.guest_errors, vi.failsafe ? "true" : "false",
		       d->matches ? "true" : "false", d->wrong);
	}
	printf("\n]}\n");
}

/* Resident memory of this process, bytes. */
static uint64_t rss_bytes(void)
{
	unsigned long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu %lu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

struct soak_watch {
	uint64_t last[8];
	uint64_t starved;               /* one-second windows a busy domain made no progress */
	uint64_t rss_warm, rss_max;
	unsigned windows;
};

static void soak_sample(struct demo *demo, struct soak_watch *w)
{
	uint64_t rss = rss_bytes();

	for (unsigned i = 0; i < demo->n; i++) {
		struct vgt_vgpu_info vi;

		vgt_vgpu_get_info(demo->dom[i].guest.vgpu, &vi);
		if (w->windows && vi.workloads_completed == w->last[i] && !atomic_load(&demo->dom[i].done))
			w->starved++;
		w->last[i] = vi.workloads_completed;
	}
	/* Memory is judged after a warm-up window: buffers and pools are in place. */
	if (w->windows == 2)
		w->rss_warm = rss;
	if (rss > w->rss_max)
		w->rss_max = rss;
	w->windows++;
}

/* Each domain's current screen to its VNC server. */
static void vnc_refresh(struct demo *demo)
{
	for (unsigned i = 0; i < demo->n && i < 8; i++) {
		struct vgt_error err;
		struct vgt_image img;

		if (!demo->vnc[i] || vgt_vgpu_scanout(demo->dom[i].guest.vgpu, 0, true, &img, &err))
			continue;
		vgt_vnc_update(demo->vnc[i], img.pixels, img.width, img.height);
		vgt_image_release(&img);
	}
}

int vgt_demo_domains(const struct vgt_domains_opts *opts)
{
	unsigned n = opts->domains;
	double seconds = opts->seconds;
	bool json = opts->json, soak = opts->soak;
	const char *shots = opts->shots;
	struct soak_watch watch = { .windows = 0 };
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = warn_log };
	struct vgt_error err = { { 0 } };
	struct gensim_config cfg;
	struct demo demo = { .n = 0, .soak = soak, .frames = opts->frames };
	double t0, t;
	int ret, failed = 0;
	unsigned started = 0;

	gensim_config_init(&cfg);
	cfg.memory_size = DOM_RAM_BASE + (uint64_t)n * DOM_RAM;
	ret = gensim_create(&cfg, &demo.gs);
	if (ret) {
		fprintf(stderr, "vgt demo: cannot create gensim: %s\n", strerror(-ret));
		return 1;
	}
	hp.hw_handle = demo.gs;
	ret = vgt_host_create(&hp, &demo.host, &err);
	demo.dom = calloc(n, sizeof(*demo.dom));
	if (ret || !demo.dom) {
		fprintf(stderr, "vgt demo: mediator: %s\n", ret ? err.msg : "out of memory");
		failed = 1;
		goto out;
	}
	for (; demo.n < n; demo.n++) {
		struct vgt_vgpu_params p = { .domid = demo.n, .type = demo.n ? "vgt-64" : "vgt-128" };

		ret = vgt_inproc_guest_init(&demo.dom[demo.n].guest, demo.host, demo.gs,
					    DOM_RAM_BASE + demo.n * DOM_RAM, DOM_RAM, &p, &err);
		if (ret) {
			fprintf(stderr, "vgt demo: domain %u: %s\n", demo.n, err.msg);
			failed = 1;
			goto out;
		}
	}
	for (unsigned i = 0; opts->vnc_port && i < n && i < 8; i++) {
		char name[32];

		snprintf(name, sizeof(name), "vgt dom%u", i);
		ret = vgt_vnc_start(&demo.vnc[i], (uint16_t)(opts->vnc_port + i), DOM_WIDTH, DOM_HEIGHT,
				    opts->vnc_password, name);
		if (ret) {
			fprintf(stderr, "vgt demo: cannot serve VNC on port %u\n", opts->vnc_port + i);
			failed = 1;
			goto out;
		}
		if (!json)
			printf("  dom%u on VNC: 127.0.0.1:%u (vncviewer 127.0.0.1::%u)\n", i,
			       opts->vnc_port + i, opts->vnc_port + i);
	}
	/* dom0 owns the physical display. */
	vgt_host_set_foreground(demo.host, demo.dom[0].guest.vgpu);
	/* Like hardware: the GPU runs by itself, the mediator serves its interrupts. */
	for (unsigned i = 0; i < n; i++)
		demo.dom[i].guest.async = true;
	if (gensim_start_worker(demo.gs) || vgt_host_start_service(demo.host)) {
		fprintf(stderr, "vgt demo: cannot start the GPU and mediator threads\n");
		failed = 1;
		goto out;
	}
	if (!json) {
		struct vgt_host_info hi;

		vgt_host_get_info(demo.host, &hi);
		printf("\nvgt demo: %u domains (dom0 and %u domUs) sharing one gensim through the mediator\n",
		       n, n - 1);
		printf("  partition: the mediator keeps aperture [0x%08" PRIx64 ", +%" PRIu64 " MiB), hidden "
		       "[0x%08" PRIx64 ", +%" PRIu64 " MiB), %u fences\n", hi.host_low.base,
		       hi.host_low.size >> 20, hi.host_high.base, hi.host_high.size >> 20, hi.host_fences);
		for (unsigned i = 0; i < n; i++) {
			struct vgt_vgpu_info vi;

			vgt_vgpu_get_info(demo.dom[i].guest.vgpu, &vi);
			printf("  dom%-2u %-8s aperture [0x%08" PRIx64 ", +%4" PRIu64 " MiB)  hidden [0x%08" PRIx64
			       ", +%4" PRIu64 " MiB)  fences %u-%u  weight %u\n", vi.domid, vi.type, vi.low.base,
			       vi.low.size >> 20, vi.high.base, vi.high.size >> 20, vi.host_fence[0],
			       vi.host_fence[vi.fences - 1], vi.weight);
		}
		printf("  left: %" PRIu64 " MiB aperture, %" PRIu64 " MiB hidden, %u fences\n",
		       hi.free_low >> 20, hi.free_high >> 20, hi.free_fences);
	}
	t0 = vgt_cli_seconds();
	for (; started < n; started++) {
		demo.dom[started].demo = &demo;
		if (pthread_create(&demo.dom[started].thread, NULL, domain_main, &demo.dom[started])) {
			fprintf(stderr, "vgt demo: cannot start a domain thread\n");
			atomic_store(&demo.stop, true);
			failed = 1;
			break;
		}
	}
	for (double next = 0.5, sample = 1.0;;) {
		bool all_done = true;

		usleep(20000);
		t = vgt_cli_seconds() - t0;
		for (unsigned i = 0; i < started; i++)
			all_done &= atomic_load(&demo.dom[i].done);
		if (t >= seconds || all_done)
			break;
		vnc_refresh(&demo);
		if (soak && t >= sample) {
			soak_sample(&demo, &watch);
			sample += 1.0;
		}
		if (!json && t >= next) {
			print_table(&demo, t, true);
			next += soak ? 10.0 : 1.0;
		}
	}
	atomic_store(&demo.stop, true);
	for (unsigned i = 0; i < started; i++)
		pthread_join(demo.dom[i].thread, NULL);
	t = vgt_cli_seconds() - t0;
	vgt_host_stop_service(demo.host);
	gensim_stop_worker(demo.gs);
	if (shots) {
		/* What the physical display shows: the foreground domain's screen. */
		struct gensim_image img;
		char path[4096];

		gensim_advance_time(demo.gs, 17000000);
		snprintf(path, sizeof(path), "%s/screen.png", shots);
		if (!gensim_scanout(demo.gs, 0, &img)) {
			vgt_png_write_xrgb(path, img.width, img.height, img.pixels);
			gensim_image_release(&img);
		}
	}
	for (unsigned i = 0; i < started; i++) {
		struct domain *d = &demo.dom[i];
		struct vgt_vgpu_info vi;

		vgt_host_poll(demo.host);
		d->matches = frame_matches(&demo, d, i, shots);
		vgt_vgpu_get_info(d->guest.vgpu, &vi);
		if (d->ret || !d->matches || d->wrong || vi.guest_errors || vi.failsafe ||
		    vi.workloads_submitted != vi.workloads_completed)
			failed = 1;
	}
	if (soak) {
		struct vgt_host_info hi;
		uint64_t workloads = 0, traps = 0, resets = 0, grow;

		vgt_host_get_info(demo.host, &hi);
		for (unsigned i = 0; i < started; i++) {
			struct vgt_vgpu_info vi;

			vgt_vgpu_get_info(demo.dom[i].guest.vgpu, &vi);
			workloads += vi.workloads_completed;
			traps += vi.mmio_reads + vi.mmio_writes + vi.cfg_accesses;
		}
		for (unsigned e = 0; e < 4; e++)
			resets += hi.engine_resets[e];
		grow = watch.rss_max > watch.rss_warm ? watch.rss_max - watch.rss_warm : 0;
		/* Flat: no more than 4 MiB over the warm-up figure in the whole run. */
		if (watch.starved || (watch.rss_warm && grow > (4u << 20)))
			failed = 1;
		if (json)
			printf("{\"soak\": {\"seconds\": %.1f, \"domains\": %u, \"workloads_completed\": %" PRIu64
			       ", \"traps\": %" PRIu64 ", \"engine_resets\": %" PRIu64
			       ", \"max_sched_delay_us\": %.1f, \"starved_windows\": %" PRIu64
			       ", \"rss_growth_bytes\": %" PRIu64 ", \"passed\": %s}}\n", t, started, workloads,
			       traps, resets, hi.max_sched_delay_ns / 1e3, watch.starved, grow,
			       failed ? "false" : "true");
		else
			printf("\nvgt soak: %u domains, %.1f s under full load: %" PRIu64 " workloads, %" PRIu64
			       " traps, %" PRIu64 " engine resets, longest scheduling delay %.1f us, %" PRIu64
			       " starved windows, memory %.1f MiB after warm-up and %+.1f MiB at most since: %s\n",
			       started, t, workloads, traps, resets, hi.max_sched_delay_ns / 1e3, watch.starved,
			       watch.rss_warm / 1048576.0, grow / 1048576.0, failed ? "FAILED" : "passed");
	}
	if (json && !soak) {
		print_json(&demo, t);
	} else if (!json) {
		struct vgt_host_info hi;

		print_table(&demo, t, false);
		vgt_host_get_info(demo.host, &hi);
		printf("  context switches: %" PRIu64 " render, %" PRIu64 " blitter\n",
		       hi.context_switches[0], hi.context_switches[2]);
		for (unsigned i = 0; i < started; i++) {
			struct domain *d = &demo.dom[i];

			printf("  domain %u: last frame %s, %" PRIu64 " store batches, %ld wrong%s%s\n", i,
			       d->matches ? "matches" : "DOES NOT MATCH",
			       (uint64_t)atomic_load(&d->store_batches), d->wrong,
			       d->why ? ", stopped: " : "", d->why ? d->why : "");
		}
		printf("  %s\n", failed ? "FAILED" : "every workload completed once; every frame correct");
	}
out:
	for (unsigned i = 0; i < 8; i++)
		vgt_vnc_stop(demo.vnc[i]);
	if (demo.host)
		vgt_host_stop_service(demo.host);
	gensim_stop_worker(demo.gs);
	while (demo.n)
		vgt_inproc_guest_fini(&demo.dom[--demo.n].guest);
	free(demo.dom);
	vgt_host_destroy(demo.host);
	gensim_destroy(demo.gs);
	return failed;
}

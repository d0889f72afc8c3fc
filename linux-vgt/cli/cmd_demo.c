/* SPDX-License-Identifier: MIT */
/*
 * `vgt demo`: the reference guest driver renders an animation with the
 * blitter and a stream of store batches on the render ring, shows it on
 * pipe A, and the scanout is checked against the frame computed on the
 * CPU and written as PNG.  Today it runs natively on gensim.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gensim.h"
#include "hsw/hsw_regs.h"
#include "refdrv.h"
#include "refdrv_native.h"
#include "vgt_png.h"

struct demo_opts {
	uint64_t frames;
	uint64_t width, height;
	uint64_t memory_mb, aperture_mb;
	uint64_t batches, stores;
	uint64_t domains;
	double seconds;
	bool threaded, json;
	const char *png;
	const char *shots;
	uint64_t vnc_port, domain_frames;
	const char *vnc_password;
	const char *trace;
};

static void demo_usage(FILE *f)
{
	fprintf(f,
		"usage: vgt demo [OPTIONS]\n"
		"  --frames N        animation frames to draw (default 60)\n"
		"  --size WxH        display mode (default 640x480)\n"
		"  --png FILE        where to write the last frame (default vgt-demo.png)\n"
		"  --batches N       render-ring store batches (default 64)\n"
		"  --memory-mb N     gensim machine memory (default 256)\n"
		"  --aperture-mb N   gensim aperture, 64..512, power of two (default 512)\n"
		"  --threaded        run gensim on its worker thread instead of stepping it\n"
		"  --domains N       domains sharing the GPU through the mediator, 0..8 (default 4)\n"
		"  --seconds S       how long the domains run (default 3)\n"
		"  --json            print the domains' results as one JSON object only\n"
		"  --screenshots DIR write each domain's screen to DIR/dom<N>.png\n"
		"  --vnc PORT        serve domain N's screen over VNC on 127.0.0.1:PORT+N\n"
		"  --vnc-password PW require this VNC password\n"
		"  --domain-frames N each domain draws N frames, then its screen stays\n"
		"  --trace FILE      record the domains (2..4, --domain-frames frames, default 3)\n"
		"                    deterministically as a replayable trace (see vgt trace)\n");
}

static int parse(int argc, char **argv, struct demo_opts *o)
{
	static const struct option longopts[] = {
		{ "frames", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "png", required_argument, NULL, 'p' },
		{ "batches", required_argument, NULL, 'b' },
		{ "memory-mb", required_argument, NULL, 'm' },
		{ "aperture-mb", required_argument, NULL, 'a' },
		{ "threaded", no_argument, NULL, 't' },
		{ "domains", required_argument, NULL, 'd' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "screenshots", required_argument, NULL, 'o' },
		{ "vnc", required_argument, NULL, 'v' },
		{ "vnc-password", required_argument, NULL, 'P' },
		{ "domain-frames", required_argument, NULL, 'F' },
		{ "trace", required_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char w[16], h[16];
	int c;

	*o = (struct demo_opts){ .frames = 60, .width = 640, .height = 480, .memory_mb = 256,
				 .aperture_mb = 512, .batches = 64, .stores = 256, .domains = 4,
				 .seconds = 3.0,
				 .png = "vgt-demo.png" };
	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': if (!vgt_cli_number("--frames", optarg, 1, 100000, &o->frames)) return 2; break;
		case 'b': if (!vgt_cli_number("--batches", optarg, 0, 100000, &o->batches)) return 2; break;
		case 'm': if (!vgt_cli_number("--memory-mb", optarg, 64, 65536, &o->memory_mb)) return 2; break;
		case 'a':
			if (!vgt_cli_number("--aperture-mb", optarg, 64, 512, &o->aperture_mb))
				return 2;
			if (o->aperture_mb & (o->aperture_mb - 1)) {
				fprintf(stderr, "vgt demo: --aperture-mb wants a power of two, not %" PRIu64 "\n",
					o->aperture_mb);
				return 2;
			}
			break;
		case 'p': o->png = optarg; break;
		case 'd': if (!vgt_cli_number("--domains", optarg, 0, 8, &o->domains)) return 2; break;
		case 'j': o->json = true; break;
		case 'o': o->shots = optarg; break;
		case 'v': if (!vgt_cli_number("--vnc", optarg, 1024, 65000, &o->vnc_port)) return 2; break;
		case 'P': o->vnc_password = optarg; break;
		case 'T': o->trace = optarg; break;
		case 'F': if (!vgt_cli_number("--domain-frames", optarg, 1, 1000000, &o->domain_frames)) return 2; break;
		case 'S': {
			char *end;

			o->seconds = strtod(optarg, &end);
			if (*end || !(o->seconds > 0 && o->seconds <= 3600)) {
				fprintf(stderr, "vgt demo: --seconds wants a number in (0, 3600]\n");
				return 2;
			}
			break;
		}
		case 't': o->threaded = true; break;
		case 's':
			if (sscanf(optarg, "%15[0-9]x%15[0-9]", w, h) != 2 ||
			    !vgt_cli_number("--size width", w, 128, 4096, &o->width) ||
			    !vgt_cli_number("--size height", h, 128, 4096, &o->height)) {
				fprintf(stderr, "vgt demo: --size wants WxH, 128x128 to 4096x4096\n");
				return 2;
			}
			break;
		case 'h': demo_usage(stdout); exit(0);
		default: demo_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "vgt demo: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	return 0;
}

static int run(const struct demo_opts *o, struct gensim *gs)
{
	struct refdrv_native native;
	struct refdrv drv;
	struct refdrv_scene scene;
	struct refdrv_bo store_batch, store_buf;
	struct gensim_image img;
	struct gensim_stats st;
	uint32_t *expected = NULL;
	uint64_t differ = 0;
	long wrong = 0;
	double t0;
	int ret;

	ret = refdrv_native_init(&native, gs, o->threaded);
	if (ret) {
		fprintf(stderr, "vgt demo: native platform: %s\n", strerror(-ret));
		return 1;
	}
	t0 = vgt_cli_seconds();
	ret = refdrv_probe(&drv, &native.plat);
	if (!ret)
		ret = refdrv_init(&drv);
	if (!ret)
		ret = refdrv_scene_init(&drv, &scene, (uint32_t)o->width, (uint32_t)o->height);
	if (!ret)
		ret = refdrv_display_set(&drv, 0, &scene.fb, scene.width, scene.height, scene.stride,
					 HSW_DSPFMT_BGRX888);
	if (ret) {
		fprintf(stderr, "vgt demo: driver: %s\n", refdrv_strerror(&drv));
		goto out;
	}
	printf("vgt demo: reference driver on gensim, native (%s)\n",
	       o->threaded ? "worker thread" : "stepped");
	printf("  device 8086:%04x, BAR0 at 0x%" PRIx64 ", aperture %" PRIu64 " MiB at 0x%" PRIx64 "\n",
	       drv.device_id, drv.bar0, drv.bar2_size >> 20, drv.bar2);
	printf("  graphics memory: mappable [0x%08x, +%u MiB), hidden [0x%08x, +%u MiB), %u fences\n",
	       drv.low.base, drv.low.size >> 20, drv.high.base, drv.high.size >> 20, drv.fences);

	for (uint32_t f = 0; f < o->frames && !ret; f++) {
		ret = refdrv_scene_draw(&drv, &scene, f);
		if (!ret)
			ret = refdrv_wait_vblank(&drv, 0);
	}
	if (ret) {
		fprintf(stderr, "vgt demo: drawing: %s\n", refdrv_strerror(&drv));
		goto out;
	}
	if (o->batches) {
		ret = refdrv_bo_alloc(&drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &store_batch);
		if (!ret)
			ret = refdrv_bo_alloc(&drv, (uint32_t)o->stores * 4u, false, &store_buf);
		if (!ret) {
			wrong = refdrv_store_stream(&drv, &store_batch, &store_buf,
						    (uint32_t)o->batches, (uint32_t)o->stores);
			ret = wrong < 0 ? (int)wrong : 0;
		}
		if (ret) {
			fprintf(stderr, "vgt demo: render stream: %s\n", refdrv_strerror(&drv));
			goto out;
		}
	}
	/* The last frame is latched at the next vblank. */
	ret = refdrv_wait_vblank(&drv, 0);
	if (ret) {
		fprintf(stderr, "vgt demo: %s\n", refdrv_strerror(&drv));
		goto out;
	}
	ret = gensim_scanout(gs, 0, &img);
	if (ret) {
		fprintf(stderr, "vgt demo: scanout of pipe A: %s\n", strerror(-ret));
		goto out;
	}
	expected = malloc((size_t)img.width * img.height * sizeof(*expected));
	if (!expected) {
		gensim_image_release(&img);
		ret = -ENOMEM;
		goto out;
	}
	refdrv_scene_expected((uint32_t)o->frames - 1, scene.identity, img.width, img.height, expected);
	for (size_t i = 0; i < (size_t)img.width * img.height; i++)
		differ += (img.pixels[i] & 0xFFFFFFu) != expected[i];
	ret = vgt_png_write_xrgb(o->png, img.width, img.height, img.pixels);
	gensim_image_release(&img);
	if (ret) {
		fprintf(stderr, "vgt demo: cannot write %s: %s\n", o->png, strerror(-ret));
		goto out;
	}
	gensim_get_stats(gs, &st);
	printf("  %" PRIu64 " frames of %" PRIu64 "x%" PRIu64 " drawn by the blitter and shown on pipe A\n",
	       o->frames, o->width, o->height);
	printf("  render ring: %" PRIu64 " batches of %" PRIu64 " stores, %ld wrong\n",
	       o->batches, o->stores, wrong);
	printf("  interrupts: %" PRIu64 " render, %" PRIu64 " blitter, %" PRIu64 " vblank\n",
	       drv.user_irqs[REFDRV_RCS], drv.user_irqs[REFDRV_BCS], drv.vblank_irqs);
	printf("  gensim: %" PRIu64 " commands, %" PRIu64 " batches, %.1f MiB blitted, %" PRIu64
	       " MSIs, %" PRIu64 " faults, %" PRIu64 " command errors\n",
	       st.commands, st.batches, (double)st.blit_bytes / (1 << 20), st.interrupts,
	       st.gtt_faults, st.cmd_errors);
	printf("  scanout of the last frame %s the expected image (%" PRIu64 " pixels differ)\n",
	       differ ? "DOES NOT MATCH" : "matches", differ);
	printf("  wrote %s (%.2f s)\n", o->png, vgt_cli_seconds() - t0);
	ret = differ || wrong ? -EIO : 0;
out:
	free(expected);
	refdrv_native_fini(&native);
	return ret ? 1 : 0;
}

int vgt_cmd_demo(int argc, char **argv)
{
	struct vgt_domains_opts dopts;
	struct gensim_config cfg;
	struct demo_opts o;
	struct gensim *gs;
	int ret = parse(argc, argv, &o);

	if (ret)
		return ret;
	gensim_config_init(&cfg);
	cfg.memory_size = o.memory_mb << 20;
	cfg.aperture_size = o.aperture_mb << 20;
	dopts = (struct vgt_domains_opts){
		.domains = (unsigned)o.domains, .seconds = o.seconds, .json = o.json, .shots = o.shots,
		.vnc_port = (unsigned)o.vnc_port, .vnc_password = o.vnc_password, .frames = o.domain_frames,
	};
	if (o.trace) {
		if (o.domains < 2 || o.domains > 4 || o.domain_frames > 100) {
			fprintf(stderr, "vgt demo: --trace records 2 to 4 domains and at most 100 frames\n");
			return 2;
		}
		return vgt_trace_record("demo", o.trace, (unsigned)o.domains,
					o.domain_frames ? (unsigned)o.domain_frames : 3);
	}
	if (o.json) {
		if (!o.domains) {
			fprintf(stderr, "vgt demo: --json describes the domains; give --domains 1 or more\n");
			return 2;
		}
		return vgt_demo_domains(&dopts);
	}
	ret = gensim_create(&cfg, &gs);
	if (ret) {
		fprintf(stderr, "vgt demo: cannot create gensim: %s\n", strerror(-ret));
		return 1;
	}
	ret = run(&o, gs);
	gensim_destroy(gs);
	if (!ret && o.domains)
		ret = vgt_demo_domains(&dopts);
	return ret;
}

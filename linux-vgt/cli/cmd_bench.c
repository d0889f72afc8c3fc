/* SPDX-License-Identifier: MIT */
/*
 * `vgt bench gensim`: gensim's own throughput, the base that later
 * mediated-versus-native ratios are measured against.  Each figure is the
 * best of three runs of at least --seconds each, on one core, with gensim
 * stepped by the caller.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gensim.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"

#define MIB             (1u << 20)
#define RING_GM         0x0u
#define RING_SIZE       (64u * 1024u)
#define HWSP_GM         (RING_SIZE)
#define BATCH_GM        (1u * MIB)
#define SURF_A_GM       (16u * MIB)
#define SURF_B_GM       (32u * MIB)
#define MAPPED          (64u * MIB)
#define BLIT_W          1024u
#define BLIT_H          1024u
#define SDI_PER_BATCH   511u

struct bench {
	struct gensim *gs;
	uint32_t tail;
	uint32_t base;
};

static int mmio_write(struct gensim *gs, uint32_t off, uint32_t v)
{
	return gensim_mmio_write(gs, off, 4, v);
}

/* Identity-maps the first MAPPED bytes of graphics memory. */
static int map_memory(struct gensim *gs)
{
	for (uint32_t i = 0; i < MAPPED / 4096u; i++) {
		int ret = gensim_gtt_write(gs, i, HSW_PTE_ENCODE((uint64_t)i * 4096u) | HSW_PTE_VALID);

		if (ret)
			return ret;
	}
	return 0;
}

static int ring_setup(struct bench *b, uint32_t base, uint32_t hws_pga)
{
	struct gensim *gs = b->gs;
	int ret = mmio_write(gs, hws_pga, HWSP_GM);

	ret = ret ? ret : mmio_write(gs, HSW_RING_START(base), RING_GM);
	ret = ret ? ret : mmio_write(gs, HSW_RING_HEAD(base), 0);
	ret = ret ? ret : mmio_write(gs, HSW_RING_TAIL(base), 0);
	ret = ret ? ret : mmio_write(gs, HSW_RING_CTL(base), (RING_SIZE - 4096u) | HSW_RING_VALID);
	b->base = base;
	b->tail = 0;
	return ret;
}

/* Queues @count MI_BATCH_BUFFER_STARTs of the batch at BATCH_GM and runs them. */
static int run_batches(struct bench *b, uint32_t count)
{
	uint32_t pair[2] = { HSW_MI_BATCH_BUFFER_START, BATCH_GM };
	int64_t n;

	for (uint32_t i = 0; i < count; i++) {
		int ret = gensim_mem_write(b->gs, RING_GM + b->tail, pair, sizeof(pair));

		if (ret)
			return ret;
		b->tail = (b->tail + 8u) % RING_SIZE;
	}
	mmio_write(b->gs, HSW_RING_TAIL(b->base), b->tail);
	n = gensim_run_until_idle(b->gs, UINT64_MAX);
	return n < 0 ? (int)n : 0;
}

static int write_batch(struct gensim *gs, const uint32_t *dw, size_t n)
{
	return gensim_mem_write(gs, BATCH_GM, dw, n * sizeof(*dw));
}

/* Best rate of three runs of at least @secs, in units per second. */
typedef int bench_fn(struct bench *b, uint64_t *units);

static double measure(struct bench *b, bench_fn *fn, double secs)
{
	double best = 0;

	for (int round = 0; round < 3; round++) {
		double t0 = vgt_cli_seconds(), t;
		uint64_t units = 0;

		do {
			uint64_t u = 0;

			if (fn(b, &u))
				return -1;
			units += u;
			t = vgt_cli_seconds() - t0;
		} while (t < secs);
		if (units / t > best)
			best = (double)units / t;
	}
	return best;
}

static int bench_commands(struct bench *b, uint64_t *units)
{
	struct gensim_stats s0, s1;
	int ret;

	gensim_get_stats(b->gs, &s0);
	ret = run_batches(b, 64);
	gensim_get_stats(b->gs, &s1);
	*units = s1.commands - s0.commands;
	return ret;
}

static int bench_blit(struct bench *b, uint64_t *units)
{
	struct gensim_stats s0, s1;
	int ret;

	gensim_get_stats(b->gs, &s0);
	ret = run_batches(b, 16);
	gensim_get_stats(b->gs, &s1);
	*units = s1.blit_bytes - s0.blit_bytes;
	return ret;
}

static int bench_mmio(struct bench *b, uint64_t *units)
{
	uint64_t v;

	for (uint32_t i = 0; i < 100000; i++) {
		if (gensim_mmio_read(b->gs, HSW_RING_HWSTAM(HSW_RCS_BASE), 4, &v) ||
		    gensim_mmio_write(b->gs, HSW_RING_HWSTAM(HSW_RCS_BASE), 4, ~(uint32_t)i))
			return -EIO;
	}
	*units = 200000;
	return 0;
}

static int prepare_sdi(struct gensim *gs)
{
	static uint32_t dw[SDI_PER_BATCH * 4 + 1];
	size_t n = 0;

	for (uint32_t i = 0; i < SDI_PER_BATCH; i++) {
		dw[n++] = HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT;
		dw[n++] = 0;
		dw[n++] = SURF_A_GM + 4u * i;
		dw[n++] = i;
	}
	dw[n++] = HSW_MI_BATCH_BUFFER_END;
	return write_batch(gs, dw, n);
}

static int prepare_fill(struct gensim *gs)
{
	const uint32_t dw[] = {
		HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA,
		HSW_BR13_32BPP | (HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | (BLIT_W * 4u),
		0, (BLIT_H << 16) | BLIT_W, SURF_A_GM, 0x00336699u,
		HSW_MI_BATCH_BUFFER_END,
	};

	return write_batch(gs, dw, sizeof(dw) / sizeof(dw[0]));
}

static int prepare_copy(struct gensim *gs)
{
	const uint32_t dw[] = {
		HSW_XY_SRC_COPY_BLT | HSW_BLT_WRITE_RGBA,
		HSW_BR13_32BPP | (HSW_ROP_SRCCOPY << HSW_BR13_ROP_SHIFT) | (BLIT_W * 4u),
		0, (BLIT_H << 16) | BLIT_W, SURF_B_GM, 0, BLIT_W * 4u, SURF_A_GM,
		HSW_MI_BATCH_BUFFER_END, HSW_MI_NOOP,
	};

	return write_batch(gs, dw, sizeof(dw) / sizeof(dw[0]));
}

static void bench_usage(FILE *f)
{
	fprintf(f, "usage: vgt bench [gensim] [--seconds S] [--json]\n"
		   "  (no argument)  mediated vs native, aggregate, fairness and unit costs\n"
		   "  gensim         gensim's own throughput\n"
		   "  --seconds S    length of each measurement (default 0.5)\n"
		   "  --json         one JSON object (mediated figures)\n");
}

int vgt_cmd_bench(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct gensim_config cfg;
	struct bench b = { 0 };
	double secs = 0.5, cmds, fill, copy, mmio;
	bool json = false;
	char *end;
	int c, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			secs = strtod(optarg, &end);
			if (*end || !(secs > 0 && secs <= 60)) {
				fprintf(stderr, "vgt bench: --seconds wants a number in (0, 60]\n");
				return 2;
			}
			break;
		case 'j': json = true; break;
		case 'h': bench_usage(stdout); return 0;
		default: bench_usage(stderr); return 2;
		}
	}
	if (optind == argc)
		return vgt_bench_mediated(secs, json);
	if (optind + 1 != argc || strcmp(argv[optind], "gensim")) {
		fprintf(stderr, "vgt bench: unknown benchmark '%s' (only 'gensim', or none)\n",
			argv[optind]);
		bench_usage(stderr);
		return 2;
	}
	if (json) {
		fprintf(stderr, "vgt bench gensim: --json is for the mediated benchmark only\n");
		return 2;
	}
	gensim_config_init(&cfg);
	ret = gensim_create(&cfg, &b.gs);
	if (ret) {
		fprintf(stderr, "vgt bench: cannot create gensim: %s\n", strerror(-ret));
		return 1;
	}
	ret = map_memory(b.gs);
	ret = ret ? ret : ring_setup(&b, HSW_RCS_BASE, HSW_RCS_HWS_PGA);
	ret = ret ? ret : prepare_sdi(b.gs);
	cmds = ret ? -1 : measure(&b, bench_commands, secs);
	ret = ret ? ret : ring_setup(&b, HSW_BCS_BASE, HSW_BCS_HWS_PGA);
	ret = ret ? ret : prepare_fill(b.gs);
	fill = ret ? -1 : measure(&b, bench_blit, secs);
	ret = ret ? ret : prepare_copy(b.gs);
	copy = ret ? -1 : measure(&b, bench_blit, secs);
	mmio = ret ? -1 : measure(&b, bench_mmio, secs);
	gensim_destroy(b.gs);
	if (ret || cmds < 0 || fill < 0 || copy < 0 || mmio < 0) {
		fprintf(stderr, "vgt bench: a benchmark failed to run\n");
		return 1;
	}
	printf("vgt bench gensim: best of 3 runs of %.2f s, one core, stepped\n", secs);
	printf("  commands   %8.2f M/s     MI_STORE_DATA_IMM, %u per batch buffer\n", cmds / 1e6,
	       SDI_PER_BATCH);
	printf("  fill       %8.2f GiB/s   XY_COLOR_BLT %ux%u, 32 bpp\n", fill / (1 << 30), BLIT_W, BLIT_H);
	printf("  copy       %8.2f GiB/s   XY_SRC_COPY_BLT %ux%u, 32 bpp\n", copy / (1 << 30), BLIT_W,
	       BLIT_H);
	printf("  mmio       %8.2f M/s     register reads and writes through BAR0\n", mmio / 1e6);
	return 0;
}

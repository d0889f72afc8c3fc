/* SPDX-License-Identifier: MIT */
/*
 * gensim display and aperture: the scanout reader (errors, pixel formats,
 * stride, panning, X tiling), double-buffered plane registers latched at
 * vblank, frame and scanline counters, and CPU access through the aperture
 * with GGTT translation and fence detiling (X and Y).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define VBLANK_NS   16666667ull         /* 60 Hz */

#define SURF_GM     0x400000u
#define SURF2_GM    0x500000u
#define TILED_GM    0x600000u
#define FENCE_X_GM  0x800000u
#define FENCE_Y_GM  0x900000u
#define REMAP_PA    0x3000000ull        /* 48 MiB: machine memory the GGTT does not map */

#define FMT_XRGB8888  HSW_DSPFMT_BGRX888
#define FMT_XBGR8888  HSW_DSPFMT_RGBX888
#define FMT_RGB565    HSW_DSPFMT_BGRX565

/* ---- Helpers ---------------------------------------------------------------- */

static uint8_t *xmalloc(size_t len)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	return p;
}

static uint8_t *mem_snapshot(struct gensim *gs, uint64_t pa, size_t len)
{
	uint8_t *b = xmalloc(len);

	assert_int_equal(gensim_mem_read(gs, pa, b, len), 0);
	return b;
}

static void mem_zero(struct gensim *gs, uint64_t pa, size_t len)
{
	uint8_t *b = calloc(1, len);

	assert_non_null(b);
	assert_int_equal(gensim_mem_write(gs, pa, b, len), 0);
	free(b);
}

static void expect_mem(struct gensim *gs, uint64_t pa, const uint8_t *want, size_t len)
{
	uint8_t *got = mem_snapshot(gs, pa, len);

	for (size_t i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			print_error("machine memory at 0x%" PRIx64 ": got 0x%02x, want 0x%02x\n",
				    pa + i, got[i], want[i]);
			free(got);
			fail();
		}
	}
	free(got);
}

/* A pseudo-random 32-bit value for pixel (x, y), with a non-zero top byte. */
static uint32_t pix(uint32_t x, uint32_t y)
{
	uint32_t v = (x * 0x9E3779B1u) ^ (y * 0x85EBCA77u) ^ 0xC2B2AE3Du;

	v ^= v >> 15;
	v *= 0x2C1B3C6Du;
	v ^= v >> 12;
	return v | 0x01000000u;
}

static uint32_t xtile_off(uint32_t pitch, uint32_t xbyte, uint32_t y)
{
	uint32_t tile = (y / 8u) * (pitch / 512u) + xbyte / 512u;

	return tile * 4096u + (y % 8u) * 512u + xbyte % 512u;
}

/* Y tile: 128 bytes x 32 rows, stored as eight 16-byte-wide columns of 32 rows. */
static uint32_t ytile_off(uint32_t pitch, uint32_t xbyte, uint32_t y)
{
	uint32_t tile = (y / 32u) * (pitch / 128u) + xbyte / 128u;
	uint32_t tx = xbyte % 128u;

	return tile * 4096u + (tx / 16u) * 512u + (y % 32u) * 16u + tx % 16u;
}

static void pipe_enable(struct gensim *gs, unsigned p, bool on)
{
	wr(gs, HSW_PIPECONF(p), on ? HSW_PIPECONF_ENABLE : 0);
	assert_int_equal(!!(rd(gs, HSW_PIPECONF(p)) & HSW_PIPECONF_STATE), on);
}

static uint32_t dspcntr(uint32_t fmt, bool tiled)
{
	return HSW_DSPCNTR_ENABLE | (fmt << HSW_DSPCNTR_FORMAT_SHIFT) | (tiled ? HSW_DSPCNTR_TILED : 0);
}

/* Programs pipe @p's source size and primary plane; DSPSURF last, as i915 does. */
static void plane_program(struct gensim *gs, unsigned p, uint32_t cntr, uint32_t w, uint32_t h,
			  uint32_t stride, uint32_t x0, uint32_t y0, uint32_t surf)
{
	wr(gs, HSW_PIPESRC(p), ((w - 1u) << 16) | (h - 1u));
	wr(gs, HSW_DSPCNTR(p), cntr);
	wr(gs, HSW_DSPSTRIDE(p), stride);
	wr(gs, HSW_DSPOFFSET(p), (y0 << 16) | x0);
	wr(gs, HSW_DSPSURF(p), surf);
}

/* Pipe off, plane programmed (latched at once), then pipe on. */
static void show(struct gensim *gs, unsigned p, uint32_t cntr, uint32_t w, uint32_t h,
		 uint32_t stride, uint32_t x0, uint32_t y0, uint32_t surf)
{
	pipe_enable(gs, p, false);
	plane_program(gs, p, cntr, w, h, stride, x0, y0, surf);
	pipe_enable(gs, p, true);
}

/* Fills a linear 32 bpp surface with pix(x, y). */
static void fill32(struct gensim *gs, uint64_t base, uint32_t stride, uint32_t w, uint32_t h,
		   uint32_t salt)
{
	uint8_t *b = xmalloc((size_t)stride * h);

	memset(b, 0xEE, (size_t)stride * h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = pix(x + salt, y);

			memcpy(b + (size_t)y * stride + x * 4u, &v, 4);
		}
	assert_int_equal(gensim_mem_write(gs, base, b, (size_t)stride * h), 0);
	free(b);
}

static void scan_ok(struct gensim *gs, unsigned p, struct gensim_image *img, uint32_t w, uint32_t h)
{
	assert_int_equal(gensim_scanout(gs, p, img), 0);
	assert_non_null(img->pixels);
	assert_int_equal(img->width, w);
	assert_int_equal(img->height, h);
}

static void scan_err(struct gensim *gs, unsigned p, int err)
{
	struct gensim_image img;

	memset(&img, 0, sizeof(img));
	assert_int_equal(gensim_scanout(gs, p, &img), err);
	assert_null(img.pixels);
	gensim_image_release(&img);
}

static uint32_t xbgr_to_xrgb(uint32_t v)
{
	return ((v & 0xFFu) << 16) | (v & 0xFF00u) | ((v >> 16) & 0xFFu);
}

static uint32_t rgb565_to_xrgb(uint16_t v)
{
	uint32_t r = (v >> 11) & 0x1Fu, g = (v >> 5) & 0x3Fu, b = v & 0x1Fu;

	r = (r << 3) | (r >> 2);
	g = (g << 2) | (g >> 4);
	b = (b << 3) | (b >> 2);
	return (r << 16) | (g << 8) | b;
}

/* ---- Scanout errors ------------------------------------------------------------ */

static void test_scanout_bad_pipe(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	scan_err(gs, 3, -EINVAL);
	scan_err(gs, 100, -EINVAL);
	scan_err(gs, ~0u, -EINVAL);
	/* Pipe C exists: it is only off. */
	scan_err(gs, 2, -ENODEV);
	fill32(gs, SURF_GM, 64, 16, 4, 0);
	show(gs, 2, dspcntr(FMT_XRGB8888, false), 16, 4, 64, 0, 0, SURF_GM);
	scan_ok(gs, 2, &img, 16, 4);
	gensim_image_release(&img);
	scan_err(gs, 3, -EINVAL);
	gensim_destroy(gs);
}

static void test_scanout_pipe_disabled(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	fill32(gs, SURF_GM, 64, 16, 4, 0);
	for (unsigned p = 0; p < 3; p++)
		scan_err(gs, p, -ENODEV);
	/* A complete, latched plane on a pipe that is off is still -ENODEV. */
	plane_program(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 4, 64, 0, 0, SURF_GM);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), SURF_GM);
	scan_err(gs, 0, -ENODEV);
	pipe_enable(gs, 0, true);
	scan_ok(gs, 0, &img, 16, 4);
	gensim_image_release(&img);
	pipe_enable(gs, 0, false);
	scan_err(gs, 0, -ENODEV);
	gensim_destroy(gs);
}

static void test_scanout_plane_disabled(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;
	uint64_t t;

	(void)state;
	fill32(gs, SURF_GM, 64, 16, 4, 0);
	show(gs, 0, dspcntr(FMT_XRGB8888, false) & ~HSW_DSPCNTR_ENABLE, 16, 4, 64, 0, 0, SURF_GM);
	scan_err(gs, 0, -ENODATA);
	/* Enabling the plane with the pipe running takes effect at the next vblank. */
	wr(gs, HSW_DSPCNTR(0), dspcntr(FMT_XRGB8888, false));
	wr(gs, HSW_DSPSURF(0), SURF_GM);
	scan_err(gs, 0, -ENODATA);
	t = gensim_next_event_ns(gs);
	assert_true(t > 0 && t <= VBLANK_NS);
	assert_int_equal(gensim_advance_time(gs, t), 0);
	scan_ok(gs, 0, &img, 16, 4);
	gensim_image_release(&img);
	gensim_destroy(gs);
}

static void test_scanout_unsupported_format(void **state)
{
	static const uint32_t bad[] = { 8 /* RGBX101010 */, 10 /* BGRX101010 */, 12 /* fp16 */ };
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	fill32(gs, SURF_GM, 64, 16, 4, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		show(gs, 1, dspcntr(bad[i], false), 16, 4, 64, 0, 0, SURF_GM);
		scan_err(gs, 1, -ENOTSUP);
	}
	show(gs, 1, dspcntr(FMT_XRGB8888, false), 16, 4, 64, 0, 0, SURF_GM);
	scan_ok(gs, 1, &img, 16, 4);
	gensim_image_release(&img);
	gensim_destroy(gs);
}

static void test_scanout_nonpresent_pte(void **state)
{
	const uint32_t stride = 4096;   /* one page per row */
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;
	uint32_t pte;

	(void)state;
	fill32(gs, SURF_GM, stride, 16, 8, 0);
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 8, stride, 0, 0, SURF_GM);
	scan_ok(gs, 0, &img, 16, 8);
	gensim_image_release(&img);

	/* Row 5 sits on a page that is not present. */
	assert_int_equal(gensim_gtt_read(gs, (SURF_GM + 5u * stride) >> 12, &pte), 0);
	assert_int_equal(gensim_gtt_write(gs, (SURF_GM + 5u * stride) >> 12, pte & ~HSW_PTE_VALID), 0);
	scan_err(gs, 0, -EFAULT);
	assert_int_equal(gensim_gtt_write(gs, (SURF_GM + 5u * stride) >> 12, pte), 0);
	scan_ok(gs, 0, &img, 16, 8);
	gensim_image_release(&img);

	/* A surface in graphics memory the GGTT does not map at all. */
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 8, 64, 0, 0, 0x4000000u);
	scan_err(gs, 0, -EFAULT);
	/* Panning that reaches an unmapped page faults as well. */
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 8, 64, 0, 0,
	     HARNESS_MAPPED - 4096u);
	scan_ok(gs, 0, &img, 16, 8);
	gensim_image_release(&img);
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 8, 64, 0, 64, HARNESS_MAPPED - 4096u);
	scan_err(gs, 0, -EFAULT);
	gensim_destroy(gs);
}

/* ---- Pixel formats, stride, panning --------------------------------------------- */

static void test_scanout_xrgb8888(void **state)
{
	const uint32_t w = 16, h = 8, stride = 160, x0 = 3, y0 = 2;
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	fill32(gs, SURF_GM, stride, stride / 4u, y0 + h + 1u, 0);
	put32(gs, SURF_GM + y0 * stride + x0 * 4u, 0xFF112233u);
	show(gs, 0, dspcntr(FMT_XRGB8888, false), w, h, stride, x0, y0, SURF_GM);
	scan_ok(gs, 0, &img, w, h);
	assert_int_equal(img.pixels[0], 0x112233u);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if (!x && !y)
				continue;
			assert_int_equal(img.pixels[y * w + x], pix(x0 + x, y0 + y) & 0xFFFFFFu);
		}
	gensim_image_release(&img);
	gensim_destroy(gs);
}

static void test_scanout_xbgr8888(void **state)
{
	const uint32_t w = 12, h = 6, stride = 128, x0 = 5, y0 = 1;
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	fill32(gs, SURF_GM, stride, stride / 4u, y0 + h, 7);
	/* bytes in memory: R=0x33 G=0x22 B=0x11 X=0xFF */
	put32(gs, SURF_GM + y0 * stride + x0 * 4u, 0xFF112233u);
	show(gs, 0, dspcntr(FMT_XBGR8888, false), w, h, stride, x0, y0, SURF_GM);
	scan_ok(gs, 0, &img, w, h);
	assert_int_equal(img.pixels[0], 0x332211u);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if (!x && !y)
				continue;
			assert_int_equal(img.pixels[y * w + x], xbgr_to_xrgb(pix(x0 + x + 7, y0 + y)));
		}
	gensim_image_release(&img);
	gensim_destroy(gs);
}

static void test_scanout_rgb565(void **state)
{
	static const struct { uint16_t in; uint32_t out; } lit[] = {
		{ 0xF800, 0xFF0000 }, { 0x07E0, 0x00FF00 }, { 0x001F, 0x0000FF },
		{ 0xFFFF, 0xFFFFFF }, { 0x0000, 0x000000 }, { 0x8410, 0x848284 },
		{ 0x0841, 0x080808 }, { 0x7BEF, 0x7B7D7B },
	};
	const uint32_t w = 10, h = 4, stride = 64, x0 = 2, y0 = 1;
	const size_t len = (size_t)stride * (y0 + h);
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;
	uint8_t *b = xmalloc(len);

	(void)state;
	for (size_t i = 0; i < len / 2; i++) {
		uint16_t v = (uint16_t)(pix((uint32_t)i, 99) >> 7);

		memcpy(b + 2 * i, &v, 2);
	}
	for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
		memcpy(b + y0 * stride + (x0 + i) * 2u, &lit[i].in, 2);
	assert_int_equal(gensim_mem_write(gs, SURF_GM, b, len), 0);
	show(gs, 0, dspcntr(FMT_RGB565, false), w, h, stride, x0, y0, SURF_GM);
	scan_ok(gs, 0, &img, w, h);
	for (size_t i = 0; i < sizeof(lit) / sizeof(lit[0]); i++)
		assert_int_equal(img.pixels[i], lit[i].out);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint16_t v;

			memcpy(&v, b + (y0 + y) * stride + (x0 + x) * 2u, 2);
			assert_int_equal(img.pixels[y * w + x], rgb565_to_xrgb(v));
		}
	gensim_image_release(&img);
	free(b);
	gensim_destroy(gs);
}

/* PIPESRC is (width-1) << 16 | (height-1), not the other way round. */
static void test_scanout_pipesrc_orientation(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;

	(void)state;
	fill32(gs, SURF_GM, 256, 64, 8, 0);
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 40, 3, 256, 0, 0, SURF_GM);
	assert_int_equal(rd(gs, HSW_PIPESRC(0)), (39u << 16) | 2u);
	scan_ok(gs, 0, &img, 40, 3);
	assert_int_equal(img.pixels[2 * 40 + 39], pix(39, 2) & 0xFFFFFFu);
	gensim_image_release(&img);
	gensim_destroy(gs);
}

static void test_scanout_xtiled(void **state)
{
	const uint32_t stride = 1024, w = 200, h = 20, x0 = 50, y0 = 3, rows = 24;
	const size_t len = (size_t)(rows / 8u) * (stride / 512u) * 4096u;
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;
	uint8_t *b = xmalloc(len);

	(void)state;
	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t x = 0; x < stride / 4u; x++) {
			uint32_t v = pix(x, y);

			memcpy(b + xtile_off(stride, x * 4u, y), &v, 4);
		}
	assert_int_equal(gensim_mem_write(gs, TILED_GM, b, len), 0);
	/* Literal: pixel (128, 3) is the first dword of tile 1, row 3. */
	put32(gs, TILED_GM + 4096u + 3u * 512u, 0x00C0FFEEu);
	/* Literal: pixel (50, 8) is in tile 2 (second tile row), row 0, byte 200. */
	put32(gs, TILED_GM + 2u * 4096u + 200u, 0x00BEEF00u);
	show(gs, 0, dspcntr(FMT_XRGB8888, true), w, h, stride, x0, y0, TILED_GM);
	scan_ok(gs, 0, &img, w, h);
	assert_int_equal(img.pixels[128 - x0], 0xC0FFEEu);
	assert_int_equal(img.pixels[(8 - y0) * w], 0xBEEF00u);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			if ((!y && x == 128 - x0) || (y == 8 - y0 && !x))
				continue;
			assert_int_equal(img.pixels[y * w + x], pix(x0 + x, y0 + y) & 0xFFFFFFu);
		}
	gensim_image_release(&img);

	/* The same memory read as linear gives something else. */
	show(gs, 0, dspcntr(FMT_XRGB8888, false), w, h, stride, x0, y0, TILED_GM);
	scan_ok(gs, 0, &img, w, h);
	assert_int_not_equal(img.pixels[128 - x0], 0xC0FFEEu);
	/* Linear pixel (128, 3) is byte 3584: tile 0, row 7, i.e. tiled pixel (0, 7). */
	assert_int_equal(img.pixels[128 - x0], pix(0, 7) & 0xFFFFFFu);
	gensim_image_release(&img);
	free(b);
	gensim_destroy(gs);
}

/* ---- Double buffering ------------------------------------------------------------- */

static void expect_shows(struct gensim *gs, unsigned p, uint32_t w, uint32_t h, uint32_t salt,
			 bool xbgr)
{
	struct gensim_image img;

	scan_ok(gs, p, &img, w, h);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = pix(x + salt, y);

			assert_int_equal(img.pixels[y * w + x], xbgr ? xbgr_to_xrgb(v) : v & 0xFFFFFFu);
		}
	gensim_image_release(&img);
}

static void check_flip(unsigned p)
{
	const uint32_t vbl = HSW_DE_PIPE_VBLANK(p), flip = HSW_DE_PLANE_FLIP_DONE(p);
	struct gensim *gs = harness_create(NULL);
	uint32_t flips;
	uint64_t t;

	fill32(gs, SURF_GM, 64, 16, 8, 0);
	fill32(gs, SURF2_GM, 64, 16, 8, 1000);
	show(gs, p, dspcntr(FMT_XRGB8888, false), 16, 8, 64, 0, 0, SURF_GM);
	wr(gs, HSW_DEIMR, ~(vbl | flip));
	wr(gs, HSW_DEIIR, ~0u);
	assert_int_equal(rd(gs, HSW_DEIIR), 0);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF_GM);
	flips = rd(gs, HSW_PIPE_FLIPCOUNT(p));
	expect_shows(gs, p, 16, 8, 0, false);

	/* Flip to the second surface, in the other channel order. */
	wr(gs, HSW_DSPCNTR(p), dspcntr(FMT_XBGR8888, false));
	wr(gs, HSW_DSPSURF(p), SURF2_GM);
	assert_int_equal(rd(gs, HSW_DSPSURF(p)), SURF2_GM);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF_GM);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(p)), flips);
	assert_int_equal(rd(gs, HSW_DEIIR) & (vbl | flip), 0);
	expect_shows(gs, p, 16, 8, 0, false);

	t = gensim_next_event_ns(gs);
	assert_true(t > 1 && t <= VBLANK_NS);
	assert_int_equal(gensim_advance_time(gs, t - 1), 0);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF_GM);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(p)), flips);
	assert_int_equal(rd(gs, HSW_DEIIR) & (vbl | flip), 0);
	expect_shows(gs, p, 16, 8, 0, false);

	assert_int_equal(gensim_advance_time(gs, 1), 0);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF2_GM);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(p)), flips + 1);
	assert_int_equal(rd(gs, HSW_DEIIR) & (vbl | flip), vbl | flip);
	expect_shows(gs, p, 16, 8, 1000, true);

	/* A vblank with nothing armed: no flip, no flip-done. */
	wr(gs, HSW_DEIIR, ~0u);
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_DEIIR) & (vbl | flip), vbl);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(p)), flips + 1);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF2_GM);

	/* With flip-done masked the flip still happens, but DEIIR does not show it. */
	wr(gs, HSW_DEIIR, ~0u);
	wr(gs, HSW_DEIMR, ~vbl);
	wr(gs, HSW_DSPCNTR(p), dspcntr(FMT_XRGB8888, false));
	wr(gs, HSW_DSPSURF(p), SURF_GM);
	assert_int_equal(gensim_advance_time(gs, gensim_next_event_ns(gs)), 0);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(p)), SURF_GM);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(p)), flips + 2);
	assert_int_equal(rd(gs, HSW_DEIIR) & (vbl | flip), vbl);
	expect_shows(gs, p, 16, 8, 0, false);
	gensim_destroy(gs);
}

static void test_flip_latches_at_vblank_pipe_a(void **state)
{
	(void)state;
	assert_int_equal(HSW_DE_PIPE_VBLANK(0), 1u << 0);
	assert_int_equal(HSW_DE_PLANE_FLIP_DONE(0), 1u << 3);
	check_flip(0);
}

static void test_flip_latches_at_vblank_pipe_b(void **state)
{
	(void)state;
	assert_int_equal(HSW_DE_PIPE_VBLANK(1), 1u << 5);
	assert_int_equal(HSW_DE_PLANE_FLIP_DONE(1), 1u << 8);
	check_flip(1);
}

/* Only the pipe that flips reports flip-done; DEIMR masks what is not wanted. */
static void test_flip_irq_bits_per_pipe(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	fill32(gs, SURF_GM, 64, 4, 4, 0);
	show(gs, 0, dspcntr(FMT_XRGB8888, false), 4, 4, 64, 0, 0, SURF_GM);
	show(gs, 2, dspcntr(FMT_XRGB8888, false), 4, 4, 64, 0, 0, SURF_GM);
	wr(gs, HSW_DEIIR, ~0u);
	/* Everything masked: nothing is latched in DEIIR. */
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_DEIIR), 0);
	wr(gs, HSW_DEIMR, 0);
	wr(gs, HSW_DSPSURF(2), SURF2_GM);
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_DEIIR), (1u << 0) | (1u << 10) | (1u << 13));
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(2)), SURF2_GM);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), SURF_GM);
	gensim_destroy(gs);
}

static void test_dspsurf_latches_at_once_with_pipe_off(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct gensim_image img;
	uint32_t flips;

	(void)state;
	fill32(gs, SURF_GM, 64, 16, 8, 0);
	fill32(gs, SURF2_GM, 64, 16, 8, 1000);
	pipe_enable(gs, 0, false);
	plane_program(gs, 0, dspcntr(FMT_XRGB8888, false), 16, 8, 64, 0, 0, SURF_GM);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), SURF_GM);
	wr(gs, HSW_DSPCNTR(0), dspcntr(FMT_XBGR8888, false));
	wr(gs, HSW_DSPSURF(0), SURF2_GM);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), SURF2_GM);
	flips = rd(gs, HSW_PIPE_FLIPCOUNT(0));
	/* No time has passed and no vblank happened. */
	assert_int_equal(gensim_now_ns(gs), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 0);
	pipe_enable(gs, 0, true);
	expect_shows(gs, 0, 16, 8, 1000, true);
	/* Nothing is left armed: the next vblank does not flip again. */
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 1);
	assert_int_equal(rd(gs, HSW_PIPE_FLIPCOUNT(0)), flips);
	assert_int_equal(rd(gs, HSW_DSPSURFLIVE(0)), SURF2_GM);
	scan_ok(gs, 0, &img, 16, 8);
	gensim_image_release(&img);
	gensim_destroy(gs);
}

/* ---- Counters and time -------------------------------------------------------------- */

static void test_frame_counter(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint64_t vb0;

	(void)state;
	pipe_enable(gs, 0, true);
	vb0 = stats(gs).vblanks;
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 0);
	assert_int_equal(gensim_next_event_ns(gs), VBLANK_NS);
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS - 1), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 0);
	assert_int_equal(gensim_advance_time(gs, 1), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 1);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(gensim_advance_time(gs, VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 5);
	/* One big jump over five frames counts all five. */
	assert_int_equal(gensim_advance_time(gs, 5 * VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 10);
	assert_int_equal(stats(gs).vblanks - vb0, 10);
	assert_int_equal(gensim_now_ns(gs), 10 * VBLANK_NS);
	assert_int_equal(gensim_next_event_ns(gs), VBLANK_NS);
	/* A jump that ends mid-frame. */
	assert_int_equal(gensim_advance_time(gs, 3 * VBLANK_NS + VBLANK_NS / 2), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 13);
	assert_int_equal(gensim_next_event_ns(gs), VBLANK_NS - VBLANK_NS / 2);
	/* A pipe that is off does not count. */
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(1)), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(2)), 0);
	pipe_enable(gs, 0, false);
	assert_int_equal(gensim_advance_time(gs, 4 * VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 13);
	gensim_destroy(gs);
}

static void test_frame_counter_ten_frames_at_once(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	pipe_enable(gs, 1, true);
	assert_int_equal(gensim_advance_time(gs, 10 * VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(1)), 10);
	assert_int_equal(gensim_advance_time(gs, 10 * VBLANK_NS), 0);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(1)), 20);
	assert_int_equal(rd(gs, HSW_PIPE_FRMCOUNT(0)), 0);
	gensim_destroy(gs);
}

static void test_next_event(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	assert_int_equal(gensim_next_event_ns(gs), UINT64_MAX);
	assert_int_equal(gensim_advance_time(gs, 3 * VBLANK_NS), 0);
	assert_int_equal(gensim_next_event_ns(gs), UINT64_MAX);
	pipe_enable(gs, 2, true);
	assert_true(gensim_next_event_ns(gs) <= VBLANK_NS);
	assert_true(gensim_next_event_ns(gs) > 0);
	assert_int_equal(gensim_next_event_ns(gs), VBLANK_NS);  /* now is on a frame boundary */
	assert_int_equal(gensim_advance_time(gs, 1000), 0);
	assert_int_equal(gensim_next_event_ns(gs), VBLANK_NS - 1000);
	pipe_enable(gs, 2, false);
	assert_int_equal(gensim_next_event_ns(gs), UINT64_MAX);
	/* PIPECONF without the enable bit does not count as on. */
	wr(gs, HSW_PIPECONF(0), 0x40000000u | 0x10u);
	assert_int_equal(gensim_next_event_ns(gs), UINT64_MAX);
	gensim_destroy(gs);
}

static void test_pipedsl_grows_within_frame(void **state)
{
	const uint32_t vtotal = 1125;
	struct gensim *gs = harness_create(NULL);
	uint32_t prev, dsl;

	(void)state;
	wr(gs, HSW_VTOTAL(0), ((vtotal - 1u) << 16) | 1079u);
	assert_int_equal(rd(gs, HSW_PIPEDSL(0)), 0);    /* pipe off */
	pipe_enable(gs, 0, true);
	prev = rd(gs, HSW_PIPEDSL(0));
	assert_true(prev < 5);
	for (unsigned i = 1; i < 8; i++) {
		assert_int_equal(gensim_advance_time(gs, VBLANK_NS / 8), 0);
		dsl = rd(gs, HSW_PIPEDSL(0));
		assert_true(dsl > prev);
		assert_true(dsl < vtotal);
		prev = dsl;
	}
	/* Seven eighths into the frame. */
	assert_in_range(prev, vtotal * 7 / 8 - 3, vtotal * 7 / 8 + 3);
	/* Past the vblank the count starts again. */
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS / 8 + 1000), 0);
	dsl = rd(gs, HSW_PIPEDSL(0));
	assert_true(dsl < prev);
	assert_true(dsl < 5);
	/* Half way through the next frame. */
	assert_int_equal(gensim_advance_time(gs, VBLANK_NS / 2 - 1000), 0);
	assert_in_range(rd(gs, HSW_PIPEDSL(0)), vtotal / 2 - 3, vtotal / 2 + 3);
	gensim_destroy(gs);
}

/* ---- Aperture: linear ---------------------------------------------------------------- */

static void test_aperture_linear(void **state)
{
	const uint64_t off = 0x300000u - 100u;
	const size_t len = 10000;       /* three pages */
	struct gensim *gs = harness_create(NULL);
	uint8_t *data = xmalloc(len), *back = xmalloc(len);

	(void)state;
	for (size_t i = 0; i < len; i++)
		data[i] = (uint8_t)(i * 13u + 7u);
	mem_zero(gs, off - 64, len + 128);
	assert_int_equal(gensim_aperture_write(gs, off, data, len), 0);
	expect_mem(gs, off, data, len);
	assert_int_equal(mem32(gs, off - 4), 0);
	assert_int_equal(mem32(gs, off + len), 0);
	memset(back, 0, len);
	assert_int_equal(gensim_aperture_read(gs, off, back, len), 0);
	assert_memory_equal(back, data, len);
	/* Memory written behind the aperture's back is seen through it. */
	put32(gs, 0x123450u, 0xA5A55A5Au);
	assert_int_equal(gensim_aperture_read(gs, 0x123450u, back, 4), 0);
	assert_int_equal(back[0] | back[1] << 8 | back[2] << 16 | (uint32_t)back[3] << 24, 0xA5A55A5Au);
	free(data);
	free(back);
	gensim_destroy(gs);
}

static void test_aperture_remapped_page(void **state)
{
	const uint32_t gm = 0x440000u;
	uint8_t data[32], back[32];
	struct gensim *gs = harness_create(NULL);
	uint8_t *orig;

	(void)state;
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xC0u + i);
	mem_zero(gs, REMAP_PA, 4096);
	orig = mem_snapshot(gs, gm, 8192);
	/* Graphics page gm now points at machine page REMAP_PA. */
	assert_int_equal(gensim_gtt_write(gs, gm >> 12, HSW_PTE_ENCODE(REMAP_PA) | HSW_PTE_VALID), 0);
	/* 16 bytes at the end of the remapped page, 16 at the start of the next (identity) page. */
	assert_int_equal(gensim_aperture_write(gs, gm + 4096u - 16u, data, 32), 0);
	expect_mem(gs, REMAP_PA + 4096u - 16u, data, 16);
	expect_mem(gs, gm + 4096u, data + 16, 16);
	expect_mem(gs, gm, orig, 4096);                 /* the identity page is untouched */
	assert_int_equal(mem32(gs, REMAP_PA + 4096u - 20u), 0);
	assert_int_equal(gensim_aperture_read(gs, gm + 4096u - 16u, back, 32), 0);
	assert_memory_equal(back, data, 32);
	/* And in the middle of the page. */
	assert_int_equal(gensim_aperture_write(gs, gm + 0x800u, data, 8), 0);
	expect_mem(gs, REMAP_PA + 0x800u, data, 8);
	expect_mem(gs, gm, orig, 4096);
	free(orig);
	gensim_destroy(gs);
}

static void test_aperture_out_of_range(void **state)
{
	struct gensim *gs = harness_create(NULL);
	const uint64_t size = gensim_aperture_size(gs);
	const uint64_t last = size - 4096u;
	const uint8_t ones[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t buf[8];

	(void)state;
	assert_int_equal(size, 64ull << 20);
	/* Map the aperture's last page to machine memory at 40 MiB. */
	assert_int_equal(gensim_gtt_write(gs, (uint32_t)(last >> 12),
					  HSW_PTE_ENCODE(40ull << 20) | HSW_PTE_VALID), 0);
	mem_zero(gs, 40ull << 20, 4096);

	assert_int_equal(gensim_aperture_write(gs, size, ones, 1), -EFAULT);
	assert_int_equal(gensim_aperture_read(gs, size, buf, 1), -EFAULT);
	assert_int_equal(gensim_aperture_write(gs, size - 4u, ones, 8), -EFAULT);
	assert_int_equal(gensim_aperture_read(gs, size - 4u, buf, 8), -EFAULT);
	assert_int_equal(gensim_aperture_write(gs, size + 4096u, ones, 4), -EFAULT);
	assert_int_equal(gensim_aperture_write(gs, UINT64_MAX, ones, 1), -EFAULT);
	assert_int_equal(gensim_aperture_write(gs, UINT64_MAX - 2u, ones, 4), -EFAULT);
	assert_int_equal(gensim_aperture_read(gs, 4, buf, SIZE_MAX), -EFAULT);
	assert_int_equal(gensim_aperture_read(gs, 0, buf, (size_t)size + 1u), -EFAULT);
	/* A refused access writes nothing, not even the part that would fit. */
	assert_int_equal(mem32(gs, (40ull << 20) + 4092u), 0);

	/* The very last bytes are in range. */
	assert_int_equal(gensim_aperture_write(gs, size - 4u, ones, 4), 0);
	assert_int_equal(mem32(gs, (40ull << 20) + 4092u), 0x04030201u);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(gensim_aperture_read(gs, size - 4u, buf, 4), 0);
	assert_memory_equal(buf, ones, 4);
	gensim_destroy(gs);
}

/* ---- Aperture: fences ---------------------------------------------------------------- */

static void fence_set(struct gensim *gs, unsigned i, uint32_t start, uint32_t size, uint32_t pitch,
		      bool ytiled)
{
	/* The order i915 uses: LO off, HI, then LO with the valid bit. */
	wr(gs, HSW_FENCE_LO(i), 0);
	wr(gs, HSW_FENCE_HI(i), (start + size - 4096u) | (pitch / 128u - 1u));
	wr(gs, HSW_FENCE_LO(i), start | (ytiled ? HSW_FENCE_TILING_Y : 0) | HSW_FENCE_VALID);
}

static uint8_t lin(uint32_t x, uint32_t y, uint32_t salt)
{
	return (uint8_t)((x * 7u) ^ (y * 29u) ^ ((x >> 7) * 53u) ^ salt);
}

static void check_fence(bool ytiled, unsigned idx, uint32_t start, uint32_t pitch, uint32_t rows)
{
	const uint32_t size = pitch * rows;
	const size_t rlen = (size_t)size + 2u * 4096u;  /* a page of margin either side */
	struct gensim *gs = harness_create(NULL);
	uint8_t *want = calloc(1, rlen), *row = xmalloc(pitch), *img = xmalloc(size);

	assert_non_null(want);
	assert_int_equal(size % 4096u, 0);
	mem_zero(gs, start - 4096u, rlen);
	fence_set(gs, idx, start, size, pitch, ytiled);

	/* Linear rows through the aperture. */
	for (uint32_t y = 0; y < rows; y++) {
		for (uint32_t x = 0; x < pitch; x++) {
			row[x] = lin(x, y, 0x5A);
			want[4096u + (ytiled ? ytile_off(pitch, x, y) : xtile_off(pitch, x, y))] = row[x];
		}
		assert_int_equal(gensim_aperture_write(gs, start + (uint64_t)y * pitch, row, pitch), 0);
	}
	expect_mem(gs, start - 4096u, want, rlen);

	/* Reading back through the fence gives the linear image, in one access. */
	assert_int_equal(gensim_aperture_read(gs, start, img, size), 0);
	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t x = 0; x < pitch; x++)
			if (img[(size_t)y * pitch + x] != lin(x, y, 0x5A)) {
				print_error("aperture read (%u, %u): got 0x%02x\n", x, y,
					    img[(size_t)y * pitch + x]);
				fail();
			}

	/* One write of the whole surface, then the same check. */
	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t x = 0; x < pitch; x++) {
			img[(size_t)y * pitch + x] = lin(x, y, 0xA7);
			want[4096u + (ytiled ? ytile_off(pitch, x, y) : xtile_off(pitch, x, y))] =
				lin(x, y, 0xA7);
		}
	assert_int_equal(gensim_aperture_write(gs, start, img, size), 0);
	expect_mem(gs, start - 4096u, want, rlen);

	/* Just past the fence the aperture is linear again. */
	assert_int_equal(gensim_aperture_write(gs, start + size, "\x11\x22\x33\x44", 4), 0);
	assert_int_equal(mem32(gs, start + size), 0x44332211u);
	assert_int_equal(gensim_aperture_write(gs, start - 4u, "\x55\x66\x77\x88", 4), 0);
	assert_int_equal(mem32(gs, start - 4u), 0x88776655u);

	/* With the fence off, the same offset is linear. */
	wr(gs, HSW_FENCE_LO(idx), start);
	assert_int_equal(gensim_aperture_write(gs, start + pitch + 16u, "\x99\xAA\xBB\xCC", 4), 0);
	assert_int_equal(mem32(gs, start + pitch + 16u), 0xCCBBAA99u);
	free(want);
	free(row);
	free(img);
	gensim_destroy(gs);
}

static void test_aperture_fence_x_detiles(void **state)
{
	(void)state;
	/* Two tiles per row, four tile rows: 32 KiB. */
	check_fence(false, 5, FENCE_X_GM, 1024, 32);
	/* Three tiles per row (pitch 1536), two tile rows. */
	check_fence(false, 0, FENCE_X_GM, 1536, 16);
}

static void test_aperture_fence_y_detiles(void **state)
{
	(void)state;
	/* Two Y tiles per row, two tile rows: 16 KiB. */
	check_fence(true, 31, FENCE_Y_GM, 256, 64);
	/* Five Y tiles per row (pitch 640), one tile row. */
	check_fence(true, 7, FENCE_Y_GM, 640, 32);
}

/* Literal positions, so that the expectation does not rest on the helpers alone. */
static void test_aperture_fence_literal_positions(void **state)
{
	static const struct { uint32_t x, y, off; } xlit[] = {
		{ 0, 0, 0 }, { 511, 0, 511 }, { 512, 0, 4096 }, { 0, 1, 512 },
		{ 5, 7, 7 * 512 + 5 }, { 0, 8, 8192 }, { 600, 9, 12288 + 512 + 88 },
	};
	static const struct { uint32_t x, y, off; } ylit[] = {
		{ 0, 0, 0 }, { 15, 0, 15 }, { 16, 0, 512 }, { 0, 1, 16 }, { 17, 2, 512 + 32 + 1 },
		{ 127, 31, 7 * 512 + 31 * 16 + 15 }, { 128, 0, 4096 }, { 0, 32, 8192 },
	};
	struct gensim *gs = harness_create(NULL);

	(void)state;
	mem_zero(gs, FENCE_X_GM, 16384);
	mem_zero(gs, FENCE_Y_GM, 16384);
	fence_set(gs, 2, FENCE_X_GM, 16384, 1024, false);
	fence_set(gs, 3, FENCE_Y_GM, 16384, 256, true);
	for (size_t i = 0; i < sizeof(xlit) / sizeof(xlit[0]); i++) {
		uint8_t v = (uint8_t)(0x80u + i), got = 0;

		assert_int_equal(xtile_off(1024, xlit[i].x, xlit[i].y), xlit[i].off);
		assert_int_equal(gensim_aperture_write(gs, FENCE_X_GM + xlit[i].y * 1024u + xlit[i].x,
						       &v, 1), 0);
		assert_int_equal(gensim_mem_read(gs, FENCE_X_GM + xlit[i].off, &got, 1), 0);
		assert_int_equal(got, v);
	}
	for (size_t i = 0; i < sizeof(ylit) / sizeof(ylit[0]); i++) {
		uint8_t v = (uint8_t)(0x40u + i), got = 0;

		assert_int_equal(ytile_off(256, ylit[i].x, ylit[i].y), ylit[i].off);
		assert_int_equal(gensim_aperture_write(gs, FENCE_Y_GM + ylit[i].y * 256u + ylit[i].x,
						       &v, 1), 0);
		assert_int_equal(gensim_mem_read(gs, FENCE_Y_GM + ylit[i].off, &got, 1), 0);
		assert_int_equal(got, v);
	}
	/* An 8-byte write across an X-tile column boundary lands in two tiles. */
	assert_int_equal(gensim_aperture_write(gs, FENCE_X_GM + 9u * 1024u + 508u,
					       "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);
	assert_int_equal(mem32(gs, FENCE_X_GM + 8192u + 512u + 508u), 0x04030201u);
	assert_int_equal(mem32(gs, FENCE_X_GM + 8192u + 4096u + 512u), 0x08070605u);
	/* A 4-byte write across a Y-tile OWord column boundary. */
	assert_int_equal(gensim_aperture_write(gs, FENCE_Y_GM + 3u * 256u + 14u, "\x0A\x0B\x0C\x0D", 4), 0);
	{
		uint8_t got[4];

		assert_int_equal(gensim_mem_read(gs, FENCE_Y_GM + 3u * 16u + 14u, got, 2), 0);
		assert_int_equal(gensim_mem_read(gs, FENCE_Y_GM + 512u + 3u * 16u, got + 2, 2), 0);
		assert_memory_equal(got, "\x0A\x0B\x0C\x0D", 4);
	}
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scanout_bad_pipe),
		cmocka_unit_test(test_scanout_pipe_disabled),
		cmocka_unit_test(test_scanout_plane_disabled),
		cmocka_unit_test(test_scanout_unsupported_format),
		cmocka_unit_test(test_scanout_nonpresent_pte),
		cmocka_unit_test(test_scanout_xrgb8888),
		cmocka_unit_test(test_scanout_xbgr8888),
		cmocka_unit_test(test_scanout_rgb565),
		cmocka_unit_test(test_scanout_pipesrc_orientation),
		cmocka_unit_test(test_scanout_xtiled),
		cmocka_unit_test(test_flip_latches_at_vblank_pipe_a),
		cmocka_unit_test(test_flip_latches_at_vblank_pipe_b),
		cmocka_unit_test(test_flip_irq_bits_per_pipe),
		cmocka_unit_test(test_dspsurf_latches_at_once_with_pipe_off),
		cmocka_unit_test(test_frame_counter),
		cmocka_unit_test(test_frame_counter_ten_frames_at_once),
		cmocka_unit_test(test_next_event),
		cmocka_unit_test(test_pipedsl_grows_within_frame),
		cmocka_unit_test(test_aperture_linear),
		cmocka_unit_test(test_aperture_remapped_page),
		cmocka_unit_test(test_aperture_out_of_range),
		cmocka_unit_test(test_aperture_fence_x_detiles),
		cmocka_unit_test(test_aperture_fence_y_detiles),
		cmocka_unit_test(test_aperture_fence_literal_positions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

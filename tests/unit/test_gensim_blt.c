/* SPDX-License-Identifier: MIT */
/*
 * gensim blitter (BCS): XY_COLOR_BLT and XY_SRC_COPY_BLT at 8, 16 and
 * 32 bpp, write enables, ROPs that read the destination, pitches
 * (different, negative, X-tiled in dwords), overlapping copies, faults and
 * the command errors of the 2D client.
 *
 * Every check compares a whole memory region (the surface plus margins)
 * against an image the test computes itself from a snapshot taken before
 * the blit, so a single stray byte anywhere makes a test fail.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define RING_GM    0x10000u
#define RING_SIZE  0x4000u
#define HWSP_GM    0x20000u
#define SURF_GM    0x100000u
#define SURF2_GM   0x180000u
#define TILED_GM   0x200000u
#define FAULT_GM   0x300000u

#define XTILE_W    512u
#define XTILE_H    8u
#define TILE_BYTES 4096u

/* ---- Helpers ---------------------------------------------------------------- */

static struct gensim *setup_bcs(struct harness_ring *r)
{
	struct gensim *gs = harness_create(NULL);

	ring_init(gs, r, GENSIM_BCS, RING_GM, RING_SIZE, HWSP_GM);
	return gs;
}

static uint8_t *xmalloc(size_t len)
{
	uint8_t *p = malloc(len);

	assert_non_null(p);
	return p;
}

/* Fills machine memory with a byte pattern that no blit in this file produces by chance. */
static void mem_pattern(struct gensim *gs, uint64_t pa, size_t len, uint32_t seed)
{
	uint8_t *b = xmalloc(len);

	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)((i * 31u + seed * 7u + (i >> 8) * 3u + 0x5Bu) & 0xFFu);
	assert_int_equal(gensim_mem_write(gs, pa, b, len), 0);
	free(b);
}

static uint8_t *mem_snapshot(struct gensim *gs, uint64_t pa, size_t len)
{
	uint8_t *b = xmalloc(len);

	assert_int_equal(gensim_mem_read(gs, pa, b, len), 0);
	return b;
}

/* Compares machine memory with @want and reports the first difference. */
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

static uint32_t px_read(const uint8_t *img, size_t off, unsigned cpp)
{
	uint32_t v = 0;

	memcpy(&v, img + off, cpp);
	return v;
}

static void px_write(uint8_t *img, size_t off, unsigned cpp, uint32_t v)
{
	memcpy(img + off, &v, cpp);
}

/* Byte offset of (xbyte, y) in an X-tiled surface, from the tile geometry. */
static size_t xtile_off(uint32_t pitch, uint32_t xbyte, uint32_t y)
{
	size_t tile = (size_t)(y / XTILE_H) * (pitch / XTILE_W) + xbyte / XTILE_W;

	return tile * TILE_BYTES + (size_t)(y % XTILE_H) * XTILE_W + xbyte % XTILE_W;
}

static void color_blt(uint32_t *c, uint32_t flags, uint32_t br13, uint32_t x1, uint32_t y1,
		      uint32_t x2, uint32_t y2, uint32_t dst, uint32_t color)
{
	c[0] = HSW_XY_COLOR_BLT | flags;
	c[1] = br13;
	c[2] = (y1 << 16) | x1;
	c[3] = (y2 << 16) | x2;
	c[4] = dst;
	c[5] = color;
}

static void copy_blt(uint32_t *c, uint32_t flags, uint32_t br13, uint32_t x1, uint32_t y1,
		     uint32_t x2, uint32_t y2, uint32_t dst, uint32_t sx, uint32_t sy,
		     uint32_t src_pitch, uint32_t src)
{
	c[0] = HSW_XY_SRC_COPY_BLT | flags;
	c[1] = br13;
	c[2] = (y1 << 16) | x1;
	c[3] = (y2 << 16) | x2;
	c[4] = dst;
	c[5] = (sy << 16) | sx;
	c[6] = src_pitch & 0xFFFFu;
	c[7] = src;
}

static uint32_t br13(uint32_t depth, uint32_t rop, int32_t pitch)
{
	return depth | (rop << HSW_BR13_ROP_SHIFT) | ((uint32_t)pitch & 0xFFFFu);
}

static void expect_running(struct gensim *gs)
{
	struct gensim_engine_state st = engine_state(gs, GENSIM_BCS);

	assert_false(st.halted);
	assert_true(st.idle);
	assert_int_equal(st.eir, 0);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_BCS_BASE)), 0);
}

/*
 * Solid fill of [x1,x2) x [y1,y2) on a linear surface of @rows rows, checked
 * over the surface plus one pitch of margin on either side.
 */
static void check_fill(unsigned cpp, uint32_t depth, uint32_t color)
{
	const uint32_t pitch = 256, rows = 32, x1 = 5, y1 = 3, x2 = 21, y2 = 11;
	const uint64_t region = SURF_GM - pitch;
	const size_t len = (size_t)(rows + 2) * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];
	uint8_t *want;

	mem_pattern(gs, region, len, cpp);
	want = mem_snapshot(gs, region, len);
	for (uint32_t y = y1; y < y2; y++)
		for (uint32_t x = x1; x < x2; x++)
			px_write(want, pitch + (size_t)y * pitch + (size_t)x * cpp, cpp, color);

	color_blt(cmd, cpp == 4 ? HSW_BLT_WRITE_RGBA : 0, br13(depth, HSW_ROP_PATCOPY, pitch),
		  x1, y1, x2, y2, SURF_GM, color);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, region, want, len);

	/* Spot checks that do not depend on the model above. */
	assert_int_equal(px_read(want, pitch + 3u * pitch + 5u * cpp, cpp), color);
	assert_int_equal(mem32(gs, SURF_GM + 3u * pitch + 5u * cpp) & (cpp == 4 ? ~0u : (1u << (8 * cpp)) - 1),
			 color);
	free(want);
	gensim_destroy(gs);
}

/* ---- XY_COLOR_BLT ----------------------------------------------------------- */

static void test_color_fill_32bpp(void **state)
{
	(void)state;
	check_fill(4, HSW_BR13_32BPP, 0x89ABCDEFu);
}

static void test_color_fill_16bpp(void **state)
{
	(void)state;
	check_fill(2, HSW_BR13_565, 0xF00Du);
}

static void test_color_fill_16bpp_1555(void **state)
{
	(void)state;
	check_fill(2, HSW_BR13_1555, 0x8421u);
}

static void test_color_fill_8bpp(void **state)
{
	(void)state;
	check_fill(1, HSW_BR13_8BPP, 0xC3u);
}

/* Colour bits above the depth are not written (only cpp bytes per pixel). */
static void test_color_fill_16bpp_ignores_high_color_bits(void **state)
{
	const uint32_t pitch = 64;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];
	uint8_t *want;

	(void)state;
	mem_pattern(gs, SURF_GM, 4u * pitch, 9);
	want = mem_snapshot(gs, SURF_GM, 4u * pitch);
	for (uint32_t x = 1; x < 4; x++)
		px_write(want, pitch + x * 2u, 2, 0x1234u);
	color_blt(cmd, 0, br13(HSW_BR13_565, HSW_ROP_PATCOPY, pitch), 1, 1, 4, 2, SURF_GM,
		  0xABCD1234u);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, SURF_GM, want, 4u * pitch);
	free(want);
	gensim_destroy(gs);
}

static void test_color_empty_rects_write_nothing(void **state)
{
	static const uint32_t rects[][4] = {
		{ 10, 4, 10, 9 },       /* x2 == x1 */
		{ 12, 4, 3, 9 },        /* x2 < x1 */
		{ 2, 6, 20, 6 },        /* y2 == y1 */
		{ 2, 8, 20, 1 },        /* y2 < y1 */
		{ 30, 30, 0, 0 },       /* both */
	};
	const uint32_t pitch = 256;
	const size_t len = 40u * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint64_t bytes0 = stats(gs).blit_bytes;
	uint8_t *want;

	(void)state;
	mem_pattern(gs, SURF_GM, len, 3);
	want = mem_snapshot(gs, SURF_GM, len);
	for (size_t i = 0; i < sizeof(rects) / sizeof(rects[0]); i++) {
		uint32_t cmd[6];

		color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, pitch),
			  rects[i][0], rects[i][1], rects[i][2], rects[i][3], SURF_GM, 0xFFFFFFFFu);
		ring_submit(gs, &r, cmd, 6);
		expect_running(gs);
	}
	/* Same at 8 bpp with a ROP that reads the destination. */
	{
		uint32_t cmd[6];

		color_blt(cmd, 0, br13(HSW_BR13_8BPP, 0x55, pitch), 7, 7, 7, 20, SURF_GM, 0);
		ring_submit(gs, &r, cmd, 6);
		expect_running(gs);
	}
	expect_mem(gs, SURF_GM, want, len);
	assert_int_equal(stats(gs).blit_bytes, bytes0);
	assert_int_equal(engine_state(gs, GENSIM_BCS).commands, 6);
	free(want);
	gensim_destroy(gs);
}

static void check_write_enable(uint32_t enables, uint32_t keep_mask)
{
	const uint32_t pitch = 128, rows = 8, x1 = 2, y1 = 1, x2 = 9, y2 = 6;
	const uint32_t color = 0xA1B2C3D4u;
	const size_t len = (size_t)rows * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];
	uint8_t *want;

	mem_pattern(gs, SURF_GM, len, 21);
	want = mem_snapshot(gs, SURF_GM, len);
	for (uint32_t y = y1; y < y2; y++)
		for (uint32_t x = x1; x < x2; x++) {
			size_t off = (size_t)y * pitch + x * 4u;
			uint32_t d = px_read(want, off, 4);

			px_write(want, off, 4, (d & keep_mask) | (color & ~keep_mask));
		}
	color_blt(cmd, enables, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, pitch), x1, y1, x2, y2,
		  SURF_GM, color);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, SURF_GM, want, len);
	free(want);
	gensim_destroy(gs);
}

static void test_color_write_rgb_only(void **state)
{
	(void)state;
	check_write_enable(HSW_BLT_WRITE_RGB, 0xFF000000u);
}

static void test_color_write_alpha_only(void **state)
{
	(void)state;
	check_write_enable(HSW_BLT_WRITE_ALPHA, 0x00FFFFFFu);
}

/* Explicit values, so that the expectation does not hinge on the model above. */
static void test_color_write_enable_values(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[12];

	(void)state;
	put32(gs, SURF_GM, 0x11223344u);
	put32(gs, SURF_GM + 64, 0x11223344u);
	color_blt(cmd, HSW_BLT_WRITE_RGB, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 64), 0, 0, 1, 1,
		  SURF_GM, 0xAABBCCDDu);
	color_blt(cmd + 6, HSW_BLT_WRITE_ALPHA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 64), 0, 1, 1, 2,
		  SURF_GM, 0xAABBCCDDu);
	ring_submit(gs, &r, cmd, 12);
	expect_running(gs);
	assert_int_equal(mem32(gs, SURF_GM), 0x11BBCCDDu);
	assert_int_equal(mem32(gs, SURF_GM + 64), 0xAA223344u);
	gensim_destroy(gs);
}

/* A ROP that reads the destination: the result depends on each pixel's old value. */
static void check_rop(unsigned cpp, uint32_t depth, uint32_t rop, uint32_t color)
{
	const uint32_t pitch = 128, rows = 10, x1 = 3, y1 = 2, x2 = 17, y2 = 8;
	const size_t len = (size_t)rows * pitch;
	const uint32_t full = cpp == 4 ? ~0u : (1u << (8 * cpp)) - 1;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];
	uint8_t *want;

	mem_pattern(gs, SURF_GM, len, 40 + cpp);
	want = mem_snapshot(gs, SURF_GM, len);
	for (uint32_t y = y1; y < y2; y++)
		for (uint32_t x = x1; x < x2; x++) {
			size_t off = (size_t)y * pitch + (size_t)x * cpp;
			uint32_t d = px_read(want, off, cpp), v;

			if (rop == 0x5A)
				v = (color ^ d) & full;         /* PATINVERT: P xor D */
			else if (rop == 0x55)
				v = ~d & full;                  /* DSTINVERT: not D */
			else if (rop == 0xAA)
				v = d;                          /* D: no-op */
			else
				v = 0;                          /* BLACKNESS */
			px_write(want, off, cpp, v);
		}
	color_blt(cmd, cpp == 4 ? HSW_BLT_WRITE_RGBA : 0, br13(depth, rop, pitch), x1, y1, x2, y2,
		  SURF_GM, color);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, SURF_GM, want, len);
	free(want);
	gensim_destroy(gs);
}

static void test_rop_pattern_xor_dest_32bpp(void **state)
{
	(void)state;
	check_rop(4, HSW_BR13_32BPP, 0x5A, 0x0F0FF0F0u);
}

static void test_rop_pattern_xor_dest_16bpp(void **state)
{
	(void)state;
	check_rop(2, HSW_BR13_565, 0x5A, 0xFFFF5AA5u);
}

static void test_rop_not_dest_8bpp(void **state)
{
	(void)state;
	check_rop(1, HSW_BR13_8BPP, 0x55, 0x12u);
}

static void test_rop_not_dest_32bpp(void **state)
{
	(void)state;
	check_rop(4, HSW_BR13_32BPP, 0x55, 0u);
}

static void test_rop_blackness_and_nop(void **state)
{
	(void)state;
	check_rop(4, HSW_BR13_32BPP, 0x00, 0xFFFFFFFFu);
	check_rop(2, HSW_BR13_565, 0xAA, 0xFFFFu);
}

/* Known values for PATINVERT and DSTINVERT. */
static void test_rop_values(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[12];

	(void)state;
	put32(gs, SURF_GM, 0x12345678u);
	put32(gs, SURF_GM + 4, 0xDEADBEEFu);
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, 0x5A, 64), 0, 0, 1, 1, SURF_GM,
		  0xFF00FF00u);
	color_blt(cmd + 6, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, 0x55, 64), 1, 0, 2, 1, SURF_GM,
		  0x12345678u);
	ring_submit(gs, &r, cmd, 12);
	expect_running(gs);
	assert_int_equal(mem32(gs, SURF_GM), 0xED34A978u);
	assert_int_equal(mem32(gs, SURF_GM + 4), 0x21524110u);
	gensim_destroy(gs);
}

/* ---- XY_SRC_COPY_BLT -------------------------------------------------------- */

static void test_src_copy_different_pitches(void **state)
{
	const uint32_t spitch = 512, dpitch = 1024, rows = 24;
	const uint32_t sx = 3, sy = 4, dx = 7, dy = 2, w = 20, h = 10;
	const size_t slen = (size_t)rows * spitch, dlen = (size_t)(rows + 2) * dpitch;
	const uint64_t dregion = SURF2_GM - dpitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *src, *want;
	uint32_t cmd[8];

	(void)state;
	mem_pattern(gs, SURF_GM, slen, 1);
	mem_pattern(gs, dregion, dlen, 2);
	src = mem_snapshot(gs, SURF_GM, slen);
	want = mem_snapshot(gs, dregion, dlen);
	for (uint32_t y = 0; y < h; y++)
		memcpy(want + dpitch + (size_t)(dy + y) * dpitch + dx * 4u,
		       src + (size_t)(sy + y) * spitch + sx * 4u, w * 4u);
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, (int32_t)dpitch),
		 dx, dy, dx + w, dy + h, SURF2_GM, sx, sy, spitch, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	expect_running(gs);
	expect_mem(gs, dregion, want, dlen);
	expect_mem(gs, SURF_GM, src, slen);     /* the source is untouched */
	free(src);
	free(want);
	gensim_destroy(gs);
}

static void test_src_copy_16bpp_and_8bpp(void **state)
{
	const uint32_t pitch = 200, rows = 16;
	const size_t len = (size_t)rows * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *src, *want;
	uint32_t cmd[16];

	(void)state;
	mem_pattern(gs, SURF_GM, len, 5);
	mem_pattern(gs, SURF2_GM, len, 6);
	src = mem_snapshot(gs, SURF_GM, len);
	want = mem_snapshot(gs, SURF2_GM, len);
	/* 16 bpp: 9 x 4 pixels from (1, 2) to (30, 0) */
	for (uint32_t y = 0; y < 4; y++)
		memcpy(want + (size_t)y * pitch + 30u * 2u, src + (size_t)(2 + y) * pitch + 1u * 2u, 18);
	/* 8 bpp: 13 x 3 pixels from (5, 10) to (101, 7) */
	for (uint32_t y = 0; y < 3; y++)
		memcpy(want + (size_t)(7 + y) * pitch + 101u, src + (size_t)(10 + y) * pitch + 5u, 13);
	copy_blt(cmd, 0, br13(HSW_BR13_565, HSW_ROP_SRCCOPY, (int32_t)pitch),
		 30, 0, 39, 4, SURF2_GM, 1, 2, pitch, SURF_GM);
	copy_blt(cmd + 8, 0, br13(HSW_BR13_8BPP, HSW_ROP_SRCCOPY, (int32_t)pitch),
		 101, 7, 114, 10, SURF2_GM, 5, 10, pitch, SURF_GM);
	ring_submit(gs, &r, cmd, 16);
	expect_running(gs);
	expect_mem(gs, SURF2_GM, want, len);
	free(src);
	free(want);
	gensim_destroy(gs);
}

/* Copy within one 32 bpp surface; the result must be as if read before any write. */
static void check_overlap(uint32_t sx, uint32_t sy, uint32_t dx, uint32_t dy, uint32_t w, uint32_t h)
{
	const uint32_t pitch = 256, rows = 32;
	const size_t len = (size_t)rows * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *orig, *want;
	uint32_t cmd[8];

	/* Every pixel distinct, so a row copied twice shows. */
	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t x = 0; x < pitch / 4u; x++)
			put32(gs, SURF_GM + (uint64_t)y * pitch + x * 4u, 0xAB000000u | (y << 8) | x);
	orig = mem_snapshot(gs, SURF_GM, len);
	want = mem_snapshot(gs, SURF_GM, len);
	for (uint32_t y = 0; y < h; y++)
		memcpy(want + (size_t)(dy + y) * pitch + dx * 4u,
		       orig + (size_t)(sy + y) * pitch + sx * 4u, w * 4u);
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, (int32_t)pitch),
		 dx, dy, dx + w, dy + h, SURF_GM, sx, sy, pitch, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	expect_running(gs);
	expect_mem(gs, SURF_GM, want, len);
	/* The last destination row holds the last source row, from before the copy. */
	assert_int_equal(mem32(gs, SURF_GM + (uint64_t)(dy + h - 1) * pitch + dx * 4u),
			 0xAB000000u | ((sy + h - 1) << 8) | sx);
	free(orig);
	free(want);
	gensim_destroy(gs);
}

static void test_src_copy_overlap_dst_below(void **state)
{
	(void)state;
	check_overlap(2, 0, 6, 3, 20, 10);      /* rows 0..9 to 3..12 */
	check_overlap(4, 5, 4, 6, 30, 20);      /* one row down, same columns */
}

static void test_src_copy_overlap_dst_above(void **state)
{
	(void)state;
	check_overlap(6, 5, 2, 1, 20, 10);      /* rows 5..14 to 1..10 */
	check_overlap(4, 6, 4, 5, 30, 20);      /* one row up, same columns */
}

/* Overlap with a ROP that reads the destination goes through the same ordering. */
static void test_src_copy_overlap_with_rop(void **state)
{
	const uint32_t pitch = 128, rows = 16, w = 8, h = 10, sy = 0, dy = 2, x = 1;
	const size_t len = (size_t)rows * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *orig, *want;
	uint32_t cmd[8];

	(void)state;
	mem_pattern(gs, SURF_GM, len, 77);
	orig = mem_snapshot(gs, SURF_GM, len);
	want = mem_snapshot(gs, SURF_GM, len);
	/* ROP 0x66 = S xor D; process rows bottom-up like the hardware must. */
	for (uint32_t i = 0; i < h; i++) {
		uint32_t yy = h - 1 - i;

		for (uint32_t k = 0; k < w; k++) {
			size_t d = (size_t)(dy + yy) * pitch + (x + k) * 4u;
			size_t s = (size_t)(sy + yy) * pitch + (x + k) * 4u;

			px_write(want, d, 4, px_read(want, d, 4) ^ px_read(orig, s, 4));
		}
	}
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, 0x66, (int32_t)pitch),
		 x, dy, x + w, dy + h, SURF_GM, x, sy, pitch, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	expect_running(gs);
	expect_mem(gs, SURF_GM, want, len);
	free(orig);
	free(want);
	gensim_destroy(gs);
}

/* ---- Negative pitch ----------------------------------------------------------- */

static void test_negative_pitch_draws_upward(void **state)
{
	const uint32_t pitch = 256, rows = 6, x1 = 4, x2 = 12;
	/* Row 0 is the highest address; the region covers rows -1 .. rows. */
	const uint64_t region = SURF_GM - (uint64_t)rows * pitch;
	const size_t len = (size_t)(2 * rows + 1) * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *want;
	uint32_t cmd[6];

	(void)state;
	mem_pattern(gs, region, len, 13);
	want = mem_snapshot(gs, region, len);
	for (uint32_t y = 0; y < 4; y++)
		for (uint32_t x = x1; x < x2; x++)
			px_write(want, (size_t)(rows - y) * pitch + x * 4u, 4, 0x0BADCAFEu);
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, -(int32_t)pitch),
		  x1, 0, x2, 4, SURF_GM, 0x0BADCAFEu);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, region, want, len);
	assert_int_equal(mem32(gs, SURF_GM - 3u * pitch + x1 * 4u), 0x0BADCAFEu);
	assert_int_not_equal(mem32(gs, SURF_GM + pitch + x1 * 4u), 0x0BADCAFEu);
	free(want);
	gensim_destroy(gs);
}

/* A copy with a negative destination pitch flips the image vertically. */
static void test_negative_pitch_copy_flips(void **state)
{
	const uint32_t spitch = 128, dpitch = 128, h = 8, w = 10;
	const uint64_t dbase = SURF2_GM + (uint64_t)(h - 1) * dpitch;   /* bottom row first */
	const size_t slen = (size_t)h * spitch, dlen = (size_t)(h + 2) * dpitch;
	const uint64_t dregion = SURF2_GM - dpitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *src, *want;
	uint32_t cmd[8];

	(void)state;
	mem_pattern(gs, SURF_GM, slen, 31);
	mem_pattern(gs, dregion, dlen, 32);
	src = mem_snapshot(gs, SURF_GM, slen);
	want = mem_snapshot(gs, dregion, dlen);
	for (uint32_t y = 0; y < h; y++)
		memcpy(want + dpitch + (size_t)(h - 1 - y) * dpitch, src + (size_t)y * spitch, w * 4u);
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, -(int32_t)dpitch),
		 0, 0, w, h, (uint32_t)dbase, 0, 0, spitch, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	expect_running(gs);
	expect_mem(gs, dregion, want, dlen);
	free(src);
	free(want);
	gensim_destroy(gs);
}

/*
 * Overlapping copy within one surface whose pitch is negative (both source
 * and destination use it).  Memmove-like means: every destination pixel gets
 * the source pixel as it was before the blit, whichever way the rows run.
 */
static void check_overlap_negative_pitch(uint32_t sy, uint32_t dy)
{
	const uint32_t pitch = 256, rows = 24, w = 16, h = 10, x = 2;
	const uint64_t base = SURF_GM + (uint64_t)(rows - 1) * pitch;  /* row 0 at the top address */
	const size_t len = (size_t)rows * pitch;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *orig, *want;
	uint32_t cmd[8];

	for (uint32_t y = 0; y < rows; y++)
		for (uint32_t i = 0; i < pitch / 4u; i++)
			put32(gs, base - (uint64_t)y * pitch + i * 4u, 0xCD000000u | (y << 8) | i);
	orig = mem_snapshot(gs, SURF_GM, len);
	want = mem_snapshot(gs, SURF_GM, len);
	for (uint32_t y = 0; y < h; y++)
		memcpy(want + (size_t)(rows - 1u - (dy + y)) * pitch + x * 4u,
		       orig + (size_t)(rows - 1u - (sy + y)) * pitch + x * 4u, w * 4u);
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, -(int32_t)pitch),
		 x, dy, x + w, dy + h, (uint32_t)base, x, sy, (uint32_t)-(int32_t)pitch, (uint32_t)base);
	ring_submit(gs, &r, cmd, 8);
	expect_running(gs);
	/* Destination row dy + h - 1 holds source row sy + h - 1 as it was. */
	assert_int_equal(mem32(gs, base - (uint64_t)(dy + h - 1u) * pitch + x * 4u),
			 0xCD000000u | ((sy + h - 1u) << 8) | x);
	expect_mem(gs, SURF_GM, want, len);
	free(orig);
	free(want);
	gensim_destroy(gs);
}

static void test_src_copy_overlap_negative_pitch(void **state)
{
	(void)state;
	check_overlap_negative_pitch(0, 3);     /* destination rows below (higher y) */
	check_overlap_negative_pitch(5, 1);     /* destination rows above */
}

/*
 * Rows of a negative-pitch blit that run below graphics address 0 are
 * outside the GGTT: the write is dropped and, as for any other GPU fault,
 * counted and latched in the engine's fault register; the engine goes on.
 */
static void test_negative_pitch_below_zero_faults(void **state)
{
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_INDEX, 0x188, 0x600DD00Du };
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint64_t faults0 = stats(gs).gtt_faults;
	uint32_t cmd[6];

	(void)state;
	/* Rows at 0x100, 0x0, then -0x100 and -0x200. */
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, -256),
		  0, 0, 4, 4, 0x100u, 0x5151515Fu);
	ring_submit(gs, &r, cmd, 6);
	ring_submit(gs, &r, sdi, 3);
	expect_running(gs);
	assert_int_equal(mem32(gs, 0x100u), 0x5151515Fu);
	assert_int_equal(mem32(gs, 0x0u), 0x5151515Fu);
	assert_true(stats(gs).gtt_faults >= faults0 + 2);
	assert_true(rd(gs, HSW_BCS_FAULT_REG) & HSW_FAULT_VALID);
	assert_int_equal(mem32(gs, HWSP_GM + 0x188), 0x600DD00Du);
	gensim_destroy(gs);
}

/* ---- X tiling --------------------------------------------------------------- */

static void test_xtiled_color_fill(void **state)
{
	/* Pitch 1024 bytes = 256 dwords: two tiles per row; three tile rows. */
	const uint32_t pitch = 1024, tiles = 6, x1 = 100, x2 = 160, y1 = 5, y2 = 19;
	const size_t len = (size_t)tiles * TILE_BYTES + 2u * TILE_BYTES;
	const uint64_t region = TILED_GM - TILE_BYTES;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *want;
	uint32_t cmd[6];

	(void)state;
	/* The tile arithmetic the expectation rests on, against literal offsets. */
	assert_int_equal(xtile_off(1024, 0, 0), 0);
	assert_int_equal(xtile_off(1024, 511, 0), 511);
	assert_int_equal(xtile_off(1024, 512, 0), 4096);        /* next tile to the right */
	assert_int_equal(xtile_off(1024, 0, 1), 512);
	assert_int_equal(xtile_off(1024, 0, 8), 8192);          /* next tile row: two tiles on */
	assert_int_equal(xtile_off(1024, 12, 9), 8192 + 512 + 12);
	assert_int_equal(xtile_off(2048, 1536 + 4, 17), 2 * 4 * 4096 + 3 * 4096 + 512 + 4);

	mem_pattern(gs, region, len, 55);
	want = mem_snapshot(gs, region, len);
	for (uint32_t y = y1; y < y2; y++)
		for (uint32_t x = x1; x < x2; x++)
			px_write(want, TILE_BYTES + xtile_off(pitch, x * 4u, y), 4, 0x600DF00Du);
	color_blt(cmd, HSW_BLT_WRITE_RGBA | HSW_BLT_DST_TILED,
		  br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, (int32_t)(pitch / 4u)),
		  x1, y1, x2, y2, TILED_GM, 0x600DF00Du);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, region, want, len);

	/* Literal positions: pixel (127, 5) ends tile 0, (128, 5) starts tile 1. */
	assert_int_equal(mem32(gs, TILED_GM + 5u * 512u + 508u), 0x600DF00Du);
	assert_int_equal(mem32(gs, TILED_GM + 4096u + 5u * 512u), 0x600DF00Du);
	/* Pixel (100, 8) is in tile 2, row 0; (100, 16) in tile 4. */
	assert_int_equal(mem32(gs, TILED_GM + 2u * 4096u + 400u), 0x600DF00Du);
	assert_int_equal(mem32(gs, TILED_GM + 4u * 4096u + 400u), 0x600DF00Du);
	/* The linear position of pixel (100, 5) (tile 1, pixel (228, 2)) is not written. */
	assert_int_not_equal(mem32(gs, TILED_GM + 5u * 1024u + 400u), 0x600DF00Du);
	free(want);
	gensim_destroy(gs);
}

/*
 * Smallest tiled pitch: field 128 = 128 dwords = 512 bytes, one tile per row.
 * Read as bytes it would be 128, which is not a whole tile and would halt.
 */
static void test_xtiled_pitch_is_in_dwords(void **state)
{
	const size_t len = 3u * TILE_BYTES;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];
	uint8_t *want;

	(void)state;
	mem_pattern(gs, TILED_GM, len, 60);
	want = mem_snapshot(gs, TILED_GM, len);
	/* 8 bpp pixels (500..509, 7..8): tile 0 row 7, then tile 1 row 0. */
	for (uint32_t x = 500; x < 510; x++) {
		want[7u * 512u + x] = 0x3C;
		want[4096u + x] = 0x3C;
	}
	color_blt(cmd, HSW_BLT_DST_TILED, br13(HSW_BR13_8BPP, HSW_ROP_PATCOPY, 128), 500, 7, 510, 9,
		  TILED_GM, 0x3Cu);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	expect_mem(gs, TILED_GM, want, len);
	free(want);
	gensim_destroy(gs);
}

static void test_xtiled_src_copy_roundtrip(void **state)
{
	const uint32_t lpitch = 800, tpitch = 1024, w = 150, h = 20;    /* 600 bytes wide */
	const size_t llen = (size_t)h * lpitch, tlen = 6u * TILE_BYTES;
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint8_t *src, *want, *back;
	uint32_t cmd[16];

	(void)state;
	mem_pattern(gs, SURF_GM, llen, 70);
	mem_pattern(gs, TILED_GM, tlen, 71);
	mem_pattern(gs, SURF2_GM, llen, 72);
	src = mem_snapshot(gs, SURF_GM, llen);
	want = mem_snapshot(gs, TILED_GM, tlen);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t xb = 0; xb < w * 4u; xb++)
			want[xtile_off(tpitch, 8u + xb, y + 2u)] = src[(size_t)y * lpitch + xb];
	/* linear (0,0) -> tiled (2,2) */
	copy_blt(cmd, HSW_BLT_WRITE_RGBA | HSW_BLT_DST_TILED,
		 br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, (int32_t)(tpitch / 4u)),
		 2, 2, 2 + w, 2 + h, TILED_GM, 0, 0, lpitch, SURF_GM);
	/* tiled (2,2) -> linear (0,0) of the second surface; source pitch in dwords */
	copy_blt(cmd + 8, HSW_BLT_WRITE_RGBA | HSW_BLT_SRC_TILED,
		 br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, (int32_t)lpitch),
		 0, 0, w, h, SURF2_GM, 2, 2, tpitch / 4u, TILED_GM);
	ring_submit(gs, &r, cmd, 16);
	expect_running(gs);
	expect_mem(gs, TILED_GM, want, tlen);
	back = mem_snapshot(gs, SURF2_GM, llen);
	for (uint32_t y = 0; y < h; y++)
		assert_memory_equal(back + (size_t)y * lpitch, src + (size_t)y * lpitch, w * 4u);
	free(back);
	free(src);
	free(want);
	gensim_destroy(gs);
}

static void check_bad_tiled_pitch(bool copy, uint32_t flags, uint32_t field)
{
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_INDEX, 0x100, 0x5EED5EEDu };
	uint64_t errs0 = stats(gs).cmd_errors;
	struct gensim_engine_state st;
	uint32_t cmd[8];
	uint8_t *want;
	const size_t len = 4u * TILE_BYTES;

	mem_pattern(gs, TILED_GM, len, 80);
	mem_pattern(gs, SURF_GM, len, 81);
	want = mem_snapshot(gs, TILED_GM, len);
	if (copy)
		copy_blt(cmd, HSW_BLT_WRITE_RGBA | flags,
			 br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY,
			      (flags & HSW_BLT_DST_TILED) ? (int32_t)(int16_t)field : 512),
			 0, 0, 4, 4, TILED_GM, 0, 0,
			 (flags & HSW_BLT_SRC_TILED) ? field : 512, SURF_GM);
	else
		color_blt(cmd, HSW_BLT_WRITE_RGBA | flags,
			  br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, (int32_t)(int16_t)field),
			  0, 0, 4, 4, TILED_GM, 0xFFFFFFFFu);
	ring_submit(gs, &r, cmd, copy ? 8 : 6);
	ring_submit(gs, &r, sdi, 3);
	st = engine_state(gs, GENSIM_BCS);
	assert_true(st.halted);
	assert_true(st.eir & HSW_ERR_INSTRUCTION);
	assert_true(rd(gs, HSW_RING_EIR(HSW_BCS_BASE)) & HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_BCS_BASE)), cmd[0]);
	assert_int_equal(stats(gs).cmd_errors, errs0 + 1);
	expect_mem(gs, TILED_GM, want, len);
	assert_int_equal(mem32(gs, HWSP_GM + 0x100), 0);        /* nothing after it ran */
	free(want);
	gensim_destroy(gs);
}

static void test_xtiled_bad_pitch_halts(void **state)
{
	(void)state;
	check_bad_tiled_pitch(false, HSW_BLT_DST_TILED, 160);       /* 640 bytes */
	check_bad_tiled_pitch(false, HSW_BLT_DST_TILED, 0x20);      /* 128 bytes */
	check_bad_tiled_pitch(false, HSW_BLT_DST_TILED, 0xFF80);    /* -512 bytes */
	check_bad_tiled_pitch(true, HSW_BLT_DST_TILED, 200);        /* 800 bytes */
	check_bad_tiled_pitch(true, HSW_BLT_SRC_TILED, 100);        /* 400 bytes */
}

/* The same pitch values are fine on a linear surface (no halt). */
static void test_linear_odd_pitch_runs(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint32_t cmd[6];

	(void)state;
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 640),
		  0, 0, 4, 4, SURF_GM, 0x01020304u);
	ring_submit(gs, &r, cmd, 6);
	expect_running(gs);
	assert_int_equal(mem32(gs, SURF_GM + 3u * 640u + 12u), 0x01020304u);
	gensim_destroy(gs);
}

/* ---- Faults and wrong engine ---------------------------------------------------- */

static void test_fault_nonpresent_dst_continues(void **state)
{
	const uint32_t pitch = 4096;   /* one page per row */
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_INDEX, 0x180, 0xF00DFACEu };
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint64_t faults0 = stats(gs).gtt_faults;
	uint8_t *hole;
	uint32_t cmd[6];

	(void)state;
	assert_int_equal(rd(gs, HSW_BCS_FAULT_REG) & HSW_FAULT_VALID, 0);
	mem_pattern(gs, FAULT_GM, 3u * pitch, 90);
	hole = mem_snapshot(gs, FAULT_GM + pitch, pitch);
	/* GGTT page FAULT_GM + 4 KiB is not present. */
	assert_int_equal(gensim_gtt_write(gs, (FAULT_GM + pitch) >> 12, 0), 0);
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, (int32_t)pitch),
		  0, 0, 16, 3, FAULT_GM, 0x7E7E7E7Eu);
	ring_submit(gs, &r, cmd, 6);
	ring_submit(gs, &r, sdi, 3);

	expect_running(gs);
	assert_true(stats(gs).gtt_faults > faults0);
	assert_true(rd(gs, HSW_BCS_FAULT_REG) & HSW_FAULT_VALID);
	assert_true(rd(gs, HSW_BCS_FAULT_REG) & HSW_FAULT_GTT_SEL);    /* a GGTT access */
	/* The other engines' fault registers are not touched. */
	assert_int_equal(rd(gs, HSW_RCS_FAULT_REG), 0);
	/* The write to the missing page went nowhere; the row before it landed. */
	expect_mem(gs, FAULT_GM + pitch, hole, pitch);
	assert_int_equal(mem32(gs, FAULT_GM), 0x7E7E7E7Eu);
	assert_int_equal(mem32(gs, FAULT_GM + 60), 0x7E7E7E7Eu);
	/* The engine went on. */
	assert_int_equal(mem32(gs, HWSP_GM + 0x180), 0xF00DFACEu);
	free(hole);
	gensim_destroy(gs);
}

/* A destination beyond the 2 GiB GGTT faults too, without taking the engine down. */
static void test_fault_beyond_ggtt_continues(void **state)
{
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_INDEX, 0x184, 0x0DDBA11u };
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint64_t faults0 = stats(gs).gtt_faults;
	uint32_t cmd[14];

	(void)state;
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 256),
		  0, 0, 8, 2, 0x90000000u, 0x12345678u);
	/* and a copy whose source does not exist */
	copy_blt(cmd + 6, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, 256),
		 0, 0, 8, 2, SURF_GM, 0, 0, 256, 0xA0000000u);
	ring_submit(gs, &r, cmd, 14);
	ring_submit(gs, &r, sdi, 3);
	expect_running(gs);
	assert_true(stats(gs).gtt_faults >= faults0 + 2);
	assert_true(rd(gs, HSW_BCS_FAULT_REG) & HSW_FAULT_VALID);
	assert_int_equal(mem32(gs, HWSP_GM + 0x184), 0x0DDBA11u);
	gensim_destroy(gs);
}

static void test_blit_on_rcs_halts(void **state)
{
	const uint32_t sdi[] = { HSW_MI_STORE_DATA_INDEX, 0x100, 0xBADu };
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	uint64_t errs0 = stats(gs).cmd_errors;
	struct gensim_engine_state st;
	uint32_t cmd[8];
	uint8_t *want;

	(void)state;
	ring_init(gs, &r, GENSIM_RCS, RING_GM, RING_SIZE, HWSP_GM);
	mem_pattern(gs, SURF_GM, 4096, 95);
	want = mem_snapshot(gs, SURF_GM, 4096);
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 256),
		  0, 0, 8, 8, SURF_GM, 0xFFFFFFFFu);
	ring_submit(gs, &r, cmd, 6);
	ring_submit(gs, &r, sdi, 3);

	st = engine_state(gs, GENSIM_RCS);
	assert_true(st.halted);
	assert_true(st.eir & HSW_ERR_INSTRUCTION);
	assert_true(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)) & HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
	assert_int_equal(st.ipehr, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
	assert_int_equal(stats(gs).cmd_errors, errs0 + 1);
	assert_int_equal(stats(gs).blit_bytes, 0);
	expect_mem(gs, SURF_GM, want, 4096);
	assert_int_equal(mem32(gs, HWSP_GM + 0x100), 0);
	/* BCS was not involved. */
	assert_false(engine_state(gs, GENSIM_BCS).halted);
	free(want);
	gensim_destroy(gs);
}

static void test_src_copy_on_rcs_halts(void **state)
{
	struct harness_ring r;
	struct gensim *gs = harness_create(NULL);
	uint32_t cmd[8];

	(void)state;
	ring_init(gs, &r, GENSIM_RCS, RING_GM, RING_SIZE, HWSP_GM);
	put32(gs, SURF2_GM, 0x55555555u);
	put32(gs, SURF_GM, 0xAAAAAAAAu);
	copy_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_SRCCOPY, 64),
		 0, 0, 1, 1, SURF2_GM, 0, 0, 64, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)) & HSW_ERR_INSTRUCTION);
	assert_int_equal(rd(gs, HSW_RING_IPEHR(HSW_RCS_BASE)), cmd[0]);
	assert_int_equal(mem32(gs, SURF2_GM), 0x55555555u);
	gensim_destroy(gs);
}

/* ---- Statistics ------------------------------------------------------------- */

static void test_blit_bytes_counts_written_bytes(void **state)
{
	struct harness_ring r;
	struct gensim *gs = setup_bcs(&r);
	uint64_t b0 = stats(gs).blit_bytes;
	uint32_t cmd[8];

	(void)state;
	assert_int_equal(b0, 0);
	/* 10 x 7 pixels at 32 bpp */
	color_blt(cmd, HSW_BLT_WRITE_RGBA, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 256),
		  1, 2, 11, 9, SURF_GM, 1);
	ring_submit(gs, &r, cmd, 6);
	assert_int_equal(stats(gs).blit_bytes, 280);
	/* 5 x 3 at 16 bpp */
	copy_blt(cmd, 0, br13(HSW_BR13_565, HSW_ROP_SRCCOPY, 256), 0, 0, 5, 3, SURF2_GM,
		 0, 0, 256, SURF_GM);
	ring_submit(gs, &r, cmd, 8);
	assert_int_equal(stats(gs).blit_bytes, 280 + 30);
	/* 9 x 2 at 8 bpp with a read-modify-write ROP */
	color_blt(cmd, 0, br13(HSW_BR13_8BPP, 0x55, 256), 0, 0, 9, 2, SURF_GM, 0);
	ring_submit(gs, &r, cmd, 6);
	assert_int_equal(stats(gs).blit_bytes, 280 + 30 + 18);
	/* 3 x 4 X-tiled at 32 bpp, RGB only */
	color_blt(cmd, HSW_BLT_WRITE_RGB | HSW_BLT_DST_TILED, br13(HSW_BR13_32BPP, HSW_ROP_PATCOPY, 128),
		  0, 0, 3, 4, TILED_GM, 0);
	ring_submit(gs, &r, cmd, 6);
	assert_int_equal(stats(gs).blit_bytes, 280 + 30 + 18 + 48);
	expect_running(gs);
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_color_fill_32bpp),
		cmocka_unit_test(test_color_fill_16bpp),
		cmocka_unit_test(test_color_fill_16bpp_1555),
		cmocka_unit_test(test_color_fill_8bpp),
		cmocka_unit_test(test_color_fill_16bpp_ignores_high_color_bits),
		cmocka_unit_test(test_color_empty_rects_write_nothing),
		cmocka_unit_test(test_color_write_rgb_only),
		cmocka_unit_test(test_color_write_alpha_only),
		cmocka_unit_test(test_color_write_enable_values),
		cmocka_unit_test(test_rop_pattern_xor_dest_32bpp),
		cmocka_unit_test(test_rop_pattern_xor_dest_16bpp),
		cmocka_unit_test(test_rop_not_dest_8bpp),
		cmocka_unit_test(test_rop_not_dest_32bpp),
		cmocka_unit_test(test_rop_blackness_and_nop),
		cmocka_unit_test(test_rop_values),
		cmocka_unit_test(test_src_copy_different_pitches),
		cmocka_unit_test(test_src_copy_16bpp_and_8bpp),
		cmocka_unit_test(test_src_copy_overlap_dst_below),
		cmocka_unit_test(test_src_copy_overlap_dst_above),
		cmocka_unit_test(test_src_copy_overlap_with_rop),
		cmocka_unit_test(test_negative_pitch_draws_upward),
		cmocka_unit_test(test_negative_pitch_copy_flips),
		cmocka_unit_test(test_src_copy_overlap_negative_pitch),
		cmocka_unit_test(test_negative_pitch_below_zero_faults),
		cmocka_unit_test(test_xtiled_color_fill),
		cmocka_unit_test(test_xtiled_pitch_is_in_dwords),
		cmocka_unit_test(test_xtiled_src_copy_roundtrip),
		cmocka_unit_test(test_xtiled_bad_pitch_halts),
		cmocka_unit_test(test_linear_odd_pitch_runs),
		cmocka_unit_test(test_fault_nonpresent_dst_continues),
		cmocka_unit_test(test_fault_beyond_ggtt_continues),
		cmocka_unit_test(test_blit_on_rcs_halts),
		cmocka_unit_test(test_src_copy_on_rcs_halts),
		cmocka_unit_test(test_blit_bytes_counts_written_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * gensim's 2D engine: XY_COLOR_BLT and XY_SRC_COPY_BLT with 8, 16 and
 * 32 bpp, linear or X-tiled surfaces, signed pitches, any ROP3 and the
 * 32 bpp alpha/RGB write enables.  Clipping (BR13 bit 30) is not modelled:
 * gensim always draws the whole destination rectangle.
 */
#include <errno.h>
#include <string.h>

#include "gensim_private.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_pixels.h"

static unsigned depth_cpp(uint32_t br13)
{
	switch ((br13 >> HSW_BR13_DEPTH_SHIFT) & 3u) {
	case 0:  return 1;
	case 3:  return 4;
	default: return 2;      /* 565 and 1555 */
	}
}

static int64_t pitch_of(uint32_t field, bool tiled)
{
	int64_t p = (int16_t)(field & HSW_BR13_PITCH_MASK);

	return tiled ? p * 4 : p;       /* tiled pitches are in dwords */
}

int gensim_surface_row(struct gensim *gs, struct gensim_engine *eng,
		       const struct gensim_surface *s, uint32_t x, uint32_t y,
		       void *buf, size_t len, enum gensim_access dir)
{
	uint8_t *p = buf;
	int ret = 0;

	if (!s->tiled) {
		int64_t addr = (int64_t)s->base + (int64_t)y * s->pitch + (int64_t)x * s->cpp;

		if (addr < 0 || (uint64_t)addr + len > 0x100000000ull) {
			/* Outside the 32-bit graphics address space: a fault. */
			gensim_gm_fault(gs, eng, (uint64_t)addr);
			if (dir == GENSIM_READ)
				memset(buf, 0, len);
			return -EFAULT;
		}
		return gensim_gm_access(gs, eng, (uint64_t)addr, buf, len, dir);
	}
	if (s->pitch <= 0 || s->pitch % HSW_XTILE_WIDTH)
		return -EINVAL;
	for (uint64_t xb = (uint64_t)x * s->cpp; len;) {
		uint64_t within = xb % HSW_XTILE_WIDTH;
		uint64_t addr = s->base + hsw_xtile_offset((uint64_t)s->pitch, xb, y);
		size_t chunk = HSW_XTILE_WIDTH - within;

		if (chunk > len)
			chunk = len;
		if (gensim_gm_access(gs, eng, addr, p, chunk, dir))
			ret = -EFAULT;
		p += chunk;
		xb += chunk;
		len -= chunk;
	}
	return ret;
}

/* Raster operation on pattern, source and destination bits. */
static uint32_t rop3(uint8_t rop, uint32_t p, uint32_t s, uint32_t d)
{
	uint32_t r = 0;

	switch (rop) {
	case HSW_ROP_PATCOPY: return p;
	case HSW_ROP_SRCCOPY: return s;
	default: break;
	}
	for (unsigned i = 0; i < 8; i++) {
		if (!(rop & (1u << i)))
			continue;
		r |= ((i & 4) ? p : ~p) & ((i & 2) ? s : ~s) & ((i & 1) ? d : ~d);
	}
	return r;
}

static bool rop_reads_dst(uint8_t rop)
{
	return ((rop >> 1) & 0x55u) != (rop & 0x55u);
}

static uint32_t write_mask(uint32_t dw0, unsigned cpp)
{
	if (cpp != 4)
		return ~0u;
	return ((dw0 & HSW_BLT_WRITE_ALPHA) ? 0xFF000000u : 0) |
	       ((dw0 & HSW_BLT_WRITE_RGB) ? 0x00FFFFFFu : 0);
}

static uint32_t px_get(const uint8_t *row, unsigned i, unsigned cpp)
{
	uint32_t v = 0;

	memcpy(&v, row + (size_t)i * cpp, cpp);
	return v;
}

static void px_put(uint8_t *row, unsigned i, unsigned cpp, uint32_t v)
{
	memcpy(row + (size_t)i * cpp, &v, cpp);
}

/* Combines one row: out = (rop(P, S, D) & mask) | (D & ~mask). */
static void combine_row(uint8_t *dst, const uint8_t *src, uint32_t pat, uint8_t rop,
			uint32_t mask, unsigned w, unsigned cpp)
{
	for (unsigned i = 0; i < w; i++) {
		uint32_t d = px_get(dst, i, cpp);
		uint32_t s = src ? px_get(src, i, cpp) : 0;

		px_put(dst, i, cpp, (rop3(rop, pat, s, d) & mask) | (d & ~mask));
	}
}

static void account(struct gensim *gs, uint64_t bytes)
{
	gs->stats.blit_bytes += bytes;
	gs->exec_cost_ns += bytes / GENSIM_BLT_BYTES_PER_NS;
}

int gensim_blt_color(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd)
{
	uint32_t br13 = cmd[1];
	unsigned cpp = depth_cpp(br13);
	uint8_t rop = (uint8_t)(br13 >> HSW_BR13_ROP_SHIFT);
	uint32_t x1 = cmd[2] & 0xFFFFu, y1 = cmd[2] >> 16;
	uint32_t x2 = cmd[3] & 0xFFFFu, y2 = cmd[3] >> 16;
	uint32_t mask = write_mask(cmd[0], cpp), full = cpp == 4 ? ~0u : (1u << (8 * cpp)) - 1;
	uint32_t color = cmd[5] & full;
	struct gensim_surface dst = {
		.base = cmd[4], .pitch = pitch_of(br13, cmd[0] & HSW_BLT_DST_TILED),
		.cpp = cpp, .tiled = cmd[0] & HSW_BLT_DST_TILED,
	};
	uint8_t *row = gs->row_buf[0];
	bool rmw = rop_reads_dst(rop) || (mask & full) != full;
	size_t bytes;

	if (x2 <= x1 || y2 <= y1)
		return 0;               /* empty rectangle: nothing to draw */
	if (dst.tiled && (dst.pitch <= 0 || dst.pitch % HSW_XTILE_WIDTH))
		return -EINVAL;
	bytes = (size_t)(x2 - x1) * cpp;
	if (!rmw)
		for (uint32_t i = 0; i < x2 - x1; i++)
			px_put(row, i, cpp, rop3(rop, color, 0, 0));
	for (uint32_t y = y1; y < y2; y++) {
		if (rmw) {
			gensim_surface_row(gs, eng, &dst, x1, y, row, bytes, GENSIM_READ);
			combine_row(row, NULL, color, rop, mask, x2 - x1, cpp);
		}
		gensim_surface_row(gs, eng, &dst, x1, y, row, bytes, GENSIM_WRITE);
	}
	account(gs, (uint64_t)bytes * (y2 - y1));
	return 0;
}

int gensim_blt_src_copy(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd)
{
	uint32_t br13 = cmd[1];
	unsigned cpp = depth_cpp(br13);
	uint8_t rop = (uint8_t)(br13 >> HSW_BR13_ROP_SHIFT);
	uint32_t x1 = cmd[2] & 0xFFFFu, y1 = cmd[2] >> 16;
	uint32_t x2 = cmd[3] & 0xFFFFu, y2 = cmd[3] >> 16;
	uint32_t sx = cmd[5] & 0xFFFFu, sy = cmd[5] >> 16;
	uint32_t mask = write_mask(cmd[0], cpp), full = cpp == 4 ? ~0u : (1u << (8 * cpp)) - 1;
	struct gensim_surface dst = {
		.base = cmd[4], .pitch = pitch_of(br13, cmd[0] & HSW_BLT_DST_TILED),
		.cpp = cpp, .tiled = cmd[0] & HSW_BLT_DST_TILED,
	};
	struct gensim_surface src = {
		.base = cmd[7], .pitch = pitch_of(cmd[6], cmd[0] & HSW_BLT_SRC_TILED),
		.cpp = cpp, .tiled = cmd[0] & HSW_BLT_SRC_TILED,
	};
	uint8_t *srow = gs->row_buf[0], *drow = gs->row_buf[1];
	bool plain = rop == HSW_ROP_SRCCOPY && (mask & full) == full;
	uint32_t h = y2 - y1;
	bool bottom_up;
	size_t bytes;

	if (x2 <= x1 || y2 <= y1)
		return 0;
	if ((dst.tiled && (dst.pitch <= 0 || dst.pitch % HSW_XTILE_WIDTH)) ||
	    (src.tiled && (src.pitch <= 0 || src.pitch % HSW_XTILE_WIDTH)))
		return -EINVAL;
	bytes = (size_t)(x2 - x1) * cpp;
	/*
	 * Copy away from the overlap, like memmove, when the rows may alias:
	 * rows at higher addresses first when the destination lies above the
	 * source.  With a negative pitch the higher rows are the earlier ones.
	 */
	bottom_up = ((int64_t)dst.base + (int64_t)y1 * dst.pitch >
		     (int64_t)src.base + (int64_t)sy * src.pitch) == (dst.pitch > 0);
	for (uint32_t i = 0; i < h; i++) {
		uint32_t r = bottom_up ? h - 1 - i : i;

		gensim_surface_row(gs, eng, &src, sx, sy + r, srow, bytes, GENSIM_READ);
		if (plain) {
			gensim_surface_row(gs, eng, &dst, x1, y1 + r, srow, bytes, GENSIM_WRITE);
			continue;
		}
		gensim_surface_row(gs, eng, &dst, x1, y1 + r, drow, bytes, GENSIM_READ);
		combine_row(drow, srow, 0, rop, mask, x2 - x1, cpp);
		gensim_surface_row(gs, eng, &dst, x1, y1 + r, drow, bytes, GENSIM_WRITE);
	}
	account(gs, (uint64_t)bytes * h);
	return 0;
}

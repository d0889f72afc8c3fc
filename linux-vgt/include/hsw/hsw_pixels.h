/* SPDX-License-Identifier: MIT */
/*
 * Display pixel formats and X-tile addressing, shared by gensim's scanout
 * and blitter and by the mediator's plane decoder.
 */
#ifndef HSW_PIXELS_H
#define HSW_PIXELS_H

#include "hsw/hsw_regs.h"

/* A DSPCNTR-format pixel as XRGB8888 (5- and 6-bit fields by bit replication). */
static inline unsigned int hsw_pixel_to_xrgb(unsigned int v, unsigned int fmt)
{
	unsigned int r, g, b;

	switch (fmt) {
	case HSW_DSPFMT_BGRX565:
		r = (v >> 11) & 0x1Fu;
		g = (v >> 5) & 0x3Fu;
		b = v & 0x1Fu;
		return ((r << 3 | r >> 2) << 16) | ((g << 2 | g >> 4) << 8) | (b << 3 | b >> 2);
	case HSW_DSPFMT_RGBX888:
		return ((v & 0xFFu) << 16) | (v & 0xFF00u) | ((v >> 16) & 0xFFu);
	default:
		return v & 0x00FFFFFFu;
	}
}

/*
 * Byte offset of byte @xb of row @y in an X-tiled surface of @pitch bytes
 * (4 KiB tiles of 512 bytes x 8 rows, row-major, no swizzling); the bytes
 * up to the end of that tile row are contiguous.
 */
static inline unsigned long long hsw_xtile_offset(unsigned long long pitch, unsigned long long xb,
						  unsigned long long y)
{
	unsigned long long tile = (y / HSW_XTILE_HEIGHT) * (pitch / HSW_XTILE_WIDTH) +
				  xb / HSW_XTILE_WIDTH;

	return tile * HSW_TILE_SIZE + (y % HSW_XTILE_HEIGHT) * HSW_XTILE_WIDTH + xb % HSW_XTILE_WIDTH;
}

#endif /* HSW_PIXELS_H */

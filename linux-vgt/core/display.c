/* SPDX-License-Identifier: MIT */
/*
 * The plane decoder: what a vGPU's virtual pipe shows, from its own plane
 * registers and its own view of the GTT, as XRGB8888.  It reads only the
 * vGPU's own graphics memory (through its GTT entries and the transport),
 * so it can never show another domain's memory; a state in which there is
 * nothing to show is reported as such, not as garbage.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "hsw/hsw_pixels.h"

#define CURSOR_SIZE     64u
#define CURSOR_ARGB64   0x27u

/* One row of a surface, linear or X-tiled, from the vGPU's own memory. */
static bool read_row(struct vgt_vgpu *v, uint64_t base, uint32_t stride, bool tiled, uint32_t x,
		     uint32_t y, uint8_t *buf, size_t len)
{
	if (!tiled)
		return vgt_gm_read(v, base + (uint64_t)y * stride + x, buf, len);
	for (uint64_t xb = x; len;) {
		uint64_t within = xb % HSW_XTILE_WIDTH;
		size_t chunk = HSW_XTILE_WIDTH - within < len ? HSW_XTILE_WIDTH - within : len;

		if (!vgt_gm_read(v, base + hsw_xtile_offset(stride, xb, y), buf, chunk))
			return false;
		buf += chunk;
		xb += chunk;
		len -= chunk;
	}
	return true;
}

static int32_t sign_magnitude(uint32_t v)
{
	int32_t m = (int32_t)(v & 0x7FFFu);

	return (v & 0x8000u) ? -m : m;
}

/* Blends the 64x64 ARGB cursor over @img, if the cursor is on. */
static int compose_cursor(struct vgt_vgpu *v, unsigned pipe, struct vgt_image *img)
{
	uint32_t cntr = vgt_vreg(v, HSW_CURCNTR(pipe)), base = vgt_vreg(v, HSW_CURBASE(pipe));
	uint32_t pos = vgt_vreg(v, HSW_CURPOS(pipe));
	int32_t cx = sign_magnitude(pos), cy = sign_magnitude(pos >> 16);
	uint32_t row[CURSOR_SIZE];

	if ((cntr & 0x27u) != CURSOR_ARGB64)
		return 0;               /* off, or a mode not decoded */
	for (uint32_t y = 0; y < CURSOR_SIZE; y++) {
		int64_t iy = (int64_t)cy + y;

		if (iy < 0 || iy >= img->height)
			continue;
		if (!vgt_gm_read(v, (uint64_t)(base & ~0xFFFu) + y * CURSOR_SIZE * 4u, row, sizeof(row)))
			return -EFAULT;
		for (uint32_t x = 0; x < CURSOR_SIZE; x++) {
			int64_t ix = (int64_t)cx + x;
			uint32_t a = row[x] >> 24, *dst;

			if (ix < 0 || ix >= img->width || !a)
				continue;
			dst = &img->pixels[(size_t)iy * img->width + (size_t)ix];
			for (unsigned sh = 0; sh < 24; sh += 8) {
				uint32_t s = (row[x] >> sh) & 0xFFu, d = (*dst >> sh) & 0xFFu;

				*dst = (*dst & ~(0xFFu << sh)) | (((s * a + d * (255u - a)) / 255u) << sh);
			}
		}
	}
	return 0;
}

/* The plane as programmed, checked: what decode() and the foreground may show. */
struct plane_view {
	uint64_t surf;
	uint32_t stride, w, h, x0, y0;
	unsigned fmt, cpp;
	bool tiled;
};

static int plane_view(struct vgt_vgpu *v, unsigned pipe, struct plane_view *pv, struct vgt_error *err)
{
	uint32_t conf = vgt_vreg(v, HSW_PIPECONF(pipe)), cntr = vgt_vreg(v, HSW_DSPCNTR(pipe));
	uint32_t src = vgt_vreg(v, HSW_PIPESRC(pipe)), offset = vgt_vreg(v, HSW_DSPOFFSET(pipe));
	uint64_t first, last;

	pv->stride = vgt_vreg(v, HSW_DSPSTRIDE(pipe));
	pv->surf = vgt_vreg(v, HSW_DSPSURFLIVE(pipe)) & HSW_DSPSURF_MASK;
	pv->fmt = (cntr & HSW_DSPCNTR_FORMAT_MASK) >> HSW_DSPCNTR_FORMAT_SHIFT;
	pv->tiled = cntr & HSW_DSPCNTR_TILED;
	pv->w = (src >> 16) + 1u;
	pv->h = (src & 0xFFFFu) + 1u;
	pv->x0 = offset & 0xFFFFu;
	pv->y0 = offset >> 16;
	if (!(conf & HSW_PIPECONF_ENABLE)) {
		vgt_seterr(err, "display not initialized: pipe %c is disabled", 'A' + pipe);
		return -ENODEV;
	}
	if (!(cntr & HSW_DSPCNTR_ENABLE)) {
		vgt_seterr(err, "plane %c is disabled", 'A' + pipe);
		return -ENODATA;
	}
	if (pv->fmt != HSW_DSPFMT_BGRX888 && pv->fmt != HSW_DSPFMT_RGBX888 &&
	    pv->fmt != HSW_DSPFMT_BGRX565) {
		vgt_seterr(err, "plane %c pixel format %u is not decoded", 'A' + pipe, pv->fmt);
		return -ENOTSUP;
	}
	pv->cpp = pv->fmt == HSW_DSPFMT_BGRX565 ? 2 : 4;
	if (pv->w > 4096 || pv->h > 4096 || !pv->stride || (pv->tiled && pv->stride % HSW_XTILE_WIDTH) ||
	    (uint64_t)(pv->x0 + pv->w) * pv->cpp > pv->stride) {
		vgt_seterr(err, "plane %c geometry %ux%u at stride %u does not add up", 'A' + pipe, pv->w,
			   pv->h, pv->stride);
		return -EINVAL;
	}
	/* The whole surface, as scanned out, must be the vGPU's own. */
	if (pv->tiled) {
		first = pv->surf + (uint64_t)(pv->y0 / HSW_XTILE_HEIGHT) * (pv->stride / HSW_XTILE_WIDTH) *
			HSW_TILE_SIZE;
		last = pv->surf + (uint64_t)((pv->y0 + pv->h - 1) / HSW_XTILE_HEIGHT + 1) *
		       (pv->stride / HSW_XTILE_WIDTH) * HSW_TILE_SIZE;
	} else {
		first = pv->surf + (uint64_t)pv->y0 * pv->stride + (uint64_t)pv->x0 * pv->cpp;
		last = pv->surf + (uint64_t)(pv->y0 + pv->h - 1) * pv->stride +
		       (uint64_t)(pv->x0 + pv->w) * pv->cpp;
	}
	if (!vgt_gm_owned(v, first, last - first)) {
		vgt_seterr(err, "plane %c surface [0x%llx, 0x%llx) is outside the vGPU's memory", 'A' + pipe,
			   (unsigned long long)first, (unsigned long long)last);
		return -EFAULT;
	}
	return 0;
}

int vgt_display_check(struct vgt_vgpu *v, unsigned pipe, struct vgt_error *err)
{
	struct plane_view pv;

	return plane_view(v, pipe, &pv, err);
}

static int decode(struct vgt_vgpu *v, unsigned pipe, bool cursor, struct vgt_image *img,
		  struct vgt_error *err)
{
	struct plane_view pv;
	uint8_t *row;
	int ret = plane_view(v, pipe, &pv, err);

	if (ret)
		return ret;
	img->pixels = malloc((size_t)pv.w * pv.h * sizeof(*img->pixels));
	row = malloc((size_t)pv.w * pv.cpp);
	if (!img->pixels || !row) {
		free(row);
		vgt_seterr(err, "out of memory");
		return -ENOMEM;
	}
	img->width = pv.w;
	img->height = pv.h;
	for (uint32_t y = 0; y < pv.h; y++) {
		uint32_t *out = img->pixels + (size_t)y * pv.w;

		if (!read_row(v, pv.surf, pv.stride, pv.tiled, pv.x0 * pv.cpp, pv.y0 + y, row,
			      (size_t)pv.w * pv.cpp)) {
			free(row);
			vgt_seterr(err, "plane %c surface is not mapped in the vGPU's GTT", 'A' + pipe);
			return -EFAULT;
		}
		for (uint32_t x = 0; x < pv.w; x++) {
			uint32_t px = 0;

			memcpy(&px, row + (size_t)x * pv.cpp, pv.cpp);
			out[x] = hsw_pixel_to_xrgb(px, pv.fmt);
		}
	}
	free(row);
	if (cursor && compose_cursor(v, pipe, img)) {
		vgt_seterr(err, "cursor %c image is not mapped in the vGPU's GTT", 'A' + pipe);
		return -EFAULT;
	}
	return 0;
}

int vgt_vgpu_scanout(struct vgt_vgpu *v, unsigned pipe, bool cursor, struct vgt_image *img,
		     struct vgt_error *err)
{
	int ret;

	memset(img, 0, sizeof(*img));
	if (pipe >= HSW_NUM_PIPES) {
		vgt_seterr(err, "no pipe %u", pipe);
		return -EINVAL;
	}
	pthread_mutex_lock(&v->host->lock);
	ret = decode(v, pipe, cursor, img, err);
	pthread_mutex_unlock(&v->host->lock);
	if (ret)
		vgt_image_release(img);
	return ret;
}

void vgt_image_release(struct vgt_image *img)
{
	free(img->pixels);
	memset(img, 0, sizeof(*img));
}

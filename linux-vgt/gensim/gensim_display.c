/* SPDX-License-Identifier: MIT */
/*
 * gensim's display: three pipes with primary planes, a 60 Hz vblank per
 * enabled pipe on the device clock, double-buffered plane registers armed
 * by a DSPSURF write and latched at the next vblank, and the scanout reader
 * that turns what a pipe shows into XRGB8888 pixels.
 *
 * No pixels are pushed anywhere on a vblank: scanout is read on demand,
 * from the latched registers and graphics memory as they are at that time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gensim_private.h"
#include "hsw/hsw_pixels.h"

static bool pipe_on(const struct gensim *gs, unsigned p)
{
	return gensim_reg_get(gs, HSW_PIPECONF(p)) & HSW_PIPECONF_ENABLE;
}

static void latch_plane(struct gensim *gs, unsigned p)
{
	struct gensim_plane_latch *l = &gs->plane[p];

	l->cntr = gensim_reg_get(gs, HSW_DSPCNTR(p));
	l->stride = gensim_reg_get(gs, HSW_DSPSTRIDE(p));
	l->offset = gensim_reg_get(gs, HSW_DSPOFFSET(p));
	l->surf = gensim_reg_get(gs, HSW_DSPSURF(p));
	l->armed = false;
	gensim_reg_set(gs, HSW_DSPSURFLIVE(p), l->surf);
	gensim_reg_set(gs, HSW_PIPE_FLIPCOUNT(p), gensim_reg_get(gs, HSW_PIPE_FLIPCOUNT(p)) + 1);
}

void gensim_display_reset(struct gensim *gs)
{
	memset(gs->plane, 0, sizeof(gs->plane));
	gs->next_vblank_ns = gs->now_ns + GENSIM_VBLANK_NS;
}

/* @frames vblanks have passed since the last one was handled. */
static void vblank(struct gensim *gs, uint64_t frames)
{
	for (unsigned p = 0; p < HSW_NUM_PIPES; p++) {
		uint32_t bits = HSW_DE_PIPE_VBLANK(p);

		if (!pipe_on(gs, p))
			continue;
		gensim_reg_set(gs, HSW_PIPE_FRMCOUNT(p),
			       gensim_reg_get(gs, HSW_PIPE_FRMCOUNT(p)) + (uint32_t)frames);
		gs->stats.vblanks += frames;
		if (gs->plane[p].armed) {
			latch_plane(gs, p);
			bits |= HSW_DE_PLANE_FLIP_DONE(p);
		}
		gensim_irq_raise_de(gs, bits);
	}
}

void gensim_display_advance(struct gensim *gs, uint64_t new_now)
{
	uint64_t frames;

	if (new_now < gs->next_vblank_ns)
		return;
	/* A long jump forward is one event that counts every frame it covered. */
	frames = (new_now - gs->next_vblank_ns) / GENSIM_VBLANK_NS + 1;
	vblank(gs, frames);
	gs->next_vblank_ns += frames * GENSIM_VBLANK_NS;
}

uint32_t gensim_display_read_dsl(struct gensim *gs, uint32_t off, uint32_t cur)
{
	unsigned p = (off - HSW_PIPEDSL(0)) / HSW_PIPE_STRIDE;
	uint64_t lines = (gensim_reg_get(gs, HSW_VTOTAL(p)) >> 16) + 1u;
	uint64_t into = GENSIM_VBLANK_NS - (gs->next_vblank_ns - gs->now_ns);

	(void)cur;
	if (!pipe_on(gs, p))
		return 0;
	return (uint32_t)(into * lines / GENSIM_VBLANK_NS) & 0xFFFFFu;
}

void gensim_display_write_pipeconf(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	(void)old;
	/* The state bit follows the enable bit at once. */
	if (val & HSW_PIPECONF_ENABLE)
		val |= HSW_PIPECONF_STATE;
	else
		val &= ~HSW_PIPECONF_STATE;
	gensim_reg_set(gs, off, val);
}

void gensim_display_write_dspsurf(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val)
{
	unsigned p = (off - HSW_DSPSURF(0)) / HSW_PIPE_STRIDE;

	(void)old; (void)val;
	/* With the pipe off there is no vblank to wait for. */
	gs->plane[p].armed = true;
	if (!pipe_on(gs, p))
		latch_plane(gs, p);
}

int gensim_scanout(struct gensim *gs, unsigned pipe, struct gensim_image *img)
{
	struct gensim_plane_latch l;
	struct gensim_surface s;
	uint32_t src, w, h, x0, y0;
	unsigned fmt;
	uint8_t *row = NULL;
	int ret = 0;

	memset(img, 0, sizeof(*img));
	if (pipe >= HSW_NUM_PIPES)
		return -EINVAL;
	pthread_mutex_lock(&gs->lock);
	l = gs->plane[pipe];
	src = gensim_reg_get(gs, HSW_PIPESRC(pipe));
	if (!pipe_on(gs, pipe)) {
		ret = -ENODEV;
		goto out;
	}
	if (!(l.cntr & HSW_DSPCNTR_ENABLE)) {
		ret = -ENODATA;
		goto out;
	}
	fmt = (l.cntr & HSW_DSPCNTR_FORMAT_MASK) >> HSW_DSPCNTR_FORMAT_SHIFT;
	if (fmt != HSW_DSPFMT_BGRX888 && fmt != HSW_DSPFMT_RGBX888 && fmt != HSW_DSPFMT_BGRX565) {
		ret = -ENOTSUP;
		goto out;
	}
	w = (src >> 16) + 1u;
	h = (src & 0xFFFFu) + 1u;
	x0 = l.offset & 0xFFFFu;
	y0 = l.offset >> 16;
	s.base = l.surf & HSW_DSPSURF_MASK;
	s.pitch = l.stride;
	s.cpp = fmt == HSW_DSPFMT_BGRX565 ? 2 : 4;
	s.tiled = l.cntr & HSW_DSPCNTR_TILED;
	if (s.tiled && (s.pitch <= 0 || s.pitch % HSW_XTILE_WIDTH)) {
		ret = -EINVAL;
		goto out;
	}
	img->pixels = malloc((size_t)w * h * sizeof(uint32_t));
	row = malloc((size_t)w * s.cpp);
	if (!img->pixels || !row) {
		ret = -ENOMEM;
		goto out;
	}
	img->width = w;
	img->height = h;
	for (uint32_t y = 0; y < h; y++) {
		uint32_t *out = img->pixels + (size_t)y * w;

		if (gensim_surface_row(gs, NULL, &s, x0, y0 + y, row, (size_t)w * s.cpp,
				       GENSIM_READ)) {
			ret = -EFAULT;
			goto out;
		}
		for (uint32_t x = 0; x < w; x++) {
			uint32_t v = 0;

			memcpy(&v, row + (size_t)x * s.cpp, s.cpp);
			out[x] = hsw_pixel_to_xrgb(v, fmt);
		}
	}
out:
	pthread_mutex_unlock(&gs->lock);
	free(row);
	if (ret)
		gensim_image_release(img);
	return ret;
}

void gensim_image_release(struct gensim_image *img)
{
	free(img->pixels);
	memset(img, 0, sizeof(*img));
}

/* SPDX-License-Identifier: MIT */
/*
 * refdrv workloads: an animated scene drawn by the blitter (filled
 * rectangles plus a sprite copied from a buffer uploaded through the
 * aperture) and a stream of store-dword batches on the render ring.
 * The scene's geometry is one function, used both to build the batches
 * and to compute on the CPU what the frame must look like.
 */
#include "refdrv.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"

#define SCENE_RECTS     6u
#define SCENE_BG        0x00183050u
#define BATCH_BYTES     (REFDRV_BATCH_MAX_DWORDS * 4u)

static const uint32_t scene_palette[SCENE_RECTS] = {
	0x00E04040u, 0x0040C040u, 0x004060E0u, 0x00E0C040u, 0x00C040C0u, 0x0040C0C0u,
};

struct rect { uint32_t x1, y1, x2, y2; };

static struct rect scene_rect(unsigned i, uint32_t frame, uint32_t w, uint32_t h)
{
	uint32_t rw = w / 6u + 8u * i, rh = h / 6u + 4u * i;
	struct rect r;

	r.x1 = (i * 97u + frame * (3u + i)) % (w - rw);
	r.y1 = (i * 61u + frame * (2u + i)) % (h - rh);
	r.x2 = r.x1 + rw;
	r.y2 = r.y1 + rh;
	return r;
}

static struct rect sprite_rect(uint32_t frame, uint32_t w, uint32_t h)
{
	struct rect r;

	r.x1 = (frame * 7u) % (w - REFDRV_SPRITE_SIZE);
	r.y1 = (frame * 5u) % (h - REFDRV_SPRITE_SIZE);
	r.x2 = r.x1 + REFDRV_SPRITE_SIZE;
	r.y2 = r.y1 + REFDRV_SPRITE_SIZE;
	return r;
}

static uint32_t sprite_pixel(uint32_t x, uint32_t y)
{
	return 0xFF000000u | (((x * 4u) & 0xFFu) << 16) | (((y * 4u) & 0xFFu) << 8) |
	       (((x ^ y) * 2u) & 0xFFu);
}

int refdrv_scene_init(struct refdrv *d, struct refdrv_scene *s, uint32_t width, uint32_t height)
{
	uint32_t row[REFDRV_SPRITE_SIZE];
	int ret;

	if (width < 2 * REFDRV_SPRITE_SIZE || height < 2 * REFDRV_SPRITE_SIZE ||
	    width > 4096 || height > 4096)
		return -REFDRV_EINVAL;
	s->width = width;
	s->height = height;
	s->stride = width * 4u;
	s->cur = 0;
	ret = refdrv_bo_alloc(d, s->stride * height, true, &s->fb);
	if (!ret)
		ret = refdrv_bo_alloc(d, REFDRV_SPRITE_SIZE * REFDRV_SPRITE_SIZE * 4u, true, &s->sprite);
	if (!ret)
		ret = refdrv_bo_alloc(d, BATCH_BYTES, false, &s->batch[0]);
	if (!ret)
		ret = refdrv_bo_alloc(d, BATCH_BYTES, false, &s->batch[1]);
	if (ret)
		return ret;
	/* The sprite is uploaded by the CPU through the aperture. */
	for (uint32_t y = 0; y < REFDRV_SPRITE_SIZE && !ret; y++) {
		for (uint32_t x = 0; x < REFDRV_SPRITE_SIZE; x++)
			row[x] = sprite_pixel(x, y);
		ret = refdrv_aperture_write(d, &s->sprite, y * REFDRV_SPRITE_SIZE * 4u, row, sizeof(row));
	}
	return ret;
}

int refdrv_scene_start(struct refdrv *d, const struct refdrv_platform *plat,
		       struct refdrv_scene *s, uint32_t width, uint32_t height)
{
	int ret = refdrv_probe(d, plat);

	if (!ret)
		ret = refdrv_init(d);
	if (!ret)
		ret = refdrv_scene_init(d, s, width, height);
	if (!ret)
		ret = refdrv_display_set(d, 0, &s->fb, width, height, s->stride, HSW_DSPFMT_BGRX888);
	return ret;
}

static void emit_fill(struct refdrv_batch *b, const struct refdrv_scene *s, struct rect r,
		      uint32_t color)
{
	refdrv_emit(b, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(b, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | s->stride);
	refdrv_emit(b, (r.y1 << 16) | r.x1);
	refdrv_emit(b, (r.y2 << 16) | r.x2);
	refdrv_emit(b, s->fb.gm);
	refdrv_emit(b, color);
}

int refdrv_scene_draw(struct refdrv *d, struct refdrv_scene *s, uint32_t frame)
{
	struct refdrv_batch b;
	const struct refdrv_bo *bo = &s->batch[s->cur];
	struct rect full = { 0, 0, s->width, s->height };
	struct rect sp = sprite_rect(frame, s->width, s->height);
	uint32_t seqno;
	int ret;

	refdrv_batch_init(&b);
	emit_fill(&b, s, full, SCENE_BG);
	for (unsigned i = 0; i < SCENE_RECTS; i++)
		emit_fill(&b, s, scene_rect(i, frame, s->width, s->height), scene_palette[i]);
	refdrv_emit(&b, HSW_XY_SRC_COPY_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(&b, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_SRCCOPY << HSW_BR13_ROP_SHIFT) | s->stride);
	refdrv_emit(&b, (sp.y1 << 16) | sp.x1);
	refdrv_emit(&b, (sp.y2 << 16) | sp.x2);
	refdrv_emit(&b, s->fb.gm);
	refdrv_emit(&b, 0);
	refdrv_emit(&b, REFDRV_SPRITE_SIZE * 4u);
	refdrv_emit(&b, s->sprite.gm);

	ret = refdrv_batch_finish(d, &b, bo);
	if (!ret)
		ret = refdrv_submit(d, REFDRV_BCS, bo, &seqno);
	if (!ret)
		ret = refdrv_wait_seqno(d, REFDRV_BCS, seqno);
	s->cur ^= 1u;
	return ret;
}

void refdrv_scene_expected(uint32_t frame, uint32_t width, uint32_t height, uint32_t *pixels)
{
	struct rect sp = sprite_rect(frame, width, height);

	for (uint32_t i = 0; i < width * height; i++)
		pixels[i] = SCENE_BG;
	for (unsigned i = 0; i < SCENE_RECTS; i++) {
		struct rect r = scene_rect(i, frame, width, height);

		for (uint32_t y = r.y1; y < r.y2; y++)
			for (uint32_t x = r.x1; x < r.x2; x++)
				pixels[y * width + x] = scene_palette[i];
	}
	for (uint32_t y = sp.y1; y < sp.y2; y++)
		for (uint32_t x = sp.x1; x < sp.x2; x++)
			pixels[y * width + x] = sprite_pixel(x - sp.x1, y - sp.y1) & 0x00FFFFFFu;
}

static uint32_t store_value(uint32_t batch, uint32_t i)
{
	return (batch * 0x9E3779B1u) ^ (i * 0x85EBCA77u) ^ 0xA5A5A5A5u;
}

long refdrv_store_stream(struct refdrv *d, const struct refdrv_bo *batch,
			 const struct refdrv_bo *buf, uint32_t batches, uint32_t per_batch)
{
	uint32_t chunk[64];
	long wrong = 0;

	if (!per_batch || per_batch > REFDRV_STORES_MAX || per_batch * 4u > buf->size ||
	    batch->size < BATCH_BYTES)
		return -REFDRV_EINVAL;
	for (uint32_t n = 0; n < batches; n++) {
		struct refdrv_batch b;
		uint32_t seqno;
		int ret;

		refdrv_batch_init(&b);
		for (uint32_t i = 0; i < per_batch; i++) {
			refdrv_emit(&b, HSW_MI_STORE_DATA_IMM | HSW_MI_USE_GGTT);
			refdrv_emit(&b, 0);
			refdrv_emit(&b, buf->gm + 4u * i);
			refdrv_emit(&b, store_value(n, i));
		}
		ret = refdrv_batch_finish(d, &b, batch);
		if (!ret)
			ret = refdrv_submit(d, REFDRV_RCS, batch, &seqno);
		if (!ret)
			ret = refdrv_wait_seqno(d, REFDRV_RCS, seqno);
		if (ret)
			return ret;
		for (uint32_t i = 0; i < per_batch; i += 64u) {
			uint32_t k = per_batch - i < 64u ? per_batch - i : 64u;

			refdrv_bo_read(d, buf, 4u * i, chunk, 4u * k);
			for (uint32_t j = 0; j < k; j++)
				wrong += chunk[j] != store_value(n, i + j);
		}
	}
	return wrong;
}

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

/* Each identity gets its own tint of the palette (identity 0: none). */
static uint32_t scene_color(uint32_t color, uint32_t identity)
{
	uint32_t h = identity * 0x9E3779B1u;

	return (color ^ (h >> 8)) & 0x00FFFFFFu;
}

/*
 * The identity drawn as decimal digits from a 3x5 font, each cell a
 * LABEL_SCALE-pixel square, on a black box at the top-left corner.  Each
 * row's run of set cells is one rectangle, so the blitter and the CPU draw
 * the same list of rectangles.
 */
#define LABEL_SCALE     4u
#define LABEL_MARGIN    4u
#define LABEL_DIGITS    10u             /* a uint32_t has at most ten */
#define LABEL_RECTS_MAX (1u + LABEL_DIGITS * 5u * 2u)
#define LABEL_BG        0x00000000u
#define LABEL_FG        0x00FFFFFFu

/* Rows top to bottom, bit 2 the left column. */
static const uint8_t label_font[10][5] = {
	{ 7, 5, 5, 5, 7 }, { 2, 6, 2, 2, 7 }, { 7, 1, 7, 4, 7 }, { 7, 1, 7, 1, 7 },
	{ 5, 5, 7, 1, 1 }, { 7, 4, 7, 1, 7 }, { 7, 4, 7, 5, 7 }, { 7, 1, 1, 1, 1 },
	{ 7, 5, 7, 5, 7 }, { 7, 5, 7, 1, 7 },
};

/*
 * Fills @r (LABEL_RECTS_MAX) with the label: the box first, then the digits,
 * cut at @width (a ten-digit identity is wider than the narrowest scene).
 */
static unsigned label_rects(uint32_t identity, uint32_t width, struct rect *r)
{
	char digits[LABEL_DIGITS];
	unsigned n = 0, len = 0;

	do {
		digits[len++] = (char)(identity % 10u);
		identity /= 10u;
	} while (identity);
	r[n++] = (struct rect){ 0, 0, 2 * LABEL_MARGIN + len * 4u * LABEL_SCALE - LABEL_SCALE,
				2 * LABEL_MARGIN + 5u * LABEL_SCALE };
	for (unsigned i = 0; i < len; i++) {
		const uint8_t *glyph = label_font[(unsigned)digits[len - 1 - i]];
		uint32_t x0 = LABEL_MARGIN + i * 4u * LABEL_SCALE;

		for (unsigned row = 0; row < 5; row++) {
			uint32_t y = LABEL_MARGIN + row * LABEL_SCALE;

			for (unsigned col = 0; col < 3; ) {
				unsigned end = col;

				while (end < 3 && (glyph[row] & (4u >> end)))
					end++;
				if (end > col && x0 + col * LABEL_SCALE < width)
					r[n++] = (struct rect){ x0 + col * LABEL_SCALE, y,
								x0 + end * LABEL_SCALE, y + LABEL_SCALE };
				col = end + 1;
			}
		}
	}
	for (unsigned i = 0; i < n; i++)
		r[i].x2 = r[i].x2 < width ? r[i].x2 : width;
	return n;
}

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
	s->identity = d->vgpu ? d->vgpu_id : 0;
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
	struct rect label[LABEL_RECTS_MAX];
	unsigned nlabel = label_rects(s->identity, s->width, label);
	uint32_t seqno;
	int ret;

	refdrv_batch_init(&b);
	emit_fill(&b, s, full, scene_color(SCENE_BG, s->identity));
	for (unsigned i = 0; i < SCENE_RECTS; i++)
		emit_fill(&b, s, scene_rect(i, frame, s->width, s->height),
			  scene_color(scene_palette[i], s->identity));
	refdrv_emit(&b, HSW_XY_SRC_COPY_BLT | HSW_BLT_WRITE_RGBA);
	refdrv_emit(&b, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_SRCCOPY << HSW_BR13_ROP_SHIFT) | s->stride);
	refdrv_emit(&b, (sp.y1 << 16) | sp.x1);
	refdrv_emit(&b, (sp.y2 << 16) | sp.x2);
	refdrv_emit(&b, s->fb.gm);
	refdrv_emit(&b, 0);
	refdrv_emit(&b, REFDRV_SPRITE_SIZE * 4u);
	refdrv_emit(&b, s->sprite.gm);
	for (unsigned i = 0; i < nlabel; i++)
		emit_fill(&b, s, label[i], i ? LABEL_FG : LABEL_BG);

	ret = refdrv_batch_finish(d, &b, bo);
	if (!ret)
		ret = refdrv_submit(d, REFDRV_BCS, bo, &seqno);
	if (!ret)
		ret = refdrv_wait_seqno(d, REFDRV_BCS, seqno);
	s->cur ^= 1u;
	return ret;
}

static void fill_pixels(uint32_t *pixels, uint32_t width, struct rect r, uint32_t color)
{
	for (uint32_t y = r.y1; y < r.y2; y++)
		for (uint32_t x = r.x1; x < r.x2; x++)
			pixels[y * width + x] = color;
}

void refdrv_scene_expected(uint32_t frame, uint32_t identity, uint32_t width, uint32_t height,
			   uint32_t *pixels)
{
	struct rect sp = sprite_rect(frame, width, height);
	struct rect label[LABEL_RECTS_MAX];
	unsigned nlabel = label_rects(identity, width, label);

	fill_pixels(pixels, width, (struct rect){ 0, 0, width, height },
		    scene_color(SCENE_BG, identity));
	for (unsigned i = 0; i < SCENE_RECTS; i++)
		fill_pixels(pixels, width, scene_rect(i, frame, width, height),
			    scene_color(scene_palette[i], identity));
	for (uint32_t y = sp.y1; y < sp.y2; y++)
		for (uint32_t x = sp.x1; x < sp.x2; x++)
			pixels[y * width + x] = sprite_pixel(x - sp.x1, y - sp.y1) & 0x00FFFFFFu;
	for (unsigned i = 0; i < nlabel; i++)
		fill_pixels(pixels, width, label[i], i ? LABEL_FG : LABEL_BG);
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

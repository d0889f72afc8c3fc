/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: command buffers through the auditor.  The attacker's
 * reference driver is up (rings, status pages, a data buffer and a batch
 * buffer: the world's pristine state, see fz_setup_driver); the input
 * becomes a batch buffer or raw ring commands on the render or blitter
 * engine, is submitted, and everything the audit lets through runs on
 * gensim.  No command may escape the audit: the shared invariants (victim
 * memory, GTT and fences outside the attacker, no GPU command error) must
 * hold.
 *
 * Input: [mode] then dwords.  mode bit 0: blitter instead of render;
 * bit 1: raw ring commands instead of a batch.  A dword 0xB0B0xxxx stands
 * for "the attacker's data buffer + xxxx" and 0xBA7Cxxxx for "this batch
 * + xxxx", so that mutations keep reaching valid addresses.
 *
 * Blits are bounded in pixel volume (FZ_CMD_BLIT_PIXELS in all, at most
 * FZ_CMD_BLIT_ROWS rows each): gensim draws a blit in one go, at tens of
 * nanoseconds a pixel under the sanitizers, and the mutator readily makes
 * rectangles of millions of pixels that would take most of the time while
 * exercising nothing new.  The address arithmetic the audit checks (base,
 * pitch times rows, width) still reaches every slice edge within the bound.
 */
#include "fuzz_env.h"
#include "hsw/hsw_cmds.h"
#include "refdrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CMD_BLIT_PIXELS (64u * 1024u)
#define FZ_CMD_BLIT_ROWS   2048u

FZ_HARNESS static uint32_t fix(uint32_t dw, const struct refdrv_bo *buf, const struct refdrv_bo *batch)
{
	if ((dw >> 16) == 0xB0B0u)
		return buf->gm + (dw & 0xFFFFu);
	if ((dw >> 16) == 0xBA7Cu)
		return batch->gm + (dw & 0xFFFFu);
	return dw;
}

/*
 * Whether the blits the dwords could hold stay within the bound.  Every
 * dword is taken as a possible blitter header, command boundaries or not:
 * what the engine decodes is among them, second-level and chained batches
 * being these same dwords.
 */
FZ_HARNESS static bool blits_bounded(const uint32_t *dw, uint32_t n)
{
	uint64_t pixels = 0;

	for (uint32_t i = 0; i + 3 < n; i++) {
		uint32_t op = (dw[i] >> 22) & 0x7Fu, x1, y1, x2, y2;

		if ((dw[i] >> 29) != 2u ||
		    (op != HSW_XY_COLOR_BLT_OP && op != HSW_XY_SRC_COPY_BLT_OP))
			continue;
		x1 = dw[i + 2] & 0xFFFFu;
		y1 = dw[i + 2] >> 16;
		x2 = dw[i + 3] & 0xFFFFu;
		y2 = dw[i + 3] >> 16;
		if (x2 <= x1 || y2 <= y1)
			continue;
		if (y2 - y1 > FZ_CMD_BLIT_ROWS)
			return false;
		pixels += (uint64_t)(x2 - x1) * (y2 - y1);
	}
	return pixels <= FZ_CMD_BLIT_PIXELS;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct refdrv d;
	static struct refdrv_batch b;
	struct fz_in in = { data, size };
	struct fz_env *e;
	unsigned mode;
	enum refdrv_engine eng;

	mode = (unsigned)fz_take(&in, 1);
	eng = (mode & 1) ? REFDRV_BCS : REFDRV_RCS;
	refdrv_batch_init(&b);
	while (in.n >= 4 && b.len < REFDRV_BATCH_MAX_DWORDS - 2)
		refdrv_emit(&b, (uint32_t)fz_take(&in, 4));
	if (!blits_bounded(b.dw, b.len))
		return fz_reject();
	e = fz_setup_driver(&d);
	for (uint32_t i = 0; i < b.len; i++)
		b.dw[i] = fix(b.dw[i], &e->buf, &e->batch);
	if (mode & 2) {
		/* Raw ring commands, TAIL moved past them (qword aligned). */
		struct refdrv_ring *r = &d.ring[eng];
		uint32_t bytes = (b.len * 4u + 7u) & ~7u, rsize = r->ring.size;

		for (uint32_t i = 0; i < bytes / 4u; i++) {
			uint32_t dw = i < b.len ? b.dw[i] : HSW_MI_NOOP;

			refdrv_bo_write(&d, &r->ring, (r->tail + 4 * i) % rsize, &dw, 4);
		}
		r->tail = (r->tail + bytes) % rsize;
		refdrv_write(&d, HSW_RING_TAIL(r->base), r->tail);
	} else {
		uint32_t seqno;

		if (!refdrv_batch_finish(&d, &b, &e->batch))
			refdrv_submit(&d, eng, &e->batch, &seqno);
	}
	for (int i = 0; i < 200 && vgt_host_run(e->host, 4096) > 0; i++)
		;
	fz_check(e);
	fz_teardown(e);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: command buffers through the auditor.  The attacker's
 * reference driver is up (rings, status pages); the input becomes a batch
 * buffer or raw ring commands on the render or blitter engine, is
 * submitted, and everything the audit lets through runs on gensim.  No
 * command may escape the audit: the shared invariants (victim memory, GTT
 * and fences outside the attacker, no GPU command error) must hold.
 *
 * Input: [mode] then dwords.  mode bit 0: blitter instead of render;
 * bit 1: raw ring commands instead of a batch.  A dword 0xB0B0xxxx stands
 * for "the attacker's data buffer + xxxx" and 0xBA7Cxxxx for "this batch
 * + xxxx", so that mutations keep reaching valid addresses.
 */
#include "fuzz_env.h"
#include "hsw/hsw_cmds.h"
#include "refdrv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint32_t fix(uint32_t dw, const struct refdrv_bo *buf, const struct refdrv_bo *batch)
{
	if ((dw >> 16) == 0xB0B0u)
		return buf->gm + (dw & 0xFFFFu);
	if ((dw >> 16) == 0xBA7Cu)
		return batch->gm + (dw & 0xFFFFu);
	return dw;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct refdrv *d = calloc(1, sizeof(*d));
	struct refdrv_batch *b = calloc(1, sizeof(*b));
	struct refdrv_bo buf, batch;
	struct fz_env *e;
	unsigned mode;
	enum refdrv_engine eng;

	if (!d || !b)
		abort();
	e = fz_setup();
	mode = (unsigned)fz_take(&in, 1);
	eng = (mode & 1) ? REFDRV_BCS : REFDRV_RCS;
	if (refdrv_probe(d, &e->attacker.plat) || refdrv_init(d) ||
	    refdrv_bo_alloc(d, 64 * 1024, true, &buf) || refdrv_bo_alloc(d, 64 * 1024, false, &batch))
		FZ_CHECK(0, "the attacker's driver did not come up: %s", refdrv_strerror(d));
	refdrv_batch_init(b);
	while (in.n >= 4 && b->len < REFDRV_BATCH_MAX_DWORDS - 2)
		refdrv_emit(b, fix((uint32_t)fz_take(&in, 4), &buf, &batch));
	if (mode & 2) {
		/* Raw ring commands, TAIL moved past them (qword aligned). */
		struct refdrv_ring *r = &d->ring[eng];
		uint32_t bytes = (b->len * 4u + 7u) & ~7u, size = r->ring.size;

		for (uint32_t i = 0; i < bytes / 4u; i++) {
			uint32_t dw = i < b->len ? b->dw[i] : HSW_MI_NOOP;

			refdrv_bo_write(d, &r->ring, (r->tail + 4 * i) % size, &dw, 4);
		}
		r->tail = (r->tail + bytes) % size;
		refdrv_write(d, HSW_RING_TAIL(r->base), r->tail);
	} else {
		uint32_t seqno;

		if (!refdrv_batch_finish(d, b, &batch))
			refdrv_submit(d, eng, &batch, &seqno);
	}
	for (int i = 0; i < 200 && vgt_host_run(e->host, 4096) > 0; i++)
		;
	fz_check(e);
	fz_teardown(e);
	free(b);
	free(d);
	return 0;
}

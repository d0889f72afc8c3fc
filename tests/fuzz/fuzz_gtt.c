/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: GTT write sequences.  Input: records of [size][index:4]
 * [pte:8]; indices are biased into the attacker's own slices and their
 * edges, where translation happens.
 */
#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned sizes[] = { 4, 8, 4, 1, 2, 8 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_env *e;

	e = fz_setup();
	while (in.n) {
		unsigned sel = (unsigned)fz_take(&in, 1);
		uint32_t raw = (uint32_t)fz_take(&in, 4);
		uint64_t pte = fz_take(&in, 8);
		uint64_t idx;

		switch (sel >> 4 & 3) {
		case 0: idx = (e->ai.low.base >> 12) + raw % (e->ai.low.size >> 12); break;
		case 1: idx = (e->ai.high.base >> 12) + raw % (e->ai.high.size >> 12); break;
		case 2: idx = (e->ai.low.base >> 12) + (raw & 7) - 4; break;   /* edges */
		default: idx = raw % (HSW_GTT_ENTRIES + 16); break;
		}
		vgt_vgpu_mmio_write(e->attacker.vgpu, 0, HSW_GTT_OFFSET + 4 * idx + (sel >> 6),
				    sizes[sel % 6], pte);
	}
	fz_check(e);
	fz_teardown(e);
	return 0;
}

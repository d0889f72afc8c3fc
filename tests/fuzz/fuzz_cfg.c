/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: PCI config-space sequences (BAR sizing and moves, command
 * register, MSI, FLR).  Input: records of [size][offset:2][value:4].
 * Besides the shared invariants, the function's identity and BAR size
 * masks must survive anything.
 */
#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned sizes[] = { 4, 2, 1, 4, 3, 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_env *e;
	uint32_t v = 0;

	e = fz_setup();
	while (in.n) {
		unsigned sz = sizes[fz_take(&in, 1) % 6];
		uint32_t off = (uint32_t)fz_take(&in, 2) % 4200, val = (uint32_t)fz_take(&in, 4);

		vgt_vgpu_cfg_write(e->attacker.vgpu, off, sz, val);
		vgt_vgpu_cfg_read(e->attacker.vgpu, off, sz, &v);
	}
	vgt_vgpu_cfg_read(e->attacker.vgpu, 0, 4, &v);
	FZ_CHECK(v == 0x04128086u, "the vendor/device ID changed to 0x%08x", v);
	vgt_vgpu_cfg_write(e->attacker.vgpu, 0x10, 4, 0xFFFFFFFFu);
	vgt_vgpu_cfg_read(e->attacker.vgpu, 0x10, 4, &v);
	FZ_CHECK(v == 0xFFC00004u, "BAR0 sizes as 0x%08x", v);
	vgt_vgpu_cfg_write(e->attacker.vgpu, 0x20, 4, 0xFFFFFFFFu);
	vgt_vgpu_cfg_read(e->attacker.vgpu, 0x20, 4, &v);
	FZ_CHECK(v == 0xFFFFFFC1u, "BAR4 sizes as 0x%08x", v);
	fz_check(e);
	fz_teardown(e);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: any sequence of MMIO (BAR0 registers and GTT, BAR2
 * aperture), config-space and port accesses from a guest, with the
 * mediator and the GPU running in between.  Input: records of
 * [op][size][offset:4][value:8].
 */
#include "fuzz_env.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned sizes[] = { 4, 4, 8, 1, 2, 3, 0, 16 };

/* Offsets worth hitting more often than chance would. */
static const uint32_t hot[] = {
	HSW_RING_TAIL(HSW_RCS_BASE), HSW_RING_HEAD(HSW_RCS_BASE), HSW_RING_START(HSW_RCS_BASE),
	HSW_RING_CTL(HSW_RCS_BASE), HSW_RING_MI_MODE(HSW_RCS_BASE), HSW_RING_TAIL(HSW_BCS_BASE),
	HSW_RING_CTL(HSW_BCS_BASE), HSW_RCS_HWS_PGA, HSW_BCS_HWS_PGA, HSW_GDRST, HSW_FORCEWAKE_MT,
	HSW_GTIIR, HSW_GTIMR, HSW_GTIER, HSW_DEIER, HSW_DEIIR, HSW_FENCE_LO(0), HSW_FENCE_HI(1),
	HSW_PIPECONF(0), HSW_DSPSURF(0), HSW_PVINFO_PAGE + 0x40, HSW_PVINFO_PAGE + 0x804,
	HSW_PVINFO_PAGE + 0x808, HSW_GTT_OFFSET, HSW_BAR0_SIZE - 4,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct fz_env *e;
	struct vgt_vgpu *a;

	e = fz_setup();
	a = e->attacker.vgpu;
	while (in.n) {
		unsigned op = (unsigned)fz_take(&in, 1), sz = sizes[fz_take(&in, 1) % 8];
		uint32_t raw = (uint32_t)fz_take(&in, 4);
		uint64_t val = fz_take(&in, 8), v = 0;
		uint32_t off = (op & 0x80) ? hot[raw % (sizeof(hot) / sizeof(hot[0]))] + (raw >> 24 & 3)
					   : raw % (HSW_BAR0_SIZE + 4096);
		uint32_t v32 = 0;

		switch (op & 7) {
		case 0: vgt_vgpu_mmio_read(a, 0, off, sz, &v); break;
		case 1: vgt_vgpu_mmio_write(a, 0, off, sz, val); break;
		case 2: vgt_vgpu_mmio_read(a, 2, raw % (e->hi.hw.aperture_size + 4096), sz, &v); break;
		case 3: vgt_vgpu_mmio_write(a, 2, raw % (e->hi.hw.aperture_size + 4096), sz, val); break;
		case 4: vgt_vgpu_cfg_read(a, raw % 4200, sz, &v32); break;
		case 5: vgt_vgpu_cfg_write(a, raw % 4200, sz, (uint32_t)val); break;
		case 6:
			if (val & 1)
				vgt_vgpu_pio_write(a, raw % 12, sz, (uint32_t)(val >> 1));
			else
				vgt_vgpu_pio_read(a, raw % 12, sz, &v32);
			break;
		default:
			vgt_host_run(e->host, 512);
			break;
		}
	}
	for (int i = 0; i < 64 && vgt_host_run(e->host, 4096) > 0; i++)
		;
	fz_check(e);
	fz_teardown(e);
	return 0;
}

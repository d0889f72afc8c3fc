/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: any sequence of MMIO (BAR0 registers and GTT, BAR2
 * aperture), config-space and port accesses from a guest, and of writes
 * of its CPU to its own RAM (ring and batch contents), with the mediator
 * and the GPU running in between.  Input: records of
 * [op][size][offset:4][value:8].
 *
 * op bits 2:0: 0 BAR0 read, 1 BAR0 write, 2 BAR2 read, 3 BAR2 write,
 * 4 config read, 5 config write, 6 port access (value bit 0: write) or,
 * with bit 6, a RAM write, 7 let the host and the GPU run.
 * op bit 7: the offset picks a register worth hitting (hot[]).
 * op bit 6: the offset is relative to the attacker's own memory: an entry
 * of its own GTT (BAR0 GTT half) or of its aperture window (BAR2).
 * op bit 5: the value's low 32 bits are an offset into its own graphics
 * memory (a ring start, a surface, a fence, a batch address).
 * Seeds converted from recorded sessions (make-seeds.py) use bits 6 and 5
 * so that they reach the attacker's memory whatever the layout.
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
		uint64_t off = (op & 0x80) ? hot[raw % (sizeof(hot) / sizeof(hot[0]))] + (raw >> 24 & 3)
					   : raw % (HSW_BAR0_SIZE + 4096);
		uint64_t ap = raw % (e->hi.hw.aperture_size + 4096);
		uint32_t v32 = 0;

		if (op & 0x40) {
			off = fz_gtt_offset(e, off);
			ap = fz_aperture_offset(e, raw);
		}
		if (op & 0x20)
			val = fz_gm_value(e, val);
		switch (op & 7) {
		case 0: vgt_vgpu_mmio_read(a, 0, off, sz, &v); break;
		case 1: vgt_vgpu_mmio_write(a, 0, off, sz, val); break;
		case 2: vgt_vgpu_mmio_read(a, 2, ap, sz, &v); break;
		case 3: vgt_vgpu_mmio_write(a, 2, ap, sz, val); break;
		case 4: vgt_vgpu_cfg_read(a, raw % 4200, sz, &v32); break;
		case 5: vgt_vgpu_cfg_write(a, raw % 4200, sz, (uint32_t)val); break;
		case 6:
			if (op & 0x40) {
				/* What the guest's CPU writes to its RAM, as the transport records it. */
				uint64_t gpa = raw % FZ_ATTACK_SIZE;
				size_t n = sz < 8 ? sz : 8;

				if (n > FZ_ATTACK_SIZE - gpa)
					n = FZ_ATTACK_SIZE - gpa;
				fz_ram_touched(e, gpa, n);
				vgt_inproc_ram_write(&e->attacker, gpa, &val, n);
			} else if (val & 1) {
				vgt_vgpu_pio_write(a, raw % 12, sz, (uint32_t)(val >> 1));
			} else {
				vgt_vgpu_pio_read(a, raw % 12, sz, &v32);
			}
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

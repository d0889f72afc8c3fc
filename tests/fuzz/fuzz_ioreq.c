/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ioreq pages a hypervisor (or anything that can write
 * them) hands the Xen transport.  Input: records of [kind:1] and either a
 * raw 32-byte ioreq_t for the synchronous slot (its state forced to READY)
 * or [read_pointer:4][write_pointer:4][slots:1] and that many raw 8-byte
 * buffered slots.  The dispatcher serves the attacker's vGPU; guest memory
 * for data_is_ptr requests is the attacker's RAM only.
 *
 * For a synchronous request, kind bit 1 makes a memory address relative to
 * the attacker's own memory (an entry of its GTT in BAR0's GTT half, an
 * offset into its aperture window in BAR2), and kind bit 2 makes the low
 * 32 bits of the data an offset into its graphics memory (fuzz_env.h):
 * mutations and seeds converted from recorded sessions (make-seeds.py)
 * keep reaching it whatever the layout.
 *
 * Invariants: the shared ones (host GTT, fences, the victim's memory), a
 * served slot always ends IORESP_READY, the buffered ring always ends
 * drained, and requests are all accounted for.
 */
#include "fuzz_env.h"
#include "ioreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

FZ_HARNESS static int at_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct fz_env *e = opaque;

	if (gpa > FZ_ATTACK_SIZE || len > FZ_ATTACK_SIZE - gpa)
		return -14;
	return gensim_mem_read(e->gs, FZ_ATTACK_RAM + gpa, buf, len);
}

FZ_HARNESS static int at_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct fz_env *e = opaque;

	if (gpa > FZ_ATTACK_SIZE || len > FZ_ATTACK_SIZE - gpa)
		return -14;
	/* What the dispatcher writes into guest memory is cleared after the input. */
	fz_ram_touched(e, gpa, len);
	return gensim_mem_write(e->gs, FZ_ATTACK_RAM + gpa, buf, len);
}

/* Where the transport sees BAR2 (BAR0 is at 0, BAR4 at port 0xC000). */
#define FZ_BAR2      0x40000000ull
#define FZ_BAR2_SIZE (128ull << 20)

static const struct vgt_transport_ops at_mem = { .read_gpa = at_read, .write_gpa = at_write };

static shared_iopage_t shared __attribute__((aligned(4096)));
static buffered_iopage_t buffered __attribute__((aligned(4096)));

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz_in in = { data, size };
	struct vgt_ioreq_dev dev;
	struct vgt_ioreq_stats st;
	struct fz_env *e;
	unsigned served = 0;

	e = fz_setup();
	vgt_ioreq_dev_init(&dev, e->attacker.vgpu, vgt_ioreq_sbdf(0, 0, 2, 0), &at_mem, e);
	/* BAR0 low, so that 20-bit buffered addresses reach registers and GTT. */
	vgt_ioreq_set_bar(&dev, 0, 0, HSW_BAR0_SIZE, true);
	vgt_ioreq_set_bar(&dev, 2, FZ_BAR2, FZ_BAR2_SIZE, true);
	vgt_ioreq_set_bar(&dev, 4, 0xC000, 64, true);
	while (in.n) {
		uint8_t kind = (uint8_t)fz_take(&in, 1);

		if (!(kind & 1)) {
			ioreq_t *s = &shared.vcpu_ioreq[0];
			uint8_t raw[sizeof(ioreq_t)];

			fz_take_bytes(&in, raw, sizeof(raw));
			memcpy(s, raw, sizeof(raw));
			s->state = STATE_IOREQ_READY;
			if ((kind & 2) && s->type == IOREQ_TYPE_COPY) {
				if (s->addr < HSW_BAR0_SIZE)
					s->addr = fz_gtt_offset(e, s->addr);
				else if (s->addr - FZ_BAR2 < FZ_BAR2_SIZE)
					s->addr = FZ_BAR2 + fz_aperture_offset(e, s->addr - FZ_BAR2);
			}
			if ((kind & 4) && !s->data_is_ptr)
				s->data = fz_gm_value(e, s->data);
			FZ_CHECK(vgt_ioreq_service_slot(&dev, s), "a READY request was not served");
			FZ_CHECK(s->state == STATE_IORESP_READY, "slot left in state %u", s->state);
			served++;
		} else {
			uint32_t rp = (uint32_t)fz_take(&in, 4), wp = (uint32_t)fz_take(&in, 4);
			unsigned n = (unsigned)fz_take(&in, 1);

			buffered.read_pointer = rp;
			buffered.write_pointer = wp;
			for (unsigned i = 0; i < n; i++) {
				uint64_t raw = fz_take(&in, 8);

				memcpy(&buffered.buf_ioreq[(rp + i) % IOREQ_BUFFER_SLOT_NUM], &raw, 8);
			}
			vgt_ioreq_drain_buffered(&dev, &buffered);
			FZ_CHECK(buffered.read_pointer == buffered.write_pointer,
				 "the buffered ring was left with %u requests",
				 buffered.write_pointer - buffered.read_pointer);
		}
	}
	/* What the requests submitted runs, so that its effects are checked too. */
	for (int i = 0; i < 64 && vgt_host_run(e->host, 4096) > 0; i++)
		;
	vgt_ioreq_get_stats(&dev, &st);
	FZ_CHECK(st.mmio + st.pio + st.cfg + st.malformed + st.unclaimed + st.invalidate +
		 st.timeoffset + st.mem_faults >= served,
		 "%u requests served, fewer accounted for", served);
	fz_check(e);
	fz_teardown(e);
	return 0;
}

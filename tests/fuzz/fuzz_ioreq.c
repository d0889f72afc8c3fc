/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the ioreq pages a hypervisor (or anything that can write
 * them) hands the Xen transport.  Input: records of [kind:1] and either a
 * raw 32-byte ioreq_t for the synchronous slot (its state forced to READY)
 * or [read_pointer:4][write_pointer:4][slots:1] and that many raw 8-byte
 * buffered slots.  The dispatcher serves the attacker's vGPU; guest memory
 * for data_is_ptr requests is the attacker's RAM only.
 *
 * Invariants: the shared ones (host GTT, fences, the victim's memory), a
 * served slot always ends IORESP_READY, the buffered ring always ends
 * drained, and requests are all accounted for.
 */
#include "fuzz_env.h"
#include "ioreq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int at_read(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct fz_env *e = opaque;

	if (gpa > FZ_ATTACK_SIZE || len > FZ_ATTACK_SIZE - gpa)
		return -14;
	return gensim_mem_read(e->gs, FZ_ATTACK_RAM + gpa, buf, len);
}

static int at_write(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct fz_env *e = opaque;

	if (gpa > FZ_ATTACK_SIZE || len > FZ_ATTACK_SIZE - gpa)
		return -14;
	return gensim_mem_write(e->gs, FZ_ATTACK_RAM + gpa, buf, len);
}

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
	vgt_ioreq_set_bar(&dev, 2, 0x40000000ull, 128ull << 20, true);
	vgt_ioreq_set_bar(&dev, 4, 0xC000, 64, true);
	while (in.n) {
		uint8_t kind = (uint8_t)fz_take(&in, 1);

		if (!(kind & 1)) {
			ioreq_t *s = &shared.vcpu_ioreq[0];
			uint8_t raw[sizeof(ioreq_t)] = { 0 };

			for (size_t i = 0; i < sizeof(raw); i++)
				raw[i] = (uint8_t)fz_take(&in, 1);
			memcpy(s, raw, sizeof(raw));
			s->state = STATE_IOREQ_READY;
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
	vgt_ioreq_get_stats(&dev, &st);
	FZ_CHECK(st.mmio + st.pio + st.cfg + st.malformed + st.unclaimed + st.invalidate +
		 st.timeoffset + st.mem_faults >= served,
		 "%u requests served, fewer accounted for", served);
	fz_check(e);
	fz_teardown(e);
	return 0;
}

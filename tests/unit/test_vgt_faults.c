/* SPDX-License-Identifier: MIT */
/*
 * Faults: a domain destroyed while its workloads are queued and running.
 * The other domains keep running, nothing they completed is lost or
 * repeated, and the destroyed domain's resources return to the host.
 */
#include "core_harness.h"
#include "hsw/hsw_cmds.h"

static void fill_batch(struct refdrv *d, struct refdrv_bo *target, struct refdrv_bo *batch,
		       uint32_t rows)
{
	struct refdrv_batch *b = malloc(sizeof(*b));

	assert_non_null(b);
	assert_int_equal(refdrv_bo_alloc(d, 1024u * rows, false, target), 0);
	assert_int_equal(refdrv_bo_alloc(d, 8192, false, batch), 0);
	refdrv_batch_init(b);
	for (unsigned k = 0; k < 8; k++) {
		refdrv_emit(b, HSW_XY_COLOR_BLT | HSW_BLT_WRITE_RGBA);
		refdrv_emit(b, HSW_BR13_32BPP | ((uint32_t)HSW_ROP_PATCOPY << HSW_BR13_ROP_SHIFT) | 1024u);
		refdrv_emit(b, 0);
		refdrv_emit(b, (rows << 16) | 256u);
		refdrv_emit(b, target->gm);
		refdrv_emit(b, k);
	}
	assert_int_equal(refdrv_batch_finish(d, b, batch), 0);
	free(b);
}

static void run_until(struct core_harness *h, struct refdrv *d, enum refdrv_engine e, uint32_t seqno)
{
	for (int i = 0; i < 100000; i++) {
		if ((int32_t)(refdrv_completed_seqno(d, e) - seqno) >= 0)
			return;
		if (vgt_host_run(h->host, 4096) == 0) {
			gensim_advance_time(h->gs, 1000000);
			vgt_host_poll(h->host);
		}
	}
	fail_msg("seqno %u never completed", seqno);
}

static void test_domain_destroyed_with_work_queued(void **state)
{
	struct core_harness h;
	struct refdrv *d = calloc(2, sizeof(*d));
	struct refdrv_bo tgt[2], bat[2];
	struct vgt_host_info before, after;
	struct vgt_vgpu_info vi;
	uint32_t seq = 0, victim_seqs[40];
	uint64_t victim_completed;

	(void)state;
	assert_non_null(d);
	ch_create(&h);
	vgt_host_get_info(h.host, &before);
	ch_add_guest(&h, "vgt-64");             /* the victim keeps working */
	ch_add_guest(&h, "vgt-64");             /* the one that goes away */
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(refdrv_probe(&d[i], &h.guest[i].plat), 0);
		assert_int_equal(refdrv_init(&d[i]), 0);
		fill_batch(&d[i], &tgt[i], &bat[i], 64);
	}
	/* Both queue work on the blitter; some of it runs. */
	for (unsigned k = 0; k < 20; k++) {
		assert_int_equal(refdrv_submit(&d[0], REFDRV_BCS, &bat[0], &victim_seqs[k]), 0);
		assert_int_equal(refdrv_submit(&d[1], REFDRV_BCS, &bat[1], &seq), 0);
	}
	for (int i = 0; i < 6; i++)
		vgt_host_run(h.host, 64);
	vgt_vgpu_get_info(h.guest[1].vgpu, &vi);
	assert_true(vi.workloads_submitted > vi.workloads_completed);   /* work still pending */

	/* The domain is destroyed: its queue goes, what it ran is stopped. */
	vgt_inproc_guest_fini(&h.guest[1]);
	h.nguests = 1;

	/* The victim finishes everything it submitted, then more. */
	run_until(&h, &d[0], REFDRV_BCS, victim_seqs[19]);
	for (unsigned k = 20; k < 40; k++)
		assert_int_equal(refdrv_submit(&d[0], REFDRV_BCS, &bat[0], &victim_seqs[k]), 0);
	run_until(&h, &d[0], REFDRV_BCS, victim_seqs[39]);
	vgt_vgpu_get_info(h.guest[0].vgpu, &vi);
	victim_completed = vi.workloads_completed;
	assert_int_equal(vi.workloads_submitted, 40);
	assert_int_equal(victim_completed, 40);        /* none lost, none repeated */
	assert_int_equal(refdrv_completed_seqno(&d[0], REFDRV_BCS), victim_seqs[39]);
	assert_int_equal(vi.guest_errors, 0);
	assert_false(vi.failsafe);

	/* The destroyed domain's slices and fences are back. */
	vgt_inproc_guest_fini(&h.guest[0]);
	h.nguests = 0;
	vgt_host_get_info(h.host, &after);
	assert_int_equal(after.free_low, before.free_low);
	assert_int_equal(after.free_high, before.free_high);
	assert_int_equal(after.free_fences, before.free_fences);
	assert_int_equal(after.vgpus, 0);
	ch_destroy(&h);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_domain_destroyed_with_work_queued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * The reference guest driver on gensim: rendered frames have the expected
 * content (and survive a PNG round trip), the render stream stores every
 * value, PVINFO is honoured, and failures are reported, not hidden.
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "gensim_hw.h"
#include "refdrv.h"
#include "refdrv_native.h"
#include "vgt_png.h"

#define W 320u
#define H 200u

static struct gensim *make_gensim(void)
{
	struct gensim_config cfg;
	struct gensim *gs;

	gensim_config_init(&cfg);
	cfg.memory_size = 128ull << 20;
	cfg.aperture_size = 256ull << 20;
	assert_int_equal(gensim_create(&cfg, &gs), 0);
	return gs;
}

static uint64_t frame_diff_of(struct gensim *gs, uint32_t frame, uint32_t identity,
			      uint32_t *out_pixels)
{
	struct gensim_image img;
	uint32_t *exp = malloc(W * H * 4);
	uint64_t differ = 0;

	assert_non_null(exp);
	assert_int_equal(gensim_scanout(gs, 0, &img), 0);
	assert_int_equal(img.width, W);
	assert_int_equal(img.height, H);
	refdrv_scene_expected(frame, identity, W, H, exp);
	for (uint32_t i = 0; i < W * H; i++)
		differ += (img.pixels[i] & 0xFFFFFFu) != exp[i];
	if (out_pixels)
		memcpy(out_pixels, img.pixels, W * H * 4);
	gensim_image_release(&img);
	free(exp);
	return differ;
}

/* A native scene (no PVINFO) has identity 0. */
static uint64_t frame_diff(struct gensim *gs, uint32_t frame, uint32_t *out_pixels)
{
	return frame_diff_of(gs, frame, 0, out_pixels);
}

static void bring_up(struct refdrv *drv, struct refdrv_scene *scene, const struct refdrv_platform *plat)
{
	assert_int_equal(refdrv_probe(drv, plat), 0);
	assert_int_equal(refdrv_init(drv), 0);
	assert_int_equal(refdrv_scene_init(drv, scene, W, H), 0);
	assert_int_equal(refdrv_display_set(drv, 0, &scene->fb, W, H, scene->stride,
					    HSW_DSPFMT_BGRX888), 0);
}

static void test_native_frames_match_and_png(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_scene scene;
	uint32_t *pixels = malloc(W * H * 4), *back = NULL, bw = 0, bh = 0;
	char path[] = "/tmp/vgt-test-XXXXXX";
	int fd;

	(void)state;
	assert_non_null(pixels);
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	bring_up(&drv, &scene, &n.plat);
	assert_false(drv.vgpu);
	assert_int_equal(drv.fences, 32);
	for (uint32_t f = 0; f < 5; f++) {
		assert_int_equal(refdrv_scene_draw(&drv, &scene, f), 0);
		assert_int_equal(refdrv_wait_vblank(&drv, 0), 0);
		/* What is latched now is the frame just drawn. */
		assert_int_equal(frame_diff(gs, f, f == 4 ? pixels : NULL), 0);
	}
	/* A frame other than the one shown differs: the check can fail. */
	assert_true(frame_diff(gs, 3, NULL) > 0);
	assert_true(drv.user_irqs[REFDRV_BCS] >= 5);
	assert_true(drv.vblank_irqs >= 5);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(vgt_png_write_xrgb(path, W, H, pixels), 0);
	assert_int_equal(vgt_png_read_xrgb(path, &bw, &bh, &back), 0);
	assert_int_equal(bw, W);
	assert_int_equal(bh, H);
	for (uint32_t i = 0; i < W * H; i++)
		assert_int_equal(back[i], pixels[i] & 0xFFFFFFu);
	unlink(path);
	free(back);
	free(pixels);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

/*
 * Under an operating system (Linux user space through sysfs) the BARs are
 * where the OS put them and no interrupt reaches the driver: it uses the
 * BARs as found, leaves MSI off, and still renders by polling.
 */
static uint64_t no_irqs(void *ctx)
{
	(void)ctx;
	return 0;
}

static void test_os_placed_bars_and_polling(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv_platform plat;
	struct refdrv drv;
	struct refdrv_scene scene;
	uint64_t bar2, bar0;
	uint32_t ptr = 0, hdr = 0, msi_ctl = 0xFFFF;

	(void)state;
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	plat = n.plat;
	plat.bars_placed = true;
	plat.msi_addr = 0;
	plat.irq_count = no_irqs;

	/* Nothing placed yet: refused by name, nothing written. */
	assert_int_equal(refdrv_probe(&drv, &plat), -REFDRV_ENODEV);
	assert_non_null(strstr(refdrv_strerror(&drv), "BARs not placed"));

	/* The "OS" places them elsewhere than refdrv itself would. */
	bar2 = (n.plat.bar_window + (512ull << 20)) & ~((256ull << 20) - 1);
	bar0 = bar2 + (256ull << 20) + (8ull << 20);
	assert_int_equal(gensim_cfg_write(gs, 0x18, 4, (uint32_t)bar2), 0);
	assert_int_equal(gensim_cfg_write(gs, 0x1C, 4, (uint32_t)(bar2 >> 32)), 0);
	assert_int_equal(gensim_cfg_write(gs, 0x10, 4, (uint32_t)bar0), 0);
	assert_int_equal(gensim_cfg_write(gs, 0x14, 4, (uint32_t)(bar0 >> 32)), 0);
	assert_int_equal(gensim_cfg_write(gs, 0x20, 4, 0xD001), 0);
	bring_up(&drv, &scene, &plat);
	assert_true(drv.bar2 == bar2);
	assert_true(drv.bar0 == bar0);
	assert_int_equal(drv.bar4, 0xD000);

	/* MSI stays disabled. */
	assert_int_equal(gensim_cfg_read(gs, 0x34, 1, &ptr), 0);
	for (unsigned hops = 0; ptr && hops < 48; hops++) {
		assert_int_equal(gensim_cfg_read(gs, ptr, 4, &hdr), 0);
		if ((hdr & 0xFF) == 0x05) {
			assert_int_equal(gensim_cfg_read(gs, ptr + 2, 2, &msi_ctl), 0);
			break;
		}
		ptr = (hdr >> 8) & 0xFC;
	}
	assert_int_equal(msi_ctl & 1u, 0);

	for (uint32_t f = 0; f < 3; f++) {
		assert_int_equal(refdrv_scene_draw(&drv, &scene, f), 0);
		assert_int_equal(refdrv_wait_vblank(&drv, 0), 0);
		assert_int_equal(frame_diff(gs, f, NULL), 0);
	}
	/* No interrupt was taken: completion was seen by polling. */
	assert_int_equal(drv.user_irqs[REFDRV_BCS], 0);
	assert_int_equal(drv.vblank_irqs, 0);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

static void test_store_stream(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_bo batch, buf;

	(void)state;
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	assert_int_equal(refdrv_probe(&drv, &n.plat), 0);
	assert_int_equal(refdrv_init(&drv), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, REFDRV_BATCH_MAX_DWORDS * 4, false, &batch), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, 4096, false, &buf), 0);
	assert_int_equal(refdrv_store_stream(&drv, &batch, &buf, 20, REFDRV_STORES_MAX), 0);
	/* More stores than a batch holds are refused, not truncated. */
	assert_int_equal(refdrv_store_stream(&drv, &batch, &buf, 1, REFDRV_STORES_MAX + 1),
			 -REFDRV_EINVAL);
	assert_int_equal(drv.user_irqs[REFDRV_RCS], 20);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

static void test_threaded_mode(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_scene scene;

	(void)state;
	assert_int_equal(refdrv_native_init(&n, gs, true), 0);
	bring_up(&drv, &scene, &n.plat);
	for (uint32_t f = 0; f < 3; f++)
		assert_int_equal(refdrv_scene_draw(&drv, &scene, f), 0);
	assert_int_equal(refdrv_wait_vblank(&drv, 0), 0);
	refdrv_native_fini(&n);
	assert_int_equal(frame_diff(gs, 2, NULL), 0);
	gensim_destroy(gs);
}

static void test_command_error_is_reported(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_bo batch;
	struct refdrv_batch b;
	uint32_t seqno;

	(void)state;
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	assert_int_equal(refdrv_probe(&drv, &n.plat), 0);
	assert_int_equal(refdrv_init(&drv), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, 4096, false, &batch), 0);
	refdrv_batch_init(&b);
	refdrv_emit(&b, 0x1F800000u);      /* no such MI command */
	assert_int_equal(refdrv_batch_finish(&drv, &b, &batch), 0);
	assert_int_equal(refdrv_submit(&drv, REFDRV_RCS, &batch, &seqno), 0);
	assert_int_equal(refdrv_wait_seqno(&drv, REFDRV_RCS, seqno), -REFDRV_EIO);
	assert_string_equal(refdrv_strerror(&drv), "engine reported a command error");
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

static void test_batch_overflow_refused(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_bo batch;
	struct refdrv_batch *b = malloc(sizeof(*b));

	(void)state;
	assert_non_null(b);
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	assert_int_equal(refdrv_probe(&drv, &n.plat), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, 8192, false, &batch), 0);
	refdrv_batch_init(b);
	for (uint32_t i = 0; i < REFDRV_BATCH_MAX_DWORDS; i++)
		refdrv_emit(b, HSW_MI_NOOP);
	assert_true(b->overflow);
	assert_int_equal(refdrv_batch_finish(&drv, b, &batch), -REFDRV_ENOSPC);
	free(b);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

/* ---- A platform that pretends to be a vGPU (PVINFO) ---------------------- */

struct fake_vgpu {
	struct refdrv_native native;
	struct refdrv_platform plat;
	uint32_t pvinfo[HSW_PVINFO_SIZE / 4];
	uint32_t cfg_id;        /* 0 = the device's own */
};

static uint64_t fake_bar0(struct fake_vgpu *f)
{
	uint32_t lo = 0, hi = 0;

	gensim_cfg_read(f->native.gs, 0x10, 4, &lo);
	gensim_cfg_read(f->native.gs, 0x14, 4, &hi);
	return ((uint64_t)hi << 32) | (lo & ~0xFu);
}

static uint32_t fake_mmio_read32(void *ctx, uint64_t addr)
{
	struct fake_vgpu *f = ctx;
	uint64_t bar0 = fake_bar0(f);

	if (addr >= bar0 + HSW_PVINFO_PAGE && addr < bar0 + HSW_PVINFO_PAGE + HSW_PVINFO_SIZE)
		return f->pvinfo[(addr - bar0 - HSW_PVINFO_PAGE) / 4];
	return f->native.plat.mmio_read32(&f->native, addr);
}

static int fake_cfg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
	struct fake_vgpu *f = ctx;

	if (off == 0 && f->cfg_id) {
		*val = f->cfg_id;
		return 0;
	}
	return f->native.plat.cfg_read(&f->native, off, size, val);
}

static int fake_cfg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct fake_vgpu *f = ctx;

	return f->native.plat.cfg_write(&f->native, off, size, val);
}

static int fake_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct fake_vgpu *f = ctx;

	return f->native.plat.mem_read(&f->native, addr, buf, len);
}

static int fake_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_vgpu *f = ctx;

	return f->native.plat.mem_write(&f->native, addr, buf, len);
}

static uint64_t fake_irq_count(void *ctx)
{
	struct fake_vgpu *f = ctx;

	return f->native.plat.irq_count(&f->native);
}

static void fake_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	struct fake_vgpu *f = ctx;

	f->native.plat.mmio_write32(&f->native, addr, val);
}

static void fake_wait(void *ctx)
{
	struct fake_vgpu *f = ctx;

	f->native.plat.wait(&f->native);
}

static void fake_init(struct fake_vgpu *f, struct gensim *gs, uint32_t low_base, uint32_t low_size,
		      uint32_t high_base, uint32_t high_size, uint32_t fences)
{
	memset(f, 0, sizeof(*f));
	assert_int_equal(refdrv_native_init(&f->native, gs, false), 0);
	f->plat = f->native.plat;
	f->plat.ctx = f;
	f->plat.cfg_read = fake_cfg_read;
	f->plat.cfg_write = fake_cfg_write;
	f->plat.mmio_read32 = fake_mmio_read32;
	f->plat.mmio_write32 = fake_mmio_write32;
	f->plat.mem_read = fake_mem_read;
	f->plat.mem_write = fake_mem_write;
	f->plat.irq_count = fake_irq_count;
	f->plat.wait = fake_wait;
	f->pvinfo[0] = 0x76544776u;     /* "vGTvGTvG", little-endian u64 */
	f->pvinfo[1] = 0x47765447u;
	f->pvinfo[2] = 1;               /* version 1.0 */
	f->pvinfo[3] = 7;               /* vgt_id */
	f->pvinfo[0x40 / 4] = low_base;
	f->pvinfo[0x44 / 4] = low_size;
	f->pvinfo[0x48 / 4] = high_base;
	f->pvinfo[0x4C / 4] = high_size;
	f->pvinfo[0x50 / 4] = fences;
}

static void test_pvinfo_ranges_are_honoured(void **state)
{
	struct gensim *gs = make_gensim();
	struct fake_vgpu *f = malloc(sizeof(*f));
	struct refdrv drv;
	struct refdrv_scene scene;
	const uint32_t low = 64u << 20, high = 1024u << 20;

	(void)state;
	assert_non_null(f);
	fake_init(f, gs, low, 32u << 20, high, 16u << 20, 4);
	bring_up(&drv, &scene, &f->plat);
	assert_true(drv.vgpu);
	assert_int_equal(drv.vgpu_id, 7);
	assert_int_equal(drv.fences, 4);
	assert_true(scene.fb.gm >= low && scene.fb.gm + scene.fb.size <= low + (32u << 20));
	assert_true(scene.batch[0].gm >= high && scene.batch[1].gm + scene.batch[1].size <= high + (16u << 20));
	assert_true(drv.ring[REFDRV_RCS].ring.gm >= high);
	assert_int_equal(refdrv_scene_draw(&drv, &scene, 9), 0);
	assert_int_equal(refdrv_wait_vblank(&drv, 0), 0);
	/* Its scene is that of vGPU 7, not the native one. */
	assert_int_equal(scene.identity, 7);
	assert_int_equal(frame_diff_of(gs, 9, 7, NULL), 0);
	assert_true(frame_diff_of(gs, 9, 0, NULL) > 0);
	refdrv_native_fini(&f->native);
	free(f);
	gensim_destroy(gs);
}

static void test_pvinfo_too_small_is_enospc(void **state)
{
	struct gensim *gs = make_gensim();
	struct fake_vgpu *f = malloc(sizeof(*f));
	struct refdrv drv;
	struct refdrv_scene scene;

	(void)state;
	assert_non_null(f);
	/* 64 KiB of aperture cannot hold a 320x200 framebuffer. */
	fake_init(f, gs, 0, 64u << 10, 1u << 30, 1u << 20, 4);
	assert_int_equal(refdrv_probe(&drv, &f->plat), 0);
	assert_int_equal(refdrv_init(&drv), 0);
	assert_int_equal(refdrv_scene_init(&drv, &scene, W, H), -REFDRV_ENOSPC);
	assert_string_equal(refdrv_strerror(&drv), "graphics memory exhausted");
	refdrv_native_fini(&f->native);
	free(f);
	gensim_destroy(gs);
}

static void test_probe_rejects_other_devices(void **state)
{
	struct gensim *gs = make_gensim();
	struct fake_vgpu *f = malloc(sizeof(*f));
	struct refdrv drv;

	(void)state;
	assert_non_null(f);
	fake_init(f, gs, 0, 1u << 20, 1u << 30, 1u << 20, 4);
	f->cfg_id = 0x12341002u;        /* not Intel */
	assert_int_equal(refdrv_probe(&drv, &f->plat), -REFDRV_ENODEV);
	f->cfg_id = 0x01628086u;        /* Intel, but Ivybridge */
	assert_int_equal(refdrv_probe(&drv, &f->plat), -REFDRV_ENODEV);
	assert_string_equal(refdrv_strerror(&drv), "not a Haswell GPU");
	refdrv_native_fini(&f->native);
	free(f);
	gensim_destroy(gs);
}

static void test_aperture_write_needs_mappable(void **state)
{
	struct gensim *gs = make_gensim();
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_bo hidden, shown;
	uint32_t v = 0x12345678u, back = 0;

	(void)state;
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	assert_int_equal(refdrv_probe(&drv, &n.plat), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, 4096, false, &hidden), 0);
	assert_int_equal(refdrv_bo_alloc(&drv, 4096, true, &shown), 0);
	assert_int_equal(refdrv_aperture_write(&drv, &hidden, 0, &v, 4), -REFDRV_EINVAL);
	assert_int_equal(refdrv_aperture_write(&drv, &shown, 4092, &v, 8), -REFDRV_EINVAL);
	assert_int_equal(refdrv_aperture_write(&drv, &shown, 4092, &v, 4), 0);
	/* The aperture write lands in the buffer's RAM. */
	assert_int_equal(refdrv_bo_read(&drv, &shown, 4092, &back, 4), 0);
	assert_int_equal(back, v);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

/* ---- gensim behind the hardware-backend interface -------------------------- */

static void count_irq(void *opaque)
{
	(*(int *)opaque)++;
}

static void test_hw_ops(void **state)
{
	const struct vgt_hw_ops *ops = &gensim_hw_ops;
	struct gensim *gs = harness_create(NULL);
	struct vgt_hw_info info;
	uint32_t pte = 0, cfg = 0, v = 0;
	uint64_t reg = 0;
	int irqs = 0;
	struct harness_ring r;
	const uint32_t cmds[] = { HSW_MI_USER_INTERRUPT, HSW_MI_NOOP };

	(void)state;
	ops->info(gs, &info);
	assert_int_equal(info.device, 0x0412);
	assert_int_equal(info.gtt_entries, 512u * 1024u);
	assert_int_equal(info.fences, 32);
	assert_int_equal(info.memory_size, HARNESS_MEMORY);
	assert_int_equal(ops->gtt_write(gs, 100, 0x5001u), 0);
	assert_int_equal(ops->gtt_read(gs, 100, &pte), 0);
	assert_int_equal(pte, 0x5001u);
	assert_int_equal(ops->gtt_write(gs, 512u * 1024u, 1), -ERANGE);
	assert_int_equal(ops->cfg_read(gs, 0, 4, &cfg), 0);
	assert_int_equal(cfg, 0x04128086u);
	assert_int_equal(ops->mmio_write(gs, HSW_FENCE_LO(1), 4, 0xF000), 0);
	assert_int_equal(ops->mmio_read(gs, HSW_FENCE_LO(1), 4, &reg), 0);
	assert_int_equal(reg, 0xF000);
	v = 0xDEADBEEFu;
	assert_int_equal(ops->dma_write(gs, 0x1000, &v, 4), 0);
	assert_int_equal(mem32(gs, 0x1000), 0xDEADBEEFu);
	assert_int_equal(ops->dma_read(gs, HARNESS_MEMORY - 2, &v, 4), -EFAULT);

	ops->set_irq_handler(gs, count_irq, &irqs);
	ring_init(gs, &r, GENSIM_RCS, 0x10000, 4096, 0x20000);
	wr(gs, HSW_RING_IMR(HSW_RCS_BASE), 0);
	wr(gs, HSW_GTIMR, 0);
	wr(gs, HSW_GTIER, HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	ring_put(gs, &r, cmds, 2);
	ring_kick(gs, &r);
	assert_int_equal(ops->run(gs, 100), 2);
	assert_int_equal(irqs, 1);
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_native_frames_match_and_png),
		cmocka_unit_test(test_store_stream),
		cmocka_unit_test(test_threaded_mode),
		cmocka_unit_test(test_command_error_is_reported),
		cmocka_unit_test(test_batch_overflow_refused),
		cmocka_unit_test(test_pvinfo_ranges_are_honoured),
		cmocka_unit_test(test_pvinfo_too_small_is_enospc),
		cmocka_unit_test(test_probe_rejects_other_devices),
		cmocka_unit_test(test_aperture_write_needs_mappable),
		cmocka_unit_test(test_hw_ops),
		cmocka_unit_test(test_os_placed_bars_and_polling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

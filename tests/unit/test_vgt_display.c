/* SPDX-License-Identifier: MIT */
/*
 * The mediator's plane decoder: a vGPU's screen from its own plane
 * registers and GTT view; clear states instead of garbage; never another
 * domain's memory.
 */
#include "core_harness.h"

#define FB_GM_PAGE 16u           /* the framebuffer's first page in the low slice */

struct disp {
	struct core_harness h;
	struct vgt_inproc_guest *g, *other;
	struct vgt_vgpu_info gi, oi;
	uint64_t fb_gm, fb_pa;       /* guest graphics and physical address */
};

/* Maps @pages of the guest's RAM from @pa at graphics address @gm. */
static void map(struct vgt_inproc_guest *g, uint64_t gm, uint64_t pa, uint32_t pages)
{
	for (uint32_t i = 0; i < pages; i++)
		vgtt_wr(g, (uint32_t)(gm >> 12) + i, pa + 4096ull * i);
}

static void guest_ram_write(struct vgt_inproc_guest *g, uint64_t pa, const void *buf, size_t n)
{
	assert_int_equal(gensim_mem_write(g->gs, g->ram_maddr + pa, buf, n), 0);
}

static void disp_up(struct disp *d)
{
	ch_create(&d->h);
	d->g = ch_add_guest(&d->h, "vgt-64");
	d->other = ch_add_guest(&d->h, "vgt-64");
	d->gi = ch_info(d->g);
	d->oi = ch_info(d->other);
	d->fb_gm = d->gi.low.base + FB_GM_PAGE * 4096ull;
	d->fb_pa = 0x100000;
	map(d->g, d->fb_gm, d->fb_pa, 64);
}

/* Pipe A: @w x @h, @fmt, @stride, surface at @surf. */
static void plane(struct vgt_inproc_guest *g, uint32_t w, uint32_t h, unsigned fmt, uint32_t stride,
		  uint64_t surf, bool tiled)
{
	vwr(g, HSW_PIPESRC(0), ((w - 1) << 16) | (h - 1));
	vwr(g, HSW_PIPECONF(0), HSW_PIPECONF_ENABLE);
	vwr(g, HSW_DSPSTRIDE(0), stride);
	vwr(g, HSW_DSPOFFSET(0), 0);
	vwr(g, HSW_DSPCNTR(0), HSW_DSPCNTR_ENABLE | (fmt << HSW_DSPCNTR_FORMAT_SHIFT) |
	    (tiled ? HSW_DSPCNTR_TILED : 0));
	vwr(g, HSW_DSPSURF(0), (uint32_t)surf);
}

static int scan(struct vgt_inproc_guest *g, struct vgt_image *img, struct vgt_error *err, bool cursor)
{
	memset(err, 0, sizeof(*err));
	return vgt_vgpu_scanout(g->vgpu, 0, cursor, img, err);
}

static void test_formats(void **state)
{
	struct disp d;
	struct vgt_image img;
	struct vgt_error err;
	uint32_t px32[8] = { 0x00112233, 0x00FF0000, 0x0000FF00, 0x000000FF,
			     0xFF445566, 0x00000000, 0x00FFFFFF, 0x00808080 };
	uint16_t px16[8] = { 0xF800, 0x07E0, 0x001F, 0xFFFF, 0x0000, 0x8410, 0x0841, 0x7BEF };

	(void)state;
	disp_up(&d);
	guest_ram_write(d.g, d.fb_pa, px32, sizeof(px32));
	plane(d.g, 4, 2, HSW_DSPFMT_BGRX888, 16, d.fb_gm, false);
	assert_int_equal(scan(d.g, &img, &err, false), 0);
	assert_int_equal(img.width, 4);
	assert_int_equal(img.height, 2);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(img.pixels[i], px32[i] & 0xFFFFFFu);
	vgt_image_release(&img);
	/* XBGR8888: red and blue swap places. */
	plane(d.g, 4, 2, HSW_DSPFMT_RGBX888, 16, d.fb_gm, false);
	assert_int_equal(scan(d.g, &img, &err, false), 0);
	assert_int_equal(img.pixels[0], 0x00332211u);
	assert_int_equal(img.pixels[1], 0x000000FFu);
	vgt_image_release(&img);
	/* RGB565, bits replicated. */
	guest_ram_write(d.g, d.fb_pa, px16, sizeof(px16));
	plane(d.g, 4, 2, HSW_DSPFMT_BGRX565, 8, d.fb_gm, false);
	assert_int_equal(scan(d.g, &img, &err, false), 0);
	assert_int_equal(img.pixels[0], 0x00FF0000u);
	assert_int_equal(img.pixels[1], 0x0000FF00u);
	assert_int_equal(img.pixels[2], 0x000000FFu);
	assert_int_equal(img.pixels[3], 0x00FFFFFFu);
	assert_int_equal(img.pixels[5], 0x00848284u);
	vgt_image_release(&img);
	assert_int_equal(ch_info(d.g).guest_errors, 0);
	ch_destroy(&d.h);
}

static void test_xtiled(void **state)
{
	struct disp d;
	struct vgt_image img;
	struct vgt_error err;
	uint32_t *tiles = malloc(2 * 4096);

	(void)state;
	assert_non_null(tiles);
	disp_up(&d);
	/* Two X tiles side by side: pixel (x, y) lives in tile x / 128, row y. */
	for (uint32_t t = 0; t < 2; t++)
		for (uint32_t y = 0; y < 8; y++)
			for (uint32_t x = 0; x < 128; x++)
				tiles[t * 1024 + y * 128 + x] = (t * 128 + x) | (y << 16);
	guest_ram_write(d.g, d.fb_pa, tiles, 2 * 4096);
	plane(d.g, 256, 8, HSW_DSPFMT_BGRX888, 1024, d.fb_gm, true);
	assert_int_equal(scan(d.g, &img, &err, false), 0);
	for (uint32_t y = 0; y < 8; y++)
		for (uint32_t x = 0; x < 256; x++)
			assert_int_equal(img.pixels[y * 256 + x], x | (y << 16));
	vgt_image_release(&img);
	free(tiles);
	ch_destroy(&d.h);
}

static void test_cursor(void **state)
{
	struct disp d;
	struct vgt_image img;
	struct vgt_error err;
	uint32_t *cur = calloc(64 * 64, 4);
	uint32_t *bg = malloc(64 * 32 * 4);
	uint64_t cur_gm;

	(void)state;
	assert_non_null(cur);
	assert_non_null(bg);
	disp_up(&d);
	for (unsigned i = 0; i < 64 * 32; i++)
		bg[i] = 0x00000000;
	guest_ram_write(d.g, d.fb_pa, bg, 64 * 32 * 4);
	cur[0] = 0xFFFF0000u;                   /* opaque red */
	cur[1] = 0x80FFFFFFu;                   /* half white */
	cur[2] = 0x0000FF00u;                   /* transparent */
	cur_gm = d.gi.low.base + 0x100000;
	map(d.g, cur_gm, 0x200000, 4);
	guest_ram_write(d.g, 0x200000, cur, 64 * 64 * 4);
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 256, d.fb_gm, false);
	vwr(d.g, HSW_CURCNTR(0), 0x27);
	vwr(d.g, HSW_CURBASE(0), (uint32_t)cur_gm);
	vwr(d.g, HSW_CURPOS(0), (5u << 16) | 10u);
	assert_int_equal(scan(d.g, &img, &err, true), 0);
	assert_int_equal(img.pixels[5 * 64 + 10], 0x00FF0000u);
	assert_int_equal(img.pixels[5 * 64 + 11], 0x00808080u);
	assert_int_equal(img.pixels[5 * 64 + 12], 0);
	vgt_image_release(&img);
	/* Without the cursor, and with it off the top-left edge (sign-magnitude). */
	assert_int_equal(scan(d.g, &img, &err, false), 0);
	assert_int_equal(img.pixels[5 * 64 + 10], 0);
	vgt_image_release(&img);
	vwr(d.g, HSW_CURPOS(0), 0x80008001u);    /* x = -1, y = -0 */
	assert_int_equal(scan(d.g, &img, &err, true), 0);
	assert_int_equal(img.pixels[0], 0x00808080u);       /* cursor pixel 1 lands on x 0 */
	vgt_image_release(&img);
	free(bg);
	free(cur);
	ch_destroy(&d.h);
}

static void test_states(void **state)
{
	struct disp d;
	struct vgt_image img;
	struct vgt_error err;

	(void)state;
	disp_up(&d);
	assert_int_equal(scan(d.g, &img, &err, false), -ENODEV);
	assert_non_null(strstr(err.msg, "display not initialized"));
	assert_null(img.pixels);
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 256, d.fb_gm, false);
	vwr(d.g, HSW_DSPCNTR(0), 6u << HSW_DSPCNTR_FORMAT_SHIFT);
	assert_int_equal(scan(d.g, &img, &err, false), -ENODATA);
	assert_non_null(strstr(err.msg, "disabled"));
	plane(d.g, 64, 32, 8, 256, d.fb_gm, false);
	assert_int_equal(scan(d.g, &img, &err, false), -ENOTSUP);
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 128, d.fb_gm, false);   /* stride < width */
	assert_int_equal(scan(d.g, &img, &err, false), -EINVAL);
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 256, d.fb_gm + 64 * 4096, false);  /* not mapped */
	assert_int_equal(scan(d.g, &img, &err, false), -EFAULT);
	assert_non_null(strstr(err.msg, "not mapped"));
	assert_int_equal(vgt_vgpu_scanout(d.g->vgpu, 3, false, &img, &err), -EINVAL);
	ch_destroy(&d.h);
}

static void test_never_shows_another_domain(void **state)
{
	struct disp d;
	struct vgt_image img;
	struct vgt_error err;
	uint32_t secret = 0x5EC2E7u;

	(void)state;
	disp_up(&d);
	/* The other domain has something on its screen. */
	map(d.other, d.oi.low.base, 0x100000, 4);
	guest_ram_write(d.other, 0x100000, &secret, 4);
	/* Pointing a plane at it, or running the surface into it, shows nothing. */
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 256, d.oi.low.base, false);
	assert_int_equal(scan(d.g, &img, &err, false), -EFAULT);
	assert_non_null(strstr(err.msg, "outside the vGPU's memory"));
	assert_null(img.pixels);
	plane(d.g, 1024, 1024, HSW_DSPFMT_BGRX888, 4096, d.gi.low.base + d.gi.low.size - 4096, false);
	assert_int_equal(scan(d.g, &img, &err, false), -EFAULT);
	/* The high slice edge too, and a huge pan offset. */
	plane(d.g, 64, 32, HSW_DSPFMT_BGRX888, 256, d.fb_gm, false);
	vwr(d.g, HSW_DSPOFFSET(0), 0xFFFF0000u);
	assert_int_equal(scan(d.g, &img, &err, false), -EFAULT);
	ch_destroy(&d.h);
}

static void test_refdrv_screen(void **state)
{
	struct core_harness h;
	struct refdrv *drv = calloc(1, sizeof(*drv));
	struct refdrv_scene s;
	struct vgt_image img;
	struct vgt_error err = { { 0 } };
	uint32_t *exp = malloc(320 * 200 * 4);

	(void)state;
	assert_non_null(drv);
	assert_non_null(exp);
	ch_create(&h);
	ch_add_guest(&h, "vgt-64");
	assert_int_equal(refdrv_probe(drv, &h.guest[0].plat), 0);
	assert_int_equal(refdrv_init(drv), 0);
	assert_int_equal(refdrv_scene_init(drv, &s, 320, 200), 0);
	assert_int_equal(refdrv_display_set(drv, 0, &s.fb, 320, 200, s.stride, HSW_DSPFMT_BGRX888), 0);
	assert_int_equal(refdrv_scene_draw(drv, &s, 7), 0);
	assert_int_equal(vgt_vgpu_scanout(h.guest[0].vgpu, 0, true, &img, &err), 0);
	refdrv_scene_expected(7, ch_info(&h.guest[0]).id, 320, 200, exp);
	assert_memory_equal(img.pixels, exp, 320 * 200 * 4);
	vgt_image_release(&img);
	ch_destroy(&h);
	free(exp);
	free(drv);
}

/* Two vgt-64 domains, each showing its scene on pipe A, domain i at frame @first + i * @step. */
static void two_domains_drawing(struct core_harness *h, struct refdrv *drv, struct refdrv_scene *s,
				uint32_t first, uint32_t step)
{
	ch_create(h);
	ch_add_guest(h, "vgt-64");
	ch_add_guest(h, "vgt-64");
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(refdrv_probe(&drv[i], &h->guest[i].plat), 0);
		assert_int_equal(refdrv_init(&drv[i]), 0);
		assert_int_equal(refdrv_scene_init(&drv[i], &s[i], 320, 200), 0);
		assert_int_equal(refdrv_display_set(&drv[i], 0, &s[i].fb, 320, 200, s[i].stride,
						    HSW_DSPFMT_BGRX888), 0);
		assert_int_equal(refdrv_scene_draw(&drv[i], &s[i], first + step * i), 0);
	}
}

/*
 * Two domains drawing the same frame of the same animation still show
 * different screens: each vGPU's scene has its own palette and its id drawn
 * in, so each screen matches its own vGPU's expectation and not the other's.
 */
static void test_screens_carry_identity(void **state)
{
	struct core_harness h;
	struct refdrv *drv = calloc(2, sizeof(*drv));
	struct refdrv_scene *s = calloc(2, sizeof(*s));
	uint32_t *exp = malloc(320 * 200 * 4);
	struct vgt_error err = { { 0 } };
	struct vgt_image img;

	(void)state;
	assert_non_null(drv);
	assert_non_null(s);
	assert_non_null(exp);
	two_domains_drawing(&h, drv, s, 5, 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(s[i].identity, ch_info(&h.guest[i]).id);
	assert_int_not_equal(s[0].identity, s[1].identity);
	for (unsigned i = 0; i < 2; i++) {
		uint32_t other = ch_info(&h.guest[1 - i]).id;

		assert_int_equal(vgt_vgpu_scanout(h.guest[i].vgpu, 0, true, &img, &err), 0);
		refdrv_scene_expected(5, ch_info(&h.guest[i]).id, 320, 200, exp);
		assert_memory_equal(img.pixels, exp, 320 * 200 * 4);
		refdrv_scene_expected(5, other, 320, 200, exp);
		assert_memory_not_equal(img.pixels, exp, 320 * 200 * 4);
		/* The label's box and digits differ too, not only the palette. */
		assert_memory_not_equal(img.pixels, exp, 320 * 4 * 24);
		vgt_image_release(&img);
	}
	ch_destroy(&h);
	free(exp);
	free(s);
	free(drv);
}

/* The physical display shows the foreground owner, from the next vblank on. */
static void test_foreground(void **state)
{
	struct core_harness h;
	struct refdrv *drv = calloc(2, sizeof(*drv));
	struct refdrv_scene *s = calloc(2, sizeof(*s));
	uint32_t *exp = malloc(320 * 200 * 4);
	struct gensim_image img;

	(void)state;
	assert_non_null(drv);
	assert_non_null(s);
	assert_non_null(exp);
	two_domains_drawing(&h, drv, s, 3, 10);
	/* Nobody in the foreground: nothing on the physical pipe. */
	assert_int_equal(gensim_scanout(h.gs, 0, &img), -ENODEV);
	assert_int_equal(vgt_host_set_foreground(h.host, h.guest[0].vgpu), 0);
	/* The switch takes effect at the next vblank. */
	assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
	assert_int_equal(gensim_scanout(h.gs, 0, &img), 0);
	refdrv_scene_expected(3, ch_info(&h.guest[0]).id, 320, 200, exp);
	for (unsigned k = 0; k < 320 * 200; k++)
		assert_int_equal(img.pixels[k], exp[k]);
	gensim_image_release(&img);
	/* Switch to the other domain. */
	assert_int_equal(vgt_host_set_foreground(h.host, h.guest[1].vgpu), 0);
	assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
	assert_int_equal(gensim_scanout(h.gs, 0, &img), 0);
	refdrv_scene_expected(13, ch_info(&h.guest[1]).id, 320, 200, exp);
	for (unsigned k = 0; k < 320 * 200; k++)
		assert_int_equal(img.pixels[k], exp[k]);
	gensim_image_release(&img);
	/* Its flips follow it onto the screen. */
	assert_int_equal(refdrv_scene_draw(&drv[1], &s[1], 14), 0);
	vwr(&h.guest[1], HSW_DSPSURF(0), s[1].fb.gm);
	assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
	assert_int_equal(gensim_scanout(h.gs, 0, &img), 0);
	refdrv_scene_expected(14, ch_info(&h.guest[1]).id, 320, 200, exp);
	assert_memory_equal(img.pixels, exp, 320 * 200 * 4);
	gensim_image_release(&img);
	/* Pointed at memory that is not its own, the plane is not shown at all. */
	vwr(&h.guest[1], HSW_DSPSURF(0), (uint32_t)ch_info(&h.guest[0]).low.base);
	assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
	assert_int_equal(gensim_scanout(h.gs, 0, &img), -ENODEV);
	/* Switching under load: both draw every round; only the owner is ever shown. */
	vwr(&h.guest[1], HSW_DSPSURF(0), s[1].fb.gm);
	for (unsigned round = 0; round < 6; round++) {
		unsigned owner = round & 1;

		for (unsigned i = 0; i < 2; i++)
			assert_int_equal(refdrv_scene_draw(&drv[i], &s[i], 20 + round * 2 + i), 0);
		assert_int_equal(vgt_host_set_foreground(h.host, h.guest[owner].vgpu), 0);
		assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
		assert_int_equal(gensim_scanout(h.gs, 0, &img), 0);
		refdrv_scene_expected(20 + round * 2 + owner, ch_info(&h.guest[owner]).id, 320, 200,
				      exp);
		assert_memory_equal(img.pixels, exp, 320 * 200 * 4);
		gensim_image_release(&img);
	}
	/* The owner goes away: the screen goes dark. */
	vwr(&h.guest[1], HSW_DSPSURF(0), s[1].fb.gm);
	vgt_inproc_guest_fini(&h.guest[1]);
	h.nguests = 1;
	assert_int_equal(gensim_advance_time(h.gs, 17000000), 0);
	assert_int_equal(gensim_scanout(h.gs, 0, &img), -ENODEV);
	ch_destroy(&h);
	free(exp);
	free(s);
	free(drv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_xtiled),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_never_shows_another_domain),
		cmocka_unit_test(test_refdrv_screen),
		cmocka_unit_test(test_screens_carry_identity),
		cmocka_unit_test(test_foreground),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

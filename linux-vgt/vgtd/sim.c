/* SPDX-License-Identifier: MIT */
/*
 * The "sim" transport: a guest that lives inside vgtd, for hosts without
 * Xen and for tests.  Its RAM is a slot of gensim's machine memory; the
 * reference driver runs on its vGPU on a thread of its own, through the
 * in-process transport, and draws the demo scene at the pace of its
 * virtual vblank for a number of frames, then keeps its last frame on
 * screen.  Everything it does is trapped and mediated as a Xen domain's
 * accesses are.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "refdrv.h"
#include "vgtd.h"

#define SIM_RAM_BASE   (64ull << 20)       /* the mediator's own memory lies below */
#define SIM_RAM_SIZE   (32ull << 20)
#define SIM_WIDTH      320u
#define SIM_HEIGHT     240u

struct vgtd_sim_guest {
	struct vgt_inproc_guest guest;
	struct refdrv drv;
	struct refdrv_scene scene;
	uint32_t frames_wanted;
	pthread_t thread;
	atomic_bool stop;
	atomic_bool running;
	atomic_uint_fast64_t frames;
	pthread_mutex_t lock;                  /* error */
	char error[VGT_ERRMSG_MAX];
};

uint64_t vgtd_sim_memory_needed(unsigned slots)
{
	return SIM_RAM_BASE + (uint64_t)slots * SIM_RAM_SIZE;
}

static void *sim_main(void *arg)
{
	struct vgtd_sim_guest *g = arg;
	int ret;

	ret = refdrv_scene_start(&g->drv, &g->guest.plat, &g->scene, SIM_WIDTH, SIM_HEIGHT);
	while (!ret && !atomic_load(&g->stop)) {
		uint64_t f = atomic_load(&g->frames);

		if (f < g->frames_wanted) {
			ret = refdrv_scene_draw(&g->drv, &g->scene, (uint32_t)f);
			if (ret)
				break;
			atomic_store(&g->frames, f + 1);
		}
		ret = refdrv_wait_vblank(&g->drv, 0);
	}
	if (ret) {
		pthread_mutex_lock(&g->lock);
		snprintf(g->error, sizeof(g->error), "%s (%d)", refdrv_strerror(&g->drv), ret);
		pthread_mutex_unlock(&g->lock);
		vgtd_log(VGT_LOG_WARN, "dom%u: simulated guest stopped: %s", g->guest.domid, g->error);
	}
	atomic_store(&g->running, false);
	return NULL;
}

int vgtd_sim_start(struct vgtd *d, uint32_t domid, unsigned slot,
		   const struct vgt_vgpu_params *vp, struct vgtd_sim_guest **out,
		   struct vgt_error *err)
{
	struct vgtd_sim_guest *g = calloc(1, sizeof(*g));
	uint64_t base = SIM_RAM_BASE + (uint64_t)slot * SIM_RAM_SIZE;
	struct vgt_vgpu_params p = *vp;
	int ret;

	if (!g)
		return -ENOMEM;
	p.domid = domid;
	ret = vgt_inproc_guest_init(&g->guest, d->host, d->gs, base, SIM_RAM_SIZE, &p, err);
	if (ret)
		goto err_free;
	g->guest.async = true;
	g->frames_wanted = d->cfg.sim_frames;
	pthread_mutex_init(&g->lock, NULL);
	atomic_store(&g->running, true);
	ret = -pthread_create(&g->thread, NULL, sim_main, g);
	if (ret) {
		snprintf(err->msg, sizeof(err->msg), "cannot start the guest's thread: %s",
			 strerror(-ret));
		goto err_guest;
	}
	*out = g;
	return 0;

err_guest:
	pthread_mutex_destroy(&g->lock);
	vgt_inproc_guest_fini(&g->guest);
err_free:
	free(g);
	return ret;
}

void vgtd_sim_stop(struct vgtd_sim_guest *g)
{
	if (!g)
		return;
	atomic_store(&g->stop, true);
	pthread_join(g->thread, NULL);
	pthread_mutex_destroy(&g->lock);
	vgt_inproc_guest_fini(&g->guest);
	free(g);
}

struct vgt_vgpu *vgtd_sim_vgpu(struct vgtd_sim_guest *g)
{
	return g->guest.vgpu;
}

bool vgtd_sim_running(struct vgtd_sim_guest *g)
{
	return atomic_load(&g->running);
}

void vgtd_sim_stats(struct vgtd_sim_guest *g, struct vgtd_sim_stats *s)
{
	struct vgt_error err = { { 0 } };
	struct vgt_image img;

	memset(s, 0, sizeof(*s));
	s->frames = atomic_load(&g->frames);
	s->running = vgtd_sim_running(g);
	pthread_mutex_lock(&g->guest.lock);
	s->msis = g->guest.msis;
	pthread_mutex_unlock(&g->guest.lock);
	pthread_mutex_lock(&g->lock);
	memcpy(s->error, g->error, sizeof(s->error));
	pthread_mutex_unlock(&g->lock);
	/* Only a finished picture can be compared: the last frame, held. */
	if (s->frames < g->frames_wanted || !s->frames)
		return;
	if (!vgt_vgpu_scanout(g->guest.vgpu, 0, true, &img, &err)) {
		uint32_t *exp = malloc((size_t)SIM_WIDTH * SIM_HEIGHT * 4);

		if (exp && img.width == SIM_WIDTH && img.height == SIM_HEIGHT) {
			struct vgt_vgpu_info vi;

			vgt_vgpu_get_info(g->guest.vgpu, &vi);
			refdrv_scene_expected((uint32_t)s->frames - 1, vi.id, SIM_WIDTH, SIM_HEIGHT, exp);
			s->screen_matches = !memcmp(exp, img.pixels, (size_t)SIM_WIDTH * SIM_HEIGHT * 4);
		}
		free(exp);
		vgt_image_release(&img);
	}
}

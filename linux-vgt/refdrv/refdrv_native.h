/* SPDX-License-Identifier: MIT */
/*
 * The "native" platform: refdrv driving gensim directly, as a driver on
 * bare metal drives the GPU.  The driver's RAM is the top half of gensim's
 * machine memory; BARs are placed above machine memory.
 */
#ifndef REFDRV_NATIVE_H
#define REFDRV_NATIVE_H

#include <pthread.h>

#include "gensim.h"
#include "refdrv.h"

struct refdrv_native {
	struct refdrv_platform plat;
	struct gensim *gs;
	bool threaded;          /* gensim runs its worker; wait() sleeps */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t irqs;
};

/*
 * Sets up the platform for @gs.  With @threaded, gensim's worker thread is
 * started and refdrv's waits sleep until an interrupt; otherwise each wait
 * steps gensim (deterministic).
 */
int refdrv_native_init(struct refdrv_native *n, struct gensim *gs, bool threaded);
void refdrv_native_fini(struct refdrv_native *n);

#endif /* REFDRV_NATIVE_H */

/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "refdrv_native.h"

#define NATIVE_MSI_ADDR  0xFEE00000u
#define NATIVE_MSI_DATA  0x0041u
#define STEP_COMMANDS    4096u
#define IDLE_STEP_NS     1000000ull

static int n_cfg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
	struct refdrv_native *n = ctx;

	return gensim_cfg_read(n->gs, off, size, val);
}

static int n_cfg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct refdrv_native *n = ctx;

	return gensim_cfg_write(n->gs, off, size, val);
}

static uint32_t n_mmio_read32(void *ctx, uint64_t addr)
{
	struct refdrv_native *n = ctx;
	uint64_t v = ~0ull;

	gensim_bus_read(n->gs, addr, 4, &v);
	return (uint32_t)v;
}

static void n_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	struct refdrv_native *n = ctx;

	gensim_bus_write(n->gs, addr, 4, val);
}

static void bar2_window(struct refdrv_native *n, uint64_t *base, uint64_t *size)
{
	uint32_t lo = 0, hi = 0;

	gensim_cfg_read(n->gs, 0x18, 4, &lo);
	gensim_cfg_read(n->gs, 0x1C, 4, &hi);
	*base = ((uint64_t)hi << 32) | (lo & ~0xFu);
	*size = gensim_aperture_size(n->gs);
}

/* RAM goes straight to machine memory; BAR2 through the aperture. */
static int n_mem_access(struct refdrv_native *n, uint64_t addr, void *buf, size_t len, bool write)
{
	uint64_t base, size;

	if (addr < gensim_memory_size(n->gs))
		return write ? gensim_mem_write(n->gs, addr, buf, len)
			     : gensim_mem_read(n->gs, addr, buf, len);
	bar2_window(n, &base, &size);
	if (addr < base || addr - base >= size)
		return -EFAULT;
	return write ? gensim_aperture_write(n->gs, addr - base, buf, len)
		     : gensim_aperture_read(n->gs, addr - base, buf, len);
}

static int n_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return n_mem_access(ctx, addr, buf, len, false);
}

static int n_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return n_mem_access(ctx, addr, (void *)(uintptr_t)buf, len, true);
}

static void n_irq(void *opaque, bool msi, uint64_t addr, uint32_t data)
{
	struct refdrv_native *n = opaque;

	(void)msi; (void)addr; (void)data;
	pthread_mutex_lock(&n->lock);
	n->irqs++;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

static uint64_t n_irq_count(void *ctx)
{
	struct refdrv_native *n = ctx;
	uint64_t v;

	pthread_mutex_lock(&n->lock);
	v = n->irqs;
	pthread_mutex_unlock(&n->lock);
	return v;
}

static void n_wait(void *ctx)
{
	struct refdrv_native *n = ctx;

	if (n->threaded) {
		struct timespec ts;
		uint64_t seen;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 2000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&n->lock);
		seen = n->irqs;
		while (n->irqs == seen)
			if (pthread_cond_timedwait(&n->cond, &n->lock, &ts))
				break;
		pthread_mutex_unlock(&n->lock);
		return;
	}
	/* Deterministic: run the GPU; when it is idle, let time pass. */
	if (gensim_run(n->gs, STEP_COMMANDS) == 0) {
		uint64_t t = gensim_next_event_ns(n->gs);

		gensim_advance_time(n->gs, t < IDLE_STEP_NS ? t : IDLE_STEP_NS);
	}
}

int refdrv_native_init(struct refdrv_native *n, struct gensim *gs, bool threaded)
{
	uint64_t mem = gensim_memory_size(gs);
	int ret;

	memset(n, 0, sizeof(*n));
	n->gs = gs;
	n->threaded = threaded;
	if (pthread_mutex_init(&n->lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&n->cond, NULL)) {
		pthread_mutex_destroy(&n->lock);
		return -ENOMEM;
	}
	n->plat.ctx = n;
	n->plat.cfg_read = n_cfg_read;
	n->plat.cfg_write = n_cfg_write;
	n->plat.mmio_read32 = n_mmio_read32;
	n->plat.mmio_write32 = n_mmio_write32;
	n->plat.mem_read = n_mem_read;
	n->plat.mem_write = n_mem_write;
	n->plat.irq_count = n_irq_count;
	n->plat.wait = n_wait;
	n->plat.ram_base = mem / 2;
	n->plat.ram_size = mem / 2;
	/* Above machine memory, and above 4 GiB like a 64-bit BAR would be. */
	n->plat.bar_window = mem > (4ull << 30) ? (mem + (4ull << 20) - 1) & ~((4ull << 20) - 1)
						: (4ull << 30);
	n->plat.msi_addr = NATIVE_MSI_ADDR;
	n->plat.msi_data = NATIVE_MSI_DATA;
	/* Sleeping waits of 2 ms: give a threaded device some 20 s in all. */
	n->plat.wait_limit = threaded ? 10000u : 0u;
	gensim_set_irq_handler(gs, n_irq, n);
	if (threaded) {
		ret = gensim_start_worker(gs);
		if (ret) {
			gensim_set_irq_handler(gs, NULL, NULL);
			pthread_cond_destroy(&n->cond);
			pthread_mutex_destroy(&n->lock);
			return ret;
		}
	}
	return 0;
}

void refdrv_native_fini(struct refdrv_native *n)
{
	if (n->threaded)
		gensim_stop_worker(n->gs);
	gensim_set_irq_handler(n->gs, NULL, NULL);
	pthread_cond_destroy(&n->cond);
	pthread_mutex_destroy(&n->lock);
}

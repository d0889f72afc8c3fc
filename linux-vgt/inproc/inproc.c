/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "inproc.h"
#include "hsw/hsw_regs.h"
#include "vgt_trace_events.h"

#define GUEST_MSI_ADDR 0xFEE00000u
#define GUEST_MSI_DATA 0x0051u
#define STEP_COMMANDS  4096u
#define IDLE_STEP_NS   1000000ull
#define ASYNC_WAIT_NS  200000            /* a sleeping wait re-checks this often */

/* ---- Transport: what the core asks of the "hypervisor" ----------------------- */

static int t_gfn_to_mfn(void *opaque, uint64_t gfn, uint64_t *mfn)
{
	struct vgt_inproc_guest *g = opaque;

	if (gfn >= g->ram_size >> 12)
		return -EFAULT;
	*mfn = (g->ram_maddr >> 12) + gfn;
	return 0;
}

static bool ram_range(const struct vgt_inproc_guest *g, uint64_t gpa, size_t len)
{
	return gpa <= g->ram_size && len <= g->ram_size - gpa;
}

static int t_read_gpa(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vgt_inproc_guest *g = opaque;

	if (!ram_range(g, gpa, len))
		return -EFAULT;
	return gensim_mem_read(g->gs, g->ram_maddr + gpa, buf, len);
}

static int t_write_gpa(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct vgt_inproc_guest *g = opaque;

	if (!ram_range(g, gpa, len))
		return -EFAULT;
	return gensim_mem_write(g->gs, g->ram_maddr + gpa, buf, len);
}

static int t_inject_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct vgt_inproc_guest *g = opaque;

	(void)addr; (void)data;
	pthread_mutex_lock(&g->lock);
	g->msis++;
	pthread_cond_broadcast(&g->irq);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

static void t_bar_update(void *opaque, unsigned bar, uint64_t addr, uint64_t size, bool enabled)
{
	struct vgt_inproc_guest *g = opaque;

	(void)size;
	pthread_mutex_lock(&g->lock);
	g->bar_addr[bar] = addr;
	g->bar_enabled[bar] = enabled;
	pthread_mutex_unlock(&g->lock);
}

static const struct vgt_transport_ops inproc_ops = {
	.gfn_to_mfn = t_gfn_to_mfn,
	.read_gpa = t_read_gpa,
	.write_gpa = t_write_gpa,
	.inject_msi = t_inject_msi,
	.bar_update = t_bar_update,
};

/* ---- Platform: the guest driver's view of its machine ------------------------ */

static int p_cfg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
	struct vgt_inproc_guest *g = ctx;

	return vgt_vgpu_cfg_read(g->vgpu, off, size, val);
}

static int p_cfg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct vgt_inproc_guest *g = ctx;

	return vgt_vgpu_cfg_write(g->vgpu, off, size, val);
}

/* Which memory BAR, if any, decodes @addr; the offset into it in *off. */
static int decode(struct vgt_inproc_guest *g, uint64_t addr, size_t len, uint64_t *off)
{
	/* BAR2 is the whole aperture: what lies past the window still traps. */
	const uint64_t size[3] = { HSW_BAR0_SIZE, 0, gensim_aperture_size(g->gs) };
	int bar = -1;

	pthread_mutex_lock(&g->lock);
	for (unsigned b = 0; b <= 2; b += 2) {
		uint64_t base = g->bar_addr[b];

		if (g->bar_enabled[b] && base && addr >= base && addr - base < size[b] &&
		    len <= size[b] - (addr - base)) {
			*off = addr - base;
			bar = (int)b;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return bar;
}

static uint32_t p_mmio_read32(void *ctx, uint64_t addr)
{
	struct vgt_inproc_guest *g = ctx;
	uint64_t off, v = ~0ull;

	if (decode(g, addr, 4, &off) == 0)
		vgt_vgpu_mmio_read(g->vgpu, 0, off, 4, &v);
	return (uint32_t)v;
}

static void p_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	struct vgt_inproc_guest *g = ctx;
	uint64_t off;

	if (decode(g, addr, 4, &off) == 0)
		vgt_vgpu_mmio_write(g->vgpu, 0, off, 4, val);
}

/* Aperture accesses inside the window are direct; the rest trap, 4 bytes at a time. */
static int aperture_access(struct vgt_inproc_guest *g, uint64_t off, uint8_t *buf, size_t len,
			   bool write)
{
	const struct vgt_aperture_window *w = &g->window;

	if (off >= w->guest_off && off - w->guest_off < w->size && len <= w->size - (off - w->guest_off)) {
		uint64_t host = w->host_off + (off - w->guest_off);

		if (write)
			return vgt_inproc_aperture_write(g, off, buf, len);
		return gensim_aperture_read(g->gs, host, buf, len);
	}
	for (size_t i = 0; i < len; i += 4) {
		size_t n = len - i < 4 ? len - i : 4;
		uint64_t v = 0;

		if (write) {
			memcpy(&v, buf + i, n);
			vgt_vgpu_mmio_write(g->vgpu, 2, off + i, n == 4 ? 4 : 1, v);
		} else {
			vgt_vgpu_mmio_read(g->vgpu, 2, off + i, n == 4 ? 4 : 1, &v);
			memcpy(buf + i, &v, n);
		}
	}
	return 0;
}

static int p_mem_access(struct vgt_inproc_guest *g, uint64_t addr, void *buf, size_t len, bool write)
{
	uint64_t off;

	if (ram_range(g, addr, len))
		return write ? vgt_inproc_ram_write(g, addr, buf, len) : t_read_gpa(g, addr, buf, len);
	if (decode(g, addr, len, &off) == 2)
		return aperture_access(g, off, buf, len, write);
	return -EFAULT;
}

static int p_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return p_mem_access(ctx, addr, buf, len, false);
}

static int p_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	return p_mem_access(ctx, addr, (void *)(uintptr_t)buf, len, true);
}

static uint64_t p_irq_count(void *ctx)
{
	struct vgt_inproc_guest *g = ctx;
	uint64_t n;

	pthread_mutex_lock(&g->lock);
	n = g->msis;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* The guest waits; meanwhile the mediator and the GPU make progress. */
static void p_wait(void *ctx)
{
	struct vgt_inproc_guest *g = ctx;

	if (g->async) {
		struct timespec ts;
		uint64_t seen;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += ASYNC_WAIT_NS;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_mutex_lock(&g->lock);
		seen = g->msis;
		while (g->msis == seen)
			if (pthread_cond_timedwait(&g->irq, &g->lock, &ts))
				break;
		pthread_mutex_unlock(&g->lock);
		return;
	}
	if (vgt_inproc_step(g->host, g->gs, STEP_COMMANDS) == 0) {
		uint64_t t = gensim_next_event_ns(g->gs);

		vgt_inproc_advance(g->host, g->gs, t < IDLE_STEP_NS ? t : IDLE_STEP_NS);
	}
}

/* ---- What the guest's CPU and the device clock do, recorded for replay ---------- */

int vgt_inproc_ram_write(struct vgt_inproc_guest *g, uint64_t gpa, const void *buf, size_t len)
{
	int ret = t_write_gpa(g, gpa, buf, len);

	if (!ret)
		vgt_host_trace_data(g->host, VGT_TRC_RAM_WRITE, g->domid, gpa, buf, len);
	return ret;
}

int vgt_inproc_aperture_write(struct vgt_inproc_guest *g, uint64_t off, const void *buf,
			      size_t len)
{
	const struct vgt_aperture_window *w = &g->window;
	int ret;

	if (off < w->guest_off || off - w->guest_off >= w->size || len > w->size - (off - w->guest_off))
		return -EFAULT;
	ret = gensim_aperture_write(g->gs, w->host_off + (off - w->guest_off), buf, len);
	if (!ret)
		vgt_host_trace_data(g->host, VGT_TRC_APERTURE_WRITE, g->domid, off, buf, len);
	return ret;
}

int64_t vgt_inproc_step(struct vgt_host *host, struct gensim *gs, uint64_t budget)
{
	int64_t n = vgt_host_run(host, budget);
	uint32_t w[4] = { (uint32_t)budget, (uint32_t)(budget >> 32), (uint32_t)n,
			  (uint32_t)((uint64_t)n >> 32) };

	(void)gs;
	vgt_host_trace(host, VGT_TRC_STEP, w, 4);
	return n;
}

void vgt_inproc_advance(struct vgt_host *host, struct gensim *gs, uint64_t ns)
{
	uint32_t w[2] = { (uint32_t)ns, (uint32_t)(ns >> 32) };

	gensim_advance_time(gs, ns);
	vgt_host_trace(host, VGT_TRC_TIME, w, 2);
}

int vgt_inproc_guest_init(struct vgt_inproc_guest *g, struct vgt_host *host, struct gensim *gs,
			  uint64_t ram_maddr, uint64_t ram_size,
			  const struct vgt_vgpu_params *params, struct vgt_error *err)
{
	struct vgt_vgpu_params p = *params;
	struct vgt_host_info hi;
	int ret;

	memset(g, 0, sizeof(*g));
	if ((ram_maddr | ram_size) & 0xFFFu || !ram_size ||
	    ram_maddr > gensim_memory_size(gs) || ram_size > gensim_memory_size(gs) - ram_maddr) {
		snprintf(err->msg, sizeof(err->msg), "guest RAM outside machine memory");
		return -EINVAL;
	}
	/* The mediator's rings, shadow batches and status pages are not a guest's RAM. */
	vgt_host_get_info(host, &hi);
	if (ram_maddr < hi.host_mem.base + hi.host_mem.size &&
	    hi.host_mem.base < ram_maddr + ram_size) {
		snprintf(err->msg, sizeof(err->msg),
			 "guest RAM [0x%llx, +%llu MiB) overlaps the mediator's own memory "
			 "[0x%llx, +%llu MiB)", (unsigned long long)ram_maddr,
			 (unsigned long long)(ram_size >> 20), (unsigned long long)hi.host_mem.base,
			 (unsigned long long)(hi.host_mem.size >> 20));
		return -EINVAL;
	}
	g->gs = gs;
	g->host = host;
	g->domid = params->domid;
	g->ram_maddr = ram_maddr;
	g->ram_size = ram_size;
	if (pthread_mutex_init(&g->lock, NULL))
		return -ENOMEM;
	if (pthread_cond_init(&g->irq, NULL)) {
		pthread_mutex_destroy(&g->lock);
		return -ENOMEM;
	}
	p.ops = &inproc_ops;
	p.opaque = g;
	ret = vgt_vgpu_create(host, &p, &g->vgpu, err);
	if (ret) {
		pthread_cond_destroy(&g->irq);
		pthread_mutex_destroy(&g->lock);
		return ret;
	}
	vgt_vgpu_aperture_window(g->vgpu, &g->window);
	if (vgt_host_tracing(host)) {
		struct vgt_vgpu_info vi;
		uint32_t w[7];

		vgt_vgpu_get_info(g->vgpu, &vi);
		w[0] = g->domid;
		w[1] = (uint32_t)(vi.low.size >> 20);
		w[2] = (uint32_t)(vi.high.size >> 20);
		w[3] = vi.fences;
		w[4] = vi.weight;
		w[5] = (uint32_t)(ram_maddr >> 20);
		w[6] = (uint32_t)(ram_size >> 20);
		vgt_host_trace(host, VGT_TRC_VGPU_CREATE, w, 7);
	}
	g->plat = (struct refdrv_platform){
		.ctx = g,
		.cfg_read = p_cfg_read,
		.cfg_write = p_cfg_write,
		.mmio_read32 = p_mmio_read32,
		.mmio_write32 = p_mmio_write32,
		.mem_read = p_mem_read,
		.mem_write = p_mem_write,
		.irq_count = p_irq_count,
		.wait = p_wait,
		.ram_base = 0,
		.ram_size = ram_size,
		.bar_window = 4ull << 30,
		.msi_addr = GUEST_MSI_ADDR,
		.msi_data = GUEST_MSI_DATA,
	};
	return 0;
}

void vgt_inproc_guest_fini(struct vgt_inproc_guest *g)
{
	vgt_vgpu_destroy(g->vgpu);
	g->vgpu = NULL;
	pthread_cond_destroy(&g->irq);
	pthread_mutex_destroy(&g->lock);
}

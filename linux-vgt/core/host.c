/* SPDX-License-Identifier: MIT */
/*
 * The host: one physical GPU, its graphics-memory layout, the mediator's
 * own slice, the vGPU types and the vGPUs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

extern const char vgt_default_types_text[];

#define DEFAULT_HOST_LOW_MB   64u
#define DEFAULT_HOST_HIGH_MB  128u
#define DEFAULT_HOST_FENCES   4u
#define DEFAULT_HOST_MEM      (32ull << 20)
#define DEFAULT_SLICE_NS      1000000ull
#define DEFAULT_HANG_NS       500000000ull

_Noreturn void vgt_bug(const char *file, int line, const char *what)
{
	fprintf(stderr, "vgt: host invariant broken at %s:%d: %s\n", file, line, what);
	abort();
}

void vgt_seterr(struct vgt_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

static void log_stderr(void *opaque, enum vgt_log_level level, const char *msg)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };

	(void)opaque;
	fprintf(stderr, "vgt %s: %s\n", names[level], msg);
}

void vgt_log(struct vgt_host *host, enum vgt_log_level level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	host->log(host->log_opaque, level, msg);
}

/*
 * One zeroed page of the mediator's own memory that every unused host GTT
 * entry maps, as i915 does: a stray access through a freed or cleared
 * entry lands there, not in machine page 0 (someone else's memory).  The
 * whole GTT starts out pointing at it; the mediator maps its own layout
 * and the vGPUs their pages over it.
 */
static int scratch_init(struct vgt_host *host, struct vgt_error *err)
{
	static const uint8_t zeros[VGT_PAGE_SIZE];
	const struct vgt_range all = { 0, (uint64_t)host->hwinfo.gtt_entries * VGT_PAGE_SIZE };
	int ret;

	if (host->mem_size < VGT_SCRATCH_OFF + VGT_PAGE_SIZE ||
	    host->mem_base + host->mem_size > host->hwinfo.memory_size) {
		vgt_seterr(err, "the mediator's memory [0x%llx, +%llu MiB) is not the device's to use",
			   (unsigned long long)host->mem_base,
			   (unsigned long long)(host->mem_size >> 20));
		return -EINVAL;
	}
	host->scratch_maddr = host->mem_base + VGT_SCRATCH_OFF;
	host->scratch_pte = HSW_PTE_ENCODE(host->scratch_maddr) | HSW_PTE_VALID;
	ret = host->hw->dma_write(host->hw_handle, host->scratch_maddr, zeros, sizeof(zeros));
	if (ret) {
		vgt_seterr(err, "cannot clear the scratch page: %s", strerror(-ret));
		return ret;
	}
	vgt_gtt_fill(host, &all, host->scratch_pte);
	return 0;
}

int vgt_host_create(const struct vgt_host_params *p, struct vgt_host **out, struct vgt_error *err)
{
	uint32_t low_mb = p->host_low_mb ? p->host_low_mb : DEFAULT_HOST_LOW_MB;
	uint32_t high_mb = p->host_high_mb ? p->host_high_mb : DEFAULT_HOST_HIGH_MB;
	uint32_t fences = p->host_fences ? p->host_fences : DEFAULT_HOST_FENCES;
	uint32_t idx[VGT_MAX_FENCES];
	struct vgt_host *host;
	int ret;

	*out = NULL;
	if (!p->hw || !p->hw->info || !p->hw->mmio_read || !p->hw->mmio_write || !p->hw->gtt_write ||
	    !p->hw->gtt_read || !p->hw->cfg_read || !p->hw->aperture_read || !p->hw->aperture_write ||
	    !p->hw->dma_read || !p->hw->dma_write || !p->hw->now_ns) {
		vgt_seterr(err, "hardware backend lacks required operations");
		return -EINVAL;
	}
	host = calloc(1, sizeof(*host));
	if (!host) {
		vgt_seterr(err, "out of memory");
		return -ENOMEM;
	}
	host->hw = p->hw;
	host->hw_handle = p->hw_handle;
	host->log = p->log ? p->log : log_stderr;
	host->log_opaque = p->log_opaque;
	host->debug_mask = p->debug_mask;
	host->next_id = 1;
	host->mem_base = p->mem_size ? p->mem_base : 0;
	host->mem_size = p->mem_size ? p->mem_size : DEFAULT_HOST_MEM;
	host->slice_ns = p->slice_ns ? p->slice_ns : DEFAULT_SLICE_NS;
	host->hang_ns = p->hang_ns ? p->hang_ns : DEFAULT_HANG_NS;
	p->hw->info(p->hw_handle, &host->hwinfo);

	/* Low GM is what the aperture shows; high GM is the rest of the GGTT. */
	host->low.base = 0;
	host->low.size = host->hwinfo.aperture_size;
	host->high.base = host->low.size;
	host->high.size = (uint64_t)host->hwinfo.gtt_entries * VGT_PAGE_SIZE - host->low.size;
	if ((uint64_t)low_mb << 20 >= host->low.size || (uint64_t)high_mb << 20 >= host->high.size ||
	    fences > host->hwinfo.fences || host->hwinfo.fences > VGT_MAX_FENCES) {
		vgt_seterr(err, "the mediator's slice (%u MiB low, %u MiB high, %u fences) does not fit the GPU",
			   low_mb, high_mb, fences);
		ret = -EINVAL;
		goto err_free;
	}
	host->host_low = (struct vgt_range){ host->low.base, (uint64_t)low_mb << 20 };
	host->host_high = (struct vgt_range){ host->high.base, (uint64_t)high_mb << 20 };
	host->host_fences = fences;
	VGT_BUG_ON(vgt_fences_alloc(host, VGT_FENCE_HOST, fences, idx));

	ret = scratch_init(host, err);
	if (ret)
		goto err_free;

	ret = vgt_types_parse(p->types_text ? p->types_text : vgt_default_types_text, host->types,
			      VGT_MAX_TYPES, err);
	if (ret < 0)
		goto err_free;
	host->ntypes = (unsigned)ret;

	ret = vgt_mmio_index_build(host);
	if (ret) {
		vgt_seterr(err, "out of memory");
		goto err_free;
	}
	if (pthread_mutex_init(&host->lock, NULL)) {
		vgt_seterr(err, "cannot create a lock");
		ret = -ENOMEM;
		goto err_index;
	}
	if (pthread_mutex_init(&host->trace_lock, NULL)) {
		vgt_seterr(err, "cannot create a lock");
		ret = -ENOMEM;
		goto err_lock;
	}
	ret = vgt_sched_init(host, err);
	if (ret)
		goto err_trace_lock;
	vgt_log(host, VGT_LOG_INFO, "host: %s 8086:%04x, low GM %llu MiB, high GM %llu MiB, %u fences",
		p->hw->name, host->hwinfo.device, (unsigned long long)(host->low.size >> 20),
		(unsigned long long)(host->high.size >> 20), host->hwinfo.fences);
	*out = host;
	return 0;

err_trace_lock:
	pthread_mutex_destroy(&host->trace_lock);
err_lock:
	pthread_mutex_destroy(&host->lock);
err_index:
	free(host->mmio_index);
err_free:
	free(host);
	return ret;
}

void vgt_host_destroy(struct vgt_host *host)
{
	if (!host)
		return;
	vgt_host_stop_service(host);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (host->vgpu[i])
			vgt_vgpu_destroy(host->vgpu[i]);
	vgt_sched_fini(host);
	vgt_host_trace_stop(host);
	pthread_mutex_destroy(&host->trace_lock);
	pthread_mutex_destroy(&host->lock);
	free(host->mmio_index);
	free(host);
}

static void info_locked(struct vgt_host *host, struct vgt_host_info *info)
{
	memset(info, 0, sizeof(*info));
	info->hw = host->hwinfo;
	info->low = host->low;
	info->high = host->high;
	info->host_low = host->host_low;
	info->host_high = host->host_high;
	info->host_fences = host->host_fences;
	info->free_low = vgt_part_free_bytes(host, &host->low, &info->largest_low);
	info->free_high = vgt_part_free_bytes(host, &host->high, &info->largest_high);
	info->free_fences = vgt_fences_free(host);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		info->vgpus += host->vgpu[i] != NULL;
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++) {
		info->engine_busy_ns[e] = host->eng[e].busy_ns;
		info->context_switches[e] = host->eng[e].switches;
		info->engine_resets[e] = host->eng[e].resets;
	}
	info->max_sched_delay_ns = host->max_sched_delay_ns;
	info->host_mem.base = host->mem_base;
	info->host_mem.size = host->mem_size;
}

void vgt_host_get_info(struct vgt_host *host, struct vgt_host_info *info)
{
	pthread_mutex_lock(&host->lock);
	info_locked(host, info);
	pthread_mutex_unlock(&host->lock);
}

unsigned vgt_host_types(struct vgt_host *host, struct vgt_type *types, unsigned max)
{
	unsigned n;

	pthread_mutex_lock(&host->lock);
	n = host->ntypes;
	for (unsigned i = 0; i < n && i < max; i++)
		types[i] = host->types[i];
	pthread_mutex_unlock(&host->lock);
	return n;
}

int vgt_host_type_capacity(struct vgt_host *host, const char *name)
{
	const struct vgt_type *t = NULL;
	uint64_t lo, hi, fe, n;
	unsigned slots = 0;

	pthread_mutex_lock(&host->lock);
	for (unsigned i = 0; i < host->ntypes; i++)
		if (!strcmp(host->types[i].name, name))
			t = &host->types[i];
	if (!t) {
		pthread_mutex_unlock(&host->lock);
		return -ENOENT;
	}
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		slots += host->vgpu[i] == NULL;
	lo = vgt_part_count_fit(host, &host->low, (uint64_t)t->low_mb << 20);
	hi = vgt_part_count_fit(host, &host->high, (uint64_t)t->high_mb << 20);
	fe = t->fences ? vgt_fences_free(host) / t->fences : slots;
	pthread_mutex_unlock(&host->lock);
	n = lo < hi ? lo : hi;
	n = n < fe ? n : fe;
	return (int)(n < slots ? n : slots);
}

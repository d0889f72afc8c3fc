/* SPDX-License-Identifier: MIT */
/*
 * vGPU lifecycle, admission, the trapped-access entry points and guest
 * errors.
 *
 * A guest error is contained where it happens, counted per kind, logged
 * once per kind until the next reset and latches failsafe: from then on
 * the vGPU's writes no longer reach host state (GTT, fences, aperture)
 * until it is reset.  The host and the other vGPUs are unaffected.  What a
 * guest makes the host log is also rate-limited per vGPU, across resets
 * (vgt_guest_log), so that faults and resets in a loop stay a few lines.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

static const char *const gerr_names[VGT_GERR_KINDS] = {
	[VGT_GERR_ACCESS] = "bad access size or alignment",
	[VGT_GERR_GTT_RANGE] = "GTT entry outside its slices",
	[VGT_GERR_GTT_FRAME] = "GTT entry for a frame it does not own",
	[VGT_GERR_FENCE] = "fence outside its own",
	[VGT_GERR_APERTURE] = "aperture access outside its window",
	[VGT_GERR_PVINFO] = "write to read-only PVINFO",
	[VGT_GERR_REG] = "register it may not change",
	[VGT_GERR_RING] = "ring or status page outside its memory",
	[VGT_GERR_CMD] = "command refused by the audit",
	[VGT_GERR_HANG] = "workload hang",
};

const char *vgt_guest_error_name(enum vgt_guest_error_kind kind)
{
	return (unsigned)kind < VGT_GERR_KINDS ? gerr_names[kind] : "unknown";
}

/* ---- Guest-caused log lines ------------------------------------------------ */

static struct vgt_ratelimit *glog_bucket(struct vgt_vgpu *v, enum vgt_log_level level)
{
	return &v->glog[level == VGT_LOG_DEBUG ? VGT_GLOG_DEBUG : VGT_GLOG_WARN];
}

void vgt_guest_log_init(struct vgt_vgpu *v)
{
	uint64_t now = v->host->hw->now_ns(v->host->hw_handle);

	for (unsigned c = 0; c < VGT_GLOG_CLASSES; c++)
		v->glog[c] = (struct vgt_ratelimit){ .window_ns = now, .left = VGT_GLOG_BURST };
}

static void say_suppressed(struct vgt_vgpu *v, struct vgt_ratelimit *rl, enum vgt_log_level level)
{
	if (!rl->suppressed)
		return;
	vgt_log(v->host, level, "vgpu%u (domain %u): %llu guest-caused messages suppressed", v->id,
		v->domid, (unsigned long long)rl->suppressed);
	rl->suppressed = 0;
}

/* Whether one more line fits in @rl's interval; a new interval first reports the dropped. */
static bool glog_admit(struct vgt_vgpu *v, struct vgt_ratelimit *rl, enum vgt_log_level level)
{
	uint64_t now = v->host->hw->now_ns(v->host->hw_handle);

	/* A clock that went back starts the interval again, without new lines. */
	if (now < rl->window_ns)
		rl->window_ns = now;
	if (now - rl->window_ns >= VGT_GLOG_INTERVAL_NS) {
		say_suppressed(v, rl, level);
		rl->window_ns = now;
		rl->left = VGT_GLOG_BURST;
	}
	if (!rl->left) {
		rl->suppressed++;
		return false;
	}
	rl->left--;
	return true;
}

void vgt_guest_log(struct vgt_vgpu *v, enum vgt_log_level level, const char *fmt, ...)
{
	char msg[512];                          /* as vgt_log's */
	va_list ap;

	if (!glog_admit(v, glog_bucket(v, level), level))
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vgt_log(v->host, level, "%s", msg);
}

/* On destroy: what was dropped since the last line is not lost silently. */
void vgt_guest_log_flush(struct vgt_vgpu *v)
{
	say_suppressed(v, &v->glog[VGT_GLOG_WARN], VGT_LOG_WARN);
	say_suppressed(v, &v->glog[VGT_GLOG_DEBUG], VGT_LOG_DEBUG);
}

void vgt_guest_error(struct vgt_vgpu *v, enum vgt_guest_error_kind kind, const char *fmt, ...)
{
	char msg[VGT_ERRMSG_MAX];
	va_list ap;

	VGT_BUG_ON((unsigned)kind >= VGT_GERR_KINDS);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	v->stats.guest_errors++;
	v->stats.errors_by_kind[kind]++;
	if (!v->stats.first_error[0])
		snprintf(v->stats.first_error, sizeof(v->stats.first_error), "%s", msg);
	/* Once per kind since the last reset, and within the vGPU's log budget. */
	if (!(v->logged_kinds & (1u << kind))) {
		v->logged_kinds |= 1u << kind;
		vgt_guest_log(v, VGT_LOG_WARN, "vgpu%u (domain %u): guest error: %s%s", v->id,
			      v->domid, msg, v->failsafe ? "" : "; entering failsafe");
	}
	/* Work it queued and that has not started will not run. */
	if (!v->failsafe) {
		vgt_trace_vgpu(v, VGT_TRC_FAILSAFE, 1, kind, 0, 0, 0);
		vgt_sched_drop_queued(v);
	}
	v->failsafe = true;
}

/* ---- Admission ------------------------------------------------------------- */

static const struct vgt_type *find_type(const struct vgt_host *host, const char *name)
{
	for (unsigned i = 0; i < host->ntypes; i++)
		if (!strcmp(host->types[i].name, name))
			return &host->types[i];
	return NULL;
}

static void explain_no_fit(struct vgt_host *host, uint32_t low_mb, uint32_t high_mb,
			   uint32_t fences, uint32_t domid, struct vgt_error *err)
{
	uint64_t lo_big, hi_big;
	uint64_t lo = vgt_part_free_bytes(host, &host->low, &lo_big);
	uint64_t hi = vgt_part_free_bytes(host, &host->high, &hi_big);

	vgt_seterr(err, "vGPU for domain %u does not fit: it asks %u MiB aperture, %u MiB hidden, "
		   "%u fences; left: %llu MiB aperture (largest slice %llu), %llu MiB hidden "
		   "(largest slice %llu), %u fences",
		   domid, low_mb, high_mb, fences, (unsigned long long)(lo >> 20),
		   (unsigned long long)(lo_big >> 20), (unsigned long long)(hi >> 20),
		   (unsigned long long)(hi_big >> 20), vgt_fences_free(host));
}

static int check_params(struct vgt_host *host, const struct vgt_vgpu_params *p, uint32_t *low,
			uint32_t *high, uint32_t *fences, uint32_t *weight, const char **type,
			struct vgt_error *err)
{
	const struct vgt_transport_ops *ops = p->ops;

	if (!ops || !ops->gfn_to_mfn || !ops->read_gpa || !ops->write_gpa || !ops->inject_msi) {
		vgt_seterr(err, "the transport lacks required guest-memory operations");
		return -EINVAL;
	}
	if (p->type && p->type[0]) {
		const struct vgt_type *t = find_type(host, p->type);

		if (!t) {
			vgt_seterr(err, "unknown vGPU type '%.40s'", p->type);
			return -ENOENT;
		}
		*low = t->low_mb;
		*high = t->high_mb;
		*fences = t->fences;
		*weight = t->weight;
		*type = t->name;
		return 0;
	}
	if (!p->low_mb || !p->high_mb || p->fences > VGT_MAX_FENCES || p->low_mb > 4096 ||
	    p->high_mb > 4096) {
		vgt_seterr(err, "bad vGPU sizes: %u MiB aperture, %u MiB hidden, %u fences "
			   "(aperture and hidden memory at least 1 MiB, fences 0..32)",
			   p->low_mb, p->high_mb, p->fences);
		return -EINVAL;
	}
	*low = p->low_mb;
	*high = p->high_mb;
	*fences = p->fences;
	*weight = p->weight ? p->weight : 1;
	*type = "custom";
	return 0;
}

/*
 * The vGPU's own scratch page, zeroed: whatever the slot's previous owner
 * wrote through its cleared entries stays with it.
 */
static int vgpu_scratch_init(struct vgt_vgpu *v, int slot)
{
	static const uint8_t zeros[VGT_PAGE_SIZE];
	struct vgt_host *host = v->host;
	uint64_t maddr = host->mem_base + VGT_VGPU_SCRATCH_OFF(slot);
	int ret = host->hw->dma_write(host->hw_handle, maddr, zeros, sizeof(zeros));

	if (!ret)
		v->scratch_pte = HSW_PTE_ENCODE(maddr) | HSW_PTE_VALID;
	return ret;
}

int vgt_vgpu_create(struct vgt_host *host, const struct vgt_vgpu_params *p,
		    struct vgt_vgpu **out, struct vgt_error *err)
{
	uint32_t low_mb, high_mb, fences, weight;
	struct vgt_range low, high;
	const char *type;
	struct vgt_vgpu *v;
	int slot = -1, ret;

	*out = NULL;
	pthread_mutex_lock(&host->lock);
	ret = check_params(host, p, &low_mb, &high_mb, &fences, &weight, &type, err);
	if (ret)
		goto out_unlock;
	for (int i = 0; i < VGT_MAX_VGPUS; i++) {
		if (host->vgpu[i] && host->vgpu[i]->domid == p->domid) {
			vgt_seterr(err, "domain %u already has a vGPU", p->domid);
			ret = -EEXIST;
			goto out_unlock;
		}
		if (!host->vgpu[i] && slot < 0)
			slot = i;
	}
	if (slot < 0) {
		vgt_seterr(err, "no room for another vGPU (at most %d)", VGT_MAX_VGPUS);
		ret = -ENOSPC;
		goto out_unlock;
	}
	if (vgt_part_alloc(host, &host->low, (uint64_t)low_mb << 20, &low) ||
	    vgt_part_alloc(host, &host->high, (uint64_t)high_mb << 20, &high) ||
	    vgt_fences_free(host) < fences) {
		explain_no_fit(host, low_mb, high_mb, fences, p->domid, err);
		ret = -ENOSPC;
		goto out_unlock;
	}

	v = calloc(1, sizeof(*v));
	if (!v) {
		ret = -ENOMEM;
		goto out_nomem;
	}
	v->vreg = calloc(VGT_MMIO_DWORDS, sizeof(*v->vreg));
	v->vgtt = calloc(HSW_GTT_ENTRIES, sizeof(*v->vgtt));
	if (!v->vreg || !v->vgtt) {
		ret = -ENOMEM;
		goto out_free_nomem;
	}
	v->host = host;
	v->id = host->next_id++;
	v->domid = p->domid;
	snprintf(v->type, sizeof(v->type), "%s", type);
	v->low = low;
	v->high = high;
	v->nfences = fences;
	v->weight = weight;
	v->ops = p->ops;
	v->opaque = p->opaque;
	VGT_BUG_ON(vgt_fences_alloc(host, v->id, fences, v->host_fence));
	/* Whatever the slices mapped before is not the new domain's to see. */
	ret = vgpu_scratch_init(v, slot);
	if (ret)
		goto out_fences;
	vgt_gtt_fill(host, &low, v->scratch_pte);
	vgt_gtt_fill(host, &high, v->scratch_pte);
	vgt_guest_log_init(v);
	vgt_cfg_init(v);
	vgt_vgpu_reset_locked(v);
	vgt_policy_admit(host, v);
	host->vgpu[slot] = v;
	vgt_log(host, VGT_LOG_INFO,
		"vgpu%u: domain %u, type %s: aperture [0x%08llx, +%u MiB), hidden [0x%08llx, +%u MiB), %u fences",
		v->id, v->domid, v->type, (unsigned long long)low.base, low_mb,
		(unsigned long long)high.base, high_mb, fences);
	*out = v;
	pthread_mutex_unlock(&host->lock);
	return 0;

out_fences:
	vgt_fences_release(host, v->id);
	vgt_seterr(err, "cannot clear the vGPU's scratch page: %s", strerror(-ret));
	goto out_free;
out_free_nomem:
	vgt_seterr(err, "out of memory");
out_free:
	free(v->vgtt);
	free(v->vreg);
	free(v);
	goto out_unlock;
out_nomem:
	vgt_seterr(err, "out of memory");
out_unlock:
	pthread_mutex_unlock(&host->lock);
	return ret;
}

void vgt_vgpu_destroy(struct vgt_vgpu *v)
{
	struct vgt_host *host;

	if (!v)
		return;
	host = v->host;
	pthread_mutex_lock(&host->lock);
	vgt_trace_vgpu(v, VGT_TRC_VGPU_DESTROY, 0, 0, 0, 0, 0);
	vgt_sched_vgpu_gone(v);
	if (host->foreground == v) {
		host->foreground = NULL;
		vgt_foreground_sync(host);      /* the screen goes dark, not stale */
	}
	/* The transport unclaims its ranges and unmaps the aperture window. */
	if (v->ops->bar_update)
		for (unsigned bar = 0; bar <= 4; bar += 2)
			v->ops->bar_update(v->opaque, bar, 0, v->bar_size[bar], false);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (host->vgpu[i] == v)
			host->vgpu[i] = NULL;
	vgt_gtt_release(v);
	vgt_fence_release(v);
	vgt_fences_release(host, v->id);
	vgt_guest_log_flush(v);
	vgt_log(host, VGT_LOG_INFO, "vgpu%u: domain %u released", v->id, v->domid);
	pthread_mutex_unlock(&host->lock);
	free(v->vgtt);
	free(v->vreg);
	free(v);
}

void vgt_vgpu_reset_locked(struct vgt_vgpu *v)
{
	/* Work it queued is dropped; what the engines run for it is stopped. */
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		vgt_sched_engine_reset(v, e);
	/* Its fences go back to off, on the host too. */
	vgt_fence_release(v);
	vgt_mmio_reset(v);
	v->irq_line = false;
	vgt_pvinfo_init(v);
	/* The GTT belongs to the guest's memory map; it survives a reset. */
	v->io_index = 0;
	v->failsafe = false;
	/* Each kind is logged again after a reset, but its log budget (glog) stays spent. */
	v->logged_kinds = 0;
}

int vgt_vgpu_reset(struct vgt_vgpu *v)
{
	pthread_mutex_lock(&v->host->lock);
	vgt_trace_vgpu(v, VGT_TRC_VGPU_RESET, 0, 0, 0, 0, 0);
	vgt_vgpu_reset_locked(v);
	pthread_mutex_unlock(&v->host->lock);
	return 0;
}

int vgt_vgpu_set_weight(struct vgt_vgpu *v, uint32_t weight)
{
	if (weight < 1 || weight > 100)
		return -EINVAL;
	pthread_mutex_lock(&v->host->lock);
	v->weight = weight;
	pthread_mutex_unlock(&v->host->lock);
	return 0;
}

void vgt_vgpu_get_info(struct vgt_vgpu *v, struct vgt_vgpu_info *info)
{
	pthread_mutex_lock(&v->host->lock);
	*info = v->stats;
	info->id = v->id;
	info->domid = v->domid;
	snprintf(info->type, sizeof(info->type), "%s", v->type);
	info->low = v->low;
	info->high = v->high;
	info->fences = v->nfences;
	memcpy(info->host_fence, v->host_fence, sizeof(info->host_fence));
	info->weight = v->weight;
	info->failsafe = v->failsafe;
	info->scratch_maddr = HSW_PTE_DECODE(v->scratch_pte);
	pthread_mutex_unlock(&v->host->lock);
}

/* ---- Trapped accesses ------------------------------------------------------ */

static bool size_ok(uint64_t off, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) && !(off & (size - 1));
}

/* BAR0: registers below 2 MiB, the GTT above. */
static void bar0_access(struct vgt_vgpu *v, uint64_t off, unsigned size, uint64_t *val, bool write)
{
	if (!size_ok(off, size) || off >= HSW_BAR0_SIZE) {
		vgt_guest_error(v, VGT_GERR_ACCESS, "BAR0 %s of %u bytes at 0x%llx",
				write ? "write" : "read", size, (unsigned long long)off);
		if (!write)
			*val = ~0ull;
		return;
	}
	if (off >= HSW_GTT_OFFSET) {
		if (write)
			vgt_gtt_write(v, (uint32_t)(off - HSW_GTT_OFFSET), size, *val);
		else
			vgt_gtt_read(v, (uint32_t)(off - HSW_GTT_OFFSET), size, val);
	} else if (write) {
		vgt_mmio_write(v, (uint32_t)off, size, *val);
	} else {
		vgt_mmio_read(v, (uint32_t)off, size, val);
	}
}

static int access(struct vgt_vgpu *v, unsigned bar, uint64_t off, unsigned size, uint64_t *val,
		  bool write)
{
	if (bar != 0 && bar != 2)
		return -EINVAL;
	pthread_mutex_lock(&v->host->lock);
	if (write)
		v->stats.mmio_writes++;
	else
		v->stats.mmio_reads++;
	if (bar == 0)
		bar0_access(v, off, size, val, write);
	else if (!size_ok(off, size))
		vgt_guest_error(v, VGT_GERR_ACCESS, "aperture access of %u bytes at 0x%llx", size,
				(unsigned long long)off);
	else
		vgt_aperture_access(v, off, size, val, write);
	/* Recorded once done, with the value the guest got. */
	if (vgt_tracing(v->host))
		vgt_trace_vgpu(v, !write ? VGT_TRC_MMIO_READ :
			       bar == 0 && off >= HSW_GTT_OFFSET ? VGT_TRC_GTT_WRITE : VGT_TRC_MMIO_WRITE,
			       4, bar << 8 | (size & 0xFF), (uint32_t)off, (uint32_t)*val,
			       (uint32_t)(*val >> 32));
	pthread_mutex_unlock(&v->host->lock);
	return 0;
}

int vgt_vgpu_mmio_read(struct vgt_vgpu *v, unsigned bar, uint64_t off, unsigned size, uint64_t *val)
{
	*val = ~0ull;
	return access(v, bar, off, size, val, false);
}

int vgt_vgpu_mmio_write(struct vgt_vgpu *v, unsigned bar, uint64_t off, unsigned size, uint64_t val)
{
	return access(v, bar, off, size, &val, true);
}

int vgt_vgpu_cfg_read(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t *val)
{
	int ret;

	pthread_mutex_lock(&v->host->lock);
	v->stats.cfg_accesses++;
	ret = vgt_cfg_read(v, off, size, val);
	vgt_trace_vgpu(v, VGT_TRC_CFG_READ, 3, size, off, *val, 0);
	pthread_mutex_unlock(&v->host->lock);
	return ret;
}

int vgt_vgpu_cfg_write(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t val)
{
	int ret;

	pthread_mutex_lock(&v->host->lock);
	v->stats.cfg_accesses++;
	ret = vgt_cfg_write(v, off, size, val);
	vgt_trace_vgpu(v, VGT_TRC_CFG_WRITE, 3, size, off, val, 0);
	pthread_mutex_unlock(&v->host->lock);
	return ret;
}

/* BAR4: MMIO_INDEX selects a dword of registers (target 0) or GTT (1). */
static void pio_access(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t *val, bool write)
{
	uint64_t data = write ? *val : 0;
	uint32_t dw = v->io_index & 0x1FFFFCu;

	if (size != 4 || (off != HSW_IO_MMIO_INDEX && off != HSW_IO_MMIO_DATA)) {
		vgt_guest_error(v, VGT_GERR_ACCESS, "port access of %u bytes at BAR4+%u", size, off);
		if (!write)
			*val = ~0u;
		return;
	}
	if (off == HSW_IO_MMIO_INDEX) {
		if (write)
			v->io_index = *val;
		else
			*val = v->io_index;
		return;
	}
	switch (v->io_index & 3u) {
	case 0:
		bar0_access(v, dw, 4, &data, write);
		break;
	case 1:
		bar0_access(v, HSW_GTT_OFFSET + dw, 4, &data, write);
		break;
	default:
		vgt_guest_error(v, VGT_GERR_ACCESS, "MMIO_INDEX target %u", v->io_index & 3u);
		data = ~0ull;
		break;
	}
	if (!write)
		*val = (uint32_t)data;
}

int vgt_vgpu_pio_read(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t *val)
{
	pthread_mutex_lock(&v->host->lock);
	pio_access(v, off, size, val, false);
	vgt_trace_vgpu(v, VGT_TRC_PIO_READ, 3, size, off, *val, 0);
	pthread_mutex_unlock(&v->host->lock);
	return 0;
}

int vgt_vgpu_pio_write(struct vgt_vgpu *v, uint32_t off, unsigned size, uint32_t val)
{
	pthread_mutex_lock(&v->host->lock);
	pio_access(v, off, size, &val, true);
	vgt_trace_vgpu(v, VGT_TRC_PIO_WRITE, 3, size, off, val, 0);
	pthread_mutex_unlock(&v->host->lock);
	return 0;
}

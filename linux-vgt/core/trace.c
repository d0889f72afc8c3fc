/* SPDX-License-Identifier: MIT */
/*
 * Tracing: every trapped access and mediator event as an xentrace record
 * (xen/trace/vgt_trace_events.h), into a file or a sink.  Off by default;
 * the hot paths test one relaxed flag.  Digests summarise a vGPU's state
 * so that a replay can say whether it came out the same.
 */
#include <errno.h>
#include <string.h>

#include "private.h"
#include "trace_file.h"

#define FNV_OFFSET 0xCBF29CE484222325ull
#define FNV_PRIME  0x100000001B3ull

void vgt_trace_emit(struct vgt_host *host, uint32_t event, const uint32_t *extra, unsigned n)
{
	uint64_t tsc;

	if (!vgt_tracing(host))
		return;
	tsc = host->hw->now_ns(host->hw_handle);
	pthread_mutex_lock(&host->trace_lock);
	if (host->trace_file) {
		int ret = vgt_trace_write(host->trace_file, event, true, tsc, extra, n);

		if (ret && !host->trace_error) {
			host->trace_error = ret;
			vgt_log(host, VGT_LOG_ERROR, "trace: write failed (%s); records are lost",
				strerror(-ret));
		}
	}
	if (host->trace_sink)
		host->trace_sink(host->trace_sink_opaque, event, tsc, extra, n);
	pthread_mutex_unlock(&host->trace_lock);
}

void vgt_trace_vgpu(struct vgt_vgpu *v, uint32_t event, unsigned n, uint32_t a, uint32_t b,
		    uint32_t c, uint32_t d)
{
	const uint32_t w[5] = { v->domid, a, b, c, d };

	if (vgt_tracing(v->host))
		vgt_trace_emit(v->host, event, w, 1 + (n > 4 ? 4 : n));
}

void vgt_host_trace_data(struct vgt_host *host, uint32_t event, uint32_t domid, uint64_t addr,
			 const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!vgt_tracing(host))
		return;
	while (len) {
		uint32_t w[7] = { 0 };
		size_t k = len < VGT_TRC_DATA_BYTES ? len : VGT_TRC_DATA_BYTES;

		w[0] = domid | (uint32_t)k << 16;
		w[1] = (uint32_t)addr;
		w[2] = (uint32_t)(addr >> 32);
		memcpy(&w[3], p, k);
		vgt_trace_emit(host, event, w, 7);
		p += k;
		addr += k;
		len -= k;
	}
}

void vgt_trace_data(struct vgt_vgpu *v, uint32_t event, uint64_t addr, const void *buf, size_t len)
{
	vgt_host_trace_data(v->host, event, v->domid, addr, buf, len);
}

void vgt_host_trace(struct vgt_host *host, uint32_t event, const uint32_t *extra, unsigned n)
{
	if (n <= VGT_TRC_EXTRA_MAX && !(event & ~VGT_TRC_EVENT_MASK))
		vgt_trace_emit(host, event, extra, n);
}

bool vgt_host_tracing(struct vgt_host *host)
{
	return vgt_tracing(host);
}

static int trace_begin(struct vgt_host *host, struct vgt_trace_writer *file,
		       vgt_trace_sink_fn *sink, void *opaque, uint32_t flags)
{
	const uint32_t meta[3] = { VGT_TRC_MAGIC, VGT_TRC_VERSION, flags };

	pthread_mutex_lock(&host->trace_lock);
	if (host->tracing) {
		pthread_mutex_unlock(&host->trace_lock);
		return -EBUSY;
	}
	host->trace_file = file;
	host->trace_sink = sink;
	host->trace_sink_opaque = opaque;
	host->trace_error = 0;
	__atomic_store_n(&host->tracing, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&host->trace_lock);
	if (file)
		vgt_trace_emit(host, VGT_TRC_META, meta, 3);
	return 0;
}

int vgt_host_trace_start(struct vgt_host *host, const char *path, uint32_t flags,
			 struct vgt_error *err)
{
	struct vgt_trace_writer *w;
	char why[VGT_ERRMSG_MAX];
	int ret;

	if (vgt_tracing(host)) {
		vgt_seterr(err, "a trace is already being recorded");
		return -EBUSY;
	}
	ret = vgt_trace_writer_open(path, &w, why, sizeof(why));
	if (ret) {
		vgt_seterr(err, "cannot record a trace: %s", why);
		return ret;
	}
	ret = trace_begin(host, w, NULL, NULL, flags);
	if (ret) {
		vgt_trace_writer_close(w);
		vgt_seterr(err, "a trace is already being recorded");
	}
	return ret;
}

int vgt_host_trace_sink(struct vgt_host *host, vgt_trace_sink_fn *fn, void *opaque)
{
	if (!fn)
		return vgt_host_trace_stop(host);
	return trace_begin(host, NULL, fn, opaque, 0);
}

int vgt_host_trace_stop(struct vgt_host *host)
{
	int ret;

	pthread_mutex_lock(&host->trace_lock);
	__atomic_store_n(&host->tracing, false, __ATOMIC_RELEASE);
	ret = host->trace_error;
	if (host->trace_file) {
		int r = vgt_trace_writer_close(host->trace_file);

		if (!ret)
			ret = r;
	}
	host->trace_file = NULL;
	host->trace_sink = NULL;
	host->trace_sink_opaque = NULL;
	pthread_mutex_unlock(&host->trace_lock);
	return ret;
}

/* ---- Digests ------------------------------------------------------------------------ */

static uint64_t fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}

/* Called with the host lock held. */
static void digest_locked(struct vgt_vgpu *v, struct vgt_vgpu_digest *d)
{
	d->vregs = fnv(FNV_OFFSET, v->vreg, VGT_MMIO_DWORDS * sizeof(*v->vreg));
	d->gtt = fnv(FNV_OFFSET, v->vgtt, (size_t)v->host->hwinfo.gtt_entries * sizeof(*v->vgtt));
	d->shadow = v->shadow_hash;
	d->errors = fnv(FNV_OFFSET, v->stats.errors_by_kind, sizeof(v->stats.errors_by_kind));
	d->errors = fnv(d->errors, &v->failsafe, sizeof(v->failsafe));
}

void vgt_vgpu_digest(struct vgt_vgpu *v, struct vgt_vgpu_digest *d)
{
	struct vgt_image img;
	struct vgt_error err;

	memset(d, 0, sizeof(*d));
	pthread_mutex_lock(&v->host->lock);
	digest_locked(v, d);
	pthread_mutex_unlock(&v->host->lock);
	if (!vgt_vgpu_scanout(v, 0, true, &img, &err)) {
		d->screen = fnv(FNV_OFFSET, &img.width, sizeof(img.width));
		d->screen = fnv(d->screen, &img.height, sizeof(img.height));
		d->screen = fnv(d->screen, img.pixels, (size_t)img.width * img.height * 4u);
		vgt_image_release(&img);
	}
}

void vgt_host_trace_digests(struct vgt_host *host)
{
	const uint32_t marker[2] = { 0xFFFFFFFFu, 0 };
	struct vgt_vgpu *list[VGT_MAX_VGPUS];
	unsigned n = 0;

	if (!vgt_tracing(host))
		return;
	/* The marker is the request; the per-vGPU records are its answer. */
	vgt_trace_emit(host, VGT_TRC_DIGEST, marker, 2);
	pthread_mutex_lock(&host->lock);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (host->vgpu[i])
			list[n++] = host->vgpu[i];
	pthread_mutex_unlock(&host->lock);
	for (unsigned i = 0; i < n; i++) {
		struct vgt_vgpu_digest d;
		uint64_t v[5];

		vgt_vgpu_digest(list[i], &d);
		v[0] = d.vregs;
		v[1] = d.gtt;
		v[2] = d.shadow;
		v[3] = d.screen;
		v[4] = d.errors;
		for (unsigned k = 0; k < 5; k++)
			vgt_trace_vgpu(list[i], VGT_TRC_DIGEST, 3, VGT_TRC_DIGEST_VREGS + k,
				       (uint32_t)v[k], (uint32_t)(v[k] >> 32), 0);
	}
}

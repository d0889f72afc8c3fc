/* SPDX-License-Identifier: MIT */
/*
 * vgtd's control commands (see tools/libxl-vgt/vgtd_proto.h): a request
 * line in, the human or JSON answer out.  Every malformed request gets a
 * reason; none changes anything.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vgtd.h"
#include "vgtd_proto.h"
#include "xen_transport.h"

#define MAX_WORDS 6

/* JSON keys for enum vgt_guest_error_kind, in its order. */
static const char *const error_keys[VGT_GERR_KINDS] = {
	"access", "gtt_range", "gtt_frame", "fence", "aperture", "pvinfo", "reg", "ring", "cmd",
	"hang",
};

/* ---- Output buffer ------------------------------------------------------------ */

static void reserve(struct vgtd_buf *b, size_t more)
{
	size_t cap;
	char *p;

	if (b->oom || b->len + more + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 1024;
	while (cap < b->len + more + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->oom = true;
		return;
	}
	b->data = p;
	b->cap = cap;
}

void vgtd_buf_put(struct vgtd_buf *b, const void *data, size_t len)
{
	reserve(b, len);
	if (b->oom)
		return;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void vgtd_buf_printf(struct vgtd_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	reserve(b, (size_t)n);
	if (b->oom)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void vgtd_buf_free(struct vgtd_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(struct vgtd_buf *b, const char *s)
{
	vgtd_buf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			vgtd_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			vgtd_buf_printf(b, "\\u%04x", c);
		else
			vgtd_buf_put(b, s, 1);
	}
	vgtd_buf_put(b, "\"", 1);
}

static bool fail(struct vgtd_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct vgtd_buf *out, const char *fmt, ...)
{
	char msg[VGT_ERRMSG_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	out->len = 0;
	vgtd_buf_printf(out, "%s\n", msg);
	return false;
}

static bool parse_domid(const char *s, uint32_t *domid)
{
	return vgtd_parse_u32(s, 0, 0x7FEF, domid);     /* below DOMID_FIRST_RESERVED */
}

/* ---- Commands ------------------------------------------------------------------- */

static bool cmd_types(struct vgtd *d, bool json, struct vgtd_buf *out)
{
	struct vgt_type types[32];
	struct vgt_host_info hi;
	unsigned n = vgt_host_types(d->host, types, 32);

	vgt_host_get_info(d->host, &hi);
	if (json)
		vgtd_buf_printf(out, "{\"types\":[");
	else
		vgtd_buf_printf(out, "%-12s %8s %9s %6s %6s %-10s %4s\n", "TYPE", "LOW(MiB)",
				"HIGH(MiB)", "FENCES", "WEIGHT", "DISPLAY", "FIT");
	for (unsigned i = 0; i < n && i < 32; i++) {
		int fit = vgt_host_type_capacity(d->host, types[i].name);

		if (fit < 0)
			fit = 0;
		if (json)
			vgtd_buf_printf(out, "%s{\"name\":\"%s\",\"low_mb\":%u,\"high_mb\":%u,"
					"\"fences\":%u,\"weight\":%u,\"width\":%u,\"height\":%u,"
					"\"fit\":%d}", i ? "," : "", types[i].name, types[i].low_mb,
					types[i].high_mb, types[i].fences, types[i].weight,
					types[i].width, types[i].height, fit);
		else
			vgtd_buf_printf(out, "%-12s %8u %9u %6u %6u %4ux%-5u %4d\n", types[i].name,
					types[i].low_mb, types[i].high_mb, types[i].fences,
					types[i].weight, types[i].width, types[i].height, fit);
	}
	if (json)
		vgtd_buf_printf(out, "],\"free\":{\"low_mb\":%" PRIu64 ",\"high_mb\":%" PRIu64
				",\"largest_low_mb\":%" PRIu64 ",\"largest_high_mb\":%" PRIu64
				",\"fences\":%u},\"vgpus\":%u}\n", hi.free_low >> 20,
				hi.free_high >> 20, hi.largest_low >> 20, hi.largest_high >> 20,
				hi.free_fences, hi.vgpus);
	else
		vgtd_buf_printf(out, "free: aperture %" PRIu64 " MiB (largest %" PRIu64 "), hidden %"
				PRIu64 " MiB (largest %" PRIu64 "), %u fences; %u vGPUs attached\n",
				hi.free_low >> 20, hi.largest_low >> 20, hi.free_high >> 20,
				hi.largest_high >> 20, hi.free_fences, hi.vgpus);
	return true;
}

static const char *state_name(const struct vgtd_domain *dom, const struct vgt_vgpu_info *vi)
{
	if (vi->failsafe)
		return "failsafe";
	if (dom->sim)
		return vgtd_sim_running(dom->sim) ? "running" : "stopped";
	return "running";
}

static bool cmd_list(struct vgtd *d, bool json, struct vgtd_buf *out)
{
	bool first = true;

	if (json)
		vgtd_buf_printf(out, "{\"domains\":[");
	else
		vgtd_buf_printf(out, "%5s %4s %-12s %8s %9s %6s %6s %-9s %-9s %s\n", "DOMID", "VGPU",
				"TYPE", "LOW(MiB)", "HIGH(MiB)", "FENCES", "WEIGHT", "STATE",
				"TRANSPORT", "DISPLAY");
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++) {
		struct vgtd_domain *dom = d->dom[i];
		struct vgt_vgpu_info vi;
		bool fg;

		if (!dom)
			continue;
		vgt_vgpu_get_info(dom->vgpu, &vi);
		fg = d->foreground == dom->vgpu;
		if (json) {
			vgtd_buf_printf(out, "%s{\"domid\":%u,\"vgpu\":%u,\"type\":", first ? "" : ",",
					dom->domid, vi.id);
			json_str(out, vi.type);
			vgtd_buf_printf(out, ",\"low\":{\"base\":%" PRIu64 ",\"mb\":%" PRIu64 "},"
					"\"high\":{\"base\":%" PRIu64 ",\"mb\":%" PRIu64 "},"
					"\"fences\":%u,\"weight\":%u,\"state\":\"%s\","
					"\"transport\":\"%s\",\"foreground\":%s}",
					vi.low.base, vi.low.size >> 20, vi.high.base, vi.high.size >> 20,
					vi.fences, vi.weight, state_name(dom, &vi),
					dom->sim ? "sim" : "xen", fg ? "true" : "false");
		} else {
			vgtd_buf_printf(out, "%5u %4u %-12s %8" PRIu64 " %9" PRIu64 " %6u %6u %-9s %-9s %s\n",
					dom->domid, vi.id, vi.type, vi.low.size >> 20,
					vi.high.size >> 20, vi.fences, vi.weight,
					state_name(dom, &vi), dom->sim ? "sim" : "xen",
					fg ? "foreground" : "-");
		}
		first = false;
	}
	pthread_mutex_unlock(&d->lock);
	if (json)
		vgtd_buf_printf(out, "]}\n");
	return true;
}

static bool cmd_attach(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgt_error err = { { 0 } };
	struct vgtd_domain *dom;
	struct vgt_vgpu_info vi;
	uint32_t domid;
	int ret;

	if (n != 3)
		return fail(out, "usage: attach DOMID TYPE|low=MiB,high=MiB[,fences=N][,weight=N]");
	if (!parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id", w[1]);
	ret = vgtd_attach(d, domid, w[2], &dom, &err);
	if (ret)
		return fail(out, "cannot attach a vGPU to domain %u: %s", domid,
			    err.msg[0] ? err.msg : strerror(-ret));
	vgt_vgpu_get_info(dom->vgpu, &vi);
	if (json)
		vgtd_buf_printf(out, "{\"domid\":%u,\"vgpu\":%u,\"type\":\"%s\",\"low_base\":%" PRIu64
				",\"low_mb\":%" PRIu64 ",\"high_base\":%" PRIu64 ",\"high_mb\":%"
				PRIu64 ",\"fences\":%u,\"weight\":%u}\n", domid, vi.id, vi.type,
				vi.low.base, vi.low.size >> 20, vi.high.base, vi.high.size >> 20,
				vi.fences, vi.weight);
	else
		vgtd_buf_printf(out, "domain %u: vgpu%u (%s): aperture 0x%08" PRIx64 " +%" PRIu64
				" MiB, hidden 0x%08" PRIx64 " +%" PRIu64 " MiB, %u fences, weight %u\n",
				domid, vi.id, vi.type, vi.low.base, vi.low.size >> 20, vi.high.base,
				vi.high.size >> 20, vi.fences, vi.weight);
	return true;
}

static bool cmd_detach(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgt_error err = { { 0 } };
	uint32_t domid;

	if (n != 2)
		return fail(out, "usage: detach DOMID");
	if (!parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id", w[1]);
	if (vgtd_detach(d, domid, &err))
		return fail(out, "%s", err.msg);
	if (json)
		vgtd_buf_printf(out, "{\"domid\":%u,\"detached\":true}\n", domid);
	else
		vgtd_buf_printf(out, "domain %u: vGPU detached\n", domid);
	return true;
}

static void host_stats(struct vgtd *d, bool json, struct vgtd_buf *out)
{
	static const char *const eng[4] = { "rcs", "vcs", "bcs", "vecs" };
	struct vgt_host_info hi;

	vgt_host_get_info(d->host, &hi);
	if (json) {
		vgtd_buf_printf(out, "{\"backend\":\"%s\",\"vgpus\":%u,\"max_sched_delay_ns\":%" PRIu64
				",\"engines\":{", d->cfg.backend, hi.vgpus, hi.max_sched_delay_ns);
		for (unsigned e = 0; e < 4; e++)
			vgtd_buf_printf(out, "%s\"%s\":{\"busy_ns\":%" PRIu64 ",\"switches\":%" PRIu64
					",\"resets\":%" PRIu64 "}", e ? "," : "", eng[e],
					hi.engine_busy_ns[e], hi.context_switches[e],
					hi.engine_resets[e]);
		vgtd_buf_printf(out, "}}\n");
		return;
	}
	vgtd_buf_printf(out, "backend %s, %u vGPUs, longest scheduling delay %.3f ms\n",
			d->cfg.backend, hi.vgpus, (double)hi.max_sched_delay_ns / 1e6);
	for (unsigned e = 0; e < 4; e++)
		vgtd_buf_printf(out, "  %-4s busy %.3f s, %" PRIu64 " context switches, %" PRIu64
				" resets\n", eng[e], (double)hi.engine_busy_ns[e] / 1e9,
				hi.context_switches[e], hi.engine_resets[e]);
}

static void domain_stats(struct vgtd_domain *dom, bool json, struct vgtd_buf *out)
{
	struct vgtd_sim_stats ss = { 0 };
	struct vgt_xen_domain_stats xs;
	struct vgt_vgpu_info vi;

	vgt_vgpu_get_info(dom->vgpu, &vi);
	if (dom->sim)
		vgtd_sim_stats(dom->sim, &ss);
	if (json) {
		vgtd_buf_printf(out, "{\"domid\":%u,\"vgpu\":%u,\"failsafe\":%s,\"mmio_reads\":%"
				PRIu64 ",\"mmio_writes\":%" PRIu64 ",\"cfg_accesses\":%" PRIu64
				",\"gtt_writes\":%" PRIu64 ",\"workloads_submitted\":%" PRIu64
				",\"workloads_completed\":%" PRIu64 ",\"irqs_injected\":%" PRIu64
				",\"vblanks\":%" PRIu64 ",\"guest_errors\":%" PRIu64 ",\"errors\":{",
				dom->domid, vi.id, vi.failsafe ? "true" : "false", vi.mmio_reads,
				vi.mmio_writes, vi.cfg_accesses, vi.gtt_writes, vi.workloads_submitted,
				vi.workloads_completed, vi.irqs_injected, vi.vblanks, vi.guest_errors);
		for (unsigned k = 0; k < VGT_GERR_KINDS; k++)
			vgtd_buf_printf(out, "%s\"%s\":%" PRIu64, k ? "," : "",
					error_keys[k], vi.errors_by_kind[k]);
		vgtd_buf_printf(out, "},\"first_error\":");
		json_str(out, vi.first_error);
		if (dom->sim) {
			vgtd_buf_printf(out, ",\"sim\":{\"frames\":%" PRIu64 ",\"msis\":%" PRIu64
					",\"running\":%s,\"screen_matches\":%s,\"error\":",
					ss.frames, ss.msis, ss.running ? "true" : "false",
					ss.screen_matches ? "true" : "false");
			json_str(out, ss.error);
			vgtd_buf_printf(out, "}");
		}
		if (dom->xen) {
			vgt_xen_domain_stats(dom->xen, &xs);
			vgtd_buf_printf(out, ",\"xen\":{\"ioservid\":%u,\"vcpus\":%u,\"mmio\":%" PRIu64
					",\"pio\":%" PRIu64 ",\"cfg\":%" PRIu64 ",\"buffered\":%" PRIu64
					",\"malformed\":%" PRIu64 ",\"unclaimed\":%" PRIu64
					",\"msis\":%" PRIu64 ",\"gmem_faults\":%" PRIu64
					",\"orphans_reclaimed\":%u,\"claims_refused\":%" PRIu64 "}",
					xs.ioservid, xs.vcpus, xs.ioreq.mmio, xs.ioreq.pio, xs.ioreq.cfg,
					xs.ioreq.buffered, xs.ioreq.malformed, xs.ioreq.unclaimed,
					xs.msis, xs.gmem_faults, xs.orphans_reclaimed, xs.claims_refused);
		}
		vgtd_buf_printf(out, "}\n");
		return;
	}
	vgtd_buf_printf(out, "domain %u (vgpu%u, %s)%s\n", dom->domid, vi.id, vi.type,
			vi.failsafe ? " FAILSAFE" : "");
	vgtd_buf_printf(out, "  mmio %" PRIu64 " reads, %" PRIu64 " writes; cfg %" PRIu64
			"; gtt writes %" PRIu64 "\n", vi.mmio_reads, vi.mmio_writes,
			vi.cfg_accesses, vi.gtt_writes);
	vgtd_buf_printf(out, "  workloads %" PRIu64 " submitted, %" PRIu64 " completed; %" PRIu64
			" interrupts, %" PRIu64 " vblanks\n", vi.workloads_submitted,
			vi.workloads_completed, vi.irqs_injected, vi.vblanks);
	vgtd_buf_printf(out, "  guest errors %" PRIu64 "%s%s\n", vi.guest_errors,
			vi.first_error[0] ? ", first: " : "", vi.first_error);
	if (dom->sim)
		vgtd_buf_printf(out, "  simulated guest: %s, %" PRIu64 " frames, screen %s%s%s\n",
				ss.running ? "running" : "stopped", ss.frames,
				ss.screen_matches ? "matches" : "not checked or different",
				ss.error[0] ? "; " : "", ss.error);
	if (dom->xen) {
		vgt_xen_domain_stats(dom->xen, &xs);
		vgtd_buf_printf(out, "  ioreq server %u, %u vCPUs: %" PRIu64 " mmio, %" PRIu64
				" pio, %" PRIu64 " cfg, %" PRIu64 " buffered, %" PRIu64
				" malformed, %" PRIu64 " unclaimed\n", xs.ioservid, xs.vcpus,
				xs.ioreq.mmio, xs.ioreq.pio, xs.ioreq.cfg, xs.ioreq.buffered,
				xs.ioreq.malformed, xs.ioreq.unclaimed);
		if (xs.orphans_reclaimed)
			vgtd_buf_printf(out, "  took over from a dead device model: %u ioreq "
					"server(s) destroyed\n", xs.orphans_reclaimed);
	}
}

static bool cmd_stats(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgtd_domain *dom;
	uint32_t domid;

	if (n == 1) {
		host_stats(d, json, out);
		return true;
	}
	if (n != 2)
		return fail(out, "usage: stats [DOMID]");
	if (!parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id", w[1]);
	pthread_mutex_lock(&d->lock);
	dom = vgtd_find(d, domid);
	if (dom)
		domain_stats(dom, json, out);
	pthread_mutex_unlock(&d->lock);
	return dom ? true : fail(out, "domain %u has no vGPU", domid);
}

static bool cmd_screenshot(struct vgtd *d, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgt_error err = { { 0 } };
	struct vgtd_domain *dom;
	struct vgt_image img;
	uint32_t domid, pipe = 0;
	int ret = -ENOENT;

	if (n != 2 && n != 3)
		return fail(out, "usage: screenshot DOMID [PIPE]");
	if (!parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id", w[1]);
	if (n == 3 && (strlen(w[2]) != 1 || w[2][0] < '0' || w[2][0] > '2'))
		return fail(out, "pipe '%.20s' is not 0, 1 or 2", w[2]);
	if (n == 3)
		pipe = (uint32_t)(w[2][0] - '0');
	pthread_mutex_lock(&d->lock);
	dom = vgtd_find(d, domid);
	if (dom)
		ret = vgt_vgpu_scanout(dom->vgpu, pipe, true, &img, &err);
	pthread_mutex_unlock(&d->lock);
	if (!dom)
		return fail(out, "domain %u has no vGPU", domid);
	if (ret)
		return fail(out, "domain %u shows nothing on pipe %u: %s", domid, pipe, err.msg);
	vgtd_buf_printf(out, "XRGB8888 %u %u\n", img.width, img.height);
	vgtd_buf_put(out, img.pixels, (size_t)img.width * img.height * 4);
	vgt_image_release(&img);
	return true;
}

static bool cmd_set_weight(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgtd_domain *dom;
	uint32_t domid, weight;
	int ret = -ENOENT;

	if (n != 3)
		return fail(out, "usage: set-weight DOMID WEIGHT");
	if (!parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id", w[1]);
	if (!vgtd_parse_u32(w[2], 1, 100, &weight))
		return fail(out, "weight '%.20s' is not 1..100", w[2]);
	pthread_mutex_lock(&d->lock);
	dom = vgtd_find(d, domid);
	if (dom)
		ret = vgt_vgpu_set_weight(dom->vgpu, weight);
	pthread_mutex_unlock(&d->lock);
	if (!dom)
		return fail(out, "domain %u has no vGPU", domid);
	if (ret)
		return fail(out, "cannot set the weight: %s", strerror(-ret));
	if (json)
		vgtd_buf_printf(out, "{\"domid\":%u,\"weight\":%u}\n", domid, weight);
	else
		vgtd_buf_printf(out, "domain %u: weight %u\n", domid, weight);
	return true;
}

static bool cmd_foreground(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	struct vgtd_domain *dom = NULL;
	uint32_t domid = 0;
	int ret;

	if (n != 2)
		return fail(out, "usage: foreground DOMID|none");
	if (strcmp(w[1], "none") && !parse_domid(w[1], &domid))
		return fail(out, "'%.20s' is not a domain id or 'none'", w[1]);
	pthread_mutex_lock(&d->lock);
	if (strcmp(w[1], "none")) {
		dom = vgtd_find(d, domid);
		if (!dom) {
			pthread_mutex_unlock(&d->lock);
			return fail(out, "domain %u has no vGPU", domid);
		}
	}
	ret = vgt_host_set_foreground(d->host, dom ? dom->vgpu : NULL);
	if (!ret)
		d->foreground = dom ? dom->vgpu : NULL;
	pthread_mutex_unlock(&d->lock);
	if (ret)
		return fail(out, "cannot change the foreground: %s", strerror(-ret));
	if (json)
		vgtd_buf_printf(out, "{\"foreground\":%d}\n", dom ? (int)domid : -1);
	else if (dom)
		vgtd_buf_printf(out, "domain %u owns the display\n", domid);
	else
		vgtd_buf_printf(out, "nobody owns the display\n");
	return true;
}

/* ---- Traces ------------------------------------------------------------------- */

/*
 * Opens the trace directory one component at a time from "/", never
 * following a symbolic link, and creates (0700) what is missing: a trace
 * may hold guest memory, and vgtd runs as root.
 */
static int open_trace_dir(const char *dir, char *why, size_t whylen)
{
	char path[VGTD_PATH_MAX], *save = NULL, *comp;
	int fd, next, ret;

	snprintf(path, sizeof(path), "%s", dir);
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(why, whylen, "cannot open /: %s", strerror(errno));
		return ret;
	}
	for (comp = strtok_r(path, "/", &save); comp; comp = strtok_r(NULL, "/", &save)) {
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			if (mkdirat(fd, comp, 0700) && errno != EEXIST) {
				ret = -errno;
				snprintf(why, whylen, "trace directory %s: cannot create '%s': %s", dir,
					 comp, strerror(errno));
				goto err;
			}
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0) {
			ret = -errno;
			if (errno == ELOOP || errno == ENOTDIR)
				snprintf(why, whylen, "trace directory %s: '%s' is a symbolic link or "
					 "not a directory; refused", dir, comp);
			else
				snprintf(why, whylen, "trace directory %s: '%s': %s", dir, comp,
					 strerror(errno));
			goto err;
		}
		close(fd);
		fd = next;
	}
	return fd;

err:
	close(fd);
	return ret;
}

/*
 * The file name a "trace start" argument gives in the trace directory: a
 * plain name, or the directory's own absolute path and a plain name.
 */
static const char *trace_name(const char *dir, const char *arg)
{
	size_t n = strlen(dir);

	if (arg[0] == '/') {
		/* The directory "/" ends in its own separator. */
		if (strncmp(arg, dir, n) || (n > 1 && arg[n] != '/'))
			return NULL;
		arg += n > 1 ? n + 1 : 1;
	}
	if (!arg[0] || strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, "..") ||
	    strlen(arg) > 255)
		return NULL;
	return arg;
}

/*
 * Creates the trace file: never through a symbolic link, never over an
 * existing file.  Returns its descriptor or -errno with @why.
 */
static int create_trace_file(int dirfd, const char *dir, const char *name, char *why,
			     size_t whylen)
{
	struct stat st;
	int fd, ret;

	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	ret = -errno;
	if (errno == EEXIST && !fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) && S_ISLNK(st.st_mode))
		snprintf(why, whylen, "trace file %s/%s is a symbolic link; refused", dir, name);
	else if (ret == -EEXIST)
		snprintf(why, whylen, "trace file %s/%s already exists; a trace never overwrites "
			 "a file, give a new name", dir, name);
	else
		snprintf(why, whylen, "cannot create trace file %s/%s: %s", dir, name, strerror(-ret));
	return ret;
}

/* Removes the file just created for a trace that did not start, if it is still that file. */
static void remove_trace_file(int dirfd, const char *name, int fd)
{
	struct stat mine, now;

	if (!fstat(fd, &mine) && !fstatat(dirfd, name, &now, AT_SYMLINK_NOFOLLOW) &&
	    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino)
		unlinkat(dirfd, name, 0);
}

/*
 * "trace start NAME" records every domain's accesses and the mediator's
 * events into NAME in the trace directory (trace_dir in vgtd.conf), and
 * nowhere else.  The file is created here, safely, and handed to the core
 * through /proc/self/fd: the core opens traces by path.
 */
static bool trace_start(struct vgtd *d, bool json, const char *arg, struct vgtd_buf *out)
{
	const char *dir = d->cfg.trace_dir, *name = trace_name(dir, arg);
	struct vgt_error err = { { 0 } };
	char why[VGT_ERRMSG_MAX], proc[64], full[VGTD_PATH_MAX + 257];
	int dirfd, fd, ret;

	if (!name)
		return fail(out, "trace file '%.60s': give a plain file name in the trace directory "
			    "%s (trace_dir in vgtd.conf); no other directory, '/', '.' or '..'",
			    arg, dir);
	if (vgt_host_tracing(d->host))
		return fail(out, "a trace is already being recorded");
	dirfd = open_trace_dir(dir, why, sizeof(why));
	if (dirfd < 0)
		return fail(out, "%s", why);
	fd = create_trace_file(dirfd, dir, name, why, sizeof(why));
	if (fd < 0) {
		close(dirfd);
		return fail(out, "%s", why);
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ret = vgt_host_trace_start(d->host, proc, 0, &err);
	if (ret)
		remove_trace_file(dirfd, name, fd);
	close(fd);
	close(dirfd);
	if (ret == -EBUSY)
		return fail(out, "a trace is already being recorded");
	if (ret)
		return fail(out, "cannot record a trace into %s/%s: %s%s", dir, name, strerror(-ret),
			    ret == -ENOENT ? " (vgtd needs /proc mounted)" : "");
	snprintf(full, sizeof(full), "%s/%s", strcmp(dir, "/") ? dir : "", name);
	vgtd_log(VGT_LOG_INFO, "tracing into %s", full);
	if (json) {
		vgtd_buf_printf(out, "{\"tracing\":true,\"file\":");
		json_str(out, full);
		vgtd_buf_printf(out, "}\n");
	} else {
		vgtd_buf_printf(out, "tracing into %s\n", full);
	}
	return true;
}

static bool cmd_trace(struct vgtd *d, bool json, char **w, unsigned n, struct vgtd_buf *out)
{
	int ret;

	if (n == 3 && !strcmp(w[1], "start"))
		return trace_start(d, json, w[2], out);
	if (n == 2 && !strcmp(w[1], "stop")) {
		if (!vgt_host_tracing(d->host))
			return fail(out, "no trace is being recorded");
		ret = vgt_host_trace_stop(d->host);
		if (ret)
			return fail(out, "the trace was cut short: %s", strerror(-ret));
		vgtd_log(VGT_LOG_INFO, "trace stopped");
		vgtd_buf_printf(out, json ? "{\"tracing\":false}\n" : "trace stopped\n");
		return true;
	}
	return fail(out, "usage: trace start NAME | trace stop");
}

bool vgtd_handle_request(struct vgtd *d, const char *line, struct vgtd_buf *out)
{
	char buf[VGTD_REQUEST_MAX], *w[MAX_WORDS + 1], *save = NULL, *tok;
	unsigned n = 0;
	bool json = false;
	char **args;

	if (strlen(line) >= sizeof(buf))
		return fail(out, "request too long (at most %u bytes)", VGTD_REQUEST_MAX - 1);
	for (const char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7E)
			return fail(out, "request holds a byte that is not printable ASCII (0x%02x)",
				    (unsigned char)*p);
	memcpy(buf, line, strlen(line) + 1);
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == MAX_WORDS + 1)
			return fail(out, "too many words in the request");
		w[n++] = tok;
	}
	if (n && !strcmp(w[0], "json")) {
		json = true;
		n--;
	}
	args = json ? &w[1] : w;
	if (!n)
		return fail(out, "empty request");
	if (!strcmp(args[0], "version")) {
		if (n != 1)
			return fail(out, "usage: version");
		vgtd_buf_printf(out, json ? "{\"version\":\"%s\"}\n" : "vgtd %s\n", VGT_VERSION);
		return true;
	}
	if (!strcmp(args[0], "types"))
		return n == 1 ? cmd_types(d, json, out) : fail(out, "usage: types");
	if (!strcmp(args[0], "list"))
		return n == 1 ? cmd_list(d, json, out) : fail(out, "usage: list");
	if (!strcmp(args[0], "attach"))
		return cmd_attach(d, json, args, n, out);
	if (!strcmp(args[0], "detach"))
		return cmd_detach(d, json, args, n, out);
	if (!strcmp(args[0], "stats"))
		return cmd_stats(d, json, args, n, out);
	if (!strcmp(args[0], "screenshot"))
		return cmd_screenshot(d, args, n, out);
	if (!strcmp(args[0], "set-weight"))
		return cmd_set_weight(d, json, args, n, out);
	if (!strcmp(args[0], "foreground"))
		return cmd_foreground(d, json, args, n, out);
	if (!strcmp(args[0], "trace"))
		return cmd_trace(d, json, args, n, out);
	return fail(out, "unknown command '%.20s' (commands: version, types, list, attach, detach, "
		    "stats, screenshot, set-weight, foreground, trace)", args[0]);
}

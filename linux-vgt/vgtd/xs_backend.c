/* SPDX-License-Identifier: MIT */
/*
 * The xenstore attach protocol, vgtd's side (the toolstack's is in
 * tools/libxl-vgt/xl-vgt.c; the protocol is described in vgtd_proto.h).
 * vgtd watches its own backend directory and answers each request there,
 * so the same path serves vgtd in dom0 and vgtd in a driver domain.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xenstore.h>

#include "vgtd.h"
#include "vgtd_proto.h"

#define WATCH_TOKEN "vgt-backend"

struct vgtd_xsb {
	struct xs_handle *xs;
	uint32_t self;
	char base[64];          /* /local/domain/SELF/backend/vgt */
	char status[64];        /* /local/domain/SELF/vgtd/status */
	bool (*gone)(void *opaque, uint32_t domid);     /* NULL: every domain lives */
	void *gone_opaque;
};

static char *read_node(struct vgtd_xsb *b, uint32_t fe, const char *name)
{
	char path[128];
	unsigned len;

	snprintf(path, sizeof(path), "%s/%u/%s", b->base, fe, name);
	return xs_read(b->xs, XBT_NULL, path, &len);
}

static void write_node(struct vgtd_xsb *b, uint32_t fe, const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%u/%s", b->base, fe, name);
	if (!xs_write(b->xs, XBT_NULL, path, val, (unsigned)strlen(val)))
		vgtd_log(VGT_LOG_WARN, "xenstore: cannot write %s: %s", path, strerror(errno));
}

/* The answer goes before the state, so a toolstack woken by the state sees it whole. */
static void refuse(struct vgtd_xsb *b, uint32_t fe, const char *why)
{
	vgtd_log(VGT_LOG_WARN, "dom%u: vGPU request refused: %s", fe, why);
	write_node(b, fe, "error", why);
	write_node(b, fe, "state", VGTD_XS_STATE_CLOSED);
}

static void handle_request(struct vgtd *d, struct vgtd_xsb *b, uint32_t fe)
{
	char *fe_text = read_node(b, fe, "frontend-id"), *spec = read_node(b, fe, "spec");
	struct vgt_error err = { { 0 } };
	struct vgtd_domain *dom;
	uint32_t named;

	if (!fe_text || !vgtd_parse_u32(fe_text, 0, VGTD_XS_MAX_DOMID, &named) || named != fe) {
		refuse(b, fe, "frontend-id does not name the domain of the request's directory");
	} else if (!spec || !*spec) {
		refuse(b, fe, "the request has no spec");
	} else if (vgtd_attach(d, fe, spec, &dom, &err)) {
		refuse(b, fe, err.msg);
	} else {
		struct vgt_vgpu_info vi;
		char id[16];

		vgt_vgpu_get_info(dom->vgpu, &vi);
		snprintf(id, sizeof(id), "%u", vi.id);
		write_node(b, fe, "vgpu", id);
		write_node(b, fe, "state", VGTD_XS_STATE_CONNECTED);
	}
	free(fe_text);
	free(spec);
}

void vgtd_xsb_process(struct vgtd *d, struct vgtd_xsb *b)
{
	char **ev, **ids;
	unsigned n = 0;

	while ((ev = xs_check_watch(b->xs)))
		free(ev);
	ids = xs_directory(b->xs, XBT_NULL, b->base, &n);
	for (unsigned i = 0; ids && i < n; i++) {
		struct vgt_error err = { { 0 } };
		uint32_t fe;
		char *state;

		if (!vgtd_parse_u32(ids[i], 0, VGTD_XS_MAX_DOMID, &fe))
			continue;       /* not a request: not ours to judge */
		state = read_node(b, fe, "state");
		if (state && !strcmp(state, VGTD_XS_STATE_REQUESTED)) {
			handle_request(d, b, fe);
		} else if (state && !strcmp(state, VGTD_XS_STATE_CLOSING)) {
			vgtd_detach(d, fe, &err);
			/* Taken away on its way out (libxl's destroy): nobody will read the answer. */
			if (b->gone && b->gone(b->gone_opaque, fe)) {
				vgtd_log(VGT_LOG_INFO, "dom%u: vGPU taken away as the domain died", fe);
				vgtd_xsb_domain_gone(b, fe);
			} else {
				write_node(b, fe, "state", VGTD_XS_STATE_CLOSED);
			}
		}
		free(state);
	}
	free(ids);
}

void vgtd_xsb_domain_gone(struct vgtd_xsb *b, uint32_t fe)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%u", b->base, fe);
	xs_rm(b->xs, XBT_NULL, path);
}

void vgtd_xsb_set_gone(struct vgtd_xsb *b, bool (*gone)(void *opaque, uint32_t domid),
		       void *opaque)
{
	b->gone = gone;
	b->gone_opaque = opaque;
}

void vgtd_xsb_sweep(struct vgtd_xsb *b)
{
	char **ids;
	unsigned n = 0;

	if (!b->gone)
		return;

	ids = xs_directory(b->xs, XBT_NULL, b->base, &n);
	for (unsigned i = 0; ids && i < n; i++) {
		uint32_t fe;
		char *state;

		if (!vgtd_parse_u32(ids[i], 0, VGTD_XS_MAX_DOMID, &fe))
			continue;
		state = read_node(b, fe, "state");
		if (state && !strcmp(state, VGTD_XS_STATE_CLOSED) && b->gone(b->gone_opaque, fe)) {
			vgtd_log(VGT_LOG_INFO, "dom%u is gone: its closed vGPU request goes too", fe);
			vgtd_xsb_domain_gone(b, fe);
		}
		free(state);
	}
	free(ids);
}

int vgtd_xsb_fd(struct vgtd_xsb *b)
{
	return xs_fileno(b->xs);
}

int vgtd_xsb_open(struct vgtd_xsb **out, struct vgt_error *err)
{
	struct vgtd_xsb *b = calloc(1, sizeof(*b));
	unsigned len;
	char *id;
	int ret;

	if (!b)
		return -ENOMEM;
	b->xs = xs_open(0);
	if (!b->xs) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot connect to xenstore (%s)", strerror(errno));
		goto err_free;
	}
	/* A relative path is the caller's own home: its "domid" node. */
	id = xs_read(b->xs, XBT_NULL, "domid", &len);
	if (!id || !vgtd_parse_u32(id, 0, VGTD_XS_MAX_DOMID, &b->self)) {
		free(id);
		ret = -EPROTO;
		snprintf(err->msg, sizeof(err->msg), "xenstore does not say which domain this is");
		goto err_close;
	}
	free(id);
	snprintf(b->base, sizeof(b->base), "/local/domain/%u/" VGTD_XS_BACKEND, b->self);
	snprintf(b->status, sizeof(b->status), "/local/domain/%u/" VGTD_XS_STATUS, b->self);
	if (!xs_watch(b->xs, b->base, WATCH_TOKEN)) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot watch %s (%s)", b->base, strerror(errno));
		goto err_close;
	}
	if (!xs_write(b->xs, XBT_NULL, b->status, "ready", 5)) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot write %s (%s)", b->status, strerror(errno));
		goto err_unwatch;
	}
	vgtd_log(VGT_LOG_INFO, "answering vGPU requests in %s", b->base);
	*out = b;
	return 0;

err_unwatch:
	xs_unwatch(b->xs, b->base, WATCH_TOKEN);
err_close:
	xs_close(b->xs);
err_free:
	free(b);
	return ret;
}

void vgtd_xsb_close(struct vgtd_xsb *b)
{
	if (!b)
		return;
	xs_rm(b->xs, XBT_NULL, b->status);
	xs_unwatch(b->xs, b->base, WATCH_TOKEN);
	xs_close(b->xs);
	free(b);
}

/* SPDX-License-Identifier: MIT */
/* vgtd's attached domains: the request spec, the transport, the table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgtd.h"
#include "xen_transport.h"

struct spec {
	char type[VGT_TYPE_NAME_MAX];
	uint32_t low_mb, high_mb, fences, weight;
	bool has_fences, primary;
};

static bool valid_type_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= VGT_TYPE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] == '-' || s[i] == '_' || s[i] == '.' || (s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
			return false;
	return true;
}

/* "vgt-64", "vgt-64,weight=4,primary", "low=64,high=256,fences=4,weight=2". */
static int parse_spec(const char *text, struct spec *s, struct vgt_error *err)
{
	char buf[256], *save = NULL, *tok;
	bool first = true;

	memset(s, 0, sizeof(*s));
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err->msg, sizeof(err->msg), "vGPU spec too long");
		return -EINVAL;
	}
	memcpy(buf, text, strlen(text) + 1);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), first = false) {
		char *eq = strchr(tok, '=');
		uint32_t *field = NULL, max = 0, min = 1;

		if (!eq) {
			if (!strcmp(tok, "primary")) {
				s->primary = true;
				continue;
			}
			if (!first || !valid_type_name(tok)) {
				snprintf(err->msg, sizeof(err->msg),
					 "'%.40s' is not a vGPU type name or key=value", tok);
				return -EINVAL;
			}
			memcpy(s->type, tok, strlen(tok) + 1);
			continue;
		}
		*eq++ = '\0';
		if (!strcmp(tok, "low"))
			field = &s->low_mb, max = 4096;
		else if (!strcmp(tok, "high"))
			field = &s->high_mb, max = 4096;
		else if (!strcmp(tok, "fences"))
			field = &s->fences, max = 32, min = 0, s->has_fences = true;
		else if (!strcmp(tok, "weight"))
			field = &s->weight, max = 100;
		else if (!strcmp(tok, "primary") && (!strcmp(eq, "0") || !strcmp(eq, "1"))) {
			s->primary = eq[0] == '1';
			continue;
		}
		if (!field) {
			snprintf(err->msg, sizeof(err->msg),
				 "unknown key '%.20s' (want low, high, fences, weight, primary)", tok);
			return -EINVAL;
		}
		if (!vgtd_parse_u32(eq, min, max, field)) {
			snprintf(err->msg, sizeof(err->msg), "%s=%.20s is not a number in %u..%u", tok,
				 eq, min, max);
			return -EINVAL;
		}
	}
	if (s->type[0] && (s->low_mb || s->high_mb || s->has_fences)) {
		snprintf(err->msg, sizeof(err->msg), "a type and explicit sizes exclude each other");
		return -EINVAL;
	}
	if (!s->type[0] && (!s->low_mb || !s->high_mb)) {
		snprintf(err->msg, sizeof(err->msg),
			 "give a vGPU type, or at least low= and high= sizes in MiB");
		return -EINVAL;
	}
	if (!s->type[0] && !s->has_fences)
		s->fences = 4;
	return 0;
}

struct vgtd_domain *vgtd_find(struct vgtd *d, uint32_t domid)
{
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (d->dom[i] && d->dom[i]->domid == domid)
			return d->dom[i];
	return NULL;
}

int vgtd_attach(struct vgtd *d, uint32_t domid, const char *spec_text, struct vgtd_domain **out,
		struct vgt_error *err)
{
	struct vgt_vgpu_params vp = { 0 };
	struct vgtd_domain *dom;
	struct spec spec;
	unsigned slot;
	int ret;

	ret = parse_spec(spec_text, &spec, err);
	if (ret)
		return ret;
	vp.domid = domid;
	vp.type = spec.type;
	vp.low_mb = spec.low_mb;
	vp.high_mb = spec.high_mb;
	vp.fences = spec.fences;
	vp.weight = spec.weight;

	pthread_mutex_lock(&d->lock);
	if (vgtd_find(d, domid)) {
		snprintf(err->msg, sizeof(err->msg), "domain %u already has a vGPU", domid);
		ret = -EEXIST;
		goto out_unlock;
	}
	for (slot = 0; slot < VGT_MAX_VGPUS && d->dom[slot]; slot++)
		;
	if (slot == VGT_MAX_VGPUS) {
		snprintf(err->msg, sizeof(err->msg), "%u vGPUs attached: no room for another",
			 VGT_MAX_VGPUS);
		ret = -ENOSPC;
		goto out_unlock;
	}
	dom = calloc(1, sizeof(*dom));
	ret = -ENOMEM;
	if (!dom)
		goto out_unlock;
	dom->domid = domid;
	if (d->cfg.transport == VGTD_TRANSPORT_SIM) {
		ret = vgtd_sim_start(d, domid, slot, &vp, &dom->sim, err);
		if (!ret)
			dom->vgpu = vgtd_sim_vgpu(dom->sim);
	} else {
		struct vgt_xen_attach xa = {
			.domid = domid,
			.sbdf = d->cfg.pci_sbdf,
			.aperture_maddr = d->cfg.aperture_maddr,
		};

		ret = vgt_xen_attach(d->xen, d->host, &xa, &vp, &dom->xen, err);
		if (!ret)
			dom->vgpu = vgt_xen_domain_vgpu(dom->xen);
	}
	if (ret)
		goto err_free;
	/* A type's weight may be overridden ("vgt-64,weight=4"). */
	if (spec.type[0] && spec.weight)
		vgt_vgpu_set_weight(dom->vgpu, spec.weight);
	if (spec.primary) {
		vgt_host_set_foreground(d->host, dom->vgpu);
		d->foreground = dom->vgpu;
		dom->primary = true;
	}
	d->dom[slot] = dom;
	*out = dom;
	pthread_mutex_unlock(&d->lock);
	vgtd_log(VGT_LOG_INFO, "dom%u: vGPU attached (%s)", domid, spec_text);
	return 0;

err_free:
	free(dom);
out_unlock:
	pthread_mutex_unlock(&d->lock);
	return ret;
}

/* Called with d->lock held; the slot is cleared. */
static void release(struct vgtd *d, unsigned slot)
{
	struct vgtd_domain *dom = d->dom[slot];

	if (d->foreground == dom->vgpu) {
		vgt_host_set_foreground(d->host, NULL);
		d->foreground = NULL;
	}
	if (dom->sim)
		vgtd_sim_stop(dom->sim);
	if (dom->xen)
		vgt_xen_detach(dom->xen);
	d->dom[slot] = NULL;
	free(dom);
}

int vgtd_detach(struct vgtd *d, uint32_t domid, struct vgt_error *err)
{
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++) {
		if (d->dom[i] && d->dom[i]->domid == domid) {
			release(d, i);
			pthread_mutex_unlock(&d->lock);
			vgtd_log(VGT_LOG_INFO, "dom%u: vGPU detached", domid);
			return 0;
		}
	}
	pthread_mutex_unlock(&d->lock);
	snprintf(err->msg, sizeof(err->msg), "domain %u has no vGPU", domid);
	return -ENOENT;
}

void vgtd_detach_all(struct vgtd *d)
{
	pthread_mutex_lock(&d->lock);
	for (unsigned i = 0; i < VGT_MAX_VGPUS; i++)
		if (d->dom[i])
			release(d, i);
	pthread_mutex_unlock(&d->lock);
}

/* SPDX-License-Identifier: MIT */
/*
 * The Xen transport (see xen_transport.h): one ioreq server per attached
 * domain, served by one thread; the glue between Xen's device-model
 * libraries and the protocol code in ioreq.c.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/memory.h>

#include "guest_mem.h"
#include "xen_transport.h"

#define PAGE_SHIFT 12
#define WATCH_TOKEN "vgt-release"
/* Xen's MAX_NR_IOREQ_SERVERS: the ids a domain's servers can have. */
#define XEN_IOREQ_SERVER_IDS 8u

struct vgt_xen {
	xc_interface *xch;
	struct xs_handle *xsh;
	pthread_mutex_t lock;                 /* slot[] */
	struct vgt_xen_domain *slot[VGT_XEN_DMA_SLOTS];
};

/* A range the ioreq server claims for one BAR, as Xen takes it (inclusive end). */
struct claim {
	uint64_t start, end;
	bool on;
};

struct vgt_xen_domain {
	struct vgt_xen *x;
	unsigned slot;
	uint32_t domid;
	uint32_t sbdf;
	uint64_t aperture_maddr;

	xendevicemodel_handle *dmod;
	xenforeignmemory_handle *fmem;
	xenevtchn_handle *xce;
	ioservid_t id;
	bool server, enabled;
	xenforeignmemory_resource_handle *fres;
	void *legacy_pages[2];                /* buffered, shared; when mapped by gfn */
	buffered_iopage_t *buf;
	shared_iopage_t *shared;

	unsigned vcpus;
	evtchn_port_t *port;                  /* local port per vCPU, or -1 */
	int buf_port;                         /* local buffered-ring port, or -1 */

	struct vgt_gmem gmem;
	bool gmem_ready;
	unsigned orphans_reclaimed;
	uint64_t claims_refused;        /* BAR placements Xen would not route to us */
	struct vgt_vgpu *vgpu;
	struct vgt_ioreq_dev dev;
	struct claim claim[6];
	struct { uint64_t gfn, mfn, nr; bool on; } ap;

	int wake_fd;
	pthread_t thread;
	bool thread_started;
	bool stop;

	uint64_t notifications, msis, msi_errors;
};

static void seterr(struct vgt_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void seterr(struct vgt_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* ---- Process-wide handles ---------------------------------------------------- */

int vgt_xen_open(struct vgt_xen **out, struct vgt_error *err)
{
	struct vgt_xen *x = calloc(1, sizeof(*x));
	int ret;

	if (!x)
		return -ENOMEM;
	x->xch = xc_interface_open(NULL, NULL, 0);
	if (!x->xch) {
		ret = errno ? -errno : -ENODEV;
		seterr(err, "cannot open the Xen control interface (%s): vgtd must run in dom0 "
		       "or in a driver domain with xen-privcmd loaded", strerror(-ret));
		goto err_free;
	}
	x->xsh = xs_open(0);
	if (!x->xsh) {
		ret = errno ? -errno : -ENODEV;
		seterr(err, "cannot connect to xenstore (%s): is xenstored running?", strerror(-ret));
		goto err_xc;
	}
	if (!xs_watch(x->xsh, "@releaseDomain", WATCH_TOKEN)) {
		ret = errno ? -errno : -EIO;
		seterr(err, "cannot watch @releaseDomain in xenstore (%s)", strerror(-ret));
		goto err_xs;
	}
	pthread_mutex_init(&x->lock, NULL);
	*out = x;
	return 0;

err_xs:
	xs_close(x->xsh);
err_xc:
	xc_interface_close(x->xch);
err_free:
	free(x);
	return ret;
}

void vgt_xen_close(struct vgt_xen *x)
{
	if (!x)
		return;
	xs_unwatch(x->xsh, "@releaseDomain", WATCH_TOKEN);
	xs_close(x->xsh);
	xc_interface_close(x->xch);
	pthread_mutex_destroy(&x->lock);
	free(x);
}

int vgt_xen_watch_fd(struct vgt_xen *x)
{
	return xs_fileno(x->xsh);
}

static bool domain_alive(struct vgt_xen *x, uint32_t domid)
{
	xc_dominfo_t info;
	int n;

	errno = 0;
	n = xc_domain_getinfo(x->xch, domid, 1, &info);
	/*
	 * The query lists the first domain from @domid on, and fails with
	 * ESRCH when there is none: that, or another domain, means ours is
	 * gone.  Any other failure (FLASK's EACCES) says nothing.
	 */
	if (n < 0)
		return errno != ESRCH;
	if (n != 1 || info.domid != domid)
		return false;
	return !info.dying;
}

bool vgt_xen_domain_gone(struct vgt_xen *x, uint32_t domid)
{
	return !domain_alive(x, domid);
}

int vgt_xen_dead_domains(struct vgt_xen *x, uint32_t *domids, unsigned max)
{
	char **ev;
	int n = 0;

	while ((ev = xs_check_watch(x->xsh)))
		free(ev);
	if (errno != EAGAIN && errno != EINTR)
		return -EPIPE;          /* the connection to xenstored is gone */
	pthread_mutex_lock(&x->lock);
	for (unsigned s = 0; s < VGT_XEN_DMA_SLOTS && (unsigned)n < max; s++)
		if (x->slot[s] && !domain_alive(x, x->slot[s]->domid))
			domids[n++] = x->slot[s]->domid;
	pthread_mutex_unlock(&x->lock);
	return n;
}

/* ---- Guest memory ------------------------------------------------------------ */

static void *gmem_map(void *opaque, uint64_t gfn)
{
	struct vgt_xen_domain *d = opaque;
	xen_pfn_t pfn = (xen_pfn_t)gfn;
	int err = 0;
	void *va = xenforeignmemory_map(d->fmem, d->domid, PROT_READ | PROT_WRITE, 1, &pfn, &err);

	if (va && err) {
		xenforeignmemory_unmap(d->fmem, va, 1);
		errno = -err;
		return NULL;
	}
	return va;
}

static void gmem_unmap(void *opaque, void *va)
{
	struct vgt_xen_domain *d = opaque;

	xenforeignmemory_unmap(d->fmem, va, 1);
}

static const struct vgt_gmem_backend gmem_backend = { .map = gmem_map, .unmap = gmem_unmap };

int vgt_xen_dma_access(void *xen, uint64_t maddr, void *buf, size_t len, bool write)
{
	struct vgt_xen *x = xen;
	struct vgt_xen_domain *d;
	uint64_t s, gpa;
	int ret = -EFAULT;

	if (maddr < VGT_XEN_DMA_BASE)
		return -EFAULT;
	s = (maddr - VGT_XEN_DMA_BASE) / VGT_XEN_DMA_SLOT;
	gpa = (maddr - VGT_XEN_DMA_BASE) % VGT_XEN_DMA_SLOT;
	if (s >= VGT_XEN_DMA_SLOTS || len > VGT_XEN_DMA_SLOT - gpa)
		return -EFAULT;
	pthread_mutex_lock(&x->lock);
	d = x->slot[s];
	if (d)
		ret = vgt_gmem_access(&d->gmem, gpa, buf, len, write);
	pthread_mutex_unlock(&x->lock);
	return ret;
}

/* ---- What the core asks of the transport -------------------------------------- */

static int t_gfn_to_mfn(void *opaque, uint64_t gfn, uint64_t *mfn)
{
	struct vgt_xen_domain *d = opaque;
	uint8_t probe;

	if (gfn >= d->gmem.max_gfn || gfn >= VGT_XEN_DMA_SLOT >> PAGE_SHIFT)
		return -EFAULT;
	/* The domain owns the frame if Xen lets us map it: RAM, not a hole or MMIO. */
	if (vgt_gmem_read(&d->gmem, gfn << PAGE_SHIFT, &probe, 1))
		return -EFAULT;
	*mfn = ((VGT_XEN_DMA_BASE + d->slot * VGT_XEN_DMA_SLOT) >> PAGE_SHIFT) + gfn;
	return 0;
}

static int t_read_gpa(void *opaque, uint64_t gpa, void *buf, size_t len)
{
	struct vgt_xen_domain *d = opaque;

	return vgt_gmem_read(&d->gmem, gpa, buf, len);
}

static int t_write_gpa(void *opaque, uint64_t gpa, const void *buf, size_t len)
{
	struct vgt_xen_domain *d = opaque;

	return vgt_gmem_write(&d->gmem, gpa, buf, len);
}

static int t_inject_msi(void *opaque, uint64_t addr, uint32_t data)
{
	struct vgt_xen_domain *d = opaque;

	if (xendevicemodel_inject_msi(d->dmod, (domid_t)d->domid, addr, data)) {
		__atomic_fetch_add(&d->msi_errors, 1, __ATOMIC_RELAXED);
		return -errno;
	}
	__atomic_fetch_add(&d->msis, 1, __ATOMIC_RELAXED);
	return 0;
}

static void unclaim(struct vgt_xen_domain *d, unsigned bar)
{
	struct claim *c = &d->claim[bar];

	if (!c->on)
		return;
	xendevicemodel_unmap_io_range_from_ioreq_server(d->dmod, (domid_t)d->domid, d->id,
							bar != 4, c->start, c->end);
	c->on = false;
}

static void unmap_aperture(struct vgt_xen_domain *d)
{
	if (!d->ap.on)
		return;
	xc_domain_memory_mapping(d->x->xch, d->domid, d->ap.gfn, d->ap.mfn, d->ap.nr,
				 DPCI_REMOVE_MAPPING);
	xc_domain_iomem_permission(d->x->xch, d->domid, d->ap.mfn, d->ap.nr, 0);
	d->ap.on = false;
}

/* The vGPU's aperture slice straight into the guest's BAR2 (backends with a real aperture). */
static void map_aperture(struct vgt_xen_domain *d, uint64_t bar_base)
{
	struct vgt_aperture_window w;

	vgt_vgpu_aperture_window(d->vgpu, &w);
	if (!d->aperture_maddr || !w.size)
		return;
	d->ap.gfn = (bar_base + w.guest_off) >> PAGE_SHIFT;
	d->ap.mfn = (d->aperture_maddr + w.host_off) >> PAGE_SHIFT;
	d->ap.nr = w.size >> PAGE_SHIFT;
	if (xc_domain_iomem_permission(d->x->xch, d->domid, d->ap.mfn, d->ap.nr, 1) ||
	    xc_domain_memory_mapping(d->x->xch, d->domid, d->ap.gfn, d->ap.mfn, d->ap.nr,
				     DPCI_ADD_MAPPING)) {
		fprintf(stderr, "vgt-xen: dom%u: cannot map the aperture slice (%s); "
			"aperture accesses are trapped\n", d->domid, strerror(errno));
		xc_domain_iomem_permission(d->x->xch, d->domid, d->ap.mfn, d->ap.nr, 0);
		return;
	}
	d->ap.on = true;
}

#define CLAIM_REFUSALS_LOGGED 8u

/* Claims what BAR @bar decodes now (as d->dev.bar[] says), unless it is claimed already. */
static void claim(struct vgt_xen_domain *d, unsigned bar)
{
	const struct vgt_ioreq_bar *b = &d->dev.bar[bar];
	struct claim *c = &d->claim[bar];
	uint64_t end = b->base + b->size - 1;

	if (c->on || !b->enabled || !b->base || end < b->base)
		return;
	if (xendevicemodel_map_io_range_to_ioreq_server(d->dmod, (domid_t)d->domid, d->id, bar != 4,
							b->base, end)) {
		/* The guest places its BARs, so it can make this happen in a loop. */
		if (++d->claims_refused <= CLAIM_REFUSALS_LOGGED)
			fprintf(stderr, "vgt-xen: dom%u: cannot claim BAR%u at 0x%llx (%s)%s\n",
				d->domid, bar, (unsigned long long)b->base, strerror(errno),
				d->claims_refused == CLAIM_REFUSALS_LOGGED ?
				"; further refusals are only counted" : "");
		return;
	}
	c->start = b->base;
	c->end = end;
	c->on = true;
	if (bar == 2)
		map_aperture(d, b->base);
}

/* The guest moved a BAR or toggled decoding: claim what it now decodes. */
static void t_bar_update(void *opaque, unsigned bar, uint64_t addr, uint64_t size, bool enabled)
{
	struct vgt_xen_domain *d = opaque;
	struct claim *c;
	bool released;

	if (bar >= 6)
		return;
	c = &d->claim[bar];
	vgt_ioreq_set_bar(&d->dev, bar, addr, size, enabled);
	if (!d->server)
		return;
	if (c->on && enabled && c->start == addr && c->end == addr + size - 1)
		return;
	released = c->on;
	if (bar == 2)
		unmap_aperture(d);
	unclaim(d, bar);
	claim(d, bar);
	/*
	 * Xen refuses a range that overlaps one the server already claims, so
	 * a BAR the guest placed over another of its BARs went unclaimed: it
	 * gets its claim once that one has moved away.
	 */
	if (released)
		for (unsigned other = 0; other < 6; other++)
			claim(d, other);
}

static void t_invalidate(void *opaque)
{
	struct vgt_xen_domain *d = opaque;

	vgt_gmem_invalidate(&d->gmem);
}

static const struct vgt_transport_ops xen_ops = {
	.gfn_to_mfn = t_gfn_to_mfn,
	.read_gpa = t_read_gpa,
	.write_gpa = t_write_gpa,
	.inject_msi = t_inject_msi,
	.bar_update = t_bar_update,
};

/* ---- The domain's ioreq thread ------------------------------------------------ */

static void serve_port(struct vgt_xen_domain *d, evtchn_port_t port)
{
	/* Buffered writes were issued before any synchronous request now waiting. */
	vgt_ioreq_drain_buffered(&d->dev, d->buf);
	for (unsigned v = 0; v < d->vcpus; v++) {
		if (d->port[v] != port)
			continue;
		if (vgt_ioreq_service_slot(&d->dev, &d->shared->vcpu_ioreq[v]))
			xenevtchn_notify(d->xce, port);
	}
}

static void *ioreq_thread(void *arg)
{
	struct vgt_xen_domain *d = arg;
	struct pollfd pfd[2] = {
		{ .fd = xenevtchn_fd(d->xce), .events = POLLIN },
		{ .fd = d->wake_fd, .events = POLLIN },
	};

	while (!__atomic_load_n(&d->stop, __ATOMIC_ACQUIRE)) {
		xenevtchn_port_or_error_t port;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vgt-xen: dom%u: poll: %s\n", d->domid, strerror(errno));
			break;
		}
		if (!(pfd[0].revents & POLLIN))
			continue;
		port = xenevtchn_pending(d->xce);
		if (port < 0)
			continue;
		__atomic_fetch_add(&d->notifications, 1, __ATOMIC_RELAXED);
		serve_port(d, (evtchn_port_t)port);
		xenevtchn_unmask(d->xce, (evtchn_port_t)port);
	}
	return NULL;
}

/* ---- Attach and detach --------------------------------------------------------- */

/* The ioreq pages: as a resource (Xen >= 4.11), else through the legacy gfns. */
static int map_pages(struct vgt_xen_domain *d, struct vgt_error *err)
{
	xen_pfn_t gfn[2];
	void *addr = NULL;
	int ret;

	d->fres = xenforeignmemory_map_resource(d->fmem, (domid_t)d->domid,
						XENMEM_resource_ioreq_server, d->id,
						XENMEM_resource_ioreq_server_frame_bufioreq, 2,
						&addr, PROT_READ | PROT_WRITE, 0);
	if (d->fres) {
		d->buf = addr;
		d->shared = (shared_iopage_t *)((uint8_t *)addr + 4096);
		return 0;
	}
	if (xendevicemodel_get_ioreq_server_info(d->dmod, (domid_t)d->domid, d->id, &gfn[1],
						 &gfn[0], NULL)) {
		ret = -errno;
		seterr(err, "dom%u: cannot locate the ioreq pages (%s)", d->domid, strerror(errno));
		return ret;
	}
	for (unsigned i = 0; i < 2; i++) {
		d->legacy_pages[i] = xenforeignmemory_map(d->fmem, d->domid, PROT_READ | PROT_WRITE,
							  1, &gfn[i], NULL);
		if (!d->legacy_pages[i]) {
			ret = -errno;
			seterr(err, "dom%u: cannot map the ioreq pages (%s)", d->domid,
			       strerror(errno));
			return ret;
		}
	}
	d->buf = d->legacy_pages[0];
	d->shared = d->legacy_pages[1];
	return 0;
}

static void unmap_pages(struct vgt_xen_domain *d)
{
	if (d->fres)
		xenforeignmemory_unmap_resource(d->fmem, d->fres);
	for (unsigned i = 0; i < 2; i++)
		if (d->legacy_pages[i])
			xenforeignmemory_unmap(d->fmem, d->legacy_pages[i], 1);
	d->fres = NULL;
	d->buf = NULL;
	d->shared = NULL;
}

static int bind_ports(struct vgt_xen_domain *d, struct vgt_error *err)
{
	evtchn_port_t bufport;
	xenevtchn_port_or_error_t p;

	for (unsigned v = 0; v < d->vcpus; v++) {
		p = xenevtchn_bind_interdomain(d->xce, d->domid, d->shared->vcpu_ioreq[v].vp_eport);
		if (p < 0) {
			seterr(err, "dom%u: cannot bind vCPU %u's event channel (%s)", d->domid, v,
			       strerror(errno));
			return -errno;
		}
		d->port[v] = (evtchn_port_t)p;
	}
	if (!xendevicemodel_get_ioreq_server_info(d->dmod, (domid_t)d->domid, d->id, NULL, NULL,
						  &bufport)) {
		p = xenevtchn_bind_interdomain(d->xce, d->domid, bufport);
		d->buf_port = p < 0 ? -1 : p;
	}
	return 0;
}

static void unbind_ports(struct vgt_xen_domain *d)
{
	for (unsigned v = 0; v < d->vcpus; v++)
		if (d->port[v] != (evtchn_port_t)-1)
			xenevtchn_unbind(d->xce, d->port[v]);
	if (d->buf_port >= 0)
		xenevtchn_unbind(d->xce, (evtchn_port_t)d->buf_port);
}

/* Frees whatever of @d has been set up, in reverse order. */
static void teardown(struct vgt_xen_domain *d)
{
	if (d->thread_started) {
		uint64_t one = 1;

		__atomic_store_n(&d->stop, true, __ATOMIC_RELEASE);
		if (write(d->wake_fd, &one, sizeof(one)) != sizeof(one))
			fprintf(stderr, "vgt-xen: dom%u: cannot wake the ioreq thread\n", d->domid);
		pthread_join(d->thread, NULL);
	}
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	if (d->port)
		unbind_ports(d);
	if (d->enabled)
		xendevicemodel_set_ioreq_server_state(d->dmod, (domid_t)d->domid, d->id, 0);
	unmap_aperture(d);
	for (unsigned bar = 0; bar < 6; bar++)
		if (d->server)
			unclaim(d, bar);
	if (d->vgpu)
		vgt_vgpu_destroy(d->vgpu);
	unmap_pages(d);
	if (d->server)
		xendevicemodel_destroy_ioreq_server(d->dmod, (domid_t)d->domid, d->id);
	if (d->x) {
		pthread_mutex_lock(&d->x->lock);
		if (d->x->slot[d->slot] == d)
			d->x->slot[d->slot] = NULL;
		pthread_mutex_unlock(&d->x->lock);
	}
	if (d->gmem_ready)
		vgt_gmem_fini(&d->gmem);
	if (d->xce)
		xenevtchn_close(d->xce);
	if (d->fmem)
		xenforeignmemory_close(d->fmem);
	if (d->dmod)
		xendevicemodel_close(d->dmod);
	free(d->port);
	free(d);
}

/*
 * Servers that a dead device model left in the domain: a driver domain's
 * vgtd that was killed, say.  They still claim the vGPU's function and
 * BARs, and a vCPU waiting on one never runs again.  Xen lets a domain
 * read a server's info only when it is that server's emulator, so a server
 * whose info this domain may read belongs to a live device model beside
 * us (qemu-xen in the same domain, which Xen would also let us destroy):
 * it is left alone.  The others are tried: on a hypervisor with vgt's
 * patch 0004 one whose emulator is dying may be destroyed (a waiting
 * access then completes as all ones); a live emulator's, and on stock Xen
 * every other domain's, refuses with EPERM.  The slot is taken, so none
 * of the servers is this vgtd's own.
 */
static unsigned reclaim_orphan_servers(struct vgt_xen_domain *d)
{
	unsigned n = 0;

	for (unsigned id = 0; id < XEN_IOREQ_SERVER_IDS; id++) {
		/* No gfns asked for: the probe changes nothing in the domain. */
		if (!xendevicemodel_get_ioreq_server_info(d->dmod, (domid_t)d->domid,
							  (ioservid_t)id, NULL, NULL, NULL) ||
		    errno != EPERM)
			continue;
		if (!xendevicemodel_destroy_ioreq_server(d->dmod, (domid_t)d->domid,
							 (ioservid_t)id)) {
			fprintf(stderr, "vgt-xen: dom%u: destroyed ioreq server %u, left by a device "
				"model that died\n", d->domid, id);
			n++;
		} else {
			/* Not fatal: the server may be a live device model's; if not, say what hangs. */
			fprintf(stderr, "vgt-xen: dom%u: cannot destroy ioreq server %u of another "
				"device model (%s); if that one died, the accesses it claims never "
				"complete\n", d->domid, id, strerror(errno));
		}
	}
	return n;
}

static int take_slot(struct vgt_xen *x, struct vgt_xen_domain *d, struct vgt_error *err)
{
	int ret = -ENOSPC;

	pthread_mutex_lock(&x->lock);
	for (unsigned s = 0; s < VGT_XEN_DMA_SLOTS; s++) {
		if (x->slot[s] && x->slot[s]->domid == d->domid) {
			ret = -EEXIST;
			break;
		}
	}
	for (unsigned s = 0; ret == -ENOSPC && s < VGT_XEN_DMA_SLOTS; s++) {
		if (!x->slot[s]) {
			x->slot[s] = d;
			d->slot = s;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&x->lock);
	if (ret == -EEXIST)
		seterr(err, "domain %u already has a vGPU", d->domid);
	else if (ret)
		seterr(err, "no room for another domain (%u attached)", VGT_XEN_DMA_SLOTS);
	return ret;
}

int vgt_xen_attach(struct vgt_xen *x, struct vgt_host *host, const struct vgt_xen_attach *a,
		   const struct vgt_vgpu_params *vp, struct vgt_xen_domain **out,
		   struct vgt_error *err)
{
	struct vgt_vgpu_params p = *vp;
	struct vgt_xen_domain *d;
	xc_dominfo_t info;
	uint64_t max_gfn;
	int ret;

	errno = 0;
	ret = xc_domain_getinfo(x->xch, a->domid, 1, &info);
	if (ret != 1 && (errno == EACCES || errno == EPERM)) {
		/* FLASK (or XSM's default) refused: this domain may not act for it. */
		seterr(err, "not allowed to act for domain %u (%s): this domain is not its device "
		       "model; with vgt's FLASK policy a domain of type vgt_dd_t is", a->domid,
		       strerror(errno));
		return -EACCES;
	}
	if (ret != 1 || info.domid != a->domid) {
		seterr(err, "domain %u does not exist", a->domid);
		return -ESRCH;
	}
	if (!info.hvm) {
		seterr(err, "domain %u is PV: a vGPU needs an HVM or PVH domain", a->domid);
		return -EINVAL;
	}
	if (info.dying) {
		seterr(err, "domain %u is dying", a->domid);
		return -ESRCH;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->domid = a->domid;
	d->sbdf = a->sbdf;
	d->aperture_maddr = a->aperture_maddr;
	d->wake_fd = -1;
	d->buf_port = -1;
	d->vcpus = info.max_vcpu_id + 1;
	ret = take_slot(x, d, err);
	if (ret) {
		free(d);
		return ret;
	}
	d->x = x;
	d->port = malloc(d->vcpus * sizeof(*d->port));
	ret = -ENOMEM;
	if (!d->port)
		goto fail;
	memset(d->port, 0xFF, d->vcpus * sizeof(*d->port));

	d->dmod = xendevicemodel_open(NULL, 0);
	d->fmem = xenforeignmemory_open(NULL, 0);
	d->xce = xenevtchn_open(NULL, 0);
	if (!d->dmod || !d->fmem || !d->xce) {
		ret = errno ? -errno : -ENODEV;
		seterr(err, "cannot open Xen's device-model interfaces (%s)", strerror(-ret));
		goto fail;
	}
	max_gfn = info.gpaddr_bits > PAGE_SHIFT ? 1ull << (info.gpaddr_bits - PAGE_SHIFT)
						: 1ull << (52 - PAGE_SHIFT);
	ret = vgt_gmem_init(&d->gmem, &gmem_backend, d, max_gfn);
	if (ret)
		goto fail;
	d->gmem_ready = true;

	d->orphans_reclaimed = reclaim_orphan_servers(d);
	if (xendevicemodel_create_ioreq_server(d->dmod, (domid_t)d->domid,
					       HVM_IOREQSRV_BUFIOREQ_ATOMIC, &d->id)) {
		ret = -errno;
		seterr(err, "dom%u: cannot create an ioreq server (%s)", d->domid, strerror(errno));
		goto fail;
	}
	d->server = true;
	ret = map_pages(d, err);
	if (ret)
		goto fail;

	p.domid = d->domid;
	p.ops = &xen_ops;
	p.opaque = d;
	ret = vgt_vgpu_create(host, &p, &d->vgpu, err);
	if (ret)
		goto fail;
	vgt_ioreq_dev_init(&d->dev, d->vgpu, d->sbdf, &xen_ops, d);
	d->dev.invalidate = t_invalidate;

	if (xendevicemodel_map_pcidev_to_ioreq_server(d->dmod, (domid_t)d->domid, d->id,
						      (uint16_t)(d->sbdf >> 16),
						      (uint8_t)(d->sbdf >> 8),
						      (uint8_t)((d->sbdf >> 3) & 0x1F),
						      (uint8_t)(d->sbdf & 7))) {
		ret = -errno;
		seterr(err, "dom%u: cannot claim PCI %04x:%02x:%02x.%u (%s)", d->domid,
		       d->sbdf >> 16, (d->sbdf >> 8) & 0xFF, (d->sbdf >> 3) & 0x1F, d->sbdf & 7,
		       strerror(errno));
		goto fail;
	}
	if (xendevicemodel_set_ioreq_server_state(d->dmod, (domid_t)d->domid, d->id, 1)) {
		ret = -errno;
		seterr(err, "dom%u: cannot enable the ioreq server (%s)", d->domid, strerror(errno));
		goto fail;
	}
	d->enabled = true;
	ret = bind_ports(d, err);
	if (ret)
		goto fail;
	/* From here on these handles only ever act on this domain. */
	if (xendevicemodel_restrict(d->dmod, (domid_t)d->domid) ||
	    xenforeignmemory_restrict(d->fmem, (domid_t)d->domid))
		fprintf(stderr, "vgt-xen: dom%u: cannot restrict the device-model handles (%s)\n",
			d->domid, strerror(errno));

	d->wake_fd = eventfd(0, EFD_CLOEXEC);
	if (d->wake_fd < 0) {
		ret = -errno;
		seterr(err, "eventfd: %s", strerror(errno));
		goto fail;
	}
	ret = -pthread_create(&d->thread, NULL, ioreq_thread, d);
	if (ret) {
		seterr(err, "cannot start the ioreq thread (%s)", strerror(-ret));
		goto fail;
	}
	d->thread_started = true;
	*out = d;
	return 0;

fail:
	teardown(d);
	return ret;
}

void vgt_xen_detach(struct vgt_xen_domain *d)
{
	if (d)
		teardown(d);
}

struct vgt_vgpu *vgt_xen_domain_vgpu(struct vgt_xen_domain *d)
{
	return d->vgpu;
}

void vgt_xen_domain_stats(struct vgt_xen_domain *d, struct vgt_xen_domain_stats *s)
{
	memset(s, 0, sizeof(*s));
	vgt_ioreq_get_stats(&d->dev, &s->ioreq);
	s->notifications = __atomic_load_n(&d->notifications, __ATOMIC_RELAXED);
	s->msis = __atomic_load_n(&d->msis, __ATOMIC_RELAXED);
	s->msi_errors = __atomic_load_n(&d->msi_errors, __ATOMIC_RELAXED);
	pthread_mutex_lock(&d->gmem.lock);
	s->gmem_maps = d->gmem.maps;
	s->gmem_hits = d->gmem.hits;
	s->gmem_faults = d->gmem.faults;
	s->gmem_invalidations = d->gmem.invalidations;
	pthread_mutex_unlock(&d->gmem.lock);
	s->vcpus = d->vcpus;
	s->ioservid = d->id;
	s->resource_mapped = d->fres != NULL;
	s->orphans_reclaimed = d->orphans_reclaimed;
	s->claims_refused = d->claims_refused;
}

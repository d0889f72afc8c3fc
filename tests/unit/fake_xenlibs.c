/* SPDX-License-Identifier: MIT */
/*
 * An in-memory Xen behind exactly the library functions xen_dm.c links
 * against (nm -u on it lists them), with the prototypes of Xen's own
 * headers, so that the transport is tested as it is built for a host.
 *
 * What it keeps is what the transport relies on:
 *  - machine memory, one memfd: a foreign mapping really maps the frame
 *    behind a gfn, so it sees the guest's writes, and a frame Xen frees
 *    while somebody still maps it stays a "zombie" until unmapped;
 *  - per domain a p2m (RAM, holes, ballooned and refused frames), up to
 *    eight ioreq servers with their emulator domain, state, claimed
 *    ranges and PCI functions, two pages and one event channel per vCPU
 *    (plus the buffered one), the machine ranges it may reach and those
 *    mapped into it;
 *  - Xen's permission rules where the transport depends on them: only a
 *    server's emulator reads its info or destroys it (unless the server
 *    was made destroyable), a range overlapping one the server already
 *    claims is refused, a direct mapping needs an iomem grant, a
 *    restricted handle acts on its domain only;
 *  - the handles of each library, counted, so that what a test leaves
 *    behind shows.
 * Every call is counted and any can be made to fail.  One lock: the
 * transport's ioreq thread and the test call in concurrently.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <xenctrl.h>
#include <xendevicemodel.h>
#include <xenevtchn.h>
#include <xenforeignmemory.h>
#include <xenstore.h>
#include <xen/memory.h>

#include "fake_xenlibs.h"

#define PAGE           FAKE_XEN_PAGE
#define FRAMES         16384u          /* 64 MiB of machine memory, sparse */
#define POISON_FRAME   0u              /* what a page Xen refused shows */
#define NO_FRAME       UINT32_MAX
#define MAX_DOMAINS    48u
#define MAX_SERVERS    8u              /* Xen's MAX_NR_IOREQ_SERVERS */
#define MAX_RANGES     16u
#define MAX_GRANTS     8u
#define MAX_BINDINGS   512u
#define MAX_PENDING    64u
#define MAX_WATCHES    8u
#define MAX_EVENTS     16u
#define IOREQ_GFN_BASE 0xFEFF0ull      /* where Xen puts a server's legacy pages */
#define ANSWER_SECONDS 10
#define SCRUB          0xDB

enum frame_state { FRAME_FREE, FRAME_USED, FRAME_ZOMBIE };
enum p2m_kind { P2M_RAM, P2M_REFUSED, P2M_IOREQ };

struct p2m_entry {
	uint64_t gfn;
	uint32_t mfn;
	uint8_t kind;
	int err;                        /* P2M_REFUSED: the page error, negative */
};

struct range {
	bool mmio;
	uint64_t start, end;
};

struct server {
	bool used, enabled, destroyable, gfns_mapped;
	uint32_t emulator;
	uint32_t frame[2];              /* buffered page, synchronous page */
	evtchn_port_t vcpu_port[FAKE_XEN_MAX_VCPUS], buf_port;
	struct range range[MAX_RANGES];
	unsigned nranges;
	uint32_t pcidev[4];
	unsigned npcidev;
	unsigned gfn_requests;
};

struct span {
	uint64_t gfn, mfn, nr;          /* a grant has no gfn */
};

struct domain {
	bool used;
	struct fake_domain cfg;
	struct p2m_entry *p2m;
	unsigned np2m, p2m_cap;
	struct server srv[MAX_SERVERS];
	evtchn_port_t next_port;
	struct span grant[MAX_GRANTS], dmap[MAX_GRANTS];
	unsigned ngrants, ndmaps;
	unsigned long msis;
};

struct xc_interface_core {
	int unused;
};

struct xendevicemodel_handle {
	int restricted;                 /* the only domain it may act on, or -1 */
};

struct xenforeignmemory_handle {
	int restricted;
};

struct xenforeignmemory_resource_handle {
	void *va;
	unsigned nr;
	uint32_t mfn[2];
};

struct xenevtchn_handle {
	int pipe[2];
	evtchn_port_t pending[MAX_PENDING];
	unsigned npending;
};

struct xs_event {
	char path[64], token[32];
};

struct xs_handle {
	int pipe[2];
	struct xs_event ev[MAX_EVENTS];
	unsigned nev;
};

struct watch {
	struct xs_handle *h;
	char path[64], token[32];
};

struct binding {
	bool used;
	xenevtchn_handle *h;
	evtchn_port_t local, remote;
	uint32_t domid;
};

struct fmap {
	void *va;
	size_t pages;
	uint32_t *mfn;                  /* NO_FRAME: a refused page */
	uint32_t domid;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t answered;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int memfd = -1;
static uint8_t *mem;                    /* the test's view of machine memory */

static struct {
	uint32_t self;
	bool no_resources;
	struct domain dom[MAX_DOMAINS];
	uint8_t frame_state[FRAMES];
	uint32_t frame_refs[FRAMES];
	uint32_t free_stack[FRAMES];
	unsigned nfree;
	struct fmap *fmap;
	unsigned nfmaps, fmap_cap;
	xenforeignmemory_resource_handle *res[64];
	unsigned nres;
	struct binding bind[MAX_BINDINGS];
	evtchn_port_t next_local;
	struct watch watch[MAX_WATCHES];
	unsigned nwatches;
	unsigned xc_handles, xs_handles, dm_handles, fm_handles, evt_handles;
	unsigned bad_calls;
	unsigned long calls[FX_CALLS];
	struct { unsigned nth; int err; } fail[FX_CALLS];
} X;

/* ---- Bookkeeping ---------------------------------------------------------------------- */

static void init_once(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&answered, &a);
	pthread_condattr_destroy(&a);
	memfd = memfd_create("fake-xen-machine", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, (off_t)FRAMES * PAGE))
		abort();
	mem = mmap(NULL, (size_t)FRAMES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (mem == MAP_FAILED)
		abort();
}

/* Counts the call and says whether the test asked it to fail (errno set). */
static bool call(enum fx_call c)
{
	X.calls[c]++;
	if (X.fail[c].nth && --X.fail[c].nth == 0) {
		errno = X.fail[c].err;
		return true;
	}
	return false;
}

static struct domain *find_domain(uint32_t domid)
{
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (X.dom[i].used && X.dom[i].cfg.domid == domid)
			return &X.dom[i];
	return NULL;
}

static struct server *find_server(struct domain *d, unsigned id)
{
	return d && id < MAX_SERVERS && d->srv[id].used ? &d->srv[id] : NULL;
}

static uint32_t alloc_frame(void)
{
	uint32_t mfn;

	if (!X.nfree)
		return NO_FRAME;
	mfn = X.free_stack[--X.nfree];
	X.frame_state[mfn] = FRAME_USED;
	memset(mem + (size_t)mfn * PAGE, 0, PAGE);
	return mfn;
}

/* Xen frees the frame: scrubbed now, reusable once nobody maps it. */
static void release_frame(uint32_t mfn)
{
	memset(mem + (size_t)mfn * PAGE, SCRUB, PAGE);
	if (X.frame_refs[mfn]) {
		X.frame_state[mfn] = FRAME_ZOMBIE;
		return;
	}
	X.frame_state[mfn] = FRAME_FREE;
	X.free_stack[X.nfree++] = mfn;
}

static void unref_frame(uint32_t mfn)
{
	if (mfn == NO_FRAME || --X.frame_refs[mfn] || X.frame_state[mfn] != FRAME_ZOMBIE)
		return;
	X.frame_state[mfn] = FRAME_FREE;
	X.free_stack[X.nfree++] = mfn;
}

/* Maps machine frames at consecutive addresses; NO_FRAME shows the poison frame. */
static void *map_frames(const uint32_t *mfn, size_t n, int prot)
{
	uint8_t *va = mmap(NULL, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (va == MAP_FAILED)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		off_t off = (off_t)(mfn[i] == NO_FRAME ? POISON_FRAME : mfn[i]) * PAGE;

		if (mmap(va + i * PAGE, PAGE, prot, MAP_SHARED | MAP_FIXED, memfd, off) ==
		    MAP_FAILED) {
			munmap(va, n * PAGE);
			return NULL;
		}
		if (mfn[i] != NO_FRAME)
			X.frame_refs[mfn[i]]++;
	}
	return va;
}

static void unmap_frames(void *va, const uint32_t *mfn, size_t n)
{
	munmap(va, n * PAGE);
	for (size_t i = 0; i < n; i++)
		unref_frame(mfn[i]);
}

/* ---- The p2m ------------------------------------------------------------------------------ */

static struct p2m_entry *p2m_find(struct domain *d, uint64_t gfn)
{
	for (unsigned i = 0; i < d->np2m; i++)
		if (d->p2m[i].gfn == gfn)
			return &d->p2m[i];
	return NULL;
}

static void p2m_remove(struct domain *d, uint64_t gfn)
{
	struct p2m_entry *e = p2m_find(d, gfn);

	if (!e)
		return;
	if (e->kind != P2M_IOREQ)
		release_frame(e->mfn);
	*e = d->p2m[--d->np2m];
}

static struct p2m_entry *p2m_add(struct domain *d, uint64_t gfn, uint32_t mfn, uint8_t kind)
{
	struct p2m_entry *e;

	p2m_remove(d, gfn);
	if (d->np2m == d->p2m_cap) {
		unsigned cap = d->p2m_cap ? 2 * d->p2m_cap : 64;
		struct p2m_entry *n = realloc(d->p2m, cap * sizeof(*n));

		if (!n)
			abort();
		d->p2m = n;
		d->p2m_cap = cap;
	}
	e = &d->p2m[d->np2m++];
	*e = (struct p2m_entry){ .gfn = gfn, .mfn = mfn, .kind = kind };
	return e;
}

/* What one page of a foreign mapping gets: its frame, or a negative errno. */
static int64_t p2m_translate(struct domain *d, uint64_t gfn)
{
	struct p2m_entry *e = p2m_find(d, gfn);

	if (!e)
		return -EINVAL;
	if (e->kind == P2M_REFUSED)
		return e->err;
	return e->mfn;
}

/* ---- Servers ------------------------------------------------------------------------------ */

static void destroy_server(struct domain *d, unsigned id)
{
	struct server *s = &d->srv[id];

	if (s->gfns_mapped) {
		p2m_remove(d, IOREQ_GFN_BASE + 2 * id);
		p2m_remove(d, IOREQ_GFN_BASE + 2 * id + 1);
	}
	for (unsigned i = 0; i < 2; i++)
		if (s->frame[i] != NO_FRAME)
			release_frame(s->frame[i]);
	memset(s, 0, sizeof(*s));
}

static ioreq_t *slot(const struct server *s, unsigned vcpu)
{
	return (ioreq_t *)(void *)(mem + (size_t)s->frame[1] * PAGE) + vcpu;
}

static int make_server(struct domain *d, uint32_t emulator, bool destroyable)
{
	for (unsigned id = 0; id < MAX_SERVERS; id++) {
		struct server *s = &d->srv[id];

		if (s->used)
			continue;
		memset(s, 0, sizeof(*s));
		s->frame[0] = alloc_frame();
		s->frame[1] = alloc_frame();
		if (s->frame[0] == NO_FRAME || s->frame[1] == NO_FRAME)
			abort();
		s->used = true;
		s->emulator = emulator;
		s->destroyable = destroyable;
		for (unsigned v = 0; v < d->cfg.vcpus; v++) {
			s->vcpu_port[v] = d->next_port++;
			slot(s, v)->vp_eport = s->vcpu_port[v];
		}
		s->buf_port = d->next_port++;
		return (int)id;
	}
	return -ENOSPC;
}

static bool overlaps(const struct server *s, bool mmio, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < s->nranges; i++)
		if (s->range[i].mmio == mmio && start <= s->range[i].end &&
		    s->range[i].start <= end)
			return true;
	return false;
}

static bool claims(const struct server *s, const ioreq_t *req)
{
	uint64_t end = req->addr + req->size - 1;

	if (req->type == IOREQ_TYPE_PCI_CONFIG) {
		for (unsigned i = 0; i < s->npcidev; i++)
			if (s->pcidev[i] == (uint32_t)(req->addr >> 32))
				return true;
		return false;
	}
	for (unsigned i = 0; i < s->nranges; i++)
		if (s->range[i].mmio == (req->type == IOREQ_TYPE_COPY) &&
		    s->range[i].start <= req->addr && end <= s->range[i].end)
			return true;
	return false;
}

/* ---- Event channels, Xen's side ------------------------------------------------------------ */

static struct binding *find_remote(uint32_t domid, evtchn_port_t remote)
{
	for (unsigned i = 0; i < MAX_BINDINGS; i++)
		if (X.bind[i].used && X.bind[i].domid == domid && X.bind[i].remote == remote)
			return &X.bind[i];
	return NULL;
}

static struct binding *find_local(xenevtchn_handle *h, evtchn_port_t local)
{
	for (unsigned i = 0; i < MAX_BINDINGS; i++)
		if (X.bind[i].used && X.bind[i].h == h && X.bind[i].local == local)
			return &X.bind[i];
	return NULL;
}

static void raise_port(struct binding *b)
{
	xenevtchn_handle *h = b->h;
	char one = 1;

	if (h->npending == MAX_PENDING)
		return;
	h->pending[h->npending++] = b->local;
	if (write(h->pipe[1], &one, 1) != 1)
		abort();
}

/* Puts @req in the vCPU's slot, signals it and waits for the answer (lock held). */
static int post(const struct server *s, uint32_t domid, unsigned vcpu, ioreq_t *req)
{
	volatile ioreq_t *vs = slot(s, vcpu);
	struct binding *b = find_remote(domid, s->vcpu_port[vcpu]);
	struct timespec until;

	if (!b)
		return -EPIPE;
	vs->addr = req->addr;
	vs->data = req->data;
	vs->count = req->count;
	vs->size = req->size;
	vs->data_is_ptr = req->data_is_ptr;
	vs->dir = req->dir;
	vs->df = req->df;
	vs->type = req->type;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vs->state = STATE_IOREQ_READY;
	raise_port(b);
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += ANSWER_SECONDS;
	while (vs->state != STATE_IORESP_READY)
		if (pthread_cond_timedwait(&answered, &lock, &until) == ETIMEDOUT &&
		    vs->state != STATE_IORESP_READY) {
			vs->state = STATE_IOREQ_NONE;
			return -ETIMEDOUT;
		}
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	req->data = vs->data;
	vs->state = STATE_IOREQ_NONE;
	return 0;
}

/* ---- The test's side ---------------------------------------------------------------------- */

static void forget_all(void)
{
	for (unsigned i = 0; i < X.nfmaps; i++) {
		munmap(X.fmap[i].va, X.fmap[i].pages * PAGE);
		free(X.fmap[i].mfn);
	}
	free(X.fmap);
	for (unsigned i = 0; i < X.nres; i++) {
		munmap(X.res[i]->va, X.res[i]->nr * PAGE);
		free(X.res[i]);
	}
	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		free(X.dom[i].p2m);
}

void fake_xen_reset(uint32_t self)
{
	pthread_once(&once, init_once);
	pthread_mutex_lock(&lock);
	forget_all();
	memset(&X, 0, sizeof(X));
	X.self = self;
	X.next_local = 1;
	/* Scrubbed machine memory; frames handed out from the lowest. */
	if (ftruncate(memfd, 0) || ftruncate(memfd, (off_t)FRAMES * PAGE))
		abort();
	memset(mem + (size_t)POISON_FRAME * PAGE, 0xA5, PAGE);
	for (uint32_t mfn = FRAMES - 1; mfn > POISON_FRAME; mfn--)
		X.free_stack[X.nfree++] = mfn;
	pthread_mutex_unlock(&lock);
}

void fake_xen_counts(struct fake_xen_counts *c)
{
	pthread_mutex_lock(&lock);
	memset(c, 0, sizeof(*c));
	c->xc_handles = X.xc_handles;
	c->xs_handles = X.xs_handles;
	c->dm_handles = X.dm_handles;
	c->fm_handles = X.fm_handles;
	c->evt_handles = X.evt_handles;
	c->watches = X.nwatches;
	c->foreign_maps = X.nfmaps;
	c->resources = X.nres;
	c->bad_calls = X.bad_calls;
	for (unsigned f = 0; f < FRAMES; f++)
		c->zombie_frames += X.frame_state[f] == FRAME_ZOMBIE;
	for (unsigned i = 0; i < MAX_BINDINGS; i++)
		c->ports += X.bind[i].used;
	for (unsigned i = 0; i < MAX_DOMAINS; i++) {
		const struct domain *d = &X.dom[i];

		if (!d->used)
			continue;
		c->iomem_grants += d->ngrants;
		c->direct_maps += d->ndmaps;
		for (unsigned id = 0; id < MAX_SERVERS; id++) {
			c->servers += d->srv[id].used;
			c->enabled_servers += d->srv[id].used && d->srv[id].enabled;
			c->ranges += d->srv[id].nranges;
			c->pcidevs += d->srv[id].npcidev;
		}
	}
	pthread_mutex_unlock(&lock);
}

unsigned long fake_xen_calls(enum fx_call c)
{
	unsigned long n;

	pthread_mutex_lock(&lock);
	n = X.calls[c];
	pthread_mutex_unlock(&lock);
	return n;
}

void fake_xen_fail(enum fx_call c, unsigned nth, int err)
{
	pthread_mutex_lock(&lock);
	X.fail[c].nth = nth;
	X.fail[c].err = err;
	pthread_mutex_unlock(&lock);
}

void fake_xen_no_resources(bool none)
{
	pthread_mutex_lock(&lock);
	X.no_resources = none;
	pthread_mutex_unlock(&lock);
}

int fake_xen_add_domain(const struct fake_domain *cfg)
{
	struct domain *d = NULL;
	int ret = -EEXIST;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; !find_domain(cfg->domid) && i < MAX_DOMAINS && !d; i++)
		if (!X.dom[i].used)
			d = &X.dom[i];
	if (d && cfg->vcpus >= 1 && cfg->vcpus <= FAKE_XEN_MAX_VCPUS) {
		memset(d, 0, sizeof(*d));
		d->used = true;
		d->cfg = *cfg;
		d->next_port = 10;
		for (uint64_t gfn = 0; gfn < cfg->ram_frames; gfn++)
			p2m_add(d, gfn, alloc_frame(), P2M_RAM);
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

void fake_xen_set_dying(uint32_t domid, bool dying)
{
	struct domain *d;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d)
		d->cfg.dying = dying;
	pthread_mutex_unlock(&lock);
}

static void queue_xs_event(struct xs_handle *h, const char *path, const char *token)
{
	char one = 1;

	if (h->nev == MAX_EVENTS)
		return;
	snprintf(h->ev[h->nev].path, sizeof(h->ev[0].path), "%s", path);
	snprintf(h->ev[h->nev].token, sizeof(h->ev[0].token), "%s", token);
	h->nev++;
	if (write(h->pipe[1], &one, 1) != 1)
		abort();
}

void fake_xen_destroy_domain(uint32_t domid)
{
	struct domain *d;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d) {
		for (unsigned id = 0; id < MAX_SERVERS; id++)
			if (d->srv[id].used)
				destroy_server(d, id);
		while (d->np2m)
			p2m_remove(d, d->p2m[0].gfn);
		free(d->p2m);
		memset(d, 0, sizeof(*d));
		for (unsigned i = 0; i < X.nwatches; i++)
			if (!strcmp(X.watch[i].path, "@releaseDomain"))
				queue_xs_event(X.watch[i].h, "@releaseDomain", X.watch[i].token);
	}
	pthread_mutex_unlock(&lock);
}

void *fake_xen_frame(uint32_t domid, uint64_t gfn)
{
	struct domain *d;
	struct p2m_entry *e = NULL;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d)
		e = p2m_find(d, gfn);
	pthread_mutex_unlock(&lock);
	return e ? mem + (size_t)e->mfn * PAGE : NULL;
}

void fake_xen_hole(uint32_t domid, uint64_t gfn)
{
	struct domain *d;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d)
		p2m_remove(d, gfn);
	pthread_mutex_unlock(&lock);
}

void fake_xen_balloon_out(uint32_t domid, uint64_t gfn)
{
	fake_xen_hole(domid, gfn);
}

void fake_xen_refuse_map(uint32_t domid, uint64_t gfn, int err)
{
	struct domain *d;
	struct p2m_entry *e;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	e = d ? p2m_find(d, gfn) : NULL;
	if (e) {
		e->kind = P2M_REFUSED;
		e->err = -err;
	}
	pthread_mutex_unlock(&lock);
}

void fake_xen_populate(uint32_t domid, uint64_t gfn)
{
	struct domain *d;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d)
		p2m_add(d, gfn, alloc_frame(), P2M_RAM);
	pthread_mutex_unlock(&lock);
}

unsigned fake_xen_domain_maps(uint32_t domid)
{
	unsigned n = 0;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < X.nfmaps; i++)
		n += X.fmap[i].domid == domid;
	pthread_mutex_unlock(&lock);
	return n;
}

int fake_xen_add_server(uint32_t domid, uint32_t emulator, bool destroyable)
{
	struct domain *d;
	int id = -ESRCH;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (d)
		id = make_server(d, emulator, destroyable);
	pthread_mutex_unlock(&lock);
	return id;
}

bool fake_xen_server(uint32_t domid, unsigned id, struct fake_server_view *v)
{
	struct server *s;

	pthread_mutex_lock(&lock);
	s = find_server(find_domain(domid), id);
	if (s && v) {
		memset(v, 0, sizeof(*v));
		v->emulator = s->emulator;
		v->enabled = s->enabled;
		v->npcidev = s->npcidev;
		memcpy(v->pcidev, s->pcidev, sizeof(v->pcidev));
		v->gfn_requests = s->gfn_requests;
	}
	pthread_mutex_unlock(&lock);
	return s != NULL;
}

bool fake_xen_claimed(uint32_t domid, unsigned id, bool mmio, uint64_t start, uint64_t end)
{
	struct server *s;
	bool found = false;

	pthread_mutex_lock(&lock);
	s = find_server(find_domain(domid), id);
	for (unsigned i = 0; s && i < s->nranges; i++)
		found |= s->range[i].mmio == mmio && s->range[i].start == start &&
			 s->range[i].end == end;
	pthread_mutex_unlock(&lock);
	return found;
}

unsigned fake_xen_ranges(uint32_t domid, unsigned id, bool mmio, uint64_t (*r)[2], unsigned max)
{
	struct server *s;
	unsigned n = 0;

	pthread_mutex_lock(&lock);
	s = find_server(find_domain(domid), id);
	for (unsigned i = 0; s && i < s->nranges; i++) {
		if (s->range[i].mmio != mmio)
			continue;
		if (n < max) {
			r[n][0] = s->range[i].start;
			r[n][1] = s->range[i].end;
		}
		n++;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

int fake_xen_guest_io(uint32_t domid, unsigned vcpu, ioreq_t *req)
{
	struct domain *d;
	int ret = -ENOENT;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	for (unsigned id = 0; d && vcpu < d->cfg.vcpus && id < MAX_SERVERS; id++) {
		const struct server *s = &d->srv[id];

		if (!s->used || !s->enabled || !claims(s, req))
			continue;
		ret = post(s, domid, vcpu, req);
		if (!ret)
			ret = (int)id;
		break;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int fake_xen_invalidate(uint32_t domid)
{
	struct domain *d;
	int n = 0, ret;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	for (unsigned id = 0; d && id < MAX_SERVERS; id++) {
		/* What Xen's send_invalidate_req() puts in the slot. */
		ioreq_t req = { .type = IOREQ_TYPE_INVALIDATE, .size = 4, .count = 1,
				.dir = IOREQ_WRITE, .data = ~0ull };

		if (!d->srv[id].used || !d->srv[id].enabled)
			continue;
		ret = post(&d->srv[id], domid, 0, &req);
		if (ret && ret != -EPIPE) {
			n = ret;
			break;
		}
		n += !ret;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

static bool spans_have(const struct span *sp, unsigned n, uint64_t gfn, uint64_t mfn,
		       uint64_t nr)
{
	for (unsigned i = 0; i < n; i++)
		if (sp[i].gfn == gfn && sp[i].mfn == mfn && sp[i].nr == nr)
			return true;
	return false;
}

bool fake_xen_direct_mapped(uint32_t domid, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	struct domain *d;
	bool ret;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	ret = d && spans_have(d->dmap, d->ndmaps, gfn, mfn, nr);
	pthread_mutex_unlock(&lock);
	return ret;
}

bool fake_xen_iomem_allowed(uint32_t domid, uint64_t mfn, uint64_t nr)
{
	struct domain *d;
	bool ret;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	ret = d && spans_have(d->grant, d->ngrants, 0, mfn, nr);
	pthread_mutex_unlock(&lock);
	return ret;
}

unsigned long fake_xen_msis(uint32_t domid)
{
	struct domain *d;
	unsigned long n;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	n = d ? d->msis : 0;
	pthread_mutex_unlock(&lock);
	return n;
}

/* ---- libxenctrl ---------------------------------------------------------------------------- */

xc_interface *xc_interface_open(xentoollog_logger *logger, xentoollog_logger *dombuild_logger,
				unsigned open_flags)
{
	xc_interface *xch = NULL;

	(void)logger;
	(void)dombuild_logger;
	(void)open_flags;
	pthread_mutex_lock(&lock);
	if (!call(FX_XC_OPEN)) {
		xch = calloc(1, sizeof(*xch));
		X.xc_handles += xch != NULL;
	}
	pthread_mutex_unlock(&lock);
	return xch;
}

int xc_interface_close(xc_interface *xch)
{
	if (!xch)
		return 0;
	pthread_mutex_lock(&lock);
	X.xc_handles--;
	pthread_mutex_unlock(&lock);
	free(xch);
	return 0;
}

static void fill_info(const struct domain *d, xc_dominfo_t *info)
{
	info->domid = d->cfg.domid;
	info->hvm = d->cfg.hvm;
	info->dying = d->cfg.dying;
	info->max_vcpu_id = d->cfg.vcpus - 1;
	info->nr_online_vcpus = d->cfg.vcpus;
	info->gpaddr_bits = d->cfg.gpaddr_bits;
	info->nr_pages = d->cfg.ram_frames;
}

/* The first domain from @domid on, as XEN_DOMCTL_getdomaininfo finds it. */
static const struct domain *next_domain(uint32_t domid)
{
	const struct domain *best = NULL;

	for (unsigned i = 0; i < MAX_DOMAINS; i++)
		if (X.dom[i].used && X.dom[i].cfg.domid >= domid &&
		    (!best || X.dom[i].cfg.domid < best->cfg.domid))
			best = &X.dom[i];
	return best;
}

int xc_domain_getinfo(xc_interface *xch, uint32_t first_domid, unsigned int max_doms,
		      xc_dominfo_t *info)
{
	unsigned n = 0;
	int ret;

	(void)xch;
	pthread_mutex_lock(&lock);
	memset(info, 0, max_doms * sizeof(*info));
	if (call(FX_XC_GETINFO)) {
		ret = -1;
	} else {
		for (const struct domain *d; n < max_doms && (d = next_domain(first_domid)); n++) {
			fill_info(d, &info[n]);
			first_domid = d->cfg.domid + 1;
		}
		if (!n)
			errno = ESRCH;
		ret = n ? (int)n : -1;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static void drop_span(struct span *sp, unsigned *n, unsigned i)
{
	sp[i] = sp[--*n];
}

int xc_domain_iomem_permission(xc_interface *xch, uint32_t domid, unsigned long first_mfn,
			       unsigned long nr_mfns, uint8_t allow_access)
{
	struct domain *d;
	int ret = -1;

	(void)xch;
	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (call(FX_XC_IOMEM_PERMISSION)) {
		/* errno set */
	} else if (!d) {
		errno = ESRCH;
	} else if (allow_access) {
		if (d->ngrants < MAX_GRANTS) {
			d->grant[d->ngrants++] = (struct span){ 0, first_mfn, nr_mfns };
			ret = 0;
		} else {
			errno = ENOSPC;
		}
	} else {
		/* Denying what was never allowed is no error in Xen either. */
		for (unsigned i = d->ngrants; i-- > 0;)
			if (d->grant[i].mfn == first_mfn && d->grant[i].nr == nr_mfns)
				drop_span(d->grant, &d->ngrants, i);
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static bool granted(const struct domain *d, uint64_t mfn, uint64_t nr)
{
	for (unsigned i = 0; i < d->ngrants; i++)
		if (d->grant[i].mfn <= mfn && mfn + nr <= d->grant[i].mfn + d->grant[i].nr)
			return true;
	return false;
}

static int add_dmap(struct domain *d, uint64_t gfn, uint64_t mfn, uint64_t nr)
{
	if (!granted(d, mfn, nr)) {
		errno = EPERM;
		return -1;
	}
	for (unsigned i = 0; i < d->ndmaps; i++)
		if (gfn < d->dmap[i].gfn + d->dmap[i].nr && d->dmap[i].gfn < gfn + nr) {
			errno = EBUSY;
			return -1;
		}
	if (d->ndmaps == MAX_GRANTS) {
		errno = ENOSPC;
		return -1;
	}
	d->dmap[d->ndmaps++] = (struct span){ gfn, mfn, nr };
	return 0;
}

int xc_domain_memory_mapping(xc_interface *xch, uint32_t domid, unsigned long first_gfn,
			     unsigned long first_mfn, unsigned long nr_mfns, uint32_t add_mapping)
{
	struct domain *d;
	int ret = -1;

	(void)xch;
	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	if (call(FX_XC_MEMORY_MAPPING)) {
		/* errno set */
	} else if (!d) {
		errno = ESRCH;
	} else if (add_mapping == DPCI_ADD_MAPPING) {
		ret = add_dmap(d, first_gfn, first_mfn, nr_mfns);
	} else {
		for (unsigned i = d->ndmaps; i-- > 0;)
			if (d->dmap[i].gfn == first_gfn && d->dmap[i].mfn == first_mfn &&
			    d->dmap[i].nr == nr_mfns) {
				drop_span(d->dmap, &d->ndmaps, i);
				ret = 0;
			}
		if (ret) {
			X.bad_calls++;
			errno = ENOENT;
		}
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* ---- libxenstore (the watch) ------------------------------------------------------------- */

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h = NULL;

	(void)flags;
	pthread_mutex_lock(&lock);
	if (!call(FX_XS_OPEN)) {
		h = calloc(1, sizeof(*h));
		if (h && pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK)) {
			free(h);
			h = NULL;
		}
		X.xs_handles += h != NULL;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

static void drop_watch(unsigned i)
{
	X.watch[i] = X.watch[--X.nwatches];
}

void xs_close(struct xs_handle *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&lock);
	for (unsigned i = X.nwatches; i-- > 0;)
		if (X.watch[i].h == h)
			drop_watch(i);
	X.xs_handles--;
	pthread_mutex_unlock(&lock);
	close(h->pipe[0]);
	close(h->pipe[1]);
	free(h);
}

int xs_fileno(struct xs_handle *h)
{
	return h->pipe[0];
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	bool ok = false;

	pthread_mutex_lock(&lock);
	if (!call(FX_XS_WATCH) && X.nwatches < MAX_WATCHES) {
		struct watch *w = &X.watch[X.nwatches++];

		w->h = h;
		snprintf(w->path, sizeof(w->path), "%s", path);
		snprintf(w->token, sizeof(w->token), "%s", token);
		/* xenstored fires a new watch once. */
		queue_xs_event(h, path, token);
		ok = true;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	bool ok = false;

	pthread_mutex_lock(&lock);
	for (unsigned i = 0; !ok && i < X.nwatches; i++)
		if (X.watch[i].h == h && !strcmp(X.watch[i].path, path) &&
		    !strcmp(X.watch[i].token, token)) {
			drop_watch(i);
			ok = true;
		}
	if (!ok) {
		X.bad_calls++;
		errno = ENOENT;
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

char **xs_check_watch(struct xs_handle *h)
{
	char **ret = NULL, buf;

	pthread_mutex_lock(&lock);
	if (!h->nev) {
		errno = EAGAIN;
	} else {
		size_t lp = strlen(h->ev[0].path) + 1, lt = strlen(h->ev[0].token) + 1;

		/* One allocation, as libxenstore's: the caller frees it whole. */
		ret = malloc(2 * sizeof(char *) + lp + lt);
		if (!ret)
			abort();
		ret[0] = (char *)(ret + 2);
		ret[1] = ret[0] + lp;
		memcpy(ret[0], h->ev[0].path, lp);
		memcpy(ret[1], h->ev[0].token, lt);
		memmove(&h->ev[0], &h->ev[1], --h->nev * sizeof(h->ev[0]));
		if (read(h->pipe[0], &buf, 1) != 1)
			abort();
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* ---- libxendevicemodel ------------------------------------------------------------------- */

xendevicemodel_handle *xendevicemodel_open(struct xentoollog_logger *logger,
					   unsigned int open_flags)
{
	xendevicemodel_handle *h = NULL;

	(void)logger;
	(void)open_flags;
	pthread_mutex_lock(&lock);
	if (!call(FX_DM_OPEN)) {
		h = calloc(1, sizeof(*h));
		if (h)
			h->restricted = -1;
		X.dm_handles += h != NULL;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

int xendevicemodel_close(xendevicemodel_handle *dmod)
{
	if (!dmod)
		return 0;
	pthread_mutex_lock(&lock);
	X.dm_handles--;
	pthread_mutex_unlock(&lock);
	free(dmod);
	return 0;
}

/* Every DMOP: counted, maybe failed, refused on a restricted handle's other domains. */
static struct domain *dm_op(enum fx_call c, int restricted, domid_t domid)
{
	struct domain *d;

	if (call(c))
		return NULL;
	if (restricted >= 0 && restricted != domid) {
		X.bad_calls++;
		errno = EPERM;
		return NULL;
	}
	d = find_domain(domid);
	if (!d)
		errno = ESRCH;
	return d;
}

/* The server a DMOP names, if this domain is its emulator. */
static struct server *my_server(struct domain *d, ioservid_t id)
{
	struct server *s = find_server(d, id);

	if (!d)
		return NULL;
	if (!s) {
		errno = ENOENT;
		return NULL;
	}
	if (s->emulator != X.self) {
		errno = EPERM;
		return NULL;
	}
	return s;
}

int xendevicemodel_create_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
				       int handle_bufioreq, ioservid_t *id)
{
	struct domain *d;
	int ret = -1, n;

	(void)handle_bufioreq;
	pthread_mutex_lock(&lock);
	d = dm_op(FX_DM_CREATE_SERVER, dmod->restricted, domid);
	if (d) {
		n = make_server(d, X.self, false);
		if (n < 0) {
			errno = -n;
		} else {
			*id = (ioservid_t)n;
			ret = 0;
		}
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* Asking for the gfns puts the server's pages into the guest's p2m (Xen's legacy way). */
static void map_legacy_gfns(struct domain *d, ioservid_t id, struct server *s)
{
	s->gfn_requests++;
	if (s->gfns_mapped)
		return;
	p2m_add(d, IOREQ_GFN_BASE + 2 * id, s->frame[0], P2M_IOREQ);
	p2m_add(d, IOREQ_GFN_BASE + 2 * id + 1, s->frame[1], P2M_IOREQ);
	s->gfns_mapped = true;
}

int xendevicemodel_get_ioreq_server_info(xendevicemodel_handle *dmod, domid_t domid,
					 ioservid_t id, xen_pfn_t *ioreq_gfn,
					 xen_pfn_t *bufioreq_gfn, evtchn_port_t *bufioreq_port)
{
	struct domain *d;
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	d = dm_op(FX_DM_GET_INFO, dmod->restricted, domid);
	s = my_server(d, id);
	if (s) {
		if (ioreq_gfn || bufioreq_gfn)
			map_legacy_gfns(d, id, s);
		if (ioreq_gfn)
			*ioreq_gfn = IOREQ_GFN_BASE + 2 * id + 1;
		if (bufioreq_gfn)
			*bufioreq_gfn = IOREQ_GFN_BASE + 2 * id;
		if (bufioreq_port)
			*bufioreq_port = s->buf_port;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_map_io_range_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						ioservid_t id, int is_mmio, uint64_t start,
						uint64_t end)
{
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	s = my_server(dm_op(FX_DM_MAP_IO_RANGE, dmod->restricted, domid), id);
	if (!s) {
		/* errno set */
	} else if (start > end) {
		errno = EINVAL;
	} else if (overlaps(s, is_mmio, start, end)) {
		errno = EEXIST;
	} else if (s->nranges == MAX_RANGES) {
		errno = ENOSPC;
	} else {
		s->range[s->nranges++] = (struct range){ is_mmio != 0, start, end };
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_unmap_io_range_from_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
						    ioservid_t id, int is_mmio, uint64_t start,
						    uint64_t end)
{
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	s = my_server(dm_op(FX_DM_UNMAP_IO_RANGE, dmod->restricted, domid), id);
	for (unsigned i = 0; s && i < s->nranges && ret; i++) {
		if (s->range[i].mmio != (is_mmio != 0) || s->range[i].start != start ||
		    s->range[i].end != end)
			continue;
		s->range[i] = s->range[--s->nranges];
		ret = 0;
	}
	if (s && ret) {
		/* The transport unclaims only what it claimed. */
		X.bad_calls++;
		errno = ENOENT;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_map_pcidev_to_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					      ioservid_t id, uint16_t segment, uint8_t bus,
					      uint8_t device, uint8_t function)
{
	uint32_t sbdf = (uint32_t)segment << 16 | (uint32_t)bus << 8 | (device & 0x1Fu) << 3 |
			(function & 7u);
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	s = my_server(dm_op(FX_DM_MAP_PCIDEV, dmod->restricted, domid), id);
	if (s && s->npcidev == 4) {
		errno = ENOSPC;
	} else if (s) {
		s->pcidev[s->npcidev++] = sbdf;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_set_ioreq_server_state(xendevicemodel_handle *dmod, domid_t domid,
					  ioservid_t id, int enabled)
{
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	s = my_server(dm_op(FX_DM_SET_STATE, dmod->restricted, domid), id);
	if (s) {
		s->enabled = enabled != 0;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_destroy_ioreq_server(xendevicemodel_handle *dmod, domid_t domid,
					ioservid_t id)
{
	struct domain *d;
	struct server *s;
	int ret = -1;

	pthread_mutex_lock(&lock);
	d = dm_op(FX_DM_DESTROY_SERVER, dmod->restricted, domid);
	s = find_server(d, id);
	if (!d) {
		/* errno set */
	} else if (!s) {
		errno = ENOENT;
	} else if (s->emulator != X.self && !s->destroyable) {
		errno = EPERM;
	} else {
		destroy_server(d, id);
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xendevicemodel_inject_msi(xendevicemodel_handle *dmod, domid_t domid, uint64_t msi_addr,
			      uint32_t msi_data)
{
	struct domain *d;

	(void)msi_addr;
	(void)msi_data;
	pthread_mutex_lock(&lock);
	d = dm_op(FX_DM_INJECT_MSI, dmod->restricted, domid);
	if (d)
		d->msis++;
	pthread_mutex_unlock(&lock);
	return d ? 0 : -1;
}

int xendevicemodel_restrict(xendevicemodel_handle *dmod, domid_t domid)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	if (!call(FX_DM_RESTRICT)) {
		dmod->restricted = domid;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* ---- libxenforeignmemory ------------------------------------------------------------------ */

xenforeignmemory_handle *xenforeignmemory_open(struct xentoollog_logger *logger,
					       unsigned open_flags)
{
	xenforeignmemory_handle *h = NULL;

	(void)logger;
	(void)open_flags;
	pthread_mutex_lock(&lock);
	if (!call(FX_FM_OPEN)) {
		h = calloc(1, sizeof(*h));
		if (h)
			h->restricted = -1;
		X.fm_handles += h != NULL;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

int xenforeignmemory_close(xenforeignmemory_handle *fmem)
{
	if (!fmem)
		return 0;
	pthread_mutex_lock(&lock);
	X.fm_handles--;
	pthread_mutex_unlock(&lock);
	free(fmem);
	return 0;
}

static struct domain *fm_domain(enum fx_call c, const xenforeignmemory_handle *fmem,
				uint32_t domid)
{
	struct domain *d;

	if (call(c))
		return NULL;
	if (fmem->restricted >= 0 && (uint32_t)fmem->restricted != domid) {
		X.bad_calls++;
		errno = EPERM;
		return NULL;
	}
	d = find_domain(domid);
	if (!d)
		errno = ESRCH;
	return d;
}

/* The frames behind @arr, NO_FRAME and the page's error where Xen refuses; first error. */
static int translate_all(struct domain *d, size_t pages, const xen_pfn_t *arr, uint32_t *mfn,
			 int *err)
{
	int first = 0;

	for (size_t i = 0; i < pages; i++) {
		int64_t t = p2m_translate(d, arr[i]);

		mfn[i] = t < 0 ? NO_FRAME : (uint32_t)t;
		if (err)
			err[i] = t < 0 ? (int)t : 0;
		if (t < 0 && !first)
			first = (int)t;
	}
	return first;
}

static void record_fmap(void *va, size_t pages, uint32_t *mfn, uint32_t domid)
{
	if (X.nfmaps == X.fmap_cap) {
		unsigned cap = X.fmap_cap ? 2 * X.fmap_cap : 64;
		struct fmap *n = realloc(X.fmap, cap * sizeof(*n));

		if (!n)
			abort();
		X.fmap = n;
		X.fmap_cap = cap;
	}
	X.fmap[X.nfmaps++] = (struct fmap){ va, pages, mfn, domid };
}

void *xenforeignmemory_map(xenforeignmemory_handle *fmem, uint32_t dom, int prot, size_t pages,
			   const xen_pfn_t arr[], int err[])
{
	struct domain *d;
	uint32_t *mfn = NULL;
	void *va = NULL;
	int first;

	pthread_mutex_lock(&lock);
	d = fm_domain(FX_FM_MAP, fmem, dom);
	if (d && (!pages || pages > 1024)) {
		errno = EINVAL;
	} else if (d) {
		mfn = calloc(pages, sizeof(*mfn));
		if (!mfn)
			abort();
		first = translate_all(d, pages, arr, mfn, err);
		/* Without @err any refused page fails the whole call. */
		if (first && !err)
			errno = -first;
		else
			va = map_frames(mfn, pages, prot);
		if (va)
			record_fmap(va, pages, mfn, dom);
		else
			free(mfn);
	}
	pthread_mutex_unlock(&lock);
	return va;
}

int xenforeignmemory_unmap(xenforeignmemory_handle *fmem, void *addr, size_t pages)
{
	int ret = -1;

	(void)fmem;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < X.nfmaps; i++) {
		if (X.fmap[i].va != addr || X.fmap[i].pages != pages)
			continue;
		unmap_frames(addr, X.fmap[i].mfn, pages);
		free(X.fmap[i].mfn);
		X.fmap[i] = X.fmap[--X.nfmaps];
		ret = 0;
		break;
	}
	if (ret) {
		X.bad_calls++;
		errno = EINVAL;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xenforeignmemory_restrict(xenforeignmemory_handle *fmem, domid_t domid)
{
	int ret = -1;

	pthread_mutex_lock(&lock);
	if (!call(FX_FM_RESTRICT)) {
		fmem->restricted = domid;
		ret = 0;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

static xenforeignmemory_resource_handle *map_server_frames(struct server *s,
							   unsigned long frame,
							   unsigned long nr, int prot)
{
	xenforeignmemory_resource_handle *r;

	if (frame > 2 || nr > 2 - frame || !nr || X.nres == 64) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->nr = (unsigned)nr;
	for (unsigned i = 0; i < nr; i++)
		r->mfn[i] = s->frame[frame + i];
	r->va = map_frames(r->mfn, nr, prot);
	if (!r->va) {
		free(r);
		return NULL;
	}
	X.res[X.nres++] = r;
	return r;
}

xenforeignmemory_resource_handle *xenforeignmemory_map_resource(
	xenforeignmemory_handle *fmem, domid_t domid, unsigned int type, unsigned int id,
	unsigned long frame, unsigned long nr_frames, void **paddr, int prot, int flags)
{
	xenforeignmemory_resource_handle *r = NULL;
	struct domain *d;
	struct server *s;

	(void)flags;
	pthread_mutex_lock(&lock);
	d = fm_domain(FX_FM_MAP_RESOURCE, fmem, domid);
	if (d && X.no_resources) {
		errno = EOPNOTSUPP;
	} else if (d && type != XENMEM_resource_ioreq_server) {
		errno = EINVAL;
	} else if (d) {
		s = my_server(d, (ioservid_t)id);
		r = s ? map_server_frames(s, frame, nr_frames, prot) : NULL;
		if (r)
			*paddr = r->va;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int xenforeignmemory_unmap_resource(xenforeignmemory_handle *fmem,
				    xenforeignmemory_resource_handle *fres)
{
	int ret = -1;

	(void)fmem;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < X.nres; i++) {
		if (X.res[i] != fres)
			continue;
		unmap_frames(fres->va, fres->mfn, fres->nr);
		X.res[i] = X.res[--X.nres];
		free(fres);
		ret = 0;
		break;
	}
	if (ret) {
		X.bad_calls++;
		errno = EINVAL;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

/* ---- libxenevtchn ------------------------------------------------------------------------- */

xenevtchn_handle *xenevtchn_open(struct xentoollog_logger *logger, unsigned int open_flags)
{
	xenevtchn_handle *h = NULL;

	(void)logger;
	(void)open_flags;
	pthread_mutex_lock(&lock);
	if (!call(FX_EVT_OPEN)) {
		h = calloc(1, sizeof(*h));
		if (h && pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK)) {
			free(h);
			h = NULL;
		}
		X.evt_handles += h != NULL;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

int xenevtchn_close(xenevtchn_handle *xce)
{
	if (!xce)
		return 0;
	pthread_mutex_lock(&lock);
	/* Closing the device unbinds whatever is still bound, as the kernel does. */
	for (unsigned i = 0; i < MAX_BINDINGS; i++)
		if (X.bind[i].used && X.bind[i].h == xce)
			X.bind[i].used = false;
	X.evt_handles--;
	pthread_mutex_unlock(&lock);
	close(xce->pipe[0]);
	close(xce->pipe[1]);
	free(xce);
	return 0;
}

int xenevtchn_fd(xenevtchn_handle *xce)
{
	return xce->pipe[0];
}

/* Whether @remote is one of the ports Xen made for a server this domain emulates. */
static bool server_port(const struct domain *d, evtchn_port_t remote)
{
	for (unsigned id = 0; id < MAX_SERVERS; id++) {
		const struct server *s = &d->srv[id];

		if (!s->used || s->emulator != X.self)
			continue;
		if (s->buf_port == remote)
			return true;
		for (unsigned v = 0; v < d->cfg.vcpus; v++)
			if (s->vcpu_port[v] == remote)
				return true;
	}
	return false;
}

static struct binding *free_binding(void)
{
	for (unsigned i = 0; i < MAX_BINDINGS; i++)
		if (!X.bind[i].used)
			return &X.bind[i];
	return NULL;
}

xenevtchn_port_or_error_t xenevtchn_bind_interdomain(xenevtchn_handle *xce, uint32_t domid,
						     evtchn_port_t remote_port)
{
	struct domain *d;
	struct binding *b;
	int ret = -1;

	pthread_mutex_lock(&lock);
	d = find_domain(domid);
	b = free_binding();
	if (call(FX_EVT_BIND)) {
		/* errno set */
	} else if (!d) {
		errno = ESRCH;
	} else if (!server_port(d, remote_port) || find_remote(domid, remote_port) || !b) {
		errno = EINVAL;
	} else {
		*b = (struct binding){ true, xce, X.next_local++, remote_port, domid };
		ret = (int)b->local;
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xenevtchn_unbind(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct binding *b;

	pthread_mutex_lock(&lock);
	b = find_local(xce, port);
	if (b) {
		b->used = false;
	} else {
		X.bad_calls++;
		errno = EINVAL;
	}
	pthread_mutex_unlock(&lock);
	return b ? 0 : -1;
}

xenevtchn_port_or_error_t xenevtchn_pending(xenevtchn_handle *xce)
{
	int ret = -1;
	char buf;

	pthread_mutex_lock(&lock);
	if (!xce->npending) {
		errno = EAGAIN;
	} else {
		ret = (int)xce->pending[0];
		memmove(&xce->pending[0], &xce->pending[1], --xce->npending * sizeof(xce->pending[0]));
		if (read(xce->pipe[0], &buf, 1) != 1)
			abort();
	}
	pthread_mutex_unlock(&lock);
	return ret;
}

int xenevtchn_unmask(xenevtchn_handle *xce, evtchn_port_t port)
{
	(void)xce;
	(void)port;
	return 0;
}

int xenevtchn_notify(xenevtchn_handle *xce, evtchn_port_t port)
{
	struct binding *b;

	pthread_mutex_lock(&lock);
	b = find_local(xce, port);
	if (b) {
		pthread_cond_broadcast(&answered);
	} else {
		X.bad_calls++;
		errno = EINVAL;
	}
	pthread_mutex_unlock(&lock);
	return b ? 0 : -1;
}

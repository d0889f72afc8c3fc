/* SPDX-License-Identifier: MIT */
/*
 * An in-memory Xen behind the library calls xen/transport/xen_dm.c makes
 * (libxenctrl, libxendevicemodel, libxenforeignmemory, libxenevtchn and
 * the watch half of libxenstore; their own headers give the prototypes):
 * see fake_xenlibs.c.  The test drives it as the hypervisor would: it
 * creates domains, changes their p2m, leaves servers behind, routes a
 * guest's accesses to the ioreq server that claims them, and makes any
 * call fail.
 */
#ifndef FAKE_XENLIBS_H
#define FAKE_XENLIBS_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/xen.h>
#include <xen/hvm/ioreq.h>

#define FAKE_XEN_PAGE 4096u

/* Every library call the transport makes, for counting and for failures. */
enum fx_call {
	FX_XC_OPEN, FX_XC_GETINFO, FX_XC_IOMEM_PERMISSION, FX_XC_MEMORY_MAPPING,
	FX_XS_OPEN, FX_XS_WATCH,
	FX_DM_OPEN, FX_DM_CREATE_SERVER, FX_DM_GET_INFO, FX_DM_MAP_IO_RANGE,
	FX_DM_UNMAP_IO_RANGE, FX_DM_MAP_PCIDEV, FX_DM_SET_STATE, FX_DM_DESTROY_SERVER,
	FX_DM_INJECT_MSI, FX_DM_RESTRICT,
	FX_FM_OPEN, FX_FM_MAP, FX_FM_MAP_RESOURCE, FX_FM_RESTRICT,
	FX_EVT_OPEN, FX_EVT_BIND,
	FX_CALLS
};

struct fake_domain {
	uint32_t domid;
	bool hvm, dying;
	unsigned vcpus;              /* 1..FAKE_XEN_MAX_VCPUS */
	uint8_t gpaddr_bits;         /* what getdomaininfo reports; 0: not reported */
	unsigned ram_frames;         /* RAM at gfns [0, ram_frames) */
};
#define FAKE_XEN_MAX_VCPUS 8u

/* What the hypervisor holds, summed over every domain and handle. */
struct fake_xen_counts {
	unsigned xc_handles, xs_handles, dm_handles, fm_handles, evt_handles;
	unsigned watches;
	unsigned foreign_maps;       /* live xenforeignmemory_map() mappings */
	unsigned resources;          /* live xenforeignmemory_map_resource() mappings */
	unsigned zombie_frames;      /* frames freed by Xen, still held by a mapping */
	unsigned ports;              /* bound event channels */
	unsigned servers;            /* ioreq servers, whoever made them */
	unsigned enabled_servers;
	unsigned ranges;             /* I/O and MMIO ranges claimed by any server */
	unsigned pcidevs;            /* PCI functions claimed by any server */
	unsigned iomem_grants;       /* machine ranges a domain was allowed */
	unsigned direct_maps;        /* machine ranges mapped into a guest */
	unsigned bad_calls;          /* unmaps, unbinds, unclaims of what was not there; a
				      * restricted handle used for another domain */
};

struct fake_server_view {
	uint32_t emulator;
	bool enabled;
	unsigned npcidev;
	uint32_t pcidev[4];          /* segment << 16 | bus << 8 | dev << 3 | fn */
	unsigned gfn_requests;       /* get_info calls that asked for the legacy gfns */
};

/* Forgets everything; the transport runs in domain @self. */
void fake_xen_reset(uint32_t self);
void fake_xen_counts(struct fake_xen_counts *c);
unsigned long fake_xen_calls(enum fx_call c);
/* The @nth call of @c from now on (1: the next) fails with errno @err. */
void fake_xen_fail(enum fx_call c, unsigned nth, int err);
/* xenforeignmemory_map_resource() is not supported (Xen before 4.11). */
void fake_xen_no_resources(bool none);

/* ---- Domains and their p2m ----------------------------------------------------- */
int fake_xen_add_domain(const struct fake_domain *cfg);
void fake_xen_set_dying(uint32_t domid, bool dying);
/* The domain is gone; a @releaseDomain watch fires. */
void fake_xen_destroy_domain(uint32_t domid);
/* The frame behind @gfn as the test sees it (NULL: nothing there). */
void *fake_xen_frame(uint32_t domid, uint64_t gfn);
/* No RAM at @gfn (an MMIO hole). */
void fake_xen_hole(uint32_t domid, uint64_t gfn);
/* The guest gives @gfn back: its frame is scrubbed and freed once nobody maps it. */
void fake_xen_balloon_out(uint32_t domid, uint64_t gfn);
/* RAM at @gfn, Xen refuses to map it: each mapping attempt's page error is @err. */
void fake_xen_refuse_map(uint32_t domid, uint64_t gfn, int err);
/* RAM at @gfn (again): a fresh frame. */
void fake_xen_populate(uint32_t domid, uint64_t gfn);
/* Live foreign mappings of domain @domid's frames. */
unsigned fake_xen_domain_maps(uint32_t domid);

/* ---- Ioreq servers ---------------------------------------------------------------- */
/*
 * A server that someone else made: emulator domain @emulator.  Only the
 * emulator may read its info; @destroyable: others may destroy it anyway
 * (vgt's patch 0004, the emulator dying).  Returns its id.
 */
int fake_xen_add_server(uint32_t domid, uint32_t emulator, bool destroyable);
bool fake_xen_server(uint32_t domid, unsigned id, struct fake_server_view *v);
/* Whether server @id claims exactly [start, end] (@mmio: memory, else ports). */
bool fake_xen_claimed(uint32_t domid, unsigned id, bool mmio, uint64_t start, uint64_t end);
/* The ranges of one kind server @id claims, at most @max. */
unsigned fake_xen_ranges(uint32_t domid, unsigned id, bool mmio, uint64_t (*r)[2], unsigned max);

/*
 * A guest access as Xen handles it: to the first enabled server that
 * claims it, through vCPU @vcpu's slot and event channel, waiting for the
 * answer (a read's result in req->data).  Returns the id of the server
 * that answered, -ENOENT when no server claims the access, -EPIPE when the
 * one that does has nobody listening, -ETIMEDOUT.
 */
int fake_xen_guest_io(uint32_t domid, unsigned vcpu, ioreq_t *req);
/* IOREQ_TYPE_INVALIDATE to every server of the domain someone listens to. */
int fake_xen_invalidate(uint32_t domid);

/* ---- Direct mappings ------------------------------------------------------------- */
bool fake_xen_direct_mapped(uint32_t domid, uint64_t gfn, uint64_t mfn, uint64_t nr);
bool fake_xen_iomem_allowed(uint32_t domid, uint64_t mfn, uint64_t nr);
unsigned long fake_xen_msis(uint32_t domid);

#endif /* FAKE_XENLIBS_H */

/* SPDX-License-Identifier: MIT */
/*
 * libvgt: the vgt mediator core.
 *
 * A struct vgt_host owns one physical GPU (reached through a hardware
 * backend, see vgt/hw.h): its graphics-memory partition, its fences and
 * its vGPUs.  A struct vgt_vgpu is one domain's virtual GPU.  Transports
 * (the Xen ioreq server, in-process test guests) deliver the domain's
 * trapped accesses with vgt_vgpu_mmio_*(), vgt_vgpu_cfg_*() and
 * vgt_vgpu_pio_*(), and give the core a guest-memory interface
 * (struct vgt_transport_ops).
 *
 * Graphics memory is ballooned: a guest's graphics addresses are host
 * graphics addresses, and each vGPU owns one contiguous slice of the
 * aperture-visible ("low") and one of the hidden ("high") memory.
 *
 * Conventions: functions return 0 or a negative errno value.  A guest's
 * bad access is not an error of the call: it is contained (reads return
 * all ones, writes are dropped), counted, logged once per kind (within a
 * per-vGPU log budget that resets do not refill) and latches the vGPU's
 * failsafe state; the call returns 0.  All functions are thread-safe.
 */
#ifndef VGT_VGT_H
#define VGT_VGT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vgt/hw.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vgt_host;
struct vgt_vgpu;

#define VGT_MAX_VGPUS     16
#define VGT_TYPE_NAME_MAX 32
#define VGT_ERRMSG_MAX    256

/* A human-readable reason, filled in by calls that take one. */
struct vgt_error {
	char msg[VGT_ERRMSG_MAX];
};

enum vgt_log_level { VGT_LOG_ERROR, VGT_LOG_WARN, VGT_LOG_INFO, VGT_LOG_DEBUG };

/* Debug channels, one per area (VGT_DEBUG=cfg,mmio,... in vgtd). */
enum vgt_debug_area {
	VGT_DBG_CFG = 1u << 0,
	VGT_DBG_MMIO = 1u << 1,
	VGT_DBG_GTT = 1u << 2,
	VGT_DBG_FENCE = 1u << 3,
	VGT_DBG_PART = 1u << 4,
};

typedef void vgt_log_fn(void *opaque, enum vgt_log_level level, const char *msg);

/* ---- Host ------------------------------------------------------------------ */

struct vgt_host_params {
	const struct vgt_hw_ops *hw;
	void *hw_handle;
	/* vGPU types in the config/vgpu-types.conf format; NULL = built-in table. */
	const char *types_text;
	/* The mediator's own slice; 0 = defaults (64 MiB low, 128 MiB high, 4 fences). */
	uint32_t host_low_mb, host_high_mb, host_fences;
	/*
	 * Machine memory the mediator may use for its own buffers (physical
	 * rings, shadow batches, status pages): at least 32 MiB.  0/0 = the
	 * first 32 MiB of machine memory.
	 */
	uint64_t mem_base, mem_size;
	/* Scheduling tick (default 1 ms) and hang bound (default 500 ms). */
	uint64_t slice_ns, hang_ns;
	vgt_log_fn *log;          /* NULL: stderr */
	void *log_opaque;
	uint32_t debug_mask;      /* enum vgt_debug_area bits */
};

int vgt_host_create(const struct vgt_host_params *p, struct vgt_host **out, struct vgt_error *err);
void vgt_host_destroy(struct vgt_host *host);

struct vgt_range {
	uint64_t base, size;      /* bytes of graphics memory */
};

struct vgt_host_info {
	struct vgt_hw_info hw;
	struct vgt_range low, high;          /* the whole low and high GM */
	struct vgt_range host_low, host_high;  /* the mediator's own slice */
	uint32_t host_fences;
	uint64_t free_low, free_high;        /* bytes not given to anybody */
	uint64_t largest_low, largest_high;  /* largest contiguous free slice */
	uint32_t free_fences;
	unsigned vgpus;
	/* Per physical engine: RCS, VCS, BCS, VECS. */
	uint64_t engine_busy_ns[4];
	uint64_t context_switches[4];
	uint64_t engine_resets[4];
	uint64_t max_sched_delay_ns;  /* longest a workload waited to be dispatched */
	struct vgt_range host_mem;    /* machine memory the mediator keeps for itself */
};
void vgt_host_get_info(struct vgt_host *host, struct vgt_host_info *info);

struct vgt_type {
	char name[VGT_TYPE_NAME_MAX];
	uint32_t low_mb, high_mb, fences, weight;
	uint32_t width, height;   /* display resolution */
};
/* Number of types; copies up to @max of them into @types. */
unsigned vgt_host_types(struct vgt_host *host, struct vgt_type *types, unsigned max);
/* How many more vGPUs of type @name fit now; -ENOENT for an unknown type. */
int vgt_host_type_capacity(struct vgt_host *host, const char *name);

/*
 * Makes progress: completes finished workloads (guest HEAD, status page and
 * interrupts), detects hangs, dispatches what the scheduler picks, and
 * delivers virtual vblanks.  A transport's event loop calls it on device
 * interrupts and timers.
 */
int vgt_host_poll(struct vgt_host *host);
/*
 * For software backends: poll, let the device execute up to @budget
 * commands, poll again.  Returns the commands executed (0 when idle).
 */
int64_t vgt_host_run(struct vgt_host *host, uint64_t budget);

/*
 * For devices that run by themselves (real hardware, gensim's worker
 * thread): a service thread polls on every device interrupt, and at least
 * every millisecond for vblanks and hang checks.
 */
int vgt_host_start_service(struct vgt_host *host);
void vgt_host_stop_service(struct vgt_host *host);

/* Parses types text into @types; returns the count or -EINVAL (reason in @err). */
int vgt_types_parse(const char *text, struct vgt_type *types, unsigned max, struct vgt_error *err);

/* ---- Transport (guest memory interface) ------------------------------------ */

struct vgt_transport_ops {
	/* Guest frame -> machine frame (what host GTT entries point at). */
	int (*gfn_to_mfn)(void *opaque, uint64_t gfn, uint64_t *mfn);
	/* Copies from / to guest-physical memory. */
	int (*read_gpa)(void *opaque, uint64_t gpa, void *buf, size_t len);
	int (*write_gpa)(void *opaque, uint64_t gpa, const void *buf, size_t len);
	/* Write-protects a guest frame (page-table shadowing); may be NULL. */
	int (*write_protect)(void *opaque, uint64_t gfn, bool protect);
	/* Delivers an MSI to the domain. */
	int (*inject_msi)(void *opaque, uint64_t addr, uint32_t data);
	/*
	 * The guest moved or (dis)enabled a BAR: @addr is its new guest-physical
	 * base, @enabled whether its decoding is on.  The transport re-claims
	 * trapped ranges and re-maps the aperture window.  May be NULL.
	 */
	void (*bar_update)(void *opaque, unsigned bar, uint64_t addr, uint64_t size, bool enabled);
};

/* ---- vGPUs ------------------------------------------------------------------ */

struct vgt_vgpu_params {
	uint32_t domid;
	/* Either a type name, or explicit sizes (type NULL or ""). */
	const char *type;
	uint32_t low_mb, high_mb, fences, weight;
	const struct vgt_transport_ops *ops;
	void *opaque;
};

/* -ENOSPC with @err saying what is left when the vGPU does not fit. */
int vgt_vgpu_create(struct vgt_host *host, const struct vgt_vgpu_params *p,
		    struct vgt_vgpu **out, struct vgt_error *err);
/* Releases the vGPU: its host GTT entries and fences are cleared. */
void vgt_vgpu_destroy(struct vgt_vgpu *vgpu);

/* Trapped accesses.  @bar: 0 = registers and GTT, 2 = aperture. */
int vgt_vgpu_mmio_read(struct vgt_vgpu *vgpu, unsigned bar, uint64_t off, unsigned size,
		       uint64_t *val);
int vgt_vgpu_mmio_write(struct vgt_vgpu *vgpu, unsigned bar, uint64_t off, unsigned size,
			uint64_t val);
int vgt_vgpu_cfg_read(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t *val);
int vgt_vgpu_cfg_write(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t val);
/* BAR4 port offsets: 0 = MMIO_INDEX, 4 = MMIO_DATA. */
int vgt_vgpu_pio_read(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t *val);
int vgt_vgpu_pio_write(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t val);

/*
 * The direct aperture window: guest BAR2 offset @guest_off maps straight to
 * host aperture offset @host_off for @size bytes.  Nothing else of BAR2 is
 * mapped.
 */
struct vgt_aperture_window {
	uint64_t guest_off, host_off, size;
};
void vgt_vgpu_aperture_window(struct vgt_vgpu *vgpu, struct vgt_aperture_window *w);

/* ---- Display ------------------------------------------------------------------ */

struct vgt_image {
	uint32_t width, height;
	uint32_t *pixels;         /* XRGB8888, width * height */
};

/*
 * What the vGPU's pipe @pipe shows, decoded from its plane registers and
 * its own GTT view (XRGB8888, XBGR8888, RGB565; linear or X-tiled), with
 * its 64x64 ARGB cursor blended in if @cursor.  Only the vGPU's own memory
 * is ever read.  Errors say what the display is doing instead (@err):
 * -ENODEV display not initialized (pipe off), -ENODATA plane disabled,
 * -ENOTSUP format not decoded, -EINVAL inconsistent geometry, -EFAULT
 * surface outside the vGPU's memory or not mapped.
 */
int vgt_vgpu_scanout(struct vgt_vgpu *vgpu, unsigned pipe, bool cursor, struct vgt_image *img,
		     struct vgt_error *err);
void vgt_image_release(struct vgt_image *img);

/*
 * Makes @vgpu (NULL: nobody) the foreground owner of the physical display:
 * its pipes and planes are programmed into the physical ones, from then on
 * kept in step, and take effect at the next vblank.  A plane whose surface
 * is not entirely the owner's memory is not shown.
 */
int vgt_host_set_foreground(struct vgt_host *host, struct vgt_vgpu *vgpu);

/*
 * Changes the vGPU's share of engine time (1..100) from now on; time it
 * already used is not re-weighted.  -EINVAL outside the range.
 */
int vgt_vgpu_set_weight(struct vgt_vgpu *vgpu, uint32_t weight);

/* Resets the vGPU as a device-level reset does (leaves failsafe). */
int vgt_vgpu_reset(struct vgt_vgpu *vgpu);

enum vgt_guest_error_kind {
	VGT_GERR_ACCESS,          /* size or alignment refused */
	VGT_GERR_GTT_RANGE,       /* GTT entry outside the vGPU's slices */
	VGT_GERR_GTT_FRAME,       /* GTT entry for a frame the domain does not own */
	VGT_GERR_FENCE,           /* fence index or range outside its own */
	VGT_GERR_APERTURE,        /* aperture access outside its window */
	VGT_GERR_PVINFO,          /* write to a read-only PVINFO field */
	VGT_GERR_REG,             /* write to a register it may not change */
	VGT_GERR_RING,            /* ring or status page outside its memory, bad TAIL */
	VGT_GERR_CMD,             /* a submission the command audit refused */
	VGT_GERR_HANG,            /* a workload that did not finish in time */
	VGT_GERR_KINDS
};

struct vgt_vgpu_info {
	uint32_t id, domid;
	char type[VGT_TYPE_NAME_MAX];
	struct vgt_range low, high;
	uint32_t fences;
	uint32_t host_fence[32];
	uint32_t weight;
	bool failsafe;
	uint64_t mmio_reads, mmio_writes, cfg_accesses, gtt_writes;
	uint64_t unlisted_regs;   /* accesses to registers the table does not list */
	/* Its scratch page: what its invalid GTT entries and untouched slices map on the host. */
	uint64_t scratch_maddr;
	uint64_t workloads_submitted, workloads_completed;
	uint64_t engine_ns[4];    /* time its workloads held each engine */
	uint64_t irqs_injected, vblanks;
	uint64_t guest_errors;
	uint64_t errors_by_kind[VGT_GERR_KINDS];
	char first_error[VGT_ERRMSG_MAX];
};
void vgt_vgpu_get_info(struct vgt_vgpu *vgpu, struct vgt_vgpu_info *info);
const char *vgt_guest_error_name(enum vgt_guest_error_kind kind);

/* ---- Tracing ------------------------------------------------------------------- */

/*
 * Records every trapped access and mediator event as xentrace-format
 * records (event ids in xen/trace/vgt_trace_events.h) into @path, the
 * device clock as TSC; @flags go into the first record (VGT_TRC_F_*).
 * -EBUSY if a trace is already being written.
 */
int vgt_host_trace_start(struct vgt_host *host, const char *path, uint32_t flags,
			 struct vgt_error *err);
/* Receives every record instead of a file (replay, tests); NULL stops. */
typedef void vgt_trace_sink_fn(void *opaque, uint32_t event, uint64_t tsc, const uint32_t *extra,
			       unsigned n);
int vgt_host_trace_sink(struct vgt_host *host, vgt_trace_sink_fn *fn, void *opaque);
/* Stops recording; returns the first write error the trace met. */
int vgt_host_trace_stop(struct vgt_host *host);
bool vgt_host_tracing(struct vgt_host *host);
/* A record from outside the core (a transport's guest RAM writes, device steps). */
void vgt_host_trace(struct vgt_host *host, uint32_t event, const uint32_t *extra, unsigned n);
/* Memory contents (VGT_TRC_RAM_WRITE and the like) of domain @domid, 16 bytes a record. */
void vgt_host_trace_data(struct vgt_host *host, uint32_t event, uint32_t domid, uint64_t addr,
			 const void *buf, size_t len);
/* Records VGT_TRC_DIGEST records for every vGPU (see vgt_vgpu_digest). */
void vgt_host_trace_digests(struct vgt_host *host);

/* What a replay compares: hashes of a vGPU's state. */
struct vgt_vgpu_digest {
	uint64_t vregs;       /* virtual register file */
	uint64_t gtt;         /* the guest's GTT view */
	uint64_t shadow;      /* every shadow workload built so far */
	uint64_t screen;      /* pipe A as decoded, 0 when it shows nothing */
	uint64_t errors;      /* guest-error counters */
};
void vgt_vgpu_digest(struct vgt_vgpu *vgpu, struct vgt_vgpu_digest *d);

/* The register table's name for a BAR0 register offset, or NULL. */
const char *vgt_reg_name(uint32_t offset);

#ifdef __cplusplus
}
#endif

#endif /* VGT_VGT_H */

/* SPDX-License-Identifier: MIT */
/* libvgt internals shared by the core's files; not part of the public API. */
#ifndef VGT_CORE_PRIVATE_H
#define VGT_CORE_PRIVATE_H

#include <pthread.h>
#include <stdarg.h>

#include "vgt/vgt.h"
#include "hsw/hsw_regs.h"
#include "vgt_trace_events.h"

#define VGT_PAGE_SIZE      4096u
#define VGT_CFG_SIZE       256u
#define VGT_MMIO_DWORDS    (HSW_MMIO_SIZE / 4u)
#define VGT_MAX_TYPES      32u
#define VGT_MAX_FENCES     HSW_NUM_FENCES
#define VGT_FENCE_HOST     0xFFFFFFFFu   /* fence owner: the mediator */
#define VGT_FENCE_FREE     0u

/* Host invariants: checked in release builds too. */
#define VGT_BUG_ON(cond) \
	do { if (cond) vgt_bug(__FILE__, __LINE__, #cond); } while (0)
_Noreturn void vgt_bug(const char *file, int line, const char *what);

/* ---- The register table ---------------------------------------------------- */

enum vgt_gen { VGT_GEN_HSW = 1u << 0 };

enum vgt_reg_flags {
	VGT_REG_MASKED = 1u << 0,       /* bits 31:16 enable writes to 15:0 */
	VGT_REG_GM_ADDR = 1u << 1,      /* holds a graphics address */
	VGT_REG_CMD_ACCESS = 1u << 2,   /* commands may write it (LRI, LRM) */
	VGT_REG_CTX = 1u << 3,          /* saved and restored with the context */
	VGT_REG_HW_READ = 1u << 4,      /* reads return the physical register */
};

struct vgt_vgpu;
typedef uint32_t vgt_mmio_read_fn(struct vgt_vgpu *vgpu, uint32_t off);
/*
 * Called with the value the masks allow (@val) and the previous one; the
 * hook stores what it accepts (vgt_vreg_set) and may refuse.
 */
typedef void vgt_mmio_write_fn(struct vgt_vgpu *vgpu, uint32_t off, uint32_t old, uint32_t val);

struct vgt_mmio_desc {
	uint32_t offset;
	uint32_t size;          /* bytes covered; more than 4 for a block */
	uint32_t gens;
	uint32_t flags;
	uint32_t reset;
	uint32_t ro_mask;       /* bits the guest cannot change */
	uint32_t w1c_mask;      /* bits the guest clears by writing 1 */
	const char *name;
	vgt_mmio_read_fn *read;
	vgt_mmio_write_fn *write;
};

extern const struct vgt_mmio_desc vgt_mmio_hsw[];
extern const size_t vgt_mmio_hsw_count;

/* ---- Engines, commands, workloads ------------------------------------------- */

enum vgt_engine_id { VGT_RCS, VGT_VCS, VGT_BCS, VGT_VECS, VGT_NUM_ENGINES };

enum vgt_cmd_group {
	VGT_CMDS_MI = 1u << 0,
	VGT_CMDS_RENDER = 1u << 1,      /* PIPE_CONTROL */
	VGT_CMDS_FLUSH_DW = 1u << 2,    /* MI_FLUSH_DW: the copy engines */
	VGT_CMDS_BLT = 1u << 3,
};

struct vgt_engine_desc {
	const char *name;
	uint32_t base, hws_pga, fault_reg, gdrst_bit;
	uint32_t user_irq;              /* bit in GT (or, for VECS, PM) IIR */
	uint32_t error_irq;             /* its command-error bit there */
	bool pm_block;
	uint32_t cmd_groups;
};
extern const struct vgt_engine_desc vgt_hsw_engines[VGT_NUM_ENGINES];

/* Registers saved and restored per vGPU when an engine changes hands. */
struct vgt_ctx_reg {
	uint32_t offset;
	bool masked;
};
struct vgt_ctx_list {
	const struct vgt_ctx_reg *regs;
	unsigned count;
};
extern const struct vgt_ctx_list vgt_hsw_ctx[VGT_NUM_ENGINES];

/* A relocation: dword @pos of the ring or batch image gets shadow base + @target. */
struct vgt_reloc {
	uint32_t pos;
	uint32_t target;                /* byte offset in the batch image */
	bool in_ring;
};

/* One audited submission, copied out of guest memory. */
struct vgt_workload {
	struct vgt_workload *next;
	struct vgt_vgpu *vgpu;
	unsigned engine;
	uint32_t *ring;                 /* the ring commands */
	uint32_t ring_dw;
	uint32_t *batch;                /* every batch buffer it reaches, shadowed */
	uint32_t batch_dw;
	struct vgt_reloc *relocs;
	unsigned nrelocs;
	uint32_t guest_tail;            /* the guest's HEAD once it is done */
	uint32_t phys_bytes;            /* what it occupies of the physical ring */
	uint32_t hwsp;                  /* the guest's status page, checked */
	bool last;                      /* the last piece of its submission */
	unsigned user_irqs;
	uint32_t notify_irqs;           /* PIPE_CONTROL / MI_FLUSH_DW notify bits it raises */
	uint64_t seqno;
	uint64_t start_ns;
	uint64_t queued_ns;             /* when it was queued, for the delay figure */
};

void vgt_workload_free(struct vgt_workload *w);

/*
 * cmd_parser.c: audits [head, tail) of the guest ring and copies it into
 * one workload, or a list (linked by ->next) of pieces of a long one.
 */
int vgt_scan_submission(struct vgt_vgpu *vgpu, unsigned engine, uint32_t head, uint32_t tail,
			struct vgt_workload **out, char *why, size_t whylen);

/* ---- Host ------------------------------------------------------------------ */

/*
 * The scratch page lies at this offset of the mediator's machine memory, in
 * the gap scheduler.c's layout leaves between its status pages (a page per
 * engine from 0) and its rings (from 1 MiB).
 */
#define VGT_SCRATCH_OFF    0xFF000u
/*
 * Each vGPU slot has a scratch page of its own below the host's: what its
 * cleared entries and fresh slices map.  One page shared by all would let
 * a guest write through an entry it cleared and another read it back
 * through one of its own.
 */
#define VGT_VGPU_SCRATCH_OFF(slot) (VGT_SCRATCH_OFF - (VGT_MAX_VGPUS - (uint32_t)(slot)) * VGT_PAGE_SIZE)
_Static_assert(VGT_SCRATCH_OFF - VGT_MAX_VGPUS * VGT_PAGE_SIZE >= 16u * VGT_PAGE_SIZE,
	       "the vGPUs' scratch pages stay clear of the status pages");

struct vgt_phys_engine {
	uint32_t ring_gm, batch_gm, seqno_gm;   /* in the host's slice */
	uint64_t ring_maddr, batch_maddr, seqno_maddr;
	uint32_t tail;
	uint64_t next_seqno;
	/* Dispatched and not yet complete, oldest first; all the owner's. */
	struct vgt_workload *running, *running_tail;
	unsigned inflight;
	uint32_t inflight_bytes;                /* of the physical ring */
	bool exclusive;                         /* a workload that needs the whole pool */
	unsigned queued;                        /* workloads waiting, all vGPUs */
	struct vgt_vgpu *owner;                 /* whose context is loaded */
	uint32_t hwsp;                          /* status page loaded with it */
	uint64_t slice_start_ns;
	uint64_t busy_ns;
	uint64_t switches;
	uint64_t resets;
};

struct vgt_host {
	pthread_mutex_t lock;
	const struct vgt_hw_ops *hw;
	void *hw_handle;
	struct vgt_hw_info hwinfo;

	struct vgt_range low, high;             /* all of low and high GM */
	struct vgt_range host_low, host_high;   /* the mediator's own slice */
	uint32_t fence_owner[VGT_MAX_FENCES];   /* VGT_FENCE_FREE, _HOST or vGPU id */
	uint32_t host_fences;

	struct vgt_type types[VGT_MAX_TYPES];
	unsigned ntypes;

	struct vgt_vgpu *vgpu[VGT_MAX_VGPUS];
	uint32_t next_id;

	const struct vgt_mmio_desc *mmio;
	size_t nmmio;
	uint16_t *mmio_index;                   /* register dword -> entry + 1 */

	vgt_log_fn *log;
	void *log_opaque;
	uint32_t debug_mask;

	uint64_t mem_base, mem_size;            /* machine memory of the mediator */
	/* What every unused host GTT entry maps (as i915 does), not machine page 0. */
	uint64_t scratch_maddr;
	uint32_t scratch_pte;
	struct vgt_phys_engine eng[VGT_NUM_ENGINES];
	/* service thread, woken by device interrupts */
	pthread_mutex_t service_lock;
	pthread_cond_t service_cond;
	pthread_t service;
	bool service_running, service_stop, irq_pending;

	uint64_t max_sched_delay_ns;
	struct vgt_vgpu *foreground;            /* whose display the physical pipes show */
	/* Tracing: a file writer or a sink; the flag is read without the lock. */
	pthread_mutex_t trace_lock;
	bool tracing;
	struct vgt_trace_writer *trace_file;
	vgt_trace_sink_fn *trace_sink;
	void *trace_sink_opaque;
	int trace_error;
	uint64_t slice_ns;                      /* scheduling tick */
	uint64_t hang_ns;
	uint64_t now_ns;
};

void vgt_log(struct vgt_host *host, enum vgt_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define vgt_dbg(host, area, ...) \
	do { if ((host)->debug_mask & (area)) vgt_log((host), VGT_LOG_DEBUG, __VA_ARGS__); } while (0)
void vgt_seterr(struct vgt_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* partition.c: graphics memory and fences; host lock held. */
int vgt_part_alloc(struct vgt_host *host, const struct vgt_range *space, uint64_t size,
		   struct vgt_range *out);
/* How many slices of @size the free gaps of @space hold (slices are contiguous). */
uint64_t vgt_part_count_fit(struct vgt_host *host, const struct vgt_range *space, uint64_t size);
uint64_t vgt_part_free_bytes(struct vgt_host *host, const struct vgt_range *space,
			     uint64_t *largest);
uint32_t vgt_fences_free(const struct vgt_host *host);
int vgt_fences_alloc(struct vgt_host *host, uint32_t owner, uint32_t n, uint32_t *idx);
void vgt_fences_release(struct vgt_host *host, uint32_t owner);

/* mmio.c */
int vgt_mmio_index_build(struct vgt_host *host);
void vgt_ctx_mark_dirty(struct vgt_vgpu *vgpu, uint32_t off);
const struct vgt_mmio_desc *vgt_mmio_lookup(const struct vgt_host *host, uint32_t off);

/* ---- vGPU ------------------------------------------------------------------ */

/*
 * Log lines a guest causes go through a token bucket per vGPU and class:
 * at most VGT_GLOG_BURST lines per VGT_GLOG_INTERVAL_NS of device time,
 * then one line saying how many were dropped.  A guest can repeat a fault
 * and a reset forever; the journal must not grow with it.  The counters
 * (stats) still count every event.
 */
#define VGT_GLOG_BURST        10u
#define VGT_GLOG_INTERVAL_NS  5000000000ull
enum vgt_glog_class { VGT_GLOG_WARN, VGT_GLOG_DEBUG, VGT_GLOG_CLASSES };
struct vgt_ratelimit {
	uint64_t window_ns;                     /* when the current interval began */
	uint32_t left;                          /* lines left in it */
	uint64_t suppressed;                    /* dropped since the last line logged */
};

struct vgt_vgpu {
	struct vgt_host *host;
	uint32_t id, domid;
	char type[VGT_TYPE_NAME_MAX];
	struct vgt_range low, high;
	uint32_t nfences;
	uint32_t host_fence[VGT_MAX_FENCES];
	uint32_t weight;
	const struct vgt_transport_ops *ops;
	void *opaque;

	uint8_t cfg[VGT_CFG_SIZE];
	uint64_t bar_size[6];
	uint32_t *vreg;                         /* virtual register file, 2 MiB */
	uint32_t *vgtt;                         /* the guest's view of the GGTT */
	uint32_t scratch_pte;                   /* its own scratch page (VGT_VGPU_SCRATCH_OFF) */
	uint32_t io_index;                      /* BAR4 MMIO_INDEX */

	/* Per engine: where the next scan starts, queued work, fair-share clock. */
	uint32_t scan_head[VGT_NUM_ENGINES];
	struct vgt_workload *queue[VGT_NUM_ENGINES];
	/* Taken and not yet complete (queued or running): bounded per engine. */
	uint32_t outstanding[VGT_NUM_ENGINES];
	uint64_t outstanding_dw[VGT_NUM_ENGINES];
	uint64_t vtime[VGT_NUM_ENGINES];
	bool ctx_dirty[VGT_NUM_ENGINES];        /* guest wrote a context register since loaded */
	uint64_t next_vblank_ns;
	bool irq_line;

	bool failsafe;
	uint64_t shadow_hash;                   /* of every shadow workload built */
	uint32_t logged_kinds;                  /* guest-error kinds logged since the last reset */
	uint32_t logged_unlisted;               /* unlisted-register notes so far */
	/* What it may still make the host log; a reset leaves it alone. */
	struct vgt_ratelimit glog[VGT_GLOG_CLASSES];
	struct vgt_vgpu_info stats;
};

static inline uint32_t vgt_vreg(const struct vgt_vgpu *v, uint32_t off)
{
	return v->vreg[off >> 2];
}

static inline void vgt_vreg_set(struct vgt_vgpu *v, uint32_t off, uint32_t val)
{
	v->vreg[off >> 2] = val;
}

void vgt_guest_error(struct vgt_vgpu *vgpu, enum vgt_guest_error_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A line the guest caused, rate-limited per vGPU (debug lines apart from the rest). */
void vgt_guest_log(struct vgt_vgpu *vgpu, enum vgt_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define vgt_guest_dbg(vgpu, area, ...) \
	do { if ((vgpu)->host->debug_mask & (area)) vgt_guest_log((vgpu), VGT_LOG_DEBUG, __VA_ARGS__); } while (0)
/* vgpu.c: starts its buckets full; says what they dropped when it goes. */
void vgt_guest_log_init(struct vgt_vgpu *vgpu);
void vgt_guest_log_flush(struct vgt_vgpu *vgpu);

/* trace.c: records when tracing is on (a relaxed flag check otherwise). */
struct vgt_trace_writer;
void vgt_trace_emit(struct vgt_host *host, uint32_t event, const uint32_t *extra, unsigned n);
static inline bool vgt_tracing(const struct vgt_host *host)
{
	return __atomic_load_n(&host->tracing, __ATOMIC_RELAXED);
}
/* An event about @vgpu: its domain id, then up to six words. */
void vgt_trace_vgpu(struct vgt_vgpu *vgpu, uint32_t event, unsigned n, uint32_t a, uint32_t b,
		    uint32_t c, uint32_t d);
/* Guest memory contents (VGT_TRC_GMEM_READ and the like), 16 bytes a record. */
void vgt_trace_data(struct vgt_vgpu *vgpu, uint32_t event, uint64_t addr, const void *buf,
		    size_t len);

/* cfg.c */
void vgt_cfg_init(struct vgt_vgpu *vgpu);
uint32_t vgt_cfg_get(const struct vgt_vgpu *vgpu, uint32_t off, unsigned size);
int vgt_cfg_read(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t *val);
int vgt_cfg_write(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint32_t val);
/* The programmed MSI message, if MSI and bus mastering are enabled. */
bool vgt_cfg_msi(const struct vgt_vgpu *vgpu, uint64_t *addr, uint32_t *data);

/* vgpu.c */
void vgt_vgpu_reset_locked(struct vgt_vgpu *vgpu);

/* mmio.c */
void vgt_mmio_reset(struct vgt_vgpu *vgpu);
void vgt_mmio_read(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint64_t *val);
void vgt_mmio_write(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint64_t val);
uint32_t vgt_mmio_masked_merge(uint32_t old, uint32_t val, uint32_t ro_mask);

/* pvinfo.c */
void vgt_pvinfo_init(struct vgt_vgpu *vgpu);
vgt_mmio_write_fn vgt_pvinfo_write;

/* gtt.c */
void vgt_gtt_read(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint64_t *val);
void vgt_gtt_write(struct vgt_vgpu *vgpu, uint32_t off, unsigned size, uint64_t val);
void vgt_gtt_release(struct vgt_vgpu *vgpu);
/* Points every host entry of @r at @pte (a scratch page); host lock held or no vGPU yet. */
void vgt_gtt_fill(struct vgt_host *host, const struct vgt_range *r, uint32_t pte);
bool vgt_gm_owned(const struct vgt_vgpu *vgpu, uint64_t gm, uint64_t len);

/* scheduler.c (mechanism) and sched_policy.c (policy); host lock held. */
int vgt_sched_init(struct vgt_host *host, struct vgt_error *err);
void vgt_sched_fini(struct vgt_host *host);
void vgt_sched_queue(struct vgt_vgpu *vgpu, struct vgt_workload *w);
void vgt_sched_poll(struct vgt_host *host);
void vgt_sched_vgpu_gone(struct vgt_vgpu *vgpu);
void vgt_sched_drop_queued(struct vgt_vgpu *vgpu);
void vgt_sched_engine_reset(struct vgt_vgpu *vgpu, unsigned engine);
struct vgt_vgpu *vgt_policy_pick(struct vgt_host *host, unsigned engine);
void vgt_policy_charge(struct vgt_vgpu *vgpu, unsigned engine, uint64_t ns);
void vgt_policy_admit(struct vgt_host *host, struct vgt_vgpu *vgpu);
void vgt_policy_wake(struct vgt_host *host, struct vgt_vgpu *vgpu, unsigned engine);

/* submit.c: ring virtualization */
vgt_mmio_write_fn vgt_ring_tail_write;
vgt_mmio_write_fn vgt_ring_reset_write;
vgt_mmio_write_fn vgt_ring_mode_write;
void vgt_ring_resubmit(struct vgt_vgpu *vgpu, unsigned engine);
/* What one vGPU may have taken and not completed, per engine. */
#define VGT_MAX_OUTSTANDING     256u
#define VGT_MAX_OUTSTANDING_DW  (4u << 20)      /* 16 MiB of copied commands */
bool vgt_gm_read(struct vgt_vgpu *vgpu, uint64_t gm, void *buf, size_t len);
bool vgt_gm_read_traced(struct vgt_vgpu *vgpu, uint64_t gm, void *buf, size_t len);

/* virq.c: virtual interrupts and vblanks */
void vgt_virq_engine(struct vgt_vgpu *vgpu, unsigned engine, uint32_t bit);
void vgt_virq_cmd_error(struct vgt_vgpu *vgpu, unsigned engine, uint32_t header);
void vgt_virq_update(struct vgt_vgpu *vgpu);
void vgt_virq_vblank(struct vgt_vgpu *vgpu, uint64_t now_ns);
vgt_mmio_write_fn vgt_virq_reg_write;

/* display.c, foreground.c */
int vgt_display_check(struct vgt_vgpu *vgpu, unsigned pipe, struct vgt_error *err);
void vgt_foreground_sync(struct vgt_host *host);

/* fence.c */
vgt_mmio_write_fn vgt_fence_write;
void vgt_fence_release(struct vgt_vgpu *vgpu);

/* aperture.c */
void vgt_aperture_access(struct vgt_vgpu *vgpu, uint64_t off, unsigned size, uint64_t *val,
			 bool write);

#endif /* VGT_CORE_PRIVATE_H */

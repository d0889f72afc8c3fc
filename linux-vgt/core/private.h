/* SPDX-License-Identifier: MIT */
/* libvgt internals shared by the core's files; not part of the public API. */
#ifndef VGT_CORE_PRIVATE_H
#define VGT_CORE_PRIVATE_H

#include <pthread.h>
#include <stdarg.h>

#include "vgt/vgt.h"
#include "hsw/hsw_regs.h"

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

/* ---- Host ------------------------------------------------------------------ */

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
const struct vgt_mmio_desc *vgt_mmio_lookup(const struct vgt_host *host, uint32_t off);

/* ---- vGPU ------------------------------------------------------------------ */

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
	uint32_t io_index;                      /* BAR4 MMIO_INDEX */

	bool failsafe;
	uint32_t logged_kinds;                  /* guest-error kinds already logged */
	uint32_t logged_unlisted;               /* unlisted-register notes so far */
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
bool vgt_gm_owned(const struct vgt_vgpu *vgpu, uint64_t gm, uint64_t len);

/* fence.c */
vgt_mmio_write_fn vgt_fence_write;
void vgt_fence_release(struct vgt_vgpu *vgpu);

/* aperture.c */
void vgt_aperture_access(struct vgt_vgpu *vgpu, uint64_t off, unsigned size, uint64_t *val,
			 bool write);

#endif /* VGT_CORE_PRIVATE_H */

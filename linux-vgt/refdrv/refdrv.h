/* SPDX-License-Identifier: MIT */
/*
 * refdrv: the reference guest driver.
 *
 * A small i915-like driver for the Haswell GPU, in freestanding C (no libc,
 * no allocation): the same code drives gensim directly ("native"), a vGPU
 * through the mediator ("mediated"), and is linked into bare-metal test
 * guests.  Everything it knows about its surroundings comes through a
 * struct refdrv_platform.
 *
 * It probes the PCI function and sizes and places its BARs, reads PVINFO
 * when a mediator provides one and then keeps to the graphics memory and
 * fences it was given, writes GGTT entries for its own RAM, writes through
 * the aperture, builds batch buffers, submits on the render and blitter
 * rings, waits for completion through the status page and interrupts, and
 * programs a display plane.
 *
 * Functions return 0 or a negative errno value; refdrv_strerror() names
 * the step that failed.
 */
#ifndef REFDRV_H
#define REFDRV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REFDRV_EIO        5
#define REFDRV_ENOMEM     12
#define REFDRV_EFAULT     14
#define REFDRV_ENODEV     19
#define REFDRV_EINVAL     22
#define REFDRV_ENOSPC     28
#define REFDRV_ETIMEDOUT  110

struct refdrv_platform {
	void *ctx;
	int (*cfg_read)(void *ctx, uint32_t off, unsigned size, uint32_t *val);
	int (*cfg_write)(void *ctx, uint32_t off, unsigned size, uint32_t val);
	/* 32-bit MMIO at a physical address (inside BAR0 once placed). */
	uint32_t (*mmio_read32)(void *ctx, uint64_t addr);
	void (*mmio_write32)(void *ctx, uint64_t addr, uint32_t val);
	/* CPU copies to and from physical memory: the driver's RAM and BAR2. */
	int (*mem_read)(void *ctx, uint64_t addr, void *buf, size_t len);
	int (*mem_write)(void *ctx, uint64_t addr, const void *buf, size_t len);
	/* Returns the number of interrupts delivered so far. */
	uint64_t (*irq_count)(void *ctx);
	/* Blocks until the device may have made progress (or briefly). */
	void (*wait)(void *ctx);

	uint64_t ram_base, ram_size;   /* RAM the driver may give to the GPU */
	uint64_t bar_window;           /* where BARs may be placed, 4 MiB aligned */
	/*
	 * An operating system has placed the BARs already (the driver runs
	 * under it, e.g. in Linux user space through sysfs): they are used
	 * where they are and bar_window is ignored.
	 */
	bool bars_placed;
	/* 0: no interrupts reach the driver; it polls. */
	uint64_t msi_addr;
	uint32_t msi_data;
	uint32_t wait_limit;           /* wait() calls before giving up; 0 = default */
};

enum refdrv_engine { REFDRV_RCS = 0, REFDRV_BCS, REFDRV_NUM_ENGINES };

/* A GPU buffer: contiguous RAM pages mapped at a graphics address. */
struct refdrv_bo {
	uint64_t ram;      /* physical address of its backing RAM */
	uint32_t gm;       /* graphics address */
	uint32_t size;     /* bytes, page multiple */
	bool mappable;     /* inside the aperture */
};

struct refdrv_ring {
	struct refdrv_bo ring;
	struct refdrv_bo hwsp;
	uint32_t base;     /* MMIO base of the engine */
	uint32_t tail;
	uint32_t next_seqno;
};

struct refdrv_range {
	uint32_t base, size, next;
};

struct refdrv {
	const struct refdrv_platform *plat;
	uint16_t device_id;
	uint64_t bar0, bar2;
	uint32_t bar4;
	uint64_t bar0_size, bar2_size;
	uint32_t bar4_size;

	bool vgpu;                 /* PVINFO found */
	uint32_t vgpu_id;
	struct refdrv_range low;   /* mappable graphics memory it may use */
	struct refdrv_range high;  /* non-mappable graphics memory */
	uint32_t fences;
	uint64_t ram_next;

	struct refdrv_ring ring[REFDRV_NUM_ENGINES];
	uint64_t irqs_seen;
	uint64_t user_irqs[REFDRV_NUM_ENGINES];
	uint64_t vblank_irqs;
	uint64_t waits;
	const char *err;           /* what failed last */
};

/* A batch is built in place, then copied into its buffer object. */
#define REFDRV_BATCH_MAX_DWORDS 2048u
struct refdrv_batch {
	uint32_t dw[REFDRV_BATCH_MAX_DWORDS];
	uint32_t len;
	bool overflow;
};

int refdrv_probe(struct refdrv *d, const struct refdrv_platform *plat);
int refdrv_init(struct refdrv *d);
const char *refdrv_strerror(const struct refdrv *d);

uint32_t refdrv_read(struct refdrv *d, uint32_t reg);
void refdrv_write(struct refdrv *d, uint32_t reg, uint32_t val);

int refdrv_bo_alloc(struct refdrv *d, uint32_t size, bool mappable, struct refdrv_bo *bo);
int refdrv_bo_write(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
		    const void *buf, uint32_t len);
int refdrv_bo_read(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
		   void *buf, uint32_t len);
/* CPU write through the aperture (the buffer must be mappable). */
int refdrv_aperture_write(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
			  const void *buf, uint32_t len);
int refdrv_aperture_read(struct refdrv *d, const struct refdrv_bo *bo, uint32_t off,
			 void *buf, uint32_t len);

void refdrv_batch_init(struct refdrv_batch *b);
void refdrv_emit(struct refdrv_batch *b, uint32_t dw);
/* Appends MI_BATCH_BUFFER_END and copies the batch into @bo. */
int refdrv_batch_finish(struct refdrv *d, struct refdrv_batch *b, const struct refdrv_bo *bo);

/* Runs @batch on @e; returns the seqno that marks its completion. */
int refdrv_submit(struct refdrv *d, enum refdrv_engine e, const struct refdrv_bo *batch,
		  uint32_t *seqno);
int refdrv_wait_seqno(struct refdrv *d, enum refdrv_engine e, uint32_t seqno);
uint32_t refdrv_completed_seqno(struct refdrv *d, enum refdrv_engine e);

/* Display: XRGB8888 (HSW format BGRX888) or RGB565 scanout of @fb on @pipe. */
int refdrv_display_set(struct refdrv *d, unsigned pipe, const struct refdrv_bo *fb,
		       uint32_t width, uint32_t height, uint32_t stride, unsigned hsw_format);
int refdrv_wait_vblank(struct refdrv *d, unsigned pipe);

/* ---- Workloads (refdrv_workloads.c) ------------------------------------ */
struct refdrv_scene {
	struct refdrv_bo fb, sprite, batch[2];
	uint32_t width, height, stride;
	/*
	 * Whose frame it is: the vGPU id from PVINFO (0 natively).  It tints the
	 * palette and is drawn as digits in the top-left corner, so a screen
	 * shown for the wrong vGPU, or two vGPUs sharing memory, cannot match.
	 */
	uint32_t identity;
	unsigned cur;              /* batch buffer in use */
};
#define REFDRV_SPRITE_SIZE 64u

int refdrv_scene_init(struct refdrv *d, struct refdrv_scene *s, uint32_t width, uint32_t height);
/*
 * What every demo-like guest does first: probe and initialise the device,
 * set up a scene of @width x @height and show it on pipe A (XRGB8888).
 */
int refdrv_scene_start(struct refdrv *d, const struct refdrv_platform *plat,
		       struct refdrv_scene *s, uint32_t width, uint32_t height);
/* Draws animation frame @frame with the blitter and waits for it. */
int refdrv_scene_draw(struct refdrv *d, struct refdrv_scene *s, uint32_t frame);
/* What frame @frame of the scene of @identity must look like, computed on the CPU, XRGB8888. */
void refdrv_scene_expected(uint32_t frame, uint32_t identity, uint32_t width, uint32_t height,
			   uint32_t *pixels);

/*
 * Runs @batches render-ring batches (built in @batch, 8 KiB) of @per_batch
 * (at most REFDRV_STORES_MAX) MI_STORE_DATA_IMM each into @buf and checks every value; returns the number of wrong values or
 * a negative errno.
 */
#define REFDRV_STORES_MAX ((REFDRV_BATCH_MAX_DWORDS - 2u) / 4u)
long refdrv_store_stream(struct refdrv *d, const struct refdrv_bo *batch,
			 const struct refdrv_bo *buf, uint32_t batches, uint32_t per_batch);

#endif /* REFDRV_H */

/* SPDX-License-Identifier: MIT */
/*
 * gensim: a software Haswell GT2 GPU (PCI 8086:0412).
 *
 * gensim is vgt's embedded hardware backend.  It models the device at the
 * register and command level: PCI config space with BAR sizing, the 2 MiB
 * register file and the 2 MiB GGTT in BAR0, the aperture in BAR2, the
 * MMIO_INDEX/MMIO_DATA ports in BAR4, 32 fences, four engines with Gen7
 * ring buffers that really execute commands, GT and display interrupts and
 * three display pipes with a scanout reader.
 *
 * All GPU memory accesses go through the GGTT into the machine memory that
 * gensim owns; the CPU side reaches that memory at physical address 0.
 *
 * Threading: every entry point takes the device lock, so gensim may be used
 * from several threads.  By default it only runs when its caller steps it
 * (gensim_run(), gensim_advance_time()), which makes tests deterministic; a
 * worker thread (gensim_start_worker()) makes it run by itself instead.
 *
 * Errors are negative errno values.
 */
#ifndef GENSIM_H
#define GENSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct gensim;

enum gensim_engine_id {
	GENSIM_RCS = 0,
	GENSIM_VCS,
	GENSIM_BCS,
	GENSIM_VECS,
	GENSIM_NUM_ENGINES
};

/*
 * Interrupt delivery.  Called, with the device lock held, when the device's
 * interrupt condition rises.  With MSI enabled in config space @msi is true
 * and @addr/@data are the programmed message (sent only while bus mastering
 * is on); with MSI disabled it is a legacy INTx assertion (unless INTx is
 * disabled).  The callback must not call into gensim.
 */
typedef void gensim_irq_fn(void *opaque, bool msi, uint64_t addr, uint32_t data);

struct gensim_config {
	uint64_t memory_size;    /* machine memory, bytes, multiple of 4 KiB */
	uint64_t aperture_size;  /* BAR2, power of two, 64..512 MiB */
	gensim_irq_fn *irq;      /* may be NULL */
	void *irq_opaque;
};

/* Replaces the interrupt handler given at creation (NULL: none). */
void gensim_set_irq_handler(struct gensim *gs, gensim_irq_fn *fn, void *opaque);

/* Fills in the defaults: 256 MiB of memory, 512 MiB of aperture. */
void gensim_config_init(struct gensim_config *cfg);

int gensim_create(const struct gensim_config *cfg, struct gensim **out);
void gensim_destroy(struct gensim *gs);

/* ---- PCI function 00:02.0 ------------------------------------------------ */
/* Config space is 256 bytes; @size is 1, 2 or 4 and naturally aligned. */
int gensim_cfg_read(struct gensim *gs, uint32_t off, unsigned size, uint32_t *val);
int gensim_cfg_write(struct gensim *gs, uint32_t off, unsigned size, uint32_t val);

/*
 * BAR-relative accesses, independent of where the BARs are placed.
 * BAR0: registers in [0, 2 MiB), GGTT PTEs in [2 MiB, 4 MiB).  @size is 1, 2,
 * 4 or 8 and naturally aligned; anything else is refused with -EINVAL.
 */
int gensim_mmio_read(struct gensim *gs, uint32_t off, unsigned size, uint64_t *val);
int gensim_mmio_write(struct gensim *gs, uint32_t off, unsigned size, uint64_t val);
/* BAR2: CPU access to graphics memory through the GGTT and the fences. */
int gensim_aperture_read(struct gensim *gs, uint64_t off, void *buf, size_t len);
int gensim_aperture_write(struct gensim *gs, uint64_t off, const void *buf, size_t len);
/* BAR4: MMIO_INDEX (+0) and MMIO_DATA (+4), 32-bit accesses. */
int gensim_pio_read(struct gensim *gs, uint32_t off, unsigned size, uint32_t *val);
int gensim_pio_write(struct gensim *gs, uint32_t off, unsigned size, uint32_t val);

/*
 * Physical-address view of the machine: memory at [0, memory_size) and the
 * device's memory BARs where config space places them (while memory
 * decoding is enabled).  Unclaimed addresses read as all ones.
 */
int gensim_bus_read(struct gensim *gs, uint64_t addr, unsigned size, uint64_t *val);
int gensim_bus_write(struct gensim *gs, uint64_t addr, unsigned size, uint64_t val);

/* ---- Machine memory (what the GGTT points at) ---------------------------- */
uint64_t gensim_memory_size(const struct gensim *gs);
uint64_t gensim_aperture_size(const struct gensim *gs);
int gensim_mem_read(struct gensim *gs, uint64_t pa, void *buf, size_t len);
int gensim_mem_write(struct gensim *gs, uint64_t pa, const void *buf, size_t len);
/* Direct host view of machine memory, for DMA-style users; NULL if out of range. */
void *gensim_mem_ptr(struct gensim *gs, uint64_t pa, size_t len);

/*
 * Machine memory beyond the device's own (at or above its memory size):
 * DMA there goes through @fn, one page at most per call, with gensim's
 * lock held.  A transport whose guests' RAM lives elsewhere (a Xen
 * domain's frames mapped by the mediator) lends it to the device this way.
 * @fn returns 0 or -EFAULT; NULL removes it.
 */
typedef int gensim_ext_mem_fn(void *opaque, uint64_t pa, void *buf, size_t len, bool write);
void gensim_set_external_memory(struct gensim *gs, gensim_ext_mem_fn *fn, void *opaque);

/* Host-side GGTT access (what a mediator's "host GTT write" turns into). */
uint32_t gensim_gtt_entries(const struct gensim *gs);
int gensim_gtt_read(struct gensim *gs, uint32_t index, uint32_t *pte);
int gensim_gtt_write(struct gensim *gs, uint32_t index, uint32_t pte);
/* Copies all gensim_gtt_entries() PTEs into @out at once (for checkers). */
void gensim_gtt_snapshot(struct gensim *gs, uint32_t *out);

/* ---- Execution ------------------------------------------------------------ */
/*
 * Executes up to @max_cmds commands, sharing them round-robin among the
 * engines that have work.  Returns the number executed (0 when idle).
 * Not allowed while the worker thread runs (-EBUSY).
 */
int64_t gensim_run(struct gensim *gs, uint64_t max_cmds);
/* Runs until every engine is idle or halted, or @max_cmds were executed. */
int64_t gensim_run_until_idle(struct gensim *gs, uint64_t max_cmds);
/* True while some engine has commands it can execute. */
bool gensim_busy(struct gensim *gs);
/* Moves the device clock forward (vblanks, timestamps); -EBUSY with the worker. */
int gensim_advance_time(struct gensim *gs, uint64_t ns);
uint64_t gensim_now_ns(struct gensim *gs);
/* Time until the next vblank of an enabled pipe, or UINT64_MAX if none. */
uint64_t gensim_next_event_ns(struct gensim *gs);

int gensim_start_worker(struct gensim *gs);
void gensim_stop_worker(struct gensim *gs);

/* ---- Engine state, for tests and diagnostics ------------------------------ */
struct gensim_engine_state {
	bool enabled;        /* RING_CTL valid */
	bool halted;         /* stopped on an error until reset */
	bool idle;           /* nothing to execute */
	unsigned batch_level; /* 0 = ring, 1 = first-level, 2 = second-level */
	uint32_t acthd;
	uint32_t eir;
	uint32_t ipehr;
	uint64_t commands;
};
int gensim_engine_state(struct gensim *gs, enum gensim_engine_id id,
			struct gensim_engine_state *st);
const char *gensim_engine_name(enum gensim_engine_id id);

/* ---- Display ------------------------------------------------------------- */
struct gensim_image {
	uint32_t width, height;
	uint32_t *pixels;        /* XRGB8888, width * height, caller frees */
};
/*
 * Reads what pipe @pipe scans out (its latched plane registers) into @img.
 * -ENODEV: pipe disabled; -ENODATA: plane disabled; -ENOTSUP: pixel format
 * not supported; -EFAULT: surface not backed by valid GGTT entries;
 * -EINVAL: no such pipe, or an X-tiled stride that is not whole tiles.
 */
int gensim_scanout(struct gensim *gs, unsigned pipe, struct gensim_image *img);
void gensim_image_release(struct gensim_image *img);

/* ---- Counters -------------------------------------------------------------- */
struct gensim_stats {
	uint64_t commands;            /* all engines */
	uint64_t batches;             /* MI_BATCH_BUFFER_START executed */
	uint64_t blit_bytes;          /* bytes written by the blitter */
	uint64_t mmio_reads, mmio_writes;
	uint64_t unclaimed_mmio;      /* accesses to offsets that are not registers */
	uint64_t bad_access;          /* refused size/alignment */
	uint64_t gtt_faults;          /* non-present or beyond-GTT GPU accesses */
	uint64_t gtt_bad_address;     /* valid PTE pointing outside machine memory */
	uint64_t cmd_errors;          /* engines halted on a bad command */
	uint64_t interrupts;          /* interrupt deliveries (MSI or INTx) */
	uint64_t vblanks;
	uint64_t engine_resets;
};
void gensim_get_stats(struct gensim *gs, struct gensim_stats *st);

/* Name of the register at @off in gensim's HSW table, or NULL. */
const char *gensim_reg_name(uint32_t off);

#ifdef __cplusplus
}
#endif

#endif /* GENSIM_H */

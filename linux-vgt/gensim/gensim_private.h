/* SPDX-License-Identifier: MIT */
/* gensim internals shared by its files; not part of the public API. */
#ifndef GENSIM_PRIVATE_H
#define GENSIM_PRIVATE_H

#include <pthread.h>

#include "gensim.h"
#include "vgt/hw.h"
#include "hsw/hsw_regs.h"

#define GENSIM_PAGE_SIZE        4096u
#define GENSIM_CFG_SIZE         256u
#define GENSIM_NUM_REG_DWORDS   (HSW_MMIO_SIZE / 4u)
#define GENSIM_MAX_CMD_DWORDS   260u    /* longest command: 2D/3D length 255 + 2 */
#define GENSIM_MAX_BATCH_DEPTH  2u      /* first- and second-level batches */
#define GENSIM_VBLANK_NS        16666667ull  /* 60 Hz */
#define GENSIM_TIMESTAMP_NS     80ull   /* 12.5 MHz command-streamer timestamp */

/* Virtual cost of execution, so that time advances as work is done. */
#define GENSIM_CMD_COST_NS      20ull
#define GENSIM_BLT_BYTES_PER_NS 8ull

/* Default-off assertion for host invariants that stays on in release. */
#define GENSIM_BUG_ON(cond) \
	do { if (cond) gensim_bug(__FILE__, __LINE__, #cond); } while (0)
_Noreturn void gensim_bug(const char *file, int line, const char *what);

struct gensim;

/* Register descriptions: one static const table per generation. */
enum gensim_reg_flags {
	GENSIM_REG_MASKED = 1u << 0,    /* bits 31:16 enable writes to 15:0 */
};

typedef uint32_t gensim_reg_read_fn(struct gensim *gs, uint32_t off, uint32_t cur);
typedef void gensim_reg_write_fn(struct gensim *gs, uint32_t off,
				 uint32_t old, uint32_t val);

struct gensim_reg {
	uint32_t offset;
	const char *name;
	uint32_t reset;
	uint32_t rw_mask;       /* bits software may write */
	uint32_t w1c_mask;      /* bits cleared by writing 1 */
	uint32_t flags;
	gensim_reg_read_fn *read;    /* computes the value read, or NULL */
	gensim_reg_write_fn *write;  /* side effect after the stored value changed */
};

extern const struct gensim_reg gensim_hsw_regs[];
extern const size_t gensim_hsw_nregs;

/* Static description of an engine. */
struct gensim_engine_desc {
	const char *name;
	uint32_t base;
	uint32_t hws_pga;
	uint32_t fault_reg;
	uint32_t gdrst_bit;
	uint32_t user_irq;      /* bit in the GT (or PM) interrupt registers */
	uint32_t error_irq;
	uint32_t flush_notify_irq;  /* MI_FLUSH_DW notify, 0 if none */
	bool pm_block;          /* VECS reports in the PM block, not GT */
	uint32_t cmd_mask;      /* which command groups it accepts */
};

enum gensim_cmd_group {
	GENSIM_CMDS_MI = 1u << 0,
	GENSIM_CMDS_RENDER = 1u << 1,   /* PIPE_CONTROL */
	GENSIM_CMDS_FLUSH_DW = 1u << 2, /* MI_FLUSH_DW: not on RCS */
	GENSIM_CMDS_BLT = 1u << 3,
};

extern const struct gensim_engine_desc gensim_engines[GENSIM_NUM_ENGINES];

struct gensim_engine {
	enum gensim_engine_id id;
	const struct gensim_engine_desc *desc;
	bool halted;
	bool stalled;                           /* waiting for TAIL to move on */
	uint32_t stall_tail;
	unsigned level;                         /* 0 ring, 1, 2 */
	uint32_t bb_addr[GENSIM_MAX_BATCH_DEPTH + 1];  /* next fetch per level */
	uint32_t reset_gen;                     /* bumps on engine reset */
	uint64_t commands;
	uint32_t cmd[GENSIM_MAX_CMD_DWORDS];    /* command being executed */
};

struct gensim_plane_latch {
	uint32_t cntr, stride, offset, surf;
	bool armed;
};

struct gensim {
	pthread_mutex_t lock;
	struct gensim_config cfg;

	uint8_t *mem;
	uint64_t mem_size;
	gensim_ext_mem_fn *ext_mem;     /* machine memory above mem_size */
	void *ext_mem_opaque;

	uint8_t cfg_space[GENSIM_CFG_SIZE];
	uint32_t bar_size[6];                   /* 0 = no BAR at that slot */

	uint32_t *regs;                         /* GENSIM_NUM_REG_DWORDS */
	uint16_t *reg_index;                    /* dword -> table index + 1 */
	const struct gensim_reg *reg_table;
	size_t nregs;

	uint32_t *gtt;                          /* HSW_GTT_ENTRIES PTEs */
	uint32_t io_index;                      /* BAR4 MMIO_INDEX */

	struct gensim_engine engine[GENSIM_NUM_ENGINES];
	unsigned rr_next;

	struct gensim_plane_latch plane[HSW_NUM_PIPES];
	uint64_t now_ns;
	uint64_t next_vblank_ns;
	uint64_t exec_cost_ns;                  /* virtual time of the running quantum */
	bool irq_line;

	uint8_t *row_buf[2];                    /* blitter row scratch */
	size_t row_buf_size;

	struct gensim_stats stats;

	/* hardware-backend interrupt handler (gensim_hw.c) */
	vgt_hw_irq_fn *hw_irq;
	void *hw_irq_opaque;

	/* worker thread */
	pthread_t worker;
	pthread_cond_t kick;
	bool worker_running;
	bool worker_stop;
	uint64_t worker_epoch_ns;
};

/* gensim_regs_hsw.c */
int gensim_regs_init(struct gensim *gs);
void gensim_regs_fini(struct gensim *gs);
void gensim_regs_reset(struct gensim *gs);
int gensim_reg_read(struct gensim *gs, uint32_t off, uint32_t *val);
int gensim_reg_write(struct gensim *gs, uint32_t off, uint32_t val, uint32_t byte_mask);
static inline uint32_t gensim_reg_get(const struct gensim *gs, uint32_t off)
{
	return gs->regs[off >> 2];
}
static inline void gensim_reg_set(struct gensim *gs, uint32_t off, uint32_t val)
{
	gs->regs[off >> 2] = val;
}

/* gensim_gtt.c */
enum gensim_access { GENSIM_READ, GENSIM_WRITE };
/* Latches a GPU access fault at @gm in @eng's RING_FAULT_REG (if any) and counts it. */
void gensim_gm_fault(struct gensim *gs, struct gensim_engine *eng, uint64_t gm);
int gensim_gm_access(struct gensim *gs, struct gensim_engine *eng, uint64_t gm,
		     void *buf, size_t len, enum gensim_access dir);
int gensim_gtt_mmio_read(struct gensim *gs, uint32_t off, unsigned size, uint64_t *val);
int gensim_gtt_mmio_write(struct gensim *gs, uint32_t off, unsigned size, uint64_t val);
int gensim_aperture_access(struct gensim *gs, uint64_t off, void *buf, size_t len,
			   enum gensim_access dir);

/* gensim_cs.c */
void gensim_engine_reset(struct gensim *gs, struct gensim_engine *eng);
bool gensim_engine_runnable(struct gensim *gs, struct gensim_engine *eng);
uint64_t gensim_engine_exec(struct gensim *gs, struct gensim_engine *eng, uint64_t max);
uint32_t gensim_engine_acthd(struct gensim *gs, const struct gensim_engine *eng);
void gensim_engine_kick(struct gensim *gs);

/* gensim_blt.c */
int gensim_blt_color(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd);
int gensim_blt_src_copy(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd);
struct gensim_surface {
	uint64_t base;
	int64_t pitch;          /* bytes, may be negative */
	unsigned cpp;
	bool tiled;             /* X-tiled */
};
int gensim_surface_row(struct gensim *gs, struct gensim_engine *eng,
		       const struct gensim_surface *s, uint32_t x, uint32_t y,
		       void *buf, size_t len, enum gensim_access dir);

/* gensim_irq.c */
void gensim_irq_raise_gt(struct gensim *gs, uint32_t bits);
void gensim_irq_raise_pm(struct gensim *gs, uint32_t bits);
void gensim_irq_raise_de(struct gensim *gs, uint32_t bits);
void gensim_irq_engine(struct gensim *gs, const struct gensim_engine *eng, uint32_t bit);
void gensim_irq_update(struct gensim *gs);

/* gensim_display.c */
void gensim_display_reset(struct gensim *gs);
void gensim_display_advance(struct gensim *gs, uint64_t new_now);
uint32_t gensim_display_read_dsl(struct gensim *gs, uint32_t off, uint32_t cur);
void gensim_display_write_pipeconf(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val);
void gensim_display_write_dspsurf(struct gensim *gs, uint32_t off, uint32_t old, uint32_t val);

/* The device clock as the running command sees it: time already passed plus
 * the cost of the commands executed so far in this quantum. */
static inline uint64_t gensim_clock(const struct gensim *gs)
{
	return gs->now_ns + gs->exec_cost_ns;
}

/* gensim.c */
void gensim_advance_locked(struct gensim *gs, uint64_t ns);
bool gensim_msi_enabled(const struct gensim *gs);
bool gensim_msi_target(const struct gensim *gs, uint64_t *addr, uint32_t *data);
bool gensim_intx_enabled(const struct gensim *gs);

#endif /* GENSIM_PRIVATE_H */

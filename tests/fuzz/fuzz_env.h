/* SPDX-License-Identifier: MIT */
/*
 * The world every guest-facing fuzz target attacks: gensim and a libvgt
 * host with a victim domain and an attacker domain, made once per process.
 * An input describes the attacker's accesses; afterwards the invariants
 * that must hold whatever the attacker did are checked (a violation
 * aborts, so libFuzzer or the regression replay reports it), and the
 * attacker is put back as it was when it was created.
 *
 * Putting it back is cheap because only what the input could change is
 * undone: the attacker's vGPU goes through the core's own reset path
 * (vgt_vgpu_reset: engines, fences, registers, PVINFO, failsafe), and what
 * that path leaves alone by design is restored through the guest's own
 * interfaces: config space by config writes, GTT entries by GTT writes.
 * What the input could touch is known because the host runs on gensim
 * through a wrapper of its hardware operations: every host GTT entry the
 * mediator writes, and every machine page such an entry maps, is recorded.
 * The GPU reaches memory only through the GTT, and the CPU-side writes into
 * the attacker's RAM are the targets' own (the refdrv platform and the
 * ioreq transport here are wrapped too), so RAM is restored page by page.
 *
 * A target may ask for the attacker's reference driver to be up before
 * inputs (fz_setup_driver: rings started, a data buffer and a batch
 * buffer mapped): then that is the pristine state.  The reset path wipes
 * the registers the driver programmed, so the register writes it made are
 * recorded once and made again after each reset; GTT entries go back to
 * the driver's, RAM pages to their pristine contents.
 *
 * Checks are cheap for the same reason: only GTT entries written during the
 * input can differ from what they were; only the victim's pages that some
 * GTT entry ever mapped can have been written by the GPU (and the victim's
 * RAM is read-only besides: any write, by anyone, faults on the spot).  The
 * replay (and every FZ_THOROUGH_EVERY-th fuzz input) also checks the whole
 * world against the pristine one, which proves the tracking complete.
 *
 * Independence: with the attacker back to pristine and the clock brought to
 * the same phase of the attacker's vblank at the start of each input, an
 * input's effect does not depend on the inputs before it.  The one shared
 * thing that cannot go back is the device clock itself: an input that
 * stores the absolute time (TIMESTAMP) sees it run on.  The replay checks
 * independence: each input again, twice in a row, after all the others.
 */
#ifndef VGT_FUZZ_ENV_H
#define VGT_FUZZ_ENV_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gensim.h"
#include "gensim_hw.h"
#include "hsw/hsw_regs.h"
#include "inproc.h"
#include "vgt/vgt.h"

#define FZ_MEMORY       (40ull << 20)
#define FZ_VICTIM_RAM   (32ull << 20)
#define FZ_VICTIM_SIZE  (1ull << 20)
#define FZ_ATTACK_RAM   (34ull << 20)
#define FZ_ATTACK_SIZE  (2ull << 20)
#define FZ_PAGE         4096u
#define FZ_ATTACK_PAGES ((unsigned)(FZ_ATTACK_SIZE / FZ_PAGE))
#define FZ_VICTIM_PAGES ((unsigned)(FZ_VICTIM_SIZE / FZ_PAGE))
#define FZ_CFG_BYTES    256u            /* the config space the core emulates */
/* The mediator's virtual vblank period (core/virq.c): inputs start in phase with it. */
#define FZ_VBLANK_NS    16666667ull
/*
 * Every this many inputs the fuzzer checks the whole world too (the replay:
 * every input); it takes tens of milliseconds under the sanitizers.
 */
#define FZ_THOROUGH_EVERY 16384u
#define FZ_MAX_SHARED   8u              /* pages the pristine attacker slices map elsewhere */
#define FZ_MAX_REGS     256u            /* register writes that bring the driver up */
#define FZ_DRIVER_BO    (64u * 1024u)   /* its data and batch buffers */

struct fz_env {
	struct gensim *gs;
	struct vgt_host *host;
	struct vgt_inproc_guest victim, attacker;
	struct vgt_vgpu_info vi, ai;
	struct vgt_host_info hi;
	struct vgt_hw_ops hw;           /* gensim's, with the writes watched */
	struct refdrv_platform plat;    /* the attacker's, with its RAM writes watched */

	/* The attacker's driver, when the target wants it up (fz_setup_driver). */
	bool with_driver, recording;
	struct refdrv drv;              /* as it was once up */
	struct refdrv_bo buf, batch;
	struct { uint64_t addr; uint32_t val; } regs[FZ_MAX_REGS];
	unsigned nregs;

	/* What every input starts from: the world right after the attacker was made. */
	uint32_t *gtt_pristine;
	uint32_t *vgtt_pristine;        /* the attacker's view of its slices' entries */
	uint32_t *gtt_now;              /* scratch for the thorough check */
	uint8_t *victim_pristine;
	uint8_t *ram_pristine;          /* the attacker's RAM */
	/* Pages of it a pristine entry maps: the GPU may write them with no GTT write to see. */
	uint16_t ram_mapped[FZ_ATTACK_PAGES];
	unsigned nram_mapped;
	uint64_t fence_pristine[HSW_NUM_FENCES];
	bool fence_mine[HSW_NUM_FENCES];
	uint8_t cfg_pristine[FZ_CFG_BYTES];
	struct vgt_vgpu_digest adig_pristine, vdig_pristine;
	/* Pages outside the attacker's RAM that its pristine GTT maps (its scratch page). */
	uint64_t shared_page[FZ_MAX_SHARED];
	uint8_t shared_pristine[FZ_MAX_SHARED][FZ_PAGE];
	unsigned nshared;
	/* The victim's pages that the pristine GTT maps: what the GPU can reach of it. */
	bool victim_reach[FZ_VICTIM_PAGES];
	uint64_t epoch_ns;              /* inputs start a whole number of vblanks after it */

	/* What the current input may have changed. */
	bool armed;
	uint64_t *gtt_mark;             /* one bit per host GTT entry */
	uint32_t *gtt_dirty;
	size_t ngtt_dirty;
	bool ram_mark[FZ_ATTACK_PAGES];
	uint16_t ram_dirty[FZ_ATTACK_PAGES];
	unsigned nram_dirty;
	bool victim_mark[FZ_VICTIM_PAGES];  /* victim pages some entry mapped during it */

	/* Where the current input started from. */
	struct vgt_vgpu_info before;
	struct gensim_stats gs_before;
	uint64_t msis_before;

	/* Asked for by the replay: every input checked thoroughly, its outcome kept. */
	bool replay;
	uint64_t outcome;
	unsigned long inputs;
};

/*
 * The harness's own code is not what is fuzzed: it gets no coverage
 * instrumentation, so that libFuzzer's per-input work (bookkeeping for
 * every edge an input hits) is spent on the mediator and the GPU only.
 */
#if defined(__clang__)
#define FZ_HARNESS __attribute__((no_sanitize("coverage")))
#else
#define FZ_HARNESS
#endif

#define FZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

static struct fz_env fz_world;

/* The replay's hooks (replay.c declares them weak: targets without this world lack them). */
void fz_replay_mode(void);
uint64_t fz_outcome(void);

FZ_HARNESS void fz_replay_mode(void)
{
	fz_world.replay = true;
}

FZ_HARNESS uint64_t fz_outcome(void)
{
	return fz_world.outcome;
}

/* The mediator's log: nothing, or with FZ_VERBOSE in the replay, what it says. */
FZ_HARNESS static inline void fz_quiet(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	if (fz_world.replay && level <= VGT_LOG_WARN && getenv("FZ_VERBOSE"))
		fprintf(stderr, "  vgt: %s\n", msg);
}

FZ_HARNESS static inline uint64_t fz_hash(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t w = 0;

		memcpy(&w, b + i, n - i < 8 ? n - i : 8);
		h = (h ^ w) * 0x100000001B3ull;
	}
	return h;
}

FZ_HARNESS static inline uint64_t fz_mix(uint64_t h, uint64_t v)
{
	return fz_hash(h, &v, sizeof(v));
}

FZ_HARNESS static inline bool fz_owned(const struct vgt_vgpu_info *g, uint64_t gm)
{
	return (gm >= g->low.base && gm < g->low.base + g->low.size) ||
	       (gm >= g->high.base && gm < g->high.base + g->high.size);
}

FZ_HARNESS static inline bool fz_in(uint64_t a, uint64_t base, uint64_t size)
{
	return a >= base && a - base < size;
}

FZ_HARNESS static inline bool fz_overlap(uint64_t a, uint64_t len, uint64_t base, uint64_t size)
{
	return len && a < base + size && base < a + len;
}

/*
 * Inputs may name the attacker's own memory relative to it, so that
 * mutations (and seeds recorded on another layout) keep reaching it: an
 * offset into its graphics memory (low slice, then high slice) becomes a
 * graphics address, page offsets kept.
 */
FZ_HARNESS static inline uint64_t fz_gm(const struct fz_env *e, uint64_t rel)
{
	rel %= e->ai.low.size + e->ai.high.size;
	return rel < e->ai.low.size ? e->ai.low.base + rel : e->ai.high.base + (rel - e->ai.low.size);
}

/* A value whose low 32 bits are such an offset (ring starts, surfaces, fences, batches). */
FZ_HARNESS static inline uint64_t fz_gm_value(const struct fz_env *e, uint64_t v)
{
	return (v & ~0xFFFFFFFFull) | (uint32_t)fz_gm(e, (uint32_t)v);
}

/* A BAR0 offset in the GTT half whose entry index is such an offset, in pages. */
FZ_HARNESS static inline uint64_t fz_gtt_offset(const struct fz_env *e, uint64_t off)
{
	uint64_t rel = off - HSW_GTT_OFFSET;

	if (off < HSW_GTT_OFFSET || off >= HSW_BAR0_SIZE)
		return off;
	return HSW_GTT_OFFSET + 4 * (fz_gm(e, rel >> 2 << 12) >> 12) + (rel & 3);
}

/* A BAR2 offset into the attacker's window (its low slice), or just past it. */
FZ_HARNESS static inline uint64_t fz_aperture_offset(const struct fz_env *e, uint64_t off)
{
	return e->ai.low.base + off % (e->ai.low.size + FZ_PAGE);
}

/* ---- What the input touched ---------------------------------------------------- */

/* Attacker RAM [gpa, gpa + len) may have been written: restored after the input. */
FZ_HARNESS static inline void fz_ram_touched(struct fz_env *e, uint64_t gpa, uint64_t len)
{
	if (!e->armed || !len || gpa >= FZ_ATTACK_SIZE)
		return;
	if (len > FZ_ATTACK_SIZE - gpa)
		len = FZ_ATTACK_SIZE - gpa;
	for (uint64_t p = gpa / FZ_PAGE; p <= (gpa + len - 1) / FZ_PAGE; p++) {
		if (e->ram_mark[p])
			continue;
		e->ram_mark[p] = true;
		e->ram_dirty[e->nram_dirty++] = (uint16_t)p;
	}
}

/*
 * Host GTT entry @idx now holds @pte.  Entries of the attacker's slices
 * may map its own RAM, or what they mapped when it was created (its
 * scratch page), nothing else: checked at the write, so the
 * report's stack is the mediator's path that wrote it.  Whatever page an
 * entry maps during the input may be written by the GPU meanwhile.
 */
FZ_HARNESS static inline void fz_gtt_touched(struct fz_env *e, uint32_t idx, uint32_t pte)
{
	uint64_t pa;

	if (!e->armed || idx >= HSW_GTT_ENTRIES)
		return;
	if (!(e->gtt_mark[idx / 64] & (1ull << (idx % 64)))) {
		e->gtt_mark[idx / 64] |= 1ull << (idx % 64);
		e->gtt_dirty[e->ngtt_dirty++] = idx;
	}
	if (!(pte & HSW_PTE_VALID))
		return;
	pa = HSW_PTE_DECODE(pte);
	if (fz_in(pa, FZ_ATTACK_RAM, FZ_ATTACK_SIZE))
		fz_ram_touched(e, pa - FZ_ATTACK_RAM, FZ_PAGE);
	if (fz_in(pa, FZ_VICTIM_RAM, FZ_VICTIM_SIZE))
		e->victim_mark[(pa - FZ_VICTIM_RAM) / FZ_PAGE] = true;
	if (fz_owned(&e->ai, (uint64_t)idx << 12))
		FZ_CHECK(fz_in(pa, FZ_ATTACK_RAM, FZ_ATTACK_SIZE) || pte == e->gtt_pristine[idx],
			 "the attacker's GTT entry %u maps machine page 0x%llx, not its own", idx,
			 (unsigned long long)pa);
}

/* ---- gensim as the host's hardware, with its writes watched ----------------------- */

FZ_HARNESS static void fz_hw_info(void *hw, struct vgt_hw_info *info)
{
	gensim_hw_ops.info(((struct fz_env *)hw)->gs, info);
}

FZ_HARNESS static int fz_hw_mmio_read(void *hw, uint32_t off, unsigned size, uint64_t *val)
{
	return gensim_hw_ops.mmio_read(((struct fz_env *)hw)->gs, off, size, val);
}

/* The GTT half of BAR0 is the GTT too. */
FZ_HARNESS static int fz_hw_mmio_write(void *hw, uint32_t off, unsigned size, uint64_t val)
{
	struct fz_env *e = hw;
	int ret = gensim_hw_ops.mmio_write(e->gs, off, size, val);

	if (off >= HSW_GTT_OFFSET && off < HSW_BAR0_SIZE)
		for (uint32_t o = off & ~3u; o < off + size && o < HSW_BAR0_SIZE; o += 4) {
			uint32_t idx = (o - HSW_GTT_OFFSET) / 4, pte = 0;

			gensim_gtt_read(e->gs, idx, &pte);
			fz_gtt_touched(e, idx, pte);
		}
	return ret;
}

FZ_HARNESS static int fz_hw_gtt_read(void *hw, uint32_t index, uint32_t *pte)
{
	return gensim_hw_ops.gtt_read(((struct fz_env *)hw)->gs, index, pte);
}

FZ_HARNESS static int fz_hw_gtt_write(void *hw, uint32_t index, uint32_t pte)
{
	struct fz_env *e = hw;
	int ret = gensim_hw_ops.gtt_write(e->gs, index, pte);

	fz_gtt_touched(e, index, pte);
	return ret;
}

FZ_HARNESS static int fz_hw_cfg_read(void *hw, uint32_t off, unsigned size, uint32_t *val)
{
	return gensim_hw_ops.cfg_read(((struct fz_env *)hw)->gs, off, size, val);
}

FZ_HARNESS static int fz_hw_cfg_write(void *hw, uint32_t off, unsigned size, uint32_t val)
{
	return gensim_hw_ops.cfg_write(((struct fz_env *)hw)->gs, off, size, val);
}

FZ_HARNESS static int fz_hw_dma_read(void *hw, uint64_t maddr, void *buf, size_t len)
{
	return gensim_hw_ops.dma_read(((struct fz_env *)hw)->gs, maddr, buf, len);
}

/* The mediator DMAs into its own memory only. */
FZ_HARNESS static int fz_hw_dma_write(void *hw, uint64_t maddr, const void *buf, size_t len)
{
	struct fz_env *e = hw;

	if (e->armed) {
		FZ_CHECK(!fz_overlap(maddr, len, FZ_VICTIM_RAM, FZ_VICTIM_SIZE),
			 "the mediator DMAs into the victim's memory at 0x%llx", (unsigned long long)maddr);
		if (fz_overlap(maddr, len, FZ_ATTACK_RAM, FZ_ATTACK_SIZE)) {
			uint64_t lo = maddr > FZ_ATTACK_RAM ? maddr - FZ_ATTACK_RAM : 0;

			fz_ram_touched(e, lo, maddr + len - FZ_ATTACK_RAM - lo);
		}
	}
	return gensim_hw_ops.dma_write(e->gs, maddr, buf, len);
}

FZ_HARNESS static int fz_hw_aperture_read(void *hw, uint64_t off, void *buf, size_t len)
{
	return gensim_hw_ops.aperture_read(((struct fz_env *)hw)->gs, off, buf, len);
}

/* Through the GTT: the pages it can reach are the ones recorded as mapped. */
FZ_HARNESS static int fz_hw_aperture_write(void *hw, uint64_t off, const void *buf, size_t len)
{
	return gensim_hw_ops.aperture_write(((struct fz_env *)hw)->gs, off, buf, len);
}

FZ_HARNESS static void fz_hw_set_irq_handler(void *hw, vgt_hw_irq_fn *fn, void *opaque)
{
	gensim_hw_ops.set_irq_handler(((struct fz_env *)hw)->gs, fn, opaque);
}

FZ_HARNESS static uint64_t fz_hw_now_ns(void *hw)
{
	return gensim_hw_ops.now_ns(((struct fz_env *)hw)->gs);
}

FZ_HARNESS static int64_t fz_hw_run(void *hw, uint64_t budget)
{
	return gensim_hw_ops.run(((struct fz_env *)hw)->gs, budget);
}

/* The attacker's driver writing its RAM (the cmd target's refdrv). */
FZ_HARNESS static int fz_plat_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fz_env *e = &fz_world;

	/* RAM is guest-physical [0, size); above it lie the BARs, reached through the GTT. */
	fz_ram_touched(e, addr, len);
	return e->attacker.plat.mem_write(ctx, addr, buf, len);
}

/* The driver's register writes while it comes up: made again after each reset. */
FZ_HARNESS static void fz_plat_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	struct fz_env *e = &fz_world;

	/* GTT entries survive the reset: only the register half is made again. */
	if (e->recording && addr - e->drv.bar0 < HSW_GTT_OFFSET) {
		FZ_CHECK(e->nregs < FZ_MAX_REGS, "the driver makes more than %u register writes",
			 FZ_MAX_REGS);
		e->regs[e->nregs].addr = addr;
		e->regs[e->nregs++].val = val;
	}
	e->attacker.plat.mmio_write32(ctx, addr, val);
}

/* ---- The victim's RAM: read-only while the attacker runs ---------------------------- */

static struct sigaction fz_old_segv;

FZ_HARNESS static void fz_segv(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] = "fuzz invariant broken: the victim's memory was written\n";
	uint8_t *lo = gensim_mem_ptr(fz_world.gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE);

	(void)sig; (void)uc;
	if ((uint8_t *)si->si_addr >= lo && (uint8_t *)si->si_addr < lo + FZ_VICTIM_SIZE)
		(void)!write(2, msg, sizeof(msg) - 1);
	/* The handler before (ASan's, or the default) reports the fault, with the writer's stack. */
	sigaction(SIGSEGV, &fz_old_segv, NULL);
}

FZ_HARNESS static void fz_protect_victim(struct fz_env *e)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fz_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	FZ_CHECK(!sigaction(SIGSEGV, &sa, &fz_old_segv), "SIGSEGV handler");
	/* gensim's memory is one mmap; the victim's RAM is page-aligned in it. */
	FZ_CHECK(!mprotect(gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE), FZ_VICTIM_SIZE,
			   PROT_READ), "mprotect of the victim's RAM");
}

/* ---- The world ------------------------------------------------------------------------ */

FZ_HARNESS static void fz_read_cfg(struct fz_env *e, uint8_t *cfg)
{
	for (uint32_t off = 0; off < FZ_CFG_BYTES; off += 4) {
		uint32_t v = 0;

		vgt_vgpu_cfg_read(e->attacker.vgpu, off, 4, &v);
		memcpy(cfg + off, &v, 4);
	}
}

FZ_HARNESS static void fz_read_fences(struct fz_env *e, uint64_t *f)
{
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++) {
		f[i] = 0;
		gensim_mmio_read(e->gs, HSW_FENCE_LO(i), 8, &f[i]);
	}
}

/* The long-lived part: created on the first input, kept for the process. */
FZ_HARNESS static void fz_world_up(struct fz_env *e)
{
	struct vgt_host_params hp = { .hw = &e->hw, .hw_handle = e, .log = fz_quiet,
				      .hang_ns = 20000000, .host_low_mb = 16 };
	struct vgt_vgpu_params vp = { .domid = 1, .low_mb = 16, .high_mb = 32, .fences = 2, .weight = 1 };
	struct vgt_vgpu_params ap = { .domid = 2, .low_mb = 16, .high_mb = 32, .fences = 2, .weight = 1 };
	struct gensim_config cfg;
	struct vgt_error err;
	uint32_t pattern = 0x5AFE5AFE;

	e->hw = (struct vgt_hw_ops){
		.name = "gensim (fuzz)", .info = fz_hw_info, .mmio_read = fz_hw_mmio_read,
		.mmio_write = fz_hw_mmio_write, .gtt_read = fz_hw_gtt_read, .gtt_write = fz_hw_gtt_write,
		.cfg_read = fz_hw_cfg_read, .cfg_write = fz_hw_cfg_write, .dma_read = fz_hw_dma_read,
		.dma_write = fz_hw_dma_write, .aperture_read = fz_hw_aperture_read,
		.aperture_write = fz_hw_aperture_write, .set_irq_handler = fz_hw_set_irq_handler,
		.now_ns = fz_hw_now_ns, .run = fz_hw_run,
	};
	gensim_config_init(&cfg);
	cfg.memory_size = FZ_MEMORY;
	cfg.aperture_size = 128ull << 20;
	FZ_CHECK(!gensim_create(&cfg, &e->gs), "gensim");
	FZ_CHECK(!vgt_host_create(&hp, &e->host, &err), "host: %s", err.msg);
	FZ_CHECK(!vgt_inproc_guest_init(&e->victim, e->host, e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE, &vp,
					&err), "victim: %s", err.msg);
	vgt_vgpu_get_info(e->victim.vgpu, &e->vi);
	/* The victim maps a page with something in it. */
	vgt_vgpu_mmio_write(e->victim.vgpu, 0, HSW_GTT_OFFSET + 4 * (e->vi.low.base >> 12), 4,
			    HSW_PTE_ENCODE(0x1000ull) | HSW_PTE_VALID);
	gensim_mem_write(e->gs, FZ_VICTIM_RAM + 0x1000, &pattern, 4);
	FZ_CHECK(!vgt_inproc_guest_init(&e->attacker, e->host, e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE, &ap,
					&err), "attacker: %s", err.msg);
	vgt_vgpu_get_info(e->attacker.vgpu, &e->ai);
	vgt_host_get_info(e->host, &e->hi);
	e->plat = e->attacker.plat;
	e->plat.mem_write = fz_plat_mem_write;
	e->plat.mmio_write32 = fz_plat_mmio_write32;
	if (e->with_driver) {
		/*
		 * Probing is config space (restored as such); what init and the
		 * buffers write to registers is recorded.  GTT entries persist.
		 */
		FZ_CHECK(!refdrv_probe(&e->drv, &e->plat), "the attacker's driver: %s",
			 refdrv_strerror(&e->drv));
		e->recording = true;
		FZ_CHECK(!refdrv_init(&e->drv) &&
			 !refdrv_bo_alloc(&e->drv, FZ_DRIVER_BO, true, &e->buf) &&
			 !refdrv_bo_alloc(&e->drv, FZ_DRIVER_BO, false, &e->batch),
			 "the attacker's driver did not come up: %s", refdrv_strerror(&e->drv));
		e->recording = false;
	}

	/* Every input starts at the same phase of the vGPUs' vblank periods, counted from here. */
	vgt_host_poll(e->host);
	e->epoch_ns = gensim_now_ns(e->gs);

	e->gtt_pristine = malloc((size_t)HSW_GTT_ENTRIES * sizeof(*e->gtt_pristine));
	e->gtt_now = malloc((size_t)HSW_GTT_ENTRIES * sizeof(*e->gtt_now));
	e->gtt_dirty = malloc((size_t)HSW_GTT_ENTRIES * sizeof(*e->gtt_dirty));
	e->gtt_mark = calloc(HSW_GTT_ENTRIES / 64, sizeof(*e->gtt_mark));
	e->victim_pristine = malloc(FZ_VICTIM_SIZE);
	e->ram_pristine = malloc(FZ_ATTACK_SIZE);
	e->vgtt_pristine = malloc((size_t)HSW_GTT_ENTRIES * sizeof(*e->vgtt_pristine));
	FZ_CHECK(e->gtt_pristine && e->gtt_now && e->gtt_dirty && e->gtt_mark && e->victim_pristine &&
		 e->ram_pristine && e->vgtt_pristine, "out of memory");
	FZ_CHECK(gensim_gtt_entries(e->gs) == HSW_GTT_ENTRIES, "a GTT of %u entries",
		 gensim_gtt_entries(e->gs));
	gensim_gtt_snapshot(e->gs, e->gtt_pristine);
	memcpy(e->victim_pristine, gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE), FZ_VICTIM_SIZE);
	memcpy(e->ram_pristine, gensim_mem_ptr(e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE), FZ_ATTACK_SIZE);
	/* What the attacker reads back from its GTT: what a restore writes. */
	for (uint64_t gm = 0; gm < (uint64_t)HSW_GTT_ENTRIES << 12; gm += FZ_PAGE) {
		uint64_t v = 0;

		if (fz_owned(&e->ai, gm))
			vgt_vgpu_mmio_read(e->attacker.vgpu, 0, HSW_GTT_OFFSET + 4 * (gm >> 12), 4, &v);
		e->vgtt_pristine[gm >> 12] = (uint32_t)v;
	}
	fz_read_fences(e, e->fence_pristine);
	for (uint32_t i = 0; i < e->ai.fences; i++)
		e->fence_mine[e->ai.host_fence[i]] = true;
	fz_read_cfg(e, e->cfg_pristine);
	vgt_vgpu_digest(e->attacker.vgpu, &e->adig_pristine);
	vgt_vgpu_digest(e->victim.vgpu, &e->vdig_pristine);

	for (uint32_t i = 0; i < HSW_GTT_ENTRIES; i++) {
		uint32_t pte = e->gtt_pristine[i];
		uint64_t pa = HSW_PTE_DECODE(pte);

		if (!(pte & HSW_PTE_VALID))
			continue;
		if (fz_in(pa, FZ_ATTACK_RAM, FZ_ATTACK_SIZE)) {
			uint16_t p = (uint16_t)((pa - FZ_ATTACK_RAM) / FZ_PAGE);
			unsigned k = 0;

			while (k < e->nram_mapped && e->ram_mapped[k] != p)
				k++;
			if (k == e->nram_mapped)
				e->ram_mapped[e->nram_mapped++] = p;
			continue;
		}
		if (fz_in(pa, FZ_VICTIM_RAM, FZ_VICTIM_SIZE))
			e->victim_reach[(pa - FZ_VICTIM_RAM) / FZ_PAGE] = true;
		if (fz_owned(&e->ai, (uint64_t)i << 12)) {
			unsigned s = 0;

			while (s < e->nshared && e->shared_page[s] != (pa & ~(uint64_t)(FZ_PAGE - 1)))
				s++;
			if (s == e->nshared) {
				FZ_CHECK(s < FZ_MAX_SHARED, "the attacker's slices map more than %u other pages",
					 FZ_MAX_SHARED);
				e->shared_page[s] = pa & ~(uint64_t)(FZ_PAGE - 1);
				gensim_mem_read(e->gs, e->shared_page[s], e->shared_pristine[s], FZ_PAGE);
				e->nshared++;
			}
		}
	}
	fz_protect_victim(e);
}

/* The same phase of the vGPUs' vblank periods as every other input (from epoch_ns). */
FZ_HARNESS static inline void fz_align_clock(struct fz_env *e)
{
	uint64_t now = gensim_now_ns(e->gs);
	uint64_t t = e->epoch_ns + (now - e->epoch_ns + FZ_VBLANK_NS - 1) / FZ_VBLANK_NS * FZ_VBLANK_NS;

	if (t > now)
		gensim_advance_time(e->gs, t - now);
	vgt_host_poll(e->host);
}

FZ_HARNESS static inline uint64_t fz_msis(struct vgt_inproc_guest *g)
{
	uint64_t n;

	pthread_mutex_lock(&g->lock);
	n = g->msis;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Before an input: the world as it was made, the clock in phase, tracking on. */
FZ_HARNESS static inline struct fz_env *fz_setup(void)
{
	struct fz_env *e = &fz_world;

	if (!e->gs)
		fz_world_up(e);
	fz_align_clock(e);
	/* The pages the GPU may write without a GTT write are restored after every input. */
	for (unsigned k = 0; k < e->nram_mapped; k++) {
		e->ram_mark[e->ram_mapped[k]] = true;
		e->ram_dirty[e->nram_dirty++] = e->ram_mapped[k];
	}
	vgt_vgpu_get_info(e->attacker.vgpu, &e->before);
	gensim_get_stats(e->gs, &e->gs_before);
	e->msis_before = fz_msis(&e->attacker);
	e->armed = true;
	return e;
}

/*
 * The same with the attacker's reference driver up (rings started, the data
 * buffer e->buf and the batch buffer e->batch mapped): @d becomes the
 * driver as it was once up.
 */
FZ_HARNESS static inline struct fz_env *fz_setup_driver(struct refdrv *d)
{
	struct fz_env *e = &fz_world;

	e->with_driver = true;
	fz_setup();
	FZ_CHECK(e->with_driver && e->drv.plat, "the world was made without the driver");
	*d = e->drv;
	/* The interrupts it has not seen are the ones after this input starts. */
	d->irqs_seen = e->msis_before;
	return e;
}

/*
 * What the input did, as the attacker and the GPU can see it: for the
 * replay's independence check.  Counters are taken as differences (they
 * run on over the process); the shadow digest is left out (it is a running
 * hash over every workload the vGPU ever had).
 */
FZ_HARNESS static uint64_t fz_outcome_now(struct fz_env *e)
{
	struct vgt_vgpu_info a;
	struct vgt_vgpu_digest d;
	struct gensim_stats st;
	uint8_t cfg[FZ_CFG_BYTES];
	uint64_t h = 0xCBF29CE484222325ull, f[HSW_NUM_FENCES];

	vgt_vgpu_get_info(e->attacker.vgpu, &a);
	h = fz_mix(h, a.failsafe);
	h = fz_mix(h, a.guest_errors - e->before.guest_errors);
	for (unsigned k = 0; k < VGT_GERR_KINDS; k++)
		h = fz_mix(h, a.errors_by_kind[k] - e->before.errors_by_kind[k]);
	h = fz_mix(h, a.mmio_reads - e->before.mmio_reads);
	h = fz_mix(h, a.mmio_writes - e->before.mmio_writes);
	h = fz_mix(h, a.cfg_accesses - e->before.cfg_accesses);
	h = fz_mix(h, a.gtt_writes - e->before.gtt_writes);
	h = fz_mix(h, a.unlisted_regs - e->before.unlisted_regs);
	h = fz_mix(h, a.workloads_submitted - e->before.workloads_submitted);
	h = fz_mix(h, a.workloads_completed - e->before.workloads_completed);
	h = fz_mix(h, a.irqs_injected - e->before.irqs_injected);
	h = fz_mix(h, a.vblanks - e->before.vblanks);
	h = fz_mix(h, fz_msis(&e->attacker) - e->msis_before);
	gensim_get_stats(e->gs, &st);
	h = fz_mix(h, st.commands - e->gs_before.commands);
	h = fz_mix(h, st.batches - e->gs_before.batches);
	h = fz_mix(h, st.blit_bytes - e->gs_before.blit_bytes);
	h = fz_mix(h, st.gtt_faults - e->gs_before.gtt_faults);
	vgt_vgpu_digest(e->attacker.vgpu, &d);
	h = fz_mix(h, d.vregs);
	h = fz_mix(h, d.gtt);
	h = fz_mix(h, d.screen);
	h = fz_hash(h, gensim_mem_ptr(e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE), FZ_ATTACK_SIZE);
	gensim_gtt_snapshot(e->gs, e->gtt_now);
	h = fz_hash(h, e->gtt_now + (e->ai.low.base >> 12), (e->ai.low.size >> 12) * 4);
	h = fz_hash(h, e->gtt_now + (e->ai.high.base >> 12), (e->ai.high.size >> 12) * 4);
	fz_read_fences(e, f);
	h = fz_hash(h, f, sizeof(f));
	fz_read_cfg(e, cfg);
	return fz_hash(h, cfg, sizeof(cfg));
}

/* What no input may change, and what the attacker's own GTT may point at. */
FZ_HARNESS static inline void fz_check(struct fz_env *e)
{
	struct vgt_vgpu_info vi;
	struct gensim_stats st;
	uint64_t f[HSW_NUM_FENCES];
	const uint8_t *vram = gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE);

	/* The host GTT: only entries written during the input can have changed. */
	for (size_t i = 0; i < e->ngtt_dirty; i++) {
		uint32_t idx = e->gtt_dirty[i], pte = 0;

		gensim_gtt_read(e->gs, idx, &pte);
		if (!fz_owned(&e->ai, (uint64_t)idx << 12))
			FZ_CHECK(pte == e->gtt_pristine[idx], "a host GTT entry outside the attacker's slices "
				 "changed: entry %u is 0x%08x, was 0x%08x", idx, pte, e->gtt_pristine[idx]);
		else if (pte & HSW_PTE_VALID)
			FZ_CHECK(fz_in(HSW_PTE_DECODE(pte), FZ_ATTACK_RAM, FZ_ATTACK_SIZE) ||
				 pte == e->gtt_pristine[idx], "the attacker's GTT maps machine page 0x%llx, "
				 "not its own", (unsigned long long)HSW_PTE_DECODE(pte));
	}
	fz_read_fences(e, f);
	for (uint32_t i = 0; i < HSW_NUM_FENCES; i++)
		FZ_CHECK(e->fence_mine[i] || f[i] == e->fence_pristine[i],
			 "fence %u, not the attacker's, changed", i);
	/* The victim's pages the GPU could reach (a CPU write would have faulted). */
	for (unsigned p = 0; p < FZ_VICTIM_PAGES; p++) {
		if (!e->victim_reach[p] && !e->victim_mark[p])
			continue;
		FZ_CHECK(!memcmp(vram + (size_t)p * FZ_PAGE, e->victim_pristine + (size_t)p * FZ_PAGE,
				 FZ_PAGE), "the victim's memory changed (page %u)", p);
	}
	vgt_vgpu_get_info(e->victim.vgpu, &vi);
	FZ_CHECK(!vi.guest_errors && !vi.failsafe, "the victim was blamed: %s", vi.first_error);
	gensim_get_stats(e->gs, &st);
	/* The audit must refuse whatever the GPU would choke on. */
	FZ_CHECK(st.cmd_errors == e->gs_before.cmd_errors, "a command the audit passed halted the GPU");
	if (e->replay) {
		/* FZ_VERBOSE=1: what each replayed input made the attacker do (seeds are read so). */
		if (getenv("FZ_VERBOSE")) {
			struct vgt_vgpu_info a;

			vgt_vgpu_get_info(e->attacker.vgpu, &a);
			fprintf(stderr, "input: %llu accesses, %llu GTT writes, %llu workloads (%llu done), "
				"%llu commands, errors:",
				(unsigned long long)(a.mmio_reads + a.mmio_writes + a.cfg_accesses -
						     e->before.mmio_reads - e->before.mmio_writes -
						     e->before.cfg_accesses),
				(unsigned long long)(a.gtt_writes - e->before.gtt_writes),
				(unsigned long long)(a.workloads_submitted - e->before.workloads_submitted),
				(unsigned long long)(a.workloads_completed - e->before.workloads_completed),
				(unsigned long long)(st.commands - e->gs_before.commands));
			for (unsigned k = 0; k < VGT_GERR_KINDS; k++)
				if (a.errors_by_kind[k] != e->before.errors_by_kind[k])
					fprintf(stderr, " %llu %s;", (unsigned long long)(a.errors_by_kind[k] -
						e->before.errors_by_kind[k]), vgt_guest_error_name(k));
			fputc('\n', stderr);
		}
		e->outcome = fz_outcome_now(e);
	}
}

/* The whole world against the pristine one: proves that the tracking missed nothing. */
FZ_HARNESS static void fz_thorough(struct fz_env *e)
{
	const uint8_t *ram = gensim_mem_ptr(e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE);
	struct vgt_vgpu_digest d;
	uint8_t cfg[FZ_CFG_BYTES], page[FZ_PAGE];
	uint64_t f[HSW_NUM_FENCES];

	gensim_gtt_snapshot(e->gs, e->gtt_now);
	if (memcmp(e->gtt_now, e->gtt_pristine, (size_t)HSW_GTT_ENTRIES * sizeof(*e->gtt_now)))
		for (uint32_t i = 0; i < HSW_GTT_ENTRIES; i++)
			FZ_CHECK(e->gtt_now[i] == e->gtt_pristine[i], "host GTT entry %u is 0x%08x after "
				 "the input was undone, was 0x%08x", i, e->gtt_now[i], e->gtt_pristine[i]);
	FZ_CHECK(!memcmp(gensim_mem_ptr(e->gs, FZ_VICTIM_RAM, FZ_VICTIM_SIZE), e->victim_pristine,
			 FZ_VICTIM_SIZE), "the victim's memory changed");
	FZ_CHECK(!memcmp(ram, e->ram_pristine, FZ_ATTACK_SIZE), "the attacker's RAM is not as it was "
		 "after the input was undone");
	for (unsigned s = 0; s < e->nshared; s++) {
		gensim_mem_read(e->gs, e->shared_page[s], page, FZ_PAGE);
		FZ_CHECK(!memcmp(page, e->shared_pristine[s], FZ_PAGE), "shared page 0x%llx changed",
			 (unsigned long long)e->shared_page[s]);
	}
	fz_read_fences(e, f);
	FZ_CHECK(!memcmp(f, e->fence_pristine, sizeof(f)), "the fences are not as they were");
	fz_read_cfg(e, cfg);
	FZ_CHECK(!memcmp(cfg, e->cfg_pristine, sizeof(cfg)),
		 "the attacker's config space was not restored");
	vgt_vgpu_digest(e->attacker.vgpu, &d);
	FZ_CHECK(d.vregs == e->adig_pristine.vregs && d.gtt == e->adig_pristine.gtt &&
		 d.screen == e->adig_pristine.screen, "the attacker's vGPU is not as it was made "
		 "(registers %d, GTT %d, screen %d)", d.vregs == e->adig_pristine.vregs,
		 d.gtt == e->adig_pristine.gtt, d.screen == e->adig_pristine.screen);
	vgt_vgpu_digest(e->victim.vgpu, &d);
	FZ_CHECK(d.vregs == e->vdig_pristine.vregs && d.gtt == e->vdig_pristine.gtt &&
		 d.shadow == e->vdig_pristine.shadow, "the victim's vGPU changed");
}

/* Config space back through config writes, where it differs. */
FZ_HARNESS static void fz_restore_cfg(struct fz_env *e)
{
	uint8_t cfg[FZ_CFG_BYTES];

	fz_read_cfg(e, cfg);
	for (uint32_t off = 0; off < FZ_CFG_BYTES; off += 4) {
		uint32_t v;

		if (!memcmp(cfg + off, e->cfg_pristine + off, 4))
			continue;
		memcpy(&v, e->cfg_pristine + off, 4);
		vgt_vgpu_cfg_write(e->attacker.vgpu, off, 4, v);
	}
}

/* After an input: the attacker back as it was made, through the core's own paths. */
FZ_HARNESS static inline void fz_teardown(struct fz_env *e)
{
	struct vgt_vgpu *a = e->attacker.vgpu;
	struct vgt_vgpu_info now;
	uint8_t *ram = gensim_mem_ptr(e->gs, FZ_ATTACK_RAM, FZ_ATTACK_SIZE);

	e->armed = false;
	/* Work dropped, engines, fences, registers, PVINFO; failsafe off, so GTT writes take. */
	vgt_vgpu_reset(a);
	vgt_vgpu_get_info(a, &now);
	if (now.cfg_accesses != e->before.cfg_accesses)
		fz_restore_cfg(e);
	/* The GTT survives a reset (it is the guest's memory map): the guest writes it back. */
	for (size_t i = 0; i < e->ngtt_dirty; i++) {
		uint32_t idx = e->gtt_dirty[i], pte = 0;

		e->gtt_mark[idx / 64] = 0;
		if (!fz_owned(&e->ai, (uint64_t)idx << 12))
			continue;
		vgt_vgpu_mmio_write(a, 0, HSW_GTT_OFFSET + 4ull * idx, 4, e->vgtt_pristine[idx]);
		gensim_gtt_read(e->gs, idx, &pte);
		FZ_CHECK(pte == e->gtt_pristine[idx], "GTT entry %u is 0x%08x once written back, was 0x%08x "
			 "when the vGPU was made", idx, pte, e->gtt_pristine[idx]);
	}
	e->ngtt_dirty = 0;
	/* The registers the driver programmed, as it did (BARs and decode are back). */
	for (unsigned i = 0; i < e->nregs; i++)
		e->attacker.plat.mmio_write32(e->attacker.plat.ctx, e->regs[i].addr, e->regs[i].val);
	/* Nothing runs any more: the RAM the input could reach goes back. */
	for (unsigned i = 0; i < e->nram_dirty; i++) {
		size_t off = (size_t)e->ram_dirty[i] * FZ_PAGE;

		if (memcmp(ram + off, e->ram_pristine + off, FZ_PAGE))
			memcpy(ram + off, e->ram_pristine + off, FZ_PAGE);
		e->ram_mark[e->ram_dirty[i]] = false;
	}
	e->nram_dirty = 0;
	memset(e->victim_mark, 0, sizeof(e->victim_mark));
	/* What its unmapped entries map (its scratch page) is reachable by its GPU work too. */
	for (unsigned s = 0; s < e->nshared; s++) {
		uint8_t *p = gensim_mem_ptr(e->gs, e->shared_page[s], FZ_PAGE);

		if (p && memcmp(p, e->shared_pristine[s], FZ_PAGE))
			gensim_mem_write(e->gs, e->shared_page[s], e->shared_pristine[s], FZ_PAGE);
	}
	e->inputs++;
	if (e->replay || e->inputs % FZ_THOROUGH_EVERY == 0)
		fz_thorough(e);
}

/* An input the target does not run (libFuzzer keeps it out of the corpus). */
FZ_HARNESS static inline int fz_reject(void)
{
	fz_world.outcome = 0;
	return -1;
}

/* A little-endian reader over the fuzz input. */
struct fz_in {
	const uint8_t *p;
	size_t n;
};

/* Up to @bytes (at most 8) bytes; missing ones at the end of the input read as zero. */
FZ_HARNESS static inline uint64_t fz_take(struct fz_in *in, unsigned bytes)
{
	uint8_t b[8] = { 0 };
	size_t n = bytes < in->n ? bytes : in->n;

	/*
	 * This runs for every field of every record: one fixed-size load while
	 * 8 bytes remain (a sanitizer check, no call), bytes one by one at the end.
	 */
	if (in->n >= 8)
		memcpy(b, in->p, 8);
	else if (n)
		memcpy(b, in->p, n);
	memset(b + n, 0, 8 - n);
	in->p += n;
	in->n -= n;
	return (uint64_t)b[0] | (uint64_t)b[1] << 8 | (uint64_t)b[2] << 16 | (uint64_t)b[3] << 24 |
	       (uint64_t)b[4] << 32 | (uint64_t)b[5] << 40 | (uint64_t)b[6] << 48 | (uint64_t)b[7] << 56;
}

/* @len bytes into @buf, zeros past the end of the input. */
FZ_HARNESS static inline void fz_take_bytes(struct fz_in *in, void *buf, size_t len)
{
	size_t n = len < in->n ? len : in->n;

	if (n)
		memcpy(buf, in->p, n);
	memset((uint8_t *)buf + n, 0, len - n);
	in->p += n;
	in->n -= n;
}

#endif /* VGT_FUZZ_ENV_H */

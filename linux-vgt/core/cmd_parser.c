/* SPDX-License-Identifier: MIT */
/*
 * The command parser and auditor.
 *
 * A submission is the guest ring's [head, tail).  Every command in it, and
 * in every batch buffer it reaches (first- and second-level, chained), is
 * looked up in the generation's command table (hsw_cmd_table.h, the one
 * gensim decodes with too), its whole length field checked, and
 * its operands audited: graphics addresses must lie in the vGPU's own
 * slices, registers written or read by a command must be command-accessible
 * in the register table.  What passes is copied out of guest memory into
 * the workload (ring image and batch image), with batch addresses
 * relocated to where the mediator will place the shadow copies, so that a
 * guest changing its buffers after submitting cannot change what runs.
 * Anything else refuses the whole submission.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_cmd_table.h"

#define MAX_CMD_DW       260u
#define MAX_BATCH_DW     (1u << 20)     /* 4 MiB of batch buffers per submission */
#define MAX_SEGMENTS     64u            /* batch buffers (and chain links) per submission */
#define MAX_RELOCS       (MAX_SEGMENTS + 1u)

_Static_assert(HSW_CMD_MAX_DW <= MAX_CMD_DW, "the longest command fits the command buffer");
/* hsw_cmd_table.h names engines by vgt's own indexes. */
_Static_assert(VGT_RCS == 0 && VGT_VCS == 1 && VGT_BCS == 2 && VGT_VECS == 3 &&
	       VGT_NUM_ENGINES == HSW_NUM_ENGINES, "engine indexes as hsw_cmd_table.h has them");

struct segment {
	uint32_t gm;
	unsigned level;
	unsigned reloc;
};

struct scan {
	struct vgt_vgpu *v;
	unsigned engine;
	uint64_t page_gm;               /* the guest page in page[], or ~0 */
	uint32_t page[VGT_PAGE_SIZE / 4];
	struct vgt_workload *w;
	uint32_t ring_cap, batch_cap;
	struct segment pending[MAX_SEGMENTS];
	unsigned npending, nsegments;
	char *why;
	size_t whylen;
};

typedef int cmd_audit_fn(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			 uint32_t out_pos, bool in_ring);

/*
 * What the auditor accepts from a guest and checks, per command.  How a
 * command is recognised and how long it is comes from hsw_cmd_table.h,
 * shared with gensim; a command listed there but not here is refused.
 */
struct vgt_cmd_rule {
	uint32_t groups;        /* VGT_CMDS_*: 0 = never accepted */
	cmd_audit_fn *audit;    /* NULL: nothing to check */
};

static cmd_audit_fn audit_user_interrupt, audit_bb_start, audit_bb_end, audit_sdi, audit_lri,
	audit_srm_lrm, audit_flush_dw, audit_pipe_control, audit_color_blt, audit_src_copy_blt;

static const struct vgt_cmd_rule vgt_cmd_rules[HSW_NUM_CMDS] = {
	[HSW_CMD_MI_NOOP] = { .groups = VGT_CMDS_MI },
	[HSW_CMD_MI_USER_INTERRUPT] = { .groups = VGT_CMDS_MI, .audit = audit_user_interrupt },
	[HSW_CMD_MI_ARB_CHECK] = { .groups = VGT_CMDS_MI },
	[HSW_CMD_MI_BATCH_BUFFER_END] = { .groups = VGT_CMDS_MI, .audit = audit_bb_end },
	[HSW_CMD_MI_STORE_DATA_IMM] = { .groups = VGT_CMDS_MI, .audit = audit_sdi },
	/* Stores into the guest's own status page: HWS_PGA is checked at submission. */
	[HSW_CMD_MI_STORE_DATA_INDEX] = { .groups = VGT_CMDS_MI },
	[HSW_CMD_MI_LOAD_REGISTER_IMM] = { .groups = VGT_CMDS_MI, .audit = audit_lri },
	[HSW_CMD_MI_STORE_REGISTER_MEM] = { .groups = VGT_CMDS_MI, .audit = audit_srm_lrm },
	[HSW_CMD_MI_FLUSH_DW] = { .groups = VGT_CMDS_FLUSH_DW, .audit = audit_flush_dw },
	[HSW_CMD_MI_LOAD_REGISTER_MEM] = { .groups = VGT_CMDS_MI, .audit = audit_srm_lrm },
	[HSW_CMD_MI_BATCH_BUFFER_START] = { .groups = VGT_CMDS_MI, .audit = audit_bb_start },
	[HSW_CMD_PIPE_CONTROL] = { .groups = VGT_CMDS_RENDER, .audit = audit_pipe_control },
	[HSW_CMD_XY_COLOR_BLT] = { .groups = VGT_CMDS_BLT, .audit = audit_color_blt },
	[HSW_CMD_XY_SRC_COPY_BLT] = { .groups = VGT_CMDS_BLT, .audit = audit_src_copy_blt },
};

static int refuse(struct scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int refuse(struct scan *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->why, s->whylen, fmt, ap);
	va_end(ap);
	return -EPERM;
}

static int owned(struct scan *s, const char *cmd, uint64_t gm, uint64_t len)
{
	if (!vgt_gm_owned(s->v, gm, len))
		return refuse(s, "%s touches [0x%llx, +%llu) outside its graphics memory", cmd,
			      (unsigned long long)gm, (unsigned long long)len);
	return 0;
}

/* ---- Output --------------------------------------------------------------- */

static int grow(uint32_t **buf, uint32_t *cap, uint32_t need, uint32_t limit)
{
	uint32_t ncap = *cap ? *cap : 256;
	uint32_t *nbuf;

	if (need > limit)
		return -E2BIG;
	while (ncap < need)
		ncap *= 2;
	if (ncap > limit)
		ncap = limit;
	if (ncap == *cap)
		return 0;
	nbuf = realloc(*buf, (size_t)ncap * sizeof(**buf));
	if (!nbuf)
		return -ENOMEM;
	*buf = nbuf;
	*cap = ncap;
	return 0;
}

static int emit(struct scan *s, bool in_ring, const uint32_t *cmd, unsigned len, uint32_t *pos)
{
	struct vgt_workload *w = s->w;
	int ret;

	if (in_ring) {
		ret = grow(&w->ring, &s->ring_cap, w->ring_dw + len, UINT32_MAX / 8);
		if (ret)
			return ret;
		*pos = w->ring_dw;
		memcpy(w->ring + w->ring_dw, cmd, len * sizeof(*cmd));
		w->ring_dw += len;
		return 0;
	}
	ret = grow(&w->batch, &s->batch_cap, w->batch_dw + len, MAX_BATCH_DW);
	if (ret == -E2BIG)
		return refuse(s, "batch buffers longer than %u KiB", MAX_BATCH_DW / 256);
	if (ret)
		return ret;
	*pos = w->batch_dw;
	memcpy(w->batch + w->batch_dw, cmd, len * sizeof(*cmd));
	w->batch_dw += len;
	return 0;
}

/* ---- Audits ----------------------------------------------------------------- */

static int audit_user_interrupt(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
				uint32_t out_pos, bool in_ring)
{
	(void)cmd; (void)len; (void)level; (void)out_pos; (void)in_ring;
	s->w->user_irqs++;
	return 0;
}

static int audit_bb_end(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			uint32_t out_pos, bool in_ring)
{
	(void)cmd; (void)len; (void)out_pos; (void)in_ring;
	if (level == 0)
		return refuse(s, "MI_BATCH_BUFFER_END in the ring");
	return 0;
}

static int audit_bb_start(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			  uint32_t out_pos, bool in_ring)
{
	struct vgt_workload *w = s->w;
	bool second = level == 1 && (cmd[0] & HSW_MI_BB_SECOND_LEVEL);
	uint32_t gm = cmd[1] & ~3u;
	struct segment *seg;

	(void)len;
	if (level == 2 && (cmd[0] & HSW_MI_BB_SECOND_LEVEL))
		return refuse(s, "a third-level batch buffer");
	if ((cmd[0] & HSW_MI_BB_PPGTT) &&
	    (vgt_vreg(s->v, HSW_RING_MODE(vgt_hsw_engines[s->engine].base)) & HSW_GFX_MODE_PPGTT_ENABLE))
		return refuse(s, "a batch buffer in a per-process GTT (not supported)");
	if (owned(s, "MI_BATCH_BUFFER_START", gm, 4))
		return -EPERM;
	if (s->npending >= MAX_SEGMENTS)
		return refuse(s, "more than %u batch buffers or chain links", MAX_SEGMENTS);
	seg = &s->pending[s->npending++];
	seg->gm = gm;
	seg->level = level == 0 ? 1 : second ? 2 : level;
	seg->reloc = w->nrelocs;
	w->relocs[w->nrelocs++] = (struct vgt_reloc){ .pos = out_pos + 1, .target = 0, .in_ring = in_ring };
	return 0;
}

static int audit_sdi(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
		     uint32_t out_pos, bool in_ring)
{
	(void)level; (void)out_pos; (void)in_ring;
	if (len == 5 && (cmd[2] & 7u))
		return refuse(s, "MI_STORE_DATA_IMM of a qword at an unaligned address");
	return owned(s, "MI_STORE_DATA_IMM", cmd[2] & ~3u, len == 5 ? 8 : 4);
}

static int reg_ok(struct scan *s, const char *cmd, uint32_t reg)
{
	const struct vgt_mmio_desc *d = vgt_mmio_lookup(s->v->host, reg);

	if (!d || !(d->flags & VGT_REG_CMD_ACCESS))
		return refuse(s, "%s of register 0x%05x (%s), which commands may not access", cmd, reg,
			      d ? d->name : "not in the register table");
	/* An engine's own registers only: another engine may be another vGPU's. */
	for (unsigned e = 0; e < VGT_NUM_ENGINES; e++)
		if ((reg & ~0xFFFu) == vgt_hsw_engines[e].base && e != s->engine)
			return refuse(s, "%s of %s, a register of %s", cmd, d->name,
				      vgt_hsw_engines[e].name);
	return 0;
}

static int audit_lri(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
		     uint32_t out_pos, bool in_ring)
{
	(void)level; (void)out_pos; (void)in_ring;
	for (unsigned i = 1; i + 1 < len; i += 2)
		if (reg_ok(s, "MI_LOAD_REGISTER_IMM", cmd[i] & 0x7FFFFCu))
			return -EPERM;
	return 0;
}

static int audit_srm_lrm(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			 uint32_t out_pos, bool in_ring)
{
	const char *name = HSW_MI_OPCODE(cmd[0]) == HSW_MI_STORE_REGISTER_MEM_OP ?
			   "MI_STORE_REGISTER_MEM" : "MI_LOAD_REGISTER_MEM";

	(void)len; (void)level; (void)out_pos; (void)in_ring;
	if (reg_ok(s, name, cmd[1] & 0x7FFFFCu))
		return -EPERM;
	return owned(s, name, cmd[2] & ~3u, 4);
}

static int audit_flush_dw(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			  uint32_t out_pos, bool in_ring)
{
	uint32_t op = (cmd[0] & HSW_MI_FLUSH_DW_OP_MASK) >> HSW_MI_FLUSH_DW_OP_SHIFT;

	(void)level; (void)out_pos; (void)in_ring;
	if (op == 2)
		return refuse(s, "MI_FLUSH_DW with a reserved post-sync operation");
	if ((cmd[0] & HSW_MI_FLUSH_DW_NOTIFY) && s->engine == VGT_BCS)
		s->w->notify_irqs |= HSW_GT_BLT_FLUSHDW_NOTIFY;
	if (!op || (cmd[0] & HSW_MI_FLUSH_DW_STORE_INDEX))
		return 0;
	return owned(s, "MI_FLUSH_DW", cmd[1] & ~7u, op == 1 ? (len - 2) * 4u : 8);
}

static int audit_pipe_control(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			      uint32_t out_pos, bool in_ring)
{
	uint32_t op = (cmd[1] & HSW_PIPE_CONTROL_POST_SYNC_MASK) >> 14;
	bool dword = op == 1 && len == 4;

	(void)level; (void)out_pos; (void)in_ring;
	if (cmd[1] & HSW_PIPE_CONTROL_MMIO_WRITE)
		return refuse(s, "PIPE_CONTROL with a register write");
	if (cmd[1] & HSW_PIPE_CONTROL_NOTIFY)
		s->w->notify_irqs |= HSW_GT_RENDER_PIPECTL_NOTIFY;
	if (!op || (cmd[1] & HSW_PIPE_CONTROL_STORE_INDEX))
		return 0;
	return owned(s, "PIPE_CONTROL", cmd[2] & (dword ? ~3u : ~7u), dword ? 4 : 8);
}

/*
 * The graphics memory a blit touches: every row of a linear surface (the
 * pitch may be negative), whole tile rows of an X-tiled one.
 */
static int blit_surface(struct scan *s, const char *cmd, uint32_t base, uint32_t pitch_field,
			bool tiled, unsigned cpp, uint32_t x1, uint32_t y1, uint32_t x2, uint32_t y2)
{
	int64_t pitch = (int16_t)(pitch_field & 0xFFFFu), lo, hi;

	if (tiled) {
		pitch *= 4;
		if (pitch <= 0 || pitch % HSW_XTILE_WIDTH)
			return refuse(s, "%s on a tiled surface with pitch %lld", cmd, (long long)pitch);
		lo = base + (int64_t)(y1 / HSW_XTILE_HEIGHT) * (pitch / HSW_XTILE_WIDTH) * HSW_TILE_SIZE;
		hi = base + (int64_t)((y2 - 1) / HSW_XTILE_HEIGHT + 1) * (pitch / HSW_XTILE_WIDTH) *
			    HSW_TILE_SIZE;
		if ((int64_t)x2 * cpp > pitch)
			return refuse(s, "%s wider than its tiled pitch", cmd);
	} else {
		int64_t first = base + (int64_t)y1 * pitch + (int64_t)x1 * cpp;
		int64_t last = base + (int64_t)(y2 - 1) * pitch + (int64_t)x1 * cpp;

		lo = first < last ? first : last;
		hi = (first > last ? first : last) + (int64_t)(x2 - x1) * cpp;
	}
	if (lo < 0 || hi > 0x100000000ll)
		return refuse(s, "%s outside the graphics address space", cmd);
	return owned(s, cmd, (uint64_t)lo, (uint64_t)(hi - lo));
}

static unsigned blt_cpp(uint32_t br13)
{
	switch ((br13 >> HSW_BR13_DEPTH_SHIFT) & 3u) {
	case 0: return 1;
	case 3: return 4;
	default: return 2;
	}
}

static int audit_color_blt(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			   uint32_t out_pos, bool in_ring)
{
	uint32_t x1 = cmd[2] & 0xFFFFu, y1 = cmd[2] >> 16, x2 = cmd[3] & 0xFFFFu, y2 = cmd[3] >> 16;

	(void)len; (void)level; (void)out_pos; (void)in_ring;
	if (x2 <= x1 || y2 <= y1)
		return 0;               /* draws nothing */
	return blit_surface(s, "XY_COLOR_BLT", cmd[4], cmd[1], cmd[0] & HSW_BLT_DST_TILED,
			    blt_cpp(cmd[1]), x1, y1, x2, y2);
}

static int audit_src_copy_blt(struct scan *s, uint32_t *cmd, unsigned len, unsigned level,
			      uint32_t out_pos, bool in_ring)
{
	uint32_t x1 = cmd[2] & 0xFFFFu, y1 = cmd[2] >> 16, x2 = cmd[3] & 0xFFFFu, y2 = cmd[3] >> 16;
	uint32_t sx = cmd[5] & 0xFFFFu, sy = cmd[5] >> 16;
	unsigned cpp = blt_cpp(cmd[1]);

	(void)len; (void)level; (void)out_pos; (void)in_ring;
	if (x2 <= x1 || y2 <= y1)
		return 0;
	if (blit_surface(s, "XY_SRC_COPY_BLT destination", cmd[4], cmd[1], cmd[0] & HSW_BLT_DST_TILED,
			 cpp, x1, y1, x2, y2))
		return -EPERM;
	return blit_surface(s, "XY_SRC_COPY_BLT source", cmd[7], cmd[6], cmd[0] & HSW_BLT_SRC_TILED,
			    cpp, sx, sy, sx + (x2 - x1), sy + (y2 - y1));
}

/* ---- The walk ----------------------------------------------------------------- */

static int decode(struct scan *s, uint32_t dw0, const struct hsw_cmd_enc **cp, unsigned *lenp)
{
	const char *engine = vgt_hsw_engines[s->engine].name;
	const struct hsw_cmd_enc *c = hsw_cmd_find(dw0, 1u << s->engine);
	uint32_t len;

	if (!c) {
		c = hsw_cmd_find(dw0, HSW_ENG_ALL);
		if (c)
			return refuse(s, "%s is not valid on %s", c->name, engine);
		return refuse(s, "unknown command 0x%08x", dw0);
	}
	if (!(vgt_cmd_rules[c->id].groups & vgt_hsw_engines[s->engine].cmd_groups))
		return refuse(s, "%s is not accepted on %s", c->name, engine);
	/*
	 * The whole length field, as the GPU reads it: a bit the audit ignored
	 * would let the GPU walk a ring other than the one audited.
	 */
	len = hsw_cmd_len(c, dw0);
	if (!hsw_cmd_len_ok(c, len) || len > MAX_CMD_DW)
		return refuse(s, "%s with a bad length of %u dwords (DW0 0x%08x)", c->name, len, dw0);
	*cp = c;
	*lenp = len;
	return 0;
}

static int one_command(struct scan *s, uint32_t *cmd, unsigned len, const struct hsw_cmd_enc *c,
		       unsigned level, bool in_ring)
{
	cmd_audit_fn *audit = vgt_cmd_rules[c->id].audit;
	uint32_t pos = 0;
	int ret = emit(s, in_ring, cmd, len, &pos);

	if (ret)
		return ret;
	if (audit) {
		/* The audit sees the copy: what it approves is what will run. */
		uint32_t *copy = (in_ring ? s->w->ring : s->w->batch) + pos;

		ret = audit(s, copy, len, level, pos, in_ring);
	}
	return ret;
}

/*
 * Copies @n dwords of guest graphics memory at @gm, a page at a time: a
 * batch is read once per page, and only pages the vGPU owns and has mapped.
 */
static bool fetch(struct scan *s, uint64_t gm, uint32_t *dst, unsigned n)
{
	while (n) {
		uint64_t page = gm & ~(uint64_t)(VGT_PAGE_SIZE - 1);
		unsigned first = (unsigned)(gm - page) / 4u;
		unsigned k = VGT_PAGE_SIZE / 4u - first < n ? VGT_PAGE_SIZE / 4u - first : n;

		if (page != s->page_gm) {
			if (!vgt_gm_read_traced(s->v, page, s->page, VGT_PAGE_SIZE))
				return false;
			s->page_gm = page;
		}
		memcpy(dst, s->page + first, k * 4u);
		dst += k;
		gm += k * 4u;
		n -= k;
	}
	return true;
}

/* One batch buffer (or chain link) read from guest memory until it ends. */
static int walk_batch(struct scan *s, const struct segment *seg)
{
	uint32_t cmd[MAX_CMD_DW];
	uint64_t gm = seg->gm;

	for (;;) {
		const struct hsw_cmd_enc *c;
		unsigned len;
		int ret;

		if (!fetch(s, gm, cmd, 1))
			return refuse(s, "batch buffer at 0x%llx is not mapped in its memory",
				      (unsigned long long)gm);
		ret = decode(s, cmd[0], &c, &len);
		if (ret)
			return ret;
		if (len > 1 && !fetch(s, gm + 4, cmd + 1, len - 1))
			return refuse(s, "%s at 0x%llx runs out of its mapped memory", c->name,
				      (unsigned long long)gm);
		ret = one_command(s, cmd, len, c, seg->level, false);
		if (ret)
			return ret;
		if (c->id == HSW_CMD_MI_BATCH_BUFFER_END)
			return 0;
		/* A chained batch (no return) ends this one. */
		if (c->id == HSW_CMD_MI_BATCH_BUFFER_START &&
		    !(seg->level == 1 && (cmd[0] & HSW_MI_BB_SECOND_LEVEL)))
			return 0;
		gm += len * 4u;
	}
}

void vgt_workload_free(struct vgt_workload *w)
{
	if (!w)
		return;
	free(w->relocs);
	free(w->batch);
	free(w->ring);
	free(w);
}

static struct vgt_workload *new_piece(struct scan *s, unsigned engine)
{
	struct vgt_workload *w = calloc(1, sizeof(*w));

	if (w)
		w->relocs = calloc(MAX_RELOCS, sizeof(*w->relocs));
	if (!w || !w->relocs) {
		free(w);
		return NULL;
	}
	w->vgpu = s->v;
	w->engine = engine;
	s->w = w;
	s->ring_cap = s->batch_cap = 0;
	s->npending = s->nsegments = 0;
	return w;
}

/* Walks the batch buffers the current piece's ring commands reached. */
static int finish_piece(struct scan *s)
{
	for (unsigned i = 0; i < s->npending; i++) {
		struct segment seg = s->pending[i];
		int ret;

		s->w->relocs[seg.reloc].target = s->w->batch_dw * 4u;
		s->nsegments++;
		ret = walk_batch(s, &seg);
		if (ret)
			return ret;
	}
	return 0;
}

static void free_pieces(struct vgt_workload *w)
{
	while (w) {
		struct vgt_workload *next = w->next;

		vgt_workload_free(w);
		w = next;
	}
}

/*
 * A long submission is cut, at command boundaries, into pieces of at most
 * PIECE_DW ring dwords and PIECE_BATCHES batch starts, each its own
 * workload that moves the guest's HEAD to where it ends: the mediator's
 * ring then never has to hold more than a piece and its markers, and the
 * batch budget applies to what one piece reaches, however many submissions
 * a scan covers.
 */
#define PIECE_DW (64u * 1024u)
#define PIECE_BATCHES 8u        /* ring-level batches; the rest of MAX_SEGMENTS is for their chains */
#define PIECES_PER_SCAN 2u      /* per trap; the rest waits for a completion */

int vgt_scan_submission(struct vgt_vgpu *v, unsigned engine, uint32_t head, uint32_t tail,
			struct vgt_workload **out, char *why, size_t whylen)
{
	uint32_t base = vgt_hsw_engines[engine].base;
	uint32_t start = vgt_vreg(v, HSW_RING_START(base)) & HSW_START_ADDR;
	uint32_t size = (vgt_vreg(v, HSW_RING_CTL(base)) & HSW_RING_CTL_SIZE_MASK) + VGT_PAGE_SIZE;
	uint32_t n = ((tail + size - head) % size) / 4u, first;
	struct scan *s = malloc(sizeof(*s));        /* holds a page: not for the stack */
	uint32_t *dw = malloc(((size_t)n + 1) * sizeof(*dw));
	struct vgt_workload *list = NULL, **link = &list;
	unsigned pieces = 0;
	bool stopped = false;
	int ret;

	*out = NULL;
	snprintf(why, whylen, "out of memory");
	if (!s || !dw) {
		ret = -ENOMEM;
		goto out;
	}
	why[0] = '\0';
	*s = (struct scan){ .v = v, .engine = engine, .why = why, .whylen = whylen, .page_gm = ~0ull };
	if (!new_piece(s, engine)) {
		ret = -ENOMEM;
		goto out;
	}
	*link = s->w;
	/* Copy the ring part once, wrapping at the end of the ring. */
	first = (size - head) / 4u < n ? (size - head) / 4u : n;
	if (!vgt_gm_read_traced(v, (uint64_t)start + head, dw, first * 4u) ||
	    !vgt_gm_read_traced(v, start, dw + first, (n - first) * 4u)) {
		ret = refuse(s, "ring contents are not mapped");
		goto out;
	}
	ret = 0;
	for (uint32_t i = 0; !ret && i < n;) {
		const struct hsw_cmd_enc *c;
		unsigned len;

		ret = decode(s, dw[i], &c, &len);
		if (ret)
			break;
		if (len > n - i) {
			ret = refuse(s, "%s runs past TAIL", c->name);
			break;
		}
		/* Cut before the piece's ring or its batch budget would run out. */
		if (s->w->ring_dw && (s->w->ring_dw + len > PIECE_DW ||
				      (c->id == HSW_CMD_MI_BATCH_BUFFER_START &&
				       s->npending >= PIECE_BATCHES))) {
			ret = finish_piece(s);
			if (ret)
				break;
			s->w->guest_tail = (head + i * 4u) % size;
			/*
			 * Bounded work per trap: the rest is scanned when this
			 * completes, so one guest cannot hold the host lock long.
			 */
			if (++pieces == PIECES_PER_SCAN) {
				stopped = true;
				break;
			}
			link = &s->w->next;
			if (!new_piece(s, engine)) {
				snprintf(why, whylen, "out of memory");
				ret = -ENOMEM;
				break;
			}
			*link = s->w;
		}
		ret = one_command(s, dw + i, len, c, 0, true);
		i += len;
	}
	if (!ret && !stopped)
		ret = finish_piece(s);
	if (!ret && !stopped)
		s->w->guest_tail = tail;
out:
	free(dw);
	free(s);
	if (ret) {
		free_pieces(list);
		return ret;
	}
	*out = list;
	return 0;
}

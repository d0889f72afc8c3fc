/* SPDX-License-Identifier: MIT */
/*
 * gensim's command streamer: Gen7 ring buffers, first- and second-level
 * batch buffers, and execution of the supported commands.
 *
 * Commands and their lengths are decoded with hsw_cmd_table.h, taking the
 * whole DWord Length field as the hardware does.  A command that is not in
 * the table, is not valid on the engine, has a
 * bad length or a bad operand halts the engine, as the hardware does: the
 * error is latched in RING_EIR/ESR, the header in RING_IPEHR, the engine's
 * command-error interrupt is raised, and the engine stays halted until it
 * is reset through GEN6_GDRST (or a function-level reset).  A command that
 * is not yet completely in the ring (TAIL behind its end) waits for more.
 */
#include <errno.h>
#include <string.h>

#include "gensim_private.h"
#include "hsw/hsw_cmds.h"
#include "hsw/hsw_cmd_table.h"

const struct gensim_engine_desc gensim_engines[GENSIM_NUM_ENGINES] = {
	[GENSIM_RCS] = {
		.name = "rcs", .base = HSW_RCS_BASE, .hws_pga = HSW_RCS_HWS_PGA,
		.fault_reg = HSW_RCS_FAULT_REG, .gdrst_bit = HSW_GDRST_RENDER,
		.user_irq = HSW_GT_RENDER_USER_INTERRUPT,
		.error_irq = HSW_GT_RENDER_CS_MASTER_ERROR,
		.cmd_mask = GENSIM_CMDS_MI | GENSIM_CMDS_RENDER,
	},
	[GENSIM_VCS] = {
		.name = "vcs", .base = HSW_VCS_BASE, .hws_pga = HSW_VCS_HWS_PGA,
		.fault_reg = HSW_VCS_FAULT_REG, .gdrst_bit = HSW_GDRST_MEDIA,
		.user_irq = HSW_GT_BSD_USER_INTERRUPT, .error_irq = HSW_GT_BSD_CS_ERROR,
		.cmd_mask = GENSIM_CMDS_MI | GENSIM_CMDS_FLUSH_DW,
	},
	[GENSIM_BCS] = {
		.name = "bcs", .base = HSW_BCS_BASE, .hws_pga = HSW_BCS_HWS_PGA,
		.fault_reg = HSW_BCS_FAULT_REG, .gdrst_bit = HSW_GDRST_BLT,
		.user_irq = HSW_GT_BLT_USER_INTERRUPT, .error_irq = HSW_GT_BLT_CS_ERROR,
		.flush_notify_irq = HSW_GT_BLT_FLUSHDW_NOTIFY,
		.cmd_mask = GENSIM_CMDS_MI | GENSIM_CMDS_FLUSH_DW | GENSIM_CMDS_BLT,
	},
	[GENSIM_VECS] = {
		.name = "vecs", .base = HSW_VECS_BASE, .hws_pga = HSW_VECS_HWS_PGA,
		.fault_reg = HSW_VECS_FAULT_REG, .gdrst_bit = HSW_GDRST_VECS,
		.user_irq = 1u << 10, .error_irq = 1u << 12, .pm_block = true,
		.cmd_mask = GENSIM_CMDS_MI | GENSIM_CMDS_FLUSH_DW,
	},
};

/* ---- Command table ------------------------------------------------------- */

typedef int gensim_cmd_fn(struct gensim *gs, struct gensim_engine *eng,
			  const uint32_t *cmd, unsigned len);

/*
 * What gensim executes, per command.  How a command is recognised, on
 * which engines it exists and how long it is comes from hsw_cmd_table.h,
 * shared with the mediator's auditor; a command listed there without an
 * exec here is not modelled and halts the engine.
 */
struct gensim_cmd {
	uint32_t group;         /* GENSIM_CMDS_* */
	gensim_cmd_fn *exec;
};

static gensim_cmd_fn cmd_nop, cmd_user_interrupt, cmd_bb_end, cmd_bb_start,
	cmd_sdi, cmd_sdi_index, cmd_lri, cmd_srm, cmd_lrm, cmd_flush_dw,
	cmd_pipe_control, cmd_xy_color_blt, cmd_xy_src_copy_blt;

static const struct gensim_cmd gensim_hsw_cmds[HSW_NUM_CMDS] = {
	[HSW_CMD_MI_NOOP] = { GENSIM_CMDS_MI, cmd_nop },
	[HSW_CMD_MI_USER_INTERRUPT] = { GENSIM_CMDS_MI, cmd_user_interrupt },
	[HSW_CMD_MI_ARB_CHECK] = { GENSIM_CMDS_MI, cmd_nop },
	[HSW_CMD_MI_BATCH_BUFFER_END] = { GENSIM_CMDS_MI, cmd_bb_end },
	[HSW_CMD_MI_STORE_DATA_IMM] = { GENSIM_CMDS_MI, cmd_sdi },
	[HSW_CMD_MI_STORE_DATA_INDEX] = { GENSIM_CMDS_MI, cmd_sdi_index },
	[HSW_CMD_MI_LOAD_REGISTER_IMM] = { GENSIM_CMDS_MI, cmd_lri },
	[HSW_CMD_MI_STORE_REGISTER_MEM] = { GENSIM_CMDS_MI, cmd_srm },
	[HSW_CMD_MI_FLUSH_DW] = { GENSIM_CMDS_FLUSH_DW, cmd_flush_dw },
	[HSW_CMD_MI_LOAD_REGISTER_MEM] = { GENSIM_CMDS_MI, cmd_lrm },
	[HSW_CMD_MI_BATCH_BUFFER_START] = { GENSIM_CMDS_MI, cmd_bb_start },
	[HSW_CMD_PIPE_CONTROL] = { GENSIM_CMDS_RENDER, cmd_pipe_control },
	[HSW_CMD_XY_COLOR_BLT] = { GENSIM_CMDS_BLT, cmd_xy_color_blt },
	[HSW_CMD_XY_SRC_COPY_BLT] = { GENSIM_CMDS_BLT, cmd_xy_src_copy_blt },
};

/* hsw_cmd_table.h names engines by gensim's own indexes. */
_Static_assert(GENSIM_RCS == 0 && GENSIM_VCS == 1 && GENSIM_BCS == 2 && GENSIM_VECS == 3 &&
	       GENSIM_NUM_ENGINES == HSW_NUM_ENGINES, "engine indexes as hsw_cmd_table.h has them");
_Static_assert(HSW_CMD_MAX_DW <= GENSIM_MAX_CMD_DWORDS, "the longest command fits eng->cmd");

/* ---- Engine state -------------------------------------------------------- */

static uint32_t reg(const struct gensim *gs, const struct gensim_engine *eng, uint32_t rel)
{
	return gensim_reg_get(gs, eng->desc->base + rel);
}

static uint32_t ring_size(const struct gensim *gs, const struct gensim_engine *eng)
{
	return (reg(gs, eng, 0x3C) & HSW_RING_CTL_SIZE_MASK) + GENSIM_PAGE_SIZE;
}

static bool ppgtt_enabled(const struct gensim *gs, const struct gensim_engine *eng)
{
	return reg(gs, eng, 0x29C) & HSW_GFX_MODE_PPGTT_ENABLE;
}

void gensim_engine_reset(struct gensim *gs, struct gensim_engine *eng)
{
	uint32_t base = eng->desc->base;

	for (size_t i = 0; i < gs->nregs; i++) {
		const struct gensim_reg *r = &gs->reg_table[i];

		if ((r->offset & ~0xFFFu) == base || r->offset == eng->desc->hws_pga ||
		    r->offset == eng->desc->fault_reg)
			gensim_reg_set(gs, r->offset, r->reset);
	}
	eng->halted = false;
	eng->stalled = false;
	eng->level = 0;
	memset(eng->bb_addr, 0, sizeof(eng->bb_addr));
	eng->reset_gen++;
	gs->stats.engine_resets++;
}

bool gensim_engine_runnable(struct gensim *gs, struct gensim_engine *eng)
{
	uint32_t base = eng->desc->base, tail;

	if (eng->halted || !(gensim_reg_get(gs, HSW_RING_CTL(base)) & HSW_RING_VALID) ||
	    (gensim_reg_get(gs, HSW_RING_MI_MODE(base)) & HSW_MI_MODE_STOP_RING))
		return false;
	if (eng->level)
		return true;
	tail = gensim_reg_get(gs, HSW_RING_TAIL(base)) & HSW_TAIL_ADDR;
	if (eng->stalled && tail == eng->stall_tail)
		return false;
	return tail != (gensim_reg_get(gs, HSW_RING_HEAD(base)) & HSW_HEAD_ADDR);
}

uint32_t gensim_engine_acthd(struct gensim *gs, const struct gensim_engine *eng)
{
	if (eng->level)
		return eng->bb_addr[eng->level];
	return (reg(gs, eng, 0x38) & HSW_START_ADDR) + (reg(gs, eng, 0x34) & HSW_HEAD_ADDR);
}

static void halt(struct gensim *gs, struct gensim_engine *eng, uint32_t err, uint32_t header)
{
	uint32_t base = eng->desc->base;
	uint32_t emr = gensim_reg_get(gs, HSW_RING_EMR(base));

	eng->halted = true;
	gs->stats.cmd_errors++;
	gensim_reg_set(gs, HSW_RING_EIR(base), gensim_reg_get(gs, HSW_RING_EIR(base)) | err);
	gensim_reg_set(gs, HSW_RING_ESR(base), gensim_reg_get(gs, HSW_RING_ESR(base)) | err);
	gensim_reg_set(gs, HSW_RING_IPEHR(base), header);
	gensim_reg_set(gs, HSW_RING_IPEIR(base), gensim_engine_acthd(gs, eng));
	if (err & ~emr)
		gensim_irq_engine(gs, eng, eng->desc->error_irq);
}

/*
 * The length the header states, from the whole DWord Length field as the
 * hardware reads it; a length the command does not have is an error.
 */
static int command_length(const struct hsw_cmd_enc *c, uint32_t dw0, unsigned *len)
{
	uint32_t n = hsw_cmd_len(c, dw0);

	if (!hsw_cmd_len_ok(c, n) || n > GENSIM_MAX_CMD_DWORDS)
		return -EINVAL;
	*len = n;
	return 0;
}

/*
 * Reads and decodes the command header at @gm into eng->cmd[0]; halts the
 * engine (and returns NULL) on a fault, an unknown or misplaced command or
 * a bad length.
 */
static const struct hsw_cmd_enc *fetch_header(struct gensim *gs, struct gensim_engine *eng,
					      uint64_t gm, unsigned *len)
{
	const struct hsw_cmd_enc *c;

	if (gensim_gm_access(gs, eng, gm, eng->cmd, 4, GENSIM_READ)) {
		halt(gs, eng, HSW_ERR_PAGE_TABLE, 0);
		return NULL;
	}
	c = hsw_cmd_find(eng->cmd[0], 1u << eng->id);
	if (!c || !gensim_hsw_cmds[c->id].exec ||
	    !(gensim_hsw_cmds[c->id].group & eng->desc->cmd_mask) ||
	    command_length(c, eng->cmd[0], len)) {
		halt(gs, eng, HSW_ERR_INSTRUCTION, eng->cmd[0]);
		return NULL;
	}
	return c;
}

/*
 * Fetches the next command into eng->cmd.  Returns 1 with the command
 * fetched, 0 if the ring holds no complete command, or -1 if the engine
 * halted.
 */
static int fetch(struct gensim *gs, struct gensim_engine *eng,
		 const struct hsw_cmd_enc **cmdp, unsigned *lenp)
{
	uint32_t base = eng->desc->base;
	const struct hsw_cmd_enc *c;
	unsigned len;
	uint64_t addr;

	if (eng->level == 0) {
		uint32_t size = ring_size(gs, eng);
		uint32_t head = gensim_reg_get(gs, HSW_RING_HEAD(base));
		uint32_t off = head & HSW_HEAD_ADDR;
		uint32_t tail = gensim_reg_get(gs, HSW_RING_TAIL(base)) & HSW_TAIL_ADDR;
		uint32_t start = gensim_reg_get(gs, HSW_RING_START(base)) & HSW_START_ADDR;
		uint32_t avail, first;

		if (tail >= size || off >= size) {
			halt(gs, eng, HSW_ERR_INSTRUCTION, 0);
			return -1;
		}
		avail = (tail + size - off) % size / 4u;
		if (!avail)
			return 0;
		c = fetch_header(gs, eng, (uint64_t)start + off, &len);
		if (!c)
			return -1;
		if (len > avail) {
			/* The rest of the command is not submitted yet. */
			eng->stalled = true;
			eng->stall_tail = tail;
			return 0;
		}
		eng->stalled = false;
		/* The command may wrap around the end of the ring. */
		first = (size - off) / 4u;
		if (first > len)
			first = len;
		if ((first > 1 && gensim_gm_access(gs, eng, (uint64_t)start + off + 4, &eng->cmd[1],
						   (first - 1) * 4u, GENSIM_READ)) ||
		    (len > first && gensim_gm_access(gs, eng, start, &eng->cmd[first],
						     (len - first) * 4u, GENSIM_READ))) {
			halt(gs, eng, HSW_ERR_PAGE_TABLE, eng->cmd[0]);
			return -1;
		}
		off += len * 4u;
		if (off >= size) {
			off -= size;
			head += HSW_HEAD_WRAP_ONE;
		}
		gensim_reg_set(gs, HSW_RING_HEAD(base), (head & ~HSW_HEAD_ADDR) | off);
	} else {
		addr = eng->bb_addr[eng->level];
		c = fetch_header(gs, eng, addr, &len);
		if (!c)
			return -1;
		if (len > 1 && gensim_gm_access(gs, eng, addr + 4, &eng->cmd[1], (len - 1) * 4u,
						GENSIM_READ)) {
			halt(gs, eng, HSW_ERR_PAGE_TABLE, eng->cmd[0]);
			return -1;
		}
		/* Graphics addresses are 32-bit: a batch running off the end faults. */
		eng->bb_addr[eng->level] = (uint32_t)(addr + len * 4u);
		if (addr + len * 4u > 0xFFFFFFFFull) {
			halt(gs, eng, HSW_ERR_PAGE_TABLE, eng->cmd[0]);
			return -1;
		}
	}
	*cmdp = c;
	*lenp = len;
	return 1;
}

uint64_t gensim_engine_exec(struct gensim *gs, struct gensim_engine *eng, uint64_t max)
{
	uint32_t gen = eng->reset_gen;
	uint64_t n = 0;

	gs->exec_cost_ns = 0;
	while (n < max && gensim_engine_runnable(gs, eng)) {
		const struct hsw_cmd_enc *c;
		unsigned len;
		int ret = fetch(gs, eng, &c, &len);

		if (ret <= 0)
			break;
		ret = gensim_hsw_cmds[c->id].exec(gs, eng, eng->cmd, len);
		n++;
		eng->commands++;
		gs->stats.commands++;
		gs->exec_cost_ns += GENSIM_CMD_COST_NS;
		/* A register write from the command may have reset this engine. */
		if (eng->reset_gen != gen)
			break;
		if (ret) {
			halt(gs, eng, HSW_ERR_INSTRUCTION, eng->cmd[0]);
			break;
		}
	}
	if (gs->exec_cost_ns) {
		uint64_t cost = gs->exec_cost_ns;

		gs->exec_cost_ns = 0;
		gensim_advance_locked(gs, cost);
	}
	return n;
}

/* ---- Commands ------------------------------------------------------------ */

static uint32_t hwsp(const struct gensim *gs, const struct gensim_engine *eng)
{
	return gensim_reg_get(gs, eng->desc->hws_pga) & HSW_HWS_ADDRESS_MASK;
}

static int store(struct gensim *gs, struct gensim_engine *eng, uint64_t addr,
		 const uint32_t *data, unsigned ndw)
{
	/* Faults are latched by the access itself; execution goes on. */
	gensim_gm_access(gs, eng, addr, (void *)(uintptr_t)data, ndw * 4u, GENSIM_WRITE);
	return 0;
}

static int cmd_nop(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	(void)gs; (void)eng; (void)cmd; (void)len;
	return 0;
}

static int cmd_user_interrupt(struct gensim *gs, struct gensim_engine *eng,
			      const uint32_t *cmd, unsigned len)
{
	(void)cmd; (void)len;
	gensim_irq_engine(gs, eng, eng->desc->user_irq);
	return 0;
}

static int cmd_bb_end(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	(void)gs; (void)cmd; (void)len;
	if (eng->level == 0)
		return -EINVAL;         /* nothing to return from */
	eng->level--;
	return 0;
}

static int cmd_bb_start(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	uint32_t addr = cmd[1] & ~3u;
	uint32_t base = eng->desc->base;

	(void)len;
	/* Batches in a per-process GTT are not modelled yet; aliasing PPGTT is GGTT. */
	if ((cmd[0] & HSW_MI_BB_PPGTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	switch (eng->level) {
	case 0:
		eng->level = 1;
		break;
	case 1:
		if (cmd[0] & HSW_MI_BB_SECOND_LEVEL)
			eng->level = 2;         /* returns to level 1 on BB_END */
		break;
	default:
		if (cmd[0] & HSW_MI_BB_SECOND_LEVEL)
			return -EINVAL;         /* there is no third level */
		break;
	}
	eng->bb_addr[eng->level] = addr;
	gensim_reg_set(gs, eng->level == 2 ? HSW_RING_SBBADDR(base) : HSW_RING_BBADDR(base), addr);
	gensim_reg_set(gs, HSW_RING_BBSTATE(base), (cmd[0] & HSW_MI_BB_PPGTT) ? HSW_BB_ADDR_PPGTT : 0);
	gs->stats.batches++;
	return 0;
}

static int cmd_sdi(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	if (!(cmd[0] & HSW_MI_USE_GGTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	if (len == 5) {
		if (cmd[2] & 7u)
			return -EINVAL;         /* a qword store needs a qword address */
		return store(gs, eng, cmd[2], &cmd[3], 2);
	}
	return store(gs, eng, cmd[2] & ~3u, &cmd[3], 1);
}

static int cmd_sdi_index(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	(void)len;
	return store(gs, eng, hwsp(gs, eng) + (cmd[1] & 0xFFCu), &cmd[2], 1);
}

static int cmd_lri(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	(void)eng;
	for (unsigned i = 1; i + 1 < len; i += 2)
		gensim_reg_write(gs, cmd[i] & 0x7FFFFCu, cmd[i + 1], ~0u);
	return 0;
}

static int cmd_srm(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	uint32_t v;

	(void)len;
	if (!(cmd[0] & HSW_MI_USE_GGTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	gensim_reg_read(gs, cmd[1] & 0x7FFFFCu, &v);
	return store(gs, eng, cmd[2] & ~3u, &v, 1);
}

static int cmd_lrm(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	uint32_t v;

	(void)len;
	if (!(cmd[0] & HSW_MI_USE_GGTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	gensim_gm_access(gs, eng, cmd[2] & ~3u, &v, 4, GENSIM_READ);
	gensim_reg_write(gs, cmd[1] & 0x7FFFFCu, v, ~0u);
	return 0;
}

/* Post-sync write shared by MI_FLUSH_DW and PIPE_CONTROL. */
static int post_sync(struct gensim *gs, struct gensim_engine *eng, uint32_t op,
		     uint64_t addr, const uint32_t *imm, unsigned imm_dw)
{
	uint64_t ts = gensim_clock(gs) / GENSIM_TIMESTAMP_NS;
	uint32_t qw[2];

	switch (op) {
	case 0:
		return 0;
	case 1:
		return store(gs, eng, addr, imm, imm_dw);
	case 2:
		/* PS_DEPTH_COUNT: gensim has no pixel pipeline, so it is 0. */
		qw[0] = qw[1] = 0;
		return store(gs, eng, addr, qw, 2);
	default:
		qw[0] = (uint32_t)ts;
		qw[1] = (uint32_t)(ts >> 32);
		return store(gs, eng, addr, qw, 2);
	}
}

static int cmd_flush_dw(struct gensim *gs, struct gensim_engine *eng, const uint32_t *cmd, unsigned len)
{
	uint32_t op = (cmd[0] & HSW_MI_FLUSH_DW_OP_MASK) >> HSW_MI_FLUSH_DW_OP_SHIFT;
	uint64_t addr;
	int ret;

	if (op == 2)
		return -EINVAL;         /* reserved on the copy engines */
	if (op && !(cmd[1] & HSW_MI_FLUSH_DW_USE_GTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	if (cmd[0] & HSW_MI_FLUSH_DW_STORE_INDEX)
		addr = hwsp(gs, eng) + (cmd[1] & 0xFF8u);
	else
		addr = cmd[1] & ~7u;
	ret = post_sync(gs, eng, op, addr, &cmd[2], len - 2);
	if (!ret && (cmd[0] & HSW_MI_FLUSH_DW_NOTIFY) && eng->desc->flush_notify_irq)
		gensim_irq_engine(gs, eng, eng->desc->flush_notify_irq);
	return ret;
}

static int cmd_pipe_control(struct gensim *gs, struct gensim_engine *eng,
			    const uint32_t *cmd, unsigned len)
{
	uint32_t flags = cmd[1];
	uint32_t op = (flags & HSW_PIPE_CONTROL_POST_SYNC_MASK) >> 14;
	uint64_t addr;
	int ret;

	if (flags & HSW_PIPE_CONTROL_MMIO_WRITE)
		return -ENOTSUP;
	if (op && !(flags & HSW_PIPE_CONTROL_GLOBAL_GTT) && ppgtt_enabled(gs, eng))
		return -ENOTSUP;
	if (flags & HSW_PIPE_CONTROL_STORE_INDEX)
		addr = hwsp(gs, eng) + (cmd[2] & 0xFF8u);
	else
		addr = cmd[2] & (op == 1 && len == 4 ? ~3u : ~7u);
	ret = post_sync(gs, eng, op, addr, &cmd[3], len - 3);
	if (!ret && (flags & HSW_PIPE_CONTROL_NOTIFY))
		gensim_irq_engine(gs, eng, HSW_GT_RENDER_PIPECTL_NOTIFY);
	return ret;
}

static int cmd_xy_color_blt(struct gensim *gs, struct gensim_engine *eng,
			    const uint32_t *cmd, unsigned len)
{
	(void)len;
	return gensim_blt_color(gs, eng, cmd);
}

static int cmd_xy_src_copy_blt(struct gensim *gs, struct gensim_engine *eng,
			       const uint32_t *cmd, unsigned len)
{
	(void)len;
	return gensim_blt_src_copy(gs, eng, cmd);
}

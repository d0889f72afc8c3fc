/* SPDX-License-Identifier: MIT */
/*
 * Haswell command encodings as data: how DW0 names each command vgt knows,
 * on which engines, and how long the command is.
 *
 * One table, read by the mediator's auditor (core/cmd_parser.c) and by
 * gensim's command streamer (gensim/gensim_cs.c) to find a command and
 * decode its length, so that both walk a ring or batch the same way.  What
 * a command *does* (its audit, its execution) stays with each of them.
 *
 * Length rule: a command with a "DWord Length" field is
 * (DW0 & len_mask) + bias dwords long.  The field is taken whole, never
 * fewer bits: a decoder that ignored upper field bits would walk a
 * different ring from the hardware.  A length outside the command's
 * [min_len, max_len] (in steps of len_step) is an error, not a shorter
 * command.  A command without a field (len_mask 0) is min_len dwords.
 *
 * Field widths are those of Linux 6.1's Gen7 command-parser tables,
 * drivers/gpu/drm/i915/i915_cmd_parser.c: the `.length.mask` of the
 * command's entry in the tables Haswell uses for the engine
 * (hsw_render_ring_cmd_table = gen7_common_cmds + gen7_render_cmds +
 * hsw_render_cmds; gen7_video_cmd_table = gen7_common_cmds +
 * gen7_video_cmds; hsw_vebox_cmd_table = gen7_common_cmds +
 * gen7_vecs_cmds; hsw_blt_ring_cmd_table = gen7_common_cmds +
 * gen7_blt_cmds + hsw_blt_cmds), with LENGTH_BIAS 2.  A command those
 * tables do not list takes the engine's default field,
 * gen7_{render,bsd,blt}_get_cmd_length_mask(): 0x3F for MI, 0xFF for 2D
 * and for 3D outside the media subclient.  The opcodes are those of
 * drivers/gpu/drm/i915/gt/intel_gpu_commands.h; the header masks are
 * i915's `~0u << STD_{MI,2D,3D}_OPCODE_SHIFT` (bits 31:23, 31:22, 31:16).
 *
 * Freestanding, like the other hsw/ headers.
 */
#ifndef HSW_CMD_TABLE_H
#define HSW_CMD_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsw/hsw_cmds.h"

/* The commands; an encoding may differ per engine, so several entries share an id. */
enum hsw_cmd_id {
	HSW_CMD_MI_NOOP,
	HSW_CMD_MI_USER_INTERRUPT,
	HSW_CMD_MI_ARB_CHECK,
	HSW_CMD_MI_BATCH_BUFFER_END,
	HSW_CMD_MI_STORE_DATA_IMM,
	HSW_CMD_MI_STORE_DATA_INDEX,
	HSW_CMD_MI_LOAD_REGISTER_IMM,
	HSW_CMD_MI_STORE_REGISTER_MEM,
	HSW_CMD_MI_FLUSH_DW,
	HSW_CMD_MI_LOAD_REGISTER_MEM,
	HSW_CMD_MI_BATCH_BUFFER_START,
	HSW_CMD_PIPE_CONTROL,
	HSW_CMD_XY_COLOR_BLT,
	HSW_CMD_XY_SRC_COPY_BLT,
	HSW_NUM_CMDS
};

/* Engines as bits, by the index vgt and gensim both use (RCS, VCS, BCS, VECS). */
#define HSW_ENG_RCS             (1u << 0)
#define HSW_ENG_VCS             (1u << 1)
#define HSW_ENG_BCS             (1u << 2)
#define HSW_ENG_VECS            (1u << 3)
#define HSW_ENG_ALL             (HSW_ENG_RCS | HSW_ENG_VCS | HSW_ENG_BCS | HSW_ENG_VECS)
#define HSW_NUM_ENGINES         4u

/* DW0 bits that identify a command of each client (i915: ~0u << STD_*_OPCODE_SHIFT). */
#define HSW_HDR_MASK_MI         0xFF800000u     /* client 31:29, opcode 28:23 */
#define HSW_HDR_MASK_2D         0xFFC00000u     /* client 31:29, opcode 28:22 */
#define HSW_HDR_MASK_3D         0xFFFF0000u     /* client, subtype, opcode, sub-opcode */

#define HSW_LENGTH_BIAS         2u              /* i915 LENGTH_BIAS: the field excludes DW0 and DW1 */
/* The longest command vgt accepts: MI_LOAD_REGISTER_IMM of i915's 126 pairs. */
#define HSW_CMD_MAX_DW          (1u + 2u * HSW_MI_LRI_MAX_REGS)

struct hsw_cmd_enc {
	enum hsw_cmd_id id;
	const char *name;
	uint32_t header;        /* DW0 & header_mask for this command */
	uint32_t header_mask;
	uint32_t len_mask;      /* the DWord Length field; 0: none */
	uint32_t bias;          /* total dwords = field + bias */
	uint32_t min_len, max_len;      /* total dwords; equal for a fixed length */
	uint32_t len_step;      /* 0 or 1: any length in range; 2: whole (register, value) pairs */
	uint32_t engines;       /* HSW_ENG_* where this encoding applies */
};

static const struct hsw_cmd_enc hsw_cmd_table[] = {
	/* gen7_common_cmds: CMD(MI_NOOP, SMI, F, 1, S): fixed 1, no length field. */
	{ .id = HSW_CMD_MI_NOOP, .name = "MI_NOOP",
	  .header = HSW_MI_INSTR(HSW_MI_NOOP_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .min_len = 1, .max_len = 1, .engines = HSW_ENG_ALL },
	/* gen7_common_cmds: CMD(MI_USER_INTERRUPT, SMI, F, 1, R): fixed 1. */
	{ .id = HSW_CMD_MI_USER_INTERRUPT, .name = "MI_USER_INTERRUPT",
	  .header = HSW_MI_INSTR(HSW_MI_USER_INTERRUPT_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .min_len = 1, .max_len = 1, .engines = HSW_ENG_ALL },
	/* gen7_common_cmds: CMD(MI_ARB_CHECK, SMI, F, 1, S): fixed 1. */
	{ .id = HSW_CMD_MI_ARB_CHECK, .name = "MI_ARB_CHECK",
	  .header = HSW_MI_INSTR(HSW_MI_ARB_CHECK_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .min_len = 1, .max_len = 1, .engines = HSW_ENG_ALL },
	/*
	 * Not in the Gen7 tables: intel_engine_cmd_parser() stops at a DW0
	 * equal to MI_BATCH_BUFFER_END.  A single dword (hsw-facts §7.1: the
	 * MI opcodes below 0x10 have no length field).
	 */
	{ .id = HSW_CMD_MI_BATCH_BUFFER_END, .name = "MI_BATCH_BUFFER_END",
	  .header = HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_END_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .min_len = 1, .max_len = 1, .engines = HSW_ENG_ALL },
	/*
	 * MI_STORE_DWORD_IMM: a different field per engine.  4 dwords (Gen4-7
	 * form, MI_STORE_DWORD_IMM_GEN4), 5 for a qword.
	 *   RCS: gen7_render_cmds, CMD(MI_STORE_DWORD_IMM, SMI, !F, 0x3F, B): 6 bits.
	 */
	{ .id = HSW_CMD_MI_STORE_DATA_IMM, .name = "MI_STORE_DATA_IMM",
	  .header = HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0x3Fu, .bias = HSW_LENGTH_BIAS, .min_len = 4, .max_len = 5,
	  .engines = HSW_ENG_RCS },
	/*   VCS: gen7_video_cmds, VECS: gen7_vecs_cmds, both CMD(MI_STORE_DWORD_IMM, SMI, !F, 0xFF, B): 8 bits. */
	{ .id = HSW_CMD_MI_STORE_DATA_IMM, .name = "MI_STORE_DATA_IMM",
	  .header = HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 4, .max_len = 5,
	  .engines = HSW_ENG_VCS | HSW_ENG_VECS },
	/*   BCS: gen7_blt_cmds, CMD(MI_STORE_DWORD_IMM, SMI, !F, 0x3FF, B): 10 bits. */
	{ .id = HSW_CMD_MI_STORE_DATA_IMM, .name = "MI_STORE_DATA_IMM",
	  .header = HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0x3FFu, .bias = HSW_LENGTH_BIAS, .min_len = 4, .max_len = 5,
	  .engines = HSW_ENG_BCS },
	/* gen7_common_cmds: CMD(MI_STORE_DWORD_INDEX, SMI, !F, 0xFF, R): 8 bits; 3 dwords. */
	{ .id = HSW_CMD_MI_STORE_DATA_INDEX, .name = "MI_STORE_DATA_INDEX",
	  .header = HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 3, .max_len = 3,
	  .engines = HSW_ENG_ALL },
	/*
	 * gen7_common_cmds: CMD(MI_LOAD_REGISTER_IMM(1), SMI, !F, 0xFF, W): 8
	 * bits; 1 + 2n dwords, n at most MI_LOAD_REGISTER_IMM_MAX_REGS (126,
	 * intel_gpu_commands.h).
	 */
	{ .id = HSW_CMD_MI_LOAD_REGISTER_IMM, .name = "MI_LOAD_REGISTER_IMM",
	  .header = HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_IMM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 3, .max_len = HSW_CMD_MAX_DW,
	  .len_step = 2, .engines = HSW_ENG_ALL },
	/*
	 * gen7_common_cmds lists it fixed, CMD(MI_STORE_REGISTER_MEM, SMI, F, 3,
	 * W | B), but DW0 still carries a length: it is decoded with the MI
	 * default 0x3F (gen7_*_get_cmd_length_mask), 6 bits, and must say 3, so
	 * that a header claiming another length is refused, not read as 3.
	 */
	{ .id = HSW_CMD_MI_STORE_REGISTER_MEM, .name = "MI_STORE_REGISTER_MEM",
	  .header = HSW_MI_INSTR(HSW_MI_STORE_REGISTER_MEM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0x3Fu, .bias = HSW_LENGTH_BIAS, .min_len = 3, .max_len = 3,
	  .engines = HSW_ENG_ALL },
	/*
	 * gen7_video_cmds, gen7_vecs_cmds, gen7_blt_cmds: CMD(MI_FLUSH_DW, SMI,
	 * !F, 0x3F, B): 6 bits; 3 dwords, 4 with qword data.  Not on RCS.
	 */
	{ .id = HSW_CMD_MI_FLUSH_DW, .name = "MI_FLUSH_DW",
	  .header = HSW_MI_INSTR(HSW_MI_FLUSH_DW_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0x3Fu, .bias = HSW_LENGTH_BIAS, .min_len = 3, .max_len = 4,
	  .engines = HSW_ENG_VCS | HSW_ENG_BCS | HSW_ENG_VECS },
	/* As MI_STORE_REGISTER_MEM: gen7_common_cmds CMD(MI_LOAD_REGISTER_MEM, SMI, F, 3, W | B), MI default 0x3F. */
	{ .id = HSW_CMD_MI_LOAD_REGISTER_MEM, .name = "MI_LOAD_REGISTER_MEM",
	  .header = HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_MEM_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0x3Fu, .bias = HSW_LENGTH_BIAS, .min_len = 3, .max_len = 3,
	  .engines = HSW_ENG_ALL },
	/* gen7_common_cmds: CMD(MI_BATCH_BUFFER_START, SMI, !F, 0xFF, S): 8 bits; 2 dwords on Gen7. */
	{ .id = HSW_CMD_MI_BATCH_BUFFER_START, .name = "MI_BATCH_BUFFER_START",
	  .header = HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0), .header_mask = HSW_HDR_MASK_MI,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 2, .max_len = 2,
	  .engines = HSW_ENG_ALL },
	/* gen7_render_cmds: CMD(GFX_OP_PIPE_CONTROL(5), S3D, !F, 0xFF, B): 8 bits; 4 or 5 dwords. */
	{ .id = HSW_CMD_PIPE_CONTROL, .name = "PIPE_CONTROL",
	  .header = HSW_PIPE_CONTROL_OPCODE << 16, .header_mask = HSW_HDR_MASK_3D,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 4, .max_len = 5,
	  .engines = HSW_ENG_RCS },
	/*
	 * The XY blits are in no Gen7 table: gen7_blt_get_cmd_length_mask()
	 * gives INSTR_BC_CLIENT 0xFF, 8 bits.  6 and 8 dwords (Gen4-7 forms).
	 */
	{ .id = HSW_CMD_XY_COLOR_BLT, .name = "XY_COLOR_BLT",
	  .header = ((uint32_t)HSW_CLIENT_2D << 29) | (HSW_XY_COLOR_BLT_OP << 22),
	  .header_mask = HSW_HDR_MASK_2D,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 6, .max_len = 6,
	  .engines = HSW_ENG_BCS },
	{ .id = HSW_CMD_XY_SRC_COPY_BLT, .name = "XY_SRC_COPY_BLT",
	  .header = ((uint32_t)HSW_CLIENT_2D << 29) | (HSW_XY_SRC_COPY_BLT_OP << 22),
	  .header_mask = HSW_HDR_MASK_2D,
	  .len_mask = 0xFFu, .bias = HSW_LENGTH_BIAS, .min_len = 8, .max_len = 8,
	  .engines = HSW_ENG_BCS },
};

#define HSW_CMD_TABLE_SIZE      (sizeof(hsw_cmd_table) / sizeof(hsw_cmd_table[0]))

/*
 * The encoding of the command @dw0 starts, among those that apply to one
 * of @engines; NULL if none does.
 */
static inline const struct hsw_cmd_enc *hsw_cmd_find(uint32_t dw0, uint32_t engines)
{
	for (size_t i = 0; i < HSW_CMD_TABLE_SIZE; i++) {
		const struct hsw_cmd_enc *c = &hsw_cmd_table[i];

		if ((dw0 & c->header_mask) == c->header && (c->engines & engines))
			return c;
	}
	return NULL;
}

/* Total dwords as DW0 states them: the whole field, whatever it says. */
static inline uint32_t hsw_cmd_len(const struct hsw_cmd_enc *c, uint32_t dw0)
{
	return c->len_mask ? (dw0 & c->len_mask) + c->bias : c->min_len;
}

/* Whether @len is a length the command has. */
static inline bool hsw_cmd_len_ok(const struct hsw_cmd_enc *c, uint32_t len)
{
	if (len < c->min_len || len > c->max_len)
		return false;
	return c->len_step <= 1 || (len - c->min_len) % c->len_step == 0;
}

#endif /* HSW_CMD_TABLE_H */

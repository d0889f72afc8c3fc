/* SPDX-License-Identifier: MIT */
/*
 * Haswell engines and the registers a context switch carries.  Command
 * encodings and lengths are hsw/hsw_cmd_table.h, shared with gensim; what
 * the auditor accepts and checks per command lives beside its audit
 * functions in cmd_parser.c, and cmd_groups below says which of those
 * command groups each engine takes.
 */
#include "private.h"

const struct vgt_engine_desc vgt_hsw_engines[VGT_NUM_ENGINES] = {
	[VGT_RCS] = { "rcs", HSW_RCS_BASE, HSW_RCS_HWS_PGA, HSW_RCS_FAULT_REG, HSW_GDRST_RENDER,
		      HSW_GT_RENDER_USER_INTERRUPT, HSW_GT_RENDER_CS_MASTER_ERROR, false,
		      VGT_CMDS_MI | VGT_CMDS_RENDER },
	[VGT_VCS] = { "vcs", HSW_VCS_BASE, HSW_VCS_HWS_PGA, HSW_VCS_FAULT_REG, HSW_GDRST_MEDIA,
		      HSW_GT_BSD_USER_INTERRUPT, HSW_GT_BSD_CS_ERROR, false,
		      VGT_CMDS_MI | VGT_CMDS_FLUSH_DW },
	[VGT_BCS] = { "bcs", HSW_BCS_BASE, HSW_BCS_HWS_PGA, HSW_BCS_FAULT_REG, HSW_GDRST_BLT,
		      HSW_GT_BLT_USER_INTERRUPT, HSW_GT_BLT_CS_ERROR, false,
		      VGT_CMDS_MI | VGT_CMDS_FLUSH_DW | VGT_CMDS_BLT },
	[VGT_VECS] = { "vecs", HSW_VECS_BASE, HSW_VECS_HWS_PGA, HSW_VECS_FAULT_REG, HSW_GDRST_VECS,
		       1u << 10, 1u << 12, true, VGT_CMDS_MI | VGT_CMDS_FLUSH_DW },
};

/*
 * Per engine: the status page, the mode registers and the status-page mask.
 * RING_IMR and MI_MODE stay the mediator's: it owns interrupt routing and
 * starting and stopping the physical rings.
 */
#define ENGINE_CTX(b, hws) \
	{ HSW_RING_MODE(b), true }, { HSW_RING_INSTPM(b), true }, \
	{ HSW_RING_HWSTAM(b), false }, { (hws), false }

static const struct vgt_ctx_reg ctx_rcs[] = { ENGINE_CTX(HSW_RCS_BASE, HSW_RCS_HWS_PGA) };
static const struct vgt_ctx_reg ctx_vcs[] = { ENGINE_CTX(HSW_VCS_BASE, HSW_VCS_HWS_PGA) };
static const struct vgt_ctx_reg ctx_bcs[] = { ENGINE_CTX(HSW_BCS_BASE, HSW_BCS_HWS_PGA) };
static const struct vgt_ctx_reg ctx_vecs[] = { ENGINE_CTX(HSW_VECS_BASE, HSW_VECS_HWS_PGA) };

const struct vgt_ctx_list vgt_hsw_ctx[VGT_NUM_ENGINES] = {
	[VGT_RCS] = { ctx_rcs, sizeof(ctx_rcs) / sizeof(ctx_rcs[0]) },
	[VGT_VCS] = { ctx_vcs, sizeof(ctx_vcs) / sizeof(ctx_vcs[0]) },
	[VGT_BCS] = { ctx_bcs, sizeof(ctx_bcs) / sizeof(ctx_bcs[0]) },
	[VGT_VECS] = { ctx_vecs, sizeof(ctx_vecs) / sizeof(ctx_vecs[0]) },
};

/* SPDX-License-Identifier: MIT */
/*
 * Haswell command encodings (Gen4-7 command forms; see hsw-facts.md §7).
 * Freestanding: shared by gensim, the reference guest driver and the
 * mediator's command parser.
 */
#ifndef HSW_CMDS_H
#define HSW_CMDS_H

/* DW0 header fields */
#define HSW_CMD_CLIENT(dw)      (((dw) >> 29) & 0x7u)
#define HSW_CLIENT_MI           0u
#define HSW_CLIENT_2D           2u
#define HSW_CLIENT_3D           3u
#define HSW_MI_OPCODE(dw)       (((dw) >> 23) & 0x3Fu)
#define HSW_2D_OPCODE(dw)       (((dw) >> 22) & 0x7Fu)

/*
 * Which commands exist on which engine and how long each is: see
 * hsw_cmd_table.h, the one table the auditor and gensim both decode with.
 */

#define HSW_MI_INSTR(op, len)   (((unsigned int)(op) << 23) | (unsigned int)(len))

/* MI opcodes (bits 28:23) */
#define HSW_MI_NOOP_OP                  0x00u
#define HSW_MI_USER_INTERRUPT_OP        0x02u
#define HSW_MI_WAIT_FOR_EVENT_OP        0x03u
#define HSW_MI_ARB_CHECK_OP             0x05u
#define HSW_MI_ARB_ON_OFF_OP            0x08u
#define HSW_MI_BATCH_BUFFER_END_OP      0x0Au
#define HSW_MI_STORE_DATA_IMM_OP        0x20u
#define HSW_MI_STORE_DATA_INDEX_OP      0x21u
#define HSW_MI_LOAD_REGISTER_IMM_OP     0x22u
#define HSW_MI_STORE_REGISTER_MEM_OP    0x24u
#define HSW_MI_FLUSH_DW_OP              0x26u
#define HSW_MI_LOAD_REGISTER_MEM_OP     0x29u
#define HSW_MI_BATCH_BUFFER_START_OP    0x31u

#define HSW_MI_NOOP                     HSW_MI_INSTR(HSW_MI_NOOP_OP, 0)
#define HSW_MI_USER_INTERRUPT           HSW_MI_INSTR(HSW_MI_USER_INTERRUPT_OP, 0)
#define HSW_MI_ARB_CHECK                HSW_MI_INSTR(HSW_MI_ARB_CHECK_OP, 0)
#define HSW_MI_BATCH_BUFFER_END         HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_END_OP, 0)
/* 4 dwords: DW1 = 0, DW2 = address, DW3 = data */
#define HSW_MI_STORE_DATA_IMM           HSW_MI_INSTR(HSW_MI_STORE_DATA_IMM_OP, 2)
/* 3 dwords: DW1 = byte offset in the status page, DW2 = data */
#define HSW_MI_STORE_DATA_INDEX         HSW_MI_INSTR(HSW_MI_STORE_DATA_INDEX_OP, 1)
/* 1 + 2n dwords */
#define HSW_MI_LOAD_REGISTER_IMM(n)     HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_IMM_OP, 2u * (n) - 1u)
#define HSW_MI_LRI_MAX_REGS             126u
#define HSW_MI_STORE_REGISTER_MEM       HSW_MI_INSTR(HSW_MI_STORE_REGISTER_MEM_OP, 1)
#define HSW_MI_LOAD_REGISTER_MEM        HSW_MI_INSTR(HSW_MI_LOAD_REGISTER_MEM_OP, 1)
#define HSW_MI_FLUSH_DW                 HSW_MI_INSTR(HSW_MI_FLUSH_DW_OP, 1)
#define HSW_MI_BATCH_BUFFER_START       HSW_MI_INSTR(HSW_MI_BATCH_BUFFER_START_OP, 0)

#define HSW_MI_USE_GGTT                 (1u << 22)  /* SDI, SRM, LRM */

/* MI_FLUSH_DW */
#define HSW_MI_FLUSH_DW_STORE_INDEX     (1u << 21)
#define HSW_MI_FLUSH_DW_INVALIDATE_TLB  (1u << 18)
#define HSW_MI_FLUSH_DW_OP_SHIFT        14
#define HSW_MI_FLUSH_DW_OP_MASK         (3u << 14)
#define HSW_MI_FLUSH_DW_OP_STOREDW      (1u << 14)
#define HSW_MI_FLUSH_DW_NOTIFY          (1u << 8)
#define HSW_MI_FLUSH_DW_USE_GTT         (1u << 2)   /* in DW1 */

/* MI_BATCH_BUFFER_START (2 dwords on Gen7) */
#define HSW_MI_BB_PPGTT                 (1u << 8)
#define HSW_MI_BB_NON_SECURE            (1u << 13)
#define HSW_MI_BB_SECOND_LEVEL          (1u << 22)

/* PIPE_CONTROL (RCS; 4 dwords on Gen7, 5 with 64-bit data) */
#define HSW_GFX_OP_PIPE_CONTROL(len)    (0x7A000000u | ((len) - 2u))
#define HSW_PIPE_CONTROL_OPCODE         0x7A00u     /* bits 31:16 of DW0 */
#define HSW_PIPE_CONTROL_GLOBAL_GTT     (1u << 24)
#define HSW_PIPE_CONTROL_MMIO_WRITE     (1u << 23)
#define HSW_PIPE_CONTROL_STORE_INDEX    (1u << 21)
#define HSW_PIPE_CONTROL_CS_STALL       (1u << 20)
#define HSW_PIPE_CONTROL_TLB_INVALIDATE (1u << 18)
#define HSW_PIPE_CONTROL_POST_SYNC_MASK (3u << 14)
#define HSW_PIPE_CONTROL_WRITE_IMM      (1u << 14)
#define HSW_PIPE_CONTROL_WRITE_DEPTH    (2u << 14)
#define HSW_PIPE_CONTROL_WRITE_TIMESTAMP (3u << 14)
#define HSW_PIPE_CONTROL_RT_FLUSH       (1u << 12)
#define HSW_PIPE_CONTROL_NOTIFY         (1u << 8)
#define HSW_PIPE_CONTROL_FLUSH_ENABLE   (1u << 7)
#define HSW_PIPE_CONTROL_DC_FLUSH       (1u << 5)
#define HSW_PIPE_CONTROL_DEPTH_FLUSH    (1u << 0)

/* Blitter (2D client; opcode in bits 28:22) */
#define HSW_XY_COLOR_BLT_OP             0x50u
#define HSW_XY_SRC_COPY_BLT_OP          0x53u
#define HSW_XY_COLOR_BLT                0x54000004u  /* 6 dwords */
#define HSW_XY_SRC_COPY_BLT             0x54C00006u  /* 8 dwords */
#define HSW_BLT_WRITE_ALPHA             (1u << 21)
#define HSW_BLT_WRITE_RGB               (1u << 20)
#define HSW_BLT_WRITE_RGBA              (HSW_BLT_WRITE_ALPHA | HSW_BLT_WRITE_RGB)
#define HSW_BLT_SRC_TILED               (1u << 15)
#define HSW_BLT_DST_TILED               (1u << 11)
/* BR13 */
#define HSW_BR13_PITCH_MASK             0xFFFFu
#define HSW_BR13_ROP_SHIFT              16
#define HSW_BR13_DEPTH_SHIFT            24
#define HSW_BR13_8BPP                   (0u << 24)
#define HSW_BR13_565                    (1u << 24)
#define HSW_BR13_1555                   (2u << 24)
#define HSW_BR13_32BPP                  (3u << 24)
#define HSW_ROP_SRCCOPY                 0xCCu
#define HSW_ROP_PATCOPY                 0xF0u

#endif /* HSW_CMDS_H */

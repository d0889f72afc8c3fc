/* SPDX-License-Identifier: MIT */
/*
 * Haswell (Gen7.5) register offsets and bit fields.
 *
 * These are facts from Intel's public programmer's reference manuals and
 * Linux's i915 headers (see shared/reference/hsw-facts.md for the sources of
 * each one).  The header is freestanding: it is shared by gensim, the
 * reference guest driver (which is also built into bare-metal guests) and
 * the mediator.
 */
#ifndef HSW_REGS_H
#define HSW_REGS_H

/* ---- PCI ---------------------------------------------------------------- */
#define HSW_PCI_VENDOR_INTEL    0x8086u
#define HSW_PCI_DEVICE_GT2      0x0412u
#define HSW_PCI_REVISION        0x06u
#define HSW_PCI_CLASS_VGA       0x030000u

#define HSW_PCI_GGC             0x50u   /* 16-bit GMCH control */
#define HSW_GGC_GGMS_SHIFT      8       /* GTT size in MiB, bits 9:8 */
#define HSW_GGC_GMS_SHIFT       3       /* stolen size / 32 MiB, bits 7:3 */
#define HSW_GGC_VGA_DISABLE     (1u << 1)
#define HSW_PCI_BDSM            0x5Cu
#define HSW_PCI_MSI_CAP         0x90u
#define HSW_PCI_AF_CAP          0xA4u
#define HSW_PCI_PM_CAP          0xD0u

/* BAR0: registers in the low half, the GGTT PTE array in the high half. */
#define HSW_BAR0_SIZE           (4u << 20)
#define HSW_MMIO_SIZE           (2u << 20)
#define HSW_GTT_OFFSET          (2u << 20)
#define HSW_GTT_SIZE            (2u << 20)
#define HSW_GTT_ENTRIES         (HSW_GTT_SIZE / 4u)     /* 512K PTEs */
#define HSW_GM_SIZE             ((unsigned long long)HSW_GTT_ENTRIES << 12) /* 2 GiB */
#define HSW_BAR4_SIZE           64u
#define HSW_IO_MMIO_INDEX       0u
#define HSW_IO_MMIO_DATA        4u

/* ---- GGTT PTE (Gen7, 32-bit) -------------------------------------------- */
#define HSW_PTE_VALID           (1u << 0)
#define HSW_PTE_ADDR_MASK       0xFFFFF000u
#define HSW_PTE_HIGH_MASK       0x7F0u          /* physical bits 38:32 -> 10:4 */
#define HSW_PTE_CACHE_MASK      0x80Eu          /* bits 11, 3:1 */
#define HSW_WB_LLC_AGE3         0x004u
#define HSW_PTE_ENCODE(pa) \
	((unsigned int)((pa) & HSW_PTE_ADDR_MASK) | \
	 (unsigned int)(((pa) >> 28) & HSW_PTE_HIGH_MASK))
#define HSW_PTE_DECODE(pte) \
	(((unsigned long long)(pte) & HSW_PTE_ADDR_MASK) | \
	 (((unsigned long long)(pte) & HSW_PTE_HIGH_MASK) << 28))

/* ---- Fences -------------------------------------------------------------- */
#define HSW_NUM_FENCES          32u
#define HSW_FENCE_LO(i)         (0x100000u + 8u * (i))
#define HSW_FENCE_HI(i)         (0x100000u + 8u * (i) + 4u)
#define HSW_FENCE_VALID         (1u << 0)
#define HSW_FENCE_TILING_Y      (1u << 1)
#define HSW_FENCE_PITCH_MASK    0xFFFu          /* in HI: (pitch/128) - 1 */
#define HSW_FENCE_MAX_PITCH     (0x800u * 128u)

/* ---- Engines ------------------------------------------------------------- */
#define HSW_RCS_BASE            0x02000u
#define HSW_VCS_BASE            0x12000u
#define HSW_BCS_BASE            0x22000u
#define HSW_VECS_BASE           0x1A000u

#define HSW_RING_TAIL(b)        ((b) + 0x30u)
#define HSW_RING_HEAD(b)        ((b) + 0x34u)
#define HSW_RING_START(b)       ((b) + 0x38u)
#define HSW_RING_CTL(b)         ((b) + 0x3Cu)
#define HSW_RING_IPEIR(b)       ((b) + 0x64u)
#define HSW_RING_IPEHR(b)       ((b) + 0x68u)
#define HSW_RING_INSTDONE(b)    ((b) + 0x6Cu)
#define HSW_RING_ACTHD(b)       ((b) + 0x74u)
#define HSW_RING_NOPID(b)       ((b) + 0x94u)
#define HSW_RING_HWSTAM(b)      ((b) + 0x98u)
#define HSW_RING_MI_MODE(b)     ((b) + 0x9Cu)
#define HSW_RING_IMR(b)         ((b) + 0xA8u)
#define HSW_RING_EIR(b)         ((b) + 0xB0u)
#define HSW_RING_EMR(b)         ((b) + 0xB4u)
#define HSW_RING_ESR(b)         ((b) + 0xB8u)
#define HSW_RING_INSTPM(b)      ((b) + 0xC0u)
#define HSW_RING_BBSTATE(b)     ((b) + 0x110u)
#define HSW_RING_SBBADDR(b)     ((b) + 0x114u)
#define HSW_RING_BBADDR(b)      ((b) + 0x140u)
#define HSW_RING_MODE(b)        ((b) + 0x29Cu)
#define HSW_RING_TIMESTAMP(b)   ((b) + 0x358u)
#define HSW_RING_TIMESTAMP_UDW(b) ((b) + 0x35Cu)

#define HSW_TAIL_ADDR           0x001FFFF8u
#define HSW_HEAD_ADDR           0x001FFFFCu
#define HSW_HEAD_WRAP_SHIFT     21
#define HSW_HEAD_WRAP_ONE       0x00200000u
#define HSW_START_ADDR          0xFFFFF000u
#define HSW_RING_VALID          (1u << 0)
#define HSW_RING_CTL_SIZE_MASK  0x001FF000u     /* (size - 4 KiB) */
#define HSW_RING_WAIT           (1u << 11)
#define HSW_RING_WAIT_SEMAPHORE (1u << 10)
#define HSW_RING_CTL_RO         (HSW_RING_WAIT | HSW_RING_WAIT_SEMAPHORE)

#define HSW_MI_MODE_STOP_RING   (1u << 8)
#define HSW_MI_MODE_IDLE        (1u << 9)       /* read-only */

/* RING_EIR/EMR/ESR bits */
#define HSW_ERR_INSTRUCTION     (1u << 0)
#define HSW_ERR_PAGE_TABLE      (1u << 4)

#define HSW_BB_ADDR_PPGTT       (1u << 5)       /* RING_BBSTATE */

/* Gen7 status-page address registers (not base + 0x80 on Gen7) */
#define HSW_RCS_HWS_PGA         0x4080u
#define HSW_VCS_HWS_PGA         0x4180u
#define HSW_BCS_HWS_PGA         0x4280u
#define HSW_VECS_HWS_PGA        0x4380u
#define HSW_HWS_ADDRESS_MASK    0xFFFFF000u

/*
 * Per-engine fault registers, Gen6/7 layout (Linux 6.1 gt/intel_gt_regs.h
 * RING_FAULT_*, as gt/intel_gt.c gen6_check_faults() decodes them): the
 * faulting page in 31:12, GTT select (1 = GGTT) in 11, the requester's
 * source ID in 10:3, the fault type in 2:1 and VALID in 0.  Software
 * clears VALID with a read-modify-write (GEN6_RING_FAULT_REG_RMW in
 * gt/intel_engine.h).  Gen8 moved the register and its fields.
 */
#define HSW_RCS_FAULT_REG       0x4094u
#define HSW_VCS_FAULT_REG       0x4194u
#define HSW_BCS_FAULT_REG       0x4294u
#define HSW_VECS_FAULT_REG      0x4394u
#define HSW_FAULT_VALID         (1u << 0)
#define HSW_FAULT_TYPE_SHIFT    1
#define HSW_FAULT_TYPE_MASK     (3u << 1)
#define HSW_FAULT_SRCID_SHIFT   3
#define HSW_FAULT_SRCID_MASK    (0xFFu << 3)
#define HSW_FAULT_GTT_SEL       (1u << 11)
#define HSW_FAULT_PAGE_MASK     0xFFFFF000u

#define HSW_GFX_MODE_PPGTT_ENABLE (1u << 9)
#define HSW_GFX_FLSH_CNTL       0x101008u

/* ---- Reset and forcewake ------------------------------------------------- */
#define HSW_GDRST               0x941Cu
#define HSW_GDRST_FULL          (1u << 0)
#define HSW_GDRST_RENDER        (1u << 1)
#define HSW_GDRST_MEDIA         (1u << 2)
#define HSW_GDRST_BLT           (1u << 3)
#define HSW_GDRST_VECS          (1u << 4)
#define HSW_FORCEWAKE_MT        0xA188u
#define HSW_FORCEWAKE_ACK       0x130044u
#define HSW_ECOBUS              0xA180u
#define HSW_ECOBUS_FORCEWAKE_MT_ENABLE (1u << 5)

/* Unclaimed-access detection (i915 checks this on HSW) */
#define HSW_FPGA_DBG            0x42300u
#define HSW_FPGA_DBG_RM_NOCLAIM (1u << 31)

/* ---- Interrupts ---------------------------------------------------------- */
#define HSW_DEISR               0x44000u
#define HSW_DEIMR               0x44004u
#define HSW_DEIIR               0x44008u
#define HSW_DEIER               0x4400Cu
#define HSW_GTISR               0x44010u
#define HSW_GTIMR               0x44014u
#define HSW_GTIIR               0x44018u
#define HSW_GTIER               0x4401Cu
#define HSW_PMISR               0x44020u
#define HSW_PMIMR               0x44024u
#define HSW_PMIIR               0x44028u
#define HSW_PMIER               0x4402Cu
#define HSW_ERR_INT             0x44040u
#define HSW_DERRMR              0x44050u
#define HSW_SDEISR              0xC4000u
#define HSW_SDEIMR              0xC4004u
#define HSW_SDEIIR              0xC4008u
#define HSW_SDEIER              0xC400Cu

#define HSW_DE_MASTER_IRQ_CONTROL (1u << 31)
#define HSW_DE_PIPE_VBLANK(p)   (1u << (5u * (p)))
#define HSW_DE_PLANE_FLIP_DONE(p) (1u << (5u * (p) + 3u))

#define HSW_GT_RENDER_USER_INTERRUPT    (1u << 0)
#define HSW_GT_RENDER_CS_MASTER_ERROR   (1u << 3)
#define HSW_GT_RENDER_PIPECTL_NOTIFY    (1u << 4)
#define HSW_GT_BSD_USER_INTERRUPT       (1u << 12)
#define HSW_GT_BSD_CS_ERROR             (1u << 15)
#define HSW_GT_BLT_USER_INTERRUPT       (1u << 22)
#define HSW_GT_BLT_CS_ERROR             (1u << 25)
#define HSW_GT_BLT_FLUSHDW_NOTIFY       (1u << 26)

/* ---- Display ------------------------------------------------------------- */
#define HSW_NUM_PIPES           3u
#define HSW_PIPE_STRIDE         0x1000u
#define HSW_HTOTAL(p)           (0x60000u + HSW_PIPE_STRIDE * (p))
#define HSW_VTOTAL(p)           (0x6000Cu + HSW_PIPE_STRIDE * (p))
#define HSW_PIPESRC(p)          (0x6001Cu + HSW_PIPE_STRIDE * (p))
#define HSW_PIPEDSL(p)          (0x70000u + HSW_PIPE_STRIDE * (p))
#define HSW_PIPECONF(p)         (0x70008u + HSW_PIPE_STRIDE * (p))
#define HSW_PIPESTAT(p)         (0x70024u + HSW_PIPE_STRIDE * (p))
#define HSW_PIPE_FRMCOUNT(p)    (0x70040u + HSW_PIPE_STRIDE * (p))
#define HSW_PIPE_FLIPCOUNT(p)   (0x70044u + HSW_PIPE_STRIDE * (p))
#define HSW_CURCNTR(p)          (0x70080u + HSW_PIPE_STRIDE * (p))
#define HSW_CURBASE(p)          (0x70084u + HSW_PIPE_STRIDE * (p))
#define HSW_CURPOS(p)           (0x70088u + HSW_PIPE_STRIDE * (p))
#define HSW_DSPCNTR(p)          (0x70180u + HSW_PIPE_STRIDE * (p))
#define HSW_DSPSTRIDE(p)        (0x70188u + HSW_PIPE_STRIDE * (p))
#define HSW_DSPSURF(p)          (0x7019Cu + HSW_PIPE_STRIDE * (p))
#define HSW_DSPOFFSET(p)        (0x701A4u + HSW_PIPE_STRIDE * (p))
#define HSW_DSPSURFLIVE(p)      (0x701ACu + HSW_PIPE_STRIDE * (p))

#define HSW_PIPECONF_ENABLE     (1u << 31)
#define HSW_PIPECONF_STATE      (1u << 30)      /* read-only */
#define HSW_DSPCNTR_ENABLE      (1u << 31)
#define HSW_DSPCNTR_FORMAT_SHIFT 26
#define HSW_DSPCNTR_FORMAT_MASK (0xFu << HSW_DSPCNTR_FORMAT_SHIFT)
#define HSW_DSPCNTR_TILED       (1u << 10)
#define HSW_DSPFMT_BGRX565      5u      /* DRM RGB565 */
#define HSW_DSPFMT_BGRX888      6u      /* DRM XRGB8888 */
#define HSW_DSPFMT_RGBX888      14u     /* DRM XBGR8888 */
#define HSW_DSPSURF_MASK        0xFFFFF000u

/* ---- PVINFO (the vGPU's paravirtual info page) ---------------------------- */
#define HSW_PVINFO_PAGE         0x78000u
#define HSW_PVINFO_SIZE         0x1000u

/* Tiling geometry shared by fences, blitter and display */
#define HSW_TILE_SIZE           4096u
#define HSW_XTILE_WIDTH         512u
#define HSW_XTILE_HEIGHT        8u
#define HSW_YTILE_WIDTH         128u
#define HSW_YTILE_HEIGHT        32u

#endif /* HSW_REGS_H */

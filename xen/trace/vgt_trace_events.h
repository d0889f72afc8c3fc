/* SPDX-License-Identifier: MIT */
/*
 * vgt's trace events, in Xen's xentrace format.
 *
 * A trace file is what `xentrace` writes: no file header, a sequence of
 * windows, each a TRC_TRACE_CPU_CHANGE record {cpu, byte count} followed
 * by that many bytes of t_rec records.  A t_rec is a 32-bit header (event
 * id in bits 27:0, number of extra words in 30:28, "TSC follows" in bit
 * 31), the 64-bit TSC if flagged, then up to seven 32-bit words.
 *
 * vgt's events are in class TRC_DOM0OP, subclass 0xf (0x0004f000 | minor):
 * Debian's xenalyze dumps and counts records of that class generically,
 * while it stops on classes it does not know (TRC_GUEST among them).  The
 * TSC vgt records is the device clock in nanoseconds.
 *
 * Every event's words are listed here; config/xentrace-formats says the
 * same for Xen's trace tools.  Records marked "input" drive a replay;
 * "output" records are what the mediator did, compared on replay.
 */
#ifndef VGT_TRACE_EVENTS_H
#define VGT_TRACE_EVENTS_H

#include <stdint.h>

/* ---- Xen's record format (xen/include/public/trace.h) --------------------------- */
#define VGT_TRC_EXTRA_SHIFT       28
#define VGT_TRC_EXTRA_MAX         7u
#define VGT_TRC_CYCLES_FLAG       (1u << 31)
#define VGT_TRC_EVENT_MASK        0x0FFFFFFFu
#define VGT_TRC_LOST_RECORDS      0x0001F001u
#define VGT_TRC_WRAP_BUFFER       0x0001F002u
#define VGT_TRC_CPU_CHANGE        0x0001F003u   /* words: cpu, bytes of records that follow */

/* Xen's own HVM I/O records, which `vgt trace import` reads. */
#define VGT_XEN_TRC_64_FLAG       0x100u
#define VGT_XEN_TRC_IOPORT_READ   0x00082016u   /* port, data */
#define VGT_XEN_TRC_IOMEM_READ    0x00082017u   /* addr, data (64-bit: addr lo/hi, data lo/hi) */
#define VGT_XEN_TRC_IOPORT_WRITE  0x00082216u
#define VGT_XEN_TRC_IOMEM_WRITE   0x00082217u

/* ---- vgt's class ----------------------------------------------------------------- */
#define VGT_TRC_CLASS             0x0004F000u   /* TRC_DOM0OP, subclass 0xf */
#define VGT_TRC_CLASS_MASK        0x0FFFF000u
#define VGT_TRC_EV(minor)         (VGT_TRC_CLASS | (minor))

/* The first record of every vgt trace: magic, version, flags. */
#define VGT_TRC_MAGIC             0x54544756u   /* "VGTT" */
#define VGT_TRC_VERSION           1u
#define VGT_TRC_F_DETERMINISTIC   (1u << 0)     /* outputs are compared on replay */
#define VGT_TRC_F_IMPORTED        (1u << 1)     /* converted from a Xen capture */

/* Bytes of memory contents one record carries. */
#define VGT_TRC_DATA_BYTES        16u

enum vgt_trc_event {
	VGT_TRC_META = VGT_TRC_EV(0x000),          /* magic, version, flags */

	/* Trapped accesses, recorded when complete (input; the value read is checked). */
	VGT_TRC_MMIO_READ = VGT_TRC_EV(0x001),     /* domid, bar << 8 | size, offset, val lo, val hi */
	VGT_TRC_MMIO_WRITE = VGT_TRC_EV(0x002),    /* same */
	VGT_TRC_GTT_WRITE = VGT_TRC_EV(0x003),     /* same, BAR0 offsets in the GTT half */
	VGT_TRC_CFG_READ = VGT_TRC_EV(0x004),      /* domid, size, offset, value */
	VGT_TRC_CFG_WRITE = VGT_TRC_EV(0x005),     /* same */
	VGT_TRC_PIO_READ = VGT_TRC_EV(0x006),      /* domid, size, BAR4 offset, value */
	VGT_TRC_PIO_WRITE = VGT_TRC_EV(0x007),     /* same */

	/* Memory contents (input): domid | bytes << 16, address lo, address hi, 4 data words. */
	VGT_TRC_RAM_WRITE = VGT_TRC_EV(0x008),     /* the guest's CPU wrote its own RAM */
	VGT_TRC_APERTURE_WRITE = VGT_TRC_EV(0x009), /* ... its aperture window (BAR2 offset) */
	VGT_TRC_GMEM_READ = VGT_TRC_EV(0x00A),     /* what the mediator read of guest RAM */

	/* What the host was told to do (input). */
	VGT_TRC_VGPU_CREATE = VGT_TRC_EV(0x010),   /* domid, low MiB, high MiB, fences, weight,
						    * RAM machine address MiB, RAM MiB */
	VGT_TRC_VGPU_DESTROY = VGT_TRC_EV(0x011),  /* domid */
	VGT_TRC_VGPU_RESET = VGT_TRC_EV(0x012),    /* domid */
	VGT_TRC_STEP = VGT_TRC_EV(0x013),          /* budget lo, hi, commands executed lo, hi */
	VGT_TRC_TIME = VGT_TRC_EV(0x014),          /* device clock advanced: ns lo, hi */
	VGT_TRC_DIGEST = VGT_TRC_EV(0x015),        /* domid, kind, hash lo, hash hi */
	VGT_TRC_FOREGROUND = VGT_TRC_EV(0x016),    /* domid, or 0xFFFFFFFF for nobody */

	/* What the mediator did (output). */
	VGT_TRC_SUBMIT = VGT_TRC_EV(0x020),        /* domid, engine, head, tail */
	VGT_TRC_AUDIT = VGT_TRC_EV(0x021),         /* domid, engine, verdict (0 or -errno), dwords */
	VGT_TRC_SHADOW = VGT_TRC_EV(0x022),        /* domid, engine, ring dwords, batch dwords */
	VGT_TRC_SCHED_IN = VGT_TRC_EV(0x023),      /* domid, engine */
	VGT_TRC_SCHED_OUT = VGT_TRC_EV(0x024),     /* domid, engine, ns lo, ns hi */
	VGT_TRC_CTX_SAVE = VGT_TRC_EV(0x025),      /* domid, engine */
	VGT_TRC_CTX_RESTORE = VGT_TRC_EV(0x026),   /* domid, engine */
	VGT_TRC_IRQ = VGT_TRC_EV(0x027),           /* domid, MSI address lo, MSI data */
	VGT_TRC_FAILSAFE = VGT_TRC_EV(0x028),      /* domid, guest error kind */
	VGT_TRC_ENGINE_RESET = VGT_TRC_EV(0x029),  /* domid charged, engine */
	VGT_TRC_COMPLETE = VGT_TRC_EV(0x02A),      /* domid, engine, guest HEAD */
};

/* VGT_TRC_DIGEST kinds. */
enum vgt_trc_digest {
	VGT_TRC_DIGEST_VREGS = 1,     /* the virtual register file */
	VGT_TRC_DIGEST_GTT = 2,       /* the guest's GTT view */
	VGT_TRC_DIGEST_SHADOW = 3,    /* every shadow workload so far */
	VGT_TRC_DIGEST_SCREEN = 4,    /* what pipe A shows (0 if nothing) */
	VGT_TRC_DIGEST_ERRORS = 5,    /* guest-error counters */
};

static inline int vgt_trc_is_vgt(uint32_t event)
{
	return (event & VGT_TRC_CLASS_MASK) == VGT_TRC_CLASS;
}

#endif /* VGT_TRACE_EVENTS_H */

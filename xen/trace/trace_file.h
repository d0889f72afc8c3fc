/* SPDX-License-Identifier: MIT */
/*
 * Reading and writing xentrace-format files (see vgt_trace_events.h):
 * windows of t_rec records, as `xentrace` writes them and Xen's trace
 * tools read them.  The reader takes any xentrace file (vgt's or a real
 * Xen capture) and reports truncation and corruption with the offset.
 */
#ifndef VGT_TRACE_FILE_H
#define VGT_TRACE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vgt_trace_events.h"

#define VGT_TRACE_WINDOW_BYTES  (64u * 1024u)   /* records per window, at most */

struct vgt_trace_rec {
	uint32_t event;               /* 28 bits */
	unsigned n;                   /* extra words */
	uint32_t extra[VGT_TRC_EXTRA_MAX];
	bool has_tsc;
	uint64_t tsc;
	unsigned cpu;                 /* of the window it came in */
	uint64_t offset;              /* of its header in the file */
};

/* ---- Writing ---------------------------------------------------------------------- */

struct vgt_trace_writer;

/* Creates (truncates) @path; -errno with @why. */
int vgt_trace_writer_open(const char *path, struct vgt_trace_writer **out, char *why,
			  size_t whylen);
/* Appends one record (n <= 7) to the current window; full windows are written out. */
int vgt_trace_write(struct vgt_trace_writer *w, uint32_t event, bool has_tsc, uint64_t tsc,
		    const uint32_t *extra, unsigned n);
/* Writes out the current window (as one CPU-change window of cpu 0). */
int vgt_trace_flush(struct vgt_trace_writer *w);
/* Flushes and closes; returns the first error any write met. */
int vgt_trace_writer_close(struct vgt_trace_writer *w);

/* ---- Reading ---------------------------------------------------------------------- */

struct vgt_trace_reader;

int vgt_trace_reader_open(const char *path, struct vgt_trace_reader **out, char *why,
			  size_t whylen);
/* Over a buffer the caller keeps alive (fuzzing, tests). */
int vgt_trace_reader_open_mem(const void *data, size_t len, struct vgt_trace_reader **out);
/*
 * The next record: 1, or 0 at the clean end of the file, or -EPROTO (with
 * @why: offset and what is wrong) for a truncated or malformed file.
 * Xen's wrap-buffer padding is skipped; CPU-change records are consumed.
 */
int vgt_trace_next(struct vgt_trace_reader *r, struct vgt_trace_rec *rec, char *why,
		   size_t whylen);
void vgt_trace_reader_close(struct vgt_trace_reader *r);

#endif /* VGT_TRACE_FILE_H */

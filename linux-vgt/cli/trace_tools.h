/* SPDX-License-Identifier: MIT */
/*
 * `vgt trace dump` and `vgt trace import`: reading vgt's xentrace-format
 * traces as text, and turning a Xen capture of a guest's I/O into one.
 */
#ifndef VGT_CLI_TRACE_TOOLS_H
#define VGT_CLI_TRACE_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "trace_file.h"

/*
 * vgt trace dump FILE [--domain N] [--event NAME] [--reg NAME|0xOFF]: one
 * line per record.  Returns the exit status (0 ok, 1 bad file with a clear
 * message on stderr, 2 usage).  argv[0] is "dump".
 */
int vgt_trace_dump_main(int argc, char **argv);

/*
 * vgt trace import CAPTURE OUT --bar0 ADDR [--bar2 ADDR] [--bar4 PORT]
 * [--size 1|2|4|8] [--domid N] [--type NAME] [--bar2-size MiB]: converts
 * Xen's IOMEM/IOPORT records that fall in the BAR ranges into a vgt trace
 * and prints what it read, converted and skipped.  Returns the exit status
 * (0 ok, 1 unreadable capture or nothing to convert, 2 usage).  argv[0] is
 * "import".
 */
int vgt_trace_import_main(int argc, char **argv);

/* The name of a vgt event ("mmio-read", "gtt-write", "submit", ...; NULL if not vgt's). */
const char *vgt_trace_event_name(uint32_t event);
/* The reverse: 0, or -ENOENT for a name that is not a vgt event. */
int vgt_trace_event_by_name(const char *name, uint32_t *event);

/* Formats one record as a dump line (no newline) into @buf; always terminated. */
void vgt_trace_format(const struct vgt_trace_rec *rec, char *buf, size_t len);

#endif /* VGT_CLI_TRACE_TOOLS_H */

/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the xentrace-format reader (xen/trace/trace_file.c) and the
 * dump's formatting of every record it returns, on any bytes.  A trace is
 * what a user hands to `vgt trace dump` or `import`, from anywhere.
 *
 * Invariants: the reader terminates, with 0 or -EPROTO and a reason that
 * starts with the offset; every record it returns lies inside the input,
 * is what the bytes at its offset say (header, TSC, words), has at most 7
 * words and a CPU of at most 255; offsets strictly increase; every record
 * formats into a terminated line of any buffer size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_file.h"
#include "trace_tools.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what) \
	do { if (!(cond)) { fprintf(stderr, "fuzz invariant broken: %s\n", what); abort(); } } while (0)

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A line in a buffer of @len: terminated inside it, nothing written past it. */
static void format_into(const struct vgt_trace_rec *rec, size_t len)
{
	char buf[48];

	memset(buf, 0x5A, sizeof(buf));
	vgt_trace_format(rec, buf, len);
	if (len)
		CHECK(strnlen(buf, len) < len, "a line not terminated inside its buffer");
	for (size_t i = len; i < sizeof(buf); i++)
		CHECK(buf[i] == 0x5A, "a line written past its buffer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	char why[256], line[512];
	uint64_t count = 0, last = 0;
	int ret;

	if (vgt_trace_reader_open_mem(data, size, &r))
		return 0;
	while ((ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1) {
		uint64_t need;
		const uint8_t *p;

		CHECK(rec.n <= VGT_TRC_EXTRA_MAX, "more than 7 words");
		CHECK(!(rec.event & ~VGT_TRC_EVENT_MASK), "an event id above 28 bits");
		CHECK(rec.event != VGT_TRC_WRAP_BUFFER, "wrap-buffer padding returned as a record");
		CHECK(rec.cpu <= 255, "a CPU above 255");
		need = 4 + (rec.has_tsc ? 8 : 0) + 4ull * rec.n;
		CHECK(rec.offset >= 12, "a record before any window");
		CHECK(rec.offset <= size && need <= size - rec.offset, "a record past the input");
		CHECK(!count || rec.offset > last, "offsets that do not increase");
		/* It is what the bytes say. */
		p = data + rec.offset;
		CHECK(get32(p) == (rec.event | rec.n << VGT_TRC_EXTRA_SHIFT |
				   (rec.has_tsc ? VGT_TRC_CYCLES_FLAG : 0)), "a header unlike its bytes");
		p += 4;
		if (rec.has_tsc) {
			CHECK(rec.tsc == (get32(p) | (uint64_t)get32(p + 4) << 32), "a TSC unlike its bytes");
			p += 8;
		}
		for (unsigned i = 0; i < rec.n; i++, p += 4)
			CHECK(rec.extra[i] == get32(p), "a word unlike its bytes");
		/* Each record takes at least its 4-byte header: the loop ends. */
		count++;
		CHECK(count <= size / 4, "more records than the input can hold");
		last = rec.offset;

		vgt_trace_format(&rec, line, sizeof(line));
		CHECK(strnlen(line, sizeof(line)) < sizeof(line), "an unterminated line");
		format_into(&rec, 0);
		format_into(&rec, 1);
		format_into(&rec, 17);
		format_into(&rec, 40);
	}
	CHECK(ret == 0 || ret == -EPROTO, "an error other than -EPROTO");
	if (ret < 0)
		CHECK(!strncmp(why, "offset ", 7), "a refusal without its offset");
	/* The end stays the end (or the error). */
	if (ret == 0)
		CHECK(vgt_trace_next(r, &rec, why, sizeof(why)) == 0, "records after the end");
	vgt_trace_reader_close(r);
	return 0;
}

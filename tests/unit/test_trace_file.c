/* SPDX-License-Identifier: MIT */
/*
 * xentrace-format files (xen/trace/trace_file.c): every record shape
 * through the writer and back through the reader, windows split at 64 KiB,
 * flush and close, the reader's refusals of truncated and corrupted files
 * (each with its offset), Xen's wrap-buffer padding, the CPU of each
 * window; and the dump's names and formatting (linux-vgt/cli/trace_tools.c)
 * for every vgt event.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "trace_file.h"
#include "trace_tools.h"

#define WHY 256
#define BUF_MAX 1024u

/* ---- Helpers ------------------------------------------------------------------------ */

/* A file built byte by byte, as xentrace lays it out. */
struct bytes {
	uint8_t data[BUF_MAX];
	size_t len;
};

static void put32(struct bytes *b, uint32_t v)
{
	assert_true(b->len + 4 <= BUF_MAX);
	for (unsigned i = 0; i < 4; i++)
		b->data[b->len++] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_rec(struct bytes *b, uint32_t event, bool tsc, uint64_t t, const uint32_t *w, unsigned n)
{
	put32(b, event | n << VGT_TRC_EXTRA_SHIFT | (tsc ? VGT_TRC_CYCLES_FLAG : 0));
	if (tsc) {
		put32(b, (uint32_t)t);
		put32(b, (uint32_t)(t >> 32));
	}
	for (unsigned i = 0; i < n; i++)
		put32(b, w[i]);
}

static void put_window(struct bytes *b, uint32_t cpu, uint32_t count)
{
	put32(b, VGT_TRC_CPU_CHANGE | 2u << VGT_TRC_EXTRA_SHIFT);
	put32(b, cpu);
	put32(b, count);
}

/* Patches the byte count of the window whose header is at @at to what follows up to the end. */
static void close_window(struct bytes *b, size_t at)
{
	uint32_t count = (uint32_t)(b->len - at - 12);

	for (unsigned i = 0; i < 4; i++)
		b->data[at + 8 + i] = (uint8_t)(count >> (8 * i));
}

static char *temp_path(void)
{
	const char *dir = getenv("TMPDIR");
	char *path = malloc(4096);
	int fd;

	assert_non_null(path);
	snprintf(path, 4096, "%s/vgt-trace-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return path;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* The reader must refuse @b with -EPROTO and "offset @off: ...@what...", after @good records. */
static void expect_bad(const struct bytes *b, unsigned good, size_t off, const char *what)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	char why[WHY], want[64];
	unsigned n = 0;
	int ret;

	assert_int_equal(vgt_trace_reader_open_mem(b->data, b->len, &r), 0);
	while ((ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1) {
		assert_true(rec.offset + 4 <= b->len);
		n++;
	}
	vgt_trace_reader_close(r);
	snprintf(want, sizeof(want), "offset %zu: ", off);
	if (ret != -EPROTO || n != good || strncmp(why, want, strlen(want)) || !strstr(why, what))
		fail_msg("got %d after %u records, \"%s\"; want -EPROTO after %u, \"%s%s\"", ret, n,
			 ret < 0 ? why : "", good, want, what);
}

/* The reader must read @b to a clean end, @good records. */
static void expect_good(const struct bytes *b, unsigned good)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	char why[WHY];
	unsigned n = 0;
	int ret;

	assert_int_equal(vgt_trace_reader_open_mem(b->data, b->len, &r), 0);
	while ((ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1)
		n++;
	vgt_trace_reader_close(r);
	if (ret != 0 || n != good)
		fail_msg("got %d after %u records (%s); want a clean end after %u", ret, n,
			 ret < 0 ? why : "", good);
}

/* ---- Writer and reader ------------------------------------------------------------------ */

/* Every shape: 0..7 words, with and without a TSC, written then read back. */
static void test_round_trip_shapes(void **state)
{
	struct vgt_trace_writer *w;
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	char why[WHY], *path = temp_path();
	uint64_t off = 12;
	int ret;

	(void)state;
	assert_int_equal(vgt_trace_writer_open(path, &w, why, sizeof(why)), 0);
	for (unsigned tsc = 0; tsc < 2; tsc++) {
		for (unsigned n = 0; n <= VGT_TRC_EXTRA_MAX; n++) {
			uint32_t words[VGT_TRC_EXTRA_MAX];

			for (unsigned i = 0; i < n; i++)
				words[i] = 0xA0000000u | tsc << 16 | n << 8 | i;
			assert_int_equal(vgt_trace_write(w, VGT_TRC_EV(0x100 + n), tsc, 0x123456789ull * (n + 1),
							 words, n), 0);
		}
	}
	assert_int_equal(vgt_trace_writer_close(w), 0);

	assert_int_equal(vgt_trace_reader_open(path, &r, why, sizeof(why)), 0);
	for (unsigned tsc = 0; tsc < 2; tsc++) {
		for (unsigned n = 0; n <= VGT_TRC_EXTRA_MAX; n++) {
			assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 1);
			assert_int_equal(rec.event, VGT_TRC_EV(0x100 + n));
			assert_int_equal(rec.n, n);
			assert_int_equal(rec.has_tsc, tsc);
			assert_int_equal(rec.tsc, tsc ? 0x123456789ull * (n + 1) : 0);
			assert_int_equal(rec.cpu, 0);
			assert_int_equal(rec.offset, off);
			for (unsigned i = 0; i < n; i++)
				assert_int_equal(rec.extra[i], 0xA0000000u | tsc << 16 | n << 8 | i);
			off += 4 + (tsc ? 8 : 0) + 4 * n;
		}
	}
	ret = vgt_trace_next(r, &rec, why, sizeof(why));
	assert_int_equal(ret, 0);
	/* The end stays the end. */
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 0);
	vgt_trace_reader_close(r);
	unlink(path);
	free(path);
}

/* The writer refuses what a t_rec cannot hold. */
static void test_write_refusals(void **state)
{
	struct vgt_trace_writer *w;
	uint32_t words[8] = { 0 };
	char why[WHY], *path = temp_path();
	size_t len;
	uint8_t *data;

	(void)state;
	assert_int_equal(vgt_trace_writer_open(path, &w, why, sizeof(why)), 0);
	assert_int_equal(vgt_trace_write(w, VGT_TRC_META, false, 0, words, 8), -EINVAL);
	assert_int_equal(vgt_trace_write(w, 0x10000000u | VGT_TRC_META, false, 0, words, 1), -EINVAL);
	assert_int_equal(vgt_trace_write(w, VGT_TRC_EVENT_MASK, false, 0, words, 0), 0);
	assert_int_equal(vgt_trace_writer_close(w), 0);
	data = slurp(path, &len);
	assert_int_equal(len, 16);      /* only the good record, in one window */
	assert_int_equal(get32(data + 12), VGT_TRC_EVENT_MASK);
	free(data);
	unlink(path);
	free(path);

	assert_int_equal(vgt_trace_writer_open("/nonexistent-dir/x.trace", &w, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/nonexistent-dir/x.trace"));
	assert_int_equal(vgt_trace_writer_close(NULL), 0);
}

/* Windows hold at most 64 KiB of records, and a record is never split across two. */
static void test_window_split(void **state)
{
	static const struct {
		unsigned n;
		bool tsc;
		unsigned count;
	} cases[] = {
		{ 7, true, 5000 },      /* 40-byte records: 1638 per window, 65520 bytes */
		{ 0, false, 16385 },    /* 4-byte records: exactly 64 KiB, then one more */
		{ 2, true, 3000 },      /* 20 bytes */
	};

	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		unsigned n = cases[c].n, size = 4 + (cases[c].tsc ? 8 : 0) + 4 * n;
		unsigned per_window = VGT_TRACE_WINDOW_BYTES / size, seen = 0, windows = 0;
		struct vgt_trace_writer *w;
		struct vgt_trace_reader *r;
		struct vgt_trace_rec rec;
		char why[WHY], *path = temp_path();
		uint8_t *data;
		size_t len, pos = 0;

		assert_int_equal(vgt_trace_writer_open(path, &w, why, sizeof(why)), 0);
		for (unsigned i = 0; i < cases[c].count; i++) {
			uint32_t words[VGT_TRC_EXTRA_MAX] = { i, ~i, i * 3, i * 5, i * 7, i * 11, i * 13 };

			assert_int_equal(vgt_trace_write(w, VGT_TRC_MMIO_READ, cases[c].tsc, i, words, n), 0);
		}
		assert_int_equal(vgt_trace_writer_close(w), 0);

		/* The layout: full windows of whole records, then the rest. */
		data = slurp(path, &len);
		while (pos < len) {
			unsigned in_window = cases[c].count - windows * per_window;
			uint32_t count;

			if (in_window > per_window)
				in_window = per_window;
			assert_true(len - pos >= 12);
			assert_int_equal(get32(data + pos), VGT_TRC_CPU_CHANGE | 2u << VGT_TRC_EXTRA_SHIFT);
			assert_int_equal(get32(data + pos + 4), 0);
			count = get32(data + pos + 8);
			assert_int_equal(count, in_window * size);
			assert_true(count <= VGT_TRACE_WINDOW_BYTES);
			pos += 12 + count;
			windows++;
		}
		assert_int_equal(pos, len);
		assert_int_equal(windows, (cases[c].count + per_window - 1) / per_window);
		free(data);

		assert_int_equal(vgt_trace_reader_open(path, &r, why, sizeof(why)), 0);
		while (vgt_trace_next(r, &rec, why, sizeof(why)) == 1) {
			assert_int_equal(rec.n, n);
			if (n)
				assert_int_equal(rec.extra[0], seen);
			if (cases[c].tsc)
				assert_int_equal(rec.tsc, seen);
			seen++;
		}
		assert_int_equal(seen, cases[c].count);
		vgt_trace_reader_close(r);
		unlink(path);
		free(path);
	}
}

/* A flush writes out what is pending, and nothing when nothing is. */
static void test_flush_close(void **state)
{
	struct vgt_trace_writer *w;
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	const uint32_t words[2] = { 1, 2 };
	char why[WHY], *path = temp_path();
	uint8_t *data;
	size_t len;

	(void)state;
	assert_int_equal(vgt_trace_writer_open(path, &w, why, sizeof(why)), 0);
	assert_int_equal(vgt_trace_flush(w), 0);
	free(slurp(path, &len));
	assert_int_equal(len, 0);
	assert_int_equal(vgt_trace_write(w, VGT_TRC_TIME, true, 7, words, 2), 0);
	free(slurp(path, &len));
	assert_int_equal(len, 0);       /* still in the window */
	assert_int_equal(vgt_trace_flush(w), 0);
	free(slurp(path, &len));
	assert_int_equal(len, 12 + 20);
	assert_int_equal(vgt_trace_flush(w), 0);
	free(slurp(path, &len));
	assert_int_equal(len, 12 + 20);
	assert_int_equal(vgt_trace_write(w, VGT_TRC_TIME, false, 0, words, 2), 0);
	assert_int_equal(vgt_trace_writer_close(w), 0);
	data = slurp(path, &len);
	assert_int_equal(len, 12 + 20 + 12 + 12);
	assert_int_equal(get32(data + 32 + 8), 12);     /* the second window's byte count */
	free(data);

	assert_int_equal(vgt_trace_reader_open(path, &r, why, sizeof(why)), 0);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 1);
	assert_true(rec.has_tsc && rec.tsc == 7 && rec.offset == 12);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 1);
	assert_true(!rec.has_tsc && rec.offset == 32 + 12 && rec.extra[1] == 2);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 0);
	vgt_trace_reader_close(r);
	unlink(path);
	free(path);
}

static void good_window(struct bytes *b, uint32_t cpu, unsigned records)
{
	size_t at = b->len;
	const uint32_t w[3] = { 1, 2, 3 };

	put_window(b, cpu, 0);
	for (unsigned i = 0; i < records; i++)
		put_rec(b, VGT_TRC_MMIO_READ, true, i, w, 3);
	close_window(b, at);
}

/* Every way a file can be cut or corrupted, refused with the offset of the fault. */
static void test_reader_errors(void **state)
{
	const uint32_t w[3] = { 1, 2, 3 };
	struct bytes b;
	size_t second;

	(void)state;
	/* Records with no window around them. */
	memset(&b, 0, sizeof(b));
	put_rec(&b, VGT_TRC_MMIO_READ, false, 0, w, 3);
	expect_bad(&b, 0, 0, "not a xentrace file (no CPU-change record first)");
	/* A CPU-change record of the wrong shape is not one. */
	memset(&b, 0, sizeof(b));
	put_rec(&b, VGT_TRC_CPU_CHANGE, true, 0, w, 2);
	expect_bad(&b, 0, 0, "no CPU-change record first");
	memset(&b, 0, sizeof(b));
	put_rec(&b, VGT_TRC_CPU_CHANGE, false, 0, w, 3);
	expect_bad(&b, 0, 0, "no CPU-change record first");
	/* CPU numbers above 255. */
	memset(&b, 0, sizeof(b));
	good_window(&b, 256, 1);
	expect_bad(&b, 0, 0, "CPU number above 255");
	memset(&b, 0, sizeof(b));
	good_window(&b, 0xFFFFFFFFu, 1);
	expect_bad(&b, 0, 0, "CPU number above 255");

	/* Two good windows, then cuts. */
	memset(&b, 0, sizeof(b));
	good_window(&b, 0, 3);
	second = b.len;
	good_window(&b, 1, 3);
	b.len -= 6;                     /* inside the last record */
	expect_bad(&b, 3, second, "window longer than the rest of the file");
	b.len = second + 6;             /* inside the second window's header */
	expect_bad(&b, 3, second, "truncated record");
	b.len = second + 2;             /* inside its first word */
	expect_bad(&b, 3, second, "truncated record header");
	b.len = second;                 /* exactly the first window: fine */
	expect_good(&b, 3);
	b.len = 2 * second;             /* both windows, then garbage */
	expect_good(&b, 6);
	memset(b.data + b.len, 0x11, 16);
	b.len += 16;
	expect_bad(&b, 6, 2 * second, "expected a CPU-change record between windows");

	/* A window whose byte count ends inside a record. */
	memset(&b, 0, sizeof(b));
	put_window(&b, 0, 24 + 20);
	put_rec(&b, VGT_TRC_MMIO_READ, true, 0, w, 3);
	put_rec(&b, VGT_TRC_MMIO_READ, true, 0, w, 3);
	expect_bad(&b, 1, 12 + 24, "a record runs past the end of its window");
	/* A window whose byte count ends inside a record's header. */
	memset(&b, 0, sizeof(b));
	put_window(&b, 0, 24 + 2);
	put_rec(&b, VGT_TRC_MMIO_READ, true, 0, w, 3);
	put_rec(&b, VGT_TRC_MMIO_READ, true, 0, w, 3);
	expect_bad(&b, 1, 12 + 24, "truncated record header");
	/* A window longer than the file. */
	memset(&b, 0, sizeof(b));
	put_window(&b, 0, 1000);
	put_rec(&b, VGT_TRC_MMIO_READ, true, 0, w, 3);
	expect_bad(&b, 0, 0, "window longer than the rest of the file");
	/* A file of two bytes. */
	memset(&b, 0, sizeof(b));
	b.len = 2;
	expect_bad(&b, 0, 0, "not a xentrace file (shorter than a record)");
}

/* An empty file is a clean end; so is an empty window. */
static void test_reader_empty(void **state)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	struct bytes b;
	char why[WHY];

	(void)state;
	assert_int_equal(vgt_trace_reader_open_mem(NULL, 0, &r), 0);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 0);
	vgt_trace_reader_close(r);
	memset(&b, 0, sizeof(b));
	put_window(&b, 0, 0);
	good_window(&b, 1, 1);
	put_window(&b, 2, 0);
	assert_int_equal(vgt_trace_reader_open_mem(b.data, b.len, &r), 0);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 1);
	assert_int_equal(rec.cpu, 1);
	assert_int_equal(vgt_trace_next(r, &rec, why, sizeof(why)), 0);
	vgt_trace_reader_close(r);
	vgt_trace_reader_close(NULL);
}

/*
 * Xen's wrap-buffer padding: where a record did not fit at the end of its
 * buffer, Xen wrote a TRC_TRACE_WRAP_BUFFER record filling the space left
 * (the header, up to 7 stale words, and a TSC when more room is left) and
 * went on at the buffer's start.  xentrace copies a wrapped window as one
 * window, the end of the buffer then its start, so records follow the
 * padding in the same window.  The padding is skipped, nothing else.
 */
static void test_wrap_padding(void **state)
{
	static const uint32_t stale[7] = { 0xA5A5A5A5u, 0xA5A5A5A5u, 0xA5A5A5A5u, 0xA5A5A5A5u,
					   0xA5A5A5A5u, 0xA5A5A5A5u, 0xA5A5A5A5u };
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec, got[8];
	struct bytes b;
	char why[WHY];
	uint32_t w[2] = { 0, 0 };
	size_t at;
	unsigned n = 0;
	int ret;

	(void)state;
	memset(&b, 0, sizeof(b));
	at = b.len;
	put_window(&b, 2, 0);
	w[0] = 1;
	put_rec(&b, VGT_XEN_TRC_IOMEM_READ, false, 0, w, 2);
	put_rec(&b, VGT_TRC_WRAP_BUFFER, true, 0x99, stale, 6);   /* 36 bytes of padding */
	w[0] = 2;
	put_rec(&b, VGT_XEN_TRC_IOMEM_READ, false, 0, w, 2);
	put_rec(&b, VGT_TRC_WRAP_BUFFER, false, 0, stale, 0);     /* 4 bytes: the smallest */
	w[0] = 3;
	put_rec(&b, VGT_XEN_TRC_IOMEM_READ, false, 0, w, 2);
	put_rec(&b, VGT_TRC_WRAP_BUFFER, false, 0, stale, 7);     /* 32 bytes, at the window's end */
	close_window(&b, at);
	at = b.len;
	put_window(&b, 3, 0);
	w[0] = 4;
	put_rec(&b, VGT_XEN_TRC_IOMEM_READ, false, 0, w, 2);
	close_window(&b, at);

	assert_int_equal(vgt_trace_reader_open_mem(b.data, b.len, &r), 0);
	while ((ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1 && n < 8)
		got[n++] = rec;
	vgt_trace_reader_close(r);
	assert_int_equal(ret, 0);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(got[i].event, VGT_XEN_TRC_IOMEM_READ);
		if (got[i].extra[0] != i + 1)
			fail_msg("record %u is the one with word %u: records after the padding were lost",
				 i + 1, got[i].extra[0]);
		assert_int_equal(got[i].cpu, i < 3 ? 2 : 3);
	}
	assert_int_equal(n, 4);
}

/* Each record says the CPU of the window it came in. */
static void test_cpu_from_window(void **state)
{
	static const uint32_t cpus[] = { 3, 0, 255, 7, 3 };
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	struct bytes b;
	char why[WHY];
	unsigned i = 0;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (size_t k = 0; k < sizeof(cpus) / sizeof(cpus[0]); k++)
		good_window(&b, cpus[k], 2);
	assert_int_equal(vgt_trace_reader_open_mem(b.data, b.len, &r), 0);
	while (vgt_trace_next(r, &rec, why, sizeof(why)) == 1) {
		assert_int_equal(rec.cpu, cpus[i / 2]);
		i++;
	}
	assert_int_equal(i, 2 * sizeof(cpus) / sizeof(cpus[0]));
	vgt_trace_reader_close(r);
}

static void test_open_missing(void **state)
{
	struct vgt_trace_reader *r = NULL;
	char why[WHY];

	(void)state;
	assert_int_equal(vgt_trace_reader_open("/nonexistent-dir/x.trace", &r, why, sizeof(why)), -ENOENT);
	assert_non_null(strstr(why, "/nonexistent-dir/x.trace"));
}

/* ---- Names and formatting --------------------------------------------------------------- */

static const uint32_t all_events[] = {
	VGT_TRC_META, VGT_TRC_MMIO_READ, VGT_TRC_MMIO_WRITE, VGT_TRC_GTT_WRITE, VGT_TRC_CFG_READ,
	VGT_TRC_CFG_WRITE, VGT_TRC_PIO_READ, VGT_TRC_PIO_WRITE, VGT_TRC_RAM_WRITE,
	VGT_TRC_APERTURE_WRITE, VGT_TRC_GMEM_READ, VGT_TRC_VGPU_CREATE, VGT_TRC_VGPU_DESTROY,
	VGT_TRC_VGPU_RESET, VGT_TRC_STEP, VGT_TRC_TIME, VGT_TRC_DIGEST, VGT_TRC_FOREGROUND,
	VGT_TRC_SUBMIT, VGT_TRC_AUDIT, VGT_TRC_SHADOW, VGT_TRC_SCHED_IN, VGT_TRC_SCHED_OUT,
	VGT_TRC_CTX_SAVE, VGT_TRC_CTX_RESTORE, VGT_TRC_IRQ, VGT_TRC_FAILSAFE, VGT_TRC_ENGINE_RESET,
	VGT_TRC_COMPLETE,
};
#define NALL (sizeof(all_events) / sizeof(all_events[0]))

static void test_event_names(void **state)
{
	uint32_t ev;

	(void)state;
	for (size_t i = 0; i < NALL; i++) {
		const char *name = vgt_trace_event_name(all_events[i]);

		assert_non_null(name);
		assert_int_equal(vgt_trace_event_by_name(name, &ev), 0);
		assert_int_equal(ev, all_events[i]);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(name, vgt_trace_event_name(all_events[j]));
	}
	assert_string_equal(vgt_trace_event_name(VGT_TRC_MMIO_READ), "mmio-read");
	assert_string_equal(vgt_trace_event_name(VGT_TRC_GTT_WRITE), "gtt-write");
	assert_string_equal(vgt_trace_event_name(VGT_TRC_SUBMIT), "submit");
	assert_null(vgt_trace_event_name(VGT_XEN_TRC_IOMEM_READ));
	assert_null(vgt_trace_event_name(VGT_TRC_CPU_CHANGE));
	assert_null(vgt_trace_event_name(VGT_TRC_EV(0xFFF)));
	assert_int_equal(vgt_trace_event_by_name("no-such-event", &ev), -ENOENT);
	assert_int_equal(vgt_trace_event_by_name("", &ev), -ENOENT);
}

static void format(uint32_t event, bool tsc, uint64_t t, const uint32_t *w, unsigned n, char *buf,
		   size_t len)
{
	struct vgt_trace_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.event = event;
	rec.n = n;
	rec.has_tsc = tsc;
	rec.tsc = t;
	if (n)
		memcpy(rec.extra, w, n * sizeof(*w));
	vgt_trace_format(&rec, buf, len);
}

/* Every event, complete and short, and buffers of every small size. */
static void test_format_every_event(void **state)
{
	const uint32_t w[VGT_TRC_EXTRA_MAX] = { 1, 4, 0x2030, 0x40, 0, 6, 7 };
	char line[512];

	(void)state;
	for (size_t i = 0; i < NALL; i++) {
		const char *name = vgt_trace_event_name(all_events[i]);

		format(all_events[i], true, 1500000000ull, w, VGT_TRC_EXTRA_MAX, line, sizeof(line));
		assert_non_null(strstr(line, name));
		assert_true(!strncmp(line, "   1.500000000  ", 16));
		assert_null(strstr(line, "short record"));
		assert_true(line[strlen(line) - 1] != ' ');
		format(all_events[i], false, 0, w, 0, line, sizeof(line));
		assert_non_null(strstr(line, name));
		assert_true(!strncmp(line, "                ", 16));
		/* Records that carry words say when they lack some. */
		if (all_events[i] != VGT_TRC_FOREGROUND && all_events[i] != VGT_TRC_VGPU_DESTROY &&
		    all_events[i] != VGT_TRC_VGPU_RESET)
			assert_non_null(strstr(line, "short record"));
		/* Any buffer size: terminated, never past @len. */
		for (size_t len = 1; len < 80; len++) {
			char small[96];

			memset(small, 'Z', sizeof(small));
			format(all_events[i], true, ~0ull, w, VGT_TRC_EXTRA_MAX, small, len);
			assert_true(strlen(small) < len);
			for (size_t k = len; k < sizeof(small); k++)
				assert_int_equal(small[k], 'Z');
		}
	}
	format(VGT_TRC_META, false, 0, w, 3, line, 0);  /* nothing to write into: nothing written */
}

static void test_format_lines(void **state)
{
	char line[512];

	(void)state;
	format(VGT_TRC_MMIO_READ, true, 3000, (const uint32_t[]){ 1, 4, 0x2030, 0x40, 0 }, 5, line,
	       sizeof(line));
	assert_string_equal(line, "   0.000003000  d1      mmio-read       bar0 0x002030/4 RCS_TAIL = 0x00000040");
	format(VGT_TRC_GTT_WRITE, false, 0, (const uint32_t[]){ 2, 4, 0x200000 + 40, 0x1001, 0 }, 5, line,
	       sizeof(line));
	assert_string_equal(line, "                d2      gtt-write       bar0 0x200028/4 gtt[10] = 0x00001001");
	format(VGT_TRC_META, true, 0, (const uint32_t[]){ VGT_TRC_MAGIC, 1, 3 }, 3, line, sizeof(line));
	assert_string_equal(line, "   0.000000000  -       meta            version 1 flags 0x3 "
			    "(deterministic, imported)");
	format(VGT_TRC_VGPU_CREATE, false, 0, (const uint32_t[]){ 3, 64, 256, 4, 2, 64, 32 }, 7, line,
	       sizeof(line));
	assert_string_equal(line, "                d3      vgpu-create     low 64 MiB, high 256 MiB, 4 fences, "
			    "weight 2, RAM 32 MiB at 64 MiB");
	format(VGT_TRC_DIGEST, false, 0, (const uint32_t[]){ 1, VGT_TRC_DIGEST_GTT, 0x89ABCDEF, 0x1234567 },
	       4, line, sizeof(line));
	assert_string_equal(line, "                d1      digest          gtt 0x0123456789abcdef");
	format(VGT_TRC_RAM_WRITE, false, 0, (const uint32_t[]){ 1 | 3 << 16, 0x1000, 0, 0x00332211, 0, 0, 0 },
	       7, line, sizeof(line));
	assert_string_equal(line, "                d1      ram-write       0x00001000 3 bytes: 11 22 33");
	format(VGT_TRC_ENGINE_RESET, false, 0, (const uint32_t[]){ 0xFFFFFFFFu, 9 }, 2, line, sizeof(line));
	assert_string_equal(line, "                -       engine-reset    engine9");
	format(VGT_TRC_VGPU_DESTROY, false, 0, (const uint32_t[]){ 4 }, 1, line, sizeof(line));
	assert_string_equal(line, "                d4      vgpu-destroy");
	/* Not vgt's: the raw id and words. */
	format(VGT_XEN_TRC_IOMEM_WRITE, false, 0, (const uint32_t[]){ 0xF0002030, 0x40 }, 2, line,
	       sizeof(line));
	assert_string_equal(line, "                xen     0x00082217      [0xf0002030 0x00000040]");
	format(VGT_TRC_EV(0xFFF), false, 0, NULL, 0, line, sizeof(line));
	assert_string_equal(line, "                vgt?    0x0004ffff      []");
}

/* A record struct that lies about its word count is not read past its words. */
static void test_format_bad_struct(void **state)
{
	struct vgt_trace_rec rec;
	char line[512];

	(void)state;
	memset(&rec, 0, sizeof(rec));
	rec.event = VGT_TRC_RAM_WRITE;
	rec.n = 1000;
	rec.extra[0] = 1 | 0xFFFFu << 16;
	vgt_trace_format(&rec, line, sizeof(line));
	assert_non_null(strstr(line, "ram-write"));
	rec.event = 0x00082017;
	vgt_trace_format(&rec, line, sizeof(line));
	assert_non_null(strstr(line, "xen"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_shapes),
		cmocka_unit_test(test_write_refusals),
		cmocka_unit_test(test_window_split),
		cmocka_unit_test(test_flush_close),
		cmocka_unit_test(test_reader_errors),
		cmocka_unit_test(test_reader_empty),
		cmocka_unit_test(test_wrap_padding),
		cmocka_unit_test(test_cpu_from_window),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_event_names),
		cmocka_unit_test(test_format_every_event),
		cmocka_unit_test(test_format_lines),
		cmocka_unit_test(test_format_bad_struct),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

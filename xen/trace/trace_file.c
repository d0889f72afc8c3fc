/* SPDX-License-Identifier: MIT */
/* xentrace-format files: the window writer and the record reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "trace_file.h"

/* ---- Writer ------------------------------------------------------------------------ */

struct vgt_trace_writer {
	FILE *f;
	int error;
	size_t used;
	uint8_t buf[VGT_TRACE_WINDOW_BYTES];
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int vgt_trace_writer_open(const char *path, struct vgt_trace_writer **out, char *why,
			  size_t whylen)
{
	struct vgt_trace_writer *w = calloc(1, sizeof(*w));
	int ret;

	if (!w) {
		snprintf(why, whylen, "%s: out of memory", path);
		return -ENOMEM;
	}
	w->f = fopen(path, "wb");
	if (!w->f) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		free(w);
		return ret;
	}
	*out = w;
	return 0;
}

int vgt_trace_flush(struct vgt_trace_writer *w)
{
	uint8_t hdr[12];

	if (!w->used || w->error)
		return w->error;
	put32(hdr, VGT_TRC_CPU_CHANGE | 2u << VGT_TRC_EXTRA_SHIFT);
	put32(hdr + 4, 0);
	put32(hdr + 8, (uint32_t)w->used);
	if (fwrite(hdr, 1, sizeof(hdr), w->f) != sizeof(hdr) ||
	    fwrite(w->buf, 1, w->used, w->f) != w->used || fflush(w->f))
		w->error = -EIO;
	w->used = 0;
	return w->error;
}

int vgt_trace_write(struct vgt_trace_writer *w, uint32_t event, bool has_tsc, uint64_t tsc,
		    const uint32_t *extra, unsigned n)
{
	size_t need = 4 + (has_tsc ? 8 : 0) + 4u * n;
	uint8_t *p;

	if (n > VGT_TRC_EXTRA_MAX || (event & ~VGT_TRC_EVENT_MASK))
		return -EINVAL;
	if (w->error)
		return w->error;
	if (w->used + need > sizeof(w->buf) && vgt_trace_flush(w))
		return w->error;
	p = w->buf + w->used;
	put32(p, event | n << VGT_TRC_EXTRA_SHIFT | (has_tsc ? VGT_TRC_CYCLES_FLAG : 0));
	p += 4;
	if (has_tsc) {
		put32(p, (uint32_t)tsc);
		put32(p + 4, (uint32_t)(tsc >> 32));
		p += 8;
	}
	for (unsigned i = 0; i < n; i++, p += 4)
		put32(p, extra[i]);
	w->used += need;
	return 0;
}

int vgt_trace_writer_close(struct vgt_trace_writer *w)
{
	int ret;

	if (!w)
		return 0;
	ret = vgt_trace_flush(w);
	if (fclose(w->f) && !ret)
		ret = -EIO;
	free(w);
	return ret;
}

/* ---- Reader ------------------------------------------------------------------------ */

struct vgt_trace_reader {
	uint8_t *owned;               /* the file's contents, when read from a path */
	const uint8_t *data;
	size_t len, pos;
	size_t window_end;            /* end of the current window; 0 = none open */
	unsigned cpu;
};

int vgt_trace_reader_open_mem(const void *data, size_t len, struct vgt_trace_reader **out)
{
	struct vgt_trace_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->data = data;
	r->len = len;
	*out = r;
	return 0;
}

int vgt_trace_reader_open(const char *path, struct vgt_trace_reader **out, char *why,
			  size_t whylen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, len = 0, n;
	int ret;

	if (!f) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ret;
	}
	/* Read whole: traces are bounded by what a test or a capture holds. */
	do {
		if (len == cap) {
			uint8_t *p;

			cap = cap ? cap * 2 : 1 << 16;
			if (cap > (1u << 30)) {
				snprintf(why, whylen, "%s: larger than 1 GiB", path);
				free(buf);
				fclose(f);
				return -EFBIG;
			}
			p = realloc(buf, cap);
			if (!p) {
				snprintf(why, whylen, "%s: out of memory", path);
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = p;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n);
	if (ferror(f)) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno ? errno : EIO));
		free(buf);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	ret = vgt_trace_reader_open_mem(buf, len, out);
	if (ret) {
		snprintf(why, whylen, "%s: out of memory", path);
		free(buf);
		return ret;
	}
	(*out)->owned = buf;
	return 0;
}

void vgt_trace_reader_close(struct vgt_trace_reader *r)
{
	if (!r)
		return;
	free(r->owned);
	free(r);
}

static int bad(char *why, size_t whylen, size_t off, const char *what)
{
	snprintf(why, whylen, "offset %zu: %s", off, what);
	return -EPROTO;
}

int vgt_trace_next(struct vgt_trace_reader *r, struct vgt_trace_rec *rec, char *why,
		   size_t whylen)
{
	for (;;) {
		const uint8_t *p;
		uint32_t hdr;
		size_t need, limit;
		unsigned n;

		/* A window's end was checked against the file's when it opened. */
		if (r->window_end && r->pos == r->window_end)
			r->window_end = 0;
		if (r->pos == r->len)
			return 0;
		limit = r->window_end ? r->window_end : r->len;
		if (limit - r->pos < 4)
			return bad(why, whylen, r->pos, r->window_end || r->pos ?
				   "truncated record header" :
				   "not a xentrace file (shorter than a record)");
		p = r->data + r->pos;
		hdr = get32(p);
		n = (hdr >> VGT_TRC_EXTRA_SHIFT) & 7u;
		need = 4 + ((hdr & VGT_TRC_CYCLES_FLAG) ? 8 : 0) + 4u * n;
		/* Outside a window only a CPU-change record may stand. */
		if (!r->window_end && ((hdr & VGT_TRC_EVENT_MASK) != VGT_TRC_CPU_CHANGE || n != 2 ||
				       (hdr & VGT_TRC_CYCLES_FLAG)))
			return bad(why, whylen, r->pos, r->pos ?
				   "expected a CPU-change record between windows" :
				   "not a xentrace file (no CPU-change record first)");
		if (limit - r->pos < need)
			return bad(why, whylen, r->pos, r->window_end ?
				   "a record runs past the end of its window" : "truncated record");
		if (!r->window_end) {
			r->cpu = get32(p + 4);
			if (r->cpu > 255)
				return bad(why, whylen, r->pos, "CPU number above 255");
			r->pos += need;
			if (get32(p + 8) > r->len - r->pos)
				return bad(why, whylen, r->pos - need,
					   "window longer than the rest of the file (truncated?)");
			r->window_end = r->pos + get32(p + 8);
			continue;
		}
		if ((hdr & VGT_TRC_EVENT_MASK) == VGT_TRC_WRAP_BUFFER) {
			/* Xen's padding at the end of its buffer; the window goes on with its start. */
			r->pos += need;
			continue;
		}
		memset(rec, 0, sizeof(*rec));
		rec->event = hdr & VGT_TRC_EVENT_MASK;
		rec->n = n;
		rec->cpu = r->cpu;
		rec->offset = r->pos;
		p += 4;
		if (hdr & VGT_TRC_CYCLES_FLAG) {
			rec->has_tsc = true;
			rec->tsc = get32(p) | (uint64_t)get32(p + 4) << 32;
			p += 8;
		}
		for (unsigned i = 0; i < n; i++, p += 4)
			rec->extra[i] = get32(p);
		r->pos += need;
		return 1;
	}
}

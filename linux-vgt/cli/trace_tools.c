/* SPDX-License-Identifier: MIT */
/*
 * vgt trace dump: a vgt trace (or any xentrace file) as one text line per
 * record, decoded per xen/trace/vgt_trace_events.h.
 *
 * vgt trace import: a Xen capture of a guest's I/O (xentrace with the HVM
 * class on) turned into a vgt trace that a replay can drive: the IOMEM and
 * IOPORT records that fall in the vGPU's BARs become vgt access records.
 * Xen records neither the access size nor a time for them, so the size is
 * given on the command line and the records carry no TSC.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hsw/hsw_regs.h"
#include "trace_tools.h"
#include "vgt/vgt.h"

/* The built-in types table (config/vgpu-types.conf, embedded into libvgt). */
extern const char vgt_default_types_text[];

#define LINE_MAX_CHARS   512u
#define WHY_MAX          256u
#define EVENT_FILTER_MAX 64u
#define NOBODY           0xFFFFFFFFu      /* "no domain" in a domid word */
#define MAX_TYPES        32u

/* ---- The event table -------------------------------------------------------------- */

enum domid_word { DOM_NONE, DOM_WORD, DOM_LOW16 };

struct event_desc {
	uint32_t event;
	const char *name;
	unsigned words;                 /* as vgt_trace_events.h lists them */
	enum domid_word dom;            /* where the domid is, if any */
};

static const struct event_desc event_table[] = {
	{ VGT_TRC_META, "meta", 3, DOM_NONE },
	{ VGT_TRC_MMIO_READ, "mmio-read", 5, DOM_WORD },
	{ VGT_TRC_MMIO_WRITE, "mmio-write", 5, DOM_WORD },
	{ VGT_TRC_GTT_WRITE, "gtt-write", 5, DOM_WORD },
	{ VGT_TRC_CFG_READ, "cfg-read", 4, DOM_WORD },
	{ VGT_TRC_CFG_WRITE, "cfg-write", 4, DOM_WORD },
	{ VGT_TRC_PIO_READ, "pio-read", 4, DOM_WORD },
	{ VGT_TRC_PIO_WRITE, "pio-write", 4, DOM_WORD },
	{ VGT_TRC_RAM_WRITE, "ram-write", 7, DOM_LOW16 },
	{ VGT_TRC_APERTURE_WRITE, "aperture-write", 7, DOM_LOW16 },
	{ VGT_TRC_GMEM_READ, "gmem-read", 7, DOM_LOW16 },
	{ VGT_TRC_VGPU_CREATE, "vgpu-create", 7, DOM_WORD },
	{ VGT_TRC_VGPU_DESTROY, "vgpu-destroy", 1, DOM_WORD },
	{ VGT_TRC_VGPU_RESET, "vgpu-reset", 1, DOM_WORD },
	{ VGT_TRC_STEP, "step", 4, DOM_NONE },
	{ VGT_TRC_TIME, "time", 2, DOM_NONE },
	{ VGT_TRC_DIGEST, "digest", 4, DOM_WORD },
	{ VGT_TRC_FOREGROUND, "foreground", 1, DOM_WORD },
	{ VGT_TRC_SUBMIT, "submit", 4, DOM_WORD },
	{ VGT_TRC_AUDIT, "audit", 4, DOM_WORD },
	{ VGT_TRC_SHADOW, "shadow", 4, DOM_WORD },
	{ VGT_TRC_SCHED_IN, "sched-in", 2, DOM_WORD },
	{ VGT_TRC_SCHED_OUT, "sched-out", 4, DOM_WORD },
	{ VGT_TRC_CTX_SAVE, "ctx-save", 2, DOM_WORD },
	{ VGT_TRC_CTX_RESTORE, "ctx-restore", 2, DOM_WORD },
	{ VGT_TRC_IRQ, "irq", 3, DOM_WORD },
	{ VGT_TRC_FAILSAFE, "failsafe", 2, DOM_WORD },
	{ VGT_TRC_ENGINE_RESET, "engine-reset", 2, DOM_WORD },
	{ VGT_TRC_COMPLETE, "complete", 3, DOM_WORD },
};

#define NEVENTS (sizeof(event_table) / sizeof(event_table[0]))

static const char *const engine_names[] = { "RCS", "VCS", "BCS", "VECS" };

static const char *const digest_names[] = {
	[VGT_TRC_DIGEST_VREGS] = "vregs",
	[VGT_TRC_DIGEST_GTT] = "gtt",
	[VGT_TRC_DIGEST_SHADOW] = "shadow",
	[VGT_TRC_DIGEST_SCREEN] = "screen",
	[VGT_TRC_DIGEST_ERRORS] = "errors",
};

static const struct event_desc *event_desc(uint32_t event)
{
	for (size_t i = 0; i < NEVENTS; i++)
		if (event_table[i].event == event)
			return &event_table[i];
	return NULL;
}

const char *vgt_trace_event_name(uint32_t event)
{
	const struct event_desc *d = event_desc(event);

	return d ? d->name : NULL;
}

int vgt_trace_event_by_name(const char *name, uint32_t *event)
{
	for (size_t i = 0; i < NEVENTS; i++) {
		if (!strcasecmp(event_table[i].name, name)) {
			*event = event_table[i].event;
			return 0;
		}
	}
	return -ENOENT;
}

/* The domain a record is about: false for events without one. */
static bool rec_domid(const struct vgt_trace_rec *rec, uint32_t *domid)
{
	const struct event_desc *d = event_desc(rec->event);

	if (!d || d->dom == DOM_NONE || rec->n < 1)
		return false;
	*domid = d->dom == DOM_LOW16 ? rec->extra[0] & 0xFFFFu : rec->extra[0];
	return true;
}

/* ---- Formatting --------------------------------------------------------------------- */

/* A bounded string builder: output past the end is dropped, never overrun. */
struct out {
	char *buf;
	size_t len, pos;
};

__attribute__((format(printf, 2, 3)))
static void app(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->pos + 1 >= o->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->pos, o->len - o->pos, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	o->pos += (size_t)n < o->len - o->pos ? (size_t)n : o->len - o->pos - 1;
}

static void app_engine(struct out *o, uint32_t e)
{
	if (e < sizeof(engine_names) / sizeof(engine_names[0]))
		app(o, "%s", engine_names[e]);
	else
		app(o, "engine%" PRIu32, e);
}

/* A value as wide as the access: 2 hex digits per byte. */
static void app_value(struct out *o, unsigned size, uint64_t v)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		app(o, "0x%0*" PRIx64, (int)size * 2, v);
	else
		app(o, "0x%" PRIx64, v);
}

static uint64_t u64_of(uint32_t lo, uint32_t hi)
{
	return (uint64_t)hi << 32 | lo;
}

/* bar/size/offset, the register's name, the value. */
static void fmt_mmio(struct out *o, const uint32_t *w)
{
	unsigned bar = w[1] >> 8, size = w[1] & 0xFFu;
	uint32_t off = w[2];

	app(o, "bar%u 0x%06" PRIx32 "/%u", bar, off, size);
	if (bar == 0 && off < HSW_MMIO_SIZE) {
		const char *name = vgt_reg_name(off);

		if (name)
			app(o, " %s", name);
	} else if (bar == 0 && off - HSW_GTT_OFFSET < HSW_GTT_SIZE) {
		app(o, " gtt[%" PRIu32 "]", (off - HSW_GTT_OFFSET) / 4u);
	}
	app(o, " = ");
	app_value(o, size, u64_of(w[3], w[4]));
}

static void fmt_mem(struct out *o, uint32_t event, const uint32_t *w)
{
	unsigned bytes = w[0] >> 16, shown = bytes < VGT_TRC_DATA_BYTES ? bytes : VGT_TRC_DATA_BYTES;

	if (event == VGT_TRC_APERTURE_WRITE)
		app(o, "bar2 ");
	app(o, "0x%08" PRIx64 " %u bytes:", u64_of(w[1], w[2]), bytes);
	for (unsigned i = 0; i < shown; i++)
		app(o, " %02x", (unsigned)(w[3 + i / 4] >> (8 * (i % 4))) & 0xFFu);
	if (bytes > VGT_TRC_DATA_BYTES)
		app(o, " (a record holds %u)", VGT_TRC_DATA_BYTES);
}

static void fmt_meta(struct out *o, const uint32_t *w)
{
	const char *sep = " (";

	if (w[0] != VGT_TRC_MAGIC)
		app(o, "bad magic 0x%08" PRIx32 ", ", w[0]);
	app(o, "version %" PRIu32 " flags 0x%" PRIx32, w[1], w[2]);
	if (w[2] & VGT_TRC_F_DETERMINISTIC) {
		app(o, "%sdeterministic", sep);
		sep = ", ";
	}
	if (w[2] & VGT_TRC_F_IMPORTED) {
		app(o, "%simported", sep);
		sep = ", ";
	}
	if (sep[0] == ',')
		app(o, ")");
}

static void fmt_details(struct out *o, uint32_t event, const uint32_t *w)
{
	switch (event) {
	case VGT_TRC_META:
		fmt_meta(o, w);
		break;
	case VGT_TRC_MMIO_READ:
	case VGT_TRC_MMIO_WRITE:
	case VGT_TRC_GTT_WRITE:
		fmt_mmio(o, w);
		break;
	case VGT_TRC_CFG_READ:
	case VGT_TRC_CFG_WRITE:
		app(o, "cfg 0x%03" PRIx32 "/%" PRIu32 " = ", w[2], w[1]);
		app_value(o, w[1], w[3]);
		break;
	case VGT_TRC_PIO_READ:
	case VGT_TRC_PIO_WRITE:
		app(o, "bar4 0x%02" PRIx32 "/%" PRIu32 "%s = ", w[2], w[1],
		    w[2] == HSW_IO_MMIO_INDEX ? " MMIO_INDEX" : w[2] == HSW_IO_MMIO_DATA ? " MMIO_DATA" : "");
		app_value(o, w[1], w[3]);
		break;
	case VGT_TRC_RAM_WRITE:
	case VGT_TRC_APERTURE_WRITE:
	case VGT_TRC_GMEM_READ:
		fmt_mem(o, event, w);
		break;
	case VGT_TRC_VGPU_CREATE:
		app(o, "low %" PRIu32 " MiB, high %" PRIu32 " MiB, %" PRIu32 " fences, weight %" PRIu32
		    ", RAM %" PRIu32 " MiB at %" PRIu32 " MiB", w[1], w[2], w[3], w[4], w[6], w[5]);
		break;
	case VGT_TRC_STEP:
		app(o, "budget %" PRIu64 ", executed %" PRIu64, u64_of(w[0], w[1]), u64_of(w[2], w[3]));
		break;
	case VGT_TRC_TIME:
		app(o, "+%" PRIu64 " ns", u64_of(w[0], w[1]));
		break;
	case VGT_TRC_DIGEST:
		if (w[0] == NOBODY && w[1] == 0)
			app(o, "request");
		else if (w[1] < sizeof(digest_names) / sizeof(digest_names[0]) && digest_names[w[1]])
			app(o, "%s 0x%016" PRIx64, digest_names[w[1]], u64_of(w[2], w[3]));
		else
			app(o, "kind %" PRIu32 " 0x%016" PRIx64, w[1], u64_of(w[2], w[3]));
		break;
	case VGT_TRC_FOREGROUND:
		app(o, "%s", w[0] == NOBODY ? "nobody" : "owns the display");
		break;
	case VGT_TRC_SUBMIT:
		app_engine(o, w[1]);
		app(o, " head 0x%" PRIx32 " tail 0x%" PRIx32, w[2], w[3]);
		break;
	case VGT_TRC_AUDIT:
		app_engine(o, w[1]);
		if (w[2] == 0)
			app(o, " ok, %" PRIu32 " dwords", w[3]);
		else if ((int32_t)w[2] < 0 && (int32_t)w[2] > -4096)
			app(o, " refused: %s (%" PRId32 "), %" PRIu32 " dwords", strerror(-(int32_t)w[2]),
			    (int32_t)w[2], w[3]);
		else
			app(o, " verdict %" PRId32 ", %" PRIu32 " dwords", (int32_t)w[2], w[3]);
		break;
	case VGT_TRC_SHADOW:
		app_engine(o, w[1]);
		app(o, " %" PRIu32 " ring dwords, %" PRIu32 " batch dwords", w[2], w[3]);
		break;
	case VGT_TRC_SCHED_IN:
	case VGT_TRC_CTX_SAVE:
	case VGT_TRC_CTX_RESTORE:
	case VGT_TRC_ENGINE_RESET:
		app_engine(o, w[1]);
		break;
	case VGT_TRC_SCHED_OUT:
		app_engine(o, w[1]);
		app(o, " %" PRIu64 " ns", u64_of(w[2], w[3]));
		break;
	case VGT_TRC_IRQ:
		app(o, "MSI 0x%08" PRIx32 " data 0x%04" PRIx32, w[1], w[2]);
		break;
	case VGT_TRC_FAILSAFE:
		app(o, "%s (%" PRIu32 ")", w[1] < VGT_GERR_KINDS ?
		    vgt_guest_error_name((enum vgt_guest_error_kind)w[1]) : "unknown", w[1]);
		break;
	case VGT_TRC_COMPLETE:
		app_engine(o, w[1]);
		app(o, " head 0x%" PRIx32, w[2]);
		break;
	default:
		break;          /* destroy, reset: the name says it all */
	}
}

void vgt_trace_format(const struct vgt_trace_rec *rec, char *buf, size_t len)
{
	const struct event_desc *d = event_desc(rec->event);
	uint32_t w[VGT_TRC_EXTRA_MAX] = { 0 };   /* words a short record lacks read as 0 */
	unsigned n = rec->n < VGT_TRC_EXTRA_MAX ? rec->n : VGT_TRC_EXTRA_MAX;
	char when[32] = "", who[16] = "-", what[24];
	struct out o = { buf, len, 0 };
	uint32_t domid;

	if (!len)
		return;
	buf[0] = '\0';
	memcpy(w, rec->extra, n * sizeof(w[0]));
	if (rec->has_tsc)
		snprintf(when, sizeof(when), "%" PRIu64 ".%09" PRIu64, rec->tsc / 1000000000u,
			 rec->tsc % 1000000000u);
	if (!d) {
		/* Not one of ours: the raw id and words, as Xen's tools would show them. */
		app(&o, "%14s  %-6s  0x%08" PRIx32 "      [", when,
		    vgt_trc_is_vgt(rec->event) ? "vgt?" : "xen", rec->event);
		for (unsigned i = 0; i < n; i++)
			app(&o, "%s0x%08" PRIx32, i ? " " : "", w[i]);
		app(&o, "]");
		return;
	}
	if (rec_domid(rec, &domid) && domid != NOBODY)
		snprintf(who, sizeof(who), "d%" PRIu32, domid);
	snprintf(what, sizeof(what), "%s", d->name);
	app(&o, "%14s  %-6s  %-14s  ", when, who, what);
	fmt_details(&o, rec->event, w);
	if (n < d->words && !(rec->event == VGT_TRC_DIGEST && n >= 2 && w[0] == NOBODY))
		app(&o, " [short record: %u of %u words]", n, d->words);
	/* Events without details leave the padding: trim it. */
	while (o.pos && buf[o.pos - 1] == ' ')
		buf[--o.pos] = '\0';
}

/* ---- Shared option parsing ------------------------------------------------------------ */

static bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s[0] || s[0] == '-' || s[0] == '+' || s[0] == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > max)
		return false;
	*out = v;
	return true;
}

/* -EINVAL, after saying what @opt wants. */
static int bad_number(const char *cmd, const char *opt, const char *s, uint64_t max)
{
	fprintf(stderr, "vgt trace %s: %s wants a number from 0 to %" PRIu64 " (decimal or 0x), not '%s'\n",
		cmd, opt, max, s);
	return -EINVAL;
}

/* ---- dump ------------------------------------------------------------------------------ */

struct dump_filter {
	bool domain_set;
	uint32_t domain;
	unsigned nevents;
	uint32_t events[EVENT_FILTER_MAX];
	bool reg_set;
	const char *reg_name;           /* match by the register table's name */
	uint32_t reg_off;               /* else by the dword at this offset */
};

static void dump_usage(FILE *f)
{
	fprintf(f,
		"usage: vgt trace dump FILE [--domain N] [--event NAME[,NAME...]] [--reg NAME|0xOFF]\n"
		"  one line per record: time (s), domain, event, what it says\n"
		"  --domain N     only records about domain N\n"
		"  --event NAME   only these events (repeatable; a vgt name or a numeric event id)\n"
		"  --reg R        only BAR0 accesses to register R (a name or an offset)\n"
		"events:");
	for (size_t i = 0; i < NEVENTS; i++)
		fprintf(f, "%s%s", i % 8 ? " " : "\n  ", event_table[i].name);
	fprintf(f, "\n");
}

static int add_events(struct dump_filter *flt, const char *list)
{
	char *copy = strdup(list), *save = NULL;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		uint32_t ev;
		uint64_t v;

		if (vgt_trace_event_by_name(tok, &ev)) {
			/* Any other event by its id, Xen's included. */
			if (!parse_u64(tok, VGT_TRC_EVENT_MASK, &v)) {
				fprintf(stderr, "vgt trace dump: --event: no event named '%s' "
					"(see vgt trace dump --help)\n", tok);
				ret = -EINVAL;
				break;
			}
			ev = (uint32_t)v;
		}
		if (flt->nevents == EVENT_FILTER_MAX) {
			fprintf(stderr, "vgt trace dump: more than %u --event names\n", EVENT_FILTER_MAX);
			ret = -E2BIG;
			break;
		}
		flt->events[flt->nevents++] = ev;
	}
	free(copy);
	return ret;
}

/* A register name as the table spells it, found by a walk over BAR0's register half. */
static const char *find_reg_name(const char *name)
{
	for (uint32_t off = 0; off < HSW_MMIO_SIZE; off += 4) {
		const char *n = vgt_reg_name(off);

		if (n && !strcasecmp(n, name))
			return n;
	}
	return NULL;
}

static int set_reg_filter(struct dump_filter *flt, const char *arg)
{
	uint64_t off;

	flt->reg_set = true;
	if (parse_u64(arg, HSW_BAR0_SIZE - 1, &off)) {
		flt->reg_off = (uint32_t)off & ~3u;
		/* An offset inside a named register (or block) means that register. */
		flt->reg_name = off < HSW_MMIO_SIZE ? vgt_reg_name((uint32_t)off) : NULL;
		return 0;
	}
	flt->reg_name = find_reg_name(arg);
	if (!flt->reg_name) {
		fprintf(stderr, "vgt trace dump: --reg: no register named '%s' in the register table "
			"(give a name or a BAR0 offset below 0x%x)\n", arg, HSW_BAR0_SIZE);
		return -ENOENT;
	}
	return 0;
}

static bool reg_matches(const struct dump_filter *flt, const struct vgt_trace_rec *rec)
{
	uint32_t bar, size, off;

	if (rec->event != VGT_TRC_MMIO_READ && rec->event != VGT_TRC_MMIO_WRITE &&
	    rec->event != VGT_TRC_GTT_WRITE)
		return false;
	if (rec->n < 3)
		return false;
	bar = rec->extra[1] >> 8;
	size = rec->extra[1] & 0xFFu;
	off = rec->extra[2];
	if (bar != 0)
		return false;
	if (size == 0)
		size = 1;
	if (size > 8)
		size = 8;
	if (flt->reg_name) {
		/* Every dword the access touches (an 8-byte access spans two). */
		for (uint64_t d = off & ~3u; d < (uint64_t)off + size; d += 4) {
			const char *n = d < HSW_MMIO_SIZE ? vgt_reg_name((uint32_t)d) : NULL;

			if (n && !strcasecmp(n, flt->reg_name))
				return true;
		}
		return false;
	}
	/* [off, off + size) overlaps the dword [reg_off, reg_off + 4). */
	return off < (uint64_t)flt->reg_off + 4 && flt->reg_off < (uint64_t)off + size;
}

static bool dump_wants(const struct dump_filter *flt, const struct vgt_trace_rec *rec)
{
	if (flt->domain_set) {
		uint32_t domid;

		if (!rec_domid(rec, &domid) || domid != flt->domain)
			return false;
	}
	if (flt->nevents) {
		unsigned i;

		for (i = 0; i < flt->nevents; i++)
			if (flt->events[i] == rec->event)
				break;
		if (i == flt->nevents)
			return false;
	}
	if (flt->reg_set && !reg_matches(flt, rec))
		return false;
	return true;
}

/* Dumps @path: 0, or -errno after saying why on stderr. */
static int dump_file(const char *path, const struct dump_filter *flt)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_rec rec;
	char why[WHY_MAX], line[LINE_MAX_CHARS];
	uint64_t nrec = 0, nvgt = 0;
	bool meta_first = false;
	int ret;

	ret = vgt_trace_reader_open(path, &r, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "vgt trace: %s\n", ret == -ENOMEM ? "out of memory" : why);
		return ret;
	}
	while ((ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1) {
		nrec++;
		if (vgt_trc_is_vgt(rec.event)) {
			if (!nvgt)
				meta_first = rec.event == VGT_TRC_META;
			nvgt++;
		}
		if (!dump_wants(flt, &rec))
			continue;
		vgt_trace_format(&rec, line, sizeof(line));
		puts(line);
	}
	vgt_trace_reader_close(r);
	/* What was read is shown before the reason it stopped. */
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "vgt trace: %s: cannot write the dump: %s\n", path, strerror(errno));
		return -EIO;
	}
	if (ret < 0) {
		fprintf(stderr, "vgt trace: %s: %s\n", path, why);
		return ret;
	}
	if (!nrec) {
		fprintf(stderr, "vgt trace: %s: empty: no trace records\n", path);
		return -ENODATA;
	}
	if (!nvgt) {
		fprintf(stderr, "vgt trace: %s: not a vgt trace (no vgt records); see vgt trace import\n",
			path);
		return -ENODATA;
	}
	if (!meta_first)
		fprintf(stderr, "vgt trace: %s: note: the first vgt record is not a meta record "
			"(the start of the trace is missing?)\n", path);
	return 0;
}

int vgt_trace_dump_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domain", required_argument, NULL, 'd' },
		{ "event", required_argument, NULL, 'e' },
		{ "reg", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct dump_filter flt;
	uint64_t v;
	int c;

	memset(&flt, 0, sizeof(flt));
	optind = 0;             /* a fresh scan, also when called more than once */
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (!parse_u64(optarg, UINT32_MAX, &v)) {
				bad_number("dump", "--domain", optarg, UINT32_MAX);
				return 2;
			}
			flt.domain_set = true;
			flt.domain = (uint32_t)v;
			break;
		case 'e':
			if (add_events(&flt, optarg))
				return 2;
			break;
		case 'r':
			if (set_reg_filter(&flt, optarg))
				return 2;
			break;
		case 'h':
			dump_usage(stdout);
			return 0;
		default:
			dump_usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		dump_usage(stderr);
		return 2;
	}
	return dump_file(argv[optind], &flt) ? 1 : 0;
}

/* ---- import ---------------------------------------------------------------------------- */

#define IMPORT_DEFAULT_TYPE   "vgt-64"
#define IMPORT_DEFAULT_DOMID  1u
#define IMPORT_RAM_BASE_MB    64u          /* the replay's machine address of guest RAM */
#define IMPORT_RAM_MB         32u
#define IMPORT_BAR2_MB        512u         /* Haswell's largest aperture */
#define DOMID_MAX             0x7FEFu      /* below Xen's reserved ids */

struct import_opts {
	const char *in, *out;
	uint64_t bar0, bar2, bar2_size;
	uint32_t bar4;
	bool has_bar0, has_bar2, has_bar4;
	unsigned size;
	uint32_t domid;
	struct vgt_type type;
};

struct import_counts {
	uint64_t read, mmio, pio, nodata, outside, other, malformed, lost;
};

static void import_usage(FILE *f)
{
	fprintf(f,
		"usage: vgt trace import CAPTURE OUT --bar0 ADDR [--bar2 ADDR] [--bar4 PORT]\n"
		"                        [--size 1|2|4|8] [--domid N] [--type NAME] [--bar2-size MiB]\n"
		"  converts the IOMEM and IOPORT records of a Xen capture (xentrace -e 0x0008f000)\n"
		"  that fall in the vGPU's BARs into a vgt trace:\n"
		"  --bar0 ADDR      guest-physical address of BAR0 (registers and GTT, 4 MiB)\n"
		"  --bar2 ADDR      of BAR2 (the aperture, --bar2-size MiB, default %u)\n"
		"  --bar4 PORT      of BAR4 (I/O, 64 ports)\n"
		"  --size N         the size of every access (Xen does not record it; default 4)\n"
		"  --domid N        the domain in the trace (default %u)\n"
		"  --type NAME      its vGPU type (default %s)\n",
		IMPORT_BAR2_MB, IMPORT_DEFAULT_DOMID, IMPORT_DEFAULT_TYPE);
}

static int import_type(const char *name, struct vgt_type *out)
{
	struct vgt_type *types = calloc(MAX_TYPES, sizeof(*types));
	struct vgt_error err = { { 0 } };
	int n, ret = -ENOENT;

	if (!types)
		return -ENOMEM;
	n = vgt_types_parse(vgt_default_types_text, types, MAX_TYPES, &err);
	if (n < 0) {
		fprintf(stderr, "vgt trace import: the built-in types table: %s\n", err.msg);
		free(types);
		return n;
	}
	for (int i = 0; i < n; i++) {
		if (!strcmp(types[i].name, name)) {
			*out = types[i];
			ret = 0;
		}
	}
	if (ret) {
		fprintf(stderr, "vgt trace import: --type: no type '%s'; types:", name);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", types[i].name);
		fprintf(stderr, "\n");
	}
	free(types);
	return ret;
}

/* The options into @o: 0 (*@help if --help was shown), or -EINVAL after saying why. */
static int import_parse(int argc, char **argv, struct import_opts *o, bool *help)
{
	static const struct option longopts[] = {
		{ "bar0", required_argument, NULL, '0' },
		{ "bar2", required_argument, NULL, '2' },
		{ "bar4", required_argument, NULL, '4' },
		{ "bar2-size", required_argument, NULL, 'a' },
		{ "size", required_argument, NULL, 's' },
		{ "domid", required_argument, NULL, 'd' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *type = IMPORT_DEFAULT_TYPE;
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->size = 4;
	o->domid = IMPORT_DEFAULT_DOMID;
	o->bar2_size = (uint64_t)IMPORT_BAR2_MB << 20;
	optind = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case '0':
			if (!parse_u64(optarg, UINT64_MAX - HSW_BAR0_SIZE, &o->bar0))
				return bad_number("import", "--bar0", optarg, UINT64_MAX - HSW_BAR0_SIZE);
			if (o->bar0 % HSW_BAR0_SIZE) {
				fprintf(stderr, "vgt trace import: --bar0 0x%" PRIx64 " is not 4 MiB aligned, "
					"as the BAR of a 4 MiB BAR0 is\n", o->bar0);
				return -EINVAL;
			}
			o->has_bar0 = true;
			break;
		case '2':
			if (!parse_u64(optarg, UINT64_MAX >> 1, &o->bar2))
				return bad_number("import", "--bar2", optarg, UINT64_MAX >> 1);
			o->has_bar2 = true;
			break;
		case '4':
			if (!parse_u64(optarg, 0x10000 - HSW_BAR4_SIZE, &v))
				return bad_number("import", "--bar4", optarg, 0x10000 - HSW_BAR4_SIZE);
			if (v % HSW_BAR4_SIZE) {
				fprintf(stderr, "vgt trace import: --bar4 0x%" PRIx64 " is not %u-port aligned\n",
					v, HSW_BAR4_SIZE);
				return -EINVAL;
			}
			o->bar4 = (uint32_t)v;
			o->has_bar4 = true;
			break;
		case 'a':
			if (!parse_u64(optarg, 4096, &v) || !v)
				return bad_number("import", "--bar2-size", optarg, 4096);
			o->bar2_size = v << 20;
			break;
		case 's':
			if (!parse_u64(optarg, 8, &v) || (v != 1 && v != 2 && v != 4 && v != 8)) {
				fprintf(stderr, "vgt trace import: --size wants 1, 2, 4 or 8, not '%s'\n", optarg);
				return -EINVAL;
			}
			o->size = (unsigned)v;
			break;
		case 'd':
			if (!parse_u64(optarg, DOMID_MAX, &v))
				return bad_number("import", "--domid", optarg, DOMID_MAX);
			o->domid = (uint32_t)v;
			break;
		case 't':
			type = optarg;
			break;
		case 'h':
			import_usage(stdout);
			*help = true;
			return 0;
		default:
			import_usage(stderr);
			return -EINVAL;
		}
	}
	if (optind + 2 != argc) {
		import_usage(stderr);
		return -EINVAL;
	}
	if (!o->has_bar0) {
		fprintf(stderr, "vgt trace import: --bar0 is required (the guest's BAR0 address, "
			"from its PCI config space or lspci)\n");
		return -EINVAL;
	}
	o->in = argv[optind];
	o->out = argv[optind + 1];
	if (import_type(type, &o->type))
		return -EINVAL;
	return 0;
}

static uint64_t mask_to(unsigned size, uint64_t v)
{
	return size >= 8 ? v : v & ((1ull << (8 * size)) - 1);
}

/*
 * One Xen record: true and a vgt record in @ev/@w/@n if it converts, false
 * if it is skipped (and counted).
 */
static bool import_one(const struct import_opts *o, const struct vgt_trace_rec *rec,
		      struct import_counts *cnt, uint32_t *ev, uint32_t *w, unsigned *n)
{
	uint32_t base = rec->event & ~VGT_XEN_TRC_64_FLAG;
	bool wide = rec->event & VGT_XEN_TRC_64_FLAG;
	bool mem = base == VGT_XEN_TRC_IOMEM_READ || base == VGT_XEN_TRC_IOMEM_WRITE;
	bool port = base == VGT_XEN_TRC_IOPORT_READ || base == VGT_XEN_TRC_IOPORT_WRITE;
	bool write = base == VGT_XEN_TRC_IOMEM_WRITE || base == VGT_XEN_TRC_IOPORT_WRITE;
	unsigned aw = wide ? 2 : 1;              /* address words; as many data words follow */
	uint64_t addr, data, off;
	unsigned bar;

	if (!mem && !port) {
		if (rec->event == VGT_TRC_LOST_RECORDS && rec->n >= 1)
			cnt->lost += rec->extra[0];
		cnt->other++;
		return false;
	}
	if (rec->n != aw && rec->n != 2 * aw) {
		cnt->malformed++;
		return false;
	}
	addr = wide ? u64_of(rec->extra[0], rec->extra[1]) : rec->extra[0];
	if (mem && addr - o->bar0 < HSW_BAR0_SIZE) {
		bar = 0;
		off = addr - o->bar0;
	} else if (mem && o->has_bar2 && addr - o->bar2 < o->bar2_size) {
		bar = 2;
		off = addr - o->bar2;
	} else if (port && o->has_bar4 && addr - o->bar4 < HSW_BAR4_SIZE) {
		bar = 4;
		off = addr - o->bar4;
	} else {
		cnt->outside++;
		return false;
	}
	/* A rep string op: Xen logged the guest-RAM pointer, not the data. */
	if (rec->n == aw) {
		cnt->nodata++;
		return false;
	}
	data = mask_to(o->size, wide ? u64_of(rec->extra[2], rec->extra[3]) : rec->extra[1]);
	w[0] = o->domid;
	if (bar == 4) {
		*ev = write ? VGT_TRC_PIO_WRITE : VGT_TRC_PIO_READ;
		w[1] = o->size;
		w[2] = (uint32_t)off;
		w[3] = (uint32_t)data;
		*n = 4;
		cnt->pio++;
		return true;
	}
	/* As the mediator records them: a BAR0 write in the GTT half is a GTT write. */
	*ev = !write ? VGT_TRC_MMIO_READ : bar == 0 && off >= HSW_GTT_OFFSET ? VGT_TRC_GTT_WRITE :
	      VGT_TRC_MMIO_WRITE;
	w[1] = bar << 8 | o->size;
	w[2] = (uint32_t)off;
	w[3] = (uint32_t)data;
	w[4] = (uint32_t)(data >> 32);
	*n = 5;
	cnt->mmio++;
	return true;
}

static void import_summary(const struct import_opts *o, const struct import_counts *c)
{
	printf("vgt trace import: %s: %" PRIu64 " records read\n", o->in, c->read);
	printf("  %" PRIu64 " converted (%" PRIu64 " MMIO, %" PRIu64 " PIO)\n", c->mmio + c->pio,
	       c->mmio, c->pio);
	printf("  %" PRIu64 " skipped: no data (rep string op: the data was in guest RAM)\n", c->nodata);
	printf("  %" PRIu64 " skipped: address outside the BARs\n", c->outside);
	printf("  %" PRIu64 " skipped: other event\n", c->other);
	printf("  %" PRIu64 " skipped: malformed (unexpected number of words)\n", c->malformed);
	fflush(stdout);
	if (c->lost)
		fprintf(stderr, "vgt trace import: %s: warning: Xen lost %" PRIu64 " records while "
			"capturing (TRC_LOST_RECORDS); the trace has gaps\n", o->in, c->lost);
}

/* Converts into @tmp: 0, or -errno after saying why on stderr. */
static int import_convert(const struct import_opts *o, const char *tmp, struct import_counts *cnt)
{
	struct vgt_trace_reader *r;
	struct vgt_trace_writer *wr;
	struct vgt_trace_rec rec;
	char why[WHY_MAX];
	const uint32_t meta[3] = { VGT_TRC_MAGIC, VGT_TRC_VERSION, VGT_TRC_F_IMPORTED };
	const uint32_t create[7] = {
		o->domid, o->type.low_mb, o->type.high_mb, o->type.fences, o->type.weight,
		IMPORT_RAM_BASE_MB, IMPORT_RAM_MB,
	};
	int ret, wret;

	ret = vgt_trace_reader_open(o->in, &r, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "vgt trace: %s\n", ret == -ENOMEM ? "out of memory" : why);
		return ret;
	}
	ret = vgt_trace_writer_open(tmp, &wr, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "vgt trace import: cannot write the trace: %s\n",
			ret == -ENOMEM ? "out of memory" : why);
		vgt_trace_reader_close(r);
		return ret;
	}
	wret = vgt_trace_write(wr, VGT_TRC_META, false, 0, meta, 3);
	if (!wret)
		wret = vgt_trace_write(wr, VGT_TRC_VGPU_CREATE, false, 0, create, 7);
	while (!wret && (ret = vgt_trace_next(r, &rec, why, sizeof(why))) == 1) {
		uint32_t ev = 0, w[VGT_TRC_EXTRA_MAX] = { 0 };
		unsigned n = 0;

		cnt->read++;
		if (import_one(o, &rec, cnt, &ev, w, &n))
			wret = vgt_trace_write(wr, ev, false, 0, w, n);
	}
	vgt_trace_reader_close(r);
	ret = ret < 0 ? ret : 0;
	if (ret) {
		vgt_trace_writer_close(wr);
		import_summary(o, cnt);
		fprintf(stderr, "vgt trace: %s: %s\n", o->in, why);
		return ret;
	}
	ret = vgt_trace_writer_close(wr);
	if (wret || ret) {
		fprintf(stderr, "vgt trace import: cannot write %s: %s\n", o->out,
			strerror(-(wret ? wret : ret)));
		return wret ? wret : ret;
	}
	import_summary(o, cnt);
	if (!cnt->mmio && !cnt->pio) {
		fprintf(stderr, "vgt trace import: %s: no IOMEM or IOPORT record with data in the BARs "
			"(bar0 0x%" PRIx64, o->in, o->bar0);
		if (o->has_bar2)
			fprintf(stderr, ", bar2 0x%" PRIx64, o->bar2);
		if (o->has_bar4)
			fprintf(stderr, ", bar4 0x%" PRIx32, o->bar4);
		fprintf(stderr, "); was the capture taken with the HVM class on (xentrace -e 0x0008f000)?\n");
		return -ENOENT;
	}
	return 0;
}

int vgt_trace_import_main(int argc, char **argv)
{
	struct import_opts o;
	struct import_counts cnt;
	bool help = false;
	char *tmp;
	int ret;

	if (import_parse(argc, argv, &o, &help))
		return 2;
	if (help)
		return 0;
	/* Written aside and renamed when complete: no half trace under OUT's name. */
	tmp = malloc(strlen(o.out) + sizeof(".part"));
	if (!tmp) {
		fprintf(stderr, "vgt trace import: out of memory\n");
		return 1;
	}
	strcpy(tmp, o.out);
	strcat(tmp, ".part");
	memset(&cnt, 0, sizeof(cnt));
	ret = import_convert(&o, tmp, &cnt);
	if (!ret && rename(tmp, o.out)) {
		ret = -errno;
		fprintf(stderr, "vgt trace import: cannot rename %s to %s: %s\n", tmp, o.out,
			strerror(-ret));
	}
	if (ret)
		remove(tmp);
	else
		printf("wrote %s\n", o.out);
	free(tmp);
	return ret ? 1 : 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The vgt= keys of xl domain configs, read with libxlutil (xl's own config
 * parser) and checked strictly: every value out of place is refused with
 * file:line, the key and the value, and nothing half-parsed is returned.
 *
 * libxlutil hands out no line numbers; it prints them in its warnings, so
 * its report goes to a memory stream and a key's line is read back from the
 * warning it gives when asked for the wrong kind of value (see key_line()).
 */
/* open_memstream, O_CLOEXEC; the build defines it too, libxlutil is built with it. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include "xlcfg.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxlutil.h>

#define VALUE_SHOWN 32u                 /* characters of a value quoted in a message */
#define FNAME_SHOWN 80u                 /* trailing characters of a file name shown */

struct parser {
	XLU_Config *cfg;
	FILE *report;                   /* libxlutil's messages, captured */
	char *rbuf;                     /* what open_memstream collected */
	size_t rlen;
	const char *fname;
	char *why;
	size_t whylen;
};

/* What a numeric key takes. */
struct num_key {
	const char *key;
	uint32_t min, max;
	const char *expect;             /* the range, as messages say it */
};

static const struct num_key k_vgt = { "vgt", 0, 1, "0 or 1" };
static const struct num_key k_low = { "vgt_low_gm_sz", 1, VGT_XLCFG_GM_MAX_MB, "MiB, 1..4096" };
static const struct num_key k_high = { "vgt_high_gm_sz", 1, VGT_XLCFG_GM_MAX_MB, "MiB, 1..4096" };
static const struct num_key k_fences = { "vgt_fence_sz", 0, VGT_XLCFG_FENCES_MAX, "0..32" };
static const struct num_key k_weight = { "vgt_weight", 1, VGT_XLCFG_WEIGHT_MAX, "1..100" };
static const struct num_key k_primary = { "vgt_primary", 0, 1, "0 or 1" };
static const struct num_key k_backend = { "vgt_backend", 0, VGT_XLCFG_BACKEND_MAX,
					  "a domain id, 0..32767" };

/* Every key that means nothing without vgt=1. */
static const char *const vgt_keys[] = {
	"vgt_type", "vgt_low_gm_sz", "vgt_high_gm_sz", "vgt_fence_sz",
	"vgt_weight", "vgt_primary", "vgt_backend",
};

/*
 * The line number of a libxlutil message "FNAME:LINE: ...", 0 if @msg is
 * not one; *rest is what follows "LINE: ".
 */
static unsigned report_line(const struct parser *p, const char *msg, const char **rest)
{
	size_t flen = strlen(p->fname), i;
	unsigned line = 0;

	if (strncmp(msg, p->fname, flen) || msg[flen] != ':')
		return 0;
	/* At most 9 digits: no overflow, and no config has more lines. */
	for (i = flen + 1; isdigit((unsigned char)msg[i]) && i < flen + 10; i++)
		line = line * 10 + (unsigned)(msg[i] - '0');
	if (i == flen + 1 || msg[i] != ':')
		return 0;
	*rest = msg + i + 1 + (msg[i + 1] == ' ');
	return line;
}

/*
 * The line libxlutil recorded for @key, 0 if unknown.  Asking for a list
 * where there is a single value (or the reverse) makes it print
 * "FNAME:LINE: warning: ..." to the report.
 */
static unsigned key_line(struct parser *p, const char *key)
{
	const char *s, *rest;
	size_t start;

	if (fflush(p->report))
		return 0;
	start = p->rlen;
	if (xlu_cfg_get_list(p->cfg, key, NULL, NULL, 0) == 0)
		xlu_cfg_get_string(p->cfg, key, &s, 0);
	if (fflush(p->report) || p->rlen <= start)
		return 0;
	return report_line(p, p->rbuf + start, &rest);
}

/* Sets @why to "FILE[:LINE]: <message>" and returns @err. */
static int vfail(struct parser *p, int err, unsigned line, const char *fmt, va_list ap)
{
	size_t flen = strlen(p->fname);
	const char *fname = p->fname, *dots = "";
	int n;

	/* A long path would crowd out the message: keep its end. */
	if (flen > FNAME_SHOWN) {
		fname += flen - FNAME_SHOWN;
		dots = "...";
	}
	if (line)
		n = snprintf(p->why, p->whylen, "%s%s:%u: ", dots, fname, line);
	else
		n = snprintf(p->why, p->whylen, "%s%s: ", dots, fname);
	if (n >= 0 && (size_t)n < p->whylen)
		vsnprintf(p->why + n, p->whylen - (size_t)n, fmt, ap);
	/* The text near a syntax error is the file's own: keep terminals safe. */
	for (char *c = p->why; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return err;
}

/* The same with the line of @key's setting (none if @key is NULL). */
__attribute__((format(printf, 4, 5)))
static int fail(struct parser *p, int err, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (!p->why || !p->whylen)
		return err;
	va_start(ap, fmt);
	vfail(p, err, key && p->cfg ? key_line(p, key) : 0, fmt, ap);
	va_end(ap);
	return err;
}

__attribute__((format(printf, 4, 5)))
static int fail_line(struct parser *p, int err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!p->why || !p->whylen)
		return err;
	va_start(ap, fmt);
	vfail(p, err, line, fmt, ap);
	va_end(ap);
	return err;
}

/* @s in double quotes, shortened and with unprintable bytes escaped, for messages. */
static const char *quote(char *buf, size_t len, const char *s)
{
	size_t o = 0, i;

	buf[o++] = '"';
	for (i = 0; s[i] && i < VALUE_SHOWN && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(buf + o, len - o, "\\x%02x", c);
			o += 4;
		} else {
			buf[o++] = (char)c;
		}
	}
	if (s[i]) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

#define QUOTE_BUF (VALUE_SHOWN * 4u + 16u)

/*
 * 1 with *s if @key holds a single value, 0 if it is absent, -EINVAL if it
 * is a list.
 */
static int get_str(struct parser *p, const char *key, const char *expect, const char **s)
{
	int r = xlu_cfg_get_string(p->cfg, key, s, 1);

	if (r == ESRCH) {
		*s = NULL;
		return 0;
	}
	if (r)
		return fail(p, -EINVAL, key, "%s = [...] is a list; expected %s", key, expect);
	return 1;
}

/*
 * A whole number as xl writes one: decimal or 0x-hex.  NULL and *out, or
 * what is wrong with @s.  Values beyond 32 bits saturate, which is out of
 * every key's range.
 */
static const char *parse_number(const char *s, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	const char *d = s;

	if (!*s)
		return "is empty";
	if (s[0] == '-' && isdigit((unsigned char)s[1]))
		return "is negative";
	if (!isdigit((unsigned char)s[0]))
		return "is not a number";
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		d = s + 2;
		if (!isxdigit((unsigned char)*d))
			return "is not a number";
	} else if (s[0] == '0' && isdigit((unsigned char)s[1])) {
		/* libxlutil's strtol(.., 0) would read it as octal: 010 is 8. */
		return "has a leading 0, which xl reads as octal";
	}
	for (; *d; d++) {
		unsigned char c = (unsigned char)*d;
		unsigned digit;

		if (isdigit(c))
			digit = c - '0';
		else if (base == 16 && isxdigit(c))
			digit = (unsigned)(tolower(c) - 'a' + 10);
		else
			return "has characters after the number";
		if (v <= UINT32_MAX)
			v = v * base + digit;
	}
	*out = v;
	return NULL;
}

/* 1 with *v if @k is set, 0 if absent, -EINVAL if it is not a number in range. */
static int get_num(struct parser *p, const struct num_key *k, uint32_t *v)
{
	char q[QUOTE_BUF];
	const char *s, *what;
	uint64_t n = 0;
	long l;
	int r;

	r = get_str(p, k->key, k->expect, &s);
	if (r <= 0)
		return r;
	what = parse_number(s, &n);
	if (what)
		return fail(p, -EINVAL, k->key, "%s = %s %s; expected %s", k->key,
			    quote(q, sizeof(q), s), what, k->expect);
	if (n < k->min || n > k->max)
		return fail(p, -EINVAL, k->key, "%s = %s is out of range; expected %s", k->key,
			    quote(q, sizeof(q), s), k->expect);
	/*
	 * xl must read the same number.  With the checks above the one thing
	 * libxlutil still refuses is `key += N`.
	 */
	if (xlu_cfg_get_long(p->cfg, k->key, &l, 1) || l != (long)n)
		return fail(p, -EINVAL, k->key, "%s is set with +=, which xl refuses for numbers",
			    k->key);
	*v = (uint32_t)n;
	return 1;
}

/* NULL if @s is a usable domain name, else what is wrong with it. */
static const char *bad_domain_name(const char *s)
{
	size_t n = strlen(s);

	if (!n)
		return "is empty";
	if (n >= VGT_XLCFG_NAME_MAX)
		return "is longer than 63 characters";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/')
			return "contains '/'";
		if (isspace(c))
			return "contains whitespace";
		if (c < 0x20 || c == 0x7f)
			return "contains a control character";
	}
	return NULL;
}

/*
 * A vGPU type name as vgtctl and the types table take it; not "primary",
 * which an attach spec would read as the flag.
 */
static bool valid_type_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= VGT_XLCFG_TYPE_MAX || !strcmp(s, "primary"))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* xl's rules: type= if present, else the deprecated builder=, else PV. */
static int parse_domain_type(struct parser *p, struct vgt_xlcfg *c)
{
	char q[QUOTE_BUF];
	const char *s;
	int r;

	r = get_str(p, "type", "\"hvm\", \"pvh\" or \"pv\"", &s);
	if (r < 0)
		return r;
	if (r) {
		if (strcmp(s, "hvm") && strcmp(s, "pvh") && strcmp(s, "pv"))
			return fail(p, -EINVAL, "type", "type = %s is not a domain type; expected "
				    "\"hvm\", \"pvh\" or \"pv\"", quote(q, sizeof(q), s));
		strcpy(c->type, s);
		return 0;
	}
	r = get_str(p, "builder", "\"hvm\" or \"generic\"", &s);
	if (r < 0)
		return r;
	if (!r || !strcmp(s, "generic")) {
		strcpy(c->type, "pv");
		return 0;
	}
	if (strcmp(s, "hvm"))
		return fail(p, -EINVAL, "builder", "builder = %s is not a builder; expected \"hvm\" "
			    "or \"generic\" (or type=)", quote(q, sizeof(q), s));
	strcpy(c->type, "hvm");
	return 0;
}

/* Every key after a successful libxlutil parse, into @c (zeroed). */
static int parse_keys(struct parser *p, struct vgt_xlcfg *c)
{
	bool has_low, has_high, has_fences, has_weight;
	const char *s, *what, *size_key;
	char q[QUOTE_BUF];
	uint32_t v = 0;
	int r;

	r = get_str(p, "name", "the domain's name", &s);
	if (r < 0)
		return r;
	if (!r)
		return fail(p, -EINVAL, NULL, "name= is missing; xl needs the domain's name");
	what = bad_domain_name(s);
	if (what)
		return fail(p, -EINVAL, "name", "name = %s %s", quote(q, sizeof(q), s), what);
	strcpy(c->name, s);

	r = parse_domain_type(p, c);
	if (r)
		return r;

	r = get_num(p, &k_vgt, &v);
	if (r < 0)
		return r;
	c->vgt = r && v;
	if (!c->vgt) {
		/* A vgt_* key without vgt=1 is a half-written config, not a choice. */
		for (size_t i = 0; i < sizeof(vgt_keys) / sizeof(vgt_keys[0]); i++)
			if (xlu_cfg_get_string(p->cfg, vgt_keys[i], &s, 1) != ESRCH)
				return fail(p, -EINVAL, vgt_keys[i], "%s= given but vgt=1 is not set",
					    vgt_keys[i]);
		return 0;
	}

	r = get_str(p, "vgt_type", "a vGPU type name", &s);
	if (r < 0)
		return r;
	if (r) {
		if (!valid_type_name(s))
			return fail(p, -EINVAL, "vgt_type", "vgt_type = %s is not a type name; expected "
				    "1..31 of A-Z a-z 0-9 _ . -, not \"primary\"", quote(q, sizeof(q), s));
		strcpy(c->vgt_type, s);
	}
	if ((r = get_num(p, &k_low, &c->low_mb)) < 0)
		return r;
	has_low = r;
	if ((r = get_num(p, &k_high, &c->high_mb)) < 0)
		return r;
	has_high = r;
	if ((r = get_num(p, &k_fences, &c->fences)) < 0)
		return r;
	has_fences = r;
	if ((r = get_num(p, &k_weight, &c->weight)) < 0)
		return r;
	has_weight = r;
	if ((r = get_num(p, &k_primary, &v)) < 0)
		return r;
	c->primary = r && v;
	if ((r = get_num(p, &k_backend, &c->backend_domid)) < 0)
		return r;

	size_key = has_low ? k_low.key : has_high ? k_high.key : has_fences ? k_fences.key : NULL;
	if (c->vgt_type[0] && size_key)
		return fail(p, -EINVAL, size_key, "vgt_type and vgt_low_gm_sz/vgt_high_gm_sz/"
			    "vgt_fence_sz exclude each other (vgt_type = %s with %s)",
			    quote(q, sizeof(q), c->vgt_type), size_key);
	if (size_key && !(has_low && has_high))
		return fail(p, -EINVAL, size_key, "%s given without %s: explicit sizes need both "
			    "vgt_low_gm_sz and vgt_high_gm_sz", size_key,
			    has_low ? k_high.key : has_high ? k_low.key : "vgt_low_gm_sz/vgt_high_gm_sz");
	if (size_key) {
		if (!has_fences)
			c->fences = VGT_XLCFG_DEFAULT_FENCES;
		if (!has_weight)
			c->weight = VGT_XLCFG_DEFAULT_WEIGHT;
	} else if (!c->vgt_type[0]) {
		strcpy(c->vgt_type, VGT_XLCFG_DEFAULT_TYPE);
	}
	return 0;
}

/* libxlutil refused the text: the first line of its report is the message. */
static int parse_error(struct parser *p, int err)
{
	const char *rest = NULL, *nl;
	unsigned line;
	size_t n;

	if (fflush(p->report) || !p->rlen)
		return fail(p, -err, NULL, "cannot parse: %s", strerror(err));
	n = strcspn(p->rbuf, "\n");
	line = report_line(p, p->rbuf, &rest);
	if (!rest) {
		/* Not "FNAME:LINE: ..." (out of memory and the like): say whose it is. */
		p->fname = "libxlutil";
		return fail_line(p, -err, 0, "%.*s", (int)n, p->rbuf);
	}
	n -= (size_t)(rest - p->rbuf);
	/*
	 * An error at the end of a line ("near <newline>") comes one line
	 * short: libxlutil takes one off for a newline its count has not
	 * reached yet.
	 */
	nl = strstr(rest, "near <newline>");
	if (nl && nl < rest + n)
		line++;
	return fail_line(p, -err, line, "%.*s", (int)n, rest);
}

int vgt_xlcfg_parse_data(const char *data, size_t len, const char *fname_for_messages,
			 struct vgt_xlcfg *out, char *why, size_t whylen)
{
	struct parser p = {
		.fname = fname_for_messages ? fname_for_messages : "<config>",
		.why = why,
		.whylen = whylen,
	};
	struct vgt_xlcfg c;
	const char *nul;
	char *text;
	int r;

	if (why && whylen)
		why[0] = '\0';
	if (!out)
		return fail(&p, -EINVAL, NULL, "no result given");
	memset(out, 0, sizeof(*out));
	if (!data && len)
		return fail(&p, -EINVAL, NULL, "no config text");
	if (len > VGT_XLCFG_TEXT_MAX)
		return fail(&p, -EFBIG, NULL, "%zu bytes; a domain config is at most %u", len,
			    VGT_XLCFG_TEXT_MAX);
	/*
	 * libxlutil asserts (aborts) on a quoted string holding a NUL byte, and
	 * no config has one.
	 */
	nul = len ? memchr(data, '\0', len) : NULL;
	if (nul) {
		unsigned line = 1;

		for (const char *d = data; d < nul; d++)
			line += *d == '\n';
		return fail_line(&p, -EINVAL, line, "a NUL byte: binary data, not a domain config");
	}
	/*
	 * Parse a copy that ends in a newline: libxlutil loses a lexical error
	 * on an unterminated last line ("vgt_low_gm_sz=64M" would read as 64).
	 */
	text = malloc(len + 1);
	if (!text)
		return fail(&p, -ENOMEM, NULL, "out of memory");
	if (len)
		memcpy(text, data, len);
	text[len] = '\n';

	p.report = open_memstream(&p.rbuf, &p.rlen);
	if (!p.report) {
		r = fail(&p, -errno, NULL, "cannot capture libxlutil's report: %s", strerror(errno));
		goto out_text;
	}
	p.cfg = xlu_cfg_init(p.report, p.fname);
	if (!p.cfg) {
		r = fail(&p, -ENOMEM, NULL, "out of memory");
		goto out_report;
	}
	r = xlu_cfg_readdata(p.cfg, text, (int)(len + 1));
	if (r) {
		r = parse_error(&p, r);
		goto out_cfg;
	}
	memset(&c, 0, sizeof(c));
	r = parse_keys(&p, &c);
	if (!r)
		memcpy(out, &c, sizeof(c));     /* padding too: results compare with memcmp */
out_cfg:
	/* After a failed read libxlutil allows nothing but this. */
	xlu_cfg_destroy(p.cfg);
out_report:
	fclose(p.report);
	free(p.rbuf);
out_text:
	free(text);
	return r;
}

/* The whole of @fd, at most VGT_XLCFG_TEXT_MAX + 1 bytes, so that too long is seen. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t got;

	if (!b)
		return -ENOMEM;
	for (;;) {
		if (n == cap) {
			if (cap > VGT_XLCFG_TEXT_MAX)
				break;
			cap *= 2;
			nb = realloc(b, cap);
			if (!nb) {
				free(b);
				return -ENOMEM;
			}
			b = nb;
		}
		got = read(fd, b + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = -errno;

			free(b);
			return err;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	*buf = b;
	*len = n;
	return 0;
}

int vgt_xlcfg_parse_file(const char *path, struct vgt_xlcfg *out, char *why, size_t whylen)
{
	struct parser p = { .fname = path ? path : "<config>", .why = why, .whylen = whylen };
	char *text = NULL;
	size_t len = 0;
	struct stat st;
	int fd, r;

	if (why && whylen)
		why[0] = '\0';
	if (out)
		memset(out, 0, sizeof(*out));
	if (!path || !out)
		return fail(&p, -EINVAL, NULL, "no file or no result given");
	/* Read here rather than by xlu_cfg_readfile, whose open error says "Success". */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(&p, -errno, NULL, "cannot open: %s", strerror(errno));
	if (fstat(fd, &st)) {
		r = fail(&p, -errno, NULL, "cannot stat: %s", strerror(errno));
		goto out_fd;
	}
	if (S_ISDIR(st.st_mode)) {
		r = fail(&p, -EISDIR, NULL, "is a directory, not a domain config");
		goto out_fd;
	}
	r = read_all(fd, &text, &len);
	if (r) {
		fail(&p, r, NULL, "cannot read: %s", strerror(-r));
		goto out_fd;
	}
	r = vgt_xlcfg_parse_data(text, len, path, out, why, whylen);
	free(text);
out_fd:
	close(fd);
	return r;
}

int vgt_xlcfg_attach_spec(const struct vgt_xlcfg *c, char *buf, size_t len)
{
	int n;

	if (!c || !buf || !c->vgt)
		return -EINVAL;
	/* Checked again so that a hand-made struct cannot smuggle ',' or '=' to vgtctl. */
	if (c->vgt_type[0]) {
		if (!memchr(c->vgt_type, '\0', sizeof(c->vgt_type)) || !valid_type_name(c->vgt_type) ||
		    c->low_mb || c->high_mb || c->fences || c->weight > VGT_XLCFG_WEIGHT_MAX)
			return -EINVAL;
		if (c->weight)
			n = snprintf(buf, len, "%s,weight=%" PRIu32 "%s", c->vgt_type, c->weight,
				     c->primary ? ",primary" : "");
		else
			n = snprintf(buf, len, "%s%s", c->vgt_type, c->primary ? ",primary" : "");
	} else {
		if (c->low_mb < 1 || c->low_mb > VGT_XLCFG_GM_MAX_MB || c->high_mb < 1 ||
		    c->high_mb > VGT_XLCFG_GM_MAX_MB || c->fences > VGT_XLCFG_FENCES_MAX ||
		    c->weight < 1 || c->weight > VGT_XLCFG_WEIGHT_MAX)
			return -EINVAL;
		n = snprintf(buf, len, "low=%" PRIu32 ",high=%" PRIu32 ",fences=%" PRIu32
			     ",weight=%" PRIu32 "%s", c->low_mb, c->high_mb, c->fences, c->weight,
			     c->primary ? ",primary" : "");
	}
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= len) {
		if (len)
			buf[0] = '\0';
		return -ERANGE;
	}
	return 0;
}

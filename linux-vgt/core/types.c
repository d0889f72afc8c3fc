/* SPDX-License-Identifier: MIT */
/*
 * The vGPU types table (config/vgpu-types.conf): one type per line,
 * "name low_mb high_mb fences weight WxH", '#' comments.  Every malformed
 * line is refused with its line number; nothing half-parsed is kept.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"

#define TYPES_LINE_MAX 256u

static bool parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= VGT_TYPE_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
	return true;
}

static int parse_line(char *line, unsigned lineno, struct vgt_type *t, struct vgt_error *err)
{
	char *field[7], *save = NULL, *res, *x;
	unsigned n = 0;

	for (char *tok = strtok_r(line, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save)) {
		if (n == 6) {
			vgt_seterr(err, "line %u: too many fields (want: name low_mb high_mb fences weight WxH)",
				   lineno);
			return -EINVAL;
		}
		field[n++] = tok;
	}
	if (n != 6) {
		vgt_seterr(err, "line %u: %u fields, want 6: name low_mb high_mb fences weight WxH",
			   lineno, n);
		return -EINVAL;
	}
	if (!valid_name(field[0])) {
		vgt_seterr(err, "line %u: bad type name '%.40s' (letters, digits, '-', '_', '.'; < %d chars)",
			   lineno, field[0], VGT_TYPE_NAME_MAX);
		return -EINVAL;
	}
	strcpy(t->name, field[0]);
	if (!parse_u32(field[1], 1, 512, &t->low_mb)) {
		vgt_seterr(err, "line %u: low_mb '%.20s' is not 1..512", lineno, field[1]);
		return -EINVAL;
	}
	if (!parse_u32(field[2], 1, 2048, &t->high_mb)) {
		vgt_seterr(err, "line %u: high_mb '%.20s' is not 1..2048", lineno, field[2]);
		return -EINVAL;
	}
	if (!parse_u32(field[3], 0, VGT_MAX_FENCES, &t->fences)) {
		vgt_seterr(err, "line %u: fences '%.20s' is not 0..32", lineno, field[3]);
		return -EINVAL;
	}
	if (!parse_u32(field[4], 1, 100, &t->weight)) {
		vgt_seterr(err, "line %u: weight '%.20s' is not 1..100", lineno, field[4]);
		return -EINVAL;
	}
	res = field[5];
	x = strchr(res, 'x');
	if (!x) {
		vgt_seterr(err, "line %u: display '%.20s' is not WxH", lineno, res);
		return -EINVAL;
	}
	*x = '\0';
	if (!parse_u32(res, 1, 4096, &t->width) || !parse_u32(x + 1, 1, 4096, &t->height)) {
		vgt_seterr(err, "line %u: display size is not 1..4096 x 1..4096", lineno);
		return -EINVAL;
	}
	return 0;
}

int vgt_types_parse(const char *text, struct vgt_type *types, unsigned max, struct vgt_error *err)
{
	char line[TYPES_LINE_MAX + 1];
	unsigned count = 0, lineno = 0;
	const char *p = text;

	if (!text) {
		vgt_seterr(err, "no types text");
		return -EINVAL;
	}
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		struct vgt_type t;
		char *hash;
		int ret;

		lineno++;
		if (len > TYPES_LINE_MAX) {
			vgt_seterr(err, "line %u: longer than %u characters", lineno, TYPES_LINE_MAX);
			return -EINVAL;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		if (strspn(line, " \t\r") == strlen(line))
			continue;
		memset(&t, 0, sizeof(t));
		ret = parse_line(line, lineno, &t, err);
		if (ret)
			return ret;
		for (unsigned i = 0; i < count; i++) {
			if (!strcmp(types[i].name, t.name)) {
				vgt_seterr(err, "line %u: type '%s' is defined twice", lineno, t.name);
				return -EINVAL;
			}
		}
		if (count == max) {
			vgt_seterr(err, "line %u: more than %u types", lineno, max);
			return -EINVAL;
		}
		types[count++] = t;
	}
	if (!count) {
		vgt_seterr(err, "no types defined");
		return -EINVAL;
	}
	return (int)count;
}

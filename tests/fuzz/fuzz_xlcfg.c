/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: the vgt= keys of xl domain configs (tools/libxl-vgt/xlcfg.c
 * over the real libxlutil), on any text.  A refusal must say why and hand
 * back nothing; an acceptance must hold only values in range, and its
 * attach spec must be well formed and fit VGT_XLCFG_SPEC_MAX.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what) \
	do { if (!(cond)) { fprintf(stderr, "fuzz invariant broken: %s\n", what); abort(); } } while (0)

static bool terminated(const char *s, size_t n)
{
	return memchr(s, '\0', n) != NULL;
}

static bool type_chars(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '.' && *s != '-')
			return false;
	return true;
}

static void check_accepted(const struct vgt_xlcfg *c)
{
	char spec[VGT_XLCFG_SPEC_MAX], expect[VGT_XLCFG_SPEC_MAX];
	size_t n;
	int r;

	CHECK(terminated(c->name, sizeof(c->name)) && c->name[0], "an empty or unterminated name");
	for (const char *p = c->name; *p; p++)
		CHECK(*p != '/' && !isspace((unsigned char)*p) && (unsigned char)*p >= 0x20 &&
		      *p != 0x7f, "a name with '/', whitespace or a control character");
	CHECK(!strcmp(c->type, "hvm") || !strcmp(c->type, "pvh") || !strcmp(c->type, "pv"),
	      "a domain type other than hvm, pvh, pv");
	CHECK(terminated(c->vgt_type, sizeof(c->vgt_type)) && type_chars(c->vgt_type),
	      "a vGPU type name with bad characters");
	CHECK(c->backend_domid <= VGT_XLCFG_BACKEND_MAX, "vgt_backend out of range");
	if (!c->vgt) {
		CHECK(!c->vgt_type[0] && !c->low_mb && !c->high_mb && !c->fences && !c->weight &&
		      !c->primary && !c->backend_domid, "vGPU settings without vgt=1");
		CHECK(vgt_xlcfg_attach_spec(c, spec, sizeof(spec)) == -EINVAL,
		      "an attach spec without vgt=1");
		return;
	}
	CHECK(c->weight <= VGT_XLCFG_WEIGHT_MAX, "vgt_weight out of range");
	if (c->vgt_type[0]) {
		CHECK(!c->low_mb && !c->high_mb && !c->fences, "a type together with sizes");
		CHECK(strcmp(c->vgt_type, "primary"), "a type an attach spec reads as the flag");
		if (c->weight)
			snprintf(expect, sizeof(expect), "%s,weight=%u", c->vgt_type, (unsigned)c->weight);
		else
			snprintf(expect, sizeof(expect), "%s", c->vgt_type);
	} else {
		CHECK(c->low_mb >= 1 && c->low_mb <= VGT_XLCFG_GM_MAX_MB, "vgt_low_gm_sz out of range");
		CHECK(c->high_mb >= 1 && c->high_mb <= VGT_XLCFG_GM_MAX_MB, "vgt_high_gm_sz out of range");
		CHECK(c->fences <= VGT_XLCFG_FENCES_MAX, "vgt_fence_sz out of range");
		CHECK(c->weight >= 1, "explicit sizes without a weight");
		snprintf(expect, sizeof(expect), "low=%u,high=%u,fences=%u,weight=%u",
			 (unsigned)c->low_mb, (unsigned)c->high_mb, (unsigned)c->fences,
			 (unsigned)c->weight);
	}
	if (c->primary)
		strcat(expect, ",primary");
	r = vgt_xlcfg_attach_spec(c, spec, sizeof(spec));
	CHECK(r == 0, "no attach spec for an accepted config");
	CHECK(!strcmp(spec, expect), "an attach spec that does not say what was parsed");
	n = strlen(spec);
	CHECK(vgt_xlcfg_attach_spec(c, spec, n + 1) == 0, "an attach spec that needs more room than it has");
	CHECK(vgt_xlcfg_attach_spec(c, spec, n) == -ERANGE && !spec[0], "a cut attach spec");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgt_xlcfg c, again, zero;
	char why[VGT_XLCFG_WHY_MAX];
	int r;

	memset(&zero, 0, sizeof(zero));
	memset(why, 'x', sizeof(why));
	r = vgt_xlcfg_parse_data((const char *)data, size, "fuzz.cfg", &c, why, sizeof(why));
	CHECK(terminated(why, sizeof(why)), "an unterminated message");
	if (r) {
		CHECK(r == -EINVAL || r == -EFBIG || r == -ENOMEM, "an error other than -EINVAL");
		CHECK(why[0], "a refusal without a reason");
		CHECK(!strncmp(why, "fuzz.cfg", 8) || !strncmp(why, "libxlutil: ", 11),
		      "a message that does not name the file");
		for (const char *p = why; *p; p++)
			CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "a control character in a message");
		CHECK(!memcmp(&c, &zero, sizeof(c)), "a half-parsed result on a refusal");
	} else {
		CHECK(!why[0], "a message on success");
		check_accepted(&c);
	}
	/* The same answer again, without a message buffer. */
	memset(&again, 0xa5, sizeof(again));
	CHECK(vgt_xlcfg_parse_data((const char *)data, size, "fuzz.cfg", &again, NULL, 0) == r,
	      "a different answer the second time");
	CHECK(!memcmp(&c, &again, sizeof(c)), "a different result the second time");
	return 0;
}

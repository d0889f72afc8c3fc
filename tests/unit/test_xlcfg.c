/* SPDX-License-Identifier: MIT */
/*
 * The vgt= keys of xl domain configs (tools/libxl-vgt/xlcfg.c), parsed by
 * the real libxlutil: configs as xl users write them, every key's last good
 * and first bad values, every kind of bad value, the rules between keys,
 * files that are missing, empty or malformed, and the attach spec.
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

#include "xlcfg.h"

#define FNAME "guest.cfg"

static int parse(const char *text, struct vgt_xlcfg *c, char *why)
{
	return vgt_xlcfg_parse_data(text, strlen(text), FNAME, c, why, VGT_XLCFG_WHY_MAX);
}

/* @text must be refused with @err and a message containing @want. */
static void expect_refused(const char *text, int err, const char *want)
{
	struct vgt_xlcfg c, zero;
	char why[VGT_XLCFG_WHY_MAX];
	int r;

	memset(&c, 0x5a, sizeof(c));
	memset(&zero, 0, sizeof(zero));
	r = parse(text, &c, why);
	if (r != err || !strstr(why, want))
		fail_msg("config:\n%s\n-> %d \"%s\"; want %d and \"%s\"", text, r, why, err, want);
	/* Nothing half-parsed is handed back. */
	assert_memory_equal(&c, &zero, sizeof(c));
}

/* Writes @len bytes of @text to a new temporary file; its path is in @path. */
static void write_temp(char *path, size_t pathlen, const char *text, size_t len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, pathlen, "%s/vgt-xlcfg-XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* ---- Good configs ---------------------------------------------------------- */

static void test_hvm_with_type(void **state)
{
	static const char text[] =
		"# Windows 10 desktop with a mediated vGPU\n"
		"name = \"win10\"\n"
		"type = \"hvm\"\n"
		"memory = 4096\n"
		"vcpus = 2\n"
		"disk = [ 'phy:/dev/vg0/win10,hda,w', 'file:/srv/iso/virtio-win.iso,hdc:cdrom,r' ]\n"
		"vif = [ 'mac=00:16:3e:10:20:30,bridge=xenbr0' ]\n"
		"boot = \"c\"\n"
		"vnc = 1\n"
		"usbdevice = \"tablet\"\n"
		"on_crash = \"restart\"\n"
		"\n"
		"vgt = 1\n"
		"vgt_type = \"vgt-128\"\n";
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	(void)state;
	assert_int_equal(parse(text, &c, why), 0);
	assert_string_equal(why, "");
	assert_string_equal(c.name, "win10");
	assert_string_equal(c.type, "hvm");
	assert_true(c.vgt);
	assert_string_equal(c.vgt_type, "vgt-128");
	assert_int_equal(c.low_mb, 0);
	assert_int_equal(c.high_mb, 0);
	assert_int_equal(c.fences, 0);
	assert_int_equal(c.weight, 0);
	assert_false(c.primary);
	assert_int_equal(c.backend_domid, 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "vgt-128");
}

static void test_pvh_with_sizes(void **state)
{
	static const char text[] =
		"name = \"build-pvh\"\n"
		"type = \"pvh\"\n"
		"kernel = \"/boot/vmlinuz-6.1.0-13-amd64\"\n"
		"ramdisk = \"/boot/initrd.img-6.1.0-13-amd64\"\n"
		"extra = \"root=/dev/xvda1 console=hvc0\"\n"
		"memory = 2048\n"
		"maxmem = 4096\n"
		"vcpus = 4\n"
		"disk = [ 'format=raw, vdev=xvda, access=rw, target=/srv/xen/build.img' ]\n"
		"vif = [ 'bridge=xenbr0' ]\n"
		"vgt = 1\n"
		"vgt_low_gm_sz = 128   # aperture MiB\n"
		"vgt_high_gm_sz = 512\n"
		"vgt_fence_sz = 8\n";
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	(void)state;
	assert_int_equal(parse(text, &c, why), 0);
	assert_string_equal(c.name, "build-pvh");
	assert_string_equal(c.type, "pvh");
	assert_true(c.vgt);
	assert_string_equal(c.vgt_type, "");
	assert_int_equal(c.low_mb, 128);
	assert_int_equal(c.high_mb, 512);
	assert_int_equal(c.fences, 8);
	assert_int_equal(c.weight, VGT_XLCFG_DEFAULT_WEIGHT);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "low=128,high=512,fences=8,weight=1");
}

static void test_weight_primary_backend(void **state)
{
	/* builder= is how older configs say HVM; a driver domain serves the vGPU. */
	static const char typed[] =
		"name='kiosk'\n"
		"builder='hvm'\n"
		"memory=1024; vcpus=1\n"
		"vgt=1; vgt_type='vgt-32'; vgt_weight=7\n"
		"vgt_primary=1\n"
		"vgt_backend=5\n";
	static const char sized[] =
		"name = \"render-farm-3\"\n"
		"type = \"hvm\"\n"
		"memory = 8192\n"
		"vgt = 1\n"
		"vgt_low_gm_sz = 0x100\n"
		"vgt_high_gm_sz = 1024\n"
		"vgt_weight = 40\n"
		"vgt_primary = 0\n";
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	(void)state;
	assert_int_equal(parse(typed, &c, why), 0);
	assert_string_equal(c.name, "kiosk");
	assert_string_equal(c.type, "hvm");
	assert_string_equal(c.vgt_type, "vgt-32");
	assert_int_equal(c.weight, 7);
	assert_true(c.primary);
	assert_int_equal(c.backend_domid, 5);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "vgt-32,weight=7,primary");

	assert_int_equal(parse(sized, &c, why), 0);
	assert_int_equal(c.low_mb, 256);
	assert_int_equal(c.high_mb, 1024);
	assert_int_equal(c.fences, VGT_XLCFG_DEFAULT_FENCES);
	assert_int_equal(c.weight, 40);
	assert_false(c.primary);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "low=256,high=1024,fences=4,weight=40");
}

static void test_defaults(void **state)
{
	static const char bare[] =
		"name = \"pv-guest\"\n"
		"kernel = \"/usr/lib/grub-xen/grub-x86_64-xen.bin\"\n"
		"memory = 512\n"
		"vgt = 1\n";
	static const char weighted[] =
		"name = \"pv-guest\"\n"
		"vgt = 1\n"
		"vgt_weight = 3\n";
	static const char generic[] =
		"name = \"old\"\n"
		"builder = \"generic\"\n";
	/* type= wins over builder=, as in xl. */
	static const char both[] =
		"name = \"both\"\n"
		"builder = \"hvm\"\n"
		"type = \"pvh\"\n";
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	(void)state;
	assert_int_equal(parse(bare, &c, why), 0);
	assert_string_equal(c.type, "pv");
	assert_true(c.vgt);
	assert_string_equal(c.vgt_type, VGT_XLCFG_DEFAULT_TYPE);
	assert_int_equal(c.low_mb, 0);
	assert_int_equal(c.weight, 0);
	assert_false(c.primary);
	assert_int_equal(c.backend_domid, 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "vgt-64");

	assert_int_equal(parse(weighted, &c, why), 0);
	assert_string_equal(c.vgt_type, "vgt-64");
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "vgt-64,weight=3");

	assert_int_equal(parse(generic, &c, why), 0);
	assert_string_equal(c.type, "pv");
	assert_int_equal(parse(both, &c, why), 0);
	assert_string_equal(c.type, "pvh");
}

static void test_no_vgt(void **state)
{
	static const char plain[] =
		"name = \"web1\"\n"
		"type = \"pvh\"\n"
		"kernel = \"/boot/vmlinuz\"\n"
		"memory = 1024\n"
		"vcpus = 2\n"
		"disk = [ 'vdev=xvda, target=/dev/vg0/web1' ]\n";
	static const char off[] =
		"name = \"web1\"\n"
		"type = \"hvm\"\n"
		"vgt = 0\n";
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	(void)state;
	assert_int_equal(parse(plain, &c, why), 0);
	assert_string_equal(why, "");
	assert_string_equal(c.name, "web1");
	assert_false(c.vgt);
	assert_string_equal(c.vgt_type, "");
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	assert_int_equal(parse(off, &c, why), 0);
	assert_false(c.vgt);
	assert_string_equal(c.vgt_type, "");
}

/* What libxlutil itself decides: xl reads these the same way. */
static void test_libxlutil_semantics(void **state)
{
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX];

	(void)state;
	/* The last setting of a key wins. */
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_type=\"vgt-32\"\nvgt_type=\"vgt-256\"\n",
			       &c, why), 0);
	assert_string_equal(c.vgt_type, "vgt-256");
	/* A quoted number is the same value to libxlutil (memory="512" works in xl). */
	assert_int_equal(parse("name=\"a\"\nvgt=\"1\"\nvgt_weight=\"9\"\n", &c, why), 0);
	assert_int_equal(c.weight, 9);
	/* += concatenates strings. */
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_type=\"vgt\"\nvgt_type+=\"-128\"\n",
			       &c, why), 0);
	assert_string_equal(c.vgt_type, "vgt-128");
	/* Settings on one line, separated by ';'; no final newline. */
	assert_int_equal(parse("name=\"a\"; vgt=1; vgt_low_gm_sz=32; vgt_high_gm_sz=64", &c, why), 0);
	assert_int_equal(c.high_mb, 64);
}

/* ---- Every numeric key: last good and first bad values, bad kinds --------- */

struct num_key_case {
	const char *key;
	uint32_t min, max;
	const char *context;    /* what the key needs beside it */
};

static const struct num_key_case num_keys[] = {
	{ "vgt", 0, 1, "" },
	{ "vgt_low_gm_sz", 1, 4096, "vgt_high_gm_sz = 256\n" },
	{ "vgt_high_gm_sz", 1, 4096, "vgt_low_gm_sz = 64\n" },
	{ "vgt_fence_sz", 0, 32, "vgt_low_gm_sz = 64\nvgt_high_gm_sz = 256\n" },
	{ "vgt_weight", 1, 100, "" },
	{ "vgt_primary", 0, 1, "" },
	{ "vgt_backend", 0, 32767, "" },
};

/* A guest config with @key = @value on a line of its own; its number in *line. */
static void build(char *buf, size_t len, const struct num_key_case *k, const char *value,
		  unsigned *line)
{
	const char *head =
		"# guest.cfg\n"
		"name = \"guest\"\n"
		"type = \"hvm\"\n"
		"memory = 2048\n"
		"vcpus = 2\n"
		"disk = [ 'phy:/dev/vg0/guest,xvda,w' ]\n"
		"vif = [ 'mac=00:16:3e:00:00:01,bridge=xenbr0' ]\n";
	bool is_vgt = !strcmp(k->key, "vgt");
	const char *key_at;
	char at[64];
	int n;

	n = snprintf(buf, len, "%s%s%s%s = %s\non_crash = \"restart\"\n", head,
		     is_vgt ? "" : "vgt = 1\n", k->context, k->key, value);
	assert_true(n > 0 && (size_t)n < len);
	snprintf(at, sizeof(at), "\n%s = ", k->key);
	key_at = strstr(buf, at);
	assert_non_null(key_at);
	*line = 2;
	for (const char *p = buf; p < key_at; p++)
		*line += *p == '\n';
}

static uint32_t field(const struct vgt_xlcfg *c, const char *key)
{
	if (!strcmp(key, "vgt"))
		return c->vgt;
	if (!strcmp(key, "vgt_low_gm_sz"))
		return c->low_mb;
	if (!strcmp(key, "vgt_high_gm_sz"))
		return c->high_mb;
	if (!strcmp(key, "vgt_fence_sz"))
		return c->fences;
	if (!strcmp(key, "vgt_weight"))
		return c->weight;
	if (!strcmp(key, "vgt_primary"))
		return c->primary;
	return c->backend_domid;
}

static void expect_good(const struct num_key_case *k, const char *value, uint32_t want)
{
	char text[1024], why[VGT_XLCFG_WHY_MAX];
	struct vgt_xlcfg c;
	unsigned line;
	int r;

	build(text, sizeof(text), k, value, &line);
	r = parse(text, &c, why);
	if (r || field(&c, k->key) != want)
		fail_msg("%s = %s -> %d \"%s\", value %u; want %u", k->key, value, r, why,
			 field(&c, k->key), want);
}

static void expect_bad(const struct num_key_case *k, const char *value, const char *what)
{
	char text[1024], want[256];
	unsigned line;

	build(text, sizeof(text), k, value, &line);
	if (what[0] == '@')     /* a libxlutil syntax error, at the key's line */
		snprintf(want, sizeof(want), FNAME ":%u: config parsing error", line);
	else
		snprintf(want, sizeof(want), FNAME ":%u: %s = %s", line, k->key, what);
	expect_refused(text, -EINVAL, want);
}

static void test_numeric_boundaries(void **state)
{
	char v[32];

	(void)state;
	for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++) {
		const struct num_key_case *k = &num_keys[i];
		char want[64];

		snprintf(v, sizeof(v), "%u", k->min);
		expect_good(k, v, k->min);
		snprintf(v, sizeof(v), "%u", k->max);
		expect_good(k, v, k->max);
		snprintf(v, sizeof(v), "0x%x", k->max);
		expect_good(k, v, k->max);
		snprintf(v, sizeof(v), "%u", k->max + 1);
		snprintf(want, sizeof(want), "\"%u\" is out of range", k->max + 1);
		expect_bad(k, v, want);
		if (k->min > 0) {
			snprintf(v, sizeof(v), "%u", k->min - 1);
			snprintf(want, sizeof(want), "\"%u\" is out of range", k->min - 1);
			expect_bad(k, v, want);
		}
	}
}

static void test_numeric_bad_kinds(void **state)
{
	static const struct {
		const char *value, *what;
	} bad[] = {
		{ "\"big\"", "\"big\" is not a number" },
		{ "\"yes\"", "\"yes\" is not a number" },
		{ "\"\"", "\"\" is empty" },
		{ "\"-1\"", "\"-1\" is negative" },
		{ "\"-4096\"", "\"-4096\" is negative" },
		{ "-1", "@" },                          /* a lexical error to libxlutil */
		{ "true", "@" },
		{ "1abc", "\"1abc\" has characters after the number" },
		{ "\"1 MiB\"", "\"1 MiB\" has characters after the number" },
		{ "\"1.5\"", "\"1.5\" has characters after the number" },
		{ "\"0x\"", "\"0x\" is not a number" },
		{ "\" 1\"", "\" 1\" is not a number" },
		{ "\"+1\"", "\"+1\" is not a number" },
		{ "01", "\"01\" has a leading 0, which xl reads as octal" },
		{ "99999999999999999999", "\"99999999999999999999\" is out of range" },
		{ "4294967297", "\"4294967297\" is out of range" },
		{ "[ 1 ]", "[...] is a list" },
		{ "[ ]", "[...] is a list" },
		{ "[ 1, 2 ]", "[...] is a list" },
		{ "1M", "@" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++)
		for (size_t j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			expect_bad(&num_keys[i], bad[j].value, bad[j].what);
}

static void test_numeric_plus_equals(void **state)
{
	(void)state;
	expect_refused("name=\"a\"\nvgt=1\nvgt_weight=1\nvgt_weight+=2\n", -EINVAL,
		       FNAME ":4: vgt_weight is set with +=");
	expect_refused("name=\"a\"\nvgt+=1\n", -EINVAL, FNAME ":2: vgt is set with +=");
}

/* ---- Names and types -------------------------------------------------------- */

static void test_vgt_type_values(void **state)
{
	static const struct {
		const char *value, *want;
	} bad[] = {
		{ "\"\"", FNAME ":3: vgt_type = \"\" is not a type name" },
		{ "\"vgt 64\"", "vgt_type = \"vgt 64\" is not a type name" },
		{ "\"vgt-64,weight=100\"", "vgt_type = \"vgt-64,weight=100\" is not a type name" },
		{ "\"vgt/64\"", "is not a type name" },
		{ "\"v\\tx\"", "vgt_type = \"v\\x09x\" is not a type name" },
		{ "\"abcdefghijabcdefghijabcdefghij12\"", "is not a type name" },   /* 32 */
		{ "[ \"vgt-64\" ]", FNAME ":3: vgt_type = [...] is a list" },
		{ "\"primary\"", "vgt_type = \"primary\" is not a type name" },   /* the spec's flag */
		{ "64", "@" },  /* a number is a fine string to libxlutil; "64" is a valid name */
	};
	char text[256], why[VGT_XLCFG_WHY_MAX];
	struct vgt_xlcfg c;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "name = \"g\"\nvgt = 1\nvgt_type = %s\n", bad[i].value);
		if (bad[i].want[0] == '@') {
			assert_int_equal(parse(text, &c, why), 0);
			assert_string_equal(c.vgt_type, "64");
			continue;
		}
		expect_refused(text, -EINVAL, bad[i].want);
	}
	/* 31 characters of every kind allowed is the longest name. */
	assert_int_equal(parse("name = \"g\"\nvgt = 1\nvgt_type = \"Az09_.-abcdefghijabcdefghijabcd\"\n",
			       &c, why), 0);
	assert_string_equal(c.vgt_type, "Az09_.-abcdefghijabcdefghijabcd");
}

static void test_name_and_domain_type(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "memory = 512\nvgt = 1\n", FNAME ": name= is missing" },
		{ "name = \"\"\n", FNAME ":1: name = \"\" is empty" },
		{ "memory = 512\nname = \"web/1\"\n", FNAME ":2: name = \"web/1\" contains '/'" },
		{ "name = \"web 1\"\n", "name = \"web 1\" contains whitespace" },
		{ "name = \"web\\t1\"\n", "name = \"web\\x091\" contains whitespace" },
		{ "name = \"web\\a1\"\n", "name = \"web\\x071\" contains a control character" },
		{ "name = \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234\"\n",
		  "is longer than 63 characters" },
		{ "name = [ \"a\" ]\n", FNAME ":1: name = [...] is a list" },
		{ "name = \"a\"\ntype = \"hvm2\"\n", FNAME ":2: type = \"hvm2\" is not a domain type" },
		{ "name = \"a\"\ntype = \"\"\n", "type = \"\" is not a domain type" },
		{ "name = \"a\"\ntype = \"HVM\"\n", "type = \"HVM\" is not a domain type" },
		{ "name = \"a\"\ntype = [ \"hvm\" ]\n", FNAME ":2: type = [...] is a list" },
		{ "name = \"a\"\nbuilder = \"linux\"\n", FNAME ":2: builder = \"linux\" is not a builder" },
	};
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(bad[i].text, -EINVAL, bad[i].want);
	/* 63 characters is the longest name; anything but '/', blanks and controls goes. */
	assert_int_equal(parse("name = \"abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123\"\n",
			       &c, why), 0);
	assert_int_equal(strlen(c.name), 63);
	assert_int_equal(parse("name = 'db-01.example.org_(test)'\n", &c, why), 0);
	assert_string_equal(c.name, "db-01.example.org_(test)");
}

/* ---- Rules between keys ---------------------------------------------------- */

static void test_vgt_keys_need_vgt(void **state)
{
	static const char *const keys[] = {
		"vgt_type = \"vgt-64\"", "vgt_low_gm_sz = 64", "vgt_high_gm_sz = 256",
		"vgt_fence_sz = 4", "vgt_weight = 2", "vgt_primary = 1", "vgt_backend = 0",
		"vgt_primary = 0", "vgt_low_gm_sz = [ 1 ]",
	};
	char text[512], want[128];

	(void)state;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		size_t klen = strcspn(keys[i], " ");

		for (int vgt = 0; vgt < 2; vgt++) {
			snprintf(text, sizeof(text), "name = \"g\"\ntype = \"hvm\"\nmemory = 1024\n"
				 "%s%s\n", vgt ? "vgt = 0\n" : "", keys[i]);
			snprintf(want, sizeof(want), FNAME ":%d: %.*s= given but vgt=1 is not set",
				 4 + vgt, (int)klen, keys[i]);
			expect_refused(text, -EINVAL, want);
		}
	}
}

static void test_type_excludes_sizes(void **state)
{
	static const char *const sizes[] = { "vgt_low_gm_sz = 64", "vgt_high_gm_sz = 256",
					     "vgt_fence_sz = 4" };
	char text[512], want[160];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		snprintf(text, sizeof(text), "name = \"g\"\nvgt = 1\nvgt_type = \"vgt-128\"\n%s\n",
			 sizes[i]);
		snprintf(want, sizeof(want), FNAME ":4: vgt_type and vgt_low_gm_sz/vgt_high_gm_sz/"
			 "vgt_fence_sz exclude each other (vgt_type = \"vgt-128\" with %.*s)",
			 (int)strcspn(sizes[i], " "), sizes[i]);
		expect_refused(text, -EINVAL, want);
	}
	expect_refused("name = \"g\"\nvgt = 1\nvgt_low_gm_sz = 64\nvgt_high_gm_sz = 256\n"
		       "vgt_type = \"vgt-64\"\n", -EINVAL, "exclude each other");
}

static void test_sizes_need_both(void **state)
{
	(void)state;
	expect_refused("name = \"g\"\nvgt = 1\nvgt_low_gm_sz = 64\n", -EINVAL,
		       FNAME ":3: vgt_low_gm_sz given without vgt_high_gm_sz: explicit sizes need both");
	expect_refused("name = \"g\"\nvgt = 1\nvgt_high_gm_sz = 64\nvgt_weight = 2\n", -EINVAL,
		       FNAME ":3: vgt_high_gm_sz given without vgt_low_gm_sz");
	expect_refused("name = \"g\"\nvgt = 1\nvgt_fence_sz = 4\n", -EINVAL,
		       FNAME ":3: vgt_fence_sz given without vgt_low_gm_sz/vgt_high_gm_sz");
}

/* ---- Files and syntax -------------------------------------------------------- */

static void test_missing_file(void **state)
{
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX];
	const char *dir = getenv("TMPDIR");

	(void)state;
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(vgt_xlcfg_parse_file("/nonexistent/etc/xen/guest.cfg", &c, why, sizeof(why)),
			 -ENOENT);
	assert_non_null(strstr(why, "/nonexistent/etc/xen/guest.cfg"));
	assert_non_null(strstr(why, "No such file"));
	assert_int_equal(c.name[0], 0);
	assert_int_equal(vgt_xlcfg_parse_file(dir && *dir ? dir : "/tmp", &c, why, sizeof(why)),
			 -EISDIR);
	assert_non_null(strstr(why, "is a directory"));
}

static void test_file(void **state)
{
	static const char text[] =
		"name = \"from-file\"\n"
		"type = \"hvm\"\n"
		"vgt = 1\n"
		"vgt_type = \"vgt-256\"\n"
		"vgt_primary = 1\n";
	static const char syntax[] = "name = \"a\"\nmemory = 512MB\n";
	static const char comments[] = "# nothing here\n\n";
	struct vgt_xlcfg c;
	char path[256], why[VGT_XLCFG_WHY_MAX];
	char *big;

	(void)state;
	write_temp(path, sizeof(path), text, strlen(text));
	assert_int_equal(vgt_xlcfg_parse_file(path, &c, why, sizeof(why)), 0);
	assert_string_equal(c.name, "from-file");
	assert_string_equal(c.vgt_type, "vgt-256");
	assert_true(c.primary);
	unlink(path);

	/* An empty file has no name= */
	write_temp(path, sizeof(path), "", 0);
	assert_int_equal(vgt_xlcfg_parse_file(path, &c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, path));
	assert_non_null(strstr(why, "name= is missing"));
	unlink(path);

	/* A syntax error names the file and the line. */
	write_temp(path, sizeof(path), syntax, strlen(syntax));
	assert_int_equal(vgt_xlcfg_parse_file(path, &c, why, sizeof(why)), -EINVAL);
	assert_non_null(strstr(why, ":2: config parsing error near `MB'"));
	unlink(path);

	/* Comments only, and past the size limit. */
	write_temp(path, sizeof(path), comments, strlen(comments));
	assert_int_equal(vgt_xlcfg_parse_file(path, &c, why, sizeof(why)), -EINVAL);
	unlink(path);
	big = malloc(VGT_XLCFG_TEXT_MAX + 2);
	assert_non_null(big);
	memset(big, '\n', VGT_XLCFG_TEXT_MAX + 1);
	memcpy(big, "name=\"a\"", 8);
	write_temp(path, sizeof(path), big, VGT_XLCFG_TEXT_MAX + 1);
	assert_int_equal(vgt_xlcfg_parse_file(path, &c, why, sizeof(why)), -EFBIG);
	assert_int_equal(vgt_xlcfg_parse_data(big, VGT_XLCFG_TEXT_MAX + 1, NULL, &c, why, sizeof(why)),
			 -EFBIG);
	/* Exactly at the limit is fine. */
	assert_int_equal(vgt_xlcfg_parse_data(big, VGT_XLCFG_TEXT_MAX, NULL, &c, why, sizeof(why)), 0);
	unlink(path);
	free(big);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "name = \"a\"\nmemory = 512MB\n", FNAME ":2: config parsing error near `MB'" },
		/* libxlutil loses this error on an unterminated last line. */
		{ "name = \"a\"\nvgt = 1\nvgt_low_gm_sz = 64M", FNAME ":3: config parsing error near `M'" },
		{ "name = \"a\"\nvgt = 1\nvgt_high_gm_sz = 1?", FNAME ":3: config parsing error" },
		/* libxlutil counts an error at the end of a line one short. */
		{ "name = \"a\"\nvgt =\nmemory = 512\n", FNAME ":2: config parsing error near <newline>" },
		{ "vgt_type\n", FNAME ":1: config parsing error near <newline>" },
		{ "name = \"a\nvgt = 1\n", FNAME ":1: config parsing error" },
		{ "name = \"a\"\ndisk = [ 'a', \n", "config parsing error" },
		{ "import os\nname = os.uname()[1]\n", FNAME ":1: config parsing error" },
		{ "name = \"a\" vgt = 1\n", FNAME ":1: config parsing error near `vgt'" },
		{ "name = \"a\"\nvgt = 1 # on\nvgt_type = \"x\" \"y\"\n", FNAME ":3: config parsing error" },
		{ "\x01\x02\n", FNAME ":1: config parsing error near `?" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_refused(bad[i].text, -EINVAL, bad[i].want);
	expect_refused("", -EINVAL, FNAME ": name= is missing");
}

/* Only @len bytes are read: the buffer is exactly that long, ASan would see more. */
static void test_data_length(void **state)
{
	static const char text[] = "name = \"a\"\nvgt = 1\nvgt_type = \"vgt-32\"\nGARBAGE";
	size_t len = strlen(text) - strlen("GARBAGE");
	char *exact = malloc(len), why[VGT_XLCFG_WHY_MAX];
	struct vgt_xlcfg c;

	(void)state;
	assert_non_null(exact);
	memcpy(exact, text, len);
	assert_int_equal(vgt_xlcfg_parse_data(exact, len, "x.cfg", &c, why, sizeof(why)), 0);
	assert_string_equal(c.vgt_type, "vgt-32");
	/* One byte less cuts the closing quote. */
	assert_int_equal(vgt_xlcfg_parse_data(exact, len - 2, "x.cfg", &c, why, sizeof(why)),
			 -EINVAL);
	assert_non_null(strstr(why, "x.cfg:3: config parsing error"));
	free(exact);
	/* A NUL byte in a quoted string makes libxlutil abort: refused before. */
	{
		static const char nul[] = "name = \"a\"\nvgt = 1\nvgt_type = 'vgt\0-64'\n";

		memset(&c, 0x5a, sizeof(c));
		assert_int_equal(vgt_xlcfg_parse_data(nul, sizeof(nul) - 1, "x.cfg", &c, why, sizeof(why)),
				 -EINVAL);
		assert_string_equal(why, "x.cfg:3: a NUL byte: binary data, not a domain config");
		assert_int_equal(c.vgt, 0);
	}
	/* No data at all, no message buffer, a tiny one. */
	assert_int_equal(vgt_xlcfg_parse_data(NULL, 0, NULL, &c, why, sizeof(why)), -EINVAL);
	assert_string_equal(why, "<config>: name= is missing; xl needs the domain's name");
	assert_int_equal(vgt_xlcfg_parse_data("vgt=7\n", 6, NULL, &c, NULL, 0), -EINVAL);
	assert_int_equal(vgt_xlcfg_parse_data("name=\"a\"\nvgt=7\n", 15, "a.cfg", &c, why, 8), -EINVAL);
	assert_string_equal(why, "a.cfg:2");
	assert_int_equal(vgt_xlcfg_parse_data("x", 1, NULL, NULL, why, sizeof(why)), -EINVAL);
}

/* ---- Attach spec ------------------------------------------------------------- */

static void test_attach_spec(void **state)
{
	struct vgt_xlcfg c;
	char spec[VGT_XLCFG_SPEC_MAX], why[VGT_XLCFG_WHY_MAX];
	static const char longest[] = "low=4096,high=4096,fences=32,weight=100,primary";

	(void)state;
	/* The longest of either kind fits VGT_XLCFG_SPEC_MAX; vgt_primary=1 adds ",primary". */
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_type=\"abcdefghijabcdefghijabcdefghij1\"\n"
			       "vgt_weight=100\nvgt_primary=1\n", &c, why), 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "abcdefghijabcdefghijabcdefghij1,weight=100,primary");
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_type=\"vgt-64\"\nvgt_primary=1\n", &c, why), 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "vgt-64,primary");
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_low_gm_sz=4096\nvgt_high_gm_sz=4096\n"
			       "vgt_fence_sz=32\nvgt_weight=100\nvgt_primary=1\n", &c, why), 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, longest);
	assert_true(sizeof(longest) <= VGT_XLCFG_SPEC_MAX);
	/* Exactly enough room, one byte short. */
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(longest)), 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(longest) - 1), -ERANGE);
	assert_string_equal(spec, "");
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, 0), -ERANGE);
	/* Fences may be 0. */
	assert_int_equal(parse("name=\"a\"\nvgt=1\nvgt_low_gm_sz=1\nvgt_high_gm_sz=1\nvgt_fence_sz=0\n",
			       &c, why), 0);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "low=1,high=1,fences=0,weight=1");

	/* What a parse cannot produce is refused, not formatted. */
	memset(&c, 0, sizeof(c));
	c.vgt = true;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	strcpy(c.vgt_type, "vgt-64,low=4096");
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	strcpy(c.vgt_type, "primary");
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	strcpy(c.vgt_type, "vgt-64");
	c.low_mb = 64;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	c.low_mb = 0;
	c.weight = 101;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	memset(c.vgt_type, 'a', sizeof(c.vgt_type));    /* not terminated */
	c.weight = 0;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	memset(&c, 0, sizeof(c));
	c.vgt = true;
	c.low_mb = 64;
	c.high_mb = 4097;
	c.weight = 1;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	c.high_mb = 64;
	c.weight = 0;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	c.weight = 1;
	c.fences = 33;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), -EINVAL);
	c.fences = 2;
	assert_int_equal(vgt_xlcfg_attach_spec(&c, spec, sizeof(spec)), 0);
	assert_string_equal(spec, "low=64,high=64,fences=2,weight=1");
	assert_int_equal(vgt_xlcfg_attach_spec(NULL, spec, sizeof(spec)), -EINVAL);
	assert_int_equal(vgt_xlcfg_attach_spec(&c, NULL, 0), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hvm_with_type),
		cmocka_unit_test(test_pvh_with_sizes),
		cmocka_unit_test(test_weight_primary_backend),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_no_vgt),
		cmocka_unit_test(test_libxlutil_semantics),
		cmocka_unit_test(test_numeric_boundaries),
		cmocka_unit_test(test_numeric_bad_kinds),
		cmocka_unit_test(test_numeric_plus_equals),
		cmocka_unit_test(test_vgt_type_values),
		cmocka_unit_test(test_name_and_domain_type),
		cmocka_unit_test(test_vgt_keys_need_vgt),
		cmocka_unit_test(test_type_excludes_sizes),
		cmocka_unit_test(test_sizes_need_both),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_data_length),
		cmocka_unit_test(test_attach_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

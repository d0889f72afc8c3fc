/* SPDX-License-Identifier: MIT */
/*
 * libvgt, the mediator core: types and admission, the virtual PCI
 * function, the register table, PVINFO as upstream i915 reads it, GGTT
 * shadowing, fences, the aperture window, and the reference driver running
 * mediated on four vGPUs with the same results as natively.
 */
#include "core_harness.h"
#include "refdrv_native.h"

extern const char vgt_default_types_text[];


/* ---- Types ------------------------------------------------------------------ */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

static void test_types_shipped_config(void **state)
{
	struct vgt_type types[32], builtin[32];
	struct vgt_error err = { { 0 } };
	struct core_harness h;
	char *text = read_file(VGT_SOURCE_ROOT "/config/vgpu-types.conf");
	int n = vgt_types_parse(text, types, 32, &err);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(types[1].name, "vgt-64");
	assert_int_equal(types[1].low_mb, 64);
	assert_int_equal(types[1].high_mb, 256);
	assert_int_equal(types[1].fences, 4);
	assert_int_equal(types[3].width, 1920);
	assert_int_equal(types[3].height, 1080);
	/* The built-in table is the shipped file. */
	assert_string_equal(text, vgt_default_types_text);
	ch_create(&h);
	assert_int_equal(vgt_host_types(h.host, builtin, 32), 4);
	assert_memory_equal(builtin, types, 4 * sizeof(types[0]));
	ch_destroy(&h);
	free(text);
}

static void test_types_malformed(void **state)
{
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "", "no types defined" },
		{ "# only a comment\n\n", "no types defined" },
		{ "a 64 256 4 1\n", "line 1: 5 fields" },
		{ "a 64 256 4 1 800x600 extra\n", "line 1: too many fields" },
		{ "ok 1 1 0 1 1x1\nbad name 1 1 0 1 1x1 x\n", "line 2:" },
		{ "a/b 64 256 4 1 800x600\n", "bad type name" },
		{ "a 0 256 4 1 800x600\n", "low_mb '0'" },
		{ "a 513 256 4 1 800x600\n", "low_mb '513'" },
		{ "a -1 256 4 1 800x600\n", "low_mb '-1'" },
		{ "a 64 2049 4 1 800x600\n", "high_mb" },
		{ "a 64 256 33 1 800x600\n", "fences '33'" },
		{ "a 64 256 4 0 800x600\n", "weight '0'" },
		{ "a 64 256 4 101 800x600\n", "weight '101'" },
		{ "a 64 256 4 1 800\n", "is not WxH" },
		{ "a 64 256 4 1 800x0\n", "display size" },
		{ "a 64 256 4 1 4097x600\n", "display size" },
		{ "a 64x 256 4 1 800x600\n", "low_mb" },
		{ "a 99999999999999999999 256 4 1 800x600\n", "low_mb" },
		{ "a 64 256 4 1 800x600\na 32 128 2 1 800x600\n", "line 2: type 'a' is defined twice" },
		{ "abcdefghijabcdefghijabcdefghijab 1 1 0 1 1x1\n", "bad type name" },
	};
	struct vgt_type types[4];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct vgt_error err = { { 0 } };

		assert_int_equal(vgt_types_parse(bad[i].text, types, 4, &err), -EINVAL);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err.msg, bad[i].why);
	}
}

static void test_types_boundaries_accepted(void **state)
{
	struct vgt_error err = { { 0 } };
	struct vgt_type types[VGT_MAX_VGPUS];
	char *many = malloc(4096);
	size_t off = 0;

	(void)state;
	/* Largest values, a 31-character name, comments and CRLF line ends. */
	assert_int_equal(vgt_types_parse("abcdefghijabcdefghijabcdefghija 512 2048 32 100 4096x4096 # max\r\n"
					 "b 1 1 0 1 1x1\n", types, 4, &err), 2);
	assert_int_equal(types[0].low_mb, 512);
	assert_int_equal(types[0].fences, 32);
	assert_int_equal(types[1].width, 1);
	/* Exactly @max types fit; one more is refused. */
	assert_non_null(many);
	for (unsigned i = 0; i < 5; i++)
		off += (size_t)snprintf(many + off, 4096 - off, "t%u 1 1 0 1 1x1\n", i);
	assert_int_equal(vgt_types_parse(many, types, 5, &err), 5);
	assert_int_equal(vgt_types_parse(many, types, 4, &err), -EINVAL);
	assert_non_null(strstr(err.msg, "more than 4 types"));
	free(many);
}

static void test_host_rejects_bad_types_text(void **state)
{
	struct gensim *gs = harness_create(NULL);
	struct vgt_host_params p = { .hw = &gensim_hw_ops, .hw_handle = gs,
				     .types_text = "x 1 1 1\n", .host_low_mb = 16 };
	struct vgt_error err = { { 0 } };
	struct vgt_host *host = (struct vgt_host *)&p;

	(void)state;
	assert_int_equal(vgt_host_create(&p, &host, &err), -EINVAL);
	assert_null(host);
	assert_non_null(strstr(err.msg, "line 1"));
	gensim_destroy(gs);
}

/* ---- Admission ----------------------------------------------------------------- */

static void test_partition_and_capacity(void **state)
{
	struct core_harness h;
	struct vgt_host_info hi;
	struct vgt_vgpu_info a, b;

	(void)state;
	ch_create(&h);
	vgt_host_get_info(h.host, &hi);
	assert_int_equal(hi.low.size, 512ull << 20);
	assert_int_equal(hi.high.size, 1536ull << 20);
	assert_int_equal(hi.host_low.size, 64ull << 20);
	assert_int_equal(hi.host_high.base, 512ull << 20);
	assert_int_equal(hi.free_low, 448ull << 20);
	assert_int_equal(hi.free_fences, 28);
	/* vgt-64 (64/256 MiB, 4 fences): hidden memory allows 5. */
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-64"), 5);
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-256"), 1);
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-9000"), -ENOENT);

	ch_four_guests(&h);
	vgt_host_get_info(h.host, &hi);
	assert_int_equal(hi.vgpus, 4);
	assert_int_equal(hi.free_low, (448ull - 128 - 3 * 64) << 20);
	assert_int_equal(hi.free_high, (1408ull - 384 - 3 * 256) << 20);
	assert_int_equal(hi.free_fences, 12);
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-64"), 1);
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-32"), 2);

	/* Slices are disjoint and outside the host's own. */
	for (unsigned i = 0; i < 4; i++) {
		a = ch_info(&h.guest[i]);
		assert_true(a.low.base >= hi.host_low.base + hi.host_low.size);
		assert_true(a.high.base >= hi.host_high.base + hi.host_high.size);
		for (unsigned j = i + 1; j < 4; j++) {
			b = ch_info(&h.guest[j]);
			assert_true(a.low.base + a.low.size <= b.low.base || b.low.base + b.low.size <= a.low.base);
			assert_true(a.high.base + a.high.size <= b.high.base ||
				    b.high.base + b.high.size <= a.high.base);
			for (unsigned f = 0; f < a.fences; f++)
				for (unsigned g = 0; g < b.fences; g++)
					assert_int_not_equal(a.host_fence[f], b.host_fence[g]);
		}
	}
	/* Destroying a vGPU gives its resources back. */
	vgt_inproc_guest_fini(&h.guest[3]);
	h.nguests = 3;
	assert_int_equal(vgt_host_type_capacity(h.host, "vgt-64"), 2);
	ch_destroy(&h);
}

static void test_explicit_sizes(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_params p = { .domid = 9, .low_mb = 48, .high_mb = 100, .fences = 3, .weight = 5 };
	struct vgt_inproc_guest *extra = malloc(sizeof(*extra));
	struct vgt_error err = { { 0 } };
	struct vgt_vgpu_info info;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-32");
	assert_string_equal(ch_info(g).type, "vgt-32");
	assert_int_equal(vgt_inproc_guest_init(extra, h.host, h.gs, CH_GUEST_BASE + 4 * CH_GUEST_RAM,
					       CH_GUEST_RAM, &p, &err), 0);
	vgt_vgpu_get_info(extra->vgpu, &info);
	assert_string_equal(info.type, "custom");
	assert_int_equal(info.low.size, 48ull << 20);
	assert_int_equal(info.high.size, 100ull << 20);
	assert_int_equal(info.fences, 3);
	assert_int_equal(info.weight, 5);
	assert_int_equal(info.domid, 9);
	vgt_inproc_guest_fini(extra);
	free(extra);
	ch_destroy(&h);
}

/* ---- PCI function --------------------------------------------------------------- */

static void test_config_space(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	/* Identity from the physical function. */
	assert_int_equal(vcfg(g, 0, 4), 0x04128086u);
	assert_int_equal(vcfg(g, 0x08, 4) >> 8, 0x030000u);
	/* BAR sizing and placement; the transport hears of it. */
	vcfg_wr(g, 0x10, 4, 0xFFFFFFFFu);
	assert_int_equal(vcfg(g, 0x10, 4), 0xFFC00004u);
	vcfg_wr(g, 0x18, 4, 0xFFFFFFFFu);
	assert_int_equal(vcfg(g, 0x18, 4), (uint32_t)~((512u << 20) - 1) | 0xCu);
	vcfg_wr(g, 0x20, 4, 0xFFFFFFFFu);
	assert_int_equal(vcfg(g, 0x20, 4), 0xFFFFFFC1u);
	vcfg_wr(g, 0x10, 4, 0xD0000000u);
	vcfg_wr(g, 0x14, 4, 0x1u);
	assert_false(g->bar_enabled[0]);
	vcfg_wr(g, 0x04, 2, 0x7);
	assert_true(g->bar_enabled[0]);
	assert_int_equal(g->bar_addr[0], 0x1D0000000ull);
	/* Moving a BAR while decoding is on is reported too. */
	vcfg_wr(g, 0x10, 4, 0xC0000000u);
	assert_int_equal(g->bar_addr[0], 0x1C0000000ull);
	/* Read-only fields ignore writes. */
	vcfg_wr(g, 0, 4, 0x12345678u);
	vcfg_wr(g, HSW_PCI_GGC, 2, 0xFFFF);
	assert_int_equal(vcfg(g, 0, 4), 0x04128086u);
	assert_int_equal(vcfg(g, HSW_PCI_GGC, 2), 0x0202u);
	/* MSI capability at 0x90, then PM, then FLR. */
	assert_int_equal(vcfg(g, 0x34, 1), 0x90);
	assert_int_equal(vcfg(g, 0x90, 2), 0xD005u);
	assert_int_equal(vcfg(g, 0xD0, 2), 0xA401u);
	assert_int_equal(vcfg(g, 0xA4, 1), 0x13u);
	vcfg_wr(g, 0x94, 4, 0xFEE00003u);
	assert_int_equal(vcfg(g, 0x94, 4), 0xFEE00000u);
	/* The extended space is empty. */
	assert_int_equal(vcfg(g, 0x100, 4), 0);
	assert_int_equal(ch_info(g).guest_errors, 0);
	ch_destroy(&h);
}

/* ---- Registers ------------------------------------------------------------------ */

static void test_registers(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	uint32_t mi_mode = HSW_RING_MI_MODE(HSW_RCS_BASE);
	uint64_t v = 0;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	/* Reset values from the table. */
	assert_int_equal(vrd(g, HSW_GTIMR), 0xFFFFFFFFu);
	assert_int_equal(vrd(g, HSW_ECOBUS), HSW_ECOBUS_FORCEWAKE_MT_ENABLE);
	/* Masked register: enable bits select what changes; IDLE is read-only. */
	vwr(g, mi_mode, (HSW_MI_MODE_STOP_RING << 16) | HSW_MI_MODE_STOP_RING);
	assert_int_equal(vrd(g, mi_mode) & 0xFFFF, HSW_MI_MODE_STOP_RING | HSW_MI_MODE_IDLE);
	vwr(g, mi_mode, HSW_MI_MODE_STOP_RING);         /* no enable bit: no change */
	assert_true(vrd(g, mi_mode) & HSW_MI_MODE_STOP_RING);
	/* Forcewake is acknowledged. */
	vwr(g, HSW_FORCEWAKE_MT, 0x00010001u);
	assert_int_equal(vrd(g, HSW_FORCEWAKE_ACK), 1);
	/* Write-1-to-clear and read-only. */
	vwr(g, HSW_FPGA_DBG, 0x80000000u);
	assert_int_equal(vrd(g, HSW_FPGA_DBG), 0);
	vwr(g, HSW_RING_IPEHR(HSW_RCS_BASE), 0x1234);
	assert_int_equal(vrd(g, HSW_RING_IPEHR(HSW_RCS_BASE)), 0);
	vwr(g, HSW_PIPECONF(1), HSW_PIPECONF_ENABLE);
	assert_int_equal(vrd(g, HSW_PIPECONF(1)), HSW_PIPECONF_ENABLE | HSW_PIPECONF_STATE);
	/* Ring registers keep their address bits only. */
	vwr(g, HSW_RING_START(HSW_BCS_BASE), 0x12345FFFu);
	assert_int_equal(vrd(g, HSW_RING_START(HSW_BCS_BASE)), 0x12345000u);
	/* GDRST resets that engine's virtual ring and reads back 0. */
	vwr(g, HSW_GDRST, HSW_GDRST_BLT);
	assert_int_equal(vrd(g, HSW_GDRST), 0);
	assert_int_equal(vrd(g, HSW_RING_START(HSW_BCS_BASE)), 0);
	/* An unlisted register is a plain virtual register, not an error. */
	vwr(g, 0x7300, 0xA5A5A5A5u);
	assert_int_equal(vrd(g, 0x7300), 0xA5A5A5A5u);
	assert_int_equal(ch_info(g).unlisted_regs, 2);
	/* Narrow accesses merge into the dword. */
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 0, 0x7301, 1, 0x11), 0);
	assert_int_equal(vrd(g, 0x7300), 0xA5A511A5u);
	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 0, 0x7302, 2, &v), 0);
	assert_int_equal(v, 0xA5A5u);
	/* TIMESTAMP reads the physical register. */
	gensim_advance_time(h.gs, 8000);
	assert_int_equal(vrd(g, HSW_RING_TIMESTAMP(HSW_RCS_BASE)), 100);
	/* The same registers through BAR4's index/data ports. */
	assert_int_equal(vgt_vgpu_pio_write(g->vgpu, 0, 4, HSW_FENCE_LO(0)), 0);
	assert_int_equal(vgt_vgpu_pio_read(g->vgpu, 0, 4, (uint32_t *)&v), 0);
	assert_int_equal((uint32_t)v, HSW_FENCE_LO(0));
	assert_int_equal(vgt_vgpu_pio_write(g->vgpu, 0, 4, 0x7300), 0);
	assert_int_equal(vgt_vgpu_pio_read(g->vgpu, 4, 4, (uint32_t *)&v), 0);
	assert_int_equal((uint32_t)v, 0xA5A511A5u);
	assert_int_equal(ch_info(g).guest_errors, 0);
	ch_destroy(&h);
}

/* ---- PVINFO, read the way upstream i915 reads it ---------------------------------- */

struct i915_balloon {
	uint32_t mappable_base, mappable_size, unmappable_base, unmappable_size, fences;
};

/*
 * i915's vGPU detection and ballooning checks: the magic, version 1.x, then
 * the mappable range inside the aperture and the unmappable one above it,
 * inside the GGTT.  Returns 0 when i915 would accept the configuration.
 */
static int i915_detect_and_check(struct vgt_inproc_guest *g, uint64_t ggtt_mappable_end,
				 uint64_t ggtt_total, struct i915_balloon *b)
{
	uint64_t magic = vrd(g, 0x78000) | ((uint64_t)vrd(g, 0x78004) << 32);
	uint64_t half = 0;

	if (magic != 0x4776544776544776ull)
		return -ENODEV;
	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 0, 0x78008, 2, &half), 0);
	if (half != 1)
		return -ENODEV;
	b->mappable_base = vrd(g, 0x78040);
	b->mappable_size = vrd(g, 0x78044);
	b->unmappable_base = vrd(g, 0x78048);
	b->unmappable_size = vrd(g, 0x7804C);
	b->fences = vrd(g, 0x78050);
	if ((uint64_t)b->mappable_base + b->mappable_size > ggtt_mappable_end ||
	    b->unmappable_base < ggtt_mappable_end ||
	    (uint64_t)b->unmappable_base + b->unmappable_size > ggtt_total)
		return -EINVAL;
	return 0;
}

static void test_pvinfo_and_ballooning(void **state)
{
	struct core_harness h;
	struct i915_balloon b[4];

	(void)state;
	ch_create(&h);
	ch_four_guests(&h);
	for (unsigned i = 0; i < 4; i++) {
		struct vgt_vgpu_info info = ch_info(&h.guest[i]);

		assert_int_equal(i915_detect_and_check(&h.guest[i], 512ull << 20, 2048ull << 20, &b[i]), 0);
		assert_int_equal(b[i].mappable_base, info.low.base);
		assert_int_equal(b[i].mappable_size, info.low.size);
		assert_int_equal(b[i].unmappable_base, info.high.base);
		assert_int_equal(b[i].unmappable_size, info.high.size);
		assert_int_equal(b[i].fences, info.fences);
		assert_int_equal(vrd(&h.guest[i], 0x7800C), info.id);
		/* The balloons i915 would reserve leave exactly these ranges. */
		for (unsigned j = 0; j < i; j++)
			assert_true(b[i].mappable_base >= b[j].mappable_base + b[j].mappable_size ||
				    b[j].mappable_base >= b[i].mappable_base + b[i].mappable_size);
	}
	/* The guest announces its display. */
	vwr(&h.guest[2], 0x78804, 1);
	assert_int_equal(vrd(&h.guest[2], 0x78804), 1);
	assert_int_equal(ch_info(&h.guest[2]).guest_errors, 0);
	ch_destroy(&h);
}

/* ---- GGTT ----------------------------------------------------------------------- */

static void test_gtt_shadowing(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info info;
	uint32_t idx, pte = 0;
	uint64_t v = 0;

	(void)state;
	ch_create(&h);
	ch_add_guest(&h, "vgt-64");
	g = ch_add_guest(&h, "vgt-64");
	info = ch_info(g);
	idx = (uint32_t)(info.low.base >> 12) + 3;
	/* Guest frame 0x42 with cache bits: host entry = its machine frame, same bits. */
	vwr(g, HSW_GTT_OFFSET + 4 * idx, HSW_PTE_ENCODE(0x42000ull) | HSW_WB_LLC_AGE3 | HSW_PTE_VALID);
	assert_int_equal(gensim_gtt_read(h.gs, idx, &pte), 0);
	assert_int_equal(pte, HSW_PTE_ENCODE(g->ram_maddr + 0x42000) | HSW_WB_LLC_AGE3 | HSW_PTE_VALID);
	/* Reads return the guest's own view. */
	assert_int_equal(vrd(g, HSW_GTT_OFFSET + 4 * idx),
			 HSW_PTE_ENCODE(0x42000ull) | HSW_WB_LLC_AGE3 | HSW_PTE_VALID);
	/* A non-present entry points the host entry at the vGPU's own scratch page. */
	vwr(g, HSW_GTT_OFFSET + 4 * idx, 0);
	assert_int_equal(gensim_gtt_read(h.gs, idx, &pte), 0);
	assert_int_equal(pte, ch_vgpu_scratch_pte(g));
	/* An 8-byte write is two entries, here the last two of the high slice. */
	idx = (uint32_t)((info.high.base + info.high.size) >> 12) - 2;
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 0, HSW_GTT_OFFSET + 4ull * idx, 8,
					     (HSW_PTE_ENCODE(0x2000ull) | 1) |
					     ((uint64_t)(HSW_PTE_ENCODE(0x3000ull) | 1) << 32)), 0);
	assert_int_equal(gensim_gtt_read(h.gs, idx + 1, &pte), 0);
	assert_int_equal(pte, HSW_PTE_ENCODE(g->ram_maddr + 0x3000) | 1);
	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 0, HSW_GTT_OFFSET + 4ull * idx, 8, &v), 0);
	assert_int_equal(v >> 32, HSW_PTE_ENCODE(0x3000ull) | 1);
	/* The highest frame of its RAM is its own; the next one is not. */
	vgtt_wr(g, (uint32_t)(info.low.base >> 12), CH_GUEST_RAM - 4096);
	assert_int_equal(ch_info(g).guest_errors, 0);
	assert_int_equal(ch_info(g).gtt_writes, 5);
	/* Destroying the vGPU points its host entries at the scratch page. */
	vgt_inproc_guest_fini(g);
	h.nguests = 1;
	assert_int_equal(gensim_gtt_read(h.gs, idx + 1, &pte), 0);
	assert_int_equal(pte, ch_host_scratch_pte(&h));
	ch_destroy(&h);
}

static uint32_t host_gtt(struct core_harness *h, uint64_t gm)
{
	uint32_t pte = 0;

	assert_int_equal(gensim_gtt_read(h->gs, (uint32_t)(gm >> 12), &pte), 0);
	return pte;
}

/* How many host entries of [base, base + size) are not @pte. */
static uint64_t entries_not(struct core_harness *h, uint64_t base, uint64_t size, uint32_t pte)
{
	uint64_t n = 0;

	for (uint64_t gm = base; gm < base + size; gm += 4096)
		n += host_gtt(h, gm) != pte;
	return n;
}

/*
 * Nothing in the host GTT points at machine page 0 or at memory nobody
 * owns: at host creation every entry but the mediator's own layout maps
 * one zeroed page of the mediator's memory, and an entry a guest clears
 * or a destroyed vGPU leaves maps it again.
 */
static void test_unused_gtt_entries_map_scratch(void **state)
{
	const uint64_t layout = 32ull << 20;    /* what the mediator maps of its hidden slice */
	struct core_harness h;
	struct vgt_inproc_guest *g, *other;
	struct vgt_host_info hi;
	struct vgt_vgpu_info gi;
	uint32_t scratch, own, idx, junk;
	uint64_t maddr, gtt_size;
	const uint8_t *page;

	(void)state;
	ch_create(&h);
	vgt_host_get_info(h.host, &hi);
	gtt_size = (uint64_t)gensim_gtt_entries(h.gs) * 4096;
	scratch = ch_host_scratch_pte(&h);
	/* A valid entry for a page of the mediator's own memory, and that page is zero. */
	assert_true(scratch & HSW_PTE_VALID);
	maddr = HSW_PTE_DECODE(scratch);
	assert_true(maddr >= hi.host_mem.base && maddr + 4096 <= hi.host_mem.base + hi.host_mem.size);
	page = gensim_mem_ptr(h.gs, maddr, 4096);
	assert_non_null(page);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(page[i], 0);
	/* At host creation: everything but the mediator's layout, its own unused memory included. */
	assert_int_equal(entries_not(&h, 0, hi.host_high.base, scratch), 0);
	assert_int_equal(entries_not(&h, hi.host_high.base + layout, gtt_size - hi.host_high.base - layout,
				     scratch), 0);
	assert_int_equal(entries_not(&h, hi.host_low.base, hi.host_low.size, scratch), 0);
	assert_int_equal(host_gtt(&h, hi.host_high.base), HSW_PTE_ENCODE(hi.host_mem.base) | HSW_PTE_VALID);

	/*
	 * A guest's cleared entry: its own scratch page on the host (zeroed, in
	 * the mediator's memory, not the host's nor another vGPU's), its own
	 * value to the guest.
	 */
	other = ch_add_guest(&h, "vgt-64");
	g = ch_add_guest(&h, "vgt-64");
	gi = ch_info(g);
	own = ch_vgpu_scratch_pte(g);
	assert_int_not_equal(own, scratch);
	assert_int_not_equal(own, ch_vgpu_scratch_pte(other));
	assert_true(gi.scratch_maddr >= hi.host_mem.base &&
		    gi.scratch_maddr + 4096 <= hi.host_mem.base + hi.host_mem.size);
	page = gensim_mem_ptr(h.gs, gi.scratch_maddr, 4096);
	assert_non_null(page);
	for (unsigned i = 0; i < 4096; i++)
		assert_int_equal(page[i], 0);
	/* Its fresh slices map it. */
	assert_int_equal(entries_not(&h, gi.low.base, gi.low.size, own), 0);
	assert_int_equal(entries_not(&h, gi.high.base, gi.high.size, own), 0);
	idx = (uint32_t)(gi.low.base >> 12) + 5;
	vgtt_wr(g, idx, 0x42000);
	vgtt_wr(g, (uint32_t)(gi.high.base >> 12) + 7, 0x43000);
	assert_int_equal(host_gtt(&h, (uint64_t)idx << 12),
			 HSW_PTE_ENCODE(g->ram_maddr + 0x42000) | HSW_PTE_VALID);
	junk = HSW_PTE_ENCODE(0x42000ull) | HSW_WB_LLC_AGE3;    /* not present, bits kept */
	vwr(g, HSW_GTT_OFFSET + 4 * idx, junk);
	assert_int_equal(host_gtt(&h, (uint64_t)idx << 12), own);
	assert_int_equal(vrd(g, HSW_GTT_OFFSET + 4 * idx), junk);
	vwr(g, HSW_GTT_OFFSET + 4 * (idx + 1), 0);
	assert_int_equal(host_gtt(&h, (uint64_t)(idx + 1) << 12), own);
	assert_int_equal(vrd(g, HSW_GTT_OFFSET + 4 * (idx + 1)), 0);
	assert_int_equal(ch_info(g).guest_errors, 0);
	/*
	 * What one writes through a cleared entry the other cannot read
	 * through one of its own: no scratch page is shared.
	 */
	{
		struct vgt_vgpu_info oi = ch_info(other);
		uint32_t oidx = (uint32_t)(oi.low.base >> 12) + 9;
		uint64_t val = 0;

		assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 2, (uint64_t)idx << 12, 4, 0xDEADBEEF), 0);
		assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 2, (uint64_t)idx << 12, 4, &val), 0);
		assert_int_equal(val, 0xDEADBEEF);
		vwr(other, HSW_GTT_OFFSET + 4 * oidx, 0);
		assert_int_equal(vgt_vgpu_mmio_read(other->vgpu, 2, (uint64_t)oidx << 12, 4, &val), 0);
		assert_int_equal(val, 0);
		assert_int_equal(ch_info(other).guest_errors, 0);
	}

	/* Destroyed: every entry of the freed slices maps the scratch page. */
	vgt_inproc_guest_fini(g);
	h.nguests = 1;
	assert_int_equal(entries_not(&h, gi.low.base, gi.low.size, scratch), 0);
	assert_int_equal(entries_not(&h, gi.high.base, gi.high.size, scratch), 0);
	ch_destroy(&h);
}

/* ---- Fences and aperture -------------------------------------------------------- */

static void test_fences_map_to_own_host_fences(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info info;
	uint32_t lo, hi;
	uint64_t host = 0;

	(void)state;
	ch_create(&h);
	ch_add_guest(&h, "vgt-64");
	g = ch_add_guest(&h, "vgt-64");
	info = ch_info(g);
	lo = (uint32_t)info.low.base | HSW_FENCE_VALID;
	hi = ((uint32_t)info.low.base + 15 * 4096u) | (2048u / 128u - 1u);
	/* i915's order: LO off, HI, LO. */
	vwr(g, HSW_FENCE_LO(3), 0);
	vwr(g, HSW_FENCE_HI(3), hi);
	vwr(g, HSW_FENCE_LO(3), lo);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(info.host_fence[3]), 8, &host), 0);
	assert_int_equal(host, lo | ((uint64_t)hi << 32));
	assert_int_equal(vrd(g, HSW_FENCE_LO(3)), lo);
	/* Turning it off turns the host fence off. */
	vwr(g, HSW_FENCE_LO(3), 0);
	assert_int_equal(gensim_mmio_read(h.gs, HSW_FENCE_LO(info.host_fence[3]), 4, &host), 0);
	assert_int_equal(host, 0);
	assert_int_equal(ch_info(g).guest_errors, 0);
	ch_destroy(&h);
}

static void test_aperture_window(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_aperture_window w;
	struct vgt_vgpu_info info;
	uint32_t data = 0x5A5A1234u, back = 0;
	uint64_t v = 0;

	(void)state;
	ch_create(&h);
	ch_add_guest(&h, "vgt-128");
	g = ch_add_guest(&h, "vgt-64");
	info = ch_info(g);
	vgt_vgpu_aperture_window(g->vgpu, &w);
	assert_int_equal(w.guest_off, info.low.base);
	assert_int_equal(w.host_off, info.low.base);
	assert_int_equal(w.size, info.low.size);
	/* A trapped access inside the window reaches the host aperture. */
	vgtt_wr(g, (uint32_t)(info.low.base >> 12), 0x10000);
	assert_int_equal(vgt_vgpu_mmio_write(g->vgpu, 2, info.low.base + 8, 4, data), 0);
	assert_int_equal(gensim_mem_read(h.gs, g->ram_maddr + 0x10008, &back, 4), 0);
	assert_int_equal(back, data);
	assert_int_equal(vgt_vgpu_mmio_read(g->vgpu, 2, info.low.base + 8, 4, &v), 0);
	assert_int_equal(v, data);
	assert_int_equal(ch_info(g).guest_errors, 0);
	ch_destroy(&h);
}

/* ---- Guest errors: logged once, latched, cleared by reset ----------------------- */

static void test_guest_error_logged_once_and_reset(void **state)
{
	struct core_harness h;
	struct vgt_inproc_guest *g;
	struct vgt_vgpu_info info;
	unsigned lines;

	(void)state;
	ch_create(&h);
	g = ch_add_guest(&h, "vgt-64");
	lines = h.log_lines;
	for (int i = 0; i < 100; i++)
		vwr(g, 0x78040, 0);                     /* PVINFO is read-only there */
	info = ch_info(g);
	assert_int_equal(info.guest_errors, 100);
	assert_int_equal(info.errors_by_kind[VGT_GERR_PVINFO], 100);
	assert_true(info.failsafe);
	assert_non_null(strstr(info.first_error, "read-only PVINFO offset 0x040"));
	assert_int_equal(h.log_lines, lines + 1);
	assert_string_equal(vgt_guest_error_name(VGT_GERR_PVINFO), "write to read-only PVINFO");
	/* A function-level reset through config space clears failsafe. */
	vcfg_wr(g, HSW_PCI_AF_CAP + 4, 1, 1);
	assert_false(ch_info(g).failsafe);
	assert_int_equal(vrd(g, 0x78040), ch_info(g).low.base);
	vwr(g, 0x78044, 0);
	assert_true(ch_info(g).failsafe);
	assert_int_equal(vgt_vgpu_reset(g->vgpu), 0);
	assert_false(ch_info(g).failsafe);
	ch_destroy(&h);
}

/* ---- The reference driver, native and mediated ------------------------------------ */

#define SW 320u
#define SH 200u

struct bo_result {
	uint64_t sprite_sum;        /* sprite through the aperture */
	uint64_t fb_sum;            /* framebuffer RAM (untouched: zero) */
};

static uint64_t aperture_sum(struct gensim *gs, uint32_t gm, uint32_t size)
{
	uint8_t *buf = malloc(size);
	uint64_t s;

	assert_non_null(buf);
	assert_int_equal(gensim_aperture_read(gs, gm, buf, size), 0);
	s = fnv1a(0xCBF29CE484222325ull, buf, size);
	free(buf);
	return s;
}

static bool vgt_gm_owned_test(const struct vgt_vgpu_info *info, uint64_t gm, uint64_t len)
{
	return (gm >= info->low.base && gm + len <= info->low.base + info->low.size) ||
	       (gm >= info->high.base && gm + len <= info->high.base + info->high.size);
}

/* Every page of @bo is mapped in the host GTT at the machine frame of its RAM. */
static void assert_bo_mapped(struct gensim *gs, const struct refdrv_bo *bo, uint64_t ram_maddr)
{
	for (uint32_t p = 0; p < bo->size / 4096; p++) {
		uint32_t pte = 0;

		assert_int_equal(gensim_gtt_read(gs, (bo->gm >> 12) + p, &pte), 0);
		assert_int_equal(pte, HSW_PTE_ENCODE(ram_maddr + bo->ram + 4096ull * p) |
				 HSW_WB_LLC_AGE3 | HSW_PTE_VALID);
	}
}

static void native_reference(struct bo_result *r)
{
	struct gensim_config cfg;
	struct gensim *gs;
	struct refdrv_native n;
	struct refdrv drv;
	struct refdrv_scene s;

	gensim_config_init(&cfg);
	cfg.memory_size = 128ull << 20;
	assert_int_equal(gensim_create(&cfg, &gs), 0);
	assert_int_equal(refdrv_native_init(&n, gs, false), 0);
	assert_int_equal(refdrv_probe(&drv, &n.plat), 0);
	assert_int_equal(refdrv_init(&drv), 0);
	assert_int_equal(refdrv_scene_init(&drv, &s, SW, SH), 0);
	assert_bo_mapped(gs, &s.sprite, 0);
	assert_bo_mapped(gs, &s.fb, 0);
	r->sprite_sum = aperture_sum(gs, s.sprite.gm, s.sprite.size);
	r->fb_sum = aperture_sum(gs, s.fb.gm, s.fb.size);
	refdrv_native_fini(&n);
	gensim_destroy(gs);
}

static void test_refdrv_mediated_on_four_vgpus(void **state)
{
	struct core_harness h;
	struct bo_result native;
	struct refdrv *drv = calloc(4, sizeof(*drv));
	struct refdrv_scene *s = calloc(4, sizeof(*s));

	(void)state;
	assert_non_null(drv);
	assert_non_null(s);
	native_reference(&native);
	ch_create(&h);
	ch_four_guests(&h);
	/* All four bring their driver up, interleaved like concurrent domains. */
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(refdrv_probe(&drv[i], &h.guest[i].plat), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(refdrv_init(&drv[i]), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(refdrv_scene_init(&drv[i], &s[i], SW, SH), 0);
	for (unsigned i = 0; i < 4; i++) {
		struct vgt_vgpu_info info = ch_info(&h.guest[i]);
		const struct refdrv_bo *bos[] = { &s[i].fb, &s[i].sprite, &s[i].batch[0], &s[i].batch[1],
						  &drv[i].ring[0].ring, &drv[i].ring[0].hwsp,
						  &drv[i].ring[1].ring, &drv[i].ring[1].hwsp };

		assert_true(drv[i].vgpu);
		assert_int_equal(drv[i].low.base, info.low.base);
		assert_int_equal(drv[i].high.size, info.high.size);
		assert_int_equal(drv[i].fences, 4);
		for (size_t b = 0; b < sizeof(bos) / sizeof(bos[0]); b++) {
			assert_true(vgt_gm_owned_test(&info, bos[b]->gm, bos[b]->size));
			assert_bo_mapped(h.gs, bos[b], h.guest[i].ram_maddr);
		}
		/* Same memory results as natively: the sprite uploaded through the window. */
		assert_int_equal(aperture_sum(h.gs, s[i].sprite.gm, s[i].sprite.size), native.sprite_sum);
		assert_int_equal(aperture_sum(h.gs, s[i].fb.gm, s[i].fb.size), native.fb_sum);
		assert_int_equal(info.guest_errors, 0);
		assert_false(info.failsafe);
		assert_true(info.gtt_writes > 0);
	}
	ch_destroy(&h);
	free(s);
	free(drv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_shipped_config),
		cmocka_unit_test(test_types_malformed),
		cmocka_unit_test(test_types_boundaries_accepted),
		cmocka_unit_test(test_host_rejects_bad_types_text),
		cmocka_unit_test(test_partition_and_capacity),
		cmocka_unit_test(test_explicit_sizes),
		cmocka_unit_test(test_config_space),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_pvinfo_and_ballooning),
		cmocka_unit_test(test_gtt_shadowing),
		cmocka_unit_test(test_unused_gtt_entries_map_scratch),
		cmocka_unit_test(test_fences_map_to_own_host_fences),
		cmocka_unit_test(test_aperture_window),
		cmocka_unit_test(test_guest_error_logged_once_and_reset),
		cmocka_unit_test(test_refdrv_mediated_on_four_vgpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

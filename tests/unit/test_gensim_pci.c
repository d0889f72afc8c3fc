/* SPDX-License-Identifier: MIT */
/*
 * gensim's PCI function 00:02.0, by config-space offset: identity, the
 * capability list, BAR sizing, write masks, MSI, function-level reset,
 * argument checking, the bus view of the BARs, the BAR4 index/data ports
 * and interrupt delivery (MSI and INTx).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "harness.h"

/* Config-space offsets (PCI 3.0) */
#define CFG_VENDOR      0x00u
#define CFG_DEVICE      0x02u
#define CFG_COMMAND     0x04u
#define CFG_STATUS      0x06u
#define CFG_REVISION    0x08u
#define CFG_CLASS_PROG  0x09u
#define CFG_CLASS_SUB   0x0Au
#define CFG_CLASS_BASE  0x0Bu
#define CFG_HEADER_TYPE 0x0Eu
#define CFG_BAR(i)      (0x10u + 4u * (i))
#define CFG_CAP_PTR     0x34u
#define CFG_INT_LINE    0x3Cu
#define CFG_INT_PIN     0x3Du

#define CMD_IO          (1u << 0)
#define CMD_MEM         (1u << 1)
#define CMD_MASTER      (1u << 2)
#define CMD_INTX_DIS    (1u << 10)
#define STATUS_CAP_LIST (1u << 4)

#define CAP_ID_PM       0x01u
#define CAP_ID_MSI      0x05u
#define CAP_ID_AF       0x13u

#define MSI_CTRL        (HSW_PCI_MSI_CAP + 2u)
#define MSI_ADDR        (HSW_PCI_MSI_CAP + 4u)
#define MSI_DATA        (HSW_PCI_MSI_CAP + 8u)
#define MSI_CTRL_EN     (1u << 0)
#define MSI_CTRL_64BIT  (1u << 7)
#define AF_CAPS         (HSW_PCI_AF_CAP + 3u)
#define AF_CTRL         (HSW_PCI_AF_CAP + 4u)
#define AF_STATUS       (HSW_PCI_AF_CAP + 5u)
#define AF_CAP_TP       (1u << 0)
#define AF_CAP_FLR      (1u << 1)

#define APERTURE        (64ull << 20)   /* harness_create() */

/* Where the tests place the BARs: above the harness's 64 MiB of memory. */
#define BAR0_BASE       0xE0000000u
#define BAR2_BASE       0xC0000000u

static uint32_t cfg_rd(struct gensim *gs, uint32_t off, unsigned size)
{
	uint32_t v = 0xDEADBEEFu;

	assert_int_equal(gensim_cfg_read(gs, off, size, &v), 0);
	if (size < 4)
		assert_true(v < (1u << (8 * size)));
	return v;
}

static void cfg_wr(struct gensim *gs, uint32_t off, unsigned size, uint32_t val)
{
	assert_int_equal(gensim_cfg_write(gs, off, size, val), 0);
}

static uint64_t bus_rd(struct gensim *gs, uint64_t addr, unsigned size)
{
	uint64_t v = 0x0123456789ABCDEFull;

	assert_int_equal(gensim_bus_read(gs, addr, size, &v), 0);
	return v;
}

static void bus_wr(struct gensim *gs, uint64_t addr, unsigned size, uint64_t val)
{
	assert_int_equal(gensim_bus_write(gs, addr, size, val), 0);
}

static uint32_t pio_rd(struct gensim *gs, uint32_t port)
{
	uint32_t v = 0;

	assert_int_equal(gensim_pio_read(gs, port, 4, &v), 0);
	return v;
}

static void pio_wr(struct gensim *gs, uint32_t port, uint32_t val)
{
	assert_int_equal(gensim_pio_write(gs, port, 4, val), 0);
}

/* Sizes a 32-bit BAR slot: returns what ~0 reads back as, restores the slot. */
static uint32_t bar_probe(struct gensim *gs, unsigned bar)
{
	uint32_t saved = cfg_rd(gs, CFG_BAR(bar), 4), v;

	cfg_wr(gs, CFG_BAR(bar), 4, 0xFFFFFFFFu);
	v = cfg_rd(gs, CFG_BAR(bar), 4);
	cfg_wr(gs, CFG_BAR(bar), 4, saved);
	assert_int_equal(cfg_rd(gs, CFG_BAR(bar), 4), saved);
	return v;
}

static void place_bars(struct gensim *gs)
{
	cfg_wr(gs, CFG_BAR(0), 4, BAR0_BASE);
	cfg_wr(gs, CFG_BAR(1), 4, 0);
	cfg_wr(gs, CFG_BAR(2), 4, BAR2_BASE);
	cfg_wr(gs, CFG_BAR(3), 4, 0);
}

/* ---- Identity ----------------------------------------------------------------- */

static void test_pci_ids(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	assert_int_equal(cfg_rd(gs, CFG_VENDOR, 2), 0x8086u);
	assert_int_equal(cfg_rd(gs, CFG_DEVICE, 2), 0x0412u);
	assert_int_equal(cfg_rd(gs, CFG_VENDOR, 4), 0x04128086u);
	assert_int_equal(cfg_rd(gs, 0x00, 1), 0x86u);
	assert_int_equal(cfg_rd(gs, 0x01, 1), 0x80u);
	assert_int_equal(cfg_rd(gs, 0x02, 1), 0x12u);
	assert_int_equal(cfg_rd(gs, 0x03, 1), 0x04u);

	/* Class: VGA-compatible display controller, revision 6. */
	assert_int_equal(cfg_rd(gs, CFG_REVISION, 1), HSW_PCI_REVISION);
	assert_int_equal(cfg_rd(gs, CFG_REVISION, 1), 0x06u);
	assert_int_equal(cfg_rd(gs, CFG_CLASS_PROG, 1), 0x00u);
	assert_int_equal(cfg_rd(gs, CFG_CLASS_SUB, 1), 0x00u);
	assert_int_equal(cfg_rd(gs, CFG_CLASS_BASE, 1), 0x03u);
	assert_int_equal(cfg_rd(gs, CFG_REVISION, 4), 0x03000006u);
	assert_int_equal(cfg_rd(gs, CFG_REVISION, 4) >> 8, 0x030000u);
	assert_int_equal(cfg_rd(gs, CFG_CLASS_SUB, 2), 0x0300u);

	/* Type 0 header, single function; INTA; caps; nothing decoded yet. */
	assert_int_equal(cfg_rd(gs, CFG_HEADER_TYPE, 1), 0x00u);
	assert_int_equal(cfg_rd(gs, CFG_INT_PIN, 1), 1u);
	assert_int_equal(cfg_rd(gs, CFG_STATUS, 2) & STATUS_CAP_LIST, STATUS_CAP_LIST);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0);
	assert_int_equal(cfg_rd(gs, 0x2C, 2), 0x8086u);
	/* GGC: 2 MiB of GTT (GGMS = 2 in bits 9:8), VGA decode disabled. */
	assert_int_equal((cfg_rd(gs, HSW_PCI_GGC, 2) >> HSW_GGC_GGMS_SHIFT) & 3u, 2u);
	assert_true(cfg_rd(gs, HSW_PCI_GGC, 2) & HSW_GGC_VGA_DISABLE);
	/* The last byte of config space is readable (and unused). */
	assert_int_equal(cfg_rd(gs, 0xFF, 1), 0);
	gensim_destroy(gs);
}

static void test_pci_cap_list(void **state)
{
	static const struct {
		uint8_t at, id;
	} expect[] = {
		{ HSW_PCI_MSI_CAP, CAP_ID_MSI },
		{ HSW_PCI_PM_CAP, CAP_ID_PM },
		{ HSW_PCI_AF_CAP, CAP_ID_AF },
	};
	struct gensim *gs = harness_create(NULL);
	uint32_t ptr;
	unsigned n = 0;

	(void)state;
	assert_true(cfg_rd(gs, CFG_STATUS, 2) & STATUS_CAP_LIST);
	ptr = cfg_rd(gs, CFG_CAP_PTR, 1);
	assert_int_equal(ptr, 0x90u);
	while (ptr) {
		assert_true(n < sizeof(expect) / sizeof(expect[0]));
		assert_int_equal(ptr, expect[n].at);
		assert_int_equal(ptr & 3u, 0);
		assert_true(ptr >= 0x40u);
		assert_int_equal(cfg_rd(gs, ptr, 1), expect[n].id);
		/* ID and next pointer as one word, too. */
		assert_int_equal(cfg_rd(gs, ptr, 2) & 0xFFu, expect[n].id);
		ptr = cfg_rd(gs, ptr + 1u, 1);
		n++;
	}
	assert_int_equal(n, 3);
	assert_int_equal(cfg_rd(gs, HSW_PCI_MSI_CAP + 1u, 1), 0xD0u);
	assert_int_equal(cfg_rd(gs, HSW_PCI_PM_CAP + 1u, 1), 0xA4u);
	assert_int_equal(cfg_rd(gs, HSW_PCI_AF_CAP + 1u, 1), 0x00u);

	/* MSI: single message, 32-bit address, disabled. */
	assert_int_equal(cfg_rd(gs, MSI_CTRL, 2) & MSI_CTRL_64BIT, 0);
	assert_int_equal((cfg_rd(gs, MSI_CTRL, 2) >> 1) & 7u, 0);
	assert_int_equal(cfg_rd(gs, MSI_CTRL, 2) & MSI_CTRL_EN, 0);
	/* AF: length 6, transactions pending and FLR supported. */
	assert_int_equal(cfg_rd(gs, HSW_PCI_AF_CAP + 2u, 1), 0x06u);
	assert_int_equal(cfg_rd(gs, AF_CAPS, 1) & (AF_CAP_TP | AF_CAP_FLR), AF_CAP_TP | AF_CAP_FLR);
	gensim_destroy(gs);
}

/* ---- BARs --------------------------------------------------------------------- */

static void test_pci_bar0_sizing(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t v;

	(void)state;
	/* 64-bit non-prefetchable memory BAR, unplaced. */
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0x4u);
	assert_int_equal(cfg_rd(gs, CFG_BAR(1), 4), 0);

	v = bar_probe(gs, 0);
	assert_int_equal(v, 0xFFC00004u);
	assert_int_equal(v & 0xFu, 0x4u);
	assert_int_equal(~(v & ~0xFu) + 1u, 4u << 20);
	/* The upper dword is all address bits. */
	assert_int_equal(bar_probe(gs, 1), 0xFFFFFFFFu);

	/* Placing: address bits below the size read back 0, flags stay. */
	cfg_wr(gs, CFG_BAR(0), 4, BAR0_BASE | 0x3FFFFFu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), BAR0_BASE | 0x4u);
	cfg_wr(gs, CFG_BAR(0), 4, 0x00400000u);
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0x00400004u);
	cfg_wr(gs, CFG_BAR(0), 4, 0x00200000u);    /* not 4 MiB aligned */
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0x4u);
	cfg_wr(gs, CFG_BAR(1), 4, 0x12u);
	assert_int_equal(cfg_rd(gs, CFG_BAR(1), 4), 0x12u);

	/* Narrow writes merge into the BAR dword. */
	cfg_wr(gs, CFG_BAR(0), 4, 0);
	cfg_wr(gs, CFG_BAR(0) + 2u, 2, 0xFFFFu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0xFFC00004u);
	cfg_wr(gs, CFG_BAR(0) + 3u, 1, 0xA0u);
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0xA0C00004u);
	cfg_wr(gs, CFG_BAR(0), 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(0), 4), 0xA0C00004u);
	gensim_destroy(gs);
}

static void test_pci_bar2_sizing(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t v;

	(void)state;
	/* 64-bit prefetchable memory BAR. */
	assert_int_equal(cfg_rd(gs, CFG_BAR(2), 4), 0xCu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(3), 4), 0);
	assert_int_equal(gensim_aperture_size(gs), APERTURE);

	v = bar_probe(gs, 2);
	assert_int_equal(v, 0xFC00000Cu);
	assert_int_equal(v & 0xFu, 0xCu);
	assert_int_equal(~(v & ~0xFu) + 1u, APERTURE);
	assert_int_equal(bar_probe(gs, 3), 0xFFFFFFFFu);

	cfg_wr(gs, CFG_BAR(2), 4, BAR2_BASE | 0x3FFFFFFu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(2), 4), BAR2_BASE | 0xCu);
	cfg_wr(gs, CFG_BAR(2), 4, 0x02000000u);    /* 32 MiB: not aligned */
	assert_int_equal(cfg_rd(gs, CFG_BAR(2), 4), 0xCu);
	gensim_destroy(gs);
}

static void test_pci_bar2_sizing_default_aperture(void **state)
{
	struct gensim_config cfg;
	struct gensim *gs = NULL;

	(void)state;
	/* The BAR reports the configured aperture, whatever it is. */
	gensim_config_init(&cfg);
	cfg.memory_size = 16u << 20;
	assert_int_equal(gensim_create(&cfg, &gs), 0);
	assert_int_equal(bar_probe(gs, 2), 0xE000000Cu);    /* 512 MiB */
	gensim_destroy(gs);

	cfg.aperture_size = 256ull << 20;
	assert_int_equal(gensim_create(&cfg, &gs), 0);
	assert_int_equal(bar_probe(gs, 2), 0xF000000Cu);
	gensim_destroy(gs);
}

static void test_pci_bar4_and_unused_bars(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t v;

	(void)state;
	/* I/O BAR of 64 bytes. */
	assert_int_equal(cfg_rd(gs, CFG_BAR(4), 4), 0x1u);
	v = bar_probe(gs, 4);
	assert_int_equal(v, 0xFFFFFFC1u);
	assert_int_equal(v & 0x3u, 0x1u);
	assert_int_equal(~(v & ~0x3u) + 1u, HSW_BAR4_SIZE);
	assert_int_equal(~(v & ~0x3u) + 1u, 64u);
	cfg_wr(gs, CFG_BAR(4), 4, 0x0000F03Fu);
	assert_int_equal(cfg_rd(gs, CFG_BAR(4), 4), 0x0000F001u);

	/* BAR5 is not implemented: hard-wired to 0. */
	assert_int_equal(cfg_rd(gs, CFG_BAR(5), 4), 0);
	assert_int_equal(bar_probe(gs, 5), 0);
	cfg_wr(gs, CFG_BAR(5), 4, 0x12345678u);
	assert_int_equal(cfg_rd(gs, CFG_BAR(5), 4), 0);
	gensim_destroy(gs);
}

/* ---- Write masks -------------------------------------------------------------- */

static void test_pci_readonly_fields(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t ggc, status, pmc;

	(void)state;
	ggc = cfg_rd(gs, HSW_PCI_GGC, 2);
	status = cfg_rd(gs, CFG_STATUS, 2);
	pmc = cfg_rd(gs, HSW_PCI_PM_CAP + 2u, 2);

	cfg_wr(gs, CFG_VENDOR, 4, 0x12345678u);
	cfg_wr(gs, CFG_VENDOR, 2, 0xFFFFu);
	cfg_wr(gs, CFG_DEVICE, 2, 0x0000u);
	cfg_wr(gs, 0x03, 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, CFG_VENDOR, 4), 0x04128086u);

	cfg_wr(gs, CFG_REVISION, 4, 0xFFFFFFFFu);
	cfg_wr(gs, CFG_CLASS_BASE, 1, 0x01u);
	assert_int_equal(cfg_rd(gs, CFG_REVISION, 4), 0x03000006u);

	cfg_wr(gs, CFG_STATUS, 2, 0xFFFFu);
	cfg_wr(gs, CFG_STATUS, 2, 0x0000u);
	assert_int_equal(cfg_rd(gs, CFG_STATUS, 2), status);
	assert_true(status & STATUS_CAP_LIST);

	cfg_wr(gs, HSW_PCI_GGC, 2, 0xFFFFu);
	cfg_wr(gs, HSW_PCI_GGC, 2, 0x0000u);
	cfg_wr(gs, HSW_PCI_GGC, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_rd(gs, HSW_PCI_GGC, 2), ggc);

	cfg_wr(gs, CFG_HEADER_TYPE, 1, 0x80u);
	assert_int_equal(cfg_rd(gs, CFG_HEADER_TYPE, 1), 0);
	cfg_wr(gs, CFG_CAP_PTR, 1, 0x40u);
	assert_int_equal(cfg_rd(gs, CFG_CAP_PTR, 1), HSW_PCI_MSI_CAP);
	cfg_wr(gs, CFG_INT_PIN, 1, 0x04u);
	assert_int_equal(cfg_rd(gs, CFG_INT_PIN, 1), 1u);
	cfg_wr(gs, HSW_PCI_MSI_CAP, 2, 0xFFFFu);   /* cap ID and next pointer */
	assert_int_equal(cfg_rd(gs, HSW_PCI_MSI_CAP, 2), 0xD005u);
	cfg_wr(gs, HSW_PCI_PM_CAP + 2u, 2, 0xFFFFu);
	assert_int_equal(cfg_rd(gs, HSW_PCI_PM_CAP + 2u, 2), pmc);
	cfg_wr(gs, AF_STATUS, 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, AF_STATUS, 1), 0);

	/* A writable byte next to them does take writes. */
	cfg_wr(gs, CFG_INT_LINE, 1, 0x0Bu);
	assert_int_equal(cfg_rd(gs, CFG_INT_LINE, 1), 0x0Bu);
	gensim_destroy(gs);
}

static void test_pci_command_mask(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	cfg_wr(gs, CFG_COMMAND, 2, 0xFFFFu);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), CMD_IO | CMD_MEM | CMD_MASTER | CMD_INTX_DIS);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0x0407u);
	cfg_wr(gs, CFG_COMMAND, 2, 0);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0);

	/* Byte writes reach each half. */
	cfg_wr(gs, CFG_COMMAND + 1u, 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), CMD_INTX_DIS);
	cfg_wr(gs, CFG_COMMAND, 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0x0407u);
	cfg_wr(gs, CFG_COMMAND, 1, CMD_MEM);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), CMD_INTX_DIS | CMD_MEM);

	/* A dword write to 0x04 does not leak into the status register. */
	cfg_wr(gs, CFG_COMMAND, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 4),
			 (STATUS_CAP_LIST << 16) | 0x0407u);
	gensim_destroy(gs);
}

static void test_pci_msi_registers(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	assert_int_equal(cfg_rd(gs, MSI_ADDR, 4), 0);
	assert_int_equal(cfg_rd(gs, MSI_DATA, 2), 0);

	/* Message address: dword aligned, the low two bits are hard-wired 0. */
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE0100Fu);
	assert_int_equal(cfg_rd(gs, MSI_ADDR, 4), 0xFEE0100Cu);
	cfg_wr(gs, MSI_ADDR, 1, 0xFFu);
	assert_int_equal(cfg_rd(gs, MSI_ADDR, 4), 0xFEE010FCu);
	cfg_wr(gs, MSI_ADDR, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_rd(gs, MSI_ADDR, 4), 0xFFFFFFFCu);

	/* Message data: 16 bits; the word above it is not part of it. */
	cfg_wr(gs, MSI_DATA, 4, 0xFFFF4041u);
	assert_int_equal(cfg_rd(gs, MSI_DATA, 2), 0x4041u);
	assert_int_equal(cfg_rd(gs, MSI_DATA, 4), 0x4041u);

	/* Control: only the enable bit is writable (one message, 32-bit). */
	cfg_wr(gs, MSI_CTRL, 2, 0xFFFFu);
	assert_int_equal(cfg_rd(gs, MSI_CTRL, 2), MSI_CTRL_EN);
	cfg_wr(gs, MSI_CTRL, 2, 0);
	assert_int_equal(cfg_rd(gs, MSI_CTRL, 2), 0);
	cfg_wr(gs, HSW_PCI_MSI_CAP, 4, 0xFFFF0000u);   /* control via dword write */
	assert_int_equal(cfg_rd(gs, HSW_PCI_MSI_CAP, 4), (MSI_CTRL_EN << 16) | 0xD005u);
	gensim_destroy(gs);
}

/* ---- Function-level reset ----------------------------------------------------- */

static void test_pci_flr(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t hwstam = HSW_RING_HWSTAM(HSW_RCS_BASE);

	(void)state;
	assert_int_equal(cfg_rd(gs, AF_CTRL, 1), 0);
	wr(gs, hwstam, 0x1234u);
	wr(gs, HSW_GTIER, 0x5u);
	wr(gs, HSW_FENCE_LO(2), 0x00100001u);
	wr(gs, HSW_FORCEWAKE_MT, 0x00010001u);
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_GTIER);

	/* Writing 0 to the control byte is not a reset. */
	cfg_wr(gs, AF_CTRL, 1, 0);
	assert_int_equal(rd(gs, hwstam), 0x1234u);

	cfg_wr(gs, AF_CTRL, 1, 1u);
	assert_int_equal(cfg_rd(gs, AF_CTRL, 1), 0);
	assert_int_equal(rd(gs, hwstam), 0xFFFFFFFFu);
	assert_int_equal(rd(gs, HSW_GTIER), 0);
	assert_int_equal(rd(gs, HSW_FENCE_LO(2)), 0);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_MT), 0);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 0);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_INDEX), 0);
	/* Identity survives. */
	assert_int_equal(cfg_rd(gs, CFG_VENDOR, 4), 0x04128086u);

	/* Again through a dword write to the control register. */
	wr(gs, hwstam, 0x4321u);
	cfg_wr(gs, AF_CTRL, 4, 0xFFFFFFFFu);
	assert_int_equal(cfg_rd(gs, AF_CTRL, 4) & 0xFFFFu, 0);
	assert_int_equal(rd(gs, hwstam), 0xFFFFFFFFu);
	gensim_destroy(gs);
}

static void test_pci_flr_resets_halted_engine(void **state)
{
	static const uint32_t bad[] = { 0xE0000000u };
	struct gensim *gs = harness_create(NULL);
	struct harness_ring r;

	(void)state;
	ring_init(gs, &r, GENSIM_RCS, 0x100000u, 4096, 0x110000u);
	ring_submit(gs, &r, bad, 1);
	assert_true(engine_state(gs, GENSIM_RCS).halted);
	assert_true(engine_state(gs, GENSIM_RCS).enabled);

	cfg_wr(gs, AF_CTRL, 1, 1u);
	assert_false(engine_state(gs, GENSIM_RCS).halted);
	assert_false(engine_state(gs, GENSIM_RCS).enabled);
	assert_int_equal(rd(gs, HSW_RING_EIR(HSW_RCS_BASE)), 0);
	assert_int_equal(rd(gs, HSW_RING_CTL(HSW_RCS_BASE)), 0);
	gensim_destroy(gs);
}

/* ---- Argument checking --------------------------------------------------------- */

static void test_pci_bad_accesses(void **state)
{
	static const struct {
		uint32_t off;
		unsigned size;
	} bad[] = {
		{ 0x00, 3 }, { 0x00, 0 }, { 0x00, 8 }, { 0x3C, 3 },
		{ 0x01, 2 }, { 0x03, 2 }, { 0x02, 4 }, { 0x01, 4 }, { 0x3D, 4 },
		{ 0x100, 1 }, { 0x100, 2 }, { 0x100, 4 }, { 0x104, 4 },
		{ 0xFFFFFFFCu, 4 }, { 0xFFFFFFFFu, 1 },
	};
	struct gensim *gs = harness_create(NULL);

	(void)state;
	cfg_wr(gs, CFG_INT_LINE, 1, 0x0Au);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v = 0x5A5A5A5Au;

		assert_int_equal(gensim_cfg_read(gs, bad[i].off, bad[i].size, &v), -EINVAL);
		assert_int_equal(v, 0x5A5A5A5Au);
		assert_int_equal(gensim_cfg_write(gs, bad[i].off, bad[i].size, 0xFFFFFFFFu),
				 -EINVAL);
	}
	/* Nothing was written by the refused accesses. */
	assert_int_equal(cfg_rd(gs, CFG_INT_LINE, 1), 0x0Au);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0);

	/* The last byte, word and dword of config space are accepted. */
	assert_int_equal(cfg_rd(gs, 0xFF, 1), 0);
	assert_int_equal(cfg_rd(gs, 0xFE, 2), 0);
	assert_int_equal(cfg_rd(gs, 0xFC, 4), 0);
	assert_int_equal(gensim_cfg_write(gs, 0xFF, 1, 0), 0);
	assert_int_equal(gensim_cfg_write(gs, 0xFE, 2, 0), 0);
	assert_int_equal(gensim_cfg_write(gs, 0xFC, 4, 0), 0);
	gensim_destroy(gs);
}

/* ---- Bus view ------------------------------------------------------------------ */

static void test_bus_ram(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	/* Memory answers whether or not the device decodes memory. */
	bus_wr(gs, 0x1000, 4, 0xA5A5F00Du);
	assert_int_equal(mem32(gs, 0x1000), 0xA5A5F00Du);
	put32(gs, 0x2004, 0x11223344u);
	assert_int_equal(bus_rd(gs, 0x2004, 4), 0x11223344u);
	assert_int_equal(bus_rd(gs, 0x2004, 1), 0x44u);
	assert_int_equal(bus_rd(gs, 0x2006, 2), 0x1122u);
	bus_wr(gs, 0x2005, 1, 0xFFFFFFAAu);
	assert_int_equal(mem32(gs, 0x2004), 0x1122AA44u);
	bus_wr(gs, 0x3000, 8, 0x0102030405060708ull);
	assert_int_equal(bus_rd(gs, 0x3000, 8), 0x0102030405060708ull);

	/* The last dword and qword of memory... */
	bus_wr(gs, HARNESS_MEMORY - 4u, 4, 0xFEEDFACEu);
	assert_int_equal(mem32(gs, HARNESS_MEMORY - 4u), 0xFEEDFACEu);
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY - 8u, 8) >> 32, 0xFEEDFACEu);
	/* ...and the first address past it, which nothing claims. */
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY, 4), 0xFFFFFFFFu);
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY, 1), 0xFFu);
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY, 2), 0xFFFFu);
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY, 8), ~0ull);
	bus_wr(gs, HARNESS_MEMORY, 4, 0);
	assert_int_equal(bus_rd(gs, HARNESS_MEMORY, 4), 0xFFFFFFFFu);
	assert_int_equal(mem32(gs, HARNESS_MEMORY - 4u), 0xFEEDFACEu);
	gensim_destroy(gs);
}

static void test_bus_bar0_decode(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t hwstam = HSW_RING_HWSTAM(HSW_RCS_BASE);
	uint32_t pte = 0;

	(void)state;
	place_bars(gs);
	/* Memory decoding off: the BAR is not there. */
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0xFFFFFFFFu);
	bus_wr(gs, BAR0_BASE + hwstam, 4, 0x1111u);
	assert_int_equal(rd(gs, hwstam), 0xFFFFFFFFu);

	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0xFFFFFFFFu);
	bus_wr(gs, BAR0_BASE + hwstam, 4, 0x2222u);
	assert_int_equal(rd(gs, hwstam), 0x2222u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0x2222u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 2), 0x2222u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam + 1u, 1), 0x22u);
	/* Qword through the bus: a fence. */
	bus_wr(gs, BAR0_BASE + HSW_FENCE_LO(1), 8, 0x003FF00100100001ull);
	assert_int_equal(rd(gs, HSW_FENCE_LO(1)), 0x00100001u);
	assert_int_equal(rd(gs, HSW_FENCE_HI(1)), 0x003FF001u);

	/* The GTT half, up to the last PTE. */
	assert_int_equal(gensim_gtt_read(gs, 9, &pte), 0);
	assert_int_equal(bus_rd(gs, BAR0_BASE + HSW_GTT_OFFSET + 4u * 9u, 4), pte);
	bus_wr(gs, BAR0_BASE + HSW_BAR0_SIZE - 4u, 4, 0x00777001u);
	assert_int_equal(gensim_gtt_read(gs, HSW_GTT_ENTRIES - 1u, &pte), 0);
	assert_int_equal(pte, 0x00777001u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + HSW_BAR0_SIZE - 4u, 4), 0x00777001u);
	/* Just outside the BAR on either side. */
	assert_int_equal(bus_rd(gs, BAR0_BASE + HSW_BAR0_SIZE, 4), 0xFFFFFFFFu);
	assert_int_equal(bus_rd(gs, BAR0_BASE - 4u, 4), 0xFFFFFFFFu);
	/* The last qword of the BAR holds the last two PTEs. */
	assert_int_equal(bus_rd(gs, BAR0_BASE + HSW_BAR0_SIZE - 8u, 8) >> 32, 0x00777001u);

	/* Unclaimed register offsets through the bus read 0, not all ones. */
	assert_int_equal(bus_rd(gs, BAR0_BASE + 0x8000u, 4), 0);
	assert_true(rd(gs, HSW_FPGA_DBG) & HSW_FPGA_DBG_RM_NOCLAIM);

	/* Move the BAR above 4 GiB: the old address no longer decodes. */
	cfg_wr(gs, CFG_BAR(1), 4, 0x1u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0xFFFFFFFFu);
	assert_int_equal(bus_rd(gs, 0x100000000ull + BAR0_BASE + hwstam, 4), 0x2222u);
	bus_wr(gs, 0x100000000ull + BAR0_BASE + hwstam, 4, 0x3333u);
	assert_int_equal(rd(gs, hwstam), 0x3333u);

	/* Memory decoding off again. */
	cfg_wr(gs, CFG_COMMAND, 2, CMD_IO | CMD_MASTER);
	assert_int_equal(bus_rd(gs, 0x100000000ull + BAR0_BASE + hwstam, 4), 0xFFFFFFFFu);
	bus_wr(gs, 0x100000000ull + BAR0_BASE + hwstam, 4, 0x4444u);
	assert_int_equal(rd(gs, hwstam), 0x3333u);
	gensim_destroy(gs);
}

static void test_bus_bar0_moved(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t hwstam = HSW_RING_HWSTAM(HSW_RCS_BASE);

	(void)state;
	place_bars(gs);
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM);
	wr(gs, hwstam, 0xABCDu);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0xABCDu);
	cfg_wr(gs, CFG_BAR(0), 4, 0xD0000000u);
	assert_int_equal(bus_rd(gs, BAR0_BASE + hwstam, 4), 0xFFFFFFFFu);
	assert_int_equal(bus_rd(gs, 0xD0000000u + hwstam, 4), 0xABCDu);
	gensim_destroy(gs);
}

static void test_bus_bar2_decode(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t last_page = (uint32_t)(APERTURE / 4096u) - 1u;

	(void)state;
	place_bars(gs);
	/* The harness maps graphics memory 1:1 onto machine memory. */
	bus_wr(gs, BAR2_BASE + 0x5000u, 4, 0x12345678u);
	assert_int_equal(mem32(gs, 0x5000), 0);         /* not decoding yet */
	assert_int_equal(bus_rd(gs, BAR2_BASE + 0x5000u, 4), 0xFFFFFFFFu);

	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM);
	bus_wr(gs, BAR2_BASE + 0x5000u, 4, 0x12345678u);
	assert_int_equal(mem32(gs, 0x5000), 0x12345678u);
	put32(gs, 0x6008, 0xCAFEBABEu);
	assert_int_equal(bus_rd(gs, BAR2_BASE + 0x6008u, 4), 0xCAFEBABEu);
	assert_int_equal(bus_rd(gs, BAR2_BASE + 0x6008u, 8) & 0xFFFFFFFFu, 0xCAFEBABEu);
	assert_int_equal(bus_rd(gs, BAR2_BASE + 0x600Au, 2), 0xCAFEu);

	/* The aperture's last page, pointed at machine page 0x7000. */
	assert_int_equal(gensim_gtt_write(gs, last_page, HSW_PTE_ENCODE(0x7000ull) | HSW_PTE_VALID), 0);
	bus_wr(gs, BAR2_BASE + APERTURE - 4u, 4, 0x600DF00Du);
	assert_int_equal(mem32(gs, 0x7FFC), 0x600DF00Du);
	assert_int_equal(bus_rd(gs, BAR2_BASE + APERTURE - 4u, 4), 0x600DF00Du);
	/* One past the aperture: nothing there. */
	assert_int_equal(bus_rd(gs, BAR2_BASE + APERTURE, 4), 0xFFFFFFFFu);
	assert_int_equal(bus_rd(gs, BAR2_BASE - 8u, 8), ~0ull);
	gensim_destroy(gs);
}

static void test_bus_bad_accesses(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint64_t v = 7;

	(void)state;
	assert_int_equal(gensim_bus_read(gs, 0x1000, 3, &v), -EINVAL);
	assert_int_equal(gensim_bus_read(gs, 0x1000, 0, &v), -EINVAL);
	assert_int_equal(gensim_bus_read(gs, 0x1000, 16, &v), -EINVAL);
	assert_int_equal(gensim_bus_read(gs, 0x1002, 4, &v), -EINVAL);
	assert_int_equal(gensim_bus_read(gs, 0x1004, 8, &v), -EINVAL);
	assert_int_equal(gensim_bus_read(gs, 0x1001, 2, &v), -EINVAL);
	assert_int_equal(v, 7);
	put32(gs, 0x1000, 0x01020304u);
	assert_int_equal(gensim_bus_write(gs, 0x1000, 3, 0), -EINVAL);
	assert_int_equal(gensim_bus_write(gs, 0x1001, 2, 0), -EINVAL);
	assert_int_equal(gensim_bus_write(gs, 0x1002, 4, 0), -EINVAL);
	assert_int_equal(gensim_bus_write(gs, 0x1004, 8, 0), -EINVAL);
	assert_int_equal(mem32(gs, 0x1000), 0x01020304u);
	gensim_destroy(gs);
}

/* ---- BAR4: MMIO_INDEX / MMIO_DATA ---------------------------------------------- */

static void test_pio_registers(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t hwstam = HSW_RING_HWSTAM(HSW_BCS_BASE);

	(void)state;
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_INDEX), 0);
	pio_wr(gs, HSW_IO_MMIO_INDEX, hwstam | 0u);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_INDEX), hwstam);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), 0xFFFFFFFFu);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0x00C0FFEEu);
	assert_int_equal(rd(gs, hwstam), 0x00C0FFEEu);
	wr(gs, hwstam, 0x0BADF00Du);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), 0x0BADF00Du);

	/* Register semantics apply: W1C, write-enable masks, hooks. */
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_FORCEWAKE_MT);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0x00010001u);
	assert_int_equal(rd(gs, HSW_FORCEWAKE_ACK), 1u);
	(void)rd(gs, 0x8000u);
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_FPGA_DBG);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), HSW_FPGA_DBG_RM_NOCLAIM);
	pio_wr(gs, HSW_IO_MMIO_DATA, HSW_FPGA_DBG_RM_NOCLAIM);
	assert_int_equal(rd(gs, HSW_FPGA_DBG), 0);

	/* The last register dword (unclaimed). */
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_MMIO_SIZE - 4u);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), 0);
	assert_true(rd(gs, HSW_FPGA_DBG) & HSW_FPGA_DBG_RM_NOCLAIM);
	gensim_destroy(gs);
}

static void test_pio_gtt(void **state)
{
	struct gensim *gs = harness_create(NULL);
	uint32_t pte = 0;

	(void)state;
	/* The vBIOS way: index = PTE byte offset | 1. */
	pio_wr(gs, HSW_IO_MMIO_INDEX, (4u * 5u) | 1u);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), HSW_PTE_ENCODE(5ull * 4096u) | HSW_PTE_VALID);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0x0ABCD001u);
	assert_int_equal(gensim_gtt_read(gs, 5, &pte), 0);
	assert_int_equal(pte, 0x0ABCD001u);
	assert_int_equal(rd(gs, HSW_GTT_OFFSET + 20u), 0x0ABCD001u);
	/* Target 1 is the GTT, not the register at the same offset. */
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_RING_HWSTAM(HSW_RCS_BASE) | 1u);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0);
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(HSW_RCS_BASE)), 0xFFFFFFFFu);
	assert_int_equal(gensim_gtt_read(gs, HSW_RING_HWSTAM(HSW_RCS_BASE) / 4u, &pte), 0);
	assert_int_equal(pte, 0);

	/* The last PTE is reachable: index bits 20:2 all set. */
	pio_wr(gs, HSW_IO_MMIO_INDEX, 0x1FFFFCu | 1u);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0x00999001u);
	assert_int_equal(gensim_gtt_read(gs, HSW_GTT_ENTRIES - 1u, &pte), 0);
	assert_int_equal(pte, 0x00999001u);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), 0x00999001u);
	gensim_destroy(gs);
}

static void test_pio_bad_accesses(void **state)
{
	static const uint32_t bad_ports[] = { 1, 2, 3, 5, 8, 12, 60, 63, 64, 0xFFFFFFFFu };
	struct gensim *gs = harness_create(NULL);
	uint32_t v = 0x5A5A5A5Au;
	uint64_t bad;

	(void)state;
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_RING_HWSTAM(HSW_RCS_BASE));
	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		assert_int_equal(gensim_pio_read(gs, bad_ports[i], 4, &v), -EINVAL);
		assert_int_equal(gensim_pio_write(gs, bad_ports[i], 4, 0), -EINVAL);
	}
	for (unsigned size = 0; size <= 8; size++) {
		if (size == 4)
			continue;
		assert_int_equal(gensim_pio_read(gs, HSW_IO_MMIO_INDEX, size, &v), -EINVAL);
		assert_int_equal(gensim_pio_write(gs, HSW_IO_MMIO_INDEX, size, 0), -EINVAL);
		assert_int_equal(gensim_pio_read(gs, HSW_IO_MMIO_DATA, size, &v), -EINVAL);
		assert_int_equal(gensim_pio_write(gs, HSW_IO_MMIO_DATA, size, 0), -EINVAL);
	}
	assert_int_equal(v, 0x5A5A5A5Au);
	/* None of them moved the index or reached the register. */
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_INDEX), HSW_RING_HWSTAM(HSW_RCS_BASE));
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(HSW_RCS_BASE)), 0xFFFFFFFFu);

	/* Targets 2 and 3 do not exist: reads float, writes go nowhere. */
	bad = stats(gs).bad_access;
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_RING_HWSTAM(HSW_RCS_BASE) | 2u);
	assert_int_equal(pio_rd(gs, HSW_IO_MMIO_DATA), 0xFFFFFFFFu);
	pio_wr(gs, HSW_IO_MMIO_INDEX, HSW_RING_HWSTAM(HSW_RCS_BASE) | 3u);
	pio_wr(gs, HSW_IO_MMIO_DATA, 0);
	assert_int_equal(stats(gs).bad_access, bad + 2);
	assert_int_equal(rd(gs, HSW_RING_HWSTAM(HSW_RCS_BASE)), 0xFFFFFFFFu);
	gensim_destroy(gs);
}

/* ---- Interrupt delivery -------------------------------------------------------- */

static const uint32_t user_irq_cmd[] = { HSW_MI_USER_INTERRUPT };

/* Unmasks the render user interrupt all the way to the master enable. */
static void enable_render_user_irq(struct gensim *gs, struct harness_ring *r)
{
	wr(gs, HSW_RING_IMR(HSW_RCS_BASE), ~HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_GTIMR, ~HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_GTIER, HSW_GT_RENDER_USER_INTERRUPT);
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	ring_init(gs, r, GENSIM_RCS, 0x100000u, 4096, 0x110000u);
}

static void test_msi_delivery(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);
	struct harness_ring r;

	(void)state;
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE00000u);
	cfg_wr(gs, MSI_DATA, 2, 0x4021u);
	cfg_wr(gs, MSI_CTRL, 2, MSI_CTRL_EN);
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM | CMD_MASTER);
	enable_render_user_irq(gs, &r);
	assert_int_equal(irq.count, 0);

	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 1);
	assert_true(irq.msi);
	assert_int_equal(irq.addr, 0xFEE00000u);
	assert_int_equal(irq.data, 0x4021u);
	assert_int_equal(stats(gs).interrupts, 1);

	/* Edge-triggered: no new message while the IIR bit is still pending. */
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(irq.count, 1);
	/* Acked, the next event sends a new message, with the new address/data. */
	wr(gs, HSW_GTIIR, HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 1);
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE0F00Cu);
	cfg_wr(gs, MSI_DATA, 2, 0x0031u);
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(irq.count, 2);
	assert_true(irq.msi);
	assert_int_equal(irq.addr, 0xFEE0F00Cu);
	assert_int_equal(irq.data, 0x0031u);
	assert_int_equal(stats(gs).interrupts, 2);
	gensim_destroy(gs);
}

static void test_msi_masked_by_master_enable(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);
	struct harness_ring r;

	(void)state;
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE00000u);
	cfg_wr(gs, MSI_DATA, 2, 0x0041u);
	cfg_wr(gs, MSI_CTRL, 2, MSI_CTRL_EN);
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM | CMD_MASTER);
	enable_render_user_irq(gs, &r);
	wr(gs, HSW_DEIER, 0);

	/* Latched in IIR, but the master enable is off: no message. */
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 0);
	/* Turning the master enable on sends it. */
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL);
	assert_int_equal(irq.count, 1);
	assert_true(irq.msi);
	assert_int_equal(irq.data, 0x0041u);
	gensim_destroy(gs);
}

static void test_intx_delivery(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);
	struct harness_ring r;

	(void)state;
	/* MSI programmed but not enabled: legacy INTx. */
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE00000u);
	cfg_wr(gs, MSI_DATA, 2, 0x4021u);
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM | CMD_MASTER);
	enable_render_user_irq(gs, &r);
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(irq.count, 1);
	assert_false(irq.msi);
	assert_int_equal(irq.addr, 0);
	assert_int_equal(irq.data, 0);
	assert_int_equal(stats(gs).interrupts, 1);
	gensim_destroy(gs);
}

static void test_intx_from_vblank(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);

	(void)state;
	wr(gs, HSW_DEIMR, ~HSW_DE_PIPE_VBLANK(0));
	wr(gs, HSW_DEIER, HSW_DE_MASTER_IRQ_CONTROL | HSW_DE_PIPE_VBLANK(0));
	wr(gs, HSW_PIPECONF(0), HSW_PIPECONF_ENABLE);
	assert_int_equal(gensim_advance_time(gs, 10000000ull), 0);
	assert_int_equal(irq.count, 0);
	assert_int_equal(gensim_advance_time(gs, 7000000ull), 0);
	assert_int_equal(irq.count, 1);
	assert_false(irq.msi);
	gensim_destroy(gs);
}

static void test_intx_disabled(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);
	struct harness_ring r;

	(void)state;
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM | CMD_MASTER | CMD_INTX_DIS);
	enable_render_user_irq(gs, &r);
	ring_submit(gs, &r, user_irq_cmd, 1);
	/* The event is latched, but nothing is signalled. */
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 0);
	assert_int_equal(stats(gs).interrupts, 0);

	/* INTx-disable does not affect MSI. */
	wr(gs, HSW_GTIIR, HSW_GT_RENDER_USER_INTERRUPT);
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE00000u);
	cfg_wr(gs, MSI_DATA, 2, 0x0022u);
	cfg_wr(gs, MSI_CTRL, 2, MSI_CTRL_EN);
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(irq.count, 1);
	assert_true(irq.msi);
	assert_int_equal(irq.data, 0x0022u);
	gensim_destroy(gs);
}

static void test_msi_needs_bus_master(void **state)
{
	struct harness_irq irq;
	struct gensim *gs = harness_create(&irq);
	struct harness_ring r;

	(void)state;
	/* MSI is a memory write: without bus mastering there is no message. */
	cfg_wr(gs, MSI_ADDR, 4, 0xFEE00000u);
	cfg_wr(gs, MSI_DATA, 2, 0x4021u);
	cfg_wr(gs, MSI_CTRL, 2, MSI_CTRL_EN);
	/* INTx is left enabled: with MSI on, the function must not use it either. */
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM);
	enable_render_user_irq(gs, &r);
	ring_submit(gs, &r, user_irq_cmd, 1);
	assert_int_equal(rd(gs, HSW_GTIIR), HSW_GT_RENDER_USER_INTERRUPT);
	assert_int_equal(irq.count, 0);
	assert_int_equal(stats(gs).interrupts, 0);
	gensim_destroy(gs);
}

static void test_flr_resets_config_space(void **state)
{
	struct gensim *gs = harness_create(NULL);

	(void)state;
	cfg_wr(gs, 0x10, 4, 0xE0000000u);
	cfg_wr(gs, CFG_COMMAND, 2, CMD_MEM);
	cfg_wr(gs, MSI_CTRL, 2, MSI_CTRL_EN);
	cfg_wr(gs, AF_CTRL, 1, 1u);
	/* Like a PCIe FLR: BARs, command and MSI are back to their reset values. */
	assert_int_equal(cfg_rd(gs, 0x10, 4), 0x4u);
	assert_int_equal(cfg_rd(gs, CFG_COMMAND, 2), 0);
	assert_int_equal(cfg_rd(gs, MSI_CTRL, 2) & MSI_CTRL_EN, 0);
	assert_int_equal(cfg_rd(gs, CFG_VENDOR, 4), 0x04128086u);
	gensim_destroy(gs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_ids),
		cmocka_unit_test(test_pci_cap_list),
		cmocka_unit_test(test_pci_bar0_sizing),
		cmocka_unit_test(test_pci_bar2_sizing),
		cmocka_unit_test(test_pci_bar2_sizing_default_aperture),
		cmocka_unit_test(test_pci_bar4_and_unused_bars),
		cmocka_unit_test(test_pci_readonly_fields),
		cmocka_unit_test(test_pci_command_mask),
		cmocka_unit_test(test_pci_msi_registers),
		cmocka_unit_test(test_pci_flr),
		cmocka_unit_test(test_pci_flr_resets_halted_engine),
		cmocka_unit_test(test_pci_bad_accesses),
		cmocka_unit_test(test_bus_ram),
		cmocka_unit_test(test_bus_bar0_decode),
		cmocka_unit_test(test_bus_bar0_moved),
		cmocka_unit_test(test_bus_bar2_decode),
		cmocka_unit_test(test_bus_bad_accesses),
		cmocka_unit_test(test_pio_registers),
		cmocka_unit_test(test_pio_gtt),
		cmocka_unit_test(test_pio_bad_accesses),
		cmocka_unit_test(test_msi_delivery),
		cmocka_unit_test(test_msi_masked_by_master_enable),
		cmocka_unit_test(test_intx_delivery),
		cmocka_unit_test(test_intx_from_vblank),
		cmocka_unit_test(test_intx_disabled),
		cmocka_unit_test(test_msi_needs_bus_master),
		cmocka_unit_test(test_flr_resets_config_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

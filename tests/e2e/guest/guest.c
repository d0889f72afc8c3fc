/* SPDX-License-Identifier: MIT */
/*
 * vgt's bare-metal test guest: a PVH kernel that runs the reference driver
 * (linux-vgt/refdrv, linked in unchanged) against the vGPU vgtd serves it.
 *
 * It finds the vGPU with CF8/CFC config cycles, places and enables its
 * BARs, reads PVINFO, maps its own RAM into its slice of the GTT, draws the
 * demo scene with blitter batches and runs store batches on the render
 * ring, waits through its status page and the MSIs its local APIC
 * receives, and checks the pixels of its last frame in its own RAM.  With
 * "hostile" on its command line it then tries the escapes the mediator
 * must contain and reports what it saw.  Results go to I/O port 0xE9 (Xen's
 * console) as "RESULT: NAME PASS|FAIL detail" lines, ending with
 * "RESULT: done".
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hsw/hsw_cmds.h"
#include "hsw/hsw_regs.h"
#include "hsw/pci_regs.h"
#include "refdrv.h"

#define PCI_DEV        2u               /* 00:02.0 */
#define GPU_RAM_BASE   (16ull << 20)    /* RAM the driver may give the GPU */
#define GPU_RAM_SIZE   (32ull << 20)
#define BAR_WINDOW     0xC0000000ull
#define LAPIC          0xFEE00000ull
#define MSI_VECTOR     0x51u
#define TIMER_VECTOR   0x40u
#define WIDTH          320u
#define HEIGHT         240u
#define STORES         64u

/* ---- The few libc functions the compiler may call --------------------------------- */

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

/* ---- Ports, MMIO, console ------------------------------------------------------------ */

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outw(uint16_t port, uint16_t v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint16_t inw(uint16_t port) { uint16_t v; __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline uint32_t inl(uint16_t port) { uint32_t v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static inline uint32_t rd32(uint64_t addr) { return *(volatile uint32_t *)(uintptr_t)addr; }
static inline void wr32(uint64_t addr, uint32_t v) { *(volatile uint32_t *)(uintptr_t)addr = v; }

static void putc_e9(char c)
{
	outb(0xE9, (uint8_t)c);
}

static void puts_e9(const char *s)
{
	while (*s)
		putc_e9(*s++);
}

static void put_u64(uint64_t v, unsigned base)
{
	char buf[24];
	int i = 0;

	do {
		buf[i++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v && i < 24);
	while (i--)
		putc_e9(buf[i]);
}

/* A small printf: %s %u %x %lu %lx, enough for result lines. */
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		bool l = false;

		if (*fmt != '%') {
			putc_e9(*fmt);
			continue;
		}
		if (*++fmt == 'l') {
			l = true;
			fmt++;
		}
		switch (*fmt) {
		case 's': puts_e9(va_arg(ap, const char *)); break;
		case 'u': put_u64(l ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10); break;
		case 'x': put_u64(l ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16); break;
		default: putc_e9('?'); break;
		}
	}
	va_end(ap);
}

static const char *guest_name = "guest";
static unsigned passed, failed;

static void result(const char *what, bool ok, const char *detail)
{
	say("RESULT: %s/%s %s %s\n", guest_name, what, ok ? "PASS" : "FAIL", detail);
	if (ok)
		passed++;
	else
		failed++;
}

/* ---- Interrupts: an IDT, the local APIC, its timer ------------------------------------- */

struct idt_entry {
	uint16_t off0, sel;
	uint8_t ist, type;
	uint16_t off1;
	uint32_t off2, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
static volatile uint64_t msis, ticks, spurious;

void isr_msi(void);
void isr_timer(void);
void isr_spurious(void);
void isr_fault(void);
void guest_msi(void);
void guest_timer(void);
void guest_spurious(void);
void guest_fault(uint64_t word);
void guest_main(uint32_t magic, uint32_t boot_info);

static void set_gate(unsigned vec, void (*fn)(void))
{
	uint64_t a = (uint64_t)(uintptr_t)fn;

	idt[vec] = (struct idt_entry){ .off0 = (uint16_t)a, .sel = 0x08, .type = 0x8E,
				       .off1 = (uint16_t)(a >> 16), .off2 = (uint32_t)(a >> 32) };
}

void guest_msi(void)
{
	msis++;
	wr32(LAPIC + 0xB0, 0);          /* EOI */
}

void guest_timer(void)
{
	ticks++;
	wr32(LAPIC + 0xB0, 0);
}

void guest_spurious(void)
{
	spurious++;
}

void guest_fault(uint64_t word)
{
	say("RESULT: %s/fault FAIL exception, word 0x%lx\nRESULT: %s/done\n", guest_name, word,
	    guest_name);
}

static void interrupts_init(void)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) idtr = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt
	};

	for (unsigned v = 0; v < 32; v++)
		set_gate(v, isr_fault);
	set_gate(MSI_VECTOR, isr_msi);
	set_gate(TIMER_VECTOR, isr_timer);
	set_gate(0xFF, isr_spurious);
	__asm__ volatile("lidt %0" :: "m"(idtr));
	/* A BIOS leaves the legacy PICs on vectors 8-15, the exceptions' (HVM only). */
	outb(0x21, 0xFF);
	outb(0xA1, 0xFF);
	wr32(LAPIC + 0xF0, 0x1FF);          /* software enable, spurious vector 0xFF */
	wr32(LAPIC + 0x3E0, 0xB);           /* timer: divide by 1 */
	wr32(LAPIC + 0x320, TIMER_VECTOR | 1u << 17);   /* periodic */
	wr32(LAPIC + 0x380, 2000000);       /* a few ms at Xen's virtual bus clock */
	__asm__ volatile("sti");
}

/* ---- The reference driver's platform ------------------------------------------------------ */

static uint32_t cf8(uint32_t off)
{
	return 0x80000000u | PCI_DEV << 11 | (off & 0xFCu);
}

static int p_cfg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
	(void)ctx;
	outl(0xCF8, cf8(off));
	if (size == 4)
		*val = inl(0xCFC);
	else if (size == 2)
		*val = inw((uint16_t)(0xCFC + (off & 2)));
	else
		*val = inb((uint16_t)(0xCFC + (off & 3)));
	return 0;
}

static int p_cfg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	(void)ctx;
	outl(0xCF8, cf8(off));
	if (size == 4)
		outl(0xCFC, val);
	else if (size == 2)
		outw((uint16_t)(0xCFC + (off & 2)), (uint16_t)val);
	else
		outb((uint16_t)(0xCFC + (off & 3)), (uint8_t)val);
	return 0;
}

static uint32_t p_mmio_read32(void *ctx, uint64_t addr)
{
	(void)ctx;
	return rd32(addr);
}

static void p_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	(void)ctx;
	wr32(addr, val);
}

static bool is_ram(uint64_t addr, size_t len)
{
	return addr >= GPU_RAM_BASE && addr + len <= GPU_RAM_BASE + GPU_RAM_SIZE;
}

/* RAM is plain memory; anything else (the aperture) is touched a dword at a time. */
static int p_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	uint8_t *p = buf;

	(void)ctx;
	if (is_ram(addr, len)) {
		memcpy(buf, (const void *)(uintptr_t)addr, len);
		return 0;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = rd32(addr + i);

		memcpy(p + i, &v, len - i < 4 ? len - i : 4);
	}
	return 0;
}

static int p_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	(void)ctx;
	if (is_ram(addr, len)) {
		memcpy((void *)(uintptr_t)addr, buf, len);
		return 0;
	}
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;

		memcpy(&v, p + i, len - i < 4 ? len - i : 4);
		wr32(addr + i, v);
	}
	return 0;
}

static uint64_t p_irq_count(void *ctx)
{
	(void)ctx;
	return msis;
}

static void p_wait(void *ctx)
{
	(void)ctx;
	/* Until the next MSI or timer tick. */
	__asm__ volatile("sti; hlt" ::: "memory");
}

static const struct refdrv_platform platform = {
	.cfg_read = p_cfg_read,
	.cfg_write = p_cfg_write,
	.mmio_read32 = p_mmio_read32,
	.mmio_write32 = p_mmio_write32,
	.mem_read = p_mem_read,
	.mem_write = p_mem_write,
	.irq_count = p_irq_count,
	.wait = p_wait,
	.ram_base = GPU_RAM_BASE,
	.ram_size = GPU_RAM_SIZE,
	.bar_window = BAR_WINDOW,
	.msi_addr = LAPIC,
	.msi_data = MSI_VECTOR,
	.wait_limit = 20000,
};

/* ---- Command line: "name=NAME frames=N hostile reboot ..." -------------------------------- */

static char name_buf[32];
static unsigned frames = 4;
static bool hostile_role;
/* survive_restart: the mediator is killed and started again; draw again after. */
static bool survive_restart;
/* reboot: once done, ask Xen to reboot the domain (the toolstack makes it anew). */
static bool reboot_after;
/* dm_target=N: probe whether this domain may be domain N's device model. */
static bool dm_probe;
static unsigned dm_target;
static bool dm_expect_allowed;

static bool word_is(const char *s, const char *w, const char **val)
{
	while (*w && *s == *w)
		s++, w++;
	if (*w)
		return false;
	*val = s;
	return true;
}

static void parse_cmdline(const char *c)
{
	while (c && *c) {
		const char *v;

		while (*c == ' ')
			c++;
		if (word_is(c, "name=", &v)) {
			unsigned i = 0;

			while (*v && *v != ' ' && i < sizeof(name_buf) - 1)
				name_buf[i++] = *v++;
			name_buf[i] = '\0';
			guest_name = name_buf;
		} else if (word_is(c, "frames=", &v)) {
			frames = 0;
			while (*v >= '0' && *v <= '9')
				frames = frames * 10 + (unsigned)(*v++ - '0');
			if (!frames || frames > 1000)
				frames = 4;
		} else if (word_is(c, "hostile", &v)) {
			hostile_role = true;
		} else if (word_is(c, "survive_restart", &v)) {
			survive_restart = true;
		} else if (word_is(c, "reboot", &v)) {
			reboot_after = true;
		} else if (word_is(c, "dm_target=", &v)) {
			dm_probe = true;
			dm_target = 0;
			while (*v >= '0' && *v <= '9' && dm_target < 0x7FF0)
				dm_target = dm_target * 10 + (unsigned)(*v++ - '0');
		} else if (word_is(c, "expect=allowed", &v)) {
			dm_expect_allowed = true;
		}
		while (*c && *c != ' ')
			c++;
	}
}

/* ---- The work ------------------------------------------------------------------------------ */

static struct refdrv drv;
static struct refdrv_scene scene;
static struct refdrv_bo store_batch, store_buf;
static uint32_t expected[WIDTH * HEIGHT];

static bool frame_in_ram_ok(uint32_t frame)
{
	const uint8_t *fb = (const uint8_t *)(uintptr_t)scene.fb.ram;

	refdrv_scene_expected(frame, scene.identity, WIDTH, HEIGHT, expected);
	for (uint32_t y = 0; y < HEIGHT; y++) {
		const uint32_t *row = (const uint32_t *)(fb + (size_t)y * scene.stride);

		for (uint32_t x = 0; x < WIDTH; x++) {
			/* XRGB: the X byte is not part of the picture. */
			if ((row[x] ^ expected[y * WIDTH + x]) & 0x00FFFFFFu) {
				say("RESULT: %s/pixel-detail FAIL first difference at (%u,%u): "
				    "0x%x, want 0x%x\n", guest_name, x, y, row[x],
				    expected[y * WIDTH + x]);
				return false;
			}
		}
	}
	return true;
}

/*
 * A function-level reset, then the driver from scratch: the vGPU leaves
 * failsafe, so the next attack meets the check it is aimed at, not a vGPU
 * that already drops everything.
 */
static int fresh_vgpu(void)
{
	int ret = p_cfg_write(0, AF_CTRL, 1, AF_CTRL_FLR);

	if (!ret)
		ret = refdrv_scene_start(&drv, &platform, &scene, WIDTH, HEIGHT);
	if (!ret)
		ret = refdrv_bo_alloc(&drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &store_batch);
	if (!ret)
		ret = refdrv_bo_alloc(&drv, STORES * 4u, false, &store_buf);
	return ret;
}

/* The vGPU works (not in failsafe) before an attack: a batch of stores lands. */
static bool attack_ready(const char *what, bool reset)
{
	long wrong;
	int ret = reset ? fresh_vgpu() : 0;

	wrong = ret ? -1 : refdrv_store_stream(&drv, &store_batch, &store_buf, 1, STORES);
	result(what, wrong == 0, ret ? refdrv_strerror(&drv) :
	       wrong ? "its stores did not land before the attack" :
	       reset ? "reset, working again" : "working");
	return wrong == 0;
}

/*
 * Tries escapes; each must be contained by its own check.  Each attack
 * class starts on a vGPU that works (reset after the one before, which
 * latched failsafe); dom0 then checks each one's reason counter.
 */
static void hostile(void)
{
	static struct refdrv_batch b;
	uint32_t gtt0 = HSW_GTT_OFFSET, idx, before, after, seqno = 0;
	bool ran = false;

	/* A batch chained into graphics memory that is not its own. */
	if (attack_ready("hostile-batch-foreign-ready", false)) {
		refdrv_batch_init(&b);
		refdrv_emit(&b, HSW_MI_BATCH_BUFFER_START);
		refdrv_emit(&b, drv.low.base - 4096u);
		if (!refdrv_batch_finish(&drv, &b, &store_batch) &&
		    !refdrv_submit(&drv, REFDRV_RCS, &store_batch, &seqno)) {
			for (unsigned i = 0; i < 50 && !ran; i++) {
				ran = refdrv_completed_seqno(&drv, REFDRV_RCS) == seqno;
				platform.wait(platform.ctx);
			}
		}
		result("hostile-batch-foreign", !ran, ran ? "the batch ran" : "the batch never ran");
	}

	/* A GTT entry outside its slices (entry 0 belongs to the mediator). */
	if (attack_ready("hostile-gtt-outside-slice-ready", true)) {
		idx = 0;
		before = refdrv_read(&drv, gtt0 + idx * 4);
		refdrv_write(&drv, gtt0 + idx * 4, (uint32_t)GPU_RAM_BASE | HSW_PTE_VALID);
		after = refdrv_read(&drv, gtt0 + idx * 4);
		result("hostile-gtt-outside-slice", after == before, "the entry did not change");
	}

	/* A GTT entry in its own slice for a frame it does not own (far past its RAM). */
	if (attack_ready("hostile-gtt-foreign-frame-ready", true)) {
		idx = drv.low.base >> 12;
		refdrv_write(&drv, gtt0 + idx * 4, 0x3F000000u | HSW_PTE_VALID);
		after = refdrv_read(&drv, gtt0 + idx * 4);
		result("hostile-gtt-foreign-frame", after != (0x3F000000u | HSW_PTE_VALID),
		       "the entry was refused");
	}
}

/* ---- The hypervisor's policy: may this domain be another's device model? --------------- */

#define XEN_DM_OP         41    /* __HYPERVISOR_dm_op */
#define DMOP_CREATE_IOREQ 1     /* XEN_DMOP_create_ioreq_server */
#define DMOP_DESTROY_IOREQ 6    /* XEN_DMOP_destroy_ioreq_server */
#define EACCES_RC         (-13L)

/* Xen fills this page with one 32-byte call stub per hypercall. */
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* Finds Xen's CPUID leaves and installs the hypercall page; false if not on Xen. */
static bool hypercall_init(void)
{
	for (uint32_t base = 0x40000000u; base < 0x40010000u; base += 0x100) {
		uint32_t a, b, c, d;

		cpuid(base, &a, &b, &c, &d);
		if (b == 0x566E6558u && c == 0x65584D4Du && d == 0x4D4D566Eu && a >= base + 2) {
			uint64_t page = (uint64_t)(uintptr_t)hypercall_page;

			cpuid(base + 2, &a, &b, &c, &d);
			__asm__ volatile("wrmsr" :: "c"(b), "a"((uint32_t)page), "d"((uint32_t)(page >> 32)));
			return true;
		}
	}
	return false;
}

static long hypercall3(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3)
{
	long ret;

	__asm__ volatile("call *%[entry]"
			 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3)
			 : [entry] "r"(hypercall_page + nr * 32)
			 : "memory", "rcx", "r8", "r9", "r10", "r11");
	return ret;
}

/* One dm_op on domain 'target' with a single buffer (struct xen_dm_op). */
static long dm_op(unsigned target, uint8_t *op, uint64_t size)
{
	static struct { uint64_t ptr, size; } buf;

	buf.ptr = (uint64_t)(uintptr_t)op;
	buf.size = size;
	return hypercall3(XEN_DM_OP, target, 1, (uint64_t)(uintptr_t)&buf);
}

#define XEN_SCHED_OP      29    /* __HYPERVISOR_sched_op */
#define SCHEDOP_SHUTDOWN  2
#define SHUTDOWN_REBOOT   1

/* SCHEDOP_shutdown(reboot): Xen stops the domain and the toolstack restarts it. */
static void ask_reboot(void)
{
	static uint32_t reason = SHUTDOWN_REBOOT;      /* struct sched_shutdown */

	if (!hypercall_init()) {
		result("reboot", false, "no Xen CPUID leaves");
		return;
	}
	say("INFO: %s/reboot asking Xen to reboot the domain\n", guest_name);
	hypercall3(XEN_SCHED_OP, SCHEDOP_SHUTDOWN, (uint64_t)(uintptr_t)&reason, 0);
}

/*
 * Creates an ioreq server for dm_target (and destroys it again): what the
 * policy allows only a device model of that domain.  Refused, Xen answers
 * -EACCES (FLASK) or -EPERM (no XSM).
 */
static void policy_probe(void)
{
	static uint8_t op[64] __attribute__((aligned(8)));
	bool ok;
	long rc;

	if (!hypercall_init()) {
		result("dm-op", false, "no Xen CPUID leaves");
		return;
	}
	memset(op, 0, sizeof(op));
	*(uint32_t *)op = DMOP_CREATE_IOREQ;            /* handle_bufioreq (op[8]) = 0: off */
	rc = dm_op(dm_target, op, sizeof(op));
	if (rc == 0) {
		uint16_t id = *(uint16_t *)(op + 12);

		memset(op, 0, sizeof(op));
		*(uint32_t *)op = DMOP_DESTROY_IOREQ;
		*(uint16_t *)(op + 8) = id;
		rc = dm_op(dm_target, op, sizeof(op));
		ok = dm_expect_allowed && rc == 0;
		say("RESULT: %s/dm-op %s created and destroyed ioreq server %u of domain %u (%s)\n",
		    guest_name, ok ? "PASS" : "FAIL", id, dm_target,
		    rc == 0 ? "allowed" : "destroy failed");
	} else {
		ok = !dm_expect_allowed && rc == EACCES_RC;
		say("RESULT: %s/dm-op %s creating an ioreq server for domain %u: refused, -%lu%s\n",
		    guest_name, ok ? "PASS" : "FAIL", dm_target, (uint64_t)-rc,
		    rc == EACCES_RC ? " (EACCES)" : "");
	}
	if (ok)
		passed++;
	else
		failed++;
}

/*
 * The mediator (vgtd in a driver domain) is killed and started again.  An
 * access made meanwhile waits: the dead mediator's ioreq server still
 * claims the function until the new one destroys it.  The vGPU then comes
 * back reset, as after a device reset: the vendor ID is Intel's again and
 * BAR0 is no longer where this driver put it.  The driver starts from
 * scratch, as i915 does after a GPU reset, and draws once more.
 */
#define RESTART_POLLS 3000u             /* 100 ms each: five minutes */

static void await_restart(void)
{
	uint32_t old_bar0 = (uint32_t)drv.bar0 & ~0xFu, id = 0, bar0 = 0, f;
	unsigned polls, absent = 0;
	int ret;

	for (polls = 0; polls < RESTART_POLLS; polls++) {
		for (unsigned t = 0; t < 50; t++)       /* timer ticks of about 2 ms */
			__asm__ volatile("sti; hlt");
		p_cfg_read(0, 0, 4, &id);
		p_cfg_read(0, 0x10, 4, &bar0);
		if ((id & 0xFFFFu) != HSW_PCI_VENDOR_INTEL)
			absent++;
		else if ((bar0 & ~0xFu) != old_bar0)
			break;
	}
	result("restart-reset", polls < RESTART_POLLS,
	       polls < RESTART_POLLS ? "the vGPU came back reset" : "no restart seen");
	if (polls >= RESTART_POLLS)
		return;
	say("INFO: %s/restart-wait %u polls, the function absent in %u\n", guest_name, polls, absent);
	ret = refdrv_scene_start(&drv, &platform, &scene, WIDTH, HEIGHT);
	result("restart-init", !ret && drv.vgpu, ret ? refdrv_strerror(&drv) : "probed and set up again");
	for (f = 0; f < frames && !ret; f++)
		ret = refdrv_scene_draw(&drv, &scene, f);
	result("restart-pixels", !ret && frame_in_ram_ok(frames - 1),
	       ret ? refdrv_strerror(&drv) : "drawn again, the last frame in its own RAM");
	say("RESULT: %s/redone %u passed, %u failed\n", guest_name, passed, failed);
}

/* The command line from the bzImage's boot_params or PVH's start_info. */
static const char *boot_cmdline(uint32_t magic, uint32_t boot_info)
{
	const uint32_t *info = (const uint32_t *)(uintptr_t)boot_info;

	if (!info)
		return 0;
	if (magic == 0x53726448u)                       /* "HdrS": cmd_line_ptr at 0x228 */
		return info[0x228 / 4] ? (const char *)(uintptr_t)info[0x228 / 4] : 0;
	if (info[0] == 0x336EC578u && info[6])          /* hvm_start_info: magic, cmdline_paddr */
		return (const char *)(uintptr_t)info[6];
	return 0;
}

void guest_main(uint32_t magic, uint32_t boot_info)
{
	uint32_t f;
	long wrong;
	int ret;

	parse_cmdline(boot_cmdline(magic, boot_info));
	interrupts_init();
	say("INFO: %s/boot %s\n", guest_name,
	    dm_probe ? "policy probe" : hostile_role ? "hostile" : "normal");
	if (dm_probe) {
		policy_probe();
		goto out;
	}

	ret = refdrv_probe(&drv, &platform);
	result("probe", !ret && drv.vgpu, ret ? refdrv_strerror(&drv) : "PVINFO found");
	if (ret)
		goto out;
	say("INFO: %s/pvinfo vgpu %u, aperture 0x%x+%u MiB, hidden 0x%x+%u MiB, %u fences\n",
	    guest_name, drv.vgpu_id, drv.low.base, drv.low.size >> 20, drv.high.base,
	    drv.high.size >> 20, drv.fences);
	/* Where it put its BARs: what an import of a Xen capture of it needs. */
	say("INFO: %s/bars bar0 0x%lx bar2 0x%lx bar4 0x%x\n", guest_name, drv.bar0, drv.bar2,
	    drv.bar4);
	ret = refdrv_init(&drv);
	if (!ret)
		ret = refdrv_scene_init(&drv, &scene, WIDTH, HEIGHT);
	if (!ret)
		ret = refdrv_display_set(&drv, 0, &scene.fb, WIDTH, HEIGHT, scene.stride,
					 HSW_DSPFMT_BGRX888);
	if (!ret)
		ret = refdrv_bo_alloc(&drv, REFDRV_BATCH_MAX_DWORDS * 4u, false, &store_batch);
	if (!ret)
		ret = refdrv_bo_alloc(&drv, STORES * 4u, false, &store_buf);
	result("init", !ret, ret ? refdrv_strerror(&drv) : "rings, scene, display");
	if (ret)
		goto out;
	for (f = 0; f < frames && !ret; f++)
		ret = refdrv_scene_draw(&drv, &scene, f);
	result("blitter-frames", !ret, ret ? refdrv_strerror(&drv) : "drawn on BCS");
	wrong = ret ? -1 : refdrv_store_stream(&drv, &store_batch, &store_buf, 4, STORES);
	result("render-stores", wrong == 0, wrong ? "wrong values" : "4 batches on RCS, all right");
	result("pixels", !ret && frame_in_ram_ok(frames - 1), "the last frame in its own RAM");
	result("msi", msis > 0, msis ? "interrupts arrived through the local APIC" : "no MSI");
	say("INFO: %s/frame %u\n", guest_name, frames - 1);
	if (hostile_role)
		hostile();
out:
	say("RESULT: %s/done %u passed, %u failed\n", guest_name, passed, failed);
	if (survive_restart && !dm_probe && drv.vgpu)
		await_restart();
	if (reboot_after)
		ask_reboot();
	/*
	 * Idle for good: no timer ticks to emulate while the other guests run.
	 * Interrupts stay on: Xen takes HLT with them off as the vCPU going down,
	 * and the domain powers off when its last one does.
	 */
	wr32(LAPIC + 0x320, TIMER_VECTOR | 1u << 16);
	for (;;)
		__asm__ volatile("sti; hlt");
}

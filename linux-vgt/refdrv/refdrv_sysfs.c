/* SPDX-License-Identifier: MIT */
/*
 * refdrv's platform over a PCI function's sysfs directory (see
 * refdrv_sysfs.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "refdrv_sysfs.h"

#define PAGEMAP_PRESENT   (1ull << 63)
#define PAGEMAP_PFN_MASK  ((1ull << 55) - 1)

static int set_err(struct refdrv_sysfs *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -err;
}

/* ---- The platform -------------------------------------------------------------------------- */

static int sy_cfg_read(void *ctx, uint32_t off, unsigned size, uint32_t *val)
{
	struct refdrv_sysfs *s = ctx;
	uint8_t b[4] = { 0 };

	if ((size != 1 && size != 2 && size != 4) || off > 4096 - size ||
	    pread(s->cfg_fd, b, size, off) != (ssize_t)size)
		return -REFDRV_EIO;
	*val = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return 0;
}

static int sy_cfg_write(void *ctx, uint32_t off, unsigned size, uint32_t val)
{
	struct refdrv_sysfs *s = ctx;
	uint8_t b[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16),
			 (uint8_t)(val >> 24) };

	if ((size != 1 && size != 2 && size != 4) || off > 4096 - size ||
	    pwrite(s->cfg_fd, b, size, off) != (ssize_t)size)
		return -REFDRV_EIO;
	return 0;
}

/* Where ADDR..ADDR+LEN lies in a mapped BAR, or NULL. */
static volatile uint8_t *in_bar(const struct refdrv_sysfs_bar *bar, uint64_t addr, size_t len)
{
	if (!bar->map || addr < bar->addr || len > bar->size || addr - bar->addr > bar->size - len)
		return NULL;
	return bar->map + (addr - bar->addr);
}

/*
 * A dword-aligned access inside @bar, or NULL: an access anywhere else is
 * counted and not performed.
 */
static volatile uint8_t *bar_access(struct refdrv_sysfs *s, const struct refdrv_sysfs_bar *bar,
				    uint64_t addr, size_t len)
{
	volatile uint8_t *p = in_bar(bar, addr, len);

	if (!p || (addr & 3)) {
		s->accesses_outside++;
		return NULL;
	}
	return p;
}

static uint32_t sy_mmio_read32(void *ctx, uint64_t addr)
{
	struct refdrv_sysfs *s = ctx;
	volatile uint8_t *p = bar_access(s, &s->bar0, addr, 4);

	return p ? *(volatile uint32_t *)p : 0xFFFFFFFFu;
}

static void sy_mmio_write32(void *ctx, uint64_t addr, uint32_t val)
{
	struct refdrv_sysfs *s = ctx;
	volatile uint8_t *p = bar_access(s, &s->bar0, addr, 4);

	if (p)
		*(volatile uint32_t *)p = val;
}

static uint8_t *in_ram(struct refdrv_sysfs *s, uint64_t addr, size_t len)
{
	uint64_t base = s->plat.ram_base;

	if (!s->ram || addr < base || len > REFDRV_SYSFS_RAM_SIZE ||
	    addr - base > REFDRV_SYSFS_RAM_SIZE - len)
		return NULL;
	return s->ram + (addr - base);
}

/* The aperture is device memory: touched a naturally aligned dword at a time. */
static int sy_mem_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct refdrv_sysfs *s = ctx;
	uint8_t *r = in_ram(s, addr, len);
	volatile uint8_t *a;

	if (r) {
		memcpy(buf, r, len);
		return 0;
	}
	a = bar_access(s, &s->bar2, addr, len);
	if (!a)
		return -REFDRV_EFAULT;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = *(volatile uint32_t *)(a + i);

		memcpy((uint8_t *)buf + i, &v, len - i < 4 ? len - i : 4);
	}
	return 0;
}

static int sy_mem_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct refdrv_sysfs *s = ctx;
	uint8_t *r = in_ram(s, addr, len);
	volatile uint8_t *a;

	if (r) {
		memcpy(r, buf, len);
		return 0;
	}
	a = bar_access(s, &s->bar2, addr, len);
	if (!a)
		return -REFDRV_EFAULT;
	for (size_t i = 0; i < len; i += 4) {
		uint32_t v = 0;

		memcpy(&v, (const uint8_t *)buf + i, len - i < 4 ? len - i : 4);
		*(volatile uint32_t *)(a + i) = v;
	}
	return 0;
}

static uint64_t sy_irq_count(void *ctx)
{
	(void)ctx;
	return 0;
}

static void sy_wait(void *ctx)
{
	const struct timespec ms = { 0, 1000000 };

	(void)ctx;
	nanosleep(&ms, NULL);
}

/* ---- Opening ------------------------------------------------------------------------------- */

/* BAR N's placement from the directory's "resource" file ("start end flags" per line). */
static int read_resource(struct refdrv_sysfs *s, const char *dir, unsigned n, uint64_t *start,
			 uint64_t *size)
{
	char path[512], line[128];
	uint64_t end = 0, flags = 0;
	unsigned i = 0;
	FILE *f;
	int ret = -ENODEV;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "re");
	if (!f)
		return set_err(s, errno, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		if (i++ != n)
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, start, &end, &flags) == 3 &&
		    *start && end > *start)
			ret = 0;
		break;
	}
	fclose(f);
	if (ret)
		return set_err(s, ENODEV, "BAR%u of %s is not placed (no kernel resource)", n, dir);
	*size = end - *start + 1;
	return 0;
}

static int map_bar(struct refdrv_sysfs *s, const char *dir, unsigned n, struct refdrv_sysfs_bar *bar)
{
	char path[512];
	void *map;
	int fd, ret;

	ret = read_resource(s, dir, n, &bar->addr, &bar->size);
	if (ret)
		return ret;
	snprintf(path, sizeof(path), "%s/resource%u", dir, n);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0)
		return set_err(s, errno, "%s: %s", path, strerror(errno));
	map = mmap(NULL, bar->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ret = errno;
	close(fd);
	if (map == MAP_FAILED)
		return set_err(s, ret, "mapping %s: %s", path, strerror(ret));
	bar->map = map;
	return 0;
}

/*
 * One locked huge page: physically contiguous, which the GPU's view of
 * a buffer (a run of GTT entries from ram_base up) needs.
 */
static int alloc_ram(struct refdrv_sysfs *s)
{
	uint64_t first = 0, entry;
	void *map;
	int fd, ret;

	map = mmap(NULL, REFDRV_SYSFS_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE | MAP_LOCKED, -1, 0);
	if (map == MAP_FAILED)
		return set_err(s, errno, "no 2 MiB huge page for GPU buffers (%s): "
			       "set /proc/sys/vm/nr_hugepages", strerror(errno));
	s->ram = map;
	memset(s->ram, 0, REFDRV_SYSFS_RAM_SIZE);
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return set_err(s, errno, "/proc/self/pagemap: %s", strerror(errno));
	/* Every 4 KiB frame, checked: the page must really be contiguous. */
	for (uint64_t i = 0; i < REFDRV_SYSFS_RAM_SIZE / 4096; i++) {
		off_t off = (off_t)((((uintptr_t)s->ram) / 4096 + i) * sizeof(entry));

		if (pread(fd, &entry, sizeof(entry), off) != (ssize_t)sizeof(entry)) {
			ret = set_err(s, EIO, "reading /proc/self/pagemap failed");
			goto out;
		}
		if (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN_MASK)) {
			ret = set_err(s, EPERM, "/proc/self/pagemap hides frame numbers (needs root)");
			goto out;
		}
		if (!i)
			first = entry & PAGEMAP_PFN_MASK;
		else if ((entry & PAGEMAP_PFN_MASK) != first + i) {
			ret = set_err(s, EFAULT, "the huge page is not physically contiguous");
			goto out;
		}
	}
	s->plat.ram_base = first * 4096;
	s->plat.ram_size = REFDRV_SYSFS_RAM_SIZE;
	ret = 0;
out:
	close(fd);
	return ret;
}

int refdrv_sysfs_open_function(struct refdrv_sysfs *s, const char *dev_dir)
{
	char path[512];
	int ret;

	memset(s, 0, sizeof(*s));
	s->cfg_fd = -1;
	snprintf(path, sizeof(path), "%s/config", dev_dir);
	s->cfg_fd = open(path, O_RDWR | O_CLOEXEC);
	if (s->cfg_fd < 0)
		return set_err(s, errno, "%s: %s", path, strerror(errno));
	ret = map_bar(s, dev_dir, 0, &s->bar0);
	if (!ret)
		ret = map_bar(s, dev_dir, 2, &s->bar2);
	if (ret)
		return ret;

	s->plat.ctx = s;
	s->plat.cfg_read = sy_cfg_read;
	s->plat.cfg_write = sy_cfg_write;
	s->plat.mmio_read32 = sy_mmio_read32;
	s->plat.mmio_write32 = sy_mmio_write32;
	s->plat.mem_read = sy_mem_read;
	s->plat.mem_write = sy_mem_write;
	s->plat.irq_count = sy_irq_count;
	s->plat.wait = sy_wait;
	s->plat.bars_placed = true;
	s->plat.msi_addr = 0;
	/* 1 ms polls: a minute, for a mediator far away under emulation. */
	s->plat.wait_limit = 60000;
	return 0;
}

int refdrv_sysfs_open(struct refdrv_sysfs *s, const char *dev_dir)
{
	int ret = refdrv_sysfs_open_function(s, dev_dir);

	return ret ? ret : alloc_ram(s);
}

void refdrv_sysfs_close(struct refdrv_sysfs *s)
{
	if (s->ram && !s->ram_borrowed)
		munmap(s->ram, REFDRV_SYSFS_RAM_SIZE);
	if (s->bar2.map)
		munmap((void *)s->bar2.map, s->bar2.size);
	if (s->bar0.map)
		munmap((void *)s->bar0.map, s->bar0.size);
	if (s->cfg_fd >= 0)
		close(s->cfg_fd);
	s->ram = NULL;
	s->bar0.map = s->bar2.map = NULL;
	s->cfg_fd = -1;
}

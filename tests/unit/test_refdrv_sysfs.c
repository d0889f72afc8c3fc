/* SPDX-License-Identifier: MIT */
/*
 * refdrv's sysfs platform against a fake sysfs directory of regular files:
 * what it refuses (no function, BARs the kernel has not placed) is named,
 * config space is little-endian and bounded, MMIO and aperture accesses land
 * at the right offsets of the resource files, and an access outside the
 * BARs and RAM is refused and counted, never performed.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "refdrv_sysfs.h"

#define BAR0  0xF0000000ull
#define BAR2  0xE0000000ull
#define BAR0_SIZE (4ull << 20)
#define BAR2_SIZE (16ull << 20)
#define RAM_PHYS  0x40000000ull

struct fake_dev {
	char dir[64];
};

static void put_file(const char *dir, const char *name, const void *data, size_t len,
		     off_t size)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	if (len)
		assert_int_equal(write(fd, data, len), (ssize_t)len);
	if (size)
		assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
}

static void rm_file(const char *dir, const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

/* A function whose BAR0 is placed or not (the kernel's "resource" file). */
static void make_dev(struct fake_dev *f, bool bar0_placed)
{
	char res[512];
	uint8_t cfg[256] = { 0x86, 0x80, 0x12, 0x04 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/vgt-sysfs-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	put_file(f->dir, "config", cfg, sizeof(cfg), 0);
	snprintf(res, sizeof(res),
		 "0x%016llx 0x%016llx 0x0000000000140204\n"
		 "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
		 "0x%016llx 0x%016llx 0x000000000014220c\n",
		 bar0_placed ? BAR0 : 0ull, bar0_placed ? BAR0 + BAR0_SIZE - 1 : 0ull,
		 BAR2, BAR2 + BAR2_SIZE - 1);
	put_file(f->dir, "resource", res, strlen(res), 0);
	put_file(f->dir, "resource0", NULL, 0, (off_t)BAR0_SIZE);
	put_file(f->dir, "resource2", NULL, 0, (off_t)BAR2_SIZE);
}

static void drop_dev(struct fake_dev *f)
{
	rm_file(f->dir, "config");
	rm_file(f->dir, "resource");
	rm_file(f->dir, "resource0");
	rm_file(f->dir, "resource2");
	rmdir(f->dir);
}

static void test_missing_function_is_named(void **state)
{
	struct refdrv_sysfs s;

	(void)state;
	assert_int_equal(refdrv_sysfs_open(&s, "/nonexistent/0000:00:02.0"), -ENOENT);
	assert_non_null(strstr(s.err, "/nonexistent/0000:00:02.0/config"));
	refdrv_sysfs_close(&s);
}

static void test_unplaced_bar_is_refused(void **state)
{
	struct fake_dev f;
	struct refdrv_sysfs s;

	(void)state;
	make_dev(&f, false);
	assert_int_equal(refdrv_sysfs_open_function(&s, f.dir), -ENODEV);
	assert_non_null(strstr(s.err, "BAR0"));
	assert_non_null(strstr(s.err, "not placed"));
	refdrv_sysfs_close(&s);
	drop_dev(&f);
}

static void test_accesses_land_where_they_belong(void **state)
{
	struct fake_dev f;
	struct refdrv_sysfs s;
	const struct refdrv_platform *p = &s.plat;
	uint8_t *ram = calloc(1, REFDRV_SYSFS_RAM_SIZE);
	uint32_t v = 0, buf[3] = { 1, 2, 3 }, back[3] = { 0 };
	char path[128];
	uint8_t raw[4];
	int fd;

	(void)state;
	assert_non_null(ram);
	make_dev(&f, true);
	assert_int_equal(refdrv_sysfs_open_function(&s, f.dir), 0);
	s.ram = ram;
	s.ram_borrowed = true;
	s.plat.ram_base = RAM_PHYS;
	assert_true(p->bars_placed);
	assert_int_equal(p->msi_addr, 0);

	/* Config space: little-endian, sized, bounded. */
	assert_int_equal(p->cfg_read(p->ctx, 0, 4, &v), 0);
	assert_int_equal(v, 0x04128086u);
	assert_int_equal(p->cfg_read(p->ctx, 2, 2, &v), 0);
	assert_int_equal(v, 0x0412u);
	assert_int_equal(p->cfg_write(p->ctx, 0x10, 4, 0xAABBCCDDu), 0);
	assert_int_equal(p->cfg_read(p->ctx, 0x11, 1, &v), 0);
	assert_int_equal(v, 0xCCu);
	assert_int_equal(p->cfg_read(p->ctx, 4094, 4, &v), -REFDRV_EIO);
	assert_int_equal(p->cfg_read(p->ctx, 0, 3, &v), -REFDRV_EIO);

	/* MMIO at BAR0 + offset is that offset of resource0. */
	p->mmio_write32(p->ctx, BAR0 + 0x2030, 0x12345678u);
	assert_int_equal(p->mmio_read32(p->ctx, BAR0 + 0x2030), 0x12345678u);
	snprintf(path, sizeof(path), "%s/resource0", f.dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, raw, 4, 0x2030), 4);
	close(fd);
	assert_int_equal(raw[0], 0x78);
	assert_int_equal(raw[3], 0x12);

	/* The aperture and RAM. */
	assert_int_equal(p->mem_write(p->ctx, BAR2 + 0x1000, buf, sizeof(buf)), 0);
	assert_int_equal(p->mem_read(p->ctx, BAR2 + 0x1000, back, sizeof(back)), 0);
	assert_memory_equal(buf, back, sizeof(buf));
	assert_int_equal(p->mem_write(p->ctx, RAM_PHYS + 8, buf, sizeof(buf)), 0);
	assert_memory_equal(ram + 8, buf, sizeof(buf));

	/* Outside: refused and counted, nothing written. */
	assert_int_equal(s.accesses_outside, 0);
	p->mmio_write32(p->ctx, BAR0 + BAR0_SIZE, 1);
	assert_int_equal(p->mmio_read32(p->ctx, BAR0 - 4), 0xFFFFFFFFu);
	p->mmio_write32(p->ctx, BAR0 + 2, 1);            /* misaligned */
	assert_int_equal(p->mem_write(p->ctx, BAR2 + BAR2_SIZE - 4, buf, 8), -REFDRV_EFAULT);
	assert_int_equal(p->mem_read(p->ctx, RAM_PHYS + REFDRV_SYSFS_RAM_SIZE - 4, back, 8),
			 -REFDRV_EFAULT);
	assert_int_equal(p->mem_write(p->ctx, 0x1000, buf, 4), -REFDRV_EFAULT);
	assert_int_equal(s.accesses_outside, 6);
	assert_int_equal(p->irq_count(p->ctx), 0);

	refdrv_sysfs_close(&s);
	free(ram);
	drop_dev(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_function_is_named),
		cmocka_unit_test(test_unplaced_bar_is_refused),
		cmocka_unit_test(test_accesses_land_where_they_belong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

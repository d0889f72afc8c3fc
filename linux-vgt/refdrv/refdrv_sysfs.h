/* SPDX-License-Identifier: MIT */
/*
 * refdrv in Linux user space: a struct refdrv_platform over a PCI
 * function's sysfs directory.
 *
 * Config space is the directory's "config" file, the BARs are mmap()s of
 * "resource0" and "resource2" at the addresses the kernel gave them, and
 * the RAM the driver gives the GPU is one locked 2 MiB huge page whose
 * physical address comes from /proc/self/pagemap.  No interrupt reaches
 * user space, so the driver polls.  This is how dom0, an ordinary client
 * of a mediator in a driver domain, drives its vGPU without a kernel
 * driver.  Needs root (pagemap frame numbers, resource files).
 */
#ifndef REFDRV_SYSFS_H
#define REFDRV_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "refdrv.h"

#define REFDRV_SYSFS_RAM_SIZE (2u << 20)

struct refdrv_sysfs_bar {
	volatile uint8_t *map;
	uint64_t addr, size;
};

struct refdrv_sysfs {
	struct refdrv_platform plat;
	int cfg_fd;
	struct refdrv_sysfs_bar bar0, bar2;
	uint8_t *ram;
	bool ram_borrowed;           /* given by the caller, not mapped here */
	uint64_t accesses_outside;   /* platform accesses no BAR or RAM holds */
	char err[256];
};

/*
 * Opens the function at DEV_DIR (e.g. /sys/bus/pci/devices/0000:00:02.0),
 * whose BARs the kernel has placed.  Returns 0 or -errno with s->err
 * saying what is missing; s needs refdrv_sysfs_close() either way.
 */
int refdrv_sysfs_open(struct refdrv_sysfs *s, const char *dev_dir);
/*
 * The function alone, without RAM: the caller sets ram (REFDRV_SYSFS_RAM_SIZE
 * bytes), ram_borrowed and plat.ram_base itself (tests do).
 */
int refdrv_sysfs_open_function(struct refdrv_sysfs *s, const char *dev_dir);
void refdrv_sysfs_close(struct refdrv_sysfs *s);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * refdrv-sysfs: the reference driver in Linux user space, on a PCI
 * function the kernel has enumerated (typically a vGPU that a mediator in
 * a driver domain gives dom0).  It probes the function, brings the GPU up,
 * renders FRAMES frames of the reference scene and leaves the last one on
 * the display, then checks the frame in its own RAM.
 *
 *   refdrv-sysfs [--frames N] /sys/bus/pci/devices/SSSS:BB:DD.F
 *
 * Exit status: 0 rendered and checked, 1 failed (the step on stderr),
 * 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refdrv.h"
#include "refdrv_sysfs.h"

#define WIDTH  320u
#define HEIGHT 240u

static int check_frame(struct refdrv_sysfs *s, const struct refdrv_scene *scene, uint32_t frame)
{
	uint32_t *want = malloc((size_t)WIDTH * HEIGHT * 4), *got = malloc((size_t)WIDTH * 4);
	int ret = 0;

	if (!want || !got) {
		free(want);
		free(got);
		return -1;
	}
	refdrv_scene_expected(frame, scene->identity, WIDTH, HEIGHT, want);
	for (uint32_t y = 0; y < HEIGHT && !ret; y++) {
		if (s->plat.mem_read(s, scene->fb.ram + (uint64_t)y * scene->stride, got, WIDTH * 4)) {
			ret = -1;
			break;
		}
		for (uint32_t x = 0; x < WIDTH; x++) {
			if ((got[x] ^ want[y * WIDTH + x]) & 0x00FFFFFFu) {
				fprintf(stderr, "refdrv-sysfs: frame %u differs at (%u,%u): 0x%08x, "
					"want 0x%08x\n", frame, x, y, got[x], want[y * WIDTH + x]);
				ret = -1;
				break;
			}
		}
	}
	free(want);
	free(got);
	return ret;
}

int main(int argc, char **argv)
{
	static struct refdrv drv;
	static struct refdrv_scene scene;
	struct refdrv_sysfs s;
	unsigned long frames = 4;
	const char *dev = NULL;
	char *end;
	int ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--frames") && i + 1 < argc) {
			frames = strtoul(argv[++i], &end, 10);
			if (*end || !frames || frames > 10000) {
				fprintf(stderr, "refdrv-sysfs: --frames takes 1..10000\n");
				return 2;
			}
		} else if (argv[i][0] != '-' && !dev) {
			dev = argv[i];
		} else {
			fprintf(stderr, "usage: refdrv-sysfs [--frames N] /sys/bus/pci/devices/DEVICE\n");
			return 2;
		}
	}
	if (!dev) {
		fprintf(stderr, "usage: refdrv-sysfs [--frames N] /sys/bus/pci/devices/DEVICE\n");
		return 2;
	}

	ret = refdrv_sysfs_open(&s, dev);
	if (ret) {
		fprintf(stderr, "refdrv-sysfs: %s\n", s.err);
		refdrv_sysfs_close(&s);
		return 1;
	}
	ret = refdrv_scene_start(&drv, &s.plat, &scene, WIDTH, HEIGHT);
	for (uint32_t f = 0; !ret && f < frames; f++) {
		ret = refdrv_scene_draw(&drv, &scene, f);
		if (!ret)
			ret = refdrv_wait_vblank(&drv, 0);
	}
	if (ret) {
		fprintf(stderr, "refdrv-sysfs: %s (%d)\n", refdrv_strerror(&drv), ret);
	} else if (check_frame(&s, &scene, (uint32_t)frames - 1)) {
		ret = -1;
	} else {
		printf("refdrv-sysfs: %s vGPU %u: %lu frames drawn, the last one checked in RAM "
		       "at 0x%llx; BAR0 0x%llx, aperture 0x%llx\n", drv.vgpu ? "mediated" : "native",
		       drv.vgpu_id, frames, (unsigned long long)scene.fb.ram,
		       (unsigned long long)drv.bar0, (unsigned long long)drv.bar2);
	}
	if (s.accesses_outside)
		fprintf(stderr, "refdrv-sysfs: %llu accesses outside the BARs and RAM\n",
			(unsigned long long)s.accesses_outside);
	refdrv_sysfs_close(&s);
	return ret ? 1 : 0;
}

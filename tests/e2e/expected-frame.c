/* SPDX-License-Identifier: MIT */
/*
 * expected-frame W H FRAME ID OUT.png: frame FRAME of the demo scene of the
 * vGPU whose id is ID, as the CPU computes it, written with the same PNG
 * encoder vgtctl's screenshots use, so that a screenshot and the
 * expectation compare byte for byte.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "refdrv.h"
#include "vgt_png.h"

int main(int argc, char **argv)
{
	unsigned long w, h, frame, id;
	uint32_t *px;
	int ret;

	if (argc != 6 || sscanf(argv[1], "%lu", &w) != 1 || sscanf(argv[2], "%lu", &h) != 1 ||
	    sscanf(argv[3], "%lu", &frame) != 1 || sscanf(argv[4], "%lu", &id) != 1 ||
	    w < 128 || h < 128 || w > 4096 || h > 4096 || id > UINT32_MAX) {
		fprintf(stderr, "usage: expected-frame W H FRAME ID OUT.png (128..4096)\n");
		return 2;
	}
	px = malloc(w * h * 4);
	if (!px)
		return 1;
	refdrv_scene_expected((uint32_t)frame, (uint32_t)id, (uint32_t)w, (uint32_t)h, px);
	ret = vgt_png_write_xrgb(argv[5], (uint32_t)w, (uint32_t)h, px);
	free(px);
	if (ret) {
		fprintf(stderr, "expected-frame: %s: %s\n", argv[5], strerror(-ret));
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: MIT */
#ifndef VGT_PNG_H
#define VGT_PNG_H

#include <stdint.h>

/* Writes XRGB8888 pixels as an 8-bit RGB PNG; 0 or -errno. */
int vgt_png_write_xrgb(const char *path, uint32_t width, uint32_t height,
		       const uint32_t *pixels);
/* Reads a PNG back as XRGB8888 (caller frees *pixels); 0 or -errno. */
int vgt_png_read_xrgb(const char *path, uint32_t *width, uint32_t *height, uint32_t **pixels);

#endif /* VGT_PNG_H */

/* SPDX-License-Identifier: MIT */
/* PNG snapshots through libpng's simplified API. */
#include <errno.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "vgt_png.h"

int vgt_png_write_xrgb(const char *path, uint32_t width, uint32_t height,
		       const uint32_t *pixels)
{
	png_image img;
	uint8_t *rgb;
	int ok;

	if (!width || !height || width > 16384 || height > 16384)
		return -EINVAL;
	rgb = malloc((size_t)width * height * 3);
	if (!rgb)
		return -ENOMEM;
	for (size_t i = 0; i < (size_t)width * height; i++) {
		rgb[3 * i + 0] = (uint8_t)(pixels[i] >> 16);
		rgb[3 * i + 1] = (uint8_t)(pixels[i] >> 8);
		rgb[3 * i + 2] = (uint8_t)pixels[i];
	}
	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	img.width = width;
	img.height = height;
	img.format = PNG_FORMAT_RGB;
	ok = png_image_write_to_file(&img, path, 0, rgb, 0, NULL);
	free(rgb);
	return ok ? 0 : -EIO;
}

int vgt_png_read_xrgb(const char *path, uint32_t *width, uint32_t *height, uint32_t **pixels)
{
	png_image img;
	uint8_t *rgb;
	uint32_t *out;

	memset(&img, 0, sizeof(img));
	img.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&img, path))
		return -EIO;
	img.format = PNG_FORMAT_RGB;
	rgb = malloc(PNG_IMAGE_SIZE(img));
	out = malloc((size_t)img.width * img.height * sizeof(*out));
	if (!rgb || !out || !png_image_finish_read(&img, NULL, rgb, 0, NULL)) {
		png_image_free(&img);
		free(rgb);
		free(out);
		return rgb && out ? -EIO : -ENOMEM;
	}
	for (size_t i = 0; i < (size_t)img.width * img.height; i++)
		out[i] = ((uint32_t)rgb[3 * i] << 16) | ((uint32_t)rgb[3 * i + 1] << 8) | rgb[3 * i + 2];
	free(rgb);
	*width = img.width;
	*height = img.height;
	*pixels = out;
	return 0;
}

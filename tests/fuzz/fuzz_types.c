/* SPDX-License-Identifier: MIT */
/* Fuzz target: the vGPU types table parser, on any text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgt/vgt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what) \
	do { if (!(cond)) { fprintf(stderr, "fuzz invariant broken: %s\n", what); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgt_type types[8];
	struct vgt_error err = { { 0 } };
	char *text = malloc(size + 1);
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	n = vgt_types_parse(text, types, 8, &err);
	if (n < 0) {
		CHECK(n == -EINVAL, "an error other than -EINVAL");
		CHECK(err.msg[0] != '\0', "a refusal without a reason");
	} else {
		CHECK(n >= 1 && n <= 8, "a count out of range");
		for (int i = 0; i < n; i++) {
			CHECK(types[i].name[0] && strlen(types[i].name) < VGT_TYPE_NAME_MAX, "a bad name");
			CHECK(types[i].low_mb >= 1 && types[i].low_mb <= 512, "low_mb out of range");
			CHECK(types[i].high_mb >= 1 && types[i].high_mb <= 2048, "high_mb out of range");
			CHECK(types[i].fences <= 32 && types[i].weight >= 1 && types[i].weight <= 100,
			      "fences or weight out of range");
			CHECK(types[i].width >= 1 && types[i].width <= 4096 && types[i].height >= 1 &&
			      types[i].height <= 4096, "display out of range");
			for (int j = 0; j < i; j++)
				CHECK(strcmp(types[i].name, types[j].name), "a duplicate name");
		}
	}
	free(text);
	return 0;
}

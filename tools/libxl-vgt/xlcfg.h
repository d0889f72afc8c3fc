/* SPDX-License-Identifier: MIT */
/*
 * The vgt= keys of an xl domain config (vgt, vgt_type, vgt_low_gm_sz,
 * vgt_high_gm_sz, vgt_fence_sz, vgt_weight, vgt_primary, vgt_backend),
 * read with xl's own parser, libxlutil, so that a config file means the
 * same to vgt as to `xl create`.
 */
#ifndef VGT_XLCFG_H
#define VGT_XLCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VGT_XLCFG_NAME_MAX     64u          /* sizeof name, with its NUL */
#define VGT_XLCFG_TYPE_MAX     32u          /* sizeof type and vgt_type */
#define VGT_XLCFG_GM_MAX_MB    4096u        /* vgt_low_gm_sz, vgt_high_gm_sz: 1.. */
#define VGT_XLCFG_FENCES_MAX   32u          /* vgt_fence_sz: 0.. */
#define VGT_XLCFG_WEIGHT_MAX   100u         /* vgt_weight: 1.. */
#define VGT_XLCFG_BACKEND_MAX  32767u       /* vgt_backend: 0.. */
#define VGT_XLCFG_DEFAULT_FENCES 4u
#define VGT_XLCFG_DEFAULT_WEIGHT 1u
#define VGT_XLCFG_DEFAULT_TYPE "vgt-64"     /* vgt=1 and nothing else */
#define VGT_XLCFG_TEXT_MAX     (1u << 20)   /* longest config text accepted, bytes */
#define VGT_XLCFG_SPEC_MAX     64u          /* room for any attach spec, with its NUL */
#define VGT_XLCFG_WHY_MAX      256u         /* room for any message */

struct vgt_xlcfg {
	char name[VGT_XLCFG_NAME_MAX];     /* name=: non-empty, no '/', no whitespace */
	char type[VGT_XLCFG_TYPE_MAX];     /* "hvm", "pvh" or "pv" (type=, else builder=, else "pv") */
	bool vgt;                          /* vgt=1 */
	char vgt_type[VGT_XLCFG_TYPE_MAX]; /* vgt_type= ([A-Za-z0-9_.-], not "primary"),
					    * "" when sizes are explicit or vgt=0 */
	/* vgt_low_gm_sz, vgt_high_gm_sz (MiB), vgt_fence_sz, vgt_weight; 0 = absent.
	 * With explicit sizes fences and weight hold their defaults when absent. */
	uint32_t low_mb, high_mb, fences, weight;
	bool primary;                      /* vgt_primary=1 */
	uint32_t backend_domid;            /* vgt_backend=, the domain serving the vGPU; 0 */
};

/*
 * Reads the config at @path (or @len bytes of @data; @fname_for_messages
 * names it in messages, NULL for "<config>").  Returns 0 or -errno:
 * -ENOENT and the like when the file cannot be read, -EFBIG past
 * VGT_XLCFG_TEXT_MAX, -EINVAL for a syntax error or a bad key.  On error
 * @out is zeroed and @why (VGT_XLCFG_WHY_MAX bytes recommended; may be
 * NULL) says what is wrong: file:line, the key and its value.
 * A config without vgt= (or with vgt=0) is not an error: out->vgt is false.
 */
int vgt_xlcfg_parse_file(const char *path, struct vgt_xlcfg *out, char *why, size_t whylen);
int vgt_xlcfg_parse_data(const char *data, size_t len, const char *fname_for_messages,
			 struct vgt_xlcfg *out, char *why, size_t whylen);

/*
 * The vGPU request as vgtctl's attach argument (vgtd_proto.h's SPEC):
 * "TYPE", "TYPE,weight=N" or "low=L,high=H,fences=F,weight=W", followed by
 * ",primary" with vgt_primary=1.  0, -EINVAL if @c asks for no vGPU
 * or holds values a parse would not have produced, -ERANGE if @len is too
 * small (VGT_XLCFG_SPEC_MAX always suffices).
 */
int vgt_xlcfg_attach_spec(const struct vgt_xlcfg *c, char *buf, size_t len);

#endif /* VGT_XLCFG_H */

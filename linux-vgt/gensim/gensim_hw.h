/* SPDX-License-Identifier: MIT */
/* gensim behind the hardware-backend interface; the handle is a struct gensim *. */
#ifndef GENSIM_HW_H
#define GENSIM_HW_H

#include "gensim.h"
#include "vgt/hw.h"

extern const struct vgt_hw_ops gensim_hw_ops;

#endif /* GENSIM_HW_H */

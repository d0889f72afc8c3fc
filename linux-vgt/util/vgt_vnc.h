/* SPDX-License-Identifier: MIT */
/* Remote display: a domain's screen served over VNC (libvncserver), on loopback. */
#ifndef VGT_VNC_H
#define VGT_VNC_H

#include <stdint.h>

struct vgt_vnc;

/*
 * Serves a @width x @height screen on 127.0.0.1 and ::1 port @port, with
 * @password if not NULL.  0 or -errno.
 */
int vgt_vnc_start(struct vgt_vnc **out, uint16_t port, uint32_t width, uint32_t height,
		  const char *password, const char *name);
/* New contents (XRGB8888, the server's size); only changed rows are sent. */
void vgt_vnc_update(struct vgt_vnc *vnc, const uint32_t *pixels, uint32_t width, uint32_t height);
void vgt_vnc_stop(struct vgt_vnc *vnc);

#endif /* VGT_VNC_H */

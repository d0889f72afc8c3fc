/* SPDX-License-Identifier: MIT */
/*
 * VNC through libvncserver, which speaks the protocol; this file only owns
 * a screen per domain, binds it to loopback, and marks what changed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <rfb/rfb.h>
#include <stdlib.h>
#include <string.h>

#include "vgt_vnc.h"

struct vgt_vnc {
	rfbScreenInfoPtr screen;
	uint32_t width, height;
	uint32_t *fb;
	char *passwords[2];
	char *name;
};

int vgt_vnc_start(struct vgt_vnc **out, uint16_t port, uint32_t width, uint32_t height,
		  const char *password, const char *name)
{
	struct vgt_vnc *v = calloc(1, sizeof(*v));
	int argc = 0;

	*out = NULL;
	if (!v)
		return -ENOMEM;
	v->width = width;
	v->height = height;
	v->fb = calloc((size_t)width * height, sizeof(*v->fb));
	v->name = strdup(name ? name : "vgt");
	v->screen = rfbGetScreen(&argc, NULL, (int)width, (int)height, 8, 3, 4);
	if (!v->fb || !v->name || !v->screen)
		goto fail;
	/* Pixels are XRGB8888: blue in the low byte. */
	v->screen->serverFormat.redShift = 16;
	v->screen->serverFormat.greenShift = 8;
	v->screen->serverFormat.blueShift = 0;
	v->screen->frameBuffer = (char *)v->fb;
	v->screen->desktopName = v->name;
	v->screen->autoPort = FALSE;
	v->screen->port = port;
	v->screen->ipv6port = port;
	v->screen->listenInterface = htonl(INADDR_LOOPBACK);
	v->screen->listen6Interface = (char *)"::1";
	v->screen->alwaysShared = TRUE;
	/* The guest's own cursor is in the decoded image; no server cursor on top. */
	v->screen->cursor = NULL;
	if (password) {
		v->passwords[0] = strdup(password);
		v->passwords[1] = NULL;
		if (!v->passwords[0])
			goto fail;
		v->screen->authPasswdData = v->passwords;
		v->screen->passwordCheck = rfbCheckPasswordByList;
	}
	rfbInitServer(v->screen);
	if (v->screen->listenSock == RFB_INVALID_SOCKET)
		goto fail;
	/* libvncserver serves clients on its own thread. */
	rfbRunEventLoop(v->screen, 10000, TRUE);
	*out = v;
	return 0;
fail:
	if (v->screen)
		rfbScreenCleanup(v->screen);
	free(v->passwords[0]);
	free(v->name);
	free(v->fb);
	free(v);
	return -EADDRINUSE;
}

void vgt_vnc_update(struct vgt_vnc *v, const uint32_t *pixels, uint32_t width, uint32_t height)
{
	int y0 = -1, y1 = -1;

	if (width != v->width || height != v->height)
		return;
	/* Damage: the band of rows that changed. */
	for (uint32_t y = 0; y < height; y++) {
		const uint32_t *src = pixels + (size_t)y * width;
		uint32_t *dst = v->fb + (size_t)y * width;

		if (!memcmp(src, dst, width * sizeof(*src)))
			continue;
		memcpy(dst, src, width * sizeof(*src));
		if (y0 < 0)
			y0 = (int)y;
		y1 = (int)y + 1;
	}
	if (y0 >= 0)
		rfbMarkRectAsModified(v->screen, 0, y0, (int)width, y1);
}

void vgt_vnc_stop(struct vgt_vnc *v)
{
	if (!v)
		return;
	rfbShutdownServer(v->screen, TRUE);
	rfbScreenCleanup(v->screen);
	free(v->passwords[0]);
	free(v->name);
	free(v->fb);
	free(v);
}

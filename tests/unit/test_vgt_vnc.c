/* SPDX-License-Identifier: MIT */
/*
 * The VNC server as a client sees it (libvncclient): the framebuffer it
 * gets equals what vgt fed, updates arrive, and a password is enforced.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <rfb/rfbclient.h>

#include "vgt_vnc.h"

#define W 64u
#define H 48u
#define PORT 47950

static const char *client_password;

static char *get_password(rfbClient *cl)
{
	(void)cl;
	return client_password ? strdup(client_password) : NULL;
}

static void quiet(const char *fmt, ...)
{
	(void)fmt;
}

/* Connects, asks for the whole screen and waits until it is there. */
static rfbClient *connect_client(int port)
{
	rfbClient *cl = rfbGetClient(8, 3, 4);
	int argc = 0;

	free(cl->serverHost);               /* rfbGetClient's own default */
	cl->serverHost = strdup("127.0.0.1");
	cl->serverPort = port;
	cl->GetPassword = get_password;
	/* Lossless encodings only: the pixels are compared exactly. */
	cl->appData.encodingsString = "zrle hextile raw";
	if (!rfbInitClient(cl, &argc, NULL))
		return NULL;    /* rfbInitClient frees the client on failure */
	return cl;
}

/* libvncclient leaves the framebuffer it allocated to its user. */
static void close_client(rfbClient *cl)
{
	free(cl->frameBuffer);
	cl->frameBuffer = NULL;
	rfbClientCleanup(cl);
}

static void pump(rfbClient *cl, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		int n = WaitForMessage(cl, 50000);

		if (n > 0)
			assert_true(HandleRFBServerMessage(cl));
	}
}

/* The client's pixel (x, y) as XRGB8888, in the format the client asked for. */
static uint32_t client_px(rfbClient *cl, unsigned x, unsigned y)
{
	uint32_t v;

	memcpy(&v, cl->frameBuffer + ((size_t)y * W + x) * 4, 4);
	return (((v >> cl->format.redShift) & 0xFFu) << 16) |
	       (((v >> cl->format.greenShift) & 0xFFu) << 8) | ((v >> cl->format.blueShift) & 0xFFu);
}

static void test_frame_and_updates(void **state)
{
	struct vgt_vnc *vnc;
	uint32_t *px = malloc(W * H * 4);
	rfbClient *cl;

	(void)state;
	rfbClientLog = rfbClientErr = quiet;
	assert_non_null(px);
	for (unsigned i = 0; i < W * H; i++)
		px[i] = 0x00102030u + i;
	assert_int_equal(vgt_vnc_start(&vnc, PORT, W, H, NULL, "test"), 0);
	vgt_vnc_update(vnc, px, W, H);
	client_password = NULL;
	cl = connect_client(PORT);
	assert_non_null(cl);
	assert_int_equal(cl->width, W);
	assert_int_equal(cl->height, H);
	SendFramebufferUpdateRequest(cl, 0, 0, W, H, FALSE);
	pump(cl, 10);
	for (unsigned y = 0; y < H; y++)
		for (unsigned x = 0; x < W; x++)
			assert_int_equal(client_px(cl, x, y), (0x00102030u + y * W + x) & 0xFFFFFFu);
	/* A change reaches the client. */
	px[5 * W + 7] = 0x00ABCDEFu;
	vgt_vnc_update(vnc, px, W, H);
	SendFramebufferUpdateRequest(cl, 0, 0, W, H, TRUE);
	pump(cl, 10);
	assert_int_equal(client_px(cl, 7, 5), 0x00ABCDEFu);
	close_client(cl);
	vgt_vnc_stop(vnc);
	free(px);
}

static void test_password(void **state)
{
	struct vgt_vnc *vnc;
	uint32_t *px = calloc(W * H, 4);
	rfbClient *cl;

	(void)state;
	rfbClientLog = rfbClientErr = quiet;
	assert_non_null(px);
	assert_int_equal(vgt_vnc_start(&vnc, PORT + 1, W, H, "s3cret", "test"), 0);
	vgt_vnc_update(vnc, px, W, H);
	client_password = "wrong";
	assert_null(connect_client(PORT + 1));
	client_password = "s3cret";
	cl = connect_client(PORT + 1);
	assert_non_null(cl);
	close_client(cl);
	vgt_vnc_stop(vnc);
	free(px);
}

static void test_port_in_use(void **state)
{
	struct vgt_vnc *a, *b;

	(void)state;
	assert_int_equal(vgt_vnc_start(&a, PORT + 2, W, H, NULL, "a"), 0);
	assert_true(vgt_vnc_start(&b, PORT + 2, W, H, NULL, "b") < 0);
	vgt_vnc_stop(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_and_updates),
		cmocka_unit_test(test_password),
		cmocka_unit_test(test_port_in_use),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

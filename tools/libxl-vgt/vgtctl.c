/* SPDX-License-Identifier: MIT */
/*
 * vgtctl: the administrator's command line for vgtd.
 *
 *   vgtctl [--socket PATH] [--json] COMMAND [ARGS]
 *
 * Human output by default, JSON with --json.  Exit status: 0 done, 1 vgtd
 * refused (its reason on stderr), 2 usage, 3 vgtd unreachable.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vgt_png.h"
#include "vgtctl_client.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vgtctl [--socket PATH] [--json] COMMAND [ARGS]\n"
		"commands:\n"
		"  types                      vGPU types and how many of each still fit\n"
		"  list                       domains with a vGPU\n"
		"  attach DOMID TYPE|SIZES    give a domain a vGPU: a type (vgt-64), a type with\n"
		"                             options (vgt-64,weight=4,primary) or sizes\n"
		"                             (low=64,high=256,fences=4,weight=2)\n"
		"  detach DOMID               release a domain's vGPU\n"
		"  stats [DOMID]              engine figures, or one domain's counters\n"
		"  screenshot DOMID FILE [PIPE]  the domain's screen as PNG\n"
		"  set-weight DOMID WEIGHT    its share of engine time (1..100)\n"
		"  foreground DOMID|none      who owns the physical display\n"
		"  trace start NAME | trace stop  record every access and mediator event\n"
		"                             (xentrace format; see `vgt trace`) into NAME, a new\n"
		"                             file in vgtd's trace directory (trace_dir in\n"
		"                             vgtd.conf); an existing file is never overwritten\n"
		"  version\n"
		"the socket is %s unless --socket or VGTD_SOCKET says otherwise\n",
		VGTD_SOCKET_DEFAULT);
}

/* The screenshot body: "XRGB8888 W H\n" and the pixels. */
static int write_screenshot(const char *path, const char *body, size_t len)
{
	unsigned w, h;
	const char *nl = memchr(body, '\n', len < 64 ? len : 64);
	uint32_t *px;
	int ret;

	if (!nl || sscanf(body, "XRGB8888 %u %u", &w, &h) != 2 || !w || !h || w > 16384 ||
	    h > 16384 || (size_t)(len - (size_t)(nl + 1 - body)) != (size_t)w * h * 4) {
		fprintf(stderr, "vgtctl: malformed screenshot from vgtd\n");
		return 1;
	}
	px = malloc((size_t)w * h * 4);
	if (!px)
		return 1;
	memcpy(px, nl + 1, (size_t)w * h * 4);
	ret = vgt_png_write_xrgb(path, w, h, px);
	free(px);
	if (ret) {
		fprintf(stderr, "vgtctl: cannot write %s: %s\n", path, strerror(-ret));
		return 1;
	}
	printf("%s: %ux%u\n", path, w, h);
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("VGTD_SOCKET");
	const char *shot = NULL;
	char line[VGTD_REQUEST_MAX], why[512];
	bool json = false, ok;
	size_t used = 0, len;
	char *body = NULL;
	int i, fd, ret;

	if (!sock || !*sock)
		sock = VGTD_SOCKET_DEFAULT;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "vgtctl: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "screenshot")) {
		/* vgtd sends pixels; the file is written here, with the caller's rights. */
		if (argc - i != 3 && argc - i != 4) {
			fprintf(stderr, "usage: vgtctl screenshot DOMID FILE [PIPE]\n");
			return 2;
		}
		shot = argv[i + 2];
		used = (size_t)snprintf(line, sizeof(line), "screenshot %s%s%s", argv[i + 1],
					argc - i == 4 ? " " : "", argc - i == 4 ? argv[i + 3] : "");
	} else {
		if (json)
			used = (size_t)snprintf(line, sizeof(line), "json");
		for (; i < argc; i++) {
			if (strchr(argv[i], ' ') || strchr(argv[i], '\n') || !argv[i][0]) {
				fprintf(stderr, "vgtctl: argument '%s' may not be empty or hold spaces\n",
					argv[i]);
				return 2;
			}
			used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s",
						 used ? " " : "", argv[i]);
			if (used >= sizeof(line)) {
				fprintf(stderr, "vgtctl: request too long\n");
				return 2;
			}
		}
	}
	if (used >= sizeof(line)) {
		fprintf(stderr, "vgtctl: request too long\n");
		return 2;
	}
	ret = vgtctl_connect(sock, &fd, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "vgtctl: %s\n", why);
		return 3;
	}
	ret = vgtctl_request(fd, line, &ok, &body, &len, why, sizeof(why));
	close(fd);
	if (ret) {
		fprintf(stderr, "vgtctl: %s\n", why);
		return 3;
	}
	if (!ok) {
		fprintf(stderr, "vgtctl: %s", body);
		if (!len || body[len - 1] != '\n')
			fputc('\n', stderr);
		free(body);
		return 1;
	}
	ret = 0;
	if (shot)
		ret = write_screenshot(shot, body, len);
	else
		fwrite(body, 1, len, stdout);
	free(body);
	return ret;
}

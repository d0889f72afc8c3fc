/* SPDX-License-Identifier: MIT */
/* The client side of vgtd's control protocol. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "vgtctl_client.h"

int vgtctl_connect(const char *path, int *fd, char *why, size_t whylen)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int s, ret;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "socket path too long: %s", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0) {
		ret = -errno;
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return ret;
	}
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		if (ret == -ENOENT || ret == -ECONNREFUSED)
			snprintf(why, whylen, "cannot reach vgtd at %s (%s): is vgtd running?", path,
				 strerror(-ret));
		else if (ret == -EACCES)
			snprintf(why, whylen, "cannot reach vgtd at %s: permission denied "
				 "(vgtd admits root only)", path);
		else
			snprintf(why, whylen, "cannot reach vgtd at %s: %s", path, strerror(-ret));
		close(s);
		return ret;
	}
	*fd = s;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EPIPE;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ECONNRESET;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int vgtctl_request(int fd, const char *line, bool *ok, char **body, size_t *len, char *why,
		   size_t whylen)
{
	char hdr[VGTD_HEADER_MAX + 1], status[16];
	unsigned long long n;
	size_t used = 0;
	char *b;
	int ret, sent;

	if (strlen(line) >= VGTD_REQUEST_MAX || strchr(line, '\n')) {
		snprintf(why, whylen, "request too long or not one line");
		return -EINVAL;
	}
	/*
	 * A refused peer may find the connection closed before it has sent
	 * anything: the daemon's reason is still there to read.
	 */
	sent = write_all(fd, line, strlen(line));
	if (!sent)
		sent = write_all(fd, "\n", 1);
	/* The header, byte by byte: it is short and the body follows at once. */
	for (;;) {
		ret = read_all(fd, &hdr[used], 1);
		if (ret && sent) {
			snprintf(why, whylen, "cannot send to vgtd: %s", strerror(-sent));
			return sent;
		}
		if (ret) {
			snprintf(why, whylen, "vgtd closed the connection (%s)", strerror(-ret));
			return ret;
		}
		if (hdr[used] == '\n')
			break;
		if (++used >= VGTD_HEADER_MAX) {
			snprintf(why, whylen, "malformed answer from vgtd");
			return -EPROTO;
		}
	}
	hdr[used] = '\0';
	if (sscanf(hdr, "%15s %llu", status, &n) != 2 || n > VGTD_RESPONSE_MAX ||
	    (strcmp(status, "ok") && strcmp(status, "error"))) {
		snprintf(why, whylen, "malformed answer from vgtd: '%.20s'", hdr);
		return -EPROTO;
	}
	b = malloc((size_t)n + 1);
	if (!b)
		return -ENOMEM;
	ret = read_all(fd, b, (size_t)n);
	if (ret) {
		free(b);
		snprintf(why, whylen, "truncated answer from vgtd (%s)", strerror(-ret));
		return ret;
	}
	b[n] = '\0';
	*ok = !strcmp(status, "ok");
	*body = b;
	*len = (size_t)n;
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * The xenstore attach protocol, the toolstack's side (vgtd_proto.h): a
 * request in the backend domain's home, an answer waited for with a watch.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xenstore.h>

#include "vgtd_proto.h"
#include "xs_attach.h"

struct vgt_xsa {
	struct xs_handle *xs;
};

int vgt_xsa_open(struct vgt_xsa **out)
{
	struct vgt_xsa *a = calloc(1, sizeof(*a));

	if (!a)
		return -ENOMEM;
	a->xs = xs_open(0);
	if (!a->xs) {
		int ret = -errno;

		free(a);
		return ret ? ret : -ENOENT;
	}
	*out = a;
	return 0;
}

void vgt_xsa_close(struct vgt_xsa *a)
{
	if (a) {
		xs_close(a->xs);
		free(a);
	}
}

static char *read_path(struct vgt_xsa *a, const char *path)
{
	unsigned len;

	return xs_read(a->xs, XBT_NULL, path, &len);
}

int vgt_xsa_ready(struct vgt_xsa *a, unsigned backend, char *msg, size_t msglen)
{
	char path[64], *status;
	bool ready;

	snprintf(path, sizeof(path), "/local/domain/%u/" VGTD_XS_STATUS, backend);
	status = read_path(a, path);
	ready = status && !strcmp(status, "ready");
	free(status);
	if (!ready)
		snprintf(msg, msglen, "vgtd is not running in domain %u (%s is not \"ready\")",
			 backend, path);
	return ready ? 0 : -EHOSTDOWN;
}

static bool write_path(struct vgt_xsa *a, xs_transaction_t t, const char *dir, const char *name,
		       const char *val)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return xs_write(a->xs, t, path, val, (unsigned)strlen(val));
}

/* Both directories of one request, or why not; retried when the transaction races. */
static int write_request(struct vgt_xsa *a, unsigned backend, unsigned fe, const char *spec)
{
	char be[96], fe_dir[96], id[16];
	struct xs_permissions be_perm[1] = { { .id = backend, .perms = XS_PERM_NONE } };
	struct xs_permissions fe_perm[2] = { { .id = fe, .perms = XS_PERM_NONE },
					     { .id = backend, .perms = XS_PERM_READ } };

	snprintf(be, sizeof(be), "/local/domain/%u/" VGTD_XS_BACKEND "/%u", backend, fe);
	snprintf(fe_dir, sizeof(fe_dir), "/local/domain/%u/device/vgt/0", fe);
	for (int tries = 0; tries < 8; tries++) {
		xs_transaction_t t = xs_transaction_start(a->xs);
		bool ok;

		if (t == XBT_NULL)
			return -errno;
		snprintf(id, sizeof(id), "%u", fe);
		xs_rm(a->xs, t, be);
		/* Children inherit their directory's permissions: set them first. */
		ok = xs_mkdir(a->xs, t, be) && xs_set_permissions(a->xs, t, be, be_perm, 1) &&
		     write_path(a, t, be, "frontend-id", id) && write_path(a, t, be, "spec", spec) &&
		     xs_mkdir(a->xs, t, fe_dir) && xs_set_permissions(a->xs, t, fe_dir, fe_perm, 2) &&
		     write_path(a, t, fe_dir, "backend", be);
		snprintf(id, sizeof(id), "%u", backend);
		ok = ok && write_path(a, t, fe_dir, "backend-id", id) &&
		     write_path(a, t, be, "state", VGTD_XS_STATE_REQUESTED);
		if (!ok) {
			int ret = -errno;

			xs_transaction_end(a->xs, t, true);
			return ret;
		}
		if (xs_transaction_end(a->xs, t, false))
			return 0;
		if (errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

static long ms_left(const struct timespec *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
}

/* Waits until the request's state is one of @want (a string of state digits). */
static int wait_state(struct vgt_xsa *a, const char *be, const char *want, unsigned timeout_s,
		      char *state, size_t statelen)
{
	char path[160];
	struct timespec deadline;
	int ret = -ETIMEDOUT;

	snprintf(path, sizeof(path), "%s/state", be);
	if (!xs_watch(a->xs, path, "vgt-state"))
		return -errno;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_s;
	for (;;) {
		char *s = read_path(a, path), **ev;
		struct pollfd pfd = { .fd = xs_fileno(a->xs), .events = POLLIN };
		long left;

		if (s && *s && strchr(want, s[0]) && !s[1]) {
			snprintf(state, statelen, "%s", s);
			free(s);
			ret = 0;
			break;
		}
		free(s);
		left = ms_left(&deadline);
		if (left <= 0)
			break;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		while ((ev = xs_check_watch(a->xs)))
			free(ev);
	}
	xs_unwatch(a->xs, path, "vgt-state");
	return ret;
}

void vgt_xsa_forget(struct vgt_xsa *a, unsigned backend, unsigned fe)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%u/" VGTD_XS_BACKEND "/%u", backend, fe);
	xs_rm(a->xs, XBT_NULL, path);
	snprintf(path, sizeof(path), "/local/domain/%u/device/vgt", fe);
	xs_rm(a->xs, XBT_NULL, path);
}

int vgt_xsa_attach(struct vgt_xsa *a, unsigned backend, unsigned fe, const char *spec,
		   unsigned timeout_s, char *msg, size_t msglen)
{
	char be[96], path[160], state[8], *answer;
	int ret = write_request(a, backend, fe, spec);

	if (ret) {
		snprintf(msg, msglen, "cannot write the vGPU request into xenstore (%s)",
			 strerror(-ret));
		return ret;
	}
	snprintf(be, sizeof(be), "/local/domain/%u/" VGTD_XS_BACKEND "/%u", backend, fe);
	ret = wait_state(a, be, VGTD_XS_STATE_CONNECTED VGTD_XS_STATE_CLOSED, timeout_s, state,
			 sizeof(state));
	if (ret) {
		snprintf(msg, msglen, "domain %u's vgtd did not answer within %u s (%s)", backend,
			 timeout_s, strerror(-ret));
		vgt_xsa_forget(a, backend, fe);
		return ret;
	}
	snprintf(path, sizeof(path), "%s/%s", be,
		 strcmp(state, VGTD_XS_STATE_CONNECTED) ? "error" : "vgpu");
	answer = read_path(a, path);
	if (!strcmp(state, VGTD_XS_STATE_CONNECTED)) {
		snprintf(msg, msglen, "vgpu%s, served by domain %u", answer ? answer : "?", backend);
		ret = 0;
	} else {
		snprintf(msg, msglen, "%s", answer ? answer : "refused, with no reason given");
		vgt_xsa_forget(a, backend, fe);
		ret = -EPERM;
	}
	free(answer);
	return ret;
}

int vgt_xsa_backend_of(struct vgt_xsa *a, unsigned fe, unsigned *backend)
{
	char path[96], *id, *end;
	unsigned long v;
	bool bad;

	snprintf(path, sizeof(path), "/local/domain/%u/device/vgt/0/backend-id", fe);
	id = read_path(a, path);
	if (!id)
		return -ENOENT;
	errno = 0;
	v = strtoul(id, &end, 10);
	bad = errno || end == id || *end || id[0] < '0' || id[0] > '9' || v > VGTD_XS_MAX_DOMID;
	free(id);
	if (bad)
		return -EPROTO;
	*backend = (unsigned)v;
	return 0;
}

int vgt_xsa_detach(struct vgt_xsa *a, unsigned fe, unsigned timeout_s, char *msg, size_t msglen)
{
	char be[96], spath[160], state[8];
	unsigned backend;
	int ret;

	ret = vgt_xsa_backend_of(a, fe, &backend);
	if (ret == -ENOENT) {
		snprintf(msg, msglen, "domain %u has no vGPU request in xenstore", fe);
		return ret;
	}
	if (ret) {
		snprintf(msg, msglen, "domain %u's backend-id is not a domain id", fe);
		return ret;
	}
	snprintf(be, sizeof(be), "/local/domain/%u/" VGTD_XS_BACKEND "/%u", backend, fe);
	snprintf(spath, sizeof(spath), "%s/state", be);
	if (!xs_write(a->xs, XBT_NULL, spath, VGTD_XS_STATE_CLOSING, 1)) {
		ret = -errno;
		snprintf(msg, msglen, "cannot write %s (%s)", spath, strerror(errno));
	} else {
		ret = wait_state(a, be, VGTD_XS_STATE_CLOSED, timeout_s, state, sizeof(state));
		if (ret)
			snprintf(msg, msglen, "domain %u's vgtd did not release the vGPU within %u s",
				 backend, timeout_s);
		else
			snprintf(msg, msglen, "vGPU released by domain %u", backend);
	}
	vgt_xsa_forget(a, backend, fe);
	return ret;
}

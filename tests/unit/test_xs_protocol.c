/* SPDX-License-Identifier: MIT */
/*
 * The xenstore attach protocol end to end in one process: xl-vgt's side
 * (tools/libxl-vgt/xs_attach.c) and vgtd's side (linux-vgt/vgtd/
 * xs_backend.c), both the real code, over an in-memory xenstore
 * (fake_xenstore.c).  vgtd's side runs in a thread, as in vgtd's poll loop;
 * vgtd_attach and vgtd_detach are stand-ins that record what they were
 * asked and refuse what a real vgtd would refuse.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fake_xenstore.h"
#include "vgtd.h"
#include "vgtd_proto.h"
#include "xs_attach.h"

#define BACKEND 3u
#define GUEST   5u

/* ---- Stand-ins for the rest of vgtd ---------------------------------------------- */

static struct vgtd_domain attached[4];
static unsigned nattached, ndetached;
static uint32_t last_detached;

void vgtd_log(enum vgt_log_level level, const char *fmt, ...)
{
	(void)level;
	(void)fmt;
}

int vgtd_attach(struct vgtd *d, uint32_t domid, const char *spec, struct vgtd_domain **out,
		struct vgt_error *err)
{
	(void)d;
	if (strcmp(spec, "vgt-64")) {
		snprintf(err->msg, sizeof(err->msg), "vGPU for domain %u does not fit: %s", domid,
			 spec);
		return -ENOSPC;
	}
	if (nattached == 4)
		return -ENOSPC;
	attached[nattached].domid = domid;
	attached[nattached].vgpu = (struct vgt_vgpu *)(uintptr_t)(nattached + 1);
	*out = &attached[nattached++];
	return 0;
}

int vgtd_detach(struct vgtd *d, uint32_t domid, struct vgt_error *err)
{
	(void)d;
	(void)err;
	ndetached++;
	last_detached = domid;
	return 0;
}

/* The stand-in vGPU handle is its id. */
void vgt_vgpu_get_info(struct vgt_vgpu *vgpu, struct vgt_vgpu_info *info)
{
	memset(info, 0, sizeof(*info));
	info->id = (unsigned)(uintptr_t)vgpu + 6;
}

/* ---- vgtd's side in a thread ------------------------------------------------------- */

struct backend {
	struct vgtd_xsb *xsb;
	pthread_t thread;
	atomic_bool stop;
	bool running;
};

static struct vgtd vgtd_stub;

static void *backend_loop(void *arg)
{
	struct backend *b = arg;

	while (!atomic_load(&b->stop)) {
		struct pollfd pfd = { .fd = vgtd_xsb_fd(b->xsb), .events = POLLIN };

		if (poll(&pfd, 1, 20) > 0)
			vgtd_xsb_process(&vgtd_stub, b->xsb);
	}
	return NULL;
}

static void backend_start(struct backend *b)
{
	struct vgt_error err = { { 0 } };

	assert_int_equal(vgtd_xsb_open(&b->xsb, &err), 0);
	atomic_store(&b->stop, false);
	assert_int_equal(pthread_create(&b->thread, NULL, backend_loop, b), 0);
	b->running = true;
}

static void backend_stop(struct backend *b)
{
	if (!b->running)
		return;
	atomic_store(&b->stop, true);
	pthread_join(b->thread, NULL);
	vgtd_xsb_close(b->xsb);
	b->running = false;
}

/* One backend at a time; a failed case's is stopped by the teardown. */
static struct backend b;

static char *node(const char *path)
{
	struct xs_handle *h = xs_open(0);
	unsigned len;
	char *v = xs_read(h, XBT_NULL, path, &len);

	xs_close(h);
	return v;
}

static bool exists(const char *path)
{
	char *v = node(path);

	free(v);
	return v != NULL;
}

static int setup(void **state)
{
	struct xs_handle *h;

	(void)state;
	fake_xs_reset(BACKEND);
	nattached = ndetached = 0;
	last_detached = 0;
	/* The toolstack names every domain's id in its home; vgtd reads it there. */
	h = xs_open(0);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/3/domid", "3", 1));
	xs_close(h);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	backend_stop(&b);
	return 0;
}

/* ---- The cases ------------------------------------------------------------------------- */

static void test_attach_and_detach(void **state)
{
	struct vgt_xsa *a;
	struct xs_permissions p[4];
	char msg[256], *v;
	unsigned n;

	(void)state;
	backend_start(&b);
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_ready(a, BACKEND, msg, sizeof(msg)), 0);
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 5, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "vgpu7, served by domain 3");
	assert_int_equal(nattached, 1);
	assert_int_equal(attached[0].domid, GUEST);
	v = node("/local/domain/3/backend/vgt/5/state");
	assert_string_equal(v, VGTD_XS_STATE_CONNECTED);
	free(v);
	/* The backend owns its directory, nobody else reads it. */
	assert_true(fake_xs_perms("/local/domain/3/backend/vgt/5", p, &n));
	assert_int_equal(n, 1);
	assert_int_equal(p[0].id, BACKEND);
	assert_int_equal(p[0].perms, XS_PERM_NONE);
	assert_true(fake_xs_perms("/local/domain/3/backend/vgt/5/spec", p, &n));
	assert_int_equal(p[0].id, BACKEND);
	/* The guest owns its side, which the backend may read. */
	assert_true(fake_xs_perms("/local/domain/5/device/vgt/0", p, &n));
	assert_int_equal(n, 2);
	assert_int_equal(p[0].id, GUEST);
	assert_int_equal(p[1].id, BACKEND);
	assert_int_equal(p[1].perms, XS_PERM_READ);
	v = node("/local/domain/5/device/vgt/0/backend-id");
	assert_string_equal(v, "3");
	free(v);

	assert_int_equal(vgt_xsa_detach(a, GUEST, 5, msg, sizeof(msg)), 0);
	assert_int_equal(ndetached, 1);
	assert_int_equal(last_detached, GUEST);
	assert_false(exists("/local/domain/3/backend/vgt/5/state"));
	assert_false(exists("/local/domain/5/device/vgt/0/backend"));
	vgt_xsa_close(a);
	backend_stop(&b);
}

static void test_refusal_carries_the_reason_and_leaves_nothing(void **state)
{
	struct vgt_xsa *a;
	char msg[256];

	(void)state;
	backend_start(&b);
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "low=2048", 5, msg, sizeof(msg)),
			 -EPERM);
	assert_string_equal(msg, "vGPU for domain 5 does not fit: low=2048");
	assert_int_equal(nattached, 0);
	assert_false(exists("/local/domain/3/backend/vgt/5/state"));
	assert_false(exists("/local/domain/5/device/vgt/0/backend-id"));
	vgt_xsa_close(a);
	backend_stop(&b);
}

/*
 * The guest may write its own frontend directory: a backend path pointing
 * elsewhere is ignored (the request is found from backend-id alone), and a
 * backend-id that is not a domain id is refused.
 */
static void test_detach_trusts_only_the_backend_id(void **state)
{
	struct vgt_xsa *a;
	struct xs_handle *h;
	char msg[256];
	unsigned be = 0;

	(void)state;
	backend_start(&b);
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 5, msg, sizeof(msg)), 0);
	assert_int_equal(vgt_xsa_backend_of(a, GUEST, &be), 0);
	assert_int_equal(be, BACKEND);
	h = xs_open(0);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/5/device/vgt/0/backend",
			     "/local/domain/0/victim", strlen("/local/domain/0/victim")));
	assert_int_equal(vgt_xsa_detach(a, GUEST, 5, msg, sizeof(msg)), 0);
	assert_int_equal(ndetached, 1);
	assert_false(exists("/local/domain/0/victim/state"));

	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 5, msg, sizeof(msg)), 0);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/5/device/vgt/0/backend-id", "3x", 2));
	assert_int_equal(vgt_xsa_backend_of(a, GUEST, &be), -EPROTO);
	assert_int_equal(vgt_xsa_detach(a, GUEST, 5, msg, sizeof(msg)), -EPROTO);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/5/device/vgt/0/backend-id", "99999", 5));
	assert_int_equal(vgt_xsa_detach(a, GUEST, 5, msg, sizeof(msg)), -EPROTO);
	assert_int_equal(ndetached, 1);
	xs_close(h);
	vgt_xsa_close(a);
	backend_stop(&b);
}

static void write_request(const char *dir, const char *fe, const char *spec, const char *state);

static bool gone_none(void *opaque, uint32_t domid)
{
	(void)opaque;
	(void)domid;
	return false;
}

static bool gone_guest(void *opaque, uint32_t domid)
{
	(void)opaque;
	return domid == GUEST;
}

/*
 * A toolstack that takes the vGPU away without waiting (libxl's destroy
 * writes state 5 and goes on): vgtd closes the request, and removes it
 * once the domain is gone, not before.
 */
static void test_a_closed_request_goes_with_its_domain(void **state)
{
	struct vgt_xsa *a;
	struct xs_handle *h;
	char msg[256], *v = NULL;

	(void)state;
	backend_start(&b);
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 5, msg, sizeof(msg)), 0);
	h = xs_open(0);
	assert_true(xs_write(h, XBT_NULL, "/local/domain/3/backend/vgt/5/state",
			     VGTD_XS_STATE_CLOSING, 1));
	for (int i = 0; i < 250; i++) {
		free(v);
		v = node("/local/domain/3/backend/vgt/5/state");
		if (v && !strcmp(v, VGTD_XS_STATE_CLOSED))
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 20000000 }, NULL);
	}
	assert_non_null(v);
	assert_string_equal(v, VGTD_XS_STATE_CLOSED);
	free(v);
	assert_int_equal(ndetached, 1);

	/* The thread stops; the test sweeps as vgtd's main loop would. */
	atomic_store(&b.stop, true);
	pthread_join(b.thread, NULL);
	vgtd_xsb_sweep(b.xsb);                  /* no way to tell: every domain lives */
	vgtd_xsb_set_gone(b.xsb, gone_none, NULL);
	vgtd_xsb_sweep(b.xsb);
	assert_true(exists("/local/domain/3/backend/vgt/5/state"));
	vgtd_xsb_set_gone(b.xsb, gone_guest, NULL);
	vgtd_xsb_sweep(b.xsb);
	assert_false(exists("/local/domain/3/backend/vgt/5"));

	/* Closed after the domain is gone: removed at once. */
	write_request("/local/domain/3/backend/vgt/5", "5", "vgt-64", VGTD_XS_STATE_CLOSING);
	vgtd_xsb_process(&vgtd_stub, b.xsb);
	assert_int_equal(ndetached, 2);
	assert_false(exists("/local/domain/3/backend/vgt/5"));
	vgtd_xsb_close(b.xsb);
	b.running = false;
	xs_close(h);
	vgt_xsa_close(a);
}

static void test_no_vgtd(void **state)
{
	struct vgt_xsa *a;
	char msg[256];

	(void)state;
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_ready(a, BACKEND, msg, sizeof(msg)), -EHOSTDOWN);
	assert_non_null(strstr(msg, "vgtd is not running in domain 3"));
	/* Nobody answers: a timeout, and the request is taken back. */
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 1, msg, sizeof(msg)),
			 -ETIMEDOUT);
	assert_non_null(strstr(msg, "did not answer within 1 s"));
	assert_false(exists("/local/domain/3/backend/vgt/5/spec"));
	vgt_xsa_close(a);
}

static void test_vgtd_says_ready_only_while_it_runs(void **state)
{

	(void)state;
	backend_start(&b);
	assert_true(exists("/local/domain/3/" VGTD_XS_STATUS));
	backend_stop(&b);
	assert_false(exists("/local/domain/3/" VGTD_XS_STATUS));
}

static void test_a_raced_transaction_is_retried(void **state)
{
	struct vgt_xsa *a;
	char msg[256];

	(void)state;
	backend_start(&b);
	fake_xs_fail_commits(2);
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_attach(a, BACKEND, GUEST, "vgt-64", 5, msg, sizeof(msg)), 0);
	assert_int_equal(nattached, 1);
	vgt_xsa_close(a);
	backend_stop(&b);
}

/* Requests written by hand: what a confused or hostile writer could leave. */
static void write_request(const char *dir, const char *fe, const char *spec, const char *state)
{
	struct xs_handle *h = xs_open(0);
	char path[160];

	snprintf(path, sizeof(path), "%s/frontend-id", dir);
	if (fe)
		assert_true(xs_write(h, XBT_NULL, path, fe, (unsigned)strlen(fe)));
	snprintf(path, sizeof(path), "%s/spec", dir);
	if (spec)
		assert_true(xs_write(h, XBT_NULL, path, spec, (unsigned)strlen(spec)));
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_true(xs_write(h, XBT_NULL, path, state, (unsigned)strlen(state)));
	xs_close(h);
}

static void test_malformed_requests_are_refused_by_name(void **state)
{
	struct vgt_error err = { { 0 } };
	struct vgtd_xsb *xsb;
	char *v;

	(void)state;
	assert_int_equal(vgtd_xsb_open(&xsb, &err), 0);
	write_request("/local/domain/3/backend/vgt/7", "8", "vgt-64", "1");    /* not its own */
	write_request("/local/domain/3/backend/vgt/9", "9", NULL, "1");        /* no spec */
	write_request("/local/domain/3/backend/vgt/10", "ten", "vgt-64", "1"); /* not a number */
	write_request("/local/domain/3/backend/vgt/dom11", "11", "vgt-64", "1"); /* not a domid */
	write_request("/local/domain/3/backend/vgt/12", "12", "vgt-64", "4");  /* already answered */
	vgtd_xsb_process(&vgtd_stub, xsb);
	assert_int_equal(nattached, 0);
	v = node("/local/domain/3/backend/vgt/7/error");
	assert_non_null(v);
	assert_non_null(strstr(v, "frontend-id does not name"));
	free(v);
	v = node("/local/domain/3/backend/vgt/9/error");
	assert_string_equal(v, "the request has no spec");
	free(v);
	v = node("/local/domain/3/backend/vgt/10/state");
	assert_string_equal(v, VGTD_XS_STATE_CLOSED);
	free(v);
	v = node("/local/domain/3/backend/vgt/dom11/state");
	assert_string_equal(v, "1");    /* left alone */
	free(v);
	v = node("/local/domain/3/backend/vgt/12/state");
	assert_string_equal(v, "4");
	free(v);
	/* A closing request is released and closed; a dead guest's directory goes. */
	write_request("/local/domain/3/backend/vgt/12", "12", "vgt-64", "5");
	vgtd_xsb_process(&vgtd_stub, xsb);
	assert_int_equal(last_detached, 12);
	v = node("/local/domain/3/backend/vgt/12/state");
	assert_string_equal(v, VGTD_XS_STATE_CLOSED);
	free(v);
	vgtd_xsb_domain_gone(xsb, 12);
	assert_false(exists("/local/domain/3/backend/vgt/12/state"));
	vgtd_xsb_close(xsb);
}

static void test_detach_without_a_request(void **state)
{
	struct vgt_xsa *a;
	char msg[256];

	(void)state;
	assert_int_equal(vgt_xsa_open(&a), 0);
	assert_int_equal(vgt_xsa_detach(a, GUEST, 1, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no vGPU request"));
	vgt_xsa_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attach_and_detach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusal_carries_the_reason_and_leaves_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_trusts_only_the_backend_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_closed_request_goes_with_its_domain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_vgtd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vgtd_says_ready_only_while_it_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_raced_transaction_is_retried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_requests_are_refused_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_detach_without_a_request, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

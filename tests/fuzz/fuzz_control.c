/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target: vgtd's control messages.  Input: up to eight request lines
 * (split at newlines) handed to the daemon's request handler, with
 * simulated guests behind it.  Invariants: every answer is "ok" with a
 * body or "error" with a one-line reason; a request never changes the
 * daemon when refused; and once every domain is detached again, all of
 * the GPU's graphics memory and fences are free, whatever was asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gensim.h"
#include "gensim_hw.h"
#include "vgtd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) { \
			fprintf(stderr, "fuzz invariant broken: " __VA_ARGS__); \
			fputc('\n', stderr); \
			abort(); \
		} \
	} while (0)

static struct vgtd world;
static struct vgt_host_info pristine;

static void quiet(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque; (void)level; (void)msg;
}

static void world_up(struct vgtd *d)
{
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = quiet };
	struct gensim_config gc;
	struct vgt_error err;

	vgtd_config_defaults(&d->cfg);
	d->cfg.transport = VGTD_TRANSPORT_SIM;
	d->cfg.sim_frames = 1;
	vgtd_set_log_level(VGT_LOG_ERROR);
	gensim_config_init(&gc);
	gc.memory_size = vgtd_sim_memory_needed(VGT_MAX_VGPUS);
	FZ_CHECK(!gensim_create(&gc, &d->gs), "gensim");
	hp.hw_handle = d->gs;
	FZ_CHECK(!vgt_host_create(&hp, &d->host, &err), "host: %s", err.msg);
	FZ_CHECK(!gensim_start_worker(d->gs) && !vgt_host_start_service(d->host), "threads");
	pthread_mutex_init(&d->lock, NULL);
	vgt_host_get_info(d->host, &pristine);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vgt_host_info hi;
	char line[1100];            /* longer than a request may be */
	size_t pos = 0;
	unsigned lines = 0;

	if (!world.host)
		world_up(&world);
	while (pos < size && lines++ < 8) {
		struct vgtd_buf out = { 0 };
		size_t n = 0;
		bool ok;

		while (pos < size && data[pos] != '\n' && n < sizeof(line) - 1)
			line[n++] = (char)data[pos++];
		line[n] = '\0';
		while (pos < size && data[pos] != '\n')
			pos++;
		pos++;
		/* The one command that writes a file gets a fixed, harmless path. */
		if (strstr(line, "trace") && strstr(line, "start"))
			snprintf(line, sizeof(line), "trace start /tmp/vgt-fuzz-control.trace");
		ok = vgtd_handle_request(&world, line, &out);
		FZ_CHECK(!out.oom, "out of memory answering '%s'", line);
		FZ_CHECK(out.len > 0, "an empty answer to '%s'", line);
		if (!ok)
			FZ_CHECK(out.data[out.len - 1] == '\n' && memchr(out.data, '\n', out.len) ==
				 out.data + out.len - 1, "a refusal that is not one line: '%s'", line);
		vgtd_buf_free(&out);
	}
	vgtd_detach_all(&world);
	if (vgt_host_tracing(world.host))
		vgt_host_trace_stop(world.host);
	vgt_host_get_info(world.host, &hi);
	FZ_CHECK(hi.vgpus == 0 && hi.free_low == pristine.free_low &&
		 hi.free_high == pristine.free_high && hi.free_fences == pristine.free_fences,
		 "resources leaked: %llu/%llu MiB, %u fences free",
		 (unsigned long long)(hi.free_low >> 20), (unsigned long long)(hi.free_high >> 20),
		 hi.free_fences);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * vgtd: the mediator daemon, one per physical GPU.  It owns the hardware
 * backend (gensim by default) and the libvgt host, attaches and detaches
 * domains' vGPUs on request from its control socket, and serves each
 * attached domain through a transport: Xen's ioreq server ("xen"), or a
 * simulated guest inside the daemon ("sim", for hosts without Xen and for
 * tests) that runs the reference driver on its vGPU.
 */
#ifndef VGTD_H
#define VGTD_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgt/vgt.h"

struct gensim;
struct vgt_xen;
struct vgt_xen_domain;
struct vgtd_sim_guest;

#define VGTD_PATH_MAX     256u
#define VGTD_MAX_UIDS     8u
#define VGTD_MAX_CLIENTS  16u
#define VGTD_TRACE_DIR_DEFAULT "/var/lib/vgt/traces"

enum vgtd_transport { VGTD_TRANSPORT_XEN, VGTD_TRANSPORT_SIM };

struct vgtd_config {
	char backend[16];               /* "gensim" */
	enum vgtd_transport transport;
	char socket[VGTD_PATH_MAX];
	unsigned socket_mode;           /* permissions of the socket file */
	unsigned allowed_uid[VGTD_MAX_UIDS];  /* peers admitted (default: root) */
	unsigned nallowed;
	char types[VGTD_PATH_MAX];      /* vGPU types file; "" = built-in */
	uint32_t pci_sbdf;              /* where guests see the vGPU */
	uint64_t gensim_memory_mb;
	uint64_t aperture_maddr;        /* a real backend's BAR2; 0 = none */
	uint32_t sim_frames;            /* frames a simulated guest draws */
	enum vgt_log_level log_level;
	uint32_t debug_mask;
	char trace_dir[VGTD_PATH_MAX];  /* where "trace start" may write, nowhere else */
	uint32_t backend_keys;          /* backend-specific keys given (vgtd_config.c) */
};

void vgtd_config_defaults(struct vgtd_config *c);
/* Reads "key = value" lines; -errno with @why naming the file, line and key. */
int vgtd_config_load(struct vgtd_config *c, const char *path, char *why, size_t whylen);
/* One "key=value" setting (also what --set on the command line gives). */
int vgtd_config_set(struct vgtd_config *c, const char *key, const char *value, char *why,
		    size_t whylen);

struct vgtd_domain {
	uint32_t domid;
	struct vgt_vgpu *vgpu;
	struct vgtd_sim_guest *sim;
	struct vgt_xen_domain *xen;
	bool primary;
};

struct vgtd {
	struct vgtd_config cfg;
	struct gensim *gs;
	struct vgt_host *host;
	struct vgt_xen *xen;
	char *types_text;

	pthread_mutex_t lock;           /* dom[] and what it points at */
	struct vgtd_domain *dom[VGT_MAX_VGPUS];
	struct vgt_vgpu *foreground;

	struct vgtd_xsb *xsb;           /* the xenstore attach protocol (transport xen) */

	pthread_mutex_t clients_lock;
	pthread_cond_t clients_done;
	unsigned clients;
	int listen_fd;
};

void vgtd_log(enum vgt_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vgtd_set_log_level(enum vgt_log_level level);
/* journald reads "<N>" priority prefixes (systemd sets $JOURNAL_STREAM). */
void vgtd_log_to_journal(bool on);

/* A decimal number in [min, max], digits only (no sign, space or suffix). */
bool vgtd_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);

/* domains.c: attach and detach through the configured transport. */
int vgtd_attach(struct vgtd *d, uint32_t domid, const char *spec, struct vgtd_domain **out,
		struct vgt_error *err);
int vgtd_detach(struct vgtd *d, uint32_t domid, struct vgt_error *err);
void vgtd_detach_all(struct vgtd *d);

/* xs_backend.c: the xenstore attach protocol, vgtd's side (vgtd_proto.h). */
struct vgtd_xsb;
int vgtd_xsb_open(struct vgtd_xsb **out, struct vgt_error *err);
void vgtd_xsb_close(struct vgtd_xsb *b);
int vgtd_xsb_fd(struct vgtd_xsb *b);
/* Answers every request in the backend directory (after its watch fired). */
void vgtd_xsb_process(struct vgtd *d, struct vgtd_xsb *b);
/* Removes a dead guest's backend directory. */
void vgtd_xsb_domain_gone(struct vgtd_xsb *b, uint32_t fe);
/*
 * How to tell that a domain is gone (the Xen transport's answer; without
 * it every domain lives).  A request the toolstack closes (state 5) for a
 * domain already gone is removed at once, not answered.
 */
void vgtd_xsb_set_gone(struct vgtd_xsb *b, bool (*gone)(void *opaque, uint32_t domid),
		       void *opaque);
/*
 * Removes the requests vgtd has closed (state 6) whose domain is gone:
 * a vGPU taken away by the toolstack before its domain died is no longer
 * vgtd's to reap when it dies.
 */
void vgtd_xsb_sweep(struct vgtd_xsb *b);
/* Called with d->lock held. */
struct vgtd_domain *vgtd_find(struct vgtd *d, uint32_t domid);

/* sim.c: a simulated guest running the reference driver on its vGPU. */
int vgtd_sim_start(struct vgtd *d, uint32_t domid, unsigned slot,
		   const struct vgt_vgpu_params *vp, struct vgtd_sim_guest **out,
		   struct vgt_error *err);
void vgtd_sim_stop(struct vgtd_sim_guest *g);
struct vgt_vgpu *vgtd_sim_vgpu(struct vgtd_sim_guest *g);
struct vgtd_sim_stats {
	uint64_t frames, msis;
	bool running;
	bool screen_matches;    /* its scanout is the frame it last drew */
	char error[VGT_ERRMSG_MAX];
};
/* Counters, and whether its screen shows the frame it drew (a scanout: not cheap). */
void vgtd_sim_stats(struct vgtd_sim_guest *g, struct vgtd_sim_stats *s);
bool vgtd_sim_running(struct vgtd_sim_guest *g);
/* The slot's guest RAM must fit the backend's memory. */
uint64_t vgtd_sim_memory_needed(unsigned slots);

/* control.c: one request line in, one answer out. */
struct vgtd_buf {
	char *data;
	size_t len, cap;
	bool oom;
};
void vgtd_buf_printf(struct vgtd_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void vgtd_buf_put(struct vgtd_buf *b, const void *data, size_t len);
void vgtd_buf_free(struct vgtd_buf *b);
/* Returns true for "ok"; the body is in @out. */
bool vgtd_handle_request(struct vgtd *d, const char *line, struct vgtd_buf *out);

#endif /* VGTD_H */

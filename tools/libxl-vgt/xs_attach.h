/* SPDX-License-Identifier: MIT */
/*
 * The xenstore attach protocol (vgtd_proto.h), the toolstack's side: how
 * xl-vgt asks vgtd, in dom0 or in a driver domain, for a guest's vGPU.
 * Functions return 0 or -errno, with a readable message in @msg.
 */
#ifndef VGT_XS_ATTACH_H
#define VGT_XS_ATTACH_H

#include <stdbool.h>
#include <stddef.h>

struct vgt_xsa;

/* -errno when there is no xenstore to reach (not a Xen host). */
int vgt_xsa_open(struct vgt_xsa **out);
void vgt_xsa_close(struct vgt_xsa *a);

/* Is vgtd answering requests in domain @backend? */
int vgt_xsa_ready(struct vgt_xsa *a, unsigned backend, char *msg, size_t msglen);

/*
 * Asks @backend's vgtd for @fe's vGPU (@spec as vgtctl attach takes it) and
 * waits up to @timeout_s for the answer: 0 with "vgpuN, served by domain
 * B" in @msg, or -EPERM with vgtd's reason.  A refused or unanswered request
 * leaves nothing behind in xenstore.
 */
int vgt_xsa_attach(struct vgt_xsa *a, unsigned backend, unsigned fe, const char *spec,
		   unsigned timeout_s, char *msg, size_t msglen);

/*
 * The domain serving @fe's vGPU request, from @fe's own directory: 0 and
 * *backend, or -ENOENT when @fe has none (-EPROTO: not a domain id).
 * A vgt-aware xl makes the request itself during `xl create`.
 */
int vgt_xsa_backend_of(struct vgt_xsa *a, unsigned fe, unsigned *backend);

/*
 * Takes @fe's vGPU away.  Its backend is found from @fe's own directory,
 * which the guest may write: only the backend id is read, and only @fe's
 * request in that domain is touched.
 */
int vgt_xsa_detach(struct vgt_xsa *a, unsigned fe, unsigned timeout_s, char *msg, size_t msglen);

/* Removes what a request left in xenstore. */
void vgt_xsa_forget(struct vgt_xsa *a, unsigned backend, unsigned fe);

#endif /* VGT_XS_ATTACH_H */

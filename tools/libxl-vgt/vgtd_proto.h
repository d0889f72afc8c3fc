/* SPDX-License-Identifier: MIT */
/*
 * vgtd's control protocol, spoken over its Unix socket by vgtctl and
 * xl-vgt.
 *
 * A request is one line of at most VGTD_REQUEST_MAX bytes, words separated
 * by spaces: an optional "json" (machine-readable answer), the command,
 * its arguments.  The answer is a header line "ok LEN" or "error LEN" and
 * LEN bytes of body: the human or JSON text, the reason for an error, or
 * for "screenshot" the line "XRGB8888 W H" and W*H little-endian pixels.
 * A connection may carry several requests, one after the other.
 *
 * Commands: version; types; list; attach DOMID SPEC; detach DOMID;
 * stats [DOMID]; screenshot DOMID [PIPE]; set-weight DOMID N;
 * foreground DOMID|none; trace start FILE; trace stop.  SPEC is a type name or sizes, with options:
 * "vgt-64", "vgt-64,weight=4", "low=64,high=256,fences=4,weight=2",
 * and ",primary" to make the domain own the physical display.
 */
#ifndef VGTD_PROTO_H
#define VGTD_PROTO_H

#define VGTD_SOCKET_DEFAULT  "/run/vgt/vgtd.sock"
#define VGTD_REQUEST_MAX     1024u
#define VGTD_RESPONSE_MAX    (64u << 20)
#define VGTD_HEADER_MAX      32u

/*
 * The xenstore attach protocol, in the style of Xen's split drivers: how a
 * toolstack in dom0 (xl-vgt) asks vgtd for a guest's vGPU, whether vgtd
 * runs in dom0 or in a driver domain B.
 *
 *   /local/domain/B/data/vgtd/status          "ready" while vgtd answers
 *   /local/domain/B/backend/vgt/F/frontend-id  F, the guest       (toolstack)
 *   /local/domain/B/backend/vgt/F/spec         a SPEC as above     (toolstack)
 *   /local/domain/B/backend/vgt/F/state        "1": asked          (toolstack)
 *                                              "4": attached       (vgtd)
 *                                              "5": take it away   (toolstack)
 *                                              "6": refused/gone   (vgtd)
 *   /local/domain/B/backend/vgt/F/vgpu         the vGPU's id       (vgtd, with 4)
 *   /local/domain/B/backend/vgt/F/error        a readable reason   (vgtd, with 6)
 *   /local/domain/F/device/vgt/0/backend       the backend path    (toolstack)
 *   /local/domain/F/device/vgt/0/backend-id    B                   (toolstack)
 *
 * (data/ is the part of a domain's home it may write itself.)
 * The toolstack creates F's backend directory owned by B with no other
 * reader (dom0 always has access), and the frontend directory owned by F,
 * readable by B.  vgtd writes vgpu or error before state, and removes the
 * backend directory when F dies, closed or not.  The state values are
 * XenbusState's.
 */
#define VGTD_XS_BACKEND          "backend/vgt"
#define VGTD_XS_STATUS           "data/vgtd/status"
#define VGTD_XS_STATE_REQUESTED  "1"
#define VGTD_XS_STATE_CONNECTED  "4"
#define VGTD_XS_STATE_CLOSING    "5"
#define VGTD_XS_STATE_CLOSED     "6"
#define VGTD_XS_MAX_DOMID        0x7FEFu

#endif /* VGTD_PROTO_H */

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

#endif /* VGTD_PROTO_H */

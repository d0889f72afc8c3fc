/* SPDX-License-Identifier: MIT */
/* The client side of vgtd's control protocol (see vgtd_proto.h), for vgtctl and xl-vgt. */
#ifndef VGTCTL_CLIENT_H
#define VGTCTL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "vgtd_proto.h"

/* Connects to the daemon; -errno with @why saying what to check. */
int vgtctl_connect(const char *path, int *fd, char *why, size_t whylen);

/*
 * Sends @line (without the newline) and reads the answer: *ok says whether
 * the daemon accepted it, *body (malloc'd, NUL-terminated, free() it) and
 * *len are the body.  -errno on a transport failure, with @why.
 */
int vgtctl_request(int fd, const char *line, bool *ok, char **body, size_t *len, char *why,
		   size_t whylen);

#endif /* VGTCTL_CLIENT_H */

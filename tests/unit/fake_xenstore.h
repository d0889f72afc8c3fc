/* SPDX-License-Identifier: MIT */
/* An in-memory xenstore behind libxenstore's API (fake_xenstore.c). */
#ifndef FAKE_XENSTORE_H
#define FAKE_XENSTORE_H

#include <stdbool.h>

#include <xenstore.h>

/* Empties the store; relative paths resolve to /local/domain/@self. */
void fake_xs_reset(unsigned self);
/* The next @n transaction commits fail with EAGAIN, as when another writer races. */
void fake_xs_fail_commits(unsigned n);
/* A node's permissions (at most 4); false if there is no such node. */
bool fake_xs_perms(const char *path, struct xs_permissions *perms, unsigned *n);

#endif /* FAKE_XENSTORE_H */

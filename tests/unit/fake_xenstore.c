/* SPDX-License-Identifier: MIT */
/*
 * An in-memory xenstore behind libxenstore's own API, for testing the attach
 * protocol's two sides (tools/libxl-vgt/xs_attach.c, linux-vgt/vgtd/
 * xs_backend.c) without a Xen host.  It keeps what the protocol relies on:
 * a tree of nodes with permissions, parents created on write, rm of whole
 * subtrees, watches that fire on a node and its descendants (and once when
 * set), a pollable fd per connection, relative paths resolved to the
 * caller's home, and transactions that an abort rolls back.  Thread-safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xenstore.h>

#include "fake_xenstore.h"

#define MAX_NODES   256
#define MAX_WATCHES 32
#define MAX_EVENTS  128
#define PATH_MAX_XS 160
#define VALUE_MAX   512

struct node {
	char path[PATH_MAX_XS];
	char value[VALUE_MAX];
	unsigned len;
	struct xs_permissions perms[4];
	unsigned nperms;
};

struct event {
	char path[PATH_MAX_XS];
	char token[32];
};

struct xs_handle {
	int pipe[2];
	struct event ev[MAX_EVENTS];
	unsigned head, count;
};

struct watch {
	struct xs_handle *h;
	char path[PATH_MAX_XS];
	char token[32];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct node nodes[MAX_NODES], saved[MAX_NODES];
static unsigned nnodes, nsaved;
static struct watch watches[MAX_WATCHES];
static unsigned nwatches;
static unsigned self_domid;
static unsigned commits_to_fail;

void fake_xs_reset(unsigned self)
{
	pthread_mutex_lock(&lock);
	nnodes = 0;
	nwatches = 0;
	self_domid = self;
	commits_to_fail = 0;
	pthread_mutex_unlock(&lock);
}

void fake_xs_fail_commits(unsigned n)
{
	pthread_mutex_lock(&lock);
	commits_to_fail = n;
	pthread_mutex_unlock(&lock);
}

static void absolute(const char *path, char *out)
{
	if (path[0] == '/' || path[0] == '@')
		snprintf(out, PATH_MAX_XS, "%s", path);
	else
		snprintf(out, PATH_MAX_XS, "/local/domain/%u/%s", self_domid, path);
}

static struct node *find(const char *abs)
{
	for (unsigned i = 0; i < nnodes; i++)
		if (!strcmp(nodes[i].path, abs))
			return &nodes[i];
	return NULL;
}

static bool is_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

static void queue_event(struct xs_handle *h, const char *path, const char *token)
{
	struct event *e;

	if (h->count == MAX_EVENTS)
		return;         /* xenstored drops events of a slow reader too */
	e = &h->ev[(h->head + h->count++) % MAX_EVENTS];
	snprintf(e->path, sizeof(e->path), "%s", path);
	snprintf(e->token, sizeof(e->token), "%s", token);
	if (write(h->pipe[1], "!", 1) != 1)
		abort();
}

static void fire(const char *abs)
{
	for (unsigned i = 0; i < nwatches; i++)
		if (is_under(abs, watches[i].path))
			queue_event(watches[i].h, abs, watches[i].token);
}

/* A node and its missing parents, which inherit their parent's permissions. */
static struct node *make(const char *abs)
{
	char parent[PATH_MAX_XS], *slash;
	struct node *p = NULL, *n = find(abs);

	if (n)
		return n;
	snprintf(parent, sizeof(parent), "%s", abs);
	slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		p = make(parent);
		if (!p)
			return NULL;
	}
	if (nnodes == MAX_NODES)
		return NULL;
	n = &nodes[nnodes++];
	memset(n, 0, sizeof(*n));
	snprintf(n->path, sizeof(n->path), "%s", abs);
	if (p) {
		memcpy(n->perms, p->perms, sizeof(n->perms));
		n->nperms = p->nperms;
	} else {
		n->nperms = 1;  /* owned by dom0, no other access */
	}
	fire(abs);
	return n;
}

struct xs_handle *xs_open(unsigned long flags)
{
	struct xs_handle *h = calloc(1, sizeof(*h));

	(void)flags;
	if (!h)
		return NULL;
	if (pipe(h->pipe)) {
		free(h);
		return NULL;
	}
	fcntl(h->pipe[0], F_SETFL, O_NONBLOCK);
	return h;
}

void xs_close(struct xs_handle *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < nwatches;)
		if (watches[i].h == h)
			watches[i] = watches[--nwatches];
		else
			i++;
	pthread_mutex_unlock(&lock);
	close(h->pipe[0]);
	close(h->pipe[1]);
	free(h);
}

void *xs_read(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *len)
{
	char abs[PATH_MAX_XS];
	struct node *n;
	char *v = NULL;

	(void)h;
	(void)t;
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	n = find(abs);
	if (n) {
		v = malloc(n->len + 1);
		if (v) {
			memcpy(v, n->value, n->len);
			v[n->len] = '\0';
			*len = n->len;
		}
	}
	pthread_mutex_unlock(&lock);
	if (!n)
		errno = ENOENT;
	return v;
}

bool xs_write(struct xs_handle *h, xs_transaction_t t, const char *path, const void *data,
	      unsigned int len)
{
	char abs[PATH_MAX_XS];
	struct node *n;

	(void)h;
	(void)t;
	if (len >= VALUE_MAX) {
		errno = E2BIG;
		return false;
	}
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	n = make(abs);
	if (n) {
		memcpy(n->value, data, len);
		n->len = len;
		fire(abs);
	}
	pthread_mutex_unlock(&lock);
	if (!n)
		errno = ENOSPC;
	return n != NULL;
}

bool xs_mkdir(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char abs[PATH_MAX_XS];
	struct node *n;

	(void)h;
	(void)t;
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	n = make(abs);
	pthread_mutex_unlock(&lock);
	if (!n)
		errno = ENOSPC;
	return n != NULL;
}

bool xs_rm(struct xs_handle *h, xs_transaction_t t, const char *path)
{
	char abs[PATH_MAX_XS];
	bool any = false;

	(void)h;
	(void)t;
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	for (unsigned i = 0; i < nnodes;) {
		if (is_under(nodes[i].path, abs)) {
			nodes[i] = nodes[--nnodes];
			any = true;
		} else {
			i++;
		}
	}
	if (any)
		fire(abs);
	pthread_mutex_unlock(&lock);
	if (!any)
		errno = ENOENT;
	return any;
}

char **xs_directory(struct xs_handle *h, xs_transaction_t t, const char *path, unsigned int *num)
{
	char abs[PATH_MAX_XS], names[MAX_NODES][PATH_MAX_XS];
	unsigned n = 0;
	size_t bytes = 0;
	char **vec = NULL;

	(void)h;
	(void)t;
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	if (find(abs)) {
		size_t alen = strlen(abs);

		for (unsigned i = 0; i < nnodes; i++) {
			const char *rest = nodes[i].path + alen;

			if (strncmp(nodes[i].path, abs, alen) || rest[0] != '/' || strchr(rest + 1, '/'))
				continue;
			snprintf(names[n], PATH_MAX_XS, "%s", rest + 1);
			bytes += strlen(rest + 1) + 1;
			n++;
		}
		/* One block, as libxenstore returns it: the caller frees it once. */
		vec = malloc(n * sizeof(char *) + bytes + 1);
		if (vec) {
			char *s = (char *)(vec + n);

			for (unsigned i = 0; i < n; i++) {
				vec[i] = s;
				strcpy(s, names[i]);
				s += strlen(s) + 1;
			}
			*num = n;
		}
	} else {
		errno = ENOENT;
	}
	pthread_mutex_unlock(&lock);
	return vec;
}

bool xs_set_permissions(struct xs_handle *h, xs_transaction_t t, const char *path,
			struct xs_permissions *perms, unsigned int num_perms)
{
	char abs[PATH_MAX_XS];
	struct node *n;

	(void)h;
	(void)t;
	if (!num_perms || num_perms > 4) {
		errno = EINVAL;
		return false;
	}
	pthread_mutex_lock(&lock);
	absolute(path, abs);
	n = find(abs);
	if (n) {
		memcpy(n->perms, perms, num_perms * sizeof(*perms));
		n->nperms = num_perms;
	}
	pthread_mutex_unlock(&lock);
	if (!n)
		errno = ENOENT;
	return n != NULL;
}

bool xs_watch(struct xs_handle *h, const char *path, const char *token)
{
	struct watch *w;

	pthread_mutex_lock(&lock);
	if (nwatches == MAX_WATCHES) {
		pthread_mutex_unlock(&lock);
		errno = ENOSPC;
		return false;
	}
	w = &watches[nwatches++];
	w->h = h;
	absolute(path, w->path);
	snprintf(w->token, sizeof(w->token), "%s", token);
	queue_event(h, w->path, token);        /* xenstored fires a new watch once, at once */
	pthread_mutex_unlock(&lock);
	return true;
}

bool xs_unwatch(struct xs_handle *h, const char *path, const char *token)
{
	char abs[PATH_MAX_XS];
	bool found = false;

	pthread_mutex_lock(&lock);
	absolute(path, abs);
	for (unsigned i = 0; i < nwatches; i++) {
		if (watches[i].h == h && !strcmp(watches[i].path, abs) &&
		    !strcmp(watches[i].token, token)) {
			watches[i] = watches[--nwatches];
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (!found)
		errno = ENOENT;
	return found;
}

int xs_fileno(struct xs_handle *h)
{
	return h->pipe[0];
}

char **xs_check_watch(struct xs_handle *h)
{
	char **vec = NULL, byte;
	struct event e;

	pthread_mutex_lock(&lock);
	if (!h->count) {
		pthread_mutex_unlock(&lock);
		errno = EAGAIN;
		return NULL;
	}
	e = h->ev[h->head];
	h->head = (h->head + 1) % MAX_EVENTS;
	h->count--;
	if (read(h->pipe[0], &byte, 1) != 1)
		abort();
	pthread_mutex_unlock(&lock);
	vec = malloc(2 * sizeof(char *) + sizeof(e.path) + sizeof(e.token));
	if (vec) {
		char *s = (char *)(vec + 2);

		vec[XS_WATCH_PATH] = strcpy(s, e.path);
		vec[XS_WATCH_TOKEN] = strcpy(s + sizeof(e.path), e.token);
	}
	return vec;
}

xs_transaction_t xs_transaction_start(struct xs_handle *h)
{
	(void)h;
	pthread_mutex_lock(&lock);
	memcpy(saved, nodes, sizeof(nodes));
	nsaved = nnodes;
	pthread_mutex_unlock(&lock);
	return 1;
}

bool xs_transaction_end(struct xs_handle *h, xs_transaction_t t, bool abort_it)
{
	bool ok = true;

	(void)h;
	(void)t;
	pthread_mutex_lock(&lock);
	if (abort_it || commits_to_fail) {
		memcpy(nodes, saved, sizeof(nodes));
		nnodes = nsaved;
		if (!abort_it) {
			commits_to_fail--;
			errno = EAGAIN;         /* another writer raced: try again */
			ok = false;
		}
	}
	pthread_mutex_unlock(&lock);
	return ok;
}

bool fake_xs_perms(const char *path, struct xs_permissions *perms, unsigned *n)
{
	struct node *node;

	pthread_mutex_lock(&lock);
	node = find(path);
	if (node) {
		memcpy(perms, node->perms, node->nperms * sizeof(*perms));
		*n = node->nperms;
	}
	pthread_mutex_unlock(&lock);
	return node != NULL;
}

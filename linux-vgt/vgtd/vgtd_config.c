/* SPDX-License-Identifier: MIT */
/*
 * vgtd's configuration file (config/vgtd.conf): "key = value" lines, '#'
 * comments.  Every unknown key and bad value is an error naming the line:
 * a daemon that silently ignored a typo would serve with settings nobody
 * asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vgtd.h"
#include "vgtd_proto.h"

void vgtd_config_defaults(struct vgtd_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->backend, sizeof(c->backend), "gensim");
	c->transport = VGTD_TRANSPORT_XEN;
	snprintf(c->socket, sizeof(c->socket), "%s", VGTD_SOCKET_DEFAULT);
	c->socket_mode = 0600;
	c->allowed_uid[0] = 0;
	c->nallowed = 1;
	c->pci_sbdf = 2u << 3;                /* 0000:00:02.0 */
	c->gensim_memory_mb = 1024;
	c->sim_frames = 60;
	c->log_level = VGT_LOG_INFO;
	snprintf(c->trace_dir, sizeof(c->trace_dir), "%s", VGTD_TRACE_DIR_DEFAULT);
}

/*
 * Keys that set something only some backends have.  Given with another
 * backend they would be accepted and mean nothing, so they are refused,
 * whichever of the key and the backend line comes first.
 */
static const struct {
	const char *key;
	const char *backends;           /* the backends that have it, space-separated */
	const char *what;
} backend_keys[] = {
	{ "aperture_maddr", "", "real aperture (BAR2) to map into guests" },
	{ "gensim_memory_mb", "gensim", "software GPU memory" },
};
#define NBACKEND_KEYS (sizeof(backend_keys) / sizeof(backend_keys[0]))

static bool backend_has(const char *backend, unsigned k)
{
	size_t n = strlen(backend);

	if (!n)
		return false;
	for (const char *p = backend_keys[k].backends; (p = strstr(p, backend)); p += n)
		if ((p == backend_keys[k].backends || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
	return false;
}

static int backend_key_refused(unsigned k, const char *backend, char *why, size_t whylen,
			       const char *key, const char *value)
{
	if (backend_keys[k].backends[0])
		snprintf(why, whylen, "%s = '%.40s': the %s backend has no %s (only %s takes this key)",
			 key, value, backend, backend_keys[k].what, backend_keys[k].backends);
	else
		snprintf(why, whylen, "%s = '%.40s': the %s backend has no %s (no backend of this "
			 "build takes this key)", key, value, backend, backend_keys[k].what);
	return -EINVAL;
}

/*
 * An absolute directory without "." or ".." components; trailing slashes
 * go.  Symbolic links in it are refused when it is opened (control.c).
 */
static bool parse_dir(const char *value, char *out, size_t outlen)
{
	size_t len = strlen(value);
	const char *p;

	if (value[0] != '/' || len >= outlen)
		return false;
	for (p = value; *p; ) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
	}
	while (len > 1 && value[len - 1] == '/')
		len--;
	memcpy(out, value, len);
	out[len] = '\0';
	return true;
}

static bool parse_u64(const char *s, int base, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return false;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* "0000:00:02.0" or "00:02.0". */
static bool parse_bdf(const char *s, uint32_t *sbdf)
{
	unsigned seg = 0, bus, dev, fn;
	char tail;

	if (sscanf(s, "%4x:%2x:%2x.%1u%c", &seg, &bus, &dev, &fn, &tail) == 4 ||
	    (seg = 0, sscanf(s, "%2x:%2x.%1u%c", &bus, &dev, &fn, &tail) == 3)) {
		if (dev > 31 || fn > 7)
			return false;
		*sbdf = seg << 16 | bus << 8 | dev << 3 | fn;
		return true;
	}
	return false;
}

static int bad(char *why, size_t whylen, const char *key, const char *value, const char *want)
{
	snprintf(why, whylen, "%s = '%.40s': %s", key, value, want);
	return -EINVAL;
}

int vgtd_config_set(struct vgtd_config *c, const char *key, const char *value, char *why,
		    size_t whylen)
{
	uint64_t v;

	for (unsigned k = 0; k < NBACKEND_KEYS; k++) {
		if (strcmp(key, backend_keys[k].key))
			continue;
		if (!backend_has(c->backend, k))
			return backend_key_refused(k, c->backend, why, whylen, key, value);
		c->backend_keys |= 1u << k;
	}
	if (!strcmp(key, "backend")) {
		if (strcmp(value, "gensim"))
			return bad(why, whylen, key, value,
				   "unknown backend (this build has: gensim)");
		/* A key given before this line must mean something to it too. */
		for (unsigned k = 0; k < NBACKEND_KEYS; k++)
			if ((c->backend_keys & (1u << k)) && !backend_has(value, k)) {
				snprintf(why, whylen, "backend = '%s': %s was given, and the %s "
					 "backend has no %s", value, backend_keys[k].key, value,
					 backend_keys[k].what);
				return -EINVAL;
			}
		snprintf(c->backend, sizeof(c->backend), "%s", value);
	} else if (!strcmp(key, "transport")) {
		if (!strcmp(value, "xen"))
			c->transport = VGTD_TRANSPORT_XEN;
		else if (!strcmp(value, "sim"))
			c->transport = VGTD_TRANSPORT_SIM;
		else
			return bad(why, whylen, key, value, "want xen or sim");
	} else if (!strcmp(key, "socket")) {
		if (value[0] != '/' || strlen(value) >= 108)
			return bad(why, whylen, key, value, "want an absolute path under 108 bytes");
		snprintf(c->socket, sizeof(c->socket), "%s", value);
	} else if (!strcmp(key, "socket_mode")) {
		if (!parse_u64(value, 8, 0, 0777, &v) || (v & 0600) != 0600)
			return bad(why, whylen, key, value, "want an octal mode including 0600");
		c->socket_mode = (unsigned)v;
	} else if (!strcmp(key, "allowed_uids")) {
		char buf[256], *save = NULL, *tok;

		if (strlen(value) >= sizeof(buf))
			return bad(why, whylen, key, value, "too long");
		memcpy(buf, value, strlen(value) + 1);
		c->nallowed = 0;
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			if (c->nallowed == VGTD_MAX_UIDS || !parse_u64(tok, 10, 0, 0xFFFFFFFEu, &v))
				return bad(why, whylen, key, value,
					   "want up to 8 numeric uids, comma-separated");
			c->allowed_uid[c->nallowed++] = (unsigned)v;
		}
		if (!c->nallowed)
			return bad(why, whylen, key, value, "want at least one uid");
	} else if (!strcmp(key, "types")) {
		if (strlen(value) >= sizeof(c->types))
			return bad(why, whylen, key, value, "path too long");
		snprintf(c->types, sizeof(c->types), "%s", value);
	} else if (!strcmp(key, "pci_slot")) {
		if (!parse_bdf(value, &c->pci_sbdf))
			return bad(why, whylen, key, value, "want [SEG:]BUS:DEV.FN, e.g. 00:02.0");
	} else if (!strcmp(key, "gensim_memory_mb")) {
		if (!parse_u64(value, 10, 128, 65536, &c->gensim_memory_mb))
			return bad(why, whylen, key, value, "want 128..65536");
	} else if (!strcmp(key, "aperture_maddr")) {
		if (!parse_u64(value, 0, 0, (1ull << 46) - 1, &c->aperture_maddr) ||
		    (c->aperture_maddr & 0xFFF))
			return bad(why, whylen, key, value, "want a page-aligned physical address");
	} else if (!strcmp(key, "sim_frames")) {
		if (!parse_u64(value, 10, 1, 1000000, &v))
			return bad(why, whylen, key, value, "want 1..1000000");
		c->sim_frames = (uint32_t)v;
	} else if (!strcmp(key, "trace_dir")) {
		if (!parse_dir(value, c->trace_dir, sizeof(c->trace_dir)))
			return bad(why, whylen, key, value,
				   "want an absolute directory without '.' or '..' components, "
				   "under 256 bytes");
	} else if (!strcmp(key, "log_level")) {
		static const char *const names[] = { "error", "warn", "info", "debug" };
		unsigned i;

		for (i = 0; i < 4 && strcmp(value, names[i]); i++)
			;
		if (i == 4)
			return bad(why, whylen, key, value, "want error, warn, info or debug");
		c->log_level = (enum vgt_log_level)i;
	} else if (!strcmp(key, "debug")) {
		static const char *const areas[] = { "cfg", "mmio", "gtt", "fence", "part" };
		char buf[128], *save = NULL, *tok;

		if (strlen(value) >= sizeof(buf))
			return bad(why, whylen, key, value, "too long");
		memcpy(buf, value, strlen(value) + 1);
		c->debug_mask = 0;
		for (tok = strtok_r(buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			unsigned i;

			for (i = 0; i < 5 && strcmp(tok, areas[i]); i++)
				;
			if (i == 5)
				return bad(why, whylen, key, value,
					   "want areas among cfg, mmio, gtt, fence, part");
			c->debug_mask |= 1u << i;
		}
	} else {
		snprintf(why, whylen, "unknown key '%.40s'", key);
		return -EINVAL;
	}
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

int vgtd_config_load(struct vgtd_config *c, const char *path, char *why, size_t whylen)
{
	char line[512], inner[256];
	unsigned lineno = 0;
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f) {
		ret = -errno;
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return ret;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s, *eq, *key, *value;

		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			snprintf(why, whylen, "%s:%u: line too long", path, lineno);
			ret = -EINVAL;
			break;
		}
		s = strchr(line, '#');
		if (s)
			*s = '\0';
		s = trim(line);
		if (!*s)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			snprintf(why, whylen, "%s:%u: want 'key = value'", path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		key = trim(s);
		value = trim(eq + 1);
		ret = vgtd_config_set(c, key, value, inner, sizeof(inner));
		if (ret) {
			snprintf(why, whylen, "%s:%u: %s", path, lineno, inner);
			break;
		}
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		snprintf(why, whylen, "%s: read error", path);
	}
	fclose(f);
	return ret;
}

bool vgtd_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

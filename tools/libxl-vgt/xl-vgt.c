/* SPDX-License-Identifier: MIT */
/*
 * xl-vgt: `xl create` for domains with a vGPU, on stock Xen.
 *
 *   xl-vgt [--socket PATH] [--xl PATH] create CFG [XL-CREATE-OPTIONS]
 *   xl-vgt [--socket PATH] [--xl PATH] destroy DOMAIN
 *   xl-vgt [--socket PATH] attach CFG
 *   xl-vgt [--socket PATH] detach DOMAIN
 *   xl-vgt check CFG
 *
 * Stock xl ignores the vgt= keys.  xl-vgt reads them with xl's own parser
 * (libxlutil), creates the domain paused with `xl create -p`, asks vgtd
 * for the vGPU, and only then unpauses it.  Any failure after the domain
 * exists destroys it again and says why: there is never a half-made
 * domain, and never an accelerated domain running without its vGPU.
 *
 * attach gives a domain that already runs, named by CFG's name (dom0 is
 * "Domain-0"), the vGPU CFG describes; its driver finds the function after
 * a PCI rescan.  detach takes a vGPU away without touching the domain.
 *
 * vgtd is asked through xenstore (vgtd_proto.h), in the home of the domain
 * vgt_backend names: dom0 or a driver domain, one path for both.  Only
 * where there is no xenstore (not a Xen host: the tests' stand-in xl) does
 * xl-vgt speak to vgtd in this domain over its socket (--socket).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xenstore.h>

#include "vgtctl_client.h"
#include "xlcfg.h"
#include "xs_attach.h"

/* How long vgtd may take to answer a request (a vGPU's set-up is quick). */
#define ATTACH_TIMEOUT_S 30u
#define DETACH_TIMEOUT_S 10u

static const char *xl = "xl";
static const char *sock;
static struct vgt_xsa *xsa;     /* NULL: no xenstore here, vgtd's socket instead */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: xl-vgt [--socket PATH] [--xl PATH] create CFG [XL-CREATE-OPTIONS]\n"
		"       xl-vgt [--socket PATH] [--xl PATH] destroy DOMAIN\n"
		"       xl-vgt [--socket PATH] attach CFG\n"
		"       xl-vgt [--socket PATH] detach DOMAIN\n"
		"       xl-vgt check CFG\n"
		"create: the domain is created paused, given its vGPU by vgtd, then unpaused;\n"
		"        on any failure it is destroyed again.  attach: give the running domain\n"
		"        named in CFG (dom0: name = \"Domain-0\") its vGPU.  check: parse the vgt=\n"
		"        keys only.\n");
}

/* Runs xl with @argv (argv[0] is replaced by the xl path); its stdout into @out if given. */
static int run_xl(char *const argv[], char *out, size_t outlen)
{
	int pipefd[2] = { -1, -1 }, status;
	size_t used = 0;
	pid_t pid;

	if (out && pipe(pipefd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid) {
		if (out) {
			dup2(pipefd[1], 1);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		execvp(xl, argv);
		fprintf(stderr, "xl-vgt: cannot run %s: %s\n", xl, strerror(errno));
		_exit(127);
	}
	if (out) {
		ssize_t n;

		close(pipefd[1]);
		while (used + 1 < outlen && (n = read(pipefd[0], out + used, outlen - used - 1)) > 0)
			used += (size_t)n;
		out[used] = '\0';
		close(pipefd[0]);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (WIFSIGNALED(status)) {
		fprintf(stderr, "xl-vgt: %s was killed by signal %d (%s)\n", xl, WTERMSIG(status),
			strsignal(WTERMSIG(status)));
		return 128 + WTERMSIG(status);
	}
	return WEXITSTATUS(status);
}

/* One request to vgtd; its answer (or the transport error) in @msg. */
static int vgtd(const char *line, char *msg, size_t msglen)
{
	char why[512], *body = NULL;
	size_t len;
	bool ok;
	int fd, ret;

	ret = vgtctl_connect(sock, &fd, why, sizeof(why));
	if (!ret) {
		ret = vgtctl_request(fd, line, &ok, &body, &len, why, sizeof(why));
		close(fd);
	}
	if (ret) {
		snprintf(msg, msglen, "%s", why);
		return ret;
	}
	/* One line is enough for a message. */
	len = strcspn(body, "\n");
	snprintf(msg, msglen, "%.*s", (int)len, body);
	free(body);
	return ok ? 0 : -EPERM;
}

/*
 * The domain's id, from xenstore (/local/domain/N/name) rather than from
 * `xl domid`: no second toolstack process to go wrong while the host is
 * busy.
 * A numeric @name is taken as the id of a domain that exists.
 */
static int domid_by_xl(const char *name, unsigned *domid)
{
	char *argv[] = { (char *)xl, (char *)"domid", (char *)name, NULL };
	char out[64], *end;
	unsigned long v;
	int ret = run_xl(argv, out, sizeof(out));

	if (ret)
		return ret < 0 ? ret : -ESRCH;
	errno = 0;
	v = strtoul(out, &end, 10);
	if (errno || end == out || (*end && *end != '\n') || v >= 0x7FF0)
		return -EPROTO;
	*domid = (unsigned)v;
	return 0;
}

static int domid_of(const char *name, unsigned *domid)
{
	struct xs_handle *xs = xs_open(XS_OPEN_READONLY);
	unsigned n = 0, found = 0;
	char **ids, *end;
	bool hit = false, numeric;
	unsigned long v;

	/* No xenstore here (a test's stand-in xl): ask xl. */
	if (!xs)
		return domid_by_xl(name, domid);
	errno = 0;
	v = strtoul(name, &end, 10);
	numeric = !errno && end != name && !*end;
	ids = xs_directory(xs, XBT_NULL, "/local/domain", &n);
	for (unsigned i = 0; ids && i < n && !hit; i++) {
		char path[64], *dom_name;
		unsigned len;

		snprintf(path, sizeof(path), "/local/domain/%s/name", ids[i]);
		dom_name = xs_read(xs, XBT_NULL, path, &len);
		if ((dom_name && !strcmp(dom_name, name)) ||
		    (numeric && strtoul(ids[i], NULL, 10) == v)) {
			found = (unsigned)strtoul(ids[i], NULL, 10);
			hit = true;
		}
		free(dom_name);
	}
	free(ids);
	xs_close(xs);
	if (!hit)
		return -ESRCH;
	*domid = found;
	return 0;
}

/* Takes @domid's vGPU away: 0, -ENOENT if it had none, or -errno with vgtd's reason in @msg. */
static int detach_vgpu(unsigned domid, char *msg, size_t msglen)
{
	char line[64];
	int ret;

	if (xsa)
		return vgt_xsa_detach(xsa, domid, DETACH_TIMEOUT_S, msg, msglen);
	snprintf(line, sizeof(line), "detach %u", domid);
	ret = vgtd(line, msg, msglen);
	return ret && strstr(msg, "has no vGPU") ? -ENOENT : ret;
}

static void destroy(unsigned domid)
{
	char id[16], *argv[] = { (char *)xl, (char *)"destroy", id, NULL };

	snprintf(id, sizeof(id), "%u", domid);
	if (run_xl(argv, NULL, 0))
		fprintf(stderr, "xl-vgt: could not destroy domain %u: see `xl list`\n", domid);
}

/* Asks the backend for @domid's vGPU, through xenstore or vgtd's socket. */
static int attach_vgpu(const struct vgt_xlcfg *c, unsigned domid, const char *spec, char *msg,
		       size_t msglen)
{
	char line[VGTD_REQUEST_MAX];

	if (xsa)
		return vgt_xsa_attach(xsa, c->backend_domid, domid, spec, ATTACH_TIMEOUT_S, msg,
				      msglen);
	snprintf(line, sizeof(line), "attach %u %s", domid, spec);
	return vgtd(line, msg, msglen);
}

/*
 * The config at @cfgpath and its vGPU request in @spec, for create and
 * attach: 0, or 1 with the reason printed.  @need_vgt: a config without
 * vgt=1 is an error (attach) rather than a domain without a vGPU (create).
 */
static int read_request(const char *cfgpath, bool need_vgt, struct vgt_xlcfg *c, char *spec,
			size_t speclen)
{
	char why[VGT_XLCFG_WHY_MAX];

	if (vgt_xlcfg_parse_file(cfgpath, c, why, sizeof(why))) {
		fprintf(stderr, "xl-vgt: %s\n", why);
		return 1;
	}
	if (!c->vgt) {
		if (!need_vgt)
			return 0;
		fprintf(stderr, "xl-vgt: %s: vgt=1 is not set: nothing to attach\n", cfgpath);
		return 1;
	}
	if (vgt_xlcfg_attach_spec(c, spec, speclen)) {
		fprintf(stderr, "xl-vgt: %s: cannot form the vGPU request\n", cfgpath);
		return 1;
	}
	if (c->backend_domid && !xsa) {
		fprintf(stderr, "xl-vgt: %s: vgt_backend=%u: a vGPU served by another domain is "
			"asked for through xenstore, and there is none here\n", cfgpath,
			c->backend_domid);
		return 1;
	}
	return 0;
}

/* Is the vgtd that is to serve @c answering?  0, or -errno with why in @msg. */
static int vgtd_ready(const struct vgt_xlcfg *c, char *msg, size_t msglen)
{
	return xsa ? vgt_xsa_ready(xsa, c->backend_domid, msg, msglen)
		   : vgtd("version", msg, msglen);
}

static int cmd_check(const char *cfgpath)
{
	struct vgt_xlcfg c;
	char why[VGT_XLCFG_WHY_MAX], spec[VGT_XLCFG_SPEC_MAX];

	if (vgt_xlcfg_parse_file(cfgpath, &c, why, sizeof(why))) {
		fprintf(stderr, "xl-vgt: %s\n", why);
		return 1;
	}
	if (!c.vgt) {
		printf("%s: no vGPU (vgt=1 is not set)\n", c.name);
		return 0;
	}
	if (vgt_xlcfg_attach_spec(&c, spec, sizeof(spec))) {
		fprintf(stderr, "xl-vgt: %s: cannot form the vGPU request\n", cfgpath);
		return 1;
	}
	printf("%s: %s domain, vGPU %s, served by domain %u\n", c.name, c.type, spec,
	       c.backend_domid);
	return 0;
}

static int cmd_create(int argc, char **argv)
{
	char spec[VGT_XLCFG_SPEC_MAX], msg[512];
	char **xargv;
	struct vgt_xlcfg c;
	unsigned domid, be;
	int ret, i, n;

	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	if (read_request(argv[0], false, &c, spec, sizeof(spec)))
		return 1;
	/* Is vgtd there at all?  Asked before a domain exists. */
	if (c.vgt && vgtd_ready(&c, msg, sizeof(msg))) {
		fprintf(stderr, "xl-vgt: %s\n", msg);
		return 1;
	}

	/* xl's order: create [-p] [OPTIONS] CFG [KEY=VALUE overrides]. */
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-' && !strncmp(argv[i], "vgt", 3)) {
			fprintf(stderr, "xl-vgt: '%s': put the vgt keys in the config file, where "
				"xl-vgt reads them\n", argv[i]);
			return 2;
		}
	}
	xargv = calloc((size_t)argc + 4, sizeof(*xargv));
	if (!xargv)
		return 1;
	n = 0;
	xargv[n++] = (char *)xl;
	xargv[n++] = (char *)"create";
	if (c.vgt)
		xargv[n++] = (char *)"-p";
	for (i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			xargv[n++] = argv[i];
	xargv[n++] = argv[0];
	for (i = 1; i < argc; i++)
		if (argv[i][0] != '-')
			xargv[n++] = argv[i];
	ret = run_xl(xargv, NULL, 0);
	free(xargv);
	/*
	 * xl can die of a signal on its way out after the domain was built;
	 * a paused domain of that name means the creation itself worked.
	 */
	if (ret > 128 && c.vgt && !domid_of(c.name, &domid)) {
		fprintf(stderr, "xl-vgt: xl died after creating %s (domain %u); going on\n", c.name,
			domid);
		ret = 0;
	}
	if (ret) {
		fprintf(stderr, "xl-vgt: xl create %s failed (%s)\n", argv[0],
			ret < 0 ? strerror(-ret) : "see its messages above");
		return 1;
	}
	if (!c.vgt) {
		printf("%s: created without a vGPU (no vgt=1)\n", c.name);
		return 0;
	}
	ret = domid_of(c.name, &domid);
	if (ret) {
		fprintf(stderr, "xl-vgt: domain %s was created but its id cannot be found (%s); "
			"destroy it with `xl destroy %s`\n", c.name, strerror(ret < 0 ? -ret : EIO),
			c.name);
		return 1;
	}
	/* A vgt-aware xl (tools/libxl-vgt/patches) has asked for the vGPU itself. */
	if (xsa && !vgt_xsa_backend_of(xsa, domid, &be)) {
		snprintf(msg, sizeof(msg), "vGPU attached by xl itself, served by domain %u", be);
		ret = 0;
	} else {
		ret = attach_vgpu(&c, domid, spec, msg, sizeof(msg));
	}
	if (ret) {
		fprintf(stderr, "xl-vgt: %s (domain %u) gets no vGPU: %s\n", c.name, domid, msg);
		fprintf(stderr, "xl-vgt: destroying domain %u\n", domid);
		destroy(domid);
		return 1;
	}
	{
		char id[16], *uargv[] = { (char *)xl, (char *)"unpause", id, NULL };

		snprintf(id, sizeof(id), "%u", domid);
		ret = run_xl(uargv, NULL, 0);
		if (ret > 128)          /* xl itself died: unpausing again is harmless */
			ret = run_xl(uargv, NULL, 0);
	}
	if (ret) {
		fprintf(stderr, "xl-vgt: cannot unpause domain %u; destroying it\n", domid);
		detach_vgpu(domid, msg, sizeof(msg));
		destroy(domid);
		return 1;
	}
	printf("%s (domain %u): %s\n", c.name, domid, msg);
	return 0;
}

static int cmd_attach(const char *cfgpath)
{
	char spec[VGT_XLCFG_SPEC_MAX], msg[512];
	struct vgt_xlcfg c;
	unsigned domid;

	if (read_request(cfgpath, true, &c, spec, sizeof(spec)))
		return 1;
	if (domid_of(c.name, &domid)) {
		fprintf(stderr, "xl-vgt: no running domain %s\n", c.name);
		return 1;
	}
	if (vgtd_ready(&c, msg, sizeof(msg)) || attach_vgpu(&c, domid, spec, msg, sizeof(msg))) {
		fprintf(stderr, "xl-vgt: %s (domain %u) gets no vGPU: %s\n", c.name, domid, msg);
		return 1;
	}
	printf("%s (domain %u): %s\n", c.name, domid, msg);
	return 0;
}

static int cmd_detach(const char *dom)
{
	char msg[512];
	unsigned domid;
	int ret;

	if (domid_of(dom, &domid)) {
		fprintf(stderr, "xl-vgt: no domain %s\n", dom);
		return 1;
	}
	ret = detach_vgpu(domid, msg, sizeof(msg));
	if (ret == -ENOENT) {
		fprintf(stderr, "xl-vgt: domain %u has no vGPU\n", domid);
		return 1;
	}
	if (ret) {
		fprintf(stderr, "xl-vgt: domain %u: %s\n", domid, msg);
		return 1;
	}
	printf("domain %u: vGPU released\n", domid);
	return 0;
}

static int cmd_destroy(const char *dom)
{
	char msg[512];
	unsigned domid;
	int ret;

	ret = domid_of(dom, &domid);
	if (ret) {
		fprintf(stderr, "xl-vgt: no domain %s\n", dom);
		return 1;
	}
	/*
	 * vgtd also notices the death by itself; asking makes the release
	 * synchronous.  Through xenstore the request lives in the guest's
	 * directory, so it is made before the domain (and that) goes.
	 */
	if (xsa) {
		ret = detach_vgpu(domid, msg, sizeof(msg));
		if (ret && ret != -ENOENT)
			fprintf(stderr, "xl-vgt: domain %u: %s\n", domid, msg);
		destroy(domid);
	} else {
		destroy(domid);
		ret = detach_vgpu(domid, msg, sizeof(msg));
		if (ret && ret != -ENOENT)
			fprintf(stderr, "xl-vgt: domain %u destroyed; vgtd: %s\n", domid, msg);
	}
	printf("domain %u destroyed\n", domid);
	return 0;
}

int main(int argc, char **argv)
{
	int i;

	sock = getenv("VGTD_SOCKET");
	if (!sock || !*sock)
		sock = VGTD_SOCKET_DEFAULT;
	if (getenv("XL") && *getenv("XL"))
		xl = getenv("XL");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "--xl") && i + 1 < argc) {
			xl = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "xl-vgt: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i == argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "create") ||
	    (argc - i == 2 && (!strcmp(argv[i], "destroy") || !strcmp(argv[i], "attach") ||
			       !strcmp(argv[i], "detach")))) {
		int ret;

		if (vgt_xsa_open(&xsa))
			xsa = NULL;
		if (!strcmp(argv[i], "create"))
			ret = cmd_create(argc - i - 1, argv + i + 1);
		else if (!strcmp(argv[i], "destroy"))
			ret = cmd_destroy(argv[i + 1]);
		else if (!strcmp(argv[i], "attach"))
			ret = cmd_attach(argv[i + 1]);
		else
			ret = cmd_detach(argv[i + 1]);
		vgt_xsa_close(xsa);
		return ret;
	}
	if (!strcmp(argv[i], "check") && argc - i == 2)
		return cmd_check(argv[i + 1]);
	usage(stderr);
	return 2;
}

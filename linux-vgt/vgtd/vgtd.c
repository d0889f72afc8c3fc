/* SPDX-License-Identifier: MIT */
/*
 * vgtd: start-up, the control socket and the main loop.
 *
 *   vgtd [--config FILE] [--backend B] [--transport T] [--socket PATH]
 *        [--set KEY=VALUE]... [--check-config]
 *
 * The main loop accepts control connections (each served on a thread of
 * its own, peers checked by credentials), watches Xen for dying domains,
 * and stops on SIGTERM/SIGINT, releasing every vGPU.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "gensim.h"
#include "gensim_hw.h"
#include "vgtd.h"
#include "vgtd_proto.h"
#include "xen_transport.h"

#define CLIENT_TIMEOUT_S 10

static void core_log(void *opaque, enum vgt_log_level level, const char *msg)
{
	(void)opaque;
	vgtd_log(level, "%s", msg);
}

/* ---- Control connections ---------------------------------------------------------- */

struct client {
	struct vgtd *d;
	int fd;
	unsigned uid;
	int pid;
};

static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int answer(int fd, bool ok, const struct vgtd_buf *body)
{
	char hdr[VGTD_HEADER_MAX];
	int n = snprintf(hdr, sizeof(hdr), "%s %zu\n", ok ? "ok" : "error", body->len);

	if (send_all(fd, hdr, (size_t)n))
		return -1;
	return body->len ? send_all(fd, body->data, body->len) : 0;
}

static int answer_text(int fd, bool ok, const char *text)
{
	struct vgtd_buf b = { 0 };
	int ret;

	vgtd_buf_printf(&b, "%s\n", text);
	ret = answer(fd, ok, &b);
	vgtd_buf_free(&b);
	return ret;
}

/*
 * Reads one request line.  Returns its length, 0 at a clean end of the
 * connection, -E2BIG for an over-long line, -errno otherwise.
 */
static int read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;

	for (;;) {
		ssize_t r = read(fd, &buf[n], 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return n ? -EPROTO : 0;
		if (buf[n] == '\n') {
			buf[n] = '\0';
			return (int)n + 1;
		}
		if (++n == cap)
			return -E2BIG;
	}
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct vgtd *d = c->d;
	char line[VGTD_REQUEST_MAX];

	for (;;) {
		struct vgtd_buf out = { 0 };
		int n = read_line(c->fd, line, sizeof(line));
		bool ok;

		if (n == -E2BIG) {
			vgtd_log(VGT_LOG_WARN, "client pid %d: request too long; closing", c->pid);
			answer_text(c->fd, false, "request too long");
			break;
		}
		if (n == -EPROTO) {
			vgtd_log(VGT_LOG_WARN, "client pid %d: request without a newline", c->pid);
			answer_text(c->fd, false, "request not terminated by a newline");
			break;
		}
		if (n <= 0)
			break;
		ok = vgtd_handle_request(d, line, &out);
		if (out.oom) {
			vgtd_buf_free(&out);
			ok = false;
			vgtd_buf_printf(&out, "out of memory\n");
		}
		if (!ok)
			vgtd_log(VGT_LOG_INFO, "client pid %d: '%.60s': %.*s", c->pid, line,
				 (int)(out.len && out.data[out.len - 1] == '\n' ? out.len - 1 : out.len),
				 out.data ? out.data : "");
		n = answer(c->fd, ok, &out);
		vgtd_buf_free(&out);
		if (n)
			break;
	}
	close(c->fd);
	pthread_mutex_lock(&d->clients_lock);
	d->clients--;
	pthread_cond_broadcast(&d->clients_done);
	pthread_mutex_unlock(&d->clients_lock);
	free(c);
	return NULL;
}

static bool uid_allowed(const struct vgtd *d, unsigned uid)
{
	for (unsigned i = 0; i < d->cfg.nallowed; i++)
		if (d->cfg.allowed_uid[i] == uid)
			return true;
	return false;
}

static void accept_client(struct vgtd *d)
{
	struct timeval tv = { .tv_sec = CLIENT_TIMEOUT_S };
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct client *c;
	pthread_attr_t attr;
	pthread_t t;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) || !uid_allowed(d, cred.uid)) {
		vgtd_log(VGT_LOG_WARN, "refused a control connection from uid %u (pid %d)",
			 len == sizeof(cred) ? cred.uid : ~0u, len == sizeof(cred) ? cred.pid : -1);
		answer_text(fd, false, "permission denied: vgtd admits root only");
		close(fd);
		return;
	}
	/* A client that stops talking does not hold its thread forever. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	pthread_mutex_lock(&d->clients_lock);
	if (d->clients >= VGTD_MAX_CLIENTS) {
		pthread_mutex_unlock(&d->clients_lock);
		answer_text(fd, false, "too many control connections; try again");
		close(fd);
		return;
	}
	d->clients++;
	pthread_mutex_unlock(&d->clients_lock);
	c = calloc(1, sizeof(*c));
	if (c) {
		c->d = d;
		c->fd = fd;
		c->uid = cred.uid;
		c->pid = cred.pid;
		pthread_attr_init(&attr);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		if (!pthread_create(&t, &attr, client_main, c)) {
			pthread_attr_destroy(&attr);
			return;
		}
		pthread_attr_destroy(&attr);
		free(c);
	}
	answer_text(fd, false, "vgtd is out of resources");
	close(fd);
	pthread_mutex_lock(&d->clients_lock);
	d->clients--;
	pthread_mutex_unlock(&d->clients_lock);
}

static int open_socket(struct vgtd *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = d->cfg.socket;
	char dir[VGTD_PATH_MAX], *slash;
	int fd, ret;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST) {
			ret = -errno;
			vgtd_log(VGT_LOG_ERROR, "cannot create %s: %s", dir, strerror(errno));
			return ret;
		}
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file left by a daemon that died: take it over if nobody answers. */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		vgtd_log(VGT_LOG_ERROR, "another vgtd already serves %s", path);
		close(fd);
		return -EADDRINUSE;
	}
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || chmod(path, d->cfg.socket_mode) ||
	    listen(fd, 16)) {
		ret = -errno;
		vgtd_log(VGT_LOG_ERROR, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return ret;
	}
	d->listen_fd = fd;
	return 0;
}

/* ---- Start-up and shut-down ---------------------------------------------------------- */

static char *read_file(const char *path, char *why, size_t whylen)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || n > (1 << 20) ||
	    fseek(f, 0, SEEK_SET)) {
		snprintf(why, whylen, "%s: not a readable types file (at most 1 MiB)", path);
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
		snprintf(why, whylen, "%s: read error", path);
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

static bool xen_domain_gone(void *opaque, uint32_t domid)
{
	return vgt_xen_domain_gone(opaque, domid);
}

static int start(struct vgtd *d)
{
	struct vgt_host_params hp = { .hw = &gensim_hw_ops, .log = core_log };
	struct vgt_error err = { { 0 } };
	struct gensim_config gc;
	char why[512];
	int ret;

	if (d->cfg.types[0]) {
		d->types_text = read_file(d->cfg.types, why, sizeof(why));
		if (!d->types_text) {
			vgtd_log(VGT_LOG_ERROR, "%s", why);
			return -EINVAL;
		}
	}
	if (d->cfg.transport == VGTD_TRANSPORT_SIM &&
	    (d->cfg.gensim_memory_mb << 20) < vgtd_sim_memory_needed(VGT_MAX_VGPUS)) {
		vgtd_log(VGT_LOG_ERROR, "gensim_memory_mb = %llu is too small for simulated guests "
			 "(need %llu)", (unsigned long long)d->cfg.gensim_memory_mb,
			 (unsigned long long)(vgtd_sim_memory_needed(VGT_MAX_VGPUS) >> 20));
		return -EINVAL;
	}
	gensim_config_init(&gc);
	gc.memory_size = d->cfg.gensim_memory_mb << 20;
	ret = gensim_create(&gc, &d->gs);
	if (ret) {
		vgtd_log(VGT_LOG_ERROR, "cannot create the gensim device: %s", strerror(-ret));
		return ret;
	}
	hp.hw_handle = d->gs;
	hp.types_text = d->types_text;
	hp.debug_mask = d->cfg.debug_mask;
	ret = vgt_host_create(&hp, &d->host, &err);
	if (ret) {
		vgtd_log(VGT_LOG_ERROR, "cannot start the mediator: %s", err.msg);
		goto err_gs;
	}
	if (d->cfg.transport == VGTD_TRANSPORT_XEN) {
		ret = vgt_xen_open(&d->xen, &err);
		if (ret) {
			vgtd_log(VGT_LOG_ERROR, "%s (transport = sim runs without Xen)", err.msg);
			goto err_host;
		}
		/* gensim reaches guests' RAM through the transport's mappings. */
		gensim_set_external_memory(d->gs, vgt_xen_dma_access, d->xen);
	}
	ret = gensim_start_worker(d->gs);
	if (!ret)
		ret = vgt_host_start_service(d->host);
	if (ret) {
		vgtd_log(VGT_LOG_ERROR, "cannot start the device threads: %s", strerror(-ret));
		goto err_xen;
	}
	ret = open_socket(d);
	if (ret)
		goto err_service;
	if (d->xen) {
		ret = vgtd_xsb_open(&d->xsb, &err);
		if (ret) {
			vgtd_log(VGT_LOG_ERROR, "%s", err.msg);
			goto err_socket;
		}
		vgtd_xsb_set_gone(d->xsb, xen_domain_gone, d->xen);
	}
	return 0;

err_socket:
	close(d->listen_fd);
	unlink(d->cfg.socket);
err_service:
	vgt_host_stop_service(d->host);
	gensim_stop_worker(d->gs);
err_xen:
	if (d->xen) {
		gensim_set_external_memory(d->gs, NULL, NULL);
		vgt_xen_close(d->xen);
	}
err_host:
	vgt_host_destroy(d->host);
err_gs:
	gensim_destroy(d->gs);
	return ret;
}

static void stop(struct vgtd *d)
{
	vgtd_xsb_close(d->xsb);
	close(d->listen_fd);
	unlink(d->cfg.socket);
	/* Clients finish the request they are in (bounded by their timeouts). */
	pthread_mutex_lock(&d->clients_lock);
	while (d->clients)
		pthread_cond_wait(&d->clients_done, &d->clients_lock);
	pthread_mutex_unlock(&d->clients_lock);
	vgtd_detach_all(d);
	vgt_host_stop_service(d->host);
	gensim_stop_worker(d->gs);
	if (d->xen) {
		gensim_set_external_memory(d->gs, NULL, NULL);
		vgt_xen_close(d->xen);
	}
	vgt_host_destroy(d->host);
	gensim_destroy(d->gs);
	free(d->types_text);
}

/* Returns false when the watch is lost and must not be polled again. */
static bool reap_dead_domains(struct vgtd *d)
{
	uint32_t dead[VGT_MAX_VGPUS];
	struct vgt_error err = { { 0 } };
	int n = vgt_xen_dead_domains(d->xen, dead, VGT_MAX_VGPUS);

	if (n < 0) {
		vgtd_log(VGT_LOG_ERROR, "lost the connection to xenstore: dying domains are no "
			 "longer noticed; detach them with vgtctl");
		return false;
	}
	for (int i = 0; i < n; i++) {
		vgtd_log(VGT_LOG_INFO, "dom%u is gone: releasing its vGPU", dead[i]);
		vgtd_detach(d, dead[i], &err);
		if (d->xsb)
			vgtd_xsb_domain_gone(d->xsb, dead[i]);
	}
	if (d->xsb)
		vgtd_xsb_sweep(d->xsb);
	return true;
}

static int run(struct vgtd *d, int sfd)
{
	struct pollfd pfd[4] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = d->listen_fd, .events = POLLIN },
		{ .fd = d->xen ? vgt_xen_watch_fd(d->xen) : -1, .events = POLLIN },
		{ .fd = d->xsb ? vgtd_xsb_fd(d->xsb) : -1, .events = POLLIN },
	};

	/*
	 * @releaseDomain can fire before the domain is dying: libxl releases
	 * it in xenstored first and destroys it afterwards, and no event
	 * follows.  So the dead are looked for again, every RECHECK_MS for
	 * RECHECKS times, after each event.
	 */
	enum { RECHECK_MS = 250, RECHECKS = 40 };
	unsigned rechecks = 0;

	vgtd_log(VGT_LOG_INFO, "serving on %s (backend %s, transport %s)", d->cfg.socket,
		 d->cfg.backend, d->cfg.transport == VGTD_TRANSPORT_XEN ? "xen" : "sim");
	for (;;) {
		int n = poll(pfd, 4, rechecks ? RECHECK_MS : -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			vgtd_log(VGT_LOG_ERROR, "poll: %s", strerror(errno));
			return -errno;
		}
		if (n == 0) {
			rechecks--;
			if (pfd[2].fd >= 0 && !reap_dead_domains(d))
				pfd[2].fd = -1;
			continue;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == sizeof(si))
				vgtd_log(VGT_LOG_INFO, "signal %u: stopping", si.ssi_signo);
			return 0;
		}
		if (pfd[1].revents & POLLIN)
			accept_client(d);
		/*
		 * Requests before deaths: a toolstack that takes a vGPU away
		 * (state 5) and then destroys the domain has its request closed
		 * before the sweep at @releaseDomain looks for closed ones.
		 */
		if (pfd[3].revents & (POLLHUP | POLLERR)) {
			vgtd_log(VGT_LOG_ERROR, "lost the connection to xenstore: vGPU requests "
				 "are no longer answered; attach them with vgtctl");
			pfd[3].fd = -1;
		} else if (pfd[3].revents & POLLIN) {
			vgtd_xsb_process(d, d->xsb);
		}
		if (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)) {
			rechecks = RECHECKS;
			if (!reap_dead_domains(d))
				pfd[2].fd = -1;
		}
	}
}

/* --backend, --transport and --socket: short for --set KEY=VALUE. */
static bool is_alias(const char *arg)
{
	return !strcmp(arg, "--backend") || !strcmp(arg, "--transport") || !strcmp(arg, "--socket");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vgtd [--config FILE] [--backend gensim] [--transport xen|sim]\n"
		"            [--socket PATH] [--set KEY=VALUE]... [--check-config]\n"
		"  --config FILE   daemon configuration (default /etc/vgt/vgtd.conf if present)\n"
		"  --set KEY=VALUE override one setting (e.g. --set sim_frames=10)\n"
		"  --check-config  read the configuration, report, exit\n");
}

int main(int argc, char **argv)
{
	static struct vgtd d;
	const char *config = NULL;
	bool check_only = false;
	char why[512];
	sigset_t mask;
	int sfd, ret, i;

	vgtd_log_to_journal(getenv("JOURNAL_STREAM") != NULL);
	vgtd_config_defaults(&d.cfg);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc) {
			config = argv[++i];
		} else if (is_alias(argv[i]) && i + 1 < argc) {
			i++;
		} else if (!strcmp(argv[i], "--set") || !strcmp(argv[i], "--check-config") ||
			   !strcmp(argv[i], "--help")) {
			if (!strcmp(argv[i], "--check-config"))
				check_only = true;
			else if (!strcmp(argv[i], "--help"))
				return usage(stdout), 0;
			else if (++i == argc)
				return usage(stderr), 2;
		} else {
			fprintf(stderr, "vgtd: unknown argument '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (!config && !access("/etc/vgt/vgtd.conf", R_OK))
		config = "/etc/vgt/vgtd.conf";
	if (config && vgtd_config_load(&d.cfg, config, why, sizeof(why))) {
		fprintf(stderr, "vgtd: %s\n", why);
		return 2;
	}
	/* Command-line settings override the file. */
	for (i = 1; i < argc; i++) {
		char key[64], *eq;

		if (is_alias(argv[i])) {
			if (vgtd_config_set(&d.cfg, argv[i] + 2, argv[i + 1], why, sizeof(why))) {
				fprintf(stderr, "vgtd: %s\n", why);
				return 2;
			}
			i++;
			continue;
		}
		if (strcmp(argv[i], "--set")) {
			i += !strcmp(argv[i], "--config");
			continue;
		}
		eq = strchr(argv[++i], '=');
		if (!eq || (size_t)(eq - argv[i]) >= sizeof(key)) {
			fprintf(stderr, "vgtd: --set wants KEY=VALUE, not '%s'\n", argv[i]);
			return 2;
		}
		memcpy(key, argv[i], (size_t)(eq - argv[i]));
		key[eq - argv[i]] = '\0';
		if (vgtd_config_set(&d.cfg, key, eq + 1, why, sizeof(why))) {
			fprintf(stderr, "vgtd: --set %s\n", why);
			return 2;
		}
	}
	vgtd_set_log_level(d.cfg.log_level);
	if (check_only) {
		printf("configuration OK: backend %s, transport %s, socket %s, traces in %s\n",
		       d.cfg.backend, d.cfg.transport == VGTD_TRANSPORT_XEN ? "xen" : "sim",
		       d.cfg.socket, d.cfg.trace_dir);
		return 0;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* Blocked before any thread starts, so only the signalfd sees them. */
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	if (sfd < 0) {
		perror("vgtd: signalfd");
		return 1;
	}
	pthread_mutex_init(&d.lock, NULL);
	pthread_mutex_init(&d.clients_lock, NULL);
	pthread_cond_init(&d.clients_done, NULL);
	ret = start(&d);
	if (ret) {
		close(sfd);
		return 1;
	}
	ret = run(&d, sfd);
	stop(&d);
	close(sfd);
	vgtd_log(VGT_LOG_INFO, "stopped");
	return ret ? 1 : 0;
}

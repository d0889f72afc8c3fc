/* SPDX-License-Identifier: MIT */
/* Subcommands of the `vgt` executable. */
#ifndef VGT_CLI_H
#define VGT_CLI_H

#include <stdbool.h>
#include <stdint.h>

int vgt_cmd_demo(int argc, char **argv);
int vgt_cmd_bench(int argc, char **argv);
/* The mediated benchmarks (bench_mediated.c). */
int vgt_bench_mediated(double secs, bool json);
/* dom0 plus @n - 1 domUs on one gensim through the mediator, for @seconds. */
struct vgt_domains_opts {
	unsigned domains;
	double seconds;
	bool json;
	bool soak;                      /* full load, no vblank pacing */
	const char *shots;              /* folder for dom<N>.png and screen.png, or NULL */
	unsigned vnc_port;              /* 0: no VNC; else domain N on vnc_port + N */
	const char *vnc_password;
	uint64_t frames;                /* per domain, then its screen stays; 0: no limit */
};
int vgt_demo_domains(const struct vgt_domains_opts *o);
int vgt_cmd_soak(int argc, char **argv);
int vgt_cmd_trace(int argc, char **argv);
/* Records @scenario ("demo", "reset", "hostile-*") deterministically into @path. */
int vgt_trace_record(const char *scenario, const char *path, unsigned domains, unsigned frames);

/* Parses a decimal or 0x number in [min, max]; false with a message on error. */
bool vgt_cli_number(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
double vgt_cli_seconds(void);

#endif /* VGT_CLI_H */

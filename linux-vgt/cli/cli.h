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
/* @shots: a folder for each domain's screen as dom<N>.png, or NULL. */
int vgt_demo_domains(unsigned n, double seconds, bool json, bool soak, const char *shots);
int vgt_cmd_soak(int argc, char **argv);

/* Parses a decimal or 0x number in [min, max]; false with a message on error. */
bool vgt_cli_number(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out);
double vgt_cli_seconds(void);

#endif /* VGT_CLI_H */

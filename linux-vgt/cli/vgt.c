/* SPDX-License-Identifier: MIT */
/* vgt: the command-line front end. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
} subcommands[] = {
	{ "demo", vgt_cmd_demo, "render frames with the reference driver and show them (PNG)" },
	{ "bench", vgt_cmd_bench, "what mediation costs; `vgt bench gensim`: gensim alone" },
	{ "soak", vgt_cmd_soak, "domains under full load for minutes, checked for loss and leaks" },
	{ "trace", vgt_cmd_trace, "record, replay, dump and import xentrace-format traces" },
};

bool vgt_cli_number(const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-' || v < min || v > max) {
		fprintf(stderr, "vgt: %s wants a number from %" PRIu64 " to %" PRIu64 ", not '%s'\n",
			opt, min, max, s);
		return false;
	}
	*out = v;
	return true;
}

double vgt_cli_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: vgt COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-8s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "  %-8s %s\n", "help", "this text; `vgt COMMAND --help` for a command");
	fprintf(f, "  %-8s %s\n", "version", "print the version");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version")) {
		printf("vgt %s\n", VGT_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "vgt: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}

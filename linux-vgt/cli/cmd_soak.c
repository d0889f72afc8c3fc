/* SPDX-License-Identifier: MIT */
/*
 * `vgt soak --domains N --minutes M`: the multi-domain run under full load
 * (no vblank pacing) for a long time, checked every second: every domain
 * keeps making progress, memory stays flat after warm-up, and at the end
 * every workload completed exactly once and every frame is right.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static void soak_usage(FILE *f)
{
	fprintf(f, "usage: vgt soak [--domains N] [--minutes M | --seconds S] [--json]\n"
		   "  --domains N   domains, 1..8 (default 4)\n"
		   "  --minutes M   how long (default 1)\n"
		   "  --seconds S   how long, in seconds instead\n"
		   "  --json        the summary as one JSON object\n");
}

int vgt_cmd_soak(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "domains", required_argument, NULL, 'd' },
		{ "minutes", required_argument, NULL, 'm' },
		{ "seconds", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t domains = 4, minutes = 1, secs = 0;
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': if (!vgt_cli_number("--domains", optarg, 1, 8, &domains)) return 2; break;
		case 'm': if (!vgt_cli_number("--minutes", optarg, 1, 24 * 60, &minutes)) return 2; break;
		case 's': if (!vgt_cli_number("--seconds", optarg, 1, 24 * 3600, &secs)) return 2; break;
		case 'j': json = true; break;
		case 'h': soak_usage(stdout); return 0;
		default: soak_usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		soak_usage(stderr);
		return 2;
	}
	struct vgt_domains_opts o = {
		.domains = (unsigned)domains, .seconds = secs ? (double)secs : 60.0 * (double)minutes,
		.json = json, .soak = true,
	};

	return vgt_demo_domains(&o);
}

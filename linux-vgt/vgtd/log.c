/* SPDX-License-Identifier: MIT */
/* vgtd's log: stderr, with journald's priority prefixes when run by systemd. */
#include <stdarg.h>
#include <stdio.h>

#include "vgtd.h"

static enum vgt_log_level log_level = VGT_LOG_INFO;
static bool log_journal;

void vgtd_set_log_level(enum vgt_log_level level)
{
	log_level = level;
}

void vgtd_log_to_journal(bool on)
{
	log_journal = on;
}

void vgtd_log(enum vgt_log_level level, const char *fmt, ...)
{
	static const int prio[] = { 3, 4, 6, 7 };
	static const char *const name[] = { "error", "warning", "info", "debug" };
	char msg[512];
	va_list ap;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (log_journal)
		fprintf(stderr, "<%d>%s\n", prio[level], msg);
	else
		fprintf(stderr, "vgtd: %s: %s\n", name[level], msg);
}

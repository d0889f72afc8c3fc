/* SPDX-License-Identifier: MIT */
/*
 * Replays fuzz inputs without libFuzzer: every file named, and every file
 * in every directory named (in name order, so that runs compare), goes
 * through the target.  The test suite runs each target over its seed
 * corpus and its saved regressions this way.
 *
 * Targets that keep their world between inputs (fuzz_env.h) are asked to
 * check every input thoroughly and to say what it did (fz_outcome).  Then
 * independence is checked: after all inputs ran once in order, each runs
 * again twice in a row, in reverse order, and must do what it did the
 * first time, whatever ran before it.  Inputs named "clock-..." store the
 * device clock, the one shared thing that runs on between inputs: they are
 * replayed and checked like any other, but not expected to do the same.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Defined by targets with a persistent world only. */
void fz_replay_mode(void) __attribute__((weak));
uint64_t fz_outcome(void) __attribute__((weak));

struct input {
	char *path;
	uint8_t *data;
	size_t size;
	uint64_t outcome;
};

static int load(struct input *in, const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	in->path = strdup(path);
	if (!in->path || !f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	in->size = (size_t)n;
	in->data = malloc(in->size + 1);
	if (!in->data || fread(in->data, 1, in->size, f) != in->size) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends the files a command-line argument names, sorted within a directory. */
static int collect(const char *arg, struct input **ins, size_t *n, size_t *cap)
{
	char **names = NULL;
	size_t nn = 0, cn = 0;
	struct stat st;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (stat(arg, &st)) {
		fprintf(stderr, "replay: no such input %s\n", arg);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		names = malloc(sizeof(*names));
		if (!names || !(names[0] = strdup(arg)))
			return -1;
		nn = 1;
	} else {
		d = opendir(arg);
		if (!d)
			return -1;
		while ((de = readdir(d))) {
			char path[4096];

			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", arg, de->d_name);
			if (nn == cn) {
				char **more = realloc(names, (cn = cn ? 2 * cn : 64) * sizeof(*names));

				if (!more) {
					closedir(d);
					return -1;
				}
				names = more;
			}
			if (!(names[nn++] = strdup(path))) {
				closedir(d);
				return -1;
			}
		}
		closedir(d);
		if (nn)         /* an empty folder: no list to sort (qsort wants one) */
			qsort(names, nn, sizeof(*names), by_name);
	}
	for (size_t i = 0; i < nn; i++) {
		if (!ret) {
			if (*n == *cap) {
				struct input *more = realloc(*ins, (*cap = *cap ? 2 * *cap : 64) * sizeof(**ins));

				if (!more)
					return -1;
				*ins = more;
			}
			memset(&(*ins)[*n], 0, sizeof(**ins));
			ret = load(&(*ins)[(*n)++], names[i]);
		}
		free(names[i]);
	}
	free(names);
	return ret;
}

static uint64_t run(const struct input *in)
{
	LLVMFuzzerTestOneInput(in->data, in->size);
	return fz_outcome ? fz_outcome() : 0;
}

int main(int argc, char **argv)
{
	struct input *ins = NULL;
	size_t n = 0, cap = 0;
	unsigned differ = 0;

	for (int i = 1; i < argc; i++)
		if (collect(argv[i], &ins, &n, &cap))
			return 1;
	if (fz_replay_mode)
		fz_replay_mode();
	for (size_t i = 0; i < n; i++)
		ins[i].outcome = run(&ins[i]);
	if (fz_outcome) {
		for (size_t i = n; i-- > 0;) {
			uint64_t again = run(&ins[i]), twice = run(&ins[i]);
			const char *base = strrchr(ins[i].path, '/');

			base = base ? base + 1 : ins[i].path;
			if (!strncmp(base, "clock-", 6))
				continue;
			if (again != ins[i].outcome || twice != again) {
				fprintf(stderr, "replay: %s does not do the same each time (%016llx, then "
					"%016llx, then %016llx)\n", ins[i].path,
					(unsigned long long)ins[i].outcome, (unsigned long long)again,
					(unsigned long long)twice);
				differ++;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(ins[i].path);
		free(ins[i].data);
	}
	free(ins);
	if (differ) {
		fprintf(stderr, "replay: %u of %zu inputs depend on the inputs before them\n", differ, n);
		return 1;
	}
	printf("%zu inputs replayed%s, all invariants held\n", n,
	       fz_outcome ? " and replayed twice more, each doing the same each time" : "");
	return n ? 0 : 1;
}

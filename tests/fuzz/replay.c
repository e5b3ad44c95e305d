/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Replays inputs through a fuzz target's entry point without libFuzzer, so that the
 * seed corpora and the regression inputs (tests/fuzz/regress/TARGET: each one a crash
 * that was fixed) run under `meson test` in the gcc builds, sanitizers included.
 * Arguments are files or directories (their regular files, in name order). A target that
 * breaks a contract aborts, which fails the test; a path that does not exist is skipped
 * (a target without regression inputs yet).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_MAX_INPUT (1u << 20)

static int replay_file(const char *path)
{
	static uint8_t buf[REPLAY_MAX_INPUT];
	uint8_t *copy;
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -errno;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	/* A copy of exactly the input's size, as libFuzzer passes it, so that ASan sees a
	 * read past its end. */
	copy = malloc(n ? n : 1);
	if (copy == NULL)
		return -ENOMEM;
	memcpy(copy, buf, n);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
	LLVMFuzzerTestOneInput(copy, n);
	free(copy);
	return 0;
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int replay_dir(const char *dir, unsigned *count)
{
	struct dirent **names;
	char path[4096];
	struct stat st;
	int n, rc = 0;

	n = scandir(dir, &names, NULL, by_name);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		if (names[i]->d_name[0] != '.' && stat(path, &st) == 0 && S_ISREG(st.st_mode)) {
			if (replay_file(path) < 0)
				rc = -1;
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned count = 0;
	struct stat st;
	int rc = 0;

	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) < 0) {
			fprintf(stderr, "replay: %s: none\n", argv[i]); /* no regression yet */
		} else if (S_ISDIR(st.st_mode)) {
			rc |= replay_dir(argv[i], &count);
		} else {
			rc |= replay_file(argv[i]);
			count++;
		}
	}
	printf("%u inputs replayed through %s\n", count, argv[0]);
	return rc == 0 ? 0 : 1;
}

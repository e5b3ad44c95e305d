/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL of a fuzz target: --no-huge --no-pci (never a real device, never the host's
 * hugepages) and a --file-prefix unique to the process, so that targets run in parallel
 * with each other and with the test suite.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>

#include "fuzz_eal.h"

static char runtime_dir[PATH_MAX];

/* At exit: the EAL's files of this process (/var/run/dpdk/PREFIX) go with it, so that
 * runs of the targets leave nothing behind. The EAL itself is left as it is: the process
 * ends anyway. */
static void runtime_dir_remove(void)
{
	char path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d = opendir(runtime_dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", runtime_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(runtime_dir);
}

void fuzz_eal_init(const char *name, const char *const *extra)
{
	static char prefix[96];
	char *argv[32];
	int argc = 0;

	snprintf(prefix, sizeof(prefix), "--file-prefix=rh_%s_%d", name, (int)getpid());
	argv[argc++] = (char *)name;
	argv[argc++] = (char *)"--no-huge";
	argv[argc++] = (char *)"--no-pci";
	argv[argc++] = (char *)"-m";
	argv[argc++] = (char *)"600";
	argv[argc++] = (char *)"-l";
	argv[argc++] = (char *)"0";
	argv[argc++] = (char *)"--log-level=crit";
	argv[argc++] = prefix;
	for (unsigned i = 0; extra != NULL && extra[i] != NULL && argc < 31; i++)
		argv[argc++] = (char *)extra[i];
	argv[argc] = NULL;
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "%s: rte_eal_init failed\n", name);
		exit(1);
	}
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	atexit(runtime_dir_remove);
}

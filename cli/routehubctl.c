/* SPDX-License-Identifier: BSD-3-Clause */
/* routehubctl: the operator's command line for both daemons. */
#include <stdio.h>
#include <string.h>

#include "check.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: routehubctl COMMAND\n"
	           "  check FILE     validate a configuration file (0 valid, 1 invalid)\n"
	           "  version        print the version\n");
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "check") == 0)
		return rh_config_check_main("routehubctl", argv[2]);
	if (argc == 2 && (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0)) {
		printf("routehubctl %s\n", RH_VERSION);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0)) {
		usage(stdout);
		return 0;
	}
	usage(stderr);
	return 2;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* routehub-controlplane: the BGP speaker and the hub model. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: routehub-controlplane --check FILE\n"
	           "  --check FILE   validate a configuration file and exit (0 valid, 1 invalid)\n"
	           "  --version      print the version\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"check", required_argument, NULL, 'k'},
	        {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "k:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			return rh_config_check_main("routehub-controlplane", optarg);
		case 'V':
			printf("routehub-controlplane %s\n", RH_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	usage(stderr);
	return 2;
}

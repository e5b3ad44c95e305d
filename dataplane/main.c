/* SPDX-License-Identifier: BSD-3-Clause */
/* routehub-dataplane: the DPDK poll-mode forwarding process. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_version.h>

#include "check.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: routehub-dataplane --check FILE\n"
	           "  --check FILE   validate a configuration file and exit (0 valid, 1 invalid)\n"
	           "  --version      print the version and the DPDK version\n");
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
			return rh_config_check_main("routehub-dataplane", optarg);
		case 'V':
			printf("routehub-dataplane %s (%s)\n", RH_VERSION, rte_version());
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

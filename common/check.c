/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include "check.h"
#include "config.h"

int rh_config_check_main(const char *prog, const char *file)
{
	unsigned problems = 0;
	struct rh_config *cfg = rh_config_load(file, stderr, &problems);

	if (cfg == NULL) {
		fprintf(stderr, "%s: %s: %u problem%s, configuration refused\n", prog, file,
		        problems, problems == 1 ? "" : "s");
		return 1;
	}
	printf("%s: %s: configuration valid (%u NVA peer%s, ExpressRoute %s, VPN gateway %s, %u "
	       "port%s)\n",
	       prog, file, cfg->rs.n_peers, cfg->rs.n_peers == 1 ? "" : "s",
	       cfg->er.present ? "present" : "absent", cfg->vpn.present ? "present" : "absent",
	       cfg->dp.n_ports, cfg->dp.n_ports == 1 ? "" : "s");
	rh_config_free(cfg);
	return 0;
}

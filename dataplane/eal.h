/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The EAL arguments of routehub-dataplane, from the configuration and the process's CPUs:
 *   -l MAIN[,WORKER...] --main-lcore=MAIN
 *      configured worker cores run the workers; the main lcore is the first CPU of the
 *      process that is not one of them. Without worker cores: the first CPU is the main
 *      lcore and the second runs the one worker, or, with a single CPU, the worker runs
 *      in the main lcore's loop ("interleaved");
 *   --file-prefix=routehub-XXXXXXXX  FNV-1a of the management socket path, so that
 *      instances with their own sockets have their own runtime files (unless eal-args
 *      names a prefix);
 *   --vdev ARGS for each vdev port, -a ADDR for each PCI port, --no-pci when there is no
 *      PCI port (and eal-args does not choose devices itself);
 *   then eal-args, split at spaces.
 */
#ifndef ROUTEHUB_DP_EAL_H
#define ROUTEHUB_DP_EAL_H

#include <sched.h>
#include <stdbool.h>

#include "config.h"

#define DP_EAL_MAX_ARGS 160

struct dp_eal_plan {
	unsigned main_lcore;
	unsigned n_workers;
	unsigned worker_lcore[RH_MAX_WORKERS];
	bool interleaved; /* the worker runs in the main lcore's loop */
	int argc;
	char *argv[DP_EAL_MAX_ARGS]; /* argv[argc] is NULL */
};

/*
 * Fills plan (argv[0] = prog). Returns 0, -EINVAL when no CPU is left for the main lcore,
 * -E2BIG when the arguments do not fit, -ENOMEM. Free with dp_eal_plan_free() either way.
 */
int dp_eal_plan(const struct rh_dp_cfg *dp, const cpu_set_t *cpus, const char *prog,
                struct dp_eal_plan *plan);
void dp_eal_plan_free(struct dp_eal_plan *plan);

/* The runtime-directory name derived from a socket path ("routehub-%08x"). */
void dp_eal_file_prefix(const char *socket_path, char *buf, size_t size);

#endif

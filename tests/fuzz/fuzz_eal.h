/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL set-up shared by the fuzz targets that need DPDK: see fuzz_eal.c. */
#ifndef ROUTEHUB_FUZZ_EAL_H
#define ROUTEHUB_FUZZ_EAL_H

/*
 * Initialises the EAL once: no hugepages, no PCI, one lcore, a file prefix of its own
 * (name and pid), and the extra arguments (vdevs, may be NULL-terminated empty). Exits
 * the process on failure: a target cannot run without it.
 */
void fuzz_eal_init(const char *name, const char *const *extra);

#endif

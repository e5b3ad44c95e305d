/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ROUTEHUB_CHECK_H
#define ROUTEHUB_CHECK_H

/*
 * `--check FILE`, shared by both daemons and routehubctl: validates the file, prints one
 * line per problem on stderr, and returns the process exit code (0 valid, 1 invalid).
 */
int rh_config_check_main(const char *prog, const char *file);

#endif

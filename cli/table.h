/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef ROUTEHUB_CLI_TABLE_H
#define ROUTEHUB_CLI_TABLE_H

#include <stdio.h>

/*
 * Prints operational state (JSON of the routehub:state container) for people: each list
 * as a table with a header and aligned columns (leaf-lists joined by commas), each other
 * leaf as "name: value"; "(none)" when there is nothing to show. Returns 0, or a
 * negative errno when the JSON does not follow the schema (then nothing is printed).
 */
int table_print_state(FILE *out, const char *json);

#endif

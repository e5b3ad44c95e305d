/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shell completion from routehubctl's own grammar, so that it never drifts from the
 * commands: the bash script (cli/routehubctl.bash) runs `routehubctl --complete WORDS...`
 * with the words of the line up to the cursor, the last one partial (possibly empty),
 * and offers what it prints, one candidate a line.
 */
#ifndef ROUTEHUB_CLI_COMPLETE_H
#define ROUTEHUB_CLI_COMPLETE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Prints this instead of candidates when the word is a file name: bash completes files. */
#define COMPLETE_FILE "@file"

/*
 * Whether a word fits a grammar pattern: "A|B" a choice, ADDR an address, PREFIX a
 * prefix or an address, FILE any word.
 */
bool grammar_word_matches(const char *pattern, const char *word);

/*
 * The candidates for the last of words[0..n-1] (options included, as typed), from the
 * grammar (n_cmds patterns as "show bgp neighbor ADDR received-routes|advertised-routes").
 * An ADDR is completed with the neighbours of the running control plane (show bgp
 * summary at the socket that the line's options, ROUTEHUB_CP_SOCKET or cp_default name),
 * nothing when it does not answer. Always returns 0: completion never fails loudly.
 */
int complete_main(FILE *out, const char *const *grammar, size_t n_cmds, const char *cp_default,
                  int n, char **words);

#endif

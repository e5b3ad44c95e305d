/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "complete.h"
#include "config.h"
#include "mgmt.h"

#define MAX_WORDS      16
#define MAX_CANDIDATES 256

bool grammar_word_matches(const char *pattern, const char *word)
{
	char alt[128];

	if (strcmp(pattern, "ADDR") == 0) {
		struct rh_addr a;

		return rh_addr_parse(word, &a) == 0;
	}
	if (strcmp(pattern, "PREFIX") == 0) {
		struct rh_prefix p;

		return rh_prefix_parse(word, &p, false) == 0;
	}
	if (strcmp(pattern, "FILE") == 0)
		return word[0] != '\0';
	snprintf(alt, sizeof(alt), "%s", pattern);
	for (char *save = NULL, *t = strtok_r(alt, "|", &save); t != NULL;
	     t = strtok_r(NULL, "|", &save))
		if (strcmp(t, word) == 0)
			return true;
	return false;
}

struct candidates {
	char *v[MAX_CANDIDATES];
	size_t n;
	bool file; /* a FILE is expected here: bash completes file names */
};

static void cand_add(struct candidates *c, const char *word, size_t len, const char *cur)
{
	if (strlen(cur) > len || strncmp(word, cur, strlen(cur)) != 0)
		return;
	for (size_t i = 0; i < c->n; i++)
		if (strlen(c->v[i]) == len && strncmp(c->v[i], word, len) == 0)
			return;
	if (c->n < MAX_CANDIDATES && (c->v[c->n] = strndup(word, len)) != NULL)
		c->n++;
}

/* The neighbours' addresses from `show bgp summary` (its JSON: "address":"..."). */
static void cand_neighbours(struct candidates *c, const char *sock, const char *cur)
{
	static const char key[] = "\"address\":\"";
	enum mgmt_status st;
	char *body = NULL;
	size_t len;

	if (mgmt_request(sock, "show bgp summary", 1000, &st, &body, &len) < 0)
		return;
	for (const char *p = st == MGMT_OK ? strstr(body, key) : NULL; p != NULL;
	     p = strstr(p, key)) {
		const char *end;

		p += sizeof(key) - 1;
		end = strchr(p, '"');
		if (end == NULL)
			break;
		cand_add(c, p, (size_t)(end - p), cur);
	}
	free(body);
}

/* Candidates from one grammar line for the word after the typed ones, if they fit it. */
static void cand_grammar(struct candidates *c, const char *line, char **typed, int n_typed,
                         const char *cur, const char *sock)
{
	char words[256], *pat[MAX_WORDS];
	int n = 0;

	snprintf(words, sizeof(words), "%s", line);
	for (char *save = NULL, *t = strtok_r(words, " ", &save); t != NULL && n < MAX_WORDS;
	     t = strtok_r(NULL, " ", &save))
		pat[n++] = t;
	if (n_typed >= n)
		return;
	for (int i = 0; i < n_typed; i++)
		if (!grammar_word_matches(pat[i], typed[i]))
			return;
	if (strcmp(pat[n_typed], "ADDR") == 0) {
		cand_neighbours(c, sock, cur);
		return;
	}
	if (strcmp(pat[n_typed], "FILE") == 0)
		c->file = true;
	if (strcmp(pat[n_typed], "PREFIX") == 0 || strcmp(pat[n_typed], "FILE") == 0)
		return;
	for (const char *a = pat[n_typed]; *a != '\0';) {
		size_t len = strcspn(a, "|");

		cand_add(c, a, len, cur);
		a += len + (a[len] == '|');
	}
}

/* An option that takes a value, and so where its value goes. */
static const char *const value_opts[] = {"-c", "--config", "--cp-socket", "--dp-socket"};

static bool takes_value(const char *w)
{
	for (size_t i = 0; i < sizeof(value_opts) / sizeof(value_opts[0]); i++)
		if (strcmp(w, value_opts[i]) == 0)
			return true;
	return false;
}

int complete_main(FILE *out, const char *const *grammar, size_t n_cmds, const char *cp_default,
                  int n, char **words)
{
	static const char *const opts[] = {"-c",     "--config", "--cp-socket", "--dp-socket", "-j",
	                                   "--json", "-h",       "--help",      "--version"};
	const char *cur = n > 0 ? words[n - 1] : "", *sock = getenv("ROUTEHUB_CP_SOCKET");
	const char *config = NULL;
	struct candidates c = {0};
	char *typed[MAX_WORDS];
	int n_typed = 0;

	/* The options before the cursor (they name the socket); the command's words. */
	for (int i = 0; i + 1 < n; i++) {
		if (takes_value(words[i]) && i + 2 < n) {
			if (strcmp(words[i], "--cp-socket") == 0)
				sock = words[i + 1];
			else if (strcmp(words[i], "--dp-socket") != 0)
				config = words[i + 1];
			i++;
		} else if (takes_value(words[i])) {
			fprintf(out, "%s\n", COMPLETE_FILE);
			return 0;
		} else if (strncmp(words[i], "--cp-socket=", 12) == 0) {
			sock = words[i] + 12;
		} else if (strncmp(words[i], "--config=", 9) == 0) {
			config = words[i] + 9;
		} else if (words[i][0] != '-' && n_typed < MAX_WORDS) {
			typed[n_typed++] = words[i];
		}
	}
	if (cur[0] == '-' && n_typed == 0) {
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
			cand_add(&c, opts[i], strlen(opts[i]), cur);
	} else if (n_typed == 1 && strcmp(typed[0], "check") == 0) {
		fprintf(out, "%s\n", COMPLETE_FILE);
		return 0;
	} else {
		struct rh_config *cfg = NULL;

		if (sock == NULL && config != NULL) {
			FILE *null = fopen("/dev/null", "w");

			cfg = rh_config_load(config, null != NULL ? null : stderr, NULL);
			if (null != NULL)
				fclose(null);
		}
		if (sock == NULL)
			sock = cfg != NULL ? cfg->cp.mgmt_socket : cp_default;
		if (n_typed == 0) {
			cand_add(&c, "check", 5, cur);
			cand_add(&c, "version", 7, cur);
		}
		for (size_t i = 0; i < n_cmds; i++)
			cand_grammar(&c, grammar[i], typed, n_typed, cur, sock);
		rh_config_free(cfg);
	}
	if (c.file && c.n == 0)
		fprintf(out, "%s\n", COMPLETE_FILE);
	for (size_t i = 0; i < c.n; i++) {
		fprintf(out, "%s\n", c.v[i]);
		free(c.v[i]);
	}
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libyang/libyang.h>

#include "config.h"
#include "table.h"

#define TABLE_MAX_COLS 24

struct column {
	const char *name;
	size_t width;
};

/* The text of one cell: a leaf's value, or a leaf-list's values joined by commas. */
static char *cell(const struct lyd_node *entry, const char *name)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	bool first = true;

	if (f == NULL)
		return NULL;
	for (const struct lyd_node *c = lyd_child(entry); c != NULL; c = c->next) {
		if (c->schema == NULL || strcmp(c->schema->name, name) != 0)
			continue;
		fprintf(f, "%s%s", first ? "" : ",", lyd_get_value(c));
		first = false;
	}
	fclose(f);
	return out;
}

/* Columns in schema order, so that every table of one list looks the same. */
static unsigned list_columns(const struct lysc_node *list, struct column *cols)
{
	unsigned n = 0;
	const struct lysc_node *c = NULL;

	while ((c = lys_getnext(c, list, NULL, 0)) != NULL && n < TABLE_MAX_COLS)
		if (c->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
			cols[n].name = c->name;
			cols[n++].width = strlen(c->name);
		}
	return n;
}

static void print_nested(FILE *out, const struct lyd_node *entry, bool *sep);

/* Whether an entry has a leaf besides its keys: something a row would show. */
static bool has_data(const struct lyd_node *entry)
{
	for (const struct lyd_node *c = lyd_child(entry); c != NULL; c = c->next)
		if (c->schema != NULL && (c->schema->nodetype & (LYS_LEAF | LYS_LEAFLIST)) &&
		    !lysc_is_key(c->schema))
			return true;
	return false;
}

static void print_list(FILE *out, const struct lyd_node *first)
{
	struct column cols[TABLE_MAX_COLS];
	unsigned n = list_columns(first->schema, cols);
	bool rows = false;

	/*
	 * An answer that names an entry only by its keys, to carry nested lists (a
	 * neighbour's received routes), has no row of its own: a row of keys and dashes
	 * would read as one more, empty, neighbour. Its keys title the nested tables.
	 */
	for (const struct lyd_node *e = first; e != NULL && !rows; e = e->next)
		rows = e->schema == first->schema && has_data(e);
	if (!rows)
		n = 0;

	/* Two passes: widths, then rows. */
	for (const struct lyd_node *e = first; e != NULL; e = e->next) {
		if (e->schema != first->schema)
			continue;
		for (unsigned i = 0; i < n; i++) {
			char *v = cell(e, cols[i].name);

			if (v != NULL && strlen(v) > cols[i].width)
				cols[i].width = strlen(v);
			free(v);
		}
	}
	/* The last column is not padded: no trailing blanks. */
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%-*s%s", i + 1 < n ? (int)cols[i].width : 0, cols[i].name,
		        i + 1 < n ? "  " : "\n");
	for (const struct lyd_node *e = first; e != NULL; e = e->next) {
		if (e->schema != first->schema)
			continue;
		for (unsigned i = 0; i < n; i++) {
			char *v = cell(e, cols[i].name);

			fprintf(out, "%-*s%s", i + 1 < n ? (int)cols[i].width : 0,
			        v != NULL && *v ? v : "-", i + 1 < n ? "  " : "\n");
			free(v);
		}
	}
	for (const struct lyd_node *e = first; e != NULL; e = e->next)
		if (e->schema == first->schema)
			print_nested(out, e, &rows);
}

/*
 * The lists inside one entry of a list (a neighbour's received routes), each as a table
 * of its own under a title naming the entry by its keys.
 */
static void print_nested(FILE *out, const struct lyd_node *entry, bool *sep)
{
	const struct lysc_node *done[16];
	unsigned n_done = 0;

	for (const struct lyd_node *c = lyd_child(entry); c != NULL; c = c->next) {
		bool seen = false;

		if (c->schema == NULL || c->schema->nodetype != LYS_LIST)
			continue;
		for (unsigned i = 0; i < n_done; i++)
			seen |= done[i] == c->schema;
		if (seen)
			continue;
		if (n_done < 16)
			done[n_done++] = c->schema;
		/* A blank line between tables, none before the first one printed. */
		fprintf(out, "%s%s of", *sep ? "\n" : "", c->schema->name);
		*sep = true;
		for (const struct lyd_node *k = lyd_child(entry); k != NULL; k = k->next)
			if (k->schema != NULL && lysc_is_key(k->schema))
				fprintf(out, " %s", lyd_get_value(k));
		fputs(":\n", out);
		print_list(out, c);
	}
}

static void print_container(FILE *out, const struct lyd_node *parent)
{
	const struct lysc_node *done[64];
	unsigned n_done = 0;

	for (const struct lyd_node *c = lyd_child(parent); c != NULL; c = c->next) {
		bool seen = false;

		if (c->schema == NULL)
			continue;
		for (unsigned i = 0; i < n_done; i++)
			seen |= done[i] == c->schema;
		if (seen)
			continue;
		if (n_done < 64)
			done[n_done++] = c->schema;
		if (c->schema->nodetype == LYS_LIST) {
			print_list(out, c);
		} else if (c->schema->nodetype & (LYS_LEAF | LYS_LEAFLIST)) {
			char *v = cell(parent, c->schema->name);

			fprintf(out, "%s: %s\n", c->schema->name, v != NULL ? v : "");
			free(v);
		} else if (c->schema->nodetype == LYS_CONTAINER) {
			fprintf(out, "%s:\n", c->schema->name);
			print_container(out, c);
		}
	}
}

int table_print_state(FILE *out, const char *json)
{
	struct ly_ctx *ctx = NULL;
	struct lyd_node *tree = NULL;
	int rc = 0;

	ly_log_options(LY_LOSTORE);
	if (ly_ctx_new(rh_config_yang_dir(), LY_CTX_DISABLE_SEARCHDIR_CWD, &ctx) != LY_SUCCESS)
		return -ENOMEM;
	if (ly_ctx_load_module(ctx, "routehub", NULL, NULL) == NULL) {
		rc = -ENOENT;
		goto out;
	}
	if (lyd_parse_data_mem(ctx, json, LYD_JSON, LYD_PARSE_ONLY | LYD_PARSE_STRICT, 0, &tree) !=
	    LY_SUCCESS) {
		rc = -EBADMSG;
		goto out;
	}
	/* Rendered aside first: an answer with nothing in it says so ("(none)"), rather
	 * than printing nothing, which reads like a failure. */
	{
		char *text = NULL;
		size_t size = 0;
		FILE *f = open_memstream(&text, &size);

		if (f == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (const struct lyd_node *n = tree; n != NULL; n = n->next)
			print_container(f, n);
		if (fclose(f) != 0) {
			free(text);
			rc = -ENOMEM;
			goto out;
		}
		fputs(size > 0 ? text : "(none)\n", out);
		free(text);
	}
out:
	lyd_free_all(tree);
	ly_ctx_destroy(ctx);
	return rc;
}

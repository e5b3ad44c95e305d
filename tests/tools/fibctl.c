/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fibctl: programs a running dataplane's FIB over the FIB channel, for tests and labs
 * (the control plane does this in production).
 *
 *   fibctl [--max-nh N] SOCKET route add PREFIX via ADDR[,ADDR...]
 *   fibctl [--max-nh N] SOCKET route del PREFIX
 *   fibctl [--max-nh N] SOCKET sync-file FILE
 *
 * Next hops are sent with FIBC_PORT_ANY: the dataplane finds their port from its
 * connected subnets. Several addresses make an ECMP group.
 *
 * Ids: sync-file numbers the file's next hops 1, 2, ... and its groups likewise, and sends
 * the whole table between SYNC_BEGIN and SYNC_END, so what the file no longer names is
 * swept. route add, which knows nothing of earlier calls, derives ids from the addresses
 * (a hash into 1..N, N = --max-nh, the dataplane's max-next-hops, default 256): two
 * addresses may collide, so tests with many next hops use sync-file. A file holds one
 * route a line, "PREFIX via ADDR[,ADDR...]"; '#' starts a comment.
 *
 * Exit status: 0 done, 1 refused by the dataplane or unreachable, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fibc.h"
#include "routehub/prefix.h"

#define MAX_NH     FIBC_NHG_MAX_MEMBERS
#define MAX_GROUPS 4096 /* the dataplane's */
#define MAX_LINES  4096

struct table {
	unsigned n_nh;
	struct rh_addr nh[MAX_LINES];
	unsigned n_groups;
	uint32_t group_key[MAX_LINES];
};

static unsigned max_nh = 256;

static uint32_t fnv1a(const void *p, size_t n, uint32_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/* "A,B,C" into addresses; returns how many, or -1. */
static int parse_via(const char *s, struct rh_addr *a, unsigned max)
{
	char buf[1024], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if ((unsigned)n == max || rh_addr_parse(t, &a[n]) < 0)
			return -1;
		n++;
	}
	return n;
}

static int send_nh(struct fibc *c, uint32_t id, const struct rh_addr *a)
{
	struct fibc_nh nh = {.id = id, .port = FIBC_PORT_ANY, .family = a->family};

	memcpy(nh.addr, a->bytes, 16);
	return fibc_nh_add(c, &nh);
}

/* Sends the next hops (and group) of a route with the given ids; sets r's target. */
static int send_target(struct fibc *c, struct fibc_route *r, const uint32_t *ids,
                       const struct rh_addr *via, int n, uint32_t group_id)
{
	int rc = 0;

	for (int i = 0; i < n && rc == 0; i++)
		rc = send_nh(c, ids[i], &via[i]);
	if (rc == 0 && n > 1) {
		rc = fibc_nhg_add(c, group_id, ids, (unsigned)n);
		r->flags = FIBC_RT_F_GROUP;
		r->nh_id = group_id;
	} else {
		r->nh_id = ids[0];
	}
	return rc;
}

static int route_add(struct fibc *c, const struct rh_prefix *p, const char *via_s)
{
	struct rh_addr via[MAX_NH];
	uint32_t ids[MAX_NH], gkey = 2166136261u;
	struct fibc_route r = {.family = p->family, .len = p->len};
	int n = parse_via(via_s, via, MAX_NH), rc;

	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		ids[i] = 1 + fnv1a(via[i].bytes, 16, 2166136261u) % max_nh;
		gkey = fnv1a(&ids[i], sizeof(ids[i]), gkey);
	}
	memcpy(r.addr, p->bytes, 16);
	rc = send_target(c, &r, ids, via, n, 1 + gkey % MAX_GROUPS);
	if (rc == 0)
		rc = fibc_route_add(c, &r);
	return rc == 0 ? fibc_flush(c, NULL) : rc;
}

static int route_del(struct fibc *c, const struct rh_prefix *p)
{
	struct fibc_route r = {.family = p->family, .len = p->len};
	int rc;

	memcpy(r.addr, p->bytes, 16);
	rc = fibc_route_del(c, &r);
	return rc == 0 ? fibc_flush(c, NULL) : rc;
}

/* The id of an address in the table (added if new). */
static uint32_t table_nh(struct table *t, const struct rh_addr *a)
{
	for (unsigned i = 0; i < t->n_nh; i++)
		if (rh_addr_equal(&t->nh[i], a))
			return i + 1;
	t->nh[t->n_nh] = *a;
	return ++t->n_nh;
}

static int sync_line(struct fibc *c, struct table *t, char *line, unsigned lineno)
{
	char *save = NULL, *pfx = strtok_r(line, " \t\n", &save);
	char *kw = strtok_r(NULL, " \t\n", &save), *via_s = strtok_r(NULL, " \t\n", &save);
	struct rh_addr via[MAX_NH];
	uint32_t ids[MAX_NH];
	struct rh_prefix p;
	struct fibc_route r;
	int n;

	if (pfx == NULL || pfx[0] == '#')
		return 0;
	if (kw == NULL || strcmp(kw, "via") != 0 || via_s == NULL ||
	    rh_prefix_parse(pfx, &p, false) < 0 || (n = parse_via(via_s, via, MAX_NH)) <= 0 ||
	    t->n_nh + (unsigned)n > MAX_LINES || t->n_groups == MAX_GROUPS) {
		fprintf(stderr, "fibctl: line %u: expected PREFIX via ADDR[,ADDR...]\n", lineno);
		return -EINVAL;
	}
	for (int i = 0; i < n; i++)
		ids[i] = table_nh(t, &via[i]);
	memset(&r, 0, sizeof(r));
	r.family = p.family;
	r.len = p.len;
	memcpy(r.addr, p.bytes, 16);
	n = send_target(c, &r, ids, via, n, n > 1 ? ++t->n_groups : 0);
	return n == 0 ? fibc_route_add(c, &r) : n;
}

static int sync_file(struct fibc *c, const char *file)
{
	struct table *t = calloc(1, sizeof(*t));
	FILE *f = fopen(file, "r");
	char line[2048];
	unsigned lineno = 0;
	int rc;

	if (t == NULL || f == NULL) {
		rc = -errno;
		free(t);
		if (f != NULL)
			fclose(f);
		return rc;
	}
	rc = fibc_sync_begin(c, NULL);
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL)
		rc = sync_line(c, t, line, ++lineno);
	if (rc == 0)
		rc = fibc_flush(c, NULL);
	if (rc == 0)
		rc = fibc_sync_end(c, NULL);
	fclose(f);
	free(t);
	return rc;
}

static int usage(void)
{
	fprintf(stderr, "usage: fibctl [--max-nh N] SOCKET route add PREFIX via ADDR[,ADDR...]\n"
	                "       fibctl [--max-nh N] SOCKET route del PREFIX\n"
	                "       fibctl [--max-nh N] SOCKET sync-file FILE\n");
	return 2;
}

/* 0, a negative errno, or 1 when the words are not a command. */
static int run(struct fibc *c, int argc, char **argv)
{
	struct rh_prefix p;

	if (argc == 2 && strcmp(argv[0], "sync-file") == 0)
		return sync_file(c, argv[1]);
	if (argc >= 3 && strcmp(argv[0], "route") == 0 &&
	    rh_prefix_parse(argv[2], &p, false) == 0) {
		if (argc == 5 && strcmp(argv[1], "add") == 0 && strcmp(argv[3], "via") == 0)
			return route_add(c, &p, argv[4]);
		if (argc == 3 && strcmp(argv[1], "del") == 0)
			return route_del(c, &p);
	}
	return 1; /* not a command: usage */
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"max-nh", required_argument, NULL, 'n'},
	        {NULL, 0, NULL, 0},
	};
	struct fibc *c;
	int o, rc;

	while ((o = getopt_long(argc, argv, "+n:", opts, NULL)) != -1) {
		if (o != 'n')
			return usage();
		max_nh = (unsigned)strtoul(optarg, NULL, 10);
		if (max_nh == 0)
			return usage();
	}
	if (argc - optind < 3)
		return usage();
	c = fibc_connect(argv[optind], 5000, 0);
	if (c == NULL) {
		fprintf(stderr, "fibctl: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	rc = fibc_hello(c, NULL);
	if (rc == 0)
		rc = run(c, argc - optind - 1, argv + optind + 1);
	if (rc == 1) {
		fibc_close(c);
		return usage();
	}
	if (rc < 0) {
		const struct fibc_error *e = fibc_last_error(c);

		fprintf(stderr, "fibctl: %s", strerror(-rc));
		if (e->status < 0)
			fprintf(stderr, " (request type %u, record %u)", e->type, e->failed_index);
		fprintf(stderr, "\n");
	}
	fibc_close(c);
	return rc < 0 ? 1 : 0;
}

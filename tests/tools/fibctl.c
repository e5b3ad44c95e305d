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
 * route a line, "PREFIX via ADDR[,ADDR...]"; '#' starts a comment. The whole file is read
 * first (a bad line changes nothing); then each next hop and each distinct group is sent
 * once, and the routes in address order, in full messages: a 900,000-route file takes
 * about 400 full messages, not one message per route and next hop.
 *
 * Exit status: 0 done, 1 refused by the dataplane or unreachable, 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fibc.h"
#include "routehub/prefix.h"

#define MAX_NH     FIBC_NHG_MAX_MEMBERS
#define MAX_GROUPS 4096 /* the dataplane's */
#define MAX_LINES  4096

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

/* Open addressing over the next hops and groups of a file: a 900,000-line table names a
 * handful of them, and each must be looked up once a line. */
#define SLOTS 8192 /* > 2 x MAX_LINES, a power of two */

struct group {
	unsigned n;
	uint32_t ids[MAX_NH];
};

/* A parsed line: the route, and the line number that orders duplicates. */
struct line_route {
	struct fibc_route r;
	uint32_t lineno;
};

struct table {
	unsigned n_nh;
	struct rh_addr nh[MAX_LINES];
	uint16_t nh_slot[SLOTS]; /* index + 1 into nh; 0: empty */
	unsigned n_groups;
	struct group group[MAX_GROUPS];
	uint16_t group_slot[SLOTS];
	struct line_route *routes;
	size_t n_routes, cap_routes;
	char last_via[1024]; /* the previous line's "via" and its target: most lines repeat it */
	struct fibc_route last_target;
};

/* The id of an address in the table (added if new); 0 when the table is full. */
static uint32_t table_nh(struct table *t, const struct rh_addr *a)
{
	uint32_t h = fnv1a(a->bytes, 16, 2166136261u) & (SLOTS - 1);

	for (; t->nh_slot[h] != 0; h = (h + 1) & (SLOTS - 1))
		if (rh_addr_equal(&t->nh[t->nh_slot[h] - 1], a))
			return t->nh_slot[h];
	if (t->n_nh == MAX_LINES)
		return 0;
	t->nh[t->n_nh++] = *a;
	t->nh_slot[h] = (uint16_t)t->n_nh;
	return t->n_nh;
}

/* The id of the group of these members, in this order (added if new); 0 when full. */
static uint32_t table_group(struct table *t, const uint32_t *ids, unsigned n)
{
	uint32_t h = fnv1a(ids, n * sizeof(*ids), 2166136261u) & (SLOTS - 1);

	for (; t->group_slot[h] != 0; h = (h + 1) & (SLOTS - 1)) {
		const struct group *g = &t->group[t->group_slot[h] - 1];

		if (g->n == n && memcmp(g->ids, ids, n * sizeof(*ids)) == 0)
			return t->group_slot[h];
	}
	if (t->n_groups == MAX_GROUPS)
		return 0;
	t->group[t->n_groups].n = n;
	memcpy(t->group[t->n_groups].ids, ids, n * sizeof(*ids));
	t->group_slot[h] = (uint16_t)++t->n_groups;
	return t->n_groups;
}

/* Sets r's target from "A,B,C": a next hop, or a group of several. */
static int line_target(struct table *t, const char *via_s, struct fibc_route *r)
{
	struct rh_addr via[MAX_NH];
	uint32_t ids[MAX_NH];
	int n;

	if (strcmp(via_s, t->last_via) == 0 && t->last_via[0] != '\0') {
		r->flags = t->last_target.flags;
		r->nh_id = t->last_target.nh_id;
		return 0;
	}
	n = parse_via(via_s, via, MAX_NH);
	if (n <= 0)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if ((ids[i] = table_nh(t, &via[i])) == 0)
			return -ENOSPC;
	r->flags = n > 1 ? FIBC_RT_F_GROUP : 0;
	r->nh_id = n > 1 ? table_group(t, ids, (unsigned)n) : ids[0];
	if (r->nh_id == 0)
		return -ENOSPC;
	if (strlen(via_s) < sizeof(t->last_via)) {
		strcpy(t->last_via, via_s);
		t->last_target = *r;
	}
	return 0;
}

/* "a.b.c.d/len" in its canonical form (no leading zeros, as inet_pton() wants), the
 * form of nearly every line of a big table; anything else goes to rh_prefix_parse(). */
static bool parse_v4_fast(const char *s, struct rh_prefix *p)
{
	unsigned v[5], k = 0;

	for (; k < 5; k++) {
		unsigned x = 0, digits = 0;

		for (; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
			x = x * 10 + (unsigned)(*s - '0');
		if (digits == 0 || (digits > 1 && s[-(int)digits] == '0') || x > 255)
			return false;
		v[k] = x;
		if (*s != (k < 3 ? '.' : k == 3 ? '/' : '\0'))
			return false;
		s++;
	}
	if (v[4] > 32)
		return false;
	memset(p, 0, sizeof(*p));
	p->family = RH_AF_INET;
	p->len = (uint8_t)v[4];
	for (k = 0; k < 4; k++)
		p->bytes[k] = (uint8_t)v[k];
	rh_prefix_normalise(p);
	return true;
}

static int sync_line(struct table *t, char *line, unsigned lineno)
{
	char *save = NULL, *pfx = strtok_r(line, " \t\n", &save);
	char *kw = strtok_r(NULL, " \t\n", &save), *via_s = strtok_r(NULL, " \t\n", &save);
	struct line_route *lr;
	struct rh_prefix p;

	if (pfx == NULL || pfx[0] == '#')
		return 0;
	if (t->n_routes == t->cap_routes) {
		size_t cap = t->cap_routes ? t->cap_routes * 2 : 65536;
		void *m = realloc(t->routes, cap * sizeof(*t->routes));

		if (m == NULL)
			return -ENOMEM;
		t->routes = m;
		t->cap_routes = cap;
	}
	lr = &t->routes[t->n_routes];
	memset(lr, 0, sizeof(*lr));
	if (kw == NULL || strcmp(kw, "via") != 0 || via_s == NULL ||
	    (!parse_v4_fast(pfx, &p) && rh_prefix_parse(pfx, &p, false) < 0) ||
	    line_target(t, via_s, &lr->r) < 0) {
		fprintf(stderr, "fibctl: line %u: expected PREFIX via ADDR[,ADDR...]\n", lineno);
		return -EINVAL;
	}
	lr->r.family = p.family;
	lr->r.len = p.len;
	memcpy(lr->r.addr, p.bytes, 16);
	lr->lineno = lineno;
	t->n_routes++;
	return 0;
}

/* Address order, as the control plane's RIB walk sends a table: rte_fib inserts in
 * order several times faster than at random (its RIB tree stays in cache). A prefix
 * listed twice keeps its file order, so the last line still wins. */
static int route_cmp(const void *pa, const void *pb)
{
	const struct line_route *a = pa, *b = pb;
	int c = a->r.family - b->r.family;

	if (c == 0)
		c = memcmp(a->r.addr, b->r.addr, 16);
	if (c == 0)
		c = a->r.len - b->r.len;
	return c != 0 ? c : a->lineno < b->lineno ? -1 : a->lineno > b->lineno;
}

static uint64_t v4_key(const struct line_route *lr)
{
	return (uint64_t)lr->r.addr[0] << 32 | (uint64_t)lr->r.addr[1] << 24 |
	       (uint64_t)lr->r.addr[2] << 16 | (uint64_t)lr->r.addr[3] << 8 | lr->r.len;
}

/*
 * Sorts n IPv4 routes as route_cmp() does, by their 40-bit key (address, length): a
 * stable LSD radix sort in three passes (16, 16, 8 bits), so that equal keys keep their
 * file order. qsort() takes ~0.4 s for a full table, this a few tens of milliseconds.
 */
static int radix_sort_v4(struct line_route *a, size_t n)
{
	static const unsigned shift[] = {0, 16, 32}, bits[] = {16, 16, 8};
	struct line_route *tmp = malloc((n ? n : 1) * sizeof(*tmp)), *src = a, *dst = tmp;
	size_t *count = calloc(1u << 16, sizeof(*count));

	if (tmp == NULL || count == NULL) {
		free(tmp);
		free(count);
		return -ENOMEM;
	}
	for (unsigned p = 0; p < 3; p++) {
		size_t mask = ((size_t)1 << bits[p]) - 1, sum = 0;
		struct line_route *x;

		memset(count, 0, sizeof(*count) << bits[p]);
		for (size_t i = 0; i < n; i++)
			count[(v4_key(&src[i]) >> shift[p]) & mask]++;
		for (size_t d = 0; d <= mask; d++) {
			size_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			dst[count[(v4_key(&src[i]) >> shift[p]) & mask]++] = src[i];
		x = src;
		src = dst;
		dst = x;
	}
	/* Three passes: the result is in tmp. */
	memcpy(a, src, n * sizeof(*a));
	free(tmp);
	free(count);
	return 0;
}

/* IPv4 routes first (radix), then IPv6 (qsort): route_cmp()'s order, RH_AF_INET being
 * the smaller family number. */
static int sort_routes(struct line_route *a, size_t n)
{
	struct line_route *v6 = malloc((n ? n : 1) * sizeof(*v6));
	size_t n4 = 0, n6 = 0;

	if (v6 == NULL)
		return -ENOMEM;
	/* A stable partition, so that duplicates keep their file order. */
	for (size_t i = 0; i < n; i++) {
		if (a[i].r.family == RH_AF_INET)
			a[n4++] = a[i];
		else
			v6[n6++] = a[i];
	}
	memcpy(a + n4, v6, n6 * sizeof(*a));
	free(v6);
	qsort(a + n4, n6, sizeof(*a), route_cmp);
	return radix_sort_v4(a, n4);
}

/* Next hops, groups, then routes: one kind after another fills whole messages. */
static int sync_send(struct fibc *c, struct table *t)
{
	int rc = 0;

	for (unsigned i = 0; i < t->n_nh && rc == 0; i++)
		rc = send_nh(c, i + 1, &t->nh[i]);
	for (unsigned i = 0; i < t->n_groups && rc == 0; i++)
		rc = fibc_nhg_add(c, i + 1, t->group[i].ids, t->group[i].n);
	if (rc == 0)
		rc = sort_routes(t->routes, t->n_routes);
	for (size_t i = 0; i < t->n_routes && rc == 0; i++)
		rc = fibc_route_add(c, &t->routes[i].r);
	return rc;
}

static int sync_file(struct fibc *c, const char *file)
{
	struct table *t = calloc(1, sizeof(*t));
	FILE *f = fopen(file, "r");
	char line[2048];
	unsigned lineno = 0;
	int rc = 0;

	if (t == NULL || f == NULL) {
		rc = -errno;
		free(t);
		if (f != NULL)
			fclose(f);
		return rc;
	}
	/* The whole file first: a line the dataplane would refuse is found before the
	 * dataplane's table is touched. */
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL)
		rc = sync_line(t, line, ++lineno);
	fclose(f);
	if (rc == 0)
		rc = fibc_sync_begin(c, NULL);
	if (rc == 0)
		rc = sync_send(c, t);
	if (rc == 0)
		rc = fibc_flush(c, NULL);
	if (rc == 0)
		rc = fibc_sync_end(c, NULL);
	free(t->routes);
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

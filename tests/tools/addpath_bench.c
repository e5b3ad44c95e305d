/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ADD-PATH send exporter (controlplane/bgp/rib_out_addpath.c) cost: N prefixes with two
 * paths each (two feeders), the initial export of every path to one ADD-PATH peer (no
 * encoding: a counting callback), the exporter's RSS a prefix, then one feeder withdrawing
 * everything (N single-path withdrawals).
 *   build/tests/tools/addpath_bench [N]      (default 1000000)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "attr.h"
#include "rib.h"
#include "rib_out.h"
#include "rib_out_addpath.h"

static struct bgp_rib_out *out;
static size_t n_paths;

static void on_change(struct bgp_rib *rib, const struct bgp_rib_change *c, void *arg)
{
	(void)rib;
	(void)arg;
	bgp_rib_out_change(out, c);
}

static int count_cb(const struct bgp_out_batch *b, void *arg)
{
	(void)arg;
	n_paths += b->n;
	return 0;
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char l[256];
	long v = 0;

	while (f != NULL && fgets(l, sizeof(l), f) != NULL)
		if (strncmp(l, "VmRSS:", 6) == 0)
			v = atol(l + 6);
	if (f != NULL)
		fclose(f);
	return v;
}

static const struct bgp_attrs *attrs(uint32_t as, const char *nh)
{
	struct bgp_attrs *a = bgp_attrs_new();

	if (a == NULL || bgp_aspath_prepend(a, as, 1) < 0 || rh_addr_parse(nh, &a->next_hop) < 0)
		exit(1);
	a->flags |= BGP_ATTRS_NEXT_HOP;
	return bgp_attrs_intern(a);
}

static struct rh_prefix nth(unsigned i)
{
	struct rh_prefix p = {.family = RH_AF_INET, .len = 32};

	p.bytes[0] = (uint8_t)(10 + (i >> 24));
	p.bytes[1] = (uint8_t)(i >> 16);
	p.bytes[2] = (uint8_t)(i >> 8);
	p.bytes[3] = (uint8_t)i;
	return p;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 1000000;
	struct bgp_rib *rib = bgp_rib_new(NULL, on_change, NULL);
	struct bgp_export_policy pol = {.families = BGP_EXPORT_AF_ALL};
	const struct bgp_attrs *a1, *a2;
	struct bgp_rib_peer f1, f2;
	struct bgp_ap_out *ap;
	struct rh_addr addr;
	double t0, t1;
	long r0, r1, m;

	out = rib != NULL ? bgp_rib_out_new(rib) : NULL;
	if (out == NULL)
		return 1;
	rh_addr_parse("198.51.100.1", &addr);
	bgp_rib_peer_init(&f1, 1, &addr, 65001, htonl(1), true);
	rh_addr_parse("198.51.100.2", &addr);
	bgp_rib_peer_init(&f2, 2, &addr, 65002, htonl(2), true);
	a1 = attrs(65001, "192.0.2.1");
	a2 = attrs(65002, "192.0.2.2");
	for (unsigned i = 0; i < n; i++) {
		struct rh_prefix p = nth(i);

		if (bgp_rib_update(rib, &f1, &p, 0, a1) < 0 ||
		    bgp_rib_update(rib, &f2, &p, 0, a2) < 0)
			return 1;
	}
	r0 = rss_kb();
	t0 = now();
	ap = bgp_ap_out_new(out, &pol);
	if (ap == NULL || bgp_ap_out_export_all(ap, BGP_EXPORT_AF_ALL, false, true) < 0)
		return 1;
	m = bgp_ap_out_flush(ap, 4096, count_cb, NULL);
	t1 = now();
	r1 = rss_kb();
	printf("%u prefixes x 2 paths: initial export %ld paths in %.3f s (%.0f paths/s); "
	       "exporter state %.0f bytes a prefix\n",
	       n, m, t1 - t0, (double)m / (t1 - t0), (double)(r1 - r0) * 1024.0 / n);
	t0 = now();
	for (unsigned i = 0; i < n; i++) {
		struct rh_prefix p = nth(i);

		bgp_rib_withdraw(rib, &f1, &p, 0);
	}
	m = bgp_ap_out_flush(ap, 4096, count_cb, NULL);
	t1 = now();
	printf("one feeder withdraws everything: %ld single-path withdrawals in %.3f s "
	       "(RIB included)\n",
	       m, t1 - t0);
	bgp_attrs_unref(a1);
	bgp_attrs_unref(a2);
	bgp_rib_out_free(out);
	bgp_rib_free(rib);
	return 0;
}

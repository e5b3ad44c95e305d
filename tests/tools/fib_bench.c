/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fib_bench: how fast the FIB channel programs a full IPv4 table.
 *
 * A synthetic table with the prefix-length mix of a real Internet table (mostly /24, then
 * /22-/23, /16-/21, a few /25-/32) is sent by the fibc client (a thread, as the control
 * plane would) to the FIB server polled by the main lcore (as the dataplane does), over a
 * SOCK_SEQPACKET socketpair. Three passes: the initial load, a full resync (see
 * send_resync()), and the withdrawal of every route. For
 * reference, the same table is then loaded straight into a FIB without the channel.
 *
 * usage: fib_bench [EAL args] -- [--routes N] [--window W] [--seed S] [--sorted]
 * --sorted sends the table in address order, as a control plane walking a RIB tree does.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_eal.h>

#include "fib.h"
#include "fib_server.h"
#include "fibc.h"
#include "routehub/prefix.h"

#define N_NEXT_HOPS 16

struct bench {
	struct fibc_route *routes;
	uint32_t n;
	unsigned window;
	int client_fd;
	int status; /* of the client thread */
	bool done;
	double t_load, t_resync, t_delete;
};

/* Lengths and their share in a thousand: roughly the IPv4 Internet table of 2024. */
static const struct {
	uint8_t len;
	uint16_t permille;
} mix[] = {
        {24, 580}, {23, 110}, {22, 130}, {21, 50}, {20, 45}, {19, 30}, {18, 15}, {17, 10},
        {16, 15},  {25, 3},   {26, 3},   {27, 2},  {28, 2},  {29, 2},  {30, 2},  {32, 1},
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible from --seed, plenty for a synthetic table. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}

static uint8_t pick_len(void)
{
	unsigned r = (unsigned)(rng() % 1000), acc = 0;

	for (size_t i = 0; i < RTE_DIM(mix); i++) {
		acc += mix[i].permille;
		if (r < acc)
			return mix[i].len;
	}
	return 24;
}

/* Open addressing set of (prefix, length) keys, to keep the table free of duplicates. */
static bool set_insert(uint64_t *set, uint64_t mask, uint64_t key)
{
	uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> 20;

	for (;; h++) {
		uint64_t *slot = &set[h & mask];

		if (*slot == key)
			return false;
		if (*slot == 0) {
			*slot = key;
			return true;
		}
	}
}

static int make_table(struct bench *b)
{
	uint64_t size = 1, *set;
	uint32_t i = 0;

	while (size < (uint64_t)b->n * 2)
		size <<= 1;
	set = calloc(size, sizeof(*set));
	b->routes = calloc(b->n, sizeof(*b->routes));
	if (set == NULL || b->routes == NULL)
		return -ENOMEM;
	while (i < b->n) {
		uint8_t len = pick_len();
		/* Unicast space 1.0.0.0 - 223.255.255.255. */
		uint32_t a = (uint32_t)(0x01000000u + rng() % (0xe0000000u - 0x01000000u));
		struct fibc_route *r = &b->routes[i];

		a &= UINT32_MAX << (32 - len);
		if (!set_insert(set, size - 1, ((uint64_t)a << 8) | len | (1ull << 40)))
			continue;
		r->family = RH_AF_INET;
		r->len = len;
		r->nh_id = 1 + (uint32_t)(rng() % N_NEXT_HOPS);
		r->addr[0] = (uint8_t)(a >> 24);
		r->addr[1] = (uint8_t)(a >> 16);
		r->addr[2] = (uint8_t)(a >> 8);
		r->addr[3] = (uint8_t)a;
		i++;
	}
	free(set);
	return 0;
}

static int route_cmp(const void *a, const void *b)
{
	const struct fibc_route *x = a, *y = b;
	int c = memcmp(x->addr, y->addr, 4);

	return c != 0 ? c : (int)x->len - (int)y->len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int send_all(struct bench *b, struct fibc *c)
{
	int ret;

	for (uint32_t i = 0; i < b->n; i++) {
		ret = fibc_route_add(c, &b->routes[i]);
		if (ret < 0)
			return ret;
	}
	return fibc_flush(c, NULL);
}

/* A resync after a control plane restart: 1% of the routes are gone (swept at the end),
 * 10% have a new next hop (replaced in place), the rest are sent unchanged. */
static int send_resync(struct bench *b, struct fibc *c)
{
	int ret;

	for (uint32_t i = 0; i < b->n; i++) {
		struct fibc_route r = b->routes[i];

		if (i % 100 == 0)
			continue;
		if (i % 10 == 1)
			r.nh_id = 1 + r.nh_id % N_NEXT_HOPS;
		ret = fibc_route_add(c, &r);
		if (ret < 0)
			return ret;
	}
	return fibc_flush(c, NULL);
}

/* The control plane: hello, next hops, then the three timed passes. */
static int client_run(struct bench *b, struct fibc *c)
{
	struct fibc_ack ack;
	double t0;
	int ret;

	ret = fibc_hello(c, &ack);
	for (uint32_t id = 1; ret == 0 && id <= N_NEXT_HOPS; id++) {
		struct fibc_nh nh = {.id = id, .family = RH_AF_INET, .addr = {192, 0, 2, id}};

		ret = fibc_nh_add(c, &nh);
	}
	if (ret == 0)
		ret = fibc_flush(c, NULL);
	t0 = now();
	if (ret == 0)
		ret = send_all(b, c);
	b->t_load = now() - t0;
	t0 = now();
	if (ret == 0)
		ret = fibc_sync_begin(c, NULL);
	if (ret == 0)
		ret = send_resync(b, c);
	if (ret == 0)
		ret = fibc_sync_end(c, &ack);
	b->t_resync = now() - t0;
	if (ret == 0 && ack.routes_v4 != b->n - (b->n + 99) / 100)
		ret = -EIO;
	t0 = now();
	for (uint32_t i = 1; ret == 0 && i < b->n; i++)
		if (i % 100 != 0)
			ret = fibc_route_del(c, &b->routes[i]);
	if (ret == 0)
		ret = fibc_flush(c, &ack);
	b->t_delete = now() - t0;
	if (ret == 0 && ack.routes_v4 != 0)
		ret = -EIO;
	return ret;
}

static void *client_thread(void *arg)
{
	struct bench *b = arg;
	struct fibc *c = fibc_attach(b->client_fd, 30000, b->window);

	b->status = c == NULL ? -errno : client_run(b, c);
	if (b->status < 0 && c != NULL && fibc_last_error(c)->status < 0)
		fprintf(stderr, "fib_bench: request type %u refused at record %u: %s\n",
		        fibc_last_error(c)->type, fibc_last_error(c)->failed_index,
		        strerror(-fibc_last_error(c)->status));
	fibc_close(c);
	__atomic_store_n(&b->done, true, __ATOMIC_RELEASE);
	return NULL;
}

static struct dp_fib *fib_new(uint32_t n)
{
	struct dp_fib_conf conf = {
	        .v4_max_routes = n + 1024,
	        .max_next_hops = N_NEXT_HOPS,
	        .max_groups = 1,
	        .socket_id = 0,
	};

	return dp_fib_create(&conf);
}

/* The reference: the same table added straight to a FIB, no channel. */
static double direct_load(const struct bench *b)
{
	struct dp_fib *fib = fib_new(b->n);
	double t0, t;

	if (fib == NULL)
		return -1;
	for (uint32_t id = 1; id <= N_NEXT_HOPS; id++) {
		struct fibc_nh nh = {.id = id, .family = RH_AF_INET, .addr = {192, 0, 2, id}};

		dp_fib_nh_add(fib, &nh);
	}
	t0 = now();
	for (uint32_t i = 0; i < b->n; i++)
		if (dp_fib_route_add(fib, &b->routes[i]) < 0)
			break;
	t = now() - t0;
	dp_fib_destroy(fib);
	return t;
}

static int channel_run(struct bench *b)
{
	struct dp_fib *fib = fib_new(b->n);
	struct fib_server *srv;
	pthread_t t;
	int sv[2];

	if (fib == NULL || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	srv = fib_server_create(fib, NULL);
	if (srv == NULL || fib_server_attach(srv, sv[0]) < 0)
		return -errno;
	/* The main lcore would poll between other duties; here it does nothing else. */
	fib_server_set_budget(srv, 64);
	b->client_fd = sv[1];
	if (pthread_create(&t, NULL, client_thread, b) != 0)
		return -errno;
	while (!__atomic_load_n(&b->done, __ATOMIC_ACQUIRE))
		fib_server_poll(srv);
	pthread_join(t, NULL);
	fib_server_destroy(srv);
	dp_fib_destroy(fib);
	return b->status;
}

static void mix_print(const struct bench *b)
{
	uint32_t count[33] = {0};

	for (uint32_t i = 0; i < b->n; i++)
		count[b->routes[i].len]++;
	printf("fib_bench: %u IPv4 routes, lengths:", b->n);
	for (unsigned l = 0; l <= 32; l++)
		if (count[l])
			printf(" /%u %.1f%%", l, 100.0 * count[l] / b->n);
	printf("\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"routes", required_argument, NULL, 'n'},
	        {"window", required_argument, NULL, 'w'},
	        {"seed", required_argument, NULL, 's'},
	        {"sorted", no_argument, NULL, 'o'},
	        {NULL, 0, NULL, 0},
	};
	struct bench b = {.n = 900000, .window = FIBC_DEFAULT_WINDOW};
	bool sorted = false;
	double direct;
	int c, ret;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "fib_bench: EAL init failed\n");
		return 1;
	}
	argc -= ret;
	argv += ret;
	rng_state = 0x2545f4914f6cdd1dull;
	while ((c = getopt_long(argc, argv, "n:w:s:o", opts, NULL)) != -1) {
		if (c == 'n')
			b.n = (uint32_t)strtoul(optarg, NULL, 0);
		else if (c == 'w')
			b.window = (unsigned)strtoul(optarg, NULL, 0);
		else if (c == 's')
			rng_state = strtoull(optarg, NULL, 0) | 1;
		else if (c == 'o')
			sorted = true;
		else
			return 2;
	}
	if (b.n == 0 || make_table(&b) < 0)
		return 1;
	if (sorted)
		qsort(b.routes, b.n, sizeof(*b.routes), route_cmp);
	mix_print(&b);
	printf("fib_bench: routes sent in %s order\n", sorted ? "address" : "random");
	/* A first load faults in the memory that the FIBs then reuse, so that neither
	 * timed run pays for the page faults. */
	direct_load(&b);
	ret = channel_run(&b);
	if (ret < 0) {
		fprintf(stderr, "fib_bench: %s\n", strerror(-ret));
		return 1;
	}
	printf("fib_bench: over the FIB channel (window %u):\n", b.window);
	printf("  load    %.3f s  %.0f routes/s\n", b.t_load, b.n / b.t_load);
	printf("  resync  %.3f s  %.0f routes/s (99%% re-sent, 10%% of them changed, 1%% swept)\n",
	       b.t_resync, b.n / b.t_resync);
	printf("  delete  %.3f s  %.0f routes/s\n", b.t_delete,
	       (b.n - (b.n + 99) / 100) / b.t_delete);
	direct = direct_load(&b);
	if (direct > 0)
		printf("fib_bench: direct dp_fib_route_add(), no channel: %.3f s  %.0f routes/s\n",
		       direct, b.n / direct);
	free(b.routes);
	rte_eal_cleanup();
	return 0;
}

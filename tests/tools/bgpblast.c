/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgpblast: the feeder and the collector of the BGP propagation benchmark
 * (scripts/bench/bgp.sh), built on routehub's own codec.
 *
 *   bgpblast feed    --local A --local-as N --peer B --peer-as M [--listen]
 *                    --prefixes N [--attr-sets K] [--seed S] [--t0-file F] [--hold-open SEC]
 *   bgpblast collect --local A --local-as N --peer B --peer-as M [--listen]
 *                    --expect N [--timeout SEC] [--t0-file F] [--result F]
 *
 * The feeder builds every UPDATE before the clock starts (packed: as many prefixes per
 * message as share an attribute set), writes the start time to --t0-file, sends them all,
 * then keeps the session up. The collector counts the distinct prefixes it holds and, when
 * it holds all it expects, writes the seconds since the feeder's start to --result.
 * Both connect to TCP 179 of their peer (retrying, bounded) or, with --listen, accept.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "bgp.h"
#include "msg.h"

struct opts {
	const char *mode;
	struct rh_addr local, peer;
	uint32_t local_as, peer_as;
	bool listen;
	unsigned prefixes, attr_sets, expect;
	unsigned seed, hold_open, timeout;
	const char *t0_file, *result;
	const char *ready_file; /* collect: created once established; feed: waited for */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "bgpblast: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ------------------------------------------------------------------ session */

static int tcp_session(const struct opts *o)
{
	struct sockaddr_storage la, pa;
	socklen_t llen = rh_addr_to_sockaddr(&o->local, o->listen ? BGP_PORT : 0, &la);
	socklen_t plen = rh_addr_to_sockaddr(&o->peer, BGP_PORT, &pa);
	int one = 1;
	double deadline = now_s() + (o->timeout ? o->timeout : 60);

	if (o->listen) {
		int l = socket(la.ss_family, SOCK_STREAM, 0), fd;

		setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (l < 0 || bind(l, (struct sockaddr *)&la, llen) < 0 || listen(l, 1) < 0)
			die("listen");
		fd = accept(l, NULL, NULL);
		if (fd < 0)
			die("accept");
		close(l);
		return fd;
	}
	/* The device under test may still be starting: retry, bounded in time. */
	while (now_s() < deadline) {
		int fd = socket(la.ss_family, SOCK_STREAM, 0);

		if (fd < 0)
			die("socket");
		if (bind(fd, (struct sockaddr *)&la, llen) < 0)
			die("bind");
		if (connect(fd, (struct sockaddr *)&pa, plen) == 0)
			return fd;
		close(fd);
		usleep(100 * 1000);
	}
	errno = ETIMEDOUT;
	die("connect");
	return -1;
}

static void write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		p += w;
		n -= (size_t)w;
	}
}

/* Reads one whole message into buf (at least BGP_MAX_MSG_EXT); returns its type or -1. */
static int read_msg(int fd, uint8_t *buf, uint16_t *len)
{
	struct bgp_notify n;
	uint8_t type;
	size_t got = 0, want = BGP_HDR_LEN;

	while (got < want) {
		ssize_t r = read(fd, buf + got, want - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		got += (size_t)r;
		if (got == BGP_HDR_LEN) {
			if (bgp_hdr_decode(buf, got, len, &type, BGP_MAX_MSG_EXT, &n) < 0)
				return -1;
			want = *len;
		}
	}
	return buf[18];
}

static void send_open(int fd, const struct opts *o)
{
	uint8_t buf[BGP_MAX_MSG];
	struct wbuf w;
	struct bgp_open op = {.version = BGP_VERSION, .hold_time = 180};

	op.my_as = o->local_as <= 0xffff ? (uint16_t)o->local_as : BGP_AS_TRANS;
	memcpy(&op.bgp_id, o->local.bytes, 4);
	op.caps.mp[BGP_AID_IPV4] = true;
	op.caps.as4 = true;
	op.caps.as4_asn = o->local_as;
	op.caps.route_refresh = true;
	op.caps.ext_msg = true;
	wbuf_init(&w, buf, sizeof(buf));
	if (bgp_open_encode(&w, &op) < 0)
		die("encode OPEN");
	write_all(fd, buf, w.len);
}

static void send_keepalive(int fd)
{
	uint8_t buf[BGP_HDR_LEN];
	struct wbuf w;

	wbuf_init(&w, buf, sizeof(buf));
	bgp_keepalive_encode(&w);
	write_all(fd, buf, w.len);
}

/* OPEN both ways and the first KEEPALIVE: returns the negotiated options. */
static struct bgp_codec_opts establish(int fd, const struct opts *o, uint8_t *buf)
{
	struct bgp_codec_opts co = {.ebgp = true, .max_msg = BGP_MAX_MSG};
	struct bgp_open peer;
	struct bgp_notify n;
	uint16_t len;
	int t;

	send_open(fd, o);
	t = read_msg(fd, buf, &len);
	if (t != BGP_OPEN || bgp_open_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, &peer, &n) < 0) {
		fprintf(stderr, "bgpblast: no valid OPEN from the peer (type %d)\n", t);
		exit(1);
	}
	co.as4 = peer.caps.as4;
	if (peer.caps.ext_msg)
		co.max_msg = BGP_MAX_MSG_EXT;
	send_keepalive(fd);
	do {
		t = read_msg(fd, buf, &len);
	} while (t == BGP_OPEN);
	if (t != BGP_KEEPALIVE) {
		fprintf(stderr, "bgpblast: session not established (type %d)\n", t);
		exit(1);
	}
	return co;
}

/* ------------------------------------------------------------------ feeder */

static uint32_t rnd(uint64_t *s)
{
	/* xorshift64*: deterministic for a seed, fast. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * 2685821657736338717ull) >> 32);
}

/* An internet-like prefix length: mostly /24, then /22-/23, /16-/21, a few longer. */
static unsigned pick_len(uint64_t *s)
{
	unsigned r = rnd(s) % 1000;

	if (r < 585)
		return 24;
	if (r < 705)
		return 22;
	if (r < 805)
		return 23;
	if (r < 860)
		return 21;
	if (r < 905)
		return 20;
	if (r < 960)
		return 16 + rnd(s) % 4;
	if (r < 990)
		return 8 + rnd(s) % 8;
	return 25 + rnd(s) % 8;
}

static struct bgp_attrs *make_attrs(const struct opts *o, uint64_t *s)
{
	struct bgp_attrs *a = bgp_attrs_new();
	unsigned hops = 1 + rnd(s) % 6, n_comm = rnd(s) % 4;

	if (a == NULL)
		die("attrs");
	a->origin = (uint8_t)(rnd(s) % 3 == 0 ? BGP_ORIGIN_INCOMPLETE : BGP_ORIGIN_IGP);
	a->next_hop = o->local;
	a->flags = BGP_ATTRS_NEXT_HOP;
	if (rnd(s) % 2) {
		a->flags |= BGP_ATTRS_MED;
		a->med = rnd(s) % 1000;
	}
	/* Path: origin AS last, the feeder's own AS first (it is an eBGP peer). */
	bgp_aspath_prepend(a, 3000 + rnd(s) % 60000, 1);
	for (unsigned i = 1; i < hops; i++)
		bgp_aspath_prepend(a, 1000 + rnd(s) % 60000, 1);
	bgp_aspath_prepend(a, o->local_as, 1);
	if (n_comm > 0) {
		a->comm = calloc(n_comm, sizeof(*a->comm));
		if (a->comm == NULL)
			die("communities");
		for (unsigned i = 0; i < n_comm; i++)
			a->comm[i] = (o->local_as << 16) | (rnd(s) % 1000);
		a->n_comm = (uint16_t)n_comm;
	}
	return a;
}

static int run_feed(const struct opts *o)
{
	unsigned sets = o->attr_sets ? o->attr_sets : (o->prefixes / 50 ? o->prefixes / 50 : 1);
	uint64_t seed = 0x9e3779b97f4a7c15ull ^ o->seed;
	struct bgp_attrs **attrs = calloc(sets, sizeof(*attrs));
	size_t cap = (size_t)o->prefixes * 8 + (size_t)sets * 200 + 65536, used = 0;
	uint8_t *out = malloc(cap), buf[BGP_MAX_MSG_EXT];
	struct bgp_codec_opts co;
	unsigned done = 0;
	int fd;

	if (attrs == NULL || out == NULL)
		die("memory");
	for (unsigned i = 0; i < sets; i++)
		attrs[i] = make_attrs(o, &seed);
	fd = tcp_session(o);
	co = establish(fd, o, buf);

	/*
	 * Prefixes: an internet-like mix of lengths, distinct by construction (a counter per
	 * length, starting at 1.0.0.0), attribute set i % sets.
	 */
	uint64_t next[33];

	for (unsigned l = 8; l <= 32; l++)
		next[l] = 1ull << (l - 8);
	for (unsigned set = 0; set < sets; set++) {
		struct bgp_upd_writer uw;
		unsigned k = set;

		while (k < o->prefixes) {
			if (used + co.max_msg > cap)
				die("feeder buffer");
			bgp_upd_begin(&uw, out + used, co.max_msg, BGP_AID_IPV4, false, attrs[set],
			              &co);
			for (; k < o->prefixes; k += sets) {
				unsigned len = pick_len(&seed);
				struct rh_prefix p = {.family = RH_AF_INET};
				uint32_t v;

				/* Unicast space only (a receiver ignores 0/8, 127/8 and 224/3
				 * and up): a length whose counter ran past it falls back to /24. */
				v = (uint32_t)(next[len] << (32 - len));
				if (next[len] >= (1ull << len) || v >> 24 >= 224 ||
				    v >> 24 == 127) {
					len = 24;
					v = (uint32_t)(next[len] << 8);
				}
				p.len = (uint8_t)len;
				p.bytes[0] = (uint8_t)(v >> 24);
				p.bytes[1] = (uint8_t)(v >> 16);
				p.bytes[2] = (uint8_t)(v >> 8);
				p.bytes[3] = (uint8_t)v;
				if (bgp_upd_add(&uw, &p, 0) == -ENOSPC)
					break;
				next[len]++;
				done++;
			}
			used += bgp_upd_finish(&uw);
		}
	}
	{
		struct wbuf w;

		wbuf_init(&w, out + used, cap - used);
		bgp_eor_encode(&w, BGP_AID_IPV4);
		used += w.len;
	}
	/* Measure propagation, not session set-up: wait until the collector is established
	 * with the device (bounded), then give the device a moment to send its End-of-RIB. */
	for (int i = 0; o->ready_file != NULL && access(o->ready_file, F_OK) != 0; i++) {
		if (i > 6000) {
			fprintf(stderr, "bgpblast: the collector never got established\n");
			return 1;
		}
		usleep(50 * 1000);
	}
	if (o->t0_file != NULL) {
		FILE *f = fopen(o->t0_file, "w");

		if (f == NULL)
			die(o->t0_file);
		fprintf(f, "%.6f\n", now_s());
		fclose(f);
	}
	write_all(fd, out, used);
	fprintf(stderr, "bgpblast: fed %u prefixes in %zu bytes, %u attribute sets\n", done, used,
	        sets);
	/* Keep the session: answer with keepalives, bounded by --hold-open. */
	for (double end = now_s() + o->hold_open; now_s() < end;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		uint16_t len;

		if (poll(&p, 1, 20000) > 0 && read_msg(fd, buf, &len) < 0)
			break;
		send_keepalive(fd);
	}
	close(fd);
	return 0;
}

/* ------------------------------------------------------------------ collector */

struct pset {
	uint64_t *slot; /* key + 1 (0 = empty): family/len/first 4 bytes */
	size_t mask;
	size_t count;
};

static uint64_t pkey(const struct rh_prefix *p)
{
	uint64_t k = (uint64_t)p->len << 32 | (uint32_t)p->bytes[0] << 24 |
	             (uint32_t)p->bytes[1] << 16 | (uint32_t)p->bytes[2] << 8 | p->bytes[3];

	return k + 1;
}

/* Adds (1) or removes (0) a prefix; open addressing with backward-shift deletion. */
static void pset_apply(struct pset *s, const struct rh_prefix *p, bool add)
{
	uint64_t k = pkey(p);
	size_t i = (size_t)(k * 0x9e3779b97f4a7c15ull >> 20) & s->mask;

	while (s->slot[i] != 0 && s->slot[i] != k)
		i = (i + 1) & s->mask;
	if (add && s->slot[i] == 0) {
		s->slot[i] = k;
		s->count++;
	} else if (!add && s->slot[i] == k) {
		size_t j = i;

		s->slot[i] = 0;
		s->count--;
		for (;;) {
			size_t h;

			j = (j + 1) & s->mask;
			if (s->slot[j] == 0)
				break;
			h = (size_t)(s->slot[j] * 0x9e3779b97f4a7c15ull >> 20) & s->mask;
			if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
				s->slot[i] = s->slot[j];
				s->slot[j] = 0;
				i = j;
			}
		}
	}
}

static void walk(struct pset *s, const struct bgp_nlri_block *b, bool add)
{
	struct rh_prefix p;
	struct rbuf r;
	uint32_t id;

	if (b->len == 0 || b->aid != BGP_AID_IPV4)
		return;
	rbuf_init(&r, b->p, b->len);
	while (bgp_nlri_next(&r, b->aid, false, &p, &id) == 1)
		pset_apply(s, &p, add);
}

static double read_t0(const char *file)
{
	double t0 = 0;

	/* The feeder may write its start a moment after we connected: wait, bounded. */
	for (int i = 0; file != NULL && i < 100; i++) {
		FILE *f = fopen(file, "r");

		if (f != NULL && fscanf(f, "%lf", &t0) == 1 && t0 > 0) {
			fclose(f);
			return t0;
		}
		if (f != NULL)
			fclose(f);
		usleep(50 * 1000);
	}
	return t0;
}

static int run_collect(const struct opts *o)
{
	struct pset s = {0};
	size_t size = 1;
	uint8_t *buf = malloc(BGP_MAX_MSG_EXT);
	struct bgp_codec_opts co;
	double end, t_first = 0;
	int fd;

	while (size < (size_t)o->expect * 2 + 16)
		size <<= 1;
	s.slot = calloc(size, sizeof(*s.slot));
	s.mask = size - 1;
	if (s.slot == NULL || buf == NULL)
		die("memory");
	fd = tcp_session(o);
	co = establish(fd, o, buf);
	if (o->ready_file != NULL) {
		FILE *f = fopen(o->ready_file, "w");

		if (f == NULL)
			die(o->ready_file);
		fclose(f);
	}
	end = now_s() + (o->timeout ? o->timeout : 300);
	while (s.count < o->expect && now_s() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct bgp_update u;
		uint16_t len;
		int t;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		t = read_msg(fd, buf, &len);
		if (t < 0)
			break;
		if (t == BGP_KEEPALIVE)
			send_keepalive(fd);
		if (t != BGP_UPDATE)
			continue;
		if (t_first == 0)
			t_first = now_s();
		memset(&u, 0, sizeof(u));
		if (bgp_update_decode(buf + BGP_HDR_LEN, len - BGP_HDR_LEN, &co, &u) < 0)
			die("decode");
		walk(&s, &u.withdrawn, false);
		walk(&s, &u.mp_unreach, false);
		if (u.action == BGP_UPD_OK || u.action == BGP_UPD_ATTR_DISCARD) {
			walk(&s, &u.nlri, true);
			walk(&s, &u.mp_reach, true);
		}
		bgp_attrs_free(u.attrs);
	}
	if (s.count < o->expect) {
		fprintf(stderr, "bgpblast: collected %zu of %u prefixes before the timeout\n",
		        s.count, o->expect);
		return 1;
	}
	double t_done = now_s(), t0 = read_t0(o->t0_file);

	if (t0 == 0)
		t0 = t_first;
	fprintf(stderr, "bgpblast: collected %zu prefixes, %.3f s after the feeder started\n",
	        s.count, t_done - t0);
	if (o->result != NULL) {
		FILE *f = fopen(o->result, "w");

		if (f == NULL)
			die(o->result);
		fprintf(f, "%.3f\n", t_done - t0);
		fclose(f);
	}
	close(fd);
	free(s.slot);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	        {"local", required_argument, NULL, 'l'},
	        {"local-as", required_argument, NULL, 'L'},
	        {"peer", required_argument, NULL, 'p'},
	        {"peer-as", required_argument, NULL, 'P'},
	        {"listen", no_argument, NULL, 's'},
	        {"prefixes", required_argument, NULL, 'n'},
	        {"attr-sets", required_argument, NULL, 'a'},
	        {"seed", required_argument, NULL, 'S'},
	        {"expect", required_argument, NULL, 'e'},
	        {"timeout", required_argument, NULL, 't'},
	        {"t0-file", required_argument, NULL, '0'},
	        {"result", required_argument, NULL, 'r'},
	        {"hold-open", required_argument, NULL, 'H'},
	        {"ready-file", required_argument, NULL, 'R'},
	        {NULL, 0, NULL, 0},
	};
	struct opts o = {.hold_open = 60, .timeout = 300};
	int c;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		fprintf(stderr, "usage: bgpblast feed|collect OPTIONS (see the source's header)\n");
		return 2;
	}
	o.mode = argv[1];
	optind = 2;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (rh_addr_parse(optarg, &o.local) < 0)
				return 2;
			break;
		case 'p':
			if (rh_addr_parse(optarg, &o.peer) < 0)
				return 2;
			break;
		case 'L':
			o.local_as = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'P':
			o.peer_as = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 's':
			o.listen = true;
			break;
		case 'n':
			o.prefixes = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'a':
			o.attr_sets = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'S':
			o.seed = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			o.expect = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 't':
			o.timeout = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case '0':
			o.t0_file = optarg;
			break;
		case 'r':
			o.result = optarg;
			break;
		case 'H':
			o.hold_open = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'R':
			o.ready_file = optarg;
			break;
		default:
			return 2;
		}
	}
	if (o.local.family != RH_AF_INET || o.peer.family != RH_AF_INET || o.local_as == 0) {
		fprintf(stderr, "bgpblast: --local, --peer (IPv4) and --local-as are needed\n");
		return 2;
	}
	if (strcmp(o.mode, "feed") == 0 && o.prefixes > 0 && o.prefixes < (1u << 24))
		return run_feed(&o);
	if (strcmp(o.mode, "collect") == 0 && o.expect > 0)
		return run_collect(&o);
	fprintf(stderr, "bgpblast: feed needs --prefixes (< 2^24), collect needs --expect\n");
	return 2;
}

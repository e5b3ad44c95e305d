/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bgp_session_probe: one BGP session (session.c) against a real peer, for the namespace
 * tests. Runs for --time seconds, then ends the session with an RFC 8203 shutdown
 * communication and reports on stdout ("# " lines) what happened. The exit status says
 * whether the expectation held:
 *   --expect up    the session reached Established, is still Established at the end, and
 *                  at least --min-keepalives KEEPALIVEs arrived after it came up
 *   --expect down  the session never reached Established
 * Exit 0 when it held, 1 when not, 2 for a usage or setup error.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evloop.h"
#include "log.h"
#include "session.h"

struct probe {
	struct rh_evloop *loop;
	struct bgp_session *s;
	uint64_t ka_at_up; /* KEEPALIVEs received when the session came up */
	uint64_t t0, t_up;
	unsigned updates;
	unsigned downs;
	bool exiting;
};

static void on_established(struct bgp_session *s, const struct bgp_open *peer, void *arg)
{
	struct probe *p = arg;
	struct in_addr id = {.s_addr = peer->bgp_id};

	p->t_up = rh_evloop_now_ms(p->loop);
	p->ka_at_up = bgp_session_stats(s)->msgs_in[BGP_KEEPALIVE];
	printf("# established after %llu ms: peer AS %u id %s hold %u\n",
	       (unsigned long long)(p->t_up - p->t0),
	       peer->caps.as4 ? peer->caps.as4_asn : peer->my_as, inet_ntoa(id),
	       bgp_session_hold_time(s));
	fflush(stdout);
}

static void on_update(struct bgp_session *s, const uint8_t *body, size_t len, void *arg)
{
	struct probe *p = arg;

	(void)s;
	(void)body;
	(void)len;
	p->updates++;
}

static void on_down(struct bgp_session *s, const char *reason, void *arg)
{
	struct probe *p = arg;

	(void)s;
	p->downs++;
	if (!p->exiting)
		printf("# session down: %s\n", reason);
}

static void on_time(struct rh_evloop *loop, struct rh_timer *t, void *arg)
{
	(void)t;
	(void)arg;
	rh_evloop_stop(loop);
}

static void on_signal(struct rh_evloop *loop, int signo, void *arg)
{
	(void)signo;
	(void)arg;
	rh_evloop_stop(loop);
}

static void usage(void)
{
	fprintf(stderr,
	        "usage: bgp_session_probe --local ADDR --remote ADDR --local-as N --remote-as N\n"
	        "       --router-id A.B.C.D [--port N] [--listen-port N] [--password KEY]\n"
	        "       [--hold N] [--passive] [--gtsm] [--time S] [--expect up|down]\n"
	        "       [--min-keepalives N] [--verbose]\n");
	exit(2);
}

static unsigned long num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		usage();
	return v;
}

struct opts {
	struct bgp_session_cfg cfg;
	uint16_t listen_port;
	unsigned secs;
	bool expect_up;
	unsigned min_ka;
};

static void parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
	        {"local", 1, NULL, 'l'},       {"remote", 1, NULL, 'r'},
	        {"local-as", 1, NULL, 'a'},    {"remote-as", 1, NULL, 'A'},
	        {"router-id", 1, NULL, 'i'},   {"port", 1, NULL, 'p'},
	        {"listen-port", 1, NULL, 'P'}, {"password", 1, NULL, 'k'},
	        {"hold", 1, NULL, 'h'},        {"passive", 0, NULL, 'x'},
	        {"gtsm", 0, NULL, 'g'},        {"time", 1, NULL, 't'},
	        {"expect", 1, NULL, 'e'},      {"min-keepalives", 1, NULL, 'm'},
	        {"verbose", 0, NULL, 'v'},     {NULL, 0, NULL, 0},
	};
	struct in_addr id;
	int c;

	memset(o, 0, sizeof(*o));
	o->cfg.hold_time = 9;
	o->cfg.connect_retry_time = 5;
	o->cfg.idle_hold_time = 1;
	o->cfg.caps.mp[BGP_AID_IPV4] = true;
	o->cfg.caps.route_refresh = true;
	o->cfg.caps.as4 = true;
	o->secs = 10;
	o->expect_up = true;
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (rh_addr_parse(optarg, &o->cfg.local) < 0)
				usage();
			break;
		case 'r':
			if (rh_addr_parse(optarg, &o->cfg.remote) < 0)
				usage();
			break;
		case 'a':
			o->cfg.local_as = (uint32_t)num(optarg, UINT32_MAX);
			break;
		case 'A':
			o->cfg.remote_as = (uint32_t)num(optarg, UINT32_MAX);
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &id) != 1)
				usage();
			o->cfg.router_id = id.s_addr;
			break;
		case 'p':
			o->cfg.port = (uint16_t)num(optarg, 65535);
			break;
		case 'P':
			o->listen_port = (uint16_t)num(optarg, 65535);
			break;
		case 'k':
			if (strlen(optarg) > BGP_SESSION_PASSWORD_MAX)
				usage();
			snprintf(o->cfg.password, sizeof(o->cfg.password), "%s", optarg);
			break;
		case 'h':
			o->cfg.hold_time = (uint16_t)num(optarg, 65535);
			break;
		case 'x':
			o->cfg.passive = true;
			break;
		case 'g':
			o->cfg.gtsm = true;
			break;
		case 't':
			o->secs = (unsigned)num(optarg, 3600);
			break;
		case 'e':
			if (strcmp(optarg, "up") != 0 && strcmp(optarg, "down") != 0)
				usage();
			o->expect_up = strcmp(optarg, "up") == 0;
			break;
		case 'm':
			o->min_ka = (unsigned)num(optarg, 1000000);
			break;
		case 'v':
			rh_log_set_level(LOG_DEBUG);
			break;
		default:
			usage();
		}
	}
	if (o->cfg.local.family == 0 || o->cfg.remote.family == 0 || o->cfg.local_as == 0 ||
	    o->cfg.remote_as == 0 || o->cfg.router_id == 0)
		usage();
}

/* Prints the outcome; returns the exit status. */
static int report(const struct probe *p, const struct opts *o, enum bgp_fsm_state end)
{
	const struct bgp_session_stats *st = bgp_session_stats(p->s);
	uint64_t ka = st->msgs_in[BGP_KEEPALIVE] - p->ka_at_up;

	printf("# end state %s, established %u times, keepalives in %llu (%llu since up), "
	       "out %llu, updates in %u, last error \"%s\"\n",
	       bgp_fsm_state_name(end), st->established,
	       (unsigned long long)st->msgs_in[BGP_KEEPALIVE], (unsigned long long)ka,
	       (unsigned long long)st->msgs_out[BGP_KEEPALIVE], p->updates,
	       bgp_session_last_error(p->s));
	if (o->expect_up)
		return end == BGP_ST_ESTABLISHED && st->established >= 1 && ka >= o->min_ka ? 0 : 1;
	return st->established == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct bgp_session_ops ops = {
	        .established = on_established,
	        .update = on_update,
	        .down = on_down,
	};
	struct probe p = {0};
	struct bgp_listener *l;
	struct rh_timer done;
	enum bgp_fsm_state end;
	struct opts o;
	int rc;

	rh_log_init("bgp_session_probe", LOG_INFO);
	parse(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	p.loop = rh_evloop_new();
	if (p.loop == NULL)
		return 2;
	p.t0 = rh_evloop_now_ms(p.loop);
	l = bgp_listener_new(p.loop, &o.cfg.local, o.listen_port);
	if (l == NULL) {
		fprintf(stderr, "listener: %s\n", strerror(errno));
		return 2;
	}
	p.s = bgp_session_new(p.loop, &o.cfg, &ops, &p);
	if (p.s == NULL || bgp_listener_attach(l, p.s) < 0) {
		fprintf(stderr, "session: %s\n", strerror(errno));
		return 2;
	}
	rh_evloop_signal(p.loop, SIGINT, on_signal, NULL);
	rh_evloop_signal(p.loop, SIGTERM, on_signal, NULL);
	rh_timer_init(&done, on_time, NULL);
	rh_timer_start(p.loop, &done, (uint64_t)o.secs * 1000);
	bgp_session_start(p.s);
	rc = rh_evloop_run(p.loop);
	end = bgp_session_state(p.s);
	p.exiting = true;
	rc = rc < 0 ? 2 : report(&p, &o, end);
	/* RFC 8203: tell the peer why, and give the NOTIFICATION a moment to leave. */
	bgp_session_stop(p.s, "bgp_session_probe done");
	for (int i = 0; i < 5; i++)
		rh_evloop_run_once(p.loop, 20);
	bgp_session_free(p.s);
	bgp_listener_free(l);
	rh_evloop_free(p.loop);
	return rc;
}

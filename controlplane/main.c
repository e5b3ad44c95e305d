/* SPDX-License-Identifier: BSD-3-Clause */
/* routehub-controlplane: the BGP speaker and the hub model. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "config.h"
#include "evloop.h"
#include "log.h"
#include "speaker.h"

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: routehub-controlplane -c FILE [--bgp-port N]\n"
	        "       routehub-controlplane --check FILE\n"
	        "  -c, --config FILE  run the hub of this configuration\n"
	        "      --bgp-port N   listen and connect on port N instead of 179 (tests)\n"
	        "      --check FILE   validate a configuration file and exit (0 valid, 1 invalid)\n"
	        "      --version      print the version\n");
}

static void on_signal(struct rh_evloop *loop, int signo, void *arg)
{
	(void)arg;
	log_notice("signal %d: shutting down", signo);
	rh_evloop_stop(loop);
}

/* SIGHUP: the same as `routehubctl reload`, the outcome in the log (reload.c). */
static void on_hup(struct rh_evloop *loop, int signo, void *arg)
{
	char *body = NULL;
	size_t len = 0;

	(void)loop;
	(void)signo;
	log_notice("SIGHUP: reloading the configuration");
	if (cp_reload(arg, &body, &len) == MGMT_OK)
		log_notice("SIGHUP: reload applied");
	free(body);
}

static int run(const char *file, uint16_t port)
{
	struct rh_config *cfg = rh_config_load(file, stderr, NULL);
	struct cp_opts o = {.bgp_port = port, .config_file = file};
	struct rh_evloop *loop;
	struct cp *cp;
	int rc;

	if (cfg == NULL) {
		fprintf(stderr, "routehub-controlplane: %s: configuration refused\n", file);
		return 1;
	}
	rh_log_init("routehub-controlplane", cfg->cp.log_level);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN); /* until the loop takes it, once the control plane is up */
	loop = rh_evloop_new();
	if (loop == NULL) {
		log_err("cannot create the event loop: %s", strerror(errno));
		rh_config_free(cfg);
		return 1;
	}
	rh_evloop_signal(loop, SIGTERM, on_signal, NULL);
	rh_evloop_signal(loop, SIGINT, on_signal, NULL);
	cp = cp_new(loop, cfg, &o);
	rh_config_free(cfg);
	if (cp == NULL) {
		log_err("cannot start: %s", strerror(errno));
		rh_evloop_free(loop);
		return 1;
	}
	/* Only once there is a control plane to reconfigure (and before systemd may ask). */
	rh_evloop_signal(loop, SIGHUP, on_hup, cp);
	rh_sd_notify("READY=1"); /* systemd, Type=notify: sessions configured, socket up */
	rc = rh_evloop_run(loop);
	rh_sd_notify("STOPPING=1");
	cp_free(cp, "routehub-controlplane shutting down");
	rh_evloop_free(loop);
	return rc < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'},   {"check", required_argument, NULL, 'k'},
	        {"bgp-port", required_argument, NULL, 'p'}, {"version", no_argument, NULL, 'V'},
	        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
	};
	const char *config = NULL;
	unsigned long port = 0;
	int c;

	while ((c = getopt_long(argc, argv, "c:k:Vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'k':
			return rh_config_check_main("routehub-controlplane", optarg);
		case 'p':
			port = strtoul(optarg, NULL, 10);
			if (port == 0 || port > 65535) {
				fprintf(stderr, "routehub-controlplane: bad port %s\n", optarg);
				return 2;
			}
			break;
		case 'V':
			printf("routehub-controlplane %s\n", RH_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	return run(config, (uint16_t)port);
}

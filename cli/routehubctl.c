/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * routehubctl: the operator's command line for both daemons. It checks the command's
 * words, sends the command to the daemon that owns it over its management socket, and
 * prints the answer as tables (or as the daemon's JSON with --json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "complete.h"
#include "config.h"
#include "mgmt.h"
#include "table.h"

enum daemon { CP, DP };

/* The grammar: words, with "A|B" for a choice and "ADDR"/"PREFIX"/"FILE" for values. */
static const struct command {
	enum daemon daemon;
	const char *words;
	unsigned optional; /* how many trailing words may be left out */
	const char *help;
} commands[] = {
        {CP, "show bgp summary", 0, "BGP sessions, their state and prefix counts"},
        {CP, "show bgp neighbor ADDR received-routes|advertised-routes", 1,
         "one session; the routes it received (with rejections) or was sent"},
        {CP, "show routes PREFIX", 1, "the RIB: every path of every prefix"},
        {CP, "show effective-routes", 0, "R17: what a VM sees, and what programs the FIB"},
        {DP, "show fib PREFIX", 1, "the dataplane FIB"},
        {DP, "show ports", 0, "ports, link state and counters"},
        {DP, "show stats", 0, "per-worker packet and drop counters"},
        {DP, "show neighbours", 0, "ARP and ND entries"},
        {CP, "set branch-to-branch on|off", 0, "R4/R5: route exchange, at runtime"},
        {CP, "set hub-routing-preference expressroute|vpngateway|aspath", 0, "R13"},
        {CP, "clear bgp neighbor ADDR soft", 1, "reset a session (soft: route refresh only)"},
        {CP, "reload", 0, "apply the configuration file again (only what changed)"},
        {CP, "dump mrt FILE", 0, "write the RIBs to FILE as an MRT table dump (RFC 6396)"},
};

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: routehubctl [-c CONFIG] [--json] COMMAND\n"
	        "       routehubctl check FILE\n"
	        "       routehubctl --complete WORD... (bash completion: candidates for the last)\n"
	        "\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-58s %s\n", commands[i].words, commands[i].help);
	fprintf(f,
	        "\noptions:\n"
	        "  -c, --config FILE   find the daemons' sockets in this configuration\n"
	        "      --cp-socket P   the control plane's socket (default %s)\n"
	        "      --dp-socket P   the dataplane's socket (default %s)\n"
	        "  -j, --json          print the daemon's JSON (YANG operational state)\n",
	        "/run/routehub/controlplane.sock", "/run/routehub/dataplane.sock");
}

/* The command whose grammar the words follow, or NULL. */
static const struct command *find_command(int argc, char **argv)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		char words[256], *pat[8];
		int n = 0;

		snprintf(words, sizeof(words), "%s", commands[i].words);
		for (char *save = NULL, *t = strtok_r(words, " ", &save); t != NULL && n < 8;
		     t = strtok_r(NULL, " ", &save))
			pat[n++] = t;
		if (argc > n || argc < n - (int)commands[i].optional)
			continue;
		bool ok = true;

		for (int w = 0; w < argc && ok; w++)
			ok = grammar_word_matches(pat[w], argv[w]);
		if (ok)
			return &commands[i];
	}
	return NULL;
}

static int run(const char *sock, const char *who, const char *cmd, bool json)
{
	enum mgmt_status st;
	char *body;
	size_t len;
	int rc = mgmt_request(sock, cmd, 30000, &st, &body, &len);

	if (rc == -ENOENT || rc == -ECONNREFUSED) {
		fprintf(stderr, "routehubctl: the %s is not running (nothing listens at %s)\n", who,
		        sock);
		return 3;
	}
	if (rc < 0) {
		fprintf(stderr, "routehubctl: %s: %s\n", sock, strerror(-rc));
		return 3;
	}
	if (st != MGMT_OK) {
		fprintf(stderr, "routehubctl: %s\n", body);
		free(body);
		return 1;
	}
	if (len == 0)
		printf("ok\n");
	else if (json || table_print_state(stdout, body) < 0)
		printf("%s%s", body, body[len - 1] == '\n' ? "" : "\n");
	free(body);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"cp-socket", required_argument, NULL, 'C'},
	        {"dp-socket", required_argument, NULL, 'D'},
	        {"json", no_argument, NULL, 'j'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0},
	};
	const char *cp_sock = getenv("ROUTEHUB_CP_SOCKET"), *dp_sock = getenv("ROUTEHUB_DP_SOCKET");
	struct rh_config *cfg = NULL;
	bool json = false;
	char cmd[MGMT_MAX_REQUEST];
	size_t n = 0;
	int c, rc;

	if (argc >= 2 && strcmp(argv[1], "--complete") == 0) {
		const char *grammar[sizeof(commands) / sizeof(commands[0])];

		for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			grammar[i] = commands[i].words;
		return complete_main(stdout, grammar, sizeof(commands) / sizeof(commands[0]),
		                     "/run/routehub/controlplane.sock", argc - 2, argv + 2);
	}
	while ((c = getopt_long(argc, argv, "+c:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg = rh_config_load(optarg, stderr, NULL);
			if (cfg == NULL)
				return 1;
			break;
		case 'C':
			cp_sock = optarg;
			break;
		case 'D':
			dp_sock = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("routehubctl %s\n", RH_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 2 && strcmp(argv[0], "check") == 0)
		return rh_config_check_main("routehubctl", argv[1]);
	if (argc == 1 && strcmp(argv[0], "version") == 0) {
		printf("routehubctl %s\n", RH_VERSION);
		return 0;
	}
	const struct command *command = find_command(argc, argv);

	if (command == NULL) {
		fprintf(stderr, "routehubctl: unknown command or bad argument: ");
		for (int i = 0; i < argc; i++)
			fprintf(stderr, "%s%s", argv[i], i + 1 < argc ? " " : "\n");
		if (argc == 0)
			fprintf(stderr, "(none)\n");
		usage(stderr);
		rh_config_free(cfg);
		return 2;
	}
	/* The daemon writes the dump and takes only an absolute path: a relative one is
	 * relative to where the operator is. */
	char abs_file[4096];

	if (strcmp(command->words, "dump mrt FILE") == 0 && argv[2][0] != '/') {
		char cwd[2048];

		if (getcwd(cwd, sizeof(cwd)) == NULL ||
		    snprintf(abs_file, sizeof(abs_file), "%s/%s", cwd, argv[2]) >=
		            (int)sizeof(abs_file)) {
			fprintf(stderr, "routehubctl: %s: path too long\n", argv[2]);
			rh_config_free(cfg);
			return 2;
		}
		argv[2] = abs_file;
	}
	for (int i = 0; i < argc; i++)
		n += (size_t)snprintf(cmd + n, sizeof(cmd) - n, "%s%s", i > 0 ? " " : "", argv[i]);
	if (cp_sock == NULL)
		cp_sock = cfg != NULL ? cfg->cp.mgmt_socket : "/run/routehub/controlplane.sock";
	if (dp_sock == NULL)
		dp_sock = cfg != NULL ? cfg->dp.mgmt_socket : "/run/routehub/dataplane.sock";
	rc = command->daemon == CP ? run(cp_sock, "control plane", cmd, json)
	                           : run(dp_sock, "dataplane", cmd, json);
	rh_config_free(cfg);
	return rc;
}

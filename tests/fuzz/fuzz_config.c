/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the configuration loader (common/config.c): JSON text through
 * libyang's parser and validation, the checks YANG cannot state, and the reading into
 * struct rh_config. The input is the JSON text (the shipped configs/ make the seed corpus).
 * A contract of config.h broken aborts: a configuration is returned exactly when no
 * problem was counted, a failure sets errno = EINVAL, and what a returned configuration
 * holds stays within the bounds of its arrays.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>

#include <libyang/libyang.h>

#include "config.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The loader builds a libyang context (parsing routehub.yang) for every load, which would
 * take nearly all of each run: this target keeps one. These definitions take the place of
 * libyang's own in the loader's calls (the executable's symbols come first); the first
 * context is created by the real function and kept, and destroying it only clears its
 * errors, so that each input starts from the same context with no error left over.
 */
static struct ly_ctx *kept_ctx;

LY_ERR ly_ctx_new(const char *search_dir, uint16_t options, struct ly_ctx **new_ctx)
{
	LY_ERR (*real)(const char *, uint16_t, struct ly_ctx **);
	LY_ERR rc;

	if (kept_ctx == NULL) {
		*(void **)&real = dlsym(RTLD_NEXT, "ly_ctx_new");
		if (real == NULL)
			abort();
		rc = real(search_dir, options, &kept_ctx);
		if (rc != LY_SUCCESS)
			return rc;
	}
	*new_ctx = kept_ctx;
	return LY_SUCCESS;
}

void ly_ctx_destroy(struct ly_ctx *ctx)
{
	if (ctx == kept_ctx)
		ly_err_clean(ctx, NULL);
}

static FILE *sink;

static void check_config(const struct rh_config *c)
{
	check(c->rs.n_vnet <= RH_MAX_VNET && c->rs.n_peers <= RH_RS_MAX_PEERS);
	check(c->er.n_instances <= RH_MAX_INSTANCES && c->er.n_peers <= RH_MAX_GW_PEERS);
	check(c->vpn.n_instances <= RH_MAX_INSTANCES && c->vpn.n_peers <= RH_MAX_GW_PEERS);
	check(c->vpn.n_local <= RH_MAX_LOCAL_PREFIX);
	check(c->dp.n_ports <= RH_MAX_PORTS && c->dp.n_workers <= RH_MAX_WORKERS);
	for (unsigned i = 0; i < c->dp.n_ports; i++) {
		const struct rh_port_cfg *p = &c->dp.port[i];

		check(p->n_addrs <= RH_MAX_PORT_ADDRS && p->n_neigh <= RH_MAX_NEIGHBOURS);
		check(memchr(p->name, '\0', sizeof(p->name)) != NULL);
		check(memchr(p->device, '\0', sizeof(p->device)) != NULL);
		for (unsigned a = 0; a < p->n_addrs; a++)
			check(rh_config_port_for(c, &p->addr[a].addr) >= 0);
	}
	check(memchr(c->dp.fib_socket, '\0', sizeof(c->dp.fib_socket)) != NULL);
	check(memchr(c->dp.eal_args, '\0', sizeof(c->dp.eal_args)) != NULL);
	check(memchr(c->cp.mgmt_socket, '\0', sizeof(c->cp.mgmt_socket)) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rh_config *cfg;
	unsigned problems = 0;
	char *json;

	/* The loader takes a C string: an input with a NUL ends there, as a file would
	 * after read_file(). Big inputs only slow the search down. */
	if (size > 256 * 1024)
		return 0;
	json = malloc(size + 1);
	if (json == NULL)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';
	if (sink == NULL)
		sink = fopen("/dev/null", "w");
	errno = 0;
	cfg = rh_config_load_json(json, "fuzz.json", sink, &problems);
	if (getenv("FUZZ_VERBOSE") != NULL)
		fprintf(stderr, "config: %u problem(s)\n", problems);
	check((cfg != NULL) == (problems == 0));
	if (cfg == NULL) {
		check(errno == EINVAL);
	} else {
		check_config(cfg);
		rh_config_free(cfg);
	}
	free(json);
	return 0;
}

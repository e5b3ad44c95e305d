/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the dataplane's EAL arguments (dataplane/eal.c): lcores with and without
 * configured worker cores, one CPU (interleaved), devices, --no-pci, the file prefix and
 * the extra arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "eal.h"

static struct rh_dp_cfg cfg;

static void cfg_init(void)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.n_ports = 2;
	strcpy(cfg.port[0].device, "net_af_packet0,iface=veth0");
	strcpy(cfg.port[1].device, "net_null0");
	strcpy(cfg.mgmt_socket, "/run/routehub/dataplane.sock");
}

static cpu_set_t cpus_of(unsigned n, const unsigned *ids)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	for (unsigned i = 0; i < n; i++)
		CPU_SET(ids[i], &s);
	return s;
}

/* The argument after `opt`, or the "opt=value" one; NULL if absent. */
static const char *arg(const struct dp_eal_plan *p, const char *opt)
{
	size_t len = strlen(opt);

	for (int i = 1; i < p->argc; i++) {
		if (strcmp(p->argv[i], opt) == 0)
			return i + 1 < p->argc ? p->argv[i + 1] : "";
		if (strncmp(p->argv[i], opt, len) == 0 && p->argv[i][len] == '=')
			return p->argv[i] + len + 1;
	}
	return NULL;
}

static unsigned count(const struct dp_eal_plan *p, const char *word)
{
	unsigned n = 0;

	for (int i = 0; i < p->argc; i++)
		n += strcmp(p->argv[i], word) == 0;
	return n;
}

static void test_default_two_cpus(void **state)
{
	unsigned ids[] = {2, 5, 7};
	cpu_set_t cpus = cpus_of(3, ids);
	struct dp_eal_plan p;
	char prefix[32];

	(void)state;
	cfg_init();
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), 0);
	assert_string_equal(p.argv[0], "rh");
	assert_null(p.argv[p.argc]);
	/* The process's first CPU is the main lcore, its second runs the worker. */
	assert_int_equal(p.main_lcore, 2);
	assert_int_equal(p.n_workers, 1);
	assert_false(p.interleaved);
	assert_int_equal(p.worker_lcore[0], 5);
	assert_string_equal(arg(&p, "-l"), "2,5");
	assert_string_equal(arg(&p, "--main-lcore"), "2");
	assert_int_equal(count(&p, "--vdev"), 2);
	assert_int_equal(count(&p, "net_null0"), 1);
	assert_int_equal(count(&p, "--no-pci"), 1);
	dp_eal_file_prefix(cfg.mgmt_socket, prefix, sizeof(prefix));
	assert_string_equal(arg(&p, "--file-prefix"), prefix);
	/* Another socket, another prefix: two instances do not share runtime files. */
	dp_eal_file_prefix("/run/routehub/other.sock", prefix, sizeof(prefix));
	assert_string_not_equal(arg(&p, "--file-prefix"), prefix);
	assert_int_equal(strncmp(prefix, "routehub-", 9), 0);
	dp_eal_plan_free(&p);
}

static void test_one_cpu_interleaved(void **state)
{
	unsigned ids[] = {3};
	cpu_set_t cpus = cpus_of(1, ids);
	struct dp_eal_plan p;

	(void)state;
	cfg_init();
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), 0);
	assert_true(p.interleaved);
	assert_int_equal(p.main_lcore, 3);
	assert_int_equal(p.worker_lcore[0], 3);
	assert_string_equal(arg(&p, "-l"), "3");
	dp_eal_plan_free(&p);
}

static void test_worker_cores(void **state)
{
	unsigned ids[] = {0, 1, 2, 3};
	cpu_set_t cpus = cpus_of(4, ids);
	struct dp_eal_plan p;

	(void)state;
	cfg_init();
	cfg.n_workers = 2;
	cfg.worker[0] = 0;
	cfg.worker[1] = 2;
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), 0);
	/* The main lcore is the first CPU that is not a worker. */
	assert_int_equal(p.main_lcore, 1);
	assert_int_equal(p.n_workers, 2);
	assert_false(p.interleaved);
	assert_string_equal(arg(&p, "-l"), "1,0,2");
	dp_eal_plan_free(&p);
	/* Every CPU of the process is a worker: no main lcore. */
	cfg.n_workers = 4;
	cfg.worker[1] = 1;
	cfg.worker[2] = 2;
	cfg.worker[3] = 3;
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), -EINVAL);
	dp_eal_plan_free(&p);
}

static void test_pci_and_extra(void **state)
{
	unsigned ids[] = {0, 1};
	cpu_set_t cpus = cpus_of(2, ids);
	struct dp_eal_plan p;

	(void)state;
	cfg_init();
	cfg.port[1].is_pci = true;
	strcpy(cfg.port[1].device, "0000:3b:00.0");
	strcpy(cfg.eal_args, "--no-huge  -m 512 --file-prefix=lab1");
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), 0);
	assert_string_equal(arg(&p, "-a"), "0000:3b:00.0");
	assert_int_equal(count(&p, "--no-pci"), 0); /* a PCI port: the EAL must probe it */
	assert_int_equal(count(&p, "--no-huge"), 1);
	assert_string_equal(arg(&p, "-m"), "512");
	/* The configuration's prefix wins: only one. */
	assert_string_equal(arg(&p, "--file-prefix"), "lab1");
	assert_int_equal(count(&p, "--file-prefix=lab1"), 1);
	assert_int_equal(p.argc, 1 + 3 + 4 + 4);
	dp_eal_plan_free(&p);
	/* eal-args that choose devices themselves get no --no-pci added. */
	cfg_init();
	strcpy(cfg.eal_args, "-a 0000:01:00.0");
	assert_int_equal(dp_eal_plan(&cfg, &cpus, "rh", &p), 0);
	assert_int_equal(count(&p, "--no-pci"), 0);
	dp_eal_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_default_two_cpus),
	        cmocka_unit_test(test_one_cpu_interleaved),
	        cmocka_unit_test(test_worker_cores),
	        cmocka_unit_test(test_pci_and_extra),
	};

	return cmocka_run_group_tests_name("dp_eal", tests, NULL, NULL);
}

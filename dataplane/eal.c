/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL arguments from the configuration (see eal.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eal.h"

static int plan_add(struct dp_eal_plan *p, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

static int plan_add(struct dp_eal_plan *p, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	if (p->argc >= DP_EAL_MAX_ARGS - 1)
		return -E2BIG;
	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -ENOMEM;
	p->argv[p->argc++] = s;
	p->argv[p->argc] = NULL;
	return 0;
}

void dp_eal_plan_free(struct dp_eal_plan *p)
{
	for (int i = 0; i < p->argc; i++)
		free(p->argv[i]);
	p->argc = 0;
	p->argv[0] = NULL;
}

/* Whether eal-args holds this option (alone, or as "--opt=value"). */
static bool has_word(const char *args, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = strstr(args, word); p != NULL; p = strstr(p + 1, word))
		if ((p == args || p[-1] == ' ') &&
		    (p[len] == '\0' || p[len] == ' ' || p[len] == '='))
			return true;
	return false;
}

void dp_eal_file_prefix(const char *socket_path, char *buf, size_t size)
{
	uint32_t h = 2166136261u; /* FNV-1a: stable, short, no dependency */

	for (const char *s = socket_path; *s != '\0'; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	snprintf(buf, size, "routehub-%08x", h);
}

static bool is_worker(const struct rh_dp_cfg *dp, unsigned cpu)
{
	for (unsigned w = 0; w < dp->n_workers; w++)
		if (dp->worker[w] == cpu)
			return true;
	return false;
}

static int plan_lcores(const struct rh_dp_cfg *dp, const cpu_set_t *cpus, struct dp_eal_plan *p)
{
	unsigned free_cpu[2], n_free = 0;

	for (unsigned c = 0; c < CPU_SETSIZE && n_free < 2; c++)
		if (CPU_ISSET(c, cpus) && !is_worker(dp, c))
			free_cpu[n_free++] = c;
	if (n_free == 0)
		return -EINVAL;
	p->main_lcore = free_cpu[0];
	if (dp->n_workers > 0) {
		p->n_workers = dp->n_workers;
		for (unsigned w = 0; w < dp->n_workers; w++)
			p->worker_lcore[w] = dp->worker[w];
		return 0;
	}
	p->n_workers = 1;
	p->interleaved = n_free < 2;
	p->worker_lcore[0] = free_cpu[p->interleaved ? 0 : 1];
	return 0;
}

static int plan_lcore_args(struct dp_eal_plan *p)
{
	char list[RH_MAX_WORKERS * 6 + 8];
	size_t n;
	int rc;

	n = (size_t)snprintf(list, sizeof(list), "%u", p->main_lcore);
	for (unsigned w = 0; w < p->n_workers && !p->interleaved && n < sizeof(list); w++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, ",%u", p->worker_lcore[w]);
	if (n >= sizeof(list))
		return -E2BIG;
	rc = plan_add(p, "-l");
	if (rc == 0)
		rc = plan_add(p, "%s", list);
	if (rc == 0)
		rc = plan_add(p, "--main-lcore=%u", p->main_lcore);
	return rc;
}

static int plan_devices(const struct rh_dp_cfg *dp, struct dp_eal_plan *p)
{
	bool pci = false;
	int rc = 0;

	for (unsigned i = 0; i < dp->n_ports && rc == 0; i++) {
		pci |= dp->port[i].is_pci;
		rc = plan_add(p, "%s", dp->port[i].is_pci ? "-a" : "--vdev");
		if (rc == 0)
			rc = plan_add(p, "%s", dp->port[i].device);
	}
	/* Without a PCI port, the EAL must not take the host's NICs. */
	if (rc == 0 && !pci && !has_word(dp->eal_args, "--no-pci") &&
	    !has_word(dp->eal_args, "-a") && !has_word(dp->eal_args, "--allow"))
		rc = plan_add(p, "--no-pci");
	return rc;
}

int dp_eal_plan(const struct rh_dp_cfg *dp, const cpu_set_t *cpus, const char *prog,
                struct dp_eal_plan *p)
{
	char extra[sizeof(dp->eal_args)], prefix[32], *save = NULL;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = plan_lcores(dp, cpus, p);
	if (rc == 0)
		rc = plan_add(p, "%s", prog);
	if (rc == 0)
		rc = plan_lcore_args(p);
	if (rc == 0 && !has_word(dp->eal_args, "--file-prefix")) {
		dp_eal_file_prefix(dp->mgmt_socket, prefix, sizeof(prefix));
		rc = plan_add(p, "--file-prefix=%s", prefix);
	}
	if (rc == 0)
		rc = plan_devices(dp, p);
	snprintf(extra, sizeof(extra), "%s", dp->eal_args);
	for (char *t = strtok_r(extra, " ", &save); t != NULL && rc == 0;
	     t = strtok_r(NULL, " ", &save))
		rc = plan_add(p, "%s", t);
	return rc;
}

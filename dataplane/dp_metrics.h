/* SPDX-License-Identifier: BSD-3-Clause */
/* The dataplane's Prometheus endpoint (metrics.c), polled by the main lcore's loop. */
#ifndef ROUTEHUB_DP_METRICS_H
#define ROUTEHUB_DP_METRICS_H

#include <stdint.h>

struct dp_main;

/*
 * Listens when the configuration has a metrics port. A failure is logged and leaves the
 * endpoint off (forwarding does not depend on it); returns 0 or the negative errno.
 */
int dp_metrics_init(struct dp_main *d);
void dp_metrics_fini(void);
/* Serves what is pending without blocking; now_ms from dp_now_ms(). */
void dp_metrics_poll(uint64_t now_ms);

#endif

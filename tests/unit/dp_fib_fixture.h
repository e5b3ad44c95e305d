/* SPDX-License-Identifier: BSD-3-Clause */
/* The FIB that test_dp_worker programs: see dp_fib_fixture.c. */
#ifndef ROUTEHUB_TEST_DP_FIB_FIXTURE_H
#define ROUTEHUB_TEST_DP_FIB_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "fib.h"

#define FX_MAX_NH     16 /* next-hop ids 1..15 */
#define FX_MAX_GROUPS 3  /* group ids 0..2 */

struct dp_fib *fx_create(void);
void fx_destroy(struct dp_fib *fib);
/* A next hop; mac and src are its neighbour's and its port's MAC when it is resolved. */
void fx_nh(struct dp_fib *fib, uint32_t id, uint8_t family, uint16_t port, enum dp_nh_state state,
           const struct rte_ether_addr *mac, const struct rte_ether_addr *src);
void fx_group(struct dp_fib *fib, uint32_t id, const uint32_t *members, unsigned n);
/* value: a next-hop id, or DP_FIB_GROUP | group id. addr in host order. */
void fx_route4(struct dp_fib *fib, uint32_t addr, uint8_t len, uint64_t value);
void fx_route6(struct dp_fib *fib, const uint8_t *addr, uint8_t len, uint64_t value);

/* True for the test double: it can hold next hops that the real FIB's writers refuse. */
bool fx_is_double(void);
/* Quiescent reports and reader registrations seen (the real FIB: always 1). */
unsigned fx_quiescent(const struct dp_fib *fib);
unsigned fx_registered(const struct dp_fib *fib);
/* The double's ECMP member choice: hash % n, else (hash * n) >> 32. No-op on the real one. */
void fx_set_ecmp_modulo(struct dp_fib *fib, bool on);

#endif

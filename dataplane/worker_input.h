/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's pass 1 over a burst, included by worker.c twice: as input_burst_sse() for
 * groups of 4, and as input_burst_avx2() (target AVX2) for groups of 8 first, so that each
 * has its group functions inlined. The includer defines:
 *   INPUT_NAME    the function's name
 *   INPUT_ATTR    its attributes
 *   INPUT_GROUP8  1: groups of 8 (ip4_fast_group8()), 0: groups of 4 only
 */

/* Pass 1 in groups of 8 or 4 packets, the rest (and groups that are not all common) one
 * by one; the order of the packets is kept in the lookup array. */
static INPUT_ATTR void INPUT_NAME(struct dp_worker *w, struct burst *b, struct rte_mbuf **pkts,
                                  uint16_t n)
{
	struct rx_acc rx = {.eth_port = UINT16_MAX, .port = DP_PORT_NONE};
	struct dp_fast4 *f = &w->fast4;
	uint64_t gpkts = 0, gbytes = 0; /* the grouped packets of the current run */
	uint32_t bytes;
	uint16_t i, j;
	bool pf;

	if (n > 0)
		rx_switch(w, &rx, pkts[0]->port);
	/* A burst comes from one queue of one port: its first packet's port says. */
	pf = rx.port != DP_PORT_NONE && w->ctx->port[rx.port].prefetch;
	if (pf && likely(n >= (INPUT_GROUP8 ? 8 : 4))) {
		for (i = 0; i < (INPUT_GROUP8 ? 8 : 4); i++) /* unrolled: a constant count */
			prefetch_hdr(pkts[i]);
	} else if (pf) {
		for (i = 0; i < n; i++)
			prefetch_hdr(pkts[i]);
	}
	for (i = 0; i + 4 <= n; i += 4) {
		struct rte_mbuf **pk = pkts + i;
		bool eight = INPUT_GROUP8 && i + 8 <= n;

		/* The next packets' headers, while these are examined. */
		if (!pf) {
			/* the frames are in the cache already */
		} else if (eight && likely(i + 16 <= n)) {
			prefetch_hdr(pk[8]);
			prefetch_hdr(pk[9]);
			prefetch_hdr(pk[10]);
			prefetch_hdr(pk[11]);
			prefetch_hdr(pk[12]);
			prefetch_hdr(pk[13]);
			prefetch_hdr(pk[14]);
			prefetch_hdr(pk[15]);
		} else if (eight) {
			for (j = (uint16_t)(i + 8); j < n; j++)
				prefetch_hdr(pkts[j]);
		} else if (likely(i + 8 <= n)) {
			prefetch_hdr(pk[4]);
			prefetch_hdr(pk[5]);
			prefetch_hdr(pk[6]);
			prefetch_hdr(pk[7]);
		} else {
			for (j = (uint16_t)(i + 4); j < n; j++)
				prefetch_hdr(pkts[j]);
		}
		/* The template of the current run's port; the group checks that all its
		 * packets came from it. */
		if (unlikely(f->port != rx.port)) {
			if (rx.port != DP_PORT_NONE)
				fast4_set_port(f, w->ctx, rx.port);
			else
				goto one_by_one;
		}
#if INPUT_GROUP8
		if (eight && ip4_fast_group8(w, b, pk, i, &bytes)) {
			gpkts += 8;
			gbytes += bytes;
			i = (uint16_t)(i + 4);
			continue;
		}
#endif
		if (likely(ip4_fast_group(f, b, pk, i, &bytes))) {
			gpkts += 4;
			gbytes += bytes;
			continue;
		}
	one_by_one:
		/* The groups so far were the current run's; input_one() may start another. */
		rx.pkts += gpkts;
		rx.bytes += gbytes;
		gpkts = gbytes = 0;
		for (j = 0; j < 4; j++)
			input_one(w, b, &rx, pk[j], (uint16_t)(i + j));
	}
	rx.pkts += gpkts;
	rx.bytes += gbytes;
	for (; i < n; i++)
		input_one(w, b, &rx, pkts[i], i);
	rx_switch(w, &rx, UINT16_MAX);
}

#undef INPUT_NAME
#undef INPUT_ATTR
#undef INPUT_GROUP8

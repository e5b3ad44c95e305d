/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's pass 1 over groups of 4 common-case IPv4 packets, in SSE registers. Private
 * to worker.c, which includes it after its struct burst, ETH_HLEN and IP4_MIN_HLEN. The
 * per-port template, struct dp_fast4, lives in the worker (worker.h).
 */
#ifndef ROUTEHUB_DP_WORKER_FAST4_H
#define ROUTEHUB_DP_WORKER_FAST4_H

#include <rte_vect.h>

/* The SSE 4.1 code below (x86 only); elsewhere every packet takes the per-packet path. */
#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)

/*
 * Pass 1 over a group of 4 (the l3fwd way): the checks of the common case for four packets
 * at once, in SSE registers, combined into one verdict. Any doubt sends the group packet
 * by packet through ip4_fast_input() and l2_input(), which decide; so a group taken here
 * is one those would all have passed.
 */

/*
 * The header checksums of four 20-byte headers (RFC 1071), the headers' 32-bit words
 * transposed: v[w] holds word w of header j in lane j. The 16-bit halves are summed in
 * 32-bit lanes (at most 10 * 0xffff: no overflow) and folded twice; a header is intact
 * when its sum folds to 0xffff, in either byte order. All ones in the lanes that are.
 */
static inline __m128i ip4_cksum4(const __m128i v[5])
{
	const __m128i lo16 = _mm_set1_epi32(0xffff);
	__m128i t = _mm_setzero_si128();
	unsigned w;

#pragma GCC unroll 5
	for (w = 0; w < 5; w++)
		t = _mm_add_epi32(
		        t, _mm_add_epi32(_mm_and_si128(v[w], lo16), _mm_srli_epi32(v[w], 16)));
	t = _mm_add_epi32(_mm_and_si128(t, lo16), _mm_srli_epi32(t, 16));
	t = _mm_add_epi32(_mm_and_si128(t, lo16), _mm_srli_epi32(t, 16));
	return _mm_cmpeq_epi32(t, lo16);
}

/*
 * RFC 1812 5.3.7 for eight addresses (network order, one per 32-bit lane of s and d) by
 * their first octet: 0/8, 127/8, 224/4, 240/4. Non-zero lanes for martians.
 */
static inline __m128i ip4_martian8(__m128i s, __m128i d)
{
	const __m128i octet = _mm_set1_epi32(0xff);
	__m128i f = _mm_packus_epi32(_mm_and_si128(s, octet), _mm_and_si128(d, octet));
	__m128i f1 = _mm_sub_epi16(f, _mm_set1_epi16(1)); /* 0 wraps to -1 */

	return _mm_or_si128(_mm_or_si128(_mm_cmpgt_epi16(f1, _mm_set1_epi16(222)),
	                                 _mm_cmpeq_epi16(f1, _mm_set1_epi16(-1))),
	                    _mm_cmpeq_epi16(f, _mm_set1_epi16(127)));
}

/*
 * dp_local_has4()'s filter for four destinations (network order, one per lane): non-zero
 * lanes where the filter has the address's bit (dp_local_bit4(): bit (a * K) >> 26), which
 * l2_input() then examines. The bit is looked up with two byte shuffles: byte i >> 3 of the
 * filter, and 1 << (i & 7).
 */
static inline __m128i ip4_local4(__m128i filter, __m128i dst)
{
	const __m128i bits =
	        _mm_set_epi8(-128, 64, 32, 16, 8, 4, 2, 1, -128, 64, 32, 16, 8, 4, 2, 1);
	__m128i idx = _mm_srli_epi32(_mm_mullo_epi32(dst, _mm_set1_epi32((int)0x9e3779b1u)), 26);
	__m128i fb = _mm_shuffle_epi8(filter, _mm_srli_epi32(idx, 3));
	__m128i bm = _mm_shuffle_epi8(bits, _mm_and_si128(idx, _mm_set1_epi32(7)));

	/* Only byte 0 of each lane holds an index; the other bytes looked up entry 0. */
	return _mm_and_si128(_mm_and_si128(fb, bm), _mm_set1_epi32(0xff));
}

/* ip4_dec_ttl() of four headers' word 2 (TTL, protocol, checksum, as read little-endian):
 * x + 0xffff, and + 0x10000 more when x >= 0xfffe0000 (compared unsigned). */
static inline __m128i ip4_dec_ttl4(__m128i w2)
{
	const __m128i bias = _mm_set1_epi32(INT32_MIN);
	__m128i wrap = _mm_cmpgt_epi32(_mm_xor_si128(w2, bias),
	                               _mm_set1_epi32((int)(0xfffdffffu ^ 0x80000000u)));

	return _mm_add_epi32(_mm_add_epi32(w2, _mm_set1_epi32(0xffff)),
	                     _mm_and_si128(wrap, _mm_set1_epi32(0x10000)));
}

/*
 * Non-zero lanes for destinations that may be own addresses: exact compares while there
 * are few (a filter's false positives would send a group in 32 to the slow path with
 * four addresses, one in 8 with two), else the filter.
 */
static inline __m128i ip4_own4(const struct dp_fast4 *f, __m128i dst)
{
	__m128i r = _mm_or_si128(_mm_cmpeq_epi32(dst, f->own[0]), _mm_cmpeq_epi32(dst, f->own[1]));

	if (likely(f->n_own <= 2))
		return r;
	r = _mm_or_si128(
	        r, _mm_or_si128(_mm_cmpeq_epi32(dst, f->own[2]), _mm_cmpeq_epi32(dst, f->own[3])));
	if (f->n_own <= 4)
		return r;
	if (f->n_own <= DP_FAST4_OWN)
		return _mm_or_si128(r, _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi32(dst, f->own[4]),
		                                                 _mm_cmpeq_epi32(dst, f->own[5])),
		                                    _mm_or_si128(_mm_cmpeq_epi32(dst, f->own[6]),
		                                                 _mm_cmpeq_epi32(dst, f->own[7]))));
	return ip4_local4(f->filter4, dst);
}

/* The mbuf fields pass 1 reads as vectors: 16 bytes from data_off (data_off, refcnt,
 * nb_segs, port, ol_flags) and 16 from packet_type (packet_type, pkt_len, data_len, ...). */
_Static_assert(offsetof(struct rte_mbuf, port) == offsetof(struct rte_mbuf, data_off) + 6 &&
                       offsetof(struct rte_mbuf, ol_flags) ==
                               offsetof(struct rte_mbuf, data_off) + 8,
               "rte_mbuf rearm layout");
_Static_assert(offsetof(struct rte_mbuf, pkt_len) == offsetof(struct rte_mbuf, packet_type) + 4 &&
                       offsetof(struct rte_mbuf, data_len) ==
                               offsetof(struct rte_mbuf, packet_type) + 8,
               "rte_mbuf rx descriptor layout");

static inline int load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return (int)v;
}

static inline __m128i mbuf_load16(const struct rte_mbuf *m, size_t off)
{
	return _mm_loadu_si128((const __m128i *)(const void *)((const uint8_t *)m + off));
}

/*
 * The group pk[0..3]: true when the four are common-case packets received on the
 * template's port, then queued for the lookup as one group and their frame bytes in
 * *bytes; false leaves them untouched.
 */
static inline bool ip4_fast_group(struct dp_fast4 *f, struct burst *b, struct rte_mbuf **pk,
                                  uint16_t i, uint32_t *bytes)
{
	const size_t rearm = offsetof(struct rte_mbuf, data_off);
	const size_t desc = offsetof(struct rte_mbuf, packet_type);
	const __m128i bswap32 = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
	/* The total length, big-endian in bytes 2..3 of word 0, to a host-order lane. */
	const __m128i tot_of =
	        _mm_set_epi8(-1, -1, 14, 15, -1, -1, 10, 11, -1, -1, 6, 7, -1, -1, 2, 3);
	const __m128i mm = f->meta_mask;
	uint8_t *p[4];
	__m128i r[4], dsc[4], a[4], v[5], x, l2, t01, t23, u01, u23, tot, plen, plen14, bad;
	uint16_t k = b->n4;
	unsigned j;

	/* The mbufs: port and offload flags against the template (checksum unverified, or
	 * GOOD by the NIC: the template that matched last is tried first), and enough data
	 * in the first segment for the headers read below. */
#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		r[j] = _mm_and_si128(mbuf_load16(pk[j], rearm), mm);
		dsc[j] = mbuf_load16(pk[j], desc);
	}
	t01 = _mm_unpacklo_epi32(dsc[0], dsc[1]);
	t23 = _mm_unpacklo_epi32(dsc[2], dsc[3]);
	u01 = _mm_unpackhi_epi32(dsc[0], dsc[1]);
	u23 = _mm_unpackhi_epi32(dsc[2], dsc[3]);
	plen = _mm_unpackhi_epi64(t01, t23);
	x = _mm_cmpgt_epi32(_mm_set1_epi32((int)(ETH_HLEN + IP4_MIN_HLEN)),
	                    _mm_and_si128(_mm_unpacklo_epi64(u01, u23), _mm_set1_epi32(0xffff)));
	l2 = _mm_or_si128(_mm_or_si128(_mm_xor_si128(r[0], f->meta_want[0]),
	                               _mm_xor_si128(r[1], f->meta_want[0])),
	                  _mm_or_si128(_mm_xor_si128(r[2], f->meta_want[0]),
	                               _mm_xor_si128(r[3], f->meta_want[0])));
	if (unlikely(!_mm_testz_si128(l2, l2))) {
		__m128i other = f->meta_want[1];

		l2 = _mm_or_si128(
		        _mm_or_si128(_mm_xor_si128(r[0], other), _mm_xor_si128(r[1], other)),
		        _mm_or_si128(_mm_xor_si128(r[2], other), _mm_xor_si128(r[3], other)));
		if (!_mm_testz_si128(l2, l2))
			return false;
		f->meta_want[1] = f->meta_want[0];
		f->meta_want[0] = other;
		f->nic_cksum = !f->nic_cksum;
	}
	if (unlikely(!_mm_testz_si128(x, x)))
		return false;
	l2 = _mm_setzero_si128();
#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		p[j] = rte_pktmbuf_mtod(pk[j], uint8_t *);
		l2 = _mm_or_si128(
		        l2, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(const void *)p[j]),
		                          f->want));
		a[j] = _mm_loadu_si128((const __m128i *)(const void *)(p[j] + ETH_HLEN));
	}
	/* To the port's MAC, IPv4 with IHL 5. */
	if (!_mm_testz_si128(l2, f->mask))
		return false;
	/* Transposed: v[w] = word w of the four headers. */
	t01 = _mm_unpacklo_epi32(a[0], a[1]);
	t23 = _mm_unpacklo_epi32(a[2], a[3]);
	u01 = _mm_unpackhi_epi32(a[0], a[1]);
	u23 = _mm_unpackhi_epi32(a[2], a[3]);
	v[0] = _mm_unpacklo_epi64(t01, t23);
	v[1] = _mm_unpackhi_epi64(t01, t23);
	v[2] = _mm_unpacklo_epi64(u01, u23);
	v[3] = _mm_unpackhi_epi64(u01, u23);
	v[4] = _mm_set_epi32(load32(p[3] + ETH_HLEN + 16), load32(p[2] + ETH_HLEN + 16),
	                     load32(p[1] + ETH_HLEN + 16), load32(p[0] + ETH_HLEN + 16));
	tot = _mm_shuffle_epi8(v[0], tot_of);
	plen14 = _mm_sub_epi32(plen, _mm_set1_epi32((int)ETH_HLEN));
	/* 20 <= total length <= the frame's IP bytes (5.2.2 (5)); a TTL that expires here
	 * (5.3.1) is for ip4_forward(); martians (5.3.7); no destination that may be our own. */
	bad = _mm_or_si128(_mm_cmpgt_epi32(tot, plen14),
	                   _mm_cmpgt_epi32(_mm_set1_epi32((int)IP4_MIN_HLEN), tot));
	/* Within every port's MTU, so that pass 2 need not look at the output port's (a
	 * larger packet takes the per-packet path, which knows what to do with it: 5.2.6). */
	bad = _mm_or_si128(bad, _mm_cmpgt_epi32(tot, f->mtu));
	bad = _mm_or_si128(
	        bad, _mm_cmpgt_epi32(_mm_set1_epi32(2), _mm_and_si128(v[2], _mm_set1_epi32(0xff))));
	bad = _mm_or_si128(bad, ip4_martian8(v[3], v[4]));
	bad = _mm_or_si128(bad, ip4_own4(f, v[4]));
	if (!f->nic_cksum)
		bad = _mm_or_si128(bad, _mm_xor_si128(ip4_cksum4(v), _mm_set1_epi32(-1)));
	if (unlikely(!_mm_testz_si128(bad, bad)))
		return false;
	/* rte_fib takes host byte order. */
	_mm_storeu_si128((__m128i *)(void *)&b->ip4[k], _mm_shuffle_epi8(v[4], bswap32));
	/* A large table's entries are not in the cache: they are fetched while the rest of
	 * the burst is checked, so that the bulk lookup does not wait for memory. */
	{
		const uint8_t *t24 = __atomic_load_n(&f->fib->prefetch24, __ATOMIC_RELAXED);

		if (t24 != NULL) {
			unsigned sh = f->fib->tbl24_shift;

			dp_fib_prefetch4(t24, sh, b->ip4[k]);
			dp_fib_prefetch4(t24, sh, b->ip4[k + 1]);
			dp_fib_prefetch4(t24, sh, b->ip4[k + 2]);
			dp_fib_prefetch4(t24, sh, b->ip4[k + 3]);
		}
	}
	/* For pass 2, which writes them only if the group is forwarded as one. */
	_mm_storeu_si128((__m128i *)(void *)&b->ttl4[k], ip4_dec_ttl4(v[2]));
	memcpy(&b->data4[k], p, sizeof(p));
	plen14 = _mm_xor_si128(plen14, tot);
	b->grp4_pad |= (uint32_t)!_mm_testz_si128(plen14, plen14) << k;
	plen = _mm_add_epi32(plen, _mm_shuffle_epi32(plen, _MM_SHUFFLE(1, 0, 3, 2)));
	plen = _mm_add_epi32(plen, _mm_shuffle_epi32(plen, _MM_SHUFFLE(2, 3, 0, 1)));
	*bytes = (uint32_t)_mm_cvtsi128_si32(plen);
	b->grp4_bytes[k] = *bytes;
	/* idx4[k..k+3] = i..i+3 in one store. */
	{
		uint64_t idx = (uint64_t)i * 0x0001000100010001ull + 0x0003000200010000ull;

		memcpy(&b->idx4[k], &idx, 8);
	}
	b->grp4 |= 1u << k;
	b->n4 = (uint16_t)(k + 4);
	return true;
}

/* The fast-path template of port index `port`. */
static inline void fast4_set_port(struct dp_fast4 *f, const struct dp_fwd_ctx *ctx, uint8_t port)
{
	const uint64_t cm = RTE_MBUF_F_RX_IP_CKSUM_MASK | RTE_MBUF_F_RX_VLAN_STRIPPED;
	const long long eth = (long long)((uint64_t)ctx->port[port].eth_port << 48);

	/* Bytes 12..14: ethertype 0x0800, version 4 and IHL 5; 6..11 (source MAC) and 15
	 * (TOS) are not looked at. */
	f->want = _mm_set_epi64x(0x0045000800000000ll, (long long)ctx->port[port].mac64);
	f->mask = _mm_set_epi64x(0x00ffffff00000000ll, 0x0000ffffffffffffll);
	/* The mbuf's port (bytes 6..7 from data_off) and the flags of ol_flags that matter. */
	f->meta_mask = _mm_set_epi64x((long long)cm, (long long)(0xffffull << 48));
	f->meta_want[0] = _mm_set_epi64x(0, eth);
	f->meta_want[1] = _mm_set_epi64x((long long)RTE_MBUF_F_RX_IP_CKSUM_GOOD, eth);
	f->nic_cksum = false;
	f->filter4 = _mm_set1_epi64x((long long)ctx->local.filter4);
	f->n_own = ctx->local.n4;
	{
		uint16_t mtu = UINT16_MAX;

		for (unsigned j = 0; j < ctx->n_ports; j++)
			if (ctx->port[j].enabled)
				mtu = RTE_MIN(mtu, ctx->port[j].mtu);
		f->mtu = _mm_set1_epi32(mtu);
	}
	/* No own address: 0.0.0.0, a martian that the checks send to the slow path anyway. */
	for (unsigned j = 0; j < DP_FAST4_OWN; j++)
		f->own[j] = _mm_set1_epi32(
		        ctx->local.n4 == 0 ? 0 : (int)ctx->local.v4[j % ctx->local.n4]);
	f->fib = dp_fib_view(ctx->fib);
	f->port = port;
}

#else /* no SSE 4.1 */

static inline void fast4_set_port(struct dp_fast4 *f, const struct dp_fwd_ctx *ctx, uint8_t port)
{
	RTE_SET_USED(ctx);
	f->port = port;
}

static inline bool ip4_fast_group(struct dp_fast4 *f, struct burst *b, struct rte_mbuf **pk,
                                  uint16_t i, uint32_t *bytes)
{
	RTE_SET_USED(f);
	RTE_SET_USED(b);
	RTE_SET_USED(pk);
	RTE_SET_USED(i);
	RTE_SET_USED(bytes);
	return false;
}

#endif
#endif

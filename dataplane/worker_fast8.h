/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pass 1 over 8 common-case IPv4 packets at once in AVX2 registers: ip4_fast_group()'s
 * checks, each 256-bit register holding two groups of 4 (packets 0..3 in its low half,
 * 4..7 in its high half, so that the 128-bit unpacks transpose both at once). What it
 * queues is two groups of 4 exactly as ip4_fast_group() queues them, for the same pass 2.
 * Any doubt returns false, and the caller tries the two groups of 4 (which also switch
 * the template between unverified and NIC-verified checksums). Private to worker.c,
 * which includes it after worker_fast4.h; compiled for AVX2 by the target attribute and
 * used only where the CPU has it (dp_worker_init()).
 */
#ifndef ROUTEHUB_DP_WORKER_FAST8_H
#define ROUTEHUB_DP_WORKER_FAST8_H

#if defined(RTE_ARCH_X86) && defined(__SSE4_1__)
#include <immintrin.h>

#define DP_AVX2 __attribute__((target("avx2")))

/* The constants of the groups of 8, one per row of dp_fast4.k8 (fast8_init()): read from
 * memory, where an immediate would take three instructions in the loop to broadcast. */
enum {
	K8_FFFF,     /* 0xffff in each 32-bit lane */
	K8_FF,       /* 0xff */
	K8_HDRS,     /* Ethernet + minimal IPv4 header: 34 */
	K8_MIN_HLEN, /* 20 */
	K8_ETH_HLEN, /* 14 */
	K8_TTL_MIN,  /* 2 */
	K8_W1,       /* 1 in each 16-bit lane */
	K8_W222,     /* 222 in each 16-bit lane */
	K8_W127,     /* 127 in each 16-bit lane */
	K8_SIGN,     /* INT32_MIN */
	K8_TTL_WRAP, /* 0xfffdffff ^ INT32_MIN */
	K8_CARRY,    /* 0x10000 */
	K8_N
};
_Static_assert(K8_N == DP_FAST8_NK, "dp_fast4.k8 holds every constant");

/* Fills f->k8 (plain C: any CPU may call it). */
static inline void fast8_init(struct dp_fast4 *f)
{
	static const uint32_t k[K8_N] = {
	        [K8_FFFF] = 0xffff,
	        [K8_FF] = 0xff,
	        [K8_HDRS] = ETH_HLEN + IP4_MIN_HLEN,
	        [K8_MIN_HLEN] = IP4_MIN_HLEN,
	        [K8_ETH_HLEN] = ETH_HLEN,
	        [K8_TTL_MIN] = 2,
	        [K8_W1] = 0x00010001,
	        [K8_W222] = 222u * 0x00010001u,
	        [K8_W127] = 127u * 0x00010001u,
	        [K8_SIGN] = 0x80000000u,
	        [K8_TTL_WRAP] = 0xfffdffffu ^ 0x80000000u,
	        [K8_CARRY] = 0x10000,
	};

	for (unsigned i = 0; i < K8_N; i++)
		for (unsigned j = 0; j < 8; j++)
			f->k8[i][j] = k[i];
}

static inline DP_AVX2 __m256i k8(const struct dp_fast4 *f, unsigned i)
{
	return _mm256_load_si256((const __m256i *)(const void *)f->k8[i]);
}

/* Two 16-byte loads, a in the low half and b in the high half. */
static inline DP_AVX2 __m256i load2x16(const void *a, const void *b)
{
	return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128(a)),
	                               _mm_loadu_si128(b), 1);
}

static inline DP_AVX2 __m256i bcast16(const xmm_t *v)
{
	return _mm256_broadcastsi128_si256(_mm_load_si128(v));
}

/* ip4_cksum4() for eight headers. */
static inline DP_AVX2 __m256i ip4_cksum8(const struct dp_fast4 *k, const __m256i v[5])
{
	const __m256i lo16 = k8(k, K8_FFFF);
	__m256i t = _mm256_setzero_si256();

#pragma GCC unroll 5
	for (unsigned w = 0; w < 5; w++)
		t = _mm256_add_epi32(t, _mm256_add_epi32(_mm256_and_si256(v[w], lo16),
		                                         _mm256_srli_epi32(v[w], 16)));
	t = _mm256_add_epi32(_mm256_and_si256(t, lo16), _mm256_srli_epi32(t, 16));
	t = _mm256_add_epi32(_mm256_and_si256(t, lo16), _mm256_srli_epi32(t, 16));
	return _mm256_cmpeq_epi32(t, lo16);
}

/* ip4_martian8() for eight sources and destinations: non-zero lanes for martians. */
static inline DP_AVX2 __m256i ip4_martian16(const struct dp_fast4 *k, __m256i s, __m256i d)
{
	const __m256i octet = k8(k, K8_FF);
	__m256i f = _mm256_packus_epi32(_mm256_and_si256(s, octet), _mm256_and_si256(d, octet));
	__m256i f1 = _mm256_sub_epi16(f, k8(k, K8_W1));

	return _mm256_or_si256(_mm256_or_si256(_mm256_cmpgt_epi16(f1, k8(k, K8_W222)),
	                                       _mm256_cmpeq_epi16(f1, _mm256_set1_epi16(-1))),
	                       _mm256_cmpeq_epi16(f, k8(k, K8_W127)));
}

/* ip4_dec_ttl4() for eight words 2. */
static inline DP_AVX2 __m256i ip4_dec_ttl8(const struct dp_fast4 *k, __m256i w2)
{
	__m256i wrap = _mm256_cmpgt_epi32(_mm256_xor_si256(w2, k8(k, K8_SIGN)), k8(k, K8_TTL_WRAP));

	return _mm256_add_epi32(_mm256_add_epi32(w2, k8(k, K8_FFFF)),
	                        _mm256_and_si256(wrap, k8(k, K8_CARRY)));
}

/* Exact own-address compares only (up to DP_FAST4_OWN); more: false, the groups of 4
 * use the filter. */
static inline DP_AVX2 __m256i ip4_own8(const struct dp_fast4 *f, __m256i dst)
{
	__m256i r = _mm256_or_si256(_mm256_cmpeq_epi32(dst, bcast16(&f->own[0])),
	                            _mm256_cmpeq_epi32(dst, bcast16(&f->own[1])));

	if (likely(f->n_own <= 2))
		return r;
	for (unsigned j = 2; j < DP_FAST4_OWN; j++)
		r = _mm256_or_si256(r, _mm256_cmpeq_epi32(dst, bcast16(&f->own[j])));
	return r;
}

/* The first-level index of each lane's destination (network order): the host-order
 * address shifted right by 8. */
static inline DP_AVX2 __m256i ip4_idx24_8(__m256i dst)
{
	return _mm256_shuffle_epi8(
	        dst, _mm256_broadcastsi128_si256(
	                     _mm_set_epi8(-1, 12, 13, 14, -1, 8, 9, 10, -1, 4, 5, 6, -1, 0, 1, 2)));
}

/* ip4_rewrite4() of frames p[0..3], the TTL words from the lanes of ttl. */
static inline __attribute__((always_inline)) DP_AVX2 void ip4_put4(uint8_t *const p[4], __m128i ttl,
                                                                   const struct dp_nh *nh)
{
	uint32_t w2[4] = {(uint32_t)_mm_cvtsi128_si32(ttl), (uint32_t)_mm_extract_epi32(ttl, 1),
	                  (uint32_t)_mm_extract_epi32(ttl, 2), (uint32_t)_mm_extract_epi32(ttl, 3)};

	ip4_rewrite4(p, w2, nh);
}

/*
 * Pass 2 for eight checked packets in pass 1 itself, the table read directly (2-byte
 * entries): when each group of 4 has one entry, not extended, to a resolved next hop (no
 * ECMP), they are rewritten (TTL words ttl, from ip4_dec_ttl8()) and buffered for TX.
 * false leaves them untouched.
 */
static inline __attribute__((always_inline)) DP_AVX2 bool
ip4_fwd8(struct dp_worker *w, struct burst *b, struct rte_mbuf **pk, uint8_t *const p[8],
         __m256i dst, __m256i ttl, uint32_t bytes_a, uint32_t bytes_b)
{
	const uint16_t *t = (const uint16_t *)(const void *)w->fast4.fib->tbl24;
	__m256i ix = ip4_idx24_8(dst);
	__m128i lo = _mm256_castsi256_si128(ix), hi = _mm256_extracti128_si256(ix, 1), a, c, e, x;
	const struct dp_nh *na, *nb;
	uint32_t e0, e4;

	/* The eight entries in 16-bit lanes, compared with the first of their group of 4
	 * (lanes 0 and 4) at once; neither may be extended (bit 0). */
	a = _mm_cvtsi32_si128(t[(uint32_t)_mm_cvtsi128_si32(lo)]);
	c = _mm_cvtsi32_si128(t[(uint32_t)_mm_cvtsi128_si32(hi)]);
	a = _mm_insert_epi16(a, t[(uint32_t)_mm_extract_epi32(lo, 1)], 1);
	c = _mm_insert_epi16(c, t[(uint32_t)_mm_extract_epi32(hi, 1)], 1);
	a = _mm_insert_epi16(a, t[(uint32_t)_mm_extract_epi32(lo, 2)], 2);
	c = _mm_insert_epi16(c, t[(uint32_t)_mm_extract_epi32(hi, 2)], 2);
	a = _mm_insert_epi16(a, t[(uint32_t)_mm_extract_epi32(lo, 3)], 3);
	c = _mm_insert_epi16(c, t[(uint32_t)_mm_extract_epi32(hi, 3)], 3);
	e = _mm_unpacklo_epi64(a, c); /* two chains of inserts, not one of eight */
	x = _mm_shuffle_epi8(e, _mm_set_epi8(9, 8, 9, 8, 9, 8, 9, 8, 1, 0, 1, 0, 1, 0, 1, 0));
	x = _mm_or_si128(_mm_xor_si128(e, x), _mm_and_si128(x, _mm_set1_epi16(1)));
	if (!_mm_testz_si128(x, x))
		return false;
	e0 = (uint32_t)_mm_extract_epi16(e, 0);
	e4 = (uint32_t)_mm_extract_epi16(e, 4);
	na = nh_cached(w, &b->nc, e0 >> 1);
	nb = e4 == e0 ? na : nh_cached(w, &b->nc, e4 >> 1);
	if (unlikely(na == NULL || nb == NULL))
		return false;
	ip4_put4(p, _mm256_castsi256_si128(ttl), na);
	ip4_put4(p + 4, _mm256_extracti128_si256(ttl, 1), nb);
	if (likely(na == nb)) {
		tx_put(w, na->port, pk, 8, (uint64_t)bytes_a + bytes_b);
	} else {
		tx_put(w, na->port, pk, 4, bytes_a);
		tx_put(w, nb->port, pk + 4, 4, bytes_b);
	}
	return true;
}

/*
 * The packets pk[0..7], all expected from the template's port with the template's
 * checksum verdict: true when all eight are common-case packets, then forwarded
 * (ip4_fwd8()) or queued as two groups of 4, and their frame bytes in *bytes; false
 * leaves them untouched.
 */
static inline __attribute__((always_inline)) DP_AVX2 bool
ip4_fast_group8(struct dp_worker *w, struct burst *b, struct rte_mbuf **pk, uint16_t i,
                uint32_t *bytes)
{
	struct dp_fast4 *f = &w->fast4;
	const size_t rearm = offsetof(struct rte_mbuf, data_off);
	const size_t desc = offsetof(struct rte_mbuf, packet_type);
	const __m256i bswap32 = _mm256_broadcastsi128_si256(
	        _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3));
	const __m256i tot_of = _mm256_broadcastsi128_si256(
	        _mm_set_epi8(-1, -1, 14, 15, -1, -1, 10, 11, -1, -1, 6, 7, -1, -1, 2, 3));
	const __m256i mwant = bcast16(&f->meta_want[0]);
	uint8_t *p[8];
	__m256i r[4], dsc[4], a[4], v[5], ttl, x, l2, t01, t23, u01, u23, tot, plen, plen14, bad,
	        want;
	uint32_t ba, bb;
	uint16_t k = b->n4;
	unsigned j;

	if (f->n_own > DP_FAST4_OWN)
		return false;
		/* The mbufs: port and offload flags as the template's, data for the headers. */
#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		r[j] = load2x16((const uint8_t *)pk[j] + rearm, (const uint8_t *)pk[j + 4] + rearm);
		dsc[j] = load2x16((const uint8_t *)pk[j] + desc, (const uint8_t *)pk[j + 4] + desc);
	}
	l2 = _mm256_or_si256(
	        _mm256_or_si256(_mm256_xor_si256(r[0], mwant), _mm256_xor_si256(r[1], mwant)),
	        _mm256_or_si256(_mm256_xor_si256(r[2], mwant), _mm256_xor_si256(r[3], mwant)));
	t01 = _mm256_unpacklo_epi32(dsc[0], dsc[1]);
	t23 = _mm256_unpacklo_epi32(dsc[2], dsc[3]);
	u01 = _mm256_unpackhi_epi32(dsc[0], dsc[1]);
	u23 = _mm256_unpackhi_epi32(dsc[2], dsc[3]);
	plen = _mm256_unpackhi_epi64(t01, t23);
	x = _mm256_cmpgt_epi32(k8(f, K8_HDRS),
	                       _mm256_and_si256(_mm256_unpacklo_epi64(u01, u23), k8(f, K8_FFFF)));
	if (!_mm256_testz_si256(l2, bcast16(&f->meta_mask)) || !_mm256_testz_si256(x, x))
		return false;
	want = bcast16(&f->want);
	l2 = _mm256_setzero_si256();
#pragma GCC unroll 4
	for (j = 0; j < 4; j++) {
		p[j] = rte_pktmbuf_mtod(pk[j], uint8_t *);
		p[j + 4] = rte_pktmbuf_mtod(pk[j + 4], uint8_t *);
		l2 = _mm256_or_si256(l2, _mm256_xor_si256(load2x16(p[j], p[j + 4]), want));
		a[j] = load2x16(p[j] + ETH_HLEN, p[j + 4] + ETH_HLEN);
	}
	if (!_mm256_testz_si256(l2, bcast16(&f->mask)))
		return false;
	t01 = _mm256_unpacklo_epi32(a[0], a[1]);
	t23 = _mm256_unpacklo_epi32(a[2], a[3]);
	u01 = _mm256_unpackhi_epi32(a[0], a[1]);
	u23 = _mm256_unpackhi_epi32(a[2], a[3]);
	v[0] = _mm256_unpacklo_epi64(t01, t23);
	v[1] = _mm256_unpackhi_epi64(t01, t23);
	v[2] = _mm256_unpacklo_epi64(u01, u23);
	v[3] = _mm256_unpackhi_epi64(u01, u23);
	v[4] = _mm256_set_epi32(load32(p[7] + ETH_HLEN + 16), load32(p[6] + ETH_HLEN + 16),
	                        load32(p[5] + ETH_HLEN + 16), load32(p[4] + ETH_HLEN + 16),
	                        load32(p[3] + ETH_HLEN + 16), load32(p[2] + ETH_HLEN + 16),
	                        load32(p[1] + ETH_HLEN + 16), load32(p[0] + ETH_HLEN + 16));
	tot = _mm256_shuffle_epi8(v[0], tot_of);
	plen14 = _mm256_sub_epi32(plen, k8(f, K8_ETH_HLEN));
	/* As ip4_fast_group(): lengths, every port's MTU, TTL, martians, own addresses,
	 * checksums unless the NIC verified them. */
	bad = _mm256_or_si256(_mm256_cmpgt_epi32(tot, plen14),
	                      _mm256_cmpgt_epi32(k8(f, K8_MIN_HLEN), tot));
	bad = _mm256_or_si256(bad, _mm256_cmpgt_epi32(tot, bcast16(&f->mtu)));
	bad = _mm256_or_si256(
	        bad, _mm256_cmpgt_epi32(k8(f, K8_TTL_MIN), _mm256_and_si256(v[2], k8(f, K8_FF))));
	bad = _mm256_or_si256(bad, ip4_martian16(f, v[3], v[4]));
	bad = _mm256_or_si256(bad, ip4_own8(f, v[4]));
	if (!f->nic_cksum)
		bad = _mm256_or_si256(bad,
		                      _mm256_xor_si256(ip4_cksum8(f, v), _mm256_set1_epi32(-1)));
	if (unlikely(!_mm256_testz_si256(bad, bad)))
		return false;
	plen14 = _mm256_xor_si256(plen14, tot); /* non-zero: link-layer padding to trim */
	plen = _mm256_add_epi32(plen, _mm256_shuffle_epi32(plen, _MM_SHUFFLE(1, 0, 3, 2)));
	plen = _mm256_add_epi32(plen, _mm256_shuffle_epi32(plen, _MM_SHUFFLE(2, 3, 0, 1)));
	ba = (uint32_t)_mm256_cvtsi256_si32(plen);
	bb = (uint32_t)_mm_cvtsi128_si32(_mm256_extracti128_si256(plen, 1));
	*bytes = ba + bb;
	ttl = ip4_dec_ttl8(f, v[2]);
	if (b->fuse && b->n4 == 0 && _mm256_testz_si256(plen14, plen14) &&
	    ip4_fwd8(w, b, pk, p, v[4], ttl, ba, bb))
		return true;
	/* Lanes 0..3 are packets 0..3, lanes 4..7 packets 4..7: queued in a row. */
	_mm256_storeu_si256((__m256i *)(void *)&b->ip4[k], _mm256_shuffle_epi8(v[4], bswap32));
	_mm256_storeu_si256((__m256i *)(void *)&b->ttl4[k], ttl);
	memcpy(&b->data4[k], p, sizeof(p));
	{
		const uint8_t *t24 = __atomic_load_n(&f->fib->prefetch24, __ATOMIC_RELAXED);

		if (t24 != NULL) {
			unsigned sh = f->fib->tbl24_shift;

			for (j = 0; j < 8; j++)
				dp_fib_prefetch4(t24, sh, b->ip4[k + j]);
		}
	}
	b->grp4_pad |= ((uint32_t)!_mm_testz_si128(_mm256_castsi256_si128(plen14),
	                                           _mm256_castsi256_si128(plen14))
	                << k) |
	               ((uint32_t)!_mm_testz_si128(_mm256_extracti128_si256(plen14, 1),
	                                           _mm256_extracti128_si256(plen14, 1))
	                << (k + 4));
	b->grp4_bytes[k] = ba;
	b->grp4_bytes[k + 4] = bb;
	{
		uint64_t idx = (uint64_t)i * 0x0001000100010001ull + 0x0003000200010000ull;

		memcpy(&b->idx4[k], &idx, 8);
		idx += 0x0004000400040004ull;
		memcpy(&b->idx4[k + 4], &idx, 8);
	}
	b->grp4 |= 0x11u << k;
	b->n4 = (uint16_t)(k + 8);
	return true;
}

#endif
#endif

/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "routehub/prefix.h"

unsigned rh_family_bits(uint8_t family)
{
	switch (family) {
	case RH_AF_INET:
		return 32;
	case RH_AF_INET6:
		return 128;
	default:
		return 0;
	}
}

int rh_addr_parse(const char *s, struct rh_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return -EINVAL;
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, a->bytes) != 1)
			return -EINVAL;
		a->family = RH_AF_INET6;
	} else {
		if (inet_pton(AF_INET, s, a->bytes) != 1)
			return -EINVAL;
		a->family = RH_AF_INET;
	}
	return 0;
}

const char *rh_addr_fmt(const struct rh_addr *a, char *buf, size_t size)
{
	int af = a->family == RH_AF_INET6 ? AF_INET6 : AF_INET;

	if (a->family == 0 || inet_ntop(af, a->bytes, buf, size) == NULL)
		snprintf(buf, size, "-");
	return buf;
}

bool rh_addr_equal(const struct rh_addr *a, const struct rh_addr *b)
{
	return rh_addr_cmp(a, b) == 0;
}

int rh_addr_cmp(const struct rh_addr *a, const struct rh_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes));
}

socklen_t rh_addr_to_sockaddr(const struct rh_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == RH_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->bytes, 16);
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->bytes, 4);
	return sizeof(*s4);
}

int rh_addr_from_sockaddr(const struct sockaddr *sa, struct rh_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;

		a->family = RH_AF_INET;
		memcpy(a->bytes, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		/* A v4-mapped peer on a dual-stack socket is an IPv4 peer. */
		if (memcmp(&s6->sin6_addr, mapped, sizeof(mapped)) == 0) {
			a->family = RH_AF_INET;
			memcpy(a->bytes, (const uint8_t *)&s6->sin6_addr + 12, 4);
			return 0;
		}
		a->family = RH_AF_INET6;
		memcpy(a->bytes, &s6->sin6_addr, 16);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static bool prefix_host_bits_clear(const struct rh_prefix *p)
{
	struct rh_prefix n = *p;

	rh_prefix_normalise(&n);
	return memcmp(n.bytes, p->bytes, sizeof(n.bytes)) == 0;
}

int rh_prefix_parse(const char *s, struct rh_prefix *p, bool strict)
{
	char buf[RH_PREFIX_STRLEN];
	struct rh_addr a;
	const char *slash;
	unsigned long len;
	char *end;

	memset(p, 0, sizeof(*p));
	if (s == NULL || strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(s, '/');
	if (slash != NULL)
		buf[slash - s] = '\0';
	if (rh_addr_parse(buf, &a) < 0)
		return -EINVAL;
	len = rh_family_bits(a.family);
	if (slash != NULL) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno != 0 || end == slash + 1 || *end != '\0' ||
		    len > rh_family_bits(a.family))
			return -EINVAL;
	}
	p->family = a.family;
	p->len = (uint8_t)len;
	memcpy(p->bytes, a.bytes, sizeof(p->bytes));
	if (strict && !prefix_host_bits_clear(p))
		return -EINVAL;
	rh_prefix_normalise(p);
	return 0;
}

const char *rh_prefix_fmt(const struct rh_prefix *p, char *buf, size_t size)
{
	struct rh_addr a;
	char ab[RH_ADDR_STRLEN];

	rh_prefix_addr(p, &a);
	snprintf(buf, size, "%s/%u", rh_addr_fmt(&a, ab, sizeof(ab)), p->len);
	return buf;
}

void rh_prefix_normalise(struct rh_prefix *p)
{
	unsigned bits = rh_family_bits(p->family);
	unsigned full = p->len / 8;

	if (p->len > bits)
		p->len = (uint8_t)bits;
	full = p->len / 8;
	if (full < 16 && p->len % 8)
		p->bytes[full++] &= (uint8_t)(0xff << (8 - p->len % 8));
	if (full < 16)
		memset(p->bytes + full, 0, 16 - full);
}

bool rh_prefix_equal(const struct rh_prefix *a, const struct rh_prefix *b)
{
	return rh_prefix_cmp(a, b) == 0;
}

int rh_prefix_cmp(const struct rh_prefix *a, const struct rh_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	c = memcmp(a->bytes, b->bytes, sizeof(a->bytes));
	if (c != 0)
		return c;
	return (int)a->len - (int)b->len;
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned len)
{
	unsigned full = len / 8, rest = len % 8;

	if (memcmp(a, b, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((a[full] ^ b[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

bool rh_prefix_contains(const struct rh_prefix *outer, const struct rh_prefix *inner)
{
	return outer->family == inner->family && outer->len <= inner->len &&
	       bits_equal(outer->bytes, inner->bytes, outer->len);
}

bool rh_prefix_overlaps(const struct rh_prefix *a, const struct rh_prefix *b)
{
	return rh_prefix_contains(a, b) || rh_prefix_contains(b, a);
}

bool rh_prefix_has_addr(const struct rh_prefix *p, const struct rh_addr *a)
{
	return p->family == a->family && bits_equal(p->bytes, a->bytes, p->len);
}

void rh_prefix_addr(const struct rh_prefix *p, struct rh_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = p->family;
	memcpy(a->bytes, p->bytes, sizeof(a->bytes));
}

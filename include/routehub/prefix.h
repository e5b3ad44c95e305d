/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Addresses and prefixes shared by every routehub process and by the wire formats.
 *
 * An address is kept in network byte order in 16 bytes; IPv4 uses the first 4.
 * Bits past a prefix's length are always zero (rh_prefix_normalise() makes them so),
 * which lets prefixes be compared and hashed as plain bytes.
 */
#ifndef ROUTEHUB_PREFIX_H
#define ROUTEHUB_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define RH_AF_INET  4
#define RH_AF_INET6 6

/* Longest text of an address or prefix, with its terminating NUL ("ffff:...:ffff/128"). */
#define RH_ADDR_STRLEN   46
#define RH_PREFIX_STRLEN 50

struct rh_addr {
	uint8_t family; /* RH_AF_INET or RH_AF_INET6; 0 = unset */
	uint8_t pad[3];
	uint8_t bytes[16]; /* network byte order; IPv4 in bytes[0..3], the rest zero */
};

struct rh_prefix {
	uint8_t family; /* RH_AF_INET or RH_AF_INET6 */
	uint8_t len;    /* 0..32 or 0..128 */
	uint8_t pad[2];
	uint8_t bytes[16]; /* network byte order, host bits zero */
};

/* Maximum prefix length of a family: 32, 128, or 0 for an unknown family. */
unsigned rh_family_bits(uint8_t family);

/* Parses "192.0.2.1" or "2001:db8::1". Returns 0, or -EINVAL. */
int rh_addr_parse(const char *s, struct rh_addr *a);
/* Formats into buf (at least RH_ADDR_STRLEN bytes); returns buf. */
const char *rh_addr_fmt(const struct rh_addr *a, char *buf, size_t size);
bool rh_addr_equal(const struct rh_addr *a, const struct rh_addr *b);
/* Orders by family, then bytes: <0, 0, >0 as memcmp. */
int rh_addr_cmp(const struct rh_addr *a, const struct rh_addr *b);
/* Fills a sockaddr_in/sockaddr_in6 with the address and port (host order); returns its length. */
socklen_t rh_addr_to_sockaddr(const struct rh_addr *a, uint16_t port, struct sockaddr_storage *ss);
/* Reads an address from a sockaddr; returns 0 or -EAFNOSUPPORT. */
int rh_addr_from_sockaddr(const struct sockaddr *sa, struct rh_addr *a);

/*
 * Parses "198.51.100.0/24". With strict, host bits set past the length are an error
 * (-EINVAL); without, they are cleared. A missing "/len" means a host prefix.
 */
int rh_prefix_parse(const char *s, struct rh_prefix *p, bool strict);
const char *rh_prefix_fmt(const struct rh_prefix *p, char *buf, size_t size);
/* Clears the bits past the prefix length. */
void rh_prefix_normalise(struct rh_prefix *p);
bool rh_prefix_equal(const struct rh_prefix *a, const struct rh_prefix *b);
int rh_prefix_cmp(const struct rh_prefix *a, const struct rh_prefix *b);
/* True when outer covers inner: same family, outer->len <= inner->len, same leading bits. */
bool rh_prefix_contains(const struct rh_prefix *outer, const struct rh_prefix *inner);
/* True when a covers b or b covers a. */
bool rh_prefix_overlaps(const struct rh_prefix *a, const struct rh_prefix *b);
/* True when the prefix covers the address. */
bool rh_prefix_has_addr(const struct rh_prefix *p, const struct rh_addr *a);
/* The host address of an interface prefix ("192.0.2.1/24" -> 192.0.2.1). */
void rh_prefix_addr(const struct rh_prefix *p, struct rh_addr *a);

#endif

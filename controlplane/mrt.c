/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * MRT table dumps of the control plane's RIBs (RFC 6396 4.3, TABLE_DUMP_V2): one
 * PEER_INDEX_TABLE listing every configured session, then one RIB_IPV4_UNICAST or
 * RIB_IPV6_UNICAST record per prefix with every path a session holds for it (the
 * Adj-RIBs-In of the route server, the ExpressRoute and the VPN gateway parts together),
 * each with its peer index, its originated time and its attributes as the peer sent them.
 *
 * Routes the hub holds for its own reasons (VNet spaces, VPN static prefixes, the routes
 * carried between parts) are not any peer's and are not dumped; routes the import rules
 * refused are not in a RIB and are not dumped either (show bgp neighbor X received-routes
 * lists them).
 *
 * The RIBs are read through rib.h's public functions only (bgp_rib_walk, the entry's
 * path list, bgp_rib_lookup): the tables' layout is rib.c's business.
 *
 * The dump is written synchronously on the event loop: about a second per million paths,
 * far below any hold time. It goes to FILE.tmp.PID, renamed to FILE when complete, so a
 * reader never sees half a dump.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "msg_internal.h"
#include "rib.h"
#include "speaker_int.h"
#include "wire.h"

/* RFC 6396 4 and 4.3. */
#define MRT_TABLE_DUMP_V2    13
#define MRT_PEER_INDEX_TABLE 1
#define MRT_RIB_IPV4_UNICAST 2
#define MRT_RIB_IPV6_UNICAST 4
#define MRT_PEER_TYPE_IPV6   0x01
#define MRT_PEER_TYPE_AS4    0x02
#define MRT_RECORD_MAX       (1u << 20) /* one prefix with all its paths */
#define MRT_ATTRS_MAX        65535u     /* the attribute length field is 2 bytes */

struct mrt_ctx {
	struct cp *cp;
	FILE *f;
	uint32_t now;     /* wall clock, seconds: the records' timestamp */
	uint32_t seq;     /* RIB records written (RFC 6396 4.3.2: sequence number) */
	uint64_t paths;   /* entries written */
	uint64_t skipped; /* paths that could not be encoded */
	struct bgp_rib *ribs[3];
	unsigned n_ribs;
	unsigned cur;   /* the RIB being walked */
	uint8_t *rec;   /* one record's body */
	uint8_t *attrs; /* one path's attributes */
	int err;
};

static void mrt_write(struct mrt_ctx *m, uint16_t subtype, const uint8_t *body, size_t len)
{
	uint8_t hdr[12];
	struct wbuf w;

	if (m->err != 0)
		return;
	wbuf_init(&w, hdr, sizeof(hdr));
	wbuf_u32(&w, m->now);
	wbuf_u16(&w, MRT_TABLE_DUMP_V2);
	wbuf_u16(&w, subtype);
	wbuf_u32(&w, (uint32_t)len);
	if (fwrite(hdr, 1, sizeof(hdr), m->f) != sizeof(hdr) || fwrite(body, 1, len, m->f) != len)
		m->err = -EIO;
}

/* RFC 6396 4.3.1: the collector's BGP ID, a view name, and one entry per peer. */
static int peer_index_table(struct mrt_ctx *m)
{
	static const char view[] = "routehub";
	struct cp *cp = m->cp;
	struct wbuf w;

	wbuf_init(&w, m->rec, MRT_RECORD_MAX);
	wbuf_bytes(&w, cp->cfg.cp.router_id.bytes, 4);
	wbuf_u16(&w, sizeof(view) - 1);
	wbuf_bytes(&w, view, sizeof(view) - 1);
	wbuf_u16(&w, (uint16_t)cp->n_peers);
	for (unsigned i = 0; i < cp->n_peers; i++) {
		const struct hub_peer_info *hi = hub_peer_info(cp->peers[i].hp);
		const struct bgp_open *o = bgp_session_peer_open(cp->peers[i].s);
		bool v6 = hi->addr.family == RH_AF_INET6;
		uint32_t bgp_id = o != NULL ? o->bgp_id : 0; /* network order; 0 while down */

		wbuf_u8(&w, MRT_PEER_TYPE_AS4 | (v6 ? MRT_PEER_TYPE_IPV6 : 0));
		wbuf_bytes(&w, &bgp_id, 4);
		wbuf_bytes(&w, hi->addr.bytes, v6 ? 16 : 4);
		wbuf_u32(&w, hi->asn);
	}
	if (w.err)
		return -ENOSPC;
	mrt_write(m, MRT_PEER_INDEX_TABLE, m->rec, w.len);
	return m->err;
}

/* The session (index in the peer table) whose Adj-RIB-In the path is in, or -1. */
static int peer_index(const struct cp *cp, const struct bgp_rib_peer *rp)
{
	for (unsigned i = 0; i < cp->n_peers; i++)
		if (hub_peer_rib_peer(cp->peers[i].hp) == rp)
			return (int)i;
	return -1;
}

/*
 * The attributes of one path in the form RFC 6396 4.3.4 asks for: as in an UPDATE, the
 * AS_PATH with 4-byte ASNs, and for IPv6 an MP_REACH_NLRI that holds only the next
 * hop's length and address. Returns the length or a negative errno.
 */
static long path_attrs(struct mrt_ctx *m, const struct bgp_path *p, bool v6)
{
	const struct bgp_attrs *a = p->attrs;
	struct wbuf w;
	int rc;

	wbuf_init(&w, m->attrs, MRT_ATTRS_MAX);
	if (v6) {
		bool ll = a->next_hop_ll.family == RH_AF_INET6;

		if (!(a->flags & BGP_ATTRS_NEXT_HOP) || a->next_hop.family != RH_AF_INET6)
			return -EINVAL;
		wbuf_u8(&w, BGP_ATTR_F_OPTIONAL);
		wbuf_u8(&w, BGP_ATTR_MP_REACH_NLRI);
		wbuf_u8(&w, ll ? 33 : 17);
		wbuf_u8(&w, ll ? 32 : 16);
		wbuf_bytes(&w, a->next_hop.bytes, 16);
		if (ll)
			wbuf_bytes(&w, a->next_hop_ll.bytes, 16);
	}
	/* The hub's sessions are eBGP: LOCAL_PREF and the reflection attributes are not
	 * what such a peer sends, and the encoder leaves them out as for an eBGP peer. */
	rc = bgp_attrs_encode(&w, a, v6 ? BGP_AID_IPV6 : BGP_AID_IPV4, true, p->peer->ebgp);
	if (rc < 0)
		return rc;
	return w.err ? -ENOSPC : (long)w.len;
}

/* Originated time: the RIB keeps none per path; the session's Established time is when
 * its routes were at the earliest received (wall clock, seconds). */
static uint32_t originated(const struct mrt_ctx *m, const struct cp_peer *cpp)
{
	uint64_t now_ms = rh_evloop_now_ms(m->cp->loop);
	uint64_t age = cpp->established && now_ms > cpp->up_since_ms
	                       ? (now_ms - cpp->up_since_ms) / 1000
	                       : 0;

	return age < m->now ? m->now - (uint32_t)age : m->now;
}

/* Appends the session paths of one RIB entry; returns how many. */
static unsigned add_entries(struct mrt_ctx *m, struct wbuf *w, const struct bgp_rib_entry *e,
                            bool v6)
{
	unsigned n = 0;

	for (const struct bgp_path *p = e->paths; p != NULL; p = p->next) {
		int idx = peer_index(m->cp, p->peer);
		long len;

		if (idx < 0)
			continue; /* VNet, static or another part's routes: no peer's */
		len = path_attrs(m, p, v6);
		if (len < 0 || w->len + 8 + (size_t)len > w->cap) {
			m->skipped++;
			continue;
		}
		wbuf_u16(w, (uint16_t)idx);
		wbuf_u32(w, originated(m, &m->cp->peers[idx]));
		wbuf_u16(w, (uint16_t)len);
		wbuf_bytes(w, m->attrs, (size_t)len);
		n++;
	}
	return n;
}

/* RFC 6396 4.3.2: one record per prefix, the paths of every part's RIB together. */
static int rib_entry_cb(struct bgp_rib_entry *e, void *arg)
{
	struct mrt_ctx *m = arg;
	const struct rh_prefix *pfx = bgp_rib_entry_prefix(e);
	bool v6 = pfx->family == RH_AF_INET6;
	unsigned me = m->cur, count = 0;
	struct wbuf w;
	long count_off;

	/* The walk is over ribs[0] first: a prefix an earlier RIB has was written then. */
	for (unsigned i = 0; i < me; i++)
		if (bgp_rib_lookup(m->ribs[i], pfx) != NULL)
			return 0;
	wbuf_init(&w, m->rec, MRT_RECORD_MAX);
	wbuf_u32(&w, m->seq);
	wbuf_u8(&w, pfx->len);
	wbuf_bytes(&w, pfx->bytes, (pfx->len + 7u) / 8u);
	count_off = wbuf_reserve(&w, 2);
	if (count_off < 0)
		return -ENOSPC;
	for (unsigned i = me; i < m->n_ribs; i++) {
		const struct bgp_rib_entry *other = i == me ? e : bgp_rib_lookup(m->ribs[i], pfx);

		if (other != NULL)
			count += add_entries(m, &w, other, v6);
	}
	if (count == 0)
		return 0;
	wbuf_put_u16_at(&w, (size_t)count_off, (uint16_t)count);
	if (w.err)
		return -ENOSPC;
	mrt_write(m, v6 ? MRT_RIB_IPV6_UNICAST : MRT_RIB_IPV4_UNICAST, m->rec, w.len);
	m->seq++;
	m->paths += count;
	return m->err;
}

static int dump_to(struct mrt_ctx *m)
{
	static const enum hub_role roles[] = {HUB_ROLE_NVA, HUB_ROLE_ER_ONPREM,
	                                      HUB_ROLE_VPN_ONPREM};
	int rc;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		struct bgp_rib *rib = hub_role_rib(m->cp->hub, roles[i]);

		if (rib != NULL)
			m->ribs[m->n_ribs++] = rib;
	}
	rc = peer_index_table(m);
	/* All IPv4 records, then all IPv6 ones. */
	for (uint8_t af = RH_AF_INET; rc == 0; af = RH_AF_INET6) {
		for (m->cur = 0; rc == 0 && m->cur < m->n_ribs; m->cur++)
			rc = bgp_rib_walk(m->ribs[m->cur], af, rib_entry_cb, m);
		if (af == RH_AF_INET6)
			break;
	}
	return rc;
}

int cp_mrt_dump(struct cp *cp, const char *file, char *err, size_t errlen)
{
	struct mrt_ctx m = {.cp = cp, .now = (uint32_t)time(NULL)};
	char tmp[4096];
	int fd, rc;

	if (file[0] != '/') {
		snprintf(err, errlen, "%s: the dump file must be an absolute path", file);
		return -EINVAL;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errlen, "file name too long");
		return -ENAMETOOLONG;
	}
	m.rec = malloc(MRT_RECORD_MAX);
	m.attrs = malloc(MRT_ATTRS_MAX);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (m.rec == NULL || m.attrs == NULL || fd < 0) {
		rc = fd < 0 ? -errno : -ENOMEM;
		snprintf(err, errlen, "%s: %s", fd < 0 ? file : "MRT dump", strerror(-rc));
		if (fd >= 0)
			close(fd);
		goto out;
	}
	m.f = fdopen(fd, "w");
	if (m.f == NULL) {
		rc = -errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", tmp, strerror(-rc));
		goto out;
	}
	rc = dump_to(&m);
	if (fclose(m.f) != 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, file) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		snprintf(err, errlen, "%s: %s", file, strerror(-rc));
		goto out;
	}
	snprintf(err, errlen, "%u prefixes, %llu paths written to %s", m.seq,
	         (unsigned long long)m.paths, file);
	log_notice("MRT dump: %s%s", err,
	           m.skipped > 0 ? " (some paths could not be encoded)" : "");
out:
	free(m.rec);
	free(m.attrs);
	return rc;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control plane's management commands (grammar in cli/routehubctl.c). Answers are
 * JSON of the routehub:state container of yang/routehub.yang.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "speaker_int.h"

static const char *role_name(enum hub_role r)
{
	switch (r) {
	case HUB_ROLE_ER_ONPREM:
		return "expressroute-on-premises";
	case HUB_ROLE_VPN_ONPREM:
		return "vpn-on-premises";
	case HUB_ROLE_NVA:
	default:
		return "nva";
	}
}

static const char *state_name(enum bgp_fsm_state s)
{
	static const char *const names[] = {"idle",     "connect",     "active",
	                                    "opensent", "openconfirm", "established"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "idle";
}

static enum mgmt_status answer(char **body, size_t *len, enum mgmt_status st, char *text)
{
	*body = text;
	*len = text != NULL ? strlen(text) : 0;
	return st;
}

static enum mgmt_status error(char **body, size_t *len, const char *fmt, const char *arg)
{
	char *msg = NULL;

	if (asprintf(&msg, fmt, arg) < 0)
		msg = NULL;
	return answer(body, len, MGMT_ERROR, msg);
}

/* `show bgp summary` and `show bgp neighbor ADDR`: the bgp-neighbor list. */
static char *neighbors_json(struct cp *cp, const struct rh_addr *only)
{
	char *out = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&out, &size);
	uint64_t now = rh_evloop_now_ms(cp->loop);
	bool first = true;

	if (f == NULL)
		return NULL;
	fprintf(f, "{\"routehub:state\":{\"bgp-neighbor\":[");
	for (unsigned i = 0; i < cp->n_peers; i++) {
		struct cp_peer *p = &cp->peers[i];
		const struct hub_peer_info *hi = hub_peer_info(p->hp);
		char a[RH_ADDR_STRLEN], l[RH_ADDR_STRLEN], gr[64];
		struct hub_peer_counts n = {0};

		if (only != NULL && !rh_addr_equal(only, &hi->addr))
			continue;
		hub_peer_counts(p->hp, &n);
		fprintf(f,
		        "%s{\"local-address\":\"%s\",\"address\":\"%s\",\"role\":\"%s\",\"asn\":%u,"
		        "\"session-state\":\"%s\",\"uptime\":\"%llu\",\"prefixes-received\":%u,"
		        "\"prefixes-accepted\":%u,\"prefixes-sent\":%llu",
		        first ? "" : ",", rh_addr_fmt(&hi->local, l, sizeof(l)),
		        rh_addr_fmt(&hi->addr, a, sizeof(a)), role_name(hi->role), hi->asn,
		        state_name(bgp_session_state(p->s)),
		        p->established ? (unsigned long long)((now - p->up_since_ms) / 1000) : 0ull,
		        n.received, n.accepted, (unsigned long long)n.advertised);
		/* RFC 4724 4.2: a peer whose routes are kept across its restart. */
		if (cp_gr_state(p, gr, sizeof(gr)) > 0)
			fprintf(f, ",\"graceful-restart\":\"%s\",\"prefixes-stale\":%u", gr,
			        hub_peer_stale_count(p->hp));
		fputc('}', f);
		first = false;
	}
	fprintf(f, "]}}");
	fclose(f);
	return out;
}

static struct cp_peer *find_peer(struct cp *cp, const char *addr_s, unsigned from)
{
	struct rh_addr a;

	if (rh_addr_parse(addr_s, &a) < 0)
		return NULL;
	for (unsigned i = from; i < cp->n_peers; i++)
		if (rh_addr_equal(&hub_peer_info(cp->peers[i].hp)->addr, &a))
			return &cp->peers[i];
	return NULL;
}

static enum mgmt_status cmd_set(struct cp *cp, char **w, int n, char **body, size_t *len)
{
	if (n == 3 && strcmp(w[1], "branch-to-branch") == 0 &&
	    (strcmp(w[2], "on") == 0 || strcmp(w[2], "off") == 0)) {
		bool on = strcmp(w[2], "on") == 0;

		/* R6: checked at load for the configuration; the same holds at runtime. */
		if (on && cp->cfg.vpn.present && !cp->cfg.vpn.active_active)
			return error(
			        body, len,
			        "R6: a VPN gateway that is not active-active cannot take part in "
			        "branch-to-branch route exchange%s",
			        "");
		if (hub_set_branch_to_branch(cp->hub, on) < 0)
			return error(body, len, "cannot switch branch-to-branch %s", w[2]);
		cp->cfg.rs.branch_to_branch = on;
		log_notice("branch-to-branch %s", w[2]);
		return answer(body, len, MGMT_OK, NULL);
	}
	if (n == 3 && strcmp(w[1], "hub-routing-preference") == 0) {
		enum rh_hub_pref pref;

		if (strcmp(w[2], "expressroute") == 0)
			pref = RH_PREF_EXPRESSROUTE;
		else if (strcmp(w[2], "vpngateway") == 0)
			pref = RH_PREF_VPNGATEWAY;
		else if (strcmp(w[2], "aspath") == 0)
			pref = RH_PREF_ASPATH;
		else
			return error(body, len, "unknown preference %s", w[2]);
		if (hub_set_preference(cp->hub, pref) < 0)
			return error(body, len, "cannot set the preference %s", w[2]);
		cp->cfg.rs.preference = pref;
		log_notice("hub routing preference %s", rh_hub_pref_name(pref));
		return answer(body, len, MGMT_OK, NULL);
	}
	return error(body, len, "bad set command%s", "");
}

static enum mgmt_status cmd_clear(struct cp *cp, char **w, int n, char **body, size_t *len)
{
	bool soft = n == 5 && strcmp(w[4], "soft") == 0;
	unsigned done = 0;

	if (n < 4 || strcmp(w[1], "bgp") != 0 || strcmp(w[2], "neighbor") != 0)
		return error(body, len, "bad clear command%s", "");
	for (struct cp_peer *p = find_peer(cp, w[3], 0); p != NULL;
	     p = find_peer(cp, w[3], (unsigned)(p - cp->peers) + 1)) {
		if (soft) {
			/* Outbound soft reset: send the whole table again. */
			hub_peer_refresh(p->hp, BGP_AID_IPV4);
			hub_peer_refresh(p->hp, BGP_AID_IPV6);
			cp_schedule_flush(p);
		} else {
			/* A session down in graceful restart sends no Cease: end it here. */
			cp_gr_end(p, "cleared by the operator");
			bgp_session_reset(p->s, "reset by the operator");
		}
		done++;
	}
	if (done == 0)
		return error(body, len, "no such neighbor: %s", w[3]);
	return answer(body, len, MGMT_OK, NULL);
}

/* The routes of every session with that peer address (one per hub instance it peers with). */
static enum mgmt_status cmd_show_peer_routes(struct cp *cp, const char *addr, bool advertised,
                                             char **body, size_t *len)
{
	struct hub_peer *v[CP_MAX_PEERS];
	size_t n = 0;
	char *json;

	for (struct cp_peer *p = find_peer(cp, addr, 0); p != NULL && n < CP_MAX_PEERS;
	     p = find_peer(cp, addr, (unsigned)(p - cp->peers) + 1))
		v[n++] = p->hp;
	json = hub_peers_routes_json(v, n, advertised);
	if (json == NULL)
		return error(body, len, "out of memory%s", "");
	return answer(body, len, MGMT_OK, json);
}

/*
 * `show routes [PREFIX]`: every RIB path of every prefix; a prefix is matched exactly, an
 * address (no "/len") by the longest prefix covering it, as FRR's `show ip bgp A.B.C.D`.
 */
static enum mgmt_status cmd_show_routes(struct cp *cp, const char *arg, char **body, size_t *len)
{
	struct rh_prefix p;
	char *json;

	if (arg != NULL && rh_prefix_parse(arg, &p, false) < 0)
		return error(body, len, "not a prefix or address: %s", arg);
	json = hub_routes_json(cp->hub, arg != NULL ? &p : NULL,
	                       arg != NULL && strchr(arg, '/') == NULL);
	if (json == NULL)
		return error(body, len, "out of memory%s", "");
	return answer(body, len, MGMT_OK, json);
}

static enum mgmt_status cmd_show(struct cp *cp, char **w, int n, char **body, size_t *len)
{
	if (n == 3 && strcmp(w[1], "bgp") == 0 && strcmp(w[2], "summary") == 0)
		return answer(body, len, MGMT_OK, neighbors_json(cp, NULL));
	if ((n == 2 || n == 3) && strcmp(w[1], "routes") == 0)
		return cmd_show_routes(cp, n == 3 ? w[2] : NULL, body, len);
	if (n == 2 && strcmp(w[1], "effective-routes") == 0)
		return answer(body, len, MGMT_OK, hub_effective_json(cp->hub));
	if (n >= 4 && strcmp(w[1], "bgp") == 0 && strcmp(w[2], "neighbor") == 0) {
		struct cp_peer *p = find_peer(cp, w[3], 0);

		if (p == NULL)
			return error(body, len, "no such neighbor: %s", w[3]);
		if (n == 4)
			return answer(body, len, MGMT_OK,
			              neighbors_json(cp, &hub_peer_info(p->hp)->addr));
		if (n == 5 && (strcmp(w[4], "received-routes") == 0 ||
		               strcmp(w[4], "advertised-routes") == 0))
			return cmd_show_peer_routes(cp, w[3], w[4][0] == 'a', body, len);
	}
	return error(body, len, "unknown show command%s", "");
}

enum mgmt_status cp_mgmt_handle(void *arg, const char *cmd, char **body, size_t *len)
{
	struct cp *cp = arg;
	char buf[MGMT_MAX_REQUEST + 1], *w[8], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", cmd);
	for (char *t = strtok_r(buf, " ", &save); t != NULL && n < 8;
	     t = strtok_r(NULL, " ", &save))
		w[n++] = t;
	if (n == 0)
		return error(body, len, "empty command%s", "");
	if (strcmp(w[0], "show") == 0)
		return cmd_show(cp, w, n, body, len);
	if (strcmp(w[0], "set") == 0)
		return cmd_set(cp, w, n, body, len);
	if (strcmp(w[0], "clear") == 0)
		return cmd_clear(cp, w, n, body, len);
	if (n == 3 && strcmp(w[0], "dump") == 0 && strcmp(w[1], "mrt") == 0) {
		char msg[512];
		int rc = cp_mrt_dump(cp, w[2], msg, sizeof(msg));

		return answer(body, len, rc == 0 ? MGMT_OK : MGMT_ERROR, strdup(msg));
	}
	if (n == 1 && strcmp(w[0], "reload") == 0)
		return cp_reload(cp, body, len); /* reload.c */
	return error(body, len, "unknown command: %s", w[0]);
}

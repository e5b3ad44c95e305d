/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Live reconfiguration: `routehubctl reload` and SIGHUP read the file given with -c again,
 * validate it exactly as at start (rh_config_load), and apply only the difference with
 * the running configuration (reload_diff.h):
 *  - an invalid file, or one that changes what cannot change at runtime, is refused as a
 *    whole: the reply carries every problem, nothing changes, the refusal is logged once;
 *  - a removed peer gets Cease/Peer De-configured (RFC 4486 3, subcode 3) and its routes
 *    are withdrawn everywhere; a peer whose session parameters changed gets Cease/Other
 *    Configuration Change (subcode 6) and a new session with the new parameters; an added
 *    peer gets its sessions; every other session stays up;
 *  - hub settings (branch-to-branch, routing preference, route limits, VNet spaces, VPN
 *    static prefixes) go through the hub's runtime paths: UPDATEs and withdrawals only;
 *  - R15: when the VNet spaces changed, routes the import rules (R8) refused may now be
 *    valid and accepted ones invalid: every established peer is asked for its routes
 *    again with ROUTE-REFRESH (RFC 2918; RFC 7313's BoRR/EoRR frame the answer when
 *    negotiated), and a peer without the capability has its session reset.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "reload_diff.h"
#include "speaker_int.h"

/* The reply: JSON of routehub:state/reload, one entry per change (yang/routehub.yang). */
struct reload_reply {
	FILE *f;
	unsigned n;
};

static void reply_line(struct reload_reply *r, const char *text)
{
	fprintf(r->f, "%s{\"index\":%u,\"description\":\"", r->n > 0 ? "," : "", r->n + 1);
	for (const char *c = text; *c != '\0'; c++) {
		if (*c == '"' || *c == '\\')
			fputc('\\', r->f);
		if ((unsigned char)*c >= 0x20)
			fputc(*c, r->f);
	}
	fputs("\"}", r->f);
	r->n++;
	log_notice("reload: %s", text);
}

/* What the running control plane does to a configuration it takes (cp_new()). */
static void cfg_adjust(struct rh_config *cfg)
{
	if (!cfg->cp.enforce_route_limits)
		cfg->er.limit_to_er = UINT16_MAX; /* R16 toward ExpressRoute lifted too */
}

static enum mgmt_status refuse(const char *file, const char *head, const char *lines, char **body,
                               size_t *len)
{
	char *msg = NULL;
	const char *nl = strchr(lines, '\n');

	/* Once in the log (the first problem), all of them in the reply. */
	log_err("reload: %s refused, the running configuration stays: %s%.*s", file, head,
	        nl != NULL ? (int)(nl - lines) : (int)strlen(lines), lines);
	if (asprintf(&msg, "reload refused, the running configuration stays: %s\n%s", head, lines) <
	    0)
		msg = NULL;
	if (msg != NULL) {
		size_t l = strlen(msg);

		while (l > 0 && msg[l - 1] == '\n')
			msg[--l] = '\0';
	}
	*body = msg;
	*len = msg != NULL ? strlen(msg) : 0;
	return MGMT_ERROR;
}

static void apply_peers(struct cp *cp, const struct cp_diff *d, struct reload_reply *r)
{
	char a[RH_ADDR_STRLEN], line[CP_DIFF_LINE];

	/* Every session that goes first: a peer that moves to another role (its address in
	 * another list) must not exist twice. */
	for (unsigned i = 0; i < d->n_peers; i++) {
		const struct cp_peer_diff *pd = &d->peer[i];

		if (pd->what == CP_PEER_REMOVED || pd->what == CP_PEER_CHANGED)
			cp_peer_remove(cp, (enum hub_role)pd->role, &pd->old_pc->addr,
			               pd->what == CP_PEER_REMOVED ? BGP_CEASE_PEER_UNCONFIGURED
			                                           : BGP_CEASE_CONFIG_CHANGE);
	}
	for (unsigned i = 0; i < d->n_peers; i++) {
		const struct cp_peer_diff *pd = &d->peer[i];
		int rc;

		if (pd->what != CP_PEER_ADDED && pd->what != CP_PEER_CHANGED)
			continue;
		rc = cp_peer_add(cp, (enum hub_role)pd->role, pd->new_pc);
		if (rc < 0) {
			snprintf(line, sizeof(line), "peer %s: cannot add its sessions: %s",
			         rh_addr_fmt(&pd->new_pc->addr, a, sizeof(a)), strerror(-rc));
			reply_line(r, line);
		}
	}
}

/* R15: everything the peers sent goes through the import rules again. */
static void apply_r15(struct cp *cp, struct reload_reply *r)
{
	char line[CP_DIFF_LINE];
	unsigned asked = 0, reset = 0;

	/* A reset does not move entries of cp->peers (only removals do). */
	for (unsigned i = 0; i < cp->n_peers; i++) {
		struct cp_peer *p = &cp->peers[i];
		int rc = cp_peer_route_refresh(p);

		if (rc == 2) {
			snprintf(line, sizeof(line), "R15: ROUTE-REFRESH sent to %s", p->name);
			asked++;
		} else if (rc == 1) {
			snprintf(line, sizeof(line),
			         "R15: %s has no route refresh capability: session reset", p->name);
			reset++;
		} else if (rc < 0) {
			snprintf(line, sizeof(line), "R15: %s: cannot send ROUTE-REFRESH: %s",
			         p->name, strerror(-rc));
		} else {
			continue;
		}
		reply_line(r, line);
	}
	if (asked + reset == 0)
		reply_line(r, "R15: no established peer to ask for its routes again");
}

static int apply_hub(struct cp *cp, const struct rh_config *cfg, const struct cp_diff *d)
{
	bool vpn_peers = false;
	int rc = 0;

	for (unsigned i = 0; i < d->n_peers; i++)
		vpn_peers |= d->peer[i].role == CP_DIFF_VPN_ONPREM;
	if (d->limits)
		rc = hub_set_limits(cp->hub, cfg);
	if (rc == 0 && d->branch_to_branch)
		rc = hub_set_branch_to_branch(cp->hub, cfg->rs.branch_to_branch);
	if (rc == 0 && d->preference)
		rc = hub_set_preference(cp->hub, cfg->rs.preference);
	/* The VPN static prefixes' next hop is a VPN peer's address: it follows them. */
	if (rc == 0 && (d->vnet || d->vpn_local || (vpn_peers && cfg->vpn.n_local > 0)))
		rc = hub_set_locals(cp->hub, cfg);
	if (d->log_level)
		rh_log_set_level(cfg->cp.log_level);
	return rc;
}

/* False when nothing could be applied (no memory for the reply); else *st says how it went. */
static bool apply(struct cp *cp, const struct rh_config *cfg, const struct cp_diff *d,
                  enum mgmt_status *st, char **body, size_t *len)
{
	struct reload_reply r = {0};
	char *out = NULL;
	size_t size = 0;
	int rc;

	r.f = open_memstream(&out, &size);
	if (r.f == NULL)
		return false;
	fputs("{\"routehub:state\":{\"reload\":{\"change\":[", r.f);
	for (unsigned i = 0; i < d->n_lines; i++)
		reply_line(&r, d->line[i].text);
	if (d->n_dropped > 0) {
		char line[64];

		snprintf(line, sizeof(line), "(%u more changes)", d->n_dropped);
		reply_line(&r, line);
	}
	if (r.n == 0)
		reply_line(&r, "no change");
	apply_peers(cp, d, &r);
	rc = apply_hub(cp, cfg, d);
	if (rc < 0) {
		char line[CP_DIFF_LINE];

		snprintf(line, sizeof(line), "the hub could not apply every setting: %s",
		         strerror(-rc));
		reply_line(&r, line);
	}
	if (d->vnet)
		apply_r15(cp, &r);
	fputs("]}}}", r.f);
	fclose(r.f);
	*body = out;
	*len = out != NULL ? strlen(out) : 0;
	*st = rc < 0 ? MGMT_ERROR : MGMT_OK;
	return true;
}

enum mgmt_status cp_reload(struct cp *cp, char **body, size_t *len)
{
	const char *file = cp->opts.config_file;
	char *errs = NULL, head[160];
	size_t esize = 0;
	unsigned n_problems = 0;
	FILE *ef = open_memstream(&errs, &esize);
	struct rh_config *cfg;
	struct cp_diff *d;
	enum mgmt_status st;

	if (file == NULL || ef == NULL) {
		if (ef != NULL)
			fclose(ef);
		return refuse("(none)", "no configuration file", "", body, len);
	}
	/* Exactly the validation of the start: libyang, then the rules YANG cannot state. */
	cfg = rh_config_load(file, ef, &n_problems);
	fclose(ef);
	if (cfg == NULL) {
		snprintf(head, sizeof(head), "%s has %u problem%s: ", file, n_problems,
		         n_problems == 1 ? "" : "s");
		st = refuse(file, head, errs != NULL ? errs : "", body, len);
		free(errs);
		return st;
	}
	free(errs);
	cfg_adjust(cfg);
	d = malloc(sizeof(*d));
	if (d == NULL) {
		rh_config_free(cfg);
		return refuse(file, "out of memory", "", body, len);
	}
	cp_config_diff(&cp->cfg, cfg, d);
	if (d->n_fixed > 0) {
		char *lines = NULL;
		size_t lsize = 0;
		FILE *lf = open_memstream(&lines, &lsize);

		for (unsigned i = 0; lf != NULL && i < d->n_lines; i++)
			if (d->line[i].fixed)
				fprintf(lf, "%s: %s\n", file, d->line[i].text);
		if (lf != NULL)
			fclose(lf);
		snprintf(head, sizeof(head), "%u setting%s cannot change at runtime: ", d->n_fixed,
		         d->n_fixed == 1 ? "" : "s");
		st = refuse(file, head, lines != NULL ? lines : "", body, len);
		free(lines);
	} else {
		log_notice("reload: %s", file);
		if (apply(cp, cfg, d, &st, body, len)) {
			/* The hub's settings and sessions are the file's now (or as far as the
			 * hub could go: the reply says what it could not). */
			cp->cfg = *cfg;
			/* It reads cp->cfg; without an endpoint (port in use) the hub goes on. */
			if (d->metrics)
				cp_metrics_start(cp);
		} else {
			st = refuse(file, "out of memory", "", body, len);
		}
	}
	free(d);
	rh_config_free(cfg);
	return st;
}

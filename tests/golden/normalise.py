#!/usr/bin/env python3
"""The golden tests' filter (tests/integration/test_cli_golden.sh): replaces the fields of
routehubctl's output that change from run to run, and nothing else.

  normalise.py table|json < OUTPUT

Volatile fields, by their YANG leaf name (a table column or a JSON member):
  uptime                                    -> <seconds>   session uptimes
  mac                                       -> <mac>       veth/TAP MACs are random
  rx-packets tx-packets rx-bytes tx-bytes
  drops value generation                    -> <n>         counters
  state of a neighbour (reachable/stale)    -> <nud>       ARP ageing
show stats lists only the counters that are not zero, and which are depends on stray
traffic (IPv6 router solicitations...): its rows are reduced to their counter names that
the test caused for sure (forwarded), the rest dropped. The dataplane lists its FIB and
neighbours in the order they were learnt (an ARP reply may come before or after a route
from the control plane): those rows (fib-route, neighbour) are sorted. Equal paths of a
prefix (the NVA sends the same route over its sessions to both route server instances)
are ordered by arrival, and the first is best: the rows of a prefix (rib-route,
effective-route) are sorted, and best is <ecmp> on the members of a multipath set of more
than one.
Tables are re-aligned after the replacement (columns are separated by two spaces or more,
as cli/table.c prints them). JSON is pretty-printed with its member order kept.
"""
import json
import re
import sys

COUNTERS = {"rx-packets", "tx-packets", "rx-bytes", "tx-bytes", "drops", "value", "generation"}
STABLE_STATS = {"forwarded"}
SORTED_LISTS = {"fib-route", "neighbour"}
GROUPED_LISTS = {"rib-route", "effective-route"}


def group_key(row):
    return (row.get("part", ""), row.get("prefix", ""))


def norm_groups(rows):
    """rows: dicts of one list in its order; sorts within (part, prefix), marks ECMP ties."""
    out, i = [], 0
    while i < len(rows):
        j = i
        while j < len(rows) and group_key(rows[j]) == group_key(rows[i]):
            j += 1
        group = rows[i:j]
        mp = [r for r in group if str(r.get("multipath", "")).lower() == "true"]
        if len(mp) > 1:
            for r in mp:
                r["best"] = "<ecmp>"
        out += sorted(group, key=lambda r: json.dumps(r, sort_keys=True))
        i = j
    return out


def norm_value(name, value, row=None):
    if name == "uptime":
        return "<seconds>"
    if name == "mac":
        return "<mac>"
    if name in COUNTERS:
        return "<n>"
    if name == "state" and row is not None and "held-packets" in row and value in ("reachable", "stale"):
        return "<nud>"
    return value


def keep_stat(row):
    return row.get("counter") in STABLE_STATS


def norm_json(text):
    doc = json.loads(text)

    def walk(o, parent=None):
        if isinstance(o, dict):
            for k, v in list(o.items()):
                if isinstance(v, (dict, list)):
                    o[k] = walk(v, k)
                else:
                    o[k] = norm_value(k, v, o)
            return o
        if isinstance(o, list):
            items = [walk(v, parent) for v in o]
            if parent in SORTED_LISTS:
                items.sort(key=lambda i: json.dumps(i))
            if parent in GROUPED_LISTS:
                items = norm_groups(items)
            if parent in ("worker-stats", "routehub:worker-stats"):
                items = [i for i in items if keep_stat(i)]
                # One row per counter name: which worker forwarded depends on RSS.
                seen, out = set(), []
                for i in items:
                    if i["counter"] not in seen:
                        seen.add(i["counter"])
                        i["worker"] = "<worker>"
                        out.append(i)
                items = out
            return items
        return o

    return json.dumps(walk(doc), indent=2) + "\n"


def flush_table(header, rows, out):
    if header is None:
        return
    if "counter" in header and "worker" in header:
        seen, kept = set(), []
        for r in rows:
            d = dict(zip(header, r))
            if keep_stat(d) and d["counter"] not in seen:
                seen.add(d["counter"])
                kept.append([("<worker>" if h == "worker" else v) for h, v in zip(header, r)])
        rows = kept
    rows = [[norm_value(h, v, dict(zip(header, r))) for h, v in zip(header, r)] for r in rows]
    if header[:2] == ["prefix", "origin"] and "port" in header or header[:2] == ["port", "address"]:
        rows.sort()
    if "prefix" in header and ("best" in header or "active" in header):
        rows = [[d[h] for h in header] for d in norm_groups([dict(zip(header, r)) for r in rows])]
    widths = [max(len(x[i]) for x in [header] + rows) for i in range(len(header))]
    for r in [header] + rows:
        cells = [c.ljust(widths[i]) if i + 1 < len(r) else c for i, c in enumerate(r)]
        out.append("  ".join(cells))


def norm_table(text):
    out, header, rows = [], None, []
    for line in text.split("\n"):
        cells = re.split(r"  +", line)
        if len(cells) > 1:
            if header is None:
                header = cells
            else:
                rows.append(cells)
            continue
        flush_table(header, rows, out)
        header, rows = None, []
        m = re.match(r"^([a-z0-9-]+): (.*)$", line)
        if m:
            line = "%s: %s" % (m.group(1), norm_value(m.group(1), m.group(2)))
        out.append(line)
    flush_table(header, rows, out)
    return "\n".join(out)


if __name__ == "__main__":
    data = sys.stdin.read()
    if sys.argv[1] == "json":
        try:
            sys.stdout.write(norm_json(data) if data.strip() else data)
        except ValueError:
            sys.stdout.write(data)
    else:
        sys.stdout.write(norm_table(data))

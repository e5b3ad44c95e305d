# shellcheck shell=bash
# Scraping a routehub metrics endpoint from inside a test namespace, and reading the text
# with a real parser (python3-prometheus-client's text_string_to_metric_families, Debian's
# python3 from /usr/bin: the package installs there).
#
#   m_scrape NS PORT OUT      GET /metrics into OUT; fails unless 200, the 0.0.4 content
#                             type, a Content-Length that matches, and a clean parse
#   m_value FILE NAME [L=V...]  the sum of the samples NAME with those labels (NAME is the
#                             sample's name: counters end in _total); fails when none
#   m_status NS PORT METHOD PATH  the HTTP status of one request
#   m_have_parser             python3-prometheus-client is installed

M_PY=/usr/bin/python3

m_have_parser() { "$M_PY" -c 'import prometheus_client.parser' 2>/dev/null; }

m_write_tools() {
  cat >"$RH_TMP/m_scrape.py" <<'EOF'
import http.client, sys
from prometheus_client.parser import text_string_to_metric_families
port, out = int(sys.argv[1]), sys.argv[2]
c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
c.request("GET", "/metrics")
r = c.getresponse()
body = r.read()
if r.status != 200:
    sys.exit("status %d" % r.status)
ct = r.getheader("Content-Type", "")
if not ct.startswith("text/plain; version=0.0.4"):
    sys.exit("content type %r" % ct)
if int(r.getheader("Content-Length", "-1")) != len(body):
    sys.exit("Content-Length %s for %d bytes" % (r.getheader("Content-Length"), len(body)))
text = body.decode("utf-8")
seen = set()
with open(out, "w") as f:
    for fam in text_string_to_metric_families(text):
        if fam.name in seen:
            sys.exit("family %s split in two groups" % fam.name)
        seen.add(fam.name)
        if fam.type not in ("counter", "gauge"):
            sys.exit("family %s has type %s" % (fam.name, fam.type))
        if not fam.name.startswith("routehub_"):
            sys.exit("family %s lacks the routehub_ prefix" % fam.name)
        for s in fam.samples:
            labels = ",".join("%s=%s" % kv for kv in sorted(s.labels.items()))
            f.write("%s\t%s\t%r\n" % (s.name, labels, s.value))
EOF
  cat >"$RH_TMP/m_value.py" <<'EOF'
import sys
name, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
total, n = 0.0, 0
for line in open(sys.argv[1]):
    sname, labels, value = line.rstrip("\n").split("\t")
    have = dict(kv.split("=", 1) for kv in labels.split(",") if kv)
    if sname == name and all(have.get(k) == v for k, v in want.items()):
        total += float(value)
        n += 1
if n == 0:
    sys.exit(1)
print(int(total) if total == int(total) else total)
EOF
  cat >"$RH_TMP/m_status.py" <<'EOF'
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=5)
c.request(sys.argv[2], sys.argv[3])
print(c.getresponse().status)
EOF
}

m_scrape() { rh_exec "$1" "$M_PY" "$RH_TMP/m_scrape.py" "$2" "$3"; }
m_value() { "$M_PY" "$RH_TMP/m_value.py" "$@"; }
m_status() { rh_exec "$1" "$M_PY" "$RH_TMP/m_status.py" "$2" "$3" "$4"; }

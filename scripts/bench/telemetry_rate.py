#!/usr/bin/env python3
"""Rates and losses of a running DPDK process, from its telemetry socket.

  telemetry_rate.py PREFIX PORT SECONDS     Mpps transmitted by ethdev PORT over SECONDS
  telemetry_rate.py PREFIX drops-during CMD packets a routehub dataplane dropped or punted
                                            (every reason, every worker) while CMD ran
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from telemetry import query  # noqa: E402


def opackets(prefix, port):
    return query(prefix, ["/ethdev/stats,%s" % port])[0]["/ethdev/stats"]["opackets"]


def in_minus_forwarded(prefix):
    # Every worker counter but "in" and "forwarded" is a drop or a punt by reason: their
    # sum is what did not go out. (in - forwarded would also count the burst in flight.)
    st = query(prefix, ["/routehub/stats"])[0]["/routehub/stats"]
    return sum(v for k, v in st.items() if k.startswith("worker")
               and not k.endswith("_in") and not k.endswith("_forwarded"))


def main():
    prefix = sys.argv[1]
    if sys.argv[2] == "drops-during":
        before = in_minus_forwarded(prefix)
        subprocess.run(sys.argv[3], shell=True, check=True, stdout=subprocess.DEVNULL)
        time.sleep(0.5)
        print(in_minus_forwarded(prefix) - before)
        return
    port, seconds = sys.argv[2], float(sys.argv[3])
    a, t0 = opackets(prefix, port), time.time()
    time.sleep(seconds)
    b, t1 = opackets(prefix, port), time.time()
    print("%.2f" % ((b - a) / (t1 - t0) / 1e6))


if __name__ == "__main__":
    main()

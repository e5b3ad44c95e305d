#!/usr/bin/env python3
"""Paired rates of two forwarders that take turns on one lcore (dataplane.sh).

  paired_rate.py ROUNDS SECONDS PID_A PREFIX_A PORT_A PID_B PREFIX_B PORT_B

Both processes run (or are stopped) when called; the caller stops neither afterwards: this
leaves A running and B stopped. Each round runs A alone for SECONDS then B alone (in the
order A B, then B A, alternately, so that a drift of the host's load over a round
weighs on both alike), each window's Mpps from the ethdev's transmitted packets over
telemetry. Prints two lines: A's rates, B's rates, in round order.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from telemetry import query  # noqa: E402

SETTLE = 0.2  # after SIGCONT: the forwarder's caches and the PMD back to speed


def opackets(prefix, port):
    return query(prefix, ["/ethdev/stats,%s" % port])[0]["/ethdev/stats"]["opackets"]


def window(proc, other, seconds):
    os.kill(other[0], signal.SIGSTOP)
    os.kill(proc[0], signal.SIGCONT)
    time.sleep(SETTLE)
    a, t0 = opackets(proc[1], proc[2]), time.monotonic()
    time.sleep(seconds)
    b, t1 = opackets(proc[1], proc[2]), time.monotonic()
    return (b - a) / (t1 - t0) / 1e6


def main():
    rounds, seconds = int(sys.argv[1]), float(sys.argv[2])
    a = (int(sys.argv[3]), sys.argv[4], sys.argv[5])
    b = (int(sys.argv[6]), sys.argv[7], sys.argv[8])
    ra, rb = [], []
    for r in range(rounds):
        if r % 2 == 0:
            ra.append(window(a, b, seconds))
            rb.append(window(b, a, seconds))
        else:
            rb.append(window(b, a, seconds))
            ra.append(window(a, b, seconds))
    os.kill(b[0], signal.SIGSTOP)
    os.kill(a[0], signal.SIGCONT)
    print(" ".join("%.2f" % x for x in ra))
    print(" ".join("%.2f" % x for x in rb))


if __name__ == "__main__":
    main()

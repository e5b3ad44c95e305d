#!/usr/bin/env python3
"""Generates the dataplane benchmark workload, deterministically (seeded):

  routes FILE.routes     one "PREFIX/LEN" a line: an internet-like IPv4 table (N prefixes,
                         realistic prefix-length mix) or N /24s for the small case
  pcap FILE.pcap         64-byte Ethernet/IPv4/UDP frames whose destinations fall in the
                         table's prefixes (a random address inside a random prefix)

usage: gen_workload.py --routes N --frames M --out PREFIX [--seed S]
"""
import argparse
import random
import struct

# Share of prefixes by length in a full IPv4 table (rounded from public BGP table
# reports of the 2020s: /24 dominates, then /22, /23, /21, /20 ...).
MIX = {8: 0.0001, 10: 0.0003, 11: 0.0008, 12: 0.0015, 13: 0.003, 14: 0.005, 15: 0.007,
       16: 0.014, 17: 0.009, 18: 0.015, 19: 0.027, 20: 0.045, 21: 0.055, 22: 0.12,
       23: 0.10, 24: 0.585, 25: 0.003, 26: 0.002, 27: 0.001, 28: 0.001, 29: 0.001,
       30: 0.001, 32: 0.0018}


def gen_routes(n, rnd):
    if n <= 64:
        # The small case: n /24s spread over the address space.
        firsts = [f for f in range(1, 224) if f not in (10, 127)]
        return [((rnd.choice(firsts) << 24) | (rnd.randrange(256) << 16) | (i << 8), 24)
                for i in range(n)]
    lens = list(MIX)
    weights = [MIX[l] for l in lens]
    seen = set()
    out = []
    while len(out) < n:
        ln = rnd.choices(lens, weights)[0]
        first = rnd.randrange(1, 224)
        if first in (10, 127):
            continue
        addr = (first << 24) | rnd.getrandbits(24)
        addr &= (0xffffffff << (32 - ln)) & 0xffffffff
        if (addr, ln) in seen:
            continue
        seen.add((addr, ln))
        out.append((addr, ln))
    return out


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    s += s >> 16
    return (~s) & 0xffff


# net_pcap's first port has the MAC 02:70:63:61:70:00 ("pcap" and its index): frames are
# addressed to it so that a forwarder that checks the destination MAC (routehub, RFC 1812
# 5.3.4) takes them. l3fwd does not check.
DST_MAC = "027063617000"


def frame(dst, src, sport):
    # 14 Ethernet + 20 IPv4 + 8 UDP + 18 payload = 60 bytes (64 on the wire with FCS).
    udp = struct.pack("!HHHH", sport, 9, 26, 0) + bytes(18)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 64, 17, 0,
                     struct.pack("!I", src), struct.pack("!I", dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = bytes.fromhex(DST_MAC) + bytes.fromhex("020000000002") + b"\x08\x00"
    return eth + ip + udp


def write_pcap(path, routes, m, rnd):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(m):
            addr, ln = routes[rnd.randrange(len(routes))]
            host = rnd.getrandbits(32 - ln) if ln < 32 else 0
            fr = frame(addr | host, 0xc6120001 + (i & 0xff), 1024 + (i % 50000))
            f.write(struct.pack("<IIII", 0, i, len(fr), len(fr)))
            f.write(fr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--routes", type=int, required=True)
    ap.add_argument("--frames", type=int, default=65536)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    routes = gen_routes(a.routes, rnd)
    with open(a.out + ".routes", "w") as f:
        for addr, ln in routes:
            f.write("%d.%d.%d.%d/%d\n" % (addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
                                          addr & 255, ln))
    write_pcap(a.out + ".pcap", routes, a.frames, rnd)


if __name__ == "__main__":
    main()

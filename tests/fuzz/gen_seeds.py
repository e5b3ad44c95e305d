#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Writes the seed corpora of the fuzz targets under tests/fuzz/corpus/ (run from anywhere):
  bgp_msg   the BGP sessions captured from FRR, BIRD and GoBGP (tests/unit/fixtures), whole
            and message by message, with the options byte each session negotiated, and a
            few hand-built NOTIFICATION, ROUTE-REFRESH, KEEPALIVE and UPDATE messages;
  config    the shipped configurations (configs/*.json);
  bgp_fsm   a few event sequences;
  packet    hand-built frames (IPv4, IPv6, ARP, ND, ICMP) addressed to fuzz_packet.c's ports.
fib_channel's seeds come from the real encoder: gen_fib_seeds.c."""
import os
import shutil
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(HERE, "corpus")

AS4, EBGP, AP4, AP6, EXT = 1, 2, 4, 8, 16


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- BGP ----

def bgp(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def split_msgs(data):
    out = []
    while len(data) >= 19:
        n = struct.unpack("!H", data[16:18])[0]
        out.append(data[:n])
        data = data[n:]
    return out


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def update(withdrawn=b"", attrs=b"", nlri=b""):
    return bgp(2, struct.pack("!H", len(withdrawn)) + withdrawn + struct.pack("!H", len(attrs)) +
               attrs + nlri)


def bgp_seeds():
    captures = {"frr": AS4 | EBGP | AP4, "bird": AS4 | EBGP, "gobgp-as2": EBGP}
    for name, opts in captures.items():
        with open(os.path.join(TOP, "tests", "unit", "fixtures", name + ".bin"), "rb") as f:
            data = f.read()
        write("bgp_msg", name + "-session", bytes([opts]) + data)
        for i, m in enumerate(split_msgs(data)):
            write("bgp_msg", "%s-%02d-type%d" % (name, i, m[18]), bytes([opts]) + m)
    origin = attr(0x40, 1, b"\x00")
    path4 = attr(0x40, 2, b"\x02\x02" + struct.pack("!II", 65001, 4200000000))
    path2 = attr(0x40, 2, b"\x02\x02" + struct.pack("!HH", 65001, 23456))
    as4path = attr(0xc0, 17, b"\x02\x02" + struct.pack("!II", 65001, 4200000000))
    nh = attr(0x40, 3, bytes([198, 18, 0, 2]))
    comm = attr(0xc0, 8, struct.pack("!II", 0xfde80001, 0xffffff01))
    # IPv4 with ADD-PATH (RFC 7911): path id before each prefix.
    nlri_ap = struct.pack("!I", 1) + bytes([24, 203, 0, 113]) + struct.pack("!I", 2) + bytes([16, 198, 51])
    write("bgp_msg", "update-addpath-v4",
          bytes([AS4 | EBGP | AP4]) + update(attrs=origin + path4 + nh + comm, nlri=nlri_ap))
    # 2-octet session: AS_TRANS in AS_PATH, the real path in AS4_PATH (RFC 6793 4.2.3).
    write("bgp_msg", "update-as2-as4path",
          bytes([EBGP]) + update(attrs=origin + path2 + nh + as4path, nlri=bytes([24, 192, 0, 2])))
    # IPv6 MP_REACH (RFC 4760) with a link-local next hop, then MP_UNREACH.
    nh6 = bytes.fromhex("20010db8000000000000000000000001") + bytes.fromhex("fe800000000000000000000000000001")
    mp = struct.pack("!HBB", 2, 1, 32) + nh6 + b"\x00" + bytes([48, 0x20, 0x01, 0x0d, 0xb8, 0, 1])
    write("bgp_msg", "update-mp-reach-v6",
          bytes([AS4 | EBGP]) + update(attrs=attr(0x80, 14, mp) + origin + path4))
    mpu = struct.pack("!HB", 2, 1) + struct.pack("!I", 7) + bytes([48, 0x20, 0x01, 0x0d, 0xb8, 0, 1])
    write("bgp_msg", "update-mp-unreach-v6-addpath",
          bytes([AS4 | EBGP | AP6]) + update(attrs=attr(0x80, 15, mpu)))
    write("bgp_msg", "update-withdraw-v4", bytes([AS4]) + update(withdrawn=bytes([24, 203, 0, 113])))
    write("bgp_msg", "update-eor-v4", bytes([AS4]) + update())
    text = "maintenance window".encode()
    write("bgp_msg", "notification-shutdown",
          bytes([AS4]) + bgp(3, bytes([6, 2, len(text)]) + text))
    write("bgp_msg", "notification-hold", bytes([AS4]) + bgp(3, bytes([4, 0])))
    for sub in range(3):  # RFC 7313: refresh, BoRR, EoRR
        write("bgp_msg", "route-refresh-%d" % sub, bytes([AS4 | EXT]) + bgp(5, struct.pack("!HBB", 1, sub, 1)))
    write("bgp_msg", "keepalive", bytes([AS4]) + bgp(4, b""))


# ---- frames ----

MAC_P0 = bytes([2, 0, 0, 0, 0, 1])
MAC_P1 = bytes([2, 0, 0, 0, 0, 2])
MAC_PEER = bytes([2, 0, 0, 0, 0, 0xaa])
BCAST = b"\xff" * 6


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def ip4(src, dst, proto, payload, ttl=64, df=False, frag=0, options=b""):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload), 1,
                      (0x4000 if df else 0) | frag, ttl, proto, 0, bytes(src), bytes(dst)) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp(sport, dport, payload=b"x" * 18):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def icmp_echo(payload=b"ping" * 4):
    h = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + payload
    return h[:2] + struct.pack("!H", csum(h)) + h[4:]


def ip6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB", 0x60000000, len(payload), nh, hlim) + bytes(src) + bytes(dst) + payload


def icmp6(src, dst, typ, code, body):
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", 4 + len(body), 58)
    c = csum(pseudo + struct.pack("!BBH", typ, code, 0) + body)
    return struct.pack("!BBH", typ, code, c) + body


def eth(dst, etype, payload, src=MAC_PEER):
    return dst + src + struct.pack("!H", etype) + payload


def v6(s):
    import ipaddress
    return ipaddress.IPv6Address(s).packed


def rec(frame, port=0, flags=0, split=0):
    return struct.pack("<BBH", port | flags, split, len(frame)) + frame


FIBC_PORT_ANY = 0xffff


def fibc(mtype, records, seq=1, count=None):
    """A FIB channel datagram (routehub/fib_channel.h: host order, here little-endian)."""
    body = b"".join(records)
    n = len(records) if count is None else count
    return struct.pack("<HHIII", 1, mtype, 16 + len(body), seq, n) + body


def fib_nh(nid, port, family, addr, flags=0):
    return struct.pack("<IHBB", nid, port, family, flags) + bytes(addr).ljust(16, b"\0")


def fib_route(family, plen, nh, addr, flags=0):
    return struct.pack("<BBHI", family, plen, flags, nh) + bytes(addr).ljust(16, b"\0")


def fib_rec(msg):
    return struct.pack("<BBH", 64, 0, len(msg)) + msg


def packet_seeds():
    peer0, peer1 = [198, 18, 0, 50], [198, 18, 1, 10]
    own0 = [198, 18, 0, 1]
    frames = {
        "v4-forward": eth(MAC_P0, 0x0800, ip4(peer0, [203, 0, 113, 5], 17, udp(1000, 2000))),
        "v4-ecmp-unresolved": eth(MAC_P0, 0x0800, ip4(peer0, [192, 0, 2, 9], 17, udp(1001, 2000))),
        "v4-ttl1": eth(MAC_P0, 0x0800, ip4(peer0, [203, 0, 113, 5], 17, udp(1000, 2000), ttl=1)),
        "v4-no-route": eth(MAC_P0, 0x0800, ip4(peer0, [100, 64, 0, 1], 17, udp(1000, 2000))),
        "v4-blackhole": eth(MAC_P0, 0x0800, ip4(peer0, [198, 51, 100, 7], 17, udp(1000, 2000))),
        "v4-nh-local": eth(MAC_P0, 0x0800, ip4(peer0, [198, 19, 4, 4], 17, udp(1000, 2000))),
        "v4-connected": eth(MAC_P0, 0x0800, ip4(peer0, [198, 18, 1, 77], 17, udp(1000, 2000))),
        "v4-echo-own": eth(MAC_P0, 0x0800, ip4(peer0, own0, 1, icmp_echo())),
        "v4-options": eth(MAC_P0, 0x0800, ip4(peer0, [203, 0, 113, 5], 17, udp(1, 2), options=b"\x01\x01\x01\x00")),
        "v4-df-too-big": eth(MAC_P0, 0x0800, ip4(peer0, [203, 0, 113, 5], 17, udp(1, 2, b"z" * 1440), df=True)),
        "v4-fragment": eth(MAC_P0, 0x0800, ip4(peer0, [203, 0, 113, 5], 17, b"f" * 24, frag=0x2000 | 3)),
        "v4-bgp-own": eth(MAC_P0, 0x0800, ip4(peer0, own0, 6, struct.pack("!HHIIBBHHH", 40000, 179, 1, 0, 0x50, 2, 65535, 0, 0))),
        "arp-request": eth(BCAST, 0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, MAC_PEER, bytes(peer0), b"\x00" * 6, bytes(own0))),
        "arp-reply-p1": eth(MAC_P1, 0x0806, struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 2, MAC_PEER, bytes(peer1), MAC_P1, bytes([198, 18, 1, 1]))),
        "vlan": eth(MAC_P0, 0x8100, struct.pack("!HH", 10, 0x0800) + ip4(peer0, [203, 0, 113, 5], 17, udp(1, 2))),
        "runt": MAC_P0 + MAC_PEER,
        "other-host": eth(bytes([2, 0, 0, 0, 0, 0x77]), 0x0800, ip4(peer0, [203, 0, 113, 5], 17, udp(1, 2))),
    }
    s6, own6 = v6("2001:db8::50"), v6("2001:db8::1")
    snm = v6("ff02::1:ff00:1")
    ns = icmp6(s6, snm, 135, 0, b"\x00" * 4 + own6 + b"\x01\x01" + MAC_PEER)
    frames["nd-ns"] = eth(bytes([0x33, 0x33, 0xff, 0, 0, 1]), 0x86dd, ip6(s6, snm, 58, ns, hlim=255))
    p1peer, p1own = v6("2001:db8:1::10"), v6("2001:db8:1::1")
    na = icmp6(p1peer, p1own, 136, 0, b"\x60\x00\x00\x00" + p1peer + b"\x02\x01" + MAC_PEER)
    frames["nd-na-p1"] = eth(MAC_P1, 0x86dd, ip6(p1peer, p1own, 58, na, hlim=255))
    frames["v6-forward"] = eth(MAC_P0, 0x86dd, ip6(s6, v6("2001:db9::5"), 17, udp(1, 2)))
    frames["v6-hlim1"] = eth(MAC_P0, 0x86dd, ip6(s6, v6("2001:db9::5"), 17, udp(1, 2), hlim=1))
    frames["v6-no-route"] = eth(MAC_P0, 0x86dd, ip6(s6, v6("2001:db8:99::5"), 17, udp(1, 2)))
    frames["v6-echo-own"] = eth(MAC_P0, 0x86dd, ip6(s6, own6, 58, icmp6(s6, own6, 128, 0, b"\x00\x01\x00\x01ping")))
    frames["v6-connected"] = eth(MAC_P0, 0x86dd, ip6(s6, v6("2001:db8:1::77"), 17, udp(1, 2)))
    frames["v6-ext-hdr"] = eth(MAC_P0, 0x86dd, ip6(s6, v6("2001:db9::5"), 0, b"\x11\x00" + b"\x01\x04" + b"\x00" * 4 + udp(1, 2)))
    for name, f in frames.items():
        port = 1 if name.endswith("-p1") else 0
        write("packet", name, rec(f, port))
    # One burst of everything, and chained (two-segment) mbufs for a few.
    write("packet", "burst-all", b"".join(rec(f, 1 if n.endswith("-p1") else 0) for n, f in frames.items()))
    write("packet", "chained-v4", rec(frames["v4-ttl1"], 0, 2, 20) + rec(frames["v4-no-route"], 0, 2 | 16, 40))
    write("packet", "bad-port", rec(frames["v4-forward"], 0, 32))
    # Our own broadcast seen again (af_packet on a veth shows what we send): dropped.
    write("packet", "own-echo", rec(eth(BCAST, 0x0806, frames["arp-request"][14:], src=MAC_P0)))
    # The FIB changing between bursts, while packets wait for a neighbour: the route of
    # the forwarded packet goes, comes back to a next hop found from the connected subnets
    # (FIBC_PORT_ANY), and that next hop is deleted while a packet waits for its MAC.
    v4f, v4 = frames["v4-forward"], 4  # RH_AF_INET
    route = fib_route(v4, 16, 1, [203, 0])
    write("packet", "fib-interleaved", b"".join([
        rec(v4f),
        fib_rec(fibc(10, [route], seq=2)),
        rec(v4f),
        fib_rec(fibc(5, [fib_nh(6, FIBC_PORT_ANY, v4, [198, 18, 1, 20])], seq=3)),
        fib_rec(fibc(9, [fib_route(v4, 16, 6, [203, 0])], seq=4)),
        rec(v4f),
        fib_rec(fibc(6, [fib_nh(6, 0, v4, [])], seq=5)),
        fib_rec(fibc(10, [route], seq=6)),
        fib_rec(fibc(6, [fib_nh(6, 0, v4, [])], seq=7)),
        rec(v4f),
    ]))
    # A resync from the control plane: own entries must survive it.
    write("packet", "fib-resync", b"".join([
        fib_rec(fibc(3, [], seq=2)),
        fib_rec(fibc(5, [fib_nh(1, 1, v4, [198, 18, 1, 10])], seq=3)),
        fib_rec(fibc(4, [], seq=4)),
        rec(frames["v4-echo-own"]), rec(frames["v4-connected"]), rec(frames["v4-forward"]),
    ]))
    write("packet", "chained-v6", rec(frames["v6-hlim1"], 0, 2, 30) + rec(frames["nd-ns"], 0, 2, 60))


def main():
    bgp_seeds()
    packet_seeds()
    cdir = os.path.join(TOP, "configs")
    for name in sorted(os.listdir(cdir)):
        if name.endswith(".json"):
            os.makedirs(os.path.join(CORPUS, "config"), exist_ok=True)
            shutil.copy(os.path.join(cdir, name), os.path.join(CORPUS, "config", name))
    # FSM: a configuration byte, then (event, hold time) pairs.
    write("bgp_fsm", "start-open-established", bytes([0, 0, 0, 3, 90, 6, 90, 7, 90, 9, 90]))
    write("bgp_fsm", "passive-timers", bytes([3, 1, 0, 4, 0, 5, 0, 8, 3, 11, 0, 2, 0]))
    write("bgp_fsm", "all-events", bytes(b for e in range(32) for b in (e, 30)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Crafted frames for tests/integration/test_hostile_packets.sh, sent and captured with
raw AF_PACKET sockets (no scapy needed). Every crafted packet carries b"RHHOSTILE:<kind>"
in its payload, so that a capture can tell which kinds got through.

  craft.py send IFACE DSTMAC KIND COUNT SRC4 DST4 SRC6 DST6
  craft.py capture IFACE SECONDS OUTFILE      counts marked frames by kind (JSON), and
                                               ICMP/ICMPv6 time exceeded as "icmp-te",
                                               until OUTFILE.stop exists or SECONDS pass
  craft.py flood IFACE DSTMAC SECONDS SRC4 DST4   ICMP echo and TCP SYN to port 179,
                                               alternately, as fast as the loop goes

Kinds (what the dataplane must do with them):
  ip4-truncated ip4-ihl-small ip4-ihl-big ip4-len-big ip4-len-small ip4-cksum
  ip6-truncated ip6-len-big                    dropped, each under its named reason
  ttl0 ttl1 hl1                                ICMP time exceeded, not forwarded
  ip4-options ip4-frag ip6-hbh ip6-rh ip6-frag valid: forwarded
"""
import json
import os
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return (~s) & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def if_mac(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return mac(f.read().strip())


def ip4(src, dst, payload, proto=17, ttl=64, ihl=5, options=b"", tot=None, flags_off=0,
        bad_cksum=False, ident=0x4242):
    hl = 20 + len(options)
    total = hl + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, ident, flags_off, ttl, proto, 0,
                    socket.inet_aton(src), socket.inet_aton(dst)) + options
    c = csum(h)
    if bad_cksum:
        c ^= 0x5555
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def udp4(src, dst, data, sport=40000, dport=9):
    n = 8 + len(data)
    ph = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 17, n)
    h = struct.pack("!HHHH", sport, dport, n, 0)
    c = csum(ph + h + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, n, c) + data


def ip6(src, dst, nh, payload, hlim=64, plen=None):
    n = len(payload) if plen is None else plen
    return (struct.pack("!IHBB", 0x60000000, n, nh, hlim) + socket.inet_pton(socket.AF_INET6, src)
            + socket.inet_pton(socket.AF_INET6, dst) + payload)


def udp6(src, dst, data, sport=40000, dport=9):
    n = 8 + len(data)
    ph = (socket.inet_pton(socket.AF_INET6, src) + socket.inet_pton(socket.AF_INET6, dst)
          + struct.pack("!IxxxB", n, 17))
    c = csum(ph + struct.pack("!HHHH", sport, dport, n, 0) + data) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, n, c) + data


def build(kind, a):
    """The IP packet (or the raw frame's payload) of one kind; returns (ethertype, bytes)."""
    mark = b"RHHOSTILE:" + kind.encode() + b":" + bytes(16)
    s4, d4, s6, d6 = a
    u = udp4(s4, d4, mark)
    if kind == "ip4-truncated":
        return 0x0800, ip4(s4, d4, u)[:12]
    if kind == "ip4-ihl-small":
        return 0x0800, ip4(s4, d4, u, ihl=4)
    if kind == "ip4-ihl-big":  # IHL 15 (60 octets) in a 40-octet packet
        return 0x0800, ip4(s4, d4, u, ihl=15)[:40]
    if kind == "ip4-len-big":
        return 0x0800, ip4(s4, d4, u, tot=1400)
    if kind == "ip4-len-small":
        return 0x0800, ip4(s4, d4, u, tot=12)
    if kind == "ip4-cksum":
        return 0x0800, ip4(s4, d4, u, bad_cksum=True)
    if kind == "ttl0":
        return 0x0800, ip4(s4, d4, u, ttl=0)
    if kind == "ttl1":
        return 0x0800, ip4(s4, d4, u, ttl=1)
    if kind == "ip4-options":  # IHL 6: NOP, NOP, NOP, End of Option List (RFC 791)
        return 0x0800, ip4(s4, d4, u, ihl=6, options=b"\x01\x01\x01\x00")
    if kind == "ip4-frag":  # both fragments of the datagram (RFC 791), the marker in the first
        body = u + bytes((-len(u)) % 8) + bytes(16)
        cut = len(body) - 16
        return 0x0800, [ip4(s4, d4, body[:cut], flags_off=0x2000, ident=0x7777),
                        ip4(s4, d4, body[cut:], flags_off=cut // 8, ident=0x7777)]
    u6 = udp6(s6, d6, mark)
    if kind == "ip6-truncated":
        return 0x86DD, ip6(s6, d6, 17, u6)[:30]
    if kind == "ip6-len-big":
        return 0x86DD, ip6(s6, d6, 17, u6, plen=1400)
    if kind == "hl1":
        return 0x86DD, ip6(s6, d6, 17, u6, hlim=1)
    if kind == "ip6-hbh":  # Hop-by-Hop Options: PadN (RFC 8200 4.3)
        return 0x86DD, ip6(s6, d6, 0, bytes([17, 0, 1, 4, 0, 0, 0, 0]) + u6)
    if kind == "ip6-rh":  # Routing header type 4 (RFC 8754), Segments Left 0: ignored
        rh = bytes([17, 2, 4, 0, 0, 0, 0, 0]) + socket.inet_pton(socket.AF_INET6, d6)
        return 0x86DD, ip6(s6, d6, 43, rh + u6)
    if kind == "ip6-frag":  # Fragment header, offset 0, M=1 (RFC 8200 4.5)
        body = u6 + bytes((-len(u6)) % 8)
        return 0x86DD, ip6(s6, d6, 44, struct.pack("!BBHI", 17, 0, 1, 0x1234) + body)
    raise SystemExit("unknown kind " + kind)


def raw(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    return s


def send(iface, dst, kind, count, *addrs):
    s = raw(iface)
    et, pkt = build(kind, addrs)
    src = if_mac(iface)
    frames = [mac(dst) + src + struct.pack("!H", et) + p for p in
              (pkt if isinstance(pkt, list) else [pkt])]
    for _ in range(int(count)):
        for f in frames:
            s.send(f)
        time.sleep(0.002)


def capture(iface, secs, out):
    s = raw(iface)
    s.settimeout(0.2)
    seen = {}
    end = time.time() + float(secs)
    open(out + ".ready", "w").close()
    while time.time() < end and not os.path.exists(out + ".stop"):
        try:
            f, addr = s.recvfrom(65536)
        except socket.timeout:
            continue
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        i = f.find(b"RHHOSTILE:")
        et = struct.unpack("!H", f[12:14])[0] if len(f) >= 14 else 0
        if et == 0x0800 and len(f) >= 34 and f[23] == 1 and f[14 + (f[14] & 15) * 4] == 11:
            seen["icmp-te"] = seen.get("icmp-te", 0) + 1
            continue
        if et == 0x86DD and len(f) >= 55 and f[20] == 58 and f[54] == 3:
            seen["icmp-te"] = seen.get("icmp-te", 0) + 1
            continue
        if i >= 0:
            k = f[i + 10:].split(b":")[0].decode(errors="replace")
            seen[k] = seen.get(k, 0) + 1
    with open(out, "w") as fo:
        json.dump(seen, fo)


def flood(iface, dst, secs, src4, dst4):
    s = raw(iface)
    s.setblocking(False)
    hdr = mac(dst) + if_mac(iface) + b"\x08\x00"
    frames = []
    for i in range(256):
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x4848, i) + b"RHFLOOD" + bytes(25)
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        frames.append(hdr + ip4(src4, dst4, icmp, proto=1, ident=i))
        sport = 20000 + i
        tcp = struct.pack("!HHIIBBHHH", sport, 179, 1000 + i, 0, 5 << 4, 0x02, 8192, 0, 0)
        ph = socket.inet_aton(src4) + socket.inet_aton(dst4) + struct.pack("!BBH", 0, 6, 20)
        tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
        frames.append(hdr + ip4(src4, dst4, tcp, proto=6, ident=i + 256))
    n = 0
    end = time.time() + float(secs)
    while time.time() < end:
        for f in frames:
            try:
                s.send(f)
                n += 1
            except BlockingIOError:
                pass
    print(n)


def main():
    cmd = sys.argv[1]
    if cmd == "send":
        send(*sys.argv[2:])
    elif cmd == "capture":
        capture(*sys.argv[2:])
    elif cmd == "flood":
        flood(*sys.argv[2:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()

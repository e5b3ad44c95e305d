#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A scripted, hostile BGP peer for tests/integration/test_hostile_peers.sh.

It speaks just enough BGP-4 (RFC 4271) to reach Established with routehub, then does one
thing a broken or malicious peer would do, and reports on stdout what routehub answered:
  notification CODE/SUBCODE [data HEX]   routehub sent a NOTIFICATION (RFC 4271 4.5)
  closed                                 the connection was closed without one
  up N                                   the session was still up after N seconds
  refused / timeout                      no BGP session could be opened at all
Every wait is bounded (--timeout); nothing is retried beyond the counts given.

Usage: hostile_peer.py --src A --dst B --asn N --case CASE [--hub-asn N] [--count N]
                       [--hold S] [--md5 KEY] [--ttl N]
Cases: oversized undersized marker keepalive-body open-short attr-total-overflow
       attr-overrun attr-overrun-nlri aspath-loop flood feed flap slow connect bounce
"""
import argparse
import ipaddress
import select
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16
OPEN, UPDATE, NOTIFICATION, KEEPALIVE = 1, 2, 3, 4
TCP_MD5SIG = 14


def msg(mtype, body=b"", length=None, marker=MARKER):
    """A BGP message; length (header field) may lie about the real size."""
    n = 19 + len(body) if length is None else length
    return marker + struct.pack("!HB", n, mtype) + body


def open_body(asn, bgp_id, hold):
    # Capabilities (RFC 5492): multiprotocol IPv4 unicast (RFC 4760), 4-octet AS (RFC 6793).
    caps = bytes([1, 4, 0, 1, 0, 1]) + bytes([65, 4]) + struct.pack("!I", asn)
    opt = bytes([2, len(caps)]) + caps
    my_as = asn if asn < 65536 else 23456
    return struct.pack("!BHH4sB", 4, my_as, hold, bgp_id, len(opt)) + opt


def attr(flags, code, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def nlri(prefixes):
    out = b""
    for p in prefixes:
        net = ipaddress.ip_network(p) if isinstance(p, str) else p
        nbytes = (net.prefixlen + 7) // 8
        out += bytes([net.prefixlen]) + net.network_address.packed[:nbytes]
    return out


def path_attrs(aspath, next_hop):
    seg = bytes([2, len(aspath)]) + b"".join(struct.pack("!I", a) for a in aspath)
    return (attr(0x40, 1, b"\x00") + attr(0x40, 2, seg) +
            attr(0x40, 3, ipaddress.ip_address(next_hop).packed))


def update(attrs=b"", prefixes=(), withdrawn=b""):
    body = struct.pack("!H", len(withdrawn)) + withdrawn
    body += struct.pack("!H", len(attrs)) + attrs + nlri(prefixes)
    return msg(UPDATE, body)


class Peer:
    def __init__(self, args):
        self.a = args
        self.buf = b""
        self.s = None

    def connect(self, rcvbuf=0):
        a = self.a
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        if a.ttl:
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, a.ttl)
        if a.md5 is not None:
            # struct tcp_md5sig: sockaddr_storage, flags, prefixlen, keylen, ifindex, key[80]
            ss = struct.pack("!HH4s", socket.AF_INET, 0, socket.inet_aton(a.dst))
            ss = struct.pack("=H", socket.AF_INET) + ss[2:] + bytes(128 - len(ss))
            key = a.md5.encode()
            sig = ss + struct.pack("=BBHI", 0, 0, len(key), 0) + key + bytes(80 - len(key))
            s.setsockopt(socket.IPPROTO_TCP, TCP_MD5SIG, sig)
        s.bind((a.src, 0))
        s.settimeout(a.timeout)
        try:
            s.connect((a.dst, 179))
        except socket.timeout:
            return "timeout"
        except OSError:
            return "refused"
        self.s = s
        self.buf = b""
        return None

    def send(self, data):
        try:
            self.s.sendall(data)
        except OSError:
            pass

    def recv_msg(self, timeout):
        """(type, body), or ("closed", None), or (None, None) on timeout."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 19:
                n = struct.unpack("!H", self.buf[16:18])[0]
                if n < 19:
                    return "closed", None
                if len(self.buf) >= n:
                    t, body = self.buf[18], self.buf[19:n]
                    self.buf = self.buf[n:]
                    return t, body
            left = end - time.time()
            if left <= 0:
                return None, None
            r, _, _ = select.select([self.s], [], [], left)
            if not r:
                continue
            try:
                d = self.s.recv(65536)
            except OSError:
                d = b""
            if not d:
                return "closed", None
            self.buf += d

    def establish(self):
        """OPEN, KEEPALIVE both ways (RFC 4271 8.2.2); None when Established."""
        a = self.a
        err = self.connect()
        if err:
            return err
        self.send(msg(OPEN, open_body(a.asn, socket.inet_aton(a.src), a.hold)))
        got_open = False
        end = time.time() + a.timeout
        while time.time() < end:
            t, body = self.recv_msg(end - time.time())
            if t == OPEN:
                got_open = True
                self.send(msg(KEEPALIVE))
            elif t == KEEPALIVE and got_open:
                return None
            elif t == NOTIFICATION:
                return "notification %d/%d" % (body[0], body[1])
            elif t == "closed":
                return "closed"
        return "timeout"

    def answer(self, timeout, keepalive=True):
        """Waits for routehub's NOTIFICATION or close, answering KEEPALIVEs meanwhile."""
        end = time.time() + timeout
        last_ka = time.time()
        while time.time() < end:
            t, body = self.recv_msg(min(1.0, end - time.time()))
            if t == NOTIFICATION:
                out = "notification %d/%d" % (body[0], body[1])
                return out + (" data " + body[2:].hex() if len(body) > 2 else "")
            if t == "closed":
                return "closed"
            if keepalive and time.time() - last_ka >= 1:
                self.send(msg(KEEPALIVE))
                last_ka = time.time()
        return "up %d" % timeout


def first_open(p, data):
    """Sends data instead of a well-formed OPEN and reports the answer."""
    err = p.connect()
    if err:
        return err
    p.send(data)
    end = time.time() + p.a.timeout
    while time.time() < end:
        t, body = p.recv_msg(end - time.time())
        if t == NOTIFICATION:
            return "notification %d/%d" % (body[0], body[1])
        if t == "closed":
            return "closed"
    return "timeout"


def lab_prefixes(count):
    """count distinct prefixes inside 198.18.32.0/19, 198.18.64.0/18 and 198.18.128.0/17
    (lab space, clear of the test links in 198.18.0.0/19): every subnet of each, longest
    first, so up to 114,685 of them."""
    n = 0
    for block in ("198.18.128.0/17", "198.18.64.0/18", "198.18.32.0/19"):
        net = ipaddress.ip_network(block)
        for plen in range(32, net.prefixlen - 1, -1):
            for sub in net.subnets(new_prefix=plen):
                if n == count:
                    return
                n += 1
                yield sub


def flood(p, a):
    """a.count prefixes, 700 a message (each fits in 4096 octets), then answers KEEPALIVEs
    for a.wait seconds: used both past a route limit and as a feeder of many routes."""
    attrs = path_attrs([a.asn], a.src)
    batch = []
    for net in lab_prefixes(a.count):
        batch.append(net)
        if len(batch) == 700:
            p.send(update(attrs, batch))
            batch = []
    if batch:
        p.send(update(attrs, batch))
    print("sent %d" % a.count, flush=True)
    return p.answer(a.wait)


def flap(a):
    """Connect, OPEN, close, once a second: a.count times. Reports how many got an OPEN."""
    opened = 0
    for _ in range(a.count):
        p = Peer(a)
        t0 = time.time()
        if p.connect() is None:
            p.send(msg(OPEN, open_body(a.asn, socket.inet_aton(a.src), a.hold)))
            t, _ = p.recv_msg(min(a.timeout, 2))
            if t == OPEN:
                opened += 1
            p.s.close()
        time.sleep(max(0, 1 - (time.time() - t0)))
    return "flapped %d opened %d" % (a.count, opened)


def slow(p, a):
    """Established with a tiny receive window, then never reads: only sends KEEPALIVEs
    (so that routehub's hold timer stays satisfied) for a.wait seconds."""
    err = p.connect(rcvbuf=4096)
    if err:
        return err
    p.send(msg(OPEN, open_body(a.asn, socket.inet_aton(a.src), a.hold)))
    end = time.time() + a.timeout
    state = "timeout"
    while time.time() < end:
        t, _ = p.recv_msg(end - time.time())
        if t == OPEN:
            p.send(msg(KEEPALIVE))
        elif t == KEEPALIVE:
            state = None
            break
        elif t in (NOTIFICATION, "closed"):
            return "closed"
    if state:
        return state
    print("established", flush=True)
    end = time.time() + a.wait
    while time.time() < end:
        time.sleep(1)
        try:
            p.s.send(msg(KEEPALIVE), socket.MSG_DONTWAIT)
        except OSError:
            pass
    return "slow done"


def bounce(p, a):
    """Established, a.count routes of 203.0.113.0/24 (/28s and shorter), a.wait seconds up,
    then closed: one cycle of a flapping peer."""
    err = p.establish()
    if err:
        return "not established: " + err
    nets = ["203.0.113.%d/28" % (16 * i) for i in range(min(a.count, 16))]
    p.send(update(path_attrs([a.asn], a.src), nets))
    out = p.answer(a.wait)
    p.s.close()
    return "bounced: " + out


def run(a):
    p = Peer(a)
    body = open_body(a.asn, socket.inet_aton(a.src), a.hold)
    c = a.case
    if c == "open-short":
        # RFC 4271 6.1: an OPEN shorter than its 29-octet minimum: Bad Message Length.
        return first_open(p, msg(OPEN, body[:1]))
    if c == "connect":
        err = p.connect()
        return err or p.answer(a.wait, keepalive=False)
    if c == "flap":
        return flap(a)
    if c == "slow":
        return slow(p, a)
    if c == "bounce":
        return bounce(p, a)
    err = p.establish()
    if err:
        return "not established: " + err
    print("established", flush=True)
    if c == "oversized":
        # 5000 > 4096 without the Extended Message capability (RFC 8654).
        p.send(msg(UPDATE, bytes(4981)))
    elif c == "undersized":
        p.send(msg(KEEPALIVE, length=18))
    elif c == "marker":
        p.send(msg(KEEPALIVE, marker=b"\xff" * 15 + b"\x00"))
    elif c == "keepalive-body":
        p.send(msg(KEEPALIVE, b"\x00"))
    elif c == "attr-total-overflow":
        # Total Path Attribute Length 200 in a message that carries 7 octets of them.
        p.send(msg(UPDATE, struct.pack("!HH", 0, 200) + attr(0x40, 1, b"\x00") + b"\x00" * 3))
    elif c in ("attr-overrun", "attr-overrun-nlri"):
        # The last attribute claims 60 octets; the total attribute length leaves it 4.
        a_ok = path_attrs([a.asn], a.src)
        bad = struct.pack("!BBB", 0xc0, 99, 60) + b"\x00" * 4
        attrs = a_ok + bad
        tail = nlri(["203.0.113.0/26"]) if c == "attr-overrun-nlri" else b""
        p.send(msg(UPDATE, struct.pack("!HH", 0, len(attrs)) + attrs + tail))
    elif c == "aspath-loop":
        # RFC 4271 9.1.2: a route whose AS_PATH holds the receiver's own AS is a loop.
        p.send(update(path_attrs([a.asn, a.hub_asn, 65099], a.src), ["203.0.113.0/25"]))
        p.send(update(path_attrs([a.asn], a.src), ["203.0.113.128/25"]))
    elif c in ("flood", "feed"):
        return flood(p, a)
    else:
        return "unknown case " + c
    return p.answer(a.wait)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hub-asn", type=int, default=65515)
    ap.add_argument("--case", required=True)
    ap.add_argument("--count", type=int, default=20)
    ap.add_argument("--hold", type=int, default=9)
    ap.add_argument("--wait", type=int, default=5, help="seconds to wait for the answer")
    ap.add_argument("--timeout", type=float, default=10, help="seconds to open the session")
    ap.add_argument("--md5", default=None)
    ap.add_argument("--ttl", type=int, default=0)
    a = ap.parse_args()
    print(run(a), flush=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Reads a DPDK process's telemetry (v2 socket) and prints the JSON answers.

usage: telemetry.py FILE_PREFIX COMMAND [COMMAND...]   e.g. telemetry.py rhl3 /ethdev/stats,1
The socket is /var/run/dpdk/FILE_PREFIX/dpdk_telemetry.v2 (SOCK_SEQPACKET).
"""
import json
import socket
import sys


def query(prefix, cmds):
    path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    info = json.loads(s.recv(65536).decode())
    size = info.get("max_output_len", 16384)
    out = []
    for c in cmds:
        s.send(c.encode())
        out.append(json.loads(s.recv(size).decode()))
    s.close()
    return out


if __name__ == "__main__":
    for r in query(sys.argv[1], sys.argv[2:]):
        print(json.dumps(r))

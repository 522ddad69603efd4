#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""What a lab device says on the LAN besides DHCP, sent from inside its namespace.

  announce.py mdns ADDR HOST [SERVICE INSTANCE]...  an mDNS announcement (RFC 6762 §8.3): A for
                                                    HOST.local, PTR/SRV for each service
  announce.py ssdp ADDR SERVER NT                    an SSDP NOTIFY ssdp:alive
  announce.py dns SERVER NAME                        a DNS query for NAME (the answer is ignored)
  announce.py tls ADDR PORT SNI                      a TLS ClientHello naming SNI (the handshake
                                                     may fail: only the hello matters)
  announce.py http ADDR PORT PATH USER-AGENT         an HTTP GET
"""
import socket
import ssl
import struct
import sys


def name(n):
    out = b""
    for label in n.rstrip(".").split("."):
        b = label.encode()
        out += bytes([len(b)]) + b
    return out + b"\0"


def rr(owner, rtype, rdata, ttl=120, flush=True):
    cls = 1 | (0x8000 if flush else 0)
    return name(owner) + struct.pack("!HHIH", rtype, cls, ttl, len(rdata)) + rdata


def mdns(addr, host, pairs):
    records = [rr(host + ".local", 1, socket.inet_aton(addr))]
    for service, instance in pairs:
        full = f"{instance}.{service}"
        records.append(rr(service, 12, name(full), flush=False))
        records.append(rr(full, 33, struct.pack("!HHH", 0, 0, 80) + name(host + ".local")))
        records.append(rr("_services._dns-sd._udp.local", 12, name(service), flush=False))
    msg = struct.pack("!HHHHHH", 0, 0x8400, 0, len(records), 0, 0) + b"".join(records)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    s.bind((addr, 5353))
    for _ in range(2):
        s.sendto(msg, ("224.0.0.251", 5353))


def ssdp(addr, server, nt):
    msg = ("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=86400\r\n"
           f"LOCATION: http://{addr}:49153/setup.xml\r\nNT: {nt}\r\nNTS: ssdp:alive\r\n"
           f"SERVER: {server}\r\nUSN: uuid:Lab-1_0-0001::{nt}\r\n\r\n").encode()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(addr))
    s.bind((addr, 1900))
    for _ in range(2):
        s.sendto(msg, ("239.255.255.250", 1900))


def dns(server, qname):
    q = struct.pack("!HHHHHH", 0x4847, 0x0100, 1, 0, 0, 0) + name(qname) + struct.pack("!HH", 1, 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    s.sendto(q, (server, 53))
    try:
        s.recvfrom(512)
    except OSError:
        pass


def tls(addr, port, sni):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection((addr, int(port)), timeout=3) as raw:
        try:
            with ctx.wrap_socket(raw, server_hostname=sni):
                pass
        except (ssl.SSLError, OSError):
            pass


def http(addr, port, path, ua):
    with socket.create_connection((addr, int(port)), timeout=3) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: {ua}\r\n\r\n".encode())
        try:
            s.recv(512)
        except OSError:
            pass


def main(argv):
    what = argv[1]
    if what == "mdns":
        pairs = list(zip(argv[4::2], argv[5::2]))
        mdns(argv[2], argv[3], pairs)
    elif what == "ssdp":
        ssdp(argv[2], argv[3], argv[4])
    elif what == "dns":
        dns(argv[2], argv[3])
    elif what == "tls":
        tls(argv[2], argv[3], argv[4])
    elif what == "http":
        http(argv[2], argv[3], argv[4], argv[5])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends one crafted frame from a lab device's interface, as a device would on boot.

  sendframe.py lldp IFACE MUD_URL         LLDPDU with the MUD URL TLV (RFC 8520 section 12)
  sendframe.py dhcp6 IFACE MUD_URL        DHCPv6 Solicit with option 112 (RFC 8520 section 10)

Frames go out on IFACE only (a veth inside the device's own namespace): LLDP to the
nearest-bridge group address, DHCPv6 to All_DHCP_Relay_Agents_and_Servers (ff02::1:2).
"""
import os
import socket
import struct
import sys


def mac_of(iface):
    with open("/sys/class/net/%s/address" % iface) as f:
        return bytes.fromhex(f.read().strip().replace(":", ""))


def tlv(t, value):
    return struct.pack("!H", (t << 9) | len(value)) + value


def lldp(src, url):
    pdu = tlv(1, b"\x04" + src)                      # chassis ID: MAC address
    pdu += tlv(2, b"\x03" + src)                     # port ID: MAC address
    pdu += tlv(3, struct.pack("!H", 120))            # TTL
    pdu += tlv(5, b"lab-device")                     # system name
    pdu += tlv(127, b"\x00\x00\x5e\x01" + url)       # IANA OUI, subtype 1: MUD URL
    pdu += tlv(0, b"")
    return b"\x01\x80\xc2\x00\x00\x0e" + src + b"\x88\xcc" + pdu


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def dhcp6(src, url):
    eui = bytearray(src[:3] + b"\xff\xfe" + src[3:])
    eui[0] ^= 2
    lladdr = b"\xfe\x80" + b"\0" * 6 + bytes(eui)
    dst = bytes.fromhex("ff020000000000000000000000010002")
    duid = struct.pack("!HH", 3, 1) + src             # DUID-LL, Ethernet
    opts = struct.pack("!HH", 1, len(duid)) + duid   # client identifier
    opts += struct.pack("!HHH", 8, 2, 0)             # elapsed time
    opts += struct.pack("!HHH", 6, 2, 23)            # ORO: DNS servers
    opts += struct.pack("!HH", 112, len(url)) + url  # MUD URL
    msg = b"\x01" + os.urandom(3) + opts             # SOLICIT
    udp_len = 8 + len(msg)
    pseudo = lladdr + dst + struct.pack("!IxxxB", udp_len, 17)
    udp = struct.pack("!HHHH", 546, 547, udp_len, 0) + msg
    udp = udp[:6] + struct.pack("!H", csum(pseudo + udp) or 0xffff) + udp[8:]
    ip6 = struct.pack("!IHBB", 6 << 28, udp_len, 17, 1) + lladdr + dst
    return b"\x33\x33\x00\x01\x00\x02" + src + b"\x86\xdd" + ip6 + udp


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("lldp", "dhcp6"):
        sys.exit(__doc__)
    kind, iface, url = sys.argv[1], sys.argv[2], sys.argv[3].encode()
    src = mac_of(iface)
    frame = lldp(src, url) if kind == "lldp" else dhcp6(src, url)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    s.send(frame)


if __name__ == "__main__":
    main()

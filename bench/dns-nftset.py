#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Helpers for bench/dns-nftset.sh: the ruleset and dnsmasq configuration generators, a rotating
authoritative DNS server with a TCP listener, and the DNS clients (latency, resolve-then-connect,
restart poller). Standard library only; every address is inside the lab."""
import argparse
import bisect
import errno
import hashlib
import ipaddress
import os
import random
import selectors
import signal
import socket
import struct
import sys
import time

TABLE = "hgbench"
ROT_NAME = "rot.example.test"
# Answered with TC=1 over UDP and with BIG_COUNT addresses of 198.19.1.0/24 over TCP.
BIG_NAME = "big.example.test"
BIG_COUNT = 40
# RFC 2544 benchmarking range, routed to the wan namespace's lo: rot.example.test hands out
# 198.18.0.1 onwards (a fresh address per answer), the latency names live in 198.19.0.0/16.
ROT_POOL = ipaddress.IPv4Address("198.18.0.1")
ROT_POOL_SIZE = 65534
LAT_POOL = ipaddress.IPv4Address("198.19.0.1")


def h12(s):
    """homegate's name hash (nftc_name_hash): 12 hex digits of SHA-256 of the folded name."""
    return hashlib.sha256(s.lower().rstrip(".").encode()).hexdigest()[:12]


def name_id(s):
    """homegate's name id (nftc_name_id): the first 64 bits of the same digest, as two words."""
    d = hashlib.sha256(s.lower().rstrip(".").encode()).hexdigest()
    return int(d[:8], 16), int(d[8:16], 16)


def id_key(name, l3="ip", field="daddr"):
    """The match of a name's addresses in the shared set, as homegate's compiler writes it."""
    w0, w1 = name_id(name)
    return ("jhash %s %s mod 1 offset 0x%08x . jhash %s %s mod 1 offset 0x%08x . %s %s"
            % (l3, field, w0, l3, field, w1, l3, field))


def bound_name(j):
    return "svc%d.example.test" % j


def synth_mac(j):
    return "02:42:%02x:%02x:%02x:%02x" % ((j >> 24) & 255, (j >> 16) & 255, (j >> 8) & 255, j & 255)


# ---- generators

def cmd_ruleset(a):
    """nft text of homegate's shape (schema 2, inet side): per profile one chain allowing one DNS
    name, both ways homegate compiles it: the name's own set pair (dnsmasq --nftset fills it)
    and its id in the shared dnsname4/dnsname6 (dnsbind fills them, declared first as in
    homegate's base table), plus DHCP, ND, DNS and NTP to the gateway, then a counted drop;
    dev_profile maps a MAC to each profile, hooked in input and forward."""
    out = []
    w = out.append
    w("table inet %s {" % TABLE)
    w("\tset gw4 { type ipv4_addr; elements = { 192.168.50.1 } }")
    w("\tset gw6 { type ipv6_addr; elements = { fd00:50::1 } }")
    for fam, l3 in (("4", "ip"), ("6", "ip6")):
        w("\tset dnsname%s { typeof numgen inc mod 1 . numgen inc mod 1 . %s daddr; "
          "size 262144; flags timeout; }" % (fam, l3))
    w("\tmap dev_profile { type ether_addr : verdict; }")
    w("\tmap dev_in4 { type ipv4_addr : verdict; }")
    w("\tmap dev_in6 { type ipv6_addr : verdict; }")
    profiles = [(h12("profile %d" % j), bound_name(j), synth_mac(j)) for j in range(a.n)]
    profiles.append((h12("profile rot"), ROT_NAME, a.rot_mac))
    for pid, name, _ in profiles:
        h = h12(name)
        w("\tset dns4_%s { type ipv4_addr; flags timeout; }" % h)
        w("\tset dns6_%s { type ipv6_addr; flags timeout; }" % h)
    for pid, name, _ in profiles:
        h = h12(name)
        w("\tchain out_%s {" % pid)
        w("\t\tct state established,related return")
        w("\t\tip daddr @dns4_%s return" % h)
        w("\t\tip6 daddr @dns6_%s return" % h)
        w("\t\t%s @dnsname4 return" % id_key(name))
        w("\t\t%s @dnsname6 return" % id_key(name, "ip6"))
        w("\t\tudp sport 68 udp dport 67 return")
        w("\t\tudp dport 547 return")
        w("\t\ticmpv6 type { nd-router-solicit, nd-neighbor-solicit, nd-neighbor-advert } return")
        w("\t\tip daddr @gw4 udp dport { 53, 123 } return")
        w("\t\tip daddr @gw4 tcp dport 53 return")
        w("\t\tip6 daddr @gw6 udp dport { 53, 123 } return")
        w("\t\tip6 daddr @gw6 tcp dport 53 return")
        if name == ROT_NAME:
            # Counts the race check's packets that the set did not let through (they go on to
            # the drop below).
            w("\t\tip daddr 198.18.0.0/16 tcp dport 8080 counter")
        w('\t\tlimit rate 10/second burst 20 packets log group 1 prefix "hg drop out_%s "' % pid)
        w("\t\tcounter drop")
        w("\t}")
    w("\tchain input {")
    w("\t\ttype filter hook input priority filter - 10; policy accept;")
    w('\t\tiifname "br-lan" ether saddr vmap @dev_profile')
    w("\t}")
    w("\tchain forward {")
    w("\t\ttype filter hook forward priority filter - 10; policy accept;")
    w('\t\tiifname "br-lan" ether saddr vmap @dev_profile')
    w('\t\toifname "br-lan" ip daddr vmap @dev_in4')
    w('\t\toifname "br-lan" ip6 daddr vmap @dev_in6')
    w("\t}")
    w("}")
    # Map elements in batches, as a daemon would add them.
    for i in range(0, len(profiles), 500):
        els = ", ".join("%s : jump out_%s" % (mac, pid) for pid, _, mac in profiles[i:i + 500])
        w("add element inet %s dev_profile { %s }" % (TABLE, els))
    sys.stdout.write("\n".join(out) + "\n")
    # The rot profile's chain, for the drop counter
    with open(a.rot_chain_out, "w") as f:
        f.write("out_%s\n" % profiles[-1][0])


def nftset_line(name):
    h = h12(name)
    return "nftset=/%s/4#inet#%s#dns4_%s,6#inet#%s#dns6_%s\n" % (name, TABLE, h, TABLE, h)


def cmd_conf(a):
    """dnsmasq conf files: full (every name + rot), control (every name, rot unbound), plain
    (no nftset at all). All send rot.example.test to the rotating server. For the forwarder
    binding, fwd.conf sends every name to dnsbind (rot.example.test to the second dnsbind,
    whose upstream is the rotating server) and fwd-control.conf sends rot.example.test to
    the rotating server directly (not bound)."""
    server = "server=/%s/%s#%d\n" % (ROT_NAME, a.rot_server, a.rot_port)
    names = [nftset_line(bound_name(j)) for j in range(a.n)]
    with open(a.prefix + "full.conf", "w") as f:
        f.write(server + "".join(names) + nftset_line(ROT_NAME))
    with open(a.prefix + "control.conf", "w") as f:
        f.write(server + "".join(names))
    with open(a.prefix + "plain.conf", "w") as f:
        f.write(server)
    fwd = ["server=/%s/127.0.0.1#%d\n" % (bound_name(j), a.fwd_port) for j in range(a.n)]
    with open(a.prefix + "fwd.conf", "w") as f:
        f.write("".join(fwd) + "server=/%s/127.0.0.1#%d\n" % (ROT_NAME, a.fwd_rot_port))
    with open(a.prefix + "fwd-control.conf", "w") as f:
        f.write("".join(fwd) + server)


def lat_names(n, count):
    """(kind, query name, address) for the latency round: unique names so that each misses the
    gateway's cache; bound names are below svc<j>.example.test, the others are not bound."""
    kinds = ("bound", "unbound", "plain", "fbound", "funbound")
    out = {k: [] for k in kinds}
    for i in range(count):
        j = i % max(n, 1)
        for k, kind in enumerate(kinds):
            bound = kind in ("bound", "fbound")
            parent = bound_name(j) if bound else "%s%d.example.test" % (kind, j)
            addr = str(LAT_POOL + len(kinds) * i + k)
            out[kind].append(("%s%d.%s" % ("m" if kind == "fbound" else "l", i, parent), addr))
    return out


def cmd_hosts(a):
    for kind, lst in lat_names(a.n, a.count).items():
        for name, addr in lst:
            sys.stdout.write("%s %s\n" % (addr, name))


# ---- DNS wire format

def qname(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.rstrip(".").split(".")) + b"\0"


def query(name, qid, qtype=1):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qname(name) + struct.pack("!HH", qtype, 1)


def first_a(resp, qid):
    """The first A record of a response to qid, or None (wrong id, error rcode, no A)."""
    if len(resp) < 12:
        return None
    rid, flags, qd, an, _, _ = struct.unpack("!HHHHHH", resp[:12])
    if rid != qid or not (flags & 0x8000) or (flags & 0xF) != 0:
        return None
    off = 12
    for _ in range(qd):
        while resp[off] != 0:
            if resp[off] & 0xC0 == 0xC0:
                off += 1
                break
            off += resp[off] + 1
        off += 1 + 4
    for _ in range(an):
        if resp[off] & 0xC0 == 0xC0:
            off += 2
        else:
            while resp[off] != 0:
                off += resp[off] + 1
            off += 1
        rtype, _, _, rdlen = struct.unpack("!HHIH", resp[off:off + 10])
        off += 10
        if rtype == 1 and rdlen == 4:
            return socket.inet_ntoa(resp[off:off + 4])
        off += rdlen
    return None


# ---- the rotating upstream (wan namespace)

def cmd_auth(a):
    """Authoritative for rot.example.test only: every A answer is the next address of the pool,
    TTL 0 (nothing may be cached). A TCP listener on 0.0.0.0:8080 accepts and closes, for every
    pool address (a local route sends the pool to lo). Also big.example.test, truncated (TC=1)
    over UDP and whole over TCP on the same port, for the TCP path."""
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind((a.addr, a.port))
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("0.0.0.0", 8080))
    t.listen(1024)
    t.setblocking(False)
    state = {"next": 0, "queries": 0, "accepts": 0}

    def dump(*_):
        with open(a.stats + ".new", "w") as f:
            f.write("%d %d %d\n" % (state["queries"], state["next"], state["accepts"]))
        os.rename(a.stats + ".new", a.stats)
    signal.signal(signal.SIGUSR1, dump)
    sel = selectors.DefaultSelector()
    sel.register(u, selectors.EVENT_READ, "udp")
    sel.register(t, selectors.EVENT_READ, "tcp")
    dt = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    dt.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    dt.bind((a.addr, a.port))
    dt.listen(16)
    sel.register(dt, selectors.EVENT_READ, "dnstcp")
    big = qname(BIG_NAME)

    def big_answer(qid, rflags, question):
        ans = b"".join(struct.pack("!HHHIH", 0xC00C, 1, 1, 0, 4) +
                       ipaddress.IPv4Address("198.19.1.%d" % (k + 1)).packed
                       for k in range(BIG_COUNT))
        return struct.pack("!HHHHHH", qid, rflags, 1, BIG_COUNT, 0, 0) + question + ans
    want = qname(ROT_NAME)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    while True:
        try:
            events = sel.select()
        except InterruptedError:
            continue
        for key, _ in events:
            if key.data == "dnstcp":
                try:
                    c, _ = dt.accept()
                    c.settimeout(1.0)
                    n = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
                    d = c.recv(n, socket.MSG_WAITALL)
                    end = d.index(b"\0", 12) + 5
                    if d[12:end - 4].lower() == big:
                        r = big_answer(struct.unpack("!H", d[:2])[0], 0x8400 | 0x0100, d[12:end])
                        c.sendall(struct.pack("!H", len(r)) + r)
                    c.close()
                except (OSError, ValueError, struct.error):
                    pass
                continue
            if key.data == "tcp":
                while True:
                    try:
                        c, _ = t.accept()
                    except (BlockingIOError, InterruptedError):
                        break
                    state["accepts"] += 1
                    c.close()
                continue
            try:
                d, peer = u.recvfrom(4096)
            except InterruptedError:
                continue
            if len(d) < 17:
                continue
            state["queries"] += 1
            qid, flags = struct.unpack("!HH", d[:4])
            end = d.index(b"\0", 12) + 5
            question = d[12:end]
            qtype = struct.unpack("!H", question[-4:-2])[0]
            rflags = 0x8400 | (flags & 0x0100)
            if question[:-4].lower() == big:  # does not fit: TC=1, ask over TCP
                u.sendto(struct.pack("!HHHHHH", qid, rflags | 0x0200, 1, 0, 0, 0) + question, peer)
                continue
            if question[:-4].lower() != want:
                u.sendto(struct.pack("!HHHHHH", qid, rflags | 5, 1, 0, 0, 0) + question, peer)
                continue
            if qtype != 1:
                u.sendto(struct.pack("!HHHHHH", qid, rflags, 1, 0, 0, 0) + question, peer)
                continue
            addr = ROT_POOL + state["next"] % ROT_POOL_SIZE
            state["next"] += 1
            ans = struct.pack("!HHHIH", 0xC00C, 1, 1, 0, 4) + addr.packed
            u.sendto(struct.pack("!HHHHHH", qid, rflags, 1, 1, 0, 0) + question + ans, peer)


# ---- clients (device namespace)

def resolver(server, port=53, timeout=2.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((server, port))
    s.settimeout(timeout)
    return s


def resolve(s, name):
    """One A query; (address or None, seconds)."""
    qid = random.randrange(65536)
    t0 = time.perf_counter_ns()
    s.send(query(name, qid))
    try:
        while True:
            r = s.recv(4096)
            if struct.unpack("!H", r[:2])[0] == qid:
                break
    except (socket.timeout, ConnectionRefusedError):
        return None, (time.perf_counter_ns() - t0) / 1e9
    return first_a(r, qid), (time.perf_counter_ns() - t0) / 1e9


def pct(sorted_us, q):
    if not sorted_us:
        return float("nan")
    i = max(1, int(len(sorted_us) * q + 0.999999))
    return sorted_us[min(i, len(sorted_us)) - 1]


def cmd_lat(a):
    """Interleaved latency round: per index i one bound, one unbound (same dnsmasq) and one plain
    (dnsmasq without any --nftset) query, and one bound and one unbound through the dnsmasq
    whose bound names go to dnsbind, in a random order each time."""
    names = lat_names(a.n, a.offset + a.count)
    socks = {"bound": resolver(a.server), "unbound": resolver(a.server),
             "plain": resolver(a.server, a.plain_port),
             "fbound": resolver(a.server, a.fwd_port), "funbound": resolver(a.server, a.fwd_port)}
    if a.kinds:
        socks = {k: v for k, v in socks.items() if k in a.kinds.split(",")}
    res = {k: [] for k in socks}
    bad = {k: 0 for k in socks}
    kinds = list(socks)
    # warm-up: the connection paths, ARP, dnsmasq's first upstream exchange
    for k in kinds:
        resolve(socks[k], "www.example.test")
    for i in range(a.offset, a.offset + a.count):
        random.shuffle(kinds)
        for k in kinds:
            name, want = names[k][i]
            got, dt = resolve(socks[k], name)
            if got != want:
                bad[k] += 1
            res[k].append(dt * 1e6)
    with open(a.out, "w") as f:
        for k in socks:
            v = sorted(res[k])
            f.write("%s %d %d %.0f %.0f %.0f %.0f\n" % (k, len(v), bad[k], pct(v, 0.5), pct(v, 0.99),
                                                         v[-1], sum(v) / len(v)))


def cmd_race(a):
    """N times: resolve rot.example.test through the gateway, then at once start a TCP connect
    to the answer (non-blocking: the SYN leaves before the next resolve). A connect fails if
    refused, reset, or not established within the deadline; one established after 0.9 s lost
    its first SYN (the retransmission came 1 s later)."""
    s = resolver(a.server, a.port)
    sel = selectors.DefaultSelector()
    pending = 0
    stats = {"resolved": 0, "dns_fail": 0, "ok": 0, "late": 0, "timeout": 0, "refused": 0,
             "other": 0}
    seen = set()
    conn_us = []

    def reap(block):
        nonlocal pending
        now = time.monotonic()
        for key, _ in sel.select(timeout=0.05 if block else 0):
            c, t0, deadline = key.data
            sel.unregister(c)
            pending -= 1
            e = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            dt = time.monotonic() - t0
            if e == 0:
                stats["ok"] += 1
                conn_us.append(dt * 1e6)
                if dt >= 0.9:
                    stats["late"] += 1
            elif e in (errno.ECONNREFUSED, errno.ECONNRESET):
                stats["refused"] += 1
            else:
                stats["other"] += 1
            c.close()
        for key in list(sel.get_map().values()):
            c, t0, deadline = key.data
            if now > deadline:
                sel.unregister(c)
                pending -= 1
                stats["timeout"] += 1
                c.close()

    t_start = time.monotonic()
    for i in range(a.count):
        addr, _ = resolve(s, ROT_NAME)
        if addr is None:
            stats["dns_fail"] += 1
            continue
        stats["resolved"] += 1
        seen.add(addr)
        c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.setblocking(False)
        t0 = time.monotonic()
        rc = c.connect_ex((addr, 8080))
        if rc not in (0, errno.EINPROGRESS):
            stats["refused" if rc == errno.ECONNREFUSED else "other"] += 1
            c.close()
        else:
            sel.register(c, selectors.EVENT_WRITE, (c, t0, t0 + a.deadline))
            pending += 1
        reap(pending >= 500)
    while pending:
        reap(True)
    wall = time.monotonic() - t_start
    conn_us.sort()
    with open(a.out, "w") as f:
        f.write("count %d\n" % a.count)
        for k, v in stats.items():
            f.write("%s %d\n" % (k, v))
        f.write("distinct %d\n" % len(seen))
        f.write("failed %d\n" % (stats["timeout"] + stats["refused"] + stats["other"] +
                                 stats["late"]))
        f.write("conn_p50_us %.0f\nconn_p99_us %.0f\n" % (pct(conn_us, 0.5), pct(conn_us, 0.99)))
        f.write("wall_s %.2f\n" % wall)


def cmd_tcq(a):
    """big.example.test as a stub resolver asks it: over UDP, which must come back truncated,
    then over TCP. Prints the addresses of the TCP answer; exits 1 without TC or addresses."""
    qid = random.randrange(65536)
    s = resolver(a.server, 53, 2.0)
    s.send(query(BIG_NAME, qid))
    r = s.recv(4096)
    if len(r) < 12 or not struct.unpack("!H", r[2:4])[0] & 0x0200:
        sys.exit("no TC=1 over UDP")
    c = socket.create_connection((a.server, 53), timeout=3.0)
    q = query(BIG_NAME, qid)
    c.sendall(struct.pack("!H", len(q)) + q)
    n = struct.unpack("!H", c.recv(2, socket.MSG_WAITALL))[0]
    r = c.recv(n, socket.MSG_WAITALL)
    # every A record: type A, class IN, a TTL, rdlength 4, the address
    addrs = [socket.inet_ntoa(r[i + 10:i + 14]) for i in range(12, len(r) - 13)
             if r[i:i + 4] == b"\x00\x01\x00\x01" and r[i + 8:i + 10] == b"\x00\x04"]
    if struct.unpack("!H", r[:2])[0] != qid or not addrs:
        sys.exit("no answer over TCP")
    print("\n".join(addrs))


def cmd_q(a):
    """One query: exits 0 when NAME resolves to WANT at SERVER."""
    got, _ = resolve(resolver(a.server, a.port, 0.5), a.name)
    sys.exit(0 if got == a.want else 1)


def cmd_poll(a):
    """Restart poller: asks for NAME about every millisecond and records the CLOCK_REALTIME of
    every answer (to any of its queries: a late one still shows that DNS works); a query
    unanswered after 5 ms is given up for a new one. On SIGTERM writes the times to OUT."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.connect((a.server, 53))
    stamps = []
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    with open(a.ready, "w") as f:
        f.write("ready\n")
    while not stop:
        try:
            s.send(query(a.name, random.randrange(65536)))
        except (ConnectionRefusedError, InterruptedError):
            time.sleep(0.001)
            continue
        deadline = time.monotonic() + 0.005
        while not stop:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                r = s.recv(4096)
            except (socket.timeout, ConnectionRefusedError, InterruptedError):
                break
            if len(r) >= 2 and first_a(r, struct.unpack("!H", r[:2])[0]):
                stamps.append(time.time_ns())
                time.sleep(0.001)
                break
    with open(a.out, "w") as f:
        f.write("\n".join(str(t) for t in stamps) + "\n")


def cmd_nftcost(a):
    """What dnsmasq's add_to_nftset does per address, timed: one nft_run_cmd_from_buffer of
    `add element FAMILY TABLE SET { ADDR }` on a long-lived libnftables context. Prints p50 p99
    in microseconds."""
    import ctypes
    lib = ctypes.CDLL("libnftables.so.1")
    lib.nft_ctx_new.restype = ctypes.c_void_p
    lib.nft_ctx_buffer_error.argtypes = [ctypes.c_void_p]
    lib.nft_run_cmd_from_buffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.nft_ctx_get_error_buffer.argtypes = [ctypes.c_void_p]
    lib.nft_ctx_get_error_buffer.restype = ctypes.c_char_p
    ctx = lib.nft_ctx_new(0)
    lib.nft_ctx_buffer_error(ctx)
    base = ipaddress.IPv4Address(a.base)
    ts = []
    for i in range(a.count):
        cmd = ("add element %s { %s }" % (a.set, base + i)).encode()
        t0 = time.perf_counter_ns()
        if lib.nft_run_cmd_from_buffer(ctx, cmd):
            sys.exit("nft: %s" % lib.nft_ctx_get_error_buffer(ctx).decode().strip())
        ts.append((time.perf_counter_ns() - t0) / 1000)
    ts.sort()
    print("%.0f %.0f" % (pct(ts, 0.5), pct(ts, 0.99)))


def cmd_sets(a):
    """A table of S empty named sets (of the shape of dns4_<H>) and one target set."""
    print("table inet hgcost {")
    print("\tset target { type ipv4_addr; flags timeout; }")
    for i in range(a.n):
        print("\tset s%d { type ipv4_addr; flags timeout; }" % i)
    print("}")


def cmd_gaps(a):
    """For each `LABEL T_KILL T_EXITED` line of KILLS (SIGTERM sent, old process gone): the time
    from SIGTERM to the old process's exit, from SIGTERM to the first answer after that exit
    (the new process's first), and how long DNS was silent (last answer before the exit to that
    first answer), in ms. Prints `LABEL n exit_p50 first_p50 first_max silent_p50 silent_max`."""
    stamps = sorted(int(x) for x in open(a.stamps) if x.strip())
    by = {}
    for line in open(a.kills):
        label, tk, te = line.split()
        tk, te = int(tk), int(te)
        i = bisect.bisect_right(stamps, te)
        if i >= len(stamps):
            continue
        first = stamps[i]
        last = stamps[i - 1] if i else tk
        by.setdefault(label, []).append(((te - tk) / 1e6, (first - tk) / 1e6, (first - last) / 1e6))
    for label, v in by.items():
        def med(k):
            x = sorted(r[k] for r in v)
            n = len(x)
            return x[n // 2] if n % 2 else (x[n // 2 - 1] + x[n // 2]) / 2
        print("%s %d %.1f %.1f %.1f %.1f %.1f" % (label, len(v), med(0), med(1),
                                                  max(r[1] for r in v), med(2),
                                                  max(r[2] for r in v)))


def cmd_nameid(a):
    """A name's key prefix in dnsname4 / dnsname6 as nft lists it: "W0 . W1"."""
    print("%d . %d" % name_id(a.name))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("ruleset")
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--rot-mac", required=True)
    r.add_argument("--rot-chain-out", required=True)
    r = sub.add_parser("conf")
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--prefix", required=True)
    r.add_argument("--rot-server", required=True)
    r.add_argument("--rot-port", type=int, required=True)
    r.add_argument("--fwd-port", type=int, required=True)
    r.add_argument("--fwd-rot-port", type=int, required=True)
    r = sub.add_parser("hosts")
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--count", type=int, required=True)
    r = sub.add_parser("auth")
    r.add_argument("--addr", required=True)
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--stats", required=True)
    r.add_argument("--ready", required=True)
    r = sub.add_parser("lat")
    r.add_argument("--n", type=int, required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--server", required=True)
    r.add_argument("--plain-port", type=int, required=True)
    r.add_argument("--fwd-port", type=int, required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--kinds", default="", help="only these kinds (comma-separated)")
    r.add_argument("--offset", type=int, default=0, help="use the names from this index on")
    r = sub.add_parser("race")
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--server", required=True)
    r.add_argument("--port", type=int, default=53)
    r.add_argument("--deadline", type=float, default=3.0)
    r.add_argument("--out", required=True)
    r = sub.add_parser("q")
    r.add_argument("--server", required=True)
    r.add_argument("--port", type=int, default=53)
    r.add_argument("--name", required=True)
    r.add_argument("--want", required=True)
    r = sub.add_parser("tcq")
    r.add_argument("--server", required=True)
    r = sub.add_parser("poll")
    r.add_argument("--server", required=True)
    r.add_argument("--name", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--ready", required=True)
    r = sub.add_parser("nftcost")
    r.add_argument("--set", required=True)
    r.add_argument("--count", type=int, required=True)
    r.add_argument("--base", required=True)
    r = sub.add_parser("sets")
    r.add_argument("--n", type=int, required=True)
    r = sub.add_parser("nameid")
    r.add_argument("name")
    r = sub.add_parser("gaps")
    r.add_argument("--stamps", required=True)
    r.add_argument("--kills", required=True)
    a = p.parse_args()
    globals()["cmd_" + a.cmd](a)


if __name__ == "__main__":
    main()

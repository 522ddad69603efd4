#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Traffic sinks for the lab's upstream namespace: TCP and UDP echo (port 7) and TCP discard
(port 9) on every address given. Connections are logged to stdout as PROTO SRC -> DST:PORT."""
import socket
import sys
import threading


def log(*a):
    sys.stdout.write(" ".join(str(x) for x in a) + "\n")
    sys.stdout.flush()


def tcp(addr, port, echo):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    while True:
        c, peer = s.accept()
        log("tcp", peer[0], "->", "%s:%d" % (addr, port))

        def serve(c=c):
            c.settimeout(30)
            try:
                while True:
                    d = c.recv(65536)
                    if not d:
                        break
                    if echo:
                        c.sendall(d)
            except OSError:
                pass
            c.close()
        threading.Thread(target=serve, daemon=True).start()


def udp(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.bind((addr, port))
    while True:
        d, peer = s.recvfrom(65536)
        log("udp", peer[0], "->", "%s:%d" % (addr, port))
        s.sendto(d, peer)


def main():
    for addr in sys.argv[1:]:
        threading.Thread(target=tcp, args=(addr, 7, True), daemon=True).start()
        threading.Thread(target=tcp, args=(addr, 9, False), daemon=True).start()
        threading.Thread(target=udp, args=(addr, 7), daemon=True).start()
    threading.Event().wait()


if __name__ == "__main__":
    main()

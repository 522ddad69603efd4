#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTPS (and plain HTTP) file server for the lab's upstream ("wan") namespace.

Serves the files under --dir on every listener; each listener is one address with its own
certificate, so one process plays several hosts (a good one, an expired one, ...):
  --addr A [--addr B ...] --cert C --key K   TLS on --port (443) of each A with certificate C
  --serve ADDR,CERT,KEY                      TLS on --port of ADDR with that certificate
  --http ADDR                                plain HTTP on --http-port (80) of ADDR
  --ready FILE                               created once every listener accepts connections
The TLS handshake runs in the connection's own thread, so a client that stalls or rejects the
certificate never blocks other clients.

Query parameters script the answer (any combination; GET and HEAD):
  ?status=NNN         answer with that HTTP status and no body
  ?redirect=URL       302 to URL (relative or absolute, e.g. http://mud.example.test/x.json)
  ?loop=1             302 to the very same URL (scheme, Host and query unchanged): a redirect loop
  ?redirect_count=N   N chained redirects, then the file: 302 to the same URL with
                      redirect_count=N-1 (other parameters kept); at 0 the answer is the file (or
                      the ?redirect, which is handled after redirect_count reaches 0)
  ?redirect_status=N  the status used by redirect, loop and redirect_count (default 302)
  ?delay=S            wait S seconds (float) before answering
  ?headers_trickle=S  send the status line and headers one byte every S seconds (slowloris
                      against the client's time limit)
  ?trickle=S          send the body one byte every S seconds (slowloris-style server)
  ?size=N             serve N bytes of "x" instead of the file
  ?chunked=1          send the body with Transfer-Encoding: chunked and no Content-Length
  ?truncate=N         announce the full Content-Length, send only N body bytes, then close
  ?ctype=TYPE         Content-Type: TYPE instead of the default (application/mud+json for *.json,
                      application/pkcs7-signature for *.p7s, else application/octet-stream);
                      ?ctype= (empty) sends no Content-Type at all
  ?etag=1             ETag: "<first 32 hex digits of the SHA-256 of the body>" (strong); a request
                      whose If-None-Match lists it (or "*") gets 304 with no body
  ?maxage=N           Cache-Control: max-age=N
  ?lastmod=1          Last-Modified: the file's mtime (the server's start for ?size); a request
                      whose If-Modified-Since is at or after it gets 304 (If-None-Match, when sent
                      with ?etag=1, takes precedence as RFC 9110 says)
A missing file is 404; any other method is 501.

Every request is logged to stdout, one line when it arrives, as
  METHOD TARGET accept=.. ua=.. lang=.. inm=.. ims=.. host=.. via=SCHEME:LOCALADDR from=PEER
(values are Python reprs: None when the header was absent). Lines of other kinds start with
"note " or "tls-fail ", so counting requests per path is counting lines by their first two fields.
"""
import argparse
import email.utils
import hashlib
import http.server
import os
import socket
import socketserver
import ssl
import sys
import threading
import time
import urllib.parse

_log_lock = threading.Lock()


def log(line):
    with _log_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def default_ctype(path):
    if path.endswith(".json"):
        return "application/mud+json"
    if path.endswith(".p7s"):
        return "application/pkcs7-signature"
    return "application/octet-stream"


def etag_listed(header, etag):
    """If-None-Match uses the weak comparison (RFC 9110 §13.1.2)."""
    for t in header.split(","):
        t = t.strip()
        if t == "*" or (t[2:] if t.startswith("W/") else t) == etag:
            return True
    return False


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "homegate-lab-httpsd"
    headers_trickle = 0.0

    def log_message(self, fmt, *args):  # the base class's errors (malformed requests, ...)
        log("note %s via=%s: %s" % (self.client_address[0], self.server.via, fmt % args))

    def log_request(self, code="-", size="-"):
        pass  # requests are logged when they arrive, in answer()

    def flush_headers(self):
        data = b"".join(getattr(self, "_headers_buffer", []))
        self._headers_buffer = []
        if self.headers_trickle > 0:
            for i in range(len(data)):
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
                time.sleep(self.headers_trickle)
        elif data:
            self.wfile.write(data)

    def do_GET(self):
        self.answer(True)

    def do_HEAD(self):
        self.answer(False)

    def self_url(self, target):
        host = self.headers.get("Host")
        if not host:
            a = self.server.server_address[0]
            host = "[%s]" % a if ":" in a else a
        return "%s://%s%s" % (self.server.scheme, host, target)

    def empty(self, code, **headers):
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def alias(self, path):
        # <web root>/.aliases: "PATH TARGET" lines; a request for PATH is answered as TARGET
        # (a path with a query). DHCP clients cannot always carry a query string intact
        # (dnsmasq cuts option 161 at "="), so tests name scripted behaviour by a plain path.
        try:
            with open(os.path.join(self.server.root, ".aliases")) as f:
                for line in f:
                    parts = line.split()
                    if len(parts) == 2 and parts[0] == path:
                        return parts[1]
        except OSError:
            pass
        return path

    def answer(self, with_body):
        h = self.headers
        self.headers_trickle = 0.0
        log("%s %s accept=%r ua=%r lang=%r inm=%r ims=%r host=%r via=%s from=%s" % (
            self.command, self.path, h.get("Accept"), h.get("User-Agent"),
            h.get("Accept-Language"), h.get("If-None-Match"), h.get("If-Modified-Since"),
            h.get("Host"), self.server.via, self.client_address[0]))
        url = urllib.parse.urlsplit(self.alias(self.path))
        pairs = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
        q = {k: v for k, v in pairs}
        try:
            self.headers_trickle = float(q.get("headers_trickle", 0))
            self.respond(url, pairs, q, with_body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout, ssl.SSLError) as e:
            log("note %s via=%s: client went away during %s %s (%s)" % (
                self.client_address[0], self.server.via, self.command, self.path, e))
            self.close_connection = True

    def respond(self, url, pairs, q, with_body):
        if "delay" in q:
            time.sleep(float(q["delay"]))
        if "status" in q:
            self.empty(int(q["status"]))
            return
        rstatus = int(q.get("redirect_status", 302))
        if q.get("loop", "0") not in ("", "0"):
            self.empty(rstatus, Location=self.self_url(self.path))
            return
        if "redirect_count" in q and int(q["redirect_count"]) > 0:
            n = int(q["redirect_count"]) - 1
            query = urllib.parse.urlencode(
                [(k, str(n) if k == "redirect_count" else v) for k, v in pairs])
            self.empty(rstatus, Location=self.self_url(url.path + "?" + query))
            return
        if "redirect" in q:
            self.empty(rstatus, Location=q["redirect"])
            return

        if "size" in q:
            body = b"x" * int(q["size"])
            mtime = self.server.started
        else:
            path = os.path.normpath(urllib.parse.unquote(url.path)).lstrip("/")
            full = os.path.join(self.server.root, path)
            if path.startswith("..") or not os.path.isfile(full):
                self.empty(404)
                return
            with open(full, "rb") as f:
                body = f.read()
            mtime = int(os.stat(full).st_mtime)

        extra = []
        etag = None
        if q.get("etag") == "1":
            etag = '"%s"' % hashlib.sha256(body).hexdigest()[:32]
            extra.append(("ETag", etag))
        if "maxage" in q:
            extra.append(("Cache-Control", "max-age=%d" % int(q["maxage"])))
        lastmod = q.get("lastmod") == "1"
        if lastmod:
            extra.append(("Last-Modified", email.utils.formatdate(mtime, usegmt=True)))

        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        fresh = False
        if etag and inm is not None:
            fresh = etag_listed(inm, etag)
        elif lastmod and inm is None and ims:
            try:
                fresh = mtime <= email.utils.parsedate_to_datetime(ims).timestamp()
            except (TypeError, ValueError):
                fresh = False
        if fresh:
            self.send_response(304)
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            return

        self.send_response(200)
        ctype = q["ctype"] if "ctype" in q else default_ctype(url.path)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in extra:
            self.send_header(k, v)
        chunked = q.get("chunked") == "1"
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not with_body:
            return
        if "truncate" in q:
            body = body[:int(q["truncate"])]
            self.close_connection = True
        step = 1 if "trickle" in q else 16384
        for i in range(0, len(body), step):
            piece = body[i:i + step]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if "trickle" in q:
                self.wfile.flush()
                time.sleep(float(q["trickle"]))
        if chunked and "truncate" not in q:
            self.wfile.write(b"0\r\n\r\n")


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, port, root, ctx):
        self.address_family = socket.AF_INET6 if ":" in addr else socket.AF_INET
        self.root = root
        self.ssl_ctx = ctx
        self.scheme = "https" if ctx else "http"
        self.via = "%s:%s" % (self.scheme, addr)
        self.started = int(time.time())
        super().__init__((addr, port), Handler)

    def server_bind(self):  # HTTPServer's would resolve our own address (a DNS query): skip it
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request_thread(self, request, client_address):
        if self.ssl_ctx is not None:
            try:
                request.settimeout(30)
                request = self.ssl_ctx.wrap_socket(request, server_side=True)
                request.settimeout(None)
            except (OSError, ValueError) as e:
                log("tls-fail %s via=%s: %s" % (client_address[0], self.via, e))
                request.close()
                return
        super().process_request_thread(request, client_address)

    def handle_error(self, request, client_address):
        log("note %s via=%s: %s" % (client_address[0], self.via, sys.exc_info()[1]))


def tls_context(cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--addr", action="append", default=[])
    ap.add_argument("--serve", action="append", default=[], metavar="ADDR,CERT,KEY")
    ap.add_argument("--http", action="append", default=[], metavar="ADDR")
    ap.add_argument("--port", type=int, default=443)
    ap.add_argument("--http-port", type=int, default=80)
    ap.add_argument("--ready")
    a = ap.parse_args()
    if a.addr and not (a.cert and a.key):
        ap.error("--addr needs --cert and --key")
    if not (a.addr or a.serve or a.http):
        ap.error("nothing to serve: give --addr, --serve or --http")
    servers = []
    if a.addr:
        ctx = tls_context(a.cert, a.key)
        servers += [Server(addr, a.port, a.dir, ctx) for addr in a.addr]
    for spec in a.serve:
        parts = spec.split(",")
        if len(parts) != 3:
            ap.error("--serve wants ADDR,CERT,KEY, not %r" % spec)
        servers.append(Server(parts[0], a.port, a.dir, tls_context(parts[1], parts[2])))
    servers += [Server(addr, a.http_port, a.dir, None) for addr in a.http]
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers]
    for t in threads:
        t.start()
    log("note listening on %s" % " ".join(s.via for s in servers))
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("%d\n" % os.getpid())
    for t in threads:
        t.join()


if __name__ == "__main__":
    main()

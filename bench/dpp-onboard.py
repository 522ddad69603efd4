#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Driver of bench/dpp-onboard.sh, run inside its network namespace: one wpa_supplicant 2.10
Enrollee onboards N times in sequence to our Controller (homegate-dpp-peer controller) and N
times to hostapd 2.10's Controller, in interleaved rounds (A B A B ...), for each credential
type asked. Measures, per onboarding, the Enrollee's wall time from DPP_AUTH_INIT to
DPP-NETWORK-ID, and per controller process the CPU time (utime+stime from /proc/PID/stat, and
the scheduler's ns-exact sum_exec_runtime from /proc/PID/task/*/schedstat) over its rounds.
Prints one key=value record per controller and credential type. Standard library only."""
import argparse
import os
import selectors
import signal
import socket
import subprocess
import sys
import time

SSID = "HomeNet"
PASS = "per-device-secret"
TICK = os.sysconf("SC_CLK_TCK")


class Ctrl:
    """A wpa_ctrl client: AF_UNIX datagrams to the daemon's control socket. An attached one
    receives '<N>EVENT ...' datagrams; commands use a separate, unattached one."""

    def __init__(self, path, tag, attach=False):
        self.me = "/tmp/hg-dppb-%d-%s" % (os.getpid(), tag)
        if os.path.exists(self.me):
            os.unlink(self.me)
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.s.bind(self.me)
        self.s.connect(path)
        if attach and self.cmd("ATTACH") != "OK":
            raise RuntimeError("ATTACH to %s refused" % path)

    def cmd(self, c, timeout=5.0):
        self.s.settimeout(timeout)
        self.s.send(c.encode())
        while True:
            r = self.s.recv(65536).decode(errors="replace")
            if not r.startswith("<"):
                self.s.settimeout(None)
                return r.strip()

    def close(self):
        self.s.close()
        os.unlink(self.me)


def wait_sock(path, secs=5.0):
    end = time.monotonic() + secs
    while time.monotonic() < end:
        if os.path.exists(path):
            return
        time.sleep(0.02)
    raise RuntimeError("no control socket %s" % path)


def cpu(pid):
    """(utime+stime in ms, sum_exec_runtime in ns over the process's threads)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    ns = 0
    for t in os.listdir("/proc/%d/task" % pid):
        try:
            with open("/proc/%d/task/%s/schedstat" % (pid, t)) as f:
                ns += int(f.read().split()[0])
        except FileNotFoundError:
            pass
    return ticks * 1000.0 / TICK, ns


class Events:
    """Waits on the Enrollee's and hostapd's event sockets and our controller's stdout at
    once, so that neither controller's completion is noticed later than the other's."""

    def __init__(self):
        self.sel = selectors.DefaultSelector()
        self.lines = {}
        self.buf = {}

    def add_ctrl(self, name, ctrl):
        self.sel.register(ctrl.s, selectors.EVENT_READ, name)
        self.lines[name] = []

    def add_pipe(self, name, f):
        os.set_blocking(f.fileno(), False)
        self.sel.register(f, selectors.EVENT_READ, name)
        self.lines[name] = []
        self.buf[name] = b""

    def remove(self, name, obj):
        self.sel.unregister(obj)
        self.lines.pop(name, None)

    def _pump(self, timeout):
        for key, _ in self.sel.select(timeout):
            name = key.data
            if name in self.buf:
                data = os.read(key.fileobj.fileno(), 65536)
                self.buf[name] += data
                *done, self.buf[name] = self.buf[name].split(b"\n")
                self.lines[name] += [d.decode(errors="replace") for d in done]
            else:
                msg = key.fileobj.recv(65536).decode(errors="replace")
                if msg.startswith("<"):
                    self.lines[name].append(msg.split(">", 1)[1].strip())

    def wait(self, name, pred, secs):
        """The first queued or arriving line of name for which pred holds (earlier lines are
        dropped), or None after secs."""
        end = time.monotonic() + secs
        while True:
            q = self.lines[name]
            while q:
                line = q.pop(0)
                r = pred(line)
                if r:
                    return line
            left = end - time.monotonic()
            if left <= 0:
                return None
            self._pump(left)

    def drain(self, secs=0.0):
        self._pump(secs)
        for q in self.lines.values():
            q.clear()


def hexs(s):
    return s.encode().hex()


class Controller:
    name = ""

    def done_pred(self, line):
        raise NotImplementedError


class Ours(Controller):
    def __init__(self, args, akm, ev):
        self.name = "ours"
        cmd = [args.peer, "controller", "--listen", "127.0.0.1:%d" % args.port_ours,
               "--dir", args.keys, "--count", "0", "--akm", akm, "--ssid", SSID]
        if akm != "dpp":
            cmd += ["--pass", PASS]
        self.err = open(os.path.join(args.dir, "ours-%s.err" % akm), "w")
        self.p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self.err)
        self.pid = self.p.pid
        self.ev = ev
        ev.add_pipe("ours", self.p.stdout)
        uri = ev.wait("ours", lambda l: l.startswith("uri "), 5)
        if not uri or not ev.wait("ours", lambda l: l == "ready", 5):
            raise RuntimeError("our controller did not start")
        self.uri = uri[4:]
        self.ok = self.failed = 0

    def done_pred(self, line):
        if not line.startswith("done "):
            return False
        if " ok=1 " in line:
            self.ok += 1
        else:
            self.failed += 1
            print("note: ours: %s" % line, file=sys.stderr)
        return True

    def stop(self):
        self.ev.remove("ours", self.p.stdout)
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(5)
        self.err.close()


class Hostapd(Controller):
    def __init__(self, args, akm, ev):
        self.name = "hostapd"
        d = os.path.join(args.dir, "hapd-" + akm)
        os.makedirs(d, exist_ok=True)
        conf = os.path.join(d, "conf")
        with open(conf, "w") as f:
            f.write("interface=dpp-bench\ndriver=none\nctrl_interface=%s/ctrl\n"
                    "ssid=unconfigured\n" % d)
        self.log = open(os.path.join(d, "log"), "w")
        self.p = subprocess.Popen(["hostapd", conf], stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.p.pid
        sock = os.path.join(d, "ctrl", "dpp-bench")
        wait_sock(sock)
        self.c = Ctrl(sock, "hapd-cmd")
        self.e = Ctrl(sock, "hapd-ev", attach=True)
        self.ev = ev
        ev.add_ctrl("hostapd", self.e)
        conf_id = self.c.cmd("DPP_CONFIGURATOR_ADD")
        boot = self.c.cmd("DPP_BOOTSTRAP_GEN type=qrcode")
        self.uri = self.c.cmd("DPP_BOOTSTRAP_GET_URI %s" % boot)
        params = " conf=sta-%s ssid=%s configurator=%s" % (akm, hexs(SSID), conf_id)
        if akm != "dpp":
            params += " pass=%s" % hexs(PASS)
        if self.c.cmd('SET dpp_configurator_params "%s"' % params) != "OK" or \
                self.c.cmd("DPP_CONTROLLER_START tcp_port=%d" % args.port_hapd) != "OK":
            raise RuntimeError("hostapd refused the Controller setup")
        self.ok = self.failed = 0

    def done_pred(self, line):
        if line.startswith("DPP-CONF-SENT"):
            self.ok += 1
            return True
        if line.startswith(("DPP-FAIL", "DPP-CONF-FAILED", "DPP-NOT-COMPATIBLE")):
            self.failed += 1
            print("note: hostapd: %s" % line, file=sys.stderr)
            return True
        return False

    def stop(self):
        self.ev.remove("hostapd", self.e.s)
        self.e.close()
        self.c.close()
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(5)
        self.log.close()


def pct(sorted_v, q):
    if not sorted_v:
        return float("nan")
    i = min(len(sorted_v) - 1, max(0, int(round(q * (len(sorted_v) - 1)))))
    return sorted_v[i]


ENR_END = ("DPP-NETWORK-ID", "DPP-FAIL", "DPP-CONF-FAILED", "DPP-AUTH-INIT-FAILED",
           "DPP-NOT-COMPATIBLE")


def onboard(wc, ev, ctl, peer_id, port, timeout):
    """One onboarding: (seconds to DPP-NETWORK-ID or None on failure)."""
    t0 = time.perf_counter()
    r = wc.cmd("DPP_AUTH_INIT peer=%s role=enrollee tcp_addr=127.0.0.1 tcp_port=%d "
               "neg_freq=2412" % (peer_id, port))
    if r != "OK":
        print("note: DPP_AUTH_INIT -> %s" % r, file=sys.stderr)
        return None
    line = ev.wait("wpas", lambda l: l.startswith(ENR_END), timeout)
    t1 = time.perf_counter()
    if not line or not line.startswith("DPP-NETWORK-ID"):
        print("note: %s: enrollee %s" % (ctl.name, line or "timeout"), file=sys.stderr)
        ev.wait(ctl.name, ctl.done_pred, 1.0)
        return None
    # the controller's side is over (Configuration Result taken) before the next one starts
    if not ev.wait(ctl.name, ctl.done_pred, timeout):
        print("note: %s: no completion" % ctl.name, file=sys.stderr)
        return None
    return t1 - t0


def run_akm(args, akm, wc, wpas_pid, ev):
    ours = Ours(args, akm, ev)
    hapd = Hostapd(args, akm, ev)
    ctls = [(ours, args.port_ours), (hapd, args.port_hapd)]
    ids = {c.name: wc.cmd('DPP_QR_CODE %s' % c.uri) for c, _ in ctls}
    stats = {c.name: {"lat": [], "busy": 0.0, "ms": 0.0, "ns": 0, "wpas_ns": 0, "fail": 0}
             for c, _ in ctls}

    def rounds(count, record):
        done = {c.name: 0 for c, _ in ctls}
        while min(done.values()) < count:
            for c, port in ctls:  # A B A B ...
                n = min(args.round, count - done[c.name])
                if n <= 0:
                    continue
                st = stats[c.name]
                ms0, ns0 = cpu(c.pid)
                _, w0 = cpu(wpas_pid)
                t0 = time.perf_counter()
                for _ in range(n):
                    dt = onboard(wc, ev, c, ids[c.name], port, args.timeout)
                    if record:
                        if dt is None:
                            st["fail"] += 1
                        else:
                            st["lat"].append(dt)
                    wc.cmd("REMOVE_NETWORK all")
                t1 = time.perf_counter()
                ms1, ns1 = cpu(c.pid)
                _, w1 = cpu(wpas_pid)
                if record:
                    st["busy"] += t1 - t0
                    st["ms"] += ms1 - ms0
                    st["ns"] += ns1 - ns0
                    st["wpas_ns"] += w1 - w0
                done[c.name] += n

    rounds(args.warmup, False)
    rounds(args.n, True)
    for c, _ in ctls:
        st = stats[c.name]
        lat = sorted(st["lat"])
        ok = len(lat)
        print("result akm=%s controller=%s n=%d ok=%d failed=%d p50_ms=%.2f p99_ms=%.2f "
              "mean_ms=%.2f per_s=%.1f cpu_ms=%.3f cpu_ticks_ms=%.2f wpas_cpu_ms=%.3f" % (
                  akm, c.name, args.n, ok, st["fail"], pct(lat, 0.5) * 1e3, pct(lat, 0.99) * 1e3,
                  (sum(lat) / ok * 1e3) if ok else float("nan"),
                  args.n / st["busy"] if st["busy"] else 0.0,
                  st["ns"] / 1e6 / args.n, st["ms"] / args.n, st["wpas_ns"] / 1e6 / args.n))
        sys.stdout.flush()
    ours.stop()
    hapd.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer", required=True, help="homegate-dpp-peer")
    ap.add_argument("--dir", required=True, help="a private scratch directory")
    ap.add_argument("--n", type=int, default=200, help="onboardings per controller")
    ap.add_argument("--round", type=int, default=20, help="onboardings per round")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--akm", default="dpp,psk")
    ap.add_argument("--port-ours", type=int, default=18908)
    ap.add_argument("--port-hapd", type=int, default=18909)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    args.keys = os.path.join(args.dir, "keys")
    os.makedirs(args.keys, mode=0o700, exist_ok=True)

    wd = os.path.join(args.dir, "wpas")
    os.makedirs(wd, exist_ok=True)
    with open(os.path.join(wd, "conf"), "w") as f:
        f.write("ctrl_interface=%s/ctrl\nupdate_config=0\ndpp_config_processing=1\n" % wd)
    log = open(os.path.join(wd, "log"), "w")
    wp = subprocess.Popen(["wpa_supplicant", "-D", "none", "-i", "lo", "-c",
                           os.path.join(wd, "conf")], stdout=log, stderr=subprocess.STDOUT)
    ev = Events()
    try:
        sock = os.path.join(wd, "ctrl", "lo")
        wait_sock(sock)
        wc = Ctrl(sock, "wpas-cmd")
        we = Ctrl(sock, "wpas-ev", attach=True)
        ev.add_ctrl("wpas", we)
        print("setup n=%d round=%d warmup=%d cpus=%d load=%s" % (
            args.n, args.round, args.warmup, os.cpu_count(),
            open("/proc/loadavg").read().split()[0]))
        for akm in args.akm.split(","):
            run_akm(args, akm, wc, wp.pid, ev)
        we.close()
        wc.close()
    finally:
        wp.send_signal(signal.SIGTERM)
        wp.wait(5)
        log.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends raw bytes into a running engine's IPC channel, as a compromised engine would.

Usage: ipc-inject.py ENGINE_PID HEX
Takes a duplicate of the engine's end of the parent channel (fd 3) with pidfd_getfd(2) (root
only) and sends HEX as one SOCK_SEQPACKET message to the parent."""
import ctypes
import os
import socket
import sys

SYS_pidfd_getfd = 438


def main():
    pid, payload = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    fd = libc.syscall(SYS_pidfd_getfd, pidfd, 3, 0)
    if fd < 0:
        sys.exit("pidfd_getfd: %s" % os.strerror(ctypes.get_errno()))
    s = socket.socket(fileno=fd)
    s.send(payload)
    s.close()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""MUD file edits for the lab's publisher (lab_mud_publish in lab.sh).

  mudfile.py rewrite IN OUT [--mud-url URL|keep] [--signature URL|none|keep] [--set KEY=JSON]...
                            [--del KEY]...
      Copies the MUD file IN to OUT with its "ietf-mud:mud" container's "mud-url" and
      "mud-signature" set (none removes "mud-signature"; keep leaves a node as it is) and each
      --set KEY=JSON node set in that container (a value that is not JSON is taken as a string:
      --set systeminfo=Cam sets "Cam", --set cache-validity=1 the number 1); each --del KEY
      removes that node.
  mudfile.py tamper FILE
      Changes one byte of FILE in place and keeps it valid JSON: the case of the first letter of
      the "systeminfo" value, or else turns the final newline into a space (or flips the low bit
      of the last byte). Prints the offset changed.
"""
import argparse
import json
import os
import sys

MUD = "ietf-mud:mud"


def rewrite(a):
    with open(a.input, "rb") as f:
        doc = json.loads(f.read())
    mud = doc.get(MUD) if isinstance(doc, dict) else None
    if not isinstance(mud, dict):
        sys.exit("mudfile: %s has no %s container" % (a.input, MUD))
    if a.mud_url != "keep":
        mud["mud-url"] = a.mud_url
    if a.signature == "none":
        mud.pop("mud-signature", None)
    elif a.signature != "keep":
        mud["mud-signature"] = a.signature
    for s in a.set:
        key, sep, val = s.partition("=")
        if not sep:
            sys.exit("mudfile: --set wants KEY=JSON, not %r" % s)
        try:
            mud[key] = json.loads(val)
        except ValueError:
            mud[key] = val
    for key in a.delete:
        mud.pop(key, None)
    tmp = a.output + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    os.replace(tmp, a.output)


def tamper(a):
    with open(a.file, "rb") as f:
        data = bytearray(f.read())
    if not data:
        sys.exit("mudfile: %s is empty" % a.file)
    at = -1
    k = data.find(b'"systeminfo"')
    if k >= 0:
        colon = data.find(b":", k + len(b'"systeminfo"'))
        quote = data.find(b'"', colon)
        end = data.find(b'"', quote + 1)
        for i in range(quote + 1, end if end > 0 else 0):
            if chr(data[i]).isalpha():
                at = i
                break
    if at >= 0:
        data[at] ^= 0x20
    else:
        at = len(data) - 1
        data[at] = 0x20 if data[at] == 0x0A else data[at] ^ 0x01
    with open(a.file, "wb") as f:
        f.write(data)
    print(at)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rewrite")
    r.add_argument("input")
    r.add_argument("output")
    r.add_argument("--mud-url", default="keep")
    r.add_argument("--signature", default="keep")
    r.add_argument("--set", action="append", default=[])
    r.add_argument("--del", dest="delete", action="append", default=[])
    t = sub.add_parser("tamper")
    t.add_argument("file")
    a = ap.parse_args()
    rewrite(a) if a.cmd == "rewrite" else tamper(a)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `homegate dpp uri --qr` read back by an independent decoder, zbarimg (ZBar): the PNG, and the
# terminal text drawn as an image with light where the glyphs are, decode to exactly the URI
# `homegate dpp uri` prints; the PNG is mode 0644 whatever the umask, replaced atomically, no
# temporary file left; on a terminal the text sets its colours. No daemon, no root.
set -euo pipefail

HOMEGATE_SRC=${HOMEGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HOMEGATE_BUILD=${HOMEGATE_BUILD:-$HOMEGATE_SRC/build}
HG=$HOMEGATE_BUILD/homegate
[ -x "$HG" ] || { echo "FAIL: $HG is not built" >&2; exit 1; }
command -v zbarimg >/dev/null || { echo "skip: zbarimg not installed (Debian zbar-tools)"; exit 77; }
command -v python3 >/dev/null || { echo "skip: python3 not installed"; exit 77; }

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
decode() { zbarimg --nodbus --raw -q -Sdisable -Sqrcode.enable "$1"; }

# The terminal text as a greyscale PGM, 4 pixels per module: each character cell is two modules,
# the upper and lower half, light where the glyph is drawn. Escapes (a terminal's) are skipped.
text2pgm() {
	python3 - "$1" "$2" <<'EOF'
import re, sys
cells = {" ": (0, 0), "\u2580": (1, 0), "\u2584": (0, 1), "\u2588": (1, 1)}
text = open(sys.argv[1], encoding="utf-8").read()
rows = []
for line in text.split("\n")[:-1]:
    line = re.sub("\x1b\\[[0-9;]*m", "", line)
    top = [cells[c][0] for c in line]
    bottom = [cells[c][1] for c in line]
    rows += [top, bottom]
if len({len(r) for r in rows}) != 1:
    sys.exit("lines of different widths")
s = 4
with open(sys.argv[2], "wb") as f:
    f.write(b"P5 %d %d 255\n" % (len(rows[0]) * s, len(rows) * s))
    for r in rows:
        f.write(bytes(255 * v for v in r for _ in range(s)) * s)
EOF
}

opts=(--state-dir "$T" --mac 02:00:00:00:00:01 --chan 81/1,6,11,115/36 --info "HomeGate Test-1")
"$HG" dpp uri "${opts[@]}" >"$T/uri"
case $(cat "$T/uri") in DPP:*";;") ;; *) fail "not a DPP URI: $(cat "$T/uri")" ;; esac

(umask 077 && "$HG" dpp uri "${opts[@]}" --qr png --output "$T/code.png")
[ "$(stat -c %a "$T/code.png")" = 644 ] || fail "PNG mode $(stat -c %a "$T/code.png"), not 644"
[ "$(head -c 8 "$T/code.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
	fail "no PNG signature"
decode "$T/code.png" >"$T/png.txt" 2>"$T/zbar.err" || fail "zbarimg cannot read the PNG: $(cat "$T/zbar.err")"
cmp -s "$T/uri" "$T/png.txt" || fail "PNG decodes to '$(cat "$T/png.txt")', not '$(cat "$T/uri")'"

# A second run replaces the file in one rename, leaving nothing beside it.
ino=$(stat -c %i "$T/code.png")
"$HG" dpp uri "${opts[@]}" --qr png --output "$T/code.png"
[ "$(stat -c %i "$T/code.png")" != "$ino" ] || fail "PNG rewritten in place, not renamed"
left=$(find "$T" -name 'code.png?*')
[ -z "$left" ] || fail "temporary files left: $left"

"$HG" dpp uri "${opts[@]}" --qr text >"$T/code.txt"
if grep -q $'\033' "$T/code.txt"; then fail "escapes in text written to a pipe"; fi
text2pgm "$T/code.txt" "$T/text.pgm" || fail "text output is not a grid of half blocks"
decode "$T/text.pgm" >"$T/text.txt" 2>"$T/zbar.err" || fail "zbarimg cannot read the text: $(cat "$T/zbar.err")"
cmp -s "$T/uri" "$T/text.txt" || fail "text decodes to '$(cat "$T/text.txt")'"

# On a terminal (util-linux script(1) gives one) the colours are set, white on black.
if command -v script >/dev/null; then
	script -qec "$(printf '%q ' "$HG" dpp uri "${opts[@]}" --qr text)" /dev/null |
		tr -d '\r' >"$T/tty.txt"
	grep -q $'^\033\\[97;40m' "$T/tty.txt" || fail "no colours on a terminal"
	text2pgm "$T/tty.txt" "$T/tty.pgm" || fail "terminal text is not a grid of half blocks"
	decode "$T/tty.pgm" >"$T/tty.dec" 2>"$T/zbar.err" || fail "zbarimg cannot read the terminal text"
	cmp -s "$T/uri" "$T/tty.dec" || fail "terminal text decodes to '$(cat "$T/tty.dec")'"
else
	echo "skip: no script(1), the terminal rendering is not checked"
fi

rc=0; "$HG" dpp uri --state-dir "$T" --qr png 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "--qr png without --output: exit $rc, not 2"
rc=0; "$HG" dpp uri --state-dir "$T" --qr png --output "$T/no/such/dir/code.png" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "unwritable --output: exit $rc, not 1"
grep -q "no/such/dir/code.png" "$T/err" || fail "reason does not name the file: $(cat "$T/err")"

# SVG: zbarimg reads no SVG; tests/unit/test_qr_out.c reads its path back module by module.
echo "ok: $(cat "$T/uri") read back from PNG and text by zbarimg"

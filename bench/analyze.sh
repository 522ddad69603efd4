#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: `homegate analyze` over the whole labelled capture set in one pass, side by side in
# the same run with tshark (Debian's wireshark) reading the same packets with the dissectors the
# identifier needs (DHCP, DNS/mDNS, SSDP, TLS, HTTP) and printing their fields, and with tshark
# doing the least it can (-T fields -e frame.number, no filter). tshark reads one file per
# process, so both read one file: the set concatenated by mergecap (and homegate also reads the
# 386 files as given). Prints a markdown table: packets/s, wall seconds, peak RSS, per tool,
# median of ROUNDS runs.
# Skips (exit 0) when the captures or tshark are absent.
# Usage: bench/analyze.sh [ROUNDS]   (default 3; HOMEGATE_BUILD defaults to build/,
#        IDENTIFY_DATA to ../shared/data/identify beside the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${HOMEGATE_BUILD:-$here/build}
data=${IDENTIFY_DATA:-$here/../shared/data/identify}
rounds=${1:-3}
if [ ! -d "$data" ]; then
	echo "skip: no captures at $data (they are only on development machines)"
	exit 0
fi
for t in tshark mergecap; do
	command -v $t >/dev/null || { echo "skip: $t is not installed (apt-get install tshark)"; exit 0; }
done
hg=$build/homegate
[ -x "$hg" ] || { echo "analyze.sh: $hg is not built" >&2; exit 1; }
mapfile -t files < <(find "$data" -type f \( -name '*.pcap' -o -name '*.pcapng' \) | sort)
[ "${#files[@]}" -gt 0 ] || { echo "skip: no capture files under $data"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run NAME CMD...: wall seconds and peak RSS (KiB) of one run, appended to $tmp/NAME
run() {
	local name=$1
	shift
	/usr/bin/time -f '%e %M' -o "$tmp/time" "$@" >"$tmp/out" 2>/dev/null
	cat "$tmp/time" >>"$tmp/$name"
}
merged=$tmp/all.pcap
mergecap -a -F pcap -w "$merged" "${files[@]}"
db=$here/data/fingerprints.fpdb
packets=$("$hg" analyze --json --db "$db" "$merged" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["packets"])')
for _ in $(seq "$rounds"); do
	run homegate "$hg" analyze --json --db "$db" "$merged"
	run homegate_files "$hg" analyze --json --db "$db" "${files[@]}"
	run tshark_id tshark -n -r "$merged" \
		-Y "dhcp || dns || ssdp || tls.handshake.type == 1 || http.request" \
		-T fields -e eth.src -e dhcp.option.hostname -e dns.qry.name \
		-e tls.handshake.extensions_server_name -e http.user_agent
	run tshark_min tshark -n -r "$merged" -T fields -e frame.number
done

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
row() { # row NAME LABEL
	local wall rss
	wall=$(awk '{ print $1 }' "$tmp/$1" | median)
	rss=$(awk '{ print $2 }' "$tmp/$1" | median)
	printf '| %s | %.0f | %.2f | %.1f MB |\n' "$2" "$(awk -v p="$packets" -v w="$wall" \
		'BEGIN { print p / w }')" "$wall" "$(awk -v r="$rss" 'BEGIN { print r / 1024 }')"
	echo "$wall" >"$tmp/$1.wall"
}
printf '\n%s captures, %s packets, median of %s rounds\n\n' "${#files[@]}" "$packets" "$rounds"
printf '| tool | packets/s | wall s | peak RSS |\n|---|---|---|---|\n'
row homegate '`homegate analyze --json` (sensors + identifier), merged file'
row homegate_files '`homegate analyze --json`, the 386 files as given'
row tshark_id '`tshark -Y <identification protocols> -T fields ...`, merged file'
row tshark_min '`tshark -T fields -e frame.number` (no filter), merged file'
printf '\nhomegate vs tshark with the same protocols: %.1fx the packet rate\n' \
	"$(awk -v a="$(cat "$tmp/tshark_id.wall")" -v b="$(cat "$tmp/homegate.wall")" 'BEGIN { print a / b }')"

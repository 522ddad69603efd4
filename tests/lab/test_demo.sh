#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make run`'s demo comes up, registers its five devices, and leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
before=$(ip netns list | wc -l)
out=$("$HOMEGATE_SRC/scripts/demo" --check 2>&1)
echo "$out" | tail -n 8
for host in Reolink-E1 HS110 ecobee LGwebOSTV Pixel-7; do
	grep -q "$host" <<<"$out" || { echo "FAIL: demo device $host not listed" >&2; exit 1; }
done
grep -q "https://mud.example.test/reolink-e1.json (dnsmasq)" <<<"$out" || { echo "FAIL: camera MUD URL not shown" >&2; exit 1; }
[ "$(ip netns list | wc -l)" = "$before" ] || { echo "FAIL: demo left namespaces behind" >&2; exit 1; }
echo "demo: ok"

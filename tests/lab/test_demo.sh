#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make run`'s demo comes up, registers its five devices, and leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
before=$(ip netns list | wc -l)
out=$("$HOMEGATE_SRC/scripts/demo" --check 2>&1)
echo "$out" | tail -n 24
for host in Reolink-E1 HS110 ecobee LGwebOSTV Pixel-7; do
	grep -q "$host" <<<"$out" || { echo "FAIL: demo device $host not listed" >&2; exit 1; }
done
grep -Eq "pending +[0-9.]+ +Reolink-E1 +https://mud.example.test/reolink-e1.json \((dhcp|dnsmasq)\)" <<<"$out" ||
	{ echo "FAIL: camera not pending with its MUD URL" >&2; exit 1; }
grep -q "signer      /CN=lab MUD signer" <<<"$out" || { echo "FAIL: mud show not in the demo" >&2; exit 1; }
[ "$(ip netns list | wc -l)" = "$before" ] || { echo "FAIL: demo left namespaces behind" >&2; exit 1; }
echo "demo: ok"

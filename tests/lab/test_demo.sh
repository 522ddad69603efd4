#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# `make run`'s demo comes up, registers its five devices, identifies the four without a MUD
# file, and leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
out=$("$HOMEGATE_SRC/scripts/demo" --check 2>&1)
echo "$out" | tail -n 24
for host in EC-2 HS110 ecobee LGwebOSTV Pixel-7; do
	grep -q "$host" <<<"$out" || { echo "FAIL: demo device $host not listed" >&2; exit 1; }
done
grep -Eq "pending +[0-9.]+ +EC-2 +- +https://mud.example.test/ec-2.json \((dhcp|dnsmasq)\)" <<<"$out" ||
	{ echo "FAIL: camera not pending with its MUD URL" >&2; exit 1; }
for what in "HS110 +TP-Link HS110 \(plug\)" "ecobee +ecobee \(thermostat\)" "LGwebOSTV +LG \(tv\)" \
	"Pixel-7 +Google \(phone\)"; do
	grep -Eq "$what" <<<"$out" || { echo "FAIL: not identified: $what" >&2; exit 1; }
done
grep -q "signer      /CN=lab MUD signer" <<<"$out" || { echo "FAIL: mud show not in the demo" >&2; exit 1; }
grep -qE '^[0-9]+ +provisioned .* speaker|^[0-9]+ +provisioned ' <<<"$out" ||
	{ echo "FAIL: the speaker was not shown onboarded by DPP" >&2; exit 1; }
grep -qE '^[0-9]+ +held +\*' <<<"$out" || { echo "FAIL: the doorbell is not shown waiting" >&2; exit 1; }
# Its namespaces are named after its lab: none may remain (other labs may run meanwhile).
id=$(sed -n 's/^homegated is running in namespace \([a-z0-9]*\)-gw.*/\1/p' <<<"$out")
[ -n "$id" ] || { echo "FAIL: the demo did not say where it ran" >&2; exit 1; }
if ip netns list | grep -q "^$id-"; then
	echo "FAIL: demo left namespaces behind: $(ip netns list | grep "^$id-" | tr '\n' ' ')" >&2
	exit 1
fi
echo "demo: ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# LAN peers by manufacturer (AC-26, AC-30) on real bridged packets: two approved devices whose
# MUD files share a maker (same-manufacturer) reach each other on the port their file names
# and on no other; a device of no maker, or one nobody approved, does not; a pending device
# gets no LAN access at all.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }
# send FROM TO PORT TAG: one UDP datagram from device FROM to device TO
send() {
	lab_dev_exec "$1" python3 -c 'import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), (sys.argv[1], int(sys.argv[3])))' \
		"$(lab_dev_ip "$2")" "$4" "$3"
}
got() { grep -qx "$1" "$LAB_DIR/received"; }
# expect FROM TO PORT yes|no
n=0
expect() {
	n=$((n + 1))
	send "$1" "$2" "$3" "t$n"
	if lab_wait_for 2 got "t$n"; then r=yes; else r=no; fi
	[ "$r" = "$4" ] || lab_fail "UDP $1 -> $2:$3: delivered $r, wanted $4"
	echo "ok: UDP $1 -> $2:$3 $r"
}

lab_up
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
EOF
python3 - "$LAB_DIR/lan.json" <<-'PYEOF'
	import json, sys
	peer = lambda name, port, key: {"name": name, "matches": {"ietf-mud:mud": {"same-manufacturer": [None]}, "ipv4": {"protocol": 17}, "udp": {key: {"operator": "eq", "port": port}}}, "actions": {"forwarding": "accept"}}
	mud = {"ietf-mud:mud": {"mud-version": 1, "mud-url": "https://mud.example.test/lan.json",
	        "last-update": "2026-11-01T10:00:00+00:00", "is-supported": True, "systeminfo": "Example speaker",
	        "from-device-policy": {"access-lists": {"access-list": [{"name": "out"}]}},
	        "to-device-policy": {"access-lists": {"access-list": [{"name": "in"}]}}},
	       "ietf-access-control-list:acls": {"acl": [
	        {"name": "out", "type": "ipv4-acl-type", "aces": {"ace": [peer("sync", 5000, "destination-port")]}},
	        {"name": "in", "type": "ipv4-acl-type", "aces": {"ace": [peer("sync", 5000, "destination-port")]}}]}}
	json.dump(mud, open(sys.argv[1], "w"), indent=1)
PYEOF
lab_start_homegated "$conf"
lab_mud_publish "$LAB_DIR/lan.json" lan.json --signer lab
lab_dev_add a1 --hostname speaker-1 --mud "$LAB_MUD_URL"
lab_dev_add a2 --hostname speaker-2 --mud "$LAB_MUD_URL"
lab_dev_add other --hostname laptop
a1=$(lab_dev_mac a1) a2=$(lab_dev_mac a2) o=$(lab_dev_mac other)
for m in "$a1" "$a2"; do lab_wait_for 10 status_is "$m" ok || lab_fail "$m: MUD not verified"; done
: >"$LAB_DIR/received"
lab_spawn "$(lab_dev_ns a2)" listener python3 -u -c '
import select, socket, sys
socks = []
for port in (5000, 5001):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", port)); socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        with open(sys.argv[1], "a") as f: f.write(s.recv(100).decode() + "\n")' "$LAB_DIR/received"
sleep 0.5

# Both pending: no LAN access (the pending profile has internet destinations only).
expect a1 a2 5000 no
lab_hg approve "$a1" >/dev/null
lab_hg approve "$a2" >/dev/null
lab_wait_for 5 sh -c "ip netns exec $LAB_GW nft list set bridge homegate mfg_\$(printf %s mud.example.test | sha256sum | cut -c1-12) | grep -q $a2" ||
	lab_fail "approved a2 is not in its manufacturer's set"
expect a1 a2 5000 yes
expect a1 a2 5001 no
expect other a2 5000 no
# a2 leaves the manufacturer's set when it is no longer approved, and its own LAN access goes.
lab_hg block "$a2" >/dev/null
lab_hg approve "$a2" >/dev/null
expect a1 a2 5000 yes
lab_hg quarantine "$a1" >/dev/null
expect a1 a2 5000 no
# A resync (restarted daemon) rebuilds the manufacturer's set from the device table alone.
mfgset="mfg_$(printf %s mud.example.test | sha256sum | cut -c1-12)"
ip netns exec "$LAB_GW" nft add element bridge homegate "$mfgset" "{ 02:00:00:00:00:99 }"
lab_stop_homegated
lab_start_homegated "$conf"
# The new engine's resync follows its start: wait for it (the stale member is its mark).
lab_wait_for 10 sh -c "! ip netns exec $LAB_GW nft list set bridge homegate $mfgset | grep -q 02:00:00:00:00:99" ||
	lab_fail "a stale member survived the resync"
members=$(ip netns exec "$LAB_GW" nft list set bridge homegate "$mfgset")
grep -q "$a2" <<<"$members" || lab_fail "approved a2 left its manufacturer's set on resync"
grep -q "$a1" <<<"$members" && lab_fail "quarantined a1 is in its manufacturer's set after resync"
grep -q "02:00:00:00:00:99" <<<"$members" && lab_fail "a stale member survived the resync"
lab_stop_homegated
echo "PASS: test_enforce_lan"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A device's MUD file enforced on real packets, IPv4 and IPv6, through its lifecycle: pending
# gets the file's internet destinations only, approved the whole file, quarantine DNS and NTP
# to the gateway only, release restores, block leaves DHCP; default deny for everything the
# file does not name (AC-21); the rules stay while the engine is dead (fail-static) and after
# it is restarted. Another device on the same LAN is never affected. A file naming a DNS name
# (AC-22): nothing reaches the name's address until the device resolves it through the
# gateway, then the connection works at once (dnsmasq --nftset, bound by homegated); an
# off-box resolver is refused (AC-23).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }
state_is() { [ "$(dev "$1" "d['state']")" = "$2" ]; }
# tcp DEV ADDR PORT: a TCP connection through the gateway works (the lab's sinks echo on port 7,
# where the echo must come back, and discard on port 9, where the connection is enough)
tcp() {
	local host=$2
	[[ $host == *:* ]] && host="[$host]"
	if [ "$3" = 7 ]; then # the echo must come back
		echo hi | lab_dev_exec "$1" timeout 3 socat -T2 - "TCP:$host:$3,connect-timeout=2" 2>/dev/null |
			grep -q hi
	else # a connection is enough
		echo | lab_dev_exec "$1" timeout 3 socat -T1 - "TCP:$host:$3,connect-timeout=2" >/dev/null 2>&1
	fi
}
dns() { lab_dev_exec "$1" timeout 3 busybox nslookup www.example.test 192.168.50.1 >/dev/null 2>&1; }
# expect DEV WHAT yes|no COMMAND...
expect() {
	local d=$1 what=$2 want=$3
	shift 3
	if "$@"; then got=yes; else got=no; fi
	# A permitted exchange gets more tries on a loaded machine; a refused one gets none.
	for _ in 1 2 3; do
		[ "$got" = no ] && [ "$want" = yes ] || break
		sleep 1
		if "$@"; then got=yes; fi
	done
	[ "$got" = "$want" ] || lab_fail "$d: $what: got $got, wanted $want"
}
matrix() { # matrix DEV LABEL ECHO4 ECHO6 OTHERPORT4 MUDSERVER PING DNS
	local d=$1
	expect "$d" "$2: TCP 203.0.113.10:7" "$3" tcp "$d" 203.0.113.10 7
	expect "$d" "$2: TCP [2001:db8:ff00::10]:7" "$4" tcp "$d" 2001:db8:ff00::10 7
	expect "$d" "$2: TCP 203.0.113.10:9 (not in the file)" "$5" tcp "$d" 203.0.113.10 9
	expect "$d" "$2: TCP 203.0.113.20:443 (not in the file)" "$6" tcp "$d" 203.0.113.20 443
	expect "$d" "$2: ping 203.0.113.10 (not in the file)" "$7" lab_dev_exec "$d" ping -c1 -W1 203.0.113.10
	expect "$d" "$2: DNS to the gateway" "$8" dns "$d"
	echo "ok: $2"
}

lab_up
# The gateway's dnsmasq reads homegated's DNS-name bindings; homegated restarts it when they
# change (dnsmasq reads --nftset only at start).
LAB_GW_DNSMASQ_EXTRA=(--conf-file="$LAB_DIR/run/dnsmasq-nftset.conf")
cat >"$LAB_DIR/dnsmasq-restart" <<-EOF
	#!/usr/bin/env bash
	. "$LAB_SRC/lab.sh"
	LAB_DIR="$LAB_DIR" LAB_GW="$LAB_GW" HOMEGATE_BUILD="$HOMEGATE_BUILD"
	LAB_GW_DNSMASQ_EXTRA=(--conf-file="$LAB_DIR/run/dnsmasq-nftset.conf")
	lab_gw_dnsmasq_start
EOF
chmod 755 "$LAB_DIR/dnsmasq-restart"
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
	[dns]
	nftset_file = $LAB_DIR/run/dnsmasq-nftset.conf
	reload_command = $LAB_DIR/dnsmasq-restart
	binding = nftset
EOF
# The device's file: TCP 7 to one upstream host over IPv4 and IPv6, UDP to LAN peers.
python3 - "$LAB_DIR/echo.json" <<-'EOF'
	import json, sys
	ace = lambda name, l3, net: {"name": name, "matches": {l3: {net: "203.0.113.10/32" if l3 == "ipv4" else "2001:db8:ff00::10/128", "protocol": 6}, "tcp": {"destination-port": {"operator": "eq", "port": 7}}}, "actions": {"forwarding": "accept"}}
	mud = {"ietf-mud:mud": {"mud-version": 1, "mud-url": "https://mud.example.test/echo.json",
	        "last-update": "2026-11-01T10:00:00+00:00", "cache-validity": 48, "is-supported": True,
	        "systeminfo": "Echo sensor", "mfg-name": "Example Sensors",
	        "from-device-policy": {"access-lists": {"access-list": [{"name": "v4"}, {"name": "v6"}, {"name": "lan"}]}},
	        "to-device-policy": {"access-lists": {"access-list": [{"name": "lan-in"}]}}},
	       "ietf-access-control-list:acls": {"acl": [
	        {"name": "v4", "type": "ipv4-acl-type", "aces": {"ace": [ace("echo4", "ipv4", "destination-ipv4-network")]}},
	        {"name": "v6", "type": "ipv6-acl-type", "aces": {"ace": [ace("echo6", "ipv6", "destination-ipv6-network")]}},
	        {"name": "lan", "type": "ipv4-acl-type", "aces": {"ace": [{"name": "peers", "matches": {"ietf-mud:mud": {"local-networks": [None]}, "ipv4": {"protocol": 17}}, "actions": {"forwarding": "accept"}}]}},
	        {"name": "lan-in", "type": "ipv4-acl-type", "aces": {"ace": [{"name": "peers", "matches": {"ietf-mud:mud": {"local-networks": [None]}, "ipv4": {"protocol": 17}}, "actions": {"forwarding": "accept"}}]}}]}}
	json.dump(mud, open(sys.argv[1], "w"), indent=1)
EOF
lab_start_homegated "$conf"
lab_gw_dnsmasq_start # now with homegated's (still empty) bindings
lab_mud_publish "$LAB_DIR/echo.json" echo.json --signer lab
lab_dev_add sensor --hostname sensor --mud "$LAB_MUD_URL"
lab_dev_add phone --hostname phone
s=$(lab_dev_mac sensor)
lab_wait_for 10 status_is "$s" ok || lab_fail "sensor: MUD $(dev "$s" "d['mud_status'], d['mud_reason']")"
lab_wait_for 5 state_is "$s" pending || lab_fail "sensor not pending"
v6addr() { lab_dev_exec sensor ip -6 addr show dev eth0 scope global | grep 'inet6 fd00:50:' | grep -vq tentative; }
lab_wait_for 15 v6addr || lab_fail "sensor: no SLAAC address on the LAN"
lab_dev_renew sensor # the lease (and the SLAAC address seen by now) move the maps toward it

#                    echo4 echo6 :9  mud:443 ping dns
matrix sensor pending yes yes no no no yes
lab_hg approve "$s" --why "the family knows it" >/dev/null
matrix sensor approved yes yes no no no yes
# Toward the device: its SLAAC address (learnt from neighbour discovery, no DHCP involved) is
# in the map toward it, so a connection from the internet that its file does not allow is
# dropped (AC-28); the phone, under no profile, is left to the system firewall.
slaac() {
	lab_dev_exec "$1" ip -6 addr show dev eth0 scope global |
		awk '/inet6 fd00:50:/ && !/tentative/ {sub("/.*", "", $2); print $2; exit}'
}
listen() { lab_spawn "$(lab_dev_ns "$1")" "listen-$1" python3 -c '
import socket
s = socket.socket(socket.AF_INET6); s.bind(("::", 8080)); s.listen(4)
while True: s.accept()[0].close()'; }
v6=$(slaac sensor)
pv6=$(slaac phone)
[ -n "$v6" ] && [ -n "$pv6" ] || lab_fail "no SLAAC addresses"
lab_wait_for 10 sh -c "ip netns exec $LAB_GW nft list map inet homegate dev_in6 | grep -q '$v6 '" ||
	lab_fail "the sensor's SLAAC address $v6 is not in dev_in6"
listen sensor
listen phone
sleep 0.5
# The lab masquerades the LAN upstream; a route lets the upstream reach LAN addresses directly.
ip -n "$LAB_WAN" -6 route replace fd00:50::/64 via 2001:db8:ffff::2
inbound() { lab_wan_exec timeout 3 socat -T1 - "TCP:[$1]:8080,connect-timeout=2" </dev/null >/dev/null 2>&1; }
expect sensor "inbound from the internet to [$v6]:8080" no inbound "$v6"
expect phone "inbound from the internet to [$pv6]:8080" yes inbound "$pv6"
echo "ok: toward the device by its SLAAC address"
lab_hg quarantine "$s" --why "odd traffic" >/dev/null
matrix sensor quarantined no no no no no yes
lab_hg release "$s" >/dev/null
matrix sensor released yes yes no no no yes
lab_hg block "$s" >/dev/null
matrix sensor blocked no no no no no no
lab_hg approve "$s" >/dev/null
matrix sensor "approved again" yes yes no no no yes
# The phone (no MUD file, never decided) is left to the system firewall.
matrix phone "other device" yes yes yes yes yes yes

# --- a DNS name (AC-22, AC-23)
python3 - "$HOMEGATE_SRC/tests/data/mud/camera.json" "$LAB_DIR/cloud.json" <<-'PYEOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	j["ietf-mud:mud"]["mud-url"] = "https://mud.example.test/cloud.json"
	acl = {a["name"]: a for a in j["ietf-access-control-list:acls"]["acl"]}
	ace = acl["from-v4"]["aces"]["ace"][0]
	ace["matches"]["tcp"]["destination-port"]["port"] = 7
	acl["from-v4"]["aces"]["ace"] = [ace]
	json.dump(j, open(sys.argv[2], "w"), indent=1)
PYEOF
lab_mud_publish "$LAB_DIR/cloud.json" cloud.json --signer lab
lab_dev_add cloudcam --hostname cloudcam --mud "$LAB_MUD_URL"
c=$(lab_dev_mac cloudcam)
lab_wait_for 10 status_is "$c" ok || lab_fail "cloudcam: MUD $(dev "$c" "d['mud_status'], d['mud_reason']")"
lab_wait_for 10 grep -q "nftset=/cloud.example.test/" "$LAB_DIR/run/dnsmasq-nftset.conf" ||
	lab_fail "no dnsmasq binding for cloud.example.test"
lab_wait_for 10 grep -q "parent=dns-reload" "$LAB_DIR/homegated.log" || lab_fail "dnsmasq not told"
lab_wait_for 10 dns cloudcam || lab_fail "DNS did not come back after dnsmasq's restart"
expect cloudcam "before resolving: TCP 203.0.113.10:7" no tcp cloudcam 203.0.113.10 7
addr=$(lab_dev_exec cloudcam busybox nslookup cloud.example.test 192.168.50.1 |
	awk '/^Address/ && $NF ~ /^203\./ {print $NF}' | tail -1)
[ "$addr" = 203.0.113.10 ] || lab_fail "cloud.example.test resolved to '$addr'"
expect cloudcam "right after resolving: TCP $addr:7" yes tcp cloudcam "$addr" 7
expect cloudcam "resolved name, other port: TCP $addr:9" no tcp cloudcam "$addr" 9
expect cloudcam "an off-box resolver (AC-23)" no lab_dev_exec cloudcam timeout 3 busybox nslookup \
	cloud.example.test 198.51.100.1
echo "ok: DNS name bound before the answer"

# The audit log names the file of every decision (AC-40).
h=$(dev "$s" "d['mud_hash']")
lab_hg --json log "$s" | grep -q "\"file_hash\": *\"$h\"" || lab_fail "decisions not audited with the file hash"

# Fail-static: the engine dies, nothing opens; restarted, the same holds.
engine=$(lab_engine_pid)
kill -STOP "$engine"
kill -KILL "$engine"
expect sensor "engine dead: TCP 203.0.113.10:9" no tcp sensor 203.0.113.10 9
expect sensor "engine dead: TCP 203.0.113.10:7" yes tcp sensor 203.0.113.10 7
lab_wait_for 10 sh -c "[ \"\$(pgrep -P $LAB_HG_PID)\" != '' ] && [ \"\$(pgrep -P $LAB_HG_PID)\" != $engine ]" ||
	lab_fail "engine not restarted"
lab_wait_for 10 lab_hg status >/dev/null || lab_fail "restarted engine does not serve"
matrix sensor "after an engine restart" yes yes no no no yes

# Lease end: the device's address leaves the maps toward it (it may go to someone else);
# the lease back, it is restored from the cached file without refetching (AC-29).
inmap() { lab_gw_exec nft list map inet homegate dev_in4 | grep -q "$(lab_dev_ip sensor) "; }
lab_wait_for 5 inmap || lab_fail "the sensor's address is not in dev_in4"
fetches=$(lab_mud_requests /echo.json)
lab_dev_release sensor
lab_wait_for 5 eval '! inmap' || lab_fail "the address stayed in dev_in4 after the lease ended"
lab_dev_renew sensor
lab_wait_for 10 inmap || lab_fail "the address did not come back with the lease"
[ "$(lab_mud_requests /echo.json)" = "$fetches" ] || lab_fail "rejoin refetched the MUD file"
matrix sensor "after a lease end and rejoin" yes yes no no no yes

# kill -9 of the whole daemon during traffic: an established flow keeps its verdict, nothing
# opens up, and the restarted daemon reconciles without a gap.
rm -f "$LAB_DIR/go"
lab_dev_exec sensor python3 -c '
import os, socket, sys, time
s = socket.create_connection(("203.0.113.10", 7), timeout=3)
s.sendall(b"a"); assert s.recv(1) == b"a"
while not os.path.exists(sys.argv[1]): time.sleep(0.05)
s.sendall(b"b"); sys.exit(0 if s.recv(1) == b"b" else 1)' "$LAB_DIR/go" &
flow=$!
sleep 0.5
kill -KILL "$LAB_HG_PID"
wait "$LAB_HG_PID" 2>/dev/null || true
LAB_HG_PID=
sleep 0.5
expect sensor "homegated killed: TCP 203.0.113.10:9" no tcp sensor 203.0.113.10 9
expect sensor "homegated killed: ping" no lab_dev_exec sensor ping -c1 -W1 203.0.113.10
touch "$LAB_DIR/go"
wait "$flow" || lab_fail "an established flow was cut when homegated was killed"
lab_start_homegated "$conf"
matrix sensor "after kill -9 and a restart" yes yes no no no yes
lab_stop_homegated
echo "PASS: test_enforce"

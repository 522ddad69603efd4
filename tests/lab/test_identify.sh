#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Live identification (AC-36): lab devices say what real products say — DHCP hostname, vendor
# class and option 55 list, mDNS and SSDP announcements, DNS queries, a TLS ClientHello, an
# HTTP request, from MACs with the products' OUIs — and within 5 seconds homegated's registry
# shows the right vendor, model and category with the evidence; a device nothing identifies
# stays unknown; a device whose fingerprint contradicts the MUD file it claims is flagged; the
# classification survives a restart of the daemon.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
class_of() { dev "$1" "' / '.join((d['vendor'], d['model'], d['category']))"; }
is_class() { [ "$(class_of "$1")" = "$2" ]; }
say() { lab_dev_exec "$1" python3 "$LAB_SRC/announce.py" "${@:2}"; }
# expect NAME "VENDOR / MODEL / CATEGORY" SIGNAL...: within 5 s of its last announcement, with
# each named signal in the evidence
expect() {
	local name=$1 want=$2 m t0 t s
	shift 2
	m=$(lab_dev_mac "$name")
	t0=$(date +%s.%N)
	lab_wait_for 5 is_class "$m" "$want" || {
		lab_show_log homegated
		lab_fail "$name: $(class_of "$m"), wanted $want; evidence $(dev "$m" "d['evidence']")"
	}
	t=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
	for s in "$@"; do
		dev "$m" "any(e['signal'] == '$s' for e in d['evidence'])" | grep -q True ||
			lab_fail "$name: no $s in the evidence $(dev "$m" "d['evidence']")"
	done
	echo "ok: $name is $want (seen by the CLI ${t} s after its last announcement, confidence $(dev "$m" "d['confidence']"))"
}

lab_up
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
EOF
lab_start_homegated "$conf"
lab_hg status | grep -Eq '^identify +[0-9]+ rules' || lab_fail "identification is off: $(lab_hg status)"
lab_mud_publish "$HOMEGATE_SRC/tests/data/mud/camera.json" cam.json --signer lab
cam_url=$LAB_MUD_URL

# A D-Link camera: its model in the hostname, the HNAP/HTTP DNS-SD instance and the UPnP SERVER.
lab_dev_add camera --mac b0:c5:54:4c:00:01 --hostname DCS-935L --vendor "udhcp 1.22.1" \
	--options 1,3,6,12,15,28,42
ip=$(lab_dev_ip camera)
say camera mdns "$ip" DCS-935L-4C0001 _http._tcp.local "D-Link DCS-935L Configuration Utility" \
	_dhnap._tcp.local "D-Link HNAP Service"
say camera ssdp "$ip" "Linux, UPnP/1.0 DCS-935L/1.0" upnp:rootdevice
expect camera "D-Link / DCS-935L / camera" dhcp.hostname mdns.name ssdp.server

# A WeMo switch sends no hostname: the UPnP device type says what it is.
lab_dev_add wemo --mac 94:10:3e:4c:00:02 --vendor "udhcp 1.22.1" --options 1,3,6,12,15,28,42
say wemo ssdp "$(lab_dev_ip wemo)" "Unspecified, UPnP/1.0, Unspecified" urn:Belkin:device:controllee:1
expect wemo "Belkin / F7C027 / plug" ssdp.type oui

# A Hue bridge: hostname and HomeKit/Hue DNS-SD.
lab_dev_add hue --mac 00:17:88:4c:00:03 --hostname Philips-hue --vendor "udhcp 1.19.4" \
	--options 1,3,6,12,15,28,42
say hue mdns "$(lab_dev_ip hue)" Philips-hue _hue._tcp.local "Philips hue - 4C0003"
expect hue "Philips / Hue Bridge / hub" mdns.service dhcp.hostname

# A scale with a randomised MAC and no hostname: its DNS query and HTTP request tell.
lab_dev_add scale --vendor "" --options 1,3,28,6
say scale dns 192.168.50.1 scalews.withings.net
say scale http 203.0.113.20 80 /cgi-bin/session "Withings UserAgent"
expect scale "Withings / unknown / scale" dns.query http.user_agent

# A WeMo Insight seen only through the MAC's OUI and its TLS ClientHello to the WeMo cloud.
lab_dev_add insight --mac 94:10:3e:4c:00:05 --options 1,3,6,12,15,28,44
say insight tls 203.0.113.20 443 api.xbcs.net
expect insight "Belkin / unknown / unknown" tls.sni oui
[ -n "$(dev "$(lab_dev_mac insight)" "[e['value'] for e in d['evidence'] if e['signal'] == 'tls.sni'][0]")" ] ||
	lab_fail "insight: empty SNI"

# Nothing identifying: a locally administered MAC and a made-up name stay unknown.
lab_dev_add thing --hostname kitchen-thing --vendor "udhcp 1.30.1" --options 1,3,6
sleep 2
[ "$(class_of "$(lab_dev_mac thing)")" = "unknown / unknown / unknown" ] ||
	lab_fail "thing: $(class_of "$(lab_dev_mac thing)"), wanted unknown"
echo "ok: an unidentifiable device stays unknown"

# AC-36: a TP-Link plug's fingerprint claiming an Example Cams MUD file is flagged.
lab_dev_add liar --mac 50:c7:bf:4c:00:07 --hostname "HS110(EU)" --vendor "udhcp 0.9.9-pre" \
	--options 1,3,6,12,15,28 --mud "$cam_url"
ml=$(lab_dev_mac liar)
expect liar "TP-Link / HS110 / plug" dhcp.hostname
flagged() { [ -n "$(dev "$ml" "d['class_flag']")" ]; }
lab_wait_for 10 flagged || lab_fail "liar: not flagged: $(lab_hg device "$ml")"
lab_hg device "$ml" | grep -q "CONTRADICTS ITS MUD FILE" || lab_fail "liar: flag not shown"
grep -q "dev=$ml action=identity_conflict" "$LAB_DIR/homegated.log" || lab_fail "liar: not logged"
lab_hg log "$ml" | grep -q class || lab_fail "liar: no audit entry for the classification"
echo "ok: a fingerprint contradicting the claimed MUD file flags the device: $(dev "$ml" "d['class_flag']")"
# and the camera, which claims nothing, is not flagged
[ -z "$(dev "$(lab_dev_mac camera)" "d['class_flag']")" ] || lab_fail "camera flagged"

# Restart: the classification comes back from the store before any new packet.
lab_stop_homegated
lab_start_homegated "$conf"
[ "$(class_of "$(lab_dev_mac camera)")" = "D-Link / DCS-935L / camera" ] ||
	lab_fail "after restart: camera is $(class_of "$(lab_dev_mac camera)")"
[ -n "$(dev "$ml" "d['class_flag']")" ] || lab_fail "after restart: the flag is gone"
lab_hg device "$(lab_dev_mac camera)" | grep -q "identified  D-Link DCS-935L, camera" ||
	lab_fail "homegate device does not show the identification"
echo "ok: classifications and flags survive a restart"

# The ISP's or the user's own database, loaded after the shipped one: a product of its own.
cat >"$LAB_DIR/local.fpdb" <<-EOF
	homegate-fpdb 1
	vendor "Acme Telecom"
		domain acme.example.test
	device "Acme Telecom" "AX-1" sensor
		rule dhcp.hostname is acme-ax1 0.9
EOF
cp "$conf" "$LAB_DIR/local.conf"
printf '[identify]\nlocal_database = %s\n' "$LAB_DIR/local.fpdb" >>"$LAB_DIR/local.conf"
lab_stop_homegated
lab_start_homegated "$LAB_DIR/local.conf"
lab_dev_add acme --hostname acme-ax1 --vendor "udhcp 1.36.1" --options 1,3,6,12,15,28,42
expect acme "Acme Telecom / AX-1 / sensor" dhcp.hostname
# A broken one is refused with its line and changes nothing: the shipped rules go on.
printf 'homegate-fpdb 1\nvendor "Acme Telecom"\n\trule dhcp.hostname is acme-ax2\n' >"$LAB_DIR/local.fpdb"
lab_stop_homegated
lab_start_homegated "$LAB_DIR/local.conf"
lab_hg status | grep -q "local database was refused" || lab_fail "a broken local database went unnoticed: $(lab_hg status)"
grep -q "identify=local_database error=.*local.fpdb:3" "$LAB_DIR/homegated.log" ||
	lab_fail "the refusal does not name the file and line"
lab_dev_add plug2 --mac 50:c7:bf:4c:00:09 --hostname "HS100(EU)" --vendor "udhcp 0.9.9-pre" \
	--options 1,3,6,12,15,28
expect plug2 "TP-Link / HS100 / plug" dhcp.hostname
echo "ok: a local database adds products; a broken one is refused and changes nothing"
echo "test_identify: ok"

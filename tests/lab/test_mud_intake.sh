#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MUD URLs from every LAN source reach the MUD manager with their source recorded (AC-07 ...
# AC-10): LLDP (TLV 127 / 00-00-5E / 1) and DHCPv6 option 112 seen by homegated's packet socket,
# DHCPv4 option 161 through dnsmasq; one client announcing different URLs over DHCPv4 and
# DHCPv6 gets both refused (AC-08); an http:// URL over LLDP is refused (AC-09).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
known() { lab_hg --json device "$1" >/dev/null 2>&1; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }
send() { lab_dev_exec "$1" python3 "$LAB_SRC/sendframe.py" "$2" eth0 "$3"; }

lab_up
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
	retry_min_s = 1
	retry_max_s = 2
EOF
lab_start_homegated "$conf"
grep -q "parent=capture" "$LAB_DIR/homegated.log" && lab_fail "the packet socket did not open"
data=$HOMEGATE_SRC/tests/data/mud
lab_mud_publish "$data/camera.json" lldp.json --signer lab
lldp_url=$LAB_MUD_URL
lab_mud_publish "$data/camera.json" v6.json --signer lab
v6_url=$LAB_MUD_URL

# --- LLDP (AC-10): a wired device with no DHCP client at all
lab_dev_add sensor --no-dhcp
m=$(lab_dev_mac sensor)
send sensor lldp "$lldp_url"
lab_wait_for 5 known "$m" || { lab_show_log homegated; lab_fail "LLDP device not registered"; }
lab_wait_for 10 status_is "$m" ok || lab_fail "LLDP device: $(dev "$m" "d['mud_status'], d['mud_reason']")"
[ "$(dev "$m" "d['mud_source']")" = lldp ] || lab_fail "LLDP device: source $(dev "$m" "d['mud_source']")"
[ "$(dev "$m" "d['mud_url']")" = "$lldp_url" ] || lab_fail "LLDP device: URL"
echo "ok: LLDP MUD URL -> $(dev "$m" "d['mud_status']") from $(dev "$m" "d['mud_source']")"

# --- DHCPv6 option 112 (AC-08 first half)
lab_dev_add v6dev --no-dhcp
m6=$(lab_dev_mac v6dev)
send v6dev dhcp6 "$v6_url"
lab_wait_for 5 known "$m6" || lab_fail "DHCPv6 device not registered"
lab_wait_for 10 status_is "$m6" ok || lab_fail "DHCPv6 device: $(dev "$m6" "d['mud_status'], d['mud_reason']")"
[ "$(dev "$m6" "d['mud_source']")" = dhcpv6 ] || lab_fail "DHCPv6 device: source $(dev "$m6" "d['mud_source']")"
echo "ok: DHCPv6 option 112 -> ok from dhcpv6"

# --- different URLs over DHCPv4 and DHCPv6: both refused, exception raised (AC-08)
lab_dev_add twofaced --mud "$lldp_url"
mt=$(lab_dev_mac twofaced)
lab_wait_for 10 status_is "$mt" ok || lab_fail "twofaced: v4 URL not processed"
send twofaced dhcp6 "$v6_url"
lab_wait_for 5 status_is "$mt" conflict ||
	lab_fail "twofaced: $(dev "$mt" "d['mud_status'], d['mud_reason']"), wanted conflict"
[ -z "$(dev "$mt" "d['mud_hash']")" ] || lab_fail "twofaced keeps a MUD policy"
grep -q "dev=$mt mud=conflict exception=" "$LAB_DIR/homegated.log" || lab_fail "no exception logged"
echo "ok: conflict: $(dev "$mt" "d['mud_reason']")"

# --- a URL with a query over DHCPv4: dnsmasq cuts option 161 at "=", the sensor sees it whole
q_url="https://mud.example.test/q.json?v=2"
lab_mud_publish "$data/camera.json" q.json --signer lab --mud-url "$q_url"
lab_dev_add query --mud "$q_url"
mq=$(lab_dev_mac query)
lab_wait_for 10 status_is "$mq" ok || lab_fail "query URL: $(dev "$mq" "d['mud_status'], d['mud_reason']")"
lab_dev_renew query
sleep 1
[ "$(dev "$mq" "d['mud_url']")" = "$q_url" ] || lab_fail "query URL became $(dev "$mq" "d['mud_url']")"
[ "$(lab_hg --json log "$mq" | grep -c '"action": *"mud_url"')" = 1 ] || lab_fail "query URL: MUD URL changed more than once"
echo "ok: query URL kept whole"

# --- an http:// URL over LLDP is refused (AC-09)
lab_dev_add insecure --no-dhcp
mi=$(lab_dev_mac insecure)
send insecure lldp "http://mud.example.test/lldp.json"
sleep 1
if known "$mi"; then
	[ -z "$(dev "$mi" "d['mud_url']")" ] || lab_fail "an http:// LLDP URL was taken"
fi
echo "ok: http:// over LLDP refused"

# --- RFC 9238 QR codes (AC-11, AC-12): with M06C the code names its device; without, the
# user must bind it to one, and nothing is taken until then
qr() { # qr FILE URL [MAC]: writes an SQRL payload
	python3 -c 'import sys; u=sys.argv[2].split("://",1)[1]; m="\x1fM06C"+sys.argv[3] if len(sys.argv)>3 else ""
open(sys.argv[1],"wb").write(("[)>\x1e06\x1d12NB000Example Cams\x1fM180"+u+"?serial=1"+m+"\x1f\x1e\x04").encode())' "$@"
}
qr "$LAB_DIR/qr-mac" "$lldp_url" 52:54:00:42:00:01
lab_hg mud qr "$LAB_DIR/qr-mac" >/dev/null || lab_fail "a QR code with a MAC was refused"
lab_wait_for 10 status_is 52:54:00:42:00:01 ok || lab_fail "QR device: $(dev 52:54:00:42:00:01 "d['mud_status'], d['mud_reason']")"
[ "$(dev 52:54:00:42:00:01 "d['mud_source']")" = qr ] || lab_fail "QR device: source"
[ "$(dev 52:54:00:42:00:01 "d['mud_url']")" = "$lldp_url" ] || lab_fail "QR: the query was not stripped"
qr "$LAB_DIR/qr-nomac" "$v6_url"
set +e
out=$(lab_hg mud qr "$LAB_DIR/qr-nomac" 2>&1)
rc=$?
set -e
[ "$rc" = 1 ] && grep -q "carries no MAC address" <<<"$out" || lab_fail "unbound QR: exit $rc: $out"
known 52:54:00:42:00:02 && lab_fail "an unbound QR code created a device"
lab_hg mud qr "$LAB_DIR/qr-nomac" --mac 52:54:00:42:00:02 >/dev/null || lab_fail "binding a QR code failed"
lab_wait_for 10 status_is 52:54:00:42:00:02 ok || lab_fail "bound QR device: $(dev 52:54:00:42:00:02 "d['mud_status']")"
printf 'not a code' >"$LAB_DIR/qr-bad"
out=$(lab_hg mud qr "$LAB_DIR/qr-bad" --mac 52:54:00:42:00:03 2>&1) && lab_fail "a bad QR payload was taken"
grep -q "not a MUD QR payload" <<<"$out" || lab_fail "a bad QR payload was not refused clearly: $out"
echo "ok: QR codes"

lab_stop_homegated
echo "PASS: test_mud_intake"

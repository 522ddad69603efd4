#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Onboarding through homegated's own DPP Controller with wpa_supplicant 2.10 Enrollees in lab
# devices (DPP over TCP to the gateway's LAN address; no radio):
#   - a device whose code the user added (`homegate dpp add`, with M:, and with the label's RFC
#     9238 MUD code when their MACs agree) authenticates mutually
#     and gets a Connector at once; its mudurl reaches the MUD manager with source dpp and its
#     signed file is fetched (AC-04); the device record carries the MAC from the code;
#   - a device nobody scanned is held (approve-before-credentials): `homegate dpp list` shows it
#     waiting, `homegate dpp approve` sends the credentials; `dpp deny` refuses; an unanswered
#     request is refused after [dpp] hold_timeout_s; every decision is in the audit log;
#   - after a restart the gateway's keys are the same: a Connector issued before still verifies
#     against the C-sign key it hands out after (AC-02).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
for p in wpa_supplicant wpa_cli; do
	command -v $p >/dev/null || { echo "skip: $p not installed (make deps)"; exit 77; }
done

lab_up
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
	[dpp]
	listen = 192.168.50.1:8908
	ssid = HomeNet
	hold_timeout_s = 5
EOF
lab_start_homegated "$conf"
lab_mud_publish "$HOMEGATE_SRC/tests/data/mud/camera.json" plug.json --signer lab
mud_url=$LAB_MUD_URL
gw_uri=$(lab_hg --json dpp list | python3 -c 'import json,sys; print(json.load(sys.stdin)["uri"])')
[[ "$gw_uri" == DPP:*K:* ]] || lab_fail "no gateway URI: $gw_uri"
[ "$(lab_hg --json dpp list | python3 -c 'import json,sys; print(json.load(sys.stdin)["controller"])')" = 192.168.50.1:8908 ] ||
	lab_fail "controller not listening"

# wpas NAME [mudurl]: a wpa_supplicant Enrollee in device NAME's namespace
wpas() {
	local n=$1 d=$LAB_DIR/wpas-$1
	mkdir -p "$d"
	{
		printf 'ctrl_interface=%s/ctrl\nupdate_config=0\ndpp_config_processing=1\n' "$d"
		[ -n "${2:-}" ] && printf 'dpp_mud_url=%s\n' "$2"
	} >"$d/conf"
	lab_spawn "$(lab_dev_ns "$n")" "wpas-$n" wpa_supplicant -dd -t -D none -i lo -c "$d/conf"
	lab_wait_for 5 test -S "$d/ctrl/lo" || { lab_show_log "wpas-$n"; lab_fail "wpa_supplicant $n"; }
}
W() { local n=$1; shift; wpa_cli -p "$LAB_DIR/wpas-$n/ctrl" -i lo raw "$@"; }
ev() { grep -E ": $2" "$LAB_DIR/wpas-$1.log" | head -1 | sed 's/^.*: DPP-/DPP-/'; }
has_ev() { grep -qE ": $2" "$LAB_DIR/wpas-$1.log"; }
init() { # NAME [own-bootstrap-id]
	local p own=""
	p=$(W "$1" DPP_QR_CODE "$gw_uri")
	[ -n "${2:-}" ] && own=" own=$2"
	[ "$(W "$1" DPP_AUTH_INIT peer=$p$own role=enrollee tcp_addr=192.168.50.1 tcp_port=8908 neg_freq=2412)" = OK ] ||
		lab_fail "$1: DPP_AUTH_INIT refused"
}
enrollee() { # FIELD: of the newest enrollee
	lab_hg --json dpp list | python3 -c "import json,sys; e=json.load(sys.stdin)['enrollees']; print(e[0]['$1'] if e else '')"
}
audit_has() { lab_hg --json log -n 200 | python3 -c "import json,sys; sys.exit(not any(a['action']=='$1' for a in json.load(sys.stdin)))"; }

state_count() { # STATE: how many enrollees are in it
	lab_hg --json dpp list | python3 -c "import json,sys; print(sum(e['state']=='$1' for e in json.load(sys.stdin)['enrollees']))"
}
waiting() { lab_hg --json dpp list | python3 -c "import json,sys; sys.exit(not any(e['waiting'] for e in json.load(sys.stdin)['enrollees']))"; }

# --- 1: the user scanned the device's code: mutual authentication, credentials at once
lab_dev_add sensor
mac=$(lab_dev_mac sensor)
wpas sensor
own=$(W sensor DPP_BOOTSTRAP_GEN type=qrcode mac="${mac//:/}")
code=$(W sensor DPP_BOOTSTRAP_GET_URI "$own")
[[ "$code" == *"M:${mac//:/}"* ]] || lab_fail "wpa_supplicant's code has no M: ($code)"
lab_hg dpp add "$code" >/dev/null || lab_fail "dpp add refused the code"
lab_hg dpp add "$code" >/dev/null 2>&1 && lab_fail "the same code added twice"
lab_hg dpp add "DPP:K:notbase64;;" >/dev/null 2>&1 && lab_fail "a broken code was accepted"
lab_hg --json device "$mac" >/dev/null || lab_fail "no device record from the code's MAC"
init sensor "$own"
lab_wait_for 10 has_ev sensor "DPP-NETWORK-ID" ||
	{ lab_show_log homegated; lab_fail "sensor not provisioned: $(grep -E ': DPP-' "$LAB_DIR/wpas-sensor.log" | tail -3)"; }
has_ev sensor "DPP-AUTH-DIRECTION mutual=1" || lab_fail "sensor: authentication was not mutual"
has_ev sensor "DPP-CONNECTOR" || lab_fail "sensor: no Connector"
[ "$(ev sensor 'DPP-CONFOBJ-SSID')" = "DPP-CONFOBJ-SSID HomeNet" ] || lab_fail "sensor: $(ev sensor 'DPP-CONFOBJ-SSID')"
provisioned_is() { [ "$(state_count provisioned)" = "$1" ]; }
lab_wait_for 5 provisioned_is 1 ||
	lab_fail "sensor not recorded as provisioned: $(lab_hg dpp list)"
connector1=$(ev sensor DPP-CONNECTOR | cut -d' ' -f2)
csign1=$(ev sensor DPP-C-SIGN-KEY | cut -d' ' -f2)
echo "ok: scanned code -> mutual authentication, Connector for HomeNet"
# the device record links the key hash, the MAC and the time (AC-03)
pkhash=$(W sensor DPP_BOOTSTRAP_INFO "$own" | sed -n 's/^pkhash=//p')
dpp_of() { lab_hg --json device "$1" | python3 -c "import json,sys; print(json.load(sys.stdin).get('dpp',{}).get('$2',''))"; }
[ -n "$pkhash" ] && [ "$(dpp_of "$mac" boot_hash)" = "$pkhash" ] || lab_fail "device record: key hash $(dpp_of "$mac" boot_hash), wpa_supplicant's $pkhash"
[ "$(dpp_of "$mac" state)" = provisioned ] && [ "$(dpp_of "$mac" updated)" -gt 0 ] || lab_fail "device record: dpp $(dpp_of "$mac" state)"
lab_hg device "$mac" | grep -q '^dpp         provisioned' || lab_fail "homegate device shows no dpp line"
echo "ok: the device record links key hash, MAC and time"
audit_has dpp_scanned && audit_has dpp_provisioned || lab_fail "decisions not audited"

# --- 1b: the Enrollee's mudurl (wpa_supplicant 2.10 sends none over TCP, so our own Enrollee):
# the MUD manager gets it with source dpp, for the MAC of the code the user scanned
lab_dev_add plug
mac=$(lab_dev_mac plug)
lab_spawn "$(lab_dev_ns plug)" enrollee-plug "$HOMEGATE_BUILD/homegate-dpp-peer" enrollee \
	--connect 192.168.50.1:8908 --peer-uri "$gw_uri" --mac "$mac" --mudurl "$mud_url" --delay 1500
lab_wait_for 5 grep -q '^uri ' "$LAB_DIR/enrollee-plug.log" || lab_fail "our enrollee did not start"
lab_hg dpp add "$(sed -n 's/^uri //p' "$LAB_DIR/enrollee-plug.log")" >/dev/null || lab_fail "plug: dpp add"
lab_wait_for 10 grep -q '^cred akm=1 ssid=HomeNet .*connector=yes mutual=1' "$LAB_DIR/enrollee-plug.log" ||
	{ lab_show_log enrollee-plug; lab_fail "plug not provisioned"; }
dev() { lab_hg --json device "$mac" | python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
mud_ok() { [ "$(dev "d['mud_status']")" = ok ]; }
lab_wait_for 10 mud_ok ||
	lab_fail "plug: MUD not applied: $(dev "d['mud_url'], d['mud_source'], d['mud_status'], d['mud_reason']")"
[ "$(dev "d['mud_url']")" = "$mud_url" ] || lab_fail "plug: MUD URL $(dev "d['mud_url']")"
[ "$(dev "d['mud_source']")" = dpp ] || lab_fail "plug: MUD source $(dev "d['mud_source']")"
echo "ok: the Enrollee's mudurl -> MUD manager, source dpp, file fetched and verified"

# --- 1c: a label with two codes, DPP and RFC 9238 MUD: bound when their MACs agree
qr() { # qr FILE URL [MAC]: an RFC 9238 payload
	python3 -c 'import sys; u=sys.argv[2].split("://",1)[1]; m="\x1fM06C"+sys.argv[3].replace(":","") if len(sys.argv)>3 else ""
open(sys.argv[1],"wb").write(("[)>\x1e06\x1d12NB000Example Cams\x1fM180"+u+m+"\x1f\x1e\x04").encode())' "$@"
}
# (its Enrollee speaks from the gateway's own namespace, as a hostapd relay on the gateway
# would: the device itself is not on the LAN yet, and its MUD policy would not let it reach the
# Controller once it is)
lmac=02:00:00:4c:41:4d
lab_spawn "$LAB_GW" enrollee-lamp "$HOMEGATE_BUILD/homegate-dpp-peer" enrollee \
	--connect 192.168.50.1:8908 --peer-uri "$gw_uri" --mac "$lmac" --delay 4000
lab_wait_for 5 grep -q '^uri ' "$LAB_DIR/enrollee-lamp.log" || lab_fail "lamp enrollee did not start"
lamp_code=$(sed -n 's/^uri //p' "$LAB_DIR/enrollee-lamp.log")
qr "$LAB_DIR/qr-other" "$mud_url" 02:00:00:00:99:99
out=$(lab_hg dpp add "$lamp_code" --mud "$LAB_DIR/qr-other" 2>&1) && lab_fail "codes naming two MACs were taken"
grep -q "not one device" <<<"$out" || lab_fail "mismatch reason: $out"
qr "$LAB_DIR/qr-lamp" "$mud_url" "$lmac"
lab_hg dpp add "$lamp_code" --mud "$LAB_DIR/qr-lamp" >/dev/null || lab_fail "lamp: dpp add --mud"
lab_wait_for 10 grep -q "^cred akm=1 .*mutual=1" "$LAB_DIR/enrollee-lamp.log" || { lab_show_log enrollee-lamp; lab_fail "lamp not provisioned"; }
[ "$(lab_hg --json device "$lmac" | python3 -c "import json,sys; print(json.load(sys.stdin)['mud_url'])")" = "$mud_url" ] ||
	lab_fail "lamp: the MUD code was not bound to the DPP code's device"
echo "ok: a label's DPP and MUD codes bound to one device by their MAC; two MACs refused"

# --- 1d: the code names the device's own Controller (H:): the gateway's Configurator connects
lab_dev_add hub
hmac=$(lab_dev_mac hub)
wpas hub
hb=$(W hub DPP_BOOTSTRAP_GEN type=qrcode mac="${hmac//:/}")
[ "$(W hub DPP_CONTROLLER_START role=enrollee tcp_port=8908)" = OK ] || lab_fail "hub: controller"
hub_code=$(W hub DPP_BOOTSTRAP_GET_URI "$hb")
hub_code="DPP:H:$(lab_dev_ip hub);${hub_code#DPP:}" # H: as a device's label would carry it
lab_hg dpp add "$hub_code" >/dev/null || lab_fail "hub: dpp add"
lab_wait_for 10 has_ev hub "DPP-NETWORK-ID" ||
	{ lab_show_log homegated; lab_fail "hub not provisioned: $(grep -E ': DPP-' "$LAB_DIR/wpas-hub.log" | tail -3)"; }
has_ev hub "DPP-CONNECTOR" || lab_fail "hub: no Connector"
echo "ok: a code with H: -> the gateway's Configurator initiates to the device's Controller"

# --- 2: nobody scanned it: held until the user answers
lab_dev_add cam
wpas cam
init cam
lab_wait_for 5 waiting ||
	{ lab_show_log homegated; lab_fail "cam: no request waiting"; }
has_ev cam "DPP-CONF-RECEIVED" && lab_fail "cam: credentials before approval"
lab_hg dpp list | grep -q '\*' || lab_fail "dpp list does not mark the waiting request"
id=$(enrollee id)
sleep 1
has_ev cam "DPP-CONF-RECEIVED" && lab_fail "cam: credentials before approval"
lab_hg dpp approve "$id" --why "my camera" >/dev/null || lab_fail "approve refused"
lab_wait_for 5 has_ev cam "DPP-CONNECTOR" || lab_fail "cam: no Connector after approval"
lab_hg dpp approve "$id" >/dev/null 2>&1 && lab_fail "approved twice"
echo "ok: unknown device held, credentials only after homegate dpp approve"
audit_has dpp_approve || lab_fail "approval not audited"

# --- 3: denied, and 4: not answered in time
lab_dev_add intruder
wpas intruder
init intruder
lab_wait_for 5 waiting ||
	lab_fail "intruder: no request waiting"
lab_hg dpp deny "$(enrollee id)" --why "not mine" >/dev/null || lab_fail "deny refused"
lab_wait_for 5 has_ev intruder "DPP-FAIL|DPP-CONF-FAILED" || lab_fail "intruder: no failure reported"
has_ev intruder "DPP-CONF-RECEIVED" && lab_fail "intruder got credentials"
[ "$(enrollee state)" = refused ] || lab_fail "intruder: state $(enrollee state)"
echo "ok: denied: $(ev intruder 'DPP-FAIL|DPP-CONF-FAILED')"
W intruder DPP_AUTH_INIT peer=1 role=enrollee tcp_addr=192.168.50.1 tcp_port=8908 neg_freq=2412 >/dev/null
lab_wait_for 5 waiting ||
	lab_fail "intruder (2nd): no request waiting"
timed_out() { lab_hg --json dpp list | python3 -c "import json,sys; e=json.load(sys.stdin)['enrollees'][0]; sys.exit(e['state']!='refused' or 'in time' not in e['why'])"; }
lab_wait_for 12 timed_out ||
	lab_fail "unanswered request not refused: $(lab_hg dpp list)"
[ "$(grep -c ': DPP-CONF-RECEIVED' "$LAB_DIR/wpas-intruder.log")" = 0 ] || lab_fail "intruder got credentials"
echo "ok: unanswered request refused after hold_timeout_s"

# --- 5: restart: same keys, earlier Connectors still verify against the C-sign key
lab_stop_homegated
lab_start_homegated "$conf"
[ "$(lab_hg --json dpp list | python3 -c 'import json,sys; print(json.load(sys.stdin)["uri"])')" = "$gw_uri" ] ||
	lab_fail "the gateway's code changed across a restart"
lab_dev_add plug2
mac2=$(lab_dev_mac plug2)
wpas plug2
own2=$(W plug2 DPP_BOOTSTRAP_GEN type=qrcode mac="${mac2//:/}")
lab_hg dpp add "$(W plug2 DPP_BOOTSTRAP_GET_URI "$own2")" >/dev/null
init plug2 "$own2"
lab_wait_for 10 has_ev plug2 "DPP-CONNECTOR" || { lab_show_log homegated; lab_fail "plug2 not provisioned"; }
[ "$(ev plug2 DPP-C-SIGN-KEY | cut -d' ' -f2)" = "$csign1" ] || lab_fail "C-sign key changed across a restart"
[ -n "$connector1" ] || lab_fail "no Connector from before the restart"
# The Connector's JWS (ES256, raw r||s) checked with openssl against the C-sign key wpa_supplicant
# received after the restart.
verify_connector() { # CONNECTOR CSIGN-DER-HEX
	python3 - "$1" "$2" "$LAB_DIR" <<-'PY'
		import base64, subprocess, sys
		con, key, d = sys.argv[1], bytes.fromhex(sys.argv[2]), sys.argv[3]
		h, p, s = con.split(".")
		b = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
		sig = b(s)
		def der_int(v):
		    v = v.lstrip(b"\0")
		    if not v or v[0] & 0x80:
		        v = b"\0" + v
		    return b"\x02" + bytes([len(v)]) + v
		body = der_int(sig[:32]) + der_int(sig[32:])
		open(d + "/sig.der", "wb").write(b"\x30" + bytes([len(body)]) + body)
		open(d + "/csign.der", "wb").write(key)
		open(d + "/signed.txt", "wb").write((h + "." + p).encode())
		subprocess.run(["openssl", "pkey", "-pubin", "-inform", "DER", "-in", d + "/csign.der",
		                "-out", d + "/csign.pem"], check=True)
		r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", d + "/csign.pem",
		                    "-signature", d + "/sig.der", d + "/signed.txt"], capture_output=True)
		sys.exit(0 if b"Verified OK" in r.stdout else 1)
	PY
}
verify_connector "$connector1" "$(ev plug2 DPP-C-SIGN-KEY | cut -d' ' -f2)" ||
	lab_fail "the Connector from before the restart does not verify"
sig=${connector1##*.}
c=A
[ "${sig:0:1}" = A ] && c=B
bad=${connector1%.*}.$c${sig:1} # the first character of the signature encodes 6 bits of r
verify_connector "$bad" "$csign1" 2>/dev/null && lab_fail "a changed Connector verified (the check cannot fail?)"
echo "ok: after a restart the same C-sign key signs; the first device's Connector verifies against it"
lab_hg --json device "$mac2" >/dev/null || lab_fail "plug2: no device record from its code's MAC"
echo "ok: onboarding through homegated"

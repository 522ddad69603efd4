#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Our DPP Configuration Objects as the real peers take them (hostapd and wpa_supplicant 2.10,
# no radio: hostapd driver=none, wpa_supplicant -D none -i lo, in a private network namespace
# that the script removes again; about 2 s):
#   - hostapd's Configurator, with "SET dpp_config_obj_override <our object>", initiates DPP
#     over TCP to wpa_supplicant (Enrollee Controller) and sends our psk (passphrase and
#     psk_hex), sae (a UTF-8 SSID, sent as ssid64) and psk+sae objects: DPP-CONFOBJ-AKM/SSID/
#     PASS (PSK for psk_hex) and DPP-NETWORK-ID with the right key_mgmt must follow.
#   - our dpp objects (C-sign key on P-256 and P-384) go through hostapd's own parser, which is
#     the one wpa_supplicant runs (hostap src/common/dpp.c): DPP_CONFIGURATOR_SIGN makes hostapd
#     configure itself with the object that dpp_config_obj_override replaces by ours. It checks
#     our Connector's signature against the C-sign key in the object and must report both
#     (DPP-CONNECTOR, DPP-C-SIGN-KEY); a changed signature must be refused. A Connector is over
#     the Enrollee's protocol key, which no one knows before the exchange, so the netAccessKey
#     comparison is skipped there (dpp_ignore_netaccesskey_mismatch, a testing option of
#     hostapd that wpa_supplicant lacks: wpa_supplicant cannot take a dpp object made ahead).
# KEEPLOG=1 keeps the daemons' logs in /tmp/hgconf-keep.
set -uo pipefail

HOMEGATE_SRC=${HOMEGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HOMEGATE_BUILD=${HOMEGATE_BUILD:-$HOMEGATE_SRC/build}
EMIT=$HOMEGATE_BUILD/test_dpp_conf

for tool in hostapd hostapd_cli wpa_supplicant wpa_cli openssl ip; do
	command -v "$tool" >/dev/null || { echo "skip: $tool is not installed" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "skip: needs root (network namespace, PF_PACKET on lo)" >&2; exit 77; }
[ -x "$EMIT" ] || { echo "FAIL: $EMIT is not built" >&2; exit 1; }

NS=hgconf$$
T=$(mktemp -d)
PIDS=()
RC=0
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "$RC" != 0 ]; then
		grep -hE ": DPP-|DPP: .*([Ff]ail|mismatch|[Ii]nvalid|[Uu]nsupported)" "$T"/*/log |
			tail -n 20 >&2
	fi
	if [ "${KEEPLOG:-0}" = 1 ]; then rm -rf /tmp/hgconf-keep; cp -r "$T" /tmp/hgconf-keep; fi
	rm -rf "$T"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; RC=1; exit 1; }

ip netns add "$NS" 2>/dev/null || { echo "skip: cannot create network namespaces" >&2; exit 77; }
ip -n "$NS" link set lo up

hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
wait_sock() { for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done; fail "no $1"; }
wait_ev() { # dir regex
	for _ in $(seq 50); do
		grep -qE ": $2" "$1/log" && return 0
		sleep 0.1
	done
	fail "$(basename "$1"): no $2"
}

hapd() { # name
	local d=$T/$1
	mkdir -p "$d"
	printf 'interface=dpp-%s\ndriver=none\nctrl_interface=%s/ctrl\nssid=unconfigured\n' \
		"$1" "$d" >"$d/hostapd.conf"
	ip netns exec "$NS" hostapd -dd -t "$d/hostapd.conf" >"$d/log" 2>&1 &
	PIDS+=($!)
	wait_sock "$d/ctrl/dpp-$1"
}
wpas() { # name
	local d=$T/$1
	mkdir -p "$d"
	printf 'ctrl_interface=%s/ctrl\nupdate_config=0\ndpp_config_processing=1\n' "$d" >"$d/wpas.conf"
	ip netns exec "$NS" wpa_supplicant -dd -t -D none -i lo -c "$d/wpas.conf" >"$d/log" 2>&1 &
	PIDS+=($!)
	wait_sock "$d/ctrl/lo"
}
H() { local n=$1; shift; hostapd_cli -p "$T/$n/ctrl" -i "dpp-$n" raw "$@"; }
W() { local n=$1; shift; wpa_cli -p "$T/$n/ctrl" -i lo raw "$@"; }
stop() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; PIDS=(); }

# Configurator $1 (hostapd) sends object $2 to the Enrollee Controller whose URI is $3 at port $4.
send_obj() {
	local c p
	c=$(H "$1" DPP_CONFIGURATOR_ADD)
	[ "$(H "$1" SET dpp_config_obj_override "$2")" = OK ] || fail "dpp_config_obj_override"
	p=$(H "$1" DPP_QR_CODE "$3")
	[ "$(H "$1" DPP_AUTH_INIT peer="$p" role=configurator conf=sta-dpp configurator="$c" \
		tcp_addr=127.0.0.1 tcp_port="$4" neg_freq=2412)" = OK ] || fail "DPP_AUTH_INIT"
}

port=18910
PSK_HEX=5a1e0c6c2b9a8d7e6f5041322314f5e6d7c8b9aa0b1c2d3e4f5061728394a5b6
for akm in psk psk_hex sae psk+sae; do
	pass="hg-$akm-secret-42"
	[ $akm = psk_hex ] && pass=$PSK_HEX
	# a UTF-8 SSID goes as "ssid64"; wpa_supplicant shows it in hex
	ssid="Home Net" want_ssid='"Home Net"'
	[ $akm = sae ] && ssid="Café" want_ssid=$(hex "Café")
	obj=$("$EMIT" emit "${akm%_hex}" "$ssid" "$pass" sta) || fail "emit $akm"
	rm -rf "$T/cfg" "$T/enr"
	wpas enr
	hapd cfg
	b=$(W enr DPP_BOOTSTRAP_GEN type=qrcode)
	uri=$(W enr DPP_BOOTSTRAP_GET_URI "$b")
	[ "$(W enr DPP_CONTROLLER_START role=enrollee tcp_port=$port)" = OK ] || fail "controller"
	send_obj cfg "$obj" "$uri" $port
	wait_ev "$T/enr" "DPP-CONF-RECEIVED"
	a=${akm%_hex}
	wait_ev "$T/enr" "DPP-CONFOBJ-AKM ${a//+/\\+}$"
	wait_ev "$T/enr" "DPP-CONFOBJ-SSID ${ssid:0:3}"
	if [ $akm = psk_hex ]; then
		wait_ev "$T/enr" "DPP-CONFOBJ-PSK $PSK_HEX"
	else
		wait_ev "$T/enr" "DPP-CONFOBJ-PASS $(hex "$pass")"
	fi
	wait_ev "$T/enr" "DPP-NETWORK-ID 0"
	km=$(W enr GET_NETWORK 0 key_mgmt)
	got_ssid=$(W enr GET_NETWORK 0 ssid)
	case $akm in
	psk | psk_hex) want=WPA-PSK ;;
	sae) want=SAE ;;
	psk+sae) want="WPA-PSK.*SAE|SAE.*WPA-PSK" ;;
	esac
	echo "$km" | grep -Eq "$want" || fail "$akm: key_mgmt $km"
	[ "$got_ssid" = "$want_ssid" ] || fail "$akm: ssid $got_ssid, not $want_ssid"
	grep -qE ": DPP-CONNECTOR" "$T/enr/log" && fail "$akm: a Connector where we sent none"
	echo "ok: wpa_supplicant took our $akm object (ssid=$got_ssid key_mgmt=$km)"
	stop
	port=$((port + 1))
done

# dpp objects, parsed by hostapd's own dpp_parse_conf_obj (the code wpa_supplicant runs too):
# "DPP_CONFIGURATOR_SIGN" makes hostapd configure itself with the object it would send, which
# dpp_config_obj_override replaces by ours; the signature is checked against the C-sign key in
# the object, then the netAccessKey comparison is skipped. A changed signature must be refused.
self_conf() { # name object
	hapd "$1"
	H "$1" DPP_CONFIGURATOR_ADD >/dev/null
	[ "$(H "$1" SET dpp_config_obj_override "$2")" = OK ] || fail "dpp_config_obj_override"
	[ "$(H "$1" SET dpp_ignore_netaccesskey_mismatch 1)" = OK ] || fail "ignore_mismatch"
	H "$1" DPP_CONFIGURATOR_SIGN " conf=ap-dpp configurator=1" >/dev/null
}
openssl ecparam -name prime256v1 -genkey -noout -out "$T/nak.pem" 2>/dev/null
for curve in 256 384; do
	openssl ecparam -name $([ $curve = 256 ] && echo prime256v1 || echo secp384r1) -genkey -noout -out "$T/csign.pem" 2>/dev/null
	obj=$("$EMIT" emit dpp HomeNet - ap "$T/csign.pem" "$T/nak.pem") || fail "emit dpp"
	self_conf "s$curve" "$obj"
	wait_ev "$T/s$curve" "DPP-CONFOBJ-AKM dpp"
	wait_ev "$T/s$curve" "DPP-CONFOBJ-SSID HomeNet"
	con=$(echo "$obj" | sed 's/.*"signedConnector":"\([^"]*\)".*/\1/')
	wait_ev "$T/s$curve" "DPP-CONNECTOR $con"
	csign=$(openssl ec -in "$T/csign.pem" -pubout -outform DER -conv_form compressed 2>/dev/null |
		od -An -tx1 | tr -d ' \n')
	wait_ev "$T/s$curve" "DPP-C-SIGN-KEY $csign"
	echo "ok: hostapd took our dpp object, C-sign key on P-$curve"
	stop
done
# the last object with one signature character changed (the first: its bits all count)
sig=${con##*.}
case ${sig:0:1} in A) c=B ;; *) c=A ;; esac
bad=${obj/$sig/$c${sig:1}}
[ "$bad" != "$obj" ] || fail "could not change the signature"
self_conf sbad "$bad"
wait_ev "$T/sbad" "DPP: signedConnector signature check failed"
grep -qE ": DPP-CONNECTOR" "$T/sbad/log" && fail "hostapd took a Connector with a changed signature"
echo "ok: hostapd refused the changed signature"

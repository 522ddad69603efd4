#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DPP (Wi-Fi Easy Connect R2) over TCP between our code and the real, independent peers
# hostapd 2.10 and wpa_supplicant 2.10, in a private network namespace (no radio: hostapd
# driver=none, wpa_supplicant -D none on the namespace's lo), every role:
#   - wpa_supplicant Enrollee initiates to our Controller: dpp (Connector), psk, sae; mutual
#     authentication; a request held for the user (GAS comeback) then granted, or refused;
#   - hostapd Enrollee (netRole ap) initiates to our Controller; R1 and R2;
#   - our Configurator initiates to wpa_supplicant's (P-256, P-384, P-521) and hostapd's Enrollee
#     Controllers;
#   - our Enrollee against hostapd's Controller (initiating) and hostapd's initiating Configurator;
#   - faults: hostapd's dpp_test fault injection, wrong keys, garbage, truncated, oversized and
#     stalled connections, each a failure with a reason and no credential.
set -u
B=${HOMEGATE_BUILD:-$(cd "$(dirname "$0")/../.." && pwd)/build}
PEER=$B/homegate-dpp-peer
[ "$(id -u)" = 0 ] || { echo "skip: needs root for a network namespace"; exit 77; }
for p in hostapd hostapd_cli wpa_supplicant wpa_cli python3; do
	command -v $p >/dev/null || { echo "skip: $p not installed (make deps)"; exit 77; }
done
[ -x "$PEER" ] || { echo "FAIL: $PEER not built"; exit 1; }

NSN=hgdpp$$
D=$(mktemp -d /tmp/homegate-dpp.XXXXXX)
NS="ip netns exec $NSN"
PIDS=()
FAILS=0
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NSN" 2>/dev/null
	[ "$FAILS" = 0 ] && rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$NSN" || { echo "skip: cannot create a network namespace"; exit 77; }
ip -n "$NSN" link set lo up
mkdir -m 700 "$D/keys"

hex() { printf %s "$1" | od -An -tx1 | tr -d ' \n'; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

wait_sock() { for _ in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done; fail "no $1"; return 1; }
# wait_log FILE REGEX [SECONDS]
wait_log() {
	local i
	for i in $(seq $((${3:-10} * 10))); do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

start_wpas() { # name
	local d=$D/$1
	mkdir -p "$d"
	printf 'ctrl_interface=%s/ctrl\nupdate_config=0\ndpp_config_processing=1\n' "$d" >"$d/conf"
	$NS wpa_supplicant -dd -t -D none -i lo -c "$d/conf" >"$d/log" 2>&1 &
	PIDS+=($!)
	wait_sock "$d/ctrl/lo"
}
start_hapd() { # name
	local d=$D/$1
	mkdir -p "$d"
	printf 'interface=dpp-%s\ndriver=none\nctrl_interface=%s/ctrl\nssid=unconfigured\n' \
		"$1" "$d" >"$d/conf"
	$NS hostapd -dd -t "$d/conf" >"$d/log" 2>&1 &
	PIDS+=($!)
	wait_sock "$d/ctrl/dpp-$1"
}
stop_all() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	PIDS=()
}
W() { local n=$1; shift; wpa_cli -p "$D/$n/ctrl" -i lo raw "$@"; }
H() { local n=$1; shift; hostapd_cli -p "$D/$n/ctrl" -i "dpp-$n" raw "$@"; }

# Our side in the background: start_ours NAME MODE ARGS...; its stdout in $D/NAME.out
start_ours() {
	local n=$1
	shift
	$NS "$PEER" "$@" --dir "$D/keys" >"$D/$n.out" 2>"$D/$n.err" &
	PIDS+=($!)
	wait_log "$D/$n.out" '^(ready|uri )' 5 || fail "$n did not start: $(cat "$D/$n.err")"
	wait_log "$D/$n.out" '^ready' 5
}
our_uri() { sed -n 's/^uri //p' "$D/$1.out" | head -1; }

# ---- wpa_supplicant Enrollee -> our Controller ------------------------------------------------
ctrl_case() { # label akm expect-event [extra controller args] [mutual]
	local label=$1 akm=$2 ev=$3 extra=${4:-} mutual=${5:-0} p own=""
	start_wpas enr
	if [ "$mutual" = 1 ]; then
		local ob
		ob=$(W enr DPP_BOOTSTRAP_GEN type=qrcode)
		own=" own=$ob"
		extra="$extra --mutual-uri $(W enr DPP_BOOTSTRAP_GET_URI "$ob")"
	fi
	# shellcheck disable=SC2086
	[ "$akm" = dpp ] || extra="$extra --pass per-device-secret"
	start_ours ctl controller --listen 127.0.0.1:8908 --akm "$akm" $extra
	p=$(W enr DPP_QR_CODE "$(our_uri ctl)")
	[ "$(W enr DPP_AUTH_INIT peer=$p$own role=enrollee tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412)" = OK ] ||
		fail "$label: DPP_AUTH_INIT refused"
	if wait_log "$D/enr/log" ": $ev" 10 && wait_log "$D/enr/log" ': DPP-NETWORK-ID' 5 &&
		wait_log "$D/ctl.out" '^done .*ok=1' 5; then
		ok "$label: $(grep -oE "$ev.{0,40}" "$D/enr/log" | head -1)"
	else
		fail "$label: $(grep -E ': DPP-' "$D/enr/log" | tail -3 | cut -c1-120) / $(cat "$D/ctl.out" | tail -2)"
	fi
	[ "$mutual" = 1 ] && { grep -q 'mutual=1' "$D/ctl.out" && wait_log "$D/enr/log" 'DPP-AUTH-DIRECTION mutual=1' 1 ||
		fail "$label: not mutual"; }
	stop_all
}
ctrl_case "wpa_supplicant enrollee, dpp" dpp "DPP-CONNECTOR"
ctrl_case "wpa_supplicant enrollee, psk" psk "DPP-CONFOBJ-PASS $(hex per-device-secret)"
ctrl_case "wpa_supplicant enrollee, sae" sae "DPP-CONFOBJ-AKM sae"
ctrl_case "wpa_supplicant enrollee, mutual" dpp "DPP-CONNECTOR" "" 1
ctrl_case "wpa_supplicant enrollee, held 1.5 s then granted" dpp "DPP-CONNECTOR" "--hold 1500"
grep -q '^request ' "$D/ctl.out" || fail "held: no request line"

# held then refused: wpa_supplicant reports the failure, gets nothing
start_wpas enr
start_ours ctl controller --listen 127.0.0.1:8908 --hold 300 --refuse
p=$(W enr DPP_QR_CODE "$(our_uri ctl)")
W enr DPP_AUTH_INIT peer=$p role=enrollee tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412 >/dev/null
if wait_log "$D/ctl.out" '^done .*ok=0 .*refused' 10 && ! grep -q ': DPP-CONF-RECEIVED' "$D/enr/log"; then
	ok "held then refused: $(grep -oE ': DPP-(CONF-FAILED|FAIL).{0,40}' "$D/enr/log" | head -1)"
else
	fail "held then refused: $(tail -2 "$D/ctl.out")"
fi
stop_all

# ---- hostapd Enrollee (AP) -> our Controller, R2 and R1 ----------------------------------------
for ver in 2 1; do
	start_hapd enr
	start_ours ctl controller --listen 127.0.0.1:8908
	[ "$ver" = 1 ] && H enr SET dpp_version_override 1 >/dev/null
	p=$(H enr DPP_QR_CODE "$(our_uri ctl)")
	H enr DPP_AUTH_INIT peer=$p role=enrollee tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412 >/dev/null
	if wait_log "$D/enr/log" ': DPP-CONNECTOR' 10 && wait_log "$D/ctl.out" "^done .*ok=1 .*version=$ver" 5; then
		ok "hostapd enrollee (ap), R$ver"
	else
		fail "hostapd enrollee R$ver: $(grep -E ': DPP-' "$D/enr/log" | tail -2) / $(tail -1 "$D/ctl.out")"
	fi
	stop_all
done

# ---- our Configurator initiates to an Enrollee's Controller ----------------------------------
# the responder's key sets the curve: P-256, P-384 and P-521 (our own key is P-256, so on the
# other curves we name ourselves with a temporary one, as hostapd does)
for curve in P-256 P-384 P-521; do
	start_wpas enr
	b=$(W enr DPP_BOOTSTRAP_GEN type=qrcode curve=$curve)
	[ "$(W enr DPP_CONTROLLER_START role=enrollee tcp_port=8908)" = OK ] || fail "wpa_supplicant controller"
	start_ours ini initiate --connect 127.0.0.1:8908 --peer-uri "$(W enr DPP_BOOTSTRAP_GET_URI "$b")"
	if wait_log "$D/enr/log" ': DPP-CONNECTOR' 10 && wait_log "$D/enr/log" ': DPP-NETWORK-ID' 5 &&
		wait_log "$D/ini.out" '^done .*ok=1' 5; then
		ok "our configurator initiates to wpa_supplicant ($curve)"
	else
		fail "our configurator -> wpa_supplicant $curve: $(grep -E ': DPP-' "$D/enr/log" | tail -2) / $(tail -1 "$D/ini.out")"
	fi
	stop_all
done
start_hapd enr
b=$(H enr DPP_BOOTSTRAP_GEN type=qrcode)
[ "$(H enr DPP_CONTROLLER_START role=enrollee tcp_port=8908)" = OK ] || fail "hostapd controller"
start_ours ini initiate --connect 127.0.0.1:8908 --peer-uri "$(H enr DPP_BOOTSTRAP_GET_URI "$b")"
if wait_log "$D/enr/log" ': DPP-CONF-RECEIVED' 10 && wait_log "$D/ini.out" '^done .*ok=1' 5; then
	ok "our configurator initiates to hostapd (ap)"
else
	fail "our configurator -> hostapd: $(grep -E ': DPP-' "$D/enr/log" | tail -2) / $(tail -1 "$D/ini.out")"
fi
stop_all

# ---- our Enrollee ------------------------------------------------------------------------------
start_hapd cfg
c=$(H cfg DPP_CONFIGURATOR_ADD)
b=$(H cfg DPP_BOOTSTRAP_GEN type=qrcode)
H cfg SET dpp_configurator_params " conf=sta-psk ssid=$(hex HomeNet) pass=$(hex secret-for-us) configurator=$c" >/dev/null
[ "$(H cfg DPP_CONTROLLER_START tcp_port=8908)" = OK ] || fail "hostapd controller"
$NS "$PEER" enrollee --connect 127.0.0.1:8908 --peer-uri "$(H cfg DPP_BOOTSTRAP_GET_URI "$b")" \
	--mudurl https://mud.example.com/ours.json >"$D/enr.out" 2>"$D/enr.err"
if grep -q "^cred akm=2 ssid=HomeNet pass=secret-for-us" "$D/enr.out" &&
	wait_log "$D/cfg/log" ': DPP-CONF-SENT' 5 &&
	grep -q ': DPP-MUD-URL https://mud.example.com/ours.json' "$D/cfg/log"; then
	ok "our enrollee initiates to hostapd's controller (psk; hostapd saw our mudurl)"
else
	fail "our enrollee -> hostapd: $(cat "$D/enr.out" "$D/enr.err" | tail -2) $(grep -E ': DPP-' "$D/cfg/log" | tail -2)"
fi
stop_all
start_hapd cfg
c=$(H cfg DPP_CONFIGURATOR_ADD)
start_ours enr enrollee --listen 127.0.0.1:8908
p=$(H cfg DPP_QR_CODE "$(our_uri enr)")
H cfg DPP_AUTH_INIT peer=$p role=configurator conf=sta-dpp ssid=$(hex HomeNet) configurator=$c tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412 >/dev/null
if wait_log "$D/enr.out" '^cred akm=1 ssid=HomeNet .*connector=yes' 10 && wait_log "$D/cfg/log" ': DPP-CONF-SENT' 5; then
	ok "hostapd's configurator initiates to our enrollee (dpp, Connector verified)"
else
	fail "hostapd configurator -> our enrollee: $(tail -2 "$D/enr.out") $(grep -E ': DPP-' "$D/cfg/log" | tail -2)"
fi
stop_all

# ---- faults ------------------------------------------------------------------------------------
# hostapd's fault injection (dpp_test): each must end in a failure on our side, no credential.
for t in 8 10 12 13 14 15 28 29 33 51 52 53 66 68 81 83; do
	start_hapd enr
	start_ours ctl controller --listen 127.0.0.1:8908 --count 0
	H enr SET dpp_test $t >/dev/null
	p=$(H enr DPP_QR_CODE "$(our_uri ctl)")
	H enr DPP_AUTH_INIT peer=$p role=enrollee tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412 >/dev/null
	sleep 0.6
	if grep -q ': DPP-CONF-RECEIVED' "$D/enr/log" || grep -q '^done .*ok=1' "$D/ctl.out"; then
		fail "dpp_test $t: provisioned anyway"
	elif ! kill -0 "${PIDS[-1]}" 2>/dev/null; then
		fail "dpp_test $t: our controller died"
	elif grep -qE 'dpp=fail' "$D/ctl.err"; then
		ok "dpp_test $t: $(grep -oE 'reason="[^"]*"' "$D/ctl.err" | head -1)"
	elif grep -qE 'dpp=auth' "$D/ctl.err"; then
		fail "dpp_test $t: authenticated but neither provisioned nor failed"
	else
		# some faults make hostapd refuse to send at all
		ok "dpp_test $t: hostapd sent nothing, nothing provisioned"
	fi
	stop_all
done

# wrong key: a URI of another Controller
start_wpas enr
start_ours ctl controller --listen 127.0.0.1:8908
mv "$D/keys" "$D/keys.real"
mkdir -m 700 "$D/keys"
$NS "$PEER" controller --listen 127.0.0.1:8909 --dir "$D/keys" >"$D/other.out" 2>&1 &
PIDS+=($!)
wait_log "$D/other.out" '^ready' 5
p=$(W enr DPP_QR_CODE "$(our_uri other)")
W enr DPP_AUTH_INIT peer=$p role=enrollee tcp_addr=127.0.0.1 tcp_port=8908 neg_freq=2412 >/dev/null
if wait_log "$D/ctl.err" 'another bootstrapping key' 5 && ! grep -q ': DPP-AUTH-SUCCESS' "$D/enr/log"; then
	ok "authentication request for another key refused"
else
	fail "wrong key: $(tail -2 "$D/ctl.err")"
fi
stop_all
rm -rf "$D/keys"
mv "$D/keys.real" "$D/keys"

# hostile bytes: garbage, oversized length, truncated frame, stall
start_ours ctl controller --listen 127.0.0.1:8908 --count 0 --stall 2000
hostile() { # label python-payload expect-regex
	$NS python3 - "$2" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", 8908))
payload = eval(sys.argv[1])
if payload is None:
    time.sleep(3)             # say nothing: the controller must drop us
else:
    s.sendall(payload)
s.settimeout(5)
try:
    while s.recv(4096):
        pass
except Exception:
    pass
PY
	if wait_log "$D/ctl.err" "$3" 3; then ok "hostile: $1"; else fail "hostile $1: $(tail -2 "$D/ctl.err")"; fi
}
hostile "length above the maximum" 'b"\x00\x10\x00\x00" + b"A" * 64' 'message length out of range'
hostile "zero length" 'b"\x00\x00\x00\x00"' 'message length out of range'
hostile "not a DPP frame" 'b"\x00\x00\x00\x08" + b"\x09\x00\x00\x00\x00\x00\x00\x00"' 'not a DPP frame'
hostile "truncated attribute" 'b"\x00\x00\x00\x0d" + bytes.fromhex("09506f9a1a0100") + bytes.fromhex("021020004142")' 'truncated'
hostile "GAS before authentication" 'b"\x00\x00\x00\x02\x0a\x01"' 'unexpected GAS'
hostile "stalled peer dropped (after 2 s here, 10 s by default)" 'None' 'no message for 2000 ms'
pgrep -f "dpp-peer controller" >/dev/null || fail "the controller died on hostile input"

echo "failures: $FAILS"
[ "$FAILS" = 0 ]

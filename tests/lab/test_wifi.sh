#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# hostapd integration with real hostapds (driver=none: no radio needed): homegated attaches to
# their control sockets; `homegate psk new` writes a per-device line hostapd accepts on
# RELOAD_WPA_PSK, revoke removes only that line, a blocked device loses its line; NEW_STA and
# DEAUTHENTICATE on an open BSS make the device associated and then not, in the registry and the
# audit log; after a hostapd restart homegated reconnects and still gets events.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
if ! command -v hostapd >/dev/null || ! command -v hostapd_cli >/dev/null; then
	echo "skip: hostapd and hostapd_cli are not installed (Debian package hostapd)"
	exit 77
fi

lab_up
H=$LAB_DIR/hostapd
mkdir -p "$H"
PSK=$H/homegate.psk
SAE=$H/homegate.sae
: >"$PSK"
chmod 600 "$PSK"
cat >"$H/open.conf" <<EOF
interface=hgopen0
driver=none
ctrl_interface=$H/ctrl
ssid=homegate-open
EOF
cat >"$H/psk.conf" <<EOF
interface=hgpsk0
driver=none
ctrl_interface=$H/ctrl
ssid=homegate-psk
wpa=2
wpa_key_mgmt=WPA-PSK
rsn_pairwise=CCMP
wpa_psk_file=$PSK
EOF

# hapd_start NAME: hostapd in the gateway namespace (so the lab's teardown ends it).
hapd_start() {
	ip netns exec "$LAB_GW" hostapd -dd -t "$H/$1.conf" >>"$H/$1.log" 2>&1 &
	echo $! >"$H/$1.pid"
	lab_wait_for 5 test -S "$H/ctrl/hg${1}0" || { cat "$H/$1.log"; lab_fail "hostapd $1 did not start"; }
}
hapd_stop() { kill -KILL "$(cat "$H/$1.pid")"; wait "$(cat "$H/$1.pid")" 2>/dev/null || true; }
hapd() { hostapd_cli -p "$H/ctrl" -i "$1" raw "${@:2}"; }
ups() { grep -c "wifi=hostapd if=$1 .*state=up" "$LAB_DIR/homegated.log" || true; }
field() { lab_hg --json device "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)$2)"; }
reloads() { grep -c 'RELOAD_WPA_PSK' "$H/psk.log" || true; }
t0=$(date +%s)

hapd_start open
hapd_start psk
conf=$(lab_homegate_conf)
cat >>"$conf" <<EOF
[wifi]
hostapd_ctrl = $H/ctrl/hgopen0 $H/ctrl/hgpsk0
psk_file = $PSK
sae_file = $SAE
EOF
lab_start_homegated "$conf"
lab_wait_for 5 sh -c "[ \$(grep -c 'wifi=hostapd if=hgopen0 .*state=up' $LAB_DIR/homegated.log) -ge 1 ]" ||
	lab_fail "homegated did not attach to hostapd hgopen0"
lab_wait_for 5 sh -c "[ \$(grep -c 'wifi=hostapd if=hgpsk0 .*state=up' $LAB_DIR/homegated.log) -ge 1 ]" ||
	lab_fail "homegated did not attach to hostapd hgpsk0"

# --- psk new: a line hostapd accepts, reloaded, shown once
A=02:00:00:00:0a:01 B=02:00:00:00:0a:02
before=$(reloads)
out=$(lab_hg psk new $A)
pass=$(awk '/^passphrase/{print $2}' <<<"$out")
[ ${#pass} = 20 ] || lab_fail "psk new printed no 20-character passphrase: $out"
grep -q "^wpa_psk_file $PSK" <<<"$out" || lab_fail "psk new does not say where the file is: $out"
grep -qx "keyid=020000000a01 $A $pass" "$PSK" || lab_fail "psk file lacks the line for $A"
[ "$(stat -c %a "$PSK")" = 600 ] || lab_fail "psk file not mode 0600"
[ "$(reloads)" -gt "$before" ] || lab_fail "hostapd got no RELOAD_WPA_PSK"
! grep -q 'Reloading WPA-PSK passwords failed' "$H/psk.log" || lab_fail "hostapd refused the psk file"
grep -qx "sae_password=$pass|mac=$A|id=020000000a01" "$SAE" || lab_fail "sae file lacks $A"
out=$(lab_hg psk new $B --vlan 20)
passb=$(awk '/^passphrase/{print $2}' <<<"$out")
grep -qx "keyid=020000000a02 vlanid=20 $B $passb" "$PSK" || lab_fail "psk file lacks the VLAN line for $B"
list=$(lab_hg psk list)
grep -q "$A *020000000a01" <<<"$list" && grep -q "$B *020000000a02 *20" <<<"$list" ||
	lab_fail "psk list lacks an entry: $list"
! grep -q -e "$pass" -e "$passb" <<<"$list" || lab_fail "psk list shows a passphrase"
! grep -q -e "$pass" -e "$passb" "$LAB_DIR/homegated.log" || lab_fail "a passphrase is in the log"
[ "$(field $B "['state']")" = new ] || lab_fail "psk new did not put $B on the record"

# --- revoke removes only that device's line
before=$(reloads)
lab_hg psk revoke $A >/dev/null
! grep -q "$A" "$PSK" || lab_fail "revoked line still in the file"
grep -qx "keyid=020000000a02 vlanid=20 $B $passb" "$PSK" || lab_fail "revoke touched another line"
[ "$(reloads)" -gt "$before" ] || lab_fail "no RELOAD_WPA_PSK after revoke"
set +e
err=$(lab_hg psk revoke $A 2>&1)
rc=$?
set -e
[ $rc = 1 ] && grep -q "no such device: $A has no PSK in $PSK" <<<"$err" || lab_fail "revoke twice: rc=$rc $err"
lab_hg log $A | grep -q psk_revoke || lab_fail "revoke not audited"
lab_hg log $A | grep -q psk_new || lab_fail "psk new not audited"

# --- a blocked device loses its password
lab_hg block $B >/dev/null
lab_wait_for 10 sh -c "! grep -q '$B' '$PSK'" || lab_fail "blocked device kept its PSK line"

# --- station events: NEW_STA on the open BSS, then a deauthentication
S=02:00:00:00:0b:01
assoc() { [ "$(field "$1" "['wifi']['associated']")" = "$2" ] 2>/dev/null; }
[ "$(hapd hgopen0 NEW_STA $S)" = OK ] || lab_fail "hostapd refused NEW_STA"
lab_wait_for 10 assoc $S True || lab_fail "$S not associated after NEW_STA"
[ "$(field $S "['wifi']['ap']")" = hgopen0 ] || lab_fail "wrong AP for $S"
lab_hg devices | grep "$S" | grep -q hgopen0 || lab_fail "homegate devices does not show the AP"
lab_hg device $S | grep -q "^wifi  *associated ap=hgopen0" || lab_fail "homegate device lacks the association"
hapd hgopen0 DEAUTHENTICATE $S >/dev/null
lab_wait_for 10 assoc $S False || lab_fail "$S still associated after DEAUTHENTICATE"
lab_hg log $S | grep -q wifi_leave || lab_fail "leave not audited"
lab_hg log $S | grep -q wifi_join || lab_fail "join not audited"

# --- hostapd restarts: homegated reconnects and gets events again
n=$(ups hgopen0)
hapd_stop open
hapd_start open
lab_wait_for 15 sh -c "[ \$(grep -c 'wifi=hostapd if=hgopen0 .*state=up' $LAB_DIR/homegated.log) -gt $n ]" ||
	lab_fail "homegated did not reconnect to the restarted hostapd"
grep -q 'wifi=hostapd if=hgopen0 .*state=down' "$LAB_DIR/homegated.log" || lab_fail "loss not logged"
S2=02:00:00:00:0b:02
hapd hgopen0 NEW_STA $S2 >/dev/null
lab_wait_for 10 assoc $S2 True || lab_fail "no event after the hostapd restart"

# --- a hostapd that cannot reload is said, the file is still written
hapd_stop psk
set +e
out=$(lab_hg psk new 02:00:00:00:0a:03 2>"$H/err")
rc=$?
set -e
[ $rc = 1 ] && grep -q "hostapd hgpsk0 did not reload" "$H/err" || lab_fail "no reload warning: rc=$rc $(cat "$H/err")"
grep -q "02:00:00:00:0a:03" "$PSK" || lab_fail "file not written with a hostapd down"
grep -q '^passphrase' <<<"$out" || lab_fail "passphrase not shown with a hostapd down"
echo "wifi: ok in $(($(date +%s) - t0)) s"

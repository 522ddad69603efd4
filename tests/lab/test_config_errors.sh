#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A malformed configuration is refused with a message naming file, line and key, before the
# daemon touches anything; `homegated -n` prints a valid configuration.
set -euo pipefail
build=${HOMEGATE_BUILD:?}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

expect_refusal() { # expect_refusal CONTENT EXPECTED-MESSAGE
	printf '%b' "$1" >"$dir/bad.conf"
	set +e
	out=$("$build/homegated" -d -f "$dir/bad.conf" 2>&1)
	rc=$?
	set -e
	[ "$rc" = 1 ] || fail "exit $rc for: $1"
	case "$out" in *"$2"*) ;; *) fail "message '$out' lacks '$2'" ;; esac
	[ ! -e "$dir/state" ] || fail "state directory created despite a bad configuration"
}

expect_refusal '[daemon]\nlog_level = loud\n' "bad.conf:2: daemon.log_level: \"loud\" is not one of err, warn, info, debug"
expect_refusal '[daemon]\nstate_dir = '"$dir"'/state\n[lan]\ninterfce = br-lan\n' 'bad.conf:4: unknown key "lan.interfce"'
expect_refusal '[wlan]\n' 'bad.conf:1: unknown section [wlan]'
expect_refusal '[wifi]\nhostapd_ctrl = /run/hostapd/wlan0 wlan1\n' 'bad.conf:2: wifi.hostapd_ctrl: "/run/hostapd/wlan0 wlan1" names a path that is not absolute'
expect_refusal '[registry]\nmax_devices = 0\n' 'bad.conf:2: registry.max_devices: "0" out of range 1..65536'
expect_refusal '[registry]\nmax_devices = 12abc\n' 'registry.max_devices: "12abc" is not a whole number'
expect_refusal '[daemon]\nstate_dir = relative/path\n' 'daemon.state_dir: "relative/path" is not an absolute path'
expect_refusal '[daemon]\nuser = root;rm\n' 'daemon.user: "root;rm" is not a valid name'
expect_refusal '[lan]\ninterface = a-very-long-interface-name\n' 'lan.interface: "a-very-long-interface-name" is not an interface name'
expect_refusal '[daemon]\nuser = a\nuser = b\n' 'bad.conf:3: daemon.user: set twice'
expect_refusal 'user = a\n' 'bad.conf:1: key "user" outside a [section]'
expect_refusal '[daemon]\nuser "a"\n' 'bad.conf:2: expected "key = value"'
expect_refusal '[daemon]\nuser = "abc\n' 'bad.conf:2: unterminated quoted value'
expect_refusal '[daemon]\nuser = a\x01b\n' 'bad.conf:2: control byte 0x01'
expect_refusal '[mud]\nrequire_signature = maybe\n' 'bad.conf:2: mud.require_signature: "maybe" is not one of yes, no'
expect_refusal '[mud]\nproxy = ftp://proxy.lan\n' 'mud.proxy: "ftp://proxy.lan" is not an http:// or https:// URL'
expect_refusal '[mud]\nlanguage = en"\n' 'mud.language: "en"" is not a language list'
expect_refusal '[mud]\nmax_file_size = 100\n' 'mud.max_file_size: "100" out of range 1024..524288'
if [ "$(id -u)" = 0 ] && id -u homegate >/dev/null 2>&1; then
	# A trust anchors file that is not there stops the daemon before anything starts.
	expect_refusal "[daemon]\nstate_dir = $dir/state\n[mud]\ntrust_anchors = $dir/no-such.pem\n" \
		'mud.trust_anchors or mud.ca_file is not a regular file the engine user homegate can read'
fi
set +e; out=$("$build/homegated" -d -f "$dir/missing.conf" 2>&1); rc=$?; set -e
[ "$rc" = 1 ] && [[ "$out" == *"cannot read $dir/missing.conf: No such file or directory"* ]] || fail "missing file: $out"

printf '# comment\n[daemon]\nlog_level = debug   # trailing comment\nstate_dir = "%s/with space"\n[registry]\nlease_grace_s = 120\n' "$dir" >"$dir/good.conf"
out=$("$build/homegated" -n -f "$dir/good.conf")
echo "$out" | grep -qx 'log_level = debug' || fail "-n: log_level"
echo "$out" | grep -qx "state_dir = $dir/with space" || fail "-n: quoted state_dir"
echo "$out" | grep -qx 'lease_grace_s = 120' || fail "-n: lease_grace_s"
echo "$out" | grep -qx 'interface = br-lan' || fail "-n: default interface"
# The printed configuration is itself valid and stable.
echo "$out" | sed "s|^state_dir = \(.*\)|state_dir = \"\1\"|" >"$dir/dumped.conf"
[ "$("$build/homegated" -n -f "$dir/dumped.conf")" = "$out" ] || fail "-n output does not round-trip"
: >"$dir/empty.conf"
"$build/homegated" -n -f "$dir/empty.conf" | grep -qx 'state_dir = /var/lib/homegate' || fail "empty file: defaults"
echo "config errors: ok"

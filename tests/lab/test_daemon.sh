#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# homegated in the virtual home: devices joining over real DHCP appear in the registry within a
# second with the right facts; the engine runs with no privileges; block/approve are enforced on
# real packets; engine deaths (kill -9, malformed IPC) are survived without losing state or
# opening the gateway; a full daemon restart keeps the rules and restores the registry; forget
# deletes a device's data.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

field() { # field MAC KEY: one value of `homegate device MAC --json`
	lab_hg --json device "$1" | python3 -c "import json,sys; print(json.load(sys.stdin)$2)"
}
listed() { local l; l=$(lab_hg --json devices) && grep -q "\"$1\"" <<<"$l"; }
can_reach() { lab_dev_exec "$1" ping -c1 -W1 203.0.113.10 >/dev/null 2>&1; }

lab_up
lab_start_homegated

# --- devices appear within one second of their lease, with their facts
lab_dev_add cam --hostname cam-1 --vendor "udhcp 1.30" --options 1,3,6,12,15,28,42 \
	--mud https://mud.example.test/cam.json
t_bound=$(date +%s%N)
cam=$(lab_dev_mac cam)
lab_wait_for 1 listed "$cam" || lab_fail "cam not in the registry within 1 s of its lease"
echo "cam listed $(( ($(date +%s%N) - t_bound) / 1000000 )) ms after its lease"
lab_dev_add plug --hostname HS110 --options 1,3,6,12,15,28,42
lab_dev_add phone --hostname Pixel-7
# A MUD URL must be https (RFC 8520 §10, AC-09): the claim is kept as evidence, not as the URL.
lab_dev_add oldcam --hostname oldcam --mud "http://insecure.example.test/cam.json"
plug=$(lab_dev_mac plug)
phone=$(lab_dev_mac phone)
lab_wait_for 1 listed "$plug" || lab_fail "plug not listed within 1 s"
lab_wait_for 1 listed "$phone" || lab_fail "phone not listed within 1 s"

[ "$(field "$cam" "['state']")" = new ] || lab_fail "cam state"
[ "$(field "$cam" "['hostname']")" = cam-1 ] || lab_fail "cam hostname"
[ "$(field "$cam" "['mud_url']")" = https://mud.example.test/cam.json ] || lab_fail "cam MUD URL"
# Seen first in the DHCP packet by the sensor, or reported first by dnsmasq: both are DHCP.
case "$(field "$cam" "['mud_source']")" in dhcp | dnsmasq) ;; *) lab_fail "cam MUD source" ;; esac
# the lease's address among the device's (neighbour discovery may have added IPv6 ones first)
v4=$(lab_hg --json device "$cam" | python3 -c "import json,sys; print(' '.join(a['addr'] for a in json.load(sys.stdin)['addresses'] if a['family']=='ipv4'))")
[ "$v4" = "$(lab_dev_ip cam)" ] || lab_fail "cam address: $v4, lease $(lab_dev_ip cam)"
ids=$(lab_hg --json device "$cam")
for want in '"kind": "vendor_class", "value": "udhcp 1.30"' '"kind": "dhcp_options", "value": "1,3,6,12,15,28,42"' '"strength": "weak"'; do
	echo "$ids" | tr -d '\n' | sed 's/ \+/ /g' | grep -q "$want" || lab_fail "cam evidence lacks $want"
done
lab_hg devices | grep -q "HS110" || lab_fail "human device table lacks HS110"
oldcam=$(lab_dev_mac oldcam)
lab_wait_for 1 listed "$oldcam" || lab_fail "oldcam not listed within 1 s"
[ "$(field "$oldcam" "['mud_url']")" = "" ] || lab_fail "an http:// MUD URL was accepted"
grep -q "dev=$oldcam mud_url=rejected" "$LAB_DIR/homegated.log" || lab_fail "http:// MUD URL not logged as rejected"

# --- privilege separation
engine=$(lab_engine_pid)
[ -n "$engine" ] || lab_fail "no engine process"
grep -q '^CapEff:\s*0000000000000000$' "/proc/$engine/status" || lab_fail "engine has capabilities"
grep -q '^CapBnd:\s*0000000000000000$' "/proc/$engine/status" || lab_fail "engine bounding set not empty"
grep -q '^NoNewPrivs:\s*1$' "/proc/$engine/status" || lab_fail "engine lacks no_new_privs"
[ "$(awk '/^Uid:/{print $3}' "/proc/$engine/status")" = "$(id -u homegate)" ] || lab_fail "engine not running as homegate"
[ "$(awk '/^Uid:/{print $3}' "/proc/$LAB_HG_PID/status")" = 0 ] || lab_fail "parent not root"
[ "$(stat -c '%a %G' "$LAB_SOCK")" = "660 homegate" ] || lab_fail "control socket permissions $(stat -c '%a %G' "$LAB_SOCK")"
[ "$(stat -c '%a %U' "$LAB_DIR/state/homegate.db")" = "600 homegate" ] || lab_fail "database permissions"

# --- block and approve, on real packets
can_reach plug || lab_fail "plug cannot reach the upstream before any decision"
lab_hg block "$plug" --why "test block" >/dev/null
lab_wait_for 2 sh -c "! ip netns exec $(lab_dev_ns plug) ping -c1 -W1 203.0.113.10" || lab_fail "blocked plug still reaches the upstream"
if lab_dev_exec plug getent hosts www.example.test >/dev/null; then lab_fail "blocked plug can still use DNS"; fi
can_reach phone || lab_fail "blocking the plug cut off the phone"
lab_dev_renew plug || lab_fail "blocked plug can no longer renew its DHCP lease"
set +e; lab_hg block "$plug" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || lab_fail "blocking twice should be refused with exit 1 (got $rc)"
lab_hg approve "$plug" >/dev/null
lab_wait_for 2 can_reach plug || lab_fail "approved plug cannot reach the upstream"
lab_hg block "$plug" >/dev/null

# --- kill -9 of the engine: restarted, state intact, rules never opened
kill -9 "$(lab_engine_pid)"
if can_reach plug; then lab_fail "blocked plug got through while the engine was dead"; fi
lab_wait_for 5 sh -c "$HOMEGATE_BUILD/homegate -s $LAB_SOCK --json status | grep -q '\"engine_restarts\": 1'" ||
	lab_fail "engine not restarted after kill -9"
[ "$(field "$plug" "['state']")" = blocked ] || lab_fail "plug state lost over the restart"
for m in "$cam" "$plug" "$phone"; do listed "$m" || lab_fail "$m lost over the restart"; done

# --- a malformed IPC message from the engine ends its channel and it is restarted
engine=$(lab_engine_pid)
python3 "$LAB_SRC/ipc-inject.py" "$engine" "0f27000000000000" # type 9999, no payload
lab_wait_for 5 grep -q 'malformed message from engine' "$LAB_DIR/homegated.log" || lab_fail "parent accepted a malformed message"
lab_wait_for 5 sh -c "$HOMEGATE_BUILD/homegate -s $LAB_SOCK --json status | grep -q '\"engine_restarts\": 2'" ||
	lab_fail "engine not restarted after a malformed message"
[ "$(lab_engine_pid)" != "$engine" ] || lab_fail "the offending engine still runs"
# An op with an out-of-range profile is refused too.
python3 "$LAB_SRC/ipc-inject.py" "$(lab_engine_pid)" "410000000c00000001000000024847000009""0900"
lab_wait_for 5 grep -q 'reason="invalid profile op"' "$LAB_DIR/homegated.log" || lab_fail "parent applied an invalid profile op"
lab_wait_for 5 sh -c "$HOMEGATE_BUILD/homegate -s $LAB_SOCK --json status | grep -q '\"engine_restarts\": 3'" ||
	lab_fail "engine not restarted after an invalid op"
can_reach phone || lab_fail "phone cut off after engine restarts"

# --- full daemon restart: rules stay while it is down, registry comes back
lab_stop_homegated
if can_reach plug; then lab_fail "blocked plug got through while homegated was stopped"; fi
lab_gw_exec nft list map inet homegate dev_profile | grep -q "$plug" || lab_fail "rules removed on stop"
lab_start_homegated "$LAB_DIR/homegate.conf"
[ "$(field "$plug" "['state']")" = blocked ] || lab_fail "plug state lost over a daemon restart"
if can_reach plug; then lab_fail "blocked plug got through after the restart"; fi
[ "$(lab_gw_exec nft list map inet homegate dev_profile | grep -c 'jump prof_blocked')" = 1 ] || lab_fail "rules not reconciled"

# --- lease end marks the device offline; forget deletes its data
lab_dev_release phone
lab_wait_for 5 sh -c "[ \"\$($HOMEGATE_BUILD/homegate -s $LAB_SOCK --json device $phone | grep -c '\"online\": false')\" = 1 ]" ||
	lab_fail "phone still online after releasing its lease"
lab_hg forget "$plug" --why "sold it" >/dev/null
listed "$plug" && lab_fail "forgotten plug still listed"
lab_hg log "$plug" | grep -q forget || lab_fail "no audit entry for forget"
set +e; lab_hg device "$plug" >/dev/null 2>&1; rc=$?; set -e
[ "$rc" = 1 ] || lab_fail "device of a forgotten MAC should exit 1 (got $rc)"
n=$(sqlite3 "$LAB_DIR/state/homegate.db" "SELECT (SELECT count(*) FROM addresses WHERE mac='$plug') + (SELECT count(*) FROM identities WHERE mac='$plug') + (SELECT count(*) FROM audit WHERE mac='$plug' AND why NOT IN ('', 'sold it'))")
[ "$n" = 0 ] || lab_fail "forgotten plug still has $n rows of data"
lab_gw_exec nft list map inet homegate dev_profile | grep -q "$plug" && lab_fail "forgotten plug still has a rule"
can_reach plug || lab_fail "forgotten plug (back to unknown) still blocked"

echo "daemon lab test: ok"

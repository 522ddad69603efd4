#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MUD controller and my-controller (RFC 8520 §8) on real bridged TCP: an approved hub whose
# file allows a controller class and my-controller reaches exactly the devices the
# administrator declared, also after the controller's address changes with a new lease, and
# no longer once the declaration is removed; another LAN device never. Garbage collection: a
# forgotten device's profile chains leave the kernel after the (shortened) grace period while
# the profile another device uses stays, and come back from the cache when the device does.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

CLASS=urn:example:params:hub-controller
dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }
state_is() { [ "$(dev "$1" "d['state']")" = "$2" ]; }
# connects FROM TO-ADDRESS PORT: exit 0 when a TCP connection is accepted within a second
connects() {
	lab_dev_exec "$1" python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()' "$2" "$3" 2>/dev/null
}
# expect FROM TO PORT yes|no [ADDRESS]
expect() {
	local addr=${5:-$(lab_dev_ip "$2")} r=no
	connects "$1" "$addr" "$3" && r=yes
	[ "$r" = "$4" ] || lab_fail "TCP $1 -> $2 ($addr):$3: connected $r, wanted $4"
	echo "ok: TCP $1 -> $2:$3 $r"
}
# expect_soon FROM TO PORT yes|no: the rules follow a change within a few seconds
expect_soon() {
	local addr=${5:-$(lab_dev_ip "$2")} want=$4 i
	for i in $(seq 1 20); do
		if connects "$1" "$addr" "$3"; then [ "$want" = yes ] && break; else [ "$want" = no ] && break; fi
		sleep 0.25
	done
	expect "$@"
}
# (outputs are read whole before grep -q: with pipefail an early grep exit fails the pipe)
chains() { local t; t=$(ip netns exec "$LAB_GW" nft list table inet homegate); grep -o 'chain out_[0-9a-f]*' <<<"$t" | sort -u; }
has_chain() { grep -q "chain $1\$" <<<"$(chains)"; }
# listed PATTERN NFT-LIST-ARGS...: the listing shows PATTERN
listed() { local p=$1; shift; grep -q "$p" <<<"$(ip netns exec "$LAB_GW" nft list "$@" 2>/dev/null)"; }
in_set() { grep -q "$2" <<<"$(ip netns exec "$LAB_GW" nft list set bridge homegate "$1")"; }
profile_of() { grep -o "dev=$1 enforce=policy profile=[0-9a-f]*" "$LAB_DIR/homegated.log" | tail -n 1 | sed 's/.*profile=//'; }

lab_up
conf=$(lab_homegate_conf)
sed -i 's/^interface = br-lan$/&\nprofile_gc_s = 3/' "$conf"
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
EOF
python3 - "$LAB_DIR/hub.json" "$CLASS" <<-'PYEOF'
	import json, sys
	def ace(name, peer, port, key):
	    return {"name": name, "matches": {"ietf-mud:mud": peer, "ipv4": {"protocol": 6},
	            "tcp": {key: {"operator": "eq", "port": port}, "ietf-mud:direction-initiated": "from-device"}},
	            "actions": {"forwarding": "accept"}}
	ctl, myc = {"controller": sys.argv[2]}, {"my-controller": [None]}
	mud = {"ietf-mud:mud": {"mud-version": 1, "mud-url": "https://mud.example.test/hub.json",
	        "last-update": "2026-11-01T10:00:00+00:00", "is-supported": True, "systeminfo": "Example hub",
	        "from-device-policy": {"access-lists": {"access-list": [{"name": "out"}]}},
	        "to-device-policy": {"access-lists": {"access-list": [{"name": "in"}]}}},
	       "ietf-access-control-list:acls": {"acl": [
	        {"name": "out", "type": "ipv4-acl-type", "aces": {"ace": [
	            ace("ctl", ctl, 8080, "destination-port"), ace("myc", myc, 8081, "destination-port")]}},
	        {"name": "in", "type": "ipv4-acl-type", "aces": {"ace": [
	            ace("ctl", ctl, 8080, "source-port"), ace("myc", myc, 8081, "source-port")]}}]}}
	json.dump(mud, open(sys.argv[1], "w"), indent=1)
PYEOF
lab_start_homegated "$conf"
lab_mud_publish "$LAB_DIR/hub.json" hub.json --signer lab
lab_dev_add hub --hostname hub --mud "$LAB_MUD_URL"
lab_dev_add ctl --hostname controller
lab_dev_add app --hostname phone
lab_dev_add other --hostname laptop
hub=$(lab_dev_mac hub) ctl=$(lab_dev_mac ctl) app=$(lab_dev_mac app) other=$(lab_dev_mac other)
lab_wait_for 10 status_is "$hub" ok || lab_fail "hub: MUD $(dev "$hub" "d['mud_status'], d['mud_reason']")"
for d in ctl app other; do
	lab_spawn "$(lab_dev_ns $d)" "listen-$d" python3 -u -c '
import select, socket
socks = []
for port in (8080, 8081):
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port)); s.listen(16); socks.append(s)
while True:
    for s in select.select(socks, [], [])[0]:
        s.accept()[0].close()'
done
sleep 0.5
lab_hg approve "$hub" >/dev/null
lab_wait_for 5 state_is "$hub" approved || lab_fail "hub not approved"

# Nobody declared: the hub's controller rules match no one.
expect_soon hub ctl 8080 no
expect hub app 8081 no

# Refusals are clear and change nothing.
out=$(lab_hg controller add "not a uri" "$ctl" 2>&1) && lab_fail "a bad class URI was accepted"
grep -q "controller class is a URI" <<<"$out" || lab_fail "unclear refusal: $out"
out=$(lab_hg controller add "$CLASS" 01:00:5e:00:00:01 2>&1) && lab_fail "a multicast MAC was accepted"
grep -q "unicast MAC" <<<"$out" || lab_fail "unclear refusal: $out"
out=$(lab_hg controller add --for http://mud.example.test/hub.json "$app" 2>&1) &&
	lab_fail "an http MUD URL was accepted"
[ "$(lab_hg --json controller list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" = 0 ] ||
	lab_fail "a refusal left a declaration"

lab_hg controller add "$CLASS" "$ctl" >/dev/null
lab_hg controller add --for "$LAB_MUD_URL" "$app" >/dev/null
lab_hg controller add "$CLASS" "$ctl" 2>/dev/null && lab_fail "a declaration was added twice"
grep -q "$app" <<<"$(lab_hg controller list)" || lab_fail "controller list does not show $app"
expect_soon hub ctl 8080 yes
expect hub app 8081 yes
expect hub ctl 8081 no  # a controller of the class is not the hub's my-controller
expect hub app 8080 no  # and the reverse
expect hub other 8080 no
expect hub other 8081 no
ctlset="ctl_$(printf %s "$CLASS" | sha256sum | cut -c1-12)"
in_set "$ctlset" "$ctl" || lab_fail "$ctl is not in $ctlset"
grep -q controller_add <<<"$(lab_hg log "$ctl")" || lab_fail "the declaration is not audited"

# The controller takes a new lease with another address: still reached there.
old=$(lab_dev_ip ctl)
new=192.168.50.177
[ "$old" != "$new" ] || new=192.168.50.178
lab_dev_release ctl
# dnsmasq keeps offering a client the address it holds: the old lease must be gone first
lab_wait_for 10 grep -q "DHCPRELEASE(br-lan) $old $ctl" "$LAB_DIR/dnsmasq-gw.log" ||
	lab_fail "the controller's lease was not released"
kill "$(cat "$LAB_DIR/udhcpc-ctl.pid")" 2>/dev/null || true
lab_dev_exec ctl ip -4 addr flush dev eth0
LAB_DEV_STATE="$LAB_DIR/dev-ctl.state" lab_spawn "$(lab_dev_ns ctl)" udhcpc-ctl2 busybox udhcpc -i eth0 -f \
	-t 10 -T 1 -A 1 -s "$LAB_SRC/udhcpc.script" -p "$LAB_DIR/udhcpc-ctl.pid" -r "$new"
lab_wait_for 10 sh -c "[ \"\$(awk '\$1==\"bound\"||\$1==\"renew\"{ip=\$2} END{print ip}' '$LAB_DIR/dev-ctl.state')\" = $new ]" ||
	{ lab_show_log udhcpc-ctl2; cat "$LAB_DIR/dev-ctl.state" >&2; lab_fail "controller did not get $new"; }
lab_wait_for 5 sh -c "$HOMEGATE_BUILD/homegate -s $LAB_SOCK device $ctl | grep -q $new" ||
	lab_fail "the registry did not see the controller's new address"
expect_soon hub ctl 8080 yes "$new"
expect hub ctl 8080 no "$old" # nobody holds the old address now

# Removed: no longer reached; the other declaration still works.
lab_hg controller del "$CLASS" "$ctl" >/dev/null
expect_soon hub ctl 8080 no
expect hub app 8081 yes
in_set "$ctlset" "$ctl" && lab_fail "$ctl is still in $ctlset"

# Garbage collection: quarantined, 'other' is under the quarantine profile; the hub forgotten,
# its profile's chains go after the grace period and the quarantine profile's stay.
lab_hg quarantine "$other" >/dev/null
lab_wait_for 5 sh -c "grep -q 'dev=$other enforce=policy' '$LAB_DIR/homegated.log'" ||
	lab_fail "quarantined device has no profile"
p_hub=$(profile_of "$hub") p_q=$(profile_of "$other")
[ -n "$p_hub" ] && [ -n "$p_q" ] && [ "$p_hub" != "$p_q" ] || lab_fail "profiles: hub=$p_hub quarantine=$p_q"
has_chain "out_$p_hub" || lab_fail "hub's chain is not installed"
lab_hg forget "$hub" >/dev/null
t0=$(date +%s%N)
sleep 1.5
has_chain "out_$p_hub" || lab_fail "the hub's chain went before the grace period"
lab_wait_for 10 sh -c "! ip netns exec $LAB_GW nft list table inet homegate | grep -q 'chain out_$p_hub'" ||
	lab_fail "the forgotten hub's chain is still in the kernel"
t1=$(date +%s%N)
echo "ok: forgotten hub's profile removed after $(((t1 - t0) / 1000000)) ms (grace 3 s)"
listed "chain bout_$p_hub" table bridge homegate &&
	lab_fail "the bridge chain of the removed profile is still there"
listed "myc_$p_hub" table bridge homegate && lab_fail "the removed profile's my-controller set is still there"
has_chain "out_$p_q" || lab_fail "the quarantine profile was removed with it"
expect other app 8081 no # quarantine still enforced

# The hub comes back (a new lease brings its MUD URL): its profile is installed again from the
# cache and its my-controller reaches the declared device again.
lab_dev_renew hub
lab_wait_for 10 status_is "$hub" ok || lab_fail "returning hub: MUD not in force"
lab_hg approve "$hub" >/dev/null
lab_wait_for 5 sh -c "ip netns exec $LAB_GW nft list table inet homegate | grep -q 'chain out_$p_hub'" ||
	lab_fail "the returning hub's profile was not installed again"
expect_soon hub app 8081 yes
expect hub other 8081 no

# Restarted within the grace period of a profile nobody uses any more: the new daemon, which
# never sent it, sweeps it after its first sync; the profile in use stays.
lab_hg forget "$other" >/dev/null
lab_stop_homegated
has_chain "out_$p_q" || lab_fail "the quarantine profile went before the restart"
lab_start_homegated "$conf"
lab_wait_for 10 sh -c "! ip netns exec $LAB_GW nft list table inet homegate | grep -q 'chain out_$p_q'" ||
	lab_fail "the unused profile survived the restart"
has_chain "out_$p_hub" || lab_fail "the hub's profile was swept while in use"
grep -q 'nft=sweep profiles_removed=1' "$LAB_DIR/homegated.log" || lab_fail "no sweep logged"
expect_soon hub app 8081 yes
lab_stop_homegated
echo "PASS: test_controller"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# DNS names bound by dnsbind (dns.binding = forwarder): the gateway's dnsmasq sends a bound
# name to homegated's dnsbind, which puts the answer's addresses into the name's set before it
# relays the answer. A device whose MUD file allows rot.example.test (an upstream that hands
# out a new address with every answer, TTL 0) connects to each address right after resolving
# it, 100 times without a failure; it is refused another name's addresses and an address of
# rot.example.test it never resolved; a name whose answer is truncated over UDP is asked again
# over TCP (device, dnsmasq, dnsbind, upstream) and its 40 addresses are bound. With homegated
# killed (-9) dnsbind keeps serving: bound and unbound names resolve and the fresh addresses
# still work; a new homegated's dnsbind takes over from the old one; a killed dnsbind is
# restarted.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root
command -v socat >/dev/null || { echo "skip: socat missing"; exit 77; }
py=(python3 "$HOMEGATE_SRC/bench/dns-nftset.py") # the rotating server and the race client

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }
resolve() { # DEV NAME: the first IPv4 address the gateway answers
	lab_dev_exec "$1" timeout 3 busybox nslookup "$2" 192.168.50.1 2>/dev/null |
		awk '/^Address/ && $NF ~ /^[0-9.]+$/ && $NF != "192.168.50.1" {print $NF}' | tail -1
}
tcp() { echo | lab_dev_exec "$1" timeout 3 socat -T1 - "TCP:$2:8080,connect-timeout=2" >/dev/null 2>&1; }
race() { # DEV COUNT: resolve rot.example.test and connect at once, COUNT times; no failure
	lab_dev_exec "$1" "${py[@]}" race --count "$2" --server 192.168.50.1 --out "$LAB_DIR/race.out" ||
		lab_fail "race client failed"
	local f r
	f=$(awk '$1 == "failed" {print $2}' "$LAB_DIR/race.out")
	r=$(awk '$1 == "resolved" {print $2}' "$LAB_DIR/race.out")
	[ "$r" = "$2" ] && [ "$f" = 0 ] || { cat "$LAB_DIR/race.out" >&2; lab_fail "$3: $r of $2 resolved, $f failed"; }
	echo "ok: $3: $2 resolves, each connected at once"
}
dnsbind_pid() { cat "$LAB_DIR/run/dnsbind.pid" 2>/dev/null; }
is_dnsbind() { [ "$(cat "/proc/$1/comm" 2>/dev/null)" = hg-dnsbind ]; }

lab_up
# rot.example.test: a new address of 198.18.0.0/16 per answer; wan accepts TCP 8080 on all.
ip -n "$LAB_WAN" route add local 198.18.0.0/15 dev lo
lab_spawn "$LAB_WAN" rotdns "${py[@]}" auth --addr 198.51.100.1 --port 5300 \
	--stats "$LAB_DIR/rotdns.stats" --ready "$LAB_DIR/rotdns.ready"
lab_wait_for 5 test -s "$LAB_DIR/rotdns.ready" || { lab_show_log rotdns; lab_fail "rotating DNS did not start"; }
lab_wan_dns_add other.example.test 198.19.0.5

# dnsmasq reads homegated's server= lines with --servers-file and re-reads them on SIGHUP.
servers=$LAB_DIR/run/dnsmasq-servers.conf
LAB_GW_DNSMASQ_EXTRA=(--servers-file="$servers")
cat >"$LAB_DIR/dnsmasq-hup" <<-EOF
	#!/bin/sh
	kill -HUP "\$(cat "$LAB_DIR/dnsmasq-gw.pid")"
EOF
chmod 755 "$LAB_DIR/dnsmasq-hup"
conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
	[dns]
	nftset_file = $servers
	reload_command = $LAB_DIR/dnsmasq-hup
	binding = forwarder
	upstream = 198.51.100.1#5300
EOF
python3 - "$HOMEGATE_SRC/tests/data/mud/camera.json" "$LAB_DIR/rot.json" <<-'PYEOF'
	import json, sys
	j = json.load(open(sys.argv[1]))
	j["ietf-mud:mud"]["mud-url"] = "https://mud.example.test/rot.json"
	acl = {a["name"]: a for a in j["ietf-access-control-list:acls"]["acl"]}
	ace = acl["from-v4"]["aces"]["ace"][0]
	ace["matches"]["ipv4"]["ietf-acldns:dst-dnsname"] = "rot.example.test"
	ace["matches"]["tcp"]["destination-port"]["port"] = 8080
	big = json.loads(json.dumps(ace))
	big["name"] = "big"
	big["matches"]["ipv4"]["ietf-acldns:dst-dnsname"] = "big.example.test"
	acl["from-v4"]["aces"]["ace"] = [ace, big]
	json.dump(j, open(sys.argv[2], "w"), indent=1)
PYEOF
lab_start_homegated "$conf"
dnsbind_up() { is_dnsbind "$(dnsbind_pid)"; }
lab_wait_for 5 dnsbind_up || lab_fail "dnsbind did not start"
old=$(dnsbind_pid)
grep -q "^CapEff:	0000000000001000$" "/proc/$old/status" || lab_fail "dnsbind holds more than CAP_NET_ADMIN"
[ "$(awk '/^Uid:/ {print $2}' "/proc/$old/status")" = "$(id -u homegate)" ] || lab_fail "dnsbind is not the homegate user"
lab_gw_dnsmasq_start # now with homegated's (still empty) server lines
lab_mud_publish "$LAB_DIR/rot.json" rot.json --signer lab
lab_dev_add rotcam --hostname rotcam --mud "$LAB_MUD_URL"
m=$(lab_dev_mac rotcam)
lab_wait_for 10 status_is "$m" ok || lab_fail "rotcam: MUD $(dev "$m" "d['mud_status'], d['mud_reason']")"
lab_wait_for 10 grep -q "^server=/rot.example.test/127.0.0.1#5301$" "$servers" ||
	lab_fail "no server line for rot.example.test"
lab_wait_for 10 grep -q "parent=dns-reload" "$LAB_DIR/homegated.log" || lab_fail "dnsmasq not told"
lab_wait_for 10 lab_dev_exec rotcam timeout 3 busybox nslookup rot.example.test 192.168.50.1 ||
	lab_fail "rot.example.test does not resolve"

race rotcam 100 "bound name, homegated up"
# Refused: another name's address (resolved, not in the file) and an address never resolved.
b=$(resolve rotcam other.example.test)
[ "$b" = 198.19.0.5 ] || lab_fail "other.example.test resolved to '$b'"
tcp rotcam "$b" && lab_fail "other.example.test's address was reached"
tcp rotcam 198.18.255.1 && lab_fail "an address of rot.example.test never resolved was reached"
echo "ok: another name's address and an unresolved one are refused"
lab_dev_exec rotcam timeout 3 busybox nslookup www.example.test 192.168.50.1 >/dev/null ||
	lab_fail "an unbound name does not resolve"
# Over TCP: big.example.test comes back truncated over UDP; the device asks again over TCP,
# dnsmasq asks dnsbind over TCP, dnsbind the upstream; the 40 addresses are bound first.
tcp rotcam 198.19.1.7 && lab_fail "big.example.test's address reached before resolving"
lab_dev_exec rotcam "${py[@]}" tcq --server 192.168.50.1 >"$LAB_DIR/big.out" ||
	lab_fail "big.example.test does not resolve over TCP"
[ "$(wc -l <"$LAB_DIR/big.out")" = 40 ] || lab_fail "big.example.test: $(wc -l <"$LAB_DIR/big.out") addresses, not 40"
for a in 198.19.1.1 198.19.1.7 198.19.1.40; do
	tcp rotcam "$a" || lab_fail "big.example.test's $a refused after resolving over TCP"
done
echo "ok: a truncated answer retried over TCP binds all 40 addresses"

# homegated killed: dnsbind stays, DNS works, the binding too.
kill -KILL "$LAB_HG_PID"
wait "$LAB_HG_PID" 2>/dev/null || true
LAB_HG_PID=
is_dnsbind "$old" || lab_fail "dnsbind died with homegated"
lab_dev_exec rotcam timeout 3 busybox nslookup www.example.test 192.168.50.1 >/dev/null ||
	lab_fail "homegated down: an unbound name does not resolve"
[ "$(resolve rotcam other.example.test)" = 198.19.0.5 ] || lab_fail "homegated down: other.example.test"
race rotcam 100 "bound name, homegated killed"

# A new homegated: its dnsbind binds beside the old one, which then stops.
lab_start_homegated "$conf"
replaced() { [ "$(dnsbind_pid)" != "$old" ]; }
lab_wait_for 10 replaced || lab_fail "no new dnsbind"
old_gone() { ! is_dnsbind "$old"; }
lab_wait_for 5 old_gone || lab_fail "the old dnsbind did not stop"
is_dnsbind "$(dnsbind_pid)" || lab_fail "the new dnsbind is not running"
race rotcam 50 "bound name, after a homegated restart"
# dnsbind killed: the parent starts another.
old=$(dnsbind_pid)
kill -KILL "$old"
lab_wait_for 10 replaced || lab_fail "dnsbind not restarted after it died"
lab_wait_for 5 dnsbind_up || lab_fail "the restarted dnsbind is not running"
race rotcam 50 "bound name, after dnsbind was killed and restarted"
echo "ok: test_dns_bind"

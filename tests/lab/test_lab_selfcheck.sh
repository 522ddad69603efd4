#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The lab itself: devices get leases, resolve names through the gateway, reach the upstream over
# IPv4 and IPv6, fetch over HTTPS with the lab CA; a second lab runs beside the first; teardown
# leaves nothing behind.
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

second_lab() {
	# A whole second lab in a subshell, at the same time as the first.
	(
		lab_up
		lab_dev_add other --hostname other
		lab_dev_exec other ping -c1 -W2 203.0.113.10 >/dev/null || lab_fail "second lab: no upstream"
		echo "$LAB_ID"
	)
}

lab_up
first=$LAB_ID
second_out=$(mktemp)
second_lab >"$second_out" &
second_pid=$!

lab_dev_add plug --hostname HS110 --vendor udhcp-1.19 --options 1,3,6,12,15,28,42
lab_dev_add cam --hostname cam --mud https://mud.example.test/cam.json
ip=$(lab_dev_ip plug)
[[ "$ip" == 192.168.50.1[0-9][0-9] ]] || lab_fail "plug has no lease address ($ip)"

# The exact option 55 list and the MUD URL reached dnsmasq.
lab_wait_for 5 grep -q 'requested options: 1:netmask, 3:router, 6:dns-server, 12:hostname,' "$LAB_DIR/dnsmasq-gw.log" ||
	lab_fail "option 55 not sent as given"
grep -q "HS110" "$LAB_DIR/dnsmasq-gw.log" || lab_fail "hostname not sent"

for dev in plug cam; do
	out=$(lab_dev_exec $dev getent ahostsv4 www.example.test | head -n1 | awk '{print $1}')
	[ "$out" = 203.0.113.10 ] || lab_fail "$dev: www.example.test resolved to '$out'"
	lab_dev_exec $dev ping -c1 -W2 203.0.113.10 >/dev/null || lab_fail "$dev: no IPv4 to the upstream"
	lab_wait_for 10 lab_dev_exec $dev ping -6 -c1 -W1 2001:db8:ff00::10 || lab_fail "$dev: no IPv6 to the upstream"
	body=$(lab_dev_exec $dev curl -sS --max-time 5 --cacert "$LAB_DIR/pki/ca.pem" https://mud.example.test/hello.txt)
	[ "$body" = "hello from the lab" ] || lab_fail "$dev: HTTPS fetch returned '$body'"
	# TCP echo through the gateway's NAT
	echo ping | lab_dev_exec $dev timeout 5 socat - TCP:203.0.113.10:7 | grep -q ping || lab_fail "$dev: TCP echo failed"
done
# Certificate checks are real: without the lab CA the fetch fails.
if lab_dev_exec plug curl -s --max-time 5 https://mud.example.test/hello.txt >/dev/null; then
	lab_fail "HTTPS succeeded without the lab CA"
fi

wait $second_pid || lab_fail "second lab failed"
second=$(tail -n1 "$second_out")
rm -f "$second_out"
[ -n "$second" ] && [ "$second" != "$first" ] || lab_fail "second lab did not run beside the first"
[ -z "$(ip netns list | grep "^$second-" || true)" ] || lab_fail "second lab left namespaces behind"

dir=$LAB_DIR
lab_down
[ -z "$(ip netns list | grep "^$first-" || true)" ] || lab_fail "namespaces left behind"
[ ! -e "$dir" ] || lab_fail "lab directory left behind"
ls /etc/netns 2>/dev/null | grep -q "^$first-" && lab_fail "/etc/netns entries left behind"
pgrep -f "homegate-lab.$first" >/dev/null && lab_fail "processes left behind"
echo "lab selfcheck: ok"

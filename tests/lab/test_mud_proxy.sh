#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# MUD fetches through an ISP's HTTPS proxy (AC-45): with mud.proxy set, the file and its
# signature come through a CONNECT tunnel, the server certificate is still verified end to
# end, and nothing goes to the MUD server directly (the gateway is firewalled from it here).
set -euo pipefail
. "$(dirname "$0")/lab.sh"
lab_require_root

dev() { lab_hg --json device "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); print($2)"; }
status_is() { [ "$(dev "$1" "d['mud_status']")" = "$2" ]; }

lab_up
lab_spawn "$LAB_WAN" proxy python3 "$LAB_SRC/connectproxy.py" 198.51.100.1 3128 "$LAB_DIR/proxy-requests"
lab_wait_for 5 lab_gw_exec bash -c 'exec 3<>/dev/tcp/198.51.100.1/3128' || lab_fail "proxy did not start"
# The gateway may not reach the MUD server itself: only the proxy can.
lab_gw_exec nft -f - <<-EOF
	table inet labblock {
		chain out {
			type filter hook output priority 0; policy accept;
			ip daddr 203.0.113.0/24 tcp dport 443 counter drop
			ip6 daddr 2001:db8:ff00::/64 tcp dport 443 counter drop
		}
	}
EOF
if lab_gw_exec curl -s -m 3 --cacert "$LAB_DIR/pki/ca.pem" -o /dev/null https://mud.example.test/hello.txt; then
	lab_fail "the gateway reaches the MUD server directly: the test would prove nothing"
fi

conf=$(lab_homegate_conf)
cat >>"$conf" <<-EOF
	[mud]
	trust_anchors = $LAB_DIR/pki/mud-trust.pem
	ca_file = $LAB_DIR/pki/ca.pem
	proxy = http://198.51.100.1:3128
	fetch_timeout_s = 5
EOF
lab_start_homegated "$conf"
lab_mud_publish "$HOMEGATE_SRC/tests/data/mud/camera.json" cam.json --signer lab
lab_dev_add cam --mud "$LAB_MUD_URL"
m=$(lab_dev_mac cam)
lab_wait_for 15 status_is "$m" ok || {
	lab_show_log homegated
	lab_fail "through the proxy: $(dev "$m" "d['mud_status'], d['mud_reason']")"
}
grep -qx "CONNECT mud.example.test:443" "$LAB_DIR/proxy-requests" || lab_fail "no CONNECT at the proxy"
[ "$(lab_mud_requests /cam.json)" = 1 ] && [ "$(lab_mud_requests /cam.p7s)" = 1 ] ||
	lab_fail "file and signature not fetched once each"
echo "ok: fetched through the proxy: $(dev "$m" "d['mud_reason']")"
lab_stop_homegated
echo "PASS: test_mud_proxy"

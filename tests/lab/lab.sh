#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The virtual home (DESIGN §9): network namespaces for the upstream ("wan"), the gateway ("gw")
# and any number of devices, with real dnsmasq, real DHCP clients and homegated.
#
# Source it from a test:      . tests/lab/lab.sh; lab_require_root; lab_up; lab_dev_add cam ...
# Or by hand:                 tests/lab/lab.sh up   (prints the lab's name and stays up until ^C)
#
# Every lab gets a random id (hgXXXX): namespaces are <id>-wan, <id>-gw, <id>-<device>, so labs
# run side by side. veth pairs are created directly inside the lab's namespaces, nothing is
# configured in the root namespace, and no traffic can leave the lab. lab_up installs a trap
# that tears everything down when the script exits, fails or is interrupted.
#
# Address plan (inside every lab; documentation ranges only):
#   wan <-> gw   198.51.100.1/24 (wan), 198.51.100.2 (gw);  2001:db8:ffff::1/64, ::2
#   "internet"   203.0.113.10 www.example.test (sinks), 203.0.113.20 mud.example.test (HTTPS on
#                443 with a good certificate, plain HTTP on 80), 2001:db8:ff00::10 and ::20 likewise
#                203.0.113.21 / 2001:db8:ff00::21 expired.example.test    (certificate expired)
#                203.0.113.22 / 2001:db8:ff00::22 wronghost.example.test  (certificate for
#                                                                          other.example.test)
#                203.0.113.23 / 2001:db8:ff00::23 selfsigned.example.test (self-signed)
#                All four HTTPS hosts serve the same web root, $LAB_DIR/www (see httpsd.py).
#   LAN          br-lan 192.168.50.1/24 and fd00:50::1/64 on the gateway; DHCP .100-.199; SLAAC

LAB_SRC=${LAB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}
HOMEGATE_SRC=${HOMEGATE_SRC:-$(cd "$LAB_SRC/../.." && pwd)}
HOMEGATE_BUILD=${HOMEGATE_BUILD:-$HOMEGATE_SRC/build}

LAB_ID=
LAB_DIR=
LAB_WAN=
LAB_GW=
LAB_DEVS=()
LAB_HG_PID=
LAB_RC=0 # set by lab_fail or a caller's own trap: shows the logs at teardown

lab_log() { echo "lab[$LAB_ID]: $*" >&2; }

lab_fail() {
	LAB_RC=1
	lab_log "FAIL: $*"
	exit 1
}

# Exit 77 (CTest's skip code) with the reason when the lab cannot run here.
lab_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "skip: lab tests need root (network namespaces)" >&2
		exit 77
	fi
	local probe="hgprobe$$"
	if ! ip netns add "$probe" 2>/dev/null; then
		echo "skip: cannot create network namespaces here" >&2
		exit 77
	fi
	ip netns del "$probe"
	local tool
	for tool in dnsmasq busybox nft python3 openssl; do
		command -v "$tool" >/dev/null || { echo "skip: $tool is not installed (make deps)" >&2; exit 77; }
	done
}

# lab_wait_for TIMEOUT_S CMD...: polls CMD every 50 ms until it succeeds; 1 on timeout.
lab_wait_for() {
	local timeout=$1
	shift
	local end=$(($(date +%s%N) + timeout * 1000000000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -lt "$end" ] || return 1
		sleep 0.05
	done
}

lab_wan_exec() { ip netns exec "$LAB_WAN" "$@"; }
lab_gw_exec() { ip netns exec "$LAB_GW" "$@"; }
lab_dev_ns() { echo "$LAB_ID-$1"; }
lab_dev_exec() {
	local ns
	ns=$(lab_dev_ns "$1")
	shift
	ip netns exec "$ns" "$@"
}

# Runs a command in a namespace in the background with its output in $LAB_DIR/NAME.log; prints
# nothing, records the pid in $LAB_DIR/NAME.pid.
lab_spawn() {
	local ns=$1 name=$2
	shift 2
	ip netns exec "$ns" "$@" >"$LAB_DIR/$name.log" 2>&1 &
	echo $! >"$LAB_DIR/$name.pid"
	disown $!
}

lab_show_log() {
	local f="$LAB_DIR/$1.log"
	[ -f "$f" ] && { echo "---- $1.log (last 30 lines)" >&2; tail -n 30 "$f" >&2; }
	return 0
}

lab_down() {
	local rc=$?
	[ "$rc" != 0 ] || rc=${LAB_RC:-0}
	[ -n "$LAB_ID" ] || return $rc
	trap - EXIT INT TERM
	# Teardown must run to the end whatever fails on the way.
	set +e
	# A sanitizer build of homegated reports through its log; any report fails the test.
	if [ -n "$LAB_DIR" ] && grep -qE 'Sanitizer|runtime error:' "$LAB_DIR/homegated.log" 2>/dev/null; then
		lab_log "FAIL: homegated reported a sanitizer finding"
		grep -E -A20 'Sanitizer|runtime error:' "$LAB_DIR/homegated.log" | head -40 >&2
		rc=1
	fi
	if [ "$rc" != 0 ] && [ -n "$LAB_DIR" ] && [ -z "${LAB_KEEP_QUIET:-}" ]; then
		lab_show_log homegated
		lab_show_log dnsmasq-gw
		lab_show_log sinks
		# What the kernel enforced when the test failed: the verdict maps and the chains.
		if [ -n "$LAB_GW" ] && ip netns exec "$LAB_GW" nft list ruleset >"$LAB_DIR/nft-at-failure.txt" 2>&1; then
			echo "---- nft at the failure (maps and chain names; whole ruleset in nft-at-failure.txt)" >&2
			awk '/^[[:space:]]*(table|chain|map) /{print} /elements = /{p=1} p{print} /}/{p=0}' \
				"$LAB_DIR/nft-at-failure.txt" | head -n 80 >&2
		fi
	fi
	local ns pids
	# homegated first, gracefully, so it can flush; then everything else in the lab.
	[ -n "$LAB_HG_PID" ] && kill -TERM "$LAB_HG_PID" 2>/dev/null && sleep 0.2
	for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB_ID-" || true); do
		pids=$(ip netns pids "$ns" 2>/dev/null || true)
		[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	done
	for ns in $(ip netns list | awk '{print $1}' | grep "^$LAB_ID-" || true); do
		ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	[ -n "$LAB_DIR" ] && [ -z "${LAB_KEEP:-}" ] && rm -rf "$LAB_DIR"
	LAB_ID=
	return $rc
}

lab_make_ca() {
	local d="$LAB_DIR/pki"
	mkdir -p "$d"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=homegate lab CA $LAB_ID" -keyout "$d/ca.key" -out "$d/ca.pem" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		>/dev/null 2>&1 || lab_fail "openssl: cannot make the lab CA"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=mud.example.test" \
		-keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 || lab_fail "openssl: csr"
	printf 'subjectAltName=DNS:mud.example.test,IP:203.0.113.20,IP:2001:db8:ff00::20\nextendedKeyUsage=serverAuth\n' >"$d/ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 2 -extfile "$d/ext" -out "$d/server.pem" >/dev/null 2>&1 || lab_fail "openssl: sign"
	lab_make_bad_certs
}

# lab_pki_server_cert NAME CN SAN [NOT_BEFORE NOT_AFTER]: $LAB_DIR/pki/NAME.pem and NAME.key, a
# P-256 TLS server certificate for CN with that subjectAltName, issued by the lab CA; valid for two
# days, or over the given dates (YYYYMMDDHHMMSSZ, UTC). OpenSSL 3.0's `x509 -req` cannot set dates,
# so dated certificates go through `openssl ca` with a throwaway database.
lab_pki_server_cert() {
	local d="$LAB_DIR/pki" name=$1 cn=$2 san=$3
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$cn" \
		-keyout "$d/$name.key" -out "$d/$name.csr" >/dev/null 2>&1 || lab_fail "openssl: csr for $name"
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\n' "$san" >"$d/$name.ext"
	if [ $# -ge 5 ]; then
		mkdir -p "$d/ca-db/new"
		[ -f "$d/ca-db/index.txt" ] || : >"$d/ca-db/index.txt"
		[ -f "$d/ca-db/serial" ] || openssl rand -hex 16 >"$d/ca-db/serial"
		cat >"$d/ca-db/ca.cnf" <<-EOF
			[ca]
			default_ca = lab
			[lab]
			database = $d/ca-db/index.txt
			new_certs_dir = $d/ca-db/new
			serial = $d/ca-db/serial
			certificate = $d/ca.pem
			private_key = $d/ca.key
			default_md = sha256
			policy = any_name
			unique_subject = no
			email_in_dn = no
			[any_name]
			commonName = supplied
		EOF
		openssl ca -batch -config "$d/ca-db/ca.cnf" -notext -startdate "$4" \
			-enddate "$5" -extfile "$d/$name.ext" -in "$d/$name.csr" -out "$d/$name.pem" \
			>/dev/null 2>&1 || lab_fail "openssl ca: cannot issue $name"
	else
		openssl x509 -req -in "$d/$name.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
			-days 2 -extfile "$d/$name.ext" -out "$d/$name.pem" >/dev/null 2>&1 ||
			lab_fail "openssl: cannot issue $name"
	fi
}

# The certificates a MUD client must refuse (AC-14), each served on its own address:
# expired.pem (issued by the lab CA, expired yesterday), wronghost.pem (issued by the lab CA for
# other.example.test, served as wronghost.example.test), selfsigned.pem (not issued by the lab CA).
lab_make_bad_certs() {
	local d="$LAB_DIR/pki"
	lab_pki_server_cert expired expired.example.test \
		DNS:expired.example.test,IP:203.0.113.21,IP:2001:db8:ff00::21 \
		"$(date -u -d '-30 days' +%Y%m%d%H%M%SZ)" "$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
	lab_pki_server_cert wronghost other.example.test DNS:other.example.test
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=selfsigned.example.test" -keyout "$d/selfsigned.key" -out "$d/selfsigned.pem" \
		-addext subjectAltName=DNS:selfsigned.example.test,IP:203.0.113.23,IP:2001:db8:ff00::23 \
		>/dev/null 2>&1 || lab_fail "openssl: cannot make the self-signed certificate"
}

# lab_wan_dns_add NAME ADDR: publishes NAME upstream (wan dnsmasq re-reads on SIGHUP).
lab_wan_dns_add() {
	echo "$2 $1" >>"$LAB_DIR/wan-hosts"
	kill -HUP "$(cat "$LAB_DIR/dnsmasq-wan.pid")"
}

# ---- the MUD server (httpsd.py in wan): every HTTPS host above and plain HTTP on mud.example.test

_lab_alive() { [ -e "/proc/$1" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

# lab_mud_server_start: (re)starts the MUD server if it is not running and lifts a
# `lab_mud_server_stop --drop`; returns once every listener accepts connections. Its log,
# $LAB_DIR/httpsd.log, is appended to across restarts.
lab_mud_server_start() {
	local d="$LAB_DIR/pki" pid
	lab_wan_exec nft delete table inet labmuddown 2>/dev/null || true
	pid=$(cat "$LAB_DIR/httpsd.pid" 2>/dev/null || true)
	[ -n "$pid" ] && _lab_alive "$pid" && return 0
	rm -f "$LAB_DIR/httpsd.ready"
	ip netns exec "$LAB_WAN" python3 "$LAB_SRC/httpsd.py" --dir "$LAB_DIR/www" \
		--cert "$d/server.pem" --key "$d/server.key" --addr 203.0.113.20 --addr 2001:db8:ff00::20 \
		--serve "203.0.113.21,$d/expired.pem,$d/expired.key" \
		--serve "2001:db8:ff00::21,$d/expired.pem,$d/expired.key" \
		--serve "203.0.113.22,$d/wronghost.pem,$d/wronghost.key" \
		--serve "2001:db8:ff00::22,$d/wronghost.pem,$d/wronghost.key" \
		--serve "203.0.113.23,$d/selfsigned.pem,$d/selfsigned.key" \
		--serve "2001:db8:ff00::23,$d/selfsigned.pem,$d/selfsigned.key" \
		--http 203.0.113.20 --http 2001:db8:ff00::20 --ready "$LAB_DIR/httpsd.ready" \
		>>"$LAB_DIR/httpsd.log" 2>&1 &
	echo $! >"$LAB_DIR/httpsd.pid"
	disown $!
	lab_wait_for 10 test -s "$LAB_DIR/httpsd.ready" ||
		{ lab_show_log httpsd; lab_fail "HTTPS server did not start"; }
}

# lab_mud_server_stop [--drop]: takes every HTTPS/HTTP host down. Plain: the server exits, so
# connections are refused (TCP RST). --drop: the server keeps running but wan silently drops
# packets to TCP ports 80 and 443, so connections and transfers under way time out.
lab_mud_server_stop() {
	local pid
	case "${1:-}" in
	--drop)
		lab_wan_exec nft -f - <<-EOF || lab_fail "cannot install the MUD server drop rule"
			table inet labmuddown {
				chain input {
					type filter hook input priority filter; policy accept;
					tcp dport { 80, 443 } drop
				}
			}
		EOF
		;;
	"")
		pid=$(cat "$LAB_DIR/httpsd.pid" 2>/dev/null || true)
		[ -n "$pid" ] || return 0
		kill -TERM "$pid" 2>/dev/null || true
		lab_wait_for 5 eval "! _lab_alive $pid" || kill -KILL "$pid" 2>/dev/null || true
		lab_wait_for 5 eval "! _lab_alive $pid" || lab_fail "MUD server did not stop"
		rm -f "$LAB_DIR/httpsd.pid" "$LAB_DIR/httpsd.ready"
		;;
	*) lab_fail "lab_mud_server_stop: unknown option $1" ;;
	esac
}

# lab_mud_alias PATH TARGET: the MUD server answers a request for PATH (e.g. /slow.json) as if
# it were for TARGET (e.g. "/cam.json?trickle=0.5"), for URLs a DHCP option cannot carry whole.
# Requests are logged and counted under PATH.
lab_mud_alias() {
	echo "$1 $2" >>"$LAB_DIR/www/.aliases"
}

# lab_mud_requests TARGET: how many requests the MUD server received for TARGET, over all its
# hosts and restarts. A TARGET without "?" counts every query string on that path
# (/cam.json counts /cam.json?etag=1 too); with "?" it must match exactly.
lab_mud_requests() {
	awk -v t="$1" '$1 ~ /^[A-Z]+$/ && $2 ~ /^\// {
		p = $2; if (index(t, "?") == 0) sub(/\?.*/, "", p); if (p == t) n++
	} END { print n + 0 }' "$LAB_DIR/httpsd.log"
}

# lab_mud_last_request TARGET: the server's log line for the latest request for TARGET (matched
# as in lab_mud_requests), e.g. to check accept='application/mud+json' or lang=, ua=, inm=, ims=.
lab_mud_last_request() {
	awk -v t="$1" '$1 ~ /^[A-Z]+$/ && $2 ~ /^\// {
		p = $2; if (index(t, "?") == 0) sub(/\?.*/, "", p); if (p == t) l = $0
	} END { if (l != "") print l; else exit 1 }' "$LAB_DIR/httpsd.log"
}

# ---- MUD signing (RFC 8520 §13: detached CMS, DER)

# lab_mud_signer_make NAME [--untrusted] [--no-digitalsig]: a signing CA of its own,
# $LAB_DIR/pki/mud/NAME-ca.pem (+ .key), and a signer certificate it issued,
# $LAB_DIR/pki/mud/NAME.pem (+ .key), P-256, CN "NAME MUD signer". The CA is appended to the
# daemon's trust anchors, $LAB_DIR/pki/mud-trust.pem, unless --untrusted. --no-digitalsig gives
# the signer keyUsage keyEncipherment instead of digitalSignature. lab_up makes the signer "lab".
lab_mud_signer_make() {
	local name=${1:?lab_mud_signer_make NAME}
	shift
	local trusted=1 ku=digitalSignature d="$LAB_DIR/pki/mud"
	while [ $# -gt 0 ]; do
		case "$1" in
		--untrusted) trusted=0; shift ;;
		--no-digitalsig) ku=keyEncipherment; shift ;;
		*) lab_fail "lab_mud_signer_make: unknown option $1" ;;
		esac
	done
	mkdir -p "$d"
	[ ! -e "$d/$name.pem" ] || lab_fail "lab_mud_signer_make: signer $name exists"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
		-subj "/CN=homegate lab MUD CA $name $LAB_ID" -keyout "$d/$name-ca.key" -out "$d/$name-ca.pem" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
		>/dev/null 2>&1 || lab_fail "openssl: cannot make the MUD CA $name"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name MUD signer" \
		-keyout "$d/$name.key" -out "$d/$name.csr" >/dev/null 2>&1 || lab_fail "openssl: csr $name"
	printf 'keyUsage=critical,%s\n' "$ku" >"$d/$name.ext"
	openssl x509 -req -in "$d/$name.csr" -CA "$d/$name-ca.pem" -CAkey "$d/$name-ca.key" \
		-CAcreateserial -days 2 -extfile "$d/$name.ext" -out "$d/$name.pem" >/dev/null 2>&1 ||
		lab_fail "openssl: cannot issue the MUD signer $name"
	[ "$trusted" = 0 ] || cat "$d/$name-ca.pem" >>"$LAB_DIR/pki/mud-trust.pem"
}

LAB_MUD_URL=
LAB_MUD_SIG_URL=
LAB_MUD_FILE=
LAB_MUD_SIG_FILE=

# lab_mud_publish FILE_IN NAME [--signer S] [--tamper] [--sig-url abs|rel|none|keep|URL]
#                 [--mud-url URL|keep] [--host H] [--set KEY=JSON]... [--del KEY]... [--raw]
# Publishes the MUD file FILE_IN as $LAB_DIR/www/NAME, served at https://H/NAME (H defaults to
# mud.example.test; NAME may hold directories). The copy's "mud-url" becomes https://H/NAME
# (--mud-url sets another value or keeps the input's) and its "mud-signature" (SIG = NAME with
# .json replaced by .p7s, or NAME.p7s) becomes, per --sig-url: abs https://H/SIG (the default
# with --signer), rel the bare file name of SIG (resolved against the mud-url), none no node
# (the default without --signer), keep the input's, anything else that literal value. --set and
# --del change other nodes of the "ietf-mud:mud" container (mudfile.py). --raw publishes the
# input's bytes unchanged (no JSON rewriting at all).
# --signer S writes the detached DER CMS signature by signer S (lab_mud_signer_make) over the
# published bytes to $LAB_DIR/www/SIG; without it any old SIG is removed. --tamper then changes
# one byte of the published file (the signature no longer verifies; the JSON stays valid).
# Both files are replaced atomically. Sets LAB_MUD_URL (https://H/NAME), LAB_MUD_SIG_URL
# (https://H/SIG), LAB_MUD_FILE and LAB_MUD_SIG_FILE (their paths in the web root).
lab_mud_publish() {
	local in=${1:?lab_mud_publish FILE_IN NAME} name=${2:?lab_mud_publish FILE_IN NAME}
	shift 2
	local signer="" tamper=0 sigmode="" mudurl="" host=mud.example.test raw=0 edits=()
	while [ $# -gt 0 ]; do
		case "$1" in
		--signer) signer=$2; shift 2 ;;
		--tamper) tamper=1; shift ;;
		--sig-url) sigmode=$2; shift 2 ;;
		--mud-url) mudurl=$2; shift 2 ;;
		--host) host=$2; shift 2 ;;
		--set) edits+=(--set "$2"); shift 2 ;;
		--del) edits+=(--del "$2"); shift 2 ;;
		--raw) raw=1; shift ;;
		*) lab_fail "lab_mud_publish: unknown option $1" ;;
		esac
	done
	name=${name#/}
	local sig=${name%.json}.p7s
	local out="$LAB_DIR/www/$name" sigout="$LAB_DIR/www/$sig" sigval
	[ -n "$sigmode" ] || { [ -n "$signer" ] && sigmode=abs || sigmode=none; }
	case "$sigmode" in
	abs) sigval="https://$host/$sig" ;;
	rel) sigval=${sig##*/} ;;
	*) sigval=$sigmode ;; # none, keep, or a literal value
	esac
	[ -n "$mudurl" ] || mudurl="https://$host/$name"
	mkdir -p "$(dirname "$out")"
	if [ "$raw" = 1 ]; then
		cp "$in" "$out.new" || lab_fail "lab_mud_publish: cannot read $in"
	else
		python3 "$LAB_SRC/mudfile.py" rewrite "$in" "$out.new" --mud-url "$mudurl" \
			--signature "$sigval" "${edits[@]}" || lab_fail "lab_mud_publish: cannot rewrite $in"
	fi
	if [ -n "$signer" ]; then
		local sd="$LAB_DIR/pki/mud"
		[ -f "$sd/$signer.pem" ] || lab_fail "lab_mud_publish: no signer $signer"
		openssl cms -sign -binary -outform DER -signer "$sd/$signer.pem" -inkey "$sd/$signer.key" \
			-in "$out.new" -out "$sigout.new" >/dev/null 2>&1 || lab_fail "lab_mud_publish: cannot sign"
		mv -f "$sigout.new" "$sigout"
	else
		rm -f "$sigout"
	fi
	if [ "$tamper" = 1 ]; then
		python3 "$LAB_SRC/mudfile.py" tamper "$out.new" >/dev/null || lab_fail "lab_mud_publish: tamper"
	fi
	mv -f "$out.new" "$out"
	LAB_MUD_URL="https://$host/$name"
	LAB_MUD_SIG_URL="https://$host/$sig"
	LAB_MUD_FILE=$out
	LAB_MUD_SIG_FILE=$sigout
}

lab_up() {
	LAB_ID=hg$(od -An -N2 -tx1 /dev/urandom | tr -d ' \n')
	LAB_DIR=$(mktemp -d "/tmp/homegate-lab.$LAB_ID.XXXXXX")
	chmod 755 "$LAB_DIR"
	LAB_WAN=$LAB_ID-wan
	LAB_GW=$LAB_ID-gw
	trap lab_down EXIT
	trap 'exit 130' INT TERM HUP PIPE

	ip netns add "$LAB_WAN" && ip netns add "$LAB_GW" || lab_fail "cannot create namespaces"
	ip -n "$LAB_WAN" link set lo up
	ip -n "$LAB_GW" link set lo up
	ip link add wan0 netns "$LAB_GW" type veth peer name up0 netns "$LAB_WAN" ||
		lab_fail "cannot create veth"

	# upstream
	ip -n "$LAB_WAN" addr add 198.51.100.1/24 dev up0
	ip -n "$LAB_WAN" addr add 2001:db8:ffff::1/64 dev up0 nodad
	ip -n "$LAB_WAN" link set up0 up
	local a
	for a in 203.0.113.10/32 203.0.113.20/32 203.0.113.21/32 203.0.113.22/32 203.0.113.23/32; do
		ip -n "$LAB_WAN" addr add $a dev lo
	done
	for a in 10 20 21 22 23; do ip -n "$LAB_WAN" addr add "2001:db8:ff00::$a/128" dev lo; done
	ip -n "$LAB_WAN" route add 192.168.50.0/24 via 198.51.100.2 # only for tests that skip NAT
	lab_wan_exec sysctl -qw net.ipv4.ping_group_range="0 2147483647"

	# gateway
	ip -n "$LAB_GW" addr add 198.51.100.2/24 dev wan0
	ip -n "$LAB_GW" addr add 2001:db8:ffff::2/64 dev wan0 nodad
	ip -n "$LAB_GW" link set wan0 up
	ip -n "$LAB_GW" route add default via 198.51.100.1
	ip -n "$LAB_GW" -6 route add default via 2001:db8:ffff::1
	# A fixed address, as a gateway's LAN has: a bridge without one takes its lowest port's, so
	# a device joining with a lower one would change the gateway's MAC under the devices
	# already there, whose frames would then be bridged instead of routed until their ARP
	# entries expire (about 30 s; conntrack shows those connections unreplied and not NATed).
	ip -n "$LAB_GW" link add br-lan address 02:68:67:00:00:01 type bridge
	ip -n "$LAB_GW" addr add 192.168.50.1/24 dev br-lan
	ip -n "$LAB_GW" addr add fd00:50::1/64 dev br-lan nodad
	ip -n "$LAB_GW" link set br-lan up
	lab_gw_exec sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	# Programs in wan and gw (homegated's MUD fetcher, curl in tests) resolve through the lab's
	# upstream DNS, never the host's resolver.
	mkdir -p "/etc/netns/$LAB_WAN" "/etc/netns/$LAB_GW"
	printf 'nameserver 198.51.100.1\n' >"/etc/netns/$LAB_WAN/resolv.conf"
	printf 'nameserver 198.51.100.1\nnameserver 2001:db8:ffff::1\n' >"/etc/netns/$LAB_GW/resolv.conf"
	lab_gw_exec nft -f - <<-EOF || lab_fail "cannot install the lab NAT"
		table inet labnat {
			chain post {
				type nat hook postrouting priority srcnat; policy accept;
				oifname "wan0" masquerade
			}
		}
	EOF

	# upstream services: DNS, HTTPS with the lab CA, sinks
	lab_make_ca
	mkdir -p "$LAB_DIR/www"
	echo "hello from the lab" >"$LAB_DIR/www/hello.txt"
	cat >"$LAB_DIR/wan-hosts" <<-EOF
		203.0.113.10 www.example.test
		2001:db8:ff00::10 www.example.test
		203.0.113.10 cloud.example.test
		2001:db8:ff00::10 cloud.example.test
		203.0.113.20 mud.example.test
		2001:db8:ff00::20 mud.example.test
		203.0.113.21 expired.example.test
		2001:db8:ff00::21 expired.example.test
		203.0.113.22 wronghost.example.test
		2001:db8:ff00::22 wronghost.example.test
		203.0.113.23 selfsigned.example.test
		2001:db8:ff00::23 selfsigned.example.test
	EOF
	lab_wan_exec dnsmasq --keep-in-foreground --no-resolv --no-hosts --addn-hosts="$LAB_DIR/wan-hosts" \
		--listen-address=198.51.100.1 --listen-address=2001:db8:ffff::1 --bind-interfaces \
		--auth-server=ns.example.test --local=/example.test/ --user=root --group=root \
		--pid-file="$LAB_DIR/dnsmasq-wan.pid" --log-facility="$LAB_DIR/dnsmasq-wan.log" --log-queries \
		>/dev/null 2>&1 &
	disown $!
	lab_mud_server_start
	lab_spawn "$LAB_WAN" sinks python3 "$LAB_SRC/sinks.py" 203.0.113.10 2001:db8:ff00::10
	lab_mud_signer_make lab

	lab_gw_dnsmasq_start
	lab_wait_for 5 test -s "$LAB_DIR/dnsmasq-wan.pid" || lab_fail "wan dnsmasq did not start"
	lab_wait_for 5 lab_gw_exec bash -c 'exec 3<>/dev/tcp/203.0.113.20/443' ||
		{ lab_show_log httpsd; lab_fail "HTTPS server did not start"; }
	lab_log "up in $LAB_DIR"
}

# (Re)starts the gateway's dnsmasq (DHCPv4, RA/SLAAC, DNS forwarding to the upstream). When
# homegated runs, its dnsmasq hook reports every lease to it. Options in the array
# LAB_GW_DNSMASQ_EXTRA (unset or empty: none) are appended to the command line, e.g.
# LAB_GW_DNSMASQ_EXTRA=(--conf-file="$LAB_DIR/nftset.conf"); every later start uses them too
# until the caller changes the array.
lab_gw_dnsmasq_start() {
	local pidf="$LAB_DIR/dnsmasq-gw.pid" script=() pid
	if [ -s "$pidf" ]; then
		# dnsmasq removes its pid file as it exits: read the pid once.
		pid=$(cat "$pidf")
		kill "$pid" 2>/dev/null || true
		lab_wait_for 5 sh -c "! kill -0 $pid 2>/dev/null"
		rm -f "$pidf"
	fi
	if [ -x "$HOMEGATE_BUILD/homegate-dhcp-hook" ]; then
		script=(--dhcp-script="$HOMEGATE_BUILD/homegate-dhcp-hook")
	fi
	HOMEGATE_HOOK_SOCKET="$LAB_DIR/run/dhcp.sock" ip netns exec "$LAB_GW" dnsmasq \
		--interface=br-lan --bind-interfaces --except-interface=lo --no-resolv --no-hosts \
		--server=198.51.100.1 --domain=lan --dhcp-authoritative --no-ping \
		--dhcp-range=192.168.50.100,192.168.50.199,255.255.255.0,1h \
		--dhcp-range=::,constructor:br-lan,ra-stateless,64,1h --enable-ra \
		--dhcp-leasefile="$LAB_DIR/dnsmasq-gw.leases" "${script[@]}" --user=root --group=root \
		--pid-file="$pidf" --log-facility="$LAB_DIR/dnsmasq-gw.log" --log-dhcp --log-queries \
		"${LAB_GW_DNSMASQ_EXTRA[@]}" >/dev/null 2>&1 || lab_fail "gateway dnsmasq did not start"
	lab_wait_for 5 test -s "$pidf" || lab_fail "gateway dnsmasq did not start"
}

# lab_dev_add NAME [--mac MAC] [--hostname H] [--vendor V] [--options "1,3,6"] [--mud URL]
#                  [--no-dhcp]
# Creates a device namespace on br-lan with a real DHCP client (busybox udhcpc). --options sends
# exactly that parameter request list (option 55) in that order; --mud sends option 161.
# Returns once the device holds a lease (unless --no-dhcp).
lab_dev_add() {
	local name=$1
	shift
	local mac="" hostname="" vendor="" options="" mud="" dhcp=1
	while [ $# -gt 0 ]; do
		case "$1" in
		--mac) mac=$2; shift 2 ;;
		--hostname) hostname=$2; shift 2 ;;
		--vendor) vendor=$2; shift 2 ;;
		--options) options=$2; shift 2 ;;
		--mud) mud=$2; shift 2 ;;
		--no-dhcp) dhcp=0; shift ;;
		*) lab_fail "lab_dev_add: unknown option $1" ;;
		esac
	done
	local idx=${#LAB_DEVS[@]}
	local ns
	ns=$(lab_dev_ns "$name")
	[ -n "$mac" ] || mac=$(printf '02:48:47:%02x:%02x:%02x' $((RANDOM % 256)) $((idx / 256)) $((idx % 256)))
	ip netns add "$ns" || lab_fail "cannot create namespace $ns"
	LAB_DEVS+=("$name")
	ip -n "$ns" link set lo up
	ip link add "ld$idx" netns "$LAB_GW" type veth peer name eth0 netns "$ns" address "$mac" ||
		lab_fail "cannot create veth for $name"
	ip -n "$LAB_GW" link set "ld$idx" master br-lan
	ip -n "$LAB_GW" link set "ld$idx" up
	ip -n "$ns" link set eth0 up
	lab_dev_exec "$name" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	mkdir -p "/etc/netns/$ns"
	printf 'nameserver 192.168.50.1\n' >"/etc/netns/$ns/resolv.conf"
	echo "$mac" >"$LAB_DIR/dev-$name.mac"
	[ "$dhcp" = 1 ] || return 0

	local args=(-i eth0 -f -t 10 -T 1 -A 1 -s "$LAB_SRC/udhcpc.script" -p "$LAB_DIR/udhcpc-$name.pid")
	[ -n "$hostname" ] && args+=(-x "hostname:$hostname")
	[ -n "$vendor" ] && args+=(-V "$vendor")
	if [ -n "$options" ]; then
		# -o: no default list; option 55 is then sent raw, in exactly the given order.
		local hex="" o
		for o in ${options//,/ }; do hex+=$(printf '%02x' "$o"); done
		args+=(-o -x "0x37:$hex")
	fi
	if [ -n "$mud" ]; then
		args+=(-x "0xa1:$(printf '%s' "$mud" | od -An -tx1 | tr -d ' \n')")
	fi
	LAB_DEV_STATE="$LAB_DIR/dev-$name.state" lab_spawn "$ns" "udhcpc-$name" busybox udhcpc "${args[@]}"
	lab_wait_for 15 grep -q '^bound' "$LAB_DIR/dev-$name.state" ||
		{ lab_show_log "udhcpc-$name"; lab_show_log dnsmasq-gw; lab_fail "device $name got no lease"; }
}

lab_dev_mac() { cat "$LAB_DIR/dev-$1.mac"; }
lab_dev_ip() { awk '$1=="bound"||$1=="renew"{ip=$2} END{print ip}' "$LAB_DIR/dev-$1.state"; }

# Asks the device's DHCP client to renew now (SIGUSR1) and waits for the renewal.
lab_dev_renew() {
	local n
	n=$(grep -c -E '^(bound|renew)' "$LAB_DIR/dev-$1.state")
	kill -USR1 "$(cat "$LAB_DIR/udhcpc-$1.pid")"
	lab_wait_for 10 sh -c "[ \$(grep -c -E '^(bound|renew)' '$LAB_DIR/dev-$1.state') -gt $n ]"
}

# Releases the lease (SIGUSR2) so dnsmasq reports its end.
lab_dev_release() {
	kill -USR2 "$(cat "$LAB_DIR/udhcpc-$1.pid")"
}

lab_dev_del() {
	local ns pids
	ns=$(lab_dev_ns "$1")
	pids=$(ip netns pids "$ns" 2>/dev/null || true)
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "/etc/netns/$ns"
}

lab_ensure_user() {
	id -u homegate >/dev/null 2>&1 ||
		useradd --system --no-create-home --home-dir /var/lib/homegate --shell /usr/sbin/nologin homegate
}

# Writes $LAB_DIR/homegate.conf (state and run directories inside the lab) and prints its path.
lab_homegate_conf() {
	mkdir -p "$LAB_DIR/run"
	cat >"$LAB_DIR/homegate.conf" <<-EOF
		# homegate.conf for lab $LAB_ID
		[daemon]
		state_dir = $LAB_DIR/state
		run_dir = $LAB_DIR/run
		log_level = ${LAB_LOG_LEVEL:-debug}
		engine_restart_max_s = 1
		[lan]
		interface = br-lan
		[registry]
		seen_flush_s = 5
		[identify]
		database = $HOMEGATE_SRC/data/fingerprints.fpdb
	EOF
	echo "$LAB_DIR/homegate.conf"
}

LAB_SOCK=

# lab_start_homegated [CONF]: runs homegated in the gateway namespace, waits until it serves.
lab_start_homegated() {
	local conf=${1:-}
	lab_ensure_user
	[ -n "$conf" ] || conf=$(lab_homegate_conf)
	LAB_SOCK="$LAB_DIR/run/homegate.sock"
	ip netns exec "$LAB_GW" ${LAB_WRAP:-} "$HOMEGATE_BUILD/homegated" -d -f "$conf" \
		>>"$LAB_DIR/homegated.log" 2>&1 &
	LAB_HG_PID=$!
	lab_wait_for 10 lab_hg status || { lab_show_log homegated; lab_fail "homegated did not start"; }
}

lab_stop_homegated() {
	[ -n "$LAB_HG_PID" ] || return 0
	kill -TERM "$LAB_HG_PID" 2>/dev/null || true
	lab_wait_for 10 sh -c "! kill -0 $LAB_HG_PID 2>/dev/null" || kill -KILL "$LAB_HG_PID" 2>/dev/null
	wait "$LAB_HG_PID" 2>/dev/null || true
	LAB_HG_PID=
}

# The engine's pid (the parent's only child).
lab_engine_pid() { pgrep -P "$LAB_HG_PID" | head -n 1; }

# lab_hg ARGS...: the homegate CLI against this lab's daemon.
lab_hg() { "$HOMEGATE_BUILD/homegate" -s "$LAB_SOCK" "$@"; }

# Command-line use: tests/lab/lab.sh up [DEVICES...] — stays up until interrupted.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
	up)
		lab_require_root
		lab_up
		echo "lab $LAB_ID up: dir $LAB_DIR, gateway namespace $LAB_GW; ^C tears it down"
		sleep infinity
		;;
	*)
		echo "usage: $0 up" >&2
		exit 2
		;;
	esac
fi

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The policy compiler against a real kernel, in network namespaces of this test's own:
#  1. every golden script (tests/data/golden) is what `homegate mud compile` prints for its MUD
#     file, passes `nft -c -f`, loads with `nft -f` beside the others, and loading them all again
#     changes nothing;
#  2. real packets through a gateway namespace (LAN bridge, routed upstream) with four devices
#     under compiled profiles: LAN peers on the stated port only (AC-25, stateless bridge
#     chains), DNS to the gateway but not to an off-box resolver unless the file names it
#     (AC-21, AC-23), names only through their DNS sets (AC-22), no inbound connection where
#     direction-initiated says from-device, with conntrack (inet) and with TCP flags (bridge)
#     (AC-24); an unmanaged device is the control that the paths work at all;
#  3. every file of the real-world corpus ($HOMEGATE_SRC/../shared/data/mud) that `homegate mud
#     check` accepts is compiled and loaded, all into one ruleset; a count table is printed and
#     any load error fails the test. Skipped with a message when the corpus is absent.
# Root only (exit 77 otherwise). Everything is deleted on exit, also on failure.
set -euo pipefail

HOMEGATE_SRC=${HOMEGATE_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
HOMEGATE_BUILD=${HOMEGATE_BUILD:-$HOMEGATE_SRC/build}
HG=$HOMEGATE_BUILD/homegate

if [ "$(id -u)" != 0 ]; then
	echo "skip: needs root (network namespaces, nft)" >&2
	exit 77
fi
for tool in nft ip python3; do
	command -v "$tool" >/dev/null || { echo "skip: $tool is not installed" >&2; exit 77; }
done
[ -x "$HG" ] || { echo "FAIL: $HG is not built" >&2; exit 1; }

ID="nftc$$$RANDOM"
TMP=$(mktemp -d)
FAILED=0

cleanup() {
	local rc=$? ns
	trap - EXIT INT TERM
	set +e
	for ns in $(ip netns list | awk '{print $1}' | grep "^$ID-"); do
		# only processes inside this test's own namespaces
		ip netns pids "$ns" | xargs -r kill 2>/dev/null
		ip netns del "$ns"
	done
	rm -rf "$TMP"
	exit $rc
}
trap cleanup EXIT INT TERM

log() { echo "test_nft_compile: $*" >&2; }
fail() {
	log "FAIL: $*"
	exit 1
}
check() { # check DESCRIPTION CMD...: a soft assertion, reported at the end
	local what=$1
	shift
	if "$@"; then
		log "ok: $what"
	else
		log "FAIL: $what"
		FAILED=$((FAILED + 1))
	fi
}
ns_add() {
	ip netns add "$ID-$1"
	ip -n "$ID-$1" link set lo up
}
in_ns() {
	local ns=$1
	shift
	ip netns exec "$ID-$ns" "$@"
}

# --- 1. golden scripts -----------------------------------------------------------------------
ns_add k
golden=("$HOMEGATE_SRC"/tests/data/golden/*.nft)
[ -e "${golden[0]}" ] || fail "no golden scripts in $HOMEGATE_SRC/tests/data/golden"
for g in "${golden[@]}"; do
	name=$(basename "$g" .nft)
	"$HG" mud compile "$HOMEGATE_SRC/tests/data/mud/$name.json" >"$TMP/$name.nft" ||
		fail "homegate mud compile $name.json failed"
	cmp -s "$TMP/$name.nft" "$g" || fail "homegate mud compile $name.json is not $g (unit test test_nft_compile shows the diff)"
	in_ns k nft -c -f "$g" || fail "nft -c -f $g"
	in_ns k nft -f "$g" || fail "nft -f $g"
done
in_ns k nft -s list ruleset >"$TMP/once"
for g in "${golden[@]}"; do
	in_ns k nft -f "$g" || fail "nft -f $g (second time)"
done
in_ns k nft -s list ruleset >"$TMP/twice"
diff -u "$TMP/once" "$TMP/twice" >&2 || fail "loading the golden scripts again changed the ruleset"
log "ok: ${#golden[@]} golden scripts load side by side, twice, with the same result"
ip netns del "$ID-k"

# --- 2. packets --------------------------------------------------------------------------------
cat >"$TMP/net.py" <<'EOF'
# serve SPEC... (tcp|udp/ADDR/PORT, echo) | tcp DST PORT [SRC SPORT] | udp DST PORT [SRC]
import socket, sys, threading
def tcp_serve(a, p):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, p)); s.listen(16)
    while True:
        c, _ = s.accept()
        try:
            c.settimeout(2); c.sendall(c.recv(64))
        except OSError:
            pass
        c.close()
def udp_serve(a, p):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a, p))
    while True:
        d, peer = s.recvfrom(64); s.sendto(d, peer)
if sys.argv[1] == "serve":
    for spec in sys.argv[2:]:
        proto, a, p = spec.split("/")
        f = tcp_serve if proto == "tcp" else udp_serve
        threading.Thread(target=f, args=(a, int(p)), daemon=True).start()
    print("ready", flush=True)
    threading.Event().wait()
proto, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
# exit 0 answered, 1 no answer (timeout, refused, reset), 2 the test itself could not send
try:
    if len(sys.argv) > 4:
        s.bind((sys.argv[4], int(sys.argv[5]) if len(sys.argv) > 5 else 0))
except OSError as e:
    print("cannot bind:", e, file=sys.stderr); sys.exit(2)
s.settimeout(1.5)
try:
    if proto == "tcp":
        s.connect((dst, port)); s.sendall(b"hg")
        ok = s.recv(64) == b"hg"
    else:
        s.sendto(b"hg", (dst, port))
        ok = s.recvfrom(64)[0] == b"hg"
except OSError as e:
    print("no answer:", e, file=sys.stderr)
    ok = False
sys.exit(0 if ok else 1)
EOF
net() { in_ns "$1" python3 "$TMP/net.py" "${@:2}" 2>>"$TMP/net.log"; }
reach() { net "$@"; }
unreach() { # a refused setup (exit 2) is not an unreachable peer
	local rc=0
	net "$@" || rc=$?
	[ "$rc" = 1 ]
}
drops() { # drops FAMILY CHAIN: the packets its final counter dropped so far
	in_ns gw nft list chain "$1" homegate "$2" | sed -n 's/.*counter packets \([0-9]*\) .*drop.*/\1/p' | head -n 1
}
dropped_by() { # dropped_by FAMILY CHAIN CHECK...: the forbidden attempt is dropped by that chain
	local before after
	before=$(drops "$1" "$2")
	unreach "${@:3}" || return 1
	after=$(drops "$1" "$2")
	[ "${after:-0}" -gt "${before:-0}" ] && return 0
	log "the attempt was not dropped by $1 $2 ($before -> $after packets); what the clients saw:"
	tail -n 5 "$TMP/net.log" >&2
	in_ns gw nft list chain "$1" homegate "$2" >&2
	in_ns "$3" ip neigh >&2
	return 1
}
serve() {
	local ns=$1
	shift
	in_ns "$ns" python3 "$TMP/net.py" serve "$@" >"$TMP/serve-$ns.log" 2>&1 &
	local i
	for i in $(seq 100); do
		grep -q ready "$TMP/serve-$ns.log" 2>/dev/null && return 0
		sleep 0.05
	done
	fail "servers in $ns did not start"
}

for n in gw wan d1 d2 d3 d4; do ns_add $n; done
ip -n "$ID-gw" link add br-lan address 02:68:67:00:00:01 type bridge # fixed: see lab.sh
ip -n "$ID-gw" link set br-lan up
ip -n "$ID-gw" addr add 192.168.77.1/24 dev br-lan
for i in 1 2 3 4; do
	ip -n "$ID-gw" link add "p$i" type veth peer name eth0 netns "$ID-d$i"
	ip -n "$ID-gw" link set "p$i" master br-lan up
	ip -n "$ID-d$i" link set eth0 address "02:00:77:00:00:0$i"
	ip -n "$ID-d$i" addr add "192.168.77.1$i/24" dev eth0
	ip -n "$ID-d$i" link set eth0 up
	ip -n "$ID-d$i" route add default via 192.168.77.1
done
ip -n "$ID-d2" addr add 192.168.77.22/24 dev eth0
ip -n "$ID-gw" link add wan0 type veth peer name eth0 netns "$ID-wan"
ip -n "$ID-gw" addr add 198.51.100.2/24 dev wan0
ip -n "$ID-gw" link set wan0 up
ip -n "$ID-gw" route add default via 198.51.100.1
for a in 198.51.100.1/24 192.0.2.53/32 203.0.113.10/32 203.0.113.11/32 203.0.113.12/32; do
	ip -n "$ID-wan" addr add "$a" dev eth0
done
ip -n "$ID-wan" link set eth0 up
ip -n "$ID-wan" route add 192.168.77.0/24 via 198.51.100.2
in_ns gw sysctl -qw net.ipv4.ip_forward=1

# d1 plug, d2 an unmanaged PC (and the hub's controller), d3 the streaming box with its own
# resolver, d4 the hub.
data=$HOMEGATE_SRC/tests/data/mud
"$HG" mud compile --mac 02:00:77:00:00:01 --addr 192.168.77.11 "$data/plug.json" >"$TMP/d1.nft"
"$HG" mud compile --mac 02:00:77:00:00:03 --addr 192.168.77.13 "$data/resolver.json" >"$TMP/d3.nft"
"$HG" mud compile --mac 02:00:77:00:00:04 --addr 192.168.77.14 "$data/hub.json" >"$TMP/d4.nft"
for d in d1 d3 d4; do in_ns gw nft -f "$TMP/$d.nft" || fail "loading $d.nft"; done
# For dnsmasq --nftset the names have sets of their own; the profile is the same.
"$HG" mud compile --dns-binding nftset "$data/hub.json" >"$TMP/d4-nftset.nft"
grep -q '^add set inet homegate dns4_[0-9a-f]\{12\} ' "$TMP/d4-nftset.nft" && ! grep -q '@dnsname4' "$TMP/d4-nftset.nft" ||
	fail "--dns-binding nftset: no per-name sets"
[ "$(sed -n 's/^# profile //p' "$TMP/d4-nftset.nft")" = "$(sed -n 's/^# profile //p' "$TMP/d4.nft")" ] ||
	fail "--dns-binding changed the profile id"
in_ns gw nft -c -f "$TMP/d4-nftset.nft" || fail "the --dns-binding nftset script does not load"
rc=0
"$HG" mud compile --dns-binding dnsmasq "$data/hub.json" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--dns-binding dnsmasq: exit $rc, not 2"
hub=$(sed -n 's/^# profile //p' "$TMP/d4.nft")
# The hub's cloud name's id in the shared dnsname4 (the key's first two fields)
hubid=$(sed -n 's/.*jhash ip daddr mod 1 offset \(0x[0-9a-f]*\) \. jhash ip daddr mod 1 offset \(0x[0-9a-f]*\) \. ip daddr @dnsname4.*/\1 . \2/p' "$TMP/d4.nft" | head -n 1)
[ -n "$hubid" ] || fail "no DNS-name rule in the hub's script"
# What homegated and dnsbind fill in: the LAN, the gateway, the hub's controller and the
# addresses its cloud name resolved to.
in_ns gw nft -f - <<EOF || fail "filling the sets"
add element inet homegate lan4 { 192.168.77.0/24 }
add element inet homegate gw4 { 192.168.77.1 }
add element bridge homegate myc_$hub { 02:00:77:00:00:02 }
add element inet homegate dnsname4 { $hubid . 203.0.113.10, $hubid . 203.0.113.12 }
EOF

serve gw udp/192.168.77.1/53
serve wan udp/192.0.2.53/53 udp/203.0.113.10/53 tcp/203.0.113.10/443 tcp/203.0.113.11/443
serve d1 tcp/192.168.77.11/80 tcp/192.168.77.11/81
serve d2 tcp/192.168.77.12/8000 tcp/192.168.77.12/8080 udp/192.168.77.12/53
serve d4 tcp/192.168.77.14/8000 tcp/192.168.77.14/8443

# controls: the paths work for a device without a profile
check "control: unmanaged device reaches an upstream resolver" reach d2 udp 203.0.113.10 53
check "control: upstream reaches an unmanaged device from cloud:443" \
	reach wan tcp 192.168.77.12 8000 203.0.113.12 443
# plug (bridge, local-networks, AC-25)
check "plug: a LAN peer reaches its web port 80" reach d2 tcp 192.168.77.11 80
check "plug: a LAN peer does not reach port 81" unreach d2 tcp 192.168.77.11 81
check "plug: does not open connections to LAN peers on other ports" unreach d1 tcp 192.168.77.12 8000
# DNS (AC-21, AC-23)
check "plug: DNS to the gateway" reach d1 udp 192.168.77.1 53
check "plug: no off-box resolver" unreach d1 udp 203.0.113.10 53
check "plug: no DNS to a LAN host either" unreach d1 udp 192.168.77.12 53
check "streaming box: the resolver its file names" reach d3 udp 192.0.2.53 53
check "streaming box: no other off-box resolver" unreach d3 udp 203.0.113.10 53
# names only through their sets (AC-22)
check "hub: its cloud name's address on 443" reach d4 tcp 203.0.113.10 443
check "hub: not a raw address outside the name's set (dropped and counted by its inet chain)" \
	dropped_by inet "out_$hub" d4 tcp 203.0.113.11 443
# direction-initiated from-device, stateful (AC-24): source cloud:443 matches the to-device
# ACE, but a new inbound connection must not
check "hub: no inbound connection from its cloud's address and port" \
	unreach wan tcp 192.168.77.14 8000 203.0.113.12 443
# my-controller with direction-initiated both ways, stateless on the bridge
check "hub: opens to its controller on 8080" reach d4 tcp 192.168.77.12 8080
check "hub: its controller opens to it on 8443" reach d2 tcp 192.168.77.14 8443
check "hub: the controller may not open a connection from port 8080 (dropped and counted by its bridge chain)" \
	dropped_by bridge "bin_$hub" d2 tcp 192.168.77.14 8000 192.168.77.22 8080
[ "$FAILED" = 0 ] || fail "$FAILED packet checks failed"
for n in gw wan d1 d2 d3 d4; do
	ip netns pids "$ID-$n" | xargs -r kill 2>/dev/null || true
	ip netns del "$ID-$n"
done

# --- 3. the real-world corpus ------------------------------------------------------------------
corpus=$HOMEGATE_SRC/../shared/data/mud
if [ ! -d "$corpus" ]; then
	log "skip part 3: no real-world corpus at $corpus"
	exit 0
fi
corpus=$(cd "$corpus" && pwd)
ns_add c
declare -A files accepted compiled loaded
groups=()
loadfail=0
i=0
while IFS= read -r -d '' f; do
	rel=${f#"$corpus"/}
	grp=${rel%%/*}
	[ -n "${files[$grp]+x}" ] || { groups+=("$grp"); files[$grp]=0 accepted[$grp]=0 compiled[$grp]=0 loaded[$grp]=0; }
	files[$grp]=$((files[$grp] + 1))
	"$HG" mud check "$f" >/dev/null 2>&1 || continue
	accepted[$grp]=$((accepted[$grp] + 1))
	i=$((i + 1))
	if ! "$HG" mud compile "$f" >"$TMP/corpus-$i.nft" 2>"$TMP/err"; then
		log "not compiled: $rel: $(head -n 1 "$TMP/err")"
		rm -f "$TMP/corpus-$i.nft"
		continue
	fi
	compiled[$grp]=$((compiled[$grp] + 1))
	if in_ns c nft -c -f "$TMP/corpus-$i.nft" 2>"$TMP/err" &&
		in_ns c nft -f "$TMP/corpus-$i.nft" 2>"$TMP/err"; then
		loaded[$grp]=$((loaded[$grp] + 1))
	else
		log "LOAD ERROR: $rel:"
		head -n 5 "$TMP/err" >&2
		loadfail=$((loadfail + 1))
		rm -f "$TMP/corpus-$i.nft"
	fi
done < <(find "$corpus" -type f -print0 | sort -z)

in_ns c nft -s list ruleset >"$TMP/once"
for s in "$TMP"/corpus-*.nft; do
	[ -e "$s" ] || continue
	in_ns c nft -f "$s" 2>/dev/null || { log "LOAD ERROR (second time): $s"; loadfail=$((loadfail + 1)); }
done
in_ns c nft -s list ruleset >"$TMP/twice"
if ! cmp -s "$TMP/once" "$TMP/twice"; then
	log "FAIL: loading the corpus scripts again changed the ruleset"
	diff -u "$TMP/once" "$TMP/twice" | head -40 >&2
	loadfail=$((loadfail + 1))
fi
chains=$(grep -c '^	chain out_' "$TMP/twice" || true)

tf=0 ta=0 tc=0 tl=0
printf '%-12s %6s %9s %9s %7s\n' corpus files accepted compiled loaded
for grp in "${groups[@]}"; do
	printf '%-12s %6d %9d %9d %7d\n' "$grp" "${files[$grp]}" "${accepted[$grp]}" \
		"${compiled[$grp]}" "${loaded[$grp]}"
	tf=$((tf + files[$grp])) ta=$((ta + accepted[$grp])) tc=$((tc + compiled[$grp])) tl=$((tl + loaded[$grp]))
done
printf '%-12s %6d %9d %9d %7d\n' total "$tf" "$ta" "$tc" "$tl"
log "$chains distinct profiles in one ruleset after loading every script twice"
[ "$ta" -gt 0 ] || fail "mud check accepted no corpus file"
[ "$loadfail" = 0 ] || fail "$loadfail load errors"
log "ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: DNS-name binding with real dnsmasq and real nftables (DESIGN §5), without
# homegated: dnsmasq --nftset, and dnsbind (homegate's forwarder, bench_dnsbind) behind
# dnsmasq server=/NAME/127.0.0.1#PORT lines. The gateway holds a ruleset of homegate's shape
# (table inet hgbench) with N_DEVICES profiles, each allowing one DNS name both ways homegate
# compiles it (its own set pair for --nftset, its id in the shared dnsname4/dnsname6 for
# dnsbind), and N_DEVICES MACs in dev_profile;
# its dnsmasq binds every one of those names plus rot.example.test. Measured, each against a
# baseline in the same run: the latency dnsmasq adds when it puts an answer into a set, whether a
# device that connects the moment it has the answer is ever dropped (with a control round
# without the binding, which must be dropped), and how long a dnsmasq restart interrupts DNS;
# each for both bindings.
# Usage: bench/dns-nftset.sh [N_DEVICES] [N_RESOLVES]   (root; defaults 1000 and 10000)
#        LAT_COUNT (queries of each kind, default 2000), CONTROL_COUNT (default 200) and
#        RESTARTS (per configuration, default 5), COST_COUNT (default 200) and COST_SETS (set
#        counts of the libnftables sweep, default "0 100 500 2000 5000") and BIND_NICE (dnsbind's
#        nice, default -5 as homegated runs it) in the environment.
set -euo pipefail
N_DEVICES=${1:-1000}
N_RESOLVES=${2:-10000}
LAT_COUNT=${LAT_COUNT:-2000}
CONTROL_COUNT=${CONTROL_COUNT:-200}
RESTARTS=${RESTARTS:-5}
COST_COUNT=${COST_COUNT:-200}
COST_SETS=${COST_SETS:-0 100 500 2000 5000}
here=$(cd "$(dirname "$0")/.." && pwd)
export HOMEGATE_BUILD=${HOMEGATE_BUILD:-$here/build}
. "$here/tests/lab/lab.sh"
lab_require_root
py=(python3 "$here/bench/dns-nftset.py")

[ "$N_DEVICES" -ge 1 ] || { echo "N_DEVICES must be at least 1" >&2; exit 2; }
# rot.example.test hands out a fresh address of 198.18.0.0/16 per answer, never one twice.
[ $((2 * (N_RESOLVES + CONTROL_COUNT))) -le 65534 ] || { echo "N_RESOLVES too large" >&2; exit 2; }
[ $((10 * LAT_COUNT)) -le 65534 ] || { echo "LAT_COUNT too large" >&2; exit 2; }
[ -x "$HOMEGATE_BUILD/bench_dnsbind" ] || { echo "no $HOMEGATE_BUILD/bench_dnsbind (build first)" >&2; exit 2; }

ROT_MAC=02:48:47:ee:00:01 # under the rot profile: may reach rot.example.test only
LAT_MAC=02:48:47:ee:00:02 # not in dev_profile: the latency client is not filtered
ROT_PORT=5300             # the rotating upstream, 198.51.100.1 in wan
PLAIN_PORT=5354           # a second gateway dnsmasq without any --nftset (baseline)
FWD_PORT=5355             # a third gateway dnsmasq whose bound names go to dnsbind
BIND_PORT=5301            # dnsbind in the gateway, upstream the wan dnsmasq
BIND_ROT_PORT=5302        # a second dnsbind for rot.example.test, upstream the rotating server
BIND_NICE=${BIND_NICE:--5} # dnsbind's nice, as homegated sets it (DNSBIND_PROC_NICE)

now_ns() { echo "${EPOCHREALTIME/./}000"; }
# Alive and not a zombie (PID 1 here may not reap), without forking.
alive() {
	local l
	[ -r "/proc/$1/status" ] || return 1
	while read -r l; do
		case "$l" in State:*Z*) return 1 ;; State:*) return 0 ;; esac
	done <"/proc/$1/status" 2>/dev/null
	return 1
}
# The race check's packets to rot.example.test's addresses that its set did not let through.
drops() { lab_gw_exec nft list chain inet hgbench "$ROT_CHAIN" | awk '/198\.18\.0\.0\/16/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'; }

lab_up
load=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. the ruleset
t0=$(now_ns)
"${py[@]}" ruleset --n "$N_DEVICES" --rot-mac "$ROT_MAC" --rot-chain-out "$LAB_DIR/rot-chain" \
	>"$LAB_DIR/hgbench.nft"
lab_gw_exec nft -f "$LAB_DIR/hgbench.nft" || lab_fail "cannot load the benchmark ruleset"
t_load=$((($(now_ns) - t0) / 1000000))
ROT_CHAIN=$(cat "$LAB_DIR/rot-chain")
nsets=$(lab_gw_exec nft list sets table inet hgbench | grep -c '^	set ')
nmap=$(lab_gw_exec nft list map inet hgbench dev_profile | grep -o ': jump' | wc -l)
lab_log "ruleset: $nsets sets, $nmap dev_profile elements, loaded in $t_load ms"

# ---- what dnsmasq pays per address: one libnftables `add element`, against the sets the
# namespace holds (named and anonymous: libnftables 1.0.6 lists every set of every table first)
anon=$(grep -c -E 'dport \{|type \{' "$LAB_DIR/hgbench.nft")
lab_gw_exec nft add set inet hgbench costprobe '{ type ipv4_addr; flags timeout; }'
cost_gw=$(lab_gw_exec "${py[@]}" nftcost --set "inet hgbench costprobe" --count "$COST_COUNT" --base 100.64.0.1)
lab_gw_exec nft delete set inet hgbench costprobe
costns=$LAB_ID-nftcost # a lab namespace: lab_down removes it
ip netns add "$costns"
cost_sweep=()
for s in $COST_SETS; do
	"${py[@]}" sets --n "$s" | ip netns exec "$costns" nft -f - || lab_fail "cannot load $s sets"
	cost_sweep+=("$s $(ip netns exec "$costns" "${py[@]}" nftcost --set "inet hgcost target" \
		--count "$COST_COUNT" --base 100.64.0.1)")
	ip netns exec "$costns" nft delete table inet hgcost
done
ip netns del "$costns"

# ---- upstream: the latency names in the wan dnsmasq, the rotating server for rot.example.test
"${py[@]}" hosts --n "$N_DEVICES" --count "$((2 * LAT_COUNT))" >"$LAB_DIR/lat-hosts"
last=$(tail -n 1 "$LAB_DIR/lat-hosts")
head -n -1 "$LAB_DIR/lat-hosts" >>"$LAB_DIR/wan-hosts"
lab_wan_dns_add "${last#* }" "${last%% *}"
lab_wait_for 10 lab_gw_exec "${py[@]}" q --server 198.51.100.1 --name "${last#* }" \
	--want "${last%% *}" || lab_fail "the wan dnsmasq does not serve the latency names"
ip -n "$LAB_WAN" route add local 198.18.0.0/15 dev lo
lab_spawn "$LAB_WAN" rotdns "${py[@]}" auth --addr 198.51.100.1 --port "$ROT_PORT" \
	--stats "$LAB_DIR/rotdns.stats" --ready "$LAB_DIR/rotdns.ready"
lab_wait_for 5 test -s "$LAB_DIR/rotdns.ready" || { lab_show_log rotdns; lab_fail "rotating DNS did not start"; }

# ---- 2. the gateway's dnsmasq with one --nftset line per name
"${py[@]}" conf --n "$N_DEVICES" --prefix "$LAB_DIR/nftset-" --rot-server 198.51.100.1 \
	--rot-port "$ROT_PORT" --fwd-port "$BIND_PORT" --fwd-rot-port "$BIND_ROT_PORT"
for c in full control plain fwd fwd-control; do
	dnsmasq --test --conf-file="$LAB_DIR/nftset-$c.conf" >/dev/null 2>&1 ||
		lab_fail "dnsmasq refuses $LAB_DIR/nftset-$c.conf"
done
LAB_GW_DNSMASQ_EXTRA=(--conf-file="$LAB_DIR/nftset-full.conf")
lab_gw_dnsmasq_start
lab_spawn "$LAB_GW" dnsmasq-plain dnsmasq --keep-in-foreground --port="$PLAIN_PORT" \
	--listen-address=192.168.50.1 --bind-interfaces --no-resolv --no-hosts --server=198.51.100.1 \
	--conf-file="$LAB_DIR/nftset-plain.conf" --user=root --group=root \
	--pid-file="$LAB_DIR/dnsmasq-plain.pid" --log-facility="$LAB_DIR/dnsmasq-plain.log" --log-queries

# dnsbind (as homegated runs it: the homegate user, only CAP_NET_ADMIN) and a dnsmasq whose
# bound names go to it, read with --servers-file (re-read on SIGHUP).
bind_user=()
id homegate >/dev/null 2>&1 && bind_user=(-u homegate)
lab_spawn "$LAB_GW" dnsbind "$HOMEGATE_BUILD/bench_dnsbind" "${bind_user[@]}" -n "$BIND_NICE" -p "$LAB_DIR/dnsbind.ready" \
	-f "$LAB_DIR/nftset-fwd.conf" hgbench "127.0.0.1#$BIND_PORT" 198.51.100.1
lab_spawn "$LAB_GW" dnsbind-rot "$HOMEGATE_BUILD/bench_dnsbind" "${bind_user[@]}" -n "$BIND_NICE" -p "$LAB_DIR/dnsbind-rot.ready" \
	-f "$LAB_DIR/nftset-fwd.conf" hgbench "127.0.0.1#$BIND_ROT_PORT" "198.51.100.1#$ROT_PORT"
lab_wait_for 10 test -s "$LAB_DIR/dnsbind.ready" || { lab_show_log dnsbind; lab_fail "dnsbind did not start"; }
lab_wait_for 10 test -s "$LAB_DIR/dnsbind-rot.ready" || { lab_show_log dnsbind-rot; lab_fail "dnsbind did not start"; }
lab_spawn "$LAB_GW" dnsmasq-fwd dnsmasq --keep-in-foreground --port="$FWD_PORT" \
	--listen-address=192.168.50.1 --bind-interfaces --no-resolv --no-hosts --server=198.51.100.1 \
	--servers-file="$LAB_DIR/nftset-fwd.conf" --user=root --group=root \
	--pid-file="$LAB_DIR/dnsmasq-fwd.pid" --log-facility="$LAB_DIR/dnsmasq-fwd.log" --log-queries

lab_dev_add rot --mac "$ROT_MAC" --hostname rot
lab_dev_add lat --mac "$LAT_MAC" --hostname lat
lab_wait_for 5 lab_dev_exec lat "${py[@]}" q --server 192.168.50.1 --port "$PLAIN_PORT" \
	--name www.example.test --want 203.0.113.10 || lab_fail "the plain dnsmasq does not answer"
lab_wait_for 5 lab_dev_exec lat "${py[@]}" q --server 192.168.50.1 --port "$FWD_PORT" \
	--name www.example.test --want 203.0.113.10 || lab_fail "the forwarder's dnsmasq does not answer"

# ---- 3. latency: bound vs unbound names, interleaved, every query a cache miss
lab_dev_exec lat "${py[@]}" lat --n "$N_DEVICES" --count "$LAT_COUNT" --server 192.168.50.1 \
	--plain-port "$PLAIN_PORT" --fwd-port "$FWD_PORT" --out "$LAB_DIR/lat.out" ||
	lab_fail "latency round failed"
# The same for the forwarder alone, as a gateway with dns.binding = forwarder runs: no query
# goes through dnsmasq --nftset, whose 28 ms of libnftables per bound answer load the machine
# between the other queries of the round above. Fresh names again.
lab_dev_exec lat "${py[@]}" lat --n "$N_DEVICES" --count "$LAT_COUNT" --offset "$LAT_COUNT" \
	--kinds plain,fbound,funbound --server 192.168.50.1 --plain-port "$PLAIN_PORT" \
	--fwd-port "$FWD_PORT" --out "$LAB_DIR/lat-fwd.out" || lab_fail "forwarder latency round failed"
# The bound answers really went into their sets.
inset=0
while read -r addr name; do
	h=$(printf '%s' "${name#*.}" | sha256sum | cut -c1-12)
	lab_gw_exec nft get element inet hgbench "dns4_$h" "{ $addr }" >/dev/null 2>&1 && inset=$((inset + 1))
done < <(head -n 3 "$LAB_DIR/lat-hosts") # the first bound names
[ "$inset" = 3 ] || lab_fail "bound answers are not in their sets ($inset of 3 checked)"
finset=0
lab_gw_exec nft list set inet hgbench dnsname4 >"$LAB_DIR/fset"
while read -r addr name; do
	grep -qF "$("${py[@]}" nameid "${name#*.}") . $addr timeout 1h1m" "$LAB_DIR/fset" && finset=$((finset + 1))
done < <(grep ' m[0-9]*\.svc' "$LAB_DIR/lat-hosts" | head -n 3)
[ "$finset" = 3 ] || { head -n 20 "$LAB_DIR/fset" >&2; lab_fail "dnsbind's answers are not in dnsname4 under their names' ids with a timeout ($finset of 3)"; }

# What dnsbind's transaction costs by itself: into the shared dnsname4 under the first and the
# last name's id, and (the earlier design, for comparison) into the names' own sets, by where
# the set is in the table's list of sets (created in profile order: svc0's first).
txn_sets=() txn_labels=()
for j in 0 $((N_DEVICES - 1)); do
	txn_sets+=("dnsname4=svc$j.example.test")
	txn_labels+=("dnsname4 under svc$j's id (shared by all $N_DEVICES names)")
done
for j in 0 $((N_DEVICES / 4)) $((N_DEVICES / 2)) $((3 * N_DEVICES / 4)) $((N_DEVICES - 1)); do
	txn_sets+=("dns4_$(printf '%s' "svc$j.example.test" | sha256sum | cut -c1-12)")
	txn_labels+=("svc$j's own dns4_<H> ($((j + 1)) of $N_DEVICES names' sets)")
done
lab_gw_exec "$HOMEGATE_BUILD/bench_dnsbind" -c "$COST_COUNT" hgbench "${txn_sets[@]}" >"$LAB_DIR/txn.out" ||
	lab_fail "cannot time dnsbind's transactions"

# ---- 4. race: resolve rot.example.test, connect at once; then a control round without binding
d0=$(drops)
lab_dev_exec rot "${py[@]}" race --count "$N_RESOLVES" --server 192.168.50.1 \
	--out "$LAB_DIR/race.out" || lab_fail "race round failed"
d1=$(drops)
in_set=$(lab_gw_exec nft list set inet hgbench "dns4_$(printf '%s' rot.example.test | sha256sum | cut -c1-12)" |
	grep -o '198\.18\.[0-9]*\.[0-9]*' | wc -l)

# ---- restart gap: SIGTERM to the first answered query, with and without the nftset lines
restart_gw() { # LABEL CONF [OPTION]
	local pid tk te
	pid=$(cat "$LAB_DIR/dnsmasq-gw.pid")
	LAB_GW_DNSMASQ_EXTRA=("${3:---conf-file}=$2")
	tk=$(now_ns)
	kill -TERM "$pid"
	while alive "$pid"; do :; done
	te=$(now_ns)
	rm -f "$LAB_DIR/dnsmasq-gw.pid"
	lab_gw_dnsmasq_start
	echo "$1 $tk $te" >>"$LAB_DIR/kills"
}
lab_spawn "$(lab_dev_ns lat)" poll "${py[@]}" poll --server 192.168.50.1 --name www.example.test \
	--out "$LAB_DIR/poll.out" --ready "$LAB_DIR/poll.ready"
lab_wait_for 5 test -s "$LAB_DIR/poll.ready" || lab_fail "poller did not start"
sleep 0.5
: >"$LAB_DIR/kills"
for _ in $(seq 1 "$RESTARTS"); do
	restart_gw plain "$LAB_DIR/nftset-plain.conf"
	sleep 0.7
	restart_gw full "$LAB_DIR/nftset-full.conf"
	sleep 0.7
	restart_gw fwd "$LAB_DIR/nftset-fwd.conf" --servers-file
	sleep 0.7
	# The forwarder's lines are re-read on SIGHUP: no restart when names are added.
	tk=$(now_ns)
	kill -HUP "$(cat "$LAB_DIR/dnsmasq-gw.pid")"
	echo "hup $tk $tk" >>"$LAB_DIR/kills"
	sleep 0.7
done
kill -TERM "$(cat "$LAB_DIR/poll.pid")"
lab_wait_for 5 test -s "$LAB_DIR/poll.out" || lab_fail "poller wrote nothing"
"${py[@]}" gaps --stamps "$LAB_DIR/poll.out" --kills "$LAB_DIR/kills" >"$LAB_DIR/gaps.out"

# ---- the same race through dnsbind (the gateway dnsmasq's rot.example.test line sends it to
# dnsbind), then its control: rot.example.test sent to the rotating server directly
restart_gw fwd "$LAB_DIR/nftset-fwd.conf" --servers-file
lab_wait_for 5 lab_dev_exec rot "${py[@]}" q --server 192.168.50.1 --name www.example.test \
	--want 203.0.113.10 || lab_fail "no DNS after the restart"
f0=$(drops)
lab_dev_exec rot "${py[@]}" race --count "$N_RESOLVES" --server 192.168.50.1 \
	--out "$LAB_DIR/frace.out" || lab_fail "dnsbind race round failed"
f1=$(drops)
restart_gw fwd-control "$LAB_DIR/nftset-fwd-control.conf" --servers-file
lab_wait_for 5 lab_dev_exec rot "${py[@]}" q --server 192.168.50.1 --name www.example.test \
	--want 203.0.113.10 || lab_fail "no DNS after the restart"
fc0=$(drops)
lab_dev_exec rot "${py[@]}" race --count "$CONTROL_COUNT" --server 192.168.50.1 \
	--out "$LAB_DIR/fcontrol.out" || lab_fail "dnsbind control round failed"
fc1=$(drops)
for b in dnsbind dnsbind-rot; do
	kill -USR1 "$(cat "$LAB_DIR/$b.pid")"
done
sleep 0.3
bstat() { # NAME KEY: a counter of the last stats line of dnsbind NAME
	grep 'dnsbind=stats' "$LAB_DIR/$1.log" | tail -n 1 | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'
}

# ---- control: the same dnsmasq lines without rot.example.test's binding must be dropped
restart_gw control "$LAB_DIR/nftset-control.conf"
lab_wait_for 5 lab_dev_exec rot "${py[@]}" q --server 192.168.50.1 --name www.example.test \
	--want 203.0.113.10 || lab_fail "no DNS after the restart"
c0=$(drops)
lab_dev_exec rot "${py[@]}" race --count "$CONTROL_COUNT" --server 192.168.50.1 \
	--out "$LAB_DIR/control.out" || lab_fail "control round failed"
c1=$(drops)
kill -USR1 "$(cat "$LAB_DIR/rotdns.pid")"
lab_wait_for 5 test -s "$LAB_DIR/rotdns.stats" || lab_fail "no statistics from the rotating DNS"
read -r up_queries up_answers up_accepts <"$LAB_DIR/rotdns.stats"

# ---- tables
get() { awk -v k="$2" '$1 == k {print $2}' "$1"; }
# lat FILE KIND FIELD: one figure of a latency round's output (3 wrong answers, 4 p50 .. 7 mean)
lat() { awk -v k="$2" -v f="$3" '$1 == k {print $f}' "$LAB_DIR/$1"; }
lat_row() { # FILE LABEL KIND
	printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$(lat "$1" "$3" 4)" "$(lat "$1" "$3" 5)" \
		"$(lat "$1" "$3" 6)" "$(lat "$1" "$3" 7)" "$(lat "$1" "$3" 3)"
}
diff_row() { # FILE LABEL KIND BASELINE [MARK]: KIND's p50 and p99 minus BASELINE's
	local m=${5:-}
	printf '| %s%s%s | %s%s%s | %s%s%s | | | |\n' "$m" "$2" "$m" \
		"$m" "$(($(lat "$1" "$3" 4) - $(lat "$1" "$4" 4)))" "$m" \
		"$m" "$(($(lat "$1" "$3" 5) - $(lat "$1" "$4" 5)))" "$m"
}
nlines=$(grep -c '^nftset=' "$LAB_DIR/nftset-full.conf")
printf '\nDNS name binding: dnsmasq %s --nftset, %d profiles (%d sets, %d dev_profile elements, %d nftset lines; ruleset loaded in %d ms); load average at start %s\n\n' \
	"$(dnsmasq --version | awk 'NR==1{print $3}')" "$N_DEVICES" "$nsets" "$nmap" "$nlines" "$t_load" "$load"
printf '| A query from a device, each a cache miss (%d of each, interleaved) | p50 (µs) | p99 (µs) | max (µs) | mean (µs) | wrong answers |\n|---|---|---|---|---|---|\n' "$LAT_COUNT"
lat_row lat.out "(a) bound name (svc<j>: answer added to dns4_<H>)" bound
lat_row lat.out "(b) unbound name, same dnsmasq (baseline)" unbound
lat_row lat.out "(c) name via a second dnsmasq without any --nftset (baseline)" plain
lat_row lat.out "(d) bound name via dnsbind (dnsmasq server=/svc<j>/127.0.0.1#$BIND_PORT)" fbound
lat_row lat.out "(e) unbound name, same dnsmasq as (d) (baseline)" funbound
diff_row lat.out "added by the nftset binding, (a) − (b)" bound unbound '**'
diff_row lat.out "added by $nlines nftset lines to any answer, (b) − (c)" unbound plain
diff_row lat.out "added by the dnsbind binding, (d) − (e)" fbound funbound '**'
diff_row lat.out "added by $nlines server lines to any answer, (e) − (c)" funbound plain
printf '\n| The forwarder alone: no query through --nftset (%d of each, interleaved) | p50 (µs) | p99 (µs) | max (µs) | mean (µs) | wrong answers |\n|---|---|---|---|---|---|\n' "$LAT_COUNT"
lat_row lat-fwd.out "(c) name via a dnsmasq without any --nftset or server line (baseline)" plain
lat_row lat-fwd.out "(d) bound name via dnsbind" fbound
lat_row lat-fwd.out "(e) unbound name, same dnsmasq as (d) (baseline)" funbound
diff_row lat-fwd.out "added by the dnsbind binding, (d) − (e)" fbound funbound '**'
race_row() { # LABEL FILE DROPS
	local f=$LAB_DIR/$2
	printf '| %s | %s | %s | %s | %s | %s | %s | %s / %s | %s |\n' "$1" \
		"$(get "$f" resolved)" "$(get "$f" distinct)" "$(get "$f" ok)" "$(get "$f" failed)" \
		"$(get "$f" late)" "$3" "$(get "$f" conn_p50_us)" "$(get "$f" conn_p99_us)" "$(get "$f" wall_s)"
}

printf '\n| resolve rot.example.test, then connect at once | resolves | distinct addresses | established | failed | of which late (first SYN lost) | drops counted in the profile chain | connect p50 / p99 (µs) | wall (s) |\n|---|---|---|---|---|---|---|---|---|\n'
race_row "with the binding" race.out "$((d1 - d0))"
race_row "control: binding removed for rot.example.test" control.out "$((c1 - c0))"
race_row dnsbind frace.out "$((f1 - f0))"
race_row "control: rot.example.test not sent to dnsbind" fcontrol.out "$((fc1 - fc0))"
printf '\ndnsbind counters: %s (svc names) and %s (rot.example.test) queries, %s + %s answers relayed, %s + %s bound, %s + %s elements, %s + %s strays, %s + %s upstream timeouts, %s + %s refused transactions, %s + %s over TCP\n' \
	"$(bstat dnsbind queries)" "$(bstat dnsbind-rot queries)" "$(bstat dnsbind answers)" "$(bstat dnsbind-rot answers)" \
	"$(bstat dnsbind bound)" "$(bstat dnsbind-rot bound)" "$(bstat dnsbind elements)" "$(bstat dnsbind-rot elements)" \
	"$(bstat dnsbind strays)" "$(bstat dnsbind-rot strays)" "$(bstat dnsbind timeouts)" "$(bstat dnsbind-rot timeouts)" \
	"$(bstat dnsbind nft_errors)" "$(bstat dnsbind-rot nft_errors)" "$(bstat dnsbind tcp)" "$(bstat dnsbind-rot tcp)"
printf '\nrot.example.test: %s upstream queries, %s addresses handed out, %s TCP connections accepted upstream; dns4 set of rot.example.test holds %s addresses after the main round\n' \
	"$up_queries" "$up_answers" "$up_accepts" "$in_set"

printf '\n| gateway dnsmasq restart (SIGTERM, wait for exit, start) | restarts | SIGTERM → old process gone p50 (ms) | SIGTERM → first answer of the new one p50 / max (ms) | no answer at all p50 / max (ms) |\n|---|---|---|---|---|\n'
while read -r label n pexit pfirst mfirst psilent msilent; do
	case "$label" in
	plain) what="without --nftset (baseline)" ;;
	full) what="with $nlines --nftset lines" ;;
	fwd) what="with $nlines server lines to dnsbind (--servers-file)" ;;
	hup) what="SIGHUP instead (re-reads --servers-file), no restart" ;;
	*) continue ;;
	esac
	printf '| %s | %s | %s | %s / %s | %s / %s |\n' "$what" "$n" "$pexit" "$pfirst" "$mfirst" "$psilent" "$msilent"
done <"$LAB_DIR/gaps.out"

printf '\n| one dnsbind transaction (one element with a timeout, commit, ack), %d each | into | p50 (µs) | p99 (µs) |\n|---|---|---|---|\n' "$COST_COUNT"
i=0
while read -r _ p50 p99; do
	printf '| the gateway with the benchmark ruleset | %s | %s | %s |\n' "${txn_labels[$i]}" "$p50" "$p99"
	i=$((i + 1))
done <"$LAB_DIR/txn.out"

printf '\n| one libnftables `add element` (what dnsmasq does per address), %d each | sets in the namespace | p50 (µs) | p99 (µs) |\n|---|---|---|---|\n' "$COST_COUNT"
for e in "${cost_sweep[@]}"; do
	read -r s p50 p99 <<<"$e"
	printf '| scratch namespace, one table of empty named sets | %s | %s | %s |\n' "$((s + 1))" "$p50" "$p99"
done
read -r p50 p99 <<<"$cost_gw"
printf '| the gateway with the benchmark ruleset | %s named + %s anonymous | %s | %s |\n' "$((nsets + 1))" "$anon" "$p50" "$p99"

# Verdicts: the binding never loses a connection; without it the check does fail.
if [ "$(get "$LAB_DIR/race.out" failed)" != 0 ] || [ "$d1" != "$d0" ]; then
	lab_fail "connections failed or were dropped with the binding"
fi
if [ "$(get "$LAB_DIR/control.out" failed)" = 0 ] || [ "$c1" = "$c0" ]; then
	lab_fail "the control round was not dropped: the check cannot fail"
fi
if [ "$(get "$LAB_DIR/frace.out" failed)" != 0 ] || [ "$f1" != "$f0" ]; then
	lab_fail "connections failed or were dropped with dnsbind"
fi
if [ "$(get "$LAB_DIR/fcontrol.out" failed)" = 0 ] || [ "$fc1" = "$fc0" ]; then
	lab_fail "the dnsbind control round was not dropped: the check cannot fail"
fi

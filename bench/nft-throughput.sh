#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: forwarding throughput through the lab gateway with the enforcement ruleset of N
# devices loaded (base tables, every profile of the MUD corpus, N devices in the maps, loaded by
# bench_nft_apply -L through the parent's code) against no homegate ruleset, in the same run.
# One lab device is one of the N, under a profile allowing TCP 5201 to 203.0.113.10 only; iperf3
# runs from it to a server on that address in the lab's upstream namespace. RUNS runs of each
# state, interleaved (none, loaded, loaded, none, ...), SECONDS each after 1 s of warm-up that
# iperf3 omits. Prints a markdown table: Gbit/s median, min, max per state and the ratio.
# Every packet stays inside the lab's namespaces (tests/lab/lab.sh), which are removed on exit.
# With perf installed, one more run of each state is sampled system-wide to show the CPU share of
# nf_tables in the forwarding path (NFT_BENCH_PERF=0 turns that off).
# Usage: bench/nft-throughput.sh [DEVICES [RUNS [SECONDS]]]   (default 1000 7 5; root)
#        HOMEGATE_BUILD defaults to build/, MUD_CORPUS to ../shared/data/mud beside the repository
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export HOMEGATE_SRC=$here
export HOMEGATE_BUILD=${HOMEGATE_BUILD:-$here/build}
devices=${1:-1000}
runs=${2:-7}
secs=${3:-5}
data=${MUD_CORPUS:-$here/../shared/data/mud}
bin=$HOMEGATE_BUILD/bench_nft_apply

# shellcheck source=../tests/lab/lab.sh
. "$here/tests/lab/lab.sh"
if [ "$(id -u)" != 0 ]; then
	echo "skip: the throughput benchmark needs root (network namespaces)"
	exit 0
fi
command -v iperf3 >/dev/null || { echo "skip: iperf3 is not installed (make deps)"; exit 0; }
[ -x "$bin" ] || { echo "nft-throughput.sh: $bin is not built" >&2; exit 1; }
if [ ! -d "$data" ]; then
	echo "note: no MUD corpus at $data; using the project's tests/data/mud instead"
	data=$here/tests/data/mud
fi

lab_up
lab_dev_add client

server=203.0.113.10
cat >"$LAB_DIR/iperf-client.json" <<-EOF
	{
	  "ietf-mud:mud": {
	    "mud-version": 1,
	    "mud-url": "https://bench.example.test/iperf-client.json",
	    "last-update": "2026-01-01T00:00:00+00:00",
	    "cache-validity": 48,
	    "is-supported": true,
	    "systeminfo": "homegate throughput benchmark client",
	    "from-device-policy": {"access-lists": {"access-list": [{"name": "from-client"}]}},
	    "to-device-policy": {"access-lists": {"access-list": [{"name": "to-client"}]}}
	  },
	  "ietf-access-control-list:acls": {"acl": [
	    {"name": "from-client", "type": "ipv4-acl-type", "aces": {"ace": [
	      {"name": "iperf3", "matches": {
	          "ipv4": {"protocol": 6, "destination-ipv4-network": "$server/32"},
	          "tcp": {"destination-port": {"operator": "eq", "port": 5201}}},
	        "actions": {"forwarding": "accept"}}]}},
	    {"name": "to-client", "type": "ipv4-acl-type", "aces": {"ace": [
	      {"name": "iperf3", "matches": {
	          "ipv4": {"protocol": 6, "source-ipv4-network": "$server/32"},
	          "tcp": {"source-port": {"operator": "eq", "port": 5201}}},
	        "actions": {"forwarding": "accept"}}]}}
	  ]}
	}
EOF

mac=$(lab_dev_mac client)
ip4=$(lab_dev_ip client)
addrs=(-a "$ip4")
# its SLAAC address, when the router advertisement has arrived
lab_wait_for 10 sh -c "ip -n $(lab_dev_ns client) -6 addr show dev eth0 scope global | grep -q inet6" || true
ip6=$(ip -n "$(lab_dev_ns client)" -6 addr show dev eth0 scope global | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }')
[ -n "$ip6" ] && addrs+=(-a "$ip6")

lab_spawn "$LAB_WAN" iperf3 iperf3 -s -B "$server"
lab_wait_for 5 sh -c "ip netns exec $LAB_WAN ss -ltnH 'sport = :5201' | grep -q LISTEN" ||
	{ lab_show_log iperf3; lab_fail "iperf3 server did not start"; }

load() {
	"$bin" -N "$LAB_GW" -L -n "$devices" -m "$mac" "${addrs[@]}" -f "$LAB_DIR/iperf-client.json" \
		"$data" >"$LAB_DIR/load.log" 2>&1 || { cat "$LAB_DIR/load.log" >&2; lab_fail "loading the ruleset failed"; }
}
unload() {
	lab_gw_exec nft delete table inet homegate 2>/dev/null || true
	lab_gw_exec nft delete table bridge homegate 2>/dev/null || true
}
# TCP to the lab's discard sink: allowed without our ruleset, dropped under the profile.
reach_discard() { lab_dev_exec client timeout 2 bash -c "exec 3<>/dev/tcp/$server/9" 2>/dev/null; }
# one iperf3 run; prints Gbit/s received
run() {
	lab_dev_exec client iperf3 -c "$server" -t "$secs" -O 1 -J --connect-timeout 3000 >"$LAB_DIR/run.json" ||
		{ cat "$LAB_DIR/run.json" >&2; lab_fail "iperf3 failed"; }
	python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e9))' "$LAB_DIR/run.json"
}

# Sanity: the device really is under its profile when the ruleset is loaded.
unload
reach_discard || lab_fail "the device cannot reach $server:9 without any homegate ruleset"
load
loaded_line=$(grep '^loaded' "$LAB_DIR/load.log")
corpus_line=$(grep '^corpus' "$LAB_DIR/load.log")
if reach_discard; then lab_fail "the device reached $server:9 under its profile: ruleset not in force"; fi
elements=$(lab_gw_exec nft list map inet homegate dev_profile | grep -o 'jump out_' | wc -l)

none=() with=()
state=loaded
for ((r = 0; r < runs; r++)); do
	for want in $([ $((r % 2)) = 0 ] && echo "none loaded" || echo "loaded none"); do
		if [ "$want" != "$state" ]; then
			if [ "$want" = none ]; then unload; else load; fi
			state=$want
		fi
		g=$(run)
		if [ "$want" = none ]; then none+=("$g"); else with+=("$g"); fi
		echo "run $r $want $g Gbit/s" >&2
	done
done

# Where the CPU goes, independent of the machine's other load: with perf, one more run of each
# state sampled system-wide; the share of nf_tables (nft_*) and of all netfilter functions among
# the samples of the processes that carry the forwarding (iperf3 and ksoftirqd, softirqs run in
# their context).
share_none="" share_with=""
if command -v perf >/dev/null && [ "${NFT_BENCH_PERF:-1}" = 1 ]; then
	for want in none loaded; do
		if [ "$want" != "$state" ]; then
			if [ "$want" = none ]; then unload; else load; fi
			state=$want
		fi
		perf record -q -a -F 999 -o "$LAB_DIR/perf-$want.data" -- ip netns exec "$(lab_dev_ns client)" \
			iperf3 -c "$server" -t "$secs" -O 1 -J >"$LAB_DIR/perf-$want.json" 2>/dev/null || continue
		share=$(perf script -i "$LAB_DIR/perf-$want.data" -F comm,ip,sym 2>/dev/null | awk '
			$1 == "iperf3" || $1 ~ /^ksoftirqd/ { n++; if ($3 ~ /^nft_/) t++; if ($3 ~ /^(nft?_|br_nf|ipv4_conntrack|ipv6_conntrack)/) f++ }
			END { if (n) printf "%.1f %% nft_*, %.1f %% all netfilter (%d samples)", 100 * t / n, 100 * f / n, n }')
		if [ "$want" = none ]; then share_none=$share; else share_with=$share; fi
	done
fi

stats() { # median min max of the arguments
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
		printf "%.2f %.2f %.2f", m, v[1], v[NR] }'
}
read -r nm nmin nmax <<<"$(stats "${none[@]}")"
read -r wm wmin wmax <<<"$(stats "${with[@]}")"
ratio=$(awk -v a="$wm" -v b="$nm" 'BEGIN { printf "%.0f", 100 * a / b }')
# Runs r of both states ran back to back: their ratio sees the same neighbours on the machine.
pairs=()
for ((r = 0; r < runs; r++)); do
	pairs+=("$(awk -v a="${with[r]}" -v b="${none[r]}" 'BEGIN { printf "%.1f", 100 * a / b }')")
done
read -r pm pmin pmax <<<"$(stats "${pairs[@]}")"

printf '\n%s (%s); ruleset: %s, %s device entries in inet dev_profile; iperf3 -t %s -O 1, one TCP stream, IPv4 with NAT\n\n' \
	"${corpus_line#corpus }" "$data" "$loaded_line" "$elements" "$secs"
printf '| ruleset in the gateway | runs | Gbit/s median | min | max | all runs |\n'
printf '|---|---|---|---|---|---|\n'
printf '| none (baseline, same run) | %s | %s | %s | %s | %s |\n' "${#none[@]}" "$nm" "$nmin" "$nmax" "${none[*]}"
printf '| homegate, %s devices (client under its profile) | %s | %s | %s | %s | %s |\n' \
	"$devices" "${#with[@]}" "$wm" "$wmin" "$wmax" "${with[*]}"
[ -z "$share_with" ] || printf '\nCPU in the forwarding path (perf, one more run each): none: %s; loaded: %s\n' \
	"$share_none" "$share_with"
printf '\nloaded / none: %s %% of the medians; per back-to-back pair: median %s %%, range %s–%s %% (target >= 90 %%)\n' \
	"$ratio" "$(printf '%.0f' "$pm")" "$(printf '%.0f' "$pmin")" "$(printf '%.0f' "$pmax")"

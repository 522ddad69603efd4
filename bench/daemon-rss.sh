#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: homegated with N real lab devices (default 50), each joining over real DHCP.
# Prints a table: resident memory of the parent and the engine (with the same numbers for an
# idle dnsmasq in the same run as a baseline), and lease-to-registry latency p50/p99/max.
# Usage: bench/daemon-rss.sh [N]     (root; HOMEGATE_BUILD defaults to build/)
set -euo pipefail
N=${1:-50}
here=$(cd "$(dirname "$0")/.." && pwd)
export HOMEGATE_BUILD=${HOMEGATE_BUILD:-$here/build}
LAB_LOG_LEVEL=info
. "$here/tests/lab/lab.sh"
lab_require_root

rss_kb() { awk '/^VmRSS:/{print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/{print $2}' "/proc/$1/status"; }
# Memory only this process holds (private pages): shared libraries mapped by both homegated
# processes (libcurl, OpenSSL, libnftables, SQLite) count once in the machine, not per process.
uss_kb() { awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s}' "/proc/$1/smaps_rollup"; }

lab_up
lab_start_homegated
engine=$(lab_engine_pid)
base_parent=$(rss_kb "$LAB_HG_PID")
base_engine=$(rss_kb "$engine")
lat=()
for i in $(seq 1 "$N"); do
	lab_dev_add "d$i" --hostname "dev$i" --vendor "udhcp 1.30.1" --options 1,3,6,12,15,28,42 \
		--mud "https://mud.example.test/d$i.json"
	t0=$(date +%s%N)
	mac=$(lab_dev_mac "d$i")
	until "$HOMEGATE_BUILD/homegate" -s "$LAB_SOCK" device "$mac" >/dev/null 2>&1; do sleep 0.001; done
	lat+=($(( ($(date +%s%N) - t0) / 1000 )))
done
n=$(lab_hg --json devices | grep -c '"mac"')
[ "$n" = "$N" ] || lab_fail "$n devices registered, expected $N"
dnsmasq_pid=$(cat "$LAB_DIR/dnsmasq-gw.pid")
sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
p() { printf '%s\n' "$sorted" | awk -v q="$1" '{a[NR]=$1} END{i=int(NR*q+0.999); if(i<1)i=1; print a[i]}'; }
printf '\nhomegated with %d lab devices (each a namespace with busybox udhcpc)\n\n' "$N"
printf '| process | RSS at start (KiB) | RSS with %d devices (KiB) | peak RSS (KiB) | private with %d devices (KiB) |\n|---|---|---|---|---|\n' "$N" "$N"
printf '| homegated parent | %s | %s | %s | %s |\n' "$base_parent" "$(rss_kb "$LAB_HG_PID")" "$(hwm_kb "$LAB_HG_PID")" "$(uss_kb "$LAB_HG_PID")"
printf '| homegated engine | %s | %s | %s | %s |\n' "$base_engine" "$(rss_kb "$engine")" "$(hwm_kb "$engine")" "$(uss_kb "$engine")"
printf '| dnsmasq (baseline, same run) | - | %s | %s | %s |\n' "$(rss_kb "$dnsmasq_pid")" "$(hwm_kb "$dnsmasq_pid")" "$(uss_kb "$dnsmasq_pid")"
printf '\n| lease -> visible in `homegate device` | p50 | p99 | max |\n|---|---|---|---|\n'
printf '| microseconds (includes one CLI round trip) | %s | %s | %s |\n' "$(p 0.5)" "$(p 0.99)" "$(p 1.0)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: DPP onboardings over TCP, our Controller (homegate-dpp-peer controller) against
# hostapd 2.10's (driver=none, DPP_CONTROLLER_START), with the same wpa_supplicant 2.10 Enrollee
# driving N sequential onboardings to each (DPP_QR_CODE once per controller, then DPP_AUTH_INIT
# until DPP-NETWORK-ID, and the controller's own completion before the next), in interleaved
# rounds (ours, hostapd, ours, ...) so that noise hits both, for a dpp (Connector) and a psk
# credential. Prints a markdown table: Enrollee wall time per onboarding (p50, p99),
# onboardings/s over the rounds, and the controller's CPU time per onboarding (the scheduler's
# sum_exec_runtime, and utime+stime in clock ticks), with the Enrollee's CPU for reference.
# Everything runs in a private network namespace, removed on exit; no debug logging in either
# controller.
# Usage: bench/dpp-onboard.sh [N [ROUND]]   (root; default 200 per controller and credential,
#        20 per round; HOMEGATE_BUILD defaults to build/, DPP_BENCH_AKM to "dpp,psk")
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${HOMEGATE_BUILD:-$here/build}
n=${1:-200}
round=${2:-20}
akms=${DPP_BENCH_AKM:-dpp,psk}
peer=$build/homegate-dpp-peer

if [ "$(id -u)" != 0 ]; then
	echo "skip: the DPP benchmark needs root (a network namespace, wpa_supplicant's raw socket)"
	exit 0
fi
for p in hostapd wpa_supplicant python3 ip; do
	command -v $p >/dev/null || { echo "skip: $p is not installed (make deps)"; exit 0; }
done
[ -x "$peer" ] || { echo "dpp-onboard.sh: $peer is not built" >&2; exit 1; }
if [ "$n" -lt 1 ] || [ "$round" -lt 1 ]; then
	echo "N and ROUND must be at least 1" >&2
	exit 2
fi

ns=hgdppb$$
dir=$(mktemp -d /tmp/homegate-dppbench.XXXXXX)
cleanup() {
	ip netns del "$ns" 2>/dev/null || true
	rm -rf "$dir"
}
trap cleanup EXIT
ip netns add "$ns"
ip -n "$ns" link set lo up

out=$(ip netns exec "$ns" python3 "$here/bench/dpp-onboard.py" --peer "$peer" --dir "$dir" \
	--n "$n" --round "$round" --akm "$akms") || {
	echo "dpp-onboard.sh: the run failed" >&2
	for f in "$dir"/ours-*.err "$dir"/hapd-*/log "$dir"/wpas/log; do
		[ -f "$f" ] && { echo "--- $f" >&2; tail -5 "$f" >&2; }
	done
	exit 1
}

val() { # val AKM CONTROLLER KEY
	awk -v a="akm=$1" -v c="controller=$2" -v k="$3" '$1 == "result" && $2 == a && $3 == c {
		for (i = 4; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' <<<"$out"
}
setup=$(sed -n 's/^setup //p' <<<"$out")
printf '\n%s onboardings per controller and credential, %s per round, interleaved; %s\n\n' \
	"$n" "$round" "$setup"
printf '| credential | controller | ok | wall p50 (ms) | wall p99 (ms) | onboardings/s |'
printf ' controller CPU per onboarding (ms) | same, utime+stime (ms) | Enrollee CPU (ms) |\n'
printf '|---|---|---|---|---|---|---|---|---|\n'
IFS=, read -r -a list <<<"$akms"
for a in "${list[@]}"; do
	for c in ours hostapd; do
		# shellcheck disable=SC2016 # markdown code spans, not expansions
		case $c in
		ours) label='homegate (`homegate-dpp-peer controller`)' ;;
		*) label='hostapd 2.10 (`DPP_CONTROLLER_START`)' ;;
		esac
		printf '| %s | %s | %s/%s | %s | %s | %s | %s | %s | %s |\n' "$a" "$label" \
			"$(val "$a" $c ok)" "$n" "$(val "$a" $c p50_ms)" "$(val "$a" $c p99_ms)" \
			"$(val "$a" $c per_s)" "$(val "$a" $c cpu_ms)" "$(val "$a" $c cpu_ticks_ms)" \
			"$(val "$a" $c wpas_cpu_ms)"
	done
done
printf '\n'
for a in "${list[@]}"; do
	awk -v a="$a" -v o="$(val "$a" ours cpu_ms)" -v h="$(val "$a" hostapd cpu_ms)" \
		-v po="$(val "$a" ours p50_ms)" -v ph="$(val "$a" hostapd p50_ms)" \
		'BEGIN { printf "%s: ours/hostapd controller CPU %.2f×, wall p50 %.2f×\n", a,
			(h > 0 ? o / h : 0), (ph > 0 ? po / ph : 0) }'
done

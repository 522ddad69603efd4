#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: enforcement at scale. (1) bench_nft_apply in a private network namespace: policy
# apply latency for N devices under the MUD corpus's profiles through src/policy/nft.c, the full
# load (nft_dev_sync) and the hot path (one device's elements) against the same elements sent as
# bare libnftnl + libmnl batches in the same run; (2) bench/nft-throughput.sh: forwarding
# throughput through the lab gateway with that ruleset loaded against none. Prints markdown
# tables. Needs root; takes a few minutes. Run by hand, never by CTest.
# Usage: bench/nft-scale.sh [DEVICES [ROUNDS [SAMPLES [RUNS]]]]   (default 1000 5 300 7)
#        HOMEGATE_BUILD defaults to build/, MUD_CORPUS to ../shared/data/mud beside the repository
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
export HOMEGATE_BUILD=${HOMEGATE_BUILD:-$here/build}
devices=${1:-1000}
rounds=${2:-5}
samples=${3:-300}
runs=${4:-7}
data=${MUD_CORPUS:-$here/../shared/data/mud}
bin=$HOMEGATE_BUILD/bench_nft_apply
if [ "$(id -u)" != 0 ]; then
	echo "skip: the enforcement benchmarks need root (network namespaces)"
	exit 0
fi
[ -x "$bin" ] || { echo "nft-scale.sh: $bin is not built" >&2; exit 1; }
if [ ! -d "$data" ]; then
	echo "note: no MUD corpus at $data; using the project's tests/data/mud instead"
	data=$here/tests/data/mud
fi
export MUD_CORPUS=$data

# (1) in a namespace the program makes itself and that vanishes with it
out=$("$bin" -n "$devices" -r "$rounds" -s "$samples" "$data")

field() { # field RECORD-PREFIX KEY
	awk -v p="$1" -v k="$2" 'index($0, p) == 1 { for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == k) { print kv[2]; exit } } }' <<<"$out"
}
s() { field "series name=$1 " "$2"; }
ratio() { field "ratio name=$1 " value; }
lat() { # lat SERIES LABEL
	printf '| %s | %s | %s | %s | %s |\n' "$2" "$(s "$1" n)" "$(s "$1" p50_us)" "$(s "$1" p99_us)" "$(s "$1" max_us)"
}
cmp() { # cmp OURS FLOOR RATIO LABEL FLOOR-LABEL
	printf '| %s | %s | %s | %s | %s | %s | %s× |\n' "$4" "$(s "$1" p50_us)" "$(s "$1" p99_us)" "$5" \
		"$(s "$2" p50_us)" "$(s "$2" p99_us)" "$(ratio "$3")"
}
rounds_ms=$(awk '/^apply_round/ { split($3, kv, "="); printf "%s%s", sep, kv[2]; sep = ", " }' <<<"$out")

printf '\n%s (%s); %s rounds from empty tables, all %s devices in each; per round (ms): %s\n\n' \
	"$(grep '^corpus' <<<"$out" | cut -d' ' -f2-)" "$data" "$rounds" "$devices" "$rounds_ms"
printf '| per device: profile install if new + nft_dev_policy (2 addresses) | samples | p50 µs | p99 µs | max µs |\n'
printf '|---|---|---|---|---|\n'
lat apply 'every device'
lat apply_install '… whose profile was new (nft_profile_install + nft_dev_policy)'
lat apply_plain '… whose profile was installed (nft_dev_policy alone)'
lat apply_plain_first10pct '… of these, among the first 10 % of devices'
lat apply_plain_last10pct '… of these, among the last 10 % of devices'

printf '\nSame run, interleaved; floor = the same elements as libnftnl + libmnl batches, acked; ratio of p50s\n\n'
printf '| operation (%s devices loaded) | ours p50 µs | ours p99 µs | floor | floor p50 µs | floor p99 µs | ours / floor |\n' "$devices"
printf '|---|---|---|---|---|---|---|\n'
elements=$(field corpus elements)
per=$(awk -v e="$elements" -v n="$devices" 'BEGIN { printf "%g", e / n }')
cmp sync_ours sync_floor sync "full load: \`nft_dev_sync\` of $devices devices (flush 5 maps + $elements elements, one transaction)" 'one batch'
cmp sync_grouped sync_floor sync_grouped '… the same transaction as libnftables text, one `add element` per map and set (not what nft.c sends)' 'one batch'
cmp add_ours add_floor_batch add_batch "hot path: \`nft_dev_policy\`, new device, 2 addresses ($per elements: 5 map entries, maker and model sets)" "its $per elements, one batch"
cmp add_ours add_floor_elems add_elems '〃' "$per batches, one element each"
cmp del_ours del_floor_batch del_batch 'remove it: `nft_dev_profile(NONE)`' "delete its $per elements, one batch"
cmp del_ours del_floor_elems del_elems '〃' "$per batches, one element each"
cmp move_ours move_floor move 'address change: `nft_dev_policy`, new IPv4 address' 'delete + add the dev_in4 element'
printf '| — | | | one element, one batch | %s | %s | |\n' "$(s floor_one_elem p50_us)" "$(s floor_one_elem p99_us)"
printf '\nfloor check: %s\n' "$(grep '^check' <<<"$out")"

# (2) throughput in the lab
printf '\n'
"$here/bench/nft-throughput.sh" "$devices" "$runs" 5

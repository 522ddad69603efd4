#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Benchmark: parse, validate and summarise every MUD file (*.json, recursively) of the
# real-world corpus, N rounds, with json-c parsing the same bytes alone as the baseline in the
# same run. Prints a markdown table: files/s, MB/s, microseconds per file (median round, and
# best round) and peak RSS per phase. Skips (exit 0) when the corpus is absent.
# Usage: bench/mud-parse.sh [ROUNDS]   (default 50; HOMEGATE_BUILD defaults to build/,
#        MUD_CORPUS to ../shared/data/mud beside the repository)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=${HOMEGATE_BUILD:-$here/build}
data=${MUD_CORPUS:-$here/../shared/data/mud}
rounds=${1:-50}
if [ ! -d "$data" ]; then
	echo "skip: no MUD corpus at $data (it is only on development machines)"
	exit 0
fi
bin=$build/bench_mud_parse
[ -x "$bin" ] || { echo "mud-parse.sh: $bin is not built" >&2; exit 1; }
out=$("$bin" -n "$rounds" "$data")
case $out in skip:*) echo "$out"; exit 0 ;; esac

# key=value lines → a table
val() { # val RECORD-PREFIX KEY
	awk -v p="$1" -v k="$2" 'index($0, p) == 1 { for (i = 1; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == k) print kv[2] } }' <<<"$out"
}
files=$(val corpus files)
bytes=$(val corpus bytes)
row() { # row PHASE LABEL
	local p="phase name=$1"
	printf '| %s | %s | %s | %s | %s | %s |\n' "$2" "$(val "$p" files_per_s)" "$(val "$p" mb_per_s)" \
		"$(val "$p" us_per_file)" "$(val "$p" us_per_file_best)" "$(val "$p" peak_rss_kib)"
}
printf '\n%s files, %s bytes, %s rounds (median round), %s skipped; %s accepted, %s rejected\n\n' \
	"$files" "$bytes" "$rounds" "$(val corpus skipped)" "$(val result accepted)" "$(val result rejected)"
printf '| phase | files/s | MB/s | µs per file | µs per file, best round | peak RSS (KiB) |\n'
printf '|---|---|---|---|---|---|\n'
row baseline 'json-c `json_tokener_parse_ex` alone (baseline, same run)'
row full '`mud_parse` (JSON + validation + policy model) + `mud_summarise` + `mud_summary_text`'
printf '\nfull / baseline time: %s× (median rounds), %s× (best rounds); RSS with the corpus loaded, before either phase: %s KiB\n' \
	"$(val result ratio)" "$(val result ratio_best)" "$(val corpus loaded_rss_kib)"

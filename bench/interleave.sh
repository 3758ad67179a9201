#!/usr/bin/env bash
# Compares builds of lifecycle_bench on a noisy machine: runs each binary in turn, ROUNDS times,
# so that a neighbour's load falls on all of them alike, and prints every run and the means.
#
#   bench/interleave.sh ROUNDS BINARY... [-- ARGS for every run]
#
# e.g. copy build/bench/lifecycle_bench to /tmp/before and /tmp/after from two commits, then
#   bench/interleave.sh 10 /tmp/before /tmp/after
set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 ROUNDS BINARY... [-- ARGS]" >&2
  exit 2
fi
rounds=$1
shift
binaries=()
while [[ $# -gt 0 && $1 != "--" ]]; do
  binaries+=("$1")
  shift
done
[[ $# -gt 0 ]] && shift
args=("$@")

results=$(mktemp)
trap 'rm -f "$results"' EXIT
printf '%-28s %12s %14s %8s\n' binary commands/s "CPU us/cmd" ratio
for ((r = 1; r <= rounds; ++r)); do
  for b in "${binaries[@]}"; do
    out=$("$b" "${args[@]}" 2>&1) || { echo "$b failed:" >&2; echo "$out" >&2; exit 1; }
    cmds=$(awk '/^commands\/s/ {print $2}' <<<"$out")
    cpu=$(awk '/^CPU / {print $2}' <<<"$out")
    ratio=$(awk '/^ratio/ {print $NF}' <<<"$out")
    printf '%-28s %12s %14s %8s\n' "$b" "$cmds" "$cpu" "$ratio" | tee -a "$results"
  done
done
echo
awk '{n[$1]++; c[$1] += $2; u[$1] += $3; q[$1] += $4}
     END {for (b in n) printf "mean %-23s %12.0f %14.2f %8.3f  (%d runs)\n",
                                b, c[b] / n[b], u[b] / n[b], q[b] / n[b], n[b]}' "$results"

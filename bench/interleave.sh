#!/usr/bin/env bash
# Compares builds of a benchmark on a noisy machine: runs each binary in turn, ROUNDS times, so
# that a neighbour's load falls on all of them alike; prints every run, then for each binary the
# median and the mean of its commands/s, of its CPU per command (lifecycle_bench) and of its
# ratio to the baseline the benchmark runs beside it.
#
#   bench/interleave.sh ROUNDS BINARY... [-- ARGS for every run]
#
# e.g. copy build/bench/lifecycle_bench (or http_bench) to /tmp/before and /tmp/after from two
# commits, then
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
    # lifecycle_bench: "commands/s   N" and "CPU   N us per command"; http_bench: the peak line,
    # "... N commands/s, ...". Both: "ratio ... = N".
    cmds=$(awk '/^commands\/s/ {print $2}
                /^peak / {for (i = 2; i <= NF; i++) if ($i == "commands/s,") print $(i - 1)}' \
               <<<"$out")
    cpu=$(awk '/^CPU / {print $2}' <<<"$out")
    ratio=$(awk '/^ratio/ {print $NF}' <<<"$out")
    printf '%-28s %12s %14s %8s\n' "$b" "$cmds" "${cpu:--}" "$ratio" | tee -a "$results"
  done
done
echo
# Per binary: the median and the mean of each column ("-" stays "-").
awk '{n[$1]++; for (c = 2; c <= 4; c++) v[$1, c, n[$1]] = $c}
     function median(b, c,    k, i, j, t, a) {
       k = n[b]
       for (i = 1; i <= k; i++) a[i] = v[b, c, i]
       for (i = 2; i <= k; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
         t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
       }
       return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
     }
     function mean(b, c,    i, s) {
       for (i = 1; i <= n[b]; i++) s += v[b, c, i]
       return s / n[b]
     }
     END {
       printf "%-28s %5s %12s %12s %10s %10s %8s %8s\n", "binary", "runs", "median c/s",
              "mean c/s", "med us/cmd", "mean us/cmd", "med ratio", "mean ratio"
       for (b in n) {
         cpu = v[b, 3, 1] == "-"
         printf "%-28s %5d %12.0f %12.0f %10s %10s %8.3f %8.3f\n", b, n[b], median(b, 2),
                mean(b, 2), cpu ? "-" : sprintf("%.2f", median(b, 3)),
                cpu ? "-" : sprintf("%.2f", mean(b, 3)), median(b, 4), mean(b, 4)
       }
     }' "$results"

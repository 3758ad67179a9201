#!/usr/bin/env bash
# Builds the fuzz targets with clang and libFuzzer (+ ASan, UBSan) and runs each for SECONDS
# (default 600), one after the other, starting from its seeds. A finding stops that target and
# is saved under BUILD/findings/; copy it into tests/fuzz/corpus/<target>/ to keep it as a
# regression test once fixed.
#   tests/fuzz/run.sh [SECONDS] [BUILD_DIR] [TARGET...]
# FUZZ_FLAGS adds libFuzzer flags, e.g. "-fork=1 -ignore_timeouts=1" to go on past the known
# yaml-cpp hang (tests/fuzz/findings/yaml-cpp-hang.yaml) and count such timeouts.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
build=${2:-build-fuzz}
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(flow_loader http_request json_body)
command -v clang++ >/dev/null || { echo "clang is missing: apt-get install clang" >&2; exit 1; }
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVOCFLOW_FUZZ=ON -DVOCFLOW_TESTS=OFF -DVOCFLOW_BENCH=OFF >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")
mkdir -p "$build/findings"
status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  seeds=(tests/fuzz/corpus/$t)
  [ "$t" = flow_loader ] && seeds+=(examples/flows)
  echo "== $t: $seconds s"
  if ! UBSAN_OPTIONS=suppressions=$PWD/tests/sanitizers.supp:halt_on_error=1:print_stacktrace=1 \
      "$build/tests/fuzz/fuzz_$t" "$corpus" "${seeds[@]}" -max_total_time="$seconds" \
      -max_len=65536 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
      -artifact_prefix="$build/findings/$t-" ${FUZZ_FLAGS:-} 2>"$build/$t.log"; then
    echo "!! $t found something: see $build/$t.log and $build/findings/"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|^#[0-9]+ *DONE" "$build/$t.log" || true
  echo "corpus: $(ls "$corpus" | wc -l) inputs"
done
exit $status

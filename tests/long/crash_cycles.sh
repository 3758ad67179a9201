#!/usr/bin/env bash
# The long crash run: CYCLES (default 20) rounds of SIGKILL at a random moment under load
# (4 writers, fsync, SLA timers firing at 20000x), restart on the same folder, then every check
# of tests/actors/crash_test.cpp. `make test` runs the short form (3 cycles).
#   tests/long/crash_cycles.sh [CYCLES] [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
cycles=${1:-20}
build=${2:-build}
cmake --build "$build" --target crash_tests load_child
VOCFLOW_CRASH_CYCLES=$cycles "$build/tests/crash_tests" --gtest_output=json:"$build/crash_cycles.json"
python3 - "$build/crash_cycles.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))["testsuites"][0]["testsuite"][0]
print("cycles {cycles}, acknowledged commands {acknowledged_commands}, tickets {tickets}, "
      "timer events {timer_events_before_kill}, seed {seed}, {time}".format(**t))
PY

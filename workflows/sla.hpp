// Where a clock's thresholds lie: its warning, its escalation levels and its breach, in
// business time from the clock's start. Shared by the engine, the simulator and the graph.
#pragma once

#include "workflows/model.hpp"
#include "workflows/ticket.hpp"

#include <cstdint>
#include <vector>

namespace vocflow {

struct threshold {
  enum class kind : uint8_t { warn, breach, level, timeout };
  millis at{0};
  kind what = kind::breach;
  int32_t level = -1;  // kind == level: index into the target's escalation chain
};

// The target a clock measures (nullptr for a step timeout or a target that is gone).
const sla_target* target_of(const flow& f, const sla_clock& c);

// A clock's thresholds, sorted by `at` (warning, then breach, then levels at the same time).
// At most 32, as a clock records which have fired in a 32-bit mask.
std::vector<threshold> thresholds(const flow& f, const sla_clock& c);

// The name of the root-cause task a ticket gets when compensation passes the threshold.
inline constexpr std::string_view root_cause_task = "root_cause";

}  // namespace vocflow

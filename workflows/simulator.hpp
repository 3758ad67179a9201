// Runs a scenario through the engine with a virtual clock: timers fire at their due times
// between the scripted actions, exactly as the server would fire them. The result is the
// timeline (events, refused actions), the final ticket and the verdict on each expectation.
#pragma once

#include "workflows/scenario.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace vocflow {

struct timeline_item {
  time_point at;
  std::optional<event> happened;  // an event, or
  std::string action;             // an action that was refused
  std::optional<rejection> refused;
  bool refusal_expected = false;
};

struct check_result {
  std::string what;
  bool ok = false;
  std::string detail;  // what was found instead
  source_pos pos;
};

struct simulation {
  std::vector<timeline_item> timeline;
  ticket final_state;
  std::vector<check_result> checks;
  size_t timers_fired = 0;

  bool ok() const;
};

simulation simulate(const flow& f, const scenario& s);

// The timeline for people: wall time in the flow's zone, business time since opening, events.
std::string render_text(const simulation& sim, const flow& f, const scenario& s);
nlohmann::json render_json(const simulation& sim, const flow& f, const scenario& s);

}  // namespace vocflow

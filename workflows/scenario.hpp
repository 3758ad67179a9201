// Scenarios: a ticket's story as a process owner writes it to try a flow — when it opens, what
// it says, who does what when, and what should happen (expectations), all in the flow
// calendar's local time.
#pragma once

#include "workflows/catalog.hpp"
#include "workflows/engine.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vocflow {

struct scenario_action {
  time_point at;
  command cmd;
  std::string expect_rejection;  // a reject_code name when the action should be refused
  source_pos pos;
};

// An event that should happen: its type, optionally when, how often and with which fields.
struct event_expectation {
  std::string type;
  std::optional<time_point> at;
  std::optional<int> count;
  std::map<std::string, std::string> fields;  // compared with the event's JSON values
  source_pos pos;
};

struct scenario {
  std::string name;
  std::string file;
  std::string flow_id;  // optional: the flow the scenario is written for
  time_point start;
  std::string ticket_id = "T-1";
  ticket_fields info;
  actor_ref opened_by{"intake", "system"};
  money customer_granted;  // compensation the customer already received within the period
  std::vector<scenario_action> actions;
  std::optional<time_point> until;  // let timers run until then (default: 60 days on)
  std::vector<event_expectation> expect_events;
  std::map<std::string, std::string> expect_state;  // compared with the final ticket's JSON
  source_pos expect_state_pos;
};

// Reads a scenario for flow `f` (its calendar gives local times their zone).
[[nodiscard]] std::optional<scenario> load_scenario(const source_file& file, const flow& f,
                                                    diagnostics& diags);

}  // namespace vocflow

// The metrics actor: folds every committed event into the figures ops watch in Prometheus
// (tickets opened/closed/reopened, open tickets by department and step, SLA warnings and
// breaches, escalations, cycle times, hand-offs, compensation, pending approvals) and renders
// them, with the runtime's own statistics, in the Prometheus text format.
//
// Label sets stay bounded: no ticket ids; free-form values (channel, category) beyond the
// first 64 distinct ones of a label are counted as "other".
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

#include <map>

namespace vocflow::actors {

using metrics_atom = caf::atom_constant<caf::atom("metrics")>;

//   committed: from every partition (subscribe it with runtime::subscribe).
//   metrics:   the exposition text (for GET /metrics).
using steps_atom = caf::atom_constant<caf::atom("steps")>;

// The open tickets of one step of a flow, and how many of them missed a target.
struct step_count {
  std::string step;
  int64_t open = 0, breached = 0;
};

//   steps:     a flow's open tickets by step (any version).
using metrics_actor = subscriber_actor::extend<
    caf::replies_to<metrics_atom>::with<std::string>,
    caf::replies_to<steps_atom, std::string>::with<std::vector<step_count>>>;

// The gauges of open tickets: how many by owning department and step, and the compensation
// requests they wait on. Seeded from the snapshots at start; then each commit moves a ticket
// out of where it was before the command and into where it is now (no copy of each ticket).
struct open_gauges {
  std::map<std::string, std::map<std::string, int64_t, std::less<>>, std::less<>> by_owner_step;
  // flow -> step -> open tickets there, and those of them with a missed target
  std::map<std::string, std::map<std::string, std::pair<int64_t, int64_t>, std::less<>>,
           std::less<>>
      by_flow_step;
  int64_t pending_approvals = 0;
  int64_t problems = 0;  // problems (a spike's ticket) not resolved yet

  // Counts `t` in (+1) or out (-1); a closed or not yet existing ticket counts nowhere.
  void count(const ticket& t, int sign);
  // Moves a ticket from where `before` counted to where `after` counts (nothing to do when a
  // command left its department, step and open requests as they were).
  void move(const ticket& before, const ticket& after);
};

metrics_actor spawn_metrics(caf::actor_system& sys, runtime_env env, open_gauges seed);

}  // namespace vocflow::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<vocflow::actors::step_count>)

// The metrics actor: folds every committed event into the figures ops watch in Prometheus
// (tickets opened/closed/reopened, open tickets by department and step, SLA warnings and
// breaches, escalations, cycle times, hand-offs, compensation, pending approvals) and renders
// them, with the runtime's own statistics, in the Prometheus text format.
//
// Label sets stay bounded: no ticket ids; free-form values (channel, category) beyond the
// first 64 distinct ones of a label are counted as "other".
#pragma once

#include <map>

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

using metrics_atom = caf::atom_constant<caf::atom("metrics")>;

//   committed: from every partition (subscribe it with runtime::subscribe).
//   metrics:   the exposition text (for GET /metrics).
using metrics_actor = subscriber_actor::extend<caf::replies_to<metrics_atom>::with<std::string>>;

// Where an open ticket stands, for the gauges; seeded from the snapshots at start.
struct open_ticket {
  std::string owner, step;
  uint32_t pending_approvals = 0;
};
using open_tickets = std::map<std::string, open_ticket>;

metrics_actor spawn_metrics(caf::actor_system& sys, runtime_env env, open_tickets seed);

// The gauge view of a ticket; nullopt once it is closed.
std::optional<open_ticket> open_view(const ticket& t);

}  // namespace vocflow::actors

// A department's live queue: the tickets it owns and those where it has an open task (a
// parallel branch, root-cause work), built from committed tickets. Rebuilt at start from the
// snapshots (see initial_queues), then kept current by every partition's commits.
#pragma once

#include <map>

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

using queue_map = std::map<std::string, queue_entry>;  // by ticket id: pages follow id order

// Whether a ticket is in `department`'s queue; when it is, `e` is filled in place (reusing its
// storage: this runs for every committed ticket in every department).
bool queue_view(const ticket& t, const std::string& department, queue_entry& e);

department_actor spawn_department(caf::actor_system& sys, std::string name, queue_map initial);

}  // namespace vocflow::actors

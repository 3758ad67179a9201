// A department's live queue: the tickets it owns and those where it has an open task (a
// parallel branch, root-cause work), built from committed tickets. Rebuilt at start from the
// snapshots (see initial_queues), then kept current by every partition's commits.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"
#include "actors/string_hash.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace vocflow::actors {

using queue_map = std::map<std::string, queue_entry>;  // by ticket id: pages follow id order

// Whether a ticket is in `department`'s queue; when it is, `e` is filled in place (reusing its
// storage: this runs for every committed ticket in every department). `f`: the ticket's flow;
// `refreshing`: `e` is this ticket's entry already (what the complaint says is kept).
bool queue_view(const ticket& t, const flow* f, const std::string& department, queue_entry& e,
                bool refreshing = false);

// Departments as bits of a word: department i of the organization (in name order) is bit i,
// every one from the 64th on shares the last bit.
class department_bits {
 public:
  explicit department_bits(const organization& org);
  static uint64_t bit(size_t index) { return uint64_t{1} << std::min<size_t>(index, 63); }
  // The departments whose queues `t` is on (see queue_view).
  uint64_t of(const ticket& t) const;
  // A department's bit: the shared one for a name not in the organization, 0 for "".
  uint64_t bit_of(const std::string& department) const;

 private:
  std::unordered_map<std::string, uint64_t, string_hash, std::equal_to<>> bits_;
};

// `bit`: the department's in department_bits, tested before each commit's ticket is read.
department_actor spawn_department(caf::actor_system& sys, std::string name, uint64_t bit,
                                  queue_map initial);

}  // namespace vocflow::actors

// A partition's timer service. SLA and escalation deadlines are rows in the store's due index,
// not in-memory timers: one wake-up is scheduled for the earliest row; on wake the service reads
// the due rows and sends them to its partition as one `fire`, which the partition decides like
// any command (a timer cancelled meanwhile is refused).
//
// Passes are pipelined but bounded: a pass may leave while earlier ones wait for their group
// commit, so a timer that comes due is not held back by the commit of the one before it; but
// at most timer_batch rows are with the partition, not yet written, at any time, so a flood of
// due timers cannot starve live traffic. Rows handed over are remembered until the partition
// reports them written (`fired`), so no row is handed over twice. On start the service looks at
// once: overdue timers fire after a crash.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

#include <deque>
#include <set>

namespace vocflow::actors {

timer_actor::behavior_type timer_service(timer_actor::stateful_pointer<struct timer_state> self,
                                         runtime_env env, uint16_t index,
                                         partition_actor partition);

struct timer_state {
  using row_id = std::tuple<time_point, std::string, uint64_t>;  // due, ticket, timer

  static inline const char* name = "vocflow.timers";
  runtime_env env;
  uint16_t index = 0;
  partition_actor partition;
  uint64_t generation = 0;                 // of the scheduled wake-up
  std::optional<time_point> scheduled;     // when it is due
  std::deque<std::vector<row_id>> passes;  // with the partition, not yet written; oldest first
  std::set<row_id> handed;                 // the rows of those passes
  // No row is due before it: a pass reads from here, not over the deletion markers of every
  // timer fired or cancelled since the start. Rows armed later lower it (`armed`); before the
  // first pass (after a start or a restart of this actor) the whole index is read.
  std::optional<time_point> floor;
  uint32_t read_failures = 0;  // reads of the due index that failed in a row
};

}  // namespace vocflow::actors

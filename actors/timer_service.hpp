// A partition's timer service. SLA and escalation deadlines are rows in the store's due index,
// not in-memory timers: one wake-up is scheduled for the earliest row; on wake the service reads
// the due rows (at most timer_batch of them) and sends them to its partition as one `fire`,
// which the partition decides like any command (a timer cancelled meanwhile is refused). The
// next pass starts only when the partition has written that one, so live commands queued in
// between are served first. On start it looks at once: overdue timers fire after a crash.
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"

namespace vocflow::actors {

timer_actor::behavior_type timer_service(timer_actor::stateful_pointer<struct timer_state> self,
                                         runtime_env env, uint16_t index,
                                         partition_actor partition);

struct timer_state {
  static inline const char* name = "vocflow.timers";
  runtime_env env;
  uint16_t index = 0;
  partition_actor partition;
  uint64_t generation = 0;              // of the scheduled wake-up
  std::optional<time_point> scheduled;  // when it is due
  bool in_flight = false;               // a fire batch is with the partition
};

}  // namespace vocflow::actors

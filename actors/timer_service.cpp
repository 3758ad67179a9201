#include "actors/timer_service.hpp"

#include <spdlog/spdlog.h>

namespace vocflow::actors {
namespace {

using self_ptr = timer_actor::stateful_pointer<timer_state>;

// One second of real time on the wall clock: how long to wait after a failed read or write.
millis retry_after(const timer_state& s) {
  return millis{static_cast<int64_t>(1000 * s.env.clock_rate)};
}

void schedule(self_ptr self, time_point at) {
  auto& s = self->state;
  if (s.scheduled && *s.scheduled <= at) return;
  s.scheduled = at;
  auto wall_delay = std::max(millis{0}, std::chrono::duration_cast<millis>(at - s.env.clock()));
  auto delay =
      millis{static_cast<int64_t>(static_cast<double>(wall_delay.count()) / s.env.clock_rate)};
  self->delayed_send(self, delay, wake_atom::value, ++s.generation);
}

void pass(self_ptr self) {
  auto& s = self->state;
  if (s.in_flight) return;
  s.scheduled.reset();
  ++s.generation;  // any wake-up scheduled before is stale now
  due_batch rows;
  auto st = s.env.db->due(s.index, s.env.clock(), s.env.cfg.timer_batch, rows);
  if (!st) {
    spdlog::error("timers {}: cannot read the due index: {}", s.index, st.message());
    schedule(self, s.env.clock() + retry_after(s));
    return;
  }
  if (rows.empty()) {
    if (auto next = s.env.db->earliest_due(s.index)) schedule(self, *next);
    return;
  }
  s.in_flight = true;
  self->send(s.partition, fire_atom::value, std::move(rows));
}

}  // namespace

timer_actor::behavior_type timer_service(self_ptr self, runtime_env env, uint16_t index,
                                         partition_actor partition) {
  self->state.env = std::move(env);
  self->state.index = index;
  self->state.partition = std::move(partition);
  self->send(self, poke_atom::value);  // look at once: timers may be overdue after a restart
  return {
      [=](armed_atom, time_point due) {
        if (!self->state.in_flight) schedule(self, due);
      },
      [=](fired_atom, size_t count, bool written) {
        auto& s = self->state;
        s.in_flight = false;
        if (!written) {
          schedule(self, s.env.clock() + retry_after(s));
        } else if (count >= s.env.cfg.timer_batch) {
          self->send(self, poke_atom::value);  // more may be due: another bounded pass
        } else {
          pass(self);
        }
      },
      [=](wake_atom, uint64_t generation) {
        if (generation == self->state.generation) pass(self);
      },
      [=](poke_atom) { pass(self); },
  };
}

}  // namespace vocflow::actors

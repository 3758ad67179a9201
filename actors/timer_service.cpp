#include "actors/timer_service.hpp"

#include <spdlog/spdlog.h>

namespace vocflow::actors {
namespace {

using self_ptr = timer_actor::stateful_pointer<timer_state>;

// One second of real time on the wall clock: how long to wait after a failed write.
millis retry_after(const timer_state& s) {
  return millis{static_cast<int64_t>(1000 * s.env.clock_rate)};
}

timer_state::row_id id_of(const storage::due_timer& d) {
  return {d.due, d.ticket, d.timer};
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

// After the due index could not be read `failures` times in a row: one second of real time,
// doubling up to a minute (a disk that fails for hours is tried ~60 times an hour, not 3,600).
millis read_retry_after(const timer_state& s, uint32_t failures) {
  auto seconds = std::min<int64_t>(60, int64_t{1} << std::min<uint32_t>(failures - 1, 6));
  return millis{static_cast<int64_t>(1000.0 * static_cast<double>(seconds) * s.env.clock_rate)};
}

// A read of the due index failed: logged, counted, and tried again after a growing wait. The
// rows are still in the index: nothing is lost, only late.
void read_failed(self_ptr self, time_point now, const storage::status& st) {
  auto& s = self->state;
  ++s.read_failures;
  s.env.stats->timer_read_failures++;
  auto wait = read_retry_after(s, s.read_failures);
  spdlog::error("timers {}: cannot read the due index ({} time(s) in a row; next try in {}): {}",
                s.index, s.read_failures, format_millis(wait), st.message());
  schedule(self, now + wait);
}

// Hands the due rows not yet handed over to the partition, as many as the bound leaves room
// for; then waits for the next due row, or for a `fired` when the bound is reached.
void pass(self_ptr self) {
  auto& s = self->state;
  s.scheduled.reset();
  ++s.generation;  // any wake-up scheduled before is stale now
  auto room = s.env.cfg.timer_batch - std::min(s.env.cfg.timer_batch, s.handed.size());
  if (room == 0) return;  // the next `fired` comes back here
  auto now = s.env.clock();
  due_batch rows;
  auto limit = s.handed.size() + room + 1;  // one more: is anything left after this pass?
  if (auto st = s.env.db->due(s.index, now, limit, rows, s.floor); !st)
    return read_failed(self, now, st);
  s.floor = rows.empty() ? now : rows.front().due;
  std::erase_if(rows, [&](const storage::due_timer& d) { return s.handed.contains(id_of(d)); });
  bool more = rows.size() > room;
  if (more) rows.resize(room);
  if (!rows.empty()) {
    std::vector<timer_state::row_id> ids;
    ids.reserve(rows.size());
    for (auto& r : rows) ids.push_back(id_of(r));
    s.handed.insert(ids.begin(), ids.end());
    s.passes.push_back(std::move(ids));
    self->send(s.partition, fire_atom::value, std::move(rows));
  }
  if (more) {
    if (s.handed.size() < s.env.cfg.timer_batch) self->send(self, poke_atom::value);
    s.read_failures = 0;
    return;
  }
  std::optional<time_point> next;
  if (auto st = s.env.db->earliest_due(s.index, now, next); !st)
    return read_failed(self, now, st);  // not "no timers": this partition would never wake
  s.read_failures = 0;
  if (next) schedule(self, *next);
}

// The partition wrote (or failed to write) the oldest passes, `count` rows in all: a flush
// covers every pass it received before it, so the count always ends at a pass's end.
void written(self_ptr self, size_t count, bool ok) {
  auto& s = self->state;
  while (count > 0 && !s.passes.empty()) {
    auto& oldest = s.passes.front();
    for (auto& id : oldest) s.handed.erase(id);
    count -= std::min(count, oldest.size());
    s.passes.pop_front();
  }
  if (ok)
    pass(self);
  else  // the rows are still in the index: they come back in a later pass
    schedule(self, s.env.clock() + retry_after(s));
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
        auto& floor = self->state.floor;
        if (floor && due < *floor) floor = due;
        schedule(self, due);
      },
      [=](fired_atom, size_t count, bool ok) { written(self, count, ok); },
      [=](wake_atom, uint64_t generation) {
        if (generation == self->state.generation) pass(self);
      },
      [=](poke_atom) { pass(self); },
  };
}

}  // namespace vocflow::actors

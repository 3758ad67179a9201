// SLA clocks inside decide(): start, stop, pause, resume, and the firing of their thresholds
// (warning, escalation levels, breach) or of a step's timeout.
#include "workflows/decider.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

namespace vocflow::detail {

millis decider::consumed(const sla_clock& c) const {
  if (c.paused) return c.consumed;
  return c.consumed + f_.cal->business_between(c.since, now_);
}

std::pair<uint64_t, time_point> decider::next_timer(const sla_clock& c, uint32_t fired) const {
  auto ths = thresholds(f_, c);
  for (size_t i = 0; i < ths.size(); ++i) {
    if (fired & (1u << i)) continue;
    auto due = f_.cal->add_business(c.since, ths[i].at - c.consumed);
    return {t_.next_timer, due};
  }
  return {0, {}};
}

void decider::start_clock(clock_kind kind, std::string step, std::string name,
                          const duration_spec& within) {
  if (within.is_zero()) return;
  ev::clock_started e;
  e.clock = t_.next_clock;
  e.kind = kind;
  e.step = std::move(step);
  e.name = std::move(name);
  e.total = f_.cal->span(now_, within);
  e.deadline = f_.cal->add_business(now_, e.total);
  e.paused = pausable(kind) && (t_.holds & f_.pause_mask);
  if (!e.paused) {
    sla_clock probe;
    probe.kind = e.kind, probe.step = e.step, probe.name = e.name, probe.total = e.total;
    probe.since = now_;
    std::tie(e.timer, e.due) = next_timer(probe, 0);
  }
  emit(std::move(e));
}

void decider::stop_clock(uint32_t id) {
  auto* c = t_.find_clock(id);
  if (!c) return;
  auto taken = consumed(*c);
  bool met = !c->breached && taken <= c->total;
  emit(ev::clock_stopped{c->id, c->kind, c->step, c->name, met, taken, c->total - taken});
}

void decider::pause_clocks() {
  std::vector<ev::clock_paused> pausing;
  for (auto& c : t_.clocks)
    if (pausable(c.kind) && !c.paused) pausing.push_back({c.id, c.kind, c.name, consumed(c)});
  for (auto& e : pausing) emit(std::move(e));
}

void decider::resume_clocks() {
  std::vector<uint32_t> resuming;
  for (auto& c : t_.clocks)
    if (c.paused) resuming.push_back(c.id);
  for (auto id : resuming) {
    auto c = *t_.find_clock(id);
    c.since = now_;  // what the clock will look like once resumed
    auto deadline =
        c.consumed < c.total ? f_.cal->add_business(now_, c.total - c.consumed) : c.deadline;
    auto [timer, due] = next_timer(c, c.fired);
    emit(ev::clock_resumed{id, c.kind, c.name, deadline, timer, due});
  }
}

void decider::timer_fired() {
  const sla_clock* found = nullptr;
  for (auto& c : t_.clocks)
    if (cmd_.timer && c.timer == cmd_.timer) found = &c;
  if (!found) return reject(reject_code::stale_timer, "the timer was cancelled or re-armed");
  if (now_ < found->due) return reject(reject_code::stale_timer, "the timer is not due yet");
  auto c = *found;

  if (c.kind == clock_kind::timeout) {
    auto* s = f_.find(c.step);
    if (!s || !s->timeout) return reject(reject_code::stale_timer, "the step has no timeout");
    emit(ev::timed_out{c.step, s->timeout->go.name});
    enter(s->timeout->go.name, "timeout");
    return;
  }

  // Every threshold reached fires now (a timer may fire late); the first pending one always
  // does, since its due time has come.
  auto ths = thresholds(f_, c);
  auto used = consumed(c);
  uint32_t fired = c.fired;
  std::vector<uint32_t> firing;
  for (uint32_t i = 0; i < ths.size(); ++i) {
    if (fired & (1u << i)) continue;
    if (!firing.empty() && ths[i].at > used) break;
    firing.push_back(i);
    fired |= 1u << i;
  }
  if (firing.empty()) return reject(reject_code::stale_timer, "nothing left to fire");
  auto [timer, due] = next_timer(c, fired);
  for (auto i : firing) fire(c, ths[i], i, timer, due);
}

void decider::fire(const sla_clock& c, const threshold& th, uint32_t index, uint64_t timer,
                   time_point due) {
  auto what = [&] {  // for the notifications' subjects
    return c.kind == clock_kind::step || c.kind == clock_kind::task
               ? fmt::format(FMT_COMPILE("{} `{}`"), to_string(c.kind), c.name)
               : std::string{to_string(c.kind)};
  };
  switch (th.what) {
    case threshold::kind::warn:
      emit(ev::sla_warned{c.id, c.kind, c.step, c.name, index, c.deadline, timer, due});
      if (notifying())
        notify_to({t_.owner},
                  fmt::format(FMT_COMPILE("Ticket {}: {} SLA due {}"), t_.id, what(),
                              format_utc(c.deadline)),
                  "sla_warned");
      break;
    case threshold::kind::breach: {
      std::string owner = t_.owner;
      if (c.kind == clock_kind::task)
        if (auto* k = t_.find_task(c.name)) owner = k->owner;
      emit(ev::sla_breached{c.id, c.kind, c.step, c.name, index, c.deadline, owner, timer, due});
      if (notifying())
        notify_to({owner}, fmt::format(FMT_COMPILE("Ticket {}: {} SLA breached"), t_.id, what()),
                  "sla_breached");
      break;
    }
    case threshold::kind::level: {
      auto* target = target_of(f_, c);
      escalate(target->escalate[th.level],
               ev::escalated{
                   c.id, c.kind, c.step, c.name, index, th.level + 1, {}, {}, {}, {}, timer, due},
               notifying() ? fmt::format(FMT_COMPILE("Ticket {}: {} escalated (level {})"), t_.id,
                                         what(), th.level + 1)
                           : std::string{});
      break;
    }
    case threshold::kind::timeout:
      break;  // handled in timer_fired
  }
}

}  // namespace vocflow::detail

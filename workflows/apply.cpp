// apply(): the only code that changes a ticket. It trusts the event (decide() made it) and
// needs nothing but the event: no flow, no calendar.
#include "workflows/engine.hpp"
#include "workflows/model.hpp"
#include "workflows/overloaded.hpp"

#include <algorithm>

namespace vocflow {
namespace {

sla_clock* clock_by_id(ticket& t, uint32_t id) {
  for (auto& c : t.clocks)
    if (c.id == id) return &c;
  return nullptr;
}

void involve(ticket& t, const std::string& department) {
  if (department.empty()) return;
  auto& known = *t.departments;
  if (std::find(known.begin(), known.end(), department) != known.end()) return;
  auto more = known;
  more.push_back(department);
  t.departments = std::move(more);
}

void rearm(ticket& t, uint32_t clock, uint64_t timer, time_point due) {
  if (auto* c = clock_by_id(t, clock)) {
    c->timer = timer;
    c->due = due;
  }
  if (timer >= t.next_timer) t.next_timer = timer + 1;
}

void fire(ticket& t, uint32_t clock, uint32_t threshold, uint64_t timer, time_point due) {
  if (auto* c = clock_by_id(t, clock)) c->fired |= 1u << threshold;
  rearm(t, clock, timer, due);
}

void set_hold(ticket& t, const std::string& name, bool on) {
  auto h = parse_hold(name);
  if (!h) return;
  auto bit = static_cast<uint8_t>(*h);
  t.holds = on ? (t.holds | bit) : (t.holds & ~bit);
}

void answered(ticket& t, const event& e, bool first) {
  ++t.interactions;
  if (!first) return;
  t.first_response_at = e.at;
  t.first_responder = e.actor;
}

// The ticket-wide targets keep their outcome once their clock stops. A clock stopped because
// the ticket closed without the answer (or the resolution) is no outcome unless it had
// already breached.
void record_outcome(ticket& t, const ev::clock_stopped& x) {
  auto keep = [&](bool achieved, int8_t& met, millis& taken, millis& margin) {
    if (!achieved && x.met) return;
    met = x.met ? 1 : 0;
    taken = x.taken;
    margin = x.margin;
  };
  if (x.kind == clock_kind::first_response)
    keep(t.first_response_at != no_time, t.first_response_met, t.first_response_taken,
         t.first_response_margin);
  else if (x.kind == clock_kind::resolution)
    keep(t.status == ticket_status::resolved, t.resolution_met, t.resolution_taken,
         t.resolution_margin);
}

}  // namespace

void apply(ticket& t, const event& e) {
  t.seq = e.seq;
  std::visit(overloaded{
                 [&](const ev::opened& x) {
                   t.id = x.ticket;
                   t.info = x.info;
                   t.priority = x.priority;
                   t.opened_at = e.at;
                   t.historical = x.historical;
                 },
                 [&](const ev::routed& x) {
                   t.flow = x.flow;
                   t.version = x.version;
                 },
                 [&](const ev::step_entered& x) {
                   t.step = x.step;
                   t.owner = x.owner;
                   involve(t, x.owner);
                 },
                 [&](const ev::handed_off& x) {
                   t.owner = x.to;
                   t.assignee.clear();
                   t.assigned_role.clear();
                   ++t.handoffs;
                   involve(t, x.to);
                 },
                 [&](const ev::responded& x) { answered(t, e, x.first); },
                 [&](const ev::asked_customer& x) { answered(t, e, x.first); },
                 [&](const ev::customer_replied&) {},
                 [&](const ev::note&) {},
                 [&](const ev::paused& x) { set_hold(t, x.hold, true); },
                 [&](const ev::resumed& x) { set_hold(t, x.hold, false); },
                 [&](const ev::clock_started& x) {
                   sla_clock c;
                   c.id = x.clock;
                   c.kind = x.kind;
                   c.step = x.step;
                   c.name = x.name;
                   c.started = e.at;
                   c.total = x.total;
                   c.deadline = x.deadline;
                   c.since = e.at;
                   c.paused = x.paused;
                   c.timer = x.timer;
                   c.due = x.due;
                   t.clocks.push_back(std::move(c));
                   if (x.clock >= t.next_clock) t.next_clock = x.clock + 1;
                   if (x.timer >= t.next_timer) t.next_timer = x.timer + 1;
                 },
                 [&](const ev::clock_paused& x) {
                   if (auto* c = clock_by_id(t, x.clock)) {
                     c->paused = true;
                     c->consumed = x.consumed;
                     c->timer = 0;
                     c->due = {};
                   }
                 },
                 [&](const ev::clock_resumed& x) {
                   if (auto* c = clock_by_id(t, x.clock)) {
                     c->paused = false;
                     c->since = e.at;
                     c->deadline = x.deadline;
                   }
                   rearm(t, x.clock, x.timer, x.due);
                 },
                 [&](const ev::clock_stopped& x) {
                   record_outcome(t, x);
                   std::erase_if(t.clocks, [&](auto& c) { return c.id == x.clock; });
                 },
                 [&](const ev::sla_warned& x) { fire(t, x.clock, x.threshold, x.timer, x.due); },
                 [&](const ev::sla_breached& x) {
                   if (auto* c = clock_by_id(t, x.clock)) c->breached = true;
                   ++t.breaches;
                   fire(t, x.clock, x.threshold, x.timer, x.due);
                 },
                 [&](const ev::escalated& x) {
                   if (!x.reassign_department.empty()) {
                     t.owner = x.reassign_department;
                     involve(t, x.reassign_department);
                   }
                   // Back to a role's queue: whoever had it hands it to that role.
                   if (!x.reassign_role.empty()) {
                     t.assigned_role = x.reassign_role;
                     t.assignee.clear();
                   }
                   if (!x.priority.empty()) t.priority = x.priority;
                   fire(t, x.clock, x.threshold, x.timer, x.due);
                 },
                 [&](const ev::task_opened& x) {
                   t.tasks.push_back({x.task, x.kind, x.step, x.owner, x.title, e.at});
                   if (x.kind == "root_cause") t.root_cause_opened = true;
                   involve(t, x.owner);
                 },
                 [&](const ev::task_done& x) {
                   std::erase_if(t.tasks, [&](auto& k) { return k.name == x.task; });
                 },
                 [&](const ev::compensation_requested& x) {
                   t.requests.push_back({x.request, x.amount, x.reason, x.approver, e.actor, e.at});
                   ++t.next_request;
                 },
                 [&](const ev::compensation_granted& x) {
                   std::erase_if(t.requests, [&](auto& r) { return r.id == x.request; });
                   t.granted = x.total;
                 },
                 [&](const ev::compensation_rejected& x) {
                   std::erase_if(t.requests, [&](auto& r) { return r.id == x.request; });
                 },
                 [&](const ev::resolved&) {
                   t.status = ticket_status::resolved;
                   t.resolved_at = e.at;
                   t.resolved_by = e.actor;
                 },
                 [&](const ev::confirmed&) {},
                 [&](const ev::reopened& x) {
                   t.status = ticket_status::open;
                   t.reopens = x.count;
                   t.closed_at = {};
                 },
                 [&](const ev::timed_out&) {},
                 [&](const ev::closed& x) {
                   t.status = ticket_status::closed;
                   t.closed_at = e.at;
                   t.cycle_business = x.business;
                   t.holds = 0;
                 },
                 [&](const ev::feedback& x) {
                   if (x.csat) t.csat = x.csat;
                   if (x.has_sentiment) {
                     t.sentiment = x.sentiment;
                     t.has_sentiment = true;
                   }
                   t.has_feedback = true;
                 },
                 [&](const ev::classified& x) {
                   t.topics = x.topics;
                   t.topics_version = x.topics_version;
                   if (x.of == "reclassified") return;  // the same texts, read again
                   if (!t.has_before) {
                     t.sentiment_before = x.sentiment;
                     t.has_before = true;
                   } else if (t.interactions > 0) {
                     t.sentiment_after = x.sentiment;
                     t.has_after = true;
                   }
                 },
                 [&](const ev::repeat_contact& x) { t.contacts = x.count; },
                 [&](const ev::linked_to_problem& x) { t.problem = x.problem; },
                 [&](const ev::complaint_linked& x) { t.linked.push_back(x.ticket); },
                 [&](const ev::problem_resolved&) {},
                 [&](const ev::spike_flagged&) {},
                 [&](const ev::assigned& x) { t.assignee = x.assignee; },
             },
             e.body);
}

const sla_clock* ticket::find_clock(uint32_t clock) const {
  for (auto& c : clocks)
    if (c.id == clock) return &c;
  return nullptr;
}

const sla_clock* ticket::clock_of(clock_kind k, std::string_view in_step) const {
  for (auto& c : clocks)
    if (c.kind == k && (in_step.empty() || c.step == in_step)) return &c;
  return nullptr;
}

const task* ticket::find_task(std::string_view n) const {
  for (auto& k : tasks)
    if (k.name == n) return &k;
  return nullptr;
}

money ticket::pending() const {
  money sum;
  for (auto& r : requests) sum += r.amount;
  return sum;
}

std::string_view field_value(const ticket_fields& t, std::string_view name) {
  if (name == "category") return t.category;
  if (name == "channel") return t.channel;
  if (name == "product") return t.product;
  if (name == "severity") return t.severity;
  if (name == "tier") return t.tier;
  if (name == "customer") return t.customer;
  if (name == "text") return t.text;
  if (name == "source") return t.source;
  if (name.starts_with("extra.")) {
    auto it = t.extra.find(std::string{name.substr(6)});
    return it == t.extra.end() ? std::string_view{} : std::string_view{it->second};
  }
  return {};
}

std::string_view to_string(ticket_status s) {
  switch (s) {
    case ticket_status::open:
      return "open";
    case ticket_status::resolved:
      return "resolved";
    case ticket_status::closed:
      return "closed";
  }
  return "?";
}

bool from_string(std::string_view s, ticket_status& out) {
  for (auto v : {ticket_status::open, ticket_status::resolved, ticket_status::closed})
    if (to_string(v) == s) return out = v, true;
  return false;
}

std::string_view to_string(clock_kind k) {
  switch (k) {
    case clock_kind::first_response:
      return "first_response";
    case clock_kind::resolution:
      return "resolution";
    case clock_kind::step:
      return "step";
    case clock_kind::task:
      return "task";
    case clock_kind::timeout:
      return "timeout";
  }
  return "?";
}

bool from_string(std::string_view s, clock_kind& out) {
  for (auto v : {clock_kind::first_response, clock_kind::resolution, clock_kind::step,
                 clock_kind::task, clock_kind::timeout})
    if (to_string(v) == s) return out = v, true;
  return false;
}

std::string_view event::type() const {
  return std::visit([](auto& b) { return std::decay_t<decltype(b)>::type; }, body);
}

int event_index(std::string_view type) {
  int found = -1;
  [&]<size_t... I>(std::index_sequence<I...>) {
    ((std::variant_alternative_t<I, event_body>::type == type ? (found = int(I)) : 0), ...);
  }
  (std::make_index_sequence<std::variant_size_v<event_body>>{});
  return found;
}

}  // namespace vocflow

// decide(): what a command does to a ticket. Actions, transitions, waiting and closing here;
// SLA clocks in decide_sla.cpp; compensation in decide_compensation.cpp.
#include "workflows/actions.hpp"
#include "workflows/decider.hpp"
#include "workflows/routing.hpp"

#include <fmt/compile.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace vocflow {
namespace detail {

std::string format_amount(const flow& f, money m) {
  return fmt::format("{} {}", to_string(m), f.compensation.currency);
}

void decider::reject(reject_code code, std::string message, std::vector<std::string> allowed) {
  if (!rejection_) rejection_ = rejection{code, std::move(message), std::move(allowed)};
}

void decider::notify_to(std::vector<std::string> to, std::string subject, std::string_view type) {
  std::erase(to, std::string{});
  if (to.empty()) return;
  // Raised right after the event it tells about, which is the ticket's latest.
  effects_.push_back(notify{std::move(to), std::move(subject), std::string{type}, t_.seq});
}

void decider::enqueue_on(const std::string& department) {
  if (wanted_.enqueue && !department.empty()) effects_.push_back(enqueue{department});
}

uint8_t decider::taker() const {
  if (cmd_.by.role == customer_role) return takers::customer;
  // Timers and connectors act for the organization: what staff may do, and their own actions.
  if (cmd_.by.role == system_role) return takers::system | takers::staff;
  return takers::staff;
}

outcome decider::run() {
  events_.reserve(8);  // a command's events, usually: no reallocation as they are emitted
  const auto& info = action_of(cmd_.action);
  info_ = &info;
  if (!(info.takers & taker())) {
    forbid(info);
  } else if (info.id == action::open) {
    open();
  } else if (info.id == action::record) {
    record();
  } else if (!before_.exists()) {
    reject(reject_code::not_found, "no such ticket");
  } else if (info.id == action::timer) {
    timer_fired();
  } else {
    dispatch(info);
  }
  if (rejection_) return *rejection_;

  // Timers: cancel what the ticket no longer has, arm what it has newly (a handful of clocks).
  std::vector<effect> timers;
  auto has = [](const ticket& t, uint64_t id) {
    return std::any_of(t.clocks.begin(), t.clocks.end(), [&](auto& c) { return c.timer == id; });
  };
  for (auto& c : before_.clocks)
    if (c.timer && !has(t_, c.timer)) timers.push_back(cancel_timer{c.timer, c.due});
  for (auto& c : t_.clocks)
    if (c.timer && !has(before_, c.timer)) timers.push_back(arm_timer{c.timer, c.due});
  timers.insert(timers.end(), std::make_move_iterator(effects_.begin()),
                std::make_move_iterator(effects_.end()));
  // Built in place in the outcome: a ticket is large, and each move of it costs.
  return outcome{std::in_place_type<decision>, std::move(events_), std::move(timers),
                 std::move(t_)};
}

void decider::forbid(const action_info& info) {
  if (taker() == takers::customer) {
    std::vector<std::string_view> theirs;
    for (auto& a : known_actions())
      if (a.takers & takers::customer) theirs.push_back(a.name);
    return reject(reject_code::forbidden, fmt::format("a customer may not `{}`; customers may {}",
                                                      cmd_.action, fmt::join(theirs, ", ")));
  }
  if (info.takers == takers::customer)
    return reject(reject_code::forbidden,
                  fmt::format("only the customer may `{}`; to record the customer's answer, "
                              "send it on behalf of the customer",
                              cmd_.action));
  reject(reject_code::forbidden,
         fmt::format("only the {} may `{}`", fmt::join(taker_names(info.takers), " or "),
                     cmd_.action));
}

void decider::dispatch(const action_info& info) {
  if (t_.status == ticket_status::closed && !info.after_close)
    return reject(reject_code::ticket_closed, fmt::format("ticket {} is closed", t_.id),
                  allowed_actions(f_, t_, now_));
  switch (info.id) {
    case action::respond:
      return respond(false);
    case action::ask_customer:
      return respond(true);
    case action::customer_reply:
      return customer_reply();
    case action::wait_supplier:
      return supplier(true);
    case action::supplier_reply:
      return supplier(false);
    case action::note:
      return add_note();
    case action::hand_off:
      return hand_off();
    case action::complete_task:
      return complete_task();
    case action::grant_compensation:
      return grant();
    case action::request_compensation:
      return request_compensation();
    case action::approve_compensation:
      return decide_request(true);
    case action::reject_compensation:
      return decide_request(false);
    case action::feedback:
      return give_feedback();
    case action::reopen:
      if (t_.status == ticket_status::closed) return reopen_closed();
      break;
    case action::reclassify:
      if (!cmd_.reading)
        return reject(reject_code::invalid_argument, "reclassify needs the runtime's reading");
      return read_text("reclassified");
    case action::repeat_contact:
      return repeat_contact();
    case action::link_problem:
    case action::link_complaint:
    case action::problem_resolved:
      return link(info.id);
    case action::assign:
      return assign();
    case action::flag_spike:
      if (cmd_.other.empty() || cmd_.text.empty())
        return reject(reject_code::invalid_argument, "a spike needs its topic and its reason");
      emit(ev::spike_flagged{cmd_.other, cmd_.text});
      if (notifying())
        notify_to({t_.owner},
                  fmt::format("Spike of {}: {} (problem {})", cmd_.other, cmd_.text, t_.id),
                  "spike_flagged");
      return;
    case action::open:
    case action::record:
    case action::timer:
    case action::resolve:
    case action::confirm:
    case action::transition:
      break;
  }
  auto* s = f_.find(t_.step);
  if (auto* tr = s ? s->find_transition(cmd_.action) : nullptr) return take(*tr);
  reject(reject_code::action_not_allowed,
         fmt::format("`{}` is not possible in step `{}`", cmd_.action, t_.step),
         allowed_actions(f_, t_, now_));
}

// Emits `opened` and `routed` for a new ticket; false, with the command rejected, when it
// cannot be opened.
bool decider::open_ticket(bool historical) {
  if (before_.exists()) {
    reject(reject_code::already_exists, fmt::format("ticket {} already exists", before_.id));
    return false;
  }
  if (cmd_.ticket_id.empty()) {
    reject(reject_code::invalid_argument, fmt::format("{} needs a ticket id", cmd_.action));
    return false;
  }
  auto priority = priority_for(cmd_.info->severity);
  if (!priority) {
    reject(reject_code::invalid_argument,
           fmt::format("severity `{}` is none of {}", cmd_.info->severity,
                       fmt::join(severities, ", ")));
    return false;
  }
  emit(ev::opened{cmd_.ticket_id, cmd_.info, std::move(*priority), historical});
  auto* topics = cmd_.reading ? &cmd_.reading->topics : nullptr;
  std::string reason = match(f_, *cmd_.info, topics) ? "match " + describe_match(f_.match)
                       : f_.is_default               ? "default flow"
                                                     : "chosen explicitly";
  emit(ev::routed{f_.id, f_.version, std::move(reason)});
  read_text("opened");
  return true;
}

void decider::read_text(std::string_view of) {
  if (!cmd_.reading) return;
  auto& r = *cmd_.reading;
  emit(ev::classified{r.topics, r.why, r.sentiment, r.topics_version, std::string{of}});
}

void decider::repeat_contact() {
  emit(ev::repeat_contact{cmd_.text, cmd_.info->channel, t_.contacts + 1, cmd_.other});
  read_text("repeat_contact");
  if (t_.holds & static_cast<uint8_t>(hold::customer)) set_hold(hold::customer, false, "");
  for (size_t i = 0; i < f_.on_repeat.size(); ++i)
    if (f_.on_repeat[i].count == t_.contacts)
      escalate(f_.on_repeat[i].level,
               ev::escalated{0,
                             clock_kind::step,
                             t_.step,
                             "repeat_contact",
                             0,
                             static_cast<int32_t>(i + 1),
                             {},
                             {},
                             {},
                             {},
                             0,
                             {}},
               fmt::format("Ticket {}: contact {} from the customer on the same matter", t_.id,
                           t_.contacts));
}

void decider::link(action id) {
  if (cmd_.other.empty())
    return reject(reject_code::invalid_argument, "linking needs the other ticket (`ticket`)");
  if (id == action::link_problem) {
    if (t_.problem == cmd_.other)
      return reject(reject_code::already_exists, "already linked to this problem");
    return emit(ev::linked_to_problem{cmd_.other, cmd_.text});
  }
  if (id == action::link_complaint) {
    if (std::find(t_.linked.begin(), t_.linked.end(), cmd_.other) != t_.linked.end())
      return reject(reject_code::already_exists, "this complaint is linked already");
    return emit(ev::complaint_linked{cmd_.other});
  }
  emit(ev::problem_resolved{cmd_.other, cmd_.text});
  if (notifying())
    notify_to({t_.owner}, fmt::format("Ticket {}: problem {} resolved", t_.id, cmd_.other),
              "problem_resolved");
  auto* s = f_.find(t_.step);
  if (auto* tr = s ? s->find_transition(cmd_.action) : nullptr) take(*tr);
}

void decider::escalate(const escalation_level& lvl, ev::escalated e, std::string subject) {
  for (auto& n : lvl.notify) e.notify.push_back(n.name);
  if (lvl.reassign) {
    if (f_.departments.contains(lvl.reassign->name)) {
      if (lvl.reassign->name != t_.owner) e.reassign_department = lvl.reassign->name;
    } else {
      e.reassign_role = lvl.reassign->name;
    }
  }
  if (lvl.priority == "raise")
    e.priority = raise_priority(t_.priority);
  else
    e.priority = lvl.priority;
  if (e.priority == t_.priority) e.priority.clear();
  std::vector<std::string> to;
  if (notifying()) {
    to = e.notify;
    if (!e.reassign_department.empty()) to.push_back(e.reassign_department);
    if (!e.reassign_role.empty()) to.push_back(e.reassign_role);
  }
  bool moved = !e.reassign_department.empty();
  auto dept = e.reassign_department;
  emit(std::move(e));
  if (notifying()) notify_to(std::move(to), std::move(subject), "escalated");
  if (moved) enqueue_on(dept);
}

void decider::open() {
  if (!open_ticket(false)) return;
  start_clock(clock_kind::first_response, "", "first_response", f_.first_response.within);
  start_clock(clock_kind::resolution, "", "resolution", f_.resolution.within);
  enter(f_.start.name, "open");
}

// A complaint from history: it was opened, routed and (when its source says so) closed at its
// own times, and ran no clocks here; it enters the flow's first step without starting its
// targets, so that one still open waits in that step's queue.
void decider::record() {
  if (!cmd_.past || cmd_.past->opened == no_time)
    return reject(reject_code::invalid_argument, "record needs the time the complaint was opened");
  auto& past = *cmd_.past;
  if (past.closed != no_time && past.closed < past.opened)
    return reject(reject_code::invalid_argument, "the complaint was closed before it was opened");
  at_ = past.opened;
  if (!open_ticket(true)) return;
  auto* first = f_.find(f_.start.name);
  emit(ev::step_entered{f_.start.name, "", "record",
                        first && first->owner ? first->owner->name : std::string{}});
  if (past.closed != no_time) {
    at_ = past.closed;
    emit(ev::resolved{past.outcome});
    emit(ev::closed{past.outcome, f_.cal->business_between(past.opened, past.closed)});
  }
  at_ = now_;
}

void decider::respond(bool ask) {
  bool first = t_.first_response_at == no_time;
  if (ask)
    emit(ev::asked_customer{cmd_.text, first});
  else
    emit(ev::responded{cmd_.text, first});
  if (first)
    if (auto* c = t_.clock_of(clock_kind::first_response)) stop_clock(c->id);
  if (ask && !(t_.holds & static_cast<uint8_t>(hold::customer))) set_hold(hold::customer, true, "");
  auto* s = f_.find(t_.step);
  if (auto* tr = s ? s->find_transition(cmd_.action) : nullptr) take(*tr);
}

void decider::customer_reply() {
  emit(ev::customer_replied{cmd_.text});
  read_text("customer_replied");
  if (t_.holds & static_cast<uint8_t>(hold::customer)) set_hold(hold::customer, false, "");
}

void decider::supplier(bool waiting) {
  bool is_waiting = t_.holds & static_cast<uint8_t>(hold::supplier);
  if (waiting == is_waiting)
    return reject(reject_code::action_not_allowed,
                  waiting ? "the ticket already waits for a supplier"
                          : "the ticket does not wait for a supplier",
                  allowed_actions(f_, t_, now_));
  set_hold(hold::supplier, waiting, cmd_.text);
}

void decider::add_note() {
  if (cmd_.text.empty()) return reject(reject_code::invalid_argument, "a note needs text");
  emit(ev::note{cmd_.text});
}

void decider::assign() {
  const auto& person = cmd_.to.empty() ? cmd_.by.id : cmd_.to;
  if (person.empty()) return reject(reject_code::invalid_argument, "assign needs `to`: a person");
  if (person == t_.assignee)
    return reject(reject_code::invalid_argument, fmt::format("{} has the ticket already", person));
  emit(ev::assigned{person, t_.assignee});
}

void decider::hand_off() {
  const auto& to = cmd_.to;
  if (to.empty()) return reject(reject_code::invalid_argument, "hand_off needs `to`: a department");
  if (!f_.departments.contains(to))
    return reject(reject_code::invalid_argument, fmt::format("`{}` is not a department", to));
  if (to == t_.owner)
    return reject(reject_code::invalid_argument, fmt::format("the ticket is already with {}", to));
  if (cmd_.text.empty())
    return reject(reject_code::invalid_argument, "a hand-off needs a reason (`text`)");
  auto* s = f_.find(t_.step);
  if (s && !s->hand_off.empty() &&
      std::none_of(s->hand_off.begin(), s->hand_off.end(), [&](auto& h) { return h.name == to; })) {
    std::vector<std::string> ok;
    for (auto& h : s->hand_off) ok.push_back(h.name);
    return reject(reject_code::action_not_allowed,
                  fmt::format("step `{}` hands off only to {}", t_.step, fmt::join(ok, ", ")));
  }
  emit(ev::handed_off{t_.owner, to, cmd_.text});
  enqueue_on(to);
  if (notifying())
    notify_to({to}, fmt::format(FMT_COMPILE("Ticket {} handed to {}: {}"), t_.id, to, cmd_.text),
              "handed_off");
}

void decider::complete_task() {
  std::string name = cmd_.task;
  if (name.empty() && t_.tasks.size() == 1) name = t_.tasks.front().name;
  auto* k = t_.find_task(name);
  if (!k) {
    std::vector<std::string> open;
    for (auto& x : t_.tasks) open.push_back(x.name);
    return reject(reject_code::invalid_argument,
                  open.empty() ? "the ticket has no open task"
                               : fmt::format("no open task `{}`; open tasks: {}", name,
                                             fmt::join(open, ", ")));
  }
  auto done = *k;
  emit(ev::task_done{done.name, done.owner, cmd_.text});
  for (auto& c : t_.clocks)
    if (c.kind == clock_kind::task && c.name == done.name && c.step == done.step) {
      stop_clock(c.id);
      break;
    }
  // Join: a parallel step moves on when its last branch is done.
  if (done.kind == "branch" && done.step == t_.step &&
      std::none_of(t_.tasks.begin(), t_.tasks.end(), [&](auto& x) { return x.step == t_.step; }))
    if (auto* s = f_.find(t_.step); s && s->then) enter(s->then->name, "join");
}

void decider::give_feedback() {
  if (t_.status == ticket_status::open)
    return reject(reject_code::action_not_allowed,
                  "feedback is recorded after the ticket is resolved",
                  allowed_actions(f_, t_, now_));
  if (!cmd_.csat && !cmd_.sentiment)
    return reject(reject_code::invalid_argument,
                  "feedback needs `csat` (1-5) or `sentiment` (-1..1)");
  if (cmd_.csat && (*cmd_.csat < 1 || *cmd_.csat > 5))
    return reject(reject_code::invalid_argument, "csat must be from 1 to 5");
  if (cmd_.sentiment && !(*cmd_.sentiment >= -1 && *cmd_.sentiment <= 1))
    return reject(reject_code::invalid_argument, "sentiment must be from -1 to 1");
  emit(ev::feedback{cmd_.csat.value_or(0), cmd_.sentiment.value_or(0), cmd_.sentiment.has_value(),
                    cmd_.text});
}

void decider::reopen_closed() {
  if (!f_.reopen)
    return reject(reject_code::action_not_allowed,
                  fmt::format("flow `{}` does not reopen closed tickets", f_.id));
  auto window = std::chrono::days{f_.reopen->within.days} + f_.reopen->within.rest;
  if (now_ - t_.closed_at > window)
    return reject(reject_code::action_not_allowed,
                  fmt::format("ticket {} closed more than {} ago and cannot be reopened", t_.id,
                              to_string(f_.reopen->within)));
  reopen_cycle();
  enter(f_.reopen->to.name, "reopen");
}

void decider::reopen_cycle() {
  emit(ev::reopened{t_.reopens + 1, cmd_.text});
  if (!t_.clock_of(clock_kind::resolution))
    start_clock(clock_kind::resolution, "", "resolution", f_.resolution.within);
}

void decider::take(const transition& tr) {
  // Most transitions are the command's own action, already looked up.
  switch ((tr.action == cmd_.action ? *info_ : action_of(tr.action)).id) {
    case action::resolve:
      emit(ev::resolved{cmd_.text});
      if (auto* c = t_.clock_of(clock_kind::resolution)) stop_clock(c->id);
      break;
    case action::confirm:
      emit(ev::confirmed{cmd_.text});
      break;
    case action::reopen:
      reopen_cycle();
      break;
    default:
      break;
  }
  enter(tr.target.name, tr.action);
}

void decider::enter(const std::string& target, const std::string& via) {
  auto* next = f_.find(target);
  if (!next)
    return reject(reject_code::invalid_argument, fmt::format("flow has no step `{}`", target));
  // Leave the current step: its own clocks stop.
  std::vector<uint32_t> leaving;
  for (auto& c : t_.clocks)
    if ((c.kind == clock_kind::step || c.kind == clock_kind::timeout) && c.step == t_.step)
      leaving.push_back(c.id);
  for (auto id : leaving) stop_clock(id);

  // The flow's name when the step has an owner (stable while events change t_); t_.owner
  // otherwise, which no event changes before step_entered has copied it.
  const std::string& owner = next->owner ? next->owner->name : t_.owner;
  bool new_owner = owner != t_.owner;
  if (!t_.owner.empty() && new_owner) {
    emit(ev::handed_off{t_.owner, owner, step_owner_reason(target, owner)});
    if (notifying())
      notify_to({owner},
                fmt::format(FMT_COMPILE("Ticket {} handed to {} (step {})"), t_.id, owner, target),
                "handed_off");
  }
  emit(ev::step_entered{target, t_.step, via, owner});
  if (new_owner) enqueue_on(owner);

  if (next->final) return close(fmt::format(FMT_COMPILE("reached final step `{}`"), target));
  start_clock(clock_kind::step, target, target, next->sla.within);
  if (next->timeout) start_clock(clock_kind::timeout, target, target, next->timeout->after);
  for (auto& b : next->parallel) {
    emit(ev::task_opened{b.name, "branch", target, b.owner.name, b.task});
    start_clock(clock_kind::task, target, b.name, b.sla.within);
    enqueue_on(b.owner.name);
    if (notifying())
      notify_to(
          {b.owner.name},
          fmt::format(FMT_COMPILE("Ticket {}: new task for {}: {}"), t_.id, b.owner.name, b.task),
          "task_opened");
  }
}

void decider::close(std::string reason) {
  // Every clock but root-cause work stops: the loop with the customer is closed.
  std::vector<uint32_t> stopping;
  for (auto& c : t_.clocks)
    if (!(c.kind == clock_kind::task && c.step.empty())) stopping.push_back(c.id);
  for (auto id : stopping) stop_clock(id);
  emit(ev::closed{std::move(reason), f_.cal->business_between(t_.opened_at, now_)});
}

void decider::set_hold(hold h, bool on, std::string text) {
  bool was_paused = t_.holds & f_.pause_mask;
  if (on)
    emit(ev::paused{std::string{to_string(h)}, std::move(text)});
  else
    emit(ev::resumed{std::string{to_string(h)}, std::move(text)});
  bool is_paused = t_.holds & f_.pause_mask;
  if (!was_paused && is_paused) pause_clocks();
  if (was_paused && !is_paused) resume_clocks();
}

}  // namespace detail

outcome decide(const flow& f, const ticket& t, const command& cmd, time_point now,
               wanted_effects wanted) {
  return detail::decider{f, t, cmd, now, wanted}.run();
}

void armed_timers::follow(const std::vector<effect>& effects) {
  for (auto& fx : effects) {
    if (auto* a = std::get_if<arm_timer>(&fx)) due_[a->timer] = a->due;
    if (auto* c = std::get_if<cancel_timer>(&fx)) due_.erase(c->timer);
  }
}

std::optional<std::pair<uint64_t, time_point>> armed_timers::take_due(time_point limit) {
  auto next = std::min_element(due_.begin(), due_.end(),
                               [](auto& a, auto& b) { return a.second < b.second; });
  if (next == due_.end() || next->second > limit) return std::nullopt;
  auto out = *next;
  due_.erase(next);
  return out;
}

command armed_timers::firing(uint64_t id) {
  command fire;
  fire.action = "timer";
  fire.by = {std::string{timer_actor_id}, std::string{system_role}};
  fire.timer = id;
  return fire;
}

std::string step_owner_reason(std::string_view step, std::string_view owner) {
  return fmt::format(FMT_COMPILE("step `{}` belongs to {}"), step, owner);
}

std::string_view to_string(reject_code c) {
  switch (c) {
    case reject_code::not_found:
      return "not_found";
    case reject_code::already_exists:
      return "already_exists";
    case reject_code::action_not_allowed:
      return "action_not_allowed";
    case reject_code::forbidden:
      return "forbidden";
    case reject_code::above_limit:
      return "above_limit";
    case reject_code::invalid_argument:
      return "invalid_argument";
    case reject_code::ticket_closed:
      return "ticket_closed";
    case reject_code::stale_timer:
      return "stale_timer";
    case reject_code::key_reused:
      return "idempotency_key_reused";
  }
  return "?";
}

namespace {

// Whether the built-in action `a` is possible on `t` now (its takers aside).
bool available(const action_info& a, const flow& f, const ticket& t, time_point now) {
  bool closed = t.status == ticket_status::closed;
  if (closed && !a.after_close) return false;
  bool supplier = t.holds & static_cast<uint8_t>(hold::supplier);
  switch (a.id) {
    case action::open:
    case action::record:
    case action::timer:
      return false;
    case action::wait_supplier:
      return !supplier;
    case action::supplier_reply:
      return supplier;
    case action::complete_task:
      return !t.tasks.empty();
    case action::grant_compensation:
    case action::request_compensation:
      return f.compensation.enabled();
    case action::approve_compensation:
    case action::reject_compensation:
      return !t.requests.empty();
    case action::feedback:
      return t.status != ticket_status::open;
    case action::reopen:
      return closed && f.reopen &&
             now - t.closed_at <= std::chrono::days{f.reopen->within.days} + f.reopen->within.rest;
    default:
      return a.builtin;
  }
}

}  // namespace

std::vector<std::string> allowed_actions(const flow& f, const ticket& t, time_point now) {
  if (!t.exists()) return {"open"};
  std::vector<std::string> out;
  for (auto& a : known_actions())
    if (available(a, f, t, now)) out.emplace_back(a.name);
  if (t.status != ticket_status::closed)
    if (auto* s = f.find(t.step))
      for (auto& tr : s->on)
        if (std::find(out.begin(), out.end(), tr.action) == out.end()) out.push_back(tr.action);
  return out;
}

}  // namespace vocflow

#include "workflows/replay.hpp"

#include "workflows/actions.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

namespace vocflow {
namespace {

// What started the command being read: which of its later events it made itself.
enum class origin : uint8_t { open, record, respond, ask, problem, transition, other };

// Reads a history back into commands. A command's events share their time and author; within
// them, the event only that command makes (responded, task_done, resolved, ...) tells which it
// was, and the events every command may make (clocks, tasks opened, classified, closed) follow.
class history_reader {
 public:
  explicit history_reader(const std::vector<event>& h) : h_(h) {}

  std::vector<recorded_action> run() {
    for (i_ = 0; i_ < h_.size(); ++i_) {
      auto& e = h_[i_];
      if (e.actor == timer_actor_id) {
        flush();
        continue;
      }
      if (cur_ && !same_author(e, cur_->at, cur_->cmd.by)) flush();
      std::visit([&](auto& body) { on(e, body); }, e.body);
    }
    flush();
    return std::move(out_);
  }

 private:
  static bool same_author(const event& e, time_point at, const actor_ref& by) {
    return e.at == at && e.actor == by.id && e.role == by.role;
  }

  command& start(const event& e, std::string action, origin o = origin::other) {
    flush();
    cur_.emplace();
    cur_->at = e.at;
    cur_->seq = e.seq;
    cur_->cmd.action = std::move(action);
    cur_->cmd.by = {e.actor, e.role};
    cur_->cmd.ticket_id = ticket_;
    kind_ = o;
    entered_ = false;
    return cur_->cmd;
  }
  void flush() {
    if (cur_) out_.push_back(std::move(*cur_));
    cur_.reset();
  }
  const recorded_action* latest() const {
    if (cur_) return &*cur_;
    return out_.empty() ? nullptr : &out_.back();
  }

  // Made by the command that caused them: clocks, warnings, tasks opened, closing, routing.
  template <class Body>
  void on(const event&, const Body&) {}

  void on(const event& e, const ev::opened& b) {
    ticket_ = b.ticket;
    auto& c =
        start(e, b.historical ? "record" : "open", b.historical ? origin::record : origin::open);
    c.info = b.info;
  }
  void on(const event& e, const ev::classified& b) {
    if (b.of == "reclassified") start(e, "reclassify");
    if (cur_) cur_->cmd.reading = text_reading{b.topics, b.why, b.sentiment, b.topics_version};
  }
  void on(const event& e, const ev::responded& b) {
    start(e, "respond", origin::respond).text = b.text;
  }
  void on(const event& e, const ev::asked_customer& b) {
    start(e, "ask_customer", origin::ask).text = b.text;
  }
  void on(const event& e, const ev::customer_replied& b) {
    start(e, "customer_reply").text = b.text;
  }
  void on(const event& e, const ev::note& b) { start(e, "note").text = b.text; }
  void on(const event& e, const ev::paused& b) {
    if (b.hold == to_string(hold::supplier)) start(e, "wait_supplier").text = b.text;
  }
  void on(const event& e, const ev::resumed& b) {
    if (b.hold == to_string(hold::supplier)) start(e, "supplier_reply").text = b.text;
  }
  void on(const event& e, const ev::task_done& b) {
    auto& c = start(e, "complete_task");
    c.task = b.task, c.text = b.text;
  }
  void on(const event& e, const ev::compensation_requested& b) {
    auto& c = start(e, "request_compensation");
    c.amount = b.amount, c.text = b.reason;
  }
  void on(const event& e, const ev::compensation_granted& b) {
    if (b.request.empty()) {
      auto& c = start(e, "grant_compensation");
      c.amount = b.amount, c.text = b.reason;
    } else {
      start(e, "approve_compensation").request = b.request;
    }
  }
  void on(const event& e, const ev::compensation_rejected& b) {
    auto& c = start(e, "reject_compensation");
    c.request = b.request, c.text = b.reason;
  }
  void on(const event& e, const ev::feedback& b) {
    auto& c = start(e, "feedback");
    if (b.csat > 0) c.csat = b.csat;
    if (b.has_sentiment) c.sentiment = b.sentiment;
    c.text = b.text;
  }
  void on(const event& e, const ev::repeat_contact& b) {
    auto& c = start(e, "repeat_contact");
    c.text = b.text, c.other = b.reason;
    ticket_fields f;
    f.channel = b.channel;
    c.info = shared_value<ticket_fields>{std::move(f)};
  }
  void on(const event& e, const ev::linked_to_problem& b) {
    auto& c = start(e, "link_problem");
    c.other = b.problem, c.text = b.topic;
  }
  void on(const event& e, const ev::complaint_linked& b) {
    start(e, "link_complaint").other = b.ticket;
  }
  void on(const event& e, const ev::problem_resolved& b) {
    auto& c = start(e, "problem_resolved", origin::problem);
    c.other = b.problem, c.text = b.text;
  }
  void on(const event& e, const ev::spike_flagged& b) {
    auto& c = start(e, "flag_spike");
    c.other = b.topic, c.text = b.why;
  }
  void on(const event& e, const ev::assigned& b) { start(e, "assign").to = b.assignee; }

  void on(const event& e, const ev::handed_off& b) {
    // Entering a step of another department hands the ticket off too: that one is the step's.
    for (size_t j = i_ + 1; j < h_.size() && same_author(h_[j], e.at, {e.actor, e.role}); ++j)
      if (auto* s = std::get_if<ev::step_entered>(&h_[j].body)) {
        if (b.reason == step_owner_reason(s->step, b.to)) return;
        break;
      }
    auto& c = start(e, "hand_off");
    c.to = b.to, c.text = b.reason;
  }

  void on(const event& e, const ev::resolved& b) {
    // A complaint recorded from history, closed as its source says: answered and resolved then.
    if (auto* last = latest(); last && last->cmd.action == "record") {
      auto& c = start(e, "resolve");
      c.text = b.text;
      cur_->resolved_in_history = true;
      return;
    }
    if (cur_ && kind_ == origin::problem && !entered_) return;  // its transition resolves
    start(e, "resolve", origin::transition).text = b.text;
  }
  void on(const event& e, const ev::confirmed& b) {
    start(e, "confirm", origin::transition).text = b.text;
  }
  void on(const event& e, const ev::reopened& b) {
    start(e, "reopen", origin::transition).text = b.reason;
  }

  void on(const event& e, const ev::step_entered& b) {
    if (b.via == "open" || b.via == "record" || b.via == "join") return;
    if (cur_ && !entered_) {
      bool own = (kind_ == origin::transition) ||
                 (kind_ == origin::respond && b.via == "respond") ||
                 (kind_ == origin::ask && b.via == "ask_customer") ||
                 (kind_ == origin::problem && b.via == "problem_resolved");
      if (own) {
        if (kind_ == origin::transition) cur_->cmd.action = b.via;
        entered_ = true;
        return;
      }
    }
    start(e, b.via, origin::transition);
    entered_ = true;
  }

  const std::vector<event>& h_;
  size_t i_ = 0;
  std::string ticket_;
  std::optional<recorded_action> cur_;
  origin kind_ = origin::other;
  bool entered_ = false;  // the current command entered its step already
  std::vector<recorded_action> out_;
};

constexpr size_t max_timer_firings = 100'000;  // a runaway flow cannot hang a replay

class replayer {
 public:
  replayer(const flow& f, time_point as_of, const granted_elsewhere& granted)
      : f_(f), as_of_(as_of), granted_(granted) {}

  replayed_ticket run(const std::vector<event>& history) {
    for (auto& a : recorded_actions(history)) {
      if (a.at > as_of_) break;
      fire_until(a.at);
      ++out_.actions;
      if (a.resolved_in_history) {
        resolve_as_recorded(a);
        continue;
      }
      auto cmd = a.cmd;
      if (cmd.action == "record") cmd.action = "open";  // it runs the flow's clocks this time
      act(a, cmd);
    }
    fire_until(as_of_);
    out_.state = std::move(t_);
    return std::move(out_);
  }

 private:
  // The company answered and resolved a complaint from history: the customer has that answer,
  // and the step's resolving transition is taken.
  void resolve_as_recorded(const recorded_action& a) {
    auto cmd = a.cmd;
    if (t_.exists() && t_.first_response_at == no_time) {
      cmd.action = "respond";
      if (!act(a, cmd)) return;
    }
    auto* s = f_.find(t_.step);
    const transition* resolving = nullptr;
    if (s)
      for (auto& tr : s->on)
        if (action_of(tr.action).id == action::resolve) resolving = &tr;
    if (!resolving) {
      refuse(a, a.cmd,
             {reject_code::action_not_allowed,
              fmt::format("the complaint was resolved, but step `{}` has no transition that "
                          "resolves",
                          t_.step),
              allowed_actions(f_, t_, a.at)});
      return;
    }
    cmd.action = resolving->action;
    act(a, cmd);
  }

  bool act(const recorded_action& a, command& cmd) {
    if (granted_ && f_.compensation.per_customer && action_of(cmd.action).capped && t_.exists()) {
      auto& period = f_.compensation.per_customer->period;
      cmd.customer_granted =
          granted_(t_.info->customer, a.at - std::chrono::days{period.days} - period.rest, a.at);
    }
    auto result = decide(f_, t_, cmd, a.at, {.notify = false, .enqueue = false});
    if (auto* r = std::get_if<rejection>(&result)) {
      if (r->code == reject_code::above_limit && cmd.action == "grant_compensation" && cmd.amount) {
        ++out_.grants_above_limit;
        out_.above_limit_amount += *cmd.amount;
      }
      refuse(a, cmd, std::move(*r));
      return false;
    }
    take(std::get<decision>(result));
    return true;
  }

  void refuse(const recorded_action& a, const command& cmd, rejection why) {
    out_.impossible.push_back({t_.exists() ? t_.id : cmd.ticket_id, a.at, cmd.action, cmd.by.id,
                               cmd.by.role, a.seq, std::move(why)});
  }

  void take(decision& d) {
    timers_.follow(d.effects);
    for (auto& e : d.events) out_.events.push_back(std::move(e));
    t_ = std::move(d.next);
  }

  void fire_until(time_point limit) {
    out_.timers_fired += timers_.fire_until(
        limit, max_timer_firings - out_.timers_fired, [&](const command& fire, time_point due) {
          auto result = decide(f_, t_, fire, due, {.notify = false, .enqueue = false});
          if (auto* d = std::get_if<decision>(&result)) take(*d);
        });
  }

  const flow& f_;
  time_point as_of_;
  const granted_elsewhere& granted_;
  ticket t_;
  armed_timers timers_;
  replayed_ticket out_;
};

// `first_response`, `resolution`, `step triage`, `task photos`, `timeout confirm`.
std::string target_name(clock_kind kind, const std::string& name) {
  if (kind == clock_kind::first_response || kind == clock_kind::resolution)
    return std::string{to_string(kind)};
  return fmt::format("{} {}", to_string(kind), name);
}

void tally(what_if_figures& f, const std::vector<event>& events) {
  for (auto& e : events) {
    if (auto* w = std::get_if<ev::sla_warned>(&e.body)) ++f.warnings[target_name(w->kind, w->name)];
    if (auto* b = std::get_if<ev::sla_breached>(&e.body)) {
      ++f.breaches[target_name(b->kind, b->name)];
      ++f.breaches_by_department[b->owner.empty() ? "(none)" : b->owner];
    }
    if (auto* x = std::get_if<ev::escalated>(&e.body)) ++f.escalations[x->level];
    if (auto* r = std::get_if<ev::compensation_requested>(&e.body)) {
      ++f.approvals;
      f.approval_amount += r->amount;
    }
  }
}

// `met (3h00m)`, `missed (6h00m)`: business time taken once answered (or resolved);
// `missed (due 2026-03-02 11:00)` while it runs breached, `running`, or `none`.
std::string target_outcome(int8_t met, millis taken, const ticket& t, clock_kind kind,
                           const calendar& cal) {
  if (met >= 0) return fmt::format("{} ({})", met ? "met" : "missed", format_millis(taken));
  auto* c = t.clock_of(kind);
  if (!c) return "none";
  if (c->breached) return fmt::format("missed (due {})", cal.format_local(c->deadline));
  return "running";
}

std::string status_of(const ticket& t) {
  if (t.status == ticket_status::closed) return "closed";
  return fmt::format("{} in step {}", to_string(t.status), t.step);
}

int64_t escalations(const std::vector<event>& events) {
  return std::count_if(events.begin(), events.end(),
                       [](auto& e) { return std::holds_alternative<ev::escalated>(e.body); });
}

std::vector<outcome_change> compare(const ticket& a, const std::vector<event>& a_events,
                                    const ticket& b, const std::vector<event>& b_events,
                                    const calendar& cal) {
  std::vector<outcome_change> out;
  auto differ = [&](std::string what, std::string x, std::string y) {
    if (x != y) out.push_back({std::move(what), std::move(x), std::move(y)});
  };
  differ("status", status_of(a), status_of(b));
  auto outcome = [&](const ticket& t, clock_kind kind) {
    return kind == clock_kind::first_response
               ? target_outcome(t.first_response_met, t.first_response_taken, t, kind, cal)
               : target_outcome(t.resolution_met, t.resolution_taken, t, kind, cal);
  };
  differ("first response", outcome(a, clock_kind::first_response),
         outcome(b, clock_kind::first_response));
  differ("resolution", outcome(a, clock_kind::resolution), outcome(b, clock_kind::resolution));
  differ("breaches", std::to_string(a.breaches), std::to_string(b.breaches));
  differ("escalations", std::to_string(escalations(a_events)),
         std::to_string(escalations(b_events)));
  differ("priority", a.priority, b.priority);
  differ("compensation", to_string(a.granted), to_string(b.granted));
  if (a.status == ticket_status::closed && b.status == ticket_status::closed)
    differ("cycle (business)", format_millis(a.cycle_business), format_millis(b.cycle_business));
  return out;
}

kpi_options kpi_options_of(const what_if_options& o) {
  return {.from = o.from, .to = o.to, .as_of = o.as_of};
}

}  // namespace

std::vector<recorded_action> recorded_actions(const std::vector<event>& history) {
  return history_reader{history}.run();
}

replayed_ticket replay_under(const flow& f, const std::vector<event>& history, time_point as_of,
                             const granted_elsewhere& granted) {
  return replayer{f, as_of, granted}.run(history);
}

what_if_builder::what_if_builder(what_if_options o)
    : recorded_(kpi_options_of(o)), replayed_(kpi_options_of(o)) {
  r_.options = std::move(o);
}

void what_if_builder::add(const ticket& recorded, const std::vector<event>& history,
                          replayed_ticket&& replay, const flow& changed) {
  auto currency = std::string_view{changed.compensation.currency};
  ++r_.tickets;
  r_.actions += static_cast<int64_t>(replay.actions);
  r_.timers_fired += static_cast<int64_t>(replay.timers_fired);
  if (r_.currency.empty()) r_.currency = currency;
  recorded_.add(recorded, currency);
  replayed_.add(replay.state, currency);
  tally(r_.recorded, history);
  tally(r_.replayed, replay.events);
  r_.replayed.approvals += replay.grants_above_limit;
  r_.replayed.approval_amount += replay.above_limit_amount;

  auto changes = compare(recorded, history, replay.state, replay.events, *changed.cal);
  if (!changes.empty()) {
    ++r_.changed_count;
    if (r_.changed.size() < r_.options.list_limit)
      r_.changed.push_back({recorded.id, std::move(changes)});
  }
  for (auto& x : replay.impossible) {
    ++r_.impossible_count;
    ++r_.impossible_by_kind[fmt::format("{}: {}", x.action, to_string(x.why.code))];
    if (r_.impossible.size() < r_.options.list_limit) r_.impossible.push_back(std::move(x));
  }
}

what_if_report what_if_builder::finish() && {
  r_.recorded.kpis = std::move(recorded_).finish().total;
  r_.replayed.kpis = std::move(replayed_).finish().total;
  return std::move(r_);
}

}  // namespace vocflow

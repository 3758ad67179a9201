// Everything that can happen to a ticket, as events. decide() emits them, apply() folds them
// into the ticket; they are the ticket's history, shown to agents and stored for ever.
// Every event records who (actor and role) and when.
//
// Events carry the values decide() computed (deadlines, timer ids, due times), so replaying
// them never needs a calendar or a time-zone database, and gives the same state years later.
#pragma once

#include "workflows/ticket.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vocflow {
namespace ev {

#define VOCFLOW_EVENT(name_)                       \
  static constexpr std::string_view type = #name_; \
  bool operator==(const name_&) const = default;

struct opened {
  VOCFLOW_EVENT(opened)
  std::string ticket;
  shared_value<ticket_fields> info;
  std::string priority;
  bool historical = false;  // it happened before: recorded from history, with no clocks
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("ticket", s.ticket), f("fields", s.info), f("priority", s.priority);
    f("historical", s.historical);
  }
};

struct routed {
  VOCFLOW_EVENT(routed)
  std::string flow;
  int32_t version = 0;
  std::string reason;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("flow", s.flow), f("version", s.version), f("reason", s.reason);
  }
};

// The ticket entered `step` from `from` through action `via`; `owner` owns it now.
struct step_entered {
  VOCFLOW_EVENT(step_entered)
  std::string step, from, via, owner;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("step", s.step), f("from", s.from), f("via", s.via), f("owner", s.owner);
  }
};

struct handed_off {
  VOCFLOW_EVENT(handed_off)
  std::string from, to, reason;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("from", s.from), f("to", s.to), f("reason", s.reason);
  }
};

struct responded {
  VOCFLOW_EVENT(responded)
  std::string text;
  bool first = false;  // the first response to the customer
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text), f("first", s.first);
  }
};

struct asked_customer {
  VOCFLOW_EVENT(asked_customer)
  std::string text;
  bool first = false;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text), f("first", s.first);
  }
};

struct customer_replied {
  VOCFLOW_EVENT(customer_replied)
  std::string text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text);
  }
};

struct note {
  VOCFLOW_EVENT(note)
  std::string text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text);
  }
};

// The ticket started or stopped waiting (hold: waiting_customer, ...).
struct paused {
  VOCFLOW_EVENT(paused)
  std::string hold, text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("hold", s.hold), f("text", s.text);
  }
};

struct resumed {
  VOCFLOW_EVENT(resumed)
  std::string hold, text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("hold", s.hold), f("text", s.text);
  }
};

struct clock_started {
  VOCFLOW_EVENT(clock_started)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string step, name;
  millis total{0};
  time_point deadline;
  bool paused = false;  // started while the ticket waits
  uint64_t timer = 0;
  time_point due;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("total", s.total), f("deadline", s.deadline), f("paused", s.paused), f("timer", s.timer);
    f("due", s.due);
  }
};

struct clock_paused {
  VOCFLOW_EVENT(clock_paused)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string name;
  millis consumed{0};
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("name", s.name), f("consumed", s.consumed);
  }
};

// The deadline moved by the business time spent waiting.
struct clock_resumed {
  VOCFLOW_EVENT(clock_resumed)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string name;
  time_point deadline;
  uint64_t timer = 0;
  time_point due;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("name", s.name), f("deadline", s.deadline);
    f("timer", s.timer), f("due", s.due);
  }
};

// A target stopped: met in time or not, business time taken, margin to the target.
struct clock_stopped {
  VOCFLOW_EVENT(clock_stopped)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string step, name;
  bool met = false;
  millis taken{0};
  millis margin{0};
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("met", s.met), f("taken", s.taken), f("margin", s.margin);
  }
};

// A threshold of a clock fired. `timer`/`due` arm the clock's next threshold (0: none).
struct sla_warned {
  VOCFLOW_EVENT(sla_warned)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string step, name;
  uint32_t threshold = 0;
  time_point deadline;
  uint64_t timer = 0;
  time_point due;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("threshold", s.threshold), f("deadline", s.deadline), f("timer", s.timer), f("due", s.due);
  }
};

struct sla_breached {
  VOCFLOW_EVENT(sla_breached)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string step, name;
  uint32_t threshold = 0;
  time_point deadline;
  std::string owner;  // the department that was responsible
  uint64_t timer = 0;
  time_point due;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("threshold", s.threshold), f("deadline", s.deadline), f("owner", s.owner);
    f("timer", s.timer), f("due", s.due);
  }
};

struct escalated {
  VOCFLOW_EVENT(escalated)
  uint32_t clock = 0;
  clock_kind kind = clock_kind::step;
  std::string step, name;
  uint32_t threshold = 0;
  int32_t level = 0;  // 1-based position in the target's escalation chain
  std::vector<std::string> notify;
  std::string reassign_department, reassign_role, priority;  // "" when unchanged
  uint64_t timer = 0;
  time_point due;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("clock", s.clock), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("threshold", s.threshold), f("level", s.level), f("notify", s.notify);
    f("reassign_department", s.reassign_department), f("reassign_role", s.reassign_role);
    f("priority", s.priority), f("timer", s.timer), f("due", s.due);
  }
};

struct task_opened {
  VOCFLOW_EVENT(task_opened)
  std::string task, kind, step, owner, title;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("task", s.task), f("kind", s.kind), f("step", s.step), f("owner", s.owner);
    f("title", s.title);
  }
};

struct task_done {
  VOCFLOW_EVENT(task_done)
  std::string task, owner, text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("task", s.task), f("owner", s.owner), f("text", s.text);
  }
};

struct compensation_requested {
  VOCFLOW_EVENT(compensation_requested)
  std::string request;
  money amount;
  std::string reason, approver;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("request", s.request), f("amount", s.amount), f("reason", s.reason);
    f("approver", s.approver);
  }
};

struct compensation_granted {
  VOCFLOW_EVENT(compensation_granted)
  std::string request;  // "" when granted directly, within the granter's limit
  money amount;
  std::string reason;
  money total;  // granted on the ticket so far, this one included
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("request", s.request), f("amount", s.amount), f("reason", s.reason), f("total", s.total);
  }
};

struct compensation_rejected {
  VOCFLOW_EVENT(compensation_rejected)
  std::string request;
  money amount;
  std::string reason;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("request", s.request), f("amount", s.amount), f("reason", s.reason);
  }
};

struct resolved {
  VOCFLOW_EVENT(resolved)
  std::string text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text);
  }
};

struct confirmed {
  VOCFLOW_EVENT(confirmed)
  std::string text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text);
  }
};

struct reopened {
  VOCFLOW_EVENT(reopened)
  int32_t count = 0;
  std::string reason;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("count", s.count), f("reason", s.reason);
  }
};

// A step's timeout ran out (e.g. no answer from the customer): the ticket goes to `go`.
struct timed_out {
  VOCFLOW_EVENT(timed_out)
  std::string step, go;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("step", s.step), f("go", s.go);
  }
};

struct closed {
  VOCFLOW_EVENT(closed)
  std::string reason;
  millis business{0};  // business time from opening to this close: the closed-loop cycle
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("reason", s.reason), f("business", s.business);
  }
};

struct feedback {
  VOCFLOW_EVENT(feedback)
  int32_t csat = 0;  // 1..5; 0 when not given
  double sentiment = 0;
  bool has_sentiment = false;
  std::string text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("csat", s.csat), f("sentiment", s.sentiment), f("has_sentiment", s.has_sentiment);
    f("text", s.text);
  }
};

// What was read in a customer's text (at opening, in each message, or again when the topics
// changed): its topics, why each holds (the rule and the words it matched), and how the
// customer sounds. Computed by the runtime with the topics version and sentiment model it has,
// and recorded, so that history explains itself and replays give the same state.
struct classified {
  VOCFLOW_EVENT(classified)
  std::vector<std::string> topics;
  std::vector<std::string> why;  // one per topic: `any "偏小"`, `match category=clothes`
  double sentiment = 0;          // -1..1
  int32_t topics_version = 0;    // 0: no topics were deployed
  std::string of;                // what was read: opened, customer_replied, repeat_contact, ...
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("topics", s.topics), f("why", s.why), f("sentiment", s.sentiment);
    f("topics_version", s.topics_version), f("of", s.of);
  }
};

// The customer got in touch again on the same matter while the ticket is open: the new
// message, its channel, and how many contacts the ticket has now (the first one included).
struct repeat_contact {
  VOCFLOW_EVENT(repeat_contact)
  std::string text, channel;
  int32_t count = 0;
  std::string reason;  // why it is the same matter: `topic apparel/size`, `similar text 0.62`
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("text", s.text), f("channel", s.channel), f("count", s.count), f("reason", s.reason);
  }
};

// The complaint is one of a problem's (a spike of its topic): `problem` is that ticket.
struct linked_to_problem {
  VOCFLOW_EVENT(linked_to_problem)
  std::string problem, topic;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("problem", s.problem), f("topic", s.topic);
  }
};

// On a problem: one more complaint is linked to it.
struct complaint_linked {
  VOCFLOW_EVENT(complaint_linked)
  std::string ticket;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("ticket", s.ticket);
  }
};

// The problem this complaint is linked to was resolved, with what its resolver said.
struct problem_resolved {
  VOCFLOW_EVENT(problem_resolved)
  std::string problem, text;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("problem", s.problem), f("text", s.text);
  }
};

// On a problem: the spike that opened it, with the detector's reason.
struct spike_flagged {
  VOCFLOW_EVENT(spike_flagged)
  std::string topic, why;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("topic", s.topic), f("why", s.why);
  }
};

// The ticket was given to a person (or a person took it); "" before when nobody had it.
struct assigned {
  VOCFLOW_EVENT(assigned)
  std::string assignee, before;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("assignee", s.assignee), f("before", s.before);
  }
};

#undef VOCFLOW_EVENT

}  // namespace ev

// The order is part of the storage format: append new events at the end, never reorder.
using event_body =
    std::variant<ev::opened, ev::routed, ev::step_entered, ev::handed_off, ev::responded,
                 ev::asked_customer, ev::customer_replied, ev::note, ev::paused, ev::resumed,
                 ev::clock_started, ev::clock_paused, ev::clock_resumed, ev::clock_stopped,
                 ev::sla_warned, ev::sla_breached, ev::escalated, ev::task_opened, ev::task_done,
                 ev::compensation_requested, ev::compensation_granted, ev::compensation_rejected,
                 ev::resolved, ev::confirmed, ev::reopened, ev::timed_out, ev::closed, ev::feedback,
                 ev::classified, ev::repeat_contact, ev::linked_to_problem, ev::complaint_linked,
                 ev::problem_resolved, ev::spike_flagged, ev::assigned>;

struct event {
  uint64_t seq = 0;  // 1, 2, ... per ticket
  time_point at;
  std::string actor;  // who: an agent id, "customer", "system:timer", ...
  std::string role;   // in which role
  event_body body;

  std::string_view type() const;
  bool operator==(const event&) const = default;
};

// The index of an event type in event_body (its storage tag), or -1 when unknown.
int event_index(std::string_view type);

}  // namespace vocflow

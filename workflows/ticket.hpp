// The state of one ticket. Only apply() (engine.hpp) changes it, one event at a time, so
// replaying a ticket's events always rebuilds exactly this state.
//
// Every struct lists its fields once, in `fields(self, f)`, for the encoders (JSON, storage).
#pragma once

#include "workflows/money.hpp"
#include "workflows/shared_value.hpp"
#include "workflows/time.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace vocflow {

// What a complaint says about itself, from whichever channel it came.
struct ticket_fields {
  std::string customer;
  std::string channel;
  std::string category;
  std::string product;
  std::string severity;
  std::string tier;  // customer tier: standard, gold, ...
  std::string text;
  std::vector<std::string> tags;
  money order_value;
  std::map<std::string, std::string> extra;
  // Where it came in: the intake source ("" for the API), the complaint's id there (replies and
  // later events of the same complaint find it by that), and where the customer is answered (an
  // e-mail address for mail).
  std::string source;
  std::string external_id;
  std::string contact;

  template <class Self, class F>
  static void fields(Self& s, F&& f) {
    f("customer", s.customer), f("channel", s.channel), f("category", s.category);
    f("product", s.product), f("severity", s.severity), f("tier", s.tier), f("text", s.text);
    f("tags", s.tags), f("order_value", s.order_value), f("extra", s.extra);
    f("source", s.source), f("external_id", s.external_id), f("contact", s.contact);
  }
  bool operator==(const ticket_fields&) const = default;
};

// A text field of `t` (const or not) by its name in fields(); nullptr for any other name.
template <class T>
auto* text_field(T& t, std::string_view name) {
  decltype(&t.customer) out = nullptr;
  ticket_fields::fields(t, [&](std::string_view key, auto& v) {
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::string>)
      if (key == name) out = &v;
  });
  return out;
}

// A problem (the ticket a spike of a topic opens) names its topic in this attribute.
inline constexpr std::string_view problem_attribute = "problem_topic";
// The topic of a problem; nullptr for a customer's complaint.
inline const std::string* problem_topic(const ticket_fields& f) {
  auto it = f.extra.find(std::string{problem_attribute});
  return it == f.extra.end() ? nullptr : &it->second;
}

// A field by the name routing rules use (`extra.NAME` for an attribute); "" for unknown names.
std::string_view field_value(const ticket_fields& t, std::string_view name);

enum class ticket_status : uint8_t { open, resolved, closed };
std::string_view to_string(ticket_status s);
[[nodiscard]] bool from_string(std::string_view s, ticket_status& out);

enum class clock_kind : uint8_t { first_response, resolution, step, task, timeout };
std::string_view to_string(clock_kind k);
[[nodiscard]] bool from_string(std::string_view s, clock_kind& out);

// A running service-level clock: business time used, its deadline, and the one timer armed
// for its next threshold (warning, escalation level, breach).
struct sla_clock {
  uint32_t id = 0;
  clock_kind kind = clock_kind::step;
  std::string step;  // the step it belongs to ("" for ticket-wide targets and root cause)
  std::string name;  // step name, task name, or the target's name
  time_point started;
  millis total{0};      // business time allowed
  time_point deadline;  // as last computed (moves while paused)
  millis consumed{0};   // business time used up to `since`
  time_point since;     // when it last started running
  bool paused = false;
  bool breached = false;
  uint32_t fired = 0;  // bit i: threshold i has fired
  uint64_t timer = 0;  // the armed timer's id; 0 when none
  time_point due;      // when that timer is due

  template <class Self, class F>
  static void fields(Self& s, F&& f) {
    f("id", s.id), f("kind", s.kind), f("step", s.step), f("name", s.name);
    f("started", s.started), f("total", s.total), f("deadline", s.deadline);
    f("consumed", s.consumed), f("since", s.since), f("paused", s.paused);
    f("breached", s.breached), f("fired", s.fired), f("timer", s.timer), f("due", s.due);
  }
  bool operator==(const sla_clock&) const = default;
};

// Work for one department on the ticket: a parallel branch or root-cause work.
struct task {
  std::string name;
  std::string kind;  // "branch" or "root_cause"
  std::string step;  // for a branch: its parallel step
  std::string owner;
  std::string title;
  time_point opened;

  template <class Self, class F>
  static void fields(Self& s, F&& f) {
    f("name", s.name), f("kind", s.kind), f("step", s.step), f("owner", s.owner);
    f("title", s.title), f("opened", s.opened);
  }
  bool operator==(const task&) const = default;
};

// Compensation above the requester's limit, waiting for an approver.
struct compensation_request {
  std::string id;
  money amount;
  std::string reason;
  std::string approver;  // role
  std::string requested_by;
  time_point at;

  template <class Self, class F>
  static void fields(Self& s, F&& f) {
    f("id", s.id), f("amount", s.amount), f("reason", s.reason), f("approver", s.approver);
    f("requested_by", s.requested_by), f("at", s.at);
  }
  bool operator==(const compensation_request&) const = default;
};

struct ticket {
  std::string id;
  std::string flow;
  int32_t version = 0;
  shared_value<ticket_fields> info;  // what the complaint says; set once, at open

  ticket_status status = ticket_status::open;
  std::string step;
  std::string owner;          // department
  std::string assignee;       // the person who has it (assign), "" for nobody yet
  std::string assigned_role;  // the role's queue an escalation put it in, "" for the department's
  std::string priority;
  uint8_t holds = 0;  // bits of `hold`

  time_point opened_at, first_response_at, resolved_at, closed_at;
  std::vector<sla_clock> clocks;
  std::vector<task> tasks;
  std::vector<compensation_request> requests;
  money granted;
  bool root_cause_opened = false;

  int32_t reopens = 0;
  int32_t handoffs = 0;
  int32_t interactions = 0;  // agent replies to the customer (respond, ask_customer)
  // Every department involved, in order; shared, as it changes only when another joins.
  shared_value<std::vector<std::string>> departments;
  int32_t csat = 0;      // 1..5, 0 when not given
  double sentiment = 0;  // -1..1, meaningful when has_sentiment
  bool has_feedback = false;
  bool has_sentiment = false;
  bool historical = false;  // recorded from history (an import): it ran no clocks here

  // What the customer's texts are about and how the customer sounds (classified events):
  // the topics of the latest reading; the sentiment of the first text (before any answer) and
  // of the latest one after the first interaction (the post-interaction sentiment).
  std::vector<std::string> topics;
  int32_t topics_version = 0;
  double sentiment_before = 0, sentiment_after = 0;
  bool has_before = false, has_after = false;
  int32_t contacts = 1;             // the customer's contacts on this matter (repeat contacts)
  std::string problem;              // the problem this complaint is linked to, "" for none
  std::vector<std::string> linked;  // on a problem: the complaints linked to it

  // Service-level outcomes, kept for the closed-loop numbers. *_met: -1 not yet known,
  // 0 missed, 1 met; taken and margin are in business time.
  int8_t first_response_met = -1;
  millis first_response_taken{0}, first_response_margin{0};
  int8_t resolution_met = -1;
  millis resolution_taken{0}, resolution_margin{0};
  std::string first_responder;  // the agent who answered first
  std::string resolved_by;      // the agent who resolved it last
  int32_t breaches = 0;         // SLA breaches of any clock
  millis cycle_business{0};     // opening to the last close, in business time

  uint64_t seq = 0;  // of the last event applied
  uint32_t next_clock = 1;
  uint64_t next_timer = 1;
  uint32_t next_request = 1;

  bool exists() const { return !id.empty(); }
  const sla_clock* find_clock(uint32_t id) const;
  const sla_clock* clock_of(clock_kind k, std::string_view step = {}) const;
  const task* find_task(std::string_view name) const;
  money pending() const;  // requested, not yet decided

  template <class Self, class F>
  static void fields(Self& s, F&& f) {
    f("id", s.id), f("flow", s.flow), f("version", s.version), f("fields", s.info);
    f("status", s.status), f("step", s.step), f("owner", s.owner), f("assignee", s.assignee);
    f("priority", s.priority), f("holds", s.holds), f("opened_at", s.opened_at);
    f("first_response_at", s.first_response_at), f("resolved_at", s.resolved_at);
    f("closed_at", s.closed_at), f("clocks", s.clocks), f("tasks", s.tasks);
    f("requests", s.requests), f("granted", s.granted), f("root_cause_opened", s.root_cause_opened);
    f("reopens", s.reopens), f("handoffs", s.handoffs), f("interactions", s.interactions);
    f("departments", s.departments), f("csat", s.csat), f("sentiment", s.sentiment);
    f("has_feedback", s.has_feedback), f("seq", s.seq), f("next_clock", s.next_clock);
    f("next_timer", s.next_timer), f("next_request", s.next_request);
    f("first_response_met", s.first_response_met);
    f("first_response_taken", s.first_response_taken);
    f("first_response_margin", s.first_response_margin);
    f("resolution_met", s.resolution_met), f("resolution_taken", s.resolution_taken);
    f("resolution_margin", s.resolution_margin), f("first_responder", s.first_responder);
    f("resolved_by", s.resolved_by), f("breaches", s.breaches);
    f("cycle_business", s.cycle_business), f("has_sentiment", s.has_sentiment);
    f("historical", s.historical), f("topics", s.topics), f("topics_version", s.topics_version);
    f("sentiment_before", s.sentiment_before), f("sentiment_after", s.sentiment_after);
    f("has_before", s.has_before), f("has_after", s.has_after), f("contacts", s.contacts);
    f("problem", s.problem), f("linked", s.linked), f("assigned_role", s.assigned_role);
  }
  bool operator==(const ticket&) const = default;
};

}  // namespace vocflow

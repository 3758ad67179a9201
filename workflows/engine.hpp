// The pure engine: decide() turns a command into events and effects, or a typed rejection;
// apply() is the only code that changes a ticket. Time is an argument, never read from a clock.
//
//   auto out = decide(flow, ticket, cmd, now);
//   if (auto* d = std::get_if<decision>(&out)) { persist(d->events); run(d->effects);
//                                                ticket = d->next; }
#pragma once

#include "workflows/events.hpp"
#include "workflows/model.hpp"
#include "workflows/ticket.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace vocflow {

struct actor_ref {
  std::string id;
  std::string role;
};

// One thing someone (or a timer) wants done to a ticket. Which fields matter depends on the
// action; decide() rejects a command that lacks what its action needs.
// A complaint that happened before it reached vocflow (the `record` action): when it was
// opened and, when its source says it was closed, when and how.
struct past_record {
  time_point opened;
  time_point closed;  // no_time when it is still open
  std::string outcome;
};

// What the runtime read in a customer's text: topics (with why) and sentiment.
struct text_reading {
  std::vector<std::string> topics, why;
  double sentiment = 0;
  int32_t topics_version = 0;
};

struct command {
  std::string action;  // open, respond, hand_off, ..., a transition of the flow, or timer
  actor_ref by;
  std::string ticket_id;  // open: the id the new ticket gets
  // open: what the complaint says, shared with the ticket's `opened` event (not copied again)
  shared_value<ticket_fields> info;
  std::string text;                 // message, note or reason
  std::string to;                   // hand_off: department
  std::optional<money> amount;      // grant/request_compensation
  std::string request;              // approve/reject_compensation: request id
  std::string task;                 // complete_task
  std::optional<int32_t> csat;      // feedback: 1..5
  std::optional<double> sentiment;  // feedback: -1..1
  uint64_t timer = 0;               // timer: the id of the timer that fired
  std::optional<past_record> past;  // record: its own times
  std::string other;                // link_*, problem_resolved: the other ticket's id
  // Supplied by the runtime for what carries a customer's text (open, record, customer_reply,
  // repeat_contact) and for reclassify: what it read there.
  std::optional<text_reading> reading;
  // Supplied by the runtime: compensation already granted to this customer within the flow's
  // per_customer period, on any ticket.
  money customer_granted;
};

enum class reject_code : uint8_t {
  not_found,           // no such ticket
  already_exists,      // open on an existing ticket
  action_not_allowed,  // not possible in this step; `allowed` lists what is
  forbidden,           // the role may not do this
  above_limit,         // the amount is above what the role may grant
  invalid_argument,    // missing or bad field
  ticket_closed,
  stale_timer,  // the timer was cancelled or re-armed meanwhile
  key_reused,   // an open's idempotency key was used before for a different request
};
std::string_view to_string(reject_code c);

struct rejection {
  reject_code code;
  std::string message;
  std::vector<std::string> allowed;  // for action_not_allowed
};

// Effects for the runtime to perform after the events are durable.
struct arm_timer {
  uint64_t timer;
  time_point due;
};
struct cancel_timer {
  uint64_t timer;
  time_point due;
};
struct notify {
  std::vector<std::string> to;  // roles or departments
  std::string subject;
  std::string event_type;
  uint64_t seq = 0;  // the event it tells about
};
struct enqueue {
  std::string department;
};
using effect = std::variant<arm_timer, cancel_timer, notify, enqueue>;

struct decision {
  // A constructor, not an aggregate: outcome{std::in_place_type<decision>, ...} builds it in
  // place (a ticket is large, and each move of it costs), and clang 14 has no parenthesized
  // aggregate initialization.
  decision() = default;
  decision(std::vector<event>&& e, std::vector<effect>&& fx, ticket&& t)
      : events(std::move(e)), effects(std::move(fx)), next(std::move(t)) {}

  std::vector<event> events;
  std::vector<effect> effects;
  ticket next;  // the ticket with `events` applied
};

using outcome = std::variant<decision, rejection>;

// The effects a caller wants; the others are neither built nor returned. A runtime without
// webhooks has no use for notifications (each a list of recipients and a formatted subject),
// one whose queues follow the committed tickets none for enqueue.
struct wanted_effects {
  bool notify = true;
  bool enqueue = true;
};

// Decides what `cmd` does to `t` at `now` under flow `f` (the version the ticket runs on;
// for open, the flow it was routed to).
outcome decide(const flow& f, const ticket& t, const command& cmd, time_point now,
               wanted_effects wanted = {});

// Applies one event; the only state change there is.
void apply(ticket& t, const event& e);
inline ticket replay(const std::vector<event>& events) {
  ticket t;
  for (auto& e : events) apply(t, e);
  return t;
}

// The timers a ticket has armed, kept as a runtime keeps them (simulations, replays).
class armed_timers {
 public:
  // Arms and cancels as a decision's effects say.
  void follow(const std::vector<effect>& effects);
  // The earliest timer due at or before `limit` (the lowest id among equals), taken off the
  // list; nullopt when none is.
  std::optional<std::pair<uint64_t, time_point>> take_due(time_point limit);
  // The command that fires timer `id`, from the system.
  static command firing(uint64_t id);
  // Fires, in due order, every timer due at or before `limit` (those a firing arms too), at
  // most `budget` of them: fire(command, due) for each. Returns how many fired.
  template <class Fire>
  size_t fire_until(time_point limit, size_t budget, Fire&& fire) {
    size_t fired = 0;
    for (; fired < budget; ++fired) {
      auto due = take_due(limit);
      if (!due) break;
      fire(firing(due->first), due->second);
    }
    return fired;
  }

 private:
  std::map<uint64_t, time_point> due_;
};

// Who fires timers: the actor of every event a timer's command makes.
inline constexpr std::string_view timer_actor_id = "system:timer";

// The reason of the hand-off entering a step makes when the step belongs to another
// department (the flow's, not a person's, hand-off).
std::string step_owner_reason(std::string_view step, std::string_view owner);

// The actions `t` accepts now, built-in ones included (for rejections and for agents' UIs).
std::vector<std::string> allowed_actions(const flow& f, const ticket& t, time_point now);

}  // namespace vocflow

// KPI integrity: tickets whose figures deserve a second look, each with the events that show
// it. The closed-loop numbers are only as honest as the histories behind them; these are the
// patterns that flatter them:
//   paused_while_customer_answered  an SLA clock waited for the customer although the customer
//                                   had already got in touch (on this ticket or another one)
//   closed_without_confirmation     closed although the flow asks the customer to confirm
//   repeat_of_closed                a "new" complaint on the same matter as one closed within
//                                   its reopen window (that one counts as first-contact resolved)
//   split_compensation              grants by one role, each within its limit, adding up above it
//                                   on one ticket or one customer within a day
//   handoff_ping_pong               handed back to the department it came from (A -> B -> A)
//
//   audit_builder a{options};
//   for each ticket opened from options.context_from on: a.add(flow, state, history);
//   auto report = std::move(a).finish();
#pragma once

#include "workflows/events.hpp"
#include "workflows/model.hpp"
#include "workflows/topics.hpp"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace vocflow {

struct audit_evidence {
  std::string ticket;
  event what;
};

struct audit_finding {
  std::string kind;
  std::string ticket;  // whose figures it concerns
  std::string customer;
  time_point at;        // when it happened
  std::string summary;  // one sentence for a person
  std::vector<audit_evidence> evidence;
};

struct audit_options {
  time_point from, to, as_of;  // findings about tickets opened in [from, to)
  // Tickets opened from here on are read for context (an earlier closed complaint, a grant the
  // day before): from minus the longest reopen window and a day.
  time_point context_from;
  repeat_settings repeats;  // what counts as the same matter
  std::chrono::hours split_window{24};
  size_t list_limit = 100;      // findings listed (all are counted)
  std::set<std::string> kinds;  // the kinds listed; empty: every kind
};

struct audit_report {
  audit_options options;
  int64_t tickets = 0;                    // opened in [from, to)
  std::map<std::string, int64_t> counts;  // by kind
  int64_t total = 0;
  std::vector<audit_finding> findings;  // in time order, the first list_limit
};

// The kinds of finding, in the order above.
const std::vector<std::string>& audit_kinds();

class audit_builder {
 public:
  explicit audit_builder(audit_options o);
  ~audit_builder();
  audit_builder(audit_builder&&) noexcept;
  // One ticket, its flow (null when it is not known) and its history.
  void add(const flow* f, const ticket& state, const std::vector<event>& history);
  audit_report finish() &&;

 private:
  struct state;
  std::unique_ptr<state> s_;
};

}  // namespace vocflow

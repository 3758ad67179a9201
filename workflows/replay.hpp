// What if: recorded tickets run again through the engine under a changed flow or calendar.
// The people's actions are read back from each ticket's history and applied at the times they
// were taken; timers fire as the changed flow says. An action the changed flow refuses at that
// point is reported, never replaced by another. The history itself is only read.
//
// Policy only: who did what and when is held fixed, so queueing effects (a tighter target
// making people answer sooner, a new step taking someone's time) are not modelled.
//
//   auto actions = recorded_actions(history);        // what people did, in order
//   auto r = replay_under(changed, history, as_of);   // the ticket under `changed`
//   what_if_builder w{options};
//   w.add(recorded_state, history, std::move(r), changed);  // for each ticket of the cohort
//   auto report = std::move(w).finish();
#pragma once

#include "workflows/engine.hpp"
#include "workflows/kpi.hpp"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace vocflow {

// One command someone (a person, the customer or a connector) took, read back from the events
// it made. Timers are not among them: a replay fires its own.
struct recorded_action {
  time_point at;
  command cmd;
  uint64_t seq = 0;  // the first event it made
  // Recorded from history (an import): the complaint was answered and resolved then. A replay
  // answers the customer and takes the step's resolving transition, whatever its name.
  bool resolved_in_history = false;
};

// The commands behind a ticket's history, in the order they were taken.
std::vector<recorded_action> recorded_actions(const std::vector<event>& history);

// A recorded action the changed flow refuses where the replay got to.
struct impossible_action {
  std::string ticket;
  time_point at;
  std::string action, by, role;
  uint64_t seq = 0;  // the recorded event that shows it
  rejection why;
};

// Compensation granted to a customer on other tickets from `since` to `at` (the flow's
// per-customer cap); nothing when not given.
using granted_elsewhere =
    std::function<money(const std::string& customer, time_point since, time_point at)>;

struct replayed_ticket {
  ticket state;               // after the replay, timers fired up to as_of
  std::vector<event> events;  // the replay's history
  std::vector<impossible_action> impossible;
  size_t actions = 0, timers_fired = 0;
  // Direct grants the flow refused as above the granter's limit: they would need approval.
  int64_t grants_above_limit = 0;
  money above_limit_amount;
};

// Runs the recorded actions of `history` through `f`, firing its timers up to `as_of`.
replayed_ticket replay_under(const flow& f, const std::vector<event>& history, time_point as_of,
                             const granted_elsewhere& granted = {});

// The figures a what-if compares, for one side (recorded or replayed) of a cohort.
struct what_if_figures {
  kpi_figures kpis;  // as GET /v1/kpis counts them
  // Warnings and breaches by target (`first_response`, `resolution`, `step triage`,
  // `task photos`), breaches by the department responsible, escalations by level.
  std::map<std::string, int64_t> warnings, breaches, breaches_by_department;
  std::map<int32_t, int64_t> escalations;
  // Compensation that needed an approver: requests made, and direct grants the flow refused
  // as above the granter's limit.
  int64_t approvals = 0;
  money approval_amount;
};

// How one ticket's outcome differs between the recorded run and the replay.
struct outcome_change {
  std::string what, recorded, replayed;
};
struct changed_ticket {
  std::string ticket;
  std::vector<outcome_change> changes;
};

struct what_if_options {
  time_point from, to, as_of;  // the cohort: tickets opened in [from, to)
  size_t list_limit = 50;      // changed tickets and impossible actions listed (all are counted)
  std::string flow;            // the changed flow, id@version
  std::string recorded_flow;   // the id of the flow whose tickets were replayed
  std::string calendar;        // the changed flow's calendar
};

struct what_if_report {
  what_if_options options;
  int64_t tickets = 0, actions = 0, timers_fired = 0;
  what_if_figures recorded, replayed;
  int64_t changed_count = 0, impossible_count = 0;
  std::vector<changed_ticket> changed;        // the first list_limit
  std::vector<impossible_action> impossible;  // the first list_limit
  // Impossible actions by what was refused and why: `grant_compensation: above_limit`.
  std::map<std::string, int64_t> impossible_by_kind;
  std::string currency;
};

// Adds tickets one by one: each one's recorded state and history, and its replay.
class what_if_builder {
 public:
  explicit what_if_builder(what_if_options o);
  // `changed`: the flow it was replayed under (its currency and calendar).
  void add(const ticket& recorded, const std::vector<event>& history, replayed_ticket&& replay,
           const flow& changed);
  what_if_report finish() &&;

 private:
  what_if_report r_;
  kpi_builder recorded_, replayed_;
};

// What a replay holds fixed, said wherever its figures are shown.
inline constexpr std::string_view what_if_label =
    "policy only: the people's actions and their times are held fixed; queueing effects are "
    "not modelled";

}  // namespace vocflow

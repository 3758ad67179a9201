// The closed-loop numbers over a cohort of tickets: those opened in [from, to). Everything
// comes from what each ticket keeps (outcomes of its targets, counters, feedback), so a
// report reads snapshots and replays nothing. Figures for a recent cohort mature as its
// tickets close; `as_of` is the time the report is made (injected, never read from a clock).
#pragma once

#include "workflows/ticket.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vocflow {

enum class kpi_grouping : uint8_t { none, department, flow, agent, category, product, topic, day };
[[nodiscard]] std::optional<kpi_grouping> parse_kpi_grouping(std::string_view s);
std::string_view to_string(kpi_grouping g);

struct kpi_options {
  time_point from, to, as_of;
  kpi_grouping group_by = kpi_grouping::none;
  // First-contact resolution: a ticket counts once it was resolved this long ago without a
  // reopen (or was reopened, which settles it as not first-contact).
  std::chrono::days fcr_window{7};
};

struct kpi_share {
  int64_t yes = 0, no = 0, pending = 0;
  std::optional<double> rate() const;  // yes / (yes + no)
};

struct kpi_durations {
  std::vector<millis> samples;
  std::optional<millis> percentile(double p) const;  // nearest rank; p in (0, 1]
};

struct kpi_mean {
  int64_t count = 0;
  double sum = 0;
  std::optional<double> mean() const;
};

struct kpi_figures {
  std::string group;  // "" for all tickets
  int64_t tickets = 0, open = 0, resolved = 0, closed = 0;
  kpi_share first_response;  // answered within the target
  kpi_share resolution;      // resolved within the target
  // resolved with at most one agent reply, no hand-off, no reopen, and no repeat contact (the
  // customer getting in touch again on the same matter, through any channel)
  kpi_share first_contact;
  kpi_share reopened;  // of the tickets resolved at least once: reopened (yes) or not
  kpi_durations cycle_business, cycle_wall;   // opening to close, closed tickets
  kpi_durations cross_business, cross_wall;   // the same, tickets closed by several departments
  std::map<std::string, money> compensation;  // granted, by currency
  int64_t compensated = 0;                    // tickets with any compensation granted
  kpi_mean csat, sentiment;
  // How the customer sounds after our interaction against before (classified texts): the
  // first text's sentiment and the latest one's after the first answer, over the tickets that
  // have both. index = after - before.
  kpi_mean sentiment_before, sentiment_after;
  int64_t breaches = 0;  // of the cohort's tickets, whenever they happened
  // What happened in [from, to), whatever the ticket's opening (the alert log).
  int64_t warnings_in_period = 0, breaches_in_period = 0, escalations_in_period = 0;
};

// An SLA warning, breach or escalation, as the alert log keeps it.
struct kpi_alert {
  std::string_view type;  // sla_warned, sla_breached, escalated
  time_point at;
  std::string_view department, flow, assignee, category, product;
  const std::vector<std::string>* topics = nullptr;
};

struct kpi_report {
  kpi_options options;
  kpi_figures total;
  std::vector<kpi_figures> groups;  // by group name
};

// Feed the cohort's tickets one by one; `currency` is that of the ticket's flow.
class kpi_builder {
 public:
  explicit kpi_builder(kpi_options options);
  // False (and nothing counted) when the ticket did not open in [from, to).
  bool add(const ticket& t, std::string_view currency);
  // An alert; false (and nothing counted) when it did not happen in [from, to). In groups by
  // agent it counts for the person who had the ticket then.
  bool add(const kpi_alert& a);
  kpi_report finish() &&;

 private:
  void count(kpi_figures& k, const ticket& t, std::string_view currency) const;
  std::vector<std::string> groups_of(const ticket& t) const;

  kpi_options options_;
  kpi_figures total_;
  std::map<std::string, kpi_figures> groups_;
};

}  // namespace vocflow

#include "workflows/kpi.hpp"

#include <date/date.h>

#include <algorithm>
#include <cmath>

namespace vocflow {
namespace {

constexpr std::pair<kpi_grouping, std::string_view> grouping_names[] = {
    {kpi_grouping::none, "none"},         {kpi_grouping::department, "department"},
    {kpi_grouping::flow, "flow"},         {kpi_grouping::agent, "agent"},
    {kpi_grouping::category, "category"}, {kpi_grouping::product, "product"},
    {kpi_grouping::topic, "topic"},       {kpi_grouping::day, "day"},
};

auto or_none(std::string_view s) {
  return s.empty() ? std::string{"(none)"} : std::string{s};
}

// A UTC day, 2026-03-09.
std::string day_of(time_point t) {
  return date::format("%F", date::floor<date::days>(t));
}

std::vector<std::string> topics_or_none(const std::vector<std::string>* topics) {
  if (!topics || topics->empty()) return {"(none)"};
  return *topics;
}

// A ticket-wide target: its outcome once its clock stopped; a running clock that already
// breached is a miss that can no longer turn into a hit.
void count_target(kpi_share& s, int8_t met, const ticket& t, clock_kind kind) {
  auto* c = met < 0 ? t.clock_of(kind) : nullptr;
  if (met == 1)
    ++s.yes;
  else if (met == 0 || (c && c->breached))
    ++s.no;
  else
    ++s.pending;
}

}  // namespace

std::optional<kpi_grouping> parse_kpi_grouping(std::string_view s) {
  for (auto& [g, name] : grouping_names)
    if (name == s) return g;
  return std::nullopt;
}

std::string_view to_string(kpi_grouping g) {
  for (auto& [v, name] : grouping_names)
    if (v == g) return name;
  return "none";
}

std::optional<double> kpi_share::rate() const {
  if (yes + no == 0) return std::nullopt;
  return static_cast<double>(yes) / static_cast<double>(yes + no);
}

std::optional<millis> kpi_durations::percentile(double p) const {
  if (samples.empty()) return std::nullopt;
  auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(samples.size())));
  rank = std::clamp<size_t>(rank, 1, samples.size());
  auto sorted = samples;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(rank - 1),
                   sorted.end());
  return sorted[rank - 1];
}

std::optional<double> kpi_mean::mean() const {
  if (count == 0) return std::nullopt;
  return sum / static_cast<double>(count);
}

kpi_builder::kpi_builder(kpi_options options) : options_(options) {}

bool kpi_builder::add(const ticket& t, std::string_view currency) {
  if (t.opened_at < options_.from || t.opened_at >= options_.to) return false;
  count(total_, t, currency);
  if (options_.group_by != kpi_grouping::none)
    for (auto& g : groups_of(t)) {
      auto& k = groups_[g];
      k.group = g;
      count(k, t, currency);
    }
  return true;
}

bool kpi_builder::add(const kpi_alert& a) {
  if (a.at < options_.from || a.at >= options_.to) return false;
  auto count = [&](kpi_figures& k) {
    if (a.type == "sla_warned") ++k.warnings_in_period;
    if (a.type == "sla_breached") ++k.breaches_in_period;
    if (a.type == "escalated") ++k.escalations_in_period;
  };
  count(total_);
  std::vector<std::string> groups;
  switch (options_.group_by) {
    case kpi_grouping::none:
      return true;
    case kpi_grouping::department:
      groups = {or_none(a.department)};
      break;
    case kpi_grouping::flow:
      groups = {std::string{a.flow}};
      break;
    case kpi_grouping::agent:
      groups = {or_none(a.assignee)};
      break;
    case kpi_grouping::category:
      groups = {or_none(a.category)};
      break;
    case kpi_grouping::product:
      groups = {or_none(a.product)};
      break;
    case kpi_grouping::topic:
      groups = topics_or_none(a.topics);
      break;
    case kpi_grouping::day:
      groups = {day_of(a.at)};
      break;
  }
  for (auto& g : groups) {
    auto& k = groups_[g];
    k.group = g;
    count(k);
  }
  return true;
}

std::vector<std::string> kpi_builder::groups_of(const ticket& t) const {
  switch (options_.group_by) {
    case kpi_grouping::department:
      // Every department the ticket went through is judged by it.
      if (t.departments->empty()) return {"(none)"};
      return *t.departments;
    case kpi_grouping::flow:
      return {t.flow};
    case kpi_grouping::agent:
      // The agent who resolved it; until then the one who answered first.
      return {or_none(t.resolved_by.empty() ? t.first_responder : t.resolved_by)};
    case kpi_grouping::category:
      return {or_none(t.info->category)};
    case kpi_grouping::product:
      return {or_none(t.info->product)};
    case kpi_grouping::topic:
      return topics_or_none(&t.topics);
    case kpi_grouping::day:
      return {day_of(t.opened_at)};
    case kpi_grouping::none:
      break;
  }
  return {};
}

void kpi_builder::count(kpi_figures& k, const ticket& t, std::string_view currency) const {
  ++k.tickets;
  bool was_resolved = t.resolved_at != no_time;
  if (t.status == ticket_status::open) ++k.open;
  if (was_resolved) ++k.resolved;
  k.breaches += t.breaches;

  count_target(k.first_response, t.first_response_met, t, clock_kind::first_response);
  count_target(k.resolution, t.resolution_met, t, clock_kind::resolution);

  if (was_resolved) {
    (t.reopens > 0 ? k.reopened.yes : k.reopened.no)++;
    if (t.reopens > 0 || t.interactions > 1 || t.handoffs > 0 || t.contacts > 1)
      ++k.first_contact.no;
    else if (t.resolved_at + options_.fcr_window <= options_.as_of)
      ++k.first_contact.yes;
    else
      ++k.first_contact.pending;  // a reopen may still come
  }

  if (t.status == ticket_status::closed) {
    ++k.closed;
    auto wall = std::chrono::duration_cast<millis>(t.closed_at - t.opened_at);
    k.cycle_business.samples.push_back(t.cycle_business);
    k.cycle_wall.samples.push_back(wall);
    if (t.departments->size() > 1) {
      k.cross_business.samples.push_back(t.cycle_business);
      k.cross_wall.samples.push_back(wall);
    }
  }

  if (t.granted.minor > 0) {
    k.compensation[std::string{currency}] += t.granted;
    ++k.compensated;
  }
  if (t.csat > 0) {
    ++k.csat.count;
    k.csat.sum += t.csat;
  }
  if (t.has_sentiment) {
    ++k.sentiment.count;
    k.sentiment.sum += t.sentiment;
  }
  if (t.has_before && t.has_after) {
    ++k.sentiment_before.count, ++k.sentiment_after.count;
    k.sentiment_before.sum += t.sentiment_before;
    k.sentiment_after.sum += t.sentiment_after;
  }
}

kpi_report kpi_builder::finish() && {
  kpi_report r;
  r.options = options_;
  r.total = std::move(total_);
  for (auto& [name, k] : groups_) r.groups.push_back(std::move(k));
  return r;
}

}  // namespace vocflow

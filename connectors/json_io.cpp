#include "connectors/json_io.hpp"

#include "workflows/json_codec.hpp"

namespace vocflow::connectors {

namespace {

using nlohmann::json;

template <class T>
json or_null(const std::optional<T>& v) {
  return v ? json(*v) : json();
}

json seconds_or_null(const std::optional<millis>& m) {
  if (!m) return json();
  return std::chrono::duration_cast<std::chrono::seconds>(*m).count();
}

json share_json(const kpi_share& s, const char* yes, const char* no) {
  return {{yes, s.yes}, {no, s.no}, {"pending", s.pending}, {"rate", or_null(s.rate())}};
}

json durations_json(const kpi_durations& business, const kpi_durations& wall) {
  auto one = [](const kpi_durations& d) {
    return json{{"median", seconds_or_null(d.percentile(0.5))},
                {"p90", seconds_or_null(d.percentile(0.9))}};
  };
  return {{"closed", business.samples.size()},
          {"business_seconds", one(business)},
          {"wall_seconds", one(wall)}};
}

// The post-interaction sentiment index: after - before, over the tickets with both.
json post_interaction(const kpi_figures& k) {
  auto before = k.sentiment_before.mean(), after = k.sentiment_after.mean();
  return {{"tickets", k.sentiment_after.count},
          {"before", or_null(before)},
          {"after", or_null(after)},
          {"mean", before && after ? json(*after - *before) : json(nullptr)}};
}

}  // namespace

json kpi_figures_json(const kpi_figures& k) {
  json compensation = json::array();
  for (auto& [currency, amount] : k.compensation)
    compensation.push_back({{"currency", currency}, {"granted", to_string(amount)}});
  return {
      {"tickets", k.tickets},
      {"open", k.open},
      {"resolved", k.resolved},
      {"closed", k.closed},
      {"first_response", share_json(k.first_response, "met", "missed")},
      {"resolution", share_json(k.resolution, "met", "missed")},
      {"first_contact_resolution",
       share_json(k.first_contact, "first_contact", "not_first_contact")},
      {"reopen", share_json(k.reopened, "reopened", "not_reopened")},
      {"cycle", durations_json(k.cycle_business, k.cycle_wall)},
      {"cross_department_cycle", durations_json(k.cross_business, k.cross_wall)},
      {"compensation", {{"tickets", k.compensated}, {"granted", compensation}}},
      {"csat", {{"responses", k.csat.count}, {"mean", or_null(k.csat.mean())}}},
      {"sentiment", {{"responses", k.sentiment.count}, {"mean", or_null(k.sentiment.mean())}}},
      {"post_interaction_sentiment", post_interaction(k)},
      {"breaches", k.breaches},
      {"in_period",
       {{"warnings", k.warnings_in_period},
        {"breaches", k.breaches_in_period},
        {"escalations", k.escalations_in_period}}},
  };
}

json queue_item_json(const actors::queue_entry& e) {
  auto j = to_json(e.view);
  j["owned"] = e.owned;
  j["tasks"] = e.tasks;
  return j;
}

json events_json(const std::vector<event>& events) {
  json out = json::array();
  for (auto& e : events) out.push_back(to_json(e));
  return out;
}

json kpi_json(const kpi_report& r) {
  json groups = json::array();
  for (auto& g : r.groups) {
    auto j = kpi_figures_json(g);
    j["group"] = g.group;
    groups.push_back(std::move(j));
  }
  json out = {{"from", format_utc(r.options.from)},
              {"to", format_utc(r.options.to)},
              {"as_of", format_utc(r.options.as_of)},
              {"cohort", "tickets opened in [from, to); in_period: alerts that happened in it"},
              {"fcr_days", r.options.fcr_window.count()},
              {"group_by", to_string(r.options.group_by)},
              {"total", kpi_figures_json(r.total)}};
  if (r.options.group_by != kpi_grouping::none) out["groups"] = std::move(groups);
  return out;
}

}  // namespace vocflow::connectors

#include "connectors/json_io.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

#include "workflows/json_codec.hpp"

namespace vocflow::connectors {
namespace {

using nlohmann::json;

// Parses an object body; every key must be in `known`.
std::variant<json, body_error> object_body(const std::string& body,
                                           const std::set<std::string>& known) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for 1e999
    return body_error{"malformed_json", fmt::format("the body is not JSON: {}", e.what()), ""};
  }
  if (!j.is_object()) return body_error{"malformed_json", "the body must be a JSON object", ""};
  for (auto& [k, _] : j.items())
    if (!known.contains(k)) {
      std::vector<std::string> names(known.begin(), known.end());
      auto hint = suggest(k, names);
      return body_error{"unknown_field",
                        hint.empty()
                            ? fmt::format("unknown field `{}`", k)
                            : fmt::format("unknown field `{}` (did you mean `{}`?)", k, hint),
                        k};
    }
  return j;
}

std::optional<body_error> text(const json& j, const char* key, std::string& out) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  if (!j[key].is_string())
    return body_error{"invalid_field", fmt::format("`{}` must be a string", key), key};
  out = j[key].get<std::string>();
  if (out.size() > 20'000)
    return body_error{"invalid_field", fmt::format("`{}` is longer than 20000 characters", key),
                      key};
  return std::nullopt;
}

std::optional<body_error> amount(const json& j, const char* key, std::optional<money>& out) {
  if (!j.contains(key) || j[key].is_null()) return std::nullopt;
  auto& v = j[key];
  std::optional<money> m;
  if (v.is_string()) {
    m = parse_money(v.get<std::string>());
  } else if (v.is_number() && v.get<double>() >= 0 && std::isfinite(v.get<double>())) {
    double cents = v.get<double>() * 100;
    if (std::abs(cents - std::round(cents)) < 1e-6 && cents < 1e15)
      m = money{static_cast<int64_t>(std::round(cents))};
  }
  if (!m)
    return body_error{"invalid_field",
                      fmt::format("`{}` must be an amount like 49.90 (two decimals at most)", key),
                      key};
  out = m;
  return std::nullopt;
}

}  // namespace

std::variant<open_request, body_error> parse_open(const std::string& body) {
  auto parsed = object_body(body, {"customer", "channel", "category", "product", "severity", "tier",
                                   "text", "tags", "order_value", "extra", "flow"});
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  open_request r;
  auto& t = r.info;
  for (auto [key, out] : {std::pair{"customer", &t.customer},
                          {"channel", &t.channel},
                          {"category", &t.category},
                          {"product", &t.product},
                          {"severity", &t.severity},
                          {"tier", &t.tier},
                          {"text", &t.text},
                          {"flow", &r.flow}})
    if (auto e = text(j, key, *out)) return *e;
  if (t.customer.empty())
    return body_error{"missing_field", "`customer` is required: who complains", "customer"};
  if (j.contains("tags")) {
    if (!j["tags"].is_array())
      return body_error{"invalid_field", "`tags` must be a list of strings", "tags"};
    for (auto& tag : j["tags"]) {
      if (!tag.is_string())
        return body_error{"invalid_field", "`tags` must be a list of strings", "tags"};
      t.tags.push_back(tag.get<std::string>());
    }
  }
  std::optional<money> order;
  if (auto e = amount(j, "order_value", order)) return *e;
  if (order) t.order_value = *order;
  if (j.contains("extra")) {
    if (!j["extra"].is_object())
      return body_error{"invalid_field", "`extra` must be an object of strings", "extra"};
    for (auto& [k, v] : j["extra"].items()) {
      if (!v.is_string())
        return body_error{"invalid_field", fmt::format("`extra.{}` must be a string", k),
                          "extra." + k};
      t.extra[k] = v.get<std::string>();
    }
  }
  return r;
}

std::variant<action_request, body_error> parse_action(const std::string& body) {
  auto parsed = object_body(body, {"action", "text", "to", "request", "task", "amount", "csat",
                                   "sentiment", "on_behalf_of"});
  if (auto* e = std::get_if<body_error>(&parsed)) return *e;
  auto& j = std::get<json>(parsed);
  action_request r;
  for (auto [key, out] : {std::pair{"action", &r.action},
                          {"text", &r.text},
                          {"to", &r.to},
                          {"request", &r.request},
                          {"task", &r.task}})
    if (auto e = text(j, key, *out)) return *e;
  if (r.action.empty())
    return body_error{"missing_field", "`action` is required, e.g. respond", "action"};
  if (r.action == "open" || r.action == "timer")
    return body_error{"invalid_field", fmt::format("`{}` is not an action on a ticket", r.action),
                      "action"};
  if (auto e = amount(j, "amount", r.amount)) return *e;
  if (j.contains("csat") && !j["csat"].is_null()) {
    if (!j["csat"].is_number_integer())
      return body_error{"invalid_field", "`csat` must be a whole number from 1 to 5", "csat"};
    r.csat = j["csat"].get<int32_t>();
  }
  if (j.contains("sentiment") && !j["sentiment"].is_null()) {
    if (!j["sentiment"].is_number())
      return body_error{"invalid_field", "`sentiment` must be a number from -1 to 1", "sentiment"};
    r.sentiment = j["sentiment"].get<double>();
  }
  std::string behalf;
  if (auto e = text(j, "on_behalf_of", behalf)) return *e;
  if (!behalf.empty() && behalf != "customer")
    return body_error{"invalid_field", "`on_behalf_of` can only be `customer`", "on_behalf_of"};
  r.on_behalf_of_customer = !behalf.empty();
  return r;
}

namespace {

// A ticket-wide target once its clock stopped: met, business time taken, margin left.
json outcome_json(int8_t met, millis taken, millis margin) {
  if (met < 0) return json();
  auto seconds = [](millis m) {
    return std::chrono::duration_cast<std::chrono::seconds>(m).count();
  };
  return {
      {"met", met == 1}, {"taken_seconds", seconds(taken)}, {"margin_seconds", seconds(margin)}};
}

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

json figures_json(const kpi_figures& k) {
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
      {"breaches", k.breaches},
  };
}

}  // namespace

json deadlines_json(const ticket& t) {
  json out = json::array();
  for (auto& c : t.clocks) {
    if (c.kind == clock_kind::timeout) continue;
    out.push_back({{"target", to_string(c.kind)},
                   {"name", c.name},
                   {"deadline", format_utc(c.deadline)},
                   {"paused", c.paused},
                   {"breached", c.breached}});
  }
  return out;
}

json ticket_json(const ticket& t, const flow* f, time_point now,
                 const std::vector<event>* history) {
  json holds = json::array();
  for (auto h : all_holds)
    if (t.holds & static_cast<uint8_t>(h)) holds.push_back(std::string{to_string(h)});
  json tasks = json::array();
  for (auto& k : t.tasks)
    tasks.push_back({{"task", k.name},
                     {"kind", k.kind},
                     {"owner", k.owner},
                     {"title", k.title},
                     {"opened", format_utc(k.opened)}});
  json requests = json::array();
  for (auto& r : t.requests)
    requests.push_back({{"request", r.id},
                        {"amount", to_string(r.amount)},
                        {"approver", r.approver},
                        {"reason", r.reason},
                        {"requested_by", r.requested_by}});
  json out = {
      {"id", t.id},
      {"flow", t.flow},
      {"version", t.version},
      {"status", to_string(t.status)},
      {"step", t.step},
      {"owner", t.owner},
      {"assignee", t.assignee},
      {"priority", t.priority},
      {"waiting", holds},
      {"fields", to_json(*t.info)},
      {"opened_at", format_utc(t.opened_at)},
      {"first_response_at",
       t.first_response_at == no_time ? json() : json(format_utc(t.first_response_at))},
      {"resolved_at", t.resolved_at == no_time ? json() : json(format_utc(t.resolved_at))},
      {"closed_at", t.closed_at == no_time ? json() : json(format_utc(t.closed_at))},
      {"deadlines", deadlines_json(t)},
      {"tasks", tasks},
      {"compensation",
       {{"granted", to_string(t.granted)},
        {"currency", f ? f->compensation.currency : ""},
        {"pending", requests}}},
      {"reopens", t.reopens},
      {"handoffs", t.handoffs},
      {"departments", *t.departments},
      {"interactions", t.interactions},
      {"first_responder", t.first_responder},
      {"resolved_by", t.resolved_by},
      {"breaches", t.breaches},
      {"outcomes",
       {{"first_response",
         outcome_json(t.first_response_met, t.first_response_taken, t.first_response_margin)},
        {"resolution", outcome_json(t.resolution_met, t.resolution_taken, t.resolution_margin)}}},
      {"feedback", t.has_feedback
                       ? json{{"csat", t.csat ? json(t.csat) : json()},
                              {"sentiment", t.has_sentiment ? json(t.sentiment) : json()}}
                       : json()}};
  if (f) out["allowed_actions"] = allowed_actions(*f, t, now);
  if (history) {
    json h = json::array();
    for (auto& e : *history) h.push_back(to_json(e));
    out["history"] = std::move(h);
  }
  return out;
}

json ticket_summary_json(const ticket& t, const flow* f, time_point now) {
  json out = {{"id", t.id},
              {"flow", t.flow},
              {"version", t.version},
              {"status", to_string(t.status)},
              {"step", t.step},
              {"owner", t.owner},
              {"assignee", t.assignee},
              {"priority", t.priority},
              {"deadlines", deadlines_json(t)}};
  if (f && f->compensation.enabled())
    out["compensation"] = {{"granted", to_string(t.granted)},
                           {"currency", f->compensation.currency},
                           {"pending", t.requests.size()}};
  if (f) out["allowed_actions"] = allowed_actions(*f, t, now);
  return out;
}

json queue_entry_json(const actors::queue_entry& e) {
  return {
      {"id", e.ticket},
      {"flow", e.flow},
      {"step", e.step},
      {"status", to_string(e.status)},
      {"priority", e.priority},
      {"assignee", e.assignee},
      {"breached", e.breached},
      {"waiting", e.waiting},
      {"opened_at", format_utc(e.opened)},
      {"next_deadline", e.next_deadline == no_time ? json() : json(format_utc(e.next_deadline))},
      {"owned", e.owned},
      {"tasks", e.tasks}};
}

json kpi_json(const kpi_report& r) {
  json groups = json::array();
  for (auto& g : r.groups) {
    auto j = figures_json(g);
    j["group"] = g.group;
    groups.push_back(std::move(j));
  }
  json out = {{"from", format_utc(r.options.from)},
              {"to", format_utc(r.options.to)},
              {"as_of", format_utc(r.options.as_of)},
              {"cohort", "tickets opened in [from, to)"},
              {"fcr_days", r.options.fcr_window.count()},
              {"group_by", to_string(r.options.group_by)},
              {"total", figures_json(r.total)}};
  if (r.options.group_by != kpi_grouping::none) out["groups"] = std::move(groups);
  return out;
}

}  // namespace vocflow::connectors

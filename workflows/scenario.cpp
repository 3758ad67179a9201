#include "workflows/scenario.hpp"

#include "workflows/actions.hpp"
#include "workflows/yaml_reader.hpp"

#include <fmt/format.h>

namespace vocflow {
namespace {

std::optional<time_point> read_time(yaml_context& cx, const YAML::Node& n, const calendar& cal,
                                    std::string_view what) {
  auto s = read_string(cx, n, what);
  if (!s) return std::nullopt;
  auto t = cal.parse_local(*s);
  if (!t)
    cx.error(n, "bad-time",
             fmt::format("{}: `{}` is not a time like 2026-03-06 17:50 ({} time) or "
                         "2026-03-06T09:50:00Z",
                         what, *s, cal.zone_name()));
  return t;
}

// Calendar time: days are 24 hours here.
std::optional<millis> read_wall_duration(yaml_context& cx, const YAML::Node& n,
                                         std::string_view what) {
  auto d = read_duration(cx, n, what);
  if (!d) return std::nullopt;
  return std::chrono::duration_cast<millis>(std::chrono::days{d->days}) + d->rest;
}

void read_ticket(yaml_context& cx, const YAML::Node& n, ticket_fields& t) {
  map_view m{cx,
             n,
             "ticket",
             {"customer", "channel", "category", "product", "severity", "tier", "text", "tags",
              "order_value", "extra"}};
  auto str = [&](std::string_view key, std::string& out) {
    if (auto v = m.get(key))
      if (auto s = read_string(cx, *v, key)) out = *s;
  };
  str("customer", t.customer), str("channel", t.channel), str("category", t.category);
  str("product", t.product), str("severity", t.severity), str("tier", t.tier), str("text", t.text);
  if (auto v = m.get("tags"))
    for (auto& r : read_names(cx, *v, "tags")) t.tags.push_back(r.name);
  if (auto v = m.get("order_value"))
    if (auto a = read_money(cx, *v, "order_value")) t.order_value = *a;
  if (auto v = m.get("extra")) {
    map_view em{cx, *v, "extra"};
    for (auto& [k, val] : em.entries())
      if (auto s = read_string(cx, val, k.Scalar())) t.extra[k.Scalar()] = *s;
  }
}

std::optional<scenario_action> read_action(yaml_context& cx, const YAML::Node& n,
                                           const calendar& cal, time_point previous) {
  map_view m{cx,
             n,
             "action",
             {"at", "after", "by", "role", "do", "text", "to", "amount", "task", "request", "csat",
              "sentiment", "expect_rejection"}};
  if (!m.ok()) return std::nullopt;
  scenario_action a;
  a.pos = yaml_context::pos(n);
  auto at = m.get("at");
  auto after = m.get("after");
  if (at && after) {
    cx.error(*after, "bad-value", "an action has `at` or `after`, not both");
    return std::nullopt;
  }
  if (at) {
    auto t = read_time(cx, *at, cal, "at");
    if (!t) return std::nullopt;
    a.at = *t;
  } else if (after) {
    auto d = read_wall_duration(cx, *after, "after");
    if (!d) return std::nullopt;
    a.at = previous + *d;
  } else {
    a.at = previous;
  }
  if (a.at < previous) {
    cx.error(n, "bad-time", "actions must be in time order");
    return std::nullopt;
  }
  auto& c = a.cmd;
  if (auto v = m.require("do")) {
    if (auto s = read_string(cx, *v, "do")) c.action = *s;
  } else {
    return std::nullopt;
  }
  // Who takes it unless the scenario says: the customer, for what a customer may take.
  bool customer = action_of(c.action).takers & takers::customer;
  c.by = customer ? actor_ref{"customer", "customer"} : actor_ref{"agent", "agent"};
  auto str = [&](std::string_view key, std::string& out) {
    if (auto v = m.get(key))
      if (auto s = read_string(cx, *v, key)) out = *s;
  };
  str("by", c.by.id), str("role", c.by.role), str("text", c.text), str("to", c.to);
  str("task", c.task), str("request", c.request), str("expect_rejection", a.expect_rejection);
  if (auto v = m.get("amount")) c.amount = read_money(cx, *v, "amount");
  if (auto v = m.get("csat"))
    if (auto x = read_int(cx, *v, "csat", 1, 5)) c.csat = static_cast<int32_t>(*x);
  if (auto v = m.get("sentiment")) {
    if (auto s = read_string(cx, *v, "sentiment")) {
      try {
        c.sentiment = std::stod(*s);
      } catch (const std::exception&) {
        cx.error(*v, "bad-value",
                 fmt::format("sentiment must be a number from -1 to 1, not `{}`", *s));
      }
    }
  }
  return a;
}

void read_expectations(yaml_context& cx, const YAML::Node& n, const calendar& cal, scenario& s) {
  if (!n.IsSequence()) {
    cx.error(n, "bad-type", "expect must be a list");
    return;
  }
  for (const auto& item : n) {
    map_view m{cx, item, "expectation"};
    if (!m.ok()) continue;
    if (auto st = m.get("state")) {
      map_view sm{cx, *st, "expected state"};
      s.expect_state_pos = yaml_context::pos(*st);
      for (auto& [k, v] : sm.entries())
        if (auto val = read_string(cx, v, k.Scalar())) s.expect_state[k.Scalar()] = *val;
      continue;
    }
    event_expectation e;
    e.pos = yaml_context::pos(item);
    for (auto& [k, v] : m.entries()) {
      auto key = k.Scalar();
      if (key == "event") {
        if (auto t = read_string(cx, v, "event")) e.type = *t;
        if (event_index(e.type) < 0)
          cx.error(v, "bad-value", fmt::format("`{}` is not an event type", e.type));
      } else if (key == "at") {
        e.at = read_time(cx, v, cal, "at");
      } else if (key == "count") {
        if (auto c = read_int(cx, v, "count", 0, 1000)) e.count = static_cast<int>(*c);
      } else if (key == "deadline" || key == "due") {
        // Written in local time like `at`; events carry UTC.
        if (auto t = read_time(cx, v, cal, key)) e.fields[key] = format_utc(*t);
      } else if (auto val = read_string(cx, v, key)) {
        e.fields[key] = *val;
      }
    }
    if (e.type.empty())
      cx.error(item, "missing-field", "an expectation needs `event` or `state`");
    else
      s.expect_events.push_back(std::move(e));
  }
}

}  // namespace

std::optional<scenario> load_scenario(const source_file& file, const flow& f, diagnostics& diags) {
  yaml_context cx{file.path, diags};
  auto parsed = parse_yaml(file.path, file.text, diags);
  if (!parsed) return std::nullopt;
  auto& doc = *parsed;
  map_view m{cx,
             doc,
             "scenario",
             {"scenario", "flow", "start", "ticket_id", "ticket", "opened_by", "customer_granted",
              "actions", "until", "expect"}};
  if (!m.ok()) return std::nullopt;
  auto& cal = *f.cal;
  scenario s;
  s.file = file.path;
  s.name = file.path;
  if (auto v = m.get("scenario"))
    if (auto x = read_string(cx, *v, "scenario")) s.name = *x;
  if (auto v = m.get("flow")) {
    if (auto x = read_string(cx, *v, "flow")) {
      s.flow_id = *x;
      if (*x != f.id)
        cx.error(*v, "bad-value", fmt::format("scenario is for flow `{}`, not `{}`", *x, f.id));
    }
  }
  if (auto v = m.require("start"))
    if (auto t = read_time(cx, *v, cal, "start")) s.start = *t;
  if (auto v = m.get("ticket_id"))
    if (auto x = read_string(cx, *v, "ticket_id")) s.ticket_id = *x;
  if (auto v = m.require("ticket")) read_ticket(cx, *v, s.info);
  if (auto v = m.get("opened_by")) {
    map_view om{cx, *v, "opened_by", {"by", "role"}};
    if (auto x = om.get("by"))
      if (auto id = read_string(cx, *x, "by")) s.opened_by.id = *id;
    if (auto x = om.get("role"))
      if (auto r = read_string(cx, *x, "role")) s.opened_by.role = *r;
  }
  if (auto v = m.get("customer_granted"))
    if (auto a = read_money(cx, *v, "customer_granted")) s.customer_granted = *a;
  if (auto v = m.get("actions")) {
    if (!v->IsSequence()) {
      cx.error(*v, "bad-type", "actions must be a list");
    } else {
      auto previous = s.start;
      for (const auto& item : *v) {
        if (auto a = read_action(cx, item, cal, previous)) {
          a->cmd.ticket_id = s.ticket_id;
          a->cmd.customer_granted = s.customer_granted;
          previous = a->at;
          s.actions.push_back(std::move(*a));
        }
      }
    }
  }
  if (auto v = m.get("until")) s.until = read_time(cx, *v, cal, "until");
  if (auto v = m.get("expect")) read_expectations(cx, *v, cal, s);
  if (diags.has_errors()) return std::nullopt;
  return s;
}

}  // namespace vocflow

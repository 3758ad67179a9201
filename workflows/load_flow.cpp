// Flow documents: structure and values. References are checked in check_flow.cpp.
#include "workflows/load_internal.hpp"
#include "workflows/routing.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vocflow::detail {
namespace {

bool valid_identifier(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

void read_level_actions(yaml_context& cx, map_view& m, const YAML::Node& n, escalation_level& lvl);

std::optional<escalation_level> read_level(yaml_context& cx, const YAML::Node& n) {
  map_view m{cx, n, "escalation level", {"at", "before", "notify", "reassign", "priority"}};
  if (!m.ok()) return std::nullopt;
  escalation_level lvl;
  lvl.pos = yaml_context::pos(n);
  auto at = m.get("at");
  auto before = m.get("before");
  if (at && before) {
    cx.error(*before, "bad-value", "an escalation level has either `at` or `before`, not both");
  } else if (at) {
    auto s = read_string(cx, *at, "at");
    if (s && !s->empty() && s->back() == '%') {
      // Above 100% is reported as escalation-after-deadline by the checker.
      if (auto p = read_percent(cx, *at, "at", 1e9)) lvl.percent = *p;
      lvl.pos = yaml_context::pos(*at);
    } else if (s) {
      auto d = read_duration(cx, *at, "at");
      if (d && d->days) {
        cx.error(*at, "bad-duration",
                 "escalation offsets are hours and minutes of business time; use a percentage "
                 "for targets counted in days");
      } else if (d) {
        lvl.kind = escalation_level::anchor::elapsed;
        lvl.offset = d->rest;
        lvl.pos = yaml_context::pos(*at);
      }
    }
  } else if (before) {
    auto d = read_duration(cx, *before, "before");
    if (d && d->days) {
      cx.error(*before, "bad-duration", "`before` takes hours and minutes, not days");
    } else if (d) {
      lvl.kind = escalation_level::anchor::before;
      lvl.offset = d->rest;
      lvl.pos = yaml_context::pos(*before);
    }
  } else {
    cx.error(n, "missing-field", "an escalation level needs `at` (e.g. 50% or 2h) or `before`");
  }
  read_level_actions(cx, m, n, lvl);
  return lvl;
}

// notify, reassign and priority of an escalation level; at least one of them.
void read_level_actions(yaml_context& cx, map_view& m, const YAML::Node& n, escalation_level& lvl) {
  if (auto v = m.get("notify")) lvl.notify = read_names(cx, *v, "notify");
  if (auto v = m.get("reassign")) lvl.reassign = read_name(cx, *v, "reassign");
  if (auto v = m.get("priority")) {
    if (auto p = read_string(cx, *v, "priority")) {
      if (*p == "raise" || is_priority(*p))
        lvl.priority = *p;
      else
        cx.error(*v, "bad-value",
                 fmt::format(
                     "priority must be `raise` or one of low, normal, high, urgent, not `{}`", *p));
    }
  }
  if (lvl.notify.empty() && !lvl.reassign && lvl.priority.empty())
    cx.error(n, "missing-field", "an escalation level must notify, reassign or raise priority");
}

// A flow's own escalations, on what happens to a ticket rather than on a clock:
// `[{ on: repeat_contact, count: 3, reassign: supervisor, notify: [cs_manager] }]`.
void read_flow_escalations(yaml_context& cx, const YAML::Node& n, flow& f) {
  if (!n.IsSequence()) {
    cx.error(n, "bad-type", "escalate must be a list of `{ on: repeat_contact, count: N, ... }`");
    return;
  }
  for (const auto& item : n) {
    map_view m{cx, item, "escalation", {"on", "count", "notify", "reassign", "priority"}};
    if (!m.ok()) continue;
    repeat_rule r;
    r.level.pos = yaml_context::pos(item);
    if (auto v = m.require("on"))
      if (auto s = read_string(cx, *v, "on"); s && *s != "repeat_contact")
        cx.error(*v, "bad-value",
                 fmt::format("a flow escalates on `repeat_contact`, not `{}` (SLA escalations "
                             "belong to a target: sla.first_response.escalate, a step's "
                             "escalate)",
                             *s));
    if (auto v = m.require("count"))
      if (auto c = read_int(cx, *v, "count", 2, 1000)) r.count = static_cast<int32_t>(*c);
    read_level_actions(cx, m, item, r.level);
    f.on_repeat.push_back(std::move(r));
  }
  std::stable_sort(f.on_repeat.begin(), f.on_repeat.end(),
                   [](auto& a, auto& b) { return a.count < b.count; });
}

std::vector<escalation_level> read_levels(yaml_context& cx, const YAML::Node& n) {
  std::vector<escalation_level> out;
  if (!n.IsSequence()) {
    cx.error(n, "bad-type", "escalate must be a list of levels");
    return out;
  }
  for (const auto& item : n)
    if (auto l = read_level(cx, item)) out.push_back(std::move(*l));
  return out;
}

// `4h` or `{within: 4h, warn_at: 80%, escalate: [...]}`.
sla_target read_target(yaml_context& cx, const YAML::Node& n, std::string_view what) {
  sla_target t;
  t.pos = yaml_context::pos(n);
  if (n.IsScalar()) {
    if (auto d = read_duration(cx, n, what)) t.within = *d;
    return t;
  }
  map_view m{cx, n, std::string{what}, {"within", "warn_at", "escalate"}};
  if (!m.ok()) return t;
  if (auto w = m.require("within"))
    if (auto d = read_duration(cx, *w, "within")) t.within = *d;
  if (auto w = m.get("warn_at")) t.warn_at = read_percent(cx, *w, "warn_at", 99);
  if (auto e = m.get("escalate")) t.escalate = read_levels(cx, *e);
  return t;
}

void read_sla(yaml_context& cx, const YAML::Node& n, flow& f) {
  map_view m{cx, n, "sla", {"first_response", "resolution", "pause_while", "warn_at"}};
  if (auto v = m.get("first_response")) f.first_response = read_target(cx, *v, "first_response");
  if (auto v = m.get("resolution")) f.resolution = read_target(cx, *v, "resolution");
  if (auto v = m.get("warn_at")) f.warn_at = read_percent(cx, *v, "warn_at", 99);
  if (auto v = m.get("pause_while")) {
    for (auto& r : read_names(cx, *v, "pause_while")) {
      if (auto h = parse_hold(r.name))
        f.pause_mask |= static_cast<uint8_t>(*h);
      else
        cx.error(r.pos, "unknown-hold",
                 fmt::format("`{}` is not a waiting state (waiting_customer, waiting_supplier, "
                             "waiting_approval)",
                             r.name));
    }
  }
}

void read_compensation(yaml_context& cx, const YAML::Node& n, compensation_policy& c) {
  map_view m{
      cx, n, "compensation", {"currency", "limits", "above_limits", "root_cause", "per_customer"}};
  if (!m.ok()) return;
  c.pos = yaml_context::pos(n);
  if (auto v = m.require("currency")) {
    if (auto s = read_string(cx, *v, "currency")) {
      if (s->size() == 3 && std::all_of(s->begin(), s->end(), ::isupper))
        c.currency = *s;
      else
        cx.error(*v, "bad-value",
                 fmt::format("currency must be an ISO 4217 code like CNY, not `{}`", *s));
    }
  }
  if (auto v = m.require("limits")) {
    map_view lv{cx, *v, "limits"};
    for (auto& [k, val] : lv.entries())
      if (auto amount = read_money(cx, val, fmt::format("limit of {}", k.Scalar())))
        c.limits.push_back({{k.Scalar(), yaml_context::pos(k)}, *amount});
  }
  if (auto v = m.get("above_limits")) c.above_limits = read_name(cx, *v, "above_limits");
  if (auto v = m.get("root_cause")) {
    map_view rm{cx, *v, "root_cause", {"over", "owner", "task", "sla"}};
    if (rm.ok()) {
      root_cause_rule r;
      r.pos = yaml_context::pos(*v);
      if (auto x = rm.require("over"))
        if (auto a = read_money(cx, *x, "over")) r.over = *a;
      if (auto x = rm.require("owner"))
        if (auto o = read_name(cx, *x, "owner")) r.owner = *o;
      r.task = "Find and fix the root cause";
      if (auto x = rm.get("task"))
        if (auto s = read_string(cx, *x, "task")) r.task = *s;
      if (auto x = rm.get("sla")) r.sla = read_target(cx, *x, "root_cause sla");
      c.root_cause = std::move(r);
    }
  }
  if (auto v = m.get("per_customer")) {
    map_view pm{cx, *v, "per_customer", {"limit", "period"}};
    if (pm.ok()) {
      customer_cap cap;
      cap.pos = yaml_context::pos(*v);
      if (auto x = pm.require("limit"))
        if (auto a = read_money(cx, *x, "limit")) cap.limit = *a;
      if (auto x = pm.require("period"))
        if (auto d = read_duration(cx, *x, "period")) cap.period = *d;
      c.per_customer = cap;
    }
  }
}

branch read_branch(yaml_context& cx, const YAML::Node& k, const YAML::Node& v) {
  branch b;
  b.name = k.Scalar();
  b.pos = yaml_context::pos(k);
  map_view m{cx, v, fmt::format("branch `{}`", b.name), {"owner", "task", "sla", "escalate"}};
  if (!m.ok()) return b;
  if (auto x = m.require("owner"))
    if (auto o = read_name(cx, *x, "owner")) b.owner = *o;
  b.task = b.name;
  if (auto x = m.get("task"))
    if (auto s = read_string(cx, *x, "task")) b.task = *s;
  if (auto x = m.get("sla")) b.sla = read_target(cx, *x, "branch sla");
  if (auto x = m.get("escalate")) {
    auto more = read_levels(cx, *x);
    b.sla.escalate.insert(b.sla.escalate.end(), more.begin(), more.end());
  }
  return b;
}

step read_step(yaml_context& cx, const YAML::Node& k, const YAML::Node& v) {
  step s;
  s.name = k.Scalar();
  s.title = s.name;
  s.pos = yaml_context::pos(k);
  if (!valid_identifier(s.name))
    cx.error(k, "bad-value", fmt::format("step name `{}` may use letters, digits, _ - .", s.name));
  map_view m{cx,
             v,
             fmt::format("step `{}`", s.name),
             {"title", "owner", "final", "sla", "escalate", "on", "parallel", "then", "timeout",
              "hand_off"}};
  if (!m.ok()) return s;
  if (auto x = m.get("title"))
    if (auto t = read_string(cx, *x, "title")) s.title = *t;
  if (auto x = m.get("owner")) s.owner = read_name(cx, *x, "owner");
  if (auto x = m.get("final"))
    if (auto b = read_bool(cx, *x, "final")) s.final = *b;
  if (auto x = m.get("sla")) s.sla = read_target(cx, *x, fmt::format("sla of step `{}`", s.name));
  if (auto x = m.get("escalate")) {
    auto more = read_levels(cx, *x);
    s.sla.escalate.insert(s.sla.escalate.end(), more.begin(), more.end());
    if (!m.get("sla") && !more.empty())
      cx.error(*x, "missing-field", fmt::format("step `{}` escalates but has no `sla`", s.name));
  }
  if (auto x = m.get("on")) {
    map_view on{cx, *x, fmt::format("transitions of step `{}`", s.name)};
    for (auto& [a, t] : on.entries())
      if (auto target = read_name(cx, t, "target step"))
        s.on.push_back({a.Scalar(), *target, yaml_context::pos(a)});
  }
  if (auto x = m.get("parallel")) {
    map_view pv{cx, *x, fmt::format("parallel block of step `{}`", s.name)};
    for (auto& [bk, bv] : pv.entries()) s.parallel.push_back(read_branch(cx, bk, bv));
    if (pv.ok() && s.parallel.empty())
      cx.error(*x, "bad-value", "a parallel block needs at least one branch");
  }
  if (auto x = m.get("then")) s.then = read_name(cx, *x, "then");
  if (auto x = m.get("timeout")) {
    map_view tm{cx, *x, "timeout", {"after", "go"}};
    if (tm.ok()) {
      timeout_rule r;
      r.pos = yaml_context::pos(*x);
      auto after = tm.require("after");
      if (after)
        if (auto d = read_duration(cx, *after, "after")) r.after = *d;
      if (auto g = tm.require("go"))
        if (auto n = read_name(cx, *g, "go")) r.go = *n;
      s.timeout = r;
    }
  }
  if (auto x = m.get("hand_off")) s.hand_off = read_names(cx, *x, "hand_off");
  return s;
}

}  // namespace

// One value of a match: a string, or {prefix|contains|regex: string}.
namespace {

std::optional<match_value> read_match_value(yaml_context& cx, const YAML::Node& n,
                                            const std::string& field) {
  match_value out;
  out.pos = yaml_context::pos(n);
  YAML::Node text = n;
  if (n.IsMap()) {
    map_view m{cx, n, field, {"prefix", "contains", "regex"}};
    if (n.size() != 1) {
      cx.error(n, "invalid-match",
               fmt::format("a value of `{}` is a string or one of prefix, contains, regex", field));
      return std::nullopt;
    }
    if (!m.ok() || m.entries().size() != 1) return std::nullopt;  // reported by the view
    auto& [k, v] = m.entries().front();
    out.how = k.Scalar() == "prefix"     ? match_value::kind::prefix
              : k.Scalar() == "contains" ? match_value::kind::contains
                                         : match_value::kind::regex;
    text = v;
  }
  auto s = read_string(cx, text, field);
  if (!s) return std::nullopt;
  out.text = std::string{trim(*s)};
  if (out.how == match_value::kind::regex) {
    try {
      out.re = std::make_shared<const std::regex>(
          out.text, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
    } catch (const std::regex_error& e) {
      cx.error(text, "invalid-regex",
               fmt::format("`{}` is not a regular expression: {}", out.text, e.what()));
      return std::nullopt;
    }
  }
  return out;
}

}  // namespace

void read_match(yaml_context& cx, const YAML::Node& n, match_rule& out) {
  static const std::vector<std::string> keys = {"category", "channel",  "product", "severity",
                                                "tier",     "customer", "source",  "text",
                                                "topic",    "tags"};
  map_view m{cx, n, "match"};  // keys checked here: `extra.NAME` is open-ended
  out.pos = yaml_context::pos(n);
  for (auto& [k, v] : m.entries()) {
    const auto& key = k.Scalar();
    if (std::find(keys.begin(), keys.end(), key) == keys.end() &&
        !(key.starts_with("extra.") && key.size() > 6)) {
      auto hint = suggest(key, keys);
      cx.error(k, "unknown-field",
               hint.empty()
                   ? fmt::format("`{}` is not a field a flow can match (extra.NAME for "
                                 "an attribute)",
                                 key)
                   : fmt::format("unknown field `{}` in match (did you mean `{}`?)", key, hint));
      continue;
    }
    if (key == "tags") {
      for (auto& r : read_names(cx, v, key)) out.tags.push_back(r.name);
      continue;
    }
    auto& values = out.fields[key];
    if (v.IsSequence()) {
      for (auto item : v)
        if (auto x = read_match_value(cx, item, key)) values.push_back(std::move(*x));
    } else if (auto x = read_match_value(cx, v, key)) {
      values.push_back(std::move(*x));
    }
  }
}

std::shared_ptr<flow> read_flow(yaml_context& cx, const YAML::Node& doc) {
  auto f = std::make_shared<flow>();
  f->file = cx.file();
  map_view m{cx,
             doc,
             "flow",
             {"kind", "id", "version", "title", "match", "default", "calendar", "sla",
              "compensation", "reopen", "escalate", "start", "steps"}};
  if (!m.ok()) return nullptr;
  f->pos = yaml_context::pos(doc);
  if (auto v = m.require("id")) {
    if (auto s = read_string(cx, *v, "id")) {
      if (valid_identifier(*s))
        f->id = *s;
      else
        cx.error(*v, "bad-value", fmt::format("flow id `{}` may use letters, digits, _ - .", *s));
    }
  }
  if (auto v = m.require("version"))
    if (auto n = read_int(cx, *v, "version", 1, 1'000'000)) f->version = static_cast<int32_t>(*n);
  f->title = f->id;
  if (auto v = m.get("title"))
    if (auto s = read_string(cx, *v, "title")) f->title = *s;
  if (auto v = m.get("match")) read_match(cx, *v, f->match);
  if (auto v = m.get("default"))
    if (auto b = read_bool(cx, *v, "default")) f->is_default = *b;
  if (auto v = m.require("calendar"))
    if (auto n = read_name(cx, *v, "calendar")) f->calendar_ref = *n;
  if (auto v = m.get("sla")) read_sla(cx, *v, *f);
  if (auto v = m.get("compensation")) read_compensation(cx, *v, f->compensation);
  if (auto v = m.get("reopen")) {
    map_view rm{cx, *v, "reopen", {"within", "to"}};
    if (rm.ok()) {
      reopen_rule r;
      r.pos = yaml_context::pos(*v);
      if (auto x = rm.require("within"))
        if (auto d = read_duration(cx, *x, "within")) r.within = *d;
      if (auto x = rm.require("to"))
        if (auto n = read_name(cx, *x, "to")) r.to = *n;
      f->reopen = r;
    }
  }
  if (auto v = m.get("escalate")) read_flow_escalations(cx, *v, *f);
  if (auto v = m.require("steps")) {
    map_view sv{cx, *v, "steps"};
    for (auto& [k, val] : sv.entries()) f->steps.push_back(read_step(cx, k, val));
    if (sv.ok() && f->steps.empty()) cx.error(*v, "bad-value", "a flow needs at least one step");
  }
  if (auto v = m.get("start")) {
    if (auto n = read_name(cx, *v, "start")) f->start = *n;
  } else if (!f->steps.empty()) {
    f->start = {f->steps.front().name, f->steps.front().pos};
  }
  return f;
}

}  // namespace vocflow::detail

// Organization documents: roles, departments and business calendars, defined once and named
// by every flow.
#include "workflows/load_internal.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <array>

namespace vocflow::detail {
namespace {

constexpr std::array<std::string_view, 7> day_names = {"sun", "mon", "tue", "wed",
                                                       "thu", "fri", "sat"};

std::optional<int> day_index(std::string_view name) {
  for (size_t i = 0; i < day_names.size(); ++i)
    if (day_names[i] == name) return static_cast<int>(i);
  return std::nullopt;
}

std::optional<int32_t> parse_clock(std::string_view s) {
  // "HH:MM", 00:00 to 24:00
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4})
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
  if (m > 59 || h > 24 || (h == 24 && m != 0)) return std::nullopt;
  return h * 60 + m;
}

// A list of "HH:MM-HH:MM" slots, sorted and not overlapping.
std::optional<std::vector<time_slot>> read_slots(yaml_context& cx, const YAML::Node& n,
                                                 std::string_view what) {
  if (!n.IsSequence()) {
    cx.error(n, "bad-type", fmt::format("{} must be a list of slots like [09:00-12:00]", what));
    return std::nullopt;
  }
  std::vector<time_slot> out;
  bool ok = true;
  for (const auto& item : n) {
    auto s = read_string(cx, item, what);
    if (!s) {
      ok = false;
      continue;
    }
    auto dash = s->find('-');
    std::optional<int32_t> a, b;
    if (dash != std::string::npos) {
      a = parse_clock(std::string_view{*s}.substr(0, dash));
      b = parse_clock(std::string_view{*s}.substr(dash + 1));
    }
    if (!a || !b || *a >= *b) {
      cx.error(item, "bad-time",
               fmt::format("{}: `{}` is not a working slot like 09:00-18:00", what, *s));
      ok = false;
      continue;
    }
    out.push_back({*a, *b});
  }
  std::sort(out.begin(), out.end(), [](auto& x, auto& y) { return x.begin < y.begin; });
  for (size_t i = 1; i < out.size(); ++i)
    if (out[i].begin < out[i - 1].end) {
      cx.error(n, "bad-time", fmt::format("{}: working slots overlap", what));
      ok = false;
      break;
    }
  if (!ok) return std::nullopt;
  return out;
}

std::shared_ptr<const calendar> read_calendar(yaml_context& cx, const std::string& name,
                                              const YAML::Node& n) {
  map_view m{
      cx, n, fmt::format("calendar `{}`", name), {"timezone", "hours", "holidays", "workdays"}};
  if (!m.ok()) return nullptr;
  calendar_definition def;
  def.name = name;
  bool ok = true;
  if (auto z = m.require("timezone")) {
    if (auto zone = read_string(cx, *z, "timezone")) {
      try {
        def.zone = date::locate_zone(*zone);
      } catch (const std::exception&) {
        cx.error(
            *z, "unknown-timezone",
            fmt::format("unknown time zone `{}` (use an IANA name like Asia/Shanghai)", *zone));
      }
    }
  }
  if (!def.zone) ok = false;
  if (auto h = m.require("hours")) {
    if (h->IsScalar() && h->Scalar() == "always") {
      def.always = true;
    } else if (h->IsMap()) {
      map_view days{cx, *h, "hours"};
      std::array<bool, 7> given{};
      for (auto& [k, v] : days.entries()) {
        auto key = k.Scalar();
        auto dash = key.find('-');
        auto first = day_index(key.substr(0, dash));
        auto last = dash == std::string::npos ? first : day_index(key.substr(dash + 1));
        if (!first || !last) {
          cx.error(k, "bad-value",
                   fmt::format("`{}` is not a day or day range like mon or mon-fri", key));
          ok = false;
          continue;
        }
        auto slots = read_slots(cx, v, fmt::format("hours of {}", key));
        if (!slots) {
          ok = false;
          continue;
        }
        for (int d = *first;; d = (d + 1) % 7) {
          if (given[d])
            cx.error(k, "duplicate-key", fmt::format("{} is given twice", day_names[d]));
          given[d] = true;
          def.week[d] = *slots;
          if (d == *last) break;
        }
      }
      if (ok && std::all_of(def.week.begin(), def.week.end(), [](auto& d) { return d.empty(); })) {
        cx.error(*h, "bad-value", fmt::format("calendar `{}` has no working time", name));
        ok = false;
      }
    } else {
      cx.error(*h, "bad-type", "hours must be `always` or a mapping of days to slots");
      ok = false;
    }
  }
  if (auto hs = m.get("holidays")) {
    if (!hs->IsSequence()) {
      cx.error(*hs, "bad-type",
               "holidays must be a list of dates (2026-10-01 or 2026-10-01..2026-10-07)");
    } else {
      for (const auto& item : *hs) {
        auto s = read_string(cx, item, "holiday");
        if (!s) continue;
        auto dots = s->find("..");
        auto a = parse_date(s->substr(0, dots));
        auto b = dots == std::string::npos ? a : parse_date(s->substr(dots + 2));
        if (!a || !b || *b < *a || *b - *a > date::days{366}) {
          cx.error(item, "bad-date", fmt::format("`{}` is not a date or a date range", *s));
          ok = false;
          continue;
        }
        for (auto d = *a; d <= *b; d += date::days{1}) def.holidays.insert(d);
      }
    }
  }
  if (auto ws = m.get("workdays")) {
    map_view days{cx, *ws, "workdays"};
    for (auto& [k, v] : days.entries()) {
      auto d = parse_date(k.Scalar());
      if (!d) {
        cx.error(k, "bad-date", fmt::format("`{}` is not a date", k.Scalar()));
        ok = false;
        continue;
      }
      if (auto slots = read_slots(cx, v, fmt::format("workday {}", k.Scalar())))
        def.workdays[*d] = *slots;
      else
        ok = false;
    }
  }
  if (!ok) return nullptr;
  return std::make_shared<const calendar>(std::move(def));
}

}  // namespace

void read_organization(yaml_context& cx, const YAML::Node& doc, organization& org) {
  map_view m{cx, doc, "organization", {"kind", "roles", "departments", "calendars"}};
  if (!m.ok()) return;
  if (org.file.empty()) org.file = cx.file();
  if (auto roles = m.get("roles")) {
    std::vector<std::pair<YAML::Node, YAML::Node>> items;
    if (roles->IsMap()) {
      map_view rv{cx, *roles, "roles"};
      items = rv.entries();
    } else if (roles->IsSequence()) {
      for (const auto& r : *roles) items.emplace_back(r, YAML::Node{});
    } else {
      cx.error(*roles, "bad-type", "roles must be a list of role names");
    }
    for (auto& [k, v] : items) {
      auto name = read_name(cx, k, "role");
      if (!name) continue;
      if (name->name == customer_role || name->name == system_role)
        cx.error(k, "reserved-name", fmt::format("role `{}` is built in", name->name));
      else if (!org.roles.emplace(name->name, name->pos).second)
        cx.error(k, "duplicate-key", fmt::format("role `{}` is declared twice", name->name));
      if (v.IsDefined() && !v.IsNull())
        map_view{cx, v, fmt::format("role `{}`", name->name), {"title"}};
    }
  }
  if (auto deps = m.get("departments")) {
    map_view dv{cx, *deps, "departments"};
    for (auto& [k, v] : dv.entries()) {
      department d{k.Scalar(), k.Scalar(), yaml_context::pos(k)};
      if (!v.IsNull()) {
        map_view dm{cx, v, fmt::format("department `{}`", d.name), {"title"}};
        if (auto t = dm.get("title"))
          if (auto s = read_string(cx, *t, "title")) d.title = *s;
      }
      if (org.departments.contains(d.name))
        cx.error(k, "duplicate-key", fmt::format("department `{}` is declared twice", d.name));
      else if (org.roles.contains(d.name))
        cx.error(k, "ambiguous-name",
                 fmt::format("`{}` names both a role and a department", d.name));
      else
        org.departments.emplace(d.name, d);
    }
  }
  if (auto cals = m.get("calendars")) {
    map_view cv{cx, *cals, "calendars"};
    for (auto& [k, v] : cv.entries()) {
      if (org.calendars.contains(k.Scalar())) {
        cx.error(k, "duplicate-key", fmt::format("calendar `{}` is declared twice", k.Scalar()));
        continue;
      }
      if (auto c = read_calendar(cx, k.Scalar(), v)) org.calendars.emplace(k.Scalar(), c);
    }
  }
}

}  // namespace vocflow::detail

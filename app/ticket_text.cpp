#include "app/ticket_text.hpp"

#include "workflows/duration.hpp"

#include <date/tz.h>
#include <fmt/format.h>

#include <cstdlib>
#include <ostream>
#include <set>

namespace vocflow::app {
namespace {

using nlohmann::json;

const date::time_zone* find_zone(const std::string& name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;
  }
}

const date::time_zone* machine_zone() {
  try {
    return date::current_zone();
  } catch (const std::exception&) {
    return date::locate_zone("UTC");
  }
}

json field(const json& j, const char* key) {
  return j.is_object() && j.contains(key) ? j[key] : json();
}

// "handed_off  from=customer_service to=engineering reason=..." without bookkeeping fields;
// times in `zone`.
std::string event_details(const json& e, const display& d, const date::time_zone* zone) {
  static const std::set<std::string> skip = {
      "seq", "at", "actor", "role", "type", "clock", "timer", "due", "threshold", "has_sentiment"};
  std::vector<std::string> parts;
  for (auto& [k, v] : e.items()) {
    if (skip.contains(k)) continue;
    if ((v.is_string() && v.get<std::string>().empty()) || v.is_null() ||
        (v.is_boolean() && !v.get<bool>()) || (v.is_array() && v.empty()) ||
        (v.is_object() && k != "fields"))
      continue;
    if (k == "fields") {
      parts.push_back(fmt::format("{} / {} via {}", text_of(v["category"]), text_of(v["product"]),
                                  text_of(v["channel"])));
      continue;
    }
    if ((k == "total" || k == "taken" || k == "margin" || k == "consumed") && v.is_number_integer())
      parts.push_back(fmt::format("{}={}", k, format_millis(millis{v.get<int64_t>()})));
    else if (v.is_string() && parse_utc(v.get<std::string>()))
      parts.push_back(fmt::format("{}=\"{}\"", k, d.when(v, zone)));
    else
      parts.push_back(fmt::format("{}={}", k, text_of(v)));
  }
  return fmt::format("{}", fmt::join(parts, " "));
}

}  // namespace

std::string text_of(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return v.dump();
}

std::optional<display> make_display(const std::string& tz, std::string& error) {
  display d;
  d.now = std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
  auto name = tz;
  if (name.empty())
    if (auto* env = std::getenv("VOCFLOW_TZ")) name = env;
  if (name.empty()) return d;
  d.chosen = find_zone(name);
  if (!d.chosen) {
    error = fmt::format("unknown time zone `{}` (an IANA name, e.g. Asia/Shanghai or UTC)", name);
    return std::nullopt;
  }
  return d;
}

const date::time_zone* display::zone_for(const json& view) const {
  if (chosen) return chosen;
  if (auto z = field(view, "time_zone"); z.is_string() && !z.get<std::string>().empty())
    if (auto* found = find_zone(z.get<std::string>())) return found;
  return machine_zone();
}

std::string display::when(const json& time, const date::time_zone* zone) const {
  auto t = time.is_string() ? parse_utc(time.get<std::string>()) : std::nullopt;
  if (!t) return "-";
  return date::format("%a %F %R %Z",
                      date::make_zoned(zone, std::chrono::floor<std::chrono::minutes>(*t)));
}

std::string display::due(const json& time, const date::time_zone* zone) const {
  auto t = time.is_string() ? parse_utc(time.get<std::string>()) : std::nullopt;
  if (!t) return "-";
  auto left = std::chrono::floor<std::chrono::minutes>(*t - now);
  auto how = left >= millis{0} ? "in " + format_millis(left) : format_millis(-left) + " ago";
  return fmt::format("{} ({})", when(time, zone), how);
}

void print_ticket(std::ostream& out, const json& t, const display& d) {
  auto zone = d.zone_for(t);
  out << fmt::format("{}  {}@{}  {}  step {}  owner {}{}  priority {}\n", text_of(field(t, "id")),
                     text_of(field(t, "flow")), text_of(field(t, "version")),
                     text_of(field(t, "status")), text_of(field(t, "step")),
                     text_of(field(t, "owner")),
                     field(t, "assignee").is_string() && !t["assignee"].get<std::string>().empty()
                         ? " (" + t["assignee"].get<std::string>() + ")"
                         : "",
                     text_of(field(t, "priority")));
  out << fmt::format("  customer {}  {} / {} via {}  opened {}\n", text_of(field(t, "customer")),
                     text_of(field(t, "category")), text_of(field(t, "product")),
                     text_of(field(t, "channel")), d.when(field(t, "opened_at"), zone));
  if (auto f = field(t, "fields"); f.is_object()) {
    if (auto text = field(f, "text"); text.is_string() && !text.get<std::string>().empty())
      out << fmt::format("  \"{}\"\n", text_of(text));
  } else if (auto s = field(t, "subject"); s.is_string() && !s.get<std::string>().empty()) {
    out << fmt::format("  \"{}\"\n", text_of(s));
  }
  if (auto w = field(t, "waiting"); w.is_array() && !w.empty())
    out << fmt::format("  waiting: {}\n", fmt::join(w, ", "));
  if (auto ds = field(t, "deadlines"); ds.is_array())
    for (auto& x : ds)
      out << fmt::format("  SLA {:<15} {:<16} due {}{}{}\n", text_of(field(x, "target")),
                         text_of(field(x, "name")), d.due(field(x, "deadline"), zone),
                         field(x, "paused") == true ? " (paused)" : "",
                         field(x, "breached") == true ? " (BREACHED)" : "");
  if (auto tasks = field(t, "tasks"); tasks.is_array())
    for (auto& k : tasks)
      out << fmt::format("  task {} ({}): {}\n", text_of(field(k, "name")),
                         text_of(field(k, "owner")), text_of(field(k, "title")));
  if (auto c = field(t, "compensation"); c.is_object() && field(c, "granted") != "0")
    out << fmt::format("  compensation {} {}\n", text_of(field(c, "granted")),
                       text_of(field(c, "currency")));
  if (auto a = field(t, "allowed_actions"); a.is_array() && !a.empty())
    out << fmt::format("  allowed: {}\n", fmt::join(a, ", "));
}

void print_events(std::ostream& out, const json& events, const display& d,
                  const date::time_zone* zone) {
  if (!events.is_array()) return;
  for (auto& e : events)
    out << fmt::format(
        "{:>4}  {}  {:<26} {:<22} {}\n", text_of(field(e, "seq")), d.when(field(e, "at"), zone),
        fmt::format("{} ({})", text_of(field(e, "actor")), text_of(field(e, "role"))),
        text_of(field(e, "type")), event_details(e, d, zone));
}

void print_rows(std::ostream& out, const json& items, const display& d) {
  out << fmt::format("{:<16} {:<18} {:<9} {:<16} {:<8} {:<12} {:<9} {}\n", "ID", "FLOW", "STATUS",
                     "STEP", "PRIORITY", "CUSTOMER", "BREACHED", "NEXT DEADLINE");
  for (auto& e : items)
    out << fmt::format("{:<16} {:<18} {:<9} {:<16} {:<8} {:<12} {:<9} {}\n", text_of(e["id"]),
                       text_of(e["flow"]), text_of(e["status"]), text_of(e["step"]),
                       text_of(e["priority"]), text_of(field(e, "customer")),
                       field(e, "breached") == true ? "yes" : "",
                       d.due(field(e, "next_deadline"), d.zone_for(e)));
}

}  // namespace vocflow::app

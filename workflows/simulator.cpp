#include "workflows/simulator.hpp"

#include "workflows/describe.hpp"
#include "workflows/json_codec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace vocflow {
namespace {

constexpr size_t max_timer_firings = 100'000;  // a runaway flow cannot hang a simulation

// A JSON value as the text a scenario would write for it.
std::string plain(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

class runner {
 public:
  runner(const flow& f, const scenario& s) : f_(f), s_(s) {}

  simulation run() {
    command open;
    open.action = "open";
    open.by = s_.opened_by;
    open.ticket_id = s_.ticket_id;
    open.info = s_.info;
    open.customer_granted = s_.customer_granted;
    act(open, s_.start, {});
    time_point last = s_.start;
    for (auto& a : s_.actions) {
      fire_until(a.at);
      act(a.cmd, a.at, a.expect_rejection, a.pos);
      last = a.at;
    }
    fire_until(s_.until.value_or(last + std::chrono::days{60}));
    out_.final_state = t_;
    check();
    return std::move(out_);
  }

 private:
  void act(const command& cmd, time_point at, const std::string& expected, source_pos pos = {}) {
    auto result = decide(f_, t_, cmd, at);
    if (auto* r = std::get_if<rejection>(&result)) {
      bool ok = expected == to_string(r->code);
      out_.timeline.push_back({at, std::nullopt, cmd.action, *r, ok});
      if (cmd.action != "timer")
        out_.checks.push_back(
            {fmt::format("`{}` at {}{}", cmd.action, f_.cal->format_local(at),
                         expected.empty() ? " is accepted" : " is refused: " + expected),
             ok, fmt::format("refused ({}): {}", to_string(r->code), r->message), pos});
      return;
    }
    auto& d = std::get<decision>(result);
    if (!expected.empty())
      out_.checks.push_back(
          {fmt::format("`{}` at {} is refused: {}", cmd.action, f_.cal->format_local(at), expected),
           false, "it was accepted", pos});
    for (auto& e : d.events) out_.timeline.push_back({at, e, {}, std::nullopt, false});
    timers_.follow(d.effects);
    t_ = std::move(d.next);
  }

  void fire_until(time_point limit) {
    out_.timers_fired +=
        timers_.fire_until(limit, max_timer_firings - out_.timers_fired,
                           [&](const command& fire, time_point due) { act(fire, due, {}); });
  }

  void check() {
    for (auto& x : s_.expect_events) {
      int found = 0;
      std::string near;
      for (auto& item : out_.timeline) {
        if (!item.happened || item.happened->type() != x.type) continue;
        auto j = to_json(*item.happened);
        bool fields_ok = true;
        for (auto& [k, v] : x.fields)
          if (!j.contains(k) || plain(j[k]) != v) fields_ok = false;
        if (!fields_ok) continue;
        if (x.at && item.at != *x.at) {
          if (near.empty()) near = fmt::format("at {}", f_.cal->format_local(item.at));
          continue;
        }
        ++found;
      }
      std::string what = x.type;
      for (auto& [k, v] : x.fields) what += fmt::format(" {}={}", k, v);
      if (x.at) what += fmt::format(" at {}", f_.cal->format_local(*x.at));
      bool ok = x.count ? found == *x.count : found > 0;
      if (x.count) what += fmt::format(" x{}", *x.count);
      std::string detail = fmt::format("found {}", found);
      if (!near.empty()) detail += fmt::format(" (one {})", near);
      out_.checks.push_back({what, ok, detail, x.pos});
    }
    if (!s_.expect_state.empty()) {
      auto j = to_json(t_);
      for (auto& [k, v] : s_.expect_state) {
        auto got = j.contains(k) ? plain(j[k]) : "(no such field)";
        out_.checks.push_back(
            {fmt::format("final {} = {}", k, v), got == v, "is " + got, s_.expect_state_pos});
      }
    }
  }

  const flow& f_;
  const scenario& s_;
  ticket t_;
  armed_timers timers_;
  simulation out_;
};

}  // namespace

bool simulation::ok() const {
  return std::all_of(checks.begin(), checks.end(), [](auto& c) { return c.ok; });
}

simulation simulate(const flow& f, const scenario& s) {
  return runner{f, s}.run();
}

std::string render_text(const simulation& sim, const flow& f, const scenario& s) {
  auto& cal = *f.cal;
  std::string out;
  out += fmt::format("Scenario  {}\n", s.name);
  out += fmt::format("Flow      {} \"{}\", calendar {} ({})\n\n", f.key(), f.title, cal.name(),
                     cal.zone_name());
  out += fmt::format("{:<22} {:>9}  {}\n", "WALL TIME", "BUSINESS", "WHAT HAPPENED");
  auto opened = s.start;
  for (auto& item : sim.timeline) {
    auto wall = cal.format_local(item.at);
    auto business = format_millis(cal.business_between(opened, item.at));
    std::string text;
    if (item.happened) {
      text = describe(*item.happened, cal, f.compensation.currency);
    } else {
      text = fmt::format("REFUSED `{}` ({}): {}", item.action, to_string(item.refused->code),
                         item.refused->message);
      if (!item.refused->allowed.empty())
        text += fmt::format(" [allowed: {}]", fmt::join(item.refused->allowed, ", "));
    }
    out += fmt::format("{:<22} {:>9}  {}\n", wall, business, text);
  }
  auto& t = sim.final_state;
  out += fmt::format("\nFinal     {} in step `{}`, owner {}, priority {}, reopens {}",
                     to_string(t.status), t.step, t.owner, t.priority, t.reopens);
  if (f.compensation.enabled())
    out += fmt::format(", compensation {} {}", to_string(t.granted), f.compensation.currency);
  out += "\n";
  for (auto& c : t.clocks)
    out += fmt::format("Open SLA  {} `{}` due {}{}\n", to_string(c.kind), c.name,
                       cal.format_local(c.deadline), c.breached ? " (breached)" : "");
  if (!sim.checks.empty()) {
    size_t ok = std::count_if(sim.checks.begin(), sim.checks.end(), [](auto& c) { return c.ok; });
    out += fmt::format("\nExpectations: {}/{} met\n", ok, sim.checks.size());
    for (auto& c : sim.checks)
      out += c.ok ? fmt::format("  ok    {}\n", c.what)
                  : fmt::format("  FAIL  {}:{}:{}: {} ({})\n", s.file, c.pos.line, c.pos.column,
                                c.what, c.detail);
  }
  return out;
}

nlohmann::json render_json(const simulation& sim, const flow& f, const scenario& s) {
  using nlohmann::json;
  auto& cal = *f.cal;
  json timeline = json::array();
  for (auto& item : sim.timeline) {
    json j = {{"at", format_utc(item.at)},
              {"local", cal.format_local(item.at)},
              {"business_ms", cal.business_between(s.start, item.at).count()}};
    if (item.happened) {
      j["event"] = to_json(*item.happened);
      j["text"] = describe(*item.happened, cal, f.compensation.currency);
    } else {
      j["refused"] = {{"action", item.action},
                      {"code", to_string(item.refused->code)},
                      {"message", item.refused->message},
                      {"allowed", item.refused->allowed},
                      {"expected", item.refusal_expected}};
    }
    timeline.push_back(std::move(j));
  }
  json checks = json::array();
  for (auto& c : sim.checks)
    checks.push_back({{"what", c.what}, {"ok", c.ok}, {"detail", c.detail}, {"line", c.pos.line}});
  return {{"scenario", s.name},     {"flow", f.key()},
          {"calendar", cal.name()}, {"timezone", cal.zone_name()},
          {"timeline", timeline},   {"final", to_json(sim.final_state)},
          {"expectations", checks}, {"ok", sim.ok()}};
}

}  // namespace vocflow

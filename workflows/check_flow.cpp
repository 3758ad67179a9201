// Checks of a flow as a whole: references to steps, departments, roles and calendars, limits,
// escalation timing, and the shape of the step graph.
#include "workflows/actions.hpp"
#include "workflows/load_internal.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace vocflow::detail {
namespace {

std::vector<std::string> keys_of(const auto& map) {
  std::vector<std::string> out;
  out.reserve(map.size());
  for (auto& [k, _] : map) out.push_back(k);
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& known) {
  auto s = suggest(word, known);
  return s.empty() ? "" : fmt::format(" (did you mean `{}`?)", s);
}

struct checker {
  yaml_context& cx;
  flow& f;
  const organization& org;
  std::vector<std::string> step_names;

  void step_ref(const named_ref& r, std::string_view where) {
    if (r.name.empty() || f.find(r.name)) return;
    cx.error(
        r.pos, "unknown-step",
        fmt::format("{}: unknown step `{}`{}", where, r.name, did_you_mean(r.name, step_names)));
  }

  void department_ref(const named_ref& r, std::string_view what) {
    if (r.name.empty() || org.has_department(r.name)) return;
    cx.error(r.pos, "unknown-department",
             fmt::format("{}: `{}` is not a department{}", what, r.name,
                         did_you_mean(r.name, keys_of(org.departments))));
  }

  void role_ref(const named_ref& r, std::string_view what) {
    if (r.name.empty() || org.has_role(r.name)) return;
    cx.error(r.pos, "unknown-role",
             fmt::format("{}: `{}` is not a role{}", what, r.name,
                         did_you_mean(r.name, keys_of(org.roles))));
  }

  // Notifications and reassignments go to a department or a role.
  void recipient_ref(const named_ref& r, std::string_view what) {
    if (org.has_department(r.name) || org.has_role(r.name)) return;
    auto known = keys_of(org.departments);
    auto roles = keys_of(org.roles);
    known.insert(known.end(), roles.begin(), roles.end());
    cx.error(r.pos, "unknown-recipient",
             fmt::format("{}: `{}` is neither a department nor a role{}", what, r.name,
                         did_you_mean(r.name, known)));
  }

  // The longest working day of the calendar: an upper bound for a day of business time.
  millis longest_day() const {
    if (!f.cal || f.cal->always()) return std::chrono::hours{24};
    millis best{0};
    for (auto& day : f.cal->definition().week) {
      millis len{0};
      for (auto& s : day) len += std::chrono::minutes{s.end - s.begin};
      best = std::max(best, len);
    }
    for (auto& [_, day] : f.cal->definition().workdays) {
      millis len{0};
      for (auto& s : day) len += std::chrono::minutes{s.end - s.begin};
      best = std::max(best, len);
    }
    return best;
  }

  void target(const sla_target& t, std::string_view what) {
    if (!t.defined()) return;
    auto most = longest_day() * t.within.days + t.within.rest;
    double last = -1;
    for (auto& lvl : t.escalate) {
      double share = 0;  // where the level sits, as a share of the target, for ordering
      switch (lvl.kind) {
        case escalation_level::anchor::percent:
          if (lvl.percent > 100)
            cx.error(lvl.pos, "escalation-after-deadline",
                     fmt::format("{}: an escalation at {}% comes after the deadline", what,
                                 lvl.percent));
          share = lvl.percent / 100;
          break;
        case escalation_level::anchor::elapsed:
          if (lvl.offset > most)
            cx.error(lvl.pos, "escalation-after-deadline",
                     fmt::format("{}: an escalation after {} comes after the deadline ({})", what,
                                 format_millis(lvl.offset), to_string(t.within)));
          share = most.count()
                      ? static_cast<double>(lvl.offset.count()) / static_cast<double>(most.count())
                      : 0;
          break;
        case escalation_level::anchor::before:
          if (t.within.days == 0 && lvl.offset >= t.within.rest)
            cx.error(lvl.pos, "escalation-before-start",
                     fmt::format("{}: {} before a deadline of {} is before the clock starts", what,
                                 format_millis(lvl.offset), to_string(t.within)));
          share = most.count() ? 1 - static_cast<double>(lvl.offset.count()) /
                                         static_cast<double>(most.count())
                               : 1;
          break;
      }
      if (share < last)
        cx.warning(lvl.pos, "escalation-order",
                   fmt::format("{}: escalation levels are not in the order they fire", what));
      last = share;
      for (auto& n : lvl.notify) recipient_ref(n, "notify");
      if (lvl.reassign) recipient_ref(*lvl.reassign, "reassign");
    }
  }

  void calendar_ref() {
    auto it = org.calendars.find(f.calendar_ref.name);
    if (it != org.calendars.end()) {
      f.cal = it->second;
      return;
    }
    if (f.calendar_ref.name.empty()) return;  // already reported as missing
    cx.error(f.calendar_ref.pos, "unknown-calendar",
             fmt::format("calendar `{}` is not defined in the organization{}", f.calendar_ref.name,
                         did_you_mean(f.calendar_ref.name, keys_of(org.calendars))));
  }

  void compensation() {
    auto& c = f.compensation;
    if (!c.enabled()) return;
    const role_limit* prev = nullptr;
    for (auto& l : c.limits) {
      role_ref(l.role, "limit for role");
      if (prev && l.limit <= prev->limit)
        cx.error(l.role.pos, "limits-not-increasing",
                 fmt::format("limit of `{}` ({}) must be above the limit of `{}` ({})", l.role.name,
                             to_string(l.limit), prev->role.name, to_string(prev->limit)));
      prev = &l;
    }
    if (c.above_limits) role_ref(*c.above_limits, "above_limits");
    if (c.root_cause) {
      department_ref(c.root_cause->owner, "root-cause owner");
      target(c.root_cause->sla, "root-cause sla");
    }
  }

  void steps() {
    bool any_final = false;
    for (auto& s : f.steps) {
      any_final |= s.final;
      if (s.owner) department_ref(*s.owner, fmt::format("owner of step `{}`", s.name));
      target(s.sla, fmt::format("sla of step `{}`", s.name));
      for (auto& t : s.on) {
        step_ref(t.target, fmt::format("step `{}`, action `{}`", s.name, t.action));
        if (auto* a = find_action(t.action); a && a->reserved)
          cx.error(t.pos, "reserved-action",
                   fmt::format("`{}` is a built-in action and cannot be a transition", t.action));
      }
      for (auto& h : s.hand_off) department_ref(h, "hand_off to");
      for (auto& b : s.parallel) {
        department_ref(b.owner, fmt::format("owner of branch `{}`", b.name));
        target(b.sla, fmt::format("sla of branch `{}`", b.name));
      }
      if (s.then) step_ref(*s.then, fmt::format("step `{}`: then", s.name));
      if (s.timeout) step_ref(s.timeout->go, fmt::format("step `{}`: timeout", s.name));
      if (s.final && (!s.on.empty() || s.is_parallel() || s.timeout || s.sla.defined()))
        cx.error(s.pos, "final-step-exits",
                 fmt::format("final step `{}` cannot have transitions, a parallel block, a "
                             "timeout or an SLA",
                             s.name));
      if (s.is_parallel() && !s.then)
        cx.error(
            s.pos, "missing-field",
            fmt::format("parallel step `{}` needs `then`: where to go when every branch is done",
                        s.name));
      if (!s.is_parallel() && s.then)
        cx.error(s.then->pos, "bad-value",
                 fmt::format("step `{}` has `then` but no parallel block", s.name));
      if (s.is_parallel() && !s.on.empty())
        cx.error(s.on.front().pos, "bad-value",
                 fmt::format("parallel step `{}` leaves through `then` when every branch is done; "
                             "it cannot have `on`",
                             s.name));
      if (!s.final && !s.owner && !s.is_parallel())
        cx.error(s.pos, "missing-field",
                 fmt::format("step `{}` needs an `owner` department", s.name));
    }
    if (!f.steps.empty() && !any_final)
      cx.error(f.pos, "no-final-step", fmt::format("flow `{}` has no final step", f.id));
  }

  std::vector<std::string> successors(const step& s) const {
    std::vector<std::string> out;
    for (auto& t : s.on) out.push_back(t.target.name);
    if (s.then) out.push_back(s.then->name);
    if (s.timeout) out.push_back(s.timeout->go.name);
    if (s.final && f.reopen) out.push_back(f.reopen->to.name);
    return out;
  }

  void graph() {
    if (!f.find(f.start.name)) return;
    std::set<std::string> reached{f.start.name};
    std::vector<std::string> todo{f.start.name};
    while (!todo.empty()) {
      auto* s = f.find(todo.back());
      todo.pop_back();
      if (!s) continue;
      for (auto& n : successors(*s))
        if (reached.insert(n).second) todo.push_back(n);
    }
    for (auto& s : f.steps)
      if (!reached.contains(s.name))
        cx.warning(s.pos, "unreachable-step",
                   fmt::format("step `{}` cannot be reached from `{}`", s.name, f.start.name));
    // Walk backwards from the final steps.
    std::set<std::string> ends;
    for (auto& s : f.steps)
      if (s.final) ends.insert(s.name);
    for (bool grew = true; grew;) {
      grew = false;
      for (auto& s : f.steps) {
        if (ends.contains(s.name)) continue;
        auto next = successors(s);
        if (std::any_of(next.begin(), next.end(), [&](auto& n) { return ends.contains(n); })) {
          ends.insert(s.name);
          grew = true;
        }
      }
    }
    if (ends.empty()) return;  // no-final-step already reported
    for (auto& s : f.steps)
      if (!ends.contains(s.name))
        cx.warning(s.pos, "no-path-to-final",
                   fmt::format("step `{}` has no way to a final step", s.name));
  }

  void run() {
    for (auto& s : f.steps) step_names.push_back(s.name);
    for (auto& [name, _] : org.departments) f.departments.insert(name);
    calendar_ref();
    step_ref(f.start, "start");
    if (f.reopen) step_ref(f.reopen->to, "reopen");
    target(f.first_response, "first_response");
    target(f.resolution, "resolution");
    compensation();
    for (auto& r : f.on_repeat) {
      for (auto& n : r.level.notify) recipient_ref(n, "notify");
      if (r.level.reassign) recipient_ref(*r.level.reassign, "reassign");
    }
    auto errors = cx.diags().error_count();
    steps();
    // The shape of the graph means little while its references are broken.
    if (cx.diags().error_count() == errors) graph();
    if (!f.is_default && f.match.specificity() == 0)
      cx.warning(f.pos, "never-routed",
                 fmt::format("flow `{}` has no `match` and is not the default: no ticket is "
                             "routed to it",
                             f.id));
  }
};

}  // namespace

void check_flow(yaml_context& cx, flow& f, const organization& org) {
  checker{cx, f, org, {}}.run();
}

}  // namespace vocflow::detail

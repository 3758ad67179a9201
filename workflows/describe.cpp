#include "workflows/describe.hpp"

#include "workflows/overloaded.hpp"

#include <fmt/format.h>

namespace vocflow {
namespace {

std::string what(clock_kind k, const std::string& name) {
  switch (k) {
    case clock_kind::first_response:
      return "first response";
    case clock_kind::resolution:
      return "resolution";
    case clock_kind::step:
      return fmt::format("step `{}`", name);
    case clock_kind::task:
      return fmt::format("task `{}`", name);
    case clock_kind::timeout:
      return fmt::format("timeout of `{}`", name);
  }
  return name;
}

std::string quoted(const std::string& text) {
  if (text.empty()) return "";
  auto t = text.size() > 70 ? text.substr(0, 67) + "..." : text;
  return fmt::format(": \"{}\"", t);
}

}  // namespace

std::string describe(const event& e, const calendar& cal, std::string_view currency) {
  auto when = [&](time_point t) { return t == no_time ? std::string{"-"} : cal.format_local(t); };
  auto amount = [&](money m) { return fmt::format("{} {}", to_string(m), currency); };
  auto by = fmt::format("{} ({})", e.actor, e.role);
  return std::visit(
      overloaded{
          [&](const ev::opened& x) {
            return fmt::format("opened {} by {} via {}: {} / {}{}", x.ticket, by, x.info->channel,
                               x.info->category, x.info->product, quoted(x.info->text));
          },
          [&](const ev::routed& x) {
            return fmt::format("routed to flow {}@{} ({})", x.flow, x.version, x.reason);
          },
          [&](const ev::step_entered& x) {
            return fmt::format("enters step `{}`, owned by {} (via {})", x.step, x.owner, x.via);
          },
          [&](const ev::handed_off& x) {
            return fmt::format("handed off {} -> {}: {}", x.from, x.to, x.reason);
          },
          [&](const ev::responded& x) {
            return fmt::format("{} by {}{}", x.first ? "first response" : "response", by,
                               quoted(x.text));
          },
          [&](const ev::asked_customer& x) {
            return fmt::format("{} asks the customer{}", by, quoted(x.text));
          },
          [&](const ev::customer_replied& x) {
            return fmt::format("customer replied{}", quoted(x.text));
          },
          [&](const ev::note& x) { return fmt::format("note by {}{}", by, quoted(x.text)); },
          [&](const ev::paused& x) { return fmt::format("now {}{}", x.hold, quoted(x.text)); },
          [&](const ev::resumed& x) {
            return fmt::format("no longer {}{}", x.hold, quoted(x.text));
          },
          [&](const ev::clock_started& x) {
            if (x.kind == clock_kind::timeout)
              return fmt::format("timeout of `{}` set for {} ({} business)", x.name,
                                 when(x.deadline), format_millis(x.total));
            return fmt::format("SLA {}: {} business, due {}{}", what(x.kind, x.name),
                               format_millis(x.total), when(x.deadline),
                               x.paused ? " (paused while waiting)" : "");
          },
          [&](const ev::clock_paused& x) {
            return fmt::format("SLA {} paused with {} used", what(x.kind, x.name),
                               format_millis(x.consumed));
          },
          [&](const ev::clock_resumed& x) {
            return fmt::format("SLA {} resumed, now due {}", what(x.kind, x.name),
                               when(x.deadline));
          },
          [&](const ev::clock_stopped& x) {
            if (x.kind == clock_kind::timeout)
              return fmt::format("timeout of `{}` cleared", x.name);
            return x.met ? fmt::format("SLA {} met in {} ({} to spare)", what(x.kind, x.name),
                                       format_millis(x.taken), format_millis(x.margin))
                         : fmt::format("SLA {} missed: {} taken, {} late", what(x.kind, x.name),
                                       format_millis(x.taken), format_millis(-x.margin));
          },
          [&](const ev::sla_warned& x) {
            return fmt::format("WARNING: SLA {} due {}", what(x.kind, x.name), when(x.deadline));
          },
          [&](const ev::sla_breached& x) {
            return fmt::format("BREACH: SLA {} was due {} ({})", what(x.kind, x.name),
                               when(x.deadline), x.owner);
          },
          [&](const ev::escalated& x) {
            std::string acts;
            if (!x.notify.empty()) acts += fmt::format(", notify {}", fmt::join(x.notify, ", "));
            if (!x.reassign_department.empty())
              acts += fmt::format(", reassign to {}", x.reassign_department);
            if (!x.reassign_role.empty()) acts += fmt::format(", assign to {}", x.reassign_role);
            if (!x.priority.empty()) acts += fmt::format(", priority {}", x.priority);
            return fmt::format("ESCALATION level {} of SLA {}{}", x.level, what(x.kind, x.name),
                               acts);
          },
          [&](const ev::task_opened& x) {
            return fmt::format("{} task `{}` for {}: {}",
                               x.kind == "root_cause" ? "root-cause" : "parallel", x.task, x.owner,
                               x.title);
          },
          [&](const ev::task_done& x) {
            return fmt::format("task `{}` ({}) done by {}{}", x.task, x.owner, by, quoted(x.text));
          },
          [&](const ev::compensation_requested& x) {
            return fmt::format("compensation {} of {} requested by {}, for {} to approve{}",
                               x.request, amount(x.amount), by, x.approver, quoted(x.reason));
          },
          [&](const ev::compensation_granted& x) {
            return fmt::format("compensation {} granted by {} (total {}){}", amount(x.amount), by,
                               amount(x.total), quoted(x.reason));
          },
          [&](const ev::compensation_rejected& x) {
            return fmt::format("compensation {} of {} rejected by {}{}", x.request,
                               amount(x.amount), by, quoted(x.reason));
          },
          [&](const ev::resolved& x) {
            return fmt::format("resolved by {}{}", by, quoted(x.text));
          },
          [&](const ev::confirmed& x) {
            return fmt::format("customer confirmed{}", quoted(x.text));
          },
          [&](const ev::reopened& x) {
            return fmt::format("reopened (reopen #{}){}", x.count, quoted(x.reason));
          },
          [&](const ev::timed_out& x) {
            return fmt::format("no answer: step `{}` timed out, goes to `{}`", x.step, x.go);
          },
          [&](const ev::closed& x) { return fmt::format("closed ({})", x.reason); },
          [&](const ev::feedback& x) {
            std::string s = "feedback:";
            if (x.csat) s += fmt::format(" CSAT {}/5", x.csat);
            if (x.has_sentiment) s += fmt::format(" sentiment {:+.2f}", x.sentiment);
            return s + quoted(x.text);
          },
          [&](const ev::classified& x) {
            std::string s = x.topics.empty() ? std::string{"no topic"}
                                             : fmt::format("topics {}", fmt::join(x.topics, ", "));
            if (!x.why.empty()) s += fmt::format(" ({})", fmt::join(x.why, "; "));
            return fmt::format("read the {} text: {}, sentiment {:+.2f}", x.of, s, x.sentiment);
          },
          [&](const ev::repeat_contact& x) {
            return fmt::format("the customer got in touch again (contact {}, {}, {}){}", x.count,
                               x.channel.empty() ? "no channel" : x.channel, x.reason,
                               quoted(x.text));
          },
          [&](const ev::linked_to_problem& x) {
            return fmt::format("linked to problem {} ({})", x.problem, x.topic);
          },
          [&](const ev::complaint_linked& x) {
            return fmt::format("complaint {} linked", x.ticket);
          },
          [&](const ev::assigned& x) {
            return x.before.empty() ? fmt::format("assigned to {}", x.assignee)
                                    : fmt::format("assigned to {} (was {})", x.assignee, x.before);
          },
          [&](const ev::spike_flagged& x) {
            return fmt::format("spike of {}: {}", x.topic, x.why);
          },
          [&](const ev::problem_resolved& x) {
            return fmt::format("problem {} resolved{}", x.problem, quoted(x.text));
          },
      },
      e.body);
}

}  // namespace vocflow

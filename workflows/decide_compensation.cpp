// Compensation inside decide(): each role grants up to its limit on the cumulative amount of
// the ticket (pending requests included, so small grants cannot dodge a limit) and within the
// customer's cap over a period; above that, a request waits for an approver; past a threshold
// root-cause work opens automatically.
#include "workflows/decider.hpp"

#include <fmt/format.h>

namespace vocflow::detail {

std::string decider::approver_for(money cumulative, bool over_customer_cap) const {
  auto& c = f_.compensation;
  if (!over_customer_cap)
    for (auto& l : c.limits)
      if (l.limit >= cumulative) return l.role.name;
  return c.above_limits ? c.above_limits->name : "";
}

bool decider::compensation_asked() {
  if (!f_.compensation.enabled()) {
    reject(reject_code::action_not_allowed, fmt::format("flow `{}` grants no compensation", f_.id));
    return false;
  }
  if (!cmd_.amount || cmd_.amount->minor <= 0) {
    reject(reject_code::invalid_argument, fmt::format("{} needs a positive `amount`", cmd_.action));
    return false;
  }
  return true;
}

void decider::grant() {
  if (!compensation_asked()) return;
  auto& c = f_.compensation;
  const auto& role = cmd_.by.role;
  bool unlimited = c.above_limits && c.above_limits->name == role;
  auto* limit = c.limit_for(role);
  if (!limit && !unlimited)
    return reject(reject_code::forbidden,
                  fmt::format("role `{}` may not grant compensation", role));
  auto amount = *cmd_.amount;
  auto cumulative = t_.granted + t_.pending() + amount;
  if (!unlimited) {
    auto approver = approver_for(cumulative, false);
    if (cumulative > limit->limit)
      return reject(reject_code::above_limit,
                    fmt::format("{} would bring ticket {} to {}, above the {} limit of {}; "
                                "request_compensation asks {} to approve",
                                format_amount(f_, amount), t_.id, format_amount(f_, cumulative),
                                role, format_amount(f_, limit->limit),
                                approver.empty() ? "an approver" : approver));
    if (c.per_customer && cmd_.customer_granted + amount > c.per_customer->limit)
      return reject(
          reject_code::above_limit,
          fmt::format("customer {} has received {} within {}; {} more is above the "
                      "customer cap of {}; request_compensation asks {} to approve",
                      t_.info->customer, format_amount(f_, cmd_.customer_granted),
                      to_string(c.per_customer->period), format_amount(f_, amount),
                      format_amount(f_, c.per_customer->limit), approver_for(cumulative, true)));
  }
  emit(ev::compensation_granted{"", amount, cmd_.text, t_.granted + amount});
  check_root_cause();
}

void decider::request_compensation() {
  if (!compensation_asked()) return;
  auto& c = f_.compensation;
  if (cmd_.text.empty())
    return reject(reject_code::invalid_argument, "a compensation request needs a reason (`text`)");
  auto cumulative = t_.granted + t_.pending() + *cmd_.amount;
  bool over_cap = c.per_customer && cmd_.customer_granted + *cmd_.amount > c.per_customer->limit;
  auto approver = approver_for(cumulative, over_cap);
  if (approver.empty())
    return reject(
        reject_code::invalid_argument,
        fmt::format("no role may approve {} on this ticket", format_amount(f_, cumulative)));
  auto id = fmt::format("C{}", t_.next_request);
  emit(ev::compensation_requested{id, *cmd_.amount, cmd_.text, approver});
  if (notifying())
    notify_to({approver},
              fmt::format("Ticket {}: approve {} ({})", t_.id, format_amount(f_, *cmd_.amount),
                          cmd_.text),
              "compensation_requested");
  if (!(t_.holds & static_cast<uint8_t>(hold::approval))) set_hold(hold::approval, true, "");
}

void decider::decide_request(bool approve) {
  if (t_.requests.empty())
    return reject(reject_code::action_not_allowed, "no compensation request is waiting",
                  allowed_actions(f_, t_, now_));
  const compensation_request* r = nullptr;
  if (cmd_.request.empty() && t_.requests.size() == 1) r = &t_.requests.front();
  for (auto& x : t_.requests)
    if (x.id == cmd_.request) r = &x;
  if (!r) {
    std::vector<std::string> ids;
    for (auto& x : t_.requests) ids.push_back(x.id);
    return reject(reject_code::invalid_argument,
                  fmt::format("which request? waiting: {}", fmt::join(ids, ", ")));
  }
  auto& c = f_.compensation;
  const auto& role = cmd_.by.role;
  auto* limit = c.limit_for(role);
  bool may = role == r->approver || (c.above_limits && c.above_limits->name == role) ||
             (limit && limit->limit >= t_.granted + t_.pending());
  if (!may)
    return reject(reject_code::forbidden,
                  fmt::format("request {} needs approval by {}", r->id, r->approver));
  auto req = *r;
  if (approve) {
    emit(ev::compensation_granted{req.id, req.amount, req.reason, t_.granted + req.amount});
    check_root_cause();
  } else {
    emit(ev::compensation_rejected{req.id, req.amount, cmd_.text});
  }
  if (t_.requests.empty() && (t_.holds & static_cast<uint8_t>(hold::approval)))
    set_hold(hold::approval, false, "");
}

void decider::check_root_cause() {
  auto& rule = f_.compensation.root_cause;
  if (!rule || t_.root_cause_opened || t_.granted <= rule->over) return;
  emit(ev::task_opened{std::string{root_cause_task}, "root_cause", "", rule->owner.name,
                       rule->task});
  start_clock(clock_kind::task, "", std::string{root_cause_task}, rule->sla.within);
  enqueue_on(rule->owner.name);
  if (notifying())
    notify_to({rule->owner.name},
              fmt::format("Ticket {}: compensation reached {}; find the root cause", t_.id,
                          format_amount(f_, t_.granted)),
              "task_opened");
}

}  // namespace vocflow::detail

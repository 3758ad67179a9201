#include "workflows/actions.hpp"

#include <algorithm>
#include <array>

namespace vocflow {
namespace {

using namespace inputs;
constexpr uint8_t staff = takers::staff, customer = takers::customer, system = takers::system;

constexpr std::array<action_info, 27> table = {{
    // name, id, takers, builtin, reserved, after_close, capped, takes, needs, summary
    {"open", action::open, staff | system, true, true, false, false, 0, 0,
     "open a ticket (POST /v1/tickets, or a connector)"},
    {"record", action::record, system, true, true, false, false, 0, 0,
     "record a complaint from history (an import): opened at its own time, closed as its "
     "source says, with no clocks"},
    {"timer", action::timer, system, true, true, false, false, 0, 0,
     "a timer fired: warning, escalation, breach or timeout"},
    {"respond", action::respond, staff, true, false, false, false, text, 0,
     "answer the customer (the first answer stops the first-response clock)"},
    {"ask_customer", action::ask_customer, staff, true, false, false, false, text, 0,
     "ask the customer; the ticket waits for the customer"},
    {"customer_reply", action::customer_reply, staff | customer, true, true, false, false, text, 0,
     "the customer answered; the ticket no longer waits for the customer"},
    {"note", action::note, staff, true, true, true, false, text, text,
     "an internal note in the ticket's history"},
    {"hand_off", action::hand_off, staff, true, true, false, false, to | text, to | text,
     "give the ticket to another department, with the reason"},
    {"wait_supplier", action::wait_supplier, staff, true, true, false, false, text, 0,
     "the ticket waits for a supplier"},
    {"supplier_reply", action::supplier_reply, staff, true, true, false, false, text, 0,
     "the supplier answered; the ticket no longer waits for it"},
    {"complete_task", action::complete_task, staff, true, true, true, false, task | text, 0,
     "a department's task on the ticket is done (the only open one when none is named)"},
    {"grant_compensation", action::grant_compensation, staff, true, true, false, true,
     amount | text, amount, "grant compensation within the role's limit and the customer's cap"},
    {"request_compensation", action::request_compensation, staff, true, true, false, true,
     amount | text, amount | text, "ask an approver for compensation above the role's limit"},
    {"approve_compensation", action::approve_compensation, staff, true, true, true, true,
     request | text, 0, "grant a waiting compensation request (the only one when none is named)"},
    {"reject_compensation", action::reject_compensation, staff, true, true, true, false,
     request | text, 0, "refuse a waiting compensation request"},
    {"feedback", action::feedback, staff | customer, true, true, true, false,
     csat | sentiment | text, 0,
     "the customer's rating (csat 1-5) or sentiment (-1..1) after resolution"},
    {"reclassify", action::reclassify, staff | system, true, true, true, false, 0, 0,
     "read the customer's texts again with the topics deployed now (the old reading stays in "
     "the history)"},
    {"repeat_contact", action::repeat_contact, system, true, true, false, false, text, 0,
     "the customer got in touch again on this matter (a new complaint linked to this ticket)"},
    {"link_problem", action::link_problem, system, true, true, true, false, ticket, ticket,
     "link this complaint to a problem (a spike of its topic)"},
    {"link_complaint", action::link_complaint, system, true, true, true, false, ticket, ticket,
     "link a complaint to this problem"},
    {"problem_resolved", action::problem_resolved, system, true, false, false, false, ticket | text,
     ticket,
     "the linked problem was resolved; a flow may move on it (`on: { problem_resolved: ... }`)"},
    {"flag_spike", action::flag_spike, system, true, true, false, false, ticket | text,
     ticket | text, "on a problem: the spike of a topic (`ticket`: the topic) that opened it"},
    {"assign", action::assign, staff, true, true, false, false, to, 0,
     "take the ticket yourself, or give it (`to`) to a person; an escalation that reassigns "
     "puts it back in a role's queue"},
    {"resolve", action::resolve, staff, false, false, false, false, text, 0,
     "a transition that resolves the ticket (stops the resolution clock)"},
    {"confirm", action::confirm, customer, false, false, false, false, text, 0,
     "a transition by which the customer confirms the resolution (staff record it with "
     "on_behalf_of: customer)"},
    {"reopen", action::reopen, staff | customer, false, false, true, false, text, 0,
     "a transition back to work, or reopening a closed ticket within the flow's window"},
    {"", action::transition, staff, false, false, false, false, text, 0,
     "any other transition of the ticket's step"},
}};

}  // namespace

std::span<const action_info> known_actions() {
  return {table.data(), table.size() - 1};  // the last row stands for every other name
}

const action_info* find_action(std::string_view name) {
  for (auto& a : known_actions())
    if (a.name == name) return &a;
  return nullptr;
}

const action_info& action_of(std::string_view name) {
  auto* a = find_action(name);
  return a ? *a : table.back();
}

std::vector<std::string_view> input_names(uint16_t bits) {
  static constexpr std::array<std::string_view, 8> names = {"text", "to",   "amount",    "request",
                                                            "task", "csat", "sentiment", "ticket"};
  std::vector<std::string_view> out;
  for (size_t i = 0; i < names.size(); ++i)
    if (bits & (1u << i)) out.push_back(names[i]);
  return out;
}

std::vector<std::string_view> taker_names(uint8_t bits) {
  std::vector<std::string_view> out;
  if (bits & takers::staff) out.push_back("staff");
  if (bits & takers::customer) out.push_back("customer");
  if (bits & takers::system) out.push_back("system");
  return out;
}

}  // namespace vocflow

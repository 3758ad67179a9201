// The actions the engine knows by name, defined once: who may take each, whether a closed
// ticket still takes it, whether it counts against a customer's compensation cap, and what a
// command for it carries. The engine dispatches on this table, the flow checker reserves its
// built-in names, the API reads and checks requests by it, scenarios take their defaults from it,
// and a test holds the OpenAPI description to it. Any other name is a transition of the flow.
//
// Adding a built-in action: an `action` value, a row in actions.cpp, its handler in decide().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vocflow {

enum class action : uint8_t {
  open,
  record,
  timer,
  respond,
  ask_customer,
  customer_reply,
  note,
  hand_off,
  wait_supplier,
  supplier_reply,
  complete_task,
  grant_compensation,
  request_compensation,
  approve_compensation,
  reject_compensation,
  feedback,
  reclassify,
  repeat_contact,
  link_problem,
  link_complaint,
  problem_resolved,
  flag_spike,
  assign,
  resolve,  // the names below are transitions of a flow with a meaning the engine adds
  confirm,
  reopen,
  transition,  // any other transition of the flow
};

// Who may take an action: bits.
namespace takers {
inline constexpr uint8_t staff = 1;     // service agents and every other role of the organization
inline constexpr uint8_t customer = 2;  // the customer (or staff recording the customer's answer)
inline constexpr uint8_t system = 4;    // timers and connectors
}  // namespace takers

// What a command for an action carries (bits): the fields of a command beyond its action.
namespace inputs {
inline constexpr uint16_t text = 1;
inline constexpr uint16_t to = 2;  // a department (hand_off), a person (assign)
inline constexpr uint16_t amount = 4;
inline constexpr uint16_t request = 8;  // a compensation request's id
inline constexpr uint16_t task = 16;
inline constexpr uint16_t csat = 32;
inline constexpr uint16_t sentiment = 64;
inline constexpr uint16_t ticket = 128;  // another ticket's id (a problem, a complaint)
inline constexpr uint16_t all = 255;
}  // namespace inputs

struct action_info {
  std::string_view name;
  action id;
  uint8_t takers;    // bits of `takers`
  bool builtin;      // taken in any step, not a transition of the flow
  bool reserved;     // a flow cannot name a transition so (respond and ask_customer may
                     // also move a step on: `on: { respond: ... }`)
  bool after_close;  // a closed ticket takes it
  bool capped;       // counts against the customer's compensation cap
  uint16_t takes;    // bits of `inputs`
  uint16_t needs;    // of those, the ones a command must carry
  std::string_view summary;
};

// Every action the engine knows by name, in the order above.
std::span<const action_info> known_actions();
// The row of `name`; nullptr for a name the engine does not know (a flow's own transition).
const action_info* find_action(std::string_view name);
// The row that governs `name`: its own, or the one of any other transition.
const action_info& action_of(std::string_view name);

// The names of the inputs in `bits` ("text", "to", ...), in the order above.
std::vector<std::string_view> input_names(uint16_t bits);
// The names of the takers in `bits` ("staff", "customer", "system").
std::vector<std::string_view> taker_names(uint8_t bits);

}  // namespace vocflow

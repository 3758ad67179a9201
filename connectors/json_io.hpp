// The JSON of the API: request bodies read strictly (an unknown field is an error naming it,
// a wrong type names the field and what it should be), and the views of tickets and events.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <variant>

#include "actors/messages.hpp"
#include "workflows/engine.hpp"
#include "workflows/kpi.hpp"
#include "workflows/model.hpp"

namespace vocflow::connectors {

struct body_error {
  std::string code;  // malformed_json, unknown_field, invalid_field, missing_field
  std::string message;
  std::string field;
};

// POST /v1/tickets: the complaint, and optionally the flow to run instead of routing.
struct open_request {
  ticket_fields info;
  std::string flow;
};
std::variant<open_request, body_error> parse_open(const std::string& body);

// POST /v1/tickets/{id}/actions
struct action_request {
  std::string action;
  std::string text, to, request, task;
  std::optional<money> amount;
  std::optional<int32_t> csat;
  std::optional<double> sentiment;
  bool on_behalf_of_customer = false;  // a member of staff records the customer's answer
};
std::variant<action_request, body_error> parse_action(const std::string& body);

// A ticket for people and programs: its state, the deadlines of its running SLAs, what it
// accepts now (when the flow is known), and its history when given.
nlohmann::json ticket_json(const ticket& t, const flow* f, time_point now,
                           const std::vector<event>* history = nullptr);
// What an action's answer carries: where the ticket stands now and what it accepts; the
// complaint's text, tasks and history stay with GET /v1/tickets/{id}.
nlohmann::json ticket_summary_json(const ticket& t, const flow* f, time_point now);
nlohmann::json queue_entry_json(const actors::queue_entry& e);
nlohmann::json deadlines_json(const ticket& t);
// GET /v1/kpis: the report's period and options, the totals, and one entry per group.
nlohmann::json kpi_json(const kpi_report& r);

}  // namespace vocflow::connectors

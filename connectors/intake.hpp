// From what comes in to the commands the runtime takes: the one mapping the HTTP API and the
// intake connectors (file import, inbound webhooks) share. Requests are read strictly: an
// unknown field, a field an action does not take, a duplicate key or a wrong type is an error
// naming the field; the JSON parser's own wording never reaches a client.
#pragma once

#include "actors/messages.hpp"
#include "connectors/mapping.hpp"
#include "workflows/engine.hpp"

#include <optional>
#include <string>
#include <variant>

namespace vocflow::connectors {

// The longest text a complaint or an action may carry, in characters (code points): real
// complaint narratives run past 20,000 (the CFPB's longest are over 30,000).
inline constexpr size_t max_text = 100'000;

struct body_error {
  std::string code;  // malformed_json, unknown_field, invalid_field, missing_field
  std::string message;
  std::string field;  // the field at fault, "" for the body as a whole
};

// Who sends it: resolved from a bearer token by the API, configured for a connector.
struct caller {
  std::string name;
  std::string role;     // access role (agent, supervisor, owner, ops, admin)
  std::string acts_as;  // the role the workflows see
  std::vector<std::string> departments;  // whose queues are theirs; empty: every department
};

// A complaint, and optionally the flow to run instead of routing.
struct open_request {
  ticket_fields info;
  std::string flow;
  // A digest of what the request says (not of its bytes): a retry under the same idempotency
  // key must say the same.
  uint64_t fingerprint = 0;
};
[[nodiscard]] std::variant<open_request, body_error> parse_open(const std::string& body);

// An action on a ticket; what it carries is checked against the action's row in
// workflows/actions.hpp.
struct action_request {
  std::string action;
  std::string text, to, request, task;
  std::optional<money> amount;
  std::optional<int32_t> csat;
  std::optional<double> sentiment;
  bool on_behalf_of_customer = false;  // a member of staff records the customer's answer
};
[[nodiscard]] std::variant<action_request, body_error> parse_action(const std::string& body);

// A marker on the topic series ("app 5.2 released"): when (default: now), what, and the topic
// it concerns ("" for every topic).
struct marker_request {
  std::optional<time_point> at;
  std::string text, topic;
};
[[nodiscard]] std::variant<marker_request, body_error> parse_marker(const std::string& body);

// The commands. `ticket_id`: the id the new ticket gets (runtime::ticket_id_for_key when there
// is an idempotency key, else runtime::new_ticket_id).
actors::submission open_command(const caller& by, open_request r, std::string ticket_id,
                                std::string idempotency_key);
actors::submission action_command(const caller& by, const std::string& ticket_id, action_request r);

// Imports and inbound webhooks: a complaint as a mapping made it (one line of
// POST /v1/tickets:batch), read as strictly as the other bodies.
nlohmann::json to_json(const mapped_record& r);
[[nodiscard]] std::variant<mapped_record, body_error> parse_mapped(std::string_view line);

// How an import brings a complaint in: opened now (live: routed, clocks started) or recorded as
// it happened (historical).
enum class import_mode : uint8_t { live, historical };

// The command for a mapped record, by the source's own identity (intake:SOURCE, a system
// actor), keyed by source:external_id so that it counts once however often it comes.
// For an action on a ticket opened before (a webhook's later event), the delivery's id keys it.
actors::submission intake_command(const mapped_record& r, import_mode mode);

}  // namespace vocflow::connectors

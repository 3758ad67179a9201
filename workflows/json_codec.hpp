// JSON views of events and tickets, for people and programs (simulate --json, the HTTP API).
// Times are ISO 8601 UTC, durations milliseconds, amounts decimal strings ("49.90").
#pragma once

#include "workflows/events.hpp"
#include "workflows/ticket.hpp"

#include <nlohmann/json.hpp>

namespace vocflow {

// {"seq": 3, "type": "responded", "at": "...", "actor": "alice", "role": "agent", ...fields}
nlohmann::json to_json(const event& e);
// Compact JSON text; invalid UTF-8 in strings (what a client sent) becomes U+FFFD instead of
// throwing. For everything vocflow writes out: answers, streams, webhook bodies.
std::string json_text(const nlohmann::json& j);
// Every field of the ticket; holds as a list of names.
nlohmann::json to_json(const ticket& t);
nlohmann::json to_json(const ticket_fields& f);

}  // namespace vocflow

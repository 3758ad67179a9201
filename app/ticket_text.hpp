// How the CLI shows tickets and histories, whether they come from a running server (ticket
// show, act, list) or from a stopped store (inspect): the same JSON (a ticket's view, see
// workflows/ticket_view.hpp, and its events), the same text.
//
// Times are shown in one time zone per ticket: the one the user chose (--tz, VOCFLOW_TZ),
// else the ticket's own (its flow's calendar: where its deadlines are reckoned), else this
// machine's. Deadlines also say how far off they are ("in 3h05m", "40m ago").
#pragma once

#include "workflows/time.hpp"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <optional>
#include <string>

namespace date {
class time_zone;
}

namespace vocflow::app {

struct display {
  const date::time_zone* chosen = nullptr;  // the user's choice; nullptr: per ticket
  time_point now;                           // for "in 3h" (this machine's clock)

  // The zone to show a ticket's times in (`view`: its JSON, which may name its zone).
  const date::time_zone* zone_for(const nlohmann::json& view) const;
  // "Fri 2026-11-27 16:08 CST" from an RFC 3339 time; "-" for null.
  std::string when(const nlohmann::json& time, const date::time_zone* zone) const;
  // The same, and how far off: "Fri 2026-11-27 16:08 CST (in 3h05m)".
  std::string due(const nlohmann::json& time, const date::time_zone* zone) const;
};

// A display in the zone `tz` names ("" for: per ticket, see above), or in $VOCFLOW_TZ; nullopt
// with `error` set for a zone the time-zone database does not know.
[[nodiscard]] std::optional<display> make_display(const std::string& tz, std::string& error);

// A JSON value as text: strings as they are, null as "-".
std::string text_of(const nlohmann::json& v);

// A ticket: its view, and its detail when the JSON has it.
void print_ticket(std::ostream& out, const nlohmann::json& ticket, const display& d);
// Events, one per line: sequence, time, who, what.
void print_events(std::ostream& out, const nlohmann::json& events, const display& d,
                  const date::time_zone* zone);
// A list of ticket views (a queue's page, or every ticket), one per line.
void print_rows(std::ostream& out, const nlohmann::json& items, const display& d);

}  // namespace vocflow::app

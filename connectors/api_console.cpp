// What the web console (and any client) asks besides tickets and flows: who the caller is, the
// server's clock (moved by hand when `vocflow serve --clock` runs it), and a customer's view.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/json_io.hpp"
#include "workflows/duration.hpp"
#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <fmt/format.h>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};

json clock_json(const api_services& s) {
  return {{"now", format_utc(s.rt.env().clock())}, {"manual", s.manual_clock != nullptr}};
}

void me(const api_services& s, request& rq) {
  auto& org = s.rt.env().flows->org();
  json all = json::array();
  for (auto& [name, d] : org.departments) all.push_back({{"name", name}, {"title", d.title}});
  json mine = json::array();
  for (auto& d : rq.who.departments) mine.push_back(d);
  if (mine.empty())
    for (auto& [name, _] : org.departments) mine.push_back(name);
  rq.respond(json_response(200, {{"name", rq.who.name},
                                 {"role", rq.who.role},
                                 {"acts_as", rq.who.acts_as},
                                 {"departments", mine},
                                 {"organization", {{"departments", all}}},
                                 {"clock", clock_json(s)}}));
}

void get_clock(const api_services& s, request& rq) {
  rq.respond(json_response(200, clock_json(s)));
}

// {"advance": "2h"} or {"to": "2026-03-09T09:00:00Z"}: the manual clock moves on, and every
// timer that fell due meanwhile fires.
void set_clock(const api_services& s, request& rq) {
  if (!s.manual_clock)
    return rq.respond(json_error(409, "system_clock",
                                 "this server runs on the system clock; `vocflow serve --clock "
                                 "TIME` starts one on a clock moved by hand"));
  auto body = json::parse(rq.http.body(), nullptr, false);
  if (!body.is_object() || body.size() != 1 || !(body.contains("advance") || body.contains("to")) ||
      !body.begin()->is_string())
    return rq.respond(json_error(
        400, "malformed_body",
        R"(the body is {"advance": "2h"} (a duration) or {"to": "2026-03-09T09:00:00Z"})"));
  auto text = body.begin()->get<std::string>();
  auto now = s.manual_clock->now();
  std::optional<time_point> to;
  if (body.contains("to")) {
    to = parse_utc(text);
  } else if (auto d = parse_duration(text)) {
    to = now + std::chrono::days{d->days} + d->rest;
  }
  if (!to)
    return rq.respond(json_error(400, "invalid_field",
                                 body.contains("to")
                                     ? fmt::format("`to` must be a time, not `{}`", text)
                                     : fmt::format("`advance` must be a duration like 2h, 30m "
                                                   "or 1d (wall time), not `{}`",
                                                   text)));
  if (!s.manual_clock->set(*to))
    return rq.respond(
        json_error(409, "clock_backwards",
                   fmt::format("the clock is at {}; it never goes back", format_utc(now))));
  s.rt.poke_timers();
  rq.respond(json_response(200, clock_json(s)));
}

// Every ticket of one customer, across channels, with each contact on it (the opening and
// every repeat contact).
void customer(const api_services& s, request& rq) {
  auto who = rq.params["id"];
  auto db = s.rt.env().db;
  auto flows = s.rt.env().flows;
  on_query_pool(s, rq, [db, flows, who, respond = rq.respond] {
    std::vector<ticket> found;
    auto st = db->for_each_ticket([&](const ticket& t) {
      if (t.info->customer == who) found.push_back(t);
      return true;
    });
    if (!st) return respond(unavailable(st.message()));
    json tickets = json::array();
    json contacts = json::array();
    for (auto& t : found) {
      tickets.push_back(to_json(project(t, flows->find(t.flow, t.version).get())));
      std::vector<event> history;
      if (auto h = db->history(t.id, history); !h) return respond(unavailable(h.message()));
      for (auto& e : history) {
        if (auto* o = std::get_if<ev::opened>(&e.body))
          contacts.push_back({{"ticket", t.id},
                              {"at", format_utc(e.at)},
                              {"channel", o->info->channel},
                              {"text", o->info->text},
                              {"kind", "opened"}});
        else if (auto* r = std::get_if<ev::repeat_contact>(&e.body))
          contacts.push_back({{"ticket", t.id},
                              {"at", format_utc(e.at)},
                              {"channel", r->channel},
                              {"text", r->text},
                              {"kind", "repeat_contact"}});
      }
    }
    std::sort(contacts.begin(), contacts.end(),
              [](const json& a, const json& b) { return a["at"] < b["at"]; });
    respond(json_response(200, {{"customer", who}, {"tickets", tickets}, {"contacts", contacts}}));
  });
}

}  // namespace

std::vector<route> console_routes() {
  return {
      {"GET", "/v1/me", readers, {}, me},
      {"GET", "/v1/clock", readers, {}, get_clock},
      {"POST", "/v1/clock", {"admin"}, {}, set_clock},
      {"GET", "/v1/customers/{id}", readers, {}, customer},
  };
}

}  // namespace vocflow::connectors

// The API's tickets: open, act, read one, list a queue or every ticket.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/importer.hpp"
#include "connectors/json_io.hpp"
#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <fmt/format.h>

#include <mutex>

namespace vocflow::connectors {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;
using kind = actors::command_result::kind;

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::vector<std::string> actors_roles = {"agent", "supervisor", "admin"};
const std::vector<std::string> importers = {"supervisor", "owner", "admin"};

// The answer to a command: its rejection or failure, or `ok` with the result.
void answer(const responder& respond, reply<actors::command_result>& r,
            const std::function<void(actors::command_result&)>& ok) {
  if (!r.value) return respond(unavailable(r.error));
  auto& res = *r.value;
  if (res.result == kind::rejected) return respond(rejection_response(res.why));
  if (res.result == kind::failed) return respond(unavailable(res.failure));
  ok(res);
}

// The ticket after a command: as of the decision, with the flow it was decided with.
json decided_view(const actors::command_result& res) {
  return to_json(project(*res.state, res.flow, res.decided_at));
}

void open_ticket(const api_services& s, request& rq) {
  auto parsed = parse_open(rq.http.body());
  if (auto* e = std::get_if<body_error>(&parsed)) return rq.respond(bad_body(*e));
  std::string key{rq.http["Idempotency-Key"]};
  if (key.size() > 200)
    return rq.respond(
        json_error(400, "invalid_header", "Idempotency-Key is longer than 200 characters"));
  auto id = key.empty() ? s.rt.new_ticket_id() : actors::runtime::ticket_id_for_key(key);
  auto sub = open_command(rq.who, std::move(std::get<open_request>(parsed)), std::move(id), key);
  s.commands.submit(std::move(sub), [respond = rq.respond](reply<actors::command_result> r) {
    answer(respond, r, [&](actors::command_result& res) {
      json body = {
          {"id", res.state->id}, {"created", !res.replayed}, {"ticket", decided_view(res)}};
      bool repeat = false;
      for (auto& e : res.events ? *res.events : std::vector<event>{}) {
        if (auto* routed = std::get_if<ev::routed>(&e.body)) body["routed"] = routed->reason;
        // The customer's open ticket on the same matter took it as a repeat contact.
        if (auto* r = std::get_if<ev::repeat_contact>(&e.body)) {
          repeat = true;
          body["created"] = false;
          body["repeat_contact"] = {{"count", r->count}, {"reason", r->reason}};
        }
      }
      auto out = json_response(res.replayed || repeat ? 200 : 201, body);
      out.set(http::field::location, "/v1/tickets/" + res.state->id);
      respond(std::move(out));
    });
  });
}

void act(const api_services& s, request& rq) {
  auto id = ticket_id_param(rq);
  if (!id) return;
  auto parsed = parse_action(rq.http.body());
  if (auto* e = std::get_if<body_error>(&parsed)) return rq.respond(bad_body(*e));
  auto sub = action_command(rq.who, *id, std::move(std::get<action_request>(parsed)));
  s.commands.submit(std::move(sub), [respond = rq.respond](reply<actors::command_result> r) {
    answer(respond, r, [&](actors::command_result& res) {
      respond(json_response(
          200, {{"ticket", decided_view(res)},
                {"events", events_json(res.events ? *res.events : std::vector<event>{})}}));
    });
  });
}

// What the caller may do on a ticket of flow `f` beyond its allowed actions: the compensation
// their role grants alone (and who approves above it), and where a hand-off may go.
json caller_json(const caller& who, const flow* f, const ticket& t, const organization& org) {
  json you = {{"name", who.name}, {"role", who.acts_as}};
  if (f && f->compensation.enabled()) {
    auto& c = f->compensation;
    auto* limit = c.limit_for(who.acts_as);
    bool unlimited = c.above_limits && c.above_limits->name == who.acts_as;
    // Who approves above the caller's limit: each role with a higher one, then the approver
    // above every limit.
    json above = json::array();
    for (auto& l : c.limits)
      if (!limit || l.limit > limit->limit)
        above.push_back({{"role", l.role.name}, {"limit", to_string(l.limit)}});
    you["compensation"] = {
        {"currency", c.currency},
        {"limit", limit && !unlimited ? json(to_string(limit->limit)) : json(nullptr)},
        {"unlimited", unlimited},
        {"granted", to_string(t.granted)},
        {"approvers", std::move(above)},
        {"approver", c.above_limits ? c.above_limits->name : std::string{}}};
  }
  json to = json::array();
  auto* step = f ? f->find(t.step) : nullptr;
  if (step && !step->hand_off.empty()) {
    for (auto& h : step->hand_off) to.push_back(h.name);
  } else {
    for (auto& [name, _] : org.departments)
      if (name != t.owner) to.push_back(name);
  }
  you["hand_off_to"] = std::move(to);
  return you;
}

void get_ticket(const api_services& s, request& rq) {
  auto id = ticket_id_param(rq);
  if (!id) return;
  auto flows = s.rt.env().flows;
  auto clock = s.rt.env().clock;
  ask<actors::ticket_record>(
      s.rt.system(), s.rt.partition_for(*id), s.rt.env().cfg.request_timeout,
      [respond = rq.respond, flows, clock, id = *id, who = rq.who](reply<actors::ticket_record> r) {
        if (!r.value) return respond(unavailable(r.error));
        auto& v = *r.value;
        if (!v.failure.empty()) return respond(unavailable(v.failure));
        if (!v.found) return respond(json_error(404, "not_found", fmt::format("no ticket {}", id)));
        auto f = flows->find(v.state.flow, v.state.version);
        auto out = to_json(project(v.state, f.get(), clock()), project_detail(v.state, f.get()));
        out["history"] = events_json(v.history);
        out["you"] = caller_json(who, f.get(), v.state, flows->org());
        respond(json_response(200, out));
      },
      actors::fetch_atom::value, *id);
}

json page_json(const actors::queue_page& p, json items) {
  json out = {{"items", std::move(items)},
              {"next_cursor", p.next_cursor.empty() ? json() : json(p.next_cursor)}};
  if (p.total) out["total"] = p.total;
  return out;
}

// The filters of a ticket list from its query; false when one is wrong (answered).
bool read_filter(request& rq, ticket_filter& f) {
  f.status = rq.q("status");
  if (!f.status.empty() && f.status != "open" && f.status != "resolved" && f.status != "closed")
    return rq.respond(bad_parameter("status", "open, resolved or closed")), false;
  if (auto b = rq.q("breached"); b == "true")
    f.breached = 1;
  else if (b == "false")
    f.breached = 0;
  else if (!b.empty())
    return rq.respond(bad_parameter("breached", "true or false")), false;
  // "me": the caller; "-": nobody.
  f.assignee = rq.q("assignee") == "me" ? rq.who.name : rq.q("assignee");
  f.customer = rq.q("customer"), f.category = rq.q("category"), f.product = rq.q("product");
  f.channel = rq.q("channel"), f.topic = rq.q("topic"), f.words = rq.q("q");
  f.priority = rq.q("priority");
  if (f.words.size() > 200) return rq.respond(bad_parameter("q", "at most 200 bytes")), false;
  return true;
}

void list_tickets(const api_services& s, request& rq) {
  actors::queue_query query;
  if (!read_filter(rq, query.filter)) return;
  auto dept = rq.q("department");
  auto& sort = rq.q("sort");
  // A department's queue: most urgent first unless asked otherwise; every ticket: by id.
  if (!sort.empty() && sort != "id" && (sort != "urgency" || dept.empty()))
    return rq.respond(bad_parameter(
        "sort", dept.empty() ? "id (urgency needs a department's queue)" : "urgency or id"));
  query.order = sort == "id" || dept.empty() ? queue_order::id : queue_order::urgency;
  query.cursor = rq.q("cursor");
  if (query.order == queue_order::urgency && !query.cursor.empty() && !urgency_cursor(query.cursor))
    return rq.respond(bad_parameter("cursor", "the next_cursor of the page before"));
  auto limit = whole_number(rq.q("limit"), 1, 500, static_cast<int64_t>(query.limit));
  if (!limit) return rq.respond(bad_parameter("limit", "from 1 to 500"));
  query.limit = static_cast<size_t>(*limit);
  if (!dept.empty()) {
    auto d = s.rt.department(dept);
    if (!d)
      return rq.respond(
          json_error(400, "invalid_parameter", fmt::format("no department `{}`", dept)));
    return ask<actors::queue_page>(
        s.rt.system(), d, s.rt.env().cfg.request_timeout,
        [respond = rq.respond](reply<actors::queue_page> r) {
          if (!r.value) return respond(unavailable(r.error));
          json items = json::array();
          for (auto& e : r.value->entries) items.push_back(queue_item_json(e));
          respond(json_response(200, page_json(*r.value, std::move(items))));
        },
        actors::queue_atom::value, query);
  }
  // Every ticket, in id order, from the store.
  auto db = s.rt.env().db;
  auto flows = s.rt.env().flows;
  on_query_pool(s, rq, [db, flows, query, respond = rq.respond] {
    actors::queue_page page;
    json items = json::array();
    ticket_view v;
    auto st = db->for_each_ticket(
        [&](const ticket& t) {
          if (t.id == query.cursor) return true;
          if (!query.filter.status.empty() && to_string(t.status) != query.filter.status)
            return true;
          if (!query.filter.customer.empty() && t.info->customer != query.filter.customer)
            return true;
          project(t, v, flows->find(t.flow, t.version).get());
          if (!query.filter.matches(v)) return true;
          if (items.size() == query.limit) {
            page.next_cursor = items.back()["id"].get<std::string>();
            return false;
          }
          items.push_back(to_json(v));
          return true;
        },
        query.cursor);
    if (!st) return respond(unavailable(st.message()));
    respond(json_response(200, page_json(page, std::move(items))));
  });
}

// An import's records, one JSON object per line (what a mapping made of them): each opened now
// (mode=live) or recorded as it happened (mode=historical) by the source's own identity, and
// counted once by source:external_id. One result per line, in order.
void import_batch(const api_services& s, request& rq) {
  auto mode = rq.q("mode");
  if (!mode.empty() && mode != "live" && mode != "historical")
    return rq.respond(bad_parameter("mode", "live or historical"));
  auto how = mode == "historical" ? import_mode::historical : import_mode::live;
  struct results {
    std::mutex lock;
    std::vector<json> lines;
    size_t left = 0;
    responder respond;
  };
  auto out = std::make_shared<results>();
  out->respond = rq.respond;
  std::vector<actors::submission> subs;
  std::string_view body = rq.http.body();
  size_t line = 0;
  while (!body.empty()) {
    auto end = body.find('\n');
    auto text = body.substr(0, end);
    body.remove_prefix(end == body.npos ? body.size() : end + 1);
    if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ++line;
    auto parsed = parse_mapped(text);
    if (auto* e = std::get_if<body_error>(&parsed)) {
      out->lines.push_back({{"line", line},
                            {"result", "rejected"},
                            {"error", {{"error", e->code}, {"message", e->message}}}});
      continue;
    }
    out->lines.push_back({{"line", line}});
    subs.push_back(intake_command(std::get<mapped_record>(parsed), how));
  }
  if (line == 0)
    return rq.respond(json_error(400, "malformed_body",
                                 "the body is JSON Lines: one record per line, none given"));
  auto finish = [](results& r) {
    std::string text;
    for (auto& l : r.lines) text += json_text(l) + "\n";
    auto res = json_response(200, json::object());
    res.set(http::field::content_type, "application/x-ndjson");
    res.body() = std::move(text);
    res.prepare_payload();
    r.respond(std::move(res));
  };
  out->left = subs.size();
  if (subs.empty()) return finish(*out);
  size_t next = 0;
  for (auto& sub : subs) {
    while (out->lines[next].contains("result")) ++next;
    s.commands.submit(std::move(sub), [out, i = next++, finish](reply<actors::command_result> r) {
      auto x = r.value ? import_result_of(*r.value)
                       : import_result{import_result::kind::failed, "", r.error};
      static constexpr const char* names[] = {"imported", "already", "rejected", "failed"};
      std::lock_guard g{out->lock};
      auto& l = out->lines[i];
      l["result"] = names[static_cast<int>(x.result)];
      if (!x.id.empty()) l["id"] = x.id;
      if (!x.why.empty())
        l["error"] = {
            {"error", x.result == import_result::kind::failed ? "unavailable" : "rejected"},
            {"message", x.why}};
      if (--out->left == 0) finish(*out);
    });
  }
}

}  // namespace

std::vector<route> ticket_routes() {
  return {
      {"POST", "/v1/tickets", actors_roles, {}, open_ticket},
      {"GET",
       "/v1/tickets",
       readers,
       {"department", "status", "breached", "assignee", "customer", "category", "product", "topic",
        "channel", "priority", "q", "sort", "cursor", "limit"},
       list_tickets},
      {"GET", "/v1/tickets/{id}", readers, {}, get_ticket},
      {"POST", "/v1/tickets/{id}/actions", actors_roles, {}, act},
      {"POST", "/v1/tickets:batch", importers, {"mode"}, import_batch},
  };
}

}  // namespace vocflow::connectors

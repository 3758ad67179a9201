#include "connectors/api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <regex>
#include <set>

#include "connectors/bridge.hpp"
#include "connectors/json_io.hpp"
#include "connectors/live_feed.hpp"
#include "workflows/graph.hpp"
#include "workflows/json_codec.hpp"

namespace vocflow::connectors {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::vector<std::string> actors_roles = {"agent", "supervisor", "admin"};
const std::vector<std::string> deployers = {"owner", "admin"};

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string{s.substr(i + 1, 2)}, nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i] == '+' ? ' ' : s[i]);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view q) {
  std::map<std::string, std::string> out;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto part = q.substr(0, amp);
    auto eq = part.find('=');
    out[url_decode(part.substr(0, eq))] =
        eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return out;
}

// Matches "/v1/tickets/{id}" against "/v1/tickets/T-1"; fills the placeholders.
bool match_path(std::string_view pattern, std::string_view path,
                std::map<std::string, std::string>& params) {
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1), path.remove_prefix(1);
    auto p_end = pattern.find('/'), s_end = path.find('/');
    auto p = pattern.substr(0, p_end), s = path.substr(0, s_end);
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (s.empty()) return false;
      params[std::string{p.substr(1, p.size() - 2)}] = url_decode(s);
    } else if (p != s) {
      return false;
    }
    pattern.remove_prefix(p_end == std::string_view::npos ? pattern.size() : p_end);
    path.remove_prefix(s_end == std::string_view::npos ? path.size() : s_end);
  }
  return true;
}

bool valid_id(const std::string& id) {
  static const std::regex re{"[A-Za-z0-9._:-]{1,64}"};
  return std::regex_match(id, re);
}

http_response json_response(unsigned status, const json& body) {
  http_response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, "application/json");
  res.body() = json_text(body);
  res.prepare_payload();
  return res;
}

http_response text_response(unsigned status, std::string body, std::string_view type) {
  http_response res{static_cast<http::status>(status), 11};
  res.set(http::field::content_type, boost::beast::string_view{type.data(), type.size()});
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

// Engine rejections as HTTP: not possible now -> 409 (with what is), not allowed -> 403,
// semantically wrong -> 422, no such ticket -> 404.
http_response rejection_response(const rejection& r) {
  unsigned status = 422;
  switch (r.code) {
    case reject_code::not_found:
      status = 404;
      break;
    case reject_code::already_exists:
    case reject_code::action_not_allowed:
    case reject_code::ticket_closed:
    case reject_code::stale_timer:
      status = 409;
      break;
    case reject_code::forbidden:
    case reject_code::above_limit:
      status = 403;
      break;
    case reject_code::invalid_argument:
      status = 422;
      break;
  }
  json body = {{"error", to_string(r.code)}, {"message", r.message}};
  if (!r.allowed.empty()) body["allowed"] = r.allowed;
  return json_response(status, body);
}

// A 400 for the first query parameter not in `known`.
std::optional<http_response> unknown_parameter(const std::map<std::string, std::string>& q,
                                               std::initializer_list<std::string_view> known) {
  for (auto& [k, _] : q)
    if (std::find(known.begin(), known.end(), k) == known.end())
      return json_error(400, "unknown_parameter", fmt::format("unknown query parameter `{}`", k));
  return std::nullopt;
}

// A whole number in [lo, hi]; `fallback` when the text is empty, nullopt when it is not one.
std::optional<int64_t> whole_number(const std::string& text, int64_t lo, int64_t hi,
                                    int64_t fallback) {
  if (text.empty()) return fallback;
  char* end = nullptr;
  auto n = std::strtoll(text.c_str(), &end, 10);
  if (*end || n < lo || n > hi) return std::nullopt;
  return n;
}

http_response unavailable(std::string_view why) {
  return json_error(503, "unavailable",
                    fmt::format("the store or the runtime cannot answer now: {}", why));
}

}  // namespace

struct api::context {
  http_request req;
  responder respond;
  stream_opener open_stream;
  caller who;
  std::map<std::string, std::string> params, query;
  std::string route;
};

const std::vector<route_info>& api::routes() {
  static const std::vector<route_info> r = {
      {"GET", "/healthz", {}},
      {"GET", "/readyz", {}},
      {"GET", "/v1/openapi.yaml", {}},
      {"GET", "/metrics", {}},
      {"POST", "/v1/tickets", actors_roles},
      {"GET", "/v1/tickets", readers},
      {"GET", "/v1/tickets/{id}", readers},
      {"POST", "/v1/tickets/{id}/actions", actors_roles},
      {"GET", "/v1/breaches", readers},
      {"GET", "/v1/kpis", readers},
      {"GET", "/v1/events/stream", readers},
      {"GET", "/v1/flows", readers},
      {"POST", "/v1/flows", deployers},
      {"GET", "/v1/flows/{id}/graph", readers},
  };
  return r;
}

api::~api() {
  caf::anon_send_exit(feed_, caf::exit_reason::user_shutdown);
}

api::api(actors::runtime& rt, const config& cfg) : rt_(rt), gateway_(rt), cfg_(cfg) {
  auto feed = spawn_feed(rt.system());
  rt.subscribe(feed);
  feed_ = caf::actor_cast<caf::actor>(feed);
  for (auto& t : cfg.auth.tokens)
    tokens_[t.token] = {t.name, t.role, t.acts_as.empty() ? t.role : t.acts_as};
}

void api::handle(http_request&& req, responder respond, stream_opener open_stream) {
  auto started = std::chrono::steady_clock::now();
  auto cx = std::make_shared<context>();
  std::string target{req.target()};
  auto qpos = target.find('?');
  auto path = target.substr(0, qpos);
  if (qpos != std::string::npos) cx->query = parse_query(std::string_view{target}.substr(qpos + 1));
  std::string method{req.method_string()};
  // Log every answer: method, path, status, time, who (never the token).
  cx->respond = [respond = std::move(respond), method, path, started,
                 cx_weak = std::weak_ptr<context>(cx)](http_response res) {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
    std::string who = "-";
    if (auto c = cx_weak.lock()) who = c->who.name.empty() ? "-" : c->who.name;
    auto level = res.result_int() >= 500   ? spdlog::level::warn
                 : res.result_int() >= 400 ? spdlog::level::info
                                           : spdlog::level::debug;
    spdlog::log(level, "{} {} {} {:.1f}ms {}", method, path, res.result_int(), ms, who);
    respond(std::move(res));
  };
  cx->req = std::move(req);
  cx->open_stream = std::move(open_stream);

  // Find the route; a known path with another method is 405.
  const route_info* found = nullptr;
  std::vector<std::string> methods;
  for (auto& r : routes()) {
    std::map<std::string, std::string> params;
    if (!match_path(r.path, path, params)) continue;
    methods.push_back(r.method);
    if (r.method != method || found) continue;
    found = &r;
    cx->params = std::move(params);
  }
  if (!found) {
    if (methods.empty())
      return cx->respond(json_error(404, "not_found", fmt::format("no such path: {}", path)));
    auto res = json_error(
        405, "method_not_allowed",
        fmt::format("{} {} is not served; try {}", method, path, fmt::join(methods, ", ")));
    res.set(http::field::allow, fmt::format("{}", fmt::join(methods, ", ")));
    return cx->respond(std::move(res));
  }
  cx->route = found->path;

  if (!found->roles.empty()) {
    auto auth = cx->req[http::field::authorization];
    if (auth.size() <= 7 || !auth.starts_with("Bearer ")) {
      auto res =
          json_error(401, "unauthorized", "send a bearer token: Authorization: Bearer <token>");
      res.set(http::field::www_authenticate, "Bearer");
      return cx->respond(std::move(res));
    }
    auto it = tokens_.find(std::string{auth.substr(7)});
    if (it == tokens_.end()) {
      auto res = json_error(401, "unauthorized", "the bearer token is not valid");
      res.set(http::field::www_authenticate, "Bearer error=\"invalid_token\"");
      return cx->respond(std::move(res));
    }
    cx->who = it->second;
    if (std::find(found->roles.begin(), found->roles.end(), cx->who.role) == found->roles.end())
      return cx->respond(
          json_error(403, "forbidden",
                     fmt::format("role `{}` may not {} {}; roles that may: {}", cx->who.role,
                                 method, found->path, fmt::join(found->roles, ", "))));
  }
  dispatch(*cx);
}

void api::dispatch(context& cx) {
  auto m = cx.req.method();
  auto& r = cx.route;
  if (r == "/healthz") return cx.respond(json_response(200, {{"status", "ok"}}));
  if (r == "/readyz")
    return cx.respond(ready_ ? json_response(200, {{"status", "ready"}})
                             : json_error(503, "not_ready", "starting or draining"));
  if (r == "/v1/openapi.yaml")
    return cx.respond(text_response(200, openapi_document(), "application/yaml"));
  if (r == "/metrics") return metrics(cx);
  if (r == "/v1/tickets") return m == http::verb::post ? open_ticket(cx) : list_tickets(cx);
  if (r == "/v1/tickets/{id}") return get_ticket(cx);
  if (r == "/v1/tickets/{id}/actions") return act(cx);
  if (r == "/v1/flows") return m == http::verb::post ? deploy(cx) : list_flows(cx);
  if (r == "/v1/breaches") return breaches(cx);
  if (r == "/v1/kpis") return kpis(cx);
  if (r == "/v1/events/stream") return stream(cx);
  if (r == "/v1/flows/{id}/graph") return graph(cx);
  cx.respond(json_error(404, "not_found", "no such path"));
}

void api::open_ticket(context& cx) {
  auto parsed = parse_open(cx.req.body());
  if (auto* e = std::get_if<body_error>(&parsed))
    return cx.respond(
        json_response(400, {{"error", e->code}, {"message", e->message}, {"field", e->field}}));
  auto& o = std::get<open_request>(parsed);
  std::string key{cx.req["Idempotency-Key"]};
  if (key.size() > 200)
    return cx.respond(
        json_error(400, "invalid_header", "Idempotency-Key is longer than 200 characters"));
  actors::submission sub;
  sub.ticket_id = key.empty() ? rt_.new_ticket_id() : actors::runtime::ticket_id_for_key(key);
  sub.cmd.action = "open";
  sub.cmd.by = {cx.who.name, cx.who.acts_as};
  sub.cmd.info = std::move(o.info);
  sub.idempotency_key = key;
  sub.flow_id = o.flow;
  auto flows = rt_.env().flows;
  auto clock = rt_.env().clock;
  gateway_.submit(std::move(sub),
                  [respond = cx.respond, flows, clock](reply<actors::command_result> r) {
                    if (!r.value) return respond(unavailable(r.error));
                    auto& res = *r.value;
                    if (res.result == actors::command_result::kind::rejected)
                      return respond(rejection_response(res.why));
                    if (res.result == actors::command_result::kind::failed)
                      return respond(unavailable(res.failure));
                    auto& t = *res.state;
                    auto f = flows->find(t.flow, t.version);
                    json body = {{"id", t.id},
                                 {"flow", t.flow},
                                 {"version", t.version},
                                 {"created", !res.replayed},
                                 {"deadlines", deadlines_json(t)},
                                 {"ticket", ticket_summary_json(t, f.get(), clock())}};
                    for (auto& e : res.events ? *res.events : std::vector<event>{})
                      if (auto* routed = std::get_if<ev::routed>(&e.body))
                        body["routed"] = routed->reason;
                    auto out = json_response(res.replayed ? 200 : 201, body);
                    out.set(http::field::location, "/v1/tickets/" + t.id);
                    respond(std::move(out));
                  });
}

void api::get_ticket(context& cx) {
  auto id = cx.params["id"];
  if (!valid_id(id))
    return cx.respond(
        json_error(400, "invalid_id", "a ticket id has 1-64 letters, digits, . _ : -"));
  auto flows = rt_.env().flows;
  auto clock = rt_.env().clock;
  ask<actors::ticket_view>(
      rt_.system(), rt_.partition_for(id), rt_.env().cfg.request_timeout,
      [respond = cx.respond, flows, clock, id](reply<actors::ticket_view> r) {
        if (!r.value) return respond(unavailable(r.error));
        auto& v = *r.value;
        if (!v.failure.empty()) return respond(unavailable(v.failure));
        if (!v.found) return respond(json_error(404, "not_found", fmt::format("no ticket {}", id)));
        auto f = flows->find(v.state.flow, v.state.version);
        respond(json_response(200, ticket_json(v.state, f.get(), clock(), &v.history)));
      },
      actors::fetch_atom::value, id);
}

void api::act(context& cx) {
  auto id = cx.params["id"];
  if (!valid_id(id))
    return cx.respond(
        json_error(400, "invalid_id", "a ticket id has 1-64 letters, digits, . _ : -"));
  auto parsed = parse_action(cx.req.body());
  if (auto* e = std::get_if<body_error>(&parsed))
    return cx.respond(
        json_response(400, {{"error", e->code}, {"message", e->message}, {"field", e->field}}));
  auto& a = std::get<action_request>(parsed);
  actors::submission sub;
  sub.ticket_id = id;
  auto& c = sub.cmd;
  c.action = a.action;
  c.by = a.on_behalf_of_customer
             ? actor_ref{"customer (recorded by " + cx.who.name + ")", "customer"}
             : actor_ref{cx.who.name, cx.who.acts_as};
  c.text = a.text, c.to = a.to, c.request = a.request, c.task = a.task;
  c.amount = a.amount, c.csat = a.csat, c.sentiment = a.sentiment;
  auto flows = rt_.env().flows;
  auto clock = rt_.env().clock;
  gateway_.submit(
      std::move(sub), [respond = cx.respond, flows, clock](reply<actors::command_result> r) {
        if (!r.value) return respond(unavailable(r.error));
        auto& res = *r.value;
        if (res.result == actors::command_result::kind::rejected)
          return respond(rejection_response(res.why));
        if (res.result == actors::command_result::kind::failed)
          return respond(unavailable(res.failure));
        auto f = flows->find(res.state->flow, res.state->version);
        json events = json::array();
        if (res.events)
          for (auto& e : *res.events) events.push_back(to_json(e));
        respond(json_response(200, {{"ticket", ticket_summary_json(*res.state, f.get(), clock())},
                                    {"events", events}}));
      });
}

void api::list_tickets(context& cx) {
  auto& q = cx.query;
  if (auto bad = unknown_parameter(q, {"department", "status", "breached", "cursor", "limit"}))
    return cx.respond(std::move(*bad));
  actors::queue_query query;
  query.status = q["status"];
  if (!query.status.empty() && query.status != "open" && query.status != "resolved" &&
      query.status != "closed")
    return cx.respond(
        json_error(400, "invalid_parameter", "status must be open, resolved or closed"));
  auto b = q["breached"];
  if (b == "true")
    query.breached = 1;
  else if (b == "false")
    query.breached = 0;
  else if (!b.empty())
    return cx.respond(json_error(400, "invalid_parameter", "breached must be true or false"));
  query.cursor = q["cursor"];
  if (auto n = whole_number(q["limit"], 1, 500, static_cast<int64_t>(query.limit)))
    query.limit = static_cast<size_t>(*n);
  else
    return cx.respond(json_error(400, "invalid_parameter", "limit must be from 1 to 500"));
  auto page_json = [](const actors::queue_page& p) {
    json items = json::array();
    for (auto& e : p.entries) items.push_back(queue_entry_json(e));
    json out = {{"items", items},
                {"next_cursor", p.next_cursor.empty() ? json() : json(p.next_cursor)}};
    if (p.total) out["total"] = p.total;
    return out;
  };
  if (auto dept = q["department"]; !dept.empty()) {
    auto d = rt_.department(dept);
    if (!d)
      return cx.respond(
          json_error(400, "invalid_parameter", fmt::format("no department `{}`", dept)));
    return ask<actors::queue_page>(
        rt_.system(), d, rt_.env().cfg.request_timeout,
        [respond = cx.respond, page_json](reply<actors::queue_page> r) {
          if (!r.value) return respond(unavailable(r.error));
          respond(json_response(200, page_json(*r.value)));
        },
        actors::queue_atom::value, query);
  }
  // Every ticket, in id order, read from the store by a worker (not an I/O thread).
  auto db = rt_.env().db;
  rt_.system().spawn([db, query, respond = cx.respond, page_json](caf::event_based_actor* self) {
    actors::queue_page page;
    actors::queue_entry e;
    bool more = false;
    auto st = db->for_each_ticket(
        [&](const ticket& t) {
          if (t.id == query.cursor) return true;
          e.ticket = t.id, e.flow = t.flow, e.step = t.step, e.status = t.status,
          e.priority = t.priority;
          e.assignee = t.assignee, e.waiting = t.holds != 0, e.opened = t.opened_at, e.owned = true;
          e.breached =
              std::any_of(t.clocks.begin(), t.clocks.end(), [](auto& c) { return c.breached; });
          e.next_deadline = no_time;
          e.tasks.clear();
          if (!query.status.empty() && to_string(e.status) != query.status) return true;
          if (query.breached >= 0 && e.breached != (query.breached == 1)) return true;
          if (page.entries.size() == query.limit) return more = true, false;
          page.entries.push_back(e);
          return true;
        },
        query.cursor);
    if (!st)
      respond(unavailable(st.message()));
    else {
      if (more) page.next_cursor = page.entries.back().ticket;
      respond(json_response(200, page_json(page)));
    }
    self->quit();
  });
}

void api::metrics(context& cx) {
  if (!cfg_.metrics.scrape_token.empty() &&
      cx.req[http::field::authorization] != "Bearer " + cfg_.metrics.scrape_token) {
    auto res = json_error(401, "unauthorized", "this server needs its scrape token for /metrics");
    res.set(http::field::www_authenticate, "Bearer");
    return cx.respond(std::move(res));
  }
  ask<std::string>(
      rt_.system(), rt_.metrics(), rt_.env().cfg.request_timeout,
      [respond = cx.respond](reply<std::string> r) {
        if (!r.value) return respond(unavailable(r.error));
        respond(
            text_response(200, std::move(*r.value), "text/plain; version=0.0.4; charset=utf-8"));
      },
      actors::metrics_atom::value);
}

void api::breaches(context& cx) {
  auto& q = cx.query;
  if (auto bad = unknown_parameter(q, {"since", "type", "limit"}))
    return cx.respond(std::move(*bad));
  auto since = rt_.env().clock() - std::chrono::hours{24};
  if (auto s = q["since"]; !s.empty()) {
    auto t = parse_utc(s);
    if (!t)
      return cx.respond(
          json_error(400, "invalid_parameter", "since must be a time like 2026-03-09T04:50:00Z"));
    since = *t;
  }
  std::set<std::string> types = {"sla_warned", "sla_breached", "escalated"};
  if (auto t = q["type"]; !t.empty()) {
    types.clear();
    for (size_t at = 0; at <= t.size();) {
      auto comma = std::min(t.find(',', at), t.size());
      auto one = t.substr(at, comma - at);
      if (one != "sla_warned" && one != "sla_breached" && one != "escalated")
        return cx.respond(json_error(400, "invalid_parameter",
                                     "type is a list of sla_warned, sla_breached, escalated"));
      types.insert(one);
      at = comma + 1;
    }
  }
  auto limit = whole_number(q["limit"], 1, 1000, 100);
  if (!limit)
    return cx.respond(json_error(400, "invalid_parameter", "limit must be from 1 to 1000"));
  auto db = rt_.env().db;
  rt_.system().spawn([db, since, types, limit = static_cast<size_t>(*limit),
                      respond = cx.respond](caf::event_based_actor* self) {
    json items = json::array();
    std::string next;
    auto st = db->for_each_alert(since, [&](const storage::alert& a) {
      if (!types.contains(std::string{a.what.type()})) return true;
      if (items.size() == limit) return next = format_utc(a.what.at), false;
      auto j = to_json(a.what);
      j["id"] = fmt::format("{}:{}", a.ticket, a.what.seq);
      j["ticket"] = a.ticket;
      j["flow"] = a.flow;
      j["department"] = a.department;
      items.push_back(std::move(j));
      return true;
    });
    if (!st)
      respond(unavailable(st.message()));
    else
      respond(json_response(
          200, {{"items", items}, {"next_since", next.empty() ? json() : json(next)}}));
    self->quit();
  });
}

void api::kpis(context& cx) {
  auto& q = cx.query;
  if (auto bad = unknown_parameter(q, {"from", "to", "group_by", "fcr_days"}))
    return cx.respond(std::move(*bad));
  kpi_options o;
  o.as_of = rt_.env().clock();
  o.to = o.as_of + millis{1};
  for (auto [name, out] : {std::pair{"from", &o.from}, std::pair{"to", &o.to}}) {
    if (auto s = q[name]; !s.empty()) {
      auto t = parse_utc(s);
      if (!t)
        return cx.respond(
            json_error(400, "invalid_parameter",
                       fmt::format("{} must be a time like 2026-03-01T00:00:00Z", name)));
      *out = *t;
    }
  }
  if (q["from"].empty()) o.from = o.to - std::chrono::days{30};
  if (o.from >= o.to)
    return cx.respond(json_error(400, "invalid_parameter", "from must be before to"));
  if (auto g = q["group_by"]; !g.empty()) {
    auto grouping = parse_kpi_grouping(g);
    if (!grouping)
      return cx.respond(json_error(400, "invalid_parameter",
                                   "group_by must be department, flow, agent or category"));
    o.group_by = *grouping;
  }
  auto days = whole_number(q["fcr_days"], 0, 365, o.fcr_window.count());
  if (!days)
    return cx.respond(json_error(400, "invalid_parameter", "fcr_days must be from 0 to 365"));
  o.fcr_window = std::chrono::days{*days};

  // The cohort opened in [from, to), read from the store by a worker (not an I/O thread).
  auto db = rt_.env().db;
  auto flows = rt_.env().flows;
  rt_.system().spawn([db, flows, o, respond = cx.respond](caf::event_based_actor* self) {
    kpi_builder k{o};
    storage::status failed;
    auto st = db->for_each_opened(o.from, o.to, [&](const std::string& id) {
      ticket t;
      if (auto s = db->load(id, t); !s) return failed = s, false;
      auto f = flows->find(t.flow, t.version);
      k.add(t, f ? std::string_view{f->compensation.currency} : std::string_view{});
      return true;
    });
    if (!st || !failed)
      respond(unavailable(!st ? st.message() : failed.message()));
    else
      respond(json_response(200, kpi_json(std::move(k).finish())));
    self->quit();
  });
}

void api::stream(context& cx) {
  if (auto bad = unknown_parameter(cx.query, {"type"})) return cx.respond(std::move(*bad));
  auto w = std::make_shared<watcher>();
  w->types = {"sla_warned", "sla_breached", "escalated"};
  if (auto t = cx.query["type"]; !t.empty()) {
    w->types.clear();
    for (size_t at = 0; at <= t.size();) {
      auto comma = std::min(t.find(',', at), t.size());
      auto one = t.substr(at, comma - at);
      if (event_index(one) < 0)
        return cx.respond(
            json_error(400, "invalid_parameter", fmt::format("`{}` is not an event type", one)));
      w->types.insert(one);
      at = comma + 1;
    }
  }
  if (!cx.open_stream)
    return cx.respond(json_error(501, "not_supported", "this server cannot stream"));
  http_response headers{http::status::ok, 11};
  headers.set(http::field::content_type, "text/event-stream");
  w->sink = cx.open_stream(std::move(headers));
  if (!w->sink) return;
  spdlog::debug("GET /v1/events/stream 200 streaming {}", cx.who.name);
  caf::anon_send(caf::actor_cast<feed_actor>(feed_), watch_atom::value, std::move(w));
}

void api::list_flows(context& cx) {
  ask<std::vector<actors::flow_info>>(
      rt_.system(), rt_.registry(), rt_.env().cfg.request_timeout,
      [respond = cx.respond](reply<std::vector<actors::flow_info>> r) {
        if (!r.value) return respond(unavailable(r.error));
        json items = json::array();
        for (auto& f : *r.value)
          items.push_back({{"id", f.id},
                           {"version", f.version},
                           {"title", f.title},
                           {"default", f.is_default},
                           {"newest", f.newest}});
        respond(json_response(200, {{"flows", items}}));
      },
      actors::list_atom::value);
}

void api::deploy(context& cx) {
  auto name = cx.query.contains("file") ? cx.query["file"] : std::string{"request"};
  ask<actors::deploy_result>(
      rt_.system(), rt_.registry(), rt_.env().cfg.request_timeout,
      [respond = cx.respond](reply<actors::deploy_result> r) {
        if (!r.value) return respond(unavailable(r.error));
        auto& d = *r.value;
        json diags = json::array();
        for (auto& i : d.diagnostics)
          diags.push_back({{"file", i.file},
                           {"line", i.pos.line},
                           {"column", i.pos.column},
                           {"severity", i.level == severity::error ? "error" : "warning"},
                           {"code", i.code},
                           {"message", i.message},
                           {"text", to_string(i)}});
        if (!d.ok)
          return respond(
              json_response(422, {{"error", "invalid_flow"},
                                  {"message", "the flow has errors; nothing was deployed"},
                                  {"diagnostics", diags}}));
        respond(
            json_response(d.unchanged ? 200 : 201,
                          {{"flow", d.key}, {"deployed", !d.unchanged}, {"diagnostics", diags}}));
      },
      actors::deploy_atom::value, std::string{cx.req.body()}, name);
}

void api::graph(context& cx) {
  auto id = cx.params["id"];
  auto format = cx.query.contains("format") ? cx.query["format"] : std::string{"dot"};
  if (format != "dot" && format != "mermaid")
    return cx.respond(json_error(400, "invalid_parameter", "format must be dot or mermaid"));
  auto& flows = *rt_.env().flows;
  std::shared_ptr<const flow> f;
  if (auto v = cx.query["version"]; !v.empty())
    f = flows.find(id, std::atoi(v.c_str()));
  else
    f = flows.newest(id);
  if (!f) return cx.respond(json_error(404, "not_found", fmt::format("no flow `{}`", id)));
  if (format == "dot") return cx.respond(text_response(200, to_dot(*f), "text/vnd.graphviz"));
  cx.respond(text_response(200, to_mermaid(*f), "text/plain"));
}

}  // namespace vocflow::connectors

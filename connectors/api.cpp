#include "connectors/api.hpp"

#include "actors/scheduler.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/console.hpp"
#include "connectors/live_feed.hpp"
#include "workflows/json_codec.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <regex>

namespace vocflow::connectors {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

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

// A 401 that says how to send a token.
http_response unauthorized(std::string_view message, std::string_view challenge) {
  auto res = json_error(401, "unauthorized", message);
  res.set(http::field::www_authenticate,
          boost::beast::string_view{challenge.data(), challenge.size()});
  return res;
}

}  // namespace

const std::string& request::q(const std::string& name) const {
  static const std::string none;
  auto it = query.find(name);
  return it == query.end() ? none : it->second;
}

const std::vector<route>& api::routes() {
  static const std::vector<route> all = [] {
    std::vector<route> r;
    for (auto part : {ops_routes(), ticket_routes(), flow_routes(), intake_routes(), voice_routes(),
                      console_routes()})
      r.insert(r.end(), part.begin(), part.end());
    return r;
  }();
  return all;
}

api::api(actors::runtime& rt, const config& cfg, inbound_sources sources,
         std::shared_ptr<actors::manual_clock> manual_clock)
    : cfg_(cfg),
      gateway_(rt),
      queries_(cfg.server.query_threads, cfg.server.max_queries,
               actors::scheduler_nice(cfg.runtime)),
      sources_(std::move(sources)),
      services_{rt, gateway_, queries_, cfg_, {}, ready_, sources_, std::move(manual_clock)} {
  auto feed = spawn_feed(rt.system());
  rt.subscribe(feed);
  feed_ = caf::actor_cast<caf::actor>(feed);
  services_.feed = feed_;
  for (auto& t : cfg.auth.tokens)
    tokens_[t.token] = {t.name, t.role, t.acts_as.empty() ? t.role : t.acts_as, t.departments};
}

api::~api() {
  caf::anon_send_exit(feed_, caf::exit_reason::user_shutdown);
}

void api::handle(http_request&& req, responder respond, stream_opener open_stream) {
  auto started = std::chrono::steady_clock::now();
  auto rq = std::make_unique<request>();
  std::string target{req.target()};
  auto qpos = target.find('?');
  auto path = target.substr(0, qpos);
  std::map<std::string, std::string> query;
  if (qpos != std::string::npos) query = parse_query(std::string_view{target}.substr(qpos + 1));
  std::string method{req.method_string()};
  // Log every answer: method, path, status, time, who (never the token).
  auto who = std::make_shared<std::string>("-");
  rq->respond = [respond = std::move(respond), method, path, started, who](http_response res) {
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
                  .count();
    auto level = res.result_int() >= 500   ? spdlog::level::warn
                 : res.result_int() >= 400 ? spdlog::level::info
                                           : spdlog::level::debug;
    spdlog::log(level, "{} {} {} {:.1f}ms {}", method, path, res.result_int(), ms, *who);
    respond(std::move(res));
  };
  rq->http = std::move(req);
  rq->open_stream = std::move(open_stream);

  // The web console's files need no token (the console asks for one).
  if (method == "GET" || method == "HEAD")
    if (auto file = console_file(path)) return rq->respond(std::move(*file));

  // The route; a known path with another method is 405.
  const route* found = nullptr;
  std::vector<std::string> methods;
  for (auto& r : routes()) {
    std::map<std::string, std::string> params;
    if (!match_path(r.path, path, params)) continue;
    methods.push_back(r.method);
    if (r.method != method || found) continue;
    found = &r;
    rq->params = std::move(params);
  }
  if (!found) {
    if (methods.empty())
      return rq->respond(json_error(404, "not_found", fmt::format("no such path: {}", path)));
    auto res = json_error(
        405, "method_not_allowed",
        fmt::format("{} {} is not served; try {}", method, path, fmt::join(methods, ", ")));
    res.set(http::field::allow, fmt::format("{}", fmt::join(methods, ", ")));
    return rq->respond(std::move(res));
  }

  if (!found->roles.empty()) {
    auto auth = rq->http[http::field::authorization];
    if (auth.size() <= 7 || !auth.starts_with("Bearer "))
      return rq->respond(unauthorized(
          "no token: send `Authorization: Bearer <token>` (the CLI reads it from --token or "
          "VOCFLOW_TOKEN)",
          "Bearer"));
    auto it = tokens_.find(std::string{auth.substr(7)});
    if (it == tokens_.end())
      return rq->respond(
          unauthorized("the bearer token is not valid", "Bearer error=\"invalid_token\""));
    rq->who = it->second;
    *who = rq->who.name;
    if (std::find(found->roles.begin(), found->roles.end(), rq->who.role) == found->roles.end())
      return rq->respond(
          json_error(403, "forbidden",
                     fmt::format("role `{}` may not {} {}; roles that may: {}", rq->who.role,
                                 method, found->path, fmt::join(found->roles, ", "))));
  }
  for (auto& [name, _] : query)
    if (std::find(found->query.begin(), found->query.end(), name) == found->query.end())
      return rq->respond(json_error(
          400, "unknown_parameter",
          found->query.empty() ? fmt::format("unknown query parameter `{}`: {} {} takes none", name,
                                             method, found->path)
                               : fmt::format("unknown query parameter `{}`; {} {} takes {}", name,
                                             method, found->path, fmt::join(found->query, ", "))));
  rq->query = std::move(query);
  found->handle(services_, *rq);
}

// ---- answers (api_answers.hpp)

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

http_response bad_body(const body_error& e) {
  json body = {{"error", e.code}, {"message", e.message}};
  if (!e.field.empty()) body["field"] = e.field;
  return json_response(400, body);
}

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
    case reject_code::key_reused:
      status = 422;
      break;
  }
  json body = {{"error", to_string(r.code)}, {"message", r.message}};
  if (!r.allowed.empty()) body["allowed"] = r.allowed;
  return json_response(status, body);
}

http_response unavailable(std::string_view why) {
  return json_error(503, "unavailable",
                    fmt::format("the store or the runtime cannot answer now: {}", why));
}

http_response too_many_queries(const query_pool& pool) {
  auto res = json_error(503, "busy",
                        fmt::format("{} queries are running or waiting already, the most this "
                                    "server takes at once (server.max_queries); try again",
                                    pool.limit()));
  res.set(http::field::retry_after, "1");
  return res;
}

http_response bad_parameter(std::string_view name, std::string_view must_be) {
  return json_error(400, "invalid_parameter", fmt::format("`{}` must be {}", name, must_be));
}

std::optional<std::string> ticket_id_param(request& rq) {
  static const std::regex re{"[A-Za-z0-9._:-]{1,64}"};
  auto& id = rq.params["id"];
  if (std::regex_match(id, re)) return id;
  rq.respond(json_error(400, "invalid_id", "a ticket id has 1-64 letters, digits, . _ : -"));
  return std::nullopt;
}

std::optional<time_point> time_param(request& rq, const std::string& name, time_point fallback) {
  auto& text = rq.q(name);
  if (text.empty()) return fallback;
  if (auto t = parse_utc(text)) return *t;
  rq.respond(bad_parameter(name, "a time like 2026-03-09T04:50:00Z"));
  return std::nullopt;
}

std::optional<period> period_params(request& rq, time_point now) {
  auto to = time_param(rq, "to", now + millis{1});
  if (!to) return std::nullopt;
  auto from = time_param(rq, "from", *to - std::chrono::days{30});
  if (!from) return std::nullopt;
  if (*from >= *to) {
    rq.respond(bad_parameter("from", "before `to`"));
    return std::nullopt;
  }
  return period{*from, *to};
}

std::optional<std::string> report_format(request& rq) {
  auto format = rq.query.contains("format") ? rq.q("format") : std::string{"json"};
  if (format == "json" || format == "markdown" || format == "table") return format;
  rq.respond(bad_parameter("format", "json, markdown or table"));
  return std::nullopt;
}

http_response rendered(const std::string& format, const nlohmann::json& as_json,
                       const std::function<std::string()>& as_text) {
  if (format == "json") return json_response(200, as_json);
  return text_response(
      200, as_text(),
      format == "markdown" ? "text/markdown; charset=utf-8" : "text/plain; charset=utf-8");
}

std::optional<int64_t> whole_number(const std::string& text, int64_t lo, int64_t hi,
                                    int64_t fallback) {
  if (text.empty()) return fallback;
  char* end = nullptr;
  errno = 0;
  auto n = std::strtoll(text.c_str(), &end, 10);
  if (*end || errno || n < lo || n > hi) return std::nullopt;
  return n;
}

std::optional<std::set<std::string>> list_of(const std::string& text,
                                             const std::function<bool(std::string_view)>& allowed,
                                             std::string& bad) {
  std::set<std::string> out;
  for (size_t at = 0; at <= text.size();) {
    auto comma = std::min(text.find(',', at), text.size());
    auto one = text.substr(at, comma - at);
    if (!allowed(one)) return bad = one, std::nullopt;
    out.insert(one);
    at = comma + 1;
  }
  return out;
}

void on_query_pool(const api_services& s, request& rq, std::function<void()> job) {
  if (!s.queries.try_run(std::move(job))) rq.respond(too_many_queries(s.queries));
}

}  // namespace vocflow::connectors

// The API of what the complaints say together: topics and their series (with markers and
// spikes), spikes, problems, markers, and the weekly digest of praise and pain.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/voice_report.hpp"

#include <fmt/format.h>

#include <mutex>

namespace vocflow::connectors {
namespace {

using nlohmann::json;
const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::vector<std::string> markers = {"supervisor", "owner", "ops", "admin"};

json spike_json(const actors::spike_record& x) {
  return {{"topic", x.topic},
          {"bucket", x.hourly ? "hour" : "day"},
          {"bucket_start", format_utc(x.bucket)},
          {"at", format_utc(x.at)},
          {"customers", x.count},
          {"baseline_mean", x.mean},
          {"baseline_deviation", x.deviation},
          {"score", x.score},
          {"why", x.why},
          {"problem", x.problem.empty() ? json(nullptr) : json(x.problem)}};
}

json marker_json(const actors::marker& m) {
  return {{"id", m.id},
          {"at", format_utc(m.at)},
          {"text", m.text},
          {"topic", m.topic.empty() ? json(nullptr) : json(m.topic)}};
}

template <class Result, class... Ts>
void ask_voice(const api_services& s, request& rq, std::function<json(Result&)> shape, Ts... args) {
  ask<Result>(
      s.rt.system(), s.rt.voice(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond, shape](reply<Result> r) {
        if (!r.value) return respond(unavailable(r.error));
        respond(json_response(200, shape(*r.value)));
      },
      args...);
}

void topics(const api_services& s, request& rq) {
  auto deployed = s.rt.env().flows->topics();
  auto version = deployed ? deployed->version : 0;
  ask_voice<std::vector<actors::topic_summary>>(
      s, rq,
      [version](std::vector<actors::topic_summary>& list) {
        json items = json::array();
        for (auto& t : list)
          items.push_back({{"id", t.id},
                           {"title", t.title},
                           {"owner", t.owner.empty() ? json(nullptr) : json(t.owner)},
                           {"customers_last_day", t.customers_day},
                           {"customers_last_week", t.customers_week},
                           {"open_problem", t.problem.empty() ? json(nullptr) : json(t.problem)}});
        return json{{"version", version}, {"items", std::move(items)}};
      },
      actors::topics_atom::value);
}

void series(const api_services& s, request& rq) {
  actors::series_query q;
  q.topic = rq.params["topic"];
  auto deployed = s.rt.env().flows->topics();
  if (q.topic != "*" && (!deployed || !deployed->find(q.topic)))
    return rq.respond(
        json_error(404, "not_found", fmt::format("no topic `{}` is deployed", q.topic)));
  if (q.topic == "*") q.topic.clear();
  auto& bucket = rq.q("bucket");
  if (!bucket.empty() && bucket != "hour" && bucket != "day")
    return rq.respond(bad_parameter("bucket", "hour or day"));
  q.hourly = bucket == "hour";
  auto now = s.rt.env().clock();
  auto to = time_param(rq, "to", now);
  if (!to) return;
  auto from = time_param(rq, "from",
                         *to - (q.hourly ? std::chrono::hours{48} : std::chrono::hours{24 * 30}));
  if (!from) return;
  if (*from >= *to) return rq.respond(bad_parameter("from", "before `to`"));
  auto buckets = (*to - *from) / (q.hourly ? std::chrono::hours{1} : std::chrono::hours{24});
  if (buckets > 5000) return rq.respond(bad_parameter("from", "at most 5000 buckets before `to`"));
  q.from = *from, q.to = *to;
  ask_voice<actors::topic_series>(
      s, rq,
      [](actors::topic_series& x) {
        json points = json::array(), ms = json::array(), spikes = json::array();
        for (auto& p : x.points)
          points.push_back({{"bucket_start", format_utc(p.bucket)},
                            {"customers", p.customers},
                            {"tickets", p.tickets},
                            {"sentiment", p.tickets ? json(p.sentiment) : json(nullptr)}});
        for (auto& m : x.markers) ms.push_back(marker_json(m));
        for (auto& k : x.spikes) spikes.push_back(spike_json(k));
        return json{{"topic", x.topic.empty() ? json(nullptr) : json(x.topic)},
                    {"bucket", x.hourly ? "hour" : "day"},
                    {"points", std::move(points)},
                    {"markers", std::move(ms)},
                    {"spikes", std::move(spikes)}};
      },
      actors::series_atom::value, q);
}

void spikes(const api_services& s, request& rq) {
  auto now = s.rt.env().clock();
  auto to = time_param(rq, "to", now + millis{1});
  if (!to) return;
  auto from = time_param(rq, "from", *to - std::chrono::days{30});
  if (!from) return;
  ask_voice<std::vector<actors::spike_record>>(
      s, rq,
      [](std::vector<actors::spike_record>& list) {
        json items = json::array();
        for (auto& x : list) items.push_back(spike_json(x));
        return json{{"items", std::move(items)}};
      },
      actors::spikes_atom::value, *from, *to);
}

void problems(const api_services& s, request& rq) {
  auto& status = rq.q("status");
  if (!status.empty() && status != "open" && status != "resolved" && status != "closed")
    return rq.respond(bad_parameter("status", "open, resolved or closed"));
  ask_voice<std::vector<actors::problem_info>>(
      s, rq,
      [status](std::vector<actors::problem_info>& list) {
        json items = json::array();
        for (auto& p : list)
          if (status.empty() || p.status == status)
            items.push_back({{"ticket", p.ticket},
                             {"topic", p.topic},
                             {"opened", format_utc(p.opened)},
                             {"status", p.status},
                             {"owner", p.owner},
                             {"linked", p.linked}});
        return json{{"items", std::move(items)}};
      },
      actors::problems_atom::value);
}

void add_marker(const api_services& s, request& rq) {
  auto parsed = parse_marker(rq.http.body());
  if (auto* e = std::get_if<body_error>(&parsed)) return rq.respond(bad_body(*e));
  auto& m = std::get<marker_request>(parsed);
  auto deployed = s.rt.env().flows->topics();
  if (!m.topic.empty() && (!deployed || !deployed->find(m.topic)))
    return rq.respond(
        bad_body({"invalid_field", fmt::format("no topic `{}` is deployed", m.topic), "topic"}));
  actors::marker x{{}, m.at.value_or(s.rt.env().clock()), m.text, m.topic};
  ask<std::string>(
      s.rt.system(), s.rt.voice(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond, x](reply<std::string> r) {
        if (!r.value) return respond(unavailable(r.error));
        if (!r.value->empty()) return respond(unavailable(*r.value));
        respond(json_response(201, {{"stored", true},
                                    {"at", format_utc(x.at)},
                                    {"text", x.text},
                                    {"topic", x.topic.empty() ? json(nullptr) : json(x.topic)}}));
      },
      actors::marker_atom::value, x);
}

void get_digest(const api_services& s, request& rq) {
  auto now = s.rt.env().clock();
  digest_options o;
  o.as_of = now;
  // The week asked for; by default the last whole week.
  o.week = rq.q("week").empty() ? iso_week_of(now - std::chrono::days{7}) : rq.q("week");
  auto from = parse_iso_week(o.week);
  if (!from) return rq.respond(bad_parameter("week", "an ISO week like 2026-W48"));
  o.from = *from;
  o.to = *from + std::chrono::days{7};
  o.department = rq.q("department");
  if (!o.department.empty() && !s.rt.env().flows->org().has_department(o.department))
    return rq.respond(bad_parameter("department", "a department of the organization"));
  auto format = rq.q("format").empty() ? std::string{"json"} : rq.q("format");
  if (format != "json" && format != "markdown" && format != "html")
    return rq.respond(bad_parameter("format", "json, markdown or html"));
  auto db = s.rt.env().db;
  auto topics = s.rt.env().flows->topics();
  on_query_pool(s, rq, [db, topics, o, format, respond = rq.respond] {
    auto d = read_digest(*db, topics, o);
    if (auto* e = std::get_if<std::string>(&d)) return respond(unavailable(*e));
    auto& x = std::get<digest>(d);
    if (format == "json") return respond(json_response(200, to_json(x)));
    respond(text_response(
        200, render_digest(x, format),
        format == "html" ? "text/html; charset=utf-8" : "text/markdown; charset=utf-8"));
  });
}

// Reads every ticket opened in [from, to) again with the topics deployed now: a reclassify
// command each (the old reading stays in its history). Answers when all are decided.
void reclassify(const api_services& s, request& rq) {
  auto to = time_param(rq, "to", s.rt.env().clock() + millis{1});
  if (!to) return;
  auto from = time_param(rq, "from", *to - std::chrono::days{30});
  if (!from) return;
  if (*from >= *to) return rq.respond(bad_parameter("from", "before `to`"));
  auto db = s.rt.env().db;
  auto* commands = &s.commands;
  auto by = rq.who;
  on_query_pool(s, rq, [db, commands, by, from = *from, to = *to, respond = rq.respond] {
    std::vector<std::string> ids;
    if (auto st = db->for_each_opened(from, to,
                                      [&](const std::string& id) {
                                        ids.push_back(id);
                                        return ids.size() < 1'000'000;
                                      });
        !st)
      return respond(unavailable("cannot read the tickets: " + st.message()));
    struct tally {
      std::mutex lock;
      size_t left = 0, done = 0, refused = 0, failed = 0;
    };
    auto t = std::make_shared<tally>();
    t->left = ids.size();
    auto answer = [t, respond] {
      respond(json_response(200, {{"tickets", t->done + t->refused + t->failed},
                                  {"reclassified", t->done},
                                  {"refused", t->refused},
                                  {"failed", t->failed}}));
    };
    if (ids.empty()) return answer();
    for (auto& id : ids) {
      actors::submission sub;
      sub.ticket_id = id;
      sub.cmd.action = "reclassify";
      sub.cmd.by = {by.name, by.acts_as};
      commands->submit(std::move(sub), [t, answer](reply<actors::command_result> r) {
        bool last = false;
        {
          std::lock_guard lock{t->lock};
          if (!r.value || r.value->result == actors::command_result::kind::failed)
            ++t->failed;
          else if (r.value->result == actors::command_result::kind::rejected)
            ++t->refused;
          else
            ++t->done;
          last = --t->left == 0;
        }
        if (last) answer();
      });
    }
  });
}

}  // namespace

std::vector<route> voice_routes() {
  return {
      {"GET", "/v1/topics", readers, {}, topics},
      {"GET", "/v1/topics/{topic}/series", readers, {"from", "to", "bucket"}, series},
      {"GET", "/v1/spikes", readers, {"from", "to"}, spikes},
      {"GET", "/v1/problems", readers, {"status"}, problems},
      {"POST", "/v1/markers", markers, {}, add_marker},
      {"GET", "/v1/digest", readers, {"week", "department", "format"}, get_digest},
      {"POST", "/v1/reclassify", {"owner", "admin"}, {"from", "to"}, reclassify},
  };
}

}  // namespace vocflow::connectors

// The API for ops and monitors: health, readiness, this API's description, Prometheus metrics,
// the alert log, the KPI report and the live feed.
#include "actors/replica.hpp"
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/json_io.hpp"
#include "connectors/live_feed.hpp"
#include "connectors/what_if.hpp"
#include "workflows/json_codec.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace vocflow::connectors {
namespace {

namespace http = boost::beast::http;
using nlohmann::json;

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::set<std::string> alert_types = {"sla_warned", "sla_breached", "escalated"};
// What the live feed sends when no type is asked for: the alerts and the spikes.
const std::set<std::string> feed_types = {"sla_warned", "sla_breached", "escalated",
                                          "spike_flagged"};

void healthz(const api_services&, request& rq) {
  rq.respond(json_response(200, {{"status", "ok"}}));
}

void readyz(const api_services& s, request& rq) {
  rq.respond(s.ready ? json_response(200, {{"status", "ready"}})
                     : json_error(503, "not_ready", "starting or draining"));
}

// Which node writes each partition, and how far this node has read each one's stream.
void cluster(const api_services& s, request& rq) {
  auto& link = s.rt.env().cluster;
  if (!link) {
    rq.respond(json_response(200, {{"mode", "single"}, {"partitions", json::array()}}));
    return;
  }
  auto owners = link->owners();
  json parts = json::array();
  for (uint32_t p = 0; p < s.rt.partitions(); ++p) {
    std::string at;
    auto st = s.rt.env().db->meta(actors::cluster_link::position_key(p), at);
    if (!st && !st.is_not_found())
      return rq.respond(
          json_error(503, "storage", "cannot read a stream position: " + st.message()));
    parts.push_back({{"partition", p},
                     {"writer", link->owns(p) ? link->node() : owners[p]},
                     {"written_here", link->owns(p)},
                     {"read_up_to", at.empty() ? 0 : std::stoull(at)}});
  }
  rq.respond(json_response(200, {{"mode", "cluster"},
                                 {"node", link->node()},
                                 {"leads", link->leads()},
                                 {"partitions", parts}}));
}

void openapi(const api_services&, request& rq) {
  rq.respond(text_response(200, openapi_document(), "application/yaml"));
}

void metrics(const api_services& s, request& rq) {
  auto& token = s.cfg.metrics.scrape_token;
  if (!token.empty() && rq.http[http::field::authorization] != "Bearer " + token) {
    auto res = json_error(401, "unauthorized", "this server needs its scrape token for /metrics");
    res.set(http::field::www_authenticate, "Bearer");
    return rq.respond(std::move(res));
  }
  ask<std::string>(
      s.rt.system(), s.rt.metrics(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond](reply<std::string> r) {
        if (!r.value) return respond(unavailable(r.error));
        respond(
            text_response(200, std::move(*r.value), "text/plain; version=0.0.4; charset=utf-8"));
      },
      actors::metrics_atom::value);
}

void breaches(const api_services& s, request& rq) {
  auto since = time_param(rq, "since", s.rt.env().clock() - std::chrono::hours{24});
  if (!since) return;
  auto types = alert_types;
  if (auto& t = rq.q("type"); !t.empty()) {
    std::string bad;
    auto listed = list_of(
        t, [](std::string_view x) { return alert_types.contains(std::string{x}); }, bad);
    if (!listed)
      return rq.respond(bad_parameter("type", "a list of sla_warned, sla_breached, escalated"));
    types = std::move(*listed);
  }
  auto limit = whole_number(rq.q("limit"), 1, 1000, 100);
  if (!limit) return rq.respond(bad_parameter("limit", "from 1 to 1000"));
  auto db = s.rt.env().db;
  on_query_pool(
      s, rq,
      [db, since = *since, types, limit = static_cast<size_t>(*limit), respond = rq.respond] {
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
          // A ticket-wide target's alert: the step the ticket was in.
          if (j.value("step", "").empty()) j["step"] = a.step;
          j["assignee"] = a.assignee;
          j["category"] = a.category;
          j["product"] = a.product;
          j["topics"] = a.topics;
          items.push_back(std::move(j));
          return true;
        });
        if (!st) return respond(unavailable(st.message()));
        respond(json_response(
            200, {{"items", items}, {"next_since", next.empty() ? json() : json(next)}}));
      });
}

void kpis(const api_services& s, request& rq) {
  kpi_options o;
  o.as_of = s.rt.env().clock();
  auto p = period_params(rq, o.as_of);
  if (!p) return;
  o.from = p->from, o.to = p->to;
  if (auto& g = rq.q("group_by"); !g.empty()) {
    auto grouping = parse_kpi_grouping(g);
    if (!grouping)
      return rq.respond(
          bad_parameter("group_by", "department, flow, agent, category, product, topic or day"));
    o.group_by = *grouping;
  }
  auto days = whole_number(rq.q("fcr_days"), 0, 365, o.fcr_window.count());
  if (!days) return rq.respond(bad_parameter("fcr_days", "from 0 to 365"));
  o.fcr_window = std::chrono::days{*days};

  // The cohort opened in [from, to). The scan holds nothing while each ticket is loaded.
  auto db = s.rt.env().db;
  auto flows = s.rt.env().flows;
  on_query_pool(s, rq, [db, flows, o, respond = rq.respond] {
    kpi_builder k{o};
    storage::status failed;
    auto st = db->for_each_opened(o.from, o.to, [&](const std::string& id) {
      ticket t;
      if (auto got = db->load(id, t); !got) return failed = got, false;
      auto f = flows->find(t.flow, t.version);
      k.add(t, f ? std::string_view{f->compensation.currency} : std::string_view{});
      return true;
    });
    if (!st || !failed) return respond(unavailable(!st ? st.message() : failed.message()));
    // What happened in the period: the alert log from `from` on.
    st = db->for_each_alert(o.from, [&](const storage::alert& a) {
      if (a.what.at >= o.to) return false;
      k.add(kpi_alert{a.what.type(), a.what.at, a.department, a.flow, a.assignee, a.category,
                      a.product, &a.topics});
      return true;
    });
    if (!st) return respond(unavailable(st.message()));
    respond(json_response(200, kpi_json(std::move(k).finish())));
  });
}

// Tickets whose figures deserve a second look, each with the events that show it.
void audit(const api_services& s, request& rq) {
  audit_options o;
  o.as_of = s.rt.env().clock();
  auto p = period_params(rq, o.as_of);
  if (!p) return;
  o.from = p->from, o.to = p->to;
  auto limit = whole_number(rq.q("limit"), 0, 10000, 100);
  if (!limit) return rq.respond(bad_parameter("limit", "from 0 to 10000"));
  o.list_limit = static_cast<size_t>(*limit);
  if (auto& k = rq.q("kind"); !k.empty()) {
    std::string bad;
    auto& all = audit_kinds();
    auto listed = list_of(
        k, [&](std::string_view x) { return std::find(all.begin(), all.end(), x) != all.end(); },
        bad);
    if (!listed)
      return rq.respond(bad_parameter("kind", fmt::format("a list of {}", fmt::join(all, ", "))));
    o.kinds = std::move(*listed);
  }
  auto format = report_format(rq);
  if (!format) return;
  auto library = s.rt.env().flows;
  if (auto topics = library->topics()) o.repeats = topics->repeats;
  auto db = s.rt.env().db;
  on_query_pool(s, rq, [library, db, o, format = *format, respond = rq.respond] {
    auto flows = [&](const std::string& id, int32_t version) { return library->find(id, version); };
    auto out = read_audit(*db, flows, *library->all(), o);
    if (auto* e = std::get_if<std::string>(&out)) return respond(unavailable(*e));
    auto& r = std::get<audit_report>(out);
    respond(rendered(format, audit_json(r), [&] { return render_audit(r, format); }));
  });
}

void stream(const api_services& s, request& rq) {
  auto w = std::make_shared<watcher>();
  w->types = feed_types;
  if (auto& t = rq.q("type"); t == "*") {
    w->types.clear();  // every type
  } else if (!t.empty()) {
    std::string bad;
    auto listed = list_of(
        t, [](std::string_view x) { return event_index(x) >= 0; }, bad);
    if (!listed)
      return rq.respond(
          json_error(400, "invalid_parameter", fmt::format("`{}` is not an event type", bad)));
    w->types = std::move(*listed);
  }
  if (!rq.open_stream)
    return rq.respond(json_error(501, "not_supported", "this server cannot stream"));
  http_response headers{http::status::ok, 11};
  headers.set(http::field::content_type, "text/event-stream");
  w->sink = rq.open_stream(std::move(headers));
  if (!w->sink) return;
  spdlog::debug("GET /v1/events/stream 200 streaming {}", rq.who.name);
  caf::anon_send(caf::actor_cast<feed_actor>(s.feed), watch_atom::value, std::move(w));
}

}  // namespace

std::vector<route> ops_routes() {
  return {
      {"GET", "/healthz", {}, {}, healthz},
      {"GET", "/readyz", {}, {}, readyz},
      {"GET", "/v1/cluster", readers, {}, cluster},
      {"GET", "/v1/openapi.yaml", {}, {}, openapi},
      {"GET", "/metrics", {}, {}, metrics},
      {"GET", "/v1/breaches", readers, {"since", "type", "limit"}, breaches},
      {"GET", "/v1/kpis", readers, {"from", "to", "group_by", "fcr_days"}, kpis},
      {"GET", "/v1/events/stream", readers, {"type"}, stream},
      {"GET",
       "/v1/audit",
       {"supervisor", "owner", "ops", "admin"},
       {"from", "to", "kind", "limit", "format"},
       audit},
  };
}

}  // namespace vocflow::connectors

// The API's flows: list the deployed versions, deploy a new one, draw one.
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "workflows/graph.hpp"

#include <fmt/format.h>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::vector<std::string> deployers = {"owner", "admin"};

void list_flows(const api_services& s, request& rq) {
  ask<std::vector<actors::flow_info>>(
      s.rt.system(), s.rt.registry(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond](reply<std::vector<actors::flow_info>> r) {
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

void deploy(const api_services& s, request& rq) {
  auto name = rq.query.contains("file") ? rq.q("file") : std::string{"request"};
  ask<actors::deploy_result>(
      s.rt.system(), s.rt.registry(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond](reply<actors::deploy_result> r) {
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
      actors::deploy_atom::value, std::string{rq.http.body()}, name);
}

void graph(const api_services& s, request& rq) {
  auto id = rq.params["id"];
  auto format = rq.query.contains("format") ? rq.q("format") : std::string{"dot"};
  if (format != "dot" && format != "mermaid")
    return rq.respond(bad_parameter("format", "dot or mermaid"));
  auto version = whole_number(rq.q("version"), 1, INT32_MAX, 0);
  if (!version) return rq.respond(bad_parameter("version", "a version number"));
  auto f = *version ? s.rt.env().flows->find(id, static_cast<int32_t>(*version))
                    : s.rt.env().flows->newest(id);
  if (!f) return rq.respond(json_error(404, "not_found", fmt::format("no flow `{}`", id)));
  on_query_pool(s, rq, [f, format, respond = rq.respond] {
    if (format == "dot") return respond(text_response(200, to_dot(*f), "text/vnd.graphviz"));
    respond(text_response(200, to_mermaid(*f), "text/plain"));
  });
}

}  // namespace

std::vector<route> flow_routes() {
  return {
      {"GET", "/v1/flows", readers, {}, list_flows},
      {"POST", "/v1/flows", deployers, {"file"}, deploy},
      {"GET", "/v1/flows/{id}/graph", readers, {"format", "version"}, graph},
  };
}

}  // namespace vocflow::connectors

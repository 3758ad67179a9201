// The API's flows: list the deployed versions, deploy a new one, draw one.
#include "actors/metrics.hpp"
#include "connectors/api.hpp"
#include "connectors/api_answers.hpp"
#include "connectors/bridge.hpp"
#include "connectors/what_if.hpp"
#include "workflows/graph.hpp"
#include "workflows/simulator.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace vocflow::connectors {
namespace {

using nlohmann::json;

const std::vector<std::string> readers = {"agent", "supervisor", "owner", "ops", "admin"};
const std::vector<std::string> deployers = {"owner", "admin"};

// Graphviz's drawing of a dot graph, by its `dot` program; nullopt with `error` when it fails.
std::optional<std::string> render_svg(const std::string& dot, std::string& error) {
  // mkstemp's template: it replaces the X's with a unique name.
  auto name = (std::filesystem::temp_directory_path() / "vocflow-graph-XXXXXX").string();
  std::vector<char> path(name.begin(), name.end());
  path.push_back('\0');
  int fd = mkstemp(path.data());
  if (fd < 0) return error = "cannot make a temporary file for the graph", std::nullopt;
  close(fd);
  std::ofstream{path.data()} << dot;
  std::string svg;
  if (auto* p = popen(fmt::format("dot -Tsvg '{}' 2>/dev/null", path.data()).c_str(), "r")) {
    char buf[8192];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) svg.append(buf, n);
    int rc = pclose(p);
    if (rc != 0) svg.clear();
  }
  std::remove(path.data());
  if (svg.empty())
    return error = "Graphviz's `dot` could not draw the flow (is graphviz installed?)",
           std::nullopt;
  return svg;
}

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

json diagnostics_json(const std::vector<diagnostic>& ds) {
  json out = json::array();
  for (auto& i : ds)
    out.push_back({{"file", i.file},
                   {"line", i.pos.line},
                   {"column", i.pos.column},
                   {"severity", i.level == severity::error ? "error" : "warning"},
                   {"code", i.code},
                   {"message", i.message},
                   {"text", to_string(i)}});
  return out;
}

// What deploying the body would say, without deploying it: the editor's diagnostics.
void validate(const api_services& s, request& rq) {
  auto name = rq.query.contains("file") ? rq.q("file") : std::string{"request"};
  ask<actors::deploy_result>(
      s.rt.system(), s.rt.registry(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond](reply<actors::deploy_result> r) {
        if (!r.value) return respond(unavailable(r.error));
        respond(json_response(200, {{"ok", r.value->ok},
                                    {"flow", r.value->key},
                                    {"diagnostics", diagnostics_json(r.value->diagnostics)}}));
      },
      actors::check_atom::value, std::string{rq.http.body()}, name);
}

void deploy(const api_services& s, request& rq) {
  auto name = rq.query.contains("file") ? rq.q("file") : std::string{"request"};
  ask<actors::deploy_result>(
      s.rt.system(), s.rt.registry(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond](reply<actors::deploy_result> r) {
        if (!r.value) return respond(unavailable(r.error));
        auto& d = *r.value;
        auto diags = diagnostics_json(d.diagnostics);
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
  if (format != "dot" && format != "mermaid" && format != "svg")
    return rq.respond(bad_parameter("format", "dot, mermaid or svg"));
  auto version = whole_number(rq.q("version"), 1, INT32_MAX, 0);
  if (!version) return rq.respond(bad_parameter("version", "a version number"));
  auto f = *version ? s.rt.env().flows->find(id, static_cast<int32_t>(*version))
                    : s.rt.env().flows->newest(id);
  if (!f) return rq.respond(json_error(404, "not_found", fmt::format("no flow `{}`", id)));
  on_query_pool(s, rq, [f, format, respond = rq.respond] {
    if (format == "dot") return respond(text_response(200, to_dot(*f), "text/vnd.graphviz"));
    if (format == "svg") {
      std::string error;
      auto svg = render_svg(to_dot(*f), error);
      if (!svg) return respond(json_error(503, "unavailable", error));
      return respond(text_response(200, std::move(*svg), "image/svg+xml"));
    }
    respond(text_response(200, to_mermaid(*f), "text/plain"));
  });
}

// A scenario run through the engine on a virtual clock, under the flow sent with it or the
// newest deployed version of the flow it names: its timeline and the verdict on each
// expectation (what `vocflow simulate` prints). Nothing is stored.
void simulate_scenario(const api_services& s, request& rq) {
  auto body = json::parse(rq.http.body(), nullptr, false);
  if (!body.is_object() || !body.contains("scenario") || !body["scenario"].is_string() ||
      (body.contains("flow") && !body["flow"].is_string()))
    return rq.respond(json_error(
        400, "malformed_body",
        R"(the body is {"scenario": "<scenario YAML>", "flow": "<flow YAML, optional>"})"));
  auto library = s.rt.env().flows;
  on_query_pool(s, rq, [library, body, respond = rq.respond] {
    diagnostics d;
    std::shared_ptr<const flow> f;
    std::string scenario_text = body["scenario"];
    if (body.contains("flow")) {
      f = load_flow({"flow.yaml", body["flow"].get<std::string>()}, library->org(), d);
    } else {
      std::string id;
      try {
        auto doc = YAML::Load(scenario_text);
        if (doc.IsMap() && doc["flow"] && doc["flow"].IsScalar()) id = doc["flow"].Scalar();
      } catch (const YAML::Exception&) {  // the scenario loader reports it below
      }
      f = library->newest(id);
      if (!f)
        return respond(json_error(422, "invalid_scenario",
                                  id.empty() ? "the scenario names no flow (`flow:`)"
                                             : fmt::format("no flow `{}` is deployed", id)));
    }
    std::optional<scenario> sc;
    if (f) sc = load_scenario({"scenario.yaml", scenario_text}, *f, d);
    if (!f || !sc)
      return respond(json_response(422, {{"error", "invalid_scenario"},
                                         {"message", "the flow or the scenario has errors"},
                                         {"diagnostics", diagnostics_json(d.items())}}));
    auto sim = simulate(*f, *sc);
    auto out = render_json(sim, *f, *sc);
    out["flow"] = f->key();
    respond(json_response(200, out));
  });
}

// What if the tickets of a flow had run under a changed flow (or calendar): the body holds the
// changed flow's YAML and, optionally, an organization document with new calendars. Reads only.
void replay(const api_services& s, request& rq) {
  auto body = json::parse(rq.http.body(), nullptr, false);
  if (!body.is_object() || !body.contains("flow") || !body["flow"].is_string() ||
      (body.contains("organization") && !body["organization"].is_string()))
    return rq.respond(json_error(
        400, "malformed_body",
        R"(the body is {"flow": "<flow YAML>", "organization": "<organization YAML, optional>"})"));
  what_if_options o;
  o.as_of = s.rt.env().clock();
  auto p = period_params(rq, o.as_of);
  if (!p) return;
  o.from = p->from, o.to = p->to;
  auto limit = whole_number(rq.q("limit"), 0, 10000, 50);
  if (!limit) return rq.respond(bad_parameter("limit", "from 0 to 10000"));
  o.list_limit = static_cast<size_t>(*limit);
  o.recorded_flow = rq.q("flow_id");
  auto format = report_format(rq);
  if (!format) return;
  auto library = s.rt.env().flows;
  auto db = s.rt.env().db;
  on_query_pool(s, rq, [library, db, body, o, format = *format, respond = rq.respond] {
    diagnostics d;
    source_file flow_file{"flow.yaml", body["flow"].get<std::string>()};
    std::optional<source_file> org_file;
    if (body.contains("organization"))
      org_file = source_file{"organization.yaml", body["organization"].get<std::string>()};
    auto f = load_changed_flow(flow_file, org_file ? &*org_file : nullptr, library->org(), d);
    if (!f)
      return respond(json_response(422, {{"error", "invalid_flow"},
                                         {"message", "the changed flow has errors"},
                                         {"diagnostics", diagnostics_json(d.items())}}));
    auto out = read_what_if(*db, *f, o);
    if (auto* e = std::get_if<std::string>(&out)) return respond(unavailable(*e));
    auto& r = std::get<what_if_report>(out);
    respond(rendered(format, what_if_json(r), [&] { return render_what_if(r, format); }));
  });
}

// The YAML a flow version was deployed from (the editor starts from it).
void source(const api_services& s, request& rq) {
  auto id = rq.params["id"];
  auto version = whole_number(rq.q("version"), 1, INT32_MAX, 0);
  if (!version) return rq.respond(bad_parameter("version", "a version number"));
  auto f = *version ? s.rt.env().flows->find(id, static_cast<int32_t>(*version))
                    : s.rt.env().flows->newest(id);
  if (!f) return rq.respond(json_error(404, "not_found", fmt::format("no flow `{}`", id)));
  rq.respond(text_response(200, f->source, "application/yaml"));
}

// A flow's open tickets by step, with those that missed a target.
void steps(const api_services& s, request& rq) {
  auto id = rq.params["id"];
  if (!s.rt.env().flows->newest(id))
    return rq.respond(json_error(404, "not_found", fmt::format("no flow `{}`", id)));
  ask<std::vector<actors::step_count>>(
      s.rt.system(), s.rt.metrics(), s.rt.env().cfg.request_timeout,
      [respond = rq.respond, id](reply<std::vector<actors::step_count>> r) {
        if (!r.value) return respond(unavailable(r.error));
        json items = json::array();
        for (auto& c : *r.value)
          items.push_back({{"step", c.step}, {"open", c.open}, {"breached", c.breached}});
        respond(json_response(200, {{"flow", id}, {"steps", items}}));
      },
      actors::steps_atom::value, id);
}

}  // namespace

std::vector<route> flow_routes() {
  return {
      {"GET", "/v1/flows", readers, {}, list_flows},
      {"POST", "/v1/flows", deployers, {"file"}, deploy},
      {"POST", "/v1/flows:validate", readers, {"file"}, validate},
      {"POST", "/v1/flows:simulate", readers, {}, simulate_scenario},
      {"POST",
       "/v1/replays",
       {"owner", "ops", "admin"},
       {"from", "to", "flow_id", "limit", "format"},
       replay},
      {"GET", "/v1/flows/{id}/graph", readers, {"format", "version"}, graph},
      {"GET", "/v1/flows/{id}/steps", readers, {}, steps},
      {"GET", "/v1/flows/{id}/source", readers, {"version"}, source},
  };
}

}  // namespace vocflow::connectors

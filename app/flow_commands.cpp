#include "app/flow_commands.hpp"

#include "workflows/catalog.hpp"
#include "workflows/graph.hpp"
#include "workflows/simulator.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace vocflow::app {
namespace {

void print(const diagnostics& d) {
  for (auto& item : d.items()) std::cerr << to_string(item) << "\n";
}

catalog load(std::vector<std::string> paths, const std::string& organization, diagnostics& d) {
  if (organization.empty())
    paths = with_organization(std::move(paths));
  else
    paths.insert(paths.begin(), organization);
  std::vector<source_file> files;
  for (auto& p : paths)
    if (auto f = read_source(p, d)) files.push_back(std::move(*f));
  return load_catalog(files, d);
}

// The flow defined in `path` (its first one when it holds several).
std::shared_ptr<const flow> flow_in(const catalog& c, const std::string& path) {
  for (auto& f : c.flows)
    if (f->file == path) return f;
  return nullptr;
}

std::shared_ptr<const flow> load_one(const std::string& path, const std::string& organization) {
  diagnostics d;
  auto c = load({path}, organization, d);
  print(d);
  if (d.has_errors()) return nullptr;
  auto f = flow_in(c, path);
  if (!f) std::cerr << path << ": no flow in this file\n";
  return f;
}

}  // namespace

int run_validate(const validate_options& o) {
  diagnostics d;
  auto c = load(o.files, o.organization_file, d);
  print(d);
  size_t errors = d.error_count(), warnings = d.items().size() - errors;
  if (!o.quiet)
    std::cout << fmt::format(
        "{} flow(s), {} calendar(s), {} department(s): {} error(s), {} warning(s)\n",
        c.flows.size(), c.org.calendars.size(), c.org.departments.size(), errors, warnings);
  return errors || (o.warnings_are_errors && warnings) ? 1 : 0;
}

int run_simulate(const simulate_options& o) {
  auto f = load_one(o.flow_file, o.organization_file);
  if (!f) return 1;
  diagnostics d;
  auto src = read_source(o.scenario_file, d);
  std::optional<scenario> s;
  if (src) s = load_scenario(*src, *f, d);
  print(d);
  if (!s) return 1;
  auto sim = simulate(*f, *s);
  if (o.json)
    std::cout << render_json(sim, *f, *s).dump(2) << "\n";
  else
    std::cout << render_text(sim, *f, *s);
  return sim.ok() ? 0 : 1;
}

int run_graph(const graph_options& o) {
  auto f = load_one(o.flow_file, o.organization_file);
  if (!f) return 1;
  auto text = o.format == "mermaid" ? to_mermaid(*f) : to_dot(*f);
  if (o.output.empty()) {
    std::cout << text;
    return 0;
  }
  std::ofstream out{o.output};
  out << text;
  if (!out) {
    std::cerr << "cannot write " << o.output << "\n";
    return 1;
  }
  return 0;
}

}  // namespace vocflow::app

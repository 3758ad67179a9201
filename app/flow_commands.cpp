#include "app/flow_commands.hpp"

#include "connectors/importer.hpp"
#include "workflows/catalog.hpp"
#include "workflows/graph.hpp"
#include "workflows/routing.hpp"
#include "workflows/simulator.hpp"
#include "workflows/ticket_view.hpp"
#include "workflows/topics.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

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

// Keeps the complaints an import would open, sending nothing.
class sample_sink final : public connectors::import_sink {
 public:
  std::vector<connectors::import_result> send(const std::vector<connectors::mapped_record>& batch,
                                              connectors::import_mode) override {
    for (auto& r : batch)
      if (r.action == "open") complaints.push_back(r.info);
    return std::vector<connectors::import_result>(batch.size());
  }
  std::vector<ticket_fields> complaints;
};

// The sample's complaints as the mapping reads them; nullopt (said on stderr) when the mapping
// or the files cannot be read.
std::optional<std::vector<ticket_fields>> read_sample(const std::vector<std::string>& samples,
                                                      const std::string& mapping, bool quiet) {
  diagnostics d;
  std::optional<connectors::intake_mapping> m;
  if (auto file = read_source(mapping, d)) m = connectors::load_mapping(*file, d);
  print(d);
  if (!m || d.has_errors()) return std::nullopt;
  sample_sink sink;
  auto s = connectors::run_import(*m, samples, {.rejects_path = ""}, &sink);
  if (!s.error.empty()) {
    std::cerr << "vocflow: " << s.error << "\n";
    return std::nullopt;
  }
  if (s.rejected && !quiet)
    std::cerr << fmt::format(
        "{} of the sample's {} rows do not map (see vocflow import "
        "--dry-run); checked against the other {}\n",
        s.rejected, s.rows, s.rows - s.rejected);
  return std::move(sink.complaints);
}

}  // namespace

int run_validate(const validate_options& o) {
  diagnostics d;
  auto c = load(o.files, o.organization_file, d);
  std::map<std::string, size_t> routed;
  if (!o.samples.empty() && !d.has_errors()) {
    auto sample = read_sample(o.samples, o.mapping, o.quiet);
    if (!sample) return 1;
    std::string name = std::filesystem::path{o.samples.front()}.filename().string();
    if (o.samples.size() > 1) name += fmt::format(" and {} more", o.samples.size() - 1);
    routed = check_sample(c.flows, *sample, name, d);
  }
  print(d);
  size_t errors = d.error_count(), warnings = d.items().size() - errors;
  if (!o.quiet) {
    std::cout << fmt::format(
        "{} flow(s), {} calendar(s), {} department(s){}: {} error(s), {} warning(s)\n",
        c.flows.size(), c.org.calendars.size(), c.org.departments.size(),
        c.topics ? fmt::format(", {} topic(s)", c.topics->topics.size()) : "", errors, warnings);
    for (auto& [id, n] : routed) std::cout << fmt::format("  {:>8}  routed to {}\n", n, id);
  }
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

int run_topics_report(const topics_report_options& o) {
  diagnostics d;
  auto c = load({o.topics_file}, o.organization_file, d);
  print(d);
  if (d.has_errors()) return 1;
  if (!c.topics) {
    std::cerr << o.topics_file << ": no topics document (kind: topics) in this file\n";
    return 1;
  }
  auto sample = read_sample(o.samples, o.mapping, false);
  if (!sample) return 1;
  auto& topics = *c.topics;
  std::map<std::string, size_t> caught;
  std::map<std::string, std::string> example;
  std::vector<const ticket_fields*> none;
  for (auto& t : *sample) {
    auto hits = classify(topics, t);
    if (hits.empty()) none.push_back(&t);
    std::set<std::string> groups;  // each ancestor counts a complaint once
    for (auto& h : hits) {
      if (caught[h.topic]++ == 0) example[h.topic] = h.why;
      for (auto p = h.topic.rfind('/'); p != std::string::npos; p = h.topic.rfind('/', p - 1)) {
        groups.insert(h.topic.substr(0, p));
        if (p == 0) break;
      }
    }
    for (auto& h : hits) groups.erase(h.topic);  // a parent hit by its own rules counts once
    for (auto& g : groups)
      if (caught[g]++ == 0 && !example.contains(g)) example[g] = "(its topics together)";
  }
  auto n = sample->size();
  auto share = [&](size_t k) {
    return n ? 100.0 * static_cast<double>(k) / static_cast<double>(n) : 0;
  };
  std::cout << fmt::format("{} complaints: {} ({:.1f}%) with a topic, {} ({:.1f}%) with none\n\n",
                           n, n - none.size(), share(n - none.size()), none.size(),
                           share(none.size()));
  std::cout << fmt::format("{:<28} {:<18} {:>10} {:>7}  first caught by\n", "topic", "owner",
                           "complaints", "share");
  for (auto& t : topics.topics)
    std::cout << fmt::format("{:<28} {:<18} {:>10} {:>6.1f}%  {}\n", t.id,
                             t.owner.name.empty() ? "-" : t.owner.name, caught[t.id],
                             share(caught[t.id]), example[t.id]);
  if (!none.empty() && o.unmatched > 0) {
    std::cout << fmt::format("\nwhat no topic catches ({} of {}, spread over the file):\n",
                             std::min(o.unmatched, none.size()), none.size());
    auto step = std::max<size_t>(1, none.size() / o.unmatched);
    for (size_t i = 0, shown = 0; i < none.size() && shown < o.unmatched; i += step, ++shown)
      std::cout << fmt::format("  [{}] {}\n", none[i]->category, subject_of(none[i]->text, 100));
  }
  return 0;
}

}  // namespace vocflow::app

#include "app/what_if_commands.hpp"

#include "connectors/voice_report.hpp"
#include "connectors/what_if.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <sstream>

namespace vocflow::app {
namespace {

// Date-only bounds mean midnight UTC; nullopt (said on stderr) for text that is no time.
std::optional<time_point> time_arg(const std::string& name, const std::string& text,
                                   time_point fallback) {
  if (text.empty()) return fallback;
  auto t = parse_utc(text.size() == 10 ? text + "T00:00:00Z" : text);
  if (!t) std::cerr << fmt::format("--{}: `{}` is not a date or a time\n", name, text);
  return t;
}

struct period {
  time_point from, to, as_of;
};

std::optional<period> period_of(const std::string& from, const std::string& to,
                                const std::string& as_of) {
  period p;
  auto now = std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
  auto a = time_arg("as-of", as_of, now);
  if (!a) return std::nullopt;
  p.as_of = *a;
  auto t = time_arg("to", to, p.as_of + millis{1});
  if (!t) return std::nullopt;
  p.to = *t;
  auto f = time_arg("from", from, p.to - std::chrono::days{30});
  if (!f) return std::nullopt;
  p.from = *f;
  if (p.from >= p.to) {
    std::cerr << "--from must be before --to\n";
    return std::nullopt;
  }
  return p;
}

std::shared_ptr<storage::store> open_store(const std::string& dir, const char* command) {
  storage::status st;
  auto db =
      storage::store::open({.path = dir, .sync = false, .cache_mb = 64, .read_only = true}, st);
  if (!db) std::cerr << fmt::format("vocflow {}: cannot open {}: {}\n", command, dir, st.message());
  return db;
}

void print(const diagnostics& d) {
  for (auto& item : d.items()) std::cerr << to_string(item) << "\n";
}

}  // namespace

int run_replay_local(const replay_options& o) {
  auto p = period_of(o.from, o.to, o.as_of);
  if (!p) return 2;
  diagnostics d;
  auto paths = o.organization_file.empty()
                   ? with_organization({o.flow_file})
                   : std::vector<std::string>{o.organization_file, o.flow_file};
  std::vector<source_file> files;
  for (auto& path : paths)
    if (auto f = read_source(path, d)) files.push_back(std::move(*f));
  auto c = load_catalog(files, d);
  print(d);
  if (d.has_errors()) return 1;
  std::shared_ptr<const flow> changed;
  for (auto& f : c.flows)
    if (f->file == o.flow_file && !changed) changed = f;
  if (!changed) {
    std::cerr << o.flow_file << ": no flow in this file\n";
    return 1;
  }
  auto db = open_store(o.data_dir, "replay");
  if (!db) return 1;
  what_if_options w{.from = p->from, .to = p->to, .as_of = p->as_of};
  w.list_limit = static_cast<size_t>(o.limit);
  w.recorded_flow = o.flow_id;
  auto out = connectors::read_what_if(*db, *changed, w);
  if (auto* e = std::get_if<std::string>(&out)) {
    std::cerr << "vocflow replay: " << *e << "\n";
    return 1;
  }
  std::cout << connectors::render_what_if(std::get<what_if_report>(out), o.format);
  return 0;
}

int run_audit_local(const audit_command_options& o) {
  auto p = period_of(o.from, o.to, o.as_of);
  if (!p) return 2;
  diagnostics d;
  std::vector<source_file> files;
  if (auto f = read_source(o.organization_file, d)) files.push_back(std::move(*f));
  auto c = load_catalog(files, d);
  print(d);
  if (d.has_errors()) return 1;
  auto db = open_store(o.data_dir, "audit");
  if (!db) return 1;
  diagnostics stored;
  auto flows = connectors::stored_flows(*db, c.org, stored);
  if (auto* e = std::get_if<std::string>(&flows)) {
    std::cerr << "vocflow audit: " << *e << "\n";
    return 1;
  }
  auto& all = std::get<std::vector<std::shared_ptr<const flow>>>(flows);
  if (stored.has_errors())
    std::cerr << "vocflow audit: some stored flow versions do not load against "
              << o.organization_file << "; their tickets are audited without their flow\n";
  auto topics = connectors::stored_topics(*db);
  if (auto* e = std::get_if<std::string>(&topics)) {
    std::cerr << "vocflow audit: " << *e << "\n";
    return 1;
  }
  audit_options a{.from = p->from, .to = p->to, .as_of = p->as_of};
  if (auto& t = std::get<std::shared_ptr<const topic_set>>(topics)) a.repeats = t->repeats;
  a.list_limit = static_cast<size_t>(o.limit);
  std::stringstream kinds{o.kind};
  auto& known = audit_kinds();
  for (std::string k; std::getline(kinds, k, ',');) {
    if (k.empty()) continue;
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      std::cerr << fmt::format("--kind: `{}` is none of {}\n", k, fmt::join(known, ", "));
      return 2;
    }
    a.kinds.insert(k);
  }
  auto lookup = [&](const std::string& id, int32_t version) -> std::shared_ptr<const flow> {
    for (auto& f : all)
      if (f->id == id && f->version == version) return f;
    return nullptr;
  };
  auto out = connectors::read_audit(*db, lookup, all, a);
  if (auto* e = std::get_if<std::string>(&out)) {
    std::cerr << "vocflow audit: " << *e << "\n";
    return 1;
  }
  std::cout << connectors::render_audit(std::get<audit_report>(out), o.format);
  return 0;
}

}  // namespace vocflow::app

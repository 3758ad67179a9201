#include "actors/flow_library.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace vocflow::actors {

flow_library::flow_library(organization org)
    : org_(std::move(org)), flows_(std::make_shared<const flow_list>()) {}

namespace {

// The position of the flow in `flows`, or flows.end().
auto position(const flow_library::flow_list& flows, std::string_view id, int32_t version) {
  return std::find_if(flows.begin(), flows.end(),
                      [&](auto& f) { return f->id == id && f->version == version; });
}

auto newest_position(const flow_library::flow_list& flows, std::string_view id) {
  auto best = flows.end();
  for (auto it = flows.begin(); it != flows.end(); ++it)
    if ((*it)->id == id && (best == flows.end() || (*it)->version > (*best)->version)) best = it;
  return best;
}

}  // namespace

std::shared_ptr<const flow> flow_library::find(std::string_view id, int32_t version) const {
  auto flows = flows_.load();
  auto it = position(*flows, id, version);
  return it == flows->end() ? nullptr : *it;
}

std::shared_ptr<const flow> flow_library::newest(std::string_view id) const {
  auto flows = flows_.load();
  auto it = newest_position(*flows, id);
  return it == flows->end() ? nullptr : *it;
}

const flow* flow_library::find_in(const flow_list& flows, std::string_view id, int32_t version) {
  auto it = position(flows, id, version);
  return it == flows.end() ? nullptr : it->get();
}

const flow* flow_library::newest_in(const flow_list& flows, std::string_view id) {
  auto it = newest_position(flows, id);
  return it == flows.end() ? nullptr : it->get();
}

std::optional<route_result> flow_library::route(const ticket_fields& t) const {
  return vocflow::route(*flows_.load(), t);
}

void flow_library::add(std::shared_ptr<const flow> f) {
  auto next = std::make_shared<flow_list>(*flows_.load());
  next->push_back(std::move(f));
  flows_.store(std::move(next));
  generation_.fetch_add(1, std::memory_order_release);
}

std::vector<std::string> flow_library::flow_ids() const {
  std::vector<std::string> out;
  for (auto& f : *flows_.load())
    if (std::find(out.begin(), out.end(), f->id) == out.end()) out.push_back(f->id);
  return out;
}

library_load load_library(const std::string& dir, storage::store& db,
                          const std::string& topics_file, const std::string& model_file) {
  namespace fs = std::filesystem;
  library_load out;
  std::vector<source_file> files;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".yaml" || e.path().extension() == ".yml")
      if (auto f = read_source(e.path().string(), out.diags)) files.push_back(std::move(*f));
  if (ec)
    out.diags.error(dir, {}, "io-error",
                    fmt::format("cannot read the flows folder {}: {}", dir, ec.message()));
  std::sort(files.begin(), files.end(), [](auto& a, auto& b) { return a.path < b.path; });
  if (!topics_file.empty())
    if (auto f = read_source(topics_file, out.diags)) files.push_back(std::move(*f));
  auto cat = load_catalog(files, out.diags);
  if (out.diags.has_errors()) return out;

  auto library = std::make_shared<flow_library>(cat.org);
  // Stored versions first: they are what running tickets were started on.
  std::map<std::string, std::string> stored;  // id@version -> source
  std::vector<std::pair<int32_t, std::string>> stored_topics;
  auto st =
      db.for_each_flow([&](const std::string& id, int32_t version, const std::string& source) {
        if (id == topics_id) return stored_topics.emplace_back(version, source), void();
        auto f = load_flow({fmt::format("stored:{}@{}", id, version), source}, cat.org, out.diags);
        if (!f) return;
        stored[f->key()] = source;
        library->add(f);
      });
  if (!st) out.diags.error(dir, {}, "io-error", "cannot read stored flows: " + st.message());
  if (out.diags.has_errors()) return out;

  auto batch = db.batch();
  for (auto& f : cat.flows) {
    auto it = stored.find(f->key());
    if (it == stored.end()) {
      batch.flow(f->id, f->version, f->source);
      library->add(f);
      out.deployed.push_back(f->key());
    } else if (it->second != f->source) {
      out.notes.push_back(
          fmt::format("{}: {} differs from the deployed version; keeping the deployed "
                      "one (deploy version {} to change it)",
                      f->file, f->key(), library->newest(f->id)->version + 1));
    }
  }
  // Topics: the stored versions, and the file's when it is new; the newest serves.
  std::shared_ptr<const topic_set> topics;
  for (auto& [version, source] : stored_topics) {
    auto t = load_topics({fmt::format("stored:topics@{}", version), source}, library->org(),
                         library->flow_ids(), out.diags);
    if (t && (!topics || t->version > topics->version)) topics = t;
  }
  if (auto& t = cat.topics) {
    auto same = std::find_if(stored_topics.begin(), stored_topics.end(),
                             [&](auto& x) { return x.first == t->version; });
    if (same == stored_topics.end()) {
      batch.flow(std::string{topics_id}, t->version, t->source);
      out.deployed.push_back(fmt::format("topics@{}", t->version));
      if (!topics || t->version > topics->version) topics = t;
    } else if (same->second != t->source) {
      out.notes.push_back(fmt::format(
          "{}: topics version {} differs from the deployed one; keeping the deployed one "
          "(deploy version {} to change them)",
          t->file, t->version, (topics ? topics->version : t->version) + 1));
    }
  }
  library->set_topics(std::move(topics));
  if (!model_file.empty()) {
    if (auto src = read_source(model_file, out.diags)) {
      if (auto m = sentiment_model::parse(src->text, model_file, out.diags))
        library->set_sentiment(std::make_shared<const sentiment_model>(std::move(*m)));
    }
  }
  if (auto w = db.write(batch); !w)
    out.diags.error(dir, {}, "io-error", "cannot store flows: " + w.message());
  if (!out.diags.has_errors()) out.library = std::move(library);
  return out;
}

}  // namespace vocflow::actors

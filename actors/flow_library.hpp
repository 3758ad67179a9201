// The deployed flows of a node: every version ever deployed (tickets keep the version they
// started on), the organization they were checked against, and routing over the newest
// versions. Readers (partitions, on every command) never lock: a deploy publishes a new
// immutable set with one atomic swap.
#pragma once

#include "storage/store.hpp"
#include "workflows/catalog.hpp"
#include "workflows/routing.hpp"
#include "workflows/sentiment.hpp"
#include "workflows/topics.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <vector>

namespace vocflow::actors {

class flow_library {
 public:
  using flow_list = std::vector<std::shared_ptr<const flow>>;

  explicit flow_library(organization org);

  const organization& org() const { return org_; }
  std::shared_ptr<const flow> find(std::string_view id, int32_t version) const;
  std::shared_ptr<const flow> newest(std::string_view id) const;
  std::optional<route_result> route(const ticket_fields& t) const;
  std::shared_ptr<const flow_list> all() const { return flows_.load(); }
  // Changes with every deploy. A reader on a hot path keeps the set all() gave it and fetches
  // it again only when this changed: no lock and no shared reference count per read.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Lookups in a set of flows (as all() gives it); nullptr when there is no such flow.
  static const flow* find_in(const flow_list& flows, std::string_view id, int32_t version);
  static const flow* newest_in(const flow_list& flows, std::string_view id);

  // Adds a checked flow; its id@version must be new. Only the registry calls this (one writer).
  void add(std::shared_ptr<const flow> f);

  // What complaints are about: the newest topics version deployed (null when none), and how
  // customers sound (the sentiment model, replaced only at start).
  std::shared_ptr<const topic_set> topics() const { return topics_.load(); }
  void set_topics(std::shared_ptr<const topic_set> t) { topics_.store(std::move(t)); }
  const sentiment_model& sentiment() const { return *sentiment_; }
  void set_sentiment(std::shared_ptr<const sentiment_model> m) { sentiment_ = std::move(m); }
  // The ids of the flows deployed (a topics version's problem flow must be one).
  std::vector<std::string> flow_ids() const;

 private:
  organization org_;
  std::atomic<std::shared_ptr<const flow_list>> flows_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<std::shared_ptr<const topic_set>> topics_;
  std::shared_ptr<const sentiment_model> sentiment_ = std::make_shared<const sentiment_model>();
};

// Topics versions are stored among the flows under this id.
inline constexpr std::string_view topics_id = ":topics";

struct library_load {
  std::shared_ptr<flow_library> library;
  diagnostics diags;                  // problems in files or stored flows; errors mean no library
  std::vector<std::string> deployed;  // id@version newly stored from the files
  std::vector<std::string> notes;     // e.g. a file whose version differs from the stored one
};

// At start: the organization and flows of `dir`, plus every version stored earlier. Flows of
// the files that are not stored yet are stored (deployed). A file whose id@version is stored
// with another text keeps the stored one (deploy a new version to change a flow). The same for
// the topics of `topics_file` (or of `dir`), and the sentiment model of `model_file` ("": the
// built-in lexicon).
library_load load_library(const std::string& dir, storage::store& db,
                          const std::string& topics_file = {}, const std::string& model_file = {});

}  // namespace vocflow::actors

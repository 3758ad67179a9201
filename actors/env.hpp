// What the runtime's actors share: the store, the deployed flows, the wall clock, the config.
#pragma once

#include "actors/flow_library.hpp"
#include "actors/pending_grants.hpp"
#include "actors/stats.hpp"
#include "config/config.hpp"
#include "storage/store.hpp"

#include <atomic>
#include <functional>
#include <memory>

namespace vocflow::actors {

// The only source of "now" for the engine: the system clock in production, the test
// coordinator's virtual clock in tests (so that tests never sleep).
using wall_clock = std::function<time_point()>;

// A clock that moves only when told to (`vocflow serve --clock`: demonstrations and browser
// tests advance it through the API, as the unit tests advance their virtual one).
class manual_clock {
 public:
  explicit manual_clock(time_point start) : ms_(to_ms(start)) {}
  time_point now() const { return from_ms(ms_.load()); }
  // False when `to` is before now: this clock never goes back.
  bool set(time_point to) {
    auto was = ms_.load();
    return to_ms(to) >= was && ms_.compare_exchange_strong(was, to_ms(to));
  }

 private:
  std::atomic<int64_t> ms_;
};

class cluster_link;

struct runtime_env {
  std::shared_ptr<storage::store> db;
  std::shared_ptr<flow_library> flows;
  wall_clock clock;
  double clock_rate = 1.0;  // wall milliseconds per real millisecond (a sped-up test clock)
  runtime_config cfg;
  uint32_t partitions = 1;
  std::shared_ptr<runtime_stats> stats;
  // Compensation granted and not durable yet, on any partition (customer caps count it).
  std::shared_ptr<pending_grants> grants;
  // Partitions put the notifications these outbound channels want into their outboxes, with
  // the events.
  std::vector<channel_subscription> channels;
  // A replicated cluster's link (replica.hpp); null for a node on its own.
  std::shared_ptr<cluster_link> cluster;
};

// Which partition owns a ticket: FNV-1a of its id, stable across runs and machines.
uint32_t partition_of(std::string_view ticket_id, uint32_t partitions);

}  // namespace vocflow::actors

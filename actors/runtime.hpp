// The running orchestrator of one node: partitions (each with its timer service), department
// queues, the flow registry and a supervisor that restarts a failed partition. The API and
// connectors reach tickets through it; it never blocks them except in stop().
#pragma once

#include "actors/env.hpp"
#include "actors/interfaces.hpp"
#include "actors/metrics.hpp"
#include "actors/scheduler.hpp"
#include "actors/voice.hpp"

#include <atomic>
#include <map>
#include <memory>
#include <shared_mutex>

namespace vocflow::actors {

struct runtime_options {
  runtime_config cfg;
  wall_clock clock;                            // default: the system clock
  double clock_rate = 1.0;                     // how much faster than real time `clock` runs
  std::vector<channel_subscription> channels;  // outbound channels: their notifications
  // A replicated cluster's link, connected (replica.hpp); null for a node on its own.
  std::shared_ptr<cluster_link> cluster;
};

class runtime {
 public:
  static std::unique_ptr<runtime> start(caf::actor_system& sys, std::shared_ptr<storage::store> db,
                                        std::shared_ptr<flow_library> flows,
                                        runtime_options options);
  ~runtime();

  uint32_t partitions() const { return env_.partitions; }
  partition_actor partition_for(const std::string& ticket_id) const;
  std::vector<partition_actor> all_partitions() const;
  registry_actor registry() const { return registry_; }
  department_actor department(const std::string& name) const;
  metrics_actor metrics() const { return metrics_; }
  voice_actor voice() const { return voice_; }
  const runtime_env& env() const { return env_; }
  caf::actor_system& system() const { return sys_; }

  // Adds a subscriber of every partition's commits (kept across partition restarts). It sees
  // every commit of a command sent after this call.
  void subscribe(subscriber_actor subscriber);

  // Tells every timer service to look at the due index now (after the wall clock jumped).
  void poke_timers();

  // A new ticket id, ordered by time: "T-" and 13 base32 characters. In a cluster, one of a
  // partition this node writes when it writes any (an open then needs no forwarding).
  std::string new_ticket_id();
  // The id an open with this idempotency key gets, so that a retry reaches the same ticket.
  static std::string ticket_id_for_key(const std::string& key);

  // Lets every partition finish and write what is queued, then stops all actors. Blocks (up to
  // the request timeout per partition); not for use under the test coordinator.
  void stop();

 private:
  runtime(caf::actor_system& sys, runtime_env env) : sys_(sys), env_(std::move(env)) {}

  struct routing {
    mutable std::shared_mutex lock;
    std::vector<partition_actor> partitions;
  };

  caf::actor_system& sys_;
  runtime_env env_;
  std::shared_ptr<routing> routing_ = std::make_shared<routing>();
  std::map<std::string, department_actor> departments_;
  registry_actor registry_;
  metrics_actor metrics_;
  voice_actor voice_;
  caf::actor supervisor_;
  std::atomic<uint64_t> id_counter_{0};
  bool stopped_ = false;
};

}  // namespace vocflow::actors

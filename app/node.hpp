// One vocflow node: the store, the deployed flows, the actor system, the runtime, the
// notifiers of the outbound channels, the API and its HTTP server, started in one order and
// stopped in the reverse one, draining first. `vocflow serve`, the test fixtures, the fuzz
// targets and the benchmarks all run vocflow through it.
//
// Nothing is global: every folder, port and clock comes from the options, so that several
// nodes can run in one process (the replicated cluster's tests).
#pragma once

#include "actors/flow_library.hpp"
#include "actors/runtime.hpp"
#include "config/config.hpp"
#include "connectors/api.hpp"
#include "connectors/http_server.hpp"
#include "connectors/notifier.hpp"

#include <caf/actor_system.hpp>

#include <memory>
#include <optional>
#include <string>

namespace rocksdb {
class FileSystem;
}

namespace vocflow {

struct node_options {
  config cfg;  // data folder, flows folder, runtime, notify, auth, server
  // Serve the API over HTTP on cfg.server (false: the API is called in process, or not at all).
  bool http = true;
  bool api = true;        // an API (in process: node::api().handle)
  bool notifiers = true;  // deliver the outbound channels of cfg.notify
  // The wall clock the engine reads. Default: the system clock, or `manual_clock` when set
  // (which the API's POST /v1/clock then moves).
  actors::wall_clock clock;
  std::shared_ptr<actors::manual_clock> manual_clock;
  double clock_rate = 1.0;  // how much faster than real time `clock` runs
  // Run on this actor system instead of one of the node's own (tests under CAF's test
  // coordinator: then stop with halt(), which does not wait for the actors).
  caf::actor_system* system = nullptr;
  // The file system RocksDB goes through. Default: the operating system's (tests inject faults).
  std::shared_ptr<rocksdb::FileSystem> file_system;
  bool rocksdb_memtable = false;  // benchmarks: RocksDB's memtable instead of vocflow's
};

class node {
 public:
  // Starts, in this order: the listening socket (a taken port is an error before anything is
  // written), the store, the flows of cfg.flows.dir (new versions deployed), the actor system,
  // the runtime, the notifiers, the API, then serving. nullptr with `error` set when a step
  // fails; what had started is stopped again.
  [[nodiscard]] static std::unique_ptr<node> start(node_options options, std::string& error);
  // stop(), unless halt() was called.
  ~node();
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  // Drains and stops: no new connections, requests in flight answered (for up to the
  // runtime's request timeout), the notifiers stopped, every partition writes what is queued;
  // then the API, the runtime, the actor system, the server and the store go, in that order.
  // Blocks. Not under CAF's test coordinator (it waits for the actors).
  void stop();
  // Stops without waiting for any actor: each is told to exit (tests under the test
  // coordinator, which then run the exits themselves).
  void halt();

  actors::runtime& runtime() { return *runtime_; }
  storage::store& store() { return *store_; }
  const std::shared_ptr<storage::store>& store_handle() const { return store_; }
  caf::actor_system& system() { return *system_; }
  connectors::api& api() { return *api_; }
  connectors::http_server& server() { return *server_; }
  const std::vector<connectors::notifier_actor>& notifiers() const { return notifiers_; }
  // What loading the flows said: problems, versions deployed now, notes.
  const actors::library_load& flows() const { return flows_; }
  const config& cfg() const { return cfg_; }
  uint16_t port() const { return port_; }  // 0 without HTTP
  std::string url() const;                 // http://host:port

 private:
  node() = default;

  config cfg_;
  std::unique_ptr<connectors::http_server> server_;  // outlives the actor system (responders)
  std::shared_ptr<storage::store> store_;
  actors::library_load flows_;
  std::unique_ptr<caf::actor_system_config> system_cfg_;
  std::unique_ptr<caf::actor_system> own_system_;
  caf::actor_system* system_ = nullptr;
  std::unique_ptr<actors::runtime> runtime_;
  std::vector<connectors::notifier_actor> notifiers_;
  std::unique_ptr<connectors::api> api_;
  uint16_t port_ = 0;
  bool stopped_ = false;
};

}  // namespace vocflow

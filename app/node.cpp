#include "app/node.hpp"

#include "actors/replica.hpp"
#include "actors/scheduler.hpp"
#include "connectors/digest_sender.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <thread>

namespace vocflow {

std::unique_ptr<node> node::start(node_options o, std::string& error) {
  std::unique_ptr<node> n{new node};
  n->cfg_ = std::move(o.cfg);
  auto& c = n->cfg_;
  if (o.http) {
    // Bound first: a port taken by another process is found before the store is touched.
    n->server_ = std::make_unique<connectors::http_server>(
        c.server, [raw = n.get()](connectors::http_request&& req, connectors::responder r,
                                  connectors::stream_opener s) {
          raw->api_->handle(std::move(req), std::move(r), std::move(s));
        });
    auto port = n->server_->bind(error);
    if (!port) return nullptr;
    n->port_ = *port;
  }
  // The intake sources' mappings, checked before anything is written.
  auto sources = connectors::load_sources(c.intake, error);
  if (!sources) {
    error += "; not starting";
    return nullptr;
  }
  std::vector<std::string> unreplied;
  auto outbound = connectors::make_channels(c, *sources, unreplied);
  for (auto& u : unreplied) spdlog::warn("{}: replies to its complaints are not sent", u);
  storage::status st;
  n->store_ = storage::store::open({.path = c.data.dir,
                                    .sync = c.data.fsync,
                                    .cache_mb = c.data.cache_mb,
                                    .rocksdb_memtable = o.rocksdb_memtable,
                                    .file_system = o.file_system},
                                   st);
  if (!n->store_) {
    error = fmt::format("cannot open the store in {}: {}", c.data.dir, st.message());
    return nullptr;
  }
  n->flows_ =
      actors::load_library(c.flows.dir, *n->store_, c.flows.topics, c.flows.sentiment_model);
  if (!n->flows_.library) {
    for (auto& d : n->flows_.diags.items()) error += to_string(d) + "\n";
    error += fmt::format("the flows in {} have errors; not starting", c.flows.dir);
    return nullptr;
  }
  if (o.system) {
    n->system_ = o.system;
  } else {
    n->system_cfg_ = std::make_unique<caf::actor_system_config>();
    n->system_cfg_->set("logger.console", caf::atom("none"));
    actors::configure_scheduler(*n->system_cfg_, c.runtime);
    n->own_system_ = std::make_unique<caf::actor_system>(*n->system_cfg_);
    n->system_ = n->own_system_.get();
  }
  if (o.manual_clock) o.clock = [m = o.manual_clock] { return m->now(); };
  std::shared_ptr<actors::cluster_link> cluster;
  if (c.cluster.enabled()) {
    auto partitions = c.runtime.partitions ? c.runtime.partitions
                                           : std::max(1u, std::thread::hardware_concurrency());
    cluster = actors::cluster_link::connect(c.cluster, partitions, error);
    if (!cluster) {
      error = "cluster: " + error;
      return nullptr;
    }
  }
  n->runtime_ = actors::runtime::start(*n->system_, n->store_, n->flows_.library,
                                       {.cfg = c.runtime,
                                        .clock = std::move(o.clock),
                                        .clock_rate = o.clock_rate,
                                        .channels = connectors::subscriptions(outbound),
                                        .cluster = std::move(cluster)});
  if (o.notifiers) {
    n->notifiers_ = connectors::start_notifiers(*n->runtime_, outbound, c.notify);
    if (!c.digest.url.empty())
      n->notifiers_.push_back(connectors::spawn_digest_sender(*n->runtime_, c.digest));
  }
  if (o.api || o.http)
    n->api_ =
        std::make_unique<connectors::api>(*n->runtime_, c, std::move(*sources), o.manual_clock);
  if (n->server_) n->server_->run();
  if (n->api_) n->api_->set_ready(true);
  return n;
}

node::~node() {
  stop();
}

void node::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (api_) api_->set_ready(false);
  if (server_) {
    // No new connections; the requests already here are answered, for a while.
    server_->stop_accepting();
    auto give_up = std::chrono::steady_clock::now() + cfg_.runtime.request_timeout;
    while (server_->in_flight() > 0 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    server_->stop();
  }
  connectors::stop_notifiers(notifiers_);
  api_.reset();  // its gateway holds the runtime
  if (runtime_) runtime_->stop();
  runtime_.reset();
  own_system_.reset();  // joins the actors' threads
  system_cfg_.reset();
  server_.reset();  // after the actors: one may have held a responder, and with it a connection
  store_.reset();
}

void node::halt() {
  if (stopped_) return;
  stopped_ = true;
  if (server_) server_->stop();
  connectors::stop_notifiers(notifiers_);
  api_.reset();
  runtime_.reset();  // tells every actor to exit, without draining
  own_system_.reset();
  system_cfg_.reset();
  server_.reset();
  store_.reset();
}

std::string node::url() const {
  return fmt::format("http://{}:{}", cfg_.server.host, port_);
}

}  // namespace vocflow

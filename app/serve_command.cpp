#include "app/node.hpp"
#include "app/server_commands.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

namespace vocflow::app {
namespace {

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

std::optional<config> read_config(const serve_options& o) {
  if (!o.config_given && !std::filesystem::exists(o.config_file)) {
    // The embedded default: the example flows, with the example organization's topics.
    config c;
    if (std::filesystem::exists("examples/topics/topics.yaml"))
      c.flows.topics = "examples/topics/topics.yaml";
    return c;
  }
  diagnostics d;
  std::optional<config> c;
  if (auto src = read_source(o.config_file, d)) c = load_config(*src, d);
  for (auto& i : d.items()) std::cerr << to_string(i) << "\n";
  return c;
}

}  // namespace

int run_serve(const serve_options& o) {
  auto c = read_config(o);
  if (!c) return 1;
  if (!o.data_dir.empty()) c->data.dir = o.data_dir;
  if (!o.flows_dir.empty()) c->flows.dir = o.flows_dir;
  if (!o.topics_file.empty()) c->flows.topics = o.topics_file;
  if (o.partitions >= 0) c->runtime.partitions = static_cast<uint32_t>(o.partitions);
  if (o.port >= 0) c->server.port = static_cast<uint16_t>(o.port);
  if (!o.node.empty()) c->cluster.node = o.node;
  if (!o.nats.empty()) c->cluster.nats = o.nats;
  spdlog::set_level(spdlog::level::from_str(c->log.level));
  if (!loopback(c->server.host))
    for (auto& t : c->auth.tokens)
      if (t.token.rfind("dev-", 0) == 0) {
        spdlog::critical(
            "token of `{}` is a development token (dev-...) and the server would listen on {}: "
            "replace the tokens before exposing vocflow",
            t.name, c->server.host);
        return 1;
      }

  // Every thread started from here on inherits the blocked signals; main waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A file-size limit (ulimit -f) reached must fail the write (EFBIG: answered 503, the server
  // goes on), not kill the process.
  std::signal(SIGXFSZ, SIG_IGN);

  std::shared_ptr<actors::manual_clock> manual;
  if (!o.clock.empty()) {
    auto start = parse_utc(o.clock);
    if (!start) {
      spdlog::critical("--clock must be a time like 2026-03-09T09:00:00Z, not `{}`", o.clock);
      return 1;
    }
    manual = std::make_shared<actors::manual_clock>(*start);
    spdlog::warn("the clock starts at {} and moves only by POST /v1/clock", o.clock);
  }
  std::string error;
  auto n = node::start({.cfg = *c, .manual_clock = manual}, error);
  if (!n) {
    spdlog::critical("{}", error);
    return 1;
  }
  for (auto& d : n->flows().diags.items()) std::cerr << to_string(d) << "\n";
  for (auto& note : n->flows().notes) spdlog::warn("{}", note);
  for (auto& k : n->flows().deployed) spdlog::info("deployed {} from {}", k, c->flows.dir);
  spdlog::info(
      "vocflow serving on {}: {} partitions, data in {} ({}), {} flow versions, {} outbound "
      "channels",
      n->url(), n->runtime().partitions(), c->data.dir, c->data.fsync ? "fsync" : "os",
      n->flows().library->all()->size(), n->runtime().env().channels.size());
  if (c->cluster.enabled())
    spdlog::info("node {} of a cluster on {}: streams {}_P*, {} replicas, leases of {}ms",
                 c->cluster.node, fmt::join(c->cluster.nats, ","), c->cluster.prefix,
                 c->cluster.replicas, c->cluster.lease.count());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("{}: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  n->stop();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace vocflow::app

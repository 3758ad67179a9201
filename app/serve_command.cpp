#include <spdlog/spdlog.h>
#include <caf/all.hpp>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include "actors/runtime.hpp"
#include "app/server_commands.hpp"
#include "config/config.hpp"
#include "connectors/api.hpp"
#include "connectors/http_server.hpp"
#include "connectors/notifier.hpp"

namespace vocflow::app {
namespace {

bool loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "::1" || host == "localhost";
}

std::optional<config> read_config(const serve_options& o) {
  if (!o.config_given && !std::filesystem::exists(o.config_file)) return config{};
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
  if (o.partitions >= 0) c->runtime.partitions = static_cast<uint32_t>(o.partitions);
  if (o.port >= 0) c->server.port = static_cast<uint16_t>(o.port);
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

  std::error_code ec;
  std::filesystem::create_directories(c->data.dir, ec);
  storage::status st;
  auto db = storage::store::open(
      {.path = c->data.dir, .sync = c->data.fsync, .cache_mb = c->data.cache_mb}, st);
  if (!db) {
    spdlog::critical("cannot open the store in {}: {}", c->data.dir, st.message());
    return 1;
  }
  auto lib = actors::load_library(c->flows.dir, *db);
  for (auto& d : lib.diags.items()) std::cerr << to_string(d) << "\n";
  if (!lib.library) {
    spdlog::critical("the flows in {} have errors; not starting", c->flows.dir);
    return 1;
  }
  for (auto& n : lib.notes) spdlog::warn("{}", n);
  for (auto& k : lib.deployed) spdlog::info("deployed {} from {}", k, c->flows.dir);

  // Outlives the actor system: an actor may still hold a responder (and with it a connection)
  // until the system is gone, and connections need their server.
  std::unique_ptr<connectors::http_server> server;
  caf::actor_system_config caf_cfg;
  caf_cfg.set("logger.console", caf::atom("none"));
  actors::configure_scheduler(caf_cfg, c->runtime);
  {
    caf::actor_system sys{caf_cfg};
    auto rt = actors::runtime::start(sys, db, lib.library,
                                     {.cfg = c->runtime, .webhooks = c->notify.webhooks});
    auto notifiers = connectors::start_notifiers(*rt, c->notify);
    // Before the runtime goes, so does the API (its gateway holds the runtime).
    std::optional<connectors::api> api{std::in_place, *rt, *c};
    server = std::make_unique<connectors::http_server>(
        c->server, [&api](connectors::http_request&& req, connectors::responder r,
                          connectors::stream_opener s) {
          api->handle(std::move(req), std::move(r), std::move(s));
        });
    std::string error;
    auto port = server->start(error);
    if (!port) {
      spdlog::critical("{}", error);
      connectors::stop_notifiers(notifiers);
      rt->stop();
      return 1;
    }
    api->set_ready(true);
    spdlog::info(
        "vocflow serving on http://{}:{}: {} partitions, data in {} ({}), {} flow versions, {} "
        "webhooks",
        c->server.host, *port, rt->partitions(), c->data.dir, c->data.fsync ? "fsync" : "os",
        lib.library->all()->size(), notifiers.size());
    int sig = 0;
    sigwait(&stop_signals, &sig);
    spdlog::info("{}: draining", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    // No new connections; requests already here are answered (bounded), then the partitions
    // write what is queued, then everything stops.
    api->set_ready(false);
    server->stop_accepting();
    auto give_up = std::chrono::steady_clock::now() + c->runtime.request_timeout;
    while (server->in_flight() > 0 && std::chrono::steady_clock::now() < give_up)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    server->stop();
    connectors::stop_notifiers(notifiers);
    api.reset();
    rt->stop();
    rt.reset();
  }
  server.reset();
  db.reset();
  spdlog::info("stopped cleanly");
  return 0;
}

}  // namespace vocflow::app

// A process that serves a stream of commands with a real node (detached partitions, real
// RocksDB with fsync, no HTTP) and prints one line per acknowledged command:
//     ack <ticket> <action> <seq of its last event> <wall clock, ms since the epoch>
// The crash test kills it with SIGKILL in the middle and checks the store afterwards.
// Its wall clock starts at ORIGIN (default 2026-06-01T00:00Z) and runs `speedup` times faster
// than real time, so that SLA timers (minutes) come due and fire while it runs.
#include "app/node.hpp"

#include <caf/all.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>
#include <random>
#include <thread>

using namespace vocflow;

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    std::fprintf(stderr, "usage: load_child DATA FLOWS SPEEDUP [ORIGIN]\n");
    return 2;
  }
  spdlog::set_level(spdlog::level::warn);
  std::string data = argv[1], flows = argv[2];
  double speedup = std::stod(argv[3]);
  auto origin = *parse_utc(argc == 5 ? argv[4] : "2026-06-01T00:00:00Z");
  auto steady = std::chrono::steady_clock::now();
  actors::wall_clock clock = [=] {
    auto real = std::chrono::steady_clock::now() - steady;
    return origin + std::chrono::duration_cast<millis>(real * speedup);
  };
  node_options o;
  o.cfg.data = {.dir = data, .fsync = true, .cache_mb = 16};
  o.cfg.flows.dir = flows;
  o.cfg.runtime.partitions = 2;
  o.cfg.runtime.dedicated_threads = true;
  o.http = o.api = o.notifiers = false;
  o.clock = clock;
  o.clock_rate = speedup;
  std::string error;
  auto n = node::start(std::move(o), error);
  if (!n) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 3;
  }
  auto* rt = &n->runtime();
  auto& sys = n->system();

  std::mutex out;
  auto worker = [&](int seed) {
    std::mt19937 rng(seed);
    caf::scoped_actor self{sys};
    auto send = [&](const std::string& id, const std::string& action, const std::string& role) {
      actors::submission s;
      s.ticket_id = id;
      s.cmd.action = action;
      s.cmd.by = {role + "-" + std::to_string(seed), role};
      s.cmd.info = ticket_fields{
          .customer = "C-" + std::to_string(rng() % 100), .channel = "web", .category = "crash"};
      bool ok = false;
      self->request(rt->partition_for(id), std::chrono::seconds(10), actors::submit_atom::value, s)
          .receive(
              [&](actors::command_result& r) {
                if (r.result != actors::command_result::kind::accepted) return;
                ok = true;
                std::lock_guard lock{out};
                std::printf("ack %s %s %llu %lld\n", id.c_str(), action.c_str(),
                            (unsigned long long)r.state->seq, (long long)to_ms(clock()));
                std::fflush(stdout);
              },
              [&](caf::error&) {});
      return ok;
    };
    for (;;) {
      auto id = rt->new_ticket_id();
      if (!send(id, "open", "system")) continue;
      auto steps = rng() % 4;  // some tickets stay open: their timers fire while we run
      if (steps > 0) send(id, "respond", "agent");
      if (steps > 1) send(id, "resolve", "agent");
      if (steps > 2) send(id, "confirm", "customer");
    }
  };
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back(worker, i + 1);
  for (auto& t : threads) t.join();
}

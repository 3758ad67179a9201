// In-process throughput of the lifecycle workload (../shared/bench/WORKLOAD.md): the real
// runtime (detached partitions, RocksDB with fsync, group commit), driven by actors that keep
// `concurrency` tickets in flight. Every tenth ticket waits after `open` until its 1h
// first-response SLA has fired and escalated it (the wall clock jumps an hour; timer firings
// are not counted as commands). Then, in the same run, the same bytes are appended raw to a
// RocksDB of the same options, in batches of the same size: the ratio shows vocflow's overhead.
//
//   lifecycle_bench [--tickets N] [--concurrency C] [--partitions P] [--on-scheduler]
//                   [--scheduler-nice N] [--os] [--replay] [--rocksdb-memtable] [--data CSV]
//
// The runtime's defaults otherwise (config/vocflow.yaml): partitions on threads of their own,
// the scheduler's workers at nice +10. --on-scheduler runs the partitions on the scheduler
// (runtime.dedicated_threads: false); --scheduler-nice sets runtime.scheduler_nice.
//
// Last, what if: every ticket of the run replayed from the stopped store under the flow with a
// 30m first-response target (vocflow replay --data), in tickets/s.
//
// --replay also writes vocflow's own group commits again, raw, after its run: the share of the
// cost that RocksDB takes for vocflow's keys, next to the baseline's increasing keys.
#include "app/node.hpp"
#include "bench/bench_common.hpp"
#include "connectors/what_if.hpp"
#include "tests/temp_dir.hpp"

#include <caf/all.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <unordered_map>

using namespace vocflow;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

using phase1_atom = caf::atom_constant<caf::atom("phase1")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using cont_atom = caf::atom_constant<caf::atom("cont")>;
using start_atom = caf::atom_constant<caf::atom("start")>;
using send_atom = caf::atom_constant<caf::atom("send")>;

struct options {
  size_t tickets = 100'000;
  // 768 in flight: where bench/RESULTS.md records the headline pair (commands/s and the ratio;
  // the ratio falls as concurrency grows, the baseline's batches growing with vocflow's).
  size_t concurrency = 768;
  uint32_t partitions = 0;
  bool fsync = true;
  bool detached = runtime_config{}.dedicated_threads;         // partitions on threads of their own
  uint32_t scheduler_nice = runtime_config{}.scheduler_nice;  // the workers' nice, above theirs
  bool replay = false;  // also write vocflow's own batches again, raw (holds them in memory)
  bool rocksdb_memtable = false;  // RocksDB's memtable instead of vocflow's (both runs)
  std::string data = bench::cfpb_csv;
};

struct slot {
  std::string id;
  size_t index = 0;
  int step = 0;  // commands done
};

struct driver_state {
  actors::runtime* rt = nullptr;
  const std::vector<shared_value<ticket_fields>>* fields = nullptr;
  size_t first = 0, count = 0, next = 0, limit = 0, active = 0, finished = 0, failed = 0;
  std::unordered_map<std::string, slot> parked;  // waiting for their escalation
  std::vector<slot> resumable;                   // escalated, waiting for a free slot
  std::vector<uint32_t>* latencies = nullptr;    // microseconds per command (owned by main)
  caf::actor main;
  bool phase1_reported = false, done_reported = false;
  bool send_scheduled = false;
  // Commands ready to go, per partition: each partition gets them as one message.
  std::vector<actors::submissions> ready;
  std::vector<std::vector<slot>> ready_slots;
};

bool withheld(size_t index) {
  return index % 10 == 9;
}

actors::submission command_for(const slot& s,
                               const std::vector<shared_value<ticket_fields>>& fields) {
  return bench::lifecycle_command(s.id, s.step, fields[s.index % fields.size()]);
}

using self_ptr = caf::stateful_actor<driver_state>*;

void queue(self_ptr self, slot sl) {
  auto& s = self->state;
  auto p = actors::partition_of(sl.id, s.rt->partitions());
  s.ready[p].push_back(command_for(sl, *s.fields));
  s.ready_slots[p].push_back(std::move(sl));
}

void launch(self_ptr self) {
  auto& s = self->state;
  while (s.active < s.limit && !s.resumable.empty()) {
    ++s.active;
    auto sl = std::move(s.resumable.back());
    s.resumable.pop_back();
    queue(self, std::move(sl));
  }
  while (s.active < s.limit && s.next < s.count) {
    ++s.active;
    queue(self, slot{s.rt->new_ticket_id(), s.first + s.next++, 0});
  }
}

void report(self_ptr self) {
  auto& s = self->state;
  if (s.next < s.count || s.active > 0 || !s.resumable.empty()) return;
  if (!s.parked.empty()) {
    if (!s.phase1_reported) self->send(s.main, phase1_atom::value, s.parked.size());
    s.phase1_reported = true;
  } else if (!s.done_reported) {
    s.done_reported = true;
    self->send(s.main, done_atom::value, s.failed);
  }
}

void on_result(self_ptr self, slot sl, const actors::command_result& r, uint32_t micros) {
  auto& s = self->state;
  s.latencies->push_back(micros);
  if (r.result != actors::command_result::kind::accepted) {
    if (s.failed++ < 3)
      std::fprintf(stderr, "%s refused: %s %s\n", sl.id.c_str(), r.why.message.c_str(),
                   r.failure.c_str());
    --s.active;
    return;
  }
  ++sl.step;
  if (sl.step == 1 && withheld(sl.index)) {
    s.parked.emplace(sl.id, std::move(sl));
    --s.active;
  } else if (sl.step == 5) {
    ++s.finished;
    --s.active;
  } else {
    queue(self, std::move(sl));
  }
}

void send_ready(self_ptr self);

// After any event: start what may start, send what is ready, tell main where we are. Like the
// HTTP gateway, the sending waits behind the results already in the mailbox, so that the
// commands of one group commit's replies go out as one message per partition.
void step(self_ptr self) {
  launch(self);
  auto& s = self->state;
  if (!s.send_scheduled) {
    s.send_scheduled = true;
    self->send(self, send_atom::value);
  }
  report(self);
}

void send_ready(self_ptr self) {
  auto& s = self->state;
  s.send_scheduled = false;
  auto partitions = s.rt->all_partitions();
  for (size_t p = 0; p < s.ready.size(); ++p) {
    if (s.ready[p].empty()) continue;
    auto n = s.ready[p].size();
    auto slots = std::make_shared<std::vector<slot>>(std::move(s.ready_slots[p]));
    s.ready_slots[p].clear();
    s.ready_slots[p].reserve(n);  // the next group is about as large: no regrowing from empty
    auto t0 = steady::now();
    self->request(partitions[p], 120s, actors::submit_atom::value, std::move(s.ready[p]))
        .then(
            [=](actors::command_results& rs) {
              auto micros = static_cast<uint32_t>(
                  std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - t0)
                      .count());
              for (size_t i = 0; i < rs.size(); ++i)
                on_result(self, std::move((*slots)[i]), rs[i], micros);
              step(self);
            },
            [=](caf::error& e) {
              auto& s = self->state;
              if (s.failed++ < 3)
                std::fprintf(stderr, "request failed: %s\n", self->system().render(e).c_str());
              s.failed += slots->size() - 1;
              s.active -= slots->size();
              step(self);
            });
    s.ready[p].clear();
    s.ready[p].reserve(n);
  }
}

caf::behavior driver(self_ptr self, actors::runtime* rt,
                     const std::vector<shared_value<ticket_fields>>* fields, size_t first,
                     size_t count, size_t limit, caf::actor main,
                     std::vector<uint32_t>* latencies) {
  auto& st = self->state;
  st.rt = rt, st.fields = fields, st.first = first, st.count = count, st.limit = limit,
  st.main = main;
  st.latencies = latencies;
  st.latencies->reserve(count * 5);
  st.ready.resize(rt->partitions());
  st.ready_slots.resize(rt->partitions());
  return {
      [=](start_atom) { step(self); },
      [=](send_atom) { send_ready(self); },
      [=](cont_atom, const std::string& id) {
        auto& s = self->state;
        auto it = s.parked.find(id);
        if (it == s.parked.end()) return;
        s.resumable.push_back(std::move(it->second));
        s.parked.erase(it);
        step(self);
      },
  };
}

// Tells the drivers which tickets escalated.
actors::subscriber_actor::behavior_type watcher(actors::subscriber_actor::pointer,
                                                std::vector<caf::actor> drivers) {
  return {[=](actors::committed_atom, const actors::commit_batch& batch) {
    for (auto& c : *batch)
      for (auto& e : *c.events)
        if (std::holds_alternative<ev::escalated>(e.body))
          for (auto& d : drivers) caf::anon_send(d, cont_atom::value, c.state->id);
  }};
}

// Appends `total` bytes raw, in batches like vocflow's, from `threads` writers: a log append,
// each writer with its own increasing keys.
double raw_append_seconds(const storage::store_options& store, uint64_t total, size_t ops_per_batch,
                          size_t bytes_per_op, uint32_t threads) {
  storage::status st;
  auto db = storage::store::open(store, st);
  if (!db) return -1;
  std::atomic<uint64_t> written{0};
  auto start = steady::now();
  std::vector<std::thread> ws;
  for (uint32_t t = 0; t < threads; ++t)
    ws.emplace_back([&, t] {
      std::string value(bytes_per_op > 24 ? bytes_per_op - 24 : 1, 'v');
      uint64_t seq = 0;
      auto b = db->batch();  // reused, with the memory it has grown, as a partition does
      while (written.load() < total) {
        for (size_t i = 0; i < ops_per_batch; ++i) {
          // 23 bytes: the writer, then its sequence (formatted at compile time: snprintf was
          // ~5% of the baseline's own CPU, a cost no log append has)
          char k[23];
          fmt::format_to(k, FMT_COMPILE("{:02}{:021}"), t, seq++);
          b.raw(std::string{k, sizeof k}, value);
        }
        auto bytes = b.bytes();
        if (!db->write(b)) return;
        b.clear();
        written += bytes;
      }
    });
  for (auto& w : ws) w.join();
  return std::chrono::duration<double>(steady::now() - start).count();
}

// Writes vocflow's own group commits again, as they were (keys, values, batches), into a fresh
// RocksDB of the same options from `threads` writers: what storing vocflow's data costs RocksDB
// alone, with vocflow's key layout (keys spread over the tickets in flight).
double replay_seconds(const storage::store_options& store, const std::vector<std::string>& batches,
                      uint32_t threads) {
  storage::status st;
  auto db = storage::store::open(store, st);
  if (!db) return -1;
  auto start = steady::now();
  std::vector<std::thread> ws;
  for (uint32_t t = 0; t < threads; ++t)
    ws.emplace_back([&, t] {
      for (size_t i = t; i < batches.size(); i += threads) {
        auto b = db->batch_from(batches[i]);
        if (!db->write(b)) return;
      }
    });
  for (auto& w : ws) w.join();
  return std::chrono::duration<double>(steady::now() - start).count();
}

}  // namespace

namespace {

// What if: the run's recorded tickets replayed under the flow with a 30m first-response target
// instead of 1h (the stopped store read as `vocflow replay --data` reads it).
void what_if(const std::filesystem::path& data, time_point as_of, size_t tickets) {
  std::ifstream in{VOCFLOW_SOURCE_DIR "/bench/flows/lifecycle.yaml"};
  std::string yaml{std::istreambuf_iterator<char>{in}, {}};
  yaml.replace(yaml.find("within: 1h"), 10, "within: 30m");
  yaml.replace(yaml.find("version: 1"), 10, "version: 2");
  diagnostics d;
  std::vector<source_file> files;
  if (auto org = read_source(VOCFLOW_SOURCE_DIR "/bench/flows/organization.yaml", d))
    files.push_back(std::move(*org));
  files.push_back({"lifecycle-30m.yaml", yaml});
  auto c = load_catalog(files, d);
  auto changed = c.find("lifecycle");
  storage::status st;
  auto db =
      storage::store::open({.path = data, .sync = false, .cache_mb = 256, .read_only = true}, st);
  if (!changed || !db) {
    std::fprintf(stderr, "what-if: cannot load the flow or open the store\n");
    return;
  }
  auto cpu_start = bench::cpu_seconds();
  auto start = steady::now();
  auto out = connectors::read_what_if(
      *db, *changed, {.from = time_point{}, .to = as_of, .as_of = as_of, .list_limit = 0});
  double seconds = std::chrono::duration<double>(steady::now() - start).count();
  double cpu = bench::cpu_seconds() - cpu_start;
  if (auto* e = std::get_if<std::string>(&out)) {
    std::fprintf(stderr, "what-if: %s\n", e->c_str());
    return;
  }
  auto& r = std::get<what_if_report>(out);
  auto breaches = [](const what_if_figures& f) {
    auto it = f.breaches.find("first_response");
    return it == f.breaches.end() ? int64_t{0} : it->second;
  };
  std::printf(
      "what-if      %ld of %zu recorded tickets replayed under a 30m first response (reading "
      "their histories from RocksDB): %.2f s = %.0f tickets/s, %.0f actions/s, %.1f us CPU per "
      "ticket; first-response breaches %ld recorded, %ld replayed\n",
      (long)r.tickets, tickets, seconds, static_cast<double>(r.tickets) / seconds,
      static_cast<double>(r.actions) / seconds, cpu * 1e6 / static_cast<double>(r.tickets),
      (long)breaches(r.recorded), (long)breaches(r.replayed));
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{}; };
    if (a == "--tickets")
      o.tickets = std::stoul(value());
    else if (a == "--concurrency")
      o.concurrency = std::stoul(value());
    else if (a == "--partitions")
      o.partitions = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--os")
      o.fsync = false;
    else if (a == "--dedicated")
      o.detached = true;
    else if (a == "--on-scheduler")
      o.detached = false;
    else if (a == "--scheduler-nice")
      o.scheduler_nice = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--replay")
      o.replay = true;
    else if (a == "--rocksdb-memtable")
      o.rocksdb_memtable = true;
    else if (a == "--data")
      o.data = value();
    else {
      std::fprintf(stderr,
                   "usage: lifecycle_bench [--tickets N] [--concurrency C] [--partitions P] "
                   "[--on-scheduler] [--scheduler-nice N] [--os] [--replay] [--rocksdb-memtable] "
                   "[--data CSV]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  auto fields = bench::shared(bench::complaints(o.data));
  if (fields.empty()) {
    bench::no_complaints(o.data);
    return 1;
  }
  testing::temp_dir dir;
  // The same options for vocflow's store (the node's) and for the baselines' (only the folder
  // differs).
  auto store_at = [&](const char* folder) {
    return storage::store_options{.path = dir / folder,
                                  .sync = o.fsync,
                                  .cache_mb = 256,
                                  .rocksdb_memtable = o.rocksdb_memtable};
  };
  // vocflow as `vocflow serve` runs it, without HTTP, on the runtime's defaults.
  std::atomic<int64_t> offset_ms{0};  // the wall clock jumps to make the 1h SLA fire
  node_options no;
  no.cfg.data = {.dir = dir / "vocflow", .fsync = o.fsync, .cache_mb = 256};
  no.cfg.flows.dir = VOCFLOW_SOURCE_DIR "/bench/flows";
  no.cfg.runtime.partitions = o.partitions;
  no.cfg.runtime.dedicated_threads = o.detached;
  no.cfg.runtime.scheduler_nice = o.scheduler_nice;
  no.http = no.api = no.notifiers = false;
  no.clock = [&] {
    return std::chrono::time_point_cast<millis>(std::chrono::system_clock::now()) +
           millis{offset_ms.load()};
  };
  no.rocksdb_memtable = o.rocksdb_memtable;
  std::string error;
  auto n = node::start(std::move(no), error);
  if (!n) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  auto db = n->store_handle();
  auto before = db->stats();
  std::mutex captured_lock;
  std::vector<std::string> captured;
  if (o.replay)
    db->tap([&](std::string_view b) {
      std::lock_guard lock{captured_lock};
      captured.emplace_back(b);
    });
  auto* rt = &n->runtime();
  auto& sys = n->system();
  auto main_actor = std::make_unique<caf::scoped_actor>(sys);  // gone before the node
  auto& main = *main_actor;
  const size_t drivers_n = 2;
  std::vector<caf::actor> drivers;
  std::vector<std::vector<uint32_t>> driver_latencies(drivers_n);
  for (size_t d = 0; d < drivers_n; ++d) {
    size_t first = o.tickets * d / drivers_n, last = o.tickets * (d + 1) / drivers_n;
    drivers.push_back(sys.spawn(driver, rt, &fields, first, last - first, o.concurrency / drivers_n,
                                caf::actor{main}, &driver_latencies[d]));
  }
  auto watch = sys.spawn(watcher, drivers);
  rt->subscribe(watch);

  auto start = steady::now();
  auto cpu_start = bench::cpu_seconds();
  for (auto& d : drivers) caf::anon_send(d, start_atom::value);
  size_t parked = 0, phase1 = 0, done = 0, failed = 0;
  std::vector<uint32_t> latencies;
  double phase1_seconds = 0;
  while (done < drivers_n) {
    main->receive(
        [&](phase1_atom, size_t n) {
          parked += n;
          if (++phase1 == drivers_n) {
            phase1_seconds = std::chrono::duration<double>(steady::now() - start).count();
            offset_ms += 3'660'000;  // one hour and a minute later: every withheld SLA is due
            rt->poke_timers();
          }
        },
        [&](done_atom, size_t f) {
          failed += f;
          ++done;
        });
  }
  for (auto& l : driver_latencies) latencies.insert(latencies.end(), l.begin(), l.end());
  double seconds = std::chrono::duration<double>(steady::now() - start).count();
  double cpu = bench::cpu_seconds() - cpu_start;
  auto after = db->stats();
  // The drivers and the watcher hold the runtime: gone before it is (a driver's last scheduled
  // send could otherwise run after the runtime is destroyed).
  for (auto& d : drivers) caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(watch, caf::exit_reason::user_shutdown);
  for (auto& d : drivers) main->wait_for(d);
  main->wait_for(watch);
  main_actor.reset();
  n->stop();

  uint64_t commands = o.tickets * 5;
  uint64_t bytes = after.bytes - before.bytes, writes = after.writes - before.writes,
           ops = after.operations - before.operations;
  double cmd_rate = static_cast<double>(commands) / seconds;
  bench::print_machine();
  std::printf(
      "workload     lifecycle: open, respond, hand off, resolve, confirm; every 10th ticket "
      "escalated by its 1h timer\n");
  std::printf("durability   %s\n", o.fsync
                                       ? "fsync (WAL synced before every reply, group-committed)"
                                       : "os (NOT the headline: no fsync)");
  std::printf(
      "memtable     %s (vocflow's store and the baselines alike)\n",
      o.rocksdb_memtable ? "RocksDB's skip list" : "vocflow's skip list (storage/memtable.hpp)");
  std::printf("tickets      %zu (%zu escalated by timer), concurrency %zu, partitions %u (%s)\n",
              o.tickets, parked, o.concurrency,
              o.partitions ? o.partitions : std::thread::hardware_concurrency(),
              o.detached ? fmt::format("threads of their own, the scheduler's workers at nice +{}",
                                       o.scheduler_nice)
                               .c_str()
                         : "on the scheduler");
  std::printf("elapsed      %.2f s (phase 1 %.2f s, escalation and the rest %.2f s)\n", seconds,
              phase1_seconds, seconds - phase1_seconds);
  std::printf("commands/s   %.0f\n", cmd_rate);
  std::printf("CPU          %.1f us per command (all threads, user + system; %.0f%% of %u cores)\n",
              cpu * 1e6 / static_cast<double>(commands),
              100 * cpu / seconds / std::thread::hardware_concurrency(),
              std::thread::hardware_concurrency());
  std::printf("tickets/s    %.0f\n", static_cast<double>(o.tickets) / seconds);
  std::printf("latency      p50 %.2f ms, p99 %.2f ms (per command, at full load)\n",
              bench::percentile(latencies, 0.50) / 1000, bench::percentile(latencies, 0.99) / 1000);
  std::printf("refused      %zu\n", failed);
  std::printf(
      "writes       %lu group commits, %.1f commands and %.1f KB each, %.0f bytes per command\n",
      (unsigned long)writes, static_cast<double>(commands) / static_cast<double>(writes),
      static_cast<double>(bytes) / static_cast<double>(writes) / 1024,
      static_cast<double>(bytes) / static_cast<double>(commands));
  std::printf(
      "             %.2f ms in each write (fsync included), %.0f%% of the run per partition\n",
      static_cast<double>(after.nanos - before.nanos) / 1e6 / static_cast<double>(writes),
      100.0 * static_cast<double>(after.nanos - before.nanos) / 1e9 / seconds /
          (o.partitions ? o.partitions : std::thread::hardware_concurrency()));
  std::printf("peak RSS     %ld MB\n", bench::peak_rss_mb());

  auto raw_cpu_start = bench::cpu_seconds();
  auto raw_seconds =
      raw_append_seconds(store_at("raw"), bytes, ops / writes, bytes / ops,
                         o.partitions ? o.partitions : std::thread::hardware_concurrency());
  double raw_bytes_rate = static_cast<double>(bytes) / raw_seconds;
  double vocflow_bytes_rate = static_cast<double>(bytes) / seconds;
  std::printf(
      "baseline     raw RocksDB appends of the same %.1f MB in batches of %lu puts: %.2f s, %.1f "
      "MB/s "
      "= %.0f commands/s equivalent\n",
      static_cast<double>(bytes) / 1e6, (unsigned long)(ops / writes), raw_seconds,
      raw_bytes_rate / 1e6,
      raw_bytes_rate * static_cast<double>(commands) / static_cast<double>(bytes));
  std::printf("baseline CPU %.1f us per command's bytes\n",
              (bench::cpu_seconds() - raw_cpu_start) * 1e6 / static_cast<double>(commands));
  std::printf("ratio        vocflow / raw = %.2f\n", vocflow_bytes_rate / raw_bytes_rate);
  if (o.replay) {
    auto replay_cpu_start = bench::cpu_seconds();
    auto replay = replay_seconds(store_at("replay"), captured,
                                 o.partitions ? o.partitions : std::thread::hardware_concurrency());
    std::printf(
        "replay       vocflow's own %zu group commits written again raw: %.2f s = %.0f commands/s "
        "equivalent, %.1f us CPU per command\n",
        captured.size(), replay, static_cast<double>(commands) / replay,
        (bench::cpu_seconds() - replay_cpu_start) * 1e6 / static_cast<double>(commands));
  }
  what_if(dir / "vocflow",
          std::chrono::time_point_cast<millis>(std::chrono::system_clock::now()) +
              millis{offset_ms.load()} + std::chrono::hours{2},
          o.tickets);
  return failed ? 1 : 0;
}

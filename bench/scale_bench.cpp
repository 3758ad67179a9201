// Scale: a million open tickets with armed SLA timers (../shared/bench/WORKLOAD.md's flow and
// fields), on the real runtime with RocksDB and fsync.
//   1. Opens N tickets (default 1,000,000); their opening times are spread over one hour of the
//      wall clock, so their 1h first-response timers come due at an even N/3600 per second.
//   1b. Measures the peak: the lifecycle workload at full speed for --peak-seconds, no timer due.
//   2. Serves the lifecycle workload at a fixed command rate (--rate; default half that peak)
//      for --seconds while those timers fire: how late each fires (p50, p99, max).
//   3. Stops, lets --gap seconds of wall time pass, and restarts in a fresh process: time until
//      it serves (a command acknowledged), how late the timers that came due meanwhile fire,
//      and its resident memory with the N tickets open.
//
//   scale_bench [--tickets N] [--rate R] [--peak-seconds S] [--seconds S] [--gap G]
//               [--partitions P] [--data CSV] [--dir DIR]
#include "app/node.hpp"
#include "bench/bench_common.hpp"
#include "tests/temp_dir.hpp"

#include <caf/all.hpp>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>

using namespace vocflow;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

namespace {

using tick_atom = caf::atom_constant<caf::atom("tick")>;
using report_atom = caf::atom_constant<caf::atom("report")>;

struct options {
  size_t tickets = 1'000'000;
  size_t rate = 0;        // commands/s in phase 2; 0: half the peak measured in phase 1b
  int peak_seconds = 10;  // of phase 1b
  int seconds = 30;       // of phase 2
  int gap = 10;           // wall-clock seconds between stop and restart
  uint32_t partitions = 0;
  std::string data = bench::cfpb_csv;
  std::string dir;
  std::string restart_at;  // child mode: restart on dir with the wall clock at this time
  std::string self;        // argv[0]
};

long rss_mb() {
  long pages = 0, resident = 0;
  std::ifstream statm{"/proc/self/statm"};
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE) / (1 << 20);
}

double ms_since(steady::time_point t) {
  return std::chrono::duration<double, std::milli>(steady::now() - t).count();
}

// The wall clock of the runtime. While loading it moves a step with each acknowledged open, so
// that opening times spread over one hour (in clumps of the opens in flight); then it runs in
// real time.
struct bench_clock {
  int64_t load_origin_ms = 0, load_step_us = 0;
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> running{false};
  int64_t run_origin_ms = 0;
  steady::time_point run_start;
  void run_from(time_point t) {
    run_origin_ms = to_ms(t);
    run_start = steady::now();
    running = true;
  }
  time_point now() const {
    if (!running) return from_ms(load_origin_ms + acknowledged.load() * load_step_us / 1000);
    return from_ms(run_origin_ms + static_cast<int64_t>(ms_since(run_start)));
  }
};

// One request per partition for a group of submissions, as the HTTP gateway sends them (a
// request per command would cost CAF a request timeout each, which CAF 0.17 keeps until it
// expires: millions of them here). `on_reply` gets each submission's index and result, then
// `after` (if any) runs once per reply.
void submit_grouped(caf::event_based_actor* self, actors::runtime& rt,
                    std::vector<actors::submission> subs, caf::duration timeout,
                    std::function<void(size_t, const actors::command_result&)> on_reply,
                    std::function<void()> after = {}) {
  auto partitions = rt.all_partitions();
  std::vector<actors::submissions> groups(partitions.size());
  std::vector<std::vector<size_t>> indexes(partitions.size());
  for (size_t i = 0; i < subs.size(); ++i) {
    auto p = actors::partition_of(subs[i].ticket_id, rt.partitions());
    groups[p].push_back(std::move(subs[i]));
    indexes[p].push_back(i);
  }
  for (size_t p = 0; p < groups.size(); ++p) {
    if (groups[p].empty()) continue;
    self->request(partitions[p], timeout, actors::submit_atom::value, std::move(groups[p]))
        .then([on_reply, after, idx = std::move(indexes[p])](actors::command_results& rs) {
          for (size_t i = 0; i < rs.size() && i < idx.size(); ++i) on_reply(idx[i], rs[i]);
          if (after) after();
        });
  }
}

// Keeps `limit` commands in flight until `next` has no more; tells `done` with the count.
struct pump_state {
  // The next command and its step in the lifecycle (bench::lifecycle_command); none: stop.
  std::function<std::optional<std::pair<actors::submission, int>>()> next;
  std::function<void(const std::string& ticket, int step)> accepted;  // optional
  actors::runtime* rt = nullptr;
  size_t limit = 0, active = 0, sent = 0, refused = 0;
  bool exhausted = false;
  caf::actor done;
  std::atomic<int64_t>* acknowledged = nullptr;  // counted here when set
};

caf::behavior pump(caf::stateful_actor<pump_state>* self, pump_state init) {
  self->state = std::move(init);
  auto fill = std::make_shared<std::function<void()>>();
  *fill = [self, fill] {
    auto& s = self->state;
    std::vector<actors::submission> subs;
    auto steps = std::make_shared<std::vector<std::pair<std::string, int>>>();
    while (!s.exhausted && s.active < s.limit) {
      auto next = s.next();
      if (!next) {
        s.exhausted = true;
        break;
      }
      ++s.active, ++s.sent;
      steps->emplace_back(next->first.ticket_id, next->second);
      subs.push_back(std::move(next->first));
    }
    if (!subs.empty())
      submit_grouped(
          self, *s.rt, std::move(subs), caf::duration{120s},
          [self, steps](size_t i, const actors::command_result& r) {
            auto& s = self->state;
            --s.active;
            if (r.result != actors::command_result::kind::accepted)
              ++s.refused;
            else if (s.accepted)
              s.accepted((*steps)[i].first, (*steps)[i].second);
            if (s.acknowledged) ++*s.acknowledged;
          },
          [fill] { (*fill)(); });
    if (s.exhausted && s.active == 0) {
      self->send(s.done, report_atom::value, s.sent, s.refused);
      self->quit();
    }
  };
  return {[fill](tick_atom) { (*fill)(); }};
}

// Which lifecycle step goes next: the next step of a ticket whose last command was
// acknowledged, else a new ticket.
struct lifecycle_steps {
  std::deque<std::pair<std::string, int>> ready;  // ticket, step
  size_t opened = 0;

  std::pair<std::string, int> next(actors::runtime& rt) {
    if (ready.empty()) {
      ++opened;
      return {rt.new_ticket_id(), 0};
    }
    auto n = std::move(ready.front());
    ready.pop_front();
    return n;
  }
  void acknowledged(const std::string& ticket, int step) {
    if (step < 4) ready.emplace_back(ticket, step + 1);
  }
};

// Sends lifecycle commands at `rate` per second (ticks of 5 ms). Latencies in microseconds.
struct pacer_state {
  actors::runtime* rt = nullptr;
  const std::vector<shared_value<ticket_fields>>* fields = nullptr;
  size_t rate = 0, sent = 0, refused = 0;
  steady::time_point start, until;
  lifecycle_steps steps;
  std::vector<uint32_t> latencies;
  caf::actor done;
};

caf::behavior pacer(caf::stateful_actor<pacer_state>* self, pacer_state init) {
  self->state = std::move(init);
  return {[self](tick_atom) {
    auto& s = self->state;
    auto now = steady::now();
    if (now >= s.until) {
      self->send(s.done, report_atom::value, s.sent, s.refused, std::move(s.latencies));
      self->quit();
      return;
    }
    auto due = static_cast<size_t>(std::chrono::duration<double>(now - s.start).count() *
                                   static_cast<double>(s.rate));
    // This tick's commands, one request per partition; each command's latency counts from
    // its scheduled send time (start + k / rate), so neither ticks nor queues hide any.
    std::vector<actors::submission> subs;
    auto sent_steps = std::make_shared<std::vector<std::pair<std::string, int>>>();
    auto scheduled = std::make_shared<std::vector<steady::time_point>>();
    while (s.sent < due) {
      auto next = s.steps.next(*s.rt);
      scheduled->push_back(
          s.start + std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(
                        static_cast<double>(s.sent) / static_cast<double>(s.rate))));
      ++s.sent;
      subs.push_back(bench::lifecycle_command(next.first, next.second,
                                              (*s.fields)[s.steps.opened % s.fields->size()]));
      sent_steps->push_back(std::move(next));
    }
    submit_grouped(
        self, *s.rt, std::move(subs), caf::duration{60s},
        [self, sent_steps, scheduled](size_t i, const actors::command_result& r) {
          auto& s = self->state;
          s.latencies.push_back(static_cast<uint32_t>(
              std::chrono::duration_cast<std::chrono::microseconds>(steady::now() - (*scheduled)[i])
                  .count()));
          auto& [id, step] = (*sent_steps)[i];
          if (r.result != actors::command_result::kind::accepted)
            ++s.refused;
          else
            s.steps.acknowledged(id, step);
        });
    self->delayed_send(self, 5ms, tick_atom::value);
  }};
}

// How late each timer effect was decided: the event's time minus its timer's due time.
struct lateness_state {
  std::vector<uint32_t> ms;
};
caf::behavior lateness_watcher(caf::stateful_actor<lateness_state>* self) {
  return {
      [self](actors::committed_atom, const actors::commit_batch& batch) {
        // The flow's only timer is the first-response deadline: a breach is decided when it
        // fires, so its lateness is the breach's time minus the deadline.
        for (auto& c : *batch)
          for (auto& e : *c.events)
            if (auto* b = std::get_if<ev::sla_breached>(&e.body))
              self->state.ms.push_back(
                  static_cast<uint32_t>(std::max<int64_t>(0, to_ms(e.at) - to_ms(b->deadline))));
      },
      [self](report_atom) { return std::move(self->state.ms); },
  };
}

// vocflow as `vocflow serve` runs it, without HTTP, on the store in `dir`.
std::unique_ptr<node> start_node(const options& o, actors::wall_clock clock) {
  node_options no;
  no.cfg.data = {.dir = o.dir, .fsync = true, .cache_mb = 256};
  no.cfg.flows.dir = VOCFLOW_SOURCE_DIR "/bench/flows";
  no.cfg.runtime.partitions = o.partitions;
  no.http = no.api = no.notifiers = false;
  no.clock = std::move(clock);
  std::string error;
  auto n = node::start(std::move(no), error);
  if (!n) std::fprintf(stderr, "%s\n", error.c_str());
  return n;
}

// Child mode: the restart. Prints "ready <ms>" once a command is acknowledged (ms since main
// began), then how long until no timer that was due at the restart is left.
int restart(const options& o, steady::time_point main_start) {
  spdlog::set_level(spdlog::level::warn);
  bench_clock clock;
  auto at = *parse_utc(o.restart_at);
  clock.run_from(at);
  auto n = start_node(o, [&] { return clock.now(); });
  if (!n) return 1;
  auto started_ms = ms_since(main_start);
  auto* rt = &n->runtime();
  auto& db = n->store();
  auto self = std::make_unique<caf::scoped_actor>(n->system());
  auto id = rt->new_ticket_id();
  bool ok = false;
  (*self)
      ->request(rt->partition_for(id), 60s, actors::submit_atom::value,
                bench::lifecycle_command(id, 0, ticket_fields{.customer = "C-1", .channel = "web"}))
      .receive(
          [&](actors::command_result& r) {
            ok = r.result == actors::command_result::kind::accepted;
          },
          [&](caf::error&) {});
  auto ready = steady::now();
  std::printf(
      "ready %.0f ms (store, flows and runtime started %.0f ms), acknowledged %s, resident %ld "
      "MB\n",
      ms_since(main_start), started_ms, ok ? "yes" : "NO", rss_mb());
  std::fflush(stdout);
  // Overdue: due at or before `at`. Done when no partition's earliest due row is that old.
  auto overdue_left = [&] {
    for (uint16_t p = 0; p < rt->partitions(); ++p)
      if (auto d = bench::earliest_due(db, p); d && *d <= at) return true;
    return false;
  };
  while (overdue_left() && ms_since(ready) < 60'000) std::this_thread::sleep_for(1ms);
  std::printf("overdue done %.0f ms after ready, resident %ld MB\n", ms_since(ready), rss_mb());
  self.reset();
  n->stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  auto main_start = steady::now();
  options o;
  o.self = argv[0];
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&] { return i + 1 < argc ? std::string{argv[++i]} : std::string{}; };
    if (a == "--tickets")
      o.tickets = std::stoul(value());
    else if (a == "--rate")
      o.rate = std::stoul(value());
    else if (a == "--peak-seconds")
      o.peak_seconds = std::stoi(value());
    else if (a == "--seconds")
      o.seconds = std::stoi(value());
    else if (a == "--gap")
      o.gap = std::stoi(value());
    else if (a == "--partitions")
      o.partitions = static_cast<uint32_t>(std::stoul(value()));
    else if (a == "--data")
      o.data = value();
    else if (a == "--dir")
      o.dir = value();
    else if (a == "--restart-at")
      o.restart_at = value();
    else {
      std::fprintf(
          stderr,
          "usage: scale_bench [--tickets N] [--rate R] [--peak-seconds S] [--seconds S] [--gap G] "
          "[--partitions P] [--data CSV] [--dir DIR]\n");
      return 2;
    }
  }
  if (!o.restart_at.empty()) return restart(o, main_start);

  spdlog::set_level(spdlog::level::warn);
  auto fields = bench::shared(bench::complaints(o.data));
  if (fields.empty()) {
    bench::no_complaints(o.data);
    return 1;
  }
  std::unique_ptr<testing::temp_dir> tmp;
  if (o.dir.empty()) tmp = std::make_unique<testing::temp_dir>(), o.dir = *tmp / "vocflow";
  auto origin = std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
  bench_clock clock;
  clock.load_origin_ms = to_ms(origin);
  clock.load_step_us = 3'600'000'000 / static_cast<int64_t>(std::max<size_t>(o.tickets, 1));

  bench::print_machine();
  std::printf(
      "workload     %zu tickets opened (1h first-response SLA, escalation at 100%%), "
      "fsync\n",
      o.tickets);
  std::shared_ptr<storage::store> db;  // kept after the node stops, for the restart's count
  {
    auto n = start_node(o, [&] { return clock.now(); });
    if (!n) return 1;
    db = n->store_handle();
    auto& sys = n->system();
    auto* rt = &n->runtime();
    auto main_actor = std::make_unique<caf::scoped_actor>(sys);  // gone before the node
    auto& main = *main_actor;

    // 1. Load.
    size_t opened = 0;
    pump_state load;
    load.rt = rt;
    load.limit = 128;  // few in flight: each clump of equal opening times stays small
    load.acknowledged = &clock.acknowledged;
    load.done = main;
    load.next = [&]() -> std::optional<std::pair<actors::submission, int>> {
      if (opened == o.tickets) return std::nullopt;
      auto id = rt->new_ticket_id();
      return std::pair{bench::lifecycle_command(id, 0, fields[opened++ % fields.size()]), 0};
    };
    auto t0 = steady::now();
    caf::anon_send(sys.spawn(pump, std::move(load)), tick_atom::value);
    size_t sent = 0, refused = 0;
    main->receive([&](report_atom, size_t s, size_t r) { sent = s, refused = r; });
    double load_s = ms_since(t0) / 1000;
    std::printf(
        "load         %zu opens in %.1f s = %.0f opens/s, %zu refused; resident %ld MB "
        "(%.0f bytes per open ticket)\n",
        sent, load_s, static_cast<double>(sent) / load_s, refused, rss_mb(),
        static_cast<double>(rss_mb()) * (1 << 20) / static_cast<double>(o.tickets));

    // 1b. The peak: the lifecycle at full speed (4,096 commands in flight) for --peak-seconds,
    // with the N tickets open and their timers armed. The clock stands half an hour before the
    // first deadline, so no timer fires and the new tickets' deadlines fall after the window.
    clock.run_from(origin + 30min);
    lifecycle_steps peak_steps;
    size_t peak_acked = 0;
    auto peak_until = steady::now() + std::chrono::seconds(o.peak_seconds);
    pump_state peak;
    peak.rt = rt;
    peak.limit = 4096;
    peak.done = main;
    peak.next = [&]() -> std::optional<std::pair<actors::submission, int>> {
      if (steady::now() >= peak_until) return std::nullopt;
      auto [id, step] = peak_steps.next(*rt);
      return std::pair{
          bench::lifecycle_command(id, step, fields[peak_steps.opened % fields.size()]), step};
    };
    peak.accepted = [&](const std::string& id, int step) {
      ++peak_acked;
      peak_steps.acknowledged(id, step);
    };
    auto peak_start = steady::now();
    caf::anon_send(sys.spawn(pump, std::move(peak)), tick_atom::value);
    main->receive([&](report_atom, size_t, size_t) {});
    double peak_rate = static_cast<double>(peak_acked) / (ms_since(peak_start) / 1000);
    size_t rate = o.rate ? o.rate : static_cast<size_t>(peak_rate / 2);
    std::printf(
        "peak         %.0f commands/s (lifecycle, 4,096 in flight, %d s, %zu open tickets); "
        "serving at %zu commands/s%s\n",
        peak_rate, o.peak_seconds, o.tickets, rate, o.rate ? " (--rate)" : ", half the peak");

    // 2. Timers fire (N/3600 per second) while the lifecycle runs at the fixed rate.
    auto watcher = sys.spawn(lateness_watcher);
    rt->subscribe(caf::actor_cast<actors::subscriber_actor>(watcher));
    // The wall clock runs from the first due time on (the opens were decided a little after
    // the clock was set for them, while thousands were in flight).
    std::optional<time_point> first_due;
    for (uint16_t p = 0; p < rt->partitions(); ++p)
      if (auto d = bench::earliest_due(*db, p); d && (!first_due || *d < *first_due)) first_due = d;
    clock.run_from(first_due.value_or(origin + 1h));
    rt->poke_timers();
    pacer_state ps;
    ps.rt = rt, ps.fields = &fields, ps.rate = rate, ps.done = main;
    ps.start = steady::now(), ps.until = ps.start + std::chrono::seconds(o.seconds);
    auto pacer_actor = sys.spawn(pacer, std::move(ps));
    caf::anon_send(pacer_actor, tick_atom::value);
    size_t paced = 0, paced_refused = 0;
    std::vector<uint32_t> paced_latency;  // microseconds, of the commands answered in time
    main->receive([&](report_atom, size_t s, size_t r, std::vector<uint32_t>& l) {
      paced = s, paced_refused = r, paced_latency = std::move(l);
    });
    std::vector<uint32_t> late;
    main->request(watcher, 60s, report_atom::value)
        .receive(
            [&](std::vector<uint32_t>& v) { late = std::move(v); },
            [&](caf::error& e) { std::fprintf(stderr, "watcher: %s\n", sys.render(e).c_str()); });
    std::printf(
        "serving      %zu lifecycle commands sent in %d s = %.0f commands/s (target %zu), %zu "
        "answered in the window, latency p50 %.1f ms, p99 %.1f ms; %zu refused\n",
        paced, o.seconds, static_cast<double>(paced) / o.seconds, rate, paced_latency.size(),
        bench::percentile(paced_latency, 0.5) / 1000, bench::percentile(paced_latency, 0.99) / 1000,
        paced_refused);
    std::printf(
        "timers       %zu fired while serving (%.0f/s); lateness p50 %.0f ms, p99 %.0f ms, "
        "max %.0f ms\n",
        late.size(), static_cast<double>(late.size()) / o.seconds, bench::percentile(late, 0.5),
        bench::percentile(late, 0.99),
        late.empty() ? 0.0 : static_cast<double>(*std::max_element(late.begin(), late.end())));
    std::printf("resident     %ld MB now, peak %ld MB\n", rss_mb(), bench::peak_rss_mb());
    caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown);
    main_actor.reset();
    n->stop();
  }
  // 3. Restart after `gap` seconds of wall time, in a fresh process.
  auto stopped_at = clock.now();
  auto restart_at = stopped_at + std::chrono::seconds(o.gap);
  if (std::getenv("SCALE_DEBUG")) {  // how many breaches per ticket, and a sample history
    std::map<int, size_t> per;
    std::string sample;
    bench::report_failure(db->for_each_ticket([&](const ticket& t) {
      per[t.breaches]++;
      if (t.breaches > 0 && (sample.empty() || t.id > sample)) sample = t.id;
      return true;
    }));
    for (auto& [b, n] : per) std::fprintf(stderr, "debug %d breaches: %zu tickets\n", b, n);
    if (!sample.empty()) {
      std::vector<event> h;
      bench::report_failure(db->history(sample, h));
      for (auto& e : h)
        std::fprintf(stderr, "debug %s %s %s\n", sample.c_str(), format_utc(e.at).c_str(),
                     std::string{e.type()}.c_str());
    }
  }
  size_t overdue = 0, armed = 0;
  bench::report_failure(db->for_each_due([&](uint16_t, const storage::due_timer& d) {
    ++armed;
    overdue += d.due <= restart_at;
    return true;
  }));
  db.reset();
  std::printf("restart      %zu timers armed, %zu of them overdue after a %d s stop\n", armed,
              overdue, o.gap);
  std::fflush(stdout);
  auto t0 = steady::now();
  pid_t pid = fork();
  if (pid == 0) {
    auto parts = std::to_string(o.partitions);
    execl(o.self.c_str(), o.self.c_str(), "--dir", o.dir.c_str(), "--restart-at",
          format_utc(restart_at).c_str(), "--partitions", parts.c_str(), nullptr);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::printf("restart      child exited %d after %.1f s (its lines above)\n",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1, ms_since(t0) / 1000);
  return 0;
}

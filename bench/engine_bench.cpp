// The pure engine on the lifecycle workload (../shared/bench/WORKLOAD.md), one thread, no
// actors and no RocksDB: what decide(), apply() and the stored encoding cost per command, the
// part of lifecycle_bench's figure that is vocflow's own logic. Deterministic enough to compare
// builds under `valgrind --tool=callgrind` (instructions per command).
//
//   engine_bench [--iterations TICKETS] [google benchmark flags]
#include "bench/bench_common.hpp"
#include "storage/codec.hpp"
#include "workflows/catalog.hpp"
#include "workflows/engine.hpp"

#include <benchmark/benchmark.h>

#include <memory>

using namespace vocflow;

namespace {

struct workload {
  catalog cat;
  std::shared_ptr<const flow> lifecycle;
  std::vector<shared_value<ticket_fields>> fields;
};

const workload& load() {
  static const workload w = [] {
    workload w;
    diagnostics d;
    std::vector<source_file> files;
    for (auto name : {"organization.yaml", "lifecycle.yaml"})
      if (auto f = read_source(VOCFLOW_SOURCE_DIR "/bench/flows/" + std::string{name}, d))
        files.push_back(std::move(*f));
    w.cat = load_catalog(files, d);
    w.lifecycle = w.cat.find("lifecycle");
    w.fields = bench::shared(bench::complaints(bench::cfpb_csv));
    if (!w.lifecycle || w.fields.empty()) std::abort();
    return w;
  }();
  return w;
}

// One ticket's five commands as a partition runs them: decide, keep the new state shared,
// encode the events (and a snapshot at open and close).
void BM_Lifecycle(benchmark::State& state) {
  auto& w = load();
  std::string scratch;
  size_t n = 0;
  auto now = from_ms(1'780'000'000'000);
  for (auto _ : state) {
    auto current = std::make_shared<const ticket>();
    for (int step = 0; step < 5; ++step) {
      auto sub = bench::lifecycle_command("T-0000000" + std::to_string(n), step,
                                          w.fields[n % w.fields.size()]);
      sub.cmd.ticket_id = sub.ticket_id;
      // As a partition without webhooks decides: no notifications, no enqueue effects.
      auto out = decide(*w.lifecycle, *current, sub.cmd, now, {.notify = false, .enqueue = false});
      auto* d = std::get_if<decision>(&out);
      if (!d) state.SkipWithError("rejected");
      scratch.clear();
      storage::encode_events(scratch, d->events.data(), d->events.size());
      auto next = std::make_shared<const ticket>(std::move(d->next));
      if (step == 0 || step == 4) storage::encode_ticket(scratch, *next);
      benchmark::DoNotOptimize(scratch.data());
      current = std::move(next);
      now += std::chrono::seconds{1};
    }
    ++n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(n * 5));  // commands
}
}  // namespace

// --iterations N: exactly N tickets (for instruction counts that compare across builds).
int main(int argc, char** argv) {
  int64_t iterations = 0;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc)
      iterations = std::stoll(argv[++i]);
    else
      rest.push_back(argv[i]);
  }
  auto* b = benchmark::RegisterBenchmark("BM_Lifecycle", BM_Lifecycle);
  if (iterations) b->Iterations(iterations);
  int n = static_cast<int>(rest.size());
  benchmark::Initialize(&n, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
}

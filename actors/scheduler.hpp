// How the runtime wants CAF's scheduler: how many workers, and at which priority.
//
// With partitions on threads of their own (runtime.dedicated_threads), and the API's gateway
// too (connectors/gateway.cpp), the scheduler's workers run everything else: the read models
// (department queues, metrics), the timer services, the registry, queries. `runtime.
// scheduler_nice` lowers those workers' priority (a nice value above the process's), so that
// when the cores are short a partition with a group commit to decide or write runs first: that
// is the path every reply waits on, while the read models only have to keep up
// (bench/RESULTS.md).
#pragma once

#include "config/config.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>

namespace vocflow::actors {

// The scheduler threads a runtime wants: one per core, plus one per partition when partitions
// run on the scheduler (they block while their group commit is fsynced).
size_t scheduler_threads(const runtime_config& cfg);

// The nice value added to the scheduler's workers: cfg.scheduler_nice with partitions on threads
// of their own, else 0 (the partitions run on those workers).
int scheduler_nice(const runtime_config& cfg);

// Sets the worker count and, where scheduler_nice(cfg) > 0, a thread hook that lowers each
// worker's priority as it starts (Linux: per-thread nice). Threads a worker starts inherit its
// priority: an actor that spawns actors on the reply path (the partitions' supervisor) runs on
// a thread of its own too.
void configure_scheduler(caf::actor_system_config& caf_cfg, const runtime_config& cfg);

// Spawns an actor on the path every reply waits on (a partition, the API's gateway, the
// supervisor that restarts partitions): on a thread of its own, at the priority of the thread
// that spawns it, with cfg.dedicated_threads; else on the scheduler.
template <class... Ts>
auto spawn_on_reply_path(caf::actor_system& sys, const runtime_config& cfg, Ts&&... xs) {
  return cfg.dedicated_threads ? sys.spawn<caf::detached>(std::forward<Ts>(xs)...)
                               : sys.spawn(std::forward<Ts>(xs)...);
}

// This thread's nice value (tests, benchmarks).
int thread_nice();

// Adds `by` (0-19) to the calling thread's nice value (at most 19); a failure is logged.
void lower_this_thread(int by);

}  // namespace vocflow::actors

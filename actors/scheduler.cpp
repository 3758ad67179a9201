#include "actors/scheduler.hpp"

#include <caf/thread_hook.hpp>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>
#include <thread>

namespace vocflow::actors {
namespace {

// CAF 0.17 names its scheduler's workers "caf.multiplexer" (detail/worker.hpp) before it calls
// the thread hooks; its clock is "caf.clock", a detached actor's thread "caf.actor".
constexpr std::string_view worker_name = "caf.multiplexer";

class lower_workers final : public caf::thread_hook {
 public:
  explicit lower_workers(int nice) : nice_{nice} {}

  void init(caf::actor_system&) override {}

  void thread_started() override {
    char name[32] = {};
    if (pthread_getname_np(pthread_self(), name, sizeof name) != 0 || name != worker_name) return;
    lower_this_thread(nice_);
  }

  void thread_terminates() override {}

 private:
  int nice_;
};

}  // namespace

size_t scheduler_threads(const runtime_config& cfg) {
  size_t cores = std::max(1u, std::thread::hardware_concurrency());
  size_t partitions = cfg.partitions ? cfg.partitions : cores;
  return cfg.dedicated_threads ? cores : cores + partitions;
}

int scheduler_nice(const runtime_config& cfg) {
  return cfg.dedicated_threads ? static_cast<int>(cfg.scheduler_nice) : 0;
}

void configure_scheduler(caf::actor_system_config& caf_cfg, const runtime_config& cfg) {
  caf_cfg.set("scheduler.max-threads", scheduler_threads(cfg));
  if (auto n = scheduler_nice(cfg); n > 0) caf_cfg.add_thread_hook<lower_workers>(n);
}

int thread_nice() {
  return getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
}

void lower_this_thread(int by) {
  if (by <= 0) return;
  auto target = std::min(19, thread_nice() + by);
  // The calling thread only (Linux: PRIO_PROCESS with a thread id).
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), target) != 0)
    spdlog::warn("cannot lower a thread to nice {}: {}", target, std::strerror(errno));
}

}  // namespace vocflow::actors

#include "actors/stats.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vocflow::actors {

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i] = 0;
}

void histogram::observe(double v) {
  auto i =
      static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  double old = sum_.load(std::memory_order_relaxed);
  while (!sum_.compare_exchange_weak(old, old + v, std::memory_order_relaxed)) {
  }
}

void histogram::render(std::string& out, const std::string& name, const std::string& labels) const {
  auto sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out +=
        fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, bounds_[i], cumulative);
  }
  cumulative += buckets_[bounds_.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  auto braces = labels.empty() ? std::string{} : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n", name, braces, sum_.load(std::memory_order_relaxed));
  out += fmt::format("{}_count{} {}\n", name, braces, cumulative);
}

channel_stats::channel_stats(std::string n)
    : name(std::move(n)),
      attempt_seconds({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}) {}

runtime_stats::runtime_stats(uint32_t partitions, const std::vector<std::string>& channel_names)
    : commit_seconds({0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}),
      commit_commands({1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000}),
      timer_lateness_seconds(
          {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300}),
      backlog(partitions) {
  for (auto& n : channel_names) channels.push_back(std::make_unique<channel_stats>(n));
}

channel_stats* runtime_stats::channel(std::string_view name) const {
  for (auto& w : channels)
    if (w->name == name) return w.get();
  return nullptr;
}

void runtime_stats::spike(const std::string& topic) {
  std::lock_guard lock{spikes_lock_};
  ++spikes_[topic];
}

std::map<std::string, uint64_t> runtime_stats::spikes() const {
  std::lock_guard lock{spikes_lock_};
  return spikes_;
}

}  // namespace vocflow::actors

// Instruments the runtime updates from any thread (partitions, timer services), read by the
// metrics endpoint: commit latency and size, timer lateness, partition backlog. Lock-free.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace vocflow::actors {

// A Prometheus histogram with fixed buckets.
class histogram {
 public:
  explicit histogram(std::vector<double> bounds);
  void observe(double v);
  // "# TYPE" is the caller's; writes the _bucket, _sum and _count lines.
  void render(std::string& out, const std::string& name, const std::string& labels = {}) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

struct runtime_stats {
  explicit runtime_stats(uint32_t partitions);

  histogram commit_seconds;          // one group commit (RocksDB write, fsync included)
  histogram commit_commands;         // commands in one group commit
  histogram timer_lateness_seconds;  // how long after its due time a timer was handled
  std::atomic<uint64_t> commits{0}, commit_failures{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, failed{0};  // commands
  std::vector<std::atomic<int64_t>> backlog;  // per partition: messages waiting, last seen
};

}  // namespace vocflow::actors

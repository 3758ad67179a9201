// Instruments the runtime updates from any thread (partitions, timer services), read by the
// metrics endpoint: commit latency and size, timer lateness, partition backlog. Lock-free, but for
// the rare spikes.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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

// One outbound channel, updated by its notifier.
struct channel_stats {
  explicit channel_stats(std::string name);
  const std::string name;
  std::atomic<uint64_t> delivered{0};  // accepted by the receiver
  std::atomic<uint64_t> failed{0};     // attempts that failed (will be retried)
  std::atomic<uint64_t> given_up{0};   // became dead letters
  std::atomic<int64_t> backlog{0};     // waiting in the outbox, last seen
  std::atomic<int64_t> dead_letters{0};
  histogram attempt_seconds;  // one delivery attempt
};

struct runtime_stats {
  runtime_stats(uint32_t partitions, const std::vector<std::string>& channels = {});

  histogram commit_seconds;          // one group commit (RocksDB write, fsync included)
  histogram commit_commands;         // commands in one group commit
  histogram timer_lateness_seconds;  // how long after its due time a timer was handled
  std::atomic<uint64_t> commits{0}, commit_failures{0};
  std::atomic<uint64_t> accepted{0}, rejected{0}, failed{0};  // commands
  std::atomic<uint64_t> timer_read_failures{0};  // passes of a timer service that could not read
  std::vector<std::atomic<int64_t>> backlog;     // per partition: messages waiting, last seen
  std::vector<std::unique_ptr<channel_stats>> channels;  // fixed at start

  channel_stats* channel(std::string_view name) const;

  // Spikes flagged, by topic (rare: under a lock).
  void spike(const std::string& topic);
  std::map<std::string, uint64_t> spikes() const;

 private:
  mutable std::mutex spikes_lock_;
  std::map<std::string, uint64_t> spikes_;
};

}  // namespace vocflow::actors

// A node of a replicated cluster (config `cluster:`): what its partitions share to write
// through JetStream, follow each other and forward commands, and the lease keeper that decides
// which partitions this node writes.
//
//   stream <PREFIX>_P<i>, subject <prefix>.log.<i>   partition i's committed groups, in order
//   bucket <prefix>-leases, key p<i>                  who writes partition i (lapses unrenewed)
//   subject <prefix>.cmd.<i>                          commands for partition i, to its writer
//
// A partition's writer appends each group before writing it to its own RocksDB and replying;
// the append expects the stream's last sequence to be the one it last saw, so a node that lost
// its lease cannot append even before it knows. Every other node follows the stream into its
// own RocksDB and read models, and forwards commands to the writer.
#pragma once

#include "actors/interfaces.hpp"
#include "config/config.hpp"
#include "storage/jetstream.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vocflow::actors {

class flow_library;

// ---- what goes over the wire ----

// A committed group as appended: the tickets it touched and the RocksDB batch that writes it.
struct log_group {
  std::vector<std::string> tickets;
  std::string_view batch;  // empty: a marker (a new writer took the partition)
};
std::string encode_group(const std::vector<std::string>& tickets, std::string_view batch);
[[nodiscard]] bool decode_group(std::string_view data, log_group& out);

// Commands forwarded to a partition's writer, and what it answers: the results with the
// sequence of the group that holds them (the forwarding node answers once it has read that
// far, so that its caller reads what it wrote), or why it could not take them.
std::string encode_submissions(const submissions& subs);
[[nodiscard]] bool decode_submissions(std::string_view data, submissions& out);
struct forwarded_answer {
  std::string refused;  // not empty: the receiver does not write this partition (any more)
  uint64_t seq = 0;
  std::vector<command_result> results;
};
std::string encode_answer(const forwarded_answer& a);
// Results' flows are looked up in `flows` (every node deploys the same ones).
[[nodiscard]] bool decode_answer(std::string_view data, const flow_library& flows,
                                 forwarded_answer& out);

// ---- the node's link to the cluster ----

class cluster_link {
 public:
  // Connects, creates the streams and the lease bucket (or finds them). nullptr with `error`.
  static std::shared_ptr<cluster_link> connect(const cluster_config& cfg, uint32_t partitions,
                                               std::string& error);
  ~cluster_link();

  storage::jetstream& js() { return *js_; }
  const cluster_config& cfg() const { return cfg_; }
  const std::string& node() const { return cfg_.node; }
  std::string stream(uint32_t p) const;
  std::string log_subject(uint32_t p) const;
  std::string command_subject(uint32_t p) const;
  std::string reply_subject(uint32_t p, uint64_t token) const;
  // A message id for an append, unique to this process and partition.
  std::string append_id(uint32_t p);
  // The meta key a replica keeps its position in partition p's stream under.
  static std::string position_key(uint32_t p);

  // Starts the lease keeper and the reply subscription; `partition(p)` is where to tell
  // partition p that it is written here now (own) or not (lose), and where answers go.
  void start(std::function<partition_actor(uint32_t)> partition);
  void stop();

  bool owns(uint32_t p) const { return held_[p].load(); }
  // This node writes partition 0: it does what one node does for the cluster (the voice's
  // commands).
  bool leads() const { return owns(0); }
  size_t owned() const;
  // Who writes each partition, as the keeper last read it ("" unknown).
  std::vector<std::string> owners() const;
  // The partition asks to give its lease up (it was fenced: another node wrote).
  void resign(uint32_t p);

 private:
  cluster_link() = default;
  void keep();  // the lease keeper's loop
  void renew_or_take(uint32_t p, size_t fewest, bool& changed);

  cluster_config cfg_;
  uint32_t partitions_ = 0;
  std::shared_ptr<storage::jetstream> js_;
  std::function<partition_actor(uint32_t)> partition_;
  std::unique_ptr<storage::jetstream_subscription> replies_;
  std::string inbox_;
  std::unique_ptr<std::atomic<bool>[]> held_;
  std::vector<uint64_t> revision_;                              // keeper thread only
  std::vector<std::chrono::steady_clock::time_point> renewed_;  // keeper thread only
  std::vector<int> unheld_rounds_;                              // keeper thread only
  std::unique_ptr<std::atomic<bool>[]> resign_;
  mutable std::mutex owners_lock_;
  std::vector<std::string> owners_;
  std::atomic<uint64_t> appends_{0};
  uint64_t nonce_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread keeper_;
};

}  // namespace vocflow::actors

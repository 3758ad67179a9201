// A connection to a NATS JetStream cluster (the C client, libnats): the replicated log of a
// vocflow cluster. Each partition's committed groups are a stream; ownership of a partition is
// a lease in a key-value bucket; nodes ask each other through core NATS request/reply.
//
// Only what vocflow needs, as values: every call reports failure as a status (conflict: the
// log or the lease moved on under the caller; unavailable: no quorum answered in time).
// Thread-safe, as the C client is: any thread may call; callbacks run on the client's threads.
#pragma once

#include "storage/status.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace vocflow::storage {

struct jetstream_options {
  std::vector<std::string> servers;         // nats://host:port, any of the cluster's
  std::string name;                         // the connection's name (the node), seen in the servers
  std::chrono::milliseconds timeout{2000};  // an API call or an append waits so long for quorum
  int replicas = 3;                         // of every stream and bucket vocflow creates
};

// A subscription; unsubscribes when destroyed (after which its callback is not called).
class jetstream_subscription {
 public:
  explicit jetstream_subscription(void* sub) : sub_(sub) {}  // the client's natsSubscription
  ~jetstream_subscription();
  jetstream_subscription(const jetstream_subscription&) = delete;
  jetstream_subscription& operator=(const jetstream_subscription&) = delete;

 private:
  void* sub_;
};

class jetstream {
 public:
  // Connects (reconnecting for ever after: a server that goes is replaced by another one of
  // `servers` or of the cluster it announces). nullptr with `error` when no server answers.
  static std::shared_ptr<jetstream> connect(const jetstream_options& options, std::string& error);
  ~jetstream();
  jetstream(const jetstream&) = delete;
  jetstream& operator=(const jetstream&) = delete;

  const jetstream_options& options() const { return options_; }

  // ---- streams: one per partition, one subject each ----
  // Creates the file-backed stream with `options().replicas` replicas, or checks it is there;
  // a new stream gets an empty first message (appends then always expect a sequence >= 1).
  status ensure_stream(const std::string& stream, const std::string& subject);
  // The sequence of the stream's last message (0 when empty).
  status last_seq(const std::string& stream, uint64_t& out);
  // Appends `data` if and only if the stream's last sequence is `expect_last` (>= 1): conflict when
  // another writer appended meanwhile. The append is acknowledged once a quorum of the
  // stream's replicas stored it. `msg_id` identifies the append: sent again after an
  // unanswered attempt, it is stored once (`seq` is then the first attempt's).
  status append(const std::string& subject, std::string_view data, uint64_t expect_last,
                const std::string& msg_id, uint64_t& seq);
  // The message at `seq` of a stream (not_found when there is none).
  status read(const std::string& stream, uint64_t seq, std::string& data);
  // Every message of `subject` from sequence `from` on, in order, for as long as the result
  // lives: an ordered consumer, re-created by the client across server failures.
  using message_visitor = std::function<void(uint64_t seq, int64_t unix_ms, std::string_view)>;
  std::unique_ptr<jetstream_subscription> follow(const std::string& stream,
                                                 const std::string& subject, uint64_t from,
                                                 message_visitor on, status& st);

  // ---- leases: a key-value bucket whose entries expire `ttl` after their last write ----
  status open_bucket(const std::string& bucket, std::chrono::milliseconds ttl);
  // Takes `key` if nobody holds it: conflict when somebody does. `revision` is the new one.
  status create(const std::string& key, const std::string& value, uint64_t& revision);
  // Writes `key` if its revision is still `last` (a renewal): conflict when it moved on.
  status update(const std::string& key, const std::string& value, uint64_t last,
                uint64_t& revision);
  // not_found when nobody holds it (never taken, expired or released).
  status get(const std::string& key, std::string& value, uint64_t& revision);
  status remove(const std::string& key);
  // The keys held now that start with `prefix`.
  status keys(const std::string& prefix, std::vector<std::string>& out);

  // ---- core NATS: nodes ask each other ----
  // Calls `on(data, reply_subject)` for each message to `subject`; with a `queue`, each message
  // goes to one member of the queue group.
  using request_visitor = std::function<void(std::string_view data, std::string_view reply)>;
  std::unique_ptr<jetstream_subscription> serve(const std::string& subject,
                                                const std::string& queue, request_visitor on,
                                                status& st);
  // Publishes with a reply subject (a request whose answer comes to a subscription).
  status publish(const std::string& subject, std::string_view data, const std::string& reply = {});
  // Answers to the subjects `prefix`.* go to `on(token, data, no_responders)`: token is
  // what follows the prefix; no_responders when nobody served the request's subject.
  using reply_visitor =
      std::function<void(std::string_view token, std::string_view data, bool no_responders)>;
  std::unique_ptr<jetstream_subscription> replies(const std::string& prefix, reply_visitor on,
                                                  status& st);
  // A new unique subject prefix for replies to this connection.
  std::string inbox() const;

 private:
  struct handles;  // the client's connection, JetStream context and bucket
  explicit jetstream(jetstream_options options);
  jetstream_options options_;
  std::unique_ptr<handles> h_;
};

}  // namespace vocflow::storage

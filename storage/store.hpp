// The one RocksDB of a vocflow node. Tables are column families; integers in keys are
// big-endian so that byte order is time and number order.
//
//   events       ticket \0 first_seq:be64       -> the events of one command (codec.hpp)
//   tickets      ticket                          -> snapshot: state, last seq, flow id@version
//   due          partition:be16 due:be64 ticket \0 timer:be64 -> (empty)
//   idempotency  client key                      -> ticket [\0 request fingerprint, 16 hex]
//   flows        id \0 version:be32              -> YAML source
//   ledger       customer \0 at:be64 ticket \0 seq:be64 -> compensation granted (money)
//   alerts       at:be64 ticket \0 seq:be64        -> an SLA warning, breach or escalation
//   opened       at:be64 ticket                  -> (empty): tickets by the time they opened
//   outbox       channel \0 next:be64 ticket \0 seq:be64 -> a notification to deliver
//   dead_letters channel \0 ticket \0 seq:be64   -> a notification given up on
//   meta         name                            -> value
//
// Thread-safe: partitions write their own batches concurrently; any thread may read.
// Writes block until durable: with `sync`, the WAL is fsynced before write() returns.
// Scans (for_each_*) read a chunk of rows at a time and call their visitor between chunks, with
// nothing held: a visitor may call the store, and a scan of a million rows never keeps a
// reopening (resume) waiting for more than one chunk. Rows written during a scan may or may not
// be seen; none is seen twice.
#pragma once

#include "storage/status.hpp"
#include "workflows/events.hpp"
#include "workflows/ticket.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class FileSystem;
class WriteBatch;
}  // namespace rocksdb

namespace vocflow::storage {

struct store_options {
  std::string path;
  bool sync = true;        // fsync the WAL before a write returns. Default: true
  size_t cache_mb = 256;   // block cache. Default: 256 MB
  bool read_only = false;  // open a stopped store for reading (vocflow inspect)
  // RocksDB's own memtable instead of vocflow's (storage/memtable.hpp), for benchmarks that
  // compare the two. Default: false
  bool rocksdb_memtable = false;
  // The file system RocksDB reads and writes through. Default: the operating system's (tests
  // give one that fails on demand).
  std::shared_ptr<rocksdb::FileSystem> file_system;
};

// Totals of every write since open (for metrics and benchmarks).
struct write_stats {
  uint64_t writes = 0;      // WriteBatches (group commits)
  uint64_t operations = 0;  // puts and deletes in them
  uint64_t bytes = 0;       // their encoded size
  uint64_t nanos = 0;       // time spent in write(), fsync included
  uint64_t failures = 0;
};

// An SLA warning, breach or escalation, kept for the ops feed (GET /v1/breaches).
struct alert {
  std::string ticket;
  std::string flow;
  std::string department;  // responsible when it happened
  event what;
  // The ticket then: its step, who had it, and what the complaint is about (the "why" of a
  // breach).
  std::string assignee, category, product;
  std::vector<std::string> topics;
  std::string step;

  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("ticket", s.ticket), f("flow", s.flow), f("department", s.department);
    f("assignee", s.assignee), f("category", s.category), f("product", s.product);
    f("topics", s.topics), f("step", s.step);
  }
};

// A notification for one outbound channel (a webhook, ...), from its commit until the channel
// has delivered it.
struct outbox_entry {
  std::string channel;  // each channel has its own outbox, by its name
  std::string ticket;
  uint64_t seq = 0;  // of the event it tells about: ticket:seq is the notification's id
  std::string type;
  time_point created;
  time_point next_at;  // the next attempt
  int32_t attempts = 0;
  std::string last_error;
  // The notification (JSON), fixed at commit so that every attempt sends the same bytes: what
  // every channel renders its own way.
  std::string body;

  std::string id() const { return ticket + ":" + std::to_string(seq); }
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("channel", s.channel), f("ticket", s.ticket), f("seq", s.seq), f("type", s.type);
    f("created", s.created), f("next_at", s.next_at), f("attempts", s.attempts);
    f("last_error", s.last_error), f("body", s.body);
  }
};

struct due_timer {
  time_point due;
  std::string ticket;
  uint64_t timer = 0;
};

class store;

// The changes of a group of commands, written atomically by store::write.
class write_set {
 public:
  ~write_set();
  write_set(write_set&&) noexcept;

  void events(const std::string& ticket, const std::vector<event>& events);
  void snapshot(const ticket& t);
  void arm(uint16_t partition, const std::string& ticket, uint64_t timer, time_point due);
  void disarm(uint16_t partition, const std::string& ticket, uint64_t timer, time_point due);
  // `fingerprint`: of the request that opened the ticket, to tell a retry from a different
  // request under the same key.
  void idempotency(const std::string& key, const std::string& ticket, uint64_t fingerprint = 0);
  void grant(const std::string& customer, time_point at, const std::string& ticket, uint64_t seq,
             money amount);
  void flow(const std::string& id, int32_t version, const std::string& source);
  void alert(const storage::alert& a);
  void opened(const std::string& ticket, time_point at);
  void outbox(const outbox_entry& e);
  void outbox_remove(const outbox_entry& e);  // the row at e.next_at
  void dead_letter(const outbox_entry& e);
  // Bytes as they are, into the events table: the raw-append baseline of the benchmarks.
  void raw(const std::string& key, const std::string& value);
  // A value in the meta table, written with the group (a replica's position in its log).
  void meta(const std::string& name, const std::string& value);

  // The set in RocksDB's encoding: what a replicated node ships to its followers, who write
  // it with store::batch_from.
  std::string_view encoded() const;

  // Empties the set for the next group, keeping the memory it has grown (a group commit is
  // a few hundred KB: allocated afresh each time, its pages were faulted in again each time).
  void clear();

  size_t operations() const { return operations_; }
  size_t bytes() const;
  bool empty() const { return operations_ == 0; }

 private:
  friend class store;
  explicit write_set(const store& s);
  const store* store_;
  std::unique_ptr<rocksdb::WriteBatch> batch_;
  std::string scratch_;  // values are encoded here, then copied into the batch
  size_t operations_ = 0;
};

class store {
 public:
  static std::shared_ptr<store> open(const store_options& options, status& st);
  ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  write_set batch() const { return write_set{*this}; }
  // A batch from another store's encoding (write_set::encoded, a tap): a follower writes its
  // owner's groups so. The stores must have the same tables (every vocflow store has).
  write_set batch_from(std::string_view encoded) const;
  // Benchmarks only: every batch written from now on is shown to `tap` in RocksDB's encoding,
  // on the writing thread once written. Set it before anything writes.
  void tap(std::function<void(std::string_view encoded)> tap) { tap_ = std::move(tap); }
  // Writes the batch atomically; durable on return when the store syncs. `sync` false: not
  // synced whatever the store says (a replica whose stream is the durable record).
  status write(write_set& batch, bool sync = true);
  // After a failed write (e.g. a full disk): make the store writable again. RocksDB cannot
  // resume after a failed WAL append, so this closes and reopens the database (readers wait
  // for the moment it takes); the last WAL's torn tail is dropped on reopening, which loses
  // nothing that a write reported done. While a writable reopen fails (the disk is still
  // full) the store is opened read-only: reads go on, writes answer no_space.
  status resume();

  // A ticket's state: its latest snapshot with the events written after it applied. Snapshots
  // are written every few events, so loading replays a short tail, never a whole history.
  // `snapshot_seq` (optional) receives the seq the snapshot was taken at. not_found when none.
  status load(const std::string& ticket_id, ticket& out, uint64_t* snapshot_seq = nullptr) const;
  status history(const std::string& ticket_id, std::vector<event>& out) const;
  // Visits every ticket (snapshot + tail) in ticket-id order from `start`; stop by returning false.
  status for_each_ticket(const std::function<bool(const ticket&)>& visit,
                         const std::string& start = {}) const;

  // A partition's due timers with from <= due <= upto, in due order, at most `limit`. A caller
  // that knows no row is due before `from` should say so: the rows of fired and cancelled
  // timers stay behind as deletion markers until a compaction, and a read from the start of
  // the index steps over every one of them.
  status due(uint16_t partition, time_point upto, size_t limit, std::vector<due_timer>& out,
             std::optional<time_point> from = std::nullopt) const;
  // The earliest due time of a partition's rows, or of those due after `after` when given;
  // `out` is nullopt when there is none.
  status earliest_due(uint16_t partition, std::optional<time_point> after,
                      std::optional<time_point>& out) const;
  status for_each_due(const std::function<bool(uint16_t, const due_timer&)>& visit) const;

  // Moves every due row to the partition `owner(ticket)` names (after the partition count
  // changed). Returns the number of rows moved.
  status repartition_due(const std::function<uint16_t(const std::string& ticket)>& owner,
                         size_t& moved);

  // The ticket an idempotency key opened, and the fingerprint of its request (0 for keys
  // written without one); not_found when the key is new.
  status idempotent(const std::string& key, std::string& ticket, uint64_t& fingerprint) const;
  // Compensation granted to a customer since `since`, over every ticket.
  status granted_since(const std::string& customer, time_point since, money& out) const;
  status for_each_flow(const std::function<void(const std::string& id, int32_t version,
                                                const std::string& source)>& visit) const;

  // Alerts from `since` on, in time order; stop by returning false.
  status for_each_alert(time_point since, const std::function<bool(const alert&)>& visit) const;
  // A channel's notifications due by `upto`, in due order, at most `limit`.
  status outbox_due(const std::string& channel, time_point upto, size_t limit,
                    std::vector<outbox_entry>& out) const;
  // When its next notification is due; `out` is nullopt when its outbox is empty.
  status outbox_next(const std::string& channel, std::optional<time_point>& out) const;
  // Rows waiting for a channel (counting stops at `cap`), and its dead letters.
  status outbox_size(const std::string& channel, size_t cap, size_t& out) const;
  status dead_letters(const std::string& channel, size_t cap, size_t& out) const;

  // Tickets opened in [from, to), in the order they opened; stop by returning false.
  status for_each_opened(time_point from, time_point to,
                         const std::function<bool(const std::string& ticket)>& visit) const;

  // not_found when the name has no value.
  status meta(const std::string& name, std::string& out) const;
  status put_meta(const std::string& name, const std::string& value);
  // The names starting with `prefix` (names are text: no byte 0xff), in name order.
  status for_each_meta(
      const std::string& prefix,
      const std::function<bool(std::string_view name, std::string_view value)>& visit) const;

  const store_options& options() const { return options_; }
  write_stats stats() const;

 private:
  friend class write_set;
  store() = default;
  enum table : uint8_t {
    t_default,
    t_events,
    t_tickets,
    t_due,
    t_idempotency,
    t_flows,
    t_ledger,
    t_meta,
    t_alerts,
    t_opened,
    t_outbox,
    t_dead_letters,
    t_count
  };
  rocksdb::ColumnFamilyHandle* cf(table t) const { return handles_[t]; }  // with gate_ held
  rocksdb::ColumnFamilyHandle* column(table t) const { return columns_[t].get(); }  // batches
  status open_db(bool read_only);
  void close_db();
  // Visits the rows of `t` from `from` (below `upper`, when not empty) in key order, a chunk at
  // a time; stop by returning false.
  status scan(table t, std::string from, const std::string& upper,
              const std::function<bool(std::string_view key, std::string_view value)>& visit) const;

  store_options options_;
  // Shared by every call that uses db_; held exclusively to reopen it (resume()).
  mutable std::shared_mutex gate_;
  std::string suspended_;  // why writes are refused (opened read-only after a failed reopen)
  std::unique_ptr<rocksdb::Env> env_;  // over options_.file_system, when given
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  std::vector<std::unique_ptr<rocksdb::ColumnFamilyHandle>> columns_;  // fixed at open()
  std::atomic<uint64_t> writes_{0}, operations_{0}, bytes_{0}, nanos_{0}, failures_{0};
  std::function<void(std::string_view)> tap_;
};

}  // namespace vocflow::storage

#include "storage/store.hpp"

#include "storage/codec.hpp"
#include "storage/memtable.hpp"
#include "storage/record.hpp"
#include "workflows/engine.hpp"

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/comparator.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/perf_level.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <thread>

namespace vocflow::storage {
namespace {

constexpr std::array<const char*, 12> table_names = {
    "default", "events", "tickets", "due",    "idempotency", "flows",
    "ledger",  "meta",   "alerts",  "opened", "outbox",      "dead_letters"};

// The one adapter from rocksdb::Status.
status convert(const rocksdb::Status& s) {
  using c = status::code;
  if (s.ok()) return {};
  auto text = s.ToString();
  if (s.IsNotFound()) return {c::not_found, text};
  if (s.IsNoSpace() || text.find("No space left") != std::string::npos ||
      text.find("File too large") != std::string::npos)
    return {c::no_space, text};
  if (s.IsCorruption()) return {c::corruption, text};
  if (s.IsBusy() || s.IsTryAgain() || s.IsIncomplete() || s.IsShutdownInProgress())
    return {c::busy, text};
  if (s.IsInvalidArgument() || s.IsNotSupported()) return {c::invalid, text};
  return {c::io_error, text};
}

status closed() {
  return {status::code::busy, "the store is being reopened after a failed write"};
}

void put_be(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t get_be(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(in[at + i]);
  return v;
}

// Rows a scan reads while it holds the gate; it lets go between two chunks (see store::scan).
constexpr size_t scan_chunk = 256;

// Positions `it` at `from`, or past it when it was visited already (`after`).
void seek_past(rocksdb::Iterator& it, const std::string& from, bool after) {
  it.Seek(from);
  if (after && it.Valid() && it.key() == rocksdb::Slice{from}) it.Next();
}

// The loop of a scan: `read(from, after, chunk, more)` reads a chunk of rows, holding the gate,
// and says whether more follow; the chunk is visited with nothing held, and the next one starts
// past its last row.
template <class Row, class Read, class Key, class Visit>
status chunked(std::string from, Read&& read, Key&& key_of, Visit&& visit) {
  std::vector<Row> chunk;
  for (bool after = false;; after = true) {
    chunk.clear();
    bool more = false;
    if (auto st = read(from, after, chunk, more); !st) return st;
    for (auto& row : chunk)
      if (!visit(row)) return {};
    if (!more || chunk.empty()) return {};
    from = key_of(chunk.back());
  }
}

uint64_t ms(time_point t) {
  return static_cast<uint64_t>(std::max<int64_t>(0, to_ms(t)));
}

// A key built on the stack: puts and deletes run per command, and most keys are short.
class key {
 public:
  key& add(std::string_view s) {
    append(s.data(), s.size());
    return *this;
  }
  key& be(uint64_t v, int bytes) {
    char b[8];
    for (int i = 0; i < bytes; ++i) b[i] = static_cast<char>((v >> (8 * (bytes - 1 - i))) & 0xff);
    append(b, static_cast<size_t>(bytes));
    return *this;
  }
  key& zero() {
    append("", 1);
    return *this;
  }
  rocksdb::Slice slice() const {
    return heap_.empty() ? rocksdb::Slice{buf_, n_} : rocksdb::Slice{heap_};
  }
  std::string str() const { return slice().ToString(); }

 private:
  // Whole pieces at a time: byte by byte, building a key cost ~400 instructions.
  void append(const char* p, size_t n) {
    if (heap_.empty() && n_ + n <= sizeof buf_) {
      std::memcpy(buf_ + n_, p, n);
      n_ += n;
      return;
    }
    if (heap_.empty()) heap_.assign(buf_, n_);
    heap_.append(p, n);
  }
  char buf_[96];
  size_t n_ = 0;
  std::string heap_;
};

key events_key(std::string_view ticket, uint64_t seq) {
  return key{}.add(ticket).zero().be(seq, 8);
}

std::string due_prefix(uint16_t partition) {
  std::string k;
  put_be(k, partition, 2);
  return k;
}

key due_key(uint16_t partition, time_point due, std::string_view ticket, uint64_t timer) {
  return key{}.be(partition, 2).be(ms(due), 8).add(ticket).zero().be(timer, 8);
}

std::optional<std::pair<uint16_t, due_timer>> parse_due(std::string_view k) {
  if (k.size() < 2 + 8 + 1 + 8) return std::nullopt;
  due_timer d;
  auto partition = static_cast<uint16_t>(get_be(k, 0, 2));
  d.due = from_ms(static_cast<int64_t>(get_be(k, 2, 8)));
  d.ticket = std::string{k.substr(10, k.size() - 10 - 9)};
  d.timer = get_be(k, k.size() - 8, 8);
  return std::make_pair(partition, d);
}

key ledger_key(std::string_view customer, time_point at, std::string_view ticket, uint64_t seq) {
  return key{}.add(customer).zero().be(ms(at), 8).add(ticket).zero().be(seq, 8);
}

key outbox_key(const outbox_entry& e) {
  return key{}.add(e.channel).zero().be(ms(e.next_at), 8).add(e.ticket).zero().be(e.seq, 8);
}

std::string outbox_prefix(std::string_view channel) {
  return key{}.add(channel).zero().str();
}

status count_prefix(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* cf, const std::string& prefix,
                    size_t cap, size_t& out) {
  std::unique_ptr<rocksdb::Iterator> it{db.NewIterator(rocksdb::ReadOptions{}, cf)};
  size_t n = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix) && n < cap; it->Next()) ++n;
  if (auto st = convert(it->status()); !st) return st;
  out = n;
  return {};
}

key flow_key(std::string_view id, int32_t version) {
  return key{}.add(id).zero().be(static_cast<uint32_t>(version), 4);
}

}  // namespace

// ---- write_set ----

write_set::write_set(const store& s)
    : store_(&s), batch_(std::make_unique<rocksdb::WriteBatch>()) {}
write_set::~write_set() = default;
write_set::write_set(write_set&&) noexcept = default;

write_set store::batch_from(std::string_view encoded) const {
  write_set w{*this};
  w.batch_ = std::make_unique<rocksdb::WriteBatch>(std::string{encoded});
  w.operations_ = static_cast<size_t>(w.batch_->Count());
  return w;
}

void write_set::clear() {
  batch_->Clear();
  operations_ = 0;
}

size_t write_set::bytes() const {
  return batch_->GetDataSize();
}

void write_set::events(const std::string& ticket, const std::vector<event>& events) {
  if (events.empty()) return;
  scratch_.clear();
  encode_events(scratch_, events.data(), events.size());
  batch_->Put(store_->column(store::t_events), events_key(ticket, events.front().seq).slice(),
              scratch_);
  ++operations_;
}

void write_set::snapshot(const ticket& t) {
  scratch_.clear();
  encode_ticket(scratch_, t);
  batch_->Put(store_->column(store::t_tickets), t.id, scratch_);
  ++operations_;
}

void write_set::arm(uint16_t partition, const std::string& ticket, uint64_t timer, time_point due) {
  batch_->Put(store_->column(store::t_due), due_key(partition, due, ticket, timer).slice(), {});
  ++operations_;
}

void write_set::disarm(uint16_t partition, const std::string& ticket, uint64_t timer,
                       time_point due) {
  batch_->Delete(store_->column(store::t_due), due_key(partition, due, ticket, timer).slice());
  ++operations_;
}

void write_set::idempotency(const std::string& key, const std::string& ticket,
                            uint64_t fingerprint) {
  scratch_ = ticket;
  if (fingerprint) scratch_.append(1, '\0').append(fmt::format("{:016x}", fingerprint));
  batch_->Put(store_->column(store::t_idempotency), key, scratch_);
  ++operations_;
}

void write_set::grant(const std::string& customer, time_point at, const std::string& ticket,
                      uint64_t seq, money amount) {
  std::string v;
  put_be(v, static_cast<uint64_t>(amount.minor), 8);
  batch_->Put(store_->column(store::t_ledger), ledger_key(customer, at, ticket, seq).slice(), v);
  ++operations_;
}

void write_set::flow(const std::string& id, int32_t version, const std::string& source) {
  batch_->Put(store_->column(store::t_flows), flow_key(id, version).slice(), source);
  ++operations_;
}

void write_set::alert(const storage::alert& a) {
  auto k = key{}.be(ms(a.what.at), 8).add(a.ticket).zero().be(a.what.seq, 8);
  // The record's own fields, then the event in the events encoding.
  batch_->Put(store_->column(store::t_alerts), k.slice(),
              encode_record(a) + encode_events(&a.what, 1));
  ++operations_;
}

void write_set::opened(const std::string& ticket, time_point at) {
  batch_->Put(store_->column(store::t_opened), key{}.be(ms(at), 8).add(ticket).slice(), {});
  ++operations_;
}

void write_set::outbox(const outbox_entry& e) {
  batch_->Put(store_->column(store::t_outbox), outbox_key(e).slice(), encode_record(e));
  ++operations_;
}

void write_set::outbox_remove(const outbox_entry& e) {
  batch_->Delete(store_->column(store::t_outbox), outbox_key(e).slice());
  ++operations_;
}

void write_set::dead_letter(const outbox_entry& e) {
  auto k = key{}.add(e.channel).zero().add(e.ticket).zero().be(e.seq, 8);
  batch_->Put(store_->column(store::t_dead_letters), k.slice(), encode_record(e));
  ++operations_;
}

void write_set::raw(const std::string& key, const std::string& value) {
  batch_->Put(store_->column(store::t_events), key, value);
  ++operations_;
}

void write_set::meta(const std::string& name, const std::string& value) {
  batch_->Put(store_->column(store::t_meta), name, value);
  ++operations_;
}

std::string_view write_set::encoded() const {
  return batch_->Data();
}

// ---- store ----

// RocksDB's own log goes to vocflow's log (warnings and errors) instead of a LOG file in the
// data folder: one place to look, and nothing for a full disk to break (RocksDB 7.8 aborts
// when it writes to a LOG file whose earlier write failed).
class log_bridge : public rocksdb::Logger {
 public:
  log_bridge() : rocksdb::Logger(rocksdb::InfoLogLevel::WARN_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap);
  }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    if (level < GetInfoLogLevel()) return;
    char text[1024];
    std::vsnprintf(text, sizeof text, format, ap);
    auto l = level >= rocksdb::InfoLogLevel::ERROR_LEVEL  ? spdlog::level::err
             : level == rocksdb::InfoLogLevel::WARN_LEVEL ? spdlog::level::warn
                                                          : spdlog::level::debug;
    spdlog::log(l, "rocksdb: {}", text);
  }
};

// A column family by its id, for building write batches (which name column families by id).
// Unlike the handles of the open database it stays valid when resume() reopens it, so a batch
// can be built while that happens.
class column_ref final : public rocksdb::ColumnFamilyHandle {
 public:
  column_ref(std::string name, uint32_t id) : name_(std::move(name)), id_(id) {}
  const std::string& GetName() const override { return name_; }
  uint32_t GetID() const override { return id_; }
  rocksdb::Status GetDescriptor(rocksdb::ColumnFamilyDescriptor*) override {
    return rocksdb::Status::NotSupported("a column reference has no descriptor");
  }
  const rocksdb::Comparator* GetComparator() const override {
    return rocksdb::BytewiseComparator();
  }

 private:
  std::string name_;
  uint32_t id_;
};

std::shared_ptr<store> store::open(const store_options& options, status& st) {
  if (!options.read_only) {
    // Made here rather than by RocksDB, which logs an error for a folder not there yet (on every
    // first start, where ops would look for a real one).
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    if (ec) {
      st = {status::code::io_error,
            fmt::format("cannot create the data folder {}: {}", options.path, ec.message())};
      return nullptr;
    }
  }
  std::shared_ptr<store> s{new store};
  s->options_ = options;
  st = s->open_db(options.read_only);
  if (!st) return nullptr;
  for (auto* h : s->handles_)
    s->columns_.push_back(std::make_unique<column_ref>(h->GetName(), h->GetID()));
  return s;
}

status store::open_db(bool read_only) {
  rocksdb::Options base;
  base.create_if_missing = true;
  base.create_missing_column_families = true;
  base.IncreaseParallelism(static_cast<int>(std::max(2u, std::thread::hardware_concurrency())));
  base.enable_pipelined_write = true;
  // vocflow's memtable (storage/memtable.hpp) takes one writer at a time; so does a group commit.
  base.allow_concurrent_memtable_write = options_.rocksdb_memtable;
  base.max_total_wal_size = 256 << 20;
  base.info_log = std::make_shared<log_bridge>();
  if (options_.file_system) {
    if (!env_) env_ = rocksdb::NewCompositeEnv(options_.file_system);
    base.env = env_.get();
  }
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(options_.cache_mb << 20);
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  base.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  // Levels 0 and 1 hold a few minutes of writes and are rewritten soon by compaction:
  // compressing them costs a core's time during bursts for little space (RocksDB's tuning
  // guide gives the same advice). Deeper levels, most of the data, are compressed.
  auto supported = rocksdb::GetSupportedCompressions();
  auto deep =
      std::find(supported.begin(), supported.end(), rocksdb::kLZ4Compression) != supported.end()
          ? rocksdb::kLZ4Compression
          : rocksdb::kSnappyCompression;
  base.compression_per_level = {
      rocksdb::kNoCompression, rocksdb::kNoCompression, deep, deep, deep, deep, deep};

  std::vector<rocksdb::ColumnFamilyDescriptor> tables;
  for (auto name : table_names) {
    rocksdb::ColumnFamilyOptions cf{base};
    std::string_view n{name};
    bool large = n == "events" || n == "tickets";
    cf.write_buffer_size = large ? 64 << 20 : 16 << 20;
    // A small table fills its memtable in seconds under a burst of opens; with RocksDB's
    // default of two, writes to every table stop while one flushes (seen loading 1M tickets).
    if (!large) cf.max_write_buffer_number = 4;
    if (n == "tickets" || n == "idempotency") {
      // Every open looks up its new id (and key), which is almost never there: a bloom filter
      // over the memtable's keys answers that without a search of the memtable.
      cf.memtable_prefix_bloom_size_ratio = 0.02;
      cf.memtable_whole_key_filtering = true;
    }
    if (!options_.rocksdb_memtable) cf.memtable_factory = skiplist_memtable(n == "events");
    tables.emplace_back(name, cf);
  }
  rocksdb::DB* raw = nullptr;
  handles_.clear();
  rocksdb::Status rs =
      read_only ? rocksdb::DB::OpenForReadOnly(base, options_.path, tables, &handles_, &raw)
                : rocksdb::DB::Open(base, options_.path, tables, &handles_, &raw);
  if (!rs.ok()) return convert(rs);
  db_.reset(raw);
  return {};
}

void store::close_db() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  handles_.clear();
  db_->Close();  // after a failed write it reports that failure again: nothing to do about it
  db_.reset();
}

store::~store() {
  close_db();
}

status store::write(write_set& batch, bool sync) {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  if (!suspended_.empty())
    return {status::code::no_space, "writes are suspended after a failed write (" + suspended_ +
                                        "); they resume once the disk has room"};
  if (batch.empty()) return {};
  rocksdb::WriteOptions w;
  w.sync = options_.sync && sync;
  // RocksDB counts every key comparison in a thread-local perf context unless told not to;
  // nothing reads those counts, and in a shared librocksdb each count is a TLS lookup.
  thread_local bool perf_off = (rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable), true);
  (void)perf_off;
  auto start = std::chrono::steady_clock::now();
  auto st = convert(db_->Write(w, batch.batch_.get()));
  nanos_ += static_cast<uint64_t>((std::chrono::steady_clock::now() - start).count());
  if (!st) {
    ++failures_;
    return st;
  }
  ++writes_;
  operations_ += batch.operations();
  bytes_ += batch.bytes();
  if (tap_) tap_(batch.batch_->Data());
  return st;
}

write_stats store::stats() const {
  return {writes_, operations_, bytes_, nanos_, failures_};
}

status store::resume() {
  std::unique_lock lock{gate_};
  if (db_ && suspended_.empty() && db_->Resume().ok()) return {};
  close_db();
  auto st = open_db(false);
  if (st) {
    if (!suspended_.empty()) spdlog::info("store: writable again");
    suspended_.clear();
    return st;
  }
  // Still no room: serve reads from a read-only open until a later resume() succeeds.
  if (suspended_.empty()) spdlog::error("store: writes suspended: {}", st.message());
  suspended_ = st.message();
  if (auto ro = open_db(true); !ro) spdlog::error("store: cannot even read: {}", ro.message());
  return st;
}

namespace {

// The same with an iterator over the events that a scan in ticket order moves forward.
status replay_tail_from(rocksdb::Iterator& it, const std::string& id, ticket& t) {
  auto from = events_key(id, t.seq + 1);
  auto target = from.slice();
  // A few steps forward cost less than a seek; far behind (or not started), seek.
  for (int steps = 0; it.Valid() && it.key().compare(target) < 0 && steps < 8; ++steps) it.Next();
  if (!it.Valid() || it.key().compare(target) < 0) it.Seek(target);
  std::string prefix = id + '\0';
  std::vector<event> tail;
  for (; it.Valid() && it.key().starts_with(prefix); it.Next()) {
    tail.clear();
    if (!decode_events(it.value().ToStringView(), tail))
      return {status::code::corruption, "cannot decode the events of " + id};
    for (auto& e : tail)
      if (e.seq > t.seq) apply(t, e);
  }
  return convert(it.status());
}

// Applies the events written after a snapshot (seq > t.seq) to it. A row of events is keyed by
// its first event's seq, and a snapshot is written in the batch of the command whose row it
// follows: so the tail, if there is one, is the row keyed t.seq + 1, then the row keyed one past
// that row's last event, and so on. Point lookups find them: most snapshots have no tail, and a
// lookup that finds nothing is mostly answered by the tables' bloom filters, where an iterator
// would read an index and a data block in every level.
status replay_tail(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* events, const std::string& id,
                   ticket& t) {
  rocksdb::PinnableSlice value;
  std::vector<event> row;
  for (;;) {
    value.Reset();
    auto st = db.Get(rocksdb::ReadOptions{}, events, events_key(id, t.seq + 1).slice(), &value);
    if (st.IsNotFound()) return {};
    if (!st.ok()) return convert(st);
    row.clear();
    if (!decode_events(value.ToStringView(), row) || row.empty())
      return {status::code::corruption, "cannot decode the events of " + id};
    if (row.front().seq != t.seq + 1)
      return {status::code::corruption, "the events of " + id + " keyed " +
                                            std::to_string(t.seq + 1) + " begin at " +
                                            std::to_string(row.front().seq)};
    for (auto& e : row) apply(t, e);
  }
}

}  // namespace

status store::load(const std::string& ticket_id, ticket& out, uint64_t* snapshot_seq) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  std::string value;
  auto st = convert(db_->Get(rocksdb::ReadOptions{}, cf(t_tickets), ticket_id, &value));
  if (!st) return st;
  auto t = decode_ticket(value);
  if (!t) return {status::code::corruption, "cannot decode the snapshot of " + ticket_id};
  if (snapshot_seq) *snapshot_seq = t->seq;
  if (auto tail = replay_tail(*db_, cf(t_events), ticket_id, *t); !tail) return tail;
  out = std::move(*t);
  return {};
}

status store::history(const std::string& ticket_id, std::vector<event>& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  auto prefix = ticket_id + '\0';
  std::string upper = ticket_id + '\x01';
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions r;
  r.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r, cf(t_events))};
  for (it->Seek(prefix); it->Valid(); it->Next())
    if (!decode_events(it->value().ToStringView(), out))
      return {status::code::corruption, "cannot decode the events of " + ticket_id};
  return convert(it->status());
}

status store::for_each_ticket(const std::function<bool(const ticket&)>& visit,
                              const std::string& start) const {
  auto read = [&](const std::string& from, bool after, std::vector<ticket>& chunk, bool& more) {
    std::shared_lock lock{gate_};
    if (!db_) return closed();
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, cf(t_tickets))};
    // The events are in ticket order too: one iterator walks them beside the snapshots (a start
    // of a million tickets would spend most of its time creating and seeking one per ticket).
    std::unique_ptr<rocksdb::Iterator> events{
        db_->NewIterator(rocksdb::ReadOptions{}, cf(t_events))};
    for (seek_past(*it, from, after); it->Valid() && chunk.size() < scan_chunk; it->Next()) {
      auto t = decode_ticket(it->value().ToStringView());
      if (!t)
        return status{status::code::corruption,
                      "cannot decode the snapshot of " + it->key().ToString()};
      if (auto tail = replay_tail_from(*events, t->id, *t); !tail) return tail;
      chunk.push_back(std::move(*t));
    }
    more = it->Valid();
    return convert(it->status());
  };
  return chunked<ticket>(
      start, read, [](const ticket& t) { return t.id; }, visit);
}

status store::due(uint16_t partition, time_point upto, size_t limit, std::vector<due_timer>& out,
                  std::optional<time_point> from) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  std::string upper = due_prefix(partition);
  put_be(upper, ms(upto) + 1, 8);
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions r;
  r.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r, cf(t_due))};
  auto start = due_prefix(partition);
  if (from) put_be(start, ms(*from), 8);
  for (it->Seek(start); it->Valid() && out.size() < limit; it->Next())
    if (auto d = parse_due(it->key().ToStringView())) out.push_back(std::move(d->second));
  return convert(it->status());
}

status store::earliest_due(uint16_t partition, std::optional<time_point> after,
                           std::optional<time_point>& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  out.reset();
  auto prefix = due_prefix(partition);
  auto start = prefix;
  if (after) put_be(start, ms(*after) + 1, 8);
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, cf(t_due))};
  it->Seek(start);
  if (it->Valid() && it->key().starts_with(prefix))
    if (auto d = parse_due(it->key().ToStringView())) out = d->second.due;
  return convert(it->status());
}

status store::for_each_due(const std::function<bool(uint16_t, const due_timer&)>& visit) const {
  return scan(t_due, {}, {}, [&](std::string_view k, std::string_view) {
    auto d = parse_due(k);
    return !d || visit(d->first, d->second);
  });
}

status store::repartition_due(const std::function<uint16_t(const std::string&)>& owner,
                              size_t& moved) {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  moved = 0;
  auto b = batch();
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, cf(t_due))};
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto d = parse_due(it->key().ToStringView());
    if (!d) continue;
    auto target = owner(d->second.ticket);
    if (target == d->first) continue;
    b.disarm(d->first, d->second.ticket, d->second.timer, d->second.due);
    b.arm(target, d->second.ticket, d->second.timer, d->second.due);
    ++moved;
  }
  if (auto st = convert(it->status()); !st) return st;
  return write(b);
}

status store::idempotent(const std::string& key, std::string& ticket, uint64_t& fingerprint) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  std::string value;
  if (auto st = convert(db_->Get(rocksdb::ReadOptions{}, cf(t_idempotency), key, &value)); !st)
    return st;
  auto zero = value.find('\0');
  ticket = value.substr(0, zero);
  fingerprint =
      zero == std::string::npos ? 0 : std::strtoull(value.c_str() + zero + 1, nullptr, 16);
  return {};
}

status store::granted_since(const std::string& customer, time_point since, money& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  std::string from = customer + '\0';
  put_be(from, ms(since), 8);
  std::string upper = customer + '\x01';
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions r;
  r.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r, cf(t_ledger))};
  money sum;
  for (it->Seek(from); it->Valid(); it->Next()) {
    if (it->value().size() != 8)
      return {status::code::corruption, "a ledger row of " + customer + " is not an amount"};
    sum.minor += static_cast<int64_t>(get_be(it->value().ToStringView(), 0, 8));
  }
  if (auto st = convert(it->status()); !st) return st;
  out = sum;
  return {};
}

status store::for_each_flow(
    const std::function<void(const std::string&, int32_t, const std::string&)>& visit) const {
  return scan(t_flows, {}, {}, [&](std::string_view k, std::string_view v) {
    if (k.size() >= 5)
      visit(std::string{k.substr(0, k.size() - 5)},
            static_cast<int32_t>(get_be(k, k.size() - 4, 4)), std::string{v});
    return true;
  });
}

status store::for_each_alert(time_point since,
                             const std::function<bool(const alert&)>& visit) const {
  status failure;
  auto st =
      scan(t_alerts, key{}.be(ms(since), 8).str(), {}, [&](std::string_view, std::string_view v) {
        // The alert's record, then its event in the events encoding.
        reader r{v};
        alert a;
        r.record(a);
        std::vector<event> es;
        if (!r.ok() || !decode_events(r.rest(), es) || es.size() != 1) {
          failure = {status::code::corruption, "cannot decode an alert"};
          return false;
        }
        a.what = std::move(es.front());
        return visit(a);
      });
  return st ? failure : st;
}

status store::outbox_due(const std::string& channel, time_point upto, size_t limit,
                         std::vector<outbox_entry>& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  auto prefix = outbox_prefix(channel);
  auto upper = key{}.add(prefix).be(ms(upto) + 1, 8).str();
  rocksdb::Slice upper_slice{upper};
  rocksdb::ReadOptions r;
  r.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r, cf(t_outbox))};
  for (it->Seek(prefix); it->Valid() && out.size() < limit; it->Next()) {
    outbox_entry e;
    if (!decode_record(it->value().ToStringView(), e))
      return {status::code::corruption, "cannot decode an outbox row of " + channel};
    out.push_back(std::move(e));
  }
  return convert(it->status());
}

status store::outbox_next(const std::string& channel, std::optional<time_point>& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  out.reset();
  auto prefix = outbox_prefix(channel);
  std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{}, cf(t_outbox))};
  it->Seek(prefix);
  if (it->Valid() && it->key().starts_with(prefix))
    out = from_ms(static_cast<int64_t>(get_be(it->key().ToStringView(), prefix.size(), 8)));
  return convert(it->status());
}

status store::outbox_size(const std::string& channel, size_t cap, size_t& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  return count_prefix(*db_, cf(t_outbox), outbox_prefix(channel), cap, out);
}

status store::dead_letters(const std::string& channel, size_t cap, size_t& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  return count_prefix(*db_, cf(t_dead_letters), outbox_prefix(channel), cap, out);
}

status store::for_each_opened(time_point from, time_point to,
                              const std::function<bool(const std::string&)>& visit) const {
  return scan(t_opened, key{}.be(ms(from), 8).str(), key{}.be(ms(to), 8).str(),
              [&](std::string_view k, std::string_view) {
                return k.size() <= 8 || visit(std::string{k.substr(8)});
              });
}

status store::scan(table t, std::string from, const std::string& upper,
                   const std::function<bool(std::string_view, std::string_view)>& visit) const {
  using row = std::pair<std::string, std::string>;
  auto read = [&](const std::string& start, bool after, std::vector<row>& chunk, bool& more) {
    std::shared_lock lock{gate_};
    if (!db_) return closed();
    rocksdb::Slice upper_slice{upper};
    rocksdb::ReadOptions r;
    if (!upper.empty()) r.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r, cf(t))};
    for (seek_past(*it, start, after); it->Valid() && chunk.size() < scan_chunk; it->Next())
      chunk.emplace_back(it->key().ToString(), it->value().ToString());
    more = it->Valid();
    return convert(it->status());
  };
  return chunked<row>(
      std::move(from), read, [](const row& r) { return r.first; },
      [&](const row& r) { return visit(r.first, r.second); });
}

status store::meta(const std::string& name, std::string& out) const {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  return convert(db_->Get(rocksdb::ReadOptions{}, cf(t_meta), name, &out));
}

status store::put_meta(const std::string& name, const std::string& value) {
  std::shared_lock lock{gate_};
  if (!db_) return closed();
  rocksdb::WriteOptions w;
  w.sync = options_.sync;
  return convert(db_->Put(w, cf(t_meta), name, value));
}

status store::for_each_meta(
    const std::string& prefix,
    const std::function<bool(std::string_view name, std::string_view value)>& visit) const {
  auto upper = prefix;
  upper.push_back('\xff');
  return scan(t_meta, prefix, upper, visit);
}

}  // namespace vocflow::storage

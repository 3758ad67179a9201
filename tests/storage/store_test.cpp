// The RocksDB store, for real, in a temporary folder.
#include "storage/store.hpp"
#include "tests/storage/faulty_fs.hpp"
#include "tests/temp_dir.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace vocflow::storage {
namespace {

using namespace std::chrono_literals;

class StoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<store> open(bool read_only = false) {
    status st;
    auto s =
        store::open({.path = dir_.str(), .sync = true, .cache_mb = 8, .read_only = read_only}, st);
    EXPECT_TRUE(st) << st.message();
    return s;
  }
  // The reads below, which must succeed: their values.
  static std::optional<time_point> earliest(const store& s, uint16_t partition) {
    std::optional<time_point> out;
    auto st = s.earliest_due(partition, std::nullopt, out);
    EXPECT_TRUE(st) << st.message();
    return out;
  }
  static money granted(const store& s, const std::string& customer, time_point since) {
    money out;
    auto st = s.granted_since(customer, since, out);
    EXPECT_TRUE(st) << st.message();
    return out;
  }
  static std::optional<std::string> key(const store& s, const std::string& k) {
    std::string ticket;
    uint64_t fingerprint = 0;
    auto st = s.idempotent(k, ticket, fingerprint);
    EXPECT_TRUE(st || st.is_not_found()) << st.message();
    return st ? std::optional{ticket} : std::nullopt;
  }
  static event note(uint64_t seq, const std::string& text) {
    return {seq, from_ms(1'700'000'000'000 + int64_t(seq)), "alice", "agent", ev::note{text}};
  }

  testing::temp_dir dir_;
  time_point t0_ = from_ms(1'780'000'000'000);
};

TEST_F(StoreTest, EventsSnapshotsAndTimersCommitTogetherAndSurviveReopening) {
  {
    auto s = open();
    auto b = s->batch();
    ticket t;
    t.id = "T-A";
    t.seq = 3;
    t.step = "triage";
    b.events("T-A", {note(1, "one"), note(2, "two")});
    b.events("T-A", {note(3, "three")});
    b.snapshot(t);
    b.arm(0, "T-A", 7, t0_ + 1h);
    b.idempotency("key-1", "T-A");
    EXPECT_EQ(b.operations(), 5u);
    ASSERT_TRUE(s->write(b));
  }
  auto s = open();
  ticket t;
  ASSERT_TRUE(s->load("T-A", t));
  EXPECT_EQ(t.step, "triage");
  std::vector<event> h;
  ASSERT_TRUE(s->history("T-A", h));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(std::get<ev::note>(h[2].body).text, "three");
  EXPECT_EQ(earliest(*s, 0), t0_ + 1h);
  EXPECT_EQ(key(*s, "key-1"), "T-A");
  EXPECT_FALSE(key(*s, "key-2"));
}

// A snapshot lags its ticket's events by up to `snapshot_every`: a load applies the rows after
// it, and the start-up scan (one iterator beside the snapshots) rebuilds the same state.
// A first start on a data folder not there yet: the folder is made, and nothing is logged as an
// error (RocksDB logged one for the missing folder, which ops would take for a real failure).
TEST_F(StoreTest, AFreshDataFolderIsMadeWithoutAnErrorInTheLog) {
  std::ostringstream log;
  auto capture = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(log));
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(capture);
  auto path = dir_.path() / "not" / "there";
  status st;
  auto s = store::open({.path = path.string(), .sync = true, .cache_mb = 8}, st);
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(st) << st.message();
  EXPECT_TRUE(std::filesystem::is_directory(path));
  EXPECT_EQ(log.str().find("[error]"), std::string::npos) << log.str();
}

TEST_F(StoreTest, ADataFolderThatCannotBeMadeIsAClearError) {
  auto file = dir_.path() / "a-file";
  std::ofstream{file} << "x";
  status st;
  auto s = store::open({.path = (file / "data").string(), .sync = true, .cache_mb = 8}, st);
  EXPECT_EQ(s, nullptr);
  EXPECT_EQ(st.kind(), status::code::io_error);
  EXPECT_NE(st.message().find("cannot create the data folder"), std::string::npos) << st.message();
}

TEST_F(StoreTest, LoadAppliesTheRowsWrittenAfterTheSnapshot) {
  auto s = open();
  ticket a;
  a.id = "T-A";
  a.seq = 1;
  ticket untouched = a;
  untouched.id = "T-AB";  // starts with T-A: its rows must not be taken for T-A's
  auto b = s->batch();
  b.events("T-A", {note(1, "one")});
  b.snapshot(a);
  b.events("T-AB", {note(1, "x")});
  b.snapshot(untouched);
  b.events("T-AB", {note(2, "y")});
  ASSERT_TRUE(s->write(b));
  auto later = s->batch();
  later.events("T-A", {note(2, "two"), note(3, "three")});
  later.events("T-A", {note(4, "four")});
  ASSERT_TRUE(s->write(later));

  ticket loaded;
  uint64_t snapshot_seq = 0;
  ASSERT_TRUE(s->load("T-A", loaded, &snapshot_seq));
  EXPECT_EQ(snapshot_seq, 1u);
  EXPECT_EQ(loaded.seq, 4u);
  ticket other;
  ASSERT_TRUE(s->load("T-AB", other));
  EXPECT_EQ(other.seq, 2u);

  std::map<std::string, uint64_t> scanned;
  ASSERT_TRUE(s->for_each_ticket([&](const ticket& t) {
    scanned[t.id] = t.seq;
    return true;
  }));
  EXPECT_EQ(scanned, (std::map<std::string, uint64_t>{{"T-A", 4}, {"T-AB", 2}}));
}

TEST_F(StoreTest, NotFoundIsAStatusNotAnEmptyValue) {
  auto s = open();
  ticket t;
  auto st = s->load("T-NONE", t);
  EXPECT_FALSE(st);
  EXPECT_EQ(st.kind(), status::code::not_found);
}

TEST_F(StoreTest, HistoryOfOneTicketDoesNotLeakIntoAnother) {
  auto s = open();
  auto b = s->batch();
  b.events("T-1", {note(1, "a")});
  b.events("T-10", {note(1, "b")});
  b.events("T-1", {note(2, "c")});
  ASSERT_TRUE(s->write(b));
  std::vector<event> h;
  ASSERT_TRUE(s->history("T-1", h));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(std::get<ev::note>(h[1].body).text, "c");
}

TEST_F(StoreTest, DueTimersComeInDueOrderPerPartitionAndBounded) {
  auto s = open();
  auto b = s->batch();
  b.arm(1, "T-3", 1, t0_ + 3h);
  b.arm(1, "T-1", 1, t0_ + 1h);
  b.arm(1, "T-2", 5, t0_ + 2h);
  b.arm(2, "T-9", 1, t0_);  // another partition
  b.arm(1, "T-4", 1, t0_ + 9h);
  ASSERT_TRUE(s->write(b));
  std::vector<due_timer> due;
  ASSERT_TRUE(s->due(1, t0_ + 3h, 100, due));
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].ticket, "T-1");
  EXPECT_EQ(due[1].ticket, "T-2");
  EXPECT_EQ(due[1].timer, 5u);
  EXPECT_EQ(due[2].due, t0_ + 3h);
  due.clear();
  ASSERT_TRUE(s->due(1, t0_ + 10h, 2, due));
  EXPECT_EQ(due.size(), 2u);
  EXPECT_EQ(earliest(*s, 2), t0_);
  EXPECT_FALSE(earliest(*s, 3));
  auto d = s->batch();
  d.disarm(1, "T-1", 1, t0_ + 1h);
  ASSERT_TRUE(s->write(d));
  EXPECT_EQ(earliest(*s, 1), t0_ + 2h);
}

TEST_F(StoreTest, LedgerSumsACustomersGrantsSinceATime) {
  auto s = open();
  auto b = s->batch();
  b.grant("C-1", t0_ - 40 * 24h, "T-1", 4, money{5000});
  b.grant("C-1", t0_ - 10 * 24h, "T-2", 7, money{2000});
  b.grant("C-1", t0_, "T-3", 2, money{150});
  b.grant("C-10", t0_, "T-4", 2, money{99999});
  ASSERT_TRUE(s->write(b));
  EXPECT_EQ(granted(*s, "C-1", t0_ - 30 * 24h), money{2150});
  EXPECT_EQ(granted(*s, "C-2", t0_ - 30 * 24h), money{});
}

// Keys longer than the key builder's buffer on the stack (96 bytes) go to the heap, a piece at a
// time: a customer id from a client can be that long, and a prefix of it must not match.
TEST_F(StoreTest, LongKeysKeepEveryByte) {
  auto s = open();
  std::string customer(150, 'c'), other = customer;
  other.back() = 'd';
  auto b = s->batch();
  b.grant(customer, t0_, "T-1", 1, money{300});
  b.grant(customer, t0_ + 1h, "T-2", 2, money{20});
  b.grant(other, t0_, "T-3", 1, money{4000});
  b.grant(customer.substr(0, 90), t0_, "T-4", 1, money{50000});  // fits the buffer
  ASSERT_TRUE(s->write(b));
  EXPECT_EQ(granted(*s, customer, t0_ - 1h), money{320});
  EXPECT_EQ(granted(*s, customer, t0_ + 30min), money{20});
  EXPECT_EQ(granted(*s, other, t0_ - 1h), money{4000});
  EXPECT_EQ(granted(*s, customer.substr(0, 90), t0_ - 1h), money{50000});
}

TEST_F(StoreTest, OpenedIndexListsTicketsOfAPeriodInOpeningOrder) {
  auto s = open();
  auto b = s->batch();
  b.opened("T-late", t0_ + 2h);
  b.opened("T-edge", t0_ + 24h);  // the end is exclusive
  b.opened("T-first", t0_);
  b.opened("T-before", t0_ - 1ms);
  b.opened("T-same", t0_ + 2h);
  ASSERT_TRUE(s->write(b));
  std::vector<std::string> seen;
  ASSERT_TRUE(s->for_each_opened(t0_, t0_ + 24h, [&](const std::string& id) {
    seen.push_back(id);
    return true;
  }));
  EXPECT_EQ(seen, (std::vector<std::string>{"T-first", "T-late", "T-same"}));
  seen.clear();
  ASSERT_TRUE(s->for_each_opened(t0_, t0_ + 48h, [&](const std::string& id) {
    seen.push_back(id);
    return seen.size() < 2;  // stops when told
  }));
  EXPECT_EQ(seen.size(), 2u);
}

// A scan lets go of the store between chunks of rows and calls its visitor with nothing held:
// the visitor may read the store (the KPIs load each ticket of the opened index) and a reopening
// of the database (resume, after a failed write) need not wait for the whole scan.
TEST_F(StoreTest, ScansHoldNothingWhileTheirVisitorRuns) {
  auto s = open();
  auto b = s->batch();
  for (int i = 0; i < 700; ++i) {  // several chunks
    ticket t;
    t.id = fmt::format("T-{:04}", i);
    t.seq = 1;
    b.snapshot(t);
    b.opened(t.id, t0_ + std::chrono::minutes{i});
  }
  ASSERT_TRUE(s->write(b));
  size_t visited = 0;
  ASSERT_TRUE(s->for_each_opened(t0_, t0_ + 24h, [&](const std::string& id) {
    ticket t;
    EXPECT_TRUE(s->load(id, t)) << id;
    EXPECT_EQ(t.id, id);
    if (++visited == 300) {
      EXPECT_TRUE(s->resume());  // takes the gate for itself
    }
    return true;
  }));
  EXPECT_EQ(visited, 700u);
  std::set<std::string> seen;
  ASSERT_TRUE(s->for_each_ticket([&](const ticket& t) {
    EXPECT_TRUE(seen.insert(t.id).second) << t.id << " twice";
    return true;
  }));
  EXPECT_EQ(seen.size(), 700u);
}

TEST_F(StoreTest, FlowsAndMeta) {
  auto s = open();
  auto b = s->batch();
  b.flow("returns", 2, "id: returns\nversion: 2\n");
  b.flow("returns", 1, "id: returns\nversion: 1\n");
  ASSERT_TRUE(s->write(b));
  std::vector<std::pair<std::string, int32_t>> seen;
  ASSERT_TRUE(s->for_each_flow([&](auto& id, int32_t v, auto&) { seen.emplace_back(id, v); }));
  EXPECT_EQ(seen, (std::vector<std::pair<std::string, int32_t>>{{"returns", 1}, {"returns", 2}}));
  ASSERT_TRUE(s->put_meta("partitions", "4"));
  std::string value;
  ASSERT_TRUE(s->meta("partitions", value));
  EXPECT_EQ(value, "4");
  EXPECT_TRUE(s->meta("nothing", value).is_not_found());
}

// A disk that fails a read: every lookup says so, none answers "nothing there" (which would be
// taken for a new idempotency key, a customer granted nothing, a partition with no timers).
TEST_F(StoreTest, AReadTheDiskFailsIsAnErrorNotNothing) {
  {
    auto s = open();
    auto b = s->batch();
    b.idempotency("mail-1", "T-1");
    b.grant("C-1", t0_, "T-1", 3, money{500});
    b.arm(0, "T-1", 1, t0_ + 1h);
    b.outbox({.channel = "pager", .ticket = "T-1", .seq = 2, .next_at = t0_});
    ASSERT_TRUE(s->write(b));
    ASSERT_TRUE(s->put_meta("partitions", "2"));
  }
  auto disk = std::make_shared<testing::faulty_fs>();
  status st;
  // Reopened: what was written is in table files; no block cache, so every read reaches them.
  auto s = store::open({.path = dir_.str(), .sync = true, .cache_mb = 0, .file_system = disk}, st);
  ASSERT_TRUE(s) << st.message();
  disk->fail_reads(true);
  std::string text;
  money m;
  std::optional<time_point> when;
  size_t n = 0;
  std::vector<due_timer> due;
  uint64_t digest = 0;
  for (auto result : {s->idempotent("mail-1", text, digest), s->granted_since("C-1", t0_ - 1h, m),
                      s->earliest_due(0, std::nullopt, when), s->due(0, t0_ + 2h, 10, due),
                      s->outbox_next("pager", when), s->outbox_size("pager", 10, n),
                      s->meta("partitions", text)}) {
    EXPECT_FALSE(result);
    EXPECT_FALSE(result.is_not_found()) << result.message();
    EXPECT_EQ(result.kind(), status::code::io_error) << result.message();
  }
  disk->fail_reads(false);
  EXPECT_EQ(key(*s, "mail-1"), "T-1");
  EXPECT_EQ(granted(*s, "C-1", t0_ - 1h), money{500});
  EXPECT_EQ(earliest(*s, 0), t0_ + 1h);
}

TEST_F(StoreTest, ReadOnlyOpenOfAStoppedStore) {
  {
    auto s = open();
    auto b = s->batch();
    b.events("T-1", {note(1, "a")});
    ASSERT_TRUE(s->write(b));
  }
  auto ro = open(true);
  std::vector<event> h;
  ASSERT_TRUE(ro->history("T-1", h));
  EXPECT_EQ(h.size(), 1u);
  auto b = ro->batch();
  b.events("T-1", {note(2, "b")});
  EXPECT_FALSE(ro->write(b));
}

}  // namespace
}  // namespace vocflow::storage

namespace vocflow::storage {
namespace {

TEST_F(StoreTest, RepartitioningMovesDueRowsToTheirNewOwner) {
  auto s = open();
  auto b = s->batch();
  b.arm(0, "T-A", 1, t0_ + 1h);
  b.arm(1, "T-B", 2, t0_ + 2h);
  ASSERT_TRUE(s->write(b));
  size_t moved = 0;
  ASSERT_TRUE(
      s->repartition_due([](const std::string& t) { return uint16_t(t == "T-A" ? 3 : 1); }, moved));
  EXPECT_EQ(moved, 1u);
  EXPECT_FALSE(earliest(*s, 0));
  EXPECT_EQ(earliest(*s, 3), t0_ + 1h);
  EXPECT_EQ(earliest(*s, 1), t0_ + 2h);
}

}  // namespace
}  // namespace vocflow::storage

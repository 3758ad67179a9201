// vocflow's memtable inside a real RocksDB, against an ordered map: every read RocksDB makes of
// a memtable (Get, iterators both ways, seeks, snapshots, flush, WAL recovery) and readers
// running beside the writer.
#include "storage/memtable.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/memtablerep.h>
#include <rocksdb/slice_transform.h>

#include <atomic>
#include <map>
#include <random>
#include <thread>

namespace vocflow::storage {
namespace {

using model = std::map<std::string, std::string>;

// How inserts find their place: one finger for all, one per RocksDB insert hint (a prefix), one
// per ticket (the keys' part up to their \0, as in the events table).
// per_ticket_shared: four slots, so that tickets keep taking each other's.
enum class fingers { one, per_hint, per_ticket, per_ticket_shared };

class MemtableTest : public ::testing::TestWithParam<fingers> {
 protected:
  void open(bool wal = false) {
    rocksdb::Options o;
    o.create_if_missing = true;
    o.allow_concurrent_memtable_write = false;
    o.memtable_factory = skiplist_memtable(
        GetParam() == fingers::per_ticket || GetParam() == fingers::per_ticket_shared,
        GetParam() == fingers::per_ticket_shared ? 4 : 65536);
    o.write_buffer_size = 256 << 20;  // everything stays in the memtable unless flushed
    if (GetParam() == fingers::per_hint)
      o.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(3));
    wal_ = wal;
    rocksdb::DB* db = nullptr;
    auto st = rocksdb::DB::Open(o, dir_.str(), &db);
    ASSERT_TRUE(st.ok()) << st.ToString();
    db_.reset(db);
  }
  void put(const std::string& k, const std::string& v) {
    rocksdb::WriteOptions w;
    w.disableWAL = !wal_;
    ASSERT_TRUE(db_->Put(w, k, v).ok());
    model_[k] = v;
  }
  void del(const std::string& k) {
    rocksdb::WriteOptions w;
    w.disableWAL = !wal_;
    ASSERT_TRUE(db_->Delete(w, k).ok());
    model_.erase(k);
  }
  // Keys with shared prefixes (as ticket ids share theirs) and of different lengths.
  std::string random_key() {
    static const std::string prefixes[] = {"T-A", "T-B", "T-C", "T-AA", "U"};
    std::string k = prefixes[rng_() % 5];
    k.push_back('\0');
    return k.append(std::to_string(rng_() % 400));
  }
  // Everything a reader can see equals `expected`: point reads, both directions, seeks.
  void expect_reads(const model& expected, const rocksdb::Snapshot* at = nullptr) {
    rocksdb::ReadOptions r;
    r.snapshot = at;
    std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(r)};
    auto m = expected.begin();
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++m) {
      ASSERT_NE(m, expected.end());
      ASSERT_EQ(it->key().ToString(), m->first);
      ASSERT_EQ(it->value().ToString(), m->second);
    }
    ASSERT_EQ(m, expected.end());
    auto back = expected.rbegin();
    for (it->SeekToLast(); it->Valid(); it->Prev(), ++back) {
      ASSERT_NE(back, expected.rend());
      ASSERT_EQ(it->key().ToString(), back->first);
    }
    ASSERT_EQ(back, expected.rend());
    for (int i = 0; i < 300; ++i) {
      auto k = random_key();
      std::string v;
      auto st = db_->Get(r, k, &v);
      auto found = expected.find(k);
      ASSERT_EQ(st.ok(), found != expected.end()) << k;
      if (st.ok()) {
        ASSERT_EQ(v, found->second);
      }
      it->Seek(k);
      auto lb = expected.lower_bound(k);
      ASSERT_EQ(it->Valid(), lb != expected.end());
      if (lb != expected.end()) {
        ASSERT_EQ(it->key().ToString(), lb->first);
      }
      it->SeekForPrev(k);
      auto ub = expected.upper_bound(k);
      ASSERT_EQ(it->Valid(), ub != expected.begin());
      if (ub != expected.begin()) {
        ASSERT_EQ(it->key().ToString(), std::prev(ub)->first);
      }
    }
  }
  void churn(int ops) {
    for (int i = 0; i < ops; ++i) {
      auto k = random_key();
      if (rng_() % 4 == 0)
        del(k);
      else
        put(k, std::to_string(i));
    }
  }

  testing::temp_dir dir_;
  std::unique_ptr<rocksdb::DB> db_;
  bool wal_ = false;
  model model_;
  std::mt19937 rng_{20261201};
};

TEST_P(MemtableTest, ReadsAsAnOrderedMapUnderPutsOverwritesAndDeletes) {
  open();
  churn(20'000);
  expect_reads(model_);
}

// Keys with and without a \0 (the benchmarks' raw appends), interleaved and in sequence.
TEST_P(MemtableTest, KeysOfManyTicketsInterleavedKeepTheirOrder) {
  open();
  for (int round = 0; round < 20; ++round)
    for (int ticket = 0; ticket < 500; ++ticket) {
      std::string k = "T-" + std::to_string(ticket * 7919 % 500);
      k.push_back('\0');
      put(k.append(std::to_string(1000 + round)), "e");
      put("00" + std::to_string(100000 + round * 500 + ticket), "raw");
    }
  expect_reads(model_);
}

// New tickets land between tickets that already have events (ids in no particular order)
// while those keep getting their next events: the marks on the links between two tickets'
// events (memtable by ticket) must follow every insert in between.
TEST_P(MemtableTest, NewTicketsBetweenOthersWhileTheOthersGoOn) {
  open();
  std::vector<std::string> tickets;
  std::vector<int> next_seq;
  for (int round = 0; round < 300; ++round) {
    // a new ticket, its id anywhere among the others
    tickets.push_back("T-" + std::to_string(rng_() % 100000));
    next_seq.push_back(1);
    for (size_t t = 0; t < tickets.size(); t += 1 + rng_() % 3) {  // some of them go on
      std::string k = tickets[t];
      k.push_back('\0');
      put(k.append(std::to_string(100000 + next_seq[t]++)), "e");
    }
  }
  expect_reads(model_);
}

TEST_P(MemtableTest, ASnapshotSeesTheOlderVersionsOfOverwrittenKeys) {
  open();
  churn(5'000);
  auto before = model_;
  const rocksdb::Snapshot* snap = db_->GetSnapshot();
  churn(5'000);
  expect_reads(before, snap);
  expect_reads(model_);
  db_->ReleaseSnapshot(snap);
}

TEST_P(MemtableTest, FlushedAndRecoveredTablesHoldTheSameData) {
  open(true);
  churn(10'000);
  ASSERT_TRUE(db_->Flush(rocksdb::FlushOptions{}).ok());  // an SST built from our iterator
  expect_reads(model_);
  churn(5'000);  // in the WAL and the memtable only
  db_.reset();
  open(true);  // the WAL replays into a new memtable
  expect_reads(model_);
}

// A reader beside the writer sees keys in order, and every key written before it looked.
TEST_P(MemtableTest, ReadersBesideTheWriterSeeAnOrderedListWithEveryFinishedWrite) {
  open();
  constexpr int n = 20'000;
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back(random_key().append(1, '#').append(std::to_string(i)));
  std::atomic<int> written{0};
  std::atomic<bool> failed{false};
  auto reader = [&] {
    std::mt19937 rng{
        static_cast<unsigned>(std::hash<std::thread::id>{}(std::this_thread::get_id()))};
    while (written.load() < n && !failed) {
      int done = written.load();
      std::unique_ptr<rocksdb::Iterator> it{db_->NewIterator(rocksdb::ReadOptions{})};
      std::string last;
      int seen = 0;
      for (it->SeekToFirst(); it->Valid(); it->Next(), ++seen) {
        auto k = it->key().ToString();
        if (seen && k <= last) failed = true;
        last = k;
      }
      if (seen < done) failed = true;
      if (done > 0) {
        std::string v;
        if (!db_->Get(rocksdb::ReadOptions{}, keys[rng() % done], &v).ok()) failed = true;
      }
    }
  };
  std::thread r1{reader}, r2{reader};
  rocksdb::WriteOptions w;
  w.disableWAL = true;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(db_->Put(w, keys[i], "x").ok());
    written = i + 1;
  }
  r1.join();
  r2.join();
  EXPECT_FALSE(failed);
}

INSTANTIATE_TEST_SUITE_P(Fingers, MemtableTest,
                         ::testing::Values(fingers::one, fingers::per_hint, fingers::per_ticket,
                                           fingers::per_ticket_shared),
                         [](const auto& info) {
                           switch (info.param) {
                             case fingers::one:
                               return "OneForAll";
                             case fingers::per_hint:
                               return "PerHint";
                             case fingers::per_ticket:
                               return "PerTicket";
                             default:
                               return "PerTicketSharingSlots";
                           }
                         });

}  // namespace
}  // namespace vocflow::storage

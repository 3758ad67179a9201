// `vocflow inspect` on a stopped store, as ops use it: what it counts and lists, and that a
// store it cannot read is an error (exit 1, the reason), never an empty store.
#include "storage/store.hpp"
#include "tests/shell.hpp"
#include "tests/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vocflow::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class InspectTest : public ::testing::Test {
 protected:
  // Two tickets, one due timer and one flow, written and then flushed into table files (a
  // writable open flushes what it recovers from the log).
  void SetUp() override {
    auto t0 = from_ms(1'780'000'000'000);
    {
      storage::status st;
      auto db = storage::store::open({.path = data(), .sync = true, .cache_mb = 8}, st);
      ASSERT_TRUE(db) << st.message();
      auto b = db->batch();
      for (auto id : {"T-A", "T-B"}) {
        ticket t;
        t.id = id;
        t.flow = "general-complaint";
        t.version = 1;
        t.seq = 1;
        b.events(id, {event{1, t0, "intake", "system", ev::note{"opened"}}});
        b.snapshot(t);
      }
      b.arm(0, "T-A", 1, t0 + 4h);
      b.flow("general-complaint", 1, "id: general-complaint\n");
      ASSERT_TRUE(db->write(b));
    }
    storage::status st;
    ASSERT_TRUE(storage::store::open({.path = data(), .sync = true, .cache_mb = 8}, st))
        << st.message();
  }

  std::string data() const { return dir_ / "data"; }
  shell_result inspect(const std::string& args = {}) {
    return shell(std::string{VOCFLOW_BINARY} + " inspect --data " + data() + " " + args);
  }
  // Overwrites the start of every table file, where its first data block is: each read of it
  // fails its checksum, while the file still opens (its index and footer are at the end).
  void corrupt_table_files() {
    size_t files = 0;
    for (auto& f : fs::directory_iterator{data()}) {
      if (f.path().extension() != ".sst") continue;
      std::fstream out{f.path(), std::ios::in | std::ios::out | std::ios::binary};
      out.write(std::string(32, '\xff').data(), 32);
      ++files;
    }
    ASSERT_GT(files, 0u);
  }

  temp_dir dir_;
};

TEST_F(InspectTest, CountsTicketsTimersAndFlows) {
  auto r = inspect();
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("tickets        2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("due timers     1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flow versions  1"), std::string::npos) << r.out;
  auto due = inspect("--due");
  ASSERT_EQ(due.code, 0) << due.out;
  EXPECT_NE(due.out.find("T-A"), std::string::npos) << due.out;
}

TEST_F(InspectTest, AStoreThatCannotBeReadIsAnErrorNotAnEmptyStore) {
  corrupt_table_files();
  for (auto args : {"", "--json", "--due"}) {
    auto r = inspect(args);
    EXPECT_EQ(r.code, 1) << args << ": " << r.out;
    EXPECT_NE(r.out.find("cannot read"), std::string::npos) << args << ": " << r.out;
    EXPECT_EQ(r.out.find("tickets        0"), std::string::npos) << args << ": " << r.out;
  }
}

}  // namespace
}  // namespace vocflow::testing

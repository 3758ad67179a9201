// The stored encoding round-trips every event and ticket the engine makes, and survives
// garbage and format growth.
#include "storage/codec.hpp"
#include "storage/record.hpp"
#include "tests/workflows/fixture.hpp"
#include "workflows/simulator.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vocflow::storage {
namespace {

// Every event and state of every example scenario.
struct sample {
  std::vector<event> events;
  std::vector<ticket> states;
};

sample examples() {
  sample out;
  const std::pair<const char*, const char*> runs[] = {
      {"apparel-returns", "apparel-returns.yaml"},
      {"app-crash", "app-crash.yaml"},
      {"repeat-caller", "repeat-caller.yaml"},
      {"billing-dispute", "billing-dispute.yaml"},
      {"sales-overpromise", "sales-overpromise.yaml"}};
  for (auto [id, file] : runs) {
    auto f = testing::example_flow(id);
    diagnostics d;
    auto s = load_scenario(
        testing::read_all({testing::example(std::string{"scenarios/"} + file)})[0], *f, d);
    auto sim = simulate(*f, *s);
    ticket t;
    for (auto& item : sim.timeline)
      if (item.happened) {
        out.events.push_back(*item.happened);
        apply(t, *item.happened);
        out.states.push_back(t);
      }
  }
  return out;
}

TEST(Codec, EveryEventRoundTrips) {
  auto s = examples();
  ASSERT_GT(s.events.size(), 150u);
  auto value = encode_events(s.events);
  std::vector<event> back;
  ASSERT_TRUE(decode_events(value, back));
  EXPECT_EQ(back, s.events);
  for (auto& e : s.events) {  // and one at a time
    std::vector<event> one;
    ASSERT_TRUE(decode_events(encode_events(&e, 1), one));
    EXPECT_EQ(one.at(0), e) << e.type();
  }
}

TEST(Codec, EveryTicketStateRoundTrips) {
  for (auto& t : examples().states) {
    auto back = decode_ticket(encode_ticket(t));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, t);
  }
}

// A record's length goes in front of its fields once they are written: 1, 2 or 3 bytes of
// length (below 128, below 16384, above), nested or not, after what the string held before.
TEST(Codec, RecordsOfEveryLengthClassRoundTripAfterExistingBytes) {
  for (size_t text : {0u, 100u, 127u, 128u, 5'000u, 16'383u, 16'384u, 70'000u}) {
    ticket t;
    t.id = "T-1";
    t.step = std::string(text, 's');
    ticket_fields f;
    f.text = std::string(text / 2, 'x');
    f.extra["note"] = std::string(text, 'n');
    t.info = f;
    std::string out = "prefix";
    encode_ticket(out, t);
    ASSERT_EQ(out.substr(0, 6), "prefix");
    auto back = decode_ticket(std::string_view{out}.substr(6));
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, t) << text;
  }
}

TEST(Codec, RejectsGarbageWithoutCrashing) {
  auto s = examples();
  auto value = encode_events(s.events);
  std::mt19937 rng(1);
  EXPECT_FALSE(decode_events("", s.events));
  auto future = value;
  future[0] = 9;  // a format version this build does not know
  EXPECT_FALSE(decode_events(future, s.events));
  EXPECT_FALSE(decode_ticket("\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"));
  for (int i = 0; i < 2000; ++i) {
    auto broken = value.substr(0, std::uniform_int_distribution<size_t>(2, value.size() - 1)(rng));
    for (int j = 0; j < 3; ++j)
      broken[std::uniform_int_distribution<size_t>(1, broken.size() - 1)(rng)] ^= 0x5a;
    std::vector<event> out;
    // Must not crash or hang; either outcome is fine.
    (void)decode_events(broken, out);
    (void)decode_ticket(broken);
  }
}

// The same record as written by an older version (v1) and a newer one (v2, one more field).
struct record_v1 {
  int32_t count = 0;
  std::string name;
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("count", s.count), f("name", s.name);
  }
};
struct record_v2 {
  int32_t count = 0;
  std::string name;
  std::vector<std::string> tags = {"default"};
  template <class S, class F>
  static void fields(S& s, F&& f) {
    f("count", s.count), f("name", s.name), f("tags", s.tags);
  }
};

TEST(Codec, ReadsRecordsWithMoreOrFewerTrailingFields) {
  record_v2 newer;
  ASSERT_TRUE(decode_record(encode_record(record_v1{7, "old"}), newer));
  EXPECT_EQ(newer.count, 7);
  EXPECT_EQ(newer.name, "old");
  EXPECT_EQ(newer.tags, std::vector<std::string>{"default"});  // missing: keeps its default

  record_v1 older;
  ASSERT_TRUE(decode_record(encode_record(record_v2{9, "new", {"a", "b"}}), older));
  EXPECT_EQ(older.count, 9);  // the unknown trailing field is skipped
  EXPECT_EQ(older.name, "new");
}

}  // namespace
}  // namespace vocflow::storage

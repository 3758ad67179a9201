// The partition's ticket cache: least recently used eviction, and states staged by a group
// commit that become committed when it is written or are dropped when it fails.
#include "actors/ticket_cache.hpp"

#include <gtest/gtest.h>

namespace vocflow::actors {
namespace {

struct submission_like {
  std::string id;
};

cached_ticket state(const std::string& id, uint64_t seq, uint64_t snapshot_seq = 0) {
  auto t = std::make_shared<ticket>();
  t->id = id;
  t->seq = seq;
  return {std::move(t), snapshot_seq};
}

TEST(TicketCache, EvictsTheLeastRecentlyUsed) {
  ticket_cache cache{2};
  cache.insert("a", state("a", 1));
  cache.insert("b", state("b", 1));
  ASSERT_NE(cache.find("a"), nullptr);  // a is now more recent than b
  cache.insert("c", state("c", 1));
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("b"), nullptr);
  EXPECT_NE(cache.find("a"), nullptr);
  EXPECT_NE(cache.find("c"), nullptr);
}

TEST(TicketCache, StagedStatesAreWhatTheNextCommandSeesAndBecomeCommittedOnCommit) {
  ticket_cache cache{10};
  auto& a = cache.insert("a", state("a", 3, 1));
  cache.stage(a, state("a", 5, 1));
  cache.stage(a, state("a", 7, 7));  // a second command of the same group
  EXPECT_EQ(cache.staged(), 1u);
  EXPECT_EQ(cache.find("a")->current().state->seq, 7u);
  EXPECT_EQ(cache.find("a")->committed.state->seq, 3u);
  cache.commit();
  EXPECT_EQ(cache.staged(), 0u);
  auto* e = cache.find("a");
  ASSERT_NE(e, nullptr);
  EXPECT_FALSE(e->staged);
  EXPECT_EQ(e->committed.state->seq, 7u);
  EXPECT_EQ(e->committed.snapshot_seq, 7u);
}

TEST(TicketCache, DiscardGoesBackToTheCommittedStatesAndForgetsTicketsBeingOpened) {
  ticket_cache cache{10};
  cache.insert("a", state("a", 3));
  cache.stage(*cache.find("a"), state("a", 4));
  cache.stage("new", state("new", 2));  // opened in this group: not cached before
  EXPECT_EQ(cache.find("new")->current().state->seq, 2u);
  EXPECT_EQ(cache.find("new")->committed.state, nullptr);
  cache.discard();
  EXPECT_EQ(cache.find("new"), nullptr);
  ASSERT_NE(cache.find("a"), nullptr);
  EXPECT_FALSE(cache.find("a")->staged);
  EXPECT_EQ(cache.find("a")->current().state->seq, 3u);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TicketCache, StagedTicketsAreNeverEvicted) {
  ticket_cache cache{2};
  cache.stage("a", state("a", 1));
  cache.stage("b", state("b", 1));
  cache.stage("c", state("c", 1));  // beyond the capacity, but a and b are not written yet
  EXPECT_EQ(cache.size(), 3u);
  for (auto id : {"a", "b", "c"}) EXPECT_NE(cache.find(id), nullptr) << id;
  cache.commit();  // written: the cache shrinks back to its capacity, least recent first
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.find("a"), nullptr);
}

// Many tickets share the slots of the table beside the index (twice the capacity): whichever
// took a slot last, every cached ticket is found with its own state, and none that went.
TEST(TicketCache, TicketsSharingHintSlotsAreFoundAndEvictedOnesAreNot) {
  ticket_cache cache{50};
  for (int i = 0; i < 80; ++i) {
    auto id = "T-" + std::to_string(i);
    cache.insert(id, state(id, static_cast<uint64_t>(i)));
  }
  EXPECT_EQ(cache.size(), 50u);
  for (int i = 0; i < 80; ++i) {
    auto id = "T-" + std::to_string(i);
    auto* e = cache.find(id);
    if (i < 30) {
      EXPECT_EQ(e, nullptr) << id;  // the least recently used went
    } else {
      ASSERT_NE(e, nullptr) << id;
      EXPECT_EQ(e->id, id);
      EXPECT_EQ(e->current().state->seq, static_cast<uint64_t>(i));
    }
  }
  // A ticket being opened and then discarded leaves nothing behind to find.
  cache.stage("T-new", state("T-new", 1));
  std::vector<submission_like> batch = {{"T-new"}, {"T-31"}, {"T-0"}};
  cache.prefetch(
      batch, [](const submission_like& s) -> auto& { return s.id; });
  cache.discard();
  EXPECT_EQ(cache.find("T-new"), nullptr);
  cache.prefetch(
      batch, [](const submission_like& s) -> auto& { return s.id; });
  EXPECT_NE(cache.find("T-31"), nullptr);
}

}  // namespace
}  // namespace vocflow::actors

// A disk that fails reads under the runtime (tests/storage/faulty_fs.hpp): a read that fails is
// an error all the way up, never "nothing there". The command is refused with nothing written;
// the timer service tries again later, and fires what fell due once the disk reads again.
#include "tests/actors/fixture.hpp"
#include "tests/storage/faulty_fs.hpp"
#include "tests/workflows/fixture.hpp"

#include <gtest/gtest.h>

#include <regex>

namespace vocflow::testing {
namespace {

using namespace std::chrono_literals;
using kind = actors::command_result::kind;

class FailingReadsTest : public runtime_fixture {
 protected:
  FailingReadsTest() { file_system_ = disk_; }

  // Starts again on the same folder with no block cache: what was written is in table files
  // now (RocksDB flushes what it recovers), and every read of it reaches the disk.
  void restart_uncached() {
    stop();
    cache_mb_ = 0;
    start(1);
  }
  // Loads a ticket into its partition's memory (a note), so that commands on it read nothing
  // but what they look up besides the ticket.
  void warm(const std::string& id) {
    auto r = act(id, "note", "agent", [](command& c) { c.text = "looked at"; });
    ASSERT_EQ(r.result, kind::accepted) << r.failure << r.why.message;
  }
  static int count(const std::vector<event>& es, std::string_view type) {
    return static_cast<int>(
        std::count_if(es.begin(), es.end(), [&](auto& e) { return e.type() == type; }));
  }
  static ticket_fields charged(const std::string& customer) {
    return {.customer = customer, .channel = "web", .category = "Credit card", .text = "twice"};
  }
  actors::command_result grant(const std::string& ticket, int64_t cents) {
    return act(ticket, "grant_compensation", "cs_manager", [&](command& c) {
      c.amount = money{cents};
      c.text = "refund";
    });
  }

  std::shared_ptr<faulty_fs> disk_ = std::make_shared<faulty_fs>();
};

// A retried open whose idempotency key cannot be read is refused: not taken for a new key
// (which would open the complaint a second time), not answered as a conflict.
TEST_F(FailingReadsTest, ARetriedOpenWhoseKeyCannotBeReadIsRefusedAndWritesNothing) {
  start(1);
  ticket_fields complaint{.customer = "C-91", .category = "returns", .product = "apparel"};
  auto first = open(complaint, "mail-4711");
  ASSERT_EQ(first.result, kind::accepted) << first.why.message;
  auto id = first.state->id;
  restart_uncached();
  warm(id);
  auto events = fetch(id).history.size();

  disk_->fail_reads(true);
  auto retried = open(complaint, "mail-4711");
  disk_->fail_reads(false);
  EXPECT_GT(disk_->failed_reads(), 0u);
  EXPECT_EQ(retried.result, kind::failed) << retried.why.message;
  EXPECT_NE(retried.failure.find("injected read failure"), std::string::npos) << retried.failure;
  EXPECT_EQ(fetch(id).history.size(), events);
  size_t tickets = 0;
  ASSERT_TRUE(db().for_each_ticket([&](const ticket&) { return ++tickets, true; }));
  EXPECT_EQ(tickets, 1u);
  // The disk reads again: the retry is answered with the ticket it opened.
  auto again = open(complaint, "mail-4711");
  ASSERT_EQ(again.result, kind::accepted) << again.failure << again.why.message;
  EXPECT_TRUE(again.replayed);
  EXPECT_EQ(again.state->id, id);
}

// A grant whose customer ledger cannot be read is refused, not decided as if the customer had
// received nothing: the customer's cap (billing-dispute: 1,000 USD in 90 days) is never passed.
TEST_F(FailingReadsTest, AGrantWhoseLedgerCannotBeReadIsRefusedNotGrantedPastTheCap) {
  start(1);
  std::string t[3];
  for (auto& id : t) {
    auto r = open(charged("C-92"));
    ASSERT_EQ(r.result, kind::accepted) << r.why.message;
    ASSERT_EQ(r.state->flow, "billing-dispute");
    id = r.state->id;
  }
  ASSERT_EQ(grant(t[0], 50000).result, kind::accepted);
  ASSERT_EQ(grant(t[1], 50000).result, kind::accepted);  // the cap is reached
  restart_uncached();
  warm(t[2]);

  disk_->fail_reads(true);
  auto past = grant(t[2], 10000);
  disk_->fail_reads(false);
  EXPECT_EQ(past.result, kind::failed) << past.why.message;
  EXPECT_NE(past.failure.find("injected read failure"), std::string::npos) << past.failure;
  EXPECT_EQ(count(fetch(t[2]).history, "compensation_granted"), 0);
  EXPECT_EQ(granted("C-92", std::chrono::days{90}), money{100000});
  // Read again, the cap refuses it for what it is.
  auto refused = grant(t[2], 10000);
  EXPECT_EQ(refused.result, kind::rejected);
  EXPECT_EQ(refused.why.code, reject_code::above_limit) << refused.why.message;
}

// While the due index cannot be read, the timer service tries again with a growing wait (logged,
// counted in the metrics); once the disk reads again the timers that fell due fire, once.
TEST_F(FailingReadsTest, ATimerServiceThatCannotReadItsIndexRetriesAndFiresOnce) {
  start(1);
  set_now(local("cn-business", "2026-03-06 17:50"));  // Friday evening in Shanghai
  ticket_fields complaint{.customer = "C-93", .category = "returns", .product = "apparel"};
  auto r = open(complaint);
  ASSERT_EQ(r.result, kind::accepted);
  auto id = r.state->id;
  restart_uncached();

  // The first-response warning falls due Monday 12:02, the breach 12:50 (4h of business time).
  disk_->fail_reads(true);
  advance_to(local("cn-business", "2026-03-09 14:00"));
  auto failed = disk_->failed_reads();
  disk_->fail_reads(false);
  EXPECT_GT(failed, 0u);
  // Two hours of failing reads: a fixed one-second retry would be thousands of attempts.
  EXPECT_LT(failed, 400u);
  std::smatch m;
  auto text = metrics();
  ASSERT_TRUE(std::regex_search(text, m, std::regex{R"(vocflow_timer_read_failures_total (\d+))"}))
      << text;
  EXPECT_GT(std::stoul(m[1]), 0u);

  advance_to(local("cn-business", "2026-03-09 14:10"));
  auto h = fetch(id).history;
  int warned = 0, breached = 0;
  for (auto& e : h) {
    if (auto* w = std::get_if<ev::sla_warned>(&e.body))
      warned += w->kind == clock_kind::first_response;
    if (auto* b = std::get_if<ev::sla_breached>(&e.body))
      breached += b->kind == clock_kind::first_response;
  }
  EXPECT_EQ(warned, 1);
  EXPECT_EQ(breached, 1);
}

}  // namespace
}  // namespace vocflow::testing

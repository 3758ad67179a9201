// What clients see of a ticket (workflows/ticket_view.hpp): one projection, one serializer.
#include "tests/workflows/fixture.hpp"
#include "workflows/json_codec.hpp"
#include "workflows/ticket_view.hpp"

#include <gtest/gtest.h>

namespace vocflow::testing {
namespace {

using namespace std::chrono_literals;

class TicketViewTest : public ::testing::Test {
 protected:
  TicketViewTest() : dr_(example_flow("apparel-returns")) {
    auto& cal = *dr_.flow_().cal;
    t0_ = local(cal, "2026-03-06 17:50");
    EXPECT_FALSE(dr_.open({.customer = "C-1",
                           .channel = "app",
                           .category = "returns",
                           .product = "apparel",
                           .text = "  Jeans two sizes small\nand the photos lie",
                           .order_value = money{39900}},
                          t0_));
  }
  driver dr_;
  time_point t0_;
};

TEST_F(TicketViewTest, WhereItStandsWithTheFlowsZoneAndTheActionsOfADecision) {
  auto v = project(dr_.state(), &dr_.flow_(), t0_);
  EXPECT_EQ(v.id, dr_.state().id);
  EXPECT_EQ(v.owner, "customer_service");
  EXPECT_EQ(v.customer, "C-1");
  EXPECT_EQ(v.subject, "Jeans two sizes small");
  EXPECT_EQ(v.time_zone, "Asia/Shanghai");
  ASSERT_EQ(v.deadlines.size(), 3u);  // first response, resolution, the step
  EXPECT_EQ(v.next_deadline, dr_.state().clock_of(clock_kind::first_response)->deadline);
  EXPECT_FALSE(v.breached);
  EXPECT_EQ(v.allowed_actions, allowed_actions(dr_.flow_(), dr_.state(), t0_));
  // Without the flow, or without the time of a decision: no zone, no actions.
  auto row = project(dr_.state());
  EXPECT_TRUE(row.time_zone.empty());
  EXPECT_TRUE(row.allowed_actions.empty());
  EXPECT_TRUE(project(dr_.state(), &dr_.flow_()).allowed_actions.empty());
}

TEST_F(TicketViewTest, WaitingAndPausedDeadlinesAreShownAsSuch) {
  ASSERT_FALSE(dr_.act("ask_customer", "agent", t0_ + 1min, [](command& c) { c.text = "size?"; }));
  auto v = project(dr_.state());
  EXPECT_EQ(v.waiting, std::vector<std::string>{"waiting_customer"});
  for (auto& d : v.deadlines) EXPECT_TRUE(d.paused) << d.name;
  EXPECT_EQ(v.next_deadline, no_time) << "a paused deadline is not the next one";
}

TEST_F(TicketViewTest, OneSerializerForTheViewAndTheDetail) {
  auto v = project(dr_.state(), &dr_.flow_(), t0_);
  auto d = project_detail(dr_.state(), &dr_.flow_());
  auto row = to_json(v);
  auto page = to_json(v, d);
  for (auto& [k, x] : row.items()) EXPECT_EQ(page[k], x) << k << ": the page starts with the view";
  EXPECT_EQ(page["fields"]["order_value"], "399");
  EXPECT_EQ(page["compensation"]["currency"], "CNY");
  EXPECT_TRUE(page["outcomes"]["first_response"].is_null()) << "still running";
  EXPECT_TRUE(page["feedback"].is_null());
  EXPECT_EQ(row["opened_at"], format_utc(t0_));
}

TEST(Subject, TheFirstLineCutAtACharacterBoundary) {
  EXPECT_EQ(subject_of("Late parcel\r\nsecond line"), "Late parcel");
  std::string chinese;
  for (int i = 0; i < 40; ++i) chinese += "\xe5\xa5\xbd";  // 好, 3 bytes each
  auto s = subject_of(chinese);
  EXPECT_EQ(s.size(), 78u) << "26 whole characters fit in 80 bytes";
  EXPECT_EQ(subject_of(std::string(100'000, 'x')).size(), 80u);
}

}  // namespace
}  // namespace vocflow::testing

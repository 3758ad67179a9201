// The KPI arithmetic on hand-made tickets: the cohort's bounds, nearest-rank percentiles,
// what counts as decided and what is still pending.
#include "workflows/kpi.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using namespace std::chrono_literals;

const time_point t0 = from_ms(1'780'000'000'000);

ticket closed_after(std::chrono::hours cycle) {
  ticket t{.id = "T-1", .flow = "kpi"};
  t.opened_at = t0;
  t.status = ticket_status::closed;
  t.resolved_at = t.closed_at = t0 + cycle;
  t.cycle_business = cycle;
  t.departments = std::vector<std::string>{"customer_service"};
  t.interactions = 1;
  return t;
}

kpi_options period() {
  return {.from = t0, .to = t0 + 24h, .as_of = t0 + 30 * 24h};
}

TEST(Kpi, TheCohortIsOpenedFromInclusiveToExclusive) {
  kpi_builder k{period()};
  auto t = closed_after(1h);
  EXPECT_TRUE(k.add(t, "CNY"));
  t.opened_at = t0 + 24h;
  EXPECT_FALSE(k.add(t, "CNY"));
  t.opened_at = t0 - 1ms;
  EXPECT_FALSE(k.add(t, "CNY"));
  EXPECT_EQ(std::move(k).finish().total.tickets, 1);
}

TEST(Kpi, PercentilesAreNearestRank) {
  kpi_durations d;
  EXPECT_FALSE(d.percentile(0.5));
  for (int h : {7, 1, 10, 3, 5, 2, 9, 4, 8, 6}) d.samples.push_back(std::chrono::hours{h});
  EXPECT_EQ(d.percentile(0.5), millis{5h});
  EXPECT_EQ(d.percentile(0.9), millis{9h});
  EXPECT_EQ(d.percentile(1.0), millis{10h});
  d.samples = {millis{42}};
  EXPECT_EQ(d.percentile(0.9), millis{42});
}

TEST(Kpi, UndecidedTargetsArePendingButARunningBreachIsAMiss) {
  kpi_builder k{period()};
  ticket running = closed_after(1h);
  running.status = ticket_status::open;
  running.resolved_at = running.closed_at = no_time;
  sla_clock fr;
  fr.kind = clock_kind::first_response;
  running.clocks = {fr};
  k.add(running, "");  // not answered, not late yet
  running.clocks[0].breached = true;
  k.add(running, "");  // not answered and already late
  auto r = std::move(k).finish();
  EXPECT_EQ(r.total.first_response.pending, 1);
  EXPECT_EQ(r.total.first_response.no, 1);
  EXPECT_EQ(r.total.first_response.rate(), 0.0);
  EXPECT_EQ(r.total.first_contact.yes + r.total.first_contact.no, 0);  // never resolved
}

TEST(Kpi, FirstContactNeedsOneReplyNoHandOffNoReopenAndTime) {
  auto opts = period();
  opts.as_of = t0 + 5 * 24h;  // two of the tickets were resolved less than 7 days ago
  kpi_builder k{opts};
  auto settled = closed_after(1h);
  k.add(settled, "");
  auto two_replies = closed_after(1h);
  two_replies.interactions = 2;
  k.add(two_replies, "");
  auto handed = closed_after(1h);
  handed.handoffs = 1;
  k.add(handed, "");
  auto recent = closed_after(1h);
  recent.resolved_at = t0 - 24h + 5 * 24h;  // 1 day before as_of: pending
  k.add(recent, "");
  auto r = std::move(k).finish();
  EXPECT_EQ(r.total.first_contact.yes, 0);  // `settled` is only 5 days old too
  EXPECT_EQ(r.total.first_contact.no, 2);
  EXPECT_EQ(r.total.first_contact.pending, 2);
}

TEST(Kpi, GroupsByEveryDepartmentInvolvedAndSumsMoneyPerCurrency) {
  auto opts = period();
  opts.group_by = kpi_grouping::department;
  kpi_builder k{opts};
  auto a = closed_after(2h);
  a.departments = std::vector<std::string>{"customer_service", "billing"};
  a.granted = money{3000};
  k.add(a, "CNY");
  auto b = closed_after(4h);
  b.granted = money{1050};
  k.add(b, "USD");
  auto r = std::move(k).finish();
  ASSERT_EQ(r.groups.size(), 2u);
  EXPECT_EQ(r.groups[0].group, "billing");
  EXPECT_EQ(r.groups[0].tickets, 1);
  EXPECT_EQ(r.groups[1].tickets, 2);
  EXPECT_EQ(r.total.compensation.at("CNY"), money{3000});
  EXPECT_EQ(r.total.compensation.at("USD"), money{1050});
  EXPECT_EQ(r.total.cross_business.samples, (std::vector<millis>{2h}));
  EXPECT_EQ(parse_kpi_grouping("agent"), kpi_grouping::agent);
  EXPECT_FALSE(parse_kpi_grouping("weekday"));
}

}  // namespace
}  // namespace vocflow

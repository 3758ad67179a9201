// The audit on histories vocflow itself cannot make (an import from another system, an older
// flow): grants split on one ticket. The findings that vocflow's own commands make are tested
// through the runtime (tests/connectors/what_if_test.cpp).
#include "tests/workflows/fixture.hpp"
#include "workflows/audit.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

event grant(uint64_t seq, time_point at, const std::string& role, int64_t minor) {
  return {seq, at, "someone", role, ev::compensation_granted{"", money{minor}, "sorry", {}}};
}

TEST(AuditTest, GrantsSplitOnOneTicketAboveTheRolesLimitWithinADay) {
  auto f = testing::example_flow("apparel-returns");  // agent limit 50 CNY
  auto t0 = testing::local(*f->cal, "2026-03-02 10:00");
  ticket t;
  t.id = "T-1";
  t.flow = f->id;
  t.opened_at = t0;
  ticket_fields info;
  info.customer = "C-1";
  t.info = shared_value<ticket_fields>{info};
  std::vector<event> history = {
      {1, t0, "intake", "system", ev::opened{"T-1", t.info, "normal", false}},
      grant(2, t0 + std::chrono::hours{1}, "agent", 3000),
      grant(3, t0 + std::chrono::hours{5}, "agent", 3000),
      grant(4, t0 + std::chrono::hours{30}, "agent", 4000),  // the next day: a window of its own
      grant(5, t0 + std::chrono::hours{6}, "supervisor", 20000),  // another role, its own limit
  };
  audit_builder a{{.from = t0 - std::chrono::days{1},
                   .to = t0 + std::chrono::days{1},
                   .as_of = t0 + std::chrono::days{3}}};
  a.add(f.get(), t, history);
  auto r = std::move(a).finish();
  ASSERT_EQ(r.counts["split_compensation"], 1);
  ASSERT_EQ(r.findings.size(), 1u);
  auto& found = r.findings[0];
  EXPECT_EQ(found.ticket, "T-1");
  ASSERT_EQ(found.evidence.size(), 2u);
  EXPECT_EQ(found.evidence[0].what.seq, 2u);
  EXPECT_EQ(found.evidence[1].what.seq, 3u);
  EXPECT_NE(found.summary.find("60 CNY"), std::string::npos) << found.summary;
  EXPECT_NE(found.summary.find("on ticket T-1"), std::string::npos) << found.summary;
}

}  // namespace
}  // namespace vocflow

// Every example scenario, run through the simulator: each shows its point at the right
// business time, and its own expectations hold.
#include "tests/workflows/fixture.hpp"
#include "workflows/simulator.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

struct sim_run {
  std::shared_ptr<const flow> f;
  scenario s;
  simulation sim;
};

sim_run run(const std::string& flow_id, const std::string& scenario_file) {
  auto f = testing::example_flow(flow_id);
  diagnostics d;
  auto src = testing::read_all({testing::example("scenarios/" + scenario_file)});
  auto s = load_scenario(src.at(0), *f, d);
  for (auto& i : d.items()) ADD_FAILURE() << to_string(i);
  auto sim = simulate(*f, *s);
  for (auto& c : sim.checks)
    EXPECT_TRUE(c.ok) << scenario_file << ": " << c.what << " (" << c.detail << ")";
  return {f, *s, std::move(sim)};
}

// The local time at which the first event of `type` (with `name`, if given) happened.
std::string when(const sim_run& r, std::string_view type, std::string_view name = {}) {
  for (auto& item : r.sim.timeline) {
    if (!item.happened || item.happened->type() != type) continue;
    if (!name.empty()) {
      bool match = std::visit(
          [&](auto& b) {
            if constexpr (requires { b.name; }) return b.name == name;
            return false;
          },
          item.happened->body);
      if (!match) continue;
    }
    return r.f->cal->format_local(item.at);
  }
  return "never";
}

TEST(Simulator, ApparelReturnsBreachesFirstResponseMondayAt1250) {
  auto r = run("apparel-returns", "apparel-returns.yaml");
  EXPECT_EQ(when(r, "sla_breached", "first_response"), "Mon 2026-03-09 12:50");
  EXPECT_EQ(when(r, "sla_breached", "size_chart"), "Wed 2026-03-11 14:00");
  EXPECT_EQ(when(r, "closed"), "Mon 2026-03-16 10:00");
  EXPECT_EQ(r.sim.final_state.status, ticket_status::closed);
  EXPECT_EQ(
      *r.sim.final_state.departments,
      (std::vector<std::string>{"customer_service", "marketing", "ecommerce_ops", "logistics"}));
}

TEST(Simulator, NationalDayHolidayAndMakeUpWorkday) {
  auto r = run("apparel-returns", "apparel-returns-national-day.yaml");
  EXPECT_EQ(when(r, "sla_breached", "first_response"), "Thu 2026-10-08 11:00");
}

TEST(Simulator, AppCrashAcrossTheSpringDstChange) {
  auto r = run("app-crash", "app-crash.yaml");
  EXPECT_EQ(when(r, "handed_off"), "Mon 2026-03-09 15:00");
  EXPECT_EQ(when(r, "sla_breached", "fix"), "Wed 2026-03-11 15:00");
  for (auto& item : r.sim.timeline)
    if (item.happened && item.happened->type() == "clock_started") {
      auto& c = std::get<ev::clock_started>(item.happened->body);
      if (c.kind == clock_kind::first_response) {
        EXPECT_EQ(format_utc(c.deadline), "2026-03-09T15:00:00.000Z");
      }
    }
}

TEST(Simulator, RepeatCallerEscalatesToASupervisor) {
  auto r = run("repeat-caller", "repeat-caller.yaml");
  EXPECT_EQ(when(r, "escalated", "first_response"), "Mon 2026-11-23 11:30");
  EXPECT_EQ(r.sim.final_state.assigned_role, "supervisor");
  EXPECT_EQ(r.sim.final_state.assignee, "");
  EXPECT_EQ(r.sim.final_state.reopens, 1);
}

TEST(Simulator, BillingDisputeGoesThroughTheBands) {
  auto r = run("billing-dispute", "billing-dispute.yaml");
  EXPECT_EQ(r.sim.final_state.granted, money{17000});
  size_t refused = 0;
  for (auto& item : r.sim.timeline) refused += item.refused.has_value();
  EXPECT_EQ(refused, 2u);
}

TEST(Simulator, SalesHandsOffToDelivery) {
  auto r = run("sales-overpromise", "sales-overpromise.yaml");
  EXPECT_EQ(when(r, "handed_off"), "Sat 2026-11-21 11:00");
}

TEST(Simulator, DefaultFlowCatchesTheRest) {
  auto r = run("general-complaint", "general-complaint.yaml");
  EXPECT_EQ(r.sim.final_state.flow, "general-complaint");
}

TEST(Simulator, AFailedExpectationIsReportedWithItsLine) {
  auto f = testing::example_flow("general-complaint");
  diagnostics d;
  auto s = load_scenario({"s.yaml", R"(start: 2026-11-13 11:00
ticket: { category: other }
expect:
  - { event: closed }
  - state: { status: closed }
)"},
                         *f, d);
  ASSERT_TRUE(s);
  auto sim = simulate(*f, *s);
  EXPECT_FALSE(sim.ok());
  ASSERT_EQ(sim.checks.size(), 2u);
  EXPECT_EQ(sim.checks[0].pos.line, 4);
  EXPECT_NE(render_text(sim, *f, *s).find("FAIL  s.yaml:4:5: closed"), std::string::npos);
}

TEST(Simulator, ScenarioMistakesAreDiagnosed) {
  auto f = testing::example_flow("general-complaint");
  diagnostics d;
  auto s = load_scenario({"s.yaml", R"(start: yesterday
ticket: { category: other, colour: red }
actions:
  - { at: 2026-11-13 11:00, do: respond, amount: lots }
)"},
                         *f, d);
  EXPECT_FALSE(s);
  std::vector<std::string> codes;
  for (auto& i : d.items()) codes.push_back(i.code);
  EXPECT_EQ(codes, (std::vector<std::string>{"bad-time", "unknown-field", "bad-amount"}));
}

TEST(Simulator, JsonTimelineCarriesWallAndBusinessTime) {
  auto r = run("apparel-returns", "apparel-returns.yaml");
  auto j = render_json(r.sim, *r.f, r.s);
  EXPECT_TRUE(j["ok"].get<bool>());
  auto& first = j["timeline"][0];
  EXPECT_EQ(first["local"], "Fri 2026-03-06 17:50");
  EXPECT_EQ(first["event"]["type"], "opened");
  bool saw_breach = false;
  for (auto& item : j["timeline"])
    if (item.contains("event") && item["event"]["type"] == "sla_breached" &&
        item["event"]["name"] == "first_response") {
      EXPECT_EQ(item["business_ms"], 4 * 3600 * 1000);
      saw_breach = true;
    }
  EXPECT_TRUE(saw_breach);
}

}  // namespace
}  // namespace vocflow

// Replaying recorded tickets: the commands read back from a history rebuild it exactly under
// the same flow; under a changed flow, timers fire as it says and what it refuses is reported.
#include "tests/workflows/fixture.hpp"
#include "workflows/replay.hpp"
#include "workflows/simulator.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace vocflow {
namespace {

std::vector<event> events_of(const simulation& sim) {
  std::vector<event> out;
  for (auto& item : sim.timeline)
    if (item.happened) out.push_back(*item.happened);
  return out;
}

// Every example scenario: its history, read back into commands and replayed under its own
// flow, is the same history, event for event.
TEST(ReplayTest, EveryExampleHistoryReplaysToItselfUnderItsOwnFlow) {
  size_t scenarios = 0;
  for (auto& entry : std::filesystem::directory_iterator(testing::example("scenarios"))) {
    auto src = testing::read_all({entry.path().string()});
    auto named = YAML::Load(src.at(0).text)["flow"];
    auto id = named ? named.as<std::string>() : entry.path().stem().string();
    auto f = testing::example_flow(id);
    diagnostics d;
    auto s = load_scenario(src.at(0), *f, d);
    ASSERT_TRUE(s) << entry.path();
    auto sim = simulate(*f, *s);
    auto history = events_of(sim);
    auto last = s->actions.empty() ? s->start : s->actions.back().at;
    auto as_of = s->until.value_or(last + std::chrono::days{60});
    auto granted = [&](const std::string&, time_point, time_point) { return s->customer_granted; };
    auto r = replay_under(*f, history, as_of, granted);
    EXPECT_TRUE(r.impossible.empty())
        << entry.path() << ": " << (r.impossible.empty() ? "" : r.impossible[0].why.message);
    ASSERT_EQ(r.events.size(), history.size()) << entry.path();
    for (size_t i = 0; i < history.size(); ++i)
      EXPECT_EQ(r.events[i], history[i]) << entry.path() << " event " << i + 1 << " "
                                         << history[i].type() << " / " << r.events[i].type();
    EXPECT_EQ(r.state, sim.final_state) << entry.path();
    ++scenarios;
  }
  EXPECT_GE(scenarios, 7u);
}

// Two commands by the same person in the same millisecond are still two commands.
TEST(ReplayTest, CommandsOfOneMomentAreToldApart) {
  auto f = testing::example_flow("apparel-returns");
  testing::driver d{f};
  auto t0 = testing::local(*f->cal, "2026-03-02 10:00");
  ticket_fields info;
  info.customer = "c1", info.category = "returns", info.product = "apparel";
  ASSERT_FALSE(d.open(info, t0));
  auto by_li = [](command& c) { c.by = {"li.wei", "agent"}; };
  ASSERT_FALSE(d.act("respond", "agent", t0 + std::chrono::minutes{5}, by_li));
  ASSERT_FALSE(d.act("hand_off", "agent", t0 + std::chrono::minutes{5}, [&](command& c) {
    by_li(c);
    c.to = "logistics", c.text = "the parcel is lost";
  }));
  ASSERT_FALSE(d.act("investigate", "agent", t0 + std::chrono::minutes{5}, by_li));
  auto actions = recorded_actions(d.events());
  std::vector<std::string> names;
  for (auto& a : actions) names.push_back(a.cmd.action);
  EXPECT_EQ(names, (std::vector<std::string>{"open", "respond", "hand_off", "investigate"}));
  auto r = replay_under(*f, d.events(), t0 + std::chrono::minutes{5});
  EXPECT_EQ(r.events, d.events());
}

// Under a changed flow: a tighter first-response target breaches where the recorded one was
// met; a grant above the lowered agent limit and a hand-off the step no longer allows are
// reported as impossible, and the grant counted as needing approval.
TEST(ReplayTest, AChangedFlowBreachesAndRefusesWhatItNoLongerAllows) {
  auto f = testing::example_flow("apparel-returns");
  testing::driver d{f};
  auto& cal = *f->cal;
  auto t0 = testing::local(cal, "2026-03-02 10:00");  // a Monday
  ticket_fields info;
  info.customer = "c1", info.category = "returns", info.product = "apparel";
  ASSERT_FALSE(d.open(info, t0));
  auto at = [&](const char* local) { return testing::local(cal, local); };
  ASSERT_FALSE(d.act("respond", "agent", at("2026-03-02 13:00")));  // 3h: within 4h, not 2h
  ASSERT_FALSE(d.act("grant_compensation", "agent", at("2026-03-02 13:10"),
                     [](command& c) { c.amount = money{4000}; }));
  ASSERT_FALSE(d.act("hand_off", "agent", at("2026-03-02 13:20"),
                     [](command& c) { c.to = "logistics", c.text = "the parcel is lost"; }));
  ASSERT_FALSE(d.act("resolve", "agent", at("2026-03-02 15:00")));
  d.run_until(at("2026-03-20 00:00"));
  ASSERT_EQ(d.state().first_response_met, 1);

  std::string yaml = f->source;
  auto replace = [&](const std::string& from, const std::string& to) {
    auto pos = yaml.find(from);
    ASSERT_NE(pos, std::string::npos) << from;
    yaml.replace(pos, from.size(), to);
  };
  replace("within: 4h", "within: 2h");
  replace("agent: 50,", "agent: 30,");
  replace("    owner: customer_service\n    sla: 1d\n",
          "    owner: customer_service\n    sla: 1d\n    hand_off: [quality]\n");
  diagnostics diags;
  auto c = testing::with_org(yaml, diags);
  ASSERT_FALSE(diags.has_errors()) << (diags.items().empty() ? "" : to_string(diags.items()[0]));
  auto changed = c.find("apparel-returns");
  auto r = replay_under(*changed, d.events(), at("2026-03-20 00:00"));

  EXPECT_EQ(r.state.first_response_met, 0);
  auto breaches = std::count_if(r.events.begin(), r.events.end(), [](auto& e) {
    auto* b = std::get_if<ev::sla_breached>(&e.body);
    return b && b->kind == clock_kind::first_response;
  });
  EXPECT_EQ(breaches, 1);
  ASSERT_EQ(r.impossible.size(), 2u);
  EXPECT_EQ(r.impossible[0].action, "grant_compensation");
  EXPECT_EQ(r.impossible[0].why.code, reject_code::above_limit);
  EXPECT_EQ(r.impossible[1].action, "hand_off");
  EXPECT_EQ(r.impossible[1].why.code, reject_code::action_not_allowed);
  EXPECT_EQ(r.grants_above_limit, 1);
  EXPECT_EQ(r.state.status, ticket_status::closed);  // the confirmation step timed out

  what_if_builder w{{.from = t0, .to = t0 + std::chrono::days{1}, .as_of = at("2026-03-20 00:00")}};
  w.add(d.state(), d.events(), std::move(r), *changed);
  auto report = std::move(w).finish();
  EXPECT_EQ(report.recorded.kpis.first_response.yes, 1);
  EXPECT_EQ(report.replayed.kpis.first_response.no, 1);
  EXPECT_EQ(report.recorded.breaches["first_response"], 0);
  EXPECT_EQ(report.replayed.breaches["first_response"], 1);
  EXPECT_EQ(report.replayed.approvals, 1);
  EXPECT_EQ(report.replayed.approval_amount, money{4000});
  ASSERT_EQ(report.changed.size(), 1u);
  EXPECT_EQ(report.impossible_by_kind["hand_off: action_not_allowed"], 1);
}

}  // namespace
}  // namespace vocflow

// decide() and apply(): what each command does, what is refused and why, and the timers.
#include "tests/workflows/fixture.hpp"
#include "workflows/engine.hpp"
#include "workflows/routing.hpp"

#include <gtest/gtest.h>

namespace vocflow {
namespace {

using namespace std::chrono_literals;
using testing::driver;

// Round-the-clock calendar: business time is wall time, so the arithmetic stays obvious.
const char* test_flow = R"(id: engine
version: 1
match: { category: engine }
calendar: always-utc
sla:
  first_response:
    within: 1h
    escalate:
      - { at: 50%, notify: [supervisor] }
      - { at: 100%, reassign: supervisor, priority: raise }
  resolution:
    within: 10h
    escalate:
      - { at: 100%, reassign: quality, notify: [cs_manager] }
  pause_while: [waiting_customer, waiting_approval]
  warn_at: 80%
compensation:
  currency: CNY
  limits: { agent: 50, supervisor: 300, cs_manager: 2000 }
  above_limits: finance
  per_customer: { limit: 500, period: 30d }
  root_cause: { over: 300, owner: quality, task: Find the cause, sla: 2d }
reopen: { within: 1d, to: triage }
steps:
  triage:
    owner: customer_service
    sla: 2h
    hand_off: [logistics, engineering]
    on: { investigate: fix, resolve: confirm }
  fix:
    parallel:
      photos: { owner: marketing, task: New photos, sla: 3h }
      chart: { owner: ecommerce_ops, task: Size chart }
    then: confirm
  confirm:
    owner: customer_service
    on: { confirm: closed, reopen: triage }
    timeout: { after: 1d, go: closed }
  closed: { final: true }
)";

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    diagnostics d;
    cat_ = testing::with_org(test_flow, d);
    EXPECT_FALSE(d.has_errors());
    f_ = cat_.find("engine");
    t0_ = *f_->cal->parse_local("2026-05-04 09:00");
  }

  driver opened() {
    driver dr{f_};
    EXPECT_FALSE(dr.open(
        {.customer = "C-1", .channel = "web", .category = "engine", .text = "broken"}, t0_));
    return dr;
  }
  time_point at(millis d) const { return t0_ + d; }
  static std::function<void(command&)> amount(const char* a, const char* text = "goodwill") {
    return [=](command& c) {
      c.amount = parse_money(a);
      c.text = text;
    };
  }
  static std::vector<std::string> types(const std::vector<event>& es) {
    std::vector<std::string> out;
    for (auto& e : es) out.emplace_back(e.type());
    return out;
  }

  catalog cat_;
  std::shared_ptr<const flow> f_;
  time_point t0_;
};

TEST_F(EngineTest, OpenStartsClocksEntersTheFirstStepAndArmsTimers) {
  auto dr = opened();
  EXPECT_EQ(types(dr.events()),
            (std::vector<std::string>{"opened", "routed", "clock_started", "clock_started",
                                      "step_entered", "clock_started"}));
  auto& t = dr.state();
  EXPECT_EQ(t.step, "triage");
  EXPECT_EQ(t.owner, "customer_service");
  EXPECT_EQ(t.status, ticket_status::open);
  EXPECT_EQ(t.clocks.size(), 3u);
  EXPECT_EQ(dr.timers().size(), 3u);  // one armed timer per clock: its next threshold
  // First response: warning at 30 min is its earliest threshold (50% escalation at 30 too).
  EXPECT_EQ(t.clock_of(clock_kind::first_response)->due, at(30min));
  EXPECT_EQ(t.clock_of(clock_kind::first_response)->deadline, at(1h));
  for (auto& e : dr.events()) {
    EXPECT_EQ(e.at, t0_);
    EXPECT_EQ(e.actor, "intake");
    EXPECT_EQ(e.role, "system");
  }
}

// A complaint from history happened at its own times and ran no clocks here.
TEST_F(EngineTest, RecordKeepsTheComplaintsOwnTimesAndStartsNoClock) {
  command c;
  c.action = "record";
  c.by = {"intake:cfpb", "system"};
  c.ticket_id = "T-OLD";
  c.info = ticket_fields{.customer = "C-9", .category = "engine", .text = "old"};
  auto opened = at(-240h), closed = at(-200h);
  c.past = past_record{opened, closed, "Closed with explanation"};
  auto out = decide(*f_, ticket{}, c, t0_);
  ASSERT_TRUE(std::holds_alternative<decision>(out)) << std::get<rejection>(out).message;
  auto& d = std::get<decision>(out);
  EXPECT_EQ(types(d.events),
            (std::vector<std::string>{"opened", "routed", "step_entered", "resolved", "closed"}));
  EXPECT_TRUE(d.effects.empty()) << "no timer armed, nobody notified";
  EXPECT_EQ(d.events[0].at, opened);
  EXPECT_EQ(d.events[4].at, closed);
  auto& t = d.next;
  EXPECT_TRUE(t.historical);
  EXPECT_EQ(t.status, ticket_status::closed);
  EXPECT_EQ(t.opened_at, opened);
  EXPECT_EQ(t.closed_at, closed);
  EXPECT_EQ(t.cycle_business, millis{40h});  // the always-utc calendar
  EXPECT_TRUE(t.clocks.empty());
  EXPECT_EQ(t.first_response_met, -1);
  EXPECT_EQ(replay(d.events), t);

  // Still open at the source: it waits in the first step, with no clocks.
  c.past->closed = no_time;
  auto still = std::get<decision>(decide(*f_, ticket{}, c, t0_)).next;
  EXPECT_EQ(still.status, ticket_status::open);
  EXPECT_EQ(still.step, "triage");
  EXPECT_EQ(still.owner, "customer_service");
  EXPECT_TRUE(still.clocks.empty());

  // Only the system records; a close before the opening is refused.
  c.by = {"ann", "agent"};
  EXPECT_EQ(std::get<rejection>(decide(*f_, ticket{}, c, t0_)).code, reject_code::forbidden);
  c.by = {"intake:cfpb", "system"};
  c.past->closed = at(-300h);
  EXPECT_EQ(std::get<rejection>(decide(*f_, ticket{}, c, t0_)).code, reject_code::invalid_argument);
}

TEST_F(EngineTest, OpenEmitsEnqueueForTheOwner) {
  command c;
  c.action = "open";
  c.by = {"intake", "system"};
  c.ticket_id = "T-9";
  c.info = ticket_fields{.category = "engine"};
  auto out = decide(*f_, ticket{}, c, t0_);
  auto& d = std::get<decision>(out);
  int arms = 0, enqueues = 0;
  for (auto& fx : d.effects) {
    arms += std::holds_alternative<arm_timer>(fx);
    if (auto* e = std::get_if<enqueue>(&fx)) {
      ++enqueues;
      EXPECT_EQ(e->department, "customer_service");
    }
  }
  EXPECT_EQ(arms, 3);
  EXPECT_EQ(enqueues, 1);
  EXPECT_EQ(d.next, replay(d.events));
}

// A caller that wants neither notifications nor enqueue effects (a runtime without webhooks)
// gets the same events, states and timers; only those effects are left out.
TEST_F(EngineTest, EffectsNotWantedAreLeftOutAndNothingElseChanges) {
  auto is_left_out = [](const effect& fx) {
    return std::holds_alternative<notify>(fx) || std::holds_alternative<enqueue>(fx);
  };
  ticket full, lean;
  size_t left_out = 0;
  auto both = [&](command c, time_point at) {
    c.ticket_id = "T-9";
    auto a = decide(*f_, full, c, at);
    auto b = decide(*f_, lean, c, at, {.notify = false, .enqueue = false});
    ASSERT_TRUE(std::holds_alternative<decision>(a)) << c.action;
    auto& da = std::get<decision>(a);
    auto& db = std::get<decision>(b);
    EXPECT_EQ(da.events, db.events) << c.action;
    EXPECT_EQ(da.next, db.next) << c.action;
    std::vector<effect> kept;
    for (auto& fx : da.effects)
      if (!is_left_out(fx)) kept.push_back(fx);
    left_out += da.effects.size() - kept.size();
    ASSERT_EQ(kept.size(), db.effects.size()) << c.action;
    for (auto& fx : db.effects) EXPECT_FALSE(is_left_out(fx));
    full = da.next, lean = db.next;
  };
  command open;
  open.action = "open", open.by = {"intake", "system"};
  open.info = ticket_fields{.category = "engine"};
  both(open, t0_);
  command hand;
  hand.action = "hand_off", hand.by = {"a-1", "agent"}, hand.to = "logistics", hand.text = "parcel";
  both(hand, at(1min));
  command fire;  // the first-response warning at 50%: a notification
  fire.action = "timer", fire.by = {"system:timer", "system"};
  fire.timer = full.clock_of(clock_kind::first_response)->timer;
  both(fire, at(31min));
  EXPECT_GE(left_out, 3u);  // the hand-off's notify and enqueue, the warning's notify
}

TEST_F(EngineTest, AnActionNotInTheStepIsRefusedWithTheAllowedOnes) {
  auto dr = opened();
  auto r = dr.act("reopen", "agent", at(1min));  // a transition of the confirm step
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, reject_code::action_not_allowed);
  EXPECT_NE(r->message.find("not possible in step `triage`"), std::string::npos);
  for (auto a : {"respond", "hand_off", "investigate", "resolve", "grant_compensation"})
    EXPECT_NE(std::find(r->allowed.begin(), r->allowed.end(), a), r->allowed.end()) << a;
  for (auto a : {"confirm", "reopen", "complete_task", "approve_compensation", "feedback"})
    EXPECT_EQ(std::find(r->allowed.begin(), r->allowed.end(), a), r->allowed.end()) << a;
}

// The loop is closed by the customer's confirmation: staff who confirm in the customer's place
// are refused, and told how to record the customer's answer instead.
TEST_F(EngineTest, OnlyTheCustomerConfirms) {
  auto dr = opened();
  ASSERT_FALSE(dr.act("resolve", "agent", at(1min)));
  ASSERT_EQ(dr.state().step, "confirm");
  auto r = dr.act("confirm", "agent", at(2min));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, reject_code::forbidden);
  EXPECT_NE(r->message.find("only the customer"), std::string::npos) << r->message;
  EXPECT_NE(r->message.find("on behalf of the customer"), std::string::npos) << r->message;
  EXPECT_EQ(dr.state().step, "confirm");
  EXPECT_FALSE(dr.act("confirm", "customer", at(3min)));
  EXPECT_EQ(dr.state().status, ticket_status::closed);
}

TEST_F(EngineTest, CustomersMayOnlyReplyConfirmReopenAndGiveFeedback) {
  auto dr = opened();
  auto r = dr.act("resolve", "customer", at(1min));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, reject_code::forbidden);
  EXPECT_FALSE(dr.act("customer_reply", "customer", at(2min)));
}

TEST_F(EngineTest, OpenTwiceAndUnknownTicketsAreRefused) {
  auto dr = opened();
  EXPECT_EQ(dr.open({.category = "engine"}, at(1min))->code, reject_code::already_exists);
  driver empty{f_};
  EXPECT_EQ(empty.act("respond", "agent", t0_)->code, reject_code::not_found);
}

TEST_F(EngineTest, FirstResponseStopsItsClockAndCancelsItsTimer) {
  auto dr = opened();
  auto timer = dr.state().clock_of(clock_kind::first_response)->timer;
  EXPECT_FALSE(dr.act("respond", "agent", at(20min), [](command& c) { c.text = "On it"; }));
  EXPECT_FALSE(dr.state().clock_of(clock_kind::first_response));
  EXPECT_FALSE(dr.timers().contains(timer));
  auto stopped = dr.of_type("clock_stopped");
  ASSERT_EQ(stopped.size(), 1u);
  auto& s = std::get<ev::clock_stopped>(stopped[0].body);
  EXPECT_TRUE(s.met);
  EXPECT_EQ(s.taken, 20min);
  EXPECT_EQ(s.margin, 40min);
  EXPECT_EQ(dr.state().first_response_at, at(20min));
  // The cancelled timer firing late is refused as stale.
  EXPECT_EQ(dr.fire(timer, at(30min))->code, reject_code::stale_timer);
}

TEST_F(EngineTest, TimersFireOnlyWhenDueAndOnlyFromTheSystem) {
  auto dr = opened();
  auto timer = dr.state().clock_of(clock_kind::first_response)->timer;
  EXPECT_EQ(dr.fire(timer, at(29min))->code, reject_code::stale_timer);
  EXPECT_EQ(dr.fire(timer, at(30min), "agent")->code, reject_code::forbidden);
}

TEST_F(EngineTest, EscalationChainFiresEachLevelOnceInOrder) {
  auto dr = opened();
  dr.run_until(at(1h));
  auto esc = dr.of_type("escalated");
  ASSERT_GE(esc.size(), 2u);
  auto& l1 = std::get<ev::escalated>(esc[0].body);
  EXPECT_EQ(l1.level, 1);
  EXPECT_EQ(esc[0].at, at(30min));
  EXPECT_EQ(l1.notify, (std::vector<std::string>{"supervisor"}));
  auto& l2 = std::get<ev::escalated>(esc[1].body);
  EXPECT_EQ(esc[1].at, at(1h));
  EXPECT_EQ(l2.level, 2);
  EXPECT_EQ(l2.reassign_role, "supervisor");
  EXPECT_EQ(l2.priority, "high");
  EXPECT_EQ(dr.state().assigned_role, "supervisor");
  EXPECT_EQ(dr.state().priority, "high");
  auto breaches = dr.of_type("sla_breached");
  ASSERT_EQ(breaches.size(), 1u);
  EXPECT_EQ(breaches[0].at, at(1h));
  // Nothing fires twice: after the breach the first-response clock has no timer left.
  EXPECT_EQ(dr.state().clock_of(clock_kind::first_response)->timer, 0u);
  dr.run_until(at(5h));
  EXPECT_EQ(dr.of_type("sla_breached").size(), 2u);  // + the step's own 2h SLA
}

TEST_F(EngineTest, ALateTimerFiresEveryThresholdItPassed) {
  auto dr = opened();
  auto timer = dr.state().clock_of(clock_kind::first_response)->timer;
  EXPECT_FALSE(dr.fire(timer, at(2h)));  // the machine was down for 90 minutes
  auto types_now = types(dr.events());
  EXPECT_EQ(std::count(types_now.begin(), types_now.end(), "escalated"), 2);
  EXPECT_EQ(std::count(types_now.begin(), types_now.end(), "sla_warned"), 1);
  EXPECT_EQ(std::count(types_now.begin(), types_now.end(), "sla_breached"), 1);
}

TEST_F(EngineTest, EscalationReassignsToADepartment) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("respond", "agent", at(1min)));
  dr.run_until(at(10h));
  EXPECT_EQ(dr.state().owner, "quality");
  auto esc = dr.of_type("escalated");
  ASSERT_FALSE(esc.empty());
  EXPECT_EQ(std::get<ev::escalated>(esc.back().body).reassign_department, "quality");
}

TEST_F(EngineTest, HandOffNeedsAnAllowedDepartmentAndAReason) {
  auto dr = opened();
  auto to = [](const char* d, const char* why) {
    return [=](command& c) {
      c.to = d;
      c.text = why;
    };
  };
  EXPECT_EQ(dr.act("hand_off", "agent", at(1min), to("", "x"))->code,
            reject_code::invalid_argument);
  EXPECT_EQ(dr.act("hand_off", "agent", at(1min), to("nowhere", "x"))->code,
            reject_code::invalid_argument);
  EXPECT_EQ(dr.act("hand_off", "agent", at(1min), to("logistics", ""))->code,
            reject_code::invalid_argument);
  EXPECT_EQ(dr.act("hand_off", "agent", at(1min), to("marketing", "x"))->code,
            reject_code::action_not_allowed);
  EXPECT_FALSE(dr.act("hand_off", "agent", at(1min), to("logistics", "Parcel lost in transit")));
  EXPECT_EQ(dr.state().owner, "logistics");
  EXPECT_EQ(dr.state().handoffs, 1);
  EXPECT_EQ(*dr.state().departments, (std::vector<std::string>{"customer_service", "logistics"}));
  auto h = std::get<ev::handed_off>(dr.of_type("handed_off").back().body);
  EXPECT_EQ(h.from, "customer_service");
  EXPECT_EQ(h.reason, "Parcel lost in transit");
}

TEST_F(EngineTest, AskingTheCustomerPausesClocksAndMovesDeadlines) {
  auto dr = opened();
  EXPECT_FALSE(
      dr.act("ask_customer", "agent", at(30min), [](command& c) { c.text = "Order number?"; }));
  EXPECT_EQ(dr.state().first_response_at, at(30min));  // asking is answering
  EXPECT_TRUE(dr.state().holds & static_cast<uint8_t>(hold::customer));
  auto* step = dr.state().clock_of(clock_kind::step);
  EXPECT_TRUE(step->paused);
  EXPECT_EQ(step->timer, 0u);
  dr.run_until(at(5h));  // nothing fires while waiting
  EXPECT_TRUE(dr.of_type("sla_breached").empty());
  EXPECT_FALSE(dr.act("customer_reply", "customer", at(3h)));
  step = dr.state().clock_of(clock_kind::step);
  EXPECT_FALSE(step->paused);
  EXPECT_EQ(step->deadline, at(4h + 30min));  // 2h target + 2h30 waiting
  EXPECT_EQ(dr.state().clock_of(clock_kind::resolution)->deadline, at(12h + 30min));
}

TEST_F(EngineTest, ParallelBranchesJoinWhenEveryTaskIsDone) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("investigate", "agent", at(10min)));
  EXPECT_EQ(dr.state().tasks.size(), 2u);
  EXPECT_EQ(dr.state().step, "fix");
  EXPECT_EQ(dr.act("complete_task", "agent", at(20min), [](command& c) { c.task = "nope"; })->code,
            reject_code::invalid_argument);
  EXPECT_FALSE(dr.act("complete_task", "agent", at(30min), [](command& c) { c.task = "chart"; }));
  EXPECT_EQ(dr.state().step, "fix");
  dr.run_until(at(3h + 10min));  // the photos task breaches on its own clock
  auto b = dr.of_type("sla_breached");
  ASSERT_FALSE(b.empty());
  auto& breach = std::get<ev::sla_breached>(b.back().body);
  EXPECT_EQ(breach.name, "photos");
  EXPECT_EQ(breach.owner, "marketing");
  EXPECT_FALSE(dr.act("complete_task", "agent", at(4h), [](command& c) { c.task = "photos"; }));
  EXPECT_EQ(dr.state().step, "confirm");
  EXPECT_TRUE(dr.state().tasks.empty());
  EXPECT_EQ(std::get<ev::step_entered>(dr.of_type("step_entered").back().body).via, "join");
}

TEST_F(EngineTest, CompensationLimitsCountTheWholeTicket) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("grant_compensation", "agent", at(1min), amount("30")));
  auto r = dr.act("grant_compensation", "agent", at(2min), amount("30"));
  ASSERT_TRUE(r);  // 30 + 30 is above the agent's 50, though each grant is below
  EXPECT_EQ(r->code, reject_code::above_limit);
  EXPECT_NE(r->message.find("60 CNY, above the agent limit of 50 CNY"), std::string::npos)
      << r->message;
  EXPECT_EQ(dr.act("grant_compensation", "engineering_lead", at(2min), amount("5"))->code,
            reject_code::forbidden);
  EXPECT_EQ(dr.act("grant_compensation", "agent", at(2min), amount("0"))->code,
            reject_code::invalid_argument);
  EXPECT_FALSE(dr.act("grant_compensation", "supervisor", at(3min), amount("30")));
  EXPECT_EQ(dr.state().granted, money{6000});
}

TEST_F(EngineTest, AboveTheLimitsARequestWaitsForTheRightApprover) {
  auto dr = opened();
  EXPECT_FALSE(
      dr.act("request_compensation", "agent", at(1min), amount("400", "Ruined wedding dress")));
  auto req = std::get<ev::compensation_requested>(dr.of_type("compensation_requested")[0].body);
  EXPECT_EQ(req.approver, "cs_manager");
  EXPECT_TRUE(dr.state().holds & static_cast<uint8_t>(hold::approval));
  EXPECT_TRUE(dr.state().clock_of(clock_kind::resolution)->paused);
  EXPECT_EQ(dr.act("approve_compensation", "supervisor", at(2min))->code, reject_code::forbidden);
  EXPECT_FALSE(dr.act("approve_compensation", "cs_manager", at(3min)));
  EXPECT_EQ(dr.state().granted, money{40000});
  EXPECT_FALSE(dr.state().holds & static_cast<uint8_t>(hold::approval));
  // Past 300 the root-cause task opened, once.
  ASSERT_EQ(dr.state().tasks.size(), 1u);
  EXPECT_EQ(dr.state().tasks[0].owner, "quality");
  EXPECT_FALSE(dr.act("request_compensation", "agent", at(4min), amount("100", "More")));
  EXPECT_FALSE(
      dr.act("reject_compensation", "finance", at(5min), [](command& c) { c.text = "Enough"; }));
  EXPECT_EQ(dr.of_type("task_opened").size(), 1u);
  EXPECT_EQ(dr.state().granted, money{40000});
}

TEST_F(EngineTest, PerCustomerCapCountsOtherTickets) {
  auto dr = opened();
  auto r = dr.act("grant_compensation", "agent", at(1min), [](command& c) {
    c.amount = money{2000};
    c.text = "again";
    c.customer_granted = money{49000};
  });
  ASSERT_TRUE(r);
  EXPECT_EQ(r->code, reject_code::above_limit);
  EXPECT_NE(r->message.find("customer cap of 500 CNY"), std::string::npos) << r->message;
  EXPECT_FALSE(dr.act("request_compensation", "agent", at(2min), [](command& c) {
    c.amount = money{2000};
    c.text = "again";
    c.customer_granted = money{49000};
  }));
  EXPECT_EQ(dr.state().requests[0].approver, "finance");
}

TEST_F(EngineTest, ConfirmationClosesTheLoopAndFeedbackFollows) {
  auto dr = opened();
  EXPECT_EQ(dr.act("feedback", "customer", at(1min), [](command& c) { c.csat = 5; })->code,
            reject_code::action_not_allowed);
  EXPECT_FALSE(dr.act("resolve", "agent", at(1h)));
  EXPECT_EQ(dr.state().status, ticket_status::resolved);
  EXPECT_FALSE(dr.act("confirm", "customer", at(2h)));
  EXPECT_EQ(dr.state().status, ticket_status::closed);
  EXPECT_TRUE(dr.state().clocks.empty());
  EXPECT_TRUE(dr.timers().empty());
  EXPECT_EQ(dr.act("respond", "agent", at(3h))->code, reject_code::ticket_closed);
  EXPECT_EQ(dr.act("feedback", "customer", at(3h), [](command& c) { c.csat = 9; })->code,
            reject_code::invalid_argument);
  EXPECT_FALSE(dr.act("feedback", "customer", at(3h), [](command& c) {
    c.csat = 5;
    c.sentiment = 0.9;
  }));
  EXPECT_EQ(dr.state().csat, 5);
}

TEST_F(EngineTest, NoAnswerFromTheCustomerClosesAutomatically) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("resolve", "agent", at(1h)));
  dr.run_until(at(30h));
  EXPECT_EQ(dr.state().status, ticket_status::closed);
  auto closed = dr.of_type("closed");
  ASSERT_EQ(closed.size(), 1u);
  EXPECT_EQ(closed[0].at, at(25h));
  EXPECT_EQ(dr.of_type("timed_out").size(), 1u);
}

TEST_F(EngineTest, ReopenStartsANewCycleWhoseLevelsFireAgain) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("respond", "agent", at(1min)));
  dr.run_until(at(10h));  // resolution breaches and escalates in the first cycle
  EXPECT_FALSE(dr.act("resolve", "agent", at(11h)));
  EXPECT_FALSE(dr.act("confirm", "customer", at(12h)));
  EXPECT_EQ(dr.act("reopen", "customer", at(12h) + 25h)->code, reject_code::action_not_allowed);
  EXPECT_FALSE(dr.act("reopen", "customer", at(20h), [](command& c) { c.text = "Broke again"; }));
  EXPECT_EQ(dr.state().reopens, 1);
  EXPECT_EQ(dr.state().status, ticket_status::open);
  EXPECT_EQ(dr.state().step, "triage");
  dr.run_until(at(31h));
  auto esc = dr.of_type("escalated");
  auto resolution_levels = std::count_if(esc.begin(), esc.end(), [](auto& e) {
    return std::get<ev::escalated>(e.body).kind == clock_kind::resolution;
  });
  EXPECT_EQ(resolution_levels, 2);  // once per cycle
}

TEST_F(EngineTest, ReplayRebuildsTheLiveState) {
  auto dr = opened();
  EXPECT_FALSE(dr.act("ask_customer", "agent", at(5min)));
  EXPECT_FALSE(dr.act("customer_reply", "customer", at(50min)));
  EXPECT_FALSE(dr.act("grant_compensation", "agent", at(55min), amount("20")));
  EXPECT_FALSE(dr.act("investigate", "agent", at(1h)));
  dr.run_until(at(6h));
  EXPECT_EQ(replay(dr.events()), dr.state());
}

}  // namespace
}  // namespace vocflow

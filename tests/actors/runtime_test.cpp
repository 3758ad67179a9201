// The durable runtime end to end inside one process: partitions over RocksDB, timer services,
// department queues, the registry, the supervisor, restarts on the same folder.
#include "actors/department.hpp"
#include "actors/partition.hpp"
#include "tests/actors/fixture.hpp"
#include "tests/workflows/fixture.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vocflow::testing {
namespace {

using namespace std::chrono_literals;
using kind = actors::command_result::kind;

class RuntimeTest : public runtime_fixture {
 protected:
  static ticket_fields returns(const std::string& customer) {
    return {.customer = customer,
            .channel = "app",
            .category = "returns",
            .product = "apparel",
            .text = "too small"};
  }
  // A card complaint, which the billing-dispute flow takes (customer cap: 1,000 USD in 90 days).
  static ticket_fields charged(const std::string& customer) {
    return {.customer = customer,
            .channel = "web",
            .category = "Credit card",
            .product = "card",
            .text = "Charged twice"};
  }
  static actors::submission grant(const std::string& ticket, int64_t cents,
                                  const std::string& role = "cs_manager") {
    actors::submission g;
    g.ticket_id = ticket;
    g.cmd.action = "grant_compensation";
    g.cmd.by = {role + "-1", role};
    g.cmd.amount = money{cents};
    g.cmd.text = "refund";
    return g;
  }
  static std::vector<std::string> types(const std::vector<event>& es) {
    std::vector<std::string> out;
    for (auto& e : es) out.emplace_back(e.type());
    return out;
  }
  static int count(const std::vector<event>& es, std::string_view type) {
    return static_cast<int>(
        std::count_if(es.begin(), es.end(), [&](auto& e) { return e.type() == type; }));
  }
  static std::optional<time_point> first(const std::vector<event>& es, std::string_view type,
                                         std::string_view name = {}) {
    for (auto& e : es) {
      if (e.type() != type) continue;
      bool named = std::visit(
          [&](auto& b) {
            if constexpr (requires { b.name; }) return name.empty() || b.name == name;
            return name.empty();
          },
          e.body);
      if (named) return e.at;
    }
    return std::nullopt;
  }
};

TEST_F(RuntimeTest, ManyTicketsThroughTheExampleFlows) {
  start(3);
  const ticket_fields kinds[] = {
      returns("C-1"),
      {.customer = "C-2",
       .channel = "phone",
       .category = "app",
       .severity = "high",
       .text = "crash"},
      {.customer = "C-3", .channel = "web", .category = "Credit card", .text = "double charge"},
      {.customer = "C-4", .channel = "web", .category = "Debt collection", .text = "not mine"}};
  std::vector<std::string> ids;
  for (int i = 0; i < 120; ++i) {
    auto r = open(kinds[i % 4]);
    ASSERT_EQ(r.result, kind::accepted) << r.why.message;
    ids.push_back(r.state->id);
  }
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  for (auto& id : ids) ASSERT_EQ(act(id, "respond", "agent").result, kind::accepted);
  for (size_t i = 0; i < ids.size(); i += 2) {
    ASSERT_EQ(act(ids[i], "resolve", "agent").result, kind::accepted);
    ASSERT_EQ(act(ids[i], "confirm", "customer").result, kind::accepted);
  }
  size_t closed = 0;
  for (auto& id : ids) {
    auto v = fetch(id);
    ASSERT_TRUE(v.found);
    closed += v.state.status == ticket_status::closed;
    EXPECT_EQ(v.history.back().seq, v.state.seq);
    EXPECT_EQ(replay(v.history), v.state);
  }
  EXPECT_EQ(closed, 60u);
  // Still-open tickets are in their owners' queues, closed ones are not.
  EXPECT_EQ(queue("customer_service").total, 60u);
}

TEST_F(RuntimeTest, EscalationsAndBreachesFireAtTheRightVirtualTimes) {
  start();
  set_now(local("cn-business", "2026-03-06 17:50"));  // Friday evening in Shanghai
  auto r = open(returns("C-9"));
  ASSERT_EQ(r.result, kind::accepted);
  advance_to(local("cn-business", "2026-03-09 14:00"));
  auto v = fetch(r.state->id);
  EXPECT_EQ(first(v.history, "sla_warned", "first_response"),
            local("cn-business", "2026-03-09 12:02"));
  EXPECT_EQ(first(v.history, "sla_breached", "first_response"),
            local("cn-business", "2026-03-09 12:50"));
  EXPECT_EQ(first(v.history, "escalated", "triage"), local("cn-business", "2026-03-09 13:20"));
  EXPECT_EQ(count(v.history, "sla_breached"), 1);
  // The breach put the ticket in the breached part of the queue.
  auto page = queue("customer_service", {.filter = {.breached = 1}});
  ASSERT_EQ(page.total, 1u);
  EXPECT_EQ(page.entries[0].view.id, r.state->id);
}

TEST_F(RuntimeTest, ARestartedSystemRebuildsTheSameStateAndFiresOverdueTimersOnce) {
  start();
  set_now(local("cn-business", "2026-03-06 17:50"));
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(open(returns("C-" + std::to_string(i))).state->id);
  for (int i = 0; i < 20; i += 4) act(ids[i], "respond", "agent");
  std::map<std::string, ticket> before;
  for (auto& id : ids) before[id] = fetch(id).state;

  stop();                                             // the process ends on Friday evening...
  set_now(local("cn-business", "2026-03-10 10:00"));  // ...and is back on Tuesday
  start(4);                                           // and with another partition count
  size_t rows = 0;
  ASSERT_TRUE(db().for_each_due([&](uint16_t partition, const storage::due_timer& d) {
    EXPECT_EQ(partition, actors::partition_of(d.ticket, 4)) << d.ticket;
    ++rows;
    return true;
  }));
  EXPECT_GT(rows, 0u);
  for (auto& id : ids) {
    auto v = fetch(id);
    ASSERT_TRUE(v.found);
    // Overdue first-response timers fired once, at start, late; answered tickets had none.
    bool answered = before[id].first_response_at != no_time;
    int breaches = 0;
    for (auto& e : v.history)
      if (auto* b = std::get_if<ev::sla_breached>(&e.body))
        breaches += b->kind == clock_kind::first_response;
    EXPECT_EQ(breaches, answered ? 0 : 1) << id;
  }
  // The state before the stop is the prefix of the state now.
  auto v = fetch(ids[1]);
  EXPECT_EQ(replay({v.history.begin(), v.history.begin() + before[ids[1]].seq}), before[ids[1]]);

  stop();
  start(4);  // a second restart fires nothing again
  for (auto& id : ids) {
    auto again = fetch(id);
    int breaches = 0;
    for (auto& e : again.history)
      if (auto* b = std::get_if<ev::sla_breached>(&e.body))
        breaches += b->kind == clock_kind::first_response;
    EXPECT_LE(breaches, 1) << id;
  }
}

TEST_F(RuntimeTest, DeployingVersion2KeepsRunningTicketsOnVersion1) {
  start();
  auto old_ticket = open({.customer = "C-1", .category = "other", .text = "v1"}).state->id;
  ASSERT_EQ(fetch(old_ticket).state.version, 1);
  auto v2 = read_all({example("flows/general-complaint.yaml")})[0].text;
  v2.replace(v2.find("version: 1"), 10, "version: 2");
  v2.replace(v2.find("within: 1d"), 10, "within: 2h");
  auto d = deploy(v2);
  ASSERT_TRUE(d.ok) << (d.diagnostics.empty() ? "" : to_string(d.diagnostics[0]));
  EXPECT_EQ(d.key, "general-complaint@2");
  auto new_ticket = open({.customer = "C-2", .category = "other", .text = "v2"}).state->id;
  EXPECT_EQ(fetch(new_ticket).state.version, 2);
  // The old one finishes on version 1.
  ASSERT_EQ(act(old_ticket, "respond", "agent").result, kind::accepted);
  ASSERT_EQ(act(old_ticket, "resolve", "agent").result, kind::accepted);
  ASSERT_EQ(act(old_ticket, "confirm", "customer").result, kind::accepted);
  auto v = fetch(old_ticket);
  EXPECT_EQ(v.state.version, 1);
  EXPECT_EQ(v.state.status, ticket_status::closed);
  // Version 2 keeps its 2h first response across a restart; both versions stay deployed.
  stop();
  start();
  auto restarted = fetch(new_ticket);
  auto fr = restarted.state.clock_of(clock_kind::first_response);
  ASSERT_TRUE(fr);
  EXPECT_EQ(fr->total, 2h);
  // Deploying the same text again changes nothing; an older or clashing version is refused.
  EXPECT_TRUE(deploy(v2).unchanged);
  auto clash = v2;
  clash.replace(clash.find("within: 2h"), 10, "within: 3h");
  auto refused = deploy(clash);
  EXPECT_FALSE(refused.ok);
  EXPECT_EQ(refused.diagnostics.at(0).code, "version-exists");
  auto broken = deploy("id: x\nversion: 1\ncalendar: nowhere\nsteps: {}\n");
  EXPECT_FALSE(broken.ok);
  EXPECT_GE(broken.diagnostics.size(), 1u);
}

// The customer cap counts the grants of the group commit being built, not only the ledger's:
// three grants for one customer in one group, each within the role's limit, and the third
// would take the customer past the cap of 1,000 within 90 days (billing-dispute).
TEST_F(RuntimeTest, TheCustomerCapCountsGrantsOfTheSameGroupCommit) {
  start(1);  // one partition: the three tickets share its group commits
  std::vector<actors::submission> grants;
  for (int i = 0; i < 3; ++i) {
    auto opened = open(charged("C-77"));
    ASSERT_EQ(opened.result, kind::accepted) << opened.failure << opened.why.message;
    ASSERT_EQ(opened.state->flow, "billing-dispute");
    grants.push_back(grant(opened.state->id, 50000));  // 500 USD, the cs_manager's limit
  }
  auto results = submit_together(std::move(grants));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].result, kind::accepted) << results[0].why.message;
  EXPECT_EQ(results[1].result, kind::accepted) << results[1].why.message;
  ASSERT_EQ(results[2].result, kind::rejected);
  EXPECT_EQ(results[2].why.code, reject_code::above_limit);
  EXPECT_NE(results[2].why.message.find("customer cap"), std::string::npos)
      << results[2].why.message;
  EXPECT_EQ(granted("C-77", std::chrono::days{90}), money{100000});
}

// The same across partitions: tickets of one customer on both partitions, and a grant on each
// decided while the other's group is being built, so that neither is in the ledger yet.
TEST_F(RuntimeTest, TheCustomerCapHoldsAcrossPartitionsWhoseGroupsAreBuiltTogether) {
  start(2);
  std::string on[2], earlier;  // a ticket on each partition, and one more
  while (on[0].empty() || on[1].empty() || earlier.empty()) {
    auto opened = open(charged("C-78"));
    ASSERT_EQ(opened.result, kind::accepted) << opened.failure << opened.why.message;
    auto& slot = on[actors::partition_of(opened.state->id, 2)];
    (slot.empty() ? slot : earlier) = opened.state->id;
  }
  auto before = submit(grant(earlier, 30000));  // 300 USD in the ledger
  ASSERT_EQ(before.result, kind::accepted) << before.why.message;
  // 400 USD on each partition at once: one fits under the cap of 1,000, both would not.
  auto results = submit_interleaved({grant(on[0], 40000), grant(on[1], 40000)});
  ASSERT_EQ(results.size(), 2u);
  ASSERT_NE(results[0].result == kind::accepted, results[1].result == kind::accepted)
      << results[0].why.message << " / " << results[1].why.message;
  auto refused = results[0].result == kind::accepted ? 1 : 0;
  EXPECT_EQ(results[refused].result, kind::rejected) << results[refused].failure;
  EXPECT_EQ(results[refused].why.code, reject_code::above_limit);
  EXPECT_NE(results[refused].why.message.find("customer cap"), std::string::npos)
      << results[refused].why.message;
  EXPECT_EQ(granted("C-78", std::chrono::days{90}), money{70000});
  // Once the groups are written their grants are no longer pending, so they count once: 100 USD
  // more (the supervisor's limit, on the refused ticket) still fits under the cap.
  auto fits = submit(grant(on[refused], 10000, "supervisor"));
  EXPECT_EQ(fits.result, kind::accepted) << fits.why.message;
  EXPECT_EQ(granted("C-78", std::chrono::days{90}), money{80000});
}

// A command decided in a group that is never written (its partition fails first) is answered
// at once, not at the caller's timeout: failed, with nothing of it stored. The restarted
// partition then takes the same command.
TEST_F(RuntimeTest, ACommandLostWithItsPartitionIsAnsweredAtOnce) {
  start(2);
  auto id = open(returns("C-80")).state->id;
  actors::submission respond;
  respond.ticket_id = id;
  respond.cmd.action = "respond";
  respond.cmd.by = {"agent-1", "agent"};
  auto lost = decide_then_kill(respond);
  EXPECT_EQ(lost.result, kind::failed);
  EXPECT_NE(lost.failure.find("nothing of it is stored"), std::string::npos) << lost.failure;
  EXPECT_EQ(count(fetch(id).history, "responded"), 0);
  EXPECT_EQ(submit(respond).result, kind::accepted);
  EXPECT_EQ(count(fetch(id).history, "responded"), 1);
}

// A grant decided in a group that is never written (its partition fails first) leaves nothing
// pending behind: the customer's cap counts it neither in the ledger nor elsewhere.
TEST_F(RuntimeTest, AGrantLostWithItsPartitionDoesNotCountAgainstTheCap) {
  start(2);
  auto first = open(charged("C-79")).state->id, second = open(charged("C-79")).state->id;
  EXPECT_EQ(decide_then_kill(grant(first, 40000)).result, kind::failed);
  EXPECT_EQ(granted("C-79", std::chrono::days{90}), money{0});
  // The whole cap is left: 500 USD on each ticket (the cs_manager's limit) reach it exactly.
  auto a = submit(grant(first, 50000)), b = submit(grant(second, 50000));
  EXPECT_EQ(a.result, kind::accepted) << a.why.message;
  EXPECT_EQ(b.result, kind::accepted) << b.why.message;
  EXPECT_EQ(granted("C-79", std::chrono::days{90}), money{100000});
}

TEST_F(RuntimeTest, IdempotencyKeyReturnsTheSameTicket) {
  start();
  auto a = open(returns("C-1"), "order-77-complaint");
  ASSERT_EQ(a.result, kind::accepted);
  EXPECT_FALSE(a.replayed);
  auto b = open(returns("C-1"), "order-77-complaint");
  ASSERT_EQ(b.result, kind::accepted);
  EXPECT_TRUE(b.replayed);
  EXPECT_EQ(b.state->id, a.state->id);
  EXPECT_EQ(fetch(a.state->id).history.front().type(), "opened");
  stop();
  start();
  EXPECT_EQ(open(returns("C-1"), "order-77-complaint").state->id, a.state->id);
}

TEST_F(RuntimeTest, RejectionsSayWhyAndChangeNothing) {
  start();
  auto id = open(returns("C-1")).state->id;
  auto r = act(id, "reopen", "agent");  // a transition of another step
  ASSERT_EQ(r.result, kind::rejected);
  EXPECT_EQ(r.why.code, reject_code::action_not_allowed);
  EXPECT_FALSE(r.why.allowed.empty());
  auto missing = act("T-NOPE", "respond", "agent");
  EXPECT_EQ(missing.why.code, reject_code::not_found);
  EXPECT_EQ(count(fetch(id).history, "confirmed"), 0);
}

TEST_F(RuntimeTest, HandOffMovesTheTicketBetweenDepartmentQueues) {
  start();
  auto id =
      open({.customer = "C-5", .category = "app", .severity = "high", .text = "crash"}).state->id;
  EXPECT_EQ(queue("customer_service").total, 1u);
  ASSERT_EQ(act(id, "escalate_to_engineering", "agent").result, kind::accepted);
  EXPECT_EQ(queue("customer_service").total, 0u);
  auto eng = queue("engineering");
  ASSERT_EQ(eng.total, 1u);
  EXPECT_EQ(eng.entries[0].view.step, "fix");
}

TEST_F(RuntimeTest, QueuesArePaginatedByCursor) {
  start();
  for (int i = 0; i < 7; ++i) open(returns("C-" + std::to_string(i)));
  std::vector<std::string> seen;
  actors::queue_query q{.order = queue_order::id, .limit = 3};
  for (int pages = 0; pages < 5; ++pages) {
    auto page = queue("customer_service", q);
    for (auto& e : page.entries) seen.push_back(e.view.id);
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(seen.size(), 7u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  // The queues come back from the snapshots after a restart.
  stop();
  start();
  EXPECT_EQ(queue("customer_service").total, 7u);
}

TEST_F(RuntimeTest, AFailedPartitionIsRestartedAndServesItsTickets) {
  start(2);
  auto id = open(returns("C-1")).state->id;
  auto victim = rt().partition_for(id);
  caf::anon_send_exit(victim, caf::exit_reason::kill);
  sched().run();
  auto fresh = rt().partition_for(id);
  EXPECT_NE(fresh.address(), victim.address());
  ASSERT_EQ(act(id, "respond", "agent").result, kind::accepted);
  EXPECT_EQ(fetch(id).state.interactions, 1);
  // The restarted partition publishes to the queues again.
  ASSERT_EQ(act(id, "resolve", "agent").result, kind::accepted);
  EXPECT_EQ(queue("customer_service").entries.at(0).view.status, ticket_status::resolved);
}

// A subscriber that records which tickets each commit carried.
struct recorder_state {
  std::vector<std::vector<std::string>> batches;
};
actors::subscriber_actor::behavior_type recorder(
    actors::subscriber_actor::stateful_pointer<recorder_state> self) {
  return {[=](actors::committed_atom, const actors::commit_batch& b) {
    std::vector<std::string> ids;
    for (auto& c : *b) ids.push_back(c.state->id);
    self->state.batches.push_back(ids);
  }};
}

// A command sent the moment the runtime is up reaches every read model: the partitions publish
// to the department queues and the metrics from their first commit on. (They used to be
// subscribed by messages that could arrive after that commit: the queue and the gauges then
// missed the ticket until a restart.)
TEST_F(RuntimeTest, ReadModelsSeeTheFirstCommitAfterAStart) {
  cfg_.max_batch = 1;  // the open is written and published while the partition handles it
  start(1, {}, /*settle=*/false);
  auto opened = open({.customer = "C-1", .category = "other"});
  ASSERT_EQ(opened.result, actors::command_result::kind::accepted);
  auto& id = opened.state->id;
  auto page = queue(opened.state->owner);
  ASSERT_EQ(page.entries.size(), 1u);
  EXPECT_EQ(page.entries[0].view.id, id);
  auto text = metrics();
  EXPECT_NE(text.find("vocflow_tickets_opened_total{flow=\"" + opened.state->flow),
            std::string::npos)
      << text;
}

// The metrics keep their series hashed; the exposition still lists a family's series in label
// order, whatever order they were first seen in (scrapes of one state read the same).
TEST_F(RuntimeTest, TheExpositionListsSeriesInLabelOrder) {
  start(1);
  for (auto channel : {"web", "email", "phone", "chat"})
    ASSERT_EQ(open({.customer = "C-1", .channel = channel, .category = "other"}).result,
              actors::command_result::kind::accepted);
  auto text = metrics();
  std::vector<std::string> channels;
  for (size_t at = text.find("\nvocflow_tickets_opened_total{"); at != std::string::npos;
       at = text.find("\nvocflow_tickets_opened_total{", at + 1)) {
    auto from = text.find("channel=\"", at) + 9;
    channels.push_back(text.substr(from, text.find('"', from) - from));
  }
  EXPECT_EQ(channels, (std::vector<std::string>{"chat", "email", "phone", "web"})) << text;
}

// A subscriber added while the system runs sees the commit of the very next command, once
// (the live feed used to miss it when its subscription went through the supervisor and
// reached the partition after the command: OpsTest.TheEventStreamPushesEventsAsTheyHappen).
TEST_F(RuntimeTest, ASubscriberSeesEveryCommitOfCommandsSentAfterItSubscribed) {
  cfg_.max_batch = 1;  // written and published while the partition handles the command
  start(1);
  auto rec = sys().spawn(recorder);
  rt().subscribe(rec);  // no sched().run(): the command below is queued right behind it
  auto opened = open({.customer = "C-1", .category = "other"});
  ASSERT_EQ(opened.result, actors::command_result::kind::accepted);
  sched().run();
  auto& log = dynamic_cast<caf::stateful_actor<recorder_state, actors::subscriber_actor::base>&>(
                  *caf::actor_cast<caf::abstract_actor*>(rec))
                  .state.batches;
  ASSERT_EQ(log.size(), 1u);  // once: the supervisor's copy of the subscription is not a second
  EXPECT_EQ(log[0], std::vector<std::string>{opened.state->id});
}

TEST_F(RuntimeTest, AFloodOfDueTimersDoesNotStarveLiveCommands) {
  cfg_.timer_batch = 50;
  start(1);
  auto rec = sys().spawn(recorder);
  rt().subscribe(rec);
  sched().run();
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i)
    ids.push_back(open({.customer = "C", .category = "other"}).state->id);
  auto live = ids.back();
  auto& log = dynamic_cast<caf::stateful_actor<recorder_state, actors::subscriber_actor::base>&>(
                  *caf::actor_cast<caf::abstract_actor*>(rec))
                  .state.batches;
  log.clear();
  // All 300 first-response warnings come due at once; a live command arrives with them.
  sched().clock().current_time += 20h;
  sched().clock().trigger_timeouts();
  sched().run_once();  // the timer service reads its first bounded batch
  actors::submission s;
  s.ticket_id = live;
  s.cmd.action = "note";
  s.cmd.text = "live traffic";
  s.cmd.by = {"a", "agent"};
  caf::anon_send(rt().partition_for(live), actors::submit_atom::value, s);
  sched().run();
  ASSERT_GE(log.size(), 6u);  // 300 timers in batches of at most 50
  for (auto& b : log) EXPECT_LE(b.size(), 51u);
  // The live note was written with the first batch, not after all the timers.
  auto first_with_note = std::find_if(
      log.begin(), log.end(), [&](auto& b) { return std::count(b.begin(), b.end(), live) > 0; });
  EXPECT_LE(first_with_note - log.begin(), 1);
  EXPECT_EQ(count(fetch(live).history, "note"), 1);
}

// A timer service reads the due index from where its last pass found the first row, not over
// the deletion markers of every timer fired before. A row armed behind that point (here: the
// wall clock stepped back, as an NTP correction does) must still fire.
TEST_F(RuntimeTest, ATimerArmedBeforeTheLastPassStillFiresOnce) {
  start(1);
  set_now(local("cn-business", "2026-03-09 09:00"));
  auto a = open(returns("C-A"));
  ASSERT_EQ(a.result, kind::accepted);
  advance_to(local("cn-business", "2026-03-09 15:00"));
  ASSERT_EQ(count(fetch(a.state->id).history, "sla_breached"), 1);

  set_now(local("cn-business", "2026-03-09 09:30"));  // the clock steps back
  auto b = open(returns("C-B"));
  ASSERT_EQ(b.result, kind::accepted);
  advance_to(local("cn-business", "2026-03-09 15:00"));
  // B runs half an hour behind A, each of its timers at its own time, and once.
  auto va = fetch(a.state->id);
  auto vb = fetch(b.state->id);
  for (auto type : {"sla_warned", "sla_breached"}) {
    EXPECT_EQ(count(va.history, type), 1) << type;
    EXPECT_EQ(count(vb.history, type), 1) << type;
    auto at_a = first(va.history, type, "first_response");
    auto at_b = first(vb.history, type, "first_response");
    ASSERT_TRUE(at_a && at_b) << type;
    EXPECT_EQ(*at_b - *at_a, 30min) << type;
  }
}

}  // namespace
}  // namespace vocflow::testing

// SIGKILL in the middle of a stream of commands, in cycles (kill, restart on the same folder,
// kill again): every acknowledged command is found, no timer effect is doubled, the KPIs kept
// in the snapshots agree with the event histories, and every timer still due fires once.
// VOCFLOW_CRASH_CYCLES sets the number of cycles (default 3; tests/long/crash_cycles.sh runs 20).
#include "tests/actors/fixture.hpp"
#include "tests/workflows/fixture.hpp"
#include "workflows/kpi.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

namespace vocflow::testing {
namespace {

using namespace std::chrono_literals;

const char* crash_flow = R"(id: crash
version: 1
default: true
calendar: always-utc
sla:
  first_response:
    within: 5m
    escalate:
      - { at: 50%, notify: [supervisor] }
      - { at: 100%, reassign: supervisor, priority: raise }
  resolution: 30m
  warn_at: 80%
steps:
  triage: { owner: customer_service, sla: 10m, on: { resolve: confirm } }
  confirm: { owner: customer_service, on: { confirm: closed }, timeout: { after: 20m, go: closed } }
  closed: { final: true }
)";

struct ack {
  std::string ticket, action;
  uint64_t seq;
  int64_t at_ms;
};

class CrashTest : public runtime_fixture {
 protected:
  std::string flows_dir() {
    auto dir = dir_ / "flows";
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(example("flows/organization.yaml"), dir + "/organization.yaml");
    std::ofstream{dir + "/crash.yaml"} << crash_flow;
    return dir;
  }

  // Runs the child until it has acknowledged `wanted` commands, kills it, returns every ack it
  // printed (including those still in the pipe when it died).
  std::vector<ack> run_and_kill(const std::string& flows, size_t wanted, time_point origin) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execl(VOCFLOW_LOAD_CHILD, "load_child", (dir_ / "data").c_str(), flows.c_str(), "20000",
            format_utc(origin).c_str(), nullptr);
      _exit(127);
    }
    close(fds[1]);
    std::vector<ack> acks;
    std::string pending;
    char buf[4096];
    bool killed = false;
    while (auto n = read(fds[0], buf, sizeof buf)) {
      if (n < 0) break;
      pending.append(buf, static_cast<size_t>(n));
      size_t nl;
      while ((nl = pending.find('\n')) != std::string::npos) {
        std::istringstream line{pending.substr(0, nl)};
        pending.erase(0, nl + 1);
        std::string word;
        ack a;
        if (line >> word >> a.ticket >> a.action >> a.seq >> a.at_ms && word == "ack")
          acks.push_back(a);
      }
      if (!killed && acks.size() >= wanted) {
        kill(pid, SIGKILL);
        killed = true;
      }
    }
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "the child ended on its own";
    return acks;
  }

  // No timer effect twice: one warning and one breach per clock, each level once per clock.
  void expect_no_doubled_timer_effects(const std::vector<event>& history, const std::string& id) {
    std::map<std::pair<std::string, uint64_t>, int> seen;
    auto once = [&](std::string type, uint64_t key) {
      EXPECT_EQ(++seen[std::make_pair(type, key)], 1) << id << " " << type << " " << key;
    };
    for (auto& e : history)
      std::visit(
          [&](auto& b) {
            using T = std::decay_t<decltype(b)>;
            if constexpr (std::is_same_v<T, ev::sla_warned> ||
                          std::is_same_v<T, ev::sla_breached> || std::is_same_v<T, ev::escalated>) {
              once(std::string{T::type}, (uint64_t(b.clock) << 32) | b.threshold);
            } else if constexpr (std::is_same_v<T, ev::timed_out>) {
              once("timed_out", 0);
            }
          },
          e.body);
  }

  // The figures each snapshot keeps for the KPIs agree with its event history, and the report
  // over every ticket adds up: each ticket counted once, open and closed as the states say,
  // every target met,
  // missed or pending, one cycle time per closed ticket.
  void expect_kpis_add_up(const std::set<std::string>& acked_tickets) {
    std::vector<ticket> all;
    ASSERT_TRUE(db().for_each_ticket([&](const ticket& t) { return all.push_back(t), true; }));
    size_t indexed = 0;
    ASSERT_TRUE(db().for_each_opened(from_ms(0), from_ms(std::numeric_limits<int64_t>::max() / 2),
                                     [&](const std::string&) { return ++indexed, true; }));
    EXPECT_EQ(indexed, all.size()) << "the opened-at index lists every ticket once";
    EXPECT_GE(all.size(), acked_tickets.size());
    kpi_builder kpis{{.from = from_ms(0),
                      .to = from_ms(std::numeric_limits<int64_t>::max() / 2),
                      .as_of = now()}};
    int64_t open = 0, closed = 0, breaches = 0;
    for (auto& t : all) {
      EXPECT_TRUE(kpis.add(t, "CNY")) << t.id;
      open += t.status == ticket_status::open;
      closed += t.status == ticket_status::closed;
      auto v = fetch(t.id);
      int64_t from_history = 0;
      for (auto& e : v.history) from_history += e.type() == "sla_breached";
      EXPECT_EQ(t.breaches, from_history) << t.id << ": snapshot and history disagree";
      breaches += from_history;
    }
    auto r = std::move(kpis).finish();
    EXPECT_EQ(r.total.tickets, static_cast<int64_t>(all.size()));
    EXPECT_EQ(r.total.closed, closed);
    EXPECT_EQ(r.total.open, open);
    auto& fr = r.total.first_response;
    EXPECT_EQ(fr.yes + fr.no + fr.pending, r.total.tickets);
    EXPECT_EQ(static_cast<int64_t>(r.total.cycle_wall.samples.size()), closed);
    EXPECT_EQ(r.total.breaches, breaches);
  }
};

TEST_F(CrashTest, SigkillCyclesLoseNoAcknowledgedCommandAndDoubleNoTimer) {
  auto flows = flows_dir();
  int cycles = 3;
  if (auto* n = std::getenv("VOCFLOW_CRASH_CYCLES")) cycles = std::max(1, std::atoi(n));
  auto seed = std::random_device{}();
  std::mt19937 rng(seed);
  RecordProperty("seed", std::to_string(seed));
  std::vector<ack> acks;
  auto origin = *parse_utc("2026-06-01T00:00:00Z");
  for (int cycle = 0; cycle < cycles; ++cycle) {
    auto wanted = 300 + rng() % 400;  // a random moment in the stream
    auto round = run_and_kill(flows, wanted, origin);
    ASSERT_GE(round.size(), wanted) << "cycle " << cycle << ", seed " << seed;
    // The next run starts a day after this one's last ack: its timers are overdue by then and
    // fire at its start.
    int64_t last = 0;
    for (auto& a : round) last = std::max(last, a.at_ms);
    origin = from_ms(last) + std::chrono::days{1};
    acks.insert(acks.end(), round.begin(), round.end());
  }

  set_now(origin);
  start(2, flows);
  std::set<std::string> tickets;
  size_t timer_events = 0;
  for (auto& a : acks) {
    auto v = fetch(a.ticket);
    ASSERT_TRUE(v.found) << "acknowledged " << a.action << " of " << a.ticket << " is lost";
    ASSERT_GE(v.state.seq, a.seq) << a.ticket << " lost events after an ack";
    ASSERT_GE(v.history.size(), a.seq);
    tickets.insert(a.ticket);
  }
  for (auto& id : tickets) {
    auto v = fetch(id);
    EXPECT_EQ(replay(v.history), v.state) << id;
    expect_no_doubled_timer_effects(v.history, id);
    for (auto& e : v.history) timer_events += e.actor == "system:timer";
    // Every armed timer has its row in the due index, and no row is left without its timer.
    for (auto& c : v.state.clocks)
      if (c.timer) {
        std::vector<storage::due_timer> rows;
        ASSERT_TRUE(db().due(actors::partition_of(id, 2), c.due, 1'000'000, rows));
        EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                                [&](auto& r) { return r.ticket == id && r.timer == c.timer; }))
            << id << " timer " << c.timer << " has no row";
      }
  }
  EXPECT_GT(timer_events, 0u) << "no timer fired before the kill: the test would prove little";
  expect_kpis_add_up(tickets);
  ASSERT_TRUE(db().for_each_due([&](uint16_t, const storage::due_timer& d) {
    ticket t;
    EXPECT_TRUE(db().load(d.ticket, t)) << d.ticket;
    EXPECT_TRUE(
        std::any_of(t.clocks.begin(), t.clocks.end(), [&](auto& c) { return c.timer == d.timer; }))
        << "orphan row " << d.ticket << " timer " << d.timer;
    return true;
  }));

  // A day later every timer still armed fires, once.
  advance_to(origin + std::chrono::days{1});
  size_t still_armed = 0;
  for (auto& id : tickets) {
    auto v = fetch(id);
    expect_no_doubled_timer_effects(v.history, id);
    for (auto& c : v.state.clocks) still_armed += c.timer != 0;
    if (v.state.status != ticket_status::closed) {
      EXPECT_TRUE(v.state.clock_of(clock_kind::resolution) == nullptr ||
                  v.state.clock_of(clock_kind::resolution)->breached)
          << id;
    }
  }
  EXPECT_EQ(still_armed, 0u);
  size_t rows = 0;
  ASSERT_TRUE(db().for_each_due([&](uint16_t, const storage::due_timer&) { return ++rows, true; }));
  EXPECT_EQ(rows, 0u);
  expect_kpis_add_up(tickets);
  RecordProperty("cycles", std::to_string(cycles));
  RecordProperty("acknowledged_commands", std::to_string(acks.size()));
  RecordProperty("tickets", std::to_string(tickets.size()));
  RecordProperty("timer_events_before_kill", std::to_string(timer_events));
}

}  // namespace
}  // namespace vocflow::testing

// SIGKILL in the middle of a stream of commands: every acknowledged command is found after the
// restart, no timer effect is doubled, and every timer still due fires exactly once.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "tests/actors/fixture.hpp"
#include "tests/workflows/fixture.hpp"

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
  std::vector<ack> run_and_kill(const std::string& flows, size_t wanted) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      execl(VOCFLOW_LOAD_CHILD, "load_child", (dir_ / "data").c_str(), flows.c_str(), "20000",
            nullptr);
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
        if (line >> word >> a.ticket >> a.action >> a.seq && word == "ack") acks.push_back(a);
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
};

TEST_F(CrashTest, SigkillLosesNoAcknowledgedCommandAndDoublesNoTimer) {
  auto flows = flows_dir();
  std::mt19937 rng(std::random_device{}());
  auto wanted = 300 + rng() % 400;  // a random moment in the stream
  auto acks = run_and_kill(flows, wanted);
  ASSERT_GE(acks.size(), wanted);

  set_now(*parse_utc("2026-06-01T00:00:00Z"));
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
  ASSERT_TRUE(db().for_each_due([&](uint16_t, const storage::due_timer& d) {
    ticket t;
    EXPECT_TRUE(db().load(d.ticket, t)) << d.ticket;
    EXPECT_TRUE(
        std::any_of(t.clocks.begin(), t.clocks.end(), [&](auto& c) { return c.timer == d.timer; }))
        << "orphan row " << d.ticket << " timer " << d.timer;
    return true;
  }));

  // A day later every timer still armed fires, once.
  advance_to(*parse_utc("2026-06-02T00:00:00Z"));
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
  db().for_each_due([&](uint16_t, const storage::due_timer&) { return ++rows, true; });
  EXPECT_EQ(rows, 0u);
  RecordProperty("acknowledged_commands", std::to_string(acks.size()));
  RecordProperty("tickets", std::to_string(tickets.size()));
  RecordProperty("timer_events_before_kill", std::to_string(timer_events));
}

}  // namespace
}  // namespace vocflow::testing

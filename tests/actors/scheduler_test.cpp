// The scheduler's workers run below the partitions' threads when partitions have threads of
// their own (actors/scheduler.hpp). A real actor system: the test coordinator has no workers.
#include "actors/scheduler.hpp"
#include "app/node.hpp"
#include "tests/temp_dir.hpp"

#include <caf/all.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace vocflow::actors {
namespace {

using nice_atom = caf::atom_constant<caf::atom("nice")>;

caf::behavior reports_nice() {
  return {[](nice_atom) { return thread_nice(); }};
}

struct niceness {
  int scheduled = 0;  // an actor on the scheduler's workers
  int detached = 0;   // an actor on a thread of its own (as a partition with dedicated_threads)
};

niceness measure(const runtime_config& rc) {
  caf::actor_system_config cfg;
  cfg.set("logger.console", caf::atom("none"));
  configure_scheduler(cfg, rc);
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  niceness n;
  auto ask = [&](const caf::actor& a, int& out) {
    self->request(a, std::chrono::seconds{10}, nice_atom::value)
        .receive([&](int v) { out = v; }, [&](caf::error& e) { ADD_FAILURE() << sys.render(e); });
  };
  // Every worker starts at once; ask several actors so that more than one worker answers.
  for (int i = 0; i < 4; ++i) {
    int v = 0;
    ask(sys.spawn(reports_nice), v);
    if (i == 0) n.scheduled = v;
    EXPECT_EQ(v, n.scheduled) << "workers at different priorities";
  }
  ask(sys.spawn<caf::detached>(reports_nice), n.detached);
  return n;
}

TEST(SchedulerTest, WorkersRunBelowThePartitionsThreads) {
  int base = thread_nice();
  if (base > 19 - 3) GTEST_SKIP() << "this process already runs at nice " << base;
  runtime_config rc;
  rc.dedicated_threads = true;
  rc.scheduler_nice = 3;
  auto n = measure(rc);
  EXPECT_EQ(n.scheduled, base + 3);
  EXPECT_EQ(n.detached, base);
}

TEST(SchedulerTest, TheWorkersNiceStopsAtNineteen) {
  int base = thread_nice();
  if (base == 19) GTEST_SKIP() << "this process already runs at nice 19";
  runtime_config rc;
  rc.dedicated_threads = true;
  rc.scheduler_nice = 19;
  EXPECT_EQ(measure(rc).scheduled, 19);
}

TEST(SchedulerTest, PartitionsOnTheSchedulerKeepItsPriority) {
  int base = thread_nice();
  runtime_config rc;
  rc.dedicated_threads = false;  // the partitions run on those workers: nothing to favour
  rc.scheduler_nice = 5;
  auto n = measure(rc);
  EXPECT_EQ(n.scheduled, base);
  EXPECT_EQ(n.detached, base);
  rc.dedicated_threads = true;
  rc.scheduler_nice = 0;
  EXPECT_EQ(measure(rc).scheduled, base);
}

// The nice values of this process's threads named `name` (/proc/self/task/*/stat, field 19).
std::vector<int> nice_of_threads(const std::string& name) {
  std::vector<int> out;
  for (auto& task : std::filesystem::directory_iterator{"/proc/self/task"}) {
    std::string comm;
    std::getline(std::ifstream{task.path() / "comm"}, comm);
    if (comm != name) continue;
    std::string stat;
    std::getline(std::ifstream{task.path() / "stat"}, stat);
    std::istringstream fields{stat.substr(stat.rfind(')') + 2)};  // from field 3, the state
    std::string field;
    for (int i = 3; i <= 19 && fields >> field; ++i)
      if (i == 19) out.push_back(std::stoi(field));
  }
  return out;
}

// A partition the supervisor restarts gets its thread at the process's priority, like the
// others: it is on the path of every reply. (Its thread used to be started from a worker's,
// inheriting the workers' nice, which an unprivileged process cannot take back.)
TEST(SchedulerTest, ARestartedPartitionKeepsThePriorityOfTheReplyPath) {
  int base = thread_nice();
  if (base > 19 - 3) GTEST_SKIP() << "this process already runs at nice " << base;
  testing::temp_dir dir;
  vocflow::node_options o;
  o.cfg.data = {.dir = dir / "data", .fsync = false, .cache_mb = 8};
  o.cfg.flows.dir = VOCFLOW_SOURCE_DIR "/examples/flows";
  o.cfg.runtime.partitions = 2;
  o.cfg.runtime.dedicated_threads = true;
  o.cfg.runtime.scheduler_nice = 3;
  o.http = o.api = o.notifiers = false;
  std::string error;
  auto n = vocflow::node::start(std::move(o), error);
  ASSERT_TRUE(n) << error;
  auto* rt = &n->runtime();
  auto victim = rt->all_partitions()[0];
  caf::anon_send_exit(victim, caf::exit_reason::kill);
  // The supervisor replaces it in the routing table as it restarts it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30};
  while (rt->all_partitions()[0].address() == victim.address() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_NE(rt->all_partitions()[0].address(), victim.address()) << "not restarted in 30 s";
  // The actors on threads of their own: the partitions and their supervisor.
  auto nices = nice_of_threads("caf.actor");
  EXPECT_GE(nices.size(), 3u);
  for (int n : nices) EXPECT_EQ(n, base);
  EXPECT_EQ(nice_of_threads("caf.multiplexer").at(0), base + 3);
}

}  // namespace
}  // namespace vocflow::actors

// The scheduler's workers run below the partitions' threads when partitions have threads of
// their own (actors/scheduler.hpp). A real actor system: the test coordinator has no workers.
#include "actors/scheduler.hpp"

#include <gtest/gtest.h>

#include <caf/all.hpp>

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

}  // namespace
}  // namespace vocflow::actors

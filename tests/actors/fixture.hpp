// Runtime tests: a real node (RocksDB in a temporary folder, CAF actors) without HTTP, on CAF's
// test coordinator so that every timer fires when the test advances virtual time, never by
// sleeping.
#pragma once

#include "app/node.hpp"
#include "tests/temp_dir.hpp"

#include <caf/all.hpp>
#include <caf/detail/test_actor_clock.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <gtest/gtest.h>

namespace vocflow::testing {

class runtime_fixture : public ::testing::Test {
 protected:
  runtime_fixture();
  ~runtime_fixture() override;

  // Starts (or restarts) the runtime on the fixture's folder, with the flows of `flows_dir`;
  // `settle`: lets every actor handle what starting sent it before returning.
  void start(uint32_t partitions = 2, const std::string& flows_dir = {}, bool settle = true);
  // Stops the runtime and its actor system, as a process exit would; the folder stays.
  void stop();

  // Wall time: the virtual clock mapped onto a wall-clock origin the test chooses.
  time_point now() const;
  void set_now(time_point wall);
  // Advances virtual time to `wall`, firing every timeout at its own due time.
  void advance_to(time_point wall);
  void advance(millis d) { advance_to(now() + d); }
  time_point local(const std::string& zone_calendar, const std::string& text) const;

  actors::command_result submit(actors::submission sub);
  // Sends every submission before the actors run: those for one partition join one group commit.
  std::vector<actors::command_result> submit_together(std::vector<actors::submission> subs);
  // Sends every submission, then has each one decided, in order, before any partition writes
  // its group (as partitions on two cores can): one message of its partition at a time.
  std::vector<actors::command_result> submit_interleaved(std::vector<actors::submission> subs);
  // Has the submission decided, then kills its partition before the group is written; the
  // supervisor restarts it. The answer the submission got.
  actors::command_result decide_then_kill(actors::submission sub);
  actors::command_result open(ticket_fields info, const std::string& key = {},
                              const std::string& flow = {});
  actors::command_result act(const std::string& ticket, const std::string& action,
                             const std::string& role, std::function<void(command&)> fill = {});
  actors::ticket_record fetch(const std::string& ticket);
  actors::queue_page queue(const std::string& department, actors::queue_query q = {});
  actors::deploy_result deploy(const std::string& yaml);
  std::string metrics();  // the exposition text, as GET /metrics serves it
  // What the ledger holds for a customer over the last `period` (a failed read fails the test).
  money granted(const std::string& customer, std::chrono::days period);

  caf::actor_system& sys() { return *sys_; }
  caf::scheduler::test_coordinator& sched() { return *sched_; }
  actors::runtime& rt() { return node_->runtime(); }
  storage::store& db() { return node_->store(); }

  temp_dir dir_;
  runtime_config cfg_;
  // How start() opens the store: its block cache, and the file system (default: the OS's).
  size_t cache_mb_ = 8;
  std::shared_ptr<rocksdb::FileSystem> file_system_;

 private:
  std::vector<actors::command_result> submit_all(std::vector<actors::submission> subs,
                                                 bool interleaved);
  std::unique_ptr<caf::actor_system_config> caf_cfg_;
  std::unique_ptr<caf::actor_system> sys_;
  caf::scheduler::test_coordinator* sched_ = nullptr;
  std::unique_ptr<caf::scoped_actor> self_;
  std::unique_ptr<node> node_;
  time_point wall_origin_;
  caf::actor_clock::time_point steady_origin_;
};

}  // namespace vocflow::testing

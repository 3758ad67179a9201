#include "tests/actors/fixture.hpp"

#include "actors/flow_library.hpp"
#include "tests/workflows/fixture.hpp"

namespace vocflow::testing {

using namespace std::chrono_literals;

runtime_fixture::runtime_fixture() {
  cfg_.request_timeout = 5s;
  wall_origin_ = *parse_utc("2026-03-02T00:00:00Z");
}

runtime_fixture::~runtime_fixture() {
  stop();
}

void runtime_fixture::start(uint32_t partitions, const std::string& flows_dir, bool settle) {
  stop();
  caf_cfg_ = std::make_unique<caf::actor_system_config>();
  caf_cfg_->set("scheduler.policy", caf::atom("testing"));
  caf_cfg_->set("logger.inline-output", true);
  sys_ = std::make_unique<caf::actor_system>(*caf_cfg_);
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(sys_->scheduler());
  sched_->clock().current_time += 1h;
  steady_origin_ = sched_->clock().now();
  self_ = std::make_unique<caf::scoped_actor>(*sys_, true);

  node_options o;
  o.cfg.data.dir = dir_ / "data";
  o.cfg.data.cache_mb = cache_mb_;
  o.cfg.flows.dir = flows_dir.empty() ? example("flows") : flows_dir;
  o.cfg.runtime = cfg_;
  o.cfg.runtime.partitions = partitions;
  o.cfg.runtime.dedicated_threads = false;  // every actor on the test coordinator, in virtual time
  o.http = o.api = o.notifiers = false;
  o.clock = [this] { return now(); };
  o.system = sys_.get();
  o.file_system = file_system_;
  std::string error;
  node_ = node::start(std::move(o), error);
  ASSERT_TRUE(node_) << error;
  for (auto& d : node_->flows().diags.items()) ADD_FAILURE() << to_string(d);
  if (settle) sched_->run();
}

void runtime_fixture::stop() {
  if (!sys_) return;
  auto wall = now();
  if (node_) node_->halt();  // the coordinator runs the exits it sent
  sched_->run();
  node_.reset();
  self_.reset();
  sys_.reset();
  caf_cfg_.reset();
  sched_ = nullptr;
  wall_origin_ = wall;  // a restarted system carries on from the same wall time
}

time_point runtime_fixture::now() const {
  if (!sched_) return wall_origin_;
  return wall_origin_ + std::chrono::duration_cast<millis>(sched_->clock().now() - steady_origin_);
}

void runtime_fixture::set_now(time_point wall) {
  wall_origin_ = wall;
  if (sched_) steady_origin_ = sched_->clock().now();
}

void runtime_fixture::advance_to(time_point wall) {
  sched_->run();
  for (;;) {
    auto& schedule = sched_->clock().schedule();
    auto target = sched_->clock().now() + (wall - now());
    if (schedule.empty() || schedule.begin()->first > target) break;
    sched_->clock().advance_time(std::max(caf::actor_clock::duration_type{0},
                                          schedule.begin()->first - sched_->clock().now()));
    sched_->run();
  }
  sched_->clock().current_time += wall - now();
  sched_->run();
}

time_point runtime_fixture::local(const std::string& cal, const std::string& text) const {
  auto& cals = examples().org.calendars;
  auto it = cals.find(cal);
  EXPECT_NE(it, cals.end()) << cal;
  return testing::local(*it->second, text);
}

actors::command_result runtime_fixture::submit(actors::submission sub) {
  if (sub.ticket_id.empty())
    sub.ticket_id = sub.idempotency_key.empty()
                        ? rt().new_ticket_id()
                        : actors::runtime::ticket_id_for_key(sub.idempotency_key);
  auto h = (*self_)->request(rt().partition_for(sub.ticket_id), caf::infinite,
                             actors::submit_atom::value, sub);
  sched_->run();
  actors::command_result out;
  h.receive([&](actors::command_result& r) { out = std::move(r); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

std::vector<actors::command_result> runtime_fixture::submit_together(
    std::vector<actors::submission> subs) {
  return submit_all(std::move(subs), false);
}

std::vector<actors::command_result> runtime_fixture::submit_interleaved(
    std::vector<actors::submission> subs) {
  return submit_all(std::move(subs), true);
}

std::vector<actors::command_result> runtime_fixture::submit_all(
    std::vector<actors::submission> subs, bool interleaved) {
  using handle = decltype((*self_)->request(std::declval<actors::partition_actor>(), caf::infinite,
                                            actors::submit_atom::value, subs.front()));
  std::vector<handle> handles;
  for (auto& sub : subs)
    handles.push_back((*self_)->request(rt().partition_for(sub.ticket_id), caf::infinite,
                                        actors::submit_atom::value, sub));
  // The coordinator resumes an actor for one message and puts it back in front, so a partition
  // would run on into the flush it sent itself; moving the next one to the front stops that.
  if (interleaved)
    for (auto& sub : subs) {
      EXPECT_TRUE(sched_->prioritize(rt().partition_for(sub.ticket_id)));
      sched_->run_once();
    }
  sched_->run();
  std::vector<actors::command_result> out(subs.size());
  for (size_t i = 0; i < handles.size(); ++i)
    handles[i].receive([&](actors::command_result& r) { out[i] = std::move(r); },
                       [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

actors::command_result runtime_fixture::decide_then_kill(actors::submission sub) {
  auto victim = rt().partition_for(sub.ticket_id);
  auto h = (*self_)->request(victim, caf::infinite, actors::submit_atom::value, std::move(sub));
  EXPECT_TRUE(sched_->prioritize(victim));
  sched_->run_once();  // decided, its flush still in the mailbox
  // Urgent, so that it comes before the flush (anon_send_exit would queue it behind).
  caf::anon_send<caf::message_priority::high>(
      caf::actor_cast<caf::actor>(victim), caf::exit_msg{victim.address(), caf::exit_reason::kill});
  sched_->run();
  actors::command_result out;
  // Answered by now, with no time passed: without an answer the receive would wait forever.
  if ((*self_)->mailbox().empty()) {
    ADD_FAILURE() << "no answer from the partition that was killed";
    return out;
  }
  h.receive([&](actors::command_result& r) { out = std::move(r); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

actors::command_result runtime_fixture::open(ticket_fields info, const std::string& key,
                                             const std::string& flow) {
  actors::submission s;
  s.cmd.action = "open";
  s.cmd.by = {"intake", "system"};
  s.cmd.info = std::move(info);
  s.idempotency_key = key;
  s.flow_id = flow;
  return submit(std::move(s));
}

actors::command_result runtime_fixture::act(const std::string& ticket, const std::string& action,
                                            const std::string& role,
                                            std::function<void(command&)> fill) {
  actors::submission s;
  s.ticket_id = ticket;
  s.cmd.action = action;
  s.cmd.by = {role == "customer" ? "customer" : role + "-1", role};
  if (fill) fill(s.cmd);
  return submit(std::move(s));
}

actors::ticket_record runtime_fixture::fetch(const std::string& ticket) {
  auto h = (*self_)->request(rt().partition_for(ticket), caf::infinite, actors::fetch_atom::value,
                             ticket);
  sched_->run();
  actors::ticket_record out;
  h.receive([&](actors::ticket_record& v) { out = std::move(v); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

actors::queue_page runtime_fixture::queue(const std::string& department, actors::queue_query q) {
  auto h =
      (*self_)->request(rt().department(department), caf::infinite, actors::queue_atom::value, q);
  sched_->run();
  actors::queue_page out;
  h.receive([&](actors::queue_page& p) { out = std::move(p); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

std::string runtime_fixture::metrics() {
  auto h = (*self_)->request(rt().metrics(), caf::infinite, actors::metrics_atom::value);
  sched_->run();
  std::string out;
  h.receive([&](std::string& text) { out = std::move(text); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

money runtime_fixture::granted(const std::string& customer, std::chrono::days period) {
  money out;
  auto st = db().granted_since(customer, now() - period, out);
  EXPECT_TRUE(st) << st.message();
  return out;
}

actors::deploy_result runtime_fixture::deploy(const std::string& yaml) {
  auto h = (*self_)->request(rt().registry(), caf::infinite, actors::deploy_atom::value, yaml,
                             std::string{"deploy.yaml"});
  sched_->run();
  actors::deploy_result out;
  h.receive([&](actors::deploy_result& r) { out = std::move(r); },
            [&](caf::error& e) { ADD_FAILURE() << sys_->render(e); });
  return out;
}

}  // namespace vocflow::testing

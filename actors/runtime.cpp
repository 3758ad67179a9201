#include "actors/runtime.hpp"

#include "actors/department.hpp"
#include "actors/partition.hpp"
#include "actors/registry.hpp"
#include "actors/replica.hpp"
#include "actors/scheduler.hpp"

#include <spdlog/spdlog.h>

#include <random>
#include <thread>

namespace vocflow::actors {
namespace {

using subscribe_all_atom = caf::atom_constant<caf::atom("suball")>;

std::string base32(uint64_t v) {
  static constexpr char digits[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";  // Crockford
  std::string out(13, '0');
  for (int i = 12; i >= 0; --i, v >>= 5) out[i] = digits[v & 31];
  return out;
}

struct supervisor_state {
  static inline const char* name = "vocflow.supervisor";
  runtime_env env;
  std::shared_ptr<void> routing_owner;
  std::function<void(uint16_t, partition_actor)> replace;
  std::vector<partition_actor> partitions;
  std::vector<subscriber_actor> subscribers;
};

// Watches the partitions; one that dies abnormally is logged and started again on the same
// store (its state is what was committed), with its subscribers and routing restored.
caf::behavior supervisor(caf::stateful_actor<supervisor_state>* self, runtime_env env,
                         std::vector<partition_actor> partitions,
                         std::vector<subscriber_actor> subscribers,
                         std::function<void(uint16_t, partition_actor)> replace) {
  auto& s = self->state;
  s.env = std::move(env);
  s.partitions = std::move(partitions);
  s.subscribers = std::move(subscribers);
  s.replace = std::move(replace);
  for (auto& p : s.partitions) self->monitor(p);
  self->set_down_handler([=](caf::down_msg& down) {
    auto& s = self->state;
    for (size_t i = 0; i < s.partitions.size(); ++i) {
      if (s.partitions[i].address() != down.source) continue;
      if (down.reason == caf::exit_reason::normal || down.reason == caf::exit_reason::user_shutdown)
        return;
      spdlog::error("partition {} failed ({}); restarting it", i,
                    self->system().render(down.reason));
      auto fresh = spawn_partition(self->system(), s.env, static_cast<uint16_t>(i), s.subscribers);
      self->monitor(fresh);
      s.partitions[i] = fresh;
      s.replace(static_cast<uint16_t>(i), fresh);
      return;
    }
  });
  return {
      [=](subscribe_all_atom, subscriber_actor sub) {
        for (auto& p : self->state.partitions) self->send(p, subscribe_atom::value, sub);
        self->state.subscribers.push_back(std::move(sub));
      },
  };
}

}  // namespace

std::unique_ptr<runtime> runtime::start(caf::actor_system& sys, std::shared_ptr<storage::store> db,
                                        std::shared_ptr<flow_library> flows,
                                        runtime_options options) {
  runtime_env env;
  env.db = std::move(db);
  env.flows = std::move(flows);
  env.cfg = options.cfg;
  env.clock = options.clock ? options.clock : [] {
    return std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
  };
  env.clock_rate = options.clock_rate;
  env.partitions = options.cfg.partitions ? options.cfg.partitions
                                          : std::max(1u, std::thread::hardware_concurrency());
  // Timer rows are keyed by partition: when the count changed since the last run, move them.
  auto count = std::to_string(env.partitions);
  std::string stored;
  if (auto got = env.db->meta("partitions", stored); !got && !got.is_not_found()) {
    spdlog::error("cannot read the partition count the timers are keyed by: {}", got.message());
  } else if (stored != count) {
    size_t moved = 0;
    auto n = env.partitions;
    if (auto st = env.db->repartition_due(
            [n](const std::string& t) { return static_cast<uint16_t>(partition_of(t, n)); }, moved);
        !st)
      spdlog::error("cannot move timers to {} partitions: {}", n, st.message());
    else if (auto put = env.db->put_meta("partitions", count); !put)
      spdlog::error("cannot record the partition count: {}", put.message());
    else if (moved)
      spdlog::info("moved {} timers to {} partitions", moved, n);
  }
  std::vector<std::string> channel_names;
  for (auto& c : options.channels) channel_names.push_back(c.name);
  env.stats = std::make_shared<runtime_stats>(env.partitions, channel_names);
  env.grants = std::make_shared<pending_grants>();
  env.channels = std::move(options.channels);
  env.cluster = std::move(options.cluster);
  std::unique_ptr<runtime> rt{new runtime(sys, env)};
  rt->id_counter_ = std::random_device{}() & 0x3fffff;

  // One scan of the snapshots seeds every read model: department queues and metric gauges.
  // They exist before the partitions, which publish to them from their first commit on (an
  // overdue timer fires as soon as its partition starts; a client may send at once).
  std::map<std::string, queue_map> queues;
  for (auto& [name, _] : env.flows->org().departments) queues[name];
  open_gauges open;
  voice_seed voice;
  auto scanned = env.db->for_each_ticket([&](const ticket& t) {
    voice.add(t);
    auto f = env.flows->find(t.flow, t.version);
    for (auto& [name, queue] : queues) {
      queue_entry e;
      if (queue_view(t, f.get(), name, e)) queue.emplace(t.id, std::move(e));
    }
    open.count(t, +1);
    return true;
  });
  if (!scanned)
    spdlog::error("cannot scan the tickets for the queues and gauges: {}", scanned.message());
  std::vector<subscriber_actor> read_models;
  department_bits bits{env.flows->org()};  // as the partitions mark their commits
  for (auto& [name, queue] : queues) {
    auto d = spawn_department(sys, name, bits.bit_of(name), std::move(queue));
    rt->departments_[name] = d;
    read_models.push_back(d);
  }
  rt->metrics_ = spawn_metrics(sys, env, std::move(open));
  read_models.push_back(rt->metrics_);
  {
    std::weak_ptr<routing> where = rt->routing_;
    auto n = env.partitions;
    rt->voice_ = spawn_voice(sys, env, std::move(voice), [where, n](const std::string& id) {
      auto r = where.lock();
      if (!r) return partition_actor{};
      std::shared_lock lock{r->lock};
      return r->partitions[partition_of(id, n)];
    });
    read_models.push_back(caf::actor_cast<subscriber_actor>(rt->voice_));
  }

  std::vector<partition_actor> parts;
  for (uint32_t i = 0; i < env.partitions; ++i)
    parts.push_back(spawn_partition(sys, env, static_cast<uint16_t>(i), read_models));
  rt->routing_->partitions = parts;

  std::weak_ptr<routing> table = rt->routing_;
  // Where the partitions are (a thread of its own with dedicated threads): a partition it
  // restarts starts its thread from the supervisor's and inherits its priority, which must be
  // the process's, not the niced workers' (a process without CAP_SYS_NICE cannot raise it back).
  rt->supervisor_ = spawn_on_reply_path(sys, env.cfg, supervisor, env, parts, read_models,
                                        [table](uint16_t i, partition_actor p) {
                                          if (auto r = table.lock()) {
                                            std::unique_lock lock{r->lock};
                                            r->partitions[i] = std::move(p);
                                          }
                                        });
  rt->registry_ = spawn_registry(sys, env);
  if (env.cluster)
    env.cluster->start([table](uint32_t p) {
      auto r = table.lock();
      if (!r) return partition_actor{};
      std::shared_lock lock{r->lock};
      return r->partitions[p];
    });
  return rt;
}

runtime::~runtime() {
  if (env_.cluster) env_.cluster->stop();
  if (stopped_) return;
  // Without draining (tests, failed starts): tell every actor to stop.
  for (auto& p : all_partitions()) caf::anon_send_exit(p, caf::exit_reason::user_shutdown);
  for (auto& [_, d] : departments_) caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(registry_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(metrics_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(voice_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
}

partition_actor runtime::partition_for(const std::string& ticket_id) const {
  std::shared_lock lock{routing_->lock};
  return routing_->partitions[partition_of(ticket_id, env_.partitions)];
}

std::vector<partition_actor> runtime::all_partitions() const {
  std::shared_lock lock{routing_->lock};
  return routing_->partitions;
}

department_actor runtime::department(const std::string& name) const {
  auto it = departments_.find(name);
  return it == departments_.end() ? department_actor{} : it->second;
}

void runtime::subscribe(subscriber_actor subscriber) {
  // Straight into every partition's mailbox, before anything the caller does next (a server it
  // starts, a command it sends) can put a command there: the subscriber sees every commit from
  // then on. Through the supervisor too, which keeps it for partitions it restarts (partitions
  // take a subscriber once).
  for (auto& p : all_partitions()) caf::anon_send(p, subscribe_atom::value, subscriber);
  caf::anon_send(supervisor_, subscribe_all_atom::value, std::move(subscriber));
}

void runtime::poke_timers() {
  for (auto& p : all_partitions()) caf::anon_send(p, poke_atom::value);
}

std::string runtime::new_ticket_id() {
  auto ms = static_cast<uint64_t>(to_ms(env_.clock()));
  auto id = "T-" + base32((ms << 22) | (id_counter_++ & 0x3fffff));
  if (env_.cluster && env_.cluster->owned() > 0)
    for (int tries = 0; tries < 256 && !env_.cluster->owns(partition_of(id, env_.partitions));
         ++tries)
      id = "T-" + base32((ms << 22) | (id_counter_++ & 0x3fffff));
  return id;
}

std::string runtime::ticket_id_for_key(const std::string& key) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : key) h = (h ^ c) * 1099511628211ull;
  return "T-" + base32(h);
}

void runtime::stop() {
  if (stopped_) return;
  stopped_ = true;
  caf::scoped_actor self{sys_};
  auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(env_.cfg.request_timeout);
  for (auto& p : all_partitions()) {
    self->request(p, timeout, drain_atom::value)
        .receive([](bool) {}, [&](caf::error& e) { spdlog::warn("drain: {}", sys_.render(e)); });
  }
  caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
  for (auto& [_, d] : departments_) caf::anon_send_exit(d, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(registry_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(metrics_, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(voice_, caf::exit_reason::user_shutdown);
  // Leases released once everything is written: another node takes over at once.
  if (env_.cluster) env_.cluster->stop();
}

}  // namespace vocflow::actors

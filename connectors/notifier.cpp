#include "connectors/notifier.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace vocflow::connectors {
namespace {

using actors::poke_atom;
using actors::wake_atom;

constexpr size_t pass_limit = 32;        // attempts per pass, then other messages get a turn
constexpr size_t count_cap = 1'000'000;  // how far the outbox and dead letters are counted
constexpr millis longest_sleep{60'000};  // a wake-up at least this often (real time)

struct notifier_state {
  static inline const char* name = "vocflow.notifier";
  actors::runtime_env env;
  std::shared_ptr<channel> ch;
  notify_config cfg;
  actors::channel_stats* stats = nullptr;
  uint64_t generation = 0;  // of the wake-up in flight
  bool poke_queued = false;
};
using self_ptr = notifier_actor::stateful_pointer<notifier_state>;

attempt_result attempt(notifier_state& s, const storage::outbox_entry& row) {
  auto started = std::chrono::steady_clock::now();
  auto result = s.ch->deliver(row);
  if (s.stats)
    s.stats->attempt_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

void schedule(self_ptr self, time_point now) {
  auto& s = self->state;
  std::optional<time_point> next;
  if (auto st = s.env.db->outbox_next(s.ch->name(), next); !st) {
    // Not "nothing to send": look again after the first retry's wait.
    spdlog::error("channel {}: cannot read the outbox: {}", s.ch->name(), st.message());
    self->delayed_send(self, s.cfg.retry_initial, wake_atom::value, ++s.generation);
    return;
  }
  if (!next) return;
  auto wall = std::max(millis{0}, std::chrono::duration_cast<millis>(*next - now));
  auto real = millis{static_cast<int64_t>(static_cast<double>(wall.count()) / s.env.clock_rate)};
  self->delayed_send(self, std::min(real, longest_sleep), wake_atom::value, ++s.generation);
}

// Counts the outbox (and the dead letters) for the metrics; returns the outbox's size as last
// counted (the gauges keep their last value when the outbox cannot be read).
size_t update_stats(notifier_state& s) {
  size_t left = 0, dead = 0;
  auto st = s.env.db->outbox_size(s.ch->name(), count_cap, left);
  if (st) st = s.env.db->dead_letters(s.ch->name(), count_cap, dead);
  if (!st) {
    spdlog::error("channel {}: cannot count the outbox: {}", s.ch->name(), st.message());
    return s.stats ? static_cast<size_t>(s.stats->backlog.load()) : 0;
  }
  if (s.stats) {
    s.stats->backlog = static_cast<int64_t>(left);
    s.stats->dead_letters = static_cast<int64_t>(dead);
  }
  return left;
}

// Attempts what is due (up to pass_limit), then plans the next look. Returns the outbox's size.
size_t pass(self_ptr self) {
  auto& s = self->state;
  auto now = s.env.clock();
  std::vector<storage::outbox_entry> due;
  if (auto st = s.env.db->outbox_due(s.ch->name(), now, pass_limit, due); !st) {
    spdlog::error("channel {}: cannot read the outbox: {}", s.ch->name(), st.message());
    self->delayed_send(self, s.cfg.retry_initial, wake_atom::value, ++s.generation);
    return 0;
  }
  for (auto& row : due) {
    auto [error, final] = attempt(s, row);
    auto b = s.env.db->batch();
    b.outbox_remove(row);  // the row as it is keyed now
    if (error.empty()) {
      if (s.stats) ++s.stats->delivered;
    } else {
      row.attempts += 1;
      row.last_error = error;
      if (final || now - row.created >= s.cfg.give_up_after) {
        b.dead_letter(row);
        if (s.stats) ++s.stats->given_up;
        spdlog::error("channel {}: gave up on {} ({}) after {} attempts: {}", s.ch->name(),
                      row.id(), row.type, row.attempts, error);
      } else {
        row.next_at = now + retry_delay(s.cfg, row.attempts);
        b.outbox(row);
        if (s.stats) ++s.stats->failed;
        spdlog::warn("channel {}: {} ({}) attempt {} failed: {}; next at {}", s.ch->name(),
                     row.id(), row.type, row.attempts, error, format_utc(row.next_at));
      }
    }
    if (auto st = s.env.db->write(b); !st) {
      // Not recorded: the row stays as it was and is attempted again (at least once).
      spdlog::error("channel {}: cannot update the outbox: {}", s.ch->name(), st.message());
      self->delayed_send(self, s.cfg.retry_initial, wake_atom::value, ++s.generation);
      return update_stats(s);
    }
  }
  auto left = update_stats(s);
  if (due.size() == pass_limit) {
    s.poke_queued = true;
    caf::anon_send(caf::actor_cast<notifier_actor>(self),
                   poke_atom::value);  // more may be due: after the messages waiting now
  } else {
    schedule(self, now);
  }
  return left;
}

}  // namespace

millis retry_delay(const notify_config& cfg, int32_t attempt) {
  auto delay = cfg.retry_initial;
  for (int32_t i = 1; i < attempt && delay < cfg.retry_max; ++i) delay *= 2;
  return std::min(delay, cfg.retry_max);
}

std::vector<notifier_actor> start_notifiers(actors::runtime& rt,
                                            const std::vector<std::shared_ptr<channel>>& channels,
                                            const notify_config& cfg) {
  std::vector<notifier_actor> out;
  for (auto& ch : channels) {
    auto n = spawn_notifier(rt.system(), rt.env(), ch, cfg);
    rt.subscribe(caf::actor_cast<actors::subscriber_actor>(n));
    out.push_back(std::move(n));
  }
  return out;
}

void stop_notifiers(std::vector<notifier_actor>& notifiers) {
  for (auto& n : notifiers) caf::anon_send_exit(n, caf::exit_reason::user_shutdown);
  notifiers.clear();
}

notifier_actor spawn_notifier(caf::actor_system& sys, const actors::runtime_env& env,
                              const std::shared_ptr<channel>& ch, const notify_config& cfg) {
  auto impl = [env, ch, cfg](self_ptr self) -> notifier_actor::behavior_type {
    auto& s = self->state;
    s.env = env;
    s.ch = ch;
    s.cfg = cfg;
    s.stats = env.stats ? env.stats->channel(ch->name()) : nullptr;
    s.poke_queued = true;
    caf::anon_send(caf::actor_cast<notifier_actor>(self),
                   poke_atom::value);  // what waited in the outbox while vocflow was down
    return {
        [=](actors::committed_atom, const actors::commit_batch& batch) {
          auto& s = self->state;
          if (s.poke_queued) return;
          auto& wanted = s.ch->subscription().events;
          for (auto& c : *batch)
            for (auto& e : *c.events)
              if (std::find(wanted.begin(), wanted.end(), e.type()) != wanted.end()) {
                s.poke_queued = true;
                caf::anon_send(caf::actor_cast<notifier_actor>(self), poke_atom::value);
                return;
              }
        },
        [=](poke_atom) {
          self->state.poke_queued = false;
          return pass(self);
        },
        [=](wake_atom, uint64_t generation) {
          if (generation == self->state.generation) pass(self);
        },
    };
  };
  return sys.spawn<caf::detached>(impl);
}

}  // namespace vocflow::connectors

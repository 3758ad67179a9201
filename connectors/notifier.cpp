#include "connectors/notifier.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/http_client.hpp"

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
  webhook_config hook;
  notify_config cfg;
  std::string base_url, target;  // from hook.url
  actors::webhook_stats* stats = nullptr;
  uint64_t generation = 0;  // of the wake-up in flight
  bool poke_queued = false;
};
using self_ptr = notifier_actor::stateful_pointer<notifier_state>;

// The outcome of one attempt: "" when the receiver took it.
std::string attempt(notifier_state& s, const storage::outbox_entry& row) {
  http_call call;
  call.base_url = s.base_url;
  call.method = "POST";
  call.target = s.target;
  call.body = row.body;
  call.timeout = s.cfg.timeout;
  call.headers = {{"User-Agent", "vocflow-webhook"},
                  {"X-Vocflow-Event", row.type},
                  {"X-Vocflow-Event-Id", row.id()},
                  {"X-Vocflow-Webhook", s.hook.name},
                  {"X-Vocflow-Delivery-Attempt", std::to_string(row.attempts + 1)},
                  {"X-Vocflow-Signature", webhook_signature(s.hook.secret, row.body)}};
  auto started = std::chrono::steady_clock::now();
  auto res = send(call);
  if (s.stats)
    s.stats->attempt_seconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (res.status >= 200 && res.status < 300) return {};
  if (res.status == 0) return res.error.empty() ? "no answer" : res.error;
  return fmt::format("HTTP {}", res.status);
}

void schedule(self_ptr self, time_point now) {
  auto& s = self->state;
  std::optional<time_point> next;
  if (auto st = s.env.db->outbox_next(s.hook.name, next); !st) {
    // Not "nothing to send": look again after the first retry's wait.
    spdlog::error("webhook {}: cannot read the outbox: {}", s.hook.name, st.message());
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
  auto st = s.env.db->outbox_size(s.hook.name, count_cap, left);
  if (st) st = s.env.db->dead_letters(s.hook.name, count_cap, dead);
  if (!st) {
    spdlog::error("webhook {}: cannot count the outbox: {}", s.hook.name, st.message());
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
  if (auto st = s.env.db->outbox_due(s.hook.name, now, pass_limit, due); !st) {
    spdlog::error("webhook {}: cannot read the outbox: {}", s.hook.name, st.message());
    self->delayed_send(self, s.cfg.retry_initial, wake_atom::value, ++s.generation);
    return 0;
  }
  for (auto& row : due) {
    auto error = attempt(s, row);
    auto b = s.env.db->batch();
    b.outbox_remove(row);  // the row as it is keyed now
    if (error.empty()) {
      if (s.stats) ++s.stats->delivered;
    } else {
      row.attempts += 1;
      row.last_error = error;
      if (now - row.created >= s.cfg.give_up_after) {
        b.dead_letter(row);
        if (s.stats) ++s.stats->given_up;
        spdlog::error("webhook {}: gave up on {} ({}) after {} attempts: {}", s.hook.name, row.id(),
                      row.type, row.attempts, error);
      } else {
        row.next_at = now + retry_delay(s.cfg, row.attempts);
        b.outbox(row);
        if (s.stats) ++s.stats->failed;
        spdlog::warn("webhook {}: {} ({}) attempt {} failed: {}; next at {}", s.hook.name, row.id(),
                     row.type, row.attempts, error, format_utc(row.next_at));
      }
    }
    if (auto st = s.env.db->write(b); !st) {
      // Not recorded: the row stays as it was and is attempted again (at least once).
      spdlog::error("webhook {}: cannot update the outbox: {}", s.hook.name, st.message());
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

std::string webhook_signature(std::string_view secret, std::string_view body) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &size);
  std::string out = "sha256=";
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", mac[i]);
  return out;
}

millis retry_delay(const notify_config& cfg, int32_t attempt) {
  auto delay = cfg.retry_initial;
  for (int32_t i = 1; i < attempt && delay < cfg.retry_max; ++i) delay *= 2;
  return std::min(delay, cfg.retry_max);
}

std::vector<notifier_actor> start_notifiers(actors::runtime& rt, const notify_config& cfg) {
  std::vector<notifier_actor> out;
  for (auto& w : cfg.webhooks) {
    auto n = spawn_notifier(rt.system(), rt.env(), w, cfg);
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
                              webhook_config webhook, notify_config cfg) {
  auto impl = [env, webhook, cfg](self_ptr self) -> notifier_actor::behavior_type {
    auto& s = self->state;
    s.env = env;
    s.hook = webhook;
    s.cfg = cfg;
    s.stats = env.stats ? env.stats->webhook(webhook.name) : nullptr;
    std::string_view url = s.hook.url;
    if (url.starts_with("http://")) url.remove_prefix(7);
    auto slash = url.find('/');
    s.base_url = "http://" + std::string{url.substr(0, slash)};
    s.target = slash == std::string_view::npos ? "/" : std::string{url.substr(slash)};
    s.poke_queued = true;
    caf::anon_send(caf::actor_cast<notifier_actor>(self),
                   poke_atom::value);  // what waited in the outbox while vocflow was down
    return {
        [=](actors::committed_atom, const actors::commit_batch& batch) {
          auto& s = self->state;
          if (s.poke_queued) return;
          for (auto& c : *batch)
            for (auto& e : *c.events)
              if (std::find(s.hook.events.begin(), s.hook.events.end(), e.type()) !=
                  s.hook.events.end()) {
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
